//! RTS protocol machine throughput through two machines wired back to back: one 1 MiB APDU
//! per iteration (AS, DTs, a MIP/MIA per checkpoint, AE, the user's `secured`, AEA) with
//! checkpoint sizes 0, 4 and 30 KiB, in bytes per second; and the time of one recovery: a
//! connection cut halfway through a 1 MiB transfer (4 KiB checkpoints, window 3), then a
//! new connection, `recover`, `accept_recovery` and the rest of the APDU. The sending user
//! writes the APDU as the window lets it, the receiving one takes each piece as it comes
//! and confirms each checkpoint.
//!
//! `cargo bench --bench rts_machine`

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core,
    clippy::cast_possible_truncation
)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use x400::rts::machine::{Config, Event, Instant, OpenRequest, Part, Recovery, RecoveryTable, Rts};
use x400::rts::{CallingSsUserReference, SessionConnectionIdentifier, T61String, UtcTimeOctets};
use x400::session::machine::Role;

const NOW: Instant = Instant::ZERO;
const APDU: usize = 1 << 20;

fn id(n: u32) -> SessionConnectionIdentifier {
    SessionConnectionIdentifier {
        calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("mta-a")),
        common_reference: UtcTimeOctets::from("261203100000Z"),
        additional_reference_information: Some(T61String::new(n.to_be_bytes())),
    }
}

fn config(checkpoint: u32) -> Config {
    let mut c = Config::default();
    c.checkpoint_size = checkpoint;
    c.window_size = 3;
    c
}

/// The sending user: writes what `m` takes of `source` (the APDU) from where it continues,
/// and finishes it once all is written.
fn feed(m: &mut Rts, source: &[u8]) {
    while let Some(at) = m.write_offset() {
        let rest = &source[at as usize..];
        if rest.is_empty() {
            m.finish_transfer().unwrap();
            return;
        }
        if m.write(rest).unwrap() == 0 {
            return;
        }
    }
}

/// Moves every queued TSDU from `from` (whose user writes `source` as it can) to `to`,
/// the receiving side, whose user takes each piece as it comes; returns the APDU octets
/// `to` received.
fn flow(from: &mut Rts, to: &mut Rts, wire: &mut [u8], source: &[u8]) -> usize {
    let mut got = 0;
    feed(from, source);
    while let Some(len) = from.poll_transmit(NOW, wire).unwrap() {
        to.handle_tsdu(NOW, &wire[..len]).unwrap();
        got += serve(to, &mut None);
        feed(from, source);
    }
    got
}

/// Moves every queued TSDU from the receiving side `from` back to `to`, the sender, whose
/// events stay for the caller.
fn back(from: &mut Rts, to: &mut Rts, wire: &mut [u8]) {
    while let Some(len) = from.poll_transmit(NOW, wire).unwrap() {
        to.handle_tsdu(NOW, &wire[..len]).unwrap();
    }
}

/// The receiver's user: takes each piece (the octets count), confirms each checkpoint,
/// secures every APDU; answers opens and recovers.
fn serve(b: &mut Rts, kept: &mut Option<Recovery>) -> usize {
    let mut got = 0;
    while let Some(ev) = b.poll_event() {
        match ev {
            Event::OpenIndication(_) => b.accept(None).unwrap(),
            Event::RecoverIndication { .. } => b.accept_recovery(kept.take().unwrap()).unwrap(),
            Event::TransferData(piece) => got += black_box(piece).len(),
            Event::TransferCheckpoint { serial, .. } => b.confirm_checkpoint(serial).unwrap(),
            Event::TransferEnd { .. } => b.secured().unwrap(),
            _ => {}
        }
    }
    got
}

/// Runs the transfer in progress at `a`, of `source`, to its confirm; returns the octets
/// `b` received.
fn finish(a: &mut Rts, b: &mut Rts, wire: &mut [u8], source: &[u8]) -> usize {
    let mut got = 0;
    loop {
        got += flow(a, b, wire, source);
        back(b, a, wire);
        while let Some(ev) = a.poll_event() {
            match ev {
                Event::Transferred => return got,
                Event::CheckpointConfirmed { .. } | Event::TransferWritable | Event::Opened(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

fn open_pair(checkpoint: u32, wire: &mut [u8]) -> (Rts, Rts) {
    let mut a = Rts::new(Role::Initiator, config(checkpoint));
    let mut b = Rts::new(Role::Responder, config(checkpoint));
    a.open(&OpenRequest::new(&id(1), None)).unwrap();
    flow(&mut a, &mut b, wire, &[]);
    back(&mut b, &mut a, wire);
    assert!(matches!(a.poll_event(), Some(Event::Opened(_))));
    (a, b)
}

/// A transfer of `apdu` cut once the receiver holds half of it: the two states kept.
fn cut_halfway(apdu: &[u8], wire: &mut [u8]) -> (Recovery, Recovery) {
    let (mut a, mut b) = open_pair(4, wire);
    a.start_transfer().unwrap();
    let mut confirmed = 0;
    while confirmed < APDU / 2 {
        flow(&mut a, &mut b, wire, apdu);
        back(&mut b, &mut a, wire);
        while let Some(ev) = a.poll_event() {
            if let Event::CheckpointConfirmed { offset, .. } = ev {
                confirmed = offset as usize;
            }
        }
    }
    a.handle_disconnect(NOW);
    b.handle_disconnect(NOW);
    let lost = |m: &mut Rts| {
        core::iter::from_fn(|| m.poll_event())
            .find_map(|e| match e {
                Event::ConnectionLost(Some(s)) => Some(s),
                _ => None,
            })
            .unwrap()
    };
    (lost(&mut a), lost(&mut b))
}

fn bench(c: &mut Criterion) {
    let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
    let data: Vec<u8> = (0..APDU).map(|i| (i as u8).wrapping_mul(31)).collect();

    let mut g = c.benchmark_group("rts_machine");
    g.throughput(Throughput::Bytes(APDU as u64));
    for checkpoint in [0, 4, 30] {
        let (mut a, mut b) = open_pair(checkpoint, &mut wire);
        g.bench_function(format!("transfer_1MiB_checkpoint_{checkpoint}"), |bench| {
            bench.iter(|| {
                a.start_transfer().unwrap();
                let got = finish(&mut a, &mut b, &mut wire, &data);
                assert_eq!(got, APDU);
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("rts_machine");
    g.throughput(Throughput::Elements(1));
    let mut setup_wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
    let mut table: RecoveryTable = RecoveryTable::new(RecoveryTable::DEFAULT_KEEP, 16);
    g.bench_function("recover_1MiB_cut_halfway", |bench| {
        bench.iter_batched(
            || cut_halfway(&data, &mut setup_wire),
            |(sa, sb)| {
                let Part::Sending { offset, .. } = &sa.part else {
                    panic!("not the sender's part");
                };
                let resumed_at = *offset as usize;
                table.insert(NOW, sb, ());
                let mut a = Rts::new(Role::Initiator, config(4));
                let mut b = Rts::new(Role::Responder, config(4));
                a.recover(&OpenRequest::new(&id(2), None), sa).unwrap();
                let cn = a.poll_transmit(NOW, &mut wire).unwrap().unwrap();
                b.handle_tsdu(NOW, &wire[..cn]).unwrap();
                let Some(Event::RecoverIndication { lost, .. }) = b.poll_event() else {
                    panic!("no recover indication");
                };
                let (kept, ()) = table.take(NOW, &lost).unwrap();
                b.accept_recovery(kept).unwrap();
                back(&mut b, &mut a, &mut wire);
                // The rest: about half the APDU again (the tail kept, then the source
                // from where it ends), then the confirm.
                let got = finish(&mut a, &mut b, &mut wire, &data);
                assert_eq!(got, APDU - resumed_at);
            },
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
