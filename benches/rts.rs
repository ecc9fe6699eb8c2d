//! RTS PDU codec cost: ns per PConnect decode and encode, for the PConnects that matter
//! (an `open` with a P1 bind, and a `recover`), and per PAccept/PRefuse decode.
//!
//! `cargo bench --bench rts`

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(clippy::unwrap_used, clippy::std_instead_of_core)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use x400::rts::{PAccept, PConnect, PRefuse};

/// rts-p1.md §1.3: open with an MTA bind, checkpoint 30, window 5, monologue, P1.
const OPEN: &[u8] = &[
    0x31, 0x2a, 0xa0, 0x03, 0x80, 0x01, 0x00, 0xa1, 0x23, 0x80, 0x01, 0x1e, 0x81, 0x01, 0x05, 0x82,
    0x01, 0x00, 0xa3, 0x15, 0xa0, 0x13, 0xa1, 0x11, 0x80, 0x05, 0x4d, 0x54, 0x41, 0x2d, 0x41, 0xa1,
    0x08, 0x16, 0x06, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x84, 0x01, 0x01,
];

/// rts-p1.md §7.2: recover of "mta-a.example" / 940214103000Z.
const RECOVER: &[u8] = &[
    0x31, 0x32, 0xa0, 0x03, 0x80, 0x01, 0x00, 0xa1, 0x2b, 0x80, 0x01, 0x1e, 0x81, 0x01, 0x05, 0xa3,
    0x20, 0xa1, 0x1e, 0x14, 0x0d, 0x6d, 0x74, 0x61, 0x2d, 0x61, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70,
    0x6c, 0x65, 0x17, 0x0d, 0x39, 0x34, 0x30, 0x32, 0x31, 0x34, 0x31, 0x30, 0x33, 0x30, 0x30, 0x30,
    0x5a, 0x84, 0x01, 0x01,
];

/// ISODE's PAccept answering `rtf` (rts-p1.md §7.1).
const ACCEPT: &[u8] = &[
    0x31, 0x13, 0xa0, 0x03, 0x80, 0x01, 0x00, 0xa1, 0x0c, 0x80, 0x01, 0x01, 0x81, 0x01, 0x03, 0xa2,
    0x04, 0xa0, 0x02, 0x05, 0x00,
];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("rts");
    g.throughput(Throughput::Elements(1));
    for (name, wire) in [("open", OPEN), ("recover", RECOVER)] {
        g.bench_with_input(
            BenchmarkId::new("pconnect_decode", name),
            wire,
            |b, wire| b.iter(|| PConnect::decode(black_box(wire)).unwrap()),
        );
        let value = PConnect::decode(wire).unwrap();
        g.bench_with_input(BenchmarkId::new("pconnect_encode", name), &value, |b, v| {
            b.iter(|| black_box(v).encode().unwrap())
        });
    }
    g.bench_function("paccept_decode/isode", |b| {
        b.iter(|| PAccept::decode(black_box(ACCEPT)).unwrap())
    });
    g.bench_function("prefuse_decode", |b| {
        b.iter(|| PRefuse::decode(black_box(&[0x31, 0x03, 0x80, 0x01, 0x01])).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
