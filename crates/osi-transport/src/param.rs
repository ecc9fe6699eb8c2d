//! The variable part: (code, length, value) parameters, iterated, never collected.
//!
//! [`Params`] is the raw parameter area of a decoded TPDU, checked only for structure (every
//! parameter fits in the header). Re-encoding a TPDU copies it verbatim, so unknown
//! parameters, their order and duplicates survive a round trip. Typed values come from the
//! iterator; a known code with a length its definition forbids yields an error item, and the
//! caller decides what that means (X.224 13.2.3: ignore in a CR, protocol error elsewhere).

use crate::code::{AdditionalOptions, ParamCode, TpduSize};
use crate::{Error, Result};

/// Largest variable part: LI 254 minus the smallest fixed part (ER/DT/AK: 3 octets after LI).
pub const MAX_PARAMS_LEN: usize = 254 - 3;

/// An unsigned big-endian number of 1 to 4 octets, kept as received so that a value sent
/// with leading zero octets re-encodes identically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BeUint<'a>(&'a [u8]);

impl<'a> BeUint<'a> {
    /// Wraps 1 to 4 octets.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidField`] for any other length.
    pub fn new(octets: &'a [u8]) -> Result<Self> {
        if (1..=4).contains(&octets.len()) {
            Ok(Self(octets))
        } else {
            Err(Error::InvalidField {
                field: "binary number",
                reason: "must be 1 to 4 octets",
                at: 0,
            })
        }
    }

    /// The value.
    pub fn value(self) -> u32 {
        self.0
            .iter()
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
    }

    /// The octets as received.
    pub fn octets(self) -> &'a [u8] {
        self.0
    }
}

/// One typed parameter of a variable part (X.224 13.2.3, 13.3.4 and following).
///
/// Fixed-length values are decoded; variable-length ones stay borrowed octets. Which
/// parameters a TPDU type or class allows is the caller's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param<'a> {
    /// 0x85 acknowledgement time AL in milliseconds (2 octets).
    AckTime(u16),
    /// 0x86 residual error rate: target 10^-n, minimum acceptable 10^-n, TSDU size 2^n (3 octets).
    ResidualErrorRate([u8; 3]),
    /// 0x87 priority, 0 highest (2 octets).
    Priority(u16),
    /// 0x88 transit delay: target and maximum acceptable, calling to called then called to
    /// calling, milliseconds (8 octets).
    TransitDelay([u16; 4]),
    /// 0x89 throughput: 12 octets (maximum) or 24 (maximum and average), each 3-octet values.
    Throughput(&'a [u8]),
    /// 0x8A subsequence number (2 octets).
    SubsequenceNumber(u16),
    /// 0x8B reassignment time TTR in seconds (2 octets).
    ReassignmentTime(u16),
    /// 0x8C flow control confirmation (8 octets).
    FlowControlConfirmation {
        /// Lower window edge (31 bits).
        lower_window_edge: u32,
        /// Your subsequence.
        subsequence: u16,
        /// Your credit.
        credit: u16,
    },
    /// 0x8F selective acknowledgement: pairs of lower/upper edges, 1 octet each (normal
    /// format) or 4 (extended); an even number of octets.
    SelectiveAck(&'a [u8]),
    /// 0x90 ED-TPDU-NR of the preceding non-blocking ED (2 or 4 octets).
    EdTpduNr(BeUint<'a>),
    /// 0xC0 TPDU size code (1 octet). Any code is kept; [`TpduSize::octets`] says if it means one.
    TpduSize(TpduSize),
    /// 0xC1 calling transport selector (CR, CC).
    CallingTsel(&'a [u8]),
    /// 0xC1 in an ER: the rejected TPDU's header up to the octet that caused the rejection.
    InvalidTpdu(&'a [u8]),
    /// 0xC2 called (CR) or responding (CC) transport selector; empty in a CC = nil selector.
    CalledTsel(&'a [u8]),
    /// 0xC3 checksum octets X, Y (Annex D).
    Checksum([u8; 2]),
    /// 0xC4 version number (1 octet, 0x01 defined).
    Version(u8),
    /// 0xC5 protection parameters (user defined).
    Protection(&'a [u8]),
    /// 0xC6 additional option selection (1 octet).
    AdditionalOptions(AdditionalOptions),
    /// 0xC7 alternative protocol classes: one class-option octet each.
    AlternativeClasses(&'a [u8]),
    /// 0xE0 additional clearing information (DR, user defined).
    AdditionalInfo(&'a [u8]),
    /// 0xF0 preferred maximum TPDU size in units of 128 octets (1 to 4 octets).
    PreferredMaxTpduSize(BeUint<'a>),
    /// 0xF2 inactivity timer IL in milliseconds (4 octets).
    InactivityTimer(u32),
    /// Any other code, kept verbatim.
    Unknown {
        /// The code octet.
        code: ParamCode,
        /// The value octets.
        value: &'a [u8],
    },
}

fn be16(v: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([
        v.get(i).copied().unwrap_or(0),
        v.get(i + 1).copied().unwrap_or(0),
    ])
}

fn be32(v: &[u8], i: usize) -> u32 {
    (u32::from(be16(v, i)) << 16) | u32::from(be16(v, i + 2))
}

impl<'a> Param<'a> {
    /// Types one parameter. `in_er` selects the ER meaning of code 0xC1; `at` is the
    /// parameter's offset from the LI octet, for error reports.
    fn parse(code: u8, value: &'a [u8], in_er: bool, at: usize) -> Result<Self> {
        let len = value.len();
        let need = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(Error::ParamLength { code, len, at })
            }
        };
        let p = match ParamCode(code) {
            ParamCode::ACK_TIME => need(len == 2).map(|()| Self::AckTime(be16(value, 0)))?,
            ParamCode::RESIDUAL_ERROR_RATE => {
                let v: [u8; 3] =
                    value
                        .try_into()
                        .map_err(|_| Error::ParamLength { code, len, at })?;
                Self::ResidualErrorRate(v)
            }
            ParamCode::PRIORITY => need(len == 2).map(|()| Self::Priority(be16(value, 0)))?,
            ParamCode::TRANSIT_DELAY => need(len == 8).map(|()| {
                Self::TransitDelay([
                    be16(value, 0),
                    be16(value, 2),
                    be16(value, 4),
                    be16(value, 6),
                ])
            })?,
            ParamCode::THROUGHPUT => {
                need(len == 12 || len == 24).map(|()| Self::Throughput(value))?
            }
            ParamCode::SUBSEQUENCE_NUMBER => {
                need(len == 2).map(|()| Self::SubsequenceNumber(be16(value, 0)))?
            }
            ParamCode::REASSIGNMENT_TIME => {
                need(len == 2).map(|()| Self::ReassignmentTime(be16(value, 0)))?
            }
            ParamCode::FLOW_CONTROL_CONFIRMATION => {
                need(len == 8)?;
                let lower_window_edge = be32(value, 0);
                if lower_window_edge > 0x7fff_ffff {
                    return Err(Error::ParamValue {
                        code,
                        reason: "lower window edge has bit 32 set",
                        at,
                    });
                }
                Self::FlowControlConfirmation {
                    lower_window_edge,
                    subsequence: be16(value, 4),
                    credit: be16(value, 6),
                }
            }
            ParamCode::SELECTIVE_ACK => {
                need(len.is_multiple_of(2) && len > 0).map(|()| Self::SelectiveAck(value))?
            }
            ParamCode::ED_TPDU_NR => {
                need(len == 2 || len == 4).map(|()| Self::EdTpduNr(BeUint(value)))?
            }
            ParamCode::TPDU_SIZE => match value {
                &[c] => Self::TpduSize(TpduSize(c)),
                _ => return Err(Error::ParamLength { code, len, at }),
            },
            ParamCode::CALLING_TSEL if in_er => Self::InvalidTpdu(value),
            ParamCode::CALLING_TSEL => Self::CallingTsel(value),
            ParamCode::CALLED_TSEL => Self::CalledTsel(value),
            ParamCode::CHECKSUM => match value {
                &[x, y] => Self::Checksum([x, y]),
                _ => return Err(Error::ParamLength { code, len, at }),
            },
            ParamCode::VERSION => match value {
                &[v] => Self::Version(v),
                _ => return Err(Error::ParamLength { code, len, at }),
            },
            ParamCode::PROTECTION => Self::Protection(value),
            ParamCode::ADDITIONAL_OPTIONS => match value {
                &[v] => Self::AdditionalOptions(AdditionalOptions(v)),
                _ => return Err(Error::ParamLength { code, len, at }),
            },
            ParamCode::ALTERNATIVE_CLASSES => Self::AlternativeClasses(value),
            ParamCode::ADDITIONAL_INFO => Self::AdditionalInfo(value),
            ParamCode::PREFERRED_MAX_TPDU_SIZE => {
                need((1..=4).contains(&len))?;
                if value.iter().all(|&b| b == 0) {
                    // 13.3.4 c: "binary ... multiplied by 128", at least one unit.
                    return Err(Error::ParamValue {
                        code,
                        reason: "preferred maximum TPDU size is zero",
                        at,
                    });
                }
                Self::PreferredMaxTpduSize(BeUint(value))
            }
            ParamCode::INACTIVITY_TIMER => {
                need(len == 4).map(|()| Self::InactivityTimer(be32(value, 0)))?
            }
            _ => Self::Unknown {
                code: ParamCode(code),
                value,
            },
        };
        Ok(p)
    }

    /// The parameter code.
    pub fn code(&self) -> ParamCode {
        match self {
            Self::AckTime(_) => ParamCode::ACK_TIME,
            Self::ResidualErrorRate(_) => ParamCode::RESIDUAL_ERROR_RATE,
            Self::Priority(_) => ParamCode::PRIORITY,
            Self::TransitDelay(_) => ParamCode::TRANSIT_DELAY,
            Self::Throughput(_) => ParamCode::THROUGHPUT,
            Self::SubsequenceNumber(_) => ParamCode::SUBSEQUENCE_NUMBER,
            Self::ReassignmentTime(_) => ParamCode::REASSIGNMENT_TIME,
            Self::FlowControlConfirmation { .. } => ParamCode::FLOW_CONTROL_CONFIRMATION,
            Self::SelectiveAck(_) => ParamCode::SELECTIVE_ACK,
            Self::EdTpduNr(_) => ParamCode::ED_TPDU_NR,
            Self::TpduSize(_) => ParamCode::TPDU_SIZE,
            Self::CallingTsel(_) | Self::InvalidTpdu(_) => ParamCode::CALLING_TSEL,
            Self::CalledTsel(_) => ParamCode::CALLED_TSEL,
            Self::Checksum(_) => ParamCode::CHECKSUM,
            Self::Version(_) => ParamCode::VERSION,
            Self::Protection(_) => ParamCode::PROTECTION,
            Self::AdditionalOptions(_) => ParamCode::ADDITIONAL_OPTIONS,
            Self::AlternativeClasses(_) => ParamCode::ALTERNATIVE_CLASSES,
            Self::AdditionalInfo(_) => ParamCode::ADDITIONAL_INFO,
            Self::PreferredMaxTpduSize(_) => ParamCode::PREFERRED_MAX_TPDU_SIZE,
            Self::InactivityTimer(_) => ParamCode::INACTIVITY_TIMER,
            Self::Unknown { code, .. } => *code,
        }
    }

    /// The value octets: fixed-size values are written to `scratch`, borrowed ones returned
    /// as they are.
    fn value<'s>(&'s self, scratch: &'s mut [u8; 8]) -> &'s [u8] {
        let mut put = |bytes: &[u8]| {
            let n = bytes.len().min(8);
            if let (Some(dst), Some(src)) = (scratch.get_mut(..n), bytes.get(..n)) {
                dst.copy_from_slice(src);
            }
            n
        };
        let n = match *self {
            Self::AckTime(v)
            | Self::Priority(v)
            | Self::SubsequenceNumber(v)
            | Self::ReassignmentTime(v) => put(&v.to_be_bytes()),
            Self::ResidualErrorRate(v) => put(&v),
            Self::TransitDelay([a, b, c, d]) => {
                let [a0, a1] = a.to_be_bytes();
                let [b0, b1] = b.to_be_bytes();
                let [c0, c1] = c.to_be_bytes();
                let [d0, d1] = d.to_be_bytes();
                put(&[a0, a1, b0, b1, c0, c1, d0, d1])
            }
            Self::FlowControlConfirmation {
                lower_window_edge,
                subsequence,
                credit,
            } => {
                let [l0, l1, l2, l3] = lower_window_edge.to_be_bytes();
                let [s0, s1] = subsequence.to_be_bytes();
                let [c0, c1] = credit.to_be_bytes();
                put(&[l0, l1, l2, l3, s0, s1, c0, c1])
            }
            Self::TpduSize(TpduSize(v))
            | Self::Version(v)
            | Self::AdditionalOptions(AdditionalOptions(v)) => put(&[v]),
            Self::Checksum(v) => put(&v),
            Self::InactivityTimer(v) => put(&v.to_be_bytes()),
            Self::Throughput(v)
            | Self::SelectiveAck(v)
            | Self::CallingTsel(v)
            | Self::InvalidTpdu(v)
            | Self::CalledTsel(v)
            | Self::Protection(v)
            | Self::AlternativeClasses(v)
            | Self::AdditionalInfo(v)
            | Self::Unknown { value: v, .. } => return v,
            Self::EdTpduNr(v) | Self::PreferredMaxTpduSize(v) => return v.0,
        };
        scratch.get(..n).unwrap_or_default()
    }

    /// Octets [`Param::encode`] writes: code, length, value.
    pub fn encoded_len(&self) -> usize {
        let mut scratch = [0; 8];
        2 + self.value(&mut scratch).len()
    }

    /// Writes code, length and value to the start of `dst`; returns octets written.
    ///
    /// # Errors
    ///
    /// [`Error::HeaderTooLong`] for a value over 255 octets, [`Error::BufferTooSmall`] if
    /// `dst` is short. Nothing is written on error.
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let mut scratch = [0; 8];
        let value = self.value(&mut scratch);
        let len = u8::try_from(value.len()).map_err(|_| Error::HeaderTooLong(value.len() + 2))?;
        let needed = 2 + value.len();
        let available = dst.len();
        let out = dst
            .get_mut(..needed)
            .ok_or(Error::BufferTooSmall { needed, available })?;
        let (head, body) = out.split_at_mut(2);
        head.copy_from_slice(&[self.code().0, len]);
        body.copy_from_slice(value);
        Ok(needed)
    }
}

/// A variable part: a sequence of well-formed (code, length, value) parameters.
///
/// INVARIANT: every parameter's value lies inside `raw`.
#[derive(Clone, Copy, Default, Eq, Hash)]
pub struct Params<'a> {
    raw: &'a [u8],
    /// Offset of `raw` from the LI octet, for error offsets.
    base: usize,
    /// Code 0xC1 means "invalid TPDU" (ER) rather than "calling TSAP".
    in_er: bool,
}

impl PartialEq for Params<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl core::fmt::Debug for Params<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> Params<'a> {
    /// No parameters.
    pub const EMPTY: Params<'static> = Params {
        raw: &[],
        base: 0,
        in_er: false,
    };

    /// Checks that `raw` is a sequence of complete parameters.
    ///
    /// # Errors
    ///
    /// [`Error::ParamOverrun`] if a parameter's length runs past the end of `raw` (or the
    /// length octet is missing), [`Error::HeaderTooLong`] if `raw` exceeds [`MAX_PARAMS_LEN`].
    pub fn new(raw: &'a [u8]) -> Result<Self> {
        if raw.len() > MAX_PARAMS_LEN {
            return Err(Error::HeaderTooLong(raw.len()));
        }
        Self::at(raw, 0, false)
    }

    /// As [`Params::new`], for a variable part starting `base` octets after the LI.
    pub(crate) fn at(raw: &'a [u8], base: usize, in_er: bool) -> Result<Self> {
        let mut rest = raw;
        let mut at = base;
        while let Some((&code, tail)) = rest.split_first() {
            let Some((&len, tail)) = tail.split_first() else {
                return Err(Error::ParamOverrun { code, at });
            };
            let Some(after) = tail.get(usize::from(len)..) else {
                return Err(Error::ParamOverrun { code, at });
            };
            at += 2 + usize::from(len);
            rest = after;
        }
        Ok(Self { raw, base, in_er })
    }

    /// The octets, exactly as received or built.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// Octets of the variable part.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The parameters in order, typed.
    pub fn iter(&self) -> ParamIter<'a> {
        ParamIter {
            rest: self.raw,
            at: self.base,
            in_er: self.in_er,
        }
    }

    /// The last valid parameter with `code` (X.224 13.2.3: a duplicate's last value wins),
    /// or the error of the last one if it was malformed; `None` if absent.
    pub fn find(&self, code: ParamCode) -> Option<Result<Param<'a>>> {
        self.raw_iter()
            .filter(|(c, _, _)| *c == code.0)
            .last()
            .map(|(c, v, at)| Param::parse(c, v, self.in_er, at))
    }

    /// (code, value, offset) of each parameter, untyped.
    pub fn raw_iter(&self) -> impl Iterator<Item = (u8, &'a [u8], usize)> + 'a {
        let mut rest = self.raw;
        let mut at = self.base;
        core::iter::from_fn(move || {
            let (&code, tail) = rest.split_first()?;
            let (&len, tail) = tail.split_first()?;
            let (value, after) = tail.split_at_checked(usize::from(len))?;
            let item = (code, value, at);
            at += 2 + value.len();
            rest = after;
            Some(item)
        })
    }
}

impl<'a> IntoIterator for &Params<'a> {
    type Item = Result<Param<'a>>;
    type IntoIter = ParamIter<'a>;

    fn into_iter(self) -> ParamIter<'a> {
        self.iter()
    }
}

/// Iterator over [`Params`]: one typed parameter, or the error of a malformed known one.
#[derive(Debug, Clone)]
pub struct ParamIter<'a> {
    rest: &'a [u8],
    at: usize,
    in_er: bool,
}

impl<'a> Iterator for ParamIter<'a> {
    type Item = Result<Param<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&code, tail) = self.rest.split_first()?;
        // The structure was checked when the Params was built (INVARIANT).
        let (&len, tail) = tail.split_first()?;
        let (value, after) = tail.split_at_checked(usize::from(len))?;
        let at = self.at;
        self.at += 2 + value.len();
        self.rest = after;
        Some(Param::parse(code, value, self.in_er, at))
    }
}

/// A variable part being built in a fixed buffer, without allocation.
#[derive(Clone)]
pub struct ParamBuf {
    buf: [u8; MAX_PARAMS_LEN],
    len: usize,
}

impl Default for ParamBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for ParamBuf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.params().fmt(f)
    }
}

impl ParamBuf {
    /// An empty variable part.
    pub fn new() -> Self {
        Self {
            buf: [0; MAX_PARAMS_LEN],
            len: 0,
        }
    }

    /// Appends one parameter.
    ///
    /// # Errors
    ///
    /// [`Error::HeaderTooLong`] when the variable part would exceed [`MAX_PARAMS_LEN`].
    pub fn push(&mut self, p: &Param<'_>) -> Result<&mut Self> {
        let tail = self.buf.get_mut(self.len..).unwrap_or_default();
        let n = p
            .encode(tail)
            .map_err(|_| Error::HeaderTooLong(self.len + p.encoded_len()))?;
        self.len += n;
        Ok(self)
    }

    /// Appends a preferred maximum TPDU size of `units` × 128 octets, in as few octets as needed.
    ///
    /// # Errors
    ///
    /// As [`ParamBuf::push`]; [`Error::InvalidField`] for 0 units.
    pub fn push_preferred_max_tpdu_size(&mut self, units: u32) -> Result<&mut Self> {
        if units == 0 {
            return Err(Error::InvalidField {
                field: "preferred maximum TPDU size",
                reason: "must be at least 1",
                at: 0,
            });
        }
        let bytes = units.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        self.push(&Param::PreferredMaxTpduSize(BeUint(
            bytes.get(skip..).unwrap_or_default(),
        )))
    }

    /// The parameters so far.
    pub fn params(&self) -> Params<'_> {
        Params {
            raw: self.buf.get(..self.len).unwrap_or_default(),
            base: 0,
            in_er: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use hex_literal::hex;

    use super::*;

    #[test]
    fn iterate_libiec61850_order() {
        // A.CR's variable part: C0, C2, C1 (X.224 13.2.3: any order).
        let p = Params::new(&hex!("c0 01 0d c2 02 00 01 c1 02 00 01")).unwrap();
        let want = [
            Param::TpduSize(TpduSize::S8192),
            Param::CalledTsel(&[0, 1]),
            Param::CallingTsel(&[0, 1]),
        ];
        assert!(p.iter().eq(want.map(Ok)));
    }

    #[test]
    fn unknown_parameters_are_kept() {
        let raw = hex!("08 04 01 02 03 04 c0 01 0a");
        let p = Params::new(&raw).unwrap();
        let first = p.iter().next().unwrap().unwrap();
        assert_eq!(
            first,
            Param::Unknown {
                code: ParamCode(0x08),
                value: &hex!("01 02 03 04")
            }
        );
        assert_eq!(p.as_bytes(), &raw);
        let mut out = [0xa5; 6];
        assert_eq!(first.encode(&mut out), Ok(6));
        assert_eq!(out, raw[..6]);
    }

    #[test]
    fn overrun_is_rejected() {
        assert_eq!(
            Params::new(&hex!("c0 02 0a")),
            Err(Error::ParamOverrun { code: 0xc0, at: 0 })
        );
        assert_eq!(
            Params::new(&hex!("c0 01 0a c1")),
            Err(Error::ParamOverrun { code: 0xc1, at: 3 })
        );
    }

    #[test]
    fn bad_length_of_known_parameter_is_an_item_error() {
        let p = Params::new(&hex!("c0 02 0a 0b c2 00")).unwrap();
        assert!(p.iter().eq([
            Err(Error::ParamLength {
                code: 0xc0,
                len: 2,
                at: 0
            }),
            Ok(Param::CalledTsel(&[]))
        ]));
    }

    #[test]
    fn duplicate_last_wins() {
        let p = Params::new(&hex!("c0 01 07 c0 01 0a")).unwrap();
        assert_eq!(
            p.find(ParamCode::TPDU_SIZE),
            Some(Ok(Param::TpduSize(TpduSize::S1024)))
        );
        assert_eq!(p.find(ParamCode::CHECKSUM), None);
    }

    #[test]
    fn preferred_size_keeps_leading_zeros() {
        let p = Params::new(&hex!("f0 02 00 08")).unwrap();
        let Some(Ok(Param::PreferredMaxTpduSize(v))) = p.find(ParamCode::PREFERRED_MAX_TPDU_SIZE)
        else {
            panic!()
        };
        assert_eq!((v.value(), v.octets()), (8, &[0, 8][..]));
        let mut b = ParamBuf::new();
        b.push_preferred_max_tpdu_size(511).unwrap();
        assert_eq!(b.params().as_bytes(), &hex!("f0 02 01 ff"));
        assert!(
            Params::new(&hex!("f0 01 00"))
                .unwrap()
                .iter()
                .next()
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn build_class4_parameters() {
        let mut b = ParamBuf::new();
        b.push(&Param::CallingTsel(&[0, 1]))
            .unwrap()
            .push(&Param::AckTime(5000))
            .unwrap()
            .push(&Param::InactivityTimer(180_000))
            .unwrap()
            .push(&Param::TransitDelay([1, 2, 3, 4]))
            .unwrap();
        assert_eq!(
            b.params().as_bytes(),
            &hex!("c1 02 00 01 85 02 13 88 f2 04 00 02 bf 20 88 08 00 01 00 02 00 03 00 04")
        );
    }

    #[test]
    fn buffer_full_is_an_error() {
        let mut b = ParamBuf::new();
        let big = [0u8; 200];
        b.push(&Param::Protection(&big)).unwrap();
        assert_eq!(
            b.push(&Param::Protection(&big[..60])).map(|_| ()),
            Err(Error::HeaderTooLong(202 + 62))
        );
    }
}
