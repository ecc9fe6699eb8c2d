//! The connection PPDUs (X.226 §8.2): CP-type, CPA-PPDU and CPR-PPDU, the SS-user data of
//! the session CONNECT, ACCEPT and REFUSE.

use osi_sansio::ber::{Class, Tlv};

use crate::api::ppdu_api;
use crate::codes::{Mode, ProviderReason, ResultCode};
use crate::context::{ContextItem, DefaultContext, ResultItem};
use crate::list::List;
use crate::user_data::{self, UserData};
use crate::values::{BitString, ContextId};
use crate::wire::{self, Cx, Order, Out};
use crate::{Error, Result};

/// `CP-type` (X.226 §8.2): the CP PPDU, SS-user data of the session CONNECT.
///
/// In X.410-1984 mode it is, bit for bit, the X.410 PConnect: the mode selector decides
/// which layer reads it (`x400-rts` reads `x410_mode_parameters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connect<'a> {
    /// `mode-selector [0]`.
    pub mode: Mode,
    /// `x410-mode-parameters [1] IMPLICIT SET`: the contents octets (the RTORQapdu's
    /// components), X.410-1984 mode only.
    pub x410_mode_parameters: Option<&'a [u8]>,
    /// `normal-mode-parameters [2]`, normal mode only.
    pub normal_mode_parameters: Option<ConnectParams<'a>>,
}

/// `normal-mode-parameters` of CP (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectParams<'a> {
    /// `protocol-version [0]`, absent for the default `{version-1}`.
    pub protocol_version: Option<BitString<'a>>,
    /// `calling-presentation-selector [1]`.
    pub calling_selector: Option<&'a [u8]>,
    /// `called-presentation-selector [2]`.
    pub called_selector: Option<&'a [u8]>,
    /// `presentation-context-definition-list [4]`.
    pub context_definitions: Option<List<'a, ContextItem<'a>>>,
    /// `default-context-name [6]`.
    pub default_context: Option<DefaultContext<'a>>,
    /// `presentation-requirements [8]`
    /// ([`presentation_requirements`](crate::presentation_requirements) bits).
    pub presentation_requirements: Option<BitString<'a>>,
    /// `user-session-requirements [9]`
    /// ([`session_requirements`](crate::session_requirements) bits).
    pub session_requirements: Option<BitString<'a>>,
    /// `protocol-options [11]` ([`protocol_options`](crate::protocol_options) bits).
    pub protocol_options: Option<BitString<'a>>,
    /// `initiators-nominated-context [12]`.
    pub nominated_context: Option<ContextId>,
    /// `extensions [14]`: the SEQUENCE inside the tag, whole and unread (X.226 defines no
    /// extension yet).
    pub extensions: Option<&'a [u8]>,
    /// `user-data`.
    pub user_data: Option<UserData<'a>>,
}

/// `CPA-PPDU` (X.226 §8.2): SS-user data of the session ACCEPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accept<'a> {
    /// `mode-selector [0]`.
    pub mode: Mode,
    /// `x410-mode-parameters [1] IMPLICIT SET`: the contents octets (the RTOACapdu's
    /// components), X.410-1984 mode only.
    pub x410_mode_parameters: Option<&'a [u8]>,
    /// `normal-mode-parameters [2]`, normal mode only.
    pub normal_mode_parameters: Option<AcceptParams<'a>>,
}

/// `normal-mode-parameters` of CPA (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AcceptParams<'a> {
    /// `protocol-version [0]`, absent for the default `{version-1}`.
    pub protocol_version: Option<BitString<'a>>,
    /// `responding-presentation-selector [3]`.
    pub responding_selector: Option<&'a [u8]>,
    /// `presentation-context-definition-result-list [5]`, one result per proposal.
    pub context_results: Option<List<'a, ResultItem<'a>>>,
    /// `presentation-requirements [8]`.
    pub presentation_requirements: Option<BitString<'a>>,
    /// `user-session-requirements [9]`.
    pub session_requirements: Option<BitString<'a>>,
    /// `protocol-options [11]`.
    pub protocol_options: Option<BitString<'a>>,
    /// `responders-nominated-context [13]`.
    pub nominated_context: Option<ContextId>,
    /// `user-data`.
    pub user_data: Option<UserData<'a>>,
}

/// `CPR-PPDU` (X.226 §8.2): SS-user data of the session REFUSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refuse<'a> {
    /// `x400-mode-parameters`: the contents octets of the RTORJapdu SET, X.410-1984 mode.
    X410(&'a [u8]),
    /// `normal-mode-parameters SEQUENCE`.
    Normal(RefuseParams<'a>),
}

/// `normal-mode-parameters` of CPR (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RefuseParams<'a> {
    /// `protocol-version [0]`, absent for the default `{version-1}`.
    pub protocol_version: Option<BitString<'a>>,
    /// `responding-presentation-selector [3]`.
    pub responding_selector: Option<&'a [u8]>,
    /// `presentation-context-definition-result-list [5]`.
    pub context_results: Option<List<'a, ResultItem<'a>>>,
    /// `default-context-result [7]`.
    pub default_context_result: Option<ResultCode>,
    /// `provider-reason [10]`: present when the provider, not the user, refuses.
    pub provider_reason: Option<ProviderReason>,
    /// `user-data`.
    pub user_data: Option<UserData<'a>>,
}

/// Position of `user-data` after every tagged field of a normal-mode SEQUENCE.
const USER_DATA: u8 = 15;

/// Reads `mode-selector`: `SET { mode-value [0] IMPLICIT INTEGER }`.
fn mode(cx: Cx<'_>, tlv: &Tlv<'_>) -> Result<Mode> {
    cx.constructed(tlv, "mode-selector")?;
    let mut value = None;
    for element in cx.elements(tlv) {
        let e = element?;
        if !wire::is_context(&e, 0) {
            return Err(cx.unexpected("mode-selector", &e));
        }
        cx.put(&mut value, Mode(cx.uint(&e, "mode-value")?), "mode-value")?;
    }
    value.ok_or(cx.missing("mode-value"))
}

/// Octets of the encoded mode selector (`a0 03 80 01 m`).
fn mode_len(mode: Mode) -> usize {
    wire::tlv_len(wire::tlv_len(wire::uint_len(mode.0)))
}

fn write_mode(out: &mut Out<'_>, mode: Mode) -> Result<()> {
    out.header(
        wire::context_constructed(0),
        wire::tlv_len(wire::uint_len(mode.0)),
    )?;
    out.uint(wire::context(0), mode.0)
}

/// Checks that the mode selector and the parameters agree (X.226 §8.2: each parameter set
/// "shall be used" in its mode only).
fn check_mode(cx: Cx<'_>, mode: Mode, x410: bool, normal: bool) -> Result<()> {
    let fits = match mode {
        Mode::X410_1984 => !normal,
        Mode::NORMAL => !x410,
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(Error::ModeMismatch {
            ppdu: cx.pdu,
            mode: mode.0,
        })
    }
}

/// The fields CP, CPA and CPR share, read into one place as they arrive.
#[derive(Default)]
struct Fields<'a> {
    protocol_version: Option<BitString<'a>>,
    selectors: [Option<&'a [u8]>; 4],
    context_definitions: Option<List<'a, ContextItem<'a>>>,
    context_results: Option<List<'a, ResultItem<'a>>>,
    default_context: Option<DefaultContext<'a>>,
    default_context_result: Option<ResultCode>,
    presentation_requirements: Option<BitString<'a>>,
    provider_reason: Option<ProviderReason>,
    session_requirements: Option<BitString<'a>>,
    protocol_options: Option<BitString<'a>>,
    nominated_context: Option<ContextId>,
    extensions: Option<&'a [u8]>,
    user_data: Option<UserData<'a>>,
}

/// Reads a normal-mode-parameters SEQUENCE, accepting the context tags in `allowed`.
fn fields<'a>(cx: Cx<'_>, tlv: &Tlv<'a>, allowed: &[u32]) -> Result<Fields<'a>> {
    cx.constructed(tlv, "normal-mode-parameters")?;
    let mut f = Fields::default();
    let mut order = Order::new();
    for element in cx.elements(tlv) {
        let e = element?;
        if UserData::is(&e) {
            user_data::field(cx, &mut order, USER_DATA, &e, &mut f.user_data)?;
            continue;
        }
        if e.class != Class::Context || !allowed.contains(&e.number) {
            return Err(cx.unexpected("normal-mode-parameters", &e));
        }
        // Tag numbers are below USER_DATA here, so they fit the position octet.
        let position = u8::try_from(e.number).unwrap_or(USER_DATA);
        let selector_max = cx.limits.max_selector_len;
        match e.number {
            0 => {
                order.next(cx, position, "protocol-version")?;
                f.protocol_version = Some(BitString::decode(cx, &e, "protocol-version")?);
            }
            1..=3 => {
                order.next(cx, position, "presentation-selector")?;
                let sel = cx.octets(&e, "presentation-selector", selector_max)?;
                if let Some(slot) = f.selectors.get_mut(usize::from(position)) {
                    *slot = Some(sel);
                }
            }
            4 => {
                order.next(cx, position, "presentation-context-definition-list")?;
                f.context_definitions = Some(List::decode(
                    cx,
                    &e,
                    "presentation-context-definition-list",
                    cx.limits.max_contexts,
                )?);
            }
            5 => {
                order.next(cx, position, "presentation-context-definition-result-list")?;
                f.context_results = Some(List::decode(
                    cx,
                    &e,
                    "presentation-context-definition-result-list",
                    cx.limits.max_contexts,
                )?);
            }
            6 => {
                order.next(cx, position, "default-context-name")?;
                f.default_context = Some(DefaultContext::decode_tlv(cx, &e)?);
            }
            7 => {
                order.next(cx, position, "default-context-result")?;
                f.default_context_result = Some(ResultCode(cx.uint(&e, "default-context-result")?));
            }
            8 => {
                order.next(cx, position, "presentation-requirements")?;
                f.presentation_requirements =
                    Some(BitString::decode(cx, &e, "presentation-requirements")?);
            }
            9 => {
                order.next(cx, position, "user-session-requirements")?;
                f.session_requirements =
                    Some(BitString::decode(cx, &e, "user-session-requirements")?);
            }
            10 => {
                order.next(cx, position, "provider-reason")?;
                f.provider_reason = Some(ProviderReason(cx.uint(&e, "provider-reason")?));
            }
            11 => {
                order.next(cx, position, "protocol-options")?;
                let inner = cx.explicit(&e, "protocol-options")?;
                if !inner.is_universal(3) {
                    return Err(cx.unexpected("protocol-options", &inner));
                }
                f.protocol_options = Some(BitString::decode(cx, &inner, "protocol-options")?);
            }
            12 | 13 => {
                order.next(cx, position, "nominated-context")?;
                let inner = cx.explicit(&e, "nominated-context")?;
                if !inner.is_universal(2) {
                    return Err(cx.unexpected("nominated-context", &inner));
                }
                f.nominated_context = Some(ContextId(cx.uint(&inner, "nominated-context")?));
            }
            _ => {
                order.next(cx, position, "extensions")?;
                let inner = cx.explicit(&e, "extensions")?;
                if !inner.is_universal(16) {
                    return Err(cx.unexpected("extensions", &inner));
                }
                f.extensions = Some(e.contents);
            }
        }
    }
    Ok(f)
}

/// Octets and writers of the shared fields, in tag order.
fn bits_len(bits: Option<&BitString<'_>>) -> usize {
    wire::opt_len(bits, BitString::contents_len)
}

fn explicit_bits_len(bits: Option<&BitString<'_>>) -> usize {
    wire::opt_len(bits, |b| wire::tlv_len(b.contents_len()))
}

fn explicit_id_len(id: Option<&ContextId>) -> usize {
    wire::opt_len(id, ContextId::tlv_len)
}

fn octets_len(octets: Option<&&[u8]>) -> usize {
    wire::opt_len(octets, |o| o.len())
}

fn list_len<'a, T: crate::list::Item<'a>>(list: Option<&List<'a, T>>) -> usize {
    wire::opt_len(list, List::contents_len)
}

fn write_bits(out: &mut Out<'_>, n: u8, bits: Option<&BitString<'_>>) -> Result<()> {
    bits.map_or(Ok(()), |b| b.write(out, wire::context(n)))
}

fn write_explicit_bits(out: &mut Out<'_>, n: u8, bits: Option<&BitString<'_>>) -> Result<()> {
    let Some(b) = bits else { return Ok(()) };
    out.header(
        wire::context_constructed(n),
        wire::tlv_len(b.contents_len()),
    )?;
    b.write(out, 0x03)
}

fn write_explicit_id(out: &mut Out<'_>, n: u8, id: Option<&ContextId>) -> Result<()> {
    let Some(id) = id else { return Ok(()) };
    out.header(wire::context_constructed(n), id.tlv_len())?;
    id.write(out)
}

fn write_octets(out: &mut Out<'_>, n: u8, octets: Option<&&[u8]>) -> Result<()> {
    octets.map_or(Ok(()), |o| out.tlv(wire::context(n), o))
}

fn write_list<'a, T: crate::list::Item<'a, Error = Error>>(
    out: &mut Out<'_>,
    n: u8,
    list: Option<&List<'a, T>>,
) -> Result<()> {
    list.map_or(Ok(()), |l| l.write(out, wire::context_constructed(n)))
}

/// The components of a CP or CPA SET: mode, X.410 parameters, normal parameters.
type ConnectSet<'a> = (Mode, Option<&'a [u8]>, Option<Fields<'a>>);

/// Reads the SET of CP or CPA: mode selector, X.410 parameters, normal parameters.
fn connect_set<'a>(cx: Cx<'_>, tlv: &Tlv<'a>, allowed: &[u32]) -> Result<ConnectSet<'a>> {
    if !tlv.is_universal(17) {
        return Err(cx.unexpected(cx.pdu, tlv));
    }
    cx.constructed(tlv, cx.pdu)?;
    let (mut mode_value, mut x410, mut normal) = (None, None, None);
    for element in cx.elements(tlv) {
        let e = element?;
        match (e.class, e.number) {
            (Class::Context, 0) => cx.put(&mut mode_value, mode(cx, &e)?, "mode-selector")?,
            (Class::Context, 1) => {
                cx.constructed(&e, "x410-mode-parameters")?;
                cx.put(&mut x410, e.contents, "x410-mode-parameters")?;
            }
            (Class::Context, 2) => {
                let f = fields(cx, &e, allowed)?;
                cx.put(&mut normal, f, "normal-mode-parameters")?;
            }
            _ => return Err(cx.unexpected(cx.pdu, &e)),
        }
    }
    let mode_value = mode_value.ok_or(cx.missing("mode-selector"))?;
    check_mode(cx, mode_value, x410.is_some(), normal.is_some())?;
    Ok((mode_value, x410, normal))
}

impl<'a> Connect<'a> {
    /// A normal-mode CP with `params`.
    #[must_use]
    pub const fn normal(params: ConnectParams<'a>) -> Self {
        Self {
            mode: Mode::NORMAL,
            x410_mode_parameters: None,
            normal_mode_parameters: Some(params),
        }
    }

    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        let (mode, x410, f) = connect_set(cx, tlv, &[0, 1, 2, 4, 6, 8, 9, 11, 12, 14])?;
        Ok(Self {
            mode,
            x410_mode_parameters: x410,
            normal_mode_parameters: f.map(|f| {
                let [_, calling, called, _] = f.selectors;
                ConnectParams {
                    protocol_version: f.protocol_version,
                    calling_selector: calling,
                    called_selector: called,
                    context_definitions: f.context_definitions,
                    default_context: f.default_context,
                    presentation_requirements: f.presentation_requirements,
                    session_requirements: f.session_requirements,
                    protocol_options: f.protocol_options,
                    nominated_context: f.nominated_context,
                    extensions: f.extensions,
                    user_data: f.user_data,
                }
            }),
        })
    }

    fn contents_len(&self) -> usize {
        mode_len(self.mode)
            + octets_len(self.x410_mode_parameters.as_ref())
            + wire::opt_len(
                self.normal_mode_parameters.as_ref(),
                ConnectParams::contents_len,
            )
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::SET, self.contents_len())?;
        write_mode(out, self.mode)?;
        if let Some(x410) = self.x410_mode_parameters {
            out.tlv(wire::context_constructed(1), x410)?;
        }
        if let Some(p) = &self.normal_mode_parameters {
            out.header(wire::context_constructed(2), p.contents_len())?;
            p.write_contents(out)?;
        }
        Ok(())
    }
}

impl ConnectParams<'_> {
    fn contents_len(&self) -> usize {
        bits_len(self.protocol_version.as_ref())
            + octets_len(self.calling_selector.as_ref())
            + octets_len(self.called_selector.as_ref())
            + list_len(self.context_definitions.as_ref())
            + wire::opt_len(self.default_context.as_ref(), DefaultContext::contents_len)
            + bits_len(self.presentation_requirements.as_ref())
            + bits_len(self.session_requirements.as_ref())
            + explicit_bits_len(self.protocol_options.as_ref())
            + explicit_id_len(self.nominated_context.as_ref())
            + octets_len(self.extensions.as_ref())
            + user_data::opt_len(self.user_data.as_ref())
    }

    fn write_contents(&self, out: &mut Out<'_>) -> Result<()> {
        write_bits(out, 0, self.protocol_version.as_ref())?;
        write_octets(out, 1, self.calling_selector.as_ref())?;
        write_octets(out, 2, self.called_selector.as_ref())?;
        write_list(out, 4, self.context_definitions.as_ref())?;
        if let Some(d) = &self.default_context {
            d.write(out, wire::context_constructed(6))?;
        }
        write_bits(out, 8, self.presentation_requirements.as_ref())?;
        write_bits(out, 9, self.session_requirements.as_ref())?;
        write_explicit_bits(out, 11, self.protocol_options.as_ref())?;
        write_explicit_id(out, 12, self.nominated_context.as_ref())?;
        if let Some(ext) = self.extensions {
            out.tlv(wire::context_constructed(14), ext)?;
        }
        user_data::write_opt(out, self.user_data.as_ref())
    }
}

impl<'a> Accept<'a> {
    /// A normal-mode CPA with `params`.
    #[must_use]
    pub const fn normal(params: AcceptParams<'a>) -> Self {
        Self {
            mode: Mode::NORMAL,
            x410_mode_parameters: None,
            normal_mode_parameters: Some(params),
        }
    }

    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        let (mode, x410, f) = connect_set(cx, tlv, &[0, 3, 5, 8, 9, 11, 13])?;
        Ok(Self {
            mode,
            x410_mode_parameters: x410,
            normal_mode_parameters: f.map(|f| AcceptParams {
                protocol_version: f.protocol_version,
                responding_selector: f.selectors[3],
                context_results: f.context_results,
                presentation_requirements: f.presentation_requirements,
                session_requirements: f.session_requirements,
                protocol_options: f.protocol_options,
                nominated_context: f.nominated_context,
                user_data: f.user_data,
            }),
        })
    }

    fn contents_len(&self) -> usize {
        mode_len(self.mode)
            + octets_len(self.x410_mode_parameters.as_ref())
            + wire::opt_len(
                self.normal_mode_parameters.as_ref(),
                AcceptParams::contents_len,
            )
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::SET, self.contents_len())?;
        write_mode(out, self.mode)?;
        if let Some(x410) = self.x410_mode_parameters {
            out.tlv(wire::context_constructed(1), x410)?;
        }
        if let Some(p) = &self.normal_mode_parameters {
            out.header(wire::context_constructed(2), p.contents_len())?;
            p.write_contents(out)?;
        }
        Ok(())
    }
}

impl AcceptParams<'_> {
    fn contents_len(&self) -> usize {
        bits_len(self.protocol_version.as_ref())
            + octets_len(self.responding_selector.as_ref())
            + list_len(self.context_results.as_ref())
            + bits_len(self.presentation_requirements.as_ref())
            + bits_len(self.session_requirements.as_ref())
            + explicit_bits_len(self.protocol_options.as_ref())
            + explicit_id_len(self.nominated_context.as_ref())
            + user_data::opt_len(self.user_data.as_ref())
    }

    fn write_contents(&self, out: &mut Out<'_>) -> Result<()> {
        write_bits(out, 0, self.protocol_version.as_ref())?;
        write_octets(out, 3, self.responding_selector.as_ref())?;
        write_list(out, 5, self.context_results.as_ref())?;
        write_bits(out, 8, self.presentation_requirements.as_ref())?;
        write_bits(out, 9, self.session_requirements.as_ref())?;
        write_explicit_bits(out, 11, self.protocol_options.as_ref())?;
        write_explicit_id(out, 13, self.nominated_context.as_ref())?;
        user_data::write_opt(out, self.user_data.as_ref())
    }
}

impl<'a> Refuse<'a> {
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if tlv.is_universal(17) {
            cx.constructed(tlv, "x400-mode-parameters")?;
            return Ok(Self::X410(tlv.contents));
        }
        if !tlv.is_universal(16) {
            return Err(cx.unexpected(cx.pdu, tlv));
        }
        let f = fields(cx, tlv, &[0, 3, 5, 7, 10])?;
        Ok(Self::Normal(RefuseParams {
            protocol_version: f.protocol_version,
            responding_selector: f.selectors[3],
            context_results: f.context_results,
            default_context_result: f.default_context_result,
            provider_reason: f.provider_reason,
            user_data: f.user_data,
        }))
    }

    fn contents_len(&self) -> usize {
        match self {
            Self::X410(contents) => contents.len(),
            Self::Normal(p) => {
                bits_len(p.protocol_version.as_ref())
                    + octets_len(p.responding_selector.as_ref())
                    + list_len(p.context_results.as_ref())
                    + wire::opt_len(p.default_context_result.as_ref(), |r| wire::uint_len(r.0))
                    + wire::opt_len(p.provider_reason.as_ref(), |r| wire::uint_len(r.0))
                    + user_data::opt_len(p.user_data.as_ref())
            }
        }
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        match self {
            Self::X410(contents) => out.tlv(wire::SET, contents),
            Self::Normal(p) => {
                out.header(wire::SEQUENCE, self.contents_len())?;
                write_bits(out, 0, p.protocol_version.as_ref())?;
                write_octets(out, 3, p.responding_selector.as_ref())?;
                write_list(out, 5, p.context_results.as_ref())?;
                if let Some(r) = p.default_context_result {
                    out.uint(wire::context(7), r.0)?;
                }
                if let Some(r) = p.provider_reason {
                    out.uint(wire::context(10), r.0)?;
                }
                user_data::write_opt(out, p.user_data.as_ref())
            }
        }
    }
}

ppdu_api!(Connect, "CP-type");
ppdu_api!(Accept, "CPA-PPDU");
ppdu_api!(Refuse, "CPR-PPDU");
