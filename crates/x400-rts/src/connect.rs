//! PConnect: the SS-user data of the session CN that opens (or recovers) an association.

use alloc::vec::Vec;

use crate::ber;
use crate::codes::{ApplicationProtocol, DialogueMode};
use crate::connection_data::ConnectionData;
use crate::error::Error;
use crate::options::{DEFAULT_LIMITS, DecodeLimits};
use crate::syntax;

const PDU: &str = "PConnect";

/// PConnect (X.410 (1984), as ISODE's acsap/acsold.py declares it), with the DEFAULTs
/// applied.
///
/// ```text
/// PConnect ::= SET {
///     [0] IMPLICIT DataTransferSyntax,                 -- x409(0), checked
///     pUserData [1] IMPLICIT SET {
///         checkpointSize [0] IMPLICIT INTEGER DEFAULT 0,
///         windowSize     [1] IMPLICIT INTEGER DEFAULT 3,
///         dialogueMode   [2] IMPLICIT INTEGER { monologue(0), twa(1) } DEFAULT monologue,
///                        [3] ConnectionData,           -- explicit: a CHOICE
///         applicationProtocol [4] IMPLICIT INTEGER DEFAULT p1 } }
/// ```
///
/// Decoding takes the components of both SETs in any order, with or without DEFAULT values,
/// definite or indefinite lengths, and ignores context-specific components it does not know
/// (`[5]` and up); see [`ConnectionData`] for `open` and `recover`. Encoding writes every
/// component, DEFAULT values included, in the order above: ISODE does the same for
/// `dialogueMode` and `applicationProtocol`, and an explicit value cannot be misread by a peer
/// whose DEFAULT handling differs (X.228 makes `applicationProtocol` OPTIONAL, not DEFAULT).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PConnect {
    /// `checkpointSize`: octets between checkpoints, in units of 1024; 0 = no checkpointing.
    pub checkpoint_size: u32,
    /// `windowSize`: the most checkpoints that may be unconfirmed.
    pub window_size: u32,
    /// `dialogueMode`: monologue or two-way alternate.
    pub dialogue_mode: DialogueMode,
    /// `[3] ConnectionData`: `open` with the RTS user's data, or `recover`.
    pub connection_data: ConnectionData,
    /// `applicationProtocol`: what the `open` data is; absent on the wire means P1 (1984).
    pub application_protocol: ApplicationProtocol,
}

impl PConnect {
    /// `checkpointSize DEFAULT 0`.
    pub const DEFAULT_CHECKPOINT_SIZE: u32 = 0;
    /// `windowSize DEFAULT 3`.
    pub const DEFAULT_WINDOW_SIZE: u32 = 3;

    /// A PConnect with every DEFAULT (no checkpointing, window 3, monologue, P1 1984).
    #[must_use]
    pub const fn new(connection_data: ConnectionData) -> Self {
        Self {
            checkpoint_size: Self::DEFAULT_CHECKPOINT_SIZE,
            window_size: Self::DEFAULT_WINDOW_SIZE,
            dialogue_mode: DialogueMode::MONOLOGUE,
            connection_data,
            application_protocol: ApplicationProtocol::P1_1984,
        }
    }

    /// Decodes the SS-user data of a CN with [`DEFAULT_LIMITS`].
    ///
    /// # Errors
    ///
    /// Any [`Error`] decoding can give; in particular [`Error::TrailingData`] if octets follow
    /// the PDU and [`Error::NotX410Mode`] for a normal-mode connect.
    pub fn decode(data: &[u8]) -> Result<Self, Error> {
        Self::decode_with(data, &DEFAULT_LIMITS)
    }

    /// Decodes the SS-user data of a CN with the given limits.
    ///
    /// # Errors
    ///
    /// As [`PConnect::decode`], and [`Error::TooLong`] or [`Error::Shape`] beyond `limits`.
    pub fn decode_with(data: &[u8], limits: &DecodeLimits) -> Result<Self, Error> {
        let elements = syntax::open_frame(PDU, data, limits)?;
        let [checkpoint, window, mode, connection_data, protocol] = syntax::user_data_slots(
            PDU,
            elements,
            [
                "checkpointSize",
                "windowSize",
                "dialogueMode",
                "connectionData",
                "applicationProtocol",
            ],
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
            dialogue_mode: DialogueMode(syntax::integer(
                PDU,
                "dialogueMode",
                mode.as_ref(),
                DialogueMode::MONOLOGUE.0,
            )?),
            connection_data: ConnectionData::from_wrapper(PDU, &connection_data)?,
            application_protocol: ApplicationProtocol(syntax::integer(
                PDU,
                "applicationProtocol",
                protocol.as_ref(),
                ApplicationProtocol::P1_1984.0,
            )?),
        })
    }

    /// The BER encoding (definite lengths), ready to be the CN's SS-user data.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOpenData`] if the `open` data is not one BER value.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut user_data = Vec::new();
        user_data.extend(syntax::encode_integer(0, self.checkpoint_size)?);
        user_data.extend(syntax::encode_integer(1, self.window_size)?);
        user_data.extend(syntax::encode_integer(2, self.dialogue_mode.0)?);
        user_data.extend(ber::tlv(
            ber::context_constructed(3),
            &self.connection_data.encode_choice()?,
        ));
        user_data.extend(syntax::encode_integer(4, self.application_protocol.0)?);
        Ok(syntax::close_frame(&user_data))
    }
}
