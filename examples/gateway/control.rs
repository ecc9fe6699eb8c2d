//! The control socket: while `gateway run` owns the store, the other commands ask it. A Unix
//! domain socket (`control.sock` in the store directory, owner-only), one JSON request line
//! and one JSON answer line per connection. A submission's request line is followed by
//! exactly `content_length` octets of content, which the MTA streams into its store.

use std::io::{BufRead, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use x400_mta::mta::{Mta, Submission};
use x400_mta::store::{MessageId, QueuedMessage, SqliteStore, Store, Target};
use x400_mta::{Accounting, PeerTable};

/// Longest request line taken: a submission with many recipients fits many times over.
pub const MAX_REQUEST_LINE: u64 = 1 << 20;
/// Longest answer line read by a client (a long queue listing).
pub const MAX_ANSWER_LINE: u64 = 256 << 20;
/// How long a client may take to send its request line.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client waits for the MTA's answer (a submission's content is streamed within it).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

/// What a command asks the running MTA.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "kebab-case")]
pub enum Request {
    /// Associations, counters, queue depth, totals.
    Status,
    /// The whole queue.
    QueueList,
    /// One message.
    QueueShow {
        /// Its number.
        id: i64,
    },
    /// Make its pending recipients due now.
    QueueRetry {
        /// Its number.
        id: i64,
    },
    /// Remove it without reports.
    QueueDelete {
        /// Its number.
        id: i64,
    },
    /// Queue a message; `content_length` octets of content follow the line.
    Submit {
        /// Originator.
        from: String,
        /// Recipients.
        to: Vec<String>,
        /// Built-in content type.
        content_type: u32,
        /// Ask for delivery reports.
        delivery_report: bool,
        /// Octets that follow.
        content_length: u64,
    },
}

/// The MTA's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    /// To [`Request::Status`].
    Status(StatusView),
    /// To [`Request::QueueList`] and [`Request::QueueShow`].
    Queue(Vec<MessageView>),
    /// Done, in words.
    Done(String),
    /// Queued, with the MTS identifier.
    Submitted(String),
    /// Refused, in words.
    Error(String),
}

/// A recipient of a queued message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecipientView {
    /// O/R address.
    pub address: String,
    /// Next hop in words.
    pub hop: String,
    /// pending, relayed, delivered, failed.
    pub state: String,
    /// Attempts made.
    pub attempts: u32,
    /// Next attempt, milliseconds since the epoch.
    pub next_attempt_ms: Option<u64>,
    /// Last error in words.
    pub last_error: Option<String>,
}

/// A queued message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageView {
    /// Its number in the queue.
    pub id: i64,
    /// message or report.
    pub kind: String,
    /// MTS identifier.
    pub mts_id: String,
    /// The peer it came from.
    pub origin: Option<String>,
    /// Content octets.
    pub content_len: u64,
    /// Arrival, milliseconds since the epoch.
    pub arrival_ms: u64,
    /// Expiry, milliseconds since the epoch.
    pub expires_ms: u64,
    /// Recipients.
    pub recipients: Vec<RecipientView>,
}

/// Associations with one peer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerView {
    /// Its name.
    pub name: String,
    /// Live inbound associations.
    pub inbound: usize,
    /// Live outbound associations.
    pub outbound: usize,
}

/// Queue depth of one next hop.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HopView {
    /// The next hop in words.
    pub hop: String,
    /// Messages with a pending recipient for it.
    pub messages: usize,
    /// Pending recipients for it.
    pub recipients: usize,
}

/// What `status` shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusView {
    /// Our MTA name.
    pub name: String,
    /// Whether the MTA runs (otherwise only the queue is known).
    pub running: bool,
    /// Live associations per peer.
    pub peers: Vec<PeerView>,
    /// Connections in their handshake.
    pub handshakes: usize,
    /// Live associations.
    pub associations: usize,
    /// Memory reserved by associations.
    pub memory: usize,
    /// Refusals by reason, in words.
    pub refused: Vec<(String, u64)>,
    /// Messages and reports received from peers.
    pub received: u64,
    /// Duplicates acknowledged again.
    pub duplicates: u64,
    /// Messages submitted.
    pub submitted: u64,
    /// Messages and reports relayed.
    pub relayed: u64,
    /// Recipients delivered.
    pub delivered: u64,
    /// Reports generated.
    pub reports: u64,
    /// Messages in the queue.
    pub queued: usize,
    /// Queue depth per next hop.
    pub queue: Vec<HopView>,
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn hop_words(hop: Option<&Target>) -> String {
    hop.map_or_else(|| "no route".to_owned(), ToString::to_string)
}

/// The listing form of a queued message.
#[must_use]
pub fn message_view(m: &QueuedMessage) -> MessageView {
    MessageView {
        id: m.id.0,
        kind: format!("{:?}", m.kind).to_lowercase(),
        mts_id: m.mts_id.clone(),
        origin: m.origin.clone(),
        content_len: m.content_len,
        arrival_ms: millis(m.arrival),
        expires_ms: millis(m.expires),
        recipients: m
            .recipients
            .iter()
            .map(|r| RecipientView {
                address: r.address.clone(),
                hop: hop_words(r.hop.as_ref()),
                state: r.state.clone(),
                attempts: r.attempts,
                next_attempt_ms: r.next_attempt.map(millis),
                last_error: r.last_error.clone(),
            })
            .collect(),
    }
}

/// Pending recipients per next hop, busiest first.
#[must_use]
pub fn depth(queue: &[QueuedMessage]) -> Vec<HopView> {
    let mut hops: Vec<HopView> = Vec::new();
    for m in queue {
        let mut counted: Vec<String> = Vec::new();
        for r in m.recipients.iter().filter(|r| r.state == "pending") {
            let hop = hop_words(r.hop.as_ref());
            let i = match hops.iter().position(|h| h.hop == hop) {
                Some(i) => i,
                None => {
                    hops.push(HopView {
                        hop: hop.clone(),
                        messages: 0,
                        recipients: 0,
                    });
                    hops.len() - 1
                }
            };
            if let Some(h) = hops.get_mut(i) {
                h.recipients += 1;
                if !counted.contains(&hop) {
                    h.messages += 1;
                    counted.push(hop);
                }
            }
        }
    }
    hops.sort_by(|a, b| b.recipients.cmp(&a.recipients).then(a.hop.cmp(&b.hop)));
    hops
}

/// The status of an MTA that is not running: its queue only.
#[must_use]
pub fn offline_status(name: &str, queue: &[QueuedMessage]) -> StatusView {
    StatusView {
        name: name.to_owned(),
        running: false,
        peers: Vec::new(),
        handshakes: 0,
        associations: 0,
        memory: 0,
        refused: Vec::new(),
        received: 0,
        duplicates: 0,
        submitted: 0,
        relayed: 0,
        delivered: 0,
        reports: 0,
        queued: queue.len(),
        queue: depth(queue),
    }
}

/// Answers a queue request on `store` (blocking: call from a blocking thread).
pub fn queue_request(store: &dyn Store, request: &Request) -> Answer {
    let result = match request {
        Request::QueueList => store
            .list()
            .map(|q| Answer::Queue(q.iter().map(message_view).collect())),
        Request::QueueShow { id } => store
            .list()
            .map(|q| match q.iter().find(|m| m.id.0 == *id) {
                Some(m) => Answer::Queue(vec![message_view(m)]),
                None => Answer::Error(format!("no message {id} in the queue")),
            }),
        Request::QueueRetry { id } => store
            .retry_now(MessageId(*id))
            .map(|()| Answer::Done(format!("message {id}: its pending recipients are due now"))),
        Request::QueueDelete { id } => store.delete(MessageId(*id)).map(|()| {
            Answer::Done(format!(
                "message {id} deleted from the queue (no report is sent)"
            ))
        }),
        _ => return Answer::Error("not a queue request".into()),
    };
    result.unwrap_or_else(|e| Answer::Error(e.to_string()))
}

/// What the server needs of the running MTA.
#[derive(Debug, Clone)]
pub struct Served {
    /// The MTA.
    pub mta: Mta,
    /// Its accounting.
    pub accounting: Accounting,
    /// Its peers.
    pub peers: PeerTable,
}

/// Binds the control socket at `path`: refuses if an MTA answers there already, replaces a
/// socket file left by one that is gone, and lets only our user connect.
///
/// # Errors
///
/// Another MTA runs on this store, or the socket cannot be made.
pub fn bind(path: &Path) -> Result<UnixListener, String> {
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(format!(
                "an MTA already runs on this store (its control socket {} answers)",
                path.display()
            ));
        }
        std::fs::remove_file(path)
            .map_err(|e| format!("cannot remove the stale socket {}: {e}", path.display()))?;
    }
    let listener = UnixListener::bind(path)
        .map_err(|e| format!("cannot make the control socket {}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("cannot restrict the control socket {}: {e}", path.display()))?;
    Ok(listener)
}

/// Serves the control socket until the task is dropped.
pub async fn serve(listener: UnixListener, served: Served) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let s = served.clone();
                tokio::spawn(async move {
                    if let Err(e) = answer(stream, s).await {
                        tracing::info!("gateway control: {e}");
                    }
                });
            }
            Err(e) => {
                tracing::warn!("gateway control: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn answer(stream: UnixStream, served: Served) -> Result<(), String> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = String::new();
    let n = tokio::time::timeout(
        REQUEST_TIMEOUT,
        (&mut reader).take(MAX_REQUEST_LINE).read_line(&mut line),
    )
    .await
    .map_err(|_| format!("no request within {REQUEST_TIMEOUT:?}"))?
    .map_err(|e| format!("reading a request: {e}"))?;
    if n == 0 {
        // Connected and hung up without asking (a client checking that the MTA runs).
        return Ok(());
    }
    let answer = if !line.ends_with('\n') {
        Answer::Error(format!(
            "a request is one JSON line of at most {MAX_REQUEST_LINE} octets"
        ))
    } else {
        match serde_json::from_str::<Request>(&line) {
            Err(e) => Answer::Error(format!("not a request: {e}")),
            Ok(request) => handle(request, reader, &served).await,
        }
    };
    let mut out = serde_json::to_vec(&answer).map_err(|e| e.to_string())?;
    out.push(b'\n');
    write
        .write_all(&out)
        .await
        .map_err(|e| format!("writing an answer: {e}"))
}

async fn handle(
    request: Request,
    reader: BufReader<tokio::net::unix::OwnedReadHalf>,
    served: &Served,
) -> Answer {
    match request {
        Request::Status => match status_now(served).await {
            Ok(view) => Answer::Status(view),
            Err(e) => Answer::Error(e),
        },
        Request::Submit {
            from,
            to,
            content_type,
            delivery_report,
            content_length,
        } => {
            let recipients: Vec<&str> = to.iter().map(String::as_str).collect();
            let mut submission = Submission::new(&from, &recipients, Vec::new());
            submission.content_type = content_type;
            submission.delivery_report = delivery_report;
            let content = Exact {
                inner: tokio_util::io::SyncIoBridge::new(reader.take(content_length)),
                left: content_length,
            };
            match served.mta.submit_from(submission, content).await {
                Ok(id) => Answer::Submitted(id),
                Err(e) => Answer::Error(e.to_string()),
            }
        }
        other => {
            let store = std::sync::Arc::clone(served.mta.store());
            tokio::task::spawn_blocking(move || queue_request(&*store, &other))
                .await
                .unwrap_or_else(|e| Answer::Error(format!("the queue task failed: {e}")))
        }
    }
}

/// What `status` shows now (also what the metrics endpoint reads).
///
/// # Errors
///
/// The queue cannot be read.
pub async fn status_now(served: &Served) -> Result<StatusView, String> {
    let store = std::sync::Arc::clone(served.mta.store());
    match tokio::task::spawn_blocking(move || store.list()).await {
        Ok(Ok(queue)) => Ok(status(served, &queue)),
        Ok(Err(e)) => Err(format!("cannot read the queue: {e}")),
        Err(e) => Err(format!("the queue task failed: {e}")),
    }
}

fn status(served: &Served, queue: &[QueuedMessage]) -> StatusView {
    let c = served.accounting.counters();
    let t = served.mta.totals();
    let mut peers: Vec<PeerView> = served
        .peers
        .iter()
        .map(|p| {
            let (inbound, outbound) = served.accounting.peer(&p.name);
            PeerView {
                name: p.name.clone(),
                inbound,
                outbound,
            }
        })
        .collect();
    peers.sort_by(|a, b| a.name.cmp(&b.name));
    StatusView {
        name: served.peers.local_name.clone(),
        running: true,
        peers,
        handshakes: c.handshakes,
        associations: c.associations,
        memory: c.memory,
        refused: c.refused.iter().map(|(r, n)| (r.to_string(), *n)).collect(),
        received: t.received,
        duplicates: t.duplicates,
        submitted: t.submitted,
        relayed: t.relayed,
        delivered: t.delivered,
        reports: t.reports,
        queued: queue.len(),
        queue: depth(queue),
    }
}

/// A reader that must give exactly `left` octets: a client that hangs up early makes the
/// submission fail instead of queueing a truncated content.
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "the client hung up with {} octets of content still to send",
                    self.left
                ),
            ));
        }
        self.left = self.left.saturating_sub(n as u64);
        Ok(n)
    }
}

/// A client's connection to the running MTA.
#[derive(Debug)]
pub struct Client {
    stream: std::os::unix::net::UnixStream,
}

impl Client {
    /// Connects to the MTA whose control socket is `path`; `None` if no MTA runs there.
    ///
    /// # Errors
    ///
    /// The socket exists but cannot be used (permissions, ...).
    pub fn connect(path: &Path) -> Result<Option<Self>, String> {
        match std::os::unix::net::UnixStream::connect(path) {
            Ok(stream) => Ok(Some(Self { stream })),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(format!("control socket {}: {e}", path.display())),
        }
    }

    /// Sends `request` (and `content` after it, for a submission) and reads the answer.
    ///
    /// # Errors
    ///
    /// The socket failed or the answer is not one.
    pub fn ask(
        mut self,
        request: &Request,
        content: Option<&mut dyn Read>,
    ) -> Result<Answer, String> {
        let io = |e: std::io::Error| format!("control socket: {e}");
        self.stream
            .set_read_timeout(Some(ANSWER_TIMEOUT))
            .map_err(io)?;
        let mut line = serde_json::to_vec(request).map_err(|e| e.to_string())?;
        line.push(b'\n');
        self.stream.write_all(&line).map_err(io)?;
        if let Some(content) = content {
            std::io::copy(content, &mut self.stream).map_err(io)?;
        }
        let mut reader = std::io::BufReader::new((&self.stream).take(MAX_ANSWER_LINE));
        let mut answer = String::new();
        reader.read_line(&mut answer).map_err(io)?;
        if answer.is_empty() {
            return Err("the MTA closed the control connection without answering".into());
        }
        serde_json::from_str(&answer).map_err(|e| format!("not an answer from the MTA: {e}"))
    }
}

/// Opens the store of an MTA that is not running.
///
/// # Errors
///
/// The store cannot be opened, in words.
pub fn open_store(config: &x400_mta::store::StoreConfig) -> Result<SqliteStore, String> {
    SqliteStore::open(config.clone())
        .map_err(|e| format!("cannot open the store in {}: {e}", config.dir.display()))
}
