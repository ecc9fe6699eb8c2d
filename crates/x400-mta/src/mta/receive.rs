//! One transfer APDU arriving in pieces: its envelope decoded (bounded), its content written
//! to the store as it comes, so that a message of any size needs bounded memory.

use x400_p1::mta_abstract_service::{MessageTransferEnvelope, MtsApdu, Report};
use x400_p1::p1_1984::{Mpdu, UmpduEnvelope};
use x400_p1::stream::{Kind, Piece, SplitLimits, TransferSplitter};

use crate::peers::Protocol;
use crate::store::{Content, SpoolWriter, StoreError};

/// What arrived, complete.
#[derive(Debug)]
pub(crate) enum Received {
    /// A message: its envelope (1988 form) and its content.
    Message {
        envelope: Box<MessageTransferEnvelope>,
        content: Content,
        /// The content was over our limit and was not kept: every recipient is reported on.
        too_large: bool,
    },
    /// A report (1988 form).
    Report(Box<Report>),
}

/// Why an APDU could not be taken. The association is aborted: the sender keeps the APDU and
/// its operator reads why in our log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiveError {
    /// The octets are not a transfer APDU (X.411 12.2) within our bounds.
    #[error("the APDU is not a transfer APDU we take: {0}")]
    Split(#[from] x400_p1::stream::SplitError),
    /// The message's envelope does not decode (or, made here, encode).
    #[error("its envelope does not decode: {0}")]
    Envelope(x400_p1::Error),
    /// The report does not decode.
    #[error("the report does not decode: {0}")]
    Report(x400_p1::Error),
    /// A probe: this MTA does not take them.
    #[error("probes are not supported")]
    Probe,
    /// The store failed (a full disk): nothing of the APDU was queued.
    #[error("the store cannot take it: {0}")]
    Store(#[from] StoreError),
    /// The sender resumed an interrupted APDU, which this MTA does not offer.
    #[error("the sender resumed it at octet {0}, which this MTA does not offer")]
    Resumed(u64),
}

/// The APDU being received.
pub(crate) struct Receiver {
    protocol: Protocol,
    split: TransferSplitter,
    /// `None` once the content went over the limit: the rest is read and dropped.
    content: Option<SpoolWriter>,
    max_content: u64,
    envelope: Option<Vec<u8>>,
    whole: Option<(Kind, Vec<u8>)>,
    failed: Option<ReceiveError>,
}

impl Receiver {
    pub(crate) fn new(protocol: Protocol, content: SpoolWriter, max_content: u64) -> Self {
        Self {
            protocol,
            split: TransferSplitter::new(SplitLimits::DEFAULT),
            content: Some(content),
            max_content,
            envelope: None,
            whole: None,
            failed: None,
        }
    }

    /// The next octets of the APDU.
    pub(crate) fn data(&mut self, octets: &[u8]) -> Result<(), ReceiveError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let Self {
            split,
            content,
            envelope,
            whole,
            failed,
            max_content,
            ..
        } = self;
        let mut kind = None;
        split.feed(octets, &mut |piece| {
            if failed.is_some() {
                return;
            }
            match piece {
                Piece::Start(k) => kind = Some(k),
                Piece::Envelope(e) => *envelope = Some(e.to_vec()),
                Piece::Content(c) => {
                    let over = content
                        .as_ref()
                        .is_some_and(|w| w.len() + c.len() as u64 > *max_content);
                    if over {
                        // Dropping the writer removes what was spooled.
                        *content = None;
                    } else if let Some(w) = content.as_mut()
                        && let Err(e) = w.write(c)
                    {
                        *failed = Some(e.into());
                    }
                }
                Piece::Whole(w) => *whole = Some((kind.unwrap_or(Kind::Report), w.to_vec())),
                Piece::End { .. } => {}
            }
        })?;
        if let Some(Kind::Probe) = kind {
            return Err(ReceiveError::Probe);
        }
        match self.failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The APDU is complete: decode what must be decoded and make the content durable.
    pub(crate) fn finish(self) -> Result<Received, ReceiveError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        self.split.finish()?;
        if let Some((kind, octets)) = self.whole {
            if kind == Kind::Probe {
                return Err(ReceiveError::Probe);
            }
            let report = match self.protocol {
                Protocol::P1984 => match x400_p1::decode::<Mpdu>(&octets) {
                    Ok(Mpdu::DeliveryReportMpdu(r)) => Report::from(r),
                    Ok(_) => return Err(ReceiveError::Probe),
                    Err(e) => return Err(ReceiveError::Report(e)),
                },
                Protocol::P1988X410 => match x400_p1::decode::<MtsApdu>(&octets) {
                    Ok(MtsApdu::Report(r)) => r,
                    Ok(_) => return Err(ReceiveError::Probe),
                    Err(e) => return Err(ReceiveError::Report(e)),
                },
            };
            return Ok(Received::Report(Box::new(report)));
        }
        let octets = self.envelope.unwrap_or_default();
        let envelope = match self.protocol {
            Protocol::P1984 => x400_p1::decode::<UmpduEnvelope>(&octets)
                .map(MessageTransferEnvelope::from)
                .map_err(ReceiveError::Envelope)?,
            Protocol::P1988X410 => x400_p1::decode::<MessageTransferEnvelope>(&octets)
                .map_err(ReceiveError::Envelope)?,
        };
        let (content, too_large) = match self.content {
            Some(w) => (w.finish()?, false),
            None => (Content::Inline(Vec::new()), true),
        };
        Ok(Received::Message {
            envelope: Box::new(envelope),
            content,
            too_large,
        })
    }
}
