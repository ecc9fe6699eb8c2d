//! Connection establishment (CR, CC), release (DR, DC), frozen references and T1.

use super::*;

impl Connection {
    // ------------------------------------------------------------------ establishment

    pub(super) fn on_cr(&mut self, now: Instant, cr: &Connect<'_>, has_c3: bool) {
        match self.state {
            State::Listen => {}
            State::AckWait if cr.src_ref == self.remote_ref => {
                // Duplicate CR while our CC is unacknowledged: send the CC again (6.5.4).
                self.send_cc = true;
                return;
            }
            // Duplicate CR in data transfer or while the user decides: ignore.
            _ => return,
        }
        if !has_c3 && !cfg!(fuzzing) {
            // A class 4 CR always carries the checksum (6.17); without it, it cannot be trusted.
            return;
        }
        if cr.class.class() != 4 || cr.src_ref == 0 {
            // Over CLNS only class 4 (12.2.1): refuse with SRC-REF 0 (6.6).
            self.reply(Reply::Dr {
                dst: cr.src_ref,
                src: 0,
                reason: DisconnectReason::NEGOTIATION_FAILED,
                checksum: has_c3,
            });
            return;
        }
        let mut options = AdditionalOptions(0x01);
        let mut size = TpduSize::S128;
        let mut il = None;
        for p in cr.params.iter() {
            // 13.2.3: in a CR a malformed parameter is ignored (local choice).
            match p {
                Ok(Param::AdditionalOptions(o)) => options = o,
                Ok(Param::TpduSize(s)) if s.is_iso() => size = s,
                Ok(Param::InactivityTimer(ms)) => il = Some(ms),
                _ => {}
            }
        }
        let ours = self.cfg.tpdu_size.octets().unwrap_or(128);
        let theirs = size.octets().unwrap_or(128);
        self.remote_ref = cr.src_ref;
        self.agreed = Agreed {
            extended: self.cfg.extended_format && cr.class.extended(),
            // Table 4: the checksum is used unless both sides want non-use.
            checksum: self.cfg.checksum || !options.has(AdditionalOptions::NO_CHECKSUM),
            expedited: self.cfg.expedited && options.has(AdditionalOptions::EXPEDITED),
            tpdu_len: usize::try_from(ours.min(theirs)).unwrap_or(128),
            peer_inactivity: il.map(|ms| Duration::from_millis(ms.into())),
            // 13.4.4: the CC may return the selectors given in the CR.
            calling: cr.calling_tsel().and_then(Tsel::new),
            called: cr.called_tsel().and_then(Tsel::new),
        };
        self.space = Space::new(self.agreed.extended);
        self.snd_uwe = u64::from(cr.cdt);
        self.last_ak = (0, 0, u16::from(cr.cdt));
        self.rcv_uwe = u64::from(self.initial_credit());
        self.last_adv = (0, self.initial_credit());
        self.state = State::WaitAccept;
        self.inactivity_at = Some(now + self.cfg.inactivity_time);
        self.push_event(Event::ConnectIndication {
            peer_ref: cr.src_ref,
        });
    }

    pub(super) fn on_cc(&mut self, now: Instant, cc: &Connect<'_>, has_c3: bool) {
        match self.state {
            State::WaitCc if cc.dst_ref == self.local_ref => {}
            State::Open if cc.dst_ref == self.local_ref && cc.src_ref == self.remote_ref => {
                // Duplicate CC: our AK was lost; acknowledge again (6.5.4).
                self.send_ak = true;
                return;
            }
            State::Closing | State::Frozen if cc.dst_ref == self.local_ref => {
                if self.remote_ref == 0 && cc.class.class() == 4 {
                    // Released before the CC came (6.7): a class 4 CC is ignored, but its
                    // sender must learn the connection is gone.
                    self.reply(Reply::Dr {
                        dst: cc.src_ref,
                        src: self.local_ref,
                        reason: DisconnectReason::NORMAL,
                        checksum: has_c3,
                    });
                }
                return;
            }
            State::Listen | State::Closed | State::Frozen => {
                // A CC for no connection of ours: DR with the CC's references swapped (6.9.2.4.2).
                self.reply(Reply::Dr {
                    dst: cc.src_ref,
                    src: cc.dst_ref,
                    reason: DisconnectReason::MISMATCHED_REFS,
                    checksum: has_c3,
                });
                return;
            }
            _ => return,
        }
        let mut options = AdditionalOptions(0x01);
        let mut size = TpduSize::S128;
        let mut il = None;
        let mut bad = false;
        for p in cc.params.iter() {
            match p {
                Ok(Param::AdditionalOptions(o)) => options = o,
                Ok(Param::TpduSize(s)) => size = s,
                Ok(Param::InactivityTimer(ms)) => il = Some(ms),
                Ok(_) => {}
                Err(_) => bad = true,
            }
        }
        let proposed = self.cfg.tpdu_size.octets().unwrap_or(128);
        let checksum = !options.has(AdditionalOptions::NO_CHECKSUM);
        let acceptable = !bad
            && cc.class.class() == 4
            && cc.src_ref != 0
            && size.is_iso()
            && size.octets().is_some_and(|n| n <= proposed)
            // Table 4: a "no" proposal cannot be answered "yes".
            && (!cc.class.extended() || self.cfg.extended_format)
            && (!options.has(AdditionalOptions::EXPEDITED) || self.cfg.expedited)
            && (checksum || !self.cfg.checksum)
            && (cfg!(fuzzing) || has_c3 == checksum);
        self.remote_ref = cc.src_ref;
        if !acceptable {
            // WFCC, other CC: DR with the CC's references, disconnect (A.7).
            self.push_event(Event::Disconnected(DisconnectCause::NegotiationFailed));
            self.start_closing(cc.src_ref, DisconnectReason::NEGOTIATION_FAILED);
            return;
        }
        self.agreed = Agreed {
            extended: cc.class.extended(),
            checksum,
            expedited: options.has(AdditionalOptions::EXPEDITED),
            tpdu_len: size
                .octets()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(128),
            peer_inactivity: il.map(|ms| Duration::from_millis(ms.into())),
            ..self.agreed
        };
        self.space = Space::new(self.agreed.extended);
        self.snd_uwe = u64::from(cc.cdt);
        self.last_ak = (0, 0, u16::from(cc.cdt));
        self.last_adv = (0, self.initial_credit());
        // The initiator answers the CC at once, at least with an AK (A.7 note 9).
        self.send_ak = true;
        self.open(now);
    }

    pub(super) fn open(&mut self, now: Instant) {
        self.state = State::Open;
        self.t1 = None;
        self.tries = 0;
        self.inactivity_at = Some(now + self.cfg.inactivity_time);
        self.window_at = Some(now + self.window_time());
        self.push_event(Event::Connected);
    }

    // ------------------------------------------------------------------ release

    pub(super) fn on_dr(&mut self, now: Instant, dr: &Disconnect<'_>, has_c3: bool) {
        let ours = !matches!(self.state, State::Listen | State::Closed)
            && dr.dst_ref == self.local_ref
            && (self.remote_ref == 0
                || dr.src_ref == self.remote_ref
                || self.state == State::WaitCc);
        let checksum = has_c3 && self.cfg.checksum;
        if !ours {
            // A DR for no connection: DC unless it came with SRC-REF 0 (6.9.2.4.2 c).
            if dr.src_ref != 0 {
                self.reply(Reply::Dc {
                    dst: dr.src_ref,
                    src: dr.dst_ref,
                    checksum,
                });
            }
            return;
        }
        match self.state {
            State::WaitCc => {
                if dr.src_ref != 0 {
                    self.reply(Reply::Dc {
                        dst: dr.src_ref,
                        src: self.local_ref,
                        checksum,
                    });
                }
                self.push_event(Event::Disconnected(DisconnectCause::Refused(dr.reason)));
                self.freeze(now);
            }
            State::WaitAccept | State::AckWait | State::Open => {
                self.reply(Reply::Dc {
                    dst: dr.src_ref,
                    src: self.local_ref,
                    checksum,
                });
                self.push_event(Event::Disconnected(DisconnectCause::Peer(dr.reason)));
                self.freeze(now);
            }
            State::Closing => {
                // DR collision: both sides released (6.7.1.4).
                self.finish_closing(now, true);
            }
            State::Frozen => {
                // Our DC was lost; the peer repeats its DR.
                self.reply(Reply::Dc {
                    dst: dr.src_ref,
                    src: self.local_ref,
                    checksum,
                });
            }
            State::Listen | State::Closed => {}
        }
    }

    pub(super) fn on_dc(&mut self, now: Instant, dc: &DisconnectConfirm<'_>) {
        if self.state == State::Closing
            && dc.dst_ref == self.local_ref
            && (self.remote_ref == 0 || dc.src_ref == self.remote_ref || self.dr_dst == 0)
        {
            self.finish_closing(now, true);
        }
    }

    pub(super) fn start_closing(&mut self, dst: u16, reason: DisconnectReason) {
        self.state = State::Closing;
        self.dr_dst = dst;
        self.dr_reason = reason;
        self.send_dr = true;
        self.t1 = None;
        self.tries = 0;
        self.drop_transfer_state();
    }

    pub(super) fn finish_closing(&mut self, now: Instant, confirmed: bool) {
        if self.closing_local {
            self.push_event(Event::Released { confirmed });
        }
        self.freeze(now);
    }

    /// Enters REFWAIT: the reference stays frozen for L (6.18).
    pub(super) fn freeze(&mut self, now: Instant) {
        self.state = State::Frozen;
        self.t1 = None;
        self.inactivity_at = None;
        self.window_at = None;
        self.ack_at = None;
        self.send_dr = false;
        self.send_cr = false;
        self.send_cc = false;
        self.freeze_until = Some(now + self.cfg.freeze_time);
        self.drop_transfer_state();
    }

    pub(super) fn drop_transfer_state(&mut self) {
        self.queue.clear();
        self.queue_off = 0;
        self.unacked.clear();
        self.send_bytes = 0;
        self.ooo.clear();
        self.ooo_bytes = 0;
        self.reasm = Vec::new();
        self.ed_out = None;
        self.send_ed = false;
        self.send_ea = None;
        self.send_ak = false;
        self.send_fcc = None;
        self.fast_resend = false;
        self.reopen_pending = false;
        self.window_at = None;
        self.ack_at = None;
        self.inactivity_at = None;
    }

    /// Ends the connection on an error: DR (retransmitted) if the peer may know it, else freeze.
    pub(super) fn fail(&mut self, cause: DisconnectCause, reason: DisconnectReason) {
        self.push_event(Event::Disconnected(cause));
        self.closing_local = false;
        let dst = self.remote_ref;
        self.start_closing(dst, reason);
    }

    // ------------------------------------------------------------------ retransmission

    pub(super) fn arm_t1(&mut self, now: Instant) {
        if self.t1.is_none() {
            self.t1 = Some(now + self.rtt.t1());
        }
    }

    /// Something was acknowledged: the retry count starts again.
    pub(super) fn progress(&mut self, now: Instant) {
        self.tries = 0;
        self.t1 = self.outstanding().then_some(now + self.rtt.t1());
    }

    pub(super) fn outstanding(&self) -> bool {
        self.snd_una < self.snd_next || self.ed_out.is_some() || self.reopen_pending
    }

    pub(super) fn on_t1(&mut self, now: Instant) {
        let give_up = self.tries + 1 >= self.cfg.max_transmissions;
        match self.state {
            State::WaitCc if give_up => {
                // A.7 WFCC, count = N: inform the user and freeze the reference.
                self.push_event(Event::Disconnected(DisconnectCause::RetryLimit));
                self.freeze(now);
            }
            State::WaitCc => self.send_cr = true,
            State::AckWait if give_up => {
                self.fail(DisconnectCause::RetryLimit, DisconnectReason::NOT_SPECIFIED)
            }
            State::AckWait => self.send_cc = true,
            State::Closing if give_up => self.finish_closing(now, false),
            State::Closing => self.send_dr = true,
            State::Open if !self.outstanding() => return,
            State::Open if give_up && self.snd_una == self.snd_next && self.ed_out.is_none() => {
                // Only a window-reopening AK went unconfirmed: stop retransmitting it and
                // leave it to the window timer (12.2.3.8.4).
                self.reopen_pending = false;
                self.tries = 0;
                return;
            }
            State::Open if give_up => {
                self.fail(DisconnectCause::RetryLimit, DisconnectReason::NOT_SPECIFIED)
            }
            State::Open => {
                self.stats.timeouts += 1;
                // Local choice (12.2.1.2 i): resend the first outstanding DT only. The AK it
                // brings shows how far the peer got; each further gap is then resent as
                // partial AKs reveal it, so DTs the peer holds are not sent again.
                if self.snd_una < self.snd_next {
                    self.fast_resend = true;
                }
                self.congestion
                    .on_timeout(self.snd_next - self.snd_una, self.snd_next);
                if self.ed_out.is_some() {
                    self.send_ed = true;
                }
                if self.reopen_pending {
                    self.send_ak = true;
                }
            }
            _ => return,
        }
        self.tries += 1;
    }
}
