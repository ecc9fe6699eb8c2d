//! An APDU moves through the RTS machines in pieces, never whole: the machines' memory stays
//! within a bound set by the configuration whatever the APDU's size; a receiver that holds
//! back its confirmations holds the sender at the window; a transfer cut half way resumes
//! from the parts both sides kept (no data in the receiver's, only the unconfirmed tail in
//! the sender's) to the exact octets; without checkpointing a lost transfer fails and goes
//! again from the sender's source.

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
use x400_rts::machine::{Config, Event, OpenRequest, Part, Rts};
use x400_test_kit::rts::{
    End, NOW, apdu, config, events, flow, flow_at_most, id, lose, open_pair, run,
};

const MIB: u64 = 1 << 20;

/// The octets of a large APDU, made on the fly (neither test side holds it whole): a
/// random-looking 1 MiB unit repeated, each repetition stamped with its number.
struct Pattern {
    unit: Vec<u8>,
}

impl Pattern {
    fn new() -> Self {
        let mut rng = x400_test_kit::Rng::new(0x5DEE_CE66_D1CE_4E5B);
        Self {
            unit: rng.bytes(MIB as usize),
        }
    }

    /// Fills `buf` with the APDU's octets from `at` on.
    fn fill(&self, at: u64, buf: &mut [u8]) {
        let mut done = 0;
        while done < buf.len() {
            let i = at + done as u64;
            let (rep, off) = (i / MIB, (i % MIB) as usize);
            let n = (buf.len() - done).min(MIB as usize - off);
            buf[done..done + n].copy_from_slice(&self.unit[off..off + n]);
            // The stamp: the repetition's number in its first 8 octets.
            for k in off..(off + n).min(8) {
                buf[done + k - off] = rep.to_be_bytes()[k];
            }
            done += n;
        }
    }
}

/// Writes what `m` takes of the `total` octets of `p` and finishes the APDU at its end.
fn write_from(m: &mut Rts, p: &Pattern, total: u64, scratch: &mut [u8]) {
    while let Some(at) = m.write_offset() {
        if at == total {
            m.finish_transfer().unwrap();
            return;
        }
        let n = m.send_room().min(scratch.len()).min((total - at) as usize);
        if n == 0 {
            return;
        }
        p.fill(at, &mut scratch[..n]);
        assert_eq!(m.write(&scratch[..n]).unwrap(), n);
    }
}

/// Sends `total` octets of a pattern from `a` to `b`, machine to machine in memory, the
/// receiving user checking each piece as it comes and keeping none. Returns the most
/// octets each machine held at any time ([`Rts::buffered`]).
fn stream(a: &mut Rts, b: &mut Rts, total: u64) -> (usize, usize) {
    let p = Pattern::new();
    let mut scratch = vec![0; 64 << 10];
    let mut expected = vec![0; 64 << 10];
    let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
    let (mut received, mut peak_a, mut peak_b) = (0u64, 0, 0);
    a.start_transfer().unwrap();
    loop {
        write_from(a, &p, total, &mut scratch);
        peak_a = peak_a.max(a.buffered());
        while let Some(n) = a.poll_transmit(NOW, &mut wire).unwrap() {
            b.handle_tsdu(NOW, &wire[..n]).unwrap();
            peak_b = peak_b.max(b.buffered());
            while let Some(ev) = b.poll_event() {
                match ev {
                    Event::TransferStart { offset } => assert_eq!(offset, 0),
                    Event::TransferData(piece) => {
                        let want = &mut expected[..piece.len()];
                        p.fill(received, want);
                        assert!(piece == *want, "the piece at {received} differs");
                        received += piece.len() as u64;
                    }
                    Event::TransferCheckpoint { serial, offset } => {
                        assert_eq!(offset, received);
                        b.confirm_checkpoint(serial).unwrap();
                    }
                    Event::TransferEnd { len } => {
                        assert_eq!((len, received), (total, total));
                        b.secured().unwrap();
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            write_from(a, &p, total, &mut scratch);
            peak_a = peak_a.max(a.buffered());
        }
        while let Some(n) = b.poll_transmit(NOW, &mut wire).unwrap() {
            a.handle_tsdu(NOW, &wire[..n]).unwrap();
        }
        while let Some(ev) = a.poll_event() {
            match ev {
                Event::Transferred => {
                    assert_eq!(received, total);
                    assert_eq!((a.buffered(), b.buffered()), (0, 0));
                    return (peak_a, peak_b);
                }
                Event::CheckpointConfirmed { .. } | Event::TransferWritable => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        peak_a = peak_a.max(a.buffered());
    }
}

#[test]
fn a_64_mib_apdu_crosses_with_each_machine_holding_a_few_kib() {
    // Checkpoints of 4 KiB, window 3 (the defaults): the sender holds at most the window
    // and one checkpoint more, 16 KiB; the receiver one piece, at most a DT (here a
    // checkpoint, 4 KiB).
    let (mut a, mut b) = open_pair(Config::default(), Config::default());
    let (peak_a, peak_b) = stream(&mut a.rts, &mut b.rts, 64 * MIB);
    let window = (Config::DEFAULT_WINDOW_SIZE as usize + 1) * 4096;
    println!(
        "64 MiB, checkpoints of 4 KiB, window 3: the sender held at most {peak_a} octets, the receiver {peak_b}"
    );
    assert!(peak_a <= window, "{peak_a}");
    assert!(peak_b <= 4096, "{peak_b}");
    assert!(peak_a.max(peak_b) <= a.max_buffered().min(b.max_buffered()));
    // The bound is the configuration's, independent of the APDU: the same as before it.
    assert_eq!(
        a.max_buffered(),
        window + Config::DEFAULT_SESSION_BUFFER,
        "the named bound"
    );

    // Without checkpointing: the sender holds at most its send buffer (64 KiB), and the
    // receiver one DT (16 KiB).
    let (mut a, mut b) = open_pair(config(0, 3), config(0, 3));
    let (peak_a, peak_b) = stream(&mut a.rts, &mut b.rts, 64 * MIB);
    println!(
        "64 MiB, no checkpoints: the sender held at most {peak_a} octets, the receiver {peak_b}"
    );
    assert!(peak_a <= Config::DEFAULT_SEND_BUFFER, "{peak_a}");
    assert!(peak_b <= Config::DEFAULT_MAX_DT_LEN, "{peak_b}");
    assert_eq!(
        a.max_buffered(),
        Config::DEFAULT_SEND_BUFFER + Config::DEFAULT_SESSION_BUFFER
    );
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

#[test]
fn a_transfer_cut_half_way_resumes_from_the_parts_to_the_exact_octets_in_either_role() {
    for sender in [Role::Initiator, Role::Responder] {
        let cfg = config(4, 3);
        let data = apdu(256 * 1024 + 1000, 7);
        let (mut a, mut b) = open_pair(cfg, cfg);
        if sender == Role::Responder {
            a.turn_give().unwrap();
            flow(&mut a, &mut b);
            assert_eq!(events(&mut b), [Event::TurnGiven]);
        }
        let (s, r) = match sender {
            Role::Initiator => (&mut a, &mut b),
            Role::Responder => (&mut b, &mut a),
        };
        s.send(data.clone()).unwrap();
        // Run until the receiver holds about half, then move a few TSDUs more one way
        // only: the last points are confirmed by the receiver but not known to the sender.
        while r.store.partial_len() < data.len() / 2 {
            flow(s, r);
            flow(r, s);
            events(s);
        }
        flow_at_most(s, r, 5);
        let (kept_s, kept_r) = (lose(s), lose(r));

        // The sender kept the unconfirmed tail only: the source's octets after the last
        // checkpoint it saw confirmed, no more than the window and one checkpoint.
        let Part::Sending {
            confirmed,
            offset,
            tail,
            finished,
            ..
        } = &kept_s.part
        else {
            panic!("{sender:?}: no sending part");
        };
        assert_eq!(*offset, confirmed * 4096);
        assert!(!finished && !tail.is_empty() && tail.len() <= 4 * 4096);
        let at = *offset as usize;
        assert_eq!(tail[..], data[at..at + tail.len()]);
        // The receiver kept no data: its confirmed points as two knots (all evenly
        // spaced), the last at or beyond the sender's, within what its user stored; it
        // knows where every one of them is.
        let Part::Receiving { checkpoints, .. } = &kept_r.part else {
            panic!("{sender:?}: no receiving part");
        };
        assert_eq!(checkpoints.len(), 2);
        let last = checkpoints.last().unwrap();
        assert!(last.serial >= *confirmed && last.offset as usize <= r.store.partial_len());
        assert_eq!(kept_r.octets(), last.offset as usize);
        for n in 0..=last.serial {
            assert_eq!(kept_r.part.resume_offset(n), Some(n * 4096));
        }
        let resume_at = *offset;

        // A new connection: the initiator recovers, the responder accepts with its part.
        // The sending user keeps its source, the receiving one its store.
        let (kept_a, kept_b) = match sender {
            Role::Initiator => (kept_s, kept_r),
            Role::Responder => (kept_r, kept_s),
        };
        let mut a2 = End::with(Role::Initiator, cfg);
        let mut b2 = End::with(Role::Responder, cfg);
        a2.store = core::mem::take(&mut a.store);
        b2.store = core::mem::take(&mut b.store);
        a2.recover(&OpenRequest::new(&id(2), None), kept_a).unwrap();
        flow(&mut a2, &mut b2);
        assert!(matches!(
            events(&mut b2)[..],
            [Event::RecoverIndication { .. }]
        ));
        b2.accept_recovery(kept_b).unwrap();
        let (s, r) = match sender {
            Role::Initiator => (&mut a2, &mut b2),
            Role::Responder => (&mut b2, &mut a2),
        };
        s.source = Some(data.clone());
        flow(r, s);
        flow(s, r);
        // The receiver's user cut its store back to the checkpoint the sender resumes
        // after.
        let start = events(r)
            .into_iter()
            .find_map(|e| match e {
                Event::TransferStart { offset } => Some(offset),
                _ => None,
            })
            .expect("the transfer resumes");
        assert_eq!(start, resume_at);
        let (got, evs) = run(s, r);
        assert_eq!(got, [data], "{sender:?}: the exact octets, once");
        assert!(evs.contains(&Event::Transferred));
        assert_eq!((s.buffered(), r.buffered()), (0, 0));
    }
}

#[test]
fn without_checkpointing_a_lost_transfer_fails_and_goes_again_from_the_source() {
    let cfg = config(0, 3);
    let data = apdu(300_000, 9);
    let (mut a, mut b) = open_pair(cfg, cfg);
    a.send(data.clone()).unwrap();
    flow_at_most(&mut a, &mut b, 8);
    assert!(b.store.partial_len() > 0 && b.store.partial_len() < data.len());
    assert_eq!(events(&mut b), [Event::TransferStart { offset: 0 }]);
    // Nothing to resume from: the sender's transfer fails, the receiver drops its part,
    // neither keeps a state.
    a.handle_disconnect(NOW);
    b.handle_disconnect(NOW);
    assert!(matches!(
        events(&mut a)[..],
        [Event::TransferFailed { .. }, Event::ConnectionLost(None)]
    ));
    assert_eq!(
        events(&mut b),
        [Event::TransferDiscarded, Event::ConnectionLost(None)]
    );
    assert_eq!((a.buffered(), b.store.partial_len()), (0, 0));
    assert!(
        a.write(b"more").is_err(),
        "nothing of the APDU is taken any more"
    );

    // The user sends it again from its source, from the start, on a new association.
    let store = core::mem::take(&mut b.store);
    let (mut a, mut b) = open_pair(cfg, cfg);
    b.store = store;
    a.send(data.clone()).unwrap();
    let (got, evs) = run(&mut a, &mut b);
    assert_eq!(got, [data]);
    assert_eq!(evs, [Event::Transferred]);
}

#[test]
fn what_goes_on_the_wire_does_not_depend_on_how_the_sender_cuts_its_writes() {
    // Writes of 1, 7, 1000 and 70 000 octets at a time give the same TSDUs, SPDU for SPDU
    // and octet for octet, as the whole APDU at once would: the machine waits for a full
    // DT, a checkpoint's end or the APDU's end before it sends a DT.
    let data = apdu(50_000, 3);
    let mut wires: Vec<Vec<Vec<u8>>> = Vec::new();
    for cut in [1, 7, 1000, 70_000] {
        let (mut a, mut b) = open_pair(config(4, 3), config(4, 3));
        a.start_transfer().unwrap();
        let mut tsdus = Vec::new();
        let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
        loop {
            while let Some(at) = a.write_offset() {
                let at = at as usize;
                if at == data.len() {
                    a.finish_transfer().unwrap();
                    break;
                }
                let end = (at + cut).min(data.len());
                if a.write(&data[at..end]).unwrap() == 0 {
                    break;
                }
            }
            if let Some(n) = a.poll_transmit(NOW, &mut wire).unwrap() {
                tsdus.push(wire[..n].to_vec());
                b.handle(&wire[..n]);
                continue;
            }
            for ev in events(&mut b) {
                if let Event::TransferEnd { .. } = ev {
                    b.secured().unwrap();
                }
            }
            if flow(&mut b, &mut a).is_empty() && !a.has_transfer() {
                break;
            }
        }
        assert_eq!(b.store.apdus(), core::slice::from_ref(&data));
        // 4 KiB checkpoints, 16 KiB DTs: AS, 13 DTs (each a whole checkpoint, the last
        // 50 000 - 12 × 4096 = 848 octets), 12 MIPs, AE.
        assert_eq!(tsdus.len(), 1 + 13 + 12 + 1, "writes of {cut}");
        wires.push(tsdus);
    }
    assert!(wires.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn a_sender_restarted_from_its_own_older_record_resumes_where_that_record_says() {
    // The sender writes down its confirmed serial now and then (rtf's recovery point); it
    // dies, and comes back with that record: an empty tail, the offset of an old
    // checkpoint. The receiver confirmed many more since, yet knows where that one is.
    let cfg = config(4, 3);
    let data = apdu(400_000, 5);
    let (mut a, mut b) = open_pair(cfg, cfg);
    a.send(data.clone()).unwrap();
    let mut record = None;
    while b.store.partial_len() < 300_000 {
        flow(&mut a, &mut b);
        flow(&mut b, &mut a);
        events(&mut a);
        if record.is_none() && b.store.partial_len() > 100_000 {
            record = a
                .transfer_progress()
                .map(|(id, serial)| (id.to_vec(), serial));
        }
    }
    let (activity_id, serial) = record.unwrap();
    let kept_b = lose(&mut b);
    a.handle_disconnect(NOW);
    let Part::Receiving { checkpoints, .. } = &kept_b.part else {
        panic!("no receiving part");
    };
    assert!(checkpoints.last().unwrap().serial > serial + 40);
    let restarted = x400_rts::machine::Recovery {
        connection: id(1),
        previous: None,
        checkpoint_size: 4,
        window_size: 3,
        part: Part::Sending {
            activity_id,
            confirmed: serial,
            offset: serial * 4096,
            tail: Vec::new(),
            finished: false,
        },
    };
    let mut a2 = End::with(Role::Initiator, cfg);
    a2.source = Some(data.clone());
    let mut b2 = End::with(Role::Responder, cfg);
    b2.store = core::mem::take(&mut b.store);
    a2.recover(&OpenRequest::new(&id(2), None), restarted)
        .unwrap();
    flow(&mut a2, &mut b2);
    events(&mut b2);
    b2.accept_recovery(kept_b).unwrap();
    // Its user writes from the record's offset on (the window's worth at once).
    flow(&mut b2, &mut a2);
    assert_eq!(a2.write_offset(), Some(serial * 4096 + 4 * 4096));
    flow(&mut a2, &mut b2);
    assert_eq!(
        events(&mut b2)[0],
        Event::TransferStart {
            offset: serial * 4096
        }
    );
    let (got, evs) = run(&mut a2, &mut b2);
    assert_eq!(got, [data]);
    assert!(evs.contains(&Event::Transferred));
}
