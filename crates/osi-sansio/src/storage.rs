//! The memory a machine keeps octets in (a reassembled TSDU, queued output, received user
//! data): fixed, or growing on demand and given back when empty.
//!
//! A machine is given its storage and never allocates itself. Fixed storage (`[u8; N]`,
//! `&mut [u8]`, a `Vec<u8>` of the wanted length) suits `no_std` and a few connections; an
//! MTA holding thousands of mostly idle associations wants [`GrowBuf`] (feature `alloc`),
//! which holds no memory until octets arrive and gives it back once they are consumed.

/// Octets a machine may use, up to [`Storage::limit`].
pub trait Storage {
    /// The octets available now; [`Storage::grow_to`] makes more available.
    fn octets(&self) -> &[u8];

    /// The octets available now, writable.
    fn octets_mut(&mut self) -> &mut [u8];

    /// The most octets this storage can ever provide.
    fn limit(&self) -> usize;

    /// Makes at least `len` octets available, keeping the first ones. Returns `false`,
    /// changing nothing, if `len` is over the limit.
    fn grow_to(&mut self, len: usize) -> bool;

    /// Tells the storage that only its first `used` octets still matter: it may give back
    /// the memory of the others. Fixed storage keeps everything.
    fn shrink_to(&mut self, used: usize) {
        let _ = used;
    }
}

/// Fixed storage: every octet is available from the start, and it never grows.
impl<T: AsRef<[u8]> + AsMut<[u8]>> Storage for T {
    fn octets(&self) -> &[u8] {
        self.as_ref()
    }

    fn octets_mut(&mut self) -> &mut [u8] {
        self.as_mut()
    }

    fn limit(&self) -> usize {
        self.as_ref().len()
    }

    fn grow_to(&mut self, len: usize) -> bool {
        len <= self.as_ref().len()
    }
}

#[cfg(feature = "alloc")]
pub use growable::GrowBuf;

#[cfg(feature = "alloc")]
mod growable {
    use alloc::vec::Vec;

    use super::Storage;

    /// Storage that starts empty, grows on demand up to a limit, and gives its memory back
    /// when a machine is done with what it holds.
    ///
    /// Growth at least doubles (from [`GrowBuf::MIN_GROWTH`]) so that a TSDU reassembled
    /// from many segments costs few copies. Memory past the used octets is freed when the
    /// allocation is more than twice what is used, and entirely when nothing is used, so an
    /// idle connection holds none.
    #[derive(Debug, Clone, Default)]
    pub struct GrowBuf {
        octets: Vec<u8>,
        limit: usize,
    }

    impl GrowBuf {
        /// Smallest allocation made on the first growth, unless the limit is lower.
        pub const MIN_GROWTH: usize = 1024;

        /// Empty storage that may grow to `limit` octets.
        pub const fn new(limit: usize) -> Self {
            Self {
                octets: Vec::new(),
                limit,
            }
        }

        /// Octets allocated now (for memory accounting).
        pub fn allocated(&self) -> usize {
            self.octets.capacity()
        }
    }

    impl Storage for GrowBuf {
        fn octets(&self) -> &[u8] {
            &self.octets
        }

        fn octets_mut(&mut self) -> &mut [u8] {
            &mut self.octets
        }

        fn limit(&self) -> usize {
            self.limit
        }

        fn grow_to(&mut self, len: usize) -> bool {
            if len > self.limit {
                return false;
            }
            let have = self.octets.len();
            if len > have {
                let target = len
                    .max(have.saturating_mul(2))
                    .max(Self::MIN_GROWTH)
                    .min(self.limit);
                self.octets.reserve_exact(target - have);
                self.octets.resize(target, 0);
            }
            true
        }

        fn shrink_to(&mut self, used: usize) {
            if used == 0 {
                self.octets = Vec::new();
            } else if self.octets.len() > used.saturating_mul(2) {
                self.octets.truncate(used);
                self.octets.shrink_to_fit();
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn grows_keeps_and_gives_back() {
            let mut b = GrowBuf::new(10_000);
            assert_eq!(b.allocated(), 0);
            assert!(b.grow_to(10));
            assert_eq!(b.octets().len(), GrowBuf::MIN_GROWTH);
            b.octets_mut()[..3].copy_from_slice(b"abc");
            assert!(b.grow_to(3000));
            assert!(b.octets().len() >= 3000 && b.octets().len() <= 10_000);
            assert_eq!(&b.octets()[..3], b"abc");
            assert!(b.grow_to(10_000));
            assert_eq!(b.octets().len(), 10_000);
            assert!(!b.grow_to(10_001));
            assert_eq!(b.octets().len(), 10_000);
            b.shrink_to(3);
            assert_eq!(b.octets(), b"abc");
            b.shrink_to(3);
            assert_eq!(b.octets(), b"abc");
            b.shrink_to(0);
            assert_eq!(b.allocated(), 0);
        }

        #[test]
        fn small_limit_caps_first_growth() {
            let mut b = GrowBuf::new(100);
            assert!(b.grow_to(1));
            assert_eq!(b.octets().len(), 100);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_storage_is_its_length() {
        let mut a = [0u8; 16];
        assert_eq!(Storage::limit(&a), 16);
        assert!(a.grow_to(16));
        assert!(!a.grow_to(17));
        a.shrink_to(0);
        assert_eq!(a.octets().len(), 16);
    }
}
