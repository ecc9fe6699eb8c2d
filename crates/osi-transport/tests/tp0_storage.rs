//! TP0 over storage that grows on demand (`osi_sansio::GrowBuf`): a connection holds no
//! reassembly memory until a DT arrives and gives it back once the TSDU has been taken, and
//! the storage's limit is the largest TSDU, exactly as with fixed storage.

// Test helpers outside #[test] fns: failing loudly is their job.
#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)]

use osi_sansio::GrowBuf;
use osi_transport::Instant;
use osi_transport::tp0::{Config, DisconnectCause, Event, Tp0};

const T0: Instant = Instant::ZERO;

/// A TPKT around a TPDU.
fn tpkt(tpdu: &[u8]) -> Vec<u8> {
    let frame = osi_tpkt::Frame::new(tpdu).unwrap();
    let mut v = vec![0; frame.encoded_len()];
    frame.encode(&mut v).unwrap();
    v
}

/// A class 0 DT carrying `data`, last of its TSDU or not (X.224 13.7).
fn dt(data: &[u8], eot: bool) -> Vec<u8> {
    let mut t = vec![0x02, 0xF0, if eot { 0x80 } else { 0x00 }];
    t.extend_from_slice(data);
    tpkt(&t)
}

/// A responder over `GrowBuf::new(limit)`, open after a minimal CR.
fn open(limit: usize) -> Tp0<GrowBuf> {
    let mut cfg = Config::default();
    cfg.max_tsdu_len = usize::MAX;
    let mut r = Tp0::responder(cfg, GrowBuf::new(limit), T0).unwrap();
    let cr = tpkt(&[0x06, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00]);
    assert_eq!(r.handle_input(T0, &cr), cr.len());
    assert!(matches!(
        r.poll_event(),
        Some(Event::ConnectIndication { .. })
    ));
    r.accept(None, &[]).unwrap();
    let mut cc = [0u8; 64];
    assert!(r.poll_transmit(T0, &mut cc).unwrap().is_some());
    r
}

/// Feeds one TPKT and returns the TSDU it completed, if any.
fn input(r: &mut Tp0<GrowBuf>, tpkt: &[u8]) -> Option<Vec<u8>> {
    assert_eq!(r.handle_input(T0, tpkt), tpkt.len());
    match r.poll_event() {
        Some(Event::Data(d)) => Some(d.to_vec()),
        None => None,
        Some(other) => panic!("unexpected {other:?}"),
    }
}

#[test]
fn reassembly_memory_is_taken_on_demand_and_given_back() {
    let mut r = open(64 << 10);
    assert_eq!(
        r.storage().allocated(),
        0,
        "an open connection holds nothing"
    );
    assert_eq!(r.max_tsdu_len(), 64 << 10);
    let part: Vec<u8> = (0..4000u32)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    assert_eq!(input(&mut r, &dt(&part, false)), None);
    assert!(r.storage().allocated() >= 4000);
    let whole = input(&mut r, &dt(&part, true)).unwrap();
    assert_eq!(whole.len(), 8000);
    assert_eq!(&whole[..4000], part.as_slice());
    assert_eq!(&whole[4000..], part.as_slice());
    // Polling again ends the borrow of the TSDU: the memory goes back.
    assert!(r.poll_event().is_none());
    assert_eq!(r.storage().allocated(), 0);
    // A small TSDU next takes a small allocation, not the high-water mark.
    assert_eq!(
        input(&mut r, &dt(b"abc", true)).as_deref(),
        Some(&b"abc"[..])
    );
    assert!(r.storage().allocated() <= GrowBuf::MIN_GROWTH);
}

#[test]
fn the_storage_limit_is_the_largest_tsdu() {
    let mut r = open(5000);
    assert_eq!(r.max_tsdu_len(), 5000);
    let exact = vec![7u8; 5000];
    assert_eq!(input(&mut r, &dt(&exact, true)), Some(exact));
    assert_eq!(input(&mut r, &dt(&[1u8; 3000], false)), None);
    assert_eq!(r.handle_input(T0, &dt(&[1u8; 2001], true)), 2001 + 7);
    assert!(matches!(
        r.poll_event(),
        Some(Event::Disconnected(DisconnectCause::TsduTooLong {
            max: 5000
        }))
    ));
    assert!(r.storage().allocated() <= 5000);
}
