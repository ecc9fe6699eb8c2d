//! The rules X.225 sets for one SPDU that its type cannot express: sizes, which values go
//! together, and the version 1 limits. The decoder applies them to what it reads and the
//! encoder to what it writes, so that whatever is encoded decodes again.

use super::types::*;
use super::{
    MAX_CDO_USER_DATA, MAX_CONNECT_USER_DATA, MAX_EXPEDITED_DATA, MAX_EXTENDED_USER_DATA,
    MAX_V1_ABORT_USER_DATA, MAX_V1_USER_DATA,
};
use crate::code::Code;
use crate::params::{MAX_ABORT_REFLECT_LEN, MAX_SSEL_LEN, activity_id, max_len};
use crate::values::*;
use crate::{ConnectionId, Error, Kind, Result};

impl Spdu<'_> {
    /// Checks the rules X.225 sets for one SPDU beyond its parameters' presence: their
    /// sizes, value combinations, user data limits, and, if `version` is version 1 only,
    /// the version 1 restrictions. CN, AC, RF, OA and CDO use the version they carry.
    /// The rules are applied in the order the checks of the untyped decoder had, so each
    /// input is refused with the same [`Error`].
    #[inline]
    pub(crate) fn check(&self, version: Option<Version>) -> Result<()> {
        let kind = self.kind();
        self.check_params(kind)?;
        self.check_rules(kind)?;
        let effective = match self {
            Spdu::Connect(cn) => Some(
                cn.connect_accept
                    .map_or(Version(Version::V1), |c| c.version),
            ),
            Spdu::Accept(ac) => ac.connect_accept.map(|c| c.version).or(version),
            Spdu::Refuse(rf) => rf.version.or(version),
            Spdu::OverflowAccept(_) | Spdu::ConnectDataOverflow(_) => Some(Version(Version::V2)),
            _ => version,
        };
        if let Some(v) = effective
            && !v.contains(Version::V2)
        {
            self.check_version1(kind)?;
        }
        Ok(())
    }

    /// The sizes X.225 fixes for references, selectors and identifiers, and RF's reason.
    fn check_params(&self, kind: Kind) -> Result<()> {
        let ssels = |calling: Option<&[u8]>, called: Option<&[u8]>| {
            max_len(
                Code::CALLING_SSEL,
                calling.unwrap_or_default(),
                MAX_SSEL_LEN,
            )?;
            max_len(Code::CALLED_SSEL, called.unwrap_or_default(), MAX_SSEL_LEN)
        };
        let id = |c: Option<ConnectionId<'_>>| match c {
            Some(c) => c.check(kind, kind.connection_id_allowed()),
            None => Ok(()),
        };
        match self {
            Spdu::Connect(cn) => {
                id(cn.connection_id)?;
                if let Some(c) = &cn.connect_accept {
                    c.check()?;
                }
                ssels(cn.calling_ssel, cn.called_ssel)
            }
            Spdu::Accept(ac) => {
                id(ac.connection_id)?;
                if let Some(c) = &ac.connect_accept {
                    c.check()?;
                }
                ssels(ac.calling_ssel, ac.called_ssel)
            }
            Spdu::Refuse(rf) => {
                id(rf.connection_id)?;
                // X.225 §8.3, REFUSE SPDU (Reason Code, PI 50): user data follows the reason
                // octet only with reason 2.
                match rf.reason {
                    Some(r) if !r.data.is_empty() && r.code != Reason::REFUSED_WITH_DATA => {
                        Err(Error::ReasonCannotCarryData(r.code))
                    }
                    _ => Ok(()),
                }
            }
            Spdu::ActivityStart(a) => activity_id(Code::ACTIVITY_ID, a.activity_id),
            Spdu::ActivityResume(a) => {
                a.linking.check(kind)?;
                activity_id(Code::ACTIVITY_ID, a.activity_id)
            }
            _ => Ok(()),
        }
    }

    /// The rules of single SPDU types (X.225 §8.3).
    fn check_rules(&self, kind: Kind) -> Result<()> {
        let too_long = |len: usize, max: usize| Error::UserDataTooLong {
            spdu: kind,
            len,
            max,
        };
        match self {
            Spdu::Expedited(ex) if ex.user_info.len() > MAX_EXPEDITED_DATA => {
                Err(Error::ExpeditedTooLong(ex.user_info.len()))
            }
            Spdu::Connect(cn) => cn.check(),
            Spdu::ConnectDataOverflow(cdo) => {
                let len = cdo.user_data.map_or(0, <[u8]>::len);
                if len > MAX_CDO_USER_DATA {
                    return Err(too_long(len, MAX_CDO_USER_DATA));
                }
                // X.225 §8.3, CONNECT DATA OVERFLOW SPDU: a CDO never begins the SSDU, the
                // CN did.
                if cdo.enclosure.contains(Enclosure::BEGIN) {
                    return Err(Error::InvalidValue {
                        code: Code::ENCLOSURE,
                        value: cdo.enclosure.0,
                    });
                }
                Ok(())
            }
            Spdu::Abort(ab) => ab.check(),
            // X.225 §8.3, REFUSE SPDU: Session User Requirements only with reason 2.
            Spdu::Refuse(rf)
                if rf.requirements.is_some()
                    && rf
                        .reason
                        .is_none_or(|r| r.code != Reason::REFUSED_WITH_DATA) =>
            {
                Err(Error::UnexpectedParameter {
                    spdu: kind,
                    code: Code::SESSION_REQUIREMENTS,
                })
            }
            // OA selects version 2, the only version with overflow (X.225 §8.3, OVERFLOW
            // ACCEPT SPDU).
            Spdu::OverflowAccept(oa) if oa.version.0 != Version::V2 => Err(Error::InvalidValue {
                code: Code::VERSION,
                value: oa.version.0,
            }),
            // A mandatory parameter has at least one octet (X.225 §8.2.5).
            Spdu::ExceptionReport(er) if er.reflect.is_empty() => Err(Error::BadLength {
                code: Code::REFLECT,
                len: 0,
            }),
            // X.225 §8.3, GIVE TOKENS and PLEASE TOKENS SPDUs: user data only together with
            // a Token Item.
            Spdu::GiveTokens(GiveTokens {
                token_item: None,
                user_data: Some(_),
                ..
            })
            | Spdu::PleaseTokens(PleaseTokens {
                token_item: None,
                user_data: Some(_),
                ..
            }) => Err(Error::MissingParameter {
                spdu: kind,
                code: Code::TOKEN_ITEM,
            }),
            // The Serial Number, or the Second Serial Number of symmetric synchronize.
            Spdu::MajorSyncAck(MajorSyncAck {
                serial: None,
                second_serial: None,
                ..
            })
            | Spdu::ActivityEndAck(ActivityEndAck {
                serial: None,
                second_serial: None,
                ..
            })
            | Spdu::Resynchronize(Resynchronize {
                serial: None,
                second_serial: None,
                ..
            })
            | Spdu::ResynchronizeAck(ResynchronizeAck {
                serial: None,
                second_serial: None,
                ..
            }) => Err(Error::MissingParameter {
                spdu: kind,
                code: Code::SERIAL,
            }),
            _ => Ok(()),
        }
    }

    /// Version 1 restrictions (X.225 §8.3, §8.4 and Annex D).
    fn check_version1(&self, kind: Kind) -> Result<()> {
        if self.enclosure().is_some() && !matches!(kind, Kind::DataTransfer | Kind::TypedData) {
            return Err(Error::NotInVersion1 {
                spdu: kind,
                code: Code::ENCLOSURE,
            });
        }
        let too_long = |len: usize, max: usize| {
            Err(Error::UserDataTooLong {
                spdu: kind,
                len,
                max,
            })
        };
        let Some(data) = self.user_data() else {
            return match self {
                Spdu::Refuse(Refuse {
                    reason: Some(r), ..
                }) if r.data.len() > MAX_V1_USER_DATA => too_long(r.data.len(), MAX_V1_USER_DATA),
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
            Kind::Abort if data.len() > MAX_V1_ABORT_USER_DATA => {
                too_long(data.len(), MAX_V1_ABORT_USER_DATA)
            }
            _ if data.len() > MAX_V1_USER_DATA => too_long(data.len(), MAX_V1_USER_DATA),
            _ => Ok(()),
        }
    }
}

impl Connect<'_> {
    /// User data limits (X.225 §8.3.1.19, §8.3.1.21).
    fn check(&self) -> Result<()> {
        let too_long = |len: usize, max: usize| Error::UserDataTooLong {
            spdu: Kind::Connect,
            len,
            max,
        };
        let data_len = self.user_data.map_or(0, <[u8]>::len);
        if data_len > MAX_CONNECT_USER_DATA {
            return Err(too_long(data_len, MAX_CONNECT_USER_DATA));
        }
        if self.extended_user_data.is_some() || self.data_overflow.is_some() {
            // §8.3.1.19/21: "shall not be present if Protocol Version 1 is proposed".
            if !self.connect_accept.is_some_and(|c| c.version.is_v2_only()) {
                return Err(Error::NeedsVersion2Only);
            }
        }
        if let Some(x) = self.extended_user_data {
            if self.user_data.is_some() {
                return Err(Error::BothUserData);
            }
            if x.len() <= MAX_CONNECT_USER_DATA {
                return Err(Error::ExtendedUserDataTooShort(x.len()));
            }
            if x.len() > MAX_EXTENDED_USER_DATA {
                return Err(too_long(x.len(), MAX_EXTENDED_USER_DATA));
            }
        }
        Ok(())
    }
}

impl Abort<'_> {
    /// X.225 §8.3, ABORT SPDU: user data only in a user abort, reflected octets only with a
    /// protocol error (Transport Disconnect bits 2 and 3), at most 9 of them.
    fn check(&self) -> Result<()> {
        let td = self.transport_disconnect;
        if self.user_data.is_some() && !td.contains(TransportDisconnect::USER_ABORT) {
            return Err(Error::UnexpectedParameter {
                spdu: Kind::Abort,
                code: Code::USER_DATA,
            });
        }
        if let Some(r) = self.reflect {
            if !td.contains(TransportDisconnect::PROTOCOL_ERROR) {
                return Err(Error::UnexpectedParameter {
                    spdu: Kind::Abort,
                    code: Code::REFLECT,
                });
            }
            max_len(Code::REFLECT, r, MAX_ABORT_REFLECT_LEN)?;
        }
        Ok(())
    }
}
