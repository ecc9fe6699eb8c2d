//! Decoder limits.

pub use osi_sansio::DecodeLimits;
use osi_sansio::ber;

/// The most octets an RTS PDU is decoded from by default: 10 240, the most SS-user data a
/// session CN or AC can carry without Data Overflow (Extended User Data, PGI 194, session
/// version 2; X.225 §8.3.1). RF and AB carry less.
pub const DEFAULT_MAX_PDU_LEN: usize = 10_240;

/// The limits the `decode` functions apply: [`DEFAULT_MAX_PDU_LEN`] octets, and
/// [`DecodeLimits`]' defaults for nesting and the number of values. Raise `max_len` only for
/// a session that reassembles Data Overflow user data.
pub const DEFAULT_LIMITS: DecodeLimits = DecodeLimits::DEFAULT.with_max_len(DEFAULT_MAX_PDU_LEN);

/// Rejects `data` beyond the limits before the BER decoder sees it: too long, nested too
/// deep, or holding too many values. Octets that are not BER are left for the decoder to
/// report in its own words.
pub(crate) fn check(pdu: &'static str, data: &[u8], limits: &DecodeLimits) -> crate::Result<()> {
    if data.len() > limits.max_len {
        return Err(crate::Error::TooLong {
            pdu,
            len: data.len(),
            max: limits.max_len,
        });
    }
    match ber::check(data, limits) {
        Err(e @ (ber::Error::TooDeep { .. } | ber::Error::TooManyElements { .. })) => {
            Err(crate::Error::Shape { pdu, source: e })
        }
        _ => Ok(()),
    }
}
