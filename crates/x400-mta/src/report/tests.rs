use chrono::{TimeZone, Utc};
use x400_p1::mta_abstract_service::{MtsApdu, TraceInformationElement};
use x400_p1::mts_abstract_service::{
    AdministrationDomainName, BuiltInContentType, CountryName, EncodedInformationTypes,
    IntendedRecipientName, PrivateDomainIdentifier, Redirection, RedirectionReason,
};
use x400_p1::{Ia5String, OctetString};

use super::*;

fn printable(s: &str) -> PrintableString {
    PrintableString::from_bytes(s.as_bytes()).unwrap()
}

fn gdi(c: &str, admd: &str, prmd: &str) -> GlobalDomainIdentifier {
    GlobalDomainIdentifier {
        country_name: CountryName::Iso3166Alpha2Code(printable(c)),
        administration_domain_name: AdministrationDomainName::Printable(printable(admd)),
        private_domain_identifier: Some(PrivateDomainIdentifier::Printable(printable(prmd))),
    }
}

fn us() -> GlobalDomainIdentifier {
    gdi("GB", " ", "ACME")
}

fn them() -> GlobalDomainIdentifier {
    gdi("FR", "ATLAS", "ORIG")
}

fn t(secs: i64) -> Time {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

fn name(text: &str) -> OrName {
    x400_p1::or_address_text::parse(text).unwrap()
}

fn mts_id(domain: GlobalDomainIdentifier, local: &str) -> MtsIdentifier {
    MtsIdentifier {
        global_domain_identifier: domain,
        local_identifier: Ia5String::from_iso646_bytes(local.as_bytes()).unwrap(),
    }
}

/// Per-recipient indicators of 8 bits: responsibility and `bits`.
fn indicators(bits: &[usize]) -> PerRecipientIndicators {
    let mut b = BitString::repeat(false, 8);
    b.set(RESPONSIBILITY, true);
    for &n in bits {
        b.set(n, true);
    }
    b
}

/// MTA level "non-delivery-report" and originator level "non-delivery-report".
const BASIC: &[usize] = &[
    ORIGINATING_MTA_NON_DELIVERY_REPORT,
    ORIGINATOR_NON_DELIVERY_REPORT,
];
/// MTA level "report" and originator level "report": delivery reports too.
const CONFIRMED: &[usize] = &[ORIGINATING_MTA_REPORT, ORIGINATOR_REPORT];
/// MTA level "audited-report".
const AUDITED: &[usize] = &[ORIGINATING_MTA_REPORT, ORIGINATING_MTA_NON_DELIVERY_REPORT];
/// MTA level "non-delivery-report", originator level "no-report".
const ORIGINATOR_NO_REPORT: &[usize] = &[ORIGINATING_MTA_NON_DELIVERY_REPORT];

fn recipient(n: u32, text: &str, bits: &[usize]) -> PerRecipientMessageTransferFields {
    PerRecipientMessageTransferFields {
        recipient_name: name(text),
        originally_specified_recipient_number: n,
        per_recipient_indicators: indicators(bits),
        explicit_conversion: None,
        extensions: None,
    }
}

fn element(d: &GlobalDomainIdentifier, at: Time) -> TraceInformationElement {
    let mut tr = TraceInformation::default();
    trace::add_trace(&mut tr, d, at, RoutingAction::Relayed).unwrap();
    tr.0.remove(0)
}

/// A message from FR/ATLAS/ORIG that entered our domain at t(100), to three recipients
/// with the given report requests.
fn subject(requests: [&[usize]; 3]) -> MessageTransferEnvelope {
    let mut env = MessageTransferEnvelope {
        message_identifier: mts_id(them(), "MSG-0001"),
        originator_name: name("C=FR;ADMD=ATLAS;PRMD=ORIG;O=Orig;S=Sender"),
        original_encoded_information_types: Some(EncodedInformationTypes::built_in(&[
            EncodedInformationTypes::IA5_TEXT,
        ])),
        content_type_built_in: None,
        content_type_extended: None,
        content_identifier: Some(x400_p1::mts_abstract_service::ContentIdentifier(printable(
            "ref 42",
        ))),
        priority: None,
        per_message_indicators: None,
        deferred_delivery_time: None,
        per_domain_bilateral_information: None,
        trace_information: TraceInformation(vec![element(&them(), t(0)), element(&us(), t(100))]),
        extensions: None,
        per_recipient_fields: vec![
            recipient(1, "C=GB;ADMD= ;PRMD=ACME;O=Acme;S=One", requests[0]),
            recipient(2, "C=GB;ADMD= ;PRMD=ACME;O=Acme;S=Two", requests[1]),
            recipient(3, "C=GB;ADMD= ;PRMD=ACME;O=Acme;S=Three", requests[2]),
        ],
    };
    env.set_content_type(x400_p1::mts_abstract_service::ContentType::BuiltIn(
        BuiltInContentType::INTERPERSONAL_MESSAGING_1988,
    ));
    env.validate().unwrap();
    env
}

fn origin() -> ReportOrigin {
    ReportOrigin {
        domain: us(),
        report_identifier: mts_id(us(), "RPT-0001"),
        now: t(200),
    }
}

fn delivered() -> Outcome {
    Outcome::Delivered { at: t(150) }
}

fn build(subject: &MessageTransferEnvelope, outcomes: &[(usize, Outcome)]) -> Option<Report> {
    build_report(subject, outcomes, &origin(), None).unwrap()
}

/// Encodes as an MTS-APDU, decodes, and checks the value comes back equal.
fn round_trip(report: &Report) {
    let apdu = MtsApdu::Report(report.clone());
    let octets = x400_p1::encode(&apdu).unwrap();
    assert_eq!(octets.first(), Some(&0xa1), "report [1]");
    assert_eq!(x400_p1::decode::<MtsApdu>(&octets).unwrap(), apdu);
}

fn report_type(r: &Report, i: usize) -> &ReportType {
    &r.content.per_recipient_fields[i]
        .last_trace_information
        .report_type
}

#[test]
fn reason_and_diagnostic_codes_are_x411s() {
    let codes = |o: Outcome| match o {
        Outcome::NotDelivered {
            reason, diagnostic, ..
        } => (reason.0, diagnostic.map(|d| d.0)),
        Outcome::Delivered { .. } => panic!("not a non-delivery"),
    };
    assert_eq!(codes(Outcome::unroutable()), (1, Some(0)));
    assert_eq!(codes(Outcome::unknown_local_recipient()), (1, Some(0)));
    assert_eq!(codes(Outcome::transfer_failed()), (0, Some(49)));
    assert_eq!(codes(Outcome::expired()), (0, Some(5)));
    assert_eq!(codes(Outcome::loop_detected()), (0, Some(3)));
    assert_eq!(codes(Outcome::too_many_transfers()), (0, Some(3)));
    assert_eq!(codes(Outcome::content_too_long()), (1, Some(7)));
    assert_eq!(codes(Outcome::unable_to_downgrade()), (1, Some(47)));
    assert_eq!(NonDeliveryReasonCode::CONVERSION_NOT_PERFORMED.0, 2);
    assert_eq!(
        NonDeliveryReasonCode::TRANSFER_FAILURE_FOR_SECURITY_REASON.0,
        8
    );
    assert_eq!(
        NonDeliveryDiagnosticCode::UNSUPPORTED_CRITICAL_FUNCTION.0,
        18
    );
    assert_eq!(NonDeliveryDiagnosticCode::UNABLE_TO_COMPLETE_TRANSFER.0, 48);
}

#[test]
fn a_non_delivery_report_per_recipient_with_its_codes() {
    let env = subject([BASIC, BASIC, BASIC]);
    let report = build(
        &env,
        &[
            (2, Outcome::content_too_long()),
            (
                0,
                Outcome::unroutable().with_supplementary("no route to C=GB"),
            ),
        ],
    )
    .expect("a report");
    let fields = &report.content.per_recipient_fields;
    assert_eq!(fields.len(), 2);
    // In recipient order, each with its name, number and indicators.
    assert_eq!(
        fields[0].actual_recipient_name,
        env.per_recipient_fields[0].recipient_name
    );
    assert_eq!(fields[0].originally_specified_recipient_number, 1);
    assert_eq!(fields[1].originally_specified_recipient_number, 3);
    assert_eq!(fields[1].per_recipient_indicators, indicators(BASIC));
    assert_eq!(
        report_type(&report, 0),
        &ReportType::NonDelivery(NonDeliveryReport {
            non_delivery_reason_code: 1,
            non_delivery_diagnostic_code: Some(0),
        })
    );
    assert_eq!(
        report_type(&report, 1),
        &ReportType::NonDelivery(NonDeliveryReport {
            non_delivery_reason_code: 1,
            non_delivery_diagnostic_code: Some(7),
        })
    );
    assert_eq!(
        fields[0].supplementary_information,
        Some(printable("no route to C=GB"))
    );
    // The time the subject entered our domain, from its trace.
    assert_eq!(fields[0].last_trace_information.arrival_time, t(100));
    round_trip(&report);
}

#[test]
fn a_delivery_report_only_when_asked_for() {
    // Basic: non-delivery reports only.
    let env = subject([BASIC, BASIC, BASIC]);
    assert!(build(&env, &[(0, delivered()), (1, delivered())]).is_none());
    // Confirmed: a delivery report.
    let env = subject([CONFIRMED, BASIC, AUDITED]);
    let report = build(
        &env,
        &[(0, delivered()), (1, delivered()), (2, delivered())],
    )
    .unwrap();
    let numbers: Vec<u32> = report
        .content
        .per_recipient_fields
        .iter()
        .map(|f| f.originally_specified_recipient_number)
        .collect();
    assert_eq!(numbers, [1, 3]);
    assert_eq!(
        report_type(&report, 0),
        &ReportType::Delivery(DeliveryReport {
            message_delivery_time: t(150),
            type_of_mts_user: None,
        })
    );
    round_trip(&report);
}

#[test]
fn mixed_outcomes_in_one_report() {
    let env = subject([CONFIRMED, BASIC, CONFIRMED]);
    let report = build(
        &env,
        &[(0, delivered()), (1, delivered()), (2, Outcome::expired())],
    )
    .unwrap();
    let fields = &report.content.per_recipient_fields;
    assert_eq!(fields.len(), 2, "recipient 2 wanted no delivery report");
    assert!(matches!(report_type(&report, 0), ReportType::Delivery(_)));
    assert_eq!(
        report_type(&report, 1),
        &ReportType::NonDelivery(NonDeliveryReport {
            non_delivery_reason_code: 0,
            non_delivery_diagnostic_code: Some(5),
        })
    );
    round_trip(&report);
}

#[test]
fn the_subject_identifier_trace_and_destination() {
    let env = subject([BASIC, BASIC, BASIC]);
    let report = build(&env, &[(1, Outcome::loop_detected())]).unwrap();
    let e = &report.envelope;
    assert_eq!(e.report_identifier, mts_id(us(), "RPT-0001"));
    assert_eq!(e.report_destination_name, env.originator_name);
    // The report's own trace: our element, made now.
    assert_eq!(e.trace_information.0.len(), 1);
    let ours = &e.trace_information.0[0];
    assert_eq!(ours.global_domain_identifier, us());
    assert_eq!(ours.domain_supplied_information.arrival_time, t(200));
    assert_eq!(
        ours.domain_supplied_information.routing_action,
        RoutingAction::Relayed
    );
    let c = &report.content;
    assert_eq!(c.subject_identifier, env.message_identifier);
    assert_eq!(
        c.original_encoded_information_types,
        env.original_encoded_information_types
    );
    assert_eq!(c.content_type(), env.content_type());
    assert_eq!(c.content_identifier, env.content_identifier);
    // Not audited: no intermediate trace; no content asked back.
    assert_eq!(c.subject_intermediate_trace_information, None);
    assert_eq!(c.returned_content, None);
    round_trip(&report);
}

#[test]
fn an_audited_report_carries_the_subject_trace() {
    let env = subject([BASIC, AUDITED, BASIC]);
    let report = build(&env, &[(1, delivered())]).unwrap();
    assert_eq!(
        report.content.subject_intermediate_trace_information,
        Some(env.trace_information.clone())
    );
    round_trip(&report);
}

#[test]
fn none_when_the_originator_asked_for_no_reports() {
    let env = subject([&[], &[], &[]]);
    assert!(build(&env, &[(0, delivered()), (1, Outcome::unroutable())]).is_none());
    assert!(build(&env, &[]).is_none());
}

#[test]
fn an_originator_request_without_the_mta_request_still_counts() {
    // X.411 wants the MTA request at least as strong as the originator's; an envelope that
    // breaks the rule gets what its originator asked for.
    let only_originator: &[usize] = &[ORIGINATOR_NON_DELIVERY_REPORT];
    let env = subject([only_originator, &[ORIGINATOR_REPORT], only_originator]);
    assert!(build(&env, &[(0, delivered())]).is_none());
    let r = build(&env, &[(0, Outcome::unroutable()), (1, delivered())]).unwrap();
    assert_eq!(r.content.per_recipient_fields.len(), 2);
}

#[test]
fn the_originators_no_report_still_returns_a_non_delivery_to_its_domain() {
    // X.411: the reporting MTA acts on the originating MTA's request; the originating MTA
    // drops the report when its originator asked for none.
    let env = subject([
        ORIGINATOR_NO_REPORT,
        ORIGINATOR_NO_REPORT,
        ORIGINATOR_NO_REPORT,
    ]);
    assert!(build(&env, &[(0, delivered())]).is_none());
    let report = build(&env, &[(0, Outcome::unroutable())]).unwrap();
    let f = &report.content.per_recipient_fields[0];
    assert_eq!(f.per_recipient_indicators, indicators(ORIGINATOR_NO_REPORT));
    round_trip(&report);
}

#[test]
fn content_is_returned_only_when_asked_for_and_something_failed() {
    let content = OctetString::from_static(b"\x31\x00");
    let mut env = subject([CONFIRMED, CONFIRMED, CONFIRMED]);
    let ndr = [(0, Outcome::unroutable())];
    let r = build_report(&env, &ndr, &origin(), Some(&content))
        .unwrap()
        .unwrap();
    assert_eq!(r.content.returned_content, None, "not asked for");
    let mut pmi = PerMessageIndicators::default();
    pmi.set(PerMessageIndicators::CONTENT_RETURN_REQUEST, true);
    env.per_message_indicators = Some(pmi);
    let r = build_report(&env, &ndr, &origin(), Some(&content))
        .unwrap()
        .unwrap();
    assert_eq!(r.content.returned_content, Some(content.clone()));
    round_trip(&r);
    // A report of deliveries only returns nothing.
    let r = build_report(&env, &[(0, delivered())], &origin(), Some(&content))
        .unwrap()
        .unwrap();
    assert_eq!(r.content.returned_content, None);
}

#[test]
fn an_alternate_recipient_names_the_intended_one() {
    let mut env = subject([BASIC, BASIC, BASIC]);
    let intended = name("C=GB;ADMD= ;PRMD=ACME;O=Acme;S=Away");
    let history = StandardExtension::RedirectionHistory(vec![Redirection {
        intended_recipient_name: IntendedRecipientName {
            intended_recipient: intended.clone(),
            redirection_time: t(120),
        },
        redirection_reason: RedirectionReason::RecipientAssignedAlternateRecipient,
    }]);
    let ext = ExtensionField::from_standard(&history, BitString::new()).unwrap();
    env.per_recipient_fields[0].extensions = Some(vec![ext.clone()]);
    let r = build(&env, &[(0, Outcome::unknown_local_recipient())]).unwrap();
    let f = &r.content.per_recipient_fields[0];
    assert_eq!(f.originally_intended_recipient_name, Some(intended));
    assert_eq!(f.extensions, Some(vec![ext]));
    round_trip(&r);
}

#[test]
fn the_content_correlator_comes_back() {
    let mut env = subject([BASIC, BASIC, BASIC]);
    let correlator = ExtensionField::from_standard(
        &StandardExtension::ContentCorrelator(x400_p1::Any::new(vec![0x16, 0x02, b'x', b'y'])),
        BitString::new(),
    )
    .unwrap();
    env.extensions = Some(vec![correlator.clone()]);
    let r = build(&env, &[(0, Outcome::unroutable())]).unwrap();
    assert_eq!(r.content.extensions, Some(vec![correlator]));
    round_trip(&r);
}

#[test]
fn times_are_cut_to_whole_seconds() {
    let env = subject([CONFIRMED, BASIC, BASIC]);
    let mut o = origin();
    o.now = Utc.timestamp_opt(1_700_000_200, 500_000_000).unwrap();
    let at = Utc.timestamp_opt(1_700_000_150, 1).unwrap();
    let r = build_report(&env, &[(0, Outcome::Delivered { at })], &o, None)
        .unwrap()
        .unwrap();
    assert_eq!(
        r.envelope.trace_information.0[0]
            .domain_supplied_information
            .arrival_time,
        t(200)
    );
    round_trip(&r);
}

#[test]
fn the_arrival_time_is_now_when_our_domain_is_not_traced() {
    let mut env = subject([BASIC, BASIC, BASIC]);
    env.trace_information.0.pop();
    let r = build(&env, &[(0, Outcome::unroutable())]).unwrap();
    assert_eq!(
        r.content.per_recipient_fields[0]
            .last_trace_information
            .arrival_time,
        t(200)
    );
}

#[test]
fn caller_mistakes_are_errors() {
    let env = subject([BASIC, BASIC, BASIC]);
    let err = |outcomes: &[(usize, Outcome)], o: &ReportOrigin| {
        build_report(&env, outcomes, o, None).unwrap_err()
    };
    assert!(matches!(
        err(&[(3, Outcome::unroutable())], &origin()),
        ReportError::NoSuchRecipient {
            index: 3,
            recipients: 3
        }
    ));
    assert!(matches!(
        err(&[(1, Outcome::unroutable()), (1, delivered())], &origin()),
        ReportError::DuplicateRecipient { index: 1 }
    ));
    let mut foreign = origin();
    foreign.report_identifier = mts_id(them(), "RPT-0001");
    assert!(matches!(
        err(&[(0, Outcome::unroutable())], &foreign),
        ReportError::ForeignReportIdentifier
    ));
    let mut late = origin();
    late.now = Utc.with_ymd_and_hms(2070, 1, 1, 0, 0, 0).unwrap();
    assert!(matches!(
        err(&[(0, Outcome::unroutable())], &late),
        ReportError::Trace(TraceError::TimeOutOfRange { .. })
    ));
    for (text, problem) in [
        ("", "is empty"),
        ("a_b", "has characters PrintableString does not allow"),
    ] {
        match err(
            &[(0, Outcome::unroutable().with_supplementary(text))],
            &origin(),
        ) {
            ReportError::SupplementaryInformation {
                index: 0,
                problem: p,
            } => assert_eq!(p, problem),
            other => panic!("{other:?}"),
        }
    }
    let long = "x".repeat(UB_SUPPLEMENTARY_INFO_LENGTH + 1);
    assert!(matches!(
        err(
            &[(0, Outcome::unroutable().with_supplementary(long))],
            &origin()
        ),
        ReportError::SupplementaryInformation { index: 0, .. }
    ));
    // 256 characters fit.
    let most = "x".repeat(UB_SUPPLEMENTARY_INFO_LENGTH);
    assert!(build(&env, &[(0, Outcome::unroutable().with_supplementary(most))]).is_some());
}

#[test]
fn a_recipient_we_are_not_responsible_for_is_an_error() {
    let mut env = subject([BASIC, BASIC, BASIC]);
    env.per_recipient_fields[2]
        .per_recipient_indicators
        .set(RESPONSIBILITY, false);
    assert!(matches!(
        build_report(&env, &[(2, Outcome::unroutable())], &origin(), None),
        Err(ReportError::NotResponsible { index: 2 })
    ));
}
