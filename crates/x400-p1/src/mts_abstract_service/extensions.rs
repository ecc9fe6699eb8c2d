//! Extension fields (X.411 §9.1; `ExtensionField` in module `MTSAbstractService`): the
//! `[3] SET OF ExtensionField` of envelopes and per-recipient fields, with typed views of the
//! common standard extensions.
//!
//! Every extension stays on the wire exactly as received (type, criticality and the value's
//! BER octets), so extensions this crate does not know are relayed unchanged. The common ones
//! can be read and built through [`StandardExtension`].

use alloc::vec::Vec;

use rasn::prelude::*;

use super::{OrAddress, OrName, Time};
use crate::upper_bounds::*;
use crate::validate::{Validate, within};
use crate::{Error, Result};

/// `ExtensionField ::= SEQUENCE { type ExtensionType, criticality [1] Criticality DEFAULT {}, value [2] ANY DEFAULT NULL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct ExtensionField {
    /// `type`.
    pub r#type: ExtensionType,
    /// `criticality [1]`: bits for-submission(0), for-transfer(1), for-delivery(2).
    #[rasn(tag(context, 1), default)]
    pub criticality: Criticality,
    /// `value [2]`: the BER encoding of the value (explicit tag: an open type); NULL if absent.
    #[rasn(tag(explicit(context, 2)), default = "null_value")]
    pub value: Any,
}

/// The BER encoding of NULL, the DEFAULT of `ExtensionField.value`.
fn null_value() -> Any {
    Any::new(alloc::vec![0x05, 0x00])
}

/// `ExtensionType ::= CHOICE { standard-extension [0] INTEGER, private-extension [3] OBJECT IDENTIFIER }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum ExtensionType {
    /// `standard-extension [0]`: 1..=ub-extension-types.
    #[rasn(tag(context, 0))]
    StandardExtension(u32),
    /// `private-extension [3]`.
    #[rasn(tag(context, 3))]
    PrivateExtension(ObjectIdentifier),
}

/// `Criticality ::= BIT STRING { for-submission(0), for-transfer(1), for-delivery(2) }`.
pub type Criticality = BitString;

/// Bit `for-transfer(1)` of [`Criticality`]: an MTA that does not know the extension must not
/// transfer the message (non-delivery with `unsupported-critical-function`).
pub const CRITICAL_FOR_TRANSFER: usize = 1;

/// `LatestDeliveryTime ::= Time` (standard extension 5).
pub type LatestDeliveryTime = Time;
/// `OriginatorReturnAddress ::= ORAddress` (standard extension 13).
pub type OriginatorReturnAddress = OrAddress;
/// `ContentCorrelator` (standard extension 23): 1988 declares it ANY of at most
/// ub-content-correlator-length octets, 1999 a CHOICE of IA5String and OCTET STRING; kept as BER.
pub type ContentCorrelator = Any;

/// `RedirectionHistory ::= SEQUENCE SIZE (1..ub-redirections) OF Redirection` (standard extension 25).
pub type RedirectionHistory = Vec<Redirection>;

/// `Redirection ::= SEQUENCE { intended-recipient-name IntendedRecipientName, redirection-reason RedirectionReason }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct Redirection {
    /// `intended-recipient-name`.
    pub intended_recipient_name: IntendedRecipientName,
    /// `redirection-reason`.
    pub redirection_reason: RedirectionReason,
}

/// `IntendedRecipientName ::= SEQUENCE { intended-recipient ORAddressAndOptionalDirectoryName, redirection-time Time }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct IntendedRecipientName {
    /// `intended-recipient`.
    pub intended_recipient: OrName,
    /// `redirection-time`.
    pub redirection_time: Time,
}

/// `RedirectionReason ::= ENUMERATED { recipient-assigned-alternate-recipient(0), originator-requested-alternate-recipient(1), recipient-MD-assigned-alternate-recipient(2) }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Copy, PartialEq, Eq)]
#[rasn(enumerated)]
pub enum RedirectionReason {
    /// `recipient-assigned-alternate-recipient(0)`.
    RecipientAssignedAlternateRecipient = 0,
    /// `originator-requested-alternate-recipient(1)`.
    OriginatorRequestedAlternateRecipient = 1,
    /// `recipient-MD-assigned-alternate-recipient(2)`.
    RecipientMdAssignedAlternateRecipient = 2,
}

/// `DLExpansionHistory ::= SEQUENCE SIZE (1..ub-dl-expansions) OF DLExpansion` (standard extension 26).
pub type DlExpansionHistory = Vec<DlExpansion>;

/// `DLExpansion ::= SEQUENCE { dl ORAddressAndOptionalDirectoryName, dl-expansion-time Time }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct DlExpansion {
    /// `dl`: the distribution list that was expanded.
    pub dl: OrName,
    /// `dl-expansion-time`.
    pub dl_expansion_time: Time,
}

/// The standard extensions this crate reads and builds; any other extension stays opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StandardExtension {
    /// `latest-delivery-time` (5).
    LatestDeliveryTime(LatestDeliveryTime),
    /// `originator-return-address` (13), boxed: an O/R address is large.
    OriginatorReturnAddress(alloc::boxed::Box<OriginatorReturnAddress>),
    /// `content-correlator` (23).
    ContentCorrelator(ContentCorrelator),
    /// `redirection-history` (25).
    RedirectionHistory(RedirectionHistory),
    /// `dl-expansion-history` (26).
    DlExpansionHistory(DlExpansionHistory),
}

impl StandardExtension {
    /// `standard-extension:5`.
    pub const LATEST_DELIVERY_TIME: u32 = 5;
    /// `standard-extension:13`.
    pub const ORIGINATOR_RETURN_ADDRESS: u32 = 13;
    /// `standard-extension:23`.
    pub const CONTENT_CORRELATOR: u32 = 23;
    /// `standard-extension:25`.
    pub const REDIRECTION_HISTORY: u32 = 25;
    /// `standard-extension:26`.
    pub const DL_EXPANSION_HISTORY: u32 = 26;

    /// The standard-extension number.
    #[must_use]
    pub fn number(&self) -> u32 {
        match self {
            Self::LatestDeliveryTime(_) => Self::LATEST_DELIVERY_TIME,
            Self::OriginatorReturnAddress(_) => Self::ORIGINATOR_RETURN_ADDRESS,
            Self::ContentCorrelator(_) => Self::CONTENT_CORRELATOR,
            Self::RedirectionHistory(_) => Self::REDIRECTION_HISTORY,
            Self::DlExpansionHistory(_) => Self::DL_EXPANSION_HISTORY,
        }
    }

    /// The name X.411 gives the extension.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::LatestDeliveryTime(_) => "latest-delivery-time",
            Self::OriginatorReturnAddress(_) => "originator-return-address",
            Self::ContentCorrelator(_) => "content-correlator",
            Self::RedirectionHistory(_) => "redirection-history",
            Self::DlExpansionHistory(_) => "dl-expansion-history",
        }
    }
}

impl Validate for StandardExtension {
    fn validate(&self) -> Result<()> {
        match self {
            Self::LatestDeliveryTime(_) => Ok(()),
            Self::OriginatorReturnAddress(a) => a.validate(),
            Self::ContentCorrelator(c) => {
                let n = c.as_bytes().len();
                within(
                    "content-correlator",
                    "ub-content-correlator-length",
                    1,
                    UB_CONTENT_CORRELATOR_LENGTH,
                    n,
                )
            }
            Self::RedirectionHistory(h) => {
                within(
                    "redirection-history",
                    "ub-redirections",
                    1,
                    UB_REDIRECTIONS,
                    h.len(),
                )?;
                h.iter()
                    .try_for_each(|r| r.intended_recipient_name.intended_recipient.validate())
            }
            Self::DlExpansionHistory(h) => {
                within(
                    "dl-expansion-history",
                    "ub-dl-expansions",
                    1,
                    UB_DL_EXPANSIONS,
                    h.len(),
                )?;
                h.iter().try_for_each(|d| d.dl.validate())
            }
        }
    }
}

/// Decodes an extension value that must be exactly one BER value.
fn value_of<T: Decode>(what: &'static str, any: &Any) -> Result<T> {
    let (v, rest) = rasn::ber::decode_with_remainder::<T>(any.as_bytes())
        .map_err(|source| Error::Decode { pdu: what, source })?;
    if rest.is_empty() {
        Ok(v)
    } else {
        Err(Error::TrailingData {
            pdu: what,
            len: rest.len(),
        })
    }
}

/// Encodes an extension value.
fn any_of<T: Encode>(what: &'static str, v: &T) -> Result<Any> {
    rasn::ber::encode(v)
        .map(Any::new)
        .map_err(|source| Error::Encode { pdu: what, source })
}

impl ExtensionField {
    /// The typed value, if this is one of the [`StandardExtension`]s; `Ok(None)` for any other
    /// extension.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] or [`Error::TrailingData`] if the value is not a valid encoding of the
    /// extension's type.
    pub fn standard(&self) -> Result<Option<StandardExtension>> {
        let ExtensionType::StandardExtension(n) = self.r#type else {
            return Ok(None);
        };
        let v = &self.value;
        Ok(Some(match n {
            StandardExtension::LATEST_DELIVERY_TIME => {
                StandardExtension::LatestDeliveryTime(value_of("latest-delivery-time", v)?)
            }
            StandardExtension::ORIGINATOR_RETURN_ADDRESS => {
                StandardExtension::OriginatorReturnAddress(value_of(
                    "originator-return-address",
                    v,
                )?)
            }
            StandardExtension::CONTENT_CORRELATOR => {
                StandardExtension::ContentCorrelator(v.clone())
            }
            StandardExtension::REDIRECTION_HISTORY => {
                StandardExtension::RedirectionHistory(value_of("redirection-history", v)?)
            }
            StandardExtension::DL_EXPANSION_HISTORY => {
                StandardExtension::DlExpansionHistory(value_of("dl-expansion-history", v)?)
            }
            _ => return Ok(None),
        }))
    }

    /// An extension field carrying `ext` with the given criticality bits.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] if the value cannot be encoded.
    pub fn from_standard(ext: &StandardExtension, criticality: Criticality) -> Result<Self> {
        let value = match ext {
            StandardExtension::LatestDeliveryTime(t) => any_of("latest-delivery-time", t)?,
            StandardExtension::OriginatorReturnAddress(a) => {
                any_of("originator-return-address", a)?
            }
            StandardExtension::ContentCorrelator(c) => c.clone(),
            StandardExtension::RedirectionHistory(h) => any_of("redirection-history", h)?,
            StandardExtension::DlExpansionHistory(h) => any_of("dl-expansion-history", h)?,
        };
        Ok(Self {
            r#type: ExtensionType::StandardExtension(ext.number()),
            criticality,
            value,
        })
    }
}

impl Validate for ExtensionField {
    fn validate(&self) -> Result<()> {
        within(
            "criticality",
            "ub-bit-options",
            0,
            UB_BIT_OPTIONS,
            self.criticality.len(),
        )?;
        self.standard()?.validate()
    }
}
