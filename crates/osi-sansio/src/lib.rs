#![no_std]
#![doc = include_str!("../README.md")]
//!
//! # Panics
//!
//! Nothing in this crate panics, whatever bytes it is given.

#[cfg(any(test, feature = "alloc"))]
extern crate alloc;

pub mod ber;
mod code_point;
mod limits;
mod machine;
mod storage;
mod time;

pub use limits::DecodeLimits;
pub use machine::{BufferTooSmall, Machine};
#[cfg(feature = "alloc")]
pub use storage::GrowBuf;
pub use storage::Storage;
pub use time::Instant;
