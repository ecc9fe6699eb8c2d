//! What the decoder says about one frame: layers of named fields, and errors.
//!
//! Every layer module (`tpkt.rs`, and later `tpdu.rs`, `spdu.rs`, ...) turns octets into a
//! [`Layer`]; `main.rs` chains them and prints text or JSON. Field names are stable: they
//! are the JSON keys of `--json`.

use serde_json::{Map, Value, json};

/// One field: a stable name, its value, and the rule or meaning that applies (may be empty).
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub value: Value,
    pub note: String,
}

/// One protocol layer of a frame.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Short protocol name: "tpkt", "cotp", "ses", "rts", "p1".
    pub layer: &'static str,
    /// One line saying what this is, e.g. "CC connect confirm, class 0".
    pub summary: String,
    pub fields: Vec<Field>,
}

impl Layer {
    pub fn new(layer: &'static str, summary: impl Into<String>) -> Self {
        Self {
            layer,
            summary: summary.into(),
            fields: Vec::new(),
        }
    }

    /// Adds a field; `note` names the rule or says what the value means.
    pub fn field(
        &mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
        note: impl Into<String>,
    ) -> &mut Self {
        self.fields.push(Field {
            name: name.into(),
            value: value.into(),
            note: note.into(),
        });
        self
    }

    pub fn to_json(&self) -> Value {
        let mut fields = Map::new();
        for f in &self.fields {
            let mut v = Map::new();
            v.insert("value".into(), f.value.clone());
            if !f.note.is_empty() {
                v.insert("note".into(), Value::String(f.note.clone()));
            }
            fields.insert(f.name.clone(), Value::Object(v));
        }
        json!({ "layer": self.layer, "summary": self.summary, "fields": fields })
    }
}

/// Everything said about one frame (one TPKT, or one undecodable stretch of octets).
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// Where the octets came from, e.g. "pcap frame 4, 127.0.0.1:40000 -> 127.0.0.1:102".
    pub origin: String,
    pub layers: Vec<Layer>,
    pub errors: Vec<String>,
}

impl Frame {
    pub fn to_json(&self) -> Value {
        json!({
            "origin": self.origin,
            "layers": self.layers.iter().map(Layer::to_json).collect::<Vec<_>>(),
            "errors": self.errors,
        })
    }
}

/// Octets as lower-case hex, space-separated.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The text form: one block per frame, one line per field with its note.
pub fn text(frames: &[Frame]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for (n, f) in frames.iter().enumerate() {
        let _ = writeln!(s, "#{}  {}", n + 1, f.origin);
        for l in &f.layers {
            let _ = writeln!(s, "  {}: {}", l.layer, l.summary);
            for field in &l.fields {
                let value = match &field.value {
                    Value::String(v) => v.clone(),
                    v => v.to_string(),
                };
                let _ = match (field.note.is_empty(), value.len() > 24) {
                    (true, _) => writeln!(s, "    {:<18} {value}", field.name),
                    (false, false) => {
                        writeln!(s, "    {:<18} {value:<24} {}", field.name, field.note)
                    }
                    (false, true) => writeln!(
                        s,
                        "    {:<18} {value}\n    {:<18} {:<24} {}",
                        field.name, "", "", field.note
                    ),
                };
            }
        }
        for e in &f.errors {
            let _ = writeln!(s, "  error: {e}");
        }
    }
    if frames.is_empty() {
        s.push_str("no TPKT traffic found\n");
    }
    s
}
