//! The words a log line shows for a P1 error: one line, plain words, none of rasn's debug
//! forms (`Tag { class: .. }`, `Size(3)`, `Some(`) or its `(Codec: BER)` suffix.

#![allow(clippy::unwrap_used, clippy::panic)]

use x400_p1::mta_abstract_service::{MtaBindArgument, MtsApdu};
use x400_p1::p1_1984::Mpdu;
use x400_p1::{Error, decode};

/// Fails unless `s` is one line of plain words.
fn plain(s: &str) {
    assert!(!s.is_empty(), "empty");
    assert!(!s.contains('\n'), "more than one line: {s}");
    for bad in [
        "Some(",
        "None",
        "{",
        "}",
        "Codec",
        "Tag ",
        "Size(",
        "Context ",
        "Universal ",
    ] {
        assert!(!s.contains(bad), "{bad:?} in {s}");
    }
}

/// What the decoders say about broken input.
fn errors() -> Vec<Error> {
    let inputs: [&[u8]; 8] = [
        &[],
        &[0x30],
        &[0x04, 0x01, 0x00],
        &[0x30, 0x00],
        &[0x31, 0x00],
        &[0xa0, 0x00],
        &[0x30, 0x03, 0x02, 0x01, 0x00],
        &[0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x00],
    ];
    let mut out = Vec::new();
    for input in inputs {
        out.extend(decode::<Mpdu>(input).err());
        out.extend(decode::<MtsApdu>(input).err());
        out.extend(decode::<MtaBindArgument>(input).err());
    }
    out
}

#[test]
fn decode_errors_are_plain() {
    let errors = errors();
    assert!(
        errors.iter().any(|e| matches!(e, Error::Decode { .. })),
        "{errors:?}"
    );
    for e in errors {
        plain(&e.to_string());
    }
}

/// `cargo test -p x400-p1 --test display -- --nocapture print` shows the lines.
#[test]
fn print() {
    for e in errors() {
        println!("{e}");
    }
}
