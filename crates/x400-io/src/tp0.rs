//! TP0 over RFC 1006 on a tokio TCP stream: the transport half of every tokio shell (the
//! RTS [`Link`](crate::rts::Link), the session loopback and interop tests).
//!
//! The shell is a loop, not logic: TSDUs go through [`Tp0::send`] to TCP; octets from TCP go
//! through [`Tp0::handle_input`]; a read never waits past the deadline the caller passes (the
//! nearer of its machines' timers). The caller runs the layers above on the TSDUs that
//! [`Tp0Tcp::next`] returns:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use osi_transport::tp0::{Config, ConnectRequest};
//! use x400_io::tp0::{Input, Tp0Tcp};
//!
//! let epoch = tokio::time::Instant::now();
//! let addr = "127.0.0.1:102".parse().unwrap();
//! let req = ConnectRequest::default();
//! let mut t = Tp0Tcp::connect(addr, None, Config::default(), 64 << 10, &req, epoch, false).await?;
//! t.send(b"a TSDU").await?;
//! match t.next(Some(t.now() + std::time::Duration::from_secs(5))).await? {
//!     Input::Data(tsdu) => println!("{} octets", tsdu.len()),
//!     Input::Closed(cause) => println!("closed: {cause}"),
//!     Input::Timeout => println!("nothing within 5 s"),
//! }
//! t.close().await;
//! # Ok(()) }
//! ```
//!
//! Two habits keep a foreign peer from waiting on us. Everything that one input produced
//! leaves in one TCP write ([`Tp0Tcp::queue`], then [`Tp0Tcp::flush`]), so three MIAs are one
//! segment, not three. And every read is acknowledged at once (Linux `TCP_QUICKACK`): a
//! sender that writes a TSDU in several pieces with Nagle's algorithm on holds each later
//! piece until its first is acknowledged, and a delayed ACK (about 40 ms) would stall it
//! once per window.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use osi_transport::Instant;
use osi_transport::tp0::{
    Config as Tp0Config, ConnectRequest, DisconnectCause, Event as TEvent, MAX_CONTROL_LEN, Tp0,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Octets asked of each TCP read.
const READ: usize = 64 << 10;

/// What the transport gave, from [`Tp0Tcp::next`].
#[derive(Debug)]
pub enum Input {
    /// A whole TSDU.
    Data(Vec<u8>),
    /// The transport connection is gone.
    Closed(DisconnectCause),
    /// The caller's deadline passed (TP0's own timers were handled).
    Timeout,
}

/// One TCP connection with its TP0 machine.
///
/// Besides the transport itself it carries a few knobs that exist for tests, benches and
/// interop checks, all off by default: [`log`](Self::log) keeps every octet for a capture,
/// [`cut_after`](Self::cut_after) and [`cut`](Self::cut) inject connection loss,
/// [`write_in_pieces`](Self::write_in_pieces) plays a foreign sender, and
/// [`quick_ack`](Self::quick_ack) (on by default) can be turned off to play a receiver that
/// delays its acknowledgements.
#[derive(Debug)]
pub struct Tp0Tcp {
    /// `None` once cut.
    tcp: Option<TcpStream>,
    /// The transport machine; public so that callers can check what it negotiated.
    pub tp: Tp0<Vec<u8>>,
    epoch: tokio::time::Instant,
    inbuf: Vec<u8>,
    /// Reused for every read and every TSDU written: no allocation per TSDU.
    chunk: Vec<u8>,
    out: Vec<u8>,
    tpkt: Vec<u8>,
    /// Why the connection ended, once it has.
    pub closed: Option<DisconnectCause>,
    /// The peer's address, for log lines.
    pub peer: SocketAddr,
    /// The local and remote TCP ports (kept: a closed socket forgets them).
    pub ports: (u16, u16),
    /// Test aid: with `Some`, every octet written (`true`) and read (`false`), in order;
    /// tests write it into a pcap for tshark. `None` (nothing kept) unless asked for with the
    /// `log` argument of [`Tp0Tcp::connect`] or [`Tp0Tcp::accept`].
    pub log: Option<Vec<(bool, Vec<u8>)>>,
    /// Fault injection: cut the TCP connection (RST, as a network failure) once this many
    /// octets have been written; how tests and benches lose connections at chosen points.
    /// `None` by default.
    pub cut_after: Option<u64>,
    /// Acknowledge each read at once (`TCP_QUICKACK`, Linux only). On by default; tests turn
    /// it off to play a receiver that delays its acknowledgements.
    pub quick_ack: bool,
    /// Play a foreign sender (ISODE's, PP's): Nagle's algorithm on and every TPKT in its own
    /// write. Off by default; see [`Tp0Tcp::write_in_pieces`].
    pieces: bool,
    written: u64,
}

impl Tp0Tcp {
    fn new(tcp: TcpStream, tp: Tp0<Vec<u8>>, epoch: tokio::time::Instant) -> Self {
        tcp.set_nodelay(true).ok(); // RFC 2126 §6.2: no Nagle delay for small SPDUs
        let peer = tcp
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let ports = (tcp.local_addr().map_or(0, |a| a.port()), peer.port());
        Self {
            tcp: Some(tcp),
            tp,
            epoch,
            inbuf: Vec::with_capacity(READ),
            chunk: vec![0; READ],
            out: Vec::new(),
            tpkt: Vec::new(),
            closed: None,
            peer,
            ports,
            log: None,
            cut_after: None,
            quick_ack: true,
            pieces: false,
            written: 0,
        }
    }

    /// The machines' clock: the time since `epoch`.
    pub fn now(&self) -> Instant {
        Instant::from_duration(self.epoch.elapsed())
    }

    /// Transport initiator: TCP to `addr` (from `local` if given: never through a proxy),
    /// then CR/CC; `rx` is TP0's receive buffer (a reassembled TSDU plus one TCP read);
    /// `epoch` starts the machines' clock; with `log` every octet is kept in [`Self::log`].
    ///
    /// # Errors
    ///
    /// TCP errors, a configuration TP0 rejects, and a connection the peer does not accept
    /// (DR, a closed TCP connection, or no CC before TP0's timer).
    #[allow(clippy::too_many_arguments)]
    pub async fn connect(
        addr: SocketAddr,
        local: Option<SocketAddr>,
        cfg: Tp0Config,
        rx: usize,
        req: &ConnectRequest<'_>,
        epoch: tokio::time::Instant,
        log: bool,
    ) -> io::Result<Self> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        if let Some(l) = local {
            socket.bind(l)?;
        }
        let tcp = socket.connect(addr).await?;
        let tp = Tp0::initiator(cfg, vec![0; rx]).map_err(io::Error::other)?;
        let mut t = Self::new(tcp, tp, epoch);
        t.log = log.then(Vec::new);
        let now = t.now();
        t.tp.connect(now, req).map_err(io::Error::other)?;
        t.write_control().await?;
        match t.event(None).await? {
            Some(TOwned::Connected) => Ok(t),
            Some(TOwned::Disconnected(c)) => Err(io::Error::other(format!(
                "the TP0 connection was not accepted: {c}"
            ))),
            _ => Err(io::Error::other(
                "the TP0 connection was not accepted: no connect confirm (CC) came back",
            )),
        }
    }

    /// Transport responder: takes the CR on an accepted TCP stream and answers CC. The
    /// arguments are those of [`Tp0Tcp::connect`].
    ///
    /// # Errors
    ///
    /// TCP errors, a configuration TP0 rejects, and no acceptable CR before TP0's timer.
    pub async fn accept(
        tcp: TcpStream,
        cfg: Tp0Config,
        rx: usize,
        epoch: tokio::time::Instant,
        log: bool,
    ) -> io::Result<Self> {
        let tp = Tp0::responder(cfg, vec![0; rx], Instant::from_duration(epoch.elapsed()))
            .map_err(io::Error::other)?;
        let mut t = Self::new(tcp, tp, epoch);
        t.log = log.then(Vec::new);
        match t.event(None).await? {
            Some(TOwned::ConnectIndication) => {}
            Some(TOwned::Disconnected(DisconnectCause::NetworkClosed)) => {
                return Err(io::Error::other(
                    "closed TCP before sending a TP0 connect request (CR)",
                ));
            }
            Some(TOwned::Disconnected(c)) => {
                return Err(io::Error::other(format!(
                    "no TP0 connect request (CR): {c}"
                )));
            }
            _ => {
                return Err(io::Error::other(
                    "no TP0 connect request (CR) before the deadline; connection closed",
                ));
            }
        }
        t.tp.accept(None, &[]).map_err(io::Error::other)?;
        t.write_control().await?;
        Ok(t)
    }

    /// Test aid: from now on, writes the way a foreign sender (ISODE's, PP's) with Nagle's
    /// algorithm on does: each TPKT in its own write, so that a later piece waits for the
    /// first one's ACK. The interop tests use it to reproduce a peer's stall.
    pub fn write_in_pieces(&mut self) {
        self.pieces = true;
        if let Some(tcp) = self.tcp.as_ref() {
            tcp.set_nodelay(false).ok();
        }
    }

    /// Sends one TSDU as its DT TPKTs, in one write. A failed write (or the test cut
    /// point) ends the connection; the next [`Tp0Tcp::next`] says so.
    ///
    /// # Errors
    ///
    /// A TSDU TP0 cannot send in its state (not open, say).
    pub async fn send(&mut self, tsdu: &[u8]) -> io::Result<()> {
        self.queue(tsdu)?;
        self.flush().await
    }

    /// Adds one TSDU's DT TPKTs to what the next [`Tp0Tcp::flush`] writes.
    ///
    /// # Errors
    ///
    /// A TSDU TP0 cannot send in its state (not open, say).
    pub fn queue(&mut self, tsdu: &[u8]) -> io::Result<()> {
        if self.closed.is_some() {
            return Ok(());
        }
        let mut seg = self.tp.send(tsdu).map_err(io::Error::other)?;
        self.tpkt.resize(seg.max_tpkt_len(), 0);
        while let Some(k) = seg.write_next(&mut self.tpkt).map_err(io::Error::other)? {
            self.out
                .extend_from_slice(self.tpkt.get(..k).unwrap_or_default());
        }
        Ok(())
    }

    /// Writes everything queued in one write. A failed write (or the test cut point) ends
    /// the connection; the next [`Tp0Tcp::next`] says so.
    ///
    /// # Errors
    ///
    /// None today: a failed write is a lost connection, reported by [`Tp0Tcp::next`]. The
    /// `Result` leaves room for errors that are not a loss.
    pub async fn flush(&mut self) -> io::Result<()> {
        let out = std::mem::take(&mut self.out);
        let result = match self.cut_after {
            _ if self.closed.is_some() || out.is_empty() => Ok(()),
            Some(limit) if self.written + out.len() as u64 > limit => {
                let keep = usize::try_from(limit - self.written).unwrap_or(0);
                if let Some(tcp) = self.tcp.as_mut() {
                    tcp.write_all(out.get(..keep).unwrap_or_default())
                        .await
                        .ok();
                }
                self.cut();
                Ok(())
            }
            _ if self.pieces => {
                let mut rest = out.as_slice();
                // The TPKT length is octets 2 and 3 of its header (RFC 1006 §6).
                while let Some(&[_, _, hi, lo]) = rest.get(..4)
                    && self.closed.is_none()
                {
                    let len = usize::from(u16::from_be_bytes([hi, lo]));
                    let (tpkt, tail) = rest.split_at(len.clamp(4, rest.len()));
                    self.write(tpkt).await?;
                    rest = tail;
                }
                Ok(())
            }
            _ => self.write(&out).await,
        };
        self.out = out;
        self.out.clear();
        result
    }

    /// Fault injection: drops the TCP connection without a release, as a network failure
    /// does (RST).
    pub fn cut(&mut self) {
        if let Some(tcp) = self.tcp.take() {
            // A zero linger makes the close send RST at once; it never blocks (the
            // deprecation is about non-zero values).
            #[allow(deprecated)]
            tcp.set_linger(Some(Duration::ZERO)).ok();
        }
        let now = self.now();
        self.tp.handle_disconnect(now);
        self.tp.poll_event();
        self.closed.get_or_insert(DisconnectCause::NetworkClosed);
    }

    /// Closes TP0 and TCP (class 0 release is closing the network connection, X.224
    /// 6.7.1.4).
    pub async fn close(&mut self) {
        if self.closed.is_none() {
            self.closed = Some(DisconnectCause::NetworkClosed);
            self.tp.disconnect();
            if let Some(tcp) = self.tcp.as_mut() {
                tcp.shutdown().await.ok();
            }
        }
    }

    /// The next TSDU or the end of the connection, reading TCP as needed, but not past
    /// `deadline` (then [`Input::Timeout`]), a time on the [`Tp0Tcp::now`] clock.
    ///
    /// # Errors
    ///
    /// None today: TCP errors are a lost connection ([`Input::Closed`]). The `Result` leaves
    /// room for errors that are not a loss.
    pub async fn next(&mut self, deadline: Option<Instant>) -> io::Result<Input> {
        if let Some(c) = self.closed {
            return Ok(Input::Closed(c));
        }
        loop {
            match self.event(deadline).await? {
                Some(TOwned::Data(d)) => return Ok(Input::Data(d)),
                Some(TOwned::Disconnected(c)) => {
                    self.closed = Some(c);
                    return Ok(Input::Closed(c));
                }
                Some(_) => {}
                None => return Ok(Input::Timeout),
            }
        }
    }

    /// Whether octets of the last TCP read wait to be taken by [`Tp0Tcp::next`]: a user
    /// that answers input in batches (one file write for several checkpoints, say) answers
    /// once this is false.
    pub fn input_pending(&self) -> bool {
        !self.inbuf.is_empty()
    }

    async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(log) = self.log.as_mut() {
            log.push((true, bytes.to_vec()));
        }
        let Some(tcp) = self.tcp.as_mut() else {
            return Ok(());
        };
        if let Err(e) = tcp.write_all(bytes).await {
            tracing::debug!("transport: {}: write failed: {e}", self.peer);
            self.cut();
        }
        self.written += bytes.len() as u64;
        Ok(())
    }

    /// Writes the pending TP0 control TPDU (CR, CC, DR or ER), if any.
    async fn write_control(&mut self) -> io::Result<()> {
        let mut buf = [0u8; MAX_CONTROL_LEN];
        let now = self.now();
        if let Some(n) = self
            .tp
            .poll_transmit(now, &mut buf)
            .map_err(io::Error::other)?
        {
            self.write(buf.get(..n).unwrap_or_default()).await?;
        }
        Ok(())
    }

    /// Reads and decodes until TP0 gives an event, or a deadline (TP0's or the caller's)
    /// passes: `None` then, TP0's timer handled.
    async fn event(&mut self, deadline: Option<Instant>) -> io::Result<Option<TOwned>> {
        loop {
            let now = self.now();
            let consumed = self.tp.handle_input(now, &self.inbuf);
            let ev = self.tp.poll_event().map(TOwned::from);
            self.inbuf.drain(..consumed);
            self.write_control().await?;
            if ev.is_some() {
                return Ok(ev);
            }
            if consumed > 0 {
                continue;
            }
            let deadline = match (self.tp.poll_timeout(), deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let wait = deadline.map(|d| d - self.now());
            let Some(tcp) = self.tcp.as_mut() else {
                return Ok(Some(TOwned::Disconnected(DisconnectCause::NetworkClosed)));
            };
            let read = match wait {
                Some(wait) => match tokio::time::timeout(wait, tcp.read(&mut self.chunk)).await {
                    Ok(r) => r,
                    Err(_) => {
                        let now = self.now();
                        self.tp.handle_timeout(now);
                        if let Some(TEvent::Disconnected(c)) = self.tp.poll_event() {
                            return Ok(Some(TOwned::Disconnected(c)));
                        }
                        return Ok(None);
                    }
                },
                None => tcp.read(&mut self.chunk).await,
            };
            match read {
                Ok(0) | Err(_) => {
                    let now = self.now();
                    self.tp.handle_disconnect(now);
                    let c = match self.tp.poll_event() {
                        Some(TEvent::Disconnected(c)) => c,
                        _ => DisconnectCause::NetworkClosed,
                    };
                    return Ok(Some(TOwned::Disconnected(c)));
                }
                Ok(n) => {
                    if self.quick_ack {
                        quick_ack(tcp);
                    }
                    let got = self.chunk.get(..n).unwrap_or_default();
                    if let Some(log) = self.log.as_mut() {
                        log.push((false, got.to_vec()));
                    }
                    self.inbuf.extend_from_slice(got);
                }
            }
        }
    }
}

/// Sends the ACK of what was just read now, not after the delayed-ACK timer: call it after
/// every read. A peer that writes a TSDU in pieces with Nagle's algorithm on holds each later
/// piece until its first is acknowledged. Linux turns `TCP_QUICKACK` off again by itself,
/// which is why it is set each time.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn quick_ack(tcp: &TcpStream) {
    socket2::SockRef::from(tcp).set_tcp_quickack(true).ok();
}

/// Elsewhere there is no portable way to ask for an immediate ACK.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub fn quick_ack(_: &TcpStream) {}

/// A TP0 event copied out of the machine.
#[derive(Debug)]
enum TOwned {
    ConnectIndication,
    Connected,
    Data(Vec<u8>),
    Disconnected(DisconnectCause),
    Other,
}

impl From<TEvent<'_>> for TOwned {
    fn from(e: TEvent<'_>) -> Self {
        match e {
            TEvent::ConnectIndication { .. } => Self::ConnectIndication,
            TEvent::Connected { .. } => Self::Connected,
            TEvent::Data(d) => Self::Data(d.to_vec()),
            TEvent::Disconnected(c) => Self::Disconnected(c),
            _ => Self::Other,
        }
    }
}
