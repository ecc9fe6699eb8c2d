//! One struct per SPDU type of X.225 §8.3, holding exactly the parameters that SPDU may
//! carry, and the [`Spdu`] enum over them.
//!
//! A parameter X.225 makes mandatory is a plain field; an optional one is an `Option`
//! (`None`: the unit is absent). Every struct keeps the undefined units of its parameter
//! field ([`Unknown`]) so that a decoded SPDU re-encodes octet for octet. The fields are
//! declared in increasing code order, the order they are written in (X.225 §8.2.6).
//!
//! What the types rule out: an absent mandatory parameter, a parameter the SPDU does not
//! define, user information outside DT, TD and EX, a MAP whose Sync Type lacks bit 1 or an
//! AE whose Sync Type has it ([`MajorSyncType`], [`ActivityEndSyncType`]: both keep the other
//! bits, so received values re-encode exactly), and user data after the reason octet of ED,
//! AI and AD (a `u8`).
//!
//! What they cannot say is checked when an SPDU is decoded and again when it is encoded
//! (`check.rs`), with the decoder's [`Error`]s: lengths (references, selectors, activity
//! identifiers, initial serial numbers, AB's reflect octets, user data), OA's version
//! (exactly 2: the field is kept so that the octet is re-sent as received), ER's reflect
//! octets (at least one), CDO's Enclosure (never the beginning), which references PGI 1
//! holds in CN and in AC/RF, AB's user data and reflect octets against its Transport
//! Disconnect bits, RF's user data and Session User Requirements (reason 2 only), GT/PT
//! user data (only with a Token Item), the Serial Number or Second Serial Number of MAA,
//! AEA, RS and RA, CN's Extended User Data and Data Overflow (version 2 alone), and the
//! version 1 limits.

pub use super::sync_type::{ActivityEndSyncType, MajorSyncType};
use crate::code::Code;
use crate::params::{Fields, Param};
use crate::unit::{Out, Unknown};
use crate::values::*;
use crate::{ConnectAccept, ConnectionId, Error, Kind, Linking, Result};

/// How a struct field is taken from its slot of the parsing workspace.
mod conv {
    use super::*;

    pub(super) fn opt<T>(v: Option<T>, _: Kind, _: Code) -> Result<Option<T>> {
        Ok(v)
    }

    /// A mandatory parameter (X.225 §8.3: "mandatory" in the SPDU's table).
    pub(super) fn req<T>(v: Option<T>, kind: Kind, code: Code) -> Result<T> {
        v.ok_or(Error::MissingParameter { spdu: kind, code })
    }

    pub(super) fn map_sync(v: Option<SyncType>, kind: Kind, code: Code) -> Result<MajorSyncType> {
        MajorSyncType::try_from(req(v, kind, code)?)
    }

    pub(super) fn ae_sync(
        v: Option<SyncType>,
        _: Kind,
        _: Code,
    ) -> Result<Option<ActivityEndSyncType>> {
        v.map(ActivityEndSyncType::try_from).transpose()
    }

    /// The Reason Code of ED, AI and AD: exactly one octet (X.225 §8.3, EXCEPTION DATA
    /// SPDU); only RF puts user data after it.
    fn octet_of(r: Reason<'_>) -> Result<u8> {
        if r.data.is_empty() {
            Ok(r.code)
        } else {
            Err(Error::BadLength {
                code: Code::REASON,
                len: 1 + r.data.len(),
            })
        }
    }

    pub(super) fn octet(v: Option<Reason<'_>>, kind: Kind, code: Code) -> Result<u8> {
        octet_of(req(v, kind, code)?)
    }

    pub(super) fn opt_octet(v: Option<Reason<'_>>, _: Kind, _: Code) -> Result<Option<u8>> {
        v.map(octet_of).transpose()
    }
}

macro_rules! spdus {
    ($(
        $(#[$doc:meta])*
        $kind:ident($name:ident $(, $default:ident)?) {
            $( $(#[$fdoc:meta])* $field:ident: $ty:ty = $code:ident $conv:ident, )*
        } $(+ $info:ident)?
    )*) => {
        $(
            $(#[$doc])*
            $(#[derive($default)])?
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name<'a> {
                $( $(#[$fdoc])* pub $field: $ty, )*
                $(
                    /// The user information field: SS-user data after the parameter field,
                    /// running to the end of the TSDU (X.225 §8.2.5).
                    pub $info: &'a [u8],
                )?
                /// Undefined top-level units, kept verbatim and re-sent (X.225 §8.2.6).
                pub unknown: Unknown<'a>,
            }

            impl<'a> From<$name<'a>> for Spdu<'a> {
                fn from(s: $name<'a>) -> Self {
                    Spdu::$kind(s)
                }
            }

            impl $name<'_> {
                /// The top-level codes the fields write, in order.
                #[cfg(test)]
                pub(crate) const CODES: &'static [u8] = &[$(Code::$code.0),*];

                #[inline]
                fn emit(&self, out: &mut Out<'_>) -> Result<()> {
                    let u = &self.unknown;
                    $( Param::emit(&self.$field, Code::$code, out, u)?; )*
                    out.finish_unknown(u)
                }
            }
        )*

        /// One SPDU, borrowed from the TSDU it was decoded from (or from the caller's
        /// buffers): one variant per SPDU type of X.225 §8.3, named as [`Kind`] names them.
        ///
        /// SPDUs that share an SI are distinct variants: GT/DT, AB/AI and AA/AIA by their
        /// place in the TSDU, MAP/AE by the Sync Type Item, MAA/AEA by the
        /// [`crate::Context`] (X.225 §6.3.7).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Spdu<'a> {
            $( $(#[$doc])* $kind($name<'a>), )*
        }

        impl<'a> Spdu<'a> {
            /// The SPDU type.
            #[inline]
            pub fn kind(&self) -> Kind {
                match self {
                    $( Spdu::$kind(_) => Kind::$kind, )*
                }
            }

            /// The undefined top-level units, kept verbatim.
            pub fn unknown(&self) -> &Unknown<'a> {
                match self {
                    $( Spdu::$kind(s) => &s.unknown, )*
                }
            }

            /// Writes the parameter field.
            #[inline]
            pub(crate) fn emit_params(&self, out: &mut Out<'_>) -> Result<()> {
                match self {
                    $( Spdu::$kind(s) => s.emit(out), )*
                }
            }

            /// Writes into `slot` the SPDU of type `kind` made of the slots of `f`;
            /// `user_info` goes to DT, TD and EX. Fails with [`Error::MissingParameter`] for
            /// an absent mandatory parameter, the first in code order. Written in place:
            /// SPDUs are large values, and copying them dominated decoding time.
            #[inline]
            pub(crate) fn fill(
                slot: &mut Option<Self>,
                kind: Kind,
                f: &Fields<'a>,
                user_info: &'a [u8],
            ) -> Result<()> {
                let _ = user_info;
                match kind {
                    $(
                        Kind::$kind => {
                            *slot = Some(Spdu::$kind($name {
                                $( $field: conv::$conv(f.$field, kind, Code::$code)?, )*
                                $( $info: user_info, )?
                                unknown: f.unknown,
                            }));
                        }
                    )*
                }
                Ok(())
            }
        }

        #[cfg(test)]
        pub(crate) fn codes(kind: Kind) -> &'static [u8] {
            match kind {
                $( Kind::$kind => $name::CODES, )*
            }
        }
    };
}

spdus! {
    /// CONNECT (CN): the initiator's proposal (X.225 §8.3, CONNECT SPDU).
    Connect(Connect, Default) {
        /// PGI 1: calling SS-user reference, common and additional reference (no called
        /// reference in CN).
        connection_id: Option<ConnectionId<'a>> = CONNECTION_ID opt,
        /// PGI 5; absent: version 1, no extended concatenation, tokens at the initiator.
        connect_accept: Option<ConnectAccept<'a>> = CONNECT_ACCEPT opt,
        /// PI 20; absent means [`Requirements::DEFAULT`].
        requirements: Option<Requirements> = SESSION_REQUIREMENTS opt,
        /// PI 51, at most 16 octets.
        calling_ssel: Option<&'a [u8]> = CALLING_SSEL opt,
        /// PI 52, at most 16 octets; may be empty (ISODE).
        called_ssel: Option<&'a [u8]> = CALLED_SSEL opt,
        /// PI 60 (version 2 only): more connect data follows in CDOs.
        data_overflow: Option<DataOverflow> = DATA_OVERFLOW opt,
        /// PGI 193, at most 512 octets.
        user_data: Option<&'a [u8]> = USER_DATA opt,
        /// PGI 194 (version 2 only): 513 to 10 240 octets, instead of PGI 193.
        extended_user_data: Option<&'a [u8]> = EXTENDED_USER_DATA opt,
    }
    /// OVERFLOW ACCEPT (OA), version 2: the responder takes the rest of the connect data
    /// (X.225 §8.3, OVERFLOW ACCEPT SPDU).
    OverflowAccept(OverflowAccept) {
        /// PI 21.
        tsdu_max_size: Option<TsduMaxSize> = TSDU_MAX_SIZE opt,
        /// PI 22, mandatory: version 2 (the only version with overflow); any other value
        /// is refused on decoding and encoding.
        version: Version = VERSION req,
    }
    /// CONNECT DATA OVERFLOW (CDO), version 2: more connect data (X.225 §8.3, CONNECT DATA
    /// OVERFLOW SPDU).
    ConnectDataOverflow(ConnectDataOverflow) {
        /// PI 25, mandatory; never the beginning of the SSDU (the CN was).
        enclosure: Enclosure = ENCLOSURE req,
        /// PGI 193, at most 65 528 octets.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACCEPT (AC): the responder's selection (X.225 §8.3, ACCEPT SPDU).
    Accept(Accept, Default) {
        /// PGI 1: called SS-user reference, common and additional reference.
        connection_id: Option<ConnectionId<'a>> = CONNECTION_ID opt,
        /// PGI 5; absent: version 1, no extended concatenation.
        connect_accept: Option<ConnectAccept<'a>> = CONNECT_ACCEPT opt,
        /// PI 16: an AC with a Token Item counts as AC followed by PT (X.225 §7.4).
        token_item: Option<TokenItem> = TOKEN_ITEM opt,
        /// PI 20; absent means [`Requirements::DEFAULT`].
        requirements: Option<Requirements> = SESSION_REQUIREMENTS opt,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 51, at most 16 octets.
        calling_ssel: Option<&'a [u8]> = CALLING_SSEL opt,
        /// PI 52, the responding session selector, at most 16 octets.
        called_ssel: Option<&'a [u8]> = CALLED_SSEL opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// REFUSE (RF): its user data travels inside the Reason Code (X.225 §8.3, REFUSE SPDU).
    Refuse(Refuse, Default) {
        /// PGI 1: called SS-user reference, common and additional reference.
        connection_id: Option<ConnectionId<'a>> = CONNECTION_ID opt,
        /// PI 17; absent: release the transport connection.
        transport_disconnect: Option<TransportDisconnect> = TRANSPORT_DISCONNECT opt,
        /// PI 20, only with reason 2.
        requirements: Option<Requirements> = SESSION_REQUIREMENTS opt,
        /// PI 22.
        version: Option<Version> = VERSION opt,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 50: the reason octet, and user data after it with
        /// [`Reason::REFUSED_WITH_DATA`] only.
        reason: Option<Reason<'a>> = REASON opt,
    }
    /// FINISH (FN) (X.225 §8.3, FINISH SPDU).
    Finish(Finish, Default) {
        /// PI 17; absent: release the transport connection.
        transport_disconnect: Option<TransportDisconnect> = TRANSPORT_DISCONNECT opt,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// DISCONNECT (DN) (X.225 §8.3, DISCONNECT SPDU).
    Disconnect(Disconnect, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// NOT FINISHED (NF) (X.225 §8.3, NOT FINISHED SPDU).
    NotFinished(NotFinished, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ABORT (AB): SI 25 first in a TSDU (X.225 §8.3, ABORT SPDU).
    Abort(Abort) {
        /// PI 17, mandatory: release, and user abort, protocol error, no reason or
        /// implementation restriction.
        transport_disconnect: TransportDisconnect = TRANSPORT_DISCONNECT req,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 49, at most 9 octets, only with a protocol error (bit 3 of PI 17).
        reflect: Option<&'a [u8]> = REFLECT opt,
        /// PGI 193, only in a user abort (bit 2 of PI 17); at most 9 octets under version 1.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ABORT ACCEPT (AA): SI 26 first in a TSDU (X.225 §8.3, ABORT ACCEPT SPDU).
    AbortAccept(AbortAccept, Default) {}
    /// DATA TRANSFER (DT): SI 1 after a category 0 SPDU (X.225 §8.3, DATA TRANSFER SPDU).
    DataTransfer(DataTransfer, Default) {
        /// PI 25: where this segment sits in the SSDU; absent: a complete SSDU.
        enclosure: Option<Enclosure> = ENCLOSURE opt,
    } + user_info
    /// EXPEDITED (EX): at most 14 octets of user information (X.225 §8.3, EXPEDITED SPDU).
    Expedited(Expedited, Default) {} + user_info
    /// TYPED DATA (TD) (X.225 §8.3, TYPED DATA SPDU).
    TypedData(TypedData, Default) {
        /// PI 25.
        enclosure: Option<Enclosure> = ENCLOSURE opt,
    } + user_info
    /// CAPABILITY DATA (CD) (X.225 §8.3, CAPABILITY DATA SPDU).
    CapabilityData(CapabilityData, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// CAPABILITY DATA ACK (CDA) (X.225 §8.3, CAPABILITY DATA ACK SPDU).
    CapabilityDataAck(CapabilityDataAck, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// GIVE TOKENS (GT): SI 1 first in a TSDU (X.225 §8.3, GIVE TOKENS SPDU). Without a
    /// Token Item it is the category 0 SPDU in front of a category 2 one.
    GiveTokens(GiveTokens, Default) {
        /// PI 16: the tokens given.
        token_item: Option<TokenItem> = TOKEN_ITEM opt,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193 (version 2), only with a Token Item.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// PLEASE TOKENS (PT) (X.225 §8.3, PLEASE TOKENS SPDU).
    PleaseTokens(PleaseTokens, Default) {
        /// PI 16: the tokens asked for.
        token_item: Option<TokenItem> = TOKEN_ITEM opt,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193, only with a Token Item.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// GIVE TOKENS CONFIRM (GTC) (X.225 §8.3, GIVE TOKENS CONFIRM SPDU).
    GiveTokensConfirm(GiveTokensConfirm, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193 (version 2).
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// GIVE TOKENS ACK (GTA) (X.225 §8.3, GIVE TOKENS ACK SPDU).
    GiveTokensAck(GiveTokensAck, Default) {}
    /// MINOR SYNC POINT (MIP) (X.225 §8.3, MINOR SYNC POINT SPDU).
    MinorSyncPoint(MinorSyncPoint) {
        /// PI 15: bit 1 set: explicit confirmation not required.
        sync_type: Option<SyncType> = SYNC_TYPE opt,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 42, mandatory.
        serial: SerialNumber = SERIAL req,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// MINOR SYNC ACK (MIA) (X.225 §8.3, MINOR SYNC ACK SPDU).
    MinorSyncAck(MinorSyncAck) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 42, mandatory.
        serial: SerialNumber = SERIAL req,
        /// PI 46 (X.225 Table 29); PGI 193 is accepted on receipt, PI 46 is sent.
        user_data: Option<&'a [u8]> = MIA_USER_DATA opt,
    }
    /// MAJOR SYNC POINT (MAP): SI 41 with Sync Type bit 1 set (X.225 §8.3, MAJOR SYNC POINT
    /// SPDU).
    MajorSyncPoint(MajorSyncPoint) {
        /// PI 15, mandatory, with bit 1 set.
        sync_type: MajorSyncType = SYNC_TYPE map_sync,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 42, mandatory.
        serial: SerialNumber = SERIAL req,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// MAJOR SYNC ACK (MAA): SI 42 when [`crate::Si42::MajorSyncAck`] is expected (X.225
    /// §8.3, MAJOR SYNC ACK SPDU).
    MajorSyncAck(MajorSyncAck) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 42; this or PI 54 must be present.
        serial: Option<SerialNumber> = SERIAL opt,
        /// PI 54 (symmetric synchronize).
        second_serial: Option<SerialNumber> = SECOND_SERIAL opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// RESYNCHRONIZE (RS) (X.225 §8.3, RESYNCHRONIZE SPDU).
    Resynchronize(Resynchronize, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 26: where each token goes.
        token_setting: Option<TokenSetting> = TOKEN_SETTING opt,
        /// PI 27.
        resync_type: Option<ResyncType> = RESYNC_TYPE opt,
        /// PI 42; this or PI 54 must be present.
        serial: Option<SerialNumber> = SERIAL opt,
        /// PI 53 (symmetric synchronize).
        second_resync_type: Option<ResyncType> = SECOND_RESYNC_TYPE opt,
        /// PI 54 (symmetric synchronize).
        second_serial: Option<SerialNumber> = SECOND_SERIAL opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// RESYNCHRONIZE ACK (RA) (X.225 §8.3, RESYNCHRONIZE ACK SPDU).
    ResynchronizeAck(ResynchronizeAck, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 26: where each token goes.
        token_setting: Option<TokenSetting> = TOKEN_SETTING opt,
        /// PI 27.
        resync_type: Option<ResyncType> = RESYNC_TYPE opt,
        /// PI 42; this or PI 54 must be present.
        serial: Option<SerialNumber> = SERIAL opt,
        /// PI 53 (symmetric synchronize).
        second_resync_type: Option<ResyncType> = SECOND_RESYNC_TYPE opt,
        /// PI 54 (symmetric synchronize).
        second_serial: Option<SerialNumber> = SECOND_SERIAL opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// PREPARE (PR), on the transport expedited flow (X.225 §8.3, PREPARE SPDU).
    Prepare(Prepare) {
        /// PI 24, mandatory: the SPDU it announces.
        prepare_type: PrepareType = PREPARE_TYPE req,
        /// PI 27.
        resync_type: Option<ResyncType> = RESYNC_TYPE opt,
        /// PI 53.
        second_resync_type: Option<ResyncType> = SECOND_RESYNC_TYPE opt,
    }
    /// EXCEPTION REPORT (ER) (X.225 §8.3, EXCEPTION REPORT SPDU).
    ExceptionReport(ExceptionReport) {
        /// PI 49, mandatory, at least one octet: the octets of the faulty SPDU.
        reflect: &'a [u8] = REFLECT req,
    }
    /// EXCEPTION DATA (ED) (X.225 §8.3, EXCEPTION DATA SPDU).
    ExceptionData(ExceptionData) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 50, mandatory, one octet: [`Reason::exception_text`].
        reason: u8 = REASON octet,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY START (AS) (X.225 §8.3, ACTIVITY START SPDU).
    ActivityStart(ActivityStart) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 41, mandatory: the activity identifier, 1 to 6 octets.
        activity_id: &'a [u8] = ACTIVITY_ID req,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY RESUME (AR) (X.225 §8.3, ACTIVITY RESUME SPDU).
    ActivityResume(ActivityResume) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 33, mandatory: the interrupted activity and where to resume it.
        linking: Linking<'a> = LINKING req,
        /// PI 41, mandatory: the new activity identifier, 1 to 6 octets.
        activity_id: &'a [u8] = ACTIVITY_ID req,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY INTERRUPT (AI): SI 25 after a category 0 SPDU (X.225 §8.3, ACTIVITY
    /// INTERRUPT SPDU).
    ActivityInterrupt(ActivityInterrupt, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 50, one octet: [`Reason::exception_text`].
        reason: Option<u8> = REASON opt_octet,
        /// PGI 193 (version 2).
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY INTERRUPT ACK (AIA): SI 26 after a category 0 SPDU (X.225 §8.3, ACTIVITY
    /// INTERRUPT ACK SPDU).
    ActivityInterruptAck(ActivityInterruptAck, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193 (version 2).
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY DISCARD (AD) (X.225 §8.3, ACTIVITY DISCARD SPDU).
    ActivityDiscard(ActivityDiscard, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 50, one octet: [`Reason::exception_text`].
        reason: Option<u8> = REASON opt_octet,
        /// PGI 193 (version 2).
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY DISCARD ACK (ADA) (X.225 §8.3, ACTIVITY DISCARD ACK SPDU).
    ActivityDiscardAck(ActivityDiscardAck, Default) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PGI 193 (version 2).
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY END (AE): SI 41 without Sync Type bit 1 (X.225 §8.3, ACTIVITY END SPDU).
    ActivityEnd(ActivityEnd) {
        /// PI 15, bit 1 clear when present.
        sync_type: Option<ActivityEndSyncType> = SYNC_TYPE ae_sync,
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 42, mandatory.
        serial: SerialNumber = SERIAL req,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
    /// ACTIVITY END ACK (AEA): SI 42 when [`crate::Si42::ActivityEndAck`] is expected
    /// (X.225 §8.3, ACTIVITY END ACK SPDU).
    ActivityEndAck(ActivityEndAck) {
        /// PI 25 (version 2).
        enclosure: Option<Enclosure> = ENCLOSURE opt,
        /// PI 42; this or PI 54 must be present.
        serial: Option<SerialNumber> = SERIAL opt,
        /// PI 54 (symmetric synchronize).
        second_serial: Option<SerialNumber> = SECOND_SERIAL opt,
        /// PGI 193.
        user_data: Option<&'a [u8]> = USER_DATA opt,
    }
}
