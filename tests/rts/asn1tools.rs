//! Cross-check with an independent BER codec: a range of our encoded PDUs is decoded by
//! asn1tools (the conformance kit's venv, with the kit's X410-OACS.asn as the oracle's
//! module) and its values must equal ours. Fails, never skips, when the kit or its venv is
//! missing: run the kit's setup.sh (ci/test.sh does).
//!
//! Not covered, because the oracle module cannot express them: an OCTET STRING calling
//! reference (the module has T61String only) and UTCTimes asn1tools cannot parse (ISODE's
//! 3-digit year); x400-rts's tests/recover.rs covers those against our own decoder.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core,
    clippy::expect_used
)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use x400_rts::rasn::types::BitString;
use x400_rts::{
    AbortInformation, AbortReason, ApplicationProtocol, CallingSsUserReference, ConnectionData,
    DialogueMode, PAccept, PConnect, PRefuse, RefuseReason, SessionConnectionIdentifier, T61String,
    UtcTimeOctets,
};

fn kit() -> PathBuf {
    crate::common::kit()
}

/// The kit's venv python, as the kit's kitenv.py finds it.
fn venv_python() -> PathBuf {
    let venv = std::env::var_os("CONFORMANCE_VENV").map_or_else(
        || {
            let cache = std::env::var_os("XDG_CACHE_HOME").map_or_else(
                || PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache"),
                PathBuf::from,
            );
            cache.join("x400-conformance/.venv")
        },
        PathBuf::from,
    );
    venv.join("bin/python")
}

/// The kit's seeded PRNG, with the draws these values need: deterministic, so a failure
/// reproduces.
struct Rng(x400_test_kit::Rng);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0.index(n)
    }
    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        self.0.pick(from)
    }
    fn u32(&mut self) -> u32 {
        u32::try_from(self.0.next_u64() >> 32).unwrap()
    }
    fn ascii(&mut self, max: usize) -> Vec<u8> {
        (0..=self.below(max))
            .map(|_| b' ' + u8::try_from(self.below(95)).unwrap())
            .collect()
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        write!(s, "{x:02x}").unwrap();
        s
    })
}

const COUNTS: [u32; 10] = [0, 1, 3, 5, 30, 63, 127, 128, 65_535, u32::MAX];

/// One BER value to carry in `open`: bind-like, SEQUENCEs, and long OCTET STRINGs that need
/// the long length forms.
fn open_value(rng: &mut Rng) -> Vec<u8> {
    let len = rng.pick(&[0usize, 5, 127, 128, 300]);
    let payload: Vec<u8> = (0..len)
        .map(|_| u8::try_from(rng.below(256)).unwrap())
        .collect();
    let octet_string = |p: &[u8]| {
        let mut v = vec![0x04];
        match p.len() {
            n @ 0..=0x7f => v.push(u8::try_from(n).unwrap()),
            n @ 0x80..=0xff => v.extend([0x81, u8::try_from(n).unwrap()]),
            n => v.extend(u16::try_from(n).unwrap().to_be_bytes().into_iter().fold(
                vec![0x82],
                |mut a, b| {
                    a.push(b);
                    a
                },
            )),
        }
        v.extend(p);
        v
    };
    match rng.below(4) {
        0 => hex_literal::hex!("a1 11 80 05 4d 54 41 2d 41 a1 08 16 06 73 65 63 72 65 74").to_vec(),
        1 => hex_literal::hex!("02 01 2a").to_vec(),
        2 => {
            let inner = octet_string(&payload[..payload.len().min(100)]);
            let mut v = vec![0x30, u8::try_from(inner.len()).unwrap()];
            v.extend(inner);
            v
        }
        _ => octet_string(&payload),
    }
}

fn connection_data(rng: &mut Rng) -> (ConnectionData, String) {
    match rng.below(3) {
        // None goes out as A0 02 05 00, which asn1tools reads as the value NULL.
        0 => (ConnectionData::Open(None), "open=0500".into()),
        1 => {
            let v = open_value(rng);
            let flat = format!("open={}", hex(&v));
            (ConnectionData::open(v), flat)
        }
        _ => {
            let calling = rng.ascii(40);
            let common = format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                rng.below(100),
                1 + rng.below(12),
                1 + rng.below(28),
                rng.below(24),
                rng.below(60),
                rng.below(60)
            );
            let additional = (rng.below(2) == 0).then(|| rng.ascii(4));
            let flat = format!(
                "recover={}|{}|{}",
                hex(&calling),
                common,
                additional.as_deref().map_or("-".into(), hex)
            );
            let id = SessionConnectionIdentifier {
                calling_ss_user_reference: CallingSsUserReference::T61(T61String::new(calling)),
                common_reference: UtcTimeOctets::new(common.as_bytes()),
                additional_reference_information: additional.map(T61String::new),
            };
            (ConnectionData::Recover(id), flat)
        }
    }
}

/// (type name, our encoding, the flat value asn1tools must print).
fn cases() -> Vec<(&'static str, Vec<u8>, String)> {
    let mut rng = Rng(x400_test_kit::Rng::new(0x0123_4567_89ab_cdef));
    let mut out = Vec::new();
    for _ in 0..120 {
        let (data, cd) = connection_data(&mut rng);
        let p = PConnect {
            checkpoint_size: rng.pick(&COUNTS),
            window_size: rng.pick(&COUNTS),
            dialogue_mode: DialogueMode(rng.pick(&[0, 1, 2])),
            connection_data: data,
            application_protocol: ApplicationProtocol(rng.pick(&[1, 3, 12, 128, 132, u32::MAX])),
        };
        let flat = format!(
            "syntax=0 checkpointSize={} windowSize={} dialogueMode={} {cd} applicationProtocol={}",
            p.checkpoint_size, p.window_size, p.dialogue_mode.0, p.application_protocol.0
        );
        out.push(("PConnect", p.encode().unwrap(), flat));
    }
    for _ in 0..80 {
        let (data, cd) = connection_data(&mut rng);
        let a = PAccept {
            checkpoint_size: rng.pick(&COUNTS),
            window_size: rng.pick(&COUNTS),
            connection_data: data,
        };
        let flat = format!(
            "syntax=0 checkpointSize={} windowSize={} {cd}",
            a.checkpoint_size, a.window_size
        );
        out.push(("PAccept", a.encode().unwrap(), flat));
    }
    for reason in [0, 1, 2, 3, 4, 255, 256, rng.u32(), u32::MAX] {
        let r = PRefuse::new(RefuseReason(reason));
        out.push((
            "PRefuse",
            r.encode().unwrap(),
            format!("refuseReason={reason}"),
        ));
    }
    for n in 0..40 {
        let reason = (n % 5 != 0).then(|| AbortReason(rng.pick(&[0, 1, 2, 3, 4, 5, 6, 7, 1000])));
        let bits = (n % 3 != 0).then(|| {
            let len = rng.below(9);
            let mask = u8::try_from(0xff00_u16 >> len & 0xff).unwrap();
            let byte = u8::try_from(rng.below(256)).unwrap() & mask;
            let mut b = BitString::from_slice(&[byte]);
            b.truncate(len);
            (
                b,
                if len == 0 {
                    String::new()
                } else {
                    hex(&[byte])
                },
                len,
            )
        });
        let flat = format!(
            "abortReason={} reflectedParameter={}",
            reason.map_or("-".into(), |r| r.0.to_string()),
            bits.as_ref()
                .map_or("-".into(), |(_, h, l)| format!("{h}/{l}"))
        );
        let a = AbortInformation {
            reason,
            reflected_parameter: bits.map(|(b, _, _)| b),
        };
        out.push(("AbortInformation", a.encode().unwrap(), flat));
    }
    out
}

#[test]
fn asn1tools_decodes_our_encodings_to_our_values() {
    let python = venv_python();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/rts/asn1tools_values.py");
    assert!(
        python.exists(),
        "conformance venv missing at {}: run {}/setup.sh",
        python.display(),
        kit().display()
    );
    assert!(
        kit().join("asn1/X410-OACS.asn").exists(),
        "conformance kit missing at {}",
        kit().display()
    );
    let cases = cases();
    let mut child = Command::new(&python)
        .arg(&script)
        .arg(kit())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let mut input = String::new();
    for (typ, wire, _) in &cases {
        writeln!(input, "{typ} {}", hex(wire)).unwrap();
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "asn1tools script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), cases.len(), "one value per PDU");
    for ((typ, wire, want), got) in cases.iter().zip(lines) {
        assert_eq!(got, want, "{typ} {}", hex(wire));
    }
    // And we decode what we sent to the same value asn1tools saw (checked per type above).
    for (typ, wire, _) in &cases {
        let ok = match *typ {
            "PConnect" => PConnect::decode(wire).is_ok(),
            "PAccept" => PAccept::decode(wire).is_ok(),
            "PRefuse" => PRefuse::decode(wire).is_ok(),
            _ => AbortInformation::decode(wire).is_ok(),
        };
        assert!(ok, "{typ} {}", hex(wire));
    }
}
