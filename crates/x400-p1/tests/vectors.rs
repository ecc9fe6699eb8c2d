//! Decodes the external (asn1tools) and hand-made P1 vectors of the conformance kit and checks
//! the fields a user relies on, and that our encoder gives back the same octets.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{bind_in, dt_user_information, unhex, vector};
use x400_p1::mta_abstract_service::*;
use x400_p1::mts_abstract_service::*;
use x400_p1::{Error, PrintableString, decode, encode};

const TSV: &str = "asn1tools-p1.tsv";

fn printable(s: &PrintableString) -> String {
    String::from_utf8(s.as_bytes().to_vec()).unwrap()
}

fn ia5(s: &x400_p1::Ia5String) -> String {
    s.to_string()
}

/// The asn1tools sample O/R name: C=GB, ADMD=BT, PRMD=ACME, O=ACME, S=<surname>.
fn assert_sample_or_name(n: &OrName, surname: &str) {
    let s = &n.built_in_standard_attributes;
    assert!(
        matches!(&s.country_name, Some(CountryName::Iso3166Alpha2Code(c)) if printable(c) == "GB")
    );
    assert!(
        matches!(&s.administration_domain_name, Some(AdministrationDomainName::Printable(a)) if printable(a) == "BT")
    );
    assert!(
        matches!(&s.private_domain_name, Some(PrivateDomainName::Printable(p)) if printable(p) == "ACME")
    );
    assert_eq!(printable(s.organization_name.as_ref().unwrap()), "ACME");
    let pn = s.personal_name.as_ref().unwrap();
    assert_eq!(printable(&pn.surname), surname);
    assert_eq!(
        (
            pn.given_name.as_ref(),
            n.built_in_domain_defined_attributes.as_ref()
        ),
        (None, None)
    );
}

fn assert_sample_gdi(g: &GlobalDomainIdentifier) {
    assert!(matches!(&g.country_name, CountryName::Iso3166Alpha2Code(c) if printable(c) == "GB"));
    assert!(
        matches!(&g.administration_domain_name, AdministrationDomainName::Printable(a) if printable(a) == "BT")
    );
    assert!(
        matches!(&g.private_domain_identifier, Some(PrivateDomainName::Printable(p)) if printable(p) == "ACME")
    );
}

fn assert_sample_trace(t: &TraceInformation) {
    assert_eq!(t.0.len(), 1);
    assert_sample_gdi(&t.0[0].global_domain_identifier);
    let d = &t.0[0].domain_supplied_information;
    assert_eq!(d.arrival_time.to_rfc3339(), "2024-01-02T03:04:05+00:00");
    assert_eq!(d.routing_action, RoutingAction::Relayed);
    assert_eq!((d.attempted_domain.as_ref(), d.deferred_time), (None, None));
}

#[test]
fn decode_asn1tools_bind_argument() {
    let octets = vector(TSV, "E.MTABindArgument");
    let v: MtaBindArgument = decode(&octets).unwrap();
    let MtaBindArgument::Authenticated(a) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(ia5(&a.initiator_name), "MTA-A");
    assert!(
        matches!(&a.initiator_credentials, Credentials::Simple(Password::Ia5String(p)) if ia5(p) == "secret")
    );
    assert!(a.security_context.is_none());
    assert_eq!(encode(&v).unwrap(), octets);
}

#[test]
fn decode_asn1tools_bind_results_and_error() {
    let octets = vector(TSV, "E.MTABindResult");
    let v: MtaBindResult = decode(&octets).unwrap();
    let MtaBindResult::Authenticated(a) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(ia5(&a.responder_name), "MTA-B");
    assert!(
        matches!(&a.responder_credentials, Credentials::Simple(Password::Ia5String(p)) if ia5(p) == "secret2")
    );
    assert_eq!(encode(&v).unwrap(), octets);

    let octets = vector(TSV, "E.MTABindResult.unauthenticated");
    let v: MtaBindResult = decode(&octets).unwrap();
    assert_eq!(v, MtaBindResult::Unauthenticated(()));
    assert_eq!(encode(&v).unwrap(), octets);

    let octets = vector(TSV, "E.MTABindError.busy");
    let v: MtaBindError = decode(&octets).unwrap();
    assert_eq!((v, v.name()), (MtaBindError::BUSY, Some("busy")));
    assert_eq!(encode(&v).unwrap(), octets);
}

#[test]
fn decode_asn1tools_message() {
    let octets = vector(TSV, "E.MTS-APDU.message");
    let v: MtsApdu = decode(&octets).unwrap();
    let MtsApdu::Message(m) = &v else {
        panic!("{v:?}")
    };
    let e = &m.envelope;
    assert_sample_gdi(&e.message_identifier.global_domain_identifier);
    assert_eq!(ia5(&e.message_identifier.local_identifier), "msg-0001");
    assert_sample_or_name(&e.originator_name, "Smith");
    let eit = e.original_encoded_information_types.as_ref().unwrap();
    assert_eq!(eit.built_in_encoded_information_types.len(), 3);
    assert!(eit.built_in_encoded_information_types[EncodedInformationTypes::IA5_TEXT]);
    assert_eq!(
        e.content_type(),
        Some(ContentType::BuiltIn(
            BuiltInContentType::INTERPERSONAL_MESSAGING_1988
        ))
    );
    assert_eq!(
        printable(&e.content_identifier.as_ref().unwrap().0),
        "cid-1"
    );
    // asn1tools leaves DEFAULT values out: absent means normal priority, no indicators, no extensions.
    assert_eq!(
        (
            e.priority,
            e.per_message_indicators.as_ref(),
            e.extensions.as_ref()
        ),
        (None, None, None)
    );
    assert!(e.deferred_delivery_time.is_none());
    assert_sample_trace(&e.trace_information);
    assert_eq!(e.per_recipient_fields.len(), 1);
    let r = &e.per_recipient_fields[0];
    assert_sample_or_name(&r.recipient_name, "Jones");
    assert_eq!(r.originally_specified_recipient_number, 1);
    // 0x90: responsibility (bit 0) and originator-report (bit 3), 8 bits.
    assert_eq!(r.per_recipient_indicators.len(), 8);
    let set: Vec<usize> = r.per_recipient_indicators.iter_ones().collect();
    assert_eq!(set, [0, 3]);
    assert_eq!(&m.content[..], [0x31, 0x00]);
    assert_eq!(encode(&v).unwrap(), octets);
}

#[test]
fn decode_asn1tools_probe() {
    let octets = vector(TSV, "E.MTS-APDU.probe");
    let v: MtsApdu = decode(&octets).unwrap();
    let MtsApdu::Probe(p) = &v else {
        panic!("{v:?}")
    };
    assert_eq!(ia5(&p.probe_identifier.local_identifier), "probe-1");
    assert_sample_or_name(&p.originator_name, "Smith");
    assert_eq!(
        p.content_type(),
        Some(ContentType::BuiltIn(BuiltInContentType(22)))
    );
    assert_eq!(p.content_length, Some(1000));
    assert_sample_trace(&p.trace_information);
    assert_eq!(p.per_recipient_fields.len(), 1);
    assert_sample_or_name(&p.per_recipient_fields[0].recipient_name, "Jones");
    assert_eq!(
        p.per_recipient_fields[0]
            .per_recipient_indicators
            .iter_ones()
            .collect::<Vec<_>>(),
        [0]
    );
    assert_eq!(encode(&v).unwrap(), octets);
}

/// `asn1/p1_samples.hex` holds the same samples as the TSV file; both must decode alike.
#[test]
fn p1_samples_hex_agrees_with_tsv() {
    let path = common::data().join("p1_samples.hex");
    let text = std::fs::read_to_string(path).unwrap();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (name, hex) = line.split_once(' ').unwrap();
        let octets = unhex(hex);
        let again = match name {
            "MTABindArgument_MTA-A_secret" => encode(&decode::<MtaBindArgument>(&octets).unwrap()),
            "MTABindResult_MTA-B" | "MTABindResult_unauthenticated" => {
                encode(&decode::<MtaBindResult>(&octets).unwrap())
            }
            "MTABindError_busy" => encode(&decode::<MtaBindError>(&octets).unwrap()),
            "MTS-APDU_message" | "MTS-APDU_probe" => encode(&decode::<MtsApdu>(&octets).unwrap()),
            other => panic!("unexpected sample {other}"),
        };
        assert_eq!(again.unwrap(), octets, "{name}");
        n += 1;
    }
    assert_eq!(n, 6);
}

/// The hand-made X.410 frames carry the same bind PDUs inside PConnect / PAccept.
#[test]
fn decode_handmade_binds() {
    const H: &str = "handmade-x410.tsv";
    let arg: MtaBindArgument = decode(&bind_in(&vector(H, "H.CN"), 0xa3)).unwrap();
    assert!(matches!(&arg, MtaBindArgument::Authenticated(a) if ia5(&a.initiator_name) == "MTA-A"));
    let res: MtaBindResult = decode(&bind_in(&vector(H, "H.AC"), 0xa2)).unwrap();
    assert!(matches!(&res, MtaBindResult::Authenticated(a) if ia5(&a.responder_name) == "MTA-B"));
    let arg: MtaBindArgument = decode(&bind_in(&vector(H, "H.CN.null"), 0xa3)).unwrap();
    assert_eq!(arg, MtaBindArgument::Unauthenticated(()));
    let res: MtaBindResult = decode(&bind_in(&vector(H, "H.AC.null"), 0xa2)).unwrap();
    assert_eq!(res, MtaBindResult::Unauthenticated(()));
    // The 1984 bind has the same octets.
    let req: x400_p1::p1_1984::Request = decode(&bind_in(&vector(H, "H.CN"), 0xa3)).unwrap();
    let x400_p1::p1_1984::Request::Authenticated(a) = req else {
        panic!()
    };
    assert_eq!(ia5(&a.mta_name), "MTA-A");
    assert!(matches!(&a.password, Password::Ia5String(p) if ia5(p) == "secret"));
}

/// H.DT.seg1 + H.DT.seg2: one MTS-APDU split over two S-DATA; neither half decodes alone.
#[test]
fn decode_handmade_segmented_transfer() {
    const H: &str = "handmade-x410.tsv";
    let (s1, s2) = (vector(H, "H.DT.seg1"), vector(H, "H.DT.seg2"));
    let (a, b) = (dt_user_information(&s1), dt_user_information(&s2));
    assert!(decode::<MtsApdu>(a).is_err());
    let whole = [a, b].concat();
    assert_eq!(whole, vector(TSV, "E.MTS-APDU.message"));
    let v = x400_p1::decode_transfer(x400_p1::application_protocol::MTS_TRANSFER_PROTOCOL, &whole)
        .unwrap();
    assert!(matches!(
        v,
        x400_p1::TransferApdu::MtsApdu(MtsApdu::Message(_))
    ));
    // Not a P1 APDU at all: SEQUENCE { IA5String "hello" }.
    let not_p1 = vector(H, "H.DT.not-p1");
    assert!(matches!(
        decode::<MtsApdu>(dt_user_information(&not_p1)),
        Err(Error::Decode { .. })
    ));
}

/// `private-domain { administration-domain-name [0] AdministrationDomainName, ... }`: `[0]`
/// replaces the `[APPLICATION 2]` tag of the ADMD name (X.680 §31.2.7: the type is a tagged
/// CHOICE, so implicit tagging applies). pycrate 0.8.1 decodes and re-encodes exactly these
/// octets; asn1tools 0.169 expects `A0 05 62 03 13 01 41` instead (see asn1tools_crosscheck.rs).
#[test]
fn bilateral_private_domain_tags_as_pycrate() {
    let octets = unhex("3015610413024742300aa003130141a103130142020105");
    let v: PerDomainBilateralInformation = rasn::ber::decode(&octets).unwrap();
    let BilateralDomain::PrivateDomain(pd) = &v.domain else {
        panic!("{v:?}")
    };
    assert!(
        matches!(&pd.administration_domain_name, PrivateDomainName::Printable(a) if printable(a) == "A")
    );
    assert!(
        matches!(&pd.private_domain_identifier, PrivateDomainName::Printable(p) if printable(p) == "B")
    );
    assert_eq!(v.bilateral_information.as_bytes(), [0x02, 0x01, 0x05]);
    assert_eq!(rasn::ber::encode(&v).unwrap(), octets);
}

/// BER lets a sender use indefinite lengths; the value is the same as with definite ones.
#[test]
fn indefinite_length_decodes_to_the_same_value() {
    let definite = vector(TSV, "E.MTS-APDU.probe");
    // A2 81 AB <SET contents...> becomes A2 80 <SET contents...> 00 00.
    let mut indefinite = vec![0xa2, 0x80];
    indefinite.extend_from_slice(&definite[3..]);
    indefinite.extend_from_slice(&[0, 0]);
    let a: MtsApdu = decode(&definite).unwrap();
    let b: MtsApdu = decode(&indefinite).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        encode(&b).unwrap(),
        definite,
        "we always send definite lengths"
    );
}

/// The content-type CHOICE sits in a SET as two optional members: exactly one must be there.
#[test]
fn content_type_must_be_one_alternative() {
    let MtsApdu::Message(mut m) = decode::<MtsApdu>(&vector(TSV, "E.MTS-APDU.message")).unwrap()
    else {
        panic!()
    };
    m.envelope.content_type_extended =
        Some(x400_p1::ObjectIdentifier::new(vec![2, 6, 1, 10, 1]).unwrap());
    let both = encode(&MtsApdu::Message(m.clone()));
    assert!(
        matches!(
            both,
            Err(Error::Invalid {
                what: "content-type",
                ..
            })
        ),
        "{both:?}"
    );
    m.envelope.content_type_built_in = None;
    m.envelope.content_type_extended = None;
    assert!(matches!(
        encode(&MtsApdu::Message(m)),
        Err(Error::Invalid {
            what: "content-type",
            rule: "missing"
        })
    ));
}

/// T.61 strings are octets (ISO 2022 code with non-spacing diacritics before the letter):
/// `C2 65` is e-acute in T.61 and must come back unchanged (checked: rasn 0.28's
/// TeletexString took 4-octet characters and refused this).
#[test]
fn teletex_strings_are_octets() {
    // [APPLICATION 5] { [0] BIT STRING {}, [2] { [0] "ABC", [1] C2 65 } }
    let octets = unhex("650e800100a20980034142438102c265");
    let eit: EncodedInformationTypes = rasn::ber::decode(&octets).unwrap();
    let t = eit.teletex.as_ref().unwrap();
    assert_eq!(
        t.graphic_character_sets.as_ref().unwrap().to_bytes(),
        b"ABC"
    );
    assert_eq!(
        t.control_character_sets.as_ref().unwrap().to_bytes(),
        [0xc2, 0x65]
    );
    assert_eq!(rasn::ber::encode(&eit).unwrap(), octets);
}
