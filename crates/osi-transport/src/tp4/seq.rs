//! Sequence numbers: absolute 64-bit counters inside, 7- or 31-bit numbers on the wire.
//!
//! X.224 compares numbers "within the window" (6.10.3). Keeping an absolute count of DTs
//! sent or received and translating only at the wire boundary makes every comparison a
//! plain integer one; a wire number is placed relative to a known absolute base, which is
//! unambiguous because every window is far smaller than half the sequence space.

/// The sequence space of the selected format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Space {
    mask: u64,
}

/// Where a received wire number lies relative to a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `d` numbers at or after the base.
    Ahead(u64),
    /// `d` numbers before the base (1 = the number just below it).
    Behind(u64),
}

impl Space {
    /// 7-bit numbers (normal format) or 31-bit (extended).
    pub(crate) fn new(extended: bool) -> Self {
        Self {
            mask: if extended { 0x7fff_ffff } else { 0x7f },
        }
    }

    /// The wire number of an absolute one.
    pub(crate) fn wire(self, abs: u64) -> u32 {
        u32::try_from(abs & self.mask).unwrap_or(0)
    }

    /// Places `nr` relative to the absolute `base`: the nearer of the two readings, ahead
    /// when both are equally far.
    pub(crate) fn place(self, base: u64, nr: u32) -> Place {
        let modulus = self.mask + 1;
        let d = (u64::from(nr).wrapping_sub(base)) & self.mask;
        if d < modulus / 2 {
            Place::Ahead(d)
        } else {
            Place::Behind(modulus - d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_wraps_at_128() {
        let s = Space::new(false);
        assert_eq!(s.wire(130), 2);
        assert_eq!(s.place(126, 1), Place::Ahead(3));
        assert_eq!(s.place(130, 127), Place::Behind(3));
    }

    #[test]
    fn extended_wraps_at_2_pow_31() {
        let s = Space::new(true);
        let base = (1u64 << 31) - 2;
        assert_eq!(s.place(base, 1), Place::Ahead(3));
        assert_eq!(s.wire(base + 3), 1);
        assert_eq!(s.place(5, 4), Place::Behind(1));
    }
}
