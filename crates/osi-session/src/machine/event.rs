//! What the machine tells its user: indications and confirms (X.215 primitives), and the
//! rules a received SPDU broke when the machine aborts.

use super::State;
use crate::{
    Kind, Requirements, ResyncType, TokenItem, TokenSetting, TransportDisconnect, Version,
};

/// An indication or confirm for the SS-user. `D` is the type of borrowed octets:
/// [`crate::machine::Session::poll_event`] gives `Event<&[u8]>`, borrowing the machine's
/// receive buffer until the next call that changes the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<D> {
    /// S-CONNECT indication: a CN arrived; answer with `accept` or `refuse`.
    ConnectIndication {
        /// Functional units the initiator proposed (PI 20, or the default 0x0349).
        requirements: Requirements,
        /// Protocol versions the initiator proposed.
        versions: Version,
        /// Calling session selector (PI 51), empty if absent.
        calling_ssel: D,
        /// Called session selector (PI 52), empty if absent.
        called_ssel: D,
        /// Calling SS-user reference (PGI 1, PI 10), empty if absent.
        calling_ref: D,
        /// Common reference (PGI 1, PI 11), empty if absent.
        common_ref: D,
        /// Additional reference information (PGI 1, PI 12), empty if absent.
        additional_ref: D,
        /// SS-user data (PGI 193 or 194, plus every CDO).
        user_data: D,
    },
    /// S-CONNECT confirm, accepted: the AC arrived and the connection is up.
    ConnectConfirm {
        /// The functional units selected.
        requirements: Requirements,
        /// The protocol version selected.
        version: Version,
        /// SS-user data of the AC.
        user_data: D,
    },
    /// S-CONNECT confirm, refused: an RF arrived.
    Refused {
        /// Reason Code (PI 50), 0 if absent.
        reason: u8,
        /// SS-user data after reason 2.
        user_data: D,
    },
    /// S-DATA indication (DT).
    Data(D),
    /// S-TYPED-DATA indication (TD).
    TypedData(D),
    /// S-EXPEDITED-DATA indication (EX, received on the transport expedited flow through
    /// `handle_expedited_tsdu`): up to 14 octets that may have overtaken normal data.
    ExpeditedData(D),
    /// S-CAPABILITY-DATA indication (CD): answer with `capability_data_response`.
    CapabilityData(D),
    /// S-CAPABILITY-DATA confirm (CDA).
    CapabilityDataConfirm(D),
    /// S-TOKEN-GIVE indication (GT): these tokens are now ours.
    TokensGiven {
        /// The tokens given.
        tokens: TokenItem,
        /// SS-user data of the GT (version 2).
        user_data: D,
    },
    /// S-TOKEN-PLEASE indication: the peer asks for these tokens (PT, or an AC with a Token
    /// Item, which counts as AC followed by PT).
    TokensPlease {
        /// The tokens asked for.
        tokens: TokenItem,
        /// SS-user data of the PT.
        user_data: D,
    },
    /// S-CONTROL-GIVE indication (GTC): every available token is now ours.
    ControlGiven(D),
    /// S-SYNC-MINOR indication (MIP).
    MinorSync {
        /// The serial number of the point, always the V(M) it was checked against.
        serial: u64,
        /// Whether the sender asked for explicit confirmation (Sync Type bit 1 clear).
        confirm: bool,
        /// SS-user data.
        user_data: D,
    },
    /// S-SYNC-MINOR confirm (MIA): every point up to `serial` is confirmed.
    MinorSyncConfirm {
        /// The serial number confirmed.
        serial: u64,
        /// SS-user data.
        user_data: D,
    },
    /// S-SYNC-MAJOR indication (MAP): answer with `major_sync_response`.
    MajorSync {
        /// The serial number of the point.
        serial: u64,
        /// SS-user data.
        user_data: D,
    },
    /// S-SYNC-MAJOR confirm (MAA).
    MajorSyncConfirm {
        /// The serial number confirmed.
        serial: u64,
        /// SS-user data.
        user_data: D,
    },
    /// S-RESYNCHRONIZE indication (RS): answer with `resynchronize_response`.
    Resynchronize {
        /// Restart, abandon or set.
        kind: ResyncType,
        /// The serial number the RS carries.
        serial: u64,
        /// Token positions asked for (requestor = `Initiator`).
        tokens: TokenSetting,
        /// SS-user data.
        user_data: D,
    },
    /// S-RESYNCHRONIZE confirm (RA).
    ResynchronizeConfirm {
        /// The serial number both sides continue from.
        serial: u64,
        /// Token positions chosen (requestor = `Initiator`).
        tokens: TokenSetting,
        /// SS-user data.
        user_data: D,
    },
    /// S-ACTIVITY-START indication (AS).
    ActivityStart {
        /// The activity identifier.
        id: D,
        /// SS-user data.
        user_data: D,
    },
    /// S-ACTIVITY-RESUME indication (AR).
    ActivityResume {
        /// The new activity identifier.
        id: D,
        /// The interrupted activity's identifier.
        old_id: D,
        /// The serial number to resume after: the next point carries `serial + 1`.
        serial: u64,
        /// SS-user data.
        user_data: D,
    },
    /// S-ACTIVITY-INTERRUPT indication (AI): answer with `activity_interrupt_response`.
    ActivityInterrupt {
        /// Reason Code (PI 50), 0 if absent.
        reason: u8,
        /// SS-user data.
        user_data: D,
    },
    /// S-ACTIVITY-INTERRUPT confirm (AIA): every token is now ours.
    ActivityInterruptConfirm(D),
    /// S-ACTIVITY-DISCARD indication (AD): answer with `activity_discard_response`.
    ActivityDiscard {
        /// Reason Code (PI 50), 0 if absent.
        reason: u8,
        /// SS-user data.
        user_data: D,
    },
    /// S-ACTIVITY-DISCARD confirm (ADA): every token is now ours.
    ActivityDiscardConfirm(D),
    /// S-ACTIVITY-END indication (AE): answer with `activity_end_response`.
    ActivityEnd {
        /// The serial number of the end point.
        serial: u64,
        /// SS-user data.
        user_data: D,
    },
    /// S-ACTIVITY-END confirm (AEA).
    ActivityEndConfirm {
        /// The serial number confirmed.
        serial: u64,
        /// SS-user data.
        user_data: D,
    },
    /// S-U-EXCEPTION-REPORT indication (ED).
    UserException {
        /// Reason Code (PI 50).
        reason: u8,
        /// SS-user data.
        user_data: D,
    },
    /// S-P-EXCEPTION-REPORT indication (ER): the peer's SPM found a protocol error.
    ProviderException {
        /// Reflect Parameter Values: the faulty SPDU, as the peer quotes it.
        reflect: D,
    },
    /// S-RELEASE indication (FN): answer with `release_response`.
    Release(D),
    /// S-RELEASE confirm: DN (`accepted`) or NF (refused, negotiated release).
    ReleaseConfirm {
        /// True for DN, false for NF.
        accepted: bool,
        /// SS-user data.
        user_data: D,
    },
    /// S-U-ABORT indication (AB with the user-abort bit).
    UserAbort(D),
    /// S-P-ABORT indication: the connection is gone.
    ProviderAbort(AbortCause),
    /// The machine has finished with the transport connection: close it (T-DISCONNECT
    /// request). Comes after everything queued for sending, which should be sent first.
    DisconnectTransport,
}

impl<D> Event<D> {
    /// The same event with every octet field mapped by `f`.
    pub fn map<E>(self, mut f: impl FnMut(D) -> E) -> Event<E> {
        use Event::*;
        match self {
            ConnectIndication {
                requirements,
                versions,
                calling_ssel,
                called_ssel,
                calling_ref,
                common_ref,
                additional_ref,
                user_data,
            } => ConnectIndication {
                requirements,
                versions,
                calling_ssel: f(calling_ssel),
                called_ssel: f(called_ssel),
                calling_ref: f(calling_ref),
                common_ref: f(common_ref),
                additional_ref: f(additional_ref),
                user_data: f(user_data),
            },
            ConnectConfirm {
                requirements,
                version,
                user_data,
            } => ConnectConfirm {
                requirements,
                version,
                user_data: f(user_data),
            },
            Refused { reason, user_data } => Refused {
                reason,
                user_data: f(user_data),
            },
            Data(d) => Data(f(d)),
            TypedData(d) => TypedData(f(d)),
            ExpeditedData(d) => ExpeditedData(f(d)),
            CapabilityData(d) => CapabilityData(f(d)),
            CapabilityDataConfirm(d) => CapabilityDataConfirm(f(d)),
            TokensGiven { tokens, user_data } => TokensGiven {
                tokens,
                user_data: f(user_data),
            },
            TokensPlease { tokens, user_data } => TokensPlease {
                tokens,
                user_data: f(user_data),
            },
            ControlGiven(d) => ControlGiven(f(d)),
            MinorSync {
                serial,
                confirm,
                user_data,
            } => MinorSync {
                serial,
                confirm,
                user_data: f(user_data),
            },
            MinorSyncConfirm { serial, user_data } => MinorSyncConfirm {
                serial,
                user_data: f(user_data),
            },
            MajorSync { serial, user_data } => MajorSync {
                serial,
                user_data: f(user_data),
            },
            MajorSyncConfirm { serial, user_data } => MajorSyncConfirm {
                serial,
                user_data: f(user_data),
            },
            Resynchronize {
                kind,
                serial,
                tokens,
                user_data,
            } => Resynchronize {
                kind,
                serial,
                tokens,
                user_data: f(user_data),
            },
            ResynchronizeConfirm {
                serial,
                tokens,
                user_data,
            } => ResynchronizeConfirm {
                serial,
                tokens,
                user_data: f(user_data),
            },
            ActivityStart { id, user_data } => ActivityStart {
                id: f(id),
                user_data: f(user_data),
            },
            ActivityResume {
                id,
                old_id,
                serial,
                user_data,
            } => ActivityResume {
                id: f(id),
                old_id: f(old_id),
                serial,
                user_data: f(user_data),
            },
            ActivityInterrupt { reason, user_data } => ActivityInterrupt {
                reason,
                user_data: f(user_data),
            },
            ActivityInterruptConfirm(d) => ActivityInterruptConfirm(f(d)),
            ActivityDiscard { reason, user_data } => ActivityDiscard {
                reason,
                user_data: f(user_data),
            },
            ActivityDiscardConfirm(d) => ActivityDiscardConfirm(f(d)),
            ActivityEnd { serial, user_data } => ActivityEnd {
                serial,
                user_data: f(user_data),
            },
            ActivityEndConfirm { serial, user_data } => ActivityEndConfirm {
                serial,
                user_data: f(user_data),
            },
            UserException { reason, user_data } => UserException {
                reason,
                user_data: f(user_data),
            },
            ProviderException { reflect } => ProviderException {
                reflect: f(reflect),
            },
            Release(d) => Release(f(d)),
            ReleaseConfirm {
                accepted,
                user_data,
            } => ReleaseConfirm {
                accepted,
                user_data: f(user_data),
            },
            UserAbort(d) => UserAbort(f(d)),
            ProviderAbort(c) => ProviderAbort(c),
            DisconnectTransport => DisconnectTransport,
        }
    }
}

/// Why the connection ended without an orderly release (S-P-ABORT indication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AbortCause {
    /// This SPM found a protocol error and sent AB (Transport Disconnect 0x05).
    ProtocolError(Rule),
    /// The peer's SPM sent AB without the user-abort bit.
    Peer(TransportDisconnect),
    /// The transport connection was lost (T-DISCONNECT indication).
    TransportLost,
}

/// The rule of X.225 that a received TSDU broke. Every protocol error the machine detects
/// names one of these; the machine then aborts (X.225 A.4.1.2 (a)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The TSDU does not decode: a structure, encoding, concatenation or version rule of
    /// X.225 §6.3.7 and §8 (the codec's error says which).
    Invalid(crate::Error),
    /// A blank cell of the X.225 Annex A state tables: this SPDU is never valid in this state.
    Unexpected {
        /// The SPDU received.
        spdu: Kind,
        /// The state it arrived in.
        state: State,
    },
    /// The SPDU belongs to a functional unit that was not selected.
    FunctionalUnit {
        /// The SPDU received.
        spdu: Kind,
    },
    /// A token predicate failed: the sender did not hold `tokens` (e.g. p05 A(dk) for DT,
    /// p14 AA(mi) for MIP, p59 for GT).
    Tokens {
        /// The SPDU received.
        spdu: Kind,
        /// The tokens concerned.
        tokens: TokenItem,
    },
    /// The SPDU is valid only inside an activity (Vact) or only outside one.
    Activity {
        /// The SPDU received.
        spdu: Kind,
        /// Whether an activity was in progress.
        in_progress: bool,
    },
    /// p19: a MIP, MAP or AE whose serial number is not V(M).
    SerialNotNext {
        /// The SPDU received.
        spdu: Kind,
        /// V(M), the only valid serial number.
        expected: u64,
        /// The serial number received.
        received: u64,
    },
    /// p20/p21: a MIA, MAA or AEA whose serial number confirms no outstanding point
    /// (MIA: V(A) ≤ sn < V(M); MAA, AEA: sn = V(M) − 1).
    SerialNotOutstanding {
        /// The SPDU received.
        spdu: Kind,
        /// The serial number received.
        received: u64,
        /// V(A).
        va: u64,
        /// V(M).
        vm: u64,
    },
    /// A MIP, MAP, AE or AR serial number beyond 999 998, the largest a point may carry
    /// when no Upper Limit Serial Number is negotiated (X.215 §11.4).
    SerialOutOfRange {
        /// The SPDU received.
        spdu: Kind,
        /// The serial number received.
        received: u64,
    },
    /// p21 with Vsc: a MIA arrived at the side that receives the minor sync points.
    MinorAckDirection,
    /// A resynchronize serial number out of range: restart below V(R) (p32), or an RA that
    /// does not match the RS (p35/p49), or above the largest serial number.
    ResyncSerial {
        /// The SPDU received.
        spdu: Kind,
        /// The serial number received.
        received: u64,
    },
    /// An SPDU on the wrong transport flow: EX (or PR) on the normal flow, or anything but
    /// EX and PR on the expedited flow (X.225 §6.4.4).
    WrongFlow {
        /// The SPDU received.
        spdu: Kind,
        /// Whether it came on the expedited flow.
        expedited: bool,
    },
    /// More EX arrived before the AC than the machine holds
    /// ([`crate::machine::MAX_EXPEDITED_QUEUED`]); the AB says implementation restriction.
    ExpeditedBacklog,
    /// Under transport expedited data (TEXP) this SPDU must follow the PR that announces it
    /// and arrive in STA15A–C or STA06: MAA or AEA in STA04A/B (p16 = ¬TEXP), RS (p35), RA
    /// (p35), AI, AD, AIA or ADA (p38 = FU(ACT) ∧ ¬TEXP) without the PR (X.225 Annex A).
    Unprepared {
        /// The SPDU received.
        spdu: Kind,
    },
    /// Connection establishment: the CN or AC broke a negotiation rule.
    Negotiation(&'static str),
    /// A release collision that X.225 rules out: FN received after ours while tokens exist.
    ReleaseCollision,
    /// The received user data does not fit the receive buffer (X.225 A.4: more user data
    /// than this implementation supports; the AB says implementation restriction).
    ReceiveCapacity {
        /// Octets needed.
        needed: usize,
        /// Octets free.
        available: usize,
    },
}

impl Rule {
    /// The Transport Disconnect of the AB this machine sends for the rule: release, and
    /// implementation restriction for a capacity limit, protocol error otherwise (X.225
    /// A.4.1.2 (a), 8.3.9).
    pub(super) fn abort_bits(self) -> TransportDisconnect {
        TransportDisconnect(match self {
            Rule::ReceiveCapacity { .. } | Rule::ExpeditedBacklog => {
                TransportDisconnect::RELEASE | TransportDisconnect::IMPLEMENTATION_RESTRICTION
            }
            _ => TransportDisconnect::RELEASE | TransportDisconnect::PROTOCOL_ERROR,
        })
    }
}
