//! The connection's deadlines: retransmission (T1), inactivity, window keep-alive,
//! acknowledgement delay, the frozen reference and the sequence-number reuse wait
//! (X.224 12.2.1.1, 12.2.3.8, 12.2.4).

use osi_sansio::Instant;

use super::Connection;
use crate::DisconnectReason;
use crate::tp4::event::{DisconnectCause, State};

impl Connection {
    /// The earliest deadline at which [`Connection::handle_timeout`] must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.t1,
            self.inactivity_at,
            self.window_at,
            self.ack_at,
            self.freeze_until,
            self.seq_wait,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Handles the expiry of whatever deadline is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due = |t: Option<Instant>| t.is_some_and(|t| t <= now);
        if due(self.freeze_until) {
            self.freeze_until = None;
            self.state = State::Closed;
        }
        if due(self.seq_wait) {
            // Nothing to do but let poll_transmit try again.
            self.seq_wait = None;
        }
        if due(self.ack_at) {
            self.ack_at = None;
            self.send_ak = true;
        }
        if due(self.window_at) {
            // Keep-alive: re-send the latest window information (12.2.3.8.1).
            self.window_at = None;
            self.send_ak = true;
        }
        if due(self.inactivity_at) {
            self.inactivity_at = None;
            if matches!(self.state, State::Open | State::AckWait) {
                self.fail(DisconnectCause::Inactivity, DisconnectReason::NOT_SPECIFIED);
            }
        }
        if due(self.t1) {
            self.t1 = None;
            self.on_t1(now);
        }
    }
}
