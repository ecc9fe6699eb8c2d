//! The field failure this crate must never repeat: a foreign MTA reconnects with a PConnect
//! carrying `recover`, and the gateway cannot decode it. Every encoding variant that BER,
//! X.228's `CallingSSuserReference` CHOICE and UTCTime allow is built here, in every
//! combination, with definite and indefinite lengths, and must decode to the same value.

// Helpers of this file unwrap and index as the tests do.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use hex_literal::hex;
use x400_rts::rasn::types::OctetString;
use x400_rts::{
    ApplicationProtocol, CallingSsUserReference, ConnectionData, DialogueMode, PAccept, PConnect,
    SessionConnectionIdentifier, T61String, UtcTimeOctets,
};

/// A BER value to build: primitive or constructed, with a one-octet identifier.
#[derive(Clone)]
enum Ber {
    Prim(u8, Vec<u8>),
    Cons(u8, Vec<Ber>),
}

impl Ber {
    /// The encoding; constructed values get indefinite lengths when `indefinite` is set.
    fn encode(&self, indefinite: bool) -> Vec<u8> {
        match self {
            Self::Prim(id, contents) => definite(*id, contents),
            Self::Cons(id, parts) => {
                let contents: Vec<u8> = parts.iter().flat_map(|p| p.encode(indefinite)).collect();
                if indefinite {
                    let mut out = vec![*id, 0x80];
                    out.extend(contents);
                    out.extend([0, 0]);
                    out
                } else {
                    definite(*id, &contents)
                }
            }
        }
    }
}

fn definite(id: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![id];
    let n = u16::try_from(contents.len()).unwrap();
    let [hi, lo] = n.to_be_bytes();
    match n {
        0..=0x7f => out.push(lo),
        0x80..=0xff => out.extend([0x81, lo]),
        _ => out.extend([0x82, hi, lo]),
    }
    out.extend(contents);
    out
}

use Ber::{Cons, Prim};

const CALLING: &[u8] = b"mta-a.example";

/// The ways a calling SS-user reference is sent (X.228's CHOICE): T61String or OCTET STRING,
/// primitive or constructed (segments are OCTET STRINGs, X.690 §8.23.6).
fn calling_variants() -> Vec<(Ber, CallingSsUserReference)> {
    let t61 = CallingSsUserReference::T61(T61String::new(CALLING));
    let octets = CallingSsUserReference::Octets(OctetString::from_static(CALLING));
    let segments = vec![
        Prim(0x04, CALLING[..5].to_vec()),
        Prim(0x04, CALLING[5..].to_vec()),
    ];
    vec![
        (Prim(0x14, CALLING.to_vec()), t61.clone()),
        (Prim(0x04, CALLING.to_vec()), octets.clone()),
        (Cons(0x34, segments.clone()), t61),
        (Cons(0x24, segments), octets),
    ]
}

/// UTCTime forms (X.680): with seconds, without, with an offset, and ISODE's 3-digit year.
const COMMON_REFERENCES: [&[u8]; 4] = [
    b"940214103000Z",
    b"9402141030Z",
    b"9402141030+0100",
    b"1261122140707Z",
];

struct Variant {
    wire: Vec<u8>,
    want: PConnect,
    what: String,
}

/// Every combination of the recover PConnect's variable parts.
fn variants() -> Vec<Variant> {
    let mut out = Vec::new();
    for (calling, calling_value) in calling_variants() {
        for common in COMMON_REFERENCES {
            for additional in [None, Some(&b"ab"[..])] {
                for with_protocol in [false, true] {
                    for unknown_trailing in [false, true] {
                        for reversed in [false, true] {
                            for indefinite in [false, true] {
                                let mut id = vec![calling.clone(), Prim(0x17, common.to_vec())];
                                if let Some(a) = additional {
                                    id.push(Prim(0x80, a.to_vec()));
                                }
                                let mut user_data = vec![
                                    Prim(0x80, vec![0x1e]),
                                    Prim(0x81, vec![0x05]),
                                    Prim(0x82, vec![0x01]),
                                    Cons(0xa3, vec![Cons(0xa1, id)]),
                                ];
                                if with_protocol {
                                    user_data.push(Prim(0x84, vec![0x0c]));
                                }
                                if unknown_trailing {
                                    // ISODE's protocolVersion [5], and a constructed [9].
                                    user_data.push(Prim(0x85, vec![0x01]));
                                    user_data.push(Cons(0xa9, vec![Prim(0x05, vec![])]));
                                }
                                let mut pdu = vec![
                                    Cons(0xa0, vec![Prim(0x80, vec![0x00])]),
                                    Cons(0xa1, user_data.clone()),
                                ];
                                if reversed {
                                    // SETs: any order, at both levels.
                                    user_data.reverse();
                                    pdu = vec![
                                        Cons(0xa1, user_data),
                                        Cons(0xa0, vec![Prim(0x80, vec![0x00])]),
                                    ];
                                }
                                let wire = Cons(0x31, pdu).encode(indefinite);
                                let want = PConnect {
                                    checkpoint_size: 30,
                                    window_size: 5,
                                    dialogue_mode: DialogueMode::TWO_WAY_ALTERNATE,
                                    connection_data: ConnectionData::Recover(
                                        SessionConnectionIdentifier {
                                            calling_ss_user_reference: calling_value.clone(),
                                            common_reference: UtcTimeOctets::new(common),
                                            additional_reference_information: additional
                                                .map(T61String::new),
                                        },
                                    ),
                                    application_protocol: if with_protocol {
                                        ApplicationProtocol::P1_1988
                                    } else {
                                        ApplicationProtocol::P1_1984
                                    },
                                };
                                let what = format!(
                                    "calling {:?}, common {:?}, additional {additional:?}, \
                                     protocol {with_protocol}, unknown {unknown_trailing}, \
                                     reversed {reversed}, indefinite {indefinite}",
                                    calling_value,
                                    String::from_utf8_lossy(common)
                                );
                                out.push(Variant { wire, want, what });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_recover_variant_decodes() {
    let all = variants();
    assert_eq!(all.len(), 4 * 4 * 2 * 2 * 2 * 2 * 2);
    for v in &all {
        match PConnect::decode(&v.wire) {
            Ok(got) => assert_eq!(got, v.want, "{}", v.what),
            Err(e) => panic!("{}: {e}\n{:02x?}", v.what, v.wire),
        }
    }
}

#[test]
fn every_recover_variant_round_trips() {
    for v in variants() {
        let again = PConnect::decode(&v.want.encode().unwrap()).unwrap();
        assert_eq!(again, v.want, "{}", v.what);
    }
}

#[test]
fn spec_recover_vector() {
    // Constructed from the ASN.1: recover, calling ref "mta-a.example", common ref
    // 940214103000Z.
    let p = PConnect::decode(&hex!(
        "31 32 A0 03 80 01 00 A1 2B 80 01 1E 81 01 05 A3 20 A1 1E 14 0D 6D 74 61 2D 61 2E 65 78
         61 6D 70 6C 65 17 0D 39 34 30 32 31 34 31 30 33 30 30 30 5A 84 01 01"
    ))
    .unwrap();
    assert_eq!((p.checkpoint_size, p.window_size), (30, 5));
    assert_eq!(p.dialogue_mode, DialogueMode::MONOLOGUE, "absent: DEFAULT");
    let ConnectionData::Recover(id) = p.connection_data else {
        panic!("not recover")
    };
    assert_eq!(id.calling_ss_user_reference.as_bytes(), CALLING);
    assert_eq!(id.common_reference.as_bytes(), b"940214103000Z");
    assert_eq!(id.additional_reference_information, None);
}

#[test]
fn recover_from_isode_session_references() {
    // The references ISODE puts in CN PGI 1 (psap/addr2ref.c), as a later recover carries
    // them: T61String "vm" and the invalid 3-digit-year UTCTime.
    let mut wire = hex!("31 22 a0 03 80 01 00 a1 1b a3 19 a1 17 14 02 76 6d").to_vec();
    wire.extend(hex!("17 0e 31 32 36 31 31 32 32 31 34 30 37 30 37 5a"));
    wire.extend(hex!("80 01 41"));
    wire[1] = u8::try_from(wire.len() - 2).unwrap();
    wire[8] = u8::try_from(wire.len() - 9).unwrap();
    wire[10] = u8::try_from(wire.len() - 11).unwrap();
    wire[12] = u8::try_from(wire.len() - 13).unwrap();
    let ConnectionData::Recover(id) = PConnect::decode(&wire).unwrap().connection_data else {
        panic!("not recover")
    };
    assert_eq!(id.common_reference.as_bytes(), b"1261122140707Z");
    assert_eq!(
        id.additional_reference_information.unwrap().as_bytes(),
        b"A"
    );
}

#[test]
fn paccept_echoing_recover() {
    let wire = hex!(
        "31 27 a0 03 80 01 00 a1 20 80 01 1e 81 01 05 a2 18 a1 16 14 02 76 6d 17 0d 39 34 30 32
         31 34 31 30 33 30 30 30 5a 80 01 41"
    );
    let a = PAccept::decode(&wire).unwrap();
    let ConnectionData::Recover(id) = &a.connection_data else {
        panic!("not recover")
    };
    assert_eq!(id.calling_ss_user_reference.as_bytes(), b"vm");
    assert_eq!(a.encode().unwrap(), wire);
}

#[test]
fn every_no_user_data_form_is_open_none() {
    // X.228's `80 00` and ISODE's forms, inside PConnect's [3].
    for open in [
        &hex!("80 00")[..],
        &hex!("a0 00"),
        &hex!("a0 02 80 00"),
        &hex!("a0 02 05 00"),
        &hex!("a0 03 05 81 00"),
        &hex!("a0 80 00 00"),
        &hex!("a0 80 80 00 00 00"),
    ] {
        let user_data = [&hex!("a3")[..], &[u8::try_from(open.len()).unwrap()], open].concat();
        let mut wire = hex!("31 00 a0 03 80 01 00 a1 00").to_vec();
        wire.extend(&user_data);
        wire[1] = u8::try_from(wire.len() - 2).unwrap();
        wire[8] = u8::try_from(user_data.len()).unwrap();
        let p = PConnect::decode(&wire).unwrap_or_else(|e| panic!("{open:02x?}: {e}"));
        assert_eq!(p.connection_data, ConnectionData::Open(None), "{open:02x?}");
    }
    // What we send for None: a NULL, as ISODE's PAccept does.
    let wire = PConnect::new(ConnectionData::Open(None)).encode().unwrap();
    assert!(
        wire.ends_with(&hex!("a3 04 a0 02 05 00 84 01 01")),
        "{wire:02x?}"
    );
}

#[test]
fn a_null_bind_given_as_user_data_reads_back_as_no_user_data() {
    for null in [&hex!("05 00")[..], &hex!("80 00")] {
        let p = PConnect::new(ConnectionData::open(null));
        let again = PConnect::decode(&p.encode().unwrap()).unwrap();
        assert_eq!(again.connection_data, ConnectionData::Open(None));
    }
}
