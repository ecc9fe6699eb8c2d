//! PREPARE (PR, SI 7) under transport expedited data (TEXP): the PR rows of X.225 Annex A
//! and the states STA15A–D and STA06 (X.225 §6.4, §7.26, Table A.2).
//!
//! With TEXP an SPM sends a PR on the transport expedited flow ahead of MAA and AEA
//! (PR-MAA), RS, AI and AD (PR-RS), RA, AIA and ADA (PR-RA), and AB (PR-AB). The PR
//! overtakes the normal data still on its way, so the receiver learns early what is coming:
//! it enters STA15A (MAA/AEA), STA15B (RS/AI/AD), STA15C (RA/AIA/ADA) or STA15D (AB) and,
//! until the announced SPDU arrives on the normal flow, takes or discards what precedes it
//! as the state's rows say. Without the PR that SPDU is a protocol error under TEXP (p16,
//! p35, p36, p37, p38).
//!
//! Annex A action \[10\] stores an event for later and \[6\] recalls it once the machine has
//! moved on: a PR-RS that overtook the AC, GTA, AS or AR it follows, EX or PR-RS arriving in
//! STA15A or STA15C ahead of the MAA or RA they follow, and PR-RA (or EX) in STA06 ahead of
//! the RS that decides the collision.
//!
//! The rows are X.225 (1995) Annex A as transcribed in ISODE++ SSAP.sm, with the symmetric
//! synchronize and data separation predicates evaluated for a machine that selects neither
//! (p80 true, p81 and p178 false, p185 = "the receive flow is being discarded", which is
//! false in STA15B and true in STA15C and STA06). Only the states, the PR types and the
//! rows for minor and major synchronization, resynchronization, activities and abort were
//! checked against the printed X.225 text; a row marked \[R\] is an inference from the
//! transcription that could not be checked against the printed table: confirm it there.

use super::{Error, Result, Rule, Session, State};
use crate::{Kind, Prepare, PrepareType, Requirements, Spdu};
use osi_sansio::Storage;

/// EX the machine holds in STA15A, STA15C or STA06 until action \[6\] recalls it. Kept below
/// [`super::MAX_EXPEDITED_QUEUED`] so that the recalled indications, the confirm and the
/// SPDUs of an extended concatenation fit the room `handle_tsdu` checks for; one more is
/// answered as [`Rule::ExpeditedBacklog`].
pub(crate) const MAX_HELD_EX: usize = 2;

/// What a PR left behind: the state it moved the machine from (STA15A answers a MAP or an
/// AE, STA15C an RS, AI or AD), and the PR-RS and PR-RA stored by action \[10\].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prepared {
    pub(crate) from: State,
    rs: bool,
    ra: bool,
}

impl Default for Prepared {
    fn default() -> Self {
        Self {
            from: State::Sta713,
            rs: false,
            ra: false,
        }
    }
}

/// What a PR received does in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnPr {
    Enter(State),
    /// Action \[10\]: stored until \[6\].
    Hold,
    /// A row with no action: the PR announces an SPDU the state discards anyway.
    Discard,
    /// A blank cell: protocol error.
    Invalid,
}

/// The PR rows of Annex A. `p26` = ¬FU(ACT) ∨ Vact; `vcoll` = Vcoll (p10 = ¬Vcoll).
fn on_pr(ty: PrepareType, st: State, p26: bool, vcoll: bool) -> OnPr {
    use PrepareType as P;
    use State as S;
    match (ty, st) {
        (_, S::Sta15D) => OnPr::Discard,
        // PR-AB: every state with a connection has PR-AB → STA15D.
        (P::Abort, _) => OnPr::Enter(S::Sta15D),
        (P::MajorSyncAck, S::Sta04A | S::Sta04B) => OnPr::Enter(S::Sta15A),
        // Our RS, AI or AD supersedes the major sync point the MAA would confirm.
        (P::MajorSyncAck, S::Sta05A | S::Sta05B | S::Sta05C) => OnPr::Discard,
        (P::Resync, S::Sta713) if p26 => OnPr::Enter(S::Sta15B),
        // ¬p26: the PR-RS overtook the AS or AR that opens the activity it resynchronizes
        // (or interrupts): STA713 stores it until the AS/AR row recalls it.
        (P::Resync, S::Sta713) => OnPr::Hold,
        (P::Resync, S::Sta03) if !vcoll => OnPr::Enter(S::Sta15B),
        // STA04B and STA10B [R]: the transcription has no PR-RS row there, but STA10B takes
        // AI/AD (p38, ¬TEXP only) and this machine takes RS in STA04B, so under TEXP the
        // PR-RS announcing them must lead to STA15B as in STA04A and STA10A.
        (P::Resync, S::Sta04A | S::Sta04B | S::Sta10A | S::Sta10B | S::Sta19 | S::Sta20) => {
            OnPr::Enter(S::Sta15B)
        }
        // Our own RS is outstanding: a collision, decided when the peer's RS arrives.
        (P::Resync, S::Sta05A) => OnPr::Enter(S::Sta06),
        // AI and AD beat every RS (Table 9): the peer's RS is discarded as well.
        (P::Resync, S::Sta05B | S::Sta05C) => OnPr::Discard,
        // STA15A [R]: the transcription absorbs the PR-RS there; stored instead, as in
        // STA15C, or the RS after the MAA would arrive in STA713 unannounced (p35).
        (P::Resync, S::Sta02A | S::Sta18 | S::Sta15A | S::Sta15C | S::Sta06) => OnPr::Hold,
        (P::ResyncAck, S::Sta05A | S::Sta05B | S::Sta05C) => OnPr::Enter(S::Sta15C),
        (P::ResyncAck, S::Sta06) => OnPr::Hold,
        _ => OnPr::Invalid,
    }
}

impl<B: Storage> Session<B> {
    /// TEXP: the transport connection has an expedited flow.
    pub(super) fn texp(&self) -> bool {
        self.config.transport_expedited
    }

    /// Fails with [`Error::TransmitFull`] if a PR would not fit on the expedited flow; a
    /// request checks this before it queues anything, so a refused request changes nothing.
    pub(super) fn prepare_room(&self) -> Result<()> {
        if self.texp() && self.ex_tx.is_full() {
            return Err(Error::TransmitFull {
                needed: PR_LEN,
                available: 0,
            });
        }
        Ok(())
    }

    /// Queues PR(`ty`) for the transport expedited flow when TEXP is true; without TEXP no
    /// PR is ever sent (X.225 §6.4).
    pub(super) fn send_prepare(&mut self, ty: PrepareType) -> Result<()> {
        if !self.texp() {
            return Ok(());
        }
        self.ex_tx.push(&Prepare::new(ty).into())
    }

    /// A PR received on the expedited flow.
    pub(super) fn recv_pr(&mut self, pr: &Prepare<'_>) -> Result<(), Rule> {
        // PR exists only with TEXP (X.225 §6.4: without expedited transport it is never
        // sent).
        if !self.texp() {
            return Err(Rule::FunctionalUnit {
                spdu: Kind::Prepare,
            });
        }
        self.prepare(pr.prepare_type)
    }

    fn prepare(&mut self, ty: PrepareType) -> Result<(), Rule> {
        let p26 = !self.has(Requirements::ACTIVITY) || self.sync.vact;
        match on_pr(ty, self.state, p26, self.vcoll) {
            OnPr::Enter(next) => {
                self.prepared.from = self.state;
                self.state = next;
                Ok(())
            }
            OnPr::Hold => {
                let slot = if ty == PrepareType::Resync {
                    &mut self.prepared.rs
                } else {
                    &mut self.prepared.ra
                };
                // One PR of a type is outstanding at a time: the peer sends the next one
                // only after the SPDU this one announces.
                if core::mem::replace(slot, true) {
                    return Err(self.unexpected_pr());
                }
                Ok(())
            }
            OnPr::Discard => Ok(()),
            OnPr::Invalid => Err(self.unexpected_pr()),
        }
    }

    fn unexpected_pr(&self) -> Rule {
        Rule::Unexpected {
            spdu: Kind::Prepare,
            state: self.state,
        }
    }

    /// Action \[6\]: recalls the stored events in the state just entered, in the order the
    /// expedited flow brought them (an EX the peer sent after the SPDU awaited comes before
    /// any PR it sent later).
    pub(super) fn recall(&mut self) -> Result<(), Rule> {
        self.release_early_ex()?;
        if core::mem::take(&mut self.prepared.rs) {
            self.prepare(PrepareType::Resync)?;
        }
        if core::mem::take(&mut self.prepared.ra) {
            self.prepare(PrepareType::ResyncAck)?;
        }
        Ok(())
    }

    /// Forgets what \[10\] stored, for transitions into STA05B or STA05C, which discard both
    /// EX and PR-RS (Annex A recalls them there with \[6\] only to drop them).
    pub(super) fn drop_stored(&mut self) {
        self.prepared.rs = false;
        self.prepared.ra = false;
        if !self.early_ex.is_empty() {
            self.early_ex = super::expedited::EarlyEx::default();
            self.rx.unpin();
        }
    }

    /// A normal-flow SPDU in STA15A–D or STA06, or `None` for the other states (and for
    /// the blank cells of these, which the caller answers as unexpected).
    pub(super) fn in_prepared(&mut self, s: &Spdu<'_>) -> Option<Result<(), Rule>> {
        use Spdu as P;
        let k = s.kind();
        let r = match self.state {
            // STA15D: the AB is coming (handled before); everything else is discarded.
            State::Sta15D => Ok(()),
            // STA15A: the peer still sends until its MAA/AEA: DT (p05), TD, GT, PT and MIA
            // (p17 ∧ ¬p20 ∧ p21) are taken.
            State::Sta15A => match s {
                P::DataTransfer(dt) => self.recv_dt(dt.enclosure, dt.user_info),
                P::TypedData(td) => self.recv_td(td.enclosure, td.user_info),
                P::GiveTokens(gt) => self.recv_gt(gt),
                P::PleaseTokens(pt) => self.recv_pt(pt),
                P::MinorSyncAck(mia) => self.recv_mia(mia),
                P::MajorSyncAck(maa) => self.sta04a_maa(maa).and_then(|()| self.recall()),
                P::ActivityEndAck(aea) => self.sta04b_aea(aea).and_then(|()| self.recall()),
                _ => return None,
            },
            // STA15B: the receive flow is not discarded (¬p185) until the RS, AI or AD.
            State::Sta15B => match s {
                P::DataTransfer(dt) => self.recv_dt(dt.enclosure, dt.user_info),
                P::TypedData(td) => self.recv_td(td.enclosure, td.user_info),
                P::GiveTokens(gt) => self.recv_gt(gt),
                P::PleaseTokens(pt) => self.recv_pt(pt),
                P::MinorSyncPoint(mip) => self.sta713_mip(mip),
                // The RS to come abandons what these would start or confirm.
                P::MajorSyncAck(_)
                | P::ActivityEndAck(_)
                | P::MajorSyncPoint(_)
                | P::ActivityEnd(_)
                | P::MinorSyncAck(_) => Ok(()),
                P::ActivityStart(a) => self.sta713_as(a),
                P::ActivityResume(a) => self.sta713_ar(a),
                P::NotFinished(nf) => self.sta03_nf(nf),
                P::Resynchronize(rs) => self.recv_rs(rs),
                P::ActivityInterrupt(ai) => self.recv_ai_ad(k, ai.reason, ai.user_data),
                P::ActivityDiscard(ad) => self.recv_ai_ad(k, ad.reason, ad.user_data),
                _ => return None,
            },
            // STA15C: our RS, AI or AD discards the receive flow (p185) until the answer;
            // p41/p42/p49: the answer must be the one to what we sent.
            State::Sta15C => match (s, self.prepared.from) {
                // [R] the transcription's RA row lacks the [6] of the AIA/ADA rows; recalled
                // alike, or a stored EX or PR-RS would be lost.
                (P::ResynchronizeAck(ra), State::Sta05A) => {
                    self.sta05a_ra(ra).and_then(|()| self.recall())
                }
                (P::ActivityInterruptAck(a), State::Sta05B) => self
                    .sta05bc_ack(k, a.user_data)
                    .and_then(|()| self.recall()),
                (P::ActivityDiscardAck(a), State::Sta05C) => self
                    .sta05bc_ack(k, a.user_data)
                    .and_then(|()| self.recall()),
                _ if discarded(k) => Ok(()),
                _ => return None,
            },
            // STA06: our RS collides with the peer's; its RS decides (Table 9), an AI or AD
            // beats both (p37 ∧ p40).
            State::Sta06 => match s {
                P::Resynchronize(rs) => self.recv_rs(rs).and_then(|()| self.recall()),
                P::ActivityInterrupt(ai) => {
                    // The peer's AI/AD answers nothing we sent: nothing stored applies.
                    self.drop_stored();
                    self.recv_ai_ad(k, ai.reason, ai.user_data)
                }
                P::ActivityDiscard(ad) => {
                    self.drop_stored();
                    self.recv_ai_ad(k, ad.reason, ad.user_data)
                }
                _ if discarded(k) => Ok(()),
                _ => return None,
            },
            _ => return None,
        };
        Some(r)
    }
}

/// Octets of a PR TSDU: SI, LI and PI 24 (`07 03 18 01 nn`).
const PR_LEN: usize = 5;

/// SPDUs STA15C and STA06 discard while the receive flow is discarded (p185).
fn discarded(k: Kind) -> bool {
    use Kind::*;
    matches!(
        k,
        DataTransfer
            | TypedData
            | MajorSyncAck
            | ActivityEndAck
            | MajorSyncPoint
            | ActivityEnd
            | MinorSyncAck
            | MinorSyncPoint
            | ExceptionData
            | ExceptionReport
            | GiveTokens
            | PleaseTokens
            | Finish
    )
}
