//! Oracle for the MTA's store boundary: transfer APDUs as the wire brings them, in any pieces,
//! taken into a real store (SQLite and its spool, in a temporary directory) through
//! [`x400_mta::mta::Arrival`], exactly the path an association's APDUs take. Some are
//! abandoned half-way (a connection lost), some sent again (a peer's retry).
//!
//! Promises checked, whatever the octets:
//! * nothing panics, and each APDU ends in a typed answer;
//! * an APDU refused or abandoned leaves the queue and the spool as they were;
//! * an APDU accepted is in the queue, and its content reads back at its stated length;
//! * the same APDU from the same peer, accepted before, is a duplicate and adds nothing;
//! * the spool holds exactly the files of the queued messages, no more.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use x400_mta::mailbox::LocalUsers;
use x400_mta::mta::{Mta, MtaConfig};
use x400_mta::routing::{OrPattern, Route, RouteTable, Target};
use x400_mta::shell::{Shell, ShellConfig};
use x400_mta::store::{Accepted, Content, SPOOL, SqliteStore, Store, StoreConfig};
use x400_mta::{Accounting, Limits, PeerTable, Protocol};

use super::input::Input;

/// The most APDUs one input sends.
const MAX_APDUS: usize = 4;
/// Content kept in the database up to this; beyond, in a spool file (small, so that fuzzing
/// reaches the spool).
const INLINE: usize = 256;
/// The small MTA's content limit: beyond it a message is reported as too long.
const SMALL_MAX_CONTENT: u64 = 2048;

/// One MTA of the oracle and its store directory.
struct Node {
    mta: Mta,
    dir: PathBuf,
}

/// Two MTAs (the content limit differs), made once per process: opening a store costs a
/// schema check and an fsync, far more than one input.
fn nodes() -> &'static [Node; 2] {
    static NODES: OnceLock<([Node; 2], tempfile::TempDir)> = OnceLock::new();
    &NODES
        .get_or_init(|| {
            // A memory file system when there is one: every commit is synced.
            let shm = Path::new("/dev/shm");
            let tmp = if shm.is_dir() {
                tempfile::tempdir_in(shm)
            } else {
                tempfile::tempdir()
            }
            .unwrap();
            let node = |name: &str, max_content: u64| {
                let dir = tmp.path().join(name);
                let mut store = StoreConfig::new(dir.join("store"));
                store.inline_content = INLINE;
                let store = SqliteStore::open(store).unwrap();
                let pattern = |p: &str| OrPattern::parse(p).unwrap();
                let routes = RouteTable::new(vec![
                    Route::new(pattern("C=GB;ADMD= ;PRMD=B"), Target::Local),
                    Route::new(pattern("C=GB"), Target::Peer("MTA-C".into())),
                ])
                .unwrap();
                let mut users = LocalUsers::new();
                users.add("bob", "C=GB;ADMD= ;PRMD=B;S=Bob").unwrap();
                let mut config =
                    MtaConfig::new(crate::mta::domain("B"), routes, users, dir.join("mail"));
                config.max_content = max_content;
                let shell = Shell::new(
                    ShellConfig::default(),
                    PeerTable::new("MTA-B"),
                    Accounting::new(Limits::default()),
                );
                Node {
                    mta: Mta::new(config, std::sync::Arc::new(store), shell),
                    dir,
                }
            };
            (
                [
                    node("large", MtaConfig::DEFAULT_MAX_CONTENT),
                    node("small", SMALL_MAX_CONTENT),
                ],
                tmp,
            )
        })
        .0
}

/// The queued messages and the spool's files.
fn snapshot(node: &Node) -> (BTreeSet<i64>, BTreeSet<String>) {
    let ids = node
        .mta
        .store()
        .list()
        .unwrap()
        .iter()
        .map(|m| m.id.0)
        .collect();
    let files = std::fs::read_dir(node.dir.join("store").join(SPOOL))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    (ids, files)
}

/// Every queued message loads and reads back whole; the spool holds their files only.
fn check_consistent(node: &Node) {
    let store = node.mta.store();
    let mut referenced = BTreeSet::new();
    for m in store.list().unwrap() {
        let stored = store.load(m.id).unwrap();
        assert_eq!(stored.content.len(), m.content_len, "message {}", m.id.0);
        let mut reader = store.content_reader(&stored.content).unwrap();
        let n = std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
        assert_eq!(
            n, m.content_len,
            "content of message {} reads short",
            m.id.0
        );
        if let Content::Spooled { name, .. } = &stored.content {
            referenced.insert(name.clone());
        }
    }
    let (_, files) = snapshot(node);
    assert_eq!(
        files, referenced,
        "the spool holds files no message refers to"
    );
}

/// The oracle.
pub fn mta_intake(data: &[u8]) {
    let mut inp = Input::new(data);
    let mut previous: Option<(usize, Protocol, Vec<u8>, bool)> = None;
    for _ in 0..MAX_APDUS {
        if inp.done() {
            break;
        }
        // Bit 0: which MTA; 1: P1 1988 or 1984; 2: send the previous APDU again; 3: abandon
        // it half-way; bits 4-7: the size of the pieces.
        let h = inp.byte();
        let (which, protocol, octets) = match (&previous, h & 4 != 0) {
            (Some((w, p, o, _)), true) => (*w, *p, o.clone()),
            _ => {
                let protocol = if h & 2 != 0 {
                    Protocol::P1988X410
                } else {
                    Protocol::P1984
                };
                let len = usize::from(inp.u16());
                (usize::from(h & 1), protocol, inp.bytes(len).to_vec())
            }
        };
        let node = &nodes()[which];
        let before = snapshot(node);
        let piece = 1 + usize::from(h >> 4) * 97;
        let mut arrival = node.mta.arrival("MTA-A", protocol);
        let mut fed = Ok(());
        for chunk in octets.chunks(piece) {
            fed = arrival.data(chunk);
            if fed.is_err() {
                break;
            }
        }
        let abandon = h & 8 != 0;
        let answer = if abandon || fed.is_err() {
            drop(arrival);
            None
        } else {
            Some(arrival.finish())
        };
        let after = snapshot(node);
        match &answer {
            // Queued, or gone at once when no recipient was left to handle (all failed on
            // arrival: reported in the same commit). Nothing queued before is lost.
            Some(Ok(Accepted::New(_))) => {
                assert!(before.0.is_subset(&after.0), "accepting lost messages");
            }
            Some(Ok(Accepted::Duplicate)) => {
                assert_eq!(before, after, "a duplicate changed the queue");
            }
            Some(Err(_)) | None => {
                assert_eq!(before, after, "a refused or abandoned APDU left something");
            }
        }
        // The same APDU from the same peer again, after it was accepted: a duplicate.
        if let Some((w, p, o, true)) = &previous
            && h & 4 != 0
            && *w == which
            && *p == protocol
            && *o == octets
            && !abandon
        {
            assert!(
                matches!(answer, Some(Ok(Accepted::Duplicate))),
                "an APDU accepted before was taken again: {answer:?}"
            );
        }
        let accepted = matches!(answer, Some(Ok(_)));
        let was_accepted = previous.as_ref().is_some_and(|(w, p, o, a)| {
            *a && h & 4 != 0 && *w == which && *p == protocol && *o == octets
        });
        previous = Some((which, protocol, octets, accepted || was_accepted));
        check_consistent(node);
    }
    // Leave the queue empty for the next input; the duplicate memory stays, as it would.
    for node in nodes() {
        for m in node.mta.store().list().unwrap() {
            node.mta.store().delete(m.id).unwrap();
        }
        let (ids, files) = snapshot(node);
        assert!(ids.is_empty() && files.is_empty(), "{ids:?} {files:?}");
    }
}
