//! What the vector and encoding tests share.

use osi_session::{Context, Spdu, Tsdu};

/// Decodes a TSDU, checks that it re-encodes to the same octets, and returns its SPDUs.
pub(crate) fn decode_exact(bytes: &[u8], ctx: Context) -> Vec<Spdu<'_>> {
    let t = Tsdu::decode(bytes, ctx).unwrap_or_else(|e| panic!("{e}: {bytes:02x?}"));
    let mut out = vec![0xa5; t.encoded_len().unwrap()];
    assert_eq!(
        t.encode(ctx.extended_concatenation, &mut out),
        Ok(bytes.len())
    );
    assert_eq!(out, bytes, "re-encoding differs");
    t.iter().copied().collect()
}
