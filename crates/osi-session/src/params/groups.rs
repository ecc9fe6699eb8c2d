//! The parameter groups of X.225 §8.3: Connection Identifier (PGI 1), Connect/Accept Item
//! (PGI 5) and Linking Information (PGI 33), each parsed from and written to its group field.

use super::{
    MAX_ADDITIONAL_REF_LEN, MAX_INITIAL_SERIAL_DIGITS, MAX_REF_LEN, activity_id, check_group_code,
    emit_serial, max_len, serial_digits, set, set_one, set_serial,
};
use crate::code::Code;
use crate::unit::{Out, Units, Unknown};
use crate::values::*;
use crate::{Error, Kind, Result};

/// Connection Identifier, PGI 1 (CN, AC, RF). CN carries the calling reference, AC and RF
/// the called reference. The references are opaque octets: ISODE puts BER strings and a
/// UTCTime with a 3-digit year there (ISODE 8.0 sends `1261122140707Z` in 2026), so they
/// are never parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionId<'a> {
    /// PI 9, at most 64 octets (AC, RF).
    pub called_ref: Option<&'a [u8]>,
    /// PI 10, at most 64 octets (CN).
    pub calling_ref: Option<&'a [u8]>,
    /// PI 11, at most 64 octets.
    pub common_ref: Option<&'a [u8]>,
    /// PI 12, at most 4 octets.
    pub additional_ref: Option<&'a [u8]>,
    /// Undefined codes inside the group, kept verbatim.
    pub unknown: Unknown<'a>,
}

/// Connect/Accept Item, PGI 5 (CN, AC). When the group is absent the defaults apply:
/// no extended concatenation, version 1, tokens at the initiator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectAccept<'a> {
    /// PI 19, mandatory in the group.
    pub protocol_options: ProtocolOptions,
    /// PI 21.
    pub tsdu_max_size: Option<TsduMaxSize>,
    /// PI 22, mandatory in the group: proposed (CN) or selected (AC) versions.
    pub version: Version,
    /// PI 23, at most 6 digits.
    pub initial_serial: Option<SerialNumber>,
    /// PI 26.
    pub token_setting: Option<TokenSetting>,
    /// PI 55 (symmetric synchronize), at most 6 digits.
    pub second_initial_serial: Option<SerialNumber>,
    /// PI 56: number of digits of the largest serial number; 0 means unlimited.
    pub upper_limit_serial: Option<u8>,
    /// PI 57 (only with 56).
    pub large_initial_serial: Option<SerialNumber>,
    /// PI 58 (only with 56).
    pub large_second_initial_serial: Option<SerialNumber>,
    /// Undefined codes inside the group, kept verbatim.
    pub unknown: Unknown<'a>,
}

/// Linking Information, PGI 33 (AR): the interrupted activity and where to resume it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Linking<'a> {
    /// PI 9: called SS-user reference of the old connection.
    pub called_ref: Option<&'a [u8]>,
    /// PI 10: calling SS-user reference of the old connection.
    pub calling_ref: Option<&'a [u8]>,
    /// PI 11: common reference of the old connection.
    pub common_ref: Option<&'a [u8]>,
    /// PI 12: additional reference of the old connection.
    pub additional_ref: Option<&'a [u8]>,
    /// PI 41, mandatory: the old activity identifier, 1 to 6 octets.
    pub old_activity_id: &'a [u8],
    /// PI 42, mandatory: the next serial number to use, minus one.
    pub serial: SerialNumber,
    /// PI 54 (symmetric synchronize).
    pub second_serial: Option<SerialNumber>,
    /// Undefined codes inside the group, kept verbatim.
    pub unknown: Unknown<'a>,
}

impl<'a> ConnectionId<'a> {
    pub(super) fn parse(kind: Kind, field: &'a [u8]) -> Result<Self> {
        let mut g = Self {
            unknown: Unknown::from_checked_field(field),
            ..Self::default()
        };
        for unit in Units::new(field) {
            let unit = unit?;
            if !check_group_code(
                kind,
                unit.code,
                &[
                    Code::CALLED_REF.0,
                    Code::CALLING_REF.0,
                    Code::COMMON_REF.0,
                    Code::ADDITIONAL_REF.0,
                ],
            )? {
                continue;
            }
            let slot = match unit.code {
                Code::CALLED_REF => &mut g.called_ref,
                Code::CALLING_REF => &mut g.calling_ref,
                Code::COMMON_REF => &mut g.common_ref,
                _ => &mut g.additional_ref,
            };
            set(slot, unit.code, unit.value)?;
        }
        Ok(g)
    }

    pub(super) fn units(&self) -> [(Code, Option<&'a [u8]>); 4] {
        [
            (Code::CALLED_REF, self.called_ref),
            (Code::CALLING_REF, self.calling_ref),
            (Code::COMMON_REF, self.common_ref),
            (Code::ADDITIONAL_REF, self.additional_ref),
        ]
    }

    pub(crate) fn check(&self, kind: Kind, allowed: &[u8]) -> Result<()> {
        for (code, v) in self.units() {
            let Some(v) = v else { continue };
            if !allowed.contains(&code.0) {
                return Err(Error::UnexpectedParameter { spdu: kind, code });
            }
            max_len(
                code,
                v,
                if code == Code::ADDITIONAL_REF {
                    MAX_ADDITIONAL_REF_LEN
                } else {
                    MAX_REF_LEN
                },
            )?;
        }
        Ok(())
    }

    pub(super) fn emit(&self, out: &mut Out<'_>) -> Result<()> {
        for (code, v) in self.units() {
            if let Some(v) = v {
                out.known(&self.unknown, code)?;
                out.unit(code, &[v])?;
            }
        }
        out.finish_unknown(&self.unknown)
    }
}

impl<'a> ConnectAccept<'a> {
    pub(super) fn parse(kind: Kind, field: &'a [u8]) -> Result<Self> {
        let mut options = None;
        let mut version = None;
        let mut g = Self {
            unknown: Unknown::from_checked_field(field),
            ..Self::default()
        };
        const ALLOWED: &[u8] = &[
            Code::PROTOCOL_OPTIONS.0,
            Code::TSDU_MAX_SIZE.0,
            Code::VERSION.0,
            Code::INITIAL_SERIAL.0,
            Code::TOKEN_SETTING.0,
            Code::SECOND_INITIAL_SERIAL.0,
            Code::UPPER_LIMIT_SERIAL.0,
            Code::LARGE_INITIAL_SERIAL.0,
            Code::LARGE_SECOND_INITIAL_SERIAL.0,
        ];
        for unit in Units::new(field) {
            let unit = unit?;
            let (code, v) = (unit.code, unit.value);
            if !check_group_code(kind, code, ALLOWED)? {
                continue;
            }
            match code {
                Code::PROTOCOL_OPTIONS => {
                    set_one(&mut options, code, v, |x| Ok(ProtocolOptions(x)))?
                }
                Code::TSDU_MAX_SIZE if v.is_empty() => {}
                Code::TSDU_MAX_SIZE => {
                    set(&mut g.tsdu_max_size, code, TsduMaxSize::parse(code, v)?)?
                }
                Code::VERSION => set_one(&mut version, code, v, |x| Ok(Version(x)))?,
                Code::INITIAL_SERIAL => set_serial(&mut g.initial_serial, code, v)?,
                Code::TOKEN_SETTING => {
                    set_one(&mut g.token_setting, code, v, |x| Ok(TokenSetting(x)))?
                }
                Code::SECOND_INITIAL_SERIAL => set_serial(&mut g.second_initial_serial, code, v)?,
                Code::UPPER_LIMIT_SERIAL => set_one(&mut g.upper_limit_serial, code, v, Ok)?,
                Code::LARGE_INITIAL_SERIAL => set_serial(&mut g.large_initial_serial, code, v)?,
                _ => set_serial(&mut g.large_second_initial_serial, code, v)?,
            }
        }
        // X.225 §8.3.1, §8.3.4 (Connect/Accept Item, PGI 5): PI 19 and PI 22 are mandatory
        // whenever PGI 5 is present.
        g.protocol_options = options.ok_or(Error::MissingParameter {
            spdu: kind,
            code: Code::PROTOCOL_OPTIONS,
        })?;
        g.version = version.ok_or(Error::MissingParameter {
            spdu: kind,
            code: Code::VERSION,
        })?;
        Ok(g)
    }

    pub(crate) fn check(&self) -> Result<()> {
        serial_digits(
            Code::INITIAL_SERIAL,
            self.initial_serial,
            MAX_INITIAL_SERIAL_DIGITS,
        )?;
        serial_digits(
            Code::SECOND_INITIAL_SERIAL,
            self.second_initial_serial,
            MAX_INITIAL_SERIAL_DIGITS,
        )
    }

    pub(super) fn emit(&self, out: &mut Out<'_>) -> Result<()> {
        let u = &self.unknown;
        out.known(u, Code::PROTOCOL_OPTIONS)?;
        out.unit(Code::PROTOCOL_OPTIONS, &[&[self.protocol_options.0]])?;
        if let Some(t) = self.tsdu_max_size {
            out.known(u, Code::TSDU_MAX_SIZE)?;
            out.unit(Code::TSDU_MAX_SIZE, &[&t.to_bytes()])?;
        }
        out.known(u, Code::VERSION)?;
        out.unit(Code::VERSION, &[&[self.version.0]])?;
        emit_serial(out, u, Code::INITIAL_SERIAL, self.initial_serial)?;
        if let Some(t) = self.token_setting {
            out.known(u, Code::TOKEN_SETTING)?;
            out.unit(Code::TOKEN_SETTING, &[&[t.0]])?;
        }
        emit_serial(
            out,
            u,
            Code::SECOND_INITIAL_SERIAL,
            self.second_initial_serial,
        )?;
        if let Some(n) = self.upper_limit_serial {
            out.known(u, Code::UPPER_LIMIT_SERIAL)?;
            out.unit(Code::UPPER_LIMIT_SERIAL, &[&[n]])?;
        }
        emit_serial(
            out,
            u,
            Code::LARGE_INITIAL_SERIAL,
            self.large_initial_serial,
        )?;
        emit_serial(
            out,
            u,
            Code::LARGE_SECOND_INITIAL_SERIAL,
            self.large_second_initial_serial,
        )?;
        out.finish_unknown(u)
    }
}

impl<'a> Linking<'a> {
    pub(super) fn parse(kind: Kind, field: &'a [u8]) -> Result<Self> {
        let (mut called, mut calling, mut common, mut additional) = (None, None, None, None);
        let (mut old, mut serial, mut second) = (None, None, None);
        const ALLOWED: &[u8] = &[
            Code::CALLED_REF.0,
            Code::CALLING_REF.0,
            Code::COMMON_REF.0,
            Code::ADDITIONAL_REF.0,
            Code::ACTIVITY_ID.0,
            Code::SERIAL.0,
            Code::SECOND_SERIAL.0,
        ];
        for unit in Units::new(field) {
            let unit = unit?;
            let (code, v) = (unit.code, unit.value);
            if !check_group_code(kind, code, ALLOWED)? {
                continue;
            }
            match code {
                Code::CALLED_REF => set(&mut called, code, v)?,
                Code::CALLING_REF => set(&mut calling, code, v)?,
                Code::COMMON_REF => set(&mut common, code, v)?,
                Code::ADDITIONAL_REF => set(&mut additional, code, v)?,
                Code::ACTIVITY_ID => set(&mut old, code, v)?,
                Code::SERIAL => set_serial(&mut serial, code, v)?,
                _ => set_serial(&mut second, code, v)?,
            }
        }
        Ok(Self {
            called_ref: called,
            calling_ref: calling,
            common_ref: common,
            additional_ref: additional,
            old_activity_id: old.ok_or(Error::MissingParameter {
                spdu: kind,
                code: Code::ACTIVITY_ID,
            })?,
            serial: serial.ok_or(Error::MissingParameter {
                spdu: kind,
                code: Code::SERIAL,
            })?,
            second_serial: second,
            unknown: Unknown::from_checked_field(field),
        })
    }

    pub(super) fn refs(&self) -> ConnectionId<'a> {
        ConnectionId {
            called_ref: self.called_ref,
            calling_ref: self.calling_ref,
            common_ref: self.common_ref,
            additional_ref: self.additional_ref,
            unknown: Unknown::NONE,
        }
    }

    pub(crate) fn check(&self, kind: Kind) -> Result<()> {
        self.refs().check(
            kind,
            &[
                Code::CALLED_REF.0,
                Code::CALLING_REF.0,
                Code::COMMON_REF.0,
                Code::ADDITIONAL_REF.0,
            ],
        )?;
        activity_id(Code::ACTIVITY_ID, self.old_activity_id)
    }

    pub(super) fn emit(&self, out: &mut Out<'_>) -> Result<()> {
        let u = &self.unknown;
        for (code, v) in self.refs().units() {
            if let Some(v) = v {
                out.known(u, code)?;
                out.unit(code, &[v])?;
            }
        }
        out.known(u, Code::ACTIVITY_ID)?;
        out.unit(Code::ACTIVITY_ID, &[self.old_activity_id])?;
        emit_serial(out, u, Code::SERIAL, Some(self.serial))?;
        emit_serial(out, u, Code::SECOND_SERIAL, self.second_serial)?;
        out.finish_unknown(u)
    }
}
