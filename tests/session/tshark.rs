//! External oracle: every kind of SPDU this crate encodes, each in its own TSDU inside TPKT
//! and a class 0 COTP DT, written to a pcap and dissected by tshark (Wireshark 4.0) through
//! the conformance kit's `tshark_check.sh`, which fails on any malformed packet, warning or
//! undissected session payload.
//!
//! Four SPDU types cannot be checked this way, because of tshark, not of their octets
//! (checked by hand with tshark 4.0.17): its session heuristic does not claim a TSDU that
//! starts with EX (SI 5) or TD (SI 33), nor PT + ER (SI 0), so they end as undissected
//! `cotp:data`; and it hands the content of a CDO to the presentation dissector as a whole
//! PPDU, which a CDO segment is not, so any CDO is reported malformed. Over RFC 1006 there is
//! no expedited flow, so EX is never sent anyway. These four are covered by our own vectors.
//! The T.125 (RDP) heuristic is turned off: it claims PR's octets first.
//!
//! Needs the kit beside the repository (`../shared/conformance`, installed by its
//! `setup.sh`, which `ci/test.sh` runs first).

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::expect_used
)]

use std::path::PathBuf;
use std::process::Command;

use osi_session::*;

fn kit() -> PathBuf {
    crate::common::kit()
}

fn vector(file: &str, name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(kit().join("vectors").join(file)).unwrap();
    let line = text
        .lines()
        .find(|l| l.split('\t').next() == Some(name))
        .unwrap();
    let hex = line.split('\t').nth(1).unwrap();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn serial(n: u64) -> Option<SerialNumber> {
    Some(SerialNumber::new(n))
}

/// Writes a pcap with one TCP connection to port 102 per entry of `conversations`, each
/// carrying its TPKTs client -> server, with the kit's pcap writer (handshake, checksums).
fn write_pcap(path: &std::path::Path, conversations: &[Vec<Vec<u8>>]) {
    let hex: Vec<Vec<String>> = conversations
        .iter()
        .map(|c| {
            c.iter()
                .map(|t| t.iter().map(|b| format!("{b:02x}")).collect())
                .collect()
        })
        .collect();
    let script = format!(
        "import sys; sys.path.insert(0, {kit:?})\n\
         from pcaplib import Pcap, TcpConv\n\
         p = Pcap({path:?})\n\
         for i, conv in enumerate({hex:?}):\n\
         \x20   c = TcpConv(p, ('127.0.0.1', 40000 + i), ('127.0.0.1', 102))\n\
         \x20   c.handshake()\n\
         \x20   for h in conv:\n\
         \x20       c.send_c(bytes.fromhex(h))\n\
         \x20   c.close()\n\
         p.close()\n",
        kit = kit().to_str().unwrap(),
        path = path.to_str().unwrap(),
    );
    let status = Command::new("python3")
        .arg("-c")
        .arg(script)
        .status()
        .expect("python3");
    assert!(status.success(), "pcaplib failed");
}

#[test]
fn every_spdu_we_encode_passes_tshark() {
    // User data that tshark can follow up the stack: an X.410 PConnect/PAccept/PRefuse and a
    // presentation PDU from libiec61850's data phase.
    let pconnect = vector("handmade-x410.tsv", "H.PConnect");
    let paccept = vector("handmade-x410.tsv", "H.PAccept");
    let prefuse = vector("handmade-x410.tsv", "H.PRefuse");
    let ppdu = vector("libiec61850.tsv", "A.DT.f11")[11..].to_vec();
    // libiec61850's normal-mode connect and release data, for the second connection.
    let (iec_cn, iec_ac) = (
        vector("libiec61850.tsv", "A.CN"),
        vector("libiec61850.tsv", "A.AC"),
    );
    let (iec_fn, iec_dn) = (
        vector("libiec61850.tsv", "A.FN"),
        vector("libiec61850.tsv", "A.DN"),
    );

    let ca = |version: u8| ConnectAccept {
        protocol_options: ProtocolOptions(0),
        version: Version(version),
        tsdu_max_size: Some(TsduMaxSize {
            initiator_to_responder: 2041,
            responder_to_initiator: 2041,
        }),
        token_setting: Some(TokenSetting(0)),
        ..ConnectAccept::default()
    };
    let gt = Spdu::from(GiveTokens::default());
    let pt = Spdu::from(PleaseTokens::default());
    let sn = |n| serial(n).unwrap();

    let cn = Connect {
        connection_id: Some(ConnectionId {
            calling_ref: Some(b"vm"),
            common_ref: Some(b"1261122140707Z"),
            ..Default::default()
        }),
        connect_accept: Some(ca(3)),
        requirements: Some(Requirements::X410),
        calling_ssel: Some(&[0, 1]),
        called_ssel: Some(&[0, 2]),
        user_data: Some(&pconnect),
        ..Connect::default()
    };
    let ac = Accept {
        connect_accept: Some(ca(2)),
        requirements: Some(Requirements::X410),
        user_data: Some(&paccept),
        ..Accept::default()
    };
    let rf = Refuse {
        transport_disconnect: Some(TransportDisconnect(1)),
        requirements: Some(Requirements::X410),
        version: Some(Version(1)),
        reason: Some(Reason {
            code: Reason::REFUSED_WITH_DATA,
            data: &prefuse,
        }),
        ..Refuse::default()
    };
    let dt = Spdu::from(DataTransfer {
        user_info: &ppdu,
        ..DataTransfer::default()
    });
    let ex = Expedited {
        user_info: b"expedited",
        ..Expedited::default()
    };
    let td = TypedData {
        user_info: &ppdu,
        ..TypedData::default()
    };

    let tsdus: Vec<(&str, Vec<Spdu<'_>>)> = vec![
        ("CN", vec![cn.into()]),
        ("AC", vec![ac.into()]),
        ("RF", vec![rf.into()]),
        (
            "RF 129",
            vec![
                Refuse {
                    reason: Some(Reason {
                        code: Reason::SSEL_UNKNOWN,
                        data: &[],
                    }),
                    ..Refuse::default()
                }
                .into(),
            ],
        ),
        ("OA", vec![OverflowAccept::new().into()]),
        (
            "CDO",
            vec![
                ConnectDataOverflow {
                    enclosure: Enclosure(Enclosure::END),
                    user_data: None,
                    unknown: Unknown::NONE,
                }
                .into(),
            ],
        ),
        (
            "FN",
            vec![
                Finish {
                    transport_disconnect: Some(TransportDisconnect(1)),
                    ..Finish::default()
                }
                .into(),
            ],
        ),
        ("DN", vec![Disconnect::default().into()]),
        ("NF", vec![NotFinished::default().into()]),
        (
            "AB",
            vec![
                Abort {
                    reflect: Some(&[0x31, 0x03, 0x2a]),
                    ..Abort::new(TransportDisconnect(0x05))
                }
                .into(),
            ],
        ),
        ("AA", vec![AbortAccept::default().into()]),
        (
            "GT",
            vec![
                GiveTokens {
                    token_item: Some(TokenItem(0x15)),
                    ..GiveTokens::default()
                }
                .into(),
            ],
        ),
        (
            "PT",
            vec![
                PleaseTokens {
                    token_item: Some(TokenItem(TokenItem::DATA)),
                    ..PleaseTokens::default()
                }
                .into(),
            ],
        ),
        ("GTC", vec![GiveTokensConfirm::default().into()]),
        ("GTA", vec![GiveTokensAck::default().into()]),
        ("EX", vec![ex.into()]),
        ("TD", vec![td.into()]),
        ("PR", vec![Prepare::new(PrepareType::Resync).into()]),
        ("GT+CD", vec![gt, CapabilityData::default().into()]),
        ("PT+CDA", vec![pt, CapabilityDataAck::default().into()]),
        ("GT+AS", vec![gt, ActivityStart::new(&[2, 1, 1]).into()]),
        ("GT+MIP", vec![gt, MinorSyncPoint::new(sn(1)).into()]),
        (
            "GT+MIP nc",
            vec![
                gt,
                MinorSyncPoint {
                    sync_type: Some(SyncType(1)),
                    ..MinorSyncPoint::new(sn(2))
                }
                .into(),
            ],
        ),
        ("PT+MIA", vec![pt, MinorSyncAck::new(sn(2)).into()]),
        ("GT+MAP", vec![gt, MajorSyncPoint::new(sn(3)).into()]),
        ("PT+MAA", vec![pt, MajorSyncAck::new(sn(3)).into()]),
        ("GT+AE", vec![gt, ActivityEnd::new(sn(4)).into()]),
        ("PT+AEA", vec![pt, ActivityEndAck::new(sn(4)).into()]),
        (
            "GT+RS",
            vec![
                gt,
                Resynchronize {
                    token_setting: Some(TokenSetting(0)),
                    resync_type: Some(ResyncType::Restart),
                    serial: serial(2),
                    ..Resynchronize::default()
                }
                .into(),
            ],
        ),
        (
            "PT+RA",
            vec![
                pt,
                ResynchronizeAck {
                    token_setting: Some(TokenSetting(0)),
                    serial: serial(2),
                    ..ResynchronizeAck::default()
                }
                .into(),
            ],
        ),
        (
            "PT+ER",
            vec![pt, ExceptionReport::new(&[0x01, 0x00]).into()],
        ),
        (
            "PT+ED",
            vec![pt, ExceptionData::new(Reason::LOCAL_USER_ERROR).into()],
        ),
        (
            "GT+AR",
            vec![
                gt,
                ActivityResume::new(
                    Linking {
                        called_ref: None,
                        calling_ref: None,
                        common_ref: None,
                        additional_ref: None,
                        old_activity_id: &[2, 1, 1],
                        serial: SerialNumber::new(3),
                        second_serial: None,
                        unknown: Unknown::NONE,
                    },
                    &[2, 1, 2],
                )
                .into(),
            ],
        ),
        (
            "GT+AI",
            vec![
                gt,
                ActivityInterrupt {
                    reason: Some(Reason::LOCAL_USER_ERROR),
                    ..ActivityInterrupt::default()
                }
                .into(),
            ],
        ),
        ("PT+AIA", vec![pt, ActivityInterruptAck::default().into()]),
        (
            "GT+AD",
            vec![
                gt,
                ActivityDiscard {
                    reason: Some(Reason::NO_SPECIFIC_REASON),
                    ..ActivityDiscard::default()
                }
                .into(),
            ],
        ),
        ("PT+ADA", vec![pt, ActivityDiscardAck::default().into()]),
    ];
    // Every SPDU type appears (DT in the second connection below).
    for kind in Kind::ALL {
        let here = tsdus
            .iter()
            .any(|(_, s)| s.iter().any(|s| s.kind() == *kind));
        assert!(here || *kind == Kind::DataTransfer, "{kind} missing");
    }

    // The normal-mode connection: its CN sets up the presentation context that the DT's
    // user information refers to, so tshark follows it up to MMS.
    let iec_ud = |tpdu: &[u8]| -> Vec<u8> {
        let (spdu, _) = Spdu::decode(&tpdu[7..], true, &Context::new(Si42::MajorSyncAck)).unwrap();
        spdu.user_data().unwrap().to_vec()
    };
    let (cn_ud, ac_ud, fn_ud, dn_ud) = (
        iec_ud(&iec_cn),
        iec_ud(&iec_ac),
        iec_ud(&iec_fn),
        iec_ud(&iec_dn),
    );
    let normal_ca = ConnectAccept {
        version: Version(Version::V2),
        ..ConnectAccept::default()
    };
    let cn2 = Connect {
        connect_accept: Some(normal_ca),
        requirements: Some(Requirements(Requirements::DUPLEX)),
        calling_ssel: Some(&[0, 1]),
        called_ssel: Some(&[0, 1]),
        user_data: Some(&cn_ud),
        ..Connect::default()
    };
    let ac2 = Accept {
        connect_accept: Some(normal_ca),
        requirements: Some(Requirements(Requirements::DUPLEX)),
        called_ssel: Some(&[0, 1]),
        user_data: Some(&ac_ud),
        ..Accept::default()
    };
    let fn2 = Finish {
        user_data: Some(&fn_ud),
        ..Finish::default()
    };
    let dn2 = Disconnect {
        user_data: Some(&dn_ud),
        ..Disconnect::default()
    };
    let gt_data = GiveTokens {
        token_item: Some(TokenItem(1)),
        ..GiveTokens::default()
    };
    let normal: Vec<(&str, Vec<Spdu<'_>>)> = vec![
        ("CN normal mode", vec![cn2.into()]),
        ("AC normal mode", vec![ac2.into()]),
        ("GT+DT", vec![gt_data.into(), dt]),
        ("FN normal mode", vec![fn2.into()]),
        ("DN normal mode", vec![dn2.into()]),
    ];
    assert!(normal[2].1.iter().any(|s| s.kind() == Kind::DataTransfer));

    // The four tshark cannot dissect (see the module comment).
    const NOT_CLAIMED: [&str; 4] = ["EX", "TD", "PT+ER", "CDO"];
    let encode_all = |list: &[(&str, Vec<Spdu<'_>>)]| -> Vec<Vec<u8>> {
        let mut tpkts = Vec::new();
        for (name, spdus) in list {
            let t = Tsdu::from_spdus(spdus).unwrap();
            let mut tsdu = vec![0; t.encoded_len().unwrap()];
            t.encode(false, &mut tsdu)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // Our own decoder agrees before tshark is asked.
            let si42 = if spdus.iter().any(|s| s.kind() == Kind::ActivityEndAck) {
                Si42::ActivityEndAck
            } else {
                Si42::MajorSyncAck
            };
            assert_eq!(Tsdu::decode(&tsdu, Context::new(si42)), Ok(t), "{name}");
            if NOT_CLAIMED.contains(name) {
                continue;
            }
            let len = u16::try_from(tsdu.len() + 7).unwrap().to_be_bytes();
            tpkts.push([&[3, 0, len[0], len[1], 0x02, 0xf0, 0x80][..], &tsdu].concat());
        }
        tpkts
    };
    let conversations = [encode_all(&tsdus), encode_all(&normal)];
    let frames: usize = conversations.iter().map(Vec::len).sum();
    assert_eq!(frames, tsdus.len() + normal.len() - NOT_CLAIMED.len());

    let dir = std::env::temp_dir().join(format!("osi-session-tshark-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("every_spdu.pcap");
    write_pcap(&pcap, &conversations);
    let out = Command::new("bash")
        .arg(kit().join("tshark_check.sh"))
        .arg(&pcap)
        .args(["--", "--disable-heuristic", "t125_cotp"])
        .output()
        .expect("tshark_check.sh");
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "tshark found problems:\n{report}"
    );
    // Every frame we wrote was dissected as session.
    assert_eq!(report.matches(":ses").count(), frames, "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}
