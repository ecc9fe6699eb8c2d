//! The PPDUs after connection (X.226 §8.2): ARU and ARP (abort), AC and ACA (alter
//! context) and TTD inside the typed data of a session TYPED DATA, RS and RSA (the
//! resynchronize service).

use osi_sansio::ber::{Class, Tlv};

use crate::Result;
use crate::api::ppdu_api;
use crate::codes::{AbortReason, DeletionResult, EventId};
use crate::context::{ContextItem, ContextSyntax, ResultItem};
use crate::list::List;
use crate::user_data::{self, UserData};
use crate::values::ContextId;
use crate::wire::{self, Cx, Order, Out};

/// `Abort-type` (X.226 §8.2): SS-user data of the session ABORT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort<'a> {
    /// ARU `x400-mode-parameters`: the contents octets of the RTABapdu SET (X.410-1984
    /// mode).
    X410(&'a [u8]),
    /// ARU `normal-mode-parameters [0]`: the user aborts.
    User(UserAbort<'a>),
    /// ARP: the presentation provider aborts.
    Provider(ProviderAbort),
}

/// ARU-PPDU `normal-mode-parameters` (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserAbort<'a> {
    /// `presentation-context-identifier-list [0]`.
    pub context_list: Option<List<'a, ContextSyntax<'a>>>,
    /// `user-data`.
    pub user_data: Option<UserData<'a>>,
}

/// `ARP-PPDU` (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProviderAbort {
    /// `provider-reason [0]`.
    pub reason: Option<AbortReason>,
    /// `event-identifier [1]`.
    pub event: Option<EventId>,
}

/// `Typed-data-type` (X.226 §8.2): SS-user data of the session TYPED DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedData<'a> {
    /// `acPPDU [0]`: P-ALTER-CONTEXT request.
    AlterContext(AlterContext<'a>),
    /// `acaPPDU [1]`: P-ALTER-CONTEXT response.
    AlterContextAck(AlterContextAck<'a>),
    /// `ttdPPDU`: P-TYPED-DATA.
    Ttd(UserData<'a>),
}

/// `AC-PPDU` (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlterContext<'a> {
    /// `presentation-context-addition-list [0]`.
    pub additions: Option<List<'a, ContextItem<'a>>>,
    /// `presentation-context-deletion-list [1]`.
    pub deletions: Option<List<'a, ContextId>>,
    /// `user-data`.
    pub user_data: Option<UserData<'a>>,
}

/// `ACA-PPDU` (X.226 §8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlterContextAck<'a> {
    /// `presentation-context-addition-result-list [0]`.
    pub addition_results: Option<List<'a, ResultItem<'a>>>,
    /// `presentation-context-deletion-result-list [1]`.
    pub deletion_results: Option<List<'a, DeletionResult>>,
    /// `user-data`.
    pub user_data: Option<UserData<'a>>,
}

/// `RS-PPDU` and `RSA-PPDU` (X.226 §8.2), which have the same fields: SS-user data of the
/// session RESYNCHRONIZE and RESYNCHRONIZE ACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resynchronize<'a> {
    /// `presentation-context-identifier-list [0]`: the contexts restored.
    pub context_list: Option<List<'a, ContextSyntax<'a>>>,
    /// `user-data`.
    pub user_data: Option<UserData<'a>>,
}

/// Position of `user-data` after the tagged fields.
const USER_DATA: u8 = 2;

/// Reads `SEQUENCE { [0] A OPTIONAL, [1] B OPTIONAL, user-data OPTIONAL }`, giving each
/// tagged field to `tagged` (with its position).
fn two_and_data<'a>(
    cx: Cx<'_>,
    tlv: &Tlv<'a>,
    max_tag: u32,
    mut tagged: impl FnMut(u32, &Tlv<'a>) -> Result<()>,
) -> Result<Option<UserData<'a>>> {
    cx.constructed(tlv, cx.pdu)?;
    let mut order = Order::new();
    let mut data = None;
    for element in cx.elements(tlv) {
        let e = element?;
        if UserData::is(&e) {
            user_data::field(cx, &mut order, USER_DATA, &e, &mut data)?;
        } else if e.class == Class::Context && e.number <= max_tag {
            let position = if e.number == 0 { 0 } else { 1 };
            order.next(cx, position, "a context list")?;
            tagged(e.number, &e)?;
        } else {
            return Err(cx.unexpected(cx.pdu, &e));
        }
    }
    Ok(data)
}

fn list_len<'a, T: crate::list::Item<'a>>(list: Option<&List<'a, T>>) -> usize {
    wire::opt_len(list, List::contents_len)
}

fn write_list<'a, T: crate::list::Item<'a, Error = crate::Error>>(
    out: &mut Out<'_>,
    n: u8,
    list: Option<&List<'a, T>>,
) -> Result<()> {
    list.map_or(Ok(()), |l| l.write(out, wire::context_constructed(n)))
}

impl<'a> UserAbort<'a> {
    fn decode_fields(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        let mut context_list = None;
        let user_data = two_and_data(cx, tlv, 0, |_, e| {
            context_list = Some(List::decode(
                cx,
                e,
                "presentation-context-identifier-list",
                cx.limits.max_contexts,
            )?);
            Ok(())
        })?;
        Ok(Self {
            context_list,
            user_data,
        })
    }

    fn contents_len(&self) -> usize {
        list_len(self.context_list.as_ref()) + user_data::opt_len(self.user_data.as_ref())
    }

    fn write_contents(&self, out: &mut Out<'_>) -> Result<()> {
        write_list(out, 0, self.context_list.as_ref())?;
        user_data::write_opt(out, self.user_data.as_ref())
    }
}

impl<'a> Abort<'a> {
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        match (tlv.class, tlv.number) {
            (Class::Universal, 17) => {
                cx.constructed(tlv, "x400-mode-parameters")?;
                Ok(Self::X410(tlv.contents))
            }
            (Class::Context, 0) => Ok(Self::User(UserAbort::decode_fields(cx, tlv)?)),
            (Class::Universal, 16) => {
                cx.constructed(tlv, "ARP-PPDU")?;
                let mut order = Order::new();
                let mut arp = ProviderAbort::default();
                for element in cx.elements(tlv) {
                    let e = element?;
                    match (e.class, e.number) {
                        (Class::Context, 0) => {
                            order.next(cx, 0, "provider-reason")?;
                            arp.reason = Some(AbortReason(cx.uint(&e, "provider-reason")?));
                        }
                        (Class::Context, 1) => {
                            order.next(cx, 1, "event-identifier")?;
                            arp.event = Some(EventId(cx.uint(&e, "event-identifier")?));
                        }
                        _ => return Err(cx.unexpected("ARP-PPDU", &e)),
                    }
                }
                Ok(Self::Provider(arp))
            }
            _ => Err(cx.unexpected(cx.pdu, tlv)),
        }
    }

    fn contents_len(&self) -> usize {
        match self {
            Self::X410(contents) => contents.len(),
            Self::User(aru) => aru.contents_len(),
            Self::Provider(arp) => {
                wire::opt_len(arp.reason.as_ref(), |r| wire::uint_len(r.0))
                    + wire::opt_len(arp.event.as_ref(), |e| wire::uint_len(e.0))
            }
        }
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        match self {
            Self::X410(contents) => out.tlv(wire::SET, contents),
            Self::User(aru) => {
                out.header(wire::context_constructed(0), aru.contents_len())?;
                aru.write_contents(out)
            }
            Self::Provider(arp) => {
                out.header(wire::SEQUENCE, self.contents_len())?;
                if let Some(r) = arp.reason {
                    out.uint(wire::context(0), r.0)?;
                }
                if let Some(e) = arp.event {
                    out.uint(wire::context(1), e.0)?;
                }
                Ok(())
            }
        }
    }
}

impl<'a> TypedData<'a> {
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if UserData::is(tlv) {
            return Ok(Self::Ttd(UserData::decode_tlv(cx, tlv)?));
        }
        match (tlv.class, tlv.number) {
            (Class::Context, 0) => {
                let mut ac = AlterContext::default();
                ac.user_data = two_and_data(cx, tlv, 1, |n, e| {
                    if n == 0 {
                        ac.additions = Some(List::decode(
                            cx,
                            e,
                            "presentation-context-addition-list",
                            cx.limits.max_contexts,
                        )?);
                    } else {
                        ac.deletions = Some(List::decode(
                            cx,
                            e,
                            "presentation-context-deletion-list",
                            cx.limits.max_contexts,
                        )?);
                    }
                    Ok(())
                })?;
                Ok(Self::AlterContext(ac))
            }
            (Class::Context, 1) => {
                let mut aca = AlterContextAck::default();
                aca.user_data = two_and_data(cx, tlv, 1, |n, e| {
                    if n == 0 {
                        aca.addition_results = Some(List::decode(
                            cx,
                            e,
                            "presentation-context-addition-result-list",
                            cx.limits.max_contexts,
                        )?);
                    } else {
                        aca.deletion_results = Some(List::decode(
                            cx,
                            e,
                            "presentation-context-deletion-result-list",
                            cx.limits.max_contexts,
                        )?);
                    }
                    Ok(())
                })?;
                Ok(Self::AlterContextAck(aca))
            }
            _ => Err(cx.unexpected(cx.pdu, tlv)),
        }
    }

    fn contents_len(&self) -> usize {
        match self {
            Self::AlterContext(ac) => {
                list_len(ac.additions.as_ref())
                    + list_len(ac.deletions.as_ref())
                    + user_data::opt_len(ac.user_data.as_ref())
            }
            Self::AlterContextAck(aca) => {
                list_len(aca.addition_results.as_ref())
                    + list_len(aca.deletion_results.as_ref())
                    + user_data::opt_len(aca.user_data.as_ref())
            }
            Self::Ttd(data) => data.tlv_len(),
        }
    }

    fn tlv_len(&self) -> usize {
        match self {
            Self::Ttd(data) => data.tlv_len(),
            _ => wire::tlv_len(self.contents_len()),
        }
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        match self {
            Self::AlterContext(ac) => {
                out.header(wire::context_constructed(0), self.contents_len())?;
                write_list(out, 0, ac.additions.as_ref())?;
                write_list(out, 1, ac.deletions.as_ref())?;
                user_data::write_opt(out, ac.user_data.as_ref())
            }
            Self::AlterContextAck(aca) => {
                out.header(wire::context_constructed(1), self.contents_len())?;
                write_list(out, 0, aca.addition_results.as_ref())?;
                write_list(out, 1, aca.deletion_results.as_ref())?;
                user_data::write_opt(out, aca.user_data.as_ref())
            }
            Self::Ttd(data) => data.write(out),
        }
    }
}

impl<'a> Resynchronize<'a> {
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if !tlv.is_universal(16) {
            return Err(cx.unexpected(cx.pdu, tlv));
        }
        let mut context_list = None;
        let user_data = two_and_data(cx, tlv, 0, |_, e| {
            context_list = Some(List::decode(
                cx,
                e,
                "presentation-context-identifier-list",
                cx.limits.max_contexts,
            )?);
            Ok(())
        })?;
        Ok(Self {
            context_list,
            user_data,
        })
    }

    fn contents_len(&self) -> usize {
        list_len(self.context_list.as_ref()) + user_data::opt_len(self.user_data.as_ref())
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::SEQUENCE, self.contents_len())?;
        write_list(out, 0, self.context_list.as_ref())?;
        user_data::write_opt(out, self.user_data.as_ref())
    }
}

ppdu_api!(Abort, "Abort-type");
ppdu_api!(TypedData, "Typed-data-type");
ppdu_api!(Resynchronize, "RS-PPDU");
