//! Sending an APDU: TRANSFER.request as a stream its user writes into, bounded by the
//! window; the receiver's checkpoint confirmations, which release the data before them; its
//! secured confirmation; discard, interrupt, and resumption after a recovery (X.218 §9.3;
//! X.215 §13.14, §13.15; ISODE's rtsap/rt2ss.c).

use alloc::vec::Vec;
use osi_sansio::Instant;

use osi_session::Reason;

use super::error::refuse;
use super::outgoing::{Outgoing, Step};
use super::{AbortCause, Event, Phase, Recovery, Result, Rts};
use crate::AbortReason;

/// The largest activity identifier counter whose BER INTEGER fits the 6 octets X.225
/// allows (`02 04 7F FF FF FF`).
const MAX_ACTIVITY: u32 = 0x7FFF_FFFF;

impl Rts {
    /// TRANSFER.request begins: an APDU as one activity (AS), whose octets the user then
    /// gives with [`Rts::write`] and ends with [`Rts::finish_transfer`]. The confirm is
    /// [`Event::Transferred`] or [`Event::TransferFailed`].
    ///
    /// # Errors
    ///
    /// Not open, no turn, or a transfer (ours or the peer's, or one to be resumed) is
    /// outstanding.
    pub fn start_transfer(&mut self) -> Result<()> {
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
            id,
            self.agreed.checkpoint_size,
            self.agreed.window_size,
            self.config.send_buffer,
            self.config.max_dt_len.max(1),
        ));
        self.pump();
        Ok(())
    }

    /// Gives the next octets of the APDU being sent; returns how many the machine took.
    /// It takes them while what it holds unconfirmed stays within the window plus one
    /// checkpoint (`(windowSize + 1) × checkpointSize × 1024` octets), or
    /// [`super::Config::send_buffer`] without checkpointing; data before the last
    /// confirmed checkpoint is released. When it took less than given (or all the room
    /// there was), [`Event::CheckpointConfirmed`] (with checkpointing) or
    /// [`Event::TransferWritable`] (without) says when to write again.
    ///
    /// # Errors
    ///
    /// No APDU of ours is being written (none started, finished, or discarded).
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        let Some(out) = self.out.as_mut().filter(|o| o.accepts_data()) else {
            return refuse("write", "no APDU of ours is being written");
        };
        let n = out.write(data);
        self.pump();
        Ok(n)
    }

    /// The whole APDU is written: AE follows the last data.
    ///
    /// # Errors
    ///
    /// No APDU of ours is being written.
    pub fn finish_transfer(&mut self) -> Result<()> {
        let Some(out) = self.out.as_mut().filter(|o| o.accepts_data()) else {
            return refuse("finish", "no APDU of ours is being written");
        };
        out.finished = true;
        out.blocked = false;
        self.pump();
        Ok(())
    }

    /// Octets [`Rts::write`] would take now.
    #[must_use]
    pub fn send_room(&self) -> usize {
        self.out.as_ref().map_or(0, Outgoing::room)
    }

    /// The APDU offset the next [`Rts::write`] continues at: the octets written so far,
    /// or after a recovery the last confirmed checkpoint's offset plus the octets the
    /// state held. `None` without an APDU being written.
    #[must_use]
    pub fn write_offset(&self) -> Option<u64> {
        self.out
            .as_ref()
            .filter(|o| o.accepts_data())
            .map(Outgoing::written)
    }

    /// Abandons the APDU being sent (a local problem): AD; [`Event::TransferFailed`]
    /// follows the receiver's acknowledgement.
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
    /// No transfer of ours in progress, or no checkpointing (the data already sent is
    /// gone, so nothing could be resumed: discard it instead).
    pub fn interrupt_transfer(&mut self) -> Result<()> {
        if self.out.as_ref().is_some_and(|o| !o.can_resume()) {
            return refuse("interrupt", "without checkpoints nothing can be resumed");
        }
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
    /// [`super::Part::Sending`] later, with an empty tail: it then writes again from the
    /// checkpoint's offset.
    #[must_use]
    pub fn transfer_progress(&self) -> Option<(&[u8], u64)> {
        let out = self.out.as_ref()?;
        match &out.step {
            Step::Start | Step::Discarding(_) => None,
            _ => Some((&out.id, out.confirmed)),
        }
    }

    /// Takes up the sending part of a recovered transfer: the activity resumes after its
    /// last confirmed checkpoint. A state that cannot be resumed fails the transfer.
    pub(super) fn resume_sending(&mut self, state: Recovery) {
        self.skip_activity_id(state.part.activity_id());
        self.out = Outgoing::resume(
            state,
            self.config.send_buffer,
            self.config.max_dt_len.max(1),
        );
        if self.out.is_none() {
            self.events.push_back(Event::TransferFailed {
                why: "the state kept for the transfer does not say where to resume",
            });
        }
        self.pump();
    }

    /// Continues the activity counter past `id` (one of ours being resumed), so that no
    /// later activity of this association reuses it.
    fn skip_activity_id(&mut self, id: &[u8]) {
        if let Ok(n) = rasn::ber::decode::<u32>(id)
            && n >= self.next_activity
            && n < MAX_ACTIVITY
        {
            self.next_activity = n + 1;
        }
    }

    /// The activity identifier for our next activity: a BER INTEGER of a counter, as
    /// ISODE sends it.
    fn take_activity_id(&mut self) -> Vec<u8> {
        let n = self.next_activity;
        self.next_activity = if n >= MAX_ACTIVITY { 1 } else { n + 1 };
        rasn::ber::encode(&n).unwrap_or_default()
    }

    /// Queues what the window, the data written and the transmit room allow of our APDU,
    /// and tells a user waiting to write that it can.
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
            return self.abort_with(
                now,
                AbortReason::LOCAL_SYSTEM_PROBLEM,
                AbortCause::Protocol("the session refused the next step of a transfer"),
            );
        }
        if out.blocked && out.room() > 0 {
            out.blocked = false;
            self.events.push_back(Event::TransferWritable);
        }
    }

    // ---- received ----

    pub(super) fn on_minor_sync_confirm(&mut self, serial: u64) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        if serial > out.confirmed {
            self.checkpoints_confirmed += serial - out.confirmed;
            let offset = out.confirm(serial);
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
            self.events.push_back(Event::TransferFailed { why });
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
