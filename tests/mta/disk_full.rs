//! A full disk at the MTA in the middle: B's store is on a small tmpfs and its next hop C is
//! down, so what A relays piles up at B until the disk is full. B then takes nothing more (the
//! association is aborted before the APDU is secured, so A keeps the message and retries) and
//! loses nothing it took; once the disk has room again and C is up, every message reaches C
//! exactly once.
//!
//! A real full disk (ENOSPC from the kernel, for the spool files and SQLite alike) needs a
//! tmpfs mount, so root; without it the test says so and does nothing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tokio::net::TcpListener;
use x400_mta::Protocol;
use x400_mta::mta::Submission;
use x400_mta::store::Store;
use x400_test_kit::mta::net::{ALICE, Spec, build, chain, wait_for};

const CAROL: &str = "C=GB;ADMD= ;PRMD=C;S=Carol";
/// Messages A sends: far more than B's disk holds.
const MESSAGES: usize = 40;
/// Content of each: spooled (over the inline limit), 40 of them four times the disk.
const CONTENT: usize = 200 * 1024;
/// B's disk at first, then after it has been given room.
const SMALL: &str = "size=2m";
const LARGE: &str = "size=64m";

/// A tmpfs mounted for the test, unmounted when dropped (even when the test fails).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path) -> Option<Self> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", SMALL, "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Self(dir.to_path_buf()))
    }

    fn grow(&self) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{LARGE}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success(), "remount {}", self.0.display());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn specs() -> [Spec; 3] {
    let p = Protocol::P1988X410;
    let [a, mut b, c] = chain(p, p);
    // A relay attempt B could not record while its disk was full keeps its claim until the
    // lease runs out (nothing is lost; it is tried again then): short here, 10 minutes by
    // default.
    b.lease = Some(Duration::from_secs(2));
    [a, b, c.user("carol", CAROL)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_takes_nothing_more_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(disk) = Tmpfs::mount(&tmp.path().join("B")) else {
        eprintln!("disk_full: cannot mount a tmpfs (not root?); a real full disk is not tested");
        return;
    };
    let specs = specs();
    let la = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lb = TcpListener::bind("127.0.0.1:0").await.unwrap();
    // C's port, free until C starts there.
    let c_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let addrs: [SocketAddr; 3] = [la.local_addr().unwrap(), lb.local_addr().unwrap(), c_addr];
    let address = |name: &str| specs.iter().position(|s| s.name == name).map(|i| addrs[i]);
    let dir = |name: &str| tmp.path().join(name);
    let a = build(&specs[0], &dir("A"), &address);
    let b = build(&specs[1], &dir("B"), &address);
    let tasks = [
        tokio::spawn({
            let a = a.clone();
            async move { a.run(la).await }
        }),
        tokio::spawn({
            let b = b.clone();
            async move { b.run(lb).await }
        }),
    ];
    let mut sent = Vec::new();
    for i in 0..MESSAGES {
        let content = vec![u8::try_from(i).unwrap(); CONTENT];
        a.submit(Submission::new(ALICE, &[CAROL], content))
            .await
            .unwrap();
        sent.push(i);
    }
    // B fills up: A relays what fits and keeps the rest; B refuses with the disk full.
    let queued = |m: &x400_mta::mta::Mta| m.store().list().map(|l| l.len()).unwrap_or(0);
    let full = wait_for(Duration::from_secs(30), || {
        let (qa, qb) = (queued(&a), queued(&b));
        qb > 0 && qa > 0 && qa + qb == MESSAGES
    })
    .await;
    // Give A time to try again (and B to refuse again) a few times.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (qa, qb) = (queued(&a), queued(&b));
    assert!(
        full && qa > 0 && qb > 0 && qa + qb == MESSAGES,
        "with B's disk full, A must keep what B could not take: A {qa} B {qb}"
    );
    assert!(
        qb < MESSAGES / 2,
        "B took {qb} messages of {CONTENT} octets on a 2 MiB disk"
    );
    // B's store is still whole: it lists, and what it took is readable.
    for m in b.store().list().unwrap() {
        let stored = b.store().load(m.id).unwrap();
        assert_eq!(stored.content.len(), CONTENT as u64);
    }
    eprintln!("disk_full: B full with {qb} messages; A keeps {qa}");

    // Room again, and C up: everything arrives once.
    disk.grow();
    let c = build(&specs[2], &dir("C"), &address);
    let lc = TcpListener::bind(c_addr).await.unwrap();
    let c_task = tokio::spawn({
        let c = c.clone();
        async move { c.run(lc).await }
    });
    let carol = |c: &x400_mta::mta::Mta| c.mailbox().list("carol").unwrap();
    let done = wait_for(Duration::from_secs(60), || {
        carol(&c).len() >= MESSAGES && queued(&a) + queued(&b) + queued(&c) == 0
    })
    .await;
    assert!(
        done,
        "carol has {} of {MESSAGES}; queued A {} B {} C {}",
        carol(&c).len(),
        queued(&a),
        queued(&b),
        queued(&c)
    );
    let mut got: Vec<usize> = carol(&c)
        .iter()
        .map(|d| {
            let octets = std::fs::read(&d.content).unwrap();
            assert_eq!(octets.len(), CONTENT);
            assert!(octets.iter().all(|&o| o == octets[0]));
            usize::from(octets[0])
        })
        .collect();
    got.sort_unstable();
    assert_eq!(got, sent, "every message exactly once");
    for m in [&a, &b, &c] {
        m.shutdown().await;
    }
    for t in tasks {
        let _ = t.await;
    }
    let _ = c_task.await;
    drop(disk);
}
