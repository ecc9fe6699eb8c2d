//! Plain words for a log line: why the machine aborted ([`Rule`]) and how a connection
//! ended ([`AbortCause`]). Each is one line that says what arrived, which rule of X.225 it
//! broke, and what this machine did.

use core::fmt;

use super::{AbortCause, MAX_EXPEDITED_QUEUED, Rule};
use crate::{Kind, TransportDisconnect};

/// What arrived and which rule it broke, e.g. `MINOR SYNC POINT (MIP) with serial number 7
/// where 5 was the next (X.225 Annex A p19)`.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Rule::Invalid(e) => write!(f, "the TSDU does not decode: {e}"),
            Rule::Unexpected { spdu, state } => write!(
                f,
                "{spdu} is not valid in state {state} (a blank cell of X.225 Annex A)"
            ),
            Rule::FunctionalUnit { spdu } => write!(
                f,
                "{spdu} belongs to a functional unit that was not selected (X.225 Annex A)"
            ),
            Rule::Tokens { spdu, tokens } => write!(
                f,
                "{spdu} needs the tokens {tokens}, which its sender does not hold (X.225 Annex A)"
            ),
            Rule::Activity { spdu, in_progress } => write!(
                f,
                "{spdu} is not valid {} an activity (X.225 Annex A)",
                if in_progress { "inside" } else { "outside" }
            ),
            Rule::SerialNotNext {
                spdu,
                expected,
                received,
            } => write!(
                f,
                "{spdu} with serial number {received} where {expected} was the next \
                 (X.225 Annex A p19)"
            ),
            Rule::SerialNotOutstanding {
                spdu,
                received,
                va,
                vm,
            } => write!(
                f,
                "{spdu} with serial number {received}, which confirms no outstanding point: \
                 V(A) is {va}, V(M) is {vm} (X.225 Annex A p20, p21)"
            ),
            Rule::SerialOutOfRange { spdu, received } => write!(
                f,
                "{spdu} with serial number {received}, above the largest a point may carry, \
                 999998 (X.215 11.4)"
            ),
            Rule::MinorAckDirection => write!(
                f,
                "{} arrived at the side that receives the minor sync points (X.225 Annex A p21)",
                Kind::MinorSyncAck
            ),
            Rule::ResyncSerial { spdu, received } => write!(
                f,
                "{spdu} with serial number {received}, out of range for a resynchronization \
                 (X.225 Annex A p32, p35, p49)"
            ),
            Rule::WrongFlow { spdu, expedited } => write!(
                f,
                "{spdu} arrived on the {} transport flow, which may not carry it (X.225 6.4.4)",
                if expedited { "expedited" } else { "normal" }
            ),
            Rule::ExpeditedBacklog => write!(
                f,
                "more than {MAX_EXPEDITED_QUEUED} {} arrived before the {}",
                Kind::Expedited,
                Kind::Accept
            ),
            Rule::Unprepared { spdu } => write!(
                f,
                "{spdu} arrived without the {} that must precede it under transport expedited \
                 data (X.225 Annex A p16, p35, p38)",
                Kind::Prepare
            ),
            Rule::Negotiation(why) => write!(f, "connection negotiation failed: {why}"),
            Rule::ReleaseCollision => write!(
                f,
                "a {} collided with ours while tokens are available (X.225 Annex A p69)",
                Kind::Finish
            ),
            Rule::ReceiveCapacity { needed, available } => write!(
                f,
                "the user data received needs {needed} octets, the receive buffer has \
                 {available} free"
            ),
        }
    }
}

/// How the connection ended and what this machine did, e.g. `session protocol error: ...;
/// sent AB (protocol error)`.
impl fmt::Display for AbortCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AbortCause::ProtocolError(rule) => {
                let why = if rule
                    .abort_bits()
                    .contains(TransportDisconnect::IMPLEMENTATION_RESTRICTION)
                {
                    "implementation restriction"
                } else {
                    "protocol error"
                };
                write!(f, "session protocol error: {rule}; sent AB ({why})")
            }
            AbortCause::Peer(bits) => write!(
                f,
                "the peer's session entity aborted the connection: AB with transport \
                 disconnect {bits}"
            ),
            AbortCause::TransportLost => f.write_str("the transport connection was lost"),
        }
    }
}
