//! Scenario (c) of the oracle: a back-to-back pair doing real transfers, its connection cut
//! and recovered where the input says, with a ledger of every APDU submitted.

use super::ledger::{Inbound, Ledger};
use super::*;

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
    /// Confirm each checkpoint as soon as it arrives (otherwise at an input's request).
    confirm_now: bool,
    /// Checkpoints indicated and not confirmed yet.
    unconfirmed: Vec<u64>,
    /// The APDU being received.
    inbound: Inbound,
    /// Recovery state kept: the initiator's for its next `recover`, with what it had
    /// received of the APDU that state is for.
    state: Option<(Recovery, Inbound)>,
    /// The responder's table (with what it had received of each APDU), and the
    /// connection under which its own APDU is parked.
    table: RecoveryTable<Inbound>,
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
            confirm_now: flags & 0x30 != 0x30,
            unconfirmed: Vec::new(),
            inbound: Inbound::default(),
            state: None,
            table: RecoveryTable::new(Duration::from_secs(600), 16),
            parked: None,
        }
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
    now: Instant,
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
            Some((state, inbound)) => {
                // The data kept beside the state is the user's again for the resume.
                self.ua.inbound = inbound;
                let kept = state.clone();
                if self.a.recover(&req, state).is_err() {
                    // Not sent: the state is the user's again, and nothing resumes.
                    if kept.part.is_sender() {
                        self.ledger.given_back(
                            self.ua.outstanding,
                            Some(&kept.part),
                            "a refused recover",
                        );
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
            self.feed();
        }
        self.start(Role::Initiator);
        self.start(Role::Responder);
        self.feed();
    }

    /// Each user writes what its machine takes of the APDU it sends.
    fn feed(&mut self) {
        for role in [Role::Initiator, Role::Responder] {
            let Some(tag) = self.user(role).outstanding else {
                continue;
            };
            let (_, len, _) = self.ledger.sub(tag);
            let (m, _) = self.side(role);
            feed(m, (tag, len), true);
        }
    }

    fn user(&mut self, role: Role) -> &mut User {
        self.side(role).1
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
        if m.start_transfer().is_ok() {
            u.queue.pop_front();
            u.outstanding = Some(tag);
            self.ledger.subs.push((role, len, false));
        }
    }

    fn on_event(&mut self, role: Role, ev: Event) {
        let now = self.now;
        let retry = self.ledger.subs.len() < MAX_SUBMISSIONS;
        match ev {
            Event::TransferStart { offset } => {
                let u = self.user(role);
                let offset = usize::try_from(offset).unwrap_or(usize::MAX);
                assert!(
                    offset <= u.inbound.len,
                    "{role:?}: the data continues at {offset}, but {} octets are held",
                    u.inbound.len
                );
                u.inbound.len = offset;
                u.inbound.head.truncate(offset);
                u.inbound.active = true;
                u.unconfirmed.clear();
            }
            Event::TransferData(piece) => {
                let u = match role {
                    Role::Initiator => &mut self.ua,
                    Role::Responder => &mut self.ub,
                };
                self.ledger.piece(role, &mut u.inbound, &piece);
            }
            Event::TransferCheckpoint { serial, offset } => {
                let (m, u) = self.side(role);
                assert_eq!(
                    offset, u.inbound.len as u64,
                    "{role:?}: a checkpoint not where the data is"
                );
                if u.confirm_now {
                    let _ = m.confirm_checkpoint(serial);
                } else {
                    u.unconfirmed.push(serial);
                }
            }
            Event::TransferEnd { len } => {
                let u = match role {
                    Role::Initiator => &mut self.ua,
                    Role::Responder => &mut self.ub,
                };
                let inbound = std::mem::take(&mut u.inbound);
                self.ledger.delivered(role, &inbound, len);
                let (m, u) = self.side(role);
                u.unconfirmed.clear();
                if u.secure_now {
                    let _ = m.secured();
                }
            }
            Event::TransferDiscarded => {
                let u = self.user(role);
                u.inbound = Inbound::default();
                u.unconfirmed.clear();
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
            Event::TransferFailed { .. } => {
                let (_, u) = self.side(role);
                let tag = u.outstanding.take();
                self.ledger.given_back(tag, None, "TransferFailed");
                if let Some(tag) = tag
                    && retry
                {
                    // Sent again from the start, from the user's source.
                    let (_, len, _) = self.ledger.sub(tag);
                    self.user(role).queue.push_front(len);
                }
            }
            Event::ConnectionLost(state) => {
                let (_, u) = self.side(role);
                let outstanding = u.outstanding;
                u.unconfirmed.clear();
                let inbound = std::mem::take(&mut u.inbound);
                if let Some(Recovery {
                    part: Part::Receiving { checkpoints, .. },
                    ..
                }) = &state
                {
                    // The user holds the data up to the last point it confirmed.
                    let held = checkpoints.last().map_or(0, |c| c.offset);
                    assert!(
                        held <= inbound.len as u64,
                        "{role:?}: confirmed up to {held}, but only {} octets arrived",
                        inbound.len
                    );
                }
                if let Some(state) = state.as_ref().filter(|s| s.part.is_sender()) {
                    self.ledger
                        .given_back(outstanding, Some(&state.part), "ConnectionLost");
                }
                match (role, state) {
                    (Role::Initiator, state) => self.ua.state = state.map(|s| (s, inbound)),
                    (Role::Responder, Some(state)) => {
                        if state.part.is_sender() {
                            self.ub.parked = Some(state.connection.clone());
                        }
                        self.ub.table.insert(now, state, inbound);
                    }
                    (Role::Responder, None) => {}
                }
            }
            Event::OpenIndication(_) => {
                if let Some(conn) = self.ub.parked.take() {
                    // A new association: the APDU parked for a recovery is given up.
                    let tag = self.ub.outstanding.take();
                    if let Some((state, _)) = self.ub.table.take(now, &conn)
                        && state.part.is_sender()
                    {
                        self.ledger
                            .given_back(tag, Some(&state.part), "the recovery table");
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
                Some((state, inbound)) => {
                    self.ub.inbound = inbound;
                    let sending = state.part.is_sender();
                    if sending {
                        self.ub.parked = None;
                    }
                    let kept = state.clone();
                    if self.b.accept_recovery(state).is_err() && kept.part.is_sender() {
                        let tag = self.ub.outstanding.take();
                        self.ledger
                            .given_back(tag, Some(&kept.part), "a refused accept_recovery");
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
                to.handle_disconnect(now);
                later.extend(events(to));
                if !from.is_ended() {
                    from.handle_disconnect(now);
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
        self.a.handle_disconnect(self.now);
        self.b.handle_disconnect(self.now);
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
                    Some((
                        Recovery {
                            part: Part::Sending { .. },
                            ..
                        },
                        _
                    ))
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
pub(super) fn pair(inp: &mut Input<'_>) {
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
        now: Instant::ZERO,
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
            0x7f => {
                // The users confirm what they were holding back.
                for (m, u) in [(&mut p.a, &mut p.ua), (&mut p.b, &mut p.ub)] {
                    if let Some(&last) = u.unconfirmed.last() {
                        let _ = m.confirm_checkpoint(last);
                        u.unconfirmed.clear();
                    }
                }
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
        for (m, u) in [(&mut p.a, &mut p.ua), (&mut p.b, &mut p.ub)] {
            u.confirm_now = true;
            if let Some(&last) = u.unconfirmed.last() {
                let _ = m.confirm_checkpoint(last);
                u.unconfirmed.clear();
            }
        }
        p.exchange();
        p.check_nothing_lost();
    }
}
