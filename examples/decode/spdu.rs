//! The session layer (ISO 8327-1 / X.225): every SPDU of a TSDU and every parameter, in
//! plain words.

use x400::session::{
    self, Category, ConnectAccept, ConnectionId, Context, Enclosure, Error, Kind, Linking, Params,
    Reason, Requirements, SerialNumber, Si42, Spdu, SyncType, TokenItem, TokenPosition,
    TokenSetting, TransportDisconnect, Tsdu, Unknown, Version,
};

use crate::report::{Layer, hex};

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
                .find_map(|s| payload(s).map(|p| (s.kind, p.to_vec())));
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
    if s.kind.has_user_info() && !s.user_info.is_empty() {
        return Some(s.user_info);
    }
    s.params.user_data.or(s.params.extended_user_data).or(s
        .params
        .reason
        .filter(|r| !r.data.is_empty())
        .map(|r| r.data))
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
    let k = s.kind;
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
    params(&mut l, k, &s.params);
    if k.has_user_info() {
        l.field(
            "user_information",
            hex(s.user_info),
            format!(
                "{} octets of SS-user data after the parameters, running to the end of the TSDU (X.225 §8.2.5)",
                s.user_info.len()
            ),
        );
    }
    l
}

fn opt_hex(b: &[u8]) -> String {
    if b.is_empty() {
        "(empty)".to_string()
    } else {
        hex(b)
    }
}

fn params(l: &mut Layer, k: Kind, p: &Params<'_>) {
    if *p == Params::NONE {
        l.field(
            "parameters",
            "none",
            "no parameters: every parameter takes its default (X.225 §8.2.5)",
        );
    }
    if let Some(c) = &p.connection_id {
        connection_id(l, c);
    }
    if let Some(c) = &p.connect_accept {
        connect_accept(l, k, c);
    } else if matches!(k, Kind::Connect | Kind::Accept) {
        l.field(
            "connect_accept",
            "absent",
            "PGI 5 absent: defaults apply (version 1, no extended concatenation, tokens at the initiator)",
        );
    }
    if let Some(t) = p.sync_type {
        sync_type(l, k, t);
    }
    if let Some(t) = p.token_item {
        token_item(l, k, t);
    }
    if let Some(t) = p.transport_disconnect {
        transport_disconnect(l, k, t);
    } else if matches!(k, Kind::Finish | Kind::Refuse) {
        l.field(
            "transport_disconnect",
            "absent",
            "PI 17 absent: the transport connection is released",
        );
    }
    match p.requirements {
        Some(r) => requirements(l, r, "PI 20"),
        None if matches!(k, Kind::Connect | Kind::Accept) => {
            requirements(l, Requirements::DEFAULT, "PI 20 absent, default")
        }
        None => {}
    }
    if let Some(t) = p.tsdu_max_size {
        l.field(
            "tsdu_max_size",
            format!("{}/{}", t.initiator_to_responder, t.responder_to_initiator),
            "PI 21: largest TSDU initiator->responder / responder->initiator; 0 = unlimited",
        );
    }
    if let Some(v) = p.version {
        version(l, "version", v);
    }
    if let Some(t) = p.prepare_type {
        l.field(
            "prepare_type",
            t as u8,
            format!(
                "PI 24: prepare for {:?} (the SPDU that follows on the normal flow)",
                t
            ),
        );
    }
    if let Some(e) = p.enclosure {
        enclosure(l, e);
    }
    if let Some(t) = p.token_setting {
        token_setting(
            l,
            "token_setting",
            t,
            "PI 26 (RS/RA): requestor",
            "acceptor",
            "accepting SS-user's choice",
        );
    }
    if let Some(t) = p.resync_type {
        l.field(
            "resync_type",
            t as u8,
            format!("PI 27: resynchronize {}", format!("{t:?}").to_lowercase()),
        );
    }
    if let Some(g) = &p.linking {
        linking(l, g);
    }
    if let Some(a) = p.activity_id {
        l.field(
            "activity_id",
            hex(a),
            "PI 41: activity identifier, opaque to the session (X.410 RTS via ISODE puts a BER INTEGER here)",
        );
    }
    if let Some(sn) = p.serial {
        serial(l, "serial_number", "PI 42", sn);
    }
    if let Some(r) = p.reflect {
        l.field(
            "reflect",
            opt_hex(r),
            "PI 49: the octets of the faulty SPDU up to the error (reflect parameter values)",
        );
    }
    if let Some(r) = p.reason {
        reason(l, k, r);
    }
    if let Some(s) = p.calling_ssel {
        l.field(
            "calling_ssel",
            opt_hex(s),
            "PI 51: calling session selector, an opaque octet string (00 01 differs from 01)",
        );
    }
    if let Some(s) = p.called_ssel {
        let which = if k == Kind::Accept {
            "responding"
        } else {
            "called"
        };
        l.field(
            "called_ssel",
            opt_hex(s),
            format!("PI 52: {which} session selector, an opaque octet string"),
        );
    }
    if let Some(t) = p.second_resync_type {
        l.field(
            "second_resync_type",
            t as u8,
            "PI 53: resync type for the second (symmetric) numbering",
        );
    }
    if let Some(sn) = p.second_serial {
        serial(
            l,
            "second_serial_number",
            "PI 54 (symmetric synchronize)",
            sn,
        );
    }
    if let Some(d) = p.data_overflow {
        l.field(
            "data_overflow",
            format!("{:#04x}", d.0),
            "PI 60: more than 10 240 octets of connect data follow in CDO SPDUs (version 2)",
        );
    }
    if let Some(u) = p.user_data {
        let code = if k == Kind::MinorSyncAck {
            "PI 46 (MIA user data)"
        } else {
            "PGI 193"
        };
        let limit = match k {
            Kind::Connect => "; at most 512 octets in CN",
            Kind::Abort => "; at most 9 octets under version 1",
            _ => "",
        };
        l.field(
            "user_data",
            hex(u),
            format!("{code}: {} octets of SS-user data{limit}", u.len()),
        );
    }
    if let Some(u) = p.extended_user_data {
        l.field(
            "extended_user_data",
            hex(u),
            format!(
                "PGI 194: {} octets of connect data (513 to 10 240, version 2 only)",
                u.len()
            ),
        );
    }
    unknown(l, "unknown", &p.unknown);
}

fn unknown(l: &mut Layer, name: &str, u: &Unknown<'_>) {
    for unit in u.iter() {
        l.field(
            format!("{name}.{}", unit.code.0),
            opt_hex(unit.value),
            "a code X.225 does not define: valid and ignored (X.225 §8.2.6), kept and re-sent verbatim",
        );
    }
}

fn connection_id(l: &mut Layer, c: &ConnectionId<'_>) {
    l.field(
        "connection_id",
        "present",
        "PGI 1: connection identifier; references are opaque octets",
    );
    refs(
        l,
        "connection_id",
        c.called_ref,
        c.calling_ref,
        c.common_ref,
        c.additional_ref,
    );
    unknown(l, "connection_id.unknown", &c.unknown);
}

fn refs(
    l: &mut Layer,
    g: &str,
    called: Option<&[u8]>,
    calling: Option<&[u8]>,
    common: Option<&[u8]>,
    add: Option<&[u8]>,
) {
    for (name, v, note) in [
        (
            "called_ref",
            called,
            "PI 9: called SS-user reference (at most 64 octets)",
        ),
        (
            "calling_ref",
            calling,
            "PI 10: calling SS-user reference (at most 64 octets)",
        ),
        (
            "common_ref",
            common,
            "PI 11: common reference (at most 64 octets; ISODE sends a UTCTime)",
        ),
        (
            "additional_ref",
            add,
            "PI 12: additional reference information (at most 4 octets)",
        ),
    ] {
        if let Some(v) = v {
            let printable = v.iter().all(|b| (0x20..0x7f).contains(b));
            let note = if printable && !v.is_empty() {
                format!("{note}; as text: \"{}\"", String::from_utf8_lossy(v))
            } else {
                note.to_string()
            };
            l.field(format!("{g}.{name}"), opt_hex(v), note);
        }
    }
}

fn connect_accept(l: &mut Layer, k: Kind, c: &ConnectAccept<'_>) {
    l.field("connect_accept", "present", "PGI 5: connect/accept item");
    let ext = if c.protocol_options.contains(1) {
        "able to receive extended concatenated SPDUs"
    } else {
        "not able to receive extended concatenation"
    };
    l.field(
        "connect_accept.protocol_options",
        format!("{:#04x}", c.protocol_options.0),
        format!("PI 19: {ext}"),
    );
    if let Some(t) = c.tsdu_max_size {
        l.field(
            "connect_accept.tsdu_max_size",
            format!("{}/{}", t.initiator_to_responder, t.responder_to_initiator),
            "PI 21: largest TSDU initiator->responder / responder->initiator; 0 = unlimited; a 0 or absent value \
             from either side wins",
        );
    }
    version(l, "connect_accept.version", c.version);
    let chosen = if k == Kind::Connect {
        "proposed by the initiator"
    } else {
        "selected by the responder"
    };
    if let Some(f) = l.fields.last_mut() {
        f.note.push_str(&format!(", {chosen}"));
    }
    if k == Kind::Accept && c.version.0 == 3 {
        l.field(
            "connect_accept.version_note",
            "",
            "an AC should select one version; ISODE sends a single bit",
        );
    }
    if let Some(s) = c.initial_serial {
        serial(
            l,
            "connect_accept.initial_serial",
            "PI 23: initial serial number",
            s,
        );
    }
    if let Some(t) = c.token_setting {
        token_setting(
            l,
            "connect_accept.token_setting",
            t,
            "PI 26: initiator",
            "responder",
            "called SS-user's choice",
        );
    }
    if let Some(s) = c.second_initial_serial {
        serial(
            l,
            "connect_accept.second_initial_serial",
            "PI 55: second initial serial number",
            s,
        );
    }
    if let Some(n) = c.upper_limit_serial {
        l.field(
            "connect_accept.upper_limit_serial",
            n,
            format!("PI 56: serial numbers have at most {n} digits (0 = unlimited; default 6)"),
        );
    }
    if let Some(s) = c.large_initial_serial {
        serial(
            l,
            "connect_accept.large_initial_serial",
            "PI 57: large initial serial number",
            s,
        );
    }
    if let Some(s) = c.large_second_initial_serial {
        serial(
            l,
            "connect_accept.large_second_initial_serial",
            "PI 58: large second initial serial number",
            s,
        );
    }
    unknown(l, "connect_accept.unknown", &c.unknown);
}

fn linking(l: &mut Layer, g: &Linking<'_>) {
    l.field(
        "linking",
        "present",
        "PGI 33: linking information, the interrupted activity to resume",
    );
    refs(
        l,
        "linking",
        g.called_ref,
        g.calling_ref,
        g.common_ref,
        g.additional_ref,
    );
    l.field(
        "linking.old_activity_id",
        hex(g.old_activity_id),
        "PI 41 inside PGI 33: the old activity identifier",
    );
    serial(
        l,
        "linking.serial_number",
        "PI 42 inside PGI 33: the next serial number to use, minus one",
        g.serial,
    );
    if let Some(s) = g.second_serial {
        serial(l, "linking.second_serial_number", "PI 54 inside PGI 33", s);
    }
    unknown(l, "linking.unknown", &g.unknown);
}

fn serial(l: &mut Layer, name: &str, what: &str, s: SerialNumber) {
    l.field(
        name,
        s.value(),
        format!("{what}: \"{s}\" in ASCII digits ({} digit(s))", s.digits()),
    );
}

fn requirements(l: &mut Layer, r: Requirements, what: &str) {
    let names: Vec<&str> = r.names().collect();
    let mut note = format!(
        "{what}: session user requirements: {}",
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    );
    if r.reserved_bits() != 0 {
        note.push_str(&format!(
            "; reserved bits {:#06x} ignored",
            r.reserved_bits()
        ));
    }
    if r == Requirements::X410 {
        note.push_str(" (exactly what X.410 RTS needs)");
    }
    l.field("requirements", format!("{:#06x}", r.0), note);
}

fn version(l: &mut Layer, name: &str, v: Version) {
    let names: Vec<&str> = v.names().collect();
    let list = if names.is_empty() {
        "no version".to_string()
    } else {
        names.join(" and ")
    };
    l.field(
        name,
        format!("{:#04x}", v.0),
        format!("PI 22: protocol {list}"),
    );
}

fn enclosure(l: &mut Layer, e: Enclosure) {
    let what = match (e.contains(Enclosure::BEGIN), e.contains(Enclosure::END)) {
        (true, true) => "a complete SSDU",
        (true, false) => "the first segment of an SSDU",
        (false, false) => "a middle segment of an SSDU",
        (false, true) => "the last segment of an SSDU",
    };
    l.field(
        "enclosure",
        format!("{:#04x}", e.0),
        format!("PI 25: {what}"),
    );
}

fn sync_type(l: &mut Layer, k: Kind, t: SyncType) {
    let bit1 = t.contains(SyncType::NO_CONFIRM_OR_NOT_END);
    let mut note = match (k, bit1) {
        (Kind::MajorSyncPoint, _) => "PI 15: not the end of an activity (bit 1)".to_string(),
        (Kind::ActivityEnd, _) => {
            "PI 15 with bit 1 clear: this SI 41 SPDU is ACTIVITY END".to_string()
        }
        (_, true) => "PI 15: explicit confirmation not required".to_string(),
        (_, false) => "PI 15: explicit confirmation required".to_string(),
    };
    if t.contains(SyncType::DATA_SEPARATION) {
        note.push_str("; data separation required");
    }
    l.field("sync_type", format!("{:#04x}", t.0), note);
}

fn token_item(l: &mut Layer, k: Kind, t: TokenItem) {
    let names: Vec<&str> = t.names().collect();
    let verb = match k {
        Kind::GiveTokens => "gives",
        Kind::PleaseTokens => "asks for",
        _ => "asks for (AC with PI 16 acts as AC then PT)",
    };
    l.field(
        "token_item",
        format!("{:#04x}", t.0),
        format!(
            "PI 16: {verb} {}",
            if names.is_empty() {
                "no token".into()
            } else {
                names.join(", ")
            }
        ),
    );
}

fn token_setting(
    l: &mut Layer,
    name: &str,
    t: TokenSetting,
    side0: &str,
    side1: &str,
    choice: &str,
) {
    let (what, side0) = side0.split_once(": ").unwrap_or(("PI 26", side0));
    let pos = |p: TokenPosition| match p {
        TokenPosition::Initiator => side0,
        TokenPosition::Responder => side1,
        TokenPosition::UsersChoice => choice,
        TokenPosition::Reserved => "reserved",
    };
    l.field(
        name,
        format!("{:#04x}", t.0),
        format!(
            "{what}: data token {}, minor sync token {}, major/activity token {}, release token {}",
            pos(t.data()),
            pos(t.minor_sync()),
            pos(t.major_activity()),
            pos(t.release())
        ),
    );
}

fn transport_disconnect(l: &mut Layer, k: Kind, t: TransportDisconnect) {
    let mut parts = vec![if t.contains(TransportDisconnect::RELEASE) {
        "release the transport connection"
    } else {
        "keep the transport connection for reuse"
    }];
    if k == Kind::Abort {
        for (bit, text) in TransportDisconnect::BITS.iter().skip(1) {
            if t.contains(*bit) {
                parts.push(text);
            }
        }
        parts.push(if t.contains(TransportDisconnect::USER_ABORT) {
            "reported as S-U-ABORT"
        } else {
            "reported as S-P-ABORT"
        });
    }
    l.field(
        "transport_disconnect",
        format!("{:#04x}", t.0),
        format!("PI 17: {}", parts.join(", ")),
    );
}

fn reason(l: &mut Layer, k: Kind, r: Reason<'_>) {
    let text = if k == Kind::Refuse {
        Reason::refuse_text(r.code)
    } else {
        Reason::exception_text(r.code)
    };
    let mut note = format!("PI 50: {text}");
    if k != Kind::Refuse && r.code == Reason::PROCEDURAL_ERROR {
        note.push_str(" (ISODE rejects reason 6)");
    }
    l.field("reason", r.code, note);
    if !r.data.is_empty() {
        l.field(
            "reason.user_data",
            hex(r.data),
            format!(
                "{} octets of SS-user data after the reason octet",
                r.data.len()
            ),
        );
    }
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
