#![no_std]
#![doc = include_str!("../README.md")]
//!
//! # Panics
//!
//! No function of this crate panics, whatever bytes it is given; decoders return
//! [`Error`] and encoders return [`Error::BufferTooSmall`] instead of writing past a buffer.

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod code;
mod error;
mod kind;
pub mod machine;
mod params;
mod spdu;
mod tsdu;
mod unit;
mod values;

pub use error::{Error, Result};
pub use kind::{Category, Kind};
pub use params::{
    ConnectAccept, ConnectionId, Linking, MAX_ABORT_REFLECT_LEN, MAX_ACTIVITY_ID_LEN,
    MAX_ADDITIONAL_REF_LEN, MAX_INITIAL_SERIAL_DIGITS, MAX_REF_LEN, MAX_SSEL_LEN,
};
pub use spdu::{
    Abort, AbortAccept, Accept, ActivityDiscard, ActivityDiscardAck, ActivityEnd, ActivityEndAck,
    ActivityEndSyncType, ActivityInterrupt, ActivityInterruptAck, ActivityResume, ActivityStart,
    CapabilityData, CapabilityDataAck, Connect, ConnectDataOverflow, Context, DataTransfer,
    Disconnect, ExceptionData, ExceptionReport, Expedited, Finish, GiveTokens, GiveTokensAck,
    GiveTokensConfirm, MAX_CDO_USER_DATA, MAX_CONNECT_USER_DATA, MAX_EXPEDITED_DATA,
    MAX_EXTENDED_USER_DATA, MAX_V1_ABORT_USER_DATA, MAX_V1_USER_DATA, MajorSyncAck, MajorSyncPoint,
    MajorSyncType, MinorSyncAck, MinorSyncPoint, NotFinished, OverflowAccept, PleaseTokens,
    Prepare, Refuse, Resynchronize, ResynchronizeAck, Si42, Spdu, TypedData,
};
pub use tsdu::{MAX_SPDUS_PER_TSDU, Spdus, Tsdu, encode_tsdu};
pub use unit::{MAX_LI, Unit, Units, Unknown};
pub use values::{
    DataOverflow, Enclosure, MAX_SERIAL_DIGITS, PrepareType, ProtocolOptions, Reason, Requirements,
    ResyncType, SerialNumber, SyncType, TokenItem, TokenPosition, TokenSetting,
    TransportDisconnect, TsduMaxSize, Version,
};
