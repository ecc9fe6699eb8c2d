//! Message content on its way into the store and back out: kept in memory while small, written
//! to a spool file once larger, so a message of any size needs bounded memory.
//!
//! A spool file is written as `NAME.part`, synced, then renamed to `NAME` and its directory
//! synced: a file without `.part` is complete. Files the database does not refer to (a crash
//! between the rename and the commit) are removed when the store opens.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Result, StoreError};

/// Suffix of a spool file still being written.
pub(super) const PART: &str = ".part";

/// Where a message's content is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// In the database (small content).
    Inline(Vec<u8>),
    /// In the spool file of this name.
    Spooled {
        /// The file's name in the spool directory.
        name: String,
        /// Its length in octets.
        len: u64,
    },
}

impl Content {
    /// Octets of content.
    #[must_use]
    pub fn len(&self) -> u64 {
        match self {
            Self::Inline(v) => v.len() as u64,
            Self::Spooled { len, .. } => *len,
        }
    }

    /// Whether there are no octets.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Collects content as it arrives: in memory up to the inline limit, then in a spool file.
#[derive(Debug)]
pub struct SpoolWriter {
    dir: PathBuf,
    inline_limit: usize,
    memory: Vec<u8>,
    file: Option<(File, String)>,
    len: u64,
}

/// Distinguishes spool files made in the same nanosecond by one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

impl SpoolWriter {
    /// A writer whose content goes to `dir` once it exceeds `inline_limit` octets.
    pub(super) fn new(dir: PathBuf, inline_limit: usize) -> Self {
        Self {
            dir,
            inline_limit,
            memory: Vec::new(),
            file: None,
            len: 0,
        }
    }

    /// Octets written so far.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends content octets.
    ///
    /// # Errors
    ///
    /// [`StoreError::Spool`] if the spool file cannot be created or written (a full disk).
    pub fn write(&mut self, data: &[u8]) -> Result<()> {
        if self.file.is_none() && self.memory.len() + data.len() > self.inline_limit {
            let name = unique_name();
            let path = self.dir.join(format!("{name}{PART}"));
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|source| spool_error(&path, source))?;
            f.write_all(&self.memory)
                .map_err(|source| spool_error(&path, source))?;
            self.memory = Vec::new();
            self.file = Some((f, name));
        }
        match &mut self.file {
            Some((f, name)) => f
                .write_all(data)
                .map_err(|source| spool_error(&self.dir.join(format!("{name}{PART}")), source))?,
            None => self.memory.extend_from_slice(data),
        }
        self.len += data.len() as u64;
        Ok(())
    }

    /// Makes the content durable: a spool file is synced, renamed to its final name, and its
    /// directory synced. The caller then gives the [`Content`] to the store.
    ///
    /// # Errors
    ///
    /// [`StoreError::Spool`] if syncing or renaming fails.
    pub fn finish(mut self) -> Result<Content> {
        let Some((f, name)) = self.file.take() else {
            return Ok(Content::Inline(core::mem::take(&mut self.memory)));
        };
        let part = self.dir.join(format!("{name}{PART}"));
        f.sync_all().map_err(|source| spool_error(&part, source))?;
        drop(f);
        let done = self.dir.join(&name);
        fs::rename(&part, &done).map_err(|source| spool_error(&done, source))?;
        sync_dir(&self.dir)?;
        Ok(Content::Spooled {
            name,
            len: self.len,
        })
    }
}

impl Drop for SpoolWriter {
    fn drop(&mut self) {
        // An abandoned transfer leaves nothing behind.
        if let Some((_, name)) = self.file.take() {
            let _ = fs::remove_file(self.dir.join(format!("{name}{PART}")));
        }
    }
}

/// Reads stored content back, in whatever pieces the caller asks for.
#[derive(Debug)]
pub enum ContentReader {
    /// Content kept in the database.
    Inline(Cursor<Vec<u8>>),
    /// A spool file.
    File(File),
}

impl ContentReader {
    /// Opens `content`, whose spool files are in `dir`.
    pub(super) fn open(dir: &Path, content: Content) -> Result<Self> {
        Ok(match content {
            Content::Inline(v) => Self::Inline(Cursor::new(v)),
            Content::Spooled { name, .. } => {
                let path = dir.join(name);
                Self::File(File::open(&path).map_err(|source| spool_error(&path, source))?)
            }
        })
    }
}

impl Read for ContentReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Inline(c) => c.read(buf),
            Self::File(f) => f.read(buf),
        }
    }
}

/// A name no other spool file of this host has: time, process and a counter.
fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{nanos}.{}.{n}", std::process::id())
}

/// Syncs a directory, so that a rename or removal in it is durable.
pub(super) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| spool_error(dir, source))
}

pub(super) fn spool_error(path: &Path, source: io::Error) -> StoreError {
    StoreError::Spool {
        path: path.to_path_buf(),
        source,
    }
}
