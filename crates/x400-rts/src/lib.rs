#![no_std]
#![doc = include_str!("../README.md")]
//!
//! # Panics
//!
//! No function of this crate panics, whatever bytes it is given: decoders return [`Error`].

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

mod abort;
mod accept;
mod asn;
mod ber;
mod codes;
mod connect;
mod connection_data;
mod error;
pub mod machine;
mod options;
mod recover;
mod refuse;
mod strings;
mod syntax;

pub use abort::AbortInformation;
pub use accept::PAccept;
pub use codes::{AbortReason, ApplicationProtocol, DialogueMode, RefuseReason};
pub use connect::PConnect;
pub use connection_data::ConnectionData;
pub use error::{Error, Result};
pub use options::{DEFAULT_LIMITS, DEFAULT_MAX_PDU_LEN, DecodeLimits};
/// The shared sans-IO contract (time, the machine shape, BER limits), for naming its types.
pub use osi_sansio as sansio;
/// rasn, whose `Any`, `BitString` and `OctetString` appear in this crate's types.
pub use rasn;
pub use recover::{CallingSsUserReference, SessionConnectionIdentifier};
pub use refuse::PRefuse;
pub use strings::{T61String, UtcTimeOctets};
pub use syntax::DataTransferSyntax;
