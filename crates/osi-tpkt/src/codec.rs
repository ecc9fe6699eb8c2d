//! `tokio_util::codec` framing for async shells (feature `tokio`).

use bytes::{Buf, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::{Error, Frame, HEADER_LEN, Header, MAX_PACKET_LEN};

/// Frames a TCP stream into TPDUs: the decoder yields each TPKT's payload, the encoder wraps
/// a TPDU in a TPKT with the reserved octet 0.
///
/// All checks are those of [`Header::decode`], plus a maximum packet length so that a peer
/// cannot make the shell buffer more than it is willing to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpktCodec {
    max_packet_len: usize,
}

impl TpktCodec {
    /// Default maximum packet length: [`MAX_PACKET_LEN`], every TPKT the format can express.
    pub const DEFAULT_MAX_PACKET_LEN: usize = MAX_PACKET_LEN;

    /// A codec accepting packets up to [`TpktCodec::DEFAULT_MAX_PACKET_LEN`].
    pub fn new() -> Self {
        Self {
            max_packet_len: Self::DEFAULT_MAX_PACKET_LEN,
        }
    }

    /// A codec refusing packets (header included) longer than `max_packet_len`.
    pub fn with_max_packet_len(max_packet_len: usize) -> Self {
        Self { max_packet_len }
    }

    /// The configured maximum packet length.
    pub fn max_packet_len(&self) -> usize {
        self.max_packet_len
    }
}

impl Default for TpktCodec {
    fn default() -> Self {
        Self::new()
    }
}

/// Error of [`TpktCodec`]: the stream failed, or it is not valid TPKT.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// Reading or writing the socket failed.
    #[error("reading or writing the connection failed: {0}")]
    Io(#[from] std::io::Error),
    /// The peer sent bytes that are not a valid TPKT, or a TPDU cannot be framed.
    #[error(transparent)]
    Tpkt(#[from] Error),
}

impl Decoder for TpktCodec {
    type Item = BytesMut;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, CodecError> {
        let Some(header) = Header::decode(src)? else {
            return Ok(None);
        };
        let len = header.packet_len();
        if len > self.max_packet_len {
            return Err(Error::FrameTooLarge {
                len,
                max: self.max_packet_len,
            }
            .into());
        }
        if src.len() < len {
            src.reserve(len - src.len());
            return Ok(None);
        }
        let mut frame = src.split_to(len);
        frame.advance(HEADER_LEN);
        Ok(Some(frame))
    }
}

impl Encoder<&[u8]> for TpktCodec {
    type Error = CodecError;

    fn encode(&mut self, tpdu: &[u8], dst: &mut BytesMut) -> Result<(), CodecError> {
        let frame = Frame::new(tpdu)?;
        if frame.encoded_len() > self.max_packet_len {
            return Err(Error::FrameTooLarge {
                len: frame.encoded_len(),
                max: self.max_packet_len,
            }
            .into());
        }
        dst.reserve(frame.encoded_len());
        frame.encode_to(dst)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use hex_literal::hex;

    use super::*;

    #[test]
    fn decodes_split_and_joined_frames() {
        let mut codec = TpktCodec::new();
        let mut buf = BytesMut::from(&hex!("03 11 00 0b 06 d0 00 01 00 02")[..]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(&hex!("00 03 00 00 07 02 f0 80"));
        assert_eq!(
            &codec.decode(&mut buf).unwrap().unwrap()[..],
            &hex!("06 d0 00 01 00 02 00")
        );
        assert_eq!(
            &codec.decode(&mut buf).unwrap().unwrap()[..],
            &hex!("02 f0 80")
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn refuses_frames_above_the_maximum_before_buffering_them() {
        let mut codec = TpktCodec::with_max_packet_len(1024);
        let mut buf = BytesMut::from(&hex!("03 00 04 01")[..]);
        match codec.decode(&mut buf) {
            Err(CodecError::Tpkt(Error::FrameTooLarge {
                len: 1025,
                max: 1024,
            })) => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bad_version_is_an_error() {
        let mut buf = BytesMut::from(&b"GET / HTTP/1.1\r\n"[..]);
        assert!(matches!(
            TpktCodec::new().decode(&mut buf),
            Err(CodecError::Tpkt(Error::UnsupportedVersion(b'G')))
        ));
    }

    #[test]
    fn encodes_with_reserved_zero() {
        let mut out = BytesMut::new();
        TpktCodec::new()
            .encode(&hex!("06 d0 00 01 00 02 00")[..], &mut out)
            .unwrap();
        assert_eq!(&out[..], &hex!("03 00 00 0b 06 d0 00 01 00 02 00"));
        assert!(TpktCodec::new().encode(&[1u8, 2][..], &mut out).is_err());
    }
}
