//! Session protocol machine throughput through two machines wired back to back:
//! data SPDUs (GT + DT, 1 KiB) per second, and minor sync round trips (GT + MIP, PT + MIA)
//! per second inside an activity.
//!
//! `cargo bench --bench session_machine`

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use x400::session::Requirements;
use x400::session::machine::{AcceptRequest, Config, ConnectRequest, Instant, Role, Session};

type Machine = Session<Vec<u8>>;

const BUF: usize = 16 * 1024;

/// Moves one TSDU from `from` to `to` through `wire` and drains `to`'s events.
fn hop(from: &mut Machine, to: &mut Machine, wire: &mut [u8]) -> usize {
    let n = from.poll_transmit(Instant::ZERO, wire).unwrap().unwrap();
    to.handle_tsdu(Instant::ZERO, &wire[..n]).unwrap();
    let mut events = 0;
    while let Some(e) = to.poll_event() {
        black_box(&e);
        events += 1;
    }
    events
}

fn pair(fu: u16) -> (Machine, Machine, Vec<u8>) {
    let mut a = Session::new(
        Role::Initiator,
        Config::default(),
        vec![0; BUF],
        vec![0; BUF],
    );
    let mut b = Session::new(
        Role::Responder,
        Config::default(),
        vec![0; BUF],
        vec![0; BUF],
    );
    let mut wire = vec![0; BUF];
    a.connect(&ConnectRequest::new(Requirements(fu))).unwrap();
    hop(&mut a, &mut b, &mut wire);
    b.accept(&AcceptRequest::new(Requirements(fu))).unwrap();
    hop(&mut b, &mut a, &mut wire);
    (a, b, wire)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("session_machine");
    g.throughput(Throughput::Elements(1));

    let (mut a, mut b, mut wire) = pair(Requirements::DUPLEX);
    let payload = vec![0x5a; 1024];
    g.bench_function("data_1KiB", |bench| {
        bench.iter(|| {
            a.send_data(black_box(&payload)).unwrap();
            hop(&mut a, &mut b, &mut wire)
        })
    });

    let (mut a, mut b, mut wire) = pair(0x0249);
    a.activity_start(&[1], &[]).unwrap();
    hop(&mut a, &mut b, &mut wire);
    g.bench_function("minor_sync_round_trip", |bench| {
        bench.iter(|| {
            if a.vm() > 999_000 {
                // Serial numbers end at 999 998: a new activity starts again at 1.
                a.activity_end(&[]).unwrap();
                hop(&mut a, &mut b, &mut wire);
                b.activity_end_response(&[]).unwrap();
                hop(&mut b, &mut a, &mut wire);
                a.activity_start(&[1], &[]).unwrap();
                hop(&mut a, &mut b, &mut wire);
            }
            let sn = a.minor_sync(true, &[]).unwrap();
            hop(&mut a, &mut b, &mut wire);
            b.minor_sync_response(sn, &[]).unwrap();
            let n = hop(&mut b, &mut a, &mut wire);
            debug_assert!(n == 1);
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
