//! Every refusal is logged in plain words, naming the peer once. A few hundred bad
//! connections go into `rtf recv`: connect and close, connect and reset, a CR and then
//! silence, garbage instead of TPKTs, an unknown SPDU after the CC, PConnects that do not
//! decode, and well-formed opens that are not rtf's. No log line may carry a Rust debug form
//! (`Some(`, `Invalid(`, `BadPdu(`), each line names its peer exactly once, each bad
//! connection is named in at least one line, and a valid transfer still succeeds afterwards.

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

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use x400::rts::ApplicationProtocol;
use x400::rts::machine::{Config, Event, OpenRequest};

use x400_io::Link;
use x400_io::rtf::{Receiver, RecvOptions, SendOptions, send};

/// Kinds of bad connection (see [`bad`]).
const KINDS: usize = 9;
/// Connections of each kind.
const EACH: usize = 40;

/// The log, shared with the subscriber.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// TP0 CR, class 0, no parameters (X.224 13.3).
const CR: [u8; 11] = [
    0x03, 0x00, 0x00, 0x0B, 0x06, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00,
];

/// One TSDU in a TP0 DT with EOT.
fn dt(tsdu: &[u8]) -> Vec<u8> {
    let len = (tsdu.len() + 7) as u16;
    let mut v = vec![0x03, 0x00];
    v.extend_from_slice(&len.to_be_bytes());
    v.extend_from_slice(&[0x02, 0xF0, 0x80]);
    v.extend_from_slice(tsdu);
    v
}

/// A CN SPDU (X.225 8.3.1): version 2, session requirements 0x0249 as X.410 mode has
/// them, and `user_data` (a PConnect) in PGI 193.
fn cn(user_data: &[u8]) -> Vec<u8> {
    let mut body = vec![0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02];
    body.extend_from_slice(&[0x14, 0x02, 0x02, 0x49]);
    body.extend_from_slice(&[0xC1, user_data.len() as u8]);
    body.extend_from_slice(user_data);
    let mut v = vec![0x0D, body.len() as u8];
    v.extend(body);
    v
}

/// TCP to `addr`, then CR and the CC read.
async fn after_cc(addr: SocketAddr) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(&CR).await.unwrap();
    let mut cc = [0u8; 64];
    let n = tcp.read(&mut cc).await.unwrap();
    assert!(n >= 7 && cc[5] == 0xD0, "CC expected: {:02x?}", &cc[..n]);
    tcp
}

/// Waits for the receiver's answer (an AB or RF, or the end of the connection), at most
/// 5 s, then closes as a peer that was refused does.
async fn answered(mut tcp: TcpStream, kind: usize) {
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await;
    assert!(read.is_ok(), "kind {kind}: no answer from the receiver");
}

/// One bad connection of kind `k`; returns the local address, which the log must name.
async fn bad(addr: SocketAddr, k: usize) -> SocketAddr {
    match k {
        // Connect and close.
        0 => {
            let tcp = TcpStream::connect(addr).await.unwrap();
            let me = tcp.local_addr().unwrap();
            drop(tcp);
            me
        }
        // Connect and reset.
        1 => {
            let tcp = TcpStream::connect(addr).await.unwrap();
            let me = tcp.local_addr().unwrap();
            #[allow(deprecated)]
            tcp.set_linger(Some(Duration::ZERO)).unwrap();
            drop(tcp);
            me
        }
        // A CR, the CC, then silence until we close.
        2 => {
            let tcp = after_cc(addr).await;
            let me = tcp.local_addr().unwrap();
            tokio::time::sleep(Duration::from_millis(2)).await;
            drop(tcp);
            me
        }
        // Not RFC 1006 at all.
        3 => {
            let mut tcp = TcpStream::connect(addr).await.unwrap();
            let me = tcp.local_addr().unwrap();
            tcp.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
            answered(tcp, k).await;
            me
        }
        // An SPDU with SI 4, which X.225 does not define, after the CC.
        4 => {
            let mut tcp = after_cc(addr).await;
            let me = tcp.local_addr().unwrap();
            tcp.write_all(&dt(&[0x04, 0x00])).await.unwrap();
            answered(tcp, k).await;
            me
        }
        // A CN whose PConnect is an empty SET: pUserData is missing.
        5 => {
            let mut tcp = after_cc(addr).await;
            let me = tcp.local_addr().unwrap();
            tcp.write_all(&dt(&cn(&[0x31, 0x00]))).await.unwrap();
            answered(tcp, k).await;
            me
        }
        // A CN whose PConnect is cut short.
        6 => {
            let mut tcp = after_cc(addr).await;
            let me = tcp.local_addr().unwrap();
            tcp.write_all(&dt(&cn(&[0x31, 0x20, 0xA0, 0x03])))
                .await
                .unwrap();
            answered(tcp, k).await;
            me
        }
        // A FINISH before any CONNECT.
        7 => {
            let mut tcp = after_cc(addr).await;
            let me = tcp.local_addr().unwrap();
            tcp.write_all(&dt(&[0x09, 0x00])).await.unwrap();
            answered(tcp, k).await;
            me
        }
        // A well-formed open that is not rtf's: application protocol 1, a P1-like bind.
        _ => {
            let mut cfg = Config::default();
            cfg.application_protocol = ApplicationProtocol(1);
            let mut l = Link::connect(addr, None, cfg, tokio::time::Instant::now(), false)
                .await
                .unwrap();
            let me = SocketAddr::from(([127, 0, 0, 1], l.net.ports.0));
            let id = x400_io::rtf::connection_id(1);
            l.rts
                .open(&OpenRequest::new(
                    &id,
                    Some(&[0x04, 0x03, 0x61, 0x62, 0x63]),
                ))
                .unwrap();
            loop {
                match l.next().await.unwrap() {
                    Some(Event::Refused(_)) | None => break,
                    Some(_) => {}
                }
            }
            me
        }
    }
}

#[test]
fn bad_connections_are_refused_in_plain_words_naming_the_peer_once() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("rtf-refusals-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = Receiver::new(RecvOptions {
            dir: dir.clone(),
            keep: Duration::from_secs(5),
            checkpoint: 4,
            window: 3,
            max_size: 1 << 20,
            keep_octets: 1 << 20,
            quick_ack: true,
        });
        tokio::spawn(Arc::clone(&receiver).serve(listener));

        let mut peers = Vec::new();
        for i in 0..KINDS * EACH {
            peers.push((i % KINDS, bad(addr, i % KINDS).await));
        }
        // Let the receiver finish with the connections that were closed under it.
        tokio::time::sleep(Duration::from_millis(300)).await;

        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let source = dir.join("after.bin.source");
        std::fs::write(&source, &data).unwrap();
        let opts = SendOptions {
            destination: addr,
            local: None,
            file: source,
            name: "after.bin".into(),
            user: "ftp".into(),
            password: String::new(),
            checkpoint: 4,
            window: 3,
            state: dir.join("after.bin.rtf-state"),
            retry_for: Duration::from_secs(10),
        };
        send(&opts, &mut |_| {}).await.unwrap();
        assert_eq!(std::fs::read(dir.join("after.bin")).unwrap(), data);
        tokio::time::sleep(Duration::from_millis(50)).await;
        std::fs::remove_dir_all(&dir).ok();

        let lines = log.lines();
        println!("{} log lines; one of each kind:", lines.len());
        for (kind, peer) in peers.iter().take(KINDS) {
            for l in lines.iter().filter(|l| l.contains(&peer.to_string())) {
                println!("  kind {kind}: {l}");
            }
        }
        for line in &lines {
            for debug_form in ["Some(", "None", "Invalid(", "BadPdu(", "Session(", "Peer("] {
                assert!(
                    !line.contains(debug_form),
                    "a debug form ({debug_form}) in: {line}"
                );
            }
            assert_eq!(
                line.matches("127.0.0.1:").count(),
                1,
                "the peer named once in: {line}"
            );
        }
        for (kind, peer) in &peers {
            let named = lines
                .iter()
                .filter(|l| l.contains(&format!("{peer}:")) || l.ends_with(&peer.to_string()))
                .count();
            assert!(
                named > 0,
                "bad connection of kind {kind} from {peer} not logged"
            );
        }
    });
}
