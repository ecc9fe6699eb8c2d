//! Minor and major synchronization, serial number validation, resynchronize (abandon,
//! restart, set) and its collisions, exceptions.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use osi_session::machine::{AbortCause, AcceptRequest, ConnectRequest, Error, Event, Rule, State};
use osi_session::{Kind, Requirements, ResyncType, TokenItem, TokenSetting};
use x400_test_kit::session::Pair;

const HD: u16 = Requirements::HALF_DUPLEX;
const SY: u16 = Requirements::MINOR_SYNC;
const MA: u16 = Requirements::MAJOR_SYNC;
const RESYN: u16 = Requirements::RESYNC;
const ACT: u16 = Requirements::ACTIVITY;
const EXCEP: u16 = Requirements::EXCEPTIONS;
/// Basic Synchronized Subset (ISODE `SR_BSSUBSET`).
const BSS: u16 = 0x04bb;
const ALL_TOKENS: u8 =
    TokenItem::DATA | TokenItem::MINOR_SYNC | TokenItem::MAJOR_ACTIVITY | TokenItem::RELEASE;

fn provider_abort(e: Option<Event<&[u8]>>) -> Rule {
    match e {
        Some(Event::ProviderAbort(AbortCause::ProtocolError(r))) => r,
        e => panic!("expected a provider abort, got {e:?}"),
    }
}

/// A pair inside an activity (X.410's units plus resynchronize), tokens at the initiator.
fn in_activity(extra: u16) -> Pair {
    let mut p = Pair::new();
    p.connect(0x0249 | extra, 0);
    p.a.activity_start(&[0x02, 0x01, 0x01], &[]).unwrap();
    p.drive();
    p.take_b();
    p
}

#[test]
fn minor_sync_without_activities_starts_at_the_initial_serial_number() {
    let mut p = Pair::new();
    let req = ConnectRequest {
        initial_serial: Some(5),
        ..ConnectRequest::new(Requirements(HD | SY))
    };
    p.connect_with(&req, &AcceptRequest::new(Requirements(HD | SY)));
    assert_eq!((p.a.vm(), p.b.vm(), p.a.va()), (5, 5, 5));
    assert_eq!(p.a.minor_sync(true, b"cp").unwrap(), 5);
    p.drive();
    assert_eq!(
        p.wire_ab.last().unwrap(),
        &[
            0x01, 0x00, 0x31, 0x07, 0x2a, 0x01, 0x35, 0xc1, 0x02, b'c', b'p'
        ]
    );
    assert_eq!(
        p.take_b(),
        [Event::MinorSync {
            serial: 5,
            confirm: true,
            user_data: b"cp".to_vec()
        }]
    );
    // Explicit confirmation not required: Sync Type bit 1.
    assert_eq!(p.a.minor_sync(false, &[]).unwrap(), 6);
    p.drive();
    assert_eq!(
        p.wire_ab.last().unwrap(),
        &[0x01, 0x00, 0x31, 0x06, 0x0f, 0x01, 0x01, 0x2a, 0x01, 0x36]
    );
    assert!(matches!(
        p.take_b()[..],
        [Event::MinorSync {
            serial: 6,
            confirm: false,
            ..
        }]
    ));
    // One MIA confirms every point up to its number.
    assert!(
        p.b.minor_sync_response(7, &[]).is_err(),
        "7 does not exist yet"
    );
    p.b.minor_sync_response(6, &[]).unwrap();
    p.drive();
    assert_eq!(
        p.wire_ba.last().unwrap(),
        &[0x02, 0x00, 0x32, 0x03, 0x2a, 0x01, 0x36]
    );
    assert_eq!(
        p.take_a(),
        [Event::MinorSyncConfirm {
            serial: 6,
            user_data: vec![]
        }]
    );
    assert_eq!((p.a.va(), p.a.vm(), p.b.va()), (7, 7, 7));
    // An older point cannot be confirmed again.
    assert!(matches!(
        p.b.minor_sync_response(5, &[]),
        Err(Error::Serial { serial: 5, .. })
    ));
}

#[test]
fn wrong_mip_serial_number_provokes_abort() {
    let mut p = in_activity(0);
    for sn in 1..=2 {
        assert_eq!(p.a.minor_sync(true, &[]).unwrap(), sn);
    }
    p.drive();
    assert_eq!(p.b.vm(), 3);
    // The 1990s gateway: a MIP numbered 4 where 3 is due (GT + MIP "4").
    p.b.handle_tsdu(p.now, &[0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x34])
        .unwrap();
    let rule = provider_abort(p.b.poll_event());
    assert_eq!(
        rule,
        Rule::SerialNotNext {
            spdu: Kind::MinorSyncPoint,
            expected: 3,
            received: 4
        }
    );
    assert_eq!(
        rule.to_string(),
        "MINOR SYNC POINT (MIP) with serial number 4 where 3 was the next (X.225 Annex A p19)"
    );
    assert_eq!(p.b.state(), State::Sta16);
    // The sender learns of it from the AB (release + protocol error): S-P-ABORT; it answers
    // AA, and the receiver closes the transport.
    p.drive();
    assert_eq!(p.wire_ba.last().unwrap(), &[0x19, 0x03, 0x11, 0x01, 0x05]);
    assert_eq!(
        p.take_a(),
        [Event::ProviderAbort(AbortCause::Peer(
            osi_session::TransportDisconnect(0x05)
        ))]
    );
    assert_eq!(p.take_b().last(), Some(&Event::DisconnectTransport));
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn mip_serial_zero_after_activity_start_is_rejected() {
    // MIPs X.225 Annex A refuses (p19: sn = V(M); p14: inside an activity; digits only,
    // §8.3.1.13): after AS, MIP sn 0; a MIP before AS; binary sn.
    let mut p = in_activity(0);
    p.b.handle_tsdu(p.now, &[0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x30])
        .unwrap();
    assert!(matches!(
        provider_abort(p.b.poll_event()),
        Rule::SerialNotNext {
            expected: 1,
            received: 0,
            ..
        }
    ));

    let mut q = Pair::new();
    q.connect(0x0249, 0);
    q.b.handle_tsdu(q.now, &[0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x31])
        .unwrap();
    assert_eq!(
        provider_abort(q.b.poll_event()),
        Rule::Activity {
            spdu: Kind::MinorSyncPoint,
            in_progress: false
        }
    );

    let mut r = in_activity(0);
    r.b.handle_tsdu(r.now, &[0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x01])
        .unwrap();
    assert!(matches!(
        provider_abort(r.b.poll_event()),
        Rule::Invalid(osi_session::Error::BadSerialNumber { .. })
    ));
}

#[test]
fn mip_from_the_side_without_the_minor_token_is_rejected() {
    let mut p = in_activity(0);
    // a holds the tokens; a MIP arriving at a breaks p14 (AA(mi)).
    p.a.handle_tsdu(p.now, &[0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x31])
        .unwrap();
    assert_eq!(
        provider_abort(p.a.poll_event()),
        Rule::Tokens {
            spdu: Kind::MinorSyncPoint,
            tokens: TokenItem(TokenItem::DATA | TokenItem::MINOR_SYNC)
        }
    );
}

#[test]
fn mia_must_confirm_an_outstanding_point() {
    let mut p = in_activity(0);
    p.a.minor_sync(true, &[]).unwrap();
    p.a.minor_sync(true, &[]).unwrap();
    p.drive();
    // sn >= V(M): a point that does not exist.
    p.a.handle_tsdu(p.now, &[0x02, 0x00, 0x32, 0x03, 0x2a, 0x01, 0x33])
        .unwrap();
    assert_eq!(
        provider_abort(p.a.poll_event()),
        Rule::SerialNotOutstanding {
            spdu: Kind::MinorSyncAck,
            received: 3,
            va: 1,
            vm: 3
        }
    );
    // A MIA at the side that receives the points (Vsc true).
    let mut q = in_activity(0);
    q.a.minor_sync(true, &[]).unwrap();
    q.drive();
    q.b.handle_tsdu(q.now, &[0x02, 0x00, 0x32, 0x03, 0x2a, 0x01, 0x31])
        .unwrap();
    assert_eq!(provider_abort(q.b.poll_event()), Rule::MinorAckDirection);
    // A repeated confirmation (sn < V(A)).
    let mut r = in_activity(0);
    r.a.minor_sync(true, &[]).unwrap();
    r.a.minor_sync(true, &[]).unwrap();
    r.drive();
    r.b.minor_sync_response(2, &[]).unwrap();
    r.drive();
    r.a.handle_tsdu(r.now, &[0x02, 0x00, 0x32, 0x03, 0x2a, 0x01, 0x31])
        .unwrap();
    assert!(matches!(
        provider_abort(r.a.poll_event()),
        Rule::SerialNotOutstanding {
            received: 1,
            va: 3,
            ..
        }
    ));
}

#[test]
fn thousand_minor_syncs_in_an_activity_with_confirmations() {
    let mut p = in_activity(0);
    for sn in 1..=1000u64 {
        p.a.send_data(&sn.to_be_bytes()).unwrap();
        assert_eq!(p.a.minor_sync(true, &[]).unwrap(), sn);
        p.drive();
        assert_eq!(
            p.take_b(),
            [
                Event::Data(sn.to_be_bytes().to_vec()),
                Event::MinorSync {
                    serial: sn,
                    confirm: true,
                    user_data: vec![]
                }
            ]
        );
        if sn == 27 {
            // ISODE capture: serial 27 is `2A 02 32 37`.
            assert!(
                p.wire_ab
                    .last()
                    .unwrap()
                    .ends_with(&[0x2a, 0x02, 0x32, 0x37])
            );
        }
        p.b.minor_sync_response(sn, &[]).unwrap();
        p.drive();
        assert_eq!(
            p.take_a(),
            [Event::MinorSyncConfirm {
                serial: sn,
                user_data: vec![]
            }]
        );
    }
    assert_eq!((p.a.vm(), p.b.vm(), p.a.va()), (1001, 1001, 1001));
    assert_eq!(p.a.activity_end(&[]).unwrap(), 1001);
    p.drive();
    assert!(matches!(
        p.take_b()[..],
        [Event::ActivityEnd { serial: 1001, .. }]
    ));
    p.b.activity_end_response(&[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a()[..],
        [Event::ActivityEndConfirm { serial: 1001, .. }]
    ));
    assert!(!p.a.in_activity() && !p.b.in_activity());
}

#[test]
fn major_sync_confirms_everything_and_moves_the_restart_floor() {
    let mut p = Pair::new();
    p.connect(BSS, 0);
    assert_eq!(
        p.a.requirements(),
        Requirements(BSS & !Requirements::DUPLEX)
    );
    assert_eq!(p.a.tokens_owned(), TokenItem(ALL_TOKENS));
    p.a.minor_sync(true, &[]).unwrap(); // 0
    p.a.minor_sync(true, &[]).unwrap(); // 1
    assert_eq!(p.a.major_sync(b"M").unwrap(), 2);
    assert_eq!(p.a.state(), State::Sta04A);
    assert!(matches!(
        p.a.minor_sync(true, &[]),
        Err(Error::State { .. })
    ));
    p.drive();
    assert_eq!(p.b.state(), State::Sta10A);
    assert!(matches!(
        p.take_b()[..],
        [_, _, Event::MajorSync { serial: 2, .. }]
    ));
    // The MIA for an earlier point still goes through; the MAP's own number does not.
    assert!(p.b.minor_sync_response(2, &[]).is_err());
    p.b.minor_sync_response(0, &[]).unwrap();
    p.b.major_sync_response(&[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a()[..],
        [
            Event::MinorSyncConfirm { serial: 0, .. },
            Event::MajorSyncConfirm { serial: 2, .. }
        ]
    ));
    assert_eq!((p.a.va(), p.a.vm(), p.a.vr()), (3, 3, 3));
    assert_eq!((p.b.va(), p.b.vm(), p.b.vr()), (3, 3, 3));
    // A MAA with the wrong number is a protocol error.
    p.a.major_sync(&[]).unwrap();
    p.drive();
    p.a.handle_tsdu(p.now, &[0x02, 0x00, 0x2a, 0x03, 0x2a, 0x01, 0x34])
        .unwrap();
    assert!(matches!(
        provider_abort(p.a.poll_event()),
        Rule::SerialNotOutstanding {
            spdu: Kind::MajorSyncAck,
            received: 4,
            ..
        }
    ));
}

#[test]
fn resynchronize_restart_abandon_and_set() {
    let mut p = Pair::new();
    p.connect(BSS, 0);
    p.a.major_sync(&[]).unwrap(); // 0
    p.drive();
    p.b.major_sync_response(&[]).unwrap();
    p.drive();
    for _ in 0..3 {
        p.a.minor_sync(true, &[]).unwrap(); // 1, 2, 3
    }
    p.drive();
    p.take_a();
    p.take_b();
    assert_eq!((p.a.vr(), p.a.vm()), (1, 4));
    // Restart below V(R) is refused locally.
    assert!(matches!(
        p.a.resynchronize(ResyncType::Restart, 0, TokenSetting(0), &[]),
        Err(Error::Serial { serial: 0, .. })
    ));
    p.a.resynchronize(ResyncType::Restart, 2, TokenSetting(0), b"r")
        .unwrap();
    assert_eq!(p.a.state(), State::Sta05A);
    p.drive();
    assert_eq!(
        p.take_b(),
        [Event::Resynchronize {
            kind: ResyncType::Restart,
            serial: 2,
            tokens: TokenSetting(0),
            user_data: b"r".to_vec()
        }]
    );
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a()[..],
        [Event::ResynchronizeConfirm { serial: 2, .. }]
    ));
    assert_eq!((p.a.vm(), p.b.vm(), p.a.vr()), (2, 2, 1));
    assert_eq!(p.a.minor_sync(true, &[]).unwrap(), 2);
    p.drive();
    assert!(matches!(
        p.take_b()[..],
        [Event::MinorSync { serial: 2, .. }]
    ));

    // Abandon: the next number is V(M); tokens all to the acceptor (01 for each).
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0x55), &[])
        .unwrap();
    p.drive();
    assert!(matches!(
        p.take_b()[..],
        [Event::Resynchronize {
            kind: ResyncType::Abandon,
            serial: 3,
            ..
        }]
    ));
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a()[..],
        [Event::ResynchronizeConfirm { serial: 3, .. }]
    ));
    assert_eq!((p.a.vm(), p.a.vr()), (3, 0));
    assert_eq!(p.b.tokens_owned(), TokenItem(ALL_TOKENS));
    assert_eq!(p.a.tokens_owned(), TokenItem(0));

    // Set, from b, tokens left to the acceptor's choice (10), which gives them back.
    p.b.resynchronize(ResyncType::Set, 100, TokenSetting(0xaa), &[])
        .unwrap();
    p.drive();
    assert!(matches!(
        p.take_a()[..],
        [Event::Resynchronize {
            kind: ResyncType::Set,
            serial: 100,
            ..
        }]
    ));
    p.a.resynchronize_response(TokenSetting(0x55), &[]).unwrap();
    p.drive();
    assert_eq!(
        p.take_b(),
        [Event::ResynchronizeConfirm {
            serial: 100,
            tokens: TokenSetting(0x55),
            user_data: vec![]
        }]
    );
    assert_eq!((p.a.vm(), p.b.vm()), (100, 100));
    assert_eq!(p.a.tokens_owned(), TokenItem(ALL_TOKENS));
}

/// Both sides send RS at once; returns the pair after the crossing, with both events.
fn collide(a: (ResyncType, u64), b: (ResyncType, u64)) -> Pair {
    let mut p = Pair::new();
    p.connect(BSS, 0);
    for _ in 0..5 {
        p.a.minor_sync(true, &[]).unwrap();
    }
    p.drive();
    p.take_b();
    p.a.resynchronize(a.0, a.1, TokenSetting(0), b"a").unwrap();
    p.b.resynchronize(b.0, b.1, TokenSetting(0), b"b").unwrap();
    p.drive();
    p
}

#[test]
fn resync_collisions_follow_table_9() {
    // Two restarts: the lower serial number wins; only the loser gets the indication.
    let mut p = collide((ResyncType::Restart, 3), (ResyncType::Restart, 1));
    assert!(matches!(
        p.take_a()[..],
        [Event::Resynchronize {
            kind: ResyncType::Restart,
            serial: 1,
            ..
        }]
    ));
    assert_eq!(p.take_b(), []);
    assert_eq!((p.a.state(), p.b.state()), (State::Sta11A, State::Sta05A));
    p.a.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_b()[..],
        [Event::ResynchronizeConfirm { serial: 1, .. }]
    ));
    assert_eq!((p.a.vm(), p.b.vm()), (1, 1));

    // Abandon beats restart, whoever sends it.
    let mut p = collide((ResyncType::Restart, 2), (ResyncType::Abandon, 0));
    assert!(matches!(
        p.take_a()[..],
        [Event::Resynchronize {
            kind: ResyncType::Abandon,
            ..
        }]
    ));
    assert_eq!(p.take_b(), []);

    // Set against set: the session initiator's wins.
    let mut p = collide((ResyncType::Set, 7), (ResyncType::Set, 9));
    assert_eq!(p.take_a(), []);
    assert!(matches!(
        p.take_b()[..],
        [Event::Resynchronize {
            kind: ResyncType::Set,
            serial: 7,
            ..
        }]
    ));
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a()[..],
        [Event::ResynchronizeConfirm { serial: 7, .. }]
    ));
    assert_eq!((p.a.vm(), p.b.vm(), p.a.vr()), (7, 7, 0));
}

#[test]
fn activity_interrupt_beats_resynchronize() {
    let mut p = in_activity(RESYN);
    p.a.minor_sync(true, &[]).unwrap();
    p.drive();
    p.take_b();
    p.b.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.a.activity_interrupt(0, &[]).unwrap();
    p.drive();
    assert_eq!(p.take_a(), []);
    assert!(matches!(
        p.take_b()[..],
        [Event::ActivityInterrupt { reason: 0, .. }]
    ));
    p.b.activity_interrupt_response(&[]).unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::ActivityInterruptConfirm(vec![])]);
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
    assert!(!p.a.in_activity());
}

#[test]
fn user_exception_then_recovery_by_giving_the_data_token() {
    let mut p = in_activity(0);
    assert!(
        p.a.exception_report(5, &[]).is_err(),
        "a holds the data token"
    );
    p.b.exception_report(5, b"oops").unwrap();
    assert_eq!(p.b.state(), State::Sta19);
    p.drive();
    assert_eq!(
        p.wire_ba.last().unwrap()[..7],
        [0x02, 0x00, 0x30, 0x09, 0x32, 0x01, 0x05]
    );
    assert_eq!(
        p.take_a(),
        [Event::UserException {
            reason: 5,
            user_data: b"oops".to_vec()
        }]
    );
    assert_eq!(p.a.state(), State::Sta20);
    assert!(p.a.send_data(b"x").is_err());
    p.a.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
    assert_eq!(p.a.state(), State::Sta713);
    p.drive();
    assert_eq!(
        p.take_b(),
        [Event::TokensGiven {
            tokens: TokenItem(TokenItem::DATA),
            user_data: vec![]
        }]
    );
    assert_eq!(p.b.state(), State::Sta713);
    p.b.send_data(b"y").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::Data(b"y".to_vec())]);
}

#[test]
fn exception_then_activity_discard() {
    let mut p = in_activity(0);
    p.b.exception_report(0, &[]).unwrap();
    p.drive();
    p.take_a();
    p.a.activity_discard(0, &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_b()[..],
        [Event::ActivityDiscard { reason: 0, .. }]
    ));
    p.b.activity_discard_response(&[]).unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::ActivityDiscardConfirm(vec![])]);
    assert!(!p.a.in_activity() && !p.b.in_activity());
    assert_eq!(p.a.tokens_owned(), TokenItem(0x15));
    // A provider exception report (ER) from the peer: PT + ER(reflect).
    let mut q = in_activity(0);
    q.a.handle_tsdu(q.now, &[0x02, 0x00, 0x00, 0x03, 0x31, 0x01, 0xff])
        .unwrap();
    assert_eq!(
        q.a.poll_event(),
        Some(Event::ProviderException {
            reflect: &[0xff][..]
        })
    );
    assert_eq!(q.a.state(), State::Sta20);
    // Without the exceptions unit, ED is a protocol error.
    let mut r = Pair::new();
    r.connect(HD | SY | ACT, 0);
    r.a.activity_start(&[1], &[]).unwrap();
    r.drive();
    r.a.handle_tsdu(r.now, &[0x02, 0x00, 0x30, 0x03, 0x32, 0x01, 0x05])
        .unwrap();
    assert_eq!(
        provider_abort(r.a.poll_event()),
        Rule::FunctionalUnit {
            spdu: Kind::ExceptionData
        }
    );
    let _ = (MA, EXCEP);
}
