//! `gateway run`: the MTA, its listeners and its control socket, until SIGTERM or Ctrl-C.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};
use x400_mta::mta::Mta;
use x400_mta::shell::{Connection, Observer, Shell, Tap};
use x400_mta::store::SqliteStore;
use x400_mta::{Accounting, Peer};

use crate::capture::Capture;
use crate::config::LogFormat;
use crate::control::{self, Served};
use crate::metrics::Metrics;
use crate::settings::{self, Settings};

/// Sends log lines to standard error, one line per event, text or JSON.
///
/// # Errors
///
/// The filter does not parse (checked with the configuration already).
pub fn init_logging(format: LogFormat, level: &str) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| format!("log level {level:?}: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let done = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    done.map_err(|e| format!("cannot set up logging: {e}"))
}

/// Loads the configuration, or every error in it.
///
/// # Errors
///
/// The configuration's errors, one a line.
pub fn load(config: &Path) -> Result<Settings, String> {
    settings::load(config).map_err(|e| e.to_string())
}

/// Runs the MTA of `config` until SIGTERM or Ctrl-C; `capture`, if given, is the capture
/// directory in place of the configuration's.
///
/// # Errors
///
/// The configuration, the store, a listener, the capture directory or the control socket
/// failed.
pub async fn run(config: &Path, capture: Option<PathBuf>) -> Result<(), String> {
    let s = load(config)?;
    init_logging(s.log_format, &s.log_level)?;
    let dir = &s.store.dir;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot make the store directory {}: {e}", dir.display()))?;
    // The control socket first: a second `run` on the same store stops here, before it
    // touches the store the first one owns.
    let socket_path = s.control_socket();
    let socket = control::bind(&socket_path)?;
    let store = SqliteStore::open(s.store.clone())
        .map_err(|e| format!("cannot open the store in {}: {e}", dir.display()))?;
    let mut listeners = Vec::new();
    for addr in &s.listeners {
        let l = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        listeners.push(l);
    }
    let accounting = Accounting::new(s.limits);
    let name = s.peers.local_name.clone();
    let capture = match capture.or_else(|| s.capture.0.clone()) {
        Some(dir) => {
            tracing::info!(
                "gateway: writing each association as a pcap file into {} (files continued past {} octets)",
                dir.display(),
                s.capture.1
            );
            Some(Capture::new(dir, s.capture.1)?)
        }
        None => None,
    };
    let metrics = match s.metrics {
        Some(addr) => {
            let l = TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen for metrics on {addr}: {e}"))?;
            tracing::info!("gateway: Prometheus metrics on http://{addr}/metrics");
            Some((l, Metrics::new()))
        }
        None => None,
    };
    let observers = Observers {
        capture,
        metrics: metrics.as_ref().map(|(_, m)| m.clone()),
    };
    let shell = if observers.capture.is_none() && observers.metrics.is_none() {
        Shell::new(s.shell, s.peers.clone(), accounting.clone())
    } else {
        let observers = Arc::new(observers);
        Shell::observed(s.shell, s.peers.clone(), accounting.clone(), observers)
    };
    let mta = Mta::new(s.mta, Arc::new(store), shell);
    let mut peers: Vec<&Peer> = s.peers.iter().collect();
    peers.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<&str> = peers.iter().map(|p| p.name.as_str()).collect();
    tracing::info!(
        "gateway: MTA {name:?} running: listening on {}; peers: {}; store {}; control socket {}",
        s.listeners
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        },
        dir.display(),
        socket_path.display()
    );
    let control = tokio::spawn(control::serve(
        socket,
        Served {
            mta: mta.clone(),
            accounting: accounting.clone(),
            peers: s.peers.clone(),
        },
    ));
    let metrics = metrics.map(|(l, m)| {
        let served = Served {
            mta: mta.clone(),
            accounting,
            peers: s.peers.clone(),
        };
        tokio::spawn(crate::metrics::serve(l, Arc::new(served), m))
    });
    // `Mta::run` takes one listener; each further listener runs it again over the same
    // MTA (the queue's scheduler then looks at the queue once per listener, which its
    // leases make harmless).
    let mut runs = Vec::new();
    for l in listeners {
        let m = mta.clone();
        runs.push(tokio::spawn(async move { m.run(l).await }));
    }
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot watch for SIGTERM: {e}"))?;
    let why = tokio::select! {
        _ = term.recv() => "SIGTERM",
        r = tokio::signal::ctrl_c() => match r {
            Ok(()) => "Ctrl-C",
            Err(e) => return Err(format!("cannot watch for Ctrl-C: {e}")),
        },
    };
    tracing::info!(
        "gateway: {why}: shutting down; associations finish what they hold, the rest stays queued"
    );
    mta.shutdown().await;
    for r in runs {
        let _ = r.await;
    }
    control.abort();
    if let Some(m) = metrics {
        m.abort();
    }
    let _ = std::fs::remove_file(&socket_path);
    tracing::info!("gateway: MTA {name:?} stopped");
    Ok(())
}

/// What watches the associations: capture files and metrics, either or both.
#[derive(Debug)]
struct Observers {
    capture: Option<Capture>,
    metrics: Option<Metrics>,
}

impl Observer for Observers {
    fn opened(&self, connection: &Connection) -> Option<Box<dyn Tap>> {
        self.capture.as_ref().and_then(|c| c.opened(connection))
    }

    fn ended(&self, connection: &Connection, lasted: std::time::Duration) {
        if let Some(m) = &self.metrics {
            m.ended(connection, lasted);
        }
    }
}
