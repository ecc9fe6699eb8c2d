//! Short constructors: `new` for the SPDUs with mandatory parameters (the others have
//! `Default`), and the accessors that every SPDU answers.

use super::types::*;
use crate::unit::Unknown;
use crate::values::*;
use crate::{Enclosure, Linking};

impl OverflowAccept<'_> {
    /// An OA selecting version 2, the only value X.225 allows there.
    pub const fn new() -> Self {
        Self {
            tsdu_max_size: None,
            version: Version(Version::V2),
            unknown: Unknown::NONE,
        }
    }
}

impl Default for OverflowAccept<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> ConnectDataOverflow<'a> {
    /// A CDO carrying `user_data`; `last` sets the end-of-SSDU bit of the Enclosure Item.
    pub const fn new(user_data: &'a [u8], last: bool) -> Self {
        Self {
            enclosure: Enclosure(if last { Enclosure::END } else { 0 }),
            user_data: Some(user_data),
            unknown: Unknown::NONE,
        }
    }
}

impl Abort<'_> {
    /// An AB with Transport Disconnect `td` and nothing else.
    pub const fn new(td: TransportDisconnect) -> Self {
        Self {
            transport_disconnect: td,
            enclosure: None,
            reflect: None,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl MinorSyncPoint<'_> {
    /// A MIP with serial number `serial` asking for explicit confirmation.
    pub const fn new(serial: SerialNumber) -> Self {
        Self {
            sync_type: None,
            enclosure: None,
            serial,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl MinorSyncAck<'_> {
    /// A MIA confirming up to `serial`.
    pub const fn new(serial: SerialNumber) -> Self {
        Self {
            enclosure: None,
            serial,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl MajorSyncPoint<'_> {
    /// A MAP with serial number `serial`.
    pub const fn new(serial: SerialNumber) -> Self {
        Self {
            sync_type: MajorSyncType::NOT_END,
            enclosure: None,
            serial,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl MajorSyncAck<'_> {
    /// A MAA confirming `serial`.
    pub const fn new(serial: SerialNumber) -> Self {
        Self {
            enclosure: None,
            serial: Some(serial),
            second_serial: None,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl Prepare<'_> {
    /// A PR announcing `ty`.
    pub const fn new(ty: PrepareType) -> Self {
        Self {
            prepare_type: ty,
            resync_type: None,
            second_resync_type: None,
            unknown: Unknown::NONE,
        }
    }
}

impl<'a> ExceptionReport<'a> {
    /// An ER reflecting `reflect` (at least one octet).
    pub const fn new(reflect: &'a [u8]) -> Self {
        Self {
            reflect,
            unknown: Unknown::NONE,
        }
    }
}

impl ExceptionData<'_> {
    /// An ED with reason `reason` ([`Reason::exception_text`]).
    pub const fn new(reason: u8) -> Self {
        Self {
            enclosure: None,
            reason,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl<'a> ActivityStart<'a> {
    /// An AS starting activity `id` (1 to 6 octets).
    pub const fn new(id: &'a [u8]) -> Self {
        Self {
            enclosure: None,
            activity_id: id,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl<'a> ActivityResume<'a> {
    /// An AR resuming `linking`'s activity as `id` (1 to 6 octets).
    pub const fn new(linking: Linking<'a>, id: &'a [u8]) -> Self {
        Self {
            enclosure: None,
            linking,
            activity_id: id,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl ActivityEnd<'_> {
    /// An AE with serial number `serial` and no Sync Type Item.
    pub const fn new(serial: SerialNumber) -> Self {
        Self {
            sync_type: None,
            enclosure: None,
            serial,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl ActivityEndAck<'_> {
    /// An AEA confirming `serial`.
    pub const fn new(serial: SerialNumber) -> Self {
        Self {
            enclosure: None,
            serial: Some(serial),
            second_serial: None,
            user_data: None,
            unknown: Unknown::NONE,
        }
    }
}

impl<'a> Spdu<'a> {
    /// The SS-user data: PGI 193, or PI 46 in MIA. `None` when absent, and for the SPDUs
    /// that carry none there (RF carries it in the Reason Code, DT, TD and EX in the user
    /// information field).
    pub fn user_data(&self) -> Option<&'a [u8]> {
        use Spdu as S;
        match *self {
            S::Connect(Connect { user_data, .. })
            | S::ConnectDataOverflow(ConnectDataOverflow { user_data, .. })
            | S::Accept(Accept { user_data, .. })
            | S::Finish(Finish { user_data, .. })
            | S::Disconnect(Disconnect { user_data, .. })
            | S::NotFinished(NotFinished { user_data, .. })
            | S::Abort(Abort { user_data, .. })
            | S::CapabilityData(CapabilityData { user_data, .. })
            | S::CapabilityDataAck(CapabilityDataAck { user_data, .. })
            | S::GiveTokens(GiveTokens { user_data, .. })
            | S::PleaseTokens(PleaseTokens { user_data, .. })
            | S::GiveTokensConfirm(GiveTokensConfirm { user_data, .. })
            | S::MinorSyncPoint(MinorSyncPoint { user_data, .. })
            | S::MinorSyncAck(MinorSyncAck { user_data, .. })
            | S::MajorSyncPoint(MajorSyncPoint { user_data, .. })
            | S::MajorSyncAck(MajorSyncAck { user_data, .. })
            | S::Resynchronize(Resynchronize { user_data, .. })
            | S::ResynchronizeAck(ResynchronizeAck { user_data, .. })
            | S::ExceptionData(ExceptionData { user_data, .. })
            | S::ActivityStart(ActivityStart { user_data, .. })
            | S::ActivityResume(ActivityResume { user_data, .. })
            | S::ActivityInterrupt(ActivityInterrupt { user_data, .. })
            | S::ActivityInterruptAck(ActivityInterruptAck { user_data, .. })
            | S::ActivityDiscard(ActivityDiscard { user_data, .. })
            | S::ActivityDiscardAck(ActivityDiscardAck { user_data, .. })
            | S::ActivityEnd(ActivityEnd { user_data, .. })
            | S::ActivityEndAck(ActivityEndAck { user_data, .. }) => user_data,
            S::OverflowAccept(_)
            | S::Refuse(_)
            | S::AbortAccept(_)
            | S::DataTransfer(_)
            | S::Expedited(_)
            | S::TypedData(_)
            | S::GiveTokensAck(_)
            | S::Prepare(_)
            | S::ExceptionReport(_) => None,
        }
    }

    /// The Enclosure Item (PI 25), where the SPDU carries one.
    pub fn enclosure(&self) -> Option<Enclosure> {
        use Spdu as S;
        match *self {
            S::ConnectDataOverflow(s) => Some(s.enclosure),
            S::Accept(Accept { enclosure, .. })
            | S::Refuse(Refuse { enclosure, .. })
            | S::Finish(Finish { enclosure, .. })
            | S::Disconnect(Disconnect { enclosure, .. })
            | S::NotFinished(NotFinished { enclosure, .. })
            | S::Abort(Abort { enclosure, .. })
            | S::DataTransfer(DataTransfer { enclosure, .. })
            | S::TypedData(TypedData { enclosure, .. })
            | S::CapabilityData(CapabilityData { enclosure, .. })
            | S::CapabilityDataAck(CapabilityDataAck { enclosure, .. })
            | S::GiveTokens(GiveTokens { enclosure, .. })
            | S::PleaseTokens(PleaseTokens { enclosure, .. })
            | S::GiveTokensConfirm(GiveTokensConfirm { enclosure, .. })
            | S::MinorSyncPoint(MinorSyncPoint { enclosure, .. })
            | S::MinorSyncAck(MinorSyncAck { enclosure, .. })
            | S::MajorSyncPoint(MajorSyncPoint { enclosure, .. })
            | S::MajorSyncAck(MajorSyncAck { enclosure, .. })
            | S::Resynchronize(Resynchronize { enclosure, .. })
            | S::ResynchronizeAck(ResynchronizeAck { enclosure, .. })
            | S::ExceptionData(ExceptionData { enclosure, .. })
            | S::ActivityStart(ActivityStart { enclosure, .. })
            | S::ActivityResume(ActivityResume { enclosure, .. })
            | S::ActivityInterrupt(ActivityInterrupt { enclosure, .. })
            | S::ActivityInterruptAck(ActivityInterruptAck { enclosure, .. })
            | S::ActivityDiscard(ActivityDiscard { enclosure, .. })
            | S::ActivityDiscardAck(ActivityDiscardAck { enclosure, .. })
            | S::ActivityEnd(ActivityEnd { enclosure, .. })
            | S::ActivityEndAck(ActivityEndAck { enclosure, .. }) => enclosure,
            S::Connect(_)
            | S::OverflowAccept(_)
            | S::AbortAccept(_)
            | S::Expedited(_)
            | S::GiveTokensAck(_)
            | S::Prepare(_)
            | S::ExceptionReport(_) => None,
        }
    }

    /// The user information field of DT, TD and EX; empty for the other SPDUs.
    pub(crate) fn user_info(&self) -> &'a [u8] {
        match *self {
            Spdu::DataTransfer(DataTransfer { user_info, .. })
            | Spdu::TypedData(TypedData { user_info, .. })
            | Spdu::Expedited(Expedited { user_info, .. }) => user_info,
            _ => &[],
        }
    }
}
