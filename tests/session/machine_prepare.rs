//! PREPARE under transport expedited data (X.225 Annex A, TEXP true): two machines back to
//! back, the expedited and normal flows moved one TSDU at a time so that each test sees the
//! PR arrive first and the peer wait in STA15A–D (or STA06) for the SPDU it announces.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use osi_session::code::Code;
use osi_session::machine::{AbortCause, Config, Error, Event, Instant, Rule, State};
use osi_session::{Kind, Requirements, ResyncType, TokenSetting};
use x400_test_kit::session::{Machine, Owned, Pair};

const FD: u16 = Requirements::DUPLEX;
const EX: u16 = Requirements::EXPEDITED;
const SY: u16 = Requirements::MINOR_SYNC;
const MA: u16 = Requirements::MAJOR_SYNC;
const RESYN: u16 = Requirements::RESYNC;
/// X.410 RTS units (half-duplex, minor sync, exceptions, activities) with resynchronize
/// and expedited data.
const ACT_UNITS: u16 = 0x0249 | RESYN | EX;

const PR_MAA: [u8; 5] = [0x07, 0x03, 0x18, 0x01, 0x01];
const PR_RS: [u8; 5] = [0x07, 0x03, 0x18, 0x01, 0x02];
const PR_RA: [u8; 5] = [0x07, 0x03, 0x18, 0x01, 0x03];
const PR_AB: [u8; 5] = [0x07, 0x03, 0x18, 0x01, 0x04];

fn texp(on: bool) -> Config {
    let mut c = Config::default();
    c.transport_expedited = on;
    c
}

/// Both transports have expedited data; connected with `fu`, every token at the initiator.
fn connected(fu: u16) -> Pair {
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.connect(fu, 0);
    p
}

/// The events a machine has queued, without moving anything on the transport.
fn own(m: &mut Machine) -> Vec<Owned> {
    core::iter::from_fn(|| m.poll_event().map(|e| e.map(<[u8]>::to_vec))).collect()
}

/// Moves the next TSDU on the expedited flow from a (`from_a`) or b to the other side.
fn ex(p: &mut Pair, from_a: bool) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let now = p.now;
    let (from, to) = if from_a {
        (&mut p.a, &mut p.b)
    } else {
        (&mut p.b, &mut p.a)
    };
    let n = from
        .poll_transmit_expedited(Instant::ZERO, &mut buf)
        .unwrap()
        .expect("an expedited TSDU");
    to.handle_expedited_tsdu(now, &buf[..n]).unwrap();
    buf[..n].to_vec()
}

/// Moves the next TSDU on the normal flow.
fn normal(p: &mut Pair, from_a: bool) -> Vec<u8> {
    let mut buf = vec![0u8; x400_test_kit::session::BUF];
    let now = p.now;
    let (from, to) = if from_a {
        (&mut p.a, &mut p.b)
    } else {
        (&mut p.b, &mut p.a)
    };
    let n = from
        .poll_transmit(Instant::ZERO, &mut buf)
        .unwrap()
        .expect("a TSDU");
    to.handle_tsdu(now, &buf[..n]).unwrap();
    buf[..n].to_vec()
}

fn protocol_error(rule: Rule) -> Owned {
    Event::ProviderAbort(AbortCause::ProtocolError(rule))
}

#[test]
fn major_sync_ack_follows_pr_maa() {
    let mut p = connected(FD | SY | MA | EX);
    let sn = p.a.major_sync(&[]).unwrap();
    p.drive();
    assert_eq!(
        p.take_b(),
        [Event::MajorSync {
            serial: sn,
            user_data: vec![]
        }]
    );
    p.b.major_sync_response(&[]).unwrap();
    // PR-MAA on the expedited flow first: the MAP's sender waits in STA15A for the MAA.
    assert_eq!(ex(&mut p, false), PR_MAA);
    assert_eq!(p.a.state(), State::Sta15A);
    assert_eq!(own(&mut p.a), []);
    normal(&mut p, false);
    assert_eq!(
        own(&mut p.a),
        [Event::MajorSyncConfirm {
            serial: sn,
            user_data: vec![]
        }]
    );
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
    assert_eq!((p.a.vr(), p.b.vr()), (sn + 1, sn + 1));
}

#[test]
fn activity_end_ack_follows_pr_maa() {
    let mut p = connected(ACT_UNITS);
    p.a.activity_start(&[1], &[]).unwrap();
    let sn = p.a.activity_end(&[]).unwrap();
    p.drive();
    assert_eq!(p.b.state(), State::Sta10B);
    p.b.activity_end_response(&[]).unwrap();
    assert_eq!(ex(&mut p, false), PR_MAA);
    assert_eq!(p.a.state(), State::Sta15A);
    normal(&mut p, false);
    // SI 42 decoded as AEA because STA15A was entered from STA04B (p23).
    assert_eq!(
        own(&mut p.a),
        [Event::ActivityEndConfirm {
            serial: sn,
            user_data: vec![]
        }]
    );
    assert_eq!(p.a.state(), State::Sta713);
    assert!(!p.a.in_activity());
}

#[test]
fn resynchronize_and_its_ack_follow_pr_rs_and_pr_ra() {
    let mut p = connected(FD | SY | RESYN | EX);
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    assert_eq!(ex(&mut p, true), PR_RS);
    assert_eq!(p.b.state(), State::Sta15B);
    assert_eq!(own(&mut p.b), []);
    normal(&mut p, true);
    assert_eq!(p.b.state(), State::Sta11A);
    assert!(matches!(
        own(&mut p.b).as_slice(),
        [Event::Resynchronize {
            kind: ResyncType::Abandon,
            ..
        }]
    ));
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    assert_eq!(ex(&mut p, false), PR_RA);
    assert_eq!(p.a.state(), State::Sta15C);
    normal(&mut p, false);
    assert!(matches!(
        own(&mut p.a).as_slice(),
        [Event::ResynchronizeConfirm { .. }]
    ));
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
    assert_eq!(p.a.vm(), p.b.vm());
}

#[test]
fn interrupt_and_discard_follow_pr_rs_and_their_acks_pr_ra() {
    for discard in [false, true] {
        let mut p = connected(ACT_UNITS);
        p.a.activity_start(&[1], &[]).unwrap();
        p.drive();
        p.take_b();
        if discard {
            p.a.activity_discard(0, &[]).unwrap();
        } else {
            p.a.activity_interrupt(0, &[]).unwrap();
        }
        assert_eq!(ex(&mut p, true), PR_RS);
        assert_eq!(p.b.state(), State::Sta15B);
        normal(&mut p, true);
        let (ind_state, ind) = (p.b.state(), own(&mut p.b));
        if discard {
            assert_eq!(ind_state, State::Sta11C);
            assert!(matches!(ind.as_slice(), [Event::ActivityDiscard { .. }]));
            p.b.activity_discard_response(&[]).unwrap();
        } else {
            assert_eq!(ind_state, State::Sta11B);
            assert!(matches!(ind.as_slice(), [Event::ActivityInterrupt { .. }]));
            p.b.activity_interrupt_response(&[]).unwrap();
        }
        assert_eq!(ex(&mut p, false), PR_RA);
        assert_eq!(p.a.state(), State::Sta15C);
        normal(&mut p, false);
        let cnf = if discard {
            Event::ActivityDiscardConfirm(vec![])
        } else {
            Event::ActivityInterruptConfirm(vec![])
        };
        assert_eq!(own(&mut p.a), [cnf]);
        assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
        assert!(!p.a.in_activity() && !p.b.in_activity());
    }
}

#[test]
fn abort_follows_pr_ab_and_is_not_answered_with_aa() {
    let mut p = connected(FD | EX);
    p.a.send_data(b"late").unwrap();
    p.a.abort(p.now, b"bye").unwrap();
    assert_eq!(ex(&mut p, true), PR_AB);
    assert_eq!(p.b.state(), State::Sta15D);
    // STA15D discards the normal flow until the AB: the data sent before it is lost.
    normal(&mut p, true);
    assert_eq!(own(&mut p.b), []);
    assert_eq!(p.b.state(), State::Sta15D);
    normal(&mut p, true);
    assert_eq!(
        own(&mut p.b),
        [
            Event::UserAbort(b"bye".to_vec()),
            Event::DisconnectTransport
        ]
    );
    // p02 needs ¬TEXP: no AA, the transport is closed instead.
    assert_eq!(p.b.next_transmit_len(), None);
    assert_eq!(p.b.state(), State::Sta01);
}

#[test]
fn user_abort_in_sta15d_sends_nothing() {
    let mut p = connected(FD | EX);
    p.a.abort(p.now, &[]).unwrap();
    ex(&mut p, true);
    assert_eq!(p.b.state(), State::Sta15D);
    p.b.abort(p.now, &[]).unwrap();
    assert_eq!(p.b.state(), State::Sta16);
    assert_eq!(p.b.next_transmit_len(), None);
    assert_eq!(p.b.next_transmit_expedited_len(), None);
}

#[test]
fn crossing_pr_ab_closes_the_transport() {
    let mut p = connected(FD | EX);
    p.a.abort(p.now, &[]).unwrap();
    p.b.abort(p.now, &[]).unwrap();
    // Both in STA16: the PR-AB each receives closes the transport (STA16 PR-AB row).
    ex(&mut p, true);
    assert_eq!(own(&mut p.b), [Event::DisconnectTransport]);
    assert_eq!(p.b.state(), State::Sta01);
}

#[test]
fn protocol_error_sends_pr_ab_first() {
    let mut p = connected(FD | EX);
    // A MIP without minor sync selected.
    p.b.handle_tsdu(p.now, &[0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x31])
        .unwrap();
    assert_eq!(
        own(&mut p.b),
        [protocol_error(Rule::FunctionalUnit {
            spdu: Kind::MinorSyncPoint
        })]
    );
    assert_eq!(ex(&mut p, false), PR_AB);
    assert_eq!(p.a.state(), State::Sta15D);
    normal(&mut p, false);
    assert!(matches!(
        own(&mut p.a).as_slice(),
        [
            Event::ProviderAbort(AbortCause::Peer(_)),
            Event::DisconnectTransport
        ]
    ));
}

#[test]
fn unknown_prepare_type_is_aborted() {
    let mut p = connected(FD | EX);
    p.b.handle_expedited_tsdu(p.now, &[0x07, 0x03, 0x18, 0x01, 0x05])
        .unwrap();
    assert_eq!(
        own(&mut p.b),
        [protocol_error(Rule::Invalid(
            osi_session::Error::InvalidValue {
                code: Code(24),
                value: 5
            }
        ))]
    );
    assert_eq!(p.b.state(), State::Sta16);
}

#[test]
fn prepare_in_a_state_without_its_row_is_aborted() {
    // PR-MAA and PR-RA announce answers to something this side has not sent.
    for (pr, state) in [(PR_MAA, State::Sta713), (PR_RA, State::Sta713)] {
        let mut p = connected(FD | SY | MA | RESYN | EX);
        p.b.handle_expedited_tsdu(p.now, &pr).unwrap();
        assert_eq!(
            own(&mut p.b),
            [protocol_error(Rule::Unexpected {
                spdu: Kind::Prepare,
                state
            })]
        );
    }
    // PR-RS while the peer's RS is already being answered (STA11A).
    let mut p = connected(FD | SY | RESYN | EX);
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.drive();
    assert_eq!(p.b.state(), State::Sta11A);
    p.b.handle_expedited_tsdu(p.now, &PR_RS).unwrap();
    assert!(own(&mut p.b).contains(&protocol_error(Rule::Unexpected {
        spdu: Kind::Prepare,
        state: State::Sta11A
    })));
}

#[test]
fn prepare_without_transport_expedited_data_is_aborted() {
    let mut p = Pair::new();
    p.connect(FD | SY | RESYN, 0);
    p.b.handle_expedited_tsdu(p.now, &PR_RS).unwrap();
    assert_eq!(
        own(&mut p.b),
        [protocol_error(Rule::FunctionalUnit {
            spdu: Kind::Prepare
        })]
    );
}

#[test]
fn announced_spdus_without_their_pr_are_aborted() {
    // MAA in STA04A (p16 = ¬TEXP).
    let mut p = connected(FD | SY | MA | EX);
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.b.major_sync_response(&[]).unwrap();
    let mut lost = [0u8; 16];
    p.b.poll_transmit_expedited(Instant::ZERO, &mut lost)
        .unwrap();
    normal(&mut p, false);
    assert_eq!(
        own(&mut p.a),
        [protocol_error(Rule::Unprepared {
            spdu: Kind::MajorSyncAck
        })]
    );
    // RS in STA713 (p35).
    let mut p = connected(FD | SY | RESYN | EX);
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.a.poll_transmit_expedited(Instant::ZERO, &mut lost)
        .unwrap();
    normal(&mut p, true);
    assert_eq!(
        own(&mut p.b),
        [protocol_error(Rule::Unprepared {
            spdu: Kind::Resynchronize
        })]
    );
}

#[test]
fn sta15a_takes_data_and_holds_ex_sent_after_the_maa() {
    let mut p = connected(FD | SY | MA | EX);
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.take_b();
    // In STA10A b still sends data, then answers, then sends EX.
    p.b.send_data(b"before").unwrap();
    p.b.major_sync_response(&[]).unwrap();
    p.b.send_expedited(b"after").unwrap();
    ex(&mut p, false);
    ex(&mut p, false);
    // The EX overtook the MAA it follows: held (action [10]), no event yet.
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta15A, vec![]));
    normal(&mut p, false);
    assert_eq!(own(&mut p.a), [Event::Data(b"before".to_vec())]);
    assert_eq!(p.a.state(), State::Sta15A);
    normal(&mut p, false);
    // [6]: recalled after the confirm.
    match own(&mut p.a).as_slice() {
        [Event::MajorSyncConfirm { .. }, Event::ExpeditedData(d)] => assert_eq!(d, b"after"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sta15b_takes_data_sent_before_the_rs_and_refuses_requests() {
    let mut p = connected(FD | SY | RESYN | EX);
    p.a.send_data(b"kept").unwrap();
    p.a.resynchronize(ResyncType::Set, 3, TokenSetting(0), &[])
        .unwrap();
    ex(&mut p, true);
    assert_eq!(p.b.state(), State::Sta15B);
    // Annex A absorbs S-DATA here; the machine says so instead of sending nothing silently.
    assert_eq!(
        p.b.send_data(b"x"),
        Err(Error::State {
            request: "S-DATA request",
            state: State::Sta15B
        })
    );
    normal(&mut p, true);
    // ¬p185: the receive flow is not discarded before the RS arrives.
    assert_eq!(own(&mut p.b), [Event::Data(b"kept".to_vec())]);
    assert_eq!(p.b.state(), State::Sta15B);
    normal(&mut p, true);
    assert_eq!(p.b.state(), State::Sta11A);
}

#[test]
fn sta15c_discards_data_sent_before_the_ra() {
    let mut p = connected(FD | SY | RESYN | EX);
    p.b.send_data(b"stale").unwrap();
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    ex(&mut p, true);
    normal(&mut p, true);
    own(&mut p.b);
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    ex(&mut p, false);
    assert_eq!(p.a.state(), State::Sta15C);
    // p185: our RS discards the receive flow until the RA.
    normal(&mut p, false);
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta15C, vec![]));
    normal(&mut p, false);
    assert!(matches!(
        own(&mut p.a).as_slice(),
        [Event::ResynchronizeConfirm { .. }]
    ));
}

#[test]
fn pr_rs_overtaking_the_activity_start_is_held_until_it() {
    let mut p = connected(ACT_UNITS);
    p.a.activity_start(&[7], &[]).unwrap();
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    // ¬p26 in STA713: the PR-RS is stored, not an error and not yet STA15B.
    ex(&mut p, true);
    assert_eq!((p.b.state(), own(&mut p.b)), (State::Sta713, vec![]));
    normal(&mut p, true);
    assert!(matches!(
        own(&mut p.b).as_slice(),
        [Event::ActivityStart { .. }]
    ));
    // [6] after the AS: the stored PR-RS now leads to STA15B.
    assert_eq!(p.b.state(), State::Sta15B);
    normal(&mut p, true);
    assert_eq!(p.b.state(), State::Sta11A);
}

#[test]
fn resynchronize_collision_waits_in_sta06() {
    let mut p = connected(FD | SY | RESYN | EX);
    // Abandon beats set (Table 9): a wins.
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.b.resynchronize(ResyncType::Set, 5, TokenSetting(0), &[])
        .unwrap();
    ex(&mut p, true);
    ex(&mut p, false);
    assert_eq!((p.a.state(), p.b.state()), (State::Sta06, State::Sta06));
    // STA06 discards the normal flow (p185) except the RS.
    p.a.handle_tsdu(p.now, &[0x01, 0x00, 0x01, 0x00, b'x'])
        .unwrap();
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta06, vec![]));
    normal(&mut p, false);
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta05A, vec![]));
    normal(&mut p, true);
    assert_eq!(p.b.state(), State::Sta11A);
    assert!(matches!(
        own(&mut p.b).as_slice(),
        [Event::Resynchronize {
            kind: ResyncType::Abandon,
            ..
        }]
    ));
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
}

#[test]
fn pr_ra_overtaking_the_collision_rs_is_held_in_sta06() {
    let mut p = connected(FD | SY | RESYN | EX);
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.b.resynchronize(ResyncType::Set, 5, TokenSetting(0), &[])
        .unwrap();
    ex(&mut p, true);
    ex(&mut p, false);
    normal(&mut p, true);
    own(&mut p.b);
    // b lost and answers a's RS before its own RS reached a: the PR-RA arrives in STA06.
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    ex(&mut p, false);
    assert_eq!(p.a.state(), State::Sta06);
    // b's losing RS decides the collision; [6] recalls the PR-RA: STA15C.
    normal(&mut p, false);
    assert_eq!(p.a.state(), State::Sta15C);
    normal(&mut p, false);
    assert!(matches!(
        own(&mut p.a).as_slice(),
        [Event::ResynchronizeConfirm { .. }]
    ));
    assert_eq!(p.a.state(), State::Sta713);
}

#[test]
fn interrupt_from_sta15a_supersedes_the_announced_maa() {
    let mut p = connected(ACT_UNITS | MA);
    p.a.activity_start(&[1], &[]).unwrap();
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.take_b();
    p.b.major_sync_response(&[]).unwrap();
    ex(&mut p, false);
    assert_eq!(p.a.state(), State::Sta15A);
    // STA15A SACTIreq row: PR-RS + AI, STA05B.
    p.a.activity_interrupt(0, &[]).unwrap();
    assert_eq!(p.a.state(), State::Sta05B);
    // The MAA still on its way is discarded in STA05B.
    normal(&mut p, false);
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta05B, vec![]));
    assert_eq!(ex(&mut p, true), PR_RS);
    assert_eq!(p.b.state(), State::Sta15B);
    normal(&mut p, true);
    assert_eq!(p.b.state(), State::Sta11B);
    p.b.activity_interrupt_response(&[]).unwrap();
    p.drive();
    assert_eq!(
        p.take_a().last(),
        Some(&Event::ActivityInterruptConfirm(vec![]))
    );
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
}

#[test]
fn resynchronize_from_sta15b_collides_in_sta06() {
    let mut p = connected(FD | SY | RESYN | EX);
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    ex(&mut p, true);
    assert_eq!(p.b.state(), State::Sta15B);
    // STA15B SRSYNreq row: PR-RS + RS, and STA06 (the peer's RS is announced).
    p.b.resynchronize(ResyncType::Set, 4, TokenSetting(0), &[])
        .unwrap();
    assert_eq!(p.b.state(), State::Sta06);
    assert_eq!(ex(&mut p, false), PR_RS);
    assert_eq!(p.a.state(), State::Sta06);
    // Abandon beats set: b loses and gives the indication, a waits for the RA.
    normal(&mut p, true);
    assert_eq!(p.b.state(), State::Sta11A);
    normal(&mut p, false);
    assert_eq!(p.a.state(), State::Sta05A);
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a().last(),
        Some(Event::ResynchronizeConfirm { .. })
    ));
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
}

#[test]
fn no_transport_reuse_under_texp() {
    // RF asking to keep the transport (PI 17 = 0): p02 needs ¬TEXP, so the initiator
    // closes the transport all the same.
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.a.connect(&osi_session::machine::ConnectRequest::new(Requirements(
        FD | EX,
    )))
    .unwrap();
    let mut cn = [0u8; 256];
    p.a.poll_transmit(Instant::ZERO, &mut cn).unwrap().unwrap();
    p.a.handle_tsdu(p.now, &[0x0c, 0x03, 0x11, 0x01, 0x00])
        .unwrap();
    assert_eq!(
        own(&mut p.a),
        [
            Event::Refused {
                reason: 0,
                user_data: vec![]
            },
            Event::DisconnectTransport
        ]
    );
    // FN asking to keep it: Annex A action [9] sets Vtrr false under TEXP, so the DN
    // leaves the responder waiting for the transport to close (STA16), not in STA01C.
    let mut p = connected(FD | EX);
    p.b.handle_tsdu(p.now, &[0x09, 0x03, 0x11, 0x01, 0x00])
        .unwrap();
    assert_eq!(own(&mut p.b), [Event::Release(vec![])]);
    p.b.release_response(p.now, true, &[]).unwrap();
    assert_eq!(p.b.state(), State::Sta16);
}

#[test]
fn pr_rs_overtaking_the_ac_is_held_until_it() {
    let fu = Requirements(FD | SY | RESYN | EX);
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.a.connect(&osi_session::machine::ConnectRequest::new(fu))
        .unwrap();
    p.drive();
    p.take_b();
    p.b.accept(&osi_session::machine::AcceptRequest::new(fu))
        .unwrap();
    p.b.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    // STA02A stores the PR-RS (action [10]) ...
    ex(&mut p, false);
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta02A, vec![]));
    // ... and the AC recalls it ([6]): STA15B.
    normal(&mut p, false);
    assert!(matches!(
        own(&mut p.a).as_slice(),
        [Event::ConnectConfirm { .. }]
    ));
    assert_eq!(p.a.state(), State::Sta15B);
    normal(&mut p, false);
    assert_eq!(p.a.state(), State::Sta11A);
}

#[test]
fn pr_rs_overtaking_the_gta_is_held_until_it() {
    let mut p = connected(ACT_UNITS);
    p.a.give_control(&[]).unwrap();
    normal(&mut p, true);
    assert_eq!(own(&mut p.b), [Event::ControlGiven(vec![])]);
    // b now holds every token: it starts an activity and resynchronizes at once.
    p.b.activity_start(&[2], &[]).unwrap();
    p.b.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    ex(&mut p, false);
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta18, vec![]));
    // GTA: STA713, where the recalled PR-RS waits again for the AS (¬p26).
    normal(&mut p, false);
    assert_eq!(p.a.state(), State::Sta713);
    normal(&mut p, false);
    assert_eq!(p.a.state(), State::Sta15B);
    normal(&mut p, false);
    assert_eq!(p.a.state(), State::Sta11A);
}

#[test]
fn pr_maa_after_our_interrupt_is_discarded() {
    let mut p = connected(ACT_UNITS | MA);
    p.a.activity_start(&[1], &[]).unwrap();
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.take_b();
    // The MAA and our AI cross.
    p.b.major_sync_response(&[]).unwrap();
    p.a.activity_interrupt(0, &[]).unwrap();
    assert_eq!(ex(&mut p, false), PR_MAA);
    normal(&mut p, false);
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta05B, vec![]));
    p.drive();
    assert_eq!(p.b.state(), State::Sta11B);
}

#[test]
fn ex_in_sta15b_is_aborted_and_too_many_held_in_sta15a_too() {
    let mut p = connected(FD | SY | RESYN | EX);
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    ex(&mut p, true);
    // STA15B has no EX row: an EX sent before the PR-RS would have come before it.
    p.b.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'x'])
        .unwrap();
    assert_eq!(
        own(&mut p.b),
        [protocol_error(Rule::Unexpected {
            spdu: Kind::Expedited,
            state: State::Sta15B
        })]
    );
    // STA15A holds at most two EX until the MAA.
    let mut p = connected(FD | SY | MA | EX);
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.b.major_sync_response(&[]).unwrap();
    ex(&mut p, false);
    for _ in 0..2 {
        p.a.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'e'])
            .unwrap();
    }
    assert_eq!((p.a.state(), own(&mut p.a)), (State::Sta15A, vec![]));
    p.a.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'e'])
        .unwrap();
    assert_eq!(own(&mut p.a), [protocol_error(Rule::ExpeditedBacklog)]);
}
