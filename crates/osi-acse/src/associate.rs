//! AARQ and AARE (ACSE-1 module of X.227, `AARQ-apdu` and `AARE-apdu`): association
//! establishment (X.227 §7.1). Both are `[APPLICATION n] IMPLICIT SEQUENCE`s whose fields
//! carry context tags in ascending order, so a field's tag number is its position.

use osi_sansio::ber::{Class, Tlv};

use crate::Result;
use crate::codes::{AssociateResult, ProviderDiagnostic, UserDiagnostic};
use crate::external::External;
use crate::list::List;
use crate::names::{AeQualifier, ApTitle, AuthenticationValue};
use crate::values::{BitString, Oid};
use crate::wire::{self, Cx, Order, Out};

/// AARQ APDU: the A-ASSOCIATE request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aarq<'a> {
    /// `protocol-version [0]`: absent means `{version1}`, its DEFAULT; kept as received so
    /// the APDU re-encodes to the same octets.
    pub protocol_version: Option<BitString<'a>>,
    /// `aSO-context-name [1]`: the application context (2.6.0.1.6 for an X.400 MTS
    /// transfer in normal mode, 1.0.9506.2.3 for MMS).
    pub application_context_name: Oid<'a>,
    /// `called-AP-title [2]`.
    pub called_ap_title: Option<ApTitle<'a>>,
    /// `called-AE-qualifier [3]`.
    pub called_ae_qualifier: Option<AeQualifier<'a>>,
    /// `called-AP-invocation-identifier [4]`.
    pub called_ap_invocation_id: Option<u32>,
    /// `called-AE-invocation-identifier [5]`.
    pub called_ae_invocation_id: Option<u32>,
    /// `calling-AP-title [6]`.
    pub calling_ap_title: Option<ApTitle<'a>>,
    /// `calling-AE-qualifier [7]`.
    pub calling_ae_qualifier: Option<AeQualifier<'a>>,
    /// `calling-AP-invocation-identifier [8]`.
    pub calling_ap_invocation_id: Option<u32>,
    /// `calling-AE-invocation-identifier [9]`.
    pub calling_ae_invocation_id: Option<u32>,
    /// `sender-acse-requirements [10]`: the functional units proposed
    /// ([`acse_requirements`](crate::acse_requirements)); absent with the kernel only.
    pub sender_acse_requirements: Option<BitString<'a>>,
    /// `mechanism-name [11]`: the authentication mechanism, e.g. [`Oid::PASSWORD_1`].
    pub mechanism_name: Option<Oid<'a>>,
    /// `calling-authentication-value [12]`: the password, where the MTA sends one here.
    pub calling_authentication_value: Option<AuthenticationValue<'a>>,
    /// `aSO-context-name-list [13]`: with application context negotiation.
    pub application_context_name_list: Option<List<'a, Oid<'a>>>,
    /// `implementation-information [29]`: a GraphicString.
    pub implementation_information: Option<&'a [u8]>,
    /// `user-information [30]`: the EXTERNALs of the application (RTORQ, MMS initiate).
    pub user_information: Option<List<'a, External<'a>>>,
}

/// AARE APDU: the A-ASSOCIATE response, accepting or rejecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aare<'a> {
    /// `protocol-version [0]`: absent means `{version1}`.
    pub protocol_version: Option<BitString<'a>>,
    /// `aSO-context-name [1]`.
    pub application_context_name: Oid<'a>,
    /// `result [2]`.
    pub result: AssociateResult,
    /// `result-source-diagnostic [3]`.
    pub result_source_diagnostic: SourceDiagnostic,
    /// `responding-AP-title [4]`.
    pub responding_ap_title: Option<ApTitle<'a>>,
    /// `responding-AE-qualifier [5]`.
    pub responding_ae_qualifier: Option<AeQualifier<'a>>,
    /// `responding-AP-invocation-identifier [6]`.
    pub responding_ap_invocation_id: Option<u32>,
    /// `responding-AE-invocation-identifier [7]`.
    pub responding_ae_invocation_id: Option<u32>,
    /// `responder-acse-requirements [8]`.
    pub responder_acse_requirements: Option<BitString<'a>>,
    /// `mechanism-name [9]`.
    pub mechanism_name: Option<Oid<'a>>,
    /// `responding-authentication-value [10]`.
    pub responding_authentication_value: Option<AuthenticationValue<'a>>,
    /// `aSO-context-name-list [11]`.
    pub application_context_name_list: Option<List<'a, Oid<'a>>>,
    /// `implementation-information [29]`.
    pub implementation_information: Option<&'a [u8]>,
    /// `user-information [30]`: the EXTERNALs of the application (RTOAC, RTORJ).
    pub user_information: Option<List<'a, External<'a>>>,
}

/// `Associate-source-diagnostic` (ACSE-1): who decided the result, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceDiagnostic {
    /// `acse-service-user [1]`: the responding user.
    User(UserDiagnostic),
    /// `acse-service-provider [2]`: the responding ACPM.
    Provider(ProviderDiagnostic),
}

impl SourceDiagnostic {
    fn decode(cx: Cx<'_>, tlv: &Tlv<'_>) -> Result<Self> {
        const FIELD: &str = "result-source-diagnostic";
        let inner = cx.explicit(tlv, FIELD)?;
        match (inner.class, inner.number) {
            (Class::Context, 1) => Ok(Self::User(UserDiagnostic(
                cx.explicit_uint(&inner, "acse-service-user")?,
            ))),
            (Class::Context, 2) => Ok(Self::Provider(ProviderDiagnostic(
                cx.explicit_uint(&inner, "acse-service-provider")?,
            ))),
            _ => Err(cx.unexpected(FIELD, &inner)),
        }
    }

    const fn choice(self) -> (u8, u32) {
        match self {
            Self::User(d) => (1, d.0),
            Self::Provider(d) => (2, d.0),
        }
    }

    const fn tlv_len(self) -> usize {
        wire::tlv_len(wire::explicit_uint_len(self.choice().1))
    }

    fn write(self, out: &mut Out<'_>) -> Result<()> {
        let (n, v) = self.choice();
        out.header(wire::context_constructed(3), wire::explicit_uint_len(v))?;
        out.explicit_uint(n, v)
    }
}

/// Identifier of aSO-context-name-list in AARQ (`[13] IMPLICIT SEQUENCE OF`).
const AARQ_NAME_LIST: u8 = wire::context_constructed(13);
/// Identifier of aSO-context-name-list in AARE (`[11] IMPLICIT SEQUENCE OF`).
const AARE_NAME_LIST: u8 = wire::context_constructed(11);
/// Identifier of implementation-information (`[29] IMPLICIT GraphicString`).
pub(crate) const IMPLEMENTATION: u8 = wire::context(29);
/// Identifier of user-information (`[30] IMPLICIT SEQUENCE OF EXTERNAL`).
pub(crate) const USER_INFORMATION: u8 = wire::context_constructed(30);

/// Reads the aSO-context-name `[1]`.
fn context_name<'a>(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Oid<'a>> {
    const FIELD: &str = "aSO-context-name";
    let inner = cx.explicit(tlv, FIELD)?;
    if !inner.is_universal(6) {
        return Err(cx.unexpected(FIELD, &inner));
    }
    Oid::decode(cx, &inner, FIELD)
}

/// Reads user-information `[30]`.
pub(crate) fn user_information<'a>(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<List<'a, External<'a>>> {
    List::decode(cx, tlv, "user-information", cx.limits.max_externals)
}

/// Octets of optional user information.
pub(crate) fn user_information_len(list: Option<&List<'_, External<'_>>>) -> usize {
    wire::opt_len(list, List::contents_len)
}

fn names_len(list: Option<&List<'_, Oid<'_>>>) -> usize {
    wire::opt_len(list, List::contents_len)
}

/// Writes an optional field with `f`.
pub(crate) fn opt<T>(
    out: &mut Out<'_>,
    v: Option<&T>,
    f: impl FnOnce(&mut Out<'_>, &T) -> Result<()>,
) -> Result<()> {
    v.map_or(Ok(()), |v| f(out, v))
}

impl<'a> Aarq<'a> {
    /// An AARQ for the application context `name`, every optional field absent.
    #[must_use]
    pub const fn new(name: Oid<'a>) -> Self {
        Self {
            protocol_version: None,
            application_context_name: name,
            called_ap_title: None,
            called_ae_qualifier: None,
            called_ap_invocation_id: None,
            called_ae_invocation_id: None,
            calling_ap_title: None,
            calling_ae_qualifier: None,
            calling_ap_invocation_id: None,
            calling_ae_invocation_id: None,
            sender_acse_requirements: None,
            mechanism_name: None,
            calling_authentication_value: None,
            application_context_name_list: None,
            implementation_information: None,
            user_information: None,
        }
    }

    pub(crate) fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if !(tlv.class == Class::Application && tlv.number == 0) {
            return Err(cx.unexpected("ACSE-apdu", tlv));
        }
        cx.constructed(tlv, "AARQ-apdu")?;
        let mut order = Order::new();
        let mut name = None;
        let mut a = Self::new(Oid::ACSE);
        for element in cx.elements(tlv) {
            let e = element?;
            if e.class != Class::Context {
                return Err(cx.unexpected("AARQ-apdu", &e));
            }
            let field = match e.number {
                0 => "protocol-version",
                1 => "aSO-context-name",
                2 => "called-AP-title",
                3 => "called-AE-qualifier",
                4 => "called-AP-invocation-identifier",
                5 => "called-AE-invocation-identifier",
                6 => "calling-AP-title",
                7 => "calling-AE-qualifier",
                8 => "calling-AP-invocation-identifier",
                9 => "calling-AE-invocation-identifier",
                10 => "sender-acse-requirements",
                11 => "mechanism-name",
                12 => "calling-authentication-value",
                13 => "aSO-context-name-list",
                29 => "implementation-information",
                30 => "user-information",
                _ => return Err(cx.unexpected("AARQ-apdu", &e)),
            };
            // The match above bounds the number below 31.
            order.next(cx, u8::try_from(e.number).unwrap_or(u8::MAX), field)?;
            match e.number {
                0 => a.protocol_version = Some(BitString::decode(cx, &e, field)?),
                1 => name = Some(context_name(cx, &e)?),
                2 => a.called_ap_title = Some(ApTitle::decode(cx, &e, field)?),
                3 => a.called_ae_qualifier = Some(AeQualifier::decode(cx, &e, field)?),
                4 => a.called_ap_invocation_id = Some(cx.explicit_uint(&e, field)?),
                5 => a.called_ae_invocation_id = Some(cx.explicit_uint(&e, field)?),
                6 => a.calling_ap_title = Some(ApTitle::decode(cx, &e, field)?),
                7 => a.calling_ae_qualifier = Some(AeQualifier::decode(cx, &e, field)?),
                8 => a.calling_ap_invocation_id = Some(cx.explicit_uint(&e, field)?),
                9 => a.calling_ae_invocation_id = Some(cx.explicit_uint(&e, field)?),
                10 => a.sender_acse_requirements = Some(BitString::decode(cx, &e, field)?),
                11 => a.mechanism_name = Some(Oid::decode(cx, &e, field)?),
                12 => {
                    a.calling_authentication_value =
                        Some(AuthenticationValue::decode(cx, &e, field)?);
                }
                13 => {
                    a.application_context_name_list =
                        Some(List::decode(cx, &e, field, cx.limits.max_context_names)?);
                }
                29 => a.implementation_information = Some(wire::text(cx, &e, field)?),
                _ => a.user_information = Some(user_information(cx, &e)?),
            }
        }
        a.application_context_name = name.ok_or(cx.missing("aSO-context-name"))?;
        Ok(a)
    }

    fn contents_len(&self) -> usize {
        wire::opt_len(self.protocol_version.as_ref(), BitString::contents_len)
            + wire::tlv_len(self.application_context_name.tlv_len())
            + self.called_ap_title.as_ref().map_or(0, ApTitle::tlv_len)
            + self
                .called_ae_qualifier
                .as_ref()
                .map_or(0, AeQualifier::tlv_len)
            + self
                .called_ap_invocation_id
                .map_or(0, wire::explicit_uint_len)
            + self
                .called_ae_invocation_id
                .map_or(0, wire::explicit_uint_len)
            + self.calling_ap_title.as_ref().map_or(0, ApTitle::tlv_len)
            + self
                .calling_ae_qualifier
                .as_ref()
                .map_or(0, AeQualifier::tlv_len)
            + self
                .calling_ap_invocation_id
                .map_or(0, wire::explicit_uint_len)
            + self
                .calling_ae_invocation_id
                .map_or(0, wire::explicit_uint_len)
            + wire::opt_len(
                self.sender_acse_requirements.as_ref(),
                BitString::contents_len,
            )
            + wire::opt_len(self.mechanism_name.as_ref(), |o| o.contents().len())
            + self
                .calling_authentication_value
                .as_ref()
                .map_or(0, AuthenticationValue::tlv_len)
            + names_len(self.application_context_name_list.as_ref())
            + wire::opt_len(self.implementation_information.as_ref(), |s| s.len())
            + user_information_len(self.user_information.as_ref())
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::application_constructed(0), self.contents_len())?;
        opt(out, self.protocol_version.as_ref(), |o, v| {
            v.write(o, wire::context(0))
        })?;
        out.header(
            wire::context_constructed(1),
            self.application_context_name.tlv_len(),
        )?;
        self.application_context_name.write_as(out, wire::OID)?;
        opt(out, self.called_ap_title.as_ref(), |o, v| v.write(o, 2))?;
        opt(out, self.called_ae_qualifier.as_ref(), |o, v| v.write(o, 3))?;
        opt(out, self.called_ap_invocation_id.as_ref(), |o, v| {
            o.explicit_uint(4, *v)
        })?;
        opt(out, self.called_ae_invocation_id.as_ref(), |o, v| {
            o.explicit_uint(5, *v)
        })?;
        opt(out, self.calling_ap_title.as_ref(), |o, v| v.write(o, 6))?;
        opt(out, self.calling_ae_qualifier.as_ref(), |o, v| {
            v.write(o, 7)
        })?;
        opt(out, self.calling_ap_invocation_id.as_ref(), |o, v| {
            o.explicit_uint(8, *v)
        })?;
        opt(out, self.calling_ae_invocation_id.as_ref(), |o, v| {
            o.explicit_uint(9, *v)
        })?;
        opt(out, self.sender_acse_requirements.as_ref(), |o, v| {
            v.write(o, wire::context(10))
        })?;
        opt(out, self.mechanism_name.as_ref(), |o, v| {
            v.write_as(o, wire::context(11))
        })?;
        opt(out, self.calling_authentication_value.as_ref(), |o, v| {
            v.write(o, 12)
        })?;
        opt(out, self.application_context_name_list.as_ref(), |o, v| {
            v.write(o, AARQ_NAME_LIST)
        })?;
        opt(out, self.implementation_information.as_ref(), |o, v| {
            o.tlv(IMPLEMENTATION, v)
        })?;
        opt(out, self.user_information.as_ref(), |o, v| {
            v.write(o, USER_INFORMATION)
        })
    }
}

crate::api::apdu_api!(Aarq, "AARQ-apdu");

impl<'a> Aare<'a> {
    /// An AARE for the application context `name` with `result` and `diagnostic`, every
    /// optional field absent.
    #[must_use]
    pub const fn new(name: Oid<'a>, result: AssociateResult, diagnostic: SourceDiagnostic) -> Self {
        Self {
            protocol_version: None,
            application_context_name: name,
            result,
            result_source_diagnostic: diagnostic,
            responding_ap_title: None,
            responding_ae_qualifier: None,
            responding_ap_invocation_id: None,
            responding_ae_invocation_id: None,
            responder_acse_requirements: None,
            mechanism_name: None,
            responding_authentication_value: None,
            application_context_name_list: None,
            implementation_information: None,
            user_information: None,
        }
    }

    pub(crate) fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        if !(tlv.class == Class::Application && tlv.number == 1) {
            return Err(cx.unexpected("ACSE-apdu", tlv));
        }
        cx.constructed(tlv, "AARE-apdu")?;
        let mut order = Order::new();
        let (mut name, mut result, mut diagnostic) = (None, None, None);
        let mut a = Self::new(
            Oid::ACSE,
            AssociateResult::ACCEPTED,
            SourceDiagnostic::User(UserDiagnostic::NULL),
        );
        for element in cx.elements(tlv) {
            let e = element?;
            if e.class != Class::Context {
                return Err(cx.unexpected("AARE-apdu", &e));
            }
            let field = match e.number {
                0 => "protocol-version",
                1 => "aSO-context-name",
                2 => "result",
                3 => "result-source-diagnostic",
                4 => "responding-AP-title",
                5 => "responding-AE-qualifier",
                6 => "responding-AP-invocation-identifier",
                7 => "responding-AE-invocation-identifier",
                8 => "responder-acse-requirements",
                9 => "mechanism-name",
                10 => "responding-authentication-value",
                11 => "aSO-context-name-list",
                29 => "implementation-information",
                30 => "user-information",
                _ => return Err(cx.unexpected("AARE-apdu", &e)),
            };
            // The match above bounds the number below 31.
            order.next(cx, u8::try_from(e.number).unwrap_or(u8::MAX), field)?;
            match e.number {
                0 => a.protocol_version = Some(BitString::decode(cx, &e, field)?),
                1 => name = Some(context_name(cx, &e)?),
                2 => result = Some(AssociateResult(cx.explicit_uint(&e, field)?)),
                3 => diagnostic = Some(SourceDiagnostic::decode(cx, &e)?),
                4 => a.responding_ap_title = Some(ApTitle::decode(cx, &e, field)?),
                5 => a.responding_ae_qualifier = Some(AeQualifier::decode(cx, &e, field)?),
                6 => a.responding_ap_invocation_id = Some(cx.explicit_uint(&e, field)?),
                7 => a.responding_ae_invocation_id = Some(cx.explicit_uint(&e, field)?),
                8 => a.responder_acse_requirements = Some(BitString::decode(cx, &e, field)?),
                9 => a.mechanism_name = Some(Oid::decode(cx, &e, field)?),
                10 => {
                    a.responding_authentication_value =
                        Some(AuthenticationValue::decode(cx, &e, field)?);
                }
                11 => {
                    a.application_context_name_list =
                        Some(List::decode(cx, &e, field, cx.limits.max_context_names)?);
                }
                29 => a.implementation_information = Some(wire::text(cx, &e, field)?),
                _ => a.user_information = Some(user_information(cx, &e)?),
            }
        }
        a.application_context_name = name.ok_or(cx.missing("aSO-context-name"))?;
        a.result = result.ok_or(cx.missing("result"))?;
        a.result_source_diagnostic = diagnostic.ok_or(cx.missing("result-source-diagnostic"))?;
        Ok(a)
    }

    fn contents_len(&self) -> usize {
        wire::opt_len(self.protocol_version.as_ref(), BitString::contents_len)
            + wire::tlv_len(self.application_context_name.tlv_len())
            + wire::explicit_uint_len(self.result.0)
            + self.result_source_diagnostic.tlv_len()
            + self
                .responding_ap_title
                .as_ref()
                .map_or(0, ApTitle::tlv_len)
            + self
                .responding_ae_qualifier
                .as_ref()
                .map_or(0, AeQualifier::tlv_len)
            + self
                .responding_ap_invocation_id
                .map_or(0, wire::explicit_uint_len)
            + self
                .responding_ae_invocation_id
                .map_or(0, wire::explicit_uint_len)
            + wire::opt_len(
                self.responder_acse_requirements.as_ref(),
                BitString::contents_len,
            )
            + wire::opt_len(self.mechanism_name.as_ref(), |o| o.contents().len())
            + self
                .responding_authentication_value
                .as_ref()
                .map_or(0, AuthenticationValue::tlv_len)
            + names_len(self.application_context_name_list.as_ref())
            + wire::opt_len(self.implementation_information.as_ref(), |s| s.len())
            + user_information_len(self.user_information.as_ref())
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::application_constructed(1), self.contents_len())?;
        opt(out, self.protocol_version.as_ref(), |o, v| {
            v.write(o, wire::context(0))
        })?;
        out.header(
            wire::context_constructed(1),
            self.application_context_name.tlv_len(),
        )?;
        self.application_context_name.write_as(out, wire::OID)?;
        out.explicit_uint(2, self.result.0)?;
        self.result_source_diagnostic.write(out)?;
        opt(out, self.responding_ap_title.as_ref(), |o, v| v.write(o, 4))?;
        opt(out, self.responding_ae_qualifier.as_ref(), |o, v| {
            v.write(o, 5)
        })?;
        opt(out, self.responding_ap_invocation_id.as_ref(), |o, v| {
            o.explicit_uint(6, *v)
        })?;
        opt(out, self.responding_ae_invocation_id.as_ref(), |o, v| {
            o.explicit_uint(7, *v)
        })?;
        opt(out, self.responder_acse_requirements.as_ref(), |o, v| {
            v.write(o, wire::context(8))
        })?;
        opt(out, self.mechanism_name.as_ref(), |o, v| {
            v.write_as(o, wire::context(9))
        })?;
        opt(
            out,
            self.responding_authentication_value.as_ref(),
            |o, v| v.write(o, 10),
        )?;
        opt(out, self.application_context_name_list.as_ref(), |o, v| {
            v.write(o, AARE_NAME_LIST)
        })?;
        opt(out, self.implementation_information.as_ref(), |o, v| {
            o.tlv(IMPLEMENTATION, v)
        })?;
        opt(out, self.user_information.as_ref(), |o, v| {
            v.write(o, USER_INFORMATION)
        })
    }
}

crate::api::apdu_api!(Aare, "AARE-apdu");
