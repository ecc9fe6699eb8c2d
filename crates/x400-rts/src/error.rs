//! The one error type of this crate.

use rasn::error::{BerDecodeErrorKind, CodecDecodeError, DecodeError, DecodeErrorKind};
use rasn::types::{Class, Tag};

/// What went wrong while decoding or encoding an RTS PDU.
///
/// Every variant names the PDU (`"PConnect"`, `"PAccept"`, `"PRefuse"`,
/// `"AbortInformation"`) so that a log line says which SS-user data was bad.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The octets are not valid BER for the PDU; rasn's error says where and why.
    #[error("{pdu}: not valid BER: {}", BerWords(source))]
    Ber {
        /// The PDU being decoded.
        pdu: &'static str,
        /// rasn's description of the problem.
        #[source]
        source: DecodeError,
    },
    /// Octets follow the PDU. SS-user data carries exactly one PDU, so they are an error, not
    /// something to skip (rasn's plain `decode` would silently ignore them).
    #[error("{pdu}: {len} octets follow the PDU; session user data carries exactly one")]
    TrailingData {
        /// The PDU that was decoded.
        pdu: &'static str,
        /// Octets after its end.
        len: usize,
    },
    /// The input is longer than [`DecodeLimits::max_len`](crate::DecodeLimits::max_len).
    #[error("{pdu}: {len} octets exceed the configured maximum of {max}")]
    TooLong {
        /// The PDU being decoded.
        pdu: &'static str,
        /// Input length.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The value nests deeper, or holds more values, than the [`DecodeLimits`](crate::DecodeLimits)
    /// allow.
    #[error("{pdu}: {source}")]
    Shape {
        /// The PDU being decoded.
        pdu: &'static str,
        /// The limit broken.
        #[source]
        source: osi_sansio::ber::Error,
    },
    /// The data transfer syntax is not x409(0). The value 1 is the X.226 mode selector of
    /// normal mode: the peer speaks presentation/ACSE, not X.410-1984 mode.
    #[error(
        "{pdu}: data transfer syntax {value} is not x409(0){}",
        if *value == 1 { ": the peer uses normal mode (X.226 mode-selector 1), not X.410-1984 mode" } else { "" }
    )]
    NotX410Mode {
        /// The PDU being decoded.
        pdu: &'static str,
        /// The value received.
        value: i128,
    },
    /// A mandatory component is absent.
    #[error("{pdu}: {field} is missing")]
    MissingField {
        /// The PDU being decoded.
        pdu: &'static str,
        /// The ASN.1 name of the component.
        field: &'static str,
    },
    /// A component occurs twice in a SET.
    #[error("{pdu}: {field} occurs twice")]
    DuplicateField {
        /// The PDU being decoded.
        pdu: &'static str,
        /// The ASN.1 name of the component.
        field: &'static str,
    },
    /// An element whose tag has no place here. Unknown context-specific components of the
    /// user-data SETs (ISODE's `protocolVersion [5]`) are ignored instead; this is for the
    /// rest.
    #[error("{pdu}: unexpected element {} in {field}", TagWords(*tag))]
    UnexpectedElement {
        /// The PDU being decoded.
        pdu: &'static str,
        /// Where it was found.
        field: &'static str,
        /// Its tag.
        tag: Tag,
    },
    /// A component was primitive where it must be constructed, or the reverse.
    #[error(
        "{pdu}: {field} must be {} but is {}",
        if *constructed { "primitive" } else { "constructed" },
        if *constructed { "constructed" } else { "primitive" }
    )]
    WrongForm {
        /// The PDU being decoded.
        pdu: &'static str,
        /// The ASN.1 name of the component.
        field: &'static str,
        /// Whether the component received was constructed.
        constructed: bool,
    },
    /// An INTEGER is negative or does not fit 32 bits. These count octets, checkpoints or
    /// name codes and are never negative (their X.410 (1984) ASN.1).
    #[error("{pdu}: {field} is {value}, outside 0..=4294967295")]
    IntegerOutOfRange {
        /// The PDU being decoded.
        pdu: &'static str,
        /// The ASN.1 name of the component.
        field: &'static str,
        /// The value received.
        value: i128,
    },
    /// An explicit tag (`open`, or the wrapper of `connectionData`) holds more or fewer than
    /// one value.
    #[error("{pdu}: {field} must hold exactly one value, not {count}")]
    NotOneValue {
        /// The PDU being decoded.
        pdu: &'static str,
        /// The ASN.1 name of the component.
        field: &'static str,
        /// Values found.
        count: usize,
    },
    /// The `open` user data given to an encoder is not exactly one BER value.
    #[error("open user data to encode must be exactly one BER value")]
    InvalidOpenData,
    /// rasn could not encode a value.
    #[error("cannot encode: {}", .0.kind)]
    Encode(#[source] rasn::error::EncodeError),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// rasn's finding in words, without its debug forms of tags and sizes.
struct BerWords<'a>(&'a DecodeError);

impl core::fmt::Display for BerWords<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &*self.0.kind {
            DecodeErrorKind::Incomplete { .. } | DecodeErrorKind::Eof => {
                f.write_str("the input ends before the value is complete")
            }
            DecodeErrorKind::FieldError { name, nested } => {
                write!(f, "{name}: {}", BerWords(nested))
            }
            DecodeErrorKind::NoValidChoice { .. } => {
                f.write_str("the tag matches no alternative of the CHOICE")
            }
            DecodeErrorKind::UnexpectedExtraData { length } => {
                write!(f, "{length} octets follow the value")
            }
            DecodeErrorKind::SizeConstraintNotSatisfied { size, expected } => match size {
                Some(size) => write!(f, "size {size} where {expected} is allowed"),
                None => write!(f, "a size outside {expected}"),
            },
            DecodeErrorKind::CodecSpecific {
                inner: CodecDecodeError::Ber(BerDecodeErrorKind::MismatchedTag { expected, actual }),
            } => write!(
                f,
                "tag {} where {} belongs",
                TagWords(*actual),
                TagWords(*expected)
            ),
            DecodeErrorKind::CodecSpecific {
                inner: CodecDecodeError::Ber(kind),
            } => write!(f, "{kind}"),
            kind => write!(f, "{kind}"),
        }
    }
}

/// A tag in ASN.1 notation: `[UNIVERSAL 17]`, `[APPLICATION 3]`, `[2]`.
struct TagWords(Tag);

impl core::fmt::Display for TagWords {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let Tag { class, value } = self.0;
        match class {
            Class::Universal => write!(f, "[UNIVERSAL {value}]"),
            Class::Application => write!(f, "[APPLICATION {value}]"),
            Class::Context => write!(f, "[{value}]"),
            Class::Private => write!(f, "[PRIVATE {value}]"),
        }
    }
}
