//! The items of the presentation context lists (X.226 §8.2): proposals, results,
//! identifiers with their transfer syntax, and the default context.

use osi_sansio::ber::{Class, Tlv};

use crate::Result;
use crate::codes::{ContextRejectReason, ResultCode};
use crate::list::{List, item};
use crate::values::{ContextId, Oid};
use crate::wire::{self, Cx, Order, Out};

/// An item of `Context-list` (X.226 §8.2): a proposed presentation context, in the
/// presentation-context-definition-list of CP and the addition list of AC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextItem<'a> {
    /// `presentation-context-identifier`.
    pub id: ContextId,
    /// `abstract-syntax-name`.
    pub abstract_syntax: Oid<'a>,
    /// `transfer-syntax-name-list`: the transfer syntaxes offered, in preference order.
    pub transfer_syntaxes: List<'a, Oid<'a>>,
}

impl<'a> ContextItem<'a> {
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        const FIELD: &str = "Context-list";
        if !tlv.is_universal(16) {
            return Err(cx.unexpected(FIELD, tlv));
        }
        cx.constructed(tlv, FIELD)?;
        let mut elements = cx.elements(tlv);
        let mut next = |field| elements.next().ok_or(cx.missing(field)).and_then(|e| e);
        let id = next("presentation-context-identifier")?;
        if !id.is_universal(2) {
            return Err(cx.unexpected(FIELD, &id));
        }
        let abstract_syntax = next("abstract-syntax-name")?;
        if !abstract_syntax.is_universal(6) {
            return Err(cx.unexpected(FIELD, &abstract_syntax));
        }
        let list = next("transfer-syntax-name-list")?;
        if !list.is_universal(16) {
            return Err(cx.unexpected(FIELD, &list));
        }
        if let Some(extra) = elements.next() {
            return Err(cx.unexpected(FIELD, &extra?));
        }
        Ok(Self {
            id: ContextId(cx.uint(&id, "presentation-context-identifier")?),
            abstract_syntax: Oid::decode(cx, &abstract_syntax, "abstract-syntax-name")?,
            transfer_syntaxes: List::decode(
                cx,
                &list,
                "transfer-syntax-name-list",
                cx.limits.max_transfer_syntaxes,
            )?,
        })
    }

    fn contents_len(&self) -> usize {
        self.id.tlv_len()
            + self.abstract_syntax.tlv_len()
            + wire::tlv_len(self.transfer_syntaxes.contents_len())
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::SEQUENCE, self.contents_len())?;
        self.id.write(out)?;
        self.abstract_syntax.write(out)?;
        self.transfer_syntaxes.write(out, wire::SEQUENCE)
    }
}

item!(ContextItem<'a>);

/// An item of `Result-list` (X.226 §8.2): the outcome of one proposed context, in the
/// order of the proposals (X.226 §6.2.4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultItem<'a> {
    /// `result [0]`.
    pub result: ResultCode,
    /// `transfer-syntax-name [1]`: the one chosen, with acceptance.
    pub transfer_syntax: Option<Oid<'a>>,
    /// `provider-reason [2]`: with provider-rejection.
    pub provider_reason: Option<ContextRejectReason>,
}

impl<'a> ResultItem<'a> {
    /// Acceptance of a context in `transfer_syntax`.
    #[must_use]
    pub const fn accept(transfer_syntax: Oid<'a>) -> Self {
        Self {
            result: ResultCode::ACCEPTANCE,
            transfer_syntax: Some(transfer_syntax),
            provider_reason: None,
        }
    }

    /// Provider rejection of a context for `reason`.
    #[must_use]
    pub const fn provider_reject(reason: ContextRejectReason) -> Self {
        Self {
            result: ResultCode::PROVIDER_REJECTION,
            transfer_syntax: None,
            provider_reason: Some(reason),
        }
    }

    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        const FIELD: &str = "Result-list";
        if !tlv.is_universal(16) {
            return Err(cx.unexpected(FIELD, tlv));
        }
        cx.constructed(tlv, FIELD)?;
        let mut order = Order::new();
        let mut result = None;
        let mut transfer_syntax = None;
        let mut provider_reason = None;
        for element in cx.elements(tlv) {
            let e = element?;
            match (e.class, e.number) {
                (Class::Context, 0) => {
                    order.next(cx, 0, "result")?;
                    result = Some(ResultCode(cx.uint(&e, "result")?));
                }
                (Class::Context, 1) => {
                    order.next(cx, 1, "transfer-syntax-name")?;
                    transfer_syntax = Some(Oid::decode(cx, &e, "transfer-syntax-name")?);
                }
                (Class::Context, 2) => {
                    order.next(cx, 2, "provider-reason")?;
                    provider_reason = Some(ContextRejectReason(cx.uint(&e, "provider-reason")?));
                }
                _ => return Err(cx.unexpected(FIELD, &e)),
            }
        }
        Ok(Self {
            result: result.ok_or(cx.missing("result"))?,
            transfer_syntax,
            provider_reason,
        })
    }

    fn contents_len(&self) -> usize {
        wire::tlv_len(wire::uint_len(self.result.0))
            + wire::opt_len(self.transfer_syntax.as_ref(), |o| o.contents().len())
            + wire::opt_len(self.provider_reason.as_ref(), |r| wire::uint_len(r.0))
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::SEQUENCE, self.contents_len())?;
        out.uint(wire::context(0), self.result.0)?;
        if let Some(oid) = &self.transfer_syntax {
            oid.write_as(out, wire::context(1))?;
        }
        if let Some(reason) = self.provider_reason {
            out.uint(wire::context(2), reason.0)?;
        }
        Ok(())
    }
}

item!(ResultItem<'a>);

/// An item of `Presentation-context-identifier-list` (X.226 §8.2): a context and its
/// transfer syntax, in ARU, RS and RSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextSyntax<'a> {
    /// `presentation-context-identifier`.
    pub id: ContextId,
    /// `transfer-syntax-name`.
    pub transfer_syntax: Oid<'a>,
}

impl<'a> ContextSyntax<'a> {
    fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        const FIELD: &str = "Presentation-context-identifier-list";
        if !tlv.is_universal(16) {
            return Err(cx.unexpected(FIELD, tlv));
        }
        cx.constructed(tlv, FIELD)?;
        let mut elements = cx.elements(tlv);
        let mut next = |field| elements.next().ok_or(cx.missing(field)).and_then(|e| e);
        let id = next("presentation-context-identifier")?;
        let syntax = next("transfer-syntax-name")?;
        if !id.is_universal(2) {
            return Err(cx.unexpected(FIELD, &id));
        }
        if !syntax.is_universal(6) {
            return Err(cx.unexpected(FIELD, &syntax));
        }
        if let Some(extra) = elements.next() {
            return Err(cx.unexpected(FIELD, &extra?));
        }
        Ok(Self {
            id: ContextId(cx.uint(&id, "presentation-context-identifier")?),
            transfer_syntax: Oid::decode(cx, &syntax, "transfer-syntax-name")?,
        })
    }

    fn contents_len(&self) -> usize {
        self.id.tlv_len() + self.transfer_syntax.tlv_len()
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::SEQUENCE, self.contents_len())?;
        self.id.write(out)?;
        self.transfer_syntax.write(out)
    }
}

item!(ContextSyntax<'a>);

/// `Default-context-name` (X.226 §8.2): the context used before any is defined, and when
/// the defined context set is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultContext<'a> {
    /// `abstract-syntax-name [0]`.
    pub abstract_syntax: Oid<'a>,
    /// `transfer-syntax-name [1]`.
    pub transfer_syntax: Oid<'a>,
}

impl<'a> DefaultContext<'a> {
    pub(crate) fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        const FIELD: &str = "default-context-name";
        cx.constructed(tlv, FIELD)?;
        let mut order = Order::new();
        let (mut abstract_syntax, mut transfer_syntax) = (None, None);
        for element in cx.elements(tlv) {
            let e = element?;
            match (e.class, e.number) {
                (Class::Context, 0) => {
                    order.next(cx, 0, "abstract-syntax-name")?;
                    abstract_syntax = Some(Oid::decode(cx, &e, "abstract-syntax-name")?);
                }
                (Class::Context, 1) => {
                    order.next(cx, 1, "transfer-syntax-name")?;
                    transfer_syntax = Some(Oid::decode(cx, &e, "transfer-syntax-name")?);
                }
                _ => return Err(cx.unexpected(FIELD, &e)),
            }
        }
        Ok(Self {
            abstract_syntax: abstract_syntax.ok_or(cx.missing("abstract-syntax-name"))?,
            transfer_syntax: transfer_syntax.ok_or(cx.missing("transfer-syntax-name"))?,
        })
    }

    pub(crate) fn contents_len(&self) -> usize {
        self.abstract_syntax.tlv_len() + self.transfer_syntax.tlv_len()
    }

    pub(crate) fn write(&self, out: &mut Out<'_>, identifier: u8) -> Result<()> {
        out.header(identifier, self.contents_len())?;
        self.abstract_syntax.write_as(out, wire::context(0))?;
        self.transfer_syntax.write_as(out, wire::context(1))
    }
}
