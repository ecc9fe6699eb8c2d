//! The one error type of this crate.

use osi_sansio::ber;

use crate::Limits;

/// What went wrong while decoding or encoding an APDU.
///
/// Every decoding variant names the APDU (`apdu`, as the ACSE-1 module of X.227 names its
/// type, e.g. `AARQ-apdu`) and, where one is at fault, the field. On receipt each is an
/// invalid APDU: the ACPM's reaction (X.227 §7.3, abnormal release) is
/// the ABRT APDU of [`Error::abort`] and an A-P-ABORT indication to its own user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The octets are not BER (X.690 §8.1), or break a nesting or size limit of the walk.
    #[error("{apdu}: {error}")]
    Ber {
        /// The APDU.
        apdu: &'static str,
        /// What the BER reader found.
        error: ber::Error,
    },
    /// Octets follow the APDU in the presentation data value.
    #[error("{apdu}: {len} octets follow the APDU")]
    TrailingData {
        /// The APDU.
        apdu: &'static str,
        /// Octets left over.
        len: usize,
    },
    /// A value whose tag the ACSE-1 module does not allow at this place. The fields of the
    /// higher level association functional unit (A-DT, ACRQ, ACRP and the ASOI fields of the
    /// other APDUs) are not supported and land here too.
    #[error("{apdu}: tag {class:?} {number} is not allowed in {field}")]
    UnexpectedTag {
        /// The APDU.
        apdu: &'static str,
        /// The field or list being read.
        field: &'static str,
        /// The tag class found.
        class: ber::Class,
        /// The tag number found.
        number: u32,
    },
    /// A mandatory field is absent.
    #[error("{apdu}: {field} is missing")]
    MissingField {
        /// The APDU.
        apdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field appears twice, or out of the order a SEQUENCE fixes.
    #[error("{apdu}: {field} appears twice or out of order")]
    DuplicateField {
        /// The APDU.
        apdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field in the wrong form: constructed where X.690 makes it primitive, or the reverse.
    /// Constructed (segmented) strings are valid BER but no deployed ACSE implementation
    /// sends them, and they cannot be borrowed as one slice, so they are refused too.
    #[error("{apdu}: {field} has the wrong form (primitive or constructed)")]
    WrongForm {
        /// The APDU.
        apdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// An INTEGER that is empty, negative or above `u32::MAX` (X.690 §8.3).
    #[error("{apdu}: {field} is not an INTEGER in 0..=4294967295")]
    BadInteger {
        /// The APDU.
        apdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// An OBJECT IDENTIFIER that is not one (X.690 §8.19): empty, a subidentifier that
    /// starts with 0x80 or runs off the end, or one above 64 bits.
    #[error("{apdu}: {field} is not a valid OBJECT IDENTIFIER (X.690 8.19)")]
    BadOid {
        /// The APDU.
        apdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A BIT STRING that is not one (X.690 §8.6): no initial octet, more than 7 unused
    /// bits, or unused bits in an empty string.
    #[error("{apdu}: {field} is not a valid BIT STRING (X.690 8.6)")]
    BadBitString {
        /// The APDU.
        apdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A list holds more items, an OBJECT IDENTIFIER more arcs, than the
    /// [`Limits`](crate::Limits) allow.
    #[error("{apdu}: {field} holds more than the {max} allowed")]
    TooMany {
        /// The APDU.
        apdu: &'static str,
        /// The list.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A field or the whole APDU is longer than the [`Limits`](crate::Limits) allow.
    #[error("{apdu}: {field} is {len} octets long, more than the {max} allowed")]
    TooLong {
        /// The APDU.
        apdu: &'static str,
        /// The field.
        field: &'static str,
        /// Octets found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The output buffer is shorter than the encoding.
    #[error("buffer too small: need {needed} octets, have {available}")]
    BufferTooSmall {
        /// Octets the encoding needs.
        needed: usize,
        /// Octets the buffer has.
        available: usize,
    },
}

impl Error {
    /// The ABRT APDU an ACPM sends when an APDU it receives is invalid (X.227 §7.3, abnormal release:
    /// abort-source acse-service-provider, abort-diagnostic protocol-error); the ACPM's own
    /// user gets an A-P-ABORT indication. The same pair follows a presentation provider
    /// abort (a P-P-ABORT indication), without an ABRT.
    #[must_use]
    pub const fn abort(&self) -> crate::Abort<'static> {
        crate::Abort::provider(crate::AbortDiagnostic::PROTOCOL_ERROR)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

// The conversions from osi-sansio's shared faults, and the bounds of the one walk.
osi_sansio::codec_glue!(Error { apdu }, Limits, "the APDU");
