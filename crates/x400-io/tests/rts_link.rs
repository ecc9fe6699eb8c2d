//! The RTS association link on loopback TCP: open, a checkpointed transfer secured by the
//! receiver, release; a connection cut in the middle of a transfer and recovered on a new one;
//! and rtf (ISODE's file transfer) end to end through the same links, with a cut.

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

use std::future::Future;
use std::time::Duration;

use osi_session::machine::Role;
use tokio::net::TcpListener;
use tokio::time::Instant;
use x400_io::Link;
use x400_io::rtf::{Receiver, RecvOptions, SendOptions, send};
use x400_rts::machine::{Config, Event, OpenRequest, Recovery};
use x400_rts::{CallingSsUserReference, SessionConnectionIdentifier, T61String, UtcTimeOctets};

fn run<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(30), f)
                .await
                .expect("test timed out")
        })
}

fn id(n: u32) -> SessionConnectionIdentifier {
    SessionConnectionIdentifier {
        calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("mta-a")),
        common_reference: UtcTimeOctets::from("261203100000Z"),
        additional_reference_information: Some(T61String::new(n.to_be_bytes())),
    }
}

/// 1 KiB checkpoints, window 3.
fn config() -> Config {
    let mut c = Config::default();
    c.checkpoint_size = 1;
    c.window_size = 3;
    c
}

fn apdu(len: usize) -> Vec<u8> {
    (0..len).map(|i| i.to_le_bytes()[0] ^ 0x5a).collect()
}

/// The sending user: writes what the machine takes of `source` (the APDU), from where it
/// continues, and finishes it once all is written.
fn feed(rts: &mut x400_rts::machine::Rts, source: &[u8]) {
    while let Some(at) = rts.write_offset() {
        let rest = &source[at as usize..];
        if rest.is_empty() {
            rts.finish_transfer().unwrap();
            break;
        }
        if rts.write(rest).unwrap() == 0 {
            break;
        }
    }
}

/// What the receiving side keeps of a lost connection: the machine's state and the octets
/// its user stored of the APDU (its "file").
type Kept = (Recovery, Vec<u8>);

/// The receiving side: accepts the open or the recovery (with `kept`), stores the pieces as
/// they come, confirms each checkpoint, secures every APDU, and returns what it received
/// and what it kept when the connection was lost.
async fn receive(mut b: Link, kept: Option<Kept>) -> (Vec<Vec<u8>>, Option<Kept>) {
    let (mut kept, mut partial) = match kept {
        Some((state, stored)) => (Some(state), stored),
        None => (None, Vec::new()),
    };
    let mut got = Vec::new();
    let mut lost = None;
    while let Some(ev) = b.next().await.unwrap() {
        match ev {
            Event::OpenIndication(_) => b.rts.accept(None).unwrap(),
            Event::RecoverIndication { .. } => {
                b.rts
                    .accept_recovery(kept.take().expect("a state"))
                    .unwrap();
            }
            Event::TransferStart { offset } => {
                assert!(offset as usize <= partial.len());
                partial.truncate(offset as usize);
            }
            Event::TransferData(piece) => partial.extend_from_slice(&piece),
            Event::TransferCheckpoint { serial, offset } => {
                assert_eq!(offset as usize, partial.len());
                b.rts.confirm_checkpoint(serial).unwrap();
            }
            Event::TransferEnd { len } => {
                assert_eq!(len as usize, partial.len());
                got.push(std::mem::take(&mut partial));
                b.rts.secured().unwrap();
            }
            Event::ConnectionLost(state) => {
                lost = state.map(|s| (s, std::mem::take(&mut partial)));
            }
            _ => {}
        }
    }
    (got, lost)
}

#[test]
fn an_association_opens_transfers_a_checkpointed_apdu_and_releases() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let epoch = Instant::now();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let b = Link::accept(tcp, config(), epoch, false).await.unwrap();
            receive(b, None).await
        });
        let mut a = Link::connect(addr, None, config(), epoch, false)
            .await
            .unwrap();
        a.rts.open(&OpenRequest::new(&id(1), None)).unwrap();
        let mut confirmed = 0;
        let source = apdu(20_000);
        while let Some(ev) = a.next().await.unwrap() {
            match ev {
                Event::Opened(_) => a.rts.start_transfer().unwrap(),
                Event::CheckpointConfirmed { .. } => confirmed += 1,
                Event::Transferred => a.rts.close().unwrap(),
                Event::Closed | Event::DisconnectTransport | Event::TransferWritable => {}
                other => panic!("unexpected {other:?}"),
            }
            feed(&mut a.rts, &source);
            // The machine never holds more than the window and one checkpoint.
            assert!(a.rts.buffered() <= 4 * 1024);
        }
        // 20 000 octets in 1 KiB checkpoints: a minor sync point after each of the 19 full
        // ones, every one confirmed.
        assert_eq!(confirmed, 19);
        let (got, lost) = server.await.unwrap();
        assert_eq!(got, [apdu(20_000)]);
        assert!(lost.is_none());
    });
}

#[test]
fn a_transfer_cut_in_the_middle_resumes_on_a_new_connection() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let epoch = Instant::now();
        let data = apdu(100_000);

        // First connection: cut after about 30 KiB written.
        let (sender_state, (got, receiver_state)) = tokio::join!(
            async {
                let mut a = Link::connect(addr, None, config(), epoch, false)
                    .await
                    .unwrap();
                a.net.cut_after = Some(30_000);
                a.rts.open(&OpenRequest::new(&id(1), None)).unwrap();
                let mut state = None;
                while let Some(ev) = a.next().await.unwrap() {
                    match ev {
                        Event::Opened(_) => a.rts.start_transfer().unwrap(),
                        Event::ConnectionLost(s) => state = s,
                        _ => {}
                    }
                    feed(&mut a.rts, &data);
                }
                state
            },
            async {
                let (tcp, _) = listener.accept().await.unwrap();
                let b = Link::accept(tcp, config(), epoch, false).await.unwrap();
                receive(b, None).await
            }
        );
        assert!(got.is_empty(), "nothing delivered before the cut");
        let sender_state = sender_state.expect("the sender keeps its state");
        let receiver_state = receiver_state.expect("the receiver keeps its state");

        // Second connection: recover, and the rest of the APDU follows.
        let (transferred, (got, _)) = tokio::join!(
            async {
                let mut a = Link::connect(addr, None, config(), epoch, false)
                    .await
                    .unwrap();
                a.rts
                    .recover(&OpenRequest::new(&id(2), None), sender_state)
                    .unwrap();
                let mut transferred = false;
                while let Some(ev) = a.next().await.unwrap() {
                    if ev == Event::Transferred {
                        transferred = true;
                        a.rts.close().unwrap();
                    }
                    // The resumed activity: the rest of the APDU from where it stopped.
                    feed(&mut a.rts, &data);
                }
                transferred
            },
            async {
                let (tcp, _) = listener.accept().await.unwrap();
                let b = Link::accept(tcp, config(), epoch, false).await.unwrap();
                receive(b, Some(receiver_state)).await
            }
        );
        assert!(transferred);
        assert_eq!(got, [data]);
    });
}

#[test]
fn rtf_delivers_a_file_once_across_a_cut() {
    run(async {
        let dir = std::env::temp_dir().join(format!("x400-io-rtf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = Receiver::new(RecvOptions {
            dir: dir.clone(),
            keep: Duration::from_secs(60),
            checkpoint: 4,
            window: 3,
            max_size: 1 << 20,
            keep_octets: 16 << 20,
            quick_ack: true,
        });
        tokio::spawn(std::sync::Arc::clone(&receiver).serve(listener));
        let data = apdu(300_000);
        let source = dir.join("file.bin.source");
        std::fs::write(&source, &data).unwrap();
        let opts = SendOptions {
            destination: addr,
            local: None,
            file: source,
            name: "file.bin".into(),
            user: "ftp".into(),
            password: String::new(),
            checkpoint: 4,
            window: 3,
            state: dir.join("file.bin.rtf-state"),
            retry_for: Duration::from_secs(20),
        };
        let mut first = true;
        let report = send(&opts, &mut |l| {
            if std::mem::take(&mut first) {
                l.net.cut_after = Some(100_000);
            }
        })
        .await
        .unwrap();
        assert_eq!(report.connections, 2, "{report:?}");
        assert_eq!(report.recoveries, 1, "{report:?}");
        assert_eq!(report.restarts, 0, "{report:?}");
        assert_eq!(std::fs::read(dir.join("file.bin")).unwrap(), data);
        assert_eq!(
            receiver.stored.load(std::sync::atomic::Ordering::Relaxed),
            1
        );
        assert!(
            !opts.state.exists(),
            "the recovery point is gone once secured"
        );
        std::fs::remove_dir_all(&dir).ok();
    });
}

/// The link is usable from either role and says which.
#[test]
fn each_end_runs_the_machine_of_its_role() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let epoch = Instant::now();
        let (a, b) = tokio::join!(Link::connect(addr, None, config(), epoch, false), async {
            let (tcp, _) = listener.accept().await.unwrap();
            Link::accept(tcp, config(), epoch, false).await
        });
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.rts.role(), Role::Initiator);
        assert_eq!(b.rts.role(), Role::Responder);
    });
}
