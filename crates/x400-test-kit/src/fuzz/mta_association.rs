//! Oracle for the MTA association ([`x400_mta::association::Association`]) as a whole: two
//! associations (MTA-A dialling MTA-B) over an in-memory byte stream, with peer tables the
//! input may spoil (unknown name, wrong password, other P1, limits of zero), and operations
//! the input chooses: move octets either way in any split, inject arbitrary octets, flip an
//! octet in flight, cut either side, let time pass, transfer, secure, close, abort.
//!
//! Promises checked:
//! * nothing panics, and no call loops without end;
//! * the accounting of a side is back to zero the moment its association ends, and both
//!   are once both have seen the connection end;
//! * no APDU is lost: every APDU given to `transfer` comes back exactly once as
//!   `Transferred` or `TransferFailed` by the end (the latter holding it unchanged);
//! * without injected or flipped octets, what B receives is what A sent, in order, each
//!   once.

// Lengths come from input octets; the kit is std.
#![allow(clippy::cast_possible_truncation, clippy::std_instead_of_alloc)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use x400_mta::association::{Apdu, Association, Config, Event};
use x400_mta::{Accounting, Limits, Peer, PeerTable, Protocol, Secret};
use x400_rts::machine::Instant;

use super::input::Input;

/// The most operations one input runs.
const MAX_OPS: usize = 200;
/// The largest APDU generated.
const MAX_APDU: usize = 20 << 10;
/// The most octets injected at once.
const MAX_INJECT: usize = 512;
/// The most rounds of moving octets after the script, to let both sides settle.
const SETTLE: usize = 64;

/// An APDU whose first two octets are its number, so a delivery names its submission.
fn apdu(n: u16, len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len.max(2)).map(|i| (i as u8).wrapping_mul(7)).collect();
    v[..2].copy_from_slice(&n.to_be_bytes());
    v
}

/// One side: its association, its accounting, what it sent and what came back.
struct Side {
    m: Association,
    acct: Accounting,
    /// Octets for this side not yet used.
    inbox: Vec<u8>,
    /// Each APDU given to `transfer`: its octets, and the value given (whole or streamed).
    submitted: Vec<(Vec<u8>, Apdu)>,
    /// APDUs answered (Transferred counts the oldest outstanding).
    confirmed: usize,
    failed: Vec<Apdu>,
    received: Vec<Vec<u8>>,
    /// The APDU arriving, as its pieces came.
    current: Vec<u8>,
    ended: bool,
    /// This side's TCP end is closed (the other was told).
    closed: bool,
    /// Scratch for `poll_transmit`, allocated once: zeroing a fresh buffer per call
    /// dominated the run time.
    buf: Vec<u8>,
}

impl Side {
    fn events(&mut self, secure: bool) {
        while let Some(ev) = self.m.poll_event() {
            match ev {
                Event::ApduStart { offset } => {
                    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
                    assert!(offset <= self.current.len(), "resumed beyond what arrived");
                    self.current.truncate(offset);
                }
                Event::ApduData(piece) => {
                    self.current.extend_from_slice(&piece);
                    assert!(
                        self.current.len() <= MAX_APDU,
                        "more octets than any APDU sent"
                    );
                }
                Event::ApduCheckpoint { serial, offset } => {
                    assert_eq!(self.current.len() as u64, offset, "checkpoint offset");
                    if secure {
                        let _ = self.m.confirm_checkpoint(serial);
                    }
                }
                Event::ApduEnd { len } => {
                    assert_eq!(self.current.len() as u64, len, "APDU length");
                    self.received.push(std::mem::take(&mut self.current));
                    if secure {
                        let _ = self.m.secured();
                    }
                }
                Event::ApduDiscarded => self.current.clear(),
                Event::Transferred => self.confirmed += 1,
                Event::TransferFailed { apdu, .. } => self.failed.push(apdu),
                Event::Ended(_) => {
                    assert!(!self.ended, "two ends");
                    self.ended = true;
                    let c = self.acct.counters();
                    assert!(c.is_idle(), "the association ended holding {c:?}");
                }
                _ => {}
            }
        }
    }

    /// Moves what this side has to send into `to`'s inbox (at most `max` octets, the rest
    /// stays queued in the machine's output) and returns how many.
    fn send(&mut self, now: Instant, to: &mut Vec<u8>, max: usize) -> usize {
        let max = max.clamp(1, self.buf.len());
        match self.m.poll_transmit(now, &mut self.buf[..max]) {
            Ok(Some(n)) => {
                to.extend_from_slice(&self.buf[..n]);
                n
            }
            _ => 0,
        }
    }

    fn feed(&mut self, now: Instant, max: usize) {
        let n = self.inbox.len().min(max.max(1));
        let used = self.m.handle_input(now, &self.inbox[..n]);
        assert!(used <= n, "used {used} of {n} octets");
        self.inbox.drain(..used);
    }
}

/// A finished side closes its TCP end; the other sees it once it has read everything.
fn close_if_finished(x: &mut Side, y: &mut Side, now: Instant) {
    if x.m.is_finished() && !x.closed && y.inbox.is_empty() {
        x.closed = true;
        y.m.handle_disconnect(now);
    }
}

fn table(
    local: &str,
    peer: &str,
    pw: &str,
    ours: &str,
    protocol: Protocol,
    limit: usize,
) -> PeerTable {
    let mut t = PeerTable::new(local);
    let mut p = Peer::new(peer, Secret::new(pw), Secret::new(ours), protocol);
    p.max_inbound = limit;
    p.max_outbound = limit;
    t.insert(p);
    t
}

/// The oracle.
pub fn mta_association(data: &[u8]) {
    let mut inp = Input::new(data);
    let flags = inp.byte();
    let protocol = |bit: u8| {
        if flags & bit != 0 {
            Protocol::P1988X410
        } else {
            Protocol::P1984
        }
    };
    // Bits 0-1: each side's P1; 2: B knows A under another name; 3: B expects another
    // password; 4: A expects another password from B; 5: per-peer limits of 0; 6: global
    // limit of 0 at B; 7: small TP0 and session buffers.
    let name_at_b = if flags & 4 != 0 { "MTA-X" } else { "MTA-A" };
    let pw_at_b = if flags & 8 != 0 { "other" } else { "a-pw" };
    let pw_at_a = if flags & 16 != 0 { "other" } else { "b-pw" };
    let limit = if flags & 32 != 0 { 0 } else { 4 };
    let ta = table("MTA-A", "MTA-B", pw_at_a, "a-pw", protocol(1), limit);
    let tb = table("MTA-B", name_at_b, pw_at_b, "b-pw", protocol(2), limit);
    // Buffers far below the defaults keep each run quick; bit 7 makes them tight.
    let buffer = if flags & 128 != 0 { 8 << 10 } else { 32 << 10 };
    let mut config = Config::default();
    config.tp0_buffer = buffer;
    config.rts.session_buffer = buffer;
    config.rts.max_dt_len = buffer / 4;
    config.tp0.max_tsdu_len = buffer;
    config.rts.checkpoint_size = u32::from(inp.byte() % 3);
    config.rts.max_apdu_len = MAX_APDU;
    let mut limits_b = Limits::default();
    if flags & 64 != 0 {
        limits_b.max_associations = 0;
    }
    let (acct_a, acct_b) = (
        Accounting::new(Limits::default()),
        Accounting::new(limits_b),
    );
    let (addr_a, addr_b): (SocketAddr, SocketAddr) = (
        "192.0.2.1:40000".parse().unwrap(),
        "192.0.2.2:102".parse().unwrap(),
    );
    let mut now = Instant::ZERO;
    let id = Association::connection_id("MTA-A", "261206120000Z", 1);
    let Ok(a) = Association::initiator(
        config,
        Arc::new(ta),
        "MTA-B",
        acct_a.handshake(None).unwrap(),
        addr_b,
        id,
        now,
    ) else {
        return;
    };
    let Ok(b) = Association::responder(
        config,
        Arc::new(tb),
        acct_b.handshake(Some(addr_a.ip())).unwrap(),
        addr_a,
        now,
    ) else {
        return;
    };
    let side = |m, acct| Side {
        m,
        acct,
        inbox: Vec::new(),
        submitted: Vec::new(),
        confirmed: 0,
        failed: Vec::new(),
        received: Vec::new(),
        current: Vec::new(),
        ended: false,
        closed: false,
        buf: vec![0; 64 << 10],
    };
    let (mut a, mut b) = (side(a, acct_a), side(b, acct_b));
    let mut tampered = false;
    let mut next_apdu = 0u16;
    let secure = inp.byte() & 1 == 0;

    for _ in 0..MAX_OPS {
        if inp.done() {
            break;
        }
        let op = inp.byte();
        let (x, y) = if op & 0x80 == 0 {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        match op & 0x0F {
            // Move up to n octets from x to y, then let y read them in pieces.
            0..=4 => {
                let max = usize::from(inp.u16()).max(1);
                x.send(now, &mut y.inbox, max);
                y.feed(now, usize::from(inp.byte()).max(1) * 64);
            }
            5 => {
                let n = usize::from(inp.byte()) % MAX_INJECT;
                y.inbox.extend_from_slice(inp.bytes(n));
                tampered = true;
            }
            6 => {
                if !y.inbox.is_empty() {
                    let at = usize::from(inp.u16()) % y.inbox.len();
                    y.inbox[at] ^= inp.byte().max(1);
                    tampered = true;
                }
            }
            7 => {
                x.m.handle_disconnect(now);
                x.closed = true;
                y.m.handle_disconnect(now);
                y.closed = true;
            }
            8 => {
                now += Duration::from_millis(u64::from(inp.u16()) * 1000);
                for s in [&mut *x, &mut *y] {
                    if s.m.poll_timeout().is_some_and(|t| t <= now) {
                        s.m.handle_timeout(now);
                    }
                }
            }
            op @ (9 | 10) => {
                let len = usize::from(inp.u16()) % MAX_APDU;
                let p = apdu(next_apdu, len);
                next_apdu = next_apdu.wrapping_add(1);
                // Whole, or streamed from its source as the window takes it.
                let given = if op == 9 {
                    Apdu::Whole(p.clone())
                } else {
                    let source = p.clone();
                    Apdu::streamed(p.len() as u64, move || {
                        Ok(Box::new(std::io::Cursor::new(source.clone())))
                    })
                };
                x.submitted.push((p, given.clone()));
                x.m.transfer(given);
            }
            11 => {
                let _ = x.m.secured();
            }
            12 => x.m.close(),
            13 => x.m.abort(now, "the fuzzer asked"),
            _ => {
                let max = usize::from(inp.u16()).max(1);
                x.send(now, &mut y.inbox, max);
                y.feed(now, max);
            }
        }
        a.events(secure);
        b.events(secure);
        // A finished side closes its TCP end; the other sees it once its inbox is read.
        close_if_finished(&mut a, &mut b, now);
        close_if_finished(&mut b, &mut a, now);
    }

    // Settle: deliver what is in flight, then end both connections.
    for _ in 0..SETTLE {
        b.feed(now, usize::MAX);
        a.feed(now, usize::MAX);
        a.events(secure);
        b.events(secure);
        let moved = a.send(now, &mut b.inbox, usize::MAX) + b.send(now, &mut a.inbox, usize::MAX);
        if moved == 0 {
            break;
        }
    }
    a.m.handle_disconnect(now);
    b.m.handle_disconnect(now);
    a.events(secure);
    b.events(secure);

    for (name, s) in [("A", &a), ("B", &b)] {
        assert!(s.ended, "{name} never ended after its connection did");
        let c = s.acct.counters();
        assert!(c.is_idle(), "{name}'s accounting holds {c:?} after the end");
        // Every APDU submitted came back once: confirmed (the oldest first) or failed.
        assert_eq!(
            s.confirmed + s.failed.len(),
            s.submitted.len(),
            "{name}: {} submitted, {} confirmed, {} failed",
            s.submitted.len(),
            s.confirmed,
            s.failed.len()
        );
        let mut rest = s.submitted.clone();
        for f in &s.failed {
            let Some(i) = rest.iter().position(|r| r.1 == *f) else {
                panic!(
                    "{name}: a failed APDU of {} octets was never submitted or is altered",
                    f.len()
                );
            };
            rest.remove(i);
        }
    }
    if !tampered {
        for (from, to) in [(&a, &b), (&b, &a)] {
            let mut expected = from.submitted.iter();
            for got in &to.received {
                assert!(
                    expected.any(|e| e.0 == *got),
                    "received an APDU of {} octets that was not sent, or out of order",
                    got.len()
                );
            }
        }
    }
}
