//! Oracles for `x400-rts`.

use x400_rts::{AbortInformation, PAccept, PConnect, PRefuse};

/// RTS PDUs (BER): the input is tried as each of PConnect, PAccept, PRefuse and
/// AbortInformation. Whatever decodes must encode, and the encoding must decode to an equal
/// value. Only values are compared, not octets: BER allows several encodings of one value
/// (indefinite lengths, SET order, DEFAULTs present or absent, the forms of "no user data")
/// and the encoder writes one canonical form (STYLE.md §3.12).
///
/// # Panics
///
/// When that promise is broken.
pub fn rts_pdu(data: &[u8]) {
    macro_rules! round_trip {
        ($pdu:ty) => {
            if let Ok(value) = <$pdu>::decode(data) {
                let wire = value.encode().unwrap_or_else(|e| {
                    panic!(
                        "{}: decoded value does not encode: {e}\n{value:?}",
                        stringify!($pdu)
                    )
                });
                let again = <$pdu>::decode(&wire).unwrap_or_else(|e| {
                    panic!(
                        "{}: our encoding does not decode: {e}\n{wire:02x?}",
                        stringify!($pdu)
                    )
                });
                assert_eq!(
                    again,
                    value,
                    "{}: value changed in a round trip",
                    stringify!($pdu)
                );
            }
        };
    }
    round_trip!(PConnect);
    round_trip!(PAccept);
    round_trip!(PRefuse);
    round_trip!(AbortInformation);
}
