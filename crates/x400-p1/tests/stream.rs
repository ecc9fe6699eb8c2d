//! The streaming splitter of transfer APDUs: real vectors (asn1tools' 1988 message and probe,
//! the 1984 UserMPDU built from the 1984 ASN.1, the hand-made X.410 frames that carry the
//! message in two session data units) fed in every split, indefinite lengths, segmented
//! content, relaying with `message_prefix`, the errors, and a 64 MiB content in bounded memory.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{dt_user_information, unhex, vector};
use x400_p1::mta_abstract_service::{
    DomainSuppliedInformation, MessageTransferEnvelope, MtsApdu, RoutingAction,
    TraceInformationElement,
};
use x400_p1::p1_1984::{Mpdu, UmpduEnvelope};
use x400_p1::stream::{
    Kind, Piece, PrefixTooLong, SplitError, SplitLimits, TransferSplitter, message_prefix,
};
use x400_p1::{decode, encode};

const TSV: &str = "asn1tools-p1.tsv";

/// The 1984 UserMPDU of `tests/p1_1984.rs` (built from the X.411 (1984) ASN.1, re-parsed with
/// openssl): envelope `31 81 BE`, then a 178-octet P2 content `04 81 B2`.
const USER_MPDU_1984: &str = "
A0 82 01 76 31 81 BE 64 20 63 14 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 13 04 50 52 4D 44 16 08 4D 53
47 2D 30 30 30 31 60 2C 30 2A 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F
52 47 A5 0D 80 05 53 6D 69 74 68 81 04 4A 6F 68 6E 65 04 80 02 05 20 46 01 02 48 02 04 20 A2 31 31 2F 60
26 30 24 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 07 80 05 4A
6F 6E 65 73 80 01 01 81 02 00 A0 69 2C 30 2A 63 14 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 13 04 50 52
4D 44 31 12 80 0D 39 34 30 32 31 34 31 30 33 30 30 30 5A 82 01 00 04 81 B2 A0 81 AF 31 81 9D 6B 35 60 2C
30 2A 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 0D 80 05 53 6D
69 74 68 81 04 4A 6F 68 6E 13 05 49 50 4D 2D 31 A0 2E 60 2C 30 2A 61 04 13 02 47 42 62 06 13 04 41 44 4D
44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 0D 80 05 53 6D 69 74 68 81 04 4A 6F 68 6E A2 2C 31 2A A0 28
60 26 30 24 61 04 13 02 47 42 62 06 13 04 41 44 4D 44 A2 06 13 04 50 52 4D 44 83 03 4F 52 47 A5 07 80 05
4A 6F 6E 65 73 A8 06 14 04 54 65 73 74 30 0D A0 0B 31 00 16 07 48 65 6C 6C 6F 0D 0A";

/// A piece with its octets copied, adjacent `Content` pieces joined (how the content is cut
/// depends on how the input was).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owned {
    Start(Kind),
    Envelope(Vec<u8>),
    Content(Vec<u8>),
    Whole(Vec<u8>),
    End(u64),
}

fn push(pieces: &mut Vec<Owned>, p: Piece<'_>) {
    match (p, pieces.last_mut()) {
        (Piece::Content(c), Some(Owned::Content(prev))) => prev.extend_from_slice(c),
        (Piece::Content(c), _) => pieces.push(Owned::Content(c.to_vec())),
        (Piece::Start(k), _) => pieces.push(Owned::Start(k)),
        (Piece::Envelope(e), _) => pieces.push(Owned::Envelope(e.to_vec())),
        (Piece::Whole(w), _) => pieces.push(Owned::Whole(w.to_vec())),
        (Piece::End { content_len }, _) => pieces.push(Owned::End(content_len)),
    }
}

/// Feeds `apdu` in pieces of the sizes `sizes` gives (the rest at the end), then finishes.
fn split_by(
    apdu: &[u8],
    limits: SplitLimits,
    mut sizes: impl FnMut() -> usize,
) -> Result<Vec<Owned>, SplitError> {
    let mut s = TransferSplitter::new(limits);
    let mut pieces = Vec::new();
    let mut rest = apdu;
    while !rest.is_empty() {
        let n = sizes().clamp(1, rest.len());
        let (chunk, r) = rest.split_at(n);
        rest = r;
        s.feed(chunk, &mut |p| push(&mut pieces, p))?;
    }
    s.finish()?;
    Ok(pieces)
}

fn split(apdu: &[u8]) -> Result<Vec<Owned>, SplitError> {
    split_by(apdu, SplitLimits::DEFAULT, || usize::MAX)
}

/// xorshift64*: a fixed-seed PRNG, so the random splits are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Whole, one octet at a time, and 200 random splits all give `expected`.
fn assert_every_split(apdu: &[u8], expected: &[Owned]) {
    assert_eq!(split(apdu).unwrap(), expected, "whole");
    assert_eq!(
        split_by(apdu, SplitLimits::DEFAULT, || 1).unwrap(),
        expected,
        "octet by octet"
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..200 {
        let max = [2, 5, 17, 64, 300][round % 5];
        let got = split_by(apdu, SplitLimits::DEFAULT, || {
            (rng.next() % max) as usize + 1
        });
        assert_eq!(got.unwrap(), expected, "random split, round {round}");
    }
}

/// One TLV with definite or indefinite length: (identifier, contents, whole length).
fn tlv(d: &[u8]) -> (u8, &[u8], usize) {
    let (len, hdr) = match d[1] {
        n if n < 0x80 => (n as usize, 2),
        n => {
            let k = (n & 0x7f) as usize;
            (
                d[2..2 + k].iter().fold(0, |v, b| (v << 8) | *b as usize),
                2 + k,
            )
        }
    };
    (d[0], &d[hdr..hdr + len], hdr + len)
}

/// `d` (definite lengths) with every constructed value re-sent with an indefinite length.
fn indefinite(d: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = d;
    while !rest.is_empty() {
        let (id, contents, n) = tlv(rest);
        if id & 0x20 != 0 {
            out.extend_from_slice(&[id, 0x80]);
            out.extend(indefinite(contents));
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&rest[..n]);
        }
        rest = &rest[n..];
    }
    out
}

/// The pieces a definite-length message gives: its envelope TLV and its content's value.
fn message_pieces(apdu: &[u8]) -> Vec<Owned> {
    let (_, contents, _) = tlv(apdu);
    let (_, _, env_len) = tlv(contents);
    let (_, content, _) = tlv(&contents[env_len..]);
    vec![
        Owned::Start(Kind::Message),
        Owned::Envelope(contents[..env_len].to_vec()),
        Owned::Content(content.to_vec()),
        Owned::End(content.len() as u64),
    ]
}

#[test]
fn message_1988_in_every_split() {
    let apdu = vector(TSV, "E.MTS-APDU.message");
    let expected = message_pieces(&apdu);
    assert_every_split(&apdu, &expected);
    // The envelope piece decodes as the whole APDU's envelope; the content is `31 00`.
    let MtsApdu::Message(m) = decode::<MtsApdu>(&apdu).unwrap() else {
        panic!()
    };
    let Owned::Envelope(env) = &expected[1] else {
        panic!()
    };
    assert_eq!(decode::<MessageTransferEnvelope>(env).unwrap(), m.envelope);
    assert_eq!(expected[2], Owned::Content(vec![0x31, 0x00]));
}

#[test]
fn user_mpdu_1984_in_every_split() {
    let apdu = unhex(USER_MPDU_1984);
    let expected = message_pieces(&apdu);
    assert_every_split(&apdu, &expected);
    let Mpdu::UserMpdu(u) = decode::<Mpdu>(&apdu).unwrap() else {
        panic!()
    };
    let Owned::Envelope(env) = &expected[1] else {
        panic!()
    };
    assert_eq!(env.len(), 3 + 0xbe);
    assert_eq!(decode::<UmpduEnvelope>(env).unwrap(), u.envelope);
    assert_eq!(expected[2], Owned::Content(u.content.to_vec()));
    assert_eq!(expected[3], Owned::End(0xb2));
}

/// The 1984 envelope decoder ignores the unknown elements the whole MPDU's does; the 1988 one
/// does not.
#[test]
fn envelope_1984_ignores_unknown_elements() {
    let apdu = unhex(USER_MPDU_1984);
    let Owned::Envelope(env) = &message_pieces(&apdu)[1] else {
        panic!()
    };
    // `31 81 BE ...` with `[9] 00` appended: `31 81 C1 ... 89 01 00`.
    let mut extra = vec![0x31, 0x81, 0xc1];
    extra.extend_from_slice(&env[3..]);
    extra.extend_from_slice(&[0x89, 0x01, 0x00]);
    assert_eq!(
        decode::<UmpduEnvelope>(&extra).unwrap(),
        decode::<UmpduEnvelope>(env).unwrap()
    );
    assert!(decode::<MessageTransferEnvelope>(&extra).is_err());
    // Trailing octets are still an error.
    let mut trailing = env.clone();
    trailing.push(0);
    assert!(matches!(
        decode::<UmpduEnvelope>(&trailing),
        Err(x400_p1::Error::TrailingData { len: 1, .. })
    ));
}

#[test]
fn probe_is_given_whole() {
    let apdu = vector(TSV, "E.MTS-APDU.probe");
    let expected = [
        Owned::Start(Kind::Probe),
        Owned::Whole(apdu.clone()),
        Owned::End(0),
    ];
    assert_every_split(&apdu, &expected);
    // Indefinite lengths everywhere: the whole APDU is handed on as received.
    let indef = indefinite(&apdu);
    let expected = [
        Owned::Start(Kind::Probe),
        Owned::Whole(indef.clone()),
        Owned::End(0),
    ];
    assert_every_split(&indef, &expected);
    assert_eq!(
        decode::<MtsApdu>(&indef).unwrap(),
        decode::<MtsApdu>(&apdu).unwrap()
    );
}

/// A 1988 report built from the message vector's names and trace.
fn report() -> Vec<u8> {
    use x400_p1::mta_abstract_service::*;
    use x400_p1::mts_abstract_service::*;
    let MtsApdu::Message(m) = decode::<MtsApdu>(&vector(TSV, "E.MTS-APDU.message")).unwrap() else {
        panic!()
    };
    let e = m.envelope;
    let arrival = e.trace_information.0[0]
        .domain_supplied_information
        .arrival_time;
    let r = Report {
        envelope: ReportTransferEnvelope {
            report_identifier: e.message_identifier.clone(),
            report_destination_name: e.originator_name.clone(),
            trace_information: e.trace_information.clone(),
            extensions: None,
        },
        content: ReportTransferContent {
            subject_identifier: e.message_identifier,
            subject_intermediate_trace_information: None,
            original_encoded_information_types: None,
            content_type_built_in: None,
            content_type_extended: None,
            content_identifier: e.content_identifier,
            returned_content: None,
            additional_information: None,
            extensions: None,
            per_recipient_fields: vec![PerRecipientReportTransferFields {
                actual_recipient_name: e.per_recipient_fields[0].recipient_name.clone(),
                originally_specified_recipient_number: 1,
                per_recipient_indicators: e.per_recipient_fields[0]
                    .per_recipient_indicators
                    .clone(),
                last_trace_information: LastTraceInformation {
                    arrival_time: arrival,
                    converted_encoded_information_types: None,
                    report_type: ReportType::NonDelivery(NonDeliveryReport {
                        non_delivery_reason_code: 1,
                        non_delivery_diagnostic_code: Some(0),
                    }),
                },
                originally_intended_recipient_name: None,
                supplementary_information: None,
                extensions: None,
            }],
        },
    };
    encode(&MtsApdu::Report(r)).unwrap()
}

#[test]
fn report_is_given_whole() {
    let apdu = report();
    assert_eq!(apdu[0], 0xa1);
    let expected = [
        Owned::Start(Kind::Report),
        Owned::Whole(apdu.clone()),
        Owned::End(0),
    ];
    assert_every_split(&apdu, &expected);
}

/// H.DT.seg1 + H.DT.seg2: the message as two session data units carried it.
#[test]
fn handmade_session_segments() {
    const H: &str = "handmade-x410.tsv";
    let (s1, s2) = (vector(H, "H.DT.seg1"), vector(H, "H.DT.seg2"));
    let (a, b) = (dt_user_information(&s1), dt_user_information(&s2));
    let mut s = TransferSplitter::new(SplitLimits::DEFAULT);
    let mut pieces = Vec::new();
    s.feed(a, &mut |p| push(&mut pieces, p)).unwrap();
    assert!(s.finish().is_err(), "half a message is not complete");
    s.feed(b, &mut |p| push(&mut pieces, p)).unwrap();
    s.finish().unwrap();
    assert_eq!(pieces, message_pieces(&vector(TSV, "E.MTS-APDU.message")));
}

/// Every constructed value of the message with an indefinite length: the envelope piece is
/// the envelope as sent, which decodes to the same value; the content is the same.
#[test]
fn indefinite_message() {
    for apdu in [vector(TSV, "E.MTS-APDU.message"), unhex(USER_MPDU_1984)] {
        let definite = message_pieces(&apdu);
        let indef = indefinite(&apdu);
        let pieces = split(&indef).unwrap();
        assert_every_split(&indef, &pieces);
        let (Owned::Envelope(a), Owned::Envelope(b)) = (&definite[1], &pieces[1]) else {
            panic!()
        };
        assert_eq!(b[..2], [0x31, 0x80]);
        assert_eq!(
            decode::<UmpduEnvelope>(a).unwrap(),
            decode::<UmpduEnvelope>(b).unwrap()
        );
        assert_eq!(pieces[2..], definite[2..]);
    }
}

/// The message vector's envelope with `content` after it in an `A0 80` message.
fn with_content(content: &[u8]) -> Vec<u8> {
    let apdu = vector(TSV, "E.MTS-APDU.message");
    let Owned::Envelope(env) = &message_pieces(&apdu)[1] else {
        panic!()
    };
    [&[0xa0, 0x80][..], env, content, &[0, 0]].concat()
}

/// A constructed content OCTET STRING of segments, some of them constructed themselves
/// (X.690 8.7.3): the content is the segments' octets in order.
#[test]
fn constructed_content_with_nested_segments() {
    let content =
        unhex("24 80 04 03 61 62 63 24 80 04 02 64 65 00 00 04 00 24 05 04 03 66 67 68 00 00");
    let apdu = with_content(&content);
    let pieces = split(&apdu).unwrap();
    assert_eq!(pieces[2], Owned::Content(b"abcdefgh".to_vec()));
    assert_eq!(pieces[3], Owned::End(8));
    assert_every_split(&apdu, &pieces);
    // The BER decoder reads the same content from the whole APDU.
    let MtsApdu::Message(m) = decode::<MtsApdu>(&apdu).unwrap() else {
        panic!()
    };
    assert_eq!(m.content.as_ref(), b"abcdefgh");
    // A definite-length constructed content too.
    let apdu = with_content(&unhex("24 0b 04 02 61 62 24 03 04 01 63 04 00"));
    let pieces = split(&apdu).unwrap();
    assert_eq!(
        pieces[2..],
        [Owned::Content(b"abc".to_vec()), Owned::End(3)]
    );
    // An empty content gives no Content piece.
    let pieces = split(&with_content(&[0x04, 0x00])).unwrap();
    assert_eq!(pieces[2..], [Owned::End(0)]);
}

/// Relaying: a new envelope (one trace element more) in front of the unchanged content.
#[test]
fn relay_with_message_prefix() {
    for apdu in [vector(TSV, "E.MTS-APDU.message"), unhex(USER_MPDU_1984)] {
        let pieces = message_pieces(&apdu);
        let (Owned::Envelope(env), Owned::Content(content)) = (&pieces[1], &pieces[2]) else {
            panic!()
        };
        // The same envelope again gives the same octets: both vectors use shortest lengths.
        let prefix = message_prefix(env, content.len() as u64).unwrap();
        assert_eq!([&prefix[..], content].concat(), apdu);

        let mut envelope = decode::<MessageTransferEnvelope>(env).unwrap();
        let mut element: TraceInformationElement = envelope.trace_information.0[0].clone();
        element.domain_supplied_information = DomainSuppliedInformation {
            routing_action: RoutingAction::Relayed,
            ..element.domain_supplied_information
        };
        envelope.trace_information.0.push(element);
        let new_env = encode(&envelope).unwrap();
        let relayed = [
            message_prefix(&new_env, content.len() as u64).unwrap(),
            content.clone(),
        ]
        .concat();
        let again = split(&relayed).unwrap();
        assert_eq!(again[1], Owned::Envelope(new_env.clone()));
        assert_eq!(again[2], Owned::Content(content.clone()));
        let MtsApdu::Message(m) = decode::<MtsApdu>(&relayed).unwrap() else {
            panic!()
        };
        assert_eq!(m.envelope, envelope);
        assert_eq!(m.content.as_ref(), &content[..]);
        let MtsApdu::Message(original) = decode::<MtsApdu>(&apdu).unwrap() else {
            panic!()
        };
        assert_eq!(m.content, original.content);
    }
}

/// Shortest definite lengths (X.690 10.1) at every size, and the limit of 64 bits.
#[test]
fn message_prefix_lengths() {
    let env = [0x31, 0x00];
    assert_eq!(
        message_prefix(&env, 0).unwrap(),
        [0xa0, 4, 0x31, 0, 0x04, 0]
    );
    assert_eq!(
        message_prefix(&env, 127).unwrap(),
        [0xa0, 0x81, 131, 0x31, 0, 0x04, 127]
    );
    assert_eq!(
        message_prefix(&env, 128).unwrap(),
        [0xa0, 0x81, 133, 0x31, 0, 0x04, 0x81, 128]
    );
    assert_eq!(
        message_prefix(&env, 256).unwrap(),
        [0xa0, 0x82, 0x01, 0x06, 0x31, 0, 0x04, 0x82, 0x01, 0x00]
    );
    assert_eq!(
        message_prefix(&env, 1 << 32).unwrap(),
        [
            0xa0, 0x85, 0x01, 0, 0, 0, 0x09, 0x31, 0, 0x04, 0x85, 0x01, 0, 0, 0, 0
        ]
    );
    assert_eq!(
        message_prefix(&env, u64::MAX),
        Err(PrefixTooLong {
            envelope: 2,
            content: u64::MAX
        })
    );
}

/// Every proper prefix of a valid APDU is incomplete, and says so at finish.
#[test]
fn truncation_is_reported() {
    for apdu in [
        vector(TSV, "E.MTS-APDU.message"),
        vector(TSV, "E.MTS-APDU.probe"),
        indefinite(&unhex(USER_MPDU_1984)),
    ] {
        for n in 0..apdu.len() {
            let mut s = TransferSplitter::new(SplitLimits::DEFAULT);
            let mut ended = false;
            s.feed(&apdu[..n], &mut |p| ended |= matches!(p, Piece::End { .. }))
                .unwrap();
            assert!(!ended && !s.is_done());
            let err = s.finish().unwrap_err();
            assert!(
                matches!(err, SplitError::Truncated { offset, .. } if offset == n as u64),
                "{n}: {err}"
            );
        }
    }
    let err = TransferSplitter::new(SplitLimits::DEFAULT)
        .finish()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the octets end at offset 0, before the first octet, before the APDU is complete"
    );
}

fn first_error(apdu: &[u8], limits: SplitLimits) -> SplitError {
    let whole = split_by(apdu, limits, || usize::MAX).unwrap_err();
    let bytewise = split_by(apdu, limits, || 1).unwrap_err();
    assert_eq!(whole, bytewise, "the same error however the octets come");
    whole
}

#[test]
fn trailing_octets_are_an_error() {
    let mut apdu = vector(TSV, "E.MTS-APDU.message");
    let len = apdu.len() as u64;
    apdu.extend_from_slice(&[0x00, 0x00]);
    let err = split(&apdu).unwrap_err();
    assert_eq!(
        err,
        SplitError::TrailingOctets {
            offset: len,
            len: 2
        }
    );
    assert_eq!(
        err.to_string(),
        format!("octet {len}: 2 octets follow the end of the APDU")
    );
    // Fed after the end, the error is given and then kept.
    let mut s = TransferSplitter::new(SplitLimits::DEFAULT);
    s.feed(&apdu[..len as usize], &mut |_| {}).unwrap();
    assert!(s.is_done());
    assert!(s.feed(&[0x30], &mut |_| {}).is_err());
    assert!(s.feed(&[], &mut |_| {}).is_err());
    assert!(s.finish().is_err());
}

#[test]
fn oversize_envelope_and_whole() {
    let apdu = vector(TSV, "E.MTS-APDU.message");
    let env_len = 3 + 0xb5;
    let limits = SplitLimits {
        max_envelope: env_len - 1,
        ..SplitLimits::DEFAULT
    };
    // Definite length: refused at the envelope's header, with its length.
    assert_eq!(
        first_error(&apdu, limits),
        SplitError::EnvelopeTooLarge {
            offset: 3,
            len: env_len as u64,
            max: env_len - 1
        }
    );
    assert!(
        split_by(
            &apdu,
            SplitLimits {
                max_envelope: env_len,
                ..limits
            },
            || 7
        )
        .is_ok()
    );
    // Indefinite: refused when the octets pass the limit; never more is held.
    let indef = indefinite(&apdu);
    let mut s = TransferSplitter::new(SplitLimits {
        max_envelope: 100,
        ..SplitLimits::DEFAULT
    });
    let mut err = None;
    for b in &indef {
        if let Err(e) = s.feed(&[*b], &mut |_| {}) {
            err = Some(e);
            break;
        }
        assert!(s.buffered() <= 100 + 15);
    }
    assert!(matches!(
        err,
        Some(SplitError::EnvelopeTooLarge { max: 100, .. })
    ));
    assert_eq!(s.buffered(), 0, "a failed splitter gives its memory back");
    // A probe over max_whole.
    let probe = vector(TSV, "E.MTS-APDU.probe");
    let small = SplitLimits {
        max_whole: 100,
        ..SplitLimits::DEFAULT
    };
    assert!(matches!(
        first_error(&probe, small),
        SplitError::WholeTooLarge {
            kind: Kind::Probe,
            len: 174,
            max: 100,
            ..
        }
    ));
    assert!(matches!(
        first_error(&indefinite(&probe), small),
        SplitError::WholeTooLarge {
            kind: Kind::Probe,
            max: 100,
            ..
        }
    ));
}

#[test]
fn malformed_apdus_are_named() {
    let env = || {
        let Owned::Envelope(e) = &message_pieces(&vector(TSV, "E.MTS-APDU.message"))[1] else {
            panic!()
        };
        e.clone()
    };
    let d = SplitLimits::DEFAULT;
    // Not a transfer APDU: a bind argument (31 ...) or a SEQUENCE.
    assert_eq!(
        first_error(&unhex("30 03 02 01 00"), d),
        SplitError::UnknownApdu {
            offset: 0,
            identifier: 0x30
        }
    );
    // A message that is only an envelope, or nothing.
    let only_env = [&[0xa0, 0x80][..], &env(), &[0, 0]].concat();
    assert!(matches!(
        first_error(&only_env, d),
        SplitError::NoContent { .. }
    ));
    assert_eq!(
        first_error(&unhex("a0 00"), d),
        SplitError::NoEnvelope { offset: 2 }
    );
    // Content first, or something else than content after the envelope.
    assert!(matches!(
        first_error(&unhex("a0 04 04 02 31 00"), d),
        SplitError::NotEnvelope {
            offset: 2,
            identifier: 0x04
        }
    ));
    let bad = with_content(&unhex("02 01 00"));
    assert!(matches!(
        first_error(&bad, d),
        SplitError::NotContent {
            identifier: 0x02,
            ..
        }
    ));
    // A segment that is not an OCTET STRING; an element after the content.
    let bad = with_content(&unhex("24 80 02 01 00 00 00"));
    assert!(matches!(
        first_error(&bad, d),
        SplitError::BadSegment {
            identifier: 0x02,
            ..
        }
    ));
    let bad = with_content(&unhex("04 01 00 04 01 00"));
    assert!(matches!(
        first_error(&bad, d),
        SplitError::AfterContent {
            identifier: 0x04,
            ..
        }
    ));
    // Lengths: reserved 0xff, more than 8 octets, a primitive with an indefinite length,
    // longer than what holds it, end-of-contents inside a definite value.
    for (octets, what) in [
        ("a0 ff", "the reserved length octet 0xff"),
        (
            "a0 89 00 00 00 00 00 00 00 00 01",
            "a length of more than 8 octets",
        ),
        (
            "a0 80 31 80 04 80",
            "a primitive value with an indefinite length",
        ),
        (
            "a0 05 31 06 00 00 00 00 00 00",
            "a value longer than the value that holds it",
        ),
        (
            "a0 06 31 04 00 00 00 00",
            "end-of-contents octets inside a definite-length value",
        ),
    ] {
        let err = first_error(&unhex(octets), d);
        assert!(
            matches!(&err, SplitError::BadLength { what: w, .. } if *w == what),
            "{octets}: {err}"
        );
    }
    // An indefinite value that runs to the end of the definite value holding it.
    assert!(matches!(
        first_error(&unhex("a0 04 31 80 05 00"), d),
        SplitError::BadLength { .. }
    ));
    // A tag number with a leading zero octet (X.690 8.1.2.4.2 c).
    assert!(matches!(
        first_error(&unhex("a0 80 31 80 1f 80 01 00"), d),
        SplitError::BadIdentifier { offset: 4, .. }
    ));
}

#[test]
fn nesting_is_limited() {
    // 40 nested indefinite SEQUENCEs in an envelope: 42 constructed values open at once.
    let mut apdu = vec![0xa0, 0x80, 0x31, 0x80];
    for _ in 0..40 {
        apdu.extend_from_slice(&[0x30, 0x80]);
    }
    let err = first_error(&apdu, SplitLimits::DEFAULT);
    assert_eq!(
        err,
        SplitError::TooDeep {
            offset: 4 + 2 * 30,
            max: 32
        }
    );
    let shallow = SplitLimits {
        max_depth: 1,
        ..SplitLimits::DEFAULT
    };
    assert_eq!(
        first_error(&vector(TSV, "E.MTS-APDU.message"), shallow),
        SplitError::TooDeep { offset: 3, max: 1 }
    );
}

/// 64 MiB of content in 64 KiB pieces: every content octet is handed on borrowed from the
/// input, and the splitter holds no more than a header's octets meanwhile.
#[test]
fn large_content_streams_in_bounded_memory() {
    const CONTENT: u64 = 64 << 20;
    const PIECE: usize = 64 << 10;
    let apdu = vector(TSV, "E.MTS-APDU.message");
    let Owned::Envelope(env) = &message_pieces(&apdu)[1] else {
        panic!()
    };
    let prefix = message_prefix(env, CONTENT).unwrap();
    let chunk: Vec<u8> = (0..PIECE).map(|i| (i * 7 + 3) as u8).collect();
    let chunk_sum: u64 = chunk.iter().map(|b| u64::from(*b)).sum();

    let mut s = TransferSplitter::new(SplitLimits::DEFAULT);
    let mut envelope = None;
    s.feed(&prefix, &mut |p| {
        if let Piece::Envelope(e) = p {
            envelope = Some(e.to_vec());
        }
    })
    .unwrap();
    assert_eq!(envelope.as_deref(), Some(&env[..]));
    assert_eq!(s.buffered(), 0);
    let (mut seen, mut sum, mut end) = (0u64, 0u64, None);
    let range = chunk.as_ptr_range();
    for _ in 0..CONTENT / PIECE as u64 {
        s.feed(&chunk, &mut |p| match p {
            Piece::Content(c) => {
                assert!(
                    range.contains(&c.as_ptr()),
                    "content is borrowed, not copied"
                );
                seen += c.len() as u64;
                sum += if c.len() == PIECE {
                    chunk_sum
                } else {
                    c.iter().map(|b| u64::from(*b)).sum()
                };
            }
            Piece::End { content_len } => end = Some(content_len),
            other => panic!("{other:?}"),
        })
        .unwrap();
        assert_eq!(s.buffered(), 0);
    }
    s.finish().unwrap();
    assert_eq!((seen, end), (CONTENT, Some(CONTENT)));
    assert_eq!(sum, chunk_sum * (CONTENT / PIECE as u64));
}
