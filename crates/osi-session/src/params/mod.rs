//! The parameter-field wire codec (X.225 §8.2.3–8.2.6, §8.3): PI and PGI values, the
//! parameter groups, and the parsing workspace the typed SPDUs are built from.
//!
//! Decoding walks the units once, in whatever order they come, into [`Fields`]: one slot
//! per PI or PGI code, filled only with the codes the SPDU type may carry (the byte lists
//! of [`crate::Kind`]). The typed SPDU of [`crate::Spdu`] then takes the slots it has.
//! Encoding goes the other way without the workspace: each SPDU's fields write themselves
//! through [`Param`], in increasing code order with the shortest length indicators.

use crate::code::Code;
use crate::unit::{Out, Units, Unknown};
use crate::values::*;
use crate::{Error, Kind, Result};

mod groups;

pub use self::groups::{ConnectAccept, ConnectionId, Linking};

/// The parsing workspace: every parameter an SPDU can carry, by code. `None` means the
/// unit is absent. Private: the public form of an SPDU is its typed struct.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    pub(crate) connection_id: Option<ConnectionId<'a>>,
    pub(crate) connect_accept: Option<ConnectAccept<'a>>,
    pub(crate) sync_type: Option<SyncType>,
    pub(crate) token_item: Option<TokenItem>,
    pub(crate) transport_disconnect: Option<TransportDisconnect>,
    pub(crate) requirements: Option<Requirements>,
    pub(crate) tsdu_max_size: Option<TsduMaxSize>,
    pub(crate) version: Option<Version>,
    pub(crate) prepare_type: Option<PrepareType>,
    pub(crate) enclosure: Option<Enclosure>,
    pub(crate) token_setting: Option<TokenSetting>,
    pub(crate) resync_type: Option<ResyncType>,
    pub(crate) linking: Option<Linking<'a>>,
    pub(crate) activity_id: Option<&'a [u8]>,
    pub(crate) serial: Option<SerialNumber>,
    pub(crate) reflect: Option<&'a [u8]>,
    pub(crate) reason: Option<Reason<'a>>,
    pub(crate) calling_ssel: Option<&'a [u8]>,
    pub(crate) called_ssel: Option<&'a [u8]>,
    pub(crate) second_resync_type: Option<ResyncType>,
    pub(crate) second_serial: Option<SerialNumber>,
    pub(crate) data_overflow: Option<DataOverflow>,
    /// PGI 193, or PI 46 in MIA (where PGI 193 is also accepted on receipt).
    pub(crate) user_data: Option<&'a [u8]>,
    pub(crate) extended_user_data: Option<&'a [u8]>,
    /// The whole field: its undefined units are kept verbatim.
    pub(crate) unknown: Unknown<'a>,
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

pub(crate) fn max_len(code: Code, v: &[u8], max: usize) -> Result<()> {
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

pub(crate) fn activity_id(code: Code, v: &[u8]) -> Result<()> {
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

impl<'a> Fields<'a> {
    /// No parameters.
    pub(crate) const NONE: Fields<'static> = Fields {
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
    /// Writes into `p`, which must be [`Fields::NONE`]: the workspace is a large value, and
    /// filling it in place keeps decoding from being dominated by copies.
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
}

/// A parameter value that writes itself as one unit (or group) of the parameter field,
/// after the unknown units that sort before its code (X.225 §8.2.6: increasing order on
/// sending). `Option<T>` writes nothing when absent.
pub(crate) trait Param {
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()>;
}

impl<T: Param> Param for Option<T> {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        match self {
            Some(v) => v.emit(code, out, u),
            None => Ok(()),
        }
    }
}

impl Param for &[u8] {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        out.known(u, code)?;
        out.unit(code, &[self])
    }
}

impl Param for u8 {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        out.known(u, code)?;
        out.unit(code, &[&[*self]])
    }
}

/// One-octet values: the octet as received or built.
macro_rules! octet_params {
    ($($t:ty => |$v:ident| $e:expr;)*) => {$(
        impl Param for $t {
            #[inline(always)]
            fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
                let $v = *self;
                Param::emit(&$e, code, out, u)
            }
        }
    )*};
}

octet_params! {
    SyncType => |v| v.0;
    TokenItem => |v| v.0;
    TransportDisconnect => |v| v.0;
    Version => |v| v.0;
    Enclosure => |v| v.0;
    TokenSetting => |v| v.0;
    DataOverflow => |v| v.0;
    PrepareType => |v| v as u8;
    ResyncType => |v| v as u8;
}

impl Param for Requirements {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        out.known(u, code)?;
        out.unit(code, &[&self.0.to_be_bytes()])
    }
}

impl Param for TsduMaxSize {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        out.known(u, code)?;
        out.unit(code, &[&self.to_bytes()])
    }
}

impl Param for SerialNumber {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        emit_serial(out, u, code, Some(*self))
    }
}

/// Reason Code (PI 50): the reason octet, then RF's user data.
impl Param for Reason<'_> {
    #[inline(always)]
    fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
        out.known(u, code)?;
        out.unit(code, &[&[self.code], self.data])
    }
}

macro_rules! group_params {
    ($($t:ident),*) => {$(
        impl Param for $t<'_> {
            #[inline(always)]
            fn emit(&self, code: Code, out: &mut Out<'_>, u: &Unknown<'_>) -> Result<()> {
                out.known(u, code)?;
                out.group(code, |o| self.emit(o))
            }
        }
    )*};
}

group_params!(ConnectionId, ConnectAccept, Linking);
