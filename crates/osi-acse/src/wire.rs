//! The BER plumbing every APDU module shares: reading fields out of osi-sansio's TLVs with
//! typed errors, and writing definite-length TLVs into the caller's buffer.
//!
//! Every identifier of the ACSE-1 module (X.227) has a tag number below 31, so one octet;
//! every length is written in the shortest definite form (X.690 §10.1).

use osi_sansio::ber::{self, Tlv};

use crate::{Error, Limits, Result};

// The one-octet identifiers and the length arithmetic are X.690's, not this protocol's:
// they live beside the TLV reader in osi-sansio and are shared with the other codecs.
pub(crate) use osi_sansio::ber::{
    INTEGER, OID, context, context_constructed, explicit_uint_len, opt_len, tlv_len, uint_len,
};

/// The output cursor, erring with this crate's [`Error::BufferTooSmall`].
pub(crate) type Out<'b> = ber::Out<'b, Error>;

/// Identifier octet bit 6: constructed (X.690 §8.1.2.5).
const CONSTRUCTED: u8 = ber::CONSTRUCTED;
/// Identifier octet of a universal OCTET STRING.
pub(crate) const OCTET_STRING: u8 = 0x04;
/// Identifier octet of a universal PrintableString.
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
/// Identifier octet of a universal ObjectDescriptor.
pub(crate) const OBJECT_DESCRIPTOR: u8 = 0x07;
/// Identifier octet of a universal EXTERNAL (constructed, 8).
pub(crate) const EXTERNAL: u8 = 0x28;
/// The identifier octet of a constructed application-class `[APPLICATION n]`, n < 31.
pub(crate) const fn application_constructed(n: u8) -> u8 {
    0x40 | CONSTRUCTED | n
}

/// What a decoder carries down: the APDU it reads (for errors) and the limits. The checks
/// it makes (X.690's, not this protocol's) are osi-sansio's, shared with the other codecs.
pub(crate) type Cx<'l> = ber::Fields<'l, Limits, Error>;

/// Walks the fields of a SEQUENCE in order (osi-sansio's).
pub(crate) use osi_sansio::ber::Order;

/// A primitive character string, at most [`Limits::max_text_len`] octets.
pub(crate) fn text<'a>(cx: Cx<'_>, tlv: &Tlv<'a>, field: &'static str) -> Result<&'a [u8]> {
    cx.octets(tlv, field, cx.limits.max_text_len)
}
