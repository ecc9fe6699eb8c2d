//! Session SPDU codec cost: decode and encode of a GT+DT pair carrying 1 KiB (the X.410
//! data phase, one RTS checkpoint unit) and of a CN carrying 512 octets of user data (the
//! most version 1 allows).
//!
//! `cargo bench --bench session`

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(clippy::unwrap_used, clippy::std_instead_of_core)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use x400::session::{
    Connect, ConnectAccept, Context, DataTransfer, GiveTokens, ProtocolOptions, Requirements, Si42,
    Spdu, Spdus, Tsdu, Version, encode_tsdu,
};

fn gt_dt(data: &[u8]) -> [Spdu<'_>; 2] {
    let dt = DataTransfer {
        user_info: data,
        ..DataTransfer::default()
    };
    [GiveTokens::default().into(), dt.into()]
}

fn connect(user_data: &[u8]) -> Spdu<'_> {
    Connect {
        connect_accept: Some(ConnectAccept {
            protocol_options: ProtocolOptions(0),
            version: Version(Version::V1 | Version::V2),
            ..ConnectAccept::default()
        }),
        requirements: Some(Requirements::X410),
        calling_ssel: Some(&[0, 1]),
        called_ssel: Some(&[0, 1]),
        user_data: Some(user_data),
        ..Connect::default()
    }
    .into()
}

fn bench(c: &mut Criterion) {
    let ctx = Context::new(Si42::MajorSyncAck);
    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(1));

    let data = vec![0x5a; 1024];
    let pair = Tsdu::from_spdus(&gt_dt(&data)).unwrap();
    let mut wire = vec![0; pair.encoded_len().unwrap()];
    pair.encode(false, &mut wire).unwrap();
    g.bench_function("decode/GT+DT 1KiB", |b| {
        b.iter(|| Tsdu::decode(black_box(&wire), ctx).unwrap().len())
    });
    g.bench_function("iterate/GT+DT 1KiB", |b| {
        b.iter(|| {
            Spdus::new(black_box(&wire), ctx)
                .map(|s| match s.unwrap() {
                    Spdu::DataTransfer(dt) => dt.user_info.len(),
                    _ => 0,
                })
                .sum::<usize>()
        })
    });
    let mut out = vec![0; wire.len()];
    g.bench_function("encode/GT+DT 1KiB", |b| {
        b.iter(|| encode_tsdu(&gt_dt(black_box(&data)), false, black_box(&mut out)).unwrap())
    });

    let user = vec![0xa5; 512];
    let cn = Tsdu::from_spdus(&[connect(&user)]).unwrap();
    let mut wire = vec![0; cn.encoded_len().unwrap()];
    cn.encode(false, &mut wire).unwrap();
    g.bench_function("decode/CN 512B", |b| {
        b.iter(|| Tsdu::decode(black_box(&wire), ctx).unwrap().len())
    });
    let mut out = vec![0; wire.len()];
    g.bench_function("encode/CN 512B", |b| {
        b.iter(|| {
            connect(black_box(&user))
                .encode(black_box(&mut out))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
