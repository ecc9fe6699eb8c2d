//! The class 4 checksum (X.224 6.17 and Annex D): a Fletcher-style sum modulo 255 over the
//! whole TPDU, carried in parameter C3.

use crate::code::ParamCode;
use crate::{Error, Result, Tpdu};

/// Running sums C0 = Σ a_i and C1 = Σ C0 after each octet, both mod 255 (Annex D.2).
fn sums(tpdu: &[u8]) -> (u32, u32) {
    // Reduce each step: no overflow whatever the length (4.4BSD's netiso `iso_chksum.c`
    // defers the modulo and must cap TPDUs at 4096 octets for it).
    tpdu.iter().fold((0u32, 0u32), |(c0, c1), &a| {
        let c0 = (c0 + u32::from(a)) % 255;
        (c0, (c1 + c0) % 255)
    })
}

/// Whether a TPDU (LI to the last data octet) passes the Annex D.4 check: C0 ≡ C1 ≡ 0.
///
/// The check needs no knowledge of where the checksum parameter is.
pub fn verify(tpdu: &[u8]) -> bool {
    sums(tpdu) == (0, 0)
}

/// Computes the checksum of an encoded TPDU into its C3 parameter (Annex D.3).
///
/// The X and Y octets are overwritten whatever they held. A computed octet of 0 is written
/// as 0xFF, equal modulo 255, because Wireshark shows a C3 of `00 00` as absent.
///
/// # Errors
///
/// The decoder's errors for a malformed TPDU; [`Error::InvalidField`] if it has no C3
/// parameter of length 2.
pub fn fill(tpdu: &mut [u8]) -> Result<()> {
    let at = {
        let params = Tpdu::decode(tpdu)?.0.params();
        params
            .raw_iter()
            .filter(|(code, value, _)| *code == ParamCode::CHECKSUM.0 && value.len() == 2)
            .map(|(_, _, at)| at)
            .last()
            .ok_or(Error::InvalidField {
                field: "checksum",
                reason: "TPDU has no C3 parameter of length 2",
                at: 0,
            })?
    };
    // X is at 0-based index at + 2, i.e. 1-based position n = at + 3.
    let x_idx = at + 2;
    let slot = tpdu.get_mut(x_idx..x_idx + 2).ok_or(Error::InvalidField {
        field: "checksum",
        reason: "out of range",
        at,
    })?;
    slot.copy_from_slice(&[0, 0]);
    let (c0, c1) = sums(tpdu);
    let l = u32::try_from(tpdu.len() % 255).unwrap_or(0);
    let n = u32::try_from((x_idx + 1) % 255).unwrap_or(0);
    // X = -C1 + (L - n)·C0, Y = C1 - (L - n + 1)·C0, all mod 255 (terms kept non-negative).
    let l_n = (l + 255 - n) % 255;
    let x = (255 - c1 + l_n * c0) % 255;
    let y = (c1 + 255 - ((l_n + 1) % 255) * c0 % 255) % 255;
    let octet = |v: u32| {
        if v == 0 {
            0xff
        } else {
            u8::try_from(v).unwrap_or(0xff)
        }
    };
    if let Some(slot) = tpdu.get_mut(x_idx..x_idx + 2) {
        slot.copy_from_slice(&[octet(x), octet(y)]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use hex_literal::hex;

    use super::*;

    /// Vectors computed with Annex D.3, verified by D.4 and cross-checked with 4.4BSD's
    /// `iso_gen_csum` formula.
    const VECTORS: [&[u8]; 9] = [
        &hex!("08 6A 12 34 01 C3 02 12 6E"),
        &hex!("08 F0 12 34 80 C3 02 BD A6 68 65 6C 6C 6F"),
        &hex!("0D 60 12 34 00 00 00 01 00 0A C3 02 83 F7"),
        &hex!(
            "25 E4 00 00 00 01 40 C1 02 00 01 C2 02 00 02 C0 01 0A C4 01 01 C6 01 01 85 02 13 88 F2 04 00 02 BF 20 C3 02 55 B6"
        ),
        &hex!(
            "22 D4 00 01 00 42 40 C1 02 00 01 C2 02 00 02 C0 01 0A C6 01 01 85 02 13 88 F2 04 00 02 BF 20 C3 02 EF B3"
        ),
        &hex!("08 64 00 42 00 C3 02 66 25"),
        &hex!("08 F0 00 42 80 C3 02 E3 84 68 65 6C 6C 6F"),
        &hex!("0A 80 00 42 00 01 80 C3 02 F0 FA"),
        &hex!("09 C0 00 01 00 42 C3 02 4A E2"),
    ];

    #[test]
    fn worked_vectors_verify() {
        for v in VECTORS {
            assert!(verify(v), "{v:02x?}");
        }
    }

    #[test]
    fn fill_reproduces_worked_vectors() {
        for v in VECTORS {
            let mut t = v.to_vec();
            let len = t.len();
            // Scramble the checksum octets, then recompute.
            let pos = t.windows(2).rposition(|w| w == [0xc3, 0x02]).unwrap() + 2;
            t[pos] = 0x11;
            t[pos + 1] = 0x22;
            fill(&mut t).unwrap();
            assert_eq!(t.len(), len);
            assert_eq!(&t[..], v, "recomputed checksum differs");
        }
    }

    #[test]
    fn corrupted_octet_fails() {
        let mut v = VECTORS[1].to_vec();
        v[10] ^= 1;
        assert!(!verify(&v));
    }

    #[test]
    fn fill_needs_c3() {
        let mut dt = hex!("02 f0 80 41");
        assert!(matches!(
            fill(&mut dt),
            Err(Error::InvalidField {
                field: "checksum",
                ..
            })
        ));
    }
}
