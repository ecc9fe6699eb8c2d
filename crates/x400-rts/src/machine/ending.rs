//! How an association ends, and what becomes of the transfer in progress: a lost
//! connection keeps what a recovery needs (X.218 §8.1, §9.6), anything else fails the
//! APDU being sent and voids the one being received; RTS aborts (AB with
//! AbortInformation, X.410 as ISODE's rtsap/rt2sslose.c sends it).

use osi_sansio::Instant;

use osi_session::machine::AbortCause as SessionAbort;

use super::outgoing::Outgoing;
use super::{AbortCause, Event, Part, Phase, Recovery, Rts};

impl Rts {
    pub(super) fn on_provider_abort(&mut self, cause: SessionAbort) {
        match cause {
            SessionAbort::TransportLost => self.lost(),
            SessionAbort::ProtocolError(rule) => self.end(AbortCause::Session(rule)),
            _ => self.end(AbortCause::Provider),
        }
    }

    /// The connection is gone without a release or an abort: keep what can be recovered.
    ///
    /// Once the association is open the state is keyed by this connection, with the
    /// connection it recovered (if any) as `previous`: a peer that lost this connection
    /// before it learnt that the recovery succeeded names the older one.
    fn lost(&mut self) {
        let open = matches!(self.phase, Phase::Open | Phase::Closing);
        self.phase = Phase::Ended;
        let kept = self.recovery.take();
        let state = if open {
            let part = match kept {
                Some(r) => Some(r.part),
                None => self.recoverable_part(),
            };
            match (part, self.connection.clone()) {
                (Some(part), Some(connection)) if self.agreed.checkpoint_size > 0 => {
                    Some(Recovery {
                        connection,
                        previous: self.recovered_from.clone(),
                        checkpoint_size: self.agreed.checkpoint_size,
                        window_size: self.agreed.window_size,
                        part,
                    })
                }
                (part, _) => {
                    self.give_back(part, "the connection was lost and cannot be recovered");
                    None
                }
            }
        } else {
            // A recover that was never answered can be tried again as it was.
            kept
        };
        self.fail_transfer("the connection was lost and cannot be recovered");
        self.drop_incoming();
        self.events.push_back(Event::ConnectionLost(state));
    }

    /// The part of an interrupted transfer worth keeping for a recovery, taken out of the
    /// machine; `None` leaves an APDU of ours in place to be given back.
    fn recoverable_part(&mut self) -> Option<Part> {
        if self.out.is_some() {
            return self
                .out
                .take_if(|out| out.is_resumable())
                .map(Outgoing::into_part);
        }
        match self.inc.take() {
            Some(inc) => inc.into_part(),
            None => self
                .last_received
                .take()
                .map(|activity_id| Part::Received { activity_id }),
        }
    }

    /// Forgets the APDU being received; its user is told to drop what it stored.
    fn drop_incoming(&mut self) {
        if self.inc.take().is_some_and(|i| i.is_partial()) {
            self.events.push_back(Event::TransferDiscarded);
        }
    }

    /// Ends the association with `cause`, giving back an APDU in transfer.
    pub(super) fn end(&mut self, cause: AbortCause) {
        if self.phase == Phase::Ended {
            return;
        }
        self.phase = Phase::Ended;
        self.fail_transfer("the association was aborted");
        let kept = self.recovery.take().map(|r| r.part);
        self.give_back(
            kept,
            "the association was aborted before the transfer could resume",
        );
        self.drop_incoming();
        self.events.push_back(Event::Aborted(cause));
    }

    /// A part that will not be resumed: the sender's APDU failed
    /// ([`Event::TransferFailed`]), the receiver's partial one is void
    /// ([`Event::TransferDiscarded`]).
    pub(super) fn give_back(&mut self, part: Option<Part>, why: &'static str) {
        match part {
            Some(Part::Sending { .. }) => self.events.push_back(Event::TransferFailed { why }),
            Some(Part::Receiving { .. }) => self.events.push_back(Event::TransferDiscarded),
            Some(Part::Received { .. }) | None => {}
        }
    }

    /// The APDU being sent fails: nothing of it will be resumed.
    fn fail_transfer(&mut self, why: &'static str) {
        if self.out.take().is_some() {
            self.events.push_back(Event::TransferFailed { why });
        }
    }

    /// The peer broke the RTS protocol: AB with AbortInformation protocolError.
    pub(super) fn protocol_error(&mut self, now: Instant, why: &'static str) {
        self.abort_with(
            now,
            crate::AbortReason::PROTOCOL_ERROR,
            AbortCause::Protocol(why),
        );
    }

    pub(super) fn abort_with(
        &mut self,
        now: Instant,
        reason: crate::AbortReason,
        cause: AbortCause,
    ) {
        if self.phase == Phase::Ended {
            return;
        }
        let info = crate::AbortInformation::new(reason)
            .encode()
            .unwrap_or_default();
        // A session already past the connection (STA16) refuses: the end is the same.
        let _ = self.session.abort(now, &info);
        self.end(cause);
    }
}
