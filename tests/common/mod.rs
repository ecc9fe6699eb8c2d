//! A tokio shell for the whole stack in the loopback and interop tests: our session machine
//! over our TP0 machine over osi-tpkt framing over a tokio TCP stream on 127.0.0.1.
//!
//! The shell is a loop, not logic (STYLE.md §2.6): session TSDUs go through `Tp0::send`
//! to TCP; bytes from TCP go through `Tp0::handle_input` to `Session::handle_tsdu`; the
//! nearer of both machines' deadlines bounds every read. Every octet written or read is
//! logged with its direction, so a test can write the connection into a pcap and have the
//! conformance kit's tshark dissect it.

// Test support: a panic (through unwrap) is how a test fails, and each test binary uses
// part of this module.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;
use x400::session::machine::{Config as SessionConfig, Event, Role, Session};
use x400::transport::tp0::{Config as Tp0Config, ConnectRequest as TConnect};

use x400_io::tp0::{Input, Tp0Tcp};

/// A session event with its octets copied out of the machine.
pub type Owned = Event<Vec<u8>>;

/// Receive and transmit buffer size of each machine: far above any TSDU these tests send.
pub const BUF: usize = 64 * 1024;

/// One direction of the logged traffic: `true` for octets this side wrote.
pub type Log = Vec<(bool, Vec<u8>)>;

/// One TCP connection carrying TP0 and a session machine.
pub struct Stack {
    /// TCP and TP0; public so tests can check what TP0 negotiated (`net.tp`).
    pub net: Tp0Tcp,
    /// The session machine; tests call its requests directly, then [`Stack::flush`].
    pub s: Session<Vec<u8>>,
    events: VecDeque<Owned>,
}

impl Stack {
    fn new(net: Tp0Tcp, role: Role, cfg: SessionConfig) -> Self {
        Self {
            net,
            s: Session::new(role, cfg, vec![0; BUF], vec![0; BUF]),
            events: VecDeque::new(),
        }
    }

    /// Everything written (`true`) and read (`false`), in order.
    pub fn log(&self) -> Log {
        self.net.log.clone().unwrap_or_default()
    }

    /// Transport initiator: connects TCP and TP0 (CR, CC) with TSAPs 0001 as libiec61850
    /// uses them; the session machine is left in STA01 for `s.connect`.
    pub async fn connect(addr: std::net::SocketAddr, cfg: SessionConfig) -> io::Result<Self> {
        let req = TConnect {
            calling: &[0, 1],
            called: &[0, 1],
            data: &[],
        };
        let net = Tp0Tcp::connect(
            addr,
            None,
            Tp0Config::default(),
            BUF,
            &req,
            Instant::now(),
            true,
        )
        .await?;
        Ok(Self::new(net, Role::Initiator, cfg))
    }

    /// Transport responder: accepts the CR on an accepted TCP stream; the session machine
    /// waits in STA01C for the CN.
    pub async fn accept(tcp: TcpStream, cfg: SessionConfig) -> io::Result<Self> {
        let tp = {
            let mut c = Tp0Config::default();
            c.local_ref = 0x0200;
            c
        };
        let net = Tp0Tcp::accept(tcp, tp, BUF, Instant::now(), true).await?;
        Ok(Self::new(net, Role::Responder, cfg))
    }

    /// Sends every TSDU the session machine queued, as the DT TPKTs of each in one write, then
    /// moves its events into the queue; `DisconnectTransport` (which comes after what was
    /// queued) closes TP0 and TCP.
    pub async fn flush(&mut self) -> io::Result<()> {
        let mut tsdu = vec![0u8; BUF];
        let now = self.net.now();
        while let Some(n) = self
            .s
            .poll_transmit(now, &mut tsdu)
            .map_err(io::Error::other)?
        {
            self.net.queue(&tsdu[..n])?;
        }
        self.net.flush().await?;
        let mut close = false;
        while let Some(e) = self.s.poll_event() {
            close |= e == Event::DisconnectTransport;
            self.events.push_back(e.map(<[u8]>::to_vec));
        }
        if close {
            self.net.close().await;
        }
        Ok(())
    }

    /// The next session event, reading TCP as needed; `None` once the transport connection
    /// is gone and every event was taken.
    pub async fn next(&mut self) -> io::Result<Option<Owned>> {
        loop {
            self.flush().await?;
            if let Some(e) = self.events.pop_front() {
                return Ok(Some(e));
            }
            if self.net.closed.is_some() {
                return Ok(None);
            }
            match self.net.next(self.s.poll_timeout()).await? {
                Input::Data(d) => {
                    let now = self.net.now();
                    self.s.handle_tsdu(now, &d).map_err(io::Error::other)?;
                }
                Input::Closed(_) => {
                    let now = self.net.now();
                    self.s.handle_disconnect(now);
                }
                // The session timer fired (TIM): its events are in the machine now.
                Input::Timeout => {
                    let now = self.net.now();
                    self.s.handle_timeout(now);
                }
            }
        }
    }

    /// The next event, which must come before `d` elapses.
    pub async fn next_within(&mut self, d: Duration) -> Option<Owned> {
        tokio::time::timeout(d, self.next())
            .await
            .expect("no session event in time")
            .unwrap()
    }
}

/// The conformance kit, beside the repository.
pub fn kit() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance")
}

/// The octets of a hex string; whitespace is ignored.
pub fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A kit vector's bytes (the whole TCP payload: TPKT, COTP, SPDUs).
pub fn vector(file: &str, name: &str) -> Vec<u8> {
    let path = kit().join("vectors").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let hex = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("{name}\t")))
        .unwrap_or_else(|| panic!("no vector {name} in {file}"))
        .split('\t')
        .next()
        .unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// Writes a logged connection as one TCP conversation (the kit's `pcaplib.py`) into a
/// fresh directory; returns the pcap's path. `we_are_client` says which side the log
/// belongs to.
pub fn write_pcap(name: &str, log: &Log, we_are_client: bool, ports: (u16, u16)) -> PathBuf {
    let (ours, theirs) = ports;
    let (cport, sport) = if we_are_client {
        (ours, theirs)
    } else {
        (theirs, ours)
    };
    let dir = std::env::temp_dir().join(format!("x400-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("conn.pcap");
    let list: Vec<String> = log
        .iter()
        .map(|(we, b)| {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            let client = *we == we_are_client;
            format!("({}, {hex:?})", if client { "True" } else { "False" })
        })
        .collect();
    let script = format!(
        "import sys; sys.path.insert(0, {kit:?})\n\
         from pcaplib import Pcap, TcpConv\n\
         p = Pcap({path:?})\n\
         c = TcpConv(p, ('127.0.0.1', {cport}), ('127.0.0.1', {sport}))\n\
         c.handshake()\n\
         for client, h in [{list}]:\n\
         \x20   (c.send_c if client else c.send_s)(bytes.fromhex(h))\n\
         c.close()\n\
         p.close()\n",
        kit = kit().to_str().unwrap(),
        path = pcap.to_str().unwrap(),
        list = list.join(", "),
    );
    let status = Command::new("python3")
        .arg("-c")
        .arg(script)
        .status()
        .expect("python3 is needed to write the pcap");
    assert!(status.success(), "pcaplib failed");
    pcap
}

/// Writes a logged connection into a pcap and runs the kit's `tshark_check.sh` on it;
/// panics with tshark's report on any problem. Returns the report.
pub fn tshark_check(name: &str, log: &Log, we_are_client: bool, ports: (u16, u16)) -> String {
    let sport = if we_are_client { ports.1 } else { ports.0 };
    let pcap = write_pcap(name, log, we_are_client, ports);
    // Fail loudly, not skip: without tshark there is no external check.
    let out = Command::new("bash")
        .arg(kit().join("tshark_check.sh"))
        .args(["-p", &sport.to_string()])
        .arg(&pcap)
        .args(["--", "--disable-heuristic", "t125_cotp"])
        .output()
        .expect("tshark_check.sh");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "tshark_check.sh failed (is tshark installed? run the kit's setup.sh):\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(dir) = pcap.parent() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    report
}

/// Whether a write carries an S-DATA TSDU (TPKT, COTP DT, then GT + DT SPDUs): its user
/// data is a slice of a raw X.410-mode APDU, which tshark 4.0 hands to its presentation
/// dissector and reports as malformed (kit README: "cannot do X.410-mode data transfer").
pub fn is_data(tpkts: &[u8]) -> bool {
    tpkts.get(4..6) == Some(&[0x02, 0xF0]) && tpkts.get(7..10) == Some(&[0x01, 0x00, 0x01])
}

/// The log with each write split into its TSDUs (a write carries everything one input
/// produced: a DT TSDU and a MIP may share one).
pub fn by_tsdu(log: &[(bool, Vec<u8>)]) -> Vec<(bool, Vec<u8>)> {
    let mut out = Vec::new();
    for (ours, write) in log {
        let (mut rest, mut start, mut at) = (&write[..], 0, 0);
        while rest.len() >= 4 {
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]])).clamp(4, rest.len());
            // A TSDU ends with a TPDU that is not a DT without EOT (X.224 13.7).
            let more = rest.get(5) == Some(&0xF0) && rest.get(6).is_some_and(|b| b & 0x80 == 0);
            at += len;
            rest = &rest[len..];
            if !more {
                out.push((*ours, write[start..at].to_vec()));
                start = at;
            }
        }
        if start < write.len() {
            out.push((*ours, write[start..].to_vec()));
        }
    }
    out
}

/// The CN (PConnect, open or recover) and the AC or RF frames dissect in tshark without a single expert
/// item, not even a note (`tshark_check.sh` counts only warnings and errors).
fn no_expert_item_on_connects(pcap: &std::path::Path, port: u16) {
    let out = Command::new("tshark")
        .args(["-2", "-n", "-r"])
        .arg(pcap)
        .args(["-o", &format!("tpkt.tcp.port:{port}")])
        .args(["-Y", "ses.type == 12 || ses.type == 13 || ses.type == 14"])
        .args(["-T", "fields", "-e", "frame.number", "-e", "_ws.expert"])
        .output()
        .expect("tshark");
    let text = String::from_utf8_lossy(&out.stdout);
    let frames: Vec<&str> = text.lines().collect();
    assert_eq!(frames.len(), 2, "one CN and one AC or RF: {text}");
    for f in frames {
        assert!(
            f.split('\t').nth(1).is_none_or(str::is_empty),
            "expert item on a connect frame: {f}"
        );
    }
}

/// Runs both oracles on an initiator's log of one X.410-mode connection (`ports`: ours,
/// the peer's): tshark on every frame but the S-DATA ones, with no expert item at all on the
/// CN and the AC or RF; the kit's X.410 decoder on everything, which must decode at least
/// `min` PDUs.
pub fn x410_check(name: &str, log: &Log, ports: (u16, u16), min: usize) {
    let log = log.clone();
    let control: Vec<_> = by_tsdu(&log)
        .into_iter()
        .filter(|(_, b)| !is_data(b))
        .collect();
    let pcap = write_pcap(&format!("{name}-control"), &control, true, ports);
    no_expert_item_on_connects(&pcap, ports.1);
    let kit = kit();
    let tshark = Command::new("bash")
        .arg(kit.join("tshark_check.sh"))
        .args(["-p", &ports.1.to_string(), "-i", "pres.invalid_offset"])
        .arg(&pcap)
        .args(["--", "--disable-heuristic", "t125_cotp"])
        .output()
        .expect("tshark_check.sh");
    assert_eq!(
        tshark.status.code(),
        Some(0),
        "{name}: tshark_check.sh (run the kit's setup.sh if tshark is missing):\n{}{}",
        String::from_utf8_lossy(&tshark.stdout),
        String::from_utf8_lossy(&tshark.stderr)
    );
    if let Some(dir) = pcap.parent() {
        std::fs::remove_dir_all(dir).ok();
    }
    let pcap = write_pcap(name, &log, true, ports);
    // To look at a capture: X400_PCAP_DIR=/some/dir cargo test --test rts_conformance
    if let Some(keep) = std::env::var_os("X400_PCAP_DIR") {
        std::fs::copy(
            &pcap,
            std::path::Path::new(&keep).join(format!("{name}.pcap")),
        )
        .unwrap();
    }
    let x410 = Command::new(kit.join("x410_p1_decode.py"))
        .args(["--min", &min.to_string()])
        .arg(&pcap)
        .output()
        .expect("x410_p1_decode.py");
    let report = String::from_utf8_lossy(&x410.stdout);
    assert_eq!(
        x410.status.code(),
        Some(0),
        "{name}: x410_p1_decode.py:\n{report}{}",
        String::from_utf8_lossy(&x410.stderr)
    );
    if let Some(dir) = pcap.parent() {
        std::fs::remove_dir_all(dir).ok();
    }
}
