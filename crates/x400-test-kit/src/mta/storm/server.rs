//! The storm's server: MTA-B of [`super::super::table_b`] behind the crate's own [`Shell`],
//! listening on loopback with a deep backlog, securing every APDU it receives and tallying
//! how each inbound association ended.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;
use tokio::time::Instant as TokioInstant;
use x400_mta::association::{Ended, Event};
use x400_mta::shell::{Handle, Shell, ShellConfig};
use x400_mta::{Accounting, Counters, Limits, Protocol};

use super::super::table_b;

/// The server's settings.
#[derive(Debug, Clone, Copy)]
pub struct ServerSettings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// From the first octet to the bind: silent attackers are cut after this.
    pub handshake_timeout: Duration,
    /// Nothing received on a bound association for this long aborts it.
    pub idle_timeout: Duration,
    /// Live associations (and MTA-A's inbound limit); also sizes the memory budget.
    pub max_associations: usize,
    /// Connections in their handshake, in all and per source address.
    pub max_handshakes: usize,
}

impl ServerSettings {
    /// Settings for a storm of `concurrency` attempts at a time: short timeouts, and
    /// limits no valid association can reach.
    pub fn storm(concurrency: usize) -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            handshake_timeout: Duration::from_millis(500),
            idle_timeout: Duration::from_secs(2),
            max_associations: 4 * concurrency + 64,
            max_handshakes: 4 * concurrency + 64,
        }
    }
}

/// How the server's inbound associations ended, counted by its handles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Handles the listener gave out (accepted connections under the limits).
    pub accepted: u64,
    /// Of those, bound.
    pub bound: u64,
    /// APDUs received and secured.
    pub apdus: u64,
    /// Ends, by [`Ended`] variant.
    pub released: u64,
    /// We refused the bind or the connect.
    pub we_refused: u64,
    /// Aborted by either side.
    pub aborted: u64,
    /// The transport closed first (a close or a reset).
    pub transport_closed: u64,
    /// No bind within the handshake timeout.
    pub handshake_timeout: u64,
    /// Nothing arrived for the idle timeout.
    pub idle: u64,
    /// Any other end.
    pub other: u64,
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "accepted {} bound {} apdus {} | ended: released {} we-refused {} aborted {} \
             transport-closed {} handshake-timeout {} idle {} other {}",
            self.accepted,
            self.bound,
            self.apdus,
            self.released,
            self.we_refused,
            self.aborted,
            self.transport_closed,
            self.handshake_timeout,
            self.idle,
            self.other
        )
    }
}

/// MTA-B listening on loopback, securing every APDU it receives.
pub struct Server {
    /// The shell (its accounting holds the counters).
    pub shell: Shell,
    /// Where it listens.
    pub addr: SocketAddr,
    tally: Arc<Mutex<Tally>>,
}

impl Server {
    /// Starts listening with `settings` (on the current tokio runtime).
    ///
    /// # Panics
    ///
    /// The listener cannot be bound.
    pub async fn start(settings: ServerSettings) -> Self {
        let mut table = table_b(Protocol::P1984);
        let mut a = table.get("MTA-A").unwrap().clone();
        a.max_inbound = settings.max_associations;
        table.insert(a);
        let mut limits = Limits::default();
        limits.max_associations = settings.max_associations;
        limits.max_handshakes = settings.max_handshakes;
        limits.max_handshakes_per_source = settings.max_handshakes;
        limits.max_memory = limits
            .association_memory
            .saturating_mul(settings.max_associations + settings.max_handshakes);
        let mut config = ShellConfig::default();
        config.association.handshake_timeout = settings.handshake_timeout;
        config.association.idle_timeout = settings.idle_timeout;
        let shell = Shell::new(config, table, Accounting::new(limits));
        let listener = listen(settings.listen);
        let addr = listener.local_addr().unwrap();
        let tally = Arc::new(Mutex::new(Tally::default()));
        let (tx, mut rx) = mpsc::channel::<Handle>(64);
        let listening = shell.clone();
        tokio::spawn(async move { listening.listen(listener, tx).await });
        let counting = tally.clone();
        tokio::spawn(async move {
            while let Some(h) = rx.recv().await {
                counting.lock().unwrap().accepted += 1;
                tokio::spawn(serve(h, counting.clone()));
            }
        });
        Self { shell, addr, tally }
    }

    /// How the inbound associations ended so far.
    pub fn tally(&self) -> Tally {
        self.tally.lock().unwrap().clone()
    }

    /// Waits up to `within` for the accounting to hold nothing.
    ///
    /// # Errors
    ///
    /// The counters still held something at the end.
    pub async fn idle(&self, within: Duration) -> Result<Counters, Counters> {
        wait_idle(self.shell.accounting(), within).await
    }
}

/// A listener on `addr` with a backlog of [`BACKLOG`].
///
/// # Panics
///
/// The socket cannot be bound.
pub fn listen(addr: SocketAddr) -> TcpListener {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
    .unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    socket.listen(BACKLOG).unwrap()
}

/// Connections the kernel queues for a listener before it drops SYNs (the default of
/// `TcpListener::bind`, 128, overflows under a storm of 48 initiators, and each SYN dropped
/// costs its client a 1 s retransmission).
pub const BACKLOG: u32 = 4096;

/// Waits up to `within` for `acct` to hold nothing.
///
/// # Errors
///
/// The counters still held something at the end.
pub async fn wait_idle(acct: &Accounting, within: Duration) -> Result<Counters, Counters> {
    let end = TokioInstant::now() + within;
    loop {
        let c = acct.counters();
        if c.is_idle() {
            return Ok(c);
        }
        if TokioInstant::now() >= end {
            return Err(c);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One inbound association: secures every APDU, counts how it ended.
async fn serve(mut h: Handle, tally: Arc<Mutex<Tally>>) {
    while let Some(ev) = h.next().await {
        match ev {
            Event::Bound { .. } => tally.lock().unwrap().bound += 1,
            // A request to a task that has ended fails; its last events still come, so
            // keep reading them.
            Event::ApduCheckpoint { serial, .. } => {
                let _ = h.confirm_checkpoint(serial).await;
            }
            Event::ApduEnd { .. } => {
                tally.lock().unwrap().apdus += 1;
                let _ = h.secured().await;
            }
            Event::Ended(why) => {
                let mut t = tally.lock().unwrap();
                match why {
                    Ended::Released => t.released += 1,
                    Ended::WeRefused(_) => t.we_refused += 1,
                    Ended::Aborted(_) => t.aborted += 1,
                    Ended::TransportClosed(_) => t.transport_closed += 1,
                    Ended::HandshakeTimeout(_) => t.handshake_timeout += 1,
                    Ended::Idle(_) => t.idle += 1,
                    _ => t.other += 1,
                }
                break;
            }
            _ => {}
        }
    }
}
