//! Parameter (PI) and parameter group (PGI) codes, X.225 §8.3 and Annex C.
//!
//! Decimal values as the standard prints them. A code that is not listed here is "not
//! defined": X.225 §8.2.6 says such a unit is valid and ignored, so the decoder keeps it
//! verbatim in [`crate::Unknown`]. The T.62 codes of Annex B are treated the same way.

use core::fmt;

osi_sansio::code_point! {
    /// A PI or PGI code (X.225 §8.2.3, §8.3). Every octet is representable, so an
    /// undefined code survives to be kept or reported; `Debug` and [`fmt::Display`] name
    /// the defined ones.
    pub struct Code(u8) {
        /// 1: PGI Connection Identifier (CN, AC, RF).
        CONNECTION_ID = 1 => "Connection Identifier",
        /// 5: PGI Connect/Accept Item (CN, AC).
        CONNECT_ACCEPT = 5 => "Connect/Accept Item",
        /// 9: PI Called SS-user Reference (in PGI 1 of AC/RF, in PGI 33).
        CALLED_REF = 9 => "Called SS-user Reference",
        /// 10: PI Calling SS-user Reference (in PGI 1 of CN, in PGI 33).
        CALLING_REF = 10 => "Calling SS-user Reference",
        /// 11: PI Common Reference (in PGI 1 and PGI 33).
        COMMON_REF = 11 => "Common Reference",
        /// 12: PI Additional Reference Information (in PGI 1 and PGI 33).
        ADDITIONAL_REF = 12 => "Additional Reference Information",
        /// 15: PI Sync Type Item (MIP, MAP; AE may carry it with bit 1 = 0).
        SYNC_TYPE = 15 => "Sync Type Item",
        /// 16: PI Token Item (GT, PT, AC).
        TOKEN_ITEM = 16 => "Token Item",
        /// 17: PI Transport Disconnect (RF, FN, AB).
        TRANSPORT_DISCONNECT = 17 => "Transport Disconnect",
        /// 19: PI Protocol Options (in PGI 5).
        PROTOCOL_OPTIONS = 19 => "Protocol Options",
        /// 20: PI Session User Requirements (CN, AC, RF).
        SESSION_REQUIREMENTS = 20 => "Session User Requirements",
        /// 21: PI TSDU Maximum Size (in PGI 5; OA).
        TSDU_MAX_SIZE = 21 => "TSDU Maximum Size",
        /// 22: PI Version Number (in PGI 5; OA, RF).
        VERSION = 22 => "Version Number",
        /// 23: PI Initial Serial Number (in PGI 5).
        INITIAL_SERIAL = 23 => "Initial Serial Number",
        /// 24: PI Prepare Type (PR).
        PREPARE_TYPE = 24 => "Prepare Type",
        /// 25: PI Enclosure Item.
        ENCLOSURE = 25 => "Enclosure Item",
        /// 26: PI Token Setting Item (in PGI 5; RS, RA).
        TOKEN_SETTING = 26 => "Token Setting Item",
        /// 27: PI Resync Type (RS, RA, PR).
        RESYNC_TYPE = 27 => "Resync Type",
        /// 33: PGI Linking Information (AR).
        LINKING = 33 => "Linking Information",
        /// 41: PI Activity Identifier (AS, AR; the old one inside PGI 33).
        ACTIVITY_ID = 41 => "Activity Identifier",
        /// 42: PI Serial Number.
        SERIAL = 42 => "Serial Number",
        /// 46: PI User Data of MIA.
        MIA_USER_DATA = 46 => "User Data (MIA)",
        /// 49: PI Reflect Parameter Values (AB, ER).
        REFLECT = 49 => "Reflect Parameter Values",
        /// 50: PI Reason Code (RF, ED, AI, AD).
        REASON = 50 => "Reason Code",
        /// 51: PI Calling Session Selector (CN, AC).
        CALLING_SSEL = 51 => "Calling Session Selector",
        /// 52: PI Called Session Selector in CN, Responding Session Selector in AC.
        CALLED_SSEL = 52 => "Called/Responding Session Selector",
        /// 53: PI Second Resync Type (RS, RA, PR).
        SECOND_RESYNC_TYPE = 53 => "Second Resync Type",
        /// 54: PI Second Serial Number.
        SECOND_SERIAL = 54 => "Second Serial Number",
        /// 55: PI Second Initial Serial Number (in PGI 5).
        SECOND_INITIAL_SERIAL = 55 => "Second Initial Serial Number",
        /// 56: PI Upper Limit Serial Number (in PGI 5).
        UPPER_LIMIT_SERIAL = 56 => "Upper Limit Serial Number",
        /// 57: PI Large Initial Serial Number (in PGI 5).
        LARGE_INITIAL_SERIAL = 57 => "Large Initial Serial Number",
        /// 58: PI Large Second Initial Serial Number (in PGI 5).
        LARGE_SECOND_INITIAL_SERIAL = 58 => "Large Second Initial Serial Number",
        /// 60: PI Data Overflow (CN).
        DATA_OVERFLOW = 60 => "Data Overflow",
        /// 193: PGI User Data.
        USER_DATA = 193 => "User Data",
        /// 194: PGI Extended User Data (CN, version 2 only).
        EXTENDED_USER_DATA = 194 => "Extended User Data",
    }
}

impl Code {
    /// Whether X.225 §8.3 defines this code (anywhere). Units with other codes are kept
    /// verbatim.
    #[must_use]
    #[inline]
    pub const fn is_defined(self) -> bool {
        // The same set as `name()`, as ranges: decoding asks this of every unit.
        matches!(
            self.0,
            1 | 5 | 9..=12 | 15..=17 | 19..=27 | 33 | 41 | 42 | 46 | 49..=58 | 60 | 193 | 194
        )
    }
}

/// The code in decimal, as X.225 prints it, with the standard's name if it has one:
/// `17 (Transport Disconnect)`, or `99`.
impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{} ({name})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // a panic is how a test fails
mod tests {
    use super::*;

    #[test]
    fn defined_codes_have_names_and_others_do_not() {
        for code in 0..=255u8 {
            assert_eq!(
                Code(code).is_defined(),
                Code(code).name().is_some(),
                "code {code}"
            );
        }
        // T.62 codes reserved in Annex B are not defined by X.225 §8.3.
        for reserved in [0, 2, 8, 13, 14, 18, 28, 32, 43, 64, 65, 72, 77] {
            assert!(!Code(reserved).is_defined());
        }
    }

    #[test]
    fn codes_print_in_decimal_with_their_names() {
        use std::format;
        assert_eq!(
            format!("{}", Code::TRANSPORT_DISCONNECT),
            "17 (Transport Disconnect)"
        );
        assert_eq!(format!("{}", Code(99)), "99");
        assert_eq!(
            format!("{:?}", Code::TRANSPORT_DISCONNECT),
            "Code(0x11 Transport Disconnect)"
        );
    }
}
