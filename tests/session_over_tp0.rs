//! The session machine over the TP0 machine over TPKT over real TCP on 127.0.0.1 (issue 7,
//! item 4): a session initiator and responder, each a tokio shell around our sans-IO
//! machines (`tests/common`), connect, exchange data and release with FN/DN; once with the
//! kernel and duplex, once with the Basic Activity Subset as X.410 RTS uses it (0x0249).
//! Both sides' events are asserted in full, so a lost, duplicated or reordered SPDU fails.

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::std_instead_of_core
)]

mod common;

use std::future::Future;
use std::time::Duration;

use common::{Owned, Stack};
use tokio::net::TcpListener;
use x400::session::machine::{AcceptRequest, Config, ConnectRequest, Event, State};
use x400::session::{Requirements, TokenItem, Version};

/// Bound on each whole test: loopback traffic takes milliseconds, so this only stops a
/// hang (a lost SPDU would otherwise wait for ever).
const LIMIT: Duration = Duration::from_secs(10);

/// X.410 (1984) RTS's session units: half-duplex, minor sync, activities, exceptions.
const X410: u16 = 0x0249;

/// Runs `f` on a current-thread runtime, failing if it takes longer than [`LIMIT`].
fn run<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            tokio::time::timeout(LIMIT, f)
                .await
                .expect("test timed out")
        })
}

/// Binds a listener on an ephemeral loopback port and starts `responder` on its first
/// connection; returns the initiator's stack, connected through TP0, and the task.
async fn pair<R, Fut>(responder: R) -> (Stack, tokio::task::JoinHandle<Vec<Owned>>)
where
    R: FnOnce(Stack) -> Fut + Send + 'static,
    Fut: Future<Output = Vec<Owned>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let st = Stack::accept(tcp, Config::default()).await.unwrap();
        responder(st).await
    });
    let st = Stack::connect(addr, Config::default()).await.unwrap();
    // TP0 negotiated our default proposal (2048), so long TSDUs are segmented below.
    assert_eq!(st.net.tp.tpdu_size(), 2048);
    (st, task)
}

/// Takes events until the transport closes, answering each as an S-user would; returns
/// every event seen. `act` gets the machine and the event.
async fn respond(mut st: Stack, mut act: impl FnMut(&mut Stack, &Owned)) -> Vec<Owned> {
    let mut seen = Vec::new();
    while let Some(e) = st.next().await.unwrap() {
        act(&mut st, &e);
        seen.push(e);
    }
    // The initiator closed TCP after our DN: the session waited for exactly that in STA16.
    assert_eq!(st.s.state(), State::Sta01);
    seen
}

/// The TSDU sizes sent each way: empty, small, one TPDU exactly, and several TPDUs.
const SIZES: [usize; 5] = [0, 1, 2045, 2046, 20_000];

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap() ^ seed)
        .collect()
}

#[test]
fn kernel_duplex_over_tp0_on_loopback() {
    let (init, resp) = run(async {
        let (mut a, task) = pair(|st| {
            respond(st, |st, e| match e {
                Event::ConnectIndication { .. } => {
                    st.s.accept(&AcceptRequest {
                        user_data: b"welcome",
                        ..AcceptRequest::new(Requirements(Requirements::DUPLEX))
                    })
                    .unwrap()
                }
                // Duplex: the responder sends whenever it likes, no token needed.
                Event::Data(d) => {
                    let mut r = d.clone();
                    r.reverse();
                    st.s.send_data(&r).unwrap();
                }
                Event::Release(_) => st.s.release_response(st.net.now(), true, b"bye").unwrap(),
                _ => {}
            })
        })
        .await;
        a.s.connect(&ConnectRequest {
            user_data: b"hello",
            ..ConnectRequest::new(Requirements(Requirements::DUPLEX))
        })
        .unwrap();
        let mut events = vec![a.next_within(LIMIT).await.unwrap()];
        // Every TSDU goes out before any echo is read: data flows both ways at once.
        for (i, len) in SIZES.into_iter().enumerate() {
            a.s.send_data(&payload(len, u8::try_from(i).unwrap()))
                .unwrap();
        }
        a.flush().await.unwrap();
        for _ in SIZES {
            events.push(a.next_within(LIMIT).await.unwrap());
        }
        a.s.release(b"done").unwrap();
        while let Some(e) = a.next_within(LIMIT).await {
            events.push(e);
        }
        assert_eq!(a.s.state(), State::Sta01);
        (events, task.await.unwrap())
    });

    let echoes: Vec<Owned> = SIZES
        .into_iter()
        .enumerate()
        .map(|(i, len)| {
            let mut d = payload(len, u8::try_from(i).unwrap());
            d.reverse();
            Event::Data(d)
        })
        .collect();
    let mut want = vec![Event::ConnectConfirm {
        requirements: Requirements(Requirements::DUPLEX),
        version: Version(Version::V2),
        user_data: b"welcome".to_vec(),
    }];
    want.extend(echoes);
    want.push(Event::ReleaseConfirm {
        accepted: true,
        user_data: b"bye".to_vec(),
    });
    want.push(Event::DisconnectTransport);
    assert_eq!(init, want);

    match &resp[0] {
        Event::ConnectIndication {
            requirements,
            versions,
            user_data,
            ..
        } => {
            assert_eq!(*requirements, Requirements(Requirements::DUPLEX));
            assert_eq!(*versions, Version(Version::V1 | Version::V2));
            assert_eq!(user_data, b"hello");
        }
        e => panic!("{e:?}"),
    }
    let mut want: Vec<Owned> = SIZES
        .into_iter()
        .enumerate()
        .map(|(i, len)| Event::Data(payload(len, u8::try_from(i).unwrap())))
        .collect();
    want.push(Event::Release(b"done".to_vec()));
    assert_eq!(resp[1..], want);
}

/// Minor sync points in the activity.
const POINTS: u64 = 5;

#[test]
fn basic_activity_subset_over_tp0_on_loopback() {
    let (init, resp) = run(async {
        let (mut a, task) = pair(|st| {
            respond(st, |st, e| match e {
                Event::ConnectIndication { .. } => {
                    st.s.accept(&AcceptRequest::new(Requirements(X410)))
                        .unwrap()
                }
                Event::MinorSync {
                    serial,
                    confirm: true,
                    ..
                } => {
                    st.s.minor_sync_response(*serial, b"ok").unwrap();
                    // After the last point, half-duplex: ask for the turn to answer.
                    if *serial == POINTS {
                        st.s.please_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
                    }
                }
                Event::TokensGiven { .. } => {
                    st.s.send_data(b"reply in the activity").unwrap();
                    st.s.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
                }
                Event::ActivityEnd { .. } => st.s.activity_end_response(b"stored").unwrap(),
                Event::Release(_) => st.s.release_response(st.net.now(), true, &[]).unwrap(),
                _ => {}
            })
        })
        .await;
        a.s.connect(&ConnectRequest {
            user_data: b"RTORQ",
            ..ConnectRequest::new(Requirements(X410))
        })
        .unwrap();
        let mut events = vec![a.next_within(LIMIT).await.unwrap()];
        // The initiator holds every token of the subset (Token Setting all "initiator").
        assert_eq!(
            a.s.tokens_owned(),
            TokenItem(TokenItem::DATA | TokenItem::MINOR_SYNC | TokenItem::MAJOR_ACTIVITY)
        );
        a.s.activity_start(b"act-1", &[]).unwrap();
        for n in 1..=POINTS {
            a.s.send_data(&payload(3000, u8::try_from(n).unwrap()))
                .unwrap();
            assert_eq!(a.s.minor_sync(true, &[]).unwrap(), n);
        }
        a.flush().await.unwrap();
        // POINTS confirms, then the responder's please-tokens.
        for _ in 0..=POINTS {
            events.push(a.next_within(LIMIT).await.unwrap());
        }
        assert_eq!(a.s.va(), POINTS + 1, "every point confirmed");
        a.s.give_tokens(TokenItem(TokenItem::DATA), &[]).unwrap();
        // The reply, then the data token back.
        for _ in 0..2 {
            events.push(a.next_within(LIMIT).await.unwrap());
        }
        assert_eq!(a.s.activity_end(&[]).unwrap(), POINTS + 1);
        events.push(a.next_within(LIMIT).await.unwrap());
        assert!(!a.s.in_activity());
        a.s.release(&[]).unwrap();
        while let Some(e) = a.next_within(LIMIT).await {
            events.push(e);
        }
        (events, task.await.unwrap())
    });

    let mut want = vec![Event::ConnectConfirm {
        requirements: Requirements(X410),
        version: Version(Version::V2),
        user_data: vec![],
    }];
    for serial in 1..=POINTS {
        want.push(Event::MinorSyncConfirm {
            serial,
            user_data: b"ok".to_vec(),
        });
    }
    want.extend([
        Event::TokensPlease {
            tokens: TokenItem(TokenItem::DATA),
            user_data: vec![],
        },
        Event::Data(b"reply in the activity".to_vec()),
        Event::TokensGiven {
            tokens: TokenItem(TokenItem::DATA),
            user_data: vec![],
        },
        Event::ActivityEndConfirm {
            serial: POINTS + 1,
            user_data: b"stored".to_vec(),
        },
        Event::ReleaseConfirm {
            accepted: true,
            user_data: vec![],
        },
        Event::DisconnectTransport,
    ]);
    assert_eq!(init, want);

    assert!(
        matches!(
            &resp[0],
            Event::ConnectIndication { requirements: Requirements(X410), user_data, .. }
                if user_data == b"RTORQ"
        ),
        "{:?}",
        resp[0]
    );
    let mut want = vec![Event::ActivityStart {
        id: b"act-1".to_vec(),
        user_data: vec![],
    }];
    for serial in 1..=POINTS {
        want.push(Event::Data(payload(3000, u8::try_from(serial).unwrap())));
        want.push(Event::MinorSync {
            serial,
            confirm: true,
            user_data: vec![],
        });
    }
    want.extend([
        Event::TokensGiven {
            tokens: TokenItem(TokenItem::DATA),
            user_data: vec![],
        },
        Event::ActivityEnd {
            serial: POINTS + 1,
            user_data: vec![],
        },
        Event::Release(vec![]),
    ]);
    assert_eq!(resp[1..], want);
}
