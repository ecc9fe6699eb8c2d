//! One entry point for any PPDU: the session SPDU that carried the user data says which
//! PPDU it is (X.226 §8.1 maps each PPDU onto one session service), so decoding takes the
//! carrier and never guesses from the octets.

use crate::connect::{Accept, Connect, Refuse};
use crate::other::{Abort, Resynchronize, TypedData};
use crate::user_data::UserData;
use crate::{Limits, Result};

/// The session service whose SS-user data is decoded: it fixes the PPDU type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Carrier {
    /// S-CONNECT request (CN): CP.
    Connect,
    /// S-CONNECT accept (AC): CPA.
    Accept,
    /// S-CONNECT reject (RF): CPR.
    Refuse,
    /// S-U-ABORT (AB): ARU or ARP.
    Abort,
    /// S-DATA (DT): TD.
    Data,
    /// S-TYPED-DATA (TD SPDU): TTD, AC or ACA.
    TypedData,
    /// S-EXPEDITED-DATA (EX): TE.
    Expedited,
    /// S-CAPABILITY-DATA (CD): TC.
    CapabilityData,
    /// S-CAPABILITY-DATA response (CDA): TCC.
    CapabilityDataAck,
    /// S-RESYNCHRONIZE request (RS): RS.
    Resynchronize,
    /// S-RESYNCHRONIZE response (RA): RSA.
    ResynchronizeAck,
    /// A session service that carries presentation user data without a PPDU (X.226 §8.1:
    /// release, synchronization, activities, exception reports, token give and please).
    Service,
}

/// A decoded PPDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ppdu<'a> {
    /// CP.
    Cp(Connect<'a>),
    /// CPA.
    Cpa(Accept<'a>),
    /// CPR.
    Cpr(Refuse<'a>),
    /// ARU or ARP.
    Abort(Abort<'a>),
    /// TD: user data of S-DATA.
    Td(UserData<'a>),
    /// TTD, AC or ACA.
    Typed(TypedData<'a>),
    /// TE.
    Te(UserData<'a>),
    /// TC.
    Tc(UserData<'a>),
    /// TCC.
    Tcc(UserData<'a>),
    /// RS.
    Rs(Resynchronize<'a>),
    /// RSA.
    Rsa(Resynchronize<'a>),
    /// User data of a session service without a PPDU.
    Service(UserData<'a>),
}

impl<'a> Ppdu<'a> {
    /// Decodes the SS-user data that `carrier` delivered, with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// [`Error`](crate::Error) for anything but one valid PPDU of the type `carrier` fixes.
    pub fn decode(carrier: Carrier, data: &'a [u8]) -> Result<Self> {
        Self::decode_with(carrier, data, &Limits::DEFAULT)
    }

    /// [`Ppdu::decode`] within `limits`.
    ///
    /// # Errors
    ///
    /// As [`Ppdu::decode`].
    pub fn decode_with(carrier: Carrier, data: &'a [u8], limits: &Limits) -> Result<Self> {
        Ok(match carrier {
            Carrier::Connect => Self::Cp(Connect::decode_with(data, limits)?),
            Carrier::Accept => Self::Cpa(Accept::decode_with(data, limits)?),
            Carrier::Refuse => Self::Cpr(Refuse::decode_with(data, limits)?),
            Carrier::Abort => Self::Abort(Abort::decode_with(data, limits)?),
            Carrier::Data => Self::Td(UserData::decode_with(data, limits)?),
            Carrier::TypedData => Self::Typed(TypedData::decode_with(data, limits)?),
            Carrier::Expedited => Self::Te(UserData::decode_with(data, limits)?),
            Carrier::CapabilityData => Self::Tc(UserData::decode_with(data, limits)?),
            Carrier::CapabilityDataAck => Self::Tcc(UserData::decode_with(data, limits)?),
            Carrier::Resynchronize => Self::Rs(Resynchronize::decode_with(data, limits)?),
            Carrier::ResynchronizeAck => Self::Rsa(Resynchronize::decode_with(data, limits)?),
            Carrier::Service => Self::Service(UserData::decode_with(data, limits)?),
        })
    }

    /// The session service that carries this PPDU.
    #[must_use]
    pub const fn carrier(&self) -> Carrier {
        match self {
            Self::Cp(_) => Carrier::Connect,
            Self::Cpa(_) => Carrier::Accept,
            Self::Cpr(_) => Carrier::Refuse,
            Self::Abort(_) => Carrier::Abort,
            Self::Td(_) => Carrier::Data,
            Self::Typed(_) => Carrier::TypedData,
            Self::Te(_) => Carrier::Expedited,
            Self::Tc(_) => Carrier::CapabilityData,
            Self::Tcc(_) => Carrier::CapabilityDataAck,
            Self::Rs(_) => Carrier::Resynchronize,
            Self::Rsa(_) => Carrier::ResynchronizeAck,
            Self::Service(_) => Carrier::Service,
        }
    }

    /// Octets of the encoding.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Cp(p) => p.encoded_len(),
            Self::Cpa(p) => p.encoded_len(),
            Self::Cpr(p) => p.encoded_len(),
            Self::Abort(p) => p.encoded_len(),
            Self::Typed(p) => p.encoded_len(),
            Self::Rs(p) | Self::Rsa(p) => p.encoded_len(),
            Self::Td(p) | Self::Te(p) | Self::Tc(p) | Self::Tcc(p) | Self::Service(p) => {
                p.encoded_len()
            }
        }
    }

    /// Writes the encoding at the start of `dst`; returns its length.
    ///
    /// # Errors
    ///
    /// [`Error::BufferTooSmall`](crate::Error::BufferTooSmall) if `dst` is shorter than
    /// [`Ppdu::encoded_len`].
    pub fn encode(&self, dst: &mut [u8]) -> Result<usize> {
        match self {
            Self::Cp(p) => p.encode(dst),
            Self::Cpa(p) => p.encode(dst),
            Self::Cpr(p) => p.encode(dst),
            Self::Abort(p) => p.encode(dst),
            Self::Typed(p) => p.encode(dst),
            Self::Rs(p) | Self::Rsa(p) => p.encode(dst),
            Self::Td(p) | Self::Te(p) | Self::Tc(p) | Self::Tcc(p) | Self::Service(p) => {
                p.encode(dst)
            }
        }
    }
}
