//! The states of the session protocol machine, named as in X.225 Table A.2.

/// A state of the SPM (X.225 Annex A, Table A.2).
///
/// The PREPARE states STA15A–D and STA06 occur only with transport expedited data (TEXP,
/// [`crate::machine::Config::transport_expedited`]); with RFC 1006 and TP0 without it they
/// never do (X.225 §6.4). STA01A (wait for AA with transport reuse) and STA01B (wait
/// for T-CONNECT confirm) are not used: this machine always releases the transport after an
/// abort it sends (and X.225 forbids reuse under TEXP anyway), and it knows no transport, so
/// the caller connects it before [`crate::machine::Session::connect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// STA01: idle, no transport connection (or the initiator before S-CONNECT request).
    Sta01,
    /// STA01C: idle, transport connected; the responder waits for CN.
    Sta01C,
    /// STA01D: wait for CDO (CN announced Data Overflow).
    Sta01D,
    /// STA02A: wait for AC.
    Sta02A,
    /// STA02B: wait for OA (CN sent with Data Overflow).
    Sta02B,
    /// STA03: wait for DN (FN sent).
    Sta03,
    /// STA04A: wait for MAA (MAP sent).
    Sta04A,
    /// STA04B: wait for AEA (AE sent).
    Sta04B,
    /// STA05A: wait for RA (RS sent).
    Sta05A,
    /// STA05B: wait for AIA (AI sent).
    Sta05B,
    /// STA05C: wait for ADA (AD sent).
    Sta05C,
    /// STA06: wait for RS (PR-RS received while our RS is outstanding: a collision).
    Sta06,
    /// STA08: wait for S-CONNECT response.
    Sta08,
    /// STA09: wait for S-RELEASE response.
    Sta09,
    /// STA10A: wait for S-SYNC-MAJOR response.
    Sta10A,
    /// STA10B: wait for S-ACTIVITY-END response.
    Sta10B,
    /// STA11A: wait for S-RESYNCHRONIZE response.
    Sta11A,
    /// STA11B: wait for S-ACTIVITY-INTERRUPT response.
    Sta11B,
    /// STA11C: wait for S-ACTIVITY-DISCARD response.
    Sta11C,
    /// STA15A: after PR-MAA, wait for MAA or AEA.
    Sta15A,
    /// STA15B: after PR-RS, wait for RS, AI or AD.
    Sta15B,
    /// STA15C: after PR-RA, wait for RA, AIA or ADA.
    Sta15C,
    /// STA15D: after PR-AB, wait for AB (everything else is discarded).
    Sta15D,
    /// STA16: wait for T-DISCONNECT (after AB, RF or DN sent), timer TIM running.
    Sta16,
    /// STA18: wait for GTA (GTC sent).
    Sta18,
    /// STA19: wait for recovery (ED sent).
    Sta19,
    /// STA20: wait for recovery (ED or ER received while holding the data token).
    Sta20,
    /// STA21: wait for CDA (CD sent).
    Sta21,
    /// STA22: wait for S-CAPABILITY-DATA response.
    Sta22,
    /// STA713: data transfer.
    Sta713,
}

impl State {
    /// The name X.225 gives the state, e.g. `"STA713"`.
    pub fn name(self) -> &'static str {
        match self {
            State::Sta01 => "STA01",
            State::Sta01C => "STA01C",
            State::Sta01D => "STA01D",
            State::Sta02A => "STA02A",
            State::Sta02B => "STA02B",
            State::Sta03 => "STA03",
            State::Sta04A => "STA04A",
            State::Sta04B => "STA04B",
            State::Sta05A => "STA05A",
            State::Sta05B => "STA05B",
            State::Sta05C => "STA05C",
            State::Sta06 => "STA06",
            State::Sta08 => "STA08",
            State::Sta09 => "STA09",
            State::Sta10A => "STA10A",
            State::Sta10B => "STA10B",
            State::Sta11A => "STA11A",
            State::Sta11B => "STA11B",
            State::Sta11C => "STA11C",
            State::Sta15A => "STA15A",
            State::Sta15B => "STA15B",
            State::Sta15C => "STA15C",
            State::Sta15D => "STA15D",
            State::Sta16 => "STA16",
            State::Sta18 => "STA18",
            State::Sta19 => "STA19",
            State::Sta20 => "STA20",
            State::Sta21 => "STA21",
            State::Sta22 => "STA22",
            State::Sta713 => "STA713",
        }
    }

    /// Whether a session connection exists or is being set up with the peer, i.e. an
    /// S-U-ABORT request is meaningful.
    pub fn is_connected(self) -> bool {
        !matches!(self, State::Sta01 | State::Sta01C | State::Sta16)
    }
}

impl core::fmt::Display for State {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}
