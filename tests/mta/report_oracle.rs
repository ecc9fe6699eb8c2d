//! Reports as an independent decoder reads them: a message from Alice at A to a user at C who
//! asked for a delivery report, to an unknown user at C and to an unroutable address. The
//! reports that reach Alice's mailbox at A (made at A for the unroutable address, made at C and
//! relayed by B for the other two) are decoded by the conformance kit's asn1tools P1 module
//! (X.411 12.2), not by x400-p1: subject identifier, reason and diagnostic codes per recipient,
//! report destination and the trace of every domain that handled the report. One of them is
//! then transferred over an association and passes tshark and the kit's X.410 decoder.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use x400_mta::Protocol;
use x400_mta::association::Event;
use x400_mta::mta::Submission;
use x400_test_kit::mta::net::{ALICE, Spec, chain, start, wait_for};
use x400_test_kit::mta::{Pair, table_a, table_b};

use crate::common;

const CAROL: &str = "C=GB;ADMD= ;PRMD=C;S=Carol";
const NOBODY_AT_C: &str = "C=GB;ADMD= ;PRMD=C;S=Nobody";
const NOWHERE: &str = "C=FR;ADMD= ;PRMD=X;S=Nowhere";

fn specs() -> [Spec; 3] {
    let p = Protocol::P1988X410;
    let [a, b, c] = chain(p, p);
    [a, b, c.user("carol", CAROL)]
}

/// The kit's asn1tools reading of each file, one JSON object each.
fn oracle(files: &[PathBuf]) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mta/report_oracle.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(common::kit())
        .args(files)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "the kit's asn1tools could not decode our reports (run ../shared/conformance/setup.sh \
         if asn1tools is missing):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_reach_the_originator_and_decode_with_the_kits_asn1tools() {
    let nodes = start(&specs()).await;
    let (a, b, c) = (&nodes[0], &nodes[1], &nodes[2]);
    let mut submission = Submission::new(
        ALICE,
        &[CAROL, NOBODY_AT_C, NOWHERE],
        b"a message with reports".to_vec(),
    );
    submission.delivery_report = true;
    let id = a.mta.submit(submission).await.unwrap();
    let outcomes = |n: &x400_test_kit::mta::net::Node| n.mailbox("alice").len();
    let done = wait_for(Duration::from_secs(60), || {
        c.mailbox("carol").len() == 1
            && outcomes(a) >= 2
            && a.queued() + b.queued() + c.queued() == 0
    })
    .await;
    assert!(
        done,
        "carol {} alice {} queued A {} B {} C {}",
        c.mailbox("carol").len(),
        outcomes(a),
        a.queued(),
        b.queued(),
        c.queued()
    );
    let files: Vec<PathBuf> = a
        .mailbox("alice")
        .into_iter()
        .map(|d| {
            assert_eq!(d.record.content_type, "report");
            d.content
        })
        .collect();
    let decoded = oracle(&files);

    // Per recipient: who made the report (its identifier's domain), its type and codes.
    let mut seen: BTreeMap<String, (String, String, Option<u64>, Option<u64>)> = BTreeMap::new();
    let mut traces: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &decoded {
        assert_eq!(r["kind"], "report", "{r}");
        // The subject is the message Alice submitted, identified by A.
        assert_eq!(r["subject_domain"], "C=GB;ADMD= ;PRMD=A", "{r}");
        assert_eq!(
            Some(r["subject"].as_str().unwrap()),
            id.rsplit(']').next(),
            "{r} is not about {id}"
        );
        assert_eq!(r["destination"], "PRMD=A;S=Alice", "{r}");
        let maker = r["report_domain"].as_str().unwrap().to_string();
        traces.insert(
            maker.clone(),
            r["trace"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect(),
        );
        for f in r["recipients"].as_array().unwrap() {
            seen.insert(
                f["name"].as_str().unwrap().to_string(),
                (
                    maker.clone(),
                    f["type"].as_str().unwrap().to_string(),
                    f["reason"].as_u64(),
                    f["diagnostic"].as_u64(),
                ),
            );
        }
    }
    let at = |prmd: &str| format!("C=GB;ADMD= ;PRMD={prmd}");
    // X.411 12.2.2.2.1: unable-to-transfer(1), unrecognised-OR-name(0); Carol delivered.
    let expected: BTreeMap<String, (String, String, Option<u64>, Option<u64>)> = [
        ("PRMD=C;S=Carol", (at("C"), "delivery", None, None)),
        (
            "PRMD=C;S=Nobody",
            (at("C"), "non-delivery", Some(1), Some(0)),
        ),
        (
            "PRMD=X;S=Nowhere",
            (at("A"), "non-delivery", Some(1), Some(0)),
        ),
    ]
    .into_iter()
    .map(|(n, (m, t, r, d))| (n.to_string(), (m, t.to_string(), r, d)))
    .collect();
    assert_eq!(seen, expected, "{decoded:?}");
    // A's report never left A; C's went through B, which added its trace element.
    assert_eq!(traces[&at("A")], [at("A")], "{decoded:?}");
    assert_eq!(traces[&at("C")], [at("C"), at("B")], "{decoded:?}");

    // C's report, relayed as it reached A, on the wire: tshark and the kit's X.410 decoder.
    let from_c = decoded
        .iter()
        .position(|r| r["report_domain"] == at("C"))
        .unwrap();
    let octets = std::fs::read(&files[from_c]).unwrap();
    let p1 = Protocol::P1988X410;
    let mut p = Pair::new(table_a(p1), table_b(p1));
    p.log = Some(Vec::new());
    p.a.transfer(octets.clone());
    p.run();
    assert_eq!(p.received_b(), [&octets[..]]);
    assert!(p.events_a.contains(&Event::Transferred));
    p.a.close();
    p.run();
    let log = p.log.take().unwrap();
    // PConnect, PAccept, the report.
    common::x410_check("mta-report", &log, (40000, 102), 3);
    for n in nodes {
        n.stop().await;
    }
}
