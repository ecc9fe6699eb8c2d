//! The class 4 connection: establishment, data transfer, release (X.224 12.2, Annex A.7).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::time::Duration;

use osi_sansio::{BufferTooSmall, Instant, Machine};

use super::congestion::Congestion;
use super::event::{DisconnectCause, Event, ExpeditedData, State};
use super::rtt::Rtt;
use super::seq::{Place, Space};
use super::{Config, MAX_EXPEDITED_LEN, MAX_NORMAL_CREDIT, Tsel};
use crate::checksum;
use crate::code::ParamCode;
use crate::{
    Ack, AdditionalOptions, ClassOption, Connect, Data, Disconnect, DisconnectConfirm,
    DisconnectReason, Error, Expedited, ExpeditedAck, Format, Param, ParamBuf, Params, Result,
    Tpdu, TpduSize,
};

mod emit;
mod establish;
mod guard;
mod receive;
mod timers;

use self::guard::SeqGuard;

/// Protocol version sent in C4 (6.5.4 u).
const VERSION: u8 = 1;

/// Replies to stray TPDUs waiting to be sent; more are dropped (the peer retransmits).
const MAX_REPLIES: usize = 4;

/// A DT created from the send queue, kept until acknowledged (retention, 6.13.4.1).
#[derive(Debug)]
struct Segment {
    eot: bool,
    data: Vec<u8>,
    /// When it was first sent (None: not yet), and whether it was sent again since.
    sent_at: Option<Instant>,
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
/// user. Time is an [`Instant`] on the caller's clock, never read from a clock.
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
    t1: Option<Instant>,
    /// Retransmissions since the last progress (so transmissions = tries + 1).
    tries: u32,
    inactivity_at: Option<Instant>,
    window_at: Option<Instant>,
    ack_at: Option<Instant>,
    freeze_until: Option<Instant>,
    /// A new DT or ED waits for an old number to die (normal format only).
    seq_wait: Option<Instant>,
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
            guard: SeqGuard::new(),
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
    pub fn accept(&mut self, now: Instant) -> Result<()> {
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
            max: MAX_EXPEDITED_LEN,
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

    /// Writes the next TPDU to send into `buf` (one datagram); `None` when there is none.
    /// Call until `None` after every input.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `buf` is shorter than [`Connection::max_tpdu_len`]; nothing is
    /// taken from the queue then.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> core::result::Result<Option<usize>, BufferTooSmall> {
        let needed = self.max_tpdu_len();
        if buf.len() < needed {
            return Err(BufferTooSmall { needed });
        }
        Ok(self.transmit(now, buf))
    }

    fn transmit(&mut self, now: Instant, buf: &mut [u8]) -> Option<usize> {
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

/// The shared contract: [`Connection`]'s own methods of the same names.
impl Machine for Connection {
    type Event<'a> = Event;

    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> core::result::Result<Option<usize>, BufferTooSmall> {
        Connection::poll_transmit(self, now, buf)
    }

    fn poll_event(&mut self) -> Option<Event> {
        Connection::poll_event(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Connection::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Connection::handle_timeout(self, now);
    }
}
