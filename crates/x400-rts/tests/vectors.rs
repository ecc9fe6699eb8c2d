//! Decoding the RTS vectors of the conformance kit (`vectors/handmade-x410.tsv`: bare PDUs and
//! the user data of the CN/AC/RF SPDUs that carry them), ISODE 8.0 captures and vectors
//! constructed from the ASN.1 (re-parsed with `openssl asn1parse`), asserting every field.

// Helpers of this file unwrap, index and panic as the tests do: a failure there is a broken
// vector or a missing kit, and must fail the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use hex_literal::hex;
use x400_rts::{
    AbortInformation, AbortReason, ApplicationProtocol, ConnectionData, DialogueMode, PAccept,
    PConnect, PRefuse, RefuseReason,
};

/// The kit's hand-made vectors, copied into this crate (`tests/data/README.md`).
fn vector(name: &str) -> Vec<u8> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handmade-x410.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let line = text
        .lines()
        .find(|l| l.split('\t').next() == Some(name))
        .unwrap_or_else(|| panic!("no vector {name}"));
    let hex = line.split('\t').nth(1).unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// The SPDU inside one TPKT + COTP DT, as (SI, parameters).
fn spdu(tpkt: &[u8]) -> (u8, &[u8]) {
    let tpdu = &tpkt[4..];
    let spdu = &tpdu[usize::from(tpdu[0]) + 1..];
    let (len, start) = length(spdu, 1);
    (spdu[0], &spdu[start..start + len])
}

/// A session length field at `at`: one octet, or 0xFF and two more (X.225 §8.2.5).
fn length(b: &[u8], at: usize) -> (usize, usize) {
    if b[at] == 0xff {
        (
            usize::from(u16::from_be_bytes([b[at + 1], b[at + 2]])),
            at + 3,
        )
    } else {
        (usize::from(b[at]), at + 1)
    }
}

/// The value of the top-level PI/PGI `code` in SPDU parameters.
fn parameter(params: &[u8], code: u8) -> &[u8] {
    let mut at = 0;
    while at < params.len() {
        let (len, start) = length(params, at + 1);
        if params[at] == code {
            return &params[start..start + len];
        }
        at = start + len;
    }
    panic!("no parameter {code}");
}

/// The SS-user data of a CN (SI 13) or AC (SI 14): PGI 193.
fn connect_user_data(tpkt: &[u8], si: u8) -> Vec<u8> {
    let (got, params) = spdu(tpkt);
    assert_eq!(got, si);
    parameter(params, 193).to_vec()
}

const BIND_MTA_A: [u8; 19] = hex!("a1 11 80 05 4d 54 41 2d 41 a1 08 16 06 73 65 63 72 65 74");
const BIND_MTA_B: [u8; 20] = hex!("a1 12 80 05 4d 54 41 2d 42 a1 09 16 07 73 65 63 72 65 74 32");

fn assert_h_pconnect(p: &PConnect) {
    assert_eq!(p.checkpoint_size, 63);
    assert_eq!(p.window_size, 3, "absent: DEFAULT 3");
    assert_eq!(p.dialogue_mode, DialogueMode::TWO_WAY_ALTERNATE);
    assert_eq!(p.application_protocol, ApplicationProtocol::P1_1984);
    assert_eq!(p.connection_data.open_data(), Some(&BIND_MTA_A[..]));
}

fn assert_h_paccept(p: &PAccept) {
    assert_eq!(p.checkpoint_size, 63);
    assert_eq!(p.window_size, 3);
    assert_eq!(p.connection_data.open_data(), Some(&BIND_MTA_B[..]));
}

#[test]
fn handmade_bare_pconnect() {
    assert_h_pconnect(&PConnect::decode(&vector("H.PConnect")).unwrap());
}

#[test]
fn handmade_bare_paccept() {
    assert_h_paccept(&PAccept::decode(&vector("H.PAccept")).unwrap());
}

#[test]
fn handmade_bare_prefuse() {
    let r = PRefuse::decode(&vector("H.PRefuse")).unwrap();
    assert_eq!(r.reason, RefuseReason::BUSY);
}

#[test]
fn handmade_cn_user_data_is_the_pconnect() {
    let ud = connect_user_data(&vector("H.CN"), 13);
    assert_eq!(ud, vector("H.PConnect"));
    assert_h_pconnect(&PConnect::decode(&ud).unwrap());
}

#[test]
fn handmade_ac_user_data_is_the_paccept() {
    let ud = connect_user_data(&vector("H.AC"), 14);
    assert_h_paccept(&PAccept::decode(&ud).unwrap());
}

#[test]
fn handmade_rf_reason_code_carries_prefuse() {
    let rf = vector("H.RF");
    let (si, params) = spdu(&rf);
    assert_eq!(si, 12);
    // RF PI 50: reason code 2 (rejection by the SS-user), then the SS-user data.
    let reason = parameter(params, 50);
    assert_eq!(reason[0], 2);
    assert_eq!(
        PRefuse::decode(&reason[1..]).unwrap().reason,
        RefuseReason::BUSY
    );
}

#[test]
fn handmade_null_bind_cn_and_ac() {
    // `open` = A0 02 05 00: NULL, "no user data" (for P1: the unauthenticated bind).
    let p = PConnect::decode(&connect_user_data(&vector("H.CN.null"), 13)).unwrap();
    assert_eq!(p.checkpoint_size, 0);
    assert_eq!(p.window_size, 3);
    assert_eq!(p.dialogue_mode, DialogueMode::TWO_WAY_ALTERNATE);
    assert_eq!(p.application_protocol, ApplicationProtocol::P1_1984);
    assert_eq!(p.connection_data, ConnectionData::Open(None));
    let a = PAccept::decode(&connect_user_data(&vector("H.AC.null"), 14)).unwrap();
    assert_eq!((a.checkpoint_size, a.window_size), (0, 3));
    assert_eq!(a.connection_data, ConnectionData::Open(None));
}

#[test]
fn broken_ber_length_is_a_ber_error() {
    // BAD.ber_len.CN: the PConnect SET claims 2 octets more than there are.
    let ud = connect_user_data(&vector("BAD.ber_len.CN"), 13);
    let e = PConnect::decode(&ud).unwrap_err();
    assert!(
        matches!(
            e,
            x400_rts::Error::Ber {
                pdu: "PConnect",
                ..
            }
        ),
        "{e}"
    );
}

// ISODE 8.0 traffic (`rtf` and `isoc` against `iso.rtf` and `isod.rtsap` on loopback): the
// only real X.410-mode PDUs we have.

#[test]
fn isode_rtf_pconnect_application_protocol_132() {
    let p = PConnect::decode(&hex!(
        "31 2C A0 03 80 01 00 A1 25 80 01 3F 82 01 01 A3 19 A0 17 30 15 80 03 66 74 70 81 00
         82 0C 72 65 63 65 69 76 65 64 2E 74 78 74 84 02 00 84"
    ))
    .unwrap();
    assert_eq!(p.checkpoint_size, 63);
    assert_eq!(p.window_size, 3);
    assert_eq!(p.dialogue_mode, DialogueMode::TWO_WAY_ALTERNATE);
    assert_eq!(p.application_protocol, ApplicationProtocol(132));
    assert_eq!(
        p.connection_data.open_data(),
        Some(&hex!("30 15 80 03 66 74 70 81 00 82 0C 72 65 63 65 69 76 65 64 2E 74 78 74")[..])
    );
}

#[test]
fn isode_rtf_paccept_open_null() {
    let a = PAccept::decode(&hex!(
        "31 13 A0 03 80 01 00 A1 0C 80 01 01 81 01 03 A2 04 A0 02 05 00"
    ))
    .unwrap();
    assert_eq!((a.checkpoint_size, a.window_size), (1, 3));
    assert_eq!(a.connection_data, ConnectionData::Open(None));
}

#[test]
fn isode_rtsap_echo_pconnect_and_paccept() {
    let p = PConnect::decode(&hex!(
        "31 19 A0 03 80 01 00 A1 12 80 01 3F 82 01 01 A3 06 A0 04 02 02 79 9A 84 02 00 80"
    ))
    .unwrap();
    assert_eq!(p.application_protocol, ApplicationProtocol(128));
    assert_eq!(
        p.connection_data.open_data(),
        Some(&hex!("02 02 79 9A")[..])
    );
    let a = PAccept::decode(&hex!(
        "31 15 A0 03 80 01 00 A1 0E 80 01 01 81 01 03 A2 06 A0 04 02 02 79 9B"
    ))
    .unwrap();
    assert_eq!(
        a.connection_data.open_data(),
        Some(&hex!("02 02 79 9B")[..])
    );
}

// Vectors constructed from the X.410 (1984) ASN.1 and re-parsed with `openssl asn1parse`; our
// encoder reproduces the ones that send every component, byte for byte.

const SPEC_PCONNECT: [u8; 44] = hex!(
    "31 2A A0 03 80 01 00 A1 23 80 01 1E 81 01 05 82 01 00 A3 15 A0 13 A1 11 80 05 4D 54 41
     2D 41 A1 08 16 06 73 65 63 72 65 74 84 01 01"
);

#[test]
fn spec_pconnect_decodes_and_encodes_byte_exactly() {
    let p = PConnect::decode(&SPEC_PCONNECT).unwrap();
    let want = PConnect {
        checkpoint_size: 30,
        window_size: 5,
        dialogue_mode: DialogueMode::MONOLOGUE,
        connection_data: ConnectionData::open(BIND_MTA_A),
        application_protocol: ApplicationProtocol::P1_1984,
    };
    assert_eq!(p, want);
    assert_eq!(want.encode().unwrap(), SPEC_PCONNECT);
}

#[test]
fn spec_pconnect_in_tpkt_cn() {
    // The same PConnect inside TPKT + TP0 DT + CN, user data in PGI 193.
    let cn = hex!(
        "03 00 00 6A 02 F0 80 0D 61 01 22 0A 0F 14 0D 6D 74 61 2D 61 2E 65 78 61 6D 70 6C 65 0B
         0F 17 0D 39 34 30 32 31 34 31 30 33 30 30 30 5A 05 09 13 01 00 16 01 01 1A 01 00 14 02
         02 49 C1 2C 31 2A A0 03 80 01 00 A1 23 80 01 1E 81 01 05 82 01 00 A3 15 A0 13 A1 11 80
         05 4D 54 41 2D 41 A1 08 16 06 73 65 63 72 65 74 84 01 01"
    );
    assert_eq!(connect_user_data(&cn, 13), SPEC_PCONNECT);
}

#[test]
fn spec_pconnect_all_defaults_no_user_data() {
    let p = PConnect::decode(&hex!("31 0B A0 03 80 01 00 A1 04 A3 02 80 00")).unwrap();
    assert_eq!(p, PConnect::new(ConnectionData::Open(None)));
}

#[test]
fn spec_paccept_decodes_and_encodes_byte_exactly() {
    let wire = hex!(
        "31 25 A0 03 80 01 00 A1 1E 80 01 1E 81 01 05 A2 16 A0 14 A1 12 80 05 4D 54 41 2D 42 A1
         09 16 07 73 65 63 72 65 74 32"
    );
    let a = PAccept::decode(&wire).unwrap();
    assert_eq!(
        a,
        PAccept {
            checkpoint_size: 30,
            window_size: 5,
            connection_data: ConnectionData::open(BIND_MTA_B),
        }
    );
    assert_eq!(a.encode().unwrap(), wire);
}

#[test]
fn spec_prefuse_every_reason() {
    for (reason, wire) in [
        (RefuseReason::BUSY, hex!("31 03 80 01 00")),
        (RefuseReason::CANNOT_RECOVER, hex!("31 03 80 01 01")),
        (RefuseReason::VALIDATION_FAILURE, hex!("31 03 80 01 02")),
        (
            RefuseReason::UNACCEPTABLE_DIALOGUE_MODE,
            hex!("31 03 80 01 03"),
        ),
    ] {
        assert_eq!(PRefuse::decode(&wire).unwrap().reason, reason);
        assert_eq!(PRefuse::new(reason).encode().unwrap(), wire);
    }
}

#[test]
fn isode_rf_refusing_recovery() {
    // ISODE's RF for every recover, by code reading (rtsap/rt2ssrespond.c): PI 50 = 2 +
    // cannotRecover.
    let rf = hex!("0C 11 01 00 11 01 01 14 02 00 00 32 06 02 31 03 80 01 01");
    let reason = parameter(&rf[2..], 50);
    assert_eq!(reason[0], 2);
    assert_eq!(
        PRefuse::decode(&reason[1..]).unwrap().reason,
        RefuseReason::CANNOT_RECOVER
    );
}

#[test]
fn spec_abort_information_every_reason() {
    for n in 0..=7u8 {
        let wire = [0x31, 0x03, 0x80, 0x01, n];
        let a = AbortInformation::decode(&wire).unwrap();
        assert_eq!(a.reason, Some(AbortReason(u32::from(n))));
        assert_eq!(a.reflected_parameter, None);
        assert_eq!(a.encode().unwrap(), wire);
    }
    assert_eq!(
        AbortInformation::decode(&hex!("31 03 80 01 04"))
            .unwrap()
            .reason,
        Some(AbortReason::PROTOCOL_ERROR)
    );
}

#[test]
fn abort_information_with_reflected_parameter_and_empty() {
    // invalidParameter with an 8-bit reflected parameter: 9 octets, the AB v1 maximum.
    let wire = hex!("31 07 80 01 01 81 02 00 a5");
    let a = AbortInformation::decode(&wire).unwrap();
    assert_eq!(a.reason, Some(AbortReason::INVALID_PARAMETER));
    let bits = a.reflected_parameter.as_ref().unwrap();
    assert_eq!(bits.len(), 8);
    assert_eq!(bits.as_raw_slice(), &[0xa5]);
    assert_eq!(a.encode().unwrap(), wire);
    // Both components are OPTIONAL.
    assert_eq!(
        AbortInformation::decode(&hex!("31 00")).unwrap(),
        AbortInformation::default()
    );
}
