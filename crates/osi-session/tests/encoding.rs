//! SPDUs built from the X.225 encoding rules: round trips of the standard's examples, the
//! length indicator forms, parameter order, unknown parameters, the encoder's checks and
//! short buffers. What the decoder refuses is in `rejections.rs`.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hex_literal::hex;
use osi_session::code::Code;
use osi_session::*;

mod common;
use common::decode_exact;

const CTX: Context = Context::new(Si42::MajorSyncAck);

/// Every SPDU of an X.410 session, built from the X.225 encoding rules.
#[test]
fn spec_vectors_round_trip() {
    let maa = Context::new(Si42::MajorSyncAck);
    let aea = Context::new(Si42::ActivityEndAck);
    let cases: &[(&[u8], Context, &[Kind])] = &[
        (
            &hex!("01 00 31 06 0f 01 01 2a 01 32"),
            maa,
            &[Kind::GiveTokens, Kind::MinorSyncPoint],
        ),
        (
            &hex!("01 00 29 03 2a 01 33"),
            maa,
            &[Kind::GiveTokens, Kind::ActivityEnd],
        ),
        (
            &hex!("02 00 2a 03 2a 01 33"),
            aea,
            &[Kind::PleaseTokens, Kind::ActivityEndAck],
        ),
        (
            &hex!("01 00 29 06 0f 01 01 2a 01 35"),
            maa,
            &[Kind::GiveTokens, Kind::MajorSyncPoint],
        ),
        (
            &hex!("02 00 2a 03 2a 01 35"),
            maa,
            &[Kind::PleaseTokens, Kind::MajorSyncAck],
        ),
        (
            &hex!("01 00 19 03 32 01 05"),
            maa,
            &[Kind::GiveTokens, Kind::ActivityInterrupt],
        ),
        (
            &hex!("02 00 1a 00"),
            maa,
            &[Kind::PleaseTokens, Kind::ActivityInterruptAck],
        ),
        (
            &hex!("01 00 39 03 32 01 05"),
            maa,
            &[Kind::GiveTokens, Kind::ActivityDiscard],
        ),
        (
            &hex!("02 00 3a 00"),
            maa,
            &[Kind::PleaseTokens, Kind::ActivityDiscardAck],
        ),
        (
            &hex!("01 00 1d 0f 21 08 29 03 02 01 01 2a 01 33 29 03 02 01 02"),
            maa,
            &[Kind::GiveTokens, Kind::ActivityResume],
        ),
        (
            &hex!("02 00 30 03 32 01 03"),
            maa,
            &[Kind::PleaseTokens, Kind::ExceptionData],
        ),
        (
            &hex!("02 08 10 01 01 c1 03 02 01 00"),
            maa,
            &[Kind::PleaseTokens],
        ),
        (&hex!("01 03 10 01 01"), maa, &[Kind::GiveTokens]),
        (&hex!("01 03 10 01 15"), maa, &[Kind::GiveTokens]),
        (
            &hex!("01 03 10 01 01 01 00 de ad"),
            maa,
            &[Kind::GiveTokens, Kind::DataTransfer],
        ),
        (&hex!("1a 00"), maa, &[Kind::AbortAccept]),
        (&hex!("0a 00"), maa, &[Kind::Disconnect]),
        (&hex!("08 00"), maa, &[Kind::NotFinished]),
        (&hex!("19 03 11 01 05"), maa, &[Kind::Abort]),
        (&hex!("0c 06 11 01 01 32 01 81"), maa, &[Kind::Refuse]),
        (
            &hex!("01 00 35 09 1a 01 00 1b 01 00 2a 01 32"),
            maa,
            &[Kind::GiveTokens, Kind::Resynchronize],
        ),
        (
            &hex!("02 00 22 06 1a 01 00 2a 01 32"),
            maa,
            &[Kind::PleaseTokens, Kind::ResynchronizeAck],
        ),
        (&hex!("07 03 18 01 02"), maa, &[Kind::Prepare]),
    ];
    for (bytes, ctx, kinds) in cases {
        let got: Vec<Kind> = decode_exact(bytes, *ctx).iter().map(Spdu::kind).collect();
        assert_eq!(&got, kinds, "{bytes:02x?}");
    }
}

#[test]
fn spec_vector_fields() {
    let [_, Spdu::ActivityResume(ar)] = decode_exact(
        &hex!("01 00 1d 0f 21 08 29 03 02 01 01 2a 01 33 29 03 02 01 02"),
        CTX,
    )[..] else {
        panic!()
    };
    let link = ar.linking;
    assert_eq!(
        (link.old_activity_id, link.serial.value()),
        (&hex!("02 01 01")[..], 3)
    );
    assert_eq!(ar.activity_id, &hex!("02 01 02")[..]);
    let [_, Spdu::Resynchronize(rs)] =
        decode_exact(&hex!("01 00 35 09 1a 01 00 1b 01 00 2a 01 32"), CTX)[..]
    else {
        panic!()
    };
    assert_eq!(rs.token_setting, Some(TokenSetting(0)));
    assert_eq!(
        (rs.resync_type, rs.serial),
        (Some(ResyncType::Restart), Some(SerialNumber::new(2)))
    );
    let [Spdu::Abort(ab)] = decode_exact(&hex!("19 03 11 01 05"), CTX)[..] else {
        panic!()
    };
    let td = ab.transport_disconnect;
    assert!(td.contains(TransportDisconnect::RELEASE | TransportDisconnect::PROTOCOL_ERROR));
    let [Spdu::Refuse(rf)] = decode_exact(&hex!("0c 06 11 01 01 32 01 81"), CTX)[..] else {
        panic!()
    };
    assert_eq!(
        rf.reason,
        Some(Reason {
            code: Reason::SSEL_UNKNOWN,
            data: &[]
        })
    );
    let [Spdu::Prepare(pr)] = decode_exact(&hex!("07 03 18 01 02"), CTX)[..] else {
        panic!()
    };
    assert_eq!(pr.prepare_type, PrepareType::Resync);
    let [_, Spdu::ActivityInterrupt(ai)] = decode_exact(&hex!("01 00 19 03 32 01 05"), CTX)[..]
    else {
        panic!()
    };
    assert_eq!(ai.reason, Some(Reason::LOCAL_USER_ERROR));
}

#[test]
fn three_octet_length_indicator() {
    let mut cn = hex!("0d ff 01 30 c1 ff 01 2c").to_vec();
    cn.extend(core::iter::repeat_n(0x77, 300));
    let [spdu] = decode_exact(&cn, CTX)[..] else {
        panic!()
    };
    assert_eq!(spdu.user_data().map(<[u8]>::len), Some(300));
    // Length 255 itself takes the three-octet form.
    let mut pt = hex!("02 ff 01 06 10 01 01 c1 ff 00 ff").to_vec();
    pt.extend([0u8; 255]);
    decode_exact(&pt, CTX);
}

#[test]
fn any_order_and_long_form_on_receipt_canonical_on_sending() {
    // ISODE sends MIP parameters as 15, 42, 25, 193; AS as 41, 25, 193 (its `spkt2tsdu`).
    let isode = hex!("01 00 31 0c 0f 01 01 2a 01 31 19 01 03 c1 01 aa");
    let t = Tsdu::decode(&isode, CTX).unwrap();
    let mut out = vec![0; t.encoded_len().unwrap()];
    t.encode(false, &mut out).unwrap();
    assert_eq!(out, hex!("01 00 31 0c 0f 01 01 19 01 03 2a 01 31 c1 01 aa"));
    // A three-octet LI holding less than 255 is accepted and re-sent in one octet.
    let long = hex!("01 ff 00 03 10 01 01");
    let [gt] = Tsdu::decode(&long, CTX)
        .unwrap()
        .iter()
        .copied()
        .collect::<Vec<_>>()[..]
    else {
        panic!()
    };
    let Spdu::GiveTokens(GiveTokens { token_item, .. }) = gt else {
        panic!()
    };
    assert_eq!(token_item, Some(TokenItem(1)));
    let mut out = [0; 5];
    assert_eq!(gt.encode(&mut out), Ok(5));
    assert_eq!(out, hex!("01 03 10 01 01"));
}

#[test]
fn unknown_parameters_are_kept_and_sorted_in() {
    // Undefined PI 99 (0x63) before PI 20, undefined PI 7 inside PGI 5, PGI 200 at the end.
    let cn = hex!("0d 12 63 01 ee 05 09 13 01 00 07 01 55 16 01 02 14 02 00 02");
    let [spdu] = Tsdu::decode(&cn, CTX)
        .unwrap()
        .iter()
        .copied()
        .collect::<Vec<_>>()[..]
    else {
        panic!()
    };
    let top: Vec<Unit<'_>> = spdu.unknown().iter().collect();
    assert_eq!(
        top,
        [Unit {
            code: Code(99),
            value: &[0xee]
        }]
    );
    let Spdu::Connect(cn) = spdu else { panic!() };
    let inner: Vec<Unit<'_>> = cn.connect_accept.unwrap().unknown.iter().collect();
    assert_eq!(
        inner,
        [Unit {
            code: Code(7),
            value: &[0x55]
        }]
    );
    let mut out = vec![0; spdu.encoded_len().unwrap()];
    spdu.encode(&mut out).unwrap();
    assert_eq!(
        out,
        hex!("0d 12 05 09 07 01 55 13 01 00 16 01 02 14 02 00 02 63 01 ee")
    );
    assert_eq!(Spdu::decode(&out, true, &CTX).unwrap().0, spdu);
}

#[test]
fn encoding_checks_and_short_buffers() {
    // A MIP without its Serial Number cannot be built (the field is not an `Option`);
    // received, it is refused.
    assert_eq!(
        Tsdu::decode(&hex!("01 00 31 00"), CTX),
        Err(Error::MissingParameter {
            spdu: Kind::MinorSyncPoint,
            code: Code(42)
        })
    );
    let mip = Spdu::from(MinorSyncPoint::new(SerialNumber::new(7)));
    assert_eq!(mip.encoded_len(), Ok(5));
    let mut buf = [0xa5; 4];
    assert_eq!(
        mip.encode(&mut buf),
        Err(Error::BufferTooSmall {
            needed: 5,
            available: 4
        })
    );
    assert_eq!(buf, [0xa5; 4], "nothing written");
    let mut buf = [0xa5; 6];
    assert_eq!(mip.encode(&mut buf), Ok(5));
    assert_eq!(buf, hex!("31 03 2a 01 37 a5"));
    // MAP without bit 1 of the Sync Type would decode as AE, and AE with it as MAP: neither
    // Sync Type can be built.
    assert_eq!(
        MajorSyncType::try_from(SyncType(0)),
        Err(Error::SyncTypeMismatch(Kind::MajorSyncPoint))
    );
    assert_eq!(
        ActivityEndSyncType::try_from(SyncType(3)),
        Err(Error::SyncTypeMismatch(Kind::ActivityEnd))
    );
    let map = Spdu::from(MajorSyncPoint {
        sync_type: MajorSyncType::try_from(SyncType(3)).unwrap(),
        ..MajorSyncPoint::new(SerialNumber::new(7))
    });
    let mut out = [0; 8];
    assert_eq!(map.encode(&mut out), Ok(8));
    assert_eq!(out, hex!("29 06 0f 01 03 2a 01 37"));
    // User information only on DT, TD, EX: no other struct has the field, and octets after
    // a category 1 SPDU are refused.
    assert_eq!(
        Tsdu::decode(&hex!("09 00 78"), CTX),
        Err(Error::NotAlone(Kind::Finish))
    );
    // A parameter field above 65 535 octets.
    let big = vec![0; 65535];
    let dn = Spdu::from(Disconnect {
        user_data: Some(&big),
        ..Disconnect::default()
    });
    assert_eq!(dn.encoded_len(), Err(Error::FieldTooLong(65539)));
    // A TSDU: concatenation is checked on sending too.
    let gt = Spdu::from(GiveTokens::default());
    let dt = Spdu::from(DataTransfer {
        user_info: b"abc",
        ..DataTransfer::default()
    });
    let t = Tsdu::from_spdus(&[gt, dt]).unwrap();
    let mut out = [0xa5; 8];
    assert_eq!(t.encode(false, &mut out), Ok(7));
    assert_eq!(out, hex!("01 00 01 00 61 62 63 a5"));
    let bad = Tsdu::from_spdus(&[dt, gt]).unwrap();
    assert_eq!(
        bad.encode(false, &mut [0; 16]),
        Err(Error::Misplaced(Kind::DataTransfer))
    );
    assert_eq!(Tsdu::from_spdus(&[]), Err(Error::Empty));
    // The same without building a Tsdu.
    let mut out = [0xa5; 8];
    assert_eq!(encode_tsdu(&[gt, dt], false, &mut out), Ok(7));
    assert_eq!(out, hex!("01 00 01 00 61 62 63 a5"));
    assert_eq!(encode_tsdu(&[], false, &mut out), Err(Error::Empty));
    assert_eq!(
        encode_tsdu(&[dt, gt], false, &mut out),
        Err(Error::Misplaced(Kind::DataTransfer))
    );
    let mut short = [0xa5; 6];
    assert_eq!(
        encode_tsdu(&[gt, dt], false, &mut short),
        Err(Error::BufferTooSmall {
            needed: 7,
            available: 6
        })
    );
    assert_eq!(short, [0xa5; 6], "nothing written");
    // MIA user data goes out as PI 46; PGI 193 is accepted on receipt.
    let mia = Spdu::from(MinorSyncAck {
        user_data: Some(b"u"),
        ..MinorSyncAck::new(SerialNumber::new(1))
    });
    let mut out = [0; 8];
    mia.encode(&mut out).unwrap();
    assert_eq!(out, hex!("32 06 2a 01 31 2e 01 75"));
    let via_193 = hex!("02 00 32 06 2a 01 31 c1 01 75");
    assert_eq!(
        Tsdu::decode(&via_193, CTX).unwrap().iter().nth(1),
        Some(&mia)
    );
}

#[cfg(feature = "alloc")]
#[test]
fn encode_to_vec_appends_or_leaves_untouched() {
    let gt = Spdu::from(GiveTokens::default());
    let dt = Spdu::from(DataTransfer {
        user_info: b"abc",
        ..DataTransfer::default()
    });
    let mut out = vec![0xee];
    assert_eq!(
        Tsdu::from_spdus(&[gt, dt])
            .unwrap()
            .encode_to_vec(false, &mut out),
        Ok(7)
    );
    assert_eq!(out, hex!("ee 01 00 01 00 61 62 63"));
    assert_eq!(dt.encode_to_vec(&mut out), Ok(5));
    assert_eq!(out.len(), 13);
    let bad = Tsdu::from_spdus(&[dt, gt]).unwrap();
    assert!(bad.encode_to_vec(false, &mut out).is_err());
    // User data in an AB that is not a user abort.
    let ab = Spdu::from(Abort {
        user_data: Some(b"x"),
        ..Abort::new(TransportDisconnect(TransportDisconnect::RELEASE))
    });
    assert!(ab.encode_to_vec(&mut out).is_err());
    assert_eq!(out.len(), 13, "nothing appended on error");
}
