//! One entry point for any ACSE APDU (ACSE-1, `ACSE-apdu`): the outermost application
//! tag says which it is.

use osi_sansio::ber::Class;

use crate::associate::{Aare, Aarq};
use crate::release::{Abort, Rlre, Rlrq};
use crate::wire::Cx;
use crate::{Limits, Result};

/// A decoded ACSE APDU. A-DT, ACRQ and ACRP (`[APPLICATION 5..7]`, the higher level
/// association functional unit) are refused as unexpected tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Apdu<'a> {
    /// AARQ, `[APPLICATION 0]`.
    Aarq(Aarq<'a>),
    /// AARE, `[APPLICATION 1]`.
    Aare(Aare<'a>),
    /// RLRQ, `[APPLICATION 2]`.
    Rlrq(Rlrq<'a>),
    /// RLRE, `[APPLICATION 3]`.
    Rlre(Rlre<'a>),
    /// ABRT, `[APPLICATION 4]`.
    Abrt(Abort<'a>),
}

impl<'a> Apdu<'a> {
    /// Decodes octets that are exactly one ACSE APDU (the single-ASN1-type value of a
    /// presentation data value in the ACSE context), with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// [`Error`](crate::Error) for anything but one valid APDU within the limits.
    pub fn decode(data: &'a [u8]) -> Result<Self> {
        Self::decode_with(data, &Limits::DEFAULT)
    }

    /// [`Apdu::decode`] within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Apdu::decode`].
    pub fn decode_with(data: &'a [u8], limits: &Limits) -> Result<Self> {
        let cx = Cx::new("ACSE-apdu", limits);
        let tlv = cx.whole(data)?;
        let named = |name| Cx::new(name, limits);
        match (tlv.class, tlv.number) {
            (Class::Application, 0) => Aarq::decode_tlv(named("AARQ-apdu"), &tlv).map(Self::Aarq),
            (Class::Application, 1) => Aare::decode_tlv(named("AARE-apdu"), &tlv).map(Self::Aare),
            (Class::Application, 2) => Rlrq::decode_tlv(named("RLRQ-apdu"), &tlv).map(Self::Rlrq),
            (Class::Application, 3) => Rlre::decode_tlv(named("RLRE-apdu"), &tlv).map(Self::Rlre),
            (Class::Application, 4) => Abort::decode_tlv(named("ABRT-apdu"), &tlv).map(Self::Abrt),
            _ => Err(cx.unexpected("ACSE-apdu", &tlv)),
        }
    }

    /// Octets of the encoding.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Aarq(a) => a.encoded_len(),
            Self::Aare(a) => a.encoded_len(),
            Self::Rlrq(a) => a.encoded_len(),
            Self::Rlre(a) => a.encoded_len(),
            Self::Abrt(a) => a.encoded_len(),
        }
    }

    /// Writes the encoding (definite lengths, X.690 §10.1) at the start of `dst`; returns
    /// its length.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`](crate::Error::BufferTooSmall) if `dst` is shorter than
    /// [`Apdu::encoded_len`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        match self {
            Self::Aarq(a) => a.encode(dst),
            Self::Aare(a) => a.encode(dst),
            Self::Rlrq(a) => a.encode(dst),
            Self::Rlre(a) => a.encode(dst),
            Self::Abrt(a) => a.encode(dst),
        }
    }
}
