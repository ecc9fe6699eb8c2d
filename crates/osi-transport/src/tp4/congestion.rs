//! A congestion window under the peer's credit: a local choice X.224 leaves open.
//!
//! Credit says what the peer can buffer, not what the network between can carry. Sending
//! a whole large window at once overflows router or socket queues (a loopback UDP socket
//! buffer holds about 200 KiB), and every retransmission on T1 would repeat the overflow.
//! So, as TCP does (RFC 5681), the sender also keeps a congestion window in DTs: it grows
//! by one DT per DT acknowledged until a loss (slow start), then by one DT per window
//! (congestion avoidance); a loss seen through duplicate AKs halves it, a T1 expiry cuts it
//! to one DT. X.224 only requires that no DT goes outside the credit window, which still
//! holds: the effective window is the smaller of the two.

/// Congestion state of one sending direction, counted in DTs.
#[derive(Debug, Clone)]
pub(crate) struct Congestion {
    enabled: bool,
    cwnd: u64,
    ssthresh: u64,
    /// DTs acknowledged since the last congestion-avoidance increase.
    acked: u64,
    /// While the lowest unacknowledged DT is below this, a loss is being repaired.
    recover: Option<u64>,
}

/// Smallest window after a loss that was repaired by duplicate AKs.
const MIN_WINDOW: u64 = 2;

impl Congestion {
    pub(crate) fn new(enabled: bool, initial: u16) -> Self {
        Self {
            enabled,
            cwnd: u64::from(initial.max(1)),
            ssthresh: u64::MAX,
            acked: 0,
            recover: None,
        }
    }

    /// DTs that may be outstanding (unacknowledged) at once.
    pub(crate) fn window(&self) -> u64 {
        if self.enabled { self.cwnd } else { u64::MAX }
    }

    /// `n` DTs were newly acknowledged and the lowest unacknowledged is now `una`. Returns
    /// true for a partial acknowledgement during repair: the next hole should be resent now.
    pub(crate) fn on_ack(&mut self, n: u64, una: u64) -> bool {
        if self.cwnd < self.ssthresh {
            self.cwnd += n;
        } else {
            self.acked += n;
            if self.acked >= self.cwnd {
                self.acked -= self.cwnd;
                self.cwnd += 1;
            }
        }
        match self.recover {
            Some(r) if una < r => true,
            _ => {
                self.recover = None;
                false
            }
        }
    }

    /// Whether a loss is being repaired.
    pub(crate) fn recovering(&self) -> bool {
        self.recover.is_some()
    }

    /// Duplicate AKs showed a loss; `in_flight` DTs were outstanding, `next` is the next new.
    pub(crate) fn on_loss(&mut self, in_flight: u64, next: u64) {
        self.ssthresh = (in_flight / 2).max(MIN_WINDOW);
        self.cwnd = self.ssthresh;
        self.acked = 0;
        self.recover = Some(next);
    }

    /// T1 expired with `in_flight` DTs outstanding.
    pub(crate) fn on_timeout(&mut self, in_flight: u64, next: u64) {
        self.ssthresh = (in_flight / 2).max(MIN_WINDOW);
        self.cwnd = 1;
        self.acked = 0;
        self.recover = Some(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_then_halving_then_linear_growth() {
        let mut c = Congestion::new(true, 4);
        assert!(!c.on_ack(4, 4));
        assert_eq!(c.window(), 8);
        c.on_loss(8, 12);
        assert_eq!(c.window(), 4);
        // Partial acknowledgement during repair asks for the next hole at once.
        assert!(c.on_ack(1, 9));
        assert!(!c.on_ack(3, 12));
        assert!(!c.recovering());
        assert_eq!(c.window(), 5);
        c.on_timeout(5, 20);
        assert_eq!(c.window(), 1);
    }

    #[test]
    fn disabled_means_credit_only() {
        let mut c = Congestion::new(false, 1);
        c.on_timeout(10, 10);
        assert_eq!(c.window(), u64::MAX);
    }
}
