//! Two MTA associations wired back to back: MTA-A dials MTA-B, and every call moves the
//! octets one side queued to the other through a perfect in-memory byte stream, in chunks of
//! a chosen size (so TPKTs arrive split and joined as TCP delivers them). A manual clock
//! drives the timers.
//!
//! With the feature `io`: [`attack`], what a network and a bad peer do to an MTA's listener,
//! [`storm`], thousands of such attempts interleaved with valid associations against the
//! MTA's shell, [`child`], that shell in a process of its own for the benches, and [`net`],
//! whole MTAs on loopback.

#[cfg(feature = "io")]
pub mod attack;
#[cfg(feature = "io")]
pub mod child;
#[cfg(feature = "io")]
pub mod crash;
#[cfg(feature = "io")]
pub mod memory;
#[cfg(feature = "io")]
pub mod net;
#[cfg(feature = "io")]
pub mod storm;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use osi_session::Requirements;
use osi_session::machine::{Config as SessionConfig, ConnectRequest, Role, Session};
use x400_mta::association::{Association, Config, Ended, Event};
use x400_mta::{Accounting, Limits, Peer, PeerTable, Protocol, Secret};
use x400_p1::PrintableString;
use x400_p1::mts_abstract_service::{
    AdministrationDomainName, CountryName, GlobalDomainIdentifier, PrivateDomainName,
};
use x400_rts::machine::Instant;

/// The domain of the MTA named `name`: `C=GB;ADMD= ;PRMD=<name>`.
#[must_use]
pub fn domain(name: &str) -> GlobalDomainIdentifier {
    let p = |s: &str| PrintableString::from_bytes(s.as_bytes()).unwrap();
    GlobalDomainIdentifier {
        country_name: CountryName::Iso3166Alpha2Code(p("GB")),
        administration_domain_name: AdministrationDomainName::Printable(p(" ")),
        private_domain_identifier: Some(PrivateDomainName::Printable(p(name))),
    }
}

/// MTA-A's address, as MTA-B sees it.
pub const ADDR_A: &str = "192.0.2.1:40000";
/// MTA-B's address.
pub const ADDR_B: &str = "192.0.2.2:102";
/// The password MTA-A presents.
pub const PW_A: &str = "a-secret";
/// The password MTA-B presents.
pub const PW_B: &str = "b-secret";

/// MTA-A's table: it knows MTA-B.
pub fn table_a(protocol: Protocol) -> PeerTable {
    let mut t = PeerTable::new("MTA-A");
    t.insert(Peer::new(
        "MTA-B",
        Secret::new(PW_B),
        Secret::new(PW_A),
        protocol,
    ));
    t
}

/// MTA-B's table: it knows MTA-A.
pub fn table_b(protocol: Protocol) -> PeerTable {
    let mut t = PeerTable::new("MTA-B");
    t.insert(Peer::new(
        "MTA-A",
        Secret::new(PW_A),
        Secret::new(PW_B),
        protocol,
    ));
    t
}

/// An APDU of `len` octets that `seed` varies.
pub fn apdu(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i.to_le_bytes()[0]).wrapping_mul(13).wrapping_add(seed))
        .collect()
}

/// What a user that collects APDUs in memory does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Nothing.
    Nothing,
    /// Confirm this checkpoint.
    Confirm(u64),
    /// Secure the APDU just completed.
    Secure,
}

/// Collects the pieces of the APDUs an association receives, checking that offsets and
/// lengths add up.
#[derive(Debug, Default)]
pub struct Collector {
    current: Vec<u8>,
    /// The complete APDUs, in order.
    pub apdus: Vec<Vec<u8>>,
}

impl Collector {
    /// Takes one event; says what the user answers.
    pub fn take(&mut self, ev: &Event) -> Reply {
        match ev {
            Event::ApduStart { offset } => {
                let offset = usize::try_from(*offset).unwrap();
                assert!(offset <= self.current.len(), "resumed beyond what arrived");
                self.current.truncate(offset);
                Reply::Nothing
            }
            Event::ApduData(piece) => {
                self.current.extend_from_slice(piece);
                Reply::Nothing
            }
            Event::ApduCheckpoint { serial, offset } => {
                assert_eq!(self.current.len() as u64, *offset, "checkpoint offset");
                Reply::Confirm(*serial)
            }
            Event::ApduEnd { len } => {
                assert_eq!(self.current.len() as u64, *len, "APDU length");
                self.apdus.push(std::mem::take(&mut self.current));
                Reply::Secure
            }
            Event::ApduDiscarded => {
                self.current.clear();
                Reply::Nothing
            }
            _ => Reply::Nothing,
        }
    }

    /// Answers `reply` on `m`. An answer may come too late for an association that has
    /// just ended (its events were queued before the end); on a bound one it must work.
    pub fn answer(m: &mut Association, reply: Reply) {
        let r = match reply {
            Reply::Confirm(serial) => m.confirm_checkpoint(serial),
            Reply::Secure => m.secured(),
            Reply::Nothing => Ok(()),
        };
        if let Err(e) = r {
            assert!(!m.is_bound(), "answering a bound association failed: {e}");
        }
    }
}

/// Two associations and what surrounds them.
#[derive(Debug)]
pub struct Pair {
    /// MTA-A's side (initiator).
    pub a: Association,
    /// MTA-B's side (responder).
    pub b: Association,
    /// MTA-A's accounting.
    pub acct_a: Accounting,
    /// MTA-B's accounting.
    pub acct_b: Accounting,
    /// The clock both see.
    pub now: Instant,
    /// Octets moved per read.
    pub chunk: usize,
    /// Octets one side wrote that the other has not used yet.
    to_a: Vec<u8>,
    to_b: Vec<u8>,
    /// Whether each side closed its end of the byte stream (and the other was told).
    closed_a: bool,
    closed_b: bool,
    /// Events collected by [`Pair::run`].
    pub events_a: Vec<Event>,
    /// Events collected by [`Pair::run`].
    pub events_b: Vec<Event>,
    /// Whether B secures every APDU it receives at once, confirming its checkpoints as
    /// they come (and A too).
    pub secure: bool,
    /// What each side received.
    pub got_a: Collector,
    /// What each side received.
    pub got_b: Collector,
    /// With `Some`, every octet moved, in order: `true` for A's (the initiator's), for a
    /// capture.
    pub log: Option<Vec<(bool, Vec<u8>)>>,
}

impl Pair {
    /// MTA-A dialling MTA-B with these tables and the default configuration.
    pub fn new(table_a: PeerTable, table_b: PeerTable) -> Self {
        Self::with(table_a, table_b, Config::default(), Limits::default())
    }

    /// The same with `config` on both sides and `limits` on both accountings.
    pub fn with(table_a: PeerTable, table_b: PeerTable, config: Config, limits: Limits) -> Self {
        let acct_a = Accounting::new(limits);
        let acct_b = Accounting::new(limits);
        let (addr_a, addr_b): (SocketAddr, SocketAddr) =
            (ADDR_A.parse().unwrap(), ADDR_B.parse().unwrap());
        let now = Instant::ZERO;
        let id = Association::connection_id("MTA-A", "261206120000Z", 1);
        let a = Association::initiator(
            config,
            Arc::new(table_a),
            "MTA-B",
            acct_a.handshake(None).unwrap(),
            addr_b,
            id,
            now,
        )
        .unwrap();
        let b = Association::responder(
            config,
            Arc::new(table_b),
            acct_b.handshake(Some(addr_a.ip())).unwrap(),
            addr_a,
            now,
        )
        .unwrap();
        Self {
            a,
            b,
            acct_a,
            acct_b,
            now,
            chunk: 64 << 10,
            to_a: Vec::new(),
            to_b: Vec::new(),
            closed_a: false,
            closed_b: false,
            events_a: Vec::new(),
            events_b: Vec::new(),
            secure: true,
            got_a: Collector::default(),
            got_b: Collector::default(),
            log: None,
        }
    }

    /// Moves octets both ways and collects events until nothing moves.
    pub fn run(&mut self) {
        for _ in 0..100_000 {
            if !self.step() {
                return;
            }
        }
        panic!("the pair never went quiet");
    }

    /// One round: what each side has to send goes to the other (at most `chunk` octets
    /// read per side), and their events are collected. Returns whether anything moved.
    pub fn step(&mut self) -> bool {
        let mut buf = vec![0; 64 << 10];
        let mut moved = false;
        while let Some(n) = self.a.poll_transmit(self.now, &mut buf).unwrap() {
            self.to_b.extend_from_slice(&buf[..n]);
            if let Some(log) = self.log.as_mut() {
                log.push((true, buf[..n].to_vec()));
            }
        }
        while let Some(n) = self.b.poll_transmit(self.now, &mut buf).unwrap() {
            self.to_a.extend_from_slice(&buf[..n]);
            if let Some(log) = self.log.as_mut() {
                log.push((false, buf[..n].to_vec()));
            }
        }
        moved |= feed(&mut self.b, &mut self.to_b, self.now, self.chunk);
        moved |= feed(&mut self.a, &mut self.to_a, self.now, self.chunk);
        while let Some(ev) = self.b.poll_event() {
            let reply = self.got_b.take(&ev);
            if self.secure {
                Collector::answer(&mut self.b, reply);
            }
            self.events_b.push(ev);
            moved = true;
        }
        while let Some(ev) = self.a.poll_event() {
            let reply = self.got_a.take(&ev);
            if self.secure {
                Collector::answer(&mut self.a, reply);
            }
            self.events_a.push(ev);
            moved = true;
        }
        // A finished side closes its TCP connection: once its last octets are in,
        // the other side sees the end of the stream.
        if self.a.is_finished() && self.to_b.is_empty() && !self.closed_a {
            self.closed_a = true;
            self.b.handle_disconnect(self.now);
            moved = true;
        }
        if self.b.is_finished() && self.to_a.is_empty() && !self.closed_b {
            self.closed_b = true;
            self.a.handle_disconnect(self.now);
            moved = true;
        }
        moved
    }

    /// Advances the clock by `d` and fires both sides' timers that are due.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        for m in [&mut self.a, &mut self.b] {
            if m.poll_timeout().is_some_and(|t| t <= self.now) {
                m.handle_timeout(self.now);
            }
        }
        self.run();
    }

    /// How A's association ended, if it did.
    pub fn ended_a(&self) -> Option<&Ended> {
        ended(&self.events_a)
    }

    /// How B's association ended, if it did.
    pub fn ended_b(&self) -> Option<&Ended> {
        ended(&self.events_b)
    }

    /// The APDUs B received, in order.
    pub fn received_b(&self) -> Vec<&[u8]> {
        self.got_b.apdus.iter().map(Vec::as_slice).collect()
    }

    /// The APDUs A received, in order.
    pub fn received_a(&self) -> Vec<&[u8]> {
        self.got_a.apdus.iter().map(Vec::as_slice).collect()
    }
}

fn feed(m: &mut Association, pending: &mut Vec<u8>, now: Instant, chunk: usize) -> bool {
    if pending.is_empty() {
        return false;
    }
    // As TCP does: whatever arrived, in reads of at most `chunk` octets, with the unused
    // rest (a partial TPKT) given again with the next read.
    let mut used_total = 0;
    let mut offered = 0;
    while offered < pending.len() {
        offered = (offered + chunk).min(pending.len());
        let used = m.handle_input(now, &pending[used_total..offered]);
        used_total += used;
    }
    pending.drain(..used_total);
    used_total > 0
}

fn ended(events: &[Event]) -> Option<&Ended> {
    events.iter().find_map(|e| match e {
        Event::Ended(why) => Some(why),
        _ => None,
    })
}

/// The TSDU of a session CONNECT that proposes X.410's functional units and carries `junk`
/// (at most 512 octets) where the PConnect belongs.
pub fn junk_connect(junk: &[u8]) -> Vec<u8> {
    let mut session = Session::new(
        Role::Initiator,
        SessionConfig::new(),
        vec![0u8; 4 << 10],
        vec![0u8; 4 << 10],
    );
    let mut cn = ConnectRequest::new(Requirements::X410);
    cn.user_data = junk;
    session.connect(&cn).unwrap();
    let mut tsdu = vec![0u8; 4 << 10];
    let n = session
        .poll_transmit(Instant::ZERO, &mut tsdu)
        .unwrap()
        .unwrap();
    tsdu.truncate(n);
    tsdu
}
