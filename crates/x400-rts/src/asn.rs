//! rasn's `AsnType`, `Decode` and `Encode` for [`PConnect`] and [`PAccept`], so that they can
//! be used like any other rasn type (`rasn::ber::decode`, or nested in a derived type).
//!
//! Both delegate to the PDUs' own codecs: rasn reads the SET as a list of raw elements and
//! hands it to [`PConnect::decode`] / [`PAccept::decode`], which apply the X.410 rules that a
//! derived SET cannot (module `ber`). Prefer those functions for SS-user data: plain
//! `rasn::ber::decode` ignores octets after the value.

use alloc::vec::Vec;

use rasn::types::{Constraints, Identifier, Tag};
use rasn::{AsnType, Decode, Encode};

use crate::ber::{self, RawValue};
use crate::{PAccept, PConnect};

macro_rules! rasn_via_own_codec {
    ($pdu:ty, $name:literal) => {
        impl AsnType for $pdu {
            const TAG: Tag = Tag::SET;
        }

        impl Decode for $pdu {
            fn decode_with_tag_and_constraints<D: rasn::Decoder>(
                decoder: &mut D,
                tag: Tag,
                _constraints: &Constraints,
            ) -> Result<Self, D::Error> {
                let codec = decoder.codec();
                let elements: Vec<RawValue> =
                    decoder.decode_sequence_of(tag, &Constraints::NONE)?;
                // The same elements under the universal SET tag, for our own decoder.
                let contents: Vec<u8> = elements
                    .iter()
                    .flat_map(|e| e.0.as_bytes().iter().copied())
                    .collect();
                <$pdu>::decode(&ber::tlv(ber::SET_IDENTIFIER, &contents))
                    .map_err(|e| rasn::de::Error::custom(e, codec))
            }
        }

        impl Encode for $pdu {
            fn encode_with_tag_and_constraints<'b, E: rasn::Encoder<'b>>(
                &self,
                encoder: &mut E,
                tag: Tag,
                _constraints: &Constraints,
                identifier: Identifier,
            ) -> Result<(), E::Error> {
                let codec = encoder.codec();
                let custom = |e| <E::Error as rasn::enc::Error>::custom(e, codec);
                let wire = self.encode().map_err(custom)?;
                let elements: Vec<RawValue> = ber::split_exact($name, &wire, Tag::SET)
                    .map_err(custom)?
                    .into_iter()
                    .map(|e| RawValue(rasn::types::Any::new(e.encoding)))
                    .collect();
                encoder
                    .encode_sequence_of(tag, &elements, &Constraints::NONE, identifier)
                    .map(|_| ())
            }
        }
    };
}

rasn_via_own_codec!(PConnect, "PConnect");
rasn_via_own_codec!(PAccept, "PAccept");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConnectionData;
    use hex_literal::hex;
    // The derived SEQUENCE decoder calls `Decoder` methods unqualified.
    use rasn::Decoder as _;

    /// A type of someone else's module that carries a PAccept under an implicit tag.
    #[derive(rasn::AsnType, rasn::Decode, rasn::Encode, Debug, PartialEq)]
    struct Carrier {
        #[rasn(tag(context, 7))]
        accept: PAccept,
    }

    #[test]
    fn rasn_codec_equals_our_codec() {
        let wire = hex!("31 0b a0 03 80 01 00 a1 04 a3 02 80 00");
        let p: PConnect = rasn::ber::decode(&wire).unwrap();
        assert_eq!(p, PConnect::decode(&wire).unwrap());
        assert_eq!(rasn::ber::encode(&p).unwrap(), p.encode().unwrap());
    }

    #[test]
    fn nested_under_an_implicit_tag() {
        let c = Carrier {
            accept: PAccept::new(ConnectionData::open(hex!("02 01 2a"))),
        };
        let wire = rasn::ber::encode(&c).unwrap();
        // SEQUENCE { [7] IMPLICIT PAccept }: A7 replaces the SET's 31.
        assert_eq!((wire[0], wire[2]), (0x30, 0xa7));
        assert_eq!(rasn::ber::decode::<Carrier>(&wire).unwrap(), c);
    }

    #[test]
    fn rasn_decode_keeps_our_errors() {
        let e = rasn::ber::decode::<PConnect>(&hex!("31 0b a0 03 80 01 01 a1 04 a3 02 80 00"))
            .unwrap_err();
        assert!(alloc::format!("{e}").contains("x409"), "{e}");
    }
}
