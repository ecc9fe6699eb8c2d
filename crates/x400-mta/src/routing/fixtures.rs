//! Envelopes for the tests of routing and delivery.

use x400_p1::BitString;
use x400_p1::mta_abstract_service::{
    DomainSuppliedInformation, MessageTransferEnvelope, PerRecipientMessageTransferFields,
    RoutingAction, TraceInformation, TraceInformationElement,
};
use x400_p1::mts_abstract_service::{
    AdministrationDomainName, BuiltInContentType, CountryName, GlobalDomainIdentifier,
    MtsIdentifier, OrName, PrivateDomainName,
};
use x400_p1::{Ia5String, PrintableString};

/// Indicators of `len` bits from the first octet `first` (bit 0 = its top bit).
pub(crate) fn indicators(first: u8, len: usize) -> BitString {
    let mut b = BitString::from_slice(&[first, 0]);
    b.truncate(len);
    b
}

/// A message `[C=GB;ADMD= ;PRMD=ACME]id-1` from `C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith`,
/// IPM 1988, with one trace element (ACME, relayed at 2023-11-14T22:13:20Z) and these
/// recipients, numbered from 1.
pub(crate) fn envelope(recipients: Vec<(OrName, BitString)>) -> MessageTransferEnvelope {
    let gdi = GlobalDomainIdentifier {
        country_name: CountryName::Iso3166Alpha2Code(PrintableString::from_bytes(b"GB").unwrap()),
        administration_domain_name: AdministrationDomainName::Printable(
            PrintableString::from_bytes(b" ").unwrap(),
        ),
        private_domain_identifier: Some(PrivateDomainName::Printable(
            PrintableString::from_bytes(b"ACME").unwrap(),
        )),
    };
    MessageTransferEnvelope {
        message_identifier: MtsIdentifier {
            global_domain_identifier: gdi.clone(),
            local_identifier: Ia5String::try_from("id-1").unwrap(),
        },
        originator_name: x400_p1::or_address_text::parse("C=GB;ADMD= ;PRMD=ACME;O=ACME;S=Smith")
            .unwrap(),
        original_encoded_information_types: None,
        content_type_built_in: Some(BuiltInContentType::INTERPERSONAL_MESSAGING_1988),
        content_type_extended: None,
        content_identifier: None,
        priority: None,
        per_message_indicators: None,
        deferred_delivery_time: None,
        per_domain_bilateral_information: None,
        trace_information: TraceInformation(vec![TraceInformationElement {
            global_domain_identifier: gdi,
            domain_supplied_information: DomainSuppliedInformation {
                arrival_time: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                routing_action: RoutingAction::Relayed,
                attempted_domain: None,
                deferred_time: None,
                converted_encoded_information_types: None,
                other_actions: None,
            },
        }]),
        extensions: None,
        per_recipient_fields: recipients
            .into_iter()
            .zip(1..)
            .map(|((name, bits), n)| PerRecipientMessageTransferFields {
                recipient_name: name,
                originally_specified_recipient_number: n,
                per_recipient_indicators: bits,
                explicit_conversion: None,
                extensions: None,
            })
            .collect(),
    }
}
