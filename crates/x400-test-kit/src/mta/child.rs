//! The storm's server in a process of its own, so that a bench measures the server's
//! memory and nothing of its clients': the bench binary re-executes itself with `--serve`
//! ([`serve`]), and the parent drives it through [`ServerProcess`] (one command per line on
//! the child's stdin, one answer per line on its stdout) and reads its resident memory from
//! `/proc`.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::storm::{Server, ServerSettings, listen};

/// The argument that makes a bench binary the server.
pub const SERVE: &str = "--serve";

/// The child's side: parses `--handshake-ms`, `--idle-ms`, `--max-associations` from `args`
/// (defaults: [`ServerSettings::storm`] for 48 at a time), serves until `quit`. It prints
/// `listening ADDR raw ADDR`: the MTA, and a listener that accepts and closes at once.
///
/// Commands: `idle MS` (wait up to MS ms for the accounting to hold nothing; answers
/// `idle ok|held COUNTERS`), `settle MS` (wait for every association task to end: answers
/// `settled N` with the tasks left), `tally`, `counters`, `quit`.
///
/// # Panics
///
/// A bad argument, or the runtime or the listener cannot be set up.
pub fn serve(args: &[String]) {
    let mut s = ServerSettings::storm(48);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || -> u64 { it.next().and_then(|v| v.parse().ok()).expect(a) };
        match a.as_str() {
            "--handshake-ms" => s.handshake_timeout = Duration::from_millis(value()),
            "--idle-ms" => s.idle_timeout = Duration::from_millis(value()),
            "--max-associations" => {
                let n = usize::try_from(value()).unwrap();
                s.max_associations = n;
                s.max_handshakes = s.max_handshakes.max(n);
            }
            _ => {}
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let server = Server::start(s).await;
        // Beside it, a listener that accepts and closes once the client has: the floor an
        // association's rate is compared with. Closing after the client leaves the TIME_WAIT
        // with the client, as a TCP client expects; closing first would leave it here, and
        // the client's next connect from the same port would wait for a SYN retransmission.
        let raw = listen(s.listen);
        let raw_addr = raw.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = raw.accept().await {
                tokio::spawn(async move {
                    let mut octet = [0u8; 1];
                    let _ = tcp.read(&mut octet).await;
                });
            }
        });
        // The listeners' and the handle consumer's tasks: what is left when all is over.
        let baseline = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        println!("listening {} raw {raw_addr}", server.addr);
        let mut rx = stdin_lines();
        while let Some(line) = rx.recv().await {
            let mut words = line.split_whitespace();
            let cmd = words.next().unwrap_or_default();
            let ms = words.next().and_then(|w| w.parse().ok()).unwrap_or(10_000);
            let answer = match cmd {
                "idle" => match server.idle(Duration::from_millis(ms)).await {
                    Ok(c) => format!("idle ok {c:?}"),
                    Err(c) => format!("idle held {c:?}"),
                },
                "settle" => {
                    let metrics = tokio::runtime::Handle::current().metrics();
                    let end = tokio::time::Instant::now() + Duration::from_millis(ms);
                    while metrics.num_alive_tasks() > baseline && tokio::time::Instant::now() < end
                    {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    format!(
                        "settled {}",
                        metrics.num_alive_tasks().saturating_sub(baseline)
                    )
                }
                "tally" => format!("tally {}", server.tally()),
                "counters" => format!("counters {:?}", server.shell.accounting().counters()),
                "quit" => break,
                other => format!("unknown command {other:?}"),
            };
            println!("{answer}");
        }
        server.shell.shutdown().await;
    });
}

/// The parent's side: the server child and its pipes.
pub struct ServerProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Where the MTA listens.
    pub addr: SocketAddr,
    /// Where the listener that only accepts and closes listens.
    pub raw: SocketAddr,
}

impl ServerProcess {
    /// Starts `exe --serve ARGS` and waits until it listens.
    ///
    /// # Panics
    ///
    /// The child cannot be started or does not say where it listens.
    pub fn spawn(exe: &Path, args: &[String]) -> Self {
        let mut child = Command::new(exe)
            .arg(SERVE)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        let (Some(addr), Some(raw)) = (
            words.get(1).and_then(|a| a.parse().ok()),
            words.get(3).and_then(|a| a.parse().ok()),
        ) else {
            panic!("the server said {line:?}");
        };
        Self {
            child,
            stdin,
            stdout,
            addr,
            raw,
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends one command and returns the answer line.
    ///
    /// # Panics
    ///
    /// The child is gone.
    pub fn command(&mut self, cmd: &str) -> String {
        writeln!(self.stdin, "{cmd}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim_end().to_owned()
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        rss_kib(self.pid())
    }

    /// Samples the resident memory every `every` until the sampler is stopped.
    pub fn sample_rss(&self, every: Duration) -> RssSampler {
        RssSampler::start(self.pid(), every)
    }

    /// Asks the child to stop and waits for it.
    pub fn quit(mut self) {
        writeln!(self.stdin, "quit").ok();
        self.stdin.flush().ok();
        self.child.wait().ok();
    }
}

/// `VmRSS` of process `pid`, in KiB (0 if it cannot be read).
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The highest resident memory of a process, sampled by a thread.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl RssSampler {
    fn start(pid: u32, every: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(rss_kib(pid)));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(every);
            }
        });
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    /// Stops sampling; returns the peak in KiB.
    pub fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().ok();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

/// The lines of standard input, read on a thread of their own (tokio's stdin would hold a
/// blocking thread of the runtime), until it closes: how a child process takes its commands.
#[must_use]
pub fn stdin_lines() -> tokio::sync::mpsc::Receiver<String> {
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}
