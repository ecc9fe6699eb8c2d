//! Two session machines wired back to back through in-memory queues, with a manual clock
//! (after quinn-proto's test `Pair`). The transport is perfect and ordered; a
//! `DisconnectTransport` event closes it after what its side queued has been delivered.
//!
//! It panics (through unwrap) exactly when a test should fail: a machine refusing a TSDU the
//! other emitted, or a connection that does not come up.

use core::time::Duration;

use osi_session::machine::Instant;

use osi_session::machine::{AcceptRequest, Config, ConnectRequest, Event, Role, Session};
use osi_session::{Requirements, TokenSetting};

/// A session event with its octets copied out of the machine.
pub type Owned = Event<Vec<u8>>;
/// A session machine with heap buffers.
pub type Machine = Session<Vec<u8>>;

/// Receive and transmit buffer size of each side: the largest TSDU the tests send.
pub const BUF: usize = 128 * 1024;

/// An initiator and a responder joined by a perfect transport, with everything that crossed it.
#[derive(Debug)]
pub struct Pair {
    /// The initiator.
    pub a: Machine,
    /// The responder.
    pub b: Machine,
    /// The manual clock, moved by [`Pair::advance`].
    pub now: Instant,
    /// Events of the initiator not yet taken ([`Pair::take_a`]).
    pub a_events: Vec<Owned>,
    /// Events of the responder not yet taken ([`Pair::take_b`]).
    pub b_events: Vec<Owned>,
    /// TSDUs moved a → b, in order, for tests that inspect the wire.
    pub wire_ab: Vec<Vec<u8>>,
    /// TSDUs moved b → a, in order.
    pub wire_ba: Vec<Vec<u8>>,
    /// Both directions in the order moved: (from the initiator, TSDU).
    pub wire: Vec<(bool, Vec<u8>)>,
    /// TSDUs moved on the transport expedited flow: (from the initiator, TSDU).
    pub wire_ex: Vec<(bool, Vec<u8>)>,
    /// Whether the transport connection is still up (a `DisconnectTransport` ends it).
    pub transport_up: bool,
}

/// With `X400_SESSION_WIRE=<file>` set, appends every TSDU moved (direction, hex) to the
/// file, so a capture can be built from it and checked with the conformance kit's tshark.
fn dump(dir: &str, tsdu: &[u8]) {
    use std::io::Write;
    if let Some(path) = std::env::var_os("X400_SESSION_WIRE") {
        let hex: String = tsdu.iter().map(|b| format!("{b:02x}")).collect();
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(f, "{dir}\t{hex}").unwrap();
    }
}

fn drain(m: &mut Machine, out: &mut Vec<Owned>, closed: &mut bool) {
    while let Some(e) = m.poll_event() {
        if e == Event::DisconnectTransport {
            *closed = true;
        }
        out.push(e.map(<[u8]>::to_vec));
    }
}

impl Default for Pair {
    fn default() -> Self {
        Self::new()
    }
}

impl Pair {
    /// Two machines with default configurations, not yet connected.
    pub fn new() -> Self {
        Self::with_configs(Config::default(), Config::default())
    }

    /// Two machines with configurations `a` (initiator) and `b`, not yet connected.
    pub fn with_configs(a: Config, b: Config) -> Self {
        Self {
            a: Session::new(Role::Initiator, a, vec![0; BUF], vec![0; BUF]),
            b: Session::new(Role::Responder, b, vec![0; BUF], vec![0; BUF]),
            now: Instant::ZERO,
            a_events: Vec::new(),
            b_events: Vec::new(),
            wire_ab: Vec::new(),
            wire_ba: Vec::new(),
            wire: Vec::new(),
            wire_ex: Vec::new(),
            transport_up: true,
        }
    }

    /// Moves TSDUs both ways until both sides are quiet.
    pub fn drive(&mut self) {
        let mut buf = vec![0u8; BUF];
        loop {
            let (mut a_closed, mut b_closed) = (false, false);
            drain(&mut self.a, &mut self.a_events, &mut a_closed);
            drain(&mut self.b, &mut self.b_events, &mut b_closed);
            let mut moved = false;
            // The expedited flow first: the transport may deliver it ahead of normal data
            // sent earlier, and this shell always does.
            while self.transport_up {
                let Some(n) = self.a.poll_transmit_expedited(self.now, &mut buf).unwrap() else {
                    break;
                };
                self.wire_ex.push((true, buf[..n].to_vec()));
                self.b.handle_expedited_tsdu(self.now, &buf[..n]).unwrap();
                drain(&mut self.b, &mut self.b_events, &mut b_closed);
                moved = true;
            }
            while self.transport_up {
                let Some(n) = self.b.poll_transmit_expedited(self.now, &mut buf).unwrap() else {
                    break;
                };
                self.wire_ex.push((false, buf[..n].to_vec()));
                self.a.handle_expedited_tsdu(self.now, &buf[..n]).unwrap();
                drain(&mut self.a, &mut self.a_events, &mut a_closed);
                moved = true;
            }
            while self.transport_up {
                let Some(n) = self.a.poll_transmit(self.now, &mut buf).unwrap() else {
                    break;
                };
                self.wire_ab.push(buf[..n].to_vec());
                self.wire.push((true, buf[..n].to_vec()));
                dump("ab", &buf[..n]);
                self.b.handle_tsdu(self.now, &buf[..n]).unwrap();
                drain(&mut self.b, &mut self.b_events, &mut b_closed);
                moved = true;
            }
            while self.transport_up {
                let Some(n) = self.b.poll_transmit(self.now, &mut buf).unwrap() else {
                    break;
                };
                self.wire_ba.push(buf[..n].to_vec());
                self.wire.push((false, buf[..n].to_vec()));
                dump("ba", &buf[..n]);
                self.a.handle_tsdu(self.now, &buf[..n]).unwrap();
                drain(&mut self.a, &mut self.a_events, &mut a_closed);
                moved = true;
            }
            if self.transport_up && (a_closed || b_closed) {
                // Whoever closes, the other side gets T-DISCONNECT indication.
                self.transport_up = false;
                if a_closed {
                    self.b.handle_disconnect(self.now);
                }
                if b_closed {
                    self.a.handle_disconnect(self.now);
                }
                drain(&mut self.a, &mut self.a_events, &mut a_closed);
                drain(&mut self.b, &mut self.b_events, &mut b_closed);
            }
            if !moved {
                break;
            }
        }
    }

    /// Advances the manual clock and fires due timers.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        for m in [&mut self.a, &mut self.b] {
            if m.poll_timeout().is_some_and(|t| t <= self.now) {
                m.handle_timeout(self.now);
            }
        }
        self.drive();
    }

    /// Connects with `proposed` at the initiator and `wanted` at the responder; returns the
    /// events each side saw.
    pub fn connect_with(&mut self, req: &ConnectRequest<'_>, acc: &AcceptRequest<'_>) {
        self.a.connect(req).unwrap();
        self.drive();
        let ind = self.b_events.pop().expect("connect indication");
        assert!(matches!(ind, Event::ConnectIndication { .. }), "{ind:?}");
        self.b.accept(acc).unwrap();
        self.drive();
        let cnf = self.a_events.pop().expect("connect confirm");
        assert!(matches!(cnf, Event::ConnectConfirm { .. }), "{cnf:?}");
    }

    /// Connects proposing and accepting `fu`, tokens at `tokens` (CN Token Setting).
    pub fn connect(&mut self, fu: u16, tokens: u8) {
        let req = ConnectRequest {
            tokens: TokenSetting(tokens),
            ..ConnectRequest::new(Requirements(fu))
        };
        self.connect_with(&req, &AcceptRequest::new(Requirements(fu)));
    }

    /// Takes the initiator's events so far.
    pub fn take_a(&mut self) -> Vec<Owned> {
        core::mem::take(&mut self.a_events)
    }

    /// Takes the responder's events so far.
    pub fn take_b(&mut self) -> Vec<Owned> {
        core::mem::take(&mut self.b_events)
    }
}
