//! The RTS layer (X.410 (1984) in X.410-1984 mode): the SS-user data of CN, AC, RF and AB.
//!
//! The octets alone do not always say which PDU they are: `31 03 80 01 01` is a PRefuse
//! (cannotRecover) in an RF and an AbortInformation (invalidParameter) in an AB. [`explain_in`]
//! decodes for a known carrier SPDU; [`explain`] tries every PDU and shows each reading.

use x400::rts::{
    AbortInformation, ConnectionData, Error, PAccept, PConnect, PRefuse,
    SessionConnectionIdentifier,
};

use crate::report::{Layer, hex};

/// The SPDU whose SS-user data is being explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// CONNECT (SI 13): PConnect, PGI 193 or 194.
    Cn,
    /// ACCEPT (SI 14): PAccept.
    Ac,
    /// REFUSE (SI 12): PRefuse, in PI 50 after the reason code octet 2.
    Rf,
    /// ABORT (SI 25): AbortInformation.
    Ab,
}

/// Explains `data` as every RTS PDU it decodes as. Errors only if it is none of them.
pub fn explain(data: &[u8]) -> (Vec<Layer>, Vec<String>) {
    let mut layers = Vec::new();
    let mut errors = Vec::new();
    for carrier in [Carrier::Cn, Carrier::Ac, Carrier::Rf, Carrier::Ab] {
        match decode(carrier, data) {
            Ok(layer) => layers.push(layer),
            Err(e) => errors.push(error_words(&e)),
        }
    }
    if !layers.is_empty() {
        errors.clear();
    }
    if layers.len() > 1 {
        for l in &mut layers {
            l.summary
                .push_str(" (one of several readings: the carrier SPDU decides)");
        }
    }
    (layers, errors)
}

/// Explains `data` as the PDU `carrier` carries.
pub fn explain_in(carrier: Carrier, data: &[u8]) -> (Vec<Layer>, Vec<String>) {
    match decode(carrier, data) {
        Ok(layer) => (vec![layer], Vec::new()),
        Err(e) => (Vec::new(), vec![error_words(&e)]),
    }
}

/// Words for an RTS error: which PDU, what was wrong, and the rule.
pub fn error_words(e: &Error) -> String {
    format!("rts: {e}")
}

fn decode(carrier: Carrier, data: &[u8]) -> Result<Layer, Error> {
    Ok(match carrier {
        Carrier::Cn => connect(&PConnect::decode(data)?, data),
        Carrier::Ac => accept(&PAccept::decode(data)?, data),
        Carrier::Rf => refuse(&PRefuse::decode(data)?, data),
        Carrier::Ab => abort(&AbortInformation::decode(data)?, data),
    })
}

fn connect(p: &PConnect, wire: &[u8]) -> Layer {
    let mut l = Layer::new(
        "rts",
        format!(
            "PConnect: {}, checkpoint {}, window {}, {}, application protocol {}",
            data_words(&p.connection_data),
            checkpoint_words(p.checkpoint_size),
            p.window_size,
            p.dialogue_mode,
            p.application_protocol
        ),
    );
    l.field(
        "dataTransferSyntax",
        0,
        "x409 (BER): X.410-1984 mode (1 would be a normal-mode peer)",
    );
    counts(&mut l, p.checkpoint_size, p.window_size);
    l.field(
        "dialogueMode",
        p.dialogue_mode.0,
        format!(
            "{}; DEFAULT monologue(0); twa(1) lets the turn be asked for and given",
            p.dialogue_mode
        ),
    );
    connection_data(&mut l, &p.connection_data);
    l.field(
        "applicationProtocol",
        p.application_protocol.0,
        format!(
            "{}; DEFAULT p1(1) when absent; 12 = P1 (1988) in X.410 mode",
            p.application_protocol
        ),
    );
    l.field(
        "pdu",
        hex(wire),
        format!("{} octets, CN user data", wire.len()),
    );
    l
}

fn accept(a: &PAccept, wire: &[u8]) -> Layer {
    let mut l = Layer::new(
        "rts",
        format!(
            "PAccept: {}, checkpoint {}, window {} (the agreed values)",
            data_words(&a.connection_data),
            checkpoint_words(a.checkpoint_size),
            a.window_size
        ),
    );
    l.field("dataTransferSyntax", 0, "x409 (BER): X.410-1984 mode");
    counts(&mut l, a.checkpoint_size, a.window_size);
    connection_data(&mut l, &a.connection_data);
    l.field(
        "pdu",
        hex(wire),
        format!("{} octets, AC user data", wire.len()),
    );
    l
}

fn refuse(r: &PRefuse, wire: &[u8]) -> Layer {
    // The reason's Display gives its name and meaning; this adds what the initiator can do.
    let advice = match r.reason.0 {
        0 => "; try later",
        1 => "; open afresh and resend",
        2 | 3 => "",
        _ => ": a reason X.410 does not define",
    };
    let mut l = Layer::new("rts", format!("PRefuse: {}", r.reason));
    l.field("refuseReason", r.reason.0, format!("{}{advice}", r.reason));
    l.field(
        "pdu",
        hex(wire),
        "RF user data, after the session reason code 2",
    );
    l
}

fn abort(a: &AbortInformation, wire: &[u8]) -> Layer {
    let summary = a
        .reason
        .map_or("AbortInformation without a reason".to_string(), |r| {
            format!("AbortInformation: {r}")
        });
    let mut l = Layer::new("rts", summary);
    match a.reason {
        Some(r) => l.field(
            "abortReason",
            r.0,
            format!(
                "{r}; localSystemProblem(0) and temporaryProblem(3) are the peer's own trouble, \
                 the others protocol errors (X.410, X.228)"
            ),
        ),
        None => l.field("abortReason", "absent", "OPTIONAL"),
    };
    if let Some(bits) = &a.reflected_parameter {
        let text: String = bits.iter().map(|b| if *b { '1' } else { '0' }).collect();
        l.field(
            "reflectedParameter",
            text,
            format!("{} bits: the parameter found invalid", bits.len()),
        );
    }
    l.field(
        "pdu",
        hex(wire),
        format!(
            "{} octets, AB user data (at most 9 in session version 1)",
            wire.len()
        ),
    );
    l
}

fn counts(l: &mut Layer, checkpoint: u32, window: u32) {
    l.field(
        "checkpointSize",
        checkpoint,
        format!(
            "{}; units of 1024 octets, DEFAULT 0",
            checkpoint_words(checkpoint)
        ),
    );
    l.field(
        "windowSize",
        window,
        "checkpoints that may be unconfirmed; DEFAULT 3",
    );
}

fn checkpoint_words(size: u32) -> String {
    if size == 0 {
        "none (no checkpointing, so no recovery)".to_string()
    } else {
        format!("every {} octets", u64::from(size) * 1024)
    }
}

fn data_words(d: &ConnectionData) -> &'static str {
    match d {
        ConnectionData::Open(None) => "open without user data",
        ConnectionData::Open(Some(_)) => "open with user data",
        ConnectionData::Recover(_) => "RECOVER of a lost connection",
    }
}

fn connection_data(l: &mut Layer, d: &ConnectionData) {
    match d {
        ConnectionData::Open(None) => {
            l.field(
                "open",
                "none",
                "no user data (80 00, A0 00, A0 02 80 00 or A0 02 05 00 on the wire)",
            );
        }
        ConnectionData::Open(Some(v)) => {
            l.field(
                "open",
                hex(v.as_bytes()),
                format!(
                    "{} octets of RTS-user data (in P1: the MTA bind), one BER value",
                    v.as_bytes().len()
                ),
            );
        }
        ConnectionData::Recover(id) => recover(l, id),
    }
}

fn recover(l: &mut Layer, id: &SessionConnectionIdentifier) {
    let calling = id.calling_ss_user_reference.as_bytes();
    l.field(
        "recover.callingSSUserReference",
        printable(calling),
        "of the lost connection (its CN PI 10); matched octet for octet",
    );
    l.field(
        "recover.commonReference",
        printable(id.common_reference.as_bytes()),
        "UTCTime of the lost connection (CN PI 11), compared, not parsed",
    );
    if let Some(a) = &id.additional_reference_information {
        l.field(
            "recover.additionalReferenceInformation",
            printable(a.as_bytes()),
            "CN PI 12 of the lost connection",
        );
    }
}

/// Text if printable ASCII, hex otherwise.
fn printable(b: &[u8]) -> String {
    if b.iter().all(|c| (0x20..0x7f).contains(c)) {
        String::from_utf8_lossy(b).into_owned()
    } else {
        hex(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(h: &str) -> Vec<u8> {
        let h: String = h.split_whitespace().collect();
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    }

    fn field<'a>(l: &'a Layer, name: &str) -> &'a serde_json::Value {
        &l.fields.iter().find(|f| f.name == name).unwrap().value
    }

    #[test]
    fn recover_pconnect_is_explained() {
        let (layers, errors) = explain(&bytes(
            "31 32 A0 03 80 01 00 A1 2B 80 01 1E 81 01 05 A3 20 A1 1E 14 0D 6D 74 61 2D 61 2E 65
             78 61 6D 70 6C 65 17 0D 39 34 30 32 31 34 31 30 33 30 30 30 5A 84 01 01",
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(layers.len(), 1);
        assert!(
            layers[0].summary.contains("RECOVER"),
            "{}",
            layers[0].summary
        );
        assert_eq!(
            field(&layers[0], "recover.callingSSUserReference"),
            "mta-a.example"
        );
        assert_eq!(field(&layers[0], "checkpointSize"), 30);
    }

    #[test]
    fn refuse_and_abort_readings_both_shown_without_carrier() {
        let (layers, errors) = explain(&bytes("31 03 80 01 01"));
        assert!(errors.is_empty());
        assert_eq!(layers.len(), 2);
        assert!(layers[0].summary.starts_with("PRefuse: cannotRecover(1)"));
        assert!(
            layers[1]
                .summary
                .starts_with("AbortInformation: invalidParameter(1)")
        );
        let (layers, _) = explain_in(Carrier::Rf, &bytes("31 03 80 01 01"));
        assert_eq!(layers.len(), 1);
    }

    #[test]
    fn normal_mode_and_garbage_are_errors() {
        let (layers, errors) = explain(&bytes("31 0b a0 03 80 01 01 a1 04 a3 02 80 00"));
        assert!(layers.is_empty());
        assert!(
            errors.iter().any(|e| e.contains("normal mode")),
            "{errors:?}"
        );
        let (layers, errors) = explain_in(Carrier::Ac, &bytes("31 05 a0 03 80 01"));
        assert!(layers.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("rts: PAccept"), "{errors:?}");
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..2000 {
            let len = usize::try_from(x % 40).unwrap();
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    u8::try_from(x & 0xff).unwrap()
                })
                .collect();
            let _ = explain(&data);
        }
    }
}
