//! Expiry: a message that cannot be relayed before its time is up (its next hop is down) is
//! reported to its originator as not delivered, `transfer-failure` with
//! `maximum-time-expired` (X.411 8.3.1.2.1.10), and leaves the queue.

use std::time::Duration;

use x400_mta::Protocol;
use x400_mta::mta::Submission;
use x400_p1::mta_abstract_service::MtsApdu;
use x400_p1::mts_abstract_service::ReportType;
use x400_test_kit::mta::net::{ALICE, chain, start, wait_for};

const CAROL: &str = "C=GB;ADMD= ;PRMD=C;S=Carol";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_past_its_expiry_is_reported_and_leaves_the_queue() {
    let p = Protocol::P1988X410;
    // A alone: its next hop B does not exist, so every attempt fails.
    let [mut a, _, _] = chain(p, p);
    a.expiry = Some(Duration::from_secs(2));
    let nodes = start(&[a]).await;
    let a = &nodes[0];
    let id = a
        .mta
        .submit(Submission::new(ALICE, &[CAROL], b"too late".to_vec()))
        .await
        .unwrap();
    // Still queued (retrying) before its expiry.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(a.queued(), 1, "retried until it expires");
    let done = wait_for(Duration::from_secs(20), || {
        a.queued() == 0 && a.mailbox("alice").len() == 1
    })
    .await;
    assert!(
        done,
        "queued {} reports {}",
        a.queued(),
        a.mailbox("alice").len()
    );
    let d = &a.mailbox("alice")[0];
    let MtsApdu::Report(r) =
        x400_p1::decode::<MtsApdu>(&std::fs::read(&d.content).unwrap()).unwrap()
    else {
        panic!("not a report");
    };
    assert_eq!(
        x400_mta::mailbox::mts_identifier_text(&r.content.subject_identifier),
        id
    );
    let [f] = &r.content.per_recipient_fields[..] else {
        panic!("one recipient: {:?}", r.content.per_recipient_fields);
    };
    let ReportType::NonDelivery(nd) = &f.last_trace_information.report_type else {
        panic!("not a non-delivery: {f:?}");
    };
    // transfer-failure(0): the MTS could not get it there in time; maximum-time-expired(5).
    assert_eq!(
        (nd.non_delivery_reason_code, nd.non_delivery_diagnostic_code),
        (0, Some(5))
    );
    for n in nodes {
        n.stop().await;
    }
}
