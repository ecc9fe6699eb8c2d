//! `[capture]` and `run --capture DIR`: each association written as its own pcap file, the
//! octets it moved wrapped in synthetic Ethernet, IP and TCP headers on the real addresses and
//! ports, so that `tshark -r FILE` and `decode --pcap FILE` read it like a capture of the wire.
//!
//! The shell's tap hands over the octets as the association read and wrote them; the TCP
//! conversation is made up around them: a handshake first, sequence and acknowledgement
//! numbers that add up in each direction, segments no larger than a pcap record holds, and
//! a FIN each way at the end. Files are written through a buffer, from the association's
//! own task (a diagnostic may cost a write to disk every few KiB; a separate writer task
//! would have to copy every octet): a file is complete once its association ends. A file that grows past its size limit is continued in
//! `NAME.1.pcap`, `NAME.2.pcap`, ... at the first point where neither direction is inside a
//! transport service data unit, so each file dissects on its own.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use etherparse::PacketBuilder;
use pcap_file::pcap::{PcapPacket, PcapWriter};
use x400_mta::Direction;
use x400_mta::shell::{Connection, Observer, Tap};

/// Default size after which a capture file is continued in the next one: 64 MiB.
pub const DEFAULT_CAPTURE_MAX_BYTES: u64 = 64 << 20;
/// The pcap snapshot length, pcap-file's default: the most octets one record holds.
const SNAPLEN: usize = 65_535;
/// Ethernet (14), IPv6 (40, the larger) and TCP (20) headers before a segment's payload.
const HEADERS: usize = 14 + 40 + 20;
/// The most payload octets in one synthetic segment, so that every record is whole.
const MAX_SEGMENT: usize = SNAPLEN - HEADERS;
/// Hop limit written in the IP headers.
const TTL: u8 = 64;
/// Window written in the TCP headers: the largest without the window scale option.
const WINDOW: u16 = 65_535;
/// Our synthetic MAC address (locally administered) and the peer's.
const MAC_LOCAL: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const MAC_REMOTE: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];
/// Initial sequence numbers of the client's and the server's direction.
const ISN_CLIENT: u32 = 1_000;
const ISN_SERVER: u32 = 2_000;
/// Bytes of a classic pcap record header.
const RECORD_HEADER: u64 = 16;

/// Writes the capture files of every association into one directory.
#[derive(Debug)]
pub struct Capture {
    dir: PathBuf,
    max_bytes: u64,
    /// Numbers the connections: two in the same second get different files.
    next: AtomicU64,
}

impl Capture {
    /// Captures into `dir` (made if missing), continuing a file past `max_bytes`.
    ///
    /// # Errors
    ///
    /// The directory cannot be made.
    pub fn new(dir: PathBuf, max_bytes: u64) -> Result<Self, String> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot make the capture directory {}: {e}", dir.display()))?;
        Ok(Self {
            dir,
            max_bytes,
            next: AtomicU64::new(0),
        })
    }
}

impl Observer for Capture {
    fn opened(&self, c: &Connection) -> Option<Box<dyn Tap>> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let who = c
            .peer
            .clone()
            .unwrap_or_else(|| format!("{}-{}", c.remote.ip(), c.remote.port()));
        let who: String = who
            .chars()
            .map(|ch| {
                if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' {
                    ch
                } else {
                    '_'
                }
            })
            .collect();
        let way = match c.direction {
            Direction::Inbound => "in",
            Direction::Outbound => "out",
        };
        let base = self.dir.join(format!("{unix}-{who}-{way}-{n}"));
        match Writer::create(base, self.max_bytes, c) {
            Ok(w) => Some(Box::new(w)),
            Err(e) => {
                tracing::warn!(
                    "gateway: not capturing the connection with {}: {e}",
                    c.remote
                );
                None
            }
        }
    }
}

/// Where one direction of the stream is: the octets of its current TPKT still to come, and
/// the start of the next TPKT's header while it is incomplete.
#[derive(Default)]
struct Framing {
    left: usize,
    head: Vec<u8>,
    /// Inside a TSDU: the last TPKT was a DT TPDU without end of TSDU.
    inside: bool,
}

/// Octets of a TPKT header and the COTP octets that say whether a DT ends its TSDU.
const PEEK: usize = 7;

impl Framing {
    /// Follows `octets` through the TPKT framing (RFC 1006 §6, X.224 13.7).
    fn feed(&mut self, mut octets: &[u8]) {
        while !octets.is_empty() {
            if self.left > 0 {
                let k = self.left.min(octets.len());
                self.left -= k;
                octets = octets.get(k..).unwrap_or_default();
                continue;
            }
            let k = (PEEK - self.head.len()).min(octets.len());
            self.head
                .extend_from_slice(octets.get(..k).unwrap_or_default());
            octets = octets.get(k..).unwrap_or_default();
            if let [_, _, hi, lo, _, code, eot] = self.head[..] {
                let len = usize::from(u16::from_be_bytes([hi, lo]));
                self.left = len.saturating_sub(PEEK);
                self.inside = code == 0xF0 && eot & 0x80 == 0;
                self.head.clear();
            }
        }
    }

    fn at_boundary(&self) -> bool {
        self.left == 0 && self.head.is_empty() && !self.inside
    }
}

/// One direction of the synthetic TCP conversation.
struct Side {
    addr: SocketAddr,
    mac: [u8; 6],
    /// The next sequence number this side sends.
    seq: u32,
    framing: Framing,
}

/// The capture of one connection.
struct Writer {
    base: PathBuf,
    max_bytes: u64,
    /// Files begun so far (the first is `base.pcap`).
    files: u32,
    /// The current file; `None` once closed.
    out: Option<PcapWriter<BufWriter<File>>>,
    written: u64,
    local: Side,
    remote: Side,
    frame: Vec<u8>,
}

fn other(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// File `k` of a capture: `BASE.pcap`, then `BASE.k.pcap` (the base may hold dots: an
/// IPv4 address).
fn numbered(base: &std::path::Path, k: u32) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    if k > 0 {
        name.push(format!(".{k}"));
    }
    name.push(".pcap");
    PathBuf::from(name)
}

fn open(path: &std::path::Path) -> std::io::Result<PcapWriter<BufWriter<File>>> {
    let file = File::create(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    PcapWriter::new(BufWriter::new(file)).map_err(other)
}

impl Writer {
    fn create(base: PathBuf, max_bytes: u64, c: &Connection) -> std::io::Result<Self> {
        let out = open(&numbered(&base, 0))?;
        let (local_isn, remote_isn) = match c.direction {
            Direction::Outbound => (ISN_CLIENT, ISN_SERVER),
            Direction::Inbound => (ISN_SERVER, ISN_CLIENT),
        };
        let mut w = Self {
            base,
            max_bytes,
            files: 1,
            out: Some(out),
            written: 0,
            local: Side {
                addr: c.local,
                mac: MAC_LOCAL,
                seq: local_isn,
                framing: Framing::default(),
            },
            remote: Side {
                addr: c.remote,
                mac: MAC_REMOTE,
                seq: remote_isn,
                framing: Framing::default(),
            },
            frame: Vec::new(),
        };
        // The three-way handshake, so that tshark sees the stream from its start.
        let now = SystemTime::now();
        let ours = c.direction == Direction::Outbound;
        w.segment(now, ours, Flags::Syn, &[])?;
        w.segment(now, !ours, Flags::SynAck, &[])?;
        w.segment(now, ours, Flags::Ack, &[])?;
        Ok(w)
    }

    /// Writes one segment from us (`ours`) or from the peer, and moves that side's
    /// sequence number past it.
    fn segment(
        &mut self,
        at: SystemTime,
        ours: bool,
        flags: Flags,
        payload: &[u8],
    ) -> std::io::Result<()> {
        let (from, to) = if ours {
            (&self.local, &self.remote)
        } else {
            (&self.remote, &self.local)
        };
        let eth = PacketBuilder::ethernet2(from.mac, to.mac);
        let ip = match (from.addr.ip(), to.addr.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => eth.ipv4(s.octets(), d.octets(), TTL),
            (s, d) => eth.ipv6(v6(s), v6(d), TTL),
        };
        let tcp = ip.tcp(from.addr.port(), to.addr.port(), from.seq, WINDOW);
        let tcp = match flags {
            Flags::Syn => tcp.syn(),
            Flags::SynAck => tcp.syn().ack(to.seq),
            Flags::Ack => tcp.ack(to.seq),
            Flags::Data => tcp.psh().ack(to.seq),
            Flags::Fin => tcp.fin().ack(to.seq),
        };
        self.frame.clear();
        tcp.write(&mut self.frame, payload).map_err(other)?;
        let since = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let len = u32::try_from(self.frame.len()).map_err(other)?;
        let Some(out) = self.out.as_mut() else {
            return Err(std::io::Error::other("the capture file is closed"));
        };
        out.write_packet(&PcapPacket::new(since, len, &self.frame))
            .map_err(other)?;
        self.written += RECORD_HEADER + u64::from(len);
        let advance = match flags {
            Flags::Syn | Flags::SynAck | Flags::Fin => 1,
            Flags::Ack | Flags::Data => u32::try_from(payload.len()).map_err(other)?,
        };
        let side = if ours {
            &mut self.local
        } else {
            &mut self.remote
        };
        side.seq = side.seq.wrapping_add(advance);
        Ok(())
    }

    /// Writes `octets` as data segments, after continuing in the next file if this one is
    /// full and the stream is between two TSDUs both ways.
    fn data(&mut self, at: SystemTime, ours: bool, octets: &[u8]) -> std::io::Result<()> {
        if self.written >= self.max_bytes
            && self.local.framing.at_boundary()
            && self.remote.framing.at_boundary()
        {
            self.finish()?;
            self.out = Some(open(&numbered(&self.base, self.files))?);
            self.files += 1;
            self.written = 0;
        }
        for chunk in octets.chunks(MAX_SEGMENT) {
            self.segment(at, ours, Flags::Data, chunk)?;
        }
        if ours {
            self.local.framing.feed(octets);
        } else {
            self.remote.framing.feed(octets);
        }
        Ok(())
    }

    /// Writes out what the current file still buffers, and closes it.
    fn finish(&mut self) -> std::io::Result<()> {
        match self.out.take() {
            Some(out) => out.into_writer().flush(),
            None => Ok(()),
        }
    }
}

/// An IPv4 address as the IPv4-mapped IPv6 address, for a mixed pair.
fn v6(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// The TCP flags of a synthetic segment.
#[derive(Clone, Copy)]
enum Flags {
    Syn,
    SynAck,
    Ack,
    Data,
    Fin,
}

impl Tap for Writer {
    fn received(&mut self, at: SystemTime, octets: &[u8]) -> std::io::Result<()> {
        self.data(at, false, octets)
    }

    fn sent(&mut self, at: SystemTime, octets: &[u8]) -> std::io::Result<()> {
        self.data(at, true, octets)
    }

    fn closed(&mut self, at: SystemTime) -> std::io::Result<()> {
        // Our FIN, the peer's, and our acknowledgement: the stream ends cleanly.
        self.segment(at, true, Flags::Fin, &[])?;
        self.segment(at, false, Flags::Fin, &[])?;
        self.segment(at, true, Flags::Ack, &[])?;
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_sees_tsdu_boundaries() {
        let mut f = Framing::default();
        // A DT without EOT, split across two calls: inside a TSDU.
        f.feed(&[3, 0, 0, 9, 2, 0xF0]);
        assert!(!f.at_boundary());
        f.feed(&[0x00, 0xAA, 0xBB]);
        assert!(!f.at_boundary());
        // The DT with EOT ends it.
        f.feed(&[3, 0, 0, 8, 2, 0xF0, 0x80, 0xCC]);
        assert!(f.at_boundary());
        // A CR (not a DT) is whole by itself once all its octets are in.
        f.feed(&[3, 0, 0, 11, 6, 0xE0, 0, 0, 0, 0]);
        assert!(!f.at_boundary());
        f.feed(&[0]);
        assert!(f.at_boundary());
    }

    /// One frame as read back: source port, sequence number, SYN, FIN, payload length.
    fn frames(path: &std::path::Path) -> Vec<(u16, u32, bool, bool, usize)> {
        let mut r = pcap_file::pcap::PcapReader::new(File::open(path).unwrap()).unwrap();
        let mut out = Vec::new();
        while let Some(p) = r.next_packet() {
            let p = p.unwrap();
            assert!(
                p.data.len() <= SNAPLEN,
                "a record of {} octets",
                p.data.len()
            );
            let sliced = etherparse::SlicedPacket::from_ethernet(&p.data).unwrap();
            let Some(etherparse::TransportSlice::Tcp(tcp)) = sliced.transport else {
                panic!("not TCP");
            };
            out.push((
                tcp.source_port(),
                tcp.sequence_number(),
                tcp.syn(),
                tcp.fin(),
                tcp.payload().len(),
            ));
        }
        out
    }

    #[test]
    fn segments_fit_their_records_and_sequence_numbers_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let capture = Capture::new(dir.path().to_owned(), DEFAULT_CAPTURE_MAX_BYTES).unwrap();
        let c = Connection::new(
            "[::1]:40000".parse().unwrap(),
            "[::1]:102".parse().unwrap(),
            Direction::Outbound,
            Some("MTA B".to_owned()),
        );
        let mut tap = capture.opened(&c).unwrap();
        let now = SystemTime::now();
        tap.sent(now, &vec![0x55; 150_000]).unwrap();
        tap.received(now, &[3, 0, 0, 4]).unwrap();
        tap.closed(now).unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        let [Ok(file)] = &files[..] else {
            panic!("{files:?}")
        };
        let name = file.file_name().into_string().unwrap();
        assert!(name.ends_with("-MTA_B-out-0.pcap"), "{name}");
        let (c0, s0) = (ISN_CLIENT, ISN_SERVER);
        let data = |seq, len| (40000, seq, false, false, len);
        let rest = 150_000 - 2 * MAX_SEGMENT;
        let third = c0 + 1 + u32::try_from(2 * MAX_SEGMENT).unwrap();
        assert_eq!(
            frames(&file.path()),
            vec![
                (40000, c0, true, false, 0),
                (102, s0, true, false, 0),
                (40000, c0 + 1, false, false, 0),
                data(c0 + 1, MAX_SEGMENT),
                data(c0 + 1 + u32::try_from(MAX_SEGMENT).unwrap(), MAX_SEGMENT),
                data(third, rest),
                (102, s0 + 1, false, false, 4),
                (40000, c0 + 1 + 150_000, false, true, 0),
                (102, s0 + 5, false, true, 0),
                (40000, c0 + 150_002, false, false, 0),
            ]
        );
    }

    #[test]
    fn files_are_numbered_after_the_whole_base() {
        let base = std::path::Path::new("d/1-127.0.0.1-102-in-0");
        assert_eq!(
            numbered(base, 0),
            PathBuf::from("d/1-127.0.0.1-102-in-0.pcap")
        );
        assert_eq!(
            numbered(base, 2),
            PathBuf::from("d/1-127.0.0.1-102-in-0.2.pcap")
        );
    }
}
