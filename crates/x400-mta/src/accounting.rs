//! Connection-limit accounting: how many connections are in their handshake (in all and per
//! source address), how many associations are live (in all and per peer and direction), and
//! how much memory they have reserved.
//!
//! Everything an association takes is held by one [`Permit`], and dropping the permit gives
//! all of it back. No path (a refusal, a timeout, an abort, a peer's reset, a task that
//! panics and unwinds) can forget to decrement a counter, and no entry outlives the last
//! connection that made it: a source address or a peer name is forgotten when its count
//! returns to zero, so a storm of attempts leaves nothing behind.
//!
//! What counts is what is alive. A listening endpoint is not an association, and neither is
//! a request on it: a connection counts as a handshake from the moment it is accepted (or
//! dialled) until it is bound or gone, and as an association from the session CONNECT that
//! admits it until it ends.
//!
//! ```
//! use x400_mta::accounting::{Accounting, Direction, Limits};
//!
//! let acct = Accounting::new(Limits::default());
//! let source = "192.0.2.7".parse().unwrap();
//! let mut permit = acct.handshake(Some(source))?; // TCP accepted
//! permit.admit()?; // session CONNECT: counts as an association
//! permit.bind("MTA-A", Direction::Inbound, 4)?; // bound: no longer a handshake
//! assert_eq!(acct.counters().associations, 1);
//! drop(permit); // released, aborted or reset: all the same
//! assert!(acct.counters().is_idle());
//! # Ok::<(), x400_mta::accounting::Refusal>(())
//! ```

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// The limits the accounting enforces. Every default is a named constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Live associations, inbound and outbound together, from the session CONNECT on.
    /// Default: [`Limits::DEFAULT_MAX_ASSOCIATIONS`].
    pub max_associations: usize,
    /// Connections in their handshake (TCP accepted or dialled, not yet bound). Default:
    /// [`Limits::DEFAULT_MAX_HANDSHAKES`].
    pub max_handshakes: usize,
    /// Connections in their handshake from one source address. Default:
    /// [`Limits::DEFAULT_MAX_HANDSHAKES_PER_SOURCE`].
    pub max_handshakes_per_source: usize,
    /// Memory one connection reserves for its buffers, in octets: the budget its
    /// association must fit in. Default: [`Limits::DEFAULT_ASSOCIATION_MEMORY`].
    pub association_memory: usize,
    /// Memory all connections together may reserve, in octets. Default:
    /// [`Limits::DEFAULT_MAX_MEMORY`].
    pub max_memory: usize,
}

impl Limits {
    /// Default global association limit.
    pub const DEFAULT_MAX_ASSOCIATIONS: usize = 1024;
    /// Default limit on connections in their handshake.
    pub const DEFAULT_MAX_HANDSHAKES: usize = 256;
    /// Default limit on handshakes from one source address.
    pub const DEFAULT_MAX_HANDSHAKES_PER_SOURCE: usize = 32;
    /// Default memory budget of one association: 1 MiB, which holds the RTS machine's two
    /// session buffers and TP0's reassembly buffer grown to their default limits (they are
    /// allocated only as octets arrive; the budget reserves the worst case).
    pub const DEFAULT_ASSOCIATION_MEMORY: usize = 1 << 20;
    /// Default memory all associations may reserve: 2 GiB.
    pub const DEFAULT_MAX_MEMORY: usize = 2 << 30;

    /// The defaults listed on each field.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            max_associations: Self::DEFAULT_MAX_ASSOCIATIONS,
            max_handshakes: Self::DEFAULT_MAX_HANDSHAKES,
            max_handshakes_per_source: Self::DEFAULT_MAX_HANDSHAKES_PER_SOURCE,
            association_memory: Self::DEFAULT_ASSOCIATION_MEMORY,
            max_memory: Self::DEFAULT_MAX_MEMORY,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

/// Which side opened the association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The peer connected to us.
    Inbound,
    /// We connected to the peer.
    Outbound,
}

impl core::fmt::Display for Direction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        })
    }
}

macro_rules! refusals {
    ($($(#[$doc:meta])* $variant:ident => $words:literal,)*) => {
        /// Why a connection or an association was refused. The accounting counts every
        /// refusal by reason, whichever layer refused.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
        #[non_exhaustive]
        pub enum Refusal {
            $($(#[$doc])* #[error($words)] $variant,)*
        }

        impl Refusal {
            /// Every reason, in the order of [`Counters::refused`].
            pub const ALL: &'static [Refusal] = &[$(Refusal::$variant),*];
        }
    };
}

refusals! {
    /// Too many connections in their handshake; closed before reading.
    Handshakes => "too many connections are in their handshake",
    /// Too many connections in their handshake from this source address; closed before
    /// reading.
    HandshakesFromSource => "too many connections from this address are in their handshake",
    /// Too many live associations; refused at the session CONNECT (PRefuse busy).
    Associations => "too many associations are live",
    /// The memory budget of all associations is spent; closed before reading.
    Memory => "the memory budget of all associations is spent",
    /// Too many associations with this peer in this direction; refused at the bind
    /// (busy).
    PeerAssociations => "too many associations with this MTA are live",
    /// The bind names an MTA that is not a configured peer.
    UnknownPeer => "the MTA name is not a configured peer",
    /// The bind's password is not the one configured for the peer.
    WrongPassword => "the password is wrong",
    /// The bind carries no name and password, or credentials this MTA cannot check.
    Unauthenticated => "the bind does not authenticate the MTA",
    /// The peer connected from an address outside the networks configured for it.
    SourceNotAllowed => "the MTA connected from an address it may not use",
    /// The peer asked for another P1 generation or dialogue mode than configured.
    WrongProtocol => "the MTA asked for another application protocol than configured",
    /// The session CONNECT or the PConnect could not be decoded, or broke the protocol.
    BadConnect => "the connection request could not be decoded",
    /// The connection ended or timed out before the association was bound.
    HandshakeFailed => "the connection ended before the bind",
}

/// A snapshot of the accounting, for a status command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counters {
    /// Connections in their handshake now.
    pub handshakes: usize,
    /// Live associations now (admitted at the session CONNECT, bound or not).
    pub associations: usize,
    /// Of those, bound inbound.
    pub inbound: usize,
    /// Of those, bound outbound.
    pub outbound: usize,
    /// Memory reserved now, in octets.
    pub memory: usize,
    /// Source addresses with a connection in its handshake (entries kept).
    pub sources: usize,
    /// Peers with a bound association (entries kept).
    pub peers: usize,
    /// Refusals since the start, by reason, in the order of [`Refusal::ALL`].
    pub refused: Vec<(Refusal, u64)>,
}

impl Counters {
    /// Nothing is held: every permit was given back and no entry is kept.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.handshakes == 0
            && self.associations == 0
            && self.inbound == 0
            && self.outbound == 0
            && self.memory == 0
            && self.sources == 0
            && self.peers == 0
    }

    /// Refusals for `reason` since the start.
    #[must_use]
    pub fn refusals(&self, reason: Refusal) -> u64 {
        self.refused
            .iter()
            .find(|(r, _)| *r == reason)
            .map_or(0, |(_, n)| *n)
    }
}

#[derive(Debug, Default)]
struct State {
    handshakes: usize,
    associations: usize,
    memory: usize,
    per_source: HashMap<IpAddr, usize>,
    /// Bound associations per peer: (inbound, outbound).
    per_peer: HashMap<Arc<str>, (usize, usize)>,
    refused: HashMap<Refusal, u64>,
}

impl State {
    fn refuse(&mut self, r: Refusal) -> Refusal {
        *self.refused.entry(r).or_default() += 1;
        r
    }
}

/// The shared accounting of one MTA. Cloning it shares the counters.
#[derive(Debug, Clone)]
pub struct Accounting {
    limits: Limits,
    state: Arc<Mutex<State>>,
}

impl Accounting {
    /// Accounting with `limits` and nothing held.
    #[must_use]
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            state: Arc::default(),
        }
    }

    /// The limits enforced.
    #[must_use]
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while the lock was held leaves consistent counters (every
        // update is a single step), so a poisoned lock is taken as it is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection in its handshake: from `source` for an accepted one, `None` for one
    /// we dial. Reserves [`Limits::association_memory`].
    ///
    /// # Errors
    ///
    /// [`Refusal::Handshakes`], [`Refusal::HandshakesFromSource`] or [`Refusal::Memory`]
    /// (counted): close the connection without reading from it.
    pub fn handshake(&self, source: Option<IpAddr>) -> Result<Permit, Refusal> {
        let l = &self.limits;
        let mut s = self.lock();
        if s.handshakes >= l.max_handshakes {
            return Err(s.refuse(Refusal::Handshakes));
        }
        if let Some(ip) = source
            && s.per_source.get(&ip).copied().unwrap_or(0) >= l.max_handshakes_per_source
        {
            return Err(s.refuse(Refusal::HandshakesFromSource));
        }
        if s.memory.saturating_add(l.association_memory) > l.max_memory {
            return Err(s.refuse(Refusal::Memory));
        }
        s.handshakes += 1;
        s.memory += l.association_memory;
        if let Some(ip) = source {
            *s.per_source.entry(ip).or_default() += 1;
        }
        Ok(Permit {
            acct: self.clone(),
            handshake: Some(source),
            admitted: false,
            peer: None,
            memory: l.association_memory,
        })
    }

    /// Counts a refusal decided elsewhere (a bind the peer table refused, a connect that
    /// could not be decoded).
    pub fn record(&self, reason: Refusal) {
        self.lock().refuse(reason);
    }

    /// What is held now, and the refusals so far.
    #[must_use]
    pub fn counters(&self) -> Counters {
        let s = self.lock();
        let (inbound, outbound) = s
            .per_peer
            .values()
            .fold((0, 0), |(i, o), (a, b)| (i + a, o + b));
        Counters {
            handshakes: s.handshakes,
            associations: s.associations,
            inbound,
            outbound,
            memory: s.memory,
            sources: s.per_source.len(),
            peers: s.per_peer.len(),
            refused: Refusal::ALL
                .iter()
                .map(|r| (*r, s.refused.get(r).copied().unwrap_or(0)))
                .collect(),
        }
    }

    /// The bound associations with `peer` now, (inbound, outbound).
    #[must_use]
    pub fn peer(&self, peer: &str) -> (usize, usize) {
        self.lock().per_peer.get(peer).copied().unwrap_or_default()
    }
}

/// What one connection holds; dropping it gives everything back.
#[derive(Debug)]
#[must_use = "dropping the permit gives the connection's share back at once"]
pub struct Permit {
    acct: Accounting,
    /// `Some(source)` while the connection counts as a handshake.
    handshake: Option<Option<IpAddr>>,
    /// Counted as a live association.
    admitted: bool,
    /// Counted against this peer and direction once bound.
    peer: Option<(Arc<str>, Direction)>,
    memory: usize,
}

impl Permit {
    /// The session CONNECT arrived (or was sent): the connection now counts as a live
    /// association too. Doing it twice is harmless.
    ///
    /// # Errors
    ///
    /// [`Refusal::Associations`] (counted): refuse the CONNECT as busy.
    pub fn admit(&mut self) -> Result<(), Refusal> {
        if self.admitted {
            return Ok(());
        }
        let mut s = self.acct.lock();
        if s.associations >= self.acct.limits.max_associations {
            return Err(s.refuse(Refusal::Associations));
        }
        s.associations += 1;
        self.admitted = true;
        Ok(())
    }

    /// The bind succeeded with `peer` (its configured name), whose limit in `direction`
    /// is `limit`: the connection stops counting as a handshake and counts against the
    /// peer. Admits the association first if that was not done.
    ///
    /// # Errors
    ///
    /// [`Refusal::Associations`] or [`Refusal::PeerAssociations`] (counted): answer the
    /// bind with `busy`. Binding twice gives [`Refusal::PeerAssociations`] too.
    pub fn bind(&mut self, peer: &str, direction: Direction, limit: usize) -> Result<(), Refusal> {
        self.admit()?;
        let mut s = self.acct.lock();
        if self.peer.is_some() {
            return Err(s.refuse(Refusal::PeerAssociations));
        }
        let key: Arc<str> = match s.per_peer.get_key_value(peer) {
            Some((k, _)) => k.clone(),
            None => Arc::from(peer),
        };
        let counts = s.per_peer.get(&key).copied().unwrap_or_default();
        let current = match direction {
            Direction::Inbound => counts.0,
            Direction::Outbound => counts.1,
        };
        if current >= limit {
            return Err(s.refuse(Refusal::PeerAssociations));
        }
        let entry = s.per_peer.entry(key.clone()).or_default();
        match direction {
            Direction::Inbound => entry.0 += 1,
            Direction::Outbound => entry.1 += 1,
        }
        self.peer = Some((key, direction));
        if let Some(source) = self.handshake.take() {
            release_handshake(&mut s, source);
        }
        Ok(())
    }

    /// Whether the connection still counts as a handshake.
    #[must_use]
    pub fn in_handshake(&self) -> bool {
        self.handshake.is_some()
    }

    /// Whether the connection counts as a live association.
    #[must_use]
    pub fn is_admitted(&self) -> bool {
        self.admitted
    }

    /// The peer and direction it counts against once bound.
    #[must_use]
    pub fn peer(&self) -> Option<(&str, Direction)> {
        self.peer.as_ref().map(|(p, d)| (&**p, *d))
    }

    /// The accounting it counts in.
    #[must_use]
    pub fn accounting(&self) -> &Accounting {
        &self.acct
    }

    /// The memory the connection reserved, in octets (its budget).
    #[must_use]
    pub fn memory(&self) -> usize {
        self.memory
    }
}

fn release_handshake(s: &mut State, source: Option<IpAddr>) {
    s.handshakes = s.handshakes.saturating_sub(1);
    if let Some(ip) = source
        && let Some(n) = s.per_source.get_mut(&ip)
    {
        *n = n.saturating_sub(1);
        if *n == 0 {
            s.per_source.remove(&ip);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.acct.lock();
        if let Some(source) = self.handshake.take() {
            release_handshake(&mut s, source);
        }
        if self.admitted {
            s.associations = s.associations.saturating_sub(1);
        }
        if let Some((peer, direction)) = self.peer.take()
            && let Some(counts) = s.per_peer.get_mut(&peer)
        {
            match direction {
                Direction::Inbound => counts.0 = counts.0.saturating_sub(1),
                Direction::Outbound => counts.1 = counts.1.saturating_sub(1),
            }
            if *counts == (0, 0) {
                s.per_peer.remove(&peer);
            }
        }
        s.memory = s.memory.saturating_sub(self.memory);
    }
}
