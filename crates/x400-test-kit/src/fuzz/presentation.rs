//! Oracle for `osi-presentation`.

use osi_presentation::{Carrier, Ppdu};

/// Every carrier a PPDU can arrive on.
const CARRIERS: [Carrier; 12] = [
    Carrier::Connect,
    Carrier::Accept,
    Carrier::Refuse,
    Carrier::Abort,
    Carrier::Data,
    Carrier::TypedData,
    Carrier::Expedited,
    Carrier::CapabilityData,
    Carrier::CapabilityDataAck,
    Carrier::Resynchronize,
    Carrier::ResynchronizeAck,
    Carrier::Service,
];

/// PPDUs (BER): the input is tried as the SS-user data of every carrier. Whatever decodes
/// must encode into exactly `encoded_len` octets, the encoding must decode to an equal value,
/// and encoding that value again must give the same octets (the encoder's form is a fixed
/// point). The original octets need not come back: BER allows indefinite and long-form
/// lengths, which the encoder writes in the shortest definite form.
///
/// # Panics
///
/// When that promise is broken.
pub fn presentation_ppdu(data: &[u8]) {
    for carrier in CARRIERS {
        let Ok(value) = Ppdu::decode(carrier, data) else {
            continue;
        };
        let mut wire = vec![0u8; value.encoded_len()];
        let n = value.encode(&mut wire).unwrap_or_else(|e| {
            panic!("{carrier:?}: decoded value does not encode: {e}\n{value:?}")
        });
        assert_eq!(
            n,
            wire.len(),
            "{carrier:?}: encoded_len disagrees with encode"
        );
        let again = Ppdu::decode(carrier, &wire).unwrap_or_else(|e| {
            panic!("{carrier:?}: our encoding does not decode: {e}\n{wire:02x?}")
        });
        assert_eq!(again, value, "{carrier:?}: value changed in a round trip");
        let mut twice = vec![0u8; again.encoded_len()];
        again.encode(&mut twice).unwrap();
        assert_eq!(twice, wire, "{carrier:?}: re-encoding is not stable");
        // A buffer one octet short is an error, never a panic or a partial success.
        if let Some(short) = wire.len().checked_sub(1) {
            assert!(value.encode(&mut vec![0u8; short]).is_err());
        }
    }
}
