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
    /// A complete APDU (an MPDU or MTS-APDU) arrived. Store it, then call
    /// [`super::Association::secured`]; the sender learns only then that it may forget it.
    Apdu(Vec<u8>),
    /// The oldest APDU given to [`super::Association::transfer`] is secured by the peer:
    /// it may be forgotten.
    Transferred,
    /// An APDU could not be transferred; it is given back (the peer may, rarely, have
    /// secured it all the same: X.218 §9.3).
    TransferFailed {
        /// The APDU.
        apdu: Vec<u8>,
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
