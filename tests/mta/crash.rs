//! Three MTAs A → B → C in processes of their own, B killed with SIGKILL again and again at
//! random moments and restarted on its store, A and C once each: afterwards every recipient
//! has exactly one delivered copy, intact, or its originator exactly one non-delivery report,
//! and nothing is left queued anywhere.
//!
//! The reduced form runs in the test suite; `ci/mta-kill9.sh` runs the full size (1,000
//! messages, 1 to 50 recipients, 1 KiB to 4 MiB, 20 kills of B) through the variables below.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use x400_mta::Protocol;
use x400_mta::mailbox::{Mailbox, mts_identifier_text};
use x400_p1::mta_abstract_service::MtsApdu;
use x400_p1::mts_abstract_service::ReportType;
use x400_test_kit::Rng;
use x400_test_kit::mta::crash::{NODE_ENV, NodeProcess, run_node, spawn_all};
use x400_test_kit::mta::net::{Spec, chain};

const NOBODY_AT_C: &str = "C=GB;ADMD= ;PRMD=C;S=Nobody";
const NOWHERE: &str = "C=FR;ADMD= ;PRMD=X;S=Nowhere";
/// Local users at C; with the two bad recipients, the 50 a message may go to.
const USERS_AT_C: usize = 48;
/// This test's name in the binary: the node processes run it with [`NODE_ENV`] set.
const NODE_TEST: &str = "mta::crash::mta_node";

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

/// The size of a run, from the environment (`ci/mta-kill9.sh`) or the reduced defaults.
struct Size {
    messages: usize,
    b_kills: usize,
    max_recipients: usize,
    max_content: usize,
    seed: u64,
}

impl Size {
    fn from_env() -> Self {
        let var = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Self {
            messages: var("X400_KILL9_MESSAGES", 200),
            b_kills: var("X400_KILL9_B_KILLS", 5),
            max_recipients: var("X400_KILL9_MAX_RECIPIENTS", 5).clamp(1, USERS_AT_C + 2),
            max_content: var("X400_KILL9_MAX_CONTENT", 64 * 1024).max(1024),
            seed: var("X400_KILL9_SEED", 9) as u64,
        }
    }
}

fn user_at_c(i: usize) -> (String, String) {
    (format!("u{i:02}"), format!("C=GB;ADMD= ;PRMD=C;S=U{i:02}"))
}

fn specs() -> [Spec; 3] {
    let p = Protocol::P1988X410;
    let [a, b, mut c] = chain(p, p);
    for i in 0..USERS_AT_C {
        let (u, a) = user_at_c(i);
        c = c.user(&u, &a);
    }
    let mut specs = [a, b, c];
    for s in &mut specs {
        s.lease = Some(Duration::from_secs(2));
    }
    specs
}

/// The content a node makes for `submit SEED LEN` (see `run_node`).
fn content(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap().wrapping_mul(31) ^ seed)
        .collect()
}

/// One submitted message: its seed, length and recipients.
struct Sent {
    seed: u8,
    len: usize,
    to: Vec<String>,
}

fn log_tails(dir: &Path) -> String {
    let mut out = String::new();
    for n in ["A", "B", "C"] {
        let text = std::fs::read_to_string(dir.join(format!("{n}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        out += &format!("--- {n}.log (last 15 lines)\n");
        for l in &lines[lines.len().saturating_sub(15)..] {
            out += l;
            out.push('\n');
        }
    }
    out
}

#[test]
// The log-uniform content length is computed in floating point and fits a usize.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]
fn kill_9_loses_nothing_and_duplicates_nothing() {
    if std::env::var(NODE_ENV).is_ok() {
        return;
    }
    let size = Size::from_env();
    let mut rng = Rng::new(size.seed);
    let tmp = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut nodes = spawn_all(&exe, NODE_TEST, &specs(), tmp.path());
    let started = Instant::now();

    // Submit at A; kill B at random moments in between (and once more while the queues
    // drain), A once half-way and C once at three quarters.
    let mut sent: BTreeMap<String, Sent> = BTreeMap::new();
    let kill_every = size.messages / (size.b_kills + 1).max(1);
    let mut b_kills = 0;
    let pool: Vec<String> = (0..USERS_AT_C)
        .map(|i| user_at_c(i).1)
        .chain([NOBODY_AT_C.to_string(), NOWHERE.to_string()])
        .collect();
    for m in 0..size.messages {
        let n = 1 + rng.index(size.max_recipients);
        let mut to: Vec<String> = Vec::new();
        while to.len() < n {
            let r = pool[rng.index(pool.len())].clone();
            if !to.contains(&r) {
                to.push(r);
            }
        }
        // Log-uniform between 1 KiB and the largest content.
        let span = (size.max_content as f64 / 1024.0).ln();
        let len = (1024.0 * (span * rng.below(1_000_000) as f64 / 1e6).exp()) as usize;
        let seed = u8::try_from(m % 256).unwrap();
        let answer = nodes[0].command(&format!("submit {seed} {len} {}", to.join("|")));
        let id = answer
            .strip_prefix("submitted ")
            .unwrap_or_else(|| panic!("submission {m}: {answer}"))
            .to_string();
        sent.insert(id, Sent { seed, len, to });
        if kill_every > 0 && m % kill_every == kill_every - 1 && b_kills < size.b_kills {
            std::thread::sleep(rng.between(Duration::ZERO, Duration::from_millis(300)));
            nodes[1].kill_and_restart();
            b_kills += 1;
        }
        if m == size.messages / 2 {
            nodes[0].kill_and_restart();
        }
        if m == size.messages * 3 / 4 {
            nodes[2].kill_and_restart();
        }
    }
    while b_kills < size.b_kills {
        std::thread::sleep(rng.between(Duration::ZERO, Duration::from_millis(500)));
        nodes[1].kill_and_restart();
        b_kills += 1;
    }
    let submitted_in = started.elapsed();

    // Drain: every queue empty.
    let limit = Duration::from_secs(120 + (size.messages as u64) / 2);
    let drained_from = Instant::now();
    let mut queued = usize::MAX;
    while drained_from.elapsed() < limit {
        queued = nodes.iter_mut().map(NodeProcess::queued).sum();
        if queued == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        queued,
        0,
        "still queued after {limit:?}\n{}",
        log_tails(tmp.path())
    );
    let drained_in = drained_from.elapsed();

    // Count what arrived: copies per (message, recipient) at C, reports per (message,
    // recipient) in Alice's mailbox at A.
    let mut delivered: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut bytes = 0u64;
    let c_box = Mailbox::new(tmp.path().join("C").join("mail"));
    for i in 0..USERS_AT_C {
        let (user, address) = user_at_c(i);
        for d in c_box.list(&user).unwrap() {
            let id = d.record.mts_identifier.clone();
            let got = std::fs::read(&d.content).unwrap();
            let s = sent
                .get(&id)
                .unwrap_or_else(|| panic!("{user} got a message nobody sent: {id}"));
            assert!(
                got == content(s.seed, s.len),
                "{user}: content of {id} differs"
            );
            bytes += got.len() as u64;
            *delivered.entry((id, address.clone())).or_default() += 1;
        }
    }
    let mut reported: BTreeMap<(String, String), usize> = BTreeMap::new();
    let a_box = Mailbox::new(tmp.path().join("A").join("mail"));
    for d in a_box.list("alice").unwrap() {
        assert_eq!(d.record.content_type, "report", "alice got a message");
        let bytes = std::fs::read(&d.content).unwrap();
        let MtsApdu::Report(r) = x400_p1::decode::<MtsApdu>(&bytes).unwrap() else {
            panic!("not a report in alice's mailbox");
        };
        let id = mts_identifier_text(&r.content.subject_identifier);
        for f in &r.content.per_recipient_fields {
            assert!(
                matches!(
                    f.last_trace_information.report_type,
                    ReportType::NonDelivery(_)
                ),
                "a delivery report nobody asked for"
            );
            let to = x400_p1::or_address_text::render(&f.actual_recipient_name);
            *reported.entry((id.clone(), to)).or_default() += 1;
        }
    }

    // Exactly one outcome per recipient, the right one.
    let mut expected_delivered = 0;
    let mut expected_reported = 0;
    for (id, s) in &sent {
        for to in &s.to {
            let key = (id.clone(), to.clone());
            let (d, r) = (
                delivered.get(&key).copied().unwrap_or(0),
                reported.get(&key).copied().unwrap_or(0),
            );
            if to == NOBODY_AT_C || to == NOWHERE {
                expected_reported += 1;
                assert_eq!((d, r), (0, 1), "{to} of {id}");
            } else {
                expected_delivered += 1;
                assert_eq!((d, r), (1, 0), "{to} of {id}");
            }
        }
    }
    assert_eq!(delivered.values().sum::<usize>(), expected_delivered);
    assert_eq!(reported.values().sum::<usize>(), expected_reported);
    eprintln!(
        "kill -9: {} messages, {expected_delivered} copies delivered ({bytes} octets), \
         {expected_reported} non-delivery reports, B killed {b_kills} times, A and C once; \
         submitted in {submitted_in:.1?}, drained in {drained_in:.1?}",
        sent.len()
    );
    for n in nodes {
        n.stop();
    }
}
