//! X.411 (1984) P1: the MPDU exchanged between 1984 MTAs, and the 1984 MTA bind carried in
//! the RTS `ConnectionData.open`, as the production 1984 channel of PP declares them
//! (`Chans/x40084/P1_in.py`, `Rts_posy.py`).
//!
//! The 1984 module uses explicit tagging by default but writes `IMPLICIT` almost everywhere;
//! the tags below follow from that ASN.1 (PP's `P1_in.py`, ISODE's `pepy/P1.py`). Types whose
//! octets are the same as a 1988 type are aliases of it (the 1988 type is a superset, so 1988
//! additions sent by a newer peer are accepted, as PP's 1984 decoder does for 1988 codes); the
//! SETs that differ are their own types, so a 1984 encoder cannot emit 1988-only fields.

use alloc::vec::Vec;

use rasn::prelude::*;

use crate::mta_abstract_service::{Password, validate_mta_name};
use crate::mts_abstract_service::{
    AdministrationDomainName, BuiltInContentType, ContentIdentifier, CountryName,
    EncodedInformationTypes, MtsIdentifier, OrName, PerMessageIndicators, Priority, chars,
    validate_per_recipient_indicators,
};
use crate::upper_bounds::*;
use crate::validate::{Validate, value_within, within};

pub use crate::mta_abstract_service::{
    DomainSuppliedInformation as DomainSuppliedInfo, LastTraceInformation, RoutingAction,
    TraceInformation, TraceInformationElement,
};
pub use crate::mts_abstract_service::{
    DeliveryReport as DeliveredInfo, NonDeliveryReport as NonDeliveredInfo, ReportType as Report,
    Time,
};

/// `MPDUIdentifier ::= [APPLICATION 4] IMPLICIT SEQUENCE { GlobalDomainIdentifier, IA5String }`.
pub type MpduIdentifier = MtsIdentifier;
/// `ContentType ::= [APPLICATION 6] IMPLICIT INTEGER { p2(2) }`.
pub type ContentType = BuiltInContentType;
/// `UAContentId ::= [APPLICATION 10] IMPLICIT PrintableString`.
pub type UaContentId = ContentIdentifier;
/// `PerMessageFlag ::= [APPLICATION 8] IMPLICIT BIT STRING { discloseRecipients(0), conversionProhibited(1), alternateRecipientAllowed(2), contentReturnRequest(3) }`.
pub type PerMessageFlag = PerMessageIndicators;
/// `PerRecipientFlag ::= BIT STRING` (8 bits: X.411 (1984) Figure 23; PP's
/// `Lib/pp/ut_mm2p1.c` encodes 8).
pub type PerRecipientFlag = BitString;
/// `ExtensionIdentifier ::= INTEGER`: the per-recipient number the originating MTA assigned.
pub type ExtensionIdentifier = u32;
/// `UMPDUContent ::= OCTET STRING`: the P2 UAPDU as BER octets.
pub type UmpduContent = OctetString;

/// `MPDU ::= CHOICE { [0] IMPLICIT UserMPDU, ServiceMPDU }`, with
/// `ServiceMPDU ::= CHOICE { [1] IMPLICIT DeliveryReportMPDU, [2] IMPLICIT ProbeMPDU }` folded in.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
#[allow(clippy::large_enum_variant)]
pub enum Mpdu {
    /// `[0] UserMPDU`.
    #[rasn(tag(context, 0))]
    UserMpdu(UserMpdu),
    /// `ServiceMPDU` `[1] DeliveryReportMPDU`.
    #[rasn(tag(context, 1))]
    DeliveryReportMpdu(DeliveryReportMpdu),
    /// `ServiceMPDU` `[2] ProbeMPDU`.
    #[rasn(tag(context, 2))]
    ProbeMpdu(ProbeMpdu),
}

/// `UserMPDU ::= SEQUENCE { envelope UMPDUEnvelope, content UMPDUContent }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct UserMpdu {
    /// `envelope`.
    pub envelope: UmpduEnvelope,
    /// `content`.
    pub content: UmpduContent,
}

/// `UMPDUEnvelope ::= SET { mpduID, originator, original OPTIONAL, ContentType, UAContentId OPTIONAL,
/// Priority DEFAULT normal, PerMessageFlag DEFAULT {}, deferredDelivery [0] OPTIONAL,
/// [1] SEQUENCE OF PerDomainBilateralInfo OPTIONAL, [2] SEQUENCE OF RecipientInfo, TraceInformation }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct UmpduEnvelope {
    /// `mpduID`.
    pub mpdu_id: MpduIdentifier,
    /// `originator`.
    pub originator: OrName,
    /// `original`: encoded information types of the original content.
    pub original: Option<EncodedInformationTypes>,
    /// `ContentType`.
    pub content_type: ContentType,
    /// `UAContentId`.
    pub ua_content_id: Option<UaContentId>,
    /// `Priority`.
    pub priority: Option<Priority>,
    /// `PerMessageFlag`.
    pub per_message_flag: Option<PerMessageFlag>,
    /// `deferredDelivery [0]`.
    #[rasn(tag(context, 0))]
    pub deferred_delivery: Option<Time>,
    /// `[1] SEQUENCE OF PerDomainBilateralInfo`.
    #[rasn(tag(context, 1))]
    pub per_domain_bilateral_info: Option<Vec<PerDomainBilateralInfo>>,
    /// `[2] SEQUENCE OF RecipientInfo`.
    #[rasn(tag(context, 2))]
    pub recipient_info: Vec<RecipientInfo>,
    /// `TraceInformation`.
    pub trace_information: TraceInformation,
}

/// `PerDomainBilateralInfo ::= SEQUENCE { country CountryName, AdministrationDomainName, BilateralInfo }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct PerDomainBilateralInfo {
    /// `country`.
    pub country: CountryName,
    /// `AdministrationDomainName`.
    pub administration_domain_name: AdministrationDomainName,
    /// `BilateralInfo ::= ANY`, kept as BER.
    pub bilateral_info: Any,
}

/// `RecipientInfo ::= SET { recipient ORName, [0] ExtensionIdentifier, [1] PerRecipientFlag, [2] ExplicitConversion OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct RecipientInfo {
    /// `recipient`.
    pub recipient: OrName,
    /// `[0] ExtensionIdentifier`.
    #[rasn(tag(context, 0))]
    pub extension_identifier: ExtensionIdentifier,
    /// `[1] PerRecipientFlag`.
    #[rasn(tag(context, 1))]
    pub per_recipient_flag: PerRecipientFlag,
    /// `[2] ExplicitConversion`: iA5TextTeletex(0), teletexTelex(1).
    #[rasn(tag(context, 2))]
    pub explicit_conversion: Option<u32>,
}

/// `DeliveryReportMPDU ::= SEQUENCE { envelope DeliveryReportEnvelope, content DeliveryReportContent }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReportMpdu {
    /// `envelope`.
    pub envelope: DeliveryReportEnvelope,
    /// `content`.
    pub content: DeliveryReportContent,
}

/// `DeliveryReportEnvelope ::= SET { report MPDUIdentifier, originator ORName, TraceInformation }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct DeliveryReportEnvelope {
    /// `report`: this report's identifier.
    pub report: MpduIdentifier,
    /// `originator`: where the report goes (the subject message's originator).
    pub originator: OrName,
    /// `TraceInformation`.
    pub trace_information: TraceInformation,
}

/// `DeliveryReportContent ::= SET { original, intermediate OPTIONAL, UAContentId OPTIONAL,
/// [0] SEQUENCE OF ReportedRecipientInfo, returned [1] OPTIONAL, billingInformation [2] ANY OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct DeliveryReportContent {
    /// `original`: the subject MPDU.
    pub original: MpduIdentifier,
    /// `intermediate`.
    pub intermediate: Option<TraceInformation>,
    /// `UAContentId`.
    pub ua_content_id: Option<UaContentId>,
    /// `[0] SEQUENCE OF ReportedRecipientInfo`.
    #[rasn(tag(context, 0))]
    pub reported_recipient_info: Vec<ReportedRecipientInfo>,
    /// `returned [1]`: the returned content.
    #[rasn(tag(context, 1))]
    pub returned: Option<UmpduContent>,
    /// `billingInformation [2] ANY`, kept as BER.
    #[rasn(tag(explicit(context, 2)))]
    pub billing_information: Option<Any>,
}

/// `ReportedRecipientInfo ::= SET { recipient [0], [1] ExtensionIdentifier, [2] PerRecipientFlag,
/// [3] LastTraceInformation, intendedRecipient [4] OPTIONAL, [5] SupplementaryInformation OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct ReportedRecipientInfo {
    /// `recipient [0]`.
    #[rasn(tag(context, 0))]
    pub recipient: OrName,
    /// `[1] ExtensionIdentifier`.
    #[rasn(tag(context, 1))]
    pub extension_identifier: ExtensionIdentifier,
    /// `[2] PerRecipientFlag`.
    #[rasn(tag(context, 2))]
    pub per_recipient_flag: PerRecipientFlag,
    /// `[3] LastTraceInformation`.
    #[rasn(tag(context, 3))]
    pub last_trace_information: LastTraceInformation,
    /// `intendedRecipient [4]`.
    #[rasn(tag(context, 4))]
    pub intended_recipient: Option<OrName>,
    /// `[5] SupplementaryInformation` (PrintableString).
    #[rasn(tag(context, 5))]
    pub supplementary_information: Option<PrintableString>,
}

/// `ProbeMPDU ::= ProbeEnvelope`.
pub type ProbeMpdu = ProbeEnvelope;

/// `ProbeEnvelope ::= SET { probe, originator, ContentType, UAContentId OPTIONAL, original OPTIONAL,
/// TraceInformation, PerMessageFlag DEFAULT {}, contentLength [0] OPTIONAL,
/// [1] SEQUENCE OF PerDomainBilateralInfo OPTIONAL, [2] SEQUENCE OF RecipientInfo }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct ProbeEnvelope {
    /// `probe`.
    pub probe: MpduIdentifier,
    /// `originator`.
    pub originator: OrName,
    /// `ContentType`.
    pub content_type: ContentType,
    /// `UAContentId`.
    pub ua_content_id: Option<UaContentId>,
    /// `original`.
    pub original: Option<EncodedInformationTypes>,
    /// `TraceInformation`.
    pub trace_information: TraceInformation,
    /// `PerMessageFlag`.
    pub per_message_flag: Option<PerMessageFlag>,
    /// `contentLength [0]`.
    #[rasn(tag(context, 0))]
    pub content_length: Option<u32>,
    /// `[1] SEQUENCE OF PerDomainBilateralInfo`.
    #[rasn(tag(context, 1))]
    pub per_domain_bilateral_info: Option<Vec<PerDomainBilateralInfo>>,
    /// `[2] SEQUENCE OF RecipientInfo`.
    #[rasn(tag(context, 2))]
    pub recipient_info: Vec<RecipientInfo>,
}

/// The 1984 MTA bind (PP `Rts84.Request`): `CHOICE { NULL, [1] IMPLICIT SET { mTAName [0] IMPLICIT IA5String, password [1] ANY } }`.
///
/// Sent by the initiator in PConnect and by the responder in PAccept. The octets are those of
/// the 1988 `MTABindArgument`/`MTABindResult` with simple credentials.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum Request {
    /// `NULL`: no authentication.
    Null(()),
    /// `[1] SET`: MTA name and password.
    #[rasn(tag(context, 1))]
    Authenticated(MtaNameAndPassword),
}

/// The `[1] SET { mTAName [0], password [1] }` of [`Request`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct MtaNameAndPassword {
    /// `mTAName [0]`: at most 32 characters.
    #[rasn(tag(context, 0))]
    pub mta_name: Ia5String,
    /// `password [1]`: explicit; PP sends an IA5String and accepts an OCTET STRING too.
    #[rasn(tag(explicit(context, 1)))]
    pub password: Password,
}

impl Validate for PerDomainBilateralInfo {
    fn validate(&self) -> crate::Result<()> {
        self.country.validate()?;
        self.administration_domain_name.validate()?;
        let n = self.bilateral_info.as_bytes().len();
        within(
            "BilateralInfo",
            "ub-bilateral-info",
            0,
            crate::mta_abstract_service::UB_BILATERAL_INFO,
            n,
        )
    }
}

impl Validate for RecipientInfo {
    fn validate(&self) -> crate::Result<()> {
        self.recipient.validate()?;
        let n = self.extension_identifier.into();
        value_within("ExtensionIdentifier", "ub-recipients", 1, UB_RECIPIENTS, n)?;
        validate_per_recipient_indicators(&self.per_recipient_flag)?;
        match self.explicit_conversion {
            Some(c) => value_within(
                "ExplicitConversion",
                "ub-integer-options",
                0,
                UB_INTEGER_OPTIONS,
                c.into(),
            ),
            None => Ok(()),
        }
    }
}

/// Checks the identifying per-message fields shared by the user MPDU and the probe.
fn validate_heading(
    id: &MpduIdentifier,
    originator: &OrName,
    original: Option<&EncodedInformationTypes>,
    content_type: ContentType,
    ua_content_id: Option<&UaContentId>,
) -> crate::Result<()> {
    id.validate()?;
    originator.validate()?;
    original.map_or(Ok(()), Validate::validate)?;
    content_type.validate()?;
    ua_content_id.map_or(Ok(()), Validate::validate)
}

/// Checks the lists shared by the user MPDU and the probe.
fn validate_lists(
    bilateral: Option<&Vec<PerDomainBilateralInfo>>,
    recipients: &[RecipientInfo],
    trace: &TraceInformation,
) -> crate::Result<()> {
    if let Some(b) = bilateral {
        within(
            "PerDomainBilateralInfo",
            "ub-transfers",
            1,
            UB_TRANSFERS,
            b.len(),
        )?;
        b.validate()?;
    }
    within(
        "RecipientInfo",
        "ub-recipients",
        1,
        UB_RECIPIENTS,
        recipients.len(),
    )?;
    recipients.iter().try_for_each(Validate::validate)?;
    trace.validate()
}

impl Validate for UmpduEnvelope {
    fn validate(&self) -> crate::Result<()> {
        self.per_message_flag.validate()?;
        validate_heading(
            &self.mpdu_id,
            &self.originator,
            self.original.as_ref(),
            self.content_type,
            self.ua_content_id.as_ref(),
        )?;
        validate_lists(
            self.per_domain_bilateral_info.as_ref(),
            &self.recipient_info,
            &self.trace_information,
        )
    }
}

impl Validate for ProbeEnvelope {
    fn validate(&self) -> crate::Result<()> {
        self.per_message_flag.validate()?;
        if let Some(l) = self.content_length {
            value_within(
                "contentLength",
                "ub-content-length",
                0,
                UB_CONTENT_LENGTH,
                l.into(),
            )?;
        }
        validate_heading(
            &self.probe,
            &self.originator,
            self.original.as_ref(),
            self.content_type,
            self.ua_content_id.as_ref(),
        )?;
        validate_lists(
            self.per_domain_bilateral_info.as_ref(),
            &self.recipient_info,
            &self.trace_information,
        )
    }
}

impl Validate for ReportedRecipientInfo {
    fn validate(&self) -> crate::Result<()> {
        self.recipient.validate()?;
        let n = self.extension_identifier.into();
        value_within("ExtensionIdentifier", "ub-recipients", 1, UB_RECIPIENTS, n)?;
        validate_per_recipient_indicators(&self.per_recipient_flag)?;
        self.last_trace_information
            .converted_encoded_information_types
            .validate()?;
        self.last_trace_information.report_type.validate()?;
        self.intended_recipient.validate()?;
        if let Some(s) = &self.supplementary_information {
            within(
                "SupplementaryInformation",
                "ub-supplementary-info-length",
                1,
                UB_SUPPLEMENTARY_INFO_LENGTH,
                chars(s),
            )?;
        }
        Ok(())
    }
}

impl Validate for DeliveryReportMpdu {
    fn validate(&self) -> crate::Result<()> {
        let e = &self.envelope;
        e.report.validate()?;
        e.originator.validate()?;
        e.trace_information.validate()?;
        let c = &self.content;
        c.original.validate()?;
        c.intermediate.validate()?;
        c.ua_content_id.validate()?;
        within(
            "ReportedRecipientInfo",
            "ub-recipients",
            1,
            UB_RECIPIENTS,
            c.reported_recipient_info.len(),
        )?;
        c.reported_recipient_info.validate()
    }
}

impl Validate for Mpdu {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::UserMpdu(u) => u.envelope.validate(),
            Self::DeliveryReportMpdu(r) => r.validate(),
            Self::ProbeMpdu(p) => p.validate(),
        }
    }
}

impl Validate for Request {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::Null(()) => Ok(()),
            Self::Authenticated(a) => {
                validate_mta_name("mTAName", &a.mta_name)?;
                a.password.validate()
            }
        }
    }
}

/// 1984 to 1988, for gateways: every 1984 MPDU is a 1988 MTS-APDU with
/// the same octets, so this conversion loses nothing and equals decoding the 1984 octets as
/// 1988.
impl From<Mpdu> for crate::mta_abstract_service::MtsApdu {
    fn from(m: Mpdu) -> Self {
        use crate::mta_abstract_service as m88;
        let recipients = |list: Vec<RecipientInfo>| {
            list.into_iter()
                .map(|r| m88::PerRecipientMessageTransferFields {
                    recipient_name: r.recipient,
                    originally_specified_recipient_number: r.extension_identifier,
                    per_recipient_indicators: r.per_recipient_flag,
                    explicit_conversion: r.explicit_conversion,
                    extensions: None,
                })
                .collect()
        };
        let bilateral = |list: Option<Vec<PerDomainBilateralInfo>>| {
            list.map(|l| {
                l.into_iter()
                    .map(|b| m88::PerDomainBilateralInformation {
                        country_name: b.country,
                        domain: m88::BilateralDomain::AdministrationDomainName(
                            match b.administration_domain_name {
                                AdministrationDomainName::Numeric(n) => {
                                    crate::mts_abstract_service::PrivateDomainName::Numeric(n)
                                }
                                AdministrationDomainName::Printable(p) => {
                                    crate::mts_abstract_service::PrivateDomainName::Printable(p)
                                }
                            },
                        ),
                        bilateral_information: b.bilateral_info,
                    })
                    .collect()
            })
        };
        match m {
            Mpdu::UserMpdu(u) => {
                let e = u.envelope;
                Self::Message(m88::Message {
                    envelope: m88::MessageTransferEnvelope {
                        message_identifier: e.mpdu_id,
                        originator_name: e.originator,
                        original_encoded_information_types: e.original,
                        content_type_built_in: Some(e.content_type),
                        content_type_extended: None,
                        content_identifier: e.ua_content_id,
                        priority: e.priority,
                        per_message_indicators: e.per_message_flag,
                        deferred_delivery_time: e.deferred_delivery,
                        per_domain_bilateral_information: bilateral(e.per_domain_bilateral_info),
                        trace_information: e.trace_information,
                        extensions: None,
                        per_recipient_fields: recipients(e.recipient_info),
                    },
                    content: u.content,
                })
            }
            Mpdu::ProbeMpdu(p) => Self::Probe(m88::ProbeTransferEnvelope {
                probe_identifier: p.probe,
                originator_name: p.originator,
                original_encoded_information_types: p.original,
                content_type_built_in: Some(p.content_type),
                content_type_extended: None,
                content_identifier: p.ua_content_id,
                content_length: p.content_length,
                per_message_indicators: p.per_message_flag,
                per_domain_bilateral_information: bilateral(p.per_domain_bilateral_info),
                trace_information: p.trace_information,
                extensions: None,
                per_recipient_fields: recipients(p.recipient_info),
            }),
            Mpdu::DeliveryReportMpdu(r) => {
                let c = r.content;
                Self::Report(m88::Report {
                    envelope: m88::ReportTransferEnvelope {
                        report_identifier: r.envelope.report,
                        report_destination_name: r.envelope.originator,
                        trace_information: r.envelope.trace_information,
                        extensions: None,
                    },
                    content: m88::ReportTransferContent {
                        subject_identifier: c.original,
                        subject_intermediate_trace_information: c.intermediate,
                        original_encoded_information_types: None,
                        content_type_built_in: None,
                        content_type_extended: None,
                        content_identifier: c.ua_content_id,
                        returned_content: c.returned,
                        additional_information: c.billing_information,
                        extensions: None,
                        per_recipient_fields: c
                            .reported_recipient_info
                            .into_iter()
                            .map(|f| m88::PerRecipientReportTransferFields {
                                actual_recipient_name: f.recipient,
                                originally_specified_recipient_number: f.extension_identifier,
                                per_recipient_indicators: f.per_recipient_flag,
                                last_trace_information: f.last_trace_information,
                                originally_intended_recipient_name: f.intended_recipient,
                                supplementary_information: f.supplementary_information,
                                extensions: None,
                            })
                            .collect(),
                    },
                })
            }
        }
    }
}
