//! Connection establishment: S-CONNECT request, response and refusal, and the CN, OA,
//! CDO, AC and RF SPDUs (X.225 §7.1–7.5, Tables A.8 and A.15).

use osi_sansio::{Instant, Storage};

use super::buffers::RxStore;
use super::tokens::{Tokens, resolve};
use super::{Error, Event, MAX_SERIAL, Offer, Result, Role, Rule, Session, State, SyncVars};
use crate::{
    Accept, Connect, ConnectAccept, ConnectDataOverflow, ConnectionId, DataOverflow, Enclosure,
    MAX_CDO_USER_DATA, MAX_CONNECT_USER_DATA, MAX_EXTENDED_USER_DATA, OverflowAccept,
    ProtocolOptions, Reason, Refuse, Requirements, SerialNumber, Spdu, TokenPosition, TokenSetting,
    Version,
};

/// Functional units this machine never selects (see the module documentation).
const UNSUPPORTED: u16 = Requirements::SYMMETRIC_SYNC | Requirements::DATA_SEPARATION;

/// The sync functional units that need an Initial Serial Number when activity management
/// is not selected (X.225 §5.8.3).
const NEEDS_ISN: u16 = Requirements::MINOR_SYNC | Requirements::MAJOR_SYNC | Requirements::RESYNC;

/// S-CONNECT request parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectRequest<'a> {
    /// Functional units proposed. Symmetric synchronize and data separation are removed,
    /// and expedited data unless [`super::Config::transport_expedited`]; at least one of
    /// half-duplex and duplex must remain.
    pub requirements: Requirements,
    /// Calling session selector (PI 51).
    pub calling_ssel: Option<&'a [u8]>,
    /// Called session selector (PI 52).
    pub called_ssel: Option<&'a [u8]>,
    /// Session connection identifier (PGI 1): calling, common and additional references.
    pub connection_id: Option<ConnectionId<'a>>,
    /// Initial token positions (PI 26); default all at the initiator.
    pub tokens: TokenSetting,
    /// Initial serial number (PI 23), sent when activity management is not proposed and a
    /// sync unit is; default 0 then.
    pub initial_serial: Option<u64>,
    /// SS-user data: up to 512 octets in PGI 193; above that the CN proposes version 2 only
    /// and carries Extended User Data (up to 10 240), and beyond 10 240 the rest follows in
    /// CDO SPDUs once the responder's OA arrives.
    pub user_data: &'a [u8],
}

impl ConnectRequest<'static> {
    /// A request proposing `requirements`, with every other parameter at its default.
    pub const fn new(requirements: Requirements) -> Self {
        Self {
            requirements,
            calling_ssel: None,
            called_ssel: None,
            connection_id: None,
            tokens: TokenSetting(0),
            initial_serial: None,
            user_data: &[],
        }
    }
}

/// S-CONNECT response (accept) parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptRequest<'a> {
    /// Functional units this side wants; the selection is this ∩ the proposal, with
    /// half-duplex preferred when both it and duplex remain.
    pub requirements: Requirements,
    /// Positions for the tokens the CN left to the called user's choice (`10`).
    pub tokens: TokenSetting,
    /// Initial serial number when one is needed; default the CN's, else 0.
    pub initial_serial: Option<u64>,
    /// Responding session selector (PI 52).
    pub responding_ssel: Option<&'a [u8]>,
    /// Called SS-user reference and common/additional references (PGI 1).
    pub connection_id: Option<ConnectionId<'a>>,
    /// SS-user data (PGI 193).
    pub user_data: &'a [u8],
}

impl AcceptRequest<'static> {
    /// An acceptance wanting `requirements`, with every other parameter at its default.
    pub const fn new(requirements: Requirements) -> Self {
        Self {
            requirements,
            tokens: TokenSetting(0),
            initial_serial: None,
            responding_ssel: None,
            connection_id: None,
            user_data: &[],
        }
    }
}

/// The highest version in `v`.
fn highest(v: u8) -> Version {
    if v & Version::V2 != 0 {
        Version(Version::V2)
    } else {
        Version(Version::V1)
    }
}

impl<B: Storage> Session<B> {
    /// S-CONNECT request: sends CN (STA01 → STA02A, or STA02B when the connect data needs
    /// CDOs). Call it once the transport connection is up.
    ///
    /// # Errors
    ///
    /// Not the initiator or not in STA01; an inconsistent proposal; user data above what
    /// the configured versions allow; a full transmit buffer.
    pub fn connect(&mut self, req: &ConnectRequest<'_>) -> Result<()> {
        const R: &str = "S-CONNECT request";
        if self.role != Role::Initiator || self.state != State::Sta01 {
            return Err(Error::State {
                request: R,
                state: self.state,
            });
        }
        let fu = req.requirements.0 & !self.unsupported();
        let bad = |why| Err(Error::Parameter { request: R, why });
        if fu & (Requirements::HALF_DUPLEX | Requirements::DUPLEX) == 0 {
            return bad("neither half-duplex nor duplex proposed");
        }
        let data = req.user_data;
        let mut versions = self.config.versions;
        let (small, extended, rest) = if data.len() <= MAX_CONNECT_USER_DATA {
            (Some(data), None, &[][..])
        } else {
            // X.225 §8.3.1.19: Extended User Data only in a CN proposing version 2 alone.
            if !versions.contains(Version::V2) {
                return bad("more than 512 octets of connect data need version 2");
            }
            versions = Version(Version::V2);
            let (head, rest) = data.split_at(data.len().min(MAX_EXTENDED_USER_DATA));
            (None, Some(head), rest)
        };
        if versions.0 & (Version::V1 | Version::V2) == 0 {
            return bad("no supported protocol version configured");
        }
        let isn = if fu & Requirements::ACTIVITY == 0 && fu & NEEDS_ISN != 0 {
            Some(req.initial_serial.unwrap_or(0))
        } else {
            req.initial_serial
        };
        if isn.is_some_and(|n| n > MAX_SERIAL) {
            return bad("initial serial number above 999999");
        }
        let cn: Spdu<'_> = Connect {
            connection_id: req.connection_id,
            connect_accept: Some(ConnectAccept {
                protocol_options: self.protocol_options(),
                version: versions,
                initial_serial: isn.map(SerialNumber::new),
                token_setting: Some(req.tokens),
                ..ConnectAccept::default()
            }),
            requirements: Some(Requirements(fu)),
            calling_ssel: req.calling_ssel,
            called_ssel: req.called_ssel,
            data_overflow: (!rest.is_empty()).then_some(DataOverflow(DataOverflow::MORE)),
            user_data: small.filter(|d| !d.is_empty()),
            extended_user_data: extended,
            unknown: crate::Unknown::NONE,
        }
        .into();
        cn.check(None).map_err(Error::Encode)?;
        let chunks = rest.len().div_ceil(MAX_CDO_USER_DATA);
        let needed = cn.encoded_len().map_err(Error::Encode)? + rest.len() + 16 * (chunks + 1);
        if needed > self.tx.free() {
            return Err(Error::TransmitFull {
                needed,
                available: self.tx.free(),
            });
        }
        self.send(&[cn])?;
        if rest.is_empty() {
            self.state = State::Sta02A;
        } else {
            // X.225 §7.1, §7.3: the CDOs wait for OA; they are queued now and held back.
            self.tx.hold();
            let mut it = rest.chunks(MAX_CDO_USER_DATA).peekable();
            while let Some(chunk) = it.next() {
                let cdo = ConnectDataOverflow::new(chunk, it.peek().is_none());
                self.send(&[cdo.into()])?;
            }
            self.state = State::Sta02B;
        }
        self.offer = Offer {
            requirements: Requirements(fu),
            versions,
            tokens: req.tokens,
            isn,
            extended: false,
        };
        Ok(())
    }

    /// Units never proposed or accepted: [`UNSUPPORTED`], and expedited data when the
    /// transport connection has no expedited flow to carry EX (X.225 §6.4.4).
    fn unsupported(&self) -> u16 {
        if self.config.transport_expedited {
            UNSUPPORTED
        } else {
            UNSUPPORTED | Requirements::EXPEDITED
        }
    }

    fn protocol_options(&self) -> ProtocolOptions {
        ProtocolOptions(if self.config.extended_concatenation {
            ProtocolOptions::EXTENDED_CONCATENATION
        } else {
            0
        })
    }

    /// S-CONNECT response, accepted: sends AC and enters STA713 (\[5\]\[11\]).
    ///
    /// # Errors
    ///
    /// Not in STA08; no half-duplex or duplex in common; a token left to the user's choice
    /// without a side in `req.tokens`; user data too long; a full transmit buffer.
    pub fn accept(&mut self, req: &AcceptRequest<'_>) -> Result<()> {
        const R: &str = "S-CONNECT response";
        if self.state != State::Sta08 {
            return Err(Error::State {
                request: R,
                state: self.state,
            });
        }
        let bad = |why| Err(Error::Parameter { request: R, why });
        let mut fu = self.offer.requirements.0 & req.requirements.0 & !self.unsupported();
        // AC selects exactly one of half-duplex and duplex.
        if fu & Requirements::HALF_DUPLEX != 0 {
            fu &= !Requirements::DUPLEX;
        }
        if fu & (Requirements::HALF_DUPLEX | Requirements::DUPLEX) == 0 {
            return bad("no half-duplex or duplex in common with the proposal");
        }
        // X.215 §9.2: exceptions need half-duplex; capability data needs activities.
        if fu & Requirements::HALF_DUPLEX == 0 {
            fu &= !Requirements::EXCEPTIONS;
        }
        if fu & Requirements::ACTIVITY == 0 {
            fu &= !Requirements::CAPABILITY_DATA;
        }
        let version = highest(self.offer.versions.0 & self.config.versions.0);
        let setting = resolve(self.offer.tokens, req.tokens);
        let mut tokens = Tokens::for_units(Requirements(fu));
        if !tokens.place(setting, TokenPosition::Responder) {
            return bad("every token needs a side: the AC cannot leave a choice");
        }
        let isn = if fu & Requirements::ACTIVITY == 0 && fu & NEEDS_ISN != 0 {
            Some(req.initial_serial.or(self.offer.isn).unwrap_or(0))
        } else {
            None
        };
        if isn.is_some_and(|n| n > MAX_SERIAL) {
            return bad("initial serial number above 999999");
        }
        let ac: Spdu<'_> = Accept {
            connection_id: req.connection_id,
            connect_accept: Some(ConnectAccept {
                protocol_options: self.protocol_options(),
                version,
                initial_serial: isn.map(SerialNumber::new),
                token_setting: Some(setting),
                ..ConnectAccept::default()
            }),
            requirements: Some(Requirements(fu)),
            called_ssel: req.responding_ssel,
            user_data: Some(req.user_data).filter(|d| !d.is_empty()),
            ..Accept::default()
        }
        .into();
        ac.check(Some(version)).map_err(Error::Encode)?;
        self.send(&[ac])?;
        self.established(Requirements(fu), version, tokens, isn.unwrap_or(0));
        self.peer_extended = self.offer.extended;
        Ok(())
    }

    fn established(&mut self, fu: Requirements, version: Version, tokens: Tokens, isn: u64) {
        self.fu = fu;
        self.version = Some(version);
        self.tokens = tokens;
        self.sync = SyncVars::connected(isn);
        self.state = State::Sta713;
    }

    /// S-CONNECT response, refused: sends RF with `reason` (user data only with reason 2,
    /// [`Reason::REFUSED_WITH_DATA`]), starts TIM and waits in STA16 for the initiator to
    /// close the transport.
    ///
    /// # Errors
    ///
    /// Not in STA08; user data with another reason or too long; a full transmit buffer.
    pub fn refuse(&mut self, now: Instant, reason: u8, user_data: &[u8]) -> Result<()> {
        if self.state != State::Sta08 {
            return Err(Error::State {
                request: "S-CONNECT response (refuse)",
                state: self.state,
            });
        }
        let version = highest(self.offer.versions.0 & self.config.versions.0);
        self.send_refuse(reason, user_data, version)?;
        self.wait_for_disconnect(now);
        Ok(())
    }

    fn send_refuse(&mut self, reason: u8, data: &[u8], version: Version) -> Result<()> {
        let rf: Spdu<'_> = Refuse {
            reason: Some(Reason { code: reason, data }),
            version: Some(version),
            ..Refuse::default()
        }
        .into();
        rf.check(None).map_err(Error::Encode)?;
        self.send(&[rf])
    }

    /// STA01C, CN received (Table A.15): p76 decides S-CONNECT indication (STA08) or RF
    /// (STA16); with Data Overflow, OA and STA01D.
    pub(super) fn sta01c_cn(&mut self, now: Instant, p: &Connect<'_>) -> Result<(), Rule> {
        // p01: a CN reaching the transport initiator is answered by T-DISCONNECT.
        if self.role != Role::Responder {
            self.disconnect();
            return Ok(());
        }
        let ca = p.connect_accept.unwrap_or_default();
        let versions = p.connect_accept.map_or(Version(Version::V1), |c| c.version);
        let requirements = p.requirements.unwrap_or(Requirements::DEFAULT);
        let refuse = if versions.0 & self.config.versions.0 == 0 {
            Some(Reason::VERSIONS_NOT_SUPPORTED)
        } else if requirements.0 & (Requirements::HALF_DUPLEX | Requirements::DUPLEX) == 0 {
            Some(Reason::SPM_REFUSED)
        } else {
            None
        };
        if let Some(code) = refuse {
            let _ = self.send_refuse(code, &[], self.config.versions);
            self.wait_for_disconnect(now);
            return Ok(());
        }
        self.offer = Offer {
            requirements,
            versions: Version(versions.0 & (Version::V1 | Version::V2)),
            tokens: ca.token_setting.unwrap_or_default(),
            isn: ca.initial_serial.map(SerialNumber::value),
            extended: ca
                .protocol_options
                .contains(ProtocolOptions::EXTENDED_CONCATENATION),
        };
        let calling = self.store(p.calling_ssel.unwrap_or_default())?;
        let called = self.store(p.called_ssel.unwrap_or_default())?;
        let id = p.connection_id.unwrap_or_default();
        let calling_ref = self.store(id.calling_ref.unwrap_or_default())?;
        let common_ref = self.store(id.common_ref.unwrap_or_default())?;
        let additional_ref = self.store(id.additional_ref.unwrap_or_default())?;
        let data = self.store(p.extended_user_data.or(p.user_data).unwrap_or_default())?;
        let ev = Event::ConnectIndication {
            requirements,
            versions,
            calling_ssel: calling,
            called_ssel: called,
            calling_ref,
            common_ref,
            additional_ref,
            user_data: data,
        };
        if p.data_overflow
            .is_some_and(|d| d.contains(DataOverflow::MORE))
        {
            // X.225 §7.2, §7.3: OA (version 2), then collect CDOs in STA01D.
            let _ = self.send(&[OverflowAccept::new().into()]);
            self.rx.pin();
            self.pending_connect = Some(ev);
            self.state = State::Sta01D;
        } else {
            self.event(ev);
            self.state = State::Sta08;
        }
        Ok(())
    }

    /// STA01D, CDO received: its data extends the connect data; the last one (Enclosure end
    /// bit) gives the S-CONNECT indication and STA08.
    pub(super) fn sta01d_cdo(&mut self, cdo: &ConnectDataOverflow<'_>) -> Result<(), Rule> {
        let span = self.store(cdo.user_data.unwrap_or_default())?;
        // The collected data must survive until the last CDO.
        self.rx.pin();
        if let Some(Event::ConnectIndication { user_data, .. }) = &mut self.pending_connect {
            *user_data = RxStore::<B>::join(*user_data, span);
        }
        if cdo.enclosure.contains(Enclosure::END) {
            self.rx.unpin();
            if let Some(ev) = self.pending_connect.take() {
                self.event(ev);
            }
            self.state = State::Sta08;
        }
        Ok(())
    }

    /// STA02B, OA received: the held CDOs go out, then wait for AC in STA02A.
    pub(super) fn sta02b_oa(&mut self, oa: &OverflowAccept<'_>) -> Result<(), Rule> {
        if !oa.version.contains(Version::V2) {
            return Err(Rule::Negotiation("OA must select version 2"));
        }
        self.tx.release();
        self.state = State::Sta02A;
        Ok(())
    }

    /// STA02A, AC received (Table A.8): S-CONNECT confirm, \[5\]\[11\], STA713.
    pub(super) fn sta02a_ac(&mut self, p: &Accept<'_>) -> Result<(), Rule> {
        let ca = p.connect_accept.unwrap_or_default();
        let ac_versions = p.connect_accept.map_or(Version::V1, |c| c.version.0);
        let common = ac_versions & self.offer.versions.0;
        if common & (Version::V1 | Version::V2) == 0 {
            return Err(Rule::Negotiation("no common protocol version in AC"));
        }
        let version = highest(common);
        let fu = p.requirements.unwrap_or(Requirements::DEFAULT).0;
        if fu & !self.offer.requirements.0 != 0 {
            return Err(Rule::Negotiation(
                "AC selects a functional unit not proposed",
            ));
        }
        let duplexes = fu & (Requirements::HALF_DUPLEX | Requirements::DUPLEX);
        if duplexes != Requirements::HALF_DUPLEX && duplexes != Requirements::DUPLEX {
            return Err(Rule::Negotiation(
                "AC must select exactly one of half-duplex and duplex",
            ));
        }
        let setting = resolve(
            self.offer.tokens,
            ca.token_setting.unwrap_or(self.offer.tokens),
        );
        let mut tokens = Tokens::for_units(Requirements(fu));
        if !tokens.place(setting, TokenPosition::Initiator) {
            return Err(Rule::Negotiation("AC leaves a token without a side"));
        }
        let isn = ca
            .initial_serial
            .map(SerialNumber::value)
            .or(self.offer.isn)
            .unwrap_or(0);
        let data = self.store(p.user_data.unwrap_or_default())?;
        self.established(Requirements(fu), version, tokens, isn);
        self.peer_extended = ca
            .protocol_options
            .contains(ProtocolOptions::EXTENDED_CONCATENATION);
        self.event(Event::ConnectConfirm {
            requirements: Requirements(fu),
            version,
            user_data: data,
        });
        // X.225 §7.4 (ACCEPT SPDU): an AC with a Token Item counts as AC followed by PT.
        if let Some(t) = p.token_item {
            let asked = t.0 & self.tokens.available();
            if asked != 0 {
                let empty = self.store(&[])?;
                self.event(Event::TokensPlease {
                    tokens: crate::TokenItem(asked),
                    user_data: empty,
                });
            }
        }
        // [6]: the EX and PR-RS stored in STA02A.
        self.recall()
    }

    /// STA02A, RF received: S-CONNECT confirm (refused), then T-DISCONNECT request unless
    /// the RF keeps the transport and TEXP is false (p02).
    pub(super) fn sta02a_rf(&mut self, p: &Refuse<'_>) -> Result<(), Rule> {
        let reason = p.reason.unwrap_or_default();
        let data = self.store(reason.data)?;
        self.event(Event::Refused {
            reason: reason.code,
            user_data: data,
        });
        let release = p
            .transport_disconnect
            .is_none_or(|t| t.contains(crate::TransportDisconnect::RELEASE));
        // Keeping the transport after RF-r is the local choice p02, which needs ¬TEXP.
        if release || self.texp() {
            self.disconnect();
        } else {
            self.reset(State::Sta01);
        }
        Ok(())
    }
}
