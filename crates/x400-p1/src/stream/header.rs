//! Reading one BER TLV header (X.690 8.1.2, 8.1.3) octet by octet.

use osi_sansio::ber;

use super::SplitError;

/// One parsed TLV header.
#[derive(Debug, Clone, Copy)]
pub(super) struct Header {
    pub(super) identifier: u8,
    pub(super) constructed: bool,
    /// Class bits and tag number: `(identifier & 0xc0, number)`.
    pub(super) class: u8,
    pub(super) number: u32,
    pub(super) len: Option<u64>,
}

impl Header {
    pub(super) fn is_eoc(&self) -> bool {
        self.identifier == 0
    }
}

/// Parses a TLV header from its first octets: `Ok(None)` if more are needed.
pub(super) fn parse_header(h: &[u8], at: u64) -> Result<Option<Header>, SplitError> {
    let bad_identifier = |what| SplitError::BadIdentifier { offset: at, what };
    let Some((&identifier, mut rest)) = h.split_first() else {
        return Ok(None);
    };
    let mut number = u32::from(identifier & 0x1f);
    if number == 0x1f {
        number = 0;
        let mut first = true;
        loop {
            let Some((&b, r)) = rest.split_first() else {
                return Ok(None);
            };
            rest = r;
            // X.690 8.1.2.4.2 c: the first subsequent octet is not 0x80, so a tag number has
            // one form and its octets are bounded.
            if first && b == 0x80 {
                return Err(bad_identifier("a tag number with a leading zero octet"));
            }
            first = false;
            if number > u32::MAX >> 7 {
                return Err(bad_identifier("a tag number of more than 32 bits"));
            }
            number = (number << 7) | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let Some((&l, rest)) = rest.split_first() else {
        return Ok(None);
    };
    let bad_length = |what| SplitError::BadLength { offset: at, what };
    let len = match l {
        0..0x80 => Some(u64::from(l)),
        0x80 => None,
        // X.690 8.1.3.5 c.
        0xff => return Err(bad_length("the reserved length octet 0xff")),
        _ => {
            let n = usize::from(l & 0x7f);
            if n > 8 {
                return Err(bad_length("a length of more than 8 octets"));
            }
            let Some(octets) = rest.get(..n) else {
                return Ok(None);
            };
            Some(octets.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)))
        }
    };
    Ok(Some(Header {
        identifier,
        constructed: identifier & ber::CONSTRUCTED != 0,
        class: identifier & 0xc0,
        number,
        len,
    }))
}
