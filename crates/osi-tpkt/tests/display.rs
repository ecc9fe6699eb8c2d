//! The words a log line shows for every error: one line, plain words, no Rust debug forms.

use osi_tpkt::Error;

/// Fails unless `s` is one line of plain words.
fn plain(s: &str) {
    assert!(!s.is_empty(), "empty");
    assert!(!s.contains('\n'), "more than one line: {s}");
    for bad in ["Some(", "None", "{", "}", "Error", "Version(", "Length("] {
        assert!(!s.contains(bad), "{bad:?} in {s}");
    }
}

fn errors() -> [Error; 5] {
    [
        Error::UnsupportedVersion(2),
        Error::LengthTooSmall(6),
        Error::FrameTooLarge {
            len: 70000,
            max: 65535,
        },
        Error::PayloadLength(2),
        Error::BufferTooSmall {
            needed: 11,
            available: 4,
        },
    ]
}

#[test]
fn every_error_is_plain() {
    for e in errors() {
        plain(&e.to_string());
    }
    // The decode example quotes these words.
    assert!(
        Error::UnsupportedVersion(2)
            .to_string()
            .contains("version 2 is not supported")
    );
    assert!(
        Error::LengthTooSmall(6)
            .to_string()
            .contains("length 6 is below the minimum of 7")
    );
}

#[cfg(feature = "tokio")]
#[test]
fn every_codec_error_is_plain() {
    use osi_tpkt::CodecError;
    let io = CodecError::Io(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "connection reset by peer",
    ));
    assert_eq!(
        io.to_string(),
        "reading or writing the connection failed: connection reset by peer"
    );
    for e in errors() {
        let s = CodecError::Tpkt(e).to_string();
        plain(&s);
        assert_eq!(s, e.to_string());
    }
}
