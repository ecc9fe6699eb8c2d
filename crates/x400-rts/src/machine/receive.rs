//! Receiving an APDU: its activity in pieces as they arrive, the checkpoints the user
//! confirms once it holds the data, the end it secures, and a resume after a recovery or an
//! interrupt (X.218 §9.3; X.215 §13.14, §13.15; ISODE's rtsap/rt2ss.c `doSSactivity`,
//! `doSSsync`, `doSSdata`).
//!
//! The machine keeps no APDU data: each DT's user data goes to the user as one
//! [`Event::TransferData`], and the next TSDU is refused until it is polled. What it keeps
//! per APDU is bounded whatever its size: the checkpoints the user has not confirmed yet (at
//! most the window) and the confirmed ones as at most [`super::MAX_CHECKPOINT_KNOTS`]
//! knots, from which a resume may name any.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use osi_sansio::Instant;

use osi_session::Reason;

use super::error::refuse;
use super::recovery::{knot_offset, push_knot};
use super::{AbortCause, Checkpoint, Event, Part, Phase, Result, Rts};
use crate::AbortReason;

/// An APDU being received.
#[derive(Debug)]
pub(super) struct Incoming {
    id: Vec<u8>,
    /// Octets of the APDU received so far: the offset of the next piece.
    received: u64,
    /// Checkpoints received and not yet confirmed, oldest first, and whether the sender
    /// asked for confirmation (indicated to the user). Never more than the window of
    /// those asked: a sender waits for confirmations beyond it.
    pending: VecDeque<(Checkpoint, bool)>,
    /// The confirmed checkpoints, as knots (see [`Part::Receiving`]).
    confirmed: Vec<Checkpoint>,
    mode: Mode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Data goes to the user.
    Receiving,
    /// A resumed activity we had delivered already: data is acknowledged, not delivered.
    Duplicate,
    /// Too long: an exception report went out, data is dropped until the discard.
    Rejected,
    /// Complete, waiting for `secured`.
    Delivered,
    /// Interrupted by the sender (AI): kept for a resume on this connection.
    Suspended,
}

impl Incoming {
    fn new(id: Vec<u8>, at: Option<Checkpoint>, confirmed: Vec<Checkpoint>) -> Self {
        Self {
            id,
            received: at.map_or(0, |c| c.offset),
            pending: VecDeque::new(),
            confirmed,
            mode: Mode::Receiving,
        }
    }

    /// Whether the user holds part of this APDU: started, not yet complete.
    pub(super) fn is_partial(&self) -> bool {
        matches!(self.mode, Mode::Receiving | Mode::Suspended)
    }

    /// The part a recovery keeps: the activity and the confirmed checkpoints, or that the
    /// APDU was delivered whole; `None` if nothing can be resumed.
    pub(super) fn into_part(self) -> Option<Part> {
        match self.mode {
            Mode::Receiving | Mode::Suspended => Some(Part::Receiving {
                activity_id: self.id,
                checkpoints: self.confirmed,
            }),
            Mode::Delivered | Mode::Duplicate => Some(Part::Received {
                activity_id: self.id,
            }),
            Mode::Rejected => None,
        }
    }
}

impl Rts {
    /// Confirms the checkpoint `serial` of the APDU being received, and every one before
    /// it, once the user holds the data up to it durably: MIA, the sender's licence to
    /// forget that data (X.410: the receiver confirms only what it has stored; ISODE
    /// confirms at once, which the sender cannot tell apart).
    ///
    /// # Errors
    ///
    /// No checkpoint `serial` is waiting for confirmation; the session machine's refusal.
    pub fn confirm_checkpoint(&mut self, serial: u64) -> Result<()> {
        const R: &str = "confirm checkpoint";
        let waiting = self.phase == Phase::Open
            && self.inc.as_ref().is_some_and(|i| {
                i.pending
                    .iter()
                    .any(|&(c, asked)| asked && c.serial == serial)
            });
        if !waiting {
            return refuse(R, "no checkpoint with this serial number is waiting");
        }
        self.session.minor_sync_response(serial, &[])?;
        if let Some(inc) = self.inc.as_mut() {
            // Those before it go with it (X.225 §7.14), and the points after it that asked
            // for no confirmation are settled already.
            while let Some((c, asked)) = inc.pending.front().copied() {
                if asked && c.serial > serial {
                    break;
                }
                inc.pending.pop_front();
                push_knot(&mut inc.confirmed, c);
            }
        }
        Ok(())
    }

    /// The APDU of the last [`Event::TransferEnd`] is secured (stored): AEA, the sender's
    /// positive confirm. It confirms every checkpoint still unconfirmed too.
    ///
    /// # Errors
    ///
    /// No APDU waiting to be secured; the session machine's refusal.
    pub fn secured(&mut self) -> Result<()> {
        const R: &str = "secured";
        match self.inc.as_ref() {
            Some(inc) if inc.mode == Mode::Delivered && self.phase == Phase::Open => {}
            _ => return refuse(R, "no received APDU is waiting to be secured"),
        }
        self.session.activity_end_response(&[])?;
        self.last_received = self.inc.take().map(|i| i.id);
        Ok(())
    }

    // ---- received ----

    /// A DT's user data: the next piece for the user.
    pub(super) fn on_data(&mut self, now: Instant, piece: Vec<u8>) {
        let max = u64::try_from(self.config.max_apdu_len).unwrap_or(u64::MAX);
        let Some(inc) = self.inc.as_mut() else {
            return self.protocol_error(now, "data outside an activity");
        };
        match inc.mode {
            Mode::Receiving => {
                let len = u64::try_from(piece.len()).unwrap_or(u64::MAX);
                if inc.received.saturating_add(len) > max {
                    inc.mode = Mode::Rejected;
                    self.events.push_back(Event::TransferDiscarded);
                    return self.reject(now);
                }
                inc.received += len;
                if !piece.is_empty() {
                    self.piece_octets += piece.len();
                    self.events.push_back(Event::TransferData(piece));
                }
            }
            Mode::Duplicate | Mode::Rejected => {}
            Mode::Delivered | Mode::Suspended => {
                self.protocol_error(now, "data outside an activity");
            }
        }
    }

    /// X.410: the receiver that cannot take the APDU reports an exception and the sender
    /// discards it (ISODE sends reason 5, local SS-user error).
    fn reject(&mut self, now: Instant) {
        if self
            .session
            .exception_report(Reason::LOCAL_USER_ERROR, &[])
            .is_err()
        {
            self.abort_with(
                now,
                AbortReason::LOCAL_SYSTEM_PROBLEM,
                AbortCause::Protocol("an APDU longer than this side accepts"),
            );
        }
    }

    pub(super) fn on_activity_start(&mut self, now: Instant, id: Vec<u8>) {
        if self.out.is_some() || self.inc.as_ref().is_some_and(|i| i.mode != Mode::Suspended) {
            return self.protocol_error(now, "an activity start during a transfer");
        }
        // A new activity: the sender did not resume, so what was kept for it is void,
        // and the previous APDU's confirmation evidently arrived.
        self.recovery = None;
        self.last_received = None;
        self.inc = Some(Incoming::new(id, None, Vec::new()));
        self.events.push_back(Event::TransferStart { offset: 0 });
    }

    pub(super) fn on_activity_resume(
        &mut self,
        now: Instant,
        id: Vec<u8>,
        old_id: &[u8],
        serial: u64,
    ) {
        let kept = match self.recovery.take() {
            Some(r) => Some(r.part),
            None => self
                .inc
                .take()
                .filter(|i| i.mode == Mode::Suspended)
                .and_then(Incoming::into_part),
        };
        match kept {
            Some(Part::Receiving {
                activity_id,
                checkpoints,
            }) if activity_id == old_id => {
                // X.225 §7.30: the AR names the last point the data continues after;
                // serial 0 is the activity's start.
                let at =
                    knot_offset(&checkpoints, serial).map(|offset| Checkpoint { serial, offset });
                let Some(at) = at else {
                    return self.abort_with(
                        now,
                        AbortReason::UNRECOGNIZED_ACTIVITY,
                        AbortCause::Protocol(
                            "the peer resumed after a checkpoint this side never confirmed",
                        ),
                    );
                };
                // Everything after the checkpoint named is sent again; it is a knot now,
                // as the points after it may be spaced otherwise.
                let mut confirmed: Vec<Checkpoint> = checkpoints
                    .into_iter()
                    .filter(|c| c.serial <= serial)
                    .collect();
                if serial > 0 && confirmed.last() != Some(&at) {
                    confirmed.push(at);
                }
                self.inc = Some(Incoming::new(id, Some(at), confirmed));
                self.events
                    .push_back(Event::TransferStart { offset: at.offset });
            }
            Some(Part::Received { activity_id }) if activity_id == old_id => {
                let mut inc = Incoming::new(id, None, Vec::new());
                inc.mode = Mode::Duplicate;
                self.inc = Some(inc);
            }
            _ => self.abort_with(
                now,
                AbortReason::UNRECOGNIZED_ACTIVITY,
                AbortCause::Protocol("the peer resumed an activity this side does not hold"),
            ),
        }
    }

    pub(super) fn on_minor_sync(&mut self, now: Instant, serial: u64, confirm: bool) {
        let window = usize::try_from(self.agreed.window_size).unwrap_or(usize::MAX);
        let Some(inc) = self.inc.as_mut() else {
            return self.protocol_error(now, "a checkpoint outside an activity");
        };
        if inc.mode == Mode::Receiving {
            let c = Checkpoint {
                serial,
                offset: inc.received,
            };
            // A point without confirmation asked (not what X.410 sends) needs none: it is
            // settled once those before it are, and keeps the serial numbers a resume
            // names without a gap.
            if !confirm {
                if inc.pending.is_empty() {
                    push_knot(&mut inc.confirmed, c);
                } else {
                    inc.pending.push_back((c, false));
                }
                return;
            }
            // X.410 (ISODE rt2ss.c): the sender waits once `windowSize` points are
            // unconfirmed; one more means it ignores the window, and holding its points
            // would grow without bound.
            if inc.pending.iter().filter(|&&(_, asked)| asked).count() >= window {
                return self.protocol_error(now, "more unconfirmed checkpoints than the window");
            }
            inc.pending.push_back((c, true));
            self.events.push_back(Event::TransferCheckpoint {
                serial,
                offset: c.offset,
            });
            return;
        }
        // A duplicate's data is not the user's to store: confirm it at once.
        if confirm && self.session.minor_sync_response(serial, &[]).is_err() {
            self.protocol_error(now, "a checkpoint the session cannot confirm");
        }
    }

    pub(super) fn on_activity_end(&mut self, now: Instant) {
        let Some(inc) = self.inc.as_mut() else {
            return self.protocol_error(now, "an activity end outside an activity");
        };
        match inc.mode {
            Mode::Receiving => {
                inc.mode = Mode::Delivered;
                self.events
                    .push_back(Event::TransferEnd { len: inc.received });
            }
            Mode::Duplicate => {
                // Delivered before the connection was lost: confirm, do not deliver twice.
                if self.session.activity_end_response(&[]).is_err() {
                    return self.protocol_error(now, "an activity end the session cannot confirm");
                }
                self.last_received = self.inc.take().map(|i| i.id);
            }
            Mode::Rejected | Mode::Delivered | Mode::Suspended => {
                self.protocol_error(now, "an activity end for an APDU already refused");
            }
        }
    }

    pub(super) fn on_activity_interrupt(&mut self, now: Instant) {
        if let Some(inc) = self.inc.as_mut() {
            // The work up to the confirmed points is kept (X.215 §13.15.1); points not
            // confirmed yet are void, their data comes again after the resume.
            inc.mode = Mode::Suspended;
            inc.pending.clear();
        }
        if self.session.activity_interrupt_response(&[]).is_err() {
            self.protocol_error(now, "an interrupt the session cannot acknowledge");
        }
    }

    pub(super) fn on_activity_discard(&mut self, now: Instant) {
        if let Some(inc) = self.inc.take()
            && matches!(inc.mode, Mode::Receiving | Mode::Suspended)
        {
            self.events.push_back(Event::TransferDiscarded);
        }
        if self.session.activity_discard_response(&[]).is_err() {
            self.protocol_error(now, "a discard the session cannot acknowledge");
        }
    }
}
