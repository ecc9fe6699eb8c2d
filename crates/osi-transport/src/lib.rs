#![no_std]
#![doc = include_str!("../README.md")]
//!
//! # Panics
//!
//! No function of this crate panics, whatever bytes it is given: decoders return [`Error`],
//! encoders return [`Error::BufferTooSmall`] instead of writing past a buffer, and the TP0
//! machine answers bad input with ER/DR and a disconnect event.

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod checksum;
mod code;
mod connection;
mod data;
mod error;
mod param;
pub mod tp0;
#[cfg(feature = "alloc")]
pub mod tp4;
mod tpdu;

pub use code::{
    AdditionalOptions, ClassOption, DisconnectReason, ParamCode, RejectCause, TpduSize,
};
pub use connection::{Connect, Disconnect, DisconnectConfirm, ErrorTpdu};
pub use data::{Ack, Data, Expedited, ExpeditedAck, Reject};
pub use error::{Error, Result};
pub use param::{BeUint, MAX_PARAMS_LEN, Param, ParamBuf, ParamIter, Params};
pub use tpdu::{Format, MAX_LI, Tpdu};
// The shared sans-IO contract, re-exported so that users of the machines need no other crate.
pub use osi_sansio::{BufferTooSmall, Instant, Machine, Storage};
