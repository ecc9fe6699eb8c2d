//! The reference-carrying control TPDUs: CR, CC, DR, DC and ER.

use crate::Result;
use crate::code::{ClassOption, DisconnectReason, ParamCode, RejectCause};
use crate::param::{Param, Params};
use crate::tpdu::{Header, check_max, write};

/// CR or CC (X.224 13.3, 13.4): the same layout under codes 0xE_ and 0xD_.
///
/// ```text
/// | LI | 0xE/0xD CDT | DST-REF (2) | SRC-REF (2) | class+options | params.. | user data.. |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Connect<'a> {
    /// Initial credit, the low nibble of the code octet (0 in classes 0 and 1).
    /// INVARIANT when encoding: at most 15.
    pub cdt: u8,
    /// CR: 0. CC: the initiator's SRC-REF.
    pub dst_ref: u16,
    /// The sender's reference (X.224 6.5.4 wants it non-zero; S7 peers send 0).
    pub src_ref: u16,
    /// Preferred (CR) or selected (CC) class and options.
    pub class: ClassOption,
    /// Variable part.
    pub params: Params<'a>,
    /// User data (not allowed in class 0 by ISO; RFC 1006 allows it over TCP).
    pub data: &'a [u8],
}

/// Fixed part after LI of CR/CC: code, DST-REF, SRC-REF, class.
const CONNECT_FIXED: u8 = 1 /* code */ + 2 /* DST-REF */ + 2 /* SRC-REF */ + 1 /* class */;

impl<'a> Connect<'a> {
    pub(crate) fn parse(h: &Header<'a>, name: &'static str, data: &'a [u8]) -> Result<Self> {
        h.need(name, CONNECT_FIXED)?;
        Ok(Self {
            cdt: h.u8(1) & 0x0f,
            dst_ref: h.u16(2),
            src_ref: h.u16(4),
            class: ClassOption(h.u8(6)),
            params: h.params(usize::from(CONNECT_FIXED), false)?,
            data,
        })
    }

    /// The calling transport selector (C1), if present and well-formed.
    pub fn calling_tsel(&self) -> Option<&'a [u8]> {
        match self.params.find(ParamCode::CALLING_TSEL) {
            Some(Ok(Param::CallingTsel(v))) => Some(v),
            _ => None,
        }
    }

    /// The called (CR) or responding (CC) transport selector (C2), if present.
    pub fn called_tsel(&self) -> Option<&'a [u8]> {
        match self.params.find(ParamCode::CALLED_TSEL) {
            Some(Ok(Param::CalledTsel(v))) => Some(v),
            _ => None,
        }
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(CONNECT_FIXED) + self.params.len() + self.data.len()
    }

    pub(crate) fn encode_as(&self, code: u8, dst: &mut [u8]) -> Result<usize> {
        check_max("CDT", self.cdt.into(), 15)?;
        let [d0, d1] = self.dst_ref.to_be_bytes();
        let [s0, s1] = self.src_ref.to_be_bytes();
        write(
            dst,
            &[code | self.cdt, d0, d1, s0, s1, self.class.0],
            &self.params,
            self.data,
        )
    }
}

/// DR disconnect request (X.224 13.5).
///
/// ```text
/// | LI | 0x80 | DST-REF (2) | SRC-REF (2) | reason | params.. | user data.. |
/// ```
///
/// python-snap7 3.3.0 sends a class 0 DR with one octet after a 7-octet header
/// (`06 80 00 01 00 01 00 00`). The decoder reads it as what the layout says it is: one octet
/// of user data. Class 0 forbids DR user data; the TP0 machine ignores it and reports the
/// disconnect (being strict would turn a peer's orderly goodbye into a protocol error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Disconnect<'a> {
    /// The peer's reference.
    pub dst_ref: u16,
    /// The sender's reference; 0 when refusing a CR.
    pub src_ref: u16,
    /// Why.
    pub reason: DisconnectReason,
    /// Variable part (E0 additional information, C3 checksum).
    pub params: Params<'a>,
    /// User data (at most 64 octets in classes 1-4, none in class 0).
    pub data: &'a [u8],
}

/// Fixed part after LI of DR: code, DST-REF, SRC-REF, reason.
const DR_FIXED: u8 = 1 /* code */ + 2 /* DST-REF */ + 2 /* SRC-REF */ + 1 /* reason */;

impl<'a> Disconnect<'a> {
    pub(crate) fn parse(h: &Header<'a>, data: &'a [u8]) -> Result<Self> {
        h.need("DR", DR_FIXED)?;
        Ok(Self {
            dst_ref: h.u16(2),
            src_ref: h.u16(4),
            reason: DisconnectReason(h.u8(6)),
            params: h.params(usize::from(DR_FIXED), false)?,
            data,
        })
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(DR_FIXED) + self.params.len() + self.data.len()
    }

    /// Writes the DR; see [`crate::Tpdu::encode`].
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let [d0, d1] = self.dst_ref.to_be_bytes();
        let [s0, s1] = self.src_ref.to_be_bytes();
        write(
            dst,
            &[0x80, d0, d1, s0, s1, self.reason.0],
            &self.params,
            self.data,
        )
    }
}

/// DC disconnect confirm (X.224 13.6; not used in class 0).
///
/// ```text
/// | LI | 0xC0 | DST-REF (2) | SRC-REF (2) | params.. |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DisconnectConfirm<'a> {
    /// The peer's reference.
    pub dst_ref: u16,
    /// The sender's reference.
    pub src_ref: u16,
    /// Variable part (C3 checksum).
    pub params: Params<'a>,
}

/// Fixed part after LI of DC: code, DST-REF, SRC-REF.
const DC_FIXED: u8 = 1 /* code */ + 2 /* DST-REF */ + 2 /* SRC-REF */;

impl<'a> DisconnectConfirm<'a> {
    pub(crate) fn parse(h: &Header<'a>) -> Result<Self> {
        h.need("DC", DC_FIXED)?;
        Ok(Self {
            dst_ref: h.u16(2),
            src_ref: h.u16(4),
            params: h.params(usize::from(DC_FIXED), false)?,
        })
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(DC_FIXED) + self.params.len()
    }

    /// Writes the DC.
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let [d0, d1] = self.dst_ref.to_be_bytes();
        let [s0, s1] = self.src_ref.to_be_bytes();
        write(dst, &[0xc0, d0, d1, s0, s1], &self.params, &[])
    }
}

/// ER TPDU error (X.224 13.12).
///
/// ```text
/// | LI | 0x70 | DST-REF (2) | reject cause | params.. (C1 invalid TPDU, C3) |
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorTpdu<'a> {
    /// The peer's reference.
    pub dst_ref: u16,
    /// Why the TPDU was rejected.
    pub cause: RejectCause,
    /// Variable part; code 0xC1 is the invalid TPDU here ([`Param::InvalidTpdu`]).
    pub params: Params<'a>,
}

/// Fixed part after LI of ER: code, DST-REF, cause.
const ER_FIXED: u8 = 1 /* code */ + 2 /* DST-REF */ + 1 /* cause */;

impl<'a> ErrorTpdu<'a> {
    pub(crate) fn parse(h: &Header<'a>) -> Result<Self> {
        h.need("ER", ER_FIXED)?;
        Ok(Self {
            dst_ref: h.u16(2),
            cause: RejectCause(h.u8(4)),
            params: h.params(usize::from(ER_FIXED), true)?,
        })
    }

    /// The rejected header octets (parameter C1), if present. Mandatory in class 0 but
    /// missing in ISODE's ER (`TLose` in its tsap/tp0ts.c sends the cause only), so callers
    /// must cope with `None`.
    pub fn invalid_tpdu(&self) -> Option<&'a [u8]> {
        match self.params.find(ParamCode::CALLING_TSEL) {
            Some(Ok(Param::InvalidTpdu(v))) => Some(v),
            _ => None,
        }
    }

    /// Octets the encoding takes.
    pub fn encoded_len(&self) -> usize {
        1 + usize::from(ER_FIXED) + self.params.len()
    }

    /// Writes the ER.
    ///
    /// # Errors
    ///
    /// As [`crate::Tpdu::encode`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        let [d0, d1] = self.dst_ref.to_be_bytes();
        write(dst, &[0x70, d0, d1, self.cause.0], &self.params, &[])
    }
}
