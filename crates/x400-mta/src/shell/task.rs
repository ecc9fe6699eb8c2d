//! One association's task: the loop between its machine, its TCP connection, its user and
//! the shell's shutdown signal.
//!
//! A task keeps no I/O buffer of its own while it waits. It waits for the socket to be
//! readable, then reads without blocking into a scratch buffer of its worker thread and hands
//! the octets to the machine at once; what the machine has to send goes through the same
//! scratch buffer straight to the socket. Only a partial TPKT between two reads, and what the
//! socket did not take at once, are kept per task, and only while they exist. An MTA with
//! thousands of idle associations thus pays for no read or write buffer per association
//! (two of 64 KiB each before, zeroed, so resident), and an association no longer zeroes
//! 128 KiB when it starts.

use std::cell::Cell;
use std::io::ErrorKind;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use x400_io::tp0::quick_ack;
use x400_rts::machine::Instant;

use super::observe::Observed;
use super::{Command, Stop};
use crate::association::{Association, Event};

/// Octets of each worker thread's scratch buffer: the most asked of one TCP read, and the
/// most the machine hands out for one write.
const SCRATCH_LEN: usize = 64 << 10;
/// The most octets kept unused between reads: a partial TPKT is at most 65 535 octets
/// (RFC 1006 §6), so more means the machine stopped taking input.
const MAX_UNUSED: usize = 2 * 65_536;
/// After the association ends, how long the peer has to close its side before ours is
/// closed anyway (so what we sent last is not lost to a reset).
const LINGER: Duration = Duration::from_secs(2);

thread_local! {
    /// Taken out only between two awaits, so one per thread serves every task it runs.
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The thread's scratch buffer, taken out for one read or write: a fresh one the first
/// time, or if the thread's is gone (the thread is exiting). Never panics.
fn scratch() -> Vec<u8> {
    let buf = SCRATCH.try_with(Cell::take).unwrap_or_default();
    if buf.len() == SCRATCH_LEN {
        buf
    } else {
        vec![0; SCRATCH_LEN]
    }
}

/// Puts the scratch buffer back for the next read or write on this thread.
fn give_back(buf: Vec<u8>) {
    let _ = SCRATCH.try_with(|cell| cell.set(buf));
}

/// What woke the task.
enum Wake {
    Readable(std::io::Result<()>),
    Command(Option<Command>),
    Timer,
    /// The shell's new stop level; `None` if the shell is gone.
    Stop(Option<Stop>),
}

/// What a non-blocking read found.
enum Read {
    /// Octets, handed to the machine.
    Data,
    /// The peer closed, or the connection failed.
    Closed,
    /// Nothing after all (the readiness was stale).
    Nothing,
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
    /// The shell's observer of this connection (none: nothing is copied or timed).
    pub(super) observed: Option<Box<Observed>>,
}

impl Task {
    fn now(&self) -> Instant {
        Instant::from_duration(self.epoch.elapsed())
    }

    /// The task's future. The task goes to the heap first: an async fn keeps its arguments
    /// twice in its state (rust-lang/rust#62958), which doubled the 4 KiB of an association
    /// in every task (9.3 KiB futures).
    pub(super) fn run(self) -> impl Future<Output = ()> + Send {
        Box::new(self).run_boxed()
    }

    async fn run_boxed(mut self: Box<Self>) {
        self.serve().await;
        self.close().await;
    }

    async fn serve(&mut self) {
        self.tcp.set_nodelay(true).ok(); // RFC 2126 §6.2: no Nagle delay for small SPDUs
        let mut io = Buffers::default();
        let mut stopping = Stop::Run;
        let mut user_gone = false;
        let mut shell_gone = false;
        loop {
            // Everything the machine has for the network, then for the user.
            self.flush(&mut io).await;
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
                r = self.tcp.readable() => Wake::Readable(r),
                c = self.commands.recv(), if !user_gone => Wake::Command(c),
                () = sleep => Wake::Timer,
                r = self.stop.wait_for(|s| *s > stopping), if !shell_gone => {
                    Wake::Stop(r.ok().map(|s| *s))
                }
            };
            let now = self.now();
            match wake {
                Wake::Readable(Err(_)) => self.assoc.handle_disconnect(now),
                Wake::Readable(Ok(())) => match self.read(&mut io.unused) {
                    Read::Closed => self.assoc.handle_disconnect(now),
                    Read::Data | Read::Nothing => {}
                },
                Wake::Command(Some(Command::Transfer(apdu))) => self.assoc.transfer(apdu),
                Wake::Command(Some(Command::ConfirmCheckpoint(serial))) => {
                    if let Err(e) = self.assoc.confirm_checkpoint(serial) {
                        tracing::debug!("mta: checkpoint to {}: {e}", self.assoc.remote());
                    }
                }
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
    }

    /// Reads what the socket has now into the thread's scratch buffer and hands it to the
    /// machine, after the partial TPKT kept from the last read if there is one.
    fn read(&mut self, unused: &mut Vec<u8>) -> Read {
        let now = self.now();
        let mut chunk = scratch();
        let read = match self.tcp.try_read(&mut chunk) {
            Ok(0) => Read::Closed,
            Ok(n) => {
                quick_ack(&self.tcp);
                let got = chunk.get(..n).unwrap_or_default();
                if let Some(o) = self.observed.as_deref_mut() {
                    o.received(got);
                }
                if unused.is_empty() {
                    let used = self.assoc.handle_input(now, got);
                    unused.extend_from_slice(got.get(used..).unwrap_or_default());
                } else {
                    unused.extend_from_slice(got);
                    let used = self.assoc.handle_input(now, unused);
                    unused.drain(..used.min(unused.len()));
                }
                Read::Data
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => Read::Nothing,
            Err(_) => Read::Closed,
        };
        give_back(chunk);
        if unused.len() > MAX_UNUSED {
            self.assoc.abort(now, "the transport stopped taking input");
            unused.clear();
        }
        if unused.is_empty() {
            // Nothing is owed to the next read: give the memory back.
            *unused = Vec::new();
        }
        read
    }

    /// Writes everything the machine has: through the thread's scratch buffer straight to
    /// the socket, waiting only for what the socket did not take at once.
    async fn flush(&mut self, io: &mut Buffers) {
        loop {
            if !io.pending.is_empty() {
                if !io.broken
                    && let Err(e) = self.tcp.write_all(&io.pending).await
                {
                    self.write_failed(io, &e);
                }
                io.pending = Vec::new();
            }
            let now = self.now();
            let mut buf = scratch();
            let wrote = self.write_now(now, &mut buf, io);
            give_back(buf);
            match wrote {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => self.write_failed(io, &e),
            }
        }
    }

    /// Takes the machine's next octets into `buf` and writes what the socket takes now;
    /// the rest goes to `io.pending`. `Ok(false)`: the machine had nothing.
    fn write_now(
        &mut self,
        now: Instant,
        buf: &mut [u8],
        io: &mut Buffers,
    ) -> std::io::Result<bool> {
        let n = match self.assoc.poll_transmit(now, buf) {
            Ok(Some(n)) => n,
            _ => return Ok(false),
        };
        if io.broken {
            return Ok(true); // nowhere to go: the machine was told
        }
        let mut out = buf.get(..n).unwrap_or_default();
        // All of it goes to the socket, now or from `pending`, in this order.
        if let Some(o) = self.observed.as_deref_mut() {
            o.sent(out);
        }
        while !out.is_empty() {
            match self.tcp.try_write(out) {
                Ok(k) if k > 0 => out = out.get(k..).unwrap_or_default(),
                Ok(_) => break,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        io.pending.extend_from_slice(out);
        Ok(true)
    }

    fn write_failed(&mut self, io: &mut Buffers, e: &std::io::Error) {
        tracing::debug!("mta: write to {} failed: {e}", self.assoc.remote());
        io.broken = true;
        io.pending.clear();
        let now = self.now();
        self.assoc.handle_disconnect(now);
    }

    /// Closes our side after the last octets, then waits briefly for the peer's close so
    /// that a reset does not destroy what we sent last.
    async fn close(&mut self) {
        self.tcp.shutdown().await.ok();
        if let Some(o) = self.observed.as_deref_mut() {
            o.ended();
        }
        let _ = tokio::time::timeout(LINGER, async {
            loop {
                if self.tcp.readable().await.is_err() {
                    break;
                }
                let mut sink = scratch();
                let closed = match self.tcp.try_read(&mut sink) {
                    Ok(0) => true,
                    Ok(_) => false,
                    Err(e) => e.kind() != ErrorKind::WouldBlock,
                };
                give_back(sink);
                if closed {
                    break;
                }
            }
        })
        .await;
    }
}

/// What a task keeps between wakes; empty while the association is idle.
#[derive(Default)]
struct Buffers {
    /// A partial TPKT, given again with the next octets read.
    unused: Vec<u8>,
    /// Octets the socket did not take at once.
    pending: Vec<u8>,
    /// A write failed: the machine was told, and what it still hands out is dropped.
    broken: bool,
}
