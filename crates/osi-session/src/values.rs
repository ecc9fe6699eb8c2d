//! Typed values of the fixed-size parameters (X.225 §8.3).
//!
//! Bit-field values are newtypes over the octets as received: reserved bits are kept (so a
//! decoded SPDU re-encodes exactly) and ignored by the accessors, as X.225 §8.2.6 asks.

use core::num::NonZeroU8;

use crate::code::Code;
use crate::{Error, Result};

macro_rules! flags {
    ($(#[$doc:meta])* $name:ident($t:ty) { $( $(#[$fdoc:meta])* $flag:ident = $v:literal, $text:literal; )* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $t);

        impl $name {
            $( $(#[$fdoc])* pub const $flag: $t = $v; )*
            /// Every defined bit with a short description, lowest bit first.
            pub const BITS: &'static [($t, &'static str)] = &[$(($v, $text)),*];

            /// Whether every bit of `mask` is set.
            pub fn contains(self, mask: $t) -> bool {
                self.0 & mask == mask
            }

            /// Descriptions of the defined bits that are set, lowest bit first.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                Self::BITS.iter().filter(move |(b, _)| self.0 & b != 0).map(|(_, n)| *n)
            }

            /// Set bits that this version of X.225 leaves reserved.
            pub fn reserved_bits(self) -> $t {
                self.0 & !Self::BITS.iter().fold(0, |a, (b, _)| a | b)
            }
        }

        /// The value in hex and the meaning of its bits, e.g. `0x05 (release the transport
        /// connection, protocol error)`; reserved bits are named as such.
        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let width = 2 + 2 * core::mem::size_of::<$t>();
                write!(f, "{:#0width$x} (", self.0)?;
                let mut sep = "";
                for name in self.names() {
                    write!(f, "{sep}{name}")?;
                    sep = ", ";
                }
                match (self.reserved_bits(), sep.is_empty()) {
                    (0, true) => f.write_str("none)"),
                    (0, false) => f.write_str(")"),
                    (r, _) => write!(f, "{sep}reserved bits {r:#0width$x})"),
                }
            }
        }
    };
}

flags! {
    /// Session User Requirements, PI 20: the proposed or selected functional units
    /// (X.225 §8.3.1.16). Absent means [`Requirements::DEFAULT`].
    Requirements(u16) {
        /// Half-duplex.
        HALF_DUPLEX = 0x0001, "half-duplex";
        /// Duplex.
        DUPLEX = 0x0002, "duplex";
        /// Expedited data.
        EXPEDITED = 0x0004, "expedited data";
        /// Minor synchronize.
        MINOR_SYNC = 0x0008, "minor synchronize";
        /// Major synchronize.
        MAJOR_SYNC = 0x0010, "major synchronize";
        /// Resynchronize.
        RESYNC = 0x0020, "resynchronize";
        /// Activity management.
        ACTIVITY = 0x0040, "activity management";
        /// Negotiated release.
        NEGOTIATED_RELEASE = 0x0080, "negotiated release";
        /// Capability data exchange.
        CAPABILITY_DATA = 0x0100, "capability data exchange";
        /// Exceptions.
        EXCEPTIONS = 0x0200, "exceptions";
        /// Typed data.
        TYPED_DATA = 0x0400, "typed data";
        /// Symmetric synchronize.
        SYMMETRIC_SYNC = 0x0800, "symmetric synchronize";
        /// Data separation.
        DATA_SEPARATION = 0x1000, "data separation";
    }
}

impl Requirements {
    /// The value when PI 20 is absent: half-duplex, minor synchronize, activity management,
    /// capability data, exceptions (X.225 §8.3.1.16).
    pub const DEFAULT: Self = Self(0x0349);
    /// What X.410 (1984) RTS needs: half-duplex, minor synchronize, exceptions, activity
    /// management (X.218 §8.3; ISODE's `RTS_MYREQUIRE` in h/rtpkt.h).
    pub const X410: Self = Self(0x0249);
}

flags! {
    /// Token Item, PI 16 (GT, PT, AC): which tokens are given or asked for.
    TokenItem(u8) {
        /// Data token.
        DATA = 0x01, "data token";
        /// Synchronize-minor token.
        MINOR_SYNC = 0x04, "synchronize-minor token";
        /// Major/activity token.
        MAJOR_ACTIVITY = 0x10, "major/activity token";
        /// Release token.
        RELEASE = 0x40, "release token";
    }
}

flags! {
    /// Transport Disconnect, PI 17 (RF, FN, AB).
    TransportDisconnect(u8) {
        /// Release the transport connection (else keep it for reuse).
        RELEASE = 0x01, "release the transport connection";
        /// AB only: user abort.
        USER_ABORT = 0x02, "user abort";
        /// AB only: protocol error.
        PROTOCOL_ERROR = 0x04, "protocol error";
        /// AB only: no reason.
        NO_REASON = 0x08, "no reason";
        /// AB only: implementation restriction stated in the PICS.
        IMPLEMENTATION_RESTRICTION = 0x10, "implementation restriction";
    }
}

flags! {
    /// Protocol Options, PI 19 (in PGI 5).
    ProtocolOptions(u8) {
        /// Able to receive extended concatenated SPDUs.
        EXTENDED_CONCATENATION = 0x01, "able to receive extended concatenation";
    }
}

flags! {
    /// Version Number, PI 22: the protocol versions proposed (CN) or selected (AC, OA).
    /// Absent means version 1 only.
    Version(u8) {
        /// Protocol version 1.
        V1 = 0x01, "version 1";
        /// Protocol version 2.
        V2 = 0x02, "version 2";
    }
}

impl Version {
    /// Whether version 2 is the only version offered: the precondition for Extended User
    /// Data and Data Overflow in CN (X.225 §8.3.1.19, §8.3.1.21).
    pub fn is_v2_only(self) -> bool {
        self.contains(Self::V2) && !self.contains(Self::V1)
    }
}

flags! {
    /// Sync Type Item, PI 15. In MIP bit 1 means "explicit confirmation not required"; in
    /// MAP it means "not end of activity" and is always set (it tells MAP from AE).
    SyncType(u8) {
        /// MIP: no explicit confirmation required. MAP: not the end of an activity.
        NO_CONFIRM_OR_NOT_END = 0x01, "MIP: explicit confirmation not required / MAP: not end of activity";
        /// MIP: data separation required.
        DATA_SEPARATION = 0x02, "data separation required";
    }
}

flags! {
    /// Enclosure Item, PI 25: where this SPDU sits in a segmented SSDU.
    Enclosure(u8) {
        /// Beginning of the SSDU.
        BEGIN = 0x01, "beginning of SSDU";
        /// End of the SSDU.
        END = 0x02, "end of SSDU";
    }
}

impl Enclosure {
    /// A complete SSDU in one SPDU.
    pub const COMPLETE: Self = Self(0x03);
}

flags! {
    /// Data Overflow, PI 60 (CN, version 2): more than 10 240 octets of connect data follow.
    DataOverflow(u8) {
        /// More user data follows in CDO SPDUs.
        MORE = 0x01, "more connect data follows";
    }
}

/// Position of one token in a Token Setting Item (PI 26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPosition {
    /// `00`: the initiator's (CN/AC) or requestor's (RS/RA) side.
    Initiator,
    /// `01`: the responder's or acceptor's side.
    Responder,
    /// `10`: the called (or accepting) SS-user chooses.
    UsersChoice,
    /// `11`: reserved.
    Reserved,
}

impl TokenPosition {
    fn from_bits(b: u8) -> Self {
        match b & 3 {
            0 => Self::Initiator,
            1 => Self::Responder,
            2 => Self::UsersChoice,
            _ => Self::Reserved,
        }
    }
}

/// Token Setting Item, PI 26 (in PGI 5; RS, RA): two bits per token. Absent from CN means
/// every available token starts at the initiator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TokenSetting(pub u8);

impl TokenSetting {
    /// Data token: bits 2,1.
    pub fn data(self) -> TokenPosition {
        TokenPosition::from_bits(self.0)
    }
    /// Synchronize-minor token: bits 4,3.
    pub fn minor_sync(self) -> TokenPosition {
        TokenPosition::from_bits(self.0 >> 2)
    }
    /// Major/activity token: bits 6,5.
    pub fn major_activity(self) -> TokenPosition {
        TokenPosition::from_bits(self.0 >> 4)
    }
    /// Release token: bits 8,7.
    pub fn release(self) -> TokenPosition {
        TokenPosition::from_bits(self.0 >> 6)
    }
}

/// TSDU Maximum Size, PI 21: 0 means unlimited (X.225 §8.3.1.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TsduMaxSize {
    /// Largest TSDU from initiator to responder.
    pub initiator_to_responder: u16,
    /// Largest TSDU from responder to initiator.
    pub responder_to_initiator: u16,
}

impl TsduMaxSize {
    pub(crate) fn parse(code: Code, v: &[u8]) -> Result<Self> {
        let &[a, b, c, d] = v else {
            return Err(Error::BadLength { code, len: v.len() });
        };
        Ok(Self {
            initiator_to_responder: u16::from_be_bytes([a, b]),
            responder_to_initiator: u16::from_be_bytes([c, d]),
        })
    }

    pub(crate) fn to_bytes(self) -> [u8; 4] {
        let [a, b] = self.initiator_to_responder.to_be_bytes();
        let [c, d] = self.responder_to_initiator.to_be_bytes();
        [a, b, c, d]
    }
}

/// Resync Type, PI 27 and 53 (X.225 §8.3, RESYNCHRONIZE SPDU). Other values are reserved
/// and rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResyncType {
    /// 0: restart.
    Restart = 0,
    /// 1: abandon.
    Abandon = 1,
    /// 2: set.
    Set = 2,
}

impl ResyncType {
    pub(crate) fn parse(code: Code, v: u8) -> Result<Self> {
        match v {
            0 => Ok(Self::Restart),
            1 => Ok(Self::Abandon),
            2 => Ok(Self::Set),
            _ => Err(Error::InvalidValue { code, value: v }),
        }
    }
}

/// Prepare Type, PI 24 (PR). Other values are rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrepareType {
    /// 1: prepare for MAA.
    MajorSyncAck = 1,
    /// 2: prepare for RS.
    Resync = 2,
    /// 3: prepare for RA.
    ResyncAck = 3,
    /// 4: prepare for AB.
    Abort = 4,
}

impl PrepareType {
    pub(crate) fn parse(code: Code, v: u8) -> Result<Self> {
        match v {
            1 => Ok(Self::MajorSyncAck),
            2 => Ok(Self::Resync),
            3 => Ok(Self::ResyncAck),
            4 => Ok(Self::Abort),
            _ => Err(Error::InvalidValue { code, value: v }),
        }
    }
}

/// Reason Code, PI 50. In RF the octets after the code are the SS-user data (only with code
/// [`Reason::REFUSED_WITH_DATA`]); in ED, AI and AD the PI is exactly one octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Reason<'a> {
    /// The reason octet.
    pub code: u8,
    /// RF only: user data following the reason octet.
    pub data: &'a [u8],
}

impl Reason<'_> {
    /// RF: rejected by the called SS-user, no reason.
    pub const REFUSED: u8 = 0;
    /// RF: called SS-user, temporary congestion.
    pub const REFUSED_CONGESTION: u8 = 1;
    /// RF: called SS-user, user data follows.
    pub const REFUSED_WITH_DATA: u8 = 2;
    /// RF: session selector unknown.
    pub const SSEL_UNKNOWN: u8 = 129;
    /// RF: SS-user not attached to SSAP.
    pub const USER_NOT_ATTACHED: u8 = 130;
    /// RF: SPM congestion at connect time.
    pub const SPM_CONGESTION: u8 = 131;
    /// RF: proposed protocol versions not supported.
    pub const VERSIONS_NOT_SUPPORTED: u8 = 132;
    /// RF: rejected by the SPM, no reason.
    pub const SPM_REFUSED: u8 = 133;
    /// RF: SPM implementation restriction stated in the PICS.
    pub const SPM_RESTRICTION: u8 = 134;
    /// ED/AI/AD: no specific reason.
    pub const NO_SPECIFIC_REASON: u8 = 0;
    /// ED/AI/AD: temporarily unable to continue.
    pub const TEMPORARILY_UNABLE: u8 = 1;
    /// ED/AI/AD: user sequence error.
    pub const SEQUENCE_ERROR: u8 = 3;
    /// ED/AI/AD: local SS-user error.
    pub const LOCAL_USER_ERROR: u8 = 5;
    /// ED/AI/AD: unrecoverable procedural error (ISODE's `SP_OK` in h/spkt.h rejects it).
    pub const PROCEDURAL_ERROR: u8 = 6;
    /// ED/AI/AD: demand data token.
    pub const DEMAND_DATA_TOKEN: u8 = 128;

    /// What the code means in RF.
    pub fn refuse_text(code: u8) -> &'static str {
        match code {
            0 => "rejected by the called SS-user, no reason",
            1 => "rejected by the called SS-user: temporary congestion",
            2 => "rejected by the called SS-user: user data follows",
            129 => "session selector unknown",
            130 => "SS-user not attached to SSAP",
            131 => "SPM congestion at connect time",
            132 => "proposed protocol versions not supported",
            133 => "rejected by the SPM, no reason",
            134 => "SPM implementation restriction",
            _ => "reserved",
        }
    }

    /// What the code means in ED, AI and AD.
    pub fn exception_text(code: u8) -> &'static str {
        match code {
            0 => "no specific reason",
            1 => "temporarily unable to continue",
            3 => "user sequence error",
            5 => "local SS-user error",
            6 => "unrecoverable procedural error",
            128 => "demand data token",
            _ => "reserved",
        }
    }
}

/// Largest number of digits of a serial number this crate handles: every such number fits
/// a `u64`. X.225 bounds serial numbers by the Upper Limit Serial Number (default 6 digits);
/// a longer one is [`Error::SerialTooLong`].
pub const MAX_SERIAL_DIGITS: usize = 19;

/// A serial number: ASCII decimal digits, most significant first (X.225 §8.3.1.13).
///
/// Leading zeros are kept (`digits` counts them), so a received value re-encodes exactly.
/// INVARIANT: `1 <= digits <= MAX_SERIAL_DIGITS` and `value < 10^digits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SerialNumber {
    value: u64,
    // Non-zero by the invariant; the niche keeps `Option<SerialNumber>` at 16 octets, and
    // SPDUs hold up to seven of them.
    digits: NonZeroU8,
}

impl SerialNumber {
    /// The serial number `value` in the fewest digits.
    pub fn new(value: u64) -> Self {
        let mut digits = NonZeroU8::MIN;
        let mut v = value / 10;
        while v > 0 {
            // At most 20 digits for a u64: no overflow.
            digits = digits.saturating_add(1);
            v /= 10;
        }
        Self { value, digits }
    }

    /// The number.
    pub fn value(self) -> u64 {
        self.value
    }

    /// Digits on the wire, leading zeros included.
    pub fn digits(self) -> usize {
        usize::from(self.digits.get())
    }

    pub(crate) fn parse(code: Code, v: &[u8]) -> Result<Self> {
        if v.len() > MAX_SERIAL_DIGITS {
            return Err(Error::SerialTooLong { code, len: v.len() });
        }
        let mut value = 0u64;
        for &d in v {
            // X.225 §8.3.1.13: one IA5 digit per octet. ISODE misreads binary values silently
            // (`str2ssn` in ssap/tsdu2spkt.c); we reject them.
            if !d.is_ascii_digit() {
                return Err(Error::BadSerialNumber { code, octet: d });
            }
            // Cannot overflow: at most 19 digits.
            value = value * 10 + u64::from(d - b'0');
        }
        let digits =
            u8::try_from(v.len()).map_err(|_| Error::SerialTooLong { code, len: v.len() })?;
        let digits = NonZeroU8::new(digits).ok_or(Error::BadLength { code, len: 0 })?;
        Ok(Self { value, digits })
    }

    /// The ASCII digits, in a buffer and its used length.
    pub(crate) fn to_ascii(self) -> ([u8; MAX_SERIAL_DIGITS], usize) {
        let mut out = [b'0'; MAX_SERIAL_DIGITS];
        let n = self.digits().min(MAX_SERIAL_DIGITS);
        let mut v = self.value;
        for slot in out.iter_mut().take(n).rev() {
            // `v % 10 < 10`, so the narrowing is exact.
            *slot = b'0' + u8::try_from(v % 10).unwrap_or(0);
            v /= 10;
        }
        (out, n)
    }

    /// A serial number with `digits` digits, leading zeros included.
    ///
    /// # Errors
    ///
    /// [`Error::SerialTooLong`] if `digits` is 0, above [`MAX_SERIAL_DIGITS`], or too few for
    /// `value`.
    pub fn with_digits(value: u64, digits: usize) -> Result<Self> {
        let fits = (1..=MAX_SERIAL_DIGITS).contains(&digits) && Self::new(value).digits() <= digits;
        match u8::try_from(digits).ok().and_then(NonZeroU8::new) {
            Some(d) if fits => Ok(Self { value, digits: d }),
            _ => Err(Error::SerialTooLong {
                code: Code::SERIAL,
                len: digits,
            }),
        }
    }
}

impl core::fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.digits())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // a panic is how a test fails
mod tests {
    use super::*;

    #[test]
    fn requirements_names() {
        let names = [
            "half-duplex",
            "minor synchronize",
            "activity management",
            "exceptions",
        ];
        assert!(Requirements(0x0249).names().eq(names));
        assert_eq!(Requirements(0xe002).reserved_bits(), 0xe000);
        assert!(Requirements::DEFAULT.contains(Requirements::CAPABILITY_DATA));
    }

    #[test]
    fn token_setting_positions() {
        let s = TokenSetting(0x15);
        assert_eq!(s.data(), TokenPosition::Responder);
        assert_eq!(s.minor_sync(), TokenPosition::Responder);
        assert_eq!(s.major_activity(), TokenPosition::Responder);
        assert_eq!(s.release(), TokenPosition::Initiator);
        assert_eq!(TokenSetting(0xb0).release(), TokenPosition::UsersChoice);
        assert_eq!(TokenSetting(0xb0).major_activity(), TokenPosition::Reserved);
    }

    #[test]
    fn serial_numbers_are_ascii_digits() {
        assert_eq!(
            SerialNumber::parse(Code(42), b"1"),
            Ok(SerialNumber::new(1))
        );
        assert_eq!(
            SerialNumber::parse(Code(42), b"27").map(SerialNumber::value),
            Ok(27)
        );
        let padded = SerialNumber::parse(Code(42), b"0012").unwrap();
        assert_eq!((padded.value(), padded.digits()), (12, 4));
        assert_eq!(padded.to_ascii().0[..4], *b"0012");
        assert_eq!(std::format!("{padded}"), "0012");
        assert_eq!(
            SerialNumber::parse(Code(42), &[1]),
            Err(Error::BadSerialNumber {
                code: Code(42),
                octet: 1
            })
        );
        assert_eq!(
            SerialNumber::parse(Code(42), b""),
            Err(Error::BadLength {
                code: Code(42),
                len: 0
            })
        );
        let max = SerialNumber::parse(Code(42), b"9999999999999999999").unwrap();
        assert_eq!(max.value(), 9_999_999_999_999_999_999);
        assert_eq!(
            SerialNumber::parse(Code(42), b"00000000000000000000"),
            Err(Error::SerialTooLong {
                code: Code(42),
                len: 20
            })
        );
        assert_eq!(SerialNumber::new(0).digits(), 1);
        assert_eq!(SerialNumber::new(999_999).digits(), 6);
        assert_eq!(
            SerialNumber::with_digits(5, 3).map(|s| s.to_ascii().0[..3] == *b"005"),
            Ok(true)
        );
        assert!(SerialNumber::with_digits(100, 2).is_err());
    }

    #[test]
    fn reserved_resync_and_prepare_types_rejected() {
        assert_eq!(ResyncType::parse(Code(27), 2), Ok(ResyncType::Set));
        assert_eq!(
            ResyncType::parse(Code(27), 3),
            Err(Error::InvalidValue {
                code: Code(27),
                value: 3
            })
        );
        assert_eq!(
            PrepareType::parse(Code(24), 0),
            Err(Error::InvalidValue {
                code: Code(24),
                value: 0
            })
        );
        assert_eq!(PrepareType::parse(Code(24), 4), Ok(PrepareType::Abort));
    }
}
