//! Two RTS machines wired back to back (like quinn-proto's test `Pair`): open, turn,
//! transfer with checkpoints and a window, secured confirmation, exceptions, release,
//! abort, and recovery after connections cut at every kind of point.

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
use x400_rts::{AbortReason, ConnectionData, DialogueMode, RefuseReason};
use x400_test_kit::Rng;
use x400_test_kit::rts::{End, NOW, Store, apdu, config, events, flow, id, lose, open_pair, run};

#[test]
fn an_apdu_is_one_activity_with_a_minor_sync_point_after_each_checkpoint() {
    let (mut a, mut b) = open_pair(config(1, 3), config(4, 3));
    // The responder answers the smaller checkpoint size.
    assert_eq!(a.checkpointing(), (1, 3));
    let data = apdu(2560, 1);
    a.send(data.clone()).unwrap();
    // Window 3, checkpoint 1 KiB: AS DT MIP DT MIP DT AE (as ISODE's rt2ss.c sends 2.5 KB).
    let sent = flow(&mut a, &mut b);
    let wanted = [
        Kind::GiveTokens,
        Kind::ActivityStart,
        Kind::GiveTokens,
        Kind::DataTransfer,
        Kind::GiveTokens,
        Kind::MinorSyncPoint,
        Kind::GiveTokens,
        Kind::DataTransfer,
        Kind::GiveTokens,
        Kind::MinorSyncPoint,
        Kind::GiveTokens,
        Kind::DataTransfer,
        Kind::GiveTokens,
        Kind::ActivityEnd,
    ];
    assert_eq!(sent, wanted);
    // The APDU arrives in pieces, each point asking for confirmation, then its end.
    let evs = events(&mut b);
    assert_eq!(
        evs,
        [
            Event::TransferStart { offset: 0 },
            Event::TransferCheckpoint {
                serial: 1,
                offset: 1024
            },
            Event::TransferCheckpoint {
                serial: 2,
                offset: 2048
            },
            Event::TransferEnd { len: 2560 }
        ]
    );
    assert_eq!(b.store.apdus(), [data]);
    // No confirmation until the user says the APDU is secured.
    let back = flow(&mut b, &mut a);
    assert_eq!(back.iter().filter(|k| **k == Kind::MinorSyncAck).count(), 2);
    assert!(!back.contains(&Kind::ActivityEndAck));
    assert!(a.has_transfer());
    b.secured().unwrap();
    flow(&mut b, &mut a);
    let evs = events(&mut a);
    assert!(matches!(
        evs[..],
        [
            Event::CheckpointConfirmed {
                serial: 1,
                offset: 1024
            },
            Event::CheckpointConfirmed {
                serial: 2,
                offset: 2048
            },
            Event::Transferred
        ]
    ));
    assert_eq!(a.checkpoints_confirmed(), 2);
    assert!(!a.has_transfer());
}

#[test]
fn the_sender_stops_at_window_size_unconfirmed_checkpoints() {
    let (mut a, mut b) = open_pair(config(1, 2), config(1, 2));
    a.send(apdu(10 * 1024, 2)).unwrap();
    let sent = flow(&mut a, &mut b);
    // Two points out, and the data of the third checkpoint is held back.
    assert_eq!(
        sent.iter().filter(|k| **k == Kind::MinorSyncPoint).count(),
        2
    );
    assert_eq!(sent.iter().filter(|k| **k == Kind::DataTransfer).count(), 2);
    assert_eq!(flow(&mut a, &mut b), []);
    // One MIA lets exactly one more checkpoint go.
    let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
    let n = b.poll_transmit(NOW, &mut wire).unwrap().unwrap();
    a.handle(&wire[..n]);
    let sent = flow(&mut a, &mut b);
    assert_eq!(
        sent.iter().filter(|k| **k == Kind::MinorSyncPoint).count(),
        1
    );
    let (got, evs) = run(&mut a, &mut b);
    assert_eq!(got, [apdu(10 * 1024, 2)]);
    assert!(evs.contains(&Event::Transferred));
    // 10 checkpoints of data: 9 points, all confirmed.
    assert_eq!(a.checkpoints_confirmed(), 9);
}

#[test]
fn without_checkpointing_the_apdu_goes_as_data_only() {
    let (mut a, mut b) = open_pair(config(0, 3), config(4, 3));
    assert_eq!(a.checkpointing().0, 0);
    a.send(apdu(100_000, 3)).unwrap();
    let sent = flow(&mut a, &mut b);
    assert!(!sent.contains(&Kind::MinorSyncPoint));
    // 16 KiB DTs: a 100 000-octet APDU never needs a buffer of its size.
    assert_eq!(sent.iter().filter(|k| **k == Kind::DataTransfer).count(), 7);
    let (got, evs) = run(&mut a, &mut b);
    assert_eq!(got, [apdu(100_000, 3)]);
    assert_eq!(evs, [Event::Transferred]);
}

#[test]
fn successive_apdus_use_successive_activity_identifiers() {
    let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
    for n in 0..3u8 {
        a.send(apdu(5000, n)).unwrap();
        // The AS is out: the activity identifier is a BER INTEGER of a counter from 1.
        assert_eq!(
            a.transfer_progress().map(|(id, _)| id.to_vec()),
            Some(vec![0x02, 0x01, n + 1])
        );
        let (got, _) = run(&mut a, &mut b);
        assert_eq!(got, [apdu(5000, n)]);
    }
    // An empty APDU is an activity too: AS, AE.
    assert!(a.send(Vec::new()).is_ok());
    assert_eq!(
        a.transfer_progress().map(|(id, _)| id.to_vec()),
        Some(vec![0x02, 0x01, 4])
    );
    let (got, _) = run(&mut a, &mut b);
    assert_eq!(got, [Vec::<u8>::new()]);
}

#[test]
fn the_turn_is_asked_for_with_a_priority_and_given_with_all_tokens() {
    let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
    assert!(a.has_turn() && !b.has_turn());
    assert!(b.send(vec![1]).is_err());
    b.turn_please(2).unwrap();
    flow(&mut b, &mut a);
    assert_eq!(events(&mut a), [Event::TurnPlease { priority: 2 }]);
    // Not while a transfer is outstanding.
    a.send(vec![1; 10]).unwrap();
    assert!(a.turn_give().is_err());
    run(&mut a, &mut b);
    a.turn_give().unwrap();
    flow(&mut a, &mut b);
    assert_eq!(events(&mut b), [Event::TurnGiven]);
    assert!(b.has_turn() && !a.has_turn());
    b.send(apdu(9000, 7)).unwrap();
    let (got, evs) = run(&mut b, &mut a);
    assert_eq!(got, [apdu(9000, 7)]);
    assert!(evs.contains(&Event::Transferred));
}

#[test]
fn a_monologue_association_has_no_turn_requests() {
    let mut mono = config(4, 3);
    mono.dialogue_mode = DialogueMode::MONOLOGUE;
    let (mut a, mut b) = open_pair(mono, config(4, 3));
    assert!(b.turn_please(1).is_err());
    assert!(a.turn_give().is_err());
    a.send(vec![9; 100]).unwrap();
    assert_eq!(run(&mut a, &mut b).0, [vec![9; 100]]);
}

#[test]
fn release_is_fn_then_dn_and_only_without_a_transfer() {
    let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
    assert!(
        b.close().is_err(),
        "only the initiator closes in two-way alternate"
    );
    a.send(vec![1; 10]).unwrap();
    assert!(a.close().is_err());
    run(&mut a, &mut b);
    a.close().unwrap();
    assert_eq!(flow(&mut a, &mut b), [Kind::Finish]);
    assert_eq!(events(&mut b), [Event::Closed]);
    assert_eq!(flow(&mut b, &mut a), [Kind::Disconnect]);
    assert_eq!(events(&mut a), [Event::Closed, Event::DisconnectTransport]);
    assert!(a.is_ended() && b.is_ended());
}

#[test]
fn a_refused_open_carries_the_rts_reason() {
    let mut a = End::with(Role::Initiator, Config::default());
    let mut b = End::with(Role::Responder, Config::default());
    a.open(&OpenRequest::new(&id(1), None)).unwrap();
    flow(&mut a, &mut b);
    let Some(Event::OpenIndication(pc)) = events(&mut b).pop() else {
        panic!("no open indication");
    };
    assert_eq!(pc.connection_data, ConnectionData::Open(None));
    assert_eq!(pc.dialogue_mode, DialogueMode::TWO_WAY_ALTERNATE);
    b.refuse(NOW, RefuseReason::VALIDATION_FAILURE).unwrap();
    assert_eq!(flow(&mut b, &mut a), [Kind::Refuse]);
    assert_eq!(
        events(&mut a),
        [
            Event::Refused(Refusal::Rts(RefuseReason::VALIDATION_FAILURE)),
            Event::DisconnectTransport
        ]
    );
}

#[test]
fn an_abort_gives_the_apdu_back_and_tells_the_peer_why() {
    let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
    a.send(vec![1; 100_000]).unwrap();
    a.abort(NOW, AbortReason::TEMPORARY_PROBLEM).unwrap();
    let evs = events(&mut a);
    assert!(matches!(&evs[0], Event::TransferFailed { apdu, .. } if apdu.len() == 100_000));
    assert_eq!(
        evs[1],
        Event::Aborted(AbortCause::Local(AbortReason::TEMPORARY_PROBLEM))
    );
    flow(&mut a, &mut b);
    assert!(
        events(&mut b).contains(&Event::Aborted(AbortCause::Peer(Some(
            AbortReason::TEMPORARY_PROBLEM
        ))))
    );
}

#[test]
fn an_apdu_above_the_receivers_limit_is_refused_with_an_exception_and_discarded() {
    let mut small = config(4, 3);
    small.max_apdu_len = 10_000;
    // Window 1: the report reaches the sender before its AE is out. (An ED that crosses
    // our AE is a session protocol error; the APDU then comes back all the same.)
    let (mut a, mut b) = open_pair(config(4, 1), small);
    a.send(apdu(40_000, 1)).unwrap();
    let (got, evs) = run(&mut a, &mut b);
    assert!(got.is_empty());
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::TransferFailed { apdu, .. } if *apdu == apdu_of(40_000)))
    );
    // The receiver's user was told to drop what it had.
    assert_eq!((b.store.discarded, b.store.partial_len()), (1, 0));
    // The association goes on.
    a.send(apdu(5000, 2)).unwrap();
    assert_eq!(run(&mut a, &mut b).0, [apdu(5000, 2)]);
}

fn apdu_of(len: usize) -> Vec<u8> {
    apdu(len, 1)
}

#[test]
fn an_exception_report_crossing_our_activity_end_still_gives_the_apdu_back() {
    // Window 3: the whole APDU and the AE are out before the receiver's ED arrives.
    let mut small = config(4, 3);
    small.max_apdu_len = 10_000;
    let (mut a, mut b) = open_pair(config(4, 3), small);
    a.send(apdu(12_000, 3)).unwrap();
    let (got, evs) = run(&mut a, &mut b);
    assert!(got.is_empty());
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::TransferFailed { apdu: x, .. } if *x == apdu(12_000, 3)))
    );
    assert!(a.is_open() && b.is_open(), "{evs:?}");
    a.send(apdu(5000, 2)).unwrap();
    assert_eq!(run(&mut a, &mut b).0, [apdu(5000, 2)]);
}

#[test]
fn a_local_discard_sends_ad_and_gives_the_apdu_back() {
    let (mut a, mut b) = open_pair(config(4, 1), config(4, 1));
    a.send(apdu(50_000, 4)).unwrap();
    flow(&mut a, &mut b);
    a.discard_transfer().unwrap();
    let (got, evs) = run(&mut a, &mut b);
    assert!(got.is_empty());
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::TransferFailed { why, .. } if why.contains("local user")))
    );
    // The receiver drops the part it had.
    assert_eq!((b.store.discarded, b.store.partial_len()), (1, 0));
}

#[test]
fn an_interrupted_transfer_resumes_on_the_same_connection_after_its_last_checkpoint() {
    let (mut a, mut b) = open_pair(config(1, 2), config(1, 2));
    a.send(apdu(6000, 6)).unwrap();
    flow(&mut a, &mut b); // AS DT MIP DT MIP DT: the window is full
    flow(&mut b, &mut a); // MIA 1, MIA 2
    a.interrupt_transfer().unwrap();
    assert!(a.resume_transfer().is_err(), "not before the AIA");
    let sent = flow(&mut a, &mut b);
    assert!(sent.contains(&Kind::ActivityInterrupt));
    flow(&mut b, &mut a);
    let evs = events(&mut a);
    assert_eq!(evs.last(), Some(&Event::TransferInterrupted));
    a.resume_transfer().unwrap();
    let sent = flow(&mut a, &mut b);
    assert_eq!(sent[..2], [Kind::GiveTokens, Kind::ActivityResume]);
    // The receiver's user cuts back to the last confirmed point: 2 KiB.
    assert!(events(&mut b).contains(&Event::TransferStart { offset: 2048 }));
    let (got, evs) = run(&mut a, &mut b);
    assert_eq!(got, [apdu(6000, 6)]);
    assert!(evs.contains(&Event::Transferred));
}

// ---- recovery ----

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
        // from the start once open; a recovered one resumes it by itself.
        let fresh = state.is_none();
        match state.take() {
            Some(s) => a.recover(&OpenRequest::new(&id(conn), None), s).unwrap(),
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
                    // Not recoverable: the APDU comes back whole, for a fresh association.
                    Event::TransferFailed { apdu, .. } => assert_eq!(apdu, data),
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
                state = s;
            } else if let Event::TransferFailed { apdu, .. } = ev {
                assert_eq!(apdu, data);
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
    let Part::Sending { confirmed, .. } = &sa.part else {
        panic!()
    };
    assert_eq!(*confirmed, 2);
    // The receiver keeps no data: the last window + 1 confirmed checkpoints.
    let Part::Receiving { checkpoints, .. } = &sb.part else {
        panic!()
    };
    let at = |serial: u64| Checkpoint {
        serial,
        offset: serial * 1024,
    };
    assert_eq!(checkpoints, &[at(2), at(3), at(4)]);
    assert_eq!(sb.octets(), 4096);
    assert_eq!(sb.connection, id(1));
    // Its user stored the data of all four.
    assert_eq!(b.store.partial_len(), 4096);

    let mut a = End::with(Role::Initiator, config(1, 2));
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
fn a_recover_for_unknown_state_is_refused_and_the_apdu_comes_back() {
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
    assert!(matches!(&evs[0], Event::TransferFailed { apdu: x, .. } if *x == apdu(30_000, 1)));
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
    let mut b = End::with(Role::Responder, cfg);
    a.recover(&OpenRequest::new(&id(2), None), sa).unwrap();
    flow(&mut a, &mut b);
    events(&mut b);
    b.accept_recovery(sb).unwrap();
    flow(&mut b, &mut a); // AC; the AR is queued at A but never sent
    events(&mut a);
    let (sa, sb) = (lose(&mut a), lose(&mut b));

    let mut a = End::with(Role::Initiator, cfg);
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
            .any(|e| matches!(e, Event::TransferFailed { apdu, .. } if *apdu == vec![0xbb; 3000]))
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

#[test]
fn a_receiver_that_delays_confirmation_stalls_the_sender_at_the_window() {
    // 1 KiB checkpoints, window 2: the sender stops after two unconfirmed points.
    let (mut a, mut b) = open_pair(config(1, 2), config(1, 2));
    b.confirm = false;
    a.send(apdu(8 * 1024, 4)).unwrap();
    let sent = flow(&mut a, &mut b);
    assert_eq!(
        sent.iter().filter(|k| **k == Kind::MinorSyncPoint).count(),
        2
    );
    assert_eq!(b.unconfirmed, [1, 2]);
    // No MIA until the user confirms, so nothing more comes however long it waits.
    for _ in 0..3 {
        assert_eq!(flow(&mut b, &mut a), []);
        assert_eq!(flow(&mut a, &mut b), []);
    }
    assert_eq!(a.checkpoints_confirmed(), 0);
    // Confirming the first point lets exactly one more checkpoint go.
    b.confirm_up_to(1);
    assert_eq!(
        flow(&mut b, &mut a),
        [Kind::PleaseTokens, Kind::MinorSyncAck]
    );
    let sent = flow(&mut a, &mut b);
    assert_eq!(
        sent.iter().filter(|k| **k == Kind::MinorSyncPoint).count(),
        1
    );
    assert_eq!(b.unconfirmed, [2, 3]);
    // One MIA for 3 confirms 2 as well (X.225 §7.14): two more go.
    b.confirm_up_to(3);
    assert_eq!(
        flow(&mut b, &mut a),
        [Kind::PleaseTokens, Kind::MinorSyncAck]
    );
    assert_eq!(a.checkpoints_confirmed(), 3);
    let sent = flow(&mut a, &mut b);
    assert_eq!(
        sent.iter().filter(|k| **k == Kind::MinorSyncPoint).count(),
        2
    );
    // An unknown serial, or one already confirmed, is refused.
    assert!(b.confirm_checkpoint(2).is_err());
    assert!(b.confirm_checkpoint(9).is_err());
    b.confirm = true;
    b.confirm_up_to(5);
    let (got, evs) = run(&mut a, &mut b);
    assert_eq!(got, [apdu(8 * 1024, 4)]);
    assert!(evs.contains(&Event::Transferred));
    assert_eq!(a.checkpoints_confirmed(), 7);
}
