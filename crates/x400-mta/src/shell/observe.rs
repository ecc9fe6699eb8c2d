//! What an observer of the shell's associations sees: each TCP connection when its task
//! starts, the octets it moves, and how long it lasted. A capture writer or a metrics
//! exporter hangs here; without an observer the tasks do nothing more than before.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::accounting::Direction;

/// One association's TCP connection, as its task starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Connection {
    /// Our end.
    pub local: SocketAddr,
    /// The peer's end.
    pub remote: SocketAddr,
    /// Who connected.
    pub direction: Direction,
    /// The configured peer we connected to; `None` for an inbound connection, whose peer
    /// is known only once it binds.
    pub peer: Option<String>,
}

impl Connection {
    /// A connection from `local` to `remote` (an observer's tests make their own).
    #[must_use]
    pub fn new(
        local: SocketAddr,
        remote: SocketAddr,
        direction: Direction,
        peer: Option<String>,
    ) -> Self {
        Self {
            local,
            remote,
            direction,
            peer,
        }
    }
}

/// Watches the shell's associations. Called from the association tasks: every method must
/// return quickly and must not panic.
pub trait Observer: Send + Sync + core::fmt::Debug {
    /// A connection's task starts: a tap for its octets, or `None` to see none of them.
    fn opened(&self, connection: &Connection) -> Option<Box<dyn Tap>>;

    /// The association ended after `lasted`, from its task's start to our side of TCP
    /// closing.
    fn ended(&self, connection: &Connection, lasted: Duration) {
        let _ = (connection, lasted);
    }
}

/// The octets of one connection, in the order they crossed the socket. An error stops the
/// tap (the task logs it once and calls nothing more on it); the association goes on.
pub trait Tap: Send {
    /// Octets read from the peer at `at`.
    ///
    /// # Errors
    ///
    /// Whatever the tap could not do; it is then dropped.
    fn received(&mut self, at: SystemTime, octets: &[u8]) -> std::io::Result<()>;

    /// Octets handed to the socket for the peer at `at`.
    ///
    /// # Errors
    ///
    /// Whatever the tap could not do; it is then dropped.
    fn sent(&mut self, at: SystemTime, octets: &[u8]) -> std::io::Result<()>;

    /// The connection closed at `at`; nothing more will come.
    ///
    /// # Errors
    ///
    /// Whatever the tap could not do.
    fn closed(&mut self, at: SystemTime) -> std::io::Result<()>;
}

/// What a task with an observer keeps: boxed, so that a task without one carries a single
/// null pointer.
pub(super) struct Observed {
    observer: Arc<dyn Observer>,
    connection: Connection,
    /// Dropped at its first error.
    tap: Option<Box<dyn Tap>>,
    started: std::time::Instant,
}

impl Observed {
    /// Tells `observer` about `connection` and keeps the tap it gives.
    pub(super) fn start(observer: Arc<dyn Observer>, connection: Connection) -> Box<Self> {
        let tap = observer.opened(&connection);
        Box::new(Self {
            observer,
            connection,
            tap,
            started: std::time::Instant::now(),
        })
    }

    fn each(&mut self, f: impl FnOnce(&mut dyn Tap) -> std::io::Result<()>) {
        if let Some(tap) = self.tap.as_deref_mut()
            && let Err(e) = f(tap)
        {
            // Once: the tap is gone, the association is not affected.
            tracing::warn!(
                "mta: stopped observing the connection with {}: {e}",
                self.connection.remote
            );
            self.tap = None;
        }
    }

    pub(super) fn received(&mut self, octets: &[u8]) {
        self.each(|t| t.received(SystemTime::now(), octets));
    }

    pub(super) fn sent(&mut self, octets: &[u8]) {
        self.each(|t| t.sent(SystemTime::now(), octets));
    }

    /// Our side is closed: the tap's last call, then the observer's.
    pub(super) fn ended(&mut self) {
        self.each(|t| t.closed(SystemTime::now()));
        self.tap = None;
        self.observer
            .ended(&self.connection, self.started.elapsed());
    }
}
