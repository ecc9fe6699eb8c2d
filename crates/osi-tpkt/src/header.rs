//! The 4-octet TPKT header (RFC 1006 §6).

use crate::{Error, Result};

/// The only TPKT version (RFC 1006 §6; RFC 2126 keeps it for compatibility).
pub const VERSION: u8 = 3;
/// Length of the header: version, reserved, two octets of packet length.
pub const HEADER_LEN: usize = 1 /* vrsn */ + 1 /* reserved */ + 2 /* packet length */;
/// Smallest packet length: the header plus the 3-octet class 0 DT header (RFC 1006 §6).
pub const MIN_PACKET_LEN: usize = 7;
/// Largest packet length, the range of the 16-bit length field.
pub const MAX_PACKET_LEN: usize = 65535;
/// Smallest TPDU a TPKT carries.
pub const MIN_PAYLOAD_LEN: usize = MIN_PACKET_LEN - HEADER_LEN;
/// Largest TPDU a TPKT carries (65531, the RFC 1006 default maximum TPDU size).
pub const MAX_PAYLOAD_LEN: usize = MAX_PACKET_LEN - HEADER_LEN;

/// A validated TPKT header.
///
/// ```text
/// | vrsn = 3 | reserved | packet length (big-endian, includes these 4 octets) |
/// ```
///
/// INVARIANT: `MIN_PACKET_LEN <= packet_len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    reserved: u8,
    packet_len: u16,
}

impl Header {
    /// The header for a TPDU of `payload_len` octets, with the reserved octet 0.
    ///
    /// # Errors
    ///
    /// [`Error::PayloadLength`] unless `payload_len` is in
    /// `MIN_PAYLOAD_LEN..=MAX_PAYLOAD_LEN`.
    pub fn for_payload(payload_len: usize) -> Result<Self> {
        if !(MIN_PAYLOAD_LEN..=MAX_PAYLOAD_LEN).contains(&payload_len) {
            return Err(Error::PayloadLength(payload_len));
        }
        let packet_len = u16::try_from(payload_len + HEADER_LEN)
            .map_err(|_| Error::PayloadLength(payload_len))?;
        Ok(Self {
            reserved: 0,
            packet_len,
        })
    }

    /// Reads a header from the start of `src`; `Ok(None)` if fewer than 4 octets are present.
    ///
    /// The reserved octet is kept for diagnostics but not judged: RFC 2126 §6.10 says to
    /// ignore it on input.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedVersion`] for a version other than 3, [`Error::LengthTooSmall`]
    /// for a packet length below 7.
    pub fn decode(src: &[u8]) -> Result<Option<Self>> {
        // The version is judged as soon as one octet is there, so a shell reading a stream
        // that is not TPKT fails at once instead of waiting for more.
        let Some(&version) = src.first() else {
            return Ok(None);
        };
        if version != VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let Some(&[_, reserved, hi, lo]) = src.first_chunk::<HEADER_LEN>() else {
            return Ok(None);
        };
        let packet_len = u16::from_be_bytes([hi, lo]);
        if usize::from(packet_len) < MIN_PACKET_LEN {
            return Err(Error::LengthTooSmall(packet_len));
        }
        Ok(Some(Self {
            reserved,
            packet_len,
        }))
    }

    /// Writes the header into the first 4 octets of `dst`, reserved octet 0 (RFC 2126 §4.3).
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`] if `dst` is shorter than [`HEADER_LEN`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let available = dst.len();
        let out = dst
            .first_chunk_mut::<HEADER_LEN>()
            .ok_or(Error::BufferTooSmall {
                needed: HEADER_LEN,
                available,
            })?;
        let [hi, lo] = self.packet_len.to_be_bytes();
        *out = [VERSION, 0, hi, lo];
        Ok(HEADER_LEN)
    }

    /// The reserved octet as received (always 0 in a header this crate built).
    pub fn reserved(&self) -> u8 {
        self.reserved
    }

    /// Length of the whole TPKT, header included.
    pub fn packet_len(&self) -> usize {
        usize::from(self.packet_len)
    }

    /// Length of the TPDU that follows the header.
    pub fn payload_len(&self) -> usize {
        // INVARIANT: packet_len >= MIN_PACKET_LEN > HEADER_LEN.
        usize::from(self.packet_len) - HEADER_LEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_needs_four_octets() {
        assert_eq!(Header::decode(&[]), Ok(None));
        assert_eq!(Header::decode(&[3, 0, 0]), Ok(None));
    }

    #[test]
    fn reject_wrong_version_from_first_octet() {
        assert_eq!(Header::decode(&[2]), Err(Error::UnsupportedVersion(2)));
        assert_eq!(
            Header::decode(&[0x16, 0x03, 0x01, 0x00]),
            Err(Error::UnsupportedVersion(0x16))
        );
    }

    #[test]
    fn reject_len_lt_7() {
        for len in 0..7u16 {
            let [hi, lo] = len.to_be_bytes();
            assert_eq!(
                Header::decode(&[3, 0, hi, lo]),
                Err(Error::LengthTooSmall(len))
            );
        }
        assert_eq!(
            Header::decode(&[3, 0, 0, 7]).map(|h| h.map(|h| h.payload_len())),
            Ok(Some(3))
        );
    }

    #[test]
    fn maximum_length() {
        let h = Header::decode(&[3, 0, 0xff, 0xff]).unwrap().unwrap();
        assert_eq!(
            (h.packet_len(), h.payload_len()),
            (MAX_PACKET_LEN, MAX_PAYLOAD_LEN)
        );
        assert_eq!(Header::for_payload(MAX_PAYLOAD_LEN), Ok(h));
        assert_eq!(
            Header::for_payload(MAX_PAYLOAD_LEN + 1),
            Err(Error::PayloadLength(65532))
        );
        assert_eq!(Header::for_payload(2), Err(Error::PayloadLength(2)));
    }

    #[test]
    fn encode_writes_reserved_zero_even_if_received_nonzero() {
        let h = Header::decode(&[3, 0xff, 0, 7]).unwrap().unwrap();
        assert_eq!(h.reserved(), 0xff);
        let mut out = [0xa5; 5];
        assert_eq!(h.encode(&mut out), Ok(4));
        assert_eq!(out, [3, 0, 0, 7, 0xa5]);
    }

    #[test]
    fn encode_into_short_buffer_fails() {
        let h = Header::for_payload(3).unwrap();
        assert_eq!(
            h.encode(&mut [0; 3]),
            Err(Error::BufferTooSmall {
                needed: 4,
                available: 3
            })
        );
    }
}
