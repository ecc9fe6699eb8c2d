//! The APDU being sent, as the machine holds it: the octets its user wrote that the
//! receiver has not confirmed yet, and where the activity is (X.410 as ISODE's
//! rtsap/rt2ss.c sends it: AS, DTs, a MIP after every checkpoint but the last, at most the
//! window of them unconfirmed, AE).
//!
//! What goes on the wire does not depend on how the user cuts its writes: a DT goes out
//! only once it is as long as it would be were the whole APDU at hand (a full
//! [`super::Config::max_dt_len`], the rest of a checkpoint, or the rest of the APDU), and a
//! MIP only once data follows it. A checkpoint's data waits until the user has written past
//! its end (or finished the APDU), so that its DTs and its MIP leave in one transport
//! write, as they did when the whole APDU was at hand.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use osi_sansio::GrowBuf;
use osi_session::ConnectionId;
use osi_session::machine::{Error as SessionError, ResumeRequest, Session, TX_RESERVE};

use super::{Part, Recovery};
use crate::SessionConnectionIdentifier;

/// Transmit room an AS, MIP, AE or AD needs with the GT in front of it.
const SMALL_SPDU: usize = 64;
/// Transmit room an AR needs: its Linking Information carries four references.
const RESUME_SPDU: usize = 320;
/// Octets a DT adds to its user data in a TSDU: GT, SI, a 3-octet LI, the queue's length.
const DT_OVERHEAD: usize = 16;

/// Our APDU being transferred.
#[derive(Debug)]
pub(super) struct Outgoing {
    pub(super) id: Vec<u8>,
    /// Octets per checkpoint; 0 = no checkpoints.
    chunk: u64,
    window: u64,
    /// The most octets `tail` takes from the user: `window + 1` checkpoints, or the
    /// configured send buffer without checkpoints.
    bound: usize,
    /// APDU offset of the first octet of `tail`: the last confirmed checkpoint's with
    /// checkpoints (what a resume starts from), the first octet not yet queued without.
    base: u64,
    /// The octets written from `base` on.
    tail: VecDeque<u8>,
    /// APDU octets queued to the session so far.
    sent: u64,
    /// The user wrote the whole APDU.
    pub(super) finished: bool,
    /// Serial number of the last minor synchronization point sent.
    points: u64,
    /// Serial number of the last one confirmed.
    pub(super) confirmed: u64,
    pub(super) step: Step,
    /// A write left no room: the user is told when there is some again.
    pub(super) blocked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
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
    /// Interrupted (AIA received): the checkpoints are kept for a resume.
    Interrupted,
}

/// Octets per checkpoint.
pub(super) fn chunk(checkpoint_size: u32) -> u64 {
    u64::from(checkpoint_size).saturating_mul(1024)
}

impl Outgoing {
    /// A new activity `id` with the agreed checkpoint size and window; without
    /// checkpoints it holds at most `send_buffer` octets, and at least one DT.
    pub(super) fn new(
        id: Vec<u8>,
        checkpoint_size: u32,
        window: u32,
        send_buffer: usize,
        max_dt: usize,
    ) -> Self {
        let chunk = chunk(checkpoint_size);
        let window = u64::from(window.max(1));
        // X.410 (ISODE rt2ss.c): the sender holds what is not confirmed, at most the
        // window of checkpoints, and one more being written while it waits.
        let bound = if chunk == 0 {
            send_buffer.max(max_dt)
        } else {
            usize::try_from(chunk.saturating_mul(window + 1)).unwrap_or(usize::MAX)
        };
        Self {
            id,
            chunk,
            window,
            bound,
            base: 0,
            tail: VecDeque::new(),
            sent: 0,
            finished: false,
            points: 0,
            confirmed: 0,
            step: Step::Start,
            blocked: false,
        }
    }

    /// The sender's side of a recovered transfer, or `None` if the state cannot be
    /// resumed (its offset is not that of its checkpoint, or a finished APDU would have
    /// a checkpoint after its last octet: no MIP follows the last data). The resumed
    /// activity keeps its identifier: the receiver matches the AR's old identifier against
    /// what it kept, and an identifier that changed with an AR the receiver never saw
    /// could name another APDU it completed (found by the `rts_machine` fuzz target).
    pub(super) fn resume(state: Recovery, send_buffer: usize, max_dt: usize) -> Option<Self> {
        let Part::Sending {
            activity_id,
            confirmed,
            offset,
            tail,
            finished,
        } = state.part
        else {
            return None;
        };
        let mut out = Self::new(
            activity_id,
            state.checkpoint_size,
            state.window_size,
            send_buffer,
            max_dt,
        );
        let past_end = finished && confirmed > 0 && tail.is_empty();
        if out.chunk.checked_mul(confirmed) != Some(offset) || past_end {
            return None;
        }
        out.base = offset;
        out.tail = tail.into();
        out.finished = finished;
        out.confirmed = confirmed;
        out.rewind(Some(state.connection));
        Some(out)
    }

    /// Goes back to the last confirmed checkpoint, for an AR to resume from there.
    pub(super) fn rewind(&mut self, old_connection: Option<SessionConnectionIdentifier>) {
        self.sent = self.base;
        self.points = self.confirmed;
        self.step = Step::Resume { old_connection };
    }

    /// Whether the data since the last confirmed checkpoint is all here, so that a resume
    /// can send it again: not without checkpoints, where it goes once queued.
    pub(super) fn can_resume(&self) -> bool {
        self.chunk > 0
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
            confirmed: self.confirmed,
            offset: self.base,
            tail: self.tail.into(),
            finished: self.finished,
        }
    }

    /// APDU octets held.
    pub(super) fn held(&self) -> usize {
        self.tail.len()
    }

    /// The APDU offset the user's next write continues at.
    pub(super) fn written(&self) -> u64 {
        self.base
            .saturating_add(u64::try_from(self.tail.len()).unwrap_or(u64::MAX))
    }

    /// The most APDU octets this transfer holds at a time.
    pub(super) fn bound(&self) -> usize {
        self.bound
    }

    /// Whether the user may write now: before the end, and not while it is discarded.
    pub(super) fn accepts_data(&self) -> bool {
        !self.finished && !matches!(self.step, Step::End | Step::Discarding(_))
    }

    /// Octets a write takes now.
    pub(super) fn room(&self) -> usize {
        if self.accepts_data() {
            self.bound.saturating_sub(self.tail.len())
        } else {
            0
        }
    }

    /// Takes what fits of `data`; returns how many octets.
    pub(super) fn write(&mut self, data: &[u8]) -> usize {
        let n = self.room().min(data.len());
        self.tail.extend(data.get(..n).unwrap_or_default());
        if self.room() == 0 {
            self.blocked = true;
        }
        n
    }

    /// The receiver confirmed checkpoint `serial`: the data before it is released (the
    /// confirmation tells a user waiting to write that it can). Returns its offset.
    pub(super) fn confirm(&mut self, serial: u64) -> u64 {
        self.confirmed = serial;
        let offset = self.chunk.saturating_mul(serial).min(self.sent);
        self.release(offset);
        self.blocked = false;
        offset
    }

    /// Forgets the data before `offset`.
    fn release(&mut self, offset: u64) {
        let n = usize::try_from(offset.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let n = n.min(self.tail.len());
        self.tail.drain(..n);
        self.base = offset.max(self.base);
    }

    /// The octets `at..at + n` of the APDU, which the tail holds.
    fn slice(&self, at: u64, n: usize) -> Option<alloc::borrow::Cow<'_, [u8]>> {
        let start = usize::try_from(at.checked_sub(self.base)?).ok()?;
        let end = start.checked_add(n)?;
        let (a, b) = self.tail.as_slices();
        if let Some(s) = a.get(start..end) {
            return Some(s.into());
        }
        if let Some(s) = start
            .checked_sub(a.len())
            .and_then(|from| b.get(from..from + n))
        {
            return Some(s.into());
        }
        // Across the ring's wrap: copied once, a DT at most.
        let range = self.tail.range(start..end);
        (range.len() == n).then(|| range.copied().collect())
    }

    /// Queues as much of the activity as the window, the data written and the session's
    /// transmit room allow.
    pub(super) fn pump(
        &mut self,
        s: &mut Session<GrowBuf>,
        max_dt: usize,
    ) -> Result<(), SessionError> {
        let room = |s: &Session<GrowBuf>, n: usize| s.transmit_free() >= n + TX_RESERVE;
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
                    if !self.pump_data(s, max_dt)? {
                        return Ok(());
                    }
                }
                Step::End | Step::Discarding(_) | Step::Interrupting | Step::Interrupted => {
                    return Ok(());
                }
            }
        }
    }

    /// One step of the data phase: AE, a MIP or a DT; `false` when nothing can go now.
    fn pump_data(&mut self, s: &mut Session<GrowBuf>, max_dt: usize) -> Result<bool, SessionError> {
        let room = |s: &Session<GrowBuf>, n: usize| s.transmit_free() >= n + TX_RESERVE;
        let written = self.written();
        if self.sent >= written {
            // Everything written is out: the end, or wait for more.
            if !self.finished || !room(s, SMALL_SPDU) {
                return Ok(false);
            }
            s.activity_end(&[])?;
            self.step = Step::End;
            return Ok(false);
        }
        let next_point = self.chunk.checked_mul(self.points.saturating_add(1));
        if self.chunk > 0 && next_point == Some(self.sent) {
            if !room(s, SMALL_SPDU) {
                return Ok(false);
            }
            // Data follows: a checkpoint, explicit confirmation asked, as the MIA is the
            // sender's licence to forget.
            self.points = s.minor_sync(true, &[])?;
            return Ok(true);
        }
        if self.chunk > 0 && self.points - self.confirmed >= self.window {
            return Ok(false);
        }
        let end = match next_point {
            Some(p) if self.chunk > 0 => p.min(written),
            _ => written,
        };
        let n = usize::try_from(end - self.sent)
            .unwrap_or(usize::MAX)
            .min(max_dt);
        // The DTs the whole APDU would give, and no sooner than they would leave with
        // what follows them: a checkpoint's data once the user wrote past its end (its
        // DTs and MIP then go in one transport write), otherwise a full DT; anything
        // goes once the APDU is finished, or once the user can write no more (a state
        // handed to `recover` that holds more than the window: never wait for nothing).
        let ready = match next_point {
            _ if self.finished || self.room() == 0 => true,
            Some(p) if self.chunk > 0 => written > p,
            _ => n == max_dt,
        };
        if !ready {
            return Ok(false);
        }
        if !room(s, n + DT_OVERHEAD) {
            return Ok(false);
        }
        let Some(part) = self.slice(self.sent, n) else {
            return Ok(false);
        };
        s.send_data(&part)?;
        self.sent += n as u64;
        if self.chunk == 0 {
            // Nothing can resume without checkpoints: what is queued is forgotten.
            self.release(self.sent);
        }
        Ok(true)
    }
}
