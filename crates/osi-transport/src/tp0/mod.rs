//! A sans-IO class 0 transport machine over RFC 1006 (X.224 clause 8 and Annex A.6,
//! RFC 1006 §5, RFC 2126 §4.1): bytes and time in, bytes, events and a deadline out.
//!
//! # Use
//!
//! 1. Create an initiator ([`Tp0::initiator`], then [`Tp0::connect`]) or a responder
//!    ([`Tp0::responder`]) with a [`Config`] and reassembly storage (any [`Storage`]:
//!    `[u8; N]`, `&mut [u8]`, a `Vec<u8>` of the wanted length, or `osi_sansio::GrowBuf`,
//!    which holds memory only while a TSDU is being reassembled or has not been taken).
//! 2. Feed what TCP delivers to [`Tp0::handle_input`]; it consumes at most one TPKT per call
//!    and returns the octets used. Keep unconsumed octets and call again while it consumes
//!    something.
//! 3. After every call, send what [`Tp0::poll_transmit`] writes (CR, CC, DR or ER) and take
//!    the [`Event`] of [`Tp0::poll_event`]: at most one per input, and it must be taken
//!    before the next input (a TSDU borrows the reassembly buffer until then).
//! 4. Send TSDUs by writing the TPKTs of [`Tp0::send`] to TCP, and expedited units with
//!    [`Tp0::send_expedited`] (only if negotiated).
//! 5. Arm a timer for [`Tp0::poll_timeout`] and call [`Tp0::handle_timeout`] when it fires;
//!    call [`Tp0::handle_disconnect`] when TCP closes.
//! 6. When [`Tp0::is_closed`], flush `poll_transmit` and close TCP. Class 0 release is the
//!    closing of the network connection (X.224 6.7.1.4): [`Tp0::disconnect`] sends nothing.
//!
//! Time is an [`Instant`] on the caller's clock; the machine reads no clock. The output and
//! timer side is the shared [`Machine`] contract.
//!
//! # Choices where peers differ
//!
//! * TPDU size: a proposal with a non-ISO code (0x0E-0x10, sent by jositransport and
//!   HP/Tandem's RFC 1006 stack) is honoured; a CC choosing more than we proposed is clamped
//!   to our proposal instead of rejected (as go-cotp v1.0.1 does); a CC without C0 or F0
//!   keeps our proposal. A CR without C0 is answered with C0 = 2048 (RFC 2126 §6.4 wants
//!   the size stated; no ISO code expresses the RFC 1006 default of 65531). A size code
//!   with no meaning (below 7 or above 0x10) is a protocol error (ER, cause 3).
//! * Received DTs are accepted up to 65531 octets whatever was negotiated (the reassembly
//!   limit bounds memory); a class 0 DT must have LI 2, no ROA, and data unless it is last.
//!   A non-zero TPDU-NR is ignored (Siemens CPs send it; RFC 2126 §6.5 allows rejecting).
//! * A DR on an open connection (ISODE, jositransport, python-snap7 send one) is a
//!   disconnect, whatever its reason or user data (python-snap7's stray octet).
//! * References carry no meaning in class 0 over TCP: a CC with DST-REF 0 is accepted.
//! * A CR whose variable part is not parameters (RDP cookies) is a protocol error.

mod config;
mod event;
mod receive;
mod segment;

use osi_sansio::{BufferTooSmall, Instant, Machine, Storage};

pub use config::{Config, MAX_CONNECT_DATA_LEN, MAX_EXPEDITED_LEN, MAX_TPDU_SIZE, MIN_TPDU_SIZE};
pub use event::{DisconnectCause, Event};
use osi_tpkt::{Frame, HEADER_LEN};
pub use segment::Segments;

use crate::code::{
    AdditionalOptions, ClassOption, DisconnectReason, ParamCode, RejectCause, TpduSize,
};
use crate::param::{MAX_PARAMS_LEN, Param, ParamBuf, Params};
use crate::tpdu::MAX_LI;
use crate::{Connect, Disconnect, Error, ErrorTpdu, Expedited, Format, Result, Tpdu};

/// Largest control TPKT (CR, CC, DR or ER) the machine emits: TPKT header, a full header
/// (LI 254) and the largest connect data. A [`Tp0::poll_transmit`] buffer of this size
/// always suffices.
pub const MAX_CONTROL_LEN: usize = HEADER_LEN + 1 + MAX_LI as usize + MAX_CONNECT_DATA_LEN;

/// Largest "invalid TPDU" quote in an ER: LI 254 minus the ER fixed part (4) and the
/// parameter's code and length.
const MAX_ER_QUOTE: usize = MAX_LI as usize - 4 - 2;

/// The TPDU size a CR without C0 is answered with: class 0's largest ISO size.
const DEFAULT_ANSWER_SIZE: u32 = 2048;

/// Where the machine is (X.224 Annex A.6 states, named for what they wait for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Initiator before [`Tp0::connect`].
    Idle,
    /// Responder waiting for a CR.
    AwaitCr,
    /// Initiator waiting for CC (WFCC).
    AwaitCc,
    /// Responder waiting for its user's accept or refuse (WFTRESP).
    AwaitAccept,
    /// Data transfer.
    Open,
    /// Released; close the network connection.
    Closed,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            Self::Idle => "Idle",
            Self::AwaitCr => "AwaitCr",
            Self::AwaitCc => "AwaitCc",
            Self::AwaitAccept => "AwaitAccept",
            Self::Open => "Open",
            Self::Closed => "Closed",
        }
    }
}

/// What the machine sends first when the user connects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectRequest<'a> {
    /// Calling transport selector (C1); empty sends none.
    pub calling: &'a [u8],
    /// Called transport selector (C2); empty sends none.
    pub called: &'a [u8],
    /// Connect user data (RFC 1006 extension; at most `max_connect_data_len`).
    pub data: &'a [u8],
}

/// A transport selector or connect data kept by the machine.
#[derive(Clone, Copy)]
struct Octets<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Octets<N> {
    const EMPTY: Self = Self {
        buf: [0; N],
        len: 0,
    };

    fn set(&mut self, v: &[u8]) {
        let n = v.len().min(N);
        if let (Some(dst), Some(src)) = (self.buf.get_mut(..n), v.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.len = n;
    }

    fn get(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// What processing one TPDU decided.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    None,
    ConnectIndication,
    Connected,
    Data,
    Expedited,
    Disconnected(DisconnectCause),
}

/// The class 0 machine. See the [module documentation](self) for the call order.
pub struct Tp0<B> {
    cfg: Config,
    state: State,
    deadline: Option<Instant>,
    /// The peer's reference (its SRC-REF in CR or CC).
    remote_ref: u16,
    /// Preferred class of the CR that opened the connection, for duplicate detection.
    cr_class: u8,
    /// TPDU size for what we send.
    tpdu_size: u32,
    expedited: bool,
    /// CR answer parameters remembered between the indication and the accept.
    answer_size: AnswerSize,
    calling: Octets<MAX_PARAMS_LEN>,
    called: Octets<MAX_PARAMS_LEN>,
    connect_data: Octets<MAX_CONNECT_DATA_LEN>,
    ed: Octets<MAX_EXPEDITED_LEN>,
    rx: B,
    rx_len: usize,
    /// A TSDU was delivered from `rx`; it is dropped at the next input.
    delivered: bool,
    /// The indication [`Tp0::poll_event`] gives next.
    pending: Option<Outcome>,
    out: [u8; MAX_CONTROL_LEN],
    out_len: usize,
    cause: Option<DisconnectCause>,
}

/// How the CC states the TPDU size (X.224 6.5.4 j-k).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnswerSize {
    Code(TpduSize),
    Preferred(u32),
}

impl<B> core::fmt::Debug for Tp0<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tp0")
            .field("state", &self.state)
            .field("tpdu_size", &self.tpdu_size)
            .field("expedited", &self.expedited)
            .field("rx_len", &self.rx_len)
            .finish_non_exhaustive()
    }
}

impl<B: Storage> Tp0<B> {
    fn new(cfg: Config, rx: B, state: State) -> Result<Self> {
        cfg.validate()?;
        Ok(Self {
            cfg,
            state,
            deadline: None,
            remote_ref: 0,
            cr_class: 0,
            tpdu_size: cfg.proposed_tpdu_size.octets().unwrap_or(MIN_TPDU_SIZE),
            expedited: false,
            answer_size: AnswerSize::Code(TpduSize::S2048),
            calling: Octets::EMPTY,
            called: Octets::EMPTY,
            connect_data: Octets::EMPTY,
            ed: Octets::EMPTY,
            rx,
            rx_len: 0,
            delivered: false,
            pending: None,
            out: [0; MAX_CONTROL_LEN],
            out_len: 0,
            cause: None,
        })
    }

    /// An initiator; call [`Tp0::connect`] next.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the configuration is out of range.
    pub fn initiator(cfg: Config, rx: B) -> Result<Self> {
        Self::new(cfg, rx, State::Idle)
    }

    /// A responder on a freshly accepted TCP connection, waiting for a CR until
    /// `now + connect_timeout`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] if the configuration is out of range.
    pub fn responder(cfg: Config, rx: B, now: Instant) -> Result<Self> {
        let mut m = Self::new(cfg, rx, State::AwaitCr)?;
        m.deadline = now.checked_add(cfg.connect_timeout);
        Ok(m)
    }

    // ----- getters -----

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the connection is over (close TCP after flushing [`Tp0::poll_transmit`]).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Why the connection ended, once it has.
    pub fn disconnect_cause(&self) -> Option<DisconnectCause> {
        self.cause
    }

    /// The TPDU size used for sending, in octets (final once open).
    pub fn tpdu_size(&self) -> u32 {
        self.tpdu_size
    }

    /// Whether expedited data was negotiated.
    pub fn expedited(&self) -> bool {
        self.expedited
    }

    /// The peer's reference.
    pub fn remote_ref(&self) -> u16 {
        self.remote_ref
    }

    /// Calling transport selector of the CR (as sent or received).
    pub fn calling_tsel(&self) -> &[u8] {
        self.calling.get()
    }

    /// Called selector of the CR, or (initiator, once open) the CC's responding selector.
    pub fn called_tsel(&self) -> &[u8] {
        self.called.get()
    }

    /// Largest TSDU this machine reassembles: the configured limit or the buffer's length.
    pub fn max_tsdu_len(&self) -> usize {
        self.cfg.max_tsdu_len.min(self.rx.limit())
    }

    // ----- user requests -----

    fn refuse_state(&self, what: &'static str) -> Error {
        Error::InvalidState {
            state: self.state.name(),
            what,
        }
    }

    /// T-CONNECT.request: queues a class 0 CR (parameters in the order C1, C2, C0, F0, C6,
    /// which Siemens LOGO! 0BA7 needs, apache/plc4x PR #308).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless idle; [`Error::TooLong`] for connect data over the
    /// limit; [`Error::HeaderTooLong`] if the selectors do not fit a CR.
    pub fn connect(&mut self, now: Instant, req: &ConnectRequest<'_>) -> Result<()> {
        if self.state != State::Idle {
            return Err(self.refuse_state("connect"));
        }
        self.check_connect_data(req.data)?;
        let mut p = ParamBuf::new();
        if !req.calling.is_empty() {
            p.push(&Param::CallingTsel(req.calling))?;
        }
        if !req.called.is_empty() {
            p.push(&Param::CalledTsel(req.called))?;
        }
        p.push(&Param::TpduSize(self.cfg.proposed_tpdu_size))?;
        if let Some(units) = self.cfg.proposed_preferred_units {
            p.push_preferred_max_tpdu_size(units)?;
        }
        if self.cfg.expedited {
            p.push(&Param::AdditionalOptions(AdditionalOptions(
                AdditionalOptions::EXPEDITED,
            )))?;
        }
        let cr = Connect {
            cdt: 0,
            dst_ref: 0,
            src_ref: self.cfg.local_ref,
            class: ClassOption::CLASS0,
            params: p.params(),
            data: req.data,
        };
        self.queue(&Tpdu::Cr(cr))?;
        self.calling.set(req.calling);
        self.called.set(req.called);
        self.state = State::AwaitCc;
        self.deadline = now.checked_add(self.cfg.connect_timeout);
        Ok(())
    }

    fn check_connect_data(&self, data: &[u8]) -> Result<()> {
        if data.len() > self.cfg.max_connect_data_len {
            return Err(Error::TooLong {
                what: "connect data",
                len: data.len(),
                max: self.cfg.max_connect_data_len,
            });
        }
        Ok(())
    }

    /// T-CONNECT.response: queues the CC and opens the connection. The CC returns the
    /// calling selector and `responding` (or the called selector if `None`), the TPDU size
    /// chosen from the CR, and C6 if expedited data was agreed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless a CR is waiting; [`Error::TooLong`] for connect data
    /// over the limit; [`Error::HeaderTooLong`] if the selectors do not fit.
    pub fn accept(&mut self, responding: Option<&[u8]>, data: &[u8]) -> Result<()> {
        if self.state != State::AwaitAccept {
            return Err(self.refuse_state("accept"));
        }
        self.check_connect_data(data)?;
        let mut p = ParamBuf::new();
        let calling = self.calling;
        let called = self.called;
        if calling.len > 0 {
            p.push(&Param::CallingTsel(calling.get()))?;
        }
        match responding {
            Some(r) => {
                p.push(&Param::CalledTsel(r))?;
            }
            None if called.len > 0 => {
                p.push(&Param::CalledTsel(called.get()))?;
            }
            None => {}
        }
        match self.answer_size {
            AnswerSize::Code(c) => p.push(&Param::TpduSize(c))?,
            AnswerSize::Preferred(units) => p.push_preferred_max_tpdu_size(units)?,
        };
        if self.expedited {
            p.push(&Param::AdditionalOptions(AdditionalOptions(
                AdditionalOptions::EXPEDITED,
            )))?;
        }
        let cc = Connect {
            cdt: 0,
            dst_ref: self.remote_ref,
            src_ref: self.cfg.local_ref,
            class: ClassOption::CLASS0,
            params: p.params(),
            data,
        };
        self.queue(&Tpdu::Cc(cc))?;
        self.state = State::Open;
        self.deadline = None;
        Ok(())
    }

    /// T-DISCONNECT.request while a CR waits: queues a DR with SRC-REF 0 (X.224 6.6.3).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless a CR is waiting.
    pub fn refuse(&mut self, reason: DisconnectReason) -> Result<()> {
        if self.state != State::AwaitAccept {
            return Err(self.refuse_state("refuse"));
        }
        self.send_dr(reason);
        self.close(DisconnectCause::RefusedByUs(reason));
        Ok(())
    }

    /// T-DISCONNECT.request in any other state: class 0 releases by closing the network
    /// connection (X.224 6.7.1.4, Annex A.6), so nothing is sent; while a CR waits this is
    /// [`Tp0::refuse`] with reason "normal".
    pub fn disconnect(&mut self) {
        match self.state {
            State::AwaitAccept => {
                let _ = self.refuse(DisconnectReason::NORMAL);
            }
            State::Closed => {}
            _ => {
                self.state = State::Closed;
                self.deadline = None;
            }
        }
    }

    /// T-DATA.request: the DT TPKTs carrying `tsdu`, to be written to TCP in order and not
    /// interleaved with other TSDUs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless open.
    pub fn send<'t>(&self, tsdu: &'t [u8]) -> Result<Segments<'t>> {
        if self.state != State::Open {
            return Err(self.refuse_state("send"));
        }
        Ok(Segments::new(
            tsdu,
            usize::try_from(self.tpdu_size).unwrap_or(usize::from(u16::MAX)),
        ))
    }

    /// T-EXPEDITED-DATA.request: writes the RFC 1006 class 0 ED TPKT (DT layout, code 0x10)
    /// to `dst`; returns its length.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] unless open with expedited data negotiated;
    /// [`Error::TooLong`] unless `data` is 1 to 16 octets; [`Error::BufferTooSmall`].
    pub fn send_expedited(&self, data: &[u8], dst: &mut [u8]) -> Result<usize> {
        if self.state != State::Open || !self.expedited {
            return Err(self.refuse_state("expedited data (not negotiated or not open)"));
        }
        if data.is_empty() || data.len() > MAX_EXPEDITED_LEN {
            return Err(Error::TooLong {
                what: "expedited data (1 to 16 octets)",
                len: data.len(),
                max: MAX_EXPEDITED_LEN,
            });
        }
        let ed = Tpdu::Ed(Expedited {
            format: Format::Short,
            dst_ref: 0,
            eot: true,
            nr: 0,
            params: Params::EMPTY,
            data,
        });
        write_tpkt(&ed, dst)
    }

    // ----- outputs -----

    /// Writes the control TPKT (CR, CC, DR or ER) to send now into `buf`, once, and returns
    /// its length. TSDUs go out through [`Tp0::send`] instead, straight from the caller's
    /// buffer.
    ///
    /// # Errors
    ///
    /// [`BufferTooSmall`] if `buf` is shorter than the TPKT; it stays queued.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> core::result::Result<Option<usize>, BufferTooSmall> {
        let _ = now;
        let n = self.out_len;
        if n == 0 {
            return Ok(None);
        }
        let dst = buf.get_mut(..n).ok_or(BufferTooSmall { needed: n })?;
        dst.copy_from_slice(self.out.get(..n).unwrap_or_default());
        self.out_len = 0;
        Ok(Some(n))
    }

    /// The indication of the last input, timeout or disconnect, once. A TSDU borrows the
    /// reassembly storage until the next call; polling again, or the next input, lets it go.
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        let Some(o) = self.pending.take() else {
            // Polling again ends the borrow of a delivered TSDU: its memory can go back.
            self.drop_delivered();
            return None;
        };
        self.event(o)
    }

    /// Forgets the TSDU delivered last and gives back the memory it took.
    fn drop_delivered(&mut self) {
        if self.delivered {
            self.delivered = false;
            self.rx_len = 0;
            self.rx.shrink_to(0);
        }
    }

    /// The reassembly storage, e.g. to see how much memory an idle connection holds.
    pub fn storage(&self) -> &B {
        &self.rx
    }

    /// When [`Tp0::handle_timeout`] must be called: the establishment deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    // ----- inputs -----

    /// The establishment timer (TS1): at or after the deadline the connection ends
    /// ([`Event::Disconnected`] with [`DisconnectCause::Timeout`]).
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.deadline {
            Some(d) if now >= d && self.state != State::Closed => {
                self.close(DisconnectCause::Timeout);
                self.pending = Some(Outcome::Disconnected(DisconnectCause::Timeout));
            }
            _ => {}
        }
    }

    /// N-DISCONNECT.indication: TCP closed or failed ([`Event::Disconnected`] with
    /// [`DisconnectCause::NetworkClosed`], unless the connection had already ended).
    pub fn handle_disconnect(&mut self, now: Instant) {
        let _ = now;
        if self.state == State::Closed {
            return;
        }
        self.close(DisconnectCause::NetworkClosed);
        self.pending = Some(Outcome::Disconnected(DisconnectCause::NetworkClosed));
    }

    /// Consumes at most one TPKT from the start of `input` (bytes as TCP delivered them)
    /// and returns the octets used (0: no whole TPKT yet, or an event is still to be
    /// taken with [`Tp0::poll_event`]).
    ///
    /// Once closed, everything is consumed and ignored. Input arriving at or after the
    /// establishment deadline is not looked at: the timeout is reported instead, so a late
    /// CC cannot open a connection its user already gave up on.
    pub fn handle_input(&mut self, now: Instant, input: &[u8]) -> usize {
        if self.pending.is_some() {
            return 0;
        }
        self.drop_delivered();
        if self.state == State::Closed {
            return input.len();
        }
        if self.deadline.is_some_and(|d| now >= d) {
            self.close(DisconnectCause::Timeout);
            self.pending = Some(Outcome::Disconnected(DisconnectCause::Timeout));
            return input.len();
        }
        let (payload, consumed) = match Frame::decode(input) {
            Ok(Some((frame, used))) => (frame.payload(), used),
            Ok(None) => return 0,
            Err(e) => {
                self.close(DisconnectCause::Framing(e));
                self.pending = Some(Outcome::Disconnected(DisconnectCause::Framing(e)));
                return input.len();
            }
        };
        let outcome = self.handle_nsdu(payload);
        if !matches!(outcome, Outcome::None) {
            self.pending = Some(outcome);
        }
        consumed
    }

    fn event(&self, o: Outcome) -> Option<Event<'_>> {
        match o {
            Outcome::None => None,
            Outcome::ConnectIndication => Some(Event::ConnectIndication {
                calling: self.calling.get(),
                called: self.called.get(),
                data: self.connect_data.get(),
            }),
            Outcome::Connected => Some(Event::Connected {
                responding: self.called.get(),
                data: self.connect_data.get(),
            }),
            Outcome::Data => Some(Event::Data(
                self.rx.octets().get(..self.rx_len).unwrap_or_default(),
            )),
            Outcome::Expedited => Some(Event::Expedited(self.ed.get())),
            Outcome::Disconnected(c) => Some(Event::Disconnected(c)),
        }
    }
}

/// Writes `t` in a TPKT to the start of `dst`.
pub(super) fn write_tpkt(t: &Tpdu<'_>, dst: &mut [u8]) -> Result<usize> {
    let needed = HEADER_LEN + t.encoded_len();
    let available = dst.len();
    let out = dst
        .get_mut(..needed)
        .ok_or(Error::BufferTooSmall { needed, available })?;
    let (head, body) = out.split_at_mut(HEADER_LEN);
    osi_tpkt::Header::for_payload(body.len())?.encode(head)?;
    t.encode(body)?;
    Ok(needed)
}

/// The shared contract: [`Tp0`]'s own methods of the same names.
impl<B: Storage> Machine for Tp0<B> {
    type Event<'a>
        = Event<'a>
    where
        Self: 'a;

    fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
    ) -> core::result::Result<Option<usize>, BufferTooSmall> {
        Tp0::poll_transmit(self, now, buf)
    }

    fn poll_event(&mut self) -> Option<Event<'_>> {
        Tp0::poll_event(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Tp0::poll_timeout(self)
    }

    fn handle_timeout(&mut self, now: Instant) {
        Tp0::handle_timeout(self, now);
    }
}
