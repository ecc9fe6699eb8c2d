#![doc = include_str!("../README.md")]

pub use osi_sansio as sansio;
pub use osi_session as session;
pub use osi_tpkt as tpkt;
pub use osi_transport as transport;
pub use x400_p1 as p1;
pub use x400_rts as rts;
