//! An APDU to transfer: whole in memory, or read from its source (a spool file) piece by piece
//! as the RTS window takes it, so that sending a message of any size needs bounded memory.

use std::io::{self, Read};
use std::sync::Arc;

/// Opens a fresh reader of a streamed APDU's octets, from the first.
pub type Opener = dyn Fn() -> io::Result<Box<dyn Read + Send>> + Send + Sync;

/// An APDU given to [`super::Association::transfer`].
#[derive(Clone)]
pub enum Apdu {
    /// The octets, in memory.
    Whole(Vec<u8>),
    /// `len` octets read, when the transfer starts, from the reader `open` gives. The
    /// association reads at most [`Apdu::CHUNK`] octets ahead of what the RTS machine took.
    /// Reading is blocking I/O: give it a local file, not a network stream.
    Streamed {
        /// The APDU's length; a source that ends sooner fails the transfer.
        len: u64,
        /// Opens the source.
        open: Arc<Opener>,
    },
}

impl Apdu {
    /// Octets a streamed APDU is read in.
    pub const CHUNK: usize = 64 << 10;

    /// A streamed APDU of `len` octets read from what `open` returns.
    pub fn streamed(
        len: u64,
        open: impl Fn() -> io::Result<Box<dyn Read + Send>> + Send + Sync + 'static,
    ) -> Self {
        Self::Streamed {
            len,
            open: Arc::new(open),
        }
    }

    /// The APDU's length in octets.
    #[must_use]
    pub fn len(&self) -> u64 {
        match self {
            Self::Whole(v) => v.len() as u64,
            Self::Streamed { len, .. } => *len,
        }
    }

    /// Whether it has no octets.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The octets of a whole APDU.
    #[must_use]
    pub fn as_whole(&self) -> Option<&[u8]> {
        match self {
            Self::Whole(v) => Some(v),
            Self::Streamed { .. } => None,
        }
    }

    /// The octets of a whole APDU, taken.
    #[must_use]
    pub fn into_whole(self) -> Option<Vec<u8>> {
        match self {
            Self::Whole(v) => Some(v),
            Self::Streamed { .. } => None,
        }
    }
}

impl From<Vec<u8>> for Apdu {
    fn from(v: Vec<u8>) -> Self {
        Self::Whole(v)
    }
}

/// Whole APDUs are equal by their octets; streamed ones only if they are the same source.
impl PartialEq for Apdu {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Whole(a), Self::Whole(b)) => a == b,
            (Self::Streamed { len: a, open: x }, Self::Streamed { len: b, open: y }) => {
                a == b && Arc::ptr_eq(x, y)
            }
            _ => false,
        }
    }
}

impl Eq for Apdu {}

impl core::fmt::Debug for Apdu {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Whole(v) => write!(f, "Apdu::Whole({} octets)", v.len()),
            Self::Streamed { len, .. } => write!(f, "Apdu::Streamed({len} octets)"),
        }
    }
}

/// What is being read of the streamed APDU in transfer.
#[derive(Default)]
pub(super) struct Reading {
    pub(super) reader: Option<Box<dyn Read + Send>>,
    /// Octets read and not yet taken by the RTS machine: `chunk[pos..]`.
    pub(super) chunk: Vec<u8>,
    pub(super) pos: usize,
    /// Octets read from the source so far.
    pub(super) read: u64,
}

impl core::fmt::Debug for Reading {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reading")
            .field("read", &self.read)
            .field("buffered", &(self.chunk.len() - self.pos))
            .finish_non_exhaustive()
    }
}

impl Reading {
    /// The octets not yet taken, reading the next chunk of the source when they are all
    /// taken. Empty once `len` octets were read.
    pub(super) fn next(&mut self, len: u64, open: &Opener) -> Result<&[u8], String> {
        if self.pos >= self.chunk.len() && self.read < len {
            if self.reader.is_none() {
                self.reader =
                    Some(open().map_err(|e| format!("the APDU's source cannot be opened: {e}"))?);
            }
            let want =
                usize::try_from((len - self.read).min(Apdu::CHUNK as u64)).unwrap_or(Apdu::CHUNK);
            self.chunk.resize(want, 0);
            let Some(reader) = self.reader.as_mut() else {
                return Err("the APDU's source is gone".into());
            };
            let n = reader
                .read(&mut self.chunk)
                .map_err(|e| format!("reading the APDU's source failed: {e}"))?;
            if n == 0 {
                return Err(format!(
                    "the APDU's source ended after {} of {len} octets",
                    self.read
                ));
            }
            self.chunk.truncate(n);
            self.pos = 0;
            self.read += n as u64;
        }
        Ok(self.chunk.get(self.pos..).unwrap_or_default())
    }
}
