//! The association's engine: the RTS machine's events, the turn, the queue of APDUs, and
//! the end.

use x400_rts::DialogueMode;
use x400_rts::machine::{Event as RtsEvent, Instant};

use super::{Apdu, Association, Ended, Event, Phase, Reading};
use crate::accounting::{Direction, Refusal};

impl Association {
    /// Acts on every event of the RTS machine, then moves the queue along.
    pub(super) fn drive(&mut self, now: Instant) {
        while let Some(ev) = self.rts.poll_event() {
            // Once ended, nothing more happens: `end` gave back what was queued, and the
            // transport is closing.
            if self.phase == Phase::Ended {
                continue;
            }
            match ev {
                RtsEvent::OpenIndication(pc) => self.on_open(now, &pc),
                RtsEvent::RecoverIndication { lost, .. } => self.refuse_recover(now, &lost),
                RtsEvent::Opened(pa) => self.on_opened(now, &pa),
                RtsEvent::Refused(r) => self.on_refused(now, r),
                RtsEvent::TurnPlease { .. } => self.peer_wants_turn = true,
                RtsEvent::TurnGiven => self.turn_asked = false,
                RtsEvent::TransferStart { offset } => {
                    self.events.push_back(Event::ApduStart { offset });
                }
                RtsEvent::TransferData(piece) => self.events.push_back(Event::ApduData(piece)),
                RtsEvent::TransferCheckpoint { serial, offset } => {
                    self.events
                        .push_back(Event::ApduCheckpoint { serial, offset });
                }
                RtsEvent::TransferEnd { len } => self.events.push_back(Event::ApduEnd { len }),
                RtsEvent::TransferDiscarded => self.events.push_back(Event::ApduDiscarded),
                RtsEvent::Transferred => {
                    self.sending = false;
                    self.reading = Reading::default();
                    self.queue.pop_front();
                    self.events.push_back(Event::Transferred);
                }
                // Our copy is the one given back; after the end, `end` gave it back.
                RtsEvent::TransferFailed { why, .. } if self.sending => {
                    self.sending = false;
                    self.reading = Reading::default();
                    if let Some(apdu) = self.queue.pop_front() {
                        self.events.push_back(Event::TransferFailed {
                            apdu,
                            why: why.into(),
                        });
                    }
                }
                RtsEvent::Closed => self.end(now, Ended::Released),
                RtsEvent::Aborted(cause) => self.on_aborted(now, cause),
                RtsEvent::ConnectionLost(_) => self.end(
                    now,
                    Ended::TransportClosed("the connection was lost".into()),
                ),
                RtsEvent::DisconnectTransport => {
                    self.drain_rts(now);
                    self.tp.disconnect();
                    if self.phase != Phase::Ended {
                        self.end(now, Ended::Released);
                    }
                }
                _ => {}
            }
        }
        self.schedule();
        if let Some(why) = self.source_failed.take() {
            self.abort(now, &why);
        }
    }

    /// Starts the next transfer, asks for or gives the turn, or releases, as the state
    /// allows.
    pub(super) fn schedule(&mut self) {
        if self.phase != Phase::Bound {
            return;
        }
        if self.sending {
            self.write_apdu();
            return;
        }
        let monologue = self.mode == DialogueMode::MONOLOGUE;
        if monologue && self.direction == Direction::Inbound && !self.queue.is_empty() {
            for apdu in self.queue.drain(..) {
                self.events.push_back(Event::TransferFailed {
                    apdu,
                    why: "a monologue association carries APDUs only from its initiator".into(),
                });
            }
        }
        let has_turn = self.rts.has_turn();
        // The peer asked for the turn: give it between APDUs, so neither side starves.
        if has_turn && self.peer_wants_turn && !monologue {
            if self.rts.turn_give().is_ok() {
                self.peer_wants_turn = false;
            }
            return;
        }
        let wants_turn = !self.queue.is_empty()
            || (self.close_requested && self.direction == Direction::Outbound);
        if !has_turn {
            if wants_turn && !self.turn_asked && !monologue && self.rts.turn_please(0).is_ok() {
                self.turn_asked = true;
            }
            return;
        }
        if !self.queue.is_empty() {
            match self.rts.start_transfer() {
                Ok(()) => {
                    self.sending = true;
                    self.written = 0;
                    self.finished_writing = false;
                    self.reading = Reading::default();
                    self.write_apdu();
                }
                Err(e) => tracing::debug!(
                    "mta: {} association with {}: transfer waits: {e}",
                    self.direction,
                    self.who()
                ),
            }
        } else if self.close_requested
            && self.direction == Direction::Outbound
            && let Err(e) = self.rts.close()
        {
            tracing::debug!("mta: release of {} waits: {e}", self.who());
        }
    }

    /// Gives the RTS machine as much of the APDU being sent as its window takes, and ends
    /// it once all is written. The APDU stays in the queue until the peer secures it: a
    /// failure must not lose the message.
    pub(super) fn write_apdu(&mut self) {
        if !self.sending {
            return;
        }
        let Some(apdu) = self.queue.front() else {
            return;
        };
        let len = apdu.len();
        while self.written < len {
            let piece = match apdu {
                Apdu::Whole(v) => {
                    let from = usize::try_from(self.written).unwrap_or(usize::MAX);
                    v.get(from..).unwrap_or_default()
                }
                Apdu::Streamed { open, .. } => match self.reading.next(len, open.as_ref()) {
                    Ok(p) => p,
                    Err(why) => {
                        tracing::warn!(
                            "mta: {} association with {}: {why}",
                            self.direction,
                            self.who()
                        );
                        self.source_failed = Some(why);
                        return;
                    }
                },
            };
            match self.rts.write(piece) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    self.written += n as u64;
                    if matches!(apdu, Apdu::Streamed { .. }) {
                        self.reading.pos += n;
                    }
                }
            }
        }
        if self.written == len && !self.finished_writing {
            self.finished_writing = self.rts.finish_transfer().is_ok();
        }
    }

    /// The association is over: give back the permit at once, return queued APDUs, send
    /// what is left and close the transport.
    pub(super) fn end(&mut self, now: Instant, why: Ended) {
        if self.phase == Phase::Ended {
            return;
        }
        let was_bound = self.phase == Phase::Bound;
        // A refusal was counted where it was decided; any other end before the bind (a
        // close, a reset, a timeout, an abort) is a failed handshake, counted here so that
        // a storm of half-open connections shows in the counters.
        if self.phase == Phase::Handshake
            && !matches!(why, Ended::WeRefused(_) | Ended::PeerRefused(_))
            && let Some(p) = self.permit.as_ref()
        {
            p.accounting().record(Refusal::HandshakeFailed);
        }
        self.phase = Phase::Ended;
        self.permit = None;
        // Every APDU not confirmed comes back, the one being sent too: the queue holds
        // the copy, whatever the RTS machine does with its own.
        self.sending = false;
        self.reading = Reading::default();
        let failed: Vec<Apdu> = self.queue.drain(..).collect();
        for apdu in failed {
            self.events.push_back(Event::TransferFailed {
                apdu,
                why: format!("the association ended ({why})"),
            });
        }
        if !matches!(why, Ended::WeRefused(_) | Ended::PeerRefused(_)) {
            if was_bound || self.direction == Direction::Outbound {
                tracing::info!(
                    "mta: {} association with {} ended: {why}",
                    self.direction,
                    self.who()
                );
            } else {
                tracing::debug!(
                    "mta: {} connection from {} ended before the bind: {why}",
                    self.direction,
                    self.remote
                );
            }
        }
        self.drain_rts(now);
        self.tp.disconnect();
        self.events.push_back(Event::Ended(why));
    }
}
