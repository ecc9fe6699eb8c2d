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
    let with = |kind: Kind, f: &dyn Fn(&mut Params<'static>)| {
        let mut s = Spdu::new(kind);
        f(&mut s.params);
        s
    };
    let gt = Spdu::new(Kind::GiveTokens);
    let pt = Spdu::new(Kind::PleaseTokens);

    let mut cn = with(Kind::Connect, &|p| {
        p.connection_id = Some(ConnectionId {
            calling_ref: Some(b"vm"),
            common_ref: Some(b"1261122140707Z"),
            ..Default::default()
        });
        p.requirements = Some(Requirements::X410);
        p.calling_ssel = Some(&[0, 1]);
        p.called_ssel = Some(&[0, 2]);
    });
    cn.params.connect_accept = Some(ca(3));
    cn.params.user_data = Some(&pconnect);
    let mut ac = with(Kind::Accept, &|p| p.requirements = Some(Requirements::X410));
    ac.params.connect_accept = Some(ca(2));
    ac.params.user_data = Some(&paccept);
    let mut rf = with(Kind::Refuse, &|p| {
        p.transport_disconnect = Some(TransportDisconnect(1));
        p.requirements = Some(Requirements::X410);
        p.version = Some(Version(1));
    });
    rf.params.reason = Some(Reason {
        code: Reason::REFUSED_WITH_DATA,
        data: &prefuse,
    });
    let mut dt = Spdu::new(Kind::DataTransfer);
    dt.user_info = &ppdu;
    let mut ex = Spdu::new(Kind::Expedited);
    ex.user_info = b"expedited";
    let mut td = Spdu::new(Kind::TypedData);
    td.user_info = &ppdu;

    let tsdus: Vec<(&str, Vec<Spdu<'_>>)> = vec![
        ("CN", vec![cn]),
        ("AC", vec![ac]),
        ("RF", vec![rf]),
        (
            "RF 129",
            vec![with(Kind::Refuse, &|p| {
                p.reason = Some(Reason {
                    code: Reason::SSEL_UNKNOWN,
                    data: &[],
                })
            })],
        ),
        (
            "OA",
            vec![with(Kind::OverflowAccept, &|p| {
                p.version = Some(Version(2))
            })],
        ),
        (
            "CDO",
            vec![with(Kind::ConnectDataOverflow, &|p| {
                p.enclosure = Some(Enclosure(Enclosure::END))
            })],
        ),
        (
            "FN",
            vec![with(Kind::Finish, &|p| {
                p.transport_disconnect = Some(TransportDisconnect(1))
            })],
        ),
        ("DN", vec![Spdu::new(Kind::Disconnect)]),
        ("NF", vec![Spdu::new(Kind::NotFinished)]),
        (
            "AB",
            vec![with(Kind::Abort, &|p| {
                p.transport_disconnect = Some(TransportDisconnect(0x05));
                p.reflect = Some(&[0x31, 0x03, 0x2a]);
            })],
        ),
        ("AA", vec![Spdu::new(Kind::AbortAccept)]),
        (
            "GT",
            vec![with(Kind::GiveTokens, &|p| {
                p.token_item = Some(TokenItem(0x15))
            })],
        ),
        (
            "PT",
            vec![with(Kind::PleaseTokens, &|p| {
                p.token_item = Some(TokenItem(TokenItem::DATA))
            })],
        ),
        ("GTC", vec![Spdu::new(Kind::GiveTokensConfirm)]),
        ("GTA", vec![Spdu::new(Kind::GiveTokensAck)]),
        ("EX", vec![ex]),
        ("TD", vec![td]),
        (
            "PR",
            vec![with(Kind::Prepare, &|p| {
                p.prepare_type = Some(PrepareType::Resync)
            })],
        ),
        ("GT+CD", vec![gt, Spdu::new(Kind::CapabilityData)]),
        ("PT+CDA", vec![pt, Spdu::new(Kind::CapabilityDataAck)]),
        (
            "GT+AS",
            vec![
                gt,
                with(Kind::ActivityStart, &|p| p.activity_id = Some(&[2, 1, 1])),
            ],
        ),
        (
            "GT+MIP",
            vec![gt, with(Kind::MinorSyncPoint, &|p| p.serial = serial(1))],
        ),
        (
            "GT+MIP nc",
            vec![
                gt,
                with(Kind::MinorSyncPoint, &|p| {
                    p.sync_type = Some(SyncType(1));
                    p.serial = serial(2);
                }),
            ],
        ),
        (
            "PT+MIA",
            vec![pt, with(Kind::MinorSyncAck, &|p| p.serial = serial(2))],
        ),
        (
            "GT+MAP",
            vec![
                gt,
                with(Kind::MajorSyncPoint, &|p| {
                    p.sync_type = Some(SyncType(1));
                    p.serial = serial(3);
                }),
            ],
        ),
        (
            "PT+MAA",
            vec![pt, with(Kind::MajorSyncAck, &|p| p.serial = serial(3))],
        ),
        (
            "GT+AE",
            vec![gt, with(Kind::ActivityEnd, &|p| p.serial = serial(4))],
        ),
        (
            "PT+AEA",
            vec![pt, with(Kind::ActivityEndAck, &|p| p.serial = serial(4))],
        ),
        (
            "GT+RS",
            vec![
                gt,
                with(Kind::Resynchronize, &|p| {
                    p.token_setting = Some(TokenSetting(0));
                    p.resync_type = Some(ResyncType::Restart);
                    p.serial = serial(2);
                }),
            ],
        ),
        (
            "PT+RA",
            vec![
                pt,
                with(Kind::ResynchronizeAck, &|p| {
                    p.token_setting = Some(TokenSetting(0));
                    p.serial = serial(2);
                }),
            ],
        ),
        (
            "PT+ER",
            vec![
                pt,
                with(Kind::ExceptionReport, &|p| p.reflect = Some(&[0x01, 0x00])),
            ],
        ),
        (
            "PT+ED",
            vec![
                pt,
                with(Kind::ExceptionData, &|p| {
                    p.reason = Some(Reason {
                        code: Reason::LOCAL_USER_ERROR,
                        data: &[],
                    })
                }),
            ],
        ),
        (
            "GT+AR",
            vec![
                gt,
                with(Kind::ActivityResume, &|p| {
                    p.linking = Some(Linking {
                        called_ref: None,
                        calling_ref: None,
                        common_ref: None,
                        additional_ref: None,
                        old_activity_id: &[2, 1, 1],
                        serial: SerialNumber::new(3),
                        second_serial: None,
                        unknown: Unknown::NONE,
                    });
                    p.activity_id = Some(&[2, 1, 2]);
                }),
            ],
        ),
        (
            "GT+AI",
            vec![
                gt,
                with(Kind::ActivityInterrupt, &|p| {
                    p.reason = Some(Reason {
                        code: Reason::LOCAL_USER_ERROR,
                        data: &[],
                    })
                }),
            ],
        ),
        ("PT+AIA", vec![pt, Spdu::new(Kind::ActivityInterruptAck)]),
        (
            "GT+AD",
            vec![
                gt,
                with(Kind::ActivityDiscard, &|p| {
                    p.reason = Some(Reason {
                        code: Reason::NO_SPECIFIC_REASON,
                        data: &[],
                    })
                }),
            ],
        ),
        ("PT+ADA", vec![pt, Spdu::new(Kind::ActivityDiscardAck)]),
    ];
    // Every SPDU type appears (DT in the second connection below).
    for kind in Kind::ALL {
        let here = tsdus.iter().any(|(_, s)| s.iter().any(|s| s.kind == *kind));
        assert!(here || *kind == Kind::DataTransfer, "{kind} missing");
    }

    // The normal-mode connection: its CN sets up the presentation context that the DT's
    // user information refers to, so tshark follows it up to MMS.
    let iec_ud = |tpdu: &[u8]| -> Vec<u8> {
        let (spdu, _) = Spdu::decode(&tpdu[7..], true, &Context::new(Si42::MajorSyncAck)).unwrap();
        spdu.params.user_data.unwrap().to_vec()
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
    let mut cn2 = with(Kind::Connect, &|p| {
        p.requirements = Some(Requirements(Requirements::DUPLEX));
        p.calling_ssel = Some(&[0, 1]);
        p.called_ssel = Some(&[0, 1]);
    });
    cn2.params.connect_accept = Some(normal_ca);
    cn2.params.user_data = Some(&cn_ud);
    let mut ac2 = with(Kind::Accept, &|p| {
        p.requirements = Some(Requirements(Requirements::DUPLEX));
        p.called_ssel = Some(&[0, 1]);
    });
    ac2.params.connect_accept = Some(normal_ca);
    ac2.params.user_data = Some(&ac_ud);
    let mut fn2 = Spdu::new(Kind::Finish);
    fn2.params.user_data = Some(&fn_ud);
    let mut dn2 = Spdu::new(Kind::Disconnect);
    dn2.params.user_data = Some(&dn_ud);
    let normal: Vec<(&str, Vec<Spdu<'_>>)> = vec![
        ("CN normal mode", vec![cn2]),
        ("AC normal mode", vec![ac2]),
        (
            "GT+DT",
            vec![
                with(Kind::GiveTokens, &|p| p.token_item = Some(TokenItem(1))),
                dt,
            ],
        ),
        ("FN normal mode", vec![fn2]),
        ("DN normal mode", vec![dn2]),
    ];
    assert!(normal[2].1.iter().any(|s| s.kind == Kind::DataTransfer));

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
            let si42 = if spdus.iter().any(|s| s.kind == Kind::ActivityEndAck) {
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
