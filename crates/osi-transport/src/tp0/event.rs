//! What the machine tells its user.

use crate::{DisconnectReason, Error, RejectCause};

/// An indication for the transport user, borrowing the machine's buffers until the next
/// call that changes the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// T-CONNECT.indication (responder): an acceptable CR arrived. Answer with
    /// [`crate::tp0::Tp0::accept`] or [`crate::tp0::Tp0::refuse`].
    ConnectIndication {
        /// Calling transport selector (empty if absent).
        calling: &'a [u8],
        /// Called transport selector (empty if absent).
        called: &'a [u8],
        /// Connect user data (RFC 1006 extension).
        data: &'a [u8],
    },
    /// T-CONNECT.confirm (initiator): the CC arrived; the connection is open.
    Connected {
        /// Responding transport selector (empty if the CC carried none).
        responding: &'a [u8],
        /// Connect user data.
        data: &'a [u8],
    },
    /// T-DATA.indication: one whole TSDU.
    Data(&'a [u8]),
    /// T-EXPEDITED-DATA.indication: 1 to 16 octets.
    Expedited(&'a [u8]),
    /// T-DISCONNECT.indication: the connection is over; close the TCP connection after
    /// sending what [`crate::tp0::Tp0::poll_transmit`] still holds.
    Disconnected(DisconnectCause),
}

/// Why the connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectCause {
    /// The peer refused our CR with a DR.
    Refused(DisconnectReason),
    /// The peer sent a DR on an open connection (many RFC 1006 stacks do before closing).
    Released(DisconnectReason),
    /// The peer sent an ER.
    ErrorReceived(RejectCause),
    /// The peer broke the protocol; we queued an ER with this cause (class 0 ER carries
    /// the rejected header, X.224 13.12.4). `error` is the decoder's finding, if any.
    ProtocolError {
        /// Cause sent in the ER.
        cause: RejectCause,
        /// What the decoder reported.
        error: Option<Error>,
    },
    /// We refused the peer's CR with a DR carrying this reason (for example 0x82 when no
    /// offered class is 0).
    RefusedByUs(DisconnectReason),
    /// The peer's TPDU was not acceptable and class 0 answers by closing the network
    /// connection (a CC for another class, a second CR).
    Unacceptable(&'static str),
    /// A TSDU grew beyond the reassembly limit.
    TsduTooLong {
        /// The limit.
        max: usize,
    },
    /// Establishment did not finish within `connect_timeout`.
    Timeout,
    /// The network connection closed.
    NetworkClosed,
    /// The TPKT stream is broken and cannot be resynchronised.
    Framing(osi_tpkt::Error),
}

/// What happened and what the machine did, e.g. `the peer broke X.224: ...; sent ER cause
/// 0x03 (invalid parameter value)`.
impl core::fmt::Display for DisconnectCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Refused(r) => write!(f, "the peer refused our CR with DR reason {r}"),
            Self::Released(r) => write!(f, "the peer disconnected with DR reason {r}"),
            Self::ErrorReceived(c) => write!(f, "the peer sent ER cause {c}"),
            Self::ProtocolError {
                cause,
                error: Some(e),
            } => write!(
                f,
                "the peer's TPDU breaks X.224: {e}; sent ER cause {cause}"
            ),
            Self::ProtocolError { cause, error: None } => write!(
                f,
                "the peer sent a TPDU that class 0 does not accept here; sent ER cause {cause}"
            ),
            Self::RefusedByUs(r) => write!(f, "refused the peer's CR: sent DR reason {r}"),
            Self::Unacceptable(why) => write!(
                f,
                "{why}; closed the network connection, as class 0 does (X.224 Annex A.6)"
            ),
            Self::TsduTooLong { max } => write!(
                f,
                "a TSDU grew past the reassembly limit of {max} octets; closed the connection"
            ),
            Self::Timeout => f.write_str(
                "the connection was not established within the connect timeout; closed it",
            ),
            Self::NetworkClosed => f.write_str("the network connection closed"),
            Self::Framing(e) => write!(f, "the TPKT stream is broken: {e}; closed the connection"),
        }
    }
}
