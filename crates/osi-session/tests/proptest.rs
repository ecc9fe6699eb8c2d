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

/// A valid SPDU of kind `raw.kind` from the generated material.
fn build<'a>(raw: &'a Raw, unknown: &'a [u8]) -> Spdu<'a> {
    let kind = Kind::ALL[raw.kind];
    let allowed = |code: Code, bit: u32| (raw.present >> bit) & 1 == 1 && kind_allows(kind, code.0);
    let s = &raw.small;
    let b = &raw.blobs;
    let unk = Unknown::from_units(unknown).unwrap();
    let group_unk = if raw.unknown_in_groups {
        unk
    } else {
        Unknown::NONE
    };
    let mut p = Params::NONE;
    if allowed(Code::CONNECTION_ID, 0) {
        let mut id = ConnectionId {
            unknown: group_unk,
            ..ConnectionId::default()
        };
        if kind == Kind::Connect {
            id.calling_ref = allowed(Code::CONNECTION_ID, 20).then_some(cut(&b[0], 64));
        } else {
            id.called_ref = allowed(Code::CONNECTION_ID, 20).then_some(cut(&b[0], 64));
        }
        id.common_ref = allowed(Code::CONNECTION_ID, 21).then_some(cut(&b[1], 64));
        id.additional_ref = allowed(Code::CONNECTION_ID, 22).then_some(cut(&b[2], 4));
        p.connection_id = Some(id);
    }
    if allowed(Code::CONNECT_ACCEPT, 1)
        || (kind == Kind::Connect && allowed(Code::DATA_OVERFLOW, 17))
    {
        p.connect_accept = Some(ConnectAccept {
            protocol_options: ProtocolOptions(s[0]),
            tsdu_max_size: allowed(Code::CONNECT_ACCEPT, 23).then_some(TsduMaxSize {
                initiator_to_responder: raw.tsdu.0,
                responder_to_initiator: raw.tsdu.1,
            }),
            // Version 2 is always among them: the version 1 rules have their own tests.
            version: Version(s[1] | Version::V2),
            initial_serial: allowed(Code::CONNECT_ACCEPT, 24).then(|| serial(raw, 0, 6)),
            token_setting: allowed(Code::CONNECT_ACCEPT, 25).then_some(TokenSetting(s[2])),
            second_initial_serial: allowed(Code::CONNECT_ACCEPT, 26).then(|| serial(raw, 1, 6)),
            upper_limit_serial: allowed(Code::CONNECT_ACCEPT, 27).then_some(s[3]),
            large_initial_serial: allowed(Code::CONNECT_ACCEPT, 28).then(|| serial(raw, 2, 19)),
            large_second_initial_serial: allowed(Code::CONNECT_ACCEPT, 29)
                .then(|| serial(raw, 3, 19)),
            unknown: group_unk,
        });
    }
    p.sync_type = match kind {
        Kind::MajorSyncPoint => Some(SyncType(s[4] | 1)),
        Kind::ActivityEnd => allowed(Code::SYNC_TYPE, 2).then_some(SyncType(s[4] & !1)),
        _ => allowed(Code::SYNC_TYPE, 2).then_some(SyncType(s[4])),
    };
    p.token_item = allowed(Code::TOKEN_ITEM, 3).then_some(TokenItem(s[5]));
    p.transport_disconnect = (allowed(Code::TRANSPORT_DISCONNECT, 4) || kind == Kind::Abort)
        .then_some(TransportDisconnect(s[6]));
    p.requirements =
        allowed(Code::SESSION_REQUIREMENTS, 5).then_some(Requirements(raw.requirements));
    p.tsdu_max_size = allowed(Code::TSDU_MAX_SIZE, 6).then_some(TsduMaxSize {
        initiator_to_responder: raw.tsdu.1,
        responder_to_initiator: raw.tsdu.0,
    });
    p.version = match kind {
        Kind::OverflowAccept => Some(Version(Version::V2)),
        _ => allowed(Code::VERSION, 7).then_some(Version(s[7] | Version::V2)),
    };
    p.prepare_type = (kind == Kind::Prepare).then_some(match s[8] % 4 {
        0 => PrepareType::MajorSyncAck,
        1 => PrepareType::Resync,
        2 => PrepareType::ResyncAck,
        _ => PrepareType::Abort,
    });
    let enclosure = if kind == Kind::ConnectDataOverflow {
        s[9] & !1
    } else {
        s[9]
    };
    p.enclosure = (allowed(Code::ENCLOSURE, 8) || kind == Kind::ConnectDataOverflow)
        .then_some(Enclosure(enclosure));
    p.token_setting = allowed(Code::TOKEN_SETTING, 9).then_some(TokenSetting(s[10]));
    let resync = |x: u8| match x % 3 {
        0 => ResyncType::Restart,
        1 => ResyncType::Abandon,
        _ => ResyncType::Set,
    };
    p.resync_type = allowed(Code::RESYNC_TYPE, 10).then_some(resync(s[11]));
    p.second_resync_type = allowed(Code::SECOND_RESYNC_TYPE, 11).then_some(resync(s[11] / 3));
    if kind == Kind::ActivityResume {
        p.linking = Some(Linking {
            called_ref: allowed(Code::LINKING, 20).then_some(cut(&b[0], 64)),
            calling_ref: allowed(Code::LINKING, 21).then_some(cut(&b[1], 64)),
            common_ref: allowed(Code::LINKING, 22).then_some(cut(&b[2], 64)),
            additional_ref: allowed(Code::LINKING, 23).then_some(cut(&b[3], 4)),
            old_activity_id: if b[4].is_empty() { b"1" } else { cut(&b[4], 6) },
            serial: serial(raw, 4, 6),
            second_serial: allowed(Code::LINKING, 24).then(|| serial(raw, 5, 6)),
            unknown: group_unk,
        });
    }
    if matches!(kind, Kind::ActivityStart | Kind::ActivityResume) {
        p.activity_id = Some(if b[5].is_empty() { b"7" } else { cut(&b[5], 6) });
    }
    let needs_serial = matches!(
        kind,
        Kind::MinorSyncPoint
            | Kind::MinorSyncAck
            | Kind::MajorSyncPoint
            | Kind::ActivityEnd
            | Kind::MajorSyncAck
            | Kind::ActivityEndAck
            | Kind::Resynchronize
            | Kind::ResynchronizeAck
    );
    p.serial = (allowed(Code::SERIAL, 12) || needs_serial).then(|| serial(raw, 6, 12));
    p.second_serial = allowed(Code::SECOND_SERIAL, 13).then(|| serial(raw, 5, 12));
    p.reflect = match kind {
        Kind::ExceptionReport => Some(if b[6].is_empty() {
            &[0x01][..]
        } else {
            &b[6][..]
        }),
        Kind::Abort => allowed(Code::REFLECT, 14).then_some(cut(&b[6], 9)),
        _ => None,
    };
    p.reason = (allowed(Code::REASON, 15) || kind == Kind::ExceptionData).then(|| match kind {
        Kind::Refuse if s[0] & 1 == 0 => Reason {
            code: Reason::REFUSED_WITH_DATA,
            data: cut(&b[11], 512),
        },
        _ => Reason {
            code: s[3],
            data: &[],
        },
    });
    p.calling_ssel = allowed(Code::CALLING_SSEL, 16).then_some(cut(&b[7], 16));
    p.called_ssel = allowed(Code::CALLED_SSEL, 18).then_some(cut(&b[8], 16));
    p.data_overflow =
        (kind == Kind::Connect && allowed(Code::DATA_OVERFLOW, 17)).then_some(DataOverflow(s[2]));
    if kind == Kind::Connect && p.data_overflow.is_some() {
        p.connect_accept = p.connect_accept.map(|c| ConnectAccept {
            version: Version(Version::V2),
            ..c
        });
    }
    let user_data_code = if kind == Kind::MinorSyncAck {
        Code::MIA_USER_DATA
    } else {
        Code::USER_DATA
    };
    p.user_data = allowed(user_data_code, 19).then_some(cut(&b[11], 512));
    if kind == Kind::Abort {
        // User data only in a user abort, reflected octets only with a protocol error.
        let mut td = p.transport_disconnect.unwrap_or_default().0;
        if p.user_data.is_some() {
            td |= TransportDisconnect::USER_ABORT;
        }
        if p.reflect.is_some() {
            td |= TransportDisconnect::PROTOCOL_ERROR;
        }
        p.transport_disconnect = Some(TransportDisconnect(td));
    }
    if kind == Kind::Refuse && p.reason.is_none_or(|r| r.code != Reason::REFUSED_WITH_DATA) {
        p.requirements = None;
    }
    if matches!(kind, Kind::GiveTokens | Kind::PleaseTokens)
        && p.user_data.is_some()
        && p.token_item.is_none()
    {
        p.token_item = Some(TokenItem(TokenItem::DATA));
    }
    p.unknown = unk;
    let user_info: &[u8] = match kind {
        Kind::Expedited => cut(&raw.user_info, MAX_EXPEDITED_DATA),
        k if k.has_user_info() => &raw.user_info,
        _ => &[],
    };
    Spdu {
        kind,
        params: p,
        user_info,
    }
}

/// Whether `kind` may carry `code` at the top level, found by trying to encode it.
fn kind_allows(kind: Kind, code: u8) -> bool {
    // The table is private to the crate; an SPDU with just that unit answers the question.
    let mut bytes = vec![kind.si(), 0];
    let value: &[u8] = match code {
        1 | 5 | 33 => &[],
        20 => &[0, 2],
        21 => &[0, 0, 0, 0],
        193 | 194 | 49 | 41 | 51 | 52 => &[0x31],
        _ => &[0x31],
    };
    bytes.extend([code, u8::try_from(value.len()).unwrap()]);
    bytes.extend(value);
    bytes[1] = u8::try_from(bytes.len() - 2).unwrap();
    let first = kind.category() != Category::Two;
    !matches!(
        Spdu::decode(&bytes, first, &ctx_for(kind)),
        Err(Error::UnexpectedParameter { .. })
    )
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
    use Kind::*;
    match kind {
        MinorSyncAck | MajorSyncAck | ActivityEndAck | ResynchronizeAck | ActivityDiscardAck
        | ActivityInterruptAck | CapabilityDataAck | ExceptionReport | ExceptionData => {
            Some(Spdu::new(PleaseTokens))
        }
        k if k.category() == Category::Two => Some(Spdu::new(GiveTokens)),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_spdu_round_trips(raw in raw()) {
        let unknown = unknown_units(&raw);
        let spdu = build(&raw, &unknown);
        prop_assert_eq!(spdu.check(None), Ok(()), "{:?}", spdu);
        let len = spdu.encoded_len().unwrap();
        let mut buf = vec![0xa5; len + 3];
        prop_assert_eq!(spdu.encode(&mut buf), Ok(len));
        prop_assert_eq!(&buf[len..], &[0xa5; 3], "wrote past encoded_len");
        buf.truncate(len);
        let ctx = ctx_for(spdu.kind);
        let first = spdu.kind.category() != Category::Two;
        let (decoded, used) = Spdu::decode(&buf, first, &ctx).unwrap();
        prop_assert_eq!(used, len);
        prop_assert_eq!(decoded, spdu);

        // In a TSDU, behind a GT/PT where the category asks for one.
        let spdus: Vec<Spdu<'_>> = front(spdu.kind).into_iter().chain([spdu]).collect();
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
        bytes.extend(spdu.user_info);
        let first = spdu.kind.category() != Category::Two;
        let (decoded, _) = Spdu::decode(&bytes, first, &ctx_for(spdu.kind)).unwrap();
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
        let spdus: Vec<Spdu<'_>> = front(spdu.kind).into_iter().chain([spdu]).collect();
        let mut tsdu = tsdu_bytes(&Tsdu::from_spdus(&spdus).unwrap(), false);
        for (at, v) in flips {
            let i = at.index(tsdu.len());
            tsdu[i] = v;
        }
        let ctx = ctx_for(spdu.kind);
        if let Ok(t) = Tsdu::decode(&tsdu, ctx) {
            let out = tsdu_bytes(&t, false);
            prop_assert_eq!(Tsdu::decode(&out, ctx), Ok(t));
        }
    }
}
