//! The `open` user data of ISODE's rtf: who is sending which file.
//!
//! ```text
//! SEQUENCE { [0] IMPLICIT OCTET STRING -- user,
//!            [1] IMPLICIT OCTET STRING -- password,
//!            [2] IMPLICIT OCTET STRING -- file name }
//! ```
//! On the wire: `30 LL 80 .. user 81 .. password 82 .. name`.

use rasn::types::OctetString;
// The derived SEQUENCE decoder calls `Decoder` methods unqualified.
use rasn::Decoder as _;
use rasn::{AsnType, Decode, Encode};

/// The application protocol number ISODE's rtf puts in PConnect.
pub const APPLICATION_PROTOCOL: u32 = 132;

/// The user rtf sends when none is given, as ISODE's does.
pub const DEFAULT_USER: &str = "ftp";

/// The rtf open data.
#[derive(AsnType, Encode, Decode, Debug, Clone, PartialEq, Eq)]
pub struct OpenData {
    /// The user name.
    #[rasn(tag(context, 0))]
    pub user: OctetString,
    /// The password (empty by default).
    #[rasn(tag(context, 1))]
    pub password: OctetString,
    /// The file name to store under.
    #[rasn(tag(context, 2))]
    pub file: OctetString,
}

impl OpenData {
    /// The BER encoding.
    pub fn encode(&self) -> Vec<u8> {
        // Three octet strings in a SEQUENCE always encode.
        rasn::ber::encode(self).unwrap_or_default()
    }

    /// Decodes the `open` data, rejecting trailing octets.
    ///
    /// # Errors
    ///
    /// Octets that are not this SEQUENCE in BER, or that follow it; the message says which.
    pub fn decode(data: &[u8]) -> Result<Self, String> {
        let (v, rest) = rasn::ber::decode_with_remainder::<Self>(data)
            .map_err(|e| format!("the rtf open data is not valid BER: {e}"))?;
        if !rest.is_empty() {
            return Err(format!("{} octets follow the rtf open data", rest.len()));
        }
        Ok(v)
    }

    /// The file name, if it is a plain name: UTF-8, not empty, no path separator, not a
    /// dot name, so that a peer can never write outside the receiving directory.
    pub fn safe_name(&self) -> Option<&str> {
        let name = std::str::from_utf8(&self.file).ok()?;
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\', '\0'])
            && name.len() <= 255;
        plain.then_some(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_isode_rtf_puts_it() {
        let o = OpenData {
            user: OctetString::from_static(b"ftp"),
            password: OctetString::from_static(b""),
            file: OctetString::from_static(b"a.txt"),
        };
        let wire = [
            0x30, 0x0E, 0x80, 0x03, b'f', b't', b'p', 0x81, 0x00, 0x82, 0x05, b'a', b'.', b't',
            b'x', b't',
        ];
        assert_eq!(o.encode(), wire);
        assert_eq!(OpenData::decode(&wire), Ok(o));
        let mut long = wire.to_vec();
        long.push(0);
        assert!(OpenData::decode(&long).is_err());
    }

    #[test]
    fn only_plain_file_names_are_accepted() {
        let with = |name: &'static [u8]| OpenData {
            user: OctetString::from_static(b"ftp"),
            password: OctetString::from(Vec::new()),
            file: OctetString::from_static(name),
        };
        assert_eq!(with(b"report.txt").safe_name(), Some("report.txt"));
        for bad in [
            &b""[..],
            b"../etc/passwd",
            b"a/b",
            b".hidden",
            b"a\\b",
            b"\xff",
        ] {
            assert_eq!(with(bad).safe_name(), None, "{bad:?}");
        }
    }
}
