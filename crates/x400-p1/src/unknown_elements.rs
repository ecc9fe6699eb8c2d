//! Dropping unknown elements from the 1984 envelope SETs before the BER decoder sees them.
//!
//! The 1984 P1 modules of ISODE (`pepy/P1.py`) and PP (`Chans/x40084/P1_in.py`) carry
//! EAN-specific extras (`[UNIVERSAL 17] IMPLICIT ANY` in the envelope, `[UNIVERSAL 2]` in
//! RecipientInfo, `[UNIVERSAL 3]` in EIT) that X.411 (1984) does not have, so a receiver
//! ignores unknown elements there rather than failing. rasn's SET derive rejects any element it
//! has no field for, so this pass removes them first.
//!
//! Scope: the SETs of a 1984 MPDU's envelope and report content (UMPDUEnvelope,
//! DeliveryReportEnvelope, DeliveryReportContent, ProbeEnvelope), each RecipientInfo of their
//! `[2]` recipient list, and the `original` EncodedInformationTypes in them. An element is
//! unknown if its tag (class and number, either form) is none of that SET's members; any class
//! counts, as the EAN extras are universal-tagged. Everything else (O/R names, identifiers,
//! trace, reported recipients, the 1988 MTS-APDU, whose envelopes have their own extension
//! mechanism) stays strict: an unknown element there is still an error.
//!
//! Bounded: the walk follows the fixed shape above (at most four levels below the MPDU, no
//! recursion), each level parses its children once with the shared BER reader, which walks a
//! value without recursion. Octets it cannot follow are left untouched for the BER decoder to
//! reject.

use alloc::vec::Vec;

use osi_sansio::{DecodeLimits, ber};

/// One parsed TLV header: where its contents are and where it ends.
#[derive(Clone, Copy)]
struct Tlv {
    /// Class bits (`0xc0` mask) and tag number; `None` for a number above 30, which no
    /// member of the SETs walked here has.
    tag: Option<(u8, u8)>,
    /// Identifier and length octets, `start..contents_start`.
    start: usize,
    /// Identifier octets, from `start`.
    identifier_len: usize,
    contents_start: usize,
    /// End of the contents (before the end-of-contents octets of an indefinite length).
    contents_end: usize,
    /// End of the whole TLV.
    end: usize,
}

const UNIVERSAL: u8 = 0x00;
const APPLICATION: u8 = 0x40;
const CONTEXT: u8 = 0x80;
const PRIVATE: u8 = 0xc0;

/// The limits of the outline walk: none but the reader's own nesting bound, since
/// `decode_with` has already held the octets to the caller's limits.
const OUTLINE: DecodeLimits = DecodeLimits::DEFAULT
    .with_max_len(usize::MAX)
    .with_max_depth(ber::MAX_DEPTH)
    .with_max_elements(usize::MAX);

/// `(class, number)` of the members of each SET walked, from the 1984 ASN.1 (PP's `P1_in.py`).
const UMPDU_ENVELOPE: &[(u8, u8)] = &[
    (APPLICATION, 4),  // mpduID MPDUIdentifier
    (APPLICATION, 0),  // originator ORName
    (APPLICATION, 5),  // original EncodedInformationTypes
    (APPLICATION, 6),  // ContentType
    (APPLICATION, 10), // UAContentId
    (APPLICATION, 7),  // Priority
    (APPLICATION, 8),  // PerMessageFlag
    (CONTEXT, 0),      // deferredDelivery
    (CONTEXT, 1),      // per-domain bilateral info
    (CONTEXT, 2),      // recipients
    (APPLICATION, 9),  // TraceInformation
];
const DR_ENVELOPE: &[(u8, u8)] = &[(APPLICATION, 4), (APPLICATION, 0), (APPLICATION, 9)];
const DR_CONTENT: &[(u8, u8)] = &[
    (APPLICATION, 4),  // original MPDUIdentifier
    (APPLICATION, 9),  // intermediate TraceInformation
    (APPLICATION, 10), // UAContentId
    (CONTEXT, 0),      // reported recipients
    (CONTEXT, 1),      // returned content
    (CONTEXT, 2),      // billingInformation
];
const PROBE_ENVELOPE: &[(u8, u8)] = &[
    (APPLICATION, 4),
    (APPLICATION, 0),
    (APPLICATION, 6),
    (APPLICATION, 10),
    (APPLICATION, 5),
    (APPLICATION, 9),
    (APPLICATION, 8),
    (CONTEXT, 0), // contentLength
    (CONTEXT, 1),
    (CONTEXT, 2),
];
const RECIPIENT_INFO: &[(u8, u8)] = &[(APPLICATION, 0), (CONTEXT, 0), (CONTEXT, 1), (CONTEXT, 2)];
/// `[4]` is the 1988 member the shared type also decodes, so it is not dropped.
const EIT: &[(u8, u8)] = &[
    (CONTEXT, 0),
    (CONTEXT, 1),
    (CONTEXT, 2),
    (CONTEXT, 3),
    (CONTEXT, 4),
];

/// Where the walk goes inside a SET's members.
#[derive(Clone, Copy)]
enum Inside {
    /// The member is kept as it is.
    Nothing,
    /// The member is an EncodedInformationTypes SET: filter it with [`EIT`].
    Eit,
    /// The member is a SEQUENCE OF RecipientInfo: filter each with [`RECIPIENT_INFO`].
    Recipients,
}

/// The members the walk descends into: in an envelope (`envelope`), the original EIT and the
/// recipient list; nothing elsewhere.
fn inside(envelope: bool, tag: (u8, u8)) -> Inside {
    match tag {
        (APPLICATION, 5) if envelope => Inside::Eit,
        (CONTEXT, 2) if envelope => Inside::Recipients,
        _ => Inside::Nothing,
    }
}

/// The 1984 MPDU in `data` with unknown elements dropped from its envelope SETs (see the module
/// documentation), followed by whatever octets came after it; `None` if nothing was dropped or
/// the octets are not a well-formed MPDU shape, so that the decoder sees the original octets.
pub(crate) fn strip_mpdu_1984(data: &[u8]) -> Option<Vec<u8>> {
    let mpdu = parse(data, 0)?;
    let mut out = Vec::with_capacity(data.len());
    let mut dropped = false;
    match mpdu.tag? {
        // UserMPDU ::= [0] IMPLICIT SEQUENCE { envelope SET, content OCTET STRING }
        (CONTEXT, 0) => wrap(data, mpdu, &mut out, |out| {
            let mut pos = mpdu.contents_start;
            let envelope = parse(data, pos)?;
            if envelope.tag? != (UNIVERSAL, 17) || envelope.end > mpdu.contents_end {
                return None;
            }
            dropped |= filter_set(data, envelope, UMPDU_ENVELOPE, true, out)?;
            pos = envelope.end;
            out.extend_from_slice(data.get(pos..mpdu.contents_end)?);
            Some(())
        })?,
        // DeliveryReportMPDU ::= [1] IMPLICIT SEQUENCE { envelope SET, content SET }
        (CONTEXT, 1) => wrap(data, mpdu, &mut out, |out| {
            let envelope = parse(data, mpdu.contents_start)?;
            let content = parse(data, envelope.end)?;
            if envelope.tag? != (UNIVERSAL, 17)
                || content.tag? != (UNIVERSAL, 17)
                || content.end > mpdu.contents_end
            {
                return None;
            }
            dropped |= filter_set(data, envelope, DR_ENVELOPE, false, out)?;
            dropped |= filter_set(data, content, DR_CONTENT, false, out)?;
            out.extend_from_slice(data.get(content.end..mpdu.contents_end)?);
            Some(())
        })?,
        // ProbeMPDU ::= [2] IMPLICIT ProbeEnvelope (a SET)
        (CONTEXT, 2) => dropped |= filter_set(data, mpdu, PROBE_ENVELOPE, true, &mut out)?,
        _ => return None,
    }
    if !dropped {
        return None;
    }
    out.extend_from_slice(data.get(mpdu.end..)?);
    Some(out)
}

/// Writes the SET `set` with the elements not in `members` left out, descending as [`inside`]
/// says (`envelope`: `set` is a UMPDUEnvelope or ProbeEnvelope); `Some(true)` if anything was
/// left out.
fn filter_set(
    data: &[u8],
    set: Tlv,
    members: &[(u8, u8)],
    envelope: bool,
    out: &mut Vec<u8>,
) -> Option<bool> {
    let mut dropped = false;
    wrap(data, set, out, |out| {
        let mut pos = set.contents_start;
        while pos < set.contents_end {
            let member = parse(data, pos)?;
            if member.end > set.contents_end {
                return None;
            }
            pos = member.end;
            let Some(tag) = member.tag.filter(|t| members.contains(t)) else {
                dropped = true;
                continue;
            };
            match inside(envelope, tag) {
                Inside::Eit => dropped |= filter_set(data, member, EIT, false, out)?,
                Inside::Recipients => {
                    // SEQUENCE OF RecipientInfo: every element must be a SET.
                    wrap(data, member, out, |out| {
                        let mut p = member.contents_start;
                        while p < member.contents_end {
                            let info = parse(data, p)?;
                            if info.tag? != (UNIVERSAL, 17) || info.end > member.contents_end {
                                return None;
                            }
                            p = info.end;
                            dropped |= filter_set(data, info, RECIPIENT_INFO, false, out)?;
                        }
                        Some(())
                    })?;
                }
                Inside::Nothing => out.extend_from_slice(data.get(member.start..member.end)?),
            }
        }
        Some(())
    })?;
    Some(dropped)
}

/// Writes `tlv`'s identifier, a definite length, and the contents `body` writes.
fn wrap(
    data: &[u8],
    tlv: Tlv,
    out: &mut Vec<u8>,
    body: impl FnOnce(&mut Vec<u8>) -> Option<()>,
) -> Option<()> {
    let mut contents = Vec::new();
    body(&mut contents)?;
    out.extend_from_slice(data.get(tlv.start..tlv.start.checked_add(tlv.identifier_len)?)?);
    let mut length = [0u8; ber::MAX_LENGTH_LEN];
    let n = ber::write_length(contents.len(), &mut length).ok()?;
    out.extend_from_slice(length.get(..n)?);
    out.extend_from_slice(&contents);
    Some(())
}

/// The TLV at `pos`: its tag and where its parts are, or `None` if the octets there are not
/// one whole BER value.
fn parse(data: &[u8], pos: usize) -> Option<Tlv> {
    let (value, rest) = ber::read_with(data.get(pos..)?, &OUTLINE).ok()?;
    let end = data.len() - rest.len();
    let contents_end = if value.indefinite {
        end.checked_sub(2)?
    } else {
        end
    };
    let class = match value.class {
        ber::Class::Universal => UNIVERSAL,
        ber::Class::Application => APPLICATION,
        ber::Class::Context => CONTEXT,
        ber::Class::Private => PRIVATE,
    };
    Some(Tlv {
        tag: u8::try_from(value.number)
            .ok()
            .filter(|n| *n < 31)
            .map(|n| (class, n)),
        start: pos,
        identifier_len: value.identifier.len(),
        contents_start: contents_end.checked_sub(value.contents.len())?,
        contents_end,
        end,
    })
}
