//! The decoder's view of BER (X.690 §8.1): the shared reader of `osi-sansio`, with `None` for
//! octets that are not one whole value, since here they are simply not recognised. The
//! presentation layer uses it to tell the modes apart; it decodes no type.

pub use x400::sansio::ber::{Class, Tlv};

/// Tag classes (X.690 §8.1.2.2).
pub const UNIVERSAL: Class = Class::Universal;
pub const APPLICATION: Class = Class::Application;
pub const CONTEXT: Class = Class::Context;

/// Universal tag numbers (X.680 §8.4).
pub const SEQUENCE: u32 = 16;
pub const SET: u32 = 17;

/// Reads the value at the start of `data`. Returns it and the octets after it, or `None` if
/// the encoding is broken, cut short or nested deeper than any PPDU.
pub fn read(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    x400::sansio::ber::read(data).ok()
}

/// Reads `data` as exactly one value.
pub fn whole(data: &[u8]) -> Option<Tlv<'_>> {
    x400::sansio::ber::read_whole(data).ok()
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
