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

#[cfg(feature = "tokio")]
mod codec;
mod error;
mod frame;
mod header;

#[cfg(feature = "tokio")]
pub use codec::{CodecError, TpktCodec};
pub use error::{Error, Result};
pub use frame::{Frame, Frames};
pub use header::{
    HEADER_LEN, Header, MAX_PACKET_LEN, MAX_PAYLOAD_LEN, MIN_PACKET_LEN, MIN_PAYLOAD_LEN, VERSION,
};
