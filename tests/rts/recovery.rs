//! Recovery after a lost connection, between two RTS machines wired back to back: the
//! parts both sides keep, the resume (AR) after the last confirmed checkpoint, refusals,
//! duplicates, and connections cut at every kind of point.

// A panic is how a test fails; the octet patterns truncate on purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use osi_session::Kind;
use osi_session::machine::Role;
use x400_rts::machine::{
    AbortCause, Checkpoint, Config, Event, OpenRequest, Part, Recovery, RecoveryTable, Refusal,
};
use x400_rts::{AbortReason, ConnectionData, RefuseReason};
use x400_test_kit::Rng;
use x400_test_kit::rts::{End, NOW, Store, apdu, config, events, flow, id, lose, open_pair, run};

/// A responder's side of the world: the state it keeps and its store (the "file"), which
/// outlives each connection.
struct Responder {
    table: RecoveryTable,
    store: Store,
    received: Vec<Vec<u8>>,
}

impl Responder {
    fn new() -> Self {
        Self {
            table: RecoveryTable::new(RecoveryTable::DEFAULT_KEEP, 16),
            store: Store::default(),
            received: Vec::new(),
        }
    }

    /// A machine for a new connection, its user holding this responder's store.
    fn end(&mut self, cfg: Config) -> End {
        let mut b = End::with(Role::Responder, cfg);
        b.store = core::mem::take(&mut self.store);
        b
    }

    /// Answers what `b` indicated.
    fn serve(&mut self, b: &mut End) {
        for ev in events(b) {
            match ev {
                Event::OpenIndication(_) => b.accept(None).unwrap(),
                Event::RecoverIndication { lost, .. } => match self.table.take(NOW, &lost) {
                    Some((state, ())) => b.accept_recovery(state).unwrap(),
                    None => b.refuse(NOW, RefuseReason::CANNOT_RECOVER).unwrap(),
                },
                Event::TransferEnd { .. } => b.secured().unwrap(),
                Event::ConnectionLost(Some(state)) => {
                    self.table.insert(NOW, state, ());
                }
                _ => {}
            }
        }
        self.received.extend(b.store.apdus());
    }

    /// The connection of `b` is over: its store goes back to the responder.
    fn keep_store(&mut self, b: &mut End) {
        self.store = core::mem::take(&mut b.store);
    }
}

/// Runs one APDU from a fresh initiator to the responder, cutting the connection after
/// each number of TSDUs in `cuts` (one per connection), recovering after each cut.
/// Returns the initiator's events and how many connections it took.
fn transfer_with_cuts(data: &[u8], cuts: &[usize], resp: &mut Responder) -> (Vec<Event>, usize) {
    let cfg = config(4, 3);
    let mut state: Option<Recovery> = None;
    let mut seen = Vec::new();
    let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
    for conn in 0u32..1000 {
        let mut a = End::with(Role::Initiator, cfg);
        let mut b = resp.end(cfg);
        // A fresh association (nothing kept, or the recover was refused) sends the APDU
        // from the start once open; a recovered one resumes it by itself, its user
        // writing on from the source where the machine says.
        let fresh = state.is_none();
        match state.take() {
            Some(s) => {
                a.source = Some(data.to_vec());
                a.recover(&OpenRequest::new(&id(conn), None), s).unwrap();
            }
            None => a.open(&OpenRequest::new(&id(conn), None)).unwrap(),
        }
        let mut budget = cuts.get(conn as usize).copied();
        let mut cut = false;
        loop {
            let mut moved = 0;
            for dir in 0..2 {
                let (from, to) = if dir == 0 {
                    (&mut a, &mut b)
                } else {
                    (&mut b, &mut a)
                };
                while !cut && let Some(n) = from.poll_transmit(NOW, &mut wire).unwrap() {
                    if budget == Some(0) {
                        cut = true;
                        break;
                    }
                    budget = budget.map(|b| b - 1);
                    to.handle(&wire[..n]);
                    moved += 1;
                }
            }
            resp.serve(&mut b);
            for ev in events(&mut a) {
                match &ev {
                    Event::Opened(_) if fresh => a.send(data.to_vec()).unwrap(),
                    Event::Transferred => {
                        seen.push(ev);
                        resp.keep_store(&mut b);
                        return (seen, conn as usize + 1);
                    }
                    // Not recoverable: sent again from the source on a fresh association.
                    Event::TransferFailed { .. } => assert!(state.is_none()),
                    _ => {}
                }
                seen.push(ev);
            }
            if cut || moved == 0 {
                break;
            }
        }
        // The cut: both sides lose the connection; what was in flight is gone.
        a.handle_disconnect(NOW);
        b.handle_disconnect(NOW);
        resp.serve(&mut b);
        resp.keep_store(&mut b);
        for ev in events(&mut a) {
            if let Event::ConnectionLost(s) = ev {
                // What the sender keeps is the unconfirmed tail, never the whole APDU
                // (unless it is all unconfirmed), and it is the source's octets.
                if let Some(Recovery {
                    part:
                        Part::Sending {
                            offset, ref tail, ..
                        },
                    ..
                }) = s
                {
                    let at = offset as usize;
                    assert_eq!(tail[..], data[at..at + tail.len()]);
                    assert!(tail.len() <= 4 * 4096);
                }
                state = s;
            }
        }
    }
    panic!("no progress after 1000 connections");
}

#[test]
fn a_transfer_resumes_after_the_last_confirmed_checkpoint_on_a_new_connection() {
    let mut resp = Responder::new();
    let data = apdu(40 * 1024, 9);
    // The first connection is cut after 20 TSDUs: past the first checkpoints.
    let (evs, conns) = transfer_with_cuts(&data, &[20], &mut resp);
    assert_eq!(conns, 2);
    assert_eq!(resp.received, [data]);
    assert!(evs.contains(&Event::Transferred));
    assert!(resp.table.is_empty());
}

#[test]
fn the_resume_names_the_old_activity_and_the_confirmed_serial_number() {
    let (mut a, mut b) = open_pair(config(1, 2), config(1, 2));
    a.send(apdu(8 * 1024, 5)).unwrap();
    flow(&mut a, &mut b); // AS DT MIP DT MIP DT: window of 2 full
    flow(&mut b, &mut a); // MIA 1, MIA 2
    flow(&mut a, &mut b); // DT MIP DT MIP DT
    // Cut now: MIA 3 and 4 never reach the sender.
    a.handle_disconnect(NOW);
    b.handle_disconnect(NOW);
    let Some(Event::ConnectionLost(Some(sa))) = events(&mut a).pop() else {
        panic!("the sender keeps nothing");
    };
    let Some(Event::ConnectionLost(Some(sb))) = events(&mut b).pop() else {
        panic!("the receiver keeps nothing");
    };
    // The sender keeps what is not confirmed: from checkpoint 2 on, what its user could
    // write (the window and one checkpoint more), not the APDU.
    let Part::Sending {
        confirmed,
        offset,
        tail,
        finished,
        ..
    } = &sa.part
    else {
        panic!()
    };
    assert_eq!((*confirmed, *offset, *finished), (2, 2048, false));
    assert_eq!(tail[..], apdu(8 * 1024, 5)[2048..5120]);
    assert_eq!(sa.octets(), 3072);
    // The receiver keeps no data: its confirmed checkpoints, 1 to 4, evenly spaced, so
    // two knots; a resume may name any of them.
    let Part::Receiving { checkpoints, .. } = &sb.part else {
        panic!()
    };
    let at = |serial: u64| Checkpoint {
        serial,
        offset: serial * 1024,
    };
    assert_eq!(checkpoints, &[at(1), at(4)]);
    for n in 0..=4 {
        assert_eq!(sb.part.resume_offset(n), Some(n * 1024));
    }
    assert_eq!(sb.part.resume_offset(5), None);
    assert_eq!(sb.octets(), 4096);
    assert_eq!(sb.connection, id(1));
    // Its user stored the data of all four.
    assert_eq!(b.store.partial_len(), 4096);

    let mut a = End::with(Role::Initiator, config(1, 2));
    a.source = Some(apdu(8 * 1024, 5));
    let store = core::mem::take(&mut b.store);
    let mut b = End::with(Role::Responder, config(1, 2));
    b.store = store;
    a.recover(&OpenRequest::new(&id(2), None), sa).unwrap();
    flow(&mut a, &mut b);
    let [Event::RecoverIndication { lost, connect }] = &events(&mut b)[..] else {
        panic!()
    };
    assert_eq!(*lost, id(1));
    assert_eq!(connect.checkpoint_size, 1);
    b.accept_recovery(sb).unwrap();
    flow(&mut b, &mut a);
    assert!(
        matches!(events(&mut a)[..], [Event::Opened(ref pa)] if pa.connection_data == ConnectionData::Recover(id(1)))
    );
    // Its user writes on after what the state kept.
    assert_eq!(a.write_offset(), Some(5120));
    // AR, then the data of checkpoint 3 again: the receiver dropped what followed MIP 2.
    let sent = flow(&mut a, &mut b);
    assert_eq!(sent[..2], [Kind::GiveTokens, Kind::ActivityResume]);
    assert_eq!(b.session().vm(), 5, "after AR with serial 2 and MIP 3, 4");
    assert_eq!(events(&mut b)[0], Event::TransferStart { offset: 2048 });
    let (got, evs) = run(&mut a, &mut b);
    assert_eq!(got, [apdu(8 * 1024, 5)]);
    assert!(evs.contains(&Event::Transferred));
}

#[test]
fn a_recover_for_unknown_state_is_refused_and_the_transfer_fails() {
    let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
    a.send(apdu(30_000, 1)).unwrap();
    flow(&mut a, &mut b);
    a.handle_disconnect(NOW);
    let Some(Event::ConnectionLost(Some(state))) = events(&mut a).pop() else {
        panic!()
    };
    let mut a = End::with(Role::Initiator, config(4, 3));
    let mut b = End::with(Role::Responder, config(4, 3));
    a.recover(&OpenRequest::new(&id(2), None), state).unwrap();
    flow(&mut a, &mut b);
    let mut resp = Responder::new();
    resp.serve(&mut b);
    flow(&mut b, &mut a);
    let evs = events(&mut a);
    assert!(matches!(&evs[0], Event::TransferFailed { .. }));
    assert_eq!(
        evs[1],
        Event::Refused(Refusal::Rts(RefuseReason::CANNOT_RECOVER))
    );
}

#[test]
fn an_apdu_whose_confirmation_was_lost_is_acknowledged_again_not_delivered_twice() {
    let mut resp = Responder::new();
    let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
    a.send(apdu(20_000, 3)).unwrap();
    flow(&mut a, &mut b);
    resp.serve(&mut b); // delivered and secured: AEA queued
    a.handle_disconnect(NOW); // ... but lost with the connection
    b.handle_disconnect(NOW);
    resp.serve(&mut b);
    assert_eq!(resp.table.len(), 1);
    let Some(Event::ConnectionLost(Some(state))) = events(&mut a).pop() else {
        panic!()
    };
    let mut a = End::with(Role::Initiator, config(4, 3));
    a.source = Some(apdu(20_000, 3));
    let mut b = End::with(Role::Responder, config(4, 3));
    a.recover(&OpenRequest::new(&id(2), None), state).unwrap();
    let mut evs = Vec::new();
    for _ in 0..10 {
        flow(&mut a, &mut b);
        resp.serve(&mut b);
        flow(&mut b, &mut a);
        evs.extend(events(&mut a));
    }
    assert!(evs.contains(&Event::Transferred));
    assert_eq!(resp.received.len(), 1, "delivered once");
}

#[test]
fn the_responder_resumes_when_it_was_the_sender() {
    let mut resp = Responder::new();
    let (mut a, mut b) = open_pair(config(1, 3), config(1, 3));
    a.turn_give().unwrap();
    flow(&mut a, &mut b);
    events(&mut b);
    b.send(apdu(6000, 8)).unwrap();
    flow(&mut b, &mut a);
    flow(&mut a, &mut b);
    a.handle_disconnect(NOW);
    b.handle_disconnect(NOW);
    resp.serve(&mut b);
    assert_eq!(resp.table.len(), 1);
    let Some(Event::ConnectionLost(Some(state))) = events(&mut a).pop() else {
        panic!()
    };
    assert!(matches!(state.part, Part::Receiving { .. }));
    // The initiator's user keeps what it stored for the resume.
    let store = core::mem::take(&mut a.store);
    let mut a = End::with(Role::Initiator, config(1, 3));
    a.store = store;
    let mut b = End::with(Role::Responder, config(1, 3));
    b.source = Some(apdu(6000, 8));
    a.recover(&OpenRequest::new(&id(2), None), state).unwrap();
    flow(&mut a, &mut b);
    resp.serve(&mut b);
    assert!(
        b.has_turn(),
        "the recover gives the turn to the side that was sending"
    );
    let mut done = false;
    for _ in 0..20 {
        flow(&mut b, &mut a);
        for ev in events(&mut a) {
            if let Event::TransferEnd { .. } = ev {
                a.secured().unwrap();
            }
        }
        flow(&mut a, &mut b);
        done |= events(&mut b).contains(&Event::Transferred);
    }
    assert!(done);
    assert_eq!(a.store.apdus(), [apdu(6000, 8)]);
}

#[test]
fn an_apdu_lost_with_two_cuts_is_never_confirmed_as_a_completed_one() {
    // Found by the rts_machine fuzz target: APDU 0 is delivered (activity 1); APDU 1
    // (activity 2) is cut off before its AS arrives; the recovery's AR is cut off too.
    // The AR must not make the receiver take APDU 1 for the APDU 0 it completed.
    let cfg = config(1, 3);
    let (mut a, mut b) = open_pair(cfg, cfg);
    a.send(vec![0xaa; 3000]).unwrap();
    let (got, _) = run(&mut a, &mut b);
    assert_eq!(got.len(), 1);
    a.send(vec![0xbb; 3000]).unwrap();
    let (sa, sb) = (lose(&mut a), lose(&mut b));
    assert!(matches!(sb.part, Part::Received { .. }));

    let mut a = End::with(Role::Initiator, cfg);
    a.source = Some(vec![0xbb; 3000]);
    let mut b = End::with(Role::Responder, cfg);
    a.recover(&OpenRequest::new(&id(2), None), sa).unwrap();
    flow(&mut a, &mut b);
    events(&mut b);
    b.accept_recovery(sb).unwrap();
    flow(&mut b, &mut a); // AC; the AR is queued at A but never sent
    events(&mut a);
    let (sa, sb) = (lose(&mut a), lose(&mut b));

    let mut a = End::with(Role::Initiator, cfg);
    a.source = Some(vec![0xbb; 3000]);
    let mut b = End::with(Role::Responder, cfg);
    a.recover(&OpenRequest::new(&id(3), None), sa).unwrap();
    flow(&mut a, &mut b);
    events(&mut b);
    b.accept_recovery(sb).unwrap();
    let (got, evs) = run(&mut a, &mut b);
    // B never had APDU 1: it cannot confirm it. A gets it back to send again.
    assert!(got.is_empty());
    assert!(!evs.contains(&Event::Transferred), "{evs:?}");
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::TransferFailed { .. }))
    );
}

#[test]
fn a_recovery_where_both_sides_were_receiving_ends_at_once_instead_of_hanging() {
    let mut a = End::with(Role::Initiator, config(4, 3));
    let mut b = End::with(Role::Responder, config(4, 3));
    let receiving = |n| Recovery {
        connection: id(n),
        previous: None,
        checkpoint_size: 4,
        window_size: 3,
        part: Part::Receiving {
            activity_id: vec![2, 1, 1],
            checkpoints: Vec::new(),
        },
    };
    a.recover(&OpenRequest::new(&id(2), None), receiving(1))
        .unwrap();
    flow(&mut a, &mut b);
    events(&mut b);
    b.accept_recovery(receiving(1)).unwrap();
    assert!(matches!(
        events(&mut b)[..],
        [
            Event::Aborted(AbortCause::Protocol(_)),
            Event::TransferDiscarded
        ]
    ));
    flow(&mut b, &mut a);
    let evs = events(&mut a);
    assert!(
        evs.contains(&Event::Aborted(AbortCause::Peer(Some(
            AbortReason::UNRECOGNIZED_ACTIVITY
        )))),
        "{evs:?}"
    );
}

#[test]
fn two_hundred_cuts_at_every_point_all_end_in_one_intact_delivery_each() {
    // Deterministic pseudo-random cut points, several per transfer.
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut next = |m: usize| rng.index(m);
    let mut resp = Responder::new();
    let mut cuts_done = 0;
    let mut n = 0u8;
    while cuts_done < 200 {
        let data = apdu(64 * 1024 + next(4096), n);
        let cuts: Vec<usize> = (0..4).map(|_| 1 + next(60)).collect();
        let before = resp.received.len();
        let (evs, conns) = transfer_with_cuts(&data, &cuts, &mut resp);
        cuts_done += conns - 1;
        assert!(evs.contains(&Event::Transferred));
        assert_eq!(resp.received.len(), before + 1, "exactly one delivery");
        assert_eq!(resp.received.last(), Some(&data));
        n = n.wrapping_add(1);
    }
}
