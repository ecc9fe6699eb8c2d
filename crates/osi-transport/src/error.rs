//! The one error type of this crate.

use crate::ParamCode;

/// What went wrong while decoding or encoding a TPDU, or driving the TP0 machine.
///
/// Decode errors that point at a header octet carry its offset from the LI octet (`at`), so a
/// class 0 ER can quote the rejected header "up to and including the octet which caused the
/// rejection" (X.224 13.12.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Nothing to decode.
    #[error("empty input: a TPDU needs at least a length indicator and a code")]
    Empty,
    /// LI = 255 is reserved (X.224 13.2.1).
    #[error("length indicator 255 is reserved (X.224 13.2.1)")]
    ReservedLi,
    /// The LI counts more header octets than the input holds.
    #[error("length indicator {li} needs {needed} header octets, only {available} present")]
    LiBeyondData {
        /// The LI octet.
        li: u8,
        /// Header octets the LI announces, LI octet included.
        needed: usize,
        /// Octets present.
        available: usize,
    },
    /// The LI is too small for the fixed part of this TPDU type (or, for RJ, not exact).
    #[error("length indicator {li} does not fit a {tpdu} fixed part (needs {min})")]
    LiTooSmall {
        /// TPDU type name.
        tpdu: &'static str,
        /// The LI octet.
        li: u8,
        /// Smallest LI the fixed part needs.
        min: u8,
    },
    /// The code octet names no TPDU of X.224 Table 8.
    #[error("TPDU code {0:#04x} is not defined by X.224 Table 8")]
    UnknownTpduCode(u8),
    /// A parameter's length octet runs past the end of the header.
    #[error(
        "parameter {} at octet {at} runs past the end of the header",
        ParamCode(*code)
    )]
    ParamOverrun {
        /// Parameter code.
        code: u8,
        /// Offset of the parameter code from the LI octet.
        at: usize,
    },
    /// A known parameter has a length its definition does not allow (X.224 13.x.4).
    #[error("parameter {} at octet {at} has invalid length {len}", ParamCode(*code))]
    ParamLength {
        /// Parameter code.
        code: u8,
        /// The length octet.
        len: usize,
        /// Offset of the parameter code from the LI octet.
        at: usize,
    },
    /// A known parameter has a value its definition does not allow.
    #[error("parameter {} at octet {at}: {reason}", ParamCode(*code))]
    ParamValue {
        /// Parameter code.
        code: u8,
        /// Why the value is refused.
        reason: &'static str,
        /// Offset of the parameter code from the LI octet.
        at: usize,
    },
    /// A fixed-part field holds a value the format cannot carry or the standard forbids.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// Field name.
        field: &'static str,
        /// Why it is refused.
        reason: &'static str,
        /// Offset of the offending octet from the LI octet (0 when encoding).
        at: usize,
    },
    /// The header to encode is longer than LI 254 allows.
    #[error("header of {0} octets does not fit a length indicator (at most 254)")]
    HeaderTooLong(usize),
    /// The output buffer is shorter than the encoding.
    #[error("buffer too small: need {needed} octets, have {available}")]
    BufferTooSmall {
        /// Octets the encoding needs.
        needed: usize,
        /// Octets the buffer has.
        available: usize,
    },
    /// A TPKT framing error below the TPDU.
    #[error(transparent)]
    Tpkt(#[from] osi_tpkt::Error),
    /// The TP0 machine was asked to do something its state does not allow.
    #[error("not allowed in state {state}: {what}")]
    InvalidState {
        /// The machine's state name.
        state: &'static str,
        /// The refused request.
        what: &'static str,
    },
    /// A TSDU, expedited unit or connect data exceeds a limit.
    #[error("{what} of {len} octets exceeds the limit of {max}")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A configuration value is outside its documented range.
    #[error("invalid configuration: {0}")]
    Config(&'static str),
}

impl Error {
    /// Offset (from the LI octet) of the header octet that caused a decode error, if known.
    pub fn at(&self) -> Option<usize> {
        match *self {
            Self::ReservedLi | Self::LiBeyondData { .. } | Self::LiTooSmall { .. } => Some(0),
            Self::UnknownTpduCode(_) => Some(1),
            Self::ParamOverrun { at, .. }
            | Self::ParamLength { at, .. }
            | Self::ParamValue { at, .. }
            | Self::InvalidField { at, .. } => Some(at),
            _ => None,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
