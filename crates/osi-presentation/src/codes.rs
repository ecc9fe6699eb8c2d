//! The INTEGER code points of X.226 §8.2 and the names of its BIT STRING bits. Unknown
//! values are kept, so they can be reported and re-sent.

osi_sansio::code_point! {
    /// `Mode-selector` mode-value (X.226 §8.2): which PPDUs the connection uses.
    pub struct Mode(u32), undefined "not a mode of X.226" {
        /// x410-1984-mode (0): the PPDUs are, bit for bit, X.410 (1984) RTS PDUs.
        X410_1984 = 0 => "x410-1984-mode",
        /// normal-mode (1): presentation contexts carrying ACSE, RTSE and the application.
        NORMAL = 1 => "normal-mode",
    }
}

osi_sansio::code_point! {
    /// `Result` (X.226 §8.2): the outcome of a proposed context, or of the default context.
    pub struct ResultCode(u32), undefined "not a result of X.226" {
        /// acceptance (0).
        ACCEPTANCE = 0 => "acceptance",
        /// user-rejection (1).
        USER_REJECTION = 1 => "user-rejection",
        /// provider-rejection (2).
        PROVIDER_REJECTION = 2 => "provider-rejection",
    }
}

osi_sansio::code_point! {
    /// `Result-list` provider-reason (X.226 §8.2): why the provider rejected one context.
    pub struct ContextRejectReason(u32), undefined "not a reason of X.226" {
        /// reason-not-specified (0).
        NOT_SPECIFIED = 0 => "reason-not-specified",
        /// abstract-syntax-not-supported (1).
        ABSTRACT_SYNTAX_NOT_SUPPORTED = 1 => "abstract-syntax-not-supported",
        /// proposed-transfer-syntaxes-not-supported (2).
        TRANSFER_SYNTAXES_NOT_SUPPORTED = 2 => "proposed-transfer-syntaxes-not-supported",
        /// local-limit-on-DCS-exceeded (3).
        LOCAL_LIMIT_ON_DCS_EXCEEDED = 3 => "local-limit-on-DCS-exceeded",
    }
}

osi_sansio::code_point! {
    /// `Provider-reason` of a CPR PPDU (X.226 §8.2): why the provider refused the connection.
    pub struct ProviderReason(u32), undefined "not a reason of X.226" {
        /// reason-not-specified (0).
        NOT_SPECIFIED = 0 => "reason-not-specified",
        /// temporary-congestion (1).
        TEMPORARY_CONGESTION = 1 => "temporary-congestion",
        /// local-limit-exceeded (2).
        LOCAL_LIMIT_EXCEEDED = 2 => "local-limit-exceeded",
        /// called-presentation-address-unknown (3).
        CALLED_ADDRESS_UNKNOWN = 3 => "called-presentation-address-unknown",
        /// protocol-version-not-supported (4).
        PROTOCOL_VERSION_NOT_SUPPORTED = 4 => "protocol-version-not-supported",
        /// default-context-not-supported (5).
        DEFAULT_CONTEXT_NOT_SUPPORTED = 5 => "default-context-not-supported",
        /// user-data-not-readable (6).
        USER_DATA_NOT_READABLE = 6 => "user-data-not-readable",
        /// no-PSAP-available (7).
        NO_PSAP_AVAILABLE = 7 => "no-PSAP-available",
    }
}

osi_sansio::code_point! {
    /// `Abort-reason` of an ARP PPDU (X.226 §8.2).
    pub struct AbortReason(u32), undefined "not a reason of X.226" {
        /// reason-not-specified (0).
        NOT_SPECIFIED = 0 => "reason-not-specified",
        /// unrecognized-ppdu (1).
        UNRECOGNIZED_PPDU = 1 => "unrecognized-ppdu",
        /// unexpected-ppdu (2).
        UNEXPECTED_PPDU = 2 => "unexpected-ppdu",
        /// unexpected-session-service-primitive (3).
        UNEXPECTED_SESSION_PRIMITIVE = 3 => "unexpected-session-service-primitive",
        /// unrecognized-ppdu-parameter (4).
        UNRECOGNIZED_PARAMETER = 4 => "unrecognized-ppdu-parameter",
        /// unexpected-ppdu-parameter (5).
        UNEXPECTED_PARAMETER = 5 => "unexpected-ppdu-parameter",
        /// invalid-ppdu-parameter-value (6).
        INVALID_PARAMETER_VALUE = 6 => "invalid-ppdu-parameter-value",
    }
}

osi_sansio::code_point! {
    /// `Event-identifier` of an ARP PPDU (X.226 §8.2): the PPDU or session indication that
    /// caused the abort. Values 14 to 32 name session indications.
    pub struct EventId(u32), undefined "a session indication or unknown event" {
        /// cp-PPDU (0).
        CP = 0 => "cp-PPDU",
        /// cpa-PPDU (1).
        CPA = 1 => "cpa-PPDU",
        /// cpr-PPDU (2).
        CPR = 2 => "cpr-PPDU",
        /// aru-PPDU (3).
        ARU = 3 => "aru-PPDU",
        /// arp-PPDU (4).
        ARP = 4 => "arp-PPDU",
        /// ac-PPDU (5).
        AC = 5 => "ac-PPDU",
        /// aca-PPDU (6).
        ACA = 6 => "aca-PPDU",
        /// td-PPDU (7).
        TD = 7 => "td-PPDU",
        /// ttd-PPDU (8).
        TTD = 8 => "ttd-PPDU",
        /// te-PPDU (9).
        TE = 9 => "te-PPDU",
        /// tc-PPDU (10).
        TC = 10 => "tc-PPDU",
        /// tcc-PPDU (11).
        TCC = 11 => "tcc-PPDU",
        /// rs-PPDU (12).
        RS = 12 => "rs-PPDU",
        /// rsa-PPDU (13).
        RSA = 13 => "rsa-PPDU",
    }
}

osi_sansio::code_point! {
    /// An item of `Presentation-context-deletion-result-list` (X.226 §8.2).
    pub struct DeletionResult(u32), undefined "not a result of X.226" {
        /// acceptance (0).
        ACCEPTANCE = 0 => "acceptance",
        /// user-rejection (1).
        USER_REJECTION = 1 => "user-rejection",
    }
}

/// Bit numbers of `Presentation-requirements` (X.226 §8.2).
pub mod presentation_requirements {
    /// context-management (0).
    pub const CONTEXT_MANAGEMENT: usize = 0;
    /// restoration (1).
    pub const RESTORATION: usize = 1;
}

/// Bit numbers of `User-session-requirements` (X.226 §8.2): the session functional units
/// the presentation user asks for.
pub mod session_requirements {
    /// half-duplex (0).
    pub const HALF_DUPLEX: usize = 0;
    /// duplex (1).
    pub const DUPLEX: usize = 1;
    /// expedited-data (2).
    pub const EXPEDITED_DATA: usize = 2;
    /// minor-synchronize (3).
    pub const MINOR_SYNCHRONIZE: usize = 3;
    /// major-synchronize (4).
    pub const MAJOR_SYNCHRONIZE: usize = 4;
    /// resynchronize (5).
    pub const RESYNCHRONIZE: usize = 5;
    /// activity-management (6).
    pub const ACTIVITY_MANAGEMENT: usize = 6;
    /// negotiated-release (7).
    pub const NEGOTIATED_RELEASE: usize = 7;
    /// capability-data (8).
    pub const CAPABILITY_DATA: usize = 8;
    /// exceptions (9).
    pub const EXCEPTIONS: usize = 9;
    /// typed-data (10).
    pub const TYPED_DATA: usize = 10;
    /// symmetric-synchronize (11).
    pub const SYMMETRIC_SYNCHRONIZE: usize = 11;
    /// data-separation (12).
    pub const DATA_SEPARATION: usize = 12;
}

/// Bit numbers of `Protocol-options` (X.226 §8.2).
pub mod protocol_options {
    /// nominated-context (0).
    pub const NOMINATED_CONTEXT: usize = 0;
    /// short-encoding (1).
    pub const SHORT_ENCODING: usize = 1;
    /// packed-encoding-rules (2).
    pub const PACKED_ENCODING_RULES: usize = 2;
}
