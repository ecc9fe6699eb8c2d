//! Encoded information types (X.411 §18.2.x, module `MTSAbstractService`).

use alloc::vec::Vec;

use rasn::prelude::*;

use crate::upper_bounds::*;
use crate::validate::{Validate, within};

/// `EncodedInformationTypes ::= [APPLICATION 5] SET { built-in-encoded-information-types [0],
/// g3-facsimile [1] DEFAULT {}, teletex [2] DEFAULT {}, extended-encoded-information-types [4] OPTIONAL }`.
///
/// The 1984 type has the same `[0]`, `[1]` and `[2]`; its `[3] PresentationCapabilities`
/// (T.73) is not supported and fails to decode.
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
