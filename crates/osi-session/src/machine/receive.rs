//! Received TSDUs: decoding with the state's context, the X.225 §6.3.7.1 processing
//! order, and one transition function per state and SPDU (X.225 Annex A, Tables A.8–A.16).
//! Every function either applies the table's actions or returns the [`Rule`] broken. MIP,
//! MIA, MAP, MAA, AS, AR, AE and AEA are in `receive_sync.rs`; RS, RA, AI, AD, AIA and ADA
//! in `recovery.rs`, the PREPARE states in `prepare.rs`.

use osi_sansio::{Instant, Storage};

use super::tokens::Tokens;
use super::{AbortCause, Event, Result, Role, Rule, Session, State};
use crate::{
    Abort, AbortAccept, CapabilityData, CapabilityDataAck, Disconnect, Enclosure, ExceptionData,
    ExceptionReport, Finish, GiveTokens, GiveTokensAck, GiveTokensConfirm, Kind, NotFinished,
    PleaseTokens, Requirements, Spdu, TokenItem, TransportDisconnect, Tsdu,
};

const DK: u8 = TokenItem::DATA;
const MI: u8 = TokenItem::MINOR_SYNC;
const MA: u8 = TokenItem::MAJOR_ACTIVITY;

/// Events one TSDU can queue at most (see [`super::MAX_EVENTS`]).
pub(super) const EVENTS_PER_TSDU: usize = 6;

impl<B: Storage> Session<B> {
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
                    && matches!(t.iter().next(), Some(Spdu::AbortAccept(_)))
                {
                    self.disconnect();
                }
                return Ok(());
            }
            // STA15D: a PR-AB announced the AB; only it matters, everything else (even an
            // undecodable TSDU) is discarded.
            State::Sta15D => {
                if let Ok(t) = Tsdu::decode(tsdu, ctx)
                    && let Some(Spdu::Abort(ab)) = t.iter().next()
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
        use State as S;
        let (st, k) = (self.state, s.kind());
        // AB is valid in every state with a connection (Table A.16).
        if let Spdu::Abort(ab) = s {
            return self.any_ab(now, ab);
        }
        // EX and PR belong on the transport expedited flow (handle_expedited_tsdu), never
        // here.
        if matches!(s, Spdu::Expedited(_) | Spdu::Prepare(_)) {
            return Err(Rule::WrongFlow {
                spdu: k,
                expedited: false,
            });
        }
        // States that discard what they do not wait for (X.225 §7.24, §7.31, §7.33).
        match st {
            S::Sta05A
                if !matches!(
                    s,
                    Spdu::Resynchronize(_)
                        | Spdu::ResynchronizeAck(_)
                        | Spdu::ActivityInterrupt(_)
                        | Spdu::ActivityDiscard(_)
                ) =>
            {
                return Ok(());
            }
            S::Sta05B if !matches!(s, Spdu::ActivityInterruptAck(_)) => return Ok(()),
            S::Sta05C if !matches!(s, Spdu::ActivityDiscardAck(_)) => return Ok(()),
            S::Sta19 => match s {
                // "MIP, MAP and AE still update V(M) but are otherwise discarded."
                Spdu::MinorSyncPoint(_) | Spdu::MajorSyncPoint(_) | Spdu::ActivityEnd(_) => {
                    self.sync.vm += 1;
                    return Ok(());
                }
                Spdu::GiveTokens(gt) if gt.token_item.is_some_and(|t| t.contains(DK)) => {}
                Spdu::Resynchronize(_) | Spdu::ActivityInterrupt(_) | Spdu::ActivityDiscard(_) => {}
                _ => return Ok(()),
            },
            _ => {}
        }
        // A GT or PT without a Token Item in front of a category 2 SPDU, or alone, does
        // nothing (X.225 §7.16).
        if let Spdu::GiveTokens(GiveTokens {
            token_item: None, ..
        })
        | Spdu::PleaseTokens(PleaseTokens {
            token_item: None, ..
        }) = s
            && self.version.is_some()
        {
            return Ok(());
        }
        // The PREPARE states (STA15A–D, STA06) have rows of their own.
        if let Some(r) = self.in_prepared(s) {
            return r;
        }
        match (st, s) {
            (S::Sta01C, Spdu::Connect(cn)) => self.sta01c_cn(now, cn),
            (S::Sta01D, Spdu::ConnectDataOverflow(cdo)) => self.sta01d_cdo(cdo),
            (S::Sta02B, Spdu::OverflowAccept(oa)) => self.sta02b_oa(oa),
            (S::Sta02A, Spdu::Accept(ac)) => self.sta02a_ac(ac),
            (S::Sta02A | S::Sta02B, Spdu::Refuse(rf)) => self.sta02a_rf(rf),
            (S::Sta713 | S::Sta03 | S::Sta04A | S::Sta04B, Spdu::DataTransfer(dt)) => {
                self.recv_dt(dt.enclosure, dt.user_info)
            }
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
                Spdu::TypedData(td),
            ) => self.recv_td(td.enclosure, td.user_info),
            (S::Sta713 | S::Sta19, Spdu::GiveTokens(gt)) => self.recv_gt(gt),
            (
                S::Sta713 | S::Sta04A | S::Sta04B | S::Sta10A | S::Sta10B | S::Sta19 | S::Sta20,
                Spdu::PleaseTokens(pt),
            ) => self.recv_pt(pt),
            (S::Sta713, Spdu::GiveTokensConfirm(gtc)) => self.sta713_gtc(gtc),
            (S::Sta18, Spdu::GiveTokensAck(_)) => self.sta18_gta(),
            (S::Sta713, Spdu::MinorSyncPoint(mip)) => self.sta713_mip(mip),
            (S::Sta713 | S::Sta04A | S::Sta04B, Spdu::MinorSyncAck(mia)) => self.recv_mia(mia),
            (S::Sta713, Spdu::MajorSyncPoint(map)) => self.sta713_map(map),
            (S::Sta04A, Spdu::MajorSyncAck(maa)) => self.sta04a_maa(maa),
            (S::Sta713, Spdu::ActivityStart(a)) => self.sta713_as(a),
            (S::Sta713, Spdu::ActivityResume(a)) => self.sta713_ar(a),
            (S::Sta713, Spdu::ActivityEnd(ae)) => self.sta713_ae(ae),
            (S::Sta04B, Spdu::ActivityEndAck(aea)) => self.sta04b_aea(aea),
            (
                S::Sta713 | S::Sta05A | S::Sta10A | S::Sta10B | S::Sta19 | S::Sta20,
                Spdu::ActivityInterrupt(ai),
            ) => self.recv_ai_ad(k, ai.reason, ai.user_data),
            (
                S::Sta713 | S::Sta05A | S::Sta10A | S::Sta10B | S::Sta19 | S::Sta20,
                Spdu::ActivityDiscard(ad),
            ) => self.recv_ai_ad(k, ad.reason, ad.user_data),
            (S::Sta05B, Spdu::ActivityInterruptAck(a)) => self.sta05bc_ack(k, a.user_data),
            (S::Sta05C, Spdu::ActivityDiscardAck(a)) => self.sta05bc_ack(k, a.user_data),
            (
                S::Sta713 | S::Sta04A | S::Sta04B | S::Sta05A | S::Sta19 | S::Sta20,
                Spdu::Resynchronize(rs),
            ) => self.recv_rs(rs),
            (S::Sta05A, Spdu::ResynchronizeAck(ra)) => self.sta05a_ra(ra),
            (S::Sta713 | S::Sta04A | S::Sta04B, Spdu::ExceptionData(ed)) => self.recv_ed(ed),
            (S::Sta713 | S::Sta04A | S::Sta04B, Spdu::ExceptionReport(er)) => self.recv_er(er),
            (S::Sta713, Spdu::CapabilityData(cd)) => self.sta713_cd(cd),
            (S::Sta21, Spdu::CapabilityDataAck(cda)) => self.sta21_cda(cda),
            (S::Sta713 | S::Sta03, Spdu::Finish(fin)) => self.recv_fn(fin),
            (S::Sta03 | S::Sta09, Spdu::Disconnect(dn)) => self.recv_dn(dn),
            (S::Sta03, Spdu::NotFinished(nf)) => self.sta03_nf(nf),
            (state, _) => Err(Rule::Unexpected { spdu: k, state }),
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

    pub(super) fn need_outside(&self, spdu: Kind) -> Result<(), Rule> {
        if self.sync.vact {
            return Err(Rule::Activity {
                spdu,
                in_progress: true,
            });
        }
        Ok(())
    }

    /// Stores the SS-user data of a received SPDU (none: empty).
    pub(super) fn data(&mut self, user_data: Option<&[u8]>) -> Result<super::buffers::Span, Rule> {
        self.store(user_data.unwrap_or_default())
    }

    /// AB in any state (Table A.16): S-U-ABORT or S-P-ABORT indication, then AA and STA16
    /// until the aborting side closes the transport (STA01C if the AB keeps it).
    fn any_ab(&mut self, now: Instant, ab: &Abort<'_>) -> Result<(), Rule> {
        let bits = ab.transport_disconnect;
        // Annex A note 3: bit 2 tells S-U-ABORT from S-P-ABORT.
        if bits.contains(TransportDisconnect::USER_ABORT) {
            let d = self.data(ab.user_data)?;
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
        let _ = self.send(&[AbortAccept::default().into()]);
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
    pub(super) fn recv_dt(
        &mut self,
        enclosure: Option<Enclosure>,
        info: &[u8],
    ) -> Result<(), Rule> {
        Self::need_tokens(Kind::DataTransfer, self.tokens.a(DK), DK)?;
        // No TSDU maximum size is ever proposed, so segmenting is never selected.
        if enclosure.is_some_and(|e| e != Enclosure::COMPLETE) {
            return Err(Rule::Negotiation(
                "segmented DT without a TSDU maximum size",
            ));
        }
        let d = self.store(info)?;
        self.event(Event::Data(d));
        Ok(())
    }

    /// TD in any data-phase state: p06 = FU(TD).
    pub(super) fn recv_td(
        &mut self,
        enclosure: Option<Enclosure>,
        info: &[u8],
    ) -> Result<(), Rule> {
        self.need(Kind::TypedData, Requirements::TYPED_DATA)?;
        if enclosure.is_some_and(|e| e != Enclosure::COMPLETE) {
            return Err(Rule::Negotiation(
                "segmented TD without a TSDU maximum size",
            ));
        }
        let d = self.store(info)?;
        self.event(Event::TypedData(d));
        Ok(())
    }

    /// GT with a Token Item (STA713; STA19 with the data token, p61 → STA713):
    /// p59 = ALL(AA, tokens), then \[11\] the tokens are ours.
    pub(super) fn recv_gt(&mut self, gt: &GiveTokens<'_>) -> Result<(), Rule> {
        let t = gt.token_item.unwrap_or_default();
        let given = t.0 & (DK | MI | MA | TokenItem::RELEASE);
        Self::need_tokens(Kind::GiveTokens, self.tokens.all(given, Tokens::aa), given)?;
        let d = self.data(gt.user_data)?;
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
    pub(super) fn recv_pt(&mut self, pt: &PleaseTokens<'_>) -> Result<(), Rule> {
        let t = pt.token_item.unwrap_or_default();
        let asked = t.0 & (DK | MI | MA | TokenItem::RELEASE);
        let av = self.tokens.available();
        Self::need_tokens(Kind::PleaseTokens, asked != 0 && asked & !av == 0, asked)?;
        let d = self.data(pt.user_data)?;
        self.event(Event::TokensPlease {
            tokens: TokenItem(asked),
            user_data: d,
        });
        Ok(())
    }

    /// STA713, GTC: p62 = ACT ∧ ¬Vact ∧ no token held; S-CONTROL-GIVE indication, GTA,
    /// \[11\] every token ours.
    fn sta713_gtc(&mut self, gtc: &GiveTokensConfirm<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::GiveTokensConfirm;
        self.need(K, Requirements::ACTIVITY)?;
        self.need_outside(K)?;
        let owned = self.tokens.owned();
        Self::need_tokens(K, owned == 0, owned)?;
        let d = self.data(gtc.user_data)?;
        let _ = self.send(&[GiveTokensAck::default().into()]);
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

    /// ED or ER. In STA713: EXCEP ∧ [¬ACT ∨ Vact]; the indication, then STA20 if this side
    /// holds the data token (p51), else stay (p50). In STA04A/STA04B (our MAP or AE is
    /// out; the peer reported before it saw it): p48 = EXCEP ∧ HD; the indication, then
    /// STA20 with the data token (p03), else STA713 (X.225 Annex A, as transcribed in
    /// ISODE++ SSAP.sm). The MAA or AEA will not come: the peer drops our MAP or AE in
    /// STA19.
    fn recv_ed(&mut self, ed: &ExceptionData<'_>) -> Result<(), Rule> {
        let waiting = self.exception_allowed(Kind::ExceptionData)?;
        let d = self.data(ed.user_data)?;
        self.event(Event::UserException {
            reason: ed.reason,
            user_data: d,
        });
        self.exception_reported(waiting);
        Ok(())
    }

    /// ER: as ED, with the provider's exception indication.
    fn recv_er(&mut self, er: &ExceptionReport<'_>) -> Result<(), Rule> {
        let waiting = self.exception_allowed(Kind::ExceptionReport)?;
        let d = self.store(er.reflect)?;
        self.event(Event::ProviderException { reflect: d });
        self.exception_reported(waiting);
        Ok(())
    }

    /// The predicate of ED and ER; returns whether our MAP or AE is out (STA04A/B).
    fn exception_allowed(&self, spdu: Kind) -> Result<bool, Rule> {
        self.need(spdu, Requirements::EXCEPTIONS)?;
        let waiting = self.state != State::Sta713;
        if waiting {
            self.need(spdu, Requirements::HALF_DUPLEX)?;
        } else {
            self.need_inside(spdu)?;
        }
        Ok(waiting)
    }

    /// The state after ED or ER.
    fn exception_reported(&mut self, waiting: bool) {
        if self.tokens.ii(DK) {
            self.state = State::Sta20;
        } else if waiting {
            self.state = State::Sta713;
        }
    }

    /// STA713, CD: CD ∧ ¬Vact ∧ A(dk) ∧ A(mi) ∧ AA(ma); indication, STA22.
    fn sta713_cd(&mut self, cd: &CapabilityData<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::CapabilityData;
        self.need(K, Requirements::CAPABILITY_DATA)?;
        self.need_outside(K)?;
        let t = self.tokens;
        Self::need_tokens(K, t.a(DK) && t.a(MI) && t.aa(MA), DK | MI | MA)?;
        let d = self.data(cd.user_data)?;
        self.event(Event::CapabilityData(d));
        self.state = State::Sta22;
        Ok(())
    }

    /// STA21, CDA: confirm, STA713.
    fn sta21_cda(&mut self, cda: &CapabilityDataAck<'_>) -> Result<(), Rule> {
        let d = self.data(cda.user_data)?;
        self.event(Event::CapabilityDataConfirm(d));
        self.state = State::Sta713;
        Ok(())
    }

    /// FN. STA713: p68 = no token held ∧ ¬Vact; S-RELEASE indication, STA09.
    /// STA03 (release collision, p69): only possible when no token exists; Vcoll, the
    /// indication, STA09.
    fn recv_fn(&mut self, fin: &Finish<'_>) -> Result<(), Rule> {
        if self.state == State::Sta03 {
            if self.tokens.available() != 0 {
                return Err(Rule::ReleaseCollision);
            }
            self.vcoll = true;
        } else {
            self.need_outside(Kind::Finish)?;
            let owned = self.tokens.owned();
            Self::need_tokens(Kind::Finish, owned == 0, owned)?;
        }
        // Annex A action [9]: Vtrr from the FN, but reuse needs ¬TEXP (p16 on the FN-r
        // rows), and Vtrr may always be set false.
        self.keep_transport = !self.texp()
            && fin
                .transport_disconnect
                .is_some_and(|t| !t.contains(TransportDisconnect::RELEASE));
        let d = self.data(fin.user_data)?;
        self.event(Event::Release(d));
        self.state = State::Sta09;
        Ok(())
    }

    /// DN. STA03: S-RELEASE confirm, then T-DISCONNECT request (our FN released the
    /// transport). STA09 in a collision, at the transport acceptor (p69 ∧ ¬p01): the
    /// confirm, Vdnr, and the user answers the peer's FN next.
    fn recv_dn(&mut self, dn: &Disconnect<'_>) -> Result<(), Rule> {
        if self.state == State::Sta09 && !(self.vcoll && self.role == Role::Responder && !self.vdnr)
        {
            return Err(Rule::Unexpected {
                spdu: Kind::Disconnect,
                state: self.state,
            });
        }
        let d = self.data(dn.user_data)?;
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
    pub(super) fn sta03_nf(&mut self, nf: &NotFinished<'_>) -> Result<(), Rule> {
        self.need(Kind::NotFinished, Requirements::NEGOTIATED_RELEASE)?;
        let d = self.data(nf.user_data)?;
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
