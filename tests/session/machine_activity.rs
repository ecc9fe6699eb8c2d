//! Activity management and the subsets end to end: the Basic Activity Subset as X.410 RTS
//! uses it (0x0249), interrupt and resume on a second connection, discard, give control,
//! capability data, the Basic Combined and Basic Synchronized subsets.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use osi_session::machine::{
    AbortCause, AcceptRequest, ConnectRequest, Error, Event, ResumeRequest, Rule, State,
};
use osi_session::{ConnectionId, Kind, Requirements, ResyncType, TokenItem, TokenSetting};
use x400_test_kit::session::Pair;

/// What X.410 (1984) RTS requires: half-duplex, minor sync, exceptions, activities.
const X410: u16 = 0x0249;
const BAS: u16 = 0x0749;
const BCS: u16 = 0x0003;
const BSS: u16 = 0x04bb;
const TURN: u8 = TokenItem::DATA | TokenItem::MINOR_SYNC | TokenItem::MAJOR_ACTIVITY;

#[test]
fn basic_activity_subset_as_x410_rts_uses_it() {
    let mut p = Pair::new();
    let req = ConnectRequest {
        called_ssel: Some(&[0x00, 0x02]),
        user_data: b"RTORQ",
        ..ConnectRequest::new(Requirements(X410))
    };
    p.connect_with(&req, &AcceptRequest::new(Requirements(X410)));
    // CN: PGI 5 {options 0, version 3, token setting 0}, PI 20 = 0x0249 (X.225 §8.3.1).
    assert_eq!(
        p.wire_ab[0][..19],
        [
            0x0d, 0x1a, 0x05, 0x09, 0x13, 0x01, 0x00, 0x16, 0x01, 0x03, 0x1a, 0x01, 0x00, 0x14,
            0x02, 0x02, 0x49, 0x34, 0x02
        ]
    );
    // AC: version 2 alone, ISODE style; no ISN with activities.
    assert_eq!(
        p.wire_ba[0][..13],
        [
            0x0e, 0x0f, 0x05, 0x09, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x1a, 0x01, 0x00
        ]
    );
    assert_eq!(p.a.tokens_owned(), TokenItem(TURN));

    p.a.activity_start(&[0x02, 0x01, 0x01], &[]).unwrap();
    p.a.send_data(&[0xaa; 1024]).unwrap();
    assert_eq!(p.a.minor_sync(true, &[]).unwrap(), 1);
    p.a.send_data(&[0xbb; 1024]).unwrap();
    assert_eq!(p.a.minor_sync(true, &[]).unwrap(), 2);
    p.drive();
    let w = &p.wire_ab;
    let n = w.len();
    assert_eq!(
        w[n - 5],
        [0x01, 0x00, 0x2d, 0x05, 0x29, 0x03, 0x02, 0x01, 0x01]
    );
    assert_eq!(w[n - 4][..4], [0x01, 0x00, 0x01, 0x00]);
    assert_eq!(w[n - 3], [0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x31]);
    assert_eq!(w[n - 1], [0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x32]);
    let ev = p.take_b();
    assert_eq!(
        ev[0],
        Event::ActivityStart {
            id: vec![0x02, 0x01, 0x01],
            user_data: vec![]
        }
    );
    assert!(matches!(
        ev[2],
        Event::MinorSync {
            serial: 1,
            confirm: true,
            ..
        }
    ));
    p.b.minor_sync_response(1, &[]).unwrap();
    p.b.minor_sync_response(2, &[]).unwrap();
    p.drive();
    assert_eq!(
        p.wire_ba.last().unwrap(),
        &[0x02, 0x00, 0x32, 0x03, 0x2a, 0x01, 0x32]
    );
    assert_eq!(p.take_a().len(), 2);
    // The receiver asks for the turn: PT(data token) + RTTP priority.
    p.b.please_tokens(TokenItem(TokenItem::DATA), &[0x02, 0x01, 0x01])
        .unwrap();
    p.drive();
    assert_eq!(
        p.wire_ba.last().unwrap(),
        &[0x02, 0x08, 0x10, 0x01, 0x01, 0xc1, 0x03, 0x02, 0x01, 0x01]
    );
    assert!(matches!(p.take_a()[..], [Event::TokensPlease { .. }]));
    // The sender ends the activity (AE takes the next number), then gives the turn.
    assert_eq!(p.a.activity_end(&[]).unwrap(), 3);
    p.drive();
    assert_eq!(
        p.wire_ab.last().unwrap(),
        &[0x01, 0x00, 0x29, 0x03, 0x2a, 0x01, 0x33]
    );
    assert_eq!(p.b.state(), State::Sta10B);
    assert!(matches!(
        p.take_b()[..],
        [Event::ActivityEnd { serial: 3, .. }]
    ));
    p.b.activity_end_response(&[]).unwrap();
    p.drive();
    assert_eq!(
        p.wire_ba.last().unwrap(),
        &[0x02, 0x00, 0x2a, 0x03, 0x2a, 0x01, 0x33]
    );
    assert!(matches!(
        p.take_a()[..],
        [Event::ActivityEndConfirm { serial: 3, .. }]
    ));
    assert!(p.a.give_control(&[]).is_ok());
    assert_eq!(p.a.state(), State::Sta18);
    p.drive();
    assert_eq!(p.wire_ab.last().unwrap(), &[0x15, 0x00]);
    assert_eq!(p.wire_ba.last().unwrap(), &[0x16, 0x00]);
    assert_eq!(p.take_b(), [Event::ControlGiven(vec![])]);
    assert_eq!(p.a.state(), State::Sta713);
    assert_eq!(p.b.tokens_owned(), TokenItem(TURN));
    // The turn holder now sends an activity of its own, then releases.
    p.b.activity_start(&[0x02, 0x01, 0x02], &[]).unwrap();
    p.b.send_data(b"reply").unwrap();
    assert_eq!(p.b.activity_end(&[]).unwrap(), 1);
    p.drive();
    assert_eq!(p.a.state(), State::Sta10B);
    p.a.activity_end_response(&[]).unwrap();
    p.drive();
    assert!(p.a.release(&[]).is_err(), "a holds no tokens");
    p.b.release(&[]).unwrap();
    p.drive();
    p.a.release_response(p.now, true, &[]).unwrap();
    p.drive();
    assert_eq!(p.take_b().last(), Some(&Event::DisconnectTransport));
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn responder_accepts_a_superset_answering_0x0249() {
    let mut p = Pair::new();
    p.connect_with(
        &ConnectRequest::new(Requirements(BAS)),
        &AcceptRequest::new(Requirements(X410)),
    );
    assert_eq!(p.a.requirements(), Requirements(X410));
    assert_eq!(p.b.requirements(), Requirements(X410));
    // Capability data was not selected.
    assert!(matches!(
        p.a.capability_data(b"x"),
        Err(Error::FunctionalUnit { .. })
    ));
}

#[test]
fn interrupted_activity_resumes_on_a_second_connection() {
    // First connection: five checkpoints, three confirmed, then an interrupt.
    let mut p = Pair::new();
    let id = ConnectionId {
        calling_ref: Some(b"mta-a"),
        common_ref: Some(b"20261129"),
        ..ConnectionId::default()
    };
    let req = ConnectRequest {
        connection_id: Some(id),
        ..ConnectRequest::new(Requirements(X410))
    };
    p.a.connect(&req).unwrap();
    p.drive();
    match &p.take_b()[..] {
        [
            Event::ConnectIndication {
                calling_ref,
                common_ref,
                additional_ref,
                ..
            },
        ] => {
            assert_eq!(calling_ref, b"mta-a");
            assert_eq!(common_ref, b"20261129");
            assert!(additional_ref.is_empty());
        }
        e => panic!("{e:?}"),
    }
    p.b.accept(&AcceptRequest::new(Requirements(X410))).unwrap();
    p.drive();
    p.take_a();
    p.a.activity_start(b"act-1", &[]).unwrap();
    for sn in 1..=5 {
        p.a.send_data(&[sn]).unwrap();
        p.a.minor_sync(true, &[]).unwrap();
    }
    p.drive();
    p.b.minor_sync_response(3, &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a()[..],
        [Event::MinorSyncConfirm { serial: 3, .. }]
    ));
    p.a.activity_interrupt(0, &[]).unwrap();
    // Everything but AIA and AB is discarded in STA05B: a late MIA changes nothing.
    p.b.minor_sync_response(5, &[]).unwrap();
    p.drive();
    assert_eq!(p.take_a(), []);
    assert!(matches!(
        p.take_b().last(),
        Some(Event::ActivityInterrupt { reason: 0, .. })
    ));
    assert_eq!(p.b.state(), State::Sta11B);
    p.b.activity_interrupt_response(&[]).unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::ActivityInterruptConfirm(vec![])]);
    assert_eq!(p.a.tokens_owned(), TokenItem(TURN));
    p.a.release(&[]).unwrap();
    p.drive();
    p.b.release_response(p.now, true, &[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));

    // Second connection: resume after the last confirmed point, 3.
    let mut q = Pair::new();
    q.connect(X410, 0);
    let resume = ResumeRequest {
        id: b"act-2",
        old_id: b"act-1",
        serial: 3,
        old_connection: Some(id),
    };
    q.a.activity_resume(&resume, &[]).unwrap();
    assert_eq!((q.a.vm(), q.a.va(), q.a.vr()), (4, 4, 1));
    q.drive();
    // GT + AR {PGI 33 {10 "mta-a", 11 "20261129", 41 "act-1", 42 "3"}, 41 "act-2"}.
    let ar = q.wire_ab.last().unwrap();
    assert_eq!(ar[..3], [0x01, 0x00, 0x1d]);
    assert!(ar.windows(3).any(|w| w == [0x2a, 0x01, 0x33]));
    assert!(ar.ends_with(b"\x29\x05act-2"));
    assert_eq!(
        q.take_b(),
        [Event::ActivityResume {
            id: b"act-2".to_vec(),
            old_id: b"act-1".to_vec(),
            serial: 3,
            user_data: vec![]
        }]
    );
    assert_eq!(q.b.vm(), 4);
    // The next point is 4, on both sides.
    assert_eq!(q.a.minor_sync(true, &[]).unwrap(), 4);
    q.drive();
    assert!(matches!(
        q.take_b()[..],
        [Event::MinorSync { serial: 4, .. }]
    ));
    // Repeating the old numbering would be aborted.
    q.b.handle_tsdu(q.now, &[0x01, 0x00, 0x31, 0x03, 0x2a, 0x01, 0x34])
        .unwrap();
    assert_eq!(
        q.b.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::SerialNotNext {
                spdu: Kind::MinorSyncPoint,
                expected: 5,
                received: 4
            }
        )))
    );
}

#[test]
fn activity_rules_on_receipt() {
    // AS from the side that holds the tokens breaks p44.
    let mut p = Pair::new();
    p.connect(X410, 0);
    p.a.handle_tsdu(p.now, &[0x01, 0x00, 0x2d, 0x03, 0x29, 0x01, 0x01])
        .unwrap();
    assert_eq!(
        p.a.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Tokens {
                spdu: Kind::ActivityStart,
                tokens: TokenItem(TURN)
            }
        )))
    );
    // AE outside an activity.
    let mut q = Pair::new();
    q.connect(X410, 0);
    q.b.handle_tsdu(q.now, &[0x01, 0x00, 0x29, 0x03, 0x2a, 0x01, 0x31])
        .unwrap();
    assert_eq!(
        q.b.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Activity {
                spdu: Kind::ActivityEnd,
                in_progress: false
            }
        )))
    );
    // Local checks: no second AS inside an activity, no release inside one.
    let mut r = Pair::new();
    r.connect(X410, 0);
    r.a.activity_start(&[1], &[]).unwrap();
    assert!(matches!(
        r.a.activity_start(&[2], &[]),
        Err(Error::Activity {
            in_progress: true,
            ..
        })
    ));
    assert!(matches!(r.a.release(&[]), Err(Error::Activity { .. })));
    assert!(matches!(r.a.give_control(&[]), Err(Error::Activity { .. })));
    assert!(
        r.a.activity_interrupt(2, &[]).is_err(),
        "reason 2 is reserved"
    );
}

#[test]
fn activity_discard_gives_every_token_to_the_discarder() {
    let mut p = Pair::new();
    p.connect(X410, 0);
    p.a.activity_start(&[7], &[]).unwrap();
    p.a.minor_sync(true, &[]).unwrap();
    p.drive();
    p.a.activity_discard(5, &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_b().last(),
        Some(Event::ActivityDiscard { reason: 5, .. })
    ));
    assert_eq!(p.b.state(), State::Sta11C);
    p.b.activity_discard_response(&[]).unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::ActivityDiscardConfirm(vec![])]);
    assert!(!p.a.in_activity());
    // A new activity starts at 1 again.
    p.a.activity_start(&[8], &[]).unwrap();
    assert_eq!(p.a.minor_sync(true, &[]).unwrap(), 1);
}

#[test]
fn capability_data_outside_activities() {
    let mut p = Pair::new();
    p.connect(BAS, 0);
    p.a.capability_data(b"cap?").unwrap();
    assert_eq!(p.a.state(), State::Sta21);
    p.drive();
    assert_eq!(p.take_b(), [Event::CapabilityData(b"cap?".to_vec())]);
    assert_eq!(p.b.state(), State::Sta22);
    p.b.capability_data_response(b"cap!").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::CapabilityDataConfirm(b"cap!".to_vec())]);
    p.a.activity_start(&[1], &[]).unwrap();
    assert!(matches!(
        p.a.capability_data(b"x"),
        Err(Error::Activity { .. })
    ));
    // Typed data (in BAS) flows inside the activity from either side.
    p.b.send_typed_data(b"t").unwrap();
    p.drive();
    assert_eq!(p.take_a().last(), Some(&Event::TypedData(b"t".to_vec())));
}

#[test]
fn basic_combined_subset() {
    let mut p = Pair::new();
    p.connect(BCS, 0);
    // Half-duplex preferred over duplex when both are proposed and wanted.
    assert_eq!(p.b.requirements(), Requirements(Requirements::HALF_DUPLEX));
    assert_eq!(p.a.tokens_available(), TokenItem(TokenItem::DATA));
    p.a.send_data(b"q").unwrap();
    p.a.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
    p.drive();
    p.b.send_data(b"r").unwrap();
    p.b.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
    p.drive();
    assert_eq!(
        p.take_a(),
        [
            Event::Data(b"r".to_vec()),
            Event::TokensGiven {
                tokens: TokenItem(TokenItem::DATA),
                user_data: vec![]
            }
        ]
    );
    // No sync units: no minor sync.
    assert!(matches!(
        p.a.minor_sync(true, &[]),
        Err(Error::FunctionalUnit { .. })
    ));
    p.a.release(&[]).unwrap();
    p.drive();
    p.b.release_response(p.now, true, &[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn basic_synchronized_subset() {
    let mut p = Pair::new();
    let req = ConnectRequest {
        initial_serial: Some(10),
        tokens: TokenSetting(0x80), // release token: called user's choice
        ..ConnectRequest::new(Requirements(BSS))
    };
    let acc = AcceptRequest {
        tokens: TokenSetting(0x40), // ... the responder takes it
        ..AcceptRequest::new(Requirements(BSS))
    };
    p.connect_with(&req, &acc);
    assert_eq!(p.a.vm(), 10);
    assert_eq!(p.b.tokens_owned(), TokenItem(TokenItem::RELEASE));
    p.a.send_data(b"1").unwrap();
    assert_eq!(p.a.minor_sync(false, &[]).unwrap(), 10);
    assert_eq!(p.a.major_sync(&[]).unwrap(), 11);
    p.drive();
    p.b.major_sync_response(&[]).unwrap();
    p.drive();
    assert_eq!(p.a.vr(), 12);
    p.b.send_typed_data(b"t").unwrap();
    p.a.minor_sync(true, &[]).unwrap(); // 12
    p.drive();
    p.a.resynchronize(ResyncType::Restart, 12, TokenSetting(0x40), &[])
        .unwrap();
    p.drive();
    p.b.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert_eq!((p.a.vm(), p.b.vm()), (12, 12));
    // Release needs every token: b gives the release token after the restart kept it.
    assert!(p.a.release(&[]).is_err());
    p.b.give_tokens(TokenItem(TokenItem::RELEASE), &[]).unwrap();
    p.drive();
    p.a.release(&[]).unwrap();
    p.drive();
    p.b.release_response(p.now, false, &[]).unwrap();
    p.drive();
    assert!(matches!(
        p.take_a().last(),
        Some(Event::ReleaseConfirm {
            accepted: false,
            ..
        })
    ));
    p.a.release(&[]).unwrap();
    p.drive();
    p.b.release_response(p.now, true, &[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}
