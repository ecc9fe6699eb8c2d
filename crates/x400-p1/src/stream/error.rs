//! The splitter's error.

use super::Kind;

/// Why the octets are not one transfer APDU, with the offset (from the APDU's first octet) of
/// the element at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SplitError {
    /// The first identifier is not `A0`, `A1` or `A2`.
    #[error(
        "octet {offset}: identifier {identifier:#04x} is not a transfer APDU (message A0, report A1, probe A2)"
    )]
    UnknownApdu {
        /// Offset of the identifier.
        offset: u64,
        /// The identifier's first octet.
        identifier: u8,
    },
    /// A message's first element is not its envelope SET.
    #[error(
        "octet {offset}: identifier {identifier:#04x} where the message's envelope SET (31) must be"
    )]
    NotEnvelope {
        /// Offset of the element.
        offset: u64,
        /// The identifier's first octet.
        identifier: u8,
    },
    /// The message ends before its envelope.
    #[error("octet {offset}: the message ends without an envelope")]
    NoEnvelope {
        /// Offset of the message's end.
        offset: u64,
    },
    /// The envelope is longer than
    /// [`SplitLimits::max_envelope`](super::SplitLimits::max_envelope).
    #[error(
        "octet {offset}: the envelope is {len} octets or more, over the {max} accepted (SplitLimits::max_envelope)"
    )]
    EnvelopeTooLarge {
        /// Offset of the envelope.
        offset: u64,
        /// Its length (at least this much; exact if it was sent with a definite length).
        len: u64,
        /// The limit.
        max: usize,
    },
    /// A report or probe is longer than
    /// [`SplitLimits::max_whole`](super::SplitLimits::max_whole).
    #[error(
        "octet {offset}: the {kind} is {len} octets or more, over the {max} accepted (SplitLimits::max_whole)"
    )]
    WholeTooLarge {
        /// Offset where the limit was passed (0 if the length said so).
        offset: u64,
        /// Report or probe.
        kind: Kind,
        /// Its length (at least this much; exact if it was sent with a definite length).
        len: u64,
        /// The limit.
        max: usize,
    },
    /// The message ends after its envelope, without content.
    #[error("octet {offset}: the message has no content OCTET STRING after its envelope")]
    NoContent {
        /// Offset of the message's end.
        offset: u64,
    },
    /// Something else than an OCTET STRING follows the envelope.
    #[error(
        "octet {offset}: identifier {identifier:#04x} where the content OCTET STRING (04 or 24) must be"
    )]
    NotContent {
        /// Offset of the element.
        offset: u64,
        /// The identifier's first octet.
        identifier: u8,
    },
    /// A segment of a constructed content is not an OCTET STRING (X.690 8.7.3.2).
    #[error(
        "octet {offset}: identifier {identifier:#04x} in the constructed content, whose segments are OCTET STRINGs (04 or 24)"
    )]
    BadSegment {
        /// Offset of the element.
        offset: u64,
        /// The identifier's first octet.
        identifier: u8,
    },
    /// An element follows the content inside the message.
    #[error(
        "octet {offset}: identifier {identifier:#04x} after the content; a message holds only envelope and content"
    )]
    AfterContent {
        /// Offset of the element.
        offset: u64,
        /// The identifier's first octet.
        identifier: u8,
    },
    /// An identifier the splitter cannot read.
    #[error("octet {offset}: {what}")]
    BadIdentifier {
        /// Offset of the identifier.
        offset: u64,
        /// What is wrong with it.
        what: &'static str,
    },
    /// A length that is not valid BER or does not fit where it is.
    #[error("octet {offset}: {what}")]
    BadLength {
        /// Offset of the element whose length is at fault.
        offset: u64,
        /// What is wrong with it.
        what: &'static str,
    },
    /// Constructed values nest deeper than
    /// [`SplitLimits::max_depth`](super::SplitLimits::max_depth).
    #[error(
        "octet {offset}: constructed values nest more than {max} deep (SplitLimits::max_depth)"
    )]
    TooDeep {
        /// Offset of the value one too deep.
        offset: u64,
        /// The limit.
        max: usize,
    },
    /// Octets were fed after the APDU's end.
    #[error("octet {offset}: {len} octets follow the end of the APDU")]
    TrailingOctets {
        /// Offset of the first octet after the APDU.
        offset: u64,
        /// How many octets that feed held after the end.
        len: usize,
    },
    /// [`TransferSplitter::finish`](super::TransferSplitter::finish) before the APDU was
    /// complete.
    #[error("the octets end at offset {offset}, {during}, before the APDU is complete")]
    Truncated {
        /// Octets received.
        offset: u64,
        /// Where in the APDU the octets stopped.
        during: &'static str,
    },
}
