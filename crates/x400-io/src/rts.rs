//! One association's shell: an RTS machine ([`x400_rts::machine::Rts`], which runs our
//! session machine) over TP0 over RFC 1006 on a tokio TCP stream (the transport half is
//! [`Tp0Tcp`]).
//!
//! The caller makes requests on [`Link::rts`] and then awaits [`Link::next`], which sends
//! what the machine queued, reads TCP and fires the machine's timers until there is an event:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use x400_io::rts::Link;
//! use x400_rts::machine::{Config, Event, OpenRequest};
//! use x400_rts::{CallingSsUserReference, SessionConnectionIdentifier, T61String, UtcTimeOctets};
//!
//! let id = SessionConnectionIdentifier {
//!     calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("mta-a")),
//!     common_reference: UtcTimeOctets::from("261203100000Z"),
//!     additional_reference_information: None,
//! };
//! let addr = "127.0.0.1:102".parse().unwrap();
//! let epoch = tokio::time::Instant::now();
//! let mut link = Link::connect(addr, None, Config::default(), epoch, false).await?;
//! link.rts.open(&OpenRequest::new(&id, None)).map_err(std::io::Error::other)?;
//! // The APDU: an MTA reads it from its message store a piece at a time instead.
//! let apdu = b"an APDU";
//! while let Some(ev) = link.next().await? {
//!     match ev {
//!         Event::Opened(_) => link.rts.start_transfer().map_err(std::io::Error::other)?,
//!         Event::Transferred => link.rts.close().map_err(std::io::Error::other)?,
//!         _ => {}
//!     }
//!     // Whatever the event, write what the machine takes (its window bounds it), then
//!     // finish the APDU.
//!     while let Some(at) = link.rts.write_offset() {
//!         let rest = &apdu[at as usize..];
//!         if rest.is_empty() {
//!             link.rts.finish_transfer().map_err(std::io::Error::other)?;
//!             break;
//!         }
//!         if link.rts.write(rest).map_err(std::io::Error::other)? == 0 {
//!             break;
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

use std::io;
use std::net::SocketAddr;

use osi_session::machine::Role;
use osi_transport::tp0::{Config as Tp0Config, ConnectRequest};
use tokio::net::TcpStream;
use tokio::time::Instant;
use x400_rts::machine::{Config, Event, Rts};

use crate::tp0::{Input, Tp0Tcp};

/// TP0 receive buffer: a reassembled TSDU (an ISODE peer sends 63 KiB checkpoints in one
/// DT) plus the octets of one TCP read.
const TP0_BUFFER: usize = 256 << 10;

/// One transport connection carrying one association.
#[derive(Debug)]
pub struct Link {
    /// The transport: TCP and TP0 (its log, ports and cut point are public).
    pub net: Tp0Tcp,
    /// The RTS machine: callers make requests on it, then call [`Link::next`].
    pub rts: Rts,
    tsdu: Vec<u8>,
    /// Whether the RTS machine was told that the transport is gone.
    told: bool,
}

impl Link {
    fn new(net: Tp0Tcp, rts: Rts, buffer: usize) -> Self {
        Self {
            net,
            rts,
            tsdu: vec![0; buffer],
            told: false,
        }
    }

    /// The machines' clock.
    pub fn now(&self) -> x400_rts::machine::Instant {
        self.net.now()
    }

    /// Association initiator: TCP to `addr` (from `local` if given: never through a proxy),
    /// then TP0 CR/CC without transport selectors, as ISODE's rtf connects. `epoch` starts
    /// the machines' clock. With `log`, every octet is kept in `net.log`
    /// ([`Tp0Tcp::log`]). The association itself is opened with a request on [`Link::rts`].
    ///
    /// # Errors
    ///
    /// Those of [`Tp0Tcp::connect`].
    pub async fn connect(
        addr: SocketAddr,
        local: Option<SocketAddr>,
        cfg: Config,
        epoch: Instant,
        log: bool,
    ) -> io::Result<Self> {
        let net = Tp0Tcp::connect(
            addr,
            local,
            Tp0Config::default(),
            TP0_BUFFER,
            &ConnectRequest::default(),
            epoch,
            log,
        )
        .await?;
        tracing::debug!(
            "transport: TP0 connection from port {} to {addr} is up",
            net.ports.0
        );
        Ok(Self::new(
            net,
            Rts::new(Role::Initiator, cfg),
            cfg.session_buffer,
        ))
    }

    /// Association responder: takes the CR on an accepted TCP stream; the PConnect comes
    /// as an event of [`Link::next`].
    ///
    /// # Errors
    ///
    /// Those of [`Tp0Tcp::accept`].
    pub async fn accept(
        tcp: TcpStream,
        cfg: Config,
        epoch: Instant,
        log: bool,
    ) -> io::Result<Self> {
        let net = Tp0Tcp::accept(tcp, Tp0Config::default(), TP0_BUFFER, epoch, log).await?;
        Ok(Self::new(
            net,
            Rts::new(Role::Responder, cfg),
            cfg.session_buffer,
        ))
    }

    /// Whether received input waits to be handed to the machine ([`Tp0Tcp::input_pending`]):
    /// the next [`Link::next`] then gives its events without waiting for the network.
    pub fn input_pending(&self) -> bool {
        self.net.input_pending()
    }

    /// Fault injection: drops the TCP connection without a release, as a network failure
    /// does (RST), and tells the RTS machine.
    pub fn cut(&mut self) {
        self.net.cut();
        self.lost();
    }

    /// The next RTS event, after sending what the machine queued and reading TCP as
    /// needed; `None` once the connection is gone and every event was taken.
    ///
    /// # Errors
    ///
    /// A TSDU the machines cannot take or send (their errors, as `io::Error::other`).
    pub async fn next(&mut self) -> io::Result<Option<Event>> {
        loop {
            self.flush().await?;
            match self.rts.poll_event() {
                Some(Event::DisconnectTransport) => self.net.close().await,
                Some(ev) => return Ok(Some(ev)),
                None if self.net.closed.is_some() => {
                    if self.told {
                        return Ok(None);
                    }
                    self.lost();
                }
                None => match self.net.next(self.rts.poll_timeout()).await? {
                    Input::Data(d) => self.deliver(&d).await?,
                    Input::Closed(_) => self.lost(),
                    Input::Timeout => {
                        let now = self.now();
                        self.rts.handle_timeout(now);
                    }
                },
            }
        }
    }

    /// Hands a TSDU to the RTS machine; if its transmit queue is full, sends first.
    async fn deliver(&mut self, tsdu: &[u8]) -> io::Result<()> {
        let now = self.now();
        if self.rts.handle_tsdu(now, tsdu).is_err() {
            self.flush().await?;
            self.rts.handle_tsdu(now, tsdu).map_err(io::Error::other)?;
        }
        Ok(())
    }

    /// Sends every TSDU the RTS machine has for the transport now, in one TCP write.
    async fn flush(&mut self) -> io::Result<()> {
        while self.net.closed.is_none()
            && let Some(n) = self
                .rts
                .poll_transmit(self.net.now(), &mut self.tsdu)
                .map_err(io::Error::other)?
        {
            self.net.queue(self.tsdu.get(..n).unwrap_or_default())?;
        }
        self.net.flush().await?;
        if self.net.closed.is_some() {
            self.lost();
        }
        Ok(())
    }

    /// The connection is gone: tell the RTS machine once.
    fn lost(&mut self) {
        if !self.told {
            self.told = true;
            let now = self.now();
            self.rts.handle_disconnect(now);
        }
    }
}
