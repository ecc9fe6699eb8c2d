//! Activity data (X.410 mode): the user information of the DT SPDUs between ACTIVITY START and
//! ACTIVITY END is one APDU, handed to the P1 layer when the activity ends.

use x400::session;

use crate::{MAX_TSDU, p1, report};

/// Follows the activity SPDUs of a TSDU: AS/AR start an APDU, DT user information adds to it,
/// AE ends it and hands it to P1, AI/AD drop it (X.410 §3.4: one APDU per activity).
pub fn collect_apdu(tsdu: &[u8], apdu: &mut Option<Vec<u8>>, out: &mut report::Frame) {
    use session::Spdu;
    let ctx = session::Context::new(session::Si42::ActivityEndAck);
    for spdu in session::Spdus::new(tsdu, ctx) {
        let Ok(spdu) = spdu else { return };
        match spdu {
            Spdu::ActivityStart(_) => *apdu = Some(Vec::new()),
            // RTS recovery (X.410 §3.8): the activity continues after the checkpoint the AR
            // names; only from serial 0 does this connection carry the whole APDU.
            Spdu::ActivityResume(ar) => match ar.linking.serial.value() {
                0 => *apdu = Some(Vec::new()),
                n => {
                    *apdu = None;
                    let mut l = report::Layer::new(
                        "rts",
                        "transfer resumed after a lost connection: the APDU is not decoded, its start went on the earlier connection",
                    );
                    l.field(
                        "resumed_after",
                        n,
                        "serial number of the last confirmed checkpoint; the data continues from there",
                    );
                    out.layers.push(l);
                }
            },
            Spdu::DataTransfer(dt) => {
                if let Some(a) = apdu.as_mut() {
                    if a.len() + dt.user_info.len() > MAX_TSDU {
                        out.errors.push(format!(
                            "ses: activity data longer than {MAX_TSDU} octets; the decoder drops it"
                        ));
                        *apdu = None;
                    } else {
                        a.extend_from_slice(dt.user_info);
                    }
                }
            }
            Spdu::ActivityEnd(_) => {
                if let Some(a) = apdu.take().filter(|a| !a.is_empty()) {
                    let (layers, errors) = p1::explain(&a);
                    out.layers.extend(layers);
                    out.errors.extend(errors);
                }
            }
            Spdu::ActivityInterrupt(_) | Spdu::ActivityDiscard(_) => *apdu = None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input;

    #[test]
    fn activity_data_in_two_dt_spdus_is_one_p1_apdu() {
        let vectors = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/decode/data/asn1tools-p1.tsv"),
        )
        .unwrap();
        let hex = vectors
            .lines()
            .find_map(|l| l.strip_prefix("E.MTS-APDU.message\t"))
            .unwrap()
            .split('\t')
            .next()
            .unwrap();
        let apdu = input::parse_hex(hex).unwrap();
        let (a, b) = apdu.split_at(apdu.len() / 2);
        let mut state = None;
        let mut out = report::Frame::default();
        // GT+AS, GT+DT, GT+DT, GT+AE (X.225 Table 7 basic concatenation).
        for tsdu in [
            vec![0x01, 0x00, 0x2d, 0x03, 0x29, 0x01, 0x31],
            [&[0x01, 0x00, 0x01, 0x00][..], a].concat(),
            [&[0x01, 0x00, 0x01, 0x00][..], b].concat(),
            vec![0x01, 0x00, 0x29, 0x03, 0x2a, 0x01, 0x31],
        ] {
            collect_apdu(&tsdu, &mut state, &mut out);
        }
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.layers.len(), 1);
        assert!(
            out.layers[0].summary.starts_with("MTS-APDU message"),
            "{}",
            out.layers[0].summary
        );
        assert!(state.is_none());
    }
}
