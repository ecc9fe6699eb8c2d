//! The association: open, recover, accept, refuse, turn, close and abort
//! (X.410 §4; the session mapping of X.218 §8.3 as ISODE's rtsap/rt2ss*.c does it).

use alloc::string::ToString;
use alloc::vec::Vec;
use osi_sansio::Instant;

use osi_session::machine::{AcceptRequest, ConnectRequest, Role};
use osi_session::{ConnectionId, Reason, Requirements, TokenItem, TokenSetting};

use super::error::refuse;
use super::{AbortCause, Agreed, Event, Phase, REQUIREMENTS, Recovery, Refusal, Result, Rts};
use crate::{
    AbortInformation, AbortReason, CallingSsUserReference, ConnectionData, DialogueMode, PAccept,
    PConnect, PRefuse, RefuseReason, SessionConnectionIdentifier, T61String, UtcTimeOctets,
};

/// Token Setting Item with the three RTS tokens at the responder (`01` each), as ISODE
/// sends it; the release token does not exist without negotiated release.
const TOKENS_TO_RESPONDER: TokenSetting = TokenSetting(0x15);

/// OPEN.request parameters (also used by [`Rts::recover`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRequest<'a> {
    /// This connection's session connection identifier (CN PGI 1): the initiator's name
    /// and the time, as a later `recover` would name them. Make it unique per connection
    /// (the additional reference, up to 4 octets, can hold a counter).
    pub connection: &'a SessionConnectionIdentifier,
    /// The RTS user's `open` data (in P1 the MTA bind argument), one BER value; `None`
    /// for none. Ignored by a recover, which carries no user data.
    pub user_data: Option<&'a [u8]>,
    /// Calling session selector.
    pub calling_ssel: Option<&'a [u8]>,
    /// Called session selector.
    pub called_ssel: Option<&'a [u8]>,
    /// Which side holds the turn first. Default: the initiator. Ignored by a recover,
    /// which gives the turn to the side that was sending.
    pub initial_turn: Role,
}

impl<'a> OpenRequest<'a> {
    /// An open with `user_data`, no session selectors, and the turn at the initiator.
    #[must_use]
    pub const fn new(
        connection: &'a SessionConnectionIdentifier,
        user_data: Option<&'a [u8]>,
    ) -> Self {
        Self {
            connection,
            user_data,
            calling_ssel: None,
            called_ssel: None,
            initial_turn: Role::Initiator,
        }
    }
}

/// The session PGI 1 values of a connection identifier: PI 10 and PI 11 hold the whole
/// BER T61String and UTCTime, PI 12 the additional reference's octets (as ISODE's
/// psap/addr2ref.c builds them), so that they are octet for octet what a `recover` carries.
pub(super) fn session_refs(id: &SessionConnectionIdentifier) -> Result<[Vec<u8>; 3]> {
    let enc = |e| crate::Error::Encode(e);
    Ok([
        rasn::ber::encode(&id.calling_ss_user_reference).map_err(enc)?,
        rasn::ber::encode(&id.common_reference).map_err(enc)?,
        id.additional_reference_information
            .as_ref()
            .map(|t| t.as_bytes().to_vec())
            .unwrap_or_default(),
    ])
}

/// The connection identifier of a received CN's PGI 1, or `None` without one. A value
/// that is not the BER a `recover` would carry is kept as the string's contents, so that
/// it still compares equal to what the peer names later.
fn identifier(refs: [&[u8]; 3]) -> Option<SessionConnectionIdentifier> {
    let [calling, common, additional] = refs;
    if calling.is_empty() && common.is_empty() {
        return None;
    }
    let calling_ss_user_reference = rasn::ber::decode::<CallingSsUserReference>(calling)
        .ok()
        .filter(|v| rasn::ber::encode(v).ok().as_deref() == Some(calling))
        .unwrap_or_else(|| CallingSsUserReference::T61(T61String::new(calling)));
    let common_reference = rasn::ber::decode::<UtcTimeOctets>(common)
        .ok()
        .filter(|v| rasn::ber::encode(v).ok().as_deref() == Some(common))
        .unwrap_or_else(|| UtcTimeOctets::new(common));
    Some(SessionConnectionIdentifier {
        calling_ss_user_reference,
        common_reference,
        additional_reference_information: (!additional.is_empty())
            .then(|| T61String::new(additional)),
    })
}

/// `open` with the user's data, or without any.
fn open_data(user_data: Option<&[u8]>) -> ConnectionData {
    user_data.map_or(ConnectionData::Open(None), ConnectionData::open)
}

/// The checkpoint size and window a responder answers (X.228 §7.1.5.1: never more than
/// proposed, and no checkpointing if either side wants none).
fn negotiate(proposed: &PConnect, ours: &super::Config) -> (u32, u32) {
    let checkpoint = if proposed.checkpoint_size == 0 || ours.checkpoint_size == 0 {
        0
    } else {
        proposed.checkpoint_size.min(ours.checkpoint_size)
    };
    let window = proposed.window_size.min(ours.window_size).max(1);
    (checkpoint, window)
}

/// The largest checkpoint size (KiB) an initiator takes when it proposed none: ISODE's
/// responder answers its SSDU size in KiB then (rt2ssrespond.c), at most 65 535 >> 10.
const UNASKED_CHECKPOINT_SIZE: u32 = 63;

/// Whether the PAccept stays within what the PConnect proposed (X.228 §7.1.5.1: never a
/// larger window or checkpoint size; ISODE's answer to "no checkpointing" tolerated). Both
/// bound what this side holds: the window the checkpoints it keeps, both the data its
/// sender keeps unconfirmed.
fn within_proposal(pa: &PAccept, proposed: &Agreed) -> core::result::Result<(), &'static str> {
    if pa.window_size > proposed.window_size.max(1) {
        return Err("the PAccept answers a larger window than proposed");
    }
    let ceiling = match proposed.checkpoint_size {
        0 => UNASKED_CHECKPOINT_SIZE,
        n => n,
    };
    if pa.checkpoint_size > ceiling {
        return Err("the PAccept answers a larger checkpoint size than proposed");
    }
    Ok(())
}

impl Rts {
    /// OPEN.request: CN with a PConnect carrying `open`.
    ///
    /// # Errors
    ///
    /// Not an initiator waiting to open; `user_data` not one BER value; the session
    /// machine's refusal (e.g. connect data too long for the configured versions).
    pub fn open(&mut self, req: &OpenRequest<'_>) -> Result<()> {
        const R: &str = "OPEN.request";
        self.can_open(R)?;
        let data = open_data(req.user_data);
        let tokens = match req.initial_turn {
            Role::Initiator => TokenSetting(0),
            Role::Responder => TOKENS_TO_RESPONDER,
        };
        let pc = PConnect {
            checkpoint_size: self.config.checkpoint_size,
            window_size: self.config.window_size,
            dialogue_mode: self.config.dialogue_mode,
            connection_data: data,
            application_protocol: self.config.application_protocol,
        };
        self.connect(req, &pc, tokens)
    }

    /// Recovers a lost association (initiator): CN with a PConnect carrying `recover`
    /// naming `state.connection`, the turn at whichever side was sending. Once the PAccept
    /// arrives the sender resumes the activity after its last confirmed checkpoint. If
    /// the responder refuses, an APDU being sent fails ([`Event::TransferFailed`]) and one
    /// being received is void ([`Event::TransferDiscarded`]).
    ///
    /// # Errors
    ///
    /// As for [`Rts::open`].
    pub fn recover(&mut self, req: &OpenRequest<'_>, state: Recovery) -> Result<()> {
        self.can_open("OPEN.request (recover)")?;
        let tokens = if state.part.is_sender() {
            TokenSetting(0)
        } else {
            TOKENS_TO_RESPONDER
        };
        let pc = PConnect {
            checkpoint_size: state.checkpoint_size,
            window_size: state.window_size,
            dialogue_mode: self.config.dialogue_mode,
            connection_data: ConnectionData::Recover(state.connection.clone()),
            application_protocol: self.config.application_protocol,
        };
        self.connect(req, &pc, tokens)?;
        self.recovery = Some(state);
        Ok(())
    }

    fn can_open(&self, r: &'static str) -> Result<()> {
        if self.role() != Role::Initiator || self.phase != Phase::Idle {
            return refuse(r, "only a new initiator opens an association");
        }
        Ok(())
    }

    fn connect(
        &mut self,
        req: &OpenRequest<'_>,
        pc: &PConnect,
        tokens: TokenSetting,
    ) -> Result<()> {
        let user_data = pc.encode()?;
        let [calling, common, additional] = session_refs(req.connection)?;
        let mut cr = ConnectRequest::new(REQUIREMENTS);
        cr.calling_ssel = req.calling_ssel;
        cr.called_ssel = req.called_ssel;
        cr.tokens = tokens;
        cr.user_data = &user_data;
        cr.connection_id = Some(ConnectionId {
            calling_ref: Some(&calling),
            common_ref: Some(&common),
            additional_ref: Some(additional.as_slice()).filter(|a| !a.is_empty()),
            ..ConnectionId::default()
        });
        self.session.connect(&cr)?;
        self.connection = Some(req.connection.clone());
        // Until the PAccept these are what we proposed, which it may not exceed.
        self.agreed = Agreed {
            checkpoint_size: pc.checkpoint_size,
            window_size: pc.window_size,
            dialogue_mode: pc.dialogue_mode,
        };
        self.phase = Phase::Opening;
        Ok(())
    }

    /// OPEN.response, accept (responder, after [`Event::OpenIndication`]): AC with a
    /// PAccept carrying `user_data` (in P1 the bind result) and the negotiated checkpoint
    /// size and window.
    ///
    /// # Errors
    ///
    /// No open indicated; `user_data` not one BER value; the session machine's refusal.
    pub fn accept(&mut self, user_data: Option<&[u8]>) -> Result<()> {
        const R: &str = "OPEN.response";
        let Some(proposal) = self.indicated(R)? else {
            return refuse(R, "the PConnect asks to recover: use accept_recovery");
        };
        let (checkpoint_size, window_size) = negotiate(&proposal, &self.config);
        let pa = PAccept {
            checkpoint_size,
            window_size,
            connection_data: open_data(user_data),
        };
        self.send_accept(&pa, proposal.dialogue_mode)
    }

    /// OPEN.response to a `recover` (responder, after [`Event::RecoverIndication`]): AC
    /// with a PAccept echoing `recover` and the lost association's checkpoint size and
    /// window. With `state` the part this side kept: if it was sending, it resumes the
    /// activity; if receiving, it waits for the peer's resume.
    ///
    /// # Errors
    ///
    /// No recover indicated, or `state` is for another connection; the session
    /// machine's refusal.
    pub fn accept_recovery(&mut self, state: Recovery) -> Result<()> {
        const R: &str = "OPEN.response (recover)";
        let proposal = match self.proposal.as_ref() {
            Some(p) if self.phase == Phase::Indicated => p.clone(),
            _ => return refuse(R, "no open has been indicated"),
        };
        let ConnectionData::Recover(lost) = &proposal.connection_data else {
            return refuse(R, "the PConnect asks for a new association: use accept");
        };
        if !state.names(lost) {
            return refuse(R, "the state kept is for another connection");
        }
        let pa = PAccept {
            checkpoint_size: state.checkpoint_size,
            window_size: state.window_size.max(1),
            connection_data: ConnectionData::Recover(lost.clone()),
        };
        self.recovered_from = Some(lost.clone());
        self.send_accept(&pa, proposal.dialogue_mode)?;
        // The initiator gave the turn to the side it believes was sending. If that is not
        // what this side kept, nobody would resume: end it now rather than hang.
        if state.part.is_sender() != self.has_turn() {
            let now = self.now;
            self.abort_with(
                now,
                AbortReason::UNRECOGNIZED_ACTIVITY,
                AbortCause::Protocol(
                    "the recover gives the turn to the side that was not sending the interrupted APDU",
                ),
            );
            self.give_back(
                Some(state.part),
                "the peer does not agree which side was sending",
            );
            return Ok(());
        }
        self.take_up(state);
        Ok(())
    }

    /// The open proposal the user answers, or `None` if it is a recover.
    fn indicated(&self, r: &'static str) -> Result<Option<PConnect>> {
        match self.proposal.as_ref() {
            Some(p) if self.phase == Phase::Indicated => {
                Ok(matches!(p.connection_data, ConnectionData::Open(_)).then(|| p.clone()))
            }
            _ => refuse(r, "no open has been indicated"),
        }
    }

    fn send_accept(&mut self, pa: &PAccept, mode: DialogueMode) -> Result<()> {
        let user_data = pa.encode()?;
        let mut ar = AcceptRequest::new(REQUIREMENTS);
        ar.user_data = &user_data;
        self.session.accept(&ar)?;
        self.agreed = Agreed {
            checkpoint_size: pa.checkpoint_size,
            window_size: pa.window_size.max(1),
            dialogue_mode: mode,
        };
        self.proposal = None;
        self.phase = Phase::Open;
        Ok(())
    }

    /// Continues a recovered transfer: the sender resumes it, the receiver waits for AR.
    fn take_up(&mut self, state: Recovery) {
        if state.part.is_sender() {
            self.resume_sending(state);
        } else {
            self.recovery = Some(state);
        }
    }

    /// OPEN.response, refuse (responder): RF with reason code 2 and a PRefuse.
    ///
    /// # Errors
    ///
    /// No open indicated; the session machine's refusal.
    pub fn refuse(&mut self, now: Instant, reason: RefuseReason) -> Result<()> {
        const R: &str = "OPEN.response (refuse)";
        if self.phase != Phase::Indicated {
            return refuse(R, "no open has been indicated");
        }
        let pr = PRefuse::new(reason).encode()?;
        self.session.refuse(now, Reason::REFUSED_WITH_DATA, &pr)?;
        self.proposal = None;
        self.phase = Phase::Ended;
        Ok(())
    }

    /// TURN-PLEASE.request (two-way alternate, without the turn): PT for the data token
    /// with the priority as a BER INTEGER.
    ///
    /// # Errors
    ///
    /// Not open, monologue, or the turn is already ours; the session machine's refusal.
    pub fn turn_please(&mut self, priority: u32) -> Result<()> {
        const R: &str = "TURN-PLEASE.request";
        self.twa(R)?;
        if self.has_turn() {
            return refuse(R, "this side holds the turn");
        }
        let data = rasn::ber::encode(&priority).map_err(crate::Error::Encode)?;
        self.session
            .please_tokens(TokenItem(TokenItem::DATA), &data)?;
        Ok(())
    }

    /// TURN-GIVE.request: GTC, every token to the peer.
    ///
    /// # Errors
    ///
    /// Not open, monologue, no turn, or a transfer is outstanding.
    pub fn turn_give(&mut self) -> Result<()> {
        const R: &str = "TURN-GIVE.request";
        self.twa(R)?;
        if !self.has_turn() {
            return refuse(R, "this side does not hold the turn");
        }
        if self.out.is_some() {
            return refuse(R, "a transfer is in progress");
        }
        self.session.give_control(&[])?;
        Ok(())
    }

    fn twa(&self, r: &'static str) -> Result<()> {
        if self.phase != Phase::Open {
            return refuse(r, "the association is not open");
        }
        if self.agreed.dialogue_mode != DialogueMode::TWO_WAY_ALTERNATE {
            return refuse(r, "the mode of the association is monologue");
        }
        Ok(())
    }

    /// CLOSE.request: FN without user data. Only the initiator closes (X.218 §9.2), or,
    /// in monologue, the side holding the turn (ISODE does); with the turn and no
    /// transfer outstanding.
    ///
    /// # Errors
    ///
    /// Any of those conditions unmet; the session machine's refusal.
    pub fn close(&mut self) -> Result<()> {
        const R: &str = "CLOSE.request";
        if self.phase != Phase::Open {
            return refuse(R, "the association is not open");
        }
        if self.role() != Role::Initiator && self.agreed.dialogue_mode != DialogueMode::MONOLOGUE {
            return refuse(R, "only the association initiator closes");
        }
        if !self.has_turn() {
            return refuse(R, "this side does not hold the turn");
        }
        if self.out.is_some() || self.inc.is_some() || self.recovery.is_some() {
            return refuse(R, "a transfer is in progress");
        }
        self.session.release(&[])?;
        self.phase = Phase::Closing;
        Ok(())
    }

    /// Aborts the association: AB with AbortInformation `reason`. An APDU being sent
    /// fails ([`Event::TransferFailed`]), one being received is void
    /// ([`Event::TransferDiscarded`]), then [`Event::Aborted`] follows.
    ///
    /// # Errors
    ///
    /// No connection to abort.
    pub fn abort(&mut self, now: Instant, reason: AbortReason) -> Result<()> {
        if matches!(self.phase, Phase::Idle | Phase::Ended) {
            return refuse("abort", "there is no association");
        }
        self.abort_with(now, reason, AbortCause::Local(reason));
        Ok(())
    }

    // ---- received ----

    pub(super) fn on_connect(
        &mut self,
        now: Instant,
        requirements: Requirements,
        refs: [&[u8]; 3],
        user_data: &[u8],
    ) {
        if self.role() != Role::Responder || self.phase != Phase::Idle {
            return self.protocol_error(now, "a second CN");
        }
        // ISODE's responder also refuses without the four units; RF without PRefuse, as
        // no RTS refuse reason fits.
        if !requirements.contains(REQUIREMENTS.0) {
            let _ = self.session.refuse(now, Reason::REFUSED, &[]);
            self.phase = Phase::Ended;
            self.events.push_back(Event::Aborted(AbortCause::Protocol(
                "the CN does not propose the session units X.410 needs (0x0249: half-duplex, \
                 minor synchronize, activity management, exceptions)",
            )));
            return;
        }
        let pc = match PConnect::decode(user_data) {
            Ok(pc) => pc,
            Err(e) => {
                let _ = self.session.refuse(now, Reason::REFUSED, &[]);
                self.phase = Phase::Ended;
                self.events
                    .push_back(Event::Aborted(AbortCause::BadPdu(e.to_string())));
                return;
            }
        };
        self.connection = identifier(refs);
        self.phase = Phase::Indicated;
        self.proposal = Some(pc.clone());
        self.events.push_back(match &pc.connection_data {
            ConnectionData::Open(_) => Event::OpenIndication(pc),
            ConnectionData::Recover(lost) => Event::RecoverIndication {
                lost: lost.clone(),
                connect: pc,
            },
        });
    }

    pub(super) fn on_accept(&mut self, now: Instant, requirements: Requirements, user_data: &[u8]) {
        if self.phase != Phase::Opening {
            return self.protocol_error(now, "an AC that answers no CN");
        }
        // ISODE's initiator aborts on anything else, and so do we: without these units
        // there is no turn, checkpoint or activity to run RTS with.
        if requirements != REQUIREMENTS {
            return self.protocol_error(
                now,
                "the AC does not select exactly the X.410 session units 0x0249",
            );
        }
        let pa = match PAccept::decode(user_data) {
            Ok(pa) => pa,
            Err(e) => {
                return self.abort_with(
                    now,
                    AbortReason::PROTOCOL_ERROR,
                    AbortCause::BadPdu(e.to_string()),
                );
            }
        };
        let answers = match (&pa.connection_data, &self.recovery) {
            (ConnectionData::Open(_), None) => true,
            (ConnectionData::Recover(id), Some(r)) => *id == r.connection,
            _ => false,
        };
        if !answers {
            return self.protocol_error(
                now,
                "the PAccept's connection data does not answer the PConnect's (open or recover)",
            );
        }
        if let Err(why) = within_proposal(&pa, &self.agreed) {
            return self.protocol_error(now, why);
        }
        self.agreed.checkpoint_size = pa.checkpoint_size;
        self.agreed.window_size = pa.window_size.max(1);
        self.phase = Phase::Open;
        self.events.push_back(Event::Opened(pa));
        if let Some(state) = self.recovery.take() {
            self.recovered_from = Some(state.connection.clone());
            self.take_up(state);
        }
    }

    pub(super) fn on_refuse(&mut self, reason: u8, user_data: &[u8]) {
        let refusal = if reason == Reason::REFUSED_WITH_DATA {
            PRefuse::decode(user_data).map_or(Refusal::Session(reason), |p| Refusal::Rts(p.reason))
        } else {
            Refusal::Session(reason)
        };
        self.phase = Phase::Ended;
        let kept = self.recovery.take().map(|r| r.part);
        self.give_back(kept, "the responder refused to recover the association");
        self.events.push_back(Event::Refused(refusal));
    }

    pub(super) fn on_turn_please(&mut self, now: Instant, tokens: TokenItem, data: &[u8]) {
        if self.agreed.dialogue_mode != DialogueMode::TWO_WAY_ALTERNATE {
            return self.protocol_error(now, "a turn request in a monologue association");
        }
        if tokens.0 & TokenItem::DATA == 0 {
            return self
                .protocol_error(now, "a token request that does not ask for the data token");
        }
        let priority = if data.is_empty() {
            Ok(0)
        } else {
            rasn::ber::decode::<u32>(data)
        };
        match priority {
            Ok(priority) => self.events.push_back(Event::TurnPlease { priority }),
            Err(_) => self.protocol_error(now, "a turn request whose priority is not an INTEGER"),
        }
    }

    pub(super) fn on_release(&mut self, now: Instant) {
        if self.out.is_some() || self.inc.is_some() {
            return self.protocol_error(now, "a release during a transfer");
        }
        if self.session.release_response(now, true, &[]).is_err() {
            return self.protocol_error(now, "a release the session cannot accept");
        }
        self.phase = Phase::Ended;
        self.recovery = None;
        self.events.push_back(Event::Closed);
    }

    pub(super) fn on_user_abort(&mut self, data: &[u8]) {
        // An empty AB is an abort without a reason; so is one we cannot read: the
        // association is over either way.
        let reason = if data.is_empty() {
            None
        } else {
            AbortInformation::decode(data).ok().and_then(|i| i.reason)
        };
        self.end(AbortCause::Peer(reason));
    }
}
