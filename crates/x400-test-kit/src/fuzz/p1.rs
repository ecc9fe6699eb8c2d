//! Oracles for `x400-p1`.

use x400_p1::mta_abstract_service::MtsApdu;
use x400_p1::p1_1984::Mpdu;
use x400_p1::{Pdu, decode, encode};

/// BER is not canonical (SET order, indefinite lengths, DEFAULT values sent explicitly), so the
/// promise is about values: whatever decodes re-encodes without error, decodes again to an equal
/// value, and from then on the encoding is stable.
fn value_round_trip<T: Pdu + PartialEq + core::fmt::Debug>(data: &[u8]) {
    let Ok(value) = decode::<T>(data) else { return };
    // Each `unreachable!` below is a broken promise, which is what the fuzzer looks for.
    let octets = match encode(&value) {
        Ok(o) => o,
        Err(e) => unreachable!("decoded {} does not encode: {e}", T::NAME),
    };
    let again: T = match decode(&octets) {
        Ok(v) => v,
        Err(e) => unreachable!("our own {} encoding does not decode: {e}", T::NAME),
    };
    assert_eq!(
        again,
        value,
        "{} changed value through encode/decode",
        T::NAME
    );
    let stable = match encode(&again) {
        Ok(o) => o,
        Err(e) => unreachable!("re-decoded {} does not encode: {e}", T::NAME),
    };
    assert_eq!(stable, octets, "{} encoding is not stable", T::NAME);
}

/// X.411 (1984) MPDU: value-equal round trip (see `value_round_trip`).
///
/// # Panics
///
/// When that promise is broken.
pub fn p1_mpdu_1984(data: &[u8]) {
    value_round_trip::<Mpdu>(data);
}

/// X.411 (1988) MTS-APDU: value-equal round trip (see `value_round_trip`).
///
/// # Panics
///
/// When that promise is broken.
pub fn p1_mts_apdu_1988(data: &[u8]) {
    value_round_trip::<MtsApdu>(data);
}
