//! Oracles for `osi-session`.

use osi_session::{Context, Si42, Spdus, Tsdu, Version};

/// The decoding context, chosen by the first octet of the fuzz input, so that every
/// context-dependent path is reached: bit 0 reads SI 42 as AEA instead of MAA, bit 1 allows
/// extended concatenation, bits 2–3 give the negotiated version (0 none, 1 version 1,
/// 2 version 2, 3 both bits).
pub fn session_context(selector: u8) -> Context {
    Context {
        version: match (selector >> 2) & 3 {
            0 => None,
            v => Some(Version(v)),
        },
        si42: if selector & 1 == 0 {
            Si42::MajorSyncAck
        } else {
            Si42::ActivityEndAck
        },
        extended_concatenation: selector & 2 != 0,
    }
}

/// SPDU codec: input = one context octet ([`session_context`]) + a TSDU.
///
/// Promises checked:
/// * the lazy iterator ([`Spdus`]) and [`Tsdu::decode`] agree;
/// * an accepted TSDU encodes (to exactly `encoded_len` octets) and decodes back to an equal
///   value, and that encoding is a fixed point (it re-encodes to itself);
/// * if the input was canonical (shortest lengths, increasing codes, nothing the decoder
///   normalises; see [`is_canonical`]), the encoding is the input, octet for octet.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn session_spdu(data: &[u8]) {
    let Some((&selector, tsdu)) = data.split_first() else {
        return;
    };
    let ctx = session_context(selector);
    let decoded = Tsdu::decode(tsdu, ctx);
    let lazy: Vec<_> = Spdus::new(tsdu, ctx).collect();
    match &decoded {
        Ok(t) => {
            assert_eq!(
                lazy.len(),
                t.len(),
                "iterator and Tsdu disagree on the count"
            );
            for (a, b) in lazy.iter().zip(t.iter()) {
                assert_eq!(a.as_ref(), Ok(b), "iterator and Tsdu disagree");
            }
        }
        Err(e) => assert_eq!(
            lazy.last(),
            Some(&Err(*e)),
            "iterator must end with the Tsdu error"
        ),
    }
    let Ok(t) = decoded else { return };
    let len = t
        .encoded_len()
        .expect("a decoded TSDU has an encodable length");
    let mut out = vec![0xa5; len];
    assert_eq!(
        t.encode(ctx.extended_concatenation, &mut out),
        Ok(len),
        "encode must fill encoded_len"
    );
    let again = Tsdu::decode(&out, ctx).expect("the encoding of a decoded TSDU must decode");
    assert_eq!(again, t, "decode(encode(v)) != v");
    let mut out2 = vec![0x5a; len];
    assert_eq!(again.encode(ctx.extended_concatenation, &mut out2), Ok(len));
    assert_eq!(out2, out, "the encoding is not a fixed point");
    if is_canonical(tsdu) {
        assert_eq!(out, tsdu, "canonical input re-encoded differently");
    }
}

/// Whether an accepted TSDU is in the form the encoder writes, judged from the octets
/// alone: every length in its shortest form, codes in increasing order at every level
/// (equal codes only among undefined ones), no zero-length value where the decoder reads
/// "absent" (X.225 §8.2.5), and MIA user data in PI 46 rather than PGI 193.
pub fn is_canonical(tsdu: &[u8]) -> bool {
    let mut rest = tsdu;
    let mut first = true;
    while let Some((&si, after)) = rest.split_first() {
        let Some((field, tail)) = split_unit(after) else {
            return false;
        };
        if !level_canonical(field, si == 50, true) {
            return false;
        }
        // DT (SI 1 after the first SPDU), TD and EX: user information to the end.
        if (si == 1 && !first) || si == 33 || si == 5 {
            return true;
        }
        rest = tail;
        first = false;
    }
    true
}

/// Splits `LI value...` into the value and what follows; `None` unless the LI is shortest.
fn split_unit(src: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, used) = match src {
        [0xff, hi, lo, ..] => {
            let n = usize::from(u16::from_be_bytes([*hi, *lo]));
            if n < 255 {
                return None;
            }
            (n, 3)
        }
        [n, ..] => (usize::from(*n), 1),
        [] => return None,
    };
    let value = src.get(used..used + len)?;
    Some((value, &src[used + len..]))
}

fn level_canonical(mut field: &[u8], mia: bool, top: bool) -> bool {
    // Codes whose zero-length value the decoder reads as absent.
    const DROPPED_WHEN_EMPTY: &[u8] = &[
        15, 16, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 42, 50, 53, 54, 55, 56, 57, 58, 60,
    ];
    let mut prev: Option<u8> = None;
    while let Some((&code, after)) = field.split_first() {
        let Some((value, tail)) = split_unit(after) else {
            return false;
        };
        let defined = osi_session::code::Code(code).is_defined();
        match prev {
            Some(p) if p > code || (p == code && defined) => return false,
            _ => {}
        }
        if defined && value.is_empty() && DROPPED_WHEN_EMPTY.contains(&code) {
            return false;
        }
        if mia && top && code == 193 {
            return false;
        }
        if top && matches!(code, 1 | 5 | 33) && !level_canonical(value, mia, false) {
            return false;
        }
        prev = Some(code);
        field = tail;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeds must reach past the decoder's errors: most are valid TSDUs, and the
    /// canonical ones are recognised as such.
    #[test]
    fn seeds_decode_and_canonical_ones_are_recognised() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/session_spdu");
        let (mut total, mut ok, mut canonical) = (0, 0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            total += 1;
            if Tsdu::decode(&data[1..], session_context(data[0])).is_ok() {
                ok += 1;
                canonical += usize::from(is_canonical(&data[1..]));
            }
            session_spdu(&data);
        }
        assert!(ok * 10 >= total * 8, "only {ok} of {total} seeds decode");
        assert!(
            canonical + 5 >= ok,
            "only {canonical} of {ok} decoded seeds are canonical"
        );
    }

    #[test]
    fn canonical_form_judged_from_octets() {
        assert!(is_canonical(&[
            0x01, 0x03, 0x10, 0x01, 0x01, 0x01, 0x00, 0xff, 0xff
        ]));
        // Long-form LI for a short length; codes out of order; an empty PI 17.
        assert!(!is_canonical(&[0x01, 0xff, 0x00, 0x03, 0x10, 0x01, 0x01]));
        assert!(!is_canonical(&[
            0x0d, 0x08, 0x34, 0x02, 0x00, 0x01, 0x33, 0x02, 0x00, 0x01
        ]));
        assert!(!is_canonical(&[0x09, 0x02, 0x11, 0x00]));
        // Inside PGI 5 as well.
        assert!(!is_canonical(&[
            0x0d, 0x08, 0x05, 0x06, 0x16, 0x01, 0x02, 0x13, 0x01, 0x00
        ]));
        // MIA user data in PGI 193 is re-sent as PI 46.
        assert!(!is_canonical(&[
            0x02, 0x00, 0x32, 0x06, 0x2a, 0x01, 0x31, 0xc1, 0x01, 0x75
        ]));
        // Undefined codes may repeat.
        assert!(is_canonical(&[0x0a, 0x04, 0x63, 0x00, 0x63, 0x00]));
    }
}
