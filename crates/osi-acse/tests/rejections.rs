//! Every error path of the decoders, each with the typed error it gives, and the encoders'
//! refusal of a short buffer.

// The helpers outside the #[test] functions fail the test the same way.
#![allow(clippy::unwrap_used)]

mod common;

use common::hex;
use osi_acse::*;
use osi_sansio::ber;

fn with(set: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::DEFAULT;
    set(&mut limits);
    limits
}

fn decode(s: &str) -> Result<Apdu<'static>> {
    Apdu::decode(Vec::leak(hex(s)))
}

fn decode_with(s: &str, limits: &Limits) -> Result<Apdu<'static>> {
    Apdu::decode_with(Vec::leak(hex(s)), limits)
}

/// An AARQ of `fields` after a valid aSO-context-name.
fn aarq(fields: &str) -> Result<Apdu<'static>> {
    let body = hex(&format!("a1 06 06 04 52 01 00 01 {fields}"));
    let mut data = vec![0x60, u8::try_from(body.len()).unwrap()];
    data.extend(body);
    Apdu::decode(Vec::leak(data))
}

#[test]
fn ber_and_framing_errors() {
    assert!(matches!(
        decode("62 03 80 01"),
        Err(Error::Ber {
            error: ber::Error::Truncated,
            ..
        })
    ));
    assert!(matches!(
        decode("62 03 80 01 00 ff"),
        Err(Error::TrailingData { len: 1, .. })
    ));
    assert!(matches!(
        decode_with("62 03 80 01 00", &with(|l| l.max_len = 4)),
        Err(Error::TooLong { len: 5, max: 4, .. })
    ));
    assert!(matches!(
        decode_with("60 08 a1 06 06 04 52 01 00 01", &with(|l| l.max_depth = 1)),
        Err(Error::Ber {
            error: ber::Error::TooDeep { max: 1 },
            ..
        })
    ));
    assert!(matches!(
        decode_with("62 03 80 01 00", &with(|l| l.max_elements = 1)),
        Err(Error::Ber { .. })
    ));
}

#[test]
fn tags_the_module_does_not_allow() {
    // Not an application tag.
    assert!(matches!(
        decode("30 00"),
        Err(Error::UnexpectedTag {
            apdu: "ACSE-apdu",
            number: 16,
            ..
        })
    ));
    // A-DT [APPLICATION 5]: the higher level association functional unit.
    assert!(matches!(
        decode("65 00"),
        Err(Error::UnexpectedTag { number: 5, .. })
    ));
    // p-context-definition-list [14] in an AARQ, for the same reason.
    assert!(matches!(
        aarq("ae 00"),
        Err(Error::UnexpectedTag {
            apdu: "AARQ-apdu",
            number: 14,
            ..
        })
    ));
    // A universal value among the AARQ's context-tagged fields.
    assert!(matches!(
        aarq("02 01 00"),
        Err(Error::UnexpectedTag { number: 2, .. })
    ));
    // aso-qualifier [13] in an RLRQ, and a stray field in an ABRT and an AARE.
    assert!(matches!(
        decode("62 02 ad 00"),
        Err(Error::UnexpectedTag {
            apdu: "RLRQ-apdu",
            ..
        })
    ));
    assert!(matches!(
        decode("64 05 80 01 00 82 00"),
        Err(Error::UnexpectedTag {
            apdu: "ABRT-apdu",
            ..
        })
    ));
    assert!(matches!(
        decode("61 02 8c 00"),
        Err(Error::UnexpectedTag {
            apdu: "AARE-apdu",
            ..
        })
    ));
    // The wrong type inside explicit tags: aSO-context-name, AP title, AE qualifier,
    // authentication value, result-source-diagnostic, an invocation identifier.
    assert!(matches!(
        decode("60 04 a1 02 02 00"),
        Err(Error::UnexpectedTag {
            field: "aSO-context-name",
            ..
        })
    ));
    assert!(matches!(
        aarq("a2 02 05 00"),
        Err(Error::UnexpectedTag {
            field: "called-AP-title",
            ..
        })
    ));
    assert!(matches!(
        aarq("a3 02 05 00"),
        Err(Error::UnexpectedTag {
            field: "called-AE-qualifier",
            ..
        })
    ));
    assert!(matches!(
        aarq("ac 02 84 00"),
        Err(Error::UnexpectedTag {
            field: "calling-authentication-value",
            ..
        })
    ));
    assert!(matches!(
        aarq("a4 03 04 01 00"),
        Err(Error::UnexpectedTag {
            field: "called-AP-invocation-identifier",
            ..
        })
    ));
    assert!(matches!(
        decode("61 0f a1 03 06 01 00 a2 03 02 01 00 a3 03 80 01 00"),
        Err(Error::UnexpectedTag {
            field: "result-source-diagnostic",
            number: 0,
            ..
        })
    ));
    assert!(matches!(
        decode("61 11 a1 03 06 01 00 a2 03 02 01 00 a3 05 a3 03 02 01 00"),
        Err(Error::UnexpectedTag {
            field: "result-source-diagnostic",
            ..
        })
    ));
    // An item of user-information that is not an EXTERNAL, a field an EXTERNAL lacks.
    assert!(matches!(
        aarq("be 02 30 00"),
        Err(Error::UnexpectedTag {
            field: "user-information",
            ..
        })
    ));
    assert!(matches!(
        aarq("be 05 28 03 01 01 ff"),
        Err(Error::UnexpectedTag {
            field: "EXTERNAL",
            ..
        })
    ));
    // other-mechanism-name that is not an OBJECT IDENTIFIER.
    assert!(matches!(
        aarq("ac 07 a3 05 02 01 00 05 00"),
        Err(Error::UnexpectedTag {
            field: "other-mechanism-name",
            ..
        })
    ));
    // An aSO-context-name-list item that is not an OBJECT IDENTIFIER.
    assert!(matches!(
        aarq("ad 02 05 00"),
        Err(Error::UnexpectedTag {
            field: "aSO-context-name-list",
            ..
        })
    ));
}

#[test]
fn missing_fields() {
    assert!(matches!(
        decode("60 00"),
        Err(Error::MissingField {
            field: "aSO-context-name",
            ..
        })
    ));
    assert!(matches!(
        decode("61 08 a1 06 06 04 52 01 00 01"),
        Err(Error::MissingField {
            field: "result",
            ..
        })
    ));
    assert!(matches!(
        decode("61 0d a1 06 06 04 52 01 00 01 a2 03 02 01 00"),
        Err(Error::MissingField {
            field: "result-source-diagnostic",
            ..
        })
    ));
    assert!(matches!(
        decode("64 00"),
        Err(Error::MissingField {
            field: "abort-source",
            ..
        })
    ));
    // An EXTERNAL without its encoding.
    assert!(matches!(
        aarq("be 05 28 03 02 01 03"),
        Err(Error::MissingField {
            field: "encoding",
            ..
        })
    ));
    // An empty explicit tag.
    assert!(matches!(
        aarq("a4 00"),
        Err(Error::MissingField {
            field: "called-AP-invocation-identifier",
            ..
        })
    ));
    // other without its value.
    assert!(matches!(
        aarq("ac 07 a3 05 06 03 52 03 01"),
        Err(Error::MissingField {
            field: "other-mechanism-value",
            ..
        })
    ));
}

#[test]
fn duplicate_and_out_of_order_fields() {
    assert!(matches!(
        aarq("a1 06 06 04 52 01 00 01"),
        Err(Error::DuplicateField {
            field: "aSO-context-name",
            ..
        })
    ));
    // calling-AP-title [6] before called-AP-title [2].
    assert!(matches!(
        aarq("a6 03 06 01 00 a2 03 06 01 00"),
        Err(Error::DuplicateField {
            field: "called-AP-title",
            ..
        })
    ));
    // Two values inside one explicit tag.
    assert!(matches!(
        aarq("a4 06 02 01 01 02 01 02"),
        Err(Error::DuplicateField { .. })
    ));
    assert!(matches!(
        decode("62 06 80 01 00 80 01 00"),
        Err(Error::DuplicateField {
            field: "reason",
            ..
        })
    ));
    assert!(matches!(
        decode("64 06 81 01 01 80 01 00"),
        Err(Error::DuplicateField {
            field: "abort-source",
            ..
        })
    ));
    // An EXTERNAL with the indirect reference after the direct one is fine; the reverse not.
    assert!(matches!(
        aarq("be 0b 28 09 02 01 03 06 01 00 81 01 00"),
        Err(Error::DuplicateField {
            field: "direct-reference",
            ..
        })
    ));
    // other with a second value.
    assert!(matches!(
        aarq("ac 09 a3 07 06 01 00 05 00 05 00"),
        Err(Error::DuplicateField {
            field: "other-mechanism-value",
            ..
        })
    ));
}

#[test]
fn wrong_forms() {
    // aSO-context-name [1] is an explicit tag, so constructed.
    assert!(matches!(
        decode("60 03 81 01 00"),
        Err(Error::WrongForm {
            field: "aSO-context-name",
            ..
        })
    ));
    // A segmented (constructed) charstring.
    assert!(matches!(
        aarq("ac 06 a0 04 04 02 41 42"),
        Err(Error::WrongForm {
            field: "charstring",
            ..
        })
    ));
    // A primitive user-information, a primitive RLRQ.
    assert!(matches!(aarq("9e 00"), Err(Error::WrongForm { .. })));
    assert!(matches!(decode("42 00"), Err(Error::WrongForm { .. })));
    // A primitive Name in form 1 cannot happen (SEQUENCE is constructed): 10 00.
    assert!(matches!(aarq("a2 02 10 00"), Err(Error::WrongForm { .. })));
    // A constructed reason.
    assert!(matches!(
        decode("62 02 a0 00"),
        Err(Error::WrongForm { .. })
    ));
}

#[test]
fn bad_values() {
    // result -1.
    assert!(matches!(
        decode("61 14 a1 06 06 04 52 01 00 01 a2 03 02 01 ff a3 05 a1 03 02 01 00"),
        Err(Error::BadInteger {
            field: "result",
            ..
        })
    ));
    // An empty reason, and one above u32::MAX.
    assert!(matches!(
        decode("62 02 80 00"),
        Err(Error::BadInteger {
            field: "reason",
            ..
        })
    ));
    assert!(matches!(
        decode("62 08 80 06 01 00 00 00 00 00"),
        Err(Error::BadInteger { .. })
    ));
    // An empty OBJECT IDENTIFIER, one padded with 0x80, one cut short.
    assert!(matches!(
        decode("60 04 a1 02 06 00"),
        Err(Error::BadOid {
            field: "aSO-context-name",
            ..
        })
    ));
    assert!(matches!(
        decode("60 05 a1 03 06 01 80"),
        Err(Error::BadOid { .. })
    ));
    assert!(matches!(
        aarq("8b 02 52 83"),
        Err(Error::BadOid {
            field: "mechanism-name",
            ..
        })
    ));
    // protocol-version with 8 unused bits; an empty BIT STRING.
    assert!(matches!(
        decode("60 0b 80 01 08 a1 06 06 04 52 01 00 01"),
        Err(Error::BadBitString {
            field: "protocol-version",
            ..
        })
    ));
    assert!(matches!(aarq("8a 00"), Err(Error::BadBitString { .. })));
}

#[test]
fn limits() {
    let two_externals = "be 0a 28 03 81 01 00 28 03 81 01 00";
    let data = Vec::leak(hex(&format!(
        "60 14 a1 06 06 04 52 01 00 01 {two_externals}"
    )));
    assert!(Apdu::decode(data).is_ok());
    assert!(matches!(
        Apdu::decode_with(data, &with(|l| l.max_externals = 1)),
        Err(Error::TooMany {
            field: "user-information",
            max: 1,
            ..
        })
    ));
    assert!(matches!(
        Apdu::decode_with(data, &with(|l| l.max_oid_arcs = 3)),
        Err(Error::TooMany {
            field: "aSO-context-name",
            max: 3,
            ..
        })
    ));
    let names = Vec::leak(hex(
        "60 13 a1 06 06 04 52 01 00 01 ad 09 06 01 00 06 01 00 06 01 00",
    ));
    assert!(matches!(
        Apdu::decode_with(names, &with(|l| l.max_context_names = 2)),
        Err(Error::TooMany {
            field: "aSO-context-name-list",
            max: 2,
            ..
        })
    ));
    let text = Vec::leak(hex("60 0d a1 06 06 04 52 01 00 01 9d 03 41 42 43"));
    assert!(matches!(
        Apdu::decode_with(text, &with(|l| l.max_text_len = 2)),
        Err(Error::TooLong {
            field: "implementation-information",
            len: 3,
            max: 2,
            ..
        })
    ));
}

#[test]
fn encoders_refuse_a_short_buffer() {
    let apdu = Apdu::Abrt(Abort::provider(AbortDiagnostic::PROTOCOL_ERROR));
    let mut buf = [0u8; 7];
    assert_eq!(
        apdu.encode(&mut buf),
        Err(Error::BufferTooSmall {
            needed: 8,
            available: 7
        })
    );
    assert_eq!(buf, [0; 7], "nothing is written when the buffer is short");
    let aarq = Aarq::new(Oid::ACSE);
    assert!(matches!(
        aarq.encode(&mut [0u8; 3]),
        Err(Error::BufferTooSmall { needed: 10, .. })
    ));
}

#[test]
fn values_check_what_they_are_given() {
    assert!(matches!(Oid::new(&[]), Err(Error::BadOid { .. })));
    assert!(matches!(Oid::new(&[0x80, 0x01]), Err(Error::BadOid { .. })));
    assert!(matches!(
        BitString::new(8, &[0]),
        Err(Error::BadBitString { .. })
    ));
    assert!(matches!(
        BitString::new(1, &[]),
        Err(Error::BadBitString { .. })
    ));
    assert_eq!(Oid::PASSWORD_1.to_string(), "2.2.3.1");
    assert_eq!(Oid::ACSE.to_string(), "2.2.1.0.1");
}

#[test]
fn each_type_decodes_only_its_own_apdu() {
    let rlrq = hex("62 03 80 01 00");
    assert!(Rlrq::decode(&rlrq).is_ok());
    for result in [
        Aarq::decode(&rlrq).map(|_| ()),
        Aare::decode(&rlrq).map(|_| ()),
        Rlre::decode(&rlrq).map(|_| ()),
        Abort::decode(&rlrq).map(|_| ()),
    ] {
        assert!(
            matches!(
                result,
                Err(Error::UnexpectedTag {
                    field: "ACSE-apdu",
                    number: 2,
                    ..
                })
            ),
            "{result:?}"
        );
    }
}
