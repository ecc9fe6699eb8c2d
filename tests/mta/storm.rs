//! A storm of 2,000 connection attempts against one MTA shell on loopback, 48 at a time:
//! every failure a network and a bad peer produce (TCP closed or reset at once, TP0 CR then
//! silence or a reset, part of a session CONNECT then silence, a garbage PConnect, an unknown
//! MTA name, a wrong password, a bound association aborted or reset in the middle of an
//! APDU), interleaved by a seeded PRNG with valid associations that must all bind, transfer
//! an APDU and release. Afterwards the accounting holds nothing, every attack shows under its
//! refusal reason, no valid association was refused, and a fresh one binds at once.
//!
//! `cargo test --test x400_mta storm -- --nocapture` prints the counters.

use std::time::{Duration, Instant};

use x400_mta::Refusal;
use x400_test_kit::mta::storm::{Kind, Server, ServerSettings, Storm, bind_once, run};

const ATTEMPTS: usize = 2_000;
const CONCURRENCY: usize = 48;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_bad_connections_leaves_nothing_held_and_lets_every_valid_peer_in() {
    let started = Instant::now();
    let settings = ServerSettings::storm(CONCURRENCY);
    let server = Server::start(settings).await;
    let mut storm = Storm::new(server.addr, ATTEMPTS);
    storm.concurrency = CONCURRENCY;
    storm.seed = 0x5707;
    let report = run(storm).await;
    println!("{report}");
    assert_eq!(report.attempts(), ATTEMPTS as u64);
    for kind in Kind::ALL {
        let o = report.of(kind);
        assert!(o.attempts > 0, "{kind:?} was never tried");
        // Valid ones bound, had their APDU secured and released; every attack saw what it
        // planned (a silent one: the server cut it within the handshake timeout).
        assert_eq!(o.ok, o.attempts, "{kind:?}: {:?}", o.failures);
    }

    // Every permit is given back once the server's timeouts and lingers have run.
    let counters = server
        .idle(Duration::from_secs(10))
        .await
        .unwrap_or_else(|c| panic!("the accounting still holds something: {c:?}"));
    let tally = server.tally();
    println!("server: {tally}");
    println!("refusals by reason:");
    for (reason, n) in &counters.refused {
        println!("  {reason:?}: {n} ({reason})");
    }

    let n = |k| report.of(k).attempts;
    // Refusals decided on what arrived are exact.
    assert_eq!(
        counters.refusals(Refusal::UnknownPeer),
        n(Kind::UnknownName)
    );
    assert_eq!(
        counters.refusals(Refusal::WrongPassword),
        n(Kind::WrongPassword)
    );
    assert_eq!(counters.refusals(Refusal::BadConnect), n(Kind::BadConnect));
    // Every connection that ended before a bind for another reason is a failed handshake:
    // those that sent a CR surely reached an association; a TCP connection closed or reset
    // at once may be gone before the listener takes it.
    let failed = counters.refusals(Refusal::HandshakeFailed);
    let sure = n(Kind::CrSilence) + n(Kind::CrReset) + n(Kind::CnSilence);
    assert!(
        failed >= sure && failed <= sure + n(Kind::TcpClose) + n(Kind::TcpReset),
        "HandshakeFailed {failed}, expected {sure}..={}",
        sure + n(Kind::TcpClose) + n(Kind::TcpReset)
    );
    // No limit was reached: no valid association could have been refused for one.
    for r in [
        Refusal::Handshakes,
        Refusal::HandshakesFromSource,
        Refusal::Associations,
        Refusal::Memory,
        Refusal::PeerAssociations,
    ] {
        assert_eq!(counters.refusals(r), 0, "{r:?}");
    }

    // The server's side of the same story.
    let bound_attacks = n(Kind::BoundAbort) + n(Kind::BoundCut);
    assert_eq!(tally.bound, n(Kind::Valid) + bound_attacks, "{tally}");
    assert_eq!(tally.released, n(Kind::Valid), "{tally}");
    assert_eq!(tally.apdus, n(Kind::Valid), "a cut APDU is never delivered");
    assert_eq!(
        tally.we_refused,
        n(Kind::UnknownName) + n(Kind::WrongPassword) + n(Kind::BadConnect),
        "{tally}"
    );
    assert_eq!(
        tally.handshake_timeout,
        n(Kind::CrSilence) + n(Kind::CnSilence),
        "{tally}"
    );
    assert_eq!(tally.aborted, n(Kind::BoundAbort), "{tally}");
    let resets = n(Kind::CrReset) + n(Kind::BoundCut);
    assert!(
        tally.transport_closed >= resets
            && tally.transport_closed <= resets + n(Kind::TcpClose) + n(Kind::TcpReset),
        "{tally}"
    );
    assert_eq!(tally.idle + tally.other, 0, "{tally}");
    assert_eq!(
        tally.accepted,
        tally.released
            + tally.we_refused
            + tally.aborted
            + tally.transport_closed
            + tally.handshake_timeout,
        "every accepted connection ended once: {tally}"
    );

    // A valid peer is let in at once, well within the handshake timeout.
    let took = bind_once(server.addr, Duration::from_secs(5))
        .await
        .unwrap_or_else(|e| panic!("a fresh valid association after the storm: {e}"));
    println!("a fresh valid association bound in {took:?}");
    assert!(took < settings.handshake_timeout, "bound after {took:?}");
    server.shell.shutdown().await;
    println!("storm test: {:.1} s", started.elapsed().as_secs_f64());
}
