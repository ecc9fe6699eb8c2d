//! APDUs arriving on an association: stored, then secured.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use super::Inner;
use super::receive::{ReceiveError, Received, Receiver};
use crate::association::Event;
use crate::peers::Protocol;
use crate::shell::Handle;
use crate::store::{Accepted, Store};

/// The APDU arriving on one association, and who sends it.
pub(super) struct Intake {
    peer: String,
    protocol: Protocol,
    receiver: Option<Receiver>,
}

impl Intake {
    pub(super) fn new(peer: String, protocol: Protocol) -> Self {
        Self {
            peer,
            protocol,
            receiver: None,
        }
    }
}

impl Inner {
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
                    intake.receiver = Some(Receiver::new(
                        intake.protocol,
                        self.store.content_writer(),
                        self.config.max_content,
                    ));
                    None
                } else {
                    Some(ReceiveError::Resumed(offset))
                }
            }
            Event::ApduData(octets) => intake.receiver.as_mut().and_then(|r| r.data(&octets).err()),
            // Checkpoints are confirmed as they come: this MTA offers no recovery, so an
            // interrupted APDU is sent again whole and only its end must be durable.
            Event::ApduCheckpoint { serial, .. } => {
                let _ = handle.confirm_checkpoint(serial).await;
                None
            }
            Event::ApduDiscarded => {
                intake.receiver = None;
                None
            }
            Event::ApduEnd { .. } => match intake.receiver.take() {
                Some(r) => self.store_received(handle, &intake.peer, r).await.err(),
                None => None,
            },
            _ => None,
        };
        if let Some(e) = failed {
            intake.receiver = None;
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
        peer: &str,
        receiver: Receiver,
    ) -> Result<(), ReceiveError> {
        let me = Arc::clone(self);
        let from = peer.to_string();
        let accepted = tokio::task::spawn_blocking(move || me.accept_received(&from, receiver))
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

    /// Finishes, routes and stores a received APDU. Blocking.
    fn accept_received(&self, peer: &str, receiver: Receiver) -> Result<Accepted, ReceiveError> {
        let now = SystemTime::now();
        let (message, reports) = match receiver.finish()? {
            Received::Message {
                envelope,
                content,
                too_large,
            } => self
                .admit_message(Some(peer), &envelope, content, too_large, now)
                .map_err(ReceiveError::Envelope)?,
            Received::Report(report) => (
                self.admit_report(Some(peer), *report, now)
                    .map_err(ReceiveError::Report)?,
                Vec::new(),
            ),
        };
        let kind = message.kind;
        let id = message.mts_id.clone();
        let accepted = self.store.accept(message, reports)?;
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
