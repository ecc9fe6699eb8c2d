//! TP0 over RFC 1006 on loopback TCP: a tokio shell around the sans-IO machine.
//!
//! A responder echoes every TSDU; an initiator connects, sends TSDUs from 0 octets to 1 MiB,
//! checks each echo and reports the time it took.
//!
//! ```text
//! cargo run --release --example tp0_echo            # own server and client on 127.0.0.1
//! cargo run --release --example tp0_echo -- 65531   # propose another TPDU size (octets)
//! ```
//!
//! The shell is a loop, not logic: read from TCP into a buffer, hand it to
//! `Tp0::handle_input`, act on the event, write what `poll_transmit` and `send` produce, and
//! sleep no longer than `poll_timeout`.

// A program, not a no_std library: std paths are the natural ones, and a failed set-up step
// ends it.
#![allow(
    clippy::std_instead_of_core,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use x400::transport::TpduSize;
use x400::transport::tp0::{Config, ConnectRequest, DisconnectCause, Event, Tp0};

/// The TSDU sizes exchanged.
const SIZES: [usize; 10] = [
    0,
    1,
    100,
    2045,
    2046,
    8189,
    65531,
    100_000,
    512 * 1024,
    1 << 20,
];

/// The largest TSDU either side reassembles.
const MAX_TSDU: usize = 1 << 20;

/// An event copied out of the machine, so the shell can keep using it.
#[derive(Debug, PartialEq, Eq)]
enum Owned {
    ConnectIndication { called: Vec<u8> },
    Connected,
    Data(Vec<u8>),
    Expedited(Vec<u8>),
    Disconnected(DisconnectCause),
}

/// One TCP connection and its TP0 machine.
struct Conn {
    tcp: TcpStream,
    tp: Tp0<Vec<u8>>,
    epoch: Instant,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
}

impl Conn {
    fn new(tcp: TcpStream, tp: Tp0<Vec<u8>>, epoch: Instant) -> Self {
        tcp.set_nodelay(true).ok(); // RFC 2126 §6.2
        Self {
            tcp,
            tp,
            epoch,
            inbuf: Vec::with_capacity(1 << 16),
            outbuf: Vec::new(),
        }
    }

    fn now(&self) -> x400::transport::Instant {
        x400::transport::Instant::from_duration(self.epoch.elapsed())
    }

    /// Writes the pending control TPDU (CR, CC, DR or ER), if any.
    async fn flush(&mut self) -> io::Result<()> {
        let mut buf = [0u8; x400::transport::tp0::MAX_CONTROL_LEN];
        let now = self.now();
        if let Some(n) = self
            .tp
            .poll_transmit(now, &mut buf)
            .map_err(io::Error::other)?
        {
            self.tcp.write_all(&buf[..n]).await?;
        }
        Ok(())
    }

    /// The next event: decodes buffered TPKTs, reads more when needed, honours the deadline.
    async fn next_event(&mut self) -> io::Result<Owned> {
        loop {
            let now = self.now();
            let consumed = self.tp.handle_input(now, &self.inbuf);
            let ev = self.tp.poll_event().map(|e| match e {
                Event::ConnectIndication { called, .. } => Owned::ConnectIndication {
                    called: called.to_vec(),
                },
                Event::Connected { .. } => Owned::Connected,
                Event::Data(d) => Owned::Data(d.to_vec()),
                Event::Expedited(d) => Owned::Expedited(d.to_vec()),
                Event::Disconnected(c) => Owned::Disconnected(c),
                _ => Owned::Disconnected(DisconnectCause::NetworkClosed),
            });
            self.inbuf.drain(..consumed);
            self.flush().await?;
            if let Some(ev) = ev {
                return Ok(ev);
            }
            if consumed > 0 {
                continue;
            }
            let mut chunk = [0u8; 1 << 16];
            let read = match self.tp.poll_timeout() {
                Some(deadline) => {
                    let wait = deadline - self.now();
                    match tokio::time::timeout(wait, self.tcp.read(&mut chunk)).await {
                        Ok(r) => r?,
                        Err(_) => {
                            let now = self.now();
                            self.tp.handle_timeout(now);
                            if let Some(Event::Disconnected(c)) = self.tp.poll_event() {
                                return Ok(Owned::Disconnected(c));
                            }
                            continue;
                        }
                    }
                }
                None => self.tcp.read(&mut chunk).await?,
            };
            if read == 0 {
                let now = self.now();
                self.tp.handle_disconnect(now);
                let cause = match self.tp.poll_event() {
                    Some(Event::Disconnected(c)) => c,
                    _ => DisconnectCause::NetworkClosed,
                };
                return Ok(Owned::Disconnected(cause));
            }
            self.inbuf.extend_from_slice(&chunk[..read]);
        }
    }

    /// T-DATA.request: the TSDU's DTs, written in one go.
    async fn send(&mut self, tsdu: &[u8]) -> io::Result<()> {
        let mut seg = self.tp.send(tsdu).map_err(io::Error::other)?;
        let mut buf = vec![0; seg.max_tpkt_len()];
        self.outbuf.clear();
        while let Some(n) = seg.write_next(&mut buf).map_err(io::Error::other)? {
            self.outbuf.extend_from_slice(&buf[..n]);
        }
        self.tcp.write_all(&self.outbuf).await
    }
}

/// The echo responder: accepts one connection, echoes TSDUs until it ends.
async fn serve(listener: TcpListener, epoch: Instant) -> io::Result<usize> {
    let (tcp, _) = listener.accept().await?;
    let cfg = {
        let mut c = Config::default();
        c.local_ref = 0x0200;
        c.max_tsdu_len = MAX_TSDU;
        c
    };
    let tp = Tp0::responder(
        cfg,
        vec![0; MAX_TSDU],
        x400::transport::Instant::from_duration(epoch.elapsed()),
    )
    .map_err(io::Error::other)?;
    let mut c = Conn::new(tcp, tp, epoch);
    let mut echoed = 0;
    loop {
        match c.next_event().await? {
            Owned::ConnectIndication { .. } => {
                c.tp.accept(None, &[]).map_err(io::Error::other)?;
                c.flush().await?;
            }
            Owned::Data(d) => {
                c.send(&d).await?;
                echoed += 1;
            }
            Owned::Disconnected(_) => return Ok(echoed),
            _ => {}
        }
    }
}

/// The initiator: connects, sends every size, checks the echoes. Returns (size, time) pairs.
async fn client(
    addr: std::net::SocketAddr,
    size: TpduSize,
    epoch: Instant,
) -> io::Result<(u32, Vec<(usize, Duration)>)> {
    let tcp = TcpStream::connect(addr).await?;
    let cfg = {
        let mut c = Config::default();
        c.local_ref = 0x0100;
        c.proposed_tpdu_size = size;
        c.max_tsdu_len = MAX_TSDU;
        c
    };
    let tp = Tp0::initiator(cfg, vec![0; MAX_TSDU]).map_err(io::Error::other)?;
    let mut c = Conn::new(tcp, tp, epoch);
    let now = c.now();
    c.tp.connect(
        now,
        &ConnectRequest {
            calling: b"ECHO-CLIENT",
            called: b"ECHO",
            data: &[],
        },
    )
    .map_err(io::Error::other)?;
    c.flush().await?;
    match c.next_event().await? {
        Owned::Connected => {}
        other => return Err(io::Error::other(format!("connect failed: {other:?}"))),
    }
    let mut times = Vec::new();
    for len in SIZES {
        let tsdu: Vec<u8> = (0..len).map(|i| u8::try_from(i % 253).unwrap()).collect();
        let start = Instant::now();
        c.send(&tsdu).await?;
        match c.next_event().await? {
            Owned::Data(d) if d == tsdu => times.push((len, start.elapsed())),
            Owned::Data(d) => {
                return Err(io::Error::other(format!(
                    "echo of {len} octets came back as {}",
                    d.len()
                )));
            }
            other => return Err(io::Error::other(format!("unexpected {other:?}"))),
        }
    }
    // Class 0 release: close the network connection (X.224 6.7.1.4).
    c.tp.disconnect();
    c.tcp.shutdown().await?;
    Ok((c.tp.tpdu_size(), times))
}

/// Runs server and client on loopback; returns the negotiated size, the timings and the
/// number of TSDUs the server echoed.
async fn run(size: TpduSize) -> io::Result<(u32, Vec<(usize, Duration)>, usize)> {
    let epoch = Instant::now();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(serve(listener, epoch));
    let (tpdu_size, times) = client(addr, size, epoch).await?;
    let echoed = server.await.map_err(io::Error::other)??;
    Ok((tpdu_size, times, echoed))
}

fn main() -> io::Result<()> {
    let octets: u32 = std::env::args()
        .nth(1)
        .map_or(Ok(8192), |a| a.parse())
        .map_err(io::Error::other)?;
    let size = TpduSize::at_most(octets);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (tpdu_size, times, echoed) = rt.block_on(run(size))?;
    println!("TP0 over loopback TCP, TPDU size {tpdu_size} octets, {echoed} TSDUs echoed");
    for (len, t) in times {
        let mbps = if t.as_secs_f64() > 0.0 {
            2.0 * len as f64 / t.as_secs_f64() / 1e6
        } else {
            0.0
        };
        println!(
            "  {len:>8} octets  round trip {:>10.3} ms  {mbps:>8.1} MB/s",
            t.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_echo_0_to_1_mib() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for size in [TpduSize::S2048, TpduSize::S65531] {
            let (tpdu_size, times, echoed) = rt.block_on(run(size)).unwrap();
            assert_eq!(tpdu_size, size.octets().unwrap());
            assert_eq!((times.len(), echoed), (SIZES.len(), SIZES.len()));
        }
    }

    #[test]
    fn silent_server_times_out() {
        // A peer that accepts TCP but never answers the CR (python-snap7's server does this
        // to a session CN): the establishment timer ends the attempt.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let cause = rt.block_on(async {
            let epoch = Instant::now();
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let hold = tokio::spawn(async move {
                let (s, _) = listener.accept().await.unwrap();
                tokio::time::sleep(Duration::from_secs(2)).await;
                drop(s);
            });
            let cfg = {
                let mut c = Config::default();
                c.connect_timeout = Duration::from_millis(200);
                c
            };
            let mut c = Conn::new(
                TcpStream::connect(addr).await.unwrap(),
                Tp0::initiator(cfg, vec![0; 64]).unwrap(),
                epoch,
            );
            let now = c.now();
            c.tp.connect(now, &ConnectRequest::default()).unwrap();
            c.flush().await.unwrap();
            let ev = c.next_event().await.unwrap();
            hold.abort();
            ev
        });
        assert_eq!(cause, Owned::Disconnected(DisconnectCause::Timeout));
    }
}
