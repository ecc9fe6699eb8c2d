//! The numbered TPDUs: DT and ED (data) and AK, EA and RJ (acknowledgements).
//!
//! Normal format: 7-bit numbers, 4-bit credit in the code octet, even LI. Extended format:
//! 31-bit numbers, 16-bit credit after the number, odd LI (X.224 13.7.4 NOTE). Bits the
//! formats define as zero must be zero; the decoder refuses them rather than lose them.

use crate::param::Params;
use crate::tpdu::{Format, Header, check_max, write};
use crate::{Error, Result};

/// The format a numbered TPDU's LI implies (13.7.4 NOTE); LI 2 is the class 0/1 layout for
/// DT and ED.
fn format_of(h: &Header<'_>, short_allowed: bool) -> Format {
    if short_allowed && h.li == 2 {
        Format::Short
    } else if h.li.is_multiple_of(2) {
        Format::Normal
    } else {
        Format::Extended
    }
}

/// Fixed part after LI of a short DT/ED: code, EOT+NR.
const SHORT_FIXED: u8 = 1 /* code */ + 1 /* EOT+NR */;
/// Fixed part after LI of a normal DT/ED: code, DST-REF, EOT+NR.
const NORMAL_FIXED: u8 = 1 /* code */ + 2 /* DST-REF */ + 1 /* EOT+NR */;
/// Fixed part after LI of an extended DT/ED: code, DST-REF, EOT+NR in 4 octets.
const EXTENDED_FIXED: u8 = 1 /* code */ + 2 /* DST-REF */ + 4 /* EOT+NR */;

/// Fixed part after LI per format.
fn numbered_fixed(format: Format) -> u8 {
    match format {
        Format::Short => SHORT_FIXED,
        Format::Normal => NORMAL_FIXED,
        Format::Extended => EXTENDED_FIXED,
    }
}

/// Reads (DST-REF, EOT, NR) of a DT/ED header of `format`.
fn read_numbered(h: &Header<'_>, format: Format) -> (u16, bool, u32) {
    match format {
        Format::Short => (0, h.u8(2) & 0x80 != 0, u32::from(h.u8(2) & 0x7f)),
        Format::Normal => (h.u16(2), h.u8(4) & 0x80 != 0, u32::from(h.u8(4) & 0x7f)),
        Format::Extended => (
            h.u16(2),
            h.u32(4) & 0x8000_0000 != 0,
            h.u32(4) & 0x7fff_ffff,
        ),
    }
}

/// Builds the fixed part of a DT/ED; returns it and its length.
fn numbered_header(
    code: u8,
    format: Format,
    dst_ref: u16,
    eot: bool,
    nr: u32,
    params: &Params<'_>,
) -> Result<([u8; 7], usize)> {
    check_max("TPDU-NR", nr, format.max_nr())?;
    let fixed = usize::from(numbered_fixed(format));
    let [d0, d1] = dst_ref.to_be_bytes();
    let eot32 = if eot { 0x8000_0000 } else { 0 };
    let [n0, n1, n2, n3] = (nr | eot32).to_be_bytes();
    let eot8 = if eot { 0x80 } else { 0 };
    // nr <= 0x7f was checked for the 1-octet formats.
    let nr8 = n3 | eot8;
    match format {
        Format::Short => {
            if dst_ref != 0 || !params.is_empty() {
                return Err(Error::InvalidField {
                    field: "DT/ED short format",
                    reason: "has no DST-REF and no variable part (LI is exactly 2)",
                    at: 0,
                });
            }
            Ok(([code, nr8, 0, 0, 0, 0, 0], fixed))
        }
        Format::Normal => {
            parity(fixed + params.len(), 0)?;
            Ok(([code, d0, d1, nr8, 0, 0, 0], fixed))
        }
        Format::Extended => {
            parity(fixed + params.len(), 1)?;
            Ok(([code, d0, d1, n0, n1, n2, n3], fixed))
        }
    }
}

/// Enforces the LI parity that tells the formats apart (13.7.4 NOTE).
fn parity(li: usize, want: usize) -> Result<()> {
    if li % 2 != want {
        return Err(Error::InvalidField {
            field: "variable part",
            reason: "its length would give the LI the other format's parity (X.224 13.7.4 NOTE)",
            at: 0,
        });
    }
    Ok(())
}

/// DT data (X.224 13.7).
///
/// ```text
/// Short (classes 0, 1): | LI=2 | 0xF0/F1 | EOT+NR(7)          | data.. |
/// Normal:               | LI   | 0xF0/F1 | DST-REF | EOT+NR(7)  | params | data.. |
/// Extended:             | LI   | 0xF0/F1 | DST-REF | EOT+NR(31) | params | data.. |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Data<'a> {
    /// Header layout.
    pub format: Format,
    /// The peer's reference; 0 and absent in [`Format::Short`].
    pub dst_ref: u16,
    /// Request of acknowledgement, code 0xF1 (only if negotiated, classes 1, 3, 4).
    pub roa: bool,
    /// End of TSDU: this DT is the last of its TSDU.
    pub eot: bool,
    /// TPDU-NR (0 in class 0). INVARIANT when encoding: at most [`Format::max_nr`].
    pub nr: u32,
    /// Variable part (C3 checksum, 0x90 ED-TPDU-NR).
    pub params: Params<'a>,
    /// User data.
    pub data: &'a [u8],
}

impl<'a> Data<'a> {
    /// A class 0 DT: short format, NR 0.
    pub fn class0(eot: bool, data: &'a [u8]) -> Self {
        Self {
            format: Format::Short,
            dst_ref: 0,
            roa: false,
            eot,
            nr: 0,
            params: Params::EMPTY,
            data,
        }
    }

    pub(crate) fn parse(h: &Header<'a>, data: &'a [u8]) -> Result<Self> {
        let format = format_of(h, true);
        let fixed = numbered_fixed(format);
        h.need("DT", fixed)?;
        let (dst_ref, eot, nr) = read_numbered(h, format);
        let params = h.params(usize::from(fixed), false)?;
        Ok(Self {
            format,
            dst_ref,
            roa: h.u8(1) & 1 != 0,
            eot,
            nr,
            params,
            data,
        })
    }

    /// Header octets (LI included) of a DT in `format` without parameters.
    pub fn header_len(format: Format) -> usize {
        1 + usize::from(numbered_fixed(format))
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        Self::header_len(self.format) + self.params.len() + self.data.len()
    }

    /// Writes the DT.
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let code = if self.roa { 0xf1 } else { 0xf0 };
        let (fixed, n) = numbered_header(
            code,
            self.format,
            self.dst_ref,
            self.eot,
            self.nr,
            &self.params,
        )?;
        write(
            dst,
            fixed.get(..n).unwrap_or_default(),
            &self.params,
            self.data,
        )
    }
}

/// ED expedited data (X.224 13.8); the short format is RFC 1006's class 0 ED (§5 item 3).
///
/// Same layouts as [`Data`] under code 0x10; EOT is always set by conforming senders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Expedited<'a> {
    /// Header layout.
    pub format: Format,
    /// The peer's reference; 0 and absent in [`Format::Short`].
    pub dst_ref: u16,
    /// EOT bit (always 1 per 13.8.3; kept as received).
    pub eot: bool,
    /// ED-TPDU-NR.
    pub nr: u32,
    /// Variable part (C3 checksum).
    pub params: Params<'a>,
    /// 1 to 16 octets of expedited data (the length is the machine's business).
    pub data: &'a [u8],
}

impl<'a> Expedited<'a> {
    pub(crate) fn parse(h: &Header<'a>, data: &'a [u8]) -> Result<Self> {
        let format = format_of(h, true);
        let fixed = numbered_fixed(format);
        h.need("ED", fixed)?;
        let (dst_ref, eot, nr) = read_numbered(h, format);
        let params = h.params(usize::from(fixed), false)?;
        Ok(Self {
            format,
            dst_ref,
            eot,
            nr,
            params,
            data,
        })
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(numbered_fixed(self.format)) + self.params.len() + self.data.len()
    }

    /// Writes the ED.
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let (fixed, n) = numbered_header(
            0x10,
            self.format,
            self.dst_ref,
            self.eot,
            self.nr,
            &self.params,
        )?;
        write(
            dst,
            fixed.get(..n).unwrap_or_default(),
            &self.params,
            self.data,
        )
    }
}

/// Reads a normal-format 7-bit YR-TU-NR whose bit 8 must be 0.
fn nr7(h: &Header<'_>, tpdu: &'static str) -> Result<u32> {
    let v = h.u8(4);
    if v & 0x80 != 0 {
        return Err(Error::InvalidField {
            field: tpdu,
            reason: "bit 8 of the 7-bit number must be 0",
            at: 4,
        });
    }
    Ok(u32::from(v))
}

/// Reads an extended-format 31-bit number whose bit 32 must be 0.
fn nr31(h: &Header<'_>, tpdu: &'static str) -> Result<u32> {
    let v = h.u32(4);
    if v & 0x8000_0000 != 0 {
        return Err(Error::InvalidField {
            field: tpdu,
            reason: "bit 32 of the 31-bit number must be 0",
            at: 4,
        });
    }
    Ok(v)
}

/// The code octet's low nibble must be 0 where the extended format moves CDT out of it.
fn zero_nibble(h: &Header<'_>, tpdu: &'static str) -> Result<()> {
    if h.u8(1) & 0x0f != 0 {
        return Err(Error::InvalidField {
            field: tpdu,
            reason: "extended format: code octet bits 4-1 must be 0",
            at: 1,
        });
    }
    Ok(())
}

/// Fixed part after LI of AK/RJ: normal code+CDT, DST-REF, NR; extended adds 3 NR octets
/// and 2 CDT octets.
const AK_NORMAL: u8 = 1 /* code+CDT */ + 2 /* DST-REF */ + 1 /* YR-TU-NR */;
const AK_EXTENDED: u8 = 1 /* code */ + 2 /* DST-REF */ + 4 /* YR-TU-NR */ + 2 /* CDT */;
/// Fixed part after LI of EA.
const EA_NORMAL: u8 = 1 /* code */ + 2 /* DST-REF */ + 1 /* YR-EDTU-NR */;
const EA_EXTENDED: u8 = 1 /* code */ + 2 /* DST-REF */ + 4 /* YR-EDTU-NR */;

/// Builds the fixed part of an AK or RJ.
fn ack_header(
    code: u8,
    extended: bool,
    dst_ref: u16,
    nr: u32,
    cdt: u16,
) -> Result<([u8; 9], usize)> {
    let [d0, d1] = dst_ref.to_be_bytes();
    if extended {
        check_max("YR-TU-NR", nr, 0x7fff_ffff)?;
        let [n0, n1, n2, n3] = nr.to_be_bytes();
        let [c0, c1] = cdt.to_be_bytes();
        Ok((
            [code, d0, d1, n0, n1, n2, n3, c0, c1],
            usize::from(AK_EXTENDED),
        ))
    } else {
        check_max("YR-TU-NR", nr, 0x7f)?;
        check_max("CDT", cdt.into(), 15)?;
        let [.., n3] = nr.to_be_bytes();
        let [_, c] = cdt.to_be_bytes();
        Ok((
            [code | c, d0, d1, n3, 0, 0, 0, 0, 0],
            usize::from(AK_NORMAL),
        ))
    }
}

/// AK data acknowledgement (X.224 13.9).
///
/// ```text
/// Normal:   | LI | 0x6 CDT | DST-REF | YR-TU-NR(7)              | params |
/// Extended: | LI | 0x60    | DST-REF | YR-TU-NR(31) | CDT (16)  | params |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ack<'a> {
    /// Extended format.
    pub extended: bool,
    /// The peer's reference.
    pub dst_ref: u16,
    /// Next expected TPDU-NR.
    pub nr: u32,
    /// Credit (at most 15 in the normal format).
    pub cdt: u16,
    /// Variable part (C3, 8A subsequence, 8C flow control confirmation, 8F selective ack).
    pub params: Params<'a>,
}

impl<'a> Ack<'a> {
    pub(crate) fn parse(h: &Header<'a>) -> Result<Self> {
        let extended = format_of(h, false) == Format::Extended;
        if extended {
            h.need("AK", AK_EXTENDED)?;
            zero_nibble(h, "AK")?;
            let nr = nr31(h, "AK YR-TU-NR")?;
            let params = h.params(usize::from(AK_EXTENDED), false)?;
            Ok(Self {
                extended,
                dst_ref: h.u16(2),
                nr,
                cdt: h.u16(8),
                params,
            })
        } else {
            h.need("AK", AK_NORMAL)?;
            let nr = nr7(h, "AK YR-TU-NR")?;
            let params = h.params(usize::from(AK_NORMAL), false)?;
            Ok(Self {
                extended,
                dst_ref: h.u16(2),
                nr,
                cdt: u16::from(h.u8(1) & 0x0f),
                params,
            })
        }
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(if self.extended {
            AK_EXTENDED
        } else {
            AK_NORMAL
        }) + self.params.len()
    }

    /// Writes the AK.
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let (fixed, n) = ack_header(0x60, self.extended, self.dst_ref, self.nr, self.cdt)?;
        parity(n + self.params.len(), usize::from(self.extended))?;
        write(dst, fixed.get(..n).unwrap_or_default(), &self.params, &[])
    }
}

/// EA expedited data acknowledgement (X.224 13.10).
///
/// ```text
/// | LI | 0x20 | DST-REF | YR-EDTU-NR (7 or 31 bits) | params |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExpeditedAck<'a> {
    /// Extended format.
    pub extended: bool,
    /// The peer's reference.
    pub dst_ref: u16,
    /// ED-TPDU-NR being acknowledged.
    pub nr: u32,
    /// Variable part (C3).
    pub params: Params<'a>,
}

impl<'a> ExpeditedAck<'a> {
    pub(crate) fn parse(h: &Header<'a>) -> Result<Self> {
        let extended = format_of(h, false) == Format::Extended;
        let fixed = if extended { EA_EXTENDED } else { EA_NORMAL };
        h.need("EA", fixed)?;
        let nr = if extended {
            nr31(h, "EA YR-EDTU-NR")?
        } else {
            nr7(h, "EA YR-EDTU-NR")?
        };
        Ok(Self {
            extended,
            dst_ref: h.u16(2),
            nr,
            params: h.params(usize::from(fixed), false)?,
        })
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(if self.extended {
            EA_EXTENDED
        } else {
            EA_NORMAL
        }) + self.params.len()
    }

    /// Writes the EA.
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let [d0, d1] = self.dst_ref.to_be_bytes();
        let [n0, n1, n2, n3] = self.nr.to_be_bytes();
        if self.extended {
            check_max("YR-EDTU-NR", self.nr, 0x7fff_ffff)?;
            parity(usize::from(EA_EXTENDED) + self.params.len(), 1)?;
            write(dst, &[0x20, d0, d1, n0, n1, n2, n3], &self.params, &[])
        } else {
            check_max("YR-EDTU-NR", self.nr, 0x7f)?;
            parity(usize::from(EA_NORMAL) + self.params.len(), 0)?;
            write(dst, &[0x20, d0, d1, n3], &self.params, &[])
        }
    }
}

/// RJ reject (X.224 13.11; classes 1 and 3): no variable part, so LI is exactly 4 or 9.
///
/// ```text
/// Normal:   | LI=4 | 0x5 CDT | DST-REF | YR-TU-NR(7)             |
/// Extended: | LI=9 | 0x50    | DST-REF | YR-TU-NR(31) | CDT (16) |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reject {
    /// Extended format.
    pub extended: bool,
    /// The peer's reference.
    pub dst_ref: u16,
    /// Next expected TPDU-NR.
    pub nr: u32,
    /// Credit (at most 15 in the normal format).
    pub cdt: u16,
}

impl Reject {
    pub(crate) fn parse(h: &Header<'_>) -> Result<Self> {
        let extended = h.li == AK_EXTENDED;
        if !extended && h.li != AK_NORMAL {
            let min = if h.li < AK_EXTENDED {
                AK_NORMAL
            } else {
                AK_EXTENDED
            };
            return Err(Error::LiTooSmall {
                tpdu: "RJ (LI exactly 4 or 9)",
                li: h.li,
                min,
            });
        }
        if extended {
            zero_nibble(h, "RJ")?;
            Ok(Self {
                extended,
                dst_ref: h.u16(2),
                nr: nr31(h, "RJ YR-TU-NR")?,
                cdt: h.u16(8),
            })
        } else {
            Ok(Self {
                extended,
                dst_ref: h.u16(2),
                nr: nr7(h, "RJ YR-TU-NR")?,
                cdt: u16::from(h.u8(1) & 0x0f),
            })
        }
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(if self.extended {
            AK_EXTENDED
        } else {
            AK_NORMAL
        })
    }

    /// Writes the RJ.
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let (fixed, n) = ack_header(0x50, self.extended, self.dst_ref, self.nr, self.cdt)?;
        write(dst, fixed.get(..n).unwrap_or_default(), &Params::EMPTY, &[])
    }
}
