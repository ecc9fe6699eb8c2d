//! MTA associations back to back: the bind in both P1 generations, APDUs both ways with the
//! turn moving as needed, release, refusals with their reasons on both sides, timeouts, and
//! the accounting back to zero after every end.

use std::sync::Arc;
use std::time::Duration;

use osi_transport::tp0::{ConnectRequest, Event as TEvent, MAX_CONTROL_LEN, Tp0};

use x400_mta::Accounting;
use x400_mta::accounting::{Direction, Limits, Refusal};
use x400_mta::association::{Association, Config, Ended, Event, Refused};
use x400_mta::peers::{BindRefusal, Peer, Protocol, Secret};
use x400_rts::RefuseReason;
use x400_rts::machine::{Instant, Refusal as RtsRefusal};
use x400_test_kit::mta::{ADDR_A, Pair, apdu, junk_connect, table_a, table_b};

/// Most buffer memory an idle bound association may hold.
const IDLE_MEMORY: usize = 8 << 10;

fn bound(events: &[Event]) -> Option<(&str, Protocol, Direction)> {
    events.iter().find_map(|e| match e {
        Event::Bound {
            peer,
            protocol,
            direction,
        } => Some((peer.as_str(), *protocol, *direction)),
        _ => None,
    })
}

fn transferred(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Transferred))
        .count()
}

#[test]
fn bind_transfer_both_ways_and_release_in_both_generations() {
    for protocol in [Protocol::P1984, Protocol::P1988X410] {
        let mut p = Pair::new(table_a(protocol), table_b(protocol));
        p.chunk = 1000; // TPKTs split across reads
        // A has three APDUs, B two: the turn has to move both ways.
        let sent_a: Vec<Vec<u8>> = (0..3u8)
            .map(|i| apdu(10_000 + usize::from(i) * 7_000, i))
            .collect();
        let sent_b: Vec<Vec<u8>> = (0..2u8)
            .map(|i| apdu(5_000 + usize::from(i) * 100, 100 + i))
            .collect();
        for x in &sent_a {
            p.a.transfer(x.clone());
        }
        p.run();
        assert_eq!(
            bound(&p.events_a),
            Some(("MTA-B", protocol, Direction::Outbound))
        );
        assert_eq!(
            bound(&p.events_b),
            Some(("MTA-A", protocol, Direction::Inbound))
        );
        for x in &sent_b {
            p.b.transfer(x.clone());
        }
        p.run();
        assert_eq!(
            p.received_b(),
            sent_a.iter().map(Vec::as_slice).collect::<Vec<_>>()
        );
        assert_eq!(
            p.received_a(),
            sent_b.iter().map(Vec::as_slice).collect::<Vec<_>>()
        );
        assert_eq!(transferred(&p.events_a), 3);
        assert_eq!(transferred(&p.events_b), 2);
        let c = p.acct_b.counters();
        assert_eq!(
            (c.associations, c.inbound, c.handshakes),
            (1, 1, 0),
            "{c:?}"
        );
        assert_eq!(p.acct_a.counters().outbound, 1);
        // Idle again, neither side holds its buffers: 10,000 idle associations must fit
        // in little memory (their budget is reserved, not allocated).
        for side in [&p.a, &p.b] {
            assert!(
                side.memory_held() <= IDLE_MEMORY,
                "an idle association holds {} octets of buffers",
                side.memory_held()
            );
        }
        // The initiator releases (it may need the turn back first).
        p.a.close();
        p.run();
        assert_eq!(p.ended_a(), Some(&Ended::Released), "{:?}", p.events_a);
        assert_eq!(p.ended_b(), Some(&Ended::Released), "{:?}", p.events_b);
        assert!(p.a.is_finished() && p.b.is_finished());
        assert!(p.acct_a.counters().is_idle(), "{:?}", p.acct_a.counters());
        assert!(p.acct_b.counters().is_idle(), "{:?}", p.acct_b.counters());
    }
}

#[test]
fn an_unknown_mta_is_refused_with_validation_failure_on_both_sides() {
    let mut b = table_b(Protocol::P1984);
    b = {
        let mut t = x400_mta::PeerTable::new(b.local_name.clone());
        t.insert(Peer::new(
            "MTA-Z",
            Secret::new("z"),
            Secret::new("b"),
            Protocol::P1984,
        ));
        t
    };
    let mut p = Pair::new(table_a(Protocol::P1984), b);
    p.a.transfer(apdu(100, 1));
    p.run();
    assert_eq!(
        p.ended_b(),
        Some(&Ended::WeRefused(Refused::Bind(BindRefusal::UnknownPeer(
            "MTA-A".into()
        ))))
    );
    assert_eq!(
        p.ended_a(),
        Some(&Ended::PeerRefused(Refused::Rts(RtsRefusal::Rts(
            RefuseReason::VALIDATION_FAILURE
        ))))
    );
    // The APDU comes back, not lost.
    assert!(
        p.events_a
            .iter()
            .any(|e| matches!(e, Event::TransferFailed { apdu, .. } if apdu.len() == 100))
    );
    assert_eq!(p.acct_b.counters().refusals(Refusal::UnknownPeer), 1);
    assert!(p.acct_a.counters().is_idle() && p.acct_b.counters().is_idle());
}

#[test]
fn a_wrong_password_either_way_is_refused() {
    // B does not accept A's password.
    let mut tb = x400_mta::PeerTable::new("MTA-B");
    tb.insert(Peer::new(
        "MTA-A",
        Secret::new("other"),
        Secret::new("b-secret"),
        Protocol::P1984,
    ));
    let mut p = Pair::new(table_a(Protocol::P1984), tb);
    p.run();
    assert_eq!(
        p.ended_b(),
        Some(&Ended::WeRefused(Refused::Bind(
            BindRefusal::WrongPassword("MTA-A".into())
        )))
    );
    assert!(matches!(p.ended_a(), Some(Ended::PeerRefused(_))));
    assert_eq!(p.acct_b.counters().refusals(Refusal::WrongPassword), 1);
    // A does not accept B's answer: A aborts after the PAccept.
    let mut ta = x400_mta::PeerTable::new("MTA-A");
    ta.insert(Peer::new(
        "MTA-B",
        Secret::new("not-b"),
        Secret::new("a-secret"),
        Protocol::P1984,
    ));
    let mut p = Pair::new(ta, table_b(Protocol::P1984));
    p.run();
    assert_eq!(
        p.ended_a(),
        Some(&Ended::WeRefused(Refused::Bind(
            BindRefusal::WrongPassword("MTA-B".into())
        )))
    );
    assert!(
        matches!(p.ended_b(), Some(Ended::Aborted(_))),
        "{:?}",
        p.events_b
    );
    assert!(p.acct_a.counters().is_idle() && p.acct_b.counters().is_idle());
}

#[test]
fn a_generation_mismatch_is_refused() {
    let mut p = Pair::new(table_a(Protocol::P1988X410), table_b(Protocol::P1984));
    p.run();
    let Some(Ended::WeRefused(Refused::Bind(BindRefusal::WrongProtocol { .. }))) = p.ended_b()
    else {
        panic!("{:?}", p.events_b);
    };
    assert_eq!(p.acct_b.counters().refusals(Refusal::WrongProtocol), 1);
}

#[test]
fn limits_refuse_with_busy() {
    // A per-peer limit of 0 inbound at B: busy at the bind.
    let mut tb = x400_mta::PeerTable::new("MTA-B");
    let mut peer = Peer::new(
        "MTA-A",
        Secret::new("a-secret"),
        Secret::new("b-secret"),
        Protocol::P1984,
    );
    peer.max_inbound = 0;
    tb.insert(peer);
    let mut p = Pair::new(table_a(Protocol::P1984), tb);
    p.run();
    assert_eq!(
        p.ended_b(),
        Some(&Ended::WeRefused(Refused::Limit(Refusal::PeerAssociations)))
    );
    assert_eq!(
        p.ended_a(),
        Some(&Ended::PeerRefused(Refused::Rts(RtsRefusal::Rts(
            RefuseReason::BUSY
        ))))
    );
    assert!(p.acct_b.counters().is_idle());
    // A global limit of 0 associations: busy at the session CONNECT.
    let mut limits = Limits::default();
    limits.max_associations = 0;
    let mut q = Pair::with(
        table_a(Protocol::P1984),
        table_b(Protocol::P1984),
        Config::default(),
        limits,
    );
    q.run();
    // A itself is over its limit too: it never sends the CONNECT.
    assert_eq!(
        q.ended_a(),
        Some(&Ended::WeRefused(Refused::Limit(Refusal::Associations)))
    );
    assert!(q.acct_a.counters().is_idle() && q.acct_b.counters().is_idle());
}

#[test]
fn handshake_timeout_and_idle_timeout_end_and_give_back() {
    let mut p = Pair::new(table_a(Protocol::P1984), table_b(Protocol::P1984));
    // B hears nothing: A's octets are never delivered.
    p.b.handle_timeout(p.now + Config::DEFAULT_HANDSHAKE_TIMEOUT);
    assert!(matches!(
        p.b.poll_event(),
        Some(Event::Ended(Ended::HandshakeTimeout(_)))
    ));
    assert_eq!(p.acct_b.counters().handshakes, 0);
    assert_eq!(p.acct_b.counters().refusals(Refusal::HandshakeFailed), 1);
    // A bound pair left idle: both abort at the idle timeout.
    let mut p = Pair::new(table_a(Protocol::P1984), table_b(Protocol::P1984));
    p.run();
    assert!(p.a.is_bound() && p.b.is_bound());
    p.advance(Config::DEFAULT_IDLE_TIMEOUT + Duration::from_secs(1));
    assert!(
        matches!(p.ended_a(), Some(Ended::Idle(_)) | Some(Ended::Aborted(_))),
        "{:?}",
        p.events_a
    );
    assert!(
        matches!(p.ended_b(), Some(Ended::Idle(_)) | Some(Ended::Aborted(_))),
        "{:?}",
        p.events_b
    );
    assert!(p.acct_a.counters().is_idle() && p.acct_b.counters().is_idle());
}

#[test]
fn a_lost_connection_gives_queued_apdus_back() {
    let mut p = Pair::new(table_a(Protocol::P1984), table_b(Protocol::P1984));
    p.run();
    for i in 0..3 {
        p.a.transfer(apdu(50_000, i));
    }
    // Move only the first octets, then the network fails.
    let mut buf = vec![0; 8192];
    let n = p.a.poll_transmit(p.now, &mut buf).unwrap().unwrap();
    p.b.handle_input(p.now, &buf[..n / 2]);
    p.a.handle_disconnect(p.now);
    p.b.handle_disconnect(p.now);
    p.run();
    let back: Vec<u64> = p
        .events_a
        .iter()
        .filter_map(|e| match e {
            Event::TransferFailed { apdu, .. } => Some(apdu.len()),
            _ => None,
        })
        .collect();
    assert_eq!(back, [50_000; 3]);
    assert!(matches!(p.ended_a(), Some(Ended::TransportClosed(_))));
    // Bound associations that end are not failed handshakes.
    assert_eq!(p.acct_a.counters().refusals(Refusal::HandshakeFailed), 0);
    assert_eq!(p.acct_b.counters().refusals(Refusal::HandshakeFailed), 0);
    assert!(p.acct_a.counters().is_idle() && p.acct_b.counters().is_idle());
}

#[test]
fn a_garbage_pconnect_is_refused_and_counted_as_a_bad_connect() {
    let acct = Accounting::new(Limits::default());
    let from: std::net::SocketAddr = ADDR_A.parse().unwrap();
    let now = Instant::ZERO;
    let mut b = Association::responder(
        Config::default(),
        Arc::new(table_b(Protocol::P1984)),
        acct.handshake(Some(from.ip())).unwrap(),
        from,
        now,
    )
    .unwrap();
    // A peer's TP0: CR, and B's CC.
    let mut tp = Tp0::initiator(osi_transport::tp0::Config::default(), vec![0; 64 << 10]).unwrap();
    tp.connect(now, &ConnectRequest::default()).unwrap();
    let mut ctl = [0u8; MAX_CONTROL_LEN];
    let n = tp.poll_transmit(now, &mut ctl).unwrap().unwrap();
    assert_eq!(b.handle_input(now, &ctl[..n]), n);
    let mut out = vec![0u8; 64 << 10];
    let n = b.poll_transmit(now, &mut out).unwrap().unwrap();
    tp.handle_input(now, &out[..n]);
    assert!(matches!(tp.poll_event(), Some(TEvent::Connected { .. })));
    // A CN whose user data is no PConnect.
    let cn = junk_connect(&[0x00, 0x13, 0x37, 0xff, 0x02]);
    let mut segments = tp.send(&cn).unwrap();
    let mut tpkt = vec![0u8; segments.max_tpkt_len()];
    while let Some(k) = segments.write_next(&mut tpkt).unwrap() {
        b.handle_input(now, &tpkt[..k]);
    }
    let Some(Event::Ended(Ended::WeRefused(Refused::Connect(why)))) = b.poll_event() else {
        panic!("not refused as a bad connect");
    };
    assert!(why.contains("did not decode"), "{why}");
    // B answered with a session RF (SI 12) before closing.
    let n = b.poll_transmit(now, &mut out).unwrap().unwrap();
    tp.handle_input(now, &out[..n]);
    let Some(TEvent::Data(tsdu)) = tp.poll_event() else {
        panic!("no TSDU from B");
    };
    assert_eq!(tsdu.first(), Some(&12), "{tsdu:02x?}");
    assert!(b.is_finished());
    let c = acct.counters();
    assert_eq!(c.refusals(Refusal::BadConnect), 1);
    assert_eq!(c.refusals(Refusal::HandshakeFailed), 0, "counted once");
    assert!(c.is_idle(), "{c:?}");
}

#[test]
fn a_streamed_apdu_is_read_as_the_window_takes_it() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use x400_mta::association::Apdu;

    let mut p = Pair::new(table_a(Protocol::P1988X410), table_b(Protocol::P1988X410));
    p.run();
    let octets = apdu(3 << 20, 9);
    let opened = Arc::new(AtomicUsize::new(0));
    let (source, count) = (octets.clone(), Arc::clone(&opened));
    p.a.transfer(Apdu::streamed(octets.len() as u64, move || {
        count.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(std::io::Cursor::new(source.clone())))
    }));
    // Part of the way: the sender holds one chunk of the source, not the APDU.
    for _ in 0..20 {
        p.step();
    }
    assert!(
        p.a.memory_held() < 1 << 20,
        "the sender holds {} octets",
        p.a.memory_held()
    );
    p.run();
    assert_eq!(p.received_b(), [octets.as_slice()]);
    assert_eq!(transferred(&p.events_a), 1);
    assert_eq!(opened.load(Ordering::Relaxed), 1);
}

#[test]
fn a_streamed_apdu_whose_source_fails_aborts_and_comes_back() {
    use x400_mta::association::Apdu;

    let mut p = Pair::new(table_a(Protocol::P1984), table_b(Protocol::P1984));
    p.run();
    // The source claims 1 MiB and has 300 KiB.
    let short = apdu(300 << 10, 3);
    let given = Apdu::streamed(1 << 20, move || {
        Ok(Box::new(std::io::Cursor::new(short.clone())))
    });
    p.a.transfer(given.clone());
    p.run();
    let back: Vec<&Apdu> = p
        .events_a
        .iter()
        .filter_map(|e| match e {
            Event::TransferFailed { apdu, .. } => Some(apdu),
            _ => None,
        })
        .collect();
    assert_eq!(back, [&given]);
    assert!(matches!(p.ended_a(), Some(Ended::Aborted(why)) if why.contains("ended after")));
    assert!(
        p.received_b().is_empty(),
        "the partial APDU is not delivered"
    );
    assert!(p.acct_a.counters().is_idle() && p.acct_b.counters().is_idle());
}
