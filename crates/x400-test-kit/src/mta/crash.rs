//! MTAs in processes of their own, to be killed with SIGKILL and restarted on the same store:
//! the test binary re-executes itself as a node ([`run_node`], started by
//! [`NodeProcess::spawn`]), described by a node file, and takes commands on its stdin, one
//! per line, answering one line on its stdout:
//!
//! - `submit SEED LEN TO[|TO...]`: a message from the node's first user of LEN octets that
//!   SEED varies ([`Generated`]), made in memory and given to [`Mta::submit`]; answers
//!   `submitted MTS-ID` once it is durable;
//! - `submit-stream SEED LEN TO[|TO...]`: the same message, its content read from a
//!   [`Generated`] by [`Mta::submit_from`] as it is spooled, so that its size costs the node
//!   no memory;
//! - `queued`: answers `queued N`, the messages and reports in the store.
//!
//! [`Mta::submit`]: x400_mta::mta::Mta::submit
//! [`Mta::submit_from`]: x400_mta::mta::Mta::submit_from

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use tokio::io::AsyncBufReadExt;
use tokio::net::TcpListener;
use x400_mta::Protocol;
use x400_mta::mta::Submission;
use x400_mta::store::Store;

use super::memory::Generated;
use super::net::{Spec, build};

/// The environment variable naming a node file: set, the test binary runs that node.
pub const NODE_ENV: &str = "X400_MTA_NODE";
/// The line a node prints once it listens.
pub const READY: &str = "node ready";

/// Everything a node process needs: its spec, its directory, where it and its peers listen.
#[derive(Debug, Clone)]
pub struct NodeFile {
    /// The MTA.
    pub spec: Spec,
    /// Its store and mailboxes.
    pub dir: PathBuf,
    /// Where it listens.
    pub listen: SocketAddr,
    /// Where its peers listen.
    pub peers: Vec<(String, SocketAddr)>,
}

impl NodeFile {
    /// The file's text: one `key value` per line.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut t = format!(
            "name {}\ndir {}\nlisten {}\n",
            self.spec.name,
            self.dir.display(),
            self.listen
        );
        if let Some(l) = self.spec.lease {
            t += &format!("lease_ms {}\n", l.as_millis());
        }
        for (p, proto) in &self.spec.peers {
            let addr = self.peers.iter().find(|(n, _)| n == p).map(|(_, a)| *a);
            let v = if *proto == Protocol::P1984 {
                1984
            } else {
                1988
            };
            t += &format!(
                "peer {p} {v} {}\n",
                addr.map_or("-".into(), |a| a.to_string())
            );
        }
        for (pattern, to) in &self.spec.routes {
            t += &format!("route {}|{pattern}\n", to.as_deref().unwrap_or(""));
        }
        for (u, a) in &self.spec.users {
            t += &format!("user {u}|{a}\n");
        }
        t
    }

    /// Reads a node file's text.
    ///
    /// # Panics
    ///
    /// On a malformed file.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let mut f = Self {
            spec: Spec::new(""),
            dir: PathBuf::new(),
            listen: "127.0.0.1:0".parse().unwrap(),
            peers: Vec::new(),
        };
        for line in text.lines() {
            let (k, v) = line.split_once(' ').unwrap();
            match k {
                "name" => f.spec.name = v.into(),
                "dir" => f.dir = v.into(),
                "listen" => f.listen = v.parse().unwrap(),
                "lease_ms" => f.spec.lease = Some(Duration::from_millis(v.parse().unwrap())),
                "peer" => {
                    let mut it = v.split(' ');
                    let name = it.next().unwrap().to_string();
                    let proto = if it.next() == Some("1984") {
                        Protocol::P1984
                    } else {
                        Protocol::P1988X410
                    };
                    if let Some(a) = it.next().and_then(|a| a.parse().ok()) {
                        f.peers.push((name.clone(), a));
                    }
                    f.spec.peers.push((name, proto));
                }
                "route" => {
                    let (to, pattern) = v.split_once('|').unwrap();
                    let to = (!to.is_empty()).then(|| to.to_string());
                    f.spec.routes.push((pattern.into(), to));
                }
                "user" => {
                    let (u, a) = v.split_once('|').unwrap();
                    f.spec.users.push((u.into(), a.into()));
                }
                other => panic!("node file: unknown key {other}"),
            }
        }
        f
    }
}

/// A free loopback address: a node keeps its port across its restarts.
///
/// # Panics
///
/// If no port can be had.
#[must_use]
pub fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
}

/// Starts a node process for each of `specs`, each knowing the others' addresses, its store
/// and mailboxes in `dir/<name>` and its node file (and log) beside them; `exe` and `test`
/// are the binary and the test that runs [`run_node`].
///
/// # Panics
///
/// If a node file cannot be written or a node does not start.
#[must_use]
pub fn spawn_all(exe: &Path, test: &str, specs: &[Spec], dir: &Path) -> Vec<NodeProcess> {
    let addrs: Vec<SocketAddr> = specs.iter().map(|_| free_addr()).collect();
    let peers: Vec<(String, SocketAddr)> = specs
        .iter()
        .zip(&addrs)
        .map(|(s, a)| (s.name.clone(), *a))
        .collect();
    specs
        .iter()
        .zip(&addrs)
        .map(|(spec, listen)| {
            let file = NodeFile {
                spec: spec.clone(),
                dir: dir.join(&spec.name),
                listen: *listen,
                peers: peers.clone(),
            };
            let path = dir.join(format!("{}.node", spec.name));
            std::fs::write(&path, file.to_text()).unwrap();
            NodeProcess::spawn(exe, test, &path)
        })
        .collect()
}

/// The node's side: runs the MTA of the node file at `path` and its commands, until killed.
///
/// # Panics
///
/// If the node cannot start.
pub fn run_node(path: &str) {
    let file = NodeFile::parse(&std::fs::read_to_string(path).unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let peers = file.peers.clone();
        let mta = build(&file.spec, &file.dir, &|name| {
            peers.iter().find(|(n, _)| n == name).map(|(_, a)| *a)
        });
        // The port may still be in TIME_WAIT from the killed process: retry the bind.
        let listener = loop {
            match TcpListener::bind(file.listen).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let runner = mta.clone();
        tokio::spawn(async move { runner.run(listener).await });
        println!("{READY}");
        let from = file
            .spec
            .users
            .first()
            .map(|(_, a)| a.clone())
            .unwrap_or_default();
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let words: Vec<&str> = line.splitn(4, ' ').collect();
            match words.as_slice() {
                [cmd @ ("submit" | "submit-stream"), seed, len, to] => {
                    let mut content = Generated::new(seed.parse().unwrap(), len.parse().unwrap());
                    let to: Vec<&str> = to.split('|').collect();
                    let submitted = if *cmd == "submit" {
                        let mut octets = Vec::new();
                        content.read_to_end(&mut octets).unwrap();
                        mta.submit(Submission::new(&from, &to, octets)).await
                    } else {
                        let submission = Submission::new(&from, &to, Vec::new());
                        mta.submit_from(submission, content).await
                    };
                    match submitted {
                        Ok(id) => println!("submitted {id}"),
                        Err(e) => println!("failed {e}"),
                    }
                }
                ["queued"] => println!("queued {}", mta.store().list().unwrap().len()),
                _ => println!("unknown command"),
            }
        }
        // Stdin closed: the parent is gone or done; stop as an operator would.
        mta.shutdown().await;
    });
}

/// A node process, seen from the test.
pub struct NodeProcess {
    exe: PathBuf,
    test: String,
    file: PathBuf,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Drop for NodeProcess {
    /// A test that fails leaves no node behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeProcess {
    /// Starts `exe` (the test binary) running its test `test`, which calls [`run_node`] when
    /// [`NODE_ENV`] is set, for the node file `file`; returns once it listens.
    ///
    /// # Panics
    ///
    /// If it does not start.
    #[must_use]
    pub fn spawn(exe: &Path, test: &str, file: &Path) -> Self {
        let (child, stdin, stdout) = launch(exe, test, file);
        Self {
            exe: exe.to_path_buf(),
            test: test.into(),
            file: file.to_path_buf(),
            child,
            stdin: Some(stdin),
            stdout,
        }
    }

    /// Its process id (a new one after [`NodeProcess::kill_and_restart`]).
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills it with SIGKILL, waits for it, and starts it again on the same store.
    pub fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, stdin, stdout) = launch(&self.exe, &self.test, &self.file);
        self.child = child;
        self.stdin = Some(stdin);
        self.stdout = stdout;
    }

    /// Sends a command and returns the answer.
    ///
    /// # Panics
    ///
    /// If the node is gone.
    pub fn command(&mut self, cmd: &str) -> String {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{cmd}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "the node is gone"
            );
            let l = line.trim();
            if l.starts_with("submitted ")
                || l.starts_with("failed ")
                || l.starts_with("queued ")
                || l == "unknown command"
            {
                return l.to_string();
            }
        }
    }

    /// Messages and reports in its store.
    pub fn queued(&mut self) -> usize {
        self.command("queued")
            .strip_prefix("queued ")
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX)
    }

    /// Stops it: stdin closed, it shuts down; killed if it takes more than 10 s.
    pub fn stop(mut self) {
        drop(self.stdin.take());
        for _ in 0..200 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Drop kills what is left.
    }
}

/// Starts the node; its log (stderr) is appended to the node file's path with `.log`.
// The child is waited for by `kill_and_restart` and `stop`.
#[allow(clippy::zombie_processes)]
fn launch(exe: &Path, test: &str, file: &Path) -> (Child, ChildStdin, BufReader<ChildStdout>) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file.with_extension("log"))
        .unwrap();
    let mut child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(NODE_ENV, file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the node did not start"
        );
        // libtest may print "test NAME ... " before the line on the same line.
        if line.trim().ends_with(READY) {
            return (child, stdin, stdout);
        }
    }
}
