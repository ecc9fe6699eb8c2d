//! Capture files: two gateways exchange messages with captures on (one by `--capture`, the
//! other by `[capture]` with a tiny `max_bytes`, so its files are continued); every file
//! passes the conformance kit's `tshark_check.sh` with the kit's documented ignores, and
//! `decode --pcap` explains it without an error.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{Running, WAIT, example, free_port, gw_ok, pair, text, wait_until};

/// The decode binary, built if needed.
fn decode() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| example("decode"))
}

/// The conformance kit, beside the repository.
fn kit() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance")
}

/// The pcap files in `dir`, sorted.
fn captures(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    files.sort();
    files
}

/// `tshark_check.sh` on `pcap` with the kit's documented ignores for X.410 mode (README:
/// tshark hands X.410-mode S-DATA user data to its presentation dissector, which reports
/// `pres.invalid_offset`; the T.125 heuristic mistakes some TPDUs for its own), TPKT on
/// `ports`; TCP warnings count too (`-t`): the made-up conversation must add up.
fn tshark_check(pcap: &Path, ports: &str) {
    let out = Command::new("bash")
        .arg(kit().join("tshark_check.sh"))
        .args(["-t", "-p", ports, "-i", "pres.invalid_offset"])
        .arg(pcap)
        .args(["--", "--disable-heuristic", "t125_cotp"])
        .output()
        .expect("tshark_check.sh");
    assert_eq!(
        out.status.code(),
        Some(0),
        "tshark_check.sh {} (run the kit's setup.sh if tshark is missing):\n{}{}",
        pcap.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// `decode --pcap` on `pcap`: exit 0 and no error in its report.
fn decode_check(pcap: &Path) {
    let out = Command::new(decode())
        .arg("--pcap")
        .arg(pcap)
        .output()
        .expect("decode");
    let report = text(&out.stdout);
    assert!(
        out.status.success() && !report.contains("  error: "),
        "decode --pcap {}: {}\n{report}{}",
        pcap.display(),
        out.status,
        text(&out.stderr)
    );
    assert!(report.contains("TPKT"), "nothing decoded:\n{report}");
}

#[test]
fn captures_of_two_gateways_dissect_in_tshark_and_decode_and_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (free_port(), free_port());
    // B's files are continued after 1 000 octets: each association needs several.
    let (a, b) = pair(
        dir.path(),
        (pa, pb),
        ["", "[capture]\ndir = \"B-capture\"\nmax_bytes = 1000\n"],
    );
    let a_dir = dir.path().join("A-capture");
    let b_dir = dir.path().join("B-capture");
    let ma = Running::start_with(&a, &["--capture", a_dir.to_str().unwrap()]);
    let mb = Running::start(&b);

    let body = dir.path().join("body.txt");
    std::fs::write(&body, "Hello\r\n".repeat(200)).unwrap();
    let body = body.to_str().unwrap();
    for (m, from, to) in [
        (
            &ma,
            "C=GB;ADMD= ;PRMD=A;S=alice",
            "C=GB;ADMD= ;PRMD=B;S=bob",
        ),
        (
            &mb,
            "C=GB;ADMD= ;PRMD=B;S=bob",
            "C=GB;ADMD= ;PRMD=A;S=alice",
        ),
    ] {
        gw_ok(&[
            "submit",
            "--config",
            m.cfg(),
            "--from",
            from,
            "--to",
            to,
            "--subject",
            "captured",
            "--delivery-report",
            body,
        ]);
    }
    let has = |m: &Running, user: &str| {
        gw_ok(&["mailbox", "--config", m.cfg(), user]).contains("\"captured\"")
    };
    assert!(wait_until(WAIT, || has(&mb, "bob")), "{}", mb.log());
    assert!(wait_until(WAIT, || has(&ma, "alice")), "{}", ma.log());
    // The files are complete (FIN written) once the associations end: stop both MTAs.
    for m in [ma, mb] {
        let log = m.log.clone();
        let status = m.stop();
        assert!(
            status.success(),
            "{status}: {}",
            std::fs::read_to_string(log).unwrap()
        );
    }

    let (a_files, b_files) = (captures(&a_dir), captures(&b_dir));
    assert!(!a_files.is_empty(), "no capture in {}", a_dir.display());
    // Names: <unix-time>-<peer-or-address>-<in|out>-<n>[.k].pcap; A dialled B by name.
    let named = |files: &[PathBuf], part: &str| {
        files
            .iter()
            .any(|f| f.file_name().unwrap().to_str().unwrap().contains(part))
    };
    // Both dialled each other (a message and a report each way), and each saw the other's
    // connection come in from its address.
    assert!(named(&a_files, "-B-out-"), "{a_files:?}");
    assert!(named(&b_files, "-A-out-"), "{b_files:?}");
    assert!(named(&a_files, "-127.0.0.1-"), "{a_files:?}");
    assert!(named(&b_files, "-127.0.0.1-"), "{b_files:?}");
    // Each association has its own files: at least two first files (`...-<n>.pcap`, not
    // `...-<n>.<k>.pcap`) in each directory.
    for files in [&a_files, &b_files] {
        let firsts = files
            .iter()
            .filter(|f| {
                let name = f.file_name().unwrap().to_str().unwrap();
                let stem = name.strip_suffix(".pcap").unwrap();
                let n = stem.rsplit('-').next().unwrap();
                n.chars().all(|c| c.is_ascii_digit())
            })
            .count();
        assert!(firsts >= 2, "{files:?}");
    }
    assert!(
        b_files.iter().any(|f| f
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with(".1.pcap")),
        "B's captures were not continued past max_bytes: {b_files:?}"
    );
    let ports = format!("{pa},{pb}");
    for f in a_files.iter().chain(&b_files) {
        tshark_check(f, &ports);
        decode_check(f);
    }
}
