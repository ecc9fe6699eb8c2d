//! TP4 over UDP on loopback: the UDP adapter and the machine move TSDUs between two sockets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use core::time::Duration;
use std::time::Instant;

use osi_transport::TpduSize;
use osi_transport::tp4::{Config, Connection, Event, State};
use x400_io::tp4::{UdpService, flush};

/// The machines' clock: time since `epoch`.
fn at(epoch: Instant) -> osi_transport::Instant {
    osi_transport::Instant::from_duration(epoch.elapsed())
}

#[test]
fn tsdus_cross_udp_loopback_intact() {
    let sa = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let sb = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sa.connect(sb.local_addr().unwrap()).unwrap();
    sb.connect(sa.local_addr().unwrap()).unwrap();
    let mut ua = UdpService::from_socket(sa);
    let mut ub = UdpService::from_socket(sb);
    let cfg = {
        let mut c = Config::default();
        c.tpdu_size = TpduSize::S8192;
        c.credit = 32;
        c.retransmit_time = Duration::from_millis(200);
        c
    };
    let mut a = Connection::connect(cfg.clone(), 1).unwrap();
    let mut b = Connection::listen(cfg, 2).unwrap();
    let tsdus: Vec<Vec<u8>> = (0..2u8)
        .map(|i| {
            (0..(1usize << 20) - usize::from(i))
                .map(|j| (j % 253).to_le_bytes()[0] ^ i)
                .collect()
        })
        .chain([Vec::new(), b"end".to_vec()])
        .collect();
    let mut next = 0;
    let epoch = Instant::now();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65_536];
    let mut closed = false;
    while epoch.elapsed() < Duration::from_secs(60) {
        while next < tsdus.len() && tsdus[next].len() <= a.send_capacity() {
            a.send(&tsdus[next]).unwrap();
            next += 1;
        }
        let now = at(epoch);
        for (m, u) in [(&mut a, &mut ua), (&mut b, &mut ub)] {
            if m.poll_timeout().is_some_and(|t| t <= now) {
                m.handle_timeout(now);
            }
            flush(m, u, now, &mut buf).unwrap();
        }
        let mut idle = true;
        while let Some(n) = ua.try_recv(&mut buf).unwrap() {
            a.handle_datagram(at(epoch), &buf[..n]);
            idle = false;
        }
        while let Some(n) = ub.try_recv(&mut buf).unwrap() {
            b.handle_datagram(at(epoch), &buf[..n]);
            idle = false;
        }
        while let Some(e) = b.poll_event() {
            match e {
                Event::ConnectIndication { .. } => b.accept(at(epoch)).unwrap(),
                Event::Data(d) => got.push(d),
                _ => {}
            }
        }
        while a.poll_event().is_some() {}
        if !closed && next == tsdus.len() && a.all_acknowledged() && a.state() == State::Open {
            a.close();
            closed = true;
        }
        if a.state() == State::Frozen && b.state() == State::Frozen {
            break;
        }
        if idle {
            // Nothing arrived: wait briefly for the next datagram instead of spinning.
            if let Some(n) = ua.recv_timeout(&mut buf, Duration::from_millis(1)).unwrap() {
                a.handle_datagram(at(epoch), &buf[..n]);
            }
        }
    }
    assert_eq!(got.len(), tsdus.len());
    assert!(got == tsdus, "TSDUs differ");
    assert_eq!(a.state(), State::Frozen);
}
