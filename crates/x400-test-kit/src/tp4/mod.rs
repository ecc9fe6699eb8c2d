//! Class 4 transport under test: a seeded network simulator ([`sim`]), a harness that runs one
//! transfer between two machines over it ([`transfer`]), and a TP4 transfer over UDP loopback
//! (`udp`, feature `io`).
//!
//! Shared by the simulation tests (`tests/transport/tp4_sim.rs`) and the goodput bench
//! (`benches/tp4.rs`).

pub mod sim;
#[cfg(feature = "io")]
pub mod udp;

use core::time::Duration;

use osi_transport::Instant;

use osi_transport::tp4::{Config, Connection, DisconnectCause, Event, State};

use self::sim::{Side, SimConfig, SimNetwork, SimStats};
use crate::Rng;

/// What one run produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// TSDUs the responder delivered, in order.
    pub delivered: Vec<Vec<u8>>,
    /// Expedited units the responder delivered, in order.
    pub expedited: Vec<Vec<u8>>,
    /// Expedited units the initiator got acknowledged.
    pub expedited_acked: usize,
    /// The initiator's failure report, if any.
    pub sender_failure: Option<DisconnectCause>,
    /// The responder's failure report, if any (a normal DR from the initiator included).
    pub receiver_end: Option<DisconnectCause>,
    /// Whether the initiator saw all its TSDUs acknowledged.
    pub all_acknowledged: bool,
    /// Whether the initiator's release was confirmed.
    pub released: Option<bool>,
    /// Simulated time when both sides were done.
    pub end: Duration,
    /// Network counters.
    pub stats: SimStats,
    /// Whether the run hit the time limit with a side still active.
    pub hung: bool,
}

/// The initiator's reference and the responder's.
pub const REF_A: u16 = 0x0101;
/// The responder's reference.
pub const REF_B: u16 = 0x0202;

fn done(s: State) -> bool {
    matches!(s, State::Frozen | State::Closed)
}

/// Transfers `tsdus` (and `expedited`, sent one at a time while data flows) from an
/// initiator to a responder, then releases. Stops when both sides are released or at `limit`.
pub fn transfer(
    seed: u64,
    net: SimConfig,
    cfg_a: Config,
    cfg_b: Config,
    tsdus: &[Vec<u8>],
    expedited: &[Vec<u8>],
    limit: Duration,
) -> Outcome {
    let mut net = SimNetwork::new(net, seed);
    let mut a = Connection::connect(cfg_a, REF_A).expect("initiator config");
    let mut b = Connection::listen(cfg_b, REF_B).expect("responder config");
    let mut out = Outcome::default();
    let mut now = Instant::ZERO;
    let mut next_tsdu = 0;
    let mut next_ed = 0;
    let mut ed_waiting = false;
    let mut closing = false;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        // User side of the initiator: feed data while there is room, then release.
        while next_tsdu < tsdus.len()
            && tsdus[next_tsdu].len() <= a.send_capacity()
            && a.send(&tsdus[next_tsdu]).is_ok()
        {
            next_tsdu += 1;
        }
        if a.state() == State::Open
            && !ed_waiting
            && next_ed < expedited.len()
            && a.send_expedited(&expedited[next_ed]).is_ok()
        {
            next_ed += 1;
            ed_waiting = true;
        }
        if !closing
            && a.state() == State::Open
            && next_tsdu == tsdus.len()
            && next_ed == expedited.len()
            && a.all_acknowledged()
        {
            out.all_acknowledged = true;
            a.close();
            closing = true;
        }
        while let Some(e) = a.poll_event() {
            match e {
                Event::ExpeditedAcknowledged => {
                    out.expedited_acked += 1;
                    ed_waiting = false;
                }
                Event::Disconnected(c) => out.sender_failure = Some(c),
                Event::Released { confirmed } => out.released = Some(confirmed),
                Event::Connected => {}
                other => panic!("seed {seed}: unexpected initiator event {other:?}"),
            }
        }
        while let Some(e) = b.poll_event() {
            match e {
                Event::ConnectIndication { peer_ref } => {
                    assert_eq!(peer_ref, REF_A, "seed {seed}");
                    b.accept(now).expect("accept");
                }
                Event::Data(d) => out.delivered.push(d),
                Event::Expedited(x) => out.expedited.push(x.as_slice().to_vec()),
                Event::Disconnected(c) => out.receiver_end = Some(c),
                Event::Connected => {}
                other => panic!("seed {seed}: unexpected responder event {other:?}"),
            }
        }
        for (side, conn) in [(Side::A, &mut a), (Side::B, &mut b)] {
            while let Some(n) = conn.poll_transmit(now, &mut buf).expect("a TPDU buffer") {
                net.send(now, side, &buf[..n]);
            }
        }
        if done(a.state()) && (done(b.state()) || b.state() == State::Listen) {
            break;
        }
        let next = [net.next_arrival(), a.poll_timeout(), b.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        let Some(next) = next else {
            out.hung = true;
            break;
        };
        if next > Instant::ZERO + limit {
            out.hung = true;
            break;
        }
        now = now.max(next);
        while let Some((to, d)) = net.deliver(now) {
            match to {
                Side::A => a.handle_datagram(now, &d),
                Side::B => b.handle_datagram(now, &d),
            }
        }
        for conn in [&mut a, &mut b] {
            if conn.poll_timeout().is_some_and(|t| t <= now) {
                conn.handle_timeout(now);
            }
        }
    }
    out.end = now - Instant::ZERO;
    out.stats = net.stats();
    out
}

/// A TSDU of `len` octets from `rng`, cheap to make and to compare.
pub fn payload(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    let mut x = rng.next_u64();
    while v.len() < len {
        x = x.rotate_left(13) ^ 0x9e37_79b9_7f4a_7c15;
        v.extend_from_slice(&x.to_le_bytes()[..(len - v.len()).min(8)]);
    }
    v
}
