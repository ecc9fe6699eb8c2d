//! Conversion between the 1984 MPDU and the 1988 MTS-APDU: the 1984 UserMPDU (built from the
//! 1984 ASN.1) and a delivery report built from its values go up to 1988 and back unchanged;
//! asn1tools' 1988 message and probe go down and back; the octets each generation's encoder
//! writes decode with the other's decoder to the converted value; and what 1984 cannot carry
//! is refused (critical extensions, extended content types, 1988 O/R names, private-domain
//! bilateral information) or dropped (the rest).

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{unhex, vector};
use x400_p1::convert::{Downgrade, UNABLE_TO_DOWNGRADE};
use x400_p1::mta_abstract_service::*;
use x400_p1::mts_abstract_service::*;
use x400_p1::p1_1984::{
    DeliveryReportContent, DeliveryReportEnvelope, DeliveryReportMpdu, Mpdu, ReportedRecipientInfo,
    UmpduEnvelope, UserMpdu,
};
use x400_p1::{Any, BitString, ObjectIdentifier, PrintableString, decode, encode};

const TSV: &str = "asn1tools-p1.tsv";

/// The 1984 UserMPDU of `tests/p1_1984.rs` (built from the X.411 (1984) ASN.1, re-parsed with
/// openssl).
const USER_MPDU_1984: &str = "
A0 82 01 76 31 81 BE 64 20 63 14 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 13 04 50 52 4D 44 16 08 4D 53
47 2D 30 30 30 31 60 2C 30 2A 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F
52 47 A5 0D 80 05 53 6D 69 74 68 81 04 4A 6F 68 6E 65 04 80 02 05 20 46 01 02 48 02 04 20 A2 31 31 2F 60
26 30 24 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 07 80 05 4A
6F 6E 65 73 80 01 01 81 02 00 A0 69 2C 30 2A 63 14 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 13 04 50 52
4D 44 31 12 80 0D 39 34 30 32 31 34 31 30 33 30 30 30 5A 82 01 00 04 81 B2 A0 81 AF 31 81 9D 6B 35 60 2C
30 2A 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 0D 80 05 53 6D
69 74 68 81 04 4A 6F 68 6E 13 05 49 50 4D 2D 31 A0 2E 60 2C 30 2A 61 04 13 02 47 42 62 06 13 04 41 44 4D
44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 0D 80 05 53 6D 69 74 68 81 04 4A 6F 68 6E A2 2C 31 2A A0 28
60 26 30 24 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 07 80 05
4A 6F 6E 65 73 A8 06 14 04 54 65 73 74 30 0D A0 0B 31 00 16 07 48 65 6C 6C 6F 0D 0A";

fn user_mpdu() -> UserMpdu {
    match decode::<Mpdu>(&unhex(USER_MPDU_1984)).unwrap() {
        Mpdu::UserMpdu(u) => u,
        other => panic!("{other:?}"),
    }
}

fn message_1988() -> Message {
    match decode::<MtsApdu>(&vector(TSV, "E.MTS-APDU.message")).unwrap() {
        MtsApdu::Message(m) => m,
        other => panic!("{other:?}"),
    }
}

fn printable(s: &str) -> PrintableString {
    PrintableString::try_from(s.to_string()).unwrap()
}

/// Up, then down: the same 1984 value; both encoders' octets decode with the other
/// generation's decoder to the converted value.
fn assert_round_trip_from_1984(mpdu: &Mpdu) {
    let up = MtsApdu::from(mpdu.clone());
    assert_eq!(&Mpdu::try_from(&up).unwrap(), mpdu, "up then down");
    let octets_84 = encode(mpdu).unwrap();
    assert_eq!(
        decode::<MtsApdu>(&octets_84).unwrap(),
        up,
        "1984 octets, 1988 decoder"
    );
    let octets_88 = encode(&up).unwrap();
    assert_eq!(
        &decode::<Mpdu>(&octets_88).unwrap(),
        mpdu,
        "1988 octets, 1984 decoder"
    );
}

#[test]
fn user_mpdu_1984_up_and_back() {
    let u = user_mpdu();
    let envelope = MessageTransferEnvelope::from(u.envelope.clone());
    // The 1984 octets decoded as 1988 give the converted envelope, as does the whole-MPDU
    // conversion of `p1_1984`.
    let MtsApdu::Message(m) = decode::<MtsApdu>(&unhex(USER_MPDU_1984)).unwrap() else {
        panic!()
    };
    assert_eq!(m.envelope, envelope);
    let MtsApdu::Message(whole) = MtsApdu::from(Mpdu::UserMpdu(u.clone())) else {
        panic!()
    };
    assert_eq!(whole, Message::from(u.clone()));
    assert_eq!(UmpduEnvelope::try_from(&envelope).unwrap(), u.envelope);
    assert_eq!(UserMpdu::try_from(&Message::from(u.clone())).unwrap(), u);
    assert_round_trip_from_1984(&Mpdu::UserMpdu(u));
}

#[test]
fn probe_1984_up_and_back() {
    let u = user_mpdu();
    let e = u.envelope;
    let probe = x400_p1::p1_1984::ProbeEnvelope {
        probe: e.mpdu_id,
        originator: e.originator,
        content_type: e.content_type,
        ua_content_id: e.ua_content_id,
        original: e.original,
        trace_information: e.trace_information,
        per_message_flag: e.per_message_flag,
        content_length: Some(178),
        per_domain_bilateral_info: None,
        recipient_info: e.recipient_info,
    };
    assert_round_trip_from_1984(&Mpdu::ProbeMpdu(probe));
}

/// A 1984 delivery report on the UserMPDU: non-delivery of its recipient, the content
/// returned, billing information, an intermediate trace and an intended recipient.
fn report_1984() -> DeliveryReportMpdu {
    let u = user_mpdu();
    let e = u.envelope;
    let r = &e.recipient_info[0];
    let arrival = e.trace_information.0[0]
        .domain_supplied_information
        .arrival_time;
    let mut report_id = e.mpdu_id.clone();
    report_id.local_identifier = x400_p1::Ia5String::try_from("RPT-0001".to_string()).unwrap();
    DeliveryReportMpdu {
        envelope: DeliveryReportEnvelope {
            report: report_id,
            originator: e.originator.clone(),
            trace_information: e.trace_information.clone(),
        },
        content: DeliveryReportContent {
            original: e.mpdu_id,
            intermediate: Some(e.trace_information),
            ua_content_id: Some(ContentIdentifier(printable("IPM-1"))),
            reported_recipient_info: vec![ReportedRecipientInfo {
                recipient: r.recipient.clone(),
                extension_identifier: r.extension_identifier,
                per_recipient_flag: r.per_recipient_flag.clone(),
                last_trace_information: LastTraceInformation {
                    arrival_time: arrival,
                    converted_encoded_information_types: None,
                    report_type: ReportType::NonDelivery(NonDeliveryReport {
                        non_delivery_reason_code: 1,
                        non_delivery_diagnostic_code: Some(0),
                    }),
                },
                intended_recipient: Some(e.originator),
                supplementary_information: Some(printable("no such user")),
            }],
            returned: Some(u.content),
            // billingInformation: INTEGER 5.
            billing_information: Some(Any::new(vec![0x02, 0x01, 0x05])),
        },
    }
}

#[test]
fn report_1984_up_and_back() {
    let dr = report_1984();
    let up = Report::from(dr.clone());
    assert_eq!(
        up.content
            .additional_information
            .as_ref()
            .unwrap()
            .as_bytes(),
        [2, 1, 5]
    );
    assert_eq!(
        up.content.per_recipient_fields[0].originally_specified_recipient_number,
        1
    );
    assert_eq!(DeliveryReportMpdu::try_from(&up).unwrap(), dr);
    let MtsApdu::Report(whole) = MtsApdu::from(Mpdu::DeliveryReportMpdu(dr.clone())) else {
        panic!()
    };
    assert_eq!(whole, up);
    assert_round_trip_from_1984(&Mpdu::DeliveryReportMpdu(dr));
}

/// asn1tools' 1988 message and probe use nothing 1984 lacks: down and up again is the same
/// value, and the 1988 octets decode with the 1984 decoder to the downgraded value.
#[test]
fn message_and_probe_1988_down_and_back() {
    for name in ["E.MTS-APDU.message", "E.MTS-APDU.probe"] {
        let octets = vector(TSV, name);
        let apdu = decode::<MtsApdu>(&octets).unwrap();
        let down = Mpdu::try_from(&apdu).unwrap();
        assert_eq!(MtsApdu::from(down.clone()), apdu, "{name}");
        assert_eq!(decode::<Mpdu>(&octets).unwrap(), down, "{name}");
        assert_eq!(
            decode::<MtsApdu>(&encode(&down).unwrap()).unwrap(),
            apdu,
            "{name}"
        );
    }
}

/// An extension field of the given standard type with the given criticality bits.
fn extension(n: u32, critical: &[usize]) -> ExtensionField {
    let mut criticality = BitString::new();
    for &bit in critical {
        if criticality.len() <= bit {
            criticality.resize(bit + 1, false);
        }
        criticality.set(bit, true);
    }
    // internal-trace-information (38) and others this crate keeps opaque: any value will do.
    ExtensionField {
        r#type: ExtensionType::StandardExtension(n),
        criticality,
        value: Any::new(vec![0x05, 0x00]),
    }
}

#[test]
fn critical_extensions_refuse_the_downgrade() {
    const FOR_SUBMISSION: usize = 0;
    const FOR_DELIVERY: usize = 2;
    let m = message_1988();
    let mut with = m.clone();
    with.envelope.extensions = Some(vec![
        extension(38, &[]),
        extension(42, &[CRITICAL_FOR_TRANSFER]),
    ]);
    let err = UserMpdu::try_from(&with).unwrap_err();
    assert_eq!(
        err,
        Downgrade::CriticalExtension {
            field: "extensions",
            extension: ExtensionType::StandardExtension(42),
            criticality: "for transfer",
        }
    );
    assert_eq!(
        err.to_string(),
        "extensions holds standard extension 42, critical for transfer; 1984 has no extensions"
    );
    assert_eq!(err.diagnostic_code(), UNABLE_TO_DOWNGRADE);
    assert_eq!(UNABLE_TO_DOWNGRADE, 47);

    // Critical for delivery, on a recipient, as a private extension.
    let mut with = m.clone();
    let oid = ObjectIdentifier::new(vec![1, 3, 6, 1, 4, 1, 99]).unwrap();
    with.envelope.per_recipient_fields[0].extensions = Some(vec![ExtensionField {
        r#type: ExtensionType::PrivateExtension(oid.clone()),
        ..extension(0, &[FOR_DELIVERY])
    }]);
    assert_eq!(
        UserMpdu::try_from(&with).unwrap_err(),
        Downgrade::CriticalExtension {
            field: "per-recipient-fields extensions",
            extension: ExtensionType::PrivateExtension(oid),
            criticality: "for delivery",
        }
    );

    // In a report's envelope.
    let mut report = Report::from(report_1984());
    report.envelope.extensions = Some(vec![extension(38, &[CRITICAL_FOR_TRANSFER])]);
    assert!(matches!(
        Mpdu::try_from(&MtsApdu::Report(report)),
        Err(Downgrade::CriticalExtension {
            field: "report envelope extensions",
            ..
        })
    ));

    // Critical for submission only is not critical for the transfer: dropped.
    let mut with = m;
    with.envelope.extensions = Some(vec![extension(38, &[FOR_SUBMISSION])]);
    assert!(UserMpdu::try_from(&with).is_ok());
}

#[test]
fn non_critical_extensions_are_dropped() {
    let m = message_1988();
    let plain = UserMpdu::try_from(&m).unwrap();
    let mut with = m.clone();
    let ldt = StandardExtension::LatestDeliveryTime(
        m.envelope.trace_information.0[0]
            .domain_supplied_information
            .arrival_time,
    );
    with.envelope.extensions = Some(vec![
        ExtensionField::from_standard(&ldt, BitString::new()).unwrap(),
        extension(38, &[]),
    ]);
    with.envelope.per_recipient_fields[0].extensions = Some(vec![extension(38, &[])]);
    let down = UserMpdu::try_from(&with).unwrap();
    assert_eq!(down, plain);
    // The 1984 octets have no `[3]` anywhere in the envelope; the 1988 ones do, and the 1984
    // decoder ignores them there as it ignores any unknown envelope element.
    let octets = encode(&Mpdu::UserMpdu(down)).unwrap();
    assert_eq!(decode::<MtsApdu>(&octets).unwrap(), MtsApdu::Message(m));
    let with_octets = encode(&MtsApdu::Message(with)).unwrap();
    assert_eq!(decode::<Mpdu>(&with_octets).unwrap(), Mpdu::UserMpdu(plain));

    // A report's content-type and original encoded information types describe the subject
    // message only: dropped, like its non-critical extensions.
    let dr = report_1984();
    let mut report = Report::from(dr.clone());
    report
        .content
        .set_content_type(Some(ContentType::BuiltIn(BuiltInContentType(2))));
    report.content.original_encoded_information_types = Some(EncodedInformationTypes::built_in(&[
        EncodedInformationTypes::IA5_TEXT,
    ]));
    report.content.extensions = Some(vec![extension(38, &[])]);
    report.content.per_recipient_fields[0].extensions = Some(vec![extension(38, &[])]);
    assert_eq!(DeliveryReportMpdu::try_from(&report).unwrap(), dr);
}

#[test]
fn extended_content_type_refuses_the_downgrade() {
    let oid = ObjectIdentifier::new(vec![2, 6, 1, 10, 1]).unwrap();
    let mut m = message_1988();
    m.envelope
        .set_content_type(ContentType::Extended(oid.clone()));
    let err = UserMpdu::try_from(&m).unwrap_err();
    assert_eq!(err, Downgrade::ExtendedContentType(oid.clone()));
    assert!(err.to_string().contains("2.6.1.10.1"), "{err}");
    let MtsApdu::Probe(mut p) = decode::<MtsApdu>(&vector(TSV, "E.MTS-APDU.probe")).unwrap() else {
        panic!()
    };
    p.set_content_type(ContentType::Extended(oid.clone()));
    assert_eq!(
        Mpdu::try_from(&MtsApdu::Probe(p)).unwrap_err(),
        Downgrade::ExtendedContentType(oid)
    );
}

#[test]
fn or_names_are_downgraded_or_refused() {
    let m = message_1988();
    let plain = UserMpdu::try_from(&m).unwrap();
    // A directory name beside the O/R address is dropped.
    let mut with = m.clone();
    with.envelope.originator_name.directory_name = Some(Any::new(vec![0x30, 0x00]));
    assert_eq!(UserMpdu::try_from(&with).unwrap(), plain);
    // A directory name alone is refused.
    let mut with = m.clone();
    with.envelope.per_recipient_fields[0].recipient_name = OrName {
        directory_name: Some(Any::new(vec![0x30, 0x00])),
        ..OrName::default()
    };
    assert_eq!(
        UserMpdu::try_from(&with).unwrap_err(),
        Downgrade::DirectoryNameOnly {
            field: "recipient-name"
        }
    );
    // Extension attributes (common-name "John Smith") are refused.
    let mut with = m;
    with.envelope.originator_name.extension_attributes = Some(vec![ExtensionAttribute {
        extension_attribute_type: 1,
        extension_attribute_value: Any::new([&[0x13, 10][..], b"John Smith"].concat()),
    }]);
    let err = UserMpdu::try_from(&with).unwrap_err();
    assert_eq!(
        err,
        Downgrade::OrNameExtensionAttributes {
            field: "originator-name"
        }
    );
    assert_eq!(
        err.to_string(),
        "originator-name has extension-attributes, which a 1984 O/R name cannot hold"
    );
}

#[test]
fn bilateral_information_of_a_private_domain_is_refused() {
    let gb = CountryName::Iso3166Alpha2Code(printable("GB"));
    let admd = |s: &str| PrivateDomainName::Printable(printable(s));
    let mut m = message_1988();
    m.envelope.per_domain_bilateral_information = Some(vec![PerDomainBilateralInformation {
        country_name: gb.clone(),
        domain: BilateralDomain::AdministrationDomainName(admd("BT")),
        bilateral_information: Any::new(vec![0x02, 0x01, 0x05]),
    }]);
    // An ADMD's goes down and up unchanged, and the 1984 octets decode as 1988.
    let down = UserMpdu::try_from(&m).unwrap();
    assert_eq!(Message::from(down.clone()), m);
    let octets = encode(&Mpdu::UserMpdu(down)).unwrap();
    assert_eq!(
        decode::<MtsApdu>(&octets).unwrap(),
        MtsApdu::Message(m.clone())
    );
    // A PRMD's has no 1984 form.
    m.envelope.per_domain_bilateral_information = Some(vec![PerDomainBilateralInformation {
        country_name: gb,
        domain: BilateralDomain::PrivateDomain(BilateralPrivateDomain {
            administration_domain_name: admd("BT"),
            private_domain_identifier: admd("ACME"),
        }),
        bilateral_information: Any::new(vec![0x02, 0x01, 0x05]),
    }]);
    assert_eq!(
        UserMpdu::try_from(&m).unwrap_err(),
        Downgrade::PrivateDomainBilateralInformation
    );
}

/// Trace other-actions and extended encoded information types have no 1984 form and ask
/// nothing of a 1984 MTA: dropped.
#[test]
fn trace_other_actions_and_extended_eits_are_dropped() {
    let m = message_1988();
    let plain = UserMpdu::try_from(&m).unwrap();
    let mut with = m;
    let mut redirected = BitString::new();
    redirected.push(true);
    with.envelope.trace_information.0[0]
        .domain_supplied_information
        .other_actions = Some(redirected);
    with.envelope
        .original_encoded_information_types
        .as_mut()
        .unwrap()
        .extended_encoded_information_types =
        Some(vec![ObjectIdentifier::new(vec![2, 6, 3, 4, 1]).unwrap()]);
    assert_eq!(UserMpdu::try_from(&with).unwrap(), plain);
}
