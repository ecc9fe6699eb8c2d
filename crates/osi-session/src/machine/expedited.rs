//! The Expedited Data functional unit: S-EXPEDITED-DATA and the EX SPDU (X.225 §6.4,
//! §7.12).
//!
//! EX travels on the transport expedited flow, so it has its own way in and out: the user
//! queues it with [`Session::send_expedited`], the shell takes it with
//! [`Session::poll_transmit_expedited`] and sends it as transport expedited data (e.g. a
//! TP0/TP2 ED TPDU), and gives expedited TSDUs received to
//! [`Session::handle_expedited_tsdu`]. The unit is proposed and accepted only when
//! [`super::Config::transport_expedited`] says the transport connection has expedited data
//! (TEXP): TP0 over RFC 1006 has it only when negotiated in the CR/CC.
//!
//! PREPARE (PR) shares this flow: see [`super::prepare`].

use osi_sansio::{BufferTooSmall, Instant, Storage};

use super::buffers::Span;
use super::{Error, Event, Result, Rule, Session, State};
use crate::{Expedited, Kind, MAX_EXPEDITED_DATA, Prepare, PrepareType, Requirements, Spdu, Tsdu};

/// EX SPDUs queued for [`Session::poll_transmit_expedited`], and EX SPDUs received in
/// STA02A held until the AC arrives (X.225 Annex A action \[10\]). Transport expedited
/// flow control lets little through at a time (TP allows one unacknowledged ED TPDU), so
/// a short queue is enough; a full one refuses the request with
/// [`Error::TransmitFull`].
pub const MAX_EXPEDITED_QUEUED: usize = 4;

/// Octets of the longest EX TSDU: SI, a one-octet LI (0) and 14 octets of user information.
pub const MAX_EXPEDITED_TSDU: usize = 2 + MAX_EXPEDITED_DATA;

/// Encoded EX TSDUs waiting for the expedited flow, in a fixed ring (no allocation, and
/// independent of the normal-flow buffer so that a full normal queue never blocks EX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ExQueue {
    slots: [([u8; MAX_EXPEDITED_TSDU], usize); MAX_EXPEDITED_QUEUED],
    head: usize,
    len: usize,
}

impl ExQueue {
    pub(crate) fn push(&mut self, ex: &Spdu<'_>) -> Result<()> {
        let tsdu = Tsdu::from_spdus(core::slice::from_ref(ex)).map_err(Error::Encode)?;
        let n = tsdu.encoded_len().map_err(Error::Encode)?;
        let full = Error::TransmitFull {
            needed: n,
            available: 0,
        };
        if self.len >= MAX_EXPEDITED_QUEUED {
            return Err(full);
        }
        let slot = self
            .slots
            .get_mut((self.head + self.len) % MAX_EXPEDITED_QUEUED)
            .ok_or(full)?;
        let out = slot.0.get_mut(..n).ok_or(full)?;
        // Basic concatenation: EX always goes alone in its TSDU.
        tsdu.encode(false, out).map_err(Error::Encode)?;
        slot.1 = n;
        self.len += 1;
        Ok(())
    }

    pub(crate) fn peek_len(&self) -> Option<usize> {
        (self.len > 0)
            .then(|| self.slots.get(self.head).map(|s| s.1))
            .flatten()
    }

    pub(crate) fn pop(&mut self, out: &mut [u8]) -> Result<Option<usize>, BufferTooSmall> {
        let Some((bytes, n)) = (self.len > 0).then(|| self.slots.get(self.head)).flatten() else {
            return Ok(None);
        };
        let dst = out.get_mut(..*n).ok_or(BufferTooSmall { needed: *n })?;
        dst.copy_from_slice(bytes.get(..*n).unwrap_or_default());
        let n = *n;
        self.head = (self.head + 1) % MAX_EXPEDITED_QUEUED;
        self.len -= 1;
        Ok(Some(n))
    }

    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len >= MAX_EXPEDITED_QUEUED
    }
}

/// EX received in STA02A, before the AC that may select the unit: the user data stays
/// pinned in the receive buffer until the AC decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct EarlyEx {
    spans: [Span; MAX_EXPEDITED_QUEUED],
    len: usize,
}

impl EarlyEx {
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, s: Span) -> bool {
        match self.spans.get_mut(self.len) {
            Some(slot) => {
                *slot = s;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    pub(crate) fn take(&mut self) -> impl Iterator<Item = Span> {
        let (spans, len) = (self.spans, self.len);
        self.len = 0;
        spans.into_iter().take(len)
    }
}

/// What an EX received in a state does, from the EX rows of X.225 Annex A (as transcribed
/// in ISODE++ SSAP.sm; Vcoll and p185 evaluated for a machine without data separation or
/// symmetric synchronize, where Discard-rcv-flow is set exactly while a resynchronization,
/// interrupt or discard is in progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnEx {
    /// SEXind.
    Indicate,
    /// Swallowed: the receive flow is being discarded (p185 in STA05A–C and STA11A), or
    /// the state waits for recovery (STA19, STA20).
    Discard,
    /// Stored (action \[10\]) until the AC (STA02A), the MAA or AEA (STA15A), the RA, AIA
    /// or ADA (STA15C) or the RS (STA06) recalls it with \[6\].
    Hold,
    /// A blank cell: protocol error.
    Invalid,
}

fn on_ex(s: State, vcoll: bool) -> OnEx {
    match s {
        State::Sta713 | State::Sta04A | State::Sta04B | State::Sta18 | State::Sta21 => {
            OnEx::Indicate
        }
        // p09 = FU(EX) ∧ ¬Vcoll: after our FN, EX only while no release collision.
        State::Sta03 if !vcoll => OnEx::Indicate,
        State::Sta05A
        | State::Sta05B
        | State::Sta05C
        | State::Sta11A
        | State::Sta19
        | State::Sta20
        | State::Sta15D => OnEx::Discard,
        State::Sta02A | State::Sta15A | State::Sta15C | State::Sta06 => OnEx::Hold,
        // STA15B has no EX row: an EX the peer sent before its PR-RS came before it on this
        // flow, and in STA05A it sends none.
        _ => OnEx::Invalid,
    }
}

impl<B: Storage> Session<B> {
    /// S-EXPEDITED-DATA request: queues EX for the transport expedited flow; take it with
    /// [`Session::poll_transmit_expedited`]. Valid where X.225 Annex A has an SEXreq row:
    /// STA713, STA10A, STA10B, STA18, and STA09 unless in a release collision (p09); not
    /// subject to tokens (X.225 §5.7: EX is not token-controlled).
    ///
    /// # Errors
    ///
    /// Expedited data not selected; wrong state; empty data or more than
    /// [`MAX_EXPEDITED_DATA`] octets (X.215 S-EXPEDITED-DATA carries 1 to 14 octets in both
    /// versions); [`MAX_EXPEDITED_QUEUED`] EX already waiting ([`Error::TransmitFull`]).
    pub fn send_expedited(&mut self, data: &[u8]) -> Result<()> {
        const R: &str = "S-EXPEDITED-DATA request";
        self.unit(R, Requirements::EXPEDITED)?;
        let ok = match self.state {
            State::Sta713 | State::Sta10A | State::Sta10B | State::Sta18 => true,
            State::Sta09 => !self.vcoll,
            _ => false,
        };
        if !ok {
            return Err(Error::State {
                request: R,
                state: self.state,
            });
        }
        if data.is_empty() {
            return Err(Error::Parameter {
                request: R,
                why: "S-EXPEDITED-DATA needs 1 to 14 octets of user data",
            });
        }
        let ex: Spdu<'_> = Expedited {
            user_info: data,
            ..Expedited::default()
        }
        .into();
        // Rejects more than MAX_EXPEDITED_DATA octets (Error::Encode(ExpeditedTooLong)).
        self.check_version(&ex)?;
        self.ex_tx.push(&ex)
    }

    /// Copies the next TSDU for the transport expedited flow into `buf` and returns its
    /// length, or `None` if nothing is waiting. Poll it before [`Session::poll_transmit`]:
    /// expedited data may overtake normal data, never the reverse.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `buf` is shorter than the TSDU (at most
    /// [`MAX_EXPEDITED_TSDU`]); the TSDU stays queued.
    pub fn poll_transmit_expedited(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> Result<Option<usize>, BufferTooSmall> {
        let _ = now;
        self.ex_tx.pop(buf)
    }

    /// Length of the TSDU [`Session::poll_transmit_expedited`] would give next.
    pub fn next_transmit_expedited_len(&self) -> Option<usize> {
        self.ex_tx.peek_len()
    }

    /// Takes one TSDU received on the transport expedited flow (T-EXPEDITED-DATA
    /// indication). An EX gives [`Event::ExpeditedData`]; in STA02A it is held until the AC
    /// (X.225 Annex A action \[10\]: expedited data may overtake the AC), likewise in
    /// STA15A, STA15C and STA06 until the SPDU awaited. A PR (under TEXP) moves the machine
    /// to STA15A–D or STA06, or is stored until \[6\]. Anything else on this flow, EX when
    /// the unit was not selected, or a PR where Annex A has no row for it, is a protocol
    /// error answered with AB and [`Event::ProviderAbort`] as in [`Session::handle_tsdu`].
    ///
    /// # Errors
    ///
    /// As [`Session::handle_tsdu`]: the TSDU is not consumed when undrained events or a
    /// full transmit buffer leave too little room.
    pub fn handle_expedited_tsdu(&mut self, now: Instant, tsdu: &[u8]) -> Result<()> {
        self.admit(tsdu.len())?;
        match self.state {
            // No connection: nothing to answer.
            State::Sta01 => return Ok(()),
            // Waiting for the transport to close, or for the AB a PR-AB announced: every
            // SPDU is discarded, but PR-AB in STA16 means both sides abort at once, and the
            // table closes the transport (Table A.16, STA16 PR-AB row).
            State::Sta16 | State::Sta15D => {
                if self.state == State::Sta16
                    && let Ok(t) = Tsdu::decode(tsdu, self.context())
                    && let Some(Spdu::Prepare(Prepare {
                        prepare_type: PrepareType::Abort,
                        ..
                    })) = t.iter().next()
                {
                    self.disconnect();
                }
                return Ok(());
            }
            _ => {}
        }
        let t = match Tsdu::decode(tsdu, self.context()) {
            Ok(t) => t,
            Err(e) => {
                self.protocol_error(now, Rule::Invalid(e));
                return Ok(());
            }
        };
        // EX and PR are category-less / category 1: the codec keeps them alone in a TSDU.
        for s in t.iter() {
            let r = match s {
                Spdu::Expedited(ex) => self.recv_ex(ex),
                Spdu::Prepare(pr) => self.recv_pr(pr),
                _ => Err(Rule::WrongFlow {
                    spdu: s.kind(),
                    expedited: true,
                }),
            };
            if let Err(rule) = r {
                self.protocol_error(now, rule);
                break;
            }
        }
        Ok(())
    }

    /// EX received on the expedited flow.
    fn recv_ex(&mut self, ex: &Expedited<'_>) -> Result<(), Rule> {
        const K: Kind = Kind::Expedited;
        let n = ex.user_info.len();
        if n > MAX_EXPEDITED_DATA {
            return Err(Rule::Invalid(crate::Error::ExpeditedTooLong(n)));
        }
        // An empty EX is accepted: liberal in what we take, as X.225 gives the EX user
        // information field no minimum that a receiver must check.
        match on_ex(self.state, self.vcoll) {
            OnEx::Hold => {
                // In STA02A only the CN's proposal is known yet; the AC confirms the
                // selection. Elsewhere p08 = FU(EX).
                let early = self.state == State::Sta02A;
                let fu = if early {
                    self.offer.requirements
                } else {
                    self.fu
                };
                if !fu.contains(Requirements::EXPEDITED) {
                    return Err(Rule::FunctionalUnit { spdu: K });
                }
                if !early && self.early_ex.len() >= super::prepare::MAX_HELD_EX {
                    return Err(Rule::ExpeditedBacklog);
                }
                let span = self.store(ex.user_info)?;
                // Kept across calls until recalled: the receive buffer must not reuse it.
                self.rx.pin();
                if !self.early_ex.push(span) {
                    return Err(Rule::ExpeditedBacklog);
                }
                Ok(())
            }
            OnEx::Invalid => Err(Rule::Unexpected {
                spdu: K,
                state: self.state,
            }),
            // Every other row has p08 = FU(EX).
            _ if !self.has(Requirements::EXPEDITED) => Err(Rule::FunctionalUnit { spdu: K }),
            OnEx::Discard => Ok(()),
            OnEx::Indicate => {
                let d = self.store(ex.user_info)?;
                self.event(Event::ExpeditedData(d));
                Ok(())
            }
        }
    }

    /// Action \[6\] for EX: after the AC's S-CONNECT confirm the EX held in STA02A become
    /// indications, or a protocol error if the AC did not select the unit; after STA15A,
    /// STA15C or STA06 they are taken as the new state's EX row says (indicated in STA713,
    /// discarded in STA05A–C and STA11A).
    pub(super) fn release_early_ex(&mut self) -> Result<(), Rule> {
        if self.early_ex.is_empty() {
            return Ok(());
        }
        self.rx.unpin();
        if !self.has(Requirements::EXPEDITED) {
            self.early_ex = EarlyEx::default();
            return Err(Rule::FunctionalUnit {
                spdu: Kind::Expedited,
            });
        }
        let mut early = core::mem::take(&mut self.early_ex);
        let indicate = on_ex(self.state, self.vcoll) == OnEx::Indicate;
        for span in early.take() {
            if indicate {
                self.event(Event::ExpeditedData(span));
            }
        }
        Ok(())
    }
}
