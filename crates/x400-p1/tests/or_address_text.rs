//! The text form of O/R addresses: the issue's example, round trips, and errors that point at
//! the bad attribute.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use x400_p1::mts_abstract_service::*;
use x400_p1::or_address_text::{ParseErrorKind, parse, render};

fn text(s: &x400_p1::PrintableString) -> &str {
    core::str::from_utf8(s.as_bytes()).unwrap()
}

#[test]
fn parse_issue_example() {
    let n = parse("C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;S=Smith;G=John").unwrap();
    let s = &n.built_in_standard_attributes;
    assert!(matches!(&s.country_name, Some(CountryName::Iso3166Alpha2Code(c)) if text(c) == "GB"));
    assert!(
        matches!(&s.administration_domain_name, Some(AdministrationDomainName::Printable(a)) if text(a) == " ")
    );
    assert!(
        matches!(&s.private_domain_name, Some(PrivateDomainName::Printable(p)) if text(p) == "ACME")
    );
    assert_eq!(text(s.organization_name.as_ref().unwrap()), "ACME");
    assert_eq!(
        s.organizational_unit_names
            .as_ref()
            .unwrap()
            .iter()
            .map(text)
            .collect::<Vec<_>>(),
        ["Sales"]
    );
    let pn = s.personal_name.as_ref().unwrap();
    assert_eq!(
        (text(&pn.surname), pn.given_name.as_ref().map(text)),
        ("Smith", Some("John"))
    );
    assert_eq!(
        render(&n),
        "C=GB;ADMD= ;PRMD=ACME;O=ACME;OU=Sales;S=Smith;G=John"
    );
}

#[test]
fn dda_order_and_case() {
    let t =
        "C=GB;ADMD=BT;PRMD=ACME;OU=Sales;OU=North;S=Smith;DDA:RFC-822=john(a)acme.com;DDA:id=42";
    let n = parse(t).unwrap();
    let dda = n.built_in_domain_defined_attributes.as_ref().unwrap();
    assert_eq!(
        (text(&dda[0].r#type), text(&dda[0].value)),
        ("RFC-822", "john(a)acme.com")
    );
    assert_eq!((text(&dda[1].r#type), text(&dda[1].value)), ("id", "42"));
    assert_eq!(render(&n), t);
    // Keys are case-insensitive, short forms accepted, order free; rendering is canonical.
    let m =
        parse("s=Smith;p=ACME;a=BT;ou1=Sales;OU2=North;c=GB;dda:RFC-822=john(a)acme.com;DDA:id=42")
            .unwrap();
    assert_eq!(m, n);
}

#[test]
fn numeric_and_printable_domains_stay_apart() {
    let n = parse("C=234;ADMD=0;PRMD=\"123\";S=X").unwrap();
    let s = &n.built_in_standard_attributes;
    assert!(matches!(&s.country_name, Some(CountryName::X121DccCode(_))));
    assert!(matches!(
        &s.administration_domain_name,
        Some(AdministrationDomainName::Numeric(_))
    ));
    assert!(
        matches!(&s.private_domain_name, Some(PrivateDomainName::Printable(p)) if text(p) == "123")
    );
    assert_eq!(parse(&render(&n)).unwrap(), n);
    // An empty numeric ADMD is marked with '#'.
    let m = parse("ADMD=#;S=X").unwrap();
    assert!(
        matches!(&m.built_in_standard_attributes.administration_domain_name, Some(AdministrationDomainName::Numeric(a)) if a.as_bytes().is_empty())
    );
    assert_eq!(render(&m), "ADMD=#;S=X");
}

#[test]
fn errors_point_at_the_attribute() {
    let e = parse("C=GB;ADMD= ;PRMD=ACME;S=ThisSurnameIsFarTooLongForX411WhichAllowsForty")
        .unwrap_err();
    assert_eq!((e.index, e.offset), (3, 22));
    assert!(e.attribute.starts_with("S=ThisSurname"));
    assert_eq!(
        e.kind,
        ParseErrorKind::OutOfBounds {
            bound: "ub-surname-length",
            min: 1,
            max: 40,
            actual: 46
        }
    );
    assert_eq!(
        e.to_string(),
        "attribute 4 `S=ThisSurnameIsFarTooLongForX411WhichAllowsForty` (byte 22): length 46 is outside 1..=40 (ub-surname-length)"
    );

    let e = parse("C=GB;O=Acme_Ltd").unwrap_err();
    assert_eq!(
        (e.index, e.attribute.as_str(), e.kind),
        (1, "O=Acme_Ltd", ParseErrorKind::BadCharacter('_'))
    );
    assert_eq!(
        parse("C=GB;FOO=1").unwrap_err().kind,
        ParseErrorKind::UnknownKey
    );
    assert_eq!(
        parse("C=GB;Smith").unwrap_err().kind,
        ParseErrorKind::MissingEquals
    );
    assert_eq!(
        parse("C=GB;C=FR").unwrap_err().kind,
        ParseErrorKind::Repeated
    );
    assert_eq!(
        parse("C=GBR").unwrap_err().kind,
        ParseErrorKind::OutOfBounds {
            bound: "ub-country-name-alpha-length",
            min: 2,
            max: 2,
            actual: 3
        }
    );
    assert_eq!(
        parse("OU=a;OU=b;OU=c;OU=d;OU=e").unwrap_err().kind,
        ParseErrorKind::TooMany("ub-organizational-units")
    );
    assert_eq!(parse("OU=a;OU=b;OU=c;OU=d;OU=e").unwrap_err().index, 4);
    assert_eq!(
        parse("C=GB;G=John").unwrap_err().kind,
        ParseErrorKind::MissingSurname
    );
    assert_eq!(parse("").unwrap(), OrName::default());
    assert_eq!(parse("EXT:1=#13").unwrap_err().kind, ParseErrorKind::BadHex);
    // A trailing ';' is fine; an empty attribute in the middle is not.
    assert!(parse("C=GB;S=X;").is_ok());
    assert_eq!(
        parse("C=GB;;S=X").unwrap_err().kind,
        ParseErrorKind::MissingEquals
    );
}

#[test]
fn extension_attributes_and_directory_name_as_hex() {
    // common-name (extension attribute 1): PrintableString "John Smith".
    let t = "C=GB;ADMD= ;EXT:1=#130a4a6f686e20536d697468;DN=#3000";
    let n = parse(t).unwrap();
    let e = &n.extension_attributes.as_ref().unwrap()[0];
    assert_eq!(e.extension_attribute_type, 1);
    assert_eq!(e.extension_attribute_value.as_bytes()[0], 0x13);
    assert_eq!(n.directory_name.as_ref().unwrap().as_bytes(), [0x30, 0x00]);
    assert_eq!(render(&n), t);
    // And it survives BER: the text form describes what is on the wire.
    let octets = rasn::ber::encode(&n).unwrap();
    assert_eq!(rasn::ber::decode::<OrName>(&octets).unwrap(), n);
}
