//! The words a log line shows for every error and cause: one line, plain words, no Rust
//! debug forms (`Some(`, `Invalid(`, variant names) of nested values.

// A panic is how a test fails.
#![allow(clippy::panic, clippy::indexing_slicing)]

use osi_session::code::Code;
use osi_session::machine::{AbortCause, Error as MachineError, Rule, State};
use osi_session::{Error, Kind, Requirements, TokenItem, TransportDisconnect};

/// Fails unless `s` is one line of plain words.
fn plain(s: &str) {
    assert!(!s.is_empty(), "empty");
    assert!(!s.contains('\n'), "more than one line: {s}");
    for bad in [
        "Some(", "None", "Invalid(", "BadPdu(", "Session(", "Peer(", "{", "}", "Sta0", "Sta1",
        "Sta2", "Sta7",
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

fn codec_errors() -> Vec<Error> {
    vec![
        Error::Empty,
        Error::Truncated("SPDU"),
        Error::UnknownSi(75),
        Error::UnsupportedSi(0x80),
        Error::UnexpectedParameter {
            spdu: Kind::Abort,
            code: Code(20),
        },
        Error::MissingParameter {
            spdu: Kind::MinorSyncPoint,
            code: Code(42),
        },
        Error::DuplicateParameter(Code(16)),
        Error::BadLength {
            code: Code(17),
            len: 3,
        },
        Error::TooLong {
            code: Code(51),
            len: 17,
            max: 16,
        },
        Error::InvalidValue {
            code: Code(27),
            value: 5,
        },
        Error::BadSerialNumber {
            code: Code(42),
            octet: 0x41,
        },
        Error::SerialTooLong {
            code: Code(42),
            len: 20,
        },
        Error::UserDataTooLong {
            spdu: Kind::Connect,
            len: 10241,
            max: 10240,
        },
        Error::NeedsVersion2Only,
        Error::ExtendedUserDataTooShort(100),
        Error::BothUserData,
        Error::NotInVersion1 {
            spdu: Kind::GiveTokens,
            code: Code(193),
        },
        Error::SyncTypeMismatch(Kind::ActivityEnd),
        Error::ReasonCannotCarryData(0),
        Error::ExpeditedTooLong(15),
        Error::Misplaced(Kind::MinorSyncPoint),
        Error::NotAlone(Kind::Connect),
        Error::BadConcatenation {
            after: Kind::GiveTokens,
            then: Kind::Finish,
        },
        Error::BadConcatenationParameter(Kind::PleaseTokens),
        Error::FieldTooLong(70000),
        Error::BufferTooSmall {
            needed: 10,
            available: 4,
        },
    ]
}

fn rules() -> Vec<Rule> {
    let mut rules: Vec<Rule> = codec_errors().into_iter().map(Rule::Invalid).collect();
    rules.extend([
        Rule::Unexpected {
            spdu: Kind::Accept,
            state: State::Sta713,
        },
        Rule::FunctionalUnit {
            spdu: Kind::TypedData,
        },
        Rule::Tokens {
            spdu: Kind::DataTransfer,
            tokens: TokenItem(TokenItem::DATA),
        },
        Rule::Activity {
            spdu: Kind::ActivityStart,
            in_progress: true,
        },
        Rule::Activity {
            spdu: Kind::ActivityEnd,
            in_progress: false,
        },
        Rule::SerialNotNext {
            spdu: Kind::MinorSyncPoint,
            expected: 5,
            received: 7,
        },
        Rule::SerialNotOutstanding {
            spdu: Kind::MinorSyncAck,
            received: 9,
            va: 2,
            vm: 4,
        },
        Rule::SerialOutOfRange {
            spdu: Kind::MajorSyncPoint,
            received: 999_999,
        },
        Rule::MinorAckDirection,
        Rule::ResyncSerial {
            spdu: Kind::Resynchronize,
            received: 3,
        },
        Rule::WrongFlow {
            spdu: Kind::Expedited,
            expedited: false,
        },
        Rule::WrongFlow {
            spdu: Kind::DataTransfer,
            expedited: true,
        },
        Rule::ExpeditedBacklog,
        Rule::Unprepared {
            spdu: Kind::MajorSyncAck,
        },
        Rule::Negotiation("no common protocol version in AC"),
        Rule::ReleaseCollision,
        Rule::ReceiveCapacity {
            needed: 70000,
            available: 65536,
        },
    ]);
    rules
}

const STATES: [State; 30] = [
    State::Sta01,
    State::Sta01C,
    State::Sta01D,
    State::Sta02A,
    State::Sta02B,
    State::Sta03,
    State::Sta04A,
    State::Sta04B,
    State::Sta05A,
    State::Sta05B,
    State::Sta05C,
    State::Sta06,
    State::Sta08,
    State::Sta09,
    State::Sta10A,
    State::Sta10B,
    State::Sta11A,
    State::Sta11B,
    State::Sta11C,
    State::Sta15A,
    State::Sta15B,
    State::Sta15C,
    State::Sta15D,
    State::Sta16,
    State::Sta18,
    State::Sta19,
    State::Sta20,
    State::Sta21,
    State::Sta22,
    State::Sta713,
];

#[test]
fn every_codec_error_is_plain() {
    for e in codec_errors() {
        plain(&e.to_string());
    }
}

#[test]
fn every_rule_and_abort_cause_is_plain() {
    for rule in rules() {
        plain(&rule.to_string());
        plain(&AbortCause::ProtocolError(rule).to_string());
    }
    for bits in [0x05, 0x09, 0x11, 0x00, 0x85] {
        plain(&AbortCause::Peer(TransportDisconnect(bits)).to_string());
    }
    plain(&AbortCause::TransportLost.to_string());
}

#[test]
fn every_machine_error_is_plain() {
    let errors = [
        MachineError::State {
            request: "S-DATA request",
            state: State::Sta02A,
        },
        MachineError::FunctionalUnit {
            request: "S-TYPED-DATA request",
            unit: Requirements(Requirements::TYPED_DATA),
        },
        MachineError::Tokens {
            request: "S-DATA request",
            tokens: TokenItem(TokenItem::DATA),
        },
        MachineError::Activity {
            request: "S-ACTIVITY-START request",
            in_progress: true,
        },
        MachineError::Serial {
            request: "S-SYNC-MINOR response",
            serial: 12,
        },
        MachineError::Parameter {
            request: "S-U-EXCEPTION-REPORT request",
            why: "reason 6 is not allowed",
        },
        MachineError::Encode(Error::ExpeditedTooLong(15)),
        MachineError::TransmitFull {
            needed: 100,
            available: 10,
        },
        MachineError::EventsPending,
    ];
    for e in errors {
        plain(&e.to_string());
    }
}

#[test]
fn every_kind_state_and_bit_field_is_plain() {
    for k in Kind::ALL {
        let s = k.to_string();
        plain(&s);
        assert!(s.ends_with(&format!(" ({})", k.abbr())), "{s}");
    }
    for s in STATES {
        plain(&s.to_string());
        assert!(s.to_string().starts_with("STA"));
    }
    for bits in 0..=u8::MAX {
        plain(&TokenItem(bits).to_string());
        plain(&TransportDisconnect(bits).to_string());
    }
}

#[test]
fn exact_words() {
    assert_eq!(Kind::Connect.to_string(), "CONNECT (CN)");
    assert_eq!(State::Sta02A.to_string(), "STA02A");
    assert_eq!(
        TransportDisconnect(0x05).to_string(),
        "0x05 (release the transport connection, protocol error)"
    );
    assert_eq!(TokenItem(0).to_string(), "0x00 (none)");
    assert_eq!(
        TokenItem(0x81).to_string(),
        "0x81 (data token, reserved bits 0x80)"
    );
    assert_eq!(
        Requirements(0x0249).to_string(),
        "0x0249 (half-duplex, minor synchronize, activity management, exceptions)"
    );
    assert_eq!(
        Rule::SerialNotNext {
            spdu: Kind::MinorSyncPoint,
            expected: 5,
            received: 7,
        }
        .to_string(),
        "MINOR SYNC POINT (MIP) with serial number 7 where 5 was the next (X.225 Annex A p19)"
    );
    assert_eq!(
        AbortCause::ProtocolError(Rule::Invalid(Error::UnknownSi(75))).to_string(),
        "session protocol error: the TSDU does not decode: SPDU identifier 75 (0x4b) is not a \
         known SPDU (X.225 8.3); sent AB (protocol error)"
    );
    assert_eq!(
        AbortCause::ProtocolError(Rule::ReceiveCapacity {
            needed: 70000,
            available: 65536
        })
        .to_string(),
        "session protocol error: the user data received needs 70000 octets, the receive buffer \
         has 65536 free; sent AB (implementation restriction)"
    );
    assert_eq!(
        AbortCause::Peer(TransportDisconnect(0x05)).to_string(),
        "the peer's session entity aborted the connection: AB with transport disconnect 0x05 \
         (release the transport connection, protocol error)"
    );
    assert_eq!(
        Error::MissingParameter {
            spdu: Kind::Abort,
            code: Code(17)
        }
        .to_string(),
        "ABORT (AB) lacks parameter 17 (Transport Disconnect), which X.225 8.3 makes mandatory"
    );
    // The decode example quotes these words.
    assert!(
        Error::Misplaced(Kind::MinorSyncPoint)
            .to_string()
            .starts_with("MIP cannot stand")
    );
}

/// `cargo test -p osi-session --test display -- --nocapture print` shows the lines.
#[test]
fn print() {
    for rule in rules() {
        println!("{}", AbortCause::ProtocolError(rule));
    }
    println!("{}", AbortCause::Peer(TransportDisconnect(0x05)));
    println!("{}", AbortCause::TransportLost);
}
