//! What the class 4 machine reports to its user, and its states.

use alloc::vec::Vec;

use crate::{DisconnectReason, RejectCause};

/// Largest expedited TSDU: 16 octets (X.224 6.11).
pub const MAX_EXPEDITED_LEN: usize = 16;

/// One expedited TSDU, 1 to 16 octets, held without allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ExpeditedData {
    len: u8,
    bytes: [u8; MAX_EXPEDITED_LEN],
}

impl ExpeditedData {
    /// Copies 1 to 16 octets; `None` for any other length.
    pub fn new(data: &[u8]) -> Option<Self> {
        if data.is_empty() || data.len() > MAX_EXPEDITED_LEN {
            return None;
        }
        let mut bytes = [0; MAX_EXPEDITED_LEN];
        bytes.get_mut(..data.len())?.copy_from_slice(data);
        Some(Self {
            len: u8::try_from(data.len()).ok()?,
            bytes,
        })
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl core::fmt::Debug for ExpeditedData {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ExpeditedData({:02x?})", self.as_slice())
    }
}

/// Why a connection ended without the local user asking for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisconnectCause {
    /// The peer sent DR on an open (or opening) connection.
    Peer(DisconnectReason),
    /// The peer refused our CR with DR.
    Refused(DisconnectReason),
    /// The peer answered with ER (TPDU error).
    PeerError(RejectCause),
    /// A TPDU was sent [`super::Config::max_transmissions`] times without progress.
    RetryLimit,
    /// No valid TPDU arrived for [`super::Config::inactivity_time`].
    Inactivity,
    /// The peer broke the protocol in a way that ends the connection (we sent DR 0x85).
    ProtocolError(&'static str),
    /// The peer's CC does not match our CR (class or options not allowed by Table 3/4).
    NegotiationFailed,
}

/// One report to the user, from [`super::Connection::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Responder: an acceptable CR arrived; answer with `accept` or `refuse`.
    ConnectIndication {
        /// The initiator's reference.
        peer_ref: u16,
    },
    /// The connection is open: CC received (initiator) or our CC acknowledged (responder).
    Connected,
    /// One complete TSDU, in order, exactly once.
    Data(Vec<u8>),
    /// One expedited TSDU.
    Expedited(ExpeditedData),
    /// Our last expedited TSDU was acknowledged (EA); another may be sent.
    ExpeditedAcknowledged,
    /// The connection ended; nothing more will be delivered. The reference is frozen.
    Disconnected(DisconnectCause),
    /// Our own release finished: `confirmed` if DC (or a colliding DR) came back, false if
    /// the DR was given up after the retry limit. The reference is frozen.
    Released {
        /// Whether the peer confirmed.
        confirmed: bool,
    },
}

/// States of Annex A.7 (class 4 over CLNS), plus the responder's wait for a CR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Responder waiting for a CR.
    Listen,
    /// Initiator: CR sent, waiting for CC (WFCC).
    WaitCc,
    /// Responder: CR received, waiting for the user's accept (WFTRESP).
    WaitAccept,
    /// Responder: CC sent, waiting for its acknowledgement (AKWAIT).
    AckWait,
    /// Data transfer.
    Open,
    /// DR sent, waiting for DC (CLOSING).
    Closing,
    /// Released; the reference is frozen until the freeze time ends (REFWAIT).
    Frozen,
    /// Released and the reference free again.
    Closed,
}

impl State {
    /// Short name for error messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Listen => "LISTEN",
            Self::WaitCc => "WFCC",
            Self::WaitAccept => "WFTRESP",
            Self::AckWait => "AKWAIT",
            Self::Open => "OPEN",
            Self::Closing => "CLOSING",
            Self::Frozen => "REFWAIT",
            Self::Closed => "CLOSED",
        }
    }
}

/// What happened and what the machine did, e.g. `no TPDU arrived within the inactivity time;
/// sent DR reason 0x00 (reason not specified)`.
impl core::fmt::Display for DisconnectCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Peer(r) => write!(f, "the peer disconnected with DR reason {r}; sent DC"),
            Self::Refused(r) => write!(f, "the peer refused our CR with DR reason {r}"),
            Self::PeerError(c) => write!(f, "the peer sent ER cause {c}"),
            Self::RetryLimit => f.write_str(
                "gave up: a TPDU was sent the maximum number of times without an answer",
            ),
            Self::Inactivity => write!(
                f,
                "no TPDU arrived within the inactivity time; sent DR reason {}",
                DisconnectReason::NOT_SPECIFIED
            ),
            Self::ProtocolError(why) => write!(
                f,
                "protocol error: {why}; sent DR reason {}",
                DisconnectReason::PROTOCOL_ERROR
            ),
            Self::NegotiationFailed => write!(
                f,
                "the peer's CC does not answer our CR (X.224 Tables 3 and 4); sent DR reason {}",
                DisconnectReason::NEGOTIATION_FAILED
            ),
        }
    }
}
