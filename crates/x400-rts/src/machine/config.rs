//! Settings of an RTS machine: every limit is named here with its default.

use osi_session::machine::Config as SessionConfig;

use crate::{ApplicationProtocol, DialogueMode};

/// Configuration of a [`crate::machine::Rts`].
///
/// The initiator proposes `checkpoint_size`, `window_size`, `dialogue_mode` and
/// `application_protocol`; the responder answers with the smaller of the proposal and its
/// own `checkpoint_size` and `window_size` (0 stays 0: X.228 §7.1.5.1), and both then use
/// what the PAccept says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Octets between checkpoints, in units of 1024 (0: no checkpointing, so no recovery).
    /// Default: [`Config::DEFAULT_CHECKPOINT_SIZE`].
    pub checkpoint_size: u32,
    /// The most checkpoints the sender leaves unconfirmed. Default:
    /// [`Config::DEFAULT_WINDOW_SIZE`].
    pub window_size: u32,
    /// Monologue or two-way alternate. Default: two-way alternate, which P1 needs to send
    /// in both directions.
    pub dialogue_mode: DialogueMode,
    /// What the `open` data is. Default: P1 (1984).
    pub application_protocol: ApplicationProtocol,
    /// The largest APDU this side receives: a longer one is refused with an exception
    /// report while it arrives, never buffered. Default: [`Config::DEFAULT_MAX_APDU_LEN`].
    pub max_apdu_len: usize,
    /// The largest DT user data this side sends: a checkpoint's worth of data (or a whole
    /// APDU without checkpointing) goes out as several DTs of at most this size, so a 10 MiB
    /// APDU never needs a 10 MiB buffer. Default: [`Config::DEFAULT_MAX_DT_LEN`].
    pub max_dt_len: usize,
    /// Without checkpointing, the most octets of an APDU being sent that the machine takes
    /// ahead of the session's transmit queue (at least one DT of `max_dt_len`). Nothing
    /// is kept once queued, as nothing could be resumed. With checkpointing the bound is
    /// the window: `(windowSize + 1) × checkpointSize × 1024` octets unconfirmed.
    /// Default: [`Config::DEFAULT_SEND_BUFFER`].
    pub send_buffer: usize,
    /// Limit of each of the session machine's two buffers, which grow on demand up to it
    /// and are given back when drained (`osi_sansio::GrowBuf`). It bounds the largest TSDU
    /// received (a peer that sends a whole APDU in one DT needs room for it: the session
    /// machine aborts with "implementation restriction" otherwise) and must exceed
    /// `max_dt_len` plus the connect data. Default: [`Config::DEFAULT_SESSION_BUFFER`].
    pub session_buffer: usize,
    /// The session machine's own settings (versions, TIM, ...).
    pub session: SessionConfig,
}

impl Config {
    /// Default checkpoint size: 4 KiB, so a lost connection costs at most
    /// `window_size` × 4 KiB of retransmission. ISODE proposes 63, Exchange 30, and the
    /// A/311 profile allows 1 to 30.
    pub const DEFAULT_CHECKPOINT_SIZE: u32 = 4;
    /// Default window: 3, as ISODE and the ASN.1 DEFAULT.
    pub const DEFAULT_WINDOW_SIZE: u32 = 3;
    /// Default largest APDU received: 64 MiB.
    pub const DEFAULT_MAX_APDU_LEN: usize = 64 << 20;
    /// Default largest DT sent: 16 KiB.
    pub const DEFAULT_MAX_DT_LEN: usize = 16 << 10;
    /// Default send buffer without checkpointing: 64 KiB, four DTs.
    pub const DEFAULT_SEND_BUFFER: usize = 64 << 10;
    /// Default session buffer: 256 KiB each, which holds a 63 KiB ISODE checkpoint and a
    /// maximal connect (10 240 octets of extended user data plus overflow).
    pub const DEFAULT_SESSION_BUFFER: usize = 256 << 10;

    /// The defaults listed on each field.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            checkpoint_size: Self::DEFAULT_CHECKPOINT_SIZE,
            window_size: Self::DEFAULT_WINDOW_SIZE,
            dialogue_mode: DialogueMode::TWO_WAY_ALTERNATE,
            application_protocol: ApplicationProtocol::P1_1984,
            max_apdu_len: Self::DEFAULT_MAX_APDU_LEN,
            max_dt_len: Self::DEFAULT_MAX_DT_LEN,
            send_buffer: Self::DEFAULT_SEND_BUFFER,
            session_buffer: Self::DEFAULT_SESSION_BUFFER,
            session: SessionConfig::new(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}
