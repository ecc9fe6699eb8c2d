//! Why a user request or a call was refused. A refused request sends nothing and leaves
//! the machine unchanged (X.225 A.4.1.1: an invalid request is a local matter).

use super::State;
use crate::{Requirements, TokenItem};

/// A refused request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is not valid in this state (a blank cell of X.225 Annex A).
    #[error("{request} is not valid in state {state} (X.225 Annex A)")]
    State {
        /// The request.
        request: &'static str,
        /// The current state.
        state: State,
    },
    /// The request needs a functional unit that was not selected.
    #[error("{request} needs the functional unit {unit}, which was not selected")]
    FunctionalUnit {
        /// The request.
        request: &'static str,
        /// The functional unit missing.
        unit: Requirements,
    },
    /// The request needs tokens this side does not hold (or holds tokens it must not).
    #[error("{request} needs the tokens {tokens} placed otherwise")]
    Tokens {
        /// The request.
        request: &'static str,
        /// The tokens concerned.
        tokens: TokenItem,
    },
    /// The request is valid only inside (or only outside) an activity.
    #[error("{request} is not valid {} an activity", if *in_progress { "inside" } else { "outside" })]
    Activity {
        /// The request.
        request: &'static str,
        /// Whether an activity is in progress.
        in_progress: bool,
    },
    /// A serial number outside the range the request allows (e.g. a minor sync response
    /// for a point that is not outstanding, or V(M) beyond the largest serial number).
    #[error("{request}: serial number {serial} is out of range")]
    Serial {
        /// The request.
        request: &'static str,
        /// The serial number.
        serial: u64,
    },
    /// A parameter that X.225 does not allow here (a reason code, a token setting, ...).
    #[error("{request}: {why}")]
    Parameter {
        /// The request.
        request: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// The SPDU would break an encoding rule, e.g. too much user data for the version.
    #[error("cannot encode the SPDU: {0}")]
    Encode(crate::Error),
    /// The transmit buffer cannot hold the TSDU: call `poll_transmit` first.
    #[error("transmit buffer full: {needed} octets needed, {available} free")]
    TransmitFull {
        /// Octets needed.
        needed: usize,
        /// Octets free.
        available: usize,
    },
    /// Events are waiting and the receive buffer or event queue is too full to take a TSDU
    /// safely: drain `poll_event` first (the TSDU was not consumed).
    #[error("events are pending: drain poll_event before the next TSDU")]
    EventsPending,
}

/// `Result` with the machine's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
