//! The TPKT layer (RFC 1006 §6, RFC 2126 §4.3 and §6.10).

use x400::tpkt::{Frame, HEADER_LEN, MIN_PACKET_LEN};

use crate::report::{Layer, hex};

/// Explains one complete TPKT.
pub fn explain(frame: &Frame<'_>, wire: &[u8]) -> Layer {
    let h = frame.header();
    let mut l = Layer::new(
        "tpkt",
        format!(
            "TPKT, {} octets carrying a {}-octet TPDU",
            h.packet_len(),
            h.payload_len()
        ),
    );
    l.field(
        "version",
        3,
        "version 3, the only one defined (RFC 1006 §6)",
    );
    let reserved = h.reserved();
    let note = if reserved == 0 {
        "0, as RFC 2126 §4.3 says to send".to_string()
    } else {
        format!("{reserved:#04x}: ignored on receipt, RFC 2126 §6.10 (we always send 0)")
    };
    l.field("reserved", format!("{reserved:#04x}"), note);
    l.field(
        "length",
        h.packet_len(),
        format!("whole packet including the {HEADER_LEN}-octet header; valid range {MIN_PACKET_LEN}..=65535 (RFC 1006 §6)"),
    );
    l.field(
        "header",
        hex(wire.get(..HEADER_LEN).unwrap_or_default()),
        "",
    );
    l.field(
        "tpdu",
        hex(frame.payload()),
        format!(
            "{} octets handed to the transport layer",
            frame.payload().len()
        ),
    );
    l
}

/// Words for a TPKT error: what was wrong and the rule.
pub fn error_words(e: &x400::tpkt::Error) -> String {
    format!("tpkt: {e}")
}
