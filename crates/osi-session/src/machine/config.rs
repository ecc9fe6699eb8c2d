//! Settings of a session protocol machine: every limit is named here with its default.

use core::time::Duration;

use crate::Version;

/// Which side of the transport connection this machine is.
///
/// X.225 §6.1: only the transport-connection initiator sends CN, so the session initiator
/// is always the transport initiator; the role also breaks ties in collisions (the session
/// initiator's RS wins, the transport initiator answers a release collision first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Opened the transport connection; sends CN.
    Initiator,
    /// Accepted the transport connection; waits for CN.
    Responder,
}

/// Configuration of a [`crate::machine::Session`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Protocol versions this side supports. Default: version 1 and 2 (`0x03`), which is
    /// what X.225 advises proposing and what 1980s X.400 peers (version 1) accept.
    pub versions: Version,
    /// Timer TIM: how long to wait for the transport to close (or for AA) after sending AB,
    /// RF or DN before asking the caller to close it. X.225 leaves the value local.
    /// Default: 30 seconds.
    pub tim: Duration,
    /// Whether to announce Protocol Options bit 1 (able to receive extended concatenation,
    /// X.225 Table 8). The machine itself always sends basic concatenation. Default: false.
    pub extended_concatenation: bool,
    /// Whether the transport connection has expedited data (TEXP): only then is the
    /// Expedited Data functional unit proposed or accepted, and EX sent and taken on the
    /// transport expedited flow. TP0 over RFC 1006 has it only when the CR/CC negotiated
    /// it, so the shell sets this from the transport. Default: false.
    ///
    /// It also switches on PREPARE (X.225 Annex A, TEXP true): PR goes out on the
    /// expedited flow ahead of MAA, AEA, RS, AI, AD, RA, AIA, ADA and AB, a received PR
    /// leads to STA15A–D or STA06, those SPDUs without their PR are protocol errors, and a
    /// received AB is answered by closing the transport instead of AA (p02 needs ¬TEXP).
    /// Both sides must agree: set it exactly when the transport connection has expedited
    /// data. A PR takes a slot of the expedited queue
    /// ([`crate::machine::MAX_EXPEDITED_QUEUED`]); a request that needs one while the queue
    /// is full is refused with [`crate::machine::Error::TransmitFull`].
    pub transport_expedited: bool,
}

impl Config {
    /// Default TIM.
    pub const DEFAULT_TIM: Duration = Duration::from_secs(30);

    /// The defaults listed on each field.
    pub const fn new() -> Self {
        Self {
            versions: Version(Version::V1 | Version::V2),
            tim: Self::DEFAULT_TIM,
            extended_concatenation: false,
            transport_expedited: false,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}
