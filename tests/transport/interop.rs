//! Interoperability with independent RFC 1006 stacks from the conformance kit
//! (`../shared/conformance`, installed by its `setup.sh`): libiec61850 1.5.2 and
//! python-snap7 3.3.0, as live peers on loopback TCP, each way round. Everything our side
//! sends and receives is also written to a pcap and checked by tshark (`tshark_check.sh`).
//!
//! The machine under test is driven by a small blocking shell over `std::net`.

// Test helpers outside #[test] fns: failing loudly is their job.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use osi_transport::tp0::{Config, ConnectRequest, DisconnectCause, Event, State, Tp0};
use osi_transport::{DisconnectReason, TpduSize};

/// The machines' clock (std's `Instant` is the wall clock here).
type At = osi_transport::Instant;

fn kit_dir() -> PathBuf {
    crate::common::kit()
}

fn venv_python() -> PathBuf {
    let venv = std::env::var_os("CONFORMANCE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache"));
            cache.join("x400-conformance/.venv")
        });
    let py = venv.join("bin/python");
    assert!(
        py.exists(),
        "{} missing: run ../shared/conformance/setup.sh (ci/test.sh does)",
        py.display()
    );
    py
}

/// A peer process, killed when dropped.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a kit server and waits for its "listening" line.
fn start_server(script: &str, port: u16) -> Peer {
    let mut child = Command::new(venv_python())
        .arg(kit_dir().join("peers").join(script))
        .args([port.to_string(), "20".into()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().expect("server printed nothing").unwrap();
    assert!(line.contains("listening"), "{script}: {line}");
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Peer(child)
}

fn start_client(script: &str, port: u16) -> Peer {
    let child = Command::new(venv_python())
        .arg(kit_dir().join("peers").join(script))
        .args(["127.0.0.1".to_string(), port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Peer(child)
}

/// An event copied out of the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ev {
    ConnectIndication { calling: Vec<u8>, called: Vec<u8> },
    Connected { responding: Vec<u8> },
    Data(Vec<u8>),
    Disconnected(DisconnectCause),
}

/// A blocking shell: one TCP connection, one machine, and a log of the TPKTs each way
/// (`true` = sent by the TCP client) for the pcap.
struct Shell {
    tcp: TcpStream,
    tp: Tp0<Vec<u8>>,
    epoch: Instant,
    inbuf: Vec<u8>,
    we_are_client: bool,
    log: Vec<(bool, Vec<u8>)>,
}

impl Shell {
    fn new(tcp: TcpStream, tp: Tp0<Vec<u8>>, we_are_client: bool) -> Self {
        tcp.set_nodelay(true).unwrap();
        Self {
            tcp,
            tp,
            epoch: Instant::now(),
            inbuf: Vec::new(),
            we_are_client,
            log: Vec::new(),
        }
    }

    fn now(&self) -> At {
        At::from_duration(self.epoch.elapsed())
    }

    fn write(&mut self, bytes: &[u8]) {
        self.tcp.write_all(bytes).unwrap();
        self.log.push((self.we_are_client, bytes.to_vec()));
    }

    fn flush(&mut self) {
        let mut buf = [0u8; 512];
        let now = self.now();
        if let Some(n) = self.tp.poll_transmit(now, &mut buf).unwrap() {
            self.write(&buf[..n]);
        }
    }

    fn send(&mut self, tsdu: &[u8]) {
        let mut seg = self.tp.send(tsdu).unwrap();
        let mut buf = vec![0; seg.max_tpkt_len()];
        while let Some(n) = seg.write_next(&mut buf).unwrap() {
            let tpkt = buf[..n].to_vec();
            self.write(&tpkt);
        }
    }

    /// The next event, waiting at most 10 s for the peer.
    fn next_event(&mut self) -> Ev {
        let give_up = Instant::now() + Duration::from_secs(10);
        loop {
            let now = self.now();
            let consumed = self.tp.handle_input(now, &self.inbuf);
            let ev = self.tp.poll_event().map(|e| match e {
                Event::ConnectIndication {
                    calling, called, ..
                } => Ev::ConnectIndication {
                    calling: calling.to_vec(),
                    called: called.to_vec(),
                },
                Event::Connected { responding, .. } => Ev::Connected {
                    responding: responding.to_vec(),
                },
                Event::Data(d) => Ev::Data(d.to_vec()),
                Event::Disconnected(c) => Ev::Disconnected(c),
                other => panic!("unexpected {other:?}"),
            });
            let frame = self.inbuf.drain(..consumed).collect::<Vec<u8>>();
            if !frame.is_empty() {
                self.log.push((!self.we_are_client, frame));
            }
            self.flush();
            if let Some(ev) = ev {
                return ev;
            }
            if consumed > 0 {
                continue;
            }
            assert!(
                Instant::now() < give_up,
                "peer silent for 10 s in state {:?}",
                self.tp.state()
            );
            self.tcp
                .set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let mut chunk = [0u8; 65536];
            match self.tcp.read(&mut chunk) {
                Ok(0) => {
                    self.tp.handle_disconnect(self.now());
                    return Ev::Disconnected(match self.tp.poll_event() {
                        Some(Event::Disconnected(c)) => c,
                        _ => DisconnectCause::NetworkClosed,
                    });
                }
                Ok(n) => self.inbuf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => {
                    self.tp.handle_disconnect(self.now());
                    return Ev::Disconnected(DisconnectCause::NetworkClosed);
                }
            }
        }
    }
}

/// Checks the conversation with tshark: what we emitted alone with zero problems, and the
/// whole conversation too, with `-u` when `peer_undissected` (python-snap7's DR stray
/// octet shows as undissected data; it is the peer's, not ours). Alone, our half of an
/// association lacks the presentation context the peer's CP set up, so tshark's
/// `pres.dissector_not_available` is ignored there: it is about the session payload.
fn tshark_check(name: &str, s: &Shell, peer_undissected: bool) {
    let ours: Vec<(bool, Vec<u8>)> = s
        .log
        .iter()
        .filter(|(c, _)| *c == s.we_are_client)
        .cloned()
        .collect();
    assert!(!ours.is_empty());
    tshark_pcap(
        &format!("{name}_ours"),
        &ours,
        &["-i", "pres.dissector_not_available"],
    );
    tshark_pcap(name, &s.log, if peer_undissected { &["-u"] } else { &[] });
}

/// Writes TPKTs to a pcap (server port 102) with the kit's pcaplib and runs
/// tshark_check.sh on it with `opts`: zero problems expected. Returns its report (one line
/// per frame with `-a`).
fn tshark_pcap(name: &str, log: &[(bool, Vec<u8>)], opts: &[&str]) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let pcap = dir.join(format!("{name}.pcap"));
    let mut script = String::from(
        "import sys\nsys.path.insert(0, sys.argv[1])\nfrom pcaplib import Pcap, TcpConv\n\
         p = Pcap(sys.argv[2])\nc = TcpConv(p, ('127.0.0.1', 40000), ('127.0.0.1', 102))\nc.handshake()\n",
    );
    for (from_client, bytes) in log {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        script.push_str(&format!(
            "c.send_{}(bytes.fromhex('{hex}'))\n",
            if *from_client { "c" } else { "s" }
        ));
    }
    script.push_str("c.close(); p.close()\n");
    let status = Command::new(venv_python())
        .args(["-c", &script])
        .arg(kit_dir())
        .arg(&pcap)
        .status()
        .unwrap();
    assert!(status.success(), "pcaplib failed");
    let mut cmd = Command::new("bash");
    cmd.arg(kit_dir().join("tshark_check.sh"));
    let out = cmd.args(opts).arg(&pcap).output().unwrap();
    assert!(
        out.status.success(),
        "tshark_check {name}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The TSDU (DT user data) of a kit vector.
fn kit_tsdu(file: &str, name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(kit_dir().join("vectors").join(file)).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name}\t")))
        .unwrap();
    let hex = line.split('\t').nth(1).unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(
        &bytes[4..7],
        [0x02, 0xf0, 0x80],
        "{name} is one class 0 DT with EOT"
    );
    bytes[7..].to_vec()
}

/// Accepts one connection, failing the test instead of hanging if the peer never comes.
fn accept_within(listener: &TcpListener, limit: Duration) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + limit;
    loop {
        match listener.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false).unwrap();
                return s;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("no peer connected: {e}"),
        }
    }
}

fn connect_to(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => return s,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("connect {port}: {e}"),
        }
    }
}

/// Starts the kit's `script` client against a fresh listener, answers its CR with our TP0
/// responder (`local_ref`), checks the TSAPs it asked for, and sends the CC.
fn accept_client(script: &str, local_ref: u16, calling: &[u8], called: &[u8]) -> (Peer, Shell) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let client = start_client(script, port);
    let tcp = accept_within(&listener, Duration::from_secs(10));
    let config = {
        let mut c = Config::default();
        c.local_ref = local_ref;
        c
    };
    let tp = Tp0::responder(config, vec![0; 1 << 16], At::ZERO).unwrap();
    let mut s = Shell::new(tcp, tp, false);
    assert_eq!(
        s.next_event(),
        Ev::ConnectIndication {
            calling: calling.to_vec(),
            called: called.to_vec()
        }
    );
    s.tp.accept(None, &[]).unwrap();
    s.flush();
    (client, s)
}

/// Our initiator against the libiec61850 server: CR/CC, then the session CN and an MMS
/// read (libiec61850's own client's TSDUs) answered by AC and a read response in DTs.
#[test]
fn our_initiator_with_libiec61850_server() {
    let port = free_port();
    let _server = start_server("iec61850_server.py", port);
    let tp = Tp0::initiator(
        {
            let mut c = Config::default();
            c.local_ref = 0x4001;
            c
        },
        vec![0; 1 << 16],
    )
    .unwrap();
    let mut s = Shell::new(connect_to(port), tp, true);
    let now = s.now();
    s.tp.connect(
        now,
        &ConnectRequest {
            calling: &[0, 1],
            called: &[0, 1],
            data: &[],
        },
    )
    .unwrap();
    s.flush();
    assert!(matches!(s.next_event(), Ev::Connected { .. }));
    // It echoes the offered size (0x0b) and answers in class 0.
    assert_eq!((s.tp.state(), s.tp.tpdu_size()), (State::Open, 2048));
    s.send(&kit_tsdu("libiec61850.tsv", "A.CN"));
    let Ev::Data(ac) = s.next_event() else {
        panic!("no AC")
    };
    assert_eq!(ac[0], 0x0e, "session AC SPDU");
    s.send(&kit_tsdu("libiec61850.tsv", "A.DT.f10"));
    let Ev::Data(resp) = s.next_event() else {
        panic!("no MMS response")
    };
    assert_eq!(
        &resp[..4],
        [0x01, 0x00, 0x01, 0x00],
        "GT + DT SPDUs carrying the response"
    );
    s.tp.disconnect();
    tshark_check("initiator_libiec61850", &s, false);
}

/// libiec61850's client against our responder: its CR (C0 8192, C2, C1) is accepted and its
/// association (CN, 3 MMS requests, conclude, FN) is answered with the TSDUs libiec61850's
/// own server sent; the client reports success.
#[test]
fn libiec61850_client_with_our_responder() {
    let (mut client, mut s) = accept_client("iec61850_client.py", 0x5001, &[0, 1], &[0, 1]);
    assert_eq!(s.tp.tpdu_size(), 8192);
    let answers = [
        "A.AC", "A.DT.f11", "A.DT.f13", "A.DT.f15", "A.DT.f17", "A.DN",
    ];
    for name in answers {
        let Ev::Data(req) = s.next_event() else {
            panic!("no request before {name}")
        };
        assert!(!req.is_empty());
        s.send(&kit_tsdu("libiec61850.tsv", name));
    }
    assert_eq!(
        s.next_event(),
        Ev::Disconnected(DisconnectCause::NetworkClosed)
    );
    let status = client.0.wait().unwrap();
    assert!(status.success(), "libiec61850 client: {status}");
    tshark_check("libiec61850_client_responder", &s, false);
}

/// Our initiator against the python-snap7 server (TSAPs 0100 -> 0101, C0 1024): S7 setup
/// communication and a DB read through DTs.
#[test]
fn our_initiator_with_snap7_server() {
    let port = free_port();
    let _server = start_server("snap7_server.py", port);
    let cfg = {
        let mut c = Config::default();
        c.local_ref = 0x4002;
        c.proposed_tpdu_size = TpduSize::S1024;
        c
    };
    let tp = Tp0::initiator(cfg, vec![0; 1 << 16]).unwrap();
    let mut s = Shell::new(connect_to(port), tp, true);
    let now = s.now();
    s.tp.connect(
        now,
        &ConnectRequest {
            calling: &[1, 0],
            called: &[1, 1],
            data: &[],
        },
    )
    .unwrap();
    s.flush();
    assert!(matches!(s.next_event(), Ev::Connected { .. }));
    assert_eq!(s.tp.tpdu_size(), 1024);
    s.send(&kit_tsdu("python-snap7.tsv", "C.DT.f8"));
    let Ev::Data(ack) = s.next_event() else {
        panic!("no setup ack")
    };
    assert_eq!(&ack[..2], [0x32, 0x03], "S7comm Ack_Data");
    s.send(&kit_tsdu("python-snap7.tsv", "C.DT.f10"));
    let Ev::Data(read) = s.next_event() else {
        panic!("no read response")
    };
    assert!(read.windows(9).any(|w| w == b"HELLO-DB1"), "{read:02x?}");
    s.tp.disconnect();
    tshark_check("initiator_snap7", &s, true);
}

/// python-snap7's client against our responder: CR/CC, S7 exchanges answered with the
/// snap7 server's TSDUs, then its DR with the stray octet is taken as the disconnect.
#[test]
fn snap7_client_with_our_responder() {
    let (mut client, mut s) = accept_client("snap7_client.py", 0x5002, &[1, 0], &[1, 1]);
    assert_eq!(s.tp.tpdu_size(), 1024);
    for name in ["C.DT.f9", "C.DT.f11"] {
        let Ev::Data(req) = s.next_event() else {
            panic!("no request before {name}")
        };
        assert_eq!(req[0], 0x32);
        s.send(&kit_tsdu("python-snap7.tsv", name));
    }
    assert_eq!(
        s.next_event(),
        Ev::Disconnected(DisconnectCause::Released(DisconnectReason::NOT_SPECIFIED))
    );
    // Class 0 has no DC: we close the TCP connection, which snap7 accepts as the end.
    drop(s.tcp.shutdown(std::net::Shutdown::Both));
    let status = client.0.wait().unwrap();
    assert!(status.success(), "snap7 client: {status}");
    tshark_check("snap7_client_responder", &s, true);
}

/// The control TPDUs of the error and negotiation paths (ER with the invalid TPDU, DR 0x82,
/// CC with F0, RFC 1006 ED, empty last DT) as our machine emits them, through tshark.
#[test]
fn our_error_and_option_tpdus_pass_tshark() {
    fn tpkt(tpdu: &[u8]) -> Vec<u8> {
        let f = osi_tpkt::Frame::new(tpdu).unwrap();
        let mut v = vec![0; f.encoded_len()];
        f.encode(&mut v).unwrap();
        v
    }
    fn responder_answer(cfg: Config, cr: &[u8]) -> (Tp0<Vec<u8>>, Vec<u8>) {
        let mut r = Tp0::responder(cfg, vec![0; 4096], At::ZERO).unwrap();
        r.handle_input(At::ZERO, &tpkt(cr));
        let ind = matches!(r.poll_event(), Some(Event::ConnectIndication { .. }));
        if ind {
            r.accept(None, &[]).unwrap();
        }
        let mut buf = [0u8; 512];
        let n = r.poll_transmit(At::ZERO, &mut buf).unwrap().unwrap();
        (r, buf[..n].to_vec())
    }
    let mut log = Vec::new();
    let cfg = {
        let mut c = Config::default();
        c.expedited = true;
        c.proposed_preferred_units = Some(64);
        c
    };
    let mut i = Tp0::initiator(cfg, vec![0; 4096]).unwrap();
    i.connect(
        At::ZERO,
        &ConnectRequest {
            calling: b"MTA-A",
            called: b"MTA-B",
            data: &[],
        },
    )
    .unwrap();
    let mut buf = [0u8; 512];
    let n = i.poll_transmit(At::ZERO, &mut buf).unwrap().unwrap();
    let cr = buf[..n].to_vec();
    log.push((true, cr.clone()));
    let (r, cc) = responder_answer(cfg, &cr[4..]);
    log.push((false, cc.clone()));
    i.handle_input(At::ZERO, &cc);
    assert!(matches!(i.poll_event(), Some(Event::Connected { .. })));
    let mut buf = [0; 64];
    let n = i.send_expedited(b"urgent", &mut buf).unwrap();
    log.push((true, buf[..n].to_vec()));
    let mut seg = r.send(&[]).unwrap();
    let n = seg.write_next(&mut buf).unwrap().unwrap();
    log.push((false, buf[..n].to_vec()));
    // ER for a TPDU size code with no meaning (X.224 6.6.3, 13.12).
    let (_, er) = responder_answer(Config::default(), &[0x09, 0xe0, 0, 0, 0, 7, 0, 0xc0, 1, 5]);
    log.push((false, er));
    // DR 0x82: class 2 preferred, no alternative.
    let (_, dr) = responder_answer(Config::default(), &[0x06, 0xe0, 0, 0, 0, 3, 0x20]);
    log.push((false, dr));
    // ER for an unknown TPDU type: the quote is LI and code, short enough for tshark.
    let (_, er) = responder_answer(Config::default(), &[0x02, 0x30, 0x80, 0x41]);
    assert_eq!(
        er,
        [
            3, 0, 0, 0x0d, 0x08, 0x70, 0, 0, 0x02, 0xc1, 0x02, 0x02, 0x30
        ]
    );
    log.push((false, er));
    let report = tshark_pcap("error_and_option_tpdus", &log, &["-a"]);
    for want in [
        "CR TPDU",
        "CC TPDU",
        "DT TPDU (0) EOT",
        "DR TPDU src-ref: 0x0000 dst-ref: 0x0003",
        "ER TPDU dst-ref: 0x0000",
    ] {
        assert!(
            report.contains(want),
            "tshark did not show {want}:\n{report}"
        );
    }
    // tshark 4.0 leaves two of ours undissected (shown as TPKT data, not as a problem):
    // an ER whose quote makes LI > 8 (its COTP dissector caps ER at LI 8, X.224 13.12.4
    // allows the whole header) and the RFC 1006 class 0 ED with LI 2. The codec's tests
    // hold them to X.224 13.12 and RFC 1006 §5 instead.
    assert_eq!(report.matches("tcp:tpkt:data").count(), 2, "{report}");
}

/// libiec61850's server answers an X.410-mode session CN by closing TCP without RF or AB
/// (conformance README): our initiator must report a clean network disconnect, no hang.
#[test]
fn libiec61850_server_closing_on_an_x410_cn_is_a_disconnect() {
    let port = free_port();
    let _server = start_server("iec61850_server.py", port);
    let tp = Tp0::initiator(
        {
            let mut c = Config::default();
            c.local_ref = 0x4003;
            c
        },
        vec![0; 1 << 16],
    )
    .unwrap();
    let mut s = Shell::new(connect_to(port), tp, true);
    let now = s.now();
    s.tp.connect(
        now,
        &ConnectRequest {
            calling: &[0, 1],
            called: &[0, 1],
            data: &[],
        },
    )
    .unwrap();
    s.flush();
    assert!(matches!(s.next_event(), Ev::Connected { .. }));
    s.send(&kit_tsdu("handmade-x410.tsv", "H.CN"));
    assert_eq!(
        s.next_event(),
        Ev::Disconnected(DisconnectCause::NetworkClosed)
    );
    assert!(s.tp.is_closed());
    tshark_check("initiator_libiec61850_x410_cn", &s, false);
}
