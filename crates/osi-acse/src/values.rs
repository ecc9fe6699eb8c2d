//! Borrowed values of universal types: OBJECT IDENTIFIER and BIT STRING.

use core::fmt;

use osi_sansio::ber::{self, Tlv};

use crate::wire::{self, Cx};
use crate::{Error, Limits, Result};

/// An OBJECT IDENTIFIER, as its contents octets (X.690 §8.19) borrowed from the input:
/// application context names, AP titles of form 2, mechanism names, direct references.
///
/// Every value is valid: [`Oid::new`] checks the octets, the decoders check them against
/// [`Limits::max_oid_arcs`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Oid<'a>(&'a [u8]);

impl<'a> Oid<'a> {
    /// `{joint-iso-itu-t asn1(1) basic-encoding(1)}` = 2.1.1: BER, the direct reference
    /// PP puts on its user-information EXTERNAL (X.690 §8.1).
    pub const BER: Oid<'static> = Oid(&[0x51, 0x01]);
    /// 2.2.1.0.1: the abstract syntax of the ACSE APDUs (ACSE-1, `acse-as-id`).
    pub const ACSE: Oid<'static> = Oid(&[0x52, 0x01, 0x00, 0x01]);
    /// 2.2.3.1: the password mechanism of the authentication functional unit,
    /// `{joint-iso-itu-t association-control(2) authentication-mechanism(3)
    /// password-1(1)}`: the authentication value is the password as a charstring.
    pub const PASSWORD_1: Oid<'static> = Oid(&[0x52, 0x03, 0x01]);

    /// The OBJECT IDENTIFIER whose contents octets are `contents`, checked with the default
    /// [`Limits::max_oid_arcs`].
    ///
    /// # Errors
    ///
    /// [`Error::BadOid`] if the octets are not an OBJECT IDENTIFIER, [`Error::TooMany`] if it
    /// has more arcs than the default limit.
    pub fn new(contents: &'a [u8]) -> Result<Self> {
        let cx = Cx::new("OBJECT IDENTIFIER", &Limits::DEFAULT);
        Self::check(cx, contents, "the value")
    }

    fn check(cx: Cx<'_>, contents: &'a [u8], field: &'static str) -> Result<Self> {
        let bad = Error::BadOid {
            apdu: cx.pdu,
            field,
        };
        // The octet rules are X.690 §8.19's, shared in osi-sansio; the arc limit is ours.
        let arcs = ber::oid_arc_count(contents).ok_or(bad)?;
        if arcs > cx.limits.max_oid_arcs {
            return Err(cx.too_many(field, cx.limits.max_oid_arcs));
        }
        if !ber::oid_fits_u64(contents) {
            return Err(bad);
        }
        Ok(Self(contents))
    }

    pub(crate) fn decode(cx: Cx<'_>, tlv: &Tlv<'a>, field: &'static str) -> Result<Self> {
        Self::check(cx, cx.primitive(tlv, field)?, field)
    }

    /// The contents octets.
    #[must_use]
    pub const fn contents(&self) -> &'a [u8] {
        self.0
    }

    /// The arcs, the first two split out of the first subidentifier (X.690 §8.19.4).
    pub fn arcs(&self) -> impl Iterator<Item = u64> + 'a {
        ber::oid_arcs(self.0)
    }

    pub(crate) fn tlv_len(&self) -> usize {
        wire::tlv_len(self.0.len())
    }

    /// Writes the OBJECT IDENTIFIER under `identifier` (universal 6, or an implicit tag).
    pub(crate) fn write_as(&self, out: &mut wire::Out<'_>, identifier: u8) -> Result<()> {
        out.tlv(identifier, self.0)
    }
}

impl fmt::Display for Oid<'_> {
    /// Dotted decimal, e.g. `2.1.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ber::fmt_oid(self.0, f)
    }
}

impl fmt::Debug for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// A BIT STRING borrowed from the input (X.690 §8.6): the protocol version, ACSE
/// requirements, authentication bit strings, arbitrary encodings. Bit 0 is the first, most significant
/// bit of the first octet, as X.680 numbers named bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BitString<'a> {
    unused: u8,
    octets: &'a [u8],
}

impl<'a> BitString<'a> {
    /// `{version1}`, the only ACSE protocol version (ACSE-1, AARQ-apdu protocol-version).
    pub const VERSION_1: BitString<'static> = BitString {
        unused: 7,
        octets: &[0x80],
    };

    /// A BIT STRING of `octets` whose last `unused` bits are not part of it.
    ///
    /// # Errors
    ///
    /// [`Error::BadBitString`] if `unused` is above 7, or not 0 for no octets.
    pub fn new(unused: u8, octets: &'a [u8]) -> Result<Self> {
        if !ber::bit_string_ok(unused, octets) {
            return Err(Error::BadBitString {
                apdu: "BIT STRING",
                field: "the value",
            });
        }
        Ok(Self { unused, octets })
    }

    pub(crate) fn decode(cx: Cx<'_>, tlv: &Tlv<'a>, field: &'static str) -> Result<Self> {
        let contents = cx.primitive(tlv, field)?;
        let (&unused, octets) = contents.split_first().ok_or(Error::BadBitString {
            apdu: cx.pdu,
            field,
        })?;
        Self::new(unused, octets).map_err(|_| Error::BadBitString {
            apdu: cx.pdu,
            field,
        })
    }

    /// Number of unused bits in the last octet.
    #[must_use]
    pub const fn unused(&self) -> u8 {
        self.unused
    }

    /// The octets, unused bits included.
    #[must_use]
    pub const fn octets(&self) -> &'a [u8] {
        self.octets
    }

    /// Number of bits.
    #[must_use]
    pub const fn len(&self) -> usize {
        ber::bit_string_len(self.unused, self.octets)
    }

    /// Whether the string has no bits.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether bit `n` is present and set.
    #[must_use]
    pub fn bit(&self, n: usize) -> bool {
        ber::bit_string_bit(self.unused, self.octets, n)
    }

    pub(crate) const fn contents_len(&self) -> usize {
        1 + self.octets.len()
    }

    pub(crate) fn write(&self, out: &mut wire::Out<'_>, identifier: u8) -> Result<()> {
        out.header(identifier, self.contents_len())?;
        out.bytes(&[self.unused])?;
        out.bytes(self.octets)
    }
}

impl<'a> Oid<'a> {
    /// An item of aSO-context-name-list.
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if !tlv.is_universal(6) {
            return Err(cx.unexpected("aSO-context-name-list", tlv));
        }
        Self::decode(cx, tlv, "aSO-context-name-list")
    }

    fn write(&self, out: &mut wire::Out<'_>) -> Result<()> {
        self.write_as(out, wire::OID)
    }
}

crate::list::item!(Oid<'a>);
