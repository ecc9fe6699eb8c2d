//! What the RTS machine tells its user (X.410 service primitives), and why an association
//! ended.

use alloc::string::String;
use alloc::vec::Vec;

use osi_session::machine::Rule;

use super::Recovery;
use crate::{AbortReason, PAccept, PConnect, RefuseReason, SessionConnectionIdentifier};

/// An indication or confirm for the RTS user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// OPEN.indication (responder): a PConnect with `open` arrived. Answer with
    /// [`super::Rts::accept`] or [`super::Rts::refuse`].
    OpenIndication(PConnect),
    /// A PConnect with `recover` arrived (responder), naming the lost connection `lost`.
    /// Answer with [`super::Rts::accept_recovery`] and the state kept for it, or
    /// [`super::Rts::refuse`] with `cannotRecover`.
    RecoverIndication {
        /// The PConnect as received.
        connect: PConnect,
        /// The lost session connection it names.
        lost: SessionConnectionIdentifier,
    },
    /// OPEN.confirm, accepted (initiator): the association is open with the values of
    /// the PAccept; after a `recover`, the interrupted transfer continues by itself.
    Opened(PAccept),
    /// TURN-PLEASE.indication: the peer wants the turn.
    TurnPlease {
        /// 0 is the highest; absent on the wire means 0.
        priority: u32,
    },
    /// TURN-GIVE.indication: the turn is ours.
    TurnGiven,
    /// TRANSFER.indication begins (receiver): an APDU's activity started (AS), or was
    /// resumed (AR) after a recovery or an interrupt. Its data continues from `offset`: the
    /// user cuts what it stored of this APDU back to `offset` octets (0 for a new APDU)
    /// and appends the [`Event::TransferData`] that follow.
    TransferStart {
        /// Octets of the APDU the data continues after.
        offset: u64,
    },
    /// The next piece of the APDU being received, as it arrived: one DT's user data, so at
    /// most [`super::Config::session_buffer`] octets (the session machine takes no larger
    /// TSDU). The machine keeps nothing of it once it is polled, and takes no further TSDU
    /// until it is ([`super::Error::EventsPending`]).
    TransferData(Vec<u8>),
    /// The sender asks to confirm a checkpoint (MIP with confirmation): the APDU's first
    /// `offset` octets. Once they are durable, call [`super::Rts::confirm_checkpoint`]
    /// with `serial`: only then does the MIA go out, which lets the sender forget them and
    /// a recovery resume after them. At most the window of checkpoints waits unconfirmed;
    /// a sender that stalls waits for these.
    TransferCheckpoint {
        /// The minor synchronization point's serial number.
        serial: u64,
        /// Octets of the APDU received up to the point.
        offset: u64,
    },
    /// The APDU is complete (AE): `len` octets in all. Store it, then call
    /// [`super::Rts::secured`]; the sender gets its positive confirm only then.
    TransferEnd {
        /// The APDU's length.
        len: u64,
    },
    /// The APDU being received is abandoned (the sender discarded it, or this side
    /// refused it as too long): drop what was stored of it.
    TransferDiscarded,
    /// A checkpoint of the APDU being sent is confirmed: the receiver holds its first
    /// `offset` octets, which a recovery will not send again. The machine has released
    /// them: [`super::Rts::write`] takes more.
    CheckpointConfirmed {
        /// The minor synchronization point's serial number.
        serial: u64,
        /// Octets of the APDU now confirmed.
        offset: u64,
    },
    /// [`super::Rts::write`] takes data again: it had taken all it could, and the
    /// transmit queue freed room (without checkpointing). With checkpointing the
    /// [`Event::CheckpointConfirmed`] that frees room says so itself.
    TransferWritable,
    /// The APDU being sent is suspended ([`super::Rts::interrupt_transfer`] was
    /// acknowledged); [`super::Rts::resume_transfer`] continues it.
    TransferInterrupted,
    /// TRANSFER.confirm, positive: the receiver has secured the APDU.
    Transferred,
    /// TRANSFER.confirm, negative: the APDU was not transferred, and nothing of it will
    /// be resumed. The machine holds none of it any more: the user sends it again, if at
    /// all, from its own source and from the start, in a new activity. This is what a lost
    /// connection gives without checkpointing (nothing to resume from), and a recovery
    /// refused or impossible. (X.218 §9.3: rarely, the receiver may have secured it all
    /// the same, so the user must tolerate a duplicate if it sends it again.)
    TransferFailed {
        /// Why, in plain words.
        why: &'static str,
    },
    /// The association was released (CLOSE.indication for the side that did not ask, or
    /// CLOSE.confirm).
    Closed,
    /// OPEN.confirm, refused (initiator).
    Refused(Refusal),
    /// The association was aborted and cannot be recovered.
    Aborted(AbortCause),
    /// The connection was lost. With `Some`, the association can be recovered: the
    /// initiator keeps the state and calls [`super::Rts::recover`] on a new connection;
    /// the responder keeps it (see [`super::RecoveryTable`]) for the recover it expects.
    ConnectionLost(Option<Recovery>),
    /// Close the transport connection (after sending what is queued).
    DisconnectTransport,
}

/// Why an open was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The responding RTS sent a PRefuse with this reason.
    Rts(RefuseReason),
    /// The session responder refused with this reason code (X.225 PI 50) and no PRefuse.
    Session(u8),
}

/// Why an association was aborted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AbortCause {
    /// The peer RTS aborted (S-U-ABORT), with the reason of its AbortInformation if any.
    Peer(Option<AbortReason>),
    /// This RTS aborted because the peer broke the RTS protocol; the words say how.
    Protocol(&'static str),
    /// This RTS aborted (or refused the CN) because a PDU from the peer could not be
    /// decoded; the decoder's words.
    BadPdu(String),
    /// The user asked for the abort.
    Local(AbortReason),
    /// The session machine found a protocol error and sent AB.
    Session(Rule),
    /// The peer's session machine aborted (AB without user data) or the session provider
    /// gave up.
    Provider,
}
