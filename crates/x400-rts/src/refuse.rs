//! PRefuse: the SS-user data of the session RF that refuses an association.

use alloc::vec::Vec;

use rasn::{AsnType, Decode, Encode};

use crate::ber;
use crate::codes::RefuseReason;
use crate::error::Error;
use crate::options::{DEFAULT_LIMITS, DecodeLimits};
use crate::syntax::{self, Unknown};
use rasn::types::Tag;

const PDU: &str = "PRefuse";

/// `PRefuse ::= SET { [0] IMPLICIT RefuseReason }` (X.410 (1984); ISODE's acsap/acsold.py).
///
/// On the wire: `31 03 80 01 rr`, after the session reason code octet 2 in RF PI 50.
///
/// [`PRefuse::decode`] is stricter than the derived rasn `Decode` (which this type also has,
/// to nest it in other rasn types): it insists on a primitive INTEGER, and reports a negative
/// or too large reason as [`Error::IntegerOutOfRange`].
#[derive(AsnType, Decode, Encode, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[rasn(set)]
pub struct PRefuse {
    /// Why the association is refused; unknown values are kept.
    #[rasn(tag(context, 0))]
    pub reason: RefuseReason,
}

impl PRefuse {
    /// A PRefuse with `reason`.
    #[must_use]
    pub const fn new(reason: RefuseReason) -> Self {
        Self { reason }
    }

    /// Decodes RF SS-user data (after the reason code octet) with the default limits.
    ///
    /// # Errors
    ///
    /// [`Error::Ber`] for bad BER, [`Error::IntegerOutOfRange`] for a negative reason,
    /// [`Error::TrailingData`] if octets follow.
    pub fn decode(data: &[u8]) -> Result<Self, Error> {
        Self::decode_with(data, &DEFAULT_LIMITS)
    }

    /// Decodes RF SS-user data with the given limits.
    ///
    /// # Errors
    ///
    /// As [`PRefuse::decode`], and [`Error::TooLong`] or [`Error::Shape`] beyond `limits`.
    pub fn decode_with(data: &[u8], limits: &DecodeLimits) -> Result<Self, Error> {
        crate::options::check(PDU, data, limits)?;
        let elements = ber::split_exact(PDU, data, Tag::SET)?;
        let [reason] = syntax::slots(PDU, PDU, elements, ["refuseReason"], Unknown::Reject)?;
        let reason = reason.ok_or(Error::MissingField {
            pdu: PDU,
            field: "refuseReason",
        })?;
        Ok(Self {
            reason: RefuseReason(syntax::integer(PDU, "refuseReason", Some(&reason), 0)?),
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
