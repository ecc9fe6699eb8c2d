//! Oracles for `osi-tpkt`.

use osi_tpkt as tpkt;

/// TPKT framing: a decoded frame re-encodes to exactly the octets it was decoded from, except
/// the reserved octet, which is ignored on receipt and always sent as 0 (RFC 2126 §6.10).
/// The stream iterator must agree with single-frame decoding.
///
/// # Panics
///
/// When that promise is broken.
pub fn tpkt_frame(data: &[u8]) {
    if let Ok(Some((frame, used))) = tpkt::Frame::decode(data) {
        let mut out = vec![0xa5; frame.encoded_len()];
        assert_eq!(
            frame.encode(&mut out),
            Ok(used),
            "encode length differs from octets consumed"
        );
        assert_eq!(out[1], 0, "reserved octet must be sent as 0");
        assert_eq!(out[0], data[0]);
        assert_eq!(
            &out[2..],
            &data[2..used],
            "re-encoding differs from the decoded octets"
        );
    }
    let mut frames = tpkt::Frames::new(data);
    let mut consumed = 0;
    for frame in frames.by_ref() {
        match frame {
            Ok(f) => consumed += f.encoded_len(),
            Err(_) => return,
        }
    }
    assert_eq!(
        consumed + frames.rest().len(),
        data.len(),
        "frames and rest must cover the input"
    );
}
