//! Decoding and encoding whole PDUs: nesting limit, BER, trailing octets, upper bounds.

use alloc::vec::Vec;

use crate::mta_abstract_service::{MtaBindArgument, MtaBindError, MtaBindResult, MtsApdu};
use crate::p1_1984::{Mpdu, Request};
use crate::validate::Validate;
use crate::{Error, Result};

/// Limits applied while decoding. Every limit has a named default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeConfig {
    /// Deepest nesting of constructed BER values accepted, the outermost value counting 1.
    /// Default [`DecodeConfig::DEFAULT_MAX_DEPTH`]. Checked by a flat scan before the BER
    /// decoder runs, so hostile nesting costs neither stack nor allocation (rasn's own limit of
    /// 128 stays behind it).
    pub max_depth: usize,
    /// Most BER values (TLVs, primitive and constructed, at any depth) one PDU may hold.
    /// Default [`DecodeConfig::DEFAULT_MAX_ELEMENTS`]. Content octets count as one value however
    /// long they are; this bounds the memory the decoded *structure* takes, which can be a few
    /// hundred times the octets it came from (an O/R name is 384 octets in memory and 2 on the wire).
    pub max_elements: usize,
}

impl DecodeConfig {
    /// 32: the deepest P1 structure (an O/R name inside a redirection-history extension of a
    /// per-recipient field, with a directory name) nests about 16 deep; 32 leaves room for
    /// constructed strings and extension attribute values.
    pub const DEFAULT_MAX_DEPTH: usize = 32;

    /// 1 048 576: an envelope with the full ub-recipients (32 767) recipients of about 20 values
    /// each needs some 650 000; the decoded structure then stays below about 512 MiB.
    pub const DEFAULT_MAX_ELEMENTS: usize = 1 << 20;

    /// The defaults, with a different nesting limit.
    #[must_use]
    pub const fn with_max_depth(max_depth: usize) -> Self {
        Self {
            max_depth,
            max_elements: Self::DEFAULT_MAX_ELEMENTS,
        }
    }

    /// The defaults, with a different limit on the number of BER values.
    #[must_use]
    pub const fn with_max_elements(max_elements: usize) -> Self {
        Self {
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_elements,
        }
    }
}

impl Default for DecodeConfig {
    fn default() -> Self {
        Self {
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_elements: Self::DEFAULT_MAX_ELEMENTS,
        }
    }
}

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

/// Decodes one PDU that must fill `data` exactly, with the default [`DecodeConfig`].
///
/// # Errors
///
/// [`Error::TooDeep`], [`Error::Decode`], [`Error::TrailingData`], or the bound or rule the
/// decoded value breaks ([`Error::OutOfBounds`], [`Error::Invalid`]).
pub fn decode<T: Pdu>(data: &[u8]) -> Result<T> {
    decode_with(data, &DecodeConfig::default())
}

/// Decodes one PDU that must fill `data` exactly, with the given limits.
///
/// # Errors
///
/// As [`decode`].
pub fn decode_with<T: Pdu>(data: &[u8], config: &DecodeConfig) -> Result<T> {
    // The shape limits apply to the octets as received, before anything is dropped.
    check_shape(data, config)?;
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

/// Rejects BER whose constructed values nest deeper than `config.max_depth`, or that holds more
/// than `config.max_elements` values.
///
/// A flat scan of the first TLV of `data` (no recursion): a stack of the open constructed
/// values' ends, `None` for indefinite lengths. It checks nothing else; malformed octets are
/// left for the BER decoder to report, so the scan stops at the first thing it cannot parse.
/// Linear in `data.len()`: every step consumes octets or closes a value it opened.
pub(crate) fn check_shape(data: &[u8], config: &DecodeConfig) -> Result<()> {
    let max = config.max_depth;
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut pos = 0usize;
    let mut elements = 0usize;
    loop {
        while let Some(&Some(end)) = open.last() {
            if pos < end {
                break;
            }
            open.pop();
        }
        if open.is_empty() && pos > 0 {
            return Ok(());
        }
        if matches!(open.last(), Some(None))
            && data.get(pos..pos.saturating_add(2)) == Some(&[0, 0][..])
        {
            open.pop();
            pos += 2;
            continue;
        }
        let Some(&identifier) = data.get(pos) else {
            return Ok(());
        };
        pos += 1;
        elements += 1;
        if elements > config.max_elements {
            return Err(Error::TooManyElements {
                max: config.max_elements,
            });
        }
        if identifier & 0x1f == 0x1f {
            // High tag number: base-128 octets until one without the continuation bit.
            loop {
                let Some(&b) = data.get(pos) else {
                    return Ok(());
                };
                pos += 1;
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let Some(&first) = data.get(pos) else {
            return Ok(());
        };
        pos += 1;
        let len = match first {
            0x80 => None,
            n if n < 0x80 => Some(usize::from(n)),
            n => {
                let count = usize::from(n & 0x7f);
                let Some(octets) = data.get(pos..pos.saturating_add(count)) else {
                    return Ok(());
                };
                pos += count;
                let mut v = 0usize;
                for &b in octets {
                    let Some(next) = v
                        .checked_mul(256)
                        .and_then(|x| x.checked_add(usize::from(b)))
                    else {
                        return Ok(());
                    };
                    v = next;
                }
                Some(v)
            }
        };
        if identifier & 0x20 != 0 {
            if open.len() >= max {
                return Err(Error::TooDeep { max });
            }
            open.push(len.map(|l| pos.saturating_add(l)));
        } else {
            let Some(l) = len else { return Ok(()) };
            pos = pos.saturating_add(l);
        }
        if pos > data.len() {
            return Ok(());
        }
    }
}
