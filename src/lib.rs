#![doc = include_str!("../README.md")]

pub use osi_tpkt as tpkt;
pub use x400_p1 as p1;

pub mod fuzz;
