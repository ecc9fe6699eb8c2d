//! Two RTS machines wired back to back (STYLE.md §2.8): each call moves what one side queued
//! to the other through a perfect in-memory transport, at a fixed time. Tests script both
//! users; the helpers here open associations, run transfers to their end and take the state
//! a machine keeps when its connection is lost.
//!
//! Each machine sits in an [`End`] with a scripted user, because the machines move an APDU
//! in pieces: the sending user writes its APDU (the test's "file") as the window lets it,
//! and the receiving user takes every event at once (the machine takes the next TSDU only
//! once the piece before is polled), stores the pieces (a [`Store`]), confirms each
//! checkpoint as it arrives (unless told not to), and keeps the other events for the test.
//!
//! Everything panics (through unwrap) exactly when a test should fail: a machine refusing a
//! TSDU the other emitted, an open that does not come up, or pieces that do not add up.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};

use osi_session::machine::Role;
use osi_session::{Kind, Spdu};
use x400_rts::machine::{Config, Error, Event, Instant, OpenRequest, Recovery, Rts};
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

/// A receiving user's store (its "file"): the APDU being received, put together from its
/// pieces as the events say, and the complete ones. Test support only: a real receiver
/// writes each piece away and keeps none.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Store {
    partial: Vec<u8>,
    /// APDUs received whole ([`Event::TransferEnd`]), oldest first.
    pub complete: Vec<Vec<u8>>,
    /// APDUs dropped part way ([`Event::TransferDiscarded`]).
    pub discarded: usize,
}

impl Store {
    /// Acts on one event: a start cuts the partial APDU back to its offset, a piece is
    /// appended, an end completes it, a discard drops it; other events change nothing.
    ///
    /// # Panics
    ///
    /// If a start continues beyond the octets stored, or an end's length is not theirs.
    pub fn take(&mut self, ev: &Event) {
        match ev {
            Event::TransferStart { offset } => {
                let offset = usize::try_from(*offset).unwrap();
                assert!(
                    offset <= self.partial.len(),
                    "the data continues at {offset}, but only {} octets are stored",
                    self.partial.len()
                );
                self.partial.truncate(offset);
            }
            Event::TransferData(piece) => self.partial.extend_from_slice(piece),
            Event::TransferEnd { len } => {
                assert_eq!(
                    *len,
                    self.partial.len() as u64,
                    "the end's length is not that of the pieces"
                );
                self.complete.push(std::mem::take(&mut self.partial));
            }
            Event::TransferDiscarded => {
                self.partial.clear();
                self.discarded += 1;
            }
            _ => {}
        }
    }

    /// The APDUs completed since the last call.
    pub fn apdus(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.complete)
    }

    /// Octets of the APDU being received stored so far.
    pub fn partial_len(&self) -> usize {
        self.partial.len()
    }
}

/// One end of a back-to-back pair: the machine (reached through `Deref`) and its scripted
/// user.
#[derive(Debug)]
pub struct End {
    /// The machine.
    pub rts: Rts,
    /// Events taken from the machine and not yet by the test (pieces go to `store`, calls
    /// for more data are answered from `source`).
    taken: VecDeque<Event>,
    /// What the user received.
    pub store: Store,
    /// Confirm every checkpoint as soon as it is indicated (the default); otherwise they
    /// wait in `unconfirmed` for the test.
    pub confirm: bool,
    /// Checkpoints indicated and not confirmed, oldest first (with `confirm` off).
    pub unconfirmed: Vec<u64>,
    /// The most APDU octets the machine held at any time ([`Rts::buffered`]).
    pub peak: usize,
    /// The APDU being sent, whole (the user's "file"): written from where the machine
    /// says ([`Rts::write_offset`]) as room allows, then finished; dropped once confirmed
    /// or failed. Set it before a recovery that resumes sending.
    pub source: Option<Vec<u8>>,
}

impl Deref for End {
    type Target = Rts;

    fn deref(&self) -> &Rts {
        &self.rts
    }
}

impl DerefMut for End {
    fn deref_mut(&mut self) -> &mut Rts {
        &mut self.rts
    }
}

impl End {
    /// `rts` with a user that confirms every checkpoint at once.
    pub fn new(rts: Rts) -> Self {
        Self {
            rts,
            taken: VecDeque::new(),
            store: Store::default(),
            confirm: true,
            unconfirmed: Vec::new(),
            peak: 0,
            source: None,
        }
    }

    /// A new machine of `role` with `config`.
    pub fn with(role: Role, config: Config) -> Self {
        Self::new(Rts::new(role, config))
    }

    /// TRANSFER.request for `apdu`: starts it and writes what fits; the rest follows as
    /// the pair moves TSDUs.
    ///
    /// # Errors
    ///
    /// The machine's refusal.
    pub fn send(&mut self, apdu: Vec<u8>) -> Result<(), Error> {
        self.rts.start_transfer()?;
        self.source = Some(apdu);
        self.feed();
        Ok(())
    }

    /// Writes what the machine takes of the source, and finishes it once all is written.
    pub fn feed(&mut self) {
        if let Some(src) = self.source.as_ref() {
            feed(&mut self.rts, src);
        }
        self.measure();
    }

    fn measure(&mut self) {
        self.peak = self.peak.max(self.rts.buffered());
    }

    /// Takes every event of the machine: pieces into the store, checkpoints confirmed (or
    /// noted), the rest kept for the test; then writes what the machine takes now.
    pub fn take(&mut self) {
        self.measure();
        while let Some(ev) = self.rts.poll_event() {
            self.store.take(&ev);
            match ev {
                // The user's own business: stored, or more written below.
                Event::TransferData(_) | Event::TransferWritable => continue,
                Event::Transferred | Event::TransferFailed { .. } => self.source = None,
                Event::TransferCheckpoint { serial, .. } => {
                    if self.confirm {
                        self.rts.confirm_checkpoint(serial).unwrap();
                    } else {
                        self.unconfirmed.push(serial);
                    }
                }
                _ => {}
            }
            self.taken.push_back(ev);
        }
        self.feed();
    }

    /// Confirms the checkpoints noted with `confirm` off, up to and including `serial`.
    ///
    /// # Panics
    ///
    /// If the machine refuses.
    pub fn confirm_up_to(&mut self, serial: u64) {
        self.rts.confirm_checkpoint(serial).unwrap();
        self.unconfirmed.retain(|&s| s > serial);
    }

    /// Hands `tsdu` to the machine, taking its events first if it still holds a piece.
    ///
    /// # Panics
    ///
    /// If the machine refuses it all the same.
    pub fn handle(&mut self, tsdu: &[u8]) {
        if let Err(Error::EventsPending) = self.rts.handle_tsdu(NOW, tsdu) {
            self.take();
            self.rts.handle_tsdu(NOW, tsdu).unwrap();
        }
        self.take();
    }
}

/// Writes what `rts` takes of the APDU being sent, whose octets are all `source` (a
/// sending user's "file"), from where the machine continues ([`Rts::write_offset`]), and
/// finishes it once all is written.
///
/// # Panics
///
/// If the machine continues beyond `source`, or refuses a write it said it would take.
pub fn feed(rts: &mut Rts, source: &[u8]) {
    while let Some(at) = rts.write_offset() {
        let at = usize::try_from(at).unwrap();
        let rest = source
            .get(at..)
            .expect("the machine writes on beyond the APDU");
        if rest.is_empty() {
            rts.finish_transfer().unwrap();
            break;
        }
        if rts.write(rest).unwrap() == 0 {
            break;
        }
    }
}

/// Moves every queued TSDU from `from` to `to` (whose user takes each piece as it comes);
/// returns the kinds of the SPDUs moved.
pub fn flow(from: &mut End, to: &mut End) -> Vec<Kind> {
    flow_at_most(from, to, usize::MAX)
}

/// Moves at most `n` TSDUs from `from` to `to`, as [`flow`] does.
pub fn flow_at_most(from: &mut End, to: &mut End, n: usize) -> Vec<Kind> {
    let mut wire = vec![0; Config::DEFAULT_SESSION_BUFFER];
    let mut seen = Vec::new();
    from.feed();
    for _ in 0..n {
        let Some(len) = from.rts.poll_transmit(NOW, &mut wire).unwrap() else {
            break;
        };
        from.feed();
        seen.extend(kinds(&wire[..len]));
        to.handle(&wire[..len]);
    }
    seen
}

/// Every event `m` has for its user now, except the pieces (which are in its store) and
/// the calls for more data (which its user answered).
pub fn events(m: &mut End) -> Vec<Event> {
    m.take();
    m.taken.drain(..).collect()
}

/// An open association between `a` (initiator, configured `ca`) and `b` (`cb`), on
/// connection [`id`]`(1)` with a small `open` value.
pub fn open_pair(ca: Config, cb: Config) -> (End, End) {
    let mut a = End::with(Role::Initiator, ca);
    let mut b = End::with(Role::Responder, cb);
    a.open(&OpenRequest::new(&id(1), Some(&[0x05, 0x00])))
        .unwrap();
    flow(&mut a, &mut b);
    assert!(matches!(events(&mut b)[..], [Event::OpenIndication(_)]));
    b.accept(None).unwrap();
    flow(&mut b, &mut a);
    assert!(matches!(events(&mut a)[..], [Event::Opened(_)]));
    (a, b)
}

/// Runs a transfer from `a` to `b` to its end; `b` secures every APDU. Returns the APDUs
/// `b` completed (since its store was last emptied) and `a`'s events.
pub fn run(a: &mut End, b: &mut End) -> (Vec<Vec<u8>>, Vec<Event>) {
    let mut seen = Vec::new();
    loop {
        let moved = flow(a, b).len() + {
            for ev in events(b) {
                if let Event::TransferEnd { .. } = ev {
                    b.secured().unwrap();
                }
            }
            flow(b, a).len()
        };
        seen.extend(events(a));
        if moved == 0 {
            return (b.store.apdus(), seen);
        }
    }
}

/// Takes the state a machine keeps when its connection is lost.
pub fn lose(m: &mut End) -> Recovery {
    m.handle_disconnect(NOW);
    events(m)
        .into_iter()
        .find_map(|e| match e {
            Event::ConnectionLost(Some(s)) => Some(s),
            _ => None,
        })
        .expect("a recoverable state")
}
