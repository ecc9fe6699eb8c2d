//! The caller-provided buffers: a queue of encoded TSDUs waiting for `poll_transmit`, and
//! the octets of received user data that queued events borrow.

use osi_sansio::{BufferTooSmall, Storage};

use super::event::Event;
use super::{Error, Result};
use crate::{Spdu, Tsdu};

/// Octets of the length prefix of each queued TSDU.
const PREFIX: usize = 4;

/// Encoded TSDUs, each as a 4-octet big-endian length and the octets, in `buf[head..tail]`.
/// Entries from `hold` on are kept back (CDOs waiting for OA).
#[derive(Debug)]
pub(crate) struct TxQueue<B> {
    buf: B,
    head: usize,
    tail: usize,
    hold: Option<usize>,
}

impl<B: Storage> TxQueue<B> {
    pub(crate) fn storage(&self) -> &B {
        &self.buf
    }

    pub(crate) fn new(buf: B) -> Self {
        Self {
            buf,
            head: 0,
            tail: 0,
            hold: None,
        }
    }

    /// Octets a TSDU of `len` could still take after compaction.
    pub(crate) fn free(&self) -> usize {
        let used = self.tail - self.head;
        self.buf.limit().saturating_sub(used + PREFIX)
    }

    /// Encodes `spdus` as one TSDU at the end of the queue.
    pub(crate) fn push(&mut self, spdus: &[Spdu<'_>]) -> Result<()> {
        let tsdu = Tsdu::from_spdus(spdus).map_err(Error::Encode)?;
        let len = tsdu.encoded_len().map_err(Error::Encode)?;
        let prefix = u32::try_from(len).map_err(|_| Error::TransmitFull {
            needed: len,
            available: self.free(),
        })?;
        if self.tail + PREFIX + len > self.buf.limit() {
            self.compact();
        }
        let available = self.free();
        let start = self.tail;
        let full = Error::TransmitFull {
            needed: len,
            available,
        };
        if !self.buf.grow_to(start + PREFIX + len) {
            return Err(full);
        }
        let out = self
            .buf
            .octets_mut()
            .get_mut(start..start + PREFIX + len)
            .ok_or(full)?;
        let (head, body) = out.split_at_mut(PREFIX);
        head.copy_from_slice(&prefix.to_be_bytes());
        // The machine sends only basic concatenation, valid for any receiver.
        tsdu.encode(false, body).map_err(Error::Encode)?;
        self.tail += PREFIX + len;
        Ok(())
    }

    fn compact(&mut self) {
        if self.head > 0 {
            let (h, t) = (self.head, self.tail);
            self.buf.octets_mut().copy_within(h..t, 0);
            self.hold = self.hold.map(|x| x - h);
            self.head = 0;
            self.tail = t - h;
        }
    }

    /// Keeps back everything pushed from now on, until [`TxQueue::release`].
    pub(crate) fn hold(&mut self) {
        self.hold = Some(self.tail);
    }

    pub(crate) fn release(&mut self) {
        self.hold = None;
    }

    /// Drops what is held back.
    pub(crate) fn drop_held(&mut self) {
        if let Some(h) = self.hold.take() {
            self.tail = h;
        }
    }

    fn end(&self) -> usize {
        self.hold.unwrap_or(self.tail)
    }

    fn next_len(&self) -> Option<usize> {
        if self.head >= self.end() {
            return None;
        }
        let p = self.buf.octets().get(self.head..self.head + PREFIX)?;
        let n = u32::from_be_bytes([*p.first()?, *p.get(1)?, *p.get(2)?, *p.get(3)?]);
        usize::try_from(n).ok()
    }

    /// Length of the next TSDU ready to send.
    pub(crate) fn peek_len(&self) -> Option<usize> {
        self.next_len()
    }

    /// Copies the next TSDU into `out`.
    pub(crate) fn pop(&mut self, out: &mut [u8]) -> Result<Option<usize>, BufferTooSmall> {
        let Some(len) = self.next_len() else {
            return Ok(None);
        };
        let start = self.head + PREFIX;
        let src = self
            .buf
            .octets()
            .get(start..start + len)
            .unwrap_or_default();
        let dst = out.get_mut(..len).ok_or(BufferTooSmall { needed: len })?;
        dst.copy_from_slice(src);
        self.head = start + len;
        if self.head == self.tail {
            self.head = 0;
            self.tail = 0;
            self.hold = self.hold.map(|_| 0);
            self.buf.shrink_to(0);
        }
        Ok(Some(len))
    }
}

/// Offset and length of octets in the receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    start: usize,
    len: usize,
}

/// Most events one call can queue: the four SPDUs of an extended concatenation, an abort
/// and a transport disconnect, with room to spare.
pub const MAX_EVENTS: usize = 8;

/// Received user data and the events that refer to it.
#[derive(Debug)]
pub(crate) struct RxStore<B> {
    buf: B,
    used: usize,
    /// Octets at the start of `buf` kept across calls (connect data collected in STA01D).
    pinned: usize,
    events: [Option<Event<Span>>; MAX_EVENTS],
    head: usize,
    len: usize,
}

impl<B: Storage> RxStore<B> {
    pub(crate) fn storage(&self) -> &B {
        &self.buf
    }

    pub(crate) fn new(buf: B) -> Self {
        Self {
            buf,
            used: 0,
            pinned: 0,
            events: [None; MAX_EVENTS],
            head: 0,
            len: 0,
        }
    }

    pub(crate) fn pending(&self) -> usize {
        self.len
    }

    pub(crate) fn free(&self) -> usize {
        self.buf.limit().saturating_sub(self.used)
    }

    pub(crate) fn event_room(&self) -> usize {
        MAX_EVENTS - self.len
    }

    /// Copies `data` into the buffer.
    pub(crate) fn store(&mut self, data: &[u8]) -> core::result::Result<Span, (usize, usize)> {
        let start = self.used;
        let available = self.free();
        let end = start + data.len();
        let dst = self
            .buf
            .grow_to(end)
            .then(|| self.buf.octets_mut().get_mut(start..end))
            .flatten()
            .ok_or((data.len(), available))?;
        dst.copy_from_slice(data);
        self.used += data.len();
        Ok(Span {
            start,
            len: data.len(),
        })
    }

    /// A span covering `a` and `b`, which must be adjacent.
    pub(crate) fn join(a: Span, b: Span) -> Span {
        Span {
            start: a.start,
            len: a.len + b.len,
        }
    }

    /// With no event queued, nothing refers to the octets after the pinned part.
    pub(crate) fn settle(&mut self) {
        if self.len == 0 {
            self.used = self.pinned;
            self.buf.shrink_to(self.used);
        }
    }

    pub(crate) fn pin(&mut self) {
        self.pinned = self.used;
    }

    pub(crate) fn unpin(&mut self) {
        self.pinned = 0;
    }

    /// Queues an event; a full queue drops it, which the room check in `handle_tsdu`
    /// rules out.
    pub(crate) fn push(&mut self, ev: Event<Span>) {
        let slot = (self.head + self.len) % MAX_EVENTS;
        if self.len < MAX_EVENTS
            && let Some(s) = self.events.get_mut(slot)
        {
            *s = Some(ev);
            self.len += 1;
        }
    }

    pub(crate) fn pop(&mut self) -> Option<Event<&[u8]>> {
        if self.len == 0 {
            // Polling again ends the borrow of the last event: its octets' memory can go.
            self.buf.shrink_to(self.used);
            return None;
        }
        let ev = self.events.get_mut(self.head).and_then(Option::take);
        self.head = (self.head + 1) % MAX_EVENTS;
        self.len -= 1;
        if self.len == 0 {
            // Nothing refers to the octets after the pinned part any more; they stay
            // readable until the next call that stores data.
            self.used = self.pinned;
        }
        let buf = self.buf.octets();
        ev.map(|e| e.map(|s| buf.get(s.start..s.start + s.len).unwrap_or_default()))
    }
}
