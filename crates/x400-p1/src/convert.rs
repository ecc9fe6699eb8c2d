//! Conversion between the 1984 MPDU ([`crate::p1_1984`]) and the 1988 MTS-APDU
//! ([`crate::mta_abstract_service`]), so that an MTA keeps one internal form (1988) and speaks
//! to peers of both generations.
//!
//! **Up (1984 to 1988)** loses nothing: every 1984 element has a 1988 element with the same
//! tag and octets (X.411 (1988) keeps the 1984 tags; the 1988 names are given beside each
//! field below), so the conversion equals decoding the 1984 octets as 1988 (see
//! `From<Mpdu> for MtsApdu` in [`crate::p1_1984`]).
//!
//! **Down (1988 to 1984)**: the interworking rules are X.419 (1988) Annex B's, which RFC 1328
//! ("X.400 1988 to 1984 downgrading") extends; this module applies them so:
//!
//! * what the 1984 MTA would need to act on and cannot be told is a [`Downgrade`] error, on
//!   which the MTA non-delivers (reason unable-to-transfer, diagnostic
//!   [`UNABLE_TO_DOWNGRADE`]): an extended content type; an extension marked critical for
//!   transfer or for delivery (X.411 §9.1 criticality: an MTA that cannot honour it must not
//!   pass the PDU on, and no MTA after a 1984 one could); an O/R name with extension
//!   attributes or with only a directory name; bilateral information for a private domain;
//! * what asks nothing of the receiver is dropped: extensions marked neither critical for
//!   transfer nor for delivery, the directory name of an O/R name that also has an O/R
//!   address (MTAs route on the address), the trace's other-actions, extended encoded
//!   information types, and the 1988 report content's original encoded information types
//!   and content type (which only describe the subject message);
//! * values the 1984 types share with 1988 (built-in content types, priority, indicator bits,
//!   reason and diagnostic codes) pass unchanged: a 1984 MTA reads integers and bits beyond
//!   those it names (PP's 1984 channel does), and rewriting them is the content's or the
//!   MTA's business, not the transfer syntax's.

use alloc::vec::Vec;

use crate::ObjectIdentifier;
use crate::mta_abstract_service::{
    BilateralDomain, LastTraceInformation, Message, MessageTransferEnvelope, MtsApdu,
    PerDomainBilateralInformation, PerRecipientMessageTransferFields,
    PerRecipientReportTransferFields, ProbeTransferEnvelope, Report, ReportTransferContent,
    ReportTransferEnvelope, TraceInformation, TraceInformationElement,
};
use crate::mts_abstract_service::{
    AdministrationDomainName, CRITICAL_FOR_TRANSFER, EncodedInformationTypes, ExtensionField,
    ExtensionType, OrName, PrivateDomainName,
};
use crate::p1_1984::{
    DeliveryReportContent, DeliveryReportEnvelope, DeliveryReportMpdu, Mpdu,
    PerDomainBilateralInfo, ProbeEnvelope, RecipientInfo, ReportedRecipientInfo, UmpduEnvelope,
    UserMpdu,
};

/// Bit `for-delivery(2)` of an extension's criticality (X.411 `Criticality`).
const CRITICAL_FOR_DELIVERY: usize = 2;

/// `unable-to-downgrade (47)`: the X.411 non-delivery diagnostic code for a PDU a 1984 MTA
/// cannot be given (with reason code `unable-to-transfer (1)`).
pub const UNABLE_TO_DOWNGRADE: u32 = 47;

/// What a 1988 PDU holds that a 1984 MPDU cannot carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Downgrade {
    /// The content type is an OBJECT IDENTIFIER; 1984 has only the integer `ContentType`.
    #[error("content-type is the extended type {0}; 1984 has only built-in content types")]
    ExtendedContentType(ObjectIdentifier),
    /// The envelope has no content type at all (an invalid 1988 envelope).
    #[error("the envelope has no content-type")]
    NoContentType,
    /// An extension marked critical for transfer or for delivery.
    #[error(
        "{field} holds {}, critical {criticality}; 1984 has no extensions",
        extension_name(extension)
    )]
    CriticalExtension {
        /// Which extensions field holds it, as named in X.411.
        field: &'static str,
        /// The extension's type.
        extension: ExtensionType,
        /// `"for transfer"` or `"for delivery"`.
        criticality: &'static str,
    },
    /// An O/R name with extension attributes (e.g. common-name, teletex names).
    #[error("{field} has extension-attributes, which a 1984 O/R name cannot hold")]
    OrNameExtensionAttributes {
        /// Which O/R name, as named in X.411.
        field: &'static str,
    },
    /// An O/R name with a directory name and no O/R address.
    #[error("{field} has only a directory name; a 1984 O/R name is an O/R address")]
    DirectoryNameOnly {
        /// Which O/R name, as named in X.411.
        field: &'static str,
    },
    /// Per-domain bilateral information for a private domain (1984 names only ADMDs).
    #[error("per-domain-bilateral-information for a private domain has no 1984 form")]
    PrivateDomainBilateralInformation,
}

impl Downgrade {
    /// The non-delivery diagnostic code an MTA reports for this: always [`UNABLE_TO_DOWNGRADE`].
    #[must_use]
    pub fn diagnostic_code(&self) -> u32 {
        UNABLE_TO_DOWNGRADE
    }
}

/// An extension type in words, for [`Downgrade::CriticalExtension`].
fn extension_name(t: &ExtensionType) -> alloc::string::String {
    match t {
        ExtensionType::StandardExtension(n) => alloc::format!("standard extension {n}"),
        ExtensionType::PrivateExtension(oid) => alloc::format!("private extension {oid}"),
    }
}

// ---- up: 1984 to 1988 ----

fn bilateral_up(
    list: Option<Vec<PerDomainBilateralInfo>>,
) -> Option<Vec<PerDomainBilateralInformation>> {
    list.map(|l| {
        l.into_iter()
            .map(|b| PerDomainBilateralInformation {
                country_name: b.country,
                // The 1984 `AdministrationDomainName` is 1988's `administration-domain-name`
                // alternative of `domain` (same [APPLICATION 2] octets).
                domain: BilateralDomain::AdministrationDomainName(
                    match b.administration_domain_name {
                        AdministrationDomainName::Numeric(n) => PrivateDomainName::Numeric(n),
                        AdministrationDomainName::Printable(p) => PrivateDomainName::Printable(p),
                    },
                ),
                bilateral_information: b.bilateral_info,
            })
            .collect()
    })
}

fn recipients_up(list: Vec<RecipientInfo>) -> Vec<PerRecipientMessageTransferFields> {
    list.into_iter()
        .map(|r| PerRecipientMessageTransferFields {
            recipient_name: r.recipient,
            originally_specified_recipient_number: r.extension_identifier,
            per_recipient_indicators: r.per_recipient_flag,
            explicit_conversion: r.explicit_conversion,
            extensions: None,
        })
        .collect()
}

/// 1984 `UMPDUEnvelope` to 1988 `MessageTransferEnvelope`: every member maps.
impl From<UmpduEnvelope> for MessageTransferEnvelope {
    fn from(e: UmpduEnvelope) -> Self {
        Self {
            message_identifier: e.mpdu_id,                  // mpduID
            originator_name: e.originator,                  // originator
            original_encoded_information_types: e.original, // original
            content_type_built_in: Some(e.content_type),    // ContentType
            content_type_extended: None,                    // (1988 only)
            content_identifier: e.ua_content_id,            // UAContentId
            priority: e.priority,                           // Priority
            per_message_indicators: e.per_message_flag,     // PerMessageFlag
            deferred_delivery_time: e.deferred_delivery,    // deferredDelivery [0]
            per_domain_bilateral_information: bilateral_up(e.per_domain_bilateral_info), // [1]
            trace_information: e.trace_information,         // TraceInformation
            extensions: None,                               // (1988 only)
            per_recipient_fields: recipients_up(e.recipient_info), // [2] RecipientInfo
        }
    }
}

/// 1984 `UserMPDU` to 1988 `Message`.
impl From<UserMpdu> for Message {
    fn from(u: UserMpdu) -> Self {
        Self {
            envelope: u.envelope.into(),
            content: u.content,
        }
    }
}

/// 1984 `ProbeEnvelope` to 1988 `ProbeTransferEnvelope`: every member maps.
impl From<ProbeEnvelope> for ProbeTransferEnvelope {
    fn from(p: ProbeEnvelope) -> Self {
        Self {
            probe_identifier: p.probe,                      // probe
            originator_name: p.originator,                  // originator
            original_encoded_information_types: p.original, // original
            content_type_built_in: Some(p.content_type),    // ContentType
            content_type_extended: None,                    // (1988 only)
            content_identifier: p.ua_content_id,            // UAContentId
            content_length: p.content_length,               // contentLength [0]
            per_message_indicators: p.per_message_flag,     // PerMessageFlag
            per_domain_bilateral_information: bilateral_up(p.per_domain_bilateral_info), // [1]
            trace_information: p.trace_information,         // TraceInformation
            extensions: None,                               // (1988 only)
            per_recipient_fields: recipients_up(p.recipient_info), // [2] RecipientInfo
        }
    }
}

/// 1984 `DeliveryReportMPDU` to 1988 `Report`: every member maps.
impl From<DeliveryReportMpdu> for Report {
    fn from(r: DeliveryReportMpdu) -> Self {
        let (e, c) = (r.envelope, r.content);
        Self {
            envelope: ReportTransferEnvelope {
                report_identifier: e.report,            // report
                report_destination_name: e.originator,  // originator
                trace_information: e.trace_information, // TraceInformation
                extensions: None,                       // (1988 only)
            },
            content: ReportTransferContent {
                subject_identifier: c.original,                         // original
                subject_intermediate_trace_information: c.intermediate, // intermediate
                original_encoded_information_types: None,               // (1988 only)
                content_type_built_in: None,                            // (1988 only)
                content_type_extended: None,                            // (1988 only)
                content_identifier: c.ua_content_id,                    // UAContentId
                returned_content: c.returned,                           // returned [1]
                additional_information: c.billing_information,          // billingInformation [2]
                extensions: None,                                       // (1988 only)
                per_recipient_fields: c
                    .reported_recipient_info // [0] ReportedRecipientInfo
                    .into_iter()
                    .map(|f| PerRecipientReportTransferFields {
                        actual_recipient_name: f.recipient, // recipient [0]
                        originally_specified_recipient_number: f.extension_identifier, // [1]
                        per_recipient_indicators: f.per_recipient_flag, // [2]
                        last_trace_information: f.last_trace_information, // [3]
                        originally_intended_recipient_name: f.intended_recipient, // [4]
                        supplementary_information: f.supplementary_information, // [5]
                        extensions: None,                   // (1988 only)
                    })
                    .collect(),
            },
        }
    }
}

// ---- down: 1988 to 1984 ----

/// Fails on the first extension marked critical for transfer or delivery; the others are
/// left behind by the caller, which has no place for them.
fn check_extensions(
    field: &'static str,
    list: Option<&Vec<ExtensionField>>,
) -> Result<(), Downgrade> {
    for e in list.into_iter().flatten() {
        let set = |n: usize| e.criticality.get(n).is_some_and(|b| *b);
        let criticality = if set(CRITICAL_FOR_TRANSFER) {
            "for transfer"
        } else if set(CRITICAL_FOR_DELIVERY) {
            "for delivery"
        } else {
            continue;
        };
        return Err(Downgrade::CriticalExtension {
            field,
            extension: e.r#type.clone(),
            criticality,
        });
    }
    Ok(())
}

/// The 1984 form of an O/R name: no extension attributes, no directory name.
fn or_name_down(field: &'static str, n: &OrName) -> Result<OrName, Downgrade> {
    if n.extension_attributes
        .as_ref()
        .is_some_and(|a| !a.is_empty())
    {
        return Err(Downgrade::OrNameExtensionAttributes { field });
    }
    let down = OrName {
        built_in_standard_attributes: n.built_in_standard_attributes.clone(),
        built_in_domain_defined_attributes: n.built_in_domain_defined_attributes.clone(),
        extension_attributes: None,
        directory_name: None,
    };
    if n.directory_name.is_some() && down == OrName::default() {
        return Err(Downgrade::DirectoryNameOnly { field });
    }
    Ok(down)
}

/// Encoded information types without the 1988 `extended-encoded-information-types [4]`.
fn eit_down(e: Option<&EncodedInformationTypes>) -> Option<EncodedInformationTypes> {
    e.map(|e| EncodedInformationTypes {
        extended_encoded_information_types: None,
        ..e.clone()
    })
}

/// Trace without the 1988 `other-actions [3]` and extended encoded information types.
fn trace_down(t: &TraceInformation) -> TraceInformation {
    TraceInformation(
        t.0.iter()
            .map(|el| {
                let mut el: TraceInformationElement = el.clone();
                let d = &mut el.domain_supplied_information;
                d.other_actions = None;
                d.converted_encoded_information_types =
                    eit_down(d.converted_encoded_information_types.as_ref());
                el
            })
            .collect(),
    )
}

fn bilateral_down(
    list: Option<&Vec<PerDomainBilateralInformation>>,
) -> Result<Option<Vec<PerDomainBilateralInfo>>, Downgrade> {
    list.map(|l| {
        l.iter()
            .map(|b| {
                let BilateralDomain::AdministrationDomainName(admd) = &b.domain else {
                    return Err(Downgrade::PrivateDomainBilateralInformation);
                };
                Ok(PerDomainBilateralInfo {
                    country: b.country_name.clone(),
                    administration_domain_name: match admd {
                        PrivateDomainName::Numeric(n) => {
                            AdministrationDomainName::Numeric(n.clone())
                        }
                        PrivateDomainName::Printable(p) => {
                            AdministrationDomainName::Printable(p.clone())
                        }
                    },
                    bilateral_info: b.bilateral_information.clone(),
                })
            })
            .collect()
    })
    .transpose()
}

fn recipients_down(
    list: &[PerRecipientMessageTransferFields],
) -> Result<Vec<RecipientInfo>, Downgrade> {
    list.iter()
        .map(|r| {
            check_extensions("per-recipient-fields extensions", r.extensions.as_ref())?;
            Ok(RecipientInfo {
                recipient: or_name_down("recipient-name", &r.recipient_name)?,
                extension_identifier: r.originally_specified_recipient_number,
                per_recipient_flag: r.per_recipient_indicators.clone(),
                explicit_conversion: r.explicit_conversion,
            })
        })
        .collect()
}

/// The built-in content type, or why there is none to give a 1984 MTA.
fn content_type_down(
    built_in: Option<&crate::mts_abstract_service::BuiltInContentType>,
    extended: Option<&ObjectIdentifier>,
) -> Result<crate::mts_abstract_service::BuiltInContentType, Downgrade> {
    match (built_in, extended) {
        (_, Some(oid)) => Err(Downgrade::ExtendedContentType(oid.clone())),
        (Some(b), None) => Ok(*b),
        (None, None) => Err(Downgrade::NoContentType),
    }
}

/// 1988 `MessageTransferEnvelope` to 1984 `UMPDUEnvelope` (see the module documentation for
/// what is refused and what is dropped).
impl TryFrom<&MessageTransferEnvelope> for UmpduEnvelope {
    type Error = Downgrade;

    fn try_from(e: &MessageTransferEnvelope) -> Result<Self, Downgrade> {
        check_extensions("extensions", e.extensions.as_ref())?;
        Ok(Self {
            mpdu_id: e.message_identifier.clone(),
            originator: or_name_down("originator-name", &e.originator_name)?,
            original: eit_down(e.original_encoded_information_types.as_ref()),
            content_type: content_type_down(
                e.content_type_built_in.as_ref(),
                e.content_type_extended.as_ref(),
            )?,
            ua_content_id: e.content_identifier.clone(),
            priority: e.priority,
            per_message_flag: e.per_message_indicators.clone(),
            deferred_delivery: e.deferred_delivery_time,
            per_domain_bilateral_info: bilateral_down(e.per_domain_bilateral_information.as_ref())?,
            recipient_info: recipients_down(&e.per_recipient_fields)?,
            trace_information: trace_down(&e.trace_information),
        })
    }
}

/// 1988 `Message` to 1984 `UserMPDU`: the envelope as [`UmpduEnvelope`]'s `TryFrom`, the
/// content unchanged.
impl TryFrom<&Message> for UserMpdu {
    type Error = Downgrade;

    fn try_from(m: &Message) -> Result<Self, Downgrade> {
        Ok(Self {
            envelope: (&m.envelope).try_into()?,
            content: m.content.clone(),
        })
    }
}

/// 1988 `ProbeTransferEnvelope` to 1984 `ProbeEnvelope`, by the message envelope's rules.
impl TryFrom<&ProbeTransferEnvelope> for ProbeEnvelope {
    type Error = Downgrade;

    fn try_from(p: &ProbeTransferEnvelope) -> Result<Self, Downgrade> {
        check_extensions("extensions", p.extensions.as_ref())?;
        Ok(Self {
            probe: p.probe_identifier.clone(),
            originator: or_name_down("originator-name", &p.originator_name)?,
            content_type: content_type_down(
                p.content_type_built_in.as_ref(),
                p.content_type_extended.as_ref(),
            )?,
            ua_content_id: p.content_identifier.clone(),
            original: eit_down(p.original_encoded_information_types.as_ref()),
            trace_information: trace_down(&p.trace_information),
            per_message_flag: p.per_message_indicators.clone(),
            content_length: p.content_length,
            per_domain_bilateral_info: bilateral_down(p.per_domain_bilateral_information.as_ref())?,
            recipient_info: recipients_down(&p.per_recipient_fields)?,
        })
    }
}

fn last_trace_down(t: &LastTraceInformation) -> LastTraceInformation {
    LastTraceInformation {
        converted_encoded_information_types: eit_down(
            t.converted_encoded_information_types.as_ref(),
        ),
        ..t.clone()
    }
}

/// 1988 `Report` to 1984 `DeliveryReportMPDU` (see the module documentation).
impl TryFrom<&Report> for DeliveryReportMpdu {
    type Error = Downgrade;

    fn try_from(r: &Report) -> Result<Self, Downgrade> {
        let (e, c) = (&r.envelope, &r.content);
        check_extensions("report envelope extensions", e.extensions.as_ref())?;
        check_extensions("report content extensions", c.extensions.as_ref())?;
        let reported = c
            .per_recipient_fields
            .iter()
            .map(|f| {
                check_extensions("per-recipient report extensions", f.extensions.as_ref())?;
                Ok(ReportedRecipientInfo {
                    recipient: or_name_down("actual-recipient-name", &f.actual_recipient_name)?,
                    extension_identifier: f.originally_specified_recipient_number,
                    per_recipient_flag: f.per_recipient_indicators.clone(),
                    last_trace_information: last_trace_down(&f.last_trace_information),
                    intended_recipient: f
                        .originally_intended_recipient_name
                        .as_ref()
                        .map(|n| or_name_down("originally-intended-recipient-name", n))
                        .transpose()?,
                    supplementary_information: f.supplementary_information.clone(),
                })
            })
            .collect::<Result<_, Downgrade>>()?;
        Ok(Self {
            envelope: DeliveryReportEnvelope {
                report: e.report_identifier.clone(),
                originator: or_name_down("report-destination-name", &e.report_destination_name)?,
                trace_information: trace_down(&e.trace_information),
            },
            content: DeliveryReportContent {
                original: c.subject_identifier.clone(),
                intermediate: c
                    .subject_intermediate_trace_information
                    .as_ref()
                    .map(trace_down),
                ua_content_id: c.content_identifier.clone(),
                reported_recipient_info: reported,
                returned: c.returned_content.clone(),
                billing_information: c.additional_information.clone(),
            },
        })
    }
}

/// 1988 `MTS-APDU` to 1984 `MPDU`. The other way is `From<Mpdu> for MtsApdu`.
impl TryFrom<&MtsApdu> for Mpdu {
    type Error = Downgrade;

    fn try_from(a: &MtsApdu) -> Result<Self, Downgrade> {
        Ok(match a {
            MtsApdu::Message(m) => Self::UserMpdu(m.try_into()?),
            MtsApdu::Probe(p) => Self::ProbeMpdu(p.try_into()?),
            MtsApdu::Report(r) => Self::DeliveryReportMpdu(r.try_into()?),
        })
    }
}
