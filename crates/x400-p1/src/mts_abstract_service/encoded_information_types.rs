//! Encoded information types (X.411, `EncodedInformationTypes` in module
//! `MTSAbstractService`).

use alloc::vec::Vec;

use rasn::prelude::*;

use crate::upper_bounds::*;
use crate::validate::{Validate, within};

/// `EncodedInformationTypes ::= [APPLICATION 5] SET { built-in-encoded-information-types [0],
/// g3-facsimile [1] DEFAULT {}, teletex [2] DEFAULT {}, extended-encoded-information-types [4] OPTIONAL }`.
///
/// The 1984 type (X.411 (1984), PP's `P1_in.py`) has the same `[0]`, `[1]` and `[2]` and,
/// instead of `[4]`, `[3] IMPLICIT PresentationCapabilities OPTIONAL` (T.73), kept opaque in
/// [`EncodedInformationTypes::presentation_capabilities`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Default)]
#[rasn(set, tag(application, 5))]
pub struct EncodedInformationTypes {
    /// `built-in-encoded-information-types [0]`: see [`EncodedInformationTypes::NAMES`].
    #[rasn(tag(context, 0))]
    pub built_in_encoded_information_types: BitString,
    /// `g3-facsimile [1] G3FacsimileNonBasicParameters DEFAULT {}`.
    #[rasn(tag(context, 1))]
    pub g3_facsimile: Option<BitString>,
    /// `teletex [2] TeletexNonBasicParameters DEFAULT {}`.
    #[rasn(tag(context, 2))]
    pub teletex: Option<TeletexNonBasicParameters>,
    /// 1984 only: `[3] IMPLICIT PresentationCapabilities OPTIONAL` (T.73), kept as its content
    /// octets (see [`PresentationCapabilities`]). The 1988 modules of the conformance kit have no
    /// `[3]`; it is accepted there too, as receipt is lenient, and encoded only if set.
    #[rasn(tag(context, 3))]
    pub presentation_capabilities: Option<PresentationCapabilities>,
    /// `extended-encoded-information-types [4] SET OF OBJECT IDENTIFIER`.
    #[rasn(tag(context, 4))]
    pub extended_encoded_information_types: Option<Vec<ObjectIdentifier>>,
}

impl EncodedInformationTypes {
    /// Names of the built-in bits, by bit number (1984 names in X.411 (1984) differ in case only).
    pub const NAMES: [(usize, &'static str); 10] = [
        (0, "unknown"),
        (1, "telex"),
        (2, "ia5-text"),
        (3, "g3-facsimile"),
        (4, "g4-class-1"),
        (5, "teletex"),
        (6, "videotex"),
        (7, "voice"),
        (8, "sfd"),
        (9, "mixed-mode"),
    ];
    /// Bit `ia5-text(2)`.
    pub const IA5_TEXT: usize = 2;

    /// Encoded information types with the given built-in bits set and nothing else.
    #[must_use]
    pub fn built_in(bits: &[usize]) -> Self {
        let mut v = BitString::new();
        for &b in bits {
            super::set_bit(&mut v, b, true, 0);
        }
        Self {
            built_in_encoded_information_types: v,
            ..Self::default()
        }
    }
}

/// T.73 `PresentationCapabilities`, carried as `[3] IMPLICIT` in the 1984 encoded information
/// types, kept opaque: the implicitly tagged value's content octets, verbatim, and whether it was
/// sent constructed.
///
/// Why opaque: T.73's ASN.1 is not in the sources this crate is checked against (the 1984 P1
/// modules of PP and ISODE name the type only), and no MTA needs to interpret it to relay a
/// message; it must only survive the relay. Why the form is kept: with an IMPLICIT tag the
/// identifier octet's constructed bit is all that says whether the contents are nested TLVs (a
/// SET or SEQUENCE, the usual case, `A3`) or a primitive value (`83`); re-emitting the contents
/// under the other form would change the value. An indefinite-length value is re-emitted with a
/// definite length and the same contents (the end-of-contents octets are framing, not
/// contents).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PresentationCapabilities {
    /// `true` if the value was (is to be) encoded constructed (`A3`), `false` for primitive (`83`).
    pub constructed: bool,
    /// The content octets: the encodings of the nested values if constructed.
    pub contents: Vec<u8>,
}

impl AsnType for PresentationCapabilities {
    const TAG: Tag = Tag::new(Class::Context, 3);
}

impl Decode for PresentationCapabilities {
    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        tag: Tag,
        _: &Constraints,
    ) -> Result<Self, D::Error> {
        // `decode_any` without an expected tag hands back the whole TLV, so the form and the
        // exact contents can be read from it; the BER decoder has already checked its framing.
        let tlv = decoder.decode_any(Tag::EOC)?;
        split_tlv(tlv.as_bytes(), tag).ok_or_else(|| {
            <D::Error as rasn::de::Error>::custom(
                "PresentationCapabilities: not a [3] value",
                decoder.codec(),
            )
        })
    }
}

/// Splits one BER TLV with a one-octet identifier of tag `tag` into its form and contents.
/// `None` if the identifier is another tag or the framing is not what BER allows.
fn split_tlv(tlv: &[u8], tag: Tag) -> Option<PresentationCapabilities> {
    let (&identifier, rest) = tlv.split_first()?;
    let class_bits = match tag.class {
        Class::Universal => 0x00,
        Class::Application => 0x40,
        Class::Context => 0x80,
        Class::Private => 0xc0,
    };
    // Tags up to 30 fit in the identifier octet; [3] always does.
    if tag.value > 30 || identifier & 0xdf != class_bits | u8::try_from(tag.value).ok()? {
        return None;
    }
    let constructed = identifier & 0x20 != 0;
    let (&first, rest) = rest.split_first()?;
    let contents = match first {
        // Indefinite (constructed only): the contents end before the final end-of-contents.
        0x80 if constructed => rest.get(..rest.len().checked_sub(2)?)?,
        0x80 => return None,
        n if n < 0x80 => rest.get(..usize::from(n))?,
        n => {
            let count = usize::from(n & 0x7f);
            let (len_octets, body) = (rest.get(..count)?, rest.get(count..)?);
            let mut len = 0usize;
            for &b in len_octets {
                len = len.checked_mul(256)?.checked_add(usize::from(b))?;
            }
            body.get(..len)?
        }
    };
    Some(PresentationCapabilities {
        constructed,
        contents: contents.to_vec(),
    })
}

/// The only component of the wrapper [`PresentationCapabilities`] encodes its constructed form
/// with: none, as the contents are written verbatim.
struct NoFields;

impl Constructed<0, 0> for NoFields {
    const FIELDS: fields::Fields<0> = fields::Fields::from_static([]);
}

impl Encode for PresentationCapabilities {
    fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
        &self,
        encoder: &mut E,
        tag: Tag,
        constraints: &Constraints,
        identifier: Identifier,
    ) -> Result<(), E::Error> {
        if self.constructed {
            // A constructed wrapper with the contents appended raw: `encode_any` with no tag
            // writes them as they are (and, unlike `encode_any` with a tag, also when empty).
            let contents = Any::new(self.contents.clone());
            encoder
                .encode_sequence::<0, 0, NoFields, _>(
                    tag,
                    |inner| {
                        inner
                            .encode_any(Tag::EOC, &contents, Identifier::EMPTY)
                            .map(drop)
                    },
                    identifier,
                )
                .map(drop)
        } else {
            encoder
                .encode_octet_string(tag, constraints, &self.contents, identifier)
                .map(drop)
        }
    }
}

/// `TeletexNonBasicParameters ::= SET { graphic-character-sets [0] TeletexString OPTIONAL, ... }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Default)]
#[rasn(set)]
pub struct TeletexNonBasicParameters {
    /// `graphic-character-sets [0]`.
    #[rasn(tag(context, 0))]
    pub graphic_character_sets: Option<TeletexString>,
    /// `control-character-sets [1]`.
    #[rasn(tag(context, 1))]
    pub control_character_sets: Option<TeletexString>,
    /// `page-formats [2]`.
    #[rasn(tag(context, 2))]
    pub page_formats: Option<OctetString>,
    /// `miscellaneous-terminal-capabilities [3]`.
    #[rasn(tag(context, 3))]
    pub miscellaneous_terminal_capabilities: Option<TeletexString>,
    /// `private-use [4]`.
    #[rasn(tag(context, 4))]
    pub private_use: Option<OctetString>,
}

impl Validate for EncodedInformationTypes {
    fn validate(&self) -> crate::Result<()> {
        within(
            "built-in-encoded-information-types",
            "ub-built-in-encoded-information-types",
            0,
            UB_BUILT_IN_ENCODED_INFORMATION_TYPES,
            self.built_in_encoded_information_types.len(),
        )?;
        if let Some(ext) = &self.extended_encoded_information_types {
            within(
                "extended-encoded-information-types",
                "ub-encoded-information-types",
                1,
                UB_ENCODED_INFORMATION_TYPES,
                ext.len(),
            )?;
        }
        Ok(())
    }
}
