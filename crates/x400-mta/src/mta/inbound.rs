//! APDUs arriving on an association: stored, then secured. Each goes through an [`Arrival`],
//! which the fuzz target of the store boundary drives without a network.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use super::receive::{ReceiveError, Received, Receiver};
use super::{Inner, Mta};
use crate::association::Event;
use crate::peers::Protocol;
use crate::shell::Handle;
use crate::store::{Accepted, Store};

/// One APDU arriving from a peer, on its way into the queue: its octets as they come
/// ([`Arrival::data`]; the content goes to the store's spool, so any size needs bounded
/// memory), then [`Arrival::finish`] routes and stores it. Dropping it before `finish`
/// leaves nothing behind.
pub struct Arrival {
    inner: Arc<Inner>,
    peer: String,
    receiver: Receiver,
}

impl core::fmt::Debug for Arrival {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Arrival")
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl Mta {
    /// A transfer APDU (X.411 12.2, in `protocol`'s P1) starting to arrive from the MTA
    /// named `peer`, taken exactly as the MTA's associations take theirs.
    #[must_use]
    pub fn arrival(&self, peer: &str, protocol: Protocol) -> Arrival {
        Arc::clone(&self.inner).arrival(peer, protocol)
    }
}

impl Arrival {
    /// The next octets of the APDU.
    ///
    /// # Errors
    ///
    /// The APDU cannot be taken (see [`ReceiveError`]); drop the arrival.
    pub fn data(&mut self, octets: &[u8]) -> Result<(), ReceiveError> {
        self.receiver.data(octets)
    }

    /// The APDU is complete: routes each recipient we are responsible for, and stores the
    /// message with the reports due at once in one commit. Blocking; durable when it returns
    /// `Ok`, and only then may the APDU be secured to its sender. A message accepted before
    /// (the same MTS identifier from the same peer for the same recipients) is
    /// [`Accepted::Duplicate`] and is not queued again.
    ///
    /// # Errors
    ///
    /// The APDU cannot be taken (see [`ReceiveError`]): nothing of it was queued.
    pub fn finish(self) -> Result<Accepted, ReceiveError> {
        let Self {
            inner,
            peer,
            receiver,
        } = self;
        let now = SystemTime::now();
        let (message, reports) = match receiver.finish()? {
            Received::Message {
                envelope,
                content,
                too_large,
            } => inner
                .admit_message(Some(&peer), &envelope, content, too_large, now)
                .map_err(ReceiveError::Envelope)?,
            Received::Report(report) => (
                inner
                    .admit_report(Some(&peer), *report, now)
                    .map_err(ReceiveError::Report)?,
                Vec::new(),
            ),
        };
        let kind = message.kind;
        let id = message.mts_id.clone();
        let accepted = inner.store.accept(message, reports)?;
        match accepted {
            Accepted::New(n) => {
                tracing::info!("mta queue: {kind:?} {id} from MTA {peer:?} secured as {n}")
            }
            Accepted::Duplicate => tracing::info!(
                "mta queue: {kind:?} {id} from MTA {peer:?} was secured before; acknowledged again, not queued"
            ),
        }
        Ok(accepted)
    }
}

/// The APDU arriving on one association, and who sends it.
pub(super) struct Intake {
    peer: String,
    protocol: Protocol,
    arrival: Option<Arrival>,
}

impl Intake {
    pub(super) fn new(peer: String, protocol: Protocol) -> Self {
        Self {
            peer,
            protocol,
            arrival: None,
        }
    }
}

impl Inner {
    fn arrival(self: Arc<Self>, peer: &str, protocol: Protocol) -> Arrival {
        let receiver = Receiver::new(
            protocol,
            self.store.content_writer(),
            self.config.max_content,
        );
        Arrival {
            inner: self,
            peer: peer.to_string(),
            receiver,
        }
    }

    /// Serves an association a peer opened: its APDUs go to the queue until it ends.
    pub(super) async fn serve(self: Arc<Self>, mut handle: Handle) {
        let mut intake: Option<Intake> = None;
        while let Some(ev) = handle.next().await {
            match ev {
                Event::Bound { peer, protocol, .. } => intake = Some(Intake::new(peer, protocol)),
                Event::Ended(_) => break,
                other => {
                    if let Some(i) = intake.as_mut() {
                        self.take(&handle, i, other).await;
                    }
                }
            }
        }
    }

    /// Acts on an event of an APDU arriving. Anything that prevents storing it aborts the
    /// association: the sender keeps the APDU, and our log says why.
    pub(super) async fn take(self: &Arc<Self>, handle: &Handle, intake: &mut Intake, ev: Event) {
        let failed = match ev {
            Event::ApduStart { offset } => {
                if offset == 0 {
                    intake.arrival = Some(Arc::clone(self).arrival(&intake.peer, intake.protocol));
                    None
                } else {
                    Some(ReceiveError::Resumed(offset))
                }
            }
            Event::ApduData(octets) => intake.arrival.as_mut().and_then(|r| r.data(&octets).err()),
            // Checkpoints are confirmed as they come: this MTA offers no recovery, so an
            // interrupted APDU is sent again whole and only its end must be durable.
            Event::ApduCheckpoint { serial, .. } => {
                let _ = handle.confirm_checkpoint(serial).await;
                None
            }
            Event::ApduDiscarded => {
                intake.arrival = None;
                None
            }
            Event::ApduEnd { .. } => match intake.arrival.take() {
                Some(r) => self.store_received(handle, r).await.err(),
                None => None,
            },
            _ => None,
        };
        if let Some(e) = failed {
            intake.arrival = None;
            tracing::warn!(
                "mta queue: refused an APDU from MTA {:?} at {}: {e}",
                intake.peer,
                handle.remote()
            );
            let _ = handle
                .abort(format!("the APDU could not be stored: {e}"))
                .await;
        }
    }

    /// Makes a complete APDU durable and secures it.
    async fn store_received(
        self: &Arc<Self>,
        handle: &Handle,
        arrival: Arrival,
    ) -> Result<(), ReceiveError> {
        let accepted = tokio::task::spawn_blocking(move || arrival.finish())
            .await
            .map_err(|e| ReceiveError::Store(crate::store::StoreError::Commit(e.to_string())))??;
        let _ = handle.secured().await;
        self.counters.received.fetch_add(1, Ordering::Relaxed);
        if accepted == Accepted::Duplicate {
            self.counters.duplicates.fetch_add(1, Ordering::Relaxed);
        }
        self.wake.notify_one();
        Ok(())
    }
}
