//! Splitting one transfer APDU as its octets arrive, so that an MTA can keep a message's
//! content out of memory: the envelope is buffered (bounded), the content octets are handed
//! on as they come, borrowed from the input.
//!
//! Both P1 generations have the same outer shape (X.411 (1984) `MPDU`, X.411 §12 `MTS-APDU`):
//! a message is `[0]` constructed (`A0`) holding the envelope SET (`31`) then the content
//! OCTET STRING (`04`, or `24` constructed from segments, X.690 8.7.3); a report is `[1]`
//! (`A1`) and a probe `[2]` (`A2`), both small, and handed on whole. Lengths may be definite
//! or indefinite (X.690 8.1.3) at every level.
//!
//! For relaying, [`message_prefix`] writes the octets that go before the unchanged content.
//! The envelope octets decode with [`crate::decode`] as
//! [`MessageTransferEnvelope`](crate::mta_abstract_service::MessageTransferEnvelope) (1988) or
//! [`UmpduEnvelope`](crate::p1_1984::UmpduEnvelope) (1984, ignoring unknown elements as the
//! whole MPDU does), and [`crate::encode`] writes them.

use alloc::vec::Vec;
use core::fmt;

mod error;
mod header;
mod limits;
mod prefix;

pub use self::error::SplitError;
use self::header::{Header, parse_header};
pub use self::limits::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_ENVELOPE, DEFAULT_MAX_WHOLE, SplitLimits};
pub use self::prefix::{PrefixTooLong, message_prefix};

/// Octets of a TLV header the splitter holds at most: one identifier octet, a tag number of
/// up to 32 bits in five more, one length octet and up to eight length octets.
const MAX_HEADER: usize = 15;

/// Which transfer APDU the octets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `[0]`: a message (1984 `UserMPDU`).
    Message,
    /// `[1]`: a report (1984 `DeliveryReportMPDU`).
    Report,
    /// `[2]`: a probe (1984 `ProbeMPDU`).
    Probe,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Message => "message",
            Self::Report => "report",
            Self::Probe => "probe",
        })
    }
}

/// One piece of an APDU, in the order the splitter gives them: `Start`, then `Envelope` and
/// any number of `Content` (a message) or `Whole` (a report or probe), then `End`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// First piece: which APDU this is.
    Start(Kind),
    /// A message's envelope: the complete TLV octets of the envelope SET.
    Envelope(&'a [u8]),
    /// The next octets of the message content's value (of a primitive OCTET STRING, or of the
    /// segments of a constructed one, in order), borrowed from the input.
    Content(&'a [u8]),
    /// A report or probe: the complete APDU octets.
    Whole(&'a [u8]),
    /// The APDU is complete; `content_len` octets of content were given.
    End {
        /// Sum of the lengths of the `Content` pieces.
        content_len: u64,
    },
}

/// Where the splitter is in the APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before the APDU's identifier.
    Start,
    /// A message: its envelope comes next.
    Envelope,
    /// Inside the envelope, buffering.
    InEnvelope,
    /// The content comes next.
    Content,
    /// Inside the content, passing its octets on.
    InContent,
    /// After the content: only the message's end may come.
    AfterContent,
    /// A report or probe, buffering.
    Whole,
    /// The APDU is complete.
    Done,
}

/// What an open constructed value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The APDU.
    Apdu,
    /// The message's envelope SET.
    Envelope,
    /// The message's constructed content OCTET STRING.
    Content,
    /// A constructed segment inside the content.
    Segment,
    /// Any value inside the envelope or a whole report or probe.
    Inner,
}

/// An open constructed value.
#[derive(Debug, Clone, Copy)]
struct Frame {
    role: Role,
    /// Offset of the end of a definite-length value; `None` if indefinite.
    end: Option<u64>,
    /// The nearest definite end, of this value or one that holds it.
    limit: Option<u64>,
}

/// An incremental splitter of one transfer APDU (see the module documentation).
///
/// Memory is bounded whatever the input: the envelope (at most
/// [`SplitLimits::max_envelope`]) or a whole report or probe (at most
/// [`SplitLimits::max_whole`]), one TLV header, and one small record per open constructed
/// value (at most [`SplitLimits::max_depth`]). Content octets are never copied.
#[derive(Debug, Clone)]
pub struct TransferSplitter {
    limits: SplitLimits,
    stage: Stage,
    kind: Option<Kind>,
    /// Octets consumed.
    pos: u64,
    hdr: [u8; MAX_HEADER],
    hdr_len: usize,
    hdr_start: u64,
    /// Octets still to come of the primitive value being read, if one is.
    value_left: Option<u64>,
    frames: Vec<Frame>,
    buf: Vec<u8>,
    content_len: u64,
    failed: Option<SplitError>,
}

/// `usize` to `u64`: lossless on every target Rust supports.
fn wide(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl TransferSplitter {
    /// A splitter waiting for an APDU's first octet.
    #[must_use]
    pub fn new(limits: SplitLimits) -> Self {
        Self {
            limits,
            stage: Stage::Start,
            kind: None,
            pos: 0,
            hdr: [0; MAX_HEADER],
            hdr_len: 0,
            hdr_start: 0,
            value_left: None,
            frames: Vec::new(),
            buf: Vec::new(),
            content_len: 0,
            failed: None,
        }
    }

    /// Feeds the next octets of the APDU, split anywhere; calls `out` for each piece.
    ///
    /// # Errors
    ///
    /// [`SplitError`] saying what is wrong and where. The splitter then stays failed: every
    /// later call returns the same error.
    pub fn feed(&mut self, input: &[u8], out: &mut dyn FnMut(Piece<'_>)) -> Result<(), SplitError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.run(input, out);
        if let Err(e) = &result {
            self.failed = Some(e.clone());
            self.buf = Vec::new();
            self.frames = Vec::new();
        }
        result
    }

    /// No more octets: `Ok` if the APDU was complete (its `End` was given).
    ///
    /// # Errors
    ///
    /// [`SplitError::Truncated`] if it was not, or the error a [`Self::feed`] returned.
    pub fn finish(&self) -> Result<(), SplitError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.stage == Stage::Done {
            return Ok(());
        }
        let during = match self.stage {
            Stage::Start if self.hdr_len == 0 => "before the first octet",
            Stage::Start => "in the APDU's identifier or length",
            Stage::Envelope => "before the envelope",
            Stage::InEnvelope => "in the envelope",
            Stage::Content => "before the content",
            Stage::InContent => "in the content",
            Stage::AfterContent => "before the end of the message",
            Stage::Whole => "in the report or probe",
            Stage::Done => "after the end",
        };
        Err(SplitError::Truncated {
            offset: self.pos,
            during,
        })
    }

    /// Octets held now: the envelope or whole APDU so far, and a partial TLV header.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_add(self.hdr_len)
    }

    /// Octets fed so far that belong to the APDU.
    #[must_use]
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Which APDU this is, once its identifier has been read.
    #[must_use]
    pub fn kind(&self) -> Option<Kind> {
        self.kind
    }

    /// Whether the APDU is complete.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    fn run(&mut self, mut input: &[u8], out: &mut dyn FnMut(Piece<'_>)) -> Result<(), SplitError> {
        loop {
            if self.hdr_len == 0 && self.value_left.is_none() {
                self.close_ended(out)?;
            }
            if input.is_empty() {
                return Ok(());
            }
            if self.stage == Stage::Done {
                return Err(SplitError::TrailingOctets {
                    offset: self.pos,
                    len: input.len(),
                });
            }
            if let Some(left) = self.value_left {
                let n = usize::try_from(left).map_or(input.len(), |l| l.min(input.len()));
                let (chunk, rest) = input.split_at_checked(n).unwrap_or((input, &[]));
                input = rest;
                self.value_octets(chunk, out)?;
                let left = left - wide(chunk.len());
                self.value_left = (left > 0).then_some(left);
                if left == 0 {
                    self.value_done();
                }
            } else if let Some((&octet, rest)) = input.split_first() {
                input = rest;
                self.header_octet(octet, out)?;
            }
        }
    }

    /// Pops every constructed value that ends here and acts on its end.
    fn close_ended(&mut self, out: &mut dyn FnMut(Piece<'_>)) -> Result<(), SplitError> {
        while let Some(top) = self.frames.last().copied() {
            if top.end == Some(self.pos) {
                self.frames.pop();
                self.closed(top.role, out)?;
            } else if top.end.is_none() && top.limit == Some(self.pos) {
                return Err(SplitError::BadLength {
                    offset: self.pos,
                    what: "an indefinite-length value runs past the end of the value that holds it",
                });
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Acts on the end of a constructed value.
    fn closed(&mut self, role: Role, out: &mut dyn FnMut(Piece<'_>)) -> Result<(), SplitError> {
        match role {
            Role::Inner | Role::Segment => {}
            Role::Envelope => {
                out(Piece::Envelope(&self.buf));
                // Give the envelope's memory back while the content streams.
                self.buf = Vec::new();
                self.stage = Stage::Content;
            }
            Role::Content => self.stage = Stage::AfterContent,
            Role::Apdu => match self.stage {
                Stage::Envelope => return Err(SplitError::NoEnvelope { offset: self.pos }),
                Stage::Content => return Err(SplitError::NoContent { offset: self.pos }),
                Stage::AfterContent => {
                    out(Piece::End {
                        content_len: self.content_len,
                    });
                    self.stage = Stage::Done;
                }
                Stage::Whole => {
                    out(Piece::Whole(&self.buf));
                    out(Piece::End { content_len: 0 });
                    self.buf = Vec::new();
                    self.stage = Stage::Done;
                }
                _ => {
                    return Err(SplitError::BadLength {
                        offset: self.pos,
                        what: "the APDU ends inside one of its values",
                    });
                }
            },
        }
        Ok(())
    }

    /// Takes one octet of a TLV header; acts on the header once it is complete.
    fn header_octet(
        &mut self,
        octet: u8,
        out: &mut dyn FnMut(Piece<'_>),
    ) -> Result<(), SplitError> {
        if self.hdr_len == 0 {
            self.hdr_start = self.pos;
            // The APDU's identifier is one octet: say at once if it is not one.
            if self.stage == Stage::Start && !matches!(octet, 0xa0..=0xa2) {
                return Err(SplitError::UnknownApdu {
                    offset: self.pos,
                    identifier: octet,
                });
            }
        }
        let slot = self
            .hdr
            .get_mut(self.hdr_len)
            .ok_or(SplitError::BadIdentifier {
                offset: self.hdr_start,
                what: "a TLV header longer than 15 octets",
            })?;
        *slot = octet;
        self.hdr_len += 1;
        self.pos += 1;
        let octets = self.hdr;
        let size = self.hdr_len;
        let at = self.hdr_start;
        let Some(h) = parse_header(octets.get(..size).unwrap_or_default(), at)? else {
            return Ok(());
        };
        self.hdr_len = 0;
        self.header(h, octets.get(..size).unwrap_or_default(), out)
    }

    /// Acts on a complete TLV header whose octets are `raw`.
    fn header(
        &mut self,
        h: Header,
        raw: &[u8],
        out: &mut dyn FnMut(Piece<'_>),
    ) -> Result<(), SplitError> {
        let at = self.hdr_start;
        let bad_length = |what| SplitError::BadLength { offset: at, what };
        let limit = self.frames.last().and_then(|f| f.limit);
        if limit.is_some_and(|l| self.pos > l) {
            return Err(bad_length(
                "the header runs past the end of the value that holds it",
            ));
        }
        if h.is_eoc() {
            return self.end_of_contents(h, raw, out);
        }
        let end = match h.len {
            Some(len) => Some(
                self.pos
                    .checked_add(len)
                    .ok_or(bad_length("length too large"))?,
            ),
            None if !h.constructed => {
                // X.690 8.1.3.2 a: a primitive value has a definite length.
                return Err(bad_length("a primitive value with an indefinite length"));
            }
            None => None,
        };
        if let (Some(e), Some(l)) = (end, limit)
            && e > l
        {
            return Err(bad_length("a value longer than the value that holds it"));
        }
        match self.stage {
            Stage::Start => self.apdu(h, raw, end, out),
            Stage::Envelope => {
                if h.identifier != 0x31 {
                    return Err(SplitError::NotEnvelope {
                        offset: at,
                        identifier: h.identifier,
                    });
                }
                if let Some(e) = end {
                    let len = e - at;
                    if len > wide(self.limits.max_envelope) {
                        return Err(SplitError::EnvelopeTooLarge {
                            offset: at,
                            len,
                            max: self.limits.max_envelope,
                        });
                    }
                    self.buf.reserve_exact(usize::try_from(len).unwrap_or(0));
                }
                self.push(Role::Envelope, end)?;
                self.stage = Stage::InEnvelope;
                self.keep(raw)
            }
            Stage::InEnvelope | Stage::Whole => {
                self.keep(raw)?;
                self.open(h, Role::Inner, end)
            }
            Stage::Content => match h.identifier {
                0x04 => {
                    self.stage = Stage::InContent;
                    self.begin_value(h.len);
                    Ok(())
                }
                0x24 => {
                    self.stage = Stage::InContent;
                    self.push(Role::Content, end)
                }
                identifier => Err(SplitError::NotContent {
                    offset: at,
                    identifier,
                }),
            },
            Stage::InContent => {
                if (h.class, h.number) != (0, 4) {
                    return Err(SplitError::BadSegment {
                        offset: at,
                        identifier: h.identifier,
                    });
                }
                self.open(h, Role::Segment, end)
            }
            Stage::AfterContent => Err(SplitError::AfterContent {
                offset: at,
                identifier: h.identifier,
            }),
            Stage::Done => Err(SplitError::TrailingOctets {
                offset: at,
                len: raw.len(),
            }),
        }
    }

    /// The APDU's own header.
    fn apdu(
        &mut self,
        h: Header,
        raw: &[u8],
        end: Option<u64>,
        out: &mut dyn FnMut(Piece<'_>),
    ) -> Result<(), SplitError> {
        let kind = match h.identifier {
            0xa0 => Kind::Message,
            0xa1 => Kind::Report,
            0xa2 => Kind::Probe,
            identifier => {
                return Err(SplitError::UnknownApdu {
                    offset: self.hdr_start,
                    identifier,
                });
            }
        };
        self.kind = Some(kind);
        out(Piece::Start(kind));
        if kind == Kind::Message {
            self.stage = Stage::Envelope;
            return self.push(Role::Apdu, end);
        }
        if let Some(len) = end
            && len > wide(self.limits.max_whole)
        {
            return Err(SplitError::WholeTooLarge {
                offset: 0,
                kind,
                len,
                max: self.limits.max_whole,
            });
        }
        if let Some(len) = end {
            self.buf.reserve_exact(usize::try_from(len).unwrap_or(0));
        }
        self.stage = Stage::Whole;
        self.push(Role::Apdu, end)?;
        self.keep(raw)
    }

    /// End-of-contents octets (X.690 8.1.5): they close the innermost indefinite value.
    fn end_of_contents(
        &mut self,
        h: Header,
        raw: &[u8],
        out: &mut dyn FnMut(Piece<'_>),
    ) -> Result<(), SplitError> {
        let at = self.hdr_start;
        if h.len != Some(0) {
            return Err(SplitError::BadLength {
                offset: at,
                what: "end-of-contents octets with a length other than 0",
            });
        }
        let Some(top) = self.frames.last().copied() else {
            return Err(SplitError::TrailingOctets {
                offset: at,
                len: raw.len(),
            });
        };
        if top.end.is_some() {
            return Err(SplitError::BadLength {
                offset: at,
                what: "end-of-contents octets inside a definite-length value",
            });
        }
        if matches!(self.stage, Stage::InEnvelope | Stage::Whole) {
            self.keep(raw)?;
        }
        self.frames.pop();
        self.closed(top.role, out)
    }

    /// Opens a value inside the envelope, a whole APDU or the content.
    fn open(&mut self, h: Header, role: Role, end: Option<u64>) -> Result<(), SplitError> {
        if h.constructed {
            self.push(role, end)
        } else {
            self.begin_value(h.len);
            Ok(())
        }
    }

    fn push(&mut self, role: Role, end: Option<u64>) -> Result<(), SplitError> {
        if self.frames.len() >= self.limits.max_depth {
            return Err(SplitError::TooDeep {
                offset: self.hdr_start,
                max: self.limits.max_depth,
            });
        }
        let limit = end.or_else(|| self.frames.last().and_then(|f| f.limit));
        self.frames.push(Frame { role, end, limit });
        Ok(())
    }

    fn begin_value(&mut self, len: Option<u64>) {
        match len {
            Some(n) if n > 0 => self.value_left = Some(n),
            _ => self.value_done(),
        }
    }

    /// A primitive value is complete: if it was the content itself, the content is too.
    fn value_done(&mut self) {
        let directly_in_apdu = self.frames.last().is_some_and(|f| f.role == Role::Apdu);
        if self.stage == Stage::InContent && directly_in_apdu {
            self.stage = Stage::AfterContent;
        }
    }

    /// Octets of a primitive value: kept (envelope, whole APDU) or handed on (content).
    fn value_octets(
        &mut self,
        chunk: &[u8],
        out: &mut dyn FnMut(Piece<'_>),
    ) -> Result<(), SplitError> {
        self.pos += wide(chunk.len());
        if self.stage == Stage::InContent {
            if !chunk.is_empty() {
                self.content_len = self.content_len.saturating_add(wide(chunk.len()));
                out(Piece::Content(chunk));
            }
            Ok(())
        } else {
            self.keep(chunk)
        }
    }

    /// Appends to the envelope or whole APDU, within its limit.
    fn keep(&mut self, octets: &[u8]) -> Result<(), SplitError> {
        let len = self.buf.len().saturating_add(octets.len());
        if self.stage == Stage::Whole {
            if len > self.limits.max_whole {
                return Err(SplitError::WholeTooLarge {
                    offset: self.pos,
                    kind: self.kind.unwrap_or(Kind::Report),
                    len: wide(len),
                    max: self.limits.max_whole,
                });
            }
        } else if len > self.limits.max_envelope {
            return Err(SplitError::EnvelopeTooLarge {
                offset: self.pos,
                len: wide(len),
                max: self.limits.max_envelope,
            });
        }
        self.buf.extend_from_slice(octets);
        Ok(())
    }
}
