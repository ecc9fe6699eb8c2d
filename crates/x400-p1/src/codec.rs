//! Decoding and encoding whole PDUs: nesting limit, BER, trailing octets, upper bounds.

use alloc::vec::Vec;

use crate::mta_abstract_service::{MtaBindArgument, MtaBindError, MtaBindResult, MtsApdu};
use crate::p1_1984::{Mpdu, Request};
use crate::validate::Validate;
use crate::{Error, Result};
pub use osi_sansio::DecodeLimits;
use osi_sansio::ber;

/// The limits [`decode`] applies: nesting 32 deep at most and 1 048 576 BER values (the
/// [`DecodeLimits`] defaults), and no length limit of its own: the RTS below bounds the APDU
/// (`max_apdu_len`).
///
/// 32 levels: the deepest P1 structure (an O/R name inside a redirection-history extension of
/// a per-recipient field, with a directory name) nests about 16 deep; 32 leaves room for
/// constructed strings and extension attribute values. 1 048 576 values: an envelope with the
/// full ub-recipients (32 767) recipients of about 20 values each needs some 650 000; the
/// decoded structure then stays below about 512 MiB. Both are checked by a flat scan before
/// the BER decoder runs, so hostile nesting costs neither stack nor allocation.
pub const DEFAULT_LIMITS: DecodeLimits = DecodeLimits::DEFAULT.with_max_len(usize::MAX);

/// A top-level P1 PDU: something one RT-TRANSFER or one RTS open/accept carries.
pub trait Pdu: rasn::Decode + rasn::Encode + Validate {
    /// The PDU's ASN.1 name, used in errors.
    const NAME: &'static str;

    /// The octets to decode instead of `data`, with the elements this PDU's receiver must
    /// ignore left out, or `None` to decode `data` as it is (the default: strict). Only the
    /// 1984 MPDU overrides it: unknown elements in its envelopes, such as the EAN extras of
    /// ISODE's and PP's 1984 P1 modules, are ignored.
    fn ignoring_unknown_elements(data: &[u8]) -> Option<Vec<u8>> {
        let _ = data;
        None
    }
}

impl Pdu for MtsApdu {
    const NAME: &'static str = "MTS-APDU";
}
impl Pdu for Mpdu {
    const NAME: &'static str = "MPDU";

    fn ignoring_unknown_elements(data: &[u8]) -> Option<Vec<u8>> {
        crate::unknown_elements::strip_mpdu_1984(data)
    }
}
impl Pdu for MtaBindArgument {
    const NAME: &'static str = "MTABindArgument";
}
impl Pdu for MtaBindResult {
    const NAME: &'static str = "MTABindResult";
}
impl Pdu for MtaBindError {
    const NAME: &'static str = "MTABindError";
}
impl Pdu for Request {
    const NAME: &'static str = "Rts84 Request";
}

/// Decodes one PDU that must fill `data` exactly, within [`DEFAULT_LIMITS`].
///
/// # Errors
///
/// [`Error::TooDeep`], [`Error::Decode`], [`Error::TrailingData`], or the bound or rule the
/// decoded value breaks ([`Error::OutOfBounds`], [`Error::Invalid`]).
pub fn decode<T: Pdu>(data: &[u8]) -> Result<T> {
    decode_with(data, &DEFAULT_LIMITS)
}

/// Decodes one PDU that must fill `data` exactly, with the given limits.
///
/// # Errors
///
/// As [`decode`].
pub fn decode_with<T: Pdu>(data: &[u8], limits: &DecodeLimits) -> Result<T> {
    // The shape limits apply to the octets as received, before anything is dropped.
    check_shape(data, limits)?;
    let stripped = T::ignoring_unknown_elements(data);
    let data = stripped.as_deref().unwrap_or(data);
    let (value, rest) =
        rasn::ber::decode_with_remainder::<T>(data).map_err(|source| Error::Decode {
            pdu: T::NAME,
            source,
        })?;
    // One RT-TRANSFER is one APDU (X.218 §9.3): anything after it is an error, not a second
    // PDU.
    if !rest.is_empty() {
        return Err(Error::TrailingData {
            pdu: T::NAME,
            len: rest.len(),
        });
    }
    value.validate()?;
    Ok(value)
}

/// Checks `value` against X.411's bounds and encodes it as BER (definite lengths).
///
/// # Errors
///
/// [`Error::OutOfBounds`] or [`Error::Invalid`] if the value breaks a bound or rule;
/// [`Error::Encode`] if the encoder refuses it.
pub fn encode<T: Pdu>(value: &T) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(value, &mut out)?;
    Ok(out)
}

/// As [`encode`], into `buf` (cleared first), reusing its allocation.
///
/// # Errors
///
/// As [`encode`].
pub fn encode_into<T: Pdu>(value: &T, buf: &mut Vec<u8>) -> Result<()> {
    value.validate()?;
    rasn::ber::encode_buf(value, buf).map_err(|source| Error::Encode {
        pdu: T::NAME,
        source,
    })
}

/// RTS `applicationProtocol` values that select P1 (X.419, module `MTSTransferProtocol`).
pub mod application_protocol {
    /// `mts-transfer-protocol-1984` (1): 1984 MPDUs and the 1984 bind.
    pub const MTS_TRANSFER_PROTOCOL_1984: u32 = 1;
    /// `mts-transfer-protocol` (12): 1988 MTS-APDUs and MTABind in X.410 mode.
    pub const MTS_TRANSFER_PROTOCOL: u32 = 12;
}

/// A transferred APDU of either P1 version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum TransferApdu {
    /// X.411 (1984) MPDU.
    Mpdu(Mpdu),
    /// X.411 (1988) MTS-APDU.
    MtsApdu(MtsApdu),
}

/// Decodes the APDU of one RT-TRANSFER as the version the RTS `applicationProtocol` names.
///
/// # Errors
///
/// [`Error::Invalid`] if `application_protocol` is not 1 or 12; otherwise as [`decode`].
pub fn decode_transfer(application_protocol: u32, data: &[u8]) -> Result<TransferApdu> {
    match application_protocol {
        application_protocol::MTS_TRANSFER_PROTOCOL_1984 => decode(data).map(TransferApdu::Mpdu),
        application_protocol::MTS_TRANSFER_PROTOCOL => decode(data).map(TransferApdu::MtsApdu),
        _ => Err(Error::Invalid {
            what: "applicationProtocol",
            rule: "P1 is 1 (1984) or 12 (1988)",
        }),
    }
}

/// Rejects BER longer than `limits.max_len`, whose constructed values nest deeper than
/// `limits.max_depth`, or that holds more than `limits.max_elements` values. Octets that are
/// not BER are left for the BER decoder to report in its own words.
pub(crate) fn check_shape(data: &[u8], limits: &DecodeLimits) -> Result<()> {
    match ber::check(data, limits) {
        Err(ber::Error::TooDeep { max }) => Err(Error::TooDeep { max }),
        Err(ber::Error::TooManyElements { max }) => Err(Error::TooManyElements { max }),
        Err(ber::Error::TooLong { len, max }) => Err(Error::TooLong { len, max }),
        _ => Ok(()),
    }
}
