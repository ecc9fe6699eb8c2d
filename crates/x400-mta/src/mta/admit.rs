//! Taking a message or report into the queue: each recipient we are responsible for routed,
//! loops and oversize content reported, and the identity that recognises a duplicate.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use x400_p1::mta_abstract_service::{MessageTransferEnvelope, MtsApdu, Report};
use x400_p1::mts_abstract_service::MtsIdentifier;
use x400_p1::or_address_text::render;

use super::Inner;
use crate::mailbox::mts_identifier_text;
use crate::report::{Outcome, ReportOrigin, build_report};
use crate::routing::responsible_recipients;
use crate::store::{Content, Failure, Kind, NewMessage, NewRecipient};
use crate::trace::{is_loop, time_from};

/// Distinguishes identifiers made in the same millisecond by one process.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A failure as the store records it, from the report outcome.
pub(super) fn failure(outcome: &Outcome, words: impl Into<String>) -> Failure {
    let (reason, diagnostic) = match outcome {
        Outcome::NotDelivered {
            reason, diagnostic, ..
        } => (reason.0, diagnostic.map(|d| d.0)),
        Outcome::Delivered { .. } => (0, None),
    };
    Failure {
        reason,
        diagnostic,
        words: words.into(),
    }
}

impl Inner {
    /// A new MTS identifier of our domain: at most 32 IA5 characters (X.411 ub-local-id),
    /// unique across restarts (the time) and within a process (a sequence).
    pub(super) fn new_mts_id(&self) -> MtsIdentifier {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let local = format!("{ms:x}.{:x}.{n:x}", std::process::id());
        MtsIdentifier {
            global_domain_identifier: self.config.domain.clone(),
            local_identifier: x400_p1::Ia5String::try_from(local).unwrap_or_default(),
        }
    }

    /// The queue entry for a complete message from `origin` (a peer; `None` if submitted
    /// here), and the report for its recipients that fail at once.
    pub(super) fn admit_message(
        &self,
        origin: Option<&str>,
        envelope: &MessageTransferEnvelope,
        content: Content,
        too_large: bool,
        now: SystemTime,
    ) -> Result<(NewMessage, Vec<NewMessage>), x400_p1::Error> {
        let ours = responsible_recipients(envelope);
        let mts_id = mts_identifier_text(&envelope.message_identifier);
        let numbers: Vec<String> = ours
            .iter()
            .filter_map(|&i| envelope.per_recipient_fields.get(i))
            .map(|f| f.originally_specified_recipient_number.to_string())
            .collect();
        let dedup = format!("m|{}|{mts_id}|{}", origin.unwrap_or(""), numbers.join(","));
        // Why the whole message fails here, if it does.
        let whole = if too_large {
            Some((
                Outcome::content_too_long(),
                format!(
                    "the content is over this MTA's limit of {} octets",
                    self.config.max_content
                ),
            ))
        } else if is_loop(&envelope.trace_information, &self.config.domain) {
            Some((
                Outcome::loop_detected(),
                "loop detected: our domain has relayed this message before".to_string(),
            ))
        } else {
            None
        };
        let mut recipients = Vec::with_capacity(ours.len());
        let mut failed = Vec::new();
        for &i in &ours {
            let Some(field) = envelope.per_recipient_fields.get(i) else {
                continue;
            };
            let address = render(&field.recipient_name);
            let next = match (&whole, self.config.routes.route(&field.recipient_name)) {
                (Some((outcome, words)), _) => Err((outcome.clone(), words.clone())),
                (None, Some(target)) => Ok(target.clone()),
                (None, None) => Err((Outcome::unroutable(), format!("no route to {address}"))),
            };
            let next = match next {
                Ok(t) => Ok(t),
                Err((outcome, words)) => {
                    tracing::info!("mta queue: message {mts_id}: recipient {address}: {words}");
                    let f = failure(&outcome, words);
                    failed.push((i, outcome));
                    Err(f)
                }
            };
            recipients.push(NewRecipient {
                index: u32::try_from(i).unwrap_or(u32::MAX),
                address,
                next,
            });
        }
        let reports = self.report_on(envelope, &failed, now).into_iter().collect();
        let message = NewMessage {
            kind: Kind::Message,
            mts_id,
            origin: origin.map(str::to_string),
            dedup,
            envelope: x400_p1::encode(envelope)?,
            content,
            arrival: now,
            expires: now + self.config.expiry,
            recipients,
        };
        Ok((message, reports))
    }

    /// The report on `outcomes` of `subject`'s recipients, queued for its destination, if
    /// one is due. A report that cannot be made is logged: the message's own fate is
    /// recorded all the same.
    pub(super) fn report_on(
        &self,
        subject: &MessageTransferEnvelope,
        outcomes: &[(usize, Outcome)],
        now: SystemTime,
    ) -> Option<NewMessage> {
        if outcomes.is_empty() {
            return None;
        }
        let subject_id = mts_identifier_text(&subject.message_identifier);
        let origin = match time_from(now) {
            Ok(t) => ReportOrigin {
                domain: self.config.domain.clone(),
                report_identifier: self.new_mts_id(),
                now: t,
            },
            Err(e) => {
                tracing::error!("mta report: on {subject_id}: {e}");
                return None;
            }
        };
        match build_report(subject, outcomes, &origin, None) {
            Ok(Some(report)) => {
                self.counters.reports.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    "mta report: {} on message {subject_id} for {} recipient(s), to {}",
                    mts_identifier_text(&report.envelope.report_identifier),
                    outcomes.len(),
                    render(&report.envelope.report_destination_name)
                );
                self.admit_report(None, report, now).ok()
            }
            Ok(None) => None,
            Err(e) => {
                tracing::error!("mta report: cannot report on message {subject_id}: {e}");
                None
            }
        }
    }

    /// The queue entry for a report, from `origin` or made here. A report that cannot be
    /// routed fails at once: no report is ever made about a report.
    pub(super) fn admit_report(
        &self,
        origin: Option<&str>,
        report: Report,
        now: SystemTime,
    ) -> Result<NewMessage, x400_p1::Error> {
        let destination = &report.envelope.report_destination_name;
        let address = render(destination);
        let mts_id = mts_identifier_text(&report.envelope.report_identifier);
        let next = match self.config.routes.route(destination) {
            Some(t) => Ok(t.clone()),
            None => {
                let words = format!(
                    "no route to the report's destination {address}; the report is dropped \
                     (a report is never reported on)"
                );
                tracing::warn!("mta queue: report {mts_id}: {words}");
                Err(failure(&Outcome::unroutable(), words))
            }
        };
        let dedup = format!("r|{}|{mts_id}", origin.unwrap_or(""));
        Ok(NewMessage {
            kind: Kind::Report,
            mts_id,
            origin: origin.map(str::to_string),
            dedup,
            envelope: x400_p1::encode(&MtsApdu::Report(report))?,
            content: Content::Inline(Vec::new()),
            arrival: now,
            expires: now + self.config.expiry,
            recipients: vec![NewRecipient {
                index: 0,
                address,
                next,
            }],
        })
    }
}
