//! User-data (X.226 §8.2): simply encoded (one octet string) or fully encoded (a list of
//! PDV-lists, each naming the presentation context of its values).

use osi_sansio::ber::{Class, Tlv};

use crate::list::{List, item};
use crate::values::{BitString, ContextId, Oid};
use crate::wire::{self, Cx, Order, Out};
use crate::{Limits, Result};

const PPDU: &str = "User-data";

/// `User-data` (X.226 §8.2): the user data of every PPDU, and the whole of TD, TE, TC and
/// TCC, and of the session services that carry no PPDU (activities, synchronization,
/// release).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserData<'a> {
    /// `simply-encoded-data [APPLICATION 0] IMPLICIT OCTET STRING`: only when the defined
    /// context set has at most one member (X.226 §6.1.2.4).
    Simple(&'a [u8]),
    /// `fully-encoded-data [APPLICATION 1] IMPLICIT SEQUENCE OF PDV-list`.
    Full(List<'a, Pdv<'a>>),
}

/// Identifier of simply-encoded-data (application, primitive, 0).
const SIMPLE: u8 = 0x40;
/// Identifier of fully-encoded-data (application, constructed, 1).
const FULL: u8 = 0x61;

impl<'a> UserData<'a> {
    /// Fully encoded user data of `pdvs`.
    #[must_use]
    pub const fn full(pdvs: &'a [Pdv<'a>]) -> Self {
        Self::Full(List::new(pdvs))
    }

    /// Decodes SS-user data that is exactly one `User-data` (TD, TE, TC, TCC, and the
    /// session services without a PPDU), with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// [`Error`](crate::Error) for anything but one valid `User-data` within the limits.
    pub fn decode(data: &'a [u8]) -> Result<Self> {
        Self::decode_with(data, &Limits::DEFAULT)
    }

    /// [`UserData::decode`] within `limits`.
    ///
    /// # Errors
    ///
    /// As [`UserData::decode`].
    pub fn decode_with(data: &'a [u8], limits: &Limits) -> Result<Self> {
        let cx = Cx::new(PPDU, limits);
        let tlv = cx.whole(data)?;
        Self::decode_tlv(cx, &tlv)
    }

    /// Whether `tlv` is one of the two alternatives (by tag; the form is checked later).
    pub(crate) fn is(tlv: &Tlv<'_>) -> bool {
        tlv.class == Class::Application && tlv.number <= 1
    }

    pub(crate) fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        match (tlv.class, tlv.number) {
            (Class::Application, 0) => Ok(Self::Simple(cx.primitive(tlv, "simply-encoded-data")?)),
            (Class::Application, 1) => Ok(Self::Full(List::decode(
                cx,
                tlv,
                "fully-encoded-data",
                cx.limits.max_pdvs,
            )?)),
            _ => Err(cx.unexpected("user-data", tlv)),
        }
    }

    pub(crate) fn tlv_len(&self) -> usize {
        wire::tlv_len(match self {
            Self::Simple(octets) => octets.len(),
            Self::Full(pdvs) => pdvs.contents_len(),
        })
    }

    pub(crate) fn write(&self, out: &mut Out<'_>) -> Result<()> {
        match self {
            Self::Simple(octets) => out.tlv(SIMPLE, octets),
            Self::Full(pdvs) => pdvs.write(out, FULL),
        }
    }

    /// Octets of the encoding.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        self.tlv_len()
    }

    /// Writes the encoding (definite lengths, X.690 §10.1) at the start of `dst`; returns
    /// its length.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`](crate::Error::BufferTooSmall) if `dst` is shorter than
    /// [`UserData::encoded_len`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        wire::encode_into(dst, self.tlv_len(), |out| self.write(out))
    }
}

/// `PDV-list` (X.226 §8.2): the values of one presentation context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pdv<'a> {
    /// `transfer-syntax-name`: present only when the context's transfer syntax is not yet
    /// agreed (X.226 §8.4.2).
    pub transfer_syntax: Option<Oid<'a>>,
    /// `presentation-context-identifier`.
    pub context: ContextId,
    /// `presentation-data-values`.
    pub values: PdvValues<'a>,
}

/// `presentation-data-values` of a PDV-list (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdvValues<'a> {
    /// `single-ASN1-type [0]`: one complete BER value (identifier, length, contents) of the
    /// context's abstract syntax, borrowed from the input. When building one, the octets
    /// must be exactly one BER value.
    Single(&'a [u8]),
    /// `octet-aligned [1] IMPLICIT OCTET STRING`.
    OctetAligned(&'a [u8]),
    /// `arbitrary [2] IMPLICIT BIT STRING`.
    Arbitrary(BitString<'a>),
}

impl<'a> Pdv<'a> {
    /// One value of the context `context`, already agreed, as `single-ASN1-type`.
    #[must_use]
    pub const fn single(context: ContextId, value: &'a [u8]) -> Self {
        Self {
            transfer_syntax: None,
            context,
            values: PdvValues::Single(value),
        }
    }

    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if !tlv.is_universal(16) {
            return Err(cx.unexpected("fully-encoded-data", tlv));
        }
        cx.constructed(tlv, "PDV-list")?;
        let mut order = Order::new();
        let mut transfer_syntax = None;
        let mut context = None;
        let mut values = None;
        for element in cx.elements(tlv) {
            let e = element?;
            match (e.class, e.number) {
                (Class::Universal, 6) => {
                    order.next(cx, 0, "transfer-syntax-name")?;
                    transfer_syntax = Some(Oid::decode(cx, &e, "transfer-syntax-name")?);
                }
                (Class::Universal, 2) => {
                    order.next(cx, 1, "presentation-context-identifier")?;
                    context = Some(ContextId(cx.uint(&e, "presentation-context-identifier")?));
                }
                (Class::Context, 0..=2) => {
                    order.next(cx, 2, "presentation-data-values")?;
                    values = Some(match e.number {
                        0 => {
                            // An explicit tag: exactly one value inside.
                            cx.explicit(&e, "single-ASN1-type")?;
                            PdvValues::Single(e.contents)
                        }
                        1 => PdvValues::OctetAligned(cx.primitive(&e, "octet-aligned")?),
                        _ => PdvValues::Arbitrary(BitString::decode(cx, &e, "arbitrary")?),
                    });
                }
                _ => return Err(cx.unexpected("PDV-list", &e)),
            }
        }
        Ok(Self {
            transfer_syntax,
            context: context.ok_or(cx.missing("presentation-context-identifier"))?,
            values: values.ok_or(cx.missing("presentation-data-values"))?,
        })
    }

    fn contents_len(&self) -> usize {
        wire::opt_len(self.transfer_syntax.as_ref(), |o| o.contents().len())
            + self.context.tlv_len()
            + wire::tlv_len(match self.values {
                PdvValues::Single(v) | PdvValues::OctetAligned(v) => v.len(),
                PdvValues::Arbitrary(bits) => bits.contents_len(),
            })
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::SEQUENCE, self.contents_len())?;
        if let Some(oid) = &self.transfer_syntax {
            oid.write(out)?;
        }
        self.context.write(out)?;
        match self.values {
            PdvValues::Single(v) => out.tlv(wire::context_constructed(0), v),
            PdvValues::OctetAligned(v) => out.tlv(wire::context(1), v),
            PdvValues::Arbitrary(bits) => bits.write(out, wire::context(2)),
        }
    }
}

item!(Pdv<'a>);

/// Reads an optional trailing `User-data` in a SEQUENCE at `position`.
pub(crate) fn field<'a>(
    cx: Cx<'_>,
    order: &mut Order,
    position: u8,
    tlv: &Tlv<'a>,
    slot: &mut Option<UserData<'a>>,
) -> Result<()> {
    order.next(cx, position, "user-data")?;
    *slot = Some(UserData::decode_tlv(cx, tlv)?);
    Ok(())
}

/// Octets of optional user data.
pub(crate) fn opt_len(user_data: Option<&UserData<'_>>) -> usize {
    user_data.map_or(0, UserData::tlv_len)
}

/// Writes optional user data.
pub(crate) fn write_opt(out: &mut Out<'_>, user_data: Option<&UserData<'_>>) -> Result<()> {
    user_data.map_or(Ok(()), |u| u.write(out))
}
