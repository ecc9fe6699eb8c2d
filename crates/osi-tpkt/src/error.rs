//! The one error type of this crate.

/// What went wrong while decoding or encoding a TPKT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The first octet is not 3 (RFC 1006 §6 defines version 3 only).
    #[error("TPKT version {0} is not supported: only version 3 is defined (RFC 1006 §6)")]
    UnsupportedVersion(u8),
    /// The packet length is below 7, the header plus the shortest TPDU (RFC 1006 §6).
    #[error("TPKT length {0} is below the minimum of 7 (header and shortest TPDU, RFC 1006 §6)")]
    LengthTooSmall(u16),
    /// The packet length exceeds a maximum the receiver configured.
    #[error("TPKT length {len} exceeds the configured maximum of {max}")]
    FrameTooLarge {
        /// Packet length announced by the header.
        len: usize,
        /// Configured maximum packet length.
        max: usize,
    },
    /// A payload to encode is outside 3..=65531 octets.
    #[error("a TPKT carries 3 to 65531 octets of TPDU, not {0}")]
    PayloadLength(usize),
    /// The output buffer is shorter than the encoding.
    #[error("buffer too small: need {needed} octets, have {available}")]
    BufferTooSmall {
        /// Octets the encoding needs.
        needed: usize,
        /// Octets the buffer has.
        available: usize,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
