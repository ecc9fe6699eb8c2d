//! Property tests: every SPDU type, with generated parameters, survives encode then decode
//! (alone or behind the GT/PT that concatenation asks for); any parameter order and either
//! length form decode to the same value; and no input makes the decoder panic.

// A panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use osi_session::code::Code;
use osi_session::*;
use proptest::prelude::*;

/// Owned material for one SPDU; [`build`] borrows from it.
#[derive(Debug, Clone)]
struct Raw {
    kind: usize,
    present: u32,
    small: [u8; 12],
    requirements: u16,
    tsdu: (u16, u16),
    serials: [(u64, usize); 7],
    blobs: [Vec<u8>; 12],
    user_info: Vec<u8>,
    unknown: Vec<(u8, Vec<u8>)>,
    unknown_in_groups: bool,
}

fn raw() -> impl Strategy<Value = Raw> {
    let blob = || prop::collection::vec(any::<u8>(), 0..20);
    (
        (
            0..Kind::ALL.len(),
            any::<u32>(),
            any::<[u8; 12]>(),
            any::<u16>(),
            any::<(u16, u16)>(),
        ),
        prop::array::uniform7((0u64..2_000_000, 0usize..3)),
        [
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
            blob(),
        ],
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(any::<u8>(), 0..300),
        prop::collection::vec(
            (any::<u8>(), prop::collection::vec(any::<u8>(), 0..6)),
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(
            |(
                (kind, present, small, requirements, tsdu),
                serials,
                blobs,
                user_data,
                user_info,
                unknown,
                ug,
            )| {
                let mut blobs = blobs;
                // One long blob, so the three-octet length form is exercised too.
                blobs[11] = user_data;
                Raw {
                    kind,
                    present,
                    small,
                    requirements,
                    tsdu,
                    serials,
                    blobs,
                    user_info,
                    unknown,
                    unknown_in_groups: ug,
                }
            },
        )
}

fn tsdu_bytes(t: &Tsdu<'_>, extended: bool) -> Vec<u8> {
    let mut out = vec![0; t.encoded_len().unwrap()];
    assert_eq!(t.encode(extended, &mut out), Ok(out.len()));
    out
}

fn unknown_units(raw: &Raw) -> Vec<u8> {
    let mut out = Vec::new();
    for (code, v) in &raw.unknown {
        if !Code(*code).is_defined() {
            out.extend([*code, u8::try_from(v.len()).unwrap()]);
            out.extend(v);
        }
    }
    out
}

fn serial(raw: &Raw, i: usize, max_digits: usize) -> SerialNumber {
    let (v, pad) = raw.serials[i];
    let v = v % 10u64.pow(u32::try_from(max_digits).unwrap());
    let digits = (SerialNumber::new(v).digits() + pad).min(max_digits);
    SerialNumber::with_digits(v, digits).unwrap()
}

fn cut(b: &[u8], max: usize) -> &[u8] {
    &b[..b.len().min(max)]
}

/// A valid SPDU of kind `raw.kind` from the generated material: each bit of `raw.present`
/// says whether one optional parameter is there.
fn build<'a>(raw: &'a Raw, unknown: &'a [u8]) -> Spdu<'a> {
    let kind = Kind::ALL[raw.kind];
    let on = |bit: u32| (raw.present >> bit) & 1 == 1;
    let s = &raw.small;
    let b = &raw.blobs;
    let unknown = Unknown::from_units(unknown).unwrap();
    let group_unk = if raw.unknown_in_groups {
        unknown
    } else {
        Unknown::NONE
    };
    let connection_id = |calling: bool| {
        on(0).then(|| {
            let r = on(20).then_some(cut(&b[0], 64));
            ConnectionId {
                called_ref: r.filter(|_| !calling),
                calling_ref: r.filter(|_| calling),
                common_ref: on(21).then_some(cut(&b[1], 64)),
                additional_ref: on(22).then_some(cut(&b[2], 4)),
                unknown: group_unk,
            }
        })
    };
    // Version 2 is always among them: the version 1 rules have their own tests.
    let connect_accept = |version: Version| ConnectAccept {
        protocol_options: ProtocolOptions(s[0]),
        tsdu_max_size: on(23).then_some(TsduMaxSize {
            initiator_to_responder: raw.tsdu.0,
            responder_to_initiator: raw.tsdu.1,
        }),
        version,
        initial_serial: on(24).then(|| serial(raw, 0, 6)),
        token_setting: on(25).then_some(TokenSetting(s[2])),
        second_initial_serial: on(26).then(|| serial(raw, 1, 6)),
        upper_limit_serial: on(27).then_some(s[3]),
        large_initial_serial: on(28).then(|| serial(raw, 2, 19)),
        large_second_initial_serial: on(29).then(|| serial(raw, 3, 19)),
        unknown: group_unk,
    };
    let v2 = Version(s[1] | Version::V2);
    let token_item = on(3).then_some(TokenItem(s[5]));
    let transport_disconnect = on(4).then_some(TransportDisconnect(s[6]));
    let requirements = on(5).then_some(Requirements(raw.requirements));
    let enclosure = on(8).then_some(Enclosure(s[9]));
    let token_setting = on(9).then_some(TokenSetting(s[10]));
    let resync = |x: u8| match x % 3 {
        0 => ResyncType::Restart,
        1 => ResyncType::Abandon,
        _ => ResyncType::Set,
    };
    let resync_type = on(10).then_some(resync(s[11]));
    let second_resync_type = on(11).then_some(resync(s[11] / 3));
    let activity_id = if b[5].is_empty() { b"7" } else { cut(&b[5], 6) };
    let sn = serial(raw, 6, 12);
    let second_serial = on(13).then(|| serial(raw, 5, 12));
    let reason = on(15).then_some(s[3]);
    let calling_ssel = on(16).then_some(cut(&b[7], 16));
    let called_ssel = on(18).then_some(cut(&b[8], 16));
    let user_data = on(19).then_some(cut(&b[11], 512));
    let user_info = &raw.user_info[..];
    // X.225 §8.3, GIVE TOKENS and PLEASE TOKENS SPDUs: user data only with a Token Item.
    let tokens_for_data = token_item.or(user_data.map(|_| TokenItem(TokenItem::DATA)));
    match kind {
        Kind::Connect => {
            let data_overflow = on(17).then_some(DataOverflow(s[2]));
            // Data Overflow needs a CN proposing version 2 alone.
            let ca = match data_overflow {
                Some(_) => Some(connect_accept(Version(Version::V2))),
                None => on(1).then(|| connect_accept(v2)),
            };
            Connect {
                connection_id: connection_id(true),
                connect_accept: ca,
                requirements,
                calling_ssel,
                called_ssel,
                data_overflow,
                user_data,
                extended_user_data: None,
                unknown,
            }
            .into()
        }
        Kind::OverflowAccept => OverflowAccept {
            tsdu_max_size: on(6).then_some(TsduMaxSize {
                initiator_to_responder: raw.tsdu.1,
                responder_to_initiator: raw.tsdu.0,
            }),
            version: Version(Version::V2),
            unknown,
        }
        .into(),
        // Never the beginning of the SSDU.
        Kind::ConnectDataOverflow => ConnectDataOverflow {
            enclosure: Enclosure(s[9] & !1),
            user_data,
            unknown,
        }
        .into(),
        Kind::Accept => Accept {
            connection_id: connection_id(false),
            connect_accept: on(1).then(|| connect_accept(v2)),
            token_item,
            requirements,
            enclosure,
            calling_ssel,
            called_ssel,
            user_data,
            unknown,
        }
        .into(),
        Kind::Refuse => {
            let reason = reason.map(|code| {
                if s[0] & 1 == 0 {
                    Reason {
                        code: Reason::REFUSED_WITH_DATA,
                        data: cut(&b[11], 512),
                    }
                } else {
                    Reason { code, data: &[] }
                }
            });
            Refuse {
                connection_id: connection_id(false),
                transport_disconnect,
                // Only with reason 2.
                requirements: requirements
                    .filter(|_| reason.is_some_and(|r| r.code == Reason::REFUSED_WITH_DATA)),
                version: on(7).then_some(Version(s[7] | Version::V2)),
                enclosure,
                reason,
                unknown,
            }
            .into()
        }
        Kind::Finish => Finish {
            transport_disconnect,
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::Disconnect => Disconnect {
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::NotFinished => NotFinished {
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::Abort => {
            let reflect = on(14).then_some(cut(&b[6], 9));
            // User data only in a user abort, reflected octets only with a protocol error.
            let mut td = s[6];
            if user_data.is_some() {
                td |= TransportDisconnect::USER_ABORT;
            }
            if reflect.is_some() {
                td |= TransportDisconnect::PROTOCOL_ERROR;
            }
            Abort {
                transport_disconnect: TransportDisconnect(td),
                enclosure,
                reflect,
                user_data,
                unknown,
            }
            .into()
        }
        Kind::AbortAccept => AbortAccept { unknown }.into(),
        Kind::DataTransfer => DataTransfer {
            enclosure,
            user_info,
            unknown,
        }
        .into(),
        Kind::Expedited => Expedited {
            user_info: cut(user_info, MAX_EXPEDITED_DATA),
            unknown,
        }
        .into(),
        Kind::TypedData => TypedData {
            enclosure,
            user_info,
            unknown,
        }
        .into(),
        Kind::CapabilityData => CapabilityData {
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::CapabilityDataAck => CapabilityDataAck {
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::GiveTokens => GiveTokens {
            token_item: tokens_for_data,
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::PleaseTokens => PleaseTokens {
            token_item: tokens_for_data,
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::GiveTokensConfirm => GiveTokensConfirm {
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::GiveTokensAck => GiveTokensAck { unknown }.into(),
        Kind::MinorSyncPoint => MinorSyncPoint {
            sync_type: on(2).then_some(SyncType(s[4])),
            enclosure,
            serial: sn,
            user_data,
            unknown,
        }
        .into(),
        Kind::MinorSyncAck => MinorSyncAck {
            enclosure,
            serial: sn,
            user_data,
            unknown,
        }
        .into(),
        Kind::MajorSyncPoint => MajorSyncPoint {
            sync_type: MajorSyncType::try_from(SyncType(s[4] | 1)).unwrap(),
            enclosure,
            serial: sn,
            user_data,
            unknown,
        }
        .into(),
        Kind::MajorSyncAck => MajorSyncAck {
            enclosure,
            serial: Some(sn),
            second_serial,
            user_data,
            unknown,
        }
        .into(),
        Kind::Resynchronize => Resynchronize {
            enclosure,
            token_setting,
            resync_type,
            serial: Some(sn),
            second_resync_type,
            second_serial,
            user_data,
            unknown,
        }
        .into(),
        Kind::ResynchronizeAck => ResynchronizeAck {
            enclosure,
            token_setting,
            resync_type,
            serial: Some(sn),
            second_resync_type,
            second_serial,
            user_data,
            unknown,
        }
        .into(),
        Kind::Prepare => Prepare {
            prepare_type: match s[8] % 4 {
                0 => PrepareType::MajorSyncAck,
                1 => PrepareType::Resync,
                2 => PrepareType::ResyncAck,
                _ => PrepareType::Abort,
            },
            resync_type,
            second_resync_type,
            unknown,
        }
        .into(),
        Kind::ExceptionReport => ExceptionReport {
            reflect: if b[6].is_empty() { &[0x01] } else { &b[6] },
            unknown,
        }
        .into(),
        Kind::ExceptionData => ExceptionData {
            enclosure,
            reason: s[3],
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityStart => ActivityStart {
            enclosure,
            activity_id,
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityResume => ActivityResume {
            enclosure,
            linking: Linking {
                called_ref: on(20).then_some(cut(&b[0], 64)),
                calling_ref: on(21).then_some(cut(&b[1], 64)),
                common_ref: on(22).then_some(cut(&b[2], 64)),
                additional_ref: on(23).then_some(cut(&b[3], 4)),
                old_activity_id: if b[4].is_empty() { b"1" } else { cut(&b[4], 6) },
                serial: serial(raw, 4, 6),
                second_serial: on(24).then(|| serial(raw, 5, 6)),
                unknown: group_unk,
            },
            activity_id,
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityInterrupt => ActivityInterrupt {
            enclosure,
            reason,
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityInterruptAck => ActivityInterruptAck {
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityDiscard => ActivityDiscard {
            enclosure,
            reason,
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityDiscardAck => ActivityDiscardAck {
            enclosure,
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityEnd => ActivityEnd {
            sync_type: on(2).then(|| ActivityEndSyncType::try_from(SyncType(s[4] & !1)).unwrap()),
            enclosure,
            serial: sn,
            user_data,
            unknown,
        }
        .into(),
        Kind::ActivityEndAck => ActivityEndAck {
            enclosure,
            serial: Some(sn),
            second_serial,
            user_data,
            unknown,
        }
        .into(),
        k => panic!("no struct for {k}"),
    }
}

/// The user information field of DT, TD and EX.
fn user_info<'a>(s: &Spdu<'a>) -> &'a [u8] {
    match *s {
        Spdu::DataTransfer(DataTransfer { user_info, .. })
        | Spdu::TypedData(TypedData { user_info, .. })
        | Spdu::Expedited(Expedited { user_info, .. }) => user_info,
        _ => &[],
    }
}

fn ctx_for(kind: Kind) -> Context {
    Context::new(if kind == Kind::ActivityEndAck {
        Si42::ActivityEndAck
    } else {
        Si42::MajorSyncAck
    })
}

/// The GT or PT a category 2 SPDU travels behind (X.225 Table 7).
fn front(kind: Kind) -> Option<Spdu<'static>> {
    match kind {
        Kind::MinorSyncAck
        | Kind::MajorSyncAck
        | Kind::ActivityEndAck
        | Kind::ResynchronizeAck
        | Kind::ActivityDiscardAck
        | Kind::ActivityInterruptAck
        | Kind::CapabilityDataAck
        | Kind::ExceptionReport
        | Kind::ExceptionData => Some(PleaseTokens::default().into()),
        k if k.category() == Category::Two => Some(GiveTokens::default().into()),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_spdu_round_trips(raw in raw()) {
        let unknown = unknown_units(&raw);
        let spdu = build(&raw, &unknown);
        let len = spdu.encoded_len().unwrap();
        let mut buf = vec![0xa5; len + 3];
        // Encoding checks everything the decoder checks: the value is valid.
        prop_assert_eq!(spdu.encode(&mut buf), Ok(len), "{:?}", spdu);
        prop_assert_eq!(&buf[len..], &[0xa5; 3], "wrote past encoded_len");
        buf.truncate(len);
        let ctx = ctx_for(spdu.kind());
        let first = spdu.kind().category() != Category::Two;
        let (decoded, used) = Spdu::decode(&buf, first, &ctx).unwrap();
        prop_assert_eq!(used, len);
        prop_assert_eq!(decoded, spdu);

        // In a TSDU, behind a GT/PT where the category asks for one.
        let spdus: Vec<Spdu<'_>> = front(spdu.kind()).into_iter().chain([spdu]).collect();
        let tsdu = tsdu_bytes(&Tsdu::from_spdus(&spdus).unwrap(), false);
        let back = Tsdu::decode(&tsdu, ctx).unwrap();
        prop_assert!(back.iter().eq(spdus.iter()));
    }

    #[test]
    fn any_order_and_long_lengths_decode_the_same(raw in raw(), seed in any::<u64>(), long in any::<u32>()) {
        let unknown = unknown_units(&raw);
        let spdu = build(&raw, &unknown);
        let mut canonical = vec![0; spdu.encoded_len().unwrap()];
        spdu.encode(&mut canonical).unwrap();
        // Take the top-level units apart, shuffle them and write every length in the
        // three-octet form when the matching bit of `long` says so.
        let (li, used) = match canonical[1] { 0xff => (usize::from(u16::from_be_bytes([canonical[2], canonical[3]])), 3), n => (usize::from(n), 1) };
        let field = &canonical[1 + used..1 + used + li];
        let mut units: Vec<Unit<'_>> = Units::new(field).map(Result::unwrap).collect();
        let mut state = seed;
        for i in (1..units.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            units.swap(i, usize::try_from(state >> 33).unwrap() % (i + 1));
        }
        let mut shuffled_field = Vec::new();
        for (i, u) in units.iter().enumerate() {
            shuffled_field.push(u.code.0);
            if (long >> (i % 32)) & 1 == 1 {
                shuffled_field.push(0xff);
                shuffled_field.extend(u16::try_from(u.value.len()).unwrap().to_be_bytes());
            } else {
                shuffled_field.push(u8::try_from(u.value.len()).unwrap_or(0xff));
                if u.value.len() >= 255 { shuffled_field.extend(u16::try_from(u.value.len()).unwrap().to_be_bytes()); }
            }
            shuffled_field.extend(u.value);
        }
        let mut bytes = vec![canonical[0], 0xff];
        bytes.extend(u16::try_from(shuffled_field.len()).unwrap().to_be_bytes());
        bytes.extend(&shuffled_field);
        bytes.extend(user_info(&spdu));
        let first = spdu.kind().category() != Category::Two;
        let (decoded, _) = Spdu::decode(&bytes, first, &ctx_for(spdu.kind())).unwrap();
        prop_assert_eq!(decoded, spdu);
    }

    #[test]
    fn arbitrary_tsdus_never_panic_and_round_trip_by_value(
        data in prop::collection::vec(any::<u8>(), 0..64),
        si42 in any::<bool>(), extended in any::<bool>(),
    ) {
        let ctx = Context {
            version: None,
            si42: if si42 { Si42::MajorSyncAck } else { Si42::ActivityEndAck },
            extended_concatenation: extended,
        };
        if let Ok(t) = Tsdu::decode(&data, ctx) {
            let out = tsdu_bytes(&t, extended);
            prop_assert_eq!(Tsdu::decode(&out, ctx), Ok(t));
        }
    }

    /// Mutations of a valid TSDU reach deeper than random bytes.
    #[test]
    fn mutated_tsdus_never_panic(raw in raw(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let unknown = unknown_units(&raw);
        let spdu = build(&raw, &unknown);
        let spdus: Vec<Spdu<'_>> = front(spdu.kind()).into_iter().chain([spdu]).collect();
        let mut tsdu = tsdu_bytes(&Tsdu::from_spdus(&spdus).unwrap(), false);
        for (at, v) in flips {
            let i = at.index(tsdu.len());
            tsdu[i] = v;
        }
        let ctx = ctx_for(spdu.kind());
        if let Ok(t) = Tsdu::decode(&tsdu, ctx) {
            let out = tsdu_bytes(&t, false);
            prop_assert_eq!(Tsdu::decode(&out, ctx), Ok(t));
        }
    }
}
