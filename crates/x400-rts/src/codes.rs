//! The named INTEGERs of the RTS PDUs, as open code spaces.
//!
//! Each is a newtype over `u32` with a constant per named number, so that a value the
//! standard does not name still decodes and survives a round trip: a responder must be able to
//! *read* an unacceptable dialogue mode or an unknown application protocol in order to refuse
//! it with a PRefuse, instead of failing to decode the PConnect (the field failure this crate
//! exists to avoid). They are `osi_sansio::code_point!`s: `Debug` prints the value and its ASN.1
//! name when there is one; `Display` prints it in ASN.1 value notation (`twa(1)`), the two
//! reasons with their meaning in words.

use rasn::{AsnType, Decode, Encode};

osi_sansio::code_point! {
    /// `dialogueMode [2] IMPLICIT INTEGER { monologue(0), twa(1) } DEFAULT monologue` of
    /// PConnect (X.410 §3; ISODE's acsap/acsold.py).
    #[derive(AsnType, Decode, Encode)]
    #[rasn(delegate)]
    pub struct DialogueMode(u32) {
        /// Only the side that holds the turn at the start ever sends.
        MONOLOGUE = 0 => "monologue",
        /// Two-way alternate: the turn can be asked for and given.
        TWO_WAY_ALTERNATE = 1 => "twa",
    }
}

osi_sansio::code_point! {
    /// `applicationProtocol [4] IMPLICIT INTEGER DEFAULT p1` of PConnect: what the `open`
    /// user data is. 1984 names p1(1) and p3(3); X.419 adds 12 for the 1988 P1
    /// (`mts-transfer-protocol`) run in X.410 mode. ISODE's demo programs use private values
    /// (`rtf` 132, the `rtsap` echo 128), so any value decodes.
    #[derive(AsnType, Decode, Encode)]
    #[rasn(delegate)]
    pub struct ApplicationProtocol(u32) {
        /// P1 (1984), X.419 `mts-transfer-protocol-1984`; the DEFAULT.
        P1_1984 = 1 => "p1",
        /// P3 (1984).
        P3 = 3 => "p3",
        /// P1 (1988) in X.410-1984 mode, X.419 `mts-transfer-protocol`.
        P1_1988 = 12 => "mts-transfer-protocol",
    }
}

osi_sansio::code_point! {
    /// `RefuseReason` of PRefuse (X.410; X.228 RTORJapdu uses the same numbers).
    #[derive(AsnType, Decode, Encode)]
    #[rasn(delegate)]
    pub struct RefuseReason(u32) {
        /// The responder is busy (X.228 `rtsBusy`); the P1 bind error `busy` maps here.
        BUSY = 0 => "busy",
        /// A `recover` names a connection whose state the responder does not keep.
        CANNOT_RECOVER = 1 => "cannotRecover",
        /// The RTS user refused the `open` data, e.g. a wrong MTA name or password.
        VALIDATION_FAILURE = 2 => "validationFailure",
        /// The responder does not accept the proposed dialogue mode.
        UNACCEPTABLE_DIALOGUE_MODE = 3 => "unacceptableDialogueMode",
    }
}

osi_sansio::code_point! {
    /// `AbortReason` of AbortInformation: X.410 names 0 to 4; X.228 adds 5 to 7.
    #[derive(AsnType, Decode, Encode)]
    #[rasn(delegate)]
    pub struct AbortReason(u32) {
        /// A problem of the local system.
        LOCAL_SYSTEM_PROBLEM = 0 => "localSystemProblem",
        /// A parameter of a received PDU was invalid; `reflectedParameter` may say which.
        INVALID_PARAMETER = 1 => "invalidParameter",
        /// An activity to be resumed is not known.
        UNRECOGNIZED_ACTIVITY = 2 => "unrecognizedActivity",
        /// Do not try to recover the association for a locally determined period.
        TEMPORARY_PROBLEM = 3 => "temporaryProblem",
        /// The peer broke the protocol.
        PROTOCOL_ERROR = 4 => "protocolError",
        /// X.228: a permanent problem (normal mode).
        PERMANENT_PROBLEM = 5 => "permanentProblem",
        /// X.228: a user error (normal mode).
        USER_ERROR = 6 => "userError",
        /// X.228 Annex B.1.6: an already completed transfer cannot be discarded.
        TRANSFER_COMPLETED = 7 => "transferCompleted",
    }
}

/// `name(value)` for a named value, else the number and that X.410 does not name it.
fn named(f: &mut core::fmt::Formatter<'_>, name: Option<&str>, value: u32) -> core::fmt::Result {
    match name {
        Some(n) => write!(f, "{n}({value})"),
        None => write!(f, "{value} (a value X.410 does not name)"),
    }
}

/// `twa(1)`, or `7 (a value X.410 does not name)`.
impl core::fmt::Display for DialogueMode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        named(f, self.name(), self.0)
    }
}

/// `p1(1)`, or `132 (a value X.410 does not name)` (ISODE's `rtf`).
impl core::fmt::Display for ApplicationProtocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        named(f, self.name(), self.0)
    }
}

impl RefuseReason {
    /// What the reason means, in words, if the standard names it.
    #[must_use]
    pub const fn meaning(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "the responder is busy",
            1 => "the responder cannot recover the association named",
            2 => "the responder refused the open data, e.g. the MTA name or password",
            3 => "the responder does not accept the dialogue mode",
            _ => return None,
        })
    }
}

/// `validationFailure(2): the responder refused the open data, ...`.
impl core::fmt::Display for RefuseReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        named(f, self.name(), self.0)?;
        match self.meaning() {
            Some(m) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

impl AbortReason {
    /// What the reason means, in words, if the standard names it.
    #[must_use]
    pub const fn meaning(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "a problem of the aborting side's own system",
            1 => "a parameter of a PDU it received was invalid",
            2 => "the activity to resume is not known",
            3 => "a temporary problem; do not try to recover for a while",
            4 => "the protocol was broken",
            5 => "a permanent problem (X.228)",
            6 => "a user error (X.228)",
            7 => "the transfer was completed already and cannot be discarded (X.228)",
            _ => return None,
        })
    }
}

/// `protocolError(4): the protocol was broken`.
impl core::fmt::Display for AbortReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        named(f, self.name(), self.0)?;
        match self.meaning() {
            Some(m) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_names_known_values_and_keeps_unknown_ones() {
        assert_eq!(
            format!("{:?}", RefuseReason::CANNOT_RECOVER),
            "RefuseReason(0x01 cannotRecover)"
        );
        assert_eq!(format!("{:?}", DialogueMode(7)), "DialogueMode(0x07)");
        assert_eq!(ApplicationProtocol(132).name(), None);
        assert_eq!(
            ApplicationProtocol::P1_1988.name(),
            Some("mts-transfer-protocol")
        );
    }
}
