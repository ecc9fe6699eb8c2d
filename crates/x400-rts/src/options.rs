//! Decoder limits.

/// The default for [`DecodeOptions::max_len`]: 10 240 octets, the most SS-user data a session
/// CN or AC can carry without Data Overflow (Extended User Data, PGI 194, session version 2;
/// X.225 §8.3.1.20). RF and AB carry less.
pub const DEFAULT_MAX_PDU_LEN: usize = 10_240;

/// Limits applied while decoding. Nesting depth is bounded by rasn (128 levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Longest input accepted, in octets; longer input is
    /// [`Error::TooLong`](crate::Error::TooLong) before any decoding. Raise it only for a
    /// session that reassembles Data Overflow user data.
    pub max_len: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            max_len: DEFAULT_MAX_PDU_LEN,
        }
    }
}

impl DecodeOptions {
    /// Rejects `data` longer than the limit.
    pub(crate) fn check_len(&self, pdu: &'static str, data: &[u8]) -> crate::Result<()> {
        if data.len() > self.max_len {
            return Err(crate::Error::TooLong {
                pdu,
                len: data.len(),
                max: self.max_len,
            });
        }
        Ok(())
    }
}
