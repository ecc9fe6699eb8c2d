//! X.225 Annex A rows the machine implements that no other test reached: RS in STA04B,
//! STA19 and STA20 and its serial checks (p32, p49), AI/AD received in STA10B, STA19 and
//! STA20 and sent from STA04B and STA11A, ED and the data token (p50/p51) and ED crossing
//! our AE (STA04B), RF from the SPM
//! and RF keeping the transport, AC negotiation errors, and DT while our own release, major
//! sync or activity end is outstanding.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use osi_session::machine::{
    AbortCause, Config, ConnectRequest, Error, Event, Instant, Rule, State,
};
use osi_session::{Kind, Requirements, ResyncType, TokenItem, TokenSetting, Version};
use x400_test_kit::session::{Machine, Owned, Pair};

const FD: u16 = Requirements::DUPLEX;
const SY: u16 = Requirements::MINOR_SYNC;
const MA: u16 = Requirements::MAJOR_SYNC;
const ACT: u16 = Requirements::ACTIVITY;
const RESYN: u16 = Requirements::RESYNC;
/// X.410 RTS units (half-duplex, minor sync, exceptions, activities) plus resynchronize.
const RTS_RESYN: u16 = 0x0249 | RESYN;

fn own(m: &mut Machine) -> Vec<Owned> {
    core::iter::from_fn(|| m.poll_event().map(|e| e.map(<[u8]>::to_vec))).collect()
}

fn protocol_error(rule: Rule) -> Owned {
    Event::ProviderAbort(AbortCause::ProtocolError(rule))
}

/// The first SI of the next TSDU `m` would send.
fn next_si(m: &mut Machine) -> u8 {
    let mut buf = vec![0u8; 1024];
    let n = m
        .poll_transmit(Instant::ZERO, &mut buf)
        .unwrap()
        .expect("a TSDU");
    assert!(n > 0);
    buf[0]
}

/// Connected with `fu`, tokens as `tokens` (CN Token Setting), an activity started by a.
fn in_activity(fu: u16, tokens: u8) -> Pair {
    let mut p = Pair::new();
    p.connect(fu, tokens);
    p.a.activity_start(&[1], &[]).unwrap();
    p.drive();
    p.take_b();
    p
}

/// RTS units with resynchronize, in an activity: b sent ED (STA19), a took it holding the
/// data token (p51: STA20).
fn after_exception() -> Pair {
    let mut p = in_activity(RTS_RESYN, 0);
    p.b.exception_report(5, &[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta20, State::Sta19));
    assert!(matches!(
        p.take_a().as_slice(),
        [Event::UserException { reason: 5, .. }]
    ));
    p
}

fn resync_indicated(events: &[Owned]) -> bool {
    matches!(
        events.last(),
        Some(Event::Resynchronize {
            kind: ResyncType::Abandon,
            ..
        })
    )
}

/// [R] The RS rows of STA04B could not be checked in X.225 Annex A; the machine takes an RS
/// there as in STA04A (the AE, like a MAP, is abandoned). The ISODE++ transcription of
/// Annex A has no RS row in STA04B and no SRSYNreq row in STA10B: confirm against the
/// printed table.
#[test]
fn rs_received_in_sta04b() {
    // a's AE is outstanding; b (STA10B) resynchronizes instead of answering it.
    let mut p = in_activity(FD | SY | ACT | RESYN, 0);
    p.a.activity_end(&[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta04B, State::Sta10B));
    p.b.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.drive();
    assert_eq!(p.a.state(), State::Sta11A);
    assert!(resync_indicated(&p.take_a()));
    p.a.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
    // The AE was abandoned: the activity goes on, both at the same V(M).
    assert!(p.a.in_activity() && p.b.in_activity());
    assert_eq!(p.a.vm(), p.b.vm());
}

#[test]
fn rs_received_in_sta19() {
    let mut p = after_exception();
    // The data token holder recovers with a resynchronize (STA20 SRSYNreq row).
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.drive();
    assert_eq!(p.b.state(), State::Sta11A);
    assert!(resync_indicated(&p.take_b()));
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
}

#[test]
fn rs_received_in_sta20() {
    let mut p = after_exception();
    p.b.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.drive();
    assert_eq!(p.a.state(), State::Sta11A);
    assert!(resync_indicated(&p.take_a()));
}

#[test]
fn rs_restart_below_vr_is_aborted() {
    let mut p = Pair::new();
    p.connect(FD | SY | MA | RESYN, 0);
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.b.major_sync_response(&[]).unwrap();
    p.drive();
    assert!(p.b.vr() >= 1);
    // The request side refuses it (p33) ...
    assert!(matches!(
        p.a.resynchronize(ResyncType::Restart, 0, TokenSetting(0), &[]),
        Err(Error::Serial { serial: 0, .. })
    ));
    // ... and the receiver aborts it (p32: sn ≥ V(R)). GT + RS(restart, sn "0").
    let rs = [
        0x01, 0x00, 0x35, 0x09, 0x1a, 0x01, 0x00, 0x1b, 0x01, 0x00, 0x2a, 0x01, 0x30,
    ];
    p.b.handle_tsdu(p.now, &rs).unwrap();
    assert_eq!(
        own(&mut p.b),
        [protocol_error(Rule::ResyncSerial {
            spdu: Kind::Resynchronize,
            received: 0
        })]
    );
    assert_eq!(p.b.state(), State::Sta16);
    assert_eq!(next_si(&mut p.b), 0x19);
}

#[test]
fn ra_with_another_serial_than_the_rs_is_aborted() {
    let mut p = Pair::new();
    p.connect(FD | SY | RESYN, 0);
    p.a.resynchronize(ResyncType::Set, 7, TokenSetting(0), &[])
        .unwrap();
    assert_eq!(p.a.state(), State::Sta05A);
    // PT + RA(sn "8"): p49 needs the RS's serial number for set.
    let ra = [0x02, 0x00, 0x22, 0x06, 0x1a, 0x01, 0x00, 0x2a, 0x01, 0x38];
    p.a.handle_tsdu(p.now, &ra).unwrap();
    assert_eq!(
        own(&mut p.a),
        [protocol_error(Rule::ResyncSerial {
            spdu: Kind::ResynchronizeAck,
            received: 8
        })]
    );
    assert_eq!(p.a.state(), State::Sta16);
}

#[test]
fn ai_and_ad_sent_from_sta04b_are_received_in_sta10b() {
    for discard in [false, true] {
        let mut p = in_activity(0x0249, 0);
        p.a.activity_end(&[]).unwrap();
        p.drive();
        assert_eq!((p.a.state(), p.b.state()), (State::Sta04B, State::Sta10B));
        p.take_b();
        if discard {
            p.a.activity_discard(0, &[]).unwrap();
        } else {
            p.a.activity_interrupt(0, &[]).unwrap();
        }
        p.drive();
        if discard {
            assert_eq!(p.b.state(), State::Sta11C);
            assert!(matches!(
                p.take_b().as_slice(),
                [Event::ActivityDiscard { .. }]
            ));
            p.b.activity_discard_response(&[]).unwrap();
        } else {
            assert_eq!(p.b.state(), State::Sta11B);
            assert!(matches!(
                p.take_b().as_slice(),
                [Event::ActivityInterrupt { .. }]
            ));
            p.b.activity_interrupt_response(&[]).unwrap();
        }
        p.drive();
        assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
        assert!(!p.a.in_activity());
    }
}

#[test]
fn ai_and_ad_received_in_sta19() {
    for discard in [false, true] {
        let mut p = after_exception();
        // The data token holder (STA20) ends the exception by interrupting (p34 ∧ p11).
        if discard {
            p.a.activity_discard(0, &[]).unwrap();
        } else {
            p.a.activity_interrupt(0, &[]).unwrap();
        }
        p.drive();
        let want = if discard {
            State::Sta11C
        } else {
            State::Sta11B
        };
        assert_eq!(p.b.state(), want);
    }
}

#[test]
fn ai_and_ad_received_in_sta20() {
    for discard in [false, true] {
        // a holds the major/activity token, b the data token.
        let mut p = in_activity(RTS_RESYN, 0);
        p.a.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
        p.drive();
        // PT + ER (reflect one octet): b holds the data token, p51: STA20.
        p.b.handle_tsdu(p.now, &[0x02, 0x00, 0x00, 0x03, 0x31, 0x01, 0x00])
            .unwrap();
        assert!(matches!(
            own(&mut p.b).as_slice(),
            [Event::ProviderException { .. }]
        ));
        assert_eq!(p.b.state(), State::Sta20);
        if discard {
            p.a.activity_discard(0, &[]).unwrap();
        } else {
            p.a.activity_interrupt(0, &[]).unwrap();
        }
        p.drive();
        let want = if discard {
            State::Sta11C
        } else {
            State::Sta11B
        };
        assert_eq!(p.b.state(), want);
    }
}

#[test]
fn ai_and_ad_sent_from_sta11a_beat_the_peer_resynchronize() {
    for discard in [false, true] {
        let mut p = in_activity(RTS_RESYN, 0);
        // b gets the major/activity token, then a resynchronizes.
        p.a.give_tokens(TokenItem(TokenItem::MAJOR_ACTIVITY), &[])
            .unwrap();
        p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
            .unwrap();
        p.drive();
        assert_eq!(p.b.state(), State::Sta11A);
        p.take_b();
        // Instead of answering, b interrupts (STA11A SACTIreq row, p34 ∧ p39).
        if discard {
            p.b.activity_discard(0, &[]).unwrap();
        } else {
            p.b.activity_interrupt(0, &[]).unwrap();
        }
        p.drive();
        // a takes the AI/AD in STA05A: it beats a's own RS.
        let (want, ind) = (
            if discard {
                State::Sta11C
            } else {
                State::Sta11B
            },
            p.take_a(),
        );
        assert_eq!(p.a.state(), want);
        assert!(matches!(
            ind.last(),
            Some(Event::ActivityInterrupt { .. } | Event::ActivityDiscard { .. })
        ));
        if discard {
            p.a.activity_discard_response(&[]).unwrap();
        } else {
            p.a.activity_interrupt_response(&[]).unwrap();
        }
        p.drive();
        assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
        // [29]: the AI/AD's sender now holds every token.
        assert_eq!(p.b.tokens_owned(), p.b.tokens_available());
    }
}

#[test]
fn ed_and_the_data_token() {
    let mut p = in_activity(0x0249, 0);
    // p50: the data token holder may not report an exception.
    assert_eq!(
        p.a.exception_report(3, &[]),
        Err(Error::Tokens {
            request: "S-U-EXCEPTION-REPORT request",
            tokens: TokenItem(TokenItem::DATA)
        })
    );
    // An ED received by the side without the data token (STA713 ED row, p50): the
    // indication, and the machine stays in STA713 (only p51, holding it, leads to STA20).
    p.b.handle_tsdu(p.now, &[0x02, 0x00, 0x30, 0x03, 0x32, 0x01, 0x03])
        .unwrap();
    assert_eq!(
        own(&mut p.b),
        [Event::UserException {
            reason: 3,
            user_data: vec![]
        }]
    );
    assert_eq!(p.b.state(), State::Sta713);
}

#[test]
fn ed_crossing_our_activity_end_is_taken_in_sta04b() {
    // a's AE is on its way; b, not having seen it, reports an exception (X.225 Annex A:
    // ED in STA04B with the data token leads to STA20, as in STA713).
    let mut p = in_activity(0x0249, 0);
    p.a.activity_end(&[]).unwrap();
    assert_eq!(p.a.state(), State::Sta04B);
    p.b.exception_report(5, &[]).unwrap();
    let mut buf = vec![0u8; 1024];
    let n =
        p.b.poll_transmit(Instant::ZERO, &mut buf)
            .unwrap()
            .expect("PT + ED");
    p.a.handle_tsdu(p.now, &buf[..n]).unwrap();
    assert_eq!(p.a.state(), State::Sta20);
    assert!(matches!(
        own(&mut p.a).as_slice(),
        [Event::UserException { reason: 5, .. }]
    ));
    // The AE reaches b in STA19, which drops it; a discards the activity.
    p.drive();
    assert_eq!(p.b.state(), State::Sta19);
    assert!(own(&mut p.b).is_empty());
    p.a.activity_discard(0, &[]).unwrap();
    p.drive();
    assert_eq!(p.b.state(), State::Sta11C);
    p.b.activity_discard_response(&[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
    assert!(!p.a.in_activity() && !p.b.in_activity());
}

#[test]
fn rf_reason_133_from_the_spm() {
    let mut p = Pair::new();
    p.a.connect(&ConnectRequest::new(Requirements(FD))).unwrap();
    let mut cn = vec![0u8; 256];
    p.a.poll_transmit(Instant::ZERO, &mut cn).unwrap().unwrap();
    // Instead: a CN whose Session User Requirements (PI 20) name neither half-duplex nor
    // duplex. p76: the SPM refuses it with reason 133 and waits in STA16.
    p.b.handle_tsdu(p.now, &[0x0d, 0x04, 0x14, 0x02, 0x00, 0x08])
        .unwrap();
    assert_eq!(own(&mut p.b), []);
    assert_eq!(p.b.state(), State::Sta16);
    assert!(p.b.poll_timeout().is_some());
    p.drive();
    assert_eq!(
        p.take_a(),
        [
            Event::Refused {
                reason: 133,
                user_data: vec![]
            },
            Event::DisconnectTransport
        ]
    );
    assert_eq!(p.a.state(), State::Sta01);
    // RF: PI 22 version, PI 50 reason 0x85.
    let rf = &p.wire_ba[0];
    assert_eq!(rf[0], 0x0c);
    assert!(rf.windows(3).any(|w| w == [0x32, 0x01, 0x85]));
}

/// p02 (local choice ∧ ¬TEXP) taken: the initiator keeps the transport, i.e. it is idle with
/// the transport connected (Annex A's STA01C; this machine's initiator waits in STA01).
#[test]
fn rf_keeping_the_transport_allows_a_new_cn() {
    let mut s = osi_session::machine::Session::new(
        osi_session::machine::Role::Initiator,
        Config::default(),
        vec![0u8; 512],
        vec![0u8; 512],
    );
    s.connect(&ConnectRequest::new(Requirements(FD))).unwrap();
    let mut buf = [0u8; 512];
    s.poll_transmit(Instant::ZERO, &mut buf).unwrap().unwrap();
    // RF, Transport Disconnect PI 17 = 0: keep the transport connection.
    s.handle_tsdu(Instant::ZERO, &[0x0c, 0x03, 0x11, 0x01, 0x00])
        .unwrap();
    assert_eq!(
        own(&mut s),
        [Event::Refused {
            reason: 0,
            user_data: vec![]
        }]
    );
    assert_eq!(s.state(), State::Sta01);
    // No T-DISCONNECT request: the initiator may connect again on the same transport.
    s.connect(&ConnectRequest::new(Requirements(FD))).unwrap();
    let n = s.poll_transmit(Instant::ZERO, &mut buf).unwrap().unwrap();
    assert_eq!((buf[0], s.state()), (0x0d, State::Sta02A));
    assert!(n > 2);
}

/// AC: PGI 5 {PI 19 = 0, PI 22 = `version`}, PI 20 = `fu`.
fn ac(version: u8, fu: u16) -> [u8; 14] {
    let [hi, lo] = fu.to_be_bytes();
    [
        0x0e, 0x0c, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, version, 0x14, 0x02, hi, lo,
    ]
}

#[test]
fn ac_negotiation_errors_are_aborted() {
    let cases: [(Version, u16, [u8; 14], &str); 3] = [
        (
            Version(Version::V1 | Version::V2),
            FD,
            ac(0x02, FD | Requirements::EXPEDITED),
            "AC selects a functional unit not proposed",
        ),
        (
            Version(Version::V1 | Version::V2),
            FD | Requirements::HALF_DUPLEX,
            ac(0x02, FD | Requirements::HALF_DUPLEX),
            "AC must select exactly one of half-duplex and duplex",
        ),
        (
            Version(Version::V2),
            FD,
            ac(0x01, FD),
            "no common protocol version in AC",
        ),
    ];
    for (versions, proposed, ac, why) in cases {
        let mut config = Config::default();
        config.versions = versions;
        let mut s = osi_session::machine::Session::new(
            osi_session::machine::Role::Initiator,
            config,
            vec![0u8; 512],
            vec![0u8; 512],
        );
        s.connect(&ConnectRequest::new(Requirements(proposed)))
            .unwrap();
        let mut buf = [0u8; 512];
        s.poll_transmit(Instant::ZERO, &mut buf).unwrap().unwrap();
        s.handle_tsdu(Instant::ZERO, &ac).unwrap();
        assert_eq!(
            own(&mut s),
            [protocol_error(Rule::Negotiation(why))],
            "{why}"
        );
        assert_eq!(s.state(), State::Sta16);
        assert_eq!(next_si(&mut s), 0x19, "{why}: AB");
    }
}

#[test]
fn dt_received_in_sta03_after_our_fn() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    p.a.release(&[]).unwrap();
    // b sent data before the FN reached it (STA03 DT row, p05 ∧ p10).
    p.b.send_data(b"late").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::Data(b"late".to_vec())]);
    assert_eq!(p.a.state(), State::Sta03);
    assert_eq!(p.b.state(), State::Sta09);
    p.b.release_response(p.now, true, &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a().first(),
        Some(Event::ReleaseConfirm { accepted: true, .. })
    ));
}

#[test]
fn dt_received_in_sta04a_and_sta04b() {
    // STA04A: our MAP is outstanding, the peer still sends (STA10A SDTreq row).
    let mut p = Pair::new();
    p.connect(FD | SY | MA, 0);
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.b.send_data(b"during MAP").unwrap();
    p.drive();
    assert_eq!(p.a.state(), State::Sta04A);
    assert_eq!(p.take_a(), [Event::Data(b"during MAP".to_vec())]);
    // STA04B: our AE is outstanding.
    let mut p = in_activity(FD | ACT, 0);
    p.a.activity_end(&[]).unwrap();
    p.drive();
    p.b.send_data(b"during AE").unwrap();
    p.drive();
    assert_eq!(p.a.state(), State::Sta04B);
    assert_eq!(p.take_a(), [Event::Data(b"during AE".to_vec())]);
}
