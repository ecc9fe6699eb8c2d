//! The SPDU types, their SI codes and concatenation categories (X.225 §8.3, Table 6).

use crate::code::Code;

/// Concatenation category of an SPDU (X.225 §6.3.7, Table 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// GT, PT: alone, or first in front of category 2 SPDUs.
    Zero,
    /// Always alone in a TSDU (EX and PR included: they travel alone on either flow).
    One,
    /// Never alone: always after a category 0 SPDU.
    Two,
}

macro_rules! kinds {
    ($( $(#[$doc:meta])* $variant:ident = $si:literal, $abbr:literal, $name:literal, $cat:ident,
        top [$($top:ident),*], mandatory [$($m:ident),*]; )*) => {
        /// The type of an SPDU.
        ///
        /// SPDUs that share an SI code are distinct variants; the decoder tells them apart by
        /// position in the TSDU, by the Sync Type Item, or by the [`crate::Context`]
        /// (X.225 §6.3.7).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Kind {
            $( $(#[$doc])* $variant, )*
        }

        impl Kind {
            /// Every SPDU type, in the order of X.225 §8.3.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// The SPDU identifier octet.
            pub fn si(self) -> u8 {
                match self { $(Kind::$variant => $si,)* }
            }

            /// The standard's abbreviation, e.g. `"CN"`.
            pub fn abbr(self) -> &'static str {
                match self { $(Kind::$variant => $abbr,)* }
            }

            /// The standard's name, e.g. `"CONNECT"` (X.225 §8.3).
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }

            /// Concatenation category.
            pub fn category(self) -> Category {
                match self { $(Kind::$variant => Category::$cat,)* }
            }

            /// Top-level parameter codes this SPDU may carry, increasing.
            ///
            /// Octets rather than [`Code`]s: `<[u8]>::contains` is the fast byte search, and
            /// decoding asks it of every unit (a slice of `Code` made CN decoding ~12% slower).
            pub(crate) fn allowed(self) -> &'static [u8] {
                match self { $(Kind::$variant => &[$(Code::$top.0),*],)* }
            }

            /// Top-level parameters that must be present: the plain (not `Option`) fields of
            /// the SPDU's struct, which the tests compare with this table.
            #[cfg(test)]
            pub(crate) fn mandatory(self) -> &'static [u8] {
                match self { $(Kind::$variant => &[$(Code::$m.0),*],)* }
            }
        }
    };
}

kinds! {
    /// CONNECT (CN).
    Connect = 13, "CN", "CONNECT", One,
        top [CONNECTION_ID, CONNECT_ACCEPT, SESSION_REQUIREMENTS, CALLING_SSEL, CALLED_SSEL, DATA_OVERFLOW, USER_DATA, EXTENDED_USER_DATA],
        mandatory [];
    /// OVERFLOW ACCEPT (OA), version 2.
    OverflowAccept = 16, "OA", "OVERFLOW ACCEPT", One, top [TSDU_MAX_SIZE, VERSION], mandatory [VERSION];
    /// CONNECT DATA OVERFLOW (CDO), version 2.
    ConnectDataOverflow = 15, "CDO", "CONNECT DATA OVERFLOW", One, top [ENCLOSURE, USER_DATA], mandatory [ENCLOSURE];
    /// ACCEPT (AC).
    Accept = 14, "AC", "ACCEPT", One,
        top [CONNECTION_ID, CONNECT_ACCEPT, TOKEN_ITEM, SESSION_REQUIREMENTS, ENCLOSURE, CALLING_SSEL, CALLED_SSEL, USER_DATA],
        mandatory [];
    /// REFUSE (RF); its user data travels inside the Reason Code.
    Refuse = 12, "RF", "REFUSE", One,
        top [CONNECTION_ID, TRANSPORT_DISCONNECT, SESSION_REQUIREMENTS, VERSION, ENCLOSURE, REASON],
        mandatory [];
    /// FINISH (FN).
    Finish = 9, "FN", "FINISH", One, top [TRANSPORT_DISCONNECT, ENCLOSURE, USER_DATA], mandatory [];
    /// DISCONNECT (DN).
    Disconnect = 10, "DN", "DISCONNECT", One, top [ENCLOSURE, USER_DATA], mandatory [];
    /// NOT FINISHED (NF).
    NotFinished = 8, "NF", "NOT FINISHED", One, top [ENCLOSURE, USER_DATA], mandatory [];
    /// ABORT (AB): SI 25 first in a TSDU.
    Abort = 25, "AB", "ABORT", One, top [TRANSPORT_DISCONNECT, ENCLOSURE, REFLECT, USER_DATA], mandatory [TRANSPORT_DISCONNECT];
    /// ABORT ACCEPT (AA): SI 26 first in a TSDU.
    AbortAccept = 26, "AA", "ABORT ACCEPT", One, top [], mandatory [];
    /// DATA TRANSFER (DT): SI 1 after a category 0 SPDU.
    DataTransfer = 1, "DT", "DATA TRANSFER", Two, top [ENCLOSURE], mandatory [];
    /// EXPEDITED (EX).
    Expedited = 5, "EX", "EXPEDITED", One, top [], mandatory [];
    /// TYPED DATA (TD).
    TypedData = 33, "TD", "TYPED DATA", One, top [ENCLOSURE], mandatory [];
    /// CAPABILITY DATA (CD).
    CapabilityData = 61, "CD", "CAPABILITY DATA", Two, top [ENCLOSURE, USER_DATA], mandatory [];
    /// CAPABILITY DATA ACK (CDA).
    CapabilityDataAck = 62, "CDA", "CAPABILITY DATA ACK", Two, top [ENCLOSURE, USER_DATA], mandatory [];
    /// GIVE TOKENS (GT): SI 1 first in a TSDU.
    GiveTokens = 1, "GT", "GIVE TOKENS", Zero, top [TOKEN_ITEM, ENCLOSURE, USER_DATA], mandatory [];
    /// PLEASE TOKENS (PT).
    PleaseTokens = 2, "PT", "PLEASE TOKENS", Zero, top [TOKEN_ITEM, ENCLOSURE, USER_DATA], mandatory [];
    /// GIVE TOKENS CONFIRM (GTC).
    GiveTokensConfirm = 21, "GTC", "GIVE TOKENS CONFIRM", One, top [ENCLOSURE, USER_DATA], mandatory [];
    /// GIVE TOKENS ACK (GTA).
    GiveTokensAck = 22, "GTA", "GIVE TOKENS ACK", One, top [], mandatory [];
    /// MINOR SYNC POINT (MIP).
    MinorSyncPoint = 49, "MIP", "MINOR SYNC POINT", Two, top [SYNC_TYPE, ENCLOSURE, SERIAL, USER_DATA], mandatory [SERIAL];
    /// MINOR SYNC ACK (MIA); its user data is PI 46 (PGI 193 accepted on receipt).
    MinorSyncAck = 50, "MIA", "MINOR SYNC ACK", Two, top [ENCLOSURE, SERIAL, MIA_USER_DATA], mandatory [SERIAL];
    /// MAJOR SYNC POINT (MAP): SI 41 with Sync Type bit 1 set.
    MajorSyncPoint = 41, "MAP", "MAJOR SYNC POINT", Two, top [SYNC_TYPE, ENCLOSURE, SERIAL, USER_DATA], mandatory [SYNC_TYPE, SERIAL];
    /// MAJOR SYNC ACK (MAA): SI 42 when [`crate::Si42::MajorSyncAck`] is expected.
    MajorSyncAck = 42, "MAA", "MAJOR SYNC ACK", Two, top [ENCLOSURE, SERIAL, SECOND_SERIAL, USER_DATA], mandatory [];
    /// RESYNCHRONIZE (RS).
    Resynchronize = 53, "RS", "RESYNCHRONIZE", Two,
        top [ENCLOSURE, TOKEN_SETTING, RESYNC_TYPE, SERIAL, SECOND_RESYNC_TYPE, SECOND_SERIAL, USER_DATA],
        mandatory [];
    /// RESYNCHRONIZE ACK (RA).
    ResynchronizeAck = 34, "RA", "RESYNCHRONIZE ACK", Two,
        top [ENCLOSURE, TOKEN_SETTING, RESYNC_TYPE, SERIAL, SECOND_RESYNC_TYPE, SECOND_SERIAL, USER_DATA],
        mandatory [];
    /// PREPARE (PR).
    Prepare = 7, "PR", "PREPARE", One, top [PREPARE_TYPE, RESYNC_TYPE, SECOND_RESYNC_TYPE], mandatory [PREPARE_TYPE];
    /// EXCEPTION REPORT (ER).
    ExceptionReport = 0, "ER", "EXCEPTION REPORT", Two, top [REFLECT], mandatory [REFLECT];
    /// EXCEPTION DATA (ED).
    ExceptionData = 48, "ED", "EXCEPTION DATA", Two, top [ENCLOSURE, REASON, USER_DATA], mandatory [REASON];
    /// ACTIVITY START (AS).
    ActivityStart = 45, "AS", "ACTIVITY START", Two, top [ENCLOSURE, ACTIVITY_ID, USER_DATA], mandatory [ACTIVITY_ID];
    /// ACTIVITY RESUME (AR).
    ActivityResume = 29, "AR", "ACTIVITY RESUME", Two, top [ENCLOSURE, LINKING, ACTIVITY_ID, USER_DATA], mandatory [LINKING, ACTIVITY_ID];
    /// ACTIVITY INTERRUPT (AI): SI 25 after a category 0 SPDU.
    ActivityInterrupt = 25, "AI", "ACTIVITY INTERRUPT", Two, top [ENCLOSURE, REASON, USER_DATA], mandatory [];
    /// ACTIVITY INTERRUPT ACK (AIA): SI 26 after a category 0 SPDU.
    ActivityInterruptAck = 26, "AIA", "ACTIVITY INTERRUPT ACK", Two, top [ENCLOSURE, USER_DATA], mandatory [];
    /// ACTIVITY DISCARD (AD).
    ActivityDiscard = 57, "AD", "ACTIVITY DISCARD", Two, top [ENCLOSURE, REASON, USER_DATA], mandatory [];
    /// ACTIVITY DISCARD ACK (ADA).
    ActivityDiscardAck = 58, "ADA", "ACTIVITY DISCARD ACK", Two, top [ENCLOSURE, USER_DATA], mandatory [];
    /// ACTIVITY END (AE): SI 41 without Sync Type bit 1.
    ActivityEnd = 41, "AE", "ACTIVITY END", Two, top [SYNC_TYPE, ENCLOSURE, SERIAL, USER_DATA], mandatory [SERIAL];
    /// ACTIVITY END ACK (AEA): SI 42 when [`crate::Si42::ActivityEndAck`] is expected.
    ActivityEndAck = 42, "AEA", "ACTIVITY END ACK", Two, top [ENCLOSURE, SERIAL, SECOND_SERIAL, USER_DATA], mandatory [];
}

impl Kind {
    /// The type of an SPDU with identifier `si`, placed first in a TSDU (`first`) or after a
    /// category 0 SPDU. SI 41 and 42 give MAP and MAA here; the decoder refines them.
    pub(crate) fn from_si(si: u8, first: bool) -> Option<Self> {
        Some(match (si, first) {
            (1, true) => Kind::GiveTokens,
            (1, false) => Kind::DataTransfer,
            (25, true) => Kind::Abort,
            (25, false) => Kind::ActivityInterrupt,
            (26, true) => Kind::AbortAccept,
            (26, false) => Kind::ActivityInterruptAck,
            (41, _) => Kind::MajorSyncPoint,
            (42, _) => Kind::MajorSyncAck,
            _ => return Kind::ALL.iter().copied().find(|k| k.si() == si),
        })
    }

    /// Whether the SPDU has a user information field after its parameters (DT, TD, EX).
    pub fn has_user_info(self) -> bool {
        matches!(self, Kind::DataTransfer | Kind::TypedData | Kind::Expedited)
    }

    /// Codes allowed inside PGI 1 (Connection Identifier) of this SPDU.
    pub(crate) fn connection_id_allowed(self) -> &'static [u8] {
        match self {
            Kind::Connect => &[
                Code::CALLING_REF.0,
                Code::COMMON_REF.0,
                Code::ADDITIONAL_REF.0,
            ],
            _ => &[
                Code::CALLED_REF.0,
                Code::COMMON_REF.0,
                Code::ADDITIONAL_REF.0,
            ],
        }
    }
}

/// The name and the abbreviation, e.g. `CONNECT (CN)`.
impl core::fmt::Display for Kind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} ({})", self.name(), self.abbr())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // a panic is how a test fails
mod tests {
    use super::*;

    #[test]
    fn si_codes_match_x225_table() {
        let expected = [
            ("CN", 0x0d),
            ("OA", 0x10),
            ("CDO", 0x0f),
            ("AC", 0x0e),
            ("RF", 0x0c),
            ("FN", 0x09),
            ("DN", 0x0a),
            ("NF", 0x08),
            ("AB", 0x19),
            ("AA", 0x1a),
            ("DT", 0x01),
            ("EX", 0x05),
            ("TD", 0x21),
            ("CD", 0x3d),
            ("CDA", 0x3e),
            ("GT", 0x01),
            ("PT", 0x02),
            ("GTC", 0x15),
            ("GTA", 0x16),
            ("MIP", 0x31),
            ("MIA", 0x32),
            ("MAP", 0x29),
            ("MAA", 0x2a),
            ("RS", 0x35),
            ("RA", 0x22),
            ("PR", 0x07),
            ("ER", 0x00),
            ("ED", 0x30),
            ("AS", 0x2d),
            ("AR", 0x1d),
            ("AI", 0x19),
            ("AIA", 0x1a),
            ("AD", 0x39),
            ("ADA", 0x3a),
            ("AE", 0x29),
            ("AEA", 0x2a),
        ];
        assert_eq!(Kind::ALL.len(), expected.len());
        for (k, (abbr, si)) in Kind::ALL.iter().zip(expected) {
            assert_eq!((k.abbr(), k.si()), (abbr, si));
        }
    }

    #[test]
    fn allowed_lists_are_increasing_and_contain_mandatory() {
        for k in Kind::ALL {
            assert!(k.allowed().windows(2).all(|w| w[0] < w[1]), "{k}");
            assert!(k.mandatory().iter().all(|m| k.allowed().contains(m)), "{k}");
        }
    }

    #[test]
    fn shared_si_codes_by_position() {
        assert_eq!(Kind::from_si(1, true), Some(Kind::GiveTokens));
        assert_eq!(Kind::from_si(1, false), Some(Kind::DataTransfer));
        assert_eq!(Kind::from_si(25, true), Some(Kind::Abort));
        assert_eq!(Kind::from_si(25, false), Some(Kind::ActivityInterrupt));
        assert_eq!(Kind::from_si(26, true), Some(Kind::AbortAccept));
        assert_eq!(Kind::from_si(26, false), Some(Kind::ActivityInterruptAck));
        assert_eq!(Kind::from_si(0x40, true), None);
        assert_eq!(Kind::from_si(0x80, true), None);
    }
}
