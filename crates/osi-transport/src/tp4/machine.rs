//! The class 4 connection: establishment, data transfer, release (X.224 12.2, Annex A.7).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::time::Duration;

use super::congestion::Congestion;
use super::event::{DisconnectCause, Event, ExpeditedData, State};
use super::rtt::Rtt;
use super::seq::{Place, Space};
use super::{Config, MAX_NORMAL_CREDIT, Tsel};
use crate::checksum;
use crate::code::ParamCode;
use crate::{
    Ack, AdditionalOptions, ClassOption, Connect, Data, Disconnect, DisconnectConfirm,
    DisconnectReason, Error, Expedited, ExpeditedAck, Format, Param, ParamBuf, Params, Result,
    Tpdu, TpduSize,
};

/// Protocol version sent in C4 (6.5.4 u).
const VERSION: u8 = 1;

/// Replies to stray TPDUs waiting to be sent; more are dropped (the peer retransmits).
const MAX_REPLIES: usize = 4;

/// Sequence numbers of the normal format; the wire numbers whose last use is tracked.
const NORMAL_SPACE: usize = 128;

/// When each normal-format wire number was last transmitted, for DTs and for EDs: a new
/// TPDU waits until its number's opposite half of the space is dead (see
/// [`Config::max_nsdu_lifetime`]).
#[derive(Debug)]
struct SeqGuard {
    dt: [Option<Duration>; NORMAL_SPACE],
    ed: [Option<Duration>; NORMAL_SPACE],
}

impl SeqGuard {
    /// Earliest time at which number `nr` may be used for a new TPDU, if not yet.
    fn wait(
        table: &[Option<Duration>; NORMAL_SPACE],
        nr: u64,
        now: Duration,
        mlr: Duration,
    ) -> Option<Duration> {
        // The slot of nr - 64 (≡ nr + 64 mod 128) holds the latest transmission of it.
        let slot = usize::try_from((nr + 64) % 128).ok()?;
        let ready = (*table.get(slot)?)? + mlr;
        (ready > now).then_some(ready)
    }

    fn record(table: &mut [Option<Duration>; NORMAL_SPACE], nr: u64, now: Duration) {
        if let Some(s) = usize::try_from(nr % 128)
            .ok()
            .and_then(|i| table.get_mut(i))
        {
            *s = Some(now);
        }
    }
}

/// A DT created from the send queue, kept until acknowledged (retention, 6.13.4.1).
#[derive(Debug)]
struct Segment {
    eot: bool,
    data: Vec<u8>,
    /// When it was first sent (None: not yet), and whether it was sent again since.
    sent_at: Option<Duration>,
    resent: bool,
}

/// A TPDU answering a TPDU that belongs to no open connection (6.9.2.4.2).
#[derive(Debug, Clone, Copy)]
enum Reply {
    Dc {
        dst: u16,
        src: u16,
        checksum: bool,
    },
    Dr {
        dst: u16,
        src: u16,
        reason: DisconnectReason,
        checksum: bool,
    },
}

/// What was agreed in CR/CC.
#[derive(Debug, Clone, Copy)]
struct Agreed {
    extended: bool,
    checksum: bool,
    expedited: bool,
    /// Negotiated TPDU size in octets, LI to last data octet.
    tpdu_len: usize,
    /// The peer's inactivity time (F2), if it sent one.
    peer_inactivity: Option<Duration>,
    /// Selectors for our CR (initiator) or echoed from the peer's CR into our CC (responder).
    calling: Option<Tsel>,
    called: Option<Tsel>,
}

/// Counters of one connection's sending side, for tuning and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// DTs sent, retransmissions included.
    pub dts_sent: u64,
    /// DTs sent again.
    pub dts_resent: u64,
    /// T1 expiries with something outstanding.
    pub timeouts: u64,
    /// Resends of the first outstanding DT alone (after duplicate or partial AKs, or T1).
    pub fast_resends: u64,
    /// AKs sent.
    pub aks_sent: u64,
}

/// One class 4 transport connection over a datagram network service, sans IO.
///
/// Feed it received datagrams ([`Connection::handle_datagram`]) and the time
/// ([`Connection::handle_timeout`] when [`Connection::poll_timeout`] is due); drain
/// [`Connection::poll_transmit`] into the network and [`Connection::poll_event`] into the
/// user. Time is a [`Duration`] since any epoch the caller picks, never read from a clock.
///
/// Memory: the send queue holds at most [`Config::max_send_buffer`] octets; received data
/// at most [`Config::max_receive_buffer`] octets of complete TSDUs and out-of-order DTs
/// plus one TSDU of [`Config::max_tsdu_len`] being reassembled. All of it is heap memory
/// (this module needs the `alloc` feature).
#[derive(Debug)]
pub struct Connection {
    cfg: Config,
    state: State,
    local_ref: u16,
    remote_ref: u16,
    agreed: Agreed,
    space: Space,

    // Timers: absolute deadlines.
    t1: Option<Duration>,
    /// Retransmissions since the last progress (so transmissions = tries + 1).
    tries: u32,
    inactivity_at: Option<Duration>,
    window_at: Option<Duration>,
    ack_at: Option<Duration>,
    freeze_until: Option<Duration>,
    /// A new DT or ED waits for an old number to die (normal format only).
    seq_wait: Option<Duration>,
    guard: SeqGuard,

    // Pending transmissions.
    send_cr: bool,
    send_cc: bool,
    send_dr: bool,
    dr_dst: u16,
    dr_reason: DisconnectReason,
    send_ak: bool,
    /// Echo of the peer's window in an AK parameter 8C (12.2.3.9): (LWE, subsequence, credit).
    send_fcc: Option<(u32, u16, u16)>,
    send_ea: Option<u64>,
    send_ed: bool,
    fast_resend: bool,
    replies: [Option<Reply>; MAX_REPLIES],
    closing_local: bool,

    // Send side.
    queue: VecDeque<Vec<u8>>,
    queue_off: usize,
    send_bytes: usize,
    unacked: VecDeque<Segment>,
    snd_una: u64,
    snd_next: u64,
    resend_from: u64,
    snd_uwe: u64,
    /// Last in-sequence AK: (YR-TU-NR absolute, subsequence, credit).
    last_ak: (u64, u16, u16),
    last_ak_reopened: bool,
    dup_acks: u32,
    congestion: Congestion,
    rtt: Rtt,
    stats: Stats,
    ed_out: Option<ExpeditedData>,
    ed_snd_nr: u64,

    // Receive side.
    rcv_next: u64,
    rcv_uwe: u64,
    ak_subseq: u16,
    last_adv: (u64, u16),
    /// An AK that opened a closed window is under retransmission until confirmed.
    reopen_pending: bool,
    in_seq_since_ak: u32,
    ooo: BTreeMap<u64, Segment>,
    ooo_bytes: usize,
    reasm: Vec<u8>,
    ed_rcv_next: u64,
    events: VecDeque<Event>,
    event_bytes: usize,
}

impl Connection {
    fn new(cfg: Config, local_ref: u16, state: State) -> Result<Self> {
        cfg.validate()?;
        if local_ref == 0 {
            // 6.5.4: a reference is never 0.
            return Err(Error::Config("local reference must not be 0"));
        }
        let agreed = Agreed {
            extended: cfg.extended_format,
            checksum: cfg.checksum,
            expedited: cfg.expedited,
            tpdu_len: cfg
                .tpdu_size
                .octets()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(128),
            peer_inactivity: None,
            calling: cfg.calling_tsel,
            called: cfg.called_tsel,
        };
        let congestion = Congestion::new(cfg.congestion_control, cfg.initial_window);
        let rtt = Rtt::new(cfg.min_retransmit_time, cfg.retransmit_time);
        Ok(Self {
            space: Space::new(cfg.extended_format),
            cfg,
            state,
            local_ref,
            remote_ref: 0,
            agreed,
            t1: None,
            tries: 0,
            inactivity_at: None,
            window_at: None,
            ack_at: None,
            freeze_until: None,
            seq_wait: None,
            guard: SeqGuard {
                dt: [None; NORMAL_SPACE],
                ed: [None; NORMAL_SPACE],
            },
            send_cr: false,
            send_cc: false,
            send_dr: false,
            dr_dst: 0,
            dr_reason: DisconnectReason::NORMAL,
            send_ak: false,
            send_fcc: None,
            send_ea: None,
            send_ed: false,
            fast_resend: false,
            replies: [None; MAX_REPLIES],
            closing_local: false,
            queue: VecDeque::new(),
            queue_off: 0,
            send_bytes: 0,
            unacked: VecDeque::new(),
            snd_una: 0,
            snd_next: 0,
            resend_from: 0,
            snd_uwe: 0,
            last_ak: (0, 0, 0),
            last_ak_reopened: false,
            dup_acks: 0,
            congestion,
            rtt,
            stats: Stats::default(),
            ed_out: None,
            ed_snd_nr: 0,
            rcv_next: 0,
            rcv_uwe: 0,
            ak_subseq: 0,
            last_adv: (0, 0),
            reopen_pending: false,
            in_seq_since_ak: 0,
            ooo: BTreeMap::new(),
            ooo_bytes: 0,
            reasm: Vec::new(),
            ed_rcv_next: 0,
            events: VecDeque::new(),
            event_bytes: 0,
        })
    }

    /// Initiator: sends CR (T-CONNECT.request) with our reference `local_ref`.
    ///
    /// The caller picks `local_ref` (non-zero, not frozen for this NSAP pair).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an invalid configuration or a zero reference.
    pub fn connect(cfg: Config, local_ref: u16) -> Result<Self> {
        let mut c = Self::new(cfg, local_ref, State::WaitCc)?;
        c.send_cr = true;
        c.rcv_uwe = u64::from(c.initial_credit());
        Ok(c)
    }

    /// Responder: waits for a CR, answering with reference `local_ref`.
    ///
    /// # Errors
    ///
    /// As [`Connection::connect`].
    pub fn listen(cfg: Config, local_ref: u16) -> Result<Self> {
        Self::new(cfg, local_ref, State::Listen)
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Our reference.
    pub fn local_ref(&self) -> u16 {
        self.local_ref
    }

    /// The peer's reference (0 until known).
    pub fn remote_ref(&self) -> u16 {
        self.remote_ref
    }

    /// Whether extended formats, checksum and expedited data were agreed, in that order
    /// (before agreement: what we propose).
    pub fn options(&self) -> (bool, bool, bool) {
        (
            self.agreed.extended,
            self.agreed.checksum,
            self.agreed.expedited,
        )
    }

    /// The largest TPDU the connection sends: a [`Connection::poll_transmit`] buffer of this
    /// size always suffices.
    pub fn max_tpdu_len(&self) -> usize {
        self.agreed.tpdu_len
    }

    /// Counters of what was sent.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Octets of user data not yet acknowledged by the peer (queued or in flight).
    pub fn unacknowledged(&self) -> usize {
        self.send_bytes
    }

    /// Whether everything sent was acknowledged, expedited data included.
    pub fn all_acknowledged(&self) -> bool {
        // Counted in DTs, not octets: an empty TSDU still travels as one DT.
        self.queue.is_empty() && self.unacked.is_empty() && self.ed_out.is_none()
    }

    // ------------------------------------------------------------------ user requests

    /// Responder: accepts the indicated connection (T-CONNECT.response), sending CC.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless a CR is waiting for an answer.
    pub fn accept(&mut self, now: Duration) -> Result<()> {
        self.expect(State::WaitAccept, "accept")?;
        self.state = State::AckWait;
        self.send_cc = true;
        self.tries = 0;
        self.inactivity_at = Some(now + self.cfg.inactivity_time);
        Ok(())
    }

    /// Responder: refuses the indicated connection with DR (SRC-REF 0, 6.6).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless a CR is waiting for an answer.
    pub fn refuse(&mut self, reason: DisconnectReason) -> Result<()> {
        self.expect(State::WaitAccept, "refuse")?;
        self.reply(Reply::Dr {
            dst: self.remote_ref,
            src: 0,
            reason,
            checksum: self.agreed.checksum,
        });
        self.state = State::Closed;
        Ok(())
    }

    /// Queues one TSDU (T-DATA.request). It is segmented into DTs as the peer's credit allows.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] once released or while listening; [`Error::TooLong`] when the
    /// TSDU exceeds [`Config::max_tsdu_len`] or the free room of [`Config::max_send_buffer`].
    pub fn send(&mut self, tsdu: &[u8]) -> Result<()> {
        if !matches!(
            self.state,
            State::WaitCc | State::WaitAccept | State::AckWait | State::Open
        ) {
            return Err(Error::InvalidState {
                state: self.state.name(),
                what: "send",
            });
        }
        if tsdu.len() > self.cfg.max_tsdu_len {
            return Err(Error::TooLong {
                what: "TSDU",
                len: tsdu.len(),
                max: self.cfg.max_tsdu_len,
            });
        }
        let free = self.cfg.max_send_buffer.saturating_sub(self.send_bytes);
        if tsdu.len() > free {
            return Err(Error::TooLong {
                what: "TSDU for the free send buffer",
                len: tsdu.len(),
                max: free,
            });
        }
        self.queue.push_back(tsdu.to_vec());
        self.send_bytes += tsdu.len();
        Ok(())
    }

    /// Free room in the send buffer, in octets.
    pub fn send_capacity(&self) -> usize {
        self.cfg.max_send_buffer.saturating_sub(self.send_bytes)
    }

    /// Sends 1 to 16 octets of expedited data (T-EXPEDITED-DATA.request, 6.11).
    ///
    /// Only one ED may be unacknowledged; new DTs wait until its EA arrives (blocking
    /// expedited data, the default of 6.11).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless open with expedited data agreed and no ED outstanding;
    /// [`Error::TooLong`] for an empty or over-long unit.
    pub fn send_expedited(&mut self, data: &[u8]) -> Result<()> {
        self.expect(State::Open, "send_expedited")?;
        if !self.agreed.expedited || self.ed_out.is_some() {
            return Err(Error::InvalidState {
                state: self.state.name(),
                what: "expedited data not agreed or one outstanding",
            });
        }
        let ed = ExpeditedData::new(data).ok_or(Error::TooLong {
            what: "expedited TSDU (1 to 16 octets)",
            len: data.len(),
            max: super::MAX_EXPEDITED_LEN,
        })?;
        self.ed_out = Some(ed);
        self.send_ed = true;
        Ok(())
    }

    /// Releases the connection (T-DISCONNECT.request): DR, retransmitted until DC.
    ///
    /// Release is destructive: data not yet acknowledged is dropped. Wait for
    /// [`Connection::all_acknowledged`] first for an orderly end.
    pub fn close(&mut self) {
        match self.state {
            State::Open | State::AckWait | State::WaitCc => {
                // Before CC (WFCC) the DR goes to DST-REF 0; a later CC is then ignored (6.5.4).
                let dst = if self.state == State::WaitCc {
                    0
                } else {
                    self.remote_ref
                };
                self.start_closing(dst, DisconnectReason::NORMAL);
                self.closing_local = true;
            }
            State::WaitAccept => {
                let _ = self.refuse(DisconnectReason::NORMAL);
            }
            State::Listen => self.state = State::Closed,
            State::Closing | State::Frozen | State::Closed => {}
        }
    }

    // ------------------------------------------------------------------ polling

    /// The next event for the user.
    pub fn poll_event(&mut self) -> Option<Event> {
        let ev = self.events.pop_front()?;
        if let Event::Data(d) = &ev {
            self.event_bytes -= d.len();
            if self.state == State::Open && self.last_adv.1 == 0 && self.grant() > 0 {
                // The user made room: reopen the window now (12.2.3.8.3).
                self.send_ak = true;
            }
        }
        Some(ev)
    }

    /// The earliest deadline at which [`Connection::handle_timeout`] must be called.
    pub fn poll_timeout(&self) -> Option<Duration> {
        [
            self.t1,
            self.inactivity_at,
            self.window_at,
            self.ack_at,
            self.freeze_until,
            self.seq_wait,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Writes the next TPDU to send into `buf` (one datagram); `None` when there is none.
    ///
    /// `buf` must hold [`Connection::max_tpdu_len`] octets; with a shorter one nothing is
    /// written and `None` returned. Call until `None` after every input.
    pub fn poll_transmit(&mut self, now: Duration, buf: &mut [u8]) -> Option<usize> {
        if buf.len() < self.max_tpdu_len() {
            return None;
        }
        if let Some(r) = self.replies.iter_mut().find_map(Option::take) {
            return self.emit_reply(r, buf);
        }
        match self.state {
            State::WaitCc if self.send_cr => {
                self.send_cr = false;
                self.arm_t1(now);
                self.emit_connect(true, buf)
            }
            State::AckWait if self.send_cc => {
                self.send_cc = false;
                self.arm_t1(now);
                self.emit_connect(false, buf)
            }
            State::Closing if self.send_dr => {
                self.send_dr = false;
                self.arm_t1(now);
                self.emit_dr(buf)
            }
            State::Open => self.transmit_open(now, buf),
            _ => None,
        }
    }

    // ------------------------------------------------------------------ input

    /// Handles the expiry of whatever deadline is due at `now`.
    pub fn handle_timeout(&mut self, now: Duration) {
        let due = |t: Option<Duration>| t.is_some_and(|t| t <= now);
        if due(self.freeze_until) {
            self.freeze_until = None;
            self.state = State::Closed;
        }
        if due(self.seq_wait) {
            // Nothing to do but let poll_transmit try again.
            self.seq_wait = None;
        }
        if due(self.ack_at) {
            self.ack_at = None;
            self.send_ak = true;
        }
        if due(self.window_at) {
            // Keep-alive: re-send the latest window information (12.2.3.8.1).
            self.window_at = None;
            self.send_ak = true;
        }
        if due(self.inactivity_at) {
            self.inactivity_at = None;
            if matches!(self.state, State::Open | State::AckWait) {
                self.fail(DisconnectCause::Inactivity, DisconnectReason::NOT_SPECIFIED);
            }
        }
        if due(self.t1) {
            self.t1 = None;
            self.on_t1(now);
        }
    }

    /// Handles one received NSDU: one TPDU, or several concatenated (6.4).
    ///
    /// A TPDU that fails its checksum, does not decode, or does not belong to this
    /// connection is discarded (6.9.2.4, 6.17.3); decoding stops at the first that fails.
    pub fn handle_datagram(&mut self, now: Duration, nsdu: &[u8]) {
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

    fn handle_tpdu(&mut self, now: Duration, tpdu: Tpdu<'_>, octets: &[u8]) {
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

    // ------------------------------------------------------------------ establishment

    fn on_cr(&mut self, now: Duration, cr: &Connect<'_>, has_c3: bool) {
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

    fn on_cc(&mut self, now: Duration, cc: &Connect<'_>, has_c3: bool) {
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

    fn open(&mut self, now: Duration) {
        self.state = State::Open;
        self.t1 = None;
        self.tries = 0;
        self.inactivity_at = Some(now + self.cfg.inactivity_time);
        self.window_at = Some(now + self.window_time());
        self.push_event(Event::Connected);
    }

    // ------------------------------------------------------------------ release

    fn on_dr(&mut self, now: Duration, dr: &Disconnect<'_>, has_c3: bool) {
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

    fn on_dc(&mut self, now: Duration, dc: &DisconnectConfirm<'_>) {
        if self.state == State::Closing
            && dc.dst_ref == self.local_ref
            && (self.remote_ref == 0 || dc.src_ref == self.remote_ref || self.dr_dst == 0)
        {
            self.finish_closing(now, true);
        }
    }

    fn start_closing(&mut self, dst: u16, reason: DisconnectReason) {
        self.state = State::Closing;
        self.dr_dst = dst;
        self.dr_reason = reason;
        self.send_dr = true;
        self.t1 = None;
        self.tries = 0;
        self.drop_transfer_state();
    }

    fn finish_closing(&mut self, now: Duration, confirmed: bool) {
        if self.closing_local {
            self.push_event(Event::Released { confirmed });
        }
        self.freeze(now);
    }

    /// Enters REFWAIT: the reference stays frozen for L (6.18).
    fn freeze(&mut self, now: Duration) {
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

    fn drop_transfer_state(&mut self) {
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
    fn fail(&mut self, cause: DisconnectCause, reason: DisconnectReason) {
        self.push_event(Event::Disconnected(cause));
        self.closing_local = false;
        let dst = self.remote_ref;
        self.start_closing(dst, reason);
    }

    // ------------------------------------------------------------------ retransmission

    fn arm_t1(&mut self, now: Duration) {
        if self.t1.is_none() {
            self.t1 = Some(now + self.rtt.t1());
        }
    }

    /// Something was acknowledged: the retry count starts again.
    fn progress(&mut self, now: Duration) {
        self.tries = 0;
        self.t1 = self.outstanding().then_some(now + self.rtt.t1());
    }

    fn outstanding(&self) -> bool {
        self.snd_una < self.snd_next || self.ed_out.is_some() || self.reopen_pending
    }

    fn on_t1(&mut self, now: Duration) {
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

    // ------------------------------------------------------------------ data phase input

    fn on_data_phase(&mut self, now: Duration, t: Tpdu<'_>) {
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

    fn on_dt(&mut self, now: Duration, d: &Data<'_>) {
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
    fn accept_in_sequence(&mut self, eot: bool, data: &[u8]) -> bool {
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

    fn on_ak(&mut self, now: Duration, nr: u32, subseq: u16, cdt: u16, reject: bool) {
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
                sample = seg
                    .sent_at
                    .filter(|_| !seg.resent)
                    .map(|t| now.saturating_sub(t));
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

    fn on_fcc(&mut self, now: Duration, (lwe, subseq, credit): (u32, u16, u16)) {
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

    fn on_ed(&mut self, e: &Expedited<'_>) {
        if !self.agreed.expedited || e.data.is_empty() || e.data.len() > super::MAX_EXPEDITED_LEN {
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

    fn on_ea(&mut self, now: Duration, e: &ExpeditedAck<'_>) {
        if self.ed_out.is_some() && e.nr == self.space.wire(self.ed_snd_nr) {
            self.ed_out = None;
            self.send_ed = false;
            self.ed_snd_nr += 1;
            self.events.push_back(Event::ExpeditedAcknowledged);
            self.progress(now);
        }
    }

    // ------------------------------------------------------------------ output

    fn transmit_open(&mut self, now: Duration, buf: &mut [u8]) -> Option<usize> {
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
    fn reuse_wait(&self, ed: bool, nr: u64, now: Duration) -> Option<Duration> {
        if self.agreed.extended {
            // 2^31 numbers: no TPDU lives long enough to see its number come round again.
            return None;
        }
        let table = if ed { &self.guard.ed } else { &self.guard.dt };
        SeqGuard::wait(table, nr, now, self.cfg.max_nsdu_lifetime)
    }

    /// Cuts the next DT from the send queue; false if the queue is empty.
    fn make_segment(&mut self) -> bool {
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
    fn max_dt_data(&self) -> usize {
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

    fn initial_credit(&self) -> u16 {
        self.credit_cap().min(MAX_NORMAL_CREDIT)
    }

    fn credit_cap(&self) -> u16 {
        if self.agreed.extended {
            self.cfg.credit
        } else {
            self.cfg.credit.min(MAX_NORMAL_CREDIT)
        }
    }

    /// The credit we can grant now: none while the receive buffer is full.
    fn grant(&self) -> u16 {
        let held = self.event_bytes + self.ooo_bytes;
        let free = self.cfg.max_receive_buffer.saturating_sub(held);
        let dts = free / self.max_dt_data();
        self.credit_cap()
            .min(u16::try_from(dts).unwrap_or(u16::MAX))
    }

    fn window_time(&self) -> Duration {
        match self.agreed.peer_inactivity {
            Some(ir) => self.cfg.window_time.min(ir / 2),
            None => self.cfg.window_time,
        }
    }

    fn seal(&self, pb: &mut ParamBuf) -> Option<()> {
        if self.agreed.checksum {
            pb.push(&Param::Checksum([0, 0])).ok()?;
        }
        Some(())
    }

    fn finish(tpdu: &Tpdu<'_>, checksum: bool, buf: &mut [u8]) -> Option<usize> {
        let n = tpdu.encode(buf).ok()?;
        if checksum {
            checksum::fill(buf.get_mut(..n)?).ok()?;
        }
        Some(n)
    }

    fn emit_connect(&self, cr: bool, buf: &mut [u8]) -> Option<usize> {
        let mut pb = ParamBuf::new();
        let a = &self.agreed;
        let mut opts = 0;
        if a.expedited {
            opts |= AdditionalOptions::EXPEDITED;
        }
        if !a.checksum {
            opts |= AdditionalOptions::NO_CHECKSUM;
        }
        // Selectors first: some peers need C1, C2, C0 in that order (transport.md §7 item 11).
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

    fn emit_dr(&self, buf: &mut [u8]) -> Option<usize> {
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

    fn emit_reply(&self, r: Reply, buf: &mut [u8]) -> Option<usize> {
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

    fn emit_dt(&mut self, nr: u64, now: Duration, buf: &mut [u8]) -> Option<usize> {
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

    fn emit_ed(&self, buf: &mut [u8]) -> Option<usize> {
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

    fn emit_ea(&self, nr: u64, buf: &mut [u8]) -> Option<usize> {
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

    fn emit_ak(&mut self, now: Duration, buf: &mut [u8]) -> Option<usize> {
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

    fn format(&self) -> Format {
        if self.agreed.extended {
            Format::Extended
        } else {
            Format::Normal
        }
    }

    // ------------------------------------------------------------------ helpers

    fn expect(&self, state: State, what: &'static str) -> Result<()> {
        if self.state == state {
            Ok(())
        } else {
            Err(Error::InvalidState {
                state: self.state.name(),
                what,
            })
        }
    }

    fn reply(&mut self, r: Reply) {
        if let Some(slot) = self.replies.iter_mut().find(|s| s.is_none()) {
            *slot = Some(r);
        }
    }

    fn push_event(&mut self, e: Event) {
        self.events.push_back(e);
    }
}

/// The variable part of any TPDU.
fn params_of<'a>(t: &Tpdu<'a>) -> Params<'a> {
    match t {
        Tpdu::Cr(c) | Tpdu::Cc(c) => c.params,
        Tpdu::Dr(d) => d.params,
        Tpdu::Dc(d) => d.params,
        Tpdu::Dt(d) => d.params,
        Tpdu::Ed(e) => e.params,
        Tpdu::Ak(a) => a.params,
        Tpdu::Ea(e) => e.params,
        Tpdu::Er(e) => e.params,
        Tpdu::Rj(_) => Params::EMPTY,
    }
}
