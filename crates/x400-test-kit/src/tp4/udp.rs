//! A TP4 transfer over UDP loopback through `x400-io`'s driver, for the goodput bench
//! (`benches/tp4.rs`); `examples/tp4_udp.rs` runs the same transfer as a demo.

use core::ops::ControlFlow;
use core::time::Duration;
use std::net::UdpSocket;
use std::thread;
use std::time::Instant;

use osi_transport::TpduSize;
use osi_transport::tp4::{Config, Connection, Event};
use x400_io::tp4::{UdpService, drive};

/// What one transfer measured.
pub struct Report {
    /// TSDU octets the responder received.
    pub bytes: usize,
    /// TSDUs received.
    pub tsdus: usize,
    /// From the initiator's start to the responder's last TSDU.
    pub elapsed: Duration,
}

/// Sends `total` octets in TSDUs of `tsdu` octets from an initiator thread to a responder
/// thread over two loopback UDP sockets.
///
/// # Panics
///
/// When a socket cannot be set up, the initiator fails, or a TSDU is missing.
pub fn loopback(total: usize, tsdu: usize, credit: u16) -> Report {
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
    let count = total.div_ceil(tsdu.max(1));
    let epoch = Instant::now();
    let cfg_b = cfg.clone();
    let server = thread::spawn(move || {
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
        Report {
            bytes,
            tsdus,
            elapsed: last,
        }
    });
    let mut svc = UdpService::from_socket(sa);
    let mut conn = Connection::connect(cfg, 1).unwrap();
    let data = vec![0x5a; tsdu];
    let mut queued = 0;
    let mut closed = false;
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
    let r = server.join().unwrap();
    assert_eq!(r.tsdus, count, "every TSDU arrived");
    r
}
