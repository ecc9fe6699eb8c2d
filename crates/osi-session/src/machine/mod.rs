//! The session protocol machine (SPM) of X.225 Annex A, sans-IO.
//!
//! A [`Session`] takes TSDUs and time in, and gives TSDUs, events and a deadline out. It
//! reads no clock (time is an [`Instant`] on the caller's clock), knows no
//! transport, never allocates, and keeps everything it must hold in two buffers the caller
//! provides: one for encoded TSDUs waiting to be sent, one for the received user data that
//! events borrow. Its methods come in quinn's four classes:
//!
//! * getters taking `&self` ([`Session::state`], [`Session::vm`], ...);
//! * handlers for what comes from below: [`Session::handle_tsdu`],
//!   [`Session::handle_expedited_tsdu`], [`Session::handle_timeout`],
//!   [`Session::handle_disconnect`];
//! * user requests (X.215 request and response primitives): [`Session::connect`],
//!   [`Session::send_data`], [`Session::minor_sync`], ... Each checks the state and the
//!   X.225 predicate first; a refused request returns an [`Error`] and changes nothing;
//! * pollers, called after each of the above until they return `None`:
//!   [`Session::poll_transmit_expedited`] (first: expedited data may overtake),
//!   [`Session::poll_transmit`], [`Session::poll_event`], [`Session::poll_timeout`].
//!
//! A received SPDU that X.225 does not allow in the current state, or with the wrong
//! tokens or serial number, makes the machine send AB (Transport Disconnect `0x05`: release,
//! protocol error) and give [`Event::ProviderAbort`] with the [`Rule`] broken
//! (A.4.1.2 (a)), then wait in STA16 for the transport to close.
//!
//! Functional units: kernel, half-duplex, duplex, typed data, capability data, minor and
//! major synchronize, resynchronize, activity management, exceptions, negotiated release,
//! and expedited data when [`Config::transport_expedited`] says the transport connection
//! has an expedited flow (EX goes out through [`Session::send_expedited`] and
//! [`Session::poll_transmit_expedited`], and comes in through
//! [`Session::handle_expedited_tsdu`]). Not offered (removed from every proposal and
//! selection): symmetric synchronize and data separation. Segmenting is
//! never selected: no TSDU maximum size is proposed, and a zero from either side wins
//! (X.225 §5.8.6).
//!
//! ```
//! use osi_sansio::Instant;
//! use osi_session::machine::{AcceptRequest, Config, ConnectRequest, Event, Role, Session};
//! use osi_session::Requirements;
//!
//! // Buffers can be arrays: no allocation is needed.
//! let mut a = Session::new(Role::Initiator, Config::default(), [0u8; 1024], [0u8; 1024]);
//! let mut b = Session::new(Role::Responder, Config::default(), [0u8; 1024], [0u8; 1024]);
//! let (now, mut wire) = (Instant::ZERO, [0u8; 1024]);
//!
//! // X.410 RTS units: half-duplex, minor sync, exceptions, activities (0x0249).
//! a.connect(&ConnectRequest::new(Requirements(0x0249)))?;
//! let n = a.poll_transmit(now, &mut wire)?.unwrap();
//! b.handle_tsdu(now, &wire[..n])?;
//! assert!(matches!(b.poll_event(), Some(Event::ConnectIndication { .. })));
//! b.accept(&AcceptRequest::new(Requirements(0x0249)))?;
//! let n = b.poll_transmit(now, &mut wire)?.unwrap();
//! a.handle_tsdu(now, &wire[..n])?;
//! assert!(matches!(a.poll_event(), Some(Event::ConnectConfirm { .. })));
//!
//! a.activity_start(&[0x02, 0x01, 0x01], &[])?;
//! assert_eq!(a.minor_sync(true, &[])?, 1); // the first point of an activity is 1
//! while let Some(n) = a.poll_transmit(now, &mut wire)? {
//!     b.handle_tsdu(now, &wire[..n])?;
//! }
//! assert!(matches!(b.poll_event(), Some(Event::ActivityStart { .. })));
//! assert!(matches!(b.poll_event(), Some(Event::MinorSync { serial: 1, .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Coverage of X.225 Annex A
//!
//! Implemented: STA01, STA01C, STA01D, STA02A, STA02B, STA03, STA04A, STA04B, STA05A–C,
//! STA06, STA08, STA09, STA10A, STA10B, STA11A–C, STA15A–D, STA16, STA18–STA22, STA713,
//! and the EX and SEXreq rows of each (EX held in STA02A until the AC, Annex A action
//! \[10\]; discarded in STA05A–C, STA11A, STA19 and STA20). With
//! [`Config::transport_expedited`] (TEXP) the machine sends PREPARE on the expedited flow
//! ahead of MAA and AEA (PR-MAA), RS, AI and AD (PR-RS), RA, AIA and ADA (PR-RA) and AB
//! (PR-AB), enters STA15A–D (or STA06 in a resynchronize collision) when it receives one,
//! and treats those SPDUs arriving without their PR as protocol errors (p16, p35–p38); see
//! `prepare.rs`. In STA15A–D and STA06 it rejects the user requests Annex A absorbs there
//! without action (data, tokens, synchronization, release) with [`Error::State`], so the
//! user learns that nothing was sent.
//!
//! Not implemented: STA01A and STA01B (transport reuse after AB, and T-CONNECT: this
//! machine always releases the transport after an abort, X.225 forbids reuse under TEXP
//! anyway, and the caller connects the transport before [`Session::connect`]); S-RESYNCHRONIZE
//! request from STA04A and STA15A and S-TOKEN-GIVE request from STA04A/B, STA10A/B and
//! STA15A (rows Annex A has; the machine refuses the requests); symmetric synchronize, data
//! separation, segmenting, the Upper Limit Serial Number, and the exceptions alternative
//! A.4.1.2 (b) (sending ER): every protocol error is answered with AB (preceded by PR-AB
//! under TEXP).

mod activity;
mod buffers;
mod config;
mod connect;
mod error;
mod event;
mod expedited;
mod prepare;
mod receive;
mod receive_sync;
mod recovery;
mod requests;
mod state;
mod sync;
mod tokens;
mod words;

// The shared contract, re-exported so that users of the machine need no other crate.
pub use osi_sansio::{BufferTooSmall, Instant, Machine};

pub use self::activity::ResumeRequest;
pub use self::buffers::MAX_EVENTS;
pub use self::config::{Config, Role};
pub use self::connect::{AcceptRequest, ConnectRequest};
pub use self::error::{Error, Result};
pub use self::event::{AbortCause, Event, Rule};
pub use self::expedited::{MAX_EXPEDITED_QUEUED, MAX_EXPEDITED_TSDU};
pub use self::state::State;
pub use self::sync::MAX_SERIAL;

use self::buffers::{RxStore, Span, TxQueue};
use self::expedited::{EarlyEx, ExQueue};
use self::prepare::Prepared;
use self::sync::SyncVars;
use self::tokens::Tokens;
use crate::{
    Abort, GiveTokens, PleaseTokens, Requirements, ResyncType, Spdu, TokenItem, TokenSetting,
    Version,
};
use osi_sansio::Storage;

/// Free transmit octets `handle_tsdu` needs before it takes a TSDU: room for anything the
/// machine answers on its own (AB with 9 reflect octets is 16, GTA and AA 2, OA 11).
pub const TX_RESERVE: usize = 64;

/// A GT without parameters: the category 0 SPDU in front of a category 2 one.
fn gt() -> Spdu<'static> {
    GiveTokens::default().into()
}

/// A PT without parameters, in front of the answers of X.225 Table 7.
fn pt() -> Spdu<'static> {
    PleaseTokens::default().into()
}

/// A resynchronization in progress: ours in STA05A, the peer's in STA11A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Resync {
    kind: ResyncType,
    serial: u64,
    tokens: TokenSetting,
}

/// What the CN proposed (kept by both sides until the AC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Offer {
    requirements: Requirements,
    versions: Version,
    tokens: TokenSetting,
    isn: Option<u64>,
    extended: bool,
}

/// One session connection's protocol machine. `B` is the storage of each buffer: an array,
/// a `Vec<u8>`, a `&mut [u8]`, ...
///
/// Buffer sizes bound what the machine can carry: the transmit buffer must hold the
/// largest TSDU the user sends plus 4 octets per queued TSDU (and [`TX_RESERVE`]); the
/// receive buffer the user data of one received TSDU plus whatever undrained events still
/// hold. User data beyond the receive buffer is refused with AB (implementation
/// restriction), never truncated.
#[derive(Debug)]
pub struct Session<B> {
    role: Role,
    config: Config,
    state: State,
    version: Option<Version>,
    fu: Requirements,
    tokens: Tokens,
    sync: SyncVars,
    /// Vcoll: release collision.
    vcoll: bool,
    /// Vdnr: DN received during a release collision.
    vdnr: bool,
    /// The FN asked to keep the transport connection.
    keep_transport: bool,
    resync: Option<Resync>,
    /// The peer can receive extended concatenation.
    peer_extended: bool,
    offer: Offer,
    /// The S-CONNECT indication being collected in STA01D.
    pending_connect: Option<Event<Span>>,
    tim: Option<Instant>,
    tx: TxQueue<B>,
    rx: RxStore<B>,
    /// EX waiting for the transport expedited flow.
    ex_tx: ExQueue,
    /// EX received in STA02A, held until the AC (or in STA15A, STA15C, STA06 until the
    /// SPDU awaited).
    early_ex: EarlyEx,
    /// The state a PR moved the machine from, and the PRs stored by Annex A action \[10\].
    prepared: Prepared,
}

impl<B: Storage> Session<B> {
    /// A machine for one side of a new transport connection: the initiator waits in STA01
    /// for [`Session::connect`], the responder in STA01C for a CN. `rx` holds received user
    /// data until events are polled, `tx` holds TSDUs until they are polled. Either may be
    /// fixed or growing storage (see [`Storage`]); the machine asks a growing one for
    /// memory only when octets arrive and lets it go once they are taken.
    pub fn new(role: Role, config: Config, rx: B, tx: B) -> Self {
        Self {
            role,
            config,
            state: match role {
                Role::Initiator => State::Sta01,
                Role::Responder => State::Sta01C,
            },
            version: None,
            fu: Requirements(0),
            tokens: Tokens::default(),
            sync: SyncVars::default(),
            vcoll: false,
            vdnr: false,
            keep_transport: false,
            resync: None,
            peer_extended: false,
            offer: Offer::default(),
            pending_connect: None,
            tim: None,
            tx: TxQueue::new(tx),
            rx: RxStore::new(rx),
            ex_tx: ExQueue::default(),
            early_ex: EarlyEx::default(),
            prepared: Prepared::default(),
        }
    }

    // ---- A. getters ----

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// This side's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The selected functional units (0 before the connection is up).
    pub fn requirements(&self) -> Requirements {
        self.fu
    }

    /// The selected protocol version, once negotiated.
    pub fn version(&self) -> Option<Version> {
        self.version
    }

    /// The tokens that exist on this connection.
    pub fn tokens_available(&self) -> TokenItem {
        TokenItem(self.tokens.available())
    }

    /// The tokens this side holds.
    pub fn tokens_owned(&self) -> TokenItem {
        TokenItem(self.tokens.owned())
    }

    /// V(M): the serial number of the next synchronization point.
    pub fn vm(&self) -> u64 {
        self.sync.vm
    }

    /// V(A): the lowest serial number still awaiting confirmation.
    pub fn va(&self) -> u64 {
        self.sync.va
    }

    /// V(R): the lowest serial number a resynchronize-restart may return to.
    pub fn vr(&self) -> u64 {
        self.sync.vr
    }

    /// Vact: an activity is in progress.
    pub fn in_activity(&self) -> bool {
        self.sync.vact
    }

    // ---- B. handlers ----

    /// Timer TIM: when it expires, the machine gives up waiting for the peer to close the
    /// transport and asks the caller to close it.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(t) = self.tim
            && now >= t
        {
            self.tim = None;
            if self.state == State::Sta16 {
                self.disconnect();
            }
        }
    }

    /// T-DISCONNECT indication: the transport connection is gone. In any state with a
    /// connection this is an S-P-ABORT indication; the machine returns to STA01. (`now` is
    /// taken as by every handler; nothing here depends on it.)
    pub fn handle_disconnect(&mut self, now: Instant) {
        let _ = now;
        if self.state.is_connected() {
            self.rx
                .push(Event::ProviderAbort(AbortCause::TransportLost));
        }
        self.reset(State::Sta01);
    }

    // ---- D. pollers ----

    /// Copies the next TSDU to send into `buf` and returns its length, or `None` if
    /// nothing is waiting.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `buf` is shorter than [`Session::next_transmit_len`]; the TSDU
    /// stays queued.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<usize>, BufferTooSmall> {
        let _ = now;
        self.tx.pop(buf)
    }

    /// Length of the TSDU [`Session::poll_transmit`] would give next.
    pub fn next_transmit_len(&self) -> Option<usize> {
        self.tx.peek_len()
    }

    /// Octets of SPDUs a request could still queue as one TSDU now. A user that streams
    /// data (an RTS sending a large APDU) checks this to queue only what fits, leaving
    /// [`TX_RESERVE`] for the machine's own answers.
    pub fn transmit_free(&self) -> usize {
        self.tx.free()
    }

    /// The transmit queue's and the receive buffer's storage, e.g. to see how much memory an
    /// idle connection holds.
    pub fn storage(&self) -> (&B, &B) {
        (self.tx.storage(), self.rx.storage())
    }

    /// The next indication or confirm. Its octets borrow the receive buffer and stay valid
    /// until the next call that changes the machine.
    pub fn poll_event(&mut self) -> Option<Event<&[u8]>> {
        self.rx.pop()
    }

    /// When [`Session::handle_timeout`] should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.tim
    }

    // ---- shared actions ----

    /// Queues the SPDUs as one TSDU.
    fn send(&mut self, spdus: &[Spdu<'_>]) -> Result<()> {
        self.tx.push(spdus)
    }

    /// Checks an SPDU against the negotiated version's limits before it is queued.
    fn check_version(&self, spdu: &Spdu<'_>) -> Result<()> {
        spdu.check(self.version).map_err(Error::Encode)
    }

    /// Stores received octets for an event.
    fn store(&mut self, data: &[u8]) -> core::result::Result<Span, Rule> {
        self.rx
            .store(data)
            .map_err(|(needed, available)| Rule::ReceiveCapacity { needed, available })
    }

    fn event(&mut self, ev: Event<Span>) {
        self.rx.push(ev);
    }

    /// Asks the caller to close the transport; back to STA01.
    fn disconnect(&mut self) {
        self.rx.push(Event::DisconnectTransport);
        self.reset(State::Sta01);
    }

    /// Forgets the connection.
    fn reset(&mut self, state: State) {
        self.state = state;
        self.version = None;
        self.fu = Requirements(0);
        self.tokens = Tokens::default();
        self.sync = SyncVars::default();
        self.vcoll = false;
        self.vdnr = false;
        self.keep_transport = false;
        self.resync = None;
        self.peer_extended = false;
        self.pending_connect = None;
        self.tim = None;
        self.rx.unpin();
        self.tx.drop_held();
        self.ex_tx.clear();
        self.early_ex = EarlyEx::default();
        self.prepared = Prepared::default();
    }

    /// Enters STA16 and starts TIM.
    fn wait_for_disconnect(&mut self, now: Instant) {
        // Nothing stored for a later recall (Annex A \[10\]) matters any more.
        self.drop_stored();
        self.state = State::Sta16;
        self.tim = Some(now + self.config.tim);
    }

    /// A.4.1.2 (a): S-P-ABORT indication naming the rule, AB (release, protocol error, or
    /// implementation restriction for a capacity limit), TIM, STA16.
    fn protocol_error(&mut self, now: Instant, rule: Rule) {
        if matches!(self.state, State::Sta01 | State::Sta16) {
            return;
        }
        let ab = Abort::new(rule.abort_bits());
        // TX_RESERVE guarantees room for this AB; if the queue were full anyway the
        // transport is closed at TIM expiry, which ends the connection all the same.
        self.tx.drop_held();
        // The connection is over: EX not yet sent would overtake the AB for nothing.
        self.ex_tx.clear();
        // Under TEXP the AB follows a PR-AB, as S-U-ABORT's (Annex A SUABreq rows), so the
        // peer stops taking the normal flow at once. [R] Annex A's own text for A.4.1.2 (a)
        // could not be checked: this follows the SUABreq rows and X.225 §7.9 and §7.26. The
        // queue was just cleared, so the PR fits; if it did not, the AB alone still ends the
        // connection.
        let _ = self.send_prepare(crate::PrepareType::Abort);
        let _ = self.send(&[ab.into()]);
        self.event(Event::ProviderAbort(AbortCause::ProtocolError(rule)));
        self.wait_for_disconnect(now);
    }

    /// Checks that a received TSDU of `len` octets can be taken without losing an event or
    /// the room for an answer (see [`Session::handle_tsdu`]).
    fn admit(&mut self, len: usize) -> Result<()> {
        if self.rx.pending() > 0
            && (self.rx.free() < len || self.rx.event_room() < receive::EVENTS_PER_TSDU)
        {
            return Err(Error::EventsPending);
        }
        if self.rx.pending() == 0 {
            self.rx.settle();
        }
        if self.tx.free() < TX_RESERVE {
            return Err(Error::TransmitFull {
                needed: TX_RESERVE,
                available: self.tx.free(),
            });
        }
        Ok(())
    }

    /// The decoding context of the current state.
    fn context(&self) -> crate::Context {
        crate::Context {
            version: self.version,
            // SI 42 is AEA when answering our AE: in STA04B, or in STA15A entered from it
            // (p23 = FU(ACT) ∧ ¬Vnextact).
            si42: if self.state == State::Sta04B
                || (self.state == State::Sta15A && self.prepared.from == State::Sta04B)
            {
                crate::Si42::ActivityEndAck
            } else {
                crate::Si42::MajorSyncAck
            },
            extended_concatenation: self.config.extended_concatenation,
        }
    }

    fn has(&self, unit: u16) -> bool {
        self.fu.contains(unit)
    }
}

/// The shared contract: [`Session`]'s own methods of the same names.
impl<B: Storage> Machine for Session<B> {
    type Event<'a>
        = Event<&'a [u8]>
    where
        Self: 'a;

    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<usize>, BufferTooSmall> {
        Session::poll_transmit(self, now, buf)
    }

    fn poll_event(&mut self) -> Option<Self::Event<'_>> {
        Session::poll_event(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Session::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Session::handle_timeout(self, now);
    }
}
