//! MTA associations on loopback against a server in a child process (the same binary with
//! `--serve`, so that its memory is its own):
//!
//! * `rate [ROUNDS] [SECONDS]`: associations opened, bound and released per second by 1 and
//!   by 64 concurrent initiators (MTA-A's shell), beside a raw TCP connect + close loop
//!   against a listener of the same server process that accepts and closes. The two
//!   alternate, ROUNDS times each (default 5) for SECONDS each (default 1), and the best
//!   round of each is reported with the median (the machine is shared and noisy).
//! * `idle N [CHURN]`: the server's resident memory (VmRSS) before and after N bound idle
//!   associations are opened to it, per association. With CHURN, a storm of that many
//!   attempts runs first, so that the server's allocator has been through connections that
//!   came and went, as a long-running MTA's has.
//!
//! `ci/mta-bench.sh`, or `cargo bench --bench mta_assoc -- rate` / `-- idle 10000`.

// Bench set-up may unwrap: a failure there is a broken bench, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::cast_possible_truncation
)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::net::TcpSocket;
use tokio::task::JoinSet;
use x400_mta::association::{Ended, Event};
use x400_mta::shell::{Handle, Shell, ShellConfig};
use x400_mta::{Accounting, Limits, Protocol};
use x400_test_kit::mta::child::{SERVE, ServerProcess, serve};
use x400_test_kit::mta::storm::{Storm, run};
use x400_test_kit::mta::table_a;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == SERVE) {
        return serve(&args);
    }
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let num = |i: usize, default: u64| words.get(i).and_then(|w| w.parse().ok()).unwrap_or(default);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    match words.first().copied() {
        Some("idle") => rt.block_on(idle(num(1, 10_000) as usize, num(2, 0) as usize)),
        // `cargo bench` with no arguments runs the rate.
        _ => rt.block_on(rate(num(1, 5) as usize, Duration::from_secs(num(2, 1)))),
    }
}

/// Source addresses the initiators connect from, in turn. One address to one server port
/// runs out of ephemeral ports within seconds at these rates (28,232 ports, each held 60 s
/// in TIME_WAIT, and the kernel's search for a free one slows down long before), which
/// would measure the port search rather than the MTA; the raw TCP loop uses the same ones.
const SOURCES: u8 = 64;

fn source(i: u64) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 1, 1 + (i % u64::from(SOURCES)) as u8))
}

/// MTA-A's shell towards `server`, from `from` if given: many outbound associations
/// allowed, and buffers a tenth of the defaults (the client's memory is not measured, but
/// 10,000 of them must fit).
fn client(server: SocketAddr, associations: usize, from: Option<IpAddr>) -> Shell {
    let mut table = table_a(Protocol::P1984);
    let mut b = table.get("MTA-B").unwrap().clone();
    b.addresses = vec![server];
    b.max_outbound = associations;
    table.insert(b);
    let mut limits = Limits::default();
    limits.max_associations = associations;
    limits.max_handshakes = associations;
    limits.max_memory = usize::MAX;
    let mut config = ShellConfig::default();
    config.association.tp0_buffer = 64 << 10;
    config.association.rts.session_buffer = 32 << 10;
    config.association.tp0.max_tsdu_len = 32 << 10;
    config.association.idle_timeout = Duration::from_secs(3_600);
    config.local_address = from.map(|ip| SocketAddr::new(ip, 0));
    Shell::new(config, table, Accounting::new(limits))
}

/// Opens an association and waits for its bind.
async fn bound(client: &Shell) -> Handle {
    let mut h = client.connect("MTA-B").await.unwrap();
    match h.next().await {
        Some(Event::Bound { .. }) => h,
        other => panic!("not bound: {other:?}"),
    }
}

/// One association opened, bound and released.
async fn one(client: &Shell) {
    let mut h = bound(client).await;
    h.close().await.unwrap();
    loop {
        match h.next().await {
            Some(Event::Ended(Ended::Released)) => return,
            Some(Event::Ended(why)) => panic!("ended: {why}"),
            Some(_) => {}
            None => panic!("no end"),
        }
    }
}

/// A completion that took longer than this counts as a stall (a lost SYN waits 1 s).
const STALL: Duration = Duration::from_millis(200);

/// `concurrency` loops of `work` for `secs`; returns completions per second, and how many
/// completions stalled.
async fn round<F, Fut>(concurrency: usize, secs: Duration, work: F) -> (f64, u64)
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let stalls = Arc::new(AtomicU64::new(0));
    let work = Arc::new(work);
    let started = Instant::now();
    let end = started + secs;
    let mut loops = JoinSet::new();
    for _ in 0..concurrency {
        let (done, stalls, work) = (done.clone(), stalls.clone(), work.clone());
        loops.spawn(async move {
            while Instant::now() < end {
                let t = Instant::now();
                work().await;
                done.fetch_add(1, Ordering::Relaxed);
                if t.elapsed() > STALL {
                    stalls.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while loops.join_next().await.is_some() {}
    (
        done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
        stalls.load(Ordering::Relaxed),
    )
}

fn summary(rounds: &[(f64, u64)]) -> String {
    let mut rates: Vec<f64> = rounds.iter().map(|r| r.0).collect();
    rates.sort_by(f64::total_cmp);
    format!(
        "best {:>7.0}/s, median {:>7.0}/s (rounds: {}; completions over {STALL:?}: {})",
        rates.last().copied().unwrap_or(0.0),
        rates.get(rates.len() / 2).copied().unwrap_or(0.0),
        rounds
            .iter()
            .map(|r| format!("{:.0}", r.0))
            .collect::<Vec<_>>()
            .join(" "),
        rounds.iter().map(|r| r.1).sum::<u64>()
    )
}

async fn rate(rounds: usize, secs: Duration) {
    let exe = std::env::current_exe().unwrap();
    let server = ServerProcess::spawn(
        &exe,
        &["--handshake-ms", "10000", "--idle-ms", "60000"].map(String::from),
    );
    let (addr, raw) = (server.addr, server.raw);
    println!("mta_assoc rate: {rounds} rounds of {secs:?} each, alternating");
    let clients: Arc<Vec<Shell>> = Arc::new(
        (0..u64::from(SOURCES))
            .map(|i| client(addr, 1024, Some(source(i))))
            .collect(),
    );
    let turn = Arc::new(AtomicU64::new(0));
    for concurrency in [1, 64] {
        let (mut mta, mut tcp) = (Vec::new(), Vec::new());
        for r in 0..rounds {
            // Alternate which goes first, so that neither always gets the quieter moment.
            for first in [r % 2 == 0, r % 2 == 1] {
                let (clients, turn) = (clients.clone(), turn.clone());
                let next = move || turn.fetch_add(1, Ordering::Relaxed);
                if first {
                    mta.push(
                        round(concurrency, secs, move || {
                            let (clients, i) = (clients.clone(), next());
                            async move { one(&clients[(i % u64::from(SOURCES)) as usize]).await }
                        })
                        .await,
                    );
                } else {
                    tcp.push(
                        round(concurrency, secs, move || {
                            let from = source(next());
                            async move {
                                let socket = TcpSocket::new_v4().unwrap();
                                socket.bind(SocketAddr::new(from, 0)).unwrap();
                                drop(socket.connect(raw).await.unwrap());
                            }
                        })
                        .await,
                    );
                }
            }
        }
        println!(
            "  {concurrency:>2} initiator(s): associations {}",
            summary(&mta)
        );
        println!(
            "  {concurrency:>2} initiator(s): TCP connect+close {}",
            summary(&tcp)
        );
    }
    for c in clients.iter() {
        c.shutdown().await;
    }
    server.quit();
}

async fn idle(n: usize, churn: usize) {
    let exe = std::env::current_exe().unwrap();
    let max = (n + 256).to_string();
    let mut server = ServerProcess::spawn(
        &exe,
        &["--idle-ms", "3600000", "--max-associations", &max].map(String::from),
    );
    std::thread::sleep(Duration::from_millis(200));
    let fresh = server.rss_kib();
    if churn > 0 {
        let report = run(Storm::new(server.addr, churn)).await;
        assert_eq!(
            report.of(x400_test_kit::mta::storm::Kind::Valid).failures,
            Vec::<String>::new()
        );
        server.command("idle 20000");
        server.command("settle 10000");
        println!(
            "mta_assoc idle: after a storm of {churn} attempts the server holds {:.1} MiB (fresh: {:.1} MiB)",
            server.rss_kib() as f64 / 1024.0,
            fresh as f64 / 1024.0
        );
    }
    let before = server.rss_kib();
    let client = Arc::new(client(server.addr, n + 64, None));
    let started = Instant::now();
    let mut opening = JoinSet::new();
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let c = client.clone();
        opening.spawn(async move { bound(&c).await });
        if i >= 64 {
            handles.push(opening.join_next().await.unwrap().unwrap());
        }
    }
    while let Some(h) = opening.join_next().await {
        handles.push(h.unwrap());
    }
    let opened = started.elapsed();
    // Let the server's last reads and the bind's log lines settle.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let counters = server.command("counters");
    let after = server.rss_kib();
    let per = (after.saturating_sub(before)) as f64 * 1024.0 / n as f64;
    println!("server {counters}");
    println!(
        "mta_assoc idle: {n} bound idle associations (opened in {:.1} s): server VmRSS {:.1} MiB \
         before, {:.1} MiB after: {:.1} KiB per association",
        opened.as_secs_f64(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        per / 1024.0
    );
    drop(handles);
    client.shutdown().await;
    server.quit();
}
