//! One association's shell: an RTS machine over our session machine over TP0 over RFC 1006
//! on a tokio TCP stream.
//!
//! The shell is a loop, not logic (STYLE.md §2.6): TSDUs the RTS machine queues go through
//! `Tp0::send` to TCP; octets from TCP go through `Tp0::handle_input` to
//! `Rts::handle_tsdu`; the nearer of both machines' deadlines bounds every read.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use x400::rts::machine::{Config, Event, Rts};
use x400::session::machine::Role;
use x400::transport::tp0::{Config as Tp0Config, ConnectRequest, Event as TEvent, Tp0};

/// TP0 receive buffer: a reassembled TSDU (an ISODE peer sends 63 KiB checkpoints in one
/// DT) plus the octets of one TCP read.
const TP0_BUFFER: usize = 256 << 10;
/// Octets asked of each TCP read.
const READ: usize = 64 << 10;

/// One transport connection carrying one association.
pub struct Link {
    /// `None` once cut.
    tcp: Option<TcpStream>,
    tp: Tp0<Vec<u8>>,
    /// The RTS machine: callers make requests on it, then call [`Link::next`].
    pub rts: Rts,
    epoch: Instant,
    inbuf: Vec<u8>,
    tsdu: Vec<u8>,
    closed: bool,
    /// The peer's address, for log lines.
    pub peer: SocketAddr,
    /// The local and remote TCP ports (kept: a cut socket forgets them).
    pub ports: (u16, u16),
    /// With `Some`, every octet written (`true`) and read (`false`), in order: the
    /// conformance tests write it into a pcap for tshark.
    pub log: Option<Vec<(bool, Vec<u8>)>>,
    /// Cut the TCP connection (as a network failure would) once this many octets have been
    /// written: how the tests and the benches lose connections at chosen points.
    pub cut_after: Option<u64>,
    written: u64,
}

impl Link {
    fn new(tcp: TcpStream, tp: Tp0<Vec<u8>>, rts: Rts, buffer: usize, epoch: Instant) -> Self {
        tcp.set_nodelay(true).ok(); // RFC 2126 §6.2: no Nagle delay for MIA, AEA and the like
        let peer = tcp
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let tsdu = vec![0; buffer];
        let ports = (tcp.local_addr().map_or(0, |a| a.port()), peer.port());
        Self {
            ports,
            log: None,
            tcp: Some(tcp),
            tp,
            rts,
            epoch,
            inbuf: Vec::with_capacity(READ),
            tsdu,
            closed: false,
            peer,
            cut_after: None,
            written: 0,
        }
    }

    /// The time since `epoch`, the machines' clock.
    pub fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    /// Association initiator: TCP to `addr` (from `local` if given: never through a proxy),
    /// then TP0 CR/CC without transport selectors, as ISODE's rtf connects.
    pub async fn connect(
        addr: SocketAddr,
        local: Option<SocketAddr>,
        cfg: Config,
        epoch: Instant,
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
        let tp =
            Tp0::initiator(Tp0Config::default(), vec![0; TP0_BUFFER]).map_err(io::Error::other)?;
        let mut link = Self::new(
            tcp,
            tp,
            Rts::new(Role::Initiator, cfg),
            cfg.session_buffer,
            epoch,
        );
        let now = link.now();
        link.tp
            .connect(now, &ConnectRequest::default())
            .map_err(io::Error::other)?;
        link.write_control().await?;
        match link.transport_event().await? {
            Some(TOwned::Connected) => {
                tracing::debug!(
                    "transport: TP0 connection from port {} to {addr} is up",
                    link.ports.0
                );
                Ok(link)
            }
            other => Err(io::Error::other(format!(
                "transport: {addr} did not accept the TP0 connection: {other:?}"
            ))),
        }
    }

    /// Association responder: takes the CR on an accepted TCP stream.
    pub async fn accept(tcp: TcpStream, cfg: Config, epoch: Instant) -> io::Result<Self> {
        let tp = Tp0::responder(Tp0Config::default(), vec![0; TP0_BUFFER], epoch.elapsed())
            .map_err(io::Error::other)?;
        let mut link = Self::new(
            tcp,
            tp,
            Rts::new(Role::Responder, cfg),
            cfg.session_buffer,
            epoch,
        );
        match link.transport_event().await? {
            Some(TOwned::ConnectIndication) => {}
            other => {
                return Err(io::Error::other(format!(
                    "transport: {} sent no TP0 connect request: {other:?}",
                    link.peer
                )));
            }
        }
        link.tp.accept(None, &[]).map_err(io::Error::other)?;
        link.write_control().await?;
        Ok(link)
    }

    /// The next RTS event, after sending what the machine queued and reading TCP as
    /// needed; `None` once the connection is gone and every event was taken.
    pub async fn next(&mut self) -> io::Result<Option<Event>> {
        loop {
            self.flush().await?;
            match self.rts.poll_event() {
                Some(Event::DisconnectTransport) => self.close().await,
                Some(ev) => return Ok(Some(ev)),
                None if self.closed => return Ok(None),
                None => match self.transport_event().await? {
                    Some(TOwned::Data(d)) => self.deliver(&d).await?,
                    Some(TOwned::Disconnected) => self.lost(),
                    Some(_) | None => {}
                },
            }
        }
    }

    /// Hands a TSDU to the RTS machine; if its transmit queue is full, sends first.
    async fn deliver(&mut self, tsdu: &[u8]) -> io::Result<()> {
        let now = self.now();
        if self.rts.handle_tsdu(now, tsdu).is_err() {
            self.flush().await?;
            self.rts
                .handle_tsdu(now, tsdu)
                .map_err(|e| io::Error::other(format!("rts: {e}")))?;
        }
        Ok(())
    }

    /// Sends every TSDU the RTS machine has for the transport now.
    async fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        while let Some(n) = self
            .rts
            .poll_transmit(&mut self.tsdu)
            .map_err(|e| io::Error::other(format!("rts: {e}")))?
        {
            let mut out = Vec::with_capacity(n + 64);
            {
                let mut seg = self.tp.send(&self.tsdu[..n]).map_err(io::Error::other)?;
                let mut buf = vec![0; seg.max_tpkt_len()];
                while let Some(k) = seg.write_next(&mut buf).map_err(io::Error::other)? {
                    out.extend_from_slice(&buf[..k]);
                }
            }
            if let Some(limit) = self.cut_after
                && self.written + out.len() as u64 > limit
            {
                let keep = usize::try_from(limit - self.written).unwrap_or(0);
                if let Some(tcp) = self.tcp.as_mut() {
                    tcp.write_all(&out[..keep]).await.ok();
                }
                self.cut();
                return Ok(());
            }
            if let Some(log) = self.log.as_mut() {
                log.push((true, out.clone()));
            }
            let Some(tcp) = self.tcp.as_mut() else {
                return Ok(());
            };
            if let Err(e) = tcp.write_all(&out).await {
                tracing::debug!("transport: write to {} failed: {e}", self.peer);
                self.lost();
                return Ok(());
            }
            self.written += out.len() as u64;
        }
        Ok(())
    }

    /// Drops the TCP connection without a release, as a network failure does (RST).
    pub fn cut(&mut self) {
        if let Some(tcp) = self.tcp.take() {
            // A zero linger makes the close send RST at once; it never blocks (the
            // deprecation is about non-zero values).
            #[allow(deprecated)]
            tcp.set_linger(Some(Duration::ZERO)).ok();
        }
        self.lost();
    }

    /// The connection is gone: tell both machines once.
    fn lost(&mut self) {
        if !self.closed {
            self.closed = true;
            let now = self.now();
            self.tp.handle_network_closed();
            self.rts.handle_transport_disconnect(now);
        }
    }

    /// Closes TP0 and TCP (class 0 release is closing the network connection).
    async fn close(&mut self) {
        if !self.closed {
            self.closed = true;
            self.tp.disconnect();
            if let Some(tcp) = self.tcp.as_mut() {
                tcp.shutdown().await.ok();
            }
        }
    }

    /// Writes the pending TP0 control TPDU (CR, CC, DR or ER), if any.
    async fn write_control(&mut self) -> io::Result<()> {
        if let Some(t) = self.tp.poll_transmit() {
            let t = t.to_vec();
            if let Some(log) = self.log.as_mut() {
                log.push((true, t.clone()));
            }
            if let Some(tcp) = self.tcp.as_mut() {
                tcp.write_all(&t).await?;
            }
        }
        Ok(())
    }

    /// Reads and decodes until TP0 gives an event, or a deadline passes (`None`).
    async fn transport_event(&mut self) -> io::Result<Option<TOwned>> {
        loop {
            let now = self.now();
            let input = self.tp.handle_input(now, &self.inbuf);
            let consumed = input.consumed;
            let ev = input.event.map(TOwned::from);
            self.inbuf.drain(..consumed);
            self.write_control().await?;
            if ev.is_some() {
                return Ok(ev);
            }
            if consumed > 0 {
                continue;
            }
            let deadline = match (self.tp.poll_timeout(), self.rts.poll_timeout()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let mut chunk = vec![0u8; READ];
            let wait = deadline.map(|d| d.saturating_sub(self.now()));
            let Some(tcp) = self.tcp.as_mut() else {
                return Ok(Some(TOwned::Disconnected));
            };
            let read = match wait {
                Some(wait) => match tokio::time::timeout(wait, tcp.read(&mut chunk)).await {
                    Ok(r) => r,
                    Err(_) => {
                        let now = self.now();
                        if let Some(TEvent::Disconnected(_)) = self.tp.handle_timeout(now) {
                            return Ok(Some(TOwned::Disconnected));
                        }
                        self.rts.handle_timeout(now);
                        return Ok(None);
                    }
                },
                None => tcp.read(&mut chunk).await,
            };
            match read {
                Ok(0) | Err(_) => {
                    self.tp.handle_network_closed();
                    return Ok(Some(TOwned::Disconnected));
                }
                Ok(n) => {
                    if let Some(log) = self.log.as_mut() {
                        log.push((false, chunk[..n].to_vec()));
                    }
                    self.inbuf.extend_from_slice(&chunk[..n]);
                }
            }
        }
    }
}

/// A TP0 event copied out of the machine.
#[derive(Debug)]
enum TOwned {
    ConnectIndication,
    Connected,
    Data(Vec<u8>),
    Disconnected,
    Other,
}

impl From<TEvent<'_>> for TOwned {
    fn from(e: TEvent<'_>) -> Self {
        match e {
            TEvent::ConnectIndication { .. } => Self::ConnectIndication,
            TEvent::Connected { .. } => Self::Connected,
            TEvent::Data(d) => Self::Data(d.to_vec()),
            TEvent::Disconnected(_) => Self::Disconnected,
            _ => Self::Other,
        }
    }
}
