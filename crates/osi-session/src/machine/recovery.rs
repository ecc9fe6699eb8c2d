//! Resynchronize and the activity interrupt and discard that supersede it, both ways: the
//! received RS, RA, AI, AD, AIA and ADA and the user's requests and responses (X.225
//! §7.24–7.25, §7.31–7.34, Table 9, Annex A Tables A.11 and A.13), with and without
//! transport expedited data (PR-RS ahead of RS, AI and AD; PR-RA ahead of RA, AIA and ADA).

use super::requests::{defined_reason, some};
use super::tokens::resolve;
use super::{Error, Event, MAX_SERIAL, Result, Resync, Role, Rule, Session, State, gt, pt};
use crate::{
    ActivityDiscard, ActivityDiscardAck, ActivityInterrupt, ActivityInterruptAck, Kind,
    PrepareType, Requirements, ResyncType, Resynchronize, ResynchronizeAck, SerialNumber, Spdu,
    TokenItem, TokenPosition, TokenSetting,
};
use osi_sansio::Storage;

const MA: u8 = TokenItem::MAJOR_ACTIVITY;

/// Precedence of a resynchronize type in a collision (X.225 Table 9): abandon > set >
/// restart (AI and AD beat all three and are handled by their own transitions).
fn precedence(k: ResyncType) -> u8 {
    match k {
        ResyncType::Abandon => 3,
        ResyncType::Set => 2,
        ResyncType::Restart => 1,
    }
}

impl<B: Storage> Session<B> {
    /// AI or AD (STA713, and STA05A where it beats our RS, STA10A/B where it replaces the
    /// MAP/AE we have not answered, STA19, STA20): p38 ∧ p40 = ACT ∧ Vact ∧ AA(ma);
    /// indication, \[16\], STA11B or STA11C. Under TEXP (p37 instead of p38) only after
    /// PR-RS, in STA15B or STA06.
    /// `k` is AI or AD.
    pub(super) fn recv_ai_ad(
        &mut self,
        k: Kind,
        reason: Option<u8>,
        user_data: Option<&[u8]>,
    ) -> Result<(), Rule> {
        self.need(k, Requirements::ACTIVITY)?;
        if self.texp() && !matches!(self.state, State::Sta15B | State::Sta06) {
            return Err(Rule::Unprepared { spdu: k });
        }
        if !self.sync.vact {
            return Err(Rule::Activity {
                spdu: k,
                in_progress: false,
            });
        }
        Self::need_tokens(k, self.tokens.aa(MA), MA)?;
        let reason = reason.unwrap_or(0);
        let d = self.data(user_data)?;
        self.resync = None;
        if k == Kind::ActivityInterrupt {
            self.event(Event::ActivityInterrupt {
                reason,
                user_data: d,
            });
            self.state = State::Sta11B;
        } else {
            self.event(Event::ActivityDiscard {
                reason,
                user_data: d,
            });
            self.state = State::Sta11C;
        }
        Ok(())
    }

    /// STA05B AIA / STA05C ADA (p38; under TEXP STA15C, p37 ∧ p42 / p41): confirm, \[29\]
    /// every token ours, the activity over, STA713.
    /// `k` is AIA or ADA.
    pub(super) fn sta05bc_ack(&mut self, k: Kind, user_data: Option<&[u8]>) -> Result<(), Rule> {
        self.need_prepared(k, State::Sta15C)?;
        let d = self.data(user_data)?;
        self.tokens.take_all();
        self.sync.activity_cleared();
        self.event(if k == Kind::ActivityInterruptAck {
            Event::ActivityInterruptConfirm(d)
        } else {
            Event::ActivityDiscardConfirm(d)
        });
        self.state = State::Sta713;
        Ok(())
    }

    /// RS (STA713, STA04A/B, STA19, STA20, or STA15B under TEXP; STA05A, or STA06 under
    /// TEXP, is a collision): p26 ∧ p35 = RESYN ∧ [¬ACT ∨ Vact], p32 for restart
    /// (sn ≥ V(R)); S-RESYNCHRONIZE indication, \[16\], STA11A. In a collision (Table 9)
    /// the losing side's RS is discarded and only the loser gives the indication.
    pub(super) fn recv_rs(&mut self, p: &Resynchronize<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::Resynchronize;
        self.need(K, Requirements::RESYNC)?;
        // p35 = RESYN ∧ ¬TEXP: under TEXP the RS follows a PR-RS, in STA15B or STA06.
        if self.texp() && !matches!(self.state, State::Sta15B | State::Sta06) {
            return Err(Rule::Unprepared { spdu: K });
        }
        self.need_inside(K)?;
        // Optional in the SPDU (X.225 §8.3, RESYNCHRONIZE SPDU), needed by this machine,
        // which does not offer symmetric synchronize.
        let missing = |code| {
            Rule::Invalid(crate::Error::MissingParameter {
                spdu: Kind::Resynchronize,
                code,
            })
        };
        let kind = p
            .resync_type
            .ok_or(missing(crate::code::Code::RESYNC_TYPE))?;
        let sn = p.serial.ok_or(missing(crate::code::Code::SERIAL))?.value();
        let ok = match kind {
            ResyncType::Restart => sn >= self.sync.vr && sn <= self.sync.vm,
            _ => sn <= MAX_SERIAL,
        };
        if !ok {
            return Err(Rule::ResyncSerial {
                spdu: K,
                received: sn,
            });
        }
        let tokens = p.token_setting.unwrap_or_default();
        if let Some(ours) = self
            .resync
            .filter(|_| matches!(self.state, State::Sta05A | State::Sta06))
        {
            let (a, b) = (precedence(ours.kind), precedence(kind));
            let we_win = a > b
                || (a == b
                    && kind == ResyncType::Restart
                    && (ours.serial < sn || (ours.serial == sn && self.role == Role::Initiator)))
                || (a == b && kind != ResyncType::Restart && self.role == Role::Initiator);
            if we_win {
                // STA06 (¬p24): back to STA05A to wait for the RA.
                self.state = State::Sta05A;
                return Ok(());
            }
        }
        let d = self.data(p.user_data)?;
        if kind == ResyncType::Abandon {
            // Table A.4, RS-a received: V(M) := max(sn, V(M)).
            self.sync.vm = self.sync.vm.max(sn);
        }
        self.resync = Some(Resync {
            kind,
            serial: sn,
            tokens,
        });
        self.event(Event::Resynchronize {
            kind,
            serial: sn,
            tokens,
            user_data: d,
        });
        self.state = State::Sta11A;
        Ok(())
    }

    /// STA05A, RA: p35 ∧ p49 (abandon: sn ≥ V(M); restart and set: the RS's sn);
    /// S-RESYNCHRONIZE confirm, \[28\]\[11\], STA713. Under TEXP only in STA15C (p36).
    pub(super) fn sta05a_ra(&mut self, ra: &ResynchronizeAck<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::ResynchronizeAck;
        self.need_prepared(K, State::Sta15C)?;
        let Some(ours) = self.resync else {
            return Err(Rule::Unexpected {
                spdu: K,
                state: self.state,
            });
        };
        let sn = ra.serial.map_or(u64::MAX, SerialNumber::value);
        let ok = match ours.kind {
            ResyncType::Abandon => sn >= self.sync.vm && sn <= MAX_SERIAL,
            _ => sn == ours.serial,
        };
        if !ok {
            return Err(Rule::ResyncSerial {
                spdu: K,
                received: sn,
            });
        }
        let setting = ra.token_setting.unwrap_or(ours.tokens);
        let mut placed = self.tokens;
        if !placed.place(setting, TokenPosition::Initiator) {
            return Err(Rule::Negotiation("RA leaves a token without a side"));
        }
        let d = self.data(ra.user_data)?;
        self.tokens = placed;
        self.sync
            .resynchronized(sn, ours.kind == ResyncType::Restart);
        self.resync = None;
        self.event(Event::ResynchronizeConfirm {
            serial: sn,
            tokens: TokenSetting(setting.0),
            user_data: d,
        });
        self.state = State::Sta713;
        Ok(())
    }
}

/// The requests and responses.
impl<B: Storage> Session<B> {
    /// S-RESYNCHRONIZE request: GT + RS (under TEXP preceded by PR-RS), STA05A (STA06
    /// from STA15B, where the peer's PR-RS has announced its own RS). Abandon uses V(M) and ignores `serial`;
    /// restart needs V(R) ≤ serial ≤ V(M) (p33); set any serial up to 999 999.
    /// `tokens` says where each token goes (`Initiator` = this side, the requestor;
    /// `UsersChoice` = the acceptor chooses). p25/p29 = RESYN ∧ [¬ACT ∨ Vact].
    ///
    /// # Errors
    ///
    /// Unit, state, activity, serial out of range, a reserved token position, encoding.
    pub fn resynchronize(
        &mut self,
        kind: ResyncType,
        serial: u64,
        tokens: TokenSetting,
        data: &[u8],
    ) -> Result<()> {
        const R: &str = "S-RESYNCHRONIZE request";
        self.unit(R, Requirements::RESYNC)?;
        self.in_states(
            R,
            &[
                State::Sta713,
                State::Sta10A,
                State::Sta10B,
                State::Sta19,
                State::Sta20,
                State::Sta15B,
            ],
        )?;
        self.inside(R)?;
        self.prepare_room()?;
        let sn = match kind {
            ResyncType::Abandon => self.sync.vm,
            ResyncType::Restart if !(self.sync.vr <= serial && serial <= self.sync.vm) => {
                return Err(Error::Serial { request: R, serial });
            }
            ResyncType::Set if serial > MAX_SERIAL => {
                return Err(Error::Serial { request: R, serial });
            }
            _ => serial,
        };
        if !reserved_free(self.tokens.available(), tokens) {
            return Err(Error::Parameter {
                request: R,
                why: "token position 11 is reserved",
            });
        }
        let rs = Resynchronize {
            token_setting: Some(tokens),
            resync_type: Some(kind),
            serial: Some(SerialNumber::new(sn)),
            user_data: some(data),
            ..Resynchronize::default()
        };
        self.emit_pair(gt(), rs.into())?;
        self.send_prepare(PrepareType::Resync)?;
        self.resync = Some(Resync {
            kind,
            serial: sn,
            tokens,
        });
        // From STA15B the peer's RS is already announced: a collision, decided in STA06
        // when it arrives (Annex A, STA15B SRSYNreq rows).
        self.state = if self.state == State::Sta15B {
            State::Sta06
        } else {
            State::Sta05A
        };
        Ok(())
    }

    /// S-RESYNCHRONIZE response: PT + RA (under TEXP preceded by PR-RA), \[28\]\[11\],
    /// STA11A → STA713. `tokens` fills the
    /// positions the RS left to this side's choice. The serial number is the one X.225
    /// fixes: max(RS serial, V(M)) for abandon, the RS serial for restart and set.
    ///
    /// # Errors
    ///
    /// Wrong state, a token left without a side, encoding.
    pub fn resynchronize_response(&mut self, tokens: TokenSetting, data: &[u8]) -> Result<()> {
        const R: &str = "S-RESYNCHRONIZE response";
        self.in_states(R, &[State::Sta11A])?;
        self.prepare_room()?;
        let Some(rs) = self.resync else {
            return Err(Error::State {
                request: R,
                state: self.state,
            });
        };
        let setting = resolve(rs.tokens, tokens);
        let mut placed = self.tokens;
        // This side is the acceptor: "Responder" positions are ours.
        if !placed.place(setting, TokenPosition::Responder) {
            return Err(Error::Parameter {
                request: R,
                why: "every token needs a side in the RA",
            });
        }
        let sn = match rs.kind {
            ResyncType::Abandon => self.sync.vm,
            _ => rs.serial,
        };
        let ra = ResynchronizeAck {
            token_setting: Some(setting),
            serial: Some(SerialNumber::new(sn)),
            user_data: some(data),
            ..ResynchronizeAck::default()
        };
        self.emit_pair(pt(), ra.into())?;
        self.send_prepare(PrepareType::ResyncAck)?;
        self.tokens = placed;
        self.sync.resynchronized(sn, rs.kind == ResyncType::Restart);
        self.resync = None;
        self.state = State::Sta713;
        Ok(())
    }

    /// The reason check and predicate of S-ACTIVITY-INTERRUPT and -DISCARD requests:
    /// p34 ∧ p39 = ACT ∧ Vact ∧ II(ma), in STA713, STA04A, STA04B, STA11A, STA20, and
    /// under TEXP STA15A and STA15B (p27: no resynchronization of ours in progress there).
    fn p34(&self, r: &'static str, reason: u8) -> Result<()> {
        self.unit(r, Requirements::ACTIVITY)?;
        self.in_states(
            r,
            &[
                State::Sta713,
                State::Sta04A,
                State::Sta04B,
                State::Sta11A,
                State::Sta20,
                State::Sta15A,
                State::Sta15B,
            ],
        )?;
        self.inside(r)?;
        self.tokens_ok(r, self.tokens.ii(MA), MA)?;
        self.prepare_room()?;
        if !defined_reason(reason) {
            return Err(Error::Parameter {
                request: r,
                why: "reason code reserved by X.225",
            });
        }
        Ok(())
    }

    /// After GT + AI or AD is queued: PR-RS under TEXP (room checked in `p34`), \[16\],
    /// STA05B or STA05C. From STA15A, \[6\] recalls what STA15A stored into a state that
    /// discards it.
    fn interrupted(&mut self, next: State) -> Result<()> {
        self.send_prepare(PrepareType::Resync)?;
        if self.state == State::Sta15A {
            self.drop_stored();
        }
        self.resync = None;
        self.state = next;
        Ok(())
    }

    /// S-ACTIVITY-INTERRUPT request: GT + AI (under TEXP preceded by PR-RS), → STA05B
    /// (everything but AIA and AB is then discarded).
    ///
    /// # Errors
    ///
    /// See `p34`; user data under version 1; encoding.
    pub fn activity_interrupt(&mut self, reason: u8, data: &[u8]) -> Result<()> {
        self.p34("S-ACTIVITY-INTERRUPT request", reason)?;
        let ai = ActivityInterrupt {
            reason: Some(reason),
            user_data: some(data),
            ..ActivityInterrupt::default()
        };
        self.emit_pair(gt(), ai.into())?;
        self.interrupted(State::Sta05B)
    }

    /// S-ACTIVITY-DISCARD request: GT + AD (under TEXP preceded by PR-RS), → STA05C.
    ///
    /// # Errors
    ///
    /// As for [`Session::activity_interrupt`].
    pub fn activity_discard(&mut self, reason: u8, data: &[u8]) -> Result<()> {
        self.p34("S-ACTIVITY-DISCARD request", reason)?;
        let ad = ActivityDiscard {
            reason: Some(reason),
            user_data: some(data),
            ..ActivityDiscard::default()
        };
        self.emit_pair(gt(), ad.into())?;
        self.interrupted(State::Sta05C)
    }

    /// S-ACTIVITY-INTERRUPT response: PT + AIA (under TEXP preceded by PR-RA), \[30\] (the
    /// peer now holds every token,
    /// the activity is over), STA11B → STA713.
    ///
    /// # Errors
    ///
    /// Wrong state, encoding.
    pub fn activity_interrupt_response(&mut self, data: &[u8]) -> Result<()> {
        self.activity_ack(
            "S-ACTIVITY-INTERRUPT response",
            State::Sta11B,
            ActivityInterruptAck {
                user_data: some(data),
                ..ActivityInterruptAck::default()
            }
            .into(),
        )
    }

    /// S-ACTIVITY-DISCARD response: PT + ADA, \[30\], STA11C → STA713.
    ///
    /// # Errors
    ///
    /// Wrong state, encoding.
    pub fn activity_discard_response(&mut self, data: &[u8]) -> Result<()> {
        self.activity_ack(
            "S-ACTIVITY-DISCARD response",
            State::Sta11C,
            ActivityDiscardAck {
                user_data: some(data),
                ..ActivityDiscardAck::default()
            }
            .into(),
        )
    }

    fn activity_ack(&mut self, r: &'static str, st: State, ack: Spdu<'_>) -> Result<()> {
        self.in_states(r, &[st])?;
        self.prepare_room()?;
        self.emit_pair(pt(), ack)?;
        // PR-RA announces AIA and ADA too (Annex A, STA11B/STA11C response rows).
        self.send_prepare(PrepareType::ResyncAck)?;
        self.tokens.give_all();
        self.sync.activity_cleared();
        self.state = State::Sta713;
        Ok(())
    }
}

/// No available token is set to the reserved position `11`.
fn reserved_free(available: u8, s: TokenSetting) -> bool {
    let positions = [s.data(), s.minor_sync(), s.major_activity(), s.release()];
    super::tokens::ALL
        .iter()
        .zip(positions)
        .all(|(t, p)| available & t == 0 || p != TokenPosition::Reserved)
}
