//! The BER plumbing every APDU module shares: reading fields out of osi-sansio's TLVs with
//! typed errors, and writing definite-length TLVs into the caller's buffer.
//!
//! Every identifier of the ACSE-1 module (X.227) has a tag number below 31, so one octet;
//! every length is written in the shortest definite form (X.690 §10.1).

use osi_sansio::DecodeLimits;
use osi_sansio::ber::{self, Tlv};

use crate::{Error, Limits, Result};

/// Identifier octet bit 6: constructed (X.690 §8.1.2.5).
const CONSTRUCTED: u8 = ber::CONSTRUCTED;
/// Identifier octet of a universal INTEGER.
pub(crate) const INTEGER: u8 = 0x02;
/// Identifier octet of a universal OBJECT IDENTIFIER.
pub(crate) const OID: u8 = 0x06;
/// Identifier octet of a universal OCTET STRING.
pub(crate) const OCTET_STRING: u8 = 0x04;
/// Identifier octet of a universal PrintableString.
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
/// Identifier octet of a universal ObjectDescriptor.
pub(crate) const OBJECT_DESCRIPTOR: u8 = 0x07;
/// Identifier octet of a universal EXTERNAL (constructed, 8).
pub(crate) const EXTERNAL: u8 = 0x28;

/// The identifier octet of a constructed application-class `[APPLICATION n]`, n < 31.
pub(crate) const fn application_constructed(n: u8) -> u8 {
    0x40 | CONSTRUCTED | n
}

/// The identifier octet of a primitive context-specific `[n]`, n < 31.
pub(crate) const fn context(n: u8) -> u8 {
    0x80 | n
}

/// The identifier octet of a constructed context-specific `[n]`, n < 31.
pub(crate) const fn context_constructed(n: u8) -> u8 {
    0x80 | CONSTRUCTED | n
}

/// What a decoder carries down: the APDU it reads (for errors) and the limits.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'l> {
    pub(crate) apdu: &'static str,
    pub(crate) limits: &'l Limits,
}

impl<'l> Cx<'l> {
    pub(crate) const fn new(apdu: &'static str, limits: &'l Limits) -> Self {
        Self { apdu, limits }
    }

    pub(crate) const fn ber(self, error: ber::Error) -> Error {
        Error::Ber {
            apdu: self.apdu,
            error,
        }
    }

    pub(crate) const fn unexpected(self, field: &'static str, tlv: &Tlv<'_>) -> Error {
        Error::UnexpectedTag {
            apdu: self.apdu,
            field,
            class: tlv.class,
            number: tlv.number,
        }
    }

    pub(crate) const fn missing(self, field: &'static str) -> Error {
        Error::MissingField {
            apdu: self.apdu,
            field,
        }
    }

    pub(crate) const fn duplicate(self, field: &'static str) -> Error {
        Error::DuplicateField {
            apdu: self.apdu,
            field,
        }
    }

    pub(crate) const fn too_many(self, field: &'static str, max: usize) -> Error {
        Error::TooMany {
            apdu: self.apdu,
            field,
            max,
        }
    }

    /// Reads `data` as exactly one value, walking all of it once against the limits (so the
    /// nested reads that follow cannot meet deeper or larger input than was checked here).
    pub(crate) fn whole<'a>(self, data: &'a [u8]) -> Result<Tlv<'a>> {
        if data.len() > self.limits.max_len {
            return Err(Error::TooLong {
                apdu: self.apdu,
                field: "the APDU",
                len: data.len(),
                max: self.limits.max_len,
            });
        }
        let walk = DecodeLimits::DEFAULT
            .with_max_len(usize::MAX)
            .with_max_depth(self.limits.max_depth)
            .with_max_elements(self.limits.max_elements);
        let (tlv, rest) = ber::read_with(data, &walk).map_err(|e| self.ber(e))?;
        if !rest.is_empty() {
            return Err(Error::TrailingData {
                apdu: self.apdu,
                len: rest.len(),
            });
        }
        Ok(tlv)
    }

    /// The values inside a constructed value.
    pub(crate) fn elements<'a>(self, tlv: &Tlv<'a>) -> impl Iterator<Item = Result<Tlv<'a>>> {
        tlv.elements().map(move |r| r.map_err(|e| self.ber(e)))
    }

    /// Insists that `tlv` is constructed.
    pub(crate) fn constructed(self, tlv: &Tlv<'_>, field: &'static str) -> Result<()> {
        if tlv.constructed {
            Ok(())
        } else {
            Err(Error::WrongForm {
                apdu: self.apdu,
                field,
            })
        }
    }

    /// The contents of a primitive value.
    pub(crate) fn primitive<'a>(self, tlv: &Tlv<'a>, field: &'static str) -> Result<&'a [u8]> {
        if tlv.constructed {
            Err(Error::WrongForm {
                apdu: self.apdu,
                field,
            })
        } else {
            Ok(tlv.contents)
        }
    }

    /// A primitive OCTET STRING of at most `max` octets.
    pub(crate) fn octets<'a>(
        self,
        tlv: &Tlv<'a>,
        field: &'static str,
        max: usize,
    ) -> Result<&'a [u8]> {
        let octets = self.primitive(tlv, field)?;
        if octets.len() > max {
            return Err(Error::TooLong {
                apdu: self.apdu,
                field,
                len: octets.len(),
                max,
            });
        }
        Ok(octets)
    }

    /// A primitive character string, at most [`Limits::max_text_len`] octets.
    pub(crate) fn text<'a>(self, tlv: &Tlv<'a>, field: &'static str) -> Result<&'a [u8]> {
        self.octets(tlv, field, self.limits.max_text_len)
    }

    /// A universal INTEGER inside an explicit tag, that fits a `u32`.
    pub(crate) fn explicit_uint(self, tlv: &Tlv<'_>, field: &'static str) -> Result<u32> {
        let inner = self.explicit(tlv, field)?;
        if !inner.is_universal(2) {
            return Err(self.unexpected(field, &inner));
        }
        self.uint(&inner, field)
    }

    /// A primitive non-negative INTEGER that fits a `u32`.
    pub(crate) fn uint(self, tlv: &Tlv<'_>, field: &'static str) -> Result<u32> {
        self.primitive(tlv, field)?;
        tlv.small_uint().ok_or(Error::BadInteger {
            apdu: self.apdu,
            field,
        })
    }

    /// The one value inside an explicit tag.
    pub(crate) fn explicit<'a>(self, tlv: &Tlv<'a>, field: &'static str) -> Result<Tlv<'a>> {
        self.constructed(tlv, field)?;
        let mut inner = self.elements(tlv);
        let first = inner.next().ok_or(self.missing(field))??;
        if inner.next().is_some() {
            return Err(self.duplicate(field));
        }
        Ok(first)
    }
}

/// Walks the fields of a SEQUENCE in order: each field has a position, and a field at or
/// before the last one seen is a duplicate or out of order.
pub(crate) struct Order {
    last: Option<u8>,
}

impl Order {
    pub(crate) const fn new() -> Self {
        Self { last: None }
    }

    /// Records the field at `position`.
    pub(crate) fn next(&mut self, cx: Cx<'_>, position: u8, field: &'static str) -> Result<()> {
        if self.last.is_some_and(|last| position <= last) {
            return Err(cx.duplicate(field));
        }
        self.last = Some(position);
        Ok(())
    }
}

/// Octets of a TLV with a one-octet identifier and `contents` octets of contents.
pub(crate) const fn tlv_len(contents: usize) -> usize {
    1 + ber::length_len(contents) + contents
}

/// Contents octets of a non-negative INTEGER (X.690 §8.3.2: minimal, and a leading zero
/// octet when the top bit would read as a sign).
pub(crate) const fn uint_len(v: u32) -> usize {
    let mut n = 1;
    while n < 5 && (v as u64) >= 1u64 << (8 * n - 1) {
        n += 1;
    }
    n
}

/// Octets of an INTEGER `v` inside an explicit tag.
pub(crate) const fn explicit_uint_len(v: u32) -> usize {
    tlv_len(tlv_len(uint_len(v)))
}

/// Octets of an optional TLV of `contents` octets.
pub(crate) fn opt_len<T>(value: Option<&T>, contents: impl FnOnce(&T) -> usize) -> usize {
    value.map_or(0, |v| tlv_len(contents(v)))
}

/// A cursor over the caller's buffer. Encoders check the total length first, so running
/// out here means an encoder's length function disagrees with its writer; it is still an
/// error, never a panic.
pub(crate) struct Out<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Out<'b> {
    /// Octets written so far.
    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) -> Result<()> {
        let end = self.pos + b.len();
        let available = self.buf.len();
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall {
                needed: end,
                available,
            })?;
        dst.copy_from_slice(b);
        self.pos = end;
        Ok(())
    }

    /// An identifier octet and the shortest definite length of `len`.
    pub(crate) fn header(&mut self, identifier: u8, len: usize) -> Result<()> {
        let mut head = [0u8; 1 + ber::MAX_LENGTH_LEN];
        let n =
            ber::write_header(identifier, len, &mut head).map_err(|e| Error::BufferTooSmall {
                needed: e.needed,
                available: head.len(),
            })?;
        self.bytes(head.get(..n).unwrap_or_default())
    }

    /// A whole TLV.
    pub(crate) fn tlv(&mut self, identifier: u8, contents: &[u8]) -> Result<()> {
        self.header(identifier, contents.len())?;
        self.bytes(contents)
    }

    /// An INTEGER `v` inside the explicit tag `[n]`.
    pub(crate) fn explicit_uint(&mut self, n: u8, v: u32) -> Result<()> {
        self.header(context_constructed(n), tlv_len(uint_len(v)))?;
        self.uint(INTEGER, v)
    }

    /// A list item.
    pub(crate) fn item<'a, T: crate::list::Item<'a>>(&mut self, item: &T) -> Result<()> {
        let available = self.buf.len();
        let rest = self.buf.get_mut(self.pos..).ok_or(Error::BufferTooSmall {
            needed: self.pos,
            available,
        })?;
        self.pos += item.encode_item(rest)?;
        Ok(())
    }

    /// A non-negative INTEGER under `identifier`.
    pub(crate) fn uint(&mut self, identifier: u8, v: u32) -> Result<()> {
        let n = uint_len(v);
        let wide = u64::from(v).to_be_bytes();
        self.tlv(identifier, wide.get(wide.len() - n..).unwrap_or_default())
    }
}

/// Runs `write` over `dst` after checking that it holds `len` octets; returns `len`.
pub(crate) fn encode_into(
    dst: &mut [u8],
    len: usize,
    write: impl FnOnce(&mut Out<'_>) -> Result<()>,
) -> Result<usize> {
    if dst.len() < len {
        return Err(Error::BufferTooSmall {
            needed: len,
            available: dst.len(),
        });
    }
    let mut out = Out { buf: dst, pos: 0 };
    write(&mut out)?;
    // Equal to `len` unless an encoder's length and writer disagree, which the tests and
    // the fuzz oracle check; callers get the octets actually written either way.
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
            let n = encode_into(&mut buf, tlv_len(len), |o| o.uint(INTEGER, v)).unwrap();
            let (tlv, _) = ber::read(&buf[..n]).unwrap();
            assert_eq!(tlv.small_uint(), Some(v));
        }
    }

    #[test]
    fn a_short_buffer_is_an_error() {
        let mut buf = [0u8; 2];
        assert_eq!(
            encode_into(&mut buf, 3, |o| o.uint(INTEGER, 1)),
            Err(Error::BufferTooSmall {
                needed: 3,
                available: 2
            })
        );
    }
}
