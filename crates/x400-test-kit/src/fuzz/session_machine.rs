//! Oracle for the `osi-session` protocol machine: two machines connected back to back, then
//! driven by an arbitrary mix of injected TSDUs (on the normal or the transport expedited
//! flow), user requests, exchanges and clock ticks; with or without transport expedited
//! data (TEXP), which brings in EX and PREPARE.

use core::time::Duration;

use osi_session::machine::Instant;
use osi_session::machine::{
    AcceptRequest, Config, ConnectRequest, Event, MAX_EVENTS, ResumeRequest, Role, Session, State,
};
use osi_session::{Context, Requirements, ResyncType, Si42, TokenItem, TokenSetting, Tsdu};

/// Buffer size of each machine: small enough that limits are reached, large enough for a
/// TSDU the input can describe.
const BUF: usize = 4096;

/// Functional-unit sets the first input octet chooses from: X.410 RTS, BAS, BCS, BSS,
/// duplex, half-duplex with negotiated release, and everything the machine offers.
const UNITS: [u16; 7] = [0x0249, 0x0749, 0x0003, 0x04bb, 0x0002, 0x0081, 0x07fb];

type Machine = Session<Vec<u8>>;

/// Drains `m`'s events, checking that one step never queues more than the queue holds.
fn drain(m: &mut Machine) -> bool {
    let mut n = 0;
    let mut closed = false;
    while let Some(e) = m.poll_event() {
        closed |= e == Event::DisconnectTransport;
        n += 1;
        assert!(n <= MAX_EVENTS, "more events than the queue holds");
    }
    closed
}

/// Moves every queued TSDU from `from` to `to`, the expedited flow first (it may overtake
/// normal data); each must decode, since the machine only emits what the codec accepts.
fn pump(from: &mut Machine, to: &mut Machine, now: Instant) {
    let mut buf = vec![0; BUF + 64];
    while let Ok(Some(n)) = from.poll_transmit_expedited(now, &mut buf) {
        let tsdu = &buf[..n];
        assert!(
            Tsdu::decode(tsdu, Context::new(Si42::MajorSyncAck)).is_ok(),
            "the machine emitted an expedited TSDU its own codec rejects: {tsdu:02x?}"
        );
        if to.handle_expedited_tsdu(now, tsdu).is_err() {
            drain(to);
            let _ = to.handle_expedited_tsdu(now, tsdu);
        }
        drain(to);
    }
    while let Ok(Some(n)) = from.poll_transmit(now, &mut buf) {
        let tsdu = &buf[..n];
        let ctx = Context::new(Si42::MajorSyncAck);
        assert!(
            Tsdu::decode(tsdu, ctx).is_ok(),
            "the machine emitted a TSDU its own codec rejects: {tsdu:02x?}"
        );
        if to.handle_tsdu(now, tsdu).is_err() {
            drain(to);
            let _ = to.handle_tsdu(now, tsdu);
        }
        drain(to);
    }
}

fn exchange(a: &mut Machine, b: &mut Machine, now: Instant) {
    for _ in 0..8 {
        let (ca, cb) = (drain(a), drain(b));
        pump(a, b, now);
        pump(b, a, now);
        if ca {
            b.handle_disconnect(now);
        }
        if cb {
            a.handle_disconnect(now);
        }
    }
}

fn request(m: &mut Machine, op: u8, arg: u8, now: Instant) {
    let data = &[arg; 3][..usize::from(arg % 4).min(3)];
    let tokens = TokenItem(arg & 0x55);
    let setting = TokenSetting(arg);
    let _ = match op % 28 {
        0 => m.send_data(data),
        1 => m.give_tokens(tokens, &[]),
        2 => m.please_tokens(tokens, data),
        3 => m.minor_sync(arg & 1 == 0, data).map(drop),
        4 => m.minor_sync_response(m.va() + u64::from(arg % 3), data),
        5 => m.major_sync(data).map(drop),
        6 => m.major_sync_response(data),
        7 => {
            let kind =
                [ResyncType::Restart, ResyncType::Abandon, ResyncType::Set][usize::from(arg % 3)];
            m.resynchronize(kind, m.vr() + u64::from(arg % 5), setting, data)
        }
        8 => m.resynchronize_response(setting, data),
        9 => m.activity_start(&[arg], data),
        10 => m.activity_resume(
            &ResumeRequest {
                id: &[arg],
                old_id: &[1],
                serial: u64::from(arg),
                old_connection: None,
            },
            data,
        ),
        11 => m.activity_interrupt(arg % 2, &[]),
        12 => m.activity_interrupt_response(&[]),
        13 => m.activity_discard(arg % 2, &[]),
        14 => m.activity_discard_response(&[]),
        15 => m.activity_end(data).map(drop),
        16 => m.activity_end_response(data),
        17 => m.exception_report(arg % 2, data),
        18 => m.release(data),
        19 => m.release_response(now, arg & 1 == 0, data),
        20 => m.abort(now, data),
        21 => m.give_control(&[]),
        22 => m.capability_data(data),
        23 => m.capability_data_response(data),
        24 => m.send_typed_data(data),
        25 => {
            m.handle_disconnect(now);
            Ok(())
        }
        26 => m.send_expedited(data),
        _ => Ok(()),
    };
}

/// The session machine never panics, never queues more events than it can hold, only ever
/// emits TSDUs its codec accepts, and always ends in STA16 after a protocol error.
///
/// Input: octet 0 picks the functional units (bit 8: the transport has expedited data, and
/// the expedited data unit is proposed), octet 1 the token setting; then operations:
/// `0x00..=0x3f` inject the next `len` octets (next octet) as a TSDU into side `op & 1`,
/// on the transport expedited flow when `op & 0x20` is set;
/// `0x40..=0x7f` user request number `(op >> 1) & 0x1f` (next octet as argument) on side
/// `op & 1`;
/// `0x80..=0xbf` exchange everything queued; `0xc0..` advance the clock by 31 s.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn session_machine(data: &[u8]) {
    let [fu, tokens, rest @ ..] = data else {
        return;
    };
    let texp = fu & 0x80 != 0;
    let mut units = UNITS[usize::from(fu & 0x7f) % UNITS.len()];
    if texp {
        units |= Requirements::EXPEDITED;
    }
    let units = Requirements(units);
    let mut config = Config::default();
    config.transport_expedited = texp;
    let mut a = Session::new(Role::Initiator, config, vec![0; BUF], vec![0; BUF]);
    let mut b = Session::new(Role::Responder, config, vec![0; BUF], vec![0; BUF]);
    let mut now = Instant::ZERO;
    let req = ConnectRequest {
        tokens: TokenSetting(*tokens),
        ..ConnectRequest::new(units)
    };
    if a.connect(&req).is_ok() {
        exchange(&mut a, &mut b, now);
        let acc = AcceptRequest {
            tokens: TokenSetting(tokens & 0x55),
            ..AcceptRequest::new(units)
        };
        let _ = b.accept(&acc);
        exchange(&mut a, &mut b, now);
    }
    let mut i = 0;
    while let Some(&op) = rest.get(i) {
        i += 1;
        let side = if op & 1 == 0 { &mut a } else { &mut b };
        match op {
            0x00..=0x3f => {
                let len = usize::from(rest.get(i).copied().unwrap_or(0));
                i += 1;
                let tsdu = rest.get(i..(i + len).min(rest.len())).unwrap_or_default();
                i += len;
                let before = side.state();
                let taken = if op & 0x20 != 0 {
                    side.handle_expedited_tsdu(now, tsdu)
                } else {
                    side.handle_tsdu(now, tsdu)
                };
                if taken.is_ok() {
                    let mut aborted = false;
                    while let Some(e) = side.poll_event() {
                        aborted |= matches!(
                            e,
                            Event::ProviderAbort(osi_session::machine::AbortCause::ProtocolError(
                                _
                            ))
                        );
                    }
                    if aborted {
                        assert_eq!(side.state(), State::Sta16, "protocol error from {before}");
                    }
                }
            }
            0x40..=0x7f => {
                let arg = rest.get(i).copied().unwrap_or(0);
                i += 1;
                request(side, (op >> 1) & 0x1f, arg, now);
            }
            0x80..=0xbf => exchange(&mut a, &mut b, now),
            _ => {
                now += Duration::from_secs(31);
                for m in [&mut a, &mut b] {
                    if m.poll_timeout().is_some_and(|t| t <= now) {
                        m.handle_timeout(now);
                    }
                }
            }
        }
    }
    exchange(&mut a, &mut b, now);
}
