//! One TPKT: header plus the TPDU it carries, and an iterator over a stream of them.

use crate::{Error, HEADER_LEN, Header, Result};

/// One TPKT borrowed from the input: the header and the TPDU octets.
///
/// INVARIANT: `payload.len() == header.payload_len()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame<'a> {
    header: Header,
    payload: &'a [u8],
}

impl<'a> Frame<'a> {
    /// A frame carrying `payload` (one TPDU), reserved octet 0.
    ///
    /// # Errors
    ///
    /// [`Error::PayloadLength`] unless the payload is 3 to 65531 octets long.
    pub fn new(payload: &'a [u8]) -> Result<Self> {
        Ok(Self {
            header: Header::for_payload(payload.len())?,
            payload,
        })
    }

    /// Decodes the first frame of a byte stream.
    ///
    /// Returns `Ok(None)` when `src` holds only part of a frame ("need more"), or the frame
    /// and the number of octets it used. Octets after the frame are never read.
    ///
    /// # Errors
    ///
    /// Those of [`Header::decode`]. After an error the stream cannot be resynchronised; the
    /// connection should be closed.
    pub fn decode(src: &'a [u8]) -> Result<Option<(Self, usize)>> {
        let Some(header) = Header::decode(src)? else {
            return Ok(None);
        };
        let Some(payload) = src.get(HEADER_LEN..header.packet_len()) else {
            return Ok(None);
        };
        Ok(Some((Self { header, payload }, header.packet_len())))
    }

    /// The header.
    pub fn header(&self) -> Header {
        self.header
    }

    /// The reserved octet as received; RFC 2126 §6.10: ignored on input.
    pub fn reserved(&self) -> u8 {
        self.header.reserved()
    }

    /// The TPDU octets.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Octets [`Frame::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        self.header.packet_len()
    }

    /// Writes the frame (reserved octet 0) to the start of `dst`; returns octets written.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`] if `dst` is shorter than [`Frame::encoded_len`]; nothing
    /// is written then.
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let needed = self.encoded_len();
        let available = dst.len();
        let out = dst
            .get_mut(..needed)
            .ok_or(Error::BufferTooSmall { needed, available })?;
        let (head, body) = out.split_at_mut(HEADER_LEN);
        self.header.encode(head)?;
        body.copy_from_slice(self.payload);
        Ok(needed)
    }

    /// Appends the frame to `v`.
    #[cfg(feature = "alloc")]
    pub fn encode_to_vec(&self, v: &mut alloc::vec::Vec<u8>) {
        let start = v.len();
        v.resize(start + self.encoded_len(), 0);
        // The slice was just sized to encoded_len, the only failure of encode.
        if let Some(tail) = v.get_mut(start..) {
            let _ = self.encode(tail);
        }
    }

    /// Appends the frame to any [`bytes::BufMut`].
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`] if `dst.remaining_mut()` is below [`Frame::encoded_len`];
    /// nothing is written then (a full `BufMut` would otherwise panic).
    #[cfg(feature = "bytes")]
    pub fn encode_to<B: bytes::BufMut>(&self, dst: &mut B) -> Result<()> {
        let needed = self.encoded_len();
        if dst.remaining_mut() < needed {
            return Err(Error::BufferTooSmall {
                needed,
                available: dst.remaining_mut(),
            });
        }
        let mut head = [0; HEADER_LEN];
        self.header.encode(&mut head)?;
        dst.put_slice(&head);
        dst.put_slice(self.payload);
        Ok(())
    }
}

/// The complete frames at the start of a buffer, in order, without allocation.
///
/// Stops at the first partial frame; [`Frames::rest`] then holds the octets to keep for the
/// next read. After an error it yields nothing more.
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Frames<'a> {
    /// Iterates over the frames in `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            rest: buf,
            failed: false,
        }
    }

    /// Octets not yet returned as frames (a partial frame, or what follows an error).
    pub fn rest(&self) -> &'a [u8] {
        self.rest
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<Frame<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match Frame::decode(self.rest) {
            Ok(Some((frame, used))) => {
                self.rest = self.rest.get(used..).unwrap_or_default();
                Some(Ok(frame))
            }
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::std_instead_of_alloc)] // tests always have std
mod tests {
    use hex_literal::hex;

    use super::*;

    /// A class 0 CC (X.224 13.4) whose TPKT reserved octet is 0x11, as a peer may send.
    const CC_RESERVED_11: [u8; 11] = hex!("03 11 00 0b 06 d0 00 01 00 02 00");

    #[test]
    fn decode_cc_with_reserved_0x11() {
        let (frame, used) = Frame::decode(&CC_RESERVED_11).unwrap().unwrap();
        assert_eq!(used, 11);
        assert_eq!(frame.reserved(), 0x11);
        assert_eq!(frame.payload(), &hex!("06 d0 00 01 00 02 00"));
    }

    #[test]
    fn reencode_sends_reserved_zero() {
        let (frame, _) = Frame::decode(&CC_RESERVED_11).unwrap().unwrap();
        let mut out = [0xa5; 12];
        assert_eq!(frame.encode(&mut out), Ok(11));
        assert_eq!(out, hex!("03 00 00 0b 06 d0 00 01 00 02 00 a5"));
    }

    #[test]
    fn decode_minimum_and_maximum() {
        let min = hex!("03 00 00 07 02 f0 80");
        assert_eq!(Frame::decode(&min).unwrap().unwrap().0.payload(), &min[4..]);
        let mut max = std::vec![0u8; 65535 + 3];
        max[..4].copy_from_slice(&[3, 0, 0xff, 0xff]);
        let (frame, used) = Frame::decode(&max).unwrap().unwrap();
        assert_eq!((frame.payload().len(), used), (65531, 65535));
    }

    #[test]
    fn partial_frames_need_more() {
        for cut in 0..CC_RESERVED_11.len() {
            assert_eq!(
                Frame::decode(&CC_RESERVED_11[..cut]),
                Ok(None),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn never_reads_past_the_frame() {
        let mut two = std::vec::Vec::from(CC_RESERVED_11);
        two.extend_from_slice(&[0xff, 0xff]); // garbage after the frame is not looked at
        let (frame, used) = Frame::decode(&two).unwrap().unwrap();
        assert_eq!((frame.payload().len(), used), (7, 11));
    }

    #[test]
    fn errors_for_bad_headers() {
        assert_eq!(
            Frame::decode(&hex!("02 00 00 07 02 f0 80")),
            Err(Error::UnsupportedVersion(2))
        );
        assert_eq!(
            Frame::decode(&hex!("03 00 00 06 02 f0")),
            Err(Error::LengthTooSmall(6))
        );
    }

    #[test]
    fn iterate_several_frames_and_keep_partial() {
        let stream = hex!("03 00 00 07 02 f0 80  03 11 00 08 02 f0 80 41  03 00 00 07 02");
        let mut frames = Frames::new(&stream);
        assert_eq!(frames.next().unwrap().unwrap().payload(), &hex!("02 f0 80"));
        assert_eq!(
            frames.next().unwrap().unwrap().payload(),
            &hex!("02 f0 80 41")
        );
        assert!(frames.next().is_none());
        assert_eq!(frames.rest(), &hex!("03 00 00 07 02"));
    }

    #[test]
    fn iteration_stops_after_an_error() {
        let stream = hex!("03 00 00 07 02 f0 80  04 00 00 07 02 f0 80  03 00 00 07 02 f0 80");
        let mut frames = Frames::new(&stream);
        assert!(frames.next().unwrap().is_ok());
        assert_eq!(frames.next(), Some(Err(Error::UnsupportedVersion(4))));
        assert_eq!(frames.next(), None);
        assert_eq!(frames.rest().len(), 14);
    }

    #[test]
    fn new_rejects_payload_lengths() {
        assert_eq!(Frame::new(&[2, 0xf0]), Err(Error::PayloadLength(2)));
        let big = std::vec![0u8; 65532];
        assert_eq!(Frame::new(&big), Err(Error::PayloadLength(65532)));
    }

    #[test]
    fn encode_into_short_buffer_fails_and_writes_nothing() {
        let frame = Frame::new(&hex!("02 f0 80")).unwrap();
        let mut out = [0xa5; 6];
        assert_eq!(
            frame.encode(&mut out),
            Err(Error::BufferTooSmall {
                needed: 7,
                available: 6
            })
        );
        assert_eq!(out, [0xa5; 6]);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn encode_to_vec_appends() {
        let frame = Frame::new(&hex!("02 f0 80")).unwrap();
        let mut v = std::vec![0xee];
        frame.encode_to_vec(&mut v);
        assert_eq!(v, hex!("ee 03 00 00 07 02 f0 80"));
    }

    #[cfg(feature = "bytes")]
    #[test]
    fn encode_to_bufmut_checks_room() {
        let frame = Frame::new(&hex!("02 f0 80")).unwrap();
        let mut v = bytes::BytesMut::new();
        frame.encode_to(&mut v).unwrap();
        assert_eq!(&v[..], &hex!("03 00 00 07 02 f0 80"));
        let mut small = [0u8; 5];
        let mut slice = &mut small[..];
        assert_eq!(
            frame.encode_to(&mut slice),
            Err(Error::BufferTooSmall {
                needed: 7,
                available: 5
            })
        );
    }
}
