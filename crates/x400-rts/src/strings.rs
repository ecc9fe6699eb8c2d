//! The character-string leaves of the RTS PDUs, kept as the octets that were sent.
//!
//! rasn's `TeletexString` stores 4-octet characters and rejects ordinary T.61 text such as
//! `14 03 41 42 43` (checked with rasn 0.28.15). T.61 octets are not Unicode anyway, so a
//! T61String is carried here as its contents octets under the universal tag 20. UTCTime is
//! carried the same way: ISODE 8.0 sends years like `126` (a 3-digit year from `tm_year`,
//! `1261122140707Z` in 2026), and recovery only ever compares these values octet for octet,
//! so parsing them would only add ways to fail.

use alloc::vec::Vec;

use rasn::types::OctetString;
use rasn::{AsnType, Decode, Encode};

/// `T61String` (= X.680 TeletexString, universal 20): the contents octets, primitive or
/// constructed on receipt, primitive when sent.
#[derive(AsnType, Decode, Encode, Clone, PartialEq, Eq, Hash, Default)]
#[rasn(delegate, tag(universal, 20))]
pub struct T61String(pub OctetString);

/// `UTCTime` (universal 23) as its contents octets, never parsed: see the module doc.
#[derive(AsnType, Decode, Encode, Clone, PartialEq, Eq, Hash, Default)]
#[rasn(delegate, tag(universal, 23))]
pub struct UtcTimeOctets(pub OctetString);

macro_rules! octets_api {
    ($name:ident) => {
        impl $name {
            /// The value from its contents octets.
            #[must_use]
            pub fn new(octets: impl Into<Vec<u8>>) -> Self {
                Self(OctetString::from(octets.into()))
            }

            /// The contents octets.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::new(s.as_bytes())
            }
        }

        impl core::fmt::Debug for $name {
            // Printable ASCII as text, anything else as hex: these are names and times that
            // are ASCII in practice, but T.61 allows other octets.
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let b = self.as_bytes();
                if b.iter().all(|c| (0x20..0x7f).contains(c)) {
                    write!(
                        f,
                        "{}({:?})",
                        stringify!($name),
                        core::str::from_utf8(b).unwrap_or_default()
                    )
                } else {
                    write!(f, "{}(0x", stringify!($name))?;
                    for c in b {
                        write!(f, "{c:02x}")?;
                    }
                    write!(f, ")")
                }
            }
        }
    };
}

octets_api!(T61String);
octets_api!(UtcTimeOctets);

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn t61_string_of_any_length_decodes_and_re_encodes_byte_exactly() {
        // The pitfall: rasn's TeletexString rejects this 3-octet value.
        let s: T61String = rasn::ber::decode(&hex!("14 03 41 42 43")).unwrap();
        assert_eq!(s.as_bytes(), b"ABC");
        assert_eq!(rasn::ber::encode(&s).unwrap(), hex!("14 03 41 42 43"));
    }

    #[test]
    fn constructed_t61_string_is_accepted() {
        // X.690 §8.23.6: a constructed string is the concatenation of its segments.
        let s: T61String = rasn::ber::decode(&hex!("34 07 04 01 41 04 02 42 43")).unwrap();
        assert_eq!(s.as_bytes(), b"ABC");
        let s: T61String = rasn::ber::decode(&hex!("34 80 04 01 41 04 02 42 43 00 00")).unwrap();
        assert_eq!(s.as_bytes(), b"ABC");
    }

    #[test]
    fn non_ascii_t61_octets_are_kept() {
        let s: T61String = rasn::ber::decode(&hex!("14 02 c1 41")).unwrap();
        assert_eq!(s.as_bytes(), &hex!("c1 41"));
    }

    #[test]
    fn malformed_utc_time_is_kept_as_sent() {
        // ISODE after 1999: a 3-digit year. Invalid UTCTime, but only ever compared.
        let t: UtcTimeOctets =
            rasn::ber::decode(&hex!("17 0e 31 32 36 31 31 32 32 31 34 30 37 30 37 5a")).unwrap();
        assert_eq!(t.as_bytes(), b"1261122140707Z");
    }
}
