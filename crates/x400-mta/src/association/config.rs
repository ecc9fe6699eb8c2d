//! Settings of an association: every limit and timeout is named here with its default.

use core::time::Duration;

use osi_transport::tp0::Config as Tp0Config;
use x400_rts::machine::Config as RtsConfig;

/// Configuration of an [`super::Association`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// TP0's settings (TPDU size, TSDU limit, connect timer).
    pub tp0: Tp0Config,
    /// TP0's receive buffer: the largest TSDU received plus one TCP read. Default:
    /// [`Config::DEFAULT_TP0_BUFFER`].
    pub tp0_buffer: usize,
    /// The RTS machine's settings (checkpoint size, window, largest APDU, session
    /// buffers). The application protocol is set per peer; the largest APDU received is
    /// [`Config::DEFAULT_MAX_APDU_LEN`] unless set.
    pub rts: RtsConfig,
    /// From the first octet to the bound association (TP0, session and RTS connect, MTA
    /// bind). Default: [`Config::DEFAULT_HANDSHAKE_TIMEOUT`].
    pub handshake_timeout: Duration,
    /// A bound association on which nothing arrives for this long is aborted. Default:
    /// [`Config::DEFAULT_IDLE_TIMEOUT`].
    pub idle_timeout: Duration,
}

impl Config {
    /// Default TP0 receive buffer: 256 KiB, which holds an ISODE peer's 63 KiB checkpoint
    /// sent as one DT.
    pub const DEFAULT_TP0_BUFFER: usize = 256 << 10;
    /// Default handshake timeout: 30 s, as TP0's connect timer.
    pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default idle timeout: 10 minutes.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(600);
    /// Default largest APDU received: 4 GiB of content (above the MTA's default content
    /// limit, `MtaConfig::DEFAULT_MAX_CONTENT`, so that limit decides) and the largest
    /// envelope the MTA's splitter takes, with a MiB for the framing. The RTS's own default (64 MiB) does not fit an MTA: its
    /// refusal (an exception report) makes the sender try again until the message expires,
    /// resending it whole each time. An MTA holds no APDU (the content streams to the spool
    /// as it arrives, the envelope is bounded by the splitter), so its own content limit is
    /// the one that decides, reported as content-too-long (X.411 §8.3.1.2.1).
    pub const DEFAULT_MAX_APDU_LEN: u64 =
        (4 << 30) + x400_p1::stream::DEFAULT_MAX_ENVELOPE as u64 + (1 << 20);

    /// The defaults listed on each field.
    #[must_use]
    pub fn new() -> Self {
        let mut tp0 = Tp0Config::default();
        tp0.max_tsdu_len = RtsConfig::DEFAULT_SESSION_BUFFER;
        let mut rts = RtsConfig::new();
        rts.max_apdu_len = usize::try_from(Self::DEFAULT_MAX_APDU_LEN).unwrap_or(usize::MAX);
        Self {
            tp0,
            tp0_buffer: Self::DEFAULT_TP0_BUFFER,
            rts,
            handshake_timeout: Self::DEFAULT_HANDSHAKE_TIMEOUT,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
        }
    }

    /// The memory the association's buffers take: TP0's and the session machine's two.
    #[must_use]
    pub fn memory(&self) -> usize {
        self.tp0_buffer
            .saturating_add(self.rts.session_buffer.saturating_mul(2))
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}
