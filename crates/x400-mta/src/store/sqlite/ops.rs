//! The store's changes and queries, as SQL.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{
    Accepted, Content, Job, Kind, MessageId, NewMessage, Outcome, QueuedMessage, QueuedRecipient,
    Result, StoreConfig, StoreError, Stored, Target, from_millis, hop_column, hop_from_column,
    to_millis,
};

/// A change, run inside a group commit.
#[derive(Debug)]
pub(super) enum Op {
    Accept {
        message: NewMessage,
        reports: Vec<NewMessage>,
    },
    /// Claims due work for a hop, or (no hop) expired work for any hop.
    Claim {
        hop: Option<Target>,
        now: SystemTime,
        lease: Duration,
        max: usize,
    },
    Settle {
        job: Job,
        outcome: Outcome,
        reports: Vec<NewMessage>,
    },
    RetryNow(MessageId),
    Delete(MessageId),
}

/// What a change answers.
#[derive(Debug, Default)]
pub(super) struct Reply {
    pub(super) accepted: Option<Accepted>,
    pub(super) jobs: Vec<Job>,
    /// Spool files to remove once the change is durable.
    pub(super) removed: Vec<String>,
}

impl Op {
    pub(super) fn run(self, c: &Connection, _config: &StoreConfig) -> Result<Reply> {
        let mut reply = Reply::default();
        match self {
            Self::Accept { message, reports } => {
                let accepted = accept(c, message, &mut reply.removed)?;
                // A duplicate's reports went out when it was first accepted: queued again
                // (with fresh report identifiers) they would reach the originator twice.
                if matches!(accepted, Accepted::New(_)) {
                    for r in reports {
                        accept(c, r, &mut reply.removed)?;
                    }
                }
                reply.accepted = Some(accepted);
            }
            Self::Claim {
                hop,
                now,
                lease,
                max,
            } => reply.jobs = claim(c, hop.as_ref(), now, lease, max)?,
            Self::Settle {
                job,
                outcome,
                reports,
            } => {
                settle(c, &job, &outcome)?;
                for r in reports {
                    accept(c, r, &mut reply.removed)?;
                }
                leave_if_done(c, job.message, &mut reply.removed)?;
            }
            Self::RetryNow(id) => {
                exists(c, id)?;
                c.execute(
                    "UPDATE recipient SET next_attempt = 0 WHERE message = ?1 AND state = 'pending'",
                    params![id.0],
                )?;
            }
            Self::Delete(id) => {
                exists(c, id)?;
                remove(c, id, &mut reply.removed)?;
            }
        }
        Ok(reply)
    }
}

fn exists(c: &Connection, id: MessageId) -> Result<()> {
    c.query_row("SELECT 1 FROM message WHERE id = ?1", params![id.0], |_| {
        Ok(())
    })
    .optional()?
    .ok_or(StoreError::NoSuchMessage(id))
}

fn accept(c: &Connection, m: NewMessage, removed: &mut Vec<String>) -> Result<Accepted> {
    let arrival = to_millis(m.arrival);
    let fresh = c.execute(
        "INSERT OR IGNORE INTO seen (dedup, at) VALUES (?1, ?2)",
        params![m.dedup, arrival],
    )?;
    if fresh == 0 {
        return Ok(Accepted::Duplicate);
    }
    let (inline, spool) = match &m.content {
        Content::Inline(v) => (Some(v.as_slice()), None),
        Content::Spooled { name, .. } => (None, Some(name.as_str())),
    };
    c.execute(
        "INSERT INTO message (kind, mts_id, origin, envelope, content, spool, content_len, \
         arrival, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            m.kind.as_str(),
            m.mts_id,
            m.origin,
            m.envelope,
            inline,
            spool,
            i64::try_from(m.content.len()).unwrap_or(i64::MAX),
            arrival,
            to_millis(m.expires),
        ],
    )?;
    let id = MessageId(c.last_insert_rowid());
    let mut insert = c.prepare_cached(
        "INSERT INTO recipient (message, idx, address, hop, state, next_attempt, last_error) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for r in &m.recipients {
        let (hop, state, error) = match &r.next {
            Ok(h) => (Some(hop_column(h)), "pending", None),
            Err(f) => (None, "failed", Some(f.words.as_str())),
        };
        insert.execute(params![
            id.0, r.index, r.address, hop, state, arrival, error
        ])?;
    }
    leave_if_done(c, id, removed)?;
    Ok(Accepted::New(id))
}

fn claim(
    c: &Connection,
    hop: Option<&Target>,
    now: SystemTime,
    lease: Duration,
    max: usize,
) -> Result<Vec<Job>> {
    let now_ms = to_millis(now);
    let until = to_millis(now + lease);
    let limit = i64::try_from(max).unwrap_or(i64::MAX);
    // Due recipients: of one hop whose next attempt has come, or (expiry) of any hop whose
    // message has expired, oldest first. The scheduler looks for expired work each time a
    // message arrives, so that search must not grow with the queue: the expired messages
    // are found through the index on `expires`, in its order (ordered by `id`, SQLite scans
    // the whole table, and with content inline that reads every queued message's content),
    // and their recipients by message (`+` keeps SQLite from going through every due
    // recipient of the queue instead).
    let rows: Vec<(i64, i64, Option<String>)> = match hop {
        Some(h) => {
            let mut s = c.prepare_cached(
                "SELECT r.message, r.idx, r.hop FROM recipient r \
                 WHERE r.state = 'pending' AND r.hop = ?1 AND r.next_attempt <= ?2 \
                 AND r.message IN (SELECT DISTINCT message FROM recipient \
                   WHERE state = 'pending' AND hop = ?1 AND next_attempt <= ?2 \
                   ORDER BY next_attempt, message LIMIT ?3) \
                 ORDER BY r.message, r.idx",
            )?;
            s.query_map(params![hop_column(h), now_ms, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        }
        None => {
            let mut s = c.prepare_cached(
                "SELECT r.message, r.idx, r.hop FROM recipient r \
                 WHERE r.message IN (SELECT id FROM message WHERE expires <= ?1 \
                   ORDER BY expires, id LIMIT ?2) \
                 AND +r.state = 'pending' AND +r.next_attempt <= ?1 \
                 ORDER BY r.message, r.idx",
            )?;
            s.query_map(params![now_ms, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        }
    };
    let mut groups: BTreeMap<(i64, String), Vec<u32>> = BTreeMap::new();
    for (message, idx, hop) in rows {
        groups
            .entry((message, hop.unwrap_or_default()))
            .or_default()
            .push(u32::try_from(idx).unwrap_or(u32::MAX));
    }
    let mut lease_stmt = c.prepare_cached(
        "UPDATE recipient SET next_attempt = ?3, attempts = attempts + 1 \
         WHERE message = ?1 AND idx = ?2",
    )?;
    let mut jobs = Vec::with_capacity(groups.len());
    for ((message, hop_col), recipients) in groups {
        let (kind, mts_id, expires, attempts): (String, String, i64, i64) = c.query_row(
            "SELECT m.kind, m.mts_id, m.expires, r.attempts FROM message m \
             JOIN recipient r ON r.message = m.id WHERE m.id = ?1 AND r.idx = ?2",
            params![message, recipients.first().copied().unwrap_or(0)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        for idx in &recipients {
            lease_stmt.execute(params![message, idx, until])?;
        }
        jobs.push(Job {
            message: MessageId(message),
            kind: Kind::parse(&kind).unwrap_or(Kind::Message),
            mts_id,
            hop: hop_from_column(&hop_col).unwrap_or(Target::Local),
            recipients,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            expires: from_millis(expires),
        });
    }
    Ok(jobs)
}

fn settle(c: &Connection, job: &Job, outcome: &Outcome) -> Result<()> {
    let mut stmt = match outcome {
        Outcome::Relayed | Outcome::Delivered | Outcome::Failed(_) => c.prepare_cached(
            "UPDATE recipient SET state = ?3, last_error = ?4 \
             WHERE message = ?1 AND idx = ?2 AND state = 'pending'",
        )?,
        Outcome::Retry { .. } => c.prepare_cached(
            "UPDATE recipient SET next_attempt = ?3, last_error = ?4 \
             WHERE message = ?1 AND idx = ?2 AND state = 'pending'",
        )?,
    };
    for idx in &job.recipients {
        match outcome {
            Outcome::Relayed => {
                stmt.execute(params![job.message.0, idx, "relayed", None::<String>])?
            }
            Outcome::Delivered => {
                stmt.execute(params![job.message.0, idx, "delivered", None::<String>])?
            }
            Outcome::Failed(f) => stmt.execute(params![job.message.0, idx, "failed", f.words])?,
            Outcome::Retry { next, error } => {
                stmt.execute(params![job.message.0, idx, to_millis(*next), error])?
            }
        };
    }
    Ok(())
}

/// A message none of whose recipients is pending leaves the queue.
fn leave_if_done(c: &Connection, id: MessageId, removed: &mut Vec<String>) -> Result<()> {
    let pending: i64 = c.query_row(
        "SELECT count(*) FROM recipient WHERE message = ?1 AND state = 'pending'",
        params![id.0],
        |r| r.get(0),
    )?;
    if pending == 0 {
        remove(c, id, removed)?;
    }
    Ok(())
}

fn remove(c: &Connection, id: MessageId, removed: &mut Vec<String>) -> Result<()> {
    let spool: Option<String> = c
        .query_row(
            "SELECT spool FROM message WHERE id = ?1",
            params![id.0],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    c.execute("DELETE FROM message WHERE id = ?1", params![id.0])?;
    removed.extend(spool);
    Ok(())
}

pub(super) fn is_duplicate(c: &Connection, dedup: &str) -> Result<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM seen WHERE dedup = ?1",
        params![dedup],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

/// The hops with a recipient due. Asked each time a message arrives, so it costs a few index
/// look-ups per hop, whatever the queue holds: the hops with pending recipients one after
/// the other through `recipient_hop_due` (a `DISTINCT` over the due recipients would read
/// each of them), and for each whether one is due.
pub(super) fn due_hops(c: &Connection, now: SystemTime) -> Result<Vec<Target>> {
    let mut s = c.prepare_cached(
        "WITH RECURSIVE hops(hop) AS ( \
           SELECT (SELECT min(hop) FROM recipient WHERE state = 'pending' AND hop IS NOT NULL) \
           UNION ALL \
           SELECT (SELECT min(hop) FROM recipient WHERE state = 'pending' AND hop > hops.hop) \
           FROM hops WHERE hop IS NOT NULL) \
         SELECT hop FROM hops WHERE hop IS NOT NULL AND EXISTS (SELECT 1 FROM recipient \
           WHERE state = 'pending' AND hop = hops.hop AND next_attempt <= ?1) \
         ORDER BY hop",
    )?;
    let hops = s
        .query_map(params![to_millis(now)], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(hops.iter().filter_map(|h| hop_from_column(h)).collect())
}

pub(super) fn load(c: &Connection, id: MessageId) -> Result<Stored> {
    c.query_row(
        "SELECT kind, envelope, content, spool, content_len, arrival, origin FROM message \
         WHERE id = ?1",
        params![id.0],
        |r| {
            let content = match r.get::<_, Option<Vec<u8>>>(2)? {
                Some(v) => Content::Inline(v),
                None => Content::Spooled {
                    name: r.get(3)?,
                    len: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                },
            };
            Ok(Stored {
                kind: Kind::parse(&r.get::<_, String>(0)?).unwrap_or(Kind::Message),
                envelope: r.get(1)?,
                content,
                arrival: from_millis(r.get(5)?),
                origin: r.get(6)?,
            })
        },
    )
    .optional()?
    .ok_or(StoreError::NoSuchMessage(id))
}

pub(super) fn list(c: &Connection) -> Result<Vec<QueuedMessage>> {
    let mut s = c.prepare(
        "SELECT id, kind, mts_id, origin, content_len, arrival, expires FROM message \
         ORDER BY arrival, id",
    )?;
    let mut messages = s
        .query_map([], |r| {
            Ok(QueuedMessage {
                id: MessageId(r.get(0)?),
                kind: Kind::parse(&r.get::<_, String>(1)?).unwrap_or(Kind::Message),
                mts_id: r.get(2)?,
                origin: r.get(3)?,
                content_len: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                arrival: from_millis(r.get(5)?),
                expires: from_millis(r.get(6)?),
                recipients: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut r = c.prepare(
        "SELECT idx, address, hop, state, attempts, next_attempt, last_error FROM recipient \
         WHERE message = ?1 ORDER BY idx",
    )?;
    for m in &mut messages {
        m.recipients = r
            .query_map(params![m.id.0], |row| {
                let state: String = row.get(3)?;
                Ok(QueuedRecipient {
                    index: u32::try_from(row.get::<_, i64>(0)?).unwrap_or(u32::MAX),
                    address: row.get(1)?,
                    hop: row
                        .get::<_, Option<String>>(2)?
                        .and_then(|h| hop_from_column(&h)),
                    next_attempt: (state == "pending")
                        .then(|| from_millis(row.get(5).unwrap_or(0))),
                    state,
                    attempts: u32::try_from(row.get::<_, i64>(4)?).unwrap_or(u32::MAX),
                    last_error: row.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(messages)
}
