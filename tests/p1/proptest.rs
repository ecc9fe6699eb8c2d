//! Property tests: every generated PDU encodes, decodes to an equal value, and re-encodes to
//! the same octets; arbitrary or mutated octets never panic the decoders.
//!
//! The strategies for whole PDUs nest deeply, and proptest's value trees for them need more
//! stack than a test thread has in debug builds (the codec itself runs in 128 KiB), so each
//! property runs on a thread with a larger stack.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use x400_p1::mta_abstract_service::{MtaBindArgument, MtaBindResult, MtsApdu};
use x400_p1::p1_1984::{Mpdu, Request};
use x400_p1::{Pdu, decode, encode};
use x400_test_kit::p1 as s;

const CASES: u32 = 256;

/// Runs `test` on `CASES` values of the strategy `make()` builds, on a 256 MiB-stack thread.
fn check<S, F>(make: fn() -> S, test: F)
where
    S: Strategy + 'static,
    S::Value: core::fmt::Debug,
    F: Fn(S::Value) -> Result<(), TestCaseError> + Send + 'static,
{
    let run = move || {
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        if let Err(e) = runner.run(&make(), test) {
            panic!("{e}");
        }
    };
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

fn round_trip<T: Pdu + PartialEq + core::fmt::Debug>(v: &T) -> Result<(), TestCaseError> {
    let octets = encode(v).unwrap();
    let back: T = decode(&octets).unwrap();
    prop_assert_eq!(&back, v);
    prop_assert_eq!(encode(&back).unwrap(), octets);
    Ok(())
}

#[test]
fn mts_apdu_round_trip() {
    check(s::mts_apdu, |v| round_trip(&v));
}

#[test]
fn mpdu_1984_round_trip() {
    check(s::mpdu, |v| {
        round_trip(&v)?;
        // Every 1984 MPDU's octets are a 1988 MTS-APDU (same tags; 1988 is a superset), and
        // converting the value gives exactly what decoding those octets as 1988 gives.
        let as_1988: MtsApdu = decode(&encode(&v).unwrap()).unwrap();
        prop_assert_eq!(MtsApdu::from(v), as_1988);
        Ok(())
    });
}

#[test]
fn bind_round_trip() {
    check(
        || (s::bind_argument(), s::bind_result()),
        |(a, r)| {
            round_trip(&a)?;
            round_trip(&r)?;
            // The 1984 Request reads the same octets.
            let req: Request = decode(&encode(&a).unwrap()).unwrap();
            prop_assert_eq!(encode(&req).unwrap(), encode(&a).unwrap());
            Ok(())
        },
    );
}

#[test]
fn or_name_text_round_trip() {
    check(s::or_name, |n| {
        let text = x400_p1::or_address_text::render(&n);
        let back = x400_p1::or_address_text::parse(&text).unwrap();
        prop_assert_eq!(back, n, "{}", text);
        Ok(())
    });
}

#[test]
fn arbitrary_octets_never_panic() {
    check(
        || proptest::collection::vec(any::<u8>(), 0..200),
        |data| {
            let _ = decode::<MtsApdu>(&data);
            let _ = decode::<Mpdu>(&data);
            let _ = decode::<MtaBindArgument>(&data);
            let _ = decode::<MtaBindResult>(&data);
            Ok(())
        },
    );
}

#[test]
fn mutated_pdus_never_panic() {
    check(
        || (s::mts_apdu(), any::<prop::sample::Index>(), any::<u8>()),
        |(v, at, byte)| {
            let mut octets = encode(&v).unwrap();
            let i = at.index(octets.len());
            octets[i] = byte;
            if let Ok(w) = decode::<MtsApdu>(&octets) {
                // Whatever decodes must encode and decode to the same value.
                let again: MtsApdu = decode(&encode(&w).unwrap()).unwrap();
                prop_assert_eq!(again, w);
            }
            Ok(())
        },
    );
}
