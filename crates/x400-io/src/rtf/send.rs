//! `rtf send`: one file as one APDU, recovered after every lost connection. The file is
//! read in pieces as the RTS machine takes them (its window bounds what it holds), never
//! whole.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::time::Instant;
use tracing::{info, warn};
use x400_rts::machine::{Config, Event, OpenRequest, Recovery, Refusal};
use x400_rts::rasn::types::OctetString;
use x400_rts::{
    ApplicationProtocol, CallingSsUserReference, RefuseReason, SessionConnectionIdentifier,
    T61String, UtcTimeOctets,
};

use super::open_data::{APPLICATION_PROTOCOL, OpenData};
use super::state::Saved;
use crate::rts::Link;

/// The called session selector ISODE's rtf uses.
pub const CALLED_SSEL: [u8; 2] = [0x00, 0x02];
/// How often the recovery point is written to disk at most (and once per connection).
const SAVE_EVERY: Duration = Duration::from_millis(100);
/// The most octets of the file read at a time.
const READ_BLOCK: usize = 64 << 10;

/// What `rtf send` was asked to do.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// The receiver.
    pub destination: SocketAddr,
    /// Local address to connect from, if any (never a proxy).
    pub local: Option<SocketAddr>,
    /// The file, read in pieces as the transfer goes (never whole).
    pub file: PathBuf,
    /// The name to store it under.
    pub name: String,
    /// rtf user and password.
    pub user: String,
    /// rtf password.
    pub password: String,
    /// Proposed checkpoint size (KiB) and window.
    pub checkpoint: u32,
    /// Proposed window.
    pub window: u32,
    /// Where the recovery point is kept.
    pub state: PathBuf,
    /// Give up after this long without progress.
    pub retry_for: Duration,
}

/// How a transfer went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The file's size, in octets.
    pub octets: u64,
    /// Transport connections made.
    pub connections: u32,
    /// Associations recovered (recover accepted).
    pub recoveries: u32,
    /// Fresh starts after a connection that could not be recovered.
    pub restarts: u32,
    /// Checkpoints the receiver confirmed, over every connection.
    pub checkpoints_confirmed: u64,
    /// Octets already confirmed when each recovery resumed the transfer.
    pub resumed_at: Vec<usize>,
    /// Time from each lost connection to the recovered association being open.
    pub recovery_times: Vec<Duration>,
}

/// Sends the file, reconnecting and recovering after every lost connection until the
/// receiver has secured it. `hook` sees each new link first: a test aid (the tests set a
/// cut point there, [`Tp0Tcp::cut_after`](crate::tp0::Tp0Tcp::cut_after)); pass `&mut |_| {}`
/// otherwise.
///
/// # Errors
///
/// No progress for [`SendOptions::retry_for`], a refused association, a file the receiver
/// does not take, or an RTS request the machine rejects; the message says which, in words.
pub async fn send(opts: &SendOptions, hook: &mut dyn FnMut(&mut Link)) -> Result<Report, String> {
    let epoch = Instant::now();
    let mut source = Source::open(opts)?;
    let size = source.size;
    let mut cfg = Config::default();
    cfg.checkpoint_size = opts.checkpoint;
    cfg.window_size = opts.window;
    cfg.application_protocol = ApplicationProtocol(APPLICATION_PROTOCOL);
    let open = OpenData {
        user: OctetString::from(opts.user.clone().into_bytes()),
        password: OctetString::from(opts.password.clone().into_bytes()),
        file: OctetString::from(opts.name.clone().into_bytes()),
    }
    .encode();
    let destination = opts.destination.to_string();

    // A saved state for this very transfer resumes it; any other is ignored.
    let mut recovery: Option<Recovery> = Saved::load(&opts.state)
        .filter(|s| s.destination == destination && s.name == opts.name && s.size == size)
        .map(|s| {
            info!(
                "rts: {destination}: resuming {} from checkpoint {} of a previous run",
                opts.name, s.confirmed
            );
            s.into_recovery()
        });
    // The file goes from the start on the next association that opens (none to resume).
    let mut pending = recovery.is_none();
    let mut report = Report {
        octets: size,
        ..Report::default()
    };
    let mut last_progress = Instant::now();
    // Once the receiver has secured the file, a connection lost before the release
    // changes nothing: the transfer is done.
    let mut secured = false;
    let mut lost_at: Option<Instant> = None;

    loop {
        if last_progress.elapsed() > opts.retry_for {
            return Err(format!(
                "rts: {destination}: no progress for {} s, giving up",
                opts.retry_for.as_secs()
            ));
        }
        let mut link = match Link::connect(opts.destination, opts.local, cfg, epoch, false).await {
            Ok(l) => l,
            Err(e) => {
                warn!("transport: cannot connect to {destination}: {e}; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        hook(&mut link);
        report.connections += 1;
        let id = connection_id(report.connections);
        let mut req = OpenRequest::new(&id, Some(&open));
        req.called_ssel = Some(&CALLED_SSEL);
        let recovering = recovery.is_some();
        if !recovering && report.connections > 1 {
            report.restarts += 1;
        }
        let started = match recovery.take() {
            Some(r) => link.rts.recover(&req, r),
            None => link.rts.open(&req),
        };
        started.map_err(|e| format!("rts: cannot open: {e}"))?;

        let mut last_save: Option<Instant> = None;
        loop {
            let ev = match link.next().await {
                Ok(Some(ev)) => ev,
                Ok(None) if secured => return Ok(report),
                Ok(None) => break,
                Err(e) if secured => {
                    warn!("transport: {destination}: {e} after the file was secured");
                    return Ok(report);
                }
                Err(e) => {
                    warn!("transport: {destination}: {e}");
                    break;
                }
            };
            match ev {
                Event::Opened(pa) => {
                    last_progress = Instant::now();
                    if recovering {
                        report.recoveries += 1;
                        if let Some(t) = lost_at.take() {
                            report.recovery_times.push(t.elapsed());
                        }
                        info!("rts: {destination}: association recovered");
                    } else {
                        info!(
                            "rts: {destination}: association open, checkpoint {} KiB, window {}",
                            pa.checkpoint_size, pa.window_size
                        );
                    }
                    if let Some((_, confirmed)) = link.rts.transfer_progress() {
                        let at = usize::try_from(confirmed).unwrap_or(usize::MAX)
                            * pa.checkpoint_size as usize
                            * 1024;
                        report
                            .resumed_at
                            .push(at.min(usize::try_from(size).unwrap_or(usize::MAX)));
                        info!("rts: {destination}: resuming after octet {at}");
                    }
                    if std::mem::take(&mut pending) {
                        link.rts
                            .start_transfer()
                            .map_err(|e| format!("rts: cannot transfer: {e}"))?;
                    }
                }
                Event::CheckpointConfirmed { .. } => {
                    last_progress = Instant::now();
                    if last_save.is_none_or(|t| t.elapsed() >= SAVE_EVERY) {
                        save(opts, &link, &destination);
                        last_save = Some(Instant::now());
                    }
                }
                Event::Transferred => {
                    secured = true;
                    report.checkpoints_confirmed += link.rts.checkpoints_confirmed();
                    info!(
                        "rts: {destination}: {} ({size} octets) secured by the receiver",
                        opts.name
                    );
                    std::fs::remove_file(&opts.state).ok();
                    if link.rts.close().is_err() {
                        return Ok(report);
                    }
                }
                Event::Closed => {
                    info!("rts: {destination}: association released");
                    return Ok(report);
                }
                Event::TransferFailed { why } => {
                    if link.rts.is_open() {
                        // The receiver itself refused the file: sending it again would
                        // only be refused again.
                        link.rts.close().ok();
                        return Err(format!(
                            "rts: {destination} did not take {}: {why}",
                            opts.name
                        ));
                    }
                    // Nothing of it is resumed: the file goes again from the start.
                    warn!("rts: {destination}: transfer failed: {why}");
                    pending = true;
                }
                Event::Refused(Refusal::Rts(RefuseReason::CANNOT_RECOVER)) => {
                    warn!(
                        "rts: {destination}: the receiver cannot recover the association; \
                         sending the whole file again"
                    );
                    std::fs::remove_file(&opts.state).ok();
                }
                Event::Refused(r) => {
                    return Err(format!("rts: {destination} refused the association: {r}"));
                }
                Event::ConnectionLost(_) if secured => return Ok(report),
                Event::ConnectionLost(state) => {
                    report.checkpoints_confirmed += link.rts.checkpoints_confirmed();
                    if let Some(state) = state {
                        warn!("rts: {destination}: connection lost; recovering");
                        lost_at.get_or_insert_with(Instant::now);
                        recovery = Some(state);
                    } else {
                        warn!(
                            "rts: {destination}: connection lost; nothing to recover, starting over"
                        );
                    }
                    break;
                }
                Event::Aborted(cause) => {
                    warn!("rts: {destination}: association aborted: {cause}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    break;
                }
                // Turn requests: the sender keeps the turn until the file is secured.
                _ => {}
            }
            // Whatever the event, the machine may take more of the file now.
            source
                .feed(&mut link)
                .map_err(|e| format!("rtf: cannot read {}: {e}", opts.file.display()))?;
        }
        if recovery.is_none() {
            // The machine reports every path that drops the file (a kept state or
            // TransferFailed); should a transport error end the link before it can,
            // starting over with the file is always safe.
            pending = true;
        }
    }
}

/// The file being sent, read a block at a time ahead of where the machine continues: the
/// machine takes a checkpoint or so at a time, the file is read in [`READ_BLOCK`]s.
struct Source {
    file: File,
    size: u64,
    /// The block read last and the file offset of its first octet.
    block: Vec<u8>,
    block_at: u64,
    /// Where the file's position is (`u64::MAX`: unknown, seek first).
    pos: u64,
}

impl Source {
    fn open(opts: &SendOptions) -> Result<Self, String> {
        let open = || -> io::Result<(File, u64)> {
            let file = File::open(&opts.file)?;
            let size = file.metadata()?.len();
            Ok((file, size))
        };
        let (file, size) =
            open().map_err(|e| format!("rtf: cannot read {}: {e}", opts.file.display()))?;
        Ok(Self {
            file,
            size,
            block: Vec::with_capacity(READ_BLOCK),
            block_at: 0,
            pos: 0,
        })
    }

    /// The octets of the file from `at` on that the last block holds, reading the next
    /// block first if it holds none.
    fn at(&mut self, at: u64) -> io::Result<&[u8]> {
        let end = self.block_at + self.block.len() as u64;
        if !(self.block_at <= at && at < end) {
            if self.pos != at {
                self.file.seek(SeekFrom::Start(at))?;
            }
            let n = usize::try_from(self.size - at).map_or(READ_BLOCK, |l| l.min(READ_BLOCK));
            self.block.resize(n, 0);
            self.file.read_exact(&mut self.block)?;
            self.block_at = at;
            self.pos = at + n as u64;
        }
        let from = usize::try_from(at - self.block_at).unwrap_or(usize::MAX);
        Ok(self.block.get(from..).unwrap_or_default())
    }

    /// Writes what the machine takes of the file, from the offset it continues at (after
    /// a recovery, the end of the tail it kept), and finishes the APDU at the file's end.
    fn feed(&mut self, link: &mut Link) -> io::Result<()> {
        while let Some(at) = link.rts.write_offset() {
            if at >= self.size {
                link.rts.finish_transfer().map_err(io::Error::other)?;
                return Ok(());
            }
            if link.rts.send_room() == 0 {
                return Ok(());
            }
            let data = self.at(at)?;
            if data.is_empty() {
                return Err(io::Error::other("the file is shorter than it was"));
            }
            if link.rts.write(data).map_err(io::Error::other)? == 0 {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Writes the recovery point of the transfer in progress.
fn save(opts: &SendOptions, link: &Link, destination: &str) {
    let (Some((activity, confirmed)), Some(connection)) =
        (link.rts.transfer_progress(), link.rts.connection())
    else {
        return;
    };
    let (checkpoint_size, window_size) = link.rts.checkpointing();
    let saved = Saved {
        destination: destination.to_owned(),
        name: opts.name.clone(),
        size: std::fs::metadata(&opts.file).map_or(0, |m| m.len()),
        checkpoint_size,
        window_size,
        connection: connection.clone(),
        activity_id: activity.to_vec(),
        confirmed,
    };
    if let Err(e) = saved.store(&opts.state) {
        warn!(
            "rtf: cannot write the recovery point {}: {e}",
            opts.state.display()
        );
    }
}

/// A session connection identifier unique to this connection: our name, the time as
/// UTCTime, and the process and connection numbers as the additional reference, in four
/// printable characters (it is a T61String).
pub fn connection_id(n: u32) -> SessionConnectionIdentifier {
    let time = chrono::Utc::now().format("%y%m%d%H%M%SZ").to_string();
    let extra = std::process::id().wrapping_mul(1 << 10) ^ n;
    SessionConnectionIdentifier {
        calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("rtf")),
        common_reference: UtcTimeOctets::from(time.as_str()),
        additional_reference_information: Some(SessionConnectionIdentifier::additional_reference(
            extra,
        )),
    }
}
