//! The [`Store`] in SQLite (compiled in through `rusqlite`): the most trusted embedded
//! database, zero set-up, and readable by operators with the `sqlite3` tool
//! (`sqlite3 STORE/queue.sqlite3 'select * from recipient'`).
//!
//! Durability: WAL journal with `synchronous = FULL`, so a commit is on disk when it returns.
//! Commits of concurrent callers are grouped: whoever takes the connection runs every change
//! queued by then in one transaction (each in a savepoint of its own, so one failing change
//! does not fail the others) and commits once; the callers it served find their answers
//! ready. Durability thus costs one disk flush per group, not per message.

mod ops;
mod schema;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use rusqlite::Connection;

use super::spool::{Content, ContentReader, SpoolWriter};
use super::{
    Accepted, Job, MessageId, NewMessage, Outcome, QueuedMessage, Result, Store, StoreConfig,
    StoreError, Stored, Target,
};

/// File name of the database in the store directory.
pub const DATABASE: &str = "queue.sqlite3";
/// Name of the spool directory in the store directory.
pub const SPOOL: &str = "spool";
/// File in the store directory that the process using the store holds locked.
pub const LOCK: &str = "lock";

/// A change waiting for the next group commit, and then its answer.
#[derive(Default)]
struct Slot {
    op: Mutex<Option<ops::Op>>,
    answer: Mutex<Option<Result<ops::Reply>>>,
}

/// The durable queue in SQLite; see the module documentation.
pub struct SqliteStore {
    config: StoreConfig,
    /// Held locked while the store is open: one process uses a store at a time (another
    /// one's start-up clean-up would remove the spool files of transfers in progress).
    _lock: std::fs::File,
    spool: PathBuf,
    conn: Mutex<Connection>,
    waiting: Mutex<Vec<Arc<Slot>>>,
    commits: AtomicU64,
}

impl core::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("dir", &self.config.dir)
            .finish_non_exhaustive()
    }
}

/// Locks a mutex; a panic elsewhere while holding it leaves data that is still consistent
/// (every change is a transaction), so the poison is ignored.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// SQLite's own word that the file is damaged or not a database, said as the integrity
/// failure it is: the store refuses to run rather than guess.
fn damaged(db: &std::path::Path, e: StoreError) -> StoreError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e {
        StoreError::Database(rusqlite::Error::SqliteFailure(f, ref why))
            if matches!(f.code, DatabaseCorrupt | NotADatabase) =>
        {
            StoreError::Integrity(format!(
                "{}: {}",
                db.display(),
                why.as_deref().unwrap_or("damaged")
            ))
        }
        other => other,
    }
}

/// Takes the store's lock file; the kernel gives it back when the process ends, however.
fn lock_dir(path: &std::path::Path) -> Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| super::spool::spool_error(path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse(path.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(super::spool::spool_error(path, e)),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `config.dir`, checks its integrity, and removes
    /// spool files no message refers to.
    ///
    /// # Errors
    ///
    /// [`StoreError::InUse`] if another process has the store open, [`StoreError::Integrity`]
    /// if the database or the spool is damaged (the store refuses to run rather than guess),
    /// or the error that prevented opening it.
    pub fn open(config: StoreConfig) -> Result<Self> {
        let spool = config.dir.join(SPOOL);
        std::fs::create_dir_all(&spool).map_err(|e| super::spool::spool_error(&spool, e))?;
        let lock = lock_dir(&config.dir.join(LOCK))?;
        let db = config.dir.join(DATABASE);
        let conn = schema::open(&db, config.max_database_bytes).map_err(|e| damaged(&db, e))?;
        schema::check_spool(&conn, &spool)?;
        schema::prune_seen(&conn, SystemTime::now(), config.dedup_retention)?;
        tracing::info!(
            "mta store: opened {} (integrity ok)",
            config.dir.join(DATABASE).display()
        );
        Ok(Self {
            config,
            _lock: lock,
            spool,
            conn: Mutex::new(conn),
            waiting: Mutex::new(Vec::new()),
            commits: AtomicU64::new(0),
        })
    }

    /// A writer for the content of a message arriving now.
    #[must_use]
    pub fn content_writer(&self) -> SpoolWriter {
        SpoolWriter::new(self.spool.clone(), self.config.inline_content)
    }

    /// Reads a stored message's content.
    ///
    /// # Errors
    ///
    /// [`StoreError::Spool`] if its spool file cannot be opened.
    pub fn content_reader(&self, content: &Content) -> Result<ContentReader> {
        ContentReader::open(&self.spool, content.clone())
    }

    /// Transactions committed so far: with concurrent writers, fewer than changes made.
    #[must_use]
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The store's settings.
    #[must_use]
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// Runs `op` in the next group commit and returns its answer once it is durable.
    fn write(&self, op: ops::Op) -> Result<ops::Reply> {
        let slot = Arc::new(Slot::default());
        *lock(&slot.op) = Some(op);
        lock(&self.waiting).push(Arc::clone(&slot));
        let mut conn = lock(&self.conn);
        if let Some(answer) = lock(&slot.answer).take() {
            // An earlier group took our change with it.
            return answer;
        }
        let group = core::mem::take(&mut *lock(&self.waiting));
        let removed = self.commit_group(&mut conn, &group);
        drop(conn);
        // Spool files of messages that left the queue go once that is durable; a crash
        // before this leaves them to the clean-up of the next open.
        for name in removed {
            let _ = std::fs::remove_file(self.spool.join(name));
        }
        lock(&slot.answer)
            .take()
            .unwrap_or_else(|| Err(StoreError::Commit("the change was lost".into())))
    }

    /// One transaction for every change of `group`; fills in their answers. Returns the spool
    /// files to remove.
    fn commit_group(&self, conn: &mut Connection, group: &[Arc<Slot>]) -> Vec<String> {
        let fail_all = |why: String| {
            for s in group {
                *lock(&s.answer) = Some(Err(StoreError::Commit(why.clone())));
            }
        };
        let mut tx = match conn.transaction() {
            Ok(tx) => tx,
            Err(e) => {
                fail_all(e.to_string());
                return Vec::new();
            }
        };
        let mut removed = Vec::new();
        if let [only] = group {
            // Alone in its group (one writer at a time): the transaction is its savepoint,
            // which spares parsing and journalling one per change.
            let answer = match lock(&only.op).take() {
                Some(op) => match op.run(&tx, &self.config) {
                    Ok(reply) => match tx.commit() {
                        Ok(()) => {
                            self.commits.fetch_add(1, Ordering::Relaxed);
                            removed.extend(reply.removed.iter().cloned());
                            Ok(reply)
                        }
                        Err(e) => Err(StoreError::Commit(e.to_string())),
                    },
                    // Dropping the transaction rolls the change back.
                    Err(e) => Err(e),
                },
                None => Err(StoreError::Commit("no change".into())),
            };
            *lock(&only.answer) = Some(answer);
            return removed;
        }
        let mut answers = Vec::with_capacity(group.len());
        for s in group {
            let Some(op) = lock(&s.op).take() else {
                answers.push(Err(StoreError::Commit("no change".into())));
                continue;
            };
            let answer = match tx.savepoint() {
                Ok(sp) => match op.run(&sp, &self.config) {
                    Ok(reply) => sp.commit().map(|()| reply).map_err(StoreError::from),
                    // Dropping the savepoint rolls this change back alone.
                    Err(e) => Err(e),
                },
                Err(e) => Err(e.into()),
            };
            if tx.is_autocommit() {
                // SQLite rolled the whole transaction back (a full disk or an I/O error does
                // that): none of the group's changes was made.
                let why = match &answer {
                    Err(e) => e.to_string(),
                    Ok(_) => "the transaction was rolled back".into(),
                };
                fail_all(why);
                return Vec::new();
            }
            answers.push(answer);
        }
        match tx.commit() {
            Ok(()) => {
                self.commits.fetch_add(1, Ordering::Relaxed);
                for (s, a) in group.iter().zip(answers) {
                    if let Ok(reply) = &a {
                        removed.extend(reply.removed.iter().cloned());
                    }
                    *lock(&s.answer) = Some(a);
                }
            }
            Err(e) => fail_all(e.to_string()),
        }
        removed
    }

    /// Runs a read-only query on the connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&lock(&self.conn))
    }
}

impl Store for SqliteStore {
    fn accept(&self, message: NewMessage, reports: Vec<NewMessage>) -> Result<Accepted> {
        let spooled = message.content.clone();
        let reply = self.write(ops::Op::Accept { message, reports })?;
        if reply.accepted == Some(Accepted::Duplicate)
            && let Content::Spooled { name, .. } = spooled
        {
            let _ = std::fs::remove_file(self.spool.join(name));
        }
        reply
            .accepted
            .ok_or_else(|| StoreError::Commit("no answer to accept".into()))
    }

    fn is_duplicate(&self, dedup: &str) -> Result<bool> {
        self.read(|c| ops::is_duplicate(c, dedup))
    }

    fn due_hops(&self, now: SystemTime) -> Result<Vec<Target>> {
        self.read(|c| ops::due_hops(c, now))
    }

    fn claim(
        &self,
        hop: &Target,
        now: SystemTime,
        lease: Duration,
        max: usize,
    ) -> Result<Vec<Job>> {
        let op = ops::Op::Claim {
            hop: Some(hop.clone()),
            now,
            lease,
            max,
        };
        Ok(self.write(op)?.jobs)
    }

    fn load(&self, message: MessageId) -> Result<Stored> {
        self.read(|c| ops::load(c, message))
    }

    fn settle(&self, job: &Job, outcome: Outcome, reports: Vec<NewMessage>) -> Result<()> {
        self.write(ops::Op::Settle {
            job: job.clone(),
            outcome,
            reports,
        })
        .map(drop)
    }

    fn claim_expired(&self, now: SystemTime, lease: Duration, max: usize) -> Result<Vec<Job>> {
        let op = ops::Op::Claim {
            hop: None,
            now,
            lease,
            max,
        };
        Ok(self.write(op)?.jobs)
    }

    fn list(&self) -> Result<Vec<QueuedMessage>> {
        self.read(ops::list)
    }

    fn retry_now(&self, message: MessageId) -> Result<()> {
        self.write(ops::Op::RetryNow(message)).map(drop)
    }

    fn delete(&self, message: MessageId) -> Result<()> {
        self.write(ops::Op::Delete(message)).map(drop)
    }
}
