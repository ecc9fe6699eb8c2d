//! Input: each received NSDU split into TPDUs, checked (checksum, reference, format) and
//! dispatched; then the data phase: DT resequencing and reassembly, AK windows, ED and EA.

use super::*;

impl Connection {
    // ------------------------------------------------------------------ input

    /// Handles one received NSDU: one TPDU, or several concatenated (6.4).
    ///
    /// A TPDU that fails its checksum, does not decode, or does not belong to this
    /// connection is discarded (6.9.2.4, 6.17.3); decoding stops at the first that fails.
    ///
    /// # Fuzzing
    ///
    /// Built with `cfg(fuzzing)`, checksums are not verified and their presence is not
    /// required, so that a fuzzer's TPDUs reach the procedures behind the check.
    pub fn handle_datagram(&mut self, now: Instant, nsdu: &[u8]) {
        let mut rest = nsdu;
        while !rest.is_empty() {
            let Ok((tpdu, used)) = Tpdu::decode(rest) else {
                return;
            };
            let (this, after) = rest.split_at(used.min(rest.len()));
            rest = after;
            self.handle_tpdu(now, tpdu, this);
        }
    }

    fn handle_tpdu(&mut self, now: Instant, tpdu: Tpdu<'_>, octets: &[u8]) {
        let has_c3 = params_of(&tpdu)
            .raw_iter()
            .any(|(code, _, _)| code == ParamCode::CHECKSUM.0);
        if !cfg!(fuzzing) && has_c3 && !checksum::verify(octets) {
            // 6.17.3: a TPDU failing the check is discarded; nothing in it can be trusted.
            return;
        }
        match tpdu {
            Tpdu::Cr(cr) => self.on_cr(now, &cr, has_c3),
            Tpdu::Cc(cc) => self.on_cc(now, &cc, has_c3),
            Tpdu::Dr(dr) => self.on_dr(now, &dr, has_c3),
            Tpdu::Dc(dc) => self.on_dc(now, &dc),
            other => {
                if !self.belongs(&other, has_c3) {
                    return;
                }
                match (self.state, &other) {
                    (State::WaitCc, Tpdu::Er(e)) => {
                        // A.7 WFCC, ER: the CR was rejected.
                        self.push_event(Event::Disconnected(DisconnectCause::PeerError(e.cause)));
                        self.freeze(now);
                    }
                    (State::AckWait, Tpdu::Er(e)) => self.fail(
                        DisconnectCause::PeerError(e.cause),
                        DisconnectReason::PROTOCOL_ERROR,
                    ),
                    (State::AckWait, _) => {
                        // Table 5: DT, AK, ED, EA or RJ acknowledge the CC.
                        self.open(now);
                        self.on_data_phase(now, other);
                    }
                    (State::Open, _) => self.on_data_phase(now, other),
                    _ => {}
                }
            }
        }
    }

    /// Whether a data-phase TPDU is for this connection and has the agreed checksum use.
    fn belongs(&self, t: &Tpdu<'_>, has_c3: bool) -> bool {
        let dst = match t {
            Tpdu::Dt(d) => d.dst_ref,
            Tpdu::Ed(e) => e.dst_ref,
            Tpdu::Ak(a) => a.dst_ref,
            Tpdu::Ea(e) => e.dst_ref,
            Tpdu::Rj(r) => r.dst_ref,
            Tpdu::Er(e) => e.dst_ref,
            _ => return false,
        };
        let format_ok = match t {
            Tpdu::Dt(d) => {
                d.format != Format::Short && (d.format == Format::Extended) == self.agreed.extended
            }
            Tpdu::Ed(e) => {
                e.format != Format::Short && (e.format == Format::Extended) == self.agreed.extended
            }
            Tpdu::Ak(a) => a.extended == self.agreed.extended,
            Tpdu::Ea(e) => e.extended == self.agreed.extended,
            Tpdu::Rj(r) => r.extended == self.agreed.extended,
            _ => true,
        };
        // RJ has no variable part, so it cannot carry C3 (13.11); ER may come without one.
        let checksum_ok = cfg!(fuzzing)
            || matches!(t, Tpdu::Rj(_) | Tpdu::Er(_))
            || has_c3 == self.agreed.checksum;
        dst == self.local_ref && format_ok && checksum_ok
    }

    // ------------------------------------------------------------------ data phase input

    pub(super) fn on_data_phase(&mut self, now: Instant, t: Tpdu<'_>) {
        // 6.21: every valid TPDU restarts the inactivity timer.
        self.inactivity_at = Some(now + self.cfg.inactivity_time);
        match t {
            Tpdu::Dt(d) => self.on_dt(now, &d),
            Tpdu::Ak(a) => {
                let mut subseq = 0;
                let mut fcc = None;
                for p in a.params.iter().flatten() {
                    match p {
                        Param::SubsequenceNumber(s) => subseq = s,
                        Param::FlowControlConfirmation {
                            lower_window_edge,
                            subsequence,
                            credit,
                        } => fcc = Some((lower_window_edge, subsequence, credit)),
                        _ => {}
                    }
                }
                if let Some(f) = fcc {
                    self.on_fcc(now, f);
                }
                self.on_ak(now, a.nr, subseq, a.cdt, false);
            }
            Tpdu::Rj(r) => {
                // RJ is a class 1/3 TPDU (Table 8); a class 4 peer sending it asks for
                // retransmission from YR-TU-NR, which we honour rather than drop.
                self.on_ak(now, r.nr, self.last_ak.1, r.cdt, true);
            }
            Tpdu::Ed(e) => self.on_ed(&e),
            Tpdu::Ea(e) => self.on_ea(now, &e),
            Tpdu::Er(e) => self.fail(
                DisconnectCause::PeerError(e.cause),
                DisconnectReason::PROTOCOL_ERROR,
            ),
            _ => {}
        }
    }

    pub(super) fn on_dt(&mut self, now: Instant, d: &Data<'_>) {
        self.reopen_pending = false;
        let abs = match self.space.place(self.rcv_next, d.nr) {
            Place::Behind(_) => {
                // 6.20: a duplicate is acknowledged again (its AK may have been lost).
                self.send_ak = true;
                return;
            }
            Place::Ahead(k) => self.rcv_next + k,
        };
        if abs >= self.rcv_uwe {
            // Outside the window we granted: discard, and tell the peer our window.
            self.send_ak = true;
            return;
        }
        if abs > self.rcv_next {
            if !self.ooo.contains_key(&abs) {
                self.ooo_bytes += d.data.len();
                self.ooo.insert(
                    abs,
                    Segment {
                        eot: d.eot,
                        data: d.data.to_vec(),
                        sent_at: None,
                        resent: false,
                    },
                );
            }
            // A gap: acknowledge at once so the sender learns of it.
            self.send_ak = true;
            return;
        }
        if !self.accept_in_sequence(d.eot, d.data) {
            return;
        }
        while let Some(seg) = self.ooo.remove(&self.rcv_next) {
            self.ooo_bytes -= seg.data.len();
            if !self.accept_in_sequence(seg.eot, &seg.data) {
                return;
            }
        }
        self.in_seq_since_ak += 1;
        if self.in_seq_since_ak >= self.cfg.ack_every || self.rcv_next >= self.rcv_uwe {
            self.send_ak = true;
        } else if self.ack_at.is_none() {
            self.ack_at = Some(now + self.cfg.ack_time);
        }
    }

    /// Appends the next in-sequence DT; false if the connection failed on it.
    pub(super) fn accept_in_sequence(&mut self, eot: bool, data: &[u8]) -> bool {
        if self.reasm.len() + data.len() > self.cfg.max_tsdu_len {
            self.fail(
                DisconnectCause::ProtocolError("TSDU longer than max_tsdu_len"),
                DisconnectReason::PROTOCOL_ERROR,
            );
            return false;
        }
        self.reasm.extend_from_slice(data);
        self.rcv_next += 1;
        if eot {
            let tsdu = core::mem::take(&mut self.reasm);
            self.event_bytes += tsdu.len();
            self.events.push_back(Event::Data(tsdu));
        }
        true
    }

    pub(super) fn on_ak(&mut self, now: Instant, nr: u32, subseq: u16, cdt: u16, reject: bool) {
        let abs = match self.space.place(self.snd_una, nr) {
            Place::Ahead(k) if self.snd_una + k <= self.snd_next => self.snd_una + k,
            // Older than what was already acknowledged, or acknowledging what was never
            // sent: out of sequence, discarded (12.2.3.7).
            _ => return,
        };
        let (lnr, lsub, lcdt) = self.last_ak;
        let in_sequence = reject
            || abs > lnr
            || (abs == lnr && subseq > lsub)
            || (abs == lnr && subseq == lsub && cdt >= lcdt);
        if !in_sequence {
            return;
        }
        let duplicate = !reject && (abs, subseq, cdt) == self.last_ak;
        let was_closed = self.snd_uwe <= self.snd_una;
        let acked = abs - self.snd_una;
        let mut sample = None;
        for _ in 0..acked {
            if let Some(seg) = self.unacked.pop_front() {
                self.send_bytes -= seg.data.len();
                // Karn: only a DT sent once gives an unambiguous round trip.
                sample = seg.sent_at.filter(|_| !seg.resent).map(|t| now - t);
            }
        }
        if let Some(r) = sample {
            self.rtt.sample(r);
        }
        self.snd_una = abs;
        self.snd_uwe = abs + u64::from(cdt);
        self.last_ak = (abs, subseq, cdt);
        if self.resend_from < abs || reject {
            self.resend_from = abs;
        }
        let reopened = was_closed && cdt > 0;
        if reopened || (duplicate && self.last_ak_reopened) {
            // 12.2.3.9: confirm a window that was reopened, and answer repeats of that AK.
            self.send_fcc = Some((self.space.wire(abs), subseq, cdt));
        }
        if reopened {
            self.last_ak_reopened = true;
        } else if !duplicate {
            self.last_ak_reopened = false;
        }
        if acked > 0 {
            self.dup_acks = 0;
            if self.congestion.on_ack(acked, self.snd_una) {
                // A partial acknowledgement while repairing: the next hole is lost too.
                self.fast_resend = true;
            }
            self.progress(now);
        } else if duplicate && self.snd_una < self.snd_next {
            self.dup_acks += 1;
            if self.dup_acks == self.cfg.fast_retransmit_after && !self.congestion.recovering() {
                self.fast_resend = true;
                self.congestion
                    .on_loss(self.snd_next - self.snd_una, self.snd_next);
            }
        }
    }

    pub(super) fn on_fcc(&mut self, now: Instant, (lwe, subseq, credit): (u32, u16, u16)) {
        let (nr, cdt) = self.last_adv;
        if self.reopen_pending
            && lwe == self.space.wire(nr)
            && subseq == self.ak_subseq
            && credit == cdt
        {
            self.reopen_pending = false;
            self.progress(now);
        }
    }

    pub(super) fn on_ed(&mut self, e: &Expedited<'_>) {
        if !self.agreed.expedited || e.data.is_empty() || e.data.len() > MAX_EXPEDITED_LEN {
            // 6.11: ED not agreed or of a length outside 1..16: protocol error, ignored.
            return;
        }
        match self.space.place(self.ed_rcv_next, e.nr) {
            Place::Ahead(0) => {
                let queued = self
                    .events
                    .iter()
                    .filter(|e| matches!(e, Event::Expedited(_)))
                    .count();
                if queued >= self.cfg.max_queued_expedited {
                    // The user is not taking expedited data: no EA, the peer retries.
                    return;
                }
                if let Some(ed) = ExpeditedData::new(e.data) {
                    self.events.push_back(Event::Expedited(ed));
                }
                self.send_ea = Some(self.ed_rcv_next);
                self.ed_rcv_next += 1;
            }
            Place::Behind(1) => {
                // The EA was lost: acknowledge again, do not deliver again.
                self.send_ea = Some(self.ed_rcv_next - 1);
            }
            _ => {}
        }
    }

    pub(super) fn on_ea(&mut self, now: Instant, e: &ExpeditedAck<'_>) {
        if self.ed_out.is_some() && e.nr == self.space.wire(self.ed_snd_nr) {
            self.ed_out = None;
            self.send_ed = false;
            self.ed_snd_nr += 1;
            self.events.push_back(Event::ExpeditedAcknowledged);
            self.progress(now);
        }
    }
}
