//! Reliable file transfer over X.410 (1984) RTS, speaking the application protocol of
//! ISODE's classic `rtf` demo: the whole stack (TPKT, TP0, session, RTS) on TCP, through
//! [`crate::rts::Link`]. The `rtf` example of the `x400` package is its command line.
//!
//! A file is one APDU in one activity, checkpointed every [`SendOptions::checkpoint`] KiB,
//! and never held in memory: [`send()`] reads it as the RTS window allows, the [`Receiver`]
//! writes each piece as it arrives and confirms a checkpoint once the data before it is
//! written.
//! When the connection is lost, [`send()`] reconnects with a PConnect `recover` and resumes
//! after the last checkpoint the receiver confirmed; the [`Receiver`] keeps partial files
//! [`RecvOptions::keep`] long. The sender writes its recovery point to
//! [`SendOptions::state`] ([`Saved`]), so that even after `kill -9` the same transfer resumes
//! instead of starting over (if the receiver still holds it; otherwise it refuses with
//! `cannotRecover` and the file is sent again from the start).
//!
//! Wire facts as ISODE's rtf puts a file: TP0 without transport selectors, called session
//! selector 0x0002 ([`CALLED_SSEL`]), session requirements 0x0249 with version 2 offered,
//! PConnect with dialogue mode twa, application protocol 132 ([`APPLICATION_PROTOCOL`]) and
//! `open` = `30 LL 80 user 81 password 82 name` ([`OpenData`]); PAccept with `open` NULL;
//! release with FN/DN.

mod open_data;
mod recv;
mod send;
mod state;

pub use open_data::{APPLICATION_PROTOCOL, DEFAULT_USER, OpenData};
pub use recv::{Receiver, RecvOptions, store};
pub use send::{CALLED_SSEL, Report, SendOptions, connection_id, send};
pub use state::Saved;
