//! External oracle for what the machine sends: two whole sessions between our initiator and
//! responder (an IEC 61850-style duplex session carrying libiec61850's own presentation
//! PDUs, and an X.410 RTS session with the Basic Activity Subset), each TSDU put in TPKT and
//! a class 0 COTP DT in a pcap, then dissected by tshark through the conformance kit's
//! `tshark_check.sh`, which fails on any malformed packet, warning or undissected payload.
//!
//! Needs the kit beside the repository (`../shared/conformance`, installed by `setup.sh`).

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Command;

use osi_session::machine::{AcceptRequest, ConnectRequest};
use osi_session::{Context, Requirements, Si42, Spdu, TokenItem, Tsdu};
use x400_test_kit::session::Pair;

fn kit() -> PathBuf {
    crate::common::kit()
}

/// The TSDU of a kit vector (TPKT and COTP DT header stripped).
fn tsdu(file: &str, name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(kit().join("vectors").join(file)).unwrap();
    let hex = text
        .lines()
        .find(|l| l.split('\t').next() == Some(name))
        .unwrap()
        .split('\t')
        .nth(1)
        .unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    bytes[7..].to_vec()
}

/// The SS-user data of the vector's last SPDU: PGI 193, or the user information of DT.
fn user_data(file: &str, name: &str) -> Vec<u8> {
    let t = tsdu(file, name);
    let d = Tsdu::decode(&t, Context::new(Si42::MajorSyncAck)).unwrap();
    let s = d.iter().last().unwrap();
    match s {
        Spdu::DataTransfer(dt) => dt.user_info,
        _ => s.user_data().unwrap_or_default(),
    }
    .to_vec()
}

/// Writes the session's TSDUs, both directions in order, as one TCP connection.
fn check_with_tshark(name: &str, wire: &[(bool, Vec<u8>)]) {
    let frames: Vec<(bool, String)> = wire
        .iter()
        .map(|(c, t)| {
            let len = u16::try_from(t.len() + 7).unwrap().to_be_bytes();
            let tpkt = [&[3, 0, len[0], len[1], 0x02, 0xf0, 0x80][..], t].concat();
            (*c, tpkt.iter().map(|b| format!("{b:02x}")).collect())
        })
        .collect();
    let dir =
        std::env::temp_dir().join(format!("osi-session-machine-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("session.pcap");
    let list: Vec<String> = frames
        .iter()
        .map(|(c, h)| format!("({}, {h:?})", if *c { "True" } else { "False" }))
        .collect();
    let script = format!(
        "import sys; sys.path.insert(0, {kit:?})\n\
         from pcaplib import Pcap, TcpConv\n\
         p = Pcap({path:?})\n\
         c = TcpConv(p, ('127.0.0.1', 40000), ('127.0.0.1', 102))\n\
         c.handshake()\n\
         for client, h in [{list}]:\n\
         \x20   (c.send_c if client else c.send_s)(bytes.fromhex(h))\n\
         c.close()\n\
         p.close()\n",
        kit = kit().to_str().unwrap(),
        path = pcap.to_str().unwrap(),
        list = list.join(", "),
    );
    let status = Command::new("python3")
        .arg("-c")
        .arg(script)
        .status()
        .expect("python3");
    assert!(status.success(), "pcaplib failed");
    let out = Command::new("bash")
        .arg(kit().join("tshark_check.sh"))
        .arg(&pcap)
        .args(["--", "--disable-heuristic", "t125_cotp"])
        .output()
        .expect("tshark_check.sh");
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "tshark found problems:\n{report}"
    );
    assert_eq!(report.matches(":ses").count(), wire.len(), "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn duplex_session_with_libiec61850_payloads_passes_tshark() {
    const IEC: &str = "libiec61850.tsv";
    let (cn, ac) = (user_data(IEC, "A.CN"), user_data(IEC, "A.AC"));
    let (fn_, dn) = (user_data(IEC, "A.FN"), user_data(IEC, "A.DN"));
    let mut p = Pair::new();
    let req = ConnectRequest {
        calling_ssel: Some(&[0, 1]),
        called_ssel: Some(&[0, 1]),
        user_data: &cn,
        ..ConnectRequest::new(Requirements(Requirements::DUPLEX))
    };
    let acc = AcceptRequest {
        responding_ssel: Some(&[0, 1]),
        user_data: &ac,
        ..AcceptRequest::new(Requirements(Requirements::DUPLEX))
    };
    p.connect_with(&req, &acc);
    for (client, name) in [(true, "A.DT.f10"), (false, "A.DT.f11"), (true, "A.DT.f12")] {
        let d = user_data(IEC, name);
        if client {
            p.a.send_data(&d).unwrap();
        } else {
            p.b.send_data(&d).unwrap();
        }
        p.drive();
    }
    p.a.release(&fn_).unwrap();
    p.drive();
    p.b.release_response(p.now, true, &dn).unwrap();
    p.drive();
    assert_eq!(p.wire.len(), 7);
    check_with_tshark("duplex", &p.wire);
}

#[test]
fn x410_activity_session_passes_tshark() {
    const H: &str = "handmade-x410.tsv";
    let (cn, ac) = (user_data(H, "H.CN"), user_data(H, "H.AC"));
    let mut p = Pair::new();
    let req = ConnectRequest {
        user_data: &cn,
        ..ConnectRequest::new(Requirements(0x0249))
    };
    let acc = AcceptRequest {
        user_data: &ac,
        ..AcceptRequest::new(Requirements(0x0249))
    };
    p.connect_with(&req, &acc);
    p.a.activity_start(&[0x02, 0x01, 0x01], &[]).unwrap();
    p.a.minor_sync(true, &[]).unwrap();
    p.a.minor_sync(false, &[]).unwrap();
    p.drive();
    p.b.minor_sync_response(2, &[]).unwrap();
    p.b.please_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
    p.drive();
    p.a.activity_end(&[]).unwrap();
    p.drive();
    p.b.activity_end_response(&[]).unwrap();
    p.drive();
    p.a.give_control(&[]).unwrap();
    p.drive();
    p.b.release(&[]).unwrap();
    p.drive();
    p.a.release_response(p.now, true, &[]).unwrap();
    p.drive();
    assert_eq!(p.wire.len(), 13);
    check_with_tshark("x410", &p.wire);
}
