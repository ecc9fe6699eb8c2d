//! Writing whole BER encodings into the caller's buffer: the length arithmetic and the
//! cursor that every definite-length encoder of the workspace's codecs needs.
//!
//! The encoders are written "length first": an encoder computes its exact length with the
//! `*_len` functions, [`encode_into`] checks the buffer once, then the writer fills it. Every
//! length is the shortest definite form (X.690 §10.1) and every identifier here is one octet
//! (tag numbers below 31, X.690 §8.1.2.3), which is what DER-like, canonical output needs.
//!
//! The cursor is generic over the caller's error type `E`, so a codec keeps its own typed
//! error (with its own `BufferTooSmall` variant) and converts from [`ShortBuffer`].

use core::marker::PhantomData;

use super::{CONSTRUCTED, MAX_LENGTH_LEN, length_len, write_header};

/// Identifier octet of a universal INTEGER (X.690 §8.3).
pub const INTEGER: u8 = 0x02;
/// Identifier octet of a universal OBJECT IDENTIFIER (X.690 §8.19).
pub const OID: u8 = 0x06;
/// Identifier octet of a universal SEQUENCE, constructed (X.690 §8.9).
pub const SEQUENCE: u8 = 0x20 | 0x10;
/// Identifier octet of a universal SET, constructed (X.690 §8.11).
pub const SET: u8 = 0x20 | 0x11;

/// The identifier octet of a primitive context-specific `[n]`, n < 31 (X.690 §8.1.2).
#[must_use]
pub const fn context(n: u8) -> u8 {
    0x80 | n
}

/// The identifier octet of a constructed context-specific `[n]`, n < 31 (X.690 §8.1.2).
#[must_use]
pub const fn context_constructed(n: u8) -> u8 {
    0x80 | CONSTRUCTED | n
}

/// Octets of a TLV with a one-octet identifier and `contents` octets of contents.
#[must_use]
pub const fn tlv_len(contents: usize) -> usize {
    1 + length_len(contents) + contents
}

/// Contents octets of a non-negative INTEGER (X.690 §8.3.2: minimal, and a leading zero
/// octet when the top bit would read as a sign).
#[must_use]
pub const fn uint_len(v: u32) -> usize {
    let mut n = 1;
    while n < 5 && (v as u64) >= 1u64 << (8 * n - 1) {
        n += 1;
    }
    n
}

/// Octets of an INTEGER `v` inside an explicit tag (X.690 §8.14.2: the tag wraps the whole
/// inner TLV).
#[must_use]
pub const fn explicit_uint_len(v: u32) -> usize {
    tlv_len(tlv_len(uint_len(v)))
}

/// Octets of an optional TLV of `contents` octets: none when absent.
pub fn opt_len<T>(value: Option<&T>, contents: impl FnOnce(&T) -> usize) -> usize {
    value.map_or(0, |v| tlv_len(contents(v)))
}

/// The output buffer is shorter than the encoding: a codec's error converts from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShortBuffer {
    /// Octets the encoding needs (up to the write that failed).
    pub needed: usize,
    /// Octets the buffer has.
    pub available: usize,
}

/// A cursor over the caller's buffer. Encoders check the total length first
/// ([`encode_into`]), so running out here means an encoder's length function disagrees with
/// its writer; it is still an error, never a panic.
pub struct Out<'b, E> {
    buf: &'b mut [u8],
    pos: usize,
    error: PhantomData<fn() -> E>,
}

impl<E: From<ShortBuffer>> Out<'_, E> {
    /// Octets written so far.
    #[must_use]
    pub const fn pos(&self) -> usize {
        self.pos
    }

    fn short(&self, needed: usize) -> E {
        E::from(ShortBuffer {
            needed,
            available: self.buf.len(),
        })
    }

    /// Raw octets.
    ///
    /// # Errors
    ///
    /// [`ShortBuffer`] (converted) if they do not fit.
    pub fn bytes(&mut self, b: &[u8]) -> Result<(), E> {
        let end = self.pos.saturating_add(b.len());
        let short = self.short(end);
        let dst = self.buf.get_mut(self.pos..end).ok_or(short)?;
        dst.copy_from_slice(b);
        self.pos = end;
        Ok(())
    }

    /// An identifier octet and the shortest definite length of `len` (X.690 §8.1.3, §10.1).
    ///
    /// # Errors
    ///
    /// [`ShortBuffer`] (converted) if they do not fit.
    pub fn header(&mut self, identifier: u8, len: usize) -> Result<(), E> {
        let mut head = [0u8; 1 + MAX_LENGTH_LEN];
        let n = write_header(identifier, len, &mut head).map_err(|e| {
            E::from(ShortBuffer {
                needed: e.needed,
                available: head.len(),
            })
        })?;
        self.bytes(head.get(..n).unwrap_or_default())
    }

    /// A whole TLV.
    ///
    /// # Errors
    ///
    /// [`ShortBuffer`] (converted) if it does not fit.
    pub fn tlv(&mut self, identifier: u8, contents: &[u8]) -> Result<(), E> {
        self.header(identifier, contents.len())?;
        self.bytes(contents)
    }

    /// A non-negative INTEGER under `identifier`, in the octets of [`uint_len`].
    ///
    /// # Errors
    ///
    /// [`ShortBuffer`] (converted) if it does not fit.
    pub fn uint(&mut self, identifier: u8, v: u32) -> Result<(), E> {
        let n = uint_len(v);
        let wide = u64::from(v).to_be_bytes();
        self.tlv(identifier, wide.get(wide.len() - n..).unwrap_or_default())
    }

    /// An INTEGER `v` inside the explicit tag `[n]` (X.690 §8.14.2).
    ///
    /// # Errors
    ///
    /// [`ShortBuffer`] (converted) if it does not fit.
    pub fn explicit_uint(&mut self, n: u8, v: u32) -> Result<(), E> {
        self.header(context_constructed(n), tlv_len(uint_len(v)))?;
        self.uint(INTEGER, v)
    }

    /// Lets `write` fill the rest of the buffer (an encoder that takes a plain slice, such as
    /// a list item's) and advances past the octets it reports written.
    ///
    /// # Errors
    ///
    /// Whatever `write` returns, or [`ShortBuffer`] (converted) if no room is left.
    pub fn with_rest(
        &mut self,
        write: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<(), E> {
        let short = self.short(self.pos);
        let rest = self.buf.get_mut(self.pos..).ok_or(short)?;
        let n = write(rest)?;
        self.pos = self.pos.saturating_add(n);
        Ok(())
    }
}

/// Runs `write` over `dst` after checking that it holds `len` octets; returns the octets
/// written.
///
/// # Errors
///
/// [`ShortBuffer`] (converted) if `dst` is shorter than `len`, or whatever `write` returns.
pub fn encode_into<E: From<ShortBuffer>>(
    dst: &mut [u8],
    len: usize,
    write: impl FnOnce(&mut Out<'_, E>) -> Result<(), E>,
) -> Result<usize, E> {
    if dst.len() < len {
        return Err(E::from(ShortBuffer {
            needed: len,
            available: dst.len(),
        }));
    }
    let mut out = Out {
        buf: dst,
        pos: 0,
        error: PhantomData,
    };
    write(&mut out)?;
    // Equal to `len` unless an encoder's length and writer disagree, which the codecs' tests
    // and fuzz oracles check; callers get the octets actually written either way.
    Ok(out.pos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_unsigned() {
        // X.690 §8.3.2: 127 fits one octet, 128 needs a leading zero.
        for (v, len) in [
            (0, 1),
            (127, 1),
            (128, 2),
            (32_767, 2),
            (32_768, 3),
            (u32::MAX, 5),
        ] {
            assert_eq!(uint_len(v), len, "{v}");
            let mut buf = [0u8; 8];
            let n =
                encode_into::<ShortBuffer>(&mut buf, tlv_len(len), |o| o.uint(INTEGER, v)).unwrap();
            let (tlv, _) = super::super::read(&buf[..n]).unwrap();
            assert_eq!(tlv.small_uint(), Some(v));
        }
    }

    #[test]
    fn a_short_buffer_is_an_error() {
        let mut buf = [0u8; 2];
        assert_eq!(
            encode_into::<ShortBuffer>(&mut buf, 3, |o| o.uint(INTEGER, 1)),
            Err(ShortBuffer {
                needed: 3,
                available: 2
            })
        );
    }

    #[test]
    fn a_lying_length_is_an_error_not_a_panic() {
        let mut buf = [0u8; 2];
        assert_eq!(
            encode_into::<ShortBuffer>(&mut buf, 1, |o| o.uint(INTEGER, 1)),
            Err(ShortBuffer {
                needed: 3,
                available: 2
            })
        );
    }
}
