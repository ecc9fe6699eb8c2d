//! The two 1984 receipt rules beyond the plain ASN.1 (of PP's `Chans/x40084/P1_in.py`): the
//! encoded information types' `[3] IMPLICIT PresentationCapabilities` (T.73), kept opaque, and
//! unknown elements in the envelope SETs, ignored there and nowhere else.
//!
//! Every vector is built here from that 1984 ASN.1 with definite lengths, so each element can
//! be named where it is put.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{unhex, vector};
use x400_p1::mta_abstract_service::MtsApdu;
use x400_p1::mts_abstract_service::PresentationCapabilities;
use x400_p1::p1_1984::Mpdu;
use x400_p1::{Error, decode, encode};

/// A TLV with a one-octet identifier and a definite length (short or long form).
fn tlv(identifier: u8, parts: &[&[u8]]) -> Vec<u8> {
    let contents = parts.concat();
    let mut out = vec![identifier];
    match contents.len() {
        n if n < 0x80 => out.push(n as u8),
        n if n < 0x100 => out.extend_from_slice(&[0x81, n as u8]),
        n => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    out.extend_from_slice(&contents);
    out
}

/// `GlobalDomainIdentifier ::= [APPLICATION 3] IMPLICIT SEQUENCE { CountryName ([APPLICATION 1]
/// wrapping PrintableString "GB"), AdministrationDomainName ([APPLICATION 2], "ADMD"),
/// PrivateDomainIdentifier (untagged CHOICE, PrintableString "PRMD") }`.
fn gdi(extra: &[u8]) -> Vec<u8> {
    tlv(
        0x63,
        &[
            &unhex("61 04 13 02 47 42"),
            &unhex("62 06 13 04 41 44 4D 44"),
            &unhex("13 04 50 52 4D 44"),
            extra,
        ],
    )
}

/// `ORName ::= [APPLICATION 0] IMPLICIT SEQUENCE { standard SEQUENCE { CountryName,
/// AdministrationDomainName, [5] IMPLICIT PersonalName SET { surName [0] } } }`.
fn or_name(surname: &str) -> Vec<u8> {
    let personal = tlv(0xA5, &[&tlv(0x80, &[surname.as_bytes()])]);
    tlv(
        0x60,
        &[&tlv(
            0x30,
            &[
                &unhex("61 04 13 02 47 42"),
                &unhex("62 06 13 04 41 44 4D 44"),
                &personal,
            ],
        )],
    )
}

/// The parts of a 1984 message the tests vary; [`Parts::user_mpdu`] assembles them.
#[derive(Default)]
struct Parts {
    /// Appended to the `original` EncodedInformationTypes SET, after `[0]` (IA5 text).
    eit_extra: Vec<u8>,
    /// Appended to the UMPDUEnvelope SET, after its members.
    envelope_extra: Vec<u8>,
    /// Appended to the RecipientInfo SET.
    recipient_extra: Vec<u8>,
    /// Appended to the trace's DomainSuppliedInfo SET (not an envelope SET).
    trace_extra: Vec<u8>,
    /// Appended inside the mpduID's GlobalDomainIdentifier SEQUENCE.
    gdi_extra: Vec<u8>,
}

impl Parts {
    /// `[0] IMPLICIT UserMPDU ::= SEQUENCE { envelope UMPDUEnvelope, content OCTET STRING }`,
    /// the envelope's members in tag order (what our encoder emits, so the octets round-trip).
    fn user_mpdu(&self) -> Vec<u8> {
        // MPDUIdentifier ::= [APPLICATION 4] IMPLICIT SEQUENCE { GDI, IA5String "MSG-0001" }
        let mpdu_id = tlv(0x64, &[&gdi(&self.gdi_extra), &tlv(0x16, &[b"MSG-0001"])]);
        // EncodedInformationTypes ::= [APPLICATION 5] IMPLICIT SET { [0] IMPLICIT BIT STRING }:
        // 2 content octets, 5 unused bits, bit 2 (iA5Text) set: 05 20.
        let eit = tlv(0x65, &[&unhex("80 02 05 20"), &self.eit_extra]);
        // RecipientInfo ::= SET { recipient ORName, [0] IMPLICIT ExtensionIdentifier 1,
        // [1] IMPLICIT PerRecipientFlag (8 bits, responsibility: 00 80) }
        let recipient = tlv(
            0x31,
            &[
                &or_name("Jones"),
                &unhex("80 01 01"),
                &unhex("81 02 00 80"),
                &self.recipient_extra,
            ],
        );
        // TraceInformation ::= [APPLICATION 9] IMPLICIT SEQUENCE OF SEQUENCE { GDI,
        // DomainSuppliedInfo SET { arrival [0] IMPLICIT UTCTime, action [2] IMPLICIT relayed } }
        let dsi = tlv(
            0x31,
            &[
                &tlv(0x80, &[b"940214103000Z"]),
                &unhex("82 01 00"),
                &self.trace_extra,
            ],
        );
        let trace = tlv(0x69, &[&tlv(0x30, &[&gdi(&[]), &dsi])]);
        let envelope = tlv(
            0x31,
            &[
                &or_name("Smith"),         // originator [APPLICATION 0]
                &mpdu_id,                  // [APPLICATION 4]
                &eit,                      // original [APPLICATION 5]
                &unhex("46 01 02"),        // ContentType [APPLICATION 6] p2(2)
                &trace,                    // [APPLICATION 9]
                &tlv(0xA2, &[&recipient]), // [2] IMPLICIT SEQUENCE OF RecipientInfo
                &self.envelope_extra,
            ],
        );
        // UMPDUContent: the P2 octets are opaque to P1; three octets stand for them.
        tlv(0xA0, &[&envelope, &unhex("04 03 01 02 03")])
    }

    /// `[2] IMPLICIT ProbeEnvelope ::= SET { probe MPDUIdentifier, originator ORName,
    /// ContentType, TraceInformation, [2] IMPLICIT SEQUENCE OF RecipientInfo }`, the same
    /// members as [`Parts::user_mpdu`]'s envelope (the probe's `[2]` is its only tag here).
    fn probe_mpdu(&self) -> Vec<u8> {
        let user = self.user_mpdu();
        let (_, contents, _) = common::tlv(&user);
        let (_, envelope, _) = common::tlv(contents);
        tlv(0xA2, &[envelope])
    }
}

fn eit_of(mpdu: &Mpdu) -> &x400_p1::mts_abstract_service::EncodedInformationTypes {
    let Mpdu::UserMpdu(u) = mpdu else {
        panic!("{mpdu:?}")
    };
    u.envelope.original.as_ref().unwrap()
}

#[test]
fn plain_user_mpdu_decodes_and_round_trips() {
    let octets = Parts::default().user_mpdu();
    let mpdu: Mpdu = decode(&octets).unwrap();
    assert_eq!(eit_of(&mpdu).presentation_capabilities, None);
    assert_eq!(encode(&mpdu).unwrap(), octets);
}

/// `[3] IMPLICIT PresentationCapabilities` in its usual constructed form (`A3`): T.73's
/// capabilities are a structured value, here two context-tagged members `[0] 00` and `[1] 01`
/// standing for whatever T.73 puts there; the contents are kept and re-emitted verbatim.
#[test]
fn presentation_capabilities_constructed_round_trips() {
    let pc = unhex("A3 06 80 01 00 81 01 01");
    let octets = Parts {
        eit_extra: pc.clone(),
        ..Parts::default()
    }
    .user_mpdu();
    let mpdu: Mpdu = decode(&octets).unwrap();
    assert_eq!(
        eit_of(&mpdu).presentation_capabilities,
        Some(PresentationCapabilities {
            constructed: true,
            contents: pc[2..].to_vec(),
        })
    );
    assert_eq!(encode(&mpdu).unwrap(), octets);
}

/// The primitive form (`83`): the contents are one value's octets, kept as they are.
#[test]
fn presentation_capabilities_primitive_round_trips() {
    let octets = Parts {
        eit_extra: unhex("83 03 0A 0B 0C"),
        ..Parts::default()
    }
    .user_mpdu();
    let mpdu: Mpdu = decode(&octets).unwrap();
    assert_eq!(
        eit_of(&mpdu).presentation_capabilities,
        Some(PresentationCapabilities {
            constructed: false,
            contents: vec![0x0A, 0x0B, 0x0C],
        })
    );
    assert_eq!(encode(&mpdu).unwrap(), octets);
}

/// An empty constructed value (`A3 00`, an empty SET) stays present and constructed.
#[test]
fn presentation_capabilities_empty_round_trips() {
    let octets = Parts {
        eit_extra: unhex("A3 00"),
        ..Parts::default()
    }
    .user_mpdu();
    let mpdu: Mpdu = decode(&octets).unwrap();
    assert_eq!(
        eit_of(&mpdu).presentation_capabilities,
        Some(PresentationCapabilities {
            constructed: true,
            contents: vec![],
        })
    );
    assert_eq!(encode(&mpdu).unwrap(), octets);
}

/// Indefinite length (`A3 80 … 00 00`): the same contents, re-emitted with a definite length.
#[test]
fn presentation_capabilities_indefinite_keeps_contents() {
    let indefinite = Parts {
        eit_extra: unhex("A3 80 80 01 00 81 01 01 00 00"),
        ..Parts::default()
    }
    .user_mpdu();
    let definite = Parts {
        eit_extra: unhex("A3 06 80 01 00 81 01 01"),
        ..Parts::default()
    }
    .user_mpdu();
    let mpdu: Mpdu = decode(&indefinite).unwrap();
    assert_eq!(mpdu, decode::<Mpdu>(&definite).unwrap());
    assert_eq!(encode(&mpdu).unwrap(), definite);
}

/// Unknown elements are ignored on receipt rather than failing: an unknown context-specific
/// element (`[9] INTEGER 0`, `89 01 00`) in the UMPDUEnvelope is dropped and the message
/// decodes to the value it has without it.
#[test]
fn unknown_context_element_in_envelope_is_ignored() {
    let plain: Mpdu = decode(&Parts::default().user_mpdu()).unwrap();
    let octets = Parts {
        envelope_extra: unhex("89 01 00"),
        ..Parts::default()
    }
    .user_mpdu();
    let mpdu: Mpdu = decode(&octets).unwrap();
    assert_eq!(mpdu, plain);
    // Re-encoding sends the message without it (we cannot know what it meant).
    assert_eq!(encode(&mpdu).unwrap(), Parts::default().user_mpdu());
}

/// The EAN extras of ISODE's `pepy/P1.py`: `[UNIVERSAL 17]` in the envelope, `[UNIVERSAL 2]` in
/// RecipientInfo, `[UNIVERSAL 3]` in the encoded information types; plus a constructed,
/// long-form unknown `[7]` to exercise the length handling.
#[test]
fn ean_extras_are_ignored() {
    let plain: Mpdu = decode(&Parts::default().user_mpdu()).unwrap();
    let long = tlv(0xA7, &[&[0x04, 0x7e], &[0x55; 0x7e]]);
    let octets = Parts {
        envelope_extra: [unhex("31 03 02 01 05"), long].concat(),
        recipient_extra: unhex("02 01 05"),
        eit_extra: unhex("03 02 00 FF"),
        ..Parts::default()
    }
    .user_mpdu();
    assert_eq!(decode::<Mpdu>(&octets).unwrap(), plain);
}

/// An envelope sent with indefinite lengths, carrying an unknown element, decodes too.
#[test]
fn unknown_element_in_indefinite_envelope_is_ignored() {
    let plain: Mpdu = decode(&Parts::default().user_mpdu()).unwrap();
    let definite = Parts {
        envelope_extra: unhex("89 01 00"),
        ..Parts::default()
    }
    .user_mpdu();
    // A0 81 xx 31 81 yy <members> 04 03 01 02 03: rewrite both headers as indefinite.
    assert_eq!(
        (definite[0], definite[1], definite[3], definite[4]),
        (0xA0, 0x81, 0x31, 0x81)
    );
    let members = &definite[6..definite.len() - 5];
    let indefinite = [
        &[0xA0, 0x80, 0x31, 0x80][..],
        members,
        &[0, 0],
        &definite[definite.len() - 5..],
        &[0, 0],
    ]
    .concat();
    assert_eq!(decode::<Mpdu>(&indefinite).unwrap(), plain);
}

/// Where the rule does not reach (the trace's DomainSuppliedInfo, an identifier's
/// SEQUENCE), the same element is still an error.
#[test]
fn unknown_element_elsewhere_is_an_error() {
    for parts in [
        Parts {
            trace_extra: unhex("89 01 00"),
            ..Parts::default()
        },
        Parts {
            gdi_extra: unhex("89 01 00"),
            ..Parts::default()
        },
    ] {
        let octets = parts.user_mpdu();
        assert!(
            matches!(decode::<Mpdu>(&octets), Err(Error::Decode { .. })),
            "{octets:02x?}"
        );
    }
}

/// Dropping unknown elements does not hide trailing octets after the MPDU.
#[test]
fn trailing_octets_still_reported() {
    let octets = Parts {
        envelope_extra: unhex("89 01 00"),
        ..Parts::default()
    }
    .user_mpdu();
    assert!(matches!(
        decode::<Mpdu>(&[&octets[..], &[0, 1][..]].concat()),
        Err(Error::TrailingData { len: 2, .. })
    ));
}

/// The 1988 MTS-APDU stays strict: its envelopes carry unknown things as extensions, and the
/// rule is about 1984 MTAs. `[30]` (`9E 01 00`) added to the kit's message envelope fails.
#[test]
fn unknown_element_in_1988_envelope_is_an_error() {
    let octets = vector("asn1tools-p1.tsv", "E.MTS-APDU.message");
    let (outer_tag, outer, _) = common::tlv(&octets);
    let (env_tag, env, env_len) = common::tlv(outer);
    assert_eq!((outer_tag, env_tag), (0xA0, 0x31));
    decode::<MtsApdu>(&octets).unwrap();
    let envelope = tlv(0x31, &[env, &unhex("9E 01 00")]);
    let bad = tlv(0xA0, &[&envelope, &outer[env_len..]]);
    assert!(matches!(decode::<MtsApdu>(&bad), Err(Error::Decode { .. })));
}

/// The ProbeMPDU is an envelope SET too: an unknown `[9]` and an EAN `[UNIVERSAL 2]` in its
/// RecipientInfo are ignored; an unknown element in its trace is not.
#[test]
fn unknown_elements_in_probe_envelope_are_ignored() {
    let plain: Mpdu = decode(&Parts::default().probe_mpdu()).unwrap();
    assert!(matches!(plain, Mpdu::ProbeMpdu(_)), "{plain:?}");
    let octets = Parts {
        envelope_extra: unhex("89 01 00"),
        recipient_extra: unhex("02 01 05"),
        ..Parts::default()
    }
    .probe_mpdu();
    assert_eq!(decode::<Mpdu>(&octets).unwrap(), plain);
    let strict = Parts {
        trace_extra: unhex("89 01 00"),
        ..Parts::default()
    }
    .probe_mpdu();
    assert!(decode::<Mpdu>(&strict).is_err());
}

/// The pre-pass and the opaque `[3]` see hostile octets first: every truncation and every
/// single-octet change of the vectors above must give a value or an error, never a panic, and
/// whatever decodes must re-encode and decode to the same value (the fuzz oracle's promise).
#[test]
fn mutated_vectors_never_panic() {
    let vectors = [
        Parts {
            envelope_extra: unhex("89 01 00 31 03 02 01 05"),
            recipient_extra: unhex("02 01 05"),
            eit_extra: unhex("A3 06 80 01 00 81 01 01"),
            ..Parts::default()
        }
        .user_mpdu(),
        Parts {
            envelope_extra: unhex("89 01 00"),
            eit_extra: unhex("83 01 00"),
            ..Parts::default()
        }
        .probe_mpdu(),
    ];
    let check = |octets: &[u8]| {
        if let Ok(v) = decode::<Mpdu>(octets) {
            let again = encode(&v).unwrap();
            assert_eq!(decode::<Mpdu>(&again).unwrap(), v);
        }
    };
    for v in &vectors {
        for n in 0..v.len() {
            check(&v[..n]);
        }
        for i in 0..v.len() {
            for x in [0x00, 0x80, 0xFF, v[i] ^ 0x20, v[i].wrapping_add(1)] {
                let mut m = v.clone();
                m[i] = x;
                check(&m);
            }
        }
    }
}
