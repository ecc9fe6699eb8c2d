//! TP4 over UDP on loopback: a responder thread and an initiator thread move data through
//! `x400-io`'s UDP driver and report the throughput.
//!
//! `cargo run --release --example tp4_udp -- [MiB] [TSDU octets] [credit]`
//! (defaults: 64 MiB in TSDUs of 64 KiB, TPDU size 8192, credit 8). Credit 8 keeps the
//! window (8 x 8 KiB) inside Linux's default UDP receive buffer (about 208 KiB, of which an
//! 8 KiB datagram takes twice its size); larger credits overflow it and the throughput then
//! depends on loss recovery (`TP4_STATS=1` prints the initiator's counters).

// An example may unwrap: a failure is a broken demo, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::UdpSocket;
use std::ops::ControlFlow;
use std::thread;
use std::time::{Duration, Instant};

use x400::transport::TpduSize;
use x400::transport::tp4::{Config, Connection, Event};
use x400_io::tp4::{UdpService, drive};

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let mib = args.next().unwrap_or(64);
    let tsdu = args.next().unwrap_or(64 * 1024);
    let credit = u16::try_from(args.next().unwrap_or(8)).unwrap();

    // Two sockets, each connected to the other: the kernel filters out strangers.
    let sa = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sb = UdpSocket::bind("127.0.0.1:0").unwrap();
    sa.connect(sb.local_addr().unwrap()).unwrap();
    sb.connect(sa.local_addr().unwrap()).unwrap();
    let cfg = {
        let mut c = Config::default();
        c.tpdu_size = TpduSize::S8192;
        c.credit = credit;
        c.retransmit_time = Duration::from_millis(50);
        // Loopback round trips are tens of microseconds: let T1 follow them down.
        c.min_retransmit_time = Duration::from_millis(1);
        c.ack_every = 4;
        c.ack_time = Duration::from_millis(2);
        c.max_send_buffer = 4 << 20;
        c.max_receive_buffer = 8 << 20;
        c
    };
    let count = (mib << 20).div_ceil(tsdu.max(1));
    let epoch = Instant::now();

    // The responder: accepts, counts what arrives, and ends when the initiator releases.
    let cfg_b = cfg.clone();
    let responder = thread::spawn(move || {
        let mut svc = UdpService::from_socket(sb);
        let mut conn = Connection::listen(cfg_b, 2).unwrap();
        let (mut bytes, mut tsdus, mut last) = (0, 0, Duration::ZERO);
        drive(&mut conn, &mut svc, epoch, |c, e, now| {
            match e {
                Some(Event::ConnectIndication { .. }) => c.accept(now).unwrap(),
                Some(Event::Data(d)) => {
                    bytes += d.len();
                    tsdus += 1;
                    last = epoch.elapsed();
                }
                _ => {}
            }
            ControlFlow::Continue(())
        })
        .unwrap();
        (bytes, tsdus, last)
    });

    // The initiator: keeps the send buffer full, releases once everything is acknowledged.
    let mut svc = UdpService::from_socket(sa);
    let mut conn = Connection::connect(cfg, 1).unwrap();
    let data = vec![0x5a; tsdu];
    let (mut queued, mut closed) = (0, false);
    drive(&mut conn, &mut svc, epoch, |c, e, _| {
        if let Some(Event::Disconnected(cause)) = e {
            panic!("initiator failed: {cause:?}");
        }
        while queued < count && c.send_capacity() >= tsdu && c.send(&data).is_ok() {
            queued += 1;
        }
        if queued == count && !closed && c.all_acknowledged() {
            c.close();
            closed = true;
        }
        ControlFlow::Continue(())
    })
    .unwrap();
    if std::env::var_os("TP4_STATS").is_some() {
        eprintln!("initiator {:?}", conn.stats());
    }
    let (bytes, tsdus, elapsed) = responder.join().unwrap();
    assert_eq!(tsdus, count, "every TSDU arrived");
    println!(
        "TP4 over UDP loopback: {mib} MiB in {:.3} s = {:.1} MB/s ({tsdus} TSDUs of {tsdu} octets, credit {credit}, TPDU 8192)",
        elapsed.as_secs_f64(),
        bytes as f64 / elapsed.as_secs_f64() / 1e6,
    );
}
