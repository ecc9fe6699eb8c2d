//! TP4 over UDP on loopback: a responder thread and an initiator thread move data and
//! report the throughput.
//!
//! `cargo run --release --example tp4_udp -- [MiB] [TSDU octets] [credit]`
//! (defaults: 64 MiB in TSDUs of 64 KiB, TPDU size 8192, credit 8). Credit 8 keeps the
//! window (8 x 8 KiB) inside Linux's default UDP receive buffer (about 208 KiB, of which an
//! 8 KiB datagram takes twice its size); larger credits overflow it and the throughput then
//! depends on loss recovery (`TP4_STATS=1` prints the initiator's counters).

// An example may unwrap: a failure is a broken demo, not bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::std_instead_of_core,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "tp4_udp/run.rs"]
mod run;

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let mib = args.next().unwrap_or(64);
    let tsdu = args.next().unwrap_or(64 * 1024);
    let credit = args.next().unwrap_or(8);
    let r = run::loopback(mib << 20, tsdu, u16::try_from(credit).unwrap());
    println!(
        "TP4 over UDP loopback: {} MiB in {:.3} s = {:.1} MB/s ({} TSDUs of {} octets, credit {credit}, TPDU 8192)",
        mib,
        r.elapsed.as_secs_f64(),
        r.bytes as f64 / r.elapsed.as_secs_f64() / 1e6,
        r.tsdus,
        tsdu,
    );
}
