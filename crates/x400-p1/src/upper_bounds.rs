//! X.411 module `MTSUpperBounds` (1999 values): the size and value limits of P1 fields.
//!
//! Every bound is enforced when a PDU is decoded and when it is encoded (see
//! [`crate::Error::OutOfBounds`], which names the bound). X.411 (1984) stated few formal bounds;
//! the 1988 values are applied to 1984 PDUs too.
//!
//! Sources: X.411 (06/1999) module `MTSUpperBounds`, as Wireshark carries it
//! (`epan/dissectors/asn1/p1/MTSUpperBounds.asn`), including `ub-redirections`,
//! `ub-dl-expansions` and `ub-content-correlator-length` (512 each, used only inside extension
//! values); Wireshark's generated `packet-p1-val.h` agrees with every value here. So no bound
//! below is unconfirmed. What does remain unconfirmed is the choice above: X.411 (1984)
//! stated few formal bounds, so which 1988 bounds a 1984 MTA actually respected is not known.
//! Receipt is strict all the same; [`crate::DecodeLimits`] are this crate's, not X.411's.

/// Characters of a numeric country code (X.121 DCC): exactly 3.
pub const UB_COUNTRY_NAME_NUMERIC_LENGTH: usize = 3;
/// Characters of an alphabetic country code (ISO 3166 alpha-2): exactly 2.
pub const UB_COUNTRY_NAME_ALPHA_LENGTH: usize = 2;
/// Characters of an ADMD name (0..=16) and of a PRMD name / private domain identifier (1..=16).
pub const UB_DOMAIN_NAME_LENGTH: usize = 16;
/// Characters of an MTA name (1..=32).
pub const UB_MTA_NAME_LENGTH: usize = 32;
/// Octets of a simple password (0..=62).
pub const UB_PASSWORD_LENGTH: usize = 62;
/// Characters of the local identifier of an MTS identifier (1..=32).
pub const UB_LOCAL_ID_LENGTH: usize = 32;
/// Characters of a content identifier (1..=16); also the 1984 UAContentId.
pub const UB_CONTENT_ID_LENGTH: usize = 16;
/// Characters of an organization name (1..=64).
pub const UB_ORGANIZATION_NAME_LENGTH: usize = 64;
/// Characters of one organizational unit name (1..=32).
pub const UB_ORGANIZATIONAL_UNIT_NAME_LENGTH: usize = 32;
/// Organizational unit names in one O/R address (1..=4).
pub const UB_ORGANIZATIONAL_UNITS: usize = 4;
/// Characters of a surname (1..=40).
pub const UB_SURNAME_LENGTH: usize = 40;
/// Characters of a given name (1..=16).
pub const UB_GIVEN_NAME_LENGTH: usize = 16;
/// Characters of initials (1..=5).
pub const UB_INITIALS_LENGTH: usize = 5;
/// Characters of a generation qualifier (1..=3).
pub const UB_GENERATION_QUALIFIER_LENGTH: usize = 3;
/// Domain-defined attributes in one O/R address (1..=4).
pub const UB_DOMAIN_DEFINED_ATTRIBUTES: usize = 4;
/// Characters of a domain-defined attribute type (1..=8).
pub const UB_DOMAIN_DEFINED_ATTRIBUTE_TYPE_LENGTH: usize = 8;
/// Characters of a domain-defined attribute value (1..=128).
pub const UB_DOMAIN_DEFINED_ATTRIBUTE_VALUE_LENGTH: usize = 128;
/// Digits of an X.121 network address (1..=16).
pub const UB_X121_ADDRESS_LENGTH: usize = 16;
/// Characters of a terminal identifier (1..=24).
pub const UB_TERMINAL_ID_LENGTH: usize = 24;
/// Digits of a numeric user identifier / 1984 unique UA identifier (1..=32).
pub const UB_NUMERIC_USER_ID_LENGTH: usize = 32;
/// Characters of supplementary information in a report (1..=256).
pub const UB_SUPPLEMENTARY_INFO_LENGTH: usize = 256;
/// Recipients per envelope or report, and the largest recipient number (1..=32767).
pub const UB_RECIPIENTS: usize = 32767;
/// Trace elements and per-domain bilateral information entries (1..=512).
pub const UB_TRANSFERS: usize = 512;
/// Bits of a bit string option field (per-recipient indicators 8..=16, others 0..=16).
pub const UB_BIT_OPTIONS: usize = 16;
/// Largest value of an enumerated integer option (explicit conversion, bind error): 256.
pub const UB_INTEGER_OPTIONS: usize = 256;
/// Largest built-in content type: 32767.
pub const UB_BUILT_IN_CONTENT_TYPE: usize = 32767;
/// Bits of the built-in encoded information types (0..=32).
pub const UB_BUILT_IN_ENCODED_INFORMATION_TYPES: usize = 32;
/// Extended encoded information types in one set (1..=1024).
pub const UB_ENCODED_INFORMATION_TYPES: usize = 1024;
/// Largest content length of a probe: 2147483647.
pub const UB_CONTENT_LENGTH: usize = 2_147_483_647;
/// Largest non-delivery reason code: 32767.
pub const UB_REASON_CODES: usize = 32767;
/// Largest non-delivery diagnostic code: 32767.
pub const UB_DIAGNOSTIC_CODES: usize = 32767;
/// Largest extension attribute type, and extension attributes in one O/R address (1..=256).
pub const UB_EXTENSION_ATTRIBUTES: usize = 256;
/// Largest type of MTS user: 256.
pub const UB_MTS_USER_TYPES: usize = 256;
/// Security labels in an MTA bind security context (1..=256).
pub const UB_SECURITY_LABELS: usize = 256;
/// Characters of a privacy mark (1..=128).
pub const UB_PRIVACY_MARK_LENGTH: usize = 128;
/// Security categories in one security label (1..=64).
pub const UB_SECURITY_CATEGORIES: usize = 64;
/// Redirections in a redirection history (1..=512).
pub const UB_REDIRECTIONS: usize = 512;
/// Expansions in a DL expansion history (1..=512).
pub const UB_DL_EXPANSIONS: usize = 512;
/// Octets of a content correlator, encoding included (1..=512).
pub const UB_CONTENT_CORRELATOR_LENGTH: usize = 512;
