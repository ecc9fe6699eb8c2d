//! Less travelled cells of the X.225 Annex A tables: transport reuse, interrupts while a
//! major sync point is outstanding, resynchronize against an outstanding MAP, the tokens
//! an AC asks for, and the SPDUs STA19 still counts.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use osi_session::machine::{AbortCause, Config, Event, Instant, Role, Rule, Session, State};
use osi_session::{Kind, Requirements, ResyncType, TokenItem, TokenSetting};
use x400_test_kit::session::Pair;

const T0: Instant = Instant::ZERO;

#[test]
fn ab_without_release_keeps_the_transport_for_a_new_cn() {
    let mut p = Pair::new();
    p.connect(Requirements::DUPLEX, 0);
    // AB, Transport Disconnect = user abort, transport kept (bit 1 clear).
    p.b.handle_tsdu(T0, &[0x19, 0x03, 0x11, 0x01, 0x02])
        .unwrap();
    assert_eq!(p.b.poll_event(), Some(Event::UserAbort(&[][..])));
    let mut out = [0u8; 8];
    assert_eq!(p.b.poll_transmit(Instant::ZERO, &mut out).unwrap(), Some(2));
    assert_eq!(out[..2], [0x1a, 0x00]);
    assert_eq!(p.b.state(), State::Sta01C);
    // A new CN on the same transport is taken.
    p.b.handle_tsdu(T0, &[0x0d, 0x04, 0x14, 0x02, 0x00, 0x02])
        .unwrap();
    assert!(matches!(
        p.b.poll_event(),
        Some(Event::ConnectIndication { .. })
    ));
}

#[test]
fn fn_keeping_the_transport_returns_to_sta01c() {
    let mut p = Pair::new();
    p.connect(Requirements::DUPLEX, 0);
    // FN with Transport Disconnect bit 1 clear: keep the transport connection.
    p.b.handle_tsdu(T0, &[0x09, 0x03, 0x11, 0x01, 0x00])
        .unwrap();
    assert_eq!(p.b.poll_event(), Some(Event::Release(&[][..])));
    p.b.release_response(T0, true, &[]).unwrap();
    assert_eq!(p.b.state(), State::Sta01C);
    assert_eq!(p.b.poll_timeout(), None);
}

#[test]
fn cn_reaching_the_transport_initiator_closes_the_transport() {
    let mut s = Session::new(
        Role::Initiator,
        Config::default(),
        vec![0; 256],
        vec![0; 256],
    );
    s.connect(&osi_session::machine::ConnectRequest::new(Requirements(
        Requirements::DUPLEX,
    )))
    .unwrap();
    // STA02A: a CN instead of AC is a blank cell.
    s.handle_tsdu(T0, &[0x0d, 0x00]).unwrap();
    assert_eq!(
        s.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Unexpected {
                spdu: Kind::Connect,
                state: State::Sta02A
            }
        )))
    );
}

#[test]
fn gt_of_a_token_the_sender_does_not_hold_is_aborted() {
    let mut p = Pair::new();
    p.connect(Requirements::HALF_DUPLEX, 0);
    // a holds the data token; a GT giving it to a breaks p59.
    p.a.handle_tsdu(T0, &[0x01, 0x03, 0x10, 0x01, 0x01])
        .unwrap();
    assert_eq!(
        p.a.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Tokens {
                spdu: Kind::GiveTokens,
                tokens: TokenItem(TokenItem::DATA)
            }
        )))
    );
}

#[test]
fn ac_with_a_token_item_asks_for_tokens() {
    let mut s = Session::new(
        Role::Initiator,
        Config::default(),
        vec![0; 256],
        vec![0; 256],
    );
    s.connect(&osi_session::machine::ConnectRequest::new(Requirements(
        Requirements::HALF_DUPLEX,
    )))
    .unwrap();
    // AC: PGI 5 {19 = 0, 22 = 2}, PI 16 = data token, PI 20 = half-duplex.
    let ac = [
        0x0e, 0x0f, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x10, 0x01, 0x01, 0x14, 0x02,
        0x00, 0x01,
    ];
    s.handle_tsdu(T0, &ac).unwrap();
    assert!(matches!(s.poll_event(), Some(Event::ConnectConfirm { .. })));
    assert_eq!(
        s.poll_event(),
        Some(Event::TokensPlease {
            tokens: TokenItem(TokenItem::DATA),
            user_data: &[][..]
        })
    );
    assert_eq!(s.tokens_owned(), TokenItem(TokenItem::DATA));
}

#[test]
fn interrupt_instead_of_waiting_for_the_maa() {
    let units = 0x0249 | Requirements::MAJOR_SYNC;
    let mut p = Pair::new();
    p.connect(units, 0);
    p.a.activity_start(&[1], &[]).unwrap();
    p.a.major_sync(&[]).unwrap();
    p.drive();
    assert_eq!((p.a.state(), p.b.state()), (State::Sta04A, State::Sta10A));
    p.a.activity_interrupt(0, &[]).unwrap();
    p.drive();
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
fn resynchronize_against_an_outstanding_major_sync() {
    let mut p = Pair::new();
    p.connect(0x04bb, 0);
    p.a.minor_sync(true, &[]).unwrap(); // 0
    p.a.major_sync(&[]).unwrap(); // 1
    p.drive();
    // The MAP's receiver resynchronizes instead of answering; the MAP's sender takes the
    // RS in STA04A.
    p.b.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    p.drive();
    assert_eq!(p.a.state(), State::Sta11A);
    assert!(matches!(
        p.take_a().last(),
        Some(Event::Resynchronize {
            kind: ResyncType::Abandon,
            serial: 2,
            ..
        })
    ));
    p.a.resynchronize_response(TokenSetting(0), &[]).unwrap();
    p.drive();
    assert_eq!((p.a.vm(), p.b.vm()), (2, 2));
    // Token Setting 00 put every token with the requestor, b.
    assert_eq!(p.b.tokens_owned().0, p.b.tokens_available().0);
}

#[test]
fn sta19_counts_sync_points_it_discards() {
    let mut p = Pair::new();
    p.connect(0x0249, 0);
    p.a.activity_start(&[1], &[]).unwrap();
    p.drive();
    p.b.exception_report(1, &[]).unwrap();
    // Before the ED arrives, a sends a point and data; b, in STA19, discards them but
    // counts the point.
    p.a.minor_sync(true, &[]).unwrap();
    p.a.send_data(b"lost").unwrap();
    p.drive();
    assert_eq!(p.b.vm(), 2);
    assert!(!p.take_b().iter().any(|e| matches!(e, Event::Data(_))));
    assert_eq!(p.a.state(), State::Sta20);
    // A restart from the data token holder is not possible without RESYN; give the token.
    p.a.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
    p.drive();
    assert_eq!(p.b.state(), State::Sta713);
    // Both agree on the next number.
    assert_eq!(p.a.vm(), p.b.vm());
}
