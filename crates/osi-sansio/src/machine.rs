//! The shape every protocol machine shares.

use crate::Instant;

/// The caller's buffer cannot hold the next unit to send; nothing was taken from the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BufferTooSmall {
    /// Octets the unit needs.
    pub needed: usize,
}

impl core::fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "the transmit buffer is too small: the next unit needs {} octets",
            self.needed
        )
    }
}

impl core::error::Error for BufferTooSmall {}

/// The output and timer side of a sans-IO protocol machine (see the crate documentation for
/// the whole contract). Input differs by layer and is handled by each machine's own
/// `handle_*` methods; what comes out is always drained the same way:
///
/// ```
/// # use osi_sansio::{Instant, Machine};
/// /// Everything `m` has to say after an input, a request or a timeout.
/// fn drain<M: Machine>(m: &mut M, now: Instant, buf: &mut [u8], send: &mut dyn FnMut(&[u8])) {
///     while let Ok(Some(n)) = m.poll_transmit(now, buf) {
///         send(buf.get(..n).unwrap_or_default());
///     }
///     while let Some(_event) = m.poll_event() {
///         // act on it
///     }
/// }
/// ```
pub trait Machine {
    /// What [`Machine::poll_event`] returns; it may borrow the machine's receive buffer.
    type Event<'a>
    where
        Self: 'a;

    /// Writes the next unit to send (a TPDU, a TSDU) into `buf` and returns its length, or
    /// `None` when nothing is queued.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `buf` is shorter than the unit; the unit stays queued.
    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<usize>, BufferTooSmall>;

    /// The next indication or confirm for the user, in the order they happened.
    fn poll_event(&mut self) -> Option<Self::Event<'_>>;

    /// The earliest instant at which [`Machine::handle_timeout`] must be called, if any timer
    /// runs.
    fn poll_timeout(&self) -> Option<Instant>;

    /// Handles every timer due at `now`. Calling it early or twice is harmless.
    fn handle_timeout(&mut self, now: Instant);
}
