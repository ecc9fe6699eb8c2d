//! Local delivery: messages written to a mailbox directory per user, Maildir style, so that a
//! crash at any point leaves either a complete message or none.
//!
//! A user's mailbox is `<root>/<user>/` with `tmp/`, `new/` and `cur/` (created on first use).
//! Each message is two files with one unique stem: `<stem>.p1`, the content octets as received
//! (the P1 content: for an IPM, the P2 octets), and `<stem>.json`, its [`DeliveryRecord`].
//! Both are written in `tmp/` and flushed to disk, then renamed into `new/`, the record first
//! and the content last, and `new/` is flushed: a delivery reports success only then. A message
//! is complete when `new/<stem>.p1` is there with its `.json` (after a crash between the two
//! renames, or before `new/` was flushed, a message may be half there: it is not listed, and
//! the MTA, which was never told it was delivered, delivers it again). A reader takes a message
//! by moving both files out of `new/` (to `cur/`, say); [`Mailbox::list`] lists what is in
//! `new/`.
//!
//! Stems follow the Maildir convention without the host name:
//! `<seconds>.M<microseconds>P<pid>Q<count>`, the count being per process; a file is never
//! overwritten (`tmp/` files are created exclusively).
//!
//! ```
//! use x400_mta::mailbox::{DeliveryRecord, LocalUsers, Mailbox};
//! use x400_p1::or_address_text::parse;
//!
//! let mut users = LocalUsers::new();
//! users.add("jones", "C=GB;ADMD= ;PRMD=ACME;S=Jones")?;
//! let recipient = parse("c=gb;admd= ;prmd=acme;s=JONES")?;
//! let user = users.lookup(&recipient).ok_or("not a local user")?;
//!
//! let root = tempfile::tempdir()?;
//! let mailbox = Mailbox::new(root.path().to_owned());
//! let record = DeliveryRecord::new(
//!     "C=GB;ADMD= ;PRMD=ACME;S=Smith",
//!     vec!["C=GB;ADMD= ;PRMD=ACME;S=Jones".into()],
//!     "22",
//!     "[C=GB;ADMD= ;PRMD=ACME]id-1",
//!     chrono::Utc::now(),
//! );
//! let content = mailbox.deliver(user, &mut &b"P2 octets"[..], &record)?;
//! assert!(content.ends_with(format!("{}.p1", mailbox.list(user)?[0].stem)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod record;
mod users;

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub use self::record::{
    DeliveryRecord, TraceAction, TraceEntry, content_type_text, domain_text, mts_identifier_text,
};
pub use self::users::{
    LocalUsers, MAX_USER_NAME_LEN, UserNameError, UsersError, validate_user_name,
};

/// Default limit on the content of one message: X.411 `ub-content-length` (2^31 - 1 octets).
pub const DEFAULT_MAX_CONTENT_LEN: u64 = 2_147_483_647;
/// Default limit on one delivery record read back (a record lists recipients, trace and
/// identifiers: kilobytes; this allows thousands of recipients).
pub const DEFAULT_MAX_RECORD_LEN: u64 = 8 * 1024 * 1024;
/// Default limit on the messages one [`Mailbox::list`] reads.
pub const DEFAULT_MAX_LISTED: usize = 100_000;
/// The content is copied in chunks of this size: memory does not grow with the message.
pub const COPY_CHUNK_LEN: usize = 64 * 1024;
/// How many fresh stems a delivery tries before giving up, should each already exist in
/// `tmp/` (possible only if another process with our pid wrote there in the same
/// microsecond).
const STEM_ATTEMPTS: u32 = 8;

/// The extension of a message's content file.
pub const CONTENT_EXTENSION: &str = "p1";
/// The extension of a message's record file.
pub const RECORD_EXTENSION: &str = "json";

/// The limits of a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxLimits {
    /// Longest content delivered. Default: [`DEFAULT_MAX_CONTENT_LEN`].
    pub max_content_len: u64,
    /// Longest record read back. Default: [`DEFAULT_MAX_RECORD_LEN`].
    pub max_record_len: u64,
    /// Most messages one listing reads. Default: [`DEFAULT_MAX_LISTED`].
    pub max_listed: usize,
}

impl Default for MailboxLimits {
    fn default() -> Self {
        Self {
            max_content_len: DEFAULT_MAX_CONTENT_LEN,
            max_record_len: DEFAULT_MAX_RECORD_LEN,
            max_listed: DEFAULT_MAX_LISTED,
        }
    }
}

/// Why a delivery or a listing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailboxError {
    /// The user name cannot name a mailbox directory.
    #[error(transparent)]
    BadUserName(#[from] UserNameError),
    /// The content is longer than the limit; nothing was delivered.
    #[error("the content is longer than {limit} octets")]
    ContentTooLong {
        /// The limit.
        limit: u64,
    },
    /// A record is longer than the limit.
    #[error("{}: longer than {limit} octets", .path.display())]
    RecordTooLong {
        /// The record file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// A record of a complete message is not a valid delivery record.
    #[error("{}: not a delivery record: {source}", .path.display())]
    BadRecord {
        /// The record file.
        path: PathBuf,
        /// What the JSON parser said.
        #[source]
        source: serde_json::Error,
    },
    /// The mailbox has more complete messages than one listing reads.
    #[error("more than {limit} messages in {}", .path.display())]
    TooManyMessages {
        /// The `new/` directory.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// A file system operation failed.
    #[error("{action} {}: {source}", .path.display())]
    Io {
        /// What was being done (`create`, `write`, `rename`, ...).
        action: &'static str,
        /// On what.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
}

impl From<MailboxError> for io::Error {
    /// For callers that speak `io::Result`: I/O errors keep their kind, bad input is
    /// `InvalidInput`, a damaged mailbox `InvalidData`; the message says it all.
    fn from(e: MailboxError) -> Self {
        let kind = match &e {
            MailboxError::Io { source, .. } => source.kind(),
            MailboxError::BadUserName(_) | MailboxError::ContentTooLong { .. } => {
                io::ErrorKind::InvalidInput
            }
            MailboxError::RecordTooLong { .. }
            | MailboxError::BadRecord { .. }
            | MailboxError::TooManyMessages { .. } => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// Wraps an I/O error with what was being done and on what.
fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> MailboxError + 'a {
    move |source| MailboxError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// A message in a mailbox's `new/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The stem its two files share.
    pub stem: String,
    /// Its record.
    pub record: DeliveryRecord,
    /// Its content file (`new/<stem>.p1`).
    pub content: PathBuf,
}

/// The mailboxes under one root directory.
#[derive(Debug, Clone)]
pub struct Mailbox {
    root: PathBuf,
    limits: MailboxLimits,
}

/// Deliveries made by this process: the `Q` part of a stem.
static DELIVERIES: AtomicU64 = AtomicU64::new(0);

impl Mailbox {
    /// The mailboxes under `root` (created on first delivery), with the default limits.
    #[must_use]
    pub fn new(root: PathBuf) -> Self {
        Self::with_limits(root, MailboxLimits::default())
    }

    /// The mailboxes under `root`, with these limits.
    #[must_use]
    pub fn with_limits(root: PathBuf, limits: MailboxLimits) -> Self {
        Self { root, limits }
    }

    /// The root directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of `user`'s mailbox.
    ///
    /// # Errors
    ///
    /// [`MailboxError::BadUserName`] if `user` cannot name a directory.
    pub fn user_dir(&self, user: &str) -> Result<PathBuf, MailboxError> {
        validate_user_name(user)?;
        Ok(self.root.join(user))
    }

    /// Delivers the content in the file at `content` to `user`'s mailbox; see
    /// [`Mailbox::deliver`].
    ///
    /// # Errors
    ///
    /// As [`Mailbox::deliver`], and [`MailboxError::Io`] if the file cannot be opened.
    pub fn deliver_file(
        &self,
        user: &str,
        content: &Path,
        record: &DeliveryRecord,
    ) -> Result<PathBuf, MailboxError> {
        let mut file = File::open(content).map_err(io_err("open", content))?;
        self.deliver(user, &mut file, record)
    }

    /// Delivers a message to `user`'s mailbox: the content read from `content` to its end
    /// (in chunks of [`COPY_CHUNK_LEN`]), and `record` with its `content_length` set to the
    /// octets written. Returns the path of the content file in `new/`, once the message is on
    /// disk.
    ///
    /// # Errors
    ///
    /// [`MailboxError::BadUserName`], [`MailboxError::ContentTooLong`], or
    /// [`MailboxError::Io`] naming the operation and the file. On error nothing is in `new/`
    /// for this message, and its files in `tmp/` are removed as far as possible.
    pub fn deliver(
        &self,
        user: &str,
        content: &mut dyn Read,
        record: &DeliveryRecord,
    ) -> Result<PathBuf, MailboxError> {
        let dir = self.user_dir(user)?;
        let (tmp, new) = self.ensure_dirs(&dir)?;
        let (stem, file, tmp_content) = create_unique(&tmp)?;
        self.write_from_tmp(&tmp, &new, &stem, file, &tmp_content, content, record)
    }

    /// Delivers a message once: as [`Mailbox::deliver`], under the stem `key` (a name by the
    /// rules of [`validate_user_name`]), and if `new/` holds a complete message of that stem
    /// already, nothing is written and its path is returned. An MTA that crashed after a
    /// delivery and before recording it delivers again under the same key: the recipient
    /// gets one copy.
    ///
    /// # Errors
    ///
    /// As [`Mailbox::deliver`]; [`MailboxError::BadUserName`] for a bad key too.
    pub fn deliver_once(
        &self,
        user: &str,
        key: &str,
        content: &mut dyn Read,
        record: &DeliveryRecord,
    ) -> Result<PathBuf, MailboxError> {
        validate_user_name(key)?;
        let dir = self.user_dir(user)?;
        let (tmp, new) = self.ensure_dirs(&dir)?;
        let done = new.join(format!("{key}.{CONTENT_EXTENSION}"));
        if done.is_file() && new.join(format!("{key}.{RECORD_EXTENSION}")).is_file() {
            return Ok(done);
        }
        let tmp_content = tmp.join(format!("{key}.{CONTENT_EXTENSION}"));
        // A leftover of an attempt that crashed is overwritten.
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp_content)
            .map_err(io_err("create", &tmp_content))?;
        let _ = fs::remove_file(tmp.join(format!("{key}.{RECORD_EXTENSION}")));
        self.write_from_tmp(&tmp, &new, key, file, &tmp_content, content, record)
    }

    /// Writes a message whose content file in `tmp/` is open, and moves it into `new/`.
    #[allow(clippy::too_many_arguments)]
    fn write_from_tmp(
        &self,
        tmp: &Path,
        new: &Path,
        stem: &str,
        mut file: File,
        tmp_content: &Path,
        content: &mut dyn Read,
        record: &DeliveryRecord,
    ) -> Result<PathBuf, MailboxError> {
        let tmp_record = tmp.join(format!("{stem}.{RECORD_EXTENSION}"));
        let result = self.write_message(
            &mut file,
            tmp_content,
            &tmp_record,
            new,
            stem,
            content,
            record,
        );
        drop(file);
        if result.is_err() {
            // Best effort: a leftover in tmp/ is never listed, only wasted space.
            let _ = fs::remove_file(tmp_content);
            let _ = fs::remove_file(&tmp_record);
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn write_message(
        &self,
        file: &mut File,
        tmp_content: &Path,
        tmp_record: &Path,
        new: &Path,
        stem: &str,
        content: &mut dyn Read,
        record: &DeliveryRecord,
    ) -> Result<PathBuf, MailboxError> {
        let length = copy_bounded(content, file, tmp_content, self.limits.max_content_len)?;
        file.sync_all().map_err(io_err("sync", tmp_content))?;

        let mut record = record.clone();
        record.content_length = length;
        let out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp_record)
            .map_err(io_err("create", tmp_record))?;
        let mut out = BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, &record).map_err(|e| MailboxError::Io {
            action: "write",
            path: tmp_record.to_owned(),
            source: e.into(),
        })?;
        let out = out
            .into_inner()
            .map_err(|e| io_err("write", tmp_record)(e.into_error()))?;
        out.sync_all().map_err(io_err("sync", tmp_record))?;

        // The record first, then the content. Both files are on disk before either rename,
        // so whatever a crash leaves in new/ is whole; a message is listed only with both
        // files, and this returns (and the caller forgets the message) only once the sync of
        // new/ has made both renames durable.
        let new_record = new.join(format!("{stem}.{RECORD_EXTENSION}"));
        let new_content = new.join(format!("{stem}.{CONTENT_EXTENSION}"));
        fs::rename(tmp_record, &new_record).map_err(io_err("rename", tmp_record))?;
        if let Err(e) = fs::rename(tmp_content, &new_content) {
            let _ = fs::remove_file(&new_record);
            return Err(io_err("rename", tmp_content)(e));
        }
        sync_dir(new)?;
        Ok(new_content)
    }

    /// Creates `tmp/`, `new/` and `cur/` if `new/` is missing, and makes the new directories
    /// durable. Returns `tmp/` and `new/`.
    fn ensure_dirs(&self, dir: &Path) -> Result<(PathBuf, PathBuf), MailboxError> {
        let tmp = dir.join("tmp");
        let new = dir.join("new");
        if !(tmp.is_dir() && new.is_dir()) {
            fs::create_dir_all(dir).map_err(io_err("create", dir))?;
            for sub in ["tmp", "new", "cur"] {
                let path = dir.join(sub);
                match fs::create_dir(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io_err("create", &path)(e)),
                }
            }
            sync_dir(dir)?;
            sync_dir(&self.root)?;
        }
        Ok((tmp, new))
    }

    /// The complete messages in `user`'s `new/`, oldest arrival first (then by stem). A
    /// message is complete when its `.p1` and its `.json` are both there; either alone, or
    /// anything in `tmp/`, is a delivery that did not finish and is not listed. A user without
    /// a mailbox has none.
    ///
    /// # Errors
    ///
    /// [`MailboxError::BadUserName`]; [`MailboxError::TooManyMessages`] past the limit;
    /// [`MailboxError::BadRecord`] or [`MailboxError::RecordTooLong`] for the record of a
    /// complete message; [`MailboxError::Io`].
    pub fn list(&self, user: &str) -> Result<Vec<Delivered>, MailboxError> {
        let new = self.user_dir(user)?.join("new");
        let entries = match fs::read_dir(&new) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err("read", &new)(e)),
        };
        let mut listed = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err("read", &new))?;
            let file_name = entry.file_name();
            let Some(stem) = file_name
                .to_str()
                .and_then(|n| n.strip_suffix(CONTENT_EXTENSION))
                .and_then(|n| n.strip_suffix('.'))
            else {
                continue;
            };
            let record_path = new.join(format!("{stem}.{RECORD_EXTENSION}"));
            let record = match self.read_record(&record_path) {
                Ok(r) => r,
                // A content without its record: a delivery cut short by a crash before new/
                // was synced (never reported as delivered), or not ours. No message.
                Err(MailboxError::Io { source, .. })
                    if source.kind() == io::ErrorKind::NotFound =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            };
            if listed.len() >= self.limits.max_listed {
                return Err(MailboxError::TooManyMessages {
                    path: new,
                    limit: self.limits.max_listed,
                });
            }
            listed.push(Delivered {
                stem: stem.to_owned(),
                record,
                content: entry.path(),
            });
        }
        listed.sort_by(|a, b| {
            (a.record.arrival_time, &a.stem).cmp(&(b.record.arrival_time, &b.stem))
        });
        Ok(listed)
    }

    fn read_record(&self, path: &Path) -> Result<DeliveryRecord, MailboxError> {
        let file = File::open(path).map_err(io_err("open", path))?;
        let limit = self.limits.max_record_len;
        let mut text = Vec::new();
        file.take(limit.saturating_add(1))
            .read_to_end(&mut text)
            .map_err(io_err("read", path))?;
        if u64::try_from(text.len()).unwrap_or(u64::MAX) > limit {
            return Err(MailboxError::RecordTooLong {
                path: path.to_owned(),
                limit,
            });
        }
        serde_json::from_slice(&text).map_err(|source| MailboxError::BadRecord {
            path: path.to_owned(),
            source,
        })
    }
}

/// A fresh stem and its content file in `tmp/`, created exclusively.
fn create_unique(tmp: &Path) -> Result<(String, File, PathBuf), MailboxError> {
    let mut last = None;
    for _ in 0..STEM_ATTEMPTS {
        let stem = unique_stem();
        let path = tmp.join(format!("{stem}.{CONTENT_EXTENSION}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((stem, file, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some((e, path)),
            Err(e) => return Err(io_err("create", &path)(e)),
        }
    }
    let (source, path) = last.unwrap_or_else(|| {
        (
            io::Error::from(io::ErrorKind::AlreadyExists),
            tmp.to_owned(),
        )
    });
    Err(MailboxError::Io {
        action: "create",
        path,
        source,
    })
}

/// `<seconds>.M<microseconds>P<pid>Q<count>`: unique within the process by the count, across
/// processes by the pid, across reboots by the time.
fn unique_stem() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let count = DELIVERIES.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}.M{}P{}Q{}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        count
    )
}

/// Copies `from` to `to` in chunks of [`COPY_CHUNK_LEN`], refusing more than `limit` octets.
fn copy_bounded(
    from: &mut dyn Read,
    to: &mut File,
    path: &Path,
    limit: u64,
) -> Result<u64, MailboxError> {
    let mut buf = vec![0u8; COPY_CHUNK_LEN];
    let mut total: u64 = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(MailboxError::Io {
                    action: "read the content for",
                    path: path.to_owned(),
                    source: e,
                });
            }
        };
        total = total.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        if total > limit {
            return Err(MailboxError::ContentTooLong { limit });
        }
        let chunk = buf.get(..n).unwrap_or_default();
        to.write_all(chunk).map_err(io_err("write", path))?;
    }
}

/// Makes a directory's entries durable (a rename is durable once its directory is synced).
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), MailboxError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("sync", dir))
}

/// Directories cannot be opened for syncing here; renames are as durable as the platform
/// makes them.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), MailboxError> {
    Ok(())
}

#[cfg(test)]
mod tests;
