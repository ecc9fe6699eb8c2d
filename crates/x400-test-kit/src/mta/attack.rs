//! What a network and a bad peer do to an MTA's listener, one connection each: TCP that
//! closes or resets at once, an association driven by the MTA crate's own machine with a
//! fault injected (silence or a reset after a number of octets), and a session CONNECT whose
//! PConnect is garbage.
//!
//! Every function is bounded by a deadline and returns what it saw, so that a storm can tell
//! an attack that behaved as planned from a server that misbehaved.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use osi_transport::tp0::{ConnectRequest, Event as TEvent, MAX_CONTROL_LEN, Tp0};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant as TokioInstant, sleep_until, timeout_at};
use x400_mta::association::{Association, Config, Event};
use x400_mta::{Accounting, PeerTable};
use x400_rts::machine::Instant;

/// Octets asked of each read.
const READ: usize = 16 << 10;

/// A TCP connection to `server` from `source` (port chosen by the system).
///
/// # Errors
///
/// The connect failed or did not finish by `deadline`.
pub async fn connect_from(
    source: IpAddr,
    server: SocketAddr,
    deadline: TokioInstant,
) -> Result<TcpStream, String> {
    let socket = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
    // Many short connections from one address: ports in TIME_WAIT may be taken again.
    socket.set_reuseaddr(true).ok();
    socket
        .bind(SocketAddr::new(source, 0))
        .map_err(|e| format!("bind {source}: {e}"))?;
    let tcp = timeout_at(deadline, socket.connect(server))
        .await
        .map_err(|_| "the TCP connect timed out".to_owned())?
        .map_err(|e| format!("connect from {source}: {e}"))?;
    tcp.set_nodelay(true).ok();
    Ok(tcp)
}

/// Closes `tcp` with a reset (SO_LINGER 0) instead of a FIN.
pub fn reset(tcp: TcpStream) {
    tcp.set_zero_linger().ok();
    drop(tcp);
}

/// Reads and discards until the server closes (`Ok`) or `deadline` passes.
///
/// # Errors
///
/// The server kept the connection open until `deadline`.
pub async fn until_closed(tcp: &mut TcpStream, deadline: TokioInstant) -> Result<(), String> {
    let mut sink = vec![0u8; READ];
    loop {
        match timeout_at(deadline, tcp.read(&mut sink)).await {
            Err(_) => return Err("the server did not close the connection in time".into()),
            Ok(Ok(0) | Err(_)) => return Ok(()),
            Ok(Ok(_)) => {}
        }
    }
}

/// What the driver does once it has written its budget of octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Never: every octet goes out.
    None,
    /// Writes this many octets in all, then nothing more (it keeps reading).
    SilentAfter(usize),
    /// Writes this many octets in all, then resets the connection.
    ResetAfter(usize),
}

/// Where a driven association stopped.
#[derive(Debug)]
pub enum Stopped {
    /// The event the caller waited for, or the association's end.
    Event(Event),
    /// The fault fired: the driver went silent and the server then closed.
    SilentThenClosed,
    /// The fault fired: the connection was reset.
    Reset,
}

/// An MTA association (the crate's sans-IO machine) over a raw TCP connection, with a
/// fault injected on the octets it writes.
pub struct Driver {
    /// The machine.
    pub assoc: Association,
    tcp: Option<TcpStream>,
    epoch: TokioInstant,
    fault: Fault,
    written: usize,
    out: Vec<u8>,
    chunk: Vec<u8>,
    unused: Vec<u8>,
}

impl Driver {
    /// An initiator towards MTA-B at `server`, with `table` (which decides the name and the
    /// password it presents), connected from `source`; its permit comes from `acct`.
    ///
    /// # Errors
    ///
    /// The connect failed, or the accounting or the machine refused to start.
    pub async fn connect(
        table: Arc<PeerTable>,
        acct: &Accounting,
        source: IpAddr,
        server: SocketAddr,
        fault: Fault,
        deadline: TokioInstant,
    ) -> Result<Self, String> {
        let tcp = connect_from(source, server, deadline).await?;
        let epoch = TokioInstant::now();
        let permit = acct.handshake(None).map_err(|e| e.to_string())?;
        let id = Association::connection_id(&table.local_name, "261206120000Z", 1);
        let assoc = Association::initiator(
            Config::default(),
            table,
            "MTA-B",
            permit,
            server,
            id,
            Instant::ZERO,
        )
        .map_err(|e| e.to_string())?;
        Ok(Self {
            assoc,
            tcp: Some(tcp),
            epoch,
            fault,
            written: 0,
            out: vec![0; 64 << 10],
            chunk: vec![0; READ],
            unused: Vec::new(),
        })
    }

    fn now(&self) -> Instant {
        Instant::from_duration(self.epoch.elapsed())
    }

    /// Octets written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Sets the fault from now on.
    pub fn set_fault(&mut self, fault: Fault) {
        self.fault = fault;
    }

    /// Runs the association until `want` accepts an event, it ends, or the fault fires.
    ///
    /// # Errors
    ///
    /// `deadline` passed, or a socket failed in a way the server did not cause.
    pub async fn run_until(
        &mut self,
        mut want: impl FnMut(&Event) -> bool,
        deadline: TokioInstant,
    ) -> Result<Stopped, String> {
        loop {
            if let Some(stop) = self.flush(deadline).await? {
                return Ok(stop);
            }
            while let Some(ev) = self.assoc.poll_event() {
                if want(&ev) || matches!(ev, Event::Ended(_)) {
                    return Ok(Stopped::Event(ev));
                }
            }
            let Some(tcp) = self.tcp.as_mut() else {
                return Err("the connection is gone".into());
            };
            let timer = self
                .assoc
                .poll_timeout()
                .map(|t| self.epoch + t.since_epoch());
            let timer = async {
                match timer {
                    Some(t) => sleep_until(t).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                r = tcp.read(&mut self.chunk) => {
                    let now = self.now();
                    match r {
                        Ok(0) | Err(_) => self.assoc.handle_disconnect(now),
                        Ok(n) => {
                            self.unused.extend_from_slice(&self.chunk[..n]);
                            let used = self.assoc.handle_input(now, &self.unused);
                            self.unused.drain(..used.min(self.unused.len()));
                        }
                    }
                }
                () = timer => {
                    let now = self.now();
                    self.assoc.handle_timeout(now);
                }
                () = sleep_until(deadline) => return Err("the association did not progress in time".into()),
            }
        }
    }

    /// Writes what the machine has, within the fault's budget.
    async fn flush(&mut self, deadline: TokioInstant) -> Result<Option<Stopped>, String> {
        loop {
            let now = self.now();
            let n = match self.assoc.poll_transmit(now, &mut self.out) {
                Ok(Some(n)) => n,
                _ => return Ok(None),
            };
            let budget = match self.fault {
                Fault::None => usize::MAX,
                Fault::SilentAfter(b) | Fault::ResetAfter(b) => b,
            };
            let room = budget.saturating_sub(self.written).min(n);
            let Some(tcp) = self.tcp.as_mut() else {
                return Ok(None);
            };
            if room > 0 {
                let w = timeout_at(deadline, tcp.write_all(&self.out[..room])).await;
                if !matches!(w, Ok(Ok(()))) {
                    let now = self.now();
                    self.assoc.handle_disconnect(now);
                    return Ok(None);
                }
                self.written += room;
            }
            if room == n {
                continue;
            }
            // The budget is spent with octets left to send: the fault fires.
            return match self.fault {
                Fault::ResetAfter(_) => {
                    if let Some(tcp) = self.tcp.take() {
                        reset(tcp);
                    }
                    Ok(Some(Stopped::Reset))
                }
                _ => {
                    until_closed(tcp, deadline).await?;
                    Ok(Some(Stopped::SilentThenClosed))
                }
            };
        }
    }

    /// Aborts the association, sends the AB, and waits for the server to close.
    ///
    /// # Errors
    ///
    /// The server kept the connection open until `deadline`.
    pub async fn abort(mut self, why: &str, deadline: TokioInstant) -> Result<(), String> {
        let now = self.now();
        self.assoc.abort(now, why);
        self.flush(deadline).await?;
        match self.tcp.as_mut() {
            Some(tcp) => {
                tcp.shutdown().await.ok();
                until_closed(tcp, deadline).await
            }
            None => Ok(()),
        }
    }
}

/// The length of the TP0 CR an initiator with `table` sends first: a fault budget of this
/// many octets stops it right after its CR.
pub fn cr_len(table: Arc<PeerTable>) -> usize {
    let acct = Accounting::new(x400_mta::Limits::default());
    let mut a = Association::initiator(
        Config::default(),
        table,
        "MTA-B",
        acct.handshake(None).unwrap(),
        "127.0.0.1:102".parse().unwrap(),
        Association::connection_id("MTA-A", "261206120000Z", 1),
        Instant::ZERO,
    )
    .unwrap();
    let mut buf = vec![0; 64 << 10];
    a.poll_transmit(Instant::ZERO, &mut buf).unwrap().unwrap()
}

/// TP0 CR and CC, then a session CONNECT proposing X.410's functional units whose user data
/// (the PConnect) is `junk`; waits for the server's answer and its close.
///
/// # Errors
///
/// The server did not answer the CR, or kept the connection open until `deadline`.
pub async fn bad_connect(
    source: IpAddr,
    server: SocketAddr,
    junk: &[u8],
    deadline: TokioInstant,
) -> Result<(), String> {
    let mut tcp = connect_from(source, server, deadline).await?;
    let mut tp = Tp0::initiator(osi_transport::tp0::Config::default(), vec![0; 64 << 10])
        .map_err(|e| e.to_string())?;
    let now = Instant::ZERO;
    tp.connect(now, &ConnectRequest::default())
        .map_err(|e| e.to_string())?;
    let mut ctl = [0u8; MAX_CONTROL_LEN];
    if let Ok(Some(n)) = tp.poll_transmit(now, &mut ctl) {
        write(&mut tcp, &ctl[..n], deadline).await?;
    }
    // Until the CC.
    let mut chunk = vec![0u8; READ];
    let mut unused = Vec::new();
    loop {
        let n = match timeout_at(deadline, tcp.read(&mut chunk)).await {
            Err(_) => return Err("no CC in time".into()),
            Ok(Ok(0) | Err(_)) => return Err("the server closed before its CC".into()),
            Ok(Ok(n)) => n,
        };
        unused.extend_from_slice(&chunk[..n]);
        let used = tp.handle_input(now, &unused);
        unused.drain(..used.min(unused.len()));
        match tp.poll_event() {
            Some(TEvent::Connected { .. }) => break,
            Some(TEvent::Disconnected(c)) => return Err(format!("TP0 refused: {c}")),
            _ => {}
        }
    }
    let tsdu = super::junk_connect(junk);
    let mut segments = tp.send(&tsdu).map_err(|e| e.to_string())?;
    let mut tpkt = vec![0u8; segments.max_tpkt_len()];
    while let Ok(Some(k)) = segments.write_next(&mut tpkt) {
        write(&mut tcp, &tpkt[..k], deadline).await?;
    }
    until_closed(&mut tcp, deadline).await
}

async fn write(tcp: &mut TcpStream, octets: &[u8], deadline: TokioInstant) -> Result<(), String> {
    match timeout_at(deadline, tcp.write_all(octets)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write: {e}")),
        Err(_) => Err("write timed out".into()),
    }
}
