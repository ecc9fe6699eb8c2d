//! Two RTS machines wired back to back (STYLE.md §2.8): each call moves what one side queued
//! to the other through a perfect in-memory transport, at a fixed time. Tests script both
//! users; the helpers here open associations, run transfers to their end and take the state
//! a machine keeps when its connection is lost.
//!
//! Everything panics (through unwrap) exactly when a test should fail: a machine refusing a
//! TSDU the other emitted, or an open that does not come up.

use osi_session::machine::Role;
use osi_session::{Kind, Spdu};
use x400_rts::machine::{Config, Event, Instant, OpenRequest, Recovery, Rts};
use x400_rts::{CallingSsUserReference, SessionConnectionIdentifier, T61String, UtcTimeOctets};

/// The one time the back-to-back machines see: these scripts never wait for a timer.
pub const NOW: Instant = Instant::ZERO;

/// The session connection identifier of connection `n` of initiator `mta-a`.
pub fn id(n: u32) -> SessionConnectionIdentifier {
    SessionConnectionIdentifier {
        calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("mta-a")),
        common_reference: UtcTimeOctets::from("261203100000Z"),
        additional_reference_information: Some(T61String::new(n.to_be_bytes())),
    }
}

/// The default configuration with checkpoint size `checkpoint` (KiB) and window `window`.
pub fn config(checkpoint: u32, window: u32) -> Config {
    let mut c = Config::default();
    c.checkpoint_size = checkpoint;
    c.window_size = window;
    c
}

/// An APDU of `len` octets, a pattern that `seed` varies (so two APDUs are told apart).
pub fn apdu(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i.to_le_bytes()[0]).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// The SPDU kinds of each TSDU, for asserting what went on the wire.
pub fn kinds(tsdu: &[u8]) -> Vec<Kind> {
    let ctx = osi_session::Context::new(osi_session::Si42::ActivityEndAck);
    osi_session::Tsdu::decode(tsdu, ctx)
        .map(|t| t.iter().map(Spdu::kind).collect())
        .unwrap_or_default()
}

/// Moves every queued TSDU from `from` to `to`; returns the kinds of the SPDUs moved.
pub fn flow(from: &mut Rts, to: &mut Rts) -> Vec<Kind> {
    let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
    let mut seen = Vec::new();
    while let Some(n) = from.poll_transmit(NOW, &mut wire).unwrap() {
        seen.extend(kinds(&wire[..n]));
        to.handle_tsdu(NOW, &wire[..n]).unwrap();
    }
    seen
}

/// Every event `m` has for its user now.
pub fn events(m: &mut Rts) -> Vec<Event> {
    core::iter::from_fn(|| m.poll_event()).collect()
}

/// An open association between `a` (initiator, configured `ca`) and `b` (`cb`), on
/// connection [`id`]`(1)` with a small `open` value.
pub fn open_pair(ca: Config, cb: Config) -> (Rts, Rts) {
    let mut a = Rts::new(Role::Initiator, ca);
    let mut b = Rts::new(Role::Responder, cb);
    a.open(&OpenRequest::new(&id(1), Some(&[0x05, 0x00])))
        .unwrap();
    flow(&mut a, &mut b);
    assert!(matches!(events(&mut b)[..], [Event::OpenIndication(_)]));
    b.accept(None).unwrap();
    flow(&mut b, &mut a);
    assert!(matches!(events(&mut a)[..], [Event::Opened(_)]));
    (a, b)
}

/// Runs a transfer from `a` to `b` to its end; `b` secures every APDU. Returns what `b`
/// received and `a`'s events.
pub fn run(a: &mut Rts, b: &mut Rts) -> (Vec<Vec<u8>>, Vec<Event>) {
    let (mut got, mut seen) = (Vec::new(), Vec::new());
    loop {
        let moved = flow(a, b).len() + {
            for ev in events(b) {
                if let Event::Transfer(apdu) = ev {
                    got.push(apdu);
                    b.secured().unwrap();
                }
            }
            flow(b, a).len()
        };
        seen.extend(events(a));
        if moved == 0 {
            return (got, seen);
        }
    }
}

/// Takes the state a machine keeps when its connection is lost.
pub fn lose(m: &mut Rts) -> Recovery {
    m.handle_disconnect(NOW);
    events(m)
        .into_iter()
        .find_map(|e| match e {
            Event::ConnectionLost(Some(s)) => Some(s),
            _ => None,
        })
        .expect("a recoverable state")
}
