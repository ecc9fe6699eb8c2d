//! AbortInformation: the SS-user data of the session AB by which the RTS itself aborts.

use alloc::vec::Vec;

use rasn::types::BitString;
use rasn::{AsnType, Decode, Encode};

use crate::ber;
use crate::codes::AbortReason;
use crate::error::Error;
use crate::options::{DEFAULT_LIMITS, DecodeLimits};
use crate::syntax::{self, Unknown};
use rasn::types::Tag;

const PDU: &str = "AbortInformation";

/// `AbortInformation ::= SET { [0] IMPLICIT AbortReason OPTIONAL,
/// reflectedParameter [1] IMPLICIT BIT STRING OPTIONAL }` (X.410 (1984); ISODE's
/// acsap/acsold.py).
///
/// ISODE sends the reason alone: `31 03 80 01 rr`. The whole AB user data is at most 9
/// octets in session version 1, which a reflected parameter of up to 8 bits fits; that limit
/// belongs to the session layer, so longer values still decode here.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash, Default)]
#[rasn(set)]
pub struct AbortInformation {
    /// Why the RTS aborted, if it says.
    #[rasn(tag(context, 0))]
    pub reason: Option<AbortReason>,
    /// With `invalidParameter`: which parameter was wrong.
    #[rasn(tag(context, 1))]
    pub reflected_parameter: Option<BitString>,
}

impl AbortInformation {
    /// AbortInformation with `reason` and no reflected parameter.
    #[must_use]
    pub const fn new(reason: AbortReason) -> Self {
        Self {
            reason: Some(reason),
            reflected_parameter: None,
        }
    }

    /// Decodes AB SS-user data with the default limits.
    ///
    /// # Errors
    ///
    /// [`Error::Ber`] for bad BER, [`Error::IntegerOutOfRange`] for a negative reason,
    /// [`Error::TrailingData`] if octets follow.
    pub fn decode(data: &[u8]) -> Result<Self, Error> {
        Self::decode_with(data, &DEFAULT_LIMITS)
    }

    /// Decodes AB SS-user data with the given limits.
    ///
    /// # Errors
    ///
    /// As [`AbortInformation::decode`], and [`Error::TooLong`] or [`Error::Shape`] beyond `limits`.
    pub fn decode_with(data: &[u8], limits: &DecodeLimits) -> Result<Self, Error> {
        crate::options::check(PDU, data, limits)?;
        let elements = ber::split_exact(PDU, data, Tag::SET)?;
        let [reason, reflected] = syntax::slots(
            PDU,
            PDU,
            elements,
            ["abortReason", "reflectedParameter"],
            Unknown::Reject,
        )?;
        let reason = reason
            .map(|r| syntax::integer(PDU, "abortReason", Some(&r), 0).map(AbortReason))
            .transpose()?;
        // BIT STRING may be primitive or constructed in BER (X.690 §8.6.1).
        let reflected_parameter = reflected
            .map(|r| r.decode::<BitString>())
            .transpose()
            .map_err(|source| Error::Ber { pdu: PDU, source })?;
        Ok(Self {
            reason,
            reflected_parameter,
        })
    }

    /// The BER encoding.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] if rasn fails, which it does not for this type.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        rasn::ber::encode(self).map_err(Error::Encode)
    }
}
