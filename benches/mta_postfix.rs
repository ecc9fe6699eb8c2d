//! The MTA beside Postfix (`ci/mta-postfix-bench.sh` runs both and prints one table):
//!
//! * `accept [N] [CONC]`: durable acceptance. One MTA ("B") runs in a child process (this
//!   binary with `--node DIR`, so that its costs are its own), its store in a fresh directory
//!   under `$X400_BENCH_DIR` (default [`DEFAULT_DIR`], the disk Postfix queues on). This
//!   process is its peer MTA ("A"): CONC associations opened by the library's shell, bound
//!   first, then each transfers its share of N P1 messages (1988, one recipient, content of
//!   [`CONTENT_LEN`] octets) one after the other on the same association, as a peer MTA does.
//!   A message counts once its transfer APDU is secured: B has committed it to its SQLite
//!   store (WAL, `synchronous = FULL`: fsynced) before the AEA goes out. Prints messages per
//!   second (wall time from the first transfer to the last secured), the group commits and
//!   B's CPU per message.
//!
//!   The messages are kept: their one recipient routes to a peer ("Z") that never answers
//!   (a listener of B's process that never accepts: TCP connects, the TP0 CR waits for the
//!   handshake timeout, far longer than a run). B's relay worker for Z claims the first
//!   batch and then waits on that association, so the run measures acceptance and nothing
//!   else, as Postfix putting every message on hold does (the script's `HOLD`).
//! * `latency [RATE] [SECONDS]`: three MTAs A → B → C in this process (the test kit's
//!   network: own stores, loopback associations), RATE messages per second of
//!   [`CONTENT_LEN`] octets submitted at A for SECONDS, each timed from the call to
//!   `Mta::submit` to its content file appearing in the recipient's Maildir `new/` at C (a
//!   reader thread looks every [`POLL`] and takes what it finds to `cur/`, as a mail reader
//!   does, so that each look is cheap). Prints p50, p99, max and the count.
//!
//! `cargo bench --bench mta_postfix -- accept 4000 4` / `-- latency 100 20`.

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

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use x400_mta::association::Event;
use x400_mta::mailbox::{DeliveryRecord, LocalUsers};
use x400_mta::mta::{Mta, MtaConfig, RetryPolicy, Submission};
use x400_mta::routing::{OrPattern, Route, RouteTable, Target};
use x400_mta::shell::{Handle, Shell, ShellConfig};
use x400_mta::store::{SqliteStore, StoreConfig};
use x400_mta::{Accounting, Limits, Peer, PeerTable, Protocol, Secret};
use x400_p1::mta_abstract_service::{
    DomainSuppliedInformation, MessageTransferEnvelope, PerRecipientMessageTransferFields,
    RoutingAction, TraceInformation, TraceInformationElement,
};
use x400_p1::mts_abstract_service::{BuiltInContentType, MtsIdentifier};
use x400_p1::stream::message_prefix;
use x400_p1::{BitString, Ia5String};
use x400_test_kit::mta::net::{ALICE, Spec, chain, domain, start, wait_for};

/// The argument that makes this binary the accepting MTA.
const NODE: &str = "--node";
/// Where the accepting MTA's store goes unless `X400_BENCH_DIR` says: on the disk, not a
/// tmpfs, as Postfix's queue is (`/var/spool`).
const DEFAULT_DIR: &str = "/var/tmp";
/// The environment variable naming that directory.
const DIR_ENV: &str = "X400_BENCH_DIR";
/// Content octets of every message: the 2 KiB of the comparison (`smtp-source -l 2048`).
const CONTENT_LEN: usize = 2048;
/// Messages of `accept` unless given.
const DEFAULT_MESSAGES: usize = 2_000;
/// Concurrent associations of `accept` unless given.
const DEFAULT_CONCURRENCY: usize = 1;
/// Messages per second of `latency` unless given.
const DEFAULT_RATE: u64 = 100;
/// Seconds of `latency` unless given.
const DEFAULT_SECONDS: u64 = 20;
/// APDUs given to an association before the first is secured: the next one is queued in
/// the association when the last one's confirmation arrives, so the link never waits for
/// this process's task to be scheduled. RTS transfers one APDU at a time all the same.
const WINDOW: usize = 2;
/// Associations the accepting MTA takes from its peer (the default per peer is fewer than
/// the comparison's 16).
const MAX_ASSOCIATIONS: usize = 64;
/// Runtime worker threads, in each process: the machine has two cores.
const WORKERS: usize = 2;
/// The accepting MTA's retry delay, should the black hole's handshake time out: the
/// messages stay queued for the whole run.
const NEVER: Duration = Duration::from_secs(24 * 3600);
/// How long `accept` waits for its associations to bind, and `latency` for the last
/// delivery after the last submission.
const PATIENCE: Duration = Duration::from_secs(60);
/// How long the accepting MTA may take to stop.
const QUIT_GRACE: Duration = Duration::from_secs(2);
/// How often the reader at C looks into the Maildir.
const POLL: Duration = Duration::from_millis(1);
/// The peer that never answers, and where the accepted messages are addressed.
const SINK_PEER: &str = "Z";
const SINK_DOMAIN: &str = "C=GB;ADMD= ;PRMD=Z";
const SINK: &str = "C=GB;ADMD= ;PRMD=Z;S=Sink";
/// The sending MTA's originator.
const SENDER: &str = "C=GB;ADMD= ;PRMD=A;S=Bench";
/// `latency`: the recipient at C (the originator is the test kit's Alice at A).
const CAROL: &str = "C=GB;ADMD= ;PRMD=C;S=Carol";
/// Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`; 100 on Linux).
const TICKS: f64 = 100.0;

fn main() {
    // Warnings only unless RUST_LOG says more: neither side of the comparison pays for a log
    // line per message (Postfix here has no syslog to write to).
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--") || *a == NODE)
        .collect();
    let num = |i: usize, default: u64| words.get(i).and_then(|w| w.parse().ok()).unwrap_or(default);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap();
    match words.first().copied() {
        Some(NODE) => rt.block_on(node(Path::new(words[1]))),
        Some("latency") => rt.block_on(latency(
            num(1, DEFAULT_RATE),
            Duration::from_secs(num(2, DEFAULT_SECONDS)),
        )),
        // `cargo bench` with no arguments runs `accept` with the defaults.
        _ => rt.block_on(accept(
            num(1, DEFAULT_MESSAGES as u64) as usize,
            num(2, DEFAULT_CONCURRENCY as u64).max(1) as usize,
        )),
    }
}

/// A peer entry of MTA `us` for MTA `name`: every MTA's password is `<name>-pw`, as in the
/// test kit's network.
fn peer(us: &str, name: &str, addresses: Vec<SocketAddr>, associations: usize) -> Peer {
    let mut p = Peer::new(
        name,
        Secret::new(format!("{name}-pw")),
        Secret::new(format!("{us}-pw")),
        Protocol::P1988X410,
    );
    p.addresses = addresses;
    p.max_inbound = p.max_inbound.max(associations);
    p.max_outbound = p.max_outbound.max(associations);
    p
}

/// Limits that admit `associations` at once besides the defaults.
fn limits(associations: usize) -> Limits {
    let mut l = Limits::default();
    l.max_associations = l.max_associations.max(associations);
    l.max_handshakes = l.max_handshakes.max(associations);
    l
}

/// The child: MTA B with its store in `dir`, listening on loopback. Prints `listening ADDR`;
/// answers `stats` with `stats RECEIVED COMMITS`; stops at `quit` or when stdin closes.
async fn node(dir: &Path) {
    // The black hole: the kernel completes the TCP handshake, nobody ever reads.
    let hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut table = PeerTable::new("B");
    table.insert(peer("B", "A", Vec::new(), MAX_ASSOCIATIONS));
    table.insert(peer("B", SINK_PEER, vec![hole.local_addr().unwrap()], 0));
    let shell = Shell::new(
        ShellConfig::default(),
        table,
        Accounting::new(limits(MAX_ASSOCIATIONS)),
    );
    let routes = RouteTable::new(vec![Route::new(
        OrPattern::parse(SINK_DOMAIN).unwrap(),
        Target::Peer(SINK_PEER.into()),
    )])
    .unwrap();
    let mut config = MtaConfig::new(domain("B"), routes, LocalUsers::new(), dir.join("mail"));
    let mut retry = RetryPolicy::new();
    retry.first = NEVER;
    retry.max = NEVER;
    config.retry = retry;
    let store = Arc::new(SqliteStore::open(StoreConfig::new(dir.join("store"))).unwrap());
    let mta = Mta::new(config, Arc::clone(&store), shell);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("listening {}", listener.local_addr().unwrap());
    let runner = mta.clone();
    let running = tokio::spawn(async move { runner.run(listener).await });
    let mut rx = x400_test_kit::mta::child::stdin_lines();
    while let Some(line) = rx.recv().await {
        match line.trim() {
            "stats" => println!("stats {} {}", mta.totals().received, store.commits()),
            "quit" => break,
            other => println!("unknown command {other:?}"),
        }
    }
    mta.shutdown().await;
    let _ = running.await;
    drop(hole);
}

/// The accepting MTA's process, seen from the bench.
struct NodeProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
}

impl NodeProcess {
    fn spawn(dir: &Path) -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg(NODE)
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let addr = line
            .strip_prefix("listening ")
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or_else(|| panic!("the node said {line:?}"));
        Self {
            child,
            stdin,
            stdout,
            addr,
        }
    }

    /// Messages received and transactions committed so far.
    fn stats(&mut self) -> (u64, u64) {
        writeln!(self.stdin, "stats").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let n: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|w| w.parse().ok())
            .collect();
        (n[0], n[1])
    }

    /// Asks it to stop; kills it after [`QUIT_GRACE`] (the shell's own grace for the
    /// association to the black hole is longer, and everything is durable anyway).
    fn quit(mut self) {
        writeln!(self.stdin, "quit").ok();
        self.stdin.flush().ok();
        let until = Instant::now() + QUIT_GRACE;
        while Instant::now() < until {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

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

/// The transfer APDU (1988 `Message`) of message `local` from A to [`SINK`]: A's trace
/// element, responsibility for the one recipient, [`CONTENT_LEN`] octets of content.
fn message(local: &str, content: &[u8]) -> Vec<u8> {
    let now = x400_mta::trace::time_from(SystemTime::now()).unwrap();
    let envelope = MessageTransferEnvelope {
        message_identifier: MtsIdentifier {
            global_domain_identifier: domain("A"),
            local_identifier: Ia5String::try_from(local.to_string()).unwrap(),
        },
        originator_name: x400_p1::or_address_text::parse(SENDER).unwrap(),
        original_encoded_information_types: None,
        content_type_built_in: Some(BuiltInContentType::INTERPERSONAL_MESSAGING_1988),
        content_type_extended: None,
        content_identifier: None,
        priority: None,
        per_message_indicators: None,
        deferred_delivery_time: None,
        per_domain_bilateral_information: None,
        trace_information: TraceInformation(vec![TraceInformationElement {
            global_domain_identifier: domain("A"),
            domain_supplied_information: DomainSuppliedInformation {
                arrival_time: now,
                routing_action: RoutingAction::Relayed,
                attempted_domain: None,
                deferred_time: None,
                converted_encoded_information_types: None,
                other_actions: None,
            },
        }]),
        extensions: None,
        per_recipient_fields: vec![PerRecipientMessageTransferFields {
            recipient_name: x400_p1::or_address_text::parse(SINK).unwrap(),
            originally_specified_recipient_number: 1,
            // responsibility, originating-MTA-non-delivery-report and
            // originator-non-delivery-report (X.411 12.2.1.1.1.6).
            per_recipient_indicators: BitString::from_slice(&[0b1010_1000]),
            explicit_conversion: None,
            extensions: None,
        }],
    };
    let mut apdu =
        message_prefix(&x400_p1::encode(&envelope).unwrap(), content.len() as u64).unwrap();
    apdu.extend_from_slice(content);
    apdu
}

/// Opens an association from `client` to B and waits for its bind.
async fn bound(client: &Shell) -> Handle {
    let mut h = client.connect("B").await.unwrap();
    loop {
        match h.next().await {
            Some(Event::Bound { .. }) => return h,
            Some(Event::Ended(why)) => panic!("not bound: {why}"),
            Some(_) => {}
            None => panic!("not bound"),
        }
    }
}

/// Transfers `apdus` on `h`, [`WINDOW`] at a time, until each is secured; then releases.
async fn transfer_all(mut h: Handle, apdus: Vec<Vec<u8>>) {
    let total = apdus.len();
    let mut apdus = apdus.into_iter();
    for a in apdus.by_ref().take(WINDOW) {
        h.transfer(a).await.unwrap();
    }
    let mut secured = 0;
    while secured < total {
        match h.next().await {
            Some(Event::Transferred) => {
                secured += 1;
                if let Some(a) = apdus.next() {
                    h.transfer(a).await.unwrap();
                }
            }
            Some(Event::TransferFailed { why, .. }) => panic!("transfer failed: {why}"),
            Some(Event::Ended(why)) => panic!("ended after {secured} of {total}: {why}"),
            Some(_) => {}
            None => panic!("the association's task ended"),
        }
    }
    h.close().await.unwrap();
    while let Some(ev) = h.next().await {
        if matches!(ev, Event::Ended(_)) {
            break;
        }
    }
}

async fn accept(n: usize, concurrency: usize) {
    let base = std::env::var(DIR_ENV).unwrap_or_else(|_| DEFAULT_DIR.into());
    let dir = tempfile::Builder::new()
        .prefix("x400-mta-postfix-")
        .tempdir_in(&base)
        .unwrap();
    let mut node = NodeProcess::spawn(dir.path());
    let pid = node.child.id();
    let mut table = PeerTable::new("A");
    table.insert(peer("A", "B", vec![node.addr], concurrency));
    let client = Shell::new(
        ShellConfig::default(),
        table,
        Accounting::new(limits(concurrency)),
    );
    // Every APDU is built before the clock starts: only the transfers are timed.
    let content: Vec<u8> = (0..CONTENT_LEN).map(|i| (i % 251) as u8).collect();
    let run = std::process::id();
    let shares: Vec<Vec<Vec<u8>>> = (0..concurrency)
        .map(|c| {
            (c..n)
                .step_by(concurrency)
                .map(|i| message(&format!("b{run:x}.{c}.{i}"), &content))
                .collect()
        })
        .collect();
    let mut handles = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        handles.push(
            tokio::time::timeout(PATIENCE, bound(&client))
                .await
                .unwrap(),
        );
    }
    let (received_before, commits_before) = node.stats();
    let cpu_before = cpu_ticks(pid);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for (h, share) in handles.into_iter().zip(shares) {
        tasks.spawn(transfer_all(h, share));
    }
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_ticks(pid).saturating_sub(cpu_before);
    let (received, commits) = node.stats();
    let (received, commits) = (received - received_before, commits - commits_before);
    assert_eq!(received, n as u64, "B received {received} of {n}");
    println!(
        "x400-mta accept: {n} messages of {CONTENT_LEN} octets over {concurrency} association(s) \
         in {secs:.2} s: {:.0} msg/s; {commits} commits ({:.1} messages per commit); \
         B's CPU {:.0} us per message",
        n as f64 / secs,
        n as f64 / commits.max(1) as f64,
        cpu as f64 / TICKS * 1e6 / n as f64,
    );
    client.shutdown().await;
    node.quit();
}

/// The test kit's A → B → C, 1988 on both links, with Carol at C.
fn network() -> [Spec; 3] {
    let [a, b, c] = chain(Protocol::P1988X410, Protocol::P1988X410);
    [a, b, c.user("carol", CAROL)]
}

/// When each MTS identifier was seen.
type Seen = Arc<Mutex<HashMap<String, Instant>>>;

/// The mail reader at C: every [`POLL`], each complete message in `new/` is noted by its MTS
/// identifier with the time of that look, and moved to `cur/` (record, then content).
fn reader(new: &Path, stop: &AtomicBool, seen: &Seen) {
    let cur = new.with_file_name("cur");
    while !stop.load(Ordering::Relaxed) {
        if let Ok(entries) = std::fs::read_dir(new) {
            let at = Instant::now();
            for e in entries.flatten() {
                let content = e.path();
                if content.extension().is_none_or(|x| x != "p1") {
                    continue;
                }
                // The record is renamed into `new/` before the content.
                let record = content.with_extension("json");
                let r: DeliveryRecord =
                    serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
                seen.lock().unwrap().insert(r.mts_identifier, at);
                std::fs::create_dir_all(&cur).unwrap();
                for f in [record, content] {
                    std::fs::rename(&f, cur.join(f.file_name().unwrap())).unwrap();
                }
            }
        }
        std::thread::sleep(POLL);
    }
}

/// The `q` quantile (0..=1) of sorted `v`, nearest rank.
fn quantile(v: &[Duration], q: f64) -> Duration {
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len().max(1));
    v.get(rank - 1).copied().unwrap_or_default()
}

async fn latency(rate: u64, secs: Duration) {
    let nodes = start(&network()).await;
    let new: PathBuf = nodes[2].dir.join("mail").join("carol").join("new");
    let stop = Arc::new(AtomicBool::new(false));
    let seen: Seen = Arc::default();
    let watcher = {
        let (stop, seen) = (Arc::clone(&stop), Arc::clone(&seen));
        std::thread::spawn(move || reader(&new, &stop, &seen))
    };
    let total = rate.max(1) * secs.as_secs();
    let period = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let content: Vec<u8> = (0..CONTENT_LEN).map(|i| (i % 251) as u8).collect();
    let submitted: Seen = Arc::default();
    let a = nodes[0].mta.clone();
    let started = tokio::time::Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..total {
        tokio::time::sleep_until(started + period.mul_f64(i as f64)).await;
        let (a, submitted, content) = (a.clone(), Arc::clone(&submitted), content.clone());
        tasks.spawn(async move {
            let t0 = Instant::now();
            let id = a
                .submit(Submission::new(ALICE, &[CAROL], content))
                .await
                .unwrap();
            submitted.lock().unwrap().insert(id, t0);
        });
    }
    while let Some(t) = tasks.join_next().await {
        t.unwrap();
    }
    let offered = started.elapsed().as_secs_f64();
    let all = wait_for(PATIENCE, || seen.lock().unwrap().len() as u64 >= total).await;
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    let mut lat: Vec<Duration> = {
        let seen = seen.lock().unwrap();
        submitted
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(id, t0)| seen.get(id).map(|t| t.saturating_duration_since(*t0)))
            .collect()
    };
    lat.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "x400-mta latency A -> B -> C, {CONTENT_LEN} octets at {rate} msg/s for {secs:?} \
         (submitted at {:.0} msg/s): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} of {total} \
         delivered{}",
        total as f64 / offered,
        ms(quantile(&lat, 0.5)),
        ms(quantile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
        lat.len(),
        if all {
            ""
        } else {
            " (the rest not within the patience)"
        },
    );
    for n in nodes {
        n.stop().await;
    }
}
