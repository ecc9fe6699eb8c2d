//! What an association tells its user, and why one ended.

use crate::accounting::Direction;
use crate::peers::{BindRefusal, Protocol};
use x400_rts::machine::{AbortCause, Refusal as RtsRefusal};

/// An event of an [`super::Association`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The MTA bind succeeded: the association is open with `peer` (its configured name).
    Bound {
        /// The peer's name in the peer table.
        peer: String,
        /// The P1 spoken.
        protocol: Protocol,
        /// Who opened it.
        direction: Direction,
    },
    /// An APDU (an MPDU or MTS-APDU) begins to arrive, or resumes: what was stored of it
    /// is cut back to `offset` octets (0 for a new one), and the [`Event::ApduData`] that
    /// follow continue it. An MTA never needs the whole APDU in memory.
    ApduStart {
        /// Octets of the APDU the data continues after.
        offset: u64,
    },
    /// The next piece of the APDU arriving, at most one TSDU.
    ApduData(Vec<u8>),
    /// The sender asks to confirm that the APDU's first `offset` octets are stored: once
    /// they are durable, call [`super::Association::confirm_checkpoint`] with `serial`.
    ApduCheckpoint {
        /// The checkpoint's serial number.
        serial: u64,
        /// Octets of the APDU up to it.
        offset: u64,
    },
    /// The APDU is complete (`len` octets). Store it, then call
    /// [`super::Association::secured`]; the sender learns only then that it may forget it.
    ApduEnd {
        /// The APDU's length.
        len: u64,
    },
    /// The APDU arriving is abandoned by the sender: drop what was stored of it.
    ApduDiscarded,
    /// The oldest APDU given to [`super::Association::transfer`] is secured by the peer:
    /// it may be forgotten.
    Transferred,
    /// An APDU could not be transferred; it is given back (the peer may, rarely, have
    /// secured it all the same: X.218 §9.3).
    TransferFailed {
        /// The APDU.
        apdu: super::Apdu,
        /// Why, in words.
        why: String,
    },
    /// The association ended; nothing more happens on it. The transport closes once
    /// [`super::Association::poll_transmit`] is drained.
    Ended(Ended),
}

/// Why an association ended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Ended {
    /// Released normally (FN/DN).
    #[error("released")]
    Released,
    /// We refused the peer's bind or connection.
    #[error("we refused it: {0}")]
    WeRefused(Refused),
    /// The peer refused our association.
    #[error("the peer refused it: {0}")]
    PeerRefused(Refused),
    /// Aborted by either side, or a protocol error.
    #[error("aborted: {0}")]
    Aborted(String),
    /// The transport connection ended first.
    #[error("the transport connection ended: {0}")]
    TransportClosed(String),
    /// The handshake did not finish in time.
    #[error("the handshake did not finish within {0:?}")]
    HandshakeTimeout(core::time::Duration),
    /// Nothing arrived for the idle timeout.
    #[error("nothing arrived for {0:?}")]
    Idle(core::time::Duration),
}

/// A refusal, at the layer that refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refused {
    /// TP0: a DR or a closed connection instead of a CC.
    #[error("transport: {0}")]
    Transport(String),
    /// RTS: PRefuse, or a session RF without one.
    #[error("RTS: {0}")]
    Rts(RtsRefusal),
    /// The bind: by the peer table, or a bind result we do not accept.
    #[error("MTA bind: {0}")]
    Bind(BindRefusal),
    /// The accounting: a limit is reached.
    #[error("limit: {0}")]
    Limit(crate::accounting::Refusal),
    /// The connect could not be decoded or asked for what we do not do.
    #[error("connect: {0}")]
    Connect(String),
}

impl From<AbortCause> for Ended {
    fn from(c: AbortCause) -> Self {
        Ended::Aborted(c.to_string())
    }
}
