//! Every timer value and limit of the class 4 machine, with its default (X.224 4.4, 12.2.1.1).
//!
//! X.224 gives no numeric defaults ("values should be chosen so that the required QOS can be
//! provided"). Where a default below is not derived from another value, it follows the 4.4BSD
//! ARGO stack's choice for TP4 over a datagram service, shortened where ARGO's values were
//! set for 1990s wide-area links.

use core::time::Duration;

use crate::{Error, Result, TpduSize};

/// Longest transport selector kept (X.400 peers use long ASCII selectors; a CR is at
/// most 128 octets in all, X.224 13.3).
pub const MAX_TSEL_LEN: usize = 32;

/// A transport selector (parameters C1/C2), held without allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tsel {
    len: u8,
    bytes: [u8; MAX_TSEL_LEN],
}

impl Tsel {
    /// Copies up to [`MAX_TSEL_LEN`] octets; `None` if longer.
    pub fn new(octets: &[u8]) -> Option<Self> {
        let mut bytes = [0; MAX_TSEL_LEN];
        bytes.get_mut(..octets.len())?.copy_from_slice(octets);
        Some(Self {
            len: u8::try_from(octets.len()).ok()?,
            bytes,
        })
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl core::fmt::Debug for Tsel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Tsel({:02x?})", self.as_slice())
    }
}

/// Configuration of one class 4 transport connection.
///
/// [`Config::default`] gives the documented defaults; [`Config::validate`] checks the
/// relations X.224 12.2.1.1 asks for (for example W below IL).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// T1, the local retransmission time: how long a CR, CC, DT, ED, DR or window-reopening
    /// AK waits for its acknowledgement before it is sent again. X.224 wants
    /// T1 = ELR + ERL + AR + x. This value is used until a round trip has been measured,
    /// then T1 adapts (see `min_retransmit_time`) but never exceeds it. The default, 1 s,
    /// covers round trips of a few hundred milliseconds plus the peer's acknowledgement
    /// time. Default 1 s.
    pub retransmit_time: Duration,
    /// Lower bound of T1 once it adapts to measured round trips (the `retransmit_time` above
    /// is used until the first measurement and is the upper bound). Equal to
    /// `retransmit_time`, T1 is fixed. Default 100 ms.
    pub min_retransmit_time: Duration,
    /// N, the maximum number of transmissions of a TPDU (so N - 1 retransmissions) without
    /// progress before the connection is given up and the user told (12.2.1.2 i). ARGO's
    /// `TP_NRETRANS`. Default 12; at least 1.
    pub max_transmissions: u32,
    /// IL, the local inactivity time: with no valid TPDU received for this long the
    /// connection is released (6.21). Sent to the peer in parameter F2. ARGO's value.
    /// Default 180 s.
    pub inactivity_time: Duration,
    /// W, the window time: the longest interval between two AKs we send, so the peer's
    /// inactivity timer never fires on an idle connection (12.2.3.8.1). Must be below IL;
    /// it is further cut to half the peer's IL when the peer announces a smaller one.
    /// Default 60 s (a third of IL, so two lost keep-alives in a row do no harm).
    pub window_time: Duration,
    /// AL, the local acknowledgement time: the longest a received DT waits for its AK
    /// (sent to the peer in parameter 85, milliseconds). Also used as the delay of
    /// delayed AKs. Default 100 ms; at most 65,535 ms (the parameter is 16 bits).
    pub ack_time: Duration,
    /// Send an AK at once after this many in-sequence DTs instead of waiting for AL.
    /// 1 acknowledges every DT. Default 2; at least 1.
    pub ack_every: u32,
    /// After this many duplicate AKs in a row (same YR-TU-NR, nothing new acknowledged)
    /// while DTs are outstanding, the first outstanding DT is sent again without waiting
    /// for T1. A local choice: X.224 allows any retransmission, the receiver discards and
    /// re-acknowledges duplicates. 0 disables it. Default 3.
    pub fast_retransmit_after: u32,
    /// Keep a congestion window under the peer's credit (see the `congestion` module
    /// notes: slow start, halving on duplicate AKs, one DT after T1). Off, the whole
    /// credit window is sent at once. Default true.
    pub congestion_control: bool,
    /// Congestion window at the start, in DTs. Default 4; at least 1.
    pub initial_window: u16,
    /// L, the reference freeze time: after release the reference stays in the frozen
    /// state this long, answering stray DRs with DC and ignoring the rest, so old TPDUs
    /// cannot reach a new connection using the same reference (6.18). Must exceed
    /// MLR + MRL + R + AR. ARGO's value. Default 300 s.
    pub freeze_time: Duration,
    /// MLR (= MRL assumed): the longest a datagram can survive in the network. In the
    /// normal format, with only 128 sequence numbers, a new DT (or ED) is held back until
    /// every copy of the DT 64 numbers before it can no longer arrive, so that an old
    /// duplicate is never taken for a new TPDU (the rule behind L, 12.2.1.1). The extended
    /// format's 2^31 numbers make that wait moot. Default 1 s.
    pub max_nsdu_lifetime: Duration,
    /// Largest TPDU size to propose or accept (C0). ISO codes 0x07..=0x0D only: over a
    /// datagram service a TPDU must fit one NSDU (6.5.5 j). Default 0x0A (1024 octets).
    pub tpdu_size: TpduSize,
    /// Initiator: calling transport selector sent in the CR (C1). Default none.
    pub calling_tsel: Option<Tsel>,
    /// Initiator: called transport selector sent in the CR (C2). Default none. A
    /// responder echoes the CR's selectors in its CC.
    pub called_tsel: Option<Tsel>,
    /// Propose (initiator) or accept (responder) extended formats: 31-bit numbers and
    /// 16-bit credit. Default true (ARGO proposes them).
    pub extended_format: bool,
    /// Propose or accept use of the checksum. The checksum is used if either side wants
    /// it (X.224 Table 4: an initiator proposing use cannot be refused). Default true.
    pub checksum: bool,
    /// Propose or accept the transport expedited data service. Default true.
    pub expedited: bool,
    /// The credit we grant: DTs the peer may send beyond the last one acknowledged.
    /// At most 15 in the normal format (it is cut to 15 if normal formats are selected),
    /// at most 32,767 in the extended one. Default 8; at least 1.
    pub credit: u16,
    /// Largest TSDU we accept from the peer; a longer one is a protocol error and releases
    /// the connection. Also bounds what [`super::Connection::send`] accepts. Default 1 MiB.
    pub max_tsdu_len: usize,
    /// Octets of received data we hold (TSDUs not yet taken with `poll_event`, the TSDU
    /// being reassembled, out-of-order DTs). While it is full we grant credit 0. Must hold
    /// at least one TSDU of `max_tsdu_len`. Default 2 MiB.
    pub max_receive_buffer: usize,
    /// Expedited TSDUs received and not yet taken with `poll_event`; while this many wait,
    /// a new ED is not acknowledged, so the peer holds it back. Default 16; at least 1.
    pub max_queued_expedited: usize,
    /// Octets of user data queued for sending (not yet acknowledged). `send` refuses a
    /// TSDU that would exceed it. Default 2 MiB.
    pub max_send_buffer: usize,
}

impl Config {
    /// Default [`Config::retransmit_time`].
    pub const DEFAULT_RETRANSMIT_TIME: Duration = Duration::from_secs(1);
    /// Default [`Config::min_retransmit_time`].
    pub const DEFAULT_MIN_RETRANSMIT_TIME: Duration = Duration::from_millis(100);
    /// Default [`Config::max_transmissions`].
    pub const DEFAULT_MAX_TRANSMISSIONS: u32 = 12;
    /// Default [`Config::inactivity_time`].
    pub const DEFAULT_INACTIVITY_TIME: Duration = Duration::from_secs(180);
    /// Default [`Config::window_time`].
    pub const DEFAULT_WINDOW_TIME: Duration = Duration::from_secs(60);
    /// Default [`Config::ack_time`].
    pub const DEFAULT_ACK_TIME: Duration = Duration::from_millis(100);
    /// Default [`Config::ack_every`].
    pub const DEFAULT_ACK_EVERY: u32 = 2;
    /// Default [`Config::fast_retransmit_after`].
    pub const DEFAULT_FAST_RETRANSMIT_AFTER: u32 = 3;
    /// Default [`Config::congestion_control`].
    pub const DEFAULT_CONGESTION_CONTROL: bool = true;
    /// Default [`Config::initial_window`].
    pub const DEFAULT_INITIAL_WINDOW: u16 = 4;
    /// Default [`Config::freeze_time`].
    pub const DEFAULT_FREEZE_TIME: Duration = Duration::from_secs(300);
    /// Default [`Config::max_nsdu_lifetime`].
    pub const DEFAULT_MAX_NSDU_LIFETIME: Duration = Duration::from_secs(1);
    /// Default [`Config::tpdu_size`].
    pub const DEFAULT_TPDU_SIZE: TpduSize = TpduSize::S1024;
    /// Default [`Config::extended_format`].
    pub const DEFAULT_EXTENDED_FORMAT: bool = true;
    /// Default [`Config::checksum`].
    pub const DEFAULT_CHECKSUM: bool = true;
    /// Default [`Config::expedited`].
    pub const DEFAULT_EXPEDITED: bool = true;
    /// Default [`Config::credit`].
    pub const DEFAULT_CREDIT: u16 = 8;
    /// Default [`Config::max_tsdu_len`].
    pub const DEFAULT_MAX_TSDU_LEN: usize = 1 << 20;
    /// Default [`Config::max_receive_buffer`].
    pub const DEFAULT_MAX_RECEIVE_BUFFER: usize = 2 << 20;
    /// Default [`Config::max_queued_expedited`].
    pub const DEFAULT_MAX_QUEUED_EXPEDITED: usize = 16;
    /// Default [`Config::max_send_buffer`].
    pub const DEFAULT_MAX_SEND_BUFFER: usize = 2 << 20;
}

impl Default for Config {
    fn default() -> Self {
        Self {
            retransmit_time: Self::DEFAULT_RETRANSMIT_TIME,
            min_retransmit_time: Self::DEFAULT_MIN_RETRANSMIT_TIME,
            max_transmissions: Self::DEFAULT_MAX_TRANSMISSIONS,
            inactivity_time: Self::DEFAULT_INACTIVITY_TIME,
            window_time: Self::DEFAULT_WINDOW_TIME,
            ack_time: Self::DEFAULT_ACK_TIME,
            ack_every: Self::DEFAULT_ACK_EVERY,
            fast_retransmit_after: Self::DEFAULT_FAST_RETRANSMIT_AFTER,
            congestion_control: Self::DEFAULT_CONGESTION_CONTROL,
            initial_window: Self::DEFAULT_INITIAL_WINDOW,
            freeze_time: Self::DEFAULT_FREEZE_TIME,
            max_nsdu_lifetime: Self::DEFAULT_MAX_NSDU_LIFETIME,
            tpdu_size: Self::DEFAULT_TPDU_SIZE,
            calling_tsel: None,
            called_tsel: None,
            extended_format: Self::DEFAULT_EXTENDED_FORMAT,
            checksum: Self::DEFAULT_CHECKSUM,
            expedited: Self::DEFAULT_EXPEDITED,
            credit: Self::DEFAULT_CREDIT,
            max_tsdu_len: Self::DEFAULT_MAX_TSDU_LEN,
            max_receive_buffer: Self::DEFAULT_MAX_RECEIVE_BUFFER,
            max_queued_expedited: Self::DEFAULT_MAX_QUEUED_EXPEDITED,
            max_send_buffer: Self::DEFAULT_MAX_SEND_BUFFER,
        }
    }
}

/// Largest credit in the extended format that keeps every in-window number unambiguous:
/// well below half the 2^31 sequence space.
pub const MAX_EXTENDED_CREDIT: u16 = 0x7fff;

/// Largest credit in the normal format: the 4-bit CDT field.
pub const MAX_NORMAL_CREDIT: u16 = 15;

impl Config {
    /// Checks every documented range and relation.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the first value out of range.
    pub fn validate(&self) -> Result<()> {
        let check =
            |ok: bool, what: &'static str| if ok { Ok(()) } else { Err(Error::Config(what)) };
        check(
            !self.retransmit_time.is_zero(),
            "retransmit_time must be > 0",
        )?;
        check(
            self.max_transmissions >= 1,
            "max_transmissions must be >= 1",
        )?;
        check(!self.window_time.is_zero(), "window_time must be > 0")?;
        check(
            self.window_time < self.inactivity_time,
            "window_time must be below inactivity_time",
        )?;
        check(
            self.ack_time <= Duration::from_millis(u16::MAX.into()),
            "ack_time must be at most 65535 ms",
        )?;
        check(
            self.inactivity_time <= Duration::from_millis(u32::MAX.into()),
            "inactivity_time must fit 32 bits of milliseconds",
        )?;
        check(
            self.freeze_time > self.max_nsdu_lifetime * 2,
            "freeze_time must exceed twice max_nsdu_lifetime",
        )?;
        check(self.initial_window >= 1, "initial_window must be >= 1")?;
        check(self.ack_every >= 1, "ack_every must be >= 1")?;
        check(
            self.tpdu_size.is_iso(),
            "tpdu_size must be an ISO code 0x07..=0x0D",
        )?;
        check(self.credit >= 1, "credit must be >= 1")?;
        check(
            self.credit <= MAX_EXTENDED_CREDIT,
            "credit must be at most 32767",
        )?;
        check(self.max_tsdu_len >= 1, "max_tsdu_len must be >= 1")?;
        check(
            self.max_receive_buffer >= self.max_tsdu_len,
            "max_receive_buffer must hold one TSDU of max_tsdu_len",
        )?;
        check(
            self.max_queued_expedited >= 1,
            "max_queued_expedited must be >= 1",
        )?;
        check(self.max_send_buffer >= 1, "max_send_buffer must be >= 1")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
    }

    #[test]
    fn window_time_must_be_below_inactivity_time() {
        let c = Config {
            window_time: Duration::from_secs(200),
            ..Config::default()
        };
        assert!(matches!(c.validate(), Err(Error::Config(_))));
    }

    #[test]
    fn non_iso_tpdu_size_refused() {
        let c = Config {
            tpdu_size: TpduSize::S65531,
            ..Config::default()
        };
        assert!(matches!(c.validate(), Err(Error::Config(_))));
    }
}
