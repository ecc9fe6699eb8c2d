//! What one received TPDU does, by state (X.224 Annex A.6, the class 0 rows).

use super::*;

impl<B: Storage> Tp0<B> {
    /// One NSDU (TPKT payload): exactly one TPDU in class 0 (X.224 6.9.1.4).
    pub(super) fn handle_nsdu(&mut self, nsdu: &[u8]) -> Outcome {
        let tpdu = match Tpdu::decode(nsdu) {
            Ok((t, _)) => t,
            Err(e) => return self.decode_error(nsdu, e),
        };
        match (self.state, tpdu) {
            (State::AwaitCr, Tpdu::Cr(cr)) => self.on_cr(nsdu, &cr),
            (State::AwaitCc, Tpdu::Cc(cc)) => self.on_cc(nsdu, &cc),
            (State::Open, Tpdu::Dt(dt)) => self.on_dt(nsdu, dt.format, dt.roa, dt.eot, dt.data),
            (State::Open, Tpdu::Ed(ed)) => self.on_ed(nsdu, &ed),
            // A class 4 initiator retransmits its CR until it sees the CC: a copy is ignored
            // (X.224 6.5.4, Annex A.6); any other CR on the connection ends it (6.9.1.4.2).
            (State::AwaitAccept | State::Open, Tpdu::Cr(cr)) => {
                if cr.src_ref == self.remote_ref && cr.class.class() != 0 && self.cr_class != 0 {
                    Outcome::None
                } else {
                    self.closed(DisconnectCause::Unacceptable(
                        "a second CR on the network connection",
                    ))
                }
            }
            (State::AwaitCc, Tpdu::Dr(dr)) => self.closed(DisconnectCause::Refused(dr.reason)),
            // Class 0 has no DR on an open connection (X.224 Annex A.6), but RFC 1006 stacks
            // (ISODE, jositransport, python-snap7) send one before closing TCP: a disconnect,
            // user data ignored.
            (_, Tpdu::Dr(dr)) => self.closed(DisconnectCause::Released(dr.reason)),
            (_, Tpdu::Er(er)) => self.closed(DisconnectCause::ErrorReceived(er.cause)),
            // Types class 0 does not have.
            (_, Tpdu::Dc(_) | Tpdu::Ak(_) | Tpdu::Ea(_) | Tpdu::Rj(_)) => {
                self.protocol_error(nsdu, RejectCause::INVALID_TPDU_TYPE, None, 1)
            }
            (_, _) => self.protocol_error(nsdu, RejectCause::NOT_SPECIFIED, None, 1),
        }
    }

    pub(super) fn decode_error(&mut self, nsdu: &[u8], e: Error) -> Outcome {
        let cause = match e {
            Error::UnknownTpduCode(_) => RejectCause::INVALID_TPDU_TYPE,
            Error::ParamLength { .. } | Error::ParamValue { .. } => {
                RejectCause::INVALID_PARAM_VALUE
            }
            _ => RejectCause::NOT_SPECIFIED,
        };
        let at = e.at().unwrap_or(usize::MAX);
        self.protocol_error(nsdu, cause, Some(e), at)
    }

    /// Queues an ER quoting the header up to and including octet `at` (X.224 13.12.4:
    /// mandatory in class 0) and ends the connection.
    pub(super) fn protocol_error(
        &mut self,
        nsdu: &[u8],
        cause: RejectCause,
        error: Option<Error>,
        at: usize,
    ) -> Outcome {
        let header_len = usize::from(nsdu.first().copied().unwrap_or(0)).saturating_add(1);
        let quote_len = at
            .saturating_add(1)
            .min(header_len)
            .min(nsdu.len())
            .min(MAX_ER_QUOTE);
        let quote = nsdu.get(..quote_len).unwrap_or_default();
        // The ER goes to the peer's reference; before it is known, the SRC-REF of the CR or
        // CC being rejected if the header holds one (X.224 6.6.3 NOTE 1).
        let dst_ref = if self.remote_ref != 0 {
            self.remote_ref
        } else if nsdu.get(1).is_some_and(|c| c >> 4 == 0xe || c >> 4 == 0xd) {
            nsdu.get(4..6).map_or(0, |r| {
                u16::from_be_bytes([
                    r.first().copied().unwrap_or(0),
                    r.get(1).copied().unwrap_or(0),
                ])
            })
        } else {
            0
        };
        let mut p = ParamBuf::new();
        if p.push(&Param::InvalidTpdu(quote)).is_ok() {
            let er = ErrorTpdu {
                dst_ref,
                cause,
                params: p.params(),
            };
            let _ = self.queue(&Tpdu::Er(er));
        }
        self.closed(DisconnectCause::ProtocolError { cause, error })
    }

    pub(super) fn closed(&mut self, cause: DisconnectCause) -> Outcome {
        self.close(cause);
        Outcome::Disconnected(cause)
    }

    pub(super) fn close(&mut self, cause: DisconnectCause) {
        self.state = State::Closed;
        self.deadline = None;
        self.cause = Some(cause);
    }

    pub(super) fn send_dr(&mut self, reason: DisconnectReason) {
        let dr = Disconnect {
            dst_ref: self.remote_ref,
            src_ref: 0,
            reason,
            params: Params::EMPTY,
            data: &[],
        };
        let _ = self.queue(&Tpdu::Dr(dr));
    }

    pub(super) fn queue(&mut self, t: &Tpdu<'_>) -> Result<()> {
        self.out_len = write_tpkt(t, &mut self.out)?;
        Ok(())
    }

    /// Responder: a CR arrived (X.224 6.5, 8.2).
    pub(super) fn on_cr(&mut self, nsdu: &[u8], cr: &Connect<'_>) -> Outcome {
        self.remote_ref = cr.src_ref;
        let preferred = cr.class.class();
        if preferred > 4 {
            return self.protocol_error(nsdu, RejectCause::INVALID_PARAM_VALUE, None, 6);
        }
        // Table 3: class 0 may answer a preference for 1 always, for 2 with alternative 0,
        // for 3 or 4 with alternative 0 or 1. C6/C7 are not read when class 0 is preferred:
        // S7 routing puts other data under those codes (python-snap7's
        // `COTP_PARAM_SUBNET_ID` 0xC6, `COTP_PARAM_ROUTING_TSAP` 0xC7).
        if preferred != 0 {
            let alternatives = match cr.params.find(ParamCode::ALTERNATIVE_CLASSES) {
                Some(Ok(Param::AlternativeClasses(v))) => v,
                _ => &[],
            };
            let ok = preferred == 1
                || alternatives.iter().any(|&a| {
                    let c = a >> 4;
                    c == 0 || (c == 1 && preferred >= 3)
                });
            if !ok {
                self.send_dr(DisconnectReason::NEGOTIATION_FAILED);
                return self.closed(DisconnectCause::RefusedByUs(
                    DisconnectReason::NEGOTIATION_FAILED,
                ));
            }
        }
        // TPDU size: C0 (any meaningful code, including the non-ISO ones), else the RFC 1006
        // default; F0 if present and valid is used instead (6.5.4 k).
        let c0 = match size_param(&cr.params) {
            Ok(c0) => c0,
            Err((e, at)) => {
                return self.protocol_error(nsdu, RejectCause::INVALID_PARAM_VALUE, Some(e), at);
            }
        };
        let mut preferred_units = None;
        if let Some(Ok(Param::PreferredMaxTpduSize(u))) =
            cr.params.find(ParamCode::PREFERRED_MAX_TPDU_SIZE)
        {
            preferred_units = Some(u.value());
        }
        let ours = self.cfg.max_tpdu_size;
        match preferred_units {
            Some(units) => {
                let units = units.min(ours / 128).max(1);
                self.answer_size = AnswerSize::Preferred(units);
                self.tpdu_size = units * 128;
            }
            None => {
                let size = c0.unwrap_or(DEFAULT_ANSWER_SIZE).min(ours);
                let code = TpduSize::at_most(size);
                self.answer_size = AnswerSize::Code(code);
                self.tpdu_size = code.octets().unwrap_or(MIN_TPDU_SIZE);
            }
        }
        // RFC 1006 §5: expedited data only if the CR asks for it and we allow it.
        self.expedited = self.cfg.expedited
            && matches!(cr.params.find(ParamCode::ADDITIONAL_OPTIONS),
                Some(Ok(Param::AdditionalOptions(o))) if o.has(AdditionalOptions::EXPEDITED));
        if cr.data.len() > self.cfg.max_connect_data_len {
            let header_len = nsdu.len().saturating_sub(cr.data.len());
            return self.protocol_error(nsdu, RejectCause::NOT_SPECIFIED, None, header_len);
        }
        self.cr_class = preferred;
        self.calling.set(cr.calling_tsel().unwrap_or_default());
        self.called.set(cr.called_tsel().unwrap_or_default());
        self.connect_data.set(cr.data);
        self.state = State::AwaitAccept;
        Outcome::ConnectIndication
    }

    /// Initiator: the CC arrived (X.224 6.5.4, RFC 2126 §6.4 and §7).
    pub(super) fn on_cc(&mut self, nsdu: &[u8], cc: &Connect<'_>) -> Outcome {
        if cc.class.class() != 0 {
            // Class 0 only was proposed; a CC for another class is unacceptable, and class
            // 0 answers by closing the network connection (Annex A.6 WFCC).
            return self.closed(DisconnectCause::Unacceptable(
                "CC selected a class other than 0",
            ));
        }
        let proposed = self
            .cfg
            .proposed_tpdu_size
            .octets()
            .unwrap_or(MIN_TPDU_SIZE);
        // Never more than proposed (6.5.4 j): an oversize answer is clamped, not refused
        // (go-cotp v1.0.1 does the same); no C0 keeps the proposal.
        let mut size = match size_param(&cc.params) {
            Ok(c0) => c0.unwrap_or(proposed).min(proposed),
            Err((e, at)) => {
                return self.protocol_error(nsdu, RejectCause::INVALID_PARAM_VALUE, Some(e), at);
            }
        };
        if let (Some(ours), Some(Ok(Param::PreferredMaxTpduSize(u)))) = (
            self.cfg.proposed_preferred_units,
            cc.params.find(ParamCode::PREFERRED_MAX_TPDU_SIZE),
        ) {
            size = u.value().min(ours).saturating_mul(128);
        }
        self.tpdu_size = size.clamp(MIN_TPDU_SIZE, self.cfg.max_tpdu_size);
        self.expedited = self.cfg.expedited
            && matches!(cc.params.find(ParamCode::ADDITIONAL_OPTIONS),
                Some(Ok(Param::AdditionalOptions(o))) if o.has(AdditionalOptions::EXPEDITED));
        self.remote_ref = cc.src_ref;
        if cc.data.len() > self.cfg.max_connect_data_len {
            let header_len = nsdu.len().saturating_sub(cc.data.len());
            return self.protocol_error(nsdu, RejectCause::NOT_SPECIFIED, None, header_len);
        }
        self.called.set(cc.called_tsel().unwrap_or_default());
        self.connect_data.set(cc.data);
        self.state = State::Open;
        self.deadline = None;
        Outcome::Connected
    }

    /// A DT on an open connection (X.224 6.3, 13.7; RFC 2126 §6.5).
    pub(super) fn on_dt(
        &mut self,
        nsdu: &[u8],
        format: Format,
        roa: bool,
        eot: bool,
        data: &[u8],
    ) -> Outcome {
        if format != Format::Short {
            // Class 0 DT has LI 2 (X.224 13.7).
            return self.protocol_error(nsdu, RejectCause::NOT_SPECIFIED, None, 0);
        }
        if roa {
            return self.protocol_error(nsdu, RejectCause::INVALID_TPDU_TYPE, None, 1);
        }
        if !eot && data.is_empty() {
            // Every DT but the last of a TSDU carries data (6.3.3).
            return self.protocol_error(nsdu, RejectCause::NOT_SPECIFIED, None, 2);
        }
        let max = self.max_tsdu_len();
        let end = self.rx_len + data.len();
        let Some(dst) = (end <= max && self.rx.grow_to(end))
            .then(|| self.rx.octets_mut().get_mut(self.rx_len..end))
            .flatten()
        else {
            return self.closed(DisconnectCause::TsduTooLong { max });
        };
        dst.copy_from_slice(data);
        self.rx_len = end;
        if eot {
            self.delivered = true;
            Outcome::Data
        } else {
            Outcome::None
        }
    }

    /// An RFC 1006 class 0 ED (DT layout, code 0x10), only if negotiated.
    pub(super) fn on_ed(&mut self, nsdu: &[u8], ed: &Expedited<'_>) -> Outcome {
        if !self.expedited {
            return self.protocol_error(nsdu, RejectCause::INVALID_TPDU_TYPE, None, 1);
        }
        if ed.format != Format::Short || ed.data.is_empty() || ed.data.len() > MAX_EXPEDITED_LEN {
            return self.protocol_error(nsdu, RejectCause::NOT_SPECIFIED, None, 0);
        }
        self.ed.set(ed.data);
        Outcome::Expedited
    }
}

/// The TPDU size of the last C0 parameter in octets (`None` if absent), or the error and the
/// offset of the offending octet for a code with no defined size.
pub(super) fn size_param(params: &Params<'_>) -> core::result::Result<Option<u32>, (Error, usize)> {
    let Some((code, _, at)) = params
        .raw_iter()
        .filter(|(c, _, _)| *c == ParamCode::TPDU_SIZE.0)
        .last()
    else {
        return Ok(None);
    };
    match params.find(ParamCode::TPDU_SIZE) {
        Some(Ok(Param::TpduSize(s))) => match s.octets() {
            Some(n) => Ok(Some(n)),
            None => Err((
                Error::ParamValue {
                    code,
                    reason: "TPDU size code has no defined size",
                    at,
                },
                at + 2,
            )),
        },
        Some(Err(e)) => Err((e, at + 1)),
        _ => Ok(None),
    }
}
