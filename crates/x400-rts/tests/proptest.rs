//! Property tests: every value we can build survives encode → decode unchanged, and any
//! bytes either fail to decode with an error or decode to a value that round-trips (the
//! `rts_pdu` fuzz oracle's promise, checked on stable).

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use x400_rts::rasn::types::{BitString, OctetString};
use x400_rts::{
    AbortInformation, AbortReason, ApplicationProtocol, CallingSsUserReference, ConnectionData,
    DialogueMode, PAccept, PConnect, PRefuse, RefuseReason, SessionConnectionIdentifier, T61String,
    UtcTimeOctets,
};

/// One BER value for `open`: a universal primitive with any contents, possibly inside a
/// SEQUENCE, with every length form. Not a NULL or `80 00`: those mean "no user data".
fn open_value() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![0x04u8, 0x13, 0x16]),
        prop::collection::vec(any::<u8>(), 0..300),
        any::<bool>(),
    )
        .prop_map(|(tag, contents, wrap)| {
            let value = tlv(tag, &contents);
            if wrap { tlv(0x30, &value) } else { value }
        })
}

fn tlv(id: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![id];
    let n = u16::try_from(contents.len()).unwrap();
    let [hi, lo] = n.to_be_bytes();
    match n {
        0..=0x7f => out.push(lo),
        0x80..=0xff => out.extend([0x81, lo]),
        _ => out.extend([0x82, hi, lo]),
    }
    out.extend(contents);
    out
}

fn octets(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

fn connection_data() -> impl Strategy<Value = ConnectionData> {
    let recover = (
        any::<bool>(),
        octets(64),
        octets(20),
        prop::option::of(octets(8)),
    )
        .prop_map(|(t61, calling, common, additional)| {
            ConnectionData::Recover(SessionConnectionIdentifier {
                calling_ss_user_reference: if t61 {
                    CallingSsUserReference::T61(T61String::new(calling))
                } else {
                    CallingSsUserReference::Octets(OctetString::from(calling))
                },
                common_reference: UtcTimeOctets::new(common),
                additional_reference_information: additional.map(T61String::new),
            })
        });
    prop_oneof![
        Just(ConnectionData::Open(None)),
        open_value().prop_map(ConnectionData::open),
        recover,
    ]
}

fn pconnect() -> impl Strategy<Value = PConnect> {
    (any::<[u32; 4]>(), connection_data()).prop_map(|([c, w, d, a], connection_data)| PConnect {
        checkpoint_size: c,
        window_size: w,
        dialogue_mode: DialogueMode(d),
        connection_data,
        application_protocol: ApplicationProtocol(a),
    })
}

fn paccept() -> impl Strategy<Value = PAccept> {
    (any::<[u32; 2]>(), connection_data()).prop_map(|([c, w], connection_data)| PAccept {
        checkpoint_size: c,
        window_size: w,
        connection_data,
    })
}

fn abort_information() -> impl Strategy<Value = AbortInformation> {
    (
        prop::option::of(any::<u32>()),
        prop::option::of(prop::collection::vec(any::<bool>(), 0..24)),
    )
        .prop_map(|(reason, bits)| AbortInformation {
            reason: reason.map(AbortReason),
            reflected_parameter: bits.map(|b| b.into_iter().collect::<BitString>()),
        })
}

proptest! {
    #[test]
    fn pconnect_round_trip(p in pconnect()) {
        prop_assert_eq!(PConnect::decode(&p.encode().unwrap()).unwrap(), p);
    }

    #[test]
    fn paccept_round_trip(a in paccept()) {
        prop_assert_eq!(PAccept::decode(&a.encode().unwrap()).unwrap(), a);
    }

    #[test]
    fn prefuse_round_trip(reason in any::<u32>()) {
        let r = PRefuse::new(RefuseReason(reason));
        prop_assert_eq!(PRefuse::decode(&r.encode().unwrap()).unwrap(), r);
    }

    #[test]
    fn abort_information_round_trip(a in abort_information()) {
        prop_assert_eq!(AbortInformation::decode(&a.encode().unwrap()).unwrap(), a);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_decoded_values_round_trip(data in octets(200)) {
        x400_rts_oracle(&data);
    }

    #[test]
    fn mutated_pconnects_never_panic(p in pconnect(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut wire = p.encode().unwrap();
        for (i, b) in flips {
            let i = i.index(wire.len());
            wire[i] ^= b | 1;
        }
        x400_rts_oracle(&wire);
    }
}

/// The value-equal round trip the fuzz target checks: whatever decodes re-encodes to
/// something that decodes to the same value.
fn x400_rts_oracle(data: &[u8]) {
    if let Ok(v) = PConnect::decode(data) {
        assert_eq!(PConnect::decode(&v.encode().unwrap()).unwrap(), v);
    }
    if let Ok(v) = PAccept::decode(data) {
        assert_eq!(PAccept::decode(&v.encode().unwrap()).unwrap(), v);
    }
    if let Ok(v) = PRefuse::decode(data) {
        assert_eq!(PRefuse::decode(&v.encode().unwrap()).unwrap(), v);
    }
    if let Ok(v) = AbortInformation::decode(data) {
        assert_eq!(AbortInformation::decode(&v.encode().unwrap()).unwrap(), v);
    }
}
