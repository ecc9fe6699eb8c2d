//! APDUs built by hand: each encoding is written out octet by octet from the ACSE-1 module
//! of X.227 (tags as the module gives them, explicit unless marked IMPLICIT) and X.690,
//! and the codec must produce exactly those octets and read them back to the same value.

// The helpers outside the #[test] functions fail the test the same way.
#![allow(clippy::unwrap_used)]

mod common;

use common::hex;
use osi_acse::*;

/// Encodes `apdu`, insists on `expected`, and decodes `expected` back to `apdu`.
fn exact(apdu: Apdu<'_>, expected: &str) {
    let expected = hex(expected);
    // 0xa5 rather than zeros, so an octet the encoder skipped shows.
    let mut out = vec![0xa5u8; apdu.encoded_len()];
    let n = apdu.encode(&mut out).unwrap();
    assert_eq!(n, out.len());
    assert_eq!(out, expected, "{apdu:?}");
    assert_eq!(Apdu::decode(&expected).unwrap(), apdu);
}

#[test]
fn release_request_and_response() {
    // [APPLICATION 2] IMPLICIT SEQUENCE { reason [0] IMPLICIT INTEGER normal(0) }.
    exact(
        Apdu::Rlrq(Rlrq::new(Some(ReleaseRequestReason::NORMAL))),
        "62 03 80 01 00",
    );
    exact(
        Apdu::Rlrq(Rlrq::new(Some(ReleaseRequestReason::URGENT))),
        "62 03 80 01 01",
    );
    exact(
        Apdu::Rlrq(Rlrq::new(Some(ReleaseRequestReason::USER_DEFINED))),
        "62 03 80 01 1e",
    );
    exact(Apdu::Rlrq(Rlrq::new(None)), "62 00");
    // [APPLICATION 3]: not-finished(1) refuses the release.
    exact(
        Apdu::Rlre(Rlre::new(Some(ReleaseResponseReason::NOT_FINISHED))),
        "63 03 80 01 01",
    );
    exact(Apdu::Rlre(Rlre::new(None)), "63 00");
}

#[test]
fn abort_by_user_and_by_provider() {
    // [APPLICATION 4] IMPLICIT SEQUENCE { abort-source [0] IMPLICIT INTEGER user(0) }.
    exact(Apdu::Abrt(Abort::user(None)), "64 03 80 01 00");
    // abort-source provider(1), abort-diagnostic [1] IMPLICIT ENUMERATED protocol-error(2).
    exact(
        Apdu::Abrt(Abort::provider(AbortDiagnostic::PROTOCOL_ERROR)),
        "64 06 80 01 01 81 01 02",
    );
    exact(
        Apdu::Abrt(Abort::user(Some(AbortDiagnostic::AUTHENTICATION_FAILURE))),
        "64 06 80 01 00 81 01 05",
    );
    // With user-information [30] IMPLICIT SEQUENCE OF EXTERNAL: one EXTERNAL of context 3,
    // an empty octet-aligned [1] IMPLICIT OCTET STRING.
    let user = [External {
        encoding: Encoding::OctetAligned(&[]),
        ..External::single(3, &[])
    }];
    exact(
        Apdu::Abrt(Abort {
            user_information: Some(List::new(&user)),
            ..Abort::user(None)
        }),
        "64 0c 80 01 00 be 07 28 05 02 01 03 81 00",
    );
}

#[test]
fn an_invalid_apdu_is_answered_by_a_provider_abort() {
    let error = Apdu::decode(&hex("60 00")).unwrap_err();
    exact(Apdu::Abrt(error.abort()), "64 06 80 01 01 81 01 02");
}

#[test]
fn aarq_with_a_password() {
    let mts_transfer = Oid::new(&[0x56, 0x00, 0x01, 0x06]).unwrap();
    let user = [External::single(3, &[0xa0, 0x00])];
    let aarq = Aarq {
        mechanism_name: Some(Oid::PASSWORD_1),
        calling_authentication_value: Some(AuthenticationValue::Charstring(b"secret")),
        user_information: Some(List::new(&user)),
        ..Aarq::new(mts_transfer)
    };
    exact(
        Apdu::Aarq(aarq),
        "60 22
         a1 06 06 04 56 00 01 06
         8b 03 52 03 01
         ac 08 80 06 73 65 63 72 65 74
         be 09 28 07 02 01 03 a0 02 a0 00",
    );
}

#[test]
fn aarq_with_every_field() {
    let name = hex("30 0d 31 0b 30 09 06 03 55 04 03 13 02 41 42");
    let rdn = hex("31 0b 30 09 06 03 55 04 03 13 02 41 42");
    let names = [Oid::new(&[0x56, 0x00, 0x01, 0x06]).unwrap()];
    let direct = Oid::BER;
    let user = [
        External {
            direct_reference: Some(direct),
            data_value_descriptor: Some(b"d"),
            ..External::single(3, &[0x05, 0x00])
        },
        External {
            direct_reference: Some(direct),
            indirect_reference: None,
            data_value_descriptor: None,
            encoding: Encoding::Arbitrary(BitString::new(4, &[0xf0]).unwrap()),
        },
    ];
    let aarq = Aarq {
        protocol_version: Some(BitString::VERSION_1),
        called_ap_title: Some(ApTitle::Name(&name)),
        called_ae_qualifier: Some(AeQualifier::Rdn(&rdn)),
        called_ap_invocation_id: Some(5),
        called_ae_invocation_id: Some(6),
        calling_ap_title: Some(ApTitle::Printable(b"AB")),
        calling_ae_qualifier: Some(AeQualifier::Octets(b"AB")),
        calling_ap_invocation_id: Some(128),
        calling_ae_invocation_id: Some(0),
        sender_acse_requirements: Some(BitString::new(7, &[0x80]).unwrap()),
        mechanism_name: Some(Oid::PASSWORD_1),
        calling_authentication_value: Some(AuthenticationValue::Bitstring(
            BitString::new(0, &[0x0f]).unwrap(),
        )),
        application_context_name_list: Some(List::new(&names)),
        implementation_information: Some(b"ABC"),
        user_information: Some(List::new(&user)),
        ..Aarq::new(Oid::ACSE)
    };
    let apdu = Apdu::Aarq(aarq);
    exact(
        apdu,
        "60 81 85
         80 02 07 80
         a1 06 06 04 52 01 00 01
         a2 0f 30 0d 31 0b 30 09 06 03 55 04 03 13 02 41 42
         a3 0d 31 0b 30 09 06 03 55 04 03 13 02 41 42
         a4 03 02 01 05
         a5 03 02 01 06
         a6 04 13 02 41 42
         a7 04 04 02 41 42
         a8 04 02 02 00 80
         a9 03 02 01 00
         8a 02 07 80
         8b 03 52 03 01
         ac 04 81 02 00 0f
         ad 06 06 04 56 00 01 06
         9d 03 41 42 43
         be 1a
            28 0e 06 02 51 01 02 01 03 07 01 64 a0 02 05 00
            28 08 06 02 51 01 82 02 04 f0",
    );
    let Apdu::Aarq(back) = apdu else { panic!() };
    assert!(
        back.sender_acse_requirements
            .unwrap()
            .bit(acse_requirements::AUTHENTICATION)
    );
}

#[test]
fn authentication_values_external_and_other() {
    // external [2] IMPLICIT EXTERNAL: direct reference 2.1.1, single-ASN1-type OCTET STRING.
    let external = External {
        direct_reference: Some(Oid::BER),
        indirect_reference: None,
        data_value_descriptor: None,
        encoding: Encoding::Single(&[0x04, 0x01, 0x41]),
    };
    exact(
        Apdu::Aarq(Aarq {
            calling_authentication_value: Some(AuthenticationValue::External(external)),
            ..Aarq::new(Oid::ACSE)
        }),
        "60 15 a1 06 06 04 52 01 00 01 ac 0b a2 09 06 02 51 01 a0 03 04 01 41",
    );
    // other [3] IMPLICIT SEQUENCE { other-mechanism-name, other-mechanism-value }.
    exact(
        Apdu::Aare(Aare {
            responding_authentication_value: Some(AuthenticationValue::Other {
                mechanism: Oid::PASSWORD_1,
                value: &[0x04, 0x01, 0x41],
            }),
            ..Aare::new(
                Oid::ACSE,
                AssociateResult::ACCEPTED,
                SourceDiagnostic::User(UserDiagnostic::NULL),
            )
        }),
        "61 20 a1 06 06 04 52 01 00 01 a2 03 02 01 00 a3 05 a1 03 02 01 00
         aa 0a a3 08 06 03 52 03 01 04 01 41",
    );
}

#[test]
fn aare_rejections_by_user_and_provider() {
    let context = Oid::new(&[0x56, 0x00, 0x01, 0x06]).unwrap();
    // result [2] rejected-permanent(1); result-source-diagnostic [3] acse-service-user [1]
    // authentication-failure(13).
    exact(
        Apdu::Aare(Aare::new(
            context,
            AssociateResult::REJECTED_PERMANENT,
            SourceDiagnostic::User(UserDiagnostic::AUTHENTICATION_FAILURE),
        )),
        "61 14 a1 06 06 04 56 00 01 06 a2 03 02 01 01 a3 05 a1 03 02 01 0d",
    );
    // acse-service-provider [2] no-common-acse-version(2), rejected-transient(2).
    exact(
        Apdu::Aare(Aare::new(
            context,
            AssociateResult::REJECTED_TRANSIENT,
            SourceDiagnostic::Provider(ProviderDiagnostic::NO_COMMON_ACSE_VERSION),
        )),
        "61 14 a1 06 06 04 56 00 01 06 a2 03 02 01 02 a3 05 a2 03 02 01 02",
    );
    // Every optional AARE field, and an AP title as an OBJECT IDENTIFIER.
    let aare = Aare {
        protocol_version: Some(BitString::VERSION_1),
        responding_ap_title: Some(ApTitle::Oid(context)),
        responding_ae_qualifier: Some(AeQualifier::Printable(b"A")),
        responding_ap_invocation_id: Some(1),
        responding_ae_invocation_id: Some(2),
        responder_acse_requirements: Some(BitString::new(7, &[0x80]).unwrap()),
        mechanism_name: Some(Oid::PASSWORD_1),
        responding_authentication_value: Some(AuthenticationValue::Charstring(b"pw")),
        application_context_name_list: Some(List::new(&[])),
        implementation_information: Some(b""),
        ..Aare::new(
            context,
            AssociateResult::ACCEPTED,
            SourceDiagnostic::Provider(ProviderDiagnostic::NULL),
        )
    };
    exact(
        Apdu::Aare(aare),
        "61 42 80 02 07 80 a1 06 06 04 56 00 01 06 a2 03 02 01 00 a3 05 a2 03 02 01 00
         a4 06 06 04 56 00 01 06 a5 03 13 01 41 a6 03 02 01 01 a7 03 02 01 02
         88 02 07 80 89 03 52 03 01 aa 04 80 02 70 77 ab 00 9d 00",
    );
}

#[test]
fn unknown_code_points_are_kept() {
    exact(
        Apdu::Abrt(Abort {
            source: AbortSource(7),
            diagnostic: Some(AbortDiagnostic(300)),
            user_information: None,
        }),
        "64 07 80 01 07 81 02 01 2c",
    );
    assert_eq!(AbortDiagnostic(300).name(), None);
    assert_eq!(
        UserDiagnostic::AUTHENTICATION_FAILURE.name(),
        Some("authentication-failure")
    );
}

#[test]
fn indefinite_lengths_decode_to_the_definite_value() {
    // The RLRQ of PP with an indefinite outer length.
    let data = hex("62 80 80 01 00 00 00");
    let rlrq = Apdu::decode(&data).unwrap();
    assert_eq!(
        rlrq,
        Apdu::Rlrq(Rlrq::new(Some(ReleaseRequestReason::NORMAL)))
    );
    assert_eq!(rlrq.encoded_len(), 5);
}
