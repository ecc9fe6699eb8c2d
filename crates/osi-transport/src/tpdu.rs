//! The TPDU enum, its decoder and the header rules shared by all ten types.
//!
//! ```text
//!  octet 0   1      2 ..                 LI         LI+1 ..
//! +-------+------+---------------------+----------+-----------------------+
//! |  LI   | code | rest of fixed part  | var part | user data (some types)|
//! +-------+------+---------------------+----------+-----------------------+
//! ```
//!
//! LI counts the header after itself (X.224 13.2.1): the fixed and variable parts, not the
//! data. 255 is reserved. CR, CC, DR, DT and ED carry data up to the end of the NSDU, so they
//! consume all their input; DC, AK, EA, RJ and ER carry none and consume LI + 1 octets, which
//! leaves the rest of a concatenated NSDU (X.224 6.4) for the next decode.

use crate::param::Params;
use crate::{
    Ack, Connect, Data, Disconnect, DisconnectConfirm, Error, ErrorTpdu, Expedited, ExpeditedAck,
    Reject, Result,
};

/// Largest LI: 255 is reserved for extensions (X.224 13.2.1).
pub const MAX_LI: u8 = 254;

/// Layout of the numbered TPDUs DT and ED.
///
/// X.224 13.7.4 NOTE: a normal-format header has an even LI and an extended one an odd LI;
/// the decoder relies on it, and the encoder refuses a variable part that would break it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Classes 0 and 1 (and the RFC 1006 class 0 ED): no DST-REF, 7-bit number, LI 2.
    Short,
    /// Classes 2-4 normal format: DST-REF, 7-bit number, LI even.
    Normal,
    /// Classes 2-4 extended format: DST-REF, 31-bit number, LI odd.
    Extended,
}

impl Format {
    /// Largest sequence number of the format.
    pub fn max_nr(self) -> u32 {
        match self {
            Self::Short | Self::Normal => 0x7f,
            Self::Extended => 0x7fff_ffff,
        }
    }
}

/// One TPDU of any of the ten types of X.224 Table 8, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tpdu<'a> {
    /// CR connection request (13.3).
    Cr(Connect<'a>),
    /// CC connection confirm (13.4).
    Cc(Connect<'a>),
    /// DR disconnect request (13.5).
    Dr(Disconnect<'a>),
    /// DC disconnect confirm (13.6).
    Dc(DisconnectConfirm<'a>),
    /// DT data (13.7).
    Dt(Data<'a>),
    /// ED expedited data (13.8).
    Ed(Expedited<'a>),
    /// AK data acknowledgement (13.9).
    Ak(Ack<'a>),
    /// EA expedited data acknowledgement (13.10).
    Ea(ExpeditedAck<'a>),
    /// RJ reject (13.11).
    Rj(Reject),
    /// ER TPDU error (13.12).
    Er(ErrorTpdu<'a>),
}

/// The header octets of one TPDU, with bounds-checked big-endian readers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header<'a> {
    pub(crate) li: u8,
    pub(crate) octets: &'a [u8],
}

impl<'a> Header<'a> {
    pub(crate) fn u8(&self, i: usize) -> u8 {
        self.octets.get(i).copied().unwrap_or(0)
    }

    pub(crate) fn u16(&self, i: usize) -> u16 {
        u16::from_be_bytes([self.u8(i), self.u8(i + 1)])
    }

    pub(crate) fn u32(&self, i: usize) -> u32 {
        (u32::from(self.u16(i)) << 16) | u32::from(self.u16(i + 2))
    }

    /// Fails unless the LI covers a fixed part of `fixed` octets after the LI.
    pub(crate) fn need(&self, tpdu: &'static str, fixed: u8) -> Result<()> {
        if self.li < fixed {
            return Err(Error::LiTooSmall {
                tpdu,
                li: self.li,
                min: fixed,
            });
        }
        Ok(())
    }

    /// The variable part after a fixed part of `fixed` octets (LI excluded).
    pub(crate) fn params(&self, fixed: usize, in_er: bool) -> Result<Params<'a>> {
        Params::at(
            self.octets.get(1 + fixed..).unwrap_or_default(),
            1 + fixed,
            in_er,
        )
    }
}

impl<'a> Tpdu<'a> {
    /// Decodes the TPDU at the start of `src` (one NSDU, or the rest of one).
    ///
    /// Returns the TPDU and the octets it used: all of `src` for the data-bearing types
    /// (CR, CC, DR, DT, ED), LI + 1 for the others. The class is not known here, so nothing
    /// class-specific is judged (the TP0 machine does that); every length is.
    ///
    /// # Errors
    ///
    /// [`Error::Empty`], [`Error::ReservedLi`], [`Error::LiBeyondData`], [`Error::LiTooSmall`],
    /// [`Error::UnknownTpduCode`], [`Error::ParamOverrun`], and [`Error::InvalidField`] for
    /// bits the format requires to be zero.
    pub fn decode(src: &'a [u8]) -> Result<(Self, usize)> {
        let &li = src.first().ok_or(Error::Empty)?;
        if li == 255 {
            return Err(Error::ReservedLi);
        }
        let hlen = usize::from(li) + 1;
        let (octets, data) = src.split_at_checked(hlen).ok_or(Error::LiBeyondData {
            li,
            needed: hlen,
            available: src.len(),
        })?;
        let h = Header { li, octets };
        h.need("TPDU", 1)?;
        let code = h.u8(1);
        let tpdu = match code >> 4 {
            0xe => Self::Cr(Connect::parse(&h, "CR", data)?),
            0xd => Self::Cc(Connect::parse(&h, "CC", data)?),
            0x8 if code == 0x80 => Self::Dr(Disconnect::parse(&h, data)?),
            0xc if code == 0xc0 => Self::Dc(DisconnectConfirm::parse(&h)?),
            0xf if code & 0x0e == 0 => Self::Dt(Data::parse(&h, data)?),
            0x1 if code == 0x10 => Self::Ed(Expedited::parse(&h, data)?),
            0x6 => Self::Ak(Ack::parse(&h)?),
            0x2 if code == 0x20 => Self::Ea(ExpeditedAck::parse(&h)?),
            0x5 => Self::Rj(Reject::parse(&h)?),
            0x7 if code == 0x70 => Self::Er(ErrorTpdu::parse(&h)?),
            _ => return Err(Error::UnknownTpduCode(code)),
        };
        let used = if tpdu.carries_data() { src.len() } else { hlen };
        Ok((tpdu, used))
    }

    /// The variable part (empty for RJ, which has none).
    pub fn params(&self) -> Params<'a> {
        match self {
            Self::Cr(c) | Self::Cc(c) => c.params,
            Self::Dr(d) => d.params,
            Self::Dc(d) => d.params,
            Self::Dt(d) => d.params,
            Self::Ed(e) => e.params,
            Self::Ak(a) => a.params,
            Self::Ea(e) => e.params,
            Self::Er(e) => e.params,
            Self::Rj(_) => Params::EMPTY,
        }
    }

    /// The user data (empty for the types without a data field).
    pub fn data(&self) -> &'a [u8] {
        match self {
            Self::Cr(c) | Self::Cc(c) => c.data,
            Self::Dr(d) => d.data,
            Self::Dt(d) => d.data,
            Self::Ed(e) => e.data,
            _ => &[],
        }
    }

    /// Whether this type has a data field running to the end of the NSDU.
    pub fn carries_data(&self) -> bool {
        matches!(
            self,
            Self::Cr(_) | Self::Cc(_) | Self::Dr(_) | Self::Dt(_) | Self::Ed(_)
        )
    }

    /// Short type name: "CR", "CC", ...
    pub fn name(&self) -> &'static str {
        match self {
            Self::Cr(_) => "CR",
            Self::Cc(_) => "CC",
            Self::Dr(_) => "DR",
            Self::Dc(_) => "DC",
            Self::Dt(_) => "DT",
            Self::Ed(_) => "ED",
            Self::Ak(_) => "AK",
            Self::Ea(_) => "EA",
            Self::Rj(_) => "RJ",
            Self::Er(_) => "ER",
        }
    }

    /// Octets [`Tpdu::encode`] writes.
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Cr(t) | Self::Cc(t) => t.encoded_len(),
            Self::Dr(t) => t.encoded_len(),
            Self::Dc(t) => t.encoded_len(),
            Self::Dt(t) => t.encoded_len(),
            Self::Ed(t) => t.encoded_len(),
            Self::Ak(t) => t.encoded_len(),
            Self::Ea(t) => t.encoded_len(),
            Self::Rj(t) => t.encoded_len(),
            Self::Er(t) => t.encoded_len(),
        }
    }

    /// Writes the TPDU to the start of `dst`; returns octets written.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`], [`Error::HeaderTooLong`] (LI over 254), and
    /// [`Error::InvalidField`] for a value the format cannot carry (a 7-bit number over 127,
    /// a credit over 15 in the code octet, a variable part breaking the LI parity rule).
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        match self {
            Self::Cr(t) => t.encode_as(0xe0, dst),
            Self::Cc(t) => t.encode_as(0xd0, dst),
            Self::Dr(t) => t.encode(dst),
            Self::Dc(t) => t.encode(dst),
            Self::Dt(t) => t.encode(dst),
            Self::Ed(t) => t.encode(dst),
            Self::Ak(t) => t.encode(dst),
            Self::Ea(t) => t.encode(dst),
            Self::Rj(t) => t.encode(dst),
            Self::Er(t) => t.encode(dst),
        }
    }

    /// Appends the TPDU to `v`.
    ///
    /// # Errors
    ///
    /// As [`Tpdu::encode`] except [`Error::BufferTooSmall`]; `v` is unchanged on error.
    #[cfg(feature = "alloc")]
    pub fn encode_to_vec(&self, v: &mut alloc::vec::Vec<u8>) -> Result<()> {
        let start = v.len();
        v.resize(start + self.encoded_len(), 0);
        let r = self.encode(v.get_mut(start..).unwrap_or_default());
        if r.is_err() {
            v.truncate(start);
        }
        r.map(|_| ())
    }
}

/// Writes LI, the fixed part (code first), the variable part and the data.
pub(crate) fn write(
    dst: &mut [u8],
    fixed: &[u8],
    params: &Params<'_>,
    data: &[u8],
) -> Result<usize> {
    let li = fixed.len() + params.len();
    let li_octet = u8::try_from(li)
        .ok()
        .filter(|&l| l <= MAX_LI)
        .ok_or(Error::HeaderTooLong(li + 1))?;
    let needed = 1 + li + data.len();
    let available = dst.len();
    let out = dst
        .get_mut(..needed)
        .ok_or(Error::BufferTooSmall { needed, available })?;
    let (head, rest) = out.split_at_mut(1);
    head.copy_from_slice(&[li_octet]);
    let (f, rest) = rest.split_at_mut(fixed.len());
    f.copy_from_slice(fixed);
    let (p, d) = rest.split_at_mut(params.len());
    p.copy_from_slice(params.as_bytes());
    d.copy_from_slice(data);
    Ok(needed)
}

/// Refuses a value that does not fit `max` (encoding side).
pub(crate) fn check_max(field: &'static str, v: u32, max: u32) -> Result<()> {
    if v > max {
        return Err(Error::InvalidField {
            field,
            reason: "value does not fit the field",
            at: 0,
        });
    }
    Ok(())
}
