//! Lossless code-point newtypes: every octet value is representable and survives a round
//! trip; known values have named constants and a readable `Debug`.

use core::fmt;

osi_sansio::code_point! {
    /// A variable-part parameter code (X.224 13.2.3, 13.3.4 and following).
    pub struct ParamCode(u8), undefined "not defined by X.224" {
        /// 0x85: acknowledgement time AL, milliseconds (class 4).
        ACK_TIME = 0x85 => "acknowledgement time",
        /// 0x86: residual error rate.
        RESIDUAL_ERROR_RATE = 0x86 => "residual error rate",
        /// 0x87: priority.
        PRIORITY = 0x87 => "priority",
        /// 0x88: transit delay.
        TRANSIT_DELAY = 0x88 => "transit delay",
        /// 0x89: throughput.
        THROUGHPUT = 0x89 => "throughput",
        /// 0x8A: subsequence number (AK, class 4).
        SUBSEQUENCE_NUMBER = 0x8a => "subsequence number",
        /// 0x8B: reassignment time TTR, seconds (classes 1, 3).
        REASSIGNMENT_TIME = 0x8b => "reassignment time",
        /// 0x8C: flow control confirmation (AK, class 4).
        FLOW_CONTROL_CONFIRMATION = 0x8c => "flow control confirmation",
        /// 0x8F: selective acknowledgement (AK, class 4).
        SELECTIVE_ACK = 0x8f => "selective acknowledgement",
        /// 0x90: ED-TPDU-NR for non-blocking expedited data (DT, class 4).
        ED_TPDU_NR = 0x90 => "ED-TPDU-NR",
        /// 0xC0: TPDU size, 2^value octets.
        TPDU_SIZE = 0xc0 => "TPDU size",
        /// 0xC1: calling transport selector; in an ER the invalid TPDU.
        CALLING_TSEL = 0xc1 => "calling TSAP / invalid TPDU",
        /// 0xC2: called (CR) or responding (CC) transport selector.
        CALLED_TSEL = 0xc2 => "called/responding TSAP",
        /// 0xC3: checksum (class 4, Annex D).
        CHECKSUM = 0xc3 => "checksum",
        /// 0xC4: version number.
        VERSION = 0xc4 => "version number",
        /// 0xC5: protection parameters.
        PROTECTION = 0xc5 => "protection parameters",
        /// 0xC6: additional option selection.
        ADDITIONAL_OPTIONS = 0xc6 => "additional option selection",
        /// 0xC7: alternative protocol classes.
        ALTERNATIVE_CLASSES = 0xc7 => "alternative protocol classes",
        /// 0xE0: additional clearing information (DR).
        ADDITIONAL_INFO = 0xe0 => "additional clearing information",
        /// 0xF0: preferred maximum TPDU size, in units of 128 octets.
        PREFERRED_MAX_TPDU_SIZE = 0xf0 => "preferred maximum TPDU size",
        /// 0xF2: inactivity timer IL, milliseconds (class 4).
        INACTIVITY_TIMER = 0xf2 => "inactivity timer",
    }
}

osi_sansio::code_point! {
    /// DR reason (X.224 13.5.3 e).
    pub struct DisconnectReason(u8), undefined "not defined by X.224 13.5.3 e" {
        /// 0x00: reason not specified.
        NOT_SPECIFIED = 0x00 => "reason not specified",
        /// 0x01: congestion at TSAP.
        CONGESTION = 0x01 => "congestion at TSAP",
        /// 0x02: session entity not attached to TSAP.
        NOT_ATTACHED = 0x02 => "session entity not attached to TSAP",
        /// 0x03: address unknown.
        ADDRESS_UNKNOWN = 0x03 => "address unknown",
        /// 0x80: normal disconnect initiated by the session entity.
        NORMAL = 0x80 => "normal disconnect initiated by session entity",
        /// 0x81: remote transport entity congestion at connect time.
        REMOTE_CONGESTION = 0x81 => "remote transport entity congestion at connect time",
        /// 0x82: connection negotiation failed (proposed classes not supported).
        NEGOTIATION_FAILED = 0x82 => "connection negotiation failed",
        /// 0x83: duplicate source reference for the same NSAP pair.
        DUPLICATE_SOURCE_REF = 0x83 => "duplicate source reference",
        /// 0x84: mismatched references.
        MISMATCHED_REFS = 0x84 => "mismatched references",
        /// 0x85: protocol error.
        PROTOCOL_ERROR = 0x85 => "protocol error",
        /// 0x87: reference overflow.
        REFERENCE_OVERFLOW = 0x87 => "reference overflow",
        /// 0x88: connection request refused on this network connection.
        REFUSED_ON_NC = 0x88 => "connection request refused on this network connection",
        /// 0x8A: header or parameter length invalid.
        LENGTH_INVALID = 0x8a => "header or parameter length invalid",
    }
}

osi_sansio::code_point! {
    /// ER reject cause (X.224 13.12.3 d).
    pub struct RejectCause(u8), undefined "not defined by X.224 13.12.3 d" {
        /// 0x00: reason not specified.
        NOT_SPECIFIED = 0x00 => "reason not specified",
        /// 0x01: invalid parameter code.
        INVALID_PARAM_CODE = 0x01 => "invalid parameter code",
        /// 0x02: invalid TPDU type.
        INVALID_TPDU_TYPE = 0x02 => "invalid TPDU type",
        /// 0x03: invalid parameter value.
        INVALID_PARAM_VALUE = 0x03 => "invalid parameter value",
    }
}

/// The class and options octet of CR/CC (X.224 13.3.3 e), and the octets of the
/// alternative-classes parameter.
///
/// ```text
///  bits 8-5: class 0..4 | bits 4-3: 0 | bit 2: extended formats | bit 1: no explicit flow control
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassOption(pub u8);

impl ClassOption {
    /// Class 0, all option bits zero.
    pub const CLASS0: Self = Self(0x00);
    /// Bit 2: use of extended formats (classes 2, 3, 4).
    pub const EXTENDED: u8 = 0x02;
    /// Bit 1: non-use of explicit flow control (class 2).
    pub const NO_EXPLICIT_FLOW_CONTROL: u8 = 0x01;

    /// The octet for `class` with the given option bits.
    pub fn new(class: u8, extended: bool, no_explicit_flow_control: bool) -> Self {
        Self(
            (class << 4)
                | if extended { Self::EXTENDED } else { 0 }
                | if no_explicit_flow_control {
                    Self::NO_EXPLICIT_FLOW_CONTROL
                } else {
                    0
                },
        )
    }

    /// The class number in bits 8-5 (0..=4 are defined; larger values are invalid).
    pub fn class(self) -> u8 {
        self.0 >> 4
    }

    /// Bit 2: extended formats.
    pub fn extended(self) -> bool {
        self.0 & Self::EXTENDED != 0
    }

    /// Bit 1: non-use of explicit flow control.
    pub fn no_explicit_flow_control(self) -> bool {
        self.0 & Self::NO_EXPLICIT_FLOW_CONTROL != 0
    }
}

impl fmt::Debug for ClassOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClassOption({:#04x} class {}", self.0, self.class())?;
        if self.extended() {
            f.write_str(", extended")?;
        }
        if self.no_explicit_flow_control() {
            f.write_str(", no explicit flow control")?;
        }
        f.write_str(")")
    }
}

/// The value of the TPDU size parameter C0: the size is 2^code octets (X.224 13.3.4 b).
///
/// Codes 0x07..=0x0D are ISO's (128..8192 octets; class 0 allows up to 0x0B). Codes
/// 0x0E..=0x10 (16384, 32768 and 65531 octets) are not ISO's but are sent by RFC 1006 peers
/// (HP/Tandem's RFC 1006 stack, Beckhoff Tc3_Rfc1006, jositransport); [`TpduSize::octets`]
/// reports them too. Anything else has no size.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TpduSize(pub u8);

impl TpduSize {
    /// 128 octets, the ISO default when C0 is absent.
    pub const S128: Self = Self(0x07);
    /// 256 octets.
    pub const S256: Self = Self(0x08);
    /// 512 octets.
    pub const S512: Self = Self(0x09);
    /// 1024 octets.
    pub const S1024: Self = Self(0x0a);
    /// 2048 octets, the largest size class 0 allows.
    pub const S2048: Self = Self(0x0b);
    /// 4096 octets.
    pub const S4096: Self = Self(0x0c);
    /// 8192 octets, the largest ISO code.
    pub const S8192: Self = Self(0x0d);
    /// 65531 octets: non-standard code 0x10 (TANDEM, jositransport), the RFC 1006 maximum.
    pub const S65531: Self = Self(0x10);

    /// The size in octets, or `None` for a code with no known meaning.
    ///
    /// Code 0x10 means 65531, not 65536: the largest TPDU a TPKT can carry.
    pub fn octets(self) -> Option<u32> {
        match self.0 {
            0x07..=0x0f => Some(1u32 << self.0),
            0x10 => Some(65531),
            _ => None,
        }
    }

    /// Whether X.224 defines this code (0x07..=0x0D).
    pub fn is_iso(self) -> bool {
        (0x07..=0x0d).contains(&self.0)
    }

    /// The largest code (ISO or one of the RFC 1006 extensions) whose size is at most
    /// `octets`, never below 128 octets.
    pub fn at_most(octets: u32) -> Self {
        let mut code = Self::S128;
        for c in 0x08..=0x10u8 {
            match Self(c).octets() {
                Some(n) if n <= octets => code = Self(c),
                _ => break,
            }
        }
        code
    }
}

impl fmt::Debug for TpduSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.octets() {
            Some(n) => write!(f, "TpduSize({:#04x} = {n} octets)", self.0),
            None => write!(f, "TpduSize({:#04x} undefined)", self.0),
        }
    }
}

/// The additional option selection parameter C6 (X.224 13.3.4 g), ISO meanings.
///
/// RFC 2126 §6.6 gives bits 4, 6 and 7 other meanings in class 2 over TCP; the raw octet is
/// kept so a caller can apply either reading.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AdditionalOptions(pub u8);

impl AdditionalOptions {
    /// Bit 7: use of non-blocking expedited data (class 4).
    pub const NON_BLOCKING_EXPEDITED: u8 = 0x40;
    /// Bit 6: use of request acknowledgement (classes 1, 3, 4).
    pub const REQUEST_ACK: u8 = 0x20;
    /// Bit 5: use of selective acknowledgement (class 4).
    pub const SELECTIVE_ACK: u8 = 0x10;
    /// Bit 4: use of network expedited (class 1).
    pub const NETWORK_EXPEDITED: u8 = 0x08;
    /// Bit 3: use of receipt confirmation (class 1).
    pub const RECEIPT_CONFIRMATION: u8 = 0x04;
    /// Bit 2: the 16-bit checksum shall **not** be used (class 4).
    pub const NO_CHECKSUM: u8 = 0x02;
    /// Bit 1: use of the transport expedited data transfer service (also RFC 1006 class 0).
    pub const EXPEDITED: u8 = 0x01;

    /// Whether every bit of `mask` is set.
    pub fn has(self, mask: u8) -> bool {
        self.0 & mask == mask
    }
}

impl fmt::Debug for AdditionalOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AdditionalOptions({:#04x})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpdu_size_codes() {
        assert_eq!(TpduSize::S128.octets(), Some(128));
        assert_eq!(TpduSize::S8192.octets(), Some(8192));
        assert_eq!(TpduSize(0x0e).octets(), Some(16384));
        assert_eq!(TpduSize::S65531.octets(), Some(65531));
        assert_eq!(TpduSize(0x05).octets(), None);
        assert_eq!(TpduSize(0x11).octets(), None);
        // Shift counts come from the wire: out-of-range codes never reach `<<`
        // (libiec61850 #589).
        assert_eq!(TpduSize(0xff).octets(), None);
        assert!(TpduSize::S2048.is_iso() && !TpduSize(0x0e).is_iso());
    }

    #[test]
    fn tpdu_size_at_most() {
        assert_eq!(TpduSize::at_most(0), TpduSize::S128);
        assert_eq!(TpduSize::at_most(2047), TpduSize::S1024);
        assert_eq!(TpduSize::at_most(2048), TpduSize::S2048);
        assert_eq!(TpduSize::at_most(65530), TpduSize(0x0f));
        assert_eq!(TpduSize::at_most(65531), TpduSize::S65531);
        assert_eq!(TpduSize::at_most(u32::MAX), TpduSize::S65531);
    }

    #[test]
    fn class_option_fields() {
        let c = ClassOption(0x42);
        assert_eq!(
            (c.class(), c.extended(), c.no_explicit_flow_control()),
            (4, true, false)
        );
        assert_eq!(ClassOption::new(2, false, true), ClassOption(0x21));
    }

    #[test]
    fn debug_names_known_values_and_keeps_unknown() {
        assert_eq!(
            std::format!("{:?}", DisconnectReason(0x82)),
            "DisconnectReason(0x82 connection negotiation failed)"
        );
        assert_eq!(
            std::format!("{:?}", DisconnectReason(0x42)),
            "DisconnectReason(0x42)"
        );
        assert_eq!(u8::from(ParamCode::from(0x99)), 0x99);
    }
}
