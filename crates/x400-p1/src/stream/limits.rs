//! What the splitter may buffer, with the defaults.

/// Default [`SplitLimits::max_envelope`]: 1 MiB, room for some 20 000 recipients of about 50
/// octets each; an envelope with the full ub-recipients (32 767) needs a higher limit.
pub const DEFAULT_MAX_ENVELOPE: usize = 1 << 20;
/// Default [`SplitLimits::max_whole`]: 1 MiB for a whole report or probe. A report that
/// returns a larger content (X.411 `returned-content`) is refused; raise the limit to accept it.
pub const DEFAULT_MAX_WHOLE: usize = 1 << 20;
/// Default [`SplitLimits::max_depth`]: 32, the nesting [`crate::DEFAULT_LIMITS`] allows a
/// whole APDU (counted the same way, the APDU itself included), so that every APDU the
/// decoder takes also passes the splitter.
pub const DEFAULT_MAX_DEPTH: usize = 32;

/// What the splitter buffers and how deep it follows constructed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitLimits {
    /// Largest message envelope, its TLV octets included.
    pub max_envelope: usize,
    /// Largest whole report or probe APDU.
    pub max_whole: usize,
    /// Most constructed values open at once, the APDU itself included.
    pub max_depth: usize,
}

impl SplitLimits {
    /// The `DEFAULT_*` limits.
    pub const DEFAULT: Self = Self {
        max_envelope: DEFAULT_MAX_ENVELOPE,
        max_whole: DEFAULT_MAX_WHOLE,
        max_depth: DEFAULT_MAX_DEPTH,
    };
}

impl Default for SplitLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
