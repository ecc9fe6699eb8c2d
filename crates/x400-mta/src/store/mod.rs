//! The MTA's durable queue: messages it has accepted and what is left to do for each
//! recipient.
//!
//! The promise: a message is secured to its sender (the RTS AEA goes out) only once
//! [`Store::accept`] has returned, and it then survives a crash of the process or the machine.
//! A message is never queued twice: a message sent again after a lost connection or a crash of
//! either MTA carries the same MTS identifier from the same peer, and [`Store::accept`] answers
//! [`Accepted::Duplicate`] for it, so it is acknowledged again and nothing more.
//!
//! The queue state lives behind the [`Store`] trait so that a PostgreSQL backend (several MTA
//! processes sharing one queue) can implement it later: no correctness depends on state held
//! only in memory. Work is *claimed* with a lease ([`Store::claim`]): a claim that is not
//! settled before its lease runs out (the process died) comes due again.
//!
//! Content small enough ([`StoreConfig::inline_content`]) is kept in the database, so one
//! commit makes a whole batch of small messages durable; larger content streams to a file of
//! the [`spool`] directory, written and synced before the message is accepted.

pub mod spool;
mod sqlite;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use crate::routing::Target;

pub use self::spool::{Content, ContentReader, SpoolWriter};
pub use self::sqlite::{DATABASE, LOCK, SPOOL, SqliteStore};

/// A message's number in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub i64);

impl core::fmt::Display for MessageId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a stored message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A message (X.411 Message, 1984 UserMPDU).
    Message,
    /// A delivery or non-delivery report (X.411 Report, 1984 DeliveryReportMPDU). No report
    /// is ever generated about one.
    Report,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Report => "report",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "message" => Some(Self::Message),
            "report" => Some(Self::Report),
            _ => None,
        }
    }
}

/// The column text of a next hop.
pub(crate) fn hop_column(hop: &Target) -> String {
    match hop {
        Target::Local => "local".into(),
        Target::Peer(p) => format!("peer:{p}"),
    }
}

/// The next hop a column names.
pub(crate) fn hop_from_column(s: &str) -> Option<Target> {
    if s == "local" {
        Some(Target::Local)
    } else {
        s.strip_prefix("peer:").map(|p| Target::Peer(p.into()))
    }
}

/// Why a recipient was not delivered, in X.411's codes (`NonDeliveryReasonCode`,
/// `NonDeliveryDiagnosticCode`) and in words for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `non-delivery-reason-code`.
    pub reason: u32,
    /// `non-delivery-diagnostic-code`, if one applies.
    pub diagnostic: Option<u32>,
    /// What happened, for logs and the queue listing.
    pub words: String,
}

/// One recipient of a message being accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecipient {
    /// Its position in the envelope's per-recipient fields.
    pub index: u32,
    /// Its O/R address, as text.
    pub address: String,
    /// Where it goes, or why it cannot go anywhere (it then needs a report at once, and the
    /// caller passes that report to [`Store::accept`] with the message).
    pub next: Result<Target, Failure>,
}

/// A message to accept into the queue.
#[derive(Debug)]
pub struct NewMessage {
    /// Message or report.
    pub kind: Kind,
    /// The MTS identifier as text (`[C=..;ADMD=..;PRMD=..]local-id`), for listings.
    pub mts_id: String,
    /// The peer it came from, `None` if submitted here or generated here (a report).
    pub origin: Option<String>,
    /// What makes a second arrival of the same message a duplicate: the origin, the MTS
    /// identifier and the recipients the sender made us responsible for.
    pub dedup: String,
    /// The envelope (1988 `MessageTransferEnvelope` or, for a report, the whole 1988 report
    /// APDU), BER.
    pub envelope: Vec<u8>,
    /// The content octets.
    pub content: Content,
    /// When it arrived.
    pub arrival: SystemTime,
    /// When its undelivered recipients are given up with a non-delivery report.
    pub expires: SystemTime,
    /// The recipients we are responsible for.
    pub recipients: Vec<NewRecipient>,
}

/// What [`Store::accept`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Stored: it is durable now.
    New(MessageId),
    /// The same message (same [`NewMessage::dedup`]) was accepted before: acknowledge it
    /// again, queue nothing. Its content was dropped.
    Duplicate,
}

/// Work claimed for one next hop: recipients of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The message.
    pub message: MessageId,
    /// Message or report.
    pub kind: Kind,
    /// Its MTS identifier, as text.
    pub mts_id: String,
    /// Where the recipients go.
    pub hop: Target,
    /// Their positions in the envelope's per-recipient fields.
    pub recipients: Vec<u32>,
    /// Attempts made so far for the first of them.
    pub attempts: u32,
    /// When the message expires.
    pub expires: SystemTime,
}

/// A stored message's octets: its envelope and where its content is.
#[derive(Debug)]
pub struct Stored {
    /// Message or report.
    pub kind: Kind,
    /// The envelope octets as accepted.
    pub envelope: Vec<u8>,
    /// The content.
    pub content: Content,
    /// When it arrived.
    pub arrival: SystemTime,
    /// The peer it came from, if any.
    pub origin: Option<String>,
}

/// How claimed work ended, for [`Store::settle`].
#[derive(Debug)]
pub enum Outcome {
    /// The next MTA secured the message for these recipients.
    Relayed,
    /// Written to the recipients' mailboxes.
    Delivered,
    /// Not this time: try again at `next`.
    Retry {
        /// The next attempt.
        next: SystemTime,
        /// What went wrong, for the listing.
        error: String,
    },
    /// Given up.
    Failed(Failure),
}

/// A recipient as the queue listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedRecipient {
    /// Its position in the envelope.
    pub index: u32,
    /// Its O/R address, as text.
    pub address: String,
    /// Where it goes (`None`: no route).
    pub hop: Option<Target>,
    /// `pending`, `relayed`, `delivered` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: u32,
    /// The next attempt, if pending.
    pub next_attempt: Option<SystemTime>,
    /// The last error, in words.
    pub last_error: Option<String>,
}

/// A message as the queue listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    /// Its number.
    pub id: MessageId,
    /// Message or report.
    pub kind: Kind,
    /// Its MTS identifier, as text.
    pub mts_id: String,
    /// The peer it came from, if any.
    pub origin: Option<String>,
    /// Content octets.
    pub content_len: u64,
    /// Arrival.
    pub arrival: SystemTime,
    /// Expiry.
    pub expires: SystemTime,
    /// Its recipients.
    pub recipients: Vec<QueuedRecipient>,
}

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed (disk full, I/O error, ...). Accept nothing new until it recovers;
    /// what was accepted before is safe.
    #[error("store database: {0}")]
    Database(#[from] rusqlite::Error),
    /// A spool file could not be written, synced or read.
    #[error("store spool file {path}: {source}")]
    Spool {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The store failed its integrity check when opened: it is not used, rather than guessed
    /// at.
    #[error("store integrity check failed: {0}")]
    Integrity(String),
    /// Another process has the store open (it holds the lock file named).
    #[error("the store is in use by another process (it holds {0})")]
    InUse(PathBuf),
    /// A group commit failed; none of its changes was made.
    #[error("store commit failed: {0}")]
    Commit(String),
    /// No such message.
    #[error("no message {0} in the queue")]
    NoSuchMessage(MessageId),
}

/// Result of store operations.
pub type Result<T, E = StoreError> = core::result::Result<T, E>;

/// Settings of a store; every default is named.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreConfig {
    /// The directory of the database and the spool.
    pub dir: PathBuf,
    /// Content up to this many octets is kept in the database (one commit makes a batch of
    /// small messages durable); larger content goes to a spool file. Default:
    /// [`StoreConfig::DEFAULT_INLINE_CONTENT`].
    pub inline_content: usize,
    /// How long a message's identity is remembered after it left the queue, so that a
    /// duplicate arriving later is still recognised. Default:
    /// [`StoreConfig::DEFAULT_DEDUP_RETENTION`].
    pub dedup_retention: Duration,
    /// Largest size of the database file; beyond it new messages are refused (as on a full
    /// disk) and what is queued stays safe. Default: no limit but the disk's.
    pub max_database_bytes: Option<u64>,
}

impl StoreConfig {
    /// Default inline content limit: 64 KiB.
    pub const DEFAULT_INLINE_CONTENT: usize = 64 << 10;
    /// Default duplicate memory: 7 days, beyond any sane retry period of a peer and longer
    /// than a message may stay queued.
    pub const DEFAULT_DEDUP_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

    /// The defaults, in `dir`.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            inline_content: Self::DEFAULT_INLINE_CONTENT,
            dedup_retention: Self::DEFAULT_DEDUP_RETENTION,
            max_database_bytes: None,
        }
    }
}

/// The durable queue. Every method is blocking (call it from a blocking thread); every
/// method that changes something is durable when it returns.
///
/// # Errors
///
/// Every method fails with a [`StoreError`]: the database or the spool failed (a full disk),
/// in which case nothing of the change was made, or the message named does not exist.
#[allow(clippy::missing_errors_doc)] // said once above for every method
pub trait Store: Send + Sync {
    /// Stores a message with its recipients, and the reports that must go out at once for
    /// recipients that cannot be routed. Durable on return; only then may the message be
    /// secured to its sender.
    fn accept(&self, message: NewMessage, reports: Vec<NewMessage>) -> Result<Accepted>;

    /// Whether a message with this [`NewMessage::dedup`] was accepted before (so its content
    /// need not even be stored).
    fn is_duplicate(&self, dedup: &str) -> Result<bool>;

    /// The next hops that have work due at `now`.
    fn due_hops(&self, now: SystemTime) -> Result<Vec<Target>>;

    /// Claims up to `max` messages' due recipients for `hop`, leasing them for `lease`.
    fn claim(&self, hop: &Target, now: SystemTime, lease: Duration, max: usize)
    -> Result<Vec<Job>>;

    /// A stored message's envelope and content.
    fn load(&self, message: MessageId) -> Result<Stored>;

    /// Records how a job ended, with the reports it causes (built by the caller), in one
    /// transaction. A message with no recipient left to handle leaves the queue.
    fn settle(&self, job: &Job, outcome: Outcome, reports: Vec<NewMessage>) -> Result<()>;

    /// Pending recipients of messages past their expiry at `now`, claimed for `lease`.
    fn claim_expired(&self, now: SystemTime, lease: Duration, max: usize) -> Result<Vec<Job>>;

    /// The queue, oldest first, for the operator.
    fn list(&self) -> Result<Vec<QueuedMessage>>;

    /// Makes every pending recipient of a message due now.
    fn retry_now(&self, message: MessageId) -> Result<()>;

    /// Removes a message from the queue without reports (an operator's decision).
    fn delete(&self, message: MessageId) -> Result<()>;
}

/// Milliseconds since the Unix epoch, as stored.
fn to_millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The time a stored millisecond count stands for.
fn from_millis(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}
