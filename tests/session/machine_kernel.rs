//! Kernel, duplex and half-duplex data, typed data, establishment, refusal, versions and
//! user-data limits, overflow, orderly and negotiated release, collisions, abort and TIM.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::time::Duration;

use osi_session::machine::{
    AbortCause, AcceptRequest, Config, ConnectRequest, Error, Event, Instant, Role, Rule, Session,
    State,
};
use osi_session::{Kind, Reason, Requirements, TokenItem, Version};
use x400_test_kit::session::{BUF, Pair};

const FD: u16 = Requirements::DUPLEX;
const HD: u16 = Requirements::HALF_DUPLEX;

fn config(versions: u8) -> Config {
    let mut c = Config::default();
    c.versions = Version(versions);
    c
}

#[test]
fn duplex_data_both_ways_then_release() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    assert_eq!(p.a.state(), State::Sta713);
    assert_eq!(p.b.requirements(), Requirements(FD));
    assert_eq!(p.a.version(), Some(Version(Version::V2)));
    // Duplex: no data token exists, both send at once.
    p.a.send_data(b"from a").unwrap();
    p.b.send_data(b"from b").unwrap();
    p.drive();
    assert_eq!(p.take_b(), [Event::Data(b"from a".to_vec())]);
    assert_eq!(p.take_a(), [Event::Data(b"from b".to_vec())]);
    // ISODE framing: an empty GT in front of the DT.
    assert_eq!(p.wire_ab.last().unwrap()[..4], [0x01, 0x00, 0x01, 0x00]);

    p.a.release(b"bye").unwrap();
    assert_eq!(p.a.state(), State::Sta03);
    p.drive();
    assert_eq!(p.take_b(), [Event::Release(b"bye".to_vec())]);
    assert_eq!(p.b.state(), State::Sta09);
    p.b.release_response(p.now, true, b"ok").unwrap();
    assert_eq!(p.b.state(), State::Sta16);
    p.drive();
    assert_eq!(
        p.take_a(),
        [
            Event::ReleaseConfirm {
                accepted: true,
                user_data: b"ok".to_vec()
            },
            Event::DisconnectTransport
        ]
    );
    // The responder learns of the closed transport without an abort indication.
    assert_eq!(p.take_b(), []);
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn half_duplex_data_needs_the_data_token() {
    let mut p = Pair::new();
    p.connect(HD, 0x00);
    assert_eq!(p.a.tokens_owned(), TokenItem(TokenItem::DATA));
    assert_eq!(p.b.tokens_owned(), TokenItem(0));
    assert!(matches!(p.b.send_data(b"x"), Err(Error::Tokens { .. })));
    p.b.please_tokens(TokenItem(TokenItem::DATA), b"pls")
        .unwrap();
    p.drive();
    assert_eq!(
        p.take_a(),
        [Event::TokensPlease {
            tokens: TokenItem(TokenItem::DATA),
            user_data: b"pls".to_vec()
        }]
    );
    p.a.send_data(b"last").unwrap();
    p.a.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
    p.drive();
    assert_eq!(
        p.take_b(),
        [
            Event::Data(b"last".to_vec()),
            Event::TokensGiven {
                tokens: TokenItem(TokenItem::DATA),
                user_data: vec![]
            }
        ]
    );
    p.b.send_data(b"now b").unwrap();
    assert!(p.a.send_data(b"x").is_err());
    p.drive();
    assert_eq!(p.take_a(), [Event::Data(b"now b".to_vec())]);
}

#[test]
fn data_from_the_side_without_the_token_is_aborted() {
    let mut p = Pair::new();
    p.connect(HD, 0x01); // data token at the responder
    assert_eq!(p.b.tokens_owned(), TokenItem(TokenItem::DATA));
    // A peer that sends GT + DT without holding the data token (X.225 p05).
    p.b.handle_tsdu(p.now, &[0x01, 0x00, 0x01, 0x00, b'x'])
        .unwrap();
    assert_eq!(
        p.b.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Tokens {
                spdu: Kind::DataTransfer,
                tokens: TokenItem(TokenItem::DATA)
            }
        )))
    );
    let mut out = [0u8; 64];
    let n = p.b.poll_transmit(Instant::ZERO, &mut out).unwrap().unwrap();
    // AB, Transport Disconnect = release + protocol error.
    assert_eq!(out[..n], [0x19, 0x03, 0x11, 0x01, 0x05]);
    assert_eq!(p.b.state(), State::Sta16);
    assert_eq!(p.b.poll_timeout(), Some(p.now + Config::DEFAULT_TIM));
}

#[test]
fn typed_data_ignores_the_data_token() {
    let mut p = Pair::new();
    p.connect(HD | Requirements::TYPED_DATA, 0);
    p.b.send_typed_data(b"typed").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::TypedData(b"typed".to_vec())]);
    // Without the unit, TD is refused locally and aborted on receipt.
    let mut q = Pair::new();
    q.connect(HD, 0);
    assert!(matches!(
        q.a.send_typed_data(b"x"),
        Err(Error::FunctionalUnit { .. })
    ));
    q.b.handle_tsdu(q.now, &[0x21, 0x00, b'x']).unwrap();
    assert_eq!(
        q.b.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::FunctionalUnit {
                spdu: Kind::TypedData
            }
        )))
    );
}

#[test]
fn refuse_with_reason_and_user_data() {
    let mut p = Pair::new();
    p.a.connect(&ConnectRequest::new(Requirements(FD))).unwrap();
    p.drive();
    assert!(matches!(
        p.take_b()[..],
        [Event::ConnectIndication {
            requirements: Requirements(FD),
            ..
        }]
    ));
    p.b.refuse(p.now, Reason::REFUSED_WITH_DATA, b"go away")
        .unwrap();
    p.drive();
    assert_eq!(
        p.take_a(),
        [
            Event::Refused {
                reason: 2,
                user_data: b"go away".to_vec()
            },
            Event::DisconnectTransport
        ]
    );
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn versions_negotiate_to_the_highest_common_or_refuse() {
    let mut p = Pair::with_configs(config(Version::V1), Config::default());
    p.connect(FD, 0);
    assert_eq!(p.a.version(), Some(Version(Version::V1)));
    assert_eq!(p.b.version(), Some(Version(Version::V1)));

    let mut q = Pair::with_configs(config(Version::V1), config(Version::V2));
    q.a.connect(&ConnectRequest::new(Requirements(FD))).unwrap();
    q.drive();
    assert_eq!(
        q.take_a()[0],
        Event::Refused {
            reason: Reason::VERSIONS_NOT_SUPPORTED,
            user_data: vec![]
        }
    );
    assert_eq!(q.take_b(), []);
}

#[test]
fn version_1_user_data_limits() {
    let mut p = Pair::with_configs(config(Version::V1), Config::default());
    let data = vec![0x42; 512];
    let req = ConnectRequest {
        user_data: &data,
        ..ConnectRequest::new(Requirements(HD | Requirements::NEGOTIATED_RELEASE))
    };
    p.a.connect(&req).unwrap();
    p.drive();
    match &p.take_b()[0] {
        Event::ConnectIndication { user_data, .. } => assert_eq!(user_data, &data),
        e => panic!("{e:?}"),
    }
    p.b.accept(&AcceptRequest::new(Requirements(
        HD | Requirements::NEGOTIATED_RELEASE,
    )))
    .unwrap();
    p.drive();
    // 512 octets in FN is the version 1 limit; 513 is refused before anything is sent.
    assert!(matches!(
        p.a.release(&[0; 513]),
        Err(Error::Encode(osi_session::Error::UserDataTooLong {
            max: 512,
            ..
        }))
    ));
    // No user data in GT under version 1.
    assert!(matches!(
        p.a.give_tokens(TokenItem(TokenItem::DATA), b"x"),
        Err(Error::Encode(osi_session::Error::NotInVersion1 { .. }))
    ));
    // AB carries at most 9 octets under version 1.
    assert!(p.a.abort(p.now, &[0; 10]).is_err());
    p.a.release(&[0x17; 512]).unwrap();
    p.drive();
    assert_eq!(p.take_b(), [Event::Release(vec![0x17; 512])]);
    // 513 octets from a version 1 peer's FN is a protocol error at the receiver.
    let mut fn_513 = vec![0x09, 0xff, 0x02, 0x05, 0xc1, 0xff, 0x02, 0x01];
    fn_513.extend([0u8; 513]);
    let mut q = Pair::with_configs(config(Version::V1), Config::default());
    q.connect(HD, 0);
    q.b.handle_tsdu(q.now, &fn_513).unwrap();
    assert!(matches!(
        q.b.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Invalid(osi_session::Error::UserDataTooLong { .. })
        )))
    ));
}

#[test]
fn version_2_lifts_the_512_octet_limits() {
    let mut p = Pair::new();
    p.connect(HD, 0);
    assert_eq!(p.a.version(), Some(Version(Version::V2)));
    // User data in GT, and above 512 octets in FN, are version 2 only.
    p.a.give_tokens(TokenItem(TokenItem::DATA), b"turn")
        .unwrap();
    p.drive();
    assert_eq!(
        p.take_b(),
        [Event::TokensGiven {
            tokens: TokenItem(TokenItem::DATA),
            user_data: b"turn".to_vec()
        }]
    );
    p.b.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
    p.drive();
    p.a.release(&[0x33; 513]).unwrap();
    p.drive();
    assert_eq!(p.take_b(), [Event::Release(vec![0x33; 513])]);
    // AB user data above 9 octets.
    let mut q = Pair::new();
    q.connect(FD, 0);
    q.a.abort(q.now, &[0x44; 10]).unwrap();
    q.drive();
    assert_eq!(q.take_b(), [Event::UserAbort(vec![0x44; 10])]);
}

#[test]
fn version_2_extended_user_data_and_overflow() {
    // 10 240 octets: Extended User Data in the CN, version 2 only.
    let mut p = Pair::new();
    let data: Vec<u8> = (0..10240u32)
        .map(|i| u8::try_from(i % 256).unwrap())
        .collect();
    let req = ConnectRequest {
        user_data: &data,
        ..ConnectRequest::new(Requirements(FD))
    };
    p.a.connect(&req).unwrap();
    assert_eq!(p.a.state(), State::Sta02A);
    p.drive();
    match &p.take_b()[0] {
        Event::ConnectIndication {
            user_data,
            versions,
            ..
        } => {
            assert_eq!(user_data, &data);
            assert_eq!(*versions, Version(Version::V2));
        }
        e => panic!("{e:?}"),
    }
    // 150 000 octets: 10 240 in the CN, then three CDOs once the OA arrives.
    let mut q = Pair::new();
    let big: Vec<u8> = (0..150_000u32)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    let mut a = Session::new(
        Role::Initiator,
        Config::default(),
        vec![0; BUF],
        vec![0; 2 * BUF],
    );
    let mut b = Session::new(
        Role::Responder,
        Config::default(),
        vec![0; 2 * BUF],
        vec![0; BUF],
    );
    a.connect(&ConnectRequest {
        user_data: &big,
        ..ConnectRequest::new(Requirements(FD))
    })
    .unwrap();
    assert_eq!(a.state(), State::Sta02B);
    let mut buf = vec![0; BUF];
    let n = a.poll_transmit(Instant::ZERO, &mut buf).unwrap().unwrap();
    assert_eq!(buf[0], 0x0d);
    // The CDOs are held back until OA.
    assert_eq!(a.poll_transmit(Instant::ZERO, &mut buf).unwrap(), None);
    b.handle_tsdu(q.now, &buf[..n]).unwrap();
    assert_eq!(b.state(), State::Sta01D);
    let n = b.poll_transmit(Instant::ZERO, &mut buf).unwrap().unwrap();
    assert_eq!(buf[0], 0x10, "OA");
    a.handle_tsdu(q.now, &buf[..n]).unwrap();
    assert_eq!(a.state(), State::Sta02A);
    let mut cdos = 0;
    while let Some(n) = a.poll_transmit(Instant::ZERO, &mut buf).unwrap() {
        assert_eq!(buf[0], 0x0f, "CDO");
        b.handle_tsdu(q.now, &buf[..n]).unwrap();
        cdos += 1;
    }
    assert_eq!(cdos, 3);
    assert_eq!(b.state(), State::Sta08);
    match b.poll_event().unwrap() {
        Event::ConnectIndication { user_data, .. } => assert!(user_data == &big[..]),
        e => panic!("{e:?}"),
    }
    q.drive();
}

#[test]
fn release_collision_in_duplex() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    p.a.release(b"a").unwrap();
    p.b.release(b"b").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::Release(b"b".to_vec())]);
    assert_eq!(p.take_b(), [Event::Release(b"a".to_vec())]);
    // The transport acceptor waits for the initiator's DN before answering.
    assert!(matches!(
        p.b.release_response(p.now, true, &[]),
        Err(Error::State { .. })
    ));
    p.a.release_response(p.now, true, &[]).unwrap();
    assert_eq!(p.a.state(), State::Sta03);
    p.drive();
    assert_eq!(
        p.take_b(),
        [Event::ReleaseConfirm {
            accepted: true,
            user_data: vec![]
        }]
    );
    p.b.release_response(p.now, true, &[]).unwrap();
    p.drive();
    assert_eq!(
        p.take_a(),
        [
            Event::ReleaseConfirm {
                accepted: true,
                user_data: vec![]
            },
            Event::DisconnectTransport
        ]
    );
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn negotiated_release_refused_with_nf() {
    let mut p = Pair::new();
    p.connect(HD | Requirements::NEGOTIATED_RELEASE, 0);
    assert!(p.b.release(&[]).is_err(), "b holds no release token");
    p.a.release(&[]).unwrap();
    p.drive();
    assert_eq!(p.take_b(), [Event::Release(vec![])]);
    p.b.release_response(p.now, false, b"not yet").unwrap();
    p.drive();
    assert_eq!(
        p.take_a(),
        [Event::ReleaseConfirm {
            accepted: false,
            user_data: b"not yet".to_vec()
        }]
    );
    assert_eq!((p.a.state(), p.b.state()), (State::Sta713, State::Sta713));
    // NF needs the negotiated release unit.
    let mut q = Pair::new();
    q.connect(HD, 0);
    q.a.release(&[]).unwrap();
    q.drive();
    assert!(matches!(
        q.b.release_response(q.now, false, &[]),
        Err(Error::FunctionalUnit { .. })
    ));
}

#[test]
fn user_abort_is_answered_with_abort_accept() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    p.a.abort(p.now, b"bye").unwrap();
    assert_eq!(p.a.state(), State::Sta16);
    p.drive();
    assert_eq!(p.take_b(), [Event::UserAbort(b"bye".to_vec())]);
    // b answered AA; a, waiting in STA16, closes the transport.
    assert_eq!(p.wire_ba.last().unwrap(), &[0x1a, 0x00]);
    assert_eq!(p.take_a(), [Event::DisconnectTransport]);
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn tim_closes_the_transport_when_no_aa_comes() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    p.a.abort(p.now, &[]).unwrap();
    let deadline = p.a.poll_timeout().unwrap();
    assert_eq!(deadline, p.now + Config::DEFAULT_TIM);
    p.a.handle_timeout(deadline - Duration::from_millis(1));
    assert_eq!(p.a.poll_event(), None);
    p.a.handle_timeout(deadline);
    assert_eq!(p.a.poll_event(), Some(Event::DisconnectTransport));
    assert_eq!(p.a.state(), State::Sta01);
    assert_eq!(p.a.poll_timeout(), None);
}

#[test]
fn transport_loss_is_a_provider_abort() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    p.b.handle_disconnect(Instant::ZERO);
    assert_eq!(
        p.b.poll_event(),
        Some(Event::ProviderAbort(AbortCause::TransportLost))
    );
    assert_eq!(p.b.state(), State::Sta01);
}

#[test]
fn unexpected_and_invalid_tsdus_are_aborted_with_the_rule() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    // A second CN in the data phase: a blank cell of Table A.8.
    p.a.handle_tsdu(p.now, &[0x0d, 0x00]).unwrap();
    assert_eq!(
        p.a.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Unexpected {
                spdu: Kind::Connect,
                state: State::Sta713
            }
        )))
    );
    // A MIP alone in its TSDU breaks the concatenation rules.
    p.b.handle_tsdu(p.now, &[0x31, 0x03, 0x2a, 0x01, 0x31])
        .unwrap();
    assert!(matches!(
        p.b.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Invalid(osi_session::Error::Misplaced(_))
        )))
    ));
    let text = Rule::Unexpected {
        spdu: Kind::Connect,
        state: State::Sta713,
    }
    .to_string();
    assert_eq!(
        text,
        "CONNECT (CN) is not valid in state STA713 (a blank cell of X.225 Annex A)"
    );
}

#[test]
fn requests_out_of_state_change_nothing() {
    let mut s = Session::new(Role::Responder, Config::default(), vec![0; 64], vec![0; 64]);
    assert!(matches!(
        s.connect(&ConnectRequest::new(Requirements(FD))),
        Err(Error::State { .. })
    ));
    assert!(matches!(s.send_data(b"x"), Err(Error::State { .. })));
    assert!(s.abort(Instant::ZERO, &[]).is_err());
    assert_eq!(s.state(), State::Sta01C);
    assert_eq!(s.next_transmit_len(), None);
}

#[test]
fn full_buffers_push_back_instead_of_growing() {
    let mut p = Pair::new();
    p.connect(FD, 0);
    let mut small = Session::new(
        Role::Responder,
        Config::default(),
        vec![0; 16],
        vec![0; 256],
    );
    // CN carrying 100 octets does not fit a 16-octet receive buffer: abort, with the
    // implementation-restriction bit.
    let mut cn = vec![0x0d, 0x66, 0x14, 0x02, 0x00, 0x02, 0xc1, 0x62];
    cn.extend([0u8; 98]);
    cn[1] = u8::try_from(cn.len() - 2).unwrap();
    cn[7] = 98;
    small.handle_tsdu(Instant::ZERO, &cn).unwrap();
    assert!(matches!(
        small.poll_event(),
        Some(Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::ReceiveCapacity { needed: 98, .. }
        )))
    ));
    let mut out = [0u8; 16];
    let n = small
        .poll_transmit(Instant::ZERO, &mut out)
        .unwrap()
        .unwrap();
    assert_eq!(out[..n], [0x19, 0x03, 0x11, 0x01, 0x11]);
    // A transmit buffer too small for the TSDU refuses the request.
    let mut tiny = Session::new(Role::Initiator, Config::default(), vec![0; 64], vec![0; 8]);
    assert!(matches!(
        tiny.connect(&ConnectRequest::new(Requirements(FD))),
        Err(Error::TransmitFull { .. })
    ));
    // Undrained events that leave no room make handle_tsdu push back.
    p.b.send_data(&[1; 100_000]).unwrap();
    let mut buf = vec![0; BUF];
    let n = p.b.poll_transmit(Instant::ZERO, &mut buf).unwrap().unwrap();
    p.a.handle_tsdu(p.now, &buf[..n]).unwrap();
    assert_eq!(p.a.handle_tsdu(p.now, &buf[..n]), Err(Error::EventsPending));
    assert!(matches!(p.a.poll_event(), Some(Event::Data(d)) if d.len() == 100_000));
    p.a.handle_tsdu(p.now, &buf[..n]).unwrap();
}
