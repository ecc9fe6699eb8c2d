//! The parameter groups of an SPDU in plain words: Connection Identifier (PGI 1),
//! Connect/Accept Item (PGI 5) and Linking Information (PGI 33).

use x400::session::{ConnectAccept, ConnectionId, Kind, Linking};

use crate::report::{Layer, hex};
use crate::spdu_params::{opt_hex, serial, token_setting, unknown, version};

pub fn connection_id(l: &mut Layer, c: &ConnectionId<'_>) {
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

pub fn connect_accept(l: &mut Layer, k: Kind, c: &ConnectAccept<'_>) {
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

pub fn linking(l: &mut Layer, g: &Linking<'_>) {
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
