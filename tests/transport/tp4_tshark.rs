//! External oracle: every class 4 TPDU the machines emit in a transfer is dissected by
//! tshark (Wireshark 4.0) without a malformed or expert item, other than its known-wrong
//! class 4 checksum verdict (its packet-ositp.c checks `VP_CHECKSUM` over the parameter's
//! length, 2 octets, not the TPDU's, so tshark 4.0.17 calls correct checksums bad; ours are
//! checked against Annex D and the worked vectors in `tp4_machine.rs`).
//!
//! The TPDUs go into a pcap as TP4 directly over IPv4 (protocol 29, as Wireshark registers
//! it), one TPDU per datagram. Needs tshark and the conformance kit
//! (`../shared/conformance`, installed by `ci/test.sh`); without them it fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

use osi_transport::Instant;

use osi_transport::tp4::{Config, Connection, Event};

/// Runs a transfer over a perfect link and returns every datagram, with its direction.
fn exchange(cfg: &Config) -> Vec<(bool, Vec<u8>)> {
    let mut a = Connection::connect(cfg.clone(), 0x0a0a).unwrap();
    let mut b = Connection::listen(cfg.clone(), 0x0b0b).unwrap();
    let mut wire: Vec<(bool, Vec<u8>)> = Vec::new();
    let mut delivered = 0;
    let mut buf = vec![0u8; 65_536];
    let now = Instant::ZERO;
    for step in 0..40 {
        match step {
            3 => a.send(&[0x41; 3_000]).unwrap(),
            4 => a.send_expedited(b"urgent").unwrap(),
            6 => b.send(b"reply").unwrap(),
            12 => a.close(),
            _ => {}
        }
        for (from_a, m) in [(true, &mut a), (false, &mut b)] {
            while let Some(n) = m.poll_transmit(now, &mut buf).unwrap() {
                wire.push((from_a, buf[..n].to_vec()));
            }
        }
        for (from_a, d) in &wire[delivered..] {
            let m = if *from_a { &mut b } else { &mut a };
            m.handle_datagram(now, d);
        }
        delivered = wire.len();
        while let Some(e) = b.poll_event() {
            if matches!(e, Event::ConnectIndication { .. }) {
                b.accept(now).unwrap();
            }
        }
        while a.poll_event().is_some() {}
    }
    wire
}

/// The Internet checksum of an IPv4 header.
fn ip_checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = h
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !u16::try_from(sum).unwrap()
}

/// A pcap (link type 101, raw IP) with each TPDU as one IPv4 datagram of protocol 29.
fn pcap(wire: &[(bool, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    for v in [0u32, 0, 65_535, 101] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for (i, (from_a, tpdu)) in wire.iter().enumerate() {
        let (src, dst) = if *from_a {
            ([127, 0, 0, 1], [127, 0, 0, 2])
        } else {
            ([127, 0, 0, 2], [127, 0, 0, 1])
        };
        let total = u16::try_from(20 + tpdu.len()).unwrap();
        let id = u16::try_from(i % 65_536).unwrap();
        let mut h = vec![0x45, 0];
        h.extend_from_slice(&total.to_be_bytes());
        h.extend_from_slice(&id.to_be_bytes());
        h.extend_from_slice(&[0, 0, 64, 29, 0, 0]);
        h.extend_from_slice(&src);
        h.extend_from_slice(&dst);
        let c = ip_checksum(&h);
        h[10..12].copy_from_slice(&c.to_be_bytes());
        let len = u32::try_from(h.len() + tpdu.len()).unwrap();
        let secs = 1_700_000_000 + u32::try_from(i).unwrap();
        for v in [secs, 0, len, len] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&h);
        out.extend_from_slice(tpdu);
    }
    out
}

fn check(name: &str, cfg: &Config) {
    let kit = crate::common::kit().join("tshark_check.sh");
    let tshark = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    // As every oracle test of the project: the kit is part of the test set-up (ci/test.sh
    // installs it), so its absence is a failure, not a pass.
    assert!(
        kit.exists() && tshark,
        "tshark or {} missing: run ../shared/conformance/setup.sh",
        kit.display()
    );
    let wire = exchange(cfg);
    let kinds: Vec<u8> = wire.iter().map(|(_, d)| d[1] & 0xf0).collect();
    // CR, CC, DT, AK, ED, EA, DR, DC all appear.
    for k in [0xe0, 0xd0, 0xf0, 0x60, 0x10, 0x20, 0x80, 0xc0] {
        assert!(
            kinds.contains(&k),
            "{name}: no TPDU of code {k:#04x} in the exchange"
        );
    }
    let path = std::env::temp_dir().join(format!("tp4_{name}_{}.pcap", std::process::id()));
    std::fs::write(&path, pcap(&wire)).unwrap();
    // DT user data is not a session PDU here: keep tshark's heuristic T.125 and session
    // dissectors off it (-u: undissected DT payload is fine).
    let out = Command::new(&kit)
        .args(["-a", "-u", "-i", "cotp.bad_checksum"])
        .arg(&path)
        .args(["--", "--disable-protocol", "t125"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name}: tshark found problems in {}:\n{report}{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains(&format!("SUMMARY: {} frames", wire.len())),
        "{report}"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn extended_format_with_checksum_passes_tshark() {
    check("extended", &Config::default());
}

#[test]
fn normal_format_without_checksum_passes_tshark() {
    check("normal", &{
        let mut c = Config::default();
        c.extended_format = false;
        c.checksum = false;
        c
    });
}
