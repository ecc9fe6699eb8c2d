//! Helpers shared by the integration tests: the conformance kit's vectors and a minimal BER
//! walker used only to dig bind PDUs out of hand-made session frames.

#![allow(dead_code)]

use std::path::PathBuf;

/// The conformance kit's vectors this crate's tests read, copied into `tests/data`.
pub(crate) fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// `name -> octets` of one `vectors/*.tsv` file.
pub(crate) fn vectors(file: &str) -> Vec<(String, Vec<u8>)> {
    let path = data().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut c = l.split('\t');
            (c.next().unwrap().to_string(), unhex(c.next().unwrap()))
        })
        .collect()
}

pub(crate) fn vector(file: &str, name: &str) -> Vec<u8> {
    vectors(file)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no vector {name} in {file}"))
        .1
}

/// One definite-length TLV at the start of `d`: (tag octet, contents, whole TLV length).
pub(crate) fn tlv(d: &[u8]) -> (u8, &[u8], usize) {
    let tag = d[0];
    let (len, hdr) = match d[1] {
        n if n < 0x80 => (n as usize, 2),
        0x81 => (d[2] as usize, 3),
        0x82 => (((d[2] as usize) << 8) | d[3] as usize, 4),
        n => panic!("length form {n:#x} not used by the kit"),
    };
    (tag, &d[hdr..hdr + len], hdr + len)
}

/// The contents of the first child of constructed contents `d` with tag `tag`.
pub(crate) fn child(mut d: &[u8], tag: u8) -> &[u8] {
    while !d.is_empty() {
        let (t, c, n) = tlv(d);
        if t == tag {
            return c;
        }
        d = &d[n..];
    }
    panic!("no child with tag {tag:#04x}")
}

/// The session user data (PGI 193) of a TPKT + COTP DT + CN/AC frame.
pub(crate) fn spdu_user_data(frame: &[u8]) -> &[u8] {
    let spdu = &frame[7..]; // TPKT header (4) + COTP DT (02 f0 80)
    let mut params = &spdu[2..2 + spdu[1] as usize];
    while !params.is_empty() {
        let (code, len) = (params[0], params[1] as usize);
        if code == 0xc1 {
            return &params[2..2 + len];
        }
        params = &params[2 + len..];
    }
    panic!("no PGI 193")
}

/// The P1 bind inside a PConnect (`[3]` ConnectionData) or PAccept (`[2]`): `open [0]`'s contents.
pub(crate) fn bind_in(frame: &[u8], connection_data_tag: u8) -> Vec<u8> {
    let (_, pdu, _) = tlv(spdu_user_data(frame));
    let user = child(pdu, 0xa1);
    let cd = child(user, connection_data_tag);
    child(cd, 0xa0).to_vec()
}

/// The user information of a TPKT + COTP DT + GT + DT frame (X.410 mode: raw APDU octets).
pub(crate) fn dt_user_information(frame: &[u8]) -> &[u8] {
    let spdus = &frame[7..];
    assert_eq!(&spdus[..2], [0x01, 0x00], "GIVE TOKENS, empty");
    let dt = &spdus[2..];
    assert_eq!(dt[0], 0x01, "DATA TRANSFER");
    &dt[2 + dt[1] as usize..]
}
