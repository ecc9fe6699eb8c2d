//! Cross-check with asn1tools, the conformance kit's independent BER codec: a few hundred
//! generated messages, probes, reports and binds are encoded by us and decoded by asn1tools
//! (values compared leaf by leaf in `asn1tools_crosscheck.py`), and encoded by asn1tools from
//! our values and decoded by us (values compared here). pycrate, the kit's second codec, also
//! decodes our octets; its re-encoding is decoded by asn1tools and compared with our values again.
//!
//! Needs the kit's venv (`../shared/conformance/setup.sh`). Without it this test fails: a
//! cross-check that silently skips would pass without checking anything.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::expect_used
)]

use std::path::PathBuf;
use std::process::Command;

use super::canon;
use crate::common::{kit, unhex};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use x400_p1::mta_abstract_service::{BilateralDomain, MtaBindArgument, MtaBindResult, MtsApdu};
use x400_p1::{Pdu, decode, encode};
use x400_test_kit::p1 as s;

/// PDUs per kind; 4 kinds of MTS-APDU/bind, so 3 * 100 + 2 * 50 PDUs in all.
const APDUS_PER_KIND: usize = 100;
const BINDS_PER_KIND: usize = 50;

fn venv_python() -> PathBuf {
    let venv = std::env::var_os("CONFORMANCE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache")
                });
            cache.join("x400-conformance/.venv")
        });
    let py = venv.join("bin/python");
    assert!(
        py.exists(),
        "{} missing: run ../shared/conformance/setup.sh (the cross-check must not be skipped)",
        py.display()
    );
    py
}

fn sample<S: Strategy>(runner: &mut TestRunner, strategy: &S, n: usize) -> Vec<S::Value> {
    (0..n)
        .map(|_| strategy.new_tree(runner).unwrap().current())
        .collect()
}

/// Whether octets decode (with x400-p1) to the value a case was made from.
type DecodesBack = Box<dyn Fn(&[u8]) -> bool>;

struct Case {
    asn1_type: &'static str,
    ours: Vec<u8>,
    value: Value,
    check_back: DecodesBack,
}

fn case<T: Pdu + PartialEq + 'static>(asn1_type: &'static str, v: T, value: Value) -> Case {
    let ours = encode(&v).unwrap();
    Case {
        asn1_type,
        ours,
        value,
        check_back: Box::new(move |theirs| decode::<T>(theirs).is_ok_and(|w| w == v)),
    }
}

/// asn1tools 0.169 reads `private-domain { administration-domain-name [0] AdministrationDomainName }`
/// as an explicit `[0]` around the `[APPLICATION 2]` tag; X.680 §31.2.7 makes it implicit (the type
/// is a *tagged* CHOICE), and pycrate 0.8.1 agrees with us (x400-p1's `tests/vectors.rs`). Such values are
/// rewritten to the ADMD alternative before they go to asn1tools.
fn without_private_domain(v: &mut MtsApdu) {
    let list = match v {
        MtsApdu::Message(m) => m.envelope.per_domain_bilateral_information.as_mut(),
        MtsApdu::Probe(p) => p.per_domain_bilateral_information.as_mut(),
        MtsApdu::Report(_) => None,
    };
    for b in list.into_iter().flatten() {
        if let BilateralDomain::PrivateDomain(pd) = &b.domain {
            b.domain =
                BilateralDomain::AdministrationDomainName(pd.administration_domain_name.clone());
        }
    }
}

fn run() {
    // A fixed seed: the same few hundred PDUs every run, so a failure can be reproduced.
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let mut cases = Vec::new();
    for v in sample(&mut runner, &s::message(), APDUS_PER_KIND) {
        let mut v = MtsApdu::Message(v);
        without_private_domain(&mut v);
        cases.push(case("MTS-APDU", v.clone(), canon::mts_apdu(&v)));
    }
    for v in sample(&mut runner, &s::probe(), APDUS_PER_KIND) {
        let mut v = MtsApdu::Probe(v);
        without_private_domain(&mut v);
        cases.push(case("MTS-APDU", v.clone(), canon::mts_apdu(&v)));
    }
    for v in sample(&mut runner, &s::report(), APDUS_PER_KIND) {
        let v = MtsApdu::Report(v);
        cases.push(case("MTS-APDU", v.clone(), canon::mts_apdu(&v)));
    }
    for v in sample(&mut runner, &s::bind_argument(), BINDS_PER_KIND) {
        cases.push(case::<MtaBindArgument>(
            "MTABindArgument",
            v.clone(),
            canon::bind_argument(&v),
        ));
    }
    for v in sample(&mut runner, &s::bind_result(), BINDS_PER_KIND) {
        cases.push(case::<MtaBindResult>(
            "MTABindResult",
            v.clone(),
            canon::bind_result(&v),
        ));
    }

    let dir = std::env::temp_dir().join(format!("x400-p1-crosscheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (inp, outp) = (dir.join("ours.jsonl"), dir.join("theirs.jsonl"));
    let lines: Vec<String> = cases
        .iter()
        .map(|c| json!({"type": c.asn1_type, "hex": c.ours.iter().map(|b| format!("{b:02x}")).collect::<String>(), "value": c.value}).to_string())
        .collect();
    std::fs::write(&inp, lines.join("\n") + "\n").unwrap();

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/p1/asn1tools_crosscheck.py");
    let out = Command::new(venv_python())
        .arg(&script)
        .arg(kit())
        .arg(&inp)
        .arg(&outp)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "asn1tools disagrees with our encodings (see above)"
    );

    // The reverse: asn1tools encoded our values; we must decode them to the same values.
    let theirs = std::fs::read_to_string(&outp).unwrap();
    let mut back = 0;
    for (c, line) in cases.iter().zip(theirs.lines()) {
        let r: Value = serde_json::from_str(line).unwrap();
        let hex = r["hex"].as_str().expect("asn1tools encoded the value");
        assert!(
            (c.check_back)(&unhex(hex)),
            "{}: asn1tools' encoding {hex} decodes to a different value",
            c.asn1_type
        );
        back += 1;
    }
    assert_eq!(back, cases.len());
    println!("x400-p1 decoded {back} asn1tools encodings of its own values to equal values");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn asn1tools_agrees_both_ways() {
    // proptest's value trees for whole PDUs need more stack than a debug test thread has.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}
