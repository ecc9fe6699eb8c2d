//! Oracle for the class 4 machine of `osi-transport` (`transport::tp4`).

use core::time::Duration;

use osi_transport::Instant;
use osi_transport::tp4::{Config, Connection, Event, State};
use osi_transport::{Params, Tpdu, TpduSize, checksum};

/// Reads the input front to back; zeros once it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let (a, b) = self.0.split_at(n.min(self.0.len()));
        self.0 = b;
        a
    }
}

/// Two class 4 machines on a network the input controls: it delivers, drops, duplicates
/// and reorders their datagrams, injects arbitrary ones, moves the clock and plays the
/// users. The promises checked:
///
/// * no panic, and every call returns;
/// * every TPDU a machine emits decodes, fits its TPDU size, and carries a correct Annex D
///   checksum when one was agreed;
/// * after `handle_timeout(now)` no deadline is at or before `now` (a driver never spins);
/// * memory stays within the configured limits;
/// * unless arbitrary datagrams were injected, what the responder delivers is a prefix of
///   what the initiator sent, in order, each TSDU once.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn transport_tp4(data: &[u8]) {
    let mut input = Input(data);
    let flags = input.byte();
    let cfg = |extra: u8| {
        let mut c = Config::default();
        c.retransmit_time = Duration::from_millis(100);
        c.max_transmissions = 3;
        c.inactivity_time = Duration::from_secs(5);
        c.window_time = Duration::from_secs(1);
        c.ack_time = Duration::from_millis(10);
        c.ack_every = 1 + u32::from(extra & 1);
        c.freeze_time = Duration::from_secs(3);
        c.max_nsdu_lifetime = Duration::from_millis(50);
        c.tpdu_size = TpduSize(7 + (extra >> 1) % 3);
        c.extended_format = flags & 1 != 0;
        c.checksum = flags & 2 != 0;
        c.expedited = flags & 4 != 0;
        c.credit = 1 + u16::from(extra >> 4);
        c.max_tsdu_len = 4096;
        c.max_receive_buffer = 8192;
        c.max_send_buffer = 8192;
        c
    };
    let (ca, cb) = (input.byte(), input.byte());
    let mut a = Connection::connect(cfg(ca), 0x0a0a).expect("valid config");
    let mut b = Connection::listen(cfg(cb), 0x0b0b).expect("valid config");
    let mut now = Instant::ZERO;
    // In flight: destination is B when true.
    let mut net: Vec<(bool, Vec<u8>)> = Vec::new();
    let mut sent: Vec<u8> = Vec::new();
    let mut delivered: Vec<u8> = Vec::new();
    let mut injected = false;
    let mut buf = vec![0u8; 1 << 16];
    let mut steps = 0;
    while !input.0.is_empty() && steps < 10_000 {
        steps += 1;
        let op = input.byte();
        match op % 8 {
            // Deliver the first datagram in flight.
            0 | 1 => {
                if !net.is_empty() {
                    let (to_b, d) = net.remove(0);
                    let m = if to_b { &mut b } else { &mut a };
                    m.handle_datagram(now, &d);
                }
            }
            // Drop, duplicate or reorder the datagram in flight at an input-chosen place.
            2 => {
                let i = usize::from(input.byte());
                if !net.is_empty() {
                    let i = i % net.len();
                    match op >> 3 & 3 {
                        0 => drop(net.remove(i)),
                        1 => {
                            let d = net[i].clone();
                            net.push(d);
                        }
                        _ => {
                            let d = net.remove(i);
                            net.push(d);
                        }
                    }
                }
            }
            // Inject arbitrary octets into one side.
            3 => {
                let len = usize::from(input.byte());
                let d = input.bytes(len).to_vec();
                injected = true;
                let m = if op & 0x10 != 0 { &mut b } else { &mut a };
                m.handle_datagram(now, &d);
            }
            // Move the clock; fire timers that are due.
            4 => {
                let step = Duration::from_millis(u64::from(input.byte()) * 8);
                now += step;
                for m in [&mut a, &mut b] {
                    if m.poll_timeout().is_some_and(|t| t <= now) {
                        m.handle_timeout(now);
                        assert!(
                            m.poll_timeout().is_none_or(|t| t > now),
                            "deadline not in the future after handle_timeout"
                        );
                    }
                }
            }
            // The initiator's user sends a TSDU.
            5 => {
                let len = usize::from(input.byte()) * 17;
                let fill = u8::try_from(sent.len() % 251).unwrap_or(0);
                let tsdu: Vec<u8> = (0..len).map(|i| fill ^ i.to_le_bytes()[0]).collect();
                if a.send(&tsdu).is_ok() {
                    sent.extend_from_slice(&tsdu);
                }
            }
            // Other user actions.
            6 => match op >> 3 & 7 {
                0 => {
                    let _ = b.accept(now);
                }
                1 => {
                    let _ = a.send_expedited(&[op; 3]);
                }
                2 => a.close(),
                3 => b.close(),
                4 => {
                    let _ = b.send(&[op; 40]);
                }
                _ => {
                    let _ = b.refuse(osi_transport::DisconnectReason::NORMAL);
                }
            },
            // Jump to the next deadline.
            _ => {
                if let Some(t) = [a.poll_timeout(), b.poll_timeout()]
                    .into_iter()
                    .flatten()
                    .min()
                {
                    now = now.max(t);
                    a.handle_timeout(now);
                    b.handle_timeout(now);
                }
            }
        }
        for (to_b, m) in [(true, &mut a), (false, &mut b)] {
            let mut n_out = 0;
            while let Some(n) = m.poll_transmit(now, &mut buf).unwrap() {
                n_out += 1;
                assert!(n_out < 100_000, "poll_transmit never ends");
                let tpdu = &buf[..n];
                assert!(n <= m.max_tpdu_len(), "TPDU longer than the TPDU size");
                let (t, _) = Tpdu::decode(tpdu).expect("emitted TPDU decodes");
                let has_c3 = tpdu_params(&t).raw_iter().any(|(c, _, _)| c == 0xc3);
                // A CR always carries C3; data-phase TPDUs carry it when it was agreed;
                // answers to stray TPDUs follow the TPDU they answer (6.17.3).
                let must = matches!(t, Tpdu::Cr(_))
                    || (m.options().1
                        && matches!(t, Tpdu::Dt(_) | Tpdu::Ed(_) | Tpdu::Ak(_) | Tpdu::Ea(_)));
                assert!(has_c3 || !must, "checksum missing on {tpdu:02x?}");
                if has_c3 {
                    assert!(checksum::verify(tpdu), "bad checksum on {tpdu:02x?}");
                }
                if net.len() < 1_000 {
                    net.push((to_b, tpdu.to_vec()));
                }
            }
            assert!(m.unacknowledged() <= 8192, "send buffer over its limit");
        }
        while let Some(e) = b.poll_event() {
            if let Event::Data(d) = e {
                delivered.extend_from_slice(&d);
            }
        }
        while a.poll_event().is_some() {}
        if !injected {
            assert!(
                sent.starts_with(&delivered),
                "responder delivered octets the initiator never sent"
            );
        }
        if matches!(a.state(), State::Closed) && matches!(b.state(), State::Closed) {
            break;
        }
    }
}

fn tpdu_params<'a>(t: &Tpdu<'a>) -> Params<'a> {
    match t {
        Tpdu::Cr(c) | Tpdu::Cc(c) => c.params,
        Tpdu::Dr(d) => d.params,
        Tpdu::Dc(d) => d.params,
        Tpdu::Dt(d) => d.params,
        Tpdu::Ed(e) => e.params,
        Tpdu::Ak(a) => a.params,
        Tpdu::Ea(e) => e.params,
        Tpdu::Er(e) => e.params,
        _ => Params::EMPTY,
    }
}
