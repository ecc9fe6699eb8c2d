//! The P1 layer of the trace decoder: X.411 MTS-APDUs / MPDUs carried in RTS transfers, and the
//! MTA bind carried in the RTS open (PConnect / PAccept).
//!
//! O/R names are shown in their text form (`C=GB;ADMD= ;PRMD=ACME;S=Smith`), flags by name,
//! trace elements one per line. Passwords are never shown, only their type and length.

use serde_json::{Value, json};
use x400::p1::mta_abstract_service::*;
use x400::p1::mts_abstract_service::*;
use x400::p1::or_address_text::render;
use x400::p1::p1_1984::{Mpdu, Request};
use x400::p1::{BitString, UtcTime, decode};

use crate::report::{Layer, hex};

/// 1988 NonDeliveryReasonCode names (X.411 §12.2.1.3.1.x; rts-p1.md §5.1).
const REASONS: [&str; 9] = [
    "transfer-failure",
    "unable-to-transfer",
    "conversion-not-performed",
    "physical-rendition-not-performed",
    "physical-delivery-not-performed",
    "restricted-delivery",
    "directory-operation-unsuccessful",
    "deferred-delivery-not-performed",
    "transfer-failure-for-security-reason",
];

/// NonDeliveryDiagnosticCode names 0..=31 (rts-p1.md §4.3 and §5.1); higher codes are shown as numbers.
const DIAGNOSTICS: [&str; 32] = [
    "unrecognised-OR-name",
    "ambiguous-OR-name",
    "mts-congestion",
    "loop-detected",
    "recipient-unavailable",
    "maximum-time-expired",
    "encoded-information-types-unsupported",
    "content-too-long",
    "conversion-impractical",
    "implicit-conversion-prohibited",
    "implicit-conversion-not-subscribed",
    "invalid-arguments",
    "content-syntax-error",
    "size-constraint-violation",
    "protocol-violation",
    "content-type-not-supported",
    "too-many-recipients",
    "no-bilateral-agreement",
    "unsupported-critical-function",
    "conversion-with-loss-prohibited",
    "line-too-long",
    "page-split",
    "pictorial-symbol-loss",
    "punctuation-symbol-loss",
    "alphabetic-character-loss",
    "multiple-information-loss",
    "recipient-reassignment-prohibited",
    "redirection-loop-detected",
    "dl-expansion-prohibited",
    "no-dl-submit-permission",
    "dl-expansion-failure",
    "physical-rendition-attributes-not-supported",
];

fn text<T: AsRef<[u8]>>(b: T) -> String {
    String::from_utf8_lossy(b.as_ref()).into_owned()
}

fn domain_name(
    numeric: Option<&x400::p1::NumericString>,
    printable: Option<&x400::p1::PrintableString>,
) -> String {
    numeric
        .map(|n| text(n.as_bytes()))
        .or(printable.map(|p| text(p.as_bytes())))
        .unwrap_or_default()
}

fn gdi(g: &GlobalDomainIdentifier) -> String {
    let c = match &g.country_name {
        CountryName::X121DccCode(n) => text(n.as_bytes()),
        CountryName::Iso3166Alpha2Code(p) => text(p.as_bytes()),
    };
    let a = match &g.administration_domain_name {
        AdministrationDomainName::Numeric(n) => domain_name(Some(n), None),
        AdministrationDomainName::Printable(p) => domain_name(None, Some(p)),
    };
    let mut s = format!("C={c};ADMD={a}");
    match &g.private_domain_identifier {
        Some(PrivateDomainName::Numeric(n)) => s.push_str(&format!(";PRMD={}", text(n.as_bytes()))),
        Some(PrivateDomainName::Printable(p)) => {
            s.push_str(&format!(";PRMD={}", text(p.as_bytes())))
        }
        None => {}
    }
    s
}

/// An MTS identifier as `[C=..;ADMD=..;PRMD=..;local-id]`, the RFC 2156 X400-MTS-Identifier shape.
fn mts_id(i: &MtsIdentifier) -> String {
    format!(
        "[{};{}]",
        gdi(&i.global_domain_identifier),
        i.local_identifier
    )
}

fn time(t: &UtcTime) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// The names of the set bits (numbers for unnamed ones).
fn named_bits(bits: &BitString, names: &[(usize, &str)]) -> Value {
    let set: Vec<Value> = bits
        .iter_ones()
        .map(|i| {
            names
                .iter()
                .find(|(n, _)| *n == i)
                .map_or_else(|| json!(format!("bit-{i}")), |(_, s)| json!(s))
        })
        .collect();
    Value::Array(set)
}

fn priority(p: Option<Priority>) -> &'static str {
    match p.unwrap_or_default() {
        Priority::Normal => "normal",
        Priority::NonUrgent => "non-urgent",
        Priority::Urgent => "urgent",
    }
}

fn content_type(ct: Option<ContentType>) -> Value {
    match ct {
        Some(ContentType::BuiltIn(b)) => {
            let name = match b.0 {
                0 => " (unidentified)",
                1 => " (external)",
                2 => " (interpersonal-messaging-1984, P2)",
                22 => " (interpersonal-messaging-1988)",
                35 => " (edi-messaging)",
                40 => " (voice-messaging)",
                _ => "",
            };
            json!(format!("{}{name}", b.0))
        }
        Some(ContentType::Extended(o)) => json!(
            o.iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(".")
        ),
        None => Value::Null,
    }
}

fn trace(t: &TraceInformation) -> Value {
    t.0.iter()
        .map(|e| {
            let d = &e.domain_supplied_information;
            let mut s = format!(
                "{} arrived {} {}",
                gdi(&e.global_domain_identifier),
                time(&d.arrival_time),
                match d.routing_action {
                    RoutingAction::Relayed => "relayed",
                    RoutingAction::Rerouted => "rerouted",
                }
            );
            if let Some(a) = &d.attempted_domain {
                s.push_str(&format!(", attempted {}", gdi(a)));
            }
            if let Some(t) = &d.deferred_time {
                s.push_str(&format!(", deferred until {}", time(t)));
            }
            json!(s)
        })
        .collect()
}

fn extensions(list: Option<&Vec<ExtensionField>>) -> Value {
    list.into_iter()
        .flatten()
        .map(|e| {
            let critical = if e.criticality.get(CRITICAL_FOR_TRANSFER).is_some_and(|b| *b) {
                " (critical for transfer)"
            } else {
                ""
            };
            match e.standard() {
                Ok(Some(StandardExtension::LatestDeliveryTime(t))) => {
                    json!(format!("latest-delivery-time {}{critical}", time(&t)))
                }
                Ok(Some(StandardExtension::OriginatorReturnAddress(a))) => {
                    json!(format!(
                        "originator-return-address {}{critical}",
                        render(&OrName::from(*a))
                    ))
                }
                Ok(Some(StandardExtension::RedirectionHistory(h))) => json!(format!(
                    "redirection-history: {}{critical}",
                    h.iter()
                        .map(|r| format!(
                            "{} at {}",
                            render(&r.intended_recipient_name.intended_recipient),
                            time(&r.intended_recipient_name.redirection_time)
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                Ok(Some(StandardExtension::DlExpansionHistory(h))) => json!(format!(
                    "dl-expansion-history: {}{critical}",
                    h.iter()
                        .map(|d| format!("{} at {}", render(&d.dl), time(&d.dl_expansion_time)))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                Ok(Some(s)) => json!(format!(
                    "{} {}{critical}",
                    s.name(),
                    hex(e.value.as_bytes())
                )),
                Ok(None) | Err(_) => {
                    let t = match &e.r#type {
                        ExtensionType::StandardExtension(n) => format!("standard-extension {n}"),
                        ExtensionType::PrivateExtension(o) => {
                            format!(
                                "private-extension {}",
                                o.iter()
                                    .map(|a| a.to_string())
                                    .collect::<Vec<_>>()
                                    .join(".")
                            )
                        }
                    };
                    json!(format!("{t}{critical}: {}", hex(e.value.as_bytes())))
                }
            }
        })
        .collect()
}

fn recipients(list: &[PerRecipientMessageTransferFields]) -> Value {
    list.iter()
        .map(|r| {
            json!({
                "name": render(&r.recipient_name),
                "number": r.originally_specified_recipient_number,
                "indicators": named_bits(&r.per_recipient_indicators, &PER_RECIPIENT_INDICATOR_NAMES),
                "extensions": extensions(r.extensions.as_ref()),
            })
        })
        .collect()
}

fn report_type(r: &ReportType) -> String {
    match r {
        ReportType::Delivery(d) => format!("delivered {}", time(&d.message_delivery_time)),
        ReportType::NonDelivery(n) => {
            let reason = usize::try_from(n.non_delivery_reason_code)
                .ok()
                .and_then(|i| REASONS.get(i))
                .copied()
                .unwrap_or("?");
            let mut s = format!("not delivered: {} ({reason})", n.non_delivery_reason_code);
            if let Some(d) = n.non_delivery_diagnostic_code {
                let name = usize::try_from(d)
                    .ok()
                    .and_then(|i| DIAGNOSTICS.get(i))
                    .copied()
                    .unwrap_or("?");
                s.push_str(&format!(", diagnostic {d} ({name})"));
            }
            s
        }
    }
}

/// Explains one transferred APDU (the octets of one RTS transfer).
///
/// The 1988 MTS-APDU is decoded (its tags are those of the 1984 MPDU and it is a superset), and
/// the summary says whether the octets are also a valid 1984 MPDU.
pub fn explain(data: &[u8]) -> (Vec<Layer>, Vec<String>) {
    let apdu = match decode::<MtsApdu>(data) {
        Ok(a) => a,
        Err(e) => return (Vec::new(), vec![format!("p1: {e}")]),
    };
    let also_1984 = if decode::<Mpdu>(data).is_ok() {
        "; also a valid 1984 MPDU"
    } else {
        "; 1988 only"
    };
    let mut l;
    match &apdu {
        MtsApdu::Message(m) => {
            let e = &m.envelope;
            l = Layer::new(
                "p1",
                format!(
                    "MTS-APDU message, {} recipient(s){also_1984}",
                    e.per_recipient_fields.len()
                ),
            );
            l.field(
                "message-identifier",
                mts_id(&e.message_identifier),
                "X.411 MTSIdentifier [APPLICATION 4]",
            );
            l.field(
                "originator-name",
                render(&e.originator_name),
                "O/R name as text",
            );
            l.field("content-type", content_type(e.content_type()), "");
            if let Some(c) = &e.content_identifier {
                l.field("content-identifier", text(c.0.as_bytes()), "");
            }
            l.field("priority", priority(e.priority), "absent means normal");
            l.field(
                "per-message-indicators",
                named_bits(
                    &e.per_message_indicators.clone().unwrap_or_default().0,
                    &PerMessageIndicators::NAMES,
                ),
                "",
            );
            if let Some(t) = &e.deferred_delivery_time {
                l.field("deferred-delivery-time", time(t), "");
            }
            if let Some(eit) = &e.original_encoded_information_types {
                l.field(
                    "original-encoded-information-types",
                    named_bits(
                        &eit.built_in_encoded_information_types,
                        &EncodedInformationTypes::NAMES,
                    ),
                    "",
                );
            }
            l.field(
                "trace-information",
                trace(&e.trace_information),
                "one element per domain passed",
            );
            l.field("extensions", extensions(e.extensions.as_ref()), "");
            l.field(
                "per-recipient-fields",
                recipients(&e.per_recipient_fields),
                "",
            );
            let head = m.content.get(..16).unwrap_or(&m.content);
            l.field(
                "content",
                format!(
                    "{} octets: {}{}",
                    m.content.len(),
                    hex(head),
                    if m.content.len() > 16 { " ..." } else { "" }
                ),
                "the content's own BER, not decoded here",
            );
        }
        MtsApdu::Probe(p) => {
            l = Layer::new(
                "p1",
                format!(
                    "MTS-APDU probe, {} recipient(s){also_1984}",
                    p.per_recipient_fields.len()
                ),
            );
            l.field("probe-identifier", mts_id(&p.probe_identifier), "");
            l.field("originator-name", render(&p.originator_name), "");
            l.field("content-type", content_type(p.content_type()), "");
            if let Some(n) = p.content_length {
                l.field(
                    "content-length",
                    n,
                    "octets of the content the probe asks about",
                );
            }
            l.field("trace-information", trace(&p.trace_information), "");
            l.field("extensions", extensions(p.extensions.as_ref()), "");
            l.field(
                "per-recipient-fields",
                recipients(&p.per_recipient_fields),
                "",
            );
        }
        MtsApdu::Report(r) => {
            let c = &r.content;
            l = Layer::new(
                "p1",
                format!(
                    "MTS-APDU report on {} recipient(s){also_1984}",
                    c.per_recipient_fields.len()
                ),
            );
            l.field(
                "report-identifier",
                mts_id(&r.envelope.report_identifier),
                "",
            );
            l.field(
                "report-destination-name",
                render(&r.envelope.report_destination_name),
                "the subject message's originator",
            );
            l.field(
                "trace-information",
                trace(&r.envelope.trace_information),
                "",
            );
            l.field(
                "subject-identifier",
                mts_id(&c.subject_identifier),
                "the message or probe reported on",
            );
            if let Some(t) = &c.subject_intermediate_trace_information {
                l.field("subject-intermediate-trace-information", trace(t), "");
            }
            let prf: Vec<Value> = c
                .per_recipient_fields
                .iter()
                .map(|f| {
                    json!({
                        "name": render(&f.actual_recipient_name),
                        "number": f.originally_specified_recipient_number,
                        "indicators": named_bits(&f.per_recipient_indicators, &PER_RECIPIENT_INDICATOR_NAMES),
                        "arrival": time(&f.last_trace_information.arrival_time),
                        "report": report_type(&f.last_trace_information.report_type),
                        "supplementary-information": f.supplementary_information.as_ref().map(|s| text(s.as_bytes())),
                    })
                })
                .collect();
            l.field("per-recipient-fields", prf, "");
            if let Some(rc) = &c.returned_content {
                l.field("returned-content", format!("{} octets", rc.len()), "");
            }
        }
    }
    (vec![l], Vec::new())
}

fn password(p: &Credentials) -> String {
    match p {
        Credentials::Simple(Password::Ia5String(s)) => format!(
            "IA5String, {} characters (not shown)",
            s.as_iso646_bytes().len()
        ),
        Credentials::Simple(Password::OctetString(o)) => {
            format!("OCTET STRING, {} octets (not shown)", o.len())
        }
        Credentials::Strong(_) => "strong credentials".into(),
        _ => "protected password".into(),
    }
}

/// Explains the P1 bind carried in the RTS `open` of a PConnect (MTABindArgument, 1984
/// Request) or PAccept (MTABindResult), or an MTABindError. An argument and a result have the
/// same octets; which one it is follows from the RTS PDU around it.
pub fn explain_bind(data: &[u8]) -> (Vec<Layer>, Vec<String>) {
    if data.first() == Some(&0x02) {
        return match decode::<MtaBindError>(data) {
            Ok(e) => {
                let mut l = Layer::new("p1", "MTABindError");
                l.field("error", e.0, e.name().unwrap_or("unknown value"));
                (vec![l], Vec::new())
            }
            Err(e) => (Vec::new(), vec![format!("p1 bind: {e}")]),
        };
    }
    match decode::<MtaBindArgument>(data) {
        Ok(MtaBindArgument::Unauthenticated(())) => (
            vec![Layer::new(
                "p1",
                "MTA bind: unauthenticated (NULL); 1984: no MTA name and password",
            )],
            Vec::new(),
        ),
        Ok(MtaBindArgument::Authenticated(a)) => {
            let mut l = Layer::new(
                "p1",
                format!("MTA bind: MTA {} with credentials", a.initiator_name),
            );
            l.field(
                "mta-name",
                a.initiator_name.to_string(),
                "initiator-name in PConnect, responder-name in PAccept (at most 32 characters)",
            );
            l.field(
                "credentials",
                password(&a.initiator_credentials),
                "simple password: at most 62 octets",
            );
            if let Some(sc) = &a.security_context {
                l.field("security-context", sc.len(), "security labels");
            }
            let same_1984 = decode::<Request>(data).is_ok();
            l.field(
                "x411-1984",
                same_1984,
                "also a valid 1984 bind (Rts84 Request)",
            );
            (vec![l], Vec::new())
        }
        Err(e) => (Vec::new(), vec![format!("p1 bind: {e}")]),
    }
}
