//! The Sync Type Item (PI 15) of the two SPDUs that share SI 41: bit 1 tells them apart
//! (X.225 §8.3, MAJOR SYNC POINT SPDU), so each has a type that keeps it right.

use crate::code::Code;
use crate::params::Param;
use crate::unit::{Out, Unknown};
use crate::values::SyncType;
use crate::{Error, Kind, Result};

/// The Sync Type Item (PI 15) of a MAJOR SYNC POINT: always present, bit 1 ("not end of
/// activity") always set, for SI 41 without it is ACTIVITY END (X.225 §8.3, MAJOR SYNC
/// POINT SPDU). The other bits are kept as received.
///
/// INVARIANT: bit 1 is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MajorSyncType(u8);

impl MajorSyncType {
    /// Bit 1 alone: what a MAP carries.
    pub const NOT_END: Self = Self(SyncType::NO_CONFIRM_OR_NOT_END);

    /// The octet as a [`SyncType`].
    pub const fn get(self) -> SyncType {
        SyncType(self.0)
    }
}

impl Default for MajorSyncType {
    fn default() -> Self {
        Self::NOT_END
    }
}

/// Fails with [`Error::SyncTypeMismatch`] when bit 1 is clear: that SPDU is an AE.
impl TryFrom<SyncType> for MajorSyncType {
    type Error = Error;

    fn try_from(t: SyncType) -> Result<Self> {
        if t.contains(SyncType::NO_CONFIRM_OR_NOT_END) {
            Ok(Self(t.0))
        } else {
            Err(Error::SyncTypeMismatch(Kind::MajorSyncPoint))
        }
    }
}

/// The Sync Type Item (PI 15) an ACTIVITY END may carry: bit 1 always clear, for SI 41 with
/// it is MAJOR SYNC POINT (X.225 §8.3, ACTIVITY END SPDU; ISODE sends `0f 01 00`). The
/// other bits are kept as received.
///
/// INVARIANT: bit 1 is clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ActivityEndSyncType(u8);

impl ActivityEndSyncType {
    /// The octet as a [`SyncType`].
    pub const fn get(self) -> SyncType {
        SyncType(self.0)
    }
}

/// Fails with [`Error::SyncTypeMismatch`] when bit 1 is set: that SPDU is a MAP.
impl TryFrom<SyncType> for ActivityEndSyncType {
    type Error = Error;

    fn try_from(t: SyncType) -> Result<Self> {
        if t.contains(SyncType::NO_CONFIRM_OR_NOT_END) {
            Err(Error::SyncTypeMismatch(Kind::ActivityEnd))
        } else {
            Ok(Self(t.0))
        }
    }
}

impl Param for MajorSyncType {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        self.0.emit(code, out, u)
    }
}

impl Param for ActivityEndSyncType {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        self.0.emit(code, out, u)
    }
}
