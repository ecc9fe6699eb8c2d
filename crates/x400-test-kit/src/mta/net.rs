//! A network of MTAs on loopback for tests: each with its own store and mailboxes in a
//! temporary directory, its own domain (`C=GB;ADMD= ;PRMD=<name>`), its peers and routes.
//!
//! Every MTA's password is `<name>-pw`; each peer entry says so both ways.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use x400_mta::mailbox::LocalUsers;
use x400_mta::mta::{Mta, MtaConfig, RetryPolicy};
use x400_mta::routing::{OrPattern, Route, RouteTable, Target};
use x400_mta::shell::{Shell, ShellConfig};
use x400_mta::store::{SqliteStore, Store, StoreConfig};
use x400_mta::{Accounting, Limits, Peer, PeerTable, Protocol, Secret};

pub use super::domain;

/// One MTA of the network to build.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Its MTA name, also its PRMD.
    pub name: String,
    /// Its peers by name, with the P1 spoken to each.
    pub peers: Vec<(String, Protocol)>,
    /// Routes: a pattern (text) to a peer name, or `None` for local delivery.
    pub routes: Vec<(String, Option<String>)>,
    /// Local users: name and O/R address (text).
    pub users: Vec<(String, String)>,
    /// The lease of claimed work, if not the default.
    pub lease: Option<Duration>,
    /// How long a message may wait, if not the default.
    pub expiry: Option<Duration>,
}

impl Spec {
    /// An MTA named `name` with nothing configured yet.
    #[must_use]
    pub fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            peers: Vec::new(),
            routes: Vec::new(),
            users: Vec::new(),
            lease: None,
            expiry: None,
        }
    }

    /// Adds a peer.
    #[must_use]
    pub fn peer(mut self, name: &str, protocol: Protocol) -> Self {
        self.peers.push((name.into(), protocol));
        self
    }

    /// Adds a route to a peer (`Some`) or to local delivery (`None`).
    #[must_use]
    pub fn route(mut self, pattern: &str, to: Option<&str>) -> Self {
        self.routes.push((pattern.into(), to.map(str::to_string)));
        self
    }

    /// Adds a local user.
    #[must_use]
    pub fn user(mut self, name: &str, address: &str) -> Self {
        self.users.push((name.into(), address.into()));
        self
    }
}

/// Alice, the user at A of [`chain`].
pub const ALICE: &str = "C=GB;ADMD= ;PRMD=A;S=Alice";

/// Three MTAs in a row, A → B → C, each its own domain (PRMD A, B, C): A delivers PRMD=A
/// locally (user `alice`, [`ALICE`]) and relays PRMD=C to B; B relays each to its side; C
/// delivers PRMD=C locally (no users yet: add them) and relays PRMD=A to B. `ab` and `bc`
/// are the P1 spoken on each link.
#[must_use]
pub fn chain(ab: Protocol, bc: Protocol) -> [Spec; 3] {
    [
        Spec::new("A")
            .peer("B", ab)
            .route("C=GB;ADMD= ;PRMD=A", None)
            .route("C=GB;ADMD= ;PRMD=C", Some("B"))
            .user("alice", ALICE),
        Spec::new("B")
            .peer("A", ab)
            .peer("C", bc)
            .route("C=GB;ADMD= ;PRMD=A", Some("A"))
            .route("C=GB;ADMD= ;PRMD=C", Some("C")),
        Spec::new("C")
            .peer("B", bc)
            .route("C=GB;ADMD= ;PRMD=C", None)
            .route("C=GB;ADMD= ;PRMD=A", Some("B")),
    ]
}

/// A running MTA of the network.
pub struct Node {
    /// Its name.
    pub name: String,
    /// The MTA.
    pub mta: Mta,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its store and mailboxes.
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Node {
    /// Messages and reports still queued.
    pub fn queued(&self) -> usize {
        self.mta.store().list().unwrap().len()
    }

    /// The messages in `user`'s mailbox.
    pub fn mailbox(&self, user: &str) -> Vec<x400_mta::mailbox::Delivered> {
        self.mta.mailbox().list(user).unwrap()
    }

    /// Stops it.
    pub async fn stop(self) {
        self.mta.shutdown().await;
        let _ = self.task.await;
    }
}

/// Settings that make a test network quick: short ticks and retries.
fn config(spec: &Spec, dir: &std::path::Path) -> MtaConfig {
    let routes = RouteTable::new(
        spec.routes
            .iter()
            .map(|(p, to)| {
                let target = to
                    .as_ref()
                    .map_or(Target::Local, |n| Target::Peer(n.clone()));
                Route::new(OrPattern::parse(p).unwrap(), target)
            })
            .collect(),
    )
    .unwrap();
    let mut users = LocalUsers::new();
    for (u, a) in &spec.users {
        users.add(u, a).unwrap();
    }
    let mut config = MtaConfig::new(domain(&spec.name), routes, users, dir.join("mail"));
    config.tick = Duration::from_millis(100);
    let mut retry = RetryPolicy::new();
    retry.first = Duration::from_millis(200);
    retry.max = Duration::from_secs(2);
    config.retry = retry;
    config
}

/// Builds the MTA of `spec` with its store and mailboxes in `dir`; `address` gives each
/// peer's address.
pub fn build(
    spec: &Spec,
    dir: &std::path::Path,
    address: &dyn Fn(&str) -> Option<SocketAddr>,
) -> Mta {
    let mut table = PeerTable::new(spec.name.clone());
    for (peer, protocol) in &spec.peers {
        let mut p = Peer::new(
            peer.clone(),
            Secret::new(format!("{peer}-pw")),
            Secret::new(format!("{}-pw", spec.name)),
            *protocol,
        );
        p.addresses = address(peer).into_iter().collect();
        table.insert(p);
    }
    let shell = Shell::new(
        ShellConfig::default(),
        table,
        Accounting::new(Limits::default()),
    );
    let store = Arc::new(SqliteStore::open(StoreConfig::new(dir.join("store"))).unwrap());
    let mut config = config(spec, dir);
    if let Some(expiry) = spec.expiry {
        config.expiry = expiry;
    }
    if let Some(lease) = spec.lease {
        config.lease = lease;
    }
    Mta::new(config, store, shell)
}

/// Starts the MTAs of `specs`, each knowing the others' addresses.
pub async fn start(specs: &[Spec]) -> Vec<Node> {
    let mut listeners = Vec::new();
    for _ in specs {
        listeners.push(TcpListener::bind("127.0.0.1:0").await.unwrap());
    }
    let addrs: Vec<SocketAddr> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    let address = |name: &str| specs.iter().position(|s| s.name == name).map(|i| addrs[i]);
    let mut nodes = Vec::new();
    for (spec, listener) in specs.iter().zip(listeners) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let mta = build(spec, &dir, &address);
        let runner = mta.clone();
        let task = tokio::spawn(async move { runner.run(listener).await });
        nodes.push(Node {
            name: spec.name.clone(),
            mta,
            addr: addrs[nodes.len()],
            dir,
            _tmp: tmp,
            task,
        });
    }
    nodes
}

/// Waits until `done` holds, checking every 50 ms, for at most `limit`.
pub async fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < until {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}
