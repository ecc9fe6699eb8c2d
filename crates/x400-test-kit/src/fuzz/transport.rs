//! Oracles for `osi-transport`.

use osi_transport::{Params, Tpdu, checksum};

/// TPDU codec: every TPDU the decoder accepts re-encodes to exactly the octets it used and
/// decodes again to the same value; the input is walked as a concatenated NSDU (X.224 6.4),
/// so the octets after a data-less TPDU are decoded too. Each typed parameter re-encodes to
/// its own octets. Filling the checksum of a TPDU with a C3 parameter makes it verify.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn transport_tpdu(data: &[u8]) {
    let mut rest = data;
    while let Ok((t, used)) = Tpdu::decode(rest) {
        assert!(
            0 < used && used <= rest.len(),
            "used {used} of {}",
            rest.len()
        );
        assert_eq!(
            t.encoded_len(),
            used,
            "encoded_len differs from octets used"
        );
        let mut out = vec![0xa5; used + 1];
        assert_eq!(t.encode(&mut out), Ok(used), "encode length differs");
        assert_eq!(
            &out[..used],
            &rest[..used],
            "{} re-encodes differently",
            t.name()
        );
        assert_eq!(out[used], 0xa5, "encode wrote past its length");
        let (again, n) = Tpdu::decode(&out[..used]).expect("re-encoded TPDU must decode");
        assert_eq!((again, n), (t, used), "re-decoded value differs");
        params_reencode(&t.params());
        if t.params()
            .raw_iter()
            .any(|(code, v, _)| code == 0xc3 && v.len() == 2)
        {
            let mut c = rest[..used].to_vec();
            checksum::fill(&mut c).expect("a decodable TPDU with C3 can be checksummed");
            assert!(checksum::verify(&c), "filled checksum does not verify");
        }
        if used == rest.len() {
            break;
        }
        rest = &rest[used..];
    }
}

/// Each parameter the iterator types re-encodes to the octets it came from.
fn params_reencode(params: &Params<'_>) {
    let raw = params.raw_iter();
    let mut count = 0;
    for ((code, value, _), typed) in raw.zip(params.iter()) {
        count += 1;
        let Ok(p) = typed else { continue };
        let mut want = vec![
            code,
            u8::try_from(value.len()).expect("a parameter length is one octet"),
        ];
        want.extend_from_slice(value);
        let mut got = vec![0; p.encoded_len()];
        assert_eq!(
            p.encode(&mut got),
            Ok(want.len()),
            "parameter {code:#04x} length"
        );
        assert_eq!(got, want, "parameter {code:#04x} re-encodes differently");
    }
    assert_eq!(
        count,
        params.iter().count(),
        "raw and typed iterators disagree"
    );
}

/// TP0 machine fed an arbitrary TPKT stream: never panics, never delivers more than its
/// reassembly limit, emits only well-formed class 0 control TPDUs (CR, CC, DR, ER) and the
/// ones the standard asks for: an ER quoting a prefix of the offending TPDU's header on a
/// protocol error, a DR with SRC-REF 0 when refusing, nothing after the disconnect event,
/// and a timeout once the establishment deadline has passed.
///
/// The first octet chooses role, options and how the rest is cut into TCP reads.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn transport_tp0(data: &[u8]) {
    use core::time::Duration;

    use osi_transport::tp0::{Config, ConnectRequest, DisconnectCause, Event, State, Tp0};
    use osi_transport::{DisconnectReason, Format, Instant};

    /// The control TPKT queued, if any.
    fn control(m: &mut Tp0<Vec<u8>>) -> Option<Vec<u8>> {
        let mut buf = [0u8; 1024];
        let n = m.poll_transmit(Instant::ZERO, &mut buf).unwrap()?;
        Some(buf[..n].to_vec())
    }

    let Some((&sel, stream)) = data.split_first() else {
        return;
    };
    const MAX_TSDU: usize = 4096;
    let cfg = {
        let mut c = Config::default();
        c.local_ref = 0x0102;
        c.max_tsdu_len = MAX_TSDU;
        c.expedited = sel & 1 != 0;
        c.max_tpdu_size = if sel & 8 != 0 { 1024 } else { 65531 };
        c.proposed_tpdu_size = osi_transport::TpduSize::S1024;
        c
    };
    let read_len = 1 + usize::from(sel >> 4) * 7;
    let accept = sel & 4 != 0;
    let mut m = if sel & 2 == 0 {
        Tp0::responder(cfg, vec![0u8; 8192], Instant::ZERO).unwrap()
    } else {
        let mut m = Tp0::initiator(cfg, vec![0u8; 8192]).unwrap();
        m.connect(
            Instant::ZERO,
            &ConnectRequest {
                calling: b"A",
                called: b"B",
                data: &[],
            },
        )
        .unwrap();
        let cr = control(&mut m).expect("connect queues a CR");
        check_control(&cr, "CR");
        m
    };

    let mut pending: Vec<u8> = Vec::new();
    let mut closed_seen = false;
    for (i, read) in stream.chunks(read_len).enumerate() {
        let now = Instant::ZERO + Duration::from_millis(i as u64);
        pending.extend_from_slice(read);
        loop {
            let before = m.state();
            let consumed = m.handle_input(now, &pending);
            assert!(consumed <= pending.len());
            let nsdu = osi_tpkt::Frame::decode(&pending[..consumed])
                .ok()
                .flatten()
                .map(|(f, _)| f.payload().to_vec());
            let seen = match m.poll_event() {
                Some(Event::Data(d)) => {
                    assert!(
                        d.len() <= MAX_TSDU,
                        "TSDU of {} octets beyond the limit",
                        d.len()
                    );
                    Seen::Nothing
                }
                Some(Event::Expedited(d)) => {
                    assert!((1..=16).contains(&d.len()) && cfg.expedited);
                    Seen::Nothing
                }
                Some(Event::ConnectIndication { .. }) => Seen::Indication,
                Some(Event::Disconnected(c)) => Seen::Disconnect(c),
                _ => Seen::Nothing,
            };
            let out = control(&mut m);
            match seen {
                Seen::Disconnect(cause) => {
                    assert!(!closed_seen, "a second disconnect event");
                    closed_seen = true;
                    assert!(m.is_closed());
                    match cause {
                        DisconnectCause::ProtocolError { .. } => {
                            let er = out.expect("a protocol error queues an ER");
                            let quote = check_control(&er, "ER");
                            let nsdu = nsdu.expect("a protocol error comes from a whole TPKT");
                            assert!(
                                !quote.is_empty() && nsdu.starts_with(&quote),
                                "ER must quote the bad header"
                            );
                        }
                        DisconnectCause::RefusedByUs(r) => {
                            assert_eq!(r, DisconnectReason::NEGOTIATION_FAILED);
                            check_control(&out.expect("refusal queues a DR"), "DR");
                        }
                        _ => assert!(out.is_none(), "{cause:?} sends nothing"),
                    }
                }
                Seen::Indication => {
                    assert_eq!(before, State::AwaitCr);
                    assert!(out.is_none());
                    if accept {
                        m.accept(None, &[]).unwrap();
                        check_control(&control(&mut m).expect("accept queues a CC"), "CC");
                    } else {
                        m.refuse(DisconnectReason::CONGESTION).unwrap();
                        check_control(&control(&mut m).expect("refuse queues a DR"), "DR");
                        closed_seen = true;
                    }
                }
                Seen::Nothing => assert!(out.is_none(), "output without an event"),
            }
            if closed_seen {
                assert!(m.is_closed());
            }
            pending.drain(..consumed);
            if consumed == 0 {
                break;
            }
        }
        assert!(
            pending.len() < 65535 + read_len,
            "a partial TPKT never exceeds one packet"
        );
    }

    if m.state() == State::Open {
        // Segmentation: the DTs for a TSDU are class 0 DTs within the TPDU size that
        // concatenate back to it.
        let tsdu = &stream[..stream.len().min(3000)];
        let mut seg = m.send(tsdu).unwrap();
        let mut buf = vec![0u8; seg.max_tpkt_len()];
        let mut joined = Vec::new();
        let mut last = false;
        while let Some(n) = seg.write_next(&mut buf).unwrap() {
            assert!(!last, "nothing after the EOT DT");
            let (f, used) = osi_tpkt::Frame::decode(&buf[..n]).unwrap().unwrap();
            assert_eq!(used, n);
            assert!(f.payload().len() <= m.tpdu_size() as usize);
            let Ok((Tpdu::Dt(dt), _)) = Tpdu::decode(f.payload()) else {
                panic!("segment is not a DT")
            };
            assert_eq!((dt.format, dt.nr, dt.roa), (Format::Short, 0, false));
            joined.extend_from_slice(dt.data);
            last = dt.eot;
        }
        assert!(last && joined == tsdu, "segments do not rebuild the TSDU");
    }
    let late = Instant::ZERO + Duration::from_secs(3600);
    let was = m.state();
    m.handle_timeout(late);
    let ev = m
        .poll_event()
        .map(|e| matches!(e, Event::Disconnected(DisconnectCause::Timeout)));
    match was {
        State::AwaitCr | State::AwaitCc | State::AwaitAccept => {
            assert_eq!(ev, Some(true), "deadline passed in {was:?}")
        }
        _ => assert_eq!(ev, None),
    }
}

/// What an input produced, owned so the machine can be used again.
enum Seen {
    Nothing,
    Indication,
    Disconnect(osi_transport::tp0::DisconnectCause),
}

/// Checks an emitted control TPKT: one class 0 TPDU of the expected type; returns an ER's
/// quoted header.
fn check_control(tpkt: &[u8], want: &str) -> Vec<u8> {
    let (f, used) = osi_tpkt::Frame::decode(tpkt)
        .unwrap()
        .expect("a whole TPKT");
    assert_eq!(used, tpkt.len());
    assert_eq!(f.reserved(), 0);
    let (t, n) = Tpdu::decode(f.payload()).expect("emitted TPDU decodes");
    assert_eq!(
        (t.name(), n),
        (want, f.payload().len()),
        "one TPDU per TPKT"
    );
    match t {
        Tpdu::Cr(c) | Tpdu::Cc(c) => {
            assert_eq!((c.class.0, c.cdt), (0, 0), "class 0, no credit");
            assert!(c.data.len() <= 32);
            Vec::new()
        }
        Tpdu::Dr(d) => {
            assert_eq!(d.src_ref, 0, "a refusal's SRC-REF is 0");
            assert!(d.data.is_empty());
            Vec::new()
        }
        Tpdu::Er(e) => e
            .invalid_tpdu()
            .expect("class 0 ER carries the invalid TPDU")
            .to_vec(),
        _ => panic!("{want} expected"),
    }
}
