//! The class 4 machine at the TPDU level: worked vectors, negotiation, error cases, timers.
//!
//! Byte vectors are built from X.224 clause 13 (a checksummed class 4 handshake, data and
//! release, verified against ISO 8073 Annex D.4). Two machines are wired by [`Pair`], which
//! moves datagrams with no delay and a manual clock.

// The class 4 machine needs the heap.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::time::Duration;

use hex_literal::hex;
use osi_transport::Instant;
use osi_transport::tp4::{Config, Connection, DisconnectCause, Event, State, Tsel};
use osi_transport::{
    Ack, ClassOption, Connect, Data, DisconnectReason, Expedited, Format, Param, ParamBuf, Reject,
    Tpdu, TpduSize, checksum,
};

const CR: [u8; 38] = hex!(
    "25 E4 00 00 00 01 40 C1 02 00 01 C2 02 00 02 C0 01 0A C4 01 01 C6 01 01 85 02 13 88 F2 04 00 02 BF 20 C3 02 55 B6"
);
const CC: [u8; 35] = hex!(
    "22 D4 00 01 00 42 40 C1 02 00 01 C2 02 00 02 C0 01 0A C6 01 01 85 02 13 88 F2 04 00 02 BF 20 C3 02 EF B3"
);
const AK: [u8; 9] = hex!("08 64 00 42 00 C3 02 66 25");
const DT_HELLO: [u8; 14] = hex!("08 F0 00 42 80 C3 02 E3 84 68 65 6C 6C 6F");
const DR: [u8; 11] = hex!("0A 80 00 42 00 01 80 C3 02 F0 FA");
const DC: [u8; 10] = hex!("09 C0 00 01 00 42 C3 02 4A E2");

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The instant `n` milliseconds after the epoch.
fn at(n: u64) -> Instant {
    Instant::from_millis(n)
}

/// The configuration the vectors above were made with: normal formats, credit 4, AL 5 s.
fn vector_config() -> Config {
    {
        let mut c = Config::default();
        c.extended_format = false;
        c.credit = 4;
        c.ack_time = ms(5_000);
        c.calling_tsel = Tsel::new(&[0, 1]);
        c.called_tsel = Tsel::new(&[0, 2]);
        c
    }
}

fn tx(c: &mut Connection, now: Instant) -> Vec<Vec<u8>> {
    let mut buf = vec![0; 65_536];
    let mut out = vec![];
    while let Some(n) = c.poll_transmit(now, &mut buf).unwrap() {
        out.push(buf[..n].to_vec());
    }
    out
}

fn events(c: &mut Connection) -> Vec<Event> {
    core::iter::from_fn(|| c.poll_event()).collect()
}

/// `params` followed by a C3 parameter.
fn c3(params: &[Param<'_>]) -> ParamBuf {
    let mut pb = ParamBuf::new();
    for p in params {
        pb.push(p).unwrap();
    }
    pb.push(&Param::Checksum([0, 0])).unwrap();
    pb
}

/// Encodes the TPDU `make` builds around `pb` and fills in its checksum.
fn sealed<'a>(
    make: impl FnOnce(osi_transport::Params<'a>) -> Tpdu<'a>,
    pb: &'a ParamBuf,
) -> Vec<u8> {
    let tpdu = make(pb.params());
    let mut v = vec![0; tpdu.encoded_len()];
    tpdu.encode(&mut v).unwrap();
    checksum::fill(&mut v).unwrap();
    v
}

fn dt(dst: u16, nr: u32, eot: bool, data: &[u8]) -> Vec<u8> {
    sealed(
        |params| {
            Tpdu::Dt(Data {
                format: Format::Normal,
                dst_ref: dst,
                roa: false,
                eot,
                nr,
                params,
                data,
            })
        },
        &c3(&[]),
    )
}

/// Two machines joined by a perfect, instant link.
struct Pair {
    a: Connection,
    b: Connection,
    now: Instant,
    /// Every datagram each side sent: (from A?, octets).
    wire: Vec<(bool, Vec<u8>)>,
    /// Drop what B sends (a one-way partition).
    drop_b: bool,
}

impl Pair {
    fn new(a: Config, b: Config) -> Self {
        let mut p = Self {
            a: Connection::connect(a, 0x0a0a).unwrap(),
            b: Connection::listen(b, 0x0b0b).unwrap(),
            now: Instant::ZERO,
            wire: vec![],
            drop_b: false,
        };
        p.run();
        assert!(matches!(
            events(&mut p.b)[..],
            [Event::ConnectIndication { peer_ref: 0x0a0a }]
        ));
        p.b.accept(p.now).unwrap();
        p.run();
        assert_eq!(events(&mut p.a), vec![Event::Connected]);
        assert_eq!(events(&mut p.b), vec![Event::Connected]);
        p
    }

    /// Moves datagrams until both sides are quiet at the current time.
    fn run(&mut self) {
        loop {
            let from_a = tx(&mut self.a, self.now);
            let from_b = tx(&mut self.b, self.now);
            if from_a.is_empty() && from_b.is_empty() {
                return;
            }
            for d in from_a {
                self.b.handle_datagram(self.now, &d);
                self.wire.push((true, d));
            }
            for d in from_b {
                if !self.drop_b {
                    self.a.handle_datagram(self.now, &d);
                }
                self.wire.push((false, d));
            }
        }
    }

    /// Advances the clock to the next deadline of either side and runs.
    fn step(&mut self) -> Instant {
        let next = [self.a.poll_timeout(), self.b.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .expect("a deadline");
        self.now = self.now.max(next);
        self.a.handle_timeout(self.now);
        self.b.handle_timeout(self.now);
        self.run();
        self.now
    }
}

#[test]
fn initiator_emits_the_worked_cr_ak_dt_and_dr() {
    let mut a = Connection::connect(vector_config(), 0x0001).unwrap();
    assert_eq!(tx(&mut a, at(0)), vec![CR.to_vec()]);
    a.handle_datagram(at(10), &CC);
    assert_eq!(events(&mut a), vec![Event::Connected]);
    assert_eq!(a.options(), (false, true, true));
    assert_eq!(tx(&mut a, at(10)), vec![AK.to_vec()]);
    a.send(b"hello").unwrap();
    assert_eq!(tx(&mut a, at(20)), vec![DT_HELLO.to_vec()]);
    a.close();
    assert_eq!(tx(&mut a, at(30)), vec![DR.to_vec()]);
    a.handle_datagram(at(40), &DC);
    assert_eq!(events(&mut a), vec![Event::Released { confirmed: true }]);
    assert_eq!(a.state(), State::Frozen);
    // The reference stays frozen for L, then is free.
    assert_eq!(
        a.poll_timeout(),
        Some(at(40) + Config::default().freeze_time)
    );
    a.handle_timeout(at(40) + Config::default().freeze_time);
    assert_eq!(a.state(), State::Closed);
}

#[test]
fn responder_answers_the_worked_cr_with_the_worked_cc_and_dc() {
    let mut b = Connection::listen(vector_config(), 0x0042).unwrap();
    b.handle_datagram(at(0), &CR);
    assert_eq!(
        events(&mut b),
        vec![Event::ConnectIndication { peer_ref: 1 }]
    );
    // A duplicate CR while the user decides is ignored.
    b.handle_datagram(at(1), &CR);
    assert!(tx(&mut b, at(1)).is_empty());
    b.accept(at(2)).unwrap();
    assert_eq!(tx(&mut b, at(2)), vec![CC.to_vec()]);
    // A retransmitted CR in AKWAIT gets the CC again.
    b.handle_datagram(at(3), &CR);
    assert_eq!(tx(&mut b, at(3)), vec![CC.to_vec()]);
    b.handle_datagram(at(4), &AK);
    assert_eq!(events(&mut b), vec![Event::Connected]);
    b.handle_datagram(at(5), &DT_HELLO);
    assert_eq!(events(&mut b), vec![Event::Data(b"hello".to_vec())]);
    b.handle_datagram(at(6), &DR);
    assert_eq!(tx(&mut b, at(6)), vec![DC.to_vec()]);
    assert_eq!(
        events(&mut b),
        vec![Event::Disconnected(DisconnectCause::Peer(
            DisconnectReason::NORMAL
        ))]
    );
    assert_eq!(b.state(), State::Frozen);
    // Frozen: a repeated DR (our DC was lost) is confirmed again, nothing else happens.
    b.handle_datagram(at(7), &DR);
    assert_eq!(tx(&mut b, at(7)), vec![DC.to_vec()]);
    b.handle_datagram(at(8), &DT_HELLO);
    assert!(tx(&mut b, at(8)).is_empty());
    assert!(events(&mut b).is_empty());
}

#[test]
fn every_emitted_tpdu_passes_the_annex_d_check() {
    let mut p = Pair::new(Config::default(), Config::default());
    p.a.send(&[9; 5_000]).unwrap();
    p.a.send_expedited(b"x").unwrap();
    p.run();
    p.a.close();
    p.run();
    assert!(p.wire.len() > 8);
    for (_, d) in &p.wire {
        assert!(checksum::verify(d), "{d:02x?}");
    }
}

#[test]
fn corrupted_or_unchecksummed_cr_is_discarded() {
    let mut b = Connection::listen(vector_config(), 0x0042).unwrap();
    let mut bad = CR;
    bad[10] ^= 0x01;
    b.handle_datagram(at(0), &bad);
    // The same CR without its C3 parameter (LI 0x25 - 4).
    let mut bare = CR[..CR.len() - 4].to_vec();
    bare[0] -= 4;
    b.handle_datagram(at(0), &bare);
    assert!(events(&mut b).is_empty());
    assert!(tx(&mut b, at(0)).is_empty());
    assert_eq!(b.state(), State::Listen);
}

#[test]
fn cr_for_another_class_is_refused_with_src_ref_zero() {
    let mut b = Connection::listen(Config::default(), 0x0042).unwrap();
    let cr = sealed(
        |params| {
            Tpdu::Cr(Connect {
                cdt: 0,
                dst_ref: 0,
                src_ref: 0x0007,
                class: ClassOption::new(2, false, false),
                params,
                data: &[],
            })
        },
        &c3(&[]),
    );
    b.handle_datagram(at(0), &cr);
    let out = tx(&mut b, at(0));
    assert_eq!(out.len(), 1);
    let (Tpdu::Dr(dr), _) = Tpdu::decode(&out[0]).unwrap() else {
        panic!("{out:02x?}")
    };
    assert_eq!(
        (dr.dst_ref, dr.src_ref, dr.reason),
        (7, 0, DisconnectReason::NEGOTIATION_FAILED)
    );
    assert!(checksum::verify(&out[0]));
    assert_eq!(b.state(), State::Listen);
}

#[test]
fn cc_selecting_a_larger_tpdu_than_proposed_is_rejected() {
    let mut a = Connection::connect(vector_config(), 0x0001).unwrap();
    tx(&mut a, at(0));
    let cc = sealed(
        |params| {
            Tpdu::Cc(Connect {
                cdt: 4,
                dst_ref: 1,
                src_ref: 0x42,
                class: ClassOption::new(4, false, false),
                params,
                data: &[],
            })
        },
        &c3(&[Param::TpduSize(TpduSize::S8192)]),
    );
    a.handle_datagram(at(1), &cc);
    assert_eq!(
        events(&mut a),
        vec![Event::Disconnected(DisconnectCause::NegotiationFailed)]
    );
    let out = tx(&mut a, at(1));
    let (Tpdu::Dr(dr), _) = Tpdu::decode(&out[0]).unwrap() else {
        panic!()
    };
    assert_eq!((dr.dst_ref, dr.src_ref), (0x42, 1));
}

#[test]
fn checksum_is_used_unless_both_sides_refuse_it() {
    let off = {
        let mut c = Config::default();
        c.checksum = false;
        c
    };
    let p = Pair::new(off.clone(), Config::default());
    assert!(p.a.options().1);
    let mut p = Pair::new(off.clone(), off);
    assert!(!p.a.options().1);
    p.a.send(b"plain").unwrap();
    p.run();
    assert_eq!(events(&mut p.b), vec![Event::Data(b"plain".to_vec())]);
    // After the CR (which always carries C3), no TPDU carries a checksum.
    for (_, d) in &p.wire[1..] {
        assert!(!d.windows(2).any(|w| w == [0xc3, 0x02]), "{d:02x?}");
    }
}

#[test]
fn extended_format_needs_both_sides() {
    let normal = {
        let mut c = Config::default();
        c.extended_format = false;
        c
    };
    assert!(!Pair::new(Config::default(), normal.clone()).a.options().0);
    assert!(!Pair::new(normal, Config::default()).b.options().0);
    assert!(
        Pair::new(Config::default(), Config::default())
            .a
            .options()
            .0
    );
}

#[test]
fn out_of_order_and_duplicate_dts_are_resequenced_and_delivered_once() {
    let mut b = Connection::listen(vector_config(), 0x0042).unwrap();
    b.handle_datagram(at(0), &CR);
    b.accept(at(0)).unwrap();
    tx(&mut b, at(0));
    b.handle_datagram(at(1), &AK);
    events(&mut b);
    b.handle_datagram(at(2), &dt(0x42, 2, true, b"c"));
    b.handle_datagram(at(2), &dt(0x42, 1, false, b"b"));
    assert!(events(&mut b).is_empty());
    // The gap makes B acknowledge at once, still expecting 0.
    let aks = tx(&mut b, at(2));
    let (Tpdu::Ak(ak), _) = Tpdu::decode(aks.last().unwrap()).unwrap() else {
        panic!()
    };
    assert_eq!(ak.nr, 0);
    b.handle_datagram(at(3), &dt(0x42, 0, false, b"a"));
    assert_eq!(events(&mut b), vec![Event::Data(b"abc".to_vec())]);
    // A retransmitted DT is acknowledged again and not delivered again.
    b.handle_datagram(at(4), &dt(0x42, 1, false, b"b"));
    assert!(events(&mut b).is_empty());
    let aks = tx(&mut b, at(4));
    let (Tpdu::Ak(ak), _) = Tpdu::decode(&aks[0]).unwrap() else {
        panic!()
    };
    assert_eq!(ak.nr, 3);
    // A DT beyond the granted window (credit 4 from 3: 3..=6) is discarded.
    b.handle_datagram(at(5), &dt(0x42, 7, true, b"z"));
    b.handle_datagram(at(5), &dt(0x42, 3, true, b"d"));
    assert_eq!(events(&mut b), vec![Event::Data(b"d".to_vec())]);
}

#[test]
fn ak_and_dt_concatenated_in_one_nsdu_are_both_handled() {
    let mut b = Connection::listen(vector_config(), 0x0042).unwrap();
    b.handle_datagram(at(0), &CR);
    events(&mut b);
    b.accept(at(0)).unwrap();
    tx(&mut b, at(0));
    let mut nsdu = AK.to_vec();
    nsdu.extend_from_slice(&DT_HELLO);
    b.handle_datagram(at(1), &nsdu);
    assert_eq!(
        events(&mut b),
        vec![Event::Connected, Event::Data(b"hello".to_vec())]
    );
}

#[test]
fn idle_connection_sends_keep_alive_aks_and_peer_silence_ends_it() {
    let cfg = {
        let mut c = Config::default();
        c.window_time = ms(1_000);
        c.inactivity_time = ms(3_500);
        c
    };
    let mut p = Pair::new(cfg.clone(), cfg);
    p.drop_b = true;
    let start = p.now;
    let mut keep_alives = 0;
    while p.a.state() == State::Open {
        let sent = p.wire.len();
        p.step();
        keep_alives += p.wire[sent..]
            .iter()
            .filter(|(from_a, d)| *from_a && d[1] & 0xf0 == 0x60)
            .count();
    }
    // A heard nothing from B for IL: released with DR after three keep-alives.
    assert_eq!(p.now - start, ms(3_500));
    assert_eq!(keep_alives, 3);
    assert_eq!(
        events(&mut p.a),
        vec![Event::Disconnected(DisconnectCause::Inactivity)]
    );
    assert_eq!(p.a.state(), State::Closing);
    // B saw A's keep-alives, then its DR: it answered with DC and froze.
    assert!(matches!(
        events(&mut p.b)[..],
        [Event::Disconnected(DisconnectCause::Peer(_))]
    ));
}

#[test]
fn unacknowledged_data_ends_in_retry_limit_failure() {
    let cfg = {
        let mut c = Config::default();
        c.retransmit_time = ms(100);
        c.max_transmissions = 4;
        c
    };
    let mut p = Pair::new(cfg.clone(), cfg);
    p.drop_b = true;
    p.a.send(b"lost").unwrap();
    p.run();
    let t0 = p.now;
    while p.a.state() == State::Open {
        p.step();
    }
    assert_eq!(p.now - t0, ms(400));
    let dts = p
        .wire
        .iter()
        .filter(|(a, d)| *a && d[1] & 0xfe == 0xf0)
        .count();
    assert_eq!(dts, 4, "N = 4 transmissions");
    assert_eq!(
        events(&mut p.a),
        vec![Event::Disconnected(DisconnectCause::RetryLimit)]
    );
    // B did get the DT (only B's answers are lost) and delivered it exactly once, then
    // A's DR.
    assert_eq!(
        events(&mut p.b),
        vec![
            Event::Data(b"lost".to_vec()),
            Event::Disconnected(DisconnectCause::Peer(DisconnectReason::NOT_SPECIFIED))
        ]
    );
}

#[test]
fn expedited_data_is_acknowledged_and_delivered_once() {
    let mut p = Pair::new(Config::default(), Config::default());
    p.a.send_expedited(b"urgent").unwrap();
    // Only one ED may be outstanding.
    assert!(p.a.send_expedited(b"again").is_err());
    p.run();
    assert_eq!(events(&mut p.b).len(), 1);
    assert_eq!(events(&mut p.a), vec![Event::ExpeditedAcknowledged]);
    let ed = p
        .wire
        .iter()
        .find(|(a, d)| *a && d[1] == 0x10)
        .unwrap()
        .1
        .clone();
    // A duplicate ED is acknowledged again but not delivered again.
    let before = p.wire.len();
    p.b.handle_datagram(p.now, &ed);
    p.run();
    assert!(events(&mut p.b).is_empty());
    assert!(p.wire[before..].iter().any(|(a, d)| !*a && d[1] == 0x20));
    p.a.send_expedited(b"next").unwrap();
    p.run();
    let ev = events(&mut p.b);
    let [Event::Expedited(x)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(x.as_slice(), b"next");
}

#[test]
fn expedited_data_is_refused_when_not_agreed() {
    let no = {
        let mut c = Config::default();
        c.expedited = false;
        c
    };
    let mut p = Pair::new(Config::default(), no);
    assert!(p.a.send_expedited(b"x").is_err());
    // An ED sent anyway is ignored.
    let ed = sealed(
        |params| {
            Tpdu::Ed(Expedited {
                format: Format::Extended,
                dst_ref: 0x0b0b,
                eot: true,
                nr: 0,
                params,
                data: b"x",
            })
        },
        &c3(&[]),
    );
    p.b.handle_datagram(p.now, &ed);
    assert!(events(&mut p.b).is_empty());
}

#[test]
fn full_receive_buffer_closes_the_window_and_reading_reopens_it() {
    let b_cfg = {
        let mut c = Config::default();
        c.max_tsdu_len = 1_000;
        c.max_receive_buffer = 2_000;
        c
    };
    // Credit alone limits A here (no congestion window), so the count below is exact.
    let a_cfg = {
        let mut c = Config::default();
        c.congestion_control = false;
        c
    };
    let mut p = Pair::new(a_cfg, b_cfg);
    for _ in 0..20 {
        p.a.send(&[1; 1_000]).unwrap();
    }
    p.run();
    // The CC granted 8 DTs; after them B's buffer is full and its AKs grant nothing.
    let first: Vec<_> = events(&mut p.b);
    assert_eq!(first.len(), 8);
    p.run();
    // Reading made room: B reopened the window and A sent flow control confirmation.
    let fcc = p
        .wire
        .iter()
        .any(|(a, d)| *a && d[1] == 0x60 && d.windows(2).any(|w| w == [0x8c, 0x08]));
    assert!(fcc, "A confirmed the reopened window");
    let mut total = first.len();
    for _ in 0..20 {
        total += events(&mut p.b).len();
        p.run();
    }
    assert_eq!(total, 20);
    assert!(p.a.all_acknowledged());
}

#[test]
fn reject_makes_the_sender_go_back() {
    let mut p = Pair::new(Config::default(), Config::default());
    p.a.send(b"one").unwrap();
    p.a.send(b"two").unwrap();
    p.run();
    events(&mut p.b);
    let before = p.wire.len();
    // An RJ (a class 1/3 TPDU) naming YR-TU-NR 1 after everything was acknowledged is out
    // of sequence for the acknowledged window and changes nothing.
    let rj = {
        let t = Tpdu::Rj(Reject {
            extended: true,
            dst_ref: 0x0a0a,
            nr: 1,
            cdt: 8,
        });
        let mut v = vec![0; t.encoded_len()];
        t.encode(&mut v).unwrap();
        v
    };
    p.a.handle_datagram(p.now, &rj);
    p.run();
    assert_eq!(p.wire.len(), before);
    // With data outstanding, an RJ makes A resend from YR-TU-NR at once.
    p.drop_b = true;
    p.a.send(b"three").unwrap();
    p.run();
    let sent = p.wire.len();
    let rj2 = {
        let t = Tpdu::Rj(Reject {
            extended: true,
            dst_ref: 0x0a0a,
            nr: 2,
            cdt: 8,
        });
        let mut v = vec![0; t.encoded_len()];
        t.encode(&mut v).unwrap();
        v
    };
    p.a.handle_datagram(p.now, &rj2);
    p.run();
    assert!(
        p.wire[sent..]
            .iter()
            .any(|(a, d)| *a && d[1] == 0xf0 && d.ends_with(b"three"))
    );
}

#[test]
fn normal_format_numbers_wait_for_old_copies_to_die() {
    let cfg = {
        let mut c = Config::default();
        c.extended_format = false;
        c.credit = 15;
        c.ack_every = 1;
        c.max_nsdu_lifetime = ms(10_000);
        c
    };
    let mut p = Pair::new(cfg.clone(), cfg);
    for i in 0..100u8 {
        p.a.send(&[i]).unwrap();
    }
    p.run();
    // DT 64 reuses the half of the space DT 0 was in: it waits until DT 0 is dead.
    assert_eq!(events(&mut p.b).len(), 64);
    assert_eq!(p.a.poll_timeout(), Some(p.now + ms(10_000)));
    p.step();
    assert_eq!(events(&mut p.b).len(), 36);
}

#[test]
fn dr_before_cc_goes_to_reference_zero_and_a_late_cc_is_answered_with_dr() {
    let mut a = Connection::connect(vector_config(), 0x0001).unwrap();
    tx(&mut a, at(0));
    a.close();
    let out = tx(&mut a, at(1));
    let (Tpdu::Dr(dr), _) = Tpdu::decode(&out[0]).unwrap() else {
        panic!()
    };
    assert_eq!((dr.dst_ref, dr.src_ref), (0, 1));
    a.handle_datagram(at(2), &CC);
    let out = tx(&mut a, at(2));
    let (Tpdu::Dr(dr), _) = Tpdu::decode(&out[0]).unwrap() else {
        panic!("{out:02x?}")
    };
    assert_eq!((dr.dst_ref, dr.src_ref), (0x42, 1));
}

#[test]
fn config_limits_are_checked() {
    assert!(Connection::connect(Config::default(), 0).is_err());
    let bad = {
        let mut c = Config::default();
        c.credit = 0;
        c
    };
    assert!(Connection::listen(bad, 1).is_err());
}

#[test]
fn ack_with_subsequence_is_ordered_before_older_credit() {
    let mut p = Pair::new(Config::default(), Config::default());
    p.a.send(&[5; 3_000]).unwrap();
    p.drop_b = true;
    p.run();
    // Peer AKs for YR-TU-NR 0: credit 8 (subsequence 0), then credit 2 with subsequence 1;
    // a stale AK with credit 8 and no subsequence arriving afterwards is out of sequence.
    let ak = |cdt: u16, sub: Option<u16>| {
        let params: Vec<Param<'_>> = sub.map(Param::SubsequenceNumber).into_iter().collect();
        sealed(
            |params| {
                Tpdu::Ak(Ack {
                    extended: true,
                    dst_ref: 0x0a0a,
                    nr: 3,
                    cdt,
                    params,
                })
            },
            &c3(&params),
        )
    };
    p.a.handle_datagram(p.now, &ak(2, Some(1)));
    p.a.handle_datagram(p.now, &ak(8, None));
    p.a.send(&[6; 3_000]).unwrap();
    let before = p.wire.len();
    p.run();
    // Window 3..5: only two new DTs may go.
    let dts = p.wire[before..]
        .iter()
        .filter(|(a, d)| *a && d[1] & 0xfe == 0xf0)
        .count();
    assert_eq!(dts, 2);
}
