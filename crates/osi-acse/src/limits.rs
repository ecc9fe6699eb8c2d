//! What the decoders accept at most.

/// Bounds of the APDU decoders. X.227 bounds none of these; these bounds keep hostile input
/// from costing unbounded time, and each is far above what a deployed ACSE sends (PP and
/// libiec61850 put one EXTERNAL in user-information, and no context name list).
///
/// Start from [`Limits::DEFAULT`] and set fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Longest APDU, in octets.
    pub max_len: usize,
    /// Deepest nesting of BER values in an APDU, user information included.
    pub max_depth: usize,
    /// Most BER values (at any depth) in one APDU.
    pub max_elements: usize,
    /// Most EXTERNALs in user-information.
    pub max_externals: usize,
    /// Most names in an aSO-context-name-list.
    pub max_context_names: usize,
    /// Most arcs in an OBJECT IDENTIFIER.
    pub max_oid_arcs: usize,
    /// Longest character string (authentication charstring, implementation-information,
    /// form 3 titles and qualifiers, data-value-descriptor), in octets.
    pub max_text_len: usize,
}

impl Limits {
    /// Default [`Limits::max_len`]: 16 MiB, as `osi_sansio::DecodeLimits`.
    pub const DEFAULT_MAX_LEN: usize = osi_sansio::DecodeLimits::DEFAULT_MAX_LEN;
    /// Default [`Limits::max_depth`]: 32, far above the nesting of PP's AARQ (an RTORQ
    /// with a P1 bind inside) and libiec61850's (an MMS initiate request).
    pub const DEFAULT_MAX_DEPTH: usize = osi_sansio::DecodeLimits::DEFAULT_MAX_DEPTH;
    /// Default [`Limits::max_elements`]: 1 048 576.
    pub const DEFAULT_MAX_ELEMENTS: usize = osi_sansio::DecodeLimits::DEFAULT_MAX_ELEMENTS;
    /// Default [`Limits::max_externals`]: 64.
    pub const DEFAULT_MAX_EXTERNALS: usize = 64;
    /// Default [`Limits::max_context_names`]: 64.
    pub const DEFAULT_MAX_CONTEXT_NAMES: usize = 64;
    /// Default [`Limits::max_oid_arcs`]: 32 (registered application context names have
    /// under 12).
    pub const DEFAULT_MAX_OID_ARCS: usize = 32;
    /// Default [`Limits::max_text_len`]: 1024 octets (X.411 bounds an MTA password,
    /// ub-password-length, at 62).
    pub const DEFAULT_MAX_TEXT_LEN: usize = 1024;

    /// The defaults.
    pub const DEFAULT: Self = Self {
        max_len: Self::DEFAULT_MAX_LEN,
        max_depth: Self::DEFAULT_MAX_DEPTH,
        max_elements: Self::DEFAULT_MAX_ELEMENTS,
        max_externals: Self::DEFAULT_MAX_EXTERNALS,
        max_context_names: Self::DEFAULT_MAX_CONTEXT_NAMES,
        max_oid_arcs: Self::DEFAULT_MAX_OID_ARCS,
        max_text_len: Self::DEFAULT_MAX_TEXT_LEN,
    };

    /// No bound but the input itself: used to re-read lists that were checked against the
    /// caller's limits when the APDU was decoded.
    pub(crate) const CHECKED: Self = Self {
        max_len: usize::MAX,
        max_depth: osi_sansio::ber::MAX_DEPTH,
        max_elements: usize::MAX,
        max_externals: usize::MAX,
        max_context_names: usize::MAX,
        max_oid_arcs: usize::MAX,
        max_text_len: usize::MAX,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
