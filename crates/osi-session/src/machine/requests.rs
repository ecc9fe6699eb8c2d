//! User requests and responses in the data phase (X.225 §7.7–7.36, Tables A.7–A.14).
//!
//! Each method checks the state, the functional unit and the X.225 predicate named in its
//! documentation, encodes the SPDUs (checked against the negotiated version's limits),
//! queues them, and only then applies the Annex A actions: a refused request changes
//! nothing. Activity start, resume and end are in `activity.rs`; resynchronize, activity
//! interrupt and discard in `recovery.rs`.

use osi_sansio::{Instant, Storage};

use super::tokens::Tokens;
use super::{Error, MAX_SERIAL, Result, Role, Session, State, gt, pt};
use crate::{
    Abort, CapabilityData, CapabilityDataAck, DataTransfer, Disconnect, ExceptionData, Finish,
    GiveTokens, GiveTokensConfirm, MajorSyncAck, MajorSyncPoint, MinorSyncAck, MinorSyncPoint,
    NotFinished, PleaseTokens, PrepareType, Reason, Requirements, SerialNumber, Spdu, SyncType,
    TokenItem, TransportDisconnect, TypedData, Version,
};

const DK: u8 = TokenItem::DATA;
const MI: u8 = TokenItem::MINOR_SYNC;
const MA: u8 = TokenItem::MAJOR_ACTIVITY;

/// The largest serial number the provider assigns to a new point: 10^6 − 2 (X.215 §11.4;
/// 10^6 − 1 is reserved for "next" in connect and resynchronize).
pub(super) const MAX_POINT: u64 = MAX_SERIAL - 1;

/// Reason codes X.225 defines for ED, AI and AD (X.225 §8.3, Reason Code, PI 50).
pub(super) fn defined_reason(r: u8) -> bool {
    matches!(
        r,
        Reason::NO_SPECIFIC_REASON
            | Reason::TEMPORARILY_UNABLE
            | Reason::SEQUENCE_ERROR
            | Reason::LOCAL_USER_ERROR
            | Reason::PROCEDURAL_ERROR
            | Reason::DEMAND_DATA_TOKEN
    )
}

pub(super) fn some(data: &[u8]) -> Option<&[u8]> {
    Some(data).filter(|d| !d.is_empty())
}

impl<B: Storage> Session<B> {
    pub(super) fn in_states(&self, request: &'static str, states: &[State]) -> Result<()> {
        if states.contains(&self.state) {
            Ok(())
        } else {
            Err(Error::State {
                request,
                state: self.state,
            })
        }
    }

    pub(super) fn unit(&self, request: &'static str, unit: u16) -> Result<()> {
        if self.has(unit) {
            Ok(())
        } else {
            Err(Error::FunctionalUnit {
                request,
                unit: Requirements(unit),
            })
        }
    }

    pub(super) fn tokens_ok(&self, request: &'static str, ok: bool, tokens: u8) -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(Error::Tokens {
                request,
                tokens: TokenItem(tokens),
            })
        }
    }

    /// [¬FU(ACT) ∨ Vact]: with activity management, only inside an activity.
    pub(super) fn inside(&self, request: &'static str) -> Result<()> {
        if self.has(Requirements::ACTIVITY) && !self.sync.vact {
            return Err(Error::Activity {
                request,
                in_progress: false,
            });
        }
        Ok(())
    }

    pub(super) fn outside(&self, request: &'static str) -> Result<()> {
        if self.sync.vact {
            return Err(Error::Activity {
                request,
                in_progress: true,
            });
        }
        Ok(())
    }

    pub(super) fn next_point(&self, request: &'static str) -> Result<SerialNumber> {
        if self.sync.vm > MAX_POINT {
            return Err(Error::Serial {
                request,
                serial: self.sync.vm,
            });
        }
        Ok(SerialNumber::new(self.sync.vm))
    }

    /// Checks and queues `spdus` as one TSDU.
    fn emit(&mut self, spdus: &[Spdu<'_>]) -> Result<()> {
        for s in spdus {
            self.check_version(s)?;
        }
        self.send(spdus)
    }

    /// `front` (GT or PT without parameters) followed by `spdu`.
    pub(super) fn emit_pair(&mut self, front: Spdu<'_>, spdu: Spdu<'_>) -> Result<()> {
        self.emit(&[front, spdu])
    }

    /// S-DATA request: GT + DT (STA713; also STA09, STA10A, STA10B, where the peer may
    /// still take data). p03 = I(dk).
    ///
    /// # Errors
    ///
    /// Wrong state, data token not held, full transmit buffer.
    pub fn send_data(&mut self, data: &[u8]) -> Result<()> {
        const R: &str = "S-DATA request";
        self.in_states(
            R,
            &[State::Sta713, State::Sta09, State::Sta10A, State::Sta10B],
        )?;
        self.tokens_ok(R, self.tokens.i(DK), DK)?;
        let dt = DataTransfer {
            user_info: data,
            ..DataTransfer::default()
        };
        self.emit_pair(gt(), dt.into())
    }

    /// S-TYPED-DATA request: TD, not token-controlled, in any data-phase state but STA03.
    ///
    /// # Errors
    ///
    /// Typed data not selected, wrong state, full transmit buffer.
    pub fn send_typed_data(&mut self, data: &[u8]) -> Result<()> {
        const R: &str = "S-TYPED-DATA request";
        self.unit(R, Requirements::TYPED_DATA)?;
        if matches!(
            self.state,
            State::Sta01 | State::Sta01C | State::Sta01D | State::Sta02A | State::Sta02B
        ) || matches!(self.state, State::Sta03 | State::Sta08 | State::Sta16)
            // The PREPARE states have no STDreq row that sends TD (STA15B and STA15D absorb
            // it, as a resynchronization or abort is coming).
            || matches!(
                self.state,
                State::Sta06 | State::Sta15A | State::Sta15B | State::Sta15C | State::Sta15D
            )
        {
            return Err(Error::State {
                request: R,
                state: self.state,
            });
        }
        let td = TypedData {
            user_info: data,
            ..TypedData::default()
        };
        self.emit(&[td.into()])
    }

    /// S-CAPABILITY-DATA request: GT + CD, STA713 → STA21.
    /// p47 = CD ∧ ACT ∧ ¬Vact ∧ I(dk) ∧ I(mi) ∧ OWNED(ma).
    ///
    /// # Errors
    ///
    /// Unit not selected, wrong state, inside an activity, tokens, encoding.
    pub fn capability_data(&mut self, data: &[u8]) -> Result<()> {
        const R: &str = "S-CAPABILITY-DATA request";
        self.unit(R, Requirements::CAPABILITY_DATA)?;
        self.in_states(R, &[State::Sta713])?;
        self.outside(R)?;
        let t = self.tokens;
        self.tokens_ok(R, t.i(DK) && t.i(MI) && t.ii(MA), DK | MI | MA)?;
        let cd = CapabilityData {
            user_data: some(data),
            ..CapabilityData::default()
        };
        self.emit_pair(gt(), cd.into())?;
        self.state = State::Sta21;
        Ok(())
    }

    /// S-CAPABILITY-DATA response: PT + CDA, STA22 → STA713.
    ///
    /// # Errors
    ///
    /// Wrong state, encoding.
    pub fn capability_data_response(&mut self, data: &[u8]) -> Result<()> {
        self.in_states("S-CAPABILITY-DATA response", &[State::Sta22])?;
        let cda = CapabilityDataAck {
            user_data: some(data),
            ..CapabilityDataAck::default()
        };
        self.emit_pair(pt(), cda.into())?;
        self.state = State::Sta713;
        Ok(())
    }

    /// S-TOKEN-GIVE request: GT with a Token Item (STA713, or STA20 where giving the data
    /// token ends the exception, p58). p54 = ALL(II, tokens).
    ///
    /// # Errors
    ///
    /// Wrong state, a token not held or not available, user data under version 1.
    pub fn give_tokens(&mut self, tokens: TokenItem, data: &[u8]) -> Result<()> {
        const R: &str = "S-TOKEN-GIVE request";
        self.in_states(R, &[State::Sta713, State::Sta20])?;
        self.tokens_ok(R, self.tokens.all(tokens.0, Tokens::ii), tokens.0)?;
        let gt = GiveTokens {
            token_item: Some(tokens),
            user_data: some(data),
            ..GiveTokens::default()
        };
        self.emit(&[gt.into()])?;
        self.tokens.give(tokens.0);
        if self.state == State::Sta20 && tokens.contains(DK) {
            self.state = State::Sta713;
        }
        Ok(())
    }

    /// S-TOKEN-PLEASE request: PT with a Token Item. p53 = ALL(AV, tokens).
    ///
    /// # Errors
    ///
    /// Wrong state, a token not available, encoding.
    pub fn please_tokens(&mut self, tokens: TokenItem, data: &[u8]) -> Result<()> {
        const R: &str = "S-TOKEN-PLEASE request";
        self.in_states(
            R,
            &[
                State::Sta713,
                State::Sta04A,
                State::Sta04B,
                State::Sta10A,
                State::Sta10B,
                State::Sta19,
            ],
        )?;
        let av = self.tokens.available();
        self.tokens_ok(R, tokens.0 != 0 && tokens.0 & !av == 0, tokens.0)?;
        let pt = PleaseTokens {
            token_item: Some(tokens),
            user_data: some(data),
            ..PleaseTokens::default()
        };
        self.emit(&[pt.into()])
    }

    /// S-CONTROL-GIVE request: GTC, all tokens to the peer, STA713 → STA18.
    /// p55 = ACT ∧ ¬Vact ∧ every available token held.
    ///
    /// # Errors
    ///
    /// Unit, state, activity, tokens, encoding.
    pub fn give_control(&mut self, data: &[u8]) -> Result<()> {
        const R: &str = "S-CONTROL-GIVE request";
        self.unit(R, Requirements::ACTIVITY)?;
        self.in_states(R, &[State::Sta713])?;
        self.outside(R)?;
        let av = self.tokens.available();
        self.tokens_ok(R, self.tokens.owned() == av, av)?;
        let gtc = GiveTokensConfirm {
            user_data: some(data),
            ..GiveTokensConfirm::default()
        };
        self.emit(&[gtc.into()])?;
        self.tokens.give_all();
        self.state = State::Sta18;
        Ok(())
    }

    /// S-SYNC-MINOR request: GT + MIP with serial number V(M), then \[24\]. Returns the
    /// serial number used. p15 = [¬ACT ∨ Vact] ∧ I(dk) ∧ II(mi).
    ///
    /// # Errors
    ///
    /// Unit, state, activity, tokens, V(M) beyond 999 998, encoding.
    pub fn minor_sync(&mut self, confirm: bool, data: &[u8]) -> Result<u64> {
        const R: &str = "S-SYNC-MINOR request";
        self.unit(R, Requirements::MINOR_SYNC)?;
        self.in_states(R, &[State::Sta713])?;
        self.inside(R)?;
        self.tokens_ok(R, self.tokens.i(DK) && self.tokens.ii(MI), DK | MI)?;
        let sn = self.next_point(R)?;
        let mip = MinorSyncPoint {
            // Sync Type bit 1: explicit confirmation not required; absent when it is.
            sync_type: (!confirm).then_some(SyncType(SyncType::NO_CONFIRM_OR_NOT_END)),
            user_data: some(data),
            ..MinorSyncPoint::new(sn)
        };
        self.emit_pair(gt(), mip.into())?;
        self.sync.point_sent();
        Ok(sn.value())
    }

    /// S-SYNC-MINOR response: PT + MIA confirming every point up to `serial`, then \[25\].
    /// p18 ∧ p21: [¬ACT ∨ Vact] ∧ Vsc ∧ V(A) ≤ serial < V(M) (and not the number of a MAP
    /// or AE being answered, in STA10A/STA10B).
    ///
    /// # Errors
    ///
    /// Unit, state, activity, not the side that received the points, serial out of range.
    pub fn minor_sync_response(&mut self, serial: u64, data: &[u8]) -> Result<()> {
        const R: &str = "S-SYNC-MINOR response";
        self.unit(R, Requirements::MINOR_SYNC)?;
        self.in_states(R, &[State::Sta713, State::Sta10A, State::Sta10B])?;
        self.inside(R)?;
        let pending = matches!(self.state, State::Sta10A | State::Sta10B);
        if !self.sync.vsc || !self.sync.minor_ack_ok(serial, pending) {
            return Err(Error::Serial { request: R, serial });
        }
        let mia = MinorSyncAck {
            user_data: some(data),
            ..MinorSyncAck::new(SerialNumber::new(serial))
        };
        self.emit_pair(pt(), mia.into())?;
        self.sync.minor_acked(serial);
        Ok(())
    }

    /// S-SYNC-MAJOR request: GT + MAP, \[13\]\[24\], STA713 → STA04A. Returns the serial
    /// number used. p13 = MA ∧ [¬ACT ∨ Vact] ∧ I(dk) ∧ I(mi) ∧ II(ma).
    ///
    /// # Errors
    ///
    /// Unit, state, activity, tokens, serial exhausted, encoding.
    pub fn major_sync(&mut self, data: &[u8]) -> Result<u64> {
        const R: &str = "S-SYNC-MAJOR request";
        self.unit(R, Requirements::MAJOR_SYNC)?;
        self.in_states(R, &[State::Sta713])?;
        self.inside(R)?;
        let t = self.tokens;
        self.tokens_ok(R, t.i(DK) && t.i(MI) && t.ii(MA), DK | MI | MA)?;
        let sn = self.next_point(R)?;
        let map = MajorSyncPoint {
            user_data: some(data),
            ..MajorSyncPoint::new(sn)
        };
        self.emit_pair(gt(), map.into())?;
        self.sync.vnextact = self.sync.vact;
        self.sync.point_sent();
        self.state = State::Sta04A;
        Ok(sn.value())
    }

    /// S-SYNC-MAJOR response: PT + MAA with V(M) − 1, \[14\]\[22\], STA10A → STA713;
    /// under TEXP preceded by PR-MAA on the expedited flow.
    ///
    /// # Errors
    ///
    /// Wrong state, encoding.
    pub fn major_sync_response(&mut self, data: &[u8]) -> Result<()> {
        self.in_states("S-SYNC-MAJOR response", &[State::Sta10A])?;
        self.prepare_room()?;
        let maa = MajorSyncAck {
            user_data: some(data),
            ..MajorSyncAck::new(SerialNumber::new(self.sync.vm.saturating_sub(1)))
        };
        self.emit_pair(pt(), maa.into())?;
        self.send_prepare(PrepareType::MajorSyncAck)?;
        self.sync.major_acked(self.has(Requirements::ACTIVITY));
        self.state = State::Sta713;
        Ok(())
    }

    /// S-U-EXCEPTION-REPORT request: PT + ED, STA713 → STA19.
    /// p50 = EXCEP ∧ [¬ACT ∨ Vact] ∧ AA(dk): only the side without the data token reports.
    ///
    /// # Errors
    ///
    /// Unit, state, activity, tokens, reserved reason, encoding.
    pub fn exception_report(&mut self, reason: u8, data: &[u8]) -> Result<()> {
        const R: &str = "S-U-EXCEPTION-REPORT request";
        self.unit(R, Requirements::EXCEPTIONS)?;
        self.in_states(R, &[State::Sta713])?;
        self.inside(R)?;
        self.tokens_ok(R, self.tokens.aa(DK), DK)?;
        if !defined_reason(reason) {
            return Err(Error::Parameter {
                request: R,
                why: "reason code reserved by X.225",
            });
        }
        let ed = ExceptionData {
            user_data: some(data),
            ..ExceptionData::new(reason)
        };
        self.emit_pair(pt(), ed.into())?;
        self.state = State::Sta19;
        Ok(())
    }

    /// S-RELEASE request: FN (release the transport), STA713 → STA03.
    /// p63 = every available token held ∧ ¬Vact.
    ///
    /// # Errors
    ///
    /// State, activity in progress, tokens, encoding.
    pub fn release(&mut self, data: &[u8]) -> Result<()> {
        const R: &str = "S-RELEASE request";
        self.in_states(R, &[State::Sta713])?;
        self.outside(R)?;
        let av = self.tokens.available();
        self.tokens_ok(R, self.tokens.owned() == av, av)?;
        let fn_ = Finish {
            user_data: some(data),
            ..Finish::default()
        };
        self.emit(&[fn_.into()])?;
        self.state = State::Sta03;
        Ok(())
    }

    /// S-RELEASE response in STA09: DN (`accept`), then STA16 with TIM until the FN's
    /// sender closes the transport (STA01C if the FN kept it; in a release collision the
    /// transport initiator waits in STA03 for the peer's DN); or NF (refuse, negotiated
    /// release only, the peer holding the release token) back to STA713.
    ///
    /// # Errors
    ///
    /// Wrong state; in a collision, the transport acceptor answering before the
    /// initiator's DN arrived; NF without negotiated release; encoding.
    pub fn release_response(&mut self, now: Instant, accept: bool, data: &[u8]) -> Result<()> {
        const R: &str = "S-RELEASE response";
        self.in_states(R, &[State::Sta09])?;
        if accept {
            // X.225 p69: in a collision the transport initiator answers first.
            if self.vcoll && self.role == Role::Responder && !self.vdnr {
                return Err(Error::State {
                    request: R,
                    state: self.state,
                });
            }
            let dn = Disconnect {
                user_data: some(data),
                ..Disconnect::default()
            };
            self.emit(&[dn.into()])?;
            if self.vcoll && self.role == Role::Initiator {
                self.state = State::Sta03;
            } else if self.keep_transport && !self.vcoll {
                self.reset(State::Sta01C);
            } else {
                self.wait_for_disconnect(now);
            }
        } else {
            self.unit(R, Requirements::NEGOTIATED_RELEASE)?;
            self.tokens_ok(R, self.tokens.aa(TokenItem::RELEASE), TokenItem::RELEASE)?;
            let nf = NotFinished {
                user_data: some(data),
                ..NotFinished::default()
            };
            self.emit(&[nf.into()])?;
            self.state = State::Sta713;
        }
        Ok(())
    }

    /// S-U-ABORT request: AB (release, user abort) in any state with a connection, TIM,
    /// STA16; under TEXP preceded by PR-AB on the expedited flow. In STA15D (the peer's
    /// PR-AB arrived) nothing is sent: the machine just waits in STA16. Under version 1 (or before the version is known) at most 9 octets of data.
    ///
    /// # Errors
    ///
    /// No connection; too much user data; full transmit buffer.
    pub fn abort(&mut self, now: Instant, data: &[u8]) -> Result<()> {
        const R: &str = "S-U-ABORT request";
        if !self.state.is_connected() {
            return Err(Error::State {
                request: R,
                state: self.state,
            });
        }
        // STA15D: the peer's AB is on its way; Annex A sends nothing and waits in STA16.
        if self.state == State::Sta15D {
            self.tx.drop_held();
            self.ex_tx.clear();
            self.wait_for_disconnect(now);
            return Ok(());
        }
        let ab: Spdu<'_> = Abort {
            user_data: some(data),
            ..Abort::new(TransportDisconnect(
                TransportDisconnect::RELEASE | TransportDisconnect::USER_ABORT,
            ))
        }
        .into();
        ab.check(Some(self.version.unwrap_or(Version(Version::V1))))
            .map_err(Error::Encode)?;
        self.tx.drop_held();
        self.send(&[ab])?;
        // S-U-ABORT is destructive (X.215): EX not yet sent is dropped with the connection.
        self.ex_tx.clear();
        // Under TEXP PR-AB goes first on the expedited flow (Annex A SUABreq rows, p02 false);
        // the queue was just emptied, so it fits.
        self.send_prepare(PrepareType::Abort)?;
        self.wait_for_disconnect(now);
        Ok(())
    }
}
