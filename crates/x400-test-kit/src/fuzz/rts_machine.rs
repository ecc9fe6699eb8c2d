//! Oracle for the `x400-rts` protocol machine ([`x400_rts::machine::Rts`]): a single
//! machine fed arbitrary TSDUs between user requests, and a back-to-back pair whose
//! connection is cut wherever the input says and then recovered.

// Tags and patterns truncate on purpose, tags index a short ledger; the umbrella crate is
// std, with no `alloc` in scope.
#![allow(clippy::cast_possible_truncation, clippy::std_instead_of_alloc)]

use core::time::Duration;
use std::collections::VecDeque;

use osi_session::machine::{MAX_EVENTS, Role};
use osi_session::{Context, Si42, Tsdu};
use x400_rts::machine::{Config, Event, OpenRequest, Part, Recovery, RecoveryTable, Rts};
use x400_rts::{
    AbortReason, CallingSsUserReference, RefuseReason, SessionConnectionIdentifier, T61String,
    UtcTimeOctets,
};

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

/// Reads the input front to back; past its end every octet is 0.
struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let end = self.pos.saturating_add(n).min(self.data.len());
        self.pos = self.pos.saturating_add(n);
        self.data.get(start..end).unwrap_or_default()
    }

    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
}

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

/// APDU number `tag` of `len` octets (at least 4): the tag, then a pattern.
fn apdu(tag: u32, len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len.max(4))
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(tag as u8))
        .collect();
    v[..4].copy_from_slice(&tag.to_be_bytes());
    v
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

/// Drains `m`'s events, checking that one call never queues more than a bounded number.
fn events(m: &mut Rts) -> Vec<Event> {
    let evs: Vec<Event> = core::iter::from_fn(|| m.poll_event()).collect();
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
    while let Ok(Some(n)) = m.poll_transmit(&mut buf) {
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
    now: Duration,
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

/// A recovery state made up from the input, for requests that take one.
fn made_up_state(inp: &mut Input<'_>) -> Recovery {
    let a = inp.byte();
    let b = inp.byte();
    let activity_id = match b >> 6 {
        0 => vec![2, 1, 1],
        1 => vec![2, 1, b & 0x3f],
        2 => Vec::new(),
        _ => inp.bytes(usize::from(b & 7)).to_vec(),
    };
    let part = match a % 3 {
        0 => Part::Sending {
            activity_id,
            apdu: apdu(u32::from(b), apdu_len(inp.u16())),
            confirmed: u64::from(inp.byte()),
        },
        1 => {
            let len = apdu_len(inp.u16());
            let n = usize::from(inp.byte() % 8);
            let checkpoints = (0..n).map(|_| usize::from(inp.u16())).collect();
            Part::Receiving {
                activity_id,
                data: apdu(0, len),
                checkpoints,
            }
        }
        _ => Part::Received { activity_id },
    };
    Recovery {
        connection: id(u32::from(a >> 2) % 4),
        previous: (a & 0x80 != 0).then(|| id(u32::from(b) % 4)),
        checkpoint_size: [0, 1, 4, 63, u32::MAX][usize::from(b % 5)],
        window_size: u32::from(a >> 4) % 5,
        part,
    }
}

/// The peer's share of the transfer a made-up state describes, so that a recovery with it
/// succeeds.
fn complement(state: &Recovery) -> Recovery {
    let chunk = usize::try_from(state.checkpoint_size)
        .unwrap_or(usize::MAX)
        .saturating_mul(1024);
    let part = match &state.part {
        Part::Sending {
            activity_id,
            apdu: x,
            confirmed,
        } => {
            let n = usize::try_from(*confirmed).unwrap_or(usize::MAX).min(64);
            let checkpoints: Vec<usize> = (1..=n)
                .map(|i| i.saturating_mul(chunk).min(x.len()))
                .collect();
            let held = checkpoints.last().copied().unwrap_or(0);
            Part::Receiving {
                activity_id: activity_id.clone(),
                data: x[..held].to_vec(),
                checkpoints,
            }
        }
        Part::Receiving {
            activity_id,
            data,
            checkpoints,
        } => Part::Sending {
            activity_id: activity_id.clone(),
            apdu: apdu(0x200, data.len() + 3000),
            confirmed: checkpoints.len() as u64,
        },
        Part::Received { activity_id } => Part::Sending {
            activity_id: activity_id.clone(),
            apdu: apdu(0x201, 2000),
            confirmed: 0,
        },
    };
    Recovery {
        part,
        ..state.clone()
    }
}

/// APDUs given to a machine under test and not yet given back: a `TransferFailed` or a
/// recovery state must return one of them unchanged, once.
#[derive(Default)]
struct Given(Vec<Vec<u8>>);

impl Given {
    fn take_back(&mut self, apdu: &[u8], what: &str) {
        let Some(i) = self.0.iter().position(|a| a == apdu) else {
            panic!(
                "{what} gave back an APDU of {} octets it was never given (or twice)",
                apdu.len()
            );
        };
        self.0.remove(i);
    }

    fn check(&mut self, evs: &[Event]) {
        for ev in evs {
            match ev {
                Event::TransferFailed { apdu, .. } => self.take_back(apdu, "TransferFailed"),
                Event::ConnectionLost(Some(Recovery {
                    part: Part::Sending { apdu, .. },
                    ..
                })) => self.take_back(apdu, "ConnectionLost"),
                Event::Transferred if !self.0.is_empty() => {
                    self.0.remove(0);
                }
                _ => {}
            }
        }
    }
}

/// (a) and (b): one machine under test (`role`) fed arbitrary TSDUs and user requests,
/// with a well-behaved peer it can also talk to.
fn single(role: Role, inp: &mut Input<'_>) {
    let cfg = inp.byte();
    let flags = inp.byte();
    let ckpt = [0, 1, 4, 2][usize::from(cfg & 3)];
    let window = u32::from((cfg >> 2) & 3) + 1;
    let max_dt = [256, 1024, 4096, 100][usize::from((cfg >> 4) & 3)];
    let max_apdu = if cfg & 0x40 != 0 { 3000 } else { MAX_APDU };
    let mut t = Rts::new(role, config(ckpt, window, max_dt, max_apdu));
    let mut h = Rts::new(
        match role {
            Role::Initiator => Role::Responder,
            Role::Responder => Role::Initiator,
        },
        config(4 - ckpt.min(4), 3, 1024, MAX_APDU),
    );
    let mut given = Given::default();
    let mut kept = None;
    let mut now = Duration::ZERO;
    let (mut to_t, mut to_h) = (VecDeque::new(), VecDeque::new());
    let (initiator, peer) = match role {
        Role::Initiator => (&mut t, &mut h),
        Role::Responder => (&mut h, &mut t),
    };
    if flags & 1 == 0 {
        let _ = initiator.open(&OpenRequest::new(&id(0), Some(&[0x05, 0x00])));
    } else {
        let state = made_up_state(inp);
        let sending = match &state.part {
            Part::Sending { apdu, .. } => Some(apdu.clone()),
            _ => None,
        };
        if role == Role::Initiator {
            kept = Some(complement(&state));
        }
        if initiator
            .recover(&OpenRequest::new(&id(1), None), state)
            .is_ok()
            && role == Role::Initiator
        {
            given.0.extend(sending);
        }
    }
    // The opening CN reaches the responder unless the input says otherwise.
    if flags & 2 == 0 {
        flush(initiator, &mut to_h);
        while let Some(tsdu) = to_h.pop_front() {
            let _ = peer.handle_tsdu(now, &tsdu);
        }
    }
    let mut tag = 0x100;
    let mut ops = 0;
    while !inp.done() && ops < MAX_OPS {
        ops += 1;
        let op = inp.byte();
        match op {
            0x00..=0x3f => {
                let len = usize::from(op) << 8 | usize::from(inp.byte());
                let tsdu = inp.bytes(len);
                if t.handle_tsdu(now, tsdu).is_err() {
                    flush(&mut t, &mut to_h);
                    to_h.clear();
                    let _ = t.handle_tsdu(now, tsdu);
                }
            }
            0x40..=0x5f => {
                let a = inp.byte();
                match op & 0x1f {
                    0 => {
                        let data: &[u8] = match a % 3 {
                            0 => &[0x05, 0x00],
                            1 => &[0x30, 0x80],
                            _ => &[],
                        };
                        let _ = t.accept((a % 4 != 3).then_some(data));
                    }
                    1 => {
                        let state = made_up_state(inp);
                        let sending = match &state.part {
                            Part::Sending { apdu, .. } => Some(apdu.clone()),
                            _ => None,
                        };
                        if t.accept_recovery(state).is_ok() {
                            given.0.extend(sending);
                        }
                    }
                    2 => {
                        let _ = t.refuse(now, RefuseReason::from(u32::from(a % 5)));
                    }
                    3 => {
                        let _ = t.secured();
                    }
                    4 => {
                        let x = apdu(tag, apdu_len(inp.u16()));
                        tag += 1;
                        if t.transfer(x.clone()).is_ok() {
                            given.0.push(x);
                        }
                    }
                    5 => {
                        let _ = t.turn_please(u32::from(a));
                    }
                    6 => {
                        let _ = t.turn_give();
                    }
                    7 => {
                        let _ = t.close();
                    }
                    8 => {
                        let _ = t.abort(now, AbortReason::from(u32::from(a % 9)));
                    }
                    9 => {
                        let _ = t.discard_transfer();
                    }
                    10 => t.handle_transport_disconnect(now),
                    11 => {
                        let _ = t.open(&OpenRequest::new(&id(u32::from(a)), None));
                    }
                    12 => {
                        let state = made_up_state(inp);
                        let sending = match &state.part {
                            Part::Sending { apdu, .. } => Some(apdu.clone()),
                            _ => None,
                        };
                        if t.recover(&OpenRequest::new(&id(2), None), state).is_ok() {
                            given.0.extend(sending);
                        }
                    }
                    13 => t.handle_timeout(now),
                    14 => {
                        let _ = h.transfer(apdu(0x300, apdu_len(inp.u16())));
                    }
                    15 => {
                        let _ = h.turn_please(0);
                    }
                    _ => {}
                }
            }
            0x60..=0x7f => {
                // The well-behaved peer talks: both directions, `op & 0x1f` rounds.
                for _ in 0..=(op & 0x1f) {
                    flush(&mut t, &mut to_h);
                    given.check(&events(&mut t));
                    while deliver(&mut to_h, &mut h, &mut to_t, now) {
                        serve(&mut h, &mut kept);
                    }
                    flush(&mut h, &mut to_t);
                    serve(&mut h, &mut kept);
                    while deliver(&mut to_t, &mut t, &mut to_h, now) {
                        given.check(&events(&mut t));
                    }
                }
            }
            0x80..=0xbf => {
                // What the machine sends goes nowhere.
                flush(&mut t, &mut to_h);
                to_h.clear();
            }
            _ => {
                now += Duration::from_secs(31);
                for m in [&mut t, &mut h] {
                    if m.poll_timeout().is_some_and(|d| d <= now) {
                        m.handle_timeout(now);
                    }
                }
            }
        }
        given.check(&events(&mut t));
        serve(&mut h, &mut kept);
    }
}

/// The well-behaved peer of [`single`]: accepts, recovers with the state it `kept` (or
/// refuses), secures, gives the turn when asked.
fn serve(h: &mut Rts, kept: &mut Option<Recovery>) {
    for ev in events(h) {
        match ev {
            Event::RecoverIndication { lost, .. } => match kept.take() {
                Some(state) if state.names(&lost) => {
                    let _ = h.accept_recovery(state);
                }
                _ => {
                    let _ = h.refuse(Duration::ZERO, RefuseReason::CANNOT_RECOVER);
                }
            },
            Event::OpenIndication(_) => {
                let _ = h.accept(Some(&[0x05, 0x00]));
            }
            Event::Transfer(_) => {
                let _ = h.secured();
            }
            Event::TurnPlease { .. } => {
                let _ = h.turn_give();
            }
            _ => {}
        }
    }
}

/// One side's user in the pair: what it sends, what it received, what it keeps.
struct User {
    /// Lengths of the APDUs still to send, in order.
    queue: VecDeque<usize>,
    /// The submission being transferred (a tag into [`Ledger::subs`]).
    outstanding: Option<u32>,
    /// Secure each APDU as soon as it arrives (otherwise at an input's request).
    secure_now: bool,
    /// Give the turn when the peer asks.
    give_turn: bool,
    /// Refuse the next open.
    refuse_next: bool,
    /// Recovery state kept: the initiator's for its next `recover`.
    state: Option<Recovery>,
    /// The responder's table, and the connection under which its own APDU is parked.
    table: RecoveryTable,
    parked: Option<SessionConnectionIdentifier>,
}

impl User {
    fn new(flags: u8) -> Self {
        Self {
            queue: VecDeque::new(),
            outstanding: None,
            secure_now: flags & 1 != 0,
            give_turn: flags & 2 != 0,
            refuse_next: false,
            state: None,
            table: RecoveryTable::new(Duration::from_secs(600), 16),
            parked: None,
        }
    }
}

/// Every submission of the pair, by tag: who sent it, its length, and whether it was
/// delivered.
#[derive(Default)]
struct Ledger {
    subs: Vec<(Role, usize, bool)>,
}

impl Ledger {
    fn sub(&self, tag: u32) -> (Role, usize, bool) {
        let Some(s) = self.subs.get(tag as usize) else {
            panic!("tag {tag} was never submitted");
        };
        *s
    }

    /// `to` received `x`: it must be a submission of the other side, octet for octet,
    /// delivered for the first time.
    fn delivered(&mut self, to: Role, x: &[u8]) {
        let Some(tag) = x
            .get(..4)
            .map(|t| u32::from_be_bytes([t[0], t[1], t[2], t[3]]))
        else {
            panic!("{to:?} received an APDU of {} octets nobody sent", x.len());
        };
        let (from, len, done) = self.sub(tag);
        assert_ne!(from, to, "{to:?} received its own APDU {tag}");
        assert!(x == apdu(tag, len), "{to:?} received APDU {tag} altered");
        assert!(!done, "{to:?} received APDU {tag} twice");
        if let Some(s) = self.subs.get_mut(tag as usize) {
            s.2 = true;
        }
    }

    /// `tag` came back in a TransferFailed or a recovery state: unchanged.
    fn given_back(&self, tag: Option<u32>, x: &[u8], what: &str) {
        let Some(tag) = tag else {
            panic!(
                "{what} with an APDU of {} octets but none outstanding",
                x.len()
            );
        };
        let (_, len, _) = self.sub(tag);
        assert!(x == apdu(tag, len), "{what} gave APDU {tag} back altered");
    }
}

/// The pair's world: both machines, the wire, both users.
struct Pair {
    a: Rts,
    b: Rts,
    ab: VecDeque<Vec<u8>>,
    ba: VecDeque<Vec<u8>>,
    ua: User,
    ub: User,
    ledger: Ledger,
    cfg_a: Config,
    cfg_b: Config,
    conn: u32,
    /// The transport is gone (cut, or closed after a release, refusal or abort).
    gone: bool,
    /// Events taken from a machine early, still to be acted on.
    inbox: Vec<(Role, Event)>,
    now: Duration,
}

impl Pair {
    fn connect(&mut self) {
        self.conn += 1;
        self.a = Rts::new(Role::Initiator, self.cfg_a);
        self.b = Rts::new(Role::Responder, self.cfg_b);
        self.ab.clear();
        self.ba.clear();
        self.gone = false;
        let name = id(self.conn);
        let req = OpenRequest::new(&name, Some(&[0x05, 0x00]));
        match self.ua.state.take() {
            Some(state) => {
                let kept = state.clone();
                if self.a.recover(&req, state).is_err() {
                    // Not sent: the state and its APDU are the user's again.
                    if let Part::Sending { apdu: x, .. } = &kept.part {
                        self.ledger
                            .given_back(self.ua.outstanding, x, "a refused recover");
                        self.ua.outstanding = None;
                    }
                }
            }
            None => {
                let _ = self.a.open(&req);
            }
        }
    }

    /// Acts on both machines' events until neither has any.
    fn settle(&mut self) {
        for _ in 0..32 {
            let inbox = core::mem::take(&mut self.inbox);
            let ea = events(&mut self.a);
            let eb = events(&mut self.b);
            if inbox.is_empty() && ea.is_empty() && eb.is_empty() {
                break;
            }
            for (role, ev) in inbox {
                self.on_event(role, ev);
            }
            for ev in ea {
                self.on_event(Role::Initiator, ev);
            }
            for ev in eb {
                self.on_event(Role::Responder, ev);
            }
        }
        self.start(Role::Initiator);
        self.start(Role::Responder);
    }

    fn side(&mut self, role: Role) -> (&mut Rts, &mut User) {
        match role {
            Role::Initiator => (&mut self.a, &mut self.ua),
            Role::Responder => (&mut self.b, &mut self.ub),
        }
    }

    /// Starts the next APDU of `role` if it can.
    fn start(&mut self, role: Role) {
        let tag = self.ledger.subs.len() as u32;
        let (m, u) = self.side(role);
        let Some(&len) = u.queue.front() else {
            return;
        };
        if u.outstanding.is_some() || !m.is_open() || !m.has_turn() || m.has_transfer() {
            return;
        }
        if m.transfer(apdu(tag, len)).is_ok() {
            u.queue.pop_front();
            u.outstanding = Some(tag);
            self.ledger.subs.push((role, len, false));
        }
    }

    fn on_event(&mut self, role: Role, ev: Event) {
        let now = self.now;
        let retry = self.ledger.subs.len() < MAX_SUBMISSIONS;
        match ev {
            Event::Transfer(x) => {
                self.ledger.delivered(role, &x);
                let (m, u) = self.side(role);
                if u.secure_now {
                    let _ = m.secured();
                }
            }
            Event::Transferred => {
                let (_, u) = self.side(role);
                let Some(tag) = u.outstanding.take() else {
                    panic!("{role:?}: Transferred with no APDU outstanding");
                };
                assert!(
                    self.ledger.sub(tag).2,
                    "{role:?}: Transferred, but APDU {tag} never reached the peer"
                );
            }
            Event::TransferFailed { apdu: x, .. } => {
                let (_, u) = self.side(role);
                let tag = u.outstanding.take();
                self.ledger.given_back(tag, &x, "TransferFailed");
                if retry {
                    let (_, u) = self.side(role);
                    u.queue.push_front(x.len());
                }
            }
            Event::ConnectionLost(state) => {
                let (_, u) = self.side(role);
                let outstanding = u.outstanding;
                if let Some(Recovery {
                    part: Part::Sending { apdu: x, .. },
                    ..
                }) = &state
                {
                    self.ledger.given_back(outstanding, x, "ConnectionLost");
                }
                match (role, state) {
                    (Role::Initiator, state) => self.ua.state = state,
                    (Role::Responder, Some(state)) => {
                        if state.part.is_sender() {
                            self.ub.parked = Some(state.connection.clone());
                        }
                        self.ub.table.insert(now, state, ());
                    }
                    (Role::Responder, None) => {}
                }
            }
            Event::OpenIndication(_) => {
                if let Some(conn) = self.ub.parked.take() {
                    // A new association: the APDU parked for a recovery is given up.
                    let tag = self.ub.outstanding.take();
                    if let Some((
                        Recovery {
                            part: Part::Sending { apdu: x, .. },
                            ..
                        },
                        (),
                    )) = self.ub.table.take(now, &conn)
                    {
                        self.ledger.given_back(tag, &x, "the recovery table");
                    }
                    if let Some(tag) = tag
                        && retry
                    {
                        let (_, len, _) = self.ledger.sub(tag);
                        self.ub.queue.push_front(len);
                    }
                }
                if self.ub.refuse_next {
                    self.ub.refuse_next = false;
                    let _ = self.b.refuse(now, RefuseReason::VALIDATION_FAILURE);
                } else {
                    let _ = self.b.accept(Some(&[0x05, 0x00]));
                }
            }
            Event::RecoverIndication { lost, .. } => match self.ub.table.take(now, &lost) {
                Some((state, ())) => {
                    let sending = state.part.is_sender();
                    if sending {
                        self.ub.parked = None;
                    }
                    let kept = state.clone();
                    if self.b.accept_recovery(state).is_err()
                        && let Part::Sending { apdu: x, .. } = &kept.part
                    {
                        let tag = self.ub.outstanding.take();
                        self.ledger.given_back(tag, x, "a refused accept_recovery");
                    }
                }
                None => {
                    let _ = self.b.refuse(now, RefuseReason::CANNOT_RECOVER);
                }
            },
            Event::TurnPlease { .. } => {
                let (m, u) = self.side(role);
                if u.give_turn && u.outstanding.is_none() {
                    let _ = m.turn_give();
                }
            }
            Event::DisconnectTransport => {
                // The transport sends what is queued, then closes under both sides.
                let (from, to, wire, back, peer) = match role {
                    Role::Initiator => (
                        &mut self.a,
                        &mut self.b,
                        &mut self.ab,
                        &mut self.ba,
                        Role::Responder,
                    ),
                    Role::Responder => (
                        &mut self.b,
                        &mut self.a,
                        &mut self.ba,
                        &mut self.ab,
                        Role::Initiator,
                    ),
                };
                flush(from, wire);
                let mut later = Vec::new();
                while deliver(wire, to, back, now) {
                    later.extend(events(to));
                }
                to.handle_transport_disconnect(now);
                later.extend(events(to));
                if !from.is_ended() {
                    from.handle_transport_disconnect(now);
                }
                self.inbox.extend(later.into_iter().map(|e| (peer, e)));
                self.ab.clear();
                self.ba.clear();
                self.gone = true;
            }
            _ => {}
        }
    }

    fn cut(&mut self) {
        self.ab.clear();
        self.ba.clear();
        self.a.handle_transport_disconnect(self.now);
        self.b.handle_transport_disconnect(self.now);
        self.gone = true;
    }

    /// Moves up to `n` TSDUs one way; returns how many moved.
    fn step(&mut self, from_a: bool, n: usize) -> usize {
        let mut count = 0;
        for _ in 0..n {
            let now = self.now;
            let moved = if from_a {
                flush(&mut self.a, &mut self.ab);
                deliver(&mut self.ab, &mut self.b, &mut self.ba, now)
            } else {
                flush(&mut self.b, &mut self.ba);
                deliver(&mut self.ba, &mut self.a, &mut self.ab, now)
            };
            self.settle();
            count += usize::from(moved);
            if !moved || self.gone {
                break;
            }
        }
        count
    }

    /// Both ways until nothing moves.
    fn exchange(&mut self) {
        let mut quiet = 0;
        for _ in 0..64 {
            let n = self.step(true, 256) + self.step(false, 256);
            quiet = if n == 0 { quiet + 1 } else { 0 };
            if self.gone || quiet >= 2 {
                break;
            }
        }
    }

    /// An APDU outstanding is somewhere: in a machine, or in a state kept for a recovery.
    fn check_nothing_lost(&self) {
        for (m, u, role) in [
            (&self.a, &self.ua, Role::Initiator),
            (&self.b, &self.ub, Role::Responder),
        ] {
            if let Some(tag) = u.outstanding {
                let kept = matches!(
                    &u.state,
                    Some(Recovery {
                        part: Part::Sending { .. },
                        ..
                    })
                ) || u.parked.is_some();
                let held = m.has_transfer() || (!m.is_open() && !m.is_ended());
                assert!(
                    kept || held,
                    "{role:?}: APDU {tag} neither confirmed, given back nor kept"
                );
            }
        }
    }
}

/// (c): a back-to-back pair doing real transfers, cut and recovered where the input says.
fn pair(inp: &mut Input<'_>) {
    let c = [inp.byte(), inp.byte(), inp.byte()];
    let ckpt = |x: u8| [1, 1, 2, 4, 0, 1, 30, 1][usize::from(x & 7)];
    let window = |x: u8| u32::from((x >> 3) & 3) + 1;
    let max_dt = |x: u8| [1024, 256, 4096, 1000][usize::from((x >> 5) & 3)];
    let max_apdu = |x: u8| if x & 0x80 != 0 { 5000 } else { MAX_APDU };
    let cfg_a = config(ckpt(c[0]), window(c[0]), max_dt(c[0]), max_apdu(c[0]));
    let cfg_b = config(ckpt(c[1]), window(c[1]), max_dt(c[1]), max_apdu(c[1]));
    let mut ua = User::new(c[2]);
    let mut ub = User::new(c[2] >> 2);
    for _ in 0..=(c[2] >> 4) % 3 {
        ua.queue.push_back(apdu_len(inp.u16()));
    }
    for _ in 0..(c[2] >> 6) {
        ub.queue.push_back(apdu_len(inp.u16()));
    }
    let mut p = Pair {
        a: Rts::new(Role::Initiator, cfg_a),
        b: Rts::new(Role::Responder, cfg_b),
        ab: VecDeque::new(),
        ba: VecDeque::new(),
        ua,
        ub,
        ledger: Ledger::default(),
        cfg_a,
        cfg_b,
        conn: 0,
        gone: false,
        inbox: Vec::new(),
        now: Duration::ZERO,
    };
    p.connect();
    let mut ops = 0;
    while !inp.done() && ops < MAX_OPS {
        ops += 1;
        let op = inp.byte();
        let arg = inp.byte();
        match op {
            0x00..=0x3f => {
                p.step(op & 0x20 == 0, usize::from(op & 0x1f) + 1);
            }
            0x40..=0x5f => p.exchange(),
            0x60..=0x6f => p.cut(),
            0x70 => {
                p.now += Duration::from_secs(31);
                let now = p.now;
                for m in [&mut p.a, &mut p.b] {
                    if m.poll_timeout().is_some_and(|d| d <= now) {
                        m.handle_timeout(now);
                    }
                }
            }
            0x71 => {
                let _ = p.a.turn_please(u32::from(arg));
            }
            0x72 => {
                let _ = p.b.turn_please(u32::from(arg));
            }
            0x73 => {
                let _ = p.a.turn_give();
            }
            0x74 => {
                let _ = p.b.turn_give();
            }
            0x75 => {
                let _ = p.a.secured();
            }
            0x76 => {
                let _ = p.b.secured();
            }
            0x77 => {
                let _ = p.a.discard_transfer();
            }
            0x78 => {
                let _ = p.b.discard_transfer();
            }
            0x79 => {
                let _ = p.a.close();
            }
            0x7a => {
                let _ = p.b.close();
            }
            0x7b => {
                let _ = p.a.abort(p.now, AbortReason::from(u32::from(arg % 8)));
            }
            0x7c => {
                let _ = p.b.abort(p.now, AbortReason::from(u32::from(arg % 8)));
            }
            0x7d => p.ub.refuse_next = true,
            0x7e => {
                p.ua.secure_now ^= true;
                p.ub.secure_now ^= true;
            }
            _ => {}
        }
        p.settle();
        p.check_nothing_lost();
        let over = p.gone || (p.a.is_ended() && p.b.is_ended());
        if over {
            if p.conn >= MAX_CONNECTIONS {
                break;
            }
            p.connect();
            p.settle();
        }
    }
    // Let what was started finish (or end) on the connection there is.
    if !p.gone {
        p.ua.secure_now = true;
        p.ub.secure_now = true;
        p.exchange();
        p.check_nothing_lost();
    }
}

/// The RTS machine never panics, queues a bounded number of events per call, only emits
/// TSDUs the session codec accepts, and gives every APDU it was handed back unchanged or
/// confirms it; back to back, every APDU is delivered at most once and octet for octet,
/// `Transferred` means the receiver got it, and recovery after a cut anywhere keeps these.
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
/// the connection (the next one recovers); `0x70` the clock; `0x71..=0x7e` user requests.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn rts_machine(data: &[u8]) {
    let mut inp = Input { data, pos: 0 };
    match inp.byte() % 3 {
        0 => single(Role::Responder, &mut inp),
        1 => single(Role::Initiator, &mut inp),
        _ => pair(&mut inp),
    }
}
