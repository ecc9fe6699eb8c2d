//! The TP0 machine at the TPKT level, sans sockets: scripted peers with explicit times, the
//! conformance kit's real CRs, and a pair of machines wired back to back.

// Test helpers outside #[test] fns: failing loudly is their job.
#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)]

use core::time::Duration;

use hex_literal::hex;
use osi_transport::tp0::{Config, ConnectRequest, DisconnectCause, Event, State, Tp0};
use osi_transport::{DisconnectReason, Error, Instant, RejectCause, Storage, Tpdu, TpduSize};

const T0: Instant = Instant::ZERO;

/// The instant `secs` seconds after the epoch.
fn at(secs: u64) -> Instant {
    Instant::ZERO + Duration::from_secs(secs)
}

/// An owned copy of an event, so tests can hold it across calls.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    ConnectIndication {
        calling: Vec<u8>,
        called: Vec<u8>,
        data: Vec<u8>,
    },
    Connected {
        responding: Vec<u8>,
        data: Vec<u8>,
    },
    Data(Vec<u8>),
    Expedited(Vec<u8>),
    Disconnected(DisconnectCause),
}

fn own(e: Event<'_>) -> Ev {
    match e {
        Event::ConnectIndication {
            calling,
            called,
            data,
        } => Ev::ConnectIndication {
            calling: calling.to_vec(),
            called: called.to_vec(),
            data: data.to_vec(),
        },
        Event::Connected { responding, data } => Ev::Connected {
            responding: responding.to_vec(),
            data: data.to_vec(),
        },
        Event::Data(d) => Ev::Data(d.to_vec()),
        Event::Expedited(d) => Ev::Expedited(d.to_vec()),
        Event::Disconnected(c) => Ev::Disconnected(c),
        other => panic!("unexpected event {other:?}"),
    }
}

type M = Tp0<Vec<u8>>;

fn responder(cfg: Config) -> M {
    Tp0::responder(cfg, vec![0; 1 << 20], T0).unwrap()
}

fn initiator(cfg: Config) -> M {
    let mut m = Tp0::initiator(cfg, vec![0; 1 << 20]).unwrap();
    m.connect(
        T0,
        &ConnectRequest {
            calling: b"\x00\x01",
            called: b"\x00\x02",
            data: &[],
        },
    )
    .unwrap();
    m
}

/// One input at `now`: the octets used and the event, as a shell takes them.
fn step<B: Storage>(m: &mut Tp0<B>, now: Instant, input: &[u8]) -> (usize, Option<Ev>) {
    let used = m.handle_input(now, input);
    (used, m.poll_event().map(own))
}

/// Feeds a whole stream; returns every event.
fn feed(m: &mut M, mut input: &[u8]) -> Vec<Ev> {
    let mut evs = Vec::new();
    while !input.is_empty() {
        let (used, ev) = step(m, T0, input);
        evs.extend(ev);
        if used == 0 {
            break;
        }
        input = &input[used..];
    }
    evs
}

/// The control TPKT queued, or nothing.
fn sent<B: Storage>(m: &mut Tp0<B>) -> Vec<u8> {
    let mut buf = [0u8; 512];
    match m.poll_transmit(T0, &mut buf).unwrap() {
        Some(n) => buf[..n].to_vec(),
        None => Vec::new(),
    }
}

/// A TPKT around a TPDU.
fn tpkt(tpdu: &[u8]) -> Vec<u8> {
    let frame = osi_tpkt::Frame::new(tpdu).unwrap();
    let mut v = vec![0; frame.encoded_len()];
    frame.encode(&mut v).unwrap();
    v
}

fn kit(file: &str, name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name}\t")))
        .unwrap();
    let hex = line.split('\t').nth(1).unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// Opens a responder on `cr` (a whole TPKT) and accepts; returns it and the CC sent.
fn accept_cr(cfg: Config, cr: &[u8]) -> (M, Vec<u8>) {
    let mut r = responder(cfg);
    let evs = feed(&mut r, cr);
    assert!(
        matches!(evs.as_slice(), [Ev::ConnectIndication { .. }]),
        "{evs:?}"
    );
    r.accept(None, &[]).unwrap();
    let cc = sent(&mut r);
    assert_eq!(r.state(), State::Open);
    (r, cc)
}

#[test]
fn initiator_cr_is_class0_with_c1_c2_c0() {
    let mut i = initiator({
        let mut c = Config::default();
        c.local_ref = 0x4242;
        c
    });
    assert_eq!(
        sent(&mut i),
        hex!("03 00 00 16 11 e0 00 00 42 42 00 c1 02 00 01 c2 02 00 02 c0 01 0b")
    );
    assert_eq!(i.state(), State::AwaitCc);
    assert_eq!(i.poll_timeout(), Some(at(30)));
    assert!(sent(&mut i).is_empty(), "sent once");
}

#[test]
fn answers_libiec61850_cr() {
    let (r, cc) = accept_cr(
        {
            let mut c = Config::default();
            c.local_ref = 7;
            c
        },
        &kit("libiec61850.tsv", "A.CR"),
    );
    // Echoes the selectors and the offered 8192 (libiec61850's own server does the same).
    assert_eq!(
        cc,
        hex!("03 00 00 16 11 d0 00 01 00 07 00 c1 02 00 01 c2 02 00 01 c0 01 0d")
    );
    assert_eq!(
        (r.tpdu_size(), r.remote_ref(), r.calling_tsel()),
        (8192, 1, &[0, 1][..])
    );
}

#[test]
fn answers_snap7_cr() {
    let (r, cc) = accept_cr(Config::default(), &kit("python-snap7.tsv", "C.CR"));
    let Tpdu::Cc(c) = Tpdu::decode(&cc[4..]).unwrap().0 else {
        panic!()
    };
    assert_eq!(
        (c.dst_ref, c.class.0, c.calling_tsel(), c.called_tsel()),
        (1, 0, Some(&[1, 0][..]), Some(&[1, 1][..]))
    );
    assert_eq!(r.tpdu_size(), 1024);
}

#[test]
fn cr_without_c0_is_answered_with_2048() {
    // ISODE's CR carries no TPDU size in real MTA traffic; RFC 2126 §6.4: state it in the CC.
    let (r, cc) = accept_cr(Config::default(), &hex!("03 00 00 0B 06 E0 00 00 77 18 00"));
    assert_eq!(cc, hex!("03 00 00 0e 09 d0 77 18 00 01 00 c0 01 0b"));
    assert_eq!(r.tpdu_size(), 2048);
}

#[test]
fn size_codes_from_the_field_are_honoured_and_capped() {
    // 0x10 = 65531 (jositransport), answered with what we allow.
    let (r, cc) = accept_cr(
        {
            let mut c = Config::default();
            c.max_tpdu_size = 8192;
            c
        },
        &hex!("03 00 00 0E 09 E0 00 00 00 05 00 C0 01 10"),
    );
    assert_eq!(&cc[cc.len() - 3..], hex!("c0 01 0d"));
    assert_eq!(r.tpdu_size(), 8192);
    let (r, _) = accept_cr(
        Config::default(),
        &hex!("03 00 00 0E 09 E0 00 00 00 05 00 C0 01 10"),
    );
    assert_eq!(r.tpdu_size(), 65531);
}

#[test]
fn preferred_max_tpdu_size_is_answered_with_f0_only() {
    let cr = hex!("03 00 00 12 0d e0 00 00 00 05 00 c0 01 0b f0 02 01 ff");
    let (r, cc) = accept_cr(Config::default(), &cr);
    let Tpdu::Cc(c) = Tpdu::decode(&cc[4..]).unwrap().0 else {
        panic!()
    };
    assert_eq!(c.params.as_bytes(), hex!("f0 02 01 ff"));
    assert_eq!(r.tpdu_size(), 511 * 128);
}

/// X.224 6.6.3 and 13.12: a class 0 CR with TPDU size code 5 gets an ER with cause 3 and the
/// header up to the bad octet.
#[test]
fn invalid_size_code_gets_the_spec_er() {
    let mut r = responder(Config::default());
    let evs = feed(&mut r, &tpkt(&hex!("09 E0 00 00 00 07 00 C0 01 05")));
    assert!(matches!(
        evs.as_slice(),
        [Ev::Disconnected(DisconnectCause::ProtocolError {
            cause: RejectCause::INVALID_PARAM_VALUE,
            ..
        })]
    ));
    assert_eq!(
        sent(&mut r),
        hex!("03 00 00 15 10 70 00 07 03 C1 0A 09 E0 00 00 00 07 00 C0 01 05")
    );
    assert!(r.is_closed());
}

#[test]
fn class_negotiation() {
    // Class 4 preferred with alternative class 0: answered in class 0, class 4 parameters
    // (checksum, version, options, timers) ignored.
    let cr4 = hex!(
        "24 E4 00 00 00 01 40 C1 02 00 01 C2 02 00 02 C0 01 0A C4 01 01 C6 01 00 85 02 13 88 F2 04 00 02 BF 20 C7 01 00"
    );
    let (r, cc) = accept_cr(Config::default(), &tpkt(&cr4));
    let Tpdu::Cc(c) = Tpdu::decode(&cc[4..]).unwrap().0 else {
        panic!()
    };
    assert_eq!((c.class.0, c.cdt), (0, 0));
    assert_eq!(r.tpdu_size(), 1024);
    // Class 1 preferred: class 0 is always a valid answer.
    accept_cr(Config::default(), &tpkt(&hex!("06 E0 00 00 00 03 10")));
    // Class 2 without alternative: refused with DR reason 0x82, SRC-REF 0.
    let mut r = responder(Config::default());
    let evs = feed(&mut r, &tpkt(&hex!("06 E0 00 00 00 03 20")));
    assert_eq!(
        evs,
        [Ev::Disconnected(DisconnectCause::RefusedByUs(
            DisconnectReason::NEGOTIATION_FAILED
        ))]
    );
    assert_eq!(sent(&mut r), hex!("03 00 00 0b 06 80 00 03 00 00 82"));
    // Class 2 offering only class 1: Table 3 has no such combination leading to 0.
    let mut r = responder(Config::default());
    feed(&mut r, &tpkt(&hex!("09 E0 00 00 00 03 20 C7 01 10")));
    assert_eq!(
        r.disconnect_cause(),
        Some(DisconnectCause::RefusedByUs(
            DisconnectReason::NEGOTIATION_FAILED
        ))
    );
    // Class 5 does not exist: ER.
    let mut r = responder(Config::default());
    feed(&mut r, &tpkt(&hex!("06 E0 00 00 00 03 50")));
    assert!(matches!(
        r.disconnect_cause(),
        Some(DisconnectCause::ProtocolError { .. })
    ));
    assert_eq!(
        sent(&mut r),
        hex!("03 00 00 12 0d 70 00 03 03 c1 07 06 e0 00 00 00 03 50")
    );
}

#[test]
fn s7_routing_parameters_in_a_class0_cr_are_not_read_as_iso() {
    // Siemens puts its own data under C6/C7 in class 0 CRs (python-snap7's S7 routing).
    let cr = hex!("14 E0 00 00 00 01 00 C1 02 01 00 C2 02 01 02 C6 04 01 02 03 04");
    let (r, _) = accept_cr(
        {
            let mut c = Config::default();
            c.expedited = true;
            c
        },
        &tpkt(&cr),
    );
    assert!(!r.expedited());
}

#[test]
fn retransmitted_class4_cr_is_ignored_other_cr_ends() {
    let cr4 = tpkt(&hex!("09 E0 00 00 00 09 40 C7 01 00"));
    let (mut r, _) = accept_cr(Config::default(), &cr4);
    assert!(feed(&mut r, &cr4).is_empty());
    assert_eq!(r.state(), State::Open);
    let evs = feed(&mut r, &tpkt(&hex!("06 E0 00 00 00 0a 00")));
    assert!(matches!(
        evs.as_slice(),
        [Ev::Disconnected(DisconnectCause::Unacceptable(_))]
    ));
}

#[test]
fn pair_moves_tsdus_of_every_size() {
    let mut i = initiator({
        let mut c = Config::default();
        c.local_ref = 0x100;
        c
    });
    let mut r = responder({
        let mut c = Config::default();
        c.local_ref = 0x200;
        c
    });
    let cr = sent(&mut i);
    let evs = feed(&mut r, &cr);
    assert_eq!(
        evs,
        [Ev::ConnectIndication {
            calling: vec![0, 1],
            called: vec![0, 2],
            data: vec![]
        }]
    );
    r.accept(Some(b"resp"), &[]).unwrap();
    let cc = sent(&mut r);
    assert_eq!(
        feed(&mut i, &cc),
        [Ev::Connected {
            responding: b"resp".to_vec(),
            data: vec![]
        }]
    );
    assert_eq!(
        (i.tpdu_size(), r.tpdu_size(), i.remote_ref(), r.remote_ref()),
        (2048, 2048, 0x200, 0x100)
    );
    assert_eq!(i.poll_timeout(), None);
    for len in [0usize, 1, 2044, 2045, 2046, 5000, 65536, 1 << 20] {
        let tsdu: Vec<u8> = (0..len).map(|n| u8::try_from(n % 251).unwrap()).collect();
        let mut seg = i.send(&tsdu).unwrap();
        let mut wire = Vec::new();
        let mut buf = vec![0; seg.max_tpkt_len()];
        let mut dts = 0;
        while let Some(n) = seg.write_next(&mut buf).unwrap() {
            assert!(n <= 2048 + 4);
            wire.extend_from_slice(&buf[..n]);
            dts += 1;
        }
        assert_eq!(dts, len.div_ceil(2045).max(1), "{len}");
        let evs = feed(&mut r, &wire);
        assert_eq!(evs.len(), 1, "{len}");
        assert!(evs[0] == Ev::Data(tsdu.clone()), "{len}: TSDU differs");
    }
}

/// X.224 6.3, 13.7: 5000 octets at TPDU size 2048 are 2045 + 2045 + 910.
#[test]
fn segmentation_matches_the_spec_example() {
    let (r, _) = accept_cr(
        Config::default(),
        &tpkt(&hex!("09 E0 00 00 00 07 00 C0 01 0B")),
    );
    let tsdu = [0x5a; 5000];
    let mut seg = r.send(&tsdu).unwrap();
    let mut buf = [0; 2052];
    let mut heads = Vec::new();
    while let Some(n) = seg.write_next(&mut buf).unwrap() {
        heads.push((buf[..7].to_vec(), n));
    }
    assert_eq!(
        heads,
        [
            (hex!("03 00 08 04 02 F0 00").to_vec(), 2052),
            (hex!("03 00 08 04 02 F0 00").to_vec(), 2052),
            (hex!("03 00 03 95 02 F0 80").to_vec(), 917)
        ]
    );
    let mut small = [0; 100];
    let mut seg = r.send(&tsdu).unwrap();
    assert!(matches!(
        seg.write_next(&mut small),
        Err(Error::BufferTooSmall { needed: 2052, .. })
    ));
    assert_eq!(seg.remaining(), 5000);
}

#[test]
fn initiator_cc_handling() {
    // Oversize answer clamped to our proposal (as go-cotp v1.0.1 does).
    let mut i = initiator(Config::default());
    let _ = sent(&mut i);
    feed(&mut i, &tpkt(&hex!("09 D0 00 01 00 05 00 C0 01 0D")));
    assert_eq!((i.state(), i.tpdu_size()), (State::Open, 2048));
    // No size in the CC: our proposal stands. DST-REF 0 is accepted (S7 .NET peers).
    let mut i = initiator({
        let mut c = Config::default();
        c.proposed_tpdu_size = TpduSize::S1024;
        c
    });
    feed(&mut i, &tpkt(&hex!("06 D0 00 00 00 05 00")));
    assert_eq!((i.state(), i.tpdu_size()), (State::Open, 1024));
    // A CC for class 2: unacceptable, connection closed, nothing sent.
    let mut i = initiator(Config::default());
    let _ = sent(&mut i);
    let evs = feed(&mut i, &tpkt(&hex!("06 D0 00 01 00 05 20")));
    assert!(matches!(
        evs.as_slice(),
        [Ev::Disconnected(DisconnectCause::Unacceptable(_))]
    ));
    assert!(sent(&mut i).is_empty());
    // A size code with no meaning: ER.
    let mut i = initiator(Config::default());
    let _ = sent(&mut i);
    feed(&mut i, &tpkt(&hex!("09 D0 00 01 00 05 00 C0 01 20")));
    assert_eq!(
        sent(&mut i),
        hex!("03 00 00 15 10 70 00 05 03 c1 0a 09 d0 00 01 00 05 00 c0 01 20")
    );
    // DR and ER before the CC.
    let mut i = initiator(Config::default());
    assert_eq!(
        feed(&mut i, &tpkt(&hex!("06 80 00 01 00 00 03"))),
        [Ev::Disconnected(DisconnectCause::Refused(
            DisconnectReason::ADDRESS_UNKNOWN
        ))]
    );
    let mut i = initiator(Config::default());
    assert_eq!(
        feed(&mut i, &tpkt(&hex!("04 70 00 01 02"))),
        [Ev::Disconnected(DisconnectCause::ErrorReceived(
            RejectCause::INVALID_TPDU_TYPE
        ))]
    );
}

#[test]
fn snap7_dr_with_stray_octet_is_a_disconnect() {
    let (mut r, _) = accept_cr(Config::default(), &kit("python-snap7.tsv", "C.CR"));
    let evs = feed(&mut r, &kit("python-snap7.tsv", "C.DT.f8"));
    assert_eq!(
        evs,
        [Ev::Data(kit("python-snap7.tsv", "C.DT.f8")[7..].to_vec())]
    );
    let evs = feed(&mut r, &kit("python-snap7.tsv", "C.DR"));
    assert_eq!(
        evs,
        [Ev::Disconnected(DisconnectCause::Released(
            DisconnectReason::NOT_SPECIFIED
        ))]
    );
    assert!(sent(&mut r).is_empty(), "no ER for a DR");
    assert!(r.is_closed());
    // After closing, input is consumed and ignored.
    let more = kit("python-snap7.tsv", "C.DT.f8");
    assert_eq!(step(&mut r, T0, &more), (more.len(), None));
}

#[test]
fn protocol_errors_in_open_get_an_er() {
    let cases: [(&[u8], RejectCause, &[u8]); 6] = [
        // DT with LI 4 (not class 0).
        (
            &hex!("04 F0 00 01 80 41"),
            RejectCause::NOT_SPECIFIED,
            &hex!("04"),
        ),
        // DT with ROA.
        (
            &hex!("02 F1 80 41"),
            RejectCause::INVALID_TPDU_TYPE,
            &hex!("02 f1"),
        ),
        // Empty DT that is not the last.
        (
            &hex!("02 F0 00"),
            RejectCause::NOT_SPECIFIED,
            &hex!("02 f0 00"),
        ),
        // AK: no such TPDU in class 0.
        (
            &hex!("04 61 00 01 05"),
            RejectCause::INVALID_TPDU_TYPE,
            &hex!("04 61"),
        ),
        // Unknown code.
        (
            &hex!("02 30 80 41"),
            RejectCause::INVALID_TPDU_TYPE,
            &hex!("02 30"),
        ),
        // ED without negotiation.
        (
            &hex!("02 10 80 41"),
            RejectCause::INVALID_TPDU_TYPE,
            &hex!("02 10"),
        ),
    ];
    for (tpdu, cause, quote) in cases {
        let (mut r, _) = accept_cr(Config::default(), &tpkt(&hex!("06 E0 00 00 00 09 00")));
        let evs = feed(&mut r, &tpkt(tpdu));
        assert!(
            matches!(evs.as_slice(), [Ev::Disconnected(DisconnectCause::ProtocolError { cause: c, .. })] if *c == cause),
            "{tpdu:02x?}: {evs:?}"
        );
        let er = sent(&mut r);
        let Tpdu::Er(e) = Tpdu::decode(&er[4..]).unwrap().0 else {
            panic!("{er:02x?}")
        };
        assert_eq!(
            (e.dst_ref, e.cause, e.invalid_tpdu()),
            (9, cause, Some(quote)),
            "{tpdu:02x?}"
        );
    }
}

#[test]
fn expedited_only_where_negotiated() {
    let cfg = {
        let mut c = Config::default();
        c.expedited = true;
        c
    };
    let mut i = initiator(cfg);
    let mut r = responder(cfg);
    let cr = sent(&mut i);
    assert!(cr.ends_with(&hex!("c6 01 01")));
    feed(&mut r, &cr);
    r.accept(None, &[]).unwrap();
    feed(&mut i, &sent(&mut r));
    assert!(i.expedited() && r.expedited());
    let mut buf = [0; 32];
    let n = i.send_expedited(b"urgent", &mut buf).unwrap();
    assert_eq!(&buf[..n], hex!("03 00 00 0d 02 10 80 75 72 67 65 6e 74"));
    // An ED between two DTs of one TSDU is delivered at once (ISODE TRead).
    let mut wire = tpkt(&hex!("02 f0 00 41"));
    wire.extend_from_slice(&buf[..n]);
    wire.extend_from_slice(&tpkt(&hex!("02 f0 80 42")));
    assert_eq!(
        feed(&mut r, &wire),
        [Ev::Expedited(b"urgent".to_vec()), Ev::Data(b"AB".to_vec())]
    );
    assert!(matches!(
        i.send_expedited(&[], &mut buf),
        Err(Error::TooLong { .. })
    ));
    assert!(matches!(
        i.send_expedited(&[0; 17], &mut buf),
        Err(Error::TooLong { .. })
    ));
    // Not offered by the initiator: the responder does not agree, sending is refused.
    let mut i = initiator(Config::default());
    let mut r = responder(cfg);
    feed(&mut r, &sent(&mut i));
    r.accept(None, &[]).unwrap();
    feed(&mut i, &sent(&mut r));
    assert!(!i.expedited() && !r.expedited());
    assert!(matches!(
        i.send_expedited(b"x", &mut buf),
        Err(Error::InvalidState { .. })
    ));
}

#[test]
fn reassembly_limit() {
    let (mut r, _) = accept_cr(
        {
            let mut c = Config::default();
            c.max_tsdu_len = 9;
            c
        },
        &tpkt(&hex!("06 E0 00 00 00 09 00")),
    );
    let mut wire = tpkt(&hex!("02 f0 00 01 02 03 04 05 06"));
    wire.extend_from_slice(&tpkt(&hex!("02 f0 80 07 08 09 10")));
    assert_eq!(
        feed(&mut r, &wire),
        [Ev::Disconnected(DisconnectCause::TsduTooLong { max: 9 })]
    );
    // A buffer smaller than the configured limit bounds it too.
    let mut r = Tp0::responder(Config::default(), [0u8; 4], T0).unwrap();
    assert_eq!(r.max_tsdu_len(), 4);
    let _ = step(&mut r, T0, &tpkt(&hex!("06 E0 00 00 00 09 00")));
    r.accept(None, &[]).unwrap();
    let (_, e) = step(&mut r, T0, &tpkt(&hex!("02 f0 80 01 02 03 04 05")));
    assert_eq!(
        e,
        Some(Ev::Disconnected(DisconnectCause::TsduTooLong { max: 4 }))
    );
}

#[test]
fn partial_input_byte_by_byte() {
    let (mut r, _) = accept_cr(Config::default(), &tpkt(&hex!("06 E0 00 00 00 09 00")));
    let wire = tpkt(&hex!("02 f0 80 41 42 43"));
    let mut pending = Vec::new();
    let mut got = Vec::new();
    for b in wire {
        pending.push(b);
        let (used, ev) = step(&mut r, T0, &pending);
        got.extend(ev);
        pending.drain(..used);
    }
    assert_eq!(got, [Ev::Data(b"ABC".to_vec())]);
    assert!(pending.is_empty());
}

#[test]
fn timers_and_network_events() {
    let mut r = Tp0::responder(Config::default(), vec![0; 64], at(100)).unwrap();
    assert_eq!(r.poll_timeout(), Some(at(130)));
    r.handle_timeout(at(129));
    assert_eq!(r.poll_event(), None);
    r.handle_timeout(at(130));
    assert_eq!(
        r.poll_event(),
        Some(Event::Disconnected(DisconnectCause::Timeout))
    );
    r.handle_timeout(at(131));
    assert_eq!(r.poll_event(), None);
    // A CC arriving after the deadline does not open the connection.
    let mut i = initiator({
        let mut c = Config::default();
        c.connect_timeout = Duration::from_secs(5);
        c
    });
    let (_, late) = step(&mut i, at(5), &tpkt(&hex!("06 D0 00 01 00 05 00")));
    assert_eq!(late, Some(Ev::Disconnected(DisconnectCause::Timeout)));
    assert!(i.is_closed());
    // Connect data in a CC beyond the limit: ER.
    let mut i = initiator({
        let mut c = Config::default();
        c.max_connect_data_len = 2;
        c
    });
    let _ = sent(&mut i);
    feed(&mut i, &tpkt(&hex!("06 D0 00 01 00 05 00 61 62 63")));
    assert!(matches!(
        i.disconnect_cause(),
        Some(DisconnectCause::ProtocolError { .. })
    ));
    assert_eq!(
        sent(&mut i),
        hex!("03 00 00 12 0d 70 00 05 00 c1 07 06 d0 00 01 00 05 00")
    );
    let mut i = initiator(Config::default());
    i.handle_disconnect(T0);
    assert_eq!(
        i.poll_event(),
        Some(Event::Disconnected(DisconnectCause::NetworkClosed))
    );
    i.handle_disconnect(T0);
    assert_eq!(i.poll_event(), None);
    // A broken TPKT stream cannot be resynchronised.
    let mut i = initiator(Config::default());
    let (_, ev) = step(&mut i, T0, &hex!("04 00 00 07 02 f0 80"));
    assert_eq!(
        ev,
        Some(Ev::Disconnected(DisconnectCause::Framing(
            osi_tpkt::Error::UnsupportedVersion(4)
        )))
    );
}

#[test]
fn user_requests_are_checked() {
    assert!(matches!(
        Tp0::initiator(
            {
                let mut c = Config::default();
                c.local_ref = 0;
                c
            },
            [0u8; 1]
        ),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Tp0::initiator(
            {
                let mut c = Config::default();
                c.max_tpdu_size = 127;
                c
            },
            [0u8; 1]
        ),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Tp0::initiator(
            {
                let mut c = Config::default();
                c.proposed_tpdu_size = TpduSize(5);
                c
            },
            [0u8; 1]
        ),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Tp0::initiator(
            {
                let mut c = Config::default();
                c.max_connect_data_len = 33;
                c
            },
            [0u8; 1]
        ),
        Err(Error::Config(_))
    ));
    let mut i = Tp0::initiator(Config::default(), [0u8; 16]).unwrap();
    assert!(matches!(i.send(b"x"), Err(Error::InvalidState { .. })));
    assert!(matches!(
        i.accept(None, &[]),
        Err(Error::InvalidState { .. })
    ));
    let long = [0u8; 33];
    assert!(matches!(
        i.connect(
            T0,
            &ConnectRequest {
                data: &long,
                ..ConnectRequest::default()
            }
        ),
        Err(Error::TooLong { .. })
    ));
    i.connect(
        T0,
        &ConnectRequest {
            data: b"hello",
            ..ConnectRequest::default()
        },
    )
    .unwrap();
    assert!(matches!(
        i.connect(T0, &ConnectRequest::default()),
        Err(Error::InvalidState { .. })
    ));
    // Connect data travels in the CR and is indicated (RFC 1006 §5).
    let cr = sent(&mut i);
    assert!(!cr.is_empty());
    let mut r = responder(Config::default());
    assert_eq!(
        feed(&mut r, &cr),
        [Ev::ConnectIndication {
            calling: vec![],
            called: vec![],
            data: b"hello".to_vec()
        }]
    );
    r.refuse(DisconnectReason::CONGESTION).unwrap();
    assert_eq!(sent(&mut r), hex!("03 00 00 0b 06 80 00 01 00 00 01"));
    // Connect data over the limit in a received CR: ER.
    let mut r = responder({
        let mut c = Config::default();
        c.max_connect_data_len = 4;
        c
    });
    feed(&mut r, &cr);
    assert!(matches!(
        r.disconnect_cause(),
        Some(DisconnectCause::ProtocolError { .. })
    ));
    // Class 0 release sends nothing.
    let (mut r, _) = accept_cr(Config::default(), &tpkt(&hex!("06 E0 00 00 00 09 00")));
    r.disconnect();
    assert!(r.is_closed() && sent(&mut r).is_empty());
}

mod props {
    use proptest::prelude::*;

    use super::*;

    fn open_pair(size: TpduSize) -> (M, M) {
        let mut i = initiator({
            let mut c = Config::default();
            c.proposed_tpdu_size = size;
            c
        });
        let mut r = responder(Config::default());
        feed(&mut r, &sent(&mut i));
        r.accept(None, &[]).unwrap();
        feed(&mut i, &sent(&mut r));
        (i, r)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// TSDUs of any size, segmented at any negotiated size and delivered by TCP in
        /// reads cut anywhere, arrive whole, in order, and nothing else is indicated.
        #[test]
        fn tsdus_survive_segmentation_and_any_read_pattern(
            size in prop::sample::select(vec![TpduSize::S128, TpduSize::S1024, TpduSize::S8192, TpduSize::S65531]),
            tsdus in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..3000), 1..6),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        ) {
            let (i, mut r) = open_pair(size);
            prop_assert_eq!(i.tpdu_size(), size.octets().unwrap());
            let mut wire = Vec::new();
            for t in &tsdus {
                let mut seg = i.send(t).unwrap();
                let mut buf = vec![0; seg.max_tpkt_len()];
                while let Some(n) = seg.write_next(&mut buf).unwrap() {
                    wire.extend_from_slice(&buf[..n]);
                }
            }
            let mut points: Vec<usize> = cuts.iter().map(|c| c.index(wire.len() + 1)).collect();
            points.push(wire.len());
            points.sort_unstable();
            let (mut pending, mut got, mut fed) = (Vec::new(), Vec::new(), 0);
            for p in points {
                pending.extend_from_slice(&wire[fed..p]);
                fed = p;
                got.extend(feed_keep(&mut r, &mut pending));
            }
            prop_assert!(pending.is_empty());
            prop_assert_eq!(got, tsdus.into_iter().map(Ev::Data).collect::<Vec<_>>());
            prop_assert_eq!(r.state(), State::Open);
        }
    }

    /// Like `feed`, keeping an incomplete TPKT in `pending` as a shell would.
    fn feed_keep(m: &mut M, pending: &mut Vec<u8>) -> Vec<Ev> {
        let mut evs = Vec::new();
        loop {
            let (used, ev) = step(m, T0, pending);
            evs.extend(ev);
            pending.drain(..used);
            if used == 0 || pending.is_empty() {
                return evs;
            }
        }
    }
}
