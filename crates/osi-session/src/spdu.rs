//! One SPDU: type, parameters and user information (X.225 §8.2–8.3).
//!
//! ```text
//! | SI (1) | LI (1 or FF hi lo) | parameter field: PGI/PI units (LI octets) | user information (DT, TD, EX) |
//! ```
//!
//! The LI counts only the parameter field; the user information of DT, TD and EX runs to the
//! end of the TSDU, so those SPDUs are always last (X.225 §8.2.5).

use crate::code::Code;
use crate::unit::{MAX_LI, Out, li_len, read_li};
use crate::values::*;
use crate::{Error, Kind, Params, Result};

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

/// One SPDU, borrowed from the TSDU it was decoded from (or from the caller's buffers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spdu<'a> {
    /// The SPDU type.
    pub kind: Kind,
    /// The parameters.
    pub params: Params<'a>,
    /// The user information field (DT, TD, EX only; empty otherwise).
    pub user_info: &'a [u8],
}

impl<'a> Spdu<'a> {
    /// An SPDU of type `kind` without parameters or user information.
    pub const fn new(kind: Kind) -> Spdu<'static> {
        Spdu {
            kind,
            params: Params::NONE,
            user_info: &[],
        }
    }

    /// Decodes one SPDU at the start of `src`; `first` says whether it starts the TSDU,
    /// which decides between GT/DT, AB/AI and AA/AIA (X.225 §6.3.7).
    ///
    /// Returns the SPDU and the octets it used (all of `src` for DT, TD and EX). Checks
    /// everything [`Spdu::check`] checks; the place in the TSDU is checked by
    /// [`crate::Spdus`].
    ///
    /// # Errors
    ///
    /// Any [`Error`] about the octets of one SPDU.
    #[inline]
    pub fn decode(src: &'a [u8], first: bool, ctx: &Context) -> Result<(Self, usize)> {
        let mut spdu = Spdu::new(Kind::GiveTokens);
        let used = spdu.decode_into(src, first, ctx)?;
        Ok((spdu, used))
    }

    /// [`Spdu::decode`] into `self`, which must be an SPDU without parameters
    /// ([`Spdu::new`]); returns the octets used. On error `self` holds a partial result.
    #[inline]
    pub(crate) fn decode_into(
        &mut self,
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
        Params::parse_into(&mut self.params, kind, field)?;
        self.kind = match kind {
            // X.225 §8.3, MAJOR SYNC POINT SPDU: MAP always carries the Sync Type Item with
            // bit 1 set; SI 41 without it is ACTIVITY END (ISODE treats it the same way).
            Kind::MajorSyncPoint => match self.params.sync_type {
                Some(t) if t.contains(SyncType::NO_CONFIRM_OR_NOT_END) => Kind::MajorSyncPoint,
                _ => Kind::ActivityEnd,
            },
            Kind::MajorSyncAck => match ctx.si42 {
                Si42::MajorSyncAck => Kind::MajorSyncAck,
                Si42::ActivityEndAck => Kind::ActivityEndAck,
            },
            k => k,
        };
        let consumed = if self.kind.has_user_info() {
            self.user_info = after;
            src.len()
        } else {
            1 + used + li
        };
        self.check(ctx.version)?;
        Ok(consumed)
    }

    /// Checks the rules X.225 sets for one SPDU: allowed and mandatory parameters, their
    /// sizes, the Sync Type of SI 41, user data limits, and, if `version` is version 1 only,
    /// the version 1 restrictions. CN, AC, RF, OA and CDO use the version they carry.
    ///
    /// # Errors
    ///
    /// The first rule broken.
    #[inline]
    pub fn check(&self, version: Option<Version>) -> Result<()> {
        let (kind, p) = (self.kind, &self.params);
        p.check(kind)?;
        if !kind.has_user_info() && !self.user_info.is_empty() {
            return Err(Error::UserInfoNotAllowed(kind));
        }
        let data_len = p.user_data.map_or(0, <[u8]>::len);
        let too_long = |max: usize| Error::UserDataTooLong {
            spdu: kind,
            len: data_len,
            max,
        };
        match kind {
            Kind::Expedited if self.user_info.len() > MAX_EXPEDITED_DATA => {
                return Err(Error::ExpeditedTooLong(self.user_info.len()));
            }
            Kind::MajorSyncPoint
                if !p
                    .sync_type
                    .is_some_and(|t| t.contains(SyncType::NO_CONFIRM_OR_NOT_END)) =>
            {
                return Err(Error::SyncTypeMismatch(kind));
            }
            Kind::ActivityEnd
                if p.sync_type
                    .is_some_and(|t| t.contains(SyncType::NO_CONFIRM_OR_NOT_END)) =>
            {
                return Err(Error::SyncTypeMismatch(kind));
            }
            Kind::Connect => self.check_connect()?,
            Kind::ConnectDataOverflow => {
                if data_len > MAX_CDO_USER_DATA {
                    return Err(too_long(MAX_CDO_USER_DATA));
                }
                // X.225 §8.3, CONNECT DATA OVERFLOW SPDU: a CDO never begins the SSDU, the
                // CN did.
                if let Some(e) = p.enclosure.filter(|e| e.contains(Enclosure::BEGIN)) {
                    return Err(Error::InvalidValue {
                        code: Code::ENCLOSURE,
                        value: e.0,
                    });
                }
            }
            Kind::Abort => {
                // X.225 §8.3.9: user data only in a user abort, reflected octets only with
                // a protocol error (Transport Disconnect bits 2 and 3).
                let td = p.transport_disconnect.unwrap_or_default();
                if p.user_data.is_some() && !td.contains(TransportDisconnect::USER_ABORT) {
                    return Err(Error::UnexpectedParameter {
                        spdu: kind,
                        code: Code::USER_DATA,
                    });
                }
                if p.reflect.is_some() && !td.contains(TransportDisconnect::PROTOCOL_ERROR) {
                    return Err(Error::UnexpectedParameter {
                        spdu: kind,
                        code: Code::REFLECT,
                    });
                }
                let max = crate::params::MAX_ABORT_REFLECT_LEN;
                if let Some(r) = p.reflect
                    && r.len() > max
                {
                    return Err(Error::TooLong {
                        code: Code::REFLECT,
                        len: r.len(),
                        max,
                    });
                }
            }
            // X.225 §8.3.3: Session User Requirements in RF only with reason 2.
            Kind::Refuse
                if p.requirements.is_some()
                    && p.reason.is_none_or(|r| r.code != Reason::REFUSED_WITH_DATA) =>
            {
                return Err(Error::UnexpectedParameter {
                    spdu: kind,
                    code: Code::SESSION_REQUIREMENTS,
                });
            }
            // OA selects version 2, the only version with overflow (X.225 §8.3, OVERFLOW
            // ACCEPT SPDU).
            Kind::OverflowAccept if p.version.is_some_and(|v| v.0 != Version::V2) => {
                let value = p.version.map_or(0, |v| v.0);
                return Err(Error::InvalidValue {
                    code: Code::VERSION,
                    value,
                });
            }
            // A mandatory parameter has at least one octet (X.225 §8.2.5).
            Kind::ExceptionReport if p.reflect.is_some_and(<[u8]>::is_empty) => {
                return Err(Error::BadLength {
                    code: Code::REFLECT,
                    len: 0,
                });
            }
            // X.225 §8.3, GIVE TOKENS and PLEASE TOKENS SPDUs: user data only together with
            // a Token Item.
            Kind::GiveTokens | Kind::PleaseTokens
                if p.user_data.is_some() && p.token_item.is_none() =>
            {
                return Err(Error::MissingParameter {
                    spdu: kind,
                    code: Code::TOKEN_ITEM,
                });
            }
            Kind::MajorSyncAck
            | Kind::ActivityEndAck
            | Kind::Resynchronize
            | Kind::ResynchronizeAck
                if p.serial.is_none() && p.second_serial.is_none() =>
            {
                return Err(Error::MissingParameter {
                    spdu: kind,
                    code: Code::SERIAL,
                });
            }
            _ => {}
        }
        let effective = match kind {
            Kind::Connect => Some(p.connect_accept.map_or(Version(Version::V1), |c| c.version)),
            Kind::Accept => p.connect_accept.map(|c| c.version).or(version),
            Kind::Refuse => p.version.or(version),
            Kind::OverflowAccept | Kind::ConnectDataOverflow => Some(Version(Version::V2)),
            _ => version,
        };
        if let Some(v) = effective
            && !v.contains(Version::V2)
        {
            self.check_version1()?;
        }
        Ok(())
    }

    fn check_connect(&self) -> Result<()> {
        let p = &self.params;
        let data_len = p.user_data.map_or(0, <[u8]>::len);
        if data_len > MAX_CONNECT_USER_DATA {
            return Err(Error::UserDataTooLong {
                spdu: self.kind,
                len: data_len,
                max: MAX_CONNECT_USER_DATA,
            });
        }
        if p.extended_user_data.is_some() || p.data_overflow.is_some() {
            // §8.3.1.19/21: "shall not be present if Protocol Version 1 is proposed".
            if !p.connect_accept.is_some_and(|c| c.version.is_v2_only()) {
                return Err(Error::NeedsVersion2Only);
            }
        }
        if let Some(x) = p.extended_user_data {
            if p.user_data.is_some() {
                return Err(Error::BothUserData);
            }
            if x.len() <= MAX_CONNECT_USER_DATA {
                return Err(Error::ExtendedUserDataTooShort(x.len()));
            }
            if x.len() > MAX_EXTENDED_USER_DATA {
                return Err(Error::UserDataTooLong {
                    spdu: self.kind,
                    len: x.len(),
                    max: MAX_EXTENDED_USER_DATA,
                });
            }
        }
        Ok(())
    }

    /// Version 1 restrictions (X.225 §8.3, §8.4 and Annex D).
    fn check_version1(&self) -> Result<()> {
        let (kind, p) = (self.kind, &self.params);
        if p.enclosure.is_some() && !matches!(kind, Kind::DataTransfer | Kind::TypedData) {
            return Err(Error::NotInVersion1 {
                spdu: kind,
                code: Code::ENCLOSURE,
            });
        }
        let Some(data) = p.user_data else {
            return match p.reason {
                Some(r) if r.data.len() > MAX_V1_USER_DATA => Err(Error::UserDataTooLong {
                    spdu: kind,
                    len: r.data.len(),
                    max: MAX_V1_USER_DATA,
                }),
                _ => Ok(()),
            };
        };
        match kind {
            Kind::GiveTokens
            | Kind::GiveTokensConfirm
            | Kind::ActivityInterrupt
            | Kind::ActivityInterruptAck
            | Kind::ActivityDiscard
            | Kind::ActivityDiscardAck => Err(Error::NotInVersion1 {
                spdu: kind,
                code: Code::USER_DATA,
            }),
            Kind::Abort if data.len() > MAX_V1_ABORT_USER_DATA => Err(Error::UserDataTooLong {
                spdu: kind,
                len: data.len(),
                max: MAX_V1_ABORT_USER_DATA,
            }),
            _ if data.len() > MAX_V1_USER_DATA => Err(Error::UserDataTooLong {
                spdu: kind,
                len: data.len(),
                max: MAX_V1_USER_DATA,
            }),
            _ => Ok(()),
        }
    }

    fn param_len(&self) -> Result<usize> {
        let mut counter = Out::counter();
        self.params.emit(self.kind, &mut counter)?;
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
        Ok(1 + li_len(n) + n + self.user_info.len())
    }

    /// Writes the SPDU to the start of `dst`: parameters in increasing code order, shortest
    /// length indicators. Returns the octets written.
    ///
    /// # Errors
    ///
    /// Whatever [`Spdu::check`] reports without a negotiated version (so what is encoded
    /// always decodes again), [`Error::FieldTooLong`], or [`Error::BufferTooSmall`] (nothing
    /// is written then).
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        self.check(None)?;
        let n = self.param_len()?;
        let needed = 1 + li_len(n) + n + self.user_info.len();
        let available = dst.len();
        let out = dst
            .get_mut(..needed)
            .ok_or(Error::BufferTooSmall { needed, available })?;
        let mut w = Out::writer(out);
        w.put(&[self.kind.si()])?;
        w.put_li(n)?;
        self.params.emit(self.kind, &mut w)?;
        w.put(self.user_info)?;
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
