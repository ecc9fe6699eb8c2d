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

mod apdu;
mod api;
mod associate;
mod codes;
mod error;
mod external;
mod limits;
mod list;
mod names;
mod release;
mod values;
mod wire;

pub use apdu::Apdu;
pub use associate::{Aare, Aarq, SourceDiagnostic};
pub use codes::{
    AbortDiagnostic, AbortSource, AssociateResult, ProviderDiagnostic, ReleaseRequestReason,
    ReleaseResponseReason, UserDiagnostic, acse_requirements,
};
pub use error::{Error, Result};
pub use external::{Encoding, External};
pub use limits::Limits;
pub use list::{Item, Iter, List};
pub use names::{AeQualifier, ApTitle, AuthenticationValue};
pub use release::{Abort, Rlre, Rlrq};
pub use values::{BitString, Oid};
