//! One BER TLV reader and writer (X.690 §8.1): identifiers, definite and indefinite lengths,
//! contents. It decodes no type; the layers use it to find values, check the shape of
//! untrusted input before a full decoder runs, and write headers.
//!
//! Reading never recurses and never allocates: nested values are walked with a fixed stack
//! of [`MAX_DEPTH`] entries, so hostile nesting costs neither stack nor memory, and every
//! step consumes input, so time is linear in the input.

mod fields;
mod glue;
mod list;
mod out;
mod values;

pub use fields::{Bounds, Fault, Fields, FromFault, Order};
pub use list::{Item, Iter, List};
pub use out::{
    INTEGER, OID, Out, SEQUENCE, SET, ShortBuffer, context, context_constructed, encode_into,
    explicit_uint_len, opt_len, tlv_len, uint_len,
};
pub use values::{
    bit_string_bit, bit_string_len, bit_string_ok, fmt_oid, oid_arc_count, oid_arcs, oid_fits_u64,
    oid_subidentifiers,
};

use crate::{BufferTooSmall, DecodeLimits};

/// The deepest nesting any walk follows, whatever [`DecodeLimits::max_depth`] says
/// (rasn's own decoder stops at 128 too).
pub const MAX_DEPTH: usize = 128;

/// Identifier octet bit 6: the value is constructed (X.690 §8.1.2.5).
pub const CONSTRUCTED: u8 = 0x20;

/// Tag class (X.690 §8.1.2.2, Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Universal (00).
    Universal,
    /// Application (01).
    Application,
    /// Context-specific (10).
    Context,
    /// Private (11).
    Private,
}

/// Why octets are not BER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The input ends inside a value.
    Truncated,
    /// Length octet 0xFF, reserved by X.690 §8.1.3.5 c).
    ReservedLength,
    /// A length of more octets than a `usize` holds.
    LengthTooLong,
    /// An indefinite length on a primitive value (X.690 §8.1.3.2 a).
    IndefinitePrimitive,
    /// A tag number above `u32::MAX`, or one whose first subsequent octet is 0x80 (X.690
    /// 8.1.2.4.2 c).
    BadTag,
    /// Constructed values nest deeper than the limit.
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// More values than the limit.
    TooManyElements {
        /// The limit.
        max: usize,
    },
    /// The input is longer than the limit.
    TooLong {
        /// Octets given.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Truncated => f.write_str("the input ends inside a BER value"),
            Self::ReservedLength => f.write_str("length octet 0xff is reserved (X.690 8.1.3.5)"),
            Self::LengthTooLong => f.write_str("a BER length is longer than this machine holds"),
            Self::IndefinitePrimitive => {
                f.write_str("a primitive value has an indefinite length (X.690 8.1.3.2)")
            }
            Self::BadTag => f.write_str(
                "a tag number is larger than 2^32 - 1 or starts with 0x80 (X.690 8.1.2.4.2)",
            ),
            Self::TooDeep { max } => write!(f, "values nest deeper than {max} levels"),
            Self::TooManyElements { max } => write!(f, "more than {max} BER values"),
            Self::TooLong { len, max } => write!(f, "{len} octets, more than the {max} accepted"),
        }
    }
}

impl core::error::Error for Error {}

/// One value: its tag and its contents octets (without the end-of-contents octets of an
/// indefinite length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octets as received (one, or more for a high tag number).
    pub identifier: &'a [u8],
    /// The tag class.
    pub class: Class,
    /// Whether the contents are values themselves.
    pub constructed: bool,
    /// The tag number.
    pub number: u32,
    /// Whether the length was indefinite.
    pub indefinite: bool,
    /// The contents octets.
    pub contents: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Whether this is `[number]` of the context-specific class.
    #[must_use]
    pub fn is_context(&self, number: u32) -> bool {
        self.class == Class::Context && self.number == number
    }

    /// Whether this is the universal type `number` (e.g. 16 SEQUENCE, 17 SET).
    #[must_use]
    pub fn is_universal(&self, number: u32) -> bool {
        self.class == Class::Universal && self.number == number
    }

    /// The values in the contents of a constructed value.
    #[must_use]
    pub fn elements(&self) -> Elements<'a> {
        Elements {
            rest: self.contents,
        }
    }

    /// The contents as a small non-negative INTEGER (X.690 §8.3), if they are one.
    #[must_use]
    pub fn small_uint(&self) -> Option<u32> {
        match self.contents {
            [] => None,
            [first, ..] if *first >= 0x80 => None,
            c if c.len() > 5 || (c.len() == 5 && c.first() != Some(&0)) => None,
            c => Some(c.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b))),
        }
    }
}

/// The values of constructed contents, in order; stops after the first error.
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Tlv<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match read(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// An identifier and a length, as read.
struct Header {
    /// Identifier octets.
    id_len: usize,
    class: Class,
    constructed: bool,
    number: u32,
    /// `None`: indefinite.
    len: Option<usize>,
    /// Octets of identifier and length.
    size: usize,
}

fn header(data: &[u8]) -> Result<Header, Error> {
    let (&id, mut rest) = data.split_first().ok_or(Error::Truncated)?;
    let class = match id >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    };
    let constructed = id & CONSTRUCTED != 0;
    let mut size = 1;
    let mut number = u32::from(id & 0x1f);
    if number == 0x1f {
        // High tag number (X.690 §8.1.2.4): base 128, bit 8 set on all but the last octet.
        number = 0;
        if rest.first() == Some(&0x80) {
            return Err(Error::BadTag);
        }
        loop {
            let (&b, after) = rest.split_first().ok_or(Error::Truncated)?;
            rest = after;
            size += 1;
            number = number
                .checked_mul(128)
                .and_then(|n| n.checked_add(u32::from(b & 0x7f)))
                .ok_or(Error::BadTag)?;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (&first, rest) = rest.split_first().ok_or(Error::Truncated)?;
    size += 1;
    let len = match first {
        0x80 if constructed => None,
        0x80 => return Err(Error::IndefinitePrimitive),
        0xff => return Err(Error::ReservedLength),
        n if n < 0x80 => Some(usize::from(n)),
        n => {
            let count = usize::from(n & 0x7f);
            let octets = rest.get(..count).ok_or(Error::Truncated)?;
            size += count;
            let mut len = 0usize;
            for b in octets {
                len = len
                    .checked_mul(256)
                    .map(|l| l | usize::from(*b))
                    .ok_or(Error::LengthTooLong)?;
            }
            Some(len)
        }
    };
    Ok(Header {
        id_len: data.len() - rest.len() - 1,
        class,
        constructed,
        number,
        len,
        size,
    })
}

/// Walks the value at the start of `data` to its end without recursion, checking the
/// limits; returns its length in octets (end-of-contents included).
fn walk(data: &[u8], limits: &DecodeLimits) -> Result<usize, Error> {
    let max_depth = limits.max_depth.min(MAX_DEPTH);
    // Ends of the open constructed values; `usize::MAX` for an indefinite length.
    let mut ends = [0usize; MAX_DEPTH];
    let mut depth = 0usize;
    let mut pos = 0usize;
    let mut elements = 0usize;
    loop {
        // Close every definite value that ends here, and indefinite ones at `00 00`.
        while let Some(&end) = depth.checked_sub(1).and_then(|d| ends.get(d)) {
            if end == usize::MAX && data.get(pos..pos + 2) == Some(&[0, 0]) {
                pos += 2;
            } else if end != pos {
                break;
            }
            depth -= 1;
        }
        if depth == 0 && pos > 0 {
            return Ok(pos);
        }
        if let Some(&end) = depth.checked_sub(1).and_then(|d| ends.get(d))
            && end != usize::MAX
            && pos > end
        {
            // A value ran past the end of the value that holds it.
            return Err(Error::Truncated);
        }
        elements += 1;
        if elements > limits.max_elements {
            return Err(Error::TooManyElements {
                max: limits.max_elements,
            });
        }
        let h = header(data.get(pos..).unwrap_or_default())?;
        pos += h.size;
        match (h.constructed, h.len) {
            (true, len) => {
                if depth >= max_depth {
                    return Err(Error::TooDeep { max: max_depth });
                }
                let end = match len {
                    Some(len) => pos.checked_add(len).ok_or(Error::LengthTooLong)?,
                    None => usize::MAX,
                };
                if end != usize::MAX && end > data.len() {
                    return Err(Error::Truncated);
                }
                if let Some(slot) = ends.get_mut(depth) {
                    *slot = end;
                }
                depth += 1;
            }
            (false, len) => {
                pos = pos
                    .checked_add(len.unwrap_or_default())
                    .filter(|&p| p <= data.len())
                    .ok_or(Error::Truncated)?;
                if depth == 0 {
                    return Ok(pos);
                }
            }
        }
    }
}

/// Reads the value at the start of `data` within the default limits; returns it and the
/// octets after it.
///
/// # Errors
///
/// [`Error`] if the value is not BER, is cut short, or breaks a limit.
pub fn read(data: &[u8]) -> Result<(Tlv<'_>, &[u8]), Error> {
    read_with(data, &DecodeLimits::DEFAULT)
}

/// [`read`] within `limits` (all of them: the whole value is walked).
///
/// # Errors
///
/// As [`read`].
pub fn read_with<'a>(data: &'a [u8], limits: &DecodeLimits) -> Result<(Tlv<'a>, &'a [u8]), Error> {
    if data.len() > limits.max_len {
        return Err(Error::TooLong {
            len: data.len(),
            max: limits.max_len,
        });
    }
    let h = header(data)?;
    let total = match h.len {
        Some(len) if !h.constructed => h.size.checked_add(len).ok_or(Error::LengthTooLong)?,
        _ => walk(data, limits)?,
    };
    let (value, rest) = data.split_at_checked(total).ok_or(Error::Truncated)?;
    let contents_end = if h.len.is_none() { total - 2 } else { total };
    Ok((
        Tlv {
            identifier: value.get(..h.id_len).unwrap_or_default(),
            class: h.class,
            constructed: h.constructed,
            number: h.number,
            indefinite: h.len.is_none(),
            contents: value.get(h.size..contents_end).unwrap_or_default(),
        },
        rest,
    ))
}

/// Reads `data` as exactly one value.
///
/// # Errors
///
/// As [`read`]; [`Error::TooLong`] with `max` the value's length if octets follow it.
pub fn read_whole(data: &[u8]) -> Result<Tlv<'_>, Error> {
    match read(data)? {
        (tlv, []) => Ok(tlv),
        (_, rest) => Err(Error::TooLong {
            len: data.len(),
            max: data.len() - rest.len(),
        }),
    }
}

/// Checks that `data` starts with one value within `limits` and returns its length.
///
/// # Errors
///
/// As [`read`].
pub fn check(data: &[u8], limits: &DecodeLimits) -> Result<usize, Error> {
    read_with(data, limits).map(|(_, rest)| data.len() - rest.len())
}

/// Octets of the shortest definite length form of `len` (X.690 §10.1).
#[must_use]
pub const fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        // At most size_of::<usize>() octets.
        1 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
    }
}

/// Most octets a definite length takes: the count octet and a `usize`.
pub const MAX_LENGTH_LEN: usize = 1 + size_of::<usize>();

/// Writes the shortest definite length of `len` (X.690 §10.1) into `dst`; returns the octets
/// written ([`length_len`]).
///
/// # Errors
///
/// [`BufferTooSmall`] if `dst` is too short; nothing is written then.
pub fn write_length(len: usize, dst: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let n = length_len(len);
    let out = dst.get_mut(..n).ok_or(BufferTooSmall { needed: n })?;
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        if let Some(b) = out.first_mut() {
            *b = short;
        }
    } else {
        let (count, octets) = out.split_at_mut(1);
        if let Some(b) = count.first_mut() {
            // At most size_of::<usize>() octets, so the count fits in 7 bits.
            *b = 0x80 | u8::try_from(octets.len()).unwrap_or(0x7f);
        }
        let bytes = len.to_be_bytes();
        let skip = bytes.len() - octets.len();
        octets.copy_from_slice(bytes.get(skip..).unwrap_or_default());
    }
    Ok(n)
}

/// Writes an identifier octet and the shortest definite length of `len` into `dst`;
/// returns the octets written. The contents go right after.
///
/// # Errors
///
/// [`BufferTooSmall`] if `dst` is too short; nothing is written then.
pub fn write_header(identifier: u8, len: usize, dst: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let n = 1 + length_len(len);
    if dst.len() < n {
        return Err(BufferTooSmall { needed: n });
    }
    let (id, rest) = dst.split_at_mut(1);
    if let Some(b) = id.first_mut() {
        *b = identifier;
    }
    Ok(1 + write_length(len, rest)?)
}

/// Writes a whole primitive or constructed value with a definite length.
///
/// # Errors
///
/// [`BufferTooSmall`] if `dst` cannot hold it; nothing is written then.
pub fn write_tlv(identifier: u8, contents: &[u8], dst: &mut [u8]) -> Result<usize, BufferTooSmall> {
    let needed = 1 + length_len(contents.len()) + contents.len();
    if dst.len() < needed {
        return Err(BufferTooSmall { needed });
    }
    let h = write_header(identifier, contents.len(), dst)?;
    if let Some(out) = dst.get_mut(h..needed) {
        out.copy_from_slice(contents);
    }
    Ok(needed)
}

#[cfg(test)]
mod tests;
