//! The MTA: it takes messages from peers and from submission into its durable queue, routes
//! each recipient, relays to next-hop MTAs, delivers to local mailboxes, retries, expires, and
//! reports.
//!
//! One promise above all: a message acknowledged to its sender (its APDU secured) or accepted
//! by [`Mta::submit`] or [`Mta::submit_from`] is in the [`store`](crate::store) on disk, and
//! leaves it only once every recipient for which we took responsibility is relayed,
//! delivered, or reported on. A message sent to us again (the same MTS identifier from the
//! same peer, for the same recipients) is acknowledged again and not queued twice.
//!
//! Each MTA is a domain of its own: its [`MtaConfig::domain`] goes into the trace of every
//! message it relays and the identifier of every message and report it makes, and a message
//! whose trace shows our domain has relayed it before is a loop (reported, not relayed).

mod admit;
mod inbound;
mod local;
mod receive;
mod relay;
mod retry;
mod submit;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc, watch};
use x400_p1::mts_abstract_service::GlobalDomainIdentifier;

use crate::mailbox::{LocalUsers, Mailbox};
use crate::routing::{RouteTable, Target};
use crate::shell::Shell;
use crate::store::{SqliteStore, Store};

pub use self::inbound::Arrival;
pub use self::receive::ReceiveError;
pub use self::retry::RetryPolicy;
pub use self::submit::{SUBMIT_CHUNK, Submission, SubmitError};

/// What the MTA does and where; every default is named.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MtaConfig {
    /// Our domain: trace elements and the identifiers of what we originate.
    pub domain: GlobalDomainIdentifier,
    /// Where recipients go.
    pub routes: RouteTable,
    /// The local users and their O/R addresses.
    pub users: LocalUsers,
    /// The directory of the local mailboxes.
    pub mailbox: PathBuf,
    /// How long a message may wait for its recipients before they are reported as not
    /// delivered. Default: [`MtaConfig::DEFAULT_EXPIRY`].
    pub expiry: Duration,
    /// When failed attempts are retried.
    pub retry: RetryPolicy,
    /// How long claimed work is ours before it is due again (a crashed worker's work comes
    /// back after it). Default: [`MtaConfig::DEFAULT_LEASE`].
    pub lease: Duration,
    /// How often the queue is looked at when nothing wakes the scheduler. Default:
    /// [`MtaConfig::DEFAULT_TICK`].
    pub tick: Duration,
    /// Largest content taken; a larger one is reported as `content-too-long`. Default:
    /// [`MtaConfig::DEFAULT_MAX_CONTENT`].
    pub max_content: u64,
    /// Messages claimed at a time for one association. Default: [`MtaConfig::DEFAULT_BATCH`].
    pub batch: usize,
}

impl MtaConfig {
    /// Default expiry: 24 hours.
    pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(24 * 3600);
    /// Default lease: 10 minutes, far beyond the relay of one batch.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(600);
    /// Default scheduler tick: 1 second.
    pub const DEFAULT_TICK: Duration = Duration::from_secs(1);
    /// Default largest content: X.411's ub-content-length (2^31 - 1 octets, X.411 Annex A),
    /// the most the standard lets a content be and the most a mailbox takes.
    pub const DEFAULT_MAX_CONTENT: u64 = x400_p1::upper_bounds::UB_CONTENT_LENGTH as u64;
    /// Default batch: 64 messages.
    pub const DEFAULT_BATCH: usize = 64;

    /// The defaults, for our domain, routes, users and mailbox directory.
    #[must_use]
    pub fn new(
        domain: GlobalDomainIdentifier,
        routes: RouteTable,
        users: LocalUsers,
        mailbox: impl Into<PathBuf>,
    ) -> Self {
        Self {
            domain,
            routes,
            users,
            mailbox: mailbox.into(),
            expiry: Self::DEFAULT_EXPIRY,
            retry: RetryPolicy::new(),
            lease: Self::DEFAULT_LEASE,
            tick: Self::DEFAULT_TICK,
            max_content: Self::DEFAULT_MAX_CONTENT,
            batch: Self::DEFAULT_BATCH,
        }
    }
}

/// What the MTA has done since it started, for a status view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Messages and reports accepted from peers.
    pub received: u64,
    /// Of those, duplicates acknowledged again and not queued.
    pub duplicates: u64,
    /// Messages accepted by submission.
    pub submitted: u64,
    /// Messages and reports secured by a next-hop MTA.
    pub relayed: u64,
    /// Recipients delivered to a local mailbox (reports included).
    pub delivered: u64,
    /// Reports generated.
    pub reports: u64,
}

#[derive(Debug, Default)]
struct Counters {
    received: AtomicU64,
    duplicates: AtomicU64,
    submitted: AtomicU64,
    relayed: AtomicU64,
    delivered: AtomicU64,
    reports: AtomicU64,
}

/// What the MTA's tasks share.
struct Inner {
    config: MtaConfig,
    store: Arc<SqliteStore>,
    shell: Shell,
    mailbox: Mailbox,
    /// Wakes the scheduler: new work was queued.
    wake: Notify,
    /// Next hops with a worker running.
    busy: Mutex<HashSet<Target>>,
    counters: Counters,
    stop: watch::Sender<bool>,
}

/// A running MTA; see the module documentation. Cheap to clone.
#[derive(Clone)]
pub struct Mta {
    inner: Arc<Inner>,
}

impl core::fmt::Debug for Mta {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mta")
            .field("store", &self.inner.store)
            .finish_non_exhaustive()
    }
}

impl Mta {
    /// An MTA over `store`, speaking to peers through `shell`.
    #[must_use]
    pub fn new(config: MtaConfig, store: Arc<SqliteStore>, shell: Shell) -> Self {
        let mailbox = Mailbox::new(config.mailbox.clone());
        Self {
            inner: Arc::new(Inner {
                config,
                store,
                shell,
                mailbox,
                wake: Notify::new(),
                busy: Mutex::new(HashSet::new()),
                counters: Counters::default(),
                stop: watch::channel(false).0,
            }),
        }
    }

    /// Runs the MTA: takes associations on `listener` and works the queue, until
    /// [`Mta::shutdown`].
    pub async fn run(&self, listener: TcpListener) {
        let (tx, mut incoming) = mpsc::channel(64);
        let shell = self.inner.shell.clone();
        let listening = tokio::spawn(async move { shell.listen(listener, tx).await });
        let scheduler = tokio::spawn(Arc::clone(&self.inner).schedule());
        let mut stop = self.inner.stop.subscribe();
        loop {
            tokio::select! {
                handle = incoming.recv() => match handle {
                    Some(h) => { tokio::spawn(Arc::clone(&self.inner).serve(h)); }
                    None => break,
                },
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        listening.abort();
        let _ = scheduler.await;
    }

    /// Stops: no new associations, workers finish what they hold (the rest stays queued),
    /// associations are released or, after the shell's grace, aborted.
    pub async fn shutdown(&self) {
        self.inner.stop.send_replace(true);
        self.inner.shell.shutdown().await;
    }

    /// Queues a message submitted here, its content in [`Submission::content`]; see
    /// [`Submission`].
    ///
    /// # Errors
    ///
    /// [`SubmitError`] if an address does not parse or the store cannot take it.
    pub async fn submit(&self, mut submission: Submission) -> Result<String, SubmitError> {
        let content = core::mem::take(&mut submission.content);
        self.submit_from(submission, std::io::Cursor::new(content))
            .await
    }

    /// Queues a message submitted here whose content `content` reads to its end, written to
    /// the store as it is read: a message of any size (a file, say) needs bounded memory.
    /// The submission's own [`Submission::content`] must be empty. Reading is blocking I/O,
    /// done on a blocking thread: give it a file or another local source.
    ///
    /// ```no_run
    /// # async fn demo(mta: x400_mta::mta::Mta) -> Result<(), Box<dyn std::error::Error>> {
    /// use x400_mta::mta::Submission;
    ///
    /// let to = ["C=GB;ADMD= ;PRMD=C;S=Carol"];
    /// let submission = Submission::new("C=GB;ADMD= ;PRMD=A;S=Alice", &to, Vec::new());
    /// let ipm = std::fs::File::open("report.p22")?;
    /// let id = mta.submit_from(submission, ipm).await?;
    /// println!("queued as {id}");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`SubmitError`] if an address does not parse, the reader fails, the submission has
    /// content of its own ([`SubmitError::Content`]), or the store cannot take it.
    pub async fn submit_from<R: std::io::Read + Send + 'static>(
        &self,
        submission: Submission,
        mut content: R,
    ) -> Result<String, SubmitError> {
        if !submission.content.is_empty() {
            return Err(SubmitError::Content(
                "the content is given twice: in the submission and as the reader".into(),
            ));
        }
        let inner = Arc::clone(&self.inner);
        let id = tokio::task::spawn_blocking(move || inner.submit(&submission, &mut content))
            .await
            .map_err(|e| SubmitError::Store(format!("the submitting task failed: {e}")))??;
        self.inner
            .counters
            .submitted
            .fetch_add(1, Ordering::Relaxed);
        self.inner.wake.notify_one();
        Ok(id)
    }

    /// What the MTA has done since it started.
    #[must_use]
    pub fn totals(&self) -> Totals {
        let c = &self.inner.counters;
        Totals {
            received: c.received.load(Ordering::Relaxed),
            duplicates: c.duplicates.load(Ordering::Relaxed),
            submitted: c.submitted.load(Ordering::Relaxed),
            relayed: c.relayed.load(Ordering::Relaxed),
            delivered: c.delivered.load(Ordering::Relaxed),
            reports: c.reports.load(Ordering::Relaxed),
        }
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Arc<SqliteStore> {
        &self.inner.store
    }

    /// The local mailboxes.
    #[must_use]
    pub fn mailbox(&self) -> &Mailbox {
        &self.inner.mailbox
    }
}

impl Inner {
    /// Looks at the queue whenever woken or every tick: starts a worker for each next hop
    /// with work due and none running, and reports on expired messages.
    async fn schedule(self: Arc<Self>) {
        let mut stop = self.stop.subscribe();
        let mut expired_at: Option<tokio::time::Instant> = None;
        loop {
            let me = Arc::clone(&self);
            // Expiry is a matter of time, looked at once a tick; a wake (work queued) needs
            // only the due hops, a read, so arrivals do not queue behind a claiming write.
            let expire = expired_at.is_none_or(|t| t.elapsed() >= self.config.tick);
            if expire {
                expired_at = Some(tokio::time::Instant::now());
            }
            let due = tokio::task::spawn_blocking(move || {
                let now = SystemTime::now();
                if expire {
                    me.expire(now);
                }
                me.store.due_hops(now)
            })
            .await;
            match due {
                Ok(Ok(hops)) => {
                    for hop in hops {
                        self.start_worker(hop);
                    }
                }
                Ok(Err(e)) => tracing::error!("mta queue: cannot read the queue: {e}"),
                Err(e) => tracing::error!("mta queue: the scheduler's task failed: {e}"),
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.config.tick) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    /// Starts the worker of `hop` unless one runs.
    fn start_worker(self: &Arc<Self>, hop: Target) {
        {
            let mut busy = self
                .busy
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !busy.insert(hop.clone()) {
                return;
            }
        }
        let me = Arc::clone(self);
        tokio::spawn(async move {
            match &hop {
                Target::Local => {
                    let worker = Arc::clone(&me);
                    if let Err(e) = tokio::task::spawn_blocking(move || worker.deliver_due()).await
                    {
                        tracing::error!("mta delivery: the delivery task failed: {e}");
                    }
                }
                Target::Peer(peer) => Arc::clone(&me).relay(peer.clone()).await,
            }
            me.busy
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&hop);
            // Work may have come in for this hop meanwhile.
            me.wake.notify_one();
        });
    }

    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }
}
