//! The accounting gives back everything on every path, and refuses with the right reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::cast_possible_truncation
)]

use std::net::IpAddr;

use x400_mta::accounting::{Accounting, Direction, Limits, Refusal};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_associations = 3;
    l.max_handshakes = 4;
    l.max_handshakes_per_source = 2;
    l.association_memory = 100;
    l.max_memory = 1000;
    l
}

#[test]
fn handshake_limits_refuse_and_count() {
    let acct = Accounting::new(limits());
    let a1 = acct.handshake(Some(ip("192.0.2.1"))).unwrap();
    let a2 = acct.handshake(Some(ip("192.0.2.1"))).unwrap();
    assert_eq!(
        acct.handshake(Some(ip("192.0.2.1"))).unwrap_err(),
        Refusal::HandshakesFromSource
    );
    let b1 = acct.handshake(Some(ip("192.0.2.2"))).unwrap();
    let out = acct.handshake(None).unwrap();
    assert_eq!(
        acct.handshake(Some(ip("192.0.2.3"))).unwrap_err(),
        Refusal::Handshakes
    );
    let c = acct.counters();
    assert_eq!((c.handshakes, c.sources, c.memory), (4, 2, 400));
    assert_eq!(c.refusals(Refusal::HandshakesFromSource), 1);
    assert_eq!(c.refusals(Refusal::Handshakes), 1);
    drop((a1, a2, b1, out));
    let c = acct.counters();
    assert!(c.is_idle(), "{c:?}");
    // The refusal totals stay.
    assert_eq!(c.refusals(Refusal::Handshakes), 1);
    // Room again at once.
    let _again = acct.handshake(Some(ip("192.0.2.1"))).unwrap();
}

#[test]
fn memory_budget_refuses() {
    let mut l = limits();
    l.max_memory = 250;
    let acct = Accounting::new(l);
    let _a = acct.handshake(None).unwrap();
    let _b = acct.handshake(None).unwrap();
    assert_eq!(acct.handshake(None).unwrap_err(), Refusal::Memory);
    assert_eq!(acct.counters().refusals(Refusal::Memory), 1);
}

#[test]
fn association_limit_at_admit_and_peer_limit_at_bind() {
    let mut l = limits();
    l.max_handshakes = 10;
    l.max_handshakes_per_source = 10;
    let acct = Accounting::new(l);
    let mut p1 = acct.handshake(Some(ip("198.51.100.1"))).unwrap();
    p1.admit().unwrap();
    p1.admit().unwrap(); // twice is harmless
    p1.bind("MTA-A", Direction::Inbound, 1).unwrap();
    assert!(!p1.in_handshake());
    assert_eq!(p1.peer(), Some(("MTA-A", Direction::Inbound)));
    // A second inbound association of MTA-A is over its limit of 1, an outbound one not.
    let mut p2 = acct.handshake(Some(ip("198.51.100.1"))).unwrap();
    assert_eq!(
        p2.bind("MTA-A", Direction::Inbound, 1).unwrap_err(),
        Refusal::PeerAssociations
    );
    // The refused bind left it admitted and in its handshake, until dropped.
    assert!(p2.in_handshake() && p2.is_admitted());
    let mut p3 = acct.handshake(None).unwrap();
    p3.bind("MTA-A", Direction::Outbound, 1).unwrap();
    assert_eq!(acct.peer("MTA-A"), (1, 1));
    // Three live associations: the fourth admit is refused.
    let mut p4 = acct.handshake(None).unwrap();
    assert_eq!(p4.admit().unwrap_err(), Refusal::Associations);
    let c = acct.counters();
    assert_eq!(
        (c.associations, c.inbound, c.outbound, c.handshakes),
        (3, 1, 1, 2)
    );
    assert_eq!(c.refusals(Refusal::Associations), 1);
    assert_eq!(c.refusals(Refusal::PeerAssociations), 1);
    drop(p2);
    p4.admit().unwrap();
    drop((p1, p3, p4));
    assert!(acct.counters().is_idle(), "{:?}", acct.counters());
    assert_eq!(acct.peer("MTA-A"), (0, 0));
}

#[test]
fn binding_twice_is_refused_and_still_released_once() {
    let acct = Accounting::new(limits());
    let mut p = acct.handshake(None).unwrap();
    p.bind("MTA-B", Direction::Outbound, 5).unwrap();
    assert_eq!(
        p.bind("MTA-B", Direction::Outbound, 5).unwrap_err(),
        Refusal::PeerAssociations
    );
    assert_eq!(acct.peer("MTA-B"), (0, 1));
    drop(p);
    assert!(acct.counters().is_idle());
}

#[test]
fn recorded_refusals_are_counted() {
    let acct = Accounting::new(limits());
    acct.record(Refusal::WrongPassword);
    acct.record(Refusal::WrongPassword);
    acct.record(Refusal::UnknownPeer);
    let c = acct.counters();
    assert_eq!(c.refusals(Refusal::WrongPassword), 2);
    assert_eq!(c.refusals(Refusal::UnknownPeer), 1);
    assert_eq!(c.refused.len(), Refusal::ALL.len());
    assert!(c.is_idle());
}

/// A task that panics while holding a permit gives it back as it unwinds.
#[test]
fn a_panicking_task_gives_back() {
    let acct = Accounting::new(limits());
    let a = acct.clone();
    let r = std::thread::spawn(move || {
        let mut p = a.handshake(Some(ip("203.0.113.9"))).unwrap();
        p.bind("MTA-C", Direction::Inbound, 2).unwrap();
        let _other = a.handshake(Some(ip("203.0.113.9"))).unwrap();
        panic!("the association's task crashed");
    })
    .join();
    assert!(r.is_err());
    let c = acct.counters();
    assert!(c.is_idle(), "{c:?}");
}

/// Many threads taking and dropping permits at every stage end with nothing held, and the
/// limits held at every moment.
#[test]
fn concurrent_storm_returns_to_zero() {
    let mut l = Limits::default();
    l.max_associations = 50;
    l.max_handshakes = 40;
    l.max_handshakes_per_source = 5;
    let acct = Accounting::new(l);
    let threads: Vec<_> = (0..8u8)
        .map(|t| {
            let acct = acct.clone();
            std::thread::spawn(move || {
                let mut x = u64::from(t) + 1;
                let mut held = Vec::new();
                for _ in 0..5_000 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let source = IpAddr::from([10, 0, t, (x % 7) as u8]);
                    match x % 5 {
                        0 | 1 => {
                            if let Ok(mut p) = acct.handshake(Some(source)) {
                                if x % 3 == 0 && p.admit().is_ok() && x % 2 == 0 {
                                    let name = ["A", "B", "C"][(x % 3) as usize];
                                    let _ = p.bind(name, Direction::Inbound, 4);
                                }
                                held.push(p);
                            }
                        }
                        _ => {
                            if !held.is_empty() {
                                drop(held.swap_remove((x as usize) % held.len()));
                            }
                        }
                    }
                    let c = acct.counters();
                    assert!(c.handshakes <= 40 && c.associations <= 50, "{c:?}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let c = acct.counters();
    assert!(c.is_idle(), "{c:?}");
}
