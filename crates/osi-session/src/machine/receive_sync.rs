//! Received synchronization and activity SPDUs: MIP, MIA, MAP, MAA, AS, AR, AE and AEA
//! (X.225 Annex A). `receive.rs` dispatches them here; each function
//! applies the table's actions or returns the [`Rule`] broken.

use super::{Event, MAX_SERIAL, Rule, Session, State};
use crate::{
    ActivityEnd, ActivityEndAck, ActivityResume, ActivityStart, Kind, MajorSyncAck, MajorSyncPoint,
    MinorSyncAck, MinorSyncPoint, Requirements, SerialNumber, SyncType, TokenItem,
};
use osi_sansio::Storage;

const DK: u8 = TokenItem::DATA;
const MI: u8 = TokenItem::MINOR_SYNC;
const MA: u8 = TokenItem::MAJOR_ACTIVITY;

impl<B: Storage> Session<B> {
    /// p19: the serial number of a MIP, MAP or AE is V(M), exactly.
    pub(super) fn need_next(&self, spdu: Kind, serial: SerialNumber) -> Result<u64, Rule> {
        let received = serial.value();
        if received > MAX_SERIAL - 1 {
            return Err(Rule::SerialOutOfRange { spdu, received });
        }
        if received != self.sync.vm {
            return Err(Rule::SerialNotNext {
                spdu,
                expected: self.sync.vm,
                received,
            });
        }
        Ok(received)
    }

    /// STA713, MIP (Table A.10): p14 ∧ p19 = SY ∧ [¬ACT ∨ Vact] ∧ A(dk) ∧ AA(mi) ∧
    /// sn = V(M); S-SYNC-MINOR indication, \[23\].
    pub(super) fn sta713_mip(&mut self, mip: &MinorSyncPoint<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::MinorSyncPoint;
        self.need(K, Requirements::MINOR_SYNC)?;
        let ty = mip.sync_type.unwrap_or_default();
        // p82: a data-separation MIP needs FU(DS), which is never selected.
        if ty.contains(SyncType::DATA_SEPARATION) {
            return Err(Rule::FunctionalUnit { spdu: K });
        }
        self.need_inside(K)?;
        let t = self.tokens;
        Self::need_tokens(K, t.a(DK) && t.aa(MI), DK | MI)?;
        let serial = self.need_next(K, mip.serial)?;
        let d = self.data(mip.user_data)?;
        self.sync.mip_received();
        self.event(Event::MinorSync {
            serial,
            confirm: !ty.contains(SyncType::NO_CONFIRM_OR_NOT_END),
            user_data: d,
        });
        Ok(())
    }

    /// MIA (STA713; STA04A/STA04B with p17 ∧ ¬p20 ∧ p21): p17 = SY ∧ [¬ACT ∨ Vact] ∧ ¬Vsc,
    /// p21 = V(A) ≤ sn < V(M); S-SYNC-MINOR confirm, \[25\].
    pub(super) fn recv_mia(&mut self, mia: &MinorSyncAck<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::MinorSyncAck;
        self.need(K, Requirements::MINOR_SYNC)?;
        self.need_inside(K)?;
        if self.sync.vsc {
            return Err(Rule::MinorAckDirection);
        }
        let sn = mia.serial.value();
        let pending = matches!(self.state, State::Sta04A | State::Sta04B | State::Sta15A);
        if !self.sync.minor_ack_ok(sn, pending) {
            return Err(Rule::SerialNotOutstanding {
                spdu: K,
                received: sn,
                va: self.sync.va,
                vm: self.sync.vm,
            });
        }
        let d = self.data(mia.user_data)?;
        self.sync.minor_acked(sn);
        self.event(Event::MinorSyncConfirm {
            serial: sn,
            user_data: d,
        });
        Ok(())
    }

    /// STA713, MAP: p12 ∧ p19 = MA ∧ [¬ACT ∨ Vact] ∧ A(dk) ∧ A(mi) ∧ AA(ma) ∧ sn = V(M);
    /// S-SYNC-MAJOR indication, \[13\]\[31\], STA10A.
    pub(super) fn sta713_map(&mut self, map: &MajorSyncPoint<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::MajorSyncPoint;
        self.need(K, Requirements::MAJOR_SYNC)?;
        self.need_inside(K)?;
        let t = self.tokens;
        Self::need_tokens(K, t.a(DK) && t.a(MI) && t.aa(MA), DK | MI | MA)?;
        let serial = self.need_next(K, map.serial)?;
        let d = self.data(map.user_data)?;
        self.sync.vnextact = self.sync.vact;
        self.sync.major_received();
        self.event(Event::MajorSync {
            serial,
            user_data: d,
        });
        self.state = State::Sta10A;
        Ok(())
    }

    /// p20: a MAA or AEA carries V(M) − 1.
    pub(super) fn need_major_ack(
        &self,
        spdu: Kind,
        serial: Option<SerialNumber>,
    ) -> Result<u64, Rule> {
        let sn = serial.map_or(u64::MAX, SerialNumber::value);
        if sn.checked_add(1) != Some(self.sync.vm) {
            return Err(Rule::SerialNotOutstanding {
                spdu,
                received: sn,
                va: self.sync.va,
                vm: self.sync.vm,
            });
        }
        Ok(sn)
    }

    /// p16 = ¬TEXP for MAA and AEA in STA04A/STA04B; under TEXP they come through STA15A.
    pub(super) fn need_prepared(&self, spdu: Kind, prepared: State) -> Result<(), Rule> {
        if self.texp() && self.state != prepared {
            return Err(Rule::Unprepared { spdu });
        }
        Ok(())
    }

    /// STA04A, MAA: p16 ∧ p20 (STA15A: p20); S-SYNC-MAJOR confirm, \[14\]\[22\], STA713.
    pub(super) fn sta04a_maa(&mut self, maa: &MajorSyncAck<'_>) -> Result<(), Rule> {
        self.need_prepared(Kind::MajorSyncAck, State::Sta15A)?;
        let serial = self.need_major_ack(Kind::MajorSyncAck, maa.serial)?;
        let d = self.data(maa.user_data)?;
        self.sync.major_acked(self.has(Requirements::ACTIVITY));
        self.event(Event::MajorSyncConfirm {
            serial,
            user_data: d,
        });
        self.state = State::Sta713;
        Ok(())
    }

    /// p44 = ACT ∧ ¬Vact ∧ A(dk) ∧ A(mi) ∧ A(ma), for AS and AR.
    pub(super) fn p44(&self, spdu: Kind) -> Result<(), Rule> {
        self.need(spdu, Requirements::ACTIVITY)?;
        self.need_outside(spdu)?;
        let t = self.tokens;
        Self::need_tokens(spdu, t.a(DK) && t.a(MI) && t.a(MA), DK | MI | MA)
    }

    /// STA713 (and STA15B), AS: p44; S-ACTIVITY-START indication, \[26\] V(A) = V(M) =
    /// V(R) = 1, \[6\] (a PR-RS that overtook the AS).
    pub(super) fn sta713_as(&mut self, a: &ActivityStart<'_>) -> Result<(), Rule> {
        self.p44(Kind::ActivityStart)?;
        let id = self.store(a.activity_id)?;
        let d = self.data(a.user_data)?;
        self.sync.activity_started();
        self.event(Event::ActivityStart { id, user_data: d });
        self.recall()
    }

    /// STA713 (and STA15B), AR: p44; S-ACTIVITY-RESUME indication, \[27\] V(A) = V(M) =
    /// n + 1, V(R) = 1, \[6\].
    pub(super) fn sta713_ar(&mut self, a: &ActivityResume<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::ActivityResume;
        self.p44(K)?;
        let n = a.linking.serial.value();
        if n >= MAX_SERIAL - 1 {
            return Err(Rule::SerialOutOfRange {
                spdu: K,
                received: n,
            });
        }
        let id = self.store(a.activity_id)?;
        let old_id = self.store(a.linking.old_activity_id)?;
        let d = self.data(a.user_data)?;
        self.sync.activity_resumed(n);
        self.event(Event::ActivityResume {
            id,
            old_id,
            serial: n,
            user_data: d,
        });
        self.recall()
    }

    /// STA713, AE: p72 ∧ p19 = ACT ∧ Vact ∧ A(dk) ∧ A(mi) ∧ AA(ma) ∧ sn = V(M);
    /// S-ACTIVITY-END indication, \[13\]\[31\], STA10B.
    pub(super) fn sta713_ae(&mut self, ae: &ActivityEnd<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::ActivityEnd;
        self.need(K, Requirements::ACTIVITY)?;
        if !self.sync.vact {
            return Err(Rule::Activity {
                spdu: K,
                in_progress: false,
            });
        }
        let t = self.tokens;
        Self::need_tokens(K, t.a(DK) && t.a(MI) && t.aa(MA), DK | MI | MA)?;
        let serial = self.need_next(K, ae.serial)?;
        let d = self.data(ae.user_data)?;
        self.sync.vnextact = false;
        self.sync.major_received();
        self.event(Event::ActivityEnd {
            serial,
            user_data: d,
        });
        self.state = State::Sta10B;
        Ok(())
    }

    /// STA04B, AEA: p16 ∧ p20 (STA15A: p20 ∧ p23); S-ACTIVITY-END confirm, \[14\]\[22\]
    /// (Vact := false), STA713.
    pub(super) fn sta04b_aea(&mut self, aea: &ActivityEndAck<'_>) -> Result<(), Rule> {
        self.need_prepared(Kind::ActivityEndAck, State::Sta15A)?;
        let serial = self.need_major_ack(Kind::ActivityEndAck, aea.serial)?;
        let d = self.data(aea.user_data)?;
        self.sync.major_acked(true);
        self.event(Event::ActivityEndConfirm {
            serial,
            user_data: d,
        });
        self.state = State::Sta713;
        Ok(())
    }
}
