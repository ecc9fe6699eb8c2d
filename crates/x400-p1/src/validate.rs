//! Checking values against X.411's upper bounds and rules, before encoding and after decoding.

use crate::{Error, Result};

/// A value that can be checked against X.411's upper bounds and structural rules.
///
/// The crate's `decode` and `encode` call it on every PDU; call it yourself to check a value
/// you built before handing it on.
pub trait Validate {
    /// Checks every field, depth first, and returns the first bound or rule broken.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfBounds`] naming the X.411 bound, or [`Error::Invalid`] naming the rule.
    fn validate(&self) -> Result<()>;
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<()> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }
}

impl<T: Validate> Validate for alloc::vec::Vec<T> {
    fn validate(&self) -> Result<()> {
        self.iter().try_for_each(Validate::validate)
    }
}

/// `actual` must lie in `min..=max`, else [`Error::OutOfBounds`] naming `what` and `bound`.
pub(crate) fn within(
    what: &'static str,
    bound: &'static str,
    min: usize,
    max: usize,
    actual: usize,
) -> Result<()> {
    if min <= actual && actual <= max {
        Ok(())
    } else {
        Err(Error::OutOfBounds {
            what,
            bound,
            min,
            max,
            actual,
        })
    }
}

/// Like [`within`] for integer values, which may be wider than `usize` on small targets.
pub(crate) fn value_within(
    what: &'static str,
    bound: &'static str,
    min: usize,
    max: usize,
    actual: u64,
) -> Result<()> {
    let shown = usize::try_from(actual).unwrap_or(usize::MAX);
    if (min as u64) <= actual && actual <= max as u64 {
        Ok(())
    } else {
        Err(Error::OutOfBounds {
            what,
            bound,
            min,
            max,
            actual: shown,
        })
    }
}

/// An [`Error::Invalid`].
pub(crate) fn invalid<T>(what: &'static str, rule: &'static str) -> Result<T> {
    Err(Error::Invalid { what, rule })
}
