//! The TP0 shell on loopback TCP: connection establishment each way, TSDUs of every size
//! class both ways, deadlines, release, and the test aids (octet log, cut point, writes in
//! pieces) that the workspace's interop tests and benches rely on.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    // TSDU numbers are below 10: `as u8` is exact.
    clippy::cast_possible_truncation
)]

use std::future::Future;
use std::time::Duration;

use osi_transport::tp0::{Config, ConnectRequest, DisconnectCause};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::time::Instant;
use x400_io::tp0::{Input, Tp0Tcp};

/// TP0 receive buffer of both sides: the largest TSDU here plus one TCP read.
const RX: usize = 256 << 10;

/// Runs `f` on a current-thread runtime; loopback takes milliseconds, so 10 s only stops a
/// hang.
fn run<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(Duration::from_secs(10), f)
                .await
                .expect("test timed out")
        })
}

/// A connected initiator (`log` as asked) and responder (logging) on loopback.
async fn pair(log: bool) -> (Tp0Tcp, Tp0Tcp) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let epoch = Instant::now();
    let responder = async {
        let (tcp, _) = listener.accept().await.unwrap();
        Tp0Tcp::accept(tcp, Config::default(), RX, epoch, true).await
    };
    let req = ConnectRequest::default();
    let initiator = Tp0Tcp::connect(addr, None, Config::default(), RX, &req, epoch, log);
    let (a, b) = tokio::join!(initiator, responder);
    (a.unwrap(), b.unwrap())
}

/// The next input, which must be a TSDU.
async fn data(t: &mut Tp0Tcp) -> Vec<u8> {
    match t.next(None).await.unwrap() {
        Input::Data(d) => d,
        other => panic!("expected a TSDU, got {other:?}"),
    }
}

fn tsdu(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| i.to_le_bytes()[0].wrapping_mul(7) ^ seed)
        .collect()
}

#[test]
fn tsdus_of_every_size_cross_both_ways_intact_and_in_order() {
    run(async {
        let (mut a, mut b) = pair(false).await;
        assert_eq!(a.ports.1, b.ports.0, "each side knows the other's port");
        assert_eq!(a.peer.port(), b.ports.0);
        // Empty, one octet, one DT exactly (TPDU size 2048 less the DT header), one more
        // than that, and many DTs.
        let sizes = [0, 1, 2045, 2046, 200_000];
        for (i, &len) in sizes.iter().enumerate() {
            a.send(&tsdu(len, i as u8)).await.unwrap();
        }
        for (i, &len) in sizes.iter().enumerate() {
            assert_eq!(data(&mut b).await, tsdu(len, i as u8), "TSDU {i} a -> b");
        }
        // Several TSDUs queued go out in one write and arrive as several.
        for (i, &len) in sizes.iter().enumerate() {
            b.queue(&tsdu(len, 100 + i as u8)).unwrap();
        }
        b.flush().await.unwrap();
        for (i, &len) in sizes.iter().enumerate() {
            assert_eq!(
                data(&mut a).await,
                tsdu(len, 100 + i as u8),
                "TSDU {i} b -> a"
            );
        }
    });
}

#[test]
fn a_deadline_ends_the_wait_and_a_close_reaches_the_peer() {
    run(async {
        let (mut a, mut b) = pair(false).await;
        let deadline = a.now() + Duration::from_millis(50);
        assert!(matches!(
            a.next(Some(deadline)).await.unwrap(),
            Input::Timeout
        ));
        assert!(a.now() >= deadline);
        a.close().await;
        assert!(a.closed.is_some());
        assert!(matches!(b.next(None).await.unwrap(), Input::Closed(_)));
        // Once closed, every call says so and sending is a no-op.
        b.send(b"late").await.unwrap();
        assert!(matches!(b.next(None).await.unwrap(), Input::Closed(_)));
    });
}

#[test]
fn the_log_keeps_every_octet_in_order_each_way() {
    run(async {
        let (mut a, mut b) = pair(true).await;
        a.send(b"hello").await.unwrap();
        assert_eq!(data(&mut b).await, b"hello");
        b.send(b"back").await.unwrap();
        assert_eq!(data(&mut a).await, b"back");
        let log = a.log.clone().unwrap();
        let written: Vec<u8> = log
            .iter()
            .filter(|(w, _)| *w)
            .flat_map(|(_, o)| o.clone())
            .collect();
        let read: Vec<u8> = log
            .iter()
            .filter(|(w, _)| !*w)
            .flat_map(|(_, o)| o.clone())
            .collect();
        // CR (TPKT, LI, code E0) first, then the DT with "hello".
        assert_eq!(written[..2], [3, 0]);
        assert_eq!(written[5] & 0xf0, 0xe0);
        assert!(written.ends_with(b"hello"));
        // The CC (code D0) first, then the DT with "back".
        assert_eq!(read[5] & 0xf0, 0xd0);
        assert!(read.ends_with(b"back"));
        // And the responder's log is the mirror image.
        let mirror = b.log.clone().unwrap();
        let b_read: Vec<u8> = mirror
            .iter()
            .filter(|(w, _)| !*w)
            .flat_map(|(_, o)| o.clone())
            .collect();
        assert_eq!(b_read, written);
    });
}

#[test]
fn a_cut_point_drops_the_connection_after_that_many_octets_written() {
    run(async {
        let (mut a, mut b) = pair(true).await;
        let cr = a.log.as_ref().unwrap()[0].1.len() as u64;
        // Room for the CR and 100 octets more: a 5000-octet TSDU is cut inside its first DT.
        a.cut_after = Some(cr + 100);
        a.send(&tsdu(5000, 1)).await.unwrap();
        assert_eq!(a.closed, Some(DisconnectCause::NetworkClosed));
        assert!(matches!(a.next(None).await.unwrap(), Input::Closed(_)));
        // The peer never sees a partial TSDU: only the end of the connection.
        assert!(matches!(b.next(None).await.unwrap(), Input::Closed(_)));
    });
}

#[test]
fn writes_in_pieces_still_arrive_as_whole_tsdus() {
    run(async {
        let (mut a, mut b) = pair(false).await;
        a.write_in_pieces();
        for len in [10, 2046, 9000] {
            a.send(&tsdu(len, 3)).await.unwrap();
            assert_eq!(data(&mut b).await, tsdu(len, 3));
        }
        // A receiver that delays its ACKs still gets everything.
        b.quick_ack = false;
        a.send(&tsdu(50_000, 4)).await.unwrap();
        assert_eq!(data(&mut b).await, tsdu(50_000, 4));
    });
}

#[test]
fn a_peer_that_closes_instead_of_answering_the_cr_is_an_error_for_both_ends() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let closer = tokio::spawn(async move {
            let (mut tcp, _) = listener.accept().await.unwrap();
            tcp.shutdown().await.unwrap();
        });
        let req = ConnectRequest::default();
        let e = Tp0Tcp::connect(
            addr,
            None,
            Config::default(),
            RX,
            &req,
            Instant::now(),
            false,
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("not accepted"), "{e}");
        closer.await.unwrap();

        // And a responder whose peer closes before any CR says so.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let silent = tokio::spawn(async move {
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            drop(tcp);
        });
        let (tcp, _) = listener.accept().await.unwrap();
        silent.await.unwrap();
        let e = Tp0Tcp::accept(tcp, Config::default(), RX, Instant::now(), false)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("connect request"), "{e}");
    });
}
