//! What our RTS puts on the wire, checked by oracles nobody here wrote: tshark 4.0 must
//! dissect every frame (PConnect, PAccept and PRefuse as X.410-mode RTSE with
//! `applicationProtocol`), and the conformance kit's X.410 decoder (asn1tools) must decode
//! the PDUs and the P1 MTS-APDU carried in the activity, which tshark cannot.
//!
//! The stack is the whole one, on loopback TCP: TPKT, TP0, session and RTS machines driven
//! by `x400_io::Link`, the shell `rtf` runs on.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

mod common;

use tokio::net::TcpListener;
use tokio::time::Instant;
use x400::p1::mta_abstract_service::MtsApdu;
use x400::rts::machine::{Config, Event, OpenRequest, Recovery, Refusal};
use x400::rts::{RefuseReason, SessionConnectionIdentifier};
use x400_io::Link;
use x400_test_kit::rts::feed;

/// The identifier `rtf send` gives its `n`th connection: in the CN's PGI 1 and, for the lost
/// connection, in the PConnect `recover` (whose AdditionalReferenceInformation is a
/// T61String: tshark reports octets that are not text as trailing stray characters).
fn id(n: u32) -> SessionConnectionIdentifier {
    x400_io::rtf::connection_id(n)
}

/// P1 (1984) with 1 KiB checkpoints, so that the activity has minor sync points.
fn config() -> Config {
    let mut c = Config::default();
    c.checkpoint_size = 1;
    c.window_size = 2;
    c
}

/// The kit's asn1tools-made P1 message, with its content grown to 6000 octets.
fn mpdu() -> Vec<u8> {
    let sample = common::vector("asn1tools-p1.tsv", "E.MTS-APDU.message");
    let MtsApdu::Message(mut m) = x400::p1::decode::<MtsApdu>(&sample).unwrap() else {
        panic!("the kit's sample is a message");
    };
    m.content = vec![0x41; 6000].into();
    x400::p1::encode(&MtsApdu::Message(m)).unwrap()
}

/// X.410 types AdditionalReferenceInformation (session PI 12) as a T61String of at most 4
/// octets: a strict peer may refuse one that is not text.
fn assert_text_reference(id: &SessionConnectionIdentifier) {
    let r = id.additional_reference_information.as_ref().unwrap();
    assert!(
        r.as_bytes().len() <= 4 && r.as_bytes().iter().all(|c| (0x20..0x7F).contains(c)),
        "additional reference information {r:?} is not up to 4 printable characters"
    );
}

/// A connected pair of links, the initiator logging its traffic.
async fn pair() -> (Link, Link) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let epoch = Instant::now();
    let (a, b) = tokio::join!(Link::connect(addr, None, config(), epoch, true), async {
        let (tcp, _) = listener.accept().await.unwrap();
        Link::accept(tcp, config(), epoch, false).await
    });
    (a.unwrap(), b.unwrap())
}

/// The next event that is not a checkpoint confirmation.
async fn next(l: &mut Link) -> Event {
    loop {
        match l.next().await.unwrap() {
            Some(Event::CheckpointConfirmed { .. }) => {}
            Some(ev) => return ev,
            None => panic!("connection ended"),
        }
    }
}

/// The next event of the sending side that is not a checkpoint confirmation or a call for
/// more data; the user writes what the machine takes of `source` (the APDU) first.
async fn next_sending(l: &mut Link, source: &[u8]) -> Event {
    loop {
        feed(&mut l.rts, source);
        match l.next().await.unwrap() {
            Some(Event::CheckpointConfirmed { .. } | Event::TransferWritable) => {}
            Some(ev) => return ev,
            None => panic!("connection ended"),
        }
    }
}

/// The receiver's part: the APDU arrives in pieces (after a recovery, continuing what
/// `stored` holds), each checkpoint confirmed once its data is stored; it is secured, then
/// the initiator releases.
async fn secure_until_closed(b: &mut Link, mut stored: Vec<u8>) -> Vec<u8> {
    loop {
        match next(b).await {
            Event::TransferStart { offset } => {
                assert!(offset as usize <= stored.len());
                stored.truncate(offset as usize);
            }
            Event::TransferData(piece) => stored.extend_from_slice(&piece),
            Event::TransferCheckpoint { serial, .. } => b.rts.confirm_checkpoint(serial).unwrap(),
            Event::TransferEnd { len } => {
                assert_eq!(len as usize, stored.len());
                break;
            }
            other => panic!("no APDU: {other:?}"),
        }
    }
    b.rts.secured().unwrap();
    assert_eq!(next(b).await, Event::Closed);
    stored
}

/// Runs both oracles on `a`'s log (see `common::x410_check`).
fn check(name: &str, a: &Link, min: usize) {
    common::x410_check(name, &a.net.log.clone().unwrap(), a.net.ports, min);
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn a_p1_association_with_bind_transfer_and_release_passes_tshark_and_the_x410_decoder() {
    block_on(async {
        let (mut a, mut b) = pair().await;
        let bind = common::vector("asn1tools-p1.tsv", "E.MTABindArgument");
        let result = common::vector("asn1tools-p1.tsv", "E.MTABindResult");
        let apdu = mpdu();
        let sent = apdu.clone();
        let responder = async move {
            let Event::OpenIndication(pc) = next(&mut b).await else {
                panic!()
            };
            assert_eq!(pc.connection_data.open_data(), Some(&bind[..]));
            b.rts.accept(Some(&result)).unwrap();
            secure_until_closed(&mut b, Vec::new()).await
        };
        let initiator = async {
            let bind = common::vector("asn1tools-p1.tsv", "E.MTABindArgument");
            a.rts.open(&OpenRequest::new(&id(1), Some(&bind))).unwrap();
            assert!(matches!(next(&mut a).await, Event::Opened(_)));
            a.rts.start_transfer().unwrap();
            assert_eq!(next_sending(&mut a, &sent).await, Event::Transferred);
            a.rts.close().unwrap();
            assert_eq!(next(&mut a).await, Event::Closed);
        };
        let (got, ()) = tokio::join!(responder, initiator);
        assert_eq!(got, apdu);
        assert!(
            a.net
                .log
                .as_ref()
                .unwrap()
                .iter()
                .any(|(_, b)| common::is_data(b))
        );
        // PConnect (with the bind), PAccept (with the result), the MTS-APDU.
        check("rts-p1", &a, 3);
    });
}

#[test]
fn a_recovered_association_and_a_refused_recover_pass_tshark_and_the_x410_decoder() {
    block_on(async {
        // The first connection is cut in the middle of the activity.
        let (mut a, mut b) = pair().await;
        let apdu = mpdu();
        let sent = apdu.clone();
        let responder = async move {
            let Event::OpenIndication(_) = next(&mut b).await else {
                panic!()
            };
            b.rts.accept(None).unwrap();
            let mut stored = Vec::new();
            loop {
                match b.next().await.unwrap() {
                    Some(Event::ConnectionLost(Some(state))) => return (state, stored),
                    Some(Event::TransferData(piece)) => stored.extend_from_slice(&piece),
                    Some(Event::TransferCheckpoint { serial, .. }) => {
                        b.rts.confirm_checkpoint(serial).unwrap();
                    }
                    Some(_) => {}
                    None => panic!("no state kept"),
                }
            }
        };
        let initiator = async {
            a.rts.open(&OpenRequest::new(&id(1), None)).unwrap();
            assert!(matches!(next(&mut a).await, Event::Opened(_)));
            a.net.cut_after = Some(3000);
            a.rts.start_transfer().unwrap();
            loop {
                if let Event::ConnectionLost(Some(state)) = next_sending(&mut a, &sent).await {
                    return state;
                }
            }
        };
        let ((kept, stored), state): ((Recovery, Vec<u8>), Recovery) =
            tokio::join!(responder, initiator);

        // The second connection recovers it: PConnect recover, PAccept recover, AR.
        let (mut a, mut b) = pair().await;
        let responder = async move {
            let Event::RecoverIndication { lost, .. } = next(&mut b).await else {
                panic!()
            };
            // Both identifiers as the peer decoded them: the lost one from the PConnect
            // `recover`, the new one from the CN's PGI 1.
            assert_text_reference(&lost);
            assert_text_reference(b.rts.connection().unwrap());
            b.rts.accept_recovery(kept).unwrap();
            secure_until_closed(&mut b, stored).await
        };
        let initiator = async {
            a.rts
                .recover(&OpenRequest::new(&id(2), None), state)
                .unwrap();
            assert!(matches!(next(&mut a).await, Event::Opened(_)));
            // The machine sends again what it kept; its user writes on from the source.
            assert_eq!(next_sending(&mut a, &sent).await, Event::Transferred);
            a.rts.close().unwrap();
            assert_eq!(next(&mut a).await, Event::Closed);
        };
        let (got, ()) = tokio::join!(responder, initiator);
        assert_eq!(got, apdu);
        check("rts-recovered", &a, 2);

        // A recover nobody kept state for: PRefuse cannotRecover.
        let (mut a, mut b) = pair().await;
        let responder = async move {
            let Event::RecoverIndication { .. } = next(&mut b).await else {
                panic!()
            };
            b.rts.refuse(b.now(), RefuseReason::CANNOT_RECOVER).unwrap();
            while b.next().await.unwrap().is_some() {}
        };
        let initiator = async {
            let lost = Recovery {
                connection: id(9),
                previous: None,
                checkpoint_size: 1,
                window_size: 2,
                part: x400::rts::machine::Part::Received {
                    activity_id: vec![2, 1, 1],
                },
            };
            a.rts
                .recover(&OpenRequest::new(&id(3), None), lost)
                .unwrap();
            assert_eq!(
                next(&mut a).await,
                Event::Refused(Refusal::Rts(RefuseReason::CANNOT_RECOVER))
            );
            // The refusing side waits for us to close the transport.
            while a.next().await.unwrap().is_some() {}
        };
        tokio::join!(responder, initiator);
        check("rts-refused", &a, 2);
    });
}

#[test]
fn an_rts_abort_passes_tshark() {
    block_on(async {
        let (mut a, mut b) = pair().await;
        let responder = async move {
            let Event::OpenIndication(_) = next(&mut b).await else {
                panic!()
            };
            b.rts.accept(None).unwrap();
            assert_eq!(
                next(&mut b).await,
                Event::Aborted(x400::rts::machine::AbortCause::Peer(Some(
                    x400::rts::AbortReason::TEMPORARY_PROBLEM
                )))
            );
            while b.next().await.unwrap().is_some() {}
        };
        let initiator = async {
            a.rts.open(&OpenRequest::new(&id(1), None)).unwrap();
            assert!(matches!(next(&mut a).await, Event::Opened(_)));
            // AB with AbortInformation `31 03 80 01 03`.
            a.rts
                .abort(a.now(), x400::rts::AbortReason::TEMPORARY_PROBLEM)
                .unwrap();
            while a.next().await.unwrap().is_some() {}
        };
        tokio::join!(responder, initiator);
        check("rts-abort", &a, 2);
    });
}
