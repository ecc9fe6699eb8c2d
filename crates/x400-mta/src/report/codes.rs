//! What happened to one recipient, with the non-delivery reason and diagnostic codes X.411
//! defines (`NonDeliveryReasonCode`, `NonDeliveryDiagnosticCode` in module
//! `MTSAbstractService`; X.411 §8.3.1.2.1 for their meaning in a report).

use x400_p1::mts_abstract_service::Time;

/// `NonDeliveryReasonCode ::= INTEGER (0..ub-reason-codes)`: why a message was not delivered.
///
/// A plain integer on the wire, so codes this list does not name pass through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NonDeliveryReasonCode(pub u32);

impl NonDeliveryReasonCode {
    /// `transfer-failure(0)`: the MTS failed (a loop, congestion, time running out).
    pub const TRANSFER_FAILURE: Self = Self(0);
    /// `unable-to-transfer(1)`: the message itself cannot go on (its recipient name, size,
    /// content, a requirement the next MTA cannot meet).
    pub const UNABLE_TO_TRANSFER: Self = Self(1);
    /// `conversion-not-performed(2)`.
    pub const CONVERSION_NOT_PERFORMED: Self = Self(2);
    /// `physical-rendition-not-performed(3)`.
    pub const PHYSICAL_RENDITION_NOT_PERFORMED: Self = Self(3);
    /// `physical-delivery-not-performed(4)`.
    pub const PHYSICAL_DELIVERY_NOT_PERFORMED: Self = Self(4);
    /// `restricted-delivery(5)`.
    pub const RESTRICTED_DELIVERY: Self = Self(5);
    /// `directory-operation-unsuccessful(6)`.
    pub const DIRECTORY_OPERATION_UNSUCCESSFUL: Self = Self(6);
    /// `deferred-delivery-not-performed(7)`.
    pub const DEFERRED_DELIVERY_NOT_PERFORMED: Self = Self(7);
    /// `transfer-failure-for-security-reason(8)`.
    pub const TRANSFER_FAILURE_FOR_SECURITY_REASON: Self = Self(8);
}

/// `NonDeliveryDiagnosticCode ::= INTEGER (0..ub-diagnostic-codes)`: the details of a
/// non-delivery. Only the codes an MTA itself uses are named here; any other passes as its
/// number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NonDeliveryDiagnosticCode(pub u32);

impl NonDeliveryDiagnosticCode {
    /// `unrecognised-OR-name(0)`.
    pub const UNRECOGNISED_OR_NAME: Self = Self(0);
    /// `ambiguous-OR-name(1)`.
    pub const AMBIGUOUS_OR_NAME: Self = Self(1);
    /// `mts-congestion(2)`.
    pub const MTS_CONGESTION: Self = Self(2);
    /// `loop-detected(3)`.
    pub const LOOP_DETECTED: Self = Self(3);
    /// `recipient-unavailable(4)` (1984: `uaUnavailable`).
    pub const RECIPIENT_UNAVAILABLE: Self = Self(4);
    /// `maximum-time-expired(5)`.
    pub const MAXIMUM_TIME_EXPIRED: Self = Self(5);
    /// `encoded-information-types-unsupported(6)`.
    pub const ENCODED_INFORMATION_TYPES_UNSUPPORTED: Self = Self(6);
    /// `content-too-long(7)`.
    pub const CONTENT_TOO_LONG: Self = Self(7);
    /// `content-type-not-supported(15)`.
    pub const CONTENT_TYPE_NOT_SUPPORTED: Self = Self(15);
    /// `too-many-recipients(16)`.
    pub const TOO_MANY_RECIPIENTS: Self = Self(16);
    /// `no-bilateral-agreement(17)`.
    pub const NO_BILATERAL_AGREEMENT: Self = Self(17);
    /// `unsupported-critical-function(18)`.
    pub const UNSUPPORTED_CRITICAL_FUNCTION: Self = Self(18);
    /// `unable-to-downgrade(47)`.
    pub const UNABLE_TO_DOWNGRADE: Self = Self(47);
    /// `unable-to-complete-transfer(48)`.
    pub const UNABLE_TO_COMPLETE_TRANSFER: Self = Self(48);
    /// `transfer-attempts-limit-reached(49)`.
    pub const TRANSFER_ATTEMPTS_LIMIT_REACHED: Self = Self(49);
}

/// What became of one recipient of the subject message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered at `at` (`message-delivery-time`, X.411 §8.3.1.2.1; the MTS user is taken
    /// as `public`, the default type-of-MTS-user).
    Delivered {
        /// When it was delivered.
        at: Time,
    },
    /// Not delivered.
    NotDelivered {
        /// `non-delivery-reason-code`.
        reason: NonDeliveryReasonCode,
        /// `non-delivery-diagnostic-code`.
        diagnostic: Option<NonDeliveryDiagnosticCode>,
        /// `supplementary-information` (X.411 §8.3.1.2.1.6): 1 to 256 PrintableString
        /// characters, for the originator to read.
        supplementary: Option<String>,
    },
}

impl Outcome {
    /// Not delivered for `reason` and `diagnostic`, with no supplementary information.
    #[must_use]
    pub fn not_delivered(
        reason: NonDeliveryReasonCode,
        diagnostic: NonDeliveryDiagnosticCode,
    ) -> Self {
        Self::NotDelivered {
            reason,
            diagnostic: Some(diagnostic),
            supplementary: None,
        }
    }

    /// No route to the recipient's domain: unable-to-transfer(1), unrecognised-OR-name(0).
    #[must_use]
    pub fn unroutable() -> Self {
        Self::not_delivered(
            NonDeliveryReasonCode::UNABLE_TO_TRANSFER,
            NonDeliveryDiagnosticCode::UNRECOGNISED_OR_NAME,
        )
    }

    /// The recipient is in our domain but no such user exists there: unable-to-transfer(1),
    /// unrecognised-OR-name(0).
    #[must_use]
    pub fn unknown_local_recipient() -> Self {
        Self::unroutable()
    }

    /// Every attempt to transfer the message to the next MTA failed and the retries are used
    /// up: transfer-failure(0), transfer-attempts-limit-reached(49).
    ///
    /// A 1984 MTA knows the diagnostics 0 to 11 only; downgrading a report for it must map
    /// this one.
    #[must_use]
    pub fn transfer_failed() -> Self {
        Self::not_delivered(
            NonDeliveryReasonCode::TRANSFER_FAILURE,
            NonDeliveryDiagnosticCode::TRANSFER_ATTEMPTS_LIMIT_REACHED,
        )
    }

    /// The message stayed longer than its latest delivery time or our maximum holding time:
    /// transfer-failure(0), maximum-time-expired(5).
    #[must_use]
    pub fn expired() -> Self {
        Self::not_delivered(
            NonDeliveryReasonCode::TRANSFER_FAILURE,
            NonDeliveryDiagnosticCode::MAXIMUM_TIME_EXPIRED,
        )
    }

    /// The message came back to our domain ([`crate::trace::is_loop`]): transfer-failure(0),
    /// loop-detected(3).
    #[must_use]
    pub fn loop_detected() -> Self {
        Self::not_delivered(
            NonDeliveryReasonCode::TRANSFER_FAILURE,
            NonDeliveryDiagnosticCode::LOOP_DETECTED,
        )
    }

    /// The trace is full (ub-transfers, [`crate::trace::TraceError::TooManyTransfers`]): the
    /// message is looping. X.411 has no diagnostic of its own for it: transfer-failure(0),
    /// loop-detected(3), as [`Outcome::loop_detected`].
    #[must_use]
    pub fn too_many_transfers() -> Self {
        Self::loop_detected()
    }

    /// The content is longer than the next MTA (or we) accept: unable-to-transfer(1),
    /// content-too-long(7).
    #[must_use]
    pub fn content_too_long() -> Self {
        Self::not_delivered(
            NonDeliveryReasonCode::UNABLE_TO_TRANSFER,
            NonDeliveryDiagnosticCode::CONTENT_TOO_LONG,
        )
    }

    /// The next MTA speaks P1 (1984) and the message cannot be expressed in it (X.419
    /// Annex B): unable-to-transfer(1), unable-to-downgrade(47).
    #[must_use]
    pub fn unable_to_downgrade() -> Self {
        Self::not_delivered(
            NonDeliveryReasonCode::UNABLE_TO_TRANSFER,
            NonDeliveryDiagnosticCode::UNABLE_TO_DOWNGRADE,
        )
    }

    /// The same non-delivery with `text` as supplementary information; a delivery is
    /// returned unchanged ([`Outcome::Delivered`] carries none).
    #[must_use]
    pub fn with_supplementary(self, text: impl Into<String>) -> Self {
        match self {
            Self::NotDelivered {
                reason, diagnostic, ..
            } => Self::NotDelivered {
                reason,
                diagnostic,
                supplementary: Some(text.into()),
            },
            delivered @ Self::Delivered { .. } => delivered,
        }
    }

    /// Whether the recipient was delivered to.
    #[must_use]
    pub fn is_delivered(&self) -> bool {
        matches!(self, Self::Delivered { .. })
    }
}
