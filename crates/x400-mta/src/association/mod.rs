//! One MTA association, sans-IO: TP0 over RFC 1006, the session machine and the RTS machine
//! of X.410, and the P1 MTA bind, for either role.
//!
//! TCP octets and time go in through [`Association::handle_input`],
//! [`Association::handle_disconnect`] and [`Association::handle_timeout`]; octets for TCP,
//! [`Event`]s and a deadline come out of [`Association::poll_transmit`],
//! [`Association::poll_event`] and [`Association::poll_timeout`], as with every machine of
//! the stack. The association checks the peer's bind against the [`PeerTable`], counts
//! itself in the [`Accounting`](crate::Accounting) through the [`Permit`] it owns (given
//! back the moment it ends), manages the turn (it asks for the turn when it has APDUs to
//! send and gives it when the peer asks and it has none), and logs every refusal in words.
//!
//! ```
//! use std::sync::Arc;
//! use x400_mta::association::{Association, Config, Event};
//! use x400_mta::{Accounting, Limits, Peer, PeerTable, Protocol, Secret};
//! use x400_rts::machine::Instant;
//!
//! let mut a = PeerTable::new("MTA-A");
//! a.insert(Peer::new("MTA-B", Secret::new("b-pw"), Secret::new("a-pw"), Protocol::P1984));
//! let mut b = PeerTable::new("MTA-B");
//! b.insert(Peer::new("MTA-A", Secret::new("a-pw"), Secret::new("b-pw"), Protocol::P1984));
//! let acct = Accounting::new(Limits::default());
//! let addr_a: std::net::SocketAddr = "192.0.2.1:40000".parse()?;
//! let addr_b: std::net::SocketAddr = "192.0.2.2:102".parse()?;
//! let now = Instant::ZERO;
//! let id = Association::connection_id("MTA-A", "261206120000Z", 1);
//! let mut init = Association::initiator(
//!     Config::default(), Arc::new(a), "MTA-B", acct.handshake(None)?, addr_b, id, now)?;
//! let mut resp = Association::responder(
//!     Config::default(), Arc::new(b), acct.handshake(Some(addr_a.ip()))?, addr_a, now)?;
//! init.transfer(b"an MPDU".to_vec());
//! let mut buf = vec![0; 64 << 10];
//! let mut got = None;
//! for _ in 0..20 {
//!     while let Some(n) = init.poll_transmit(now, &mut buf)? { resp.handle_input(now, &buf[..n]); }
//!     while let Some(n) = resp.poll_transmit(now, &mut buf)? { init.handle_input(now, &buf[..n]); }
//!     while let Some(ev) = resp.poll_event() {
//!         match ev {
//!             Event::ApduData(piece) => got.get_or_insert_with(Vec::new).extend(piece),
//!             Event::ApduCheckpoint { serial, .. } => resp.confirm_checkpoint(serial)?,
//!             Event::ApduEnd { .. } => resp.secured()?,
//!             _ => {}
//!         }
//!     }
//!     while init.poll_event().is_some() {}
//! }
//! assert_eq!(got.as_deref(), Some(&b"an MPDU"[..]));
//! assert_eq!(acct.counters().associations, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apdu;
mod config;
mod drive;
mod event;
mod handshake;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

use osi_sansio::GrowBuf;
use osi_session::machine::Role;
use osi_transport::tp0::{ConnectRequest, Event as TEvent, MAX_CONTROL_LEN, Tp0};
use x400_rts::machine::{BufferTooSmall, Instant, Rts};
use x400_rts::{
    AbortReason, CallingSsUserReference, DialogueMode, SessionConnectionIdentifier, T61String,
    UtcTimeOctets,
};

use crate::accounting::{Direction, Permit};
use crate::peers::{Peer, PeerTable, Protocol};

use self::apdu::Reading;
pub use self::apdu::{Apdu, Opener};
pub use self::config::Config;
pub use self::event::{Ended, Event, Refused};

/// The TSDU scratch an association keeps between transfers; beyond it the scratch is let
/// go once nothing of ours is being sent.
const IDLE_SCRATCH: usize = 4 << 10;

/// Octets one `poll_transmit` round gathers before the caller must write them out.
const MAX_OUTPUT: usize = 256 << 10;

/// Where the association is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// TP0 connect, session CONNECT, RTS open and the bind are under way.
    Handshake,
    /// Bound: APDUs flow.
    Bound,
    /// Over; the output may still hold octets to send.
    Ended,
}

/// Why an association could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer is not in the table.
    #[error("MTA {0:?} is not a configured peer")]
    UnknownPeer(String),
    /// The configuration does not fit the memory budget of the permit.
    #[error("the association's buffers need {needed} octets, over its budget of {budget}")]
    OverBudget {
        /// What the buffers need.
        needed: usize,
        /// The permit's budget.
        budget: usize,
    },
    /// TP0 rejected the configuration or the request.
    #[error("transport: {0}")]
    Transport(#[from] osi_transport::Error),
    /// The RTS machine rejected the request.
    #[error("RTS: {0}")]
    Rts(#[from] x400_rts::machine::Error),
    /// The request makes no sense in the association's state.
    #[error("{0}")]
    State(&'static str),
}

/// One association with a peer MTA.
#[derive(Debug)]
pub struct Association {
    config: Config,
    direction: Direction,
    /// The peer's transport address, for log lines and source checks.
    remote: SocketAddr,
    peers: Arc<PeerTable>,
    /// What the association counts in the accounting; `None` once it ended.
    permit: Option<Permit>,
    tp: Tp0<GrowBuf>,
    rts: Rts,
    phase: Phase,
    /// The peer once known: the one dialled, or the one the bind proved.
    peer: Option<Peer>,
    /// Initiator: this connection's identifier, for the CN.
    connection: Option<SessionConnectionIdentifier>,
    /// The agreed dialogue mode, once open.
    mode: DialogueMode,
    events: VecDeque<Event>,
    /// Octets for TCP not yet handed out by `poll_transmit`, from `out_pos` on.
    out: Vec<u8>,
    out_pos: usize,
    /// Scratch for one TSDU of the RTS machine, grown on demand.
    tsdu: Vec<u8>,
    /// APDUs waiting for the turn; the front one is being transferred if `sending`.
    queue: VecDeque<Apdu>,
    sending: bool,
    /// Octets of the front APDU given to the RTS machine, and whether it was finished.
    written: u64,
    finished_writing: bool,
    /// The streamed APDU in transfer: its reader and the chunk read ahead.
    reading: Reading,
    /// A streamed APDU's source failed: the association is aborted at the next step.
    source_failed: Option<String>,
    /// We asked for the turn and have not got it yet.
    turn_asked: bool,
    /// The peer asked for the turn.
    peer_wants_turn: bool,
    /// The user asked to release once nothing is left to send.
    close_requested: bool,
    started: Instant,
    last_input: Instant,
}

impl Association {
    /// A session connection identifier for an initiator (CN PGI 1): our MTA name, the time
    /// (UTCTime, e.g. `261206120000Z`) and a counter that makes it unique (X.410: a
    /// `recover` names it).
    #[must_use]
    pub fn connection_id(local_mta: &str, utc_time: &str, n: u32) -> SessionConnectionIdentifier {
        SessionConnectionIdentifier {
            calling_ss_user_reference: CallingSsUserReference::T61(T61String::from(local_mta)),
            common_reference: UtcTimeOctets::from(utc_time),
            additional_reference_information: Some(
                SessionConnectionIdentifier::additional_reference(n),
            ),
        }
    }

    #[allow(clippy::too_many_arguments)] // private: the two constructors' common part
    fn new(
        config: Config,
        direction: Direction,
        peers: Arc<PeerTable>,
        permit: Permit,
        remote: SocketAddr,
        tp: Tp0<GrowBuf>,
        rts: Rts,
        now: Instant,
    ) -> Self {
        Self {
            config,
            direction,
            remote,
            peers,
            permit: Some(permit),
            tp,
            rts,
            phase: Phase::Handshake,
            peer: None,
            connection: None,
            mode: config.rts.dialogue_mode,
            events: VecDeque::new(),
            out: Vec::new(),
            out_pos: 0,
            tsdu: Vec::new(),
            queue: VecDeque::new(),
            sending: false,
            written: 0,
            finished_writing: false,
            reading: Reading::default(),
            source_failed: None,
            turn_asked: false,
            peer_wants_turn: false,
            close_requested: false,
            started: now,
            last_input: now,
        }
    }

    fn check_budget(config: &Config, permit: &Permit) -> Result<(), Error> {
        let needed = config.memory();
        if needed > permit.memory() {
            return Err(Error::OverBudget {
                needed,
                budget: permit.memory(),
            });
        }
        Ok(())
    }

    /// An association we open to `peer` (its name in `peers`) at `remote`: TP0 CR now,
    /// then the session CONNECT with the PConnect and our bind once TP0 is up. `permit`
    /// is the handshake the caller took before dialling; `connection` names this
    /// connection (see [`Association::connection_id`]).
    ///
    /// # Errors
    ///
    /// An unknown peer, buffers over the permit's budget, or a configuration TP0 rejects.
    pub fn initiator(
        config: Config,
        peers: Arc<PeerTable>,
        peer: &str,
        permit: Permit,
        remote: SocketAddr,
        connection: SessionConnectionIdentifier,
        now: Instant,
    ) -> Result<Self, Error> {
        Self::check_budget(&config, &permit)?;
        let target = peers
            .get(peer)
            .cloned()
            .ok_or_else(|| Error::UnknownPeer(peer.to_owned()))?;
        let mut rts_cfg = config.rts;
        rts_cfg.application_protocol = target.protocol.application_protocol();
        let mut tp = Tp0::initiator(config.tp0, GrowBuf::new(config.tp0_buffer))?;
        tp.connect(now, &ConnectRequest::default())?;
        let rts = Rts::new(Role::Initiator, rts_cfg);
        let mut a = Self::new(
            config,
            Direction::Outbound,
            peers,
            permit,
            remote,
            tp,
            rts,
            now,
        );
        a.peer = Some(target);
        a.connection = Some(connection);
        Ok(a)
    }

    /// An association a peer opens to us from `remote`, on a TCP connection just accepted
    /// under `permit`.
    ///
    /// # Errors
    ///
    /// Buffers over the permit's budget, or a configuration TP0 rejects.
    pub fn responder(
        config: Config,
        peers: Arc<PeerTable>,
        permit: Permit,
        remote: SocketAddr,
        now: Instant,
    ) -> Result<Self, Error> {
        Self::check_budget(&config, &permit)?;
        let tp = Tp0::responder(config.tp0, GrowBuf::new(config.tp0_buffer), now)?;
        let rts = Rts::new(Role::Responder, config.rts);
        Ok(Self::new(
            config,
            Direction::Inbound,
            peers,
            permit,
            remote,
            tp,
            rts,
            now,
        ))
    }

    // ---- state ----

    /// Who opened the association.
    #[must_use]
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The peer's transport address.
    #[must_use]
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// The peer's configured name once bound (initiator: the one dialled).
    #[must_use]
    pub fn peer(&self) -> Option<&str> {
        self.peer.as_ref().map(|p| p.name.as_str())
    }

    /// The P1 of the association, once bound.
    #[must_use]
    pub fn protocol(&self) -> Option<Protocol> {
        self.peer.as_ref().map(|p| p.protocol)
    }

    /// Whether the association is bound.
    #[must_use]
    pub fn is_bound(&self) -> bool {
        self.phase == Phase::Bound
    }

    /// Whether it ended and everything it had to send was handed out: close the
    /// transport connection.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Ended && self.out_pos >= self.out.len()
    }

    /// Octets of buffer memory the association holds now (TP0's reassembly, the session
    /// machine's queues, its own scratch and output). Buffers grow on demand and are given
    /// back once drained, so an idle bound association holds next to nothing; the budget
    /// reserved for the worst case is [`Config::memory`].
    #[must_use]
    pub fn memory_held(&self) -> usize {
        let (tx, rx) = self.rts.session().storage();
        self.tp.storage().allocated()
            + tx.allocated()
            + rx.allocated()
            + self.tsdu.capacity()
            + self.reading.chunk.capacity()
            + self.out.capacity()
    }

    /// APDUs given to [`Association::transfer`] and not yet confirmed or given back.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    // ---- requests ----

    /// Queues an APDU for the peer: it goes out when the association is bound and this
    /// side has the turn (asked for as needed). [`Event::Transferred`] confirms it,
    /// [`Event::TransferFailed`] gives it back. A [`Apdu::Streamed`] one is read as the
    /// window takes it; if its source fails, the association is aborted (the peer cannot
    /// be told to forget a partial APDU otherwise) and the APDU given back.
    pub fn transfer(&mut self, apdu: impl Into<Apdu>) {
        let apdu = apdu.into();
        if self.phase == Phase::Ended {
            self.events.push_back(Event::TransferFailed {
                apdu,
                why: "the association has ended".into(),
            });
            return;
        }
        self.queue.push_back(apdu);
        self.schedule();
    }

    /// The APDU's first octets, up to the checkpoint `serial` of an
    /// [`Event::ApduCheckpoint`], are stored: confirm them to the sender.
    ///
    /// # Errors
    ///
    /// No checkpoint `serial` waits for it.
    pub fn confirm_checkpoint(&mut self, serial: u64) -> Result<(), Error> {
        self.rts.confirm_checkpoint(serial)?;
        Ok(())
    }

    /// The APDU of the last [`Event::ApduEnd`] is stored: confirm it to the sender.
    ///
    /// # Errors
    ///
    /// No APDU waits for it.
    pub fn secured(&mut self) -> Result<(), Error> {
        self.rts.secured()?;
        self.schedule();
        Ok(())
    }

    /// Releases the association once everything queued is transferred (the initiator
    /// releases, X.218 §9.2; a responder of a two-way association waits for it).
    pub fn close(&mut self) {
        self.close_requested = true;
        self.schedule();
    }

    /// Aborts the association now (AB, then the transport closes); queued APDUs come back
    /// in [`Event::TransferFailed`].
    pub fn abort(&mut self, now: Instant, why: &str) {
        self.abort_with(now, why, Ended::Aborted(format!("aborted by us: {why}")));
    }

    fn abort_with(&mut self, now: Instant, why: &str, ended: Ended) {
        if self.phase == Phase::Ended {
            return;
        }
        tracing::info!(
            "mta: {} association with {}: aborting: {why}",
            self.direction,
            self.who()
        );
        let _ = self.rts.abort(now, AbortReason::LOCAL_SYSTEM_PROBLEM);
        self.end(now, ended);
    }

    // ---- input ----

    /// Takes octets read from TCP; returns how many were used. Keep the rest (a partial
    /// TPKT) and give it again with the next octets read.
    pub fn handle_input(&mut self, now: Instant, input: &[u8]) -> usize {
        self.last_input = now;
        let mut used = 0;
        loop {
            let n = self
                .tp
                .handle_input(now, input.get(used..).unwrap_or_default());
            used += n;
            let had_event = self.transport_event(now);
            if n == 0 && !had_event {
                break;
            }
        }
        self.drive(now);
        used
    }

    /// The TCP connection closed (or failed).
    pub fn handle_disconnect(&mut self, now: Instant) {
        self.tp.handle_disconnect(now);
        while self.transport_event(now) {}
        self.rts.handle_disconnect(now);
        self.drive(now);
        if self.phase != Phase::Ended {
            self.end(
                now,
                Ended::TransportClosed("the TCP connection closed".into()),
            );
        }
    }

    /// Time has passed: call at [`Association::poll_timeout`].
    pub fn handle_timeout(&mut self, now: Instant) {
        // Our own deadlines first: they say why in the association's terms, where TP0's
        // connect timer would only say that the transport gave up.
        match self.phase {
            Phase::Handshake if now >= self.started + self.config.handshake_timeout => {
                let d = self.config.handshake_timeout;
                tracing::info!(
                    "mta: {} connection with {}: no bind within {d:?}; closing",
                    self.direction,
                    self.who()
                );
                self.end(now, Ended::HandshakeTimeout(d));
            }
            Phase::Bound if now >= self.last_input + self.config.idle_timeout => {
                let d = self.config.idle_timeout;
                self.abort_with(now, &format!("nothing arrived for {d:?}"), Ended::Idle(d));
            }
            _ => {}
        }
        self.tp.handle_timeout(now);
        while self.transport_event(now) {}
        self.rts.handle_timeout(now);
        self.drive(now);
    }

    // ---- output ----

    /// Copies octets to write to TCP into `buf` (as many as fit) and returns how many;
    /// `None` when there is nothing to send.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] only for an empty `buf`.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<usize>, BufferTooSmall> {
        if self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            // An idle association keeps no large output buffer either.
            if self.out.capacity() > IDLE_SCRATCH && !self.rts.has_transfer() {
                self.out = Vec::new();
            }
            self.fill(now);
        }
        let pending = self.out.get(self.out_pos..).unwrap_or_default();
        if pending.is_empty() {
            return Ok(None);
        }
        if buf.is_empty() {
            return Err(BufferTooSmall { needed: 1 });
        }
        let n = pending.len().min(buf.len());
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(pending.get(..n).unwrap_or_default());
        self.out_pos += n;
        Ok(Some(n))
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Association::handle_timeout`] should next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let own = match self.phase {
            Phase::Handshake => Some(self.started + self.config.handshake_timeout),
            Phase::Bound => Some(self.last_input + self.config.idle_timeout),
            Phase::Ended => None,
        };
        [own, self.tp.poll_timeout(), self.rts.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Moves what TP0 and the RTS machine have to send into `out`: TP0's control TPDU
    /// first, then every TSDU of the RTS machine as DT TPKTs.
    fn fill(&mut self, now: Instant) {
        let mut ctl = [0u8; MAX_CONTROL_LEN];
        if let Ok(Some(n)) = self.tp.poll_transmit(now, &mut ctl) {
            self.out.extend_from_slice(ctl.get(..n).unwrap_or_default());
        }
        // Sending makes room in the RTS machine's window (it says so with an event): write
        // more of the APDU and send that too, up to a bound, so that TCP's backpressure
        // still reaches the APDU.
        loop {
            let before = self.out.len();
            self.drain_rts(now);
            self.drive(now);
            if self.out.len() == before || self.out.len() >= MAX_OUTPUT {
                break;
            }
        }
    }

    /// Queues every TSDU the RTS machine has as TPKTs, written straight into `out`.
    ///
    /// The TSDU scratch grows to what the machine asks for and is let go again when no
    /// APDU of ours is being sent: an idle association keeps no transmit buffer.
    fn drain_rts(&mut self, now: Instant) {
        if self.tp.state() != osi_transport::tp0::State::Open {
            return;
        }
        loop {
            let n = match self.rts.poll_transmit(now, &mut self.tsdu) {
                Ok(Some(n)) => n,
                Ok(None) => break,
                Err(BufferTooSmall { needed }) if needed > self.tsdu.len() => {
                    self.tsdu.resize(needed, 0);
                    continue;
                }
                Err(_) => break,
            };
            let tsdu = self.tsdu.get(..n).unwrap_or_default();
            let Ok(mut seg) = self.tp.send(tsdu) else {
                break;
            };
            loop {
                let start = self.out.len();
                self.out.resize(start + seg.max_tpkt_len(), 0);
                match seg.write_next(self.out.get_mut(start..).unwrap_or_default()) {
                    Ok(Some(k)) => self.out.truncate(start + k),
                    _ => {
                        self.out.truncate(start);
                        break;
                    }
                }
            }
        }
        if self.tsdu.len() > IDLE_SCRATCH && !self.rts.has_transfer() {
            self.tsdu = Vec::new();
        }
    }

    /// Handles one TP0 event, if there is one; returns whether there was.
    fn transport_event(&mut self, now: Instant) -> bool {
        let retry = match self.tp.poll_event() {
            None => return false,
            Some(TEvent::Data(tsdu)) => match self.rts.handle_tsdu(now, tsdu) {
                Ok(()) => None,
                Err(_) => Some(tsdu.to_vec()),
            },
            Some(TEvent::ConnectIndication { .. }) => {
                if let Err(e) = self.tp.accept(None, &[]) {
                    tracing::debug!("mta: transport from {}: cannot accept: {e}", self.remote);
                }
                None
            }
            Some(TEvent::Connected { .. }) => {
                self.open(now);
                None
            }
            Some(TEvent::Disconnected(cause)) => {
                self.transport_gone(now, cause.to_string());
                None
            }
            Some(TEvent::Expedited(_)) | Some(_) => None,
        };
        // The RTS machine takes no TSDU while a piece of an APDU waits to be polled: move
        // its events into ours after every TSDU (a move, not a copy).
        self.drive(now);
        if let Some(tsdu) = retry {
            // Its transmit queue was full: move that out too, then retry.
            self.drain_rts(now);
            if let Err(e) = self.rts.handle_tsdu(now, &tsdu) {
                self.abort(now, &format!("a TSDU could not be taken: {e}"));
            }
        }
        true
    }

    /// Who the peer is, for log lines: its name once known, and its address.
    fn who(&self) -> String {
        match &self.peer {
            Some(p) => format!("MTA {:?} at {}", p.name, self.remote),
            None => format!("{}", self.remote),
        }
    }
}
