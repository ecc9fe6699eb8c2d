//! Output: which TPDU goes next in the data phase, and the encoders of every TPDU we send.

use super::*;

impl Connection {
    // ------------------------------------------------------------------ output

    pub(super) fn transmit_open(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        if let Some(nr) = self.send_ea.take() {
            return self.emit_ea(nr, buf);
        }
        if self.send_ed {
            if let Some(at) = self.reuse_wait(true, self.ed_snd_nr, now) {
                self.seq_wait = Some(at);
            } else {
                self.send_ed = false;
                self.arm_t1(now);
                SeqGuard::record(&mut self.guard.ed, self.ed_snd_nr, now);
                return self.emit_ed(buf);
            }
        }
        if self.send_ak || self.send_fcc.is_some() {
            return self.emit_ak(now, buf);
        }
        if self.fast_resend {
            self.fast_resend = false;
            self.stats.fast_resends += 1;
            if self.snd_una < self.snd_next && self.snd_una < self.snd_uwe {
                self.arm_t1(now);
                return self.emit_dt(self.snd_una, now, buf);
            }
        }
        let cwnd_edge = self.snd_una.saturating_add(self.congestion.window());
        if self.resend_from < self.snd_next {
            let nr = self.resend_from;
            if nr >= cwnd_edge {
                return None;
            }
            if nr >= self.snd_uwe {
                // Never send outside the window, even when it was reduced (6.13).
                self.resend_from = self.snd_next;
                return None;
            }
            self.resend_from += 1;
            self.arm_t1(now);
            return self.emit_dt(nr, now, buf);
        }
        // Blocking expedited data: no new DT until the ED is acknowledged (6.11).
        if self.snd_next < self.snd_uwe.min(cwnd_edge)
            && self.ed_out.is_none()
            && !self.queue.is_empty()
        {
            if let Some(at) = self.reuse_wait(false, self.snd_next, now) {
                self.seq_wait = Some(at);
                return None;
            }
            if self.make_segment() {
                let nr = self.snd_next;
                self.snd_next += 1;
                self.resend_from = self.snd_next;
                self.arm_t1(now);
                return self.emit_dt(nr, now, buf);
            }
        }
        None
    }

    /// When number `nr` becomes safe to use for a new DT (or ED), if it is not yet.
    pub(super) fn reuse_wait(&self, ed: bool, nr: u64, now: Instant) -> Option<Instant> {
        if self.agreed.extended {
            // 2^31 numbers: no TPDU lives long enough to see its number come round again.
            return None;
        }
        let table = if ed { &self.guard.ed } else { &self.guard.dt };
        SeqGuard::wait(table, nr, now, self.cfg.max_nsdu_lifetime)
    }

    /// Cuts the next DT from the send queue; false if the queue is empty.
    pub(super) fn make_segment(&mut self) -> bool {
        let room = self.max_dt_data();
        let Some(front) = self.queue.front() else {
            return false;
        };
        let end = (self.queue_off + room).min(front.len());
        let data = front.get(self.queue_off..end).unwrap_or_default().to_vec();
        let eot = end == front.len();
        if eot {
            self.queue.pop_front();
            self.queue_off = 0;
        } else {
            self.queue_off = end;
        }
        self.unacked.push_back(Segment {
            eot,
            data,
            sent_at: None,
            resent: false,
        });
        true
    }

    /// User data octets one DT carries: TPDU size less the header and the checksum.
    pub(super) fn max_dt_data(&self) -> usize {
        let format = if self.agreed.extended {
            Format::Extended
        } else {
            Format::Normal
        };
        let c3 = if self.agreed.checksum { 4 } else { 0 };
        self.agreed
            .tpdu_len
            .saturating_sub(Data::header_len(format) + c3)
            .max(1)
    }

    pub(super) fn initial_credit(&self) -> u16 {
        self.credit_cap().min(MAX_NORMAL_CREDIT)
    }

    pub(super) fn credit_cap(&self) -> u16 {
        if self.agreed.extended {
            self.cfg.credit
        } else {
            self.cfg.credit.min(MAX_NORMAL_CREDIT)
        }
    }

    /// The credit we can grant now: none while the receive buffer is full.
    pub(super) fn grant(&self) -> u16 {
        let held = self.event_bytes + self.ooo_bytes;
        let free = self.cfg.max_receive_buffer.saturating_sub(held);
        let dts = free / self.max_dt_data();
        self.credit_cap()
            .min(u16::try_from(dts).unwrap_or(u16::MAX))
    }

    pub(super) fn window_time(&self) -> Duration {
        match self.agreed.peer_inactivity {
            Some(ir) => self.cfg.window_time.min(ir / 2),
            None => self.cfg.window_time,
        }
    }

    pub(super) fn seal(&self, pb: &mut ParamBuf) -> Option<()> {
        if self.agreed.checksum {
            pb.push(&Param::Checksum([0, 0])).ok()?;
        }
        Some(())
    }

    pub(super) fn finish(tpdu: &Tpdu<'_>, checksum: bool, buf: &mut [u8]) -> Option<usize> {
        let n = tpdu.encode(buf).ok()?;
        if checksum {
            checksum::fill(buf.get_mut(..n)?).ok()?;
        }
        Some(n)
    }

    pub(super) fn emit_connect(&self, cr: bool, buf: &mut [u8]) -> Option<usize> {
        let mut pb = ParamBuf::new();
        let a = &self.agreed;
        let mut opts = 0;
        if a.expedited {
            opts |= AdditionalOptions::EXPEDITED;
        }
        if !a.checksum {
            opts |= AdditionalOptions::NO_CHECKSUM;
        }
        // Selectors first: some peers need C1, C2, C0 in that order (Siemens LOGO! 0BA7,
        // apache/plc4x PR #308), though X.224 13.2.3 allows any order.
        if let Some(t) = &a.calling {
            pb.push(&Param::CallingTsel(t.as_slice())).ok()?;
        }
        if let Some(t) = &a.called {
            pb.push(&Param::CalledTsel(t.as_slice())).ok()?;
        }
        let size = TpduSize::at_most(u32::try_from(a.tpdu_len).unwrap_or(128));
        pb.push(&Param::TpduSize(size)).ok()?;
        if cr {
            pb.push(&Param::Version(VERSION)).ok()?;
        }
        pb.push(&Param::AdditionalOptions(AdditionalOptions(opts)))
            .ok()?;
        let al = u16::try_from(self.cfg.ack_time.as_millis()).unwrap_or(u16::MAX);
        pb.push(&Param::AckTime(al)).ok()?;
        // F2 must not be in the CC if it was absent from the CR (13.4.4).
        if cr || a.peer_inactivity.is_some() {
            let il = u32::try_from(self.cfg.inactivity_time.as_millis()).unwrap_or(u32::MAX);
            pb.push(&Param::InactivityTimer(il)).ok()?;
        }
        // A class 4 CR always carries the checksum (6.17), whatever it proposes.
        let checksum = cr || a.checksum;
        if checksum {
            pb.push(&Param::Checksum([0, 0])).ok()?;
        }
        let c = Connect {
            cdt: u8::try_from(self.initial_credit()).unwrap_or(15),
            dst_ref: if cr { 0 } else { self.remote_ref },
            src_ref: self.local_ref,
            class: ClassOption::new(4, a.extended, false),
            params: pb.params(),
            data: &[],
        };
        let t = if cr { Tpdu::Cr(c) } else { Tpdu::Cc(c) };
        Self::finish(&t, checksum, buf)
    }

    pub(super) fn emit_dr(&self, buf: &mut [u8]) -> Option<usize> {
        let mut pb = ParamBuf::new();
        self.seal(&mut pb)?;
        let t = Tpdu::Dr(Disconnect {
            dst_ref: self.dr_dst,
            src_ref: self.local_ref,
            reason: self.dr_reason,
            params: pb.params(),
            data: &[],
        });
        Self::finish(&t, self.agreed.checksum, buf)
    }

    pub(super) fn emit_reply(&self, r: Reply, buf: &mut [u8]) -> Option<usize> {
        let mut pb = ParamBuf::new();
        let checksum = match r {
            Reply::Dc { checksum, .. } | Reply::Dr { checksum, .. } => checksum,
        };
        if checksum {
            pb.push(&Param::Checksum([0, 0])).ok()?;
        }
        let t = match r {
            Reply::Dc { dst, src, .. } => Tpdu::Dc(DisconnectConfirm {
                dst_ref: dst,
                src_ref: src,
                params: pb.params(),
            }),
            Reply::Dr {
                dst, src, reason, ..
            } => Tpdu::Dr(Disconnect {
                dst_ref: dst,
                src_ref: src,
                reason,
                params: pb.params(),
                data: &[],
            }),
        };
        Self::finish(&t, checksum, buf)
    }

    pub(super) fn emit_dt(&mut self, nr: u64, now: Instant, buf: &mut [u8]) -> Option<usize> {
        SeqGuard::record(&mut self.guard.dt, nr, now);
        self.stats.dts_sent += 1;
        if nr + 1 < self.snd_next {
            self.stats.dts_resent += 1;
        }
        let idx = usize::try_from(nr.checked_sub(self.snd_una)?).ok()?;
        if let Some(seg) = self.unacked.get_mut(idx) {
            if seg.sent_at.is_some() {
                seg.resent = true;
            } else {
                seg.sent_at = Some(now);
            }
        }
        let seg = self.unacked.get(idx)?;
        let mut pb = ParamBuf::new();
        self.seal(&mut pb)?;
        let t = Tpdu::Dt(Data {
            format: self.format(),
            dst_ref: self.remote_ref,
            roa: false,
            eot: seg.eot,
            nr: self.space.wire(nr),
            params: pb.params(),
            data: &seg.data,
        });
        Self::finish(&t, self.agreed.checksum, buf)
    }

    pub(super) fn emit_ed(&self, buf: &mut [u8]) -> Option<usize> {
        let ed = self.ed_out?;
        let mut pb = ParamBuf::new();
        self.seal(&mut pb)?;
        let t = Tpdu::Ed(Expedited {
            format: self.format(),
            dst_ref: self.remote_ref,
            eot: true,
            nr: self.space.wire(self.ed_snd_nr),
            params: pb.params(),
            data: ed.as_slice(),
        });
        Self::finish(&t, self.agreed.checksum, buf)
    }

    pub(super) fn emit_ea(&self, nr: u64, buf: &mut [u8]) -> Option<usize> {
        let mut pb = ParamBuf::new();
        self.seal(&mut pb)?;
        let t = Tpdu::Ea(ExpeditedAck {
            extended: self.agreed.extended,
            dst_ref: self.remote_ref,
            nr: self.space.wire(nr),
            params: pb.params(),
        });
        Self::finish(&t, self.agreed.checksum, buf)
    }

    pub(super) fn emit_ak(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
        let cdt = self.grant();
        let (last_nr, last_cdt) = self.last_adv;
        if self.rcv_next + u64::from(cdt) < last_nr + u64::from(last_cdt) {
            // Credit reduced: a higher subsequence keeps this AK in sequence (12.2.3.8.2).
            self.ak_subseq = self.ak_subseq.wrapping_add(1);
        }
        if last_cdt == 0 && cdt > 0 && self.rcv_next == last_nr {
            // This AK reopens a closed window: retransmit it until confirmed (12.2.3.8.3).
            self.reopen_pending = true;
            self.arm_t1(now);
        }
        self.last_adv = (self.rcv_next, cdt);
        self.rcv_uwe = self.rcv_next + u64::from(cdt);
        self.send_ak = false;
        self.ack_at = None;
        self.in_seq_since_ak = 0;
        self.window_at = Some(now + self.window_time());
        self.stats.aks_sent += 1;
        let fcc = self.send_fcc.take();
        let mut pb = ParamBuf::new();
        if self.ak_subseq != 0 {
            pb.push(&Param::SubsequenceNumber(self.ak_subseq)).ok()?;
        }
        // An AK under retransmission must not carry FCC (12.2.3.9).
        if let (Some((lwe, subsequence, credit)), false) = (fcc, self.reopen_pending) {
            pb.push(&Param::FlowControlConfirmation {
                lower_window_edge: lwe,
                subsequence,
                credit,
            })
            .ok()?;
        }
        self.seal(&mut pb)?;
        let t = Tpdu::Ak(Ack {
            extended: self.agreed.extended,
            dst_ref: self.remote_ref,
            nr: self.space.wire(self.rcv_next),
            cdt,
            params: pb.params(),
        });
        Self::finish(&t, self.agreed.checksum, buf)
    }

    pub(super) fn format(&self) -> Format {
        if self.agreed.extended {
            Format::Extended
        } else {
            Format::Normal
        }
    }
}
