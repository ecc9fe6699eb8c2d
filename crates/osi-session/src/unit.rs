//! Length indicators, PI/PGI units and the writer that both counts and encodes them
//! (X.225 §8.2.4–8.2.6).

use crate::code::Code;
use crate::{Error, Result};

/// Largest value of a length indicator: `FF hi lo` holds at most 65 535 (X.225 §8.2.5).
pub const MAX_LI: usize = 65535;

/// Reads a length indicator at the start of `src`: one octet for 0–254, or `FF hi lo`.
///
/// Returns the length and the octets the indicator used. A three-octet form holding less
/// than 255 is accepted (the sender broke "shortest form", not the meaning; ISODE rejects it).
pub(crate) fn read_li(src: &[u8], what: &'static str) -> Result<(usize, usize)> {
    match src {
        [0xff, hi, lo, ..] => Ok((usize::from(u16::from_be_bytes([*hi, *lo])), 3)),
        [0xff, ..] | [] => Err(Error::Truncated(what)),
        [n, ..] => Ok((usize::from(*n), 1)),
    }
}

/// Octets the shortest length indicator for `n` takes.
pub(crate) fn li_len(n: usize) -> usize {
    if n < 255 { 1 } else { 3 }
}

/// One PI or PGI unit as it appears on the wire: code and value octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unit<'a> {
    /// PI or PGI code.
    pub code: Code,
    /// Value octets (for a PGI: its PI units, or the user data).
    pub value: &'a [u8],
}

/// The units of a parameter field, in wire order, without allocation.
///
/// Yields an error once (and then nothing) if a unit runs past the field.
#[derive(Debug, Clone)]
pub struct Units<'a> {
    rest: &'a [u8],
}

impl<'a> Units<'a> {
    /// Iterates over the units in `field`.
    pub fn new(field: &'a [u8]) -> Self {
        Self { rest: field }
    }
}

impl<'a> Iterator for Units<'a> {
    type Item = Result<Unit<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&code, after) = self.rest.split_first()?;
        let parsed = read_li(after, "parameter").and_then(|(len, used)| {
            let value = after
                .get(used..used + len)
                .ok_or(Error::Truncated("parameter"))?;
            Ok((
                Unit {
                    code: Code(code),
                    value,
                },
                after.get(used + len..).unwrap_or_default(),
            ))
        });
        match parsed {
            Ok((unit, rest)) => {
                self.rest = rest;
                Some(Ok(unit))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Units whose codes X.225 does not define, kept verbatim (X.225 §8.2.6: valid and ignored).
///
/// Holds the raw field they were found in and skips the defined codes on iteration, so no
/// allocation is needed. They are re-encoded in increasing code order among the known
/// parameters; equality compares them in that order.
#[derive(Clone, Copy, Default)]
pub struct Unknown<'a> {
    field: &'a [u8],
}

impl<'a> Unknown<'a> {
    /// No unknown units.
    pub const NONE: Unknown<'static> = Unknown { field: &[] };

    /// Unknown units given as encoded units (`code LI value`, one after the other).
    ///
    /// # Errors
    ///
    /// [`Error::Truncated`] if `units` is not a sequence of whole units, and
    /// [`Error::InvalidValue`] if one of them has a code X.225 defines (build those with the
    /// typed fields instead).
    pub fn from_units(units: &'a [u8]) -> Result<Self> {
        for unit in Units::new(units) {
            let unit = unit?;
            if unit.code.is_defined() {
                return Err(Error::InvalidValue {
                    code: unit.code,
                    value: unit.code.0,
                });
            }
        }
        Ok(Self { field: units })
    }

    /// Wraps a field that was already walked without error.
    pub(crate) fn from_checked_field(field: &'a [u8]) -> Self {
        Self { field }
    }

    /// The unknown units in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Unit<'a>> + 'a {
        Units::new(self.field)
            .map_while(|u| u.ok())
            .filter(|u| !u.code.is_defined())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The units with `code`, in wire order.
    fn with_code(&self, code: Code) -> impl Iterator<Item = Unit<'a>> + 'a {
        self.iter().filter(move |u| u.code == code)
    }

    /// Writes the units with codes in `from..to` in increasing code order.
    #[inline]
    pub(crate) fn emit_range(&self, out: &mut Out<'_>, from: u16, to: u16) -> Result<()> {
        if self.field.is_empty() {
            return Ok(());
        }
        for code in from..to.min(256) {
            let Ok(code) = u8::try_from(code) else { break };
            for unit in self.with_code(Code(code)) {
                out.unit(unit.code, &[unit.value])?;
            }
        }
        Ok(())
    }
}

impl PartialEq for Unknown<'_> {
    /// The same units, whatever their order: X.225 gives unknown units no meaning, so
    /// neither their place among the known ones nor their order among themselves counts.
    fn eq(&self, other: &Self) -> bool {
        let count = |u: &Unknown<'_>, x: &Unit<'_>| u.iter().filter(|y| y == x).count();
        self.iter().count() == other.iter().count()
            && self.iter().all(|x| count(self, &x) == count(other, &x))
    }
}

impl Eq for Unknown<'_> {}

impl core::fmt::Debug for Unknown<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Writes units, or only counts their octets: one code path gives both `encoded_len` and
/// `encode`, so the two cannot disagree.
pub(crate) struct Out<'b> {
    buf: Option<&'b mut [u8]>,
    pos: usize,
    /// Next code the unknown units may be merged in from (see [`Out::known`]).
    next_code: u16,
}

impl<'b> Out<'b> {
    /// Counts only.
    pub(crate) fn counter() -> Self {
        Self {
            buf: None,
            pos: 0,
            next_code: 0,
        }
    }

    /// Writes into `buf` from its start.
    pub(crate) fn writer(buf: &'b mut [u8]) -> Self {
        Self {
            buf: Some(buf),
            pos: 0,
            next_code: 0,
        }
    }

    /// Octets counted or written so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    #[inline]
    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<()> {
        let end = self.pos + bytes.len();
        if let Some(buf) = self.buf.as_deref_mut() {
            let available = buf.len();
            buf.get_mut(self.pos..end)
                .ok_or(Error::BufferTooSmall {
                    needed: end,
                    available,
                })?
                .copy_from_slice(bytes);
        }
        self.pos = end;
        Ok(())
    }

    #[inline]
    pub(crate) fn put_li(&mut self, n: usize) -> Result<()> {
        match (u8::try_from(n), u16::try_from(n)) {
            (Ok(small), _) if small < 255 => self.put(&[small]),
            (_, Ok(big)) => {
                let [hi, lo] = big.to_be_bytes();
                self.put(&[0xff, hi, lo])
            }
            _ => Err(Error::FieldTooLong(n)),
        }
    }

    /// A unit whose value is the concatenation of `parts`.
    #[inline]
    pub(crate) fn unit(&mut self, code: Code, parts: &[&[u8]]) -> Result<()> {
        let len = parts.iter().map(|p| p.len()).sum();
        self.put(&[code.0])?;
        self.put_li(len)?;
        for p in parts {
            self.put(p)?;
        }
        Ok(())
    }

    /// Before writing known code `code`: merges in the unknown units that sort before it.
    #[inline]
    pub(crate) fn known(&mut self, unknown: &Unknown<'_>, code: Code) -> Result<()> {
        let to = u16::from(code.0) + 1;
        unknown.emit_range(self, self.next_code, to)?;
        self.next_code = self.next_code.max(to);
        Ok(())
    }

    /// After the last known code: the remaining unknown units.
    #[inline]
    pub(crate) fn finish_unknown(&mut self, unknown: &Unknown<'_>) -> Result<()> {
        unknown.emit_range(self, self.next_code, 256)?;
        self.next_code = 256;
        Ok(())
    }

    /// A PGI whose contents `f` writes: counts them first to write the length indicator.
    pub(crate) fn group(
        &mut self,
        code: Code,
        f: impl Fn(&mut Out<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut counter = Out::counter();
        f(&mut counter)?;
        self.put(&[code.0])?;
        self.put_li(counter.pos())?;
        let start = self.pos;
        let writing = self.buf.is_some();
        let mut inner = Out {
            buf: self.buf.as_deref_mut().and_then(|b| b.get_mut(start..)),
            pos: 0,
            next_code: 0,
        };
        if writing && inner.buf.is_none() {
            return Err(Error::BufferTooSmall {
                needed: start + counter.pos(),
                available: start,
            });
        }
        f(&mut inner)?;
        self.pos = start + inner.pos;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // a panic is how a test fails
mod tests {
    use hex_literal::hex;

    use super::*;

    #[test]
    fn both_length_forms() {
        assert_eq!(read_li(&[0x00], "x"), Ok((0, 1)));
        assert_eq!(read_li(&[0xfe], "x"), Ok((254, 1)));
        assert_eq!(read_li(&[0xff, 0x00, 0xff], "x"), Ok((255, 3)));
        assert_eq!(read_li(&[0xff, 0x01, 0x2c], "x"), Ok((300, 3)));
        // Non-minimal three-octet form is read for what it says.
        assert_eq!(read_li(&[0xff, 0x00, 0x05], "x"), Ok((5, 3)));
        assert_eq!(read_li(&[0xff, 0x01], "x"), Err(Error::Truncated("x")));
        assert_eq!(read_li(&[], "x"), Err(Error::Truncated("x")));
    }

    #[test]
    fn writes_shortest_form() {
        for (n, li) in [
            (0usize, &[0u8][..]),
            (254, &[0xfe]),
            (255, &[0xff, 0, 0xff]),
            (65535, &[0xff, 0xff, 0xff]),
        ] {
            let mut buf = [0xa5; 3];
            let mut out = Out::writer(&mut buf);
            out.put_li(n).unwrap();
            assert_eq!((out.pos(), &buf[..li.len()]), (li.len(), li));
            assert_eq!(li_len(n), li.len());
        }
        assert_eq!(
            Out::counter().put_li(65536),
            Err(Error::FieldTooLong(65536))
        );
    }

    #[test]
    fn units_iterate_and_stop_on_truncation() {
        let field = hex!("14 02 02 49  c1 ff 00 01 aa  33 05 00");
        let mut units = Units::new(&field);
        assert_eq!(
            units.next(),
            Some(Ok(Unit {
                code: Code(20),
                value: &hex!("02 49")
            }))
        );
        assert_eq!(
            units.next(),
            Some(Ok(Unit {
                code: Code(193),
                value: &[0xaa]
            }))
        );
        assert_eq!(units.next(), Some(Err(Error::Truncated("parameter"))));
        assert_eq!(units.next(), None);
    }

    #[test]
    fn unknown_units_compare_in_code_order() {
        let a = Unknown::from_units(&hex!("64 01 aa 63 00")).unwrap();
        let b = Unknown::from_units(&hex!("63 00 64 01 aa")).unwrap();
        assert_eq!(a, b);
        let c = Unknown::from_units(&hex!("63 00 63 01 aa")).unwrap();
        let d = Unknown::from_units(&hex!("63 01 aa 63 00")).unwrap();
        assert_eq!(c, d);
        assert_ne!(a, c);
        assert_ne!(
            c,
            Unknown::from_units(&hex!("63 00 63 00 63 01 aa")).unwrap()
        );
        assert_ne!(a, Unknown::NONE);
        assert_eq!(
            Unknown::from_units(&hex!("14 02 02 49")),
            Err(Error::InvalidValue {
                code: Code(20),
                value: 20
            })
        );
        let mut buf = [0u8; 5];
        let mut out = Out::writer(&mut buf);
        out.finish_unknown(&a).unwrap();
        assert_eq!(buf, hex!("63 00 64 01 aa"));
    }
}
