//! The transport layer: ISO 8073 / X.224 TPDUs (clause 13), every field named.

use x400::transport::{ClassOption, Format, Param, ParamCode, Params, Tpdu, TpduSize, checksum};

use crate::report::{Layer, hex};

/// Layers, errors, and the DT user data with its EOT flag (true on the last DT of a TSDU).
pub type Explained = (Vec<Layer>, Vec<String>, Option<(Vec<u8>, bool)>);

/// Explains the TPDUs of one NSDU (one TPKT payload). Returns one layer per TPDU (an NSDU
/// may concatenate several, X.224 6.4), the errors, and the DT user data for the session
/// layer.
pub fn explain(data: &[u8]) -> Explained {
    let mut layers = Vec::new();
    let mut errors = Vec::new();
    let mut payload = None;
    let mut rest = data;
    while !rest.is_empty() {
        match Tpdu::decode(rest) {
            Ok((t, used)) => {
                let wire = rest.get(..used).unwrap_or_default();
                layers.push(layer(&t, wire, &mut errors));
                if let Tpdu::Dt(d) = t {
                    payload = Some((d.data.to_vec(), d.eot));
                }
                rest = rest.get(used..).unwrap_or_default();
            }
            Err(e) => {
                let at = e
                    .at()
                    .map(|a| format!(" (header octet {a})"))
                    .unwrap_or_default();
                errors.push(format!(
                    "cotp: {e}{at}; octets {}",
                    hex(rest.get(..24).unwrap_or(rest))
                ));
                break;
            }
        }
    }
    (layers, errors, payload)
}

fn summary(t: &Tpdu<'_>) -> String {
    match t {
        Tpdu::Cr(c) => format!("CR connection request, class {} preferred", c.class.class()),
        Tpdu::Cc(c) => format!("CC connection confirm, class {} selected", c.class.class()),
        Tpdu::Dr(d) => format!(
            "DR disconnect request: {}",
            d.reason.name().unwrap_or("reason not defined by X.224")
        ),
        Tpdu::Dc(_) => "DC disconnect confirm".into(),
        Tpdu::Dt(d) => format!(
            "DT data, {} octets{}",
            d.data.len(),
            if d.eot {
                ", end of TSDU"
            } else {
                ", more follows"
            }
        ),
        Tpdu::Ed(e) => format!("ED expedited data, {} octets", e.data.len()),
        Tpdu::Ak(a) => format!("AK data acknowledgement, next expected {}", a.nr),
        Tpdu::Ea(e) => format!("EA expedited acknowledgement of {}", e.nr),
        Tpdu::Rj(r) => format!("RJ reject, resend from {}", r.nr),
        Tpdu::Er(e) => format!(
            "ER TPDU error: {}",
            e.cause.name().unwrap_or("cause not defined by X.224")
        ),
        _ => t.name().into(),
    }
}

fn layer(t: &Tpdu<'_>, wire: &[u8], errors: &mut Vec<String>) -> Layer {
    let mut l = Layer::new("cotp", summary(t));
    let li = wire.first().copied().unwrap_or(0);
    l.field(
        "li",
        li,
        format!("length indicator: {li} header octets follow, user data excluded; 255 is reserved (X.224 13.2.1)"),
    );
    let code = wire.get(1).copied().unwrap_or(0);
    l.field("code", format!("{code:#04x}"), code_note(t, code));
    match t {
        Tpdu::Cr(c) | Tpdu::Cc(c) => {
            let cr = matches!(t, Tpdu::Cr(_));
            l.field(
                "cdt",
                c.cdt,
                "initial credit, low nibble of the code; 0 in classes 0 and 1 (13.3.3 b)",
            );
            l.field(
                "dst_ref",
                format!("{:#06x}", c.dst_ref),
                if cr {
                    "0 in a CR (13.3.3 c)"
                } else {
                    "the initiator's SRC-REF, echoed (13.4.3 c)"
                },
            );
            l.field(
                "src_ref",
                format!("{:#06x}", c.src_ref),
                if c.src_ref == 0 {
                    "sender's reference; 0 is forbidden by X.224 6.5.4 but sent by S7 peers"
                } else {
                    "sender's reference for this connection"
                },
            );
            l.field(
                "class",
                format!("{:#04x}", c.class.0),
                class_note(c.class, cr),
            );
            params(&mut l, &c.params, !cr, errors);
            if !c.data.is_empty() {
                l.field(
                    "user_data",
                    hex(c.data),
                    "connect user data: forbidden in ISO class 0, allowed by RFC 1006 §5 over TCP",
                );
            }
        }
        Tpdu::Dr(d) => {
            l.field(
                "dst_ref",
                format!("{:#06x}", d.dst_ref),
                "the peer's reference",
            );
            l.field(
                "src_ref",
                format!("{:#06x}", d.src_ref),
                "sender's reference; 0 when refusing a CR (13.5.3 d)",
            );
            l.field(
                "reason",
                format!("{:#04x}", d.reason.0),
                d.reason.name().unwrap_or("not defined by X.224 13.5.3 e"),
            );
            params(&mut l, &d.params, false, errors);
            if !d.data.is_empty() {
                l.field(
                    "user_data",
                    hex(d.data),
                    "DR user data (at most 64 octets, none in class 0). python-snap7's DR carries one stray octet here; we accept and ignore it",
                );
            }
        }
        Tpdu::Dc(d) => {
            l.field(
                "dst_ref",
                format!("{:#06x}", d.dst_ref),
                "the DR sender's SRC-REF",
            );
            l.field("src_ref", format!("{:#06x}", d.src_ref), "the DR's DST-REF");
            params(&mut l, &d.params, false, errors);
        }
        Tpdu::Dt(d) => {
            l.field("format", format!("{:?}", d.format), format_note(d.format));
            if d.format != Format::Short {
                l.field(
                    "dst_ref",
                    format!("{:#06x}", d.dst_ref),
                    "the receiver's reference",
                );
            }
            l.field(
                "roa",
                d.roa,
                "request of acknowledgement (code 0xF1), classes 1, 3, 4 if agreed",
            );
            l.field(
                "eot",
                d.eot,
                "end of TSDU: the last DT of a TSDU has EOT = 1 (13.7.3)",
            );
            l.field(
                "tpdu_nr",
                d.nr,
                if d.format == Format::Short {
                    "send sequence number; always 0 in class 0 (RFC 2126 §6.5)"
                } else {
                    "send sequence number"
                },
            );
            params(&mut l, &d.params, false, errors);
            l.field(
                "user_data",
                hex(d.data),
                format!(
                    "{} octets of TSDU, handed to the session layer",
                    d.data.len()
                ),
            );
        }
        Tpdu::Ed(e) => {
            l.field("format", format!("{:?}", e.format), format_note(e.format));
            if e.format != Format::Short {
                l.field(
                    "dst_ref",
                    format!("{:#06x}", e.dst_ref),
                    "the receiver's reference",
                );
            }
            l.field(
                "eot",
                e.eot,
                "always 1: an expedited unit is never segmented (13.8.3)",
            );
            l.field("ed_tpdu_nr", e.nr, "expedited sequence number");
            params(&mut l, &e.params, false, errors);
            l.field(
                "user_data",
                hex(e.data),
                "1 to 16 octets of expedited data (6.11)",
            );
        }
        Tpdu::Ak(a) => {
            l.field(
                "format",
                if a.extended { "extended" } else { "normal" },
                "odd LI: extended, even: normal (13.7.4 NOTE)",
            );
            l.field(
                "dst_ref",
                format!("{:#06x}", a.dst_ref),
                "the receiver's reference",
            );
            l.field(
                "yr_tu_nr",
                a.nr,
                "next TPDU-NR expected: everything below is acknowledged",
            );
            l.field(
                "cdt",
                a.cdt,
                "credit: how many DTs from yr_tu_nr on may be sent",
            );
            params(&mut l, &a.params, false, errors);
        }
        Tpdu::Ea(e) => {
            l.field(
                "format",
                if e.extended { "extended" } else { "normal" },
                "odd LI: extended, even: normal",
            );
            l.field(
                "dst_ref",
                format!("{:#06x}", e.dst_ref),
                "the receiver's reference",
            );
            l.field("yr_edtu_nr", e.nr, "ED-TPDU-NR of the ED acknowledged");
            params(&mut l, &e.params, false, errors);
        }
        Tpdu::Rj(r) => {
            l.field(
                "format",
                if r.extended { "extended" } else { "normal" },
                "LI 4: normal, LI 9: extended",
            );
            l.field(
                "dst_ref",
                format!("{:#06x}", r.dst_ref),
                "the receiver's reference",
            );
            l.field(
                "yr_tu_nr",
                r.nr,
                "retransmit from this TPDU-NR (classes 1 and 3)",
            );
            l.field("cdt", r.cdt, "credit");
        }
        Tpdu::Er(e) => {
            l.field(
                "dst_ref",
                format!("{:#06x}", e.dst_ref),
                "the peer's reference",
            );
            l.field(
                "cause",
                format!("{:#04x}", e.cause.0),
                e.cause.name().unwrap_or("not defined by X.224 13.12.3"),
            );
            params(&mut l, &e.params, false, errors);
            if e.invalid_tpdu().is_none() {
                l.field(
                    "invalid_tpdu",
                    "absent",
                    "parameter C1 is mandatory in class 0 (13.12.4); ISODE omits it",
                );
            }
        }
        _ => {}
    }
    if t.params()
        .raw_iter()
        .any(|(c, _, _)| c == ParamCode::CHECKSUM.0)
    {
        let ok = checksum::verify(wire);
        l.field(
            "checksum_check",
            if ok { "ok" } else { "bad" },
            "Annex D.4: the sums C0 and C1 over the whole TPDU are 0 mod 255",
        );
        if !ok {
            errors.push("cotp: checksum does not verify (X.224 Annex D.4)".into());
        }
    }
    l
}

fn code_note(t: &Tpdu<'_>, code: u8) -> String {
    let name = match t {
        Tpdu::Cr(_) => "1110 xxxx: CR",
        Tpdu::Cc(_) => "1101 xxxx: CC",
        Tpdu::Dr(_) => "1000 0000: DR",
        Tpdu::Dc(_) => "1100 0000: DC",
        Tpdu::Dt(_) => "1111 000y: DT",
        Tpdu::Ed(_) => "0001 0000: ED",
        Tpdu::Ak(_) => "0110 zzzz: AK",
        Tpdu::Ea(_) => "0010 0000: EA",
        Tpdu::Rj(_) => "0101 zzzz: RJ",
        Tpdu::Er(_) => "0111 0000: ER",
        _ => "",
    };
    format!("{name} (X.224 Table 8), octet {code:08b}")
}

fn class_note(c: ClassOption, cr: bool) -> String {
    let role = if cr { "preferred" } else { "selected" };
    let mut s = format!("class {} {role}", c.class());
    if c.class() > 4 {
        s.push_str(" (undefined: only 0 to 4 exist)");
    }
    if c.class() >= 2 {
        s.push_str(if c.extended() {
            ", extended formats"
        } else {
            ", normal formats"
        });
        if c.no_explicit_flow_control() {
            s.push_str(", no explicit flow control");
        }
    } else if c.0 & 0x0f != 0 {
        s.push_str("; option bits are not meaningful for this class");
    }
    s.push_str(" (13.3.3 e)");
    s
}

fn format_note(f: Format) -> &'static str {
    match f {
        Format::Short => "classes 0 and 1: LI 2, no DST-REF, 7-bit number (13.7.3)",
        Format::Normal => "normal format: even LI, 7-bit number (13.7.4 NOTE)",
        Format::Extended => "extended format: odd LI, 31-bit number (13.7.4 NOTE)",
    }
}

fn size_note(s: TpduSize) -> String {
    match s.octets() {
        Some(n) if s.is_iso() && s.0 <= 0x0b => {
            format!("{n} octets (ISO; class 0 allows up to 2048)")
        }
        Some(n) if s.is_iso() => {
            format!("{n} octets (ISO, above the class 0 maximum of 2048; common over RFC 1006)")
        }
        Some(n) => {
            format!("{n} octets (not an ISO code; sent by some RFC 1006 peers, transport.md §1.6)")
        }
        None => {
            "no defined size: a protocol error (valid codes 0x07..0x0d, RFC 1006 peers 0x0e..0x10)"
                .into()
        }
    }
}

/// One field per parameter, in wire order, each named and explained.
fn params(l: &mut Layer, params: &Params<'_>, cc: bool, errors: &mut Vec<String>) {
    for (i, p) in params.iter().enumerate() {
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                errors.push(format!("cotp: {e}"));
                continue;
            }
        };
        let code = p.code().0;
        // Names are stable JSON keys; a repeated parameter (the last one counts, 13.2.3)
        // gets its position appended.
        let taken: Vec<String> = l.fields.iter().map(|f| f.name.clone()).collect();
        let key = |n: &str| {
            if taken.iter().any(|t| t == n) {
                format!("{n}_{i}")
            } else {
                n.to_string()
            }
        };
        let before = l.fields.len();
        match p {
            Param::TpduSize(s) => {
                l.field(key("tpdu_size"), format!("{:#04x}", s.0), size_note(s));
            }
            Param::CallingTsel(v) => {
                l.field(
                    key("calling_tsel"),
                    hex(v),
                    format!("calling transport selector{}", printable(v)),
                );
            }
            Param::CalledTsel(v) if cc => {
                l.field(
                    key("responding_tsel"),
                    hex(v),
                    format!("responding transport selector{}", printable(v)),
                );
            }
            Param::CalledTsel(v) => {
                l.field(
                    key("called_tsel"),
                    hex(v),
                    format!("called transport selector{}", printable(v)),
                );
            }
            Param::InvalidTpdu(v) => {
                l.field(
                    key("invalid_tpdu"),
                    hex(v),
                    "the rejected header up to the offending octet (13.12.4)",
                );
            }
            Param::Checksum([x, y]) => {
                l.field(
                    key("checksum"),
                    format!("{x:02x} {y:02x}"),
                    "X and Y of the class 4 checksum (Annex D)",
                );
            }
            Param::Version(v) => {
                l.field(key("version"), v, "protocol version, 1 defined (13.3.4 d)");
            }
            Param::AdditionalOptions(o) => {
                l.field(
                    key("additional_options"),
                    format!("{:#04x}", o.0),
                    format!(
                        "transport expedited {}, checksum {} (class 4) (13.3.4 g)",
                        if o.has(0x01) {
                            "requested"
                        } else {
                            "not requested"
                        },
                        if o.has(0x02) { "not used" } else { "used" }
                    ),
                );
            }
            Param::AlternativeClasses(v) => {
                let list: Vec<String> = v.iter().map(|c| format!("class {}", c >> 4)).collect();
                l.field(
                    key("alternative_classes"),
                    hex(v),
                    format!("alternatives offered: {}", list.join(", ")),
                );
            }
            Param::PreferredMaxTpduSize(u) => {
                l.field(
                    key("preferred_max_tpdu_size"),
                    u.value(),
                    format!(
                        "{} octets (units of 128, 13.3.4 c)",
                        u64::from(u.value()) * 128
                    ),
                );
            }
            Param::AckTime(v) => {
                l.field(
                    key("ack_time"),
                    v,
                    "acknowledgement time AL in ms (class 4)",
                );
            }
            Param::InactivityTimer(v) => {
                l.field(
                    key("inactivity_timer"),
                    v,
                    "inactivity time IL in ms (class 4)",
                );
            }
            Param::AdditionalInfo(v) => {
                l.field(
                    key("additional_info"),
                    hex(v),
                    "additional clearing information (DR)",
                );
            }
            Param::SubsequenceNumber(v) => {
                l.field(key("subsequence"), v, "AK subsequence number (class 4)");
            }
            Param::FlowControlConfirmation {
                lower_window_edge,
                subsequence,
                credit,
            } => {
                l.field(
                    key("flow_control_confirmation"),
                    format!("{lower_window_edge}/{subsequence}/{credit}"),
                    "lower window edge / your subsequence / your credit (12.2.3.9)",
                );
            }
            Param::Unknown { code, value } => {
                l.field(
                    key("unknown"),
                    hex(value),
                    format!("parameter code {:#04x} is not defined by X.224: kept verbatim; ignored in a CR (13.2.3)", code.0),
                );
            }
            other => {
                l.field(
                    key("value"),
                    format!("{other:?}"),
                    p.code().name().unwrap_or("parameter").to_string(),
                );
            }
        }
        if let Some(f) = l.fields.get_mut(before..).and_then(|f| f.first_mut()) {
            f.note = format!("parameter {code:#04x}: {}", f.note);
        }
    }
}

/// A selector as text when it is printable ASCII, as many X.400 peers use.
fn printable(v: &[u8]) -> String {
    if !v.is_empty() && v.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!(" (\"{}\")", String::from_utf8_lossy(v))
    } else if v.is_empty() {
        " (empty: nil selector)".into()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(l: &'a Layer, name: &str) -> &'a crate::report::Field {
        l.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    #[test]
    fn libiec61850_cr_field_by_field() {
        let cr = crate::input::parse_hex("11e00000000100c0010dc2020001c1020001").unwrap();
        let (layers, errors, payload) = explain(&cr);
        assert!(errors.is_empty() && payload.is_none());
        let l = &layers[0];
        assert!(l.summary.starts_with("CR connection request, class 0"));
        assert_eq!(field(l, "src_ref").value, "0x0001");
        assert_eq!(field(l, "tpdu_size").value, "0x0d");
        assert!(field(l, "tpdu_size").note.contains("8192"));
        assert_eq!(field(l, "calling_tsel").value, "00 01");
    }

    #[test]
    fn dt_payload_goes_up_and_errors_are_reported() {
        let (_, errors, payload) = explain(&[0x02, 0xf0, 0x80, 0x01, 0x00]);
        assert!(errors.is_empty());
        assert_eq!(payload, Some((vec![0x01, 0x00], true)));
        let (_, errors, _) = explain(&[0xff, 0xf0, 0x80]);
        assert!(errors[0].contains("reserved"));
    }
}
