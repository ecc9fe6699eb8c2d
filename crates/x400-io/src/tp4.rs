//! TP4 over UDP: a [`DatagramService`] on a connected `std::net::UdpSocket`.
//!
//! Each TPDU is one UDP datagram, the way TP4 runs over CLNP with one TPDU per N-UNITDATA.
//! This is the IO shell: it reads the clock and blocks, the machine
//! ([`osi_transport::tp4::Connection`]) does not.

use core::net::SocketAddr;
use core::ops::ControlFlow;
use core::time::Duration;
use std::io;
use std::net::UdpSocket;
use std::time::Instant as Clock;

use osi_transport::Instant;

use osi_transport::tp4::{Connection, Event, State};

/// The request side of a datagram network service (N-UNITDATA.request).
///
/// Over CLNS every TPDU travels as one N-UNITDATA (X.224 6.1.2): best effort, no order, no
/// duplicate suppression. The indications are handed to [`Connection::handle_datagram`] by
/// the caller. [`UdpService`] is one; the test kit's network simulator is another.
pub trait DatagramService {
    /// What a failed send reports.
    type Error;

    /// Largest NSDU the service carries; TPDUs must fit it (X.224 6.5.5 j).
    fn max_nsdu_len(&self) -> usize;

    /// Sends one NSDU, best effort.
    ///
    /// # Errors
    ///
    /// Whatever the service reports; a datagram service may also drop silently.
    fn send(&mut self, nsdu: &[u8]) -> Result<(), Self::Error>;
}

/// Largest UDP payload over IPv4.
pub const MAX_UDP_PAYLOAD: usize = 65_507;

/// A UDP socket connected to one peer.
#[derive(Debug)]
pub struct UdpService {
    socket: UdpSocket,
    /// The socket's current blocking mode and read time-out, so that each is changed with
    /// a system call only when it has to change (one `recv` per datagram otherwise).
    nonblocking: bool,
    read_timeout: Option<Duration>,
}

impl UdpService {
    /// Binds `local` and connects to `peer` (datagrams from others are then filtered out
    /// by the operating system).
    ///
    /// # Errors
    ///
    /// Socket errors.
    pub fn bind(local: SocketAddr, peer: SocketAddr) -> io::Result<Self> {
        let socket = UdpSocket::bind(local)?;
        socket.connect(peer)?;
        Ok(Self::from_socket(socket))
    }

    /// Wraps an already connected socket.
    pub fn from_socket(socket: UdpSocket) -> Self {
        Self {
            socket,
            nonblocking: false,
            read_timeout: None,
        }
    }

    fn set_nonblocking(&mut self, on: bool) -> io::Result<()> {
        if self.nonblocking != on {
            self.socket.set_nonblocking(on)?;
            self.nonblocking = on;
        }
        Ok(())
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// Socket errors.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Waits up to `timeout` (at least 1 ms) for one datagram; `Ok(None)` on time-out.
    ///
    /// # Errors
    ///
    /// Socket errors other than a time-out. A refused port (ICMP) is reported as
    /// `Ok(None)`: to a datagram service that is just a lost datagram.
    pub fn recv_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<usize>> {
        self.set_nonblocking(false)?;
        let t = Some(timeout.max(Duration::from_millis(1)));
        if self.read_timeout != t {
            self.socket.set_read_timeout(t)?;
            self.read_timeout = t;
        }
        match self.socket.recv(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::ConnectionRefused
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Takes one datagram if one is already waiting.
    ///
    /// # Errors
    ///
    /// Socket errors other than "nothing waiting".
    pub fn try_recv(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        self.set_nonblocking(true)?;
        match self.socket.recv(buf) {
            Ok(n) => Ok(Some(n)),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::ConnectionRefused
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

impl DatagramService for UdpService {
    type Error = io::Error;

    fn max_nsdu_len(&self) -> usize {
        MAX_UDP_PAYLOAD
    }

    fn send(&mut self, nsdu: &[u8]) -> io::Result<()> {
        match self.socket.send(nsdu) {
            Ok(_) => Ok(()),
            // A full socket buffer or an unreachable peer loses the datagram, as the
            // network service may; class 4 retransmits.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::ConnectionRefused
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// Sends every TPDU `conn` has ready at `now` through `svc`; returns how many.
///
/// `buf` must hold [`Connection::max_tpdu_len`] octets.
///
/// # Errors
///
/// The service's send errors.
pub fn flush<S: DatagramService>(
    conn: &mut Connection,
    svc: &mut S,
    now: Instant,
    buf: &mut [u8],
) -> Result<usize, S::Error> {
    let mut n = 0;
    while let Ok(Some(len)) = conn.poll_transmit(now, buf) {
        svc.send(buf.get(..len).unwrap_or_default())?;
        n += 1;
    }
    Ok(n)
}

/// Longest a [`drive`] loop blocks in `recv` before it looks at the user again.
pub const DRIVE_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// A blocking event loop for one connection over UDP: the IO shell around the machine.
///
/// Each turn reads the clock (time since `epoch`), fires due timers, sends what is ready,
/// calls `user` once with `None` and once per event, then waits for a datagram until the
/// next deadline (at most [`DRIVE_POLL_INTERVAL`]). It returns when `user` breaks or the
/// connection is released (frozen or closed).
///
/// # Errors
///
/// Socket errors.
pub fn drive(
    conn: &mut Connection,
    svc: &mut UdpService,
    epoch: Clock,
    mut user: impl FnMut(&mut Connection, Option<Event>, Instant) -> ControlFlow<()>,
) -> io::Result<()> {
    let mut buf = vec![0u8; MAX_UDP_PAYLOAD];
    loop {
        let now = Instant::from_duration(epoch.elapsed());
        if conn.poll_timeout().is_some_and(|t| t <= now) {
            conn.handle_timeout(now);
        }
        if user(conn, None, now).is_break() {
            return Ok(());
        }
        while let Some(e) = conn.poll_event() {
            if user(conn, Some(e), now).is_break() {
                return Ok(());
            }
        }
        flush(conn, svc, now, &mut buf)?;
        if matches!(conn.state(), State::Frozen | State::Closed) {
            return Ok(());
        }
        let wait = conn
            .poll_timeout()
            .map_or(DRIVE_POLL_INTERVAL, |t| t - now)
            .min(DRIVE_POLL_INTERVAL);
        if let Some(n) = svc.recv_timeout(&mut buf, wait)? {
            conn.handle_datagram(
                Instant::from_duration(epoch.elapsed()),
                buf.get(..n).unwrap_or_default(),
            );
            // Take whatever else is already queued before sending again.
            while let Some(n) = svc.try_recv(&mut buf)? {
                conn.handle_datagram(
                    Instant::from_duration(epoch.elapsed()),
                    buf.get(..n).unwrap_or_default(),
                );
            }
        }
    }
}
