//! X.411 module `MTAAbstractService`: the MTS-APDU exchanged between MTAs (message, probe,
//! report) and the MTA bind (X.411 §12).
//!
//! The module is `DEFINITIONS IMPLICIT TAGS`.

mod bind;
mod report;
mod trace;

use alloc::vec::Vec;

use rasn::prelude::*;

pub use self::bind::*;
use self::report::split_content_type;
pub use self::report::*;
pub use self::trace::*;
use crate::mts_abstract_service::{
    BuiltInContentType, Content, ContentIdentifier, ContentLength, ContentType, CountryName,
    EncodedInformationTypes, ExplicitConversion, ExtendedContentType, ExtensionField,
    MtsIdentifier, OrName, OriginallySpecifiedRecipientNumber, PerMessageIndicators,
    PerRecipientIndicators, Priority, PrivateDomainIdentifier, Time, content_type_of,
    validate_content_type, validate_per_recipient_indicators,
};
use crate::upper_bounds::*;
use crate::validate::{Validate, value_within, within};

/// `MTS-APDU ::= CHOICE { message [0] Message, probe [2] Probe, report [1] Report }`.
///
/// The outer tags (`A0`, `A2`, `A1`) are those of the 1984 MPDU.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
#[allow(clippy::large_enum_variant)]
pub enum MtsApdu {
    /// `message [0]`.
    #[rasn(tag(context, 0))]
    Message(Message),
    /// `probe [2]`.
    #[rasn(tag(context, 2))]
    Probe(Probe),
    /// `report [1]`.
    #[rasn(tag(context, 1))]
    Report(Report),
}

/// `Message ::= SEQUENCE { envelope MessageTransferEnvelope, content Content }` (1984: `UserMPDU`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `envelope`.
    pub envelope: MessageTransferEnvelope,
    /// `content`: the content's own BER octets.
    pub content: Content,
}

/// `MessageTransferEnvelope ::= SET { COMPONENTS OF PerMessageTransferFields, per-recipient-fields [2] }`
/// (1984: `UMPDUEnvelope`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct MessageTransferEnvelope {
    /// `message-identifier` (1984: `mpduID`).
    pub message_identifier: MtsIdentifier,
    /// `originator-name` (1984: `originator`).
    pub originator_name: OrName,
    /// `original-encoded-information-types` (1984: `original`).
    pub original_encoded_information_types: Option<EncodedInformationTypes>,
    /// `content-type`, alternative `built-in` (see [`ContentType`]; use `content_type()`).
    pub content_type_built_in: Option<BuiltInContentType>,
    /// `content-type`, alternative `extended`.
    pub content_type_extended: Option<ExtendedContentType>,
    /// `content-identifier` (1984: `UAContentId`).
    pub content_identifier: Option<ContentIdentifier>,
    /// `priority`.
    pub priority: Option<Priority>,
    /// `per-message-indicators` (1984: `PerMessageFlag`).
    pub per_message_indicators: Option<PerMessageIndicators>,
    /// `deferred-delivery-time [0]`.
    #[rasn(tag(context, 0))]
    pub deferred_delivery_time: Option<Time>,
    /// `per-domain-bilateral-information [1]`.
    #[rasn(tag(context, 1))]
    pub per_domain_bilateral_information: Option<Vec<PerDomainBilateralInformation>>,
    /// `trace-information`.
    pub trace_information: TraceInformation,
    /// `extensions [3]`.
    #[rasn(tag(context, 3))]
    pub extensions: Option<Vec<ExtensionField>>,
    /// `per-recipient-fields [2]` (1984: `[2] SEQUENCE OF RecipientInfo`).
    #[rasn(tag(context, 2))]
    pub per_recipient_fields: Vec<PerRecipientMessageTransferFields>,
}

/// `PerRecipientMessageTransferFields ::= SET { recipient-name, originally-specified-recipient-number [0],
/// per-recipient-indicators [1], explicit-conversion [2] OPTIONAL, extensions [3] DEFAULT {} }`
/// (1984: `RecipientInfo`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct PerRecipientMessageTransferFields {
    /// `recipient-name` (1984: `recipient`).
    pub recipient_name: OrName,
    /// `originally-specified-recipient-number [0]` (1984: `ExtensionIdentifier`).
    #[rasn(tag(context, 0))]
    pub originally_specified_recipient_number: OriginallySpecifiedRecipientNumber,
    /// `per-recipient-indicators [1]` (1984: `PerRecipientFlag`).
    #[rasn(tag(context, 1))]
    pub per_recipient_indicators: PerRecipientIndicators,
    /// `explicit-conversion [2]`.
    #[rasn(tag(context, 2))]
    pub explicit_conversion: Option<ExplicitConversion>,
    /// `extensions [3]`.
    #[rasn(tag(context, 3))]
    pub extensions: Option<Vec<ExtensionField>>,
}

/// `PerRecipientProbeTransferFields`: the same SET as [`PerRecipientMessageTransferFields`].
pub type PerRecipientProbeTransferFields = PerRecipientMessageTransferFields;

/// `Probe ::= ProbeTransferEnvelope` (1984: `ProbeMPDU ::= ProbeEnvelope`).
pub type Probe = ProbeTransferEnvelope;

/// `ProbeTransferEnvelope ::= SET { COMPONENTS OF PerProbeTransferFields, per-recipient-fields [2] }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct ProbeTransferEnvelope {
    /// `probe-identifier` (1984: `probe`).
    pub probe_identifier: MtsIdentifier,
    /// `originator-name` (1984: `originator`).
    pub originator_name: OrName,
    /// `original-encoded-information-types` (1984: `original`).
    pub original_encoded_information_types: Option<EncodedInformationTypes>,
    /// `content-type`, alternative `built-in` (see [`ContentType`]).
    pub content_type_built_in: Option<BuiltInContentType>,
    /// `content-type`, alternative `extended`.
    pub content_type_extended: Option<ExtendedContentType>,
    /// `content-identifier` (1984: `UAContentId`).
    pub content_identifier: Option<ContentIdentifier>,
    /// `content-length [0]`.
    #[rasn(tag(context, 0))]
    pub content_length: Option<ContentLength>,
    /// `per-message-indicators` (1984: `PerMessageFlag`).
    pub per_message_indicators: Option<PerMessageIndicators>,
    /// `per-domain-bilateral-information [1]`.
    #[rasn(tag(context, 1))]
    pub per_domain_bilateral_information: Option<Vec<PerDomainBilateralInformation>>,
    /// `trace-information`.
    pub trace_information: TraceInformation,
    /// `extensions [3]`.
    #[rasn(tag(context, 3))]
    pub extensions: Option<Vec<ExtensionField>>,
    /// `per-recipient-fields [2]`.
    #[rasn(tag(context, 2))]
    pub per_recipient_fields: Vec<PerRecipientProbeTransferFields>,
}

/// `PerDomainBilateralInformation ::= SEQUENCE { country-name, domain CHOICE {...}, bilateral-information ANY }`
/// (1984: `PerDomainBilateralInfo { country, AdministrationDomainName, BilateralInfo }`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct PerDomainBilateralInformation {
    /// `country-name`.
    pub country_name: CountryName,
    /// `domain`.
    pub domain: BilateralDomain,
    /// `bilateral-information`: BER of the bilaterally agreed value (at most ub-bilateral-info octets).
    pub bilateral_information: Any,
}

/// The `domain` CHOICE of [`PerDomainBilateralInformation`]:
/// `CHOICE { administration-domain-name, private-domain SEQUENCE { [0] AdministrationDomainName, [1] PrivateDomainIdentifier } }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum BilateralDomain {
    /// `administration-domain-name` (the only 1984 form): the `[APPLICATION 2]` CHOICE of an
    /// ADMD name. The tag is written on the variant because rasn does not match a tagged CHOICE
    /// nested in a CHOICE; the octets are those of [`crate::mts_abstract_service::AdministrationDomainName`].
    #[rasn(tag(explicit(application, 2)))]
    AdministrationDomainName(PrivateDomainIdentifier),
    /// `private-domain`.
    PrivateDomain(BilateralPrivateDomain),
}

/// `private-domain SEQUENCE { administration-domain-name [0], private-domain-identifier [1] }`.
///
/// Both tags are explicit: `[0]` replaces the `[APPLICATION 2]` tag of an ADMD name, which is a
/// CHOICE, and `[1]` tags a CHOICE; in both cases the chosen string follows inside.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct BilateralPrivateDomain {
    /// `administration-domain-name [0]`.
    #[rasn(tag(explicit(context, 0)))]
    pub administration_domain_name: PrivateDomainIdentifier,
    /// `private-domain-identifier [1]`.
    #[rasn(tag(explicit(context, 1)))]
    pub private_domain_identifier: PrivateDomainIdentifier,
}

/// Octets of a per-domain bilateral information value, encoding included (X.411 `ub-bilateral-info`).
pub const UB_BILATERAL_INFO: usize = 1024;

impl MessageTransferEnvelope {
    /// The content type, if exactly one alternative is present.
    #[must_use]
    pub fn content_type(&self) -> Option<ContentType> {
        content_type_of(
            self.content_type_built_in.as_ref(),
            self.content_type_extended.as_ref(),
        )
    }

    /// Sets the content type.
    pub fn set_content_type(&mut self, ct: ContentType) {
        (self.content_type_built_in, self.content_type_extended) = split_content_type(Some(ct));
    }
}

impl ProbeTransferEnvelope {
    /// The content type, if exactly one alternative is present.
    #[must_use]
    pub fn content_type(&self) -> Option<ContentType> {
        content_type_of(
            self.content_type_built_in.as_ref(),
            self.content_type_extended.as_ref(),
        )
    }

    /// Sets the content type.
    pub fn set_content_type(&mut self, ct: ContentType) {
        (self.content_type_built_in, self.content_type_extended) = split_content_type(Some(ct));
    }
}

impl Validate for PerDomainBilateralInformation {
    fn validate(&self) -> crate::Result<()> {
        self.country_name.validate()?;
        match &self.domain {
            BilateralDomain::AdministrationDomainName(a) => {
                let n = match a {
                    PrivateDomainIdentifier::Numeric(s) => crate::mts_abstract_service::chars(s),
                    PrivateDomainIdentifier::Printable(s) => crate::mts_abstract_service::chars(s),
                };
                within(
                    "administration-domain-name",
                    "ub-domain-name-length",
                    0,
                    UB_DOMAIN_NAME_LENGTH,
                    n,
                )?;
            }
            BilateralDomain::PrivateDomain(p) => {
                let admd = match &p.administration_domain_name {
                    PrivateDomainIdentifier::Numeric(s) => crate::mts_abstract_service::chars(s),
                    PrivateDomainIdentifier::Printable(s) => crate::mts_abstract_service::chars(s),
                };
                within(
                    "administration-domain-name",
                    "ub-domain-name-length",
                    0,
                    UB_DOMAIN_NAME_LENGTH,
                    admd,
                )?;
                p.private_domain_identifier.validate()?;
            }
        }
        within(
            "bilateral-information",
            "ub-bilateral-info",
            0,
            UB_BILATERAL_INFO,
            self.bilateral_information.as_bytes().len(),
        )
    }
}

/// The per-message checks shared by messages and probes.
fn validate_bilateral(list: Option<&Vec<PerDomainBilateralInformation>>) -> crate::Result<()> {
    if let Some(l) = list {
        within(
            "per-domain-bilateral-information",
            "ub-transfers",
            1,
            UB_TRANSFERS,
            l.len(),
        )?;
        l.validate()?;
    }
    Ok(())
}

impl Validate for PerRecipientMessageTransferFields {
    fn validate(&self) -> crate::Result<()> {
        self.recipient_name.validate()?;
        let n = self.originally_specified_recipient_number.into();
        value_within(
            "originally-specified-recipient-number",
            "ub-recipients",
            1,
            UB_RECIPIENTS,
            n,
        )?;
        validate_per_recipient_indicators(&self.per_recipient_indicators)?;
        if let Some(c) = self.explicit_conversion {
            value_within(
                "explicit-conversion",
                "ub-integer-options",
                0,
                UB_INTEGER_OPTIONS,
                c.into(),
            )?;
        }
        self.extensions.validate()
    }
}

impl Validate for MessageTransferEnvelope {
    fn validate(&self) -> crate::Result<()> {
        self.message_identifier.validate()?;
        self.originator_name.validate()?;
        self.original_encoded_information_types.validate()?;
        validate_content_type(
            self.content_type_built_in.as_ref(),
            self.content_type_extended.as_ref(),
            true,
        )?;
        self.content_identifier.validate()?;
        self.per_message_indicators.validate()?;
        validate_bilateral(self.per_domain_bilateral_information.as_ref())?;
        self.trace_information.validate()?;
        self.extensions.validate()?;
        within(
            "per-recipient-fields",
            "ub-recipients",
            1,
            UB_RECIPIENTS,
            self.per_recipient_fields.len(),
        )?;
        self.per_recipient_fields.validate()
    }
}

impl Validate for ProbeTransferEnvelope {
    fn validate(&self) -> crate::Result<()> {
        self.probe_identifier.validate()?;
        self.originator_name.validate()?;
        self.original_encoded_information_types.validate()?;
        validate_content_type(
            self.content_type_built_in.as_ref(),
            self.content_type_extended.as_ref(),
            true,
        )?;
        self.content_identifier.validate()?;
        if let Some(l) = self.content_length {
            value_within(
                "content-length",
                "ub-content-length",
                0,
                UB_CONTENT_LENGTH,
                l.into(),
            )?;
        }
        self.per_message_indicators.validate()?;
        validate_bilateral(self.per_domain_bilateral_information.as_ref())?;
        self.trace_information.validate()?;
        self.extensions.validate()?;
        within(
            "per-recipient-fields",
            "ub-recipients",
            1,
            UB_RECIPIENTS,
            self.per_recipient_fields.len(),
        )?;
        self.per_recipient_fields.validate()
    }
}

impl Validate for Message {
    fn validate(&self) -> crate::Result<()> {
        self.envelope.validate()
    }
}

impl Validate for MtsApdu {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::Message(m) => m.validate(),
            Self::Probe(p) => p.validate(),
            Self::Report(r) => r.validate(),
        }
    }
}
