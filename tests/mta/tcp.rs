//! Associations over TCP on loopback with the MTA's shell: both P1 generations, APDUs both
//! ways (megabytes too, more than the sockets buffer), release, a refused bind logged in words
//! on both sides, a connection closed before reading at the handshake limit, and graceful
//! shutdown; the accounting returns to zero. An observer sees each connection's octets and
//! end, and one whose tap fails changes nothing.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use x400_mta::association::{Ended, Event};
use x400_mta::shell::{Connection, Handle, Observer, Shell, ShellConfig, Tap};
use x400_mta::{Accounting, Direction, Limits, PeerTable, Protocol};
use x400_test_kit::mta::{Collector, Reply, apdu, table_a, table_b};

/// MTA-B listening on a loopback port, with MTA-A's table pointing at it.
async fn pair(
    protocol: Protocol,
    table_b: PeerTable,
    limits_b: Limits,
) -> (Shell, Shell, mpsc::Receiver<Handle>) {
    pair_with(protocol, table_b, limits_b, ShellConfig::default()).await
}

/// The same with `config` on both sides.
async fn pair_with(
    protocol: Protocol,
    table_b: PeerTable,
    limits_b: Limits,
    config: ShellConfig,
) -> (Shell, Shell, mpsc::Receiver<Handle>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut ta = table_a(protocol);
    let mut peer_b = ta.get("MTA-B").unwrap().clone();
    peer_b.addresses = vec![addr];
    ta.insert(peer_b);
    let a = Shell::new(config, ta, Accounting::new(Limits::default()));
    let b = Shell::new(config, table_b, Accounting::new(limits_b));
    let (tx, rx) = mpsc::channel(16);
    let server = b.clone();
    tokio::spawn(async move { server.listen(listener, tx).await });
    (a, b, rx)
}

/// Serves one inbound association: secures every APDU, sends `reply` once bound, and
/// returns the APDUs received and how it ended.
async fn serve(mut h: Handle, reply: Vec<Vec<u8>>) -> (Vec<Vec<u8>>, Ended) {
    let mut got = Collector::default();
    while let Some(ev) = h.next().await {
        if let Event::Bound { .. } = ev {
            for r in &reply {
                h.transfer(r.clone()).await.unwrap();
            }
        }
        if let Event::Ended(why) = ev {
            return (got.apdus, why);
        }
        answer(&h, got.take(&ev)).await;
    }
    panic!("the association's events stopped before its end");
}

/// Answers what the collector says on a shell's handle.
async fn answer(h: &Handle, reply: Reply) {
    match reply {
        Reply::Confirm(serial) => h.confirm_checkpoint(serial).await.unwrap(),
        Reply::Secure => h.secured().await.unwrap(),
        Reply::Nothing => {}
    }
}

/// The initiator's side: once `sent` APDUs are confirmed and `expected` arrived, release;
/// returns what arrived. The association must end released.
async fn exchange(h: &mut Handle, sent: usize, expected: usize) -> Vec<Vec<u8>> {
    let (mut got, mut confirmed) = (Collector::default(), 0);
    while let Some(ev) = h.next().await {
        answer(h, got.take(&ev)).await;
        match ev {
            Event::Transferred => confirmed += 1,
            Event::Ended(why) => {
                assert_eq!(why, Ended::Released);
                return got.apdus;
            }
            _ => {}
        }
        if confirmed == sent && got.apdus.len() == expected {
            h.close().await.unwrap();
        }
    }
    panic!("the association's events stopped before its end");
}

async fn idle(acct: &Accounting) {
    for _ in 0..500 {
        if acct.counters().is_idle() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "the accounting did not return to zero: {:?}",
        acct.counters()
    );
}

#[tokio::test]
async fn two_mtas_exchange_apdus_and_release_over_tcp() {
    for protocol in [Protocol::P1984, Protocol::P1988X410] {
        let (a, b, mut incoming) = pair(protocol, table_b(protocol), Limits::default()).await;
        let sent_a: Vec<Vec<u8>> = (0..3u8).map(|i| apdu(40_000 + usize::from(i), i)).collect();
        let sent_b: Vec<Vec<u8>> = (0..2u8).map(|i| apdu(9_000, 50 + i)).collect();
        let mut h = a.connect("MTA-B").await.unwrap();
        for x in &sent_a {
            h.transfer(x.clone()).await.unwrap();
        }
        let server = tokio::spawn(serve(incoming.recv().await.unwrap(), sent_b.clone()));
        let got = exchange(&mut h, sent_a.len(), sent_b.len()).await;
        let (received, why) = server.await.unwrap();
        assert_eq!(received, sent_a);
        assert_eq!(got, sent_b);
        assert_eq!(why, Ended::Released);
        idle(a.accounting()).await;
        idle(b.accounting()).await;
        b.shutdown().await;
    }
}

#[tokio::test]
async fn apdus_of_8_mib_cross_intact_when_the_sockets_back_up() {
    // Without checkpoints an APDU goes out whole, far more than the sockets' buffers hold:
    // each side's writes stall and resume, and TPKTs arrive split across reads, with both
    // sides on one thread.
    let mut config = ShellConfig::default();
    config.association.rts.checkpoint_size = 0;
    let (a, b, mut incoming) = pair_with(
        Protocol::P1984,
        table_b(Protocol::P1984),
        Limits::default(),
        config,
    )
    .await;
    let sent_a: Vec<Vec<u8>> = (0..3u8)
        .map(|i| apdu((8 << 20) + 7 * usize::from(i), i))
        .collect();
    let sent_b = vec![apdu(8 << 20, 99)];
    let mut h = a.connect("MTA-B").await.unwrap();
    for x in &sent_a {
        h.transfer(x.clone()).await.unwrap();
    }
    let server = tokio::spawn(serve(incoming.recv().await.unwrap(), sent_b.clone()));
    let got = exchange(&mut h, sent_a.len(), sent_b.len()).await;
    let (received, why) = server.await.unwrap();
    assert_eq!(why, Ended::Released);
    assert!(received == sent_a, "the APDUs A sent arrived changed");
    assert!(got == sent_b, "the APDU B sent arrived changed");
    idle(a.accounting()).await;
    idle(b.accounting()).await;
    b.shutdown().await;
}

/// A `MakeWriter` that keeps every log line.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The lines every test of this binary logs. One global subscriber: a thread-local one
/// loses lines whenever another test's thread, with no subscriber, caches a callsite's
/// interest first (tracing's interest cache is global).
fn lines() -> &'static Lines {
    static LINES: std::sync::OnceLock<Lines> = std::sync::OnceLock::new();
    LINES.get_or_init(|| {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        lines
    })
}

#[tokio::test]
async fn a_refused_bind_is_logged_in_words_on_both_sides() {
    let lines = lines();
    let mut tb = PeerTable::new("MTA-B");
    tb.insert(x400_mta::Peer::new(
        "MTA-A",
        x400_mta::Secret::new("not-what-a-sends"),
        x400_mta::Secret::new(x400_test_kit::mta::PW_B),
        Protocol::P1984,
    ));
    let (a, b, mut incoming) = pair(Protocol::P1984, tb, Limits::default()).await;
    let mut h = a.connect("MTA-B").await.unwrap();
    let server = tokio::spawn(serve(incoming.recv().await.unwrap(), Vec::new()));
    let mut end = None;
    while let Some(ev) = h.next().await {
        if let Event::Ended(why) = ev {
            end = Some(why);
        }
    }
    let (_, why_b) = server.await.unwrap();
    assert!(matches!(why_b, Ended::WeRefused(_)), "{why_b:?}");
    assert!(matches!(end, Some(Ended::PeerRefused(_))), "{end:?}");
    let log = lines.text();
    // The responder says who, which layer, what and why; never the password.
    assert!(
        log.contains("refused MTA bind from 127.0.0.1:")
            && log.contains(r#"(claims to be MTA "MTA-A"): MTA "MTA-A" presented a wrong password; answered PRefuse"#),
        "{log}"
    );
    // The initiator logs the peer's reason decoded, not a number.
    assert!(
        log.contains(r#"MTA "MTA-B" at 127.0.0.1:"#)
            && log.contains("refused our association: the responder refused the association with PRefuse validationFailure"),
        "{log}"
    );
    assert!(
        !log.contains("not-what-a-sends") && !log.contains(x400_test_kit::mta::PW_A),
        "{log}"
    );
    assert_eq!(
        b.accounting()
            .counters()
            .refusals(x400_mta::Refusal::WrongPassword),
        1
    );
    idle(a.accounting()).await;
    idle(b.accounting()).await;
    b.shutdown().await;
}

#[tokio::test]
async fn over_the_handshake_limit_the_connection_is_closed_before_reading() {
    let mut limits = Limits::default();
    limits.max_handshakes_per_source = 0;
    let (a, b, _incoming) = pair(Protocol::P1984, table_b(Protocol::P1984), limits).await;
    let mut h = a.connect("MTA-B").await.unwrap();
    let mut end = None;
    while let Some(ev) = h.next().await {
        if let Event::Ended(why) = ev {
            end = Some(why);
        }
    }
    assert!(matches!(end, Some(Ended::PeerRefused(_))), "{end:?}");
    let c = b.accounting().counters();
    assert_eq!(c.refusals(x400_mta::Refusal::HandshakesFromSource), 1);
    idle(a.accounting()).await;
    idle(b.accounting()).await;
    b.shutdown().await;
}

#[tokio::test]
async fn shutdown_releases_bound_associations() {
    let (a, b, mut incoming) =
        pair(Protocol::P1984, table_b(Protocol::P1984), Limits::default()).await;
    let mut h = a.connect("MTA-B").await.unwrap();
    let server = tokio::spawn(serve(incoming.recv().await.unwrap(), Vec::new()));
    assert!(matches!(h.next().await, Some(Event::Bound { .. })));
    let started = std::time::Instant::now();
    a.shutdown().await;
    assert!(
        started.elapsed() < ShellConfig::DEFAULT_SHUTDOWN_GRACE,
        "released, not aborted"
    );
    let (_, why) = server.await.unwrap();
    assert_eq!(why, Ended::Released);
    assert!(matches!(
        h.next().await,
        Some(Event::Ended(Ended::Released))
    ));
    assert!(
        a.connect("MTA-B").await.is_err(),
        "no new association after shutdown"
    );
    idle(a.accounting()).await;
    idle(b.accounting()).await;
    b.shutdown().await;
}

/// Keeps what an observer saw: octets each way, whether the tap was closed, and the
/// connections that ended.
#[derive(Debug, Default)]
struct Seen {
    sent: Vec<u8>,
    received: Vec<u8>,
    closed: bool,
    ended: Vec<(Connection, Duration)>,
}

/// An observer whose taps record into `seen`, or fail at once if `broken`.
#[derive(Debug, Default)]
struct Recorder {
    seen: Arc<Mutex<Seen>>,
    broken: bool,
}

struct RecordingTap {
    seen: Arc<Mutex<Seen>>,
    broken: bool,
}

impl Tap for RecordingTap {
    fn received(&mut self, _: SystemTime, octets: &[u8]) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::other("the disk is full"));
        }
        self.seen.lock().unwrap().received.extend_from_slice(octets);
        Ok(())
    }

    fn sent(&mut self, _: SystemTime, octets: &[u8]) -> std::io::Result<()> {
        if self.broken {
            return Err(std::io::Error::other("the disk is full"));
        }
        self.seen.lock().unwrap().sent.extend_from_slice(octets);
        Ok(())
    }

    fn closed(&mut self, _: SystemTime) -> std::io::Result<()> {
        self.seen.lock().unwrap().closed = true;
        Ok(())
    }
}

impl Observer for Recorder {
    fn opened(&self, _: &Connection) -> Option<Box<dyn Tap>> {
        Some(Box::new(RecordingTap {
            seen: self.seen.clone(),
            broken: self.broken,
        }))
    }

    fn ended(&self, connection: &Connection, lasted: Duration) {
        self.seen
            .lock()
            .unwrap()
            .ended
            .push((connection.clone(), lasted));
    }
}

#[tokio::test]
async fn an_observer_sees_the_octets_both_ways_and_a_failing_tap_changes_nothing() {
    let protocol = Protocol::P1988X410;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut ta = table_a(protocol);
    let mut peer_b = ta.get("MTA-B").unwrap().clone();
    peer_b.addresses = vec![addr];
    ta.insert(peer_b);
    let rec_a = Arc::new(Recorder::default());
    let rec_b = Arc::new(Recorder {
        broken: true,
        ..Recorder::default()
    });
    let limits = || Accounting::new(Limits::default());
    let a = Shell::observed(ShellConfig::default(), ta, limits(), rec_a.clone());
    let b = Shell::observed(
        ShellConfig::default(),
        table_b(protocol),
        limits(),
        rec_b.clone(),
    );
    let (tx, mut incoming) = mpsc::channel(16);
    let server = b.clone();
    tokio::spawn(async move { server.listen(listener, tx).await });

    let sent = vec![apdu(70_000, 1)];
    let mut h = a.connect("MTA-B").await.unwrap();
    h.transfer(sent[0].clone()).await.unwrap();
    let served = tokio::spawn(serve(incoming.recv().await.unwrap(), Vec::new()));
    exchange(&mut h, 1, 0).await;
    // B's tap failed at its first octets; its association went on all the same.
    let (received, why) = served.await.unwrap();
    assert_eq!(received, sent);
    assert_eq!(why, Ended::Released);
    idle(a.accounting()).await;
    idle(b.accounting()).await;
    // Every task gone: each has told its observer.
    a.shutdown().await;
    b.shutdown().await;

    let seen = rec_a.seen.lock().unwrap();
    // TPKTs both ways (RFC 1006: version 3), the APDU among what A sent, the tap closed.
    assert_eq!(seen.sent.get(..2), Some(&[3u8, 0][..]));
    assert_eq!(seen.received.get(..2), Some(&[3u8, 0][..]));
    assert!(seen.sent.len() > 70_000, "{}", seen.sent.len());
    assert!(seen.closed);
    let [(connection, _)] = &seen.ended[..] else {
        panic!("{:?}", seen.ended);
    };
    assert_eq!(connection.remote, addr);
    assert_eq!(connection.direction, Direction::Outbound);
    assert_eq!(connection.peer.as_deref(), Some("MTA-B"));
    let seen_b = rec_b.seen.lock().unwrap();
    assert!(seen_b.sent.is_empty() && seen_b.received.is_empty() && !seen_b.closed);
    let [(connection, _)] = &seen_b.ended[..] else {
        panic!("{:?}", seen_b.ended);
    };
    assert_eq!(connection.direction, Direction::Inbound);
    assert_eq!(connection.peer, None);
}
