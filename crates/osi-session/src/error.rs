//! The one error type of this crate.

use crate::Kind;
use crate::code::Code;

/// What went wrong while decoding or encoding SPDUs.
///
/// Parameter codes print in decimal, as X.225 prints them, with their names. On receipt every variant is a
/// protocol error in the sense of X.225 A.4.1.2: the usual reaction is an AB SPDU with
/// Transport Disconnect `0x05` (A.4.1.2 (a)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The TSDU holds no octets.
    #[error("empty TSDU: a TSDU holds at least one SPDU")]
    Empty,
    /// An SPDU or parameter unit runs past the end of its enclosing field.
    #[error("the {0} runs past the end of its enclosing field (X.225 8.2)")]
    Truncated(&'static str),
    /// The SI octet names no SPDU of X.225.
    #[error("SPDU identifier {0} (0x{0:02x}) is not a known SPDU (X.225 8.3)")]
    UnknownSi(u8),
    /// SI of an SPDU this crate does not implement: connectionless UNIT DATA (64) or an
    /// Amd.1 short-form SPDU (first octet 0x80 and above), neither used by X.400.
    #[error(
        "SPDU identifier {0} (0x{0:02x}) is a UNIT DATA or short-form SPDU, which this \
         implementation does not support"
    )]
    UnsupportedSi(u8),
    /// A parameter that X.225 defines, but not in this SPDU or group.
    #[error("X.225 8.3 does not allow parameter {code} in {spdu}")]
    UnexpectedParameter {
        /// The SPDU.
        spdu: Kind,
        /// Parameter code.
        code: Code,
    },
    /// A mandatory parameter is absent.
    #[error("{spdu} lacks parameter {code}, which X.225 8.3 makes mandatory")]
    MissingParameter {
        /// The SPDU.
        spdu: Kind,
        /// Parameter code.
        code: Code,
    },
    /// A defined parameter appears twice at the same level.
    #[error("parameter {0} appears twice")]
    DuplicateParameter(Code),
    /// A fixed-size parameter with the wrong length.
    #[error("parameter {code} has length {len}, not the length X.225 8.3 fixes for it")]
    BadLength {
        /// Parameter code.
        code: Code,
        /// Length found.
        len: usize,
    },
    /// A variable-size parameter longer than X.225 allows.
    #[error("parameter {code} is {len} octets long, more than the {max} allowed")]
    TooLong {
        /// Parameter code.
        code: Code,
        /// Length found.
        len: usize,
        /// Largest allowed.
        max: usize,
    },
    /// A value that X.225 reserves (resync type above 2, prepare type 0 or above 4, ...).
    #[error("parameter {code} has the reserved value {value}")]
    InvalidValue {
        /// Parameter code.
        code: Code,
        /// Value found.
        value: u8,
    },
    /// A serial number octet that is not an ASCII digit (X.225 §8.3.1.13).
    #[error("parameter {code} holds octet 0x{octet:02x}, not an ASCII digit (X.225 8.3.1.13)")]
    BadSerialNumber {
        /// Parameter code.
        code: Code,
        /// The offending octet.
        octet: u8,
    },
    /// A serial number with more digits than [`crate::MAX_SERIAL_DIGITS`], or none.
    #[error("parameter {code} has {len} digits, where this implementation supports 1 to 19")]
    SerialTooLong {
        /// Parameter code.
        code: Code,
        /// Digits found.
        len: usize,
    },
    /// SS-user data longer than the version allows in this SPDU (X.225 §8.3; version 1:
    /// Annex D).
    #[error("{spdu} carries {len} octets of user data, more than the {max} allowed")]
    UserDataTooLong {
        /// The SPDU.
        spdu: Kind,
        /// Octets found.
        len: usize,
        /// Largest allowed.
        max: usize,
    },
    /// Extended User Data (194) or Data Overflow (60) in a CN that does not propose
    /// version 2 alone (X.225 §8.3.1.19, §8.3.1.21).
    #[error(
        "Extended User Data (194) and Data Overflow (60) need a CONNECT (CN) that proposes \
         version 2 only (X.225 8.3.1.19, 8.3.1.21)"
    )]
    NeedsVersion2Only,
    /// Extended User Data of 512 octets or less: such data belongs in PGI 193.
    #[error(
        "Extended User Data (194) of {0} octets: it holds 513 to 10240, less belongs in User \
         Data (193)"
    )]
    ExtendedUserDataTooShort(usize),
    /// A CN with both User Data (193) and Extended User Data (194).
    #[error("CONNECT (CN) carries both User Data (193) and Extended User Data (194)")]
    BothUserData,
    /// A parameter that version 1 forbids in this SPDU (Enclosure Item outside DT/TD, user
    /// data in GT, GTC, AI, AIA, AD, ADA).
    #[error("parameter {code} is not allowed in {spdu} under protocol version 1")]
    NotInVersion1 {
        /// The SPDU.
        spdu: Kind,
        /// Parameter code.
        code: Code,
    },
    /// An SI 41 SPDU whose Sync Type Item contradicts its type: MAP needs bit 1 set, AE must
    /// not have it.
    #[error("{0} carries a Sync Type Item (15) that contradicts its type")]
    SyncTypeMismatch(Kind),
    /// RF user data in the Reason Code with a reason other than 2.
    #[error("REFUSE (RF) with reason code {0} carries user data, which only reason 2 may")]
    ReasonCannotCarryData(u8),
    /// An EX SPDU with more than 14 octets of user information.
    #[error("EXPEDITED (EX) carries {0} octets of user information, more than 14")]
    ExpeditedTooLong(usize),
    /// A category 2 SPDU first in a TSDU, or a category 0 or 1 SPDU after the first.
    #[error("{} cannot stand at this place in a TSDU (X.225 Table 6)", .0.abbr())]
    Misplaced(Kind),
    /// A category 1 SPDU followed by more octets.
    #[error("{0} must be alone in its TSDU")]
    NotAlone(Kind),
    /// A pair of SPDUs that neither basic nor (when allowed) extended concatenation permits.
    #[error("{then} cannot follow {after} in one TSDU (X.225 Tables 7 and 8)")]
    BadConcatenation {
        /// The SPDU before.
        after: Kind,
        /// The SPDU that cannot follow it.
        then: Kind,
    },
    /// A GT or PT used for concatenation carries user data, or a Token Item in front of
    /// RS, AD, AI or CD, or in front of a segment that does not end an SSDU.
    #[error("the {0} in front of a concatenated SPDU carries a forbidden parameter")]
    BadConcatenationParameter(Kind),
    /// A parameter field above 65 535 octets cannot be encoded (X.225 §8.2.5).
    #[error("a parameter field of {0} octets exceeds 65535 (X.225 8.2.5)")]
    FieldTooLong(usize),
    /// The output buffer is shorter than the encoding.
    #[error("buffer too small: need {needed} octets, have {available}")]
    BufferTooSmall {
        /// Octets the encoding needs.
        needed: usize,
        /// Octets the buffer has.
        available: usize,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
