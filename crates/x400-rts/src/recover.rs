//! `SessionConnectionIdentifier`, the value a `recover` carries (spec rts-p1.md §1.1, §3.9).

use rasn::types::OctetString;
// The derived SEQUENCE decoder calls `Decoder` methods unqualified.
use rasn::Decoder as _;
use rasn::{AsnType, Decode, Encode};

use crate::strings::{T61String, UtcTimeOctets};

/// `CallingSSUserReference`: the initiator's name as it appeared in the lost connection's
/// CN (session PI 10).
///
/// X.410 mode sends a T61String; X.228 also allows an OCTET STRING (normal mode). Both are
/// accepted, primitive or constructed, and the alternative is kept so that the value can be
/// compared with, and re-encoded as, what was sent.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(choice)]
pub enum CallingSsUserReference {
    /// `T61String` (tag 0x14), what X.410 mode sends.
    T61(T61String),
    /// `OCTET STRING` (tag 0x04), X.228 normal mode.
    Octets(OctetString),
}

impl CallingSsUserReference {
    /// The contents octets, whichever alternative carried them.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::T61(s) => s.as_bytes(),
            Self::Octets(o) => o,
        }
    }
}

/// `SessionConnectionIdentifier ::= SEQUENCE { CallingSSUserReference, CommonReference,
/// [0] IMPLICIT AdditionalReferenceInformation OPTIONAL }`.
///
/// In a PConnect it names the session connection that was lost; the responder matches all
/// three parts octet for octet against connections it keeps recovery state for (§3.9 rule 5).
/// On the wire it follows `recover`'s implicit `[1]` directly, without a SEQUENCE tag.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionConnectionIdentifier {
    /// `CallingSSUserReference`: the lost connection's calling SS-user reference.
    pub calling_ss_user_reference: CallingSsUserReference,
    /// `CommonReference ::= UTCTime`: the lost connection's common reference, unparsed.
    pub common_reference: UtcTimeOctets,
    /// `[0] IMPLICIT AdditionalReferenceInformation` (a T61String), if the lost connection had
    /// one.
    #[rasn(tag(context, 0))]
    pub additional_reference_information: Option<T61String>,
}
