//! The trace decoder: explains OSI / X.400 traffic layer by layer, field by field, naming the
//! rule that applies to each value.
//!
//! ```text
//! decode [--json] --hex HEX        octets as hex (spaces, colons, 0x prefixes allowed)
//! decode [--json] --dump FILE      a hex dump with offsets and an ASCII column
//! decode [--json] --pcap FILE      a pcap or pcapng capture; TCP reassembled per direction
//! decode [--json] -                hex or a hex dump on standard input
//! decode [--json] --sample         a built-in trace (libiec61850 connection set-up)
//! ```
//!
//! Link, IP and TCP headers are skipped when present. Exit status: 0 when everything decoded,
//! 1 when the traffic has errors (they are in the output), 2 when the input cannot be read.
//! `--json` prints `{"frames":[{"origin":..,"layers":[{"layer":"tpkt","summary":..,
//! "fields":{"version":{"value":3,"note":..},..}},..],"errors":[..]}]}`.

// The modules are private to this program; `pub` marks what main.rs uses. A program, not a
// no_std library: std paths are the natural ones.
#![allow(
    unreachable_pub,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

mod activity;
mod ber;
mod capture;
mod input;
mod p1;
mod pres;
mod report;
mod rts;
mod spdu;
mod spdu_groups;
mod spdu_params;
mod tpdu;
mod tpkt;

#[cfg(test)]
mod mode_tests;

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Parser};
use x400::session;
use x400::tpkt::{Frame, HEADER_LEN, Header};

#[derive(Parser)]
#[command(
    about = "Explains OSI / X.400 traffic (TPKT, transport, session, RTS, P1) layer by layer"
)]
#[command(group(ArgGroup::new("source").required(true).args(["hex", "dump", "pcap", "sample", "stdin"])))]
struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Octets as hex.
    #[arg(long, value_name = "HEX")]
    hex: Option<String>,
    /// A hex dump file (offsets, hex octets, ASCII column).
    #[arg(long, value_name = "FILE")]
    dump: Option<PathBuf>,
    /// A pcap or pcapng capture.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Decode a built-in sample trace.
    #[arg(long)]
    sample: bool,
    /// `-`: read hex or a hex dump from standard input.
    #[arg(value_name = "-", value_parser = clap::builder::PossibleValuesParser::new(["-"]))]
    stdin: Option<String>,
}

/// The start of a libiec61850 1.5.2 association (external bytes, conformance kit vector file
/// `libiec61850.tsv`): CR, CC, then a CC whose TPKT reserved octet is 0x11.
const SAMPLE: &[(&str, &str)] = &[
    (
        "libiec61850 client -> server: CR",
        "0300001611e00000000100c0010dc2020001c1020001",
    ),
    (
        "libiec61850 server -> client: CC",
        "0300001611d00001000100c0010dc2020001c1020001",
    ),
    (
        "a peer's CC with reserved octet 0x11",
        "03110016 11d00001000100c0010dc2020001c1020001",
    ),
];

/// One direction of traffic being decoded.
#[derive(Default)]
struct Direction {
    tcp: capture::Stream,
    buf: Vec<u8>,
    /// Octets of this direction already decoded, for origins.
    offset: usize,
    failed: bool,
    upper: Upper,
}

/// Reassembly above TPKT for one direction.
#[derive(Default)]
struct Upper {
    /// DT user data of a TSDU whose last DT (EOT) has not arrived yet.
    tsdu: Vec<u8>,
    /// User information of the DT SPDUs of an activity in progress: in X.410 mode one activity
    /// carries one APDU, possibly in several DT SPDUs.
    apdu: Option<Vec<u8>>,
}

/// The largest TSDU the decoder reassembles from DTs; a trace of a runaway peer should not
/// exhaust memory.
const MAX_TSDU: usize = 16 << 20;

#[derive(Default)]
struct Decoder {
    frames: Vec<report::Frame>,
    directions: HashMap<(SocketAddr, SocketAddr), Direction>,
    /// What a connection's set-up said (address pair, lower first).
    conns: HashMap<(SocketAddr, SocketAddr), pres::Conn>,
}

impl Decoder {
    /// Appends octets to a direction's TPKT stream and explains each complete TPKT.
    fn feed(&mut self, key: (SocketAddr, SocketAddr), label: &str, data: &[u8]) {
        let conn_key = (key.0.min(key.1), key.0.max(key.1));
        let mut conn = self.conns.get(&conn_key).copied().unwrap_or_default();
        let dir = self.directions.entry(key).or_default();
        if dir.failed {
            return;
        }
        dir.buf.extend_from_slice(data);
        let mut pos = 0;
        while let Some(rest) = dir.buf.get(pos..) {
            let start = dir.offset;
            let mut out = report::Frame::default();
            match Frame::decode(rest) {
                Ok(Some((f, len))) => {
                    out.origin = format!("{label}, stream octets {start}..{}", start + len);
                    let wire = rest.get(..len).unwrap_or_default();
                    explain_tpkt(&f, wire, &mut dir.upper, &mut conn, &mut out);
                    dir.offset += len;
                    pos += len;
                }
                Ok(None) => break,
                Err(e) => {
                    out.origin = format!("{label}, stream octets {start}..");
                    out.errors.push(tpkt::error_words(&e));
                    out.errors.push(format!(
                        "the rest of this direction ({} octets, starting {}) is not decoded: a TPKT stream cannot be resynchronised",
                        rest.len(),
                        report::hex(rest.get(..16).unwrap_or(rest))
                    ));
                    dir.failed = true;
                    self.frames.push(out);
                    break;
                }
            }
            self.frames.push(out);
        }
        dir.buf.drain(..pos);
        self.conns.insert(conn_key, conn);
    }

    /// Reports what is left over when the input ends.
    fn finish(&mut self, label: impl Fn(&(SocketAddr, SocketAddr)) -> String) {
        let mut keys: Vec<_> = self.directions.keys().copied().collect();
        keys.sort();
        for key in keys {
            let Some(dir) = self.directions.get(&key) else {
                continue;
            };
            let mut errors = Vec::new();
            if dir.tcp.gaps > 0 || dir.tcp.has_pending() {
                errors.push(format!(
                    "tcp: {} octets of this direction were not captured",
                    dir.tcp.gaps.max(1)
                ));
            }
            if !dir.failed && !dir.buf.is_empty() {
                errors.push(match Header::decode(&dir.buf) {
                    Ok(Some(h)) => format!(
                        "tpkt: input ends inside a TPKT: header announces {} octets, {} present",
                        h.packet_len(),
                        dir.buf.len()
                    ),
                    _ => format!(
                        "tpkt: input ends inside a TPKT header: {} of {HEADER_LEN} octets present",
                        dir.buf.len()
                    ),
                });
            }
            if !errors.is_empty() {
                self.frames.push(report::Frame {
                    origin: label(&key),
                    layers: Vec::new(),
                    errors,
                });
            }
        }
    }

    /// Decodes loose octets: a TPKT stream, or one Ethernet or IP packet carrying TCP.
    fn octets(&mut self, data: &[u8]) {
        let key = unspecified();
        // Bare BER (a SET, first octet 0x31) is what people paste from an RTS/P1 trace: try
        // the application PDUs before calling it a broken TPKT stream.
        if data.first() == Some(&0x31) {
            let (layers, _) = pres::explain_bare(data);
            if !layers.is_empty() {
                self.frames.push(report::Frame {
                    origin: "input, bare BER".into(),
                    layers,
                    errors: Vec::new(),
                });
                return;
            }
        }
        match capture::tcp_in_unknown(data).filter(|_| data.first() != Some(&x400::tpkt::VERSION)) {
            Some(seg) => {
                let label = format!("tcp {} -> {}", seg.src, seg.dst);
                self.feed((seg.src, seg.dst), &label, seg.payload);
            }
            None => self.feed(key, "input", data),
        }
        self.finish(|_| "input".into());
    }

    fn pcap(&mut self, file: &[u8]) -> Result<(), String> {
        for p in capture::read_pcap(file)? {
            let Some(seg) = capture::tcp_in_frame(p.linktype, &p.data) else {
                continue;
            };
            let key = (seg.src, seg.dst);
            let fresh = self.directions.entry(key).or_default().tcp.push(&seg);
            if !fresh.is_empty() {
                self.feed(
                    key,
                    &format!("packet {}, {} -> {}", p.number, seg.src, seg.dst),
                    &fresh,
                );
            }
        }
        self.finish(|(s, d)| format!("end of capture, {s} -> {d}"));
        Ok(())
    }
}

fn unspecified() -> (SocketAddr, SocketAddr) {
    let a = SocketAddr::from(([0, 0, 0, 0], 0));
    (a, a)
}

/// Explains one TPKT and everything it carries. Each upper layer joins this chain.
/// `tsdu` holds the DT user data of this direction's TSDU in progress (X.224 6.3: a TSDU is
/// the user data of DTs up to the one with EOT).
fn explain_tpkt(
    frame: &Frame<'_>,
    wire: &[u8],
    upper: &mut Upper,
    conn: &mut pres::Conn,
    out: &mut report::Frame,
) {
    let tsdu = &mut upper.tsdu;
    out.layers.push(tpkt::explain(frame, wire));
    let (layers, errors, user_data) = tpdu::explain(frame.payload());
    out.layers.extend(layers);
    out.errors.extend(errors);
    let Some((user_data, eot)) = user_data else {
        return;
    };
    if tsdu.len() + user_data.len() > MAX_TSDU {
        out.errors.push(format!(
            "cotp: TSDU longer than {MAX_TSDU} octets; the decoder drops it"
        ));
        tsdu.clear();
        return;
    }
    tsdu.extend_from_slice(&user_data);
    if !eot {
        return;
    }
    let whole = std::mem::take(tsdu);
    let (layers, errors, ss_user_data) = spdu::explain(&whole);
    out.layers.extend(layers);
    out.errors.extend(errors);
    if let Some((kind, data)) = ss_user_data {
        explain_ss_user_data(kind, &data, conn, out);
    }
    if !conn.normal_mode && conn.p1 {
        activity::collect_apdu(&whole, &mut upper.apdu, out);
    }
}

/// The SS-user data of an SPDU: CN, AC, RF and AB carry presentation PPDUs, whose mode
/// [`pres::explain`] decides.
fn explain_ss_user_data(
    kind: session::Kind,
    data: &[u8],
    conn: &mut pres::Conn,
    out: &mut report::Frame,
) {
    use session::Kind;
    let carrier = match kind {
        Kind::Connect => rts::Carrier::Cn,
        Kind::Accept => rts::Carrier::Ac,
        Kind::Refuse => rts::Carrier::Rf,
        Kind::Abort => rts::Carrier::Ab,
        _ => return,
    };
    let (layers, errors) = pres::explain(carrier, data, conn);
    out.layers.extend(layers);
    out.errors.extend(errors);
}

/// Writes to standard output; a closed pipe (`decode ... | head`) is not an error.
fn emit(s: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

fn run(args: &Args) -> Result<Vec<report::Frame>, String> {
    let mut d = Decoder::default();
    let read =
        |p: &PathBuf| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    if let Some(hex) = &args.hex {
        d.octets(&input::parse_hex(hex)?);
    } else if let Some(path) = &args.dump {
        let text = String::from_utf8(read(path)?)
            .map_err(|_| format!("{} is not text", path.display()))?;
        d.octets(&input::parse_dump(&text)?);
    } else if let Some(path) = &args.pcap {
        d.pcap(&read(path)?)?;
    } else if args.sample {
        for (label, hex) in SAMPLE {
            d.feed(unspecified(), label, &input::parse_hex(hex)?);
            d.directions.clear();
        }
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        d.octets(&input::parse_text(&text)?);
    }
    Ok(d.frames)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(frames) => {
            if args.json {
                let v = serde_json::json!({ "frames": frames.iter().map(report::Frame::to_json).collect::<Vec<_>>() });
                emit(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
            } else {
                emit(&report::text(&frames));
            }
            if frames.iter().any(|f| !f.errors.is_empty()) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            if args.json {
                emit(&format!(
                    "{}\n",
                    serde_json::json!({ "frames": [], "errors": [e] })
                ));
            } else {
                eprintln!("decode: {e}");
            }
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_hex(hex: &str) -> Vec<report::Frame> {
        let mut d = Decoder::default();
        d.octets(&input::parse_hex(hex).unwrap());
        d.frames
    }

    #[test]
    fn reserved_0x11_is_explained_without_error() {
        let frames = decode_hex("03 11 00 0b 06 d0 00 01 00 02 00");
        assert_eq!(frames.len(), 1);
        assert!(frames[0].errors.is_empty());
        let json = frames[0].to_json();
        assert_eq!(json["layers"][0]["fields"]["reserved"]["value"], "0x11");
        assert!(
            json["layers"][0]["fields"]["reserved"]["note"]
                .as_str()
                .unwrap()
                .contains("RFC 2126 §6.10")
        );
        assert_eq!(json["layers"][0]["fields"]["length"]["value"], 11);
    }

    #[test]
    fn version_2_and_short_length_are_errors() {
        let v2 = decode_hex("02 00 00 0b 06 d0 00 01 00 02 00");
        assert!(v2[0].errors[0].contains("version 2 is not supported"));
        let short = decode_hex("03 00 00 06 02 f0");
        assert!(short[0].errors[0].contains("length 6 is below the minimum of 7"));
    }

    #[test]
    fn truncated_input_is_reported() {
        let f = decode_hex("03 00 00 0b 06 d0");
        assert!(f[0].errors[0].contains("announces 11 octets, 6 present"));
        let f = decode_hex("03 00");
        assert!(f[0].errors[0].contains("2 of 4 octets"));
    }

    #[test]
    fn several_frames_in_one_input() {
        let f = decode_hex("03 00 00 07 02 f0 80 03 00 00 07 02 f0 80");
        assert_eq!(f.len(), 2);
        assert!(f[1].origin.contains("7..14"));
    }

    #[test]
    fn ethernet_ipv4_tcp_headers_are_skipped() {
        // Ethernet II, IPv4 (no options), TCP (no options) 40000 -> 102, payload one TPKT
        // carrying a class 0 CR.
        let frame = "00 00 00 00 00 00 00 00 00 00 00 00 08 00 \
                     45 00 00 33 00 01 00 00 40 06 00 00 7f 00 00 01 7f 00 00 01 \
                     9c 40 00 66 00 00 00 01 00 00 00 00 50 18 ff ff 00 00 00 00 \
                     03 00 00 0b 06 e0 00 00 00 01 00";
        let f = decode_hex(frame);
        assert_eq!(f.len(), 1, "{:?}", f[0].errors);
        assert!(f[0].origin.contains("127.0.0.1:40000 -> 127.0.0.1:102"));
        assert!(f[0].errors.is_empty());
    }

    #[test]
    fn bare_pconnect_is_explained() {
        // H.PConnect of the conformance kit's handmade-x410.tsv, with an `open` bind.
        let vectors = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/decode/data/handmade-x410.tsv"),
        )
        .unwrap();
        let hex = vectors
            .lines()
            .find_map(|l| l.strip_prefix("H.PConnect\t"))
            .unwrap()
            .split('\t')
            .next()
            .unwrap();
        let f = decode_hex(hex);
        assert_eq!(f[0].origin, "input, bare BER");
        assert!(
            f[0].layers.iter().any(|l| l.layer == "rts"),
            "{:?}",
            f[0].layers
        );
    }

    #[test]
    fn x410_bind_capture_shows_rts_pdus() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/decode/data/x410_bind_102.pcap");
        let mut d = Decoder::default();
        d.pcap(&std::fs::read(path).unwrap()).unwrap();
        let rts: Vec<&str> = d
            .frames
            .iter()
            .flat_map(|f| &f.layers)
            .filter(|l| l.layer == "rts")
            .map(|l| l.summary.as_str())
            .collect();
        assert_eq!(rts.len(), 2, "{rts:?}");
        assert!(rts[0].starts_with("PConnect"), "{rts:?}");
        assert!(rts[1].starts_with("PAccept"), "{rts:?}");
    }

    #[test]
    fn x410_bind_is_explained_as_p1() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/decode/data/x410_bind_102.pcap");
        let mut d = Decoder::default();
        d.pcap(&std::fs::read(path).unwrap()).unwrap();
        let p1: Vec<&str> = d
            .frames
            .iter()
            .flat_map(|f| &f.layers)
            .filter(|l| l.layer == "p1")
            .map(|l| l.summary.as_str())
            .collect();
        assert_eq!(p1.len(), 2, "{p1:?}");
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut x: u32 = 0x1234_5678;
        for len in 0..2000 {
            let data: Vec<u8> = (0..len % 97)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x >> 24) as u8
                })
                .collect();
            let mut d = Decoder::default();
            d.octets(&data);
            let _ = d.pcap(&data);
        }
    }

    #[test]
    fn conformance_captures_decode_cleanly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/decode/data");
        for name in [
            "iec61850_10102.pcapng",
            "x410_bind_102.pcap",
            "tp4_over_tpkt_102.pcap",
        ] {
            let mut d = Decoder::default();
            d.pcap(&std::fs::read(dir.join(name)).unwrap()).unwrap();
            assert!(d.frames.len() >= 4, "{name}: {} frames", d.frames.len());
            for f in &d.frames {
                assert!(f.errors.is_empty(), "{name}: {}: {:?}", f.origin, f.errors);
            }
        }
    }
}
