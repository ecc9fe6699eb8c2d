//! Vectors from other implementations (libiec61850 captures, the hand-made X.410 set of the
//! conformance kit, ISODE 8.0 traffic captured on loopback) and SPDUs built from the X.225
//! encoding rules, decoded field by field and re-encoded.

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

const CTX: Context = Context::new(Si42::MajorSyncAck);

/// The conformance kit's vectors of one file, by name.
fn vectors(file: &str) -> Vec<(String, Vec<u8>)> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut c = l.split('\t');
            let name = c.next().unwrap().to_string();
            let hex = c.next().unwrap();
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            (name, bytes)
        })
        .collect()
}

/// The TSDU inside one TPKT + class 0 COTP DT (fixed offsets: 4 + 3 octets, EOT set).
fn tsdu(file: &str, name: &str) -> Vec<u8> {
    let all = vectors(file);
    let (_, bytes) = all
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no vector {name}"));
    assert_eq!(bytes[..2], [3, 0], "{name}: TPKT version 3");
    assert_eq!(
        usize::from(u16::from_be_bytes([bytes[2], bytes[3]])),
        bytes.len(),
        "{name}: TPKT length"
    );
    assert_eq!(
        bytes[4..7],
        [0x02, 0xf0, 0x80],
        "{name}: class 0 DT with EOT"
    );
    bytes[7..].to_vec()
}

/// Decodes a TSDU, checks that it re-encodes to the same octets, and returns its SPDUs.
fn decode_exact(bytes: &[u8], ctx: Context) -> Vec<Spdu<'_>> {
    let t = Tsdu::decode(bytes, ctx).unwrap_or_else(|e| panic!("{e}: {bytes:02x?}"));
    let mut out = vec![0xa5; t.encoded_len().unwrap()];
    assert_eq!(
        t.encode(ctx.extended_concatenation, &mut out),
        Ok(bytes.len())
    );
    assert_eq!(out, bytes, "re-encoding differs");
    t.iter().copied().collect()
}

#[test]
fn libiec61850_connect() {
    let bytes = tsdu("libiec61850.tsv", "A.CN");
    let [Spdu::Connect(cn)] = decode_exact(&bytes, CTX)[..] else {
        panic!()
    };
    let ca = cn.connect_accept.unwrap();
    assert_eq!(ca.protocol_options, ProtocolOptions(0));
    assert_eq!(ca.version, Version(Version::V2));
    assert!(ca.version.is_v2_only());
    assert_eq!(cn.requirements, Some(Requirements(Requirements::DUPLEX)));
    assert_eq!(cn.calling_ssel, Some(&hex!("00 01")[..]));
    assert_eq!(cn.called_ssel, Some(&hex!("00 01")[..]));
    let ud = cn.user_data.unwrap();
    assert_eq!((ud.len(), &ud[..3]), (156, &hex!("31 81 99")[..]));
    assert!(cn.connection_id.is_none() && cn.extended_user_data.is_none());
}

#[test]
fn libiec61850_accept() {
    let bytes = tsdu("libiec61850.tsv", "A.AC");
    let [Spdu::Accept(ac)] = decode_exact(&bytes, CTX)[..] else {
        panic!()
    };
    assert_eq!(ac.connect_accept.unwrap().version, Version(2));
    assert_eq!(ac.requirements, Some(Requirements(0x0002)));
    assert_eq!(ac.calling_ssel, None);
    assert_eq!(ac.called_ssel, Some(&hex!("00 01")[..]));
    assert_eq!(ac.user_data.unwrap().len(), 116);
}

#[test]
fn libiec61850_data() {
    for f in 10..=17 {
        let name = format!("A.DT.f{f}");
        let bytes = tsdu("libiec61850.tsv", &name);
        let [gt, Spdu::DataTransfer(dt)] = decode_exact(&bytes, CTX)[..] else {
            panic!("{name}")
        };
        // No parameters at all.
        assert_eq!(gt, GiveTokens::default().into());
        assert_eq!(
            dt,
            DataTransfer {
                user_info: dt.user_info,
                ..DataTransfer::default()
            }
        );
        assert_eq!(
            dt.user_info,
            &bytes[4..],
            "{name}: user information runs to the end"
        );
        assert_eq!(
            dt.user_info[0], 0x61,
            "{name}: presentation fully-encoded-data"
        );
    }
}

#[test]
fn libiec61850_finish_and_disconnect() {
    let bytes = tsdu("libiec61850.tsv", "A.FN");
    let [Spdu::Finish(fin)] = decode_exact(&bytes, CTX)[..] else {
        panic!()
    };
    // libiec61850 leaves out PI 17: the transport connection is released by default.
    assert_eq!(fin.transport_disconnect, None);
    assert_eq!(fin.user_data, Some(&bytes[4..]));
    let bytes = tsdu("libiec61850.tsv", "A.DN");
    let [Spdu::Disconnect(dn)] = decode_exact(&bytes, CTX)[..] else {
        panic!()
    };
    assert_eq!(dn.user_data.map(<[u8]>::len), Some(11));
}

#[test]
fn handmade_x410_bind_and_refuse() {
    for name in ["H.CN", "H.CN.null"] {
        let bytes = tsdu("handmade-x410.tsv", name);
        let [Spdu::Connect(cn)] = decode_exact(&bytes, CTX)[..] else {
            panic!()
        };
        assert_eq!(cn.requirements, Some(Requirements::X410));
        assert_eq!(cn.connect_accept.unwrap().version, Version(Version::V1));
        assert_eq!(cn.user_data.unwrap()[0], 0x31, "{name}: PConnect SET");
    }
    for name in ["H.AC", "H.AC.null"] {
        let bytes = tsdu("handmade-x410.tsv", name);
        let [Spdu::Accept(ac)] = decode_exact(&bytes, CTX)[..] else {
            panic!()
        };
        assert_eq!(ac.requirements, Some(Requirements::X410));
    }
    let bytes = tsdu("handmade-x410.tsv", "H.RF");
    let [Spdu::Refuse(rf)] = decode_exact(&bytes, CTX)[..] else {
        panic!()
    };
    assert_eq!(rf.version, Some(Version(1)));
    assert_eq!(
        rf.reason,
        Some(Reason {
            code: Reason::REFUSED_WITH_DATA,
            data: &hex!("31 03 80 01 00")
        })
    );
    for (name, spdu) in [
        ("H.FN", Finish::default().into()),
        ("H.DN", Disconnect::default().into()),
    ] {
        let bytes = tsdu("handmade-x410.tsv", name);
        assert_eq!(decode_exact(&bytes, CTX), [spdu]);
    }
}

#[test]
fn handmade_x410_transfer() {
    for name in ["H.DT.seg1", "H.DT.seg2", "H.DT.not-p1"] {
        let bytes = tsdu("handmade-x410.tsv", name);
        let [Spdu::GiveTokens(_), Spdu::DataTransfer(dt)] = decode_exact(&bytes, CTX)[..] else {
            panic!()
        };
        assert_eq!(dt.user_info, &bytes[4..]);
    }
}

/// The kit's hand-made AS, MIP, AE and AEA stand alone in their TSDUs, without the GT/PT that
/// X.225 Table 6 requires in front of a category 2 SPDU. Each SPDU is well formed on its
/// own, but the TSDU is rejected, as it must be for a lone MIP.
#[test]
fn handmade_x410_lone_category_2_spdus() {
    let cases: [(&str, Kind, Si42); 4] = [
        ("H.AS", Kind::ActivityStart, Si42::MajorSyncAck),
        ("H.MIP", Kind::MinorSyncPoint, Si42::MajorSyncAck),
        ("H.AE", Kind::ActivityEnd, Si42::MajorSyncAck),
        ("H.AEA", Kind::ActivityEndAck, Si42::ActivityEndAck),
    ];
    for (name, kind, si42) in cases {
        let bytes = tsdu("handmade-x410.tsv", name);
        let ctx = Context::new(si42);
        let (spdu, used) = Spdu::decode(&bytes, false, &ctx).unwrap();
        assert_eq!((spdu.kind(), used), (kind, bytes.len()), "{name}");
        assert_eq!(
            Tsdu::decode(&bytes, ctx),
            Err(Error::Misplaced(kind)),
            "{name}"
        );
        // With a GT or PT in front, the same octets make a valid TSDU.
        let front: &[u8] = if kind == Kind::ActivityEndAck {
            &[2, 0]
        } else {
            &[1, 0]
        };
        let with_front = [front, &bytes[..]].concat();
        decode_exact(&with_front, ctx);
    }
    let ae_bytes = tsdu("handmade-x410.tsv", "H.AE");
    let Spdu::ActivityEnd(ae) = Spdu::decode(&ae_bytes, false, &CTX).unwrap().0 else {
        panic!()
    };
    assert_eq!(
        (ae.sync_type.map(ActivityEndSyncType::get), ae.serial),
        (Some(SyncType(0)), SerialNumber::new(1))
    );
    let as_bytes = tsdu("handmade-x410.tsv", "H.AS");
    let Spdu::ActivityStart(r#as) = Spdu::decode(&as_bytes, false, &CTX).unwrap().0 else {
        panic!()
    };
    assert_eq!(r#as.activity_id, &b"1"[..]);
}

#[test]
fn handmade_broken_spdu_length_is_truncated() {
    let bytes = tsdu("handmade-x410.tsv", "BAD.spdu_len.CN");
    // The CN's own length cuts its PGI 193 short.
    assert_eq!(
        Tsdu::decode(&bytes, CTX),
        Err(Error::Truncated("parameter"))
    );
}

/// ISODE 8.0's CN and AC, `rtf` to `iso.rtf` on loopback (X.410-1984 mode over ISODE's
/// session layer).
#[test]
fn isode_connect_and_accept() {
    let pconnect = [0x5a; 46];
    let cn = [
        &hex!(
            "0d 63 01 18 0a 04 14 02 76 6d 0b 10 17 0e 31 32 36 31 31 32 32 31 34 30 37 30 37 5a"
        )[..],
        &hex!(
            "05 0f 13 01 00 15 04 07 f9 07 f9 16 01 03 1a 01 00  14 02 02 49  34 02 00 02  c1 2e"
        ),
        &pconnect,
    ]
    .concat();
    let [Spdu::Connect(spdu)] = decode_exact(&cn, CTX)[..] else {
        panic!()
    };
    let id = spdu.connection_id.unwrap();
    assert_eq!(id.calling_ref, Some(&hex!("14 02 76 6d")[..]));
    assert_eq!(id.common_ref, Some(&b"\x17\x0e1261122140707Z"[..]));
    let ca = spdu.connect_accept.unwrap();
    assert_eq!(
        ca.tsdu_max_size,
        Some(TsduMaxSize {
            initiator_to_responder: 2041,
            responder_to_initiator: 2041
        })
    );
    assert_eq!(
        (ca.version, ca.token_setting),
        (Version(3), Some(TokenSetting(0)))
    );
    assert_eq!(spdu.called_ssel, Some(&hex!("00 02")[..]));

    let paccept = [0x5b; 21];
    let head =
        hex!("0e 40 01 18 09 04 14 02 76 6d 0b 10 17 0e 31 32 36 31 31 32 32 31 34 30 37 30 37 5a");
    let ac = [
        &head[..],
        &hex!("05 09 13 01 00 16 01 02 1a 01 00  14 02 02 49  c1 15"),
        &paccept,
    ]
    .concat();
    let [Spdu::Accept(spdu)] = decode_exact(&ac, CTX)[..] else {
        panic!()
    };
    assert_eq!(
        spdu.connection_id.unwrap().called_ref,
        Some(&hex!("14 02 76 6d")[..])
    );
    assert_eq!(spdu.user_data, Some(&paccept[..]));
}

/// The data phase of ISODE 8.0's X.410 RTS (`rtf put` on loopback).
#[test]
fn isode_data_phase() {
    let mut data = vec![1, 0, 1, 0];
    data.extend(core::iter::repeat_n(0x42, 1024));
    let [_, Spdu::DataTransfer(dt)] = decode_exact(&data, CTX)[..] else {
        panic!()
    };
    assert_eq!(dt.user_info.len(), 1024);

    let [_, Spdu::ActivityStart(r#as)] = decode_exact(&hex!("01 00 2d 05 29 03 02 01 01"), CTX)[..]
    else {
        panic!()
    };
    assert_eq!(r#as.activity_id, &hex!("02 01 01")[..]);
    let [_, Spdu::MinorSyncPoint(mip)] = decode_exact(&hex!("01 00 31 03 2a 01 31"), CTX)[..]
    else {
        panic!()
    };
    assert_eq!((mip.serial, mip.sync_type), (SerialNumber::new(1), None));
    let [pt, mia] = decode_exact(&hex!("02 00 32 03 2a 01 31"), CTX)[..] else {
        panic!()
    };
    assert_eq!(
        (pt.kind(), mia.kind()),
        (Kind::PleaseTokens, Kind::MinorSyncAck)
    );
    let [_, Spdu::ActivityEnd(ae)] = decode_exact(&hex!("01 00 29 04 2a 02 32 37"), CTX)[..] else {
        panic!()
    };
    assert_eq!(ae.serial.value(), 27);
    let aea_ctx = Context::new(Si42::ActivityEndAck);
    let [_, aea] = decode_exact(&hex!("02 00 2a 04 2a 02 32 37"), aea_ctx)[..] else {
        panic!()
    };
    assert_eq!(aea.kind(), Kind::ActivityEndAck);
    let [Spdu::PleaseTokens(pt)] = decode_exact(&hex!("02 08 10 01 01 c1 03 02 01 01"), CTX)[..]
    else {
        panic!()
    };
    assert_eq!(pt.token_item, Some(TokenItem(TokenItem::DATA)));
    assert_eq!(pt.user_data, Some(&hex!("02 01 01")[..]));
    assert_eq!(
        decode_exact(&hex!("15 00"), CTX),
        [GiveTokensConfirm::default().into()]
    );
    assert_eq!(
        decode_exact(&hex!("16 00"), CTX),
        [GiveTokensAck::default().into()]
    );
    let [Spdu::Finish(fin)] = decode_exact(&hex!("09 03 11 01 01"), CTX)[..] else {
        panic!()
    };
    assert_eq!(
        fin.transport_disconnect,
        Some(TransportDisconnect(TransportDisconnect::RELEASE))
    );
}

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
fn rejections() {
    let cases: &[(&[u8], Error)] = &[
        (&[], Error::Empty),
        // A MIP with no GT in front (X.225 §6.3.7: category 2 never stands alone).
        (
            &hex!("31 03 2a 01 31"),
            Error::Misplaced(Kind::MinorSyncPoint),
        ),
        // A binary serial number.
        (
            &hex!("01 00 31 03 2a 01 01"),
            Error::BadSerialNumber {
                code: Code(42),
                octet: 1,
            },
        ),
        // S7comm on port 102 starts with 0x32 (MIA's SI).
        (
            &hex!("32 01 00 00 00 00 00 00"),
            Error::Misplaced(Kind::MinorSyncAck),
        ),
        // AB without PI 17; PI 17 in AI.
        (
            &hex!("19 00"),
            Error::MissingParameter {
                spdu: Kind::Abort,
                code: Code(17),
            },
        ),
        (
            &hex!("01 00 19 03 11 01 01"),
            Error::UnexpectedParameter {
                spdu: Kind::ActivityInterrupt,
                code: Code(17),
            },
        ),
        // MAP is SI 41 with Sync Type bit 1; SI 41 with PI 15 = 0 is AE.
        (
            &hex!("01 00 29 00"),
            Error::MissingParameter {
                spdu: Kind::ActivityEnd,
                code: Code(42),
            },
        ),
        // A category 1 SPDU with company.
        (&hex!("09 00 01 00"), Error::NotAlone(Kind::Finish)),
        // DT first is GT; GT + GT is not a concatenation.
        (
            &hex!("01 00 01 03 10 01 01"),
            Error::UnexpectedParameter {
                spdu: Kind::DataTransfer,
                code: Code(16),
            },
        ),
        (
            &hex!("02 00 01 00"),
            Error::BadConcatenation {
                after: Kind::PleaseTokens,
                then: Kind::DataTransfer,
            },
        ),
        (&hex!("01 00 02 00"), Error::Misplaced(Kind::PleaseTokens)),
        // GT(a): no Token Item in front of RS; GT carrying user data in front of DT.
        (
            &hex!("01 03 10 01 01 35 06 1b 01 01 2a 01 31"),
            Error::BadConcatenationParameter(Kind::GiveTokens),
        ),
        (
            &hex!("01 06 10 01 01 c1 01 00 01 00"),
            Error::BadConcatenationParameter(Kind::GiveTokens),
        ),
        // A Token Item in front of a segment that does not end the SSDU.
        (
            &hex!("01 03 10 01 01 01 03 19 01 01 aa"),
            Error::BadConcatenationParameter(Kind::GiveTokens),
        ),
        // Lengths that run past the field.
        (&hex!("0d 05 14 02 02"), Error::Truncated("SPDU")),
        (&hex!("0d 03 14 05 02"), Error::Truncated("parameter")),
        (&hex!("0d ff 00"), Error::Truncated("SPDU")),
        // Unknown SI, unit data, short-form SPDUs.
        (&hex!("03 00"), Error::UnknownSi(3)),
        (&hex!("40 00"), Error::UnsupportedSi(0x40)),
        (&hex!("e8 00"), Error::UnsupportedSi(0xe8)),
        // Fixed sizes and reserved values.
        (
            &hex!("0d 03 14 01 02"),
            Error::BadLength {
                code: Code(20),
                len: 1,
            },
        ),
        (
            &hex!("07 03 18 01 05"),
            Error::InvalidValue {
                code: Code(24),
                value: 5,
            },
        ),
        (
            &hex!("0d 06 05 04 13 02 00 00"),
            Error::BadLength {
                code: Code(19),
                len: 2,
            },
        ),
        (
            &hex!("0d 05 05 03 13 01 00"),
            Error::MissingParameter {
                spdu: Kind::Connect,
                code: Code(22),
            },
        ),
        (
            &hex!("0d 08 14 02 00 02 14 02 00 02"),
            Error::DuplicateParameter(Code(20)),
        ),
        // PGI inside a PGI; an SSEL above 16 octets; an activity id above 6.
        (
            &hex!("0d 04 05 02 01 00"),
            Error::UnexpectedParameter {
                spdu: Kind::Connect,
                code: Code(1),
            },
        ),
        (
            &hex!("0d 13 33 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
            Error::TooLong {
                code: Code(51),
                len: 17,
                max: 16,
            },
        ),
        (
            &hex!("01 00 2d 09 29 07 01 02 03 04 05 06 07"),
            Error::TooLong {
                code: Code(41),
                len: 7,
                max: 6,
            },
        ),
        // Reason code data only with reason 2 in RF; one octet in ED.
        (&hex!("0c 04 32 02 01 aa"), Error::ReasonCannotCarryData(1)),
        (
            &hex!("02 00 30 04 32 02 05 00"),
            Error::BadLength {
                code: Code(50),
                len: 2,
            },
        ),
        // EX carries at most 14 octets.
        (
            &hex!("05 00 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e"),
            Error::ExpeditedTooLong(15),
        ),
        // Resync type 3 is reserved.
        (
            &hex!("01 00 35 06 1b 01 03 2a 01 31"),
            Error::InvalidValue {
                code: Code(27),
                value: 3,
            },
        ),
        // AB: user data only in a user abort, reflected octets only with a protocol error.
        (
            &hex!("19 06 11 01 01 c1 01 00"),
            Error::UnexpectedParameter {
                spdu: Kind::Abort,
                code: Code(193),
            },
        ),
        (
            &hex!("19 06 11 01 03 31 01 00"),
            Error::UnexpectedParameter {
                spdu: Kind::Abort,
                code: Code(49),
            },
        ),
        // RF: Session User Requirements only with reason 2.
        (
            &hex!("0c 07 14 02 02 49 32 01 81"),
            Error::UnexpectedParameter {
                spdu: Kind::Refuse,
                code: Code(20),
            },
        ),
        // OA selects version 2; ER reflects at least one octet.
        (
            &hex!("10 03 16 01 03"),
            Error::InvalidValue {
                code: Code(22),
                value: 3,
            },
        ),
        (
            &hex!("02 00 00 02 31 00"),
            Error::BadLength {
                code: Code(49),
                len: 0,
            },
        ),
        // User data in GT only with a Token Item.
        (
            &hex!("01 03 c1 01 00"),
            Error::MissingParameter {
                spdu: Kind::GiveTokens,
                code: Code(16),
            },
        ),
    ];
    for (bytes, err) in cases {
        assert_eq!(Tsdu::decode(bytes, CTX), Err(*err), "{bytes:02x?}");
    }
}

fn connect_with(version: u8) -> Connect<'static> {
    Connect {
        connect_accept: Some(ConnectAccept {
            version: Version(version),
            ..ConnectAccept::default()
        }),
        ..Connect::default()
    }
}

#[test]
fn connect_user_data_limits_by_version() {
    let big = vec![0x11; 10241];
    let check = |version: u8, ud: Option<&[u8]>, ext: Option<&[u8]>| {
        let cn = Spdu::from(Connect {
            user_data: ud,
            extended_user_data: ext,
            ..connect_with(version)
        });
        let mut buf = vec![0; 11000];
        let r = cn.encode(&mut buf).map(|n| buf.truncate(n));
        // What encodes must decode, and what does not encode must not decode either.
        let mut raw = vec![0x0d, 0xff, 0, 0];
        let mut field = Vec::new();
        field.extend_from_slice(&[5, 6, 0x13, 1, 0, 0x16, 1, version]);
        for (code, v) in [(0xc1u8, ud), (0xc2, ext)] {
            if let Some(v) = v {
                field.extend_from_slice(&[code, 0xff]);
                field.extend_from_slice(&u16::try_from(v.len()).unwrap().to_be_bytes());
                field.extend_from_slice(v);
            }
        }
        raw[2..4].copy_from_slice(&u16::try_from(field.len()).unwrap().to_be_bytes());
        raw.extend(field);
        let d = Tsdu::decode(&raw, CTX).map(|_| ());
        assert_eq!(r, d, "version {version}");
        r
    };
    assert_eq!(check(1, Some(&big[..512]), None), Ok(()));
    assert_eq!(check(2, Some(&big[..512]), None), Ok(()));
    let too_long = Error::UserDataTooLong {
        spdu: Kind::Connect,
        len: 513,
        max: 512,
    };
    assert_eq!(check(2, Some(&big[..513]), None), Err(too_long));
    assert_eq!(check(2, None, Some(&big[..513])), Ok(()));
    assert_eq!(check(2, None, Some(&big[..10240])), Ok(()));
    let too_long = Error::UserDataTooLong {
        spdu: Kind::Connect,
        len: 10241,
        max: 10240,
    };
    assert_eq!(check(2, None, Some(&big[..])), Err(too_long));
    assert_eq!(
        check(2, None, Some(&big[..512])),
        Err(Error::ExtendedUserDataTooShort(512))
    );
    assert_eq!(
        check(3, None, Some(&big[..600])),
        Err(Error::NeedsVersion2Only)
    );
    assert_eq!(
        check(1, None, Some(&big[..600])),
        Err(Error::NeedsVersion2Only)
    );
    assert_eq!(
        check(2, Some(&big[..10]), Some(&big[..600])),
        Err(Error::BothUserData)
    );
}

#[test]
fn version_1_restrictions_follow_the_context() {
    let v1 = Context {
        version: Some(Version(Version::V1)),
        ..CTX
    };
    let v2 = Context {
        version: Some(Version(Version::V2)),
        ..CTX
    };
    // User data in GT is version 2 only.
    let gt = hex!("01 06 10 01 01 c1 01 00");
    assert_eq!(
        Tsdu::decode(&gt, v1),
        Err(Error::NotInVersion1 {
            spdu: Kind::GiveTokens,
            code: Code(193)
        })
    );
    assert!(Tsdu::decode(&gt, v2).is_ok());
    // The Enclosure Item outside DT/TD is version 2 only.
    let fin = hex!("09 03 19 01 03");
    assert_eq!(
        Tsdu::decode(&fin, v1),
        Err(Error::NotInVersion1 {
            spdu: Kind::Finish,
            code: Code(25)
        })
    );
    assert!(Tsdu::decode(&fin, v2).is_ok());
    assert!(Tsdu::decode(&hex!("01 00 01 03 19 01 01 aa"), v1).is_ok());
    // 512 octets of user data at most under version 1, 9 in AB.
    let mut dn = hex!("0a ff 02 05 c1 ff 02 01").to_vec();
    dn.extend([0; 513]);
    assert_eq!(
        Tsdu::decode(&dn, v1),
        Err(Error::UserDataTooLong {
            spdu: Kind::Disconnect,
            len: 513,
            max: 512
        })
    );
    assert!(Tsdu::decode(&dn, v2).is_ok());
    let ab = hex!("19 0f 11 01 03 c1 0a 00 00 00 00 00 00 00 00 00 00");
    assert_eq!(
        Tsdu::decode(&ab, v1),
        Err(Error::UserDataTooLong {
            spdu: Kind::Abort,
            len: 10,
            max: 9
        })
    );
    assert!(Tsdu::decode(&ab, v2).is_ok());
    // An AC selecting version 1 applies the rule to itself.
    let ac = hex!("0e 0b 05 06 13 01 00 16 01 01 19 01 03");
    assert_eq!(
        Tsdu::decode(&ac, CTX),
        Err(Error::NotInVersion1 {
            spdu: Kind::Accept,
            code: Code(25)
        })
    );
}

#[test]
fn si_42_follows_the_context() {
    let bytes = hex!("02 00 2a 03 2a 01 35");
    let maa = Tsdu::decode(&bytes, Context::new(Si42::MajorSyncAck)).unwrap();
    let aea = Tsdu::decode(&bytes, Context::new(Si42::ActivityEndAck)).unwrap();
    assert_eq!(maa.iter().nth(1).unwrap().kind(), Kind::MajorSyncAck);
    assert_eq!(aea.iter().nth(1).unwrap().kind(), Kind::ActivityEndAck);
}

#[test]
fn extended_concatenation_only_when_announced() {
    let tsdu = hex!("01 00 2d 05 29 03 02 01 01 31 03 2a 01 31 01 00 aa bb");
    let ext = Context {
        extended_concatenation: true,
        ..CTX
    };
    assert_eq!(
        Tsdu::decode(&tsdu, CTX),
        Err(Error::BadConcatenation {
            after: Kind::ActivityStart,
            then: Kind::MinorSyncPoint
        })
    );
    let t = decode_exact(&tsdu, ext);
    let kinds: Vec<Kind> = t.iter().map(Spdu::kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::GiveTokens,
            Kind::ActivityStart,
            Kind::MinorSyncPoint,
            Kind::DataTransfer
        ]
    );
    // X.225 §6.3.7.1: AS, then DT, then MIP, then GT.
    let t = Tsdu::decode(&tsdu, ext).unwrap();
    let order: Vec<Kind> = t.processing_order().map(Spdu::kind).collect();
    assert_eq!(
        order,
        [
            Kind::ActivityStart,
            Kind::DataTransfer,
            Kind::MinorSyncPoint,
            Kind::GiveTokens
        ]
    );
    // Basic concatenation: the DT before the GT that gives the data token.
    let t = Tsdu::decode(&hex!("01 03 10 01 01 01 00 aa"), CTX).unwrap();
    let order: Vec<Kind> = t.processing_order().map(Spdu::kind).collect();
    assert_eq!(order, [Kind::DataTransfer, Kind::GiveTokens]);
    // GT + MIA only in extended form; PT + AR is tolerated.
    assert!(Tsdu::decode(&hex!("01 00 32 03 2a 01 31"), CTX).is_err());
    assert!(Tsdu::decode(&hex!("01 00 32 03 2a 01 31"), ext).is_ok());
    assert!(
        Tsdu::decode(
            &hex!("02 00 1d 0f 21 08 29 03 02 01 01 2a 01 33 29 03 02 01 02"),
            CTX
        )
        .is_ok()
    );
    // A fifth SPDU never fits.
    let five = hex!("01 00 2d 05 29 03 02 01 01 31 03 2a 01 31 31 03 2a 01 32 01 00");
    assert!(Tsdu::decode(&five, ext).is_err());
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
