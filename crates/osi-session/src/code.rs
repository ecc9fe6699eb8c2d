//! Parameter (PI) and parameter group (PGI) codes, X.225 §8.3 and Annex C.
//!
//! Decimal values as the standard prints them. A code that is not listed here is "not
//! defined": X.225 §8.2.6 says such a unit is valid and ignored, so the decoder keeps it
//! verbatim in [`crate::Unknown`]. The T.62 codes of Annex B are treated the same way.

/// PGI Connection Identifier (CN, AC, RF).
pub const CONNECTION_ID: u8 = 1;
/// PGI Connect/Accept Item (CN, AC).
pub const CONNECT_ACCEPT: u8 = 5;
/// PI Called SS-user Reference (in PGI 1 of AC/RF, in PGI 33).
pub const CALLED_REF: u8 = 9;
/// PI Calling SS-user Reference (in PGI 1 of CN, in PGI 33).
pub const CALLING_REF: u8 = 10;
/// PI Common Reference (in PGI 1 and PGI 33).
pub const COMMON_REF: u8 = 11;
/// PI Additional Reference Information (in PGI 1 and PGI 33).
pub const ADDITIONAL_REF: u8 = 12;
/// PI Sync Type Item (MIP, MAP; AE may carry it with bit 1 = 0).
pub const SYNC_TYPE: u8 = 15;
/// PI Token Item (GT, PT, AC).
pub const TOKEN_ITEM: u8 = 16;
/// PI Transport Disconnect (RF, FN, AB).
pub const TRANSPORT_DISCONNECT: u8 = 17;
/// PI Protocol Options (in PGI 5).
pub const PROTOCOL_OPTIONS: u8 = 19;
/// PI Session User Requirements (CN, AC, RF).
pub const SESSION_REQUIREMENTS: u8 = 20;
/// PI TSDU Maximum Size (in PGI 5; OA).
pub const TSDU_MAX_SIZE: u8 = 21;
/// PI Version Number (in PGI 5; OA, RF).
pub const VERSION: u8 = 22;
/// PI Initial Serial Number (in PGI 5).
pub const INITIAL_SERIAL: u8 = 23;
/// PI Prepare Type (PR).
pub const PREPARE_TYPE: u8 = 24;
/// PI Enclosure Item.
pub const ENCLOSURE: u8 = 25;
/// PI Token Setting Item (in PGI 5; RS, RA).
pub const TOKEN_SETTING: u8 = 26;
/// PI Resync Type (RS, RA, PR).
pub const RESYNC_TYPE: u8 = 27;
/// PGI Linking Information (AR).
pub const LINKING: u8 = 33;
/// PI Activity Identifier (AS, AR; the old one inside PGI 33).
pub const ACTIVITY_ID: u8 = 41;
/// PI Serial Number.
pub const SERIAL: u8 = 42;
/// PI User Data of MIA.
pub const MIA_USER_DATA: u8 = 46;
/// PI Reflect Parameter Values (AB, ER).
pub const REFLECT: u8 = 49;
/// PI Reason Code (RF, ED, AI, AD).
pub const REASON: u8 = 50;
/// PI Calling Session Selector (CN, AC).
pub const CALLING_SSEL: u8 = 51;
/// PI Called Session Selector in CN, Responding Session Selector in AC.
pub const CALLED_SSEL: u8 = 52;
/// PI Second Resync Type (RS, RA, PR).
pub const SECOND_RESYNC_TYPE: u8 = 53;
/// PI Second Serial Number.
pub const SECOND_SERIAL: u8 = 54;
/// PI Second Initial Serial Number (in PGI 5).
pub const SECOND_INITIAL_SERIAL: u8 = 55;
/// PI Upper Limit Serial Number (in PGI 5).
pub const UPPER_LIMIT_SERIAL: u8 = 56;
/// PI Large Initial Serial Number (in PGI 5).
pub const LARGE_INITIAL_SERIAL: u8 = 57;
/// PI Large Second Initial Serial Number (in PGI 5).
pub const LARGE_SECOND_INITIAL_SERIAL: u8 = 58;
/// PI Data Overflow (CN).
pub const DATA_OVERFLOW: u8 = 60;
/// PGI User Data.
pub const USER_DATA: u8 = 193;
/// PGI Extended User Data (CN, version 2 only).
pub const EXTENDED_USER_DATA: u8 = 194;

/// Whether X.225 §8.3 defines `code` (anywhere). Units with other codes are kept verbatim.
pub fn is_defined(code: u8) -> bool {
    matches!(
        code,
        1 | 5 | 9..=12 | 15..=17 | 19..=27 | 33 | 41 | 42 | 46 | 49..=58 | 60 | 193 | 194
    )
}

/// The standard's name of a code, for diagnostics; `None` for undefined codes.
pub fn name(code: u8) -> Option<&'static str> {
    Some(match code {
        CONNECTION_ID => "Connection Identifier",
        CONNECT_ACCEPT => "Connect/Accept Item",
        CALLED_REF => "Called SS-user Reference",
        CALLING_REF => "Calling SS-user Reference",
        COMMON_REF => "Common Reference",
        ADDITIONAL_REF => "Additional Reference Information",
        SYNC_TYPE => "Sync Type Item",
        TOKEN_ITEM => "Token Item",
        TRANSPORT_DISCONNECT => "Transport Disconnect",
        PROTOCOL_OPTIONS => "Protocol Options",
        SESSION_REQUIREMENTS => "Session User Requirements",
        TSDU_MAX_SIZE => "TSDU Maximum Size",
        VERSION => "Version Number",
        INITIAL_SERIAL => "Initial Serial Number",
        PREPARE_TYPE => "Prepare Type",
        ENCLOSURE => "Enclosure Item",
        TOKEN_SETTING => "Token Setting Item",
        RESYNC_TYPE => "Resync Type",
        LINKING => "Linking Information",
        ACTIVITY_ID => "Activity Identifier",
        SERIAL => "Serial Number",
        MIA_USER_DATA => "User Data (MIA)",
        REFLECT => "Reflect Parameter Values",
        REASON => "Reason Code",
        CALLING_SSEL => "Calling Session Selector",
        CALLED_SSEL => "Called/Responding Session Selector",
        SECOND_RESYNC_TYPE => "Second Resync Type",
        SECOND_SERIAL => "Second Serial Number",
        SECOND_INITIAL_SERIAL => "Second Initial Serial Number",
        UPPER_LIMIT_SERIAL => "Upper Limit Serial Number",
        LARGE_INITIAL_SERIAL => "Large Initial Serial Number",
        LARGE_SECOND_INITIAL_SERIAL => "Large Second Initial Serial Number",
        DATA_OVERFLOW => "Data Overflow",
        USER_DATA => "User Data",
        EXTENDED_USER_DATA => "Extended User Data",
        _ => return None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // a panic is how a test fails
mod tests {
    use super::*;

    #[test]
    fn defined_codes_have_names_and_others_do_not() {
        for code in 0..=255u8 {
            assert_eq!(is_defined(code), name(code).is_some(), "code {code}");
        }
        // T.62 codes reserved in Annex B are not defined by X.225 §8.3.
        for reserved in [0, 2, 8, 13, 14, 18, 28, 32, 43, 64, 65, 72, 77] {
            assert!(!is_defined(reserved));
        }
    }
}
