//! One SPDU: type, parameters and user information (X.225 §8.2–8.3).
//!
//! ```text
//! | SI (1) | LI (1 or FF hi lo) | parameter field: PGI/PI units (LI octets) | user information (DT, TD, EX) |
//! ```
//!
//! The LI counts only the parameter field; the user information of DT, TD and EX runs to the
//! end of the TSDU, so those SPDUs are always last (X.225 §8.2.5).

mod check;
mod new;
mod sync_type;
mod types;

pub use self::types::*;
use crate::params::Fields;
use crate::unit::{MAX_LI, Out, li_len, read_li};
use crate::values::*;
use crate::{Error, Kind, Result};

/// Largest SS-user data in CN (PGI 193), in either version (X.225 §8.3.1.19).
pub const MAX_CONNECT_USER_DATA: usize = 512;
/// Largest Extended User Data (PGI 194) in CN, version 2 (X.225 §8.3.1.21).
pub const MAX_EXTENDED_USER_DATA: usize = 10240;
/// Largest SS-user data in any SPDU under version 1 (X.225 §8.3; AB has its own limit).
pub const MAX_V1_USER_DATA: usize = 512;
/// Largest AB user data under version 1.
pub const MAX_V1_ABORT_USER_DATA: usize = 9;
/// Largest user data in one CDO (X.225 §8.3, CONNECT DATA OVERFLOW SPDU).
pub const MAX_CDO_USER_DATA: usize = 65528;
/// Largest user information of EX.
pub const MAX_EXPEDITED_DATA: usize = 14;

/// What an SI 42 SPDU is: MAA and AEA are encoded identically, and only the protocol
/// machine knows which one it waits for (X.225 Table A.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Si42 {
    /// Decode SI 42 as MAJOR SYNC ACK (a MAP is outstanding).
    MajorSyncAck,
    /// Decode SI 42 as ACTIVITY END ACK (an AE is outstanding).
    ActivityEndAck,
}

/// The protocol state the decoder needs, given explicitly instead of guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Context {
    /// The negotiated protocol version; `None` before the connection is established (CN, AC
    /// and RF then follow the version they carry, and no version 1 limit is applied to
    /// other SPDUs).
    pub version: Option<Version>,
    /// How to read SI 42.
    pub si42: Si42,
    /// Whether this side announced Protocol Options bit 1, i.e. may receive extended
    /// concatenation (X.225 Table 8).
    pub extended_concatenation: bool,
}

impl Context {
    /// No version negotiated yet, SI 42 read as `si42`, basic concatenation only.
    pub const fn new(si42: Si42) -> Self {
        Self {
            version: None,
            si42,
            extended_concatenation: false,
        }
    }
}

impl<'a> Spdu<'a> {
    /// Decodes one SPDU at the start of `src`; `first` says whether it starts the TSDU,
    /// which decides between GT/DT, AB/AI and AA/AIA (X.225 §6.3.7).
    ///
    /// Returns the SPDU and the octets it used (all of `src` for DT, TD and EX). The SPDU
    /// is checked on its own: the parameters its type allows and requires, their sizes and
    /// values, and the version 1 limits when `ctx` says version 1; its place in the TSDU is
    /// checked by [`crate::Spdus`].
    ///
    /// # Errors
    ///
    /// Any [`Error`] about the octets of one SPDU.
    #[inline]
    pub fn decode(src: &'a [u8], first: bool, ctx: &Context) -> Result<(Self, usize)> {
        let mut slot = None;
        let used = Spdu::decode_into(&mut slot, src, first, ctx)?;
        // `decode_into` fills the slot whenever it succeeds.
        Ok((slot.ok_or(Error::Empty)?, used))
    }

    /// [`Spdu::decode`] into `slot`, which it fills on success; returns the octets used.
    #[inline]
    pub(crate) fn decode_into(
        slot: &mut Option<Self>,
        src: &'a [u8],
        first: bool,
        ctx: &Context,
    ) -> Result<usize> {
        let (&si, rest) = src.split_first().ok_or(Error::Empty)?;
        if si == 64 || si >= 0x80 {
            return Err(Error::UnsupportedSi(si));
        }
        let kind = Kind::from_si(si, first).ok_or(Error::UnknownSi(si))?;
        let (li, used) = read_li(rest, "SPDU")?;
        let field = rest.get(used..used + li).ok_or(Error::Truncated("SPDU"))?;
        let after = rest.get(used + li..).unwrap_or_default();
        let info = |kind: Kind| {
            if kind.has_user_info() {
                (after, src.len())
            } else {
                (&[][..], 1 + used + li)
            }
        };
        let si42 = match ctx.si42 {
            Si42::MajorSyncAck => Kind::MajorSyncAck,
            Si42::ActivityEndAck => Kind::ActivityEndAck,
        };
        let consumed = if field.is_empty() {
            // No parameters (GT and DT of the data phase): the empty workspace is a constant.
            let kind = match kind {
                // SI 41 without a Sync Type Item is AE (see below).
                Kind::MajorSyncPoint => Kind::ActivityEnd,
                Kind::MajorSyncAck => si42,
                k => k,
            };
            let (user_info, consumed) = info(kind);
            Spdu::fill(slot, kind, &Fields::NONE, user_info)?;
            consumed
        } else {
            let mut f = Fields::NONE;
            Fields::parse_into(&mut f, kind, field)?;
            let kind = match kind {
                // X.225 §8.3, MAJOR SYNC POINT SPDU: MAP always carries the Sync Type Item
                // with bit 1 set; SI 41 without it is ACTIVITY END (ISODE treats it the same
                // way).
                Kind::MajorSyncPoint => match f.sync_type {
                    Some(t) if t.contains(SyncType::NO_CONFIRM_OR_NOT_END) => Kind::MajorSyncPoint,
                    _ => Kind::ActivityEnd,
                },
                Kind::MajorSyncAck => si42,
                k => k,
            };
            let (user_info, consumed) = info(kind);
            Spdu::fill(slot, kind, &f, user_info)?;
            consumed
        };
        if let Some(s) = slot {
            s.check(ctx.version)?;
        }
        Ok(consumed)
    }

    fn param_len(&self) -> Result<usize> {
        let mut counter = Out::counter();
        self.emit_params(&mut counter)?;
        let n = counter.pos();
        if n > MAX_LI {
            return Err(Error::FieldTooLong(n));
        }
        Ok(n)
    }

    /// Octets [`Spdu::encode`] writes.
    ///
    /// # Errors
    ///
    /// [`Error::FieldTooLong`] if the parameter field exceeds 65 535 octets.
    pub fn encoded_len(&self) -> Result<usize> {
        let n = self.param_len()?;
        Ok(1 + li_len(n) + n + self.user_info().len())
    }

    /// Writes the SPDU to the start of `dst`: parameters in increasing code order, shortest
    /// length indicators. Returns the octets written.
    ///
    /// # Errors
    ///
    /// What [`Spdu::decode`] would report about the value without a negotiated version (so
    /// what is encoded always decodes again): a length or value X.225 does not allow,
    /// values that do not go together, the limits of the version a CN, AC, RF, OA or CDO
    /// carries; [`Error::FieldTooLong`], or [`Error::BufferTooSmall`] (nothing is written
    /// then).
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        self.check(None)?;
        let n = self.param_len()?;
        let info = self.user_info();
        let needed = 1 + li_len(n) + n + info.len();
        let available = dst.len();
        let out = dst
            .get_mut(..needed)
            .ok_or(Error::BufferTooSmall { needed, available })?;
        let mut w = Out::writer(out);
        w.put(&[self.kind().si()])?;
        w.put_li(n)?;
        self.emit_params(&mut w)?;
        w.put(info)?;
        Ok(w.pos())
    }

    /// Appends the SPDU to `v`.
    ///
    /// # Errors
    ///
    /// Those of [`Spdu::encode`] except [`Error::BufferTooSmall`]; `v` is unchanged then.
    #[cfg(feature = "alloc")]
    pub fn encode_to_vec(&self, v: &mut alloc::vec::Vec<u8>) -> Result<usize> {
        let start = v.len();
        v.resize(start + self.encoded_len()?, 0);
        let r = self.encode(v.get_mut(start..).unwrap_or_default());
        if r.is_err() {
            v.truncate(start);
        }
        r
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)] // a panic is how a test fails
mod tests {
    use super::*;
    use crate::code::Code;

    /// Each struct's fields are the codes [`Kind::allowed`] lists for its SPDU, in the
    /// same (increasing) order: the order they are encoded in.
    #[test]
    fn struct_fields_are_the_allowed_codes() {
        for &k in Kind::ALL {
            assert_eq!(codes(k), k.allowed(), "{k}");
        }
    }

    /// The plain (not `Option`) fields are the mandatory parameters of the table: taking an
    /// SPDU out of an empty workspace fails on the first of them, or succeeds.
    #[test]
    fn plain_fields_are_the_mandatory_codes() {
        for &k in Kind::ALL {
            let mut slot = None;
            let r = Spdu::fill(&mut slot, k, &Fields::NONE, &[]).map(|()| slot.map(|s| s.kind()));
            match k.mandatory().first() {
                Some(&code) => assert_eq!(
                    r,
                    Err(Error::MissingParameter {
                        spdu: k,
                        code: Code(code)
                    }),
                    "{k}"
                ),
                None => assert_eq!(r, Ok(Some(k))),
            }
        }
    }

    /// Copying SPDUs around is what decoding a TSDU costs: keep them small.
    #[test]
    fn spdus_stay_small() {
        let size = size_of::<Spdu<'_>>();
        assert!(size <= 320, "{size}");
    }
}
