//! A sans-IO class 0 transport machine over RFC 1006 (X.224 clause 8 and Annex A.6,
//! RFC 1006 §5, RFC 2126 §4.1): bytes and time in, bytes, events and a deadline out.
//!
//! # Use
//!
//! 1. Create an initiator ([`Tp0::initiator`], then [`Tp0::connect`]) or a responder
//!    ([`Tp0::responder`]) with a [`Config`] and a reassembly buffer (any `AsMut<[u8]>`:
//!    `[u8; N]`, `&mut [u8]`, `Vec<u8>`).
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
mod segment;

use osi_sansio::{BufferTooSmall, Instant, Machine};

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

impl<B: AsMut<[u8]> + AsRef<[u8]>> Tp0<B> {
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
        self.cfg.max_tsdu_len.min(self.rx.as_ref().len())
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
    /// reassembly buffer until the next input.
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        let o = self.pending.take()?;
        self.event(o)
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
        if self.delivered {
            self.delivered = false;
            self.rx_len = 0;
        }
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
                self.rx.as_ref().get(..self.rx_len).unwrap_or_default(),
            )),
            Outcome::Expedited => Some(Event::Expedited(self.ed.get())),
            Outcome::Disconnected(c) => Some(Event::Disconnected(c)),
        }
    }

    /// One NSDU (TPKT payload): exactly one TPDU in class 0 (X.224 6.9.1.4).
    fn handle_nsdu(&mut self, nsdu: &[u8]) -> Outcome {
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

    fn decode_error(&mut self, nsdu: &[u8], e: Error) -> Outcome {
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
    fn protocol_error(
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

    fn closed(&mut self, cause: DisconnectCause) -> Outcome {
        self.close(cause);
        Outcome::Disconnected(cause)
    }

    fn close(&mut self, cause: DisconnectCause) {
        self.state = State::Closed;
        self.deadline = None;
        self.cause = Some(cause);
    }

    fn send_dr(&mut self, reason: DisconnectReason) {
        let dr = Disconnect {
            dst_ref: self.remote_ref,
            src_ref: 0,
            reason,
            params: Params::EMPTY,
            data: &[],
        };
        let _ = self.queue(&Tpdu::Dr(dr));
    }

    fn queue(&mut self, t: &Tpdu<'_>) -> Result<()> {
        self.out_len = write_tpkt(t, &mut self.out)?;
        Ok(())
    }

    /// Responder: a CR arrived (X.224 6.5, 8.2).
    fn on_cr(&mut self, nsdu: &[u8], cr: &Connect<'_>) -> Outcome {
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
    fn on_cc(&mut self, nsdu: &[u8], cc: &Connect<'_>) -> Outcome {
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
    fn on_dt(&mut self, nsdu: &[u8], format: Format, roa: bool, eot: bool, data: &[u8]) -> Outcome {
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
        let Some(dst) = self
            .rx
            .as_mut()
            .get_mut(self.rx_len..end)
            .filter(|_| end <= max)
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
    fn on_ed(&mut self, nsdu: &[u8], ed: &Expedited<'_>) -> Outcome {
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
fn size_param(params: &Params<'_>) -> core::result::Result<Option<u32>, (Error, usize)> {
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

/// Writes `t` in a TPKT to the start of `dst`.
fn write_tpkt(t: &Tpdu<'_>, dst: &mut [u8]) -> Result<usize> {
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
impl<B: AsMut<[u8]> + AsRef<[u8]>> Machine for Tp0<B> {
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
