//! `EXTERNAL` (X.680 §37 and X.690 §8.18, the 1990 form that ACSE's `Association-data`
//! and `Authentication-value` use): a value of another abstract syntax, named directly by
//! an OBJECT IDENTIFIER or indirectly by a presentation context identifier.

use osi_sansio::ber::{Class, Tlv};

use crate::Result;
use crate::list::item;
use crate::values::{BitString, Oid};
use crate::wire::{self, Cx, Order, Out};

/// One `EXTERNAL`: in user-information, the data of the application (RTSE's RTORQ in an
/// X.400 bind, an MMS initiate request in IEC 61850).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct External<'a> {
    /// `direct-reference`: the abstract or transfer syntax, by OBJECT IDENTIFIER.
    pub direct_reference: Option<Oid<'a>>,
    /// `indirect-reference`: the presentation context identifier of the value's abstract
    /// syntax (X.227 requires it in user-information over the presentation service).
    pub indirect_reference: Option<u32>,
    /// `data-value-descriptor`: an ObjectDescriptor, free text.
    pub data_value_descriptor: Option<&'a [u8]>,
    /// `encoding`.
    pub encoding: Encoding<'a>,
}

/// `encoding` of an `EXTERNAL` (X.690 §8.18.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding<'a> {
    /// `single-ASN1-type [0]` (explicit): one complete BER value, borrowed from the input.
    /// When building one, the octets must be exactly one BER value.
    Single(&'a [u8]),
    /// `octet-aligned [1] IMPLICIT OCTET STRING`.
    OctetAligned(&'a [u8]),
    /// `arbitrary [2] IMPLICIT BIT STRING`.
    Arbitrary(BitString<'a>),
}

impl<'a> External<'a> {
    /// A value of the presentation context `context`, as `single-ASN1-type`: what ACSE
    /// users put in user-information.
    #[must_use]
    pub const fn single(context: u32, value: &'a [u8]) -> Self {
        Self {
            direct_reference: None,
            indirect_reference: Some(context),
            data_value_descriptor: None,
            encoding: Encoding::Single(value),
        }
    }

    /// An item of `Association-data`: a universal EXTERNAL.
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if !tlv.is_universal(8) {
            return Err(cx.unexpected("user-information", tlv));
        }
        Self::decode_contents(cx, tlv, "EXTERNAL")
    }

    /// Reads the SEQUENCE of an EXTERNAL under any (implicit) tag.
    pub(crate) fn decode_contents(cx: Cx<'_>, tlv: &Tlv<'a>, field: &'static str) -> Result<Self> {
        cx.constructed(tlv, field)?;
        let mut order = Order::new();
        let mut external = Self {
            direct_reference: None,
            indirect_reference: None,
            data_value_descriptor: None,
            encoding: Encoding::OctetAligned(&[]),
        };
        let mut encoding = None;
        for element in cx.elements(tlv) {
            let e = element?;
            match (e.class, e.number) {
                (Class::Universal, 6) => {
                    order.next(cx, 0, "direct-reference")?;
                    external.direct_reference = Some(Oid::decode(cx, &e, "direct-reference")?);
                }
                (Class::Universal, 2) => {
                    order.next(cx, 1, "indirect-reference")?;
                    external.indirect_reference = Some(cx.uint(&e, "indirect-reference")?);
                }
                (Class::Universal, 7) => {
                    order.next(cx, 2, "data-value-descriptor")?;
                    external.data_value_descriptor =
                        Some(wire::text(cx, &e, "data-value-descriptor")?);
                }
                (Class::Context, 0..=2) => {
                    order.next(cx, 3, "encoding")?;
                    encoding = Some(match e.number {
                        0 => {
                            // An explicit tag: exactly one value inside, whose whole
                            // encoding is then the tag's contents.
                            cx.explicit(&e, "single-ASN1-type")?;
                            Encoding::Single(e.contents)
                        }
                        1 => Encoding::OctetAligned(cx.primitive(&e, "octet-aligned")?),
                        _ => Encoding::Arbitrary(BitString::decode(cx, &e, "arbitrary")?),
                    });
                }
                _ => return Err(cx.unexpected(field, &e)),
            }
        }
        external.encoding = encoding.ok_or(cx.missing("encoding"))?;
        Ok(external)
    }

    pub(crate) fn contents_len(&self) -> usize {
        wire::opt_len(self.direct_reference.as_ref(), |o| o.contents().len())
            + wire::opt_len(self.indirect_reference.as_ref(), |v| wire::uint_len(*v))
            + wire::opt_len(self.data_value_descriptor.as_ref(), |d| d.len())
            + wire::tlv_len(match self.encoding {
                Encoding::Single(v) | Encoding::OctetAligned(v) => v.len(),
                Encoding::Arbitrary(bits) => bits.contents_len(),
            })
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        self.write_as(out, wire::EXTERNAL)
    }

    /// Writes the EXTERNAL under `identifier` (universal 8, or an implicit tag).
    pub(crate) fn write_as(&self, out: &mut Out<'_>, identifier: u8) -> Result<()> {
        out.header(identifier, self.contents_len())?;
        if let Some(oid) = &self.direct_reference {
            oid.write_as(out, wire::OID)?;
        }
        if let Some(v) = self.indirect_reference {
            out.uint(wire::INTEGER, v)?;
        }
        if let Some(d) = self.data_value_descriptor {
            out.tlv(wire::OBJECT_DESCRIPTOR, d)?;
        }
        match self.encoding {
            Encoding::Single(v) => out.tlv(wire::context_constructed(0), v),
            Encoding::OctetAligned(v) => out.tlv(wire::context(1), v),
            Encoding::Arbitrary(bits) => bits.write(out, wire::context(2)),
        }
    }
}

item!(External<'a>);
