//! Oracle for the `x400-rts` protocol machine ([`x400_rts::machine::Rts`]): a single
//! machine fed arbitrary TSDUs between user requests, and a back-to-back pair whose
//! connection is cut wherever the input says and then recovered.

// Tags and patterns truncate on purpose, tags index a short ledger; the kit is std, with no
// `alloc` in scope.
#![allow(clippy::cast_possible_truncation, clippy::std_instead_of_alloc)]

use core::time::Duration;
use std::collections::VecDeque;

use osi_session::machine::{MAX_EVENTS, Role};
use osi_session::{Context, Si42, Tsdu};
use x400_rts::machine::{
    Checkpoint, Config, Event, Instant, OpenRequest, Part, Recovery, RecoveryTable, Rts,
};
use x400_rts::{
    AbortReason, CallingSsUserReference, RefuseReason, SessionConnectionIdentifier, T61String,
    UtcTimeOctets,
};

mod ledger;
use super::input::Input;

mod pair;
mod single;

/// Size of each session buffer: the largest TSDU either side takes or sends.
const BUF: usize = 16 << 10;
/// The largest APDU the oracle generates.
const MAX_APDU: usize = 64 << 10;
/// The most events one handler call or request may queue: the session machine queues at
/// most [`MAX_EVENTS`] per call and each gives at most a few RTS events.
const MAX_EVENTS_PER_CALL: usize = 4 * MAX_EVENTS + 4;
/// The most operations one input runs, so that every input is quick.
const MAX_OPS: usize = 256;
/// The most connections the pair opens (the first and its recoveries).
const MAX_CONNECTIONS: u32 = 8;
/// The most TSDUs in flight in one direction.
const MAX_IN_FLIGHT: usize = 4096;
/// The most submissions of APDUs per side (first tries and retries).
const MAX_SUBMISSIONS: usize = 8;

fn id(n: u32) -> SessionConnectionIdentifier {
    SessionConnectionIdentifier {
        calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("mta-a")),
        common_reference: UtcTimeOctets::from("261203100000Z"),
        additional_reference_information: Some(T61String::new(n.to_be_bytes())),
    }
}

/// A configuration with small buffers: checkpoint size, window, largest DT sent, largest
/// APDU received.
fn config(checkpoint: u32, window: u32, max_dt: usize, max_apdu: usize) -> Config {
    let mut c = Config::default();
    c.checkpoint_size = checkpoint;
    c.window_size = window;
    c.max_dt_len = max_dt;
    c.max_apdu_len = max_apdu;
    c.session_buffer = BUF;
    c
}

/// Writes what `m` takes of APDU `tag` (`len` octets), from where it continues, and
/// finishes it once all is written. `strict`: the machine must never continue beyond the
/// APDU (it may, after a made-up state that says so).
fn feed(m: &mut Rts, (tag, len): Source, strict: bool) {
    let len = len.max(4);
    while let Some(at) = m.write_offset() {
        let at = usize::try_from(at).unwrap_or(usize::MAX);
        if at > len && !strict {
            return;
        }
        assert!(
            at <= len,
            "the machine writes on at {at}, beyond the APDU's {len}"
        );
        if at == len {
            m.finish_transfer().unwrap();
            return;
        }
        let n = m.send_room().min(len - at);
        if n == 0 {
            return;
        }
        let piece: Vec<u8> = (at..at + n).map(|i| octet(tag, i)).collect();
        assert_eq!(
            m.write(&piece).unwrap(),
            n,
            "the machine took less than its room"
        );
    }
}

/// What a sender keeps for a recovery of APDU `tag` (`len` octets) must be its own octets,
/// unchanged: the tail after the confirmed offset.
fn check_kept(tag: u32, len: usize, part: &Part, what: &str) {
    assert!(kept_is(tag, len, part), "{what}: APDU {tag} kept altered");
}

/// Whether `part` is a sending part whose tail is APDU `tag`'s octets at its offset.
fn kept_is(tag: u32, len: usize, part: &Part) -> bool {
    let Part::Sending { offset, tail, .. } = part else {
        return false;
    };
    let Ok(at) = usize::try_from(*offset) else {
        return tail.is_empty();
    };
    (tail.is_empty() || at.saturating_add(tail.len()) <= len.max(4))
        && tail
            .iter()
            .enumerate()
            .all(|(i, &x)| x == octet(tag, at + i))
}

/// Octet `i` of APDU number `tag` (at least 4 octets long): the tag, then a pattern.
fn octet(tag: u32, i: usize) -> u8 {
    match tag.to_be_bytes().get(i) {
        Some(&t) => t,
        None => (i as u8).wrapping_mul(31).wrapping_add(tag as u8),
    }
}

/// An APDU length from two input octets, 4 to 64 KiB; most are small.
fn apdu_len(x: u16) -> usize {
    let x = usize::from(x);
    if x & 0x8000 == 0 {
        4 + (x & 0x0fff)
    } else {
        4 + (x & 0x7fff) * 2 % (MAX_APDU - 3)
    }
}

/// Drains `m`'s events, checking that one call never queues more than a bounded number
/// and that the machine holds no more APDU data than one received piece (a TSDU's user
/// data, bounded by the session buffer).
fn events(m: &mut Rts) -> Vec<Event> {
    assert!(
        m.buffered() <= m.max_buffered(),
        "the machine holds {} APDU octets, more than its bound {}",
        m.buffered(),
        m.max_buffered()
    );
    let evs: Vec<Event> = core::iter::from_fn(|| m.poll_event()).collect();
    // Polled, the piece is gone: what is left is the sender's, within its bound.
    assert!(
        m.buffered() + BUF <= m.max_buffered(),
        "the machine holds {} APDU octets with no piece to deliver",
        m.buffered()
    );
    assert!(
        evs.len() <= MAX_EVENTS_PER_CALL,
        "one call queued {} events: {evs:?}",
        evs.len()
    );
    evs
}

/// Every TSDU the machine emits must decode: it only writes what its codec accepts.
fn check_tsdu(tsdu: &[u8]) {
    let ctx = Context::new(Si42::ActivityEndAck);
    assert!(
        Tsdu::decode(tsdu, ctx).is_ok(),
        "the RTS machine emitted a TSDU the session codec rejects: {tsdu:02x?}"
    );
}

/// Moves everything `m` has to send into `wire`.
fn flush(m: &mut Rts, wire: &mut VecDeque<Vec<u8>>) {
    let mut buf = vec![0; BUF];
    // The RTS machine's output does not depend on the time it is polled at.
    while let Ok(Some(n)) = m.poll_transmit(Instant::ZERO, &mut buf) {
        let tsdu = &buf[..n];
        check_tsdu(tsdu);
        wire.push_back(tsdu.to_vec());
        assert!(wire.len() <= MAX_IN_FLIGHT, "the machine sends without end");
    }
}

/// Hands the next TSDU of `wire` to `to`; a machine whose transmit queue is full sends
/// first (into `back`). Returns whether one was delivered.
fn deliver(
    wire: &mut VecDeque<Vec<u8>>,
    to: &mut Rts,
    back: &mut VecDeque<Vec<u8>>,
    now: Instant,
) -> bool {
    let Some(tsdu) = wire.pop_front() else {
        return false;
    };
    if to.handle_tsdu(now, &tsdu).is_err() {
        flush(to, back);
        if to.handle_tsdu(now, &tsdu).is_err() {
            wire.push_front(tsdu);
            return false;
        }
    }
    true
}

/// An APDU a user sends: its tag and length (its octets are [`octet`]'s).
type Source = (u32, usize);

/// A recovery state made up from the input, for requests that take one, with the APDU a
/// sending part is for.
fn made_up_state(inp: &mut Input<'_>) -> (Recovery, Option<Source>) {
    let a = inp.byte();
    let b = inp.byte();
    let activity_id = match b >> 6 {
        0 => vec![2, 1, 1],
        1 => vec![2, 1, b & 0x3f],
        2 => Vec::new(),
        _ => inp.bytes(usize::from(b & 7)).to_vec(),
    };
    let checkpoint_size = [0, 1, 4, 63, u32::MAX][usize::from(b % 5)];
    let mut source = None;
    let part = match a % 3 {
        0 => {
            let (tag, len) = (u32::from(b), apdu_len(inp.u16()));
            let confirmed = u64::from(inp.byte());
            // Mostly where the checkpoint is; sometimes anywhere, which must not resume.
            let offset = if a & 0x40 == 0 {
                confirmed.saturating_mul(u64::from(checkpoint_size) * 1024)
            } else {
                u64::from(inp.u16())
            };
            let at = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
            let k = usize::from(inp.u16()) % (len - at + 1);
            source = Some((tag, len));
            Part::Sending {
                activity_id,
                confirmed,
                offset,
                tail: (at..at + k).map(|i| octet(tag, i)).collect(),
                finished: a & 0x20 != 0,
            }
        }
        1 => {
            let n = usize::from(inp.byte() % 8);
            let checkpoints = (0..n)
                .map(|_| Checkpoint {
                    serial: u64::from(inp.byte()),
                    offset: u64::from(inp.u16()),
                })
                .collect();
            Part::Receiving {
                activity_id,
                checkpoints,
            }
        }
        _ => Part::Received { activity_id },
    };
    let state = Recovery {
        connection: id(u32::from(a >> 2) % 4),
        previous: (a & 0x80 != 0).then(|| id(u32::from(b) % 4)),
        checkpoint_size,
        window_size: u32::from(a >> 4) % 5,
        part,
    };
    (state, source)
}

/// The peer's share of the transfer a made-up state describes, so that a recovery with it
/// succeeds, with the APDU it sends if it is the sender.
fn complement(state: &Recovery) -> (Recovery, Option<Source>) {
    let chunk = u64::from(state.checkpoint_size).saturating_mul(1024);
    let (part, source) = match &state.part {
        Part::Sending {
            activity_id,
            confirmed,
            ..
        } => {
            let n = (*confirmed).min(64);
            let checkpoints: Vec<Checkpoint> = (n.saturating_sub(u64::from(state.window_size))..=n)
                .filter(|&i| i > 0)
                .map(|i| Checkpoint {
                    serial: i,
                    offset: i.saturating_mul(chunk),
                })
                .collect();
            let part = Part::Receiving {
                activity_id: activity_id.clone(),
                checkpoints,
            };
            (part, None)
        }
        Part::Receiving {
            activity_id,
            checkpoints,
        } => {
            let last = checkpoints.last().copied();
            let held = last.map_or(0, |c| c.offset);
            let part = Part::Sending {
                activity_id: activity_id.clone(),
                confirmed: last.map_or(0, |c| c.serial),
                offset: held,
                tail: Vec::new(),
                finished: false,
            };
            let len = usize::try_from(held).unwrap_or(MAX_APDU).min(MAX_APDU) + 3000;
            (part, Some((0x200, len)))
        }
        Part::Received { activity_id } => {
            let part = Part::Sending {
                activity_id: activity_id.clone(),
                confirmed: 0,
                offset: 0,
                tail: Vec::new(),
                finished: false,
            };
            (part, Some((0x201, 2000)))
        }
    };
    let state = Recovery {
        part,
        ..state.clone()
    };
    (state, source)
}

/// The APDUs a machine under test sends and has not finished with: each must end once,
/// confirmed (`Transferred`), failed (`TransferFailed`), or kept for a recovery with its own
/// octets unchanged. Also the last checkpoint it indicated, for the user to confirm.
#[derive(Default)]
struct Given {
    sending: Vec<Source>,
    checkpoint: Option<u64>,
}

impl Given {
    fn check(&mut self, evs: &[Event]) {
        for ev in evs {
            match ev {
                Event::TransferFailed { .. } => {
                    assert!(
                        !self.sending.is_empty(),
                        "TransferFailed with no APDU outstanding"
                    );
                    self.sending.remove(0);
                }
                Event::ConnectionLost(Some(state)) if state.part.is_sender() => {
                    let Some(i) = self
                        .sending
                        .iter()
                        .position(|&(tag, len)| kept_is(tag, len, &state.part))
                    else {
                        panic!("ConnectionLost keeps a tail of no APDU it was given");
                    };
                    self.sending.remove(i);
                }
                Event::Transferred if !self.sending.is_empty() => {
                    self.sending.remove(0);
                }
                Event::TransferCheckpoint { serial, .. } => self.checkpoint = Some(*serial),
                _ => {}
            }
        }
    }
}

/// The RTS machine never panics, queues a bounded number of events per call, only emits
/// TSDUs the session codec accepts, never holds more APDU octets than its bound
/// (`max_buffered`: a received piece and the sender's window), and ends every APDU it was
/// given once: confirmed, failed, or kept for a recovery with its own octets unchanged;
/// back to back, every APDU is delivered at most once and octet for octet (checked piece
/// by piece as it arrives), `Transferred` means the receiver got it, a resume never
/// continues beyond what the receiving user holds, and recovery after a cut anywhere keeps
/// these.
///
/// Input: octet 0 picks the scenario (`% 3`): 0, a responder fed arbitrary TSDUs; 1, an
/// initiator that opens (or recovers a made-up state) and is fed arbitrary TSDUs; 2, a
/// back-to-back pair with real transfers, cuts and recoveries.
///
/// Single machine: a configuration octet and a flags octet, then operations:
/// `0x00..=0x3f` inject a TSDU of `(op << 8) | next` octets; `0x40..=0x5f` user request
/// `op & 0x1f` with the next octet as argument; `0x60..=0x7f` let the well-behaved peer
/// talk; `0x80..=0xbf` send what is queued nowhere; `0xc0..` advance the clock by 31 s.
///
/// Pair: three configuration octets (checkpoint size, window, DT size, APDU limit of each
/// side; the users' policies and how many APDUs each sends), two octets per APDU length,
/// then operation pairs (op, argument): `0x00..=0x3f` move `(op & 0x1f) + 1` TSDUs, from
/// the initiator if `op & 0x20 == 0`; `0x40..=0x5f` exchange until quiet; `0x60..=0x6f` cut
/// the connection (the next one recovers); `0x70` the clock; `0x71..=0x7f` user requests.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn rts_machine(data: &[u8]) {
    let mut inp = Input::new(data);
    match inp.byte() % 3 {
        0 => single::single(Role::Responder, &mut inp),
        1 => single::single(Role::Initiator, &mut inp),
        _ => pair::pair(&mut inp),
    }
}
