//! Oracles for `osi-transport`.

use crate::transport::{Params, Tpdu, checksum};

/// TPDU codec: every TPDU the decoder accepts re-encodes to exactly the octets it used and
/// decodes again to the same value; the input is walked as a concatenated NSDU (X.224 6.4),
/// so the octets after a data-less TPDU are decoded too. Each typed parameter re-encodes to
/// its own octets. Filling the checksum of a TPDU with a C3 parameter makes it verify.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn transport_tpdu(data: &[u8]) {
    let mut rest = data;
    while let Ok((t, used)) = Tpdu::decode(rest) {
        assert!(
            0 < used && used <= rest.len(),
            "used {used} of {}",
            rest.len()
        );
        assert_eq!(
            t.encoded_len(),
            used,
            "encoded_len differs from octets used"
        );
        let mut out = vec![0xa5; used + 1];
        assert_eq!(t.encode(&mut out), Ok(used), "encode length differs");
        assert_eq!(
            &out[..used],
            &rest[..used],
            "{} re-encodes differently",
            t.name()
        );
        assert_eq!(out[used], 0xa5, "encode wrote past its length");
        let (again, n) = Tpdu::decode(&out[..used]).expect("re-encoded TPDU must decode");
        assert_eq!((again, n), (t, used), "re-decoded value differs");
        params_reencode(&t.params());
        if t.params()
            .raw_iter()
            .any(|(code, v, _)| code == 0xc3 && v.len() == 2)
        {
            let mut c = rest[..used].to_vec();
            checksum::fill(&mut c).expect("a decodable TPDU with C3 can be checksummed");
            assert!(checksum::verify(&c), "filled checksum does not verify");
        }
        if used == rest.len() {
            break;
        }
        rest = &rest[used..];
    }
}

/// Each parameter the iterator types re-encodes to the octets it came from.
fn params_reencode(params: &Params<'_>) {
    let raw = params.raw_iter();
    let mut count = 0;
    for ((code, value, _), typed) in raw.zip(params.iter()) {
        count += 1;
        let Ok(p) = typed else { continue };
        let mut want = vec![
            code,
            u8::try_from(value.len()).expect("a parameter length is one octet"),
        ];
        want.extend_from_slice(value);
        let mut got = vec![0; p.encoded_len()];
        assert_eq!(
            p.encode(&mut got),
            Ok(want.len()),
            "parameter {code:#04x} length"
        );
        assert_eq!(got, want, "parameter {code:#04x} re-encodes differently");
    }
    assert_eq!(
        count,
        params.iter().count(),
        "raw and typed iterators disagree"
    );
}
