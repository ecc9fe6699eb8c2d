//! Sending an APDU: one activity, with checkpoints, a window, the receiver's secured
//! confirmation, discard, interrupt, and resumption after a recovery (X.218 §9.3; X.215
//! §13.14, §13.15; ISODE's rtsap/rt2ss.c).

use alloc::vec::Vec;
use osi_sansio::Instant;

use osi_session::machine::{Error as SessionError, ResumeRequest, Session, TX_RESERVE};
use osi_session::{ConnectionId, Reason};

use super::error::refuse;
use super::{AbortCause, Event, Part, Phase, Recovery, Result, Rts};
use crate::{AbortReason, SessionConnectionIdentifier};

/// Transmit room an AS, MIP, AE or AD needs with the GT in front of it.
const SMALL_SPDU: usize = 64;
/// Transmit room an AR needs: its Linking Information carries four references.
const RESUME_SPDU: usize = 320;
/// Octets a DT adds to its user data in a TSDU: GT, SI, a 3-octet LI, the queue's length.
const DT_OVERHEAD: usize = 16;
/// The largest activity identifier counter whose BER INTEGER fits the 6 octets X.225
/// allows (`02 04 7F FF FF FF`).
const MAX_ACTIVITY: u32 = 0x7FFF_FFFF;

/// Our APDU being transferred.
#[derive(Debug)]
pub(super) struct Outgoing {
    apdu: Vec<u8>,
    id: Vec<u8>,
    /// Octets per checkpoint; 0 = no checkpoints.
    chunk: usize,
    window: u64,
    /// Octets queued so far.
    sent: usize,
    /// Serial number of the last minor synchronization point sent.
    points: u64,
    /// Serial number of the last one confirmed.
    confirmed: u64,
    step: Step,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// AS not yet sent.
    Start,
    /// AR not yet sent: resume the activity (same identifier) after `confirmed`, naming
    /// the connection it was interrupted on if that was another one.
    Resume {
        old_connection: Option<SessionConnectionIdentifier>,
    },
    /// Data, minor synchronization points, then AE.
    Data,
    /// AE sent, waiting for AEA.
    End,
    /// AD sent, waiting for ADA; the words say why.
    Discarding(&'static str),
    /// AI sent, waiting for AIA.
    Interrupting,
    /// Interrupted (AIA received): the checkpoints are kept for [`Rts::resume_transfer`].
    Interrupted,
}

impl Outgoing {
    fn new(apdu: Vec<u8>, id: Vec<u8>, checkpoint_size: u32, window: u32) -> Self {
        Self {
            apdu,
            id,
            chunk: chunk(checkpoint_size),
            window: u64::from(window.max(1)),
            sent: 0,
            points: 0,
            confirmed: 0,
            step: Step::Start,
        }
    }

    /// The sender's side of a recovered transfer. The resumed activity keeps its
    /// identifier: the receiver matches the AR's old identifier against what it kept, and
    /// an identifier that changed with an AR the receiver never saw could name another
    /// APDU it completed (found by the `rts_machine` fuzz target).
    pub(super) fn resume(state: Recovery) -> Option<Self> {
        let Part::Sending {
            activity_id,
            apdu,
            confirmed,
        } = state.part
        else {
            return None;
        };
        let mut out = Self::new(apdu, activity_id, state.checkpoint_size, state.window_size);
        out.confirmed = confirmed;
        out.rewind(Some(state.connection));
        Some(out)
    }

    /// Goes back to the last confirmed checkpoint, for an AR to resume from there.
    fn rewind(&mut self, old_connection: Option<SessionConnectionIdentifier>) {
        // A checkpoint always has data after it (no MIP follows the last octets): a
        // confirmed serial beyond that cannot be right, so resume from the start.
        let offset = offset(self.chunk, self.confirmed).filter(|&o| o < self.apdu.len());
        if offset.is_none() {
            self.confirmed = 0;
        }
        self.sent = offset.unwrap_or(0);
        self.points = self.confirmed;
        self.step = Step::Resume { old_connection };
    }

    pub(super) fn into_apdu(self) -> Vec<u8> {
        self.apdu
    }

    /// Whether a recovery can resume it: not if the activity never started or is being
    /// discarded, as there is nothing on the other side to resume.
    pub(super) fn is_resumable(&self) -> bool {
        !matches!(self.step, Step::Start | Step::Discarding(_))
    }

    /// The part a recovery keeps.
    pub(super) fn into_part(self) -> Part {
        Part::Sending {
            activity_id: self.id,
            apdu: self.apdu,
            confirmed: self.confirmed,
        }
    }

    /// Queues as much of the activity as the window and the session's transmit room
    /// allow.
    fn pump(&mut self, s: &mut Session<Vec<u8>>, max_dt: usize) -> Result<(), SessionError> {
        let room = |s: &Session<Vec<u8>>, n: usize| s.transmit_free() >= n + TX_RESERVE;
        loop {
            match &self.step {
                Step::Start => {
                    if !room(s, SMALL_SPDU) {
                        return Ok(());
                    }
                    s.activity_start(&self.id, &[])?;
                    self.step = Step::Data;
                }
                Step::Resume { old_connection } => {
                    if !room(s, RESUME_SPDU) {
                        return Ok(());
                    }
                    let refs = match old_connection {
                        Some(c) => Some(super::association::session_refs(c).map_err(|_| {
                            SessionError::Parameter {
                                request: "S-ACTIVITY-RESUME request",
                                why: "the old connection identifier cannot be encoded",
                            }
                        })?),
                        None => None,
                    };
                    let old_connection =
                        refs.as_ref()
                            .map(|[calling, common, additional]| ConnectionId {
                                calling_ref: Some(calling),
                                common_ref: Some(common),
                                additional_ref: Some(additional.as_slice())
                                    .filter(|a| !a.is_empty()),
                                ..ConnectionId::default()
                            });
                    s.activity_resume(
                        &ResumeRequest {
                            id: &self.id,
                            old_id: &self.id,
                            serial: self.confirmed,
                            old_connection,
                        },
                        &[],
                    )?;
                    self.step = Step::Data;
                }
                Step::Data => {
                    let len = self.apdu.len();
                    if self.sent >= len {
                        if !room(s, SMALL_SPDU) {
                            return Ok(());
                        }
                        s.activity_end(&[])?;
                        self.step = Step::End;
                        return Ok(());
                    }
                    let next_point = offset(self.chunk, self.points.saturating_add(1));
                    if self.chunk > 0 && next_point == Some(self.sent) {
                        if !room(s, SMALL_SPDU) {
                            return Ok(());
                        }
                        // Explicit confirmation: the MIA is the sender's licence to forget.
                        self.points = s.minor_sync(true, &[])?;
                        continue;
                    }
                    if self.chunk > 0 && self.points - self.confirmed >= self.window {
                        return Ok(());
                    }
                    let end = if self.chunk > 0 {
                        next_point.unwrap_or(len).min(len)
                    } else {
                        len
                    };
                    let n = end.saturating_sub(self.sent).min(max_dt);
                    if !room(s, n + DT_OVERHEAD) {
                        return Ok(());
                    }
                    let Some(part) = self.apdu.get(self.sent..self.sent + n) else {
                        return Ok(());
                    };
                    s.send_data(part)?;
                    self.sent += n;
                }
                Step::End | Step::Discarding(_) | Step::Interrupting | Step::Interrupted => {
                    return Ok(());
                }
            }
        }
    }
}

/// Octets per checkpoint.
fn chunk(checkpoint_size: u32) -> usize {
    usize::try_from(checkpoint_size)
        .unwrap_or(usize::MAX)
        .saturating_mul(1024)
}

/// The octet count at checkpoint `serial`, if it fits.
fn offset(chunk: usize, serial: u64) -> Option<usize> {
    usize::try_from(serial).ok()?.checked_mul(chunk)
}

impl Rts {
    /// TRANSFER.request: sends `apdu` as one activity. The confirm is
    /// [`Event::Transferred`] or [`Event::TransferFailed`] (which gives the APDU back).
    ///
    /// # Errors
    ///
    /// Not open, no turn, or a transfer (ours or the peer's, or one to be resumed) is
    /// outstanding.
    pub fn transfer(&mut self, apdu: Vec<u8>) -> Result<()> {
        const R: &str = "TRANSFER.request";
        if self.phase != Phase::Open {
            return refuse(R, "the association is not open");
        }
        if !self.has_turn() {
            return refuse(R, "this side does not hold the turn");
        }
        if self.out.is_some() || self.inc.is_some() || self.recovery.is_some() {
            return refuse(R, "a transfer is in progress");
        }
        let id = self.take_activity_id();
        self.out = Some(Outgoing::new(
            apdu,
            id,
            self.agreed.checkpoint_size,
            self.agreed.window_size,
        ));
        self.pump();
        Ok(())
    }

    /// Abandons the APDU being sent (a local problem): AD; the APDU comes back in
    /// [`Event::TransferFailed`] once the receiver acknowledges.
    ///
    /// # Errors
    ///
    /// No transfer of ours to discard, or not yet started.
    pub fn discard_transfer(&mut self) -> Result<()> {
        self.stop_transfer("discard", Step::Discarding("discarded by the local user"))
    }

    /// Suspends the APDU being sent (a local problem that will pass): AI. The checkpoints
    /// confirmed so far are kept; [`Event::TransferInterrupted`] follows the receiver's
    /// acknowledgement, and [`Rts::resume_transfer`] continues after the last of them.
    ///
    /// # Errors
    ///
    /// No transfer of ours in progress.
    pub fn interrupt_transfer(&mut self) -> Result<()> {
        self.stop_transfer("interrupt", Step::Interrupting)
    }

    /// AD or AI for our APDU in progress; `step` says which and is where it goes.
    fn stop_transfer(&mut self, r: &'static str, step: Step) -> Result<()> {
        let started = matches!(
            self.out.as_ref().map(|o| &o.step),
            Some(Step::Data | Step::End)
        );
        if self.phase != Phase::Open || !started {
            return refuse(r, "no transfer of ours is in progress");
        }
        if step == Step::Interrupting {
            // The work is kept for a resume (X.215 §13.15.1).
            self.session
                .activity_interrupt(Reason::TEMPORARILY_UNABLE, &[])?;
        } else {
            self.session
                .activity_discard(Reason::NO_SPECIFIC_REASON, &[])?;
        }
        if let Some(out) = self.out.as_mut() {
            out.step = step;
        }
        Ok(())
    }

    /// Continues an interrupted APDU on this connection: AR after the last confirmed
    /// checkpoint, then the rest of the data.
    ///
    /// # Errors
    ///
    /// No interrupted transfer, or the turn is not ours.
    pub fn resume_transfer(&mut self) -> Result<()> {
        const R: &str = "resume";
        if self.phase != Phase::Open || !self.has_turn() {
            return refuse(R, "the association is not open with the turn here");
        }
        if !matches!(self.out.as_ref().map(|o| &o.step), Some(Step::Interrupted)) {
            return refuse(R, "no transfer of ours is interrupted");
        }
        if let Some(out) = self.out.as_mut() {
            out.rewind(None);
        }
        self.pump();
        Ok(())
    }

    /// The APDU being sent, as a recovery would resume it: its activity identifier and
    /// the serial number of the last confirmed checkpoint. A sender that must survive its
    /// own restart stores these (with [`Rts::connection`]) to rebuild a
    /// [`Part::Sending`] later.
    #[must_use]
    pub fn transfer_progress(&self) -> Option<(&[u8], u64)> {
        let out = self.out.as_ref()?;
        match &out.step {
            Step::Start | Step::Discarding(_) => None,
            _ => Some((&out.id, out.confirmed)),
        }
    }

    /// Continues the activity counter past `id` (one of ours being resumed), so that no
    /// later activity of this association reuses it.
    pub(super) fn skip_activity_id(&mut self, id: &[u8]) {
        if let Ok(n) = rasn::ber::decode::<u32>(id)
            && n >= self.next_activity
            && n < MAX_ACTIVITY
        {
            self.next_activity = n + 1;
        }
    }

    /// The activity identifier for our next activity: a BER INTEGER of a counter, as
    /// ISODE sends it.
    pub(super) fn take_activity_id(&mut self) -> Vec<u8> {
        let n = self.next_activity;
        self.next_activity = if n >= MAX_ACTIVITY { 1 } else { n + 1 };
        rasn::ber::encode(&n).unwrap_or_default()
    }

    /// Queues what the window and the transmit room allow of our APDU.
    pub(super) fn pump(&mut self) {
        if self.phase != Phase::Open {
            return;
        }
        let Some(out) = self.out.as_mut() else {
            return;
        };
        if out
            .pump(&mut self.session, self.config.max_dt_len.max(1))
            .is_err()
        {
            // The session refused a step the RTS checked for: the two disagree about the
            // state, which only a broken peer or a bug can cause.
            let now = self.now;
            self.abort_with(
                now,
                AbortReason::LOCAL_SYSTEM_PROBLEM,
                AbortCause::Protocol("the session refused the next step of a transfer"),
            );
        }
    }

    // ---- received ----

    pub(super) fn on_minor_sync_confirm(&mut self, serial: u64) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        if serial > out.confirmed {
            self.checkpoints_confirmed += serial - out.confirmed;
            out.confirmed = serial;
            let offset = offset(out.chunk, serial)
                .unwrap_or(usize::MAX)
                .min(out.apdu.len());
            let offset = u64::try_from(offset).unwrap_or(u64::MAX);
            self.events
                .push_back(Event::CheckpointConfirmed { serial, offset });
        }
    }

    pub(super) fn on_activity_end_confirm(&mut self) {
        if self.out.take().is_some() {
            self.events.push_back(Event::Transferred);
        }
    }

    pub(super) fn on_interrupt_confirm(&mut self) {
        match self.out.as_mut() {
            Some(out) if out.step == Step::Interrupting => {
                out.step = Step::Interrupted;
                self.events.push_back(Event::TransferInterrupted);
            }
            _ => self.on_discard_confirm(),
        }
    }

    pub(super) fn on_discard_confirm(&mut self) {
        if let Some(out) = self.out.take() {
            let why = match out.step {
                Step::Discarding(why) => why,
                _ => "the activity was ended by the peer",
            };
            self.events.push_back(Event::TransferFailed {
                apdu: out.into_apdu(),
                why,
            });
        }
    }

    pub(super) fn on_exception(&mut self, now: Instant) {
        // X.225 STA20: holding the data token, the sender can only discard, interrupt
        // or abort; the APDU is abandoned whatever the reason (ISODE sends AD with
        // reason 0).
        if self.out.is_none() {
            return self.protocol_error(now, "an exception report with no transfer of ours");
        }
        if self
            .session
            .activity_discard(Reason::NO_SPECIFIC_REASON, &[])
            .is_err()
        {
            return self.protocol_error(now, "an exception report the session cannot answer");
        }
        if let Some(out) = self.out.as_mut() {
            out.step =
                Step::Discarding("the receiver reported an exception: it cannot take the APDU");
        }
    }
}
