//! RLRQ and RLRE (ACSE-1, `RLRQ-apdu` and `RLRE-apdu`: normal release, X.227 §7.2) and
//! ABRT (`ABRT-apdu`: abnormal release, X.227 §7.3). The ASO fields after their extension
//! markers belong to the higher level association functional unit, which is not
//! supported: they are refused as unexpected tags.

use osi_sansio::ber::{Class, Tlv};

use crate::Result;
use crate::associate::{USER_INFORMATION, opt, user_information, user_information_len};
use crate::codes::{AbortDiagnostic, AbortSource, ReleaseRequestReason, ReleaseResponseReason};
use crate::external::External;
use crate::list::List;
use crate::wire::{self, Cx, Order, Out};

/// Declares a release APDU: `[APPLICATION n] IMPLICIT SEQUENCE { reason [0] IMPLICIT
/// INTEGER OPTIONAL, user-information [30] OPTIONAL }`.
macro_rules! release {
    ($(#[$m:meta])* $t:ident, $tag:literal, $name:literal, $reason:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $t<'a> {
            /// `reason [0]`.
            pub reason: Option<$reason>,
            /// `user-information [30]`.
            pub user_information: Option<List<'a, External<'a>>>,
        }

        impl<'a> $t<'a> {
            /// The APDU with `reason` and no user information.
            #[must_use]
            pub const fn new(reason: Option<$reason>) -> Self {
                Self {
                    reason,
                    user_information: None,
                }
            }

            pub(crate) fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
                if !(tlv.class == Class::Application && tlv.number == $tag) {
                    return Err(cx.unexpected("ACSE-apdu", tlv));
                }
                cx.constructed(tlv, $name)?;
                let mut order = Order::new();
                let mut apdu = Self::new(None);
                for element in cx.elements(tlv) {
                    let e = element?;
                    if e.is_context(0) {
                        order.next(cx, 0, "reason")?;
                        apdu.reason = Some($reason(cx.uint(&e, "reason")?));
                    } else if e.is_context(30) {
                        order.next(cx, 30, "user-information")?;
                        apdu.user_information = Some(user_information(cx, &e)?);
                    } else {
                        return Err(cx.unexpected($name, &e));
                    }
                }
                Ok(apdu)
            }

            fn contents_len(&self) -> usize {
                self.reason.map_or(0, |r| wire::tlv_len(wire::uint_len(r.0)))
                    + user_information_len(self.user_information.as_ref())
            }

            fn tlv_len(&self) -> usize {
                wire::tlv_len(self.contents_len())
            }

            fn write(&self, out: &mut Out<'_>) -> Result<()> {
                out.header(wire::application_constructed($tag), self.contents_len())?;
                opt(out, self.reason.as_ref(), |o, r| o.uint(wire::context(0), r.0))?;
                opt(out, self.user_information.as_ref(), |o, v| {
                    v.write(o, USER_INFORMATION)
                })
            }
        }

        crate::api::apdu_api!($t, $name);
    };
}

release!(
    /// RLRQ APDU: the A-RELEASE request (PP sends reason normal).
    Rlrq, 2, "RLRQ-apdu", ReleaseRequestReason
);

release!(
    /// RLRE APDU: the A-RELEASE response; reason not-finished refuses the release.
    Rlre, 3, "RLRE-apdu", ReleaseResponseReason
);

/// ABRT APDU: A-ABORT by the user, or an abort by the ACPM itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abort<'a> {
    /// `abort-source [0]`.
    pub source: AbortSource,
    /// `abort-diagnostic [1]`: absent with the kernel only.
    pub diagnostic: Option<AbortDiagnostic>,
    /// `user-information [30]`: only from an ACSE service user.
    pub user_information: Option<List<'a, External<'a>>>,
}

impl Abort<'_> {
    /// An abort by the ACSE service user (an A-ABORT request), without user information.
    #[must_use]
    pub const fn user(diagnostic: Option<AbortDiagnostic>) -> Self {
        Self {
            source: AbortSource::SERVICE_USER,
            diagnostic,
            user_information: None,
        }
    }

    /// An abort by the ACPM (abort-source acse-service-provider), with `diagnostic`.
    #[must_use]
    pub const fn provider(diagnostic: AbortDiagnostic) -> Self {
        Self {
            source: AbortSource::SERVICE_PROVIDER,
            diagnostic: Some(diagnostic),
            user_information: None,
        }
    }
}

impl<'a> Abort<'a> {
    pub(crate) fn decode_tlv(cx: Cx<'_>, tlv: &Tlv<'a>) -> Result<Self> {
        const NAME: &str = "ABRT-apdu";
        if !(tlv.class == Class::Application && tlv.number == 4) {
            return Err(cx.unexpected("ACSE-apdu", tlv));
        }
        cx.constructed(tlv, NAME)?;
        let mut order = Order::new();
        let mut source = None;
        let mut apdu = Self::user(None);
        for element in cx.elements(tlv) {
            let e = element?;
            if e.is_context(0) {
                order.next(cx, 0, "abort-source")?;
                source = Some(AbortSource(cx.uint(&e, "abort-source")?));
            } else if e.is_context(1) {
                order.next(cx, 1, "abort-diagnostic")?;
                apdu.diagnostic = Some(AbortDiagnostic(cx.uint(&e, "abort-diagnostic")?));
            } else if e.is_context(30) {
                order.next(cx, 30, "user-information")?;
                apdu.user_information = Some(user_information(cx, &e)?);
            } else {
                return Err(cx.unexpected(NAME, &e));
            }
        }
        apdu.source = source.ok_or(cx.missing("abort-source"))?;
        Ok(apdu)
    }

    fn contents_len(&self) -> usize {
        wire::tlv_len(wire::uint_len(self.source.0))
            + self
                .diagnostic
                .map_or(0, |d| wire::tlv_len(wire::uint_len(d.0)))
            + user_information_len(self.user_information.as_ref())
    }

    fn tlv_len(&self) -> usize {
        wire::tlv_len(self.contents_len())
    }

    fn write(&self, out: &mut Out<'_>) -> Result<()> {
        out.header(wire::application_constructed(4), self.contents_len())?;
        out.uint(wire::context(0), self.source.0)?;
        opt(out, self.diagnostic.as_ref(), |o, d| {
            o.uint(wire::context(1), d.0)
        })?;
        opt(out, self.user_information.as_ref(), |o, v| {
            v.write(o, USER_INFORMATION)
        })
    }
}

crate::api::apdu_api!(Abort, "ABRT-apdu");
