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
/// allowed, and small buffers (the client's memory is not measured, but 10,000 of them must
/// fit; a bind and a release need little).
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
    config.association.tp0_buffer = 16 << 10;
    config.association.rts.max_dt_len = 4 << 10;
    config.association.rts.session_buffer = 8 << 10;
    config.association.tp0.max_tsdu_len = 8 << 10;
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

/// CPU time (user + system) process `pid` has used, in clock ticks (`/proc/PID/stat`).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    field(11) + field(12)
}

/// Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`; 100 on Linux).
const TICKS: f64 = 100.0;

/// One round: completions per second, completions that stalled, and the CPU time the
/// server and this process (the initiators) used per completion, in microseconds.
#[derive(Debug, Clone, Copy)]
struct Round {
    rate: f64,
    stalls: u64,
    server_us: f64,
    client_us: f64,
}

/// `concurrency` loops of `work` for `secs` against the server process `server`.
async fn round<F, Fut>(concurrency: usize, secs: Duration, server: u32, work: F) -> Round
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let stalls = Arc::new(AtomicU64::new(0));
    let work = Arc::new(work);
    let cpu = (cpu_ticks(server), cpu_ticks(std::process::id()));
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
    let n = done.load(Ordering::Relaxed).max(1) as f64;
    let us = |ticks: u64| ticks as f64 / TICKS * 1e6 / n;
    Round {
        rate: n / started.elapsed().as_secs_f64(),
        stalls: stalls.load(Ordering::Relaxed),
        server_us: us(cpu_ticks(server).saturating_sub(cpu.0)),
        client_us: us(cpu_ticks(std::process::id()).saturating_sub(cpu.1)),
    }
}

fn summary(rounds: &[Round]) -> String {
    let median = |f: fn(&Round) -> f64| {
        let mut v: Vec<f64> = rounds.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        (
            v.get(v.len() / 2).copied().unwrap_or(0.0),
            v.last().copied().unwrap_or(0.0),
        )
    };
    let (rate, best) = median(|r| r.rate);
    format!(
        "best {best:>6.0}/s, median {rate:>6.0}/s; CPU per completion (median): server {:.0} us, \
         initiators {:.0} us (rounds: {}; completions over {STALL:?}: {})",
        median(|r| r.server_us).0,
        median(|r| r.client_us).0,
        rounds
            .iter()
            .map(|r| format!("{:.0}", r.rate))
            .collect::<Vec<_>>()
            .join(" "),
        rounds.iter().map(|r| r.stalls).sum::<u64>()
    )
}

async fn rate(rounds: usize, secs: Duration) {
    let exe = std::env::current_exe().unwrap();
    let server = ServerProcess::spawn(
        &exe,
        &["--handshake-ms", "10000", "--idle-ms", "60000"].map(String::from),
    );
    let (addr, raw, pid) = (server.addr, server.raw, server.pid());
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
                        round(concurrency, secs, pid, move || {
                            let (clients, i) = (clients.clone(), next());
                            async move { one(&clients[(i % u64::from(SOURCES)) as usize]).await }
                        })
                        .await,
                    );
                } else {
                    tcp.push(
                        round(concurrency, secs, pid, move || {
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
