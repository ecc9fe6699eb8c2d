//! Why a user request was refused. A refused request sends nothing and changes nothing.

/// A refused request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is not valid now; the words say why (X.410 §4 preconditions).
    #[error("{request}: {why}")]
    Request {
        /// The RTS service primitive.
        request: &'static str,
        /// Why not now.
        why: &'static str,
    },
    /// A received piece ([`super::Event::TransferData`]) still waits to be polled: take
    /// the events and retry. The machine holds one piece at most.
    #[error("a received piece of an APDU waits to be polled: take the events first")]
    EventsPending,
    /// The session machine refused the primitive or the call (for a received TSDU:
    /// drain the pollers and retry).
    #[error("session: {0}")]
    Session(#[from] osi_session::machine::Error),
    /// An RTS PDU could not be encoded.
    #[error(transparent)]
    Pdu(#[from] crate::Error),
}

/// `Result` with the machine's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

pub(crate) fn refuse<T>(request: &'static str, why: &'static str) -> Result<T> {
    Err(Error::Request { request, why })
}
