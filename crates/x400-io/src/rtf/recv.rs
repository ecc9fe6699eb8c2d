//! `rtf recv`: takes files, keeps the partial ones of lost connections for a while, and
//! answers every `recover` with the state kept or a plain `cannotRecover`.
//!
//! A file is never held in memory: each piece the RTS machine hands over goes to a partial
//! file (`.NAME.N.rtf-partial` in the directory) as it arrives, through a buffer of at most
//! 64 KiB; the checkpoints of what one TCP read brought are confirmed (one MIA each, in
//! order) once the buffer is written out; the complete file is synced and renamed into
//! place before the sender gets its confirmation (`secured`).

use std::collections::HashMap;
use std::fs;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
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
    /// Largest file accepted: a longer one is refused while it arrives.
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
    /// Partial transfers of lost connections, with the file each was for.
    table: Mutex<RecoveryTable<Kept>>,
    /// Associations alive now, by session connection identifier: a `recover` naming one
    /// of them means the peer saw it die first (no RST reached us), so it is dropped and
    /// its state handed over.
    live: Mutex<HashMap<SessionConnectionIdentifier, Arc<Notify>>>,
    /// Files stored since the start (the tests check that none is delivered twice); a
    /// count, so that a long-running receiver keeps nothing per file.
    pub stored: AtomicUsize,
    /// Numbers the partial files, so that two transfers of one name never share one.
    partials: AtomicUsize,
}

/// What is kept beside the recovery state of a lost connection.
#[derive(Debug, Clone)]
struct Kept {
    /// The file's name.
    name: String,
    /// Its partial file, holding the octets up to the last confirmed checkpoint at least.
    partial: Option<PathBuf>,
}

/// The file an APDU is being received into. Pieces gather in a buffer that is written out
/// before each checkpoint is confirmed, so a checkpoint of several DTs costs one write.
#[derive(Debug)]
struct Partial {
    path: PathBuf,
    file: BufWriter<fs::File>,
}

/// What a partial file's buffer gathers before a write at most.
const WRITE_BUFFER: usize = 64 << 10;

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
            partials: AtomicUsize::new(0),
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, RecoveryTable<Kept>> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        // Partial files whose state expired go with it.
        let now = x400_rts::machine::Instant::from_duration(self.epoch.elapsed());
        for (_, kept) in table.expire(now) {
            remove_partial(kept.partial.as_deref());
        }
        table
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<SessionConnectionIdentifier, Arc<Notify>>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state kept for `lost`; if that association is still alive here, it is dropped
    /// first and its state awaited.
    async fn recovery_for(
        &self,
        lost: &SessionConnectionIdentifier,
    ) -> Option<(x400_rts::machine::Recovery, Kept)> {
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
        let mut partial: Option<Partial> = None;
        let result = self
            .events(&mut link, &stop, &mut registered, &mut partial)
            .await;
        if let Some(id) = registered {
            self.live().remove(&id);
        }
        // A file still being received and not kept for a recovery is void.
        remove_partial(partial.as_ref().map(|p| p.path.as_path()));
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
        partial: &mut Option<Partial>,
    ) -> io::Result<bool> {
        let peer = link.net.peer;
        let mut name: Option<String> = None;
        // A partial file handed over with a recovery, for the resume to continue.
        let mut resumed: Option<PathBuf> = None;
        // Checkpoints whose data is in the partial file's buffer, to confirm once written.
        let mut unconfirmed: Vec<u64> = Vec::new();
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
                        Some((state, kept)) => {
                            info!("rts: {peer}: recovering the transfer of {}", kept.name);
                            name = Some(kept.name);
                            resumed = kept.partial;
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
                Event::TransferStart { offset } => {
                    let n = name.clone().unwrap_or_else(|| "unnamed".to_owned());
                    let path = partial.take().map(|p| p.path).or_else(|| resumed.take());
                    match self.start(&n, path, offset) {
                        Ok(p) => *partial = Some(p),
                        Err(e) => {
                            warn!(
                                "rts: {peer}: cannot continue {n} at octet {offset}: {e}; aborting"
                            );
                            link.rts
                                .abort(now, AbortReason::LOCAL_SYSTEM_PROBLEM)
                                .map_err(io::Error::other)?;
                        }
                    }
                }
                Event::TransferData(piece) => {
                    let written = match partial.as_mut() {
                        Some(p) => p.file.write_all(&piece),
                        None => Err(io::Error::other("no file is open")),
                    };
                    if let Err(e) = written {
                        self.give_up(link, partial, now, &e)?;
                    }
                }
                // Confirmed below, once the data before it is written.
                Event::TransferCheckpoint { serial, .. } => unconfirmed.push(serial),
                Event::TransferEnd { len } => {
                    self.confirm(link, partial, &mut unconfirmed, now)?;
                    let n = name.clone().unwrap_or_else(|| "unnamed".to_owned());
                    let stored = match partial.take() {
                        Some(mut p) => p
                            .file
                            .flush()
                            .and_then(|()| p.file.get_ref().sync_all())
                            .and_then(|()| store(&self.opts.dir, &n, &p.path))
                            .inspect_err(|_| remove_partial(Some(&p.path))),
                        None => Err(io::Error::other("no file is open")),
                    };
                    match stored {
                        Ok(path) => {
                            info!("rts: {peer}: stored {} ({len} octets)", path.display());
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
                Event::TransferDiscarded => {
                    unconfirmed.clear();
                    if let Some(p) = partial.take() {
                        info!("rts: {peer}: the file being received was abandoned");
                        remove_partial(Some(&p.path));
                    }
                }
                Event::ConnectionLost(Some(state)) => {
                    unconfirmed.clear();
                    let n = name.clone().unwrap_or_default();
                    info!(
                        "rts: {peer}: connection lost; keeping the transfer of {n} for {} s",
                        self.opts.keep.as_secs()
                    );
                    let kept = Kept {
                        name: n,
                        partial: partial.take().map(|p| p.path).or_else(|| resumed.take()),
                    };
                    for (gone, kept) in self.table().insert(now, state, kept) {
                        warn!(
                            "rts: {peer}: not keeping the partial {} ({} octets) of connection \
                             {}: over the limit of octets kept for recoveries",
                            kept.name,
                            gone.octets(),
                            gone.connection
                        );
                        remove_partial(kept.partial.as_deref());
                    }
                }
                Event::ConnectionLost(None) => info!("rts: {peer}: connection lost"),
                Event::Closed => info!("rts: {peer}: association released"),
                Event::Aborted(cause) => warn!("rts: {peer}: association aborted: {cause}"),
                // A responder that never sends is told of nothing else that needs a word.
                _ => {}
            }
            // The checkpoints of what was read are confirmed once it is all taken: one
            // write of the partial file for all of them, then one MIA each, in order.
            if !unconfirmed.is_empty() && !link.input_pending() {
                self.confirm(link, partial, &mut unconfirmed, now)?;
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

impl Receiver {
    /// The file a transfer's data goes to from `offset` on: the partial file it had (cut
    /// back to `offset`), or a new one for a transfer from the start.
    fn start(&self, name: &str, had: Option<PathBuf>, offset: u64) -> io::Result<Partial> {
        let path = match had {
            Some(path) => path,
            None if offset == 0 => {
                let n = self.partials.fetch_add(1, Ordering::Relaxed);
                self.opts.dir.join(format!(".{name}.{n}.rtf-partial"))
            }
            None => return Err(io::Error::other("no partial file is kept for it")),
        };
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(offset == 0)
            .truncate(false)
            .open(&path)?;
        let len = file.metadata()?.len();
        if len < offset {
            return Err(io::Error::other("its partial file is shorter than that"));
        }
        // Only what follows the offset is cut: a truncation to length 0 makes ext4 flush
        // the file when it is closed (its replace-by-truncate heuristic, auto_da_alloc),
        // which a new partial file does not need.
        if len > offset {
            file.set_len(offset)?;
        }
        file.seek(SeekFrom::Start(offset))?;
        Ok(Partial {
            path,
            file: BufWriter::with_capacity(WRITE_BUFFER, file),
        })
    }

    /// Writes what the partial file's buffer holds, then confirms the checkpoints
    /// `unconfirmed` (MIA), oldest first: the sender may forget the data before them.
    fn confirm(
        &self,
        link: &mut Link,
        partial: &mut Option<Partial>,
        unconfirmed: &mut Vec<u64>,
        now: x400_rts::machine::Instant,
    ) -> io::Result<()> {
        if unconfirmed.is_empty() {
            return Ok(());
        }
        let written = match partial.as_mut() {
            Some(p) => p.file.flush(),
            None => Err(io::Error::other("no file is open")),
        };
        if let Err(e) = written {
            unconfirmed.clear();
            return self.give_up(link, partial, now, &e);
        }
        for serial in unconfirmed.drain(..) {
            link.rts
                .confirm_checkpoint(serial)
                .map_err(io::Error::other)?;
        }
        Ok(())
    }

    /// A file that cannot be written: the association is aborted, the partial file goes.
    fn give_up(
        &self,
        link: &mut Link,
        partial: &mut Option<Partial>,
        now: x400_rts::machine::Instant,
        e: &io::Error,
    ) -> io::Result<()> {
        warn!(
            "rts: {}: cannot write the file being received: {e}; aborting",
            link.net.peer
        );
        if let Some(p) = partial.take() {
            remove_partial(Some(&p.path));
        }
        link.rts
            .abort(now, AbortReason::LOCAL_SYSTEM_PROBLEM)
            .map_err(io::Error::other)
    }
}

/// Removes a partial file, if there is one; one already gone is no error.
fn remove_partial(path: Option<&Path>) {
    if let Some(path) = path
        && let Err(e) = fs::remove_file(path)
        && e.kind() != io::ErrorKind::NotFound
    {
        warn!("rtf: cannot remove {}: {e}", path.display());
    }
}

/// Moves the complete, synced file `partial` into place as `dir/name`, atomically (a
/// rename). An existing file with the same octets is left as it is (and `partial` goes);
/// one with other octets is never overwritten: the new file gets the first free `name.N`.
///
/// # Errors
///
/// File system errors (reading an existing file, renaming).
pub fn store(dir: &Path, name: &str, partial: &Path) -> io::Result<PathBuf> {
    let mut path = dir.join(name);
    let mut n = 0;
    while path.exists() {
        if same_content(&path, partial)? {
            fs::remove_file(partial)?;
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
    fs::rename(partial, &path)?;
    Ok(path)
}

/// Whether two files hold the same octets, read a block at a time.
fn same_content(a: &Path, b: &Path) -> io::Result<bool> {
    let (mut fa, mut fb) = (fs::File::open(a)?, fs::File::open(b)?);
    if fa.metadata()?.len() != fb.metadata()?.len() {
        return Ok(false);
    }
    let (mut ba, mut bb) = (vec![0; 64 << 10], vec![0; 64 << 10]);
    loop {
        let n = read_full(&mut fa, &mut ba)?;
        if n != read_full(&mut fb, &mut bb)? || ba.get(..n) != bb.get(..n) {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

/// Reads until `buf` is full or the file ends; returns the octets read.
fn read_full(f: &mut fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
        match f.read(rest)? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stores `data` through a partial file, as a transfer does.
    fn put(dir: &Path, name: &str, data: &[u8]) -> io::Result<PathBuf> {
        let partial = dir.join(format!(".{name}.rtf-partial"));
        fs::write(&partial, data)?;
        store(dir, name, &partial)
    }

    #[test]
    fn a_different_file_is_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("rtf-store-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert_eq!(put(&dir, "f", b"one").unwrap(), dir.join("f"));
        assert_eq!(put(&dir, "f", b"one").unwrap(), dir.join("f"));
        assert_eq!(put(&dir, "f", b"two").unwrap(), dir.join("f.1"));
        // The same length, other octets, and a file of several blocks.
        assert_eq!(put(&dir, "f", b"onf").unwrap(), dir.join("f.2"));
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        assert_eq!(put(&dir, "g", &big).unwrap(), dir.join("g"));
        assert_eq!(put(&dir, "g", &big).unwrap(), dir.join("g"));
        // No partial file is left behind.
        let hidden = fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with('.')
            })
            .count();
        assert_eq!(hidden, 0);
        assert_eq!(fs::read(dir.join("f")).unwrap(), b"one");
        assert_eq!(fs::read(dir.join("f.1")).unwrap(), b"two");
        fs::remove_dir_all(&dir).unwrap();
    }
}
