//! Property round trips, one per TPDU type: any value the encoder accepts decodes back to
//! itself from exactly the octets written, and any octets the decoder accepts re-encode
//! identically.

// Test helpers outside #[test] fns: failing loudly is their job.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use osi_transport::{
    Ack, ClassOption, Connect, Data, Disconnect, DisconnectConfirm, DisconnectReason, ErrorTpdu,
    Expedited, ExpeditedAck, Format, Params, Reject, RejectCause, Tpdu,
};
use proptest::prelude::*;

/// A raw variable part of well-formed parameters; with `even`, every value has an even
/// length so the total keeps the LI parity of the numbered formats.
fn params(even: bool, max_total: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..12)),
        0..5,
    )
    .prop_map(move |ps| {
        let mut raw = Vec::new();
        for (code, mut v) in ps {
            if even && v.len() % 2 == 1 {
                v.pop();
            }
            if raw.len() + 2 + v.len() > max_total {
                break;
            }
            raw.push(code);
            raw.push(v.len() as u8);
            raw.extend_from_slice(&v);
        }
        raw
    })
}

fn data() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..300)
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![
        Just(Format::Short),
        Just(Format::Normal),
        Just(Format::Extended)
    ]
}

/// Encodes, checks the length promises, decodes, and returns what came back.
fn check(t: &Tpdu<'_>) -> Result<(), TestCaseError> {
    let mut buf = vec![0xa5; t.encoded_len() + 1];
    let written = t
        .encode(&mut buf)
        .map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(written, t.encoded_len());
    prop_assert_eq!(buf[written], 0xa5);
    let (back, used) =
        Tpdu::decode(&buf[..written]).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert_eq!(used, written);
    prop_assert_eq!(&back, t);
    Ok(())
}

proptest! {
    #[test]
    fn cr_cc(cc in any::<bool>(), cdt in 0u8..16, dst in any::<u16>(), src in any::<u16>(), class in any::<u8>(),
             p in params(false, 248), d in data()) {
        let c = Connect { cdt, dst_ref: dst, src_ref: src, class: ClassOption(class), params: Params::new(&p).unwrap(), data: &d };
        check(&if cc { Tpdu::Cc(c) } else { Tpdu::Cr(c) })?;
    }

    #[test]
    fn dr(dst in any::<u16>(), src in any::<u16>(), reason in any::<u8>(), p in params(false, 248), d in data()) {
        check(&Tpdu::Dr(Disconnect { dst_ref: dst, src_ref: src, reason: DisconnectReason(reason), params: Params::new(&p).unwrap(), data: &d }))?;
    }

    #[test]
    fn dc(dst in any::<u16>(), src in any::<u16>(), p in params(false, 249)) {
        check(&Tpdu::Dc(DisconnectConfirm { dst_ref: dst, src_ref: src, params: Params::new(&p).unwrap() }))?;
    }

    #[test]
    fn er(dst in any::<u16>(), cause in any::<u8>(), p in params(false, 250)) {
        check(&Tpdu::Er(ErrorTpdu { dst_ref: dst, cause: RejectCause(cause), params: Params::new(&p).unwrap() }))?;
    }

    #[test]
    fn dt(format in format(), dst in any::<u16>(), roa in any::<bool>(), eot in any::<bool>(), nr in any::<u32>(),
          p in params(true, 240), d in data()) {
        let short = format == Format::Short;
        let p = if short { Vec::new() } else { p };
        let t = Data { format, dst_ref: if short { 0 } else { dst }, roa, eot, nr: nr & format.max_nr(), params: Params::new(&p).unwrap(), data: &d };
        check(&Tpdu::Dt(t))?;
    }

    #[test]
    fn ed(format in format(), dst in any::<u16>(), eot in any::<bool>(), nr in any::<u32>(), p in params(true, 240),
          d in prop::collection::vec(any::<u8>(), 0..17)) {
        let short = format == Format::Short;
        let p = if short { Vec::new() } else { p };
        let t = Expedited { format, dst_ref: if short { 0 } else { dst }, eot, nr: nr & format.max_nr(), params: Params::new(&p).unwrap(), data: &d };
        check(&Tpdu::Ed(t))?;
    }

    #[test]
    fn ak(extended in any::<bool>(), dst in any::<u16>(), nr in any::<u32>(), cdt in any::<u16>(), p in params(true, 240)) {
        let (nr, cdt) = if extended { (nr & 0x7fff_ffff, cdt) } else { (nr & 0x7f, cdt & 0x0f) };
        check(&Tpdu::Ak(Ack { extended, dst_ref: dst, nr, cdt, params: Params::new(&p).unwrap() }))?;
    }

    #[test]
    fn ea(extended in any::<bool>(), dst in any::<u16>(), nr in any::<u32>(), p in params(true, 240)) {
        let nr = if extended { nr & 0x7fff_ffff } else { nr & 0x7f };
        check(&Tpdu::Ea(ExpeditedAck { extended, dst_ref: dst, nr, params: Params::new(&p).unwrap() }))?;
    }

    #[test]
    fn rj(extended in any::<bool>(), dst in any::<u16>(), nr in any::<u32>(), cdt in any::<u16>()) {
        let (nr, cdt) = if extended { (nr & 0x7fff_ffff, cdt) } else { (nr & 0x7f, cdt & 0x0f) };
        check(&Tpdu::Rj(Reject { extended, dst_ref: dst, nr, cdt }))?;
    }

    /// Whatever the decoder accepts re-encodes to the octets it used.
    #[test]
    fn decoded_bytes_reencode_exactly(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok((t, used)) = Tpdu::decode(&bytes) {
            let mut out = vec![0; t.encoded_len()];
            prop_assert_eq!(t.encode(&mut out), Ok(used));
            prop_assert_eq!(&out[..], &bytes[..used]);
        }
    }
}
