//! Transport costs: class 0 DT decode and encode per TPDU, and a 1 MiB TSDU through the
//! TP0 machine (reassembly from DT TPKTs, and segmentation into them) in bytes/s.
//!
//! `cargo bench --bench transport`

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::cast_possible_truncation,
    missing_docs
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use x400::transport::tp0::{Config, Event, MAX_CONTROL_LEN, Tp0};
use x400::transport::{Data, Instant, Tpdu, TpduSize};

const MIB: usize = 1 << 20;

fn dt(len: usize) -> Vec<u8> {
    let mut v = vec![0x02, 0xf0, 0x80];
    v.extend(std::iter::repeat_n(0x5a, len));
    v
}

/// An open responder whose peer proposed `size` (the TPDU size the wire uses).
fn open_responder(size: TpduSize) -> Tp0<Vec<u8>> {
    let mut m = Tp0::responder(Config::default(), vec![0; MIB], Instant::ZERO).unwrap();
    let cr = [3, 0, 0, 14, 9, 0xe0, 0, 0, 0, 7, 0, 0xc0, 1, size.0];
    m.handle_input(Instant::ZERO, &cr);
    assert!(matches!(
        m.poll_event(),
        Some(Event::ConnectIndication { .. })
    ));
    m.accept(None, &[]).unwrap();
    let mut cc = [0u8; MAX_CONTROL_LEN];
    m.poll_transmit(Instant::ZERO, &mut cc).unwrap();
    m
}

fn wire_for(m: &Tp0<Vec<u8>>, tsdu: &[u8]) -> Vec<u8> {
    let mut seg = m.send(tsdu).unwrap();
    let mut buf = vec![0; seg.max_tpkt_len()];
    let mut wire = Vec::new();
    while let Some(n) = seg.write_next(&mut buf).unwrap() {
        wire.extend_from_slice(&buf[..n]);
    }
    wire
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("transport/dt");
    for len in [0usize, 1024, 65528] {
        let wire = dt(len);
        g.throughput(Throughput::Elements(1));
        g.bench_with_input(BenchmarkId::new("decode", len), &wire, |b, wire| {
            b.iter(|| Tpdu::decode(black_box(wire)).unwrap().1)
        });
        let payload = wire[3..].to_vec();
        // The output starts 64 octets into its allocation: allocated right after the
        // payload, a 64 KiB buffer puts the copied data 3 octets past a 4 KiB multiple from
        // its source and memcpy runs ten times slower (4K aliasing, measured 63 us against
        // 4-6 us), which says nothing about the codec.
        let mut backing = vec![0; wire.len() + 64];
        let out = &mut backing[64..];
        g.bench_with_input(BenchmarkId::new("encode", len), &payload, |b, p| {
            b.iter(|| {
                Tpdu::Dt(Data::class0(true, black_box(p)))
                    .encode(black_box(&mut *out))
                    .unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("transport/tsdu_1MiB");
    g.throughput(Throughput::Bytes(MIB as u64));
    let tsdu = vec![0xa5; MIB];
    for size in [TpduSize::S2048, TpduSize::S8192, TpduSize::S65531] {
        let octets = size.octets().unwrap();
        let mut m = open_responder(size);
        let wire = wire_for(&m, &tsdu);
        g.bench_function(BenchmarkId::new("reassemble", octets), |b| {
            b.iter(|| {
                let mut rest = &wire[..];
                let mut got = 0;
                while !rest.is_empty() {
                    let used = m.handle_input(Instant::ZERO, black_box(rest));
                    if let Some(Event::Data(d)) = m.poll_event() {
                        got = d.len();
                    }
                    rest = &rest[used..];
                }
                assert_eq!(got, MIB);
            })
        });
        let mut buf = vec![0; octets as usize + 4];
        g.bench_function(BenchmarkId::new("segment", octets), |b| {
            b.iter(|| {
                let mut seg = m.send(black_box(&tsdu)).unwrap();
                let mut n = 0;
                while let Some(k) = seg.write_next(&mut buf).unwrap() {
                    n += k;
                }
                n
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
