//! Two RTS machines wired back to back (like quinn-proto's test `Pair`): open, turn,
//! transfer with checkpoints and a window, secured confirmation, exceptions, release and
//! abort. Recovery is in `recovery.rs`, what streaming promises in `streaming.rs`.

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
use x400_rts::machine::{AbortCause, Config, Event, OpenRequest, Refusal};
use x400_rts::{AbortReason, ConnectionData, DialogueMode, RefuseReason};
use x400_test_kit::rts::{End, NOW, apdu, config, events, flow, id, open_pair, run};

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
fn an_abort_fails_the_transfer_and_tells_the_peer_why() {
    let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
    a.send(vec![1; 100_000]).unwrap();
    assert!(a.buffered() > 0);
    a.abort(NOW, AbortReason::TEMPORARY_PROBLEM).unwrap();
    let evs = events(&mut a);
    // The APDU failed: the machine holds nothing of it; the user still has its source.
    assert!(matches!(&evs[0], Event::TransferFailed { .. }));
    assert_eq!(a.buffered(), 0);
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
            .any(|e| matches!(e, Event::TransferFailed { why } if why.contains("exception")))
    );
    assert_eq!(a.buffered(), 0);
    // The receiver's user was told to drop what it had.
    assert_eq!((b.store.discarded, b.store.partial_len()), (1, 0));
    // The association goes on.
    a.send(apdu(5000, 2)).unwrap();
    assert_eq!(run(&mut a, &mut b).0, [apdu(5000, 2)]);
}

#[test]
fn an_exception_report_crossing_our_activity_end_still_fails_the_transfer() {
    // Window 3: the whole APDU and the AE are out before the receiver's ED arrives.
    let mut small = config(4, 3);
    small.max_apdu_len = 10_000;
    let (mut a, mut b) = open_pair(config(4, 3), small);
    a.send(apdu(12_000, 3)).unwrap();
    let (got, evs) = run(&mut a, &mut b);
    assert!(got.is_empty());
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::TransferFailed { .. }))
    );
    assert!(!evs.contains(&Event::Transferred));
    assert!(a.is_open() && b.is_open(), "{evs:?}");
    a.send(apdu(5000, 2)).unwrap();
    assert_eq!(run(&mut a, &mut b).0, [apdu(5000, 2)]);
}

#[test]
fn a_local_discard_sends_ad_and_fails_the_transfer() {
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
