//! The responsibility flag of each recipient, for the copy of a message sent to one next hop.
//!
//! X.411 12.2.1.1.1.6 (responsibility): bit 0 of a recipient's per-recipient-indicators says
//! whether the MTA that receives the message is responsible for the recipient (delivering,
//! transferring or reporting on it), or whether the recipient is only listed (e.g. for the
//! disclosure of recipients). When an MTA splits a message's recipients across next hops, each
//! copy carries every recipient, and makes the next hop responsible for exactly its own.

use x400_p1::mta_abstract_service::{MessageTransferEnvelope, PerRecipientMessageTransferFields};

/// The bit of the per-recipient-indicators that says "responsible" (X.411 12.2.1.1.1.6).
pub const RESPONSIBILITY_BIT: usize = 0;

/// An index that names no recipient of the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("recipient {index} does not exist: the envelope has {recipients} recipients")]
pub struct NoSuchRecipient {
    /// The index given.
    pub index: usize,
    /// How many recipients the envelope has.
    pub recipients: usize,
}

/// Whether the MTA that holds this copy is responsible for the recipient.
///
/// Per-recipient-indicators too short to hold bit 0 (X.411 requires 8 bits at least, so only
/// a malformed envelope has them) say "not responsible".
#[must_use]
pub fn is_responsible(fields: &PerRecipientMessageTransferFields) -> bool {
    fields
        .per_recipient_indicators
        .get(RESPONSIBILITY_BIT)
        .is_some_and(|b| *b)
}

/// The indices of the recipients this MTA is responsible for, in order.
#[must_use]
pub fn responsible_recipients(envelope: &MessageTransferEnvelope) -> Vec<usize> {
    envelope
        .per_recipient_fields
        .iter()
        .enumerate()
        .filter(|(_, f)| is_responsible(f))
        .map(|(i, _)| i)
        .collect()
}

/// Sets the responsibility flags of a copy of the message for one next hop: responsible for
/// the recipients in `responsible` (indices into `per-recipient-fields`), not for the others.
/// Returns how many recipients the copy makes the next hop responsible for (0: there is no
/// need to send it).
///
/// A recipient this MTA is not responsible for on arrival stays not responsible, even if
/// listed: responsibility moves along the path of the message and is never created by a
/// relay. Every other bit of the per-recipient-indicators, and their length, are kept.
/// Duplicate indices are harmless.
///
/// # Errors
///
/// [`NoSuchRecipient`] for an index past the last recipient; the envelope is then unchanged.
pub fn set_responsibility(
    envelope: &mut MessageTransferEnvelope,
    responsible: &[usize],
) -> Result<usize, NoSuchRecipient> {
    set_recipient_responsibility(&mut envelope.per_recipient_fields, responsible)
}

/// [`set_responsibility`] on the per-recipient fields themselves (a probe's
/// `per-recipient-fields` are the same type).
///
/// # Errors
///
/// [`NoSuchRecipient`] for an index past the last recipient; the fields are then unchanged.
pub fn set_recipient_responsibility(
    fields: &mut [PerRecipientMessageTransferFields],
    responsible: &[usize],
) -> Result<usize, NoSuchRecipient> {
    let mut takes = vec![false; fields.len()];
    for &index in responsible {
        let slot = takes.get_mut(index).ok_or(NoSuchRecipient {
            index,
            recipients: fields.len(),
        })?;
        *slot = true;
    }
    let mut count = 0;
    for (f, takes) in fields.iter_mut().zip(takes) {
        if let Some(mut bit) = f.per_recipient_indicators.get_mut(RESPONSIBILITY_BIT) {
            let keep = *bit && takes;
            *bit = keep;
            count += usize::from(keep);
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::fixtures::{envelope, indicators};
    use x400_p1::BitString;
    use x400_p1::mts_abstract_service::OrName;

    fn bits(e: &MessageTransferEnvelope) -> Vec<BitString> {
        e.per_recipient_fields
            .iter()
            .map(|f| f.per_recipient_indicators.clone())
            .collect()
    }

    #[test]
    fn the_hop_is_responsible_for_exactly_its_recipients() {
        // Bit 0 responsible, bit 2 originating-MTA-non-delivery-report ("basic"), bit 4
        // originator-non-delivery-report: 1010 1000 = 0xA8 (`81 02 00 A8` on the wire).
        let r = || (OrName::default(), indicators(0xA8, 8));
        let mut e = envelope(vec![r(), r(), r()]);
        assert_eq!(responsible_recipients(&e), [0, 1, 2]);
        assert_eq!(set_responsibility(&mut e, &[1]), Ok(1));
        assert_eq!(
            bits(&e),
            [
                indicators(0x28, 8),
                indicators(0xA8, 8),
                indicators(0x28, 8)
            ]
        );
        assert_eq!(responsible_recipients(&e), [1]);
    }

    #[test]
    fn other_bits_and_length_are_kept() {
        // 16 bits, every other bit set: only bit 0 may change.
        let all = BitString::from_slice(&[0xFF, 0xFF]);
        let mut e = envelope(vec![
            (OrName::default(), all.clone()),
            (OrName::default(), indicators(0xFF, 11)),
        ]);
        assert_eq!(set_responsibility(&mut e, &[]), Ok(0));
        let mut cleared = all;
        cleared.set(0, false);
        assert_eq!(bits(&e), [cleared, indicators(0x7F, 11)]);
        assert_eq!(e.per_recipient_fields[1].per_recipient_indicators.len(), 11);
    }

    #[test]
    fn a_recipient_not_ours_never_becomes_the_hops() {
        let mut e = envelope(vec![
            (OrName::default(), indicators(0x28, 8)),
            (OrName::default(), indicators(0xA8, 8)),
            // Malformed: no bit 0 at all. Not responsible, and not grown.
            (OrName::default(), BitString::new()),
        ]);
        assert_eq!(set_responsibility(&mut e, &[0, 1, 2, 1]), Ok(1));
        assert_eq!(
            bits(&e),
            [indicators(0x28, 8), indicators(0xA8, 8), BitString::new()]
        );
    }

    #[test]
    fn an_index_past_the_end_is_refused_and_changes_nothing() {
        let mut e = envelope(vec![(OrName::default(), indicators(0xA8, 8))]);
        assert_eq!(
            set_responsibility(&mut e, &[3]),
            Err(NoSuchRecipient {
                index: 3,
                recipients: 1
            })
        );
        assert_eq!(bits(&e), [indicators(0xA8, 8)]);
    }
}
