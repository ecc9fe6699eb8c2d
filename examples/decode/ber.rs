//! Just enough BER (X.690 §8.1) to see the outline of a value: identifier, length (definite or
//! indefinite) and contents, and the elements of constructed contents. The presentation layer
//! uses it to tell the modes apart; it decodes no type.

/// Tag classes (X.690 §8.1.2.2).
pub const UNIVERSAL: u8 = 0;
pub const APPLICATION: u8 = 1;
pub const CONTEXT: u8 = 2;

/// Universal tag numbers (X.680 §8.4).
pub const SEQUENCE: u32 = 16;
pub const SET: u32 = 17;

/// How deep indefinite-length values may nest before the input is refused: real PPDUs nest a
/// few levels, and a hostile one must not exhaust the stack.
const MAX_DEPTH: usize = 32;

/// One value: its tag and its contents octets (without an end-of-contents marker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub class: u8,
    pub constructed: bool,
    pub number: u32,
    pub contents: &'a [u8],
}

impl Tlv<'_> {
    /// True for a constructed `[number]` of the context-specific class.
    pub fn is_context(&self, number: u32) -> bool {
        self.class == CONTEXT && self.number == number
    }

    /// A small non-negative INTEGER in the contents (X.690 §8.3), or `None`.
    pub fn small_uint(&self) -> Option<u32> {
        match self.contents {
            // Empty, negative (X.690 §8.3.3: the first bit is the sign) or too large.
            [] => None,
            [first, ..] if *first >= 0x80 => None,
            c if c.len() > 4 => None,
            c => Some(c.iter().fold(0, |n, b| (n << 8) | u32::from(*b))),
        }
    }
}

/// Reads the value at the start of `data`. Returns it and the octets after it, or `None` if
/// the encoding is broken or cut short.
pub fn read(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    read_at(data, 0)
}

/// Reads `data` as exactly one value.
pub fn whole(data: &[u8]) -> Option<Tlv<'_>> {
    read(data)
        .filter(|(_, rest)| rest.is_empty())
        .map(|(t, _)| t)
}

/// The elements of constructed contents, in order; `None` if any of them is broken.
pub fn elements(contents: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = contents;
    while !rest.is_empty() {
        let (t, after) = read(rest)?;
        out.push(t);
        rest = after;
    }
    Some(out)
}

fn read_at(data: &[u8], depth: usize) -> Option<(Tlv<'_>, &[u8])> {
    let (&id, rest) = data.split_first()?;
    let class = id >> 6;
    let constructed = id & 0x20 != 0;
    let (number, rest) = if id & 0x1f == 0x1f {
        high_tag(rest)?
    } else {
        (u32::from(id & 0x1f), rest)
    };
    let (&first, rest) = rest.split_first()?;
    let len = match first {
        // Indefinite length (X.690 §8.1.3.6): constructed only; the contents are whole values
        // up to the end-of-contents octets 00 00.
        0x80 => {
            if !constructed || depth >= MAX_DEPTH {
                return None;
            }
            let mut inner = rest;
            while !inner.starts_with(&[0, 0]) {
                inner = read_at(inner, depth + 1)?.1;
            }
            let (contents, _) = rest.split_at_checked(rest.len() - inner.len())?;
            let tlv = Tlv {
                class,
                constructed,
                number,
                contents,
            };
            return Some((tlv, inner.get(2..)?));
        }
        n @ 0..0x80 => usize::from(n),
        // Long form (X.690 §8.1.3.5): 0xff is reserved; more than 4 length octets would
        // announce more than any capture holds.
        0xff => return None,
        n => {
            let count = usize::from(n & 0x7f);
            let (octets, after) = rest.split_at_checked(count).filter(|_| count <= 4)?;
            let len = octets.iter().fold(0, |n, b| (n << 8) | usize::from(*b));
            return after.split_at_checked(len).map(|(contents, rest)| {
                let tlv = Tlv {
                    class,
                    constructed,
                    number,
                    contents,
                };
                (tlv, rest)
            });
        }
    };
    let (contents, rest) = rest.split_at_checked(len)?;
    let tlv = Tlv {
        class,
        constructed,
        number,
        contents,
    };
    Some((tlv, rest))
}

/// A tag number in subsequent octets (X.690 §8.1.2.4): base 128, bit 8 set on all but the last.
fn high_tag(data: &[u8]) -> Option<(u32, &[u8])> {
    let mut number: u32 = 0;
    for (i, b) in data.iter().enumerate().take(4) {
        number = (number << 7) | u32::from(b & 0x7f);
        if b & 0x80 == 0 {
            return Some((number, data.get(i + 1..)?));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_indefinite_and_long_forms() {
        let (t, rest) = read(&[0x31, 0x03, 0x80, 0x01, 0x01, 0xee]).unwrap();
        assert_eq!((t.class, t.constructed, t.number), (UNIVERSAL, true, SET));
        assert_eq!(t.contents, [0x80, 0x01, 0x01]);
        assert_eq!(rest, [0xee]);
        let e = elements(t.contents).unwrap();
        assert_eq!(e.len(), 1);
        assert!(e[0].is_context(0));
        assert_eq!(e[0].small_uint(), Some(1));

        let t = whole(&[
            0xa2, 0x80, 0x61, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00,
        ])
        .unwrap();
        assert_eq!(t.contents, [0x61, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]);
        assert_eq!(elements(t.contents).unwrap()[0].class, APPLICATION);

        let t = whole(&[0x04, 0x81, 0x02, 0xaa, 0xbb]).unwrap();
        assert_eq!(t.contents, [0xaa, 0xbb]);
        let t = whole(&[0xbf, 0x81, 0x00, 0x00]).unwrap();
        assert_eq!((t.class, t.number), (CONTEXT, 128));
    }

    #[test]
    fn broken_encodings_are_refused() {
        for bad in [
            &[][..],
            &[0x31],
            &[0x31, 0x05, 0x80],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x80, 0x02, 0x01, 0x05],
            &[0x04, 0xff],
            &[0x04, 0x85, 1, 0, 0, 0, 0],
            &[0x1f, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00],
        ] {
            assert!(whole(bad).is_none(), "{bad:02x?}");
        }
        // Deeper indefinite nesting than any PPDU has.
        let deep: Vec<u8> = [[0x30, 0x80].repeat(40), [0x00, 0x00].repeat(40)].concat();
        assert!(whole(&deep).is_none());
    }
}
