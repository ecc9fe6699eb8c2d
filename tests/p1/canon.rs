//! Our values in the shape asn1tools gives its decoded values (P1-Subset.asn names), as JSON,
//! for the cross-check. Typed leaves: `{"$bits": [hex, n]}`, `{"$octets": hex}`,
//! `{"$time": "YYYY-MM-DDTHH:MM:SS"}`; CHOICE = `[alternative, value]`; absent = key missing.
//! DEFAULT members are left out when absent (the cross-check script drops asn1tools' filled-in
//! defaults the same way).

use serde_json::{Map, Value, json};
use x400_p1::mta_abstract_service::*;
use x400_p1::mts_abstract_service::*;
use x400_p1::{Any, BitString, NumericString, ObjectIdentifier, PrintableString, UtcTime};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn bits(b: &BitString) -> Value {
    let mut bytes = vec![0u8; b.len().div_ceil(8)];
    for i in b.iter_ones() {
        bytes[i / 8] |= 0x80 >> (i % 8);
    }
    json!({"$bits": [hex(&bytes), b.len()]})
}

fn octets(b: &[u8]) -> Value {
    json!({"$octets": hex(b)})
}

fn any(a: &Any) -> Value {
    octets(a.as_bytes())
}

fn time(t: &UtcTime) -> Value {
    json!({"$time": t.format("%Y-%m-%dT%H:%M:%S").to_string()})
}

fn oid(o: &ObjectIdentifier) -> Value {
    Value::String(o.iter().map(u32::to_string).collect::<Vec<_>>().join("."))
}

fn p(s: &PrintableString) -> Value {
    Value::String(String::from_utf8(s.as_bytes().to_vec()).unwrap())
}

fn n(s: &NumericString) -> Value {
    Value::String(String::from_utf8(s.as_bytes().to_vec()).unwrap())
}

/// Builds an object, leaving out `None`s.
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Self {
        Self(Map::new())
    }
    fn put(mut self, k: &str, v: Value) -> Self {
        self.0.insert(k.to_string(), v);
        self
    }
    fn opt<T>(mut self, k: &str, v: Option<&T>, f: impl Fn(&T) -> Value) -> Self {
        if let Some(v) = v {
            self.0.insert(k.to_string(), f(v));
        }
        self
    }
    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

fn domain(numeric: bool, v: Value) -> Value {
    json!([if numeric { "numeric" } else { "printable" }, v])
}

fn country(c: &CountryName) -> Value {
    match c {
        CountryName::X121DccCode(s) => json!(["x121-dcc-code", n(s)]),
        CountryName::Iso3166Alpha2Code(s) => json!(["iso-3166-alpha2-code", p(s)]),
    }
}

fn admd(a: &AdministrationDomainName) -> Value {
    match a {
        AdministrationDomainName::Numeric(s) => domain(true, n(s)),
        AdministrationDomainName::Printable(s) => domain(false, p(s)),
    }
}

fn prmd(a: &PrivateDomainName) -> Value {
    match a {
        PrivateDomainName::Numeric(s) => domain(true, n(s)),
        PrivateDomainName::Printable(s) => domain(false, p(s)),
    }
}

pub(crate) fn or_name(o: &OrName) -> Value {
    let s = &o.built_in_standard_attributes;
    let std = Obj::new()
        .opt("country-name", s.country_name.as_ref(), country)
        .opt(
            "administration-domain-name",
            s.administration_domain_name.as_ref(),
            admd,
        )
        .opt("network-address", s.network_address.as_ref(), n)
        .opt("terminal-identifier", s.terminal_identifier.as_ref(), p)
        .opt("private-domain-name", s.private_domain_name.as_ref(), prmd)
        .opt("organization-name", s.organization_name.as_ref(), p)
        .opt(
            "numeric-user-identifier",
            s.numeric_user_identifier.as_ref(),
            n,
        )
        .opt("personal-name", s.personal_name.as_ref(), |pn| {
            Obj::new()
                .put("surname", p(&pn.surname))
                .opt("given-name", pn.given_name.as_ref(), p)
                .opt("initials", pn.initials.as_ref(), p)
                .opt("generation-qualifier", pn.generation_qualifier.as_ref(), p)
                .done()
        })
        .opt(
            "organizational-unit-names",
            s.organizational_unit_names.as_ref(),
            |v| v.iter().map(p).collect(),
        )
        .done();
    Obj::new()
        .put("built-in-standard-attributes", std)
        .opt("built-in-domain-defined-attributes", o.built_in_domain_defined_attributes.as_ref(), |v| {
            v.iter().map(|d| json!({"type": p(&d.r#type), "value": p(&d.value)})).collect()
        })
        .opt("extension-attributes", o.extension_attributes.as_ref(), |v| {
            v.iter()
                .map(|e| json!({"extension-attribute-type": e.extension_attribute_type, "extension-attribute-value": any(&e.extension_attribute_value)}))
                .collect()
        })
        .opt("directory-name", o.directory_name.as_ref(), any)
        .done()
}

fn gdi(g: &GlobalDomainIdentifier) -> Value {
    Obj::new()
        .put("country-name", country(&g.country_name))
        .put(
            "administration-domain-name",
            admd(&g.administration_domain_name),
        )
        .opt(
            "private-domain-identifier",
            g.private_domain_identifier.as_ref(),
            prmd,
        )
        .done()
}

fn mts_id(i: &MtsIdentifier) -> Value {
    json!({"global-domain-identifier": gdi(&i.global_domain_identifier), "local-identifier": i.local_identifier.to_string()})
}

fn eit(e: &EncodedInformationTypes) -> Value {
    Obj::new()
        .put(
            "built-in-encoded-information-types",
            bits(&e.built_in_encoded_information_types),
        )
        .opt("g3-facsimile", e.g3_facsimile.as_ref(), bits)
        .opt("teletex", e.teletex.as_ref(), |_| json!({}))
        .opt(
            "extended-encoded-information-types",
            e.extended_encoded_information_types.as_ref(),
            |v| v.iter().map(oid).collect(),
        )
        .done()
}

fn trace(t: &TraceInformation) -> Value {
    t.0.iter()
        .map(|e| {
            let d = &e.domain_supplied_information;
            let dsi = Obj::new()
                .put("arrival-time", time(&d.arrival_time))
                .put("routing-action", json!(match d.routing_action {
                    RoutingAction::Relayed => "relayed",
                    RoutingAction::Rerouted => "rerouted",
                }))
                .opt("attempted-domain", d.attempted_domain.as_ref(), gdi)
                .opt("deferred-time", d.deferred_time.as_ref(), time)
                .opt("converted-encoded-information-types", d.converted_encoded_information_types.as_ref(), eit)
                .opt("other-actions", d.other_actions.as_ref(), bits)
                .done();
            json!({"global-domain-identifier": gdi(&e.global_domain_identifier), "domain-supplied-information": dsi})
        })
        .collect()
}

fn extensions(v: &[ExtensionField]) -> Value {
    v.iter()
        .map(|e| {
            let t = match &e.r#type {
                ExtensionType::StandardExtension(n) => json!(["standard-extension", n]),
                ExtensionType::PrivateExtension(o) => json!(["private-extension", oid(o)]),
            };
            let mut o = Obj::new().put("type", t);
            if !e.criticality.is_empty() {
                o = o.put("criticality", bits(&e.criticality));
            }
            if e.value.as_bytes() != [0x05, 0x00] {
                o = o.put("value", any(&e.value));
            }
            o.done()
        })
        .collect()
}

fn content_type(o: Obj, b: Option<&BuiltInContentType>, e: Option<&ObjectIdentifier>) -> Obj {
    o.opt("content-type-built-in", b, |b| json!(b.0))
        .opt("content-type-extended", e, oid)
}

fn bilateral(v: &[PerDomainBilateralInformation]) -> Value {
    v.iter()
        .map(|b| {
            let d = match &b.domain {
                BilateralDomain::AdministrationDomainName(a) => json!(["administration-domain-name", prmd(a)]),
                BilateralDomain::PrivateDomain(pd) => json!(["private-domain", {
                    "administration-domain-name": prmd(&pd.administration_domain_name),
                    "private-domain-identifier": prmd(&pd.private_domain_identifier),
                }]),
            };
            json!({"country-name": country(&b.country_name), "domain": d, "bilateral-information": any(&b.bilateral_information)})
        })
        .collect()
}

fn priority(p: &Priority) -> Value {
    json!(match p {
        Priority::Normal => "normal",
        Priority::NonUrgent => "non-urgent",
        Priority::Urgent => "urgent",
    })
}

fn recipients(v: &[PerRecipientMessageTransferFields]) -> Value {
    v.iter()
        .map(|r| {
            Obj::new()
                .put("recipient-name", or_name(&r.recipient_name))
                .put(
                    "originally-specified-recipient-number",
                    json!(r.originally_specified_recipient_number),
                )
                .put(
                    "per-recipient-indicators",
                    bits(&r.per_recipient_indicators),
                )
                .opt("explicit-conversion", r.explicit_conversion.as_ref(), |c| {
                    json!(c)
                })
                .opt("extensions", r.extensions.as_ref(), |e| extensions(e))
                .done()
        })
        .collect()
}

fn report_type(r: &ReportType) -> Value {
    match r {
        ReportType::Delivery(d) => json!([
            "delivery",
            Obj::new()
                .put("message-delivery-time", time(&d.message_delivery_time))
                .opt("type-of-MTS-user", d.type_of_mts_user.as_ref(), |u| json!(
                    u
                ))
                .done()
        ]),
        ReportType::NonDelivery(nd) => json!([
            "non-delivery",
            Obj::new()
                .put(
                    "non-delivery-reason-code",
                    json!(nd.non_delivery_reason_code)
                )
                .opt(
                    "non-delivery-diagnostic-code",
                    nd.non_delivery_diagnostic_code.as_ref(),
                    |d| json!(d)
                )
                .done()
        ]),
    }
}

pub(crate) fn mts_apdu(a: &MtsApdu) -> Value {
    match a {
        MtsApdu::Message(m) => {
            let e = &m.envelope;
            let o = Obj::new()
                .put("message-identifier", mts_id(&e.message_identifier))
                .put("originator-name", or_name(&e.originator_name))
                .opt(
                    "original-encoded-information-types",
                    e.original_encoded_information_types.as_ref(),
                    eit,
                );
            let env = content_type(
                o,
                e.content_type_built_in.as_ref(),
                e.content_type_extended.as_ref(),
            )
            .opt("content-identifier", e.content_identifier.as_ref(), |c| {
                p(&c.0)
            })
            .opt("priority", e.priority.as_ref(), priority)
            .opt(
                "per-message-indicators",
                e.per_message_indicators.as_ref(),
                |i| bits(&i.0),
            )
            .opt(
                "deferred-delivery-time",
                e.deferred_delivery_time.as_ref(),
                time,
            )
            .opt(
                "per-domain-bilateral-information",
                e.per_domain_bilateral_information.as_ref(),
                |b| bilateral(b),
            )
            .put("trace-information", trace(&e.trace_information))
            .opt("extensions", e.extensions.as_ref(), |x| extensions(x))
            .put("per-recipient-fields", recipients(&e.per_recipient_fields))
            .done();
            json!(["message", {"envelope": env, "content": octets(&m.content)}])
        }
        MtsApdu::Probe(e) => {
            let o = Obj::new()
                .put("probe-identifier", mts_id(&e.probe_identifier))
                .put("originator-name", or_name(&e.originator_name))
                .opt(
                    "original-encoded-information-types",
                    e.original_encoded_information_types.as_ref(),
                    eit,
                );
            let env = content_type(
                o,
                e.content_type_built_in.as_ref(),
                e.content_type_extended.as_ref(),
            )
            .opt("content-identifier", e.content_identifier.as_ref(), |c| {
                p(&c.0)
            })
            .opt("content-length", e.content_length.as_ref(), |l| json!(l))
            .opt(
                "per-message-indicators",
                e.per_message_indicators.as_ref(),
                |i| bits(&i.0),
            )
            .opt(
                "per-domain-bilateral-information",
                e.per_domain_bilateral_information.as_ref(),
                |b| bilateral(b),
            )
            .put("trace-information", trace(&e.trace_information))
            .opt("extensions", e.extensions.as_ref(), |x| extensions(x))
            .put("per-recipient-fields", recipients(&e.per_recipient_fields))
            .done();
            json!(["probe", env])
        }
        MtsApdu::Report(r) => {
            let e = &r.envelope;
            let env = Obj::new()
                .put("report-identifier", mts_id(&e.report_identifier))
                .put(
                    "report-destination-name",
                    or_name(&e.report_destination_name),
                )
                .put("trace-information", trace(&e.trace_information))
                .opt("extensions", e.extensions.as_ref(), |x| extensions(x))
                .done();
            let c = &r.content;
            let o = Obj::new()
                .put("subject-identifier", mts_id(&c.subject_identifier))
                .opt(
                    "subject-intermediate-trace-information",
                    c.subject_intermediate_trace_information.as_ref(),
                    trace,
                )
                .opt(
                    "original-encoded-information-types",
                    c.original_encoded_information_types.as_ref(),
                    eit,
                );
            let prf: Value = c
                .per_recipient_fields
                .iter()
                .map(|f| {
                    let l = &f.last_trace_information;
                    let ltr = Obj::new()
                        .put("arrival-time", time(&l.arrival_time))
                        .opt(
                            "converted-encoded-information-types",
                            l.converted_encoded_information_types.as_ref(),
                            eit,
                        )
                        .put("report-type", report_type(&l.report_type))
                        .done();
                    Obj::new()
                        .put("actual-recipient-name", or_name(&f.actual_recipient_name))
                        .put(
                            "originally-specified-recipient-number",
                            json!(f.originally_specified_recipient_number),
                        )
                        .put(
                            "per-recipient-indicators",
                            bits(&f.per_recipient_indicators),
                        )
                        .put("last-trace-information", ltr)
                        .opt(
                            "originally-intended-recipient-name",
                            f.originally_intended_recipient_name.as_ref(),
                            or_name,
                        )
                        .opt(
                            "supplementary-information",
                            f.supplementary_information.as_ref(),
                            p,
                        )
                        .opt("extensions", f.extensions.as_ref(), |x| extensions(x))
                        .done()
                })
                .collect();
            let content = content_type(
                o,
                c.content_type_built_in.as_ref(),
                c.content_type_extended.as_ref(),
            )
            .opt("content-identifier", c.content_identifier.as_ref(), |x| {
                p(&x.0)
            })
            .opt("returned-content", c.returned_content.as_ref(), |x| {
                octets(x)
            })
            .opt(
                "additional-information",
                c.additional_information.as_ref(),
                any,
            )
            .opt("extensions", c.extensions.as_ref(), |x| extensions(x))
            .put("per-recipient-fields", prf)
            .done();
            json!(["report", {"envelope": env, "content": content}])
        }
    }
}

fn credentials(c: &Credentials) -> Value {
    match c {
        Credentials::Simple(Password::Ia5String(s)) => {
            json!(["simple", ["ia5-string", s.to_string()]])
        }
        Credentials::Simple(Password::OctetString(o)) => {
            json!(["simple", ["octet-string", octets(o)]])
        }
        other => panic!("not generated: {other:?}"),
    }
}

pub(crate) fn bind_argument(a: &MtaBindArgument) -> Value {
    match a {
        MtaBindArgument::Unauthenticated(()) => json!(["unauthenticated", null]),
        MtaBindArgument::Authenticated(x) => json!(["authenticated", {
            "initiator-name": x.initiator_name.to_string(),
            "initiator-credentials": credentials(&x.initiator_credentials),
        }]),
    }
}

pub(crate) fn bind_result(a: &MtaBindResult) -> Value {
    match a {
        MtaBindResult::Unauthenticated(()) => json!(["unauthenticated", null]),
        MtaBindResult::Authenticated(x) => json!(["authenticated", {
            "responder-name": x.responder_name.to_string(),
            "responder-credentials": credentials(&x.responder_credentials),
        }]),
    }
}
