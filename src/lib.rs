#![doc = include_str!("../README.md")]

pub use osi_session as session;
pub use osi_tpkt as tpkt;
pub use osi_transport as transport;

pub mod fuzz;
