//! Oracle for the shared BER reader and writer of `osi-sansio`.

use osi_sansio::DecodeLimits;
use osi_sansio::ber;

/// Limits that never stop a walk the reader itself can follow.
const WIDE: DecodeLimits = DecodeLimits::DEFAULT
    .with_max_len(usize::MAX)
    .with_max_depth(ber::MAX_DEPTH)
    .with_max_elements(usize::MAX);

/// The BER reader: the first two octets choose the nesting and element limits, the rest is
/// read as one value. A value read within limits is also read within wider ones, identically;
/// its parts lie inside the input; [`ber::check`] agrees on its length; the elements of a
/// constructed value read back one after another to exactly its contents; and a primitive
/// value re-encoded with [`ber::write_tlv`] reads back to the same tag and contents.
///
/// # Panics
///
/// When one of those promises is broken.
pub fn sansio_ber(data: &[u8]) {
    let [depth, elements, input @ ..] = data else {
        return;
    };
    let limits = DecodeLimits::DEFAULT
        .with_max_depth(usize::from(*depth % 40))
        .with_max_elements(1 + usize::from(*elements) * 4);
    let Ok((tlv, rest)) = ber::read_with(input, &limits) else {
        return;
    };
    let used = input.len() - rest.len();
    assert!(used > 0, "a value of no octets");
    assert_eq!(&input[used..], rest, "the rest is not the input's tail");
    assert_eq!(
        ber::check(input, &limits),
        Ok(used),
        "check disagrees with read"
    );
    assert_eq!(
        ber::read_with(input, &WIDE),
        Ok((tlv, rest)),
        "wider limits read differently"
    );
    assert!(!tlv.identifier.is_empty() && input.starts_with(tlv.identifier));
    assert!(
        tlv.identifier.len() + tlv.contents.len() < used,
        "parts beyond the value"
    );

    if tlv.constructed {
        let mut inner = tlv.contents;
        while !inner.is_empty() {
            let (_, after) = ber::read_with(inner, &WIDE)
                .unwrap_or_else(|e| panic!("an element of a value read whole fails: {e}"));
            inner = after;
        }
    } else if let [identifier] = tlv.identifier {
        let mut out = vec![0u8; used + ber::MAX_LENGTH_LEN];
        let n = ber::write_tlv(*identifier, tlv.contents, &mut out).unwrap();
        let (again, tail) = ber::read_with(&out[..n], &WIDE).unwrap();
        assert!(tail.is_empty());
        assert_eq!(
            (again.class, again.number, again.contents),
            (tlv.class, tlv.number, tlv.contents),
            "a re-encoded primitive value reads differently"
        );
        assert!(
            n <= used,
            "the shortest length form is longer than the one read"
        );
    }
}
