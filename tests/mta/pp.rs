//! A real MTA's side: PP (an independent X.400 MTA on ISODE) binding as "pp-a" and sending one
//! IPM in P1 (1984) over X.410 RTS, from the conformance kit's live capture. Its initiator's
//! TCP segments are replayed into our responder, which must bind it by its name and password,
//! hand over the MPDU octet for octet, and answer what PP's own responder ("pp-b") answered:
//! the same bind result, the same PT+AEA, the same DN.
//!
//! The kit's `extract_vectors.py` (tshark underneath) splits the capture into segments.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use x400_mta::association::{Association, Config, Ended, Event};
use x400_mta::{Accounting, Direction, Limits, Peer, PeerTable, Protocol, Secret};
use x400_rts::machine::Instant;

use crate::common;

/// Every TCP segment of the capture: (frame label, from the client, octets).
fn segments(capture: &str, port: u16) -> Vec<(String, bool, Vec<u8>)> {
    let kit = common::kit();
    let out = Command::new("python3")
        .arg(kit.join("extract_vectors.py"))
        .args(["--tsv", "pp"])
        .arg(kit.join("captures").join(capture))
        .arg(port.to_string())
        .output()
        .expect("python3 and the conformance kit (run its setup.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[3].contains("C->S"), common::unhex(f[1]))
        })
        .collect()
}

/// What our responder writes after each input, as one byte string.
fn output(r: &mut Association, now: Instant) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = vec![0; 4096];
    while let Some(n) = r.poll_transmit(now, &mut buf).unwrap() {
        all.extend_from_slice(&buf[..n]);
    }
    all
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn pp_binds_and_relays_one_mpdu_to_our_responder() {
    let segs = segments("pp-mta-x40084-ipm.pcapng", 17200);
    let theirs = |label: &str| {
        segs.iter()
            .find(|(l, client, _)| l.starts_with(label) && !client)
            .map(|(_, _, b)| b.clone())
            .unwrap()
    };
    let mut table = PeerTable::new("pp-b");
    table.insert(Peer::new(
        "pp-a",
        Secret::new("pp-a-pw"),
        Secret::new("pp-b-pw"),
        Protocol::P1984,
    ));
    let acct = Accounting::new(Limits::default());
    let pp_a: SocketAddr = "127.0.0.1:43125".parse().unwrap();
    let now = Instant::ZERO;
    let mut r = Association::responder(
        Config::default(),
        Arc::new(table),
        acct.handshake(Some(pp_a.ip())).unwrap(),
        pp_a,
        now,
    )
    .unwrap();

    let mut answers = Vec::new();
    let mut mpdu = None;
    let mut ended = None;
    for (label, client, octets) in &segs {
        if !client {
            continue;
        }
        assert_eq!(r.handle_input(now, octets), octets.len(), "{label}");
        while let Some(ev) = r.poll_event() {
            match ev {
                Event::Bound {
                    peer,
                    protocol,
                    direction,
                } => {
                    assert_eq!(
                        (peer.as_str(), protocol, direction),
                        ("pp-a", Protocol::P1984, Direction::Inbound)
                    );
                }
                Event::ApduStart { offset: 0 } => mpdu = Some(Vec::new()),
                Event::ApduData(piece) => mpdu.as_mut().unwrap().extend_from_slice(&piece),
                // PP's short message has no checkpoint: only its end is confirmed.
                Event::ApduEnd { len } => {
                    assert_eq!(Some(len), mpdu.as_ref().map(|m| m.len() as u64));
                    r.secured().unwrap();
                }
                Event::Ended(why) => ended = Some(why),
                other => panic!("{label}: unexpected {other:?}"),
            }
        }
        answers.push((label.clone(), output(&mut r, now)));
    }

    // CR: a CC (class 0, TPDU code D0).
    let (_, cc) = &answers[0];
    assert_eq!((cc.len() >= 11, cc[5]), (true, 0xD0), "{cc:02x?}");
    // CN: an AC (SI 14) whose PAccept carries the bind result PP's responder sent, octet for
    // octet: `[1] SET { [0] "pp-b", [1] { IA5String "pp-b-pw" } }`.
    let (_, ac) = &answers[1];
    assert_eq!(ac[7], 0x0E, "an AC SPDU: {ac:02x?}");
    let pp_ac = theirs("f9.");
    let bind_result = common::unhex("a111800470702d62a109160770702d622d7077");
    assert!(
        find(&pp_ac, &bind_result) && find(ac, &bind_result),
        "{ac:02x?}"
    );
    // AS, then the MPDU and AE: the MPDU as PP sent it, and after `secured` the PT+AEA with
    // serial number 1 that PP's responder sent, byte for byte.
    let sent = &segs.iter().find(|(l, ..)| l.starts_with("f12.")).unwrap().2;
    let mpdu = mpdu.expect("the MPDU was delivered");
    assert!(
        find(sent, &mpdu) && mpdu.len() > 500,
        "{} octets",
        mpdu.len()
    );
    assert!(
        x400_p1::decode_transfer(1, &mpdu).is_ok(),
        "the MPDU decodes as P1 (1984)"
    );
    let aea = &answers
        .iter()
        .find(|(l, _)| l.starts_with("f12."))
        .unwrap()
        .1;
    assert_eq!(aea, &theirs("f14."));
    // FN: the same DN; DR: the transport closes and the association ended released.
    let dn = &answers
        .iter()
        .find(|(l, _)| l.starts_with("f15."))
        .unwrap()
        .1;
    assert_eq!(dn, &theirs("f16."));
    assert_eq!(ended, Some(Ended::Released));
    assert!(r.is_finished());
    assert!(acct.counters().is_idle(), "{:?}", acct.counters());
}
