//! The machine fed with traffic from other implementations (the conformance kit's vectors):
//! libiec61850's client and server (external), and the kit's hand-made X.410 bind.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use osi_session::machine::{
    AcceptRequest, Config, ConnectRequest, Event, Instant, Role, Session, State,
};
use osi_session::{Context, Requirements, Si42, Tsdu, Version};

type Machine = Session<Vec<u8>>;

/// The TSDU inside the named vector: TPKT (4) + class 0 COTP DT with EOT (3) stripped.
fn tsdu(file: &str, name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let hex = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("{name}\t")))
        .unwrap_or_else(|| panic!("no vector {name}"))
        .split('\t')
        .next()
        .unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(
        bytes[4..7],
        [0x02, 0xf0, 0x80],
        "{name}: class 0 DT with EOT"
    );
    bytes[7..].to_vec()
}

fn machine(role: Role) -> Machine {
    Session::new(role, Config::default(), vec![0; 8192], vec![0; 8192])
}

fn events(m: &mut Machine) -> Vec<Event<Vec<u8>>> {
    let mut v = Vec::new();
    while let Some(e) = m.poll_event() {
        v.push(e.map(<[u8]>::to_vec));
    }
    v
}

fn sent(m: &mut Machine) -> Vec<Vec<u8>> {
    let mut buf = vec![0; 8192];
    let mut v = Vec::new();
    while let Some(n) = m.poll_transmit(Instant::ZERO, &mut buf).unwrap() {
        // Everything we emit decodes with the codec.
        Tsdu::decode(&buf[..n], Context::new(Si42::MajorSyncAck)).unwrap();
        v.push(buf[..n].to_vec());
    }
    v
}

const T0: Instant = Instant::ZERO;
const IEC: &str = "libiec61850.tsv";

#[test]
fn libiec61850_client_against_our_responder() {
    let mut m = machine(Role::Responder);
    m.handle_tsdu(T0, &tsdu(IEC, "A.CN")).unwrap();
    match &events(&mut m)[..] {
        [
            Event::ConnectIndication {
                requirements,
                versions,
                called_ssel,
                user_data,
                ..
            },
        ] => {
            assert_eq!(*requirements, Requirements(Requirements::DUPLEX));
            assert_eq!(*versions, Version(Version::V2));
            assert_eq!(called_ssel, &[0x00, 0x01]);
            assert_eq!(user_data[0], 0x31, "a presentation CP-type");
        }
        e => panic!("{e:?}"),
    }
    m.accept(&AcceptRequest {
        responding_ssel: Some(&[0x00, 0x01]),
        ..AcceptRequest::new(Requirements(Requirements::DUPLEX))
    })
    .unwrap();
    let ac = sent(&mut m);
    // libiec61850 accepts only Version == 2: the AC selects version 2 alone.
    assert!(ac[0].windows(3).any(|w| w == [0x16, 0x01, 0x02]));
    assert_eq!(m.version(), Some(Version(Version::V2)));
    for name in ["A.DT.f10", "A.DT.f12", "A.DT.f14", "A.DT.f16"] {
        m.handle_tsdu(T0, &tsdu(IEC, name)).unwrap();
        assert!(
            matches!(&events(&mut m)[..], [Event::Data(d)] if !d.is_empty()),
            "{name}"
        );
    }
    m.handle_tsdu(T0, &tsdu(IEC, "A.FN")).unwrap();
    assert!(matches!(&events(&mut m)[..], [Event::Release(_)]));
    m.release_response(T0, true, &[]).unwrap();
    assert_eq!(sent(&mut m), [vec![0x0a, 0x00]]);
    assert_eq!(m.state(), State::Sta16);
}

#[test]
fn our_initiator_against_libiec61850_server() {
    let mut m = machine(Role::Initiator);
    m.connect(&ConnectRequest {
        calling_ssel: Some(&[0x00, 0x01]),
        called_ssel: Some(&[0x00, 0x01]),
        user_data: &[0x31, 0x00],
        ..ConnectRequest::new(Requirements(Requirements::DUPLEX))
    })
    .unwrap();
    assert_eq!(sent(&mut m).len(), 1);
    m.handle_tsdu(T0, &tsdu(IEC, "A.AC")).unwrap();
    assert!(matches!(
        &events(&mut m)[..],
        [Event::ConnectConfirm {
            requirements: Requirements(Requirements::DUPLEX),
            version: Version(Version::V2),
            ..
        }]
    ));
    for name in ["A.DT.f11", "A.DT.f13", "A.DT.f15", "A.DT.f17"] {
        m.handle_tsdu(T0, &tsdu(IEC, name)).unwrap();
        assert!(matches!(&events(&mut m)[..], [Event::Data(_)]), "{name}");
    }
    m.release(&[]).unwrap();
    assert_eq!(sent(&mut m), [vec![0x09, 0x00]]);
    m.handle_tsdu(T0, &tsdu(IEC, "A.DN")).unwrap();
    assert!(matches!(
        &events(&mut m)[..],
        [
            Event::ReleaseConfirm { accepted: true, .. },
            Event::DisconnectTransport
        ]
    ));
}

#[test]
fn handmade_x410_bind_version_1() {
    const H: &str = "handmade-x410.tsv";
    let mut r = machine(Role::Responder);
    r.handle_tsdu(T0, &tsdu(H, "H.CN")).unwrap();
    assert!(matches!(
        &events(&mut r)[..],
        [Event::ConnectIndication {
            requirements: Requirements(0x0249),
            versions: Version(Version::V1),
            ..
        }]
    ));
    r.accept(&AcceptRequest::new(Requirements(0x0249))).unwrap();
    assert_eq!(r.version(), Some(Version(Version::V1)));
    assert_eq!(sent(&mut r).len(), 1);
    r.handle_tsdu(T0, &tsdu(H, "H.FN")).unwrap();
    assert!(matches!(&events(&mut r)[..], [Event::Release(_)]));

    let mut i = machine(Role::Initiator);
    i.connect(&ConnectRequest::new(Requirements(0x0249)))
        .unwrap();
    sent(&mut i);
    i.handle_tsdu(T0, &tsdu(H, "H.AC")).unwrap();
    assert!(matches!(
        &events(&mut i)[..],
        [Event::ConnectConfirm {
            requirements: Requirements(0x0249),
            version: Version(Version::V1),
            ..
        }]
    ));
    // The kit's hand-made AS has no GT in front: a category 2 SPDU alone in its TSDU
    // breaks X.225 Table 6, so a strict machine aborts.
    i.handle_tsdu(T0, &tsdu(H, "H.AS")).unwrap();
    assert!(matches!(&events(&mut i)[..], [Event::ProviderAbort(_)]));
}
