//! PAccept: the SS-user data of the session AC that accepts an association.

use alloc::vec::Vec;

use crate::ber;
use crate::connection_data::ConnectionData;
use crate::error::Error;
use crate::options::{DEFAULT_LIMITS, DecodeLimits};
use crate::syntax;

const PDU: &str = "PAccept";

/// PAccept (X.410 (1984), as ISODE's acsap/acsold.py declares it), with the DEFAULTs
/// applied.
///
/// ```text
/// PAccept ::= SET {
///     [0] IMPLICIT DataTransferSyntax,                 -- x409(0), checked
///     pUserData [1] IMPLICIT SET {
///         checkpointSize [0] IMPLICIT INTEGER DEFAULT 0,
///         windowSize     [1] IMPLICIT INTEGER DEFAULT 3,
///                        [2] ConnectionData } }        -- explicit: a CHOICE
/// ```
///
/// The values are the agreed ones: the initiator uses them, not what it proposed. Decoding
/// is as tolerant as [`PConnect`](crate::PConnect)'s (unknown `[3]` and up are ignored);
/// encoding writes every component, as ISODE does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PAccept {
    /// `checkpointSize`: agreed checkpoint size in units of 1024 octets; 0 = none.
    pub checkpoint_size: u32,
    /// `windowSize`: agreed window.
    pub window_size: u32,
    /// `[2] ConnectionData`: `open` with the responder's data, or the echoed `recover`.
    pub connection_data: ConnectionData,
}

impl PAccept {
    /// `checkpointSize DEFAULT 0`.
    pub const DEFAULT_CHECKPOINT_SIZE: u32 = 0;
    /// `windowSize DEFAULT 3`.
    pub const DEFAULT_WINDOW_SIZE: u32 = 3;

    /// A PAccept with the DEFAULTs (no checkpointing, window 3).
    #[must_use]
    pub const fn new(connection_data: ConnectionData) -> Self {
        Self {
            checkpoint_size: Self::DEFAULT_CHECKPOINT_SIZE,
            window_size: Self::DEFAULT_WINDOW_SIZE,
            connection_data,
        }
    }

    /// Decodes the SS-user data of an AC with [`DEFAULT_LIMITS`].
    ///
    /// # Errors
    ///
    /// Any [`Error`] decoding can give; in particular [`Error::TrailingData`] if octets follow
    /// the PDU and [`Error::NotX410Mode`] for a normal-mode accept.
    pub fn decode(data: &[u8]) -> Result<Self, Error> {
        Self::decode_with(data, &DEFAULT_LIMITS)
    }

    /// Decodes the SS-user data of an AC with the given limits.
    ///
    /// # Errors
    ///
    /// As [`PAccept::decode`], and [`Error::TooLong`] or [`Error::Shape`] beyond `limits`.
    pub fn decode_with(data: &[u8], limits: &DecodeLimits) -> Result<Self, Error> {
        let elements = syntax::open_frame(PDU, data, limits)?;
        let [checkpoint, window, connection_data] = syntax::user_data_slots(
            PDU,
            elements,
            ["checkpointSize", "windowSize", "connectionData"],
        )?;
        let connection_data = connection_data.ok_or(Error::MissingField {
            pdu: PDU,
            field: "connectionData",
        })?;
        Ok(Self {
            checkpoint_size: syntax::integer(
                PDU,
                "checkpointSize",
                checkpoint.as_ref(),
                Self::DEFAULT_CHECKPOINT_SIZE,
            )?,
            window_size: syntax::integer(
                PDU,
                "windowSize",
                window.as_ref(),
                Self::DEFAULT_WINDOW_SIZE,
            )?,
            connection_data: ConnectionData::from_wrapper(PDU, &connection_data)?,
        })
    }

    /// The BER encoding (definite lengths), ready to be the AC's SS-user data.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOpenData`] if the `open` data is not one BER value.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut user_data = Vec::new();
        user_data.extend(syntax::encode_integer(0, self.checkpoint_size)?);
        user_data.extend(syntax::encode_integer(1, self.window_size)?);
        user_data.extend(ber::tlv(
            ber::context_constructed(2),
            &self.connection_data.encode_choice()?,
        ));
        Ok(syntax::close_frame(&user_data))
    }
}
