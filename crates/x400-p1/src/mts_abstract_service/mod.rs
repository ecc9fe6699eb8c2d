//! X.411 module `MTSAbstractService`: the types the MTS abstract service defines and the
//! transfer protocol reuses (O/R names, identifiers, encoded information types, content types,
//! priority, indicators, report types, extension fields).
//!
//! The module is `DEFINITIONS IMPLICIT TAGS`: tags are implicit except on CHOICE and open
//! types, which X.680 makes explicit.

mod encoded_information_types;
mod extensions;
mod or_name;

use rasn::prelude::*;

pub use self::encoded_information_types::*;
pub use self::extensions::*;
pub(crate) use self::or_name::chars;
pub use self::or_name::*;
use crate::upper_bounds::*;
use crate::validate::{Validate, value_within, within};

/// `Time ::= UTCTime`. Decoding accepts `YYMMDDhhmm[ss]` with `Z` or an offset; encoding writes
/// `YYMMDDhhmmssZ`. Two-digit years 70-99 are 1970-1999 and 00-69 are 2000-2069 (rasn's rule;
/// X.411 (1984) sets none), so only 1970-2069 survive a round trip.
pub type Time = UtcTime;

/// `Content ::= OCTET STRING`: the BER octets of the content (e.g. a P2 IPM), not decoded here.
pub type Content = OctetString;

/// `BuiltInContentType ::= [APPLICATION 6] INTEGER (0..ub-built-in-content-type)`
/// (1984: `ContentType`, where only `p2(2)` is defined).
#[derive(AsnType, Decode, Encode, Debug, Clone, Copy, PartialEq, Eq)]
#[rasn(delegate, tag(application, 6))]
pub struct BuiltInContentType(pub u32);

impl BuiltInContentType {
    /// `unidentified(0)`.
    pub const UNIDENTIFIED: Self = Self(0);
    /// `external(1)`.
    pub const EXTERNAL: Self = Self(1);
    /// `interpersonal-messaging-1984(2)` (1984: `p2`).
    pub const INTERPERSONAL_MESSAGING_1984: Self = Self(2);
    /// `interpersonal-messaging-1988(22)`.
    pub const INTERPERSONAL_MESSAGING_1988: Self = Self(22);
    /// `edi-messaging(35)`.
    pub const EDI_MESSAGING: Self = Self(35);
    /// `voice-messaging(40)`.
    pub const VOICE_MESSAGING: Self = Self(40);
}

impl Validate for BuiltInContentType {
    fn validate(&self) -> crate::Result<()> {
        value_within(
            "built-in content-type",
            "ub-built-in-content-type",
            0,
            UB_BUILT_IN_CONTENT_TYPE,
            self.0.into(),
        )
    }
}

/// `ExtendedContentType ::= OBJECT IDENTIFIER`.
pub type ExtendedContentType = ObjectIdentifier;

/// `ContentType ::= CHOICE { built-in BuiltInContentType, extended ExtendedContentType }`.
///
/// In the envelopes this CHOICE is a member of a SET, which rasn cannot decode; the envelopes
/// therefore hold its two alternatives as two optional fields (same octets on the wire) and
/// offer `content_type()` / `set_content_type()`. Exactly one must be present.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum ContentType {
    /// `built-in`.
    BuiltIn(BuiltInContentType),
    /// `extended`.
    Extended(ExtendedContentType),
}

/// The one present alternative of a content type split into two SET members.
pub(crate) fn content_type_of(
    built_in: Option<&BuiltInContentType>,
    extended: Option<&ExtendedContentType>,
) -> Option<ContentType> {
    match (built_in, extended) {
        (Some(b), None) => Some(ContentType::BuiltIn(*b)),
        (None, Some(e)) => Some(ContentType::Extended(e.clone())),
        _ => None,
    }
}

/// Checks that exactly one alternative of a split content type is present.
pub(crate) fn validate_content_type(
    built_in: Option<&BuiltInContentType>,
    extended: Option<&ExtendedContentType>,
    required: bool,
) -> crate::Result<()> {
    match (built_in, extended) {
        (Some(_), Some(_)) => {
            crate::validate::invalid("content-type", "both built-in and extended are present")
        }
        (None, None) if required => crate::validate::invalid("content-type", "missing"),
        _ => built_in.map_or(Ok(()), Validate::validate),
    }
}

/// `ContentIdentifier ::= [APPLICATION 10] PrintableString (SIZE (1..ub-content-id-length))`
/// (1984: `UAContentId`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(delegate, tag(application, 10))]
pub struct ContentIdentifier(pub PrintableString);

impl Validate for ContentIdentifier {
    fn validate(&self) -> crate::Result<()> {
        within(
            "content-identifier",
            "ub-content-id-length",
            1,
            UB_CONTENT_ID_LENGTH,
            chars(&self.0),
        )
    }
}

/// `Priority ::= [APPLICATION 7] ENUMERATED { normal(0), non-urgent(1), urgent(2) }`.
///
/// 1984 declares it `INTEGER` with the same values; with the implicit application tag the
/// octets are the same. Note the order: non-urgent is 1, urgent 2.
#[derive(AsnType, Decode, Encode, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[rasn(enumerated, tag(application, 7))]
pub enum Priority {
    /// `normal(0)`, the default.
    #[default]
    Normal = 0,
    /// `non-urgent(1)`.
    NonUrgent = 1,
    /// `urgent(2)`.
    Urgent = 2,
}

/// Named bits of a BIT STRING; bit 0 is the first (most significant) bit of the first octet.
pub(crate) fn bit(bits: &BitString, n: usize) -> bool {
    bits.get(n).is_some_and(|b| *b)
}

/// Sets bit `n`, growing the string to `min_len` bits (and to `n + 1`) first.
pub(crate) fn set_bit(bits: &mut BitString, n: usize, value: bool, min_len: usize) {
    let len = core::cmp::max(min_len, n + 1);
    if bits.len() < len {
        bits.resize(len, false);
    }
    bits.set(n, value);
}

/// `PerMessageIndicators ::= [APPLICATION 8] BIT STRING (SIZE (0..ub-bit-options))`
/// (1984: `PerMessageFlag`, bits 0 to 3).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Default)]
#[rasn(delegate, tag(application, 8))]
pub struct PerMessageIndicators(pub BitString);

impl PerMessageIndicators {
    /// `disclosure-of-other-recipients(0)` (1984: `discloseRecipients`).
    pub const DISCLOSURE_OF_OTHER_RECIPIENTS: usize = 0;
    /// `implicit-conversion-prohibited(1)` (1984: `conversionProhibited`).
    pub const IMPLICIT_CONVERSION_PROHIBITED: usize = 1;
    /// `alternate-recipient-allowed(2)`.
    pub const ALTERNATE_RECIPIENT_ALLOWED: usize = 2;
    /// `content-return-request(3)`.
    pub const CONTENT_RETURN_REQUEST: usize = 3;
    /// `service-message(7)` (1988).
    pub const SERVICE_MESSAGE: usize = 7;
    /// Names of the defined bits, by bit number.
    pub const NAMES: [(usize, &'static str); 5] = [
        (0, "disclosure-of-other-recipients"),
        (1, "implicit-conversion-prohibited"),
        (2, "alternate-recipient-allowed"),
        (3, "content-return-request"),
        (7, "service-message"),
    ];

    /// Whether bit `n` is set.
    #[must_use]
    pub fn get(&self, n: usize) -> bool {
        bit(&self.0, n)
    }

    /// Sets or clears bit `n`; the string grows to 4 bits at least, as 1984 MTAs send it.
    pub fn set(&mut self, n: usize, value: bool) {
        set_bit(&mut self.0, n, value, 4);
    }
}

impl Validate for PerMessageIndicators {
    fn validate(&self) -> crate::Result<()> {
        within(
            "per-message-indicators",
            "ub-bit-options",
            0,
            UB_BIT_OPTIONS,
            self.0.len(),
        )
    }
}

/// `PerRecipientIndicators ::= BIT STRING (SIZE (8..ub-bit-options))` (1984: `PerRecipientFlag`).
///
/// Bit 0 responsibility, 1 originating-MTA-report, 2 originating-MTA-non-delivery-report,
/// 3 originator-report, 4 originator-non-delivery-report (X.411, module `MTAAbstractService`).
pub type PerRecipientIndicators = BitString;

/// Names of the defined per-recipient indicator bits, by bit number.
pub const PER_RECIPIENT_INDICATOR_NAMES: [(usize, &str); 5] = [
    (0, "responsibility"),
    (1, "originating-MTA-report"),
    (2, "originating-MTA-non-delivery-report"),
    (3, "originator-report"),
    (4, "originator-non-delivery-report"),
];

/// Checks the size of per-recipient indicators (8..=16 bits).
pub(crate) fn validate_per_recipient_indicators(
    bits: &PerRecipientIndicators,
) -> crate::Result<()> {
    within(
        "per-recipient-indicators",
        "ub-bit-options",
        8,
        UB_BIT_OPTIONS,
        bits.len(),
    )
}

/// `ExplicitConversion ::= INTEGER (0..ub-integer-options)` (e.g. `ia5-text-to-teletex(0)`).
pub type ExplicitConversion = u32;

/// `OriginallySpecifiedRecipientNumber ::= INTEGER (1..ub-recipients)` (1984: `ExtensionIdentifier`).
pub type OriginallySpecifiedRecipientNumber = u32;

/// `ContentLength ::= INTEGER (0..ub-content-length)`.
pub type ContentLength = u32;

/// `ReportType ::= CHOICE { delivery [0] DeliveryReport, non-delivery [1] NonDeliveryReport }`
/// (1984: `Report`, with `DeliveredInfo` and `NonDeliveredInfo`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum ReportType {
    /// `delivery [0]`.
    #[rasn(tag(context, 0))]
    Delivery(DeliveryReport),
    /// `non-delivery [1]`.
    #[rasn(tag(context, 1))]
    NonDelivery(NonDeliveryReport),
}

/// `DeliveryReport ::= SET { message-delivery-time [0] Time, type-of-MTS-user [1] TypeOfMTSUser DEFAULT public }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct DeliveryReport {
    /// `message-delivery-time [0]` (1984: `delivery`).
    #[rasn(tag(context, 0))]
    pub message_delivery_time: Time,
    /// `type-of-MTS-user [1]`: public(0), private(1), ms(2), dl(3), pdau(4),
    /// physical-recipient(5), other(6) (1984: `typeOfUA`).
    #[rasn(tag(context, 1))]
    pub type_of_mts_user: Option<u32>,
}

/// `NonDeliveryReport ::= SET { non-delivery-reason-code [0], non-delivery-diagnostic-code [1] OPTIONAL }`.
///
/// Both are plain integers, as PP does for 1984, so 1988 codes pass through a 1984 MTA.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct NonDeliveryReport {
    /// `non-delivery-reason-code [0]` (0 transfer-failure, 1 unable-to-transfer, ...).
    #[rasn(tag(context, 0))]
    pub non_delivery_reason_code: u32,
    /// `non-delivery-diagnostic-code [1]` (0 unrecognised-OR-name, ...).
    #[rasn(tag(context, 1))]
    pub non_delivery_diagnostic_code: Option<u32>,
}

impl Validate for ReportType {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::Delivery(d) => value_within(
                "type-of-MTS-user",
                "ub-mts-user-types",
                0,
                UB_MTS_USER_TYPES,
                d.type_of_mts_user.unwrap_or(0).into(),
            ),
            Self::NonDelivery(n) => {
                let r = n.non_delivery_reason_code.into();
                value_within(
                    "non-delivery-reason-code",
                    "ub-reason-codes",
                    0,
                    UB_REASON_CODES,
                    r,
                )?;
                match n.non_delivery_diagnostic_code {
                    Some(d) => value_within(
                        "non-delivery-diagnostic-code",
                        "ub-diagnostic-codes",
                        0,
                        UB_DIAGNOSTIC_CODES,
                        d.into(),
                    ),
                    None => Ok(()),
                }
            }
        }
    }
}
