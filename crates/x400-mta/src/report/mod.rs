//! Delivery and non-delivery reports about a message (X.411 §12.2.1.3, report-transfer), built
//! as the 1988 MTS-APDU `report` and routed back to the originator like any message.
//!
//! # What the report holds
//!
//! * envelope: our `report-identifier` (§12.2.1.3.1.1); `report-destination-name`
//!   (§12.2.1.3.1.2), the subject's `originator-name` (the originator-return-address
//!   extension is the originator's postal address, for physical delivery, not where reports
//!   go); and a trace (§12.2.1.1.1.3) of one element, ours, arriving at the report's
//!   creation.
//! * content: `subject-identifier` (§12.2.1.3.1.3), the subject's message identifier; the
//!   subject's original encoded information types, content type, content identifier and
//!   content correlator (§8.2.1.1.1.33 to §8.2.1.1.1.36), which let the originator match
//!   the report to its message; `subject-intermediate-trace-information` (§12.2.1.3.1.4),
//!   the subject's trace, when an audited report was asked for; and the returned content
//!   (§8.3.1.2.1.14) when the originator asked for it (content-return-request,
//!   §8.2.1.1.1.23) and the report holds a non-delivery.
//! * one entry per reported recipient: `actual-recipient-name` (§8.3.1.2.1.2),
//!   `originally-specified-recipient-number` (§12.2.1.1.1.8), its `per-recipient-indicators`
//!   (§12.2.1.1.1.6) as the subject carried them, so the originating MTA sees what was asked
//!   for; `last-trace-information` (the time the subject entered our domain, and the
//!   delivery or non-delivery); the `originally-intended-recipient-name` and the
//!   redirection-history extension when the recipient is an alternate recipient; and the
//!   supplementary information (§8.3.1.2.1.6).
//!
//! # Which recipients are reported
//!
//! The per-recipient-indicators (§12.2.1.1.1.6) hold two requests: the originating MTA's
//! (bits 1 and 2: non-delivery-report, report, audited-report) and the originator's (bits 3
//! and 4: no-report, non-delivery-report, report). The MTA's request is never weaker than the
//! originator's, and it is the one a reporting MTA acts on; the originator's is carried back
//! in the report so that the originating MTA delivers the report only if the originator
//! wants it. So:
//! * a delivery is reported when a report was asked for (bit 1, or bit 3 from an envelope
//!   that breaks the rule above);
//! * a non-delivery is reported unless no report at all was asked for (bits 1 to 4 clear, a
//!   value X.411 does not allow the MTA request to take): "no report" from the originator
//!   alone still sends the non-delivery back to the originating domain, which drops it;
//! * an audited report (bits 1 and 2) adds the subject's trace.
//!
//! [`build_report`] returns `None` when no recipient is to be reported.
//!
//! # Never about a report
//!
//! A report is never generated about a report: a report that cannot be transferred or
//! delivered is discarded, or reports could chase one another around a loop for ever. The
//! API takes only a message envelope (reports and probes have other envelopes), and the MTA
//! must not call it for reports. Reports about probes are not handled here.
//!
//! # Left out
//!
//! Reports on DL-expanded messages go to the DL expansion point with the originator and DL
//! expansion history; here they go to the originator. No converted encoded information
//! types (we convert nothing), no type-of-MTS-user (public, the default).

mod codes;
#[cfg(test)]
mod tests;

use x400_p1::mta_abstract_service::{
    LastTraceInformation, MessageTransferEnvelope, PerRecipientMessageTransferFields,
    PerRecipientReportTransferFields, Report, ReportTransferContent, ReportTransferEnvelope,
    RoutingAction, TraceInformation,
};
use x400_p1::mts_abstract_service::{
    Content, DeliveryReport, ExtensionField, ExtensionType, GlobalDomainIdentifier, MtsIdentifier,
    NonDeliveryReport, OrName, PerMessageIndicators, PerRecipientIndicators, ReportType,
    StandardExtension, Time,
};
use x400_p1::upper_bounds::UB_SUPPLEMENTARY_INFO_LENGTH;
use x400_p1::{BitString, PrintableString, Validate};

pub use self::codes::{NonDeliveryDiagnosticCode, NonDeliveryReasonCode, Outcome};
use crate::trace::{self, TraceError};

/// Per-recipient-indicators bit `responsibility(0)`: this MTA is responsible for the
/// recipient (X.411 §12.2.1.1.1.6).
const RESPONSIBILITY: usize = 0;
/// Bit `originating-MTA-report(1)`.
const ORIGINATING_MTA_REPORT: usize = 1;
/// Bit `originating-MTA-non-delivery-report(2)`.
const ORIGINATING_MTA_NON_DELIVERY_REPORT: usize = 2;
/// Bit `originator-report(3)`.
const ORIGINATOR_REPORT: usize = 3;
/// Bit `originator-non-delivery-report(4)`.
const ORIGINATOR_NON_DELIVERY_REPORT: usize = 4;

/// Who makes the report, under which identifier, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOrigin {
    /// Our domain's global domain identifier: the report's trace element, and the domain
    /// whose arrival time the per-recipient entries give.
    pub domain: GlobalDomainIdentifier,
    /// The report's own MTS identifier, assigned in our domain.
    pub report_identifier: MtsIdentifier,
    /// Now: when the report is made (its trace's arrival time).
    pub now: Time,
}

/// Why no report could be built. Each is a mistake of the caller or an unreadable subject
/// message, never a reason to skip reporting silently.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// An outcome names a recipient the message does not have.
    #[error("recipient index {index} is out of range: the message has {recipients} recipients")]
    NoSuchRecipient {
        /// The index given (0-based, into `per-recipient-fields`).
        index: usize,
        /// Recipients in the message.
        recipients: usize,
    },
    /// Two outcomes for the same recipient.
    #[error("recipient {index} has two outcomes")]
    DuplicateRecipient {
        /// The index given twice.
        index: usize,
    },
    /// An outcome for a recipient whose responsibility bit is clear: another copy of the
    /// message serves it, and that copy's MTA reports on it.
    #[error("recipient {index} is not ours to report on: its responsibility bit is clear")]
    NotResponsible {
        /// The recipient's index.
        index: usize,
    },
    /// Supplementary information that is empty, longer than ub-supplementary-info-length
    /// (256) or not PrintableString.
    #[error("the supplementary information for recipient {index} {problem}")]
    SupplementaryInformation {
        /// The recipient's index.
        index: usize,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The report identifier was not assigned in our domain.
    #[error("the report identifier names another domain than ours")]
    ForeignReportIdentifier,
    /// A time cannot be a UTCTime, or (never with a valid subject) our trace element does
    /// not fit.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A per-recipient redirection-history extension of the subject cannot be decoded.
    #[error("the subject's redirection-history for recipient {index} cannot be read: {source}")]
    RedirectionHistory {
        /// The recipient's index.
        index: usize,
        /// The decoding error.
        source: x400_p1::Error,
    },
    /// The report breaks an X.411 bound or rule: the subject carried a value the report
    /// cannot (e.g. an empty trace).
    #[error("the report breaks an X.411 bound or rule: {0}")]
    Invalid(x400_p1::Error),
}

/// The report about the message with envelope `subject`, given what became of some of its
/// recipients: `outcomes` pairs an index into the envelope's `per-recipient-fields` (0-based)
/// with its outcome. `returned_content` is the message's content, returned only if the
/// originator asked for it and a non-delivery is reported.
///
/// `None` when no recipient is to be reported (see the module documentation). The report
/// validates ([`Validate`]) and encodes with [`x400_p1::encode`] as
/// [`x400_p1::mta_abstract_service::MtsApdu::Report`].
///
/// # Errors
///
/// A [`ReportError`] for an index out of range or given twice, a recipient we are not
/// responsible for, bad supplementary information, a report identifier of another domain,
/// a time outside 1970-2069, or a subject whose fields the report cannot carry.
pub fn build_report(
    subject: &MessageTransferEnvelope,
    outcomes: &[(usize, Outcome)],
    origin: &ReportOrigin,
    returned_content: Option<&Content>,
) -> Result<Option<Report>, ReportError> {
    if !trace::same_domain(
        &origin.report_identifier.global_domain_identifier,
        &origin.domain,
    ) {
        return Err(ReportError::ForeignReportIdentifier);
    }
    let now = trace::time_from(origin.now)?;
    let arrival = trace::arrival_time(&subject.trace_information, &origin.domain).unwrap_or(now);

    let mut order: Vec<&(usize, Outcome)> = outcomes.iter().collect();
    order.sort_by_key(|(index, _)| *index);
    for pair in order.windows(2) {
        if let [(a, _), (b, _)] = pair
            && a == b
        {
            return Err(ReportError::DuplicateRecipient { index: *a });
        }
    }

    let recipients = subject.per_recipient_fields.len();
    let mut entries = Vec::new();
    let mut audited = false;
    let mut non_delivery = false;
    for &(index, ref outcome) in order {
        let fields = subject
            .per_recipient_fields
            .get(index)
            .ok_or(ReportError::NoSuchRecipient { index, recipients })?;
        let indicators = &fields.per_recipient_indicators;
        if !bit(indicators, RESPONSIBILITY) {
            return Err(ReportError::NotResponsible { index });
        }
        if !wanted(indicators, outcome) {
            continue;
        }
        audited |= bit(indicators, ORIGINATING_MTA_REPORT)
            && bit(indicators, ORIGINATING_MTA_NON_DELIVERY_REPORT);
        non_delivery |= !outcome.is_delivered();
        entries.push(entry(index, fields, outcome, arrival)?);
    }
    if entries.is_empty() {
        return Ok(None);
    }

    let mut trace_information = TraceInformation::default();
    trace::add_trace(
        &mut trace_information,
        &origin.domain,
        now,
        RoutingAction::Relayed,
    )?;
    let content_return_requested = subject
        .per_message_indicators
        .as_ref()
        .is_some_and(|p| p.get(PerMessageIndicators::CONTENT_RETURN_REQUEST));
    let correlator: Vec<ExtensionField> = subject
        .extensions
        .iter()
        .flatten()
        .filter(|e| is_standard(e, StandardExtension::CONTENT_CORRELATOR))
        .cloned()
        .collect();
    let report = Report {
        envelope: ReportTransferEnvelope {
            report_identifier: origin.report_identifier.clone(),
            report_destination_name: subject.originator_name.clone(),
            trace_information,
            extensions: None,
        },
        content: ReportTransferContent {
            subject_identifier: subject.message_identifier.clone(),
            subject_intermediate_trace_information: (audited
                && !subject.trace_information.0.is_empty())
            .then(|| subject.trace_information.clone()),
            original_encoded_information_types: subject.original_encoded_information_types.clone(),
            content_type_built_in: subject.content_type_built_in,
            content_type_extended: subject.content_type_extended.clone(),
            content_identifier: subject.content_identifier.clone(),
            returned_content: returned_content
                .filter(|_| non_delivery && content_return_requested)
                .cloned(),
            additional_information: None,
            extensions: (!correlator.is_empty()).then_some(correlator),
            per_recipient_fields: entries,
        },
    };
    report.validate().map_err(ReportError::Invalid)?;
    Ok(Some(report))
}

/// Whether a recipient with these indicators is reported for `outcome` (see the module
/// documentation).
fn wanted(indicators: &PerRecipientIndicators, outcome: &Outcome) -> bool {
    if outcome.is_delivered() {
        bit(indicators, ORIGINATING_MTA_REPORT) || bit(indicators, ORIGINATOR_REPORT)
    } else {
        (ORIGINATING_MTA_REPORT..=ORIGINATOR_NON_DELIVERY_REPORT).any(|n| bit(indicators, n))
    }
}

/// The report's entry for recipient `index`.
fn entry(
    index: usize,
    fields: &PerRecipientMessageTransferFields,
    outcome: &Outcome,
    arrival: Time,
) -> Result<PerRecipientReportTransferFields, ReportError> {
    let (report_type, supplementary) = match outcome {
        Outcome::Delivered { at } => (
            ReportType::Delivery(DeliveryReport {
                message_delivery_time: trace::time_from(*at)?,
                type_of_mts_user: None,
            }),
            None,
        ),
        Outcome::NotDelivered {
            reason,
            diagnostic,
            supplementary,
        } => (
            ReportType::NonDelivery(NonDeliveryReport {
                non_delivery_reason_code: reason.0,
                non_delivery_diagnostic_code: diagnostic.map(|d| d.0),
            }),
            supplementary
                .as_deref()
                .map(|s| supplementary_information(index, s))
                .transpose()?,
        ),
    };
    let (intended, redirections) = redirection(index, fields)?;
    Ok(PerRecipientReportTransferFields {
        actual_recipient_name: fields.recipient_name.clone(),
        originally_specified_recipient_number: fields.originally_specified_recipient_number,
        per_recipient_indicators: fields.per_recipient_indicators.clone(),
        last_trace_information: LastTraceInformation {
            arrival_time: arrival,
            converted_encoded_information_types: None,
            report_type,
        },
        originally_intended_recipient_name: intended,
        supplementary_information: supplementary,
        extensions: (!redirections.is_empty()).then_some(redirections),
    })
}

/// For an alternate recipient (the subject's per-recipient fields carry a redirection
/// history): the originally intended recipient, the first one redirected, and the
/// redirection-history extensions to copy into the report.
fn redirection(
    index: usize,
    fields: &PerRecipientMessageTransferFields,
) -> Result<(Option<OrName>, Vec<ExtensionField>), ReportError> {
    let mut intended = None;
    let mut copied = Vec::new();
    for e in fields.extensions.iter().flatten() {
        if !is_standard(e, StandardExtension::REDIRECTION_HISTORY) {
            continue;
        }
        let history = e
            .standard()
            .map_err(|source| ReportError::RedirectionHistory { index, source })?;
        if let Some(StandardExtension::RedirectionHistory(h)) = history
            && intended.is_none()
        {
            intended = h
                .first()
                .map(|r| r.intended_recipient_name.intended_recipient.clone());
        }
        copied.push(e.clone());
    }
    Ok((intended, copied))
}

/// Supplementary information as a PrintableString of 1 to ub-supplementary-info-length
/// characters.
fn supplementary_information(index: usize, text: &str) -> Result<PrintableString, ReportError> {
    let problem = if text.is_empty() {
        Some("is empty")
    } else if text.len() > UB_SUPPLEMENTARY_INFO_LENGTH {
        Some("is longer than ub-supplementary-info-length (256 characters)")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(ReportError::SupplementaryInformation { index, problem });
    }
    PrintableString::from_bytes(text.as_bytes()).map_err(|_| {
        ReportError::SupplementaryInformation {
            index,
            problem: "has characters PrintableString does not allow",
        }
    })
}

fn is_standard(e: &ExtensionField, number: u32) -> bool {
    e.r#type == ExtensionType::StandardExtension(number)
}

fn bit(bits: &BitString, n: usize) -> bool {
    bits.get(n).is_some_and(|b| *b)
}
