//! A deterministic simulator of the datagram network service under class 4.
//!
//! Over CLNS every TPDU travels as one N-UNITDATA (6.1.2): best effort, no order, no
//! duplicate suppression. [`SimNetwork`] joins two endpoints through a seeded model of a bad
//! network: loss, duplication, reordering, random delay and partitions. It is deterministic:
//! the same seed and the same inputs give the same deliveries, so a failing run can be
//! replayed from its seed. Its randomness is the kit's [`Rng`] and it never reads a clock.

use core::cmp::Reverse;
use core::time::Duration;
use std::collections::BinaryHeap;

use osi_transport::Instant;
#[cfg(feature = "io")]
use x400_io::tp4::DatagramService;

use crate::Rng;

/// One side of a simulated link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The first endpoint.
    A,
    /// The second endpoint.
    B,
}

impl Side {
    /// The other side.
    pub fn peer(self) -> Self {
        match self {
            Self::A => Self::B,
            Self::B => Self::A,
        }
    }
}

/// The simulated network's behaviour. Rates are in parts per million of datagrams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Datagrams dropped. Default 0.
    pub loss_ppm: u32,
    /// Datagrams delivered twice (the copy with its own delay). Default 0.
    pub duplicate_ppm: u32,
    /// Datagrams held back by an extra delay of up to `reorder_delay`, so later ones
    /// overtake them. Default 0. Other datagrams keep their order: each arrives no earlier
    /// than the one sent before it in the same direction (delay varies, order does not).
    pub reorder_ppm: u32,
    /// Smallest one-way delay. Default 1 ms.
    pub min_delay: Duration,
    /// Largest one-way delay (without reordering). Default 10 ms.
    pub max_delay: Duration,
    /// Largest extra delay of a reordered datagram. Default 50 ms.
    pub reorder_delay: Duration,
    /// Time windows `[start, end)` in which every datagram sent is lost. Default none.
    pub partitions: Vec<(Instant, Instant)>,
    /// Largest NSDU; longer datagrams are dropped. Default 65,507 (UDP over IPv4).
    pub max_nsdu_len: usize,
    /// Datagrams in flight at most; more are dropped, as a full router queue would.
    /// Bounds the simulator's memory. Default 10,000.
    pub max_in_flight: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            loss_ppm: 0,
            duplicate_ppm: 0,
            reorder_ppm: 0,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(10),
            reorder_delay: Duration::from_millis(50),
            partitions: Vec::new(),
            max_nsdu_len: 65_507,
            max_in_flight: 10_000,
        }
    }
}

/// What the simulator did, for goodput figures and test reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Datagrams offered by each side (A, B).
    pub sent: [u64; 2],
    /// Octets offered by each side (A, B).
    pub sent_octets: [u64; 2],
    /// Datagrams dropped (loss, partition, size, queue).
    pub dropped: u64,
    /// Extra copies made.
    pub duplicated: u64,
    /// Datagrams given an extra reordering delay.
    pub reordered: u64,
    /// Datagrams delivered.
    pub delivered: u64,
}

/// A datagram in flight: arrival time, a sequence number to order ties, destination, octets.
type InFlight = Reverse<(Instant, u64, Side, Vec<u8>)>;

/// Two endpoints joined by a seeded, lossy, reordering, duplicating datagram network.
#[derive(Debug, Clone)]
pub struct SimNetwork {
    cfg: SimConfig,
    rng: Rng,
    in_flight: BinaryHeap<InFlight>,
    seq: u64,
    /// Latest in-order arrival time per destination (A, B).
    last_arrival: [Instant; 2],
    stats: SimStats,
}

impl SimNetwork {
    /// A network behaving as `cfg`, its randomness drawn from `seed`.
    pub fn new(cfg: SimConfig, seed: u64) -> Self {
        Self {
            cfg,
            rng: Rng::new(seed),
            in_flight: BinaryHeap::new(),
            seq: 0,
            last_arrival: [Instant::ZERO; 2],
            stats: SimStats::default(),
        }
    }

    /// What happened so far.
    pub fn stats(&self) -> SimStats {
        self.stats
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// `from` sends one datagram at `now`.
    pub fn send(&mut self, now: Instant, from: Side, nsdu: &[u8]) {
        let i = usize::from(from == Side::B);
        if let Some(n) = self.stats.sent.get_mut(i) {
            *n += 1;
        }
        if let Some(n) = self.stats.sent_octets.get_mut(i) {
            *n += u64::try_from(nsdu.len()).unwrap_or(u64::MAX);
        }
        let partitioned = self
            .cfg
            .partitions
            .iter()
            .any(|&(start, end)| start <= now && now < end);
        if partitioned || nsdu.len() > self.cfg.max_nsdu_len || self.rng.chance(self.cfg.loss_ppm) {
            self.stats.dropped += 1;
            return;
        }
        let copies = if self.rng.chance(self.cfg.duplicate_ppm) {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            if self.in_flight.len() >= self.cfg.max_in_flight {
                self.stats.dropped += 1;
                continue;
            }
            let mut at = now + self.rng.between(self.cfg.min_delay, self.cfg.max_delay);
            if self.rng.chance(self.cfg.reorder_ppm) {
                self.stats.reordered += 1;
                at += self.rng.between(Duration::ZERO, self.cfg.reorder_delay);
            } else if let Some(last) = self.last_arrival.get_mut(usize::from(from == Side::A)) {
                // In order: not before the previous in-order datagram to the same side.
                at = at.max(*last);
                *last = at;
            }
            self.seq += 1;
            self.in_flight
                .push(Reverse((at, self.seq, from.peer(), nsdu.to_vec())));
        }
    }

    /// When the next datagram arrives, if any is in flight.
    pub fn next_arrival(&self) -> Option<Instant> {
        self.in_flight.peek().map(|Reverse((at, ..))| *at)
    }

    /// The next datagram due at or before `now`: its destination and octets.
    pub fn deliver(&mut self, now: Instant) -> Option<(Side, Vec<u8>)> {
        if self.next_arrival()? > now {
            return None;
        }
        let Reverse((_, _, to, nsdu)) = self.in_flight.pop()?;
        self.stats.delivered += 1;
        Some((to, nsdu))
    }

    /// `from`'s view of the network at `now`, as a [`DatagramService`].
    #[cfg(feature = "io")]
    pub fn port(&mut self, from: Side, now: Instant) -> SimPort<'_> {
        SimPort {
            net: self,
            from,
            now,
        }
    }
}

/// One endpoint's sending side of a [`SimNetwork`] at a fixed time.
#[cfg(feature = "io")]
#[derive(Debug)]
pub struct SimPort<'a> {
    net: &'a mut SimNetwork,
    from: Side,
    now: Instant,
}

#[cfg(feature = "io")]
impl DatagramService for SimPort<'_> {
    type Error = core::convert::Infallible;

    fn max_nsdu_len(&self) -> usize {
        self.net.cfg.max_nsdu_len
    }

    fn send(&mut self, nsdu: &[u8]) -> Result<(), Self::Error> {
        self.net.send(self.now, self.from, nsdu);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_deliveries() {
        let cfg = SimConfig {
            loss_ppm: 200_000,
            duplicate_ppm: 100_000,
            reorder_ppm: 300_000,
            ..SimConfig::default()
        };
        let run = |seed| {
            let mut net = SimNetwork::new(cfg.clone(), seed);
            for i in 0..200u8 {
                net.send(Instant::from_millis(u64::from(i)), Side::A, &[i]);
            }
            let mut out = vec![];
            while let Some(d) = net.deliver(Instant::from_millis(10_000)) {
                out.push(d);
            }
            out
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn partition_drops_everything_inside_it() {
        let cfg = SimConfig {
            partitions: vec![(Instant::from_millis(1000), Instant::from_millis(2000))],
            ..SimConfig::default()
        };
        let mut net = SimNetwork::new(cfg, 1);
        net.send(Instant::from_millis(1500), Side::A, b"x");
        net.send(Instant::from_millis(2500), Side::B, b"y");
        assert_eq!(
            net.deliver(Instant::from_millis(3000)),
            Some((Side::A, b"y".to_vec()))
        );
        assert_eq!(net.deliver(Instant::from_millis(3000)), None);
        assert_eq!(net.stats().dropped, 1);
    }

    #[test]
    fn loss_rate_is_roughly_what_was_asked() {
        let cfg = SimConfig {
            loss_ppm: 300_000,
            ..SimConfig::default()
        };
        let mut net = SimNetwork::new(cfg, 42);
        for _ in 0..10_000 {
            net.send(Instant::ZERO, Side::A, b"z");
        }
        let dropped = net.stats().dropped;
        assert!((2_700..3_300).contains(&dropped), "{dropped}");
    }
}
