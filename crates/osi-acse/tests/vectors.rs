//! ACSE APDUs sent by two independent implementations (PP, an MTA, and libiec61850),
//! extracted from live captures (see `data/vectors.txt`): every field is checked against
//! tshark 4.0's dissection of the same frame (`tshark -V`, quoted before each check), and
//! re-encoding gives the same octets (every sender used definite lengths).

// The helpers outside the #[test] functions fail the test the same way.
#![allow(clippy::unwrap_used)]

mod common;

use common::vector;
use osi_acse::{
    AeQualifier, ApTitle, Apdu, AssociateResult, Encoding, External, ReleaseRequestReason,
    ReleaseResponseReason, SourceDiagnostic, UserDiagnostic,
};

fn leak(v: Vec<u8>) -> &'static [u8] {
    Vec::leak(v)
}

/// Decodes the vector `name`, re-encodes it and insists on the original octets.
fn apdu(name: &str) -> Apdu<'static> {
    let data = leak(vector(name));
    let apdu = Apdu::decode(data).unwrap();
    let mut out = vec![0xa5u8; apdu.encoded_len()];
    assert_eq!(apdu.encode(&mut out).unwrap(), data.len(), "{name}");
    assert_eq!(out, data, "{name}: re-encoded octets differ");
    apdu
}

/// The one EXTERNAL of user-information.
fn one_external(list: Option<osi_acse::List<'static, External<'static>>>) -> External<'static> {
    let list = list.unwrap();
    // tshark: "user-information: 1 item".
    assert_eq!(list.len(), 1);
    list.iter().next().unwrap()
}

/// The single-ASN1-type value of an EXTERNAL.
fn single(external: &External<'static>) -> &'static [u8] {
    let Encoding::Single(value) = external.encoding else {
        unreachable!("not single-ASN1-type: {external:?}")
    };
    value
}

#[test]
fn pp_aarq_proposes_mts_transfer_with_an_rtorq() {
    let Apdu::Aarq(aarq) = apdu("pp-8-aarq") else {
        panic!()
    };
    assert_eq!(aarq.protocol_version, None);
    // aSO-context-name: 2.6.0.1.6 (id-ac-mts-transfer)
    assert_eq!(aarq.application_context_name.to_string(), "2.6.0.1.6");
    assert_eq!(aarq.called_ap_title, None);
    assert_eq!(aarq.called_ae_qualifier, None);
    assert_eq!(aarq.calling_ap_title, None);
    assert_eq!(aarq.calling_ae_qualifier, None);
    assert_eq!(aarq.called_ap_invocation_id, None);
    assert_eq!(aarq.calling_ae_invocation_id, None);
    assert_eq!(aarq.sender_acse_requirements, None);
    assert_eq!(aarq.mechanism_name, None);
    assert_eq!(aarq.calling_authentication_value, None);
    assert_eq!(aarq.application_context_name_list, None);
    assert_eq!(aarq.implementation_information, None);
    let external = one_external(aarq.user_information);
    // direct-reference: 2.1.1 (basic-encoding), indirect-reference: 3
    assert_eq!(external.direct_reference.unwrap().to_string(), "2.1.1");
    assert_eq!(external.indirect_reference, Some(3));
    assert_eq!(external.data_value_descriptor, None);
    // encoding: single-ASN1-type (0): X.228 RTORQ, [16] IMPLICIT SET (b0).
    let rtorq = single(&external);
    assert_eq!(rtorq.first(), Some(&0xb0));
    assert_eq!(rtorq.len(), 0x21);
}

#[test]
fn pp_aare_accepts_with_an_rtoac() {
    let Apdu::Aare(aare) = apdu("pp-9-aare") else {
        panic!()
    };
    assert_eq!(aare.protocol_version, None);
    assert_eq!(aare.application_context_name.to_string(), "2.6.0.1.6");
    // result: accepted (0)
    assert_eq!(aare.result, AssociateResult::ACCEPTED);
    // result-source-diagnostic: service-user (1), service-user: null (0)
    assert_eq!(
        aare.result_source_diagnostic,
        SourceDiagnostic::User(UserDiagnostic::NULL)
    );
    assert_eq!(aare.responding_ap_title, None);
    assert_eq!(aare.responding_ae_qualifier, None);
    assert_eq!(aare.responding_authentication_value, None);
    assert_eq!(aare.implementation_information, None);
    let external = one_external(aare.user_information);
    assert_eq!(external.direct_reference.unwrap().to_string(), "2.1.1");
    assert_eq!(external.indirect_reference, Some(3));
    // X.228 RTOAC, [17] IMPLICIT SET (b1).
    assert_eq!(single(&external).first(), Some(&0xb1));
}

#[test]
fn pp_release_is_normal_both_ways() {
    // rlrq: reason: normal (0)
    let Apdu::Rlrq(rlrq) = apdu("pp-15-rlrq") else {
        panic!()
    };
    assert_eq!(rlrq.reason, Some(ReleaseRequestReason::NORMAL));
    assert_eq!(rlrq.user_information, None);
    // rlre: reason: normal (0)
    let Apdu::Rlre(rlre) = apdu("pp-16-rlre") else {
        panic!()
    };
    assert_eq!(rlre.reason, Some(ReleaseResponseReason::NORMAL));
    assert_eq!(rlre.user_information, None);
}

#[test]
fn iec_aarq_names_both_ends_in_form_2() {
    let Apdu::Aarq(aarq) = apdu("iec-8-aarq") else {
        panic!()
    };
    // aSO-context-name: 1.0.9506.2.3 (MMS)
    assert_eq!(aarq.application_context_name.to_string(), "1.0.9506.2.3");
    // called-AP-title: ap-title-form2: 1.1.1.999.1
    let Some(ApTitle::Oid(called)) = aarq.called_ap_title else {
        panic!()
    };
    assert_eq!(called.to_string(), "1.1.1.999.1");
    // called-AE-qualifier: aso-qualifier-form2: 12
    assert_eq!(aarq.called_ae_qualifier, Some(AeQualifier::Integer(12)));
    // calling-AP-title: ap-title-form2: 1.1.1.999
    let Some(ApTitle::Oid(calling)) = aarq.calling_ap_title else {
        panic!()
    };
    assert_eq!(calling.to_string(), "1.1.1.999");
    // calling-AE-qualifier: aso-qualifier-form2: 12
    assert_eq!(aarq.calling_ae_qualifier, Some(AeQualifier::Integer(12)));
    assert_eq!(aarq.called_ap_invocation_id, None);
    assert_eq!(aarq.called_ae_invocation_id, None);
    assert_eq!(aarq.calling_ap_invocation_id, None);
    assert_eq!(aarq.calling_ae_invocation_id, None);
    assert_eq!(aarq.calling_authentication_value, None);
    let external = one_external(aarq.user_information);
    // indirect-reference: 3 (no direct reference)
    assert_eq!(external.direct_reference, None);
    assert_eq!(external.indirect_reference, Some(3));
    // MMS initiate-RequestPDU, [8] IMPLICIT SEQUENCE (a8).
    assert_eq!(single(&external).first(), Some(&0xa8));
}

#[test]
fn iec_aare_accepts() {
    let Apdu::Aare(aare) = apdu("iec-9-aare") else {
        panic!()
    };
    assert_eq!(aare.application_context_name.to_string(), "1.0.9506.2.3");
    assert_eq!(aare.result, AssociateResult::ACCEPTED);
    assert_eq!(
        aare.result_source_diagnostic,
        SourceDiagnostic::User(UserDiagnostic::NULL)
    );
    assert_eq!(aare.responding_ap_title, None);
    let external = one_external(aare.user_information);
    assert_eq!(external.direct_reference, None);
    assert_eq!(external.indirect_reference, Some(3));
    // MMS initiate-ResponsePDU, [9] IMPLICIT SEQUENCE (a9).
    assert_eq!(single(&external).first(), Some(&0xa9));
}

#[test]
fn iec_release_response_is_empty() {
    // rlrq: reason: normal (0)
    let Apdu::Rlrq(rlrq) = apdu("iec-18-rlrq") else {
        panic!()
    };
    assert_eq!(rlrq.reason, Some(ReleaseRequestReason::NORMAL));
    // rlre [0 length]: no reason.
    let Apdu::Rlre(rlre) = apdu("iec-19-rlre") else {
        panic!()
    };
    assert_eq!(rlre.reason, None);
    assert_eq!(rlre.user_information, None);
}
