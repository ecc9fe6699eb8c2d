//! Class 4 transport (TP4) over a datagram network service (X.224 clause 12, Annex A.7).
//!
//! [`Connection`] is a sans-IO machine for one transport connection: bytes and time go in,
//! TPDUs, events and deadlines come out. It implements (X.224 6.13-6.22, 12.2 and Annex D):
//!
//! * three-way establishment CR, CC, AK with CR and CC retransmitted on T1 up to N times;
//!   class 4 only (the only class over CLNS); negotiation of normal/extended formats,
//!   checksum use (used unless both sides want non-use, Table 4), expedited data and TPDU
//!   size (the smaller proposal);
//! * the Annex D checksum in every TPDU when agreed (always in the CR); a TPDU failing
//!   it is discarded unread. Under `cfg(fuzzing)` the check is skipped so fuzzers reach the
//!   code behind it;
//! * credit-window flow control: DTs only inside [LWE, UWE); AKs ordered by YR-TU-NR,
//!   subsequence and credit (12.2.3.7); the subsequence is bumped when credit shrinks; an
//!   AK reopening a closed window is retransmitted until a flow-control confirmation (8C)
//!   echoes it, and we send 8C when a peer's AK reopens our window;
//! * retention and retransmission on T1 (all outstanding DTs inside the window, a local
//!   choice 12.2.1.2 i allows), plus an optional early resend of the first outstanding DT
//!   after repeated duplicate AKs; release after N transmissions without progress;
//! * resequencing of out-of-order DTs inside the window and re-acknowledgement of
//!   duplicates (6.20); segmentation and reassembly of TSDUs;
//! * inactivity timer IL (release when nothing arrives) and window timer W (keep-alive AKs);
//! * blocking expedited data: ED/EA, one outstanding ED per direction, duplicates
//!   re-acknowledged and not redelivered;
//! * DR/DC release with DR retransmission, DR collision, answers to stray DR (DC) and CC
//!   (DR), and frozen references: after release the connection stays in
//!   [`State::Frozen`] for L ([`Config::freeze_time`]) before its reference is free, and
//!   [`References`] keeps a caller's new connections off frozen references;
//! * RJ, which Table 8 does not list for class 4, is accepted from a peer as a request to
//!   retransmit from its YR-TU-NR; we never send it. ER ends the connection.
//!
//! Not implemented: selective acknowledgement, request of acknowledgement, non-blocking
//! expedited data (never proposed, so never agreed), concatenation on output (received
//! concatenated TPDUs are handled), and multiplexing several connections on one machine:
//! one [`Connection`] is one transport connection, and the caller routes datagrams by
//! reference.
//!
//! Memory: this module needs the `alloc` feature. Send queue, retained DTs, out-of-order
//! DTs and reassembly live on the heap, each bounded by a [`Config`] limit.
//!
//! The machine does no IO: the caller hands it each datagram and sends what it polls out.
//! `x400-io` has a UDP driver.

mod config;
mod congestion;
mod event;
mod machine;
mod refs;
mod rtt;
mod seq;

pub use config::{Config, MAX_EXTENDED_CREDIT, MAX_NORMAL_CREDIT, MAX_TSEL_LEN, Tsel};
pub use event::{DisconnectCause, Event, ExpeditedData, MAX_EXPEDITED_LEN, State};
pub use machine::{Connection, Stats};
pub use refs::References;
