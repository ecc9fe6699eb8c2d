#![no_std]
#![doc = include_str!("../README.md")]
//!
//! # Panics
//!
//! Nothing in this crate panics, whatever bytes it is given.

#[cfg(test)]
extern crate alloc;

pub mod ber;
mod code_point;
mod limits;
mod machine;
mod time;

pub use limits::DecodeLimits;
pub use machine::{BufferTooSmall, Machine};
pub use time::Instant;
