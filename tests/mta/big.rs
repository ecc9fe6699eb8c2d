//! One large message relayed A → B → C by three MTAs in processes of their own, each with its
//! peak resident memory under a bound: submitted at A from a reader (`submit-stream`, so A
//! never holds it), spooled and relayed by A and B, delivered into a Maildir at C, and
//! compared there in chunks.
//!
//! The reduced form (64 MiB) runs in the test suite; `ci/mta-1gib.sh` runs 1 GiB in release
//! through the variables below.

use std::time::{Duration, Instant};

use x400_mta::Protocol;
use x400_mta::mailbox::Mailbox;
use x400_mta::mta::{Submission, SubmitError};
use x400_test_kit::mta::crash::{NODE_ENV, NodeProcess, run_node, spawn_all};
use x400_test_kit::mta::memory::same_as_generated;
use x400_test_kit::mta::net::{ALICE, Spec, chain, start};

const CAROL: &str = "C=GB;ADMD= ;PRMD=C;S=Carol";
/// This test's node in the binary: the node processes run it with [`NODE_ENV`] set.
const NODE_TEST: &str = "mta::big::mta_node";
/// The content's seed.
const SEED: u8 = 7;
/// Default content size: 64 MiB, a few seconds in the test suite.
const DEFAULT_OCTETS: u64 = 64 << 20;
/// Default bound on each node's peak resident memory: 128 MiB.
const DEFAULT_MAX_RSS: u64 = 128 << 20;
/// Time allowed for the relay and delivery: this much, plus [`SECONDS_PER_GIB`] per GiB.
const BASE_LIMIT: Duration = Duration::from_secs(60);
/// Time allowed per GiB of content: three spool writes and two transfers over loopback in a
/// debug build, with room for a machine shared with other builds.
const SECONDS_PER_GIB: u64 = 900;
/// How often the queues and the mailbox are looked at.
const POLL: Duration = Duration::from_millis(200);

/// Not a test of its own: the body of a node process (see `x400_test_kit::mta::crash`).
#[test]
fn mta_node() {
    if let Ok(path) = std::env::var(NODE_ENV) {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .try_init();
        run_node(&path);
    }
}

fn var(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn specs() -> [Spec; 3] {
    let p = Protocol::P1988X410;
    let [a, b, c] = chain(p, p);
    [a, b, c.user("carol", CAROL)]
}

fn mib(octets: u64) -> f64 {
    // Display only.
    #[allow(clippy::cast_precision_loss)]
    let x = octets as f64;
    x / f64::from(1u32 << 20)
}

#[test]
fn a_large_message_crosses_three_mtas_in_bounded_memory() {
    if std::env::var(NODE_ENV).is_ok() {
        return;
    }
    let octets = var("X400_BIG_OCTETS", DEFAULT_OCTETS);
    let max_rss = var("X400_BIG_MAX_RSS", DEFAULT_MAX_RSS);
    let tmp = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut nodes = spawn_all(&exe, NODE_TEST, &specs(), tmp.path());
    let idle: Vec<u64> = nodes.iter().map(|n| n.peak_rss().unwrap()).collect();

    let started = Instant::now();
    let answer = nodes[0].command(&format!("submit-stream {SEED} {octets} {CAROL}"));
    let id = answer
        .strip_prefix("submitted ")
        .unwrap_or_else(|| panic!("submission: {answer}"))
        .to_string();
    let submitted_in = started.elapsed();

    let limit = BASE_LIMIT + Duration::from_secs(SECONDS_PER_GIB * octets.div_ceil(1 << 30));
    let carol = Mailbox::new(tmp.path().join("C").join("mail"));
    let mut delivered = Vec::new();
    while started.elapsed() < limit {
        delivered = carol.list("carol").unwrap();
        if delivered.len() == 1 && nodes.iter_mut().map(NodeProcess::queued).sum::<usize>() == 0 {
            break;
        }
        std::thread::sleep(POLL);
    }
    let took = started.elapsed();
    // Read before the nodes stop: the figures go with the processes.
    let peaks: Vec<u64> = nodes.iter().map(|n| n.peak_rss().unwrap()).collect();
    let queued: Vec<usize> = nodes.iter_mut().map(NodeProcess::queued).collect();
    for n in nodes {
        n.stop();
    }

    assert_eq!(
        delivered.len(),
        1,
        "not delivered to carol within {limit:?}"
    );
    assert_eq!(queued, [0, 0, 0], "still queued at A, B, C");
    let copy = &delivered[0];
    assert_eq!(copy.record.mts_identifier, id);
    assert_eq!(copy.record.content_length, octets);
    assert!(
        same_as_generated(&copy.content, SEED, octets).unwrap(),
        "carol's copy of {id} differs from what was submitted"
    );
    let report: Vec<String> = ["A", "B", "C"]
        .iter()
        .zip(idle.iter().zip(&peaks))
        .map(|(n, (i, p))| format!("{n} {:.1} MiB (idle {:.1})", mib(*p), mib(*i)))
        .collect();
    eprintln!(
        "big message: {:.0} MiB relayed A -> B -> C and delivered in {took:.1?} \
         (submitted in {submitted_in:.1?}); peak RSS {}; bound {:.0} MiB",
        mib(octets),
        report.join(", "),
        mib(max_rss)
    );
    for (n, p) in ["A", "B", "C"].iter().zip(&peaks) {
        assert!(
            *p < max_rss,
            "MTA {n} peaked at {:.1} MiB of resident memory, over {:.0} MiB",
            mib(*p),
            mib(max_rss)
        );
    }
}

/// `submit_from` takes the content from its reader alone: a submission with content of its
/// own as well is refused, and nothing is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_given_twice_is_refused() {
    if std::env::var(NODE_ENV).is_ok() {
        return;
    }
    let [a, ..] = specs();
    let node = start(&[a]).await.pop().unwrap();
    let twice = Submission::new(ALICE, &[CAROL], b"in memory".to_vec());
    let refused = node.mta.submit_from(twice, &b"and from a reader"[..]).await;
    assert!(
        matches!(refused, Err(SubmitError::Content(_))),
        "{refused:?}"
    );
    assert_eq!(node.queued(), 0);
    node.stop().await;
}
