//! Relaying to a next-hop MTA: one association at a time per peer, many messages on it, each
//! with our trace element and the responsibility for exactly the recipients that peer takes.

use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use x400_p1::mta_abstract_service::{MessageTransferEnvelope, MtsApdu, RoutingAction};
use x400_p1::p1_1984::{DeliveryReportMpdu, Mpdu, UmpduEnvelope};
use x400_p1::stream::message_prefix;

use super::Inner;
use super::inbound::Intake;
use crate::association::{Apdu, Event};
use crate::peers::Protocol;
use crate::report::Outcome;
use crate::routing::{Target, set_responsibility};
use crate::shell::Handle;
use crate::store::{Job, Kind, Outcome as Settled, Store};
use crate::trace::{TraceError, add_trace, time_from};

/// Why a message cannot go to this peer at all (it is reported on), as opposed to a failed
/// attempt (it is tried again).
struct NotRelayable(Outcome, String);

impl Inner {
    /// Relays everything due for `peer`, on one association, until nothing is left.
    pub(super) async fn relay(self: Arc<Self>, peer: String) {
        let hop = Target::Peer(peer.clone());
        let mut open: Option<(Handle, Intake)> = None;
        while !self.stopping() {
            let me = Arc::clone(&self);
            let h = hop.clone();
            let claimed = tokio::task::spawn_blocking(move || {
                me.store
                    .claim(&h, SystemTime::now(), me.config.lease, me.config.batch)
            })
            .await;
            let jobs = match claimed {
                Ok(Ok(j)) => j,
                Ok(Err(e)) => {
                    tracing::error!("mta relay: cannot claim work for MTA {peer:?}: {e}");
                    break;
                }
                Err(e) => {
                    tracing::error!("mta relay: the claiming task failed: {e}");
                    break;
                }
            };
            if jobs.is_empty() {
                break;
            }
            if open.is_none() {
                match self.open(&peer).await {
                    Ok(o) => open = Some(o),
                    Err(why) => {
                        tracing::warn!("mta relay: MTA {peer:?}: {why}");
                        self.retry_all(jobs, why).await;
                        break;
                    }
                }
            }
            let mut jobs = jobs.into_iter();
            while let Some(job) = jobs.next() {
                let Some((handle, intake)) = open.as_mut() else {
                    self.retry_all(vec![job], "the association ended".into())
                        .await;
                    continue;
                };
                match self.send(handle, intake, &job).await {
                    Ok(()) => {
                        self.counters.relayed.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(
                            "mta relay: {:?} {} secured by MTA {peer:?} for {} recipient(s)",
                            job.kind,
                            job.mts_id,
                            job.recipients.len()
                        );
                        self.settle_blocking(job, Settled::Relayed).await;
                    }
                    Err(Attempt::NotRelayable(NotRelayable(outcome, words))) => {
                        let me = Arc::clone(&self);
                        let _ = tokio::task::spawn_blocking(move || {
                            me.give_up(&job, &outcome, &words);
                        })
                        .await;
                    }
                    Err(Attempt::Failed { why, ended }) => {
                        tracing::warn!("mta relay: {} to MTA {peer:?}: {why}", job.mts_id);
                        self.retry_all(vec![job], why.clone()).await;
                        if ended {
                            // The rest waits for its next attempt.
                            self.retry_all(jobs.by_ref().collect(), why).await;
                            open = None;
                        }
                    }
                }
            }
        }
        if let Some((mut handle, mut intake)) = open {
            let _ = handle.close().await;
            while let Some(ev) = handle.next().await {
                if matches!(ev, Event::Ended(_)) {
                    break;
                }
                self.take(&handle, &mut intake, ev).await;
            }
        }
    }

    /// Opens a bound association to `peer`.
    async fn open(&self, peer: &str) -> Result<(Handle, Intake), String> {
        let mut handle = self.shell.connect(peer).await.map_err(|e| e.to_string())?;
        while let Some(ev) = handle.next().await {
            match ev {
                Event::Bound { peer, protocol, .. } => {
                    return Ok((handle, Intake::new(peer, protocol)));
                }
                Event::Ended(why) => return Err(format!("the association failed: {why}")),
                _ => {}
            }
        }
        Err("the association's task ended".into())
    }

    /// Transfers one job's APDU and waits until the peer secures it.
    async fn send(
        self: &Arc<Self>,
        handle: &mut Handle,
        intake: &mut Intake,
        job: &Job,
    ) -> Result<(), Attempt> {
        let protocol = self
            .shell
            .peers()
            .get(match &job.hop {
                Target::Peer(p) => p,
                Target::Local => "",
            })
            .map_or(Protocol::P1988X410, |p| p.protocol);
        let me = Arc::clone(self);
        let j = job.clone();
        let apdu = tokio::task::spawn_blocking(move || me.outgoing(&j, protocol))
            .await
            .map_err(|e| Attempt::Failed {
                why: format!("building the APDU failed: {e}"),
                ended: false,
            })??;
        handle.transfer(apdu).await.map_err(|_| Attempt::Failed {
            why: "the association ended".into(),
            ended: true,
        })?;
        while let Some(ev) = handle.next().await {
            match ev {
                Event::Transferred => return Ok(()),
                Event::TransferFailed { why, .. } => {
                    return Err(Attempt::Failed { why, ended: false });
                }
                Event::Ended(why) => {
                    return Err(Attempt::Failed {
                        why: format!("the association ended: {why}"),
                        ended: true,
                    });
                }
                // A peer may send on our association when it has the turn.
                other => self.take(handle, intake, other).await,
            }
        }
        Err(Attempt::Failed {
            why: "the association's task ended".into(),
            ended: true,
        })
    }

    /// The APDU of a job for a peer speaking `protocol`. Blocking.
    fn outgoing(&self, job: &Job, protocol: Protocol) -> Result<Apdu, Attempt> {
        let failed = |why: String| Attempt::Failed { why, ended: false };
        let stored = self
            .store
            .load(job.message)
            .map_err(|e| failed(e.to_string()))?;
        let arrival = time_from(stored.arrival).map_err(|e| failed(e.to_string()))?;
        let trace_full = |e: TraceError| {
            Attempt::NotRelayable(NotRelayable(Outcome::too_many_transfers(), e.to_string()))
        };
        let downgrade = |e: x400_p1::convert::Downgrade| {
            Attempt::NotRelayable(NotRelayable(
                Outcome::unable_to_downgrade(),
                format!("the 1984 peer cannot take it: {e}"),
            ))
        };
        let encoding = |e: x400_p1::Error| failed(format!("encoding failed: {e}"));
        match job.kind {
            Kind::Message => {
                let mut envelope = x400_p1::decode::<MessageTransferEnvelope>(&stored.envelope)
                    .map_err(|e| failed(format!("stored envelope: {e}")))?;
                add_trace(
                    &mut envelope.trace_information,
                    &self.config.domain,
                    arrival,
                    RoutingAction::Relayed,
                )
                .map_err(trace_full)?;
                let ours: Vec<usize> = job
                    .recipients
                    .iter()
                    .map(|&i| usize::try_from(i).unwrap_or(usize::MAX))
                    .collect();
                set_responsibility(&mut envelope, &ours).map_err(|e| failed(e.to_string()))?;
                let octets = match protocol {
                    Protocol::P1988X410 => x400_p1::encode(&envelope),
                    Protocol::P1984 => {
                        x400_p1::encode(&UmpduEnvelope::try_from(&envelope).map_err(downgrade)?)
                    }
                }
                .map_err(encoding)?;
                let len = stored.content.len();
                let prefix = message_prefix(&octets, len).map_err(|e| failed(e.to_string()))?;
                let total = prefix.len() as u64 + len;
                let store = Arc::clone(&self.store);
                let content = stored.content;
                Ok(Apdu::streamed(total, move || {
                    let body = store
                        .content_reader(&content)
                        .map_err(std::io::Error::other)?;
                    Ok(Box::new(Cursor::new(prefix.clone()).chain(body)) as Box<dyn Read + Send>)
                }))
            }
            Kind::Report => {
                let Ok(MtsApdu::Report(mut report)) = x400_p1::decode::<MtsApdu>(&stored.envelope)
                else {
                    return Err(failed("the stored report does not decode".into()));
                };
                add_trace(
                    &mut report.envelope.trace_information,
                    &self.config.domain,
                    arrival,
                    RoutingAction::Relayed,
                )
                .map_err(trace_full)?;
                let octets = match protocol {
                    Protocol::P1988X410 => x400_p1::encode(&MtsApdu::Report(report)),
                    Protocol::P1984 => x400_p1::encode(&Mpdu::DeliveryReportMpdu(
                        DeliveryReportMpdu::try_from(&report).map_err(downgrade)?,
                    )),
                }
                .map_err(encoding)?;
                Ok(Apdu::Whole(octets))
            }
        }
    }

    /// Schedules the next attempt of jobs that failed, or gives up those past their expiry.
    async fn retry_all(self: &Arc<Self>, jobs: Vec<Job>, why: String) {
        let me = Arc::clone(self);
        let _ = tokio::task::spawn_blocking(move || {
            let now = SystemTime::now();
            for job in &jobs {
                if now >= job.expires {
                    let words = format!("expired after failed transfers; the last: {why}");
                    if job.kind == Kind::Report {
                        me.settle(
                            job,
                            Settled::Failed(super::admit::failure(&Outcome::expired(), words)),
                            Vec::new(),
                        );
                    } else {
                        me.give_up(job, &Outcome::expired(), &words);
                    }
                } else {
                    let next = me.config.retry.next(job.attempts, now);
                    me.settle(
                        job,
                        Settled::Retry {
                            next,
                            error: why.clone(),
                        },
                        Vec::new(),
                    );
                }
            }
        })
        .await;
    }

    async fn settle_blocking(self: &Arc<Self>, job: Job, outcome: Settled) {
        let me = Arc::clone(self);
        let _ = tokio::task::spawn_blocking(move || me.settle(&job, outcome, Vec::new())).await;
    }
}

/// How one attempt to relay a job failed.
enum Attempt {
    /// Not this time: try again later.
    Failed {
        why: String,
        /// The association is gone.
        ended: bool,
    },
    /// Never to this peer: report on it.
    NotRelayable(NotRelayable),
}
