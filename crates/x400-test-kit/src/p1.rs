//! proptest strategies for P1 values that respect X.411's bounds, shared by the property
//! tests and the asn1tools cross-check.
//!
//! DEFAULT members are either absent or different from their default, so a value survives a
//! trip through a codec that drops DEFAULT values (asn1tools does) unchanged.

// Each strategy is named after the X.411 type it yields, which its signature also shows; a
// doc line for each would say it a third time. Where a strategy is narrower than its type,
// it says how.
#![allow(missing_docs)]

use chrono::{TimeZone, Utc};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use x400_p1::mta_abstract_service::*;
use x400_p1::mts_abstract_service::*;
use x400_p1::p1_1984;
use x400_p1::{
    Any, BitString, Ia5String, NumericString, ObjectIdentifier, OctetString, PrintableString,
    UtcTime,
};

const PRINTABLE: &str = "[A-Za-z0-9 '()+,./:=?-]";

pub fn printable(min: usize, max: usize) -> impl Strategy<Value = PrintableString> {
    proptest::string::string_regex(&format!("{PRINTABLE}{{{min},{max}}}"))
        .unwrap()
        .prop_map(|s| PrintableString::try_from(s).unwrap())
}

pub fn numeric(min: usize, max: usize) -> impl Strategy<Value = NumericString> {
    proptest::string::string_regex(&format!("[0-9]{{{min},{max}}}"))
        .unwrap()
        .prop_map(|s| NumericString::try_from(s).unwrap())
}

pub fn ia5(min: usize, max: usize) -> impl Strategy<Value = Ia5String> {
    proptest::string::string_regex(&format!("[ -~]{{{min},{max}}}"))
        .unwrap()
        .prop_map(|s| Ia5String::try_from(s).unwrap())
}

pub fn bits(min: usize, max: usize) -> impl Strategy<Value = BitString> {
    vec(any::<bool>(), min..=max).prop_map(|v| v.into_iter().collect())
}

/// A non-empty bit string with its last bit set (so it never equals a DEFAULT {}).
pub fn nonzero_bits(max: usize) -> impl Strategy<Value = BitString> {
    bits(0, max - 1).prop_map(|mut b| {
        b.push(true);
        b
    })
}

/// Whole seconds from 1970 to 2049: rasn reads two-digit years 00-69 as 20xx and 70-99 as 19xx.
pub fn time() -> impl Strategy<Value = UtcTime> {
    (0i64..2_524_607_999).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

pub fn oid() -> impl Strategy<Value = ObjectIdentifier> {
    (0u32..=2, 0u32..=39, vec(0u32..100_000, 0..5)).prop_map(|(a, b, rest)| {
        let mut arcs = vec![a, b];
        arcs.extend(rest);
        ObjectIdentifier::new(arcs).unwrap()
    })
}

/// A complete BER value for an open type: a PrintableString or an INTEGER.
pub fn any_value() -> impl Strategy<Value = Any> {
    prop_oneof![
        printable(0, 20).prop_map(|s| Any::new(x400_rts::rasn::ber::encode(&s).unwrap())),
        any::<i32>().prop_map(|i| Any::new(x400_rts::rasn::ber::encode(&i).unwrap())),
    ]
}

pub fn country() -> impl Strategy<Value = CountryName> {
    prop_oneof![
        numeric(3, 3).prop_map(CountryName::X121DccCode),
        printable(2, 2).prop_map(CountryName::Iso3166Alpha2Code)
    ]
}

pub fn admd() -> impl Strategy<Value = AdministrationDomainName> {
    prop_oneof![
        numeric(0, 16).prop_map(AdministrationDomainName::Numeric),
        printable(0, 16).prop_map(AdministrationDomainName::Printable)
    ]
}

pub fn prmd() -> impl Strategy<Value = PrivateDomainName> {
    prop_oneof![
        numeric(1, 16).prop_map(PrivateDomainName::Numeric),
        printable(1, 16).prop_map(PrivateDomainName::Printable)
    ]
}

pub fn personal_name() -> impl Strategy<Value = PersonalName> {
    (
        printable(1, 40),
        of(printable(1, 16)),
        of(printable(1, 5)),
        of(printable(1, 3)),
    )
        .prop_map(|(s, g, i, q)| PersonalName {
            surname: s,
            given_name: g,
            initials: i,
            generation_qualifier: q,
        })
}

pub fn standard_attributes() -> impl Strategy<Value = BuiltInStandardAttributes> {
    (
        (
            of(country()),
            of(admd()),
            of(numeric(1, 16)),
            of(printable(1, 24)),
            of(prmd()),
        ),
        (
            of(printable(1, 64)),
            of(numeric(1, 32)),
            of(personal_name()),
            of(vec(printable(1, 32), 1..=4)),
        ),
    )
        .prop_map(
            |((c, a, x, t, p), (o, n, pn, ou))| BuiltInStandardAttributes {
                country_name: c,
                administration_domain_name: a,
                network_address: x,
                terminal_identifier: t,
                private_domain_name: p,
                organization_name: o,
                numeric_user_identifier: n,
                personal_name: pn,
                organizational_unit_names: ou,
            },
        )
}

pub fn dda() -> impl Strategy<Value = BuiltInDomainDefinedAttribute> {
    // A DDA type with '=' has no text form (see or_address_text).
    let ty = proptest::string::string_regex("[A-Za-z0-9 '()+,./:?-]{1,8}")
        .unwrap()
        .prop_map(|s| PrintableString::try_from(s).unwrap());
    (ty, printable(1, 128)).prop_map(|(t, v)| BuiltInDomainDefinedAttribute {
        r#type: t,
        value: v,
    })
}

pub fn or_name() -> impl Strategy<Value = OrName> {
    let ext = (0u32..=256, any_value()).prop_map(|(t, v)| ExtensionAttribute {
        extension_attribute_type: t,
        extension_attribute_value: v,
    });
    (
        standard_attributes(),
        of(vec(dda(), 1..=4)),
        of(vec(ext, 1..=2)),
    )
        .prop_map(|(s, d, e)| OrName {
            built_in_standard_attributes: s,
            built_in_domain_defined_attributes: d,
            extension_attributes: e,
            directory_name: None,
        })
}

/// An O/R name without 1988 extension attributes, as a 1984 MTA sends it.
pub fn or_name_1984() -> impl Strategy<Value = OrName> {
    or_name().prop_map(|mut n| {
        n.extension_attributes = None;
        n
    })
}

pub fn gdi() -> impl Strategy<Value = GlobalDomainIdentifier> {
    (country(), admd(), of(prmd())).prop_map(|(c, a, p)| GlobalDomainIdentifier {
        country_name: c,
        administration_domain_name: a,
        private_domain_identifier: p,
    })
}

pub fn mts_identifier() -> impl Strategy<Value = MtsIdentifier> {
    (gdi(), ia5(1, 32)).prop_map(|(g, l)| MtsIdentifier {
        global_domain_identifier: g,
        local_identifier: l,
    })
}

pub fn eit() -> impl Strategy<Value = EncodedInformationTypes> {
    (bits(0, 10), of(nonzero_bits(31)), of(vec(oid(), 1..3))).prop_map(|(b, g3, ext)| {
        EncodedInformationTypes {
            built_in_encoded_information_types: b,
            g3_facsimile: g3,
            teletex: None,
            // 1984 only; the conformance kit's 1988 modules have no [3] (see the type).
            presentation_capabilities: None,
            extended_encoded_information_types: ext,
        }
    })
}

pub fn trace() -> impl Strategy<Value = TraceInformation> {
    let dsi = (
        time(),
        prop_oneof![Just(RoutingAction::Relayed), Just(RoutingAction::Rerouted)],
        of(gdi()),
        of(time()),
        of(eit()),
        of(nonzero_bits(2)),
    )
        .prop_map(|(a, r, at, d, c, o)| DomainSuppliedInformation {
            arrival_time: a,
            routing_action: r,
            attempted_domain: at,
            deferred_time: d,
            converted_encoded_information_types: c,
            other_actions: o,
        });
    vec(
        (gdi(), dsi).prop_map(|(g, d)| TraceInformationElement {
            global_domain_identifier: g,
            domain_supplied_information: d,
        }),
        1..=3,
    )
    .prop_map(TraceInformation)
}

pub fn extension() -> impl Strategy<Value = ExtensionField> {
    let crit = prop_oneof![Just(BitString::new()), nonzero_bits(3)];
    let standard = prop_oneof![
        time().prop_map(StandardExtension::LatestDeliveryTime),
        or_name()
            .prop_map(|n| StandardExtension::OriginatorReturnAddress(Box::new(n.or_address()))),
        vec((or_name(), time(), 0u32..=2), 1..=2).prop_map(|v| {
            StandardExtension::RedirectionHistory(
                v.into_iter()
                    .map(|(n, t, r)| Redirection {
                        intended_recipient_name: IntendedRecipientName {
                            intended_recipient: n,
                            redirection_time: t,
                        },
                        redirection_reason: match r {
                            0 => RedirectionReason::RecipientAssignedAlternateRecipient,
                            1 => RedirectionReason::OriginatorRequestedAlternateRecipient,
                            _ => RedirectionReason::RecipientMdAssignedAlternateRecipient,
                        },
                    })
                    .collect(),
            )
        }),
        vec((or_name(), time()), 1..=2).prop_map(|v| StandardExtension::DlExpansionHistory(
            v.into_iter()
                .map(|(dl, t)| DlExpansion {
                    dl,
                    dl_expansion_time: t
                })
                .collect()
        )),
    ];
    let opaque = (oid(), any_value()).prop_map(|(o, v)| (ExtensionType::PrivateExtension(o), v));
    prop_oneof![
        (standard, crit.clone()).prop_map(|(s, c)| ExtensionField::from_standard(&s, c).unwrap()),
        (opaque, crit).prop_map(|((t, v), c)| ExtensionField {
            r#type: t,
            criticality: c,
            value: v
        }),
    ]
}

fn extensions() -> impl Strategy<Value = Option<Vec<ExtensionField>>> {
    of(vec(extension(), 1..=2))
}

fn content_type() -> impl Strategy<Value = ContentType> {
    prop_oneof![
        (0u32..=32767).prop_map(|n| ContentType::BuiltIn(BuiltInContentType(n))),
        oid().prop_map(ContentType::Extended)
    ]
}

fn priority() -> impl Strategy<Value = Option<Priority>> {
    prop_oneof![
        Just(None),
        Just(Some(Priority::NonUrgent)),
        Just(Some(Priority::Urgent))
    ]
}

fn indicators() -> impl Strategy<Value = Option<PerMessageIndicators>> {
    of(nonzero_bits(8).prop_map(PerMessageIndicators))
}

fn bilateral() -> impl Strategy<Value = PerDomainBilateralInformation> {
    let domain = prop_oneof![
        prop_oneof![
            numeric(0, 16).prop_map(PrivateDomainName::Numeric),
            printable(0, 16).prop_map(PrivateDomainName::Printable)
        ]
        .prop_map(BilateralDomain::AdministrationDomainName),
        (prmd(), prmd()).prop_map(|(a, p)| BilateralDomain::PrivateDomain(
            BilateralPrivateDomain {
                administration_domain_name: a,
                private_domain_identifier: p
            }
        )),
    ];
    (country(), domain, any_value()).prop_map(|(c, d, b)| PerDomainBilateralInformation {
        country_name: c,
        domain: d,
        bilateral_information: b,
    })
}

pub fn per_recipient(
    max_recipients: usize,
) -> impl Strategy<Value = Vec<PerRecipientMessageTransferFields>> {
    let one = (
        or_name(),
        1u32..=32767,
        bits(8, 16),
        of(0u32..=256),
        extensions(),
    )
        .prop_map(
            |(n, num, ind, conv, ext)| PerRecipientMessageTransferFields {
                recipient_name: n,
                originally_specified_recipient_number: num,
                per_recipient_indicators: ind,
                explicit_conversion: conv,
                extensions: ext,
            },
        );
    vec(one, 1..=max_recipients)
}

pub fn message() -> impl Strategy<Value = Message> {
    (
        (
            mts_identifier(),
            or_name(),
            of(eit()),
            content_type(),
            of(printable(1, 16).prop_map(ContentIdentifier)),
        ),
        (
            priority(),
            indicators(),
            of(time()),
            of(vec(bilateral(), 1..=2)),
            trace(),
            extensions(),
        ),
        per_recipient(3),
        vec(any::<u8>(), 0..64),
    )
        .prop_map(
            |((id, o, eit, ct, cid), (p, pmi, ddt, pdbi, tr, ext), prf, content)| {
                let mut envelope = MessageTransferEnvelope {
                    message_identifier: id,
                    originator_name: o,
                    original_encoded_information_types: eit,
                    content_type_built_in: None,
                    content_type_extended: None,
                    content_identifier: cid,
                    priority: p,
                    per_message_indicators: pmi,
                    deferred_delivery_time: ddt,
                    per_domain_bilateral_information: pdbi,
                    trace_information: tr,
                    extensions: ext,
                    per_recipient_fields: prf,
                };
                envelope.set_content_type(ct);
                Message {
                    envelope,
                    content: OctetString::from(content),
                }
            },
        )
}

pub fn probe() -> impl Strategy<Value = Probe> {
    (
        (
            mts_identifier(),
            or_name(),
            of(eit()),
            content_type(),
            of(printable(1, 16).prop_map(ContentIdentifier)),
        ),
        (
            of(0u32..=2_147_483_647),
            indicators(),
            of(vec(bilateral(), 1..=2)),
            trace(),
            extensions(),
        ),
        per_recipient(3),
    )
        .prop_map(|((id, o, eit, ct, cid), (len, pmi, pdbi, tr, ext), prf)| {
            let mut p = ProbeTransferEnvelope {
                probe_identifier: id,
                originator_name: o,
                original_encoded_information_types: eit,
                content_type_built_in: None,
                content_type_extended: None,
                content_identifier: cid,
                content_length: len,
                per_message_indicators: pmi,
                per_domain_bilateral_information: pdbi,
                trace_information: tr,
                extensions: ext,
                per_recipient_fields: prf,
            };
            p.set_content_type(ct);
            p
        })
}

pub fn report_type() -> impl Strategy<Value = ReportType> {
    prop_oneof![
        (time(), of(1u32..=6)).prop_map(|(t, u)| ReportType::Delivery(DeliveryReport {
            message_delivery_time: t,
            type_of_mts_user: u
        })),
        (0u32..=8, of(0u32..=78)).prop_map(|(r, d)| ReportType::NonDelivery(NonDeliveryReport {
            non_delivery_reason_code: r,
            non_delivery_diagnostic_code: d
        })),
    ]
}

pub fn report() -> impl Strategy<Value = Report> {
    let prf = (
        or_name(),
        1u32..=32767,
        bits(8, 16),
        (time(), of(eit()), report_type()),
        of(or_name()),
        of(printable(1, 256)),
        extensions(),
    )
        .prop_map(
            |(n, num, ind, (a, c, rt), oi, si, ext)| PerRecipientReportTransferFields {
                actual_recipient_name: n,
                originally_specified_recipient_number: num,
                per_recipient_indicators: ind,
                last_trace_information: LastTraceInformation {
                    arrival_time: a,
                    converted_encoded_information_types: c,
                    report_type: rt,
                },
                originally_intended_recipient_name: oi,
                supplementary_information: si,
                extensions: ext,
            },
        );
    (
        (mts_identifier(), or_name(), trace(), extensions()),
        (
            mts_identifier(),
            of(trace()),
            of(eit()),
            of(content_type()),
            of(printable(1, 16).prop_map(ContentIdentifier)),
        ),
        (
            of(vec(any::<u8>(), 0..32)),
            of(any_value()),
            extensions(),
            vec(prf, 1..=3),
        ),
    )
        .prop_map(
            |((rid, dest, tr, eext), (sid, sit, eit, ct, cid), (ret, add, cext, prf))| {
                let mut content = ReportTransferContent {
                    subject_identifier: sid,
                    subject_intermediate_trace_information: sit,
                    original_encoded_information_types: eit,
                    content_type_built_in: None,
                    content_type_extended: None,
                    content_identifier: cid,
                    returned_content: ret.map(OctetString::from),
                    additional_information: add,
                    extensions: cext,
                    per_recipient_fields: prf,
                };
                content.set_content_type(ct);
                Report {
                    envelope: ReportTransferEnvelope {
                        report_identifier: rid,
                        report_destination_name: dest,
                        trace_information: tr,
                        extensions: eext,
                    },
                    content,
                }
            },
        )
}

pub fn mts_apdu() -> impl Strategy<Value = MtsApdu> {
    prop_oneof![
        message().prop_map(MtsApdu::Message),
        probe().prop_map(MtsApdu::Probe),
        report().prop_map(MtsApdu::Report)
    ]
}

fn password() -> impl Strategy<Value = Password> {
    prop_oneof![
        ia5(0, 62).prop_map(Password::Ia5String),
        vec(any::<u8>(), 0..=62).prop_map(|v| Password::OctetString(v.into()))
    ]
}

pub fn bind_argument() -> impl Strategy<Value = MtaBindArgument> {
    prop_oneof![
        Just(MtaBindArgument::Unauthenticated(())),
        (ia5(1, 32), password()).prop_map(|(n, p)| MtaBindArgument::Authenticated(
            AuthenticatedArgument {
                initiator_name: n,
                initiator_credentials: Credentials::Simple(p),
                security_context: None
            }
        )),
    ]
}

pub fn bind_result() -> impl Strategy<Value = MtaBindResult> {
    prop_oneof![
        Just(MtaBindResult::Unauthenticated(())),
        (ia5(1, 32), password()).prop_map(|(n, p)| MtaBindResult::Authenticated(
            AuthenticatedResult {
                responder_name: n,
                responder_credentials: Credentials::Simple(p)
            }
        )),
    ]
}

fn recipients_1984() -> impl Strategy<Value = Vec<p1_1984::RecipientInfo>> {
    vec(
        (or_name_1984(), 1u32..=32767, bits(8, 8), of(0u32..=1)).prop_map(|(r, n, f, c)| {
            p1_1984::RecipientInfo {
                recipient: r,
                extension_identifier: n,
                per_recipient_flag: f,
                explicit_conversion: c,
            }
        }),
        1..=3,
    )
}

/// 1984 MPDUs: user message, delivery report, probe, with 1984 fields only.
pub fn mpdu() -> impl Strategy<Value = p1_1984::Mpdu> {
    let bilateral =
        (country(), admd(), any_value()).prop_map(|(c, a, b)| p1_1984::PerDomainBilateralInfo {
            country: c,
            administration_domain_name: a,
            bilateral_info: b,
        });
    let user = (
        (
            mts_identifier(),
            or_name_1984(),
            of(eit()),
            0u32..=32767,
            of(printable(1, 16).prop_map(ContentIdentifier)),
        ),
        (
            priority(),
            of(bits(4, 4).prop_map(PerMessageIndicators)),
            of(time()),
            of(vec(bilateral, 1..=2)),
        ),
        recipients_1984(),
        trace(),
        vec(any::<u8>(), 0..64),
    )
        .prop_map(|((id, o, eit, ct, cid), (p, f, dd, b), r, t, content)| {
            p1_1984::Mpdu::UserMpdu(p1_1984::UserMpdu {
                envelope: p1_1984::UmpduEnvelope {
                    mpdu_id: id,
                    originator: o,
                    original: eit,
                    content_type: BuiltInContentType(ct),
                    ua_content_id: cid,
                    priority: p,
                    per_message_flag: f,
                    deferred_delivery: dd,
                    per_domain_bilateral_info: b,
                    recipient_info: r,
                    trace_information: t,
                },
                content: content.into(),
            })
        });
    let probe = (
        mts_identifier(),
        or_name_1984(),
        0u32..=32767,
        of(eit()),
        trace(),
        of(0u32..=100_000),
        recipients_1984(),
    )
        .prop_map(|(id, o, ct, eit, t, len, r)| {
            p1_1984::Mpdu::ProbeMpdu(p1_1984::ProbeEnvelope {
                probe: id,
                originator: o,
                content_type: BuiltInContentType(ct),
                ua_content_id: None,
                original: eit,
                trace_information: t,
                per_message_flag: None,
                content_length: len,
                per_domain_bilateral_info: None,
                recipient_info: r,
            })
        });
    let reported = (
        or_name_1984(),
        1u32..=32767,
        bits(8, 8),
        time(),
        report_type(),
        of(or_name_1984()),
    )
        .prop_map(|(r, n, f, a, rt, i)| p1_1984::ReportedRecipientInfo {
            recipient: r,
            extension_identifier: n,
            per_recipient_flag: f,
            last_trace_information: LastTraceInformation {
                arrival_time: a,
                converted_encoded_information_types: None,
                report_type: rt,
            },
            intended_recipient: i,
            supplementary_information: None,
        });
    let report = (
        mts_identifier(),
        or_name_1984(),
        trace(),
        mts_identifier(),
        vec(reported, 1..=3),
        of(vec(any::<u8>(), 0..16)),
    )
        .prop_map(|(id, o, t, orig, rr, ret)| {
            p1_1984::Mpdu::DeliveryReportMpdu(p1_1984::DeliveryReportMpdu {
                envelope: p1_1984::DeliveryReportEnvelope {
                    report: id,
                    originator: o,
                    trace_information: t,
                },
                content: p1_1984::DeliveryReportContent {
                    original: orig,
                    intermediate: None,
                    ua_content_id: None,
                    reported_recipient_info: rr,
                    returned: ret.map(Into::into),
                    billing_information: None,
                },
            })
        });
    prop_oneof![user, probe, report]
}
