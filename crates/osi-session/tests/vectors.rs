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
use osi_session::*;

mod common;
use common::decode_exact;

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
