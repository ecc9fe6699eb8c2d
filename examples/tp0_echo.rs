//! TP0 over RFC 1006 on loopback TCP, through the tokio shell of `x400-io`.
//!
//! A responder echoes every TSDU; an initiator connects, sends TSDUs from 0 octets to 1 MiB,
//! checks each echo and reports the time it took.
//!
//! ```text
//! cargo run --release --example tp0_echo            # own server and client on 127.0.0.1
//! cargo run --release --example tp0_echo -- 65531   # propose another TPDU size (octets)
//! ```

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

use tokio::net::TcpListener;
use tokio::time::Instant;
use x400::transport::TpduSize;
use x400::transport::tp0::{Config, ConnectRequest};
use x400_io::tp0::{Input, Tp0Tcp};

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

/// The echo responder: accepts one connection, echoes TSDUs until it ends.
async fn serve(listener: TcpListener, epoch: Instant) -> io::Result<usize> {
    let (tcp, _) = listener.accept().await?;
    let mut cfg = Config::default();
    cfg.local_ref = 0x0200;
    cfg.max_tsdu_len = MAX_TSDU;
    let mut c = Tp0Tcp::accept(tcp, cfg, MAX_TSDU, epoch, false).await?;
    let mut echoed = 0;
    loop {
        match c.next(None).await? {
            Input::Data(d) => {
                c.send(&d).await?;
                echoed += 1;
            }
            Input::Closed(_) => return Ok(echoed),
            Input::Timeout => {}
        }
    }
}

/// The initiator: connects, sends every size, checks the echoes. Returns (size, time) pairs.
async fn client(
    addr: std::net::SocketAddr,
    size: TpduSize,
    epoch: Instant,
) -> io::Result<(u32, Vec<(usize, Duration)>)> {
    let mut cfg = Config::default();
    cfg.local_ref = 0x0100;
    cfg.proposed_tpdu_size = size;
    cfg.max_tsdu_len = MAX_TSDU;
    let req = ConnectRequest {
        calling: b"ECHO-CLIENT",
        called: b"ECHO",
        data: &[],
    };
    let mut c = Tp0Tcp::connect(addr, None, cfg, MAX_TSDU, &req, epoch, false).await?;
    let mut times = Vec::new();
    for len in SIZES {
        let tsdu: Vec<u8> = (0..len).map(|i| u8::try_from(i % 253).unwrap()).collect();
        let start = Instant::now();
        c.send(&tsdu).await?;
        match c.next(None).await? {
            Input::Data(d) if d == tsdu => times.push((len, start.elapsed())),
            Input::Data(d) => {
                return Err(io::Error::other(format!(
                    "echo of {len} octets came back as {}",
                    d.len()
                )));
            }
            Input::Closed(cause) => return Err(io::Error::other(format!("closed: {cause}"))),
            Input::Timeout => return Err(io::Error::other("no echo")),
        }
    }
    // Class 0 release: close the network connection (X.224 6.7.1.4).
    let tpdu_size = c.tp.tpdu_size();
    c.close().await;
    Ok((tpdu_size, times))
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
    use x400::transport::tp0::DisconnectCause;

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
        let (err, took) = rt.block_on(async {
            let epoch = Instant::now();
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let hold = tokio::spawn(async move {
                let (s, _) = listener.accept().await.unwrap();
                tokio::time::sleep(Duration::from_secs(2)).await;
                drop(s);
            });
            let mut cfg = Config::default();
            cfg.connect_timeout = Duration::from_millis(200);
            let req = ConnectRequest::default();
            let start = Instant::now();
            let Err(err) = Tp0Tcp::connect(addr, None, cfg, 64, &req, epoch, false).await else {
                panic!("a silent peer is not a connection");
            };
            hold.abort();
            (err, start.elapsed())
        });
        assert!(
            err.to_string()
                .contains(&DisconnectCause::Timeout.to_string()),
            "{err}"
        );
        assert!(took < Duration::from_secs(1), "gave up after {took:?}");
    }
}
