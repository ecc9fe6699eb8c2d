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
    /// buffers). The application protocol is set per peer.
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

    /// The defaults listed on each field.
    #[must_use]
    pub fn new() -> Self {
        let mut tp0 = Tp0Config::default();
        tp0.max_tsdu_len = RtsConfig::DEFAULT_SESSION_BUFFER;
        Self {
            tp0,
            tp0_buffer: Self::DEFAULT_TP0_BUFFER,
            rts: RtsConfig::new(),
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
