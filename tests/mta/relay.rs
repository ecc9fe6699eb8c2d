//! Three MTAs on loopback, A → B → C, each its own domain, with its own store: messages
//! submitted at A are relayed by B and delivered at C; unroutable and unknown recipients come
//! back to the originator's mailbox at A as non-delivery reports; nothing stays queued.

use std::time::Duration;

use x400_mta::Protocol;
use x400_mta::mta::Submission;
use x400_p1::mta_abstract_service::MtsApdu;
use x400_test_kit::mta::net::{ALICE, Spec, chain, start, wait_for};

const CAROL: &str = "C=GB;ADMD= ;PRMD=C;S=Carol";
const DAVE: &str = "C=GB;ADMD= ;PRMD=C;S=Dave";
const NOBODY_AT_C: &str = "C=GB;ADMD= ;PRMD=C;S=Nobody";
const NOWHERE: &str = "C=FR;ADMD= ;PRMD=X;S=Nowhere";

fn specs(ab: Protocol, bc: Protocol) -> [Spec; 3] {
    let [a, b, c] = chain(ab, bc);
    [a, b, c.user("carol", CAROL).user("dave", DAVE)]
}

/// The reports in `user`'s mailbox at `node`, decoded.
fn reports(
    node: &x400_test_kit::mta::net::Node,
    user: &str,
) -> Vec<x400_p1::mta_abstract_service::Report> {
    node.mailbox(user)
        .iter()
        .filter(|d| d.record.content_type == "report")
        .map(
            |d| match x400_p1::decode::<MtsApdu>(&std::fs::read(&d.content).unwrap()).unwrap() {
                MtsApdu::Report(r) => r,
                other => panic!("not a report: {other:?}"),
            },
        )
        .collect()
}

async fn relay_through_three(ab: Protocol, bc: Protocol) {
    let nodes = start(&specs(ab, bc)).await;
    let (a, b, c) = (&nodes[0], &nodes[1], &nodes[2]);
    let mut sent = Vec::new();
    for i in 0..10u8 {
        // Contents from 1 KiB to beyond the inline limit, so some are spooled.
        let content = vec![i; 1024 + usize::from(i) * 20_000];
        sent.push(content.clone());
        a.mta
            .submit(Submission::new(ALICE, &[CAROL, DAVE], content))
            .await
            .unwrap();
    }
    // One to an unknown user at C and one nowhere routable, in one message with Carol.
    let odd = a
        .mta
        .submit(Submission::new(
            ALICE,
            &[CAROL, NOBODY_AT_C, NOWHERE],
            b"odd".to_vec(),
        ))
        .await
        .unwrap();
    let done = wait_for(Duration::from_secs(60), || {
        c.mailbox("carol").len() == 11
            && c.mailbox("dave").len() == 10
            && reports(a, "alice").len() == 2
            && a.queued() + b.queued() + c.queued() == 0
    })
    .await;
    assert!(
        done,
        "carol {} dave {} alice's reports {} queued A {} B {} C {}",
        c.mailbox("carol").len(),
        c.mailbox("dave").len(),
        reports(a, "alice").len(),
        a.queued(),
        b.queued(),
        c.queued()
    );
    // Every content arrived intact, once, with the trace of A and B.
    let mut got: Vec<Vec<u8>> = c
        .mailbox("dave")
        .iter()
        .map(|d| std::fs::read(&d.content).unwrap())
        .collect();
    got.sort();
    sent.sort();
    assert_eq!(got, sent);
    let record = &c.mailbox("dave")[0].record;
    let domains: Vec<&str> = record.trace.iter().map(|t| t.domain.as_str()).collect();
    assert_eq!(domains.len(), 2, "{domains:?}");
    assert!(
        domains[0].contains("PRMD=A") && domains[1].contains("PRMD=B"),
        "{domains:?}"
    );
    // The reports: one made at A (no route), one made at C (no such user), both on `odd`.
    let mut codes: Vec<(String, u32, Option<u32>)> = Vec::new();
    for r in reports(a, "alice") {
        assert_eq!(
            x400_mta::mailbox::mts_identifier_text(&r.content.subject_identifier),
            odd
        );
        for f in &r.content.per_recipient_fields {
            let x400_p1::mts_abstract_service::ReportType::NonDelivery(nd) =
                &f.last_trace_information.report_type
            else {
                panic!("a delivery report nobody asked for: {f:?}");
            };
            codes.push((
                x400_p1::or_address_text::render(&f.actual_recipient_name),
                nd.non_delivery_reason_code,
                nd.non_delivery_diagnostic_code,
            ));
        }
    }
    codes.sort();
    // X.411: unable-to-transfer(1) with unrecognised-OR-name(0) for both.
    assert_eq!(
        codes,
        [
            (NOWHERE.to_string(), 1, Some(0)),
            (NOBODY_AT_C.to_string(), 1, Some(0))
        ]
    );
    let t = a.mta.totals();
    assert_eq!((t.submitted, t.reports), (11, 1), "{t:?}");
    assert_eq!(
        b.mta.totals().relayed,
        11 + 1,
        "B relayed the messages and C's report"
    );
    for n in nodes {
        n.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_cross_three_mtas_and_reports_come_back_1988() {
    relay_through_three(Protocol::P1988X410, Protocol::P1988X410).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_cross_three_mtas_and_reports_come_back_1984_between_b_and_c() {
    relay_through_three(Protocol::P1988X410, Protocol::P1984).await;
}
