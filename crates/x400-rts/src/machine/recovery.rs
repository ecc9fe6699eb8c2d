//! What survives a lost connection: the state of the transfer that was in progress
//! (X.218 §8.1, §9.6; X.225 §7.30), and a table that keeps it for a limited time.

use alloc::vec::Vec;
use core::time::Duration;

use osi_sansio::Instant;

use crate::SessionConnectionIdentifier;

/// The state of one association's interrupted transfer, handed out in
/// [`super::Event::ConnectionLost`] and handed back to [`super::Rts::recover`] (initiator)
/// or [`super::Rts::accept_recovery`] (responder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// The session connection that was lost: a `recover` names it.
    pub connection: SessionConnectionIdentifier,
    /// The connection that one recovered, if it was a recovery: a peer that lost the
    /// connection before it saw the recovery succeed names this one instead.
    pub previous: Option<SessionConnectionIdentifier>,
    /// The agreed checkpoint size (a recovery repeats it).
    pub checkpoint_size: u32,
    /// The agreed window.
    pub window_size: u32,
    /// Which side of the transfer this was.
    pub part: Part,
}

/// A minor synchronization point of an activity: its serial number and the APDU octets
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// The serial number (X.225 §7.13: V(M) when the MIP was sent).
    pub serial: u64,
    /// Octets of the APDU before the point.
    pub offset: u64,
}

/// One side's share of an interrupted transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// This side was sending in the activity `activity_id`, and the receiver had
    /// confirmed the checkpoints up to `confirmed`: the resumed activity starts after it,
    /// at `offset`. The machine keeps only what it held unconfirmed, `tail`; it sends that
    /// again after the resume, and the user writes on from `offset + tail.len()`
    /// ([`super::Rts::write_offset`]). A sender restarted from its own records rebuilds
    /// this with an empty tail and writes again from `offset`.
    Sending {
        /// The activity identifier.
        activity_id: Vec<u8>,
        /// Serial number of the last confirmed checkpoint (0: none).
        confirmed: u64,
        /// Octets of the APDU before it: `confirmed` × the checkpoint size.
        offset: u64,
        /// The octets written after `offset` that the machine held.
        tail: Vec<u8>,
        /// Whether the user had written the whole APDU.
        finished: bool,
    },
    /// This side was receiving. It holds no data: its user stored the APDU's octets up to
    /// the last checkpoint it confirmed (and perhaps more, which the resume cuts off with
    /// [`super::Event::TransferStart`]).
    Receiving {
        /// The activity identifier.
        activity_id: Vec<u8>,
        /// Every checkpoint confirmed, as knots, oldest first: the points where their
        /// spacing changes, the checkpoints between two knots evenly spaced (a sender that
        /// cuts its data into checkpoints of one size needs two). A resume may name any of
        /// them, not only the last: a sender restarted from its own records names the last
        /// one it wrote down. At most [`MAX_CHECKPOINT_KNOTS`], the oldest dropped first.
        /// [`Part::resume_offset`] reads them.
        checkpoints: Vec<Checkpoint>,
    },
    /// This side had received the whole APDU and handed it to its user: if the sender
    /// resumes the activity (it never saw the confirmation), the data is acknowledged
    /// again but not delivered twice.
    Received {
        /// The activity identifier.
        activity_id: Vec<u8>,
    },
}

impl Recovery {
    /// APDU octets held in this state itself: a sender's tail.
    #[must_use]
    pub fn octets_held(&self) -> usize {
        match &self.part {
            Part::Sending { tail, .. } => tail.len(),
            Part::Receiving { .. } | Part::Received { .. } => 0,
        }
    }

    /// Whether a `recover` naming `connection` asks for this state.
    #[must_use]
    pub fn names(&self, connection: &SessionConnectionIdentifier) -> bool {
        &self.connection == connection || self.previous.as_ref() == Some(connection)
    }

    /// APDU octets this state stands for: those a sender holds in it, or those a
    /// receiver's user keeps beside it (up to the last confirmed checkpoint: a partial
    /// file, say). [`RecoveryTable`] bounds their sum.
    #[must_use]
    pub fn octets(&self) -> usize {
        match &self.part {
            Part::Sending { tail, .. } => tail.len(),
            Part::Receiving { checkpoints, .. } => checkpoints
                .last()
                .map_or(0, |c| usize::try_from(c.offset).unwrap_or(usize::MAX)),
            Part::Received { .. } => 0,
        }
    }
}

/// The most knots a receiver keeps of an activity's confirmed checkpoints
/// ([`Part::Receiving`]): a sender whose checkpoints are not evenly spaced cannot make it
/// keep more, whatever the APDU's size; a resume after a dropped one is refused.
pub const MAX_CHECKPOINT_KNOTS: usize = 64;

/// Adds the confirmed checkpoint `c` (the next serial number after the last knot's) to the
/// knots of `checkpoints`: the last knot moves to `c` if `c` continues its spacing.
pub(super) fn push_knot(checkpoints: &mut Vec<Checkpoint>, c: Checkpoint) {
    if let [.., a, b] = checkpoints.as_slice() {
        let (ds, doff) = (b.serial - a.serial, b.offset - a.offset);
        let step = c.serial.checked_sub(b.serial).filter(|&d| d == 1);
        let even = step.is_some()
            && ds > 0
            && doff % ds == 0
            && c.offset.checked_sub(b.offset) == Some(doff / ds);
        if even && let Some(last) = checkpoints.last_mut() {
            *last = c;
            return;
        }
    }
    checkpoints.push(c);
    if checkpoints.len() > MAX_CHECKPOINT_KNOTS {
        checkpoints.remove(0);
    }
}

/// The APDU offset of checkpoint `serial` from knots: 0 for the activity's start, a knot's
/// own, or between two knots by their even spacing; `None` if they do not say.
pub(super) fn knot_offset(checkpoints: &[Checkpoint], serial: u64) -> Option<u64> {
    if serial == 0 {
        return Some(0);
    }
    if let Some(c) = checkpoints.iter().find(|c| c.serial == serial) {
        return Some(c.offset);
    }
    let (a, b) = checkpoints
        .windows(2)
        .filter_map(|w| Some((*w.first()?, *w.get(1)?)))
        .find(|(a, b)| a.serial < serial && serial < b.serial)?;
    let (ds, doff) = (b.serial - a.serial, b.offset.checked_sub(a.offset)?);
    (doff % ds == 0).then(|| a.offset + (serial - a.serial) * (doff / ds))
}

impl Part {
    /// Where a resume after checkpoint `serial` continues: the APDU octets before it, if
    /// this is a receiving part that knows it (serial 0 is the start).
    #[must_use]
    pub fn resume_offset(&self, serial: u64) -> Option<u64> {
        match self {
            Self::Receiving { checkpoints, .. } => knot_offset(checkpoints, serial),
            Self::Sending { .. } | Self::Received { .. } => None,
        }
    }

    /// The activity identifier.
    #[must_use]
    pub fn activity_id(&self) -> &[u8] {
        match self {
            Self::Sending { activity_id, .. }
            | Self::Receiving { activity_id, .. }
            | Self::Received { activity_id } => activity_id,
        }
    }

    /// Whether this side was (or will resume) sending.
    #[must_use]
    pub fn is_sender(&self) -> bool {
        matches!(self, Self::Sending { .. })
    }
}

/// Recovery state kept by a responder until a `recover` takes it or it expires, with
/// whatever the user keeps beside it (`T`: the file name, the peer MTA, ...).
///
/// Sans-IO like the machine: time comes in as an [`Instant`] on the caller's clock.
/// The time, the count and the octets held are all bounded, so connections that are lost
/// and never recovered (a peer dropping connections on purpose, say) cannot pile up
/// memory: the oldest state goes first.
#[derive(Debug, Clone)]
pub struct RecoveryTable<T = ()> {
    keep: Duration,
    max_entries: usize,
    max_octets: usize,
    octets: usize,
    entries: Vec<(Instant, Recovery, T)>,
}

impl RecoveryTable {
    /// Default time state is kept: 60 s, Exchange's "recovery timeout".
    pub const DEFAULT_KEEP: Duration = Duration::from_secs(60);
    /// Default most entries kept: 1024; the oldest goes first.
    pub const DEFAULT_MAX_ENTRIES: usize = 1024;
    /// Default most APDU octets kept over all entries: 256 MiB; the oldest goes first.
    pub const DEFAULT_MAX_OCTETS: usize = 256 << 20;
}

impl<T> RecoveryTable<T> {
    /// A table keeping state for `keep`, at most `max_entries` at a time and at most
    /// [`RecoveryTable::DEFAULT_MAX_OCTETS`] octets (see [`RecoveryTable::with_max_octets`]).
    #[must_use]
    pub fn new(keep: Duration, max_entries: usize) -> Self {
        Self {
            keep,
            max_entries,
            max_octets: RecoveryTable::DEFAULT_MAX_OCTETS,
            octets: 0,
            entries: Vec::new(),
        }
    }

    /// The same table holding at most `max_octets` APDU octets over all entries.
    #[must_use]
    pub fn with_max_octets(mut self, max_octets: usize) -> Self {
        self.max_octets = max_octets;
        self
    }

    /// Keeps `state` and `extra` until `now + keep`. A state for the same connection is
    /// replaced. Whatever must go to stay within the limits is returned, oldest first:
    /// earlier entries, or `state` itself if it alone exceeds the octet limit.
    pub fn insert(&mut self, now: Instant, state: Recovery, extra: T) -> Vec<(Recovery, T)> {
        let mut dropped = Vec::new();
        if state.octets() > self.max_octets {
            dropped.push((state, extra));
            return dropped;
        }
        if let Some(i) = self
            .entries
            .iter()
            .position(|(_, r, _)| r.connection == state.connection)
        {
            self.remove(i);
        }
        while !self.entries.is_empty()
            && (self.entries.len() >= self.max_entries.max(1)
                || self.octets.saturating_add(state.octets()) > self.max_octets)
        {
            dropped.push(self.remove(0));
        }
        self.octets = self.octets.saturating_add(state.octets());
        self.entries.push((now + self.keep, state, extra));
        dropped
    }

    fn remove(&mut self, i: usize) -> (Recovery, T) {
        let (_, r, t) = self.entries.remove(i);
        self.octets = self.octets.saturating_sub(r.octets());
        (r, t)
    }

    /// Takes the state kept for `connection` (or for the connection it had recovered),
    /// unless it has expired.
    pub fn take(
        &mut self,
        now: Instant,
        connection: &SessionConnectionIdentifier,
    ) -> Option<(Recovery, T)> {
        self.handle_timeout(now);
        let i = self
            .entries
            .iter()
            .position(|(_, r, _)| r.names(connection))?;
        Some(self.remove(i))
    }

    /// Drops every expired entry; returns how many.
    pub fn handle_timeout(&mut self, now: Instant) -> usize {
        self.expire(now).len()
    }

    /// Takes out every expired entry, oldest first: what the user kept beside them (a
    /// receiver's partial file, say) can go too.
    pub fn expire(&mut self, now: Instant) -> Vec<(Recovery, T)> {
        let mut gone = Vec::new();
        let mut i = 0;
        while let Some((deadline, _, _)) = self.entries.get(i) {
            if *deadline > now {
                i += 1;
            } else {
                gone.push(self.remove(i));
            }
        }
        gone
    }

    /// APDU octets held now.
    #[must_use]
    pub fn octets(&self) -> usize {
        self.octets
    }

    /// When the next entry expires.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.entries.iter().map(|(d, _, _)| *d).min()
    }

    /// Entries kept now.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallingSsUserReference, T61String, UtcTimeOctets};

    fn id(n: u8) -> SessionConnectionIdentifier {
        SessionConnectionIdentifier {
            calling_ss_user_reference: CallingSsUserReference::T61(T61String::from("mta")),
            common_reference: UtcTimeOctets::from("261203080000Z"),
            additional_reference_information: Some(T61String::new([n])),
        }
    }

    fn state(n: u8) -> Recovery {
        Recovery {
            connection: id(n),
            previous: None,
            checkpoint_size: 4,
            window_size: 3,
            part: Part::Received {
                activity_id: alloc::vec![2, 1, 1],
            },
        }
    }

    #[test]
    fn state_is_taken_once_and_only_before_it_expires() {
        let mut t: RecoveryTable = RecoveryTable::new(Duration::from_secs(60), 10);
        t.insert(Instant::ZERO, state(1), ());
        t.insert(Instant::ZERO, state(2), ());
        assert_eq!(
            t.poll_timeout(),
            Some(Instant::ZERO + Duration::from_secs(60))
        );
        assert_eq!(
            t.take(Instant::ZERO + Duration::from_secs(59), &id(1)),
            Some((state(1), ()))
        );
        assert_eq!(
            t.take(Instant::ZERO + Duration::from_secs(59), &id(1)),
            None
        );
        assert_eq!(
            t.take(Instant::ZERO + Duration::from_secs(60), &id(2)),
            None
        );
        assert!(t.is_empty());
    }

    #[test]
    fn a_full_table_drops_the_oldest_entry() {
        let mut t: RecoveryTable = RecoveryTable::new(Duration::from_secs(60), 2);
        assert_eq!(t.insert(Instant::ZERO, state(1), ()), []);
        assert_eq!(t.insert(Instant::ZERO, state(2), ()), []);
        assert_eq!(t.insert(Instant::ZERO, state(3), ()), [(state(1), ())]);
        assert_eq!(t.len(), 2);
        // The same connection again replaces its entry instead of growing the table.
        assert_eq!(
            t.insert(Instant::ZERO + Duration::from_secs(1), state(3), ()),
            []
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t.handle_timeout(Instant::ZERO + Duration::from_secs(60)), 1);
        let gone = t.expire(Instant::ZERO + Duration::from_secs(61));
        assert_eq!(gone, [(state(3), ())]);
        assert!(t.is_empty());
    }

    fn receiving(n: u8, len: usize) -> Recovery {
        Recovery {
            part: Part::Receiving {
                activity_id: alloc::vec![2, 1, 1],
                checkpoints: alloc::vec![Checkpoint {
                    serial: 1,
                    offset: len as u64,
                }],
            },
            ..state(n)
        }
    }

    fn at(serial: u64, offset: u64) -> Checkpoint {
        Checkpoint { serial, offset }
    }

    #[test]
    fn evenly_spaced_checkpoints_are_two_knots_and_all_can_be_named() {
        let mut k = Vec::new();
        for n in 1..=10_000 {
            push_knot(&mut k, at(n, n * 4096));
        }
        assert_eq!(k, [at(1, 4096), at(10_000, 40_960_000)]);
        for n in [0, 1, 2, 777, 9_999, 10_000] {
            assert_eq!(knot_offset(&k, n), Some(n * 4096));
        }
        assert_eq!(knot_offset(&k, 10_001), None);
        // A resume after 777 (the sender's last confirmed point), then other spacing.
        let mut k: Vec<_> = k.into_iter().filter(|c| c.serial <= 777).collect();
        if k.last().map(|c| c.serial) != Some(777) {
            k.push(at(777, 777 * 4096));
        }
        for n in 778..=800 {
            push_knot(&mut k, at(n, 777 * 4096 + (n - 777) * 1000));
        }
        assert_eq!(k.len(), 3);
        assert_eq!(knot_offset(&k, 500), Some(500 * 4096));
        assert_eq!(knot_offset(&k, 790), Some(777 * 4096 + 13_000));
    }

    #[test]
    fn uneven_checkpoints_keep_a_bounded_number_of_knots() {
        let mut k = Vec::new();
        let mut offset = 0;
        for n in 1..=1000 {
            offset += 100 + n % 7;
            push_knot(&mut k, at(n, offset));
        }
        assert!(k.len() <= MAX_CHECKPOINT_KNOTS);
        assert_eq!(knot_offset(&k, 1000), Some(offset));
        // The oldest are gone: a resume there is refused, never guessed.
        assert_eq!(knot_offset(&k, 3), None);
    }

    #[test]
    fn the_octets_held_are_bounded_too() {
        let mut t: RecoveryTable =
            RecoveryTable::new(Duration::from_secs(60), 100).with_max_octets(10_000);
        assert!(t.insert(Instant::ZERO, receiving(1, 4000), ()).is_empty());
        assert!(t.insert(Instant::ZERO, receiving(2, 4000), ()).is_empty());
        assert_eq!(t.octets(), 8000);
        // A third needs room: the oldest goes.
        let dropped = t.insert(Instant::ZERO, receiving(3, 4000), ());
        assert_eq!(dropped, [(receiving(1, 4000), ())]);
        assert_eq!((t.len(), t.octets()), (2, 8000));
        // One larger than the whole limit is not kept at all.
        let dropped = t.insert(Instant::ZERO, receiving(4, 20_000), ());
        assert_eq!(dropped, [(receiving(4, 20_000), ())]);
        assert_eq!((t.len(), t.octets()), (2, 8000));
        assert_eq!(
            t.take(Instant::ZERO, &id(2)),
            Some((receiving(2, 4000), ()))
        );
        assert_eq!(t.octets(), 4000);
        t.handle_timeout(Instant::ZERO + Duration::from_secs(60));
        assert_eq!((t.len(), t.octets()), (0, 0));
    }
}
