//! One association's task: the loop between its machine, its TCP connection, its user and
//! the shell's shutdown signal.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use x400_io::tp0::quick_ack;
use x400_rts::machine::Instant;

use super::{Command, Stop};
use crate::association::{Association, Event};

/// Octets asked of each TCP read.
const READ: usize = 64 << 10;
/// The most octets kept unused between reads: a partial TPKT is at most 65 535 octets
/// (RFC 1006 §6), so more means the machine stopped taking input.
const MAX_UNUSED: usize = 2 * 65_536;
/// After the association ends, how long the peer has to close its side before ours is
/// closed anyway (so what we sent last is not lost to a reset).
const LINGER: Duration = Duration::from_secs(2);

/// What woke the task.
enum Wake {
    Read(std::io::Result<usize>),
    Command(Option<Command>),
    Timer,
    /// The shell's new stop level; `None` if the shell is gone.
    Stop(Option<Stop>),
}

pub(super) struct Task {
    pub(super) assoc: Association,
    pub(super) tcp: TcpStream,
    pub(super) epoch: tokio::time::Instant,
    pub(super) events: mpsc::Sender<Event>,
    pub(super) commands: mpsc::Receiver<Command>,
    pub(super) stop: watch::Receiver<Stop>,
    /// Held until the task ends: the shell's shutdown waits for the last one.
    pub(super) _alive: mpsc::Sender<()>,
}

impl Task {
    fn now(&self) -> Instant {
        Instant::from_duration(self.epoch.elapsed())
    }

    pub(super) async fn run(mut self) {
        self.tcp.set_nodelay(true).ok(); // RFC 2126 §6.2: no Nagle delay for small SPDUs
        let mut out = vec![0u8; READ];
        let mut chunk = vec![0u8; READ];
        let mut unused: Vec<u8> = Vec::new();
        let mut stopping = Stop::Run;
        let mut user_gone = false;
        let mut shell_gone = false;
        loop {
            // Everything the machine has for the network, then for the user.
            let now = self.now();
            while let Ok(Some(n)) = self.assoc.poll_transmit(now, &mut out) {
                if let Err(e) = self.tcp.write_all(out.get(..n).unwrap_or_default()).await {
                    tracing::debug!("mta: write to {} failed: {e}", self.assoc.remote());
                    let now = self.now();
                    self.assoc.handle_disconnect(now);
                }
            }
            while let Some(ev) = self.assoc.poll_event() {
                if !user_gone && self.events.send(ev).await.is_err() {
                    // Nobody listens: the association cannot be used any more.
                    user_gone = true;
                    let now = self.now();
                    self.assoc.abort(now, "its user went away");
                }
            }
            if self.assoc.is_finished() {
                break;
            }
            let deadline = self.assoc.poll_timeout().map(|t| {
                let wait = t.saturating_duration_since(self.now());
                tokio::time::Instant::now() + wait
            });
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let wake = tokio::select! {
                r = self.tcp.read(&mut chunk) => Wake::Read(r),
                c = self.commands.recv(), if !user_gone => Wake::Command(c),
                () = sleep => Wake::Timer,
                r = self.stop.wait_for(|s| *s > stopping), if !shell_gone => {
                    Wake::Stop(r.ok().map(|s| *s))
                }
            };
            let now = self.now();
            match wake {
                Wake::Read(Ok(0) | Err(_)) => self.assoc.handle_disconnect(now),
                Wake::Read(Ok(n)) => {
                    quick_ack(&self.tcp);
                    let got = chunk.get(..n).unwrap_or_default();
                    let used = if unused.is_empty() {
                        let used = self.assoc.handle_input(now, got);
                        unused.extend_from_slice(got.get(used..).unwrap_or_default());
                        0
                    } else {
                        unused.extend_from_slice(got);
                        self.assoc.handle_input(now, &unused)
                    };
                    unused.drain(..used.min(unused.len()));
                    if unused.len() > MAX_UNUSED {
                        self.assoc.abort(now, "the transport stopped taking input");
                        unused.clear();
                    }
                }
                Wake::Command(Some(Command::Transfer(apdu))) => self.assoc.transfer(apdu),
                Wake::Command(Some(Command::Secured)) => {
                    if let Err(e) = self.assoc.secured() {
                        tracing::debug!("mta: secured to {}: {e}", self.assoc.remote());
                    }
                }
                Wake::Command(Some(Command::Close)) => self.assoc.close(),
                Wake::Command(Some(Command::Abort(why))) => self.assoc.abort(now, &why),
                Wake::Command(None) => {
                    // The handle was dropped: finish what is queued, then release.
                    user_gone = true;
                    self.assoc.close();
                }
                Wake::Timer => self.assoc.handle_timeout(now),
                // The shell itself was dropped: no stop signal will come.
                Wake::Stop(None) => shell_gone = true,
                Wake::Stop(Some(s)) => {
                    stopping = s;
                    match s {
                        Stop::Finish => self.assoc.close(),
                        Stop::Abort => self.assoc.abort(now, "the MTA is shutting down"),
                        Stop::Run => {}
                    }
                }
            }
        }
        self.close().await;
    }

    /// Closes our side after the last octets, then waits briefly for the peer's close so
    /// that a reset does not destroy what we sent last.
    async fn close(&mut self) {
        self.tcp.shutdown().await.ok();
        let mut sink = [0u8; 1024];
        let _ = tokio::time::timeout(LINGER, async {
            while let Ok(n) = self.tcp.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
    }
}
