//! The contents rules of the two universal types every OSI upper-layer codec reads and
//! borrows: OBJECT IDENTIFIER (X.690 §8.19) and BIT STRING (X.690 §8.6). The codecs keep
//! their own `Oid` and `BitString` types (with their protocol's named values and typed
//! errors); the octet rules are X.690's and live here once.

use core::fmt;

/// Checks the contents octets of an OBJECT IDENTIFIER (X.690 §8.19.2): not empty, no
/// subidentifier padded with a leading 0x80, the last one ending (bit 8 clear). Returns the
/// number of arcs, the first subidentifier counting two (X.690 §8.19.4), or `None`.
/// Whether each subidentifier fits 64 bits is [`oid_fits_u64`]'s question.
#[must_use]
pub fn oid_arc_count(contents: &[u8]) -> Option<usize> {
    let mut arcs = 1usize;
    let mut starts = true;
    for &b in contents {
        // A leading 0x80 pads a subidentifier (X.690 §8.19.2).
        if starts && b == 0x80 {
            return None;
        }
        starts = b & 0x80 == 0;
        if starts {
            arcs += 1;
        }
    }
    (!contents.is_empty() && starts).then_some(arcs)
}

/// The subidentifiers of OBJECT IDENTIFIER contents (X.690 §8.19.2: base 128, bit 8 set on
/// all but the last octet of each), `None` for one above 64 bits.
pub fn oid_subidentifiers(contents: &[u8]) -> impl Iterator<Item = Option<u64>> + '_ {
    let mut rest = contents;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut v = 0u64;
        while let Some((&b, after)) = rest.split_first() {
            rest = after;
            let Some(next) = v.checked_mul(128) else {
                rest = &[];
                return Some(None);
            };
            v = next | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        Some(Some(v))
    })
}

/// Whether every subidentifier fits 64 bits, the widest arc the codecs represent.
#[must_use]
pub fn oid_fits_u64(contents: &[u8]) -> bool {
    oid_subidentifiers(contents).all(|s| s.is_some())
}

/// The arcs of valid OBJECT IDENTIFIER contents, the first two split out of the first
/// subidentifier (X.690 §8.19.4: 40·X + Y, X at most 2).
pub fn oid_arcs(contents: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let mut subs = oid_subidentifiers(contents).map(Option::unwrap_or_default);
    let first = subs.next().unwrap_or_default();
    let (a, b) = match first {
        0..40 => (0, first),
        40..80 => (1, first - 40),
        _ => (2, first - 80),
    };
    [a, b].into_iter().chain(subs)
}

/// Writes valid OBJECT IDENTIFIER contents in dotted decimal, e.g. `2.1.1`.
///
/// # Errors
///
/// Whatever `f` returns.
pub fn fmt_oid(contents: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, arc) in oid_arcs(contents).enumerate() {
        if i > 0 {
            f.write_str(".")?;
        }
        write!(f, "{arc}")?;
    }
    Ok(())
}

/// Whether `unused` bits of the last of `octets` can be a BIT STRING (X.690 §8.6.2.2-3):
/// at most 7, and none without octets.
#[must_use]
pub const fn bit_string_ok(unused: u8, octets: &[u8]) -> bool {
    unused <= 7 && !(octets.is_empty() && unused != 0)
}

/// Number of bits of a valid BIT STRING.
#[must_use]
pub const fn bit_string_len(unused: u8, octets: &[u8]) -> usize {
    (octets.len() * 8).saturating_sub(unused as usize)
}

/// Whether bit `n` of a valid BIT STRING is present and set. Bit 0 is the first, most
/// significant bit of the first octet, as X.680 §22.6 numbers named bits.
#[must_use]
pub fn bit_string_bit(unused: u8, octets: &[u8], n: usize) -> bool {
    n < bit_string_len(unused, octets)
        && octets
            .get(n / 8)
            .is_some_and(|b| b & (0x80 >> (n % 8)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_rules() {
        assert_eq!(oid_arc_count(&[0x51, 0x01]), Some(3));
        assert_eq!(oid_arc_count(&[]), None);
        assert_eq!(oid_arc_count(&[0x80, 0x01]), None);
        assert_eq!(oid_arc_count(&[0x81]), None);
        assert!(!oid_fits_u64(&[0xff; 11]));
        assert!(oid_arcs(&[0x52, 0x03, 0x01]).eq([2, 2, 3, 1]));
    }

    #[test]
    fn bit_string_rules() {
        assert!(bit_string_ok(7, &[0x80]) && !bit_string_ok(8, &[0]) && !bit_string_ok(1, &[]));
        assert_eq!(bit_string_len(7, &[0x80]), 1);
        assert!(bit_string_bit(7, &[0x80], 0) && !bit_string_bit(7, &[0x80], 1));
    }
}
