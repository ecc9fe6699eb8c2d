//! The session layer (ISO 8327-1 / X.225): every SPDU of a TSDU and every parameter, in
//! plain words.

use x400::session::{self, Category, Context, Error, Kind, Si42, Spdu, Tsdu};

use crate::report::{Layer, hex};
use crate::spdu_params::{Shown, params};

/// Layers, errors, and the SS-user data with the SPDU that carried it.
pub type Explained = (Vec<Layer>, Vec<String>, Option<(Kind, Vec<u8>)>);

/// Explains the SPDUs of one TSDU. Returns one layer per SPDU, the errors, and the SS-user
/// data for the next layer (CN/AC/FN/DN/... user data, RF refusal data, or DT user
/// information), if any.
pub fn explain(data: &[u8]) -> Explained {
    // Without the protocol state: SI 42 is read as MAA (and said to be MAA or AEA), and
    // extended concatenation is tried only when basic concatenation fails.
    let basic = Context::new(Si42::MajorSyncAck);
    let extended = Context {
        extended_concatenation: true,
        ..basic
    };
    let (tsdu, ext) = match Tsdu::decode(data, basic) {
        Err(Error::BadConcatenation { .. }) => match Tsdu::decode(data, extended) {
            Ok(t) => (Ok(t), true),
            Err(_) => (Tsdu::decode(data, basic), false),
        },
        r => (r, false),
    };
    match tsdu {
        Ok(t) => {
            let n = t.len();
            let mut layers: Vec<Layer> = t
                .iter()
                .enumerate()
                .map(|(i, s)| layer(s, i, n, ext))
                .collect();
            for (l, li) in layers.iter_mut().zip(length_indicators(data)) {
                // After "si" and "category": the length indicator as sent.
                let (value, note) = li;
                l.fields.insert(
                    2.min(l.fields.len()),
                    crate::report::Field {
                        name: "li".into(),
                        value: value.into(),
                        note,
                    },
                );
            }
            let payload = t
                .iter()
                .find_map(|s| payload(s).map(|p| (s.kind(), p.to_vec())));
            (layers, Vec::new(), payload)
        }
        Err(e) => {
            // Explain what decodes on its own, then say what is wrong.
            let mut layers = Vec::new();
            for (i, s) in session::Spdus::new(data, basic).enumerate() {
                match s {
                    Ok(s) => layers.push(layer(&s, i, 0, false)),
                    Err(_) => break,
                }
            }
            // A category 2 SPDU standing alone (as the kit's hand-made AS, AE and AEA do) is
            // still shown, decoded as if a GT or PT preceded it.
            if layers.is_empty()
                && let Error::Misplaced(_) = e
                && let Ok((s, _)) = Spdu::decode(data, false, &basic)
            {
                let mut l = layer(&s, 1, 0, false);
                l.summary
                    .push_str(" (out of place: decoded as if a GT or PT preceded it)");
                layers.push(l);
            }
            (layers, vec![error_words(&e)], None)
        }
    }
}

/// The length indicator of each SPDU as sent: its value and which of the two forms it used.
fn length_indicators(data: &[u8]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((&si, after)) = rest.split_first() {
        let (len, used) = match after {
            [0xff, hi, lo, ..] => (usize::from(u16::from_be_bytes([*hi, *lo])), 3),
            [n, ..] => (usize::from(*n), 1),
            [] => break,
        };
        let form = match (used, len) {
            (1, _) => "one-octet form".to_string(),
            (_, 255..) => "three-octet form FF hi lo".to_string(),
            _ => "three-octet form for a length below 255: accepted, but X.225 asks for the shortest form \
                  (ISODE rejects it)"
                .to_string(),
        };
        let first = out.is_empty();
        out.push((
            len,
            format!(
                "octets of parameters after the SI and LI ({form}); user information not counted"
            ),
        ));
        if (si == 1 && !first) || si == 33 || si == 5 {
            break;
        }
        rest = after.get(used + len..).unwrap_or_default();
    }
    out
}

/// Words for a session error, with the reaction X.225 A.4.1.2 recommends.
pub fn error_words(e: &Error) -> String {
    format!(
        "ses: {e} (a receiver treats this as a protocol error: AB with transport disconnect 0x05)"
    )
}

fn payload<'a>(s: &Spdu<'a>) -> Option<&'a [u8]> {
    if let Spdu::DataTransfer(session::DataTransfer { user_info, .. })
    | Spdu::TypedData(session::TypedData { user_info, .. })
    | Spdu::Expedited(session::Expedited { user_info, .. }) = *s
        && !user_info.is_empty()
    {
        return Some(user_info);
    }
    let p = Shown::of(s);
    p.user_data
        .or(p.extended_user_data)
        .or(p.reason.filter(|r| !r.data.is_empty()).map(|r| r.data))
}

/// The standard's full name of an SPDU.
pub fn full_name(k: Kind) -> &'static str {
    match k {
        Kind::Connect => "CONNECT",
        Kind::OverflowAccept => "OVERFLOW ACCEPT",
        Kind::ConnectDataOverflow => "CONNECT DATA OVERFLOW",
        Kind::Accept => "ACCEPT",
        Kind::Refuse => "REFUSE",
        Kind::Finish => "FINISH",
        Kind::Disconnect => "DISCONNECT",
        Kind::NotFinished => "NOT FINISHED",
        Kind::Abort => "ABORT",
        Kind::AbortAccept => "ABORT ACCEPT",
        Kind::DataTransfer => "DATA TRANSFER",
        Kind::Expedited => "EXPEDITED",
        Kind::TypedData => "TYPED DATA",
        Kind::CapabilityData => "CAPABILITY DATA",
        Kind::CapabilityDataAck => "CAPABILITY DATA ACK",
        Kind::GiveTokens => "GIVE TOKENS",
        Kind::PleaseTokens => "PLEASE TOKENS",
        Kind::GiveTokensConfirm => "GIVE TOKENS CONFIRM",
        Kind::GiveTokensAck => "GIVE TOKENS ACK",
        Kind::MinorSyncPoint => "MINOR SYNC POINT",
        Kind::MinorSyncAck => "MINOR SYNC ACK",
        Kind::MajorSyncPoint => "MAJOR SYNC POINT",
        Kind::MajorSyncAck => "MAJOR SYNC ACK",
        Kind::Resynchronize => "RESYNCHRONIZE",
        Kind::ResynchronizeAck => "RESYNCHRONIZE ACK",
        Kind::Prepare => "PREPARE",
        Kind::ExceptionReport => "EXCEPTION REPORT",
        Kind::ExceptionData => "EXCEPTION DATA",
        Kind::ActivityStart => "ACTIVITY START",
        Kind::ActivityResume => "ACTIVITY RESUME",
        Kind::ActivityInterrupt => "ACTIVITY INTERRUPT",
        Kind::ActivityInterruptAck => "ACTIVITY INTERRUPT ACK",
        Kind::ActivityDiscard => "ACTIVITY DISCARD",
        Kind::ActivityDiscardAck => "ACTIVITY DISCARD ACK",
        Kind::ActivityEnd => "ACTIVITY END",
        Kind::ActivityEndAck => "ACTIVITY END ACK",
        _ => "SPDU",
    }
}

fn layer(s: &Spdu<'_>, index: usize, count: usize, ext: bool) -> Layer {
    let k = s.kind();
    let mut summary = format!("{} {}", k.abbr(), full_name(k));
    if count > 1 {
        summary.push_str(&format!(" (SPDU {} of {count} in this TSDU)", index + 1));
    }
    let mut l = Layer::new("ses", summary);
    let si_note = match (k.si(), index) {
        (1, 0) => {
            "SI 1 first in a TSDU is GIVE TOKENS (category 0); after a GT it is DATA TRANSFER"
        }
        (1, _) => "SI 1 after a category 0 SPDU is DATA TRANSFER (X.225 §6.3.7)",
        (25, 0) => "SI 25 first in a TSDU is ABORT; after a GT it is ACTIVITY INTERRUPT",
        (25, _) => "SI 25 after a GT is ACTIVITY INTERRUPT, not ABORT (X.225 §6.3.7)",
        (26, 0) => "SI 26 first in a TSDU is ABORT ACCEPT; after a PT it is ACTIVITY INTERRUPT ACK",
        (26, _) => "SI 26 after a PT is ACTIVITY INTERRUPT ACK, not ABORT ACCEPT",
        (41, _) if k == Kind::MajorSyncPoint => {
            "SI 41 with Sync Type bit 1 set is MAJOR SYNC POINT"
        }
        (41, _) => {
            "SI 41 without Sync Type bit 1 is ACTIVITY END (tshark labels it MAJOR SYNC POINT)"
        }
        (42, _) => {
            "SI 42 is MAJOR SYNC ACK or ACTIVITY END ACK, encoded identically: the protocol state decides \
             (shown as MAA)"
        }
        _ => "",
    };
    l.field("si", format!("{} (0x{:02x})", k.si(), k.si()), si_note);
    let category = match k.category() {
        Category::Zero => "category 0: alone, or first in front of category 2 SPDUs",
        Category::One => "category 1: always alone in its TSDU",
        Category::Two => "category 2: never alone, always after a GT or PT",
    };
    let mut cat_note = category.to_string();
    if ext && index > 0 {
        cat_note.push_str("; extended concatenation (X.225 Table 8): valid only if the receiver set Protocol Options bit 1");
    }
    l.field(
        "category",
        format!("{:?}", k.category()).to_lowercase(),
        cat_note,
    );
    let shown = Shown::of(s);
    params(&mut l, k, &shown);
    if let Some(info) = shown.user_info {
        l.field(
            "user_information",
            hex(info),
            format!(
                "{} octets of SS-user data after the parameters, running to the end of the TSDU (X.225 §8.2.5)",
                info.len()
            ),
        );
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(layer: &Layer) -> Vec<(&str, String, &str)> {
        layer
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.to_string(), f.note.as_str()))
            .collect()
    }

    #[test]
    fn explains_libiec61850_connect() {
        let cn = [
            &[
                0x0d, 0x1e, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x14, 0x02, 0x00, 0x02,
            ][..],
            &[
                0x33, 0x02, 0x00, 0x01, 0x34, 0x02, 0x00, 0x01, 0xc1, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,
            ],
        ]
        .concat();
        let (layers, errors, payload) = explain(&cn);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            payload,
            Some((Kind::Connect, vec![1u8, 2, 3, 4, 5, 6, 7, 8]))
        );
        let f = fields(&layers[0]);
        assert!(f.iter().any(|(n, v, note)| *n == "requirements"
            && v == "\"0x0002\""
            && note.contains("duplex")));
        assert!(
            f.iter()
                .any(|(n, _, note)| *n == "connect_accept.version" && note.contains("version 2"))
        );
        assert!(
            f.iter()
                .any(|(n, v, _)| *n == "called_ssel" && v == "\"00 01\"")
        );
    }

    #[test]
    fn explains_x410_requirements_in_words() {
        let (layers, errors, _) = explain(&[0x0d, 0x04, 0x14, 0x02, 0x02, 0x49]);
        assert!(errors.is_empty());
        let req = layers[0]
            .fields
            .iter()
            .find(|f| f.name == "requirements")
            .unwrap();
        assert_eq!(
            req.note,
            "PI 20: session user requirements: half-duplex, minor synchronize, activity management, exceptions \
             (exactly what X.410 RTS needs)"
        );
    }

    #[test]
    fn gt_dt_hands_on_user_information_and_errors_are_reported() {
        let (layers, errors, payload) = explain(&[0x01, 0x00, 0x01, 0x00, 0xaa]);
        assert_eq!(
            (layers.len(), errors.len(), payload),
            (2, 0, Some((Kind::DataTransfer, vec![0xaa])))
        );
        assert!(layers[1].summary.starts_with("DT DATA TRANSFER"));
        let (_, errors, _) = explain(&[0x31, 0x03, 0x2a, 0x01, 0x31]);
        assert!(errors[0].contains("MIP cannot stand"), "{errors:?}");
        let (layers, errors, _) = explain(&[
            0x01, 0x00, 0x2d, 0x03, 0x29, 0x01, 0x31, 0x31, 0x03, 0x2a, 0x01, 0x31,
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(
            layers[2]
                .fields
                .iter()
                .any(|f| f.note.contains("extended concatenation"))
        );
    }
}
