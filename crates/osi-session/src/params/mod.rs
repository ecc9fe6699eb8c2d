//! The parameters of an SPDU, typed, and their parameter groups (X.225 §8.3).
//!
//! One [`Params`] type serves every SPDU: each field is one PI or PGI code, and a table per
//! SPDU type ([`crate::Kind`]) says which codes it may and must carry. Decoding walks the
//! units once, in whatever order they come; encoding writes them in increasing code order
//! with the shortest length indicators (X.225 §8.2.5, §8.2.6).

use crate::code::Code;
use crate::unit::{Out, Units, Unknown};
use crate::values::*;
use crate::{Error, Kind, Result};

mod groups;

pub use self::groups::{ConnectAccept, ConnectionId, Linking};

/// Every parameter an SPDU can carry, by code. `None` means the unit is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Params<'a> {
    /// PGI 1.
    pub connection_id: Option<ConnectionId<'a>>,
    /// PGI 5.
    pub connect_accept: Option<ConnectAccept<'a>>,
    /// PI 15.
    pub sync_type: Option<SyncType>,
    /// PI 16.
    pub token_item: Option<TokenItem>,
    /// PI 17.
    pub transport_disconnect: Option<TransportDisconnect>,
    /// PI 20; absent means [`Requirements::DEFAULT`].
    pub requirements: Option<Requirements>,
    /// PI 21 at the top level (OA).
    pub tsdu_max_size: Option<TsduMaxSize>,
    /// PI 22 at the top level (OA, RF).
    pub version: Option<Version>,
    /// PI 24.
    pub prepare_type: Option<PrepareType>,
    /// PI 25.
    pub enclosure: Option<Enclosure>,
    /// PI 26 at the top level (RS, RA).
    pub token_setting: Option<TokenSetting>,
    /// PI 27.
    pub resync_type: Option<ResyncType>,
    /// PGI 33.
    pub linking: Option<Linking<'a>>,
    /// PI 41 at the top level: the (new) activity identifier, 1 to 6 octets.
    pub activity_id: Option<&'a [u8]>,
    /// PI 42.
    pub serial: Option<SerialNumber>,
    /// PI 49.
    pub reflect: Option<&'a [u8]>,
    /// PI 50.
    pub reason: Option<Reason<'a>>,
    /// PI 51, at most 16 octets.
    pub calling_ssel: Option<&'a [u8]>,
    /// PI 52 (called in CN, responding in AC), at most 16 octets; may be empty (ISODE).
    pub called_ssel: Option<&'a [u8]>,
    /// PI 53.
    pub second_resync_type: Option<ResyncType>,
    /// PI 54.
    pub second_serial: Option<SerialNumber>,
    /// PI 60.
    pub data_overflow: Option<DataOverflow>,
    /// SS-user data: PGI 193, or PI 46 in MIA (where PGI 193 is also accepted on receipt).
    pub user_data: Option<&'a [u8]>,
    /// PGI 194 (CN, version 2 only).
    pub extended_user_data: Option<&'a [u8]>,
    /// Undefined top-level codes, kept verbatim.
    pub unknown: Unknown<'a>,
}

/// Largest SS-user reference (PI 9, 10, 11), X.225 §8.3.1 (Connection Identifier, PGI 1).
pub const MAX_REF_LEN: usize = 64;
/// Largest Additional Reference Information (PI 12).
pub const MAX_ADDITIONAL_REF_LEN: usize = 4;
/// Largest session selector (PI 51, 52).
pub const MAX_SSEL_LEN: usize = 16;
/// Largest activity identifier (PI 41).
pub const MAX_ACTIVITY_ID_LEN: usize = 6;
/// Largest Initial Serial Number and Second Initial Serial Number (PI 23, 55), in digits.
pub const MAX_INITIAL_SERIAL_DIGITS: usize = 6;
/// Largest Reflect Parameter Values in AB (PI 49).
pub const MAX_ABORT_REFLECT_LEN: usize = 9;

fn set<T>(slot: &mut Option<T>, code: Code, v: T) -> Result<()> {
    if slot.is_some() {
        return Err(Error::DuplicateParameter(code));
    }
    *slot = Some(v);
    Ok(())
}

/// A one-octet value. X.225 §8.2.5: a zero length means the value is absent.
fn one(code: Code, v: &[u8]) -> Result<Option<u8>> {
    match v {
        [] => Ok(None),
        [x] => Ok(Some(*x)),
        _ => Err(Error::BadLength { code, len: v.len() }),
    }
}

fn set_one<T>(
    slot: &mut Option<T>,
    code: Code,
    v: &[u8],
    f: impl Fn(u8) -> Result<T>,
) -> Result<()> {
    match one(code, v)? {
        Some(x) => set(slot, code, f(x)?),
        None => Ok(()),
    }
}

fn set_serial(slot: &mut Option<SerialNumber>, code: Code, v: &[u8]) -> Result<()> {
    // A zero length means absent (X.225 §8.2.5).
    if v.is_empty() {
        Ok(())
    } else {
        set(slot, code, SerialNumber::parse(code, v)?)
    }
}

fn max_len(code: Code, v: &[u8], max: usize) -> Result<()> {
    if v.len() > max {
        Err(Error::TooLong {
            code,
            len: v.len(),
            max,
        })
    } else {
        Ok(())
    }
}

fn serial_digits(code: Code, s: Option<SerialNumber>, max: usize) -> Result<()> {
    match s {
        Some(s) if s.digits() > max => Err(Error::TooLong {
            code,
            len: s.digits(),
            max,
        }),
        _ => Ok(()),
    }
}

fn activity_id(code: Code, v: &[u8]) -> Result<()> {
    if v.is_empty() {
        return Err(Error::BadLength { code, len: 0 });
    }
    max_len(code, v, MAX_ACTIVITY_ID_LEN)
}

/// A defined code inside a group that the group does not hold, or a group code (no PGI
/// nests inside a PGI, X.225 §8.2.3).
fn check_group_code(kind: Kind, code: Code, allowed: &[u8]) -> Result<bool> {
    if !code.is_defined() {
        return Ok(false);
    }
    if allowed.contains(&code.0) {
        Ok(true)
    } else {
        Err(Error::UnexpectedParameter { spdu: kind, code })
    }
}

#[inline(always)]
fn emit_serial(
    out: &mut Out<'_>,
    u: &Unknown<'_>,
    code: Code,
    s: Option<SerialNumber>,
) -> Result<()> {
    if let Some(s) = s {
        let (digits, n) = s.to_ascii();
        out.known(u, code)?;
        out.unit(code, &[digits.get(..n).unwrap_or_default()])?;
    }
    Ok(())
}

#[inline(always)]
fn emit_one(out: &mut Out<'_>, u: &Unknown<'_>, code: Code, v: Option<u8>) -> Result<()> {
    if let Some(v) = v {
        out.known(u, code)?;
        out.unit(code, &[&[v]])?;
    }
    Ok(())
}

#[inline(always)]
fn emit_bytes(out: &mut Out<'_>, u: &Unknown<'_>, code: Code, v: Option<&[u8]>) -> Result<()> {
    if let Some(v) = v {
        out.known(u, code)?;
        out.unit(code, &[v])?;
    }
    Ok(())
}

impl<'a> Params<'a> {
    /// No parameters.
    pub const NONE: Params<'static> = Params {
        connection_id: None,
        connect_accept: None,
        sync_type: None,
        token_item: None,
        transport_disconnect: None,
        requirements: None,
        tsdu_max_size: None,
        version: None,
        prepare_type: None,
        enclosure: None,
        token_setting: None,
        resync_type: None,
        linking: None,
        activity_id: None,
        serial: None,
        reflect: None,
        reason: None,
        calling_ssel: None,
        called_ssel: None,
        second_resync_type: None,
        second_serial: None,
        data_overflow: None,
        user_data: None,
        extended_user_data: None,
        unknown: Unknown::NONE,
    };

    /// Reads the parameter field of an SPDU of type `kind`, in any order.
    ///
    /// Writes into `p`, which must be [`Params::NONE`]: SPDUs are large values, and building
    /// them in place keeps decoding from being dominated by copies.
    #[inline]
    pub(crate) fn parse_into(p: &mut Self, kind: Kind, field: &'a [u8]) -> Result<()> {
        p.unknown = Unknown::from_checked_field(field);
        let allowed = kind.allowed();
        for unit in Units::new(field) {
            let unit = unit?;
            let (mut code, v) = (unit.code, unit.value);
            if !code.is_defined() {
                continue; // kept in `unknown`
            }
            // X.225 Table 29: MIA user data is PI 46, but a tolerant receiver takes 193.
            if kind == Kind::MinorSyncAck && code == Code::USER_DATA {
                code = Code::MIA_USER_DATA;
            }
            if !allowed.contains(&code.0) {
                return Err(Error::UnexpectedParameter { spdu: kind, code });
            }
            match code {
                Code::CONNECTION_ID => {
                    set(&mut p.connection_id, code, ConnectionId::parse(kind, v)?)?
                }
                Code::CONNECT_ACCEPT => {
                    set(&mut p.connect_accept, code, ConnectAccept::parse(kind, v)?)?
                }
                Code::SYNC_TYPE => set_one(&mut p.sync_type, code, v, |x| Ok(SyncType(x)))?,
                Code::TOKEN_ITEM => set_one(&mut p.token_item, code, v, |x| Ok(TokenItem(x)))?,
                Code::TRANSPORT_DISCONNECT => set_one(&mut p.transport_disconnect, code, v, |x| {
                    Ok(TransportDisconnect(x))
                })?,
                Code::SESSION_REQUIREMENTS => match v {
                    [] => {}
                    [a, b] => set(
                        &mut p.requirements,
                        code,
                        Requirements(u16::from_be_bytes([*a, *b])),
                    )?,
                    _ => return Err(Error::BadLength { code, len: v.len() }),
                },
                Code::TSDU_MAX_SIZE if v.is_empty() => {}
                Code::TSDU_MAX_SIZE => {
                    set(&mut p.tsdu_max_size, code, TsduMaxSize::parse(code, v)?)?
                }
                Code::VERSION => set_one(&mut p.version, code, v, |x| Ok(Version(x)))?,
                Code::PREPARE_TYPE => set_one(&mut p.prepare_type, code, v, |x| {
                    PrepareType::parse(code, x)
                })?,
                Code::ENCLOSURE => set_one(&mut p.enclosure, code, v, |x| Ok(Enclosure(x)))?,
                Code::TOKEN_SETTING => {
                    set_one(&mut p.token_setting, code, v, |x| Ok(TokenSetting(x)))?
                }
                Code::RESYNC_TYPE => {
                    set_one(&mut p.resync_type, code, v, |x| ResyncType::parse(code, x))?
                }
                Code::LINKING => set(&mut p.linking, code, Linking::parse(kind, v)?)?,
                Code::ACTIVITY_ID => set(&mut p.activity_id, code, v)?,
                Code::SERIAL => set_serial(&mut p.serial, code, v)?,
                Code::REFLECT => set(&mut p.reflect, code, v)?,
                Code::REASON => {
                    if let Some((&c, data)) = v.split_first() {
                        set(&mut p.reason, code, Reason { code: c, data })?;
                    }
                }
                Code::CALLING_SSEL => set(&mut p.calling_ssel, code, v)?,
                Code::CALLED_SSEL => set(&mut p.called_ssel, code, v)?,
                Code::SECOND_RESYNC_TYPE => set_one(&mut p.second_resync_type, code, v, |x| {
                    ResyncType::parse(code, x)
                })?,
                Code::SECOND_SERIAL => set_serial(&mut p.second_serial, code, v)?,
                Code::DATA_OVERFLOW => {
                    set_one(&mut p.data_overflow, code, v, |x| Ok(DataOverflow(x)))?
                }
                Code::MIA_USER_DATA | Code::USER_DATA => set(&mut p.user_data, Code::USER_DATA, v)?,
                _ => set(&mut p.extended_user_data, code, v)?,
            }
        }
        Ok(())
    }

    /// The top-level codes present, with the code user data travels under in `kind`.
    fn present(&self, kind: Kind) -> [(Code, bool); 24] {
        let user_data_code = kind.user_data_code().unwrap_or(Code::USER_DATA);
        [
            (Code::CONNECTION_ID, self.connection_id.is_some()),
            (Code::CONNECT_ACCEPT, self.connect_accept.is_some()),
            (Code::SYNC_TYPE, self.sync_type.is_some()),
            (Code::TOKEN_ITEM, self.token_item.is_some()),
            (
                Code::TRANSPORT_DISCONNECT,
                self.transport_disconnect.is_some(),
            ),
            (Code::SESSION_REQUIREMENTS, self.requirements.is_some()),
            (Code::TSDU_MAX_SIZE, self.tsdu_max_size.is_some()),
            (Code::VERSION, self.version.is_some()),
            (Code::PREPARE_TYPE, self.prepare_type.is_some()),
            (Code::ENCLOSURE, self.enclosure.is_some()),
            (Code::TOKEN_SETTING, self.token_setting.is_some()),
            (Code::RESYNC_TYPE, self.resync_type.is_some()),
            (Code::LINKING, self.linking.is_some()),
            (Code::ACTIVITY_ID, self.activity_id.is_some()),
            (Code::SERIAL, self.serial.is_some()),
            (Code::REFLECT, self.reflect.is_some()),
            (Code::REASON, self.reason.is_some()),
            (Code::CALLING_SSEL, self.calling_ssel.is_some()),
            (Code::CALLED_SSEL, self.called_ssel.is_some()),
            (Code::SECOND_RESYNC_TYPE, self.second_resync_type.is_some()),
            (Code::SECOND_SERIAL, self.second_serial.is_some()),
            (Code::DATA_OVERFLOW, self.data_overflow.is_some()),
            (user_data_code, self.user_data.is_some()),
            (Code::EXTENDED_USER_DATA, self.extended_user_data.is_some()),
        ]
    }

    /// Structural rules that hold in every version and state: which parameters `kind` may
    /// and must carry, and the sizes X.225 fixes.
    #[inline]
    pub(crate) fn check(&self, kind: Kind) -> Result<()> {
        let present = self.present(kind);
        for (code, is) in present {
            if is && !kind.allowed().contains(&code.0) {
                return Err(Error::UnexpectedParameter { spdu: kind, code });
            }
        }
        for &code in kind.mandatory() {
            let code = Code(code);
            if !present.iter().any(|&(c, is)| c == code && is) {
                return Err(Error::MissingParameter { spdu: kind, code });
            }
        }
        if let Some(c) = &self.connection_id {
            c.check(kind, kind.connection_id_allowed())?;
        }
        if let Some(c) = &self.connect_accept {
            c.check()?;
        }
        if let Some(l) = &self.linking {
            l.check(kind)?;
        }
        if let Some(a) = self.activity_id {
            activity_id(Code::ACTIVITY_ID, a)?;
        }
        for (code, v) in [
            (Code::CALLING_SSEL, self.calling_ssel),
            (Code::CALLED_SSEL, self.called_ssel),
        ] {
            max_len(code, v.unwrap_or_default(), MAX_SSEL_LEN)?;
        }
        if let Some(r) = self.reason {
            match kind {
                // X.225 §8.3, REFUSE SPDU (Reason Code, PI 50): user data follows the reason
                // octet only with reason 2.
                Kind::Refuse if !r.data.is_empty() && r.code != Reason::REFUSED_WITH_DATA => {
                    return Err(Error::ReasonCannotCarryData(r.code));
                }
                Kind::Refuse => {}
                _ if !r.data.is_empty() => {
                    return Err(Error::BadLength {
                        code: Code::REASON,
                        len: 1 + r.data.len(),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Writes the parameter field in increasing code order.
    #[inline]
    pub(crate) fn emit(&self, kind: Kind, out: &mut Out<'_>) -> Result<()> {
        let u = &self.unknown;
        if let Some(g) = &self.connection_id {
            out.known(u, Code::CONNECTION_ID)?;
            out.group(Code::CONNECTION_ID, |o| g.emit(o))?;
        }
        if let Some(g) = &self.connect_accept {
            out.known(u, Code::CONNECT_ACCEPT)?;
            out.group(Code::CONNECT_ACCEPT, |o| g.emit(o))?;
        }
        emit_one(out, u, Code::SYNC_TYPE, self.sync_type.map(|x| x.0))?;
        emit_one(out, u, Code::TOKEN_ITEM, self.token_item.map(|x| x.0))?;
        emit_one(
            out,
            u,
            Code::TRANSPORT_DISCONNECT,
            self.transport_disconnect.map(|x| x.0),
        )?;
        if let Some(r) = self.requirements {
            out.known(u, Code::SESSION_REQUIREMENTS)?;
            out.unit(Code::SESSION_REQUIREMENTS, &[&r.0.to_be_bytes()])?;
        }
        if let Some(t) = self.tsdu_max_size {
            out.known(u, Code::TSDU_MAX_SIZE)?;
            out.unit(Code::TSDU_MAX_SIZE, &[&t.to_bytes()])?;
        }
        emit_one(out, u, Code::VERSION, self.version.map(|x| x.0))?;
        emit_one(
            out,
            u,
            Code::PREPARE_TYPE,
            self.prepare_type.map(|x| x as u8),
        )?;
        emit_one(out, u, Code::ENCLOSURE, self.enclosure.map(|x| x.0))?;
        emit_one(out, u, Code::TOKEN_SETTING, self.token_setting.map(|x| x.0))?;
        emit_one(out, u, Code::RESYNC_TYPE, self.resync_type.map(|x| x as u8))?;
        if let Some(g) = &self.linking {
            out.known(u, Code::LINKING)?;
            out.group(Code::LINKING, |o| g.emit(o))?;
        }
        emit_bytes(out, u, Code::ACTIVITY_ID, self.activity_id)?;
        emit_serial(out, u, Code::SERIAL, self.serial)?;
        let mia = kind.user_data_code() == Some(Code::MIA_USER_DATA);
        if mia {
            emit_bytes(out, u, Code::MIA_USER_DATA, self.user_data)?;
        }
        emit_bytes(out, u, Code::REFLECT, self.reflect)?;
        if let Some(r) = self.reason {
            out.known(u, Code::REASON)?;
            out.unit(Code::REASON, &[&[r.code], r.data])?;
        }
        emit_bytes(out, u, Code::CALLING_SSEL, self.calling_ssel)?;
        emit_bytes(out, u, Code::CALLED_SSEL, self.called_ssel)?;
        emit_one(
            out,
            u,
            Code::SECOND_RESYNC_TYPE,
            self.second_resync_type.map(|x| x as u8),
        )?;
        emit_serial(out, u, Code::SECOND_SERIAL, self.second_serial)?;
        emit_one(out, u, Code::DATA_OVERFLOW, self.data_overflow.map(|x| x.0))?;
        if !mia {
            emit_bytes(out, u, Code::USER_DATA, self.user_data)?;
        }
        emit_bytes(out, u, Code::EXTENDED_USER_DATA, self.extended_user_data)?;
        out.finish_unknown(u)
    }
}
