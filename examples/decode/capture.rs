//! Octets from the wire: link, IP and TCP headers skipped, each TCP direction reassembled
//! into one byte stream, pcap and pcapng read with `pcap-parser`, headers with `etherparse`.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_parser::{Block, Linktype, PcapBlockOwned, PcapError, create_reader};

/// Out-of-order TCP data kept per direction while waiting for a gap to fill. A capture that
/// lost a segment would otherwise make the decoder hold everything after it.
pub const MAX_PENDING_OCTETS: usize = 16 << 20;

/// A TCP segment's payload with its direction.
pub struct Segment<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub syn: bool,
    pub payload: &'a [u8],
}

fn addr(net: &NetSlice<'_>) -> (IpAddr, IpAddr) {
    match net {
        NetSlice::Ipv4(v4) => (
            v4.header().source_addr().into(),
            v4.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(v6) => (
            v6.header().source_addr().into(),
            v6.header().destination_addr().into(),
        ),
        #[allow(unreachable_patterns)]
        _ => ([0, 0, 0, 0].into(), [0, 0, 0, 0].into()),
    }
}

fn segment<'a>(p: &SlicedPacket<'a>) -> Option<Segment<'a>> {
    let (s, d) = addr(p.net.as_ref()?);
    let Some(TransportSlice::Tcp(tcp)) = &p.transport else {
        return None;
    };
    Some(Segment {
        src: SocketAddr::new(s, tcp.source_port()),
        dst: SocketAddr::new(d, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        payload: tcp.payload(),
    })
}

/// The TCP segment in a link-layer frame of the given pcap link type, if there is one.
pub fn tcp_in_frame(linktype: Linktype, data: &[u8]) -> Option<Segment<'_>> {
    let sliced = match linktype {
        Linktype::ETHERNET => SlicedPacket::from_ethernet(data).ok()?,
        // BSD loopback: a 4-octet address family, then IP.
        Linktype::NULL | Linktype::LOOP => SlicedPacket::from_ip(data.get(4..)?).ok()?,
        Linktype::RAW | Linktype::IPV4 | Linktype::IPV6 => SlicedPacket::from_ip(data).ok()?,
        Linktype::LINUX_SLL => SlicedPacket::from_linux_sll(data).ok()?,
        // Linux cooked v2: a 20-octet header, then the network layer.
        Linktype::LINUX_SLL2 => SlicedPacket::from_ip(data.get(20..)?).ok()?,
        _ => return None,
    };
    segment(&sliced)
}

/// Octets pasted by a user may be a whole frame: Ethernet, or bare IP. Returns the TCP
/// segment if the octets parse as one with a payload.
pub fn tcp_in_unknown(data: &[u8]) -> Option<Segment<'_>> {
    [Linktype::ETHERNET, Linktype::RAW]
        .into_iter()
        .find_map(|lt| tcp_in_frame(lt, data).filter(|s| !s.payload.is_empty()))
}

/// One captured packet: its number (from 1), link type and octets.
pub struct Packet {
    pub number: usize,
    pub linktype: Linktype,
    pub data: Vec<u8>,
}

/// Reads every packet of a pcap or pcapng file.
pub fn read_pcap(file: &[u8]) -> Result<Vec<Packet>, String> {
    let mut reader =
        create_reader(1 << 16, file).map_err(|e| format!("not a pcap or pcapng file: {e:?}"))?;
    let (mut packets, mut if_linktypes, mut legacy_linktype) =
        (Vec::new(), Vec::new(), Linktype::ETHERNET);
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                let mut push = |linktype, data: &[u8]| {
                    packets.push(Packet {
                        number: packets.len() + 1,
                        linktype,
                        data: data.to_vec(),
                    })
                };
                match block {
                    PcapBlockOwned::LegacyHeader(h) => legacy_linktype = h.network,
                    PcapBlockOwned::Legacy(b) => push(legacy_linktype, b.data),
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => if_linktypes.clear(),
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        if_linktypes.push(idb.linktype)
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let lt = if_linktypes
                            .get(epb.if_id as usize)
                            .copied()
                            .unwrap_or(Linktype::ETHERNET);
                        let len = usize::try_from(epb.caplen).unwrap_or(usize::MAX);
                        push(lt, epb.data.get(..len).unwrap_or(epb.data));
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => push(
                        if_linktypes.first().copied().unwrap_or(Linktype::ETHERNET),
                        spb.data,
                    ),
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => {
                reader
                    .refill()
                    .map_err(|e| format!("pcap file is truncated or unreadable: {e:?}"))?;
            }
            Err(e) => {
                return Err(format!(
                    "pcap file is corrupt after {} packets: {e:?}",
                    packets.len()
                ));
            }
        }
    }
    Ok(packets)
}

/// One direction of a TCP connection, reassembled in sequence order.
#[derive(Default)]
pub struct Stream {
    next_seq: Option<u32>,
    pending: BTreeMap<u32, Vec<u8>>,
    pending_octets: usize,
    /// Octets missing from the stream (segments not captured).
    pub gaps: usize,
}

impl Stream {
    /// Adds a segment; returns the octets that are now in order, to append to the stream.
    pub fn push(&mut self, seg: &Segment<'_>) -> Vec<u8> {
        if seg.syn {
            self.next_seq = Some(seg.seq.wrapping_add(1));
            if seg.payload.is_empty() {
                return Vec::new();
            }
        }
        // Pure ACKs, FINs and RSTs carry nothing to reassemble (and a RST's sequence number
        // may lie anywhere in the window).
        if seg.payload.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let next = *self.next_seq.get_or_insert(seg.seq);
        self.accept(next, seg.seq, seg.payload, &mut out);
        self.drain_ready(&mut out);
        if self.pending_octets > MAX_PENDING_OCTETS {
            self.skip_gap(&mut out);
        }
        out
    }

    fn accept(&mut self, next: u32, seq: u32, data: &[u8], out: &mut Vec<u8>) {
        let ahead = seq.wrapping_sub(next) as i32;
        if ahead > 0 {
            self.pending_octets += data.len();
            self.pending.insert(seq, data.to_vec());
            return;
        }
        // A retransmission may overlap what we have: keep only the new tail.
        let overlap = ahead.unsigned_abs() as usize;
        if let Some(new) = data.get(overlap..) {
            out.extend_from_slice(new);
            // TCP sequence numbers are modulo 2^32: truncation is the arithmetic wanted.
            #[allow(clippy::cast_possible_truncation)]
            let advance = new.len() as u32;
            self.next_seq = Some(next.wrapping_add(advance));
        }
    }

    /// Gives up waiting for a missing segment: continues at the earliest data held.
    pub fn skip_gap(&mut self, out: &mut Vec<u8>) {
        let Some(next) = self.next_seq else { return };
        let Some(seq) = self
            .pending
            .keys()
            .copied()
            .min_by_key(|s| s.wrapping_sub(next))
        else {
            return;
        };
        self.gaps += seq.wrapping_sub(next) as usize;
        self.next_seq = Some(seq);
        self.drain_ready(out);
    }

    /// Appends the early segments that now follow on.
    fn drain_ready(&mut self, out: &mut Vec<u8>) {
        while let Some(next) = self.next_seq {
            let ready = self
                .pending
                .keys()
                .copied()
                .find(|s| (s.wrapping_sub(next) as i32) <= 0);
            let Some(data) = ready.and_then(|seq| self.pending.remove(&seq).map(|d| (seq, d)))
            else {
                break;
            };
            self.pending_octets -= data.1.len();
            self.accept(next, data.0, &data.1, out);
        }
    }

    /// True if data is held behind a gap.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(seq: u32, payload: &[u8]) -> Segment<'_> {
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        Segment {
            src: a,
            dst: a,
            seq,
            syn: false,
            payload,
        }
    }

    #[test]
    fn reassembles_out_of_order_and_retransmitted_segments() {
        let mut s = Stream::default();
        let syn = Segment {
            syn: true,
            ..seg(u32::MAX - 1, b"")
        };
        assert!(s.push(&syn).is_empty());
        // Sequence numbers wrap around zero on the way.
        assert_eq!(s.push(&seg(u32::MAX, b"ab")), b"ab");
        assert!(s.push(&seg(3, b"ef")).is_empty()); // early
        assert_eq!(s.push(&seg(0, b"bcd")), b"cdef"); // overlaps one octet, fills the gap
        assert!(s.push(&seg(2, b"de")).is_empty()); // pure retransmission
        assert!(!s.has_pending());
    }

    #[test]
    fn skips_a_gap_when_asked() {
        let mut s = Stream::default();
        assert_eq!(s.push(&seg(100, b"ab")), b"ab");
        assert!(s.push(&seg(110, b"xy")).is_empty());
        let mut out = Vec::new();
        s.skip_gap(&mut out);
        assert_eq!((out.as_slice(), s.gaps), (&b"xy"[..], 8));
    }
}
