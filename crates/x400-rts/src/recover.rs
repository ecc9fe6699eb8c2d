//! `SessionConnectionIdentifier`, the value a `recover` carries (X.410 (1984) as in ISODE's
//! acsap/acsold.py; X.228's `CallingSSuserReference` adds the OCTET STRING form).

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
/// three parts octet for octet against connections it keeps recovery state for.
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

impl core::fmt::Display for SessionConnectionIdentifier {
    /// `calling/common/additional` (the last part only when present), each part as text when
    /// it is printable ASCII and as hex otherwise: how operators compare the identifiers
    /// two MTAs logged.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        part(f, self.calling_ss_user_reference.as_bytes())?;
        f.write_str("/")?;
        part(f, self.common_reference.as_bytes())?;
        if let Some(a) = &self.additional_reference_information {
            f.write_str("/")?;
            part(f, a.as_bytes())?;
        }
        Ok(())
    }
}

/// One part of an identifier: text if printable ASCII (and no `/`), else `0x` and hex.
fn part(f: &mut core::fmt::Formatter<'_>, b: &[u8]) -> core::fmt::Result {
    match core::str::from_utf8(b) {
        Ok(t) if b.iter().all(|c| (0x20..0x7F).contains(c) && *c != b'/') => f.write_str(t),
        _ => {
            f.write_str("0x")?;
            b.iter().try_for_each(|c| write!(f, "{c:02x}"))
        }
    }
}

impl SessionConnectionIdentifier {
    /// Most octets of additional reference information: X.225 8.3.1 (CONNECT SPDU, PGI
    /// Connection Identifier) allows 4 in PI 12.
    pub const MAX_ADDITIONAL_REFERENCE_LEN: usize = 4;

    /// Characters an additional reference made by [`Self::additional_reference`] uses.
    const REFERENCE_CHARS: &'static [u8; 62] =
        b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// An additional reference information of four printable characters (digits and Latin
    /// letters, which T.61 and T.50 share) that stands for `n`: distinct for any 62⁴ =
    /// 14,776,336 successive values.
    ///
    /// The value is a T61String (X.410 `AdditionalReferenceInformation`, mirrored in session
    /// PI 12), so it should be text: octets such as `00` make strict decoders (tshark among
    /// them) report stray characters, and a strict peer may refuse the `recover`.
    #[must_use]
    pub fn additional_reference(n: u32) -> T61String {
        let mut out = [0u8; Self::MAX_ADDITIONAL_REFERENCE_LEN];
        let mut rest = n;
        for c in out.iter_mut().rev() {
            // `rest % 62` < 62 = the table's length.
            *c = Self::REFERENCE_CHARS
                .get((rest % 62) as usize)
                .copied()
                .unwrap_or(b'0');
            rest /= 62;
        }
        T61String::new(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn an_additional_reference_is_four_printable_characters() {
        assert_eq!(
            SessionConnectionIdentifier::additional_reference(0).as_bytes(),
            b"0000"
        );
        assert_eq!(
            SessionConnectionIdentifier::additional_reference(62 + 7).as_bytes(),
            b"0017"
        );
        for n in [1, 61, 62 * 62 * 62 * 62 - 1, 0x1234_5678, u32::MAX] {
            let r = SessionConnectionIdentifier::additional_reference(n);
            assert_eq!(r.as_bytes().len(), 4);
            assert!(r.as_bytes().iter().all(u8::is_ascii_alphanumeric), "{r:?}");
        }
        let start = 0xFFFF_0000u32;
        let distinct: alloc::collections::BTreeSet<alloc::vec::Vec<u8>> = (0..5000u32)
            .map(|n| {
                SessionConnectionIdentifier::additional_reference(start.wrapping_add(n))
                    .as_bytes()
                    .to_vec()
            })
            .collect();
        assert_eq!(distinct.len(), 5000, "successive values are distinct");
    }

    #[test]
    fn an_identifier_displays_as_text_or_hex() {
        let mut id = SessionConnectionIdentifier {
            calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("rtf")),
            common_reference: UtcTimeOctets::from("261206011904Z"),
            additional_reference_information: Some(T61String::from("0a1B")),
        };
        assert_eq!(id.to_string(), "rtf/261206011904Z/0a1B");
        id.additional_reference_information = Some(T61String::new([0x56, 0x74, 0, 1]));
        assert_eq!(id.to_string(), "rtf/261206011904Z/0x56740001");
        id.additional_reference_information = None;
        id.calling_ss_user_reference = CallingSsUserReference::Octets(b"a/b"[..].into());
        assert_eq!(id.to_string(), "0x612f62/261206011904Z");
    }
}
