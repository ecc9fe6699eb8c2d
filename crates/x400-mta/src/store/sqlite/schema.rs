//! The database's tables, its settings, and the checks made when it opens.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, params};

use crate::store::spool::{PART, sync_dir};
use crate::store::{Result, StoreError, to_millis};

/// The schema version this code reads and writes (`PRAGMA user_version`).
const VERSION: i64 = 1;

/// The tables. Message numbers are never reused (AUTOINCREMENT): a local delivery is keyed
/// by its message's number, so that a repeat after a crash finds it done. States of a
/// recipient: `pending` (to do, at `next_attempt`), `relayed`,
/// `delivered`, `failed`. A message whose recipients are none of them pending leaves the
/// table; `seen` remembers it for duplicate detection.
const TABLES: &str = "
CREATE TABLE message (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('message', 'report')),
    mts_id      TEXT    NOT NULL,
    origin      TEXT,
    envelope    BLOB    NOT NULL,
    content     BLOB,
    spool       TEXT    UNIQUE,
    content_len INTEGER NOT NULL,
    arrival     INTEGER NOT NULL,
    expires     INTEGER NOT NULL,
    CHECK ((content IS NULL) <> (spool IS NULL))
);
CREATE TABLE recipient (
    message      INTEGER NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    address      TEXT    NOT NULL,
    hop          TEXT,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'relayed', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_error   TEXT,
    PRIMARY KEY (message, idx)
);
CREATE INDEX recipient_due ON recipient (state, next_attempt);
CREATE TABLE seen (
    dedup TEXT    PRIMARY KEY,
    at    INTEGER NOT NULL
);
CREATE INDEX seen_at ON seen (at);
";

/// Indexes created on every open if missing: `message_expires` for the search for expired
/// messages, which otherwise scans the message table, content and all; `recipient_hop_due`
/// for the hops with work due and a hop's due recipients. Both searches run each time a
/// message arrives and must not grow with the queue.
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS message_expires ON message (expires);
CREATE INDEX IF NOT EXISTS recipient_hop_due ON recipient (state, hop, next_attempt);
";

/// Opens the database with its durability settings, creates the tables on first use, and
/// checks its integrity.
pub(super) fn open(path: &Path, max_bytes: Option<u64>) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // WAL with FULL sync: a commit is durable when it returns (SQLite's documentation,
    // "PRAGMA synchronous"), and readers do not block the writer.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Integrity(format!(
            "{} cannot use a write-ahead log (journal mode {mode})",
            path.display()
        )));
    }
    conn.execute_batch(
        // temp_store: the statement and savepoint journals of a group commit stay in memory
        // instead of temporary files made and removed for every group; they only ever roll
        // back an uncommitted change, so durability does not depend on them.
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
         PRAGMA temp_store = MEMORY;",
    )?;
    if let Some(max) = max_bytes {
        let page: u64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let pages = (max / page.max(1)).max(1);
        // SQLite answers SQLITE_FULL beyond it, as on a full disk.
        let _: u64 = conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get(0)
        })?;
    }
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Integrity(format!(
            "{}: SQLite's check says: {check}",
            path.display()
        )));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    match version {
        0 => {
            conn.execute_batch(&format!(
                "BEGIN; {TABLES} PRAGMA user_version = {VERSION}; COMMIT;"
            ))?;
        }
        VERSION => {}
        other => {
            return Err(StoreError::Integrity(format!(
                "{} has schema version {other}; this MTA reads version {VERSION}",
                path.display()
            )));
        }
    }
    // Added to version 1 without changing it: an index changes no data, and a store opened
    // by an older MTA still reads and writes the same tables.
    conn.execute_batch(INDEXES)?;
    Ok(conn)
}

/// Checks that every spooled message's file is there with its length, and removes spool
/// files no message refers to (left by a crash before a commit).
pub(super) fn check_spool(conn: &Connection, dir: &Path) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT id, spool, content_len FROM message WHERE spool IS NOT NULL")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut referenced = HashSet::new();
    for row in rows {
        let (id, name, len) = row?;
        let path = dir.join(&name);
        let actual = std::fs::metadata(&path).map(|m| m.len()).ok();
        if actual != u64::try_from(len).ok() {
            return Err(StoreError::Integrity(format!(
                "message {id}: its content {} is {}, the queue says {len} octets",
                path.display(),
                actual.map_or_else(|| "missing".to_string(), |n| format!("{n} octets")),
            )));
        }
        referenced.insert(name);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| crate::store::spool::spool_error(dir, e))?;
    let mut removed = 0usize;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(PART) || !referenced.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
            removed += 1;
        }
    }
    if removed > 0 {
        sync_dir(dir)?;
        tracing::info!(
            "mta store: removed {removed} spool file(s) of transfers never accepted ({})",
            dir.display()
        );
    }
    Ok(())
}

/// Forgets the identities of messages that left the queue longer than `retention` ago.
pub(super) fn prune_seen(conn: &Connection, now: SystemTime, retention: Duration) -> Result<()> {
    let cutoff = now.checked_sub(retention).map_or(0, to_millis);
    conn.execute("DELETE FROM seen WHERE at < ?1", params![cutoff])?;
    Ok(())
}
