//! The handshake: the RTS open with our bind (initiator), the peer's bind checked against
//! the peer table and the accounting (responder), and every refusal logged in words.
//!
//! In X.410 mode the MTA bind travels in the RTS `ConnectionData.open` of the PConnect
//! (argument) and PAccept (result); a bind error is a PRefuse reason (X.218 §9.1.1.4:
//! `busy` 0, `authentication-error` as `validationFailure` 2, `unacceptable-dialogue-mode`
//! 3).

use x400_p1::mta_abstract_service::{MtaBindArgument, MtaBindResult};
use x400_rts::machine::{AbortCause, Instant, OpenRequest, Refusal as RtsRefusal};
use x400_rts::{PAccept, PConnect, RefuseReason, SessionConnectionIdentifier};

use super::{Association, Ended, Event, Phase, Refused};
use crate::accounting::{Direction, Refusal};
use crate::peers::BindRefusal;

impl Association {
    /// TP0 is up (initiator): session CONNECT with the PConnect and our bind.
    pub(super) fn open(&mut self, now: Instant) {
        let (Some(peer), Some(id)) = (self.peer.as_ref(), self.connection.as_ref()) else {
            return;
        };
        if let Some(Err(r)) = self.permit.as_mut().map(|p| p.admit()) {
            tracing::info!("mta: not opening an association with {}: {r}", self.who());
            return self.end(now, Ended::WeRefused(Refused::Limit(r)));
        }
        let bind = match x400_p1::encode(&self.peers.our_argument(peer)) {
            Ok(b) => b,
            Err(e) => {
                let why = format!("our bind argument cannot be encoded: {e}");
                return self.end(now, Ended::WeRefused(Refused::Connect(why)));
            }
        };
        if let Err(e) = self.rts.open(&OpenRequest::new(id, Some(&bind))) {
            let why = format!("the RTS open failed: {e}");
            self.end(now, Ended::WeRefused(Refused::Connect(why)));
        }
    }

    /// The peer's PConnect with `open` (responder): admit, check the bind, answer.
    pub(super) fn on_open(&mut self, now: Instant, pc: &PConnect) {
        // An indication queued before this side ended the association is moot.
        if self.phase != Phase::Handshake {
            return;
        }
        self.mode = pc.dialogue_mode;
        if let Some(Err(r)) = self.permit.as_mut().map(|p| p.admit()) {
            return self.refuse(now, RefuseReason::BUSY, Refused::Limit(r), None);
        }
        let bind = match pc.connection_data.open_data() {
            None => Err(BindRefusal::Unauthenticated("the PConnect carries no bind")),
            Some(octets) => x400_p1::decode::<MtaBindArgument>(octets)
                .map_err(|e| BindRefusal::Undecodable(e.to_string())),
        };
        let claimed = match &bind {
            Ok(MtaBindArgument::Authenticated(a)) => Some(a.initiator_name.to_string()),
            _ => None,
        };
        let checked = bind.and_then(|b| {
            self.peers
                .validate(&b, Some(self.remote.ip()), pc.application_protocol)
                .cloned()
        });
        let peer = match checked {
            Ok(p) => p,
            Err(e) => return self.refuse(now, e.reason(), Refused::Bind(e), claimed),
        };
        let limit = peer.max_inbound;
        if let Some(Err(r)) = self
            .permit
            .as_mut()
            .map(|p| p.bind(&peer.name, Direction::Inbound, limit))
        {
            self.peer = Some(peer);
            return self.refuse(now, RefuseReason::BUSY, Refused::Limit(r), None);
        }
        let result = x400_p1::encode(&self.peers.our_result(&peer));
        self.peer = Some(peer);
        match result
            .map_err(|e| e.to_string())
            .and_then(|r| self.rts.accept(Some(&r)).map_err(|e| e.to_string()))
        {
            Ok(()) => self.bound(),
            Err(e) => self.abort(now, &format!("our bind result cannot be sent: {e}")),
        }
    }

    /// A `recover` (responder): this MTA keeps no recovery state across associations yet,
    /// so it is refused as X.410 says, with `cannotRecover`; the peer then opens a new
    /// association and sends the MPDU again.
    pub(super) fn refuse_recover(&mut self, now: Instant, lost: &SessionConnectionIdentifier) {
        let why = Refused::Connect(format!(
            "a recover of connection {lost} asks for state this MTA does not keep"
        ));
        self.refuse(now, RefuseReason::CANNOT_RECOVER, why, None);
    }

    /// Refuses the open with `reason`, logs why in words, counts it, and ends.
    fn refuse(
        &mut self,
        now: Instant,
        reason: RefuseReason,
        why: Refused,
        claimed: Option<String>,
    ) {
        let claimed = claimed
            .map(|n| format!(" (claims to be MTA {n:?})"))
            .unwrap_or_default();
        let layer = match &why {
            Refused::Bind(_) => "MTA bind",
            Refused::Limit(_) => "association",
            _ => "RTS open",
        };
        tracing::info!(
            "mta: refused {layer} from {}{claimed}: {}; answered PRefuse {reason}",
            self.remote,
            refusal_words(&why)
        );
        if let Some(p) = self.permit.as_ref() {
            match &why {
                // The accounting counted limits itself.
                Refused::Limit(_) => {}
                Refused::Bind(b) => p.accounting().record(b.refusal()),
                _ => p.accounting().record(Refusal::BadConnect),
            }
        }
        if let Err(e) = self.rts.refuse(now, reason) {
            tracing::debug!("mta: the refusal to {} could not be sent: {e}", self.remote);
        }
        self.end(now, Ended::WeRefused(why));
    }

    /// The PAccept (initiator): check the peer's bind result, then count us bound.
    pub(super) fn on_opened(&mut self, now: Instant, pa: &PAccept) {
        let Some(peer) = self.peer.clone().filter(|_| self.phase == Phase::Handshake) else {
            return;
        };
        let checked = match pa.connection_data.open_data() {
            None => Err(BindRefusal::Unauthenticated(
                "the PAccept carries no bind result",
            )),
            Some(octets) => x400_p1::decode::<MtaBindResult>(octets)
                .map_err(|e| BindRefusal::Undecodable(e.to_string()))
                .and_then(|r| self.peers.validate_result(&peer, &r)),
        };
        if let Err(e) = checked {
            tracing::info!(
                "mta: refused the bind result of {}: {e}; aborting",
                self.who()
            );
            if let Some(p) = self.permit.as_ref() {
                p.accounting().record(e.refusal());
            }
            let _ = self
                .rts
                .abort(now, x400_rts::AbortReason::LOCAL_SYSTEM_PROBLEM);
            return self.end(now, Ended::WeRefused(Refused::Bind(e)));
        }
        if let Some(Err(r)) = self
            .permit
            .as_mut()
            .map(|p| p.bind(&peer.name, Direction::Outbound, peer.max_outbound))
        {
            tracing::info!("mta: closing the association with {}: {r}", self.who());
            let _ = self
                .rts
                .abort(now, x400_rts::AbortReason::TEMPORARY_PROBLEM);
            return self.end(now, Ended::WeRefused(Refused::Limit(r)));
        }
        self.bound();
    }

    /// The RTS machine ended the association. On an inbound connection before the bind it
    /// did so because the session CONNECT or its PConnect could not be decoded or broke the
    /// protocol (it answered RF or AB itself): that is our refusal of the connect, logged
    /// and counted as [`Refusal::BadConnect`].
    pub(super) fn on_aborted(&mut self, now: Instant, cause: AbortCause) {
        let bad_connect = self.phase == Phase::Handshake
            && self.direction == Direction::Inbound
            && matches!(
                cause,
                AbortCause::BadPdu(_) | AbortCause::Protocol(_) | AbortCause::Session(_)
            );
        if !bad_connect {
            return self.end(now, cause.into());
        }
        let why = cause.to_string();
        tracing::info!("mta: refused connection from {}: {why}", self.remote);
        if let Some(p) = self.permit.as_ref() {
            p.accounting().record(Refusal::BadConnect);
        }
        self.end(now, Ended::WeRefused(Refused::Connect(why)));
    }

    /// The peer refused our open (initiator): log its reason decoded.
    pub(super) fn on_refused(&mut self, now: Instant, r: RtsRefusal) {
        tracing::info!("mta: {} refused our association: {r}", self.who());
        self.end(now, Ended::PeerRefused(Refused::Rts(r)));
    }

    /// TP0 ended (a DR, a reset, a protocol error).
    pub(super) fn transport_gone(&mut self, now: Instant, cause: String) {
        if self.phase == Phase::Ended {
            return;
        }
        if self.phase == Phase::Handshake && self.direction == Direction::Outbound {
            tracing::info!(
                "mta: {} refused our transport connection: {cause}",
                self.who()
            );
            return self.end(now, Ended::PeerRefused(Refused::Transport(cause)));
        }
        self.rts.handle_disconnect(now);
        self.drive(now);
        self.end(now, Ended::TransportClosed(cause));
    }

    fn bound(&mut self) {
        if self.phase != Phase::Handshake {
            return;
        }
        self.phase = Phase::Bound;
        let Some(peer) = self.peer.as_ref() else {
            return;
        };
        tracing::info!(
            "mta: bound {} association with {} ({})",
            self.direction,
            self.who(),
            peer.protocol
        );
        self.events.push_back(Event::Bound {
            peer: peer.name.clone(),
            protocol: peer.protocol,
            direction: self.direction,
        });
    }
}

/// The refusal's words without the layer prefix the log line already names.
fn refusal_words(r: &Refused) -> String {
    match r {
        Refused::Bind(b) => b.to_string(),
        Refused::Limit(l) => l.to_string(),
        other => other.to_string(),
    }
}
