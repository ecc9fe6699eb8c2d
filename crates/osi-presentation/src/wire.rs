//! The BER plumbing every PPDU module shares: reading fields out of osi-sansio's TLVs with
//! typed errors, and writing definite-length TLVs into the caller's buffer.
//!
//! Every identifier of X.226 §8.2 has a tag number below 31, so one octet; every length
//! is written in the shortest definite form (X.690 §10.1).

use osi_sansio::ber::{self, Tlv};

use crate::{Error, Limits};

// The one-octet identifiers and the length arithmetic are X.690's, not this protocol's:
// they live beside the TLV reader in osi-sansio and are shared with the other codecs.
pub(crate) use osi_sansio::ber::{
    INTEGER, OID, SEQUENCE, SET, context, context_constructed, encode_into, opt_len, tlv_len,
    uint_len,
};

/// The output cursor, erring with this crate's [`Error::BufferTooSmall`].
pub(crate) type Out<'b> = ber::Out<'b, Error>;

/// What a decoder carries down: the PPDU it reads (for errors) and the limits. The checks
/// it makes (X.690's, not this protocol's) are osi-sansio's, shared with the other codecs.
pub(crate) type Cx<'l> = ber::Fields<'l, Limits, Error>;

/// Walks the fields of a SEQUENCE in order (osi-sansio's).
pub(crate) use osi_sansio::ber::Order;

/// Whether `tlv` is `[n]` of the context class.
pub(crate) fn is_context(tlv: &Tlv<'_>, n: u32) -> bool {
    tlv.is_context(n)
}
