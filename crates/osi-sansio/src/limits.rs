//! Limits of the decoders of untrusted input.

/// What a decoder of untrusted input accepts at most. Every decoder that takes BER from a
/// peer (RTS PDUs, P1 APDUs) checks these before or while it decodes, so hostile input costs
/// neither unbounded memory nor stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DecodeLimits {
    /// Longest input, in octets; longer input is refused before any decoding.
    pub max_len: usize,
    /// Deepest nesting of constructed values, the outermost counting 1.
    pub max_depth: usize,
    /// Most values (TLVs at any depth) one input may hold: it bounds the memory of the
    /// decoded structure, which can be hundreds of times the octets it came from.
    pub max_elements: usize,
}

impl DecodeLimits {
    /// Default [`DecodeLimits::max_len`]: 16 MiB.
    pub const DEFAULT_MAX_LEN: usize = 16 << 20;
    /// Default [`DecodeLimits::max_depth`]: 32.
    pub const DEFAULT_MAX_DEPTH: usize = 32;
    /// Default [`DecodeLimits::max_elements`]: 1 048 576.
    pub const DEFAULT_MAX_ELEMENTS: usize = 1 << 20;

    /// The defaults.
    pub const DEFAULT: Self = Self {
        max_len: Self::DEFAULT_MAX_LEN,
        max_depth: Self::DEFAULT_MAX_DEPTH,
        max_elements: Self::DEFAULT_MAX_ELEMENTS,
    };

    /// These limits with `max_len` set.
    #[must_use]
    pub const fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// These limits with `max_depth` set.
    #[must_use]
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// These limits with `max_elements` set.
    #[must_use]
    pub const fn with_max_elements(mut self, max_elements: usize) -> Self {
        self.max_elements = max_elements;
        self
    }
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
