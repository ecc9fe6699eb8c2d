//! Strict where it matters: malformed or foreign PDUs give the typed error that says why,
//! never a panic and never a silently wrong value.

#![allow(clippy::unwrap_used, clippy::std_instead_of_core)]

use hex_literal::hex;
use x400_rts::{
    AbortInformation, ConnectionData, DEFAULT_LIMITS, Error, PAccept, PConnect, PRefuse,
};

/// A PConnect whose pUserData contents are `user_data` (definite lengths).
fn pconnect(user_data: &[u8]) -> Vec<u8> {
    let mut inner = hex!("a0 03 80 01 00").to_vec();
    inner.push(0xa1);
    inner.push(u8::try_from(user_data.len()).unwrap());
    inner.extend(user_data);
    let mut out = vec![0x31, u8::try_from(inner.len()).unwrap()];
    out.extend(inner);
    out
}

const OPEN_NONE: [u8; 4] = hex!("a3 02 80 00");

#[test]
fn normal_mode_connect_is_not_x410() {
    // X.226 mode-selector 1: a normal-mode CP-type, not X.410-1984 mode.
    let wire = hex!("31 0b a0 03 80 01 01 a1 04 a3 02 80 00");
    let e = PConnect::decode(&wire).unwrap_err();
    assert!(matches!(e, Error::NotX410Mode { value: 1, .. }), "{e}");
    assert!(e.to_string().contains("normal mode"), "{e}");
    let wire = hex!("31 0b a0 03 80 01 01 a1 04 a2 02 80 00");
    assert!(matches!(
        PAccept::decode(&wire),
        Err(Error::NotX410Mode { value: 1, .. })
    ));
}

#[test]
fn trailing_octets_are_rejected_by_every_decoder() {
    let e = PConnect::decode(&[&pconnect(&OPEN_NONE)[..], &[0xaa]].concat()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::TrailingData {
                pdu: "PConnect",
                len: 1
            }
        ),
        "{e}"
    );
    let accept = hex!("31 0b a0 03 80 01 00 a1 04 a2 02 80 00 00");
    assert!(matches!(
        PAccept::decode(&accept),
        Err(Error::TrailingData { len: 1, .. })
    ));
    assert!(matches!(
        PRefuse::decode(&hex!("31 03 80 01 00 00 00")),
        Err(Error::TrailingData { len: 2, .. })
    ));
    assert!(matches!(
        AbortInformation::decode(&hex!("31 03 80 01 00 31")),
        Err(Error::TrailingData { len: 1, .. })
    ));
}

#[test]
fn missing_components() {
    let e = PConnect::decode(&pconnect(&hex!("80 01 01"))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MissingField {
                field: "connectionData",
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&hex!("31 06 a1 04 a3 02 80 00")).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MissingField {
                field: "dataTransferSyntax",
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&hex!("31 05 a0 03 80 01 00")).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MissingField {
                field: "pUserData",
                ..
            }
        ),
        "{e}"
    );
    assert!(matches!(
        PRefuse::decode(&hex!("31 00")),
        Err(Error::MissingField {
            field: "refuseReason",
            ..
        })
    ));
}

#[test]
fn duplicate_components() {
    let e = PConnect::decode(&pconnect(
        &[&hex!("80 01 01 80 01 02")[..], &OPEN_NONE].concat(),
    ))
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::DuplicateField {
                field: "checkpointSize",
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&pconnect(&[OPEN_NONE, OPEN_NONE].concat())).unwrap_err();
    assert!(
        matches!(
            e,
            Error::DuplicateField {
                field: "connectionData",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn integers_must_fit_u32_and_be_non_negative() {
    let e = PConnect::decode(&pconnect(&[&hex!("80 01 ff")[..], &OPEN_NONE].concat())).unwrap_err();
    assert!(
        matches!(
            e,
            Error::IntegerOutOfRange {
                field: "checkpointSize",
                value: -1,
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&pconnect(
        &[&hex!("81 05 01 00 00 00 00")[..], &OPEN_NONE].concat(),
    ))
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::IntegerOutOfRange {
                field: "windowSize",
                value: 0x1_0000_0000,
                ..
            }
        ),
        "{e}"
    );
    // Multi-octet and non-minimal but in range: fine (accepted leniently on receipt).
    let p = PConnect::decode(&pconnect(
        &[&hex!("80 02 00 80 81 03 00 00 05")[..], &OPEN_NONE].concat(),
    ))
    .unwrap();
    assert_eq!((p.checkpoint_size, p.window_size), (128, 5));
    assert!(matches!(
        PRefuse::decode(&hex!("31 03 80 01 ff")),
        Err(Error::IntegerOutOfRange { value: -1, .. })
    ));
    assert!(matches!(
        AbortInformation::decode(&hex!("31 03 80 01 80")),
        Err(Error::IntegerOutOfRange { value: -128, .. })
    ));
}

#[test]
fn wrong_forms() {
    let e = PConnect::decode(&pconnect(
        &[&hex!("a0 03 02 01 05")[..], &OPEN_NONE].concat(),
    ))
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::WrongForm {
                field: "checkpointSize",
                constructed: true,
                ..
            }
        ),
        "{e}"
    );
    // A primitive recover, and a primitive open with contents.
    let e = PConnect::decode(&pconnect(&hex!("a3 02 81 00"))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::WrongForm {
                field: "recover",
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&pconnect(&hex!("a3 03 80 01 00"))).unwrap_err();
    assert!(matches!(e, Error::WrongForm { field: "open", .. }), "{e}");
    // An INTEGER is primitive (X.690 §8.3.1), also where rasn alone would read it.
    assert!(matches!(
        PRefuse::decode(&hex!("31 03 a0 01 01")),
        Err(Error::WrongForm {
            field: "refuseReason",
            constructed: true,
            ..
        })
    ));
    let e = PConnect::decode(&hex!("31 0b a0 03 a0 01 00 a1 04 a3 02 80 00")).unwrap_err();
    assert!(
        matches!(
            e,
            Error::WrongForm {
                field: "dataTransferSyntax",
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&pconnect(&hex!("83 02 80 00"))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::WrongForm {
                field: "connectionData",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn unexpected_elements() {
    // A universal INTEGER has no place among the context-tagged user-data components.
    let e = PConnect::decode(&pconnect(&[&hex!("02 01 00")[..], &OPEN_NONE].concat())).unwrap_err();
    assert!(
        matches!(
            e,
            Error::UnexpectedElement {
                field: "pUserData",
                ..
            }
        ),
        "{e}"
    );
    // The outer SET is strict: only [0] and [1].
    let mut wire = pconnect(&OPEN_NONE);
    wire.extend(hex!("a2 00"));
    wire[1] += 2;
    let e = PConnect::decode(&wire).unwrap_err();
    assert!(matches!(e, Error::UnexpectedElement { .. }), "{e}");
    // ConnectionData is [0] or [1].
    let e = PConnect::decode(&pconnect(&hex!("a3 02 82 00"))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::UnexpectedElement {
                field: "connectionData",
                ..
            }
        ),
        "{e}"
    );
    // A stray end-of-contents inside a definite length (rasn refuses it as a value).
    let e = PConnect::decode(&pconnect(&[&hex!("00 00")[..], &OPEN_NONE].concat())).unwrap_err();
    assert!(matches!(e, Error::Ber { .. }), "{e}");
    // AbortInformation and PRefuse have fixed contents.
    assert!(matches!(
        AbortInformation::decode(&hex!("31 03 82 01 00")),
        Err(Error::UnexpectedElement { .. })
    ));
    assert!(matches!(
        PRefuse::decode(&hex!("31 06 80 01 00 81 01 00")),
        Err(Error::UnexpectedElement { .. })
    ));
}

#[test]
fn open_and_connection_data_hold_exactly_one_value() {
    let e = PConnect::decode(&pconnect(&hex!("a3 06 a0 04 05 00 05 00"))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NotOneValue {
                field: "open",
                count: 2,
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&pconnect(&hex!("a3 04 80 00 80 00"))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NotOneValue {
                field: "connectionData",
                count: 2,
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode(&pconnect(&hex!("a3 00"))).unwrap_err();
    assert!(
        matches!(
            e,
            Error::NotOneValue {
                field: "connectionData",
                count: 0,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn recover_with_a_sequence_tag_inside_is_malformed() {
    // recover is [1] IMPLICIT: the SEQUENCE contents follow A1 directly (X.410 (1984)). A 30
    // there is an encoding error, reported, not guessed at.
    let e = PConnect::decode(&pconnect(&hex!(
        "a3 0c a1 0a 30 08 14 01 41 17 03 39 34 5a"
    )))
    .unwrap_err();
    assert!(matches!(e, Error::Ber { .. }), "{e}");
}

#[test]
fn truncated_and_empty_input() {
    let wire = pconnect(&OPEN_NONE);
    for n in 0..wire.len() {
        assert!(PConnect::decode(&wire[..n]).is_err(), "prefix {n} accepted");
    }
    assert!(matches!(PRefuse::decode(&[]), Err(Error::Ber { .. })));
}

#[test]
fn configured_length_limit() {
    let wire = pconnect(&OPEN_NONE);
    let limits = DEFAULT_LIMITS.with_max_len(wire.len() - 1);
    let e = PConnect::decode_with(&wire, &limits).unwrap_err();
    assert!(
        matches!(e, Error::TooLong { max, .. } if max == wire.len() - 1),
        "{e}"
    );
    assert!(PConnect::decode_with(&wire, &DEFAULT_LIMITS.with_max_len(wire.len())).is_ok());
    let big = vec![0u8; x400_rts::DEFAULT_MAX_PDU_LEN + 1];
    assert!(matches!(PRefuse::decode(&big), Err(Error::TooLong { .. })));
}

#[test]
fn configured_nesting_and_element_limits() {
    let wire = pconnect(&OPEN_NONE);
    // The PConnect SET holds a [1] SET holding the parameters: three levels at least.
    let e = PConnect::decode_with(&wire, &DEFAULT_LIMITS.with_max_depth(2)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Shape {
                source: x400_rts::sansio::ber::Error::TooDeep { max: 2 },
                ..
            }
        ),
        "{e}"
    );
    let e = PConnect::decode_with(&wire, &DEFAULT_LIMITS.with_max_elements(3)).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Shape {
                source: x400_rts::sansio::ber::Error::TooManyElements { max: 3 },
                ..
            }
        ),
        "{e}"
    );
    assert!(PConnect::decode_with(&wire, &DEFAULT_LIMITS).is_ok());
    // 200 nested SETs: refused by the shape check, without recursion.
    let mut deep = Vec::new();
    for _ in 0..200 {
        deep.extend([0x31, 0x80]);
    }
    deep.extend([0x00; 400]);
    assert!(matches!(
        PConnect::decode(&deep),
        Err(Error::Shape {
            source: x400_rts::sansio::ber::Error::TooDeep { .. },
            ..
        })
    ));
}

#[test]
fn ber_errors_keep_rasn_error_as_source() {
    let e = PRefuse::decode(&hex!("31 05 80 01")).unwrap_err();
    assert!(std::error::Error::source(&e).is_some(), "{e}");
}

#[test]
fn encoder_refuses_open_data_that_is_not_one_value() {
    for bad in [
        &[][..],
        &hex!("05"),
        &hex!("05 00 05 00"),
        &hex!("04 05 00"),
    ] {
        let p = PConnect::new(ConnectionData::open(bad));
        assert!(
            matches!(p.encode(), Err(Error::InvalidOpenData)),
            "{bad:02x?}"
        );
    }
}
