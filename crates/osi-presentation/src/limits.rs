//! What the decoders accept at most.

/// Bounds of the PPDU decoders. X.226 bounds none of these lists; these bounds keep hostile
/// input from costing unbounded time, and each is far above what a deployed entity sends
/// (ISODE and libiec61850 propose at most a handful of contexts).
///
/// Start from [`Limits::DEFAULT`] and set fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Longest PPDU, in octets.
    pub max_len: usize,
    /// Deepest nesting of BER values in a PPDU, PDV values included.
    pub max_depth: usize,
    /// Most BER values (at any depth) in one PPDU.
    pub max_elements: usize,
    /// Most items in a presentation context definition, addition, result, deletion or
    /// identifier list.
    pub max_contexts: usize,
    /// Most transfer syntax names proposed for one context.
    pub max_transfer_syntaxes: usize,
    /// Most PDV-lists in fully encoded user data.
    pub max_pdvs: usize,
    /// Most arcs in an OBJECT IDENTIFIER.
    pub max_oid_arcs: usize,
    /// Longest presentation selector, in octets.
    pub max_selector_len: usize,
}

impl Limits {
    /// Default [`Limits::max_len`]: 16 MiB, as `osi_sansio::DecodeLimits`.
    pub const DEFAULT_MAX_LEN: usize = osi_sansio::DecodeLimits::DEFAULT_MAX_LEN;
    /// Default [`Limits::max_depth`]: 32. A CP with AARQ, RTORQ and a P1 bind nests 12 deep.
    pub const DEFAULT_MAX_DEPTH: usize = osi_sansio::DecodeLimits::DEFAULT_MAX_DEPTH;
    /// Default [`Limits::max_elements`]: 1 048 576.
    pub const DEFAULT_MAX_ELEMENTS: usize = osi_sansio::DecodeLimits::DEFAULT_MAX_ELEMENTS;
    /// Default [`Limits::max_contexts`]: 128, the number of odd identifiers below 256.
    pub const DEFAULT_MAX_CONTEXTS: usize = 128;
    /// Default [`Limits::max_transfer_syntaxes`]: 16.
    pub const DEFAULT_MAX_TRANSFER_SYNTAXES: usize = 16;
    /// Default [`Limits::max_pdvs`]: 256.
    pub const DEFAULT_MAX_PDVS: usize = 256;
    /// Default [`Limits::max_oid_arcs`]: 32 (the longest registered X.400 and X.500
    /// identifiers have under 12).
    pub const DEFAULT_MAX_OID_ARCS: usize = 32;
    /// Default [`Limits::max_selector_len`]: 64 octets.
    pub const DEFAULT_MAX_SELECTOR_LEN: usize = 64;

    /// The defaults.
    pub const DEFAULT: Self = Self {
        max_len: Self::DEFAULT_MAX_LEN,
        max_depth: Self::DEFAULT_MAX_DEPTH,
        max_elements: Self::DEFAULT_MAX_ELEMENTS,
        max_contexts: Self::DEFAULT_MAX_CONTEXTS,
        max_transfer_syntaxes: Self::DEFAULT_MAX_TRANSFER_SYNTAXES,
        max_pdvs: Self::DEFAULT_MAX_PDVS,
        max_oid_arcs: Self::DEFAULT_MAX_OID_ARCS,
        max_selector_len: Self::DEFAULT_MAX_SELECTOR_LEN,
    };

    /// No bound but the input itself: used to re-read lists that were checked against the
    /// caller's limits when the PPDU was decoded.
    pub(crate) const CHECKED: Self = Self {
        max_len: usize::MAX,
        max_depth: osi_sansio::ber::MAX_DEPTH,
        max_elements: usize::MAX,
        max_contexts: usize::MAX,
        max_transfer_syntaxes: usize::MAX,
        max_pdvs: usize::MAX,
        max_oid_arcs: usize::MAX,
        max_selector_len: usize::MAX,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
