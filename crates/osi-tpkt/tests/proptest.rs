//! Property tests: any payload survives a round trip, and any byte stream is framed the same
//! way whether it arrives whole or cut into pieces.

// Helpers of this test file unwrap like the tests themselves do.
#![allow(clippy::unwrap_used)]

use osi_tpkt::{Error, Frame, Frames, MAX_PAYLOAD_LEN, MIN_PAYLOAD_LEN};
use proptest::prelude::*;

/// The TPKT carrying `payload`, through the allocation-free encoder.
fn wire(payload: &[u8]) -> Vec<u8> {
    let frame = Frame::new(payload).unwrap();
    let mut v = vec![0xa5; frame.encoded_len()];
    assert_eq!(frame.encode(&mut v), Ok(v.len()));
    v
}

proptest! {
    #[test]
    fn round_trip(payload in prop::collection::vec(any::<u8>(), MIN_PAYLOAD_LEN..=2048), garbage in any::<[u8; 3]>()) {
        let frame = Frame::new(&payload).unwrap();
        let mut buf = vec![0xa5; frame.encoded_len() + 3];
        let written = frame.encode(&mut buf).unwrap();
        prop_assert_eq!(written, payload.len() + 4);
        buf[written..].copy_from_slice(&garbage);
        let (decoded, used) = Frame::decode(&buf).unwrap().unwrap();
        prop_assert_eq!(used, written);
        prop_assert_eq!(decoded.payload(), &payload[..]);
        prop_assert_eq!(decoded.reserved(), 0);
    }

    #[test]
    fn reserved_octet_is_ignored(reserved in any::<u8>(), payload in prop::collection::vec(any::<u8>(), 3..64)) {
        let mut buf = wire(&payload);
        buf[1] = reserved;
        let (frame, _) = Frame::decode(&buf).unwrap().unwrap();
        prop_assert_eq!(frame.payload(), &payload[..]);
        prop_assert_eq!(frame.reserved(), reserved);
    }

    #[test]
    fn stream_framing_does_not_depend_on_reads(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 3..300), 1..8),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let mut stream = Vec::new();
        for p in &payloads {
            stream.extend_from_slice(&wire(p));
        }
        // Feed the stream in arbitrary pieces, keeping the unconsumed rest as a shell would.
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        points.push(stream.len());
        points.sort_unstable();
        let (mut pending, mut got, mut fed) = (Vec::new(), Vec::new(), 0);
        for p in points {
            pending.extend_from_slice(&stream[fed..p]);
            fed = p;
            let mut frames = Frames::new(&pending);
            for f in frames.by_ref() {
                got.push(f.unwrap().payload().to_vec());
            }
            pending = frames.rest().to_vec();
        }
        prop_assert!(pending.is_empty());
        prop_assert_eq!(got, payloads);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..80)) {
        match Frame::decode(&data) {
            Ok(Some((frame, used))) => prop_assert_eq!(frame.payload().len() + 4, used),
            Ok(None) => prop_assert!(data.len() < 7 || usize::from(u16::from_be_bytes([data[2], data[3]])) > data.len()),
            Err(Error::UnsupportedVersion(v)) => prop_assert_eq!(v, data[0]),
            Err(Error::LengthTooSmall(l)) => prop_assert!(l < 7),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}

#[test]
fn largest_payload_round_trips() {
    let payload = vec![0x5a; MAX_PAYLOAD_LEN];
    let buf = wire(&payload);
    assert_eq!(&buf[..4], &[3, 0, 0xff, 0xff]);
    assert_eq!(
        Frame::decode(&buf).unwrap().unwrap().0.payload(),
        &payload[..]
    );
}
