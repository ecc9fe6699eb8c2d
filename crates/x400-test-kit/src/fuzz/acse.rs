//! Oracle for `osi-acse`.

use osi_acse::Apdu;

/// ACSE APDUs (BER). Whatever decodes must encode into exactly `encoded_len` octets, the
/// encoding must decode to an equal value, and encoding that value again must give the same
/// octets (the encoder's form is a fixed point). The original octets need not come back:
/// BER allows indefinite and long-form lengths and non-minimal integers, which the encoder
/// writes in the shortest definite form.
///
/// # Panics
///
/// When that promise is broken.
pub fn acse_apdu(data: &[u8]) {
    let Ok(value) = Apdu::decode(data) else {
        return;
    };
    let mut wire = vec![0u8; value.encoded_len()];
    let n = value
        .encode(&mut wire)
        .unwrap_or_else(|e| panic!("decoded value does not encode: {e}\n{value:?}"));
    assert_eq!(n, wire.len(), "encoded_len disagrees with encode");
    let again = Apdu::decode(&wire)
        .unwrap_or_else(|e| panic!("our encoding does not decode: {e}\n{wire:02x?}"));
    assert_eq!(again, value, "value changed in a round trip");
    let mut twice = vec![0u8; again.encoded_len()];
    again.encode(&mut twice).unwrap();
    assert_eq!(twice, wire, "re-encoding is not stable");
    // A buffer one octet short is an error, never a panic or a partial success.
    if let Some(short) = wire.len().checked_sub(1) {
        assert!(value.encode(&mut vec![0u8; short]).is_err());
    }
}
