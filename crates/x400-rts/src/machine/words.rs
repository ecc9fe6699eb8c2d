//! Plain words for a log line: why an association ended ([`AbortCause`]) or was refused
//! ([`Refusal`]). Each is one line that says what happened and what this side did.

use core::fmt;

use osi_session::Reason;
use osi_session::machine::AbortCause as SessionAbort;

use super::{AbortCause, Refusal};

/// E.g. `the peer aborted the association with reason protocolError(4): the protocol was
/// broken`.
impl fmt::Display for AbortCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AbortCause::Peer(Some(r)) => {
                write!(f, "the peer aborted the association with reason {r}")
            }
            AbortCause::Peer(None) => {
                f.write_str("the peer aborted the association without a reason")
            }
            AbortCause::Protocol(why) => {
                write!(
                    f,
                    "RTS protocol error (X.410): {why}; this side ended the association"
                )
            }
            AbortCause::BadPdu(why) => write!(
                f,
                "a PDU from the peer did not decode: {why}; this side ended the association"
            ),
            AbortCause::Local(r) => {
                write!(
                    f,
                    "this side's user aborted the association: sent AB with reason {r}"
                )
            }
            // The session machine sent the AB; its words say which.
            AbortCause::Session(rule) => write!(f, "{}", SessionAbort::ProtocolError(*rule)),
            AbortCause::Provider => f.write_str(
                "the peer's session entity aborted the connection (a provider abort, not an RTS one)",
            ),
        }
    }
}

/// E.g. `the responder refused the association with PRefuse validationFailure(2): ...`.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::Rts(r) => write!(f, "the responder refused the association with PRefuse {r}"),
            Refusal::Session(code) => write!(
                f,
                "the responder refused the session connection with RF reason code {code} ({}) \
                 and no PRefuse this side could read",
                Reason::refuse_text(code)
            ),
        }
    }
}
