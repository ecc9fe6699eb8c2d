//! The BER plumbing shared by the PDU modules: splitting a constructed value into its elements,
//! decoding one element exactly, and writing definite-length TLVs.
//!
//! PConnect and PAccept are decoded element by element instead of through rasn's derived SET
//! decoder, because that decoder rejects a component it does not know (ISODE declares a
//! `protocolVersion [5]`, and X.410 peers must ignore unknown `[n]`) and treats a DEFAULT
//! component of a SET as mandatory. Everything below the element level is rasn.

use alloc::vec::Vec;

use rasn::ber::de::{Decoder, DecoderOptions};
use rasn::error::DecodeError;
use rasn::types::{Any, Class, Constraints, Identifier, Tag};
use rasn::{AsnType, Decode, Encode};

use crate::error::Error;

/// One complete BER value (identifier, length and contents) of unknown type.
///
/// rasn's `decode_any` without a tag returns the whole encoding, which is what lets a SET be
/// read as a list of values whose types are chosen afterwards from their tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawValue(pub(crate) Any);

impl AsnType for RawValue {
    const TAG: Tag = Tag::EOC;
}

impl Decode for RawValue {
    fn decode_with_tag_and_constraints<D: rasn::Decoder>(
        decoder: &mut D,
        _tag: Tag,
        _constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        decoder.decode_any(Tag::EOC).map(Self)
    }
}

impl Encode for RawValue {
    fn encode_with_tag_and_constraints<'b, E: rasn::Encoder<'b>>(
        &self,
        encoder: &mut E,
        _tag: Tag,
        _constraints: &Constraints,
        identifier: Identifier,
    ) -> Result<(), E::Error> {
        encoder
            .encode_any(Tag::EOC, &self.0, identifier)
            .map(|_| ())
    }
}

/// One element of a constructed value, with its tag and form already read.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub(crate) tag: Tag,
    pub(crate) constructed: bool,
    /// The whole encoding of the element.
    pub(crate) encoding: Vec<u8>,
}

/// Bit 6 of the first identifier octet: 1 = constructed (X.690 §8.1.2.5).
const CONSTRUCTED: u8 = 0x20;

impl Element {
    fn new(pdu: &'static str, raw: RawValue) -> Result<Self, Error> {
        let encoding = raw.0.into_bytes();
        let tag = Decoder::new(&encoding, DecoderOptions::ber())
            .peek_tag()
            .map_err(|source| Error::Ber { pdu, source })?;
        let constructed = encoding.first().is_some_and(|b| b & CONSTRUCTED != 0);
        Ok(Self {
            tag,
            constructed,
            encoding,
        })
    }

    /// Decodes the element as `T` under the element's own (implicit) tag; the element must be
    /// exactly one value of that type.
    pub(crate) fn decode<T: Decode>(&self) -> Result<T, DecodeError> {
        decode_exact(&self.encoding, |d| T::decode_with_tag(d, self.tag))
    }

    /// The contents octets of the element, definite or indefinite.
    pub(crate) fn contents(&self) -> Result<Vec<u8>, DecodeError> {
        decode_exact(&self.encoding, |d| rasn::Decoder::decode_any(d, self.tag))
            .map(Any::into_bytes)
    }
}

/// Runs `f` over `bytes` and insists that it consumed all of them.
fn decode_exact<T>(
    bytes: &[u8],
    f: impl FnOnce(&mut Decoder<'_>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let mut decoder = Decoder::new(bytes, DecoderOptions::ber());
    let value = f(&mut decoder)?;
    let rest = decoder.remaining().len();
    if rest != 0 {
        return Err(DecodeError::from_kind(
            rasn::error::DecodeErrorKind::UnexpectedExtraData { length: rest },
            rasn::Codec::Ber,
        ));
    }
    Ok(value)
}

/// Splits `bytes`, which must be exactly one constructed value tagged `tag`, into its
/// elements. Octets after the value are [`Error::TrailingData`].
pub(crate) fn split_exact(
    pdu: &'static str,
    bytes: &[u8],
    tag: Tag,
) -> Result<Vec<Element>, Error> {
    let mut decoder = Decoder::new(bytes, DecoderOptions::ber());
    let raw: Vec<RawValue> =
        rasn::Decoder::decode_sequence_of(&mut decoder, tag, &Constraints::NONE)
            .map_err(|source| Error::Ber { pdu, source })?;
    let rest = decoder.remaining().len();
    if rest != 0 {
        return Err(Error::TrailingData { pdu, len: rest });
    }
    raw.into_iter().map(|r| Element::new(pdu, r)).collect()
}

/// The BER values that `bytes` consists of, one after the other (the contents of a
/// constructed value).
pub(crate) fn elements(pdu: &'static str, bytes: &[u8]) -> Result<Vec<Element>, Error> {
    let mut decoder = Decoder::new(bytes, DecoderOptions::ber());
    let mut out = Vec::new();
    // Each successful decode consumes at least the two octets of identifier and length.
    while !decoder.remaining().is_empty() {
        let raw = RawValue::decode(&mut decoder).map_err(|source| Error::Ber { pdu, source })?;
        out.push(Element::new(pdu, raw)?);
    }
    Ok(out)
}

/// Reads the value at the start of `bytes` as one `T`, returning it and the octets left over.
pub(crate) fn decode_prefix<T: Decode>(bytes: &[u8]) -> Result<(T, usize), DecodeError> {
    let mut decoder = Decoder::new(bytes, DecoderOptions::ber());
    let value = T::decode(&mut decoder)?;
    Ok((value, decoder.remaining().len()))
}

/// A context-specific tag `[n]`.
pub(crate) const fn context(n: u32) -> Tag {
    Tag::new(Class::Context, n)
}

/// `value` under the implicit tag `tag`.
pub(crate) fn encode_implicit<T: Encode>(value: &T, tag: Tag) -> Result<Vec<u8>, Error> {
    rasn::ber::encode_scope(|e| value.encode_with_tag(e, tag)).map_err(Error::Encode)
}

/// A definite-length TLV with a one-octet identifier (every tag of these PDUs is below 31).
pub(crate) fn tlv(identifier: u8, contents: &[u8]) -> Vec<u8> {
    let mut length = [0u8; osi_sansio::ber::MAX_LENGTH_LEN];
    // The buffer holds any length, so this cannot fail.
    let n = osi_sansio::ber::write_length(contents.len(), &mut length).unwrap_or(0);
    let mut out = Vec::with_capacity(1 + n + contents.len());
    out.push(identifier);
    out.extend_from_slice(length.get(..n).unwrap_or_default());
    out.extend_from_slice(contents);
    out
}

/// The identifier octet of a constructed context-specific `[n]`, n < 31.
pub(crate) const fn context_constructed(n: u8) -> u8 {
    0xa0 | n
}

/// The identifier octet of a constructed universal SET.
pub(crate) const SET_IDENTIFIER: u8 = 0x31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_uses_minimal_definite_lengths() {
        // X.690 §8.1.3: short form below 128, else 0x80 | count and the big-endian length.
        for (len, head) in [
            (0usize, &[0x04u8, 0x00][..]),
            (127, &[0x04, 0x7f]),
            (128, &[0x04, 0x81, 0x80]),
            (255, &[0x04, 0x81, 0xff]),
            (256, &[0x04, 0x82, 0x01, 0x00]),
            (65_536, &[0x04, 0x83, 0x01, 0x00, 0x00]),
        ] {
            let out = tlv(0x04, &alloc::vec![0x5a; len]);
            assert_eq!(&out[..head.len()], head, "length {len}");
            assert_eq!(out.len(), head.len() + len);
            let (value, rest) = decode_prefix::<rasn::types::OctetString>(&out).unwrap();
            assert_eq!((value.len(), rest), (len, 0));
        }
    }
}
