//! Concatenated SPDUs in one TSDU (X.225 §6.3.7, Tables 6–8).
//!
//! A TSDU holds one category 1 SPDU alone, or a category 0 SPDU (GT, PT) optionally
//! followed by category 2 SPDUs in the combinations of Table 7 (basic concatenation) and,
//! if the receiver announced it, Table 8 (extended concatenation).

use crate::{Category, Context, Error, Kind, Result, Spdu};

/// Most SPDUs one TSDU can hold: GT + AS/AR + MIP/AE/MAP + DT (X.225 Table 8).
pub const MAX_SPDUS_PER_TSDU: usize = 4;

/// Checks the place of each SPDU in a TSDU as they come, for decoding and encoding alike.
#[derive(Debug, Clone, Copy)]
struct Sequence {
    kinds: [Option<Kind>; MAX_SPDUS_PER_TSDU],
    n: usize,
    extended: bool,
}

impl Sequence {
    fn new(extended: bool) -> Self {
        Self {
            kinds: [None; MAX_SPDUS_PER_TSDU],
            n: 0,
            extended,
        }
    }

    fn at(&self, i: usize) -> Option<Kind> {
        self.kinds.get(i).copied().flatten()
    }

    /// Accepts `spdu` as the next SPDU; `more` says whether octets follow it.
    fn push(&mut self, spdu: &Spdu<'_>, more: bool) -> Result<()> {
        use Kind::*;
        let kind = spdu.kind();
        let index = self.n;
        if index == 0 {
            match kind.category() {
                Category::Two => return Err(Error::Misplaced(kind)),
                Category::One if more => return Err(Error::NotAlone(kind)),
                _ => {}
            }
        } else {
            let first = self.at(0).ok_or(Error::Misplaced(kind))?;
            let prev = self.at(index - 1).ok_or(Error::Misplaced(kind))?;
            if kind.category() != Category::Two {
                return Err(Error::Misplaced(kind));
            }
            let ext = self.extended && first == GiveTokens;
            let ok = match index {
                1 => match first {
                    GiveTokens => {
                        matches!(
                            kind,
                            DataTransfer
                                | MinorSyncPoint
                                | MajorSyncPoint
                                | Resynchronize
                                | ActivityStart
                                | ActivityResume
                                | ActivityDiscard
                                | ActivityInterrupt
                                | ActivityEnd
                                | CapabilityData
                        ) || (ext && matches!(kind, MinorSyncAck | MajorSyncAck | ActivityEndAck))
                    }
                    // The 1995 Table 7 prints PT + AR; the 1988 Table 7, the 1995 Table 8
                    // and ISODE use GT + AR, so both are accepted.
                    _ => matches!(
                        kind,
                        MinorSyncAck
                            | MajorSyncAck
                            | ActivityEndAck
                            | ResynchronizeAck
                            | ActivityDiscardAck
                            | ActivityInterruptAck
                            | CapabilityDataAck
                            | ExceptionReport
                            | ExceptionData
                            | ActivityResume
                    ),
                },
                2 => {
                    ext && match prev {
                        ActivityStart | ActivityResume => {
                            matches!(
                                kind,
                                MinorSyncPoint | ActivityEnd | MajorSyncPoint | DataTransfer
                            )
                        }
                        MinorSyncPoint | MinorSyncAck | MajorSyncPoint | MajorSyncAck
                        | ActivityEnd | ActivityEndAck => kind == DataTransfer,
                        _ => false,
                    }
                }
                3 => {
                    ext && matches!(prev, MinorSyncPoint | ActivityEnd | MajorSyncPoint)
                        && matches!(self.at(1), Some(ActivityStart | ActivityResume))
                        && kind == DataTransfer
                }
                _ => false,
            };
            if !ok {
                return Err(Error::BadConcatenation {
                    after: prev,
                    then: kind,
                });
            }
        }
        if let Some(slot) = self.kinds.get_mut(index) {
            *slot = Some(kind);
        }
        self.n += 1;
        Ok(())
    }

    /// The rules on the GT/PT in front, checked once its follower is known (Table 7 notes).
    fn check_front(front: Front, next: &Spdu<'_>) -> Result<()> {
        // "A GT or PT used for concatenation carries no user data."
        if front.user_data {
            return Err(Error::BadConcatenationParameter(front.kind));
        }
        if front.token_item {
            // GT(a): no Token Item in front of RS, AD, AI or CD.
            let forbidden = matches!(
                next.kind(),
                Kind::Resynchronize
                    | Kind::ActivityDiscard
                    | Kind::ActivityInterrupt
                    | Kind::CapabilityData
            );
            // A Token Item only in front of a complete SSDU or the last segment of one.
            let partial = next
                .enclosure()
                .is_some_and(|e| !e.contains(crate::Enclosure::END));
            if forbidden || partial {
                return Err(Error::BadConcatenationParameter(front.kind));
            }
        }
        Ok(())
    }
}

/// What the concatenation rules need to know of the first SPDU (kept small: SPDUs are
/// large values and copying them dominated decoding time).
#[derive(Debug, Clone, Copy)]
struct Front {
    kind: Kind,
    user_data: bool,
    token_item: bool,
}

impl Front {
    fn of(s: &Spdu<'_>) -> Self {
        let token_item = match s {
            Spdu::GiveTokens(gt) => gt.token_item.is_some(),
            Spdu::PleaseTokens(pt) => pt.token_item.is_some(),
            _ => false,
        };
        Self {
            kind: s.kind(),
            user_data: s.user_data().is_some(),
            token_item,
        }
    }
}

/// The SPDUs of one TSDU, decoded one at a time without allocation.
///
/// Each item is checked on its own ([`Spdu::decode`]) and in its place in the TSDU. After
/// an error nothing more is yielded. An empty TSDU yields [`Error::Empty`].
#[derive(Debug, Clone)]
pub struct Spdus<'a> {
    rest: &'a [u8],
    ctx: Context,
    seq: Sequence,
    front: Option<Front>,
    done: bool,
}

impl<'a> Spdus<'a> {
    /// Iterates over the SPDUs of `tsdu`.
    pub fn new(tsdu: &'a [u8], ctx: Context) -> Self {
        Self {
            rest: tsdu,
            ctx,
            seq: Sequence::new(ctx.extended_concatenation),
            front: None,
            done: false,
        }
    }

    /// Decodes the next SPDU into `slot`.
    #[inline]
    fn step_into(&mut self, slot: &mut Option<Spdu<'a>>) -> Result<()> {
        let first = self.seq.n == 0;
        // Judge the place of the SPDU from its SI before its parameters, so that foreign
        // traffic (S7comm starts with 0x32, MIA's SI) is named for what is wrong with it.
        if let Some(kind) = self.rest.first().and_then(|&si| Kind::from_si(si, first))
            && (kind.category() == Category::Two) == first
        {
            // SI 41 and 42 need their parameters and the context to be named exactly.
            let named = Spdu::decode(self.rest, false, &self.ctx).map_or(kind, |(s, _)| s.kind());
            return Err(Error::Misplaced(if first { named } else { kind }));
        }
        let used = Spdu::decode_into(slot, self.rest, first, &self.ctx)?;
        let spdu = slot.as_ref().ok_or(Error::Empty)?;
        self.rest = self.rest.get(used..).unwrap_or_default();
        self.seq.push(spdu, !self.rest.is_empty())?;
        if first {
            self.front = Some(Front::of(spdu));
        } else if self.seq.n == 2
            && let Some(front) = self.front
        {
            Sequence::check_front(front, spdu)?;
        }
        Ok(())
    }

    /// Decodes the next SPDU into `slot`; `None` at the end.
    #[inline]
    fn next_into(&mut self, slot: &mut Option<Spdu<'a>>) -> Option<Result<()>> {
        if !self.more() {
            return None;
        }
        let r = self.step_into(slot);
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }

    /// Whether another SPDU (or an error) is to come.
    fn more(&self) -> bool {
        !(self.done || (self.rest.is_empty() && self.seq.n > 0))
    }
}

impl<'a> Iterator for Spdus<'a> {
    type Item = Result<Spdu<'a>>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut slot = None;
        Some(
            self.next_into(&mut slot)?
                .and_then(|()| slot.ok_or(Error::Empty)),
        )
    }
}

/// A whole TSDU, decoded and checked, held without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tsdu<'a> {
    spdus: [Option<Spdu<'a>>; MAX_SPDUS_PER_TSDU],
    len: usize,
}

impl<'a> Tsdu<'a> {
    /// Decodes every SPDU of `tsdu` and checks their concatenation.
    ///
    /// # Errors
    ///
    /// The first error [`Spdus`] yields.
    #[inline]
    pub fn decode(tsdu: &'a [u8], ctx: Context) -> Result<Self> {
        let mut out = Self {
            spdus: [None; MAX_SPDUS_PER_TSDU],
            len: 0,
        };
        let mut spdus = Spdus::new(tsdu, ctx);
        // Each SPDU is decoded straight into its slot. Sequence::push refuses a fifth SPDU
        // before a fifth slot would be needed.
        for slot in out.spdus.iter_mut() {
            match spdus.next_into(slot) {
                Some(r) => r?,
                None => break,
            }
            out.len += 1;
        }
        // Unreachable by the rules above; checked so that no SPDU is silently dropped.
        if let Some(r) = spdus.next() {
            return Err(Error::BadConcatenation {
                after: Kind::DataTransfer,
                then: r?.kind(),
            });
        }
        Ok(out)
    }

    /// A TSDU of the given SPDUs, to encode. Checked by [`Tsdu::encode`].
    ///
    /// # Errors
    ///
    /// [`Error::BadConcatenation`] for more than [`MAX_SPDUS_PER_TSDU`] SPDUs, and
    /// [`Error::Empty`] for none.
    pub fn from_spdus(spdus: &[Spdu<'a>]) -> Result<Self> {
        let mut out = Self {
            spdus: [None; MAX_SPDUS_PER_TSDU],
            len: 0,
        };
        for (i, s) in spdus.iter().enumerate() {
            let slot = out.spdus.get_mut(i).ok_or(Error::BadConcatenation {
                after: s.kind(),
                then: s.kind(),
            })?;
            *slot = Some(*s);
            out.len += 1;
        }
        if out.len == 0 {
            return Err(Error::Empty);
        }
        Ok(out)
    }

    /// Number of SPDUs.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a TSDU holds at least one SPDU.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The SPDUs in wire order.
    pub fn iter(&self) -> impl Iterator<Item = &Spdu<'a>> {
        self.spdus.iter().flatten()
    }

    /// The SPDUs in the order X.225 §6.3.7.1 processes them: the category 2 SPDUs before
    /// the GT/PT in front of them; in extended concatenation AS/AR first, then DT, then the
    /// synchronization SPDU, then GT.
    pub fn processing_order(&self) -> impl Iterator<Item = &Spdu<'a>> {
        fn rank(k: Kind) -> u8 {
            match k {
                Kind::GiveTokens | Kind::PleaseTokens => 3,
                Kind::DataTransfer => 1,
                Kind::MinorSyncPoint
                | Kind::MinorSyncAck
                | Kind::MajorSyncPoint
                | Kind::MajorSyncAck
                | Kind::ActivityEnd
                | Kind::ActivityEndAck => 2,
                _ => 0,
            }
        }
        (0..=3u8).flat_map(move |r| self.iter().filter(move |s| rank(s.kind()) == r))
    }

    /// Octets [`Tsdu::encode`] writes.
    ///
    /// # Errors
    ///
    /// Those of [`Spdu::encoded_len`].
    pub fn encoded_len(&self) -> Result<usize> {
        self.iter().map(Spdu::encoded_len).sum()
    }

    /// Writes the SPDUs one after the other, after checking their concatenation as a
    /// receiver with `extended` concatenation would. Returns the octets written.
    ///
    /// # Errors
    ///
    /// Those of [`encode_tsdu`].
    pub fn encode(&self, extended: bool, dst: &mut [u8]) -> Result<usize> {
        encode_seq(self.spdus.iter().flatten(), self.len, extended, dst)
    }

    /// Appends the TSDU to `v`.
    ///
    /// # Errors
    ///
    /// Those of [`Tsdu::encode`] except [`Error::BufferTooSmall`]; `v` is unchanged then.
    #[cfg(feature = "alloc")]
    pub fn encode_to_vec(&self, extended: bool, v: &mut alloc::vec::Vec<u8>) -> Result<usize> {
        let start = v.len();
        v.resize(start + self.encoded_len()?, 0);
        let r = self.encode(extended, v.get_mut(start..).unwrap_or_default());
        if r.is_err() {
            v.truncate(start);
        }
        r
    }
}

/// Checks the concatenation of the `n` SPDUs of `spdus` as a receiver with `extended`
/// concatenation would.
fn check_concatenation<'s, 'a: 's>(
    spdus: impl Iterator<Item = &'s Spdu<'a>>,
    n: usize,
    extended: bool,
) -> Result<()> {
    if n == 0 {
        return Err(Error::Empty);
    }
    let mut seq = Sequence::new(extended);
    let mut front = None;
    for (i, s) in spdus.enumerate() {
        seq.push(s, i + 1 < n)?;
        match (seq.n, front) {
            (1, _) => front = Some(Front::of(s)),
            (2, Some(f)) => Sequence::check_front(f, s)?,
            _ => {}
        }
    }
    Ok(())
}

fn encode_seq<'s, 'a: 's>(
    spdus: impl Iterator<Item = &'s Spdu<'a>> + Clone,
    n: usize,
    extended: bool,
    dst: &mut [u8],
) -> Result<usize> {
    check_concatenation(spdus.clone(), n, extended)?;
    let mut needed = 0;
    for s in spdus.clone() {
        needed += s.encoded_len()?;
    }
    if dst.len() < needed {
        return Err(Error::BufferTooSmall {
            needed,
            available: dst.len(),
        });
    }
    let mut pos = 0;
    for s in spdus {
        pos += s.encode(dst.get_mut(pos..).unwrap_or_default())?;
    }
    Ok(pos)
}

/// Writes `spdus` as one TSDU into the start of `dst`, after checking their concatenation
/// as a receiver with `extended` concatenation would (X.225 Tables 6–8). Returns the octets
/// written. The cheap way to send GT + DT: no [`Tsdu`] is built.
///
/// # Errors
///
/// A concatenation error ([`Error::Empty`] for no SPDU), those of [`Spdu::encode`], or
/// [`Error::BufferTooSmall`] (nothing is written then).
pub fn encode_tsdu(spdus: &[Spdu<'_>], extended: bool, dst: &mut [u8]) -> Result<usize> {
    encode_seq(spdus.iter(), spdus.len(), extended, dst)
}
