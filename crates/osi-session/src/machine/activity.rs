//! Activity management requests and responses: S-ACTIVITY-START, -RESUME and -END, with
//! the X.225 Annex A predicates and actions each names. Interrupt and discard, which
//! supersede a resynchronization, are in `recovery.rs`.

use super::requests::{MAX_POINT, some};
use super::{Error, Result, Session, State, gt, pt};
use crate::{
    ActivityEnd, ActivityEndAck, ActivityResume, ActivityStart, ConnectionId, Linking, PrepareType,
    Requirements, SerialNumber, TokenItem,
};
use osi_sansio::Storage;

const DK: u8 = TokenItem::DATA;
const MI: u8 = TokenItem::MINOR_SYNC;
const MA: u8 = TokenItem::MAJOR_ACTIVITY;

/// S-ACTIVITY-RESUME request parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumeRequest<'a> {
    /// The new activity identifier (1 to 6 octets).
    pub id: &'a [u8],
    /// The interrupted activity's identifier.
    pub old_id: &'a [u8],
    /// The serial number to resume after: the next point carries `serial + 1`
    /// (X.225 §7.30.1).
    pub serial: u64,
    /// The session connection the activity was interrupted on, if another one (its
    /// references go in the Linking Information).
    pub old_connection: Option<ConnectionId<'a>>,
}

impl<B: Storage> Session<B> {
    /// S-ACTIVITY-START request: GT + AS, \[26\]: V(A) = V(M) = V(R) = 1.
    /// p45 = ACT ∧ ¬Vact ∧ I(dk) ∧ I(mi) ∧ I(ma).
    ///
    /// # Errors
    ///
    /// Unit, state, activity in progress, tokens, identifier length, encoding.
    pub fn activity_start(&mut self, id: &[u8], data: &[u8]) -> Result<()> {
        const R: &str = "S-ACTIVITY-START request";
        self.p45(R)?;
        let as_ = ActivityStart {
            user_data: some(data),
            ..ActivityStart::new(id)
        };
        self.emit_pair(gt(), as_.into())?;
        self.sync.activity_started();
        Ok(())
    }

    fn p45(&self, r: &'static str) -> Result<()> {
        self.unit(r, Requirements::ACTIVITY)?;
        self.in_states(r, &[State::Sta713])?;
        self.outside(r)?;
        let t = self.tokens;
        self.tokens_ok(r, t.i(DK) && t.i(MI) && t.i(MA), DK | MI | MA)
    }

    /// S-ACTIVITY-RESUME request: GT + AR, \[27\]: V(A) = V(M) = serial + 1, V(R) = 1.
    /// p45, as for activity start.
    ///
    /// # Errors
    ///
    /// Unit, state, activity in progress, tokens, serial above 999 997, encoding.
    pub fn activity_resume(&mut self, req: &ResumeRequest<'_>, data: &[u8]) -> Result<()> {
        const R: &str = "S-ACTIVITY-RESUME request";
        self.p45(R)?;
        if req.serial >= MAX_POINT {
            return Err(Error::Serial {
                request: R,
                serial: req.serial,
            });
        }
        let refs = req.old_connection.unwrap_or_default();
        let linking = Linking {
            called_ref: refs.called_ref,
            calling_ref: refs.calling_ref,
            common_ref: refs.common_ref,
            additional_ref: refs.additional_ref,
            old_activity_id: req.old_id,
            serial: SerialNumber::new(req.serial),
            second_serial: None,
            unknown: crate::Unknown::NONE,
        };
        let ar = ActivityResume {
            user_data: some(data),
            ..ActivityResume::new(linking, req.id)
        };
        self.emit_pair(gt(), ar.into())?;
        self.sync.activity_resumed(req.serial);
        Ok(())
    }

    /// S-ACTIVITY-END request: GT + AE with V(M), \[13\]\[24\], STA713 → STA04B. Returns the
    /// serial number used. p71 = ACT ∧ Vact ∧ I(dk) ∧ I(mi) ∧ II(ma).
    ///
    /// # Errors
    ///
    /// Unit, state, no activity, tokens, serial exhausted, encoding.
    pub fn activity_end(&mut self, data: &[u8]) -> Result<u64> {
        const R: &str = "S-ACTIVITY-END request";
        self.unit(R, Requirements::ACTIVITY)?;
        self.in_states(R, &[State::Sta713])?;
        self.inside(R)?;
        let t = self.tokens;
        self.tokens_ok(R, t.i(DK) && t.i(MI) && t.ii(MA), DK | MI | MA)?;
        let sn = self.next_point(R)?;
        let ae = ActivityEnd {
            user_data: some(data),
            ..ActivityEnd::new(sn)
        };
        self.emit_pair(gt(), ae.into())?;
        self.sync.vnextact = false;
        self.sync.point_sent();
        self.state = State::Sta04B;
        Ok(sn.value())
    }

    /// S-ACTIVITY-END response: PT + AEA with V(M) − 1, \[14\]\[22\], STA10B → STA713;
    /// under TEXP preceded by PR-MAA.
    ///
    /// # Errors
    ///
    /// Wrong state, encoding.
    pub fn activity_end_response(&mut self, data: &[u8]) -> Result<()> {
        self.in_states("S-ACTIVITY-END response", &[State::Sta10B])?;
        self.prepare_room()?;
        let aea = ActivityEndAck {
            user_data: some(data),
            ..ActivityEndAck::new(SerialNumber::new(self.sync.vm.saturating_sub(1)))
        };
        self.emit_pair(pt(), aea.into())?;
        // PR-MAA announces AEA as well (X.225 Annex A, STA10B SACTErsp row).
        self.send_prepare(PrepareType::MajorSyncAck)?;
        self.sync.major_acked(true);
        self.state = State::Sta713;
        Ok(())
    }
}
