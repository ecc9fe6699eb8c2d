//! Writing the octets in front of a relayed message's content, and decoding the envelope the
//! splitter hands out.

use alloc::vec::Vec;

use osi_sansio::ber;

use super::wide;
use crate::codec::Pdu;
use crate::mta_abstract_service::MessageTransferEnvelope;
use crate::p1_1984::UmpduEnvelope;

/// A message APDU's length does not fit in 64 bits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a message of {envelope} envelope and {content} content octets is longer than 2^64 - 1 octets"
)]
pub struct PrefixTooLong {
    /// Envelope octets.
    pub envelope: usize,
    /// Content octets.
    pub content: u64,
}

/// The octets that precede the content octets of a message APDU we send:
/// `A0 len { envelope, 04 len }`, with definite lengths in their shortest form (X.690 8.1.3.3
/// and 10.1). A relayed message is this followed by the content octets, unchanged; the
/// octets are the same for a 1984 `UserMPDU` and a 1988 `Message`.
///
/// `envelope` must be one envelope SET TLV, e.g. [`crate::encode`] of a
/// [`MessageTransferEnvelope`] or [`UmpduEnvelope`].
///
/// # Errors
///
/// [`PrefixTooLong`] if the APDU would be longer than `u64::MAX` octets.
pub fn message_prefix(envelope: &[u8], content_len: u64) -> Result<Vec<u8>, PrefixTooLong> {
    let too_long = PrefixTooLong {
        envelope: envelope.len(),
        content: content_len,
    };
    let inner = wide(envelope.len())
        .checked_add(1 + wide(length_octets(content_len).1))
        .and_then(|n| n.checked_add(content_len))
        .ok_or(too_long)?;
    let (outer_len, outer_n) = length_octets(inner);
    let (content_len_octets, content_n) = length_octets(content_len);
    let mut out = Vec::with_capacity(envelope.len() + 2 + outer_n + content_n);
    out.push(0xa0);
    out.extend_from_slice(outer_len.get(..outer_n).unwrap_or_default());
    out.extend_from_slice(envelope);
    out.push(0x04);
    out.extend_from_slice(content_len_octets.get(..content_n).unwrap_or_default());
    Ok(out)
}

/// The shortest definite length octets of `len` (X.690 10.1) and how many there are.
fn length_octets(len: u64) -> ([u8; 9], usize) {
    let mut out = [0u8; 9];
    if len < 0x80 {
        out[0] = len.to_be_bytes()[7];
        return (out, 1);
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let n = 8 - skip;
    out[0] = 0x80 | u8::try_from(n).unwrap_or(0);
    for (dst, src) in out.iter_mut().skip(1).zip(bytes.iter().skip(skip)) {
        *dst = *src;
    }
    (out, n + 1)
}

/// The envelope octets of [`Piece::Envelope`](super::Piece::Envelope) decode as a 1988
/// envelope, strictly.
impl Pdu for MessageTransferEnvelope {
    const NAME: &'static str = "MessageTransferEnvelope";
}

/// The envelope octets of [`Piece::Envelope`](super::Piece::Envelope) decode as a 1984
/// envelope, with the unknown elements the whole MPDU ignores ignored here too.
impl Pdu for UmpduEnvelope {
    const NAME: &'static str = "UMPDUEnvelope";

    fn ignoring_unknown_elements(data: &[u8]) -> Option<Vec<u8>> {
        // The MPDU's filter knows where the envelope's SETs are: wrap the envelope in a user
        // MPDU with empty content, filter that, and take the envelope back out.
        if ber::check(data, &osi_sansio::DecodeLimits::DEFAULT).ok()? != data.len() {
            return None;
        }
        let mut mpdu = message_prefix(data, 0).ok()?;
        let stripped = crate::unknown_elements::strip_mpdu_1984(&mpdu)?;
        mpdu.clear();
        let (outer, _) = ber::read(&stripped).ok()?;
        let (_, rest) = ber::read(outer.contents).ok()?;
        let envelope_len = outer.contents.len() - rest.len();
        mpdu.extend_from_slice(outer.contents.get(..envelope_len)?);
        Some(mpdu)
    }
}
