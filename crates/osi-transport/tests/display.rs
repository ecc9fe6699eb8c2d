//! The words a log line shows for every error and disconnect cause: one line, plain words,
//! no Rust debug forms (`Some(`, variant names) of nested values.

// A panic is how a test fails.
#![allow(clippy::panic, clippy::indexing_slicing)]

use osi_transport::tp0::DisconnectCause;
use osi_transport::{DisconnectReason, Error, ParamCode, RejectCause};

/// Fails unless `s` is one line of plain words.
fn plain(s: &str) {
    assert!(!s.is_empty(), "empty");
    assert!(!s.contains('\n'), "more than one line: {s}");
    for bad in [
        "Some(", "None", "Invalid(", "BadPdu(", "Session(", "Peer(", "{", "}",
    ] {
        assert!(!s.contains(bad), "{bad:?} in {s}");
    }
    // A Rust variant or type name: a lower-case letter followed by an upper-case one.
    for word in s.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        let b = word.as_bytes();
        assert!(
            !b.windows(2)
                .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase()),
            "{word:?} in {s}"
        );
    }
}

fn errors() -> Vec<Error> {
    vec![
        Error::Empty,
        Error::ReservedLi,
        Error::LiBeyondData {
            li: 17,
            needed: 18,
            available: 6,
        },
        Error::LiTooSmall {
            tpdu: "CR",
            li: 3,
            min: 6,
        },
        Error::UnknownTpduCode(0x90),
        Error::ParamOverrun { code: 0xc1, at: 7 },
        Error::ParamLength {
            code: 0xc0,
            len: 2,
            at: 7,
        },
        Error::ParamValue {
            code: 0xc0,
            reason: "TPDU size code has no defined size",
            at: 7,
        },
        Error::ParamValue {
            code: 0x99,
            reason: "must be 1 to 4 octets",
            at: 9,
        },
        Error::InvalidField {
            field: "class",
            reason: "class 5 is not defined",
            at: 6,
        },
        Error::HeaderTooLong(300),
        Error::BufferTooSmall {
            needed: 10,
            available: 4,
        },
        Error::Tpkt(osi_tpkt::Error::UnsupportedVersion(2)),
        Error::InvalidState {
            state: "OPEN",
            what: "connect",
        },
        Error::TooLong {
            what: "connect data",
            len: 40,
            max: 32,
        },
        Error::Config("max_tpdu_size must be 128..=65531"),
    ]
}

fn tp0_causes() -> Vec<DisconnectCause> {
    let mut causes = vec![
        DisconnectCause::Refused(DisconnectReason::NEGOTIATION_FAILED),
        DisconnectCause::Released(DisconnectReason::NORMAL),
        DisconnectCause::Released(DisconnectReason(0x42)),
        DisconnectCause::ErrorReceived(RejectCause::INVALID_TPDU_TYPE),
        DisconnectCause::ProtocolError {
            cause: RejectCause::INVALID_TPDU_TYPE,
            error: None,
        },
        DisconnectCause::RefusedByUs(DisconnectReason::NEGOTIATION_FAILED),
        DisconnectCause::Unacceptable("a second CR on the network connection"),
        DisconnectCause::TsduTooLong { max: 65536 },
        DisconnectCause::Timeout,
        DisconnectCause::NetworkClosed,
        DisconnectCause::Framing(osi_tpkt::Error::LengthTooSmall(6)),
    ];
    causes.extend(
        errors()
            .into_iter()
            .map(|e| DisconnectCause::ProtocolError {
                cause: RejectCause::INVALID_PARAM_VALUE,
                error: Some(e),
            }),
    );
    causes
}

#[test]
fn every_error_and_code_point_is_plain() {
    for e in errors() {
        plain(&e.to_string());
    }
    for v in 0..=u8::MAX {
        plain(&DisconnectReason(v).to_string());
        plain(&RejectCause(v).to_string());
        plain(&ParamCode(v).to_string());
    }
}

#[test]
fn every_tp0_cause_is_plain() {
    for c in tp0_causes() {
        plain(&c.to_string());
    }
}

#[cfg(feature = "alloc")]
fn tp4_causes() -> Vec<osi_transport::tp4::DisconnectCause> {
    use osi_transport::tp4::DisconnectCause as C;
    vec![
        C::Peer(DisconnectReason::NORMAL),
        C::Refused(DisconnectReason::CONGESTION),
        C::PeerError(RejectCause::INVALID_PARAM_CODE),
        C::RetryLimit,
        C::Inactivity,
        C::ProtocolError("TSDU longer than max_tsdu_len"),
        C::NegotiationFailed,
    ]
}

#[cfg(feature = "alloc")]
#[test]
fn every_tp4_cause_is_plain() {
    for c in tp4_causes() {
        plain(&c.to_string());
    }
    assert_eq!(
        osi_transport::tp4::DisconnectCause::Inactivity.to_string(),
        "no TPDU arrived within the inactivity time; sent DR reason 0x00 (reason not specified)"
    );
}

#[test]
fn exact_words() {
    assert_eq!(
        DisconnectReason::NEGOTIATION_FAILED.to_string(),
        "0x82 (connection negotiation failed)"
    );
    assert_eq!(
        DisconnectReason(0x42).to_string(),
        "0x42 (not defined by X.224 13.5.3 e)"
    );
    assert_eq!(
        RejectCause::INVALID_PARAM_VALUE.to_string(),
        "0x03 (invalid parameter value)"
    );
    assert_eq!(
        DisconnectCause::NetworkClosed.to_string(),
        "the network connection closed"
    );
    assert_eq!(
        DisconnectCause::RefusedByUs(DisconnectReason::NEGOTIATION_FAILED).to_string(),
        "refused the peer's CR: sent DR reason 0x82 (connection negotiation failed)"
    );
    assert_eq!(
        DisconnectCause::ProtocolError {
            cause: RejectCause::INVALID_PARAM_VALUE,
            error: Some(Error::ParamLength {
                code: 0xc0,
                len: 2,
                at: 7
            }),
        }
        .to_string(),
        "the peer's TPDU breaks X.224: parameter 0xc0 (TPDU size) at octet 7 has invalid \
         length 2; sent ER cause 0x03 (invalid parameter value)"
    );
    // The decode example quotes these words.
    assert!(Error::ReservedLi.to_string().contains("reserved"));
}

/// `cargo test -p osi-transport --test display -- --nocapture print` shows the lines.
#[test]
fn print() {
    for c in tp0_causes() {
        println!("{c}");
    }
    #[cfg(feature = "alloc")]
    for c in tp4_causes() {
        println!("{c}");
    }
}
