//! The report APDU (X.411 §12.3.3): report transfer envelope and content.

use alloc::vec::Vec;

use rasn::prelude::*;

use super::TraceInformation;
use crate::mts_abstract_service::{
    BuiltInContentType, Content, ContentIdentifier, ContentType, EncodedInformationTypes,
    ExtendedContentType, ExtensionField, MtsIdentifier, OrName, OriginallySpecifiedRecipientNumber,
    PerRecipientIndicators, ReportType, Time, chars, content_type_of, validate_content_type,
    validate_per_recipient_indicators,
};
use crate::upper_bounds::*;
use crate::validate::{Validate, value_within, within};

/// `Report ::= SEQUENCE { envelope ReportTransferEnvelope, content ReportTransferContent }`
/// (1984: `DeliveryReportMPDU`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// `envelope`.
    pub envelope: ReportTransferEnvelope,
    /// `content`.
    pub content: ReportTransferContent,
}

/// `ReportTransferEnvelope ::= SET { report-identifier, report-destination-name, trace-information, extensions [1] DEFAULT {} }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct ReportTransferEnvelope {
    /// `report-identifier` (1984: `report`).
    pub report_identifier: MtsIdentifier,
    /// `report-destination-name`: the subject message's originator (1984: `originator`).
    pub report_destination_name: OrName,
    /// `trace-information`.
    pub trace_information: TraceInformation,
    /// `extensions [1]`.
    #[rasn(tag(context, 1))]
    pub extensions: Option<Vec<ExtensionField>>,
}

/// `ReportTransferContent ::= SET { subject-identifier, subject-intermediate-trace-information OPTIONAL,
/// original-encoded-information-types OPTIONAL, content-type OPTIONAL, content-identifier OPTIONAL,
/// returned-content [1] OPTIONAL, additional-information [2] OPTIONAL, extensions [3] DEFAULT {},
/// per-recipient-fields [0] }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct ReportTransferContent {
    /// `subject-identifier` (1984: `original`).
    pub subject_identifier: MtsIdentifier,
    /// `subject-intermediate-trace-information` (1984: `intermediate`).
    pub subject_intermediate_trace_information: Option<TraceInformation>,
    /// `original-encoded-information-types`.
    pub original_encoded_information_types: Option<EncodedInformationTypes>,
    /// `content-type`, alternative `built-in` (see [`ContentType`]).
    pub content_type_built_in: Option<BuiltInContentType>,
    /// `content-type`, alternative `extended` (see [`ContentType`]).
    pub content_type_extended: Option<ExtendedContentType>,
    /// `content-identifier` (1984: `UAContentId`).
    pub content_identifier: Option<ContentIdentifier>,
    /// `returned-content [1]` (1984: `returned`).
    #[rasn(tag(context, 1))]
    pub returned_content: Option<Content>,
    /// `additional-information [2]`, BER of an open type (1984: `billingInformation`).
    #[rasn(tag(explicit(context, 2)))]
    pub additional_information: Option<Any>,
    /// `extensions [3]`.
    #[rasn(tag(context, 3))]
    pub extensions: Option<Vec<ExtensionField>>,
    /// `per-recipient-fields [0]`.
    #[rasn(tag(context, 0))]
    pub per_recipient_fields: Vec<PerRecipientReportTransferFields>,
}

impl ReportTransferContent {
    /// The content type, if exactly one alternative is present.
    #[must_use]
    pub fn content_type(&self) -> Option<ContentType> {
        content_type_of(
            self.content_type_built_in.as_ref(),
            self.content_type_extended.as_ref(),
        )
    }

    /// Sets (or with `None` removes) the content type.
    pub fn set_content_type(&mut self, ct: Option<ContentType>) {
        (self.content_type_built_in, self.content_type_extended) = split_content_type(ct);
    }
}

/// The two SET members that stand for one content type.
pub(crate) fn split_content_type(
    ct: Option<ContentType>,
) -> (Option<BuiltInContentType>, Option<ExtendedContentType>) {
    match ct {
        Some(ContentType::BuiltIn(b)) => (Some(b), None),
        Some(ContentType::Extended(e)) => (None, Some(e)),
        None => (None, None),
    }
}

/// `PerRecipientReportTransferFields ::= SET { actual-recipient-name [0], originally-specified-recipient-number [1],
/// per-recipient-indicators [2], last-trace-information [3], originally-intended-recipient-name [4] OPTIONAL,
/// supplementary-information [5] OPTIONAL, extensions [6] DEFAULT {} }` (1984: `ReportedRecipientInfo`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct PerRecipientReportTransferFields {
    /// `actual-recipient-name [0]` (1984: `recipient`).
    #[rasn(tag(context, 0))]
    pub actual_recipient_name: OrName,
    /// `originally-specified-recipient-number [1]` (1984: `ExtensionIdentifier`).
    #[rasn(tag(context, 1))]
    pub originally_specified_recipient_number: OriginallySpecifiedRecipientNumber,
    /// `per-recipient-indicators [2]` (1984: `PerRecipientFlag`).
    #[rasn(tag(context, 2))]
    pub per_recipient_indicators: PerRecipientIndicators,
    /// `last-trace-information [3]`.
    #[rasn(tag(context, 3))]
    pub last_trace_information: LastTraceInformation,
    /// `originally-intended-recipient-name [4]` (1984: `intendedRecipient`).
    #[rasn(tag(context, 4))]
    pub originally_intended_recipient_name: Option<OrName>,
    /// `supplementary-information [5]`, 1..=256 characters.
    #[rasn(tag(context, 5))]
    pub supplementary_information: Option<PrintableString>,
    /// `extensions [6]`.
    #[rasn(tag(context, 6))]
    pub extensions: Option<Vec<ExtensionField>>,
}

/// `LastTraceInformation ::= SET { arrival-time [0], converted-encoded-information-types OPTIONAL, report-type [1] }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct LastTraceInformation {
    /// `arrival-time [0]` (1984: `arrival`).
    #[rasn(tag(context, 0))]
    pub arrival_time: Time,
    /// `converted-encoded-information-types` (1984: `converted`).
    pub converted_encoded_information_types: Option<EncodedInformationTypes>,
    /// `report-type [1]`, explicit (a CHOICE) (1984: `Report`).
    #[rasn(tag(explicit(context, 1)))]
    pub report_type: ReportType,
}

impl Validate for Report {
    fn validate(&self) -> crate::Result<()> {
        let e = &self.envelope;
        e.report_identifier.validate()?;
        e.report_destination_name.validate()?;
        e.trace_information.validate()?;
        e.extensions.validate()?;
        let c = &self.content;
        c.subject_identifier.validate()?;
        c.subject_intermediate_trace_information.validate()?;
        c.original_encoded_information_types.validate()?;
        validate_content_type(
            c.content_type_built_in.as_ref(),
            c.content_type_extended.as_ref(),
            false,
        )?;
        c.content_identifier.validate()?;
        c.extensions.validate()?;
        within(
            "per-recipient-fields",
            "ub-recipients",
            1,
            UB_RECIPIENTS,
            c.per_recipient_fields.len(),
        )?;
        c.per_recipient_fields.validate()
    }
}

impl Validate for PerRecipientReportTransferFields {
    fn validate(&self) -> crate::Result<()> {
        self.actual_recipient_name.validate()?;
        let n = self.originally_specified_recipient_number.into();
        value_within(
            "originally-specified-recipient-number",
            "ub-recipients",
            1,
            UB_RECIPIENTS,
            n,
        )?;
        validate_per_recipient_indicators(&self.per_recipient_indicators)?;
        self.last_trace_information
            .converted_encoded_information_types
            .validate()?;
        self.last_trace_information.report_type.validate()?;
        self.originally_intended_recipient_name.validate()?;
        if let Some(s) = &self.supplementary_information {
            within(
                "supplementary-information",
                "ub-supplementary-info-length",
                1,
                UB_SUPPLEMENTARY_INFO_LENGTH,
                chars(s),
            )?;
        }
        self.extensions.validate()
    }
}
