//! The MTA storm at full size, with the server's resident memory: N connection attempts
//! (default 20,000; every failure a network and a bad peer produce, among valid associations
//! that must all succeed, 48 at a time) against an MTA shell running in a child process, whose
//! VmRSS is read from `/proc` at start, after a warm-up storm of 1,000 attempts, at the peak
//! (sampled every 10 ms) and after the storm. The run exits non-zero if a valid association
//! failed, if the accounting does not return to zero, or if memory after the storm is more
//! than 10 % above where it was after the warm-up.
//!
//! Why the baseline is taken after the warm-up: the first attempts cost memory once and for
//! all (glibc's arenas for the runtime's worker threads, the runtime's I/O driver slabs sized
//! for 48 sockets at once). That is printed too, beside the cold start; what must not grow is
//! memory kept per attempt, the field failure this storm is about. Buffers grow on demand and
//! are given back when empty (`osi_sansio::GrowBuf`), so an association holds little memory
//! and the allocator's high-water mark stays low.
//!
//! `ci/mta-storm.sh [N]`, or `cargo bench --bench mta_storm -- N`. The test suite runs the
//! same storm at 2,000 attempts (`tests/mta/storm.rs`).

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::std_instead_of_core,
    clippy::cast_possible_truncation
)]

use std::time::{Duration, Instant};

use x400_test_kit::mta::child::{SERVE, ServerProcess, serve};
use x400_test_kit::mta::storm::{Storm, run};

/// How far above its starting point the server's memory may stay afterwards.
const AFTER_TOLERANCE: f64 = 0.10;
/// Attempts of the warm-up storm.
const WARM_UP: usize = 1_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == SERVE) {
        return serve(&args);
    }
    let attempts = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000usize);
    let exe = std::env::current_exe().unwrap();
    let mut server = ServerProcess::spawn(&exe, &[]);
    // Let the child finish starting before its baseline is taken.
    std::thread::sleep(Duration::from_millis(200));
    let cold = server.rss_kib();
    let sampler = server.sample_rss(Duration::from_millis(10));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // A first, smaller storm pays what the first attempts cost once (see above).
    let mut warm_up = Storm::new(server.addr, WARM_UP);
    warm_up.seed = 2;
    rt.block_on(run(warm_up));
    server.command("idle 20000");
    server.command("settle 10000");
    let before = server.rss_kib();
    let started = Instant::now();
    let report = rt.block_on(run(Storm::new(server.addr, attempts)));
    let storm_time = started.elapsed();
    // The silent attackers' timeouts and the tasks' lingers run out before "after".
    let idle = server.command("idle 20000");
    let settled = server.command("settle 10000");
    let after = server.rss_kib();
    let peak = sampler.stop();
    let tally = server.command("tally");
    let counters = server.command("counters");
    server.quit();

    print!("{report}");
    println!("server {tally}");
    println!("server {counters}");
    println!("server {idle}");
    println!("server {settled} association tasks left");
    println!(
        "attempts per second: {:.0}",
        attempts as f64 / storm_time.as_secs_f64()
    );
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "server VmRSS: at start {:.1} MiB; after a warm-up storm of {WARM_UP} attempts \
         (before) {:.1} MiB, peak {:.1} MiB, after {:.1} MiB ({:+.1} % of before)",
        mib(cold),
        mib(before),
        mib(peak),
        mib(after),
        (after as f64 / before as f64 - 1.0) * 100.0,
    );
    let mut failed = Vec::new();
    for (kind, o) in &report.kinds {
        if o.ok != o.attempts {
            failed.push(format!("{kind:?}: {:?}", o.failures));
        }
    }
    if !idle.starts_with("idle ok") {
        failed.push("the accounting did not return to zero".into());
    }
    if after as f64 > before as f64 * (1.0 + AFTER_TOLERANCE) {
        failed.push(format!(
            "the server's memory stayed {:.1} MiB above where it was before the storm",
            mib(after.saturating_sub(before))
        ));
    }
    if failed.is_empty() {
        println!("mta storm: ok");
    } else {
        for f in &failed {
            println!("mta storm: FAILED: {f}");
        }
        std::process::exit(1);
    }
}
