//! The words a log line shows for every error, abort cause and refusal: one line, plain
//! words, no Rust debug forms (`Some(`, `BadPdu(`, `Tag { .. }`) of nested values.

#![allow(clippy::unwrap_used, clippy::panic, clippy::std_instead_of_core)]

use hex_literal::hex;
use osi_session::machine::{Error as SessionError, Rule, State};
use osi_session::{Error as CodecError, Kind};
use x400_rts::machine::{AbortCause, Error as MachineError, Refusal};
use x400_rts::rasn::types::{Class, Tag};
use x400_rts::{
    AbortInformation, AbortReason, ApplicationProtocol, DialogueMode, Error, PAccept, PConnect,
    PRefuse, RefuseReason,
};

/// Fails unless `s` is one line of plain words.
fn plain(s: &str) {
    assert!(!s.is_empty(), "empty");
    assert!(!s.contains('\n'), "more than one line: {s}");
    for bad in [
        "Some(",
        "None",
        "Invalid(",
        "BadPdu(",
        "Session(",
        "Peer(",
        "Protocol(",
        "Local(",
        "Rts(",
        "RefuseReason(",
        "AbortReason(",
        "ApplicationProtocol(",
        "Size(",
        "{",
        "}",
        "Codec",
        "Tag ",
        "Context ",
        "Universal ",
        "Sta0",
    ] {
        assert!(!s.contains(bad), "{bad:?} in {s}");
    }
    let without_asn1_name = s.replace("unacceptableDialogueMode(", "");
    assert!(!without_asn1_name.contains("DialogueMode("), "{s}");
}

/// What the decoders say about broken input, as the peer might send it.
fn decode_errors() -> Vec<Error> {
    let inputs: [&[u8]; 12] = [
        &[],
        &hex!("31"),
        &hex!("31 05 a0 03 80"),
        &hex!("30 00"),
        &hex!("31 00"),
        &hex!("31 03 80 01 00 00 00"),
        &hex!("31 0b a0 03 80 01 01 a1 04 a3 02 80 00"),
        &hex!("31 0a a0 03 80 01 00 a1 03 04 01 00"),
        &hex!("31 08 a0 03 80 01 00 a0 01 00"),
        &hex!("31 06 80 01 00 80 01 00"),
        &hex!("31 05 a0 03 04 01 00"),
        &hex!("31 03 80 01 ff"),
    ];
    let mut out = Vec::new();
    for input in inputs {
        out.extend(PConnect::decode(input).err());
        out.extend(PAccept::decode(input).err());
        out.extend(PRefuse::decode(input).err());
        out.extend(AbortInformation::decode(input).err());
    }
    out
}

fn made_errors() -> Vec<Error> {
    vec![
        Error::TrailingData {
            pdu: "PRefuse",
            len: 2,
        },
        Error::TooLong {
            pdu: "PConnect",
            len: 70000,
            max: 65536,
        },
        Error::NotX410Mode {
            pdu: "PConnect",
            value: 1,
        },
        Error::MissingField {
            pdu: "PConnect",
            field: "pUserData",
        },
        Error::DuplicateField {
            pdu: "PAccept",
            field: "checkpointSize",
        },
        Error::UnexpectedElement {
            pdu: "PConnect",
            field: "pUserData",
            tag: Tag::new(Class::Context, 7),
        },
        Error::UnexpectedElement {
            pdu: "PConnect",
            field: "PConnect",
            tag: Tag::new(Class::Universal, 4),
        },
        Error::WrongForm {
            pdu: "PConnect",
            field: "open",
            constructed: false,
        },
        Error::IntegerOutOfRange {
            pdu: "PRefuse",
            field: "refuseReason",
            value: -1,
        },
        Error::NotOneValue {
            pdu: "PConnect",
            field: "open",
            count: 2,
        },
        Error::InvalidOpenData,
    ]
}

fn abort_causes() -> Vec<AbortCause> {
    let mut causes = vec![
        AbortCause::Peer(None),
        AbortCause::Peer(Some(AbortReason::PROTOCOL_ERROR)),
        AbortCause::Peer(Some(AbortReason(99))),
        AbortCause::Protocol("a second CN"),
        AbortCause::BadPdu(
            Error::MissingField {
                pdu: "PConnect",
                field: "pUserData",
            }
            .to_string(),
        ),
        AbortCause::Local(AbortReason::TEMPORARY_PROBLEM),
        AbortCause::Session(Rule::Invalid(CodecError::UnsupportedSi(9))),
        AbortCause::Session(Rule::Invalid(CodecError::UnknownSi(75))),
        AbortCause::Session(Rule::SerialNotNext {
            spdu: Kind::MinorSyncPoint,
            expected: 5,
            received: 7,
        }),
        AbortCause::Session(Rule::ReceiveCapacity {
            needed: 70000,
            available: 65536,
        }),
        AbortCause::Provider,
    ];
    for r in 0..10 {
        causes.push(AbortCause::Peer(Some(AbortReason(r))));
        causes.push(AbortCause::Local(AbortReason(r)));
    }
    causes.extend(
        decode_errors()
            .into_iter()
            .chain(made_errors())
            .map(|e| AbortCause::BadPdu(e.to_string())),
    );
    causes
}

fn refusals() -> Vec<Refusal> {
    let mut out: Vec<Refusal> = (0..6).map(|r| Refusal::Rts(RefuseReason(r))).collect();
    out.extend([0, 1, 2, 129, 133, 200].map(Refusal::Session));
    out
}

#[test]
fn every_error_is_plain() {
    let errors = decode_errors();
    assert!(errors.len() > 20, "{}", errors.len());
    for e in errors.into_iter().chain(made_errors()) {
        plain(&e.to_string());
    }
}

#[test]
fn every_machine_error_is_plain() {
    let errors = [
        MachineError::Request {
            request: "TRANSFER.request",
            why: "the turn is the peer's",
        },
        MachineError::Session(SessionError::State {
            request: "S-DATA request",
            state: State::Sta02A,
        }),
        MachineError::Pdu(Error::InvalidOpenData),
    ];
    for e in errors {
        plain(&e.to_string());
    }
}

#[test]
fn every_cause_refusal_and_code_is_plain() {
    for c in abort_causes() {
        plain(&c.to_string());
    }
    for r in refusals() {
        plain(&r.to_string());
    }
    for v in [0, 1, 2, 3, 4, 12, 128, 132, u32::MAX] {
        plain(&DialogueMode(v).to_string());
        plain(&ApplicationProtocol(v).to_string());
        plain(&RefuseReason(v).to_string());
        plain(&AbortReason(v).to_string());
    }
}

#[test]
fn exact_words() {
    assert_eq!(
        AbortCause::Peer(Some(AbortReason::PROTOCOL_ERROR)).to_string(),
        "the peer aborted the association with reason protocolError(4): the protocol was broken"
    );
    assert_eq!(
        AbortCause::Peer(None).to_string(),
        "the peer aborted the association without a reason"
    );
    assert_eq!(
        AbortCause::BadPdu("PConnect: pUserData is missing".into()).to_string(),
        "a PDU from the peer did not decode: PConnect: pUserData is missing; this side ended \
         the association"
    );
    assert_eq!(
        AbortCause::Session(Rule::Invalid(CodecError::UnknownSi(75))).to_string(),
        "session protocol error: the TSDU does not decode: SPDU identifier 75 (0x4b) is not a \
         known SPDU (X.225 8.3); sent AB (protocol error)"
    );
    assert_eq!(
        Refusal::Rts(RefuseReason::VALIDATION_FAILURE).to_string(),
        "the responder refused the association with PRefuse validationFailure(2): the responder \
         refused the open data, e.g. the MTA name or password"
    );
    assert_eq!(
        ApplicationProtocol(132).to_string(),
        "132 (a value X.410 does not name)"
    );
    assert_eq!(
        Error::UnexpectedElement {
            pdu: "PConnect",
            field: "pUserData",
            tag: Tag::new(Class::Context, 7),
        }
        .to_string(),
        "PConnect: unexpected element [7] in pUserData"
    );
    // The decode example quotes these words.
    assert!(
        RefuseReason::CANNOT_RECOVER
            .to_string()
            .starts_with("cannotRecover(1)")
    );
    assert!(
        AbortReason::INVALID_PARAMETER
            .to_string()
            .starts_with("invalidParameter(1)")
    );
}

/// `cargo test -p x400-rts --test display -- --nocapture print` shows the lines.
#[test]
fn print() {
    for c in abort_causes() {
        println!("{c}");
    }
    for r in refusals() {
        println!("{r}");
    }
}
