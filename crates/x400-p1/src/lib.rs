#![no_std]
#![doc = include_str!("../README.md")]
//!
//! # Panics
//!
//! No function of this crate panics, whatever octets or values it is given: bad input is an
//! [`Error`].

// rasn's derive output for CHOICE types names `Decoder`/`Encoder` without their lifetimes.
#![allow(elided_lifetimes_in_paths)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

mod codec;
pub mod convert;
mod error;
pub mod mta_abstract_service;
pub mod mts_abstract_service;
pub mod or_address_text;
pub mod p1_1984;
pub mod stream;
mod unknown_elements;
pub mod upper_bounds;
mod validate;

pub use codec::{
    DEFAULT_LIMITS, DecodeLimits, Pdu, TransferApdu, application_protocol, decode, decode_transfer,
    decode_with, encode, encode_into,
};
pub use error::{Error, Result};
/// The rasn types the P1 types are built from (strings, bit strings, times, open types).
pub use rasn::types::{
    Any, BitString, Ia5String, NumericString, ObjectIdentifier, OctetString, PrintableString,
    TeletexString, UtcTime,
};
pub use validate::Validate;
