//! The pair's books: every APDU submitted, and what each receiving user holds of the one
//! coming in, so that each piece is checked against what was sent as it arrives.

use super::*;

/// What a receiving user holds of the APDU coming in (its "file"): the first octets
/// (the tag), how many it stored, and whether one is coming at all. Each piece is checked
/// against the submission as it arrives, so nothing else is kept.
#[derive(Default, Clone)]
pub(super) struct Inbound {
    pub(super) head: Vec<u8>,
    pub(super) len: usize,
    pub(super) active: bool,
}

impl Inbound {
    pub(super) fn tag(&self) -> Option<u32> {
        let t: [u8; 4] = self.head.get(..4)?.try_into().ok()?;
        Some(u32::from_be_bytes(t))
    }
}

/// Every submission of the pair, by tag: who sent it, its length, and whether it was
/// delivered.
#[derive(Default)]
pub(super) struct Ledger {
    pub(super) subs: Vec<(Role, usize, bool)>,
}

impl Ledger {
    pub(super) fn sub(&self, tag: u32) -> (Role, usize, bool) {
        let Some(s) = self.subs.get(tag as usize) else {
            panic!("tag {tag} was never submitted");
        };
        *s
    }

    /// `to` received `piece` at `at` in the APDU it holds the start of (`inbound`): once
    /// the tag is in, every octet must be that submission's (of the other side, not yet
    /// delivered), so that what arrives equals what was sent, piece by piece.
    pub(super) fn piece(&self, to: Role, inbound: &mut Inbound, piece: &[u8]) {
        assert!(inbound.active, "{to:?} got a piece outside a transfer");
        for &x in piece {
            let at = inbound.len;
            if at < 4 {
                inbound.head.push(x);
            }
            inbound.len += 1;
            let Some(tag) = inbound.tag() else {
                continue;
            };
            let (from, len, done) = self.sub(tag);
            assert_ne!(from, to, "{to:?} received its own APDU {tag}");
            assert!(!done, "{to:?} received APDU {tag} again after its end");
            assert!(at < len, "{to:?} received APDU {tag} longer than sent");
            assert_eq!(x, octet(tag, at), "{to:?} received APDU {tag} altered");
        }
    }

    /// `to` received the end of the APDU of `inbound`, `len` octets: it must be a whole
    /// submission of the other side, delivered for the first time.
    pub(super) fn delivered(&mut self, to: Role, inbound: &Inbound, len: u64) {
        let Some(tag) = inbound.tag() else {
            panic!("{to:?} received an APDU of {len} octets nobody sent");
        };
        let (from, sent, done) = self.sub(tag);
        assert_ne!(from, to, "{to:?} received its own APDU {tag}");
        assert_eq!(
            len, inbound.len as u64,
            "{to:?}: the end's length is not the pieces'"
        );
        assert_eq!(inbound.len, sent, "{to:?} received APDU {tag} cut short");
        assert!(!done, "{to:?} received APDU {tag} twice");
        if let Some(s) = self.subs.get_mut(tag as usize) {
            s.2 = true;
        }
    }

    /// `tag` failed (TransferFailed) or is kept for a recovery (`kept`, the sending
    /// part): there must be one outstanding, and what a state keeps must be its octets,
    /// unchanged.
    pub(super) fn given_back(&self, tag: Option<u32>, kept: Option<&Part>, what: &str) {
        let Some(tag) = tag else {
            panic!("{what} but no APDU outstanding");
        };
        if let Some(part) = kept {
            let (_, len, _) = self.sub(tag);
            check_kept(tag, len, part, what);
        }
    }
}
