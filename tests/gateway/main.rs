//! The `gateway` example as a user runs it: processes configured from files, on loopback.
//! `demo` delivers and says where; two `run` processes exchange messages both ways; a third
//! with a wrong password is refused and both logs say so in words; `queue retry` and `delete`
//! act on a running MTA; `check` places the errors of broken files (check.rs); captures
//! dissect in tshark and `decode` (capture.rs); the metrics endpoint answers (metrics.rs).
//!
//! The binary is `target/<profile>/examples/gateway`. `cargo test` builds examples before it
//! runs tests, but `cargo test --test gateway` does not, and an example left from an earlier
//! build may be stale: so the first test to need it runs `cargo build --example gateway`
//! (`decode` likewise, with the profile this test binary was built with), which is quick when it is fresh. Cargo
//! holds its build lock only while building, not while tests run, so this cannot wait on the
//! outer `cargo test`.

// A panic is how a test fails; tests speak std.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

mod capture;
mod check;
mod metrics;

/// Longest any one command may take before the test fails (it is killed).
const COMMAND_DEADLINE: Duration = Duration::from_secs(60);
/// Longest wait for a message, a log line or a state.
const WAIT: Duration = Duration::from_secs(20);
/// Longest wait for an MTA to stop after SIGTERM.
const STOP_DEADLINE: Duration = Duration::from_secs(20);

/// The gateway binary, built if needed (see the module documentation).
fn gateway() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| example("gateway"))
}

/// Builds example `name` with this test binary's profile; its path.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/gateway-<hash>
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if release {
        build.arg("--release");
    }
    let status = build.status().expect("cargo build --example");
    assert!(status.success(), "cargo build --example {name} failed");
    let bin = profile_dir.join("examples").join(name);
    assert!(bin.exists(), "no {name} binary at {}", bin.display());
    bin
}

/// Waits for `child` at most `limit`; kills it after.
fn wait_child(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Runs `gateway ARGS` to its end (within [`COMMAND_DEADLINE`]).
fn gw(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = Command::new(gateway())
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let status = wait_child(&mut child, COMMAND_DEADLINE)
        .unwrap_or_else(|| panic!("gateway {args:?} did not end within {COMMAND_DEADLINE:?}"));
    Output {
        status,
        stdout: std::fs::read(out).unwrap(),
        stderr: std::fs::read(err).unwrap(),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `gateway ARGS`, which must succeed; its standard output.
fn gw_ok(args: &[&str]) -> String {
    let o = gw(args);
    assert!(
        o.status.success(),
        "gateway {args:?}: {}\n{}{}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

/// A loopback port free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A peer entry: its name, the password it presents, ours to it, its port.
struct PeerSpec<'a> {
    name: &'a str,
    password: &'a str,
    our_password: &'a str,
    port: u16,
    /// Where our connections to it come from.
    local: Option<&'a str>,
}

/// Two gateways that know each other: A (user `alice`) on `pa` routing PRMD=B to B, and B
/// (user `bob`) on `pb` routing PRMD=A to A; `extra` is appended to each one's file (a
/// `[capture]` or `[metrics]` table, say). Returns their configuration files.
fn pair(dir: &Path, (pa, pb): (u16, u16), extra: [&str; 2]) -> (PathBuf, PathBuf) {
    let peer = |name, password, our_password, port| PeerSpec {
        name,
        password,
        our_password,
        port,
        local: None,
    };
    let a = config(
        dir,
        "A",
        pa,
        "alice",
        &[peer("B", "b-pw", "a-pw", pb)],
        &[("C=GB;ADMD= ;PRMD=B", "B")],
    );
    let b = config(
        dir,
        "B",
        pb,
        "bob",
        &[peer("A", "a-pw", "b-pw", pa)],
        &[("C=GB;ADMD= ;PRMD=A", "A")],
    );
    for (file, more) in [(&a, extra[0]), (&b, extra[1])] {
        let text = std::fs::read_to_string(file).unwrap();
        std::fs::write(file, format!("{text}\n{more}")).unwrap();
    }
    (a, b)
}

/// A configuration: MTA `name` (domain PRMD=`name`, user `user` with surname `user`) on
/// `port`, its peers, and routes (pattern, peer).
fn config(
    dir: &Path,
    name: &str,
    port: u16,
    user: &str,
    peers: &[PeerSpec<'_>],
    routes: &[(&str, &str)],
) -> PathBuf {
    let mut c = format!(
        "[mta]\nname = \"{name}\"\ndomain = \"C=GB;ADMD= ;PRMD={name}\"\nretry_first = \"1s\"\n\
         tick = \"200ms\"\n\n[[listen]]\naddress = \"127.0.0.1:{port}\"\n\n"
    );
    for p in peers {
        write!(
            c,
            "[[peer]]\nname = \"{}\"\npassword = \"{}\"\nour_password = \"{}\"\n\
             addresses = [\"127.0.0.1:{}\"]\n\n",
            p.name, p.password, p.our_password, p.port
        )
        .unwrap();
        if let Some(local) = p.local {
            writeln!(c, "local_address = \"{local}\"\n").unwrap();
        }
    }
    for (pattern, peer) in routes {
        write!(
            c,
            "[[route]]\npattern = \"{pattern}\"\npeer = \"{peer}\"\n\n"
        )
        .unwrap();
    }
    write!(
        c,
        "[local]\ndomains = [\"C=GB;ADMD= ;PRMD={name}\"]\nmailbox_dir = \"{name}-mail\"\n\n\
         [[local.user]]\nname = \"{user}\"\naddress = \"C=GB;ADMD= ;PRMD={name};S={user}\"\n\n\
         [store]\ndir = \"{name}-store\"\n"
    )
    .unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, c).unwrap();
    path
}

/// A `gateway run` process; SIGTERM and, if it does not stop, kill when dropped.
struct Running {
    child: Option<Child>,
    config: PathBuf,
    log: PathBuf,
}

impl Running {
    fn start(config: &Path) -> Self {
        Self::start_with(config, &[])
    }

    /// `gateway run --config CONFIG ARGS`.
    fn start_with(config: &Path, args: &[&str]) -> Self {
        let log = config.with_extension("log");
        let child = Command::new(gateway())
            .args(["run", "--config"])
            .arg(config)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let r = Self {
            child: Some(child),
            config: config.to_owned(),
            log,
        };
        assert!(
            r.wait_log("running: listening on"),
            "the MTA of {} did not start:\n{}",
            config.display(),
            r.log()
        );
        r
    }

    fn cfg(&self) -> &str {
        self.config.to_str().unwrap()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn wait_log(&self, needle: &str) -> bool {
        wait_until(WAIT, || self.log().contains(needle))
    }

    /// SIGTERM, then its exit status.
    fn stop(self) -> ExitStatus {
        self.signal(rustix::process::Signal::TERM)
    }

    /// `signal` (SIGTERM, or SIGINT as Ctrl-C sends it), then its exit status.
    fn signal(mut self, signal: rustix::process::Signal) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
        let _ = rustix::process::kill_process(pid, signal);
        wait_child(&mut child, STOP_DEADLINE).expect("the MTA did not stop after the signal")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            term(&child);
            if wait_child(&mut child, STOP_DEADLINE).is_none() {
                let _ = child.kill();
            }
        }
    }
}

fn term(child: &Child) {
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
}

#[test]
fn demo_delivers_and_says_where() {
    let o = gw(&["demo"]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("delivered file: "))
        .unwrap_or_else(|| panic!("no delivered file in:\n{out}"));
    let path = Path::new(line.trim());
    assert!(path.is_file(), "{} is not a file", path.display());
    assert!(out.contains("report returned to Alice"), "{out}");
    // The demo leaves its directory for the user to look at; the test cleans it.
    let dir = out
        .lines()
        .find_map(|l| l.strip_prefix("the demo's files stay in "))
        .and_then(|l| l.split(';').next())
        .unwrap();
    assert!(dir.contains("gateway-demo-"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn two_mtas_exchange_messages_both_ways_and_a_wrong_password_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb, pc) = (free_port(), free_port(), free_port());
    let a = config(
        dir.path(),
        "A",
        pa,
        "alice",
        &[
            PeerSpec {
                name: "B",
                password: "b-pw",
                our_password: "a-pw",
                port: pb,
                local: Some("127.0.0.2:0"),
            },
            PeerSpec {
                name: "C",
                password: "c-pw",
                our_password: "a-pw",
                port: pc,
                local: None,
            },
        ],
        &[("C=GB;ADMD= ;PRMD=B", "B")],
    );
    let b = config(
        dir.path(),
        "B",
        pb,
        "bob",
        &[PeerSpec {
            name: "A",
            password: "a-pw",
            our_password: "b-pw",
            port: pa,
            local: None,
        }],
        &[("C=GB;ADMD= ;PRMD=A", "A")],
    );
    // C presents a wrong password to A.
    let c = config(
        dir.path(),
        "C",
        pc,
        "carol",
        &[PeerSpec {
            name: "A",
            password: "a-pw",
            our_password: "not-c-pw",
            port: pa,
            local: None,
        }],
        &[("C=GB;ADMD= ;PRMD=A", "A")],
    );
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "Hello\r\n").unwrap();
    let body = body.to_str().unwrap();
    let (ma, mb, mc) = (Running::start(&a), Running::start(&b), Running::start(&c));

    let out = gw_ok(&[
        "submit",
        "--config",
        ma.cfg(),
        "--from",
        "C=GB;ADMD= ;PRMD=A;S=alice",
        "--to",
        "C=GB;ADMD= ;PRMD=B;S=bob",
        "--subject",
        "A to B",
        body,
    ]);
    assert!(out.starts_with("queued as [C=GB;ADMD= ;PRMD=A]"), "{out}");
    gw_ok(&[
        "submit",
        "--config",
        mb.cfg(),
        "--from",
        "C=GB;ADMD= ;PRMD=B;S=bob",
        "--to",
        "C=GB;ADMD= ;PRMD=A;S=alice",
        "--subject",
        "B to A",
        body,
    ]);
    let has = |m: &Running, user: &str, subject: &str| {
        gw_ok(&["mailbox", "--config", m.cfg(), user]).contains(subject)
    };
    assert!(
        wait_until(WAIT, || has(&mb, "bob", "\"A to B\"")),
        "{}",
        mb.log()
    );
    assert!(
        wait_until(WAIT, || has(&ma, "alice", "\"B to A\"")),
        "{}",
        ma.log()
    );
    // A dials B from the local address its peer entry names.
    assert!(
        mb.log()
            .contains("bound inbound association with MTA \"A\" at 127.0.0.2:"),
        "{}",
        mb.log()
    );

    gw_ok(&[
        "submit",
        "--config",
        mc.cfg(),
        "--from",
        "C=GB;ADMD= ;PRMD=C;S=carol",
        "--to",
        "C=GB;ADMD= ;PRMD=A;S=alice",
        body,
    ]);
    assert!(
        ma.wait_log("refused MTA bind from 127.0.0.1") && ma.wait_log("presented a wrong password"),
        "A's log:\n{}",
        ma.log()
    );
    assert!(
        mc.wait_log("MTA \"A\" at 127.0.0.1") && mc.wait_log("refused our association"),
        "C's log:\n{}",
        mc.log()
    );
    // A counts it, and C keeps the message queued with the refusal as its last error.
    let status = gw_ok(&["status", "--config", ma.cfg()]);
    assert!(status.contains("running"), "{status}");
    let wrong = status
        .lines()
        .find(|l| l.ends_with("the password is wrong"))
        .unwrap_or_else(|| panic!("{status}"));
    assert_ne!(wrong.split_whitespace().next(), Some("0"), "{status}");
    assert!(status.contains("relayed"), "{status}");
    let queue = gw_ok(&["queue", "--config", mc.cfg()]);
    assert!(
        queue.contains("pending") && queue.contains("last error"),
        "{queue}"
    );

    // SIGTERM for two, Ctrl-C's SIGINT for the third: both stop gracefully.
    for (m, signal) in [
        (ma, rustix::process::Signal::TERM),
        (mb, rustix::process::Signal::TERM),
        (mc, rustix::process::Signal::INT),
    ] {
        let log = m.log.clone();
        let status = m.signal(signal);
        let log = std::fs::read_to_string(log).unwrap();
        assert!(status.success(), "{status}: {log}");
        assert!(log.contains("stopped"), "{log}");
    }
}

#[test]
fn queue_retry_and_delete_act_on_a_running_mta() {
    let dir = tempfile::tempdir().unwrap();
    // Nobody listens on the peer's port: every attempt fails with "connection refused".
    let (pa, dead) = (free_port(), free_port());
    let a = config(
        dir.path(),
        "A",
        pa,
        "alice",
        &[PeerSpec {
            name: "D",
            password: "d",
            our_password: "a",
            port: dead,
            local: None,
        }],
        &[("C=GB;ADMD= ;PRMD=D", "D")],
    );
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "for D").unwrap();
    let ma = Running::start(&a);
    gw_ok(&[
        "submit",
        "--config",
        ma.cfg(),
        "--from",
        "C=GB;ADMD= ;PRMD=A;S=alice",
        "--to",
        "C=GB;ADMD= ;PRMD=D;S=dan",
        body.to_str().unwrap(),
    ]);
    let cfg = a.to_str().unwrap();
    let list = || gw_ok(&["queue", "--config", cfg, "list"]);
    assert!(
        wait_until(WAIT, || list().contains("last error")),
        "{}\n{}",
        list(),
        ma.log()
    );
    let listing = list();
    let id = listing.split_whitespace().next().unwrap().to_owned();
    assert!(listing.contains("MTA \"D\": pending"), "{listing}");
    assert!(listing.contains("next attempt"), "{listing}");
    let attempts = |l: &str| -> u32 {
        let i = l.find(" attempt(s)").unwrap();
        l[..i].rsplit(' ').next().unwrap().parse().unwrap()
    };
    let before = attempts(&listing);

    let out = gw_ok(&["queue", "--config", ma.cfg(), "retry", &id]);
    assert!(out.contains("due now"), "{out}");
    assert!(
        wait_until(WAIT, || attempts(&list()) > before),
        "no new attempt after retry:\n{}",
        list()
    );
    let show = gw_ok(&["queue", "--config", ma.cfg(), "show", &id]);
    assert!(show.starts_with(&format!("{id} message")), "{show}");

    let out = gw_ok(&["queue", "--config", ma.cfg(), "delete", &id]);
    assert!(out.contains("deleted"), "{out}");
    assert_eq!(list().trim(), "the queue is empty");
    let o = gw(&["queue", "--config", ma.cfg(), "show", &id]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains(&format!("no message {id}")),
        "{}",
        text(&o.stderr)
    );
    // A message queued when SIGTERM comes stays queued: nothing is lost by stopping.
    let submit = || {
        gw_ok(&[
            "submit",
            "--config",
            cfg,
            "--from",
            "C=GB;ADMD= ;PRMD=A;S=alice",
            "--to",
            "C=GB;ADMD= ;PRMD=D;S=dan",
            body.to_str().unwrap(),
        ])
    };
    let queued = submit();
    let mts_id = queued.trim().strip_prefix("queued as ").unwrap().to_owned();
    assert!(wait_until(WAIT, || list().contains(&mts_id)), "{}", list());
    let log = ma.log.clone();
    let stopped = ma.stop();
    let log = std::fs::read_to_string(log).unwrap();
    assert!(stopped.success(), "{stopped}: {log}");
    assert!(log.contains("gateway: SIGTERM: shutting down"), "{log}");

    // Stopped: the commands open the store themselves.
    let listing = list();
    assert!(
        listing.contains(&mts_id) && listing.contains("pending"),
        "{listing}"
    );
    let status = gw_ok(&["status", "--config", cfg]);
    assert!(status.contains("not running"), "{status}");
    assert!(
        status.contains("MTA \"D\": 1 message(s), 1 recipient(s) pending"),
        "{status}"
    );
    let out = submit();
    assert!(out.contains("the MTA is not running"), "{out}");
    assert_eq!(list().matches(" message [").count(), 2, "{}", list());
    for id in list()
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect::<Vec<_>>()
    {
        gw_ok(&["queue", "--config", cfg, "delete", &id]);
    }
    assert_eq!(list().trim(), "the queue is empty");
}
