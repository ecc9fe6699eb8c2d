//! The one error type of this crate.

use osi_sansio::ber;

use crate::Limits;

/// What went wrong while decoding or encoding a PPDU.
///
/// Every decoding variant names the PPDU (`ppdu`, as X.226 §8.2 names its type) and, where
/// one is at fault, the field. On receipt each is a protocol error in the sense of X.226
/// §6.4.4.1: the usual reaction is an ARP PPDU, with the [`AbortReason`](crate::AbortReason)
/// the variant's documentation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The octets are not BER (X.690 §8.1), or break a nesting or size limit of the walk.
    #[error("{ppdu}: {error}")]
    Ber {
        /// The PPDU.
        ppdu: &'static str,
        /// What the BER reader found.
        error: ber::Error,
    },
    /// Octets follow the PPDU in the SS-user data.
    #[error("{ppdu}: {len} octets follow the PPDU")]
    TrailingData {
        /// The PPDU.
        ppdu: &'static str,
        /// Octets left over.
        len: usize,
    },
    /// A value whose tag X.226 §8.2 does not allow at this place (abort reason 1 for the
    /// outermost value, 4 for a parameter).
    #[error("{ppdu}: tag {class:?} {number} is not allowed in {field}")]
    UnexpectedTag {
        /// The PPDU.
        ppdu: &'static str,
        /// The field or list being read.
        field: &'static str,
        /// The tag class found.
        class: ber::Class,
        /// The tag number found.
        number: u32,
    },
    /// A mandatory field is absent (abort reason 6).
    #[error("{ppdu}: {field} is missing")]
    MissingField {
        /// The PPDU.
        ppdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field appears twice, or out of the order a SEQUENCE fixes (abort reason 5).
    #[error("{ppdu}: {field} appears twice or out of order")]
    DuplicateField {
        /// The PPDU.
        ppdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field in the wrong form: constructed where X.690 makes it primitive, or the reverse.
    /// Constructed (segmented) strings are valid BER but no deployed presentation entity
    /// sends them, and they cannot be borrowed as one slice, so they are refused too.
    #[error("{ppdu}: {field} has the wrong form (primitive or constructed)")]
    WrongForm {
        /// The PPDU.
        ppdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// An INTEGER that is empty, negative or above `u32::MAX` (X.690 §8.3).
    #[error("{ppdu}: {field} is not an INTEGER in 0..=4294967295")]
    BadInteger {
        /// The PPDU.
        ppdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// An OBJECT IDENTIFIER that is not one (X.690 §8.19): empty, a subidentifier that
    /// starts with 0x80 or runs off the end, or one above 64 bits.
    #[error("{ppdu}: {field} is not a valid OBJECT IDENTIFIER (X.690 8.19)")]
    BadOid {
        /// The PPDU.
        ppdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A BIT STRING that is not one (X.690 §8.6): no initial octet, more than 7 unused
    /// bits, or unused bits in an empty string.
    #[error("{ppdu}: {field} is not a valid BIT STRING (X.690 8.6)")]
    BadBitString {
        /// The PPDU.
        ppdu: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A list holds more items, an OBJECT IDENTIFIER more arcs, than the
    /// [`Limits`](crate::Limits) allow.
    #[error("{ppdu}: {field} holds more than the {max} allowed")]
    TooMany {
        /// The PPDU.
        ppdu: &'static str,
        /// The list.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A field or the whole PPDU is longer than the [`Limits`](crate::Limits) allow.
    #[error("{ppdu}: {field} is {len} octets long, more than the {max} allowed")]
    TooLong {
        /// The PPDU.
        ppdu: &'static str,
        /// The field.
        field: &'static str,
        /// Octets found.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The mode selector contradicts the parameters: X.410-1984 mode with
    /// normal-mode-parameters, normal mode with x410-mode-parameters, or a value neither mode
    /// has (X.226 §8.2, Mode-selector).
    #[error("{ppdu}: mode selector {mode} does not match the parameters present")]
    ModeMismatch {
        /// The PPDU.
        ppdu: &'static str,
        /// The mode value found.
        mode: u32,
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

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

// The conversions from osi-sansio's shared faults, and the bounds of the one walk.
osi_sansio::codec_glue!(Error { ppdu }, Limits, "the PPDU");
