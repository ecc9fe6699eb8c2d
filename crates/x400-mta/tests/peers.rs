//! Bind validation: the peer a bind proves, and the refusal with its words otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::cast_possible_truncation
)]

use x400_mta::accounting::Refusal;
use x400_mta::peers::{BindRefusal, Peer, PeerTable, Protocol, Secret};
use x400_p1::mta_abstract_service::{MtaBindArgument, MtaBindResult};
use x400_rts::{ApplicationProtocol, RefuseReason};

/// The `open` of a PConnect binding as "MTA-A" with password "secret" (IA5), as X.410 mode
/// carries the 1984 MTA bind: `[1] SET { [0] "MTA-A", [1] { IA5String "secret" } }`.
const BIND_MTA_A: &[u8] = &[
    0xA1, 0x11, 0x80, 0x05, b'M', b'T', b'A', b'-', b'A', 0xA1, 0x08, 0x16, 0x06, b's', b'e', b'c',
    b'r', b'e', b't',
];
/// The same with the password as an OCTET STRING, which PP also accepts.
const BIND_MTA_A_OCTETS: &[u8] = &[
    0xA1, 0x11, 0x80, 0x05, b'M', b'T', b'A', b'-', b'A', 0xA1, 0x08, 0x04, 0x06, b's', b'e', b'c',
    b'r', b'e', b't',
];

fn table() -> PeerTable {
    let mut t = PeerTable::new("MTA-B");
    let mut a = Peer::new(
        "mta-a",
        Secret::new("secret"),
        Secret::new("secret2"),
        Protocol::P1984,
    );
    a.source_networks = None;
    t.insert(a);
    let mut c = Peer::new(
        "MTA-C",
        Secret::new("c-pw"),
        Secret::new("b-pw"),
        Protocol::P1988X410,
    );
    c.source_networks = Some(vec!["192.0.2.0/24".parse().unwrap()]);
    t.insert(c);
    t
}

fn arg(octets: &[u8]) -> MtaBindArgument {
    x400_p1::decode(octets).unwrap()
}

#[test]
fn a_configured_peer_binds_by_name_and_password() {
    let t = table();
    for octets in [BIND_MTA_A, BIND_MTA_A_OCTETS] {
        let p = t
            .validate(
                &arg(octets),
                Some("203.0.113.1".parse().unwrap()),
                ApplicationProtocol::P1_1984,
            )
            .unwrap();
        // Names compare without regard to case, as PP does.
        assert_eq!(p.name, "mta-a");
    }
}

#[test]
fn refusals_say_why_in_words() {
    let t = table();
    let src = Some("203.0.113.1".parse().unwrap());
    let p84 = ApplicationProtocol::P1_1984;
    let mut unknown = BIND_MTA_A.to_vec();
    unknown[8] = b'X';
    let e = t.validate(&arg(&unknown), src, p84).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"MTA name "MTA-X" is not a configured peer"#
    );
    assert_eq!(
        (e.refusal(), e.reason()),
        (Refusal::UnknownPeer, RefuseReason::VALIDATION_FAILURE)
    );

    let mut wrong = BIND_MTA_A.to_vec();
    wrong[18] = b'T';
    let e = t.validate(&arg(&wrong), src, p84).unwrap_err();
    assert_eq!(e.to_string(), r#"MTA "mta-a" presented a wrong password"#);
    assert!(
        !format!("{e:?}").contains("secret"),
        "the password is never printed"
    );
    assert_eq!(e.refusal(), Refusal::WrongPassword);

    let e = t.validate(&arg(&[0x05, 0x00]), src, p84).unwrap_err();
    assert_eq!(e.refusal(), Refusal::Unauthenticated);
    assert!(e.to_string().contains("unauthenticated"), "{e}");

    let e = t
        .validate(&arg(BIND_MTA_A), src, ApplicationProtocol(12))
        .unwrap_err();
    assert_eq!(e.refusal(), Refusal::WrongProtocol);
    assert!(e.to_string().contains("P1 (1984)"), "{e}");
}

#[test]
fn source_networks_only_when_configured() {
    let t = table();
    let c = t.get("mta-c").unwrap();
    let bind = t.our_argument(c); // "MTA-B"/"b-pw": not what MTA-C must present
    let bind_as_c = {
        let mut other = PeerTable::new("MTA-C");
        other.insert(Peer::new(
            "MTA-B",
            Secret::new("x"),
            Secret::new("c-pw"),
            Protocol::P1988X410,
        ));
        other.our_argument(other.get("MTA-B").unwrap())
    };
    let p88 = ApplicationProtocol(12);
    assert!(
        t.validate(&bind_as_c, Some("192.0.2.77".parse().unwrap()), p88)
            .is_ok()
    );
    let e = t
        .validate(&bind_as_c, Some("198.51.100.1".parse().unwrap()), p88)
        .unwrap_err();
    assert_eq!(
        e,
        BindRefusal::SourceNotAllowed {
            name: "MTA-C".into(),
            address: "198.51.100.1".parse().unwrap()
        }
    );
    assert_eq!(
        e.to_string(),
        r#"MTA "MTA-C" may not connect from 198.51.100.1"#
    );
    // Our own argument to MTA-C does not prove MTA-C.
    assert!(matches!(
        t.validate(&bind, None, p88),
        Err(BindRefusal::UnknownPeer(_))
    ));
}

#[test]
fn our_bind_is_the_x410_octets() {
    let mut t = PeerTable::new("MTA-A");
    t.insert(Peer::new(
        "MTA-B",
        Secret::new("secret2"),
        Secret::new("secret"),
        Protocol::P1984,
    ));
    let b = t.get("MTA-B").unwrap();
    assert_eq!(x400_p1::encode(&t.our_argument(b)).unwrap(), BIND_MTA_A);
    // The responder's result names it and carries its password (X.410 mode PAccept `open`).
    let mut r = PeerTable::new("MTA-B");
    r.insert(Peer::new(
        "MTA-A",
        Secret::new("secret"),
        Secret::new("secret2"),
        Protocol::P1984,
    ));
    let result: MtaBindResult = r.our_result(r.get("MTA-A").unwrap());
    assert_eq!(
        x400_p1::encode(&result).unwrap(),
        [
            0xA1, 0x12, 0x80, 0x05, b'M', b'T', b'A', b'-', b'B', 0xA1, 0x09, 0x16, 0x07, b's',
            b'e', b'c', b'r', b'e', b't', b'2'
        ]
    );
    // The initiator checks it.
    t.validate_result(b, &result).unwrap();
    let wrong = r.our_result(&Peer::new(
        "MTA-A",
        Secret::new("x"),
        Secret::new("nope"),
        Protocol::P1984,
    ));
    assert_eq!(
        t.validate_result(b, &wrong).unwrap_err(),
        BindRefusal::WrongPassword("MTA-B".into())
    );
}
