//! The INTEGER and ENUMERATED code points of the ACSE-1 module (X.227) and the names of
//! its BIT STRING bits. Unknown values are kept, so they can be reported and re-sent (the
//! module marks most of these types extensible).

osi_sansio::code_point! {
    /// `Associate-result` (ACSE-1, AARE-apdu result).
    pub struct AssociateResult(u32), undefined "not a result of X.227" {
        /// accepted (0).
        ACCEPTED = 0 => "accepted",
        /// rejected-permanent (1).
        REJECTED_PERMANENT = 1 => "rejected-permanent",
        /// rejected-transient (2).
        REJECTED_TRANSIENT = 2 => "rejected-transient",
    }
}

osi_sansio::code_point! {
    /// `Associate-source-diagnostic` acse-service-user `[1]` (ACSE-1): why the responding
    /// user accepted with a remark, or rejected.
    pub struct UserDiagnostic(u32), undefined "not a diagnostic of X.227" {
        /// null (0).
        NULL = 0 => "null",
        /// no-reason-given (1).
        NO_REASON_GIVEN = 1 => "no-reason-given",
        /// application-context-name-not-supported (2).
        APPLICATION_CONTEXT_NAME_NOT_SUPPORTED = 2 => "application-context-name-not-supported",
        /// calling-AP-title-not-recognized (3).
        CALLING_AP_TITLE_NOT_RECOGNIZED = 3 => "calling-AP-title-not-recognized",
        /// calling-AP-invocation-identifier-not-recognized (4).
        CALLING_AP_INVOCATION_NOT_RECOGNIZED = 4 => "calling-AP-invocation-identifier-not-recognized",
        /// calling-AE-qualifier-not-recognized (5).
        CALLING_AE_QUALIFIER_NOT_RECOGNIZED = 5 => "calling-AE-qualifier-not-recognized",
        /// calling-AE-invocation-identifier-not-recognized (6).
        CALLING_AE_INVOCATION_NOT_RECOGNIZED = 6 => "calling-AE-invocation-identifier-not-recognized",
        /// called-AP-title-not-recognized (7).
        CALLED_AP_TITLE_NOT_RECOGNIZED = 7 => "called-AP-title-not-recognized",
        /// called-AP-invocation-identifier-not-recognized (8).
        CALLED_AP_INVOCATION_NOT_RECOGNIZED = 8 => "called-AP-invocation-identifier-not-recognized",
        /// called-AE-qualifier-not-recognized (9).
        CALLED_AE_QUALIFIER_NOT_RECOGNIZED = 9 => "called-AE-qualifier-not-recognized",
        /// called-AE-invocation-identifier-not-recognized (10).
        CALLED_AE_INVOCATION_NOT_RECOGNIZED = 10 => "called-AE-invocation-identifier-not-recognized",
        /// authentication-mechanism-name-not-recognized (11).
        MECHANISM_NAME_NOT_RECOGNIZED = 11 => "authentication-mechanism-name-not-recognized",
        /// authentication-mechanism-name-required (12).
        MECHANISM_NAME_REQUIRED = 12 => "authentication-mechanism-name-required",
        /// authentication-failure (13): a wrong password.
        AUTHENTICATION_FAILURE = 13 => "authentication-failure",
        /// authentication-required (14).
        AUTHENTICATION_REQUIRED = 14 => "authentication-required",
    }
}

osi_sansio::code_point! {
    /// `Associate-source-diagnostic` acse-service-provider `[2]` (ACSE-1).
    pub struct ProviderDiagnostic(u32), undefined "not a diagnostic of X.227" {
        /// null (0).
        NULL = 0 => "null",
        /// no-reason-given (1).
        NO_REASON_GIVEN = 1 => "no-reason-given",
        /// no-common-acse-version (2).
        NO_COMMON_ACSE_VERSION = 2 => "no-common-acse-version",
    }
}

osi_sansio::code_point! {
    /// `Release-request-reason` (ACSE-1, RLRQ-apdu reason).
    pub struct ReleaseRequestReason(u32), undefined "not a reason of X.227" {
        /// normal (0).
        NORMAL = 0 => "normal",
        /// urgent (1).
        URGENT = 1 => "urgent",
        /// user-defined (30).
        USER_DEFINED = 30 => "user-defined",
    }
}

osi_sansio::code_point! {
    /// `Release-response-reason` (ACSE-1, RLRE-apdu reason).
    pub struct ReleaseResponseReason(u32), undefined "not a reason of X.227" {
        /// normal (0).
        NORMAL = 0 => "normal",
        /// not-finished (1): the responder refuses to release.
        NOT_FINISHED = 1 => "not-finished",
        /// user-defined (30).
        USER_DEFINED = 30 => "user-defined",
    }
}

osi_sansio::code_point! {
    /// `ABRT-source` (ACSE-1, ABRT-apdu abort-source).
    pub struct AbortSource(u32), undefined "not a source of X.227" {
        /// acse-service-user (0): an A-ABORT request.
        SERVICE_USER = 0 => "acse-service-user",
        /// acse-service-provider (1): the ACPM aborted (an invalid APDU, say).
        SERVICE_PROVIDER = 1 => "acse-service-provider",
    }
}

osi_sansio::code_point! {
    /// `ABRT-diagnostic` (ACSE-1, an ENUMERATED, so encoded as an INTEGER).
    pub struct AbortDiagnostic(u32), undefined "not a diagnostic of X.227" {
        /// no-reason-given (1).
        NO_REASON_GIVEN = 1 => "no-reason-given",
        /// protocol-error (2).
        PROTOCOL_ERROR = 2 => "protocol-error",
        /// authentication-mechanism-name-not-recognized (3).
        MECHANISM_NAME_NOT_RECOGNIZED = 3 => "authentication-mechanism-name-not-recognized",
        /// authentication-mechanism-name-required (4).
        MECHANISM_NAME_REQUIRED = 4 => "authentication-mechanism-name-required",
        /// authentication-failure (5).
        AUTHENTICATION_FAILURE = 5 => "authentication-failure",
        /// authentication-required (6).
        AUTHENTICATION_REQUIRED = 6 => "authentication-required",
    }
}

/// Bits of `ACSE-requirements` (ACSE-1): the functional units beyond the kernel that the
/// sender proposes (AARQ) or selects (AARE). Test with [`BitString::bit`](crate::BitString::bit).
pub mod acse_requirements {
    /// authentication (0).
    pub const AUTHENTICATION: usize = 0;
    /// aSO-context-negotiation (1).
    pub const ASO_CONTEXT_NEGOTIATION: usize = 1;
    /// higher-level-association (2).
    pub const HIGHER_LEVEL_ASSOCIATION: usize = 2;
    /// nested-association (3).
    pub const NESTED_ASSOCIATION: usize = 3;
}
