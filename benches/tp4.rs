//! TP4 goodput over the seeded simulator (0% and 5% loss) and throughput over UDP loopback.
//!
//! `cargo bench --bench tp4`
//!
//! Goodput is TSDU octets delivered divided by the octets the initiator offered to the
//! network (every TPDU it sent, headers and retransmissions included); it is printed once
//! per loss rate before the timings. The simulated transfers are also timed (CPU cost of
//! the machines), and the UDP group reports MB/s over two loopback sockets.

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core
)]

use core::time::Duration;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use x400::transport::TpduSize;
use x400::transport::tp4::Config;
use x400_test_kit::tp4::sim::SimConfig;
use x400_test_kit::tp4::{transfer, udp};

/// Octets moved per simulated transfer: 4 TSDUs of 1 MiB.
const SIM_TSDUS: usize = 4;
const SIM_TSDU_LEN: usize = 1 << 20;

fn sim_config() -> Config {
    {
        let mut c = Config::default();
        c.tpdu_size = TpduSize::S8192;
        c.credit = 64;
        c.retransmit_time = Duration::from_millis(100);
        c
    }
}

/// One transfer at `loss_ppm`; returns (goodput fraction, octets per simulated second).
fn sim_transfer(seed: u64, loss_ppm: u32) -> (f64, f64) {
    let tsdus = vec![vec![0x3c; SIM_TSDU_LEN]; SIM_TSDUS];
    let net = SimConfig {
        loss_ppm,
        ..SimConfig::default()
    };
    let o = transfer(
        seed,
        net,
        sim_config(),
        sim_config(),
        &tsdus,
        &[],
        Duration::from_secs(3_600),
    );
    assert!(
        o.all_acknowledged,
        "transfer failed: {:?}",
        o.sender_failure
    );
    let delivered: usize = o.delivered.iter().map(Vec::len).sum();
    assert_eq!(delivered, SIM_TSDUS * SIM_TSDU_LEN);
    (
        delivered as f64 / o.stats.sent_octets[0] as f64,
        delivered as f64 / o.end.as_secs_f64(),
    )
}

fn bench_sim(c: &mut Criterion) {
    for (name, loss) in [("0%", 0), ("5%", 50_000)] {
        let runs: Vec<_> = (0..20).map(|seed| sim_transfer(seed, loss)).collect();
        let goodput = runs.iter().map(|r| r.0).sum::<f64>() / runs.len() as f64;
        let rate = runs.iter().map(|r| r.1).sum::<f64>() / runs.len() as f64;
        println!(
            "tp4 simulator, {name} loss: goodput {:.4} of offered load, {:.1} MB per simulated second \
             (mean of 20 seeds, 4 x 1 MiB, TPDU 8192, credit 64, delay 1-10 ms)",
            goodput,
            rate / 1e6
        );
    }
    let mut g = c.benchmark_group("tp4_sim");
    g.throughput(Throughput::Bytes((SIM_TSDUS * SIM_TSDU_LEN) as u64));
    g.sample_size(10);
    for (name, loss) in [("loss_0", 0), ("loss_5pct", 50_000)] {
        g.bench_function(name, |b| b.iter(|| black_box(sim_transfer(1, loss))));
    }
    g.finish();
}

fn bench_udp(c: &mut Criterion) {
    const TOTAL: usize = 16 << 20;
    let mut g = c.benchmark_group("tp4_udp_loopback");
    g.throughput(Throughput::Bytes(TOTAL as u64));
    g.sample_size(10);
    // Credit 8: the window fits the default UDP receive buffer (see examples/tp4_udp.rs).
    g.bench_function("16MiB_tsdu64KiB_credit8", |b| {
        b.iter(|| black_box(udp::loopback(TOTAL, 64 * 1024, 8)))
    });
    g.finish();
}

criterion_group!(benches, bench_sim, bench_udp);
criterion_main!(benches);
