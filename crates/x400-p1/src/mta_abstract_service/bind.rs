//! The MTA bind (X.411 §12.1): the argument, result and error exchanged when an association
//! between two MTAs is opened. In X.410 (1984) mode they travel directly in the RTS
//! `ConnectionData.open`; the 1984 `Request` (PP's `Chans/x40084/Rts_posy.py`, module
//! `Rts84`) has the same octets.

use alloc::vec::Vec;

use rasn::prelude::*;

use crate::mts_abstract_service::chars;
use crate::upper_bounds::*;
use crate::validate::{Validate, value_within, within};

/// `MTAName ::= IA5String (SIZE (1..ub-mta-name-length))`.
pub type MtaName = Ia5String;

/// `MTABindArgument ::= CHOICE { unauthenticated NULL, authenticated [1] SET {...} }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum MtaBindArgument {
    /// `unauthenticated NULL` (`05 00`).
    Unauthenticated(()),
    /// `authenticated [1]`.
    #[rasn(tag(context, 1))]
    Authenticated(AuthenticatedArgument),
}

/// The `authenticated [1] SET { initiator-name [0], initiator-credentials [1], security-context [2] OPTIONAL }` of [`MtaBindArgument`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct AuthenticatedArgument {
    /// `initiator-name [0]`.
    #[rasn(tag(context, 0))]
    pub initiator_name: MtaName,
    /// `initiator-credentials [1]`, explicit (a CHOICE).
    #[rasn(tag(explicit(context, 1)))]
    pub initiator_credentials: Credentials,
    /// `security-context [2]`.
    #[rasn(tag(context, 2))]
    pub security_context: Option<SecurityContext>,
}

/// `MTABindResult ::= CHOICE { unauthenticated NULL, authenticated [1] SET {...} }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum MtaBindResult {
    /// `unauthenticated NULL`.
    Unauthenticated(()),
    /// `authenticated [1]`.
    #[rasn(tag(context, 1))]
    Authenticated(AuthenticatedResult),
}

/// The `authenticated [1] SET { responder-name [0], responder-credentials [1] }` of [`MtaBindResult`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct AuthenticatedResult {
    /// `responder-name [0]`.
    #[rasn(tag(context, 0))]
    pub responder_name: MtaName,
    /// `responder-credentials [1]`, explicit.
    #[rasn(tag(explicit(context, 1)))]
    pub responder_credentials: Credentials,
}

/// `MTABindError ::= INTEGER { busy(0), authentication-error(2), unacceptable-dialogue-mode(3),
/// unacceptable-security-context(4), inadequate-association-confidentiality(5) } (0..ub-integer-options)`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Copy, PartialEq, Eq)]
#[rasn(delegate)]
pub struct MtaBindError(pub u32);

impl MtaBindError {
    /// `busy(0)`.
    pub const BUSY: Self = Self(0);
    /// `authentication-error(2)`.
    pub const AUTHENTICATION_ERROR: Self = Self(2);
    /// `unacceptable-dialogue-mode(3)`.
    pub const UNACCEPTABLE_DIALOGUE_MODE: Self = Self(3);
    /// `unacceptable-security-context(4)`.
    pub const UNACCEPTABLE_SECURITY_CONTEXT: Self = Self(4);
    /// `inadequate-association-confidentiality(5)`.
    pub const INADEQUATE_ASSOCIATION_CONFIDENTIALITY: Self = Self(5);

    /// The X.411 name of the value, if it has one.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "busy",
            2 => "authentication-error",
            3 => "unacceptable-dialogue-mode",
            4 => "unacceptable-security-context",
            5 => "inadequate-association-confidentiality",
            _ => return None,
        })
    }
}

/// `Credentials ::= CHOICE { simple Password, strong [0] StrongCredentials, ..., protected [1] ProtectedPassword }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
#[non_exhaustive]
pub enum Credentials {
    /// `simple`.
    Simple(Password),
    /// `strong [0]`.
    #[rasn(tag(context, 0))]
    Strong(StrongCredentials),
    /// `protected [1]` (1994 addition).
    #[rasn(tag(context, 1))]
    Protected(ProtectedPassword),
}

/// `Password ::= CHOICE { ia5-string IA5String (SIZE (0..ub-password-length)), octet-string OCTET STRING (SIZE (0..ub-password-length)) }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum Password {
    /// `ia5-string`.
    Ia5String(Ia5String),
    /// `octet-string`.
    OctetString(OctetString),
}

/// `StrongCredentials ::= SET { bind-token [0] Token OPTIONAL, certificate [1] Certificates OPTIONAL, ..., certificate-selector [2] OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct StrongCredentials {
    /// `bind-token [0]`.
    #[rasn(tag(context, 0))]
    pub bind_token: Option<Token>,
    /// `certificate [1]`: X.509 certificates, kept as BER.
    #[rasn(tag(explicit(context, 1)))]
    pub certificate: Option<Any>,
    /// `certificate-selector [2]`: an X.509 certificate assertion, kept as BER.
    #[rasn(tag(explicit(context, 2)))]
    pub certificate_selector: Option<Any>,
}

/// `Token ::= SEQUENCE { token-type-identifier [0] OBJECT IDENTIFIER, token [1] ANY }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `token-type-identifier [0]`.
    #[rasn(tag(context, 0))]
    pub token_type_identifier: ObjectIdentifier,
    /// `token [1]`, explicit (an open type).
    #[rasn(tag(explicit(context, 1)))]
    pub token: Any,
}

/// `ProtectedPassword ::= SET { signature Signature, time1 [0] OPTIONAL, time2 [1] OPTIONAL, random1 [2] OPTIONAL, random2 [3] OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct ProtectedPassword {
    /// `signature`.
    pub signature: Signature,
    /// `time1 [0]`.
    #[rasn(tag(context, 0))]
    pub time1: Option<UtcTime>,
    /// `time2 [1]`.
    #[rasn(tag(context, 1))]
    pub time2: Option<UtcTime>,
    /// `random1 [2]`.
    #[rasn(tag(context, 2))]
    pub random1: Option<BitString>,
    /// `random2 [3]`.
    #[rasn(tag(context, 3))]
    pub random2: Option<BitString>,
}

/// `Signature ::= SEQUENCE { algorithmIdentifier AlgorithmIdentifier, encrypted BIT STRING }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `algorithmIdentifier`.
    pub algorithm_identifier: AlgorithmIdentifier,
    /// `encrypted`.
    pub encrypted: BitString,
}

/// X.509 `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmIdentifier {
    /// `algorithm`.
    pub algorithm: ObjectIdentifier,
    /// `parameters`.
    pub parameters: Option<Any>,
}

/// `SecurityContext ::= SET SIZE (1..ub-security-labels) OF SecurityLabel`.
pub type SecurityContext = Vec<SecurityLabel>;

/// `SecurityLabel ::= SET { security-policy-identifier OPTIONAL, security-classification OPTIONAL, privacy-mark OPTIONAL, security-categories OPTIONAL }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(set)]
pub struct SecurityLabel {
    /// `security-policy-identifier`.
    pub security_policy_identifier: Option<ObjectIdentifier>,
    /// `security-classification`: unmarked(0) .. top-secret(5), up to ub-integer-options.
    pub security_classification: Option<u32>,
    /// `privacy-mark`, 1..=128 characters.
    pub privacy_mark: Option<PrintableString>,
    /// `security-categories`: SET SIZE (1..ub-security-categories) OF SecurityCategory.
    #[rasn(tag(universal, 17))]
    pub security_categories: Option<Vec<SecurityCategory>>,
}

/// `SecurityCategory ::= SEQUENCE { type [0] OBJECT IDENTIFIER, value [1] ANY }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct SecurityCategory {
    /// `type [0]`.
    #[rasn(tag(context, 0))]
    pub r#type: ObjectIdentifier,
    /// `value [1]`, explicit.
    #[rasn(tag(explicit(context, 1)))]
    pub value: Any,
}

/// Checks an MTA name (1..=32 characters).
pub(crate) fn validate_mta_name(what: &'static str, name: &MtaName) -> crate::Result<()> {
    within(
        what,
        "ub-mta-name-length",
        1,
        UB_MTA_NAME_LENGTH,
        name.as_iso646_bytes().len(),
    )
}

impl Validate for Password {
    fn validate(&self) -> crate::Result<()> {
        let n = match self {
            Self::Ia5String(s) => s.as_iso646_bytes().len(),
            Self::OctetString(o) => o.len(),
        };
        within("password", "ub-password-length", 0, UB_PASSWORD_LENGTH, n)
    }
}

impl Validate for Credentials {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::Simple(p) => p.validate(),
            Self::Strong(_) | Self::Protected(_) => Ok(()),
        }
    }
}

impl Validate for SecurityLabel {
    fn validate(&self) -> crate::Result<()> {
        if let Some(c) = self.security_classification {
            value_within(
                "security-classification",
                "ub-integer-options",
                0,
                UB_INTEGER_OPTIONS,
                c.into(),
            )?;
        }
        if let Some(p) = &self.privacy_mark {
            within(
                "privacy-mark",
                "ub-privacy-mark-length",
                1,
                UB_PRIVACY_MARK_LENGTH,
                chars(p),
            )?;
        }
        if let Some(c) = &self.security_categories {
            within(
                "security-categories",
                "ub-security-categories",
                1,
                UB_SECURITY_CATEGORIES,
                c.len(),
            )?;
        }
        Ok(())
    }
}

impl Validate for MtaBindArgument {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::Unauthenticated(()) => Ok(()),
            Self::Authenticated(a) => {
                validate_mta_name("initiator-name", &a.initiator_name)?;
                a.initiator_credentials.validate()?;
                if let Some(sc) = &a.security_context {
                    within(
                        "security-context",
                        "ub-security-labels",
                        1,
                        UB_SECURITY_LABELS,
                        sc.len(),
                    )?;
                    sc.validate()?;
                }
                Ok(())
            }
        }
    }
}

impl Validate for MtaBindResult {
    fn validate(&self) -> crate::Result<()> {
        match self {
            Self::Unauthenticated(()) => Ok(()),
            Self::Authenticated(a) => {
                validate_mta_name("responder-name", &a.responder_name)?;
                a.responder_credentials.validate()
            }
        }
    }
}

impl Validate for MtaBindError {
    fn validate(&self) -> crate::Result<()> {
        value_within(
            "MTABindError",
            "ub-integer-options",
            0,
            UB_INTEGER_OPTIONS,
            self.0.into(),
        )
    }
}
