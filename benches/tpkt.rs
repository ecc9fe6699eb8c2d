//! TPKT framing throughput: frames/s for decode and encode at 64 B, 1 KiB and 64 KiB.
//!
//! `cargo bench --bench tpkt`

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use x400::tpkt::{Frame, Frames, MAX_PACKET_LEN};

const SIZES: [(&str, usize); 3] = [("64B", 64), ("1KiB", 1024), ("64KiB", MAX_PACKET_LEN)];

fn frame_of(packet_len: usize) -> Vec<u8> {
    let payload = vec![0x5a; packet_len - 4];
    let mut v = Vec::new();
    Frame::new(&payload).unwrap().encode_to_vec(&mut v);
    v
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("tpkt");
    for (name, len) in SIZES {
        let wire = frame_of(len);
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::new("decode", name), &wire, |b, wire| {
            b.iter(|| Frame::decode(black_box(wire)).unwrap().unwrap().1)
        });
        let payload = wire[4..].to_vec();
        let mut out = vec![0; len];
        g.bench_with_input(BenchmarkId::new("encode", name), &payload, |b, payload| {
            b.iter(|| {
                Frame::new(black_box(payload))
                    .unwrap()
                    .encode(black_box(&mut out))
                    .unwrap()
            })
        });
    }
    // A read that holds 64 small frames: the stream iterator's per-frame cost.
    let stream: Vec<u8> = (0..64).flat_map(|_| frame_of(64)).collect();
    g.throughput(Throughput::Elements(64));
    g.bench_function("iterate/64x64B", |b| {
        b.iter(|| Frames::new(black_box(&stream)).count())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
