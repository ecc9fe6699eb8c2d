//! Trace information (X.411, `TraceInformation` in module `MTAAbstractService`): one element
//! per domain the PDU passed through.

use alloc::vec::Vec;

use rasn::prelude::*;

use crate::mts_abstract_service::{EncodedInformationTypes, GlobalDomainIdentifier, Time};
use crate::upper_bounds::*;
use crate::validate::{Validate, within};

/// `TraceInformation ::= [APPLICATION 9] SEQUENCE SIZE (1..ub-transfers) OF TraceInformationElement`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Default)]
#[rasn(delegate, tag(application, 9))]
pub struct TraceInformation(pub Vec<TraceInformationElement>);

/// `TraceInformationElement ::= SEQUENCE { global-domain-identifier, domain-supplied-information }`
/// (1984: `SEQUENCE { domainid, domaininfo }`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct TraceInformationElement {
    /// `global-domain-identifier` (1984: `domainid`).
    pub global_domain_identifier: GlobalDomainIdentifier,
    /// `domain-supplied-information` (1984: `domaininfo`).
    pub domain_supplied_information: DomainSuppliedInformation,
}

/// `DomainSuppliedInformation ::= SET { arrival-time [0], routing-action [2], attempted-domain OPTIONAL,
/// deferred-time [1] OPTIONAL, converted-encoded-information-types OPTIONAL, other-actions [3] DEFAULT {} }`
/// (1984: `DomainSuppliedInfo { arrival, deferred, action, converted, previous }`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct DomainSuppliedInformation {
    /// `arrival-time [0]` (1984: `arrival`).
    #[rasn(tag(context, 0))]
    pub arrival_time: Time,
    /// `routing-action [2]` (1984: `action`).
    #[rasn(tag(context, 2))]
    pub routing_action: RoutingAction,
    /// `attempted-domain` (1984: `previous`).
    pub attempted_domain: Option<GlobalDomainIdentifier>,
    /// `deferred-time [1]` (1984: `deferred`).
    #[rasn(tag(context, 1))]
    pub deferred_time: Option<Time>,
    /// `converted-encoded-information-types` (1984: `converted`).
    pub converted_encoded_information_types: Option<EncodedInformationTypes>,
    /// `other-actions [3]`: redirected(0), dl-operation(1) (1988).
    #[rasn(tag(context, 3))]
    pub other_actions: Option<BitString>,
}

/// `RoutingAction ::= ENUMERATED { relayed(0), rerouted(1) }` (1984: INTEGER, same octets).
#[derive(AsnType, Decode, Encode, Debug, Clone, Copy, PartialEq, Eq)]
#[rasn(enumerated)]
pub enum RoutingAction {
    /// `relayed(0)`.
    Relayed = 0,
    /// `rerouted(1)`.
    Rerouted = 1,
}

impl Validate for TraceInformation {
    fn validate(&self) -> crate::Result<()> {
        within(
            "trace-information",
            "ub-transfers",
            1,
            UB_TRANSFERS,
            self.0.len(),
        )?;
        self.0.validate()
    }
}

impl Validate for TraceInformationElement {
    fn validate(&self) -> crate::Result<()> {
        self.global_domain_identifier.validate()?;
        let d = &self.domain_supplied_information;
        d.attempted_domain.validate()?;
        d.converted_encoded_information_types.validate()?;
        within(
            "other-actions",
            "ub-bit-options",
            0,
            UB_BIT_OPTIONS,
            d.other_actions.as_ref().map_or(0, BitString::len),
        )
    }
}
