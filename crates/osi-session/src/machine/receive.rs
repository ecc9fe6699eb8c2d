//! Received TSDUs: decoding with the state's context, the X.225 §6.3.7.1 processing
//! order, and one transition function per state and SPDU (X.225 Annex A, Tables A.8–A.16).
//! Every function either applies the table's actions or returns the [`Rule`] broken. RS,
//! RA, AI, AD, AIA and ADA are in `recovery.rs`, the PREPARE states in `prepare.rs`.

use osi_sansio::Instant;

use super::tokens::Tokens;
use super::{AbortCause, Event, MAX_SERIAL, Result, Role, Rule, Session, State};
use crate::{Enclosure, Kind, Requirements, Spdu, SyncType, TokenItem, TransportDisconnect, Tsdu};

const DK: u8 = TokenItem::DATA;
const MI: u8 = TokenItem::MINOR_SYNC;
const MA: u8 = TokenItem::MAJOR_ACTIVITY;

/// Events one TSDU can queue at most (see [`super::MAX_EVENTS`]).
pub(super) const EVENTS_PER_TSDU: usize = 6;

impl<B: AsRef<[u8]> + AsMut<[u8]>> Session<B> {
    /// Takes one received TSDU (the user data of one T-DATA indication).
    ///
    /// Protocol errors are not errors of this call: they are answered as X.225 A.4.1.2 (a)
    /// says, with AB and [`Event::ProviderAbort`] naming the [`Rule`].
    ///
    /// # Errors
    ///
    /// [`Error::EventsPending`](super::Error::EventsPending) if undrained events leave too
    /// little room in the receive buffer or event queue,
    /// [`Error::TransmitFull`](super::Error::TransmitFull) if fewer than
    /// [`TX_RESERVE`](super::TX_RESERVE) transmit octets are free. The TSDU is not consumed then: drain the pollers and retry.
    pub fn handle_tsdu(&mut self, now: Instant, tsdu: &[u8]) -> Result<()> {
        self.admit(tsdu.len())?;
        let ctx = self.context();
        match self.state {
            // No connection: nothing can be answered (a local matter).
            State::Sta01 => return Ok(()),
            // STA16: only AA matters; everything else is discarded (X.225 §7.9).
            State::Sta16 => {
                if let Ok(t) = Tsdu::decode(tsdu, ctx)
                    && t.iter().next().is_some_and(|s| s.kind == Kind::AbortAccept)
                {
                    self.disconnect();
                }
                return Ok(());
            }
            // STA15D: a PR-AB announced the AB; only it matters, everything else (even an
            // undecodable TSDU) is discarded.
            State::Sta15D => {
                if let Ok(t) = Tsdu::decode(tsdu, ctx)
                    && let Some(ab) = t.iter().next().filter(|s| s.kind == Kind::Abort)
                    && let Err(rule) = self.any_ab(now, ab)
                {
                    self.protocol_error(now, rule);
                }
                return Ok(());
            }
            _ => {}
        }
        let t = match Tsdu::decode(tsdu, ctx) {
            Ok(t) => t,
            Err(e) => {
                self.protocol_error(now, Rule::Invalid(e));
                return Ok(());
            }
        };
        for s in t.processing_order() {
            if let Err(rule) = self.on_spdu(now, s) {
                self.protocol_error(now, rule);
                break;
            }
            if matches!(self.state, State::Sta01 | State::Sta01C | State::Sta16) {
                break;
            }
        }
        Ok(())
    }

    /// One received SPDU in the current state.
    fn on_spdu(&mut self, now: Instant, s: &Spdu<'_>) -> Result<(), Rule> {
        use Kind::*;
        use State as S;
        let (st, k) = (self.state, s.kind);
        // AB is valid in every state with a connection (Table A.16).
        if k == Abort {
            return self.any_ab(now, s);
        }
        // EX and PR belong on the transport expedited flow (handle_expedited_tsdu), never
        // here.
        if matches!(k, Expedited | Prepare) {
            return Err(Rule::WrongFlow {
                spdu: k,
                expedited: false,
            });
        }
        // States that discard what they do not wait for (X.225 §7.24, §7.31, §7.33).
        match st {
            S::Sta05A
                if !matches!(
                    k,
                    Resynchronize | ResynchronizeAck | ActivityInterrupt | ActivityDiscard
                ) =>
            {
                return Ok(());
            }
            S::Sta05B if k != ActivityInterruptAck => return Ok(()),
            S::Sta05C if k != ActivityDiscardAck => return Ok(()),
            S::Sta19 => match k {
                // "MIP, MAP and AE still update V(M) but are otherwise discarded."
                MinorSyncPoint | MajorSyncPoint | ActivityEnd => {
                    self.sync.vm += 1;
                    return Ok(());
                }
                GiveTokens if s.params.token_item.is_some_and(|t| t.contains(DK)) => {}
                Resynchronize | ActivityInterrupt | ActivityDiscard => {}
                _ => return Ok(()),
            },
            _ => {}
        }
        // A GT or PT without a Token Item in front of a category 2 SPDU, or alone, does
        // nothing (X.225 §7.16).
        if matches!(k, GiveTokens | PleaseTokens)
            && s.params.token_item.is_none()
            && self.version.is_some()
        {
            return Ok(());
        }
        // The PREPARE states (STA15A–D, STA06) have rows of their own.
        if let Some(r) = self.in_prepared(s) {
            return r;
        }
        match (st, k) {
            (S::Sta01C, Connect) => self.sta01c_cn(now, s),
            (S::Sta01D, ConnectDataOverflow) => self.sta01d_cdo(s),
            (S::Sta02B, OverflowAccept) => self.sta02b_oa(s),
            (S::Sta02A, Accept) => self.sta02a_ac(s),
            (S::Sta02A | S::Sta02B, Refuse) => self.sta02a_rf(s),
            (S::Sta713 | S::Sta03 | S::Sta04A | S::Sta04B, DataTransfer) => self.recv_dt(s),
            (
                S::Sta713
                | S::Sta03
                | S::Sta04A
                | S::Sta04B
                | S::Sta09
                | S::Sta10A
                | S::Sta10B
                | S::Sta11A
                | S::Sta11B
                | S::Sta11C
                | S::Sta18
                | S::Sta20
                | S::Sta21
                | S::Sta22,
                TypedData,
            ) => self.recv_td(s),
            (S::Sta713 | S::Sta19, GiveTokens) => self.recv_gt(s),
            (
                S::Sta713 | S::Sta04A | S::Sta04B | S::Sta10A | S::Sta10B | S::Sta19 | S::Sta20,
                PleaseTokens,
            ) => self.recv_pt(s),
            (S::Sta713, GiveTokensConfirm) => self.sta713_gtc(s),
            (S::Sta18, GiveTokensAck) => self.sta18_gta(),
            (S::Sta713, MinorSyncPoint) => self.sta713_mip(s),
            (S::Sta713 | S::Sta04A | S::Sta04B, MinorSyncAck) => self.recv_mia(s),
            (S::Sta713, MajorSyncPoint) => self.sta713_map(s),
            (S::Sta04A, MajorSyncAck) => self.sta04a_maa(s),
            (S::Sta713, ActivityStart) => self.sta713_as(s),
            (S::Sta713, ActivityResume) => self.sta713_ar(s),
            (S::Sta713, ActivityEnd) => self.sta713_ae(s),
            (S::Sta04B, ActivityEndAck) => self.sta04b_aea(s),
            (
                S::Sta713 | S::Sta05A | S::Sta10A | S::Sta10B | S::Sta19 | S::Sta20,
                ActivityInterrupt | ActivityDiscard,
            ) => self.recv_ai_ad(s),
            (S::Sta05B, ActivityInterruptAck) | (S::Sta05C, ActivityDiscardAck) => {
                self.sta05bc_ack(s)
            }
            (
                S::Sta713 | S::Sta04A | S::Sta04B | S::Sta05A | S::Sta19 | S::Sta20,
                Resynchronize,
            ) => self.recv_rs(s),
            (S::Sta05A, ResynchronizeAck) => self.sta05a_ra(s),
            (S::Sta713 | S::Sta04A | S::Sta04B, ExceptionData | ExceptionReport) => {
                self.recv_ed_er(s)
            }
            (S::Sta713, CapabilityData) => self.sta713_cd(s),
            (S::Sta21, CapabilityDataAck) => self.sta21_cda(s),
            (S::Sta713 | S::Sta03, Finish) => self.recv_fn(s),
            (S::Sta03 | S::Sta09, Disconnect) => self.recv_dn(s),
            (S::Sta03, NotFinished) => self.sta03_nf(s),
            (state, spdu) => Err(Rule::Unexpected { spdu, state }),
        }
    }

    pub(super) fn need(&self, spdu: Kind, unit: u16) -> Result<(), Rule> {
        if self.has(unit) {
            Ok(())
        } else {
            Err(Rule::FunctionalUnit { spdu })
        }
    }

    pub(super) fn need_tokens(spdu: Kind, ok: bool, tokens: u8) -> Result<(), Rule> {
        if ok {
            Ok(())
        } else {
            Err(Rule::Tokens {
                spdu,
                tokens: TokenItem(tokens),
            })
        }
    }

    /// [¬FU(ACT) ∨ Vact].
    pub(super) fn need_inside(&self, spdu: Kind) -> Result<(), Rule> {
        if self.has(Requirements::ACTIVITY) && !self.sync.vact {
            return Err(Rule::Activity {
                spdu,
                in_progress: false,
            });
        }
        Ok(())
    }

    fn need_outside(&self, spdu: Kind) -> Result<(), Rule> {
        if self.sync.vact {
            return Err(Rule::Activity {
                spdu,
                in_progress: true,
            });
        }
        Ok(())
    }

    /// p19: the serial number of a MIP, MAP or AE is V(M), exactly.
    fn need_next(&self, s: &Spdu<'_>) -> Result<u64, Rule> {
        let received = s.params.serial.map_or(u64::MAX, |n| n.value());
        if received > MAX_SERIAL - 1 {
            return Err(Rule::SerialOutOfRange {
                spdu: s.kind,
                received,
            });
        }
        if received != self.sync.vm {
            return Err(Rule::SerialNotNext {
                spdu: s.kind,
                expected: self.sync.vm,
                received,
            });
        }
        Ok(received)
    }

    pub(super) fn data(&mut self, s: &Spdu<'_>) -> Result<super::buffers::Span, Rule> {
        self.store(s.params.user_data.unwrap_or_default())
    }

    /// AB in any state (Table A.16): S-U-ABORT or S-P-ABORT indication, then AA and STA16
    /// until the aborting side closes the transport (STA01C if the AB keeps it).
    fn any_ab(&mut self, now: Instant, s: &Spdu<'_>) -> Result<(), Rule> {
        let bits = s.params.transport_disconnect.unwrap_or_default();
        // Annex A note 3: bit 2 tells S-U-ABORT from S-P-ABORT.
        if bits.contains(TransportDisconnect::USER_ABORT) {
            let d = self.data(s)?;
            self.event(Event::UserAbort(d));
        } else {
            self.event(Event::ProviderAbort(AbortCause::Peer(bits)));
        }
        self.tx.drop_held();
        // p02 = local choice ∧ ¬TEXP: under TEXP the AB is never answered with AA; the
        // receiver closes the transport (Table A.16, AB rows).
        if self.texp() {
            self.disconnect();
            return Ok(());
        }
        let _ = self.send(&[Spdu::new(Kind::AbortAccept)]);
        if bits.contains(TransportDisconnect::RELEASE) {
            self.reset(State::Sta01);
            self.wait_for_disconnect(now);
        } else {
            self.reset(match self.role {
                Role::Initiator => State::Sta01,
                Role::Responder => State::Sta01C,
            });
        }
        Ok(())
    }

    /// DT (STA713; STA03, STA04A, STA04B: the peer may still send): p05 = A(dk).
    pub(super) fn recv_dt(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        Self::need_tokens(s.kind, self.tokens.a(DK), DK)?;
        // No TSDU maximum size is ever proposed, so segmenting is never selected.
        if s.params.enclosure.is_some_and(|e| e != Enclosure::COMPLETE) {
            return Err(Rule::Negotiation(
                "segmented DT without a TSDU maximum size",
            ));
        }
        let d = self.store(s.user_info)?;
        self.event(Event::Data(d));
        Ok(())
    }

    /// TD in any data-phase state: p06 = FU(TD).
    pub(super) fn recv_td(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::TYPED_DATA)?;
        if s.params.enclosure.is_some_and(|e| e != Enclosure::COMPLETE) {
            return Err(Rule::Negotiation(
                "segmented TD without a TSDU maximum size",
            ));
        }
        let d = self.store(s.user_info)?;
        self.event(Event::TypedData(d));
        Ok(())
    }

    /// GT with a Token Item (STA713; STA19 with the data token, p61 → STA713):
    /// p59 = ALL(AA, tokens), then \[11\] the tokens are ours.
    pub(super) fn recv_gt(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        let t = s.params.token_item.unwrap_or_default();
        let given = t.0 & (DK | MI | MA | TokenItem::RELEASE);
        Self::need_tokens(s.kind, self.tokens.all(given, Tokens::aa), given)?;
        let d = self.data(s)?;
        self.tokens.take(given);
        self.event(Event::TokensGiven {
            tokens: TokenItem(given),
            user_data: d,
        });
        if self.state == State::Sta19 {
            self.state = State::Sta713;
        }
        Ok(())
    }

    /// PT with a Token Item: S-TOKEN-PLEASE indication; every token asked for must exist
    /// (p53); asking for one the peer already holds is no error (X.225 §7.17.3).
    pub(super) fn recv_pt(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        let t = s.params.token_item.unwrap_or_default();
        let asked = t.0 & (DK | MI | MA | TokenItem::RELEASE);
        let av = self.tokens.available();
        Self::need_tokens(s.kind, asked != 0 && asked & !av == 0, asked)?;
        let d = self.data(s)?;
        self.event(Event::TokensPlease {
            tokens: TokenItem(asked),
            user_data: d,
        });
        Ok(())
    }

    /// STA713, GTC: p62 = ACT ∧ ¬Vact ∧ no token held; S-CONTROL-GIVE indication, GTA,
    /// \[11\] every token ours.
    fn sta713_gtc(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::ACTIVITY)?;
        self.need_outside(s.kind)?;
        let owned = self.tokens.owned();
        Self::need_tokens(s.kind, owned == 0, owned)?;
        let d = self.data(s)?;
        let _ = self.send(&[Spdu::new(Kind::GiveTokensAck)]);
        self.tokens.take_all();
        self.event(Event::ControlGiven(d));
        Ok(())
    }

    /// STA18, GTA: back to STA713 (S-CONTROL-GIVE has no confirm), \[6\] (a PR-RS that
    /// overtook the GTA).
    fn sta18_gta(&mut self) -> Result<(), Rule> {
        self.state = State::Sta713;
        self.recall()
    }

    /// STA713, MIP (Table A.10): p14 ∧ p19 = SY ∧ [¬ACT ∨ Vact] ∧ A(dk) ∧ AA(mi) ∧
    /// sn = V(M); S-SYNC-MINOR indication, \[23\].
    pub(super) fn sta713_mip(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::MINOR_SYNC)?;
        let ty = s.params.sync_type.unwrap_or_default();
        // p82: a data-separation MIP needs FU(DS), which is never selected.
        if ty.contains(SyncType::DATA_SEPARATION) {
            return Err(Rule::FunctionalUnit { spdu: s.kind });
        }
        self.need_inside(s.kind)?;
        let t = self.tokens;
        Self::need_tokens(s.kind, t.a(DK) && t.aa(MI), DK | MI)?;
        let serial = self.need_next(s)?;
        let d = self.data(s)?;
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
    pub(super) fn recv_mia(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::MINOR_SYNC)?;
        self.need_inside(s.kind)?;
        if self.sync.vsc {
            return Err(Rule::MinorAckDirection);
        }
        let sn = s.params.serial.map_or(u64::MAX, |n| n.value());
        let pending = matches!(self.state, State::Sta04A | State::Sta04B | State::Sta15A);
        if !self.sync.minor_ack_ok(sn, pending) {
            return Err(Rule::SerialNotOutstanding {
                spdu: s.kind,
                received: sn,
                va: self.sync.va,
                vm: self.sync.vm,
            });
        }
        let d = self.data(s)?;
        self.sync.minor_acked(sn);
        self.event(Event::MinorSyncConfirm {
            serial: sn,
            user_data: d,
        });
        Ok(())
    }

    /// STA713, MAP: p12 ∧ p19 = MA ∧ [¬ACT ∨ Vact] ∧ A(dk) ∧ A(mi) ∧ AA(ma) ∧ sn = V(M);
    /// S-SYNC-MAJOR indication, \[13\]\[31\], STA10A.
    fn sta713_map(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::MAJOR_SYNC)?;
        self.need_inside(s.kind)?;
        let t = self.tokens;
        Self::need_tokens(s.kind, t.a(DK) && t.a(MI) && t.aa(MA), DK | MI | MA)?;
        let serial = self.need_next(s)?;
        let d = self.data(s)?;
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
    fn need_major_ack(&self, s: &Spdu<'_>) -> Result<u64, Rule> {
        let sn = s.params.serial.map_or(u64::MAX, |n| n.value());
        if sn.checked_add(1) != Some(self.sync.vm) {
            return Err(Rule::SerialNotOutstanding {
                spdu: s.kind,
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
    pub(super) fn sta04a_maa(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need_prepared(s.kind, State::Sta15A)?;
        let serial = self.need_major_ack(s)?;
        let d = self.data(s)?;
        self.sync.major_acked(self.has(Requirements::ACTIVITY));
        self.event(Event::MajorSyncConfirm {
            serial,
            user_data: d,
        });
        self.state = State::Sta713;
        Ok(())
    }

    /// p44 = ACT ∧ ¬Vact ∧ A(dk) ∧ A(mi) ∧ A(ma), for AS and AR.
    fn p44(&self, spdu: Kind) -> Result<(), Rule> {
        self.need(spdu, Requirements::ACTIVITY)?;
        self.need_outside(spdu)?;
        let t = self.tokens;
        Self::need_tokens(spdu, t.a(DK) && t.a(MI) && t.a(MA), DK | MI | MA)
    }

    /// STA713 (and STA15B), AS: p44; S-ACTIVITY-START indication, \[26\] V(A) = V(M) =
    /// V(R) = 1, \[6\] (a PR-RS that overtook the AS).
    pub(super) fn sta713_as(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.p44(s.kind)?;
        let id = self.store(s.params.activity_id.unwrap_or_default())?;
        let d = self.data(s)?;
        self.sync.activity_started();
        self.event(Event::ActivityStart { id, user_data: d });
        self.recall()
    }

    /// STA713 (and STA15B), AR: p44; S-ACTIVITY-RESUME indication, \[27\] V(A) = V(M) =
    /// n + 1, V(R) = 1, \[6\].
    pub(super) fn sta713_ar(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.p44(s.kind)?;
        let Some(link) = s.params.linking else {
            return Err(Rule::Invalid(crate::Error::MissingParameter {
                spdu: s.kind,
                code: crate::code::Code::LINKING,
            }));
        };
        let n = link.serial.value();
        if n >= MAX_SERIAL - 1 {
            return Err(Rule::SerialOutOfRange {
                spdu: s.kind,
                received: n,
            });
        }
        let id = self.store(s.params.activity_id.unwrap_or_default())?;
        let old_id = self.store(link.old_activity_id)?;
        let d = self.data(s)?;
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
    fn sta713_ae(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::ACTIVITY)?;
        if !self.sync.vact {
            return Err(Rule::Activity {
                spdu: s.kind,
                in_progress: false,
            });
        }
        let t = self.tokens;
        Self::need_tokens(s.kind, t.a(DK) && t.a(MI) && t.aa(MA), DK | MI | MA)?;
        let serial = self.need_next(s)?;
        let d = self.data(s)?;
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
    pub(super) fn sta04b_aea(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need_prepared(s.kind, State::Sta15A)?;
        let serial = self.need_major_ack(s)?;
        let d = self.data(s)?;
        self.sync.major_acked(true);
        self.event(Event::ActivityEndConfirm {
            serial,
            user_data: d,
        });
        self.state = State::Sta713;
        Ok(())
    }

    /// ED or ER. In STA713: EXCEP ∧ [¬ACT ∨ Vact]; the indication, then STA20 if this side
    /// holds the data token (p51), else stay (p50). In STA04A/STA04B (our MAP or AE is
    /// out; the peer reported before it saw it): p48 = EXCEP ∧ HD; the indication, then
    /// STA20 with the data token (p03), else STA713 (X.225 Annex A, as transcribed in
    /// ISODE++ SSAP.sm). The MAA or AEA will not come: the peer drops our MAP or AE in
    /// STA19.
    fn recv_ed_er(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::EXCEPTIONS)?;
        let waiting = self.state != State::Sta713;
        if waiting {
            self.need(s.kind, Requirements::HALF_DUPLEX)?;
        } else {
            self.need_inside(s.kind)?;
        }
        if s.kind == Kind::ExceptionData {
            let reason = s.params.reason.map_or(0, |r| r.code);
            let d = self.data(s)?;
            self.event(Event::UserException {
                reason,
                user_data: d,
            });
        } else {
            let d = self.store(s.params.reflect.unwrap_or_default())?;
            self.event(Event::ProviderException { reflect: d });
        }
        if self.tokens.ii(DK) {
            self.state = State::Sta20;
        } else if waiting {
            self.state = State::Sta713;
        }
        Ok(())
    }

    /// STA713, CD: CD ∧ ¬Vact ∧ A(dk) ∧ A(mi) ∧ AA(ma); indication, STA22.
    fn sta713_cd(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::CAPABILITY_DATA)?;
        self.need_outside(s.kind)?;
        let t = self.tokens;
        Self::need_tokens(s.kind, t.a(DK) && t.a(MI) && t.aa(MA), DK | MI | MA)?;
        let d = self.data(s)?;
        self.event(Event::CapabilityData(d));
        self.state = State::Sta22;
        Ok(())
    }

    /// STA21, CDA: confirm, STA713.
    fn sta21_cda(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        let d = self.data(s)?;
        self.event(Event::CapabilityDataConfirm(d));
        self.state = State::Sta713;
        Ok(())
    }

    /// FN. STA713: p68 = no token held ∧ ¬Vact; S-RELEASE indication, STA09.
    /// STA03 (release collision, p69): only possible when no token exists; Vcoll, the
    /// indication, STA09.
    fn recv_fn(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        if self.state == State::Sta03 {
            if self.tokens.available() != 0 {
                return Err(Rule::ReleaseCollision);
            }
            self.vcoll = true;
        } else {
            self.need_outside(s.kind)?;
            let owned = self.tokens.owned();
            Self::need_tokens(s.kind, owned == 0, owned)?;
        }
        // Annex A action [9]: Vtrr from the FN, but reuse needs ¬TEXP (p16 on the FN-r
        // rows), and Vtrr may always be set false.
        self.keep_transport = !self.texp()
            && s.params
                .transport_disconnect
                .is_some_and(|t| !t.contains(TransportDisconnect::RELEASE));
        let d = self.data(s)?;
        self.event(Event::Release(d));
        self.state = State::Sta09;
        Ok(())
    }

    /// DN. STA03: S-RELEASE confirm, then T-DISCONNECT request (our FN released the
    /// transport). STA09 in a collision, at the transport acceptor (p69 ∧ ¬p01): the
    /// confirm, Vdnr, and the user answers the peer's FN next.
    fn recv_dn(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        if self.state == State::Sta09 && !(self.vcoll && self.role == Role::Responder && !self.vdnr)
        {
            return Err(Rule::Unexpected {
                spdu: s.kind,
                state: self.state,
            });
        }
        let d = self.data(s)?;
        self.event(Event::ReleaseConfirm {
            accepted: true,
            user_data: d,
        });
        if self.state == State::Sta09 {
            self.vdnr = true;
        } else {
            self.disconnect();
        }
        Ok(())
    }

    /// STA03, NF (negotiated release): S-RELEASE confirm (refused), STA713. In STA15B (a
    /// PR-RS overtook the NF) the machine stays there for the RS.
    pub(super) fn sta03_nf(&mut self, s: &Spdu<'_>) -> Result<(), Rule> {
        self.need(s.kind, Requirements::NEGOTIATED_RELEASE)?;
        let d = self.data(s)?;
        self.event(Event::ReleaseConfirm {
            accepted: false,
            user_data: d,
        });
        if self.state == State::Sta03 {
            self.state = State::Sta713;
        }
        Ok(())
    }
}
