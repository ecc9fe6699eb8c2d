//! Submission through the API: a P1 envelope built from O/R addresses in text form and the
//! content octets, queued exactly like a message that arrived from a peer.
//!
//! The content is given in memory ([`Submission::content`], with [`Mta::submit`]) or read from
//! a reader to its end ([`Mta::submit_from`]): either way it goes through the store's
//! [`SpoolWriter`](crate::store::SpoolWriter) in chunks of [`SUBMIT_CHUNK`] octets, so a
//! message read from a file of any size needs bounded memory.
//!
//! [`Mta::submit`]: super::Mta::submit
//! [`Mta::submit_from`]: super::Mta::submit_from

use std::io::{self, Read};
use std::sync::Arc;
use std::time::SystemTime;

use x400_p1::BitString;
use x400_p1::mta_abstract_service::{
    DomainSuppliedInformation, MessageTransferEnvelope, PerRecipientMessageTransferFields,
    RoutingAction, TraceInformation, TraceInformationElement,
};
use x400_p1::mts_abstract_service::BuiltInContentType;
use x400_p1::or_address_text::parse;

use super::Inner;
use crate::mailbox::mts_identifier_text;
use crate::store::{Accepted, Content, Store};
use crate::trace::time_from;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submission {
    /// The originator's O/R address as text (`C=GB;ADMD= ;PRMD=ACME;S=Smith`).
    pub originator: String,
    /// The recipients' O/R addresses as text, at least one.
    pub recipients: Vec<String>,
    /// The built-in content type (X.411): 2 for a 1984 IPM (P2), 22 for a 1988 IPM (P22).
    pub content_type: u32,
    /// The content octets (for an IPM, its BER). Empty with
    /// [`Mta::submit_from`](super::Mta::submit_from), which reads them from its reader.
    pub content: Vec<u8>,
    /// Ask for a delivery report for every recipient (a non-delivery is always reported).
    pub delivery_report: bool,
}

impl Submission {
    /// An IPM (content type 22) from `originator` to `recipients`, no delivery report.
    #[must_use]
    pub fn new(originator: &str, recipients: &[&str], content: Vec<u8>) -> Self {
        Self {
            originator: originator.into(),
            recipients: recipients.iter().map(|r| (*r).to_string()).collect(),
            content_type: BuiltInContentType::INTERPERSONAL_MESSAGING_1988.0,
            content,
            delivery_report: false,
        }
    }
}

/// Why a submission was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// An O/R address does not parse.
    #[error("{role} address {text:?}: {why}")]
    Address {
        /// `originator` or `recipient`.
        role: &'static str,
        /// The address.
        text: String,
        /// What is wrong.
        why: String,
    },
    /// No recipient.
    #[error("a message needs at least one recipient")]
    NoRecipient,
    /// The envelope does not encode within X.411's bounds.
    #[error("the envelope is not valid: {0}")]
    Envelope(String),
    /// The store cannot take it (a full disk): nothing was queued.
    #[error("the queue cannot take the message: {0}")]
    Store(String),
    /// The content reader failed, or [`Mta::submit_from`](super::Mta::submit_from) was given
    /// content in the submission too: nothing was queued.
    #[error("the content cannot be read: {0}")]
    Content(String),
}

/// Octets of content read and written to the spool at a time.
pub const SUBMIT_CHUNK: usize = 64 << 10;

/// Per-recipient indicators (X.411 12.2.1.1.1.6 and 8.2.1.1.1.x): responsibility(0),
/// originating-MTA-report(1), originating-MTA-non-delivery-report(2), originator-report(3),
/// originator-non-delivery-report(4), in one octet. A delivery report is asked with bits 1
/// and 3; a non-delivery report always with bits 2 and 4.
fn indicators(delivery_report: bool) -> BitString {
    let bits: u8 = if delivery_report {
        0b1111_1000
    } else {
        0b1010_1000
    };
    BitString::from_slice(&[bits])
}

impl Inner {
    /// Builds, routes and stores a submitted message whose content `content` reads (the
    /// submission's own content is not looked at); returns its MTS identifier. Blocking.
    pub(super) fn submit(
        self: &Arc<Self>,
        s: &Submission,
        content: &mut dyn Read,
    ) -> Result<String, SubmitError> {
        if s.recipients.is_empty() {
            return Err(SubmitError::NoRecipient);
        }
        let originator = parse(&s.originator).map_err(|e| SubmitError::Address {
            role: "originator",
            text: s.originator.clone(),
            why: e.to_string(),
        })?;
        let mut fields = Vec::with_capacity(s.recipients.len());
        for (n, text) in (1u32..).zip(&s.recipients) {
            let name = parse(text).map_err(|e| SubmitError::Address {
                role: "recipient",
                text: text.clone(),
                why: e.to_string(),
            })?;
            fields.push(PerRecipientMessageTransferFields {
                recipient_name: name,
                originally_specified_recipient_number: n,
                per_recipient_indicators: indicators(s.delivery_report),
                explicit_conversion: None,
                extensions: None,
            });
        }
        let now = SystemTime::now();
        let arrival = time_from(now).map_err(|e| SubmitError::Envelope(e.to_string()))?;
        let envelope = MessageTransferEnvelope {
            message_identifier: self.new_mts_id(),
            originator_name: originator,
            original_encoded_information_types: None,
            content_type_built_in: Some(BuiltInContentType(s.content_type)),
            content_type_extended: None,
            content_identifier: None,
            priority: None,
            per_message_indicators: None,
            deferred_delivery_time: None,
            per_domain_bilateral_information: None,
            // The originating domain's own element (X.411 12.2.1.1.1.x trace-information:
            // SIZE (1..ub-transfers), so it is never empty).
            trace_information: TraceInformation(vec![TraceInformationElement {
                global_domain_identifier: self.config.domain.clone(),
                domain_supplied_information: DomainSuppliedInformation {
                    arrival_time: arrival,
                    routing_action: RoutingAction::Relayed,
                    attempted_domain: None,
                    deferred_time: None,
                    converted_encoded_information_types: None,
                    other_actions: None,
                },
            }]),
            extensions: None,
            per_recipient_fields: fields,
        };
        x400_p1::Validate::validate(&envelope).map_err(|e| SubmitError::Envelope(e.to_string()))?;
        let id = mts_identifier_text(&envelope.message_identifier);
        let (content, too_large) = self.spool(content)?;
        let (message, reports) = self
            .admit_message(None, &envelope, content, too_large, now)
            .map_err(|e| SubmitError::Envelope(e.to_string()))?;
        match self.store.accept(message, reports) {
            Ok(Accepted::New(n)) => {
                tracing::info!("mta queue: message {id} submitted as {n}");
                Ok(id)
            }
            Ok(Accepted::Duplicate) => Ok(id),
            Err(e) => Err(SubmitError::Store(e.to_string())),
        }
    }

    /// Writes the content to the store in chunks. Content over
    /// [`MtaConfig::max_content`](super::MtaConfig::max_content) is not kept, nor read
    /// further: the message is queued without it and every recipient is reported on with
    /// unable-to-transfer, content-too-long (X.411 §8.3.1.2.1), as one arriving from a peer.
    fn spool(&self, from: &mut dyn Read) -> Result<(Content, bool), SubmitError> {
        let store = |e: crate::store::StoreError| SubmitError::Store(e.to_string());
        let mut w = self.store.content_writer();
        let mut buf = vec![0u8; SUBMIT_CHUNK];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(SubmitError::Content(e.to_string())),
            };
            if w.len() + n as u64 > self.config.max_content {
                // Dropping the writer removes what was spooled.
                return Ok((Content::Inline(Vec::new()), true));
            }
            w.write(buf.get(..n).unwrap_or_default()).map_err(store)?;
        }
        Ok((w.finish().map_err(store)?, false))
    }
}
