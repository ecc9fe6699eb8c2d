//! The RTS protocol machine of X.410 (1984), sans-IO, over the session machine of
//! `osi-session` (the mapping of X.218 §8.3, as ISODE's rtsap/rt2ss*.c implements it).
//!
//! An [`Rts`] owns one [`Session`] and speaks for it: TSDUs and time go in through
//! [`Rts::handle_tsdu`], [`Rts::handle_disconnect`] and [`Rts::handle_timeout`];
//! TSDUs, [`Event`]s and a deadline come out of [`Rts::poll_transmit`], [`Rts::poll_event`]
//! and [`Rts::poll_timeout`]. User requests are the X.410 service primitives: open (or
//! recover), accept, refuse, turn please and give, transfer, secured, close and abort.
//!
//! Neither side ever needs a whole APDU in memory (a peer decides how large an APDU is,
//! and a message can be hundreds of MB): both move it in pieces, as quinn-proto's streams
//! do.
//!
//! The session is always opened with the units X.410 needs, 0x0249 (half-duplex, minor
//! synchronize, activity management, exceptions), and the turn is all three tokens. Each
//! APDU is one activity: AS, then the data as DTs, a minor synchronization point (MIP,
//! confirmation asked) after every `checkpointSize` × 1024 octets except the last, at most
//! `windowSize` of them unconfirmed, then AE.
//!
//! The sending user starts the APDU ([`Rts::start_transfer`]), writes it
//! ([`Rts::write`], which takes what fits) and finishes it ([`Rts::finish_transfer`]).
//! The machine holds what is written and not yet confirmed, at most `windowSize + 1`
//! checkpoints (without checkpointing, [`Config::send_buffer`], and nothing once queued);
//! a confirmation ([`Event::CheckpointConfirmed`]) releases the data before it, which
//! says when to write again ([`Event::TransferWritable`] without checkpointing). What goes on the wire does not depend on how the user cuts its writes.
//!
//! The receiving machine holds no APDU: its user gets [`Event::TransferStart`], each DT's
//! data as an [`Event::TransferData`] as it arrives, an [`Event::TransferCheckpoint`] for
//! each point, and [`Event::TransferEnd`]. The machine confirms a point (MIA) only when its
//! user says the data up to it is stored ([`Rts::confirm_checkpoint`]), and the activity
//! end (AEA) only when its user says the whole APDU is secured ([`Rts::secured`]). Beyond
//! its session buffers it keeps one piece until it is polled and, per APDU, the window of
//! unconfirmed checkpoints and at most [`MAX_CHECKPOINT_KNOTS`] for the confirmed ones.
//! [`Rts::buffered`] says how many octets it holds, [`Rts::max_buffered`] the bound,
//! whatever the APDU's size.
//!
//! When the connection is lost during a transfer with checkpointing, both sides get the
//! transfer's state in [`Event::ConnectionLost`]: the initiator reconnects with
//! [`Rts::recover`]; the responder keeps its part (see [`RecoveryTable`]) and answers the
//! `recover` with [`Rts::accept_recovery`] or a PRefuse `cannotRecover`. The former sender
//! then resumes the activity (AR) after the last confirmed checkpoint: the machine sends
//! the unconfirmed tail it kept again, and its user writes on where it stopped
//! ([`Rts::write_offset`]). The receiver's user cuts what it stored back to that checkpoint
//! ([`Event::TransferStart`]). Without checkpointing nothing can be resumed: the sender gets
//! [`Event::TransferFailed`] and sends the APDU again from its own source on a new
//! association, and the receiver's user drops the partial one
//! ([`Event::TransferDiscarded`]).
//!
//! ```
//! use x400_rts::machine::{Config, Event, Instant, OpenRequest, Rts};
//! use x400_rts::{CallingSsUserReference, SessionConnectionIdentifier, T61String, UtcTimeOctets};
//! use osi_session::machine::Role;
//!
//! let now = Instant::ZERO;
//! let mut mta_a = Rts::new(Role::Initiator, Config::default());
//! let mut mta_b = Rts::new(Role::Responder, Config::default());
//! let id = SessionConnectionIdentifier {
//!     calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("mta-a")),
//!     common_reference: UtcTimeOctets::from("261203100000Z"),
//!     additional_reference_information: None,
//! };
//! mta_a.open(&OpenRequest::new(&id, None))?;
//! let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
//! let mut pump = |from: &mut Rts, to: &mut Rts| -> Result<(), Box<dyn std::error::Error>> {
//!     while let Some(n) = from.poll_transmit(now, &mut wire)? {
//!         to.handle_tsdu(now, &wire[..n])?;
//!     }
//!     Ok(())
//! };
//! pump(&mut mta_a, &mut mta_b)?;
//! assert!(matches!(mta_b.poll_event(), Some(Event::OpenIndication(_))));
//! mta_b.accept(None)?;
//! pump(&mut mta_b, &mut mta_a)?;
//! assert!(matches!(mta_a.poll_event(), Some(Event::Opened(_))));
//!
//! // 4 KiB checkpoints: AS DT MIP DT MIP DT AE. The sender's source and the receiver's
//! // store stand for files: neither machine holds the APDU.
//! let source = vec![7; 10_000];
//! let mut stored = Vec::new();
//! let mut written = 0;
//! mta_a.start_transfer()?;
//! let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
//! while mta_a.has_transfer() {
//!     // As much as the window lets the machine take, then the end.
//!     while mta_a.send_room() > 0 && written < source.len() {
//!         written += mta_a.write(&source[written..])?;
//!     }
//!     if written == source.len() && mta_a.write_offset().is_some() {
//!         mta_a.finish_transfer()?;
//!     }
//!     // Each TSDU's piece is taken before the next TSDU goes in.
//!     while let Some(n) = mta_a.poll_transmit(now, &mut wire)? {
//!         mta_b.handle_tsdu(now, &wire[..n])?;
//!         while let Some(ev) = mta_b.poll_event() {
//!             match ev {
//!                 Event::TransferStart { offset } => stored.truncate(offset as usize),
//!                 Event::TransferData(piece) => stored.extend_from_slice(&piece),
//!                 // Held up to the point: the sender may forget it.
//!                 Event::TransferCheckpoint { serial, .. } => mta_b.confirm_checkpoint(serial)?,
//!                 Event::TransferEnd { len } => {
//!                     assert_eq!(len, 10_000);
//!                     mta_b.secured()?; // stored: now the sender gets its confirm
//!                 }
//!                 _ => {}
//!             }
//!         }
//!     }
//!     pump(&mut mta_b, &mut mta_a)?;
//!     while let Some(ev) = mta_a.poll_event() {
//!         assert!(matches!(
//!             ev,
//!             Event::CheckpointConfirmed { .. } | Event::TransferWritable | Event::Transferred
//!         ));
//!         assert!(mta_a.buffered() <= mta_a.max_buffered());
//!     }
//! }
//! assert_eq!(stored, source);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod association;
mod config;
mod ending;
mod error;
mod event;
mod outgoing;
mod receive;
mod recovery;
mod send;
mod words;

use alloc::collections::VecDeque;
use alloc::vec::Vec;

// The shared contract, re-exported so that users of the machine need no other crate.
use osi_sansio::GrowBuf;
pub use osi_sansio::{BufferTooSmall, Instant, Machine};
use osi_session::Requirements;
use osi_session::machine::{Event as SEvent, Role, Session};

pub use self::association::OpenRequest;
pub use self::config::Config;
pub use self::error::{Error, Result};
pub use self::event::{AbortCause, Event, Refusal};
pub use self::recovery::{Checkpoint, MAX_CHECKPOINT_KNOTS, Part, Recovery, RecoveryTable};

use self::outgoing::Outgoing;
use self::receive::Incoming;
use crate::{DialogueMode, SessionConnectionIdentifier};

/// The session functional units of X.410: half-duplex, minor synchronize, activity
/// management, exceptions (ISODE's `RTS_MYREQUIRE`).
pub const REQUIREMENTS: Requirements = Requirements::X410;

/// Where the association is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// Initiator before `open`/`recover`, responder before the CN.
    Idle,
    /// Initiator: CN sent, waiting for AC or RF.
    Opening,
    /// Responder: the CN was indicated, waiting for the user's answer.
    Indicated,
    /// The association is open.
    Open,
    /// Our FN is out, waiting for DN.
    Closing,
    /// Released, refused, aborted or lost: nothing more happens on this connection.
    Ended,
}

/// What both sides agreed in PConnect and PAccept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Agreed {
    checkpoint_size: u32,
    window_size: u32,
    dialogue_mode: DialogueMode,
}

/// One association's RTS protocol machine (one session connection; a recovery uses a new
/// machine on a new connection).
#[derive(Debug)]
pub struct Rts {
    config: Config,
    session: Session<GrowBuf>,
    phase: Phase,
    agreed: Agreed,
    /// The PConnect proposal the responder answers.
    proposal: Option<crate::PConnect>,
    /// This connection's identifier (CN PGI 1), which a later `recover` would name.
    connection: Option<SessionConnectionIdentifier>,
    /// The state of a transfer to recover on this connection, until the association is
    /// open (initiator) or the AR arrives (receiver).
    recovery: Option<Recovery>,
    /// The lost connection this association recovered, if it did.
    recovered_from: Option<SessionConnectionIdentifier>,
    /// Counter behind the activity identifiers of our transfers.
    next_activity: u32,
    out: Option<Outgoing>,
    inc: Option<Incoming>,
    /// The last activity we received completely, for a recovery after a lost AEA.
    last_received: Option<Vec<u8>>,
    checkpoints_confirmed: u64,
    /// Octets of the received piece queued as an event and not yet polled (at most one
    /// TSDU's user data: [`Rts::handle_tsdu`] takes no TSDU while there is one).
    piece_octets: usize,
    /// The time of the last handler call, for aborts started from a poller.
    now: Instant,
    events: VecDeque<Event>,
}

impl Rts {
    /// A machine for one side of a new transport connection: the initiator (it opened the
    /// transport) waits for [`Rts::open`] or [`Rts::recover`], the responder for the CN.
    #[must_use]
    pub fn new(role: Role, config: Config) -> Self {
        let buffer = config.session_buffer;
        Self {
            session: Session::new(
                role,
                config.session,
                GrowBuf::new(buffer),
                GrowBuf::new(buffer),
            ),
            config,
            phase: Phase::Idle,
            agreed: Agreed {
                checkpoint_size: 0,
                window_size: 1,
                dialogue_mode: config.dialogue_mode,
            },
            proposal: None,
            connection: None,
            recovery: None,
            recovered_from: None,
            next_activity: 1,
            out: None,
            inc: None,
            last_received: None,
            checkpoints_confirmed: 0,
            piece_octets: 0,
            now: Instant::ZERO,
            events: VecDeque::new(),
        }
    }

    // ---- getters ----

    /// This side's role (the association initiator opened the transport).
    #[must_use]
    pub fn role(&self) -> Role {
        self.session.role()
    }

    /// The session machine underneath (for its state, serial numbers, tokens).
    #[must_use]
    pub fn session(&self) -> &Session<GrowBuf> {
        &self.session
    }

    /// Whether the association is open.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.phase == Phase::Open
    }

    /// Whether the association has ended (released, refused, aborted or lost).
    #[must_use]
    pub fn is_ended(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// Whether this side holds the turn: every available token.
    #[must_use]
    pub fn has_turn(&self) -> bool {
        let available = self.session.tokens_available();
        available.0 != 0 && self.session.tokens_owned() == available
    }

    /// Whether an APDU of ours is being transferred (until its confirm).
    #[must_use]
    pub fn has_transfer(&self) -> bool {
        self.out.is_some()
    }

    /// The agreed checkpoint size (units of 1024 octets) and window, once open.
    #[must_use]
    pub fn checkpointing(&self) -> (u32, u32) {
        (self.agreed.checkpoint_size, self.agreed.window_size)
    }

    /// This connection's session connection identifier, once known.
    #[must_use]
    pub fn connection(&self) -> Option<&SessionConnectionIdentifier> {
        self.connection.as_ref()
    }

    /// Checkpoints of our APDUs the receiver confirmed on this connection.
    #[must_use]
    pub fn checkpoints_confirmed(&self) -> u64 {
        self.checkpoints_confirmed
    }

    /// APDU octets the machine holds now: what its user wrote of the APDU being sent and
    /// the receiver has not confirmed (or, until a recovery is open, the tail of the state
    /// it resumes), and a received piece not yet polled. Never more than
    /// [`Rts::max_buffered`].
    #[must_use]
    pub fn buffered(&self) -> usize {
        let sending = match (&self.out, &self.recovery) {
            (Some(out), _) => out.held(),
            (None, Some(r)) => r.octets_held(),
            (None, None) => 0,
        };
        sending + self.piece_octets
    }

    /// The most APDU octets this machine holds ([`Rts::buffered`]) on this association,
    /// whatever the size of the APDUs: one received piece (at most
    /// [`Config::session_buffer`]) and what the sender may hold unconfirmed, `windowSize +
    /// 1` checkpoints as agreed (or [`Config::send_buffer`] without checkpointing, at least
    /// one DT of [`Config::max_dt_len`]). Both sides are bounded by the configuration: a
    /// PAccept may not raise the proposed window or checkpoint size.
    #[must_use]
    pub fn max_buffered(&self) -> usize {
        let sending = match (&self.out, &self.recovery) {
            (Some(out), _) => out.bound().max(out.held()),
            _ => {
                let window = u64::from(self.agreed.window_size.max(1)) + 1;
                match outgoing::chunk(self.agreed.checkpoint_size) {
                    0 => self.config.send_buffer.max(self.config.max_dt_len),
                    c => usize::try_from(c.saturating_mul(window)).unwrap_or(usize::MAX),
                }
            }
        };
        let kept = self.recovery.as_ref().map_or(0, Recovery::octets_held);
        sending.max(kept).saturating_add(self.config.session_buffer)
    }

    // ---- handlers ----

    /// Takes one received TSDU.
    ///
    /// # Errors
    ///
    /// [`Error::EventsPending`] while a received [`Event::TransferData`] waits to be
    /// polled (call [`Rts::poll_event`] and retry), [`Error::Session`] if the session
    /// machine cannot take it now (its transmit queue is full: call [`Rts::poll_transmit`]
    /// and retry). The TSDU is not consumed then. Protocol errors are not errors of this
    /// call: they end the association with an [`Event::Aborted`].
    pub fn handle_tsdu(&mut self, now: Instant, tsdu: &[u8]) -> Result<()> {
        if self.piece_octets > 0 {
            return Err(Error::EventsPending);
        }
        self.now = now;
        self.session.handle_tsdu(now, tsdu)?;
        self.drain(now);
        Ok(())
    }

    /// The transport connection is gone.
    pub fn handle_disconnect(&mut self, now: Instant) {
        self.now = now;
        self.session.handle_disconnect(now);
        self.drain(now);
    }

    /// Time has passed: call at [`Rts::poll_timeout`].
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.session.handle_timeout(now);
        self.drain(now);
    }

    // ---- pollers ----

    /// Copies the next TSDU to send into `buf` and returns its length. Data of an APDU
    /// being sent is queued here, as the transmit queue drains, so `buf` needs only
    /// [`Config::session_buffer`] octets whatever the APDU's size.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `buf` is too short for the next TSDU (it stays queued).
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> core::result::Result<Option<usize>, BufferTooSmall> {
        self.pump();
        self.session.poll_transmit(now, buf)
    }

    /// The next event. A piece of a received APDU ([`Event::TransferData`]) leaves the
    /// machine with it.
    pub fn poll_event(&mut self) -> Option<Event> {
        let ev = self.events.pop_front();
        if let Some(Event::TransferData(piece)) = &ev {
            self.piece_octets = self.piece_octets.saturating_sub(piece.len());
        }
        ev
    }

    /// When [`Rts::handle_timeout`] should next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    // ---- the session's events ----

    /// Acts on every event the session machine has queued.
    fn drain(&mut self, now: Instant) {
        loop {
            let ev = match self.session.poll_event() {
                None => break,
                // One DT's user data: the piece the user takes next.
                Some(SEvent::Data(d)) => {
                    let piece = d.to_vec();
                    self.on_data(now, piece);
                    continue;
                }
                Some(ev) => ev.map(<[u8]>::to_vec),
            };
            self.on_session(now, ev);
        }
        self.pump();
    }

    fn on_session(&mut self, now: Instant, ev: SEvent<Vec<u8>>) {
        match ev {
            SEvent::ConnectIndication {
                requirements,
                calling_ref,
                common_ref,
                additional_ref,
                user_data,
                ..
            } => self.on_connect(
                now,
                requirements,
                [&calling_ref, &common_ref, &additional_ref],
                &user_data,
            ),
            SEvent::ConnectConfirm {
                requirements,
                user_data,
                ..
            } => self.on_accept(now, requirements, &user_data),
            SEvent::Refused { reason, user_data } => self.on_refuse(reason, &user_data),
            SEvent::TokensPlease { tokens, user_data } => {
                self.on_turn_please(now, tokens, &user_data)
            }
            SEvent::ControlGiven(_) => self.events.push_back(Event::TurnGiven),
            SEvent::TokensGiven { .. } => {
                if self.has_turn() {
                    self.events.push_back(Event::TurnGiven);
                }
            }
            SEvent::ActivityStart { id, .. } => self.on_activity_start(now, id),
            SEvent::ActivityResume {
                id, old_id, serial, ..
            } => self.on_activity_resume(now, id, &old_id, serial),
            SEvent::MinorSync {
                serial, confirm, ..
            } => self.on_minor_sync(now, serial, confirm),
            SEvent::MinorSyncConfirm { serial, .. } => self.on_minor_sync_confirm(serial),
            SEvent::ActivityEnd { .. } => self.on_activity_end(now),
            SEvent::ActivityEndConfirm { .. } => self.on_activity_end_confirm(),
            SEvent::ActivityInterrupt { .. } => self.on_activity_interrupt(now),
            SEvent::ActivityDiscard { .. } => self.on_activity_discard(now),
            SEvent::ActivityDiscardConfirm(_) => self.on_discard_confirm(),
            SEvent::ActivityInterruptConfirm(_) => self.on_interrupt_confirm(),
            SEvent::UserException { .. } => self.on_exception(now),
            SEvent::Release(_) => self.on_release(now),
            SEvent::ReleaseConfirm { .. } => {
                self.phase = Phase::Ended;
                self.events.push_back(Event::Closed);
            }
            SEvent::UserAbort(data) => self.on_user_abort(&data),
            SEvent::ProviderAbort(cause) => self.on_provider_abort(cause),
            SEvent::DisconnectTransport => self.events.push_back(Event::DisconnectTransport),
            // Not in 0x0249, so the session machine never gives them: a peer sending them
            // broke the session protocol and the session machine aborted already.
            _ => self.protocol_error(now, "an SPDU outside the X.410 session units"),
        }
    }
}

/// The shared contract: [`Rts`]'s own methods of the same names.
impl Machine for Rts {
    type Event<'a> = Event;

    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> core::result::Result<Option<usize>, BufferTooSmall> {
        Rts::poll_transmit(self, now, buf)
    }

    fn poll_event(&mut self) -> Option<Event> {
        Rts::poll_event(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Rts::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Rts::handle_timeout(self, now);
    }
}
