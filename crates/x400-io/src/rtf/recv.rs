//! `rtf recv`: takes files, keeps the partial ones of lost connections for a while, and
//! answers every `recover` with the state kept or a plain `cannotRecover`.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::time::Instant;
use tracing::{info, warn};
use x400_rts::machine::{Config, Event, RecoveryTable};
use x400_rts::{AbortReason, ApplicationProtocol, RefuseReason, SessionConnectionIdentifier};

use super::open_data::{APPLICATION_PROTOCOL, OpenData};
use crate::rts::Link;

/// What `rtf recv` was asked to do.
#[derive(Debug, Clone)]
pub struct RecvOptions {
    /// Where files are stored.
    pub dir: PathBuf,
    /// How long a partial file of a lost connection is kept for a recovery.
    pub keep: Duration,
    /// Largest checkpoint size (KiB) and window accepted.
    pub checkpoint: u32,
    /// Largest window accepted.
    pub window: u32,
    /// Largest file accepted (it is held in memory until stored).
    pub max_size: usize,
    /// Most octets of partial files kept for recoveries, over all lost connections.
    pub keep_octets: usize,
    /// Acknowledge every TCP read at once, so that a sender with Nagle's algorithm on never
    /// waits for a delayed ACK. Always on in `rtf recv`; tests turn it off to play a
    /// receiver that delays its acknowledgements.
    pub quick_ack: bool,
}

/// State shared by every association of one receiver.
pub struct Receiver {
    opts: RecvOptions,
    epoch: Instant,
    /// Partial transfers of lost connections, with the file name each was for.
    table: Mutex<RecoveryTable<String>>,
    /// Associations alive now, by session connection identifier: a `recover` naming one
    /// of them means the peer saw it die first (no RST reached us), so it is dropped and
    /// its state handed over.
    live: Mutex<HashMap<SessionConnectionIdentifier, Arc<Notify>>>,
    /// Files stored since the start (the tests check that none is delivered twice); a
    /// count, so that a long-running receiver keeps nothing per file.
    pub stored: AtomicUsize,
}

/// How long a `recover` naming a live association waits for its state.
const HANDOVER: Duration = Duration::from_secs(3);

impl Receiver {
    /// A receiver storing into `opts.dir`.
    pub fn new(opts: RecvOptions) -> Arc<Self> {
        Arc::new(Self {
            table: Mutex::new(
                RecoveryTable::new(opts.keep, RecoveryTable::DEFAULT_MAX_ENTRIES)
                    .with_max_octets(opts.keep_octets),
            ),
            opts,
            epoch: Instant::now(),
            live: Mutex::new(HashMap::new()),
            stored: AtomicUsize::new(0),
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, RecoveryTable<String>> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<SessionConnectionIdentifier, Arc<Notify>>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state kept for `lost`; if that association is still alive here, it is dropped
    /// first and its state awaited.
    async fn recovery_for(
        &self,
        lost: &SessionConnectionIdentifier,
    ) -> Option<(x400_rts::machine::Recovery, String)> {
        let stop = self.live().get(lost).cloned();
        if let Some(stop) = stop {
            stop.notify_one();
        }
        let until = Instant::now() + HANDOVER;
        loop {
            let now = x400_rts::machine::Instant::from_duration(self.epoch.elapsed());
            if let Some(kept) = self.table().take(now, lost) {
                return Some(kept);
            }
            if Instant::now() >= until || !self.live().contains_key(lost) {
                // Gone without state, or never here: one last look, then refuse.
                return self.table().take(now, lost);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Accepts connections for ever, one task each (so it needs a tokio runtime with
    /// `spawn`).
    ///
    /// # Errors
    ///
    /// A failed `accept` on the listener.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> io::Result<()> {
        loop {
            let (tcp, peer) = listener.accept().await?;
            let me = Arc::clone(&self);
            tokio::spawn(async move { me.association(tcp, peer).await });
        }
    }

    /// One association, from CR to release or loss. Whatever ends it is logged here, once,
    /// with the layer and the peer.
    pub async fn association(&self, tcp: TcpStream, peer: SocketAddr) {
        let mut cfg = Config::default();
        cfg.checkpoint_size = self.opts.checkpoint;
        cfg.window_size = self.opts.window;
        cfg.max_apdu_len = self.opts.max_size;
        let mut link = match Link::accept(tcp, cfg, self.epoch, false).await {
            Ok(link) => link,
            Err(e) => {
                warn!("transport: {peer}: {e}");
                return;
            }
        };
        link.net.quick_ack = self.opts.quick_ack;
        let stop = Arc::new(Notify::new());
        let mut registered: Option<SessionConnectionIdentifier> = None;
        let result = self.events(&mut link, &stop, &mut registered).await;
        if let Some(id) = registered {
            self.live().remove(&id);
        }
        match result {
            Err(e) => warn!("rts: {peer}: {e}; connection closed"),
            Ok(false) => {
                // The RTS machine reported nothing: the transport ended before any CN.
                let why = link
                    .net
                    .closed
                    .map_or_else(|| "the connection ended".to_owned(), |c| c.to_string());
                warn!("session: {peer}: no CONNECT (CN) arrived: {why}");
            }
            Ok(true) => {}
        }
    }

    async fn events(
        &self,
        link: &mut Link,
        stop: &Arc<Notify>,
        registered: &mut Option<SessionConnectionIdentifier>,
    ) -> io::Result<bool> {
        let peer = link.net.peer;
        let mut name: Option<String> = None;
        let mut heard = false;
        loop {
            let ev = tokio::select! {
                ev = link.next() => ev?,
                () = stop.notified() => {
                    warn!("rts: {peer}: the peer is recovering this association on a new connection; dropping this one");
                    link.cut();
                    continue;
                }
            };
            let Some(ev) = ev else { break };
            heard = true;
            let now = x400_rts::machine::Instant::from_duration(self.epoch.elapsed());
            match ev {
                Event::OpenIndication(pc) => {
                    let open = pc
                        .connection_data
                        .open_data()
                        .ok_or_else(|| "the open carries no rtf data".to_owned())
                        .and_then(OpenData::decode);
                    let checked = match open {
                        _ if pc.application_protocol
                            != ApplicationProtocol(APPLICATION_PROTOCOL) =>
                        {
                            Err(format!(
                                "application protocol {} is not rtf ({APPLICATION_PROTOCOL})",
                                pc.application_protocol.0
                            ))
                        }
                        Ok(o) => o
                            .safe_name()
                            .map(str::to_owned)
                            .ok_or_else(|| "the file name is not a plain name".to_owned()),
                        Err(e) => Err(e),
                    };
                    match checked {
                        Ok(n) => {
                            info!("rts: {peer}: open accepted for {n}");
                            name = Some(n);
                            link.rts.accept(None).map_err(io::Error::other)?;
                        }
                        Err(why) => {
                            warn!("rts: {peer}: open refused (validationFailure): {why}");
                            link.rts
                                .refuse(now, RefuseReason::VALIDATION_FAILURE)
                                .map_err(io::Error::other)?;
                        }
                    }
                }
                Event::RecoverIndication { lost, .. } => {
                    let kept = self.recovery_for(&lost).await;
                    match kept {
                        Some((state, n)) => {
                            info!("rts: {peer}: recovering the transfer of {n}");
                            name = Some(n);
                            link.rts.accept_recovery(state).map_err(io::Error::other)?;
                        }
                        None => {
                            warn!(
                                "rts: {peer}: recover refused (cannotRecover): no state kept for \
                                 connection {lost}"
                            );
                            link.rts
                                .refuse(now, RefuseReason::CANNOT_RECOVER)
                                .map_err(io::Error::other)?;
                        }
                    }
                }
                Event::Transfer(apdu) => {
                    let n = name.clone().unwrap_or_else(|| "unnamed".to_owned());
                    match store(&self.opts.dir, &n, &apdu) {
                        Ok(path) => {
                            info!(
                                "rts: {peer}: stored {} ({} octets)",
                                path.display(),
                                apdu.len()
                            );
                            self.stored.fetch_add(1, Ordering::Relaxed);
                            link.rts.secured().map_err(io::Error::other)?;
                        }
                        Err(e) => {
                            warn!("rts: {peer}: cannot store {n}: {e}; aborting");
                            link.rts
                                .abort(now, AbortReason::LOCAL_SYSTEM_PROBLEM)
                                .map_err(io::Error::other)?;
                        }
                    }
                }
                Event::ConnectionLost(Some(state)) => {
                    let n = name.clone().unwrap_or_default();
                    info!(
                        "rts: {peer}: connection lost; keeping the transfer of {n} for {} s",
                        self.opts.keep.as_secs()
                    );
                    for (gone, name) in self.table().insert(now, state, n) {
                        warn!(
                            "rts: {peer}: not keeping the partial {name} ({} octets) of connection \
                             {}: over the limit of octets kept for recoveries",
                            gone.octets(),
                            gone.connection
                        );
                    }
                }
                Event::ConnectionLost(None) => info!("rts: {peer}: connection lost"),
                Event::Closed => info!("rts: {peer}: association released"),
                Event::Aborted(cause) => warn!("rts: {peer}: association aborted: {cause}"),
                // A responder that never sends is told of nothing else that needs a word.
                _ => {}
            }
            if registered.is_none()
                && link.rts.is_open()
                && let Some(id) = link.rts.connection()
            {
                self.live().insert(id.clone(), Arc::clone(stop));
                *registered = Some(id.clone());
            }
        }
        Ok(heard)
    }
}

/// Stores `data` as `dir/name`, atomically and durably. An existing file with the same
/// octets is left as it is; one with other octets is never overwritten: the new file gets
/// the first free `name.N`.
///
/// # Errors
///
/// File system errors (reading an existing file, writing, syncing or renaming).
pub fn store(dir: &Path, name: &str, data: &[u8]) -> io::Result<PathBuf> {
    let mut path = dir.join(name);
    let mut n = 0;
    while path.exists() {
        if fs::read(&path)? == data {
            return Ok(path);
        }
        n += 1;
        path = dir.join(format!("{name}.{n}"));
    }
    if n > 0 {
        warn!(
            "rtf: {name} exists with other content; storing as {}",
            path.display()
        );
    }
    let tmp = dir.join(format!(".{name}.rtf-partial"));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    fs::rename(&tmp, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_different_file_is_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("rtf-store-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert_eq!(store(&dir, "f", b"one").unwrap(), dir.join("f"));
        assert_eq!(store(&dir, "f", b"one").unwrap(), dir.join("f"));
        assert_eq!(store(&dir, "f", b"two").unwrap(), dir.join("f.1"));
        assert_eq!(fs::read(dir.join("f")).unwrap(), b"one");
        assert_eq!(fs::read(dir.join("f.1")).unwrap(), b"two");
        fs::remove_dir_all(&dir).unwrap();
    }
}
