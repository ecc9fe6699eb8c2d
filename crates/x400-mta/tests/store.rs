//! The durable queue: what is accepted survives reopening, a duplicate is recognised, claimed
//! work comes back after a crash, concurrent accepts share commits, and a damaged store
//! refuses to open.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use x400_mta::store::{
    Accepted, Content, Failure, Kind, NewMessage, NewRecipient, Outcome, SPOOL, SqliteStore, Store,
    StoreConfig, StoreError, Target,
};

const LEASE: Duration = Duration::from_secs(60);

fn message(dedup: &str, content: Content, hops: &[Result<Target, Failure>]) -> NewMessage {
    let now = SystemTime::now();
    NewMessage {
        kind: Kind::Message,
        mts_id: format!("[C=GB;ADMD= ;PRMD=TEST]{dedup}"),
        origin: Some("MTA-A".into()),
        dedup: dedup.into(),
        envelope: vec![0x31, 0x00],
        content,
        arrival: now,
        expires: now + Duration::from_secs(3600),
        recipients: hops
            .iter()
            .enumerate()
            .map(|(i, h)| NewRecipient {
                index: u32::try_from(i).unwrap(),
                address: format!("C=GB;ADMD= ;PRMD=TEST;S=User{i}"),
                next: h.clone(),
            })
            .collect(),
    }
}

fn peer(name: &str) -> Result<Target, Failure> {
    Ok(Target::Peer(name.into()))
}

fn unroutable() -> Result<Target, Failure> {
    Err(Failure {
        reason: 0,
        diagnostic: Some(0),
        words: "no route".into(),
    })
}

fn open(dir: &std::path::Path) -> SqliteStore {
    SqliteStore::open(StoreConfig::new(dir)).unwrap()
}

/// Content large enough to be spooled, written through the store's writer.
fn spooled(store: &SqliteStore, len: usize) -> Content {
    let mut w = store.content_writer();
    for chunk in vec![0xA5u8; len].chunks(10_000) {
        w.write(chunk).unwrap();
    }
    let c = w.finish().unwrap();
    assert!(matches!(c, Content::Spooled { .. }), "{c:?}");
    c
}

fn spool_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join(SPOOL)).unwrap().count()
}

#[test]
fn accepted_survives_reopen_and_leaves_once_relayed() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    let content = spooled(&store, 200_000);
    let id = match store
        .accept(
            message("m1", content, &[peer("B"), Ok(Target::Local), peer("B")]),
            vec![],
        )
        .unwrap()
    {
        Accepted::New(id) => id,
        other => panic!("{other:?}"),
    };
    drop(store);
    // A new process finds it as it was.
    let store = open(tmp.path());
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].content_len, 200_000);
    assert_eq!(listed[0].recipients.len(), 3);
    let now = SystemTime::now();
    let hops = store.due_hops(now).unwrap();
    assert_eq!(hops.len(), 2);
    assert!(hops.contains(&Target::Local) && hops.contains(&Target::Peer("B".into())));
    let jobs = store
        .claim(&Target::Peer("B".into()), now, LEASE, 10)
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].recipients, [0, 2]);
    let stored = store.load(id).unwrap();
    let mut back = Vec::new();
    std::io::Read::read_to_end(
        &mut store.content_reader(&stored.content).unwrap(),
        &mut back,
    )
    .unwrap();
    assert_eq!(back, vec![0xA5u8; 200_000]);
    store.settle(&jobs[0], Outcome::Relayed, vec![]).unwrap();
    assert_eq!(
        store.list().unwrap().len(),
        1,
        "the local recipient is left"
    );
    let local = store.claim(&Target::Local, now, LEASE, 10).unwrap();
    store.settle(&local[0], Outcome::Delivered, vec![]).unwrap();
    assert!(store.list().unwrap().is_empty());
    assert_eq!(spool_files(tmp.path()), 0, "the spool file went with it");
}

#[test]
fn a_duplicate_is_acknowledged_not_queued() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    let first = store
        .accept(
            message("dup", Content::Inline(b"x".to_vec()), &[peer("B")]),
            vec![],
        )
        .unwrap();
    assert!(matches!(first, Accepted::New(_)));
    assert!(store.is_duplicate("dup").unwrap());
    let content = spooled(&store, 100_000);
    let again = store
        .accept(message("dup", content, &[peer("B")]), vec![])
        .unwrap();
    assert_eq!(again, Accepted::Duplicate);
    assert_eq!(store.list().unwrap().len(), 1);
    assert_eq!(
        spool_files(tmp.path()),
        0,
        "the duplicate's content was dropped"
    );
    // Still a duplicate after it left the queue, and after a restart.
    let jobs = store
        .claim(&Target::Peer("B".into()), SystemTime::now(), LEASE, 1)
        .unwrap();
    store.settle(&jobs[0], Outcome::Relayed, vec![]).unwrap();
    drop(store);
    let store = open(tmp.path());
    let again = store
        .accept(
            message("dup", Content::Inline(b"x".to_vec()), &[peer("B")]),
            vec![],
        )
        .unwrap();
    assert_eq!(again, Accepted::Duplicate);
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn a_duplicate_brings_no_second_report() {
    // A message with an unroutable recipient, sent again by its peer: the non-delivery
    // report made with it the first time is not queued again (found by the mta_intake fuzz
    // target: each resend reported the recipient once more).
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    let with_report = |dedup: &str| {
        let m = message(
            dedup,
            Content::Inline(b"x".to_vec()),
            &[peer("B"), unroutable()],
        );
        let mut r = message(
            &format!("report on {dedup}"),
            Content::Inline(vec![]),
            &[peer("A")],
        );
        r.kind = Kind::Report;
        (m, vec![r])
    };
    let (m, reports) = with_report("m");
    assert!(matches!(
        store.accept(m, reports).unwrap(),
        Accepted::New(_)
    ));
    assert_eq!(store.list().unwrap().len(), 2, "the message and its report");
    // The resend's report has a fresh identifier, as a new one would.
    let (m, mut reports) = with_report("m");
    reports[0].dedup = "report on m, made again".into();
    assert_eq!(store.accept(m, reports).unwrap(), Accepted::Duplicate);
    assert_eq!(store.list().unwrap().len(), 2, "no second report");
}

#[test]
fn claimed_work_comes_back_when_its_lease_runs_out() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    store
        .accept(
            message("m", Content::Inline(vec![1; 10]), &[peer("B")]),
            vec![],
        )
        .unwrap();
    let now = SystemTime::now();
    let b = Target::Peer("B".into());
    assert_eq!(store.claim(&b, now, LEASE, 10).unwrap().len(), 1);
    // Claimed: not due again within the lease, even for another process.
    assert!(store.claim(&b, now, LEASE, 10).unwrap().is_empty());
    drop(store); // the process dies holding the claim
    let store = open(tmp.path());
    assert!(
        store
            .claim(&b, now + LEASE / 2, LEASE, 10)
            .unwrap()
            .is_empty()
    );
    let again = store.claim(&b, now + LEASE, LEASE, 10).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1, "the lost attempt counts");
    // A retry sets the next attempt and keeps the error for the listing.
    let later = now + LEASE + Duration::from_secs(300);
    store
        .settle(
            &again[0],
            Outcome::Retry {
                next: later,
                error: "MTA \"B\" refused: busy".into(),
            },
            vec![],
        )
        .unwrap();
    let listed = store.list().unwrap();
    assert_eq!(
        listed[0].recipients[0].last_error.as_deref(),
        Some("MTA \"B\" refused: busy")
    );
    assert!(
        store
            .claim(&b, later - Duration::from_secs(1), LEASE, 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.claim(&b, later, LEASE, 10).unwrap().len(), 1);
}

#[test]
fn unroutable_recipients_fail_at_once_with_their_report_in_the_same_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    let mut report = message("report-1", Content::Inline(vec![]), &[Ok(Target::Local)]);
    report.kind = Kind::Report;
    report.origin = None;
    store
        .accept(
            message("m", Content::Inline(vec![1]), &[unroutable(), unroutable()]),
            vec![report],
        )
        .unwrap();
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        listed[0].kind,
        Kind::Report,
        "the message itself left at once"
    );
}

#[test]
fn expired_messages_are_claimed_for_their_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    let mut m = message("old", Content::Inline(vec![1]), &[peer("B"), peer("C")]);
    m.expires = m.arrival + Duration::from_secs(10);
    store.accept(m, vec![]).unwrap();
    let now = SystemTime::now();
    assert!(store.claim_expired(now, LEASE, 10).unwrap().is_empty());
    let jobs = store
        .claim_expired(now + Duration::from_secs(11), LEASE, 10)
        .unwrap();
    assert_eq!(jobs.len(), 2, "one job per next hop: {jobs:?}");
    for j in &jobs {
        let failure = Failure {
            reason: 0,
            diagnostic: Some(5),
            words: "expired".into(),
        };
        store.settle(j, Outcome::Failed(failure), vec![]).unwrap();
    }
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn concurrent_accepts_share_commits() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(open(tmp.path()));
    let before = store.commits();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for i in 0..100 {
                    let m = message(
                        &format!("t{t}-{i}"),
                        Content::Inline(vec![0; 2048]),
                        &[peer("B")],
                    );
                    assert!(matches!(store.accept(m, vec![]).unwrap(), Accepted::New(_)));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(store.list().unwrap().len(), 800);
    let commits = store.commits() - before;
    assert!(commits < 800, "{commits} commits for 800 messages");
    eprintln!("800 accepts from 8 threads: {commits} commits");
}

#[test]
fn a_full_database_refuses_new_messages_and_keeps_the_old() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = StoreConfig::new(tmp.path());
    config.max_database_bytes = Some(256 << 10);
    let store = SqliteStore::open(config).unwrap();
    let mut accepted = 0;
    let err = loop {
        let m = message(
            &format!("m{accepted}"),
            Content::Inline(vec![7; 8000]),
            &[peer("B")],
        );
        match store.accept(m, vec![]) {
            Ok(_) => accepted += 1,
            Err(e) => break e,
        }
        assert!(accepted < 1000, "the limit was not applied");
    };
    assert!(
        matches!(err, StoreError::Database(_) | StoreError::Commit(_)),
        "{err}"
    );
    assert!(err.to_string().contains("full"), "{err}");
    assert!(accepted > 5);
    assert_eq!(store.list().unwrap().len(), accepted);
    // Room again once something leaves.
    let jobs = store
        .claim(&Target::Peer("B".into()), SystemTime::now(), LEASE, 10)
        .unwrap();
    for j in &jobs {
        store.settle(j, Outcome::Relayed, vec![]).unwrap();
    }
    let m = message("after", Content::Inline(vec![7; 8000]), &[peer("B")]);
    assert!(matches!(store.accept(m, vec![]).unwrap(), Accepted::New(_)));
}

#[test]
fn a_damaged_store_refuses_to_open() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    let content = spooled(&store, 100_000);
    let Content::Spooled { name, .. } = &content else {
        panic!()
    };
    let name = name.clone();
    store
        .accept(message("m", content, &[peer("B")]), vec![])
        .unwrap();
    drop(store);
    // A spool file lost behind the store's back.
    std::fs::remove_file(tmp.path().join(SPOOL).join(&name)).unwrap();
    let err = SqliteStore::open(StoreConfig::new(tmp.path())).unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
    assert!(err.to_string().contains("missing"), "{err}");
    // A database file that is not one.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(
        other.path().join(x400_mta::store::DATABASE),
        vec![0x55; 8192],
    )
    .unwrap();
    let err = SqliteStore::open(StoreConfig::new(other.path())).unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
}

#[test]
fn leftovers_of_unaccepted_transfers_are_removed_at_open() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    // One transfer finished writing but was never accepted (crash before the commit); one
    // was cut while writing.
    let _orphan = spooled(&store, 100_000);
    let mut cut = store.content_writer();
    cut.write(&vec![1; 100_000]).unwrap();
    core::mem::forget(cut);
    assert_eq!(spool_files(tmp.path()), 2);
    drop(store);
    let _store = open(tmp.path());
    assert_eq!(spool_files(tmp.path()), 0);
}

#[test]
fn a_database_damaged_on_disk_fails_the_integrity_check_at_open() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    for i in 0..300 {
        let m = message(
            &format!("m{i}"),
            Content::Inline(vec![7; 2000]),
            &[peer("B")],
        );
        store.accept(m, vec![]).unwrap();
    }
    drop(store);
    // Pages in the middle of the file overwritten, as a failing disk or a stray write does.
    let path = tmp.path().join(x400_mta::store::DATABASE);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 64 * 4096, "{} octets", bytes.len());
    for b in &mut bytes[20 * 4096..24 * 4096] {
        *b = 0x55;
    }
    std::fs::write(&path, bytes).unwrap();
    let err = SqliteStore::open(StoreConfig::new(tmp.path())).unwrap_err();
    assert!(matches!(err, StoreError::Integrity(_)), "{err}");
    assert!(err.to_string().contains("queue.sqlite3"), "{err}");
}

#[test]
fn one_process_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let store = open(tmp.path());
    // A second opener (another MTA, or an operator's tool) is told, not let in: its start-up
    // clean-up would remove the spool files of transfers in progress.
    let err = SqliteStore::open(StoreConfig::new(tmp.path())).unwrap_err();
    assert!(matches!(err, StoreError::InUse(_)), "{err}");
    assert!(
        err.to_string().contains("in use by another process"),
        "{err}"
    );
    drop(store);
    open(tmp.path());
}
