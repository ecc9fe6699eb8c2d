// A panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use alloc::vec;
use alloc::vec::Vec;

use super::*;

#[test]
fn definite_indefinite_and_long_forms() {
    // SET { [0] 5 } with a short length.
    let (t, rest) = read(&[0x31, 0x03, 0x80, 0x01, 0x05, 0xAA]).unwrap();
    assert!(t.is_universal(17) && t.constructed && !t.indefinite);
    assert_eq!(t.contents, &[0x80, 0x01, 0x05]);
    assert_eq!(rest, &[0xAA]);
    let inner: Vec<_> = t.elements().collect::<Result<_, _>>().unwrap();
    assert!(inner[0].is_context(0));
    assert_eq!(inner[0].small_uint(), Some(5));

    // SEQUENCE, indefinite, holding an indefinite [1] and an OCTET STRING.
    let data = [
        0x30, 0x80, 0xA1, 0x80, 0x04, 0x00, 0x00, 0x00, 0x04, 0x01, 0x41, 0x00, 0x00,
    ];
    let t = read_whole(&data).unwrap();
    assert!(t.indefinite);
    assert_eq!(t.contents, &data[2..11]);
    assert_eq!(t.elements().count(), 2);

    // A long-form length and a high tag number.
    let mut long = vec![0x04, 0x82, 0x01, 0x00];
    long.extend([0x55; 256]);
    assert_eq!(read_whole(&long).unwrap().contents.len(), 256);
    let (t, _) = read(&[0x9F, 0x81, 0x00, 0x00]).unwrap();
    assert_eq!((t.class, t.number), (Class::Context, 128));
    assert_eq!(t.identifier, &[0x9F, 0x81, 0x00]);
}

#[test]
fn broken_encodings_are_refused() {
    assert_eq!(read(&[]), Err(Error::Truncated));
    assert_eq!(read(&[0x04, 0x05, 0x00]), Err(Error::Truncated));
    assert_eq!(
        read(&[0x04, 0x80, 0x00, 0x00]),
        Err(Error::IndefinitePrimitive)
    );
    assert_eq!(read(&[0x04, 0xFF]), Err(Error::ReservedLength));
    assert_eq!(read(&[0x30, 0x80, 0x04, 0x00]), Err(Error::Truncated));
    // An element running past the end of its SET.
    assert_eq!(
        read(&[0x31, 0x02, 0x04, 0x02, 0x00, 0x00]),
        Err(Error::Truncated)
    );
    assert_eq!(
        read(&[0x04, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        Err(Error::LengthTooLong)
    );
    assert!(read_whole(&[0x05, 0x00, 0x05, 0x00]).is_err());
    assert_eq!(read(&[0x1f, 0x80, 0x01, 0x00]), Err(Error::BadTag));
    assert_eq!(
        read(&[0x1f, 0x90, 0x80, 0x80, 0x80, 0x00, 0x00]),
        Err(Error::BadTag)
    );
}

#[test]
fn limits_bound_depth_elements_and_length() {
    // 200 nested indefinite SEQUENCEs: refused at the limit, with no recursion.
    let mut deep = Vec::new();
    for _ in 0..200 {
        deep.extend([0x30, 0x80]);
    }
    for _ in 0..200 {
        deep.extend([0x00, 0x00]);
    }
    assert_eq!(read(&deep), Err(Error::TooDeep { max: 32 }));
    let wide = DecodeLimits::DEFAULT.with_max_depth(1000);
    assert_eq!(
        read_with(&deep, &wide),
        Err(Error::TooDeep { max: MAX_DEPTH })
    );
    let ok = DecodeLimits::DEFAULT.with_max_depth(MAX_DEPTH);
    // Cut short: the open values never end.
    assert_eq!(check(&deep[..64], &ok), Err(Error::Truncated));

    let many: Vec<u8> = [0x30, 0x14]
        .into_iter()
        .chain([0x05, 0x00].repeat(10))
        .collect();
    assert_eq!(check(&many, &DecodeLimits::DEFAULT), Ok(22));
    let few = DecodeLimits::DEFAULT.with_max_elements(5);
    assert_eq!(check(&many, &few), Err(Error::TooManyElements { max: 5 }));
    let short = DecodeLimits::DEFAULT.with_max_len(10);
    assert_eq!(
        check(&many, &short),
        Err(Error::TooLong { len: 22, max: 10 })
    );
}

#[test]
fn writes_the_shortest_definite_length() {
    for (len, want) in [
        (0usize, 1usize),
        (127, 1),
        (128, 2),
        (255, 2),
        (256, 3),
        (65536, 4),
    ] {
        assert_eq!(length_len(len), want, "{len}");
        let mut buf = [0u8; 16];
        let n = write_header(0x04, len, &mut buf).unwrap();
        assert_eq!(n, 1 + want);
        let mut value = buf[..n].to_vec();
        value.resize(n + len, 0);
        assert_eq!(read_whole(&value).unwrap().contents.len(), len);
    }
    let mut buf = [0u8; 4];
    assert_eq!(
        write_tlv(0x04, b"abc", &mut buf),
        Err(BufferTooSmall { needed: 5 })
    );
    let mut buf = [0u8; 5];
    assert_eq!(write_tlv(0x04, b"abc", &mut buf), Ok(5));
    assert_eq!(buf, [0x04, 0x03, b'a', b'b', b'c']);
}

#[test]
fn any_octets_give_a_result_not_a_panic() {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 24) as usize;
        let bytes: Vec<u8> = (0..len).map(|i| (x >> (i % 8 * 8)) as u8).collect();
        let _ = read(&bytes);
    }
}
