//! The tokio shell: runs [`Association`]s over TCP. A listener that counts each accepted
//! connection before reading from it, an outbound connector that dials the peer's
//! configured address directly (from an optional local address; no proxy variable is
//! consulted), one task per association, and a graceful shutdown.
//!
//! The shell is a loop, not logic: every protocol decision is the association's. Each
//! association is reached through a [`Handle`]: its events arrive there in order, and the
//! requests (transfer, secured, close, abort) go through it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use x400_mta::shell::{Shell, ShellConfig};
//! use x400_mta::association::Event;
//! use x400_mta::{Accounting, Limits, Peer, PeerTable, Protocol, Secret};
//!
//! let mut peers = PeerTable::new("MTA-A");
//! let mut b = Peer::new("MTA-B", Secret::new("b-pw"), Secret::new("a-pw"), Protocol::P1984);
//! b.addresses = vec!["192.0.2.2:102".parse()?];
//! peers.insert(b);
//! let shell = Shell::new(ShellConfig::default(), peers, Accounting::new(Limits::default()));
//! let mut assoc = shell.connect("MTA-B").await?;
//! assoc.transfer(b"an MPDU".to_vec()).await?;
//! while let Some(ev) = assoc.next().await {
//!     match ev {
//!         Event::Transferred => assoc.close().await?,
//!         Event::Ended(why) => println!("ended: {why}"),
//!         _ => {}
//!     }
//! }
//! shell.shutdown().await;
//! # Ok(()) }
//! ```

mod handle;
mod observe;
mod task;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{mpsc, watch};

use crate::accounting::Accounting;
use crate::association::{Association, Config};
use crate::peers::PeerTable;

pub use self::handle::{Command, Gone, Handle};
pub use self::observe::{Connection, Observer, Tap};

/// Settings of the shell. Every default is a named constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShellConfig {
    /// The associations' settings (including the handshake and idle timeouts).
    pub association: Config,
    /// How long a TCP connect may take. Default: [`ShellConfig::DEFAULT_CONNECT_TIMEOUT`].
    pub connect_timeout: Duration,
    /// Where outbound connections come from; `None` lets the system choose.
    pub local_address: Option<SocketAddr>,
    /// On shutdown, how long associations have to finish what they are doing before they
    /// are aborted. Default: [`ShellConfig::DEFAULT_SHUTDOWN_GRACE`].
    pub shutdown_grace: Duration,
    /// Events an association may have waiting for its user before it stops reading from
    /// the network. Default: [`ShellConfig::DEFAULT_EVENT_QUEUE`].
    pub event_queue: usize,
}

impl ShellConfig {
    /// Default TCP connect timeout: 20 s.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
    /// Default shutdown grace: 10 s.
    pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
    /// Default event queue: 16 events.
    pub const DEFAULT_EVENT_QUEUE: usize = 16;

    /// The defaults listed on each field.
    #[must_use]
    pub fn new() -> Self {
        Self {
            association: Config::new(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            local_address: None,
            shutdown_grace: Self::DEFAULT_SHUTDOWN_GRACE,
            event_queue: Self::DEFAULT_EVENT_QUEUE,
        }
    }
}

impl Default for ShellConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// What stops the associations: first a request to finish, then an abort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stop {
    /// Running.
    Run,
    /// Shutting down: release when idle, accept nothing new.
    Finish,
    /// The grace period is over: abort.
    Abort,
}

/// Why an outbound association could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The peer is not in the table, or has no address.
    #[error("MTA {0:?} is not a configured peer with an address")]
    UnknownPeer(String),
    /// A limit of the accounting.
    #[error("not connecting to MTA {peer:?}: {refusal}")]
    Limit {
        /// The peer.
        peer: String,
        /// The limit reached.
        refusal: crate::accounting::Refusal,
    },
    /// Every configured address failed.
    #[error("cannot reach MTA {peer:?}: {why}")]
    Unreachable {
        /// The peer.
        peer: String,
        /// What the last attempt said.
        why: String,
    },
    /// The association could not be set up.
    #[error(transparent)]
    Association(#[from] crate::association::Error),
    /// The shell is shutting down.
    #[error("the MTA is shutting down")]
    ShuttingDown,
}

#[derive(Debug)]
struct Shared {
    config: ShellConfig,
    peers: Arc<PeerTable>,
    acct: Accounting,
    epoch: tokio::time::Instant,
    stop: watch::Sender<Stop>,
    /// Each association task holds a clone; shutdown waits for the last to go.
    alive: Mutex<Option<mpsc::Sender<()>>>,
    done: tokio::sync::Mutex<mpsc::Receiver<()>>,
    connections: AtomicU32,
    /// Sees every association's connection; `None` costs the tasks nothing.
    observer: Option<Arc<dyn Observer>>,
}

/// The MTA's network side: a peer table, an accounting, and the associations they allow.
/// Cloning it shares everything.
#[derive(Debug, Clone)]
pub struct Shell {
    shared: Arc<Shared>,
}

impl Shell {
    /// A shell with these settings, peers and accounting.
    #[must_use]
    pub fn new(config: ShellConfig, peers: PeerTable, accounting: Accounting) -> Self {
        Self::build(config, peers, accounting, None)
    }

    /// A shell whose associations `observer` sees: each connection as its task starts
    /// (with a tap on its octets if the observer wants one), and how long it lasted.
    #[must_use]
    pub fn observed(
        config: ShellConfig,
        peers: PeerTable,
        accounting: Accounting,
        observer: Arc<dyn Observer>,
    ) -> Self {
        Self::build(config, peers, accounting, Some(observer))
    }

    fn build(
        config: ShellConfig,
        peers: PeerTable,
        accounting: Accounting,
        observer: Option<Arc<dyn Observer>>,
    ) -> Self {
        let (alive, done) = mpsc::channel(1);
        Self {
            shared: Arc::new(Shared {
                config,
                peers: Arc::new(peers),
                acct: accounting,
                epoch: tokio::time::Instant::now(),
                stop: watch::Sender::new(Stop::Run),
                alive: Mutex::new(Some(alive)),
                done: tokio::sync::Mutex::new(done),
                connections: AtomicU32::new(0),
                observer,
            }),
        }
    }

    /// The accounting, for a status command.
    #[must_use]
    pub fn accounting(&self) -> &Accounting {
        &self.shared.acct
    }

    /// The peer table.
    #[must_use]
    pub fn peers(&self) -> &PeerTable {
        &self.shared.peers
    }

    fn alive(&self) -> Option<mpsc::Sender<()>> {
        self.shared
            .alive
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn now(&self) -> x400_rts::machine::Instant {
        x400_rts::machine::Instant::from_duration(self.shared.epoch.elapsed())
    }

    /// Accepts associations on `listener` until shutdown, handing each new one to
    /// `incoming` as soon as its TCP connection is accepted (its first event says whether
    /// it bound). A connection over a handshake or memory limit is closed before anything
    /// is read from it, and the refusal is logged and counted.
    pub async fn listen(&self, listener: TcpListener, incoming: mpsc::Sender<Handle>) {
        let mut stop = self.shared.stop.subscribe();
        let local = listener.local_addr().ok();
        tracing::info!("mta: listening on {local:?}");
        loop {
            let accepted = tokio::select! {
                r = listener.accept() => r,
                _ = stop.wait_for(|s| *s != Stop::Run) => break,
            };
            let (tcp, remote) = match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of descriptors and the like: wait a little rather than spin.
                    tracing::warn!("mta: accept on {local:?} failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let permit = match self.shared.acct.handshake(Some(remote.ip())) {
                Ok(p) => p,
                Err(r) => {
                    tracing::info!(
                        "mta: refused TCP connection from {remote}: {r}; closed before reading"
                    );
                    continue;
                }
            };
            let Some(alive) = self.alive() else { break };
            let now = self.now();
            let assoc = match Association::responder(
                self.shared.config.association,
                self.shared.peers.clone(),
                permit,
                remote,
                now,
            ) {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("mta: cannot serve {remote}: {e}");
                    continue;
                }
            };
            let handle = self.spawn(assoc, tcp, alive, None);
            if incoming.send(handle).await.is_err() {
                break; // nobody takes new associations any more
            }
        }
        tracing::info!("mta: stopped listening on {local:?}");
    }

    /// Opens an association to `peer`: TCP straight to its configured addresses in order
    /// (from the peer's [`Peer::local_address`](crate::Peer::local_address), else
    /// [`ShellConfig::local_address`], if set), then TP0, session, RTS and the bind.
    /// The handle's first events say whether it bound.
    ///
    /// # Errors
    ///
    /// An unknown peer, a limit of the accounting, no address reachable, or shutdown.
    pub async fn connect(&self, peer: &str) -> Result<Handle, ConnectError> {
        if *self.shared.stop.borrow() != Stop::Run {
            return Err(ConnectError::ShuttingDown);
        }
        let target = self
            .shared
            .peers
            .get(peer)
            .filter(|p| !p.addresses.is_empty())
            .ok_or_else(|| ConnectError::UnknownPeer(peer.to_owned()))?
            .clone();
        let permit = self
            .shared
            .acct
            .handshake(None)
            .map_err(|refusal| ConnectError::Limit {
                peer: target.name.clone(),
                refusal,
            })?;
        let mut last = String::from("no address");
        for &addr in &target.addresses {
            match self.dial(addr, target.local_address).await {
                Ok(tcp) => {
                    let alive = self.alive().ok_or(ConnectError::ShuttingDown)?;
                    let n = self.shared.connections.fetch_add(1, Ordering::Relaxed);
                    let id = Association::connection_id(
                        target
                            .our_name
                            .as_deref()
                            .unwrap_or(&self.shared.peers.local_name),
                        &utc_now(),
                        n,
                    );
                    let now = self.now();
                    let assoc = Association::initiator(
                        self.shared.config.association,
                        self.shared.peers.clone(),
                        &target.name,
                        permit,
                        addr,
                        id,
                        now,
                    )?;
                    return Ok(self.spawn(assoc, tcp, alive, Some(&target.name)));
                }
                Err(e) => {
                    tracing::info!("mta: cannot reach MTA {:?} at {addr}: {e}", target.name);
                    last = format!("{addr}: {e}");
                }
            }
        }
        Err(ConnectError::Unreachable {
            peer: target.name,
            why: last,
        })
    }

    async fn dial(
        &self,
        addr: SocketAddr,
        local: Option<SocketAddr>,
    ) -> std::io::Result<tokio::net::TcpStream> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        if let Some(local) = local.or(self.shared.config.local_address) {
            socket.bind(local)?;
        }
        tokio::time::timeout(self.shared.config.connect_timeout, socket.connect(addr))
            .await
            .map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "no TCP connection within {:?}",
                        self.shared.config.connect_timeout
                    ),
                )
            })?
    }

    fn spawn(
        &self,
        assoc: Association,
        tcp: tokio::net::TcpStream,
        alive: mpsc::Sender<()>,
        peer: Option<&str>,
    ) -> Handle {
        let (events_tx, events_rx) = mpsc::channel(self.shared.config.event_queue.max(1));
        let (commands_tx, commands_rx) = mpsc::channel(self.shared.config.event_queue.max(1));
        let remote = assoc.remote();
        let direction = assoc.direction();
        let observed = self.shared.observer.as_ref().map(|o| {
            let local = tcp
                .local_addr()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
            let peer = peer.map(str::to_owned);
            observe::Observed::start(o.clone(), Connection::new(local, remote, direction, peer))
        });
        let run = task::Task {
            assoc,
            tcp,
            epoch: self.shared.epoch,
            events: events_tx,
            commands: commands_rx,
            stop: self.shared.stop.subscribe(),
            _alive: alive,
            observed,
        };
        tokio::spawn(run.run());
        Handle::new(remote, direction, events_rx, commands_tx)
    }

    /// Graceful shutdown: stop accepting and connecting, ask every association to finish
    /// (an initiator releases once its queue is empty), abort what is left after
    /// [`ShellConfig::shutdown_grace`], and return when every association task is gone.
    pub async fn shutdown(&self) {
        self.shared.stop.send_replace(Stop::Finish);
        drop(
            self.shared
                .alive
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
        let mut done = self.shared.done.lock().await;
        let grace = self.shared.config.shutdown_grace;
        if tokio::time::timeout(grace, done.recv()).await.is_err() {
            tracing::info!("mta: shutdown: aborting the associations still open after {grace:?}");
            self.shared.stop.send_replace(Stop::Abort);
            done.recv().await;
        }
        tracing::info!("mta: shutdown complete");
    }
}

/// The current time as UTCTime (`YYMMDDhhmmssZ`), for session connection identifiers.
fn utc_now() -> String {
    chrono::Utc::now().format("%y%m%d%H%M%SZ").to_string()
}
