//! The adaptive retransmission time: T1 from measured round trips.
//!
//! X.224 wants T1 = ELR + ERL + AR + x (12.2.1.1), all unknown in advance over a datagram
//! service; ARGO's TP4 measured them. A DT acknowledged without having been sent twice
//! gives one sample (Karn's rule: a retransmitted DT's AK is ambiguous) that includes the
//! peer's acknowledgement delay AR, as T1 must. The estimator is RFC 6298's: smoothed
//! round trip plus four mean deviations, kept between two configured bounds.

use core::time::Duration;

/// Round-trip estimate of one connection.
#[derive(Debug, Clone)]
pub(crate) struct Rtt {
    min: Duration,
    max: Duration,
    srtt: Option<Duration>,
    rttvar: Duration,
}

impl Rtt {
    /// T1 is `initial` until the first sample, then adaptive within `min..=initial`.
    pub(crate) fn new(min: Duration, initial: Duration) -> Self {
        Self {
            min,
            max: initial,
            srtt: None,
            rttvar: Duration::ZERO,
        }
    }

    /// One measured round trip.
    pub(crate) fn sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(s) => {
                let dev = s.abs_diff(r);
                self.rttvar = (self.rttvar * 3 + dev) / 4;
                self.srtt = Some((s * 7 + r) / 8);
            }
        }
    }

    /// The current T1.
    pub(crate) fn t1(&self) -> Duration {
        match self.srtt {
            None => self.max,
            Some(s) => (s + self.rttvar * 4).clamp(self.min, self.max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_until_measured_then_bounded() {
        let ms = Duration::from_millis;
        let mut r = Rtt::new(ms(10), ms(1_000));
        assert_eq!(r.t1(), ms(1_000));
        r.sample(ms(40));
        // 40 + 4 * 20
        assert_eq!(r.t1(), ms(120));
        for _ in 0..50 {
            r.sample(ms(1));
        }
        assert_eq!(r.t1(), ms(10));
        for _ in 0..50 {
            r.sample(ms(5_000));
        }
        assert_eq!(r.t1(), ms(1_000));
    }
}
