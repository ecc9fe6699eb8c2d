//! TP4 over UDP: a [`DatagramService`] on a connected `std::net::UdpSocket`.
//!
//! Each TPDU is one UDP datagram, the way TP4 runs over CLNP with one TPDU per N-UNITDATA.
//! This is the IO shell: it reads the clock and blocks, the machine does not.

use core::net::SocketAddr;
use core::time::Duration;
use std::io;
use std::net::UdpSocket;

use super::network::DatagramService;

/// Largest UDP payload over IPv4.
pub const MAX_UDP_PAYLOAD: usize = 65_507;

/// A UDP socket connected to one peer.
#[derive(Debug)]
pub struct UdpService {
    socket: UdpSocket,
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
        Ok(Self { socket })
    }

    /// Wraps an already connected socket.
    pub fn from_socket(socket: UdpSocket) -> Self {
        Self { socket }
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
    pub fn recv_timeout(&self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<usize>> {
        self.socket
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
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
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        self.socket.set_nonblocking(true)?;
        let r = self.socket.recv(buf);
        self.socket.set_nonblocking(false)?;
        match r {
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
