//! A 1984 UserMPDU (constructed from the ASN.1, re-parsed with openssl):
//! decoded field by field, and the limits every decode applies.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use x400_p1::mta_abstract_service::{MtaBindArgument, MtsApdu, RoutingAction};
use x400_p1::mts_abstract_service::*;
use x400_p1::p1_1984::*;
use x400_p1::{DEFAULT_LIMITS, Error, decode, decode_with, encode};

const USER_MPDU: &str = "
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

fn text(s: &x400_p1::PrintableString) -> &str {
    core::str::from_utf8(s.as_bytes()).unwrap()
}

#[test]
fn decode_user_mpdu_1984() {
    let octets = common::unhex(USER_MPDU);
    assert_eq!(octets.len(), 378);
    let mpdu: Mpdu = decode(&octets).unwrap();
    let Mpdu::UserMpdu(u) = &mpdu else {
        panic!("{mpdu:?}")
    };
    let e = &u.envelope;
    assert_eq!(e.mpdu_id.local_identifier.to_string(), "MSG-0001");
    let g = &e.mpdu_id.global_domain_identifier;
    assert!(
        matches!(&g.private_domain_identifier, Some(PrivateDomainName::Printable(p)) if text(p) == "PRMD")
    );
    let pn = e
        .originator
        .built_in_standard_attributes
        .personal_name
        .as_ref()
        .unwrap();
    assert_eq!(
        (text(&pn.surname), pn.given_name.as_ref().map(text)),
        ("Smith", Some("John"))
    );
    assert_eq!(
        text(
            e.originator
                .built_in_standard_attributes
                .organization_name
                .as_ref()
                .unwrap()
        ),
        "ORG"
    );
    // EIT sent by PP as 10 bits `80 02 05 20`? Here 80 02 05 20: 3 bits unused of 8... ia5Text set.
    let eit = e.original.as_ref().unwrap();
    assert!(eit.built_in_encoded_information_types[EncodedInformationTypes::IA5_TEXT]);
    assert_eq!(
        e.content_type,
        BuiltInContentType::INTERPERSONAL_MESSAGING_1984
    );
    let flags = e.per_message_flag.as_ref().unwrap();
    assert_eq!(flags.0.len(), 4);
    assert!(flags.get(PerMessageIndicators::ALTERNATE_RECIPIENT_ALLOWED));
    assert!(!flags.get(PerMessageIndicators::DISCLOSURE_OF_OTHER_RECIPIENTS));
    assert_eq!(e.recipient_info.len(), 1);
    let r = &e.recipient_info[0];
    assert_eq!(
        text(
            &r.recipient
                .built_in_standard_attributes
                .personal_name
                .as_ref()
                .unwrap()
                .surname
        ),
        "Jones"
    );
    assert_eq!(r.extension_identifier, 1);
    assert_eq!(r.per_recipient_flag.len(), 8);
    assert_eq!(
        r.per_recipient_flag.iter_ones().collect::<Vec<_>>(),
        [0, 2],
        "responsible + basic MTA report"
    );
    let t = &e.trace_information.0;
    assert_eq!(t.len(), 1);
    assert_eq!(
        t[0].domain_supplied_information.arrival_time.to_rfc3339(),
        "1994-02-14T10:30:00+00:00"
    );
    assert_eq!(
        t[0].domain_supplied_information.routing_action,
        RoutingAction::Relayed
    );
    // The content is the P2 IM-UAPDU, left as octets.
    assert_eq!(u.content.len(), 0xb2);
    assert_eq!(&u.content[..3], [0xa0, 0x81, 0xaf]);
    // Our encoding decodes to the same value, as a 1984 MPDU and as a 1988 MTS-APDU.
    let again = encode(&mpdu).unwrap();
    assert_eq!(decode::<Mpdu>(&again).unwrap(), mpdu);
    let as_1988: MtsApdu = decode(&octets).unwrap();
    assert!(matches!(as_1988, MtsApdu::Message(m) if m.envelope.per_recipient_fields.len() == 1));
}

#[test]
fn reject_trailing_octets() {
    let mut octets = common::unhex(USER_MPDU);
    octets.push(0x00);
    assert!(matches!(
        decode::<Mpdu>(&octets),
        Err(Error::TrailingData {
            pdu: "MPDU",
            len: 1
        })
    ));
}

#[test]
fn reject_deep_nesting_without_recursing() {
    // 100 000 nested indefinite-length SEQUENCEs: a recursive decoder would need a huge stack.
    let n = 100_000;
    let mut deep = Vec::with_capacity(4 * n);
    for _ in 0..n {
        deep.extend_from_slice(&[0x30, 0x80]);
    }
    deep.extend(core::iter::repeat_n(0u8, 2 * n));
    assert!(matches!(
        decode::<MtsApdu>(&deep),
        Err(Error::TooDeep { max: 32 })
    ));
    // The MPDU nests 7 deep (A0 31 A2 31 60 30 61): a limit of 7 passes, 6 fails.
    let octets = common::unhex(USER_MPDU);
    assert!(decode_with::<Mpdu>(&octets, &DEFAULT_LIMITS.with_max_depth(7)).is_ok());
    assert!(matches!(
        decode_with::<Mpdu>(&octets, &DEFAULT_LIMITS.with_max_depth(6)),
        Err(Error::TooDeep { max: 6 })
    ));
}

#[test]
fn element_count_is_limited() {
    // The 1984 MPDU holds 53 BER values (its content counts as one): 53 passes, 52 fails.
    let octets = common::unhex(USER_MPDU);
    assert!(decode_with::<Mpdu>(&octets, &DEFAULT_LIMITS.with_max_elements(53)).is_ok());
    assert!(matches!(
        decode_with::<Mpdu>(&octets, &DEFAULT_LIMITS.with_max_elements(52)),
        Err(Error::TooManyElements { max: 52 })
    ));
}

#[test]
fn bounds_are_named_on_decode_and_encode() {
    // MTA name of 33 characters: one over ub-mta-name-length.
    let name = "A".repeat(33);
    let mut octets = vec![0xa1, 2 + 33 + 4, 0x80, 33];
    octets.extend_from_slice(name.as_bytes());
    octets.extend_from_slice(&[0xa1, 0x02, 0x16, 0x00]);
    let err = decode::<MtaBindArgument>(&octets).unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutOfBounds {
                what: "initiator-name",
                bound: "ub-mta-name-length",
                min: 1,
                max: 32,
                actual: 33
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "initiator-name is 33, outside 1..=32 (ub-mta-name-length)"
    );
    // The same value is refused by the encoder.
    let MtaBindArgument::Authenticated(mut a) =
        decode::<MtaBindArgument>(&common::vector("asn1tools-p1.tsv", "E.MTABindArgument"))
            .unwrap()
    else {
        panic!()
    };
    a.initiator_name = x400_p1::Ia5String::try_from(name).unwrap();
    assert!(matches!(
        encode(&MtaBindArgument::Authenticated(a)),
        Err(Error::OutOfBounds {
            bound: "ub-mta-name-length",
            ..
        })
    ));

    // A surname of 41 characters in the 1984 MPDU.
    let mut mpdu: Mpdu = decode(&common::unhex(USER_MPDU)).unwrap();
    let Mpdu::UserMpdu(u) = &mut mpdu else {
        panic!()
    };
    u.envelope
        .originator
        .built_in_standard_attributes
        .personal_name
        .as_mut()
        .unwrap()
        .surname = x400_p1::PrintableString::try_from("S".repeat(41)).unwrap();
    let err = encode(&mpdu).unwrap_err();
    assert!(
        matches!(
            err,
            Error::OutOfBounds {
                what: "surname",
                bound: "ub-surname-length",
                actual: 41,
                ..
            }
        ),
        "{err}"
    );
    // No recipients at all.
    let Mpdu::UserMpdu(u) = &mut mpdu else {
        panic!()
    };
    u.envelope.recipient_info.clear();
    u.envelope.originator = OrName::default();
    assert!(matches!(
        encode(&mpdu),
        Err(Error::OutOfBounds {
            what: "RecipientInfo",
            bound: "ub-recipients",
            actual: 0,
            ..
        })
    ));
}

#[test]
fn unknown_application_protocol_is_an_error() {
    let octets = common::unhex(USER_MPDU);
    assert!(matches!(
        x400_p1::decode_transfer(1, &octets),
        Ok(x400_p1::TransferApdu::Mpdu(_))
    ));
    assert!(matches!(
        x400_p1::decode_transfer(3, &octets),
        Err(Error::Invalid {
            what: "applicationProtocol",
            ..
        })
    ));
}
