//! Every limit and choice of the TP0 machine, with its default.

use core::time::Duration;

use crate::{Error, Result, TpduSize};

/// Largest connect user data (CR/CC) the machine sends or accepts: RFC 1006 §5 allows CR/CC
/// user data over TCP "for testing"; ISODE and the HP/Tandem stack cap it at 32 octets.
pub const MAX_CONNECT_DATA_LEN: usize = 32;

/// Largest expedited unit (RFC 2126 §4.1.2: 1 to 16 octets).
pub const MAX_EXPEDITED_LEN: usize = 16;

/// Largest TPDU over RFC 1006: a TPKT's 65535 octets minus its 4-octet header.
pub const MAX_TPDU_SIZE: u32 = 65531;

/// Smallest TPDU size X.224 defines (code 0x07).
pub const MIN_TPDU_SIZE: u32 = 128;

/// Configuration of a [`crate::tp0::Tp0`] machine: start from `Config::default()` and set
/// fields; [`Config::validate`] is called by the constructors. Every default is a named
/// constant (`Config::DEFAULT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Our reference, sent as SRC-REF in CR and CC. X.224 6.5.4 forbids 0. The caller picks
    /// it (the machine reads no clock and no random source). Default 1.
    pub local_ref: u16,
    /// Largest TPDU (LI to last data octet) we offer or accept, in octets,
    /// `MIN_TPDU_SIZE..=MAX_TPDU_SIZE`. Default 65531 (RFC 1006 §5 item 4).
    pub max_tpdu_size: u32,
    /// The TPDU size the initiator proposes in C0. Default 0x0B (2048): the class 0 maximum,
    /// understood by every peer (non-ISO codes made a Siemens S7 drop connections,
    /// beanit/iec61850bean #40).
    pub proposed_tpdu_size: TpduSize,
    /// Preferred maximum TPDU size the initiator proposes in F0, in units of 128 octets;
    /// `None` sends no F0. Default `None` (peers unaware of F0 fall back to C0 anyway).
    pub proposed_preferred_units: Option<u32>,
    /// Offer (initiator) and accept (responder) the RFC 1006 expedited data option
    /// (C6 bit 1). Default `false`, RFC 1006's default.
    pub expedited: bool,
    /// Largest TSDU reassembled, in octets; a longer one ends the connection with
    /// [`crate::tp0::DisconnectCause::TsduTooLong`]. The limit of the reassembly storage
    /// given to the machine bounds it too. Default 1 MiB.
    pub max_tsdu_len: usize,
    /// Largest CR/CC user data accepted or sent, at most [`MAX_CONNECT_DATA_LEN`]; longer
    /// connect data in a received CR is a protocol error. Default 32.
    pub max_connect_data_len: usize,
    /// How long connection establishment may take: from `connect` (initiator) or creation
    /// (responder) until the connection is open (X.224 TS1). Default 30 s.
    pub connect_timeout: Duration,
}

impl Config {
    /// Default [`Config::local_ref`].
    pub const DEFAULT_LOCAL_REF: u16 = 1;
    /// Default [`Config::max_tpdu_size`].
    pub const DEFAULT_MAX_TPDU_SIZE: u32 = MAX_TPDU_SIZE;
    /// Default [`Config::proposed_tpdu_size`].
    pub const DEFAULT_PROPOSED_TPDU_SIZE: TpduSize = TpduSize::S2048;
    /// Default [`Config::expedited`].
    pub const DEFAULT_EXPEDITED: bool = false;
    /// Default [`Config::max_tsdu_len`].
    pub const DEFAULT_MAX_TSDU_LEN: usize = 1 << 20;
    /// Default [`Config::max_connect_data_len`].
    pub const DEFAULT_MAX_CONNECT_DATA_LEN: usize = MAX_CONNECT_DATA_LEN;
    /// Default [`Config::connect_timeout`].
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
}

impl Default for Config {
    fn default() -> Self {
        Self {
            local_ref: Self::DEFAULT_LOCAL_REF,
            max_tpdu_size: Self::DEFAULT_MAX_TPDU_SIZE,
            proposed_tpdu_size: Self::DEFAULT_PROPOSED_TPDU_SIZE,
            proposed_preferred_units: None,
            expedited: Self::DEFAULT_EXPEDITED,
            max_tsdu_len: Self::DEFAULT_MAX_TSDU_LEN,
            max_connect_data_len: Self::DEFAULT_MAX_CONNECT_DATA_LEN,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
        }
    }
}

impl Config {
    /// Checks every value against its documented range.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] naming the first value out of range.
    pub fn validate(&self) -> Result<()> {
        if self.local_ref == 0 {
            return Err(Error::Config("local_ref must not be 0 (X.224 6.5.4)"));
        }
        if !(MIN_TPDU_SIZE..=MAX_TPDU_SIZE).contains(&self.max_tpdu_size) {
            return Err(Error::Config("max_tpdu_size must be 128..=65531"));
        }
        match self.proposed_tpdu_size.octets() {
            Some(n) if n <= self.max_tpdu_size => {}
            _ => {
                return Err(Error::Config(
                    "proposed_tpdu_size must be a defined code not above max_tpdu_size",
                ));
            }
        }
        if let Some(u) = self.proposed_preferred_units
            && (u == 0 || u64::from(u) * 128 > u64::from(self.max_tpdu_size))
        {
            return Err(Error::Config(
                "proposed_preferred_units must be 1..=max_tpdu_size/128",
            ));
        }
        if self.max_connect_data_len > MAX_CONNECT_DATA_LEN {
            return Err(Error::Config("max_connect_data_len must be at most 32"));
        }
        Ok(())
    }
}
