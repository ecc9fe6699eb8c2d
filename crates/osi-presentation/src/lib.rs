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

mod api;
mod codes;
mod connect;
mod context;
mod error;
mod limits;
mod list;
mod other;
mod ppdu;
mod user_data;
mod values;
mod wire;

pub use codes::{
    AbortReason, ContextRejectReason, DeletionResult, EventId, Mode, ProviderReason, ResultCode,
    presentation_requirements, protocol_options, session_requirements,
};
pub use connect::{Accept, AcceptParams, Connect, ConnectParams, Refuse, RefuseParams};
pub use context::{ContextItem, ContextSyntax, DefaultContext, ResultItem};
pub use error::{Error, Result};
pub use limits::Limits;
pub use list::{Item, Iter, List};
pub use other::{
    Abort, AlterContext, AlterContextAck, ProviderAbort, Resynchronize, TypedData, UserAbort,
};
pub use ppdu::{Carrier, Ppdu};
pub use user_data::{Pdv, PdvValues, UserData};
pub use values::{BitString, ContextId, Oid};
