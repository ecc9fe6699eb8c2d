//! The error type of this crate.

use rasn::error::{
    BerDecodeErrorKind, CodecDecodeError, DecodeError, DecodeErrorKind, EncodeError,
};
use rasn::types::{Class, Tag};

/// What went wrong while decoding, validating or encoding a P1 PDU.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The octets are not a BER encoding of the expected PDU.
    #[error("{pdu} is not valid BER for its type: {}", BerWords(source))]
    Decode {
        /// The PDU type being decoded, as named in the ASN.1.
        pdu: &'static str,
        /// What the BER decoder found.
        #[source]
        source: DecodeError,
    },
    /// The BER encoder refused a value.
    #[error("{pdu} could not be encoded: {}", source.kind)]
    Encode {
        /// The PDU type being encoded.
        pdu: &'static str,
        /// What the BER encoder said.
        #[source]
        source: EncodeError,
    },
    /// Octets follow the end of the PDU: one RT-TRANSFER carries exactly one APDU.
    #[error("{len} octets follow the end of the {pdu}")]
    TrailingData {
        /// The PDU type that was decoded.
        pdu: &'static str,
        /// How many octets are left over.
        len: usize,
    },
    /// Constructed BER values are nested deeper than the configured maximum.
    #[error("BER values are nested more than {max} deep (DecodeLimits::max_depth)")]
    TooDeep {
        /// The configured maximum ([`crate::DecodeLimits::max_depth`]).
        max: usize,
    },
    /// The PDU holds more BER values than the configured maximum.
    #[error("the PDU holds more than {max} BER values (DecodeLimits::max_elements)")]
    TooManyElements {
        /// The configured maximum ([`crate::DecodeLimits::max_elements`]).
        max: usize,
    },
    /// The PDU is longer than the configured maximum.
    #[error("the PDU is {len} octets, more than the {max} accepted (DecodeLimits::max_len)")]
    TooLong {
        /// Octets given.
        len: usize,
        /// The configured maximum ([`crate::DecodeLimits::max_len`]).
        max: usize,
    },
    /// A size or value is outside an X.411 upper bound.
    #[error("{what} is {actual}, outside {min}..={max} ({bound})")]
    OutOfBounds {
        /// The field, as named in the ASN.1.
        what: &'static str,
        /// The bound, as named in X.411 `MTSUpperBounds` (e.g. `ub-surname-length`).
        bound: &'static str,
        /// Smallest allowed size or value.
        min: usize,
        /// Largest allowed size or value.
        max: usize,
        /// The size or value found.
        actual: usize,
    },
    /// A rule of X.411 other than an upper bound is broken.
    #[error("{what}: {rule}")]
    Invalid {
        /// The field, as named in the ASN.1.
        what: &'static str,
        /// The rule that is broken.
        rule: &'static str,
    },
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
