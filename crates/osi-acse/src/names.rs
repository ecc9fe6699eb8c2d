//! The choices of the ACSE-1 module (X.227) that AARQ and AARE share: AP titles, AE
//! qualifiers and authentication values. Each sits under an explicit tag in its APDU (the
//! module's default tagging is explicit), so each is read from, and written under, that
//! tag.

use osi_sansio::ber::{self, Class, Tlv};

use crate::Result;
use crate::external::External;
use crate::values::{BitString, Oid};
use crate::wire::{self, Cx, Out};

/// `AP-title` (ACSE-1): the called, calling or responding application process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApTitle<'a> {
    /// `ap-title-form1`: a Directory `Name` (X.501), kept as its whole BER encoding
    /// (identifier, length, contents) borrowed from the input. When building one, the
    /// octets must be exactly one BER SEQUENCE.
    Name(&'a [u8]),
    /// `ap-title-form2`: an OBJECT IDENTIFIER, as libiec61850 sends (1.1.1.999.1).
    Oid(Oid<'a>),
    /// `ap-title-form3`: a PrintableString (an extension of ISO 8650-1).
    Printable(&'a [u8]),
}

/// `AE-qualifier` (ACSE-1, `ASO-qualifier`): the application entity within the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AeQualifier<'a> {
    /// `aso-qualifier-form1`: a `RelativeDistinguishedName` (X.501), kept as its whole BER
    /// encoding borrowed from the input. When building one, the octets must be exactly one
    /// BER SET.
    Rdn(&'a [u8]),
    /// `aso-qualifier-form2`: an INTEGER (libiec61850 sends 12).
    Integer(u32),
    /// `aso-qualifier-form3`: a PrintableString.
    Printable(&'a [u8]),
    /// `aso-qualifier-form-any-octets`: an OCTET STRING, from when the qualifier was an ANY.
    Octets(&'a [u8]),
}

/// `Authentication-value` (ACSE-1): what the calling or responding entity proves itself
/// with. MTAs put their password in `Charstring` (the password mechanism) or in
/// `External`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthenticationValue<'a> {
    /// `charstring [0] IMPLICIT GraphicString`: a password.
    Charstring(&'a [u8]),
    /// `bitstring [1] IMPLICIT BIT STRING`.
    Bitstring(BitString<'a>),
    /// `external [2] IMPLICIT EXTERNAL`.
    External(External<'a>),
    /// `other [3] IMPLICIT SEQUENCE { other-mechanism-name, other-mechanism-value }`: the
    /// value is kept as its whole BER encoding borrowed from the input.
    Other {
        /// other-mechanism-name.
        mechanism: Oid<'a>,
        /// other-mechanism-value: exactly one BER value.
        value: &'a [u8],
    },
}

impl<'a> ApTitle<'a> {
    /// Reads the title inside the explicit tag `tlv`.
    pub(crate) fn decode(cx: Cx<'_>, tlv: &Tlv<'a>, field: &'static str) -> Result<Self> {
        let inner = cx.explicit(tlv, field)?;
        match (inner.class, inner.number) {
            (Class::Universal, 16) => {
                cx.constructed(&inner, field)?;
                // The explicit tag holds exactly this one value, so its contents are the
                // Name's whole encoding.
                Ok(Self::Name(tlv.contents))
            }
            (Class::Universal, 6) => Oid::decode(cx, &inner, field).map(Self::Oid),
            (Class::Universal, 19) => wire::text(cx, &inner, field).map(Self::Printable),
            _ => Err(cx.unexpected(field, &inner)),
        }
    }

    fn inner_len(&self) -> usize {
        match self {
            Self::Name(raw) => raw.len(),
            Self::Oid(oid) => oid.tlv_len(),
            Self::Printable(s) => wire::tlv_len(s.len()),
        }
    }

    /// Octets under the explicit tag `[n]`.
    pub(crate) fn tlv_len(&self) -> usize {
        wire::tlv_len(self.inner_len())
    }

    /// Writes the title under the explicit tag `[n]`.
    pub(crate) fn write(&self, out: &mut Out<'_>, n: u8) -> Result<()> {
        out.header(wire::context_constructed(n), self.inner_len())?;
        match self {
            Self::Name(raw) => out.bytes(raw),
            Self::Oid(oid) => oid.write_as(out, wire::OID),
            Self::Printable(s) => out.tlv(wire::PRINTABLE_STRING, s),
        }
    }
}

impl<'a> AeQualifier<'a> {
    /// Reads the qualifier inside the explicit tag `tlv`.
    pub(crate) fn decode(cx: Cx<'_>, tlv: &Tlv<'a>, field: &'static str) -> Result<Self> {
        let inner = cx.explicit(tlv, field)?;
        match (inner.class, inner.number) {
            (Class::Universal, 17) => {
                cx.constructed(&inner, field)?;
                Ok(Self::Rdn(tlv.contents))
            }
            (Class::Universal, 2) => cx.uint(&inner, field).map(Self::Integer),
            (Class::Universal, 19) => wire::text(cx, &inner, field).map(Self::Printable),
            (Class::Universal, 4) => wire::text(cx, &inner, field).map(Self::Octets),
            _ => Err(cx.unexpected(field, &inner)),
        }
    }

    fn inner_len(&self) -> usize {
        match self {
            Self::Rdn(raw) => raw.len(),
            Self::Integer(v) => wire::tlv_len(wire::uint_len(*v)),
            Self::Printable(s) | Self::Octets(s) => wire::tlv_len(s.len()),
        }
    }

    /// Octets under the explicit tag `[n]`.
    pub(crate) fn tlv_len(&self) -> usize {
        wire::tlv_len(self.inner_len())
    }

    /// Writes the qualifier under the explicit tag `[n]`.
    pub(crate) fn write(&self, out: &mut Out<'_>, n: u8) -> Result<()> {
        out.header(wire::context_constructed(n), self.inner_len())?;
        match self {
            Self::Rdn(raw) => out.bytes(raw),
            Self::Integer(v) => out.uint(wire::INTEGER, *v),
            Self::Printable(s) => out.tlv(wire::PRINTABLE_STRING, s),
            Self::Octets(s) => out.tlv(wire::OCTET_STRING, s),
        }
    }
}

/// Identifier of `other [3] IMPLICIT SEQUENCE`.
const OTHER: u8 = wire::context_constructed(3);

impl<'a> AuthenticationValue<'a> {
    /// Reads the value inside the explicit tag `tlv`.
    pub(crate) fn decode(cx: Cx<'_>, tlv: &Tlv<'a>, field: &'static str) -> Result<Self> {
        let inner = cx.explicit(tlv, field)?;
        match (inner.class, inner.number) {
            (Class::Context, 0) => wire::text(cx, &inner, "charstring").map(Self::Charstring),
            (Class::Context, 1) => BitString::decode(cx, &inner, "bitstring").map(Self::Bitstring),
            (Class::Context, 2) => {
                External::decode_contents(cx, &inner, "external").map(Self::External)
            }
            (Class::Context, 3) => Self::decode_other(cx, &inner),
            _ => Err(cx.unexpected(field, &inner)),
        }
    }

    fn decode_other(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        const FIELD: &str = "other";
        cx.constructed(tlv, FIELD)?;
        // The whole walk of the APDU checked these octets against the caller's limits;
        // this second read needs the value's own octets, which only the reader's split
        // gives.
        let walk = osi_sansio::DecodeLimits::DEFAULT
            .with_max_len(usize::MAX)
            .with_max_depth(ber::MAX_DEPTH)
            .with_max_elements(usize::MAX);
        let (name, rest) = ber::read_with(tlv.contents, &walk).map_err(|e| cx.ber(e))?;
        if !name.is_universal(6) {
            return Err(cx.unexpected("other-mechanism-name", &name));
        }
        let mechanism = Oid::decode(cx, &name, "other-mechanism-name")?;
        if rest.is_empty() {
            return Err(cx.missing("other-mechanism-value"));
        }
        let (_, after) = ber::read_with(rest, &walk).map_err(|e| cx.ber(e))?;
        if !after.is_empty() {
            return Err(cx.duplicate("other-mechanism-value"));
        }
        Ok(Self::Other {
            mechanism,
            value: rest,
        })
    }

    fn inner_len(&self) -> usize {
        match self {
            Self::Charstring(s) => wire::tlv_len(s.len()),
            Self::Bitstring(bits) => wire::tlv_len(bits.contents_len()),
            Self::External(external) => wire::tlv_len(external.contents_len()),
            Self::Other { mechanism, value } => wire::tlv_len(mechanism.tlv_len() + value.len()),
        }
    }

    /// Octets under the explicit tag `[n]`.
    pub(crate) fn tlv_len(&self) -> usize {
        wire::tlv_len(self.inner_len())
    }

    /// Writes the value under the explicit tag `[n]`.
    pub(crate) fn write(&self, out: &mut Out<'_>, n: u8) -> Result<()> {
        out.header(wire::context_constructed(n), self.inner_len())?;
        match self {
            Self::Charstring(s) => out.tlv(wire::context(0), s),
            Self::Bitstring(bits) => bits.write(out, wire::context(1)),
            Self::External(external) => external.write_as(out, wire::context_constructed(2)),
            Self::Other { mechanism, value } => {
                out.header(OTHER, mechanism.tlv_len() + value.len())?;
                mechanism.write_as(out, wire::OID)?;
                out.bytes(value)
            }
        }
    }
}
