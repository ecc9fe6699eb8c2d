//! The delivery record: the readable envelope written beside each delivered message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use x400_p1::mta_abstract_service::{MessageTransferEnvelope, RoutingAction};
use x400_p1::mts_abstract_service::{
    BuiltInStandardAttributes, ContentType, GlobalDomainIdentifier, MtsIdentifier, OrName,
};
use x400_p1::or_address_text;

use crate::routing::NoSuchRecipient;

/// What a domain did with the message (X.411 `routing-action` of a trace element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TraceAction {
    /// `relayed(0)`.
    Relayed,
    /// `rerouted(1)`.
    Rerouted,
}

impl From<RoutingAction> for TraceAction {
    fn from(a: RoutingAction) -> Self {
        match a {
            RoutingAction::Relayed => Self::Relayed,
            RoutingAction::Rerouted => Self::Rerouted,
        }
    }
}

/// One domain the message passed through (an X.411 `TraceInformationElement`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// The domain, as its global domain identifier in text (`C=GB;ADMD= ;PRMD=ACME`).
    pub domain: String,
    /// When the message arrived in the domain (RFC 3339 in the JSON).
    pub arrival_time: DateTime<Utc>,
    /// What the domain did with it.
    pub action: TraceAction,
}

/// What is known of a delivered message, written as JSON beside its content.
///
/// O/R addresses are in the text form of `x400_p1::or_address_text`; times are UTC, RFC 3339
/// in the JSON (`2023-11-14T22:13:20Z`). The content type is the built-in number (`22` for
/// IPM 1988, `2` for IPM 1984) or the dotted object identifier of an extended content type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeliveryRecord {
    /// The originator's O/R address.
    pub originator: String,
    /// The recipients delivered to in this mailbox, as the envelope names them.
    pub recipients: Vec<String>,
    /// The content type.
    pub content_type: String,
    /// The message identifier: `[global domain identifier]local-identifier`.
    pub mts_identifier: String,
    /// The domains the message passed through, first first.
    pub trace: Vec<TraceEntry>,
    /// When the message arrived here.
    pub arrival_time: DateTime<Utc>,
    /// The length of the content in octets (set by the delivery to what it wrote).
    pub content_length: u64,
}

impl DeliveryRecord {
    /// A record with no trace and no content yet.
    #[must_use]
    pub fn new(
        originator: impl Into<String>,
        recipients: Vec<String>,
        content_type: impl Into<String>,
        mts_identifier: impl Into<String>,
        arrival_time: DateTime<Utc>,
    ) -> Self {
        Self {
            originator: originator.into(),
            recipients,
            content_type: content_type.into(),
            mts_identifier: mts_identifier.into(),
            trace: Vec::new(),
            arrival_time,
            content_length: 0,
        }
    }

    /// The record of a message for the recipients at these indices of its per-recipient
    /// fields, arrived at `arrival_time`.
    ///
    /// # Errors
    ///
    /// [`NoSuchRecipient`] for an index past the last recipient.
    pub fn from_envelope(
        envelope: &MessageTransferEnvelope,
        recipients: &[usize],
        arrival_time: DateTime<Utc>,
    ) -> Result<Self, NoSuchRecipient> {
        let fields = &envelope.per_recipient_fields;
        let recipients = recipients
            .iter()
            .map(|&index| {
                fields
                    .get(index)
                    .map(|f| or_address_text::render(&f.recipient_name))
                    .ok_or(NoSuchRecipient {
                        index,
                        recipients: fields.len(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut record = Self::new(
            or_address_text::render(&envelope.originator_name),
            recipients,
            envelope
                .content_type()
                .map_or_else(String::new, |c| content_type_text(&c)),
            mts_identifier_text(&envelope.message_identifier),
            arrival_time,
        );
        record.trace = envelope
            .trace_information
            .0
            .iter()
            .map(|t| TraceEntry {
                domain: domain_text(&t.global_domain_identifier),
                arrival_time: t.domain_supplied_information.arrival_time,
                action: t.domain_supplied_information.routing_action.into(),
            })
            .collect();
        Ok(record)
    }
}

/// A content type as text: the built-in number, or the extended type's dotted identifier.
#[must_use]
pub fn content_type_text(c: &ContentType) -> String {
    match c {
        ContentType::BuiltIn(b) => b.0.to_string(),
        ContentType::Extended(oid) => oid.to_string(),
    }
}

/// A global domain identifier as the text O/R address of its attributes
/// (`C=GB;ADMD= ;PRMD=ACME`).
#[must_use]
pub fn domain_text(gdi: &GlobalDomainIdentifier) -> String {
    or_address_text::render(&OrName {
        built_in_standard_attributes: BuiltInStandardAttributes {
            country_name: Some(gdi.country_name.clone()),
            administration_domain_name: Some(gdi.administration_domain_name.clone()),
            private_domain_name: gdi.private_domain_identifier.clone(),
            ..BuiltInStandardAttributes::default()
        },
        ..OrName::default()
    })
}

/// An MTS identifier as `[C=GB;ADMD= ;PRMD=ACME]local-identifier`.
#[must_use]
pub fn mts_identifier_text(id: &MtsIdentifier) -> String {
    format!(
        "[{}]{}",
        domain_text(&id.global_domain_identifier),
        String::from_utf8_lossy(id.local_identifier.as_iso646_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::fixtures::{envelope, indicators};
    use x400_p1::or_address_text::parse;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_record_from_an_envelope() {
        let e = envelope(vec![
            (parse("C=GB;S=A").unwrap(), indicators(0xA8, 8)),
            (
                parse("C=GB;ADMD= ;PRMD=ACME;S=Jones").unwrap(),
                indicators(0xA8, 8),
            ),
        ]);
        let r = DeliveryRecord::from_envelope(&e, &[1], at(1_700_000_100)).unwrap();
        assert_eq!(r.originator, "C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith");
        assert_eq!(r.recipients, ["C=GB;ADMD= ;PRMD=ACME;S=Jones"]);
        assert_eq!(r.content_type, "22");
        assert_eq!(r.mts_identifier, "[C=GB;ADMD= ;PRMD=ACME]id-1");
        assert_eq!(
            r.trace,
            [TraceEntry {
                domain: "C=GB;ADMD= ;PRMD=ACME".into(),
                arrival_time: at(1_700_000_000),
                action: TraceAction::Relayed,
            }]
        );
        assert_eq!(
            DeliveryRecord::from_envelope(&e, &[2], at(0)),
            Err(NoSuchRecipient {
                index: 2,
                recipients: 2
            })
        );
    }

    #[test]
    fn the_json_is_readable_and_reads_back() {
        let e = envelope(vec![(parse("C=GB;S=A").unwrap(), indicators(0xA8, 8))]);
        let mut r = DeliveryRecord::from_envelope(&e, &[0], at(1_700_000_100)).unwrap();
        r.content_length = 42;
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"originator":"C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith","#,
                r#""recipients":["C=GB;S=A"],"content_type":"22","#,
                r#""mts_identifier":"[C=GB;ADMD= ;PRMD=ACME]id-1","#,
                r#""trace":[{"domain":"C=GB;ADMD= ;PRMD=ACME","#,
                r#""arrival_time":"2023-11-14T22:13:20Z","action":"relayed"}],"#,
                r#""arrival_time":"2023-11-14T22:15:00Z","content_length":42}"#
            )
        );
        assert_eq!(serde_json::from_str::<DeliveryRecord>(&json).unwrap(), r);
        // A time written with an offset reads as the same instant.
        let shifted = json.replace("2023-11-14T22:15:00Z", "2023-11-15T00:15:00+02:00");
        assert_eq!(serde_json::from_str::<DeliveryRecord>(&shifted).unwrap(), r);
    }

    #[test]
    fn extended_content_types_are_dotted() {
        let oid = x400_p1::ObjectIdentifier::new(vec![2, 6, 1, 10, 0]).unwrap();
        assert_eq!(content_type_text(&ContentType::Extended(oid)), "2.6.1.10.0");
    }
}
