//! The Expedited Data functional unit: negotiation with and without transport expedited
//! data, EX both ways on the expedited flow, its limits, EX overtaking normal data, EX held
//! in STA02A until the AC, and the protocol errors (EX without the unit, on the wrong flow,
//! too long, PR on the normal flow).

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use osi_session::machine::{
    AbortCause, AcceptRequest, BufferTooSmall, Config, ConnectRequest, Error, Event, Instant,
    MAX_EXPEDITED_QUEUED, MAX_EXPEDITED_TSDU, Rule, State,
};
use osi_session::{
    Kind, MAX_EXPEDITED_DATA, Requirements, ResyncType, TokenItem, TokenSetting,
    TransportDisconnect,
};
use x400_test_kit::session::Pair;

const FD: u16 = Requirements::DUPLEX;
const HD: u16 = Requirements::HALF_DUPLEX;
const EX: u16 = Requirements::EXPEDITED;
const MA: u16 = Requirements::MAJOR_SYNC;
const RESYN: u16 = Requirements::RESYNC;
const SY: u16 = Requirements::MINOR_SYNC;

fn texp(on: bool) -> Config {
    let mut c = Config::default();
    c.transport_expedited = on;
    c
}

/// Both transports have expedited data and both users want the unit.
fn connected(fu: u16) -> Pair {
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.connect(fu, 0);
    p
}

/// The events a machine has queued, without moving anything on the transport.
fn own(m: &mut x400_test_kit::session::Machine) -> Vec<x400_test_kit::session::Owned> {
    core::iter::from_fn(|| m.poll_event().map(|e| e.map(<[u8]>::to_vec))).collect()
}

/// The AB the aborting side sent: release + protocol error, or implementation restriction.
fn peer_abort_bits(events: &[x400_test_kit::session::Owned]) -> u8 {
    match events {
        [
            Event::ProviderAbort(AbortCause::Peer(TransportDisconnect(bits))),
            ..,
        ] => *bits,
        other => panic!("expected a peer abort, got {other:?}"),
    }
}

#[test]
fn negotiated_when_both_transports_have_expedited_data() {
    let p = connected(FD | EX);
    assert_eq!(p.a.requirements(), Requirements(FD | EX));
    assert_eq!(p.b.requirements(), Requirements(FD | EX));
}

#[test]
fn not_proposed_without_transport_expedited_data() {
    // Default config: TEXP false, so the CN leaves the unit out even when asked.
    assert!(!Config::default().transport_expedited);
    let mut p = Pair::new();
    p.a.connect(&ConnectRequest::new(Requirements(FD | EX)))
        .unwrap();
    p.drive();
    match p.take_b().as_slice() {
        [Event::ConnectIndication { requirements, .. }] => {
            assert_eq!(*requirements, Requirements(FD));
        }
        other => panic!("{other:?}"),
    }
    p.b.accept(&AcceptRequest::new(Requirements(FD | EX)))
        .unwrap();
    p.drive();
    assert_eq!(p.a.requirements(), Requirements(FD));
    assert!(matches!(
        p.a.send_expedited(b"x"),
        Err(Error::FunctionalUnit { .. })
    ));
    assert!(p.wire_ex.is_empty());
}

#[test]
fn not_accepted_by_a_responder_without_transport_expedited_data() {
    let mut p = Pair::with_configs(texp(true), texp(false));
    p.connect(FD | EX, 0);
    assert_eq!(p.a.requirements(), Requirements(FD));
    assert_eq!(p.b.requirements(), Requirements(FD));
    assert!(matches!(
        p.b.send_expedited(b"x"),
        Err(Error::FunctionalUnit { .. })
    ));
}

#[test]
fn not_selected_when_the_responder_does_not_want_it() {
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.connect_with(
        &ConnectRequest::new(Requirements(FD | EX)),
        &AcceptRequest::new(Requirements(FD)),
    );
    assert_eq!(p.a.requirements(), Requirements(FD));
}

#[test]
fn expedited_data_both_ways_on_the_expedited_flow() {
    let mut p = connected(FD | EX);
    p.a.send_expedited(b"urgent a").unwrap();
    p.b.send_expedited(b"urgent b").unwrap();
    p.drive();
    assert_eq!(p.take_b(), [Event::ExpeditedData(b"urgent a".to_vec())]);
    assert_eq!(p.take_a(), [Event::ExpeditedData(b"urgent b".to_vec())]);
    // EX: SI 5, LI 0, then the user information field; nothing on the normal flow.
    let mut a_ex = vec![0x05, 0x00];
    a_ex.extend_from_slice(b"urgent a");
    assert_eq!(p.wire_ex[0], (true, a_ex));
    assert_eq!(p.wire_ex.len(), 2);
    // Only the CN and AC went on the normal flow.
    assert_eq!((p.wire_ab.len(), p.wire_ba.len()), (1, 1));
}

#[test]
fn expedited_data_is_not_token_controlled() {
    // Half-duplex, the initiator holds the data token: the responder still sends EX.
    let mut p = connected(HD | EX);
    assert_eq!(p.b.tokens_owned(), TokenItem(0));
    p.b.send_expedited(b"interrupt").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::ExpeditedData(b"interrupt".to_vec())]);
}

#[test]
fn expedited_data_overtakes_normal_data() {
    let mut p = connected(FD | EX);
    p.a.send_data(b"bulk").unwrap();
    p.a.send_expedited(b"fast").unwrap();
    // The shell sends the expedited flow first, so the EX sent second arrives first.
    p.drive();
    assert_eq!(
        p.take_b(),
        [
            Event::ExpeditedData(b"fast".to_vec()),
            Event::Data(b"bulk".to_vec())
        ]
    );
}

#[test]
fn send_limits() {
    let mut p = connected(FD | EX);
    assert!(matches!(
        p.a.send_expedited(&[]),
        Err(Error::Parameter { .. })
    ));
    assert!(matches!(
        p.a.send_expedited(&[7; MAX_EXPEDITED_DATA + 1]),
        Err(Error::Encode(osi_session::Error::ExpeditedTooLong(15)))
    ));
    // The longest EX fits MAX_EXPEDITED_TSDU exactly.
    p.a.send_expedited(&[7; MAX_EXPEDITED_DATA]).unwrap();
    assert_eq!(p.a.next_transmit_expedited_len(), Some(MAX_EXPEDITED_TSDU));
    let mut small = [0u8; MAX_EXPEDITED_TSDU - 1];
    assert!(matches!(
        p.a.poll_transmit_expedited(Instant::ZERO, &mut small),
        Err(BufferTooSmall { needed: 16 })
    ));
    // The queue holds MAX_EXPEDITED_QUEUED; the next request is refused, nothing lost.
    for i in 1..MAX_EXPEDITED_QUEUED {
        p.a.send_expedited(&[u8::try_from(i).unwrap()]).unwrap();
    }
    assert!(matches!(
        p.a.send_expedited(b"one more"),
        Err(Error::TransmitFull { .. })
    ));
    p.drive();
    let got = p.take_b();
    assert_eq!(got.len(), MAX_EXPEDITED_QUEUED);
    assert_eq!(got[0], Event::ExpeditedData(vec![7; MAX_EXPEDITED_DATA]));
    assert_eq!(got[3], Event::ExpeditedData(vec![3]));
    // Room again once polled.
    p.a.send_expedited(b"one more").unwrap();
}

#[test]
fn not_sent_after_our_release_request() {
    let mut p = connected(FD | EX);
    p.a.release(&[]).unwrap();
    assert_eq!(p.a.state(), State::Sta03);
    assert!(matches!(
        p.a.send_expedited(b"x"),
        Err(Error::State {
            state: State::Sta03,
            ..
        })
    ));
    // The side that got the FN may still send EX while it decides (STA09).
    p.drive();
    assert_eq!(p.b.state(), State::Sta09);
    p.b.send_expedited(b"wait").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::ExpeditedData(b"wait".to_vec())]);
}

#[test]
fn received_ex_too_long_is_aborted() {
    let mut p = connected(FD | EX);
    let mut tsdu = vec![0x05, 0x00];
    tsdu.extend_from_slice(&[1; MAX_EXPEDITED_DATA + 1]);
    p.b.handle_expedited_tsdu(p.now, &tsdu).unwrap();
    assert_eq!(p.b.state(), State::Sta16);
    match own(&mut p.b).as_slice() {
        [Event::ProviderAbort(AbortCause::ProtocolError(Rule::Invalid(_)))] => {}
        other => panic!("{other:?}"),
    }
    p.drive();
    let bits = peer_abort_bits(&p.take_a());
    assert_ne!(bits & TransportDisconnect::PROTOCOL_ERROR, 0);
}

#[test]
fn received_ex_of_fourteen_octets_is_taken() {
    let mut p = connected(FD | EX);
    let mut tsdu = vec![0x05, 0x00];
    tsdu.extend_from_slice(&[1; MAX_EXPEDITED_DATA]);
    p.b.handle_expedited_tsdu(p.now, &tsdu).unwrap();
    p.drive();
    assert_eq!(
        p.take_b(),
        [Event::ExpeditedData(vec![1; MAX_EXPEDITED_DATA])]
    );
}

#[test]
fn ex_without_the_unit_is_aborted() {
    // TEXP on both sides, but the unit was not proposed: EX is a protocol error.
    let mut p = connected(FD);
    p.b.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'x'])
        .unwrap();
    assert_eq!(p.b.state(), State::Sta16);
    assert_eq!(
        own(&mut p.b),
        [Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::FunctionalUnit {
                spdu: Kind::Expedited
            }
        ))]
    );
    p.drive();
    let bits = peer_abort_bits(&p.take_a());
    assert_ne!(bits & TransportDisconnect::PROTOCOL_ERROR, 0);
    assert_eq!((p.a.state(), p.b.state()), (State::Sta01, State::Sta01));
}

#[test]
fn ex_on_the_normal_flow_is_aborted() {
    let mut p = connected(FD | EX);
    p.b.handle_tsdu(p.now, &[0x05, 0x00, b'x']).unwrap();
    assert_eq!(
        own(&mut p.b),
        [Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::WrongFlow {
                spdu: Kind::Expedited,
                expedited: false
            }
        ))]
    );
}

#[test]
fn normal_flow_spdus_on_the_expedited_flow_are_aborted() {
    let mut p = connected(FD | EX);
    // GT + DT "x": valid on the normal flow, not here.
    p.b.handle_expedited_tsdu(p.now, &[0x01, 0x00, 0x01, 0x00, b'x'])
        .unwrap();
    match own(&mut p.b).as_slice() {
        [
            Event::ProviderAbort(AbortCause::ProtocolError(Rule::WrongFlow {
                expedited: true,
                ..
            })),
        ] => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn prepare_on_the_normal_flow_is_aborted() {
    let mut p = connected(FD | EX);
    // PR (prepare for RS): 07 03 18 01 02, valid only on the expedited flow.
    p.b.handle_tsdu(p.now, &[0x07, 0x03, 0x18, 0x01, 0x02])
        .unwrap();
    assert_eq!(
        own(&mut p.b),
        [Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::WrongFlow {
                spdu: Kind::Prepare,
                expedited: false
            }
        ))]
    );
}

#[test]
fn ex_overtaking_the_ac_is_held_until_it() {
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.a.connect(&ConnectRequest::new(Requirements(FD | EX)))
        .unwrap();
    p.drive();
    assert!(matches!(
        p.take_b().as_slice(),
        [Event::ConnectIndication { .. }]
    ));
    p.b.accept(&AcceptRequest::new(Requirements(FD | EX)))
        .unwrap();
    p.b.send_expedited(b"early").unwrap();
    // The EX reaches the initiator in STA02A, before the AC: held, no event yet.
    let mut buf = [0u8; MAX_EXPEDITED_TSDU];
    let n =
        p.b.poll_transmit_expedited(Instant::ZERO, &mut buf)
            .unwrap()
            .unwrap();
    p.a.handle_expedited_tsdu(p.now, &buf[..n]).unwrap();
    assert_eq!(p.a.state(), State::Sta02A);
    assert_eq!(p.a.poll_event(), None);
    p.drive();
    match p.take_a().as_slice() {
        [Event::ConnectConfirm { .. }, Event::ExpeditedData(d)] => assert_eq!(d, b"early"),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.a.state(), State::Sta713);
}

#[test]
fn ex_before_an_ac_that_does_not_select_the_unit_is_aborted() {
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.connect_with_ex_before_ac(Requirements(FD));
    match p.take_a().as_slice() {
        [
            Event::ConnectConfirm { .. },
            Event::ProviderAbort(AbortCause::ProtocolError(Rule::FunctionalUnit {
                spdu: Kind::Expedited,
            })),
            ..,
        ] => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_many_ex_before_the_ac_is_an_implementation_restriction() {
    let mut p = Pair::with_configs(texp(true), texp(true));
    p.a.connect(&ConnectRequest::new(Requirements(FD | EX)))
        .unwrap();
    p.drive();
    for _ in 0..MAX_EXPEDITED_QUEUED {
        p.a.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'e'])
            .unwrap();
    }
    assert_eq!(p.a.state(), State::Sta02A);
    p.a.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'e'])
        .unwrap();
    assert_eq!(p.a.state(), State::Sta16);
    assert_eq!(
        own(&mut p.a),
        [Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::ExpeditedBacklog
        ))]
    );
}

#[test]
fn abort_drops_unsent_expedited_data() {
    let mut p = connected(FD | EX);
    p.a.send_expedited(b"lost").unwrap();
    p.a.abort(p.now, &[]).unwrap();
    // Only the PR-AB announcing the AB is left on the expedited flow.
    assert_eq!(p.a.next_transmit_expedited_len(), Some(5));
    p.drive();
    assert_eq!(p.wire_ex, [(true, vec![0x07, 0x03, 0x18, 0x01, 0x04])]);
    assert!(matches!(p.take_b().as_slice(), [Event::UserAbort(_), ..]));
}

trait ExBeforeAc {
    fn connect_with_ex_before_ac(&mut self, wanted: Requirements);
}

impl ExBeforeAc for Pair {
    /// The initiator proposes EX; an EX reaches it in STA02A (injected: the responder's
    /// machine would not send one without the unit), then the AC selecting `wanted`.
    fn connect_with_ex_before_ac(&mut self, wanted: Requirements) {
        self.a
            .connect(&ConnectRequest::new(Requirements(FD | EX)))
            .unwrap();
        self.drive();
        self.take_b();
        self.a
            .handle_expedited_tsdu(self.now, &[0x05, 0x00, b'e'])
            .unwrap();
        self.b.accept(&AcceptRequest::new(wanted)).unwrap();
        self.drive();
    }
}

#[test]
fn during_a_major_sync_only_the_responder_sends_and_the_requester_takes() {
    // Annex A: SEXreq in STA10A but not STA04A; EX received in STA04A gives SEXind.
    let mut p = connected(HD | MA | EX);
    p.a.major_sync(&[]).unwrap();
    assert_eq!(p.a.state(), State::Sta04A);
    assert!(matches!(
        p.a.send_expedited(b"x"),
        Err(Error::State {
            state: State::Sta04A,
            ..
        })
    ));
    p.drive();
    p.take_b();
    assert_eq!(p.b.state(), State::Sta10A);
    p.b.send_expedited(b"hold on").unwrap();
    p.drive();
    assert_eq!(p.take_a(), [Event::ExpeditedData(b"hold on".to_vec())]);
    assert_eq!(p.a.state(), State::Sta04A);
    p.b.major_sync_response(&[]).unwrap();
    p.drive();
    assert_eq!(p.a.state(), State::Sta713);
}

#[test]
fn discarded_while_our_resynchronize_is_in_progress() {
    // STA05A: the receive flow is discarded until RA (p185), EX included.
    let mut p = connected(HD | SY | RESYN | EX);
    p.a.resynchronize(ResyncType::Abandon, 0, TokenSetting(0), &[])
        .unwrap();
    assert_eq!(p.a.state(), State::Sta05A);
    p.a.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'x'])
        .unwrap();
    assert_eq!(own(&mut p.a), []);
    assert_eq!(p.a.state(), State::Sta05A);
    assert!(matches!(p.a.send_expedited(b"x"), Err(Error::State { .. })));
}

#[test]
fn received_after_the_peer_released_is_aborted() {
    // STA09 has no EX row: the peer sent FN, and an EX it sent earlier would have
    // arrived first on the expedited flow.
    let mut p = connected(FD | EX);
    p.a.release(&[]).unwrap();
    p.drive();
    p.take_b();
    assert_eq!(p.b.state(), State::Sta09);
    p.b.handle_expedited_tsdu(p.now, &[0x05, 0x00, b'x'])
        .unwrap();
    assert_eq!(
        own(&mut p.b),
        [Event::ProviderAbort(AbortCause::ProtocolError(
            Rule::Unexpected {
                spdu: Kind::Expedited,
                state: State::Sta09
            }
        ))]
    );
}
