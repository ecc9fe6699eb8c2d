//! Every error path of the decoders, each with the typed error it gives, and round trips of
//! every PPDU type built by hand.

// The helpers outside the #[test] functions fail the test the same way.
#![allow(clippy::unwrap_used)]

mod common;

use common::{hex, vector};
use osi_presentation::*;
use osi_sansio::ber;

fn with(set: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::DEFAULT;
    set(&mut limits);
    limits
}

fn cp(s: &str) -> Result<Connect<'static>> {
    Connect::decode(Vec::leak(hex(s)))
}

#[test]
fn ber_and_framing_errors() {
    assert!(matches!(
        cp("31 05 a0 03 80 01"),
        Err(Error::Ber {
            error: ber::Error::Truncated,
            ..
        })
    ));
    assert!(matches!(
        cp("31 05 a0 03 80 01 01 ff"),
        Err(Error::TrailingData { len: 1, .. })
    ));
    let limits = with(|l| l.max_len = 4);
    assert!(matches!(
        Connect::decode_with(&hex("31 05 a0 03 80 01 01"), &limits),
        Err(Error::TooLong { len: 7, max: 4, .. })
    ));
    let shallow = with(|l| l.max_depth = 1);
    assert!(matches!(
        Connect::decode_with(&hex("31 05 a0 03 80 01 01"), &shallow),
        Err(Error::Ber {
            error: ber::Error::TooDeep { max: 1 },
            ..
        })
    ));
}

#[test]
fn structure_errors() {
    // Not a SET.
    assert!(matches!(
        cp("30 00"),
        Err(Error::UnexpectedTag { number: 16, .. })
    ));
    // No mode selector.
    assert!(matches!(
        cp("31 00"),
        Err(Error::MissingField {
            field: "mode-selector",
            ..
        })
    ));
    // Mode selector twice.
    assert!(matches!(
        cp("31 0a a0 03 80 01 01 a0 03 80 01 01"),
        Err(Error::DuplicateField { .. })
    ));
    // Mode value primitive where a SET is needed.
    assert!(matches!(cp("31 03 80 01 01"), Err(Error::WrongForm { .. })));
    // Negative mode value.
    assert!(matches!(
        cp("31 05 a0 03 80 01 ff"),
        Err(Error::BadInteger { .. })
    ));
    // Normal mode with X.410 parameters, X.410 mode with normal parameters, mode 7.
    assert!(matches!(
        cp("31 07 a0 03 80 01 01 a1 00"),
        Err(Error::ModeMismatch { mode: 1, .. })
    ));
    assert!(matches!(
        cp("31 07 a0 03 80 01 00 a2 00"),
        Err(Error::ModeMismatch { mode: 0, .. })
    ));
    assert!(matches!(
        cp("31 05 a0 03 80 01 07"),
        Err(Error::ModeMismatch { mode: 7, .. })
    ));
    // X.410 mode alone is fine: its parameters are kept for x400-rts.
    let x410 = cp("31 09 a0 03 80 01 00 a1 02 80 00").unwrap();
    assert_eq!(
        (x410.mode, x410.x410_mode_parameters),
        (Mode::X410_1984, Some(&[0x80, 0][..]))
    );
    // Fields out of order in normal-mode-parameters: called [2] before calling [1].
    assert!(matches!(
        cp("31 0d a0 03 80 01 01 a2 06 82 01 01 81 01 01"),
        Err(Error::DuplicateField { .. })
    ));
    // A tag CP does not have: responding-presentation-selector [3].
    assert!(matches!(
        cp("31 0a a0 03 80 01 01 a2 03 83 01 01"),
        Err(Error::UnexpectedTag { number: 3, .. })
    ));
    // Constructed selector.
    assert!(matches!(
        cp("31 0c a0 03 80 01 01 a2 05 a1 03 04 01 01"),
        Err(Error::WrongForm { .. })
    ));
}

#[test]
fn value_errors() {
    // Bad OID: a subidentifier padded with 0x80, and one cut short.
    for oid in ["06 02 80 01", "06 02 81 81"] {
        let s = format!("31 14 a0 03 80 01 01 a2 0d a4 0b 30 09 02 01 01 {oid} 30 00");
        assert!(matches!(cp(&s), Err(Error::BadOid { .. })), "{oid}");
    }
    // Too many arcs.
    let limits = with(|l| l.max_oid_arcs = 3);
    let s = hex("31 16 a0 03 80 01 01 a2 0f a4 0d 30 0b 02 01 01 06 04 52 01 00 01 30 00");
    assert!(matches!(
        Connect::decode_with(&s, &limits),
        Err(Error::TooMany { max: 3, .. })
    ));
    // Too many contexts.
    let limits = with(|l| l.max_contexts = 0);
    assert!(matches!(
        Connect::decode_with(&s, &limits),
        Err(Error::TooMany { max: 0, .. })
    ));
    // A context item without its transfer syntax list.
    let s = "31 14 a0 03 80 01 01 a2 0d a4 0b 30 09 02 01 01 06 04 52 01 00 01";
    assert!(matches!(
        cp(s),
        Err(Error::MissingField {
            field: "transfer-syntax-name-list",
            ..
        })
    ));
    // Bad BIT STRING: 8 unused bits in protocol-version.
    assert!(matches!(
        cp("31 0b a0 03 80 01 01 a2 04 80 02 08 80"),
        Err(Error::BadBitString { .. })
    ));
    // Selector longer than the limit.
    let limits = with(|l| l.max_selector_len = 1);
    assert!(matches!(
        Connect::decode_with(&hex("31 0b a0 03 80 01 01 a2 04 81 02 00 01"), &limits),
        Err(Error::TooLong { len: 2, max: 1, .. })
    ));
    // Too many PDVs.
    let limits = with(|l| l.max_pdvs = 0);
    assert!(matches!(
        UserData::decode_with(&vector("pp-15-release"), &limits),
        Err(Error::TooMany { max: 0, .. })
    ));
    // A PDV without its values, and one with two values in single-ASN1-type.
    assert!(matches!(
        UserData::decode(&hex("61 05 30 03 02 01 01")),
        Err(Error::MissingField {
            field: "presentation-data-values",
            ..
        })
    ));
    assert!(matches!(
        UserData::decode(&hex("61 0b 30 09 02 01 01 a0 04 05 00 05 00")),
        Err(Error::DuplicateField {
            field: "single-ASN1-type",
            ..
        })
    ));
    // Constructed simply-encoded-data.
    assert!(matches!(
        UserData::decode(&hex("60 00")),
        Err(Error::WrongForm { .. })
    ));
    assert!(matches!(
        UserData::decode(&hex("40 00")),
        Ok(UserData::Simple(&[]))
    ));
    assert!(matches!(
        UserData::decode(&hex("61 03 30 01 00")),
        Err(Error::Ber { .. }) | Err(Error::UnexpectedTag { .. })
    ));
    // Buffer too small.
    let data = UserData::Simple(b"abc");
    assert_eq!(
        data.encode(&mut [0u8; 4]),
        Err(Error::BufferTooSmall {
            needed: 5,
            available: 4
        })
    );
    assert!(Oid::new(&[]).is_err() && BitString::new(1, &[]).is_err());
}

/// Encodes `ppdu`, checks the length, decodes it as carried by `carrier`.
fn round_trip(ppdu: Ppdu<'_>, expected: &str) {
    let mut out = vec![0u8; ppdu.encoded_len()];
    assert_eq!(ppdu.encode(&mut out).unwrap(), out.len());
    assert_eq!(out, hex(expected), "{ppdu:?}");
    assert_eq!(Ppdu::decode(ppdu.carrier(), &out).unwrap(), ppdu);
}

#[test]
fn every_ppdu_type_round_trips() {
    let ber = [Oid::BER];
    let ctx = [ContextItem {
        id: ContextId(1),
        abstract_syntax: Oid::ACSE,
        transfer_syntaxes: List::new(&ber),
    }];
    let syntaxes = [ContextSyntax {
        id: ContextId(3),
        transfer_syntax: Oid::BER,
    }];
    let pdvs = [Pdv {
        transfer_syntax: Some(Oid::BER),
        context: ContextId(3),
        values: PdvValues::OctetAligned(b"x"),
    }];
    let bits = BitString::new(6, &[0x40]).unwrap();
    let data = UserData::full(&pdvs);
    let user_data = Some(data);
    round_trip(
        Ppdu::Cp(Connect::normal(ConnectParams {
            protocol_version: Some(BitString::VERSION_1),
            calling_selector: Some(b"A"),
            default_context: Some(DefaultContext {
                abstract_syntax: Oid::ACSE,
                transfer_syntax: Oid::BER,
            }),
            session_requirements: Some(bits),
            protocol_options: Some(bits),
            nominated_context: Some(ContextId(1)),
            extensions: Some(&[0x30, 0x00]),
            ..ConnectParams::default()
        })),
        "31 2d a0 03 80 01 01 a2 26 80 02 07 80 81 01 41 a6 0a 80 04 52 01 00 01 81 02 51 01
         89 02 06 40 ab 04 03 02 06 40 ac 03 02 01 01 ae 02 30 00",
    );
    let results = [
        ResultItem::accept(Oid::BER),
        ResultItem::provider_reject(ContextRejectReason::ABSTRACT_SYNTAX_NOT_SUPPORTED),
    ];
    round_trip(
        Ppdu::Cpa(Accept::normal(AcceptParams {
            context_results: Some(List::new(&results)),
            nominated_context: Some(ContextId(2)),
            ..AcceptParams::default()
        })),
        "31 1f a0 03 80 01 01 a2 18 a5 11 30 07 80 01 00 81 02 51 01 30 06 80 01 02 82 01 01
         ad 03 02 01 02",
    );
    round_trip(
        Ppdu::Cpr(Refuse::Normal(RefuseParams {
            default_context_result: Some(ResultCode::USER_REJECTION),
            provider_reason: Some(ProviderReason::TEMPORARY_CONGESTION),
            ..RefuseParams::default()
        })),
        "30 06 87 01 01 8a 01 01",
    );
    round_trip(
        Ppdu::Cpr(Refuse::X410(&[0x80, 0x01, 0x00])),
        "31 03 80 01 00",
    );
    round_trip(
        Ppdu::Abort(Abort::User(UserAbort {
            context_list: Some(List::new(&syntaxes)),
            user_data: Some(UserData::Simple(b"bye")),
        })),
        "a0 0e a0 07 30 05 02 01 03 06 00 40 03 62 79 65"
            .replace("06 00", "06 02 51 01")
            .replace("a0 0e a0 07 30 05", "a0 10 a0 09 30 07")
            .as_str(),
    );
    round_trip(
        Ppdu::Abort(Abort::Provider(ProviderAbort {
            reason: Some(AbortReason::UNEXPECTED_PPDU),
            event: Some(EventId::TD),
        })),
        "30 06 80 01 02 81 01 07",
    );
    let deletions = [ContextId(5)];
    round_trip(
        Ppdu::Typed(TypedData::AlterContext(AlterContext {
            additions: Some(List::new(&ctx)),
            deletions: Some(List::new(&deletions)),
            user_data: None,
        })),
        "a0 18 a0 11 30 0f 02 01 01 06 04 52 01 00 01 30 04 06 02 51 01 a1 03 02 01 05",
    );
    let deletion_results = [DeletionResult::USER_REJECTION];
    round_trip(
        Ppdu::Typed(TypedData::AlterContextAck(AlterContextAck {
            addition_results: None,
            deletion_results: Some(List::new(&deletion_results)),
            user_data: None,
        })),
        "a1 05 a1 03 02 01 01",
    );
    round_trip(
        Ppdu::Typed(TypedData::Ttd(UserData::Simple(b"t"))),
        "40 01 74",
    );
    let full = "61 0c 30 0a 06 02 51 01 02 01 03 81 01 78";
    for ppdu in [
        Ppdu::Td(data),
        Ppdu::Te(data),
        Ppdu::Tc(data),
        Ppdu::Tcc(data),
        Ppdu::Service(data),
    ] {
        round_trip(ppdu, full);
    }
    let resync = Resynchronize {
        context_list: Some(List::new(&syntaxes)),
        user_data,
    };
    let octets = "30 19 a0 09 30 07 02 01 03 06 02 51 01 61 0c 30 0a 06 02 51 01 02 01 03 81 01 78";
    round_trip(Ppdu::Rs(resync), octets);
    round_trip(Ppdu::Rsa(resync), octets);
    let arbitrary = [Pdv {
        transfer_syntax: None,
        context: ContextId(300),
        values: PdvValues::Arbitrary(bits),
    }];
    round_trip(
        Ppdu::Td(UserData::full(&arbitrary)),
        "61 0a 30 08 02 02 01 2c 82 02 06 40",
    );
    assert!(bits.bit(1) && !bits.bit(0) && !bits.bit(2) && bits.len() == 2);
}
