//! O/R names and addresses (X.411 §18.5, module `MTSAbstractService`), and the global domain
//! identifier built from the same country and domain names.
//!
//! The 1984 `ORName` (X.411 (1984) §5.2.1) has the same tags: standard attributes and
//! domain-defined attributes; 1988 adds extension attributes and a directory name. One type
//! serves both, so a 1984 MTA also accepts a 1988 O/R name (RFC 1328 covers the mapping
//! down).

use alloc::vec::Vec;

use rasn::prelude::*;

use crate::upper_bounds::*;
use crate::validate::{Validate, value_within, within};

/// `ORName ::= [APPLICATION 0] SEQUENCE { COMPONENTS OF ORAddress, directory-name [0] Name OPTIONAL }`.
///
/// Also the 1984 `ORName` (`standard`, `domaindefined`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Default)]
#[rasn(tag(application, 0))]
pub struct OrName {
    /// `built-in-standard-attributes` (1984: `standard`).
    pub built_in_standard_attributes: BuiltInStandardAttributes,
    /// `built-in-domain-defined-attributes` (1984: `domaindefined`).
    pub built_in_domain_defined_attributes: Option<BuiltInDomainDefinedAttributes>,
    /// `extension-attributes` (1988): SET OF ExtensionAttribute.
    #[rasn(tag(universal, 17))]
    pub extension_attributes: Option<ExtensionAttributes>,
    /// `directory-name [0] Name`: an X.500 name, kept as its BER encoding (explicit tag, `Name` is a CHOICE).
    #[rasn(tag(explicit(context, 0)))]
    pub directory_name: Option<Any>,
}

/// `ORAddress ::= SEQUENCE { built-in-standard-attributes, built-in-domain-defined-attributes OPTIONAL, extension-attributes OPTIONAL }`.
///
/// Used bare by the originator-return-address extension; inside `ORName` its components appear directly.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Default)]
pub struct OrAddress {
    /// `built-in-standard-attributes`.
    pub built_in_standard_attributes: BuiltInStandardAttributes,
    /// `built-in-domain-defined-attributes`.
    pub built_in_domain_defined_attributes: Option<BuiltInDomainDefinedAttributes>,
    /// `extension-attributes`.
    #[rasn(tag(universal, 17))]
    pub extension_attributes: Option<ExtensionAttributes>,
}

impl From<OrAddress> for OrName {
    fn from(a: OrAddress) -> Self {
        Self {
            built_in_standard_attributes: a.built_in_standard_attributes,
            built_in_domain_defined_attributes: a.built_in_domain_defined_attributes,
            extension_attributes: a.extension_attributes,
            directory_name: None,
        }
    }
}

impl OrName {
    /// The O/R address part (everything but the directory name).
    #[must_use]
    pub fn or_address(&self) -> OrAddress {
        OrAddress {
            built_in_standard_attributes: self.built_in_standard_attributes.clone(),
            built_in_domain_defined_attributes: self.built_in_domain_defined_attributes.clone(),
            extension_attributes: self.extension_attributes.clone(),
        }
    }
}

/// `BuiltInStandardAttributes ::= SEQUENCE { ... }` (1984: `StandardAttributeList`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Default)]
pub struct BuiltInStandardAttributes {
    /// `country-name` (`C`).
    pub country_name: Option<CountryName>,
    /// `administration-domain-name` (`ADMD`).
    pub administration_domain_name: Option<AdministrationDomainName>,
    /// `network-address [0] X121Address` (`X121`).
    #[rasn(tag(context, 0))]
    pub network_address: Option<NumericString>,
    /// `terminal-identifier [1]` (`T-ID`).
    #[rasn(tag(context, 1))]
    pub terminal_identifier: Option<PrintableString>,
    /// `private-domain-name [2]` (`PRMD`), explicit because it is a CHOICE.
    #[rasn(tag(explicit(context, 2)))]
    pub private_domain_name: Option<PrivateDomainName>,
    /// `organization-name [3]` (`O`).
    #[rasn(tag(context, 3))]
    pub organization_name: Option<PrintableString>,
    /// `numeric-user-identifier [4]` (`UA-ID`; 1984: `UniqueUAIdentifier`).
    #[rasn(tag(context, 4))]
    pub numeric_user_identifier: Option<NumericString>,
    /// `personal-name [5]` (`S`, `G`, `I`, `GQ`).
    #[rasn(tag(context, 5))]
    pub personal_name: Option<PersonalName>,
    /// `organizational-unit-names [6]` (`OU`, in order).
    #[rasn(tag(context, 6))]
    pub organizational_unit_names: Option<OrganizationalUnitNames>,
}

/// `CountryName ::= [APPLICATION 1] CHOICE { x121-dcc-code NumericString, iso-3166-alpha2-code PrintableString }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice, tag(explicit(application, 1)))]
pub enum CountryName {
    /// `x121-dcc-code`: exactly 3 digits.
    X121DccCode(NumericString),
    /// `iso-3166-alpha2-code`: exactly 2 characters.
    Iso3166Alpha2Code(PrintableString),
}

/// `AdministrationDomainName ::= [APPLICATION 2] CHOICE { numeric NumericString, printable PrintableString }` (0..=16).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice, tag(explicit(application, 2)))]
pub enum AdministrationDomainName {
    /// `numeric`.
    Numeric(NumericString),
    /// `printable`.
    Printable(PrintableString),
}

/// `PrivateDomainName ::= CHOICE { numeric NumericString, printable PrintableString }` (1..=16).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum PrivateDomainName {
    /// `numeric`.
    Numeric(NumericString),
    /// `printable`.
    Printable(PrintableString),
}

/// `PrivateDomainIdentifier`: the same CHOICE as [`PrivateDomainName`].
pub type PrivateDomainIdentifier = PrivateDomainName;

/// `PersonalName ::= SET { surname [0], given-name [1] OPTIONAL, initials [2] OPTIONAL, generation-qualifier [3] OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct PersonalName {
    /// `surname [0]` (`S`), 1..=40.
    #[rasn(tag(context, 0))]
    pub surname: PrintableString,
    /// `given-name [1]` (`G`), 1..=16.
    #[rasn(tag(context, 1))]
    pub given_name: Option<PrintableString>,
    /// `initials [2]` (`I`), 1..=5.
    #[rasn(tag(context, 2))]
    pub initials: Option<PrintableString>,
    /// `generation-qualifier [3]` (`GQ`), 1..=3.
    #[rasn(tag(context, 3))]
    pub generation_qualifier: Option<PrintableString>,
}

/// `OrganizationalUnitNames ::= SEQUENCE SIZE (1..ub-organizational-units) OF OrganizationalUnitName`.
pub type OrganizationalUnitNames = Vec<PrintableString>;

/// `BuiltInDomainDefinedAttributes ::= SEQUENCE SIZE (1..ub-domain-defined-attributes) OF BuiltInDomainDefinedAttribute`.
pub type BuiltInDomainDefinedAttributes = Vec<BuiltInDomainDefinedAttribute>;

/// `BuiltInDomainDefinedAttribute ::= SEQUENCE { type PrintableString, value PrintableString }` (`DDA:type=value`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct BuiltInDomainDefinedAttribute {
    /// `type`, 1..=8.
    pub r#type: PrintableString,
    /// `value`, 1..=128.
    pub value: PrintableString,
}

/// `ExtensionAttributes ::= SET SIZE (1..ub-extension-attributes) OF ExtensionAttribute`.
pub type ExtensionAttributes = Vec<ExtensionAttribute>;

/// `ExtensionAttribute ::= SEQUENCE { extension-attribute-type [0] INTEGER, extension-attribute-value [1] ANY }`.
///
/// The value (common name, teletex and postal attributes, ...) is kept as its BER encoding.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct ExtensionAttribute {
    /// `extension-attribute-type [0]`, 0..=256.
    #[rasn(tag(context, 0))]
    pub extension_attribute_type: u32,
    /// `extension-attribute-value [1]`, explicit: an open type.
    #[rasn(tag(explicit(context, 1)))]
    pub extension_attribute_value: Any,
}

/// `GlobalDomainIdentifier ::= [APPLICATION 3] SEQUENCE { country-name, administration-domain-name, private-domain-identifier OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(tag(application, 3))]
pub struct GlobalDomainIdentifier {
    /// `country-name`.
    pub country_name: CountryName,
    /// `administration-domain-name`.
    pub administration_domain_name: AdministrationDomainName,
    /// `private-domain-identifier`.
    pub private_domain_identifier: Option<PrivateDomainIdentifier>,
}

/// `MTSIdentifier ::= [APPLICATION 4] SEQUENCE { global-domain-identifier, local-identifier IA5String }`
/// (1984: `MPDUIdentifier`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(tag(application, 4))]
pub struct MtsIdentifier {
    /// `global-domain-identifier`.
    pub global_domain_identifier: GlobalDomainIdentifier,
    /// `local-identifier`, 1..=32.
    pub local_identifier: Ia5String,
}

/// Length in characters of the restricted string types X.411 uses (one octet each).
pub(crate) trait CharLen {
    /// Characters in the string.
    fn char_len(&self) -> usize;
}

impl CharLen for PrintableString {
    fn char_len(&self) -> usize {
        self.as_bytes().len()
    }
}

impl CharLen for NumericString {
    fn char_len(&self) -> usize {
        self.as_bytes().len()
    }
}

impl CharLen for Ia5String {
    fn char_len(&self) -> usize {
        self.as_iso646_bytes().len()
    }
}

/// Length in characters of a restricted string.
pub(crate) fn chars<S: CharLen>(s: &S) -> usize {
    s.char_len()
}

impl Validate for CountryName {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::X121DccCode(s) => {
                let n = UB_COUNTRY_NAME_NUMERIC_LENGTH;
                within(
                    "country-name x121-dcc-code",
                    "ub-country-name-numeric-length",
                    n,
                    n,
                    chars(s),
                )
            }
            Self::Iso3166Alpha2Code(s) => {
                let n = UB_COUNTRY_NAME_ALPHA_LENGTH;
                within(
                    "country-name iso-3166-alpha2-code",
                    "ub-country-name-alpha-length",
                    n,
                    n,
                    chars(s),
                )
            }
        }
    }
}

impl Validate for AdministrationDomainName {
    fn validate(&self) -> crate::Result<()> {
        let n = match self {
            Self::Numeric(s) => chars(s),
            Self::Printable(s) => chars(s),
        };
        within(
            "administration-domain-name",
            "ub-domain-name-length",
            0,
            UB_DOMAIN_NAME_LENGTH,
            n,
        )
    }
}

impl Validate for PrivateDomainName {
    fn validate(&self) -> crate::Result<()> {
        let n = match self {
            Self::Numeric(s) => chars(s),
            Self::Printable(s) => chars(s),
        };
        within(
            "private-domain-name",
            "ub-domain-name-length",
            1,
            UB_DOMAIN_NAME_LENGTH,
            n,
        )
    }
}

impl Validate for PersonalName {
    fn validate(&self) -> crate::Result<()> {
        within(
            "surname",
            "ub-surname-length",
            1,
            UB_SURNAME_LENGTH,
            chars(&self.surname),
        )?;
        if let Some(s) = &self.given_name {
            within(
                "given-name",
                "ub-given-name-length",
                1,
                UB_GIVEN_NAME_LENGTH,
                chars(s),
            )?;
        }
        if let Some(s) = &self.initials {
            within(
                "initials",
                "ub-initials-length",
                1,
                UB_INITIALS_LENGTH,
                chars(s),
            )?;
        }
        if let Some(s) = &self.generation_qualifier {
            within(
                "generation-qualifier",
                "ub-generation-qualifier-length",
                1,
                UB_GENERATION_QUALIFIER_LENGTH,
                chars(s),
            )?;
        }
        Ok(())
    }
}

impl Validate for BuiltInStandardAttributes {
    fn validate(&self) -> crate::Result<()> {
        self.country_name.validate()?;
        self.administration_domain_name.validate()?;
        if let Some(s) = &self.network_address {
            within(
                "network-address",
                "ub-x121-address-length",
                1,
                UB_X121_ADDRESS_LENGTH,
                chars(s),
            )?;
        }
        if let Some(s) = &self.terminal_identifier {
            within(
                "terminal-identifier",
                "ub-terminal-id-length",
                1,
                UB_TERMINAL_ID_LENGTH,
                chars(s),
            )?;
        }
        self.private_domain_name.validate()?;
        if let Some(s) = &self.organization_name {
            within(
                "organization-name",
                "ub-organization-name-length",
                1,
                UB_ORGANIZATION_NAME_LENGTH,
                chars(s),
            )?;
        }
        if let Some(s) = &self.numeric_user_identifier {
            within(
                "numeric-user-identifier",
                "ub-numeric-user-id-length",
                1,
                UB_NUMERIC_USER_ID_LENGTH,
                chars(s),
            )?;
        }
        self.personal_name.validate()?;
        if let Some(units) = &self.organizational_unit_names {
            within(
                "organizational-unit-names",
                "ub-organizational-units",
                1,
                UB_ORGANIZATIONAL_UNITS,
                units.len(),
            )?;
            for u in units {
                within(
                    "organizational-unit-name",
                    "ub-organizational-unit-name-length",
                    1,
                    UB_ORGANIZATIONAL_UNIT_NAME_LENGTH,
                    chars(u),
                )?;
            }
        }
        Ok(())
    }
}

impl Validate for BuiltInDomainDefinedAttribute {
    fn validate(&self) -> crate::Result<()> {
        within(
            "domain-defined attribute type",
            "ub-domain-defined-attribute-type-length",
            1,
            UB_DOMAIN_DEFINED_ATTRIBUTE_TYPE_LENGTH,
            chars(&self.r#type),
        )?;
        within(
            "domain-defined attribute value",
            "ub-domain-defined-attribute-value-length",
            1,
            UB_DOMAIN_DEFINED_ATTRIBUTE_VALUE_LENGTH,
            chars(&self.value),
        )
    }
}

impl Validate for ExtensionAttribute {
    fn validate(&self) -> crate::Result<()> {
        let t = u64::from(self.extension_attribute_type);
        value_within(
            "extension-attribute-type",
            "ub-extension-attributes",
            0,
            UB_EXTENSION_ATTRIBUTES,
            t,
        )
    }
}

/// The checks shared by `ORName` and `ORAddress`.
fn validate_address(
    std: &BuiltInStandardAttributes,
    dda: Option<&BuiltInDomainDefinedAttributes>,
    ext: Option<&ExtensionAttributes>,
) -> crate::Result<()> {
    std.validate()?;
    if let Some(d) = dda {
        within(
            "built-in-domain-defined-attributes",
            "ub-domain-defined-attributes",
            1,
            UB_DOMAIN_DEFINED_ATTRIBUTES,
            d.len(),
        )?;
        d.validate()?;
    }
    if let Some(e) = ext {
        within(
            "extension-attributes",
            "ub-extension-attributes",
            1,
            UB_EXTENSION_ATTRIBUTES,
            e.len(),
        )?;
        e.validate()?;
    }
    Ok(())
}

impl Validate for OrName {
    fn validate(&self) -> crate::Result<()> {
        validate_address(
            &self.built_in_standard_attributes,
            self.built_in_domain_defined_attributes.as_ref(),
            self.extension_attributes.as_ref(),
        )
    }
}

impl Validate for OrAddress {
    fn validate(&self) -> crate::Result<()> {
        validate_address(
            &self.built_in_standard_attributes,
            self.built_in_domain_defined_attributes.as_ref(),
            self.extension_attributes.as_ref(),
        )
    }
}

impl Validate for GlobalDomainIdentifier {
    fn validate(&self) -> crate::Result<()> {
        self.country_name.validate()?;
        self.administration_domain_name.validate()?;
        self.private_domain_identifier.validate()
    }
}

impl Validate for MtsIdentifier {
    fn validate(&self) -> crate::Result<()> {
        self.global_domain_identifier.validate()?;
        let n = self.local_identifier.as_iso646_bytes().len();
        within(
            "local-identifier",
            "ub-local-id-length",
            1,
            UB_LOCAL_ID_LENGTH,
            n,
        )
    }
}
