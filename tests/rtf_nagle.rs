//! A foreign sender must not wait on our receiver. ISODE's rtf and the PP MTA write a TSDU in
//! several pieces with Nagle's algorithm on: after the receiver's MIAs the first piece leaves
//! at once and the rest waits for its ACK. A receiver whose ACK is delayed (about 40 ms on
//! Linux) stalls such a sender once per window; against ISODE's sender 24 MiB took 43 s
//! instead of 3 s.
//!
//! Here the peer plays that sender (every TPKT its own write, Nagle on, checkpoints of 1 KiB,
//! a window of 3, TPDUs of 2048 octets) and `rtf recv` must take its file at most
//! `RTF_NAGLE_MAX_RATIO` times as long as from our own sender, side by side in one run. The
//! mirror case: our sender against a receiver that delays its ACKs is no slower either.
//!
//! `RTF_NAGLE_MIB` sets the file size. The suite runs 1 MiB in debug with a bound of 3, far
//! below what the stall costs (about 200 times) and far above what a loaded CI machine adds;
//! `ci/rtf-nagle.sh 24` runs 24 MiB in release with the bound of 1.5 and prints the
//! times.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use x400_io::rtf::{Receiver, RecvOptions, SendOptions, send};

const MIB: usize = 1 << 20;
/// Runs of each sender, alternating; the best of each is compared (the machine is shared).
const ROUNDS: usize = 5;
/// The bound the suite applies unless `RTF_NAGLE_MAX_RATIO` says otherwise.
const DEFAULT_MAX_RATIO: f64 = 3.0;

fn file_size() -> usize {
    std::env::var("RTF_NAGLE_MIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        * MIB
}

fn max_ratio() -> f64 {
    std::env::var("RTF_NAGLE_MAX_RATIO")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(DEFAULT_MAX_RATIO)
}

/// A receiver on a loopback port, with or without immediate ACKs.
async fn receiver(dir: &Path, quick_ack: bool) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let receiver = Receiver::new(RecvOptions {
        dir: dir.to_path_buf(),
        keep: Duration::from_secs(10),
        checkpoint: 1,
        window: 3,
        max_size: 64 * MIB,
        keep_octets: 64 * MIB,
        quick_ack,
    });
    tokio::spawn(Arc::clone(&receiver).serve(listener));
    addr
}

/// Sends `data` as `name` to `addr` with checkpoints of 1 KiB and a window of 3; `pieces`
/// makes the sender write as ISODE's does. Returns the time the transfer took.
async fn timed(addr: SocketAddr, dir: &Path, name: &str, data: &[u8], pieces: bool) -> Duration {
    let source = dir.join(format!("{name}.source"));
    std::fs::write(&source, data).unwrap();
    let opts = SendOptions {
        destination: addr,
        local: None,
        file: source,
        name: name.to_owned(),
        user: "ftp".into(),
        password: String::new(),
        checkpoint: 1,
        window: 3,
        state: dir.join(format!("{name}.rtf-state")),
        retry_for: Duration::from_secs(120),
    };
    let start = Instant::now();
    let report = send(&opts, &mut |l| {
        if pieces {
            l.net.write_in_pieces();
        }
    })
    .await
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let took = start.elapsed();
    assert_eq!(report.connections, 1, "{name}: {report:?}");
    assert_eq!(
        report.checkpoints_confirmed,
        (data.len() / 1024 - 1) as u64,
        "{name}: every checkpoint confirmed"
    );
    assert_eq!(
        std::fs::read(dir.join(name)).unwrap(),
        data,
        "{name} intact"
    );
    took
}

fn mib_per_s(size: usize, t: Duration) -> f64 {
    size as f64 / MIB as f64 / t.as_secs_f64()
}

/// Runs `a` and `b` alternately [`ROUNDS`] times each and returns the best time of each.
async fn side_by_side(
    (addr_a, pieces_a): (SocketAddr, bool),
    (addr_b, pieces_b): (SocketAddr, bool),
    dir: &Path,
    label: &str,
) -> (Duration, Duration) {
    let size = file_size();
    let data: Vec<u8> = (0..size).map(|i| (i * 7 + i / 4093) as u8).collect();
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for round in 0..ROUNDS {
        let a = timed(addr_a, dir, &format!("{label}-a{round}"), &data, pieces_a).await;
        let b = timed(addr_b, dir, &format!("{label}-b{round}"), &data, pieces_b).await;
        best_a = best_a.min(a);
        best_b = best_b.min(b);
    }
    (best_a, best_b)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rtf-nagle-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One test, so that the two measurements never run at the same time on the 2 cores.
#[test]
fn neither_side_waits_for_a_delayed_ack() {
    a_sender_writing_in_pieces_with_nagle_on_is_not_stalled_by_our_receiver();
    our_sender_is_not_slowed_by_a_receiver_that_delays_its_acks();
}

fn a_sender_writing_in_pieces_with_nagle_on_is_not_stalled_by_our_receiver() {
    runtime().block_on(async {
        let dir = scratch("recv");
        let addr = receiver(&dir, true).await;
        let (foreign, ours) = side_by_side((addr, true), (addr, false), &dir, "foreign").await;
        let size = file_size();
        println!(
            "{} MiB to rtf recv: foreign-style sender {:.3} s ({:.1} MiB/s), our sender {:.3} s ({:.1} MiB/s), ratio {:.2}",
            size / MIB,
            foreign.as_secs_f64(),
            mib_per_s(size, foreign),
            ours.as_secs_f64(),
            mib_per_s(size, ours),
            foreign.as_secs_f64() / ours.as_secs_f64()
        );
        assert!(
            foreign.as_secs_f64() <= max_ratio() * ours.as_secs_f64(),
            "a Nagle-on sender writing in pieces took {foreign:?}, ours {ours:?}"
        );
        std::fs::remove_dir_all(&dir).ok();
    });
}

fn our_sender_is_not_slowed_by_a_receiver_that_delays_its_acks() {
    runtime().block_on(async {
        let dir = scratch("send");
        let delaying = receiver(&dir, false).await;
        let prompt = receiver(&dir, true).await;
        let (slow_acks, quick_acks) =
            side_by_side((delaying, false), (prompt, false), &dir, "mirror").await;
        let size = file_size();
        println!(
            "{} MiB from our sender: to a delayed-ACK receiver {:.3} s ({:.1} MiB/s), to rtf recv {:.3} s ({:.1} MiB/s), ratio {:.2}",
            size / MIB,
            slow_acks.as_secs_f64(),
            mib_per_s(size, slow_acks),
            quick_acks.as_secs_f64(),
            mib_per_s(size, quick_acks),
            slow_acks.as_secs_f64() / quick_acks.as_secs_f64()
        );
        assert!(
            slow_acks.as_secs_f64() <= max_ratio() * quick_acks.as_secs_f64(),
            "our sender took {slow_acks:?} against delayed ACKs, {quick_acks:?} against rtf recv"
        );
        std::fs::remove_dir_all(&dir).ok();
    });
}
