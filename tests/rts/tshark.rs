//! Every RTS PDU we encode is shown by Wireshark's dissectors (tshark, through the kit's
//! tshark_check.sh) as X.410-mode RTSE without a malformed packet or expert warning, with the
//! values we put in. The PDUs travel in session CN/AC/RF/AB SPDUs built by the kit's
//! osibuild.py (test tooling). Fails, never skips, when tshark or the kit is missing.

#![allow(clippy::unwrap_used, clippy::panic, clippy::std_instead_of_core)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use hex_literal::hex;
use x400_rts::{
    AbortInformation, AbortReason, ApplicationProtocol, CallingSsUserReference, ConnectionData,
    DialogueMode, PAccept, PConnect, PRefuse, RefuseReason, SessionConnectionIdentifier, T61String,
    UtcTimeOctets,
};

fn kit() -> PathBuf {
    crate::common::kit()
}

fn hex_string(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One connection: a PConnect in a CN, the reply PDU in an AC, RF or AB, and what tshark
/// must show for each.
struct Case {
    connect: PConnect,
    reply: &'static str,
    reply_pdu: Vec<u8>,
    connect_shows: Vec<String>,
    reply_shows: Vec<String>,
}

const BIND_MTA_A: [u8; 19] = hex!("a1 11 80 05 4d 54 41 2d 41 a1 08 16 06 73 65 63 72 65 74");
const BIND_MTA_B: [u8; 20] = hex!("a1 12 80 05 4d 54 41 2d 42 a1 09 16 07 73 65 63 72 65 74 32");

fn recover_id(t61: bool) -> SessionConnectionIdentifier {
    SessionConnectionIdentifier {
        calling_ss_user_reference: if t61 {
            CallingSsUserReference::T61(T61String::from("mta-a.example"))
        } else {
            CallingSsUserReference::Octets(b"mta-a.example".to_vec().into())
        },
        common_reference: UtcTimeOctets::from("940214103000Z"),
        additional_reference_information: Some(T61String::from("A")),
    }
}

fn shows(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    // Open with a P1 bind (the 1984 bind of PP's Rts84 module), answered with the
    // responder's bind.
    let mut bind = PConnect::new(ConnectionData::open(BIND_MTA_A));
    bind.checkpoint_size = 30;
    bind.window_size = 5;
    let mut accept = PAccept::new(ConnectionData::open(BIND_MTA_B));
    accept.checkpoint_size = 30;
    accept.window_size = 5;
    out.push(Case {
        connect: bind,
        reply: "AC",
        reply_pdu: accept.encode().unwrap(),
        connect_shows: shows(&[
            "checkpointSize: 30",
            "windowSize: 5",
            "dialogueMode: monologue (0)",
            "connectionDataRQ: open (0)",
            "applicationProtocol: mts-transfer-protocol-1984 (1)",
            "MTA-A",
        ]),
        reply_shows: shows(&["checkpointSize: 30", "connectionDataAC: open (0)", "MTA-B"]),
    });
    // No user data both ways, two-way alternate, P1 (1988).
    let mut none = PConnect::new(ConnectionData::Open(None));
    none.dialogue_mode = DialogueMode::TWO_WAY_ALTERNATE;
    none.application_protocol = ApplicationProtocol::P1_1988;
    out.push(Case {
        connect: none.clone(),
        reply: "AC",
        reply_pdu: PAccept::new(ConnectionData::Open(None)).encode().unwrap(),
        connect_shows: shows(&[
            "dialogueMode: twa (1)",
            "connectionDataRQ: open (0)",
            "applicationProtocol: mts-transfer-protocol (12)",
        ]),
        reply_shows: shows(&["windowSize: 3", "connectionDataAC: open (0)"]),
    });
    // Recover (T61String and OCTET STRING references), echoed in the PAccept.
    for t61 in [true, false] {
        let mut recover = PConnect::new(ConnectionData::Recover(recover_id(t61)));
        recover.checkpoint_size = 30;
        let mut accept = PAccept::new(ConnectionData::Recover(recover_id(t61)));
        accept.checkpoint_size = 30;
        out.push(Case {
            connect: recover,
            reply: "AC",
            reply_pdu: accept.encode().unwrap(),
            connect_shows: shows(&[
                "connectionDataRQ: recover (1)",
                if t61 {
                    "callingSSuserReference: t61String (0)"
                } else {
                    "callingSSuserReference: octetString (1)"
                },
                "commonReference: 94-02-14 10:30:00 (UTC)",
                "additionalReferenceInformation: A",
            ]),
            reply_shows: shows(&["connectionDataAC: recover (1)"]),
        });
    }
    // Every refuse reason X.410 defines.
    for (n, name) in [
        (0, "rtsBusy"),
        (1, "cannotRecover"),
        (2, "validationFailure"),
        (3, "unacceptableDialogueMode"),
    ] {
        out.push(Case {
            connect: none.clone(),
            reply: "RF",
            reply_pdu: PRefuse::new(RefuseReason(n)).encode().unwrap(),
            connect_shows: Vec::new(),
            reply_shows: vec![format!("refuseReason: {name} ({n})")],
        });
    }
    // Every abort reason X.410 defines, and a reflected parameter.
    for (n, name) in [
        (0, "localSystemProblem"),
        (1, "invalidParameter"),
        (2, "unrecognizedActivity"),
        (3, "temporaryProblem"),
        (4, "protocolError"),
    ] {
        out.push(Case {
            connect: none.clone(),
            reply: "AB",
            reply_pdu: AbortInformation::new(AbortReason(n)).encode().unwrap(),
            connect_shows: Vec::new(),
            reply_shows: vec![format!("abortReason: {name} ({n})")],
        });
    }
    let mut reflected = AbortInformation::new(AbortReason::INVALID_PARAMETER);
    reflected.reflected_parameter = Some(
        [true, false, true, false, false, true, false, true]
            .into_iter()
            .collect(),
    );
    out.push(Case {
        connect: none,
        reply: "AB",
        reply_pdu: reflected.encode().unwrap(),
        connect_shows: Vec::new(),
        reply_shows: shows(&[
            "abortReason: invalidParameter (1)",
            "reflectedParameter: a5",
        ]),
    });
    out
}

#[test]
fn tshark_shows_our_pdus_as_x410_rtse() {
    assert!(
        Command::new("tshark").arg("--version").output().is_ok(),
        "tshark missing: run {}/setup.sh",
        kit().display()
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/rts/tshark_pcap.py");
    let pcap = std::env::temp_dir().join(format!("x400-rts-tshark-{}.pcap", std::process::id()));
    let cases = cases();
    let mut input = String::new();
    for c in &cases {
        input.push_str(&format!(
            "{} {} {}\n",
            hex_string(&c.connect.encode().unwrap()),
            c.reply,
            hex_string(&c.reply_pdu)
        ));
    }
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(kit())
        .arg(&pcap)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&pcap);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "tshark_check.sh found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let views: Vec<&str> = stdout
        .lines()
        .filter(|l| {
            ["CN ", "AC ", "RF ", "AB "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect();
    assert_eq!(views.len(), 2 * cases.len(), "{stdout}");
    for (c, pair) in cases.iter().zip(views.chunks(2)) {
        for want in &c.connect_shows {
            assert!(
                pair[0].contains(want.as_str()),
                "CN lacks {want:?}: {}",
                pair[0]
            );
        }
        for want in &c.reply_shows {
            assert!(
                pair[1].contains(want.as_str()),
                "{} lacks {want:?}: {}",
                c.reply,
                pair[1]
            );
        }
    }
}
