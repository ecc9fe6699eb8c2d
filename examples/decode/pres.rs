//! The presentation mode of CN, AC, RF and AB user data, decided in one place.
//!
//! X.226 / ISO 8823 §8 defines the connection and abort PPDUs for two modes. In X.410-1984
//! mode each PPDU is, bit for bit, the X.410 (1984) RTS PDU (the x410-mode alternatives are
//! defined as compatible with X.410-1984), so the RTS layer decodes it. Normal mode carries
//! ACSE and RTSE in presentation contexts, which this decoder does not decode: such a PPDU is
//! named and shown, never reported as an error. The octets tell the modes apart:
//!
//! | carrier | X.410-1984 mode | normal mode |
//! |---|---|---|
//! | CN | `31` CP-type, mode-selector `a0 03 80 01 00` | `31` CP-type, mode-selector `a0 03 80 01 01` |
//! | AC | `31` CPA-PPDU, mode-selector 0 | `31` CPA-PPDU, mode-selector 1 |
//! | RF | `31` CPR-PPDU x400-mode-parameters (PRefuse) | `30` CPR-PPDU normal-mode-parameters |
//! | AB | `31` ARU-PPDU x400-mode-parameters (AbortInformation) | `a0` ARU-PPDU, `30` ARP-PPDU |

use x400::rts::{ApplicationProtocol, PAccept, PConnect};

use crate::ber::{self, Tlv};
use crate::p1;
use crate::report::{Layer, hex};
use crate::rts::{self, Carrier};

/// What the connection set-up said about the data that follows.
#[derive(Debug, Clone, Copy)]
pub struct Conn {
    /// The CN or AC chose normal-mode presentation: DT user data is not X.410 RTS and is left
    /// undecoded.
    pub normal_mode: bool,
    /// RTS applicationProtocol: activity data is P1 when it is 1 (1984) or 12 (1988).
    pub p1: bool,
}

impl Default for Conn {
    fn default() -> Self {
        // Without a CN in the trace, assume X.410 mode carrying P1, the usual X.400 case.
        Self {
            normal_mode: false,
            p1: true,
        }
    }
}

/// Explains the SS-user data of a CN, AC, RF or AB: the one dispatch between normal mode
/// (named, not decoded, no error) and X.410-1984 mode (the RTS PDU, and the P1 bind in its
/// `open`). A CN or AC also records the mode for the rest of the connection.
pub fn explain(carrier: Carrier, data: &[u8], conn: &mut Conn) -> (Vec<Layer>, Vec<String>) {
    if let Some(ppdu) = normal_mode_ppdu(Some(carrier), data) {
        if matches!(carrier, Carrier::Cn | Carrier::Ac) {
            conn.normal_mode = true;
        }
        return (vec![ppdu.layer(Some(carrier), data)], Vec::new());
    }
    if carrier == Carrier::Cn {
        conn.normal_mode = false;
    }
    x410_mode(carrier, data, conn)
}

/// Explains bare BER whose carrier SPDU is unknown (pasted user data): a normal-mode CP-type
/// or CPA-PPDU is named, anything else gets every RTS reading that fits.
pub fn explain_bare(data: &[u8]) -> (Vec<Layer>, Vec<String>) {
    match normal_mode_ppdu(None, data) {
        Some(ppdu) => (vec![ppdu.layer(None, data)], Vec::new()),
        None => rts::explain(data),
    }
}

/// X.410-1984 mode: the RTS PDU, and the P1 bind in the `open` of a PConnect or PAccept when
/// the applicationProtocol is P1 (`open` carries the RTS-user's data; P1's is the MTA bind).
fn x410_mode(carrier: Carrier, data: &[u8], conn: &mut Conn) -> (Vec<Layer>, Vec<String>) {
    let (mut layers, mut errors) = rts::explain_in(carrier, data);
    let open = match carrier {
        Carrier::Cn => PConnect::decode(data).ok().map(|c| {
            let p = c.application_protocol;
            conn.p1 = p == ApplicationProtocol::P1_1984 || p == ApplicationProtocol::P1_1988;
            c.connection_data
        }),
        Carrier::Ac => PAccept::decode(data).ok().map(|a| a.connection_data),
        Carrier::Rf | Carrier::Ab => None,
    };
    if let Some(bind) = open
        .as_ref()
        .and_then(|d| d.open_data())
        .filter(|_| conn.p1)
    {
        let (l, e) = p1::explain_bind(bind);
        layers.extend(l);
        errors.extend(e);
    }
    (layers, errors)
}

/// A normal-mode PPDU recognised by its outline.
struct Normal<'a> {
    /// The PPDU's name in X.226.
    name: &'static str,
    /// The mode-selector's mode-value, for the PPDUs that have one (CP-type, CPA-PPDU).
    mode_value: Option<u32>,
    /// The elements of the normal-mode parameters.
    params: Vec<Tlv<'a>>,
}

/// Recognises a normal-mode PPDU for `carrier` (`None`: not known, CN or AC assumed, as bare
/// BER is pasted user data of a connection). `None` when the octets are not one: then they are
/// X.410-1984 mode, or broken, and the RTS layer says which.
fn normal_mode_ppdu(carrier: Option<Carrier>, data: &[u8]) -> Option<Normal<'_>> {
    let top = ber::whole(data)?;
    let universal = |number| top.class == ber::UNIVERSAL && top.constructed && top.number == number;
    match carrier {
        // CP-type and CPA-PPDU are SETs whose mode-selector [0] IMPLICIT SET holds mode-value
        // [0] IMPLICIT INTEGER { x410-1984-mode(0), normal-mode(1) }; normal-mode-parameters
        // are [2] IMPLICIT SEQUENCE. A SET's elements may come in any order (X.690 §8.11).
        None | Some(Carrier::Cn | Carrier::Ac) if universal(ber::SET) => {
            let elements = ber::elements(top.contents)?;
            let selector = elements.iter().find(|e| e.is_context(0) && e.constructed)?;
            let mode_value = ber::elements(selector.contents)?
                .iter()
                .find(|e| e.is_context(0) && !e.constructed)?
                .small_uint()?;
            if mode_value != 1 {
                return None;
            }
            let params = match elements.iter().find(|e| e.is_context(2)) {
                Some(p) => ber::elements(p.contents)?,
                None => Vec::new(),
            };
            let name = match carrier {
                Some(Carrier::Cn) => "CP-type",
                Some(Carrier::Ac) => "CPA-PPDU",
                _ => "CP-type or CPA-PPDU (the carrier SPDU decides)",
            };
            Some(Normal {
                name,
                mode_value: Some(mode_value),
                params,
            })
        }
        // CPR-PPDU ::= CHOICE { x400-mode-parameters SET, normal-mode-parameters SEQUENCE }.
        Some(Carrier::Rf) if universal(ber::SEQUENCE) => Some(Normal {
            name: "CPR-PPDU",
            mode_value: None,
            params: ber::elements(top.contents)?,
        }),
        // Abort-type ::= CHOICE { ARU-PPDU, ARP-PPDU }; ARU-PPDU ::= CHOICE {
        // x400-mode-parameters SET, normal-mode-parameters [0] IMPLICIT SEQUENCE }, and
        // ARP-PPDU (provider abort) is a SEQUENCE, sent in normal mode only.
        Some(Carrier::Ab) if top.is_context(0) && top.constructed => Some(Normal {
            name: "ARU-PPDU",
            mode_value: None,
            params: ber::elements(top.contents)?,
        }),
        Some(Carrier::Ab) if universal(ber::SEQUENCE) => Some(Normal {
            name: "ARP-PPDU",
            mode_value: None,
            params: ber::elements(top.contents)?,
        }),
        _ => None,
    }
}

impl Normal<'_> {
    fn layer(&self, carrier: Option<Carrier>, wire: &[u8]) -> Layer {
        let mut l = Layer::new(
            "pres",
            format!(
                "{}, normal mode (ISO 8823): not decoded (this decoder reads X.410-1984 mode)",
                self.name
            ),
        );
        if let Some(v) = self.mode_value {
            l.field(
                "mode-value",
                v,
                "mode-selector normal-mode(1); x410-1984-mode(0) would make this the X.410 RTS PDU",
            );
        }
        let arp = self.name == "ARP-PPDU";
        let mut others = Vec::new();
        for p in &self.params {
            match (arp, p.class, p.number, p.small_uint()) {
                (true, ber::CONTEXT, 0, Some(v)) => {
                    l.field("provider-reason", v, abort_reason(v));
                }
                (true, ber::CONTEXT, 1, Some(v)) => {
                    l.field(
                        "event-identifier",
                        v,
                        "the PPDU or session event the presentation entity could not handle",
                    );
                }
                (false, ber::CONTEXT, 10, Some(v)) => {
                    l.field("provider-reason", v, provider_reason(v));
                }
                _ => others.push(format!(
                    "{} ({} octets)",
                    param_name(self.name, p),
                    p.contents.len()
                )),
            }
        }
        if !others.is_empty() {
            l.field(
                "normal-mode-parameters",
                others.join(", "),
                "present, by their X.226 names; what they carry (ACSE, RTSE) is not decoded",
            );
        }
        let carried = match carrier {
            Some(Carrier::Cn) => "CN user data",
            Some(Carrier::Ac) => "AC user data",
            Some(Carrier::Rf) => "RF user data, after the session reason code",
            Some(Carrier::Ab) => "AB user data",
            None => "bare BER",
        };
        l.field(
            "ppdu",
            hex(wire),
            format!("{} octets, {carried}", wire.len()),
        );
        l
    }
}

/// The name of a normal-mode parameter. CP-type, CPA-PPDU and CPR-PPDU number theirs alike;
/// user data is the untagged CHOICE of [APPLICATION 0] and [APPLICATION 1].
fn param_name(ppdu: &str, p: &Tlv<'_>) -> String {
    let name = match (p.class, p.number) {
        (ber::APPLICATION, 0) => "user-data: simply-encoded-data",
        (ber::APPLICATION, 1) => "user-data: fully-encoded-data",
        (ber::CONTEXT, 0) if ppdu == "ARU-PPDU" => "presentation-context-identifier-list",
        (ber::CONTEXT, 0) => "protocol-version",
        (ber::CONTEXT, 1) => "calling-presentation-selector",
        (ber::CONTEXT, 2) => "called-presentation-selector",
        (ber::CONTEXT, 3) => "responding-presentation-selector",
        (ber::CONTEXT, 4) => "presentation-context-definition-list",
        (ber::CONTEXT, 5) => "presentation-context-definition-result-list",
        (ber::CONTEXT, 6) => "default-context-name",
        (ber::CONTEXT, 7) => "default-context-result",
        (ber::CONTEXT, 8) => "presentation-requirements",
        (ber::CONTEXT, 9) => "user-session-requirements",
        (ber::CONTEXT, 10) => "provider-reason",
        (ber::CONTEXT, 11) => "protocol-options",
        (ber::CONTEXT, 12) => "initiators-nominated-context",
        (ber::CONTEXT, 13) => "responders-nominated-context",
        (ber::CONTEXT, 14) => "extensions",
        (class, number) => {
            let class = match class {
                ber::Class::Universal => "UNIVERSAL ",
                ber::Class::Application => "APPLICATION ",
                ber::Class::Context => "",
                ber::Class::Private => "PRIVATE ",
            };
            return format!("[{class}{number}]");
        }
    };
    name.to_string()
}

/// CPR-PPDU Provider-reason (X.226 §8).
fn provider_reason(v: u32) -> &'static str {
    match v {
        0 => "reason-not-specified",
        1 => "temporary-congestion",
        2 => "local-limit-exceeded",
        3 => "called-presentation-address-unknown",
        4 => "protocol-version-not-supported",
        5 => "default-context-not-supported",
        6 => "user-data-not-readable",
        7 => "no-PSAP-available",
        _ => "a reason X.226 does not define",
    }
}

/// ARP-PPDU Abort-reason (X.226 §8).
fn abort_reason(v: u32) -> &'static str {
    match v {
        0 => "reason-not-specified",
        1 => "unrecognized-ppdu",
        2 => "unexpected-ppdu",
        3 => "unexpected-session-service-primitive",
        4 => "unrecognized-ppdu-parameter",
        5 => "unexpected-ppdu-parameter",
        6 => "invalid-ppdu-parameter-value",
        _ => "a reason X.226 does not define",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(h: &str) -> Vec<u8> {
        crate::input::parse_hex(h).unwrap()
    }

    fn run(carrier: Carrier, h: &str) -> (Vec<Layer>, Vec<String>, Conn) {
        let mut conn = Conn::default();
        let (layers, errors) = explain(carrier, &bytes(h), &mut conn);
        (layers, errors, conn)
    }

    #[test]
    fn mode_selector_decides_cn_and_ac_in_any_element_order() {
        // Normal-mode CPA-PPDU with its elements in reverse order (allowed in a SET).
        let (layers, errors, conn) = run(Carrier::Ac, "31 0b a2 04 a5 02 30 00 a0 03 80 01 01");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(conn.normal_mode);
        assert!(layers[0].summary.starts_with("CPA-PPDU, normal mode"));
        assert_eq!(
            layers[0].fields[1].value,
            "presentation-context-definition-result-list (2 octets)"
        );
        // The same with indefinite lengths, as Isode sends them.
        let (layers, errors, _) = run(
            Carrier::Cn,
            "31 80 a0 80 80 01 01 00 00 a2 80 a4 80 30 00 00 00 00 00 00 00",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert!(layers[0].summary.starts_with("CP-type, normal mode"));
    }

    #[test]
    fn provider_and_abort_reasons_are_named() {
        let (layers, errors, _) = run(Carrier::Rf, "30 03 8a 01 01");
        assert!(errors.is_empty());
        assert_eq!(layers[0].fields[0].note, "temporary-congestion");
        let (layers, errors, conn) = run(Carrier::Ab, "30 06 80 01 06 81 01 07");
        assert!(errors.is_empty());
        assert!(!conn.normal_mode, "an abort does not set the mode");
        assert_eq!(layers[0].fields[0].note, "invalid-ppdu-parameter-value");
        assert_eq!(layers[0].fields[1].name, "event-identifier");
    }

    #[test]
    fn other_mode_values_and_broken_ppdus_go_to_rts() {
        // mode-value 2 is neither mode: the RTS layer reports it.
        let (layers, errors, _) = run(Carrier::Cn, "31 05 a0 03 80 01 02");
        assert!(layers.is_empty());
        assert!(errors[0].starts_with("rts: PConnect"), "{errors:?}");
        // A SEQUENCE in a CN, or a normal-mode CP-type cut short, is not taken for normal mode.
        for h in ["30 03 80 01 01", "31 07 a0 03 80 01 01 a2"] {
            let (layers, errors, _) = run(Carrier::Cn, h);
            assert!(layers.is_empty(), "{h}");
            assert_eq!(errors.len(), 1, "{h}");
        }
    }

    #[test]
    fn an_x410_cn_after_a_normal_one_resets_the_mode() {
        let mut conn = Conn {
            normal_mode: true,
            p1: true,
        };
        let pconnect = bytes("31 10 a0 03 80 01 00 a1 09 a3 04 a0 02 80 00 84 01 01");
        let (layers, errors) = explain(Carrier::Cn, &pconnect, &mut conn);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(layers[0].summary.starts_with("PConnect"));
        assert!(!conn.normal_mode);
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for n in 0..4000 {
            let len = usize::try_from(x % 48).unwrap();
            let mut data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    u8::try_from(x & 0xff).unwrap()
                })
                .collect();
            // Half the time a plausible start, so the walk goes deeper.
            if n % 2 == 0 && data.len() > 7 {
                data[..7].copy_from_slice(&[0x31, 0x80, 0xa0, 0x03, 0x80, 0x01, 0x01]);
            }
            for carrier in [Carrier::Cn, Carrier::Ac, Carrier::Rf, Carrier::Ab] {
                let _ = explain(carrier, &data, &mut Conn::default());
            }
            let _ = explain_bare(&data);
        }
    }
}
