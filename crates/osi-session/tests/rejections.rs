//! What X.225 forbids, refused with the error that names the rule: every rejection of the
//! decoder, the user data limits of each protocol version, the version 1 restrictions and
//! the other rules that follow the decoding context (SI 42, extended concatenation).

// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hex_literal::hex;
use osi_session::code::Code;
use osi_session::*;

mod common;
use common::decode_exact;

const CTX: Context = Context::new(Si42::MajorSyncAck);

#[test]
fn rejections() {
    let cases: &[(&[u8], Error)] = &[
        (&[], Error::Empty),
        // A MIP with no GT in front (X.225 §6.3.7: category 2 never stands alone).
        (
            &hex!("31 03 2a 01 31"),
            Error::Misplaced(Kind::MinorSyncPoint),
        ),
        // A binary serial number.
        (
            &hex!("01 00 31 03 2a 01 01"),
            Error::BadSerialNumber {
                code: Code(42),
                octet: 1,
            },
        ),
        // S7comm on port 102 starts with 0x32 (MIA's SI).
        (
            &hex!("32 01 00 00 00 00 00 00"),
            Error::Misplaced(Kind::MinorSyncAck),
        ),
        // AB without PI 17; PI 17 in AI.
        (
            &hex!("19 00"),
            Error::MissingParameter {
                spdu: Kind::Abort,
                code: Code(17),
            },
        ),
        (
            &hex!("01 00 19 03 11 01 01"),
            Error::UnexpectedParameter {
                spdu: Kind::ActivityInterrupt,
                code: Code(17),
            },
        ),
        // MAP is SI 41 with Sync Type bit 1; SI 41 with PI 15 = 0 is AE.
        (
            &hex!("01 00 29 00"),
            Error::MissingParameter {
                spdu: Kind::ActivityEnd,
                code: Code(42),
            },
        ),
        // A category 1 SPDU with company.
        (&hex!("09 00 01 00"), Error::NotAlone(Kind::Finish)),
        // DT first is GT; GT + GT is not a concatenation.
        (
            &hex!("01 00 01 03 10 01 01"),
            Error::UnexpectedParameter {
                spdu: Kind::DataTransfer,
                code: Code(16),
            },
        ),
        (
            &hex!("02 00 01 00"),
            Error::BadConcatenation {
                after: Kind::PleaseTokens,
                then: Kind::DataTransfer,
            },
        ),
        (&hex!("01 00 02 00"), Error::Misplaced(Kind::PleaseTokens)),
        // GT(a): no Token Item in front of RS; GT carrying user data in front of DT.
        (
            &hex!("01 03 10 01 01 35 06 1b 01 01 2a 01 31"),
            Error::BadConcatenationParameter(Kind::GiveTokens),
        ),
        (
            &hex!("01 06 10 01 01 c1 01 00 01 00"),
            Error::BadConcatenationParameter(Kind::GiveTokens),
        ),
        // A Token Item in front of a segment that does not end the SSDU.
        (
            &hex!("01 03 10 01 01 01 03 19 01 01 aa"),
            Error::BadConcatenationParameter(Kind::GiveTokens),
        ),
        // Lengths that run past the field.
        (&hex!("0d 05 14 02 02"), Error::Truncated("SPDU")),
        (&hex!("0d 03 14 05 02"), Error::Truncated("parameter")),
        (&hex!("0d ff 00"), Error::Truncated("SPDU")),
        // Unknown SI, unit data, short-form SPDUs.
        (&hex!("03 00"), Error::UnknownSi(3)),
        (&hex!("40 00"), Error::UnsupportedSi(0x40)),
        (&hex!("e8 00"), Error::UnsupportedSi(0xe8)),
        // Fixed sizes and reserved values.
        (
            &hex!("0d 03 14 01 02"),
            Error::BadLength {
                code: Code(20),
                len: 1,
            },
        ),
        (
            &hex!("07 03 18 01 05"),
            Error::InvalidValue {
                code: Code(24),
                value: 5,
            },
        ),
        (
            &hex!("0d 06 05 04 13 02 00 00"),
            Error::BadLength {
                code: Code(19),
                len: 2,
            },
        ),
        (
            &hex!("0d 05 05 03 13 01 00"),
            Error::MissingParameter {
                spdu: Kind::Connect,
                code: Code(22),
            },
        ),
        (
            &hex!("0d 08 14 02 00 02 14 02 00 02"),
            Error::DuplicateParameter(Code(20)),
        ),
        // PGI inside a PGI; an SSEL above 16 octets; an activity id above 6.
        (
            &hex!("0d 04 05 02 01 00"),
            Error::UnexpectedParameter {
                spdu: Kind::Connect,
                code: Code(1),
            },
        ),
        (
            &hex!("0d 13 33 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
            Error::TooLong {
                code: Code(51),
                len: 17,
                max: 16,
            },
        ),
        (
            &hex!("01 00 2d 09 29 07 01 02 03 04 05 06 07"),
            Error::TooLong {
                code: Code(41),
                len: 7,
                max: 6,
            },
        ),
        // Reason code data only with reason 2 in RF; one octet in ED.
        (&hex!("0c 04 32 02 01 aa"), Error::ReasonCannotCarryData(1)),
        (
            &hex!("02 00 30 04 32 02 05 00"),
            Error::BadLength {
                code: Code(50),
                len: 2,
            },
        ),
        // EX carries at most 14 octets.
        (
            &hex!("05 00 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e"),
            Error::ExpeditedTooLong(15),
        ),
        // Resync type 3 is reserved.
        (
            &hex!("01 00 35 06 1b 01 03 2a 01 31"),
            Error::InvalidValue {
                code: Code(27),
                value: 3,
            },
        ),
        // AB: user data only in a user abort, reflected octets only with a protocol error.
        (
            &hex!("19 06 11 01 01 c1 01 00"),
            Error::UnexpectedParameter {
                spdu: Kind::Abort,
                code: Code(193),
            },
        ),
        (
            &hex!("19 06 11 01 03 31 01 00"),
            Error::UnexpectedParameter {
                spdu: Kind::Abort,
                code: Code(49),
            },
        ),
        // RF: Session User Requirements only with reason 2.
        (
            &hex!("0c 07 14 02 02 49 32 01 81"),
            Error::UnexpectedParameter {
                spdu: Kind::Refuse,
                code: Code(20),
            },
        ),
        // OA selects version 2; ER reflects at least one octet.
        (
            &hex!("10 03 16 01 03"),
            Error::InvalidValue {
                code: Code(22),
                value: 3,
            },
        ),
        (
            &hex!("02 00 00 02 31 00"),
            Error::BadLength {
                code: Code(49),
                len: 0,
            },
        ),
        // User data in GT only with a Token Item.
        (
            &hex!("01 03 c1 01 00"),
            Error::MissingParameter {
                spdu: Kind::GiveTokens,
                code: Code(16),
            },
        ),
    ];
    for (bytes, err) in cases {
        assert_eq!(Tsdu::decode(bytes, CTX), Err(*err), "{bytes:02x?}");
    }
}

fn connect_with(version: u8) -> Connect<'static> {
    Connect {
        connect_accept: Some(ConnectAccept {
            version: Version(version),
            ..ConnectAccept::default()
        }),
        ..Connect::default()
    }
}

#[test]
fn connect_user_data_limits_by_version() {
    let big = vec![0x11; 10241];
    let check = |version: u8, ud: Option<&[u8]>, ext: Option<&[u8]>| {
        let cn = Spdu::from(Connect {
            user_data: ud,
            extended_user_data: ext,
            ..connect_with(version)
        });
        let mut buf = vec![0; 11000];
        let r = cn.encode(&mut buf).map(|n| buf.truncate(n));
        // What encodes must decode, and what does not encode must not decode either.
        let mut raw = vec![0x0d, 0xff, 0, 0];
        let mut field = Vec::new();
        field.extend_from_slice(&[5, 6, 0x13, 1, 0, 0x16, 1, version]);
        for (code, v) in [(0xc1u8, ud), (0xc2, ext)] {
            if let Some(v) = v {
                field.extend_from_slice(&[code, 0xff]);
                field.extend_from_slice(&u16::try_from(v.len()).unwrap().to_be_bytes());
                field.extend_from_slice(v);
            }
        }
        raw[2..4].copy_from_slice(&u16::try_from(field.len()).unwrap().to_be_bytes());
        raw.extend(field);
        let d = Tsdu::decode(&raw, CTX).map(|_| ());
        assert_eq!(r, d, "version {version}");
        r
    };
    assert_eq!(check(1, Some(&big[..512]), None), Ok(()));
    assert_eq!(check(2, Some(&big[..512]), None), Ok(()));
    let too_long = Error::UserDataTooLong {
        spdu: Kind::Connect,
        len: 513,
        max: 512,
    };
    assert_eq!(check(2, Some(&big[..513]), None), Err(too_long));
    assert_eq!(check(2, None, Some(&big[..513])), Ok(()));
    assert_eq!(check(2, None, Some(&big[..10240])), Ok(()));
    let too_long = Error::UserDataTooLong {
        spdu: Kind::Connect,
        len: 10241,
        max: 10240,
    };
    assert_eq!(check(2, None, Some(&big[..])), Err(too_long));
    assert_eq!(
        check(2, None, Some(&big[..512])),
        Err(Error::ExtendedUserDataTooShort(512))
    );
    assert_eq!(
        check(3, None, Some(&big[..600])),
        Err(Error::NeedsVersion2Only)
    );
    assert_eq!(
        check(1, None, Some(&big[..600])),
        Err(Error::NeedsVersion2Only)
    );
    assert_eq!(
        check(2, Some(&big[..10]), Some(&big[..600])),
        Err(Error::BothUserData)
    );
}

#[test]
fn version_1_restrictions_follow_the_context() {
    let v1 = Context {
        version: Some(Version(Version::V1)),
        ..CTX
    };
    let v2 = Context {
        version: Some(Version(Version::V2)),
        ..CTX
    };
    // User data in GT is version 2 only.
    let gt = hex!("01 06 10 01 01 c1 01 00");
    assert_eq!(
        Tsdu::decode(&gt, v1),
        Err(Error::NotInVersion1 {
            spdu: Kind::GiveTokens,
            code: Code(193)
        })
    );
    assert!(Tsdu::decode(&gt, v2).is_ok());
    // The Enclosure Item outside DT/TD is version 2 only.
    let fin = hex!("09 03 19 01 03");
    assert_eq!(
        Tsdu::decode(&fin, v1),
        Err(Error::NotInVersion1 {
            spdu: Kind::Finish,
            code: Code(25)
        })
    );
    assert!(Tsdu::decode(&fin, v2).is_ok());
    assert!(Tsdu::decode(&hex!("01 00 01 03 19 01 01 aa"), v1).is_ok());
    // 512 octets of user data at most under version 1, 9 in AB.
    let mut dn = hex!("0a ff 02 05 c1 ff 02 01").to_vec();
    dn.extend([0; 513]);
    assert_eq!(
        Tsdu::decode(&dn, v1),
        Err(Error::UserDataTooLong {
            spdu: Kind::Disconnect,
            len: 513,
            max: 512
        })
    );
    assert!(Tsdu::decode(&dn, v2).is_ok());
    let ab = hex!("19 0f 11 01 03 c1 0a 00 00 00 00 00 00 00 00 00 00");
    assert_eq!(
        Tsdu::decode(&ab, v1),
        Err(Error::UserDataTooLong {
            spdu: Kind::Abort,
            len: 10,
            max: 9
        })
    );
    assert!(Tsdu::decode(&ab, v2).is_ok());
    // An AC selecting version 1 applies the rule to itself.
    let ac = hex!("0e 0b 05 06 13 01 00 16 01 01 19 01 03");
    assert_eq!(
        Tsdu::decode(&ac, CTX),
        Err(Error::NotInVersion1 {
            spdu: Kind::Accept,
            code: Code(25)
        })
    );
}

#[test]
fn si_42_follows_the_context() {
    let bytes = hex!("02 00 2a 03 2a 01 35");
    let maa = Tsdu::decode(&bytes, Context::new(Si42::MajorSyncAck)).unwrap();
    let aea = Tsdu::decode(&bytes, Context::new(Si42::ActivityEndAck)).unwrap();
    assert_eq!(maa.iter().nth(1).unwrap().kind(), Kind::MajorSyncAck);
    assert_eq!(aea.iter().nth(1).unwrap().kind(), Kind::ActivityEndAck);
}

#[test]
fn extended_concatenation_only_when_announced() {
    let tsdu = hex!("01 00 2d 05 29 03 02 01 01 31 03 2a 01 31 01 00 aa bb");
    let ext = Context {
        extended_concatenation: true,
        ..CTX
    };
    assert_eq!(
        Tsdu::decode(&tsdu, CTX),
        Err(Error::BadConcatenation {
            after: Kind::ActivityStart,
            then: Kind::MinorSyncPoint
        })
    );
    let t = decode_exact(&tsdu, ext);
    let kinds: Vec<Kind> = t.iter().map(Spdu::kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::GiveTokens,
            Kind::ActivityStart,
            Kind::MinorSyncPoint,
            Kind::DataTransfer
        ]
    );
    // X.225 §6.3.7.1: AS, then DT, then MIP, then GT.
    let t = Tsdu::decode(&tsdu, ext).unwrap();
    let order: Vec<Kind> = t.processing_order().map(Spdu::kind).collect();
    assert_eq!(
        order,
        [
            Kind::ActivityStart,
            Kind::DataTransfer,
            Kind::MinorSyncPoint,
            Kind::GiveTokens
        ]
    );
    // Basic concatenation: the DT before the GT that gives the data token.
    let t = Tsdu::decode(&hex!("01 03 10 01 01 01 00 aa"), CTX).unwrap();
    let order: Vec<Kind> = t.processing_order().map(Spdu::kind).collect();
    assert_eq!(order, [Kind::DataTransfer, Kind::GiveTokens]);
    // GT + MIA only in extended form; PT + AR is tolerated.
    assert!(Tsdu::decode(&hex!("01 00 32 03 2a 01 31"), CTX).is_err());
    assert!(Tsdu::decode(&hex!("01 00 32 03 2a 01 31"), ext).is_ok());
    assert!(
        Tsdu::decode(
            &hex!("02 00 1d 0f 21 08 29 03 02 01 01 2a 01 33 29 03 02 01 02"),
            CTX
        )
        .is_ok()
    );
    // A fifth SPDU never fits.
    let five = hex!("01 00 2d 05 29 03 02 01 01 31 03 2a 01 31 31 03 2a 01 32 01 00");
    assert!(Tsdu::decode(&five, ext).is_err());
}
