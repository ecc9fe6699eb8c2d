//! Local delivery: each local recipient's copy written to its user's mailbox, once, with the
//! reports the originator asked for; an address no local user has is reported on.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use x400_p1::mta_abstract_service::{MessageTransferEnvelope, MtsApdu};
use x400_p1::or_address_text::render;

use super::Inner;
use super::admit::failure;
use crate::mailbox::{DeliveryRecord, MailboxError, mts_identifier_text};
use crate::report::Outcome;
use crate::routing::Target;
use crate::store::{Job, Kind, Outcome as Settled, Store, Stored};
use crate::trace::time_from;

impl Inner {
    /// Delivers every local recipient that is due, batch by batch. Blocking: runs on a
    /// blocking thread.
    pub(super) fn deliver_due(&self) {
        while !self.stopping() {
            let now = SystemTime::now();
            let jobs =
                match self
                    .store
                    .claim(&Target::Local, now, self.config.lease, self.config.batch)
                {
                    Ok(j) => j,
                    Err(e) => {
                        tracing::error!("mta delivery: cannot claim work: {e}");
                        return;
                    }
                };
            if jobs.is_empty() {
                return;
            }
            for job in &jobs {
                self.deliver_job(job);
            }
        }
    }

    fn deliver_job(&self, job: &Job) {
        let stored = match self.store.load(job.message) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("mta delivery: message {}: {e}", job.mts_id);
                return;
            }
        };
        match job.kind {
            Kind::Message => self.deliver_message(job, &stored),
            Kind::Report => self.deliver_report(job, &stored),
        }
    }

    /// Writes a message to the mailboxes of its local recipients.
    fn deliver_message(&self, job: &Job, stored: &Stored) {
        let envelope = match x400_p1::decode::<MessageTransferEnvelope>(&stored.envelope) {
            Ok(e) => e,
            Err(e) => {
                self.give_up(
                    job,
                    &Outcome::transfer_failed(),
                    &format!("stored envelope: {e}"),
                );
                return;
            }
        };
        let arrival: DateTime<Utc> = stored.arrival.into();
        // The recipients of each user, and those no user has.
        let mut users: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut unknown = Vec::new();
        for &i in &job.recipients {
            let index = usize::try_from(i).unwrap_or(usize::MAX);
            match envelope
                .per_recipient_fields
                .get(index)
                .and_then(|f| self.config.users.lookup(&f.recipient_name))
            {
                Some(user) => users.entry(user).or_default().push(index),
                None => unknown.push(index),
            }
        }
        let now = SystemTime::now();
        let mut outcomes = Vec::new();
        let mut delivered = Vec::new();
        let mut retry = Vec::new();
        let mut too_long = Vec::new();
        for (user, indices) in &users {
            let record = match DeliveryRecord::from_envelope(&envelope, indices, arrival) {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!("mta delivery: message {}: {e}", job.mts_id);
                    continue;
                }
            };
            // One key per message and user: a repeat after a crash finds it delivered.
            let key = format!("q{}.{}", job.message, indices.first().copied().unwrap_or(0));
            let written = self
                .store
                .content_reader(&stored.content)
                .map_err(|e| Undelivered::Retry(e.to_string()))
                .and_then(|mut content| {
                    self.mailbox
                        .deliver_once(user, &key, &mut content, &record)
                        .map_err(Undelivered::from)
                });
            match written {
                Ok(path) => {
                    tracing::info!(
                        "mta delivery: message {} delivered to {user} ({})",
                        job.mts_id,
                        path.display()
                    );
                    if let Ok(at) = time_from(now) {
                        outcomes.extend(indices.iter().map(|&i| (i, Outcome::Delivered { at })));
                    }
                    delivered.extend(indices.iter().copied());
                }
                Err(Undelivered::Retry(e)) => {
                    tracing::warn!("mta delivery: message {} to {user}: {e}", job.mts_id);
                    retry.push((indices.clone(), e));
                }
                Err(Undelivered::TooLong(e)) => {
                    tracing::warn!(
                        "mta delivery: message {} to {user}: {e}; reported as content-too-long",
                        job.mts_id
                    );
                    outcomes.extend(indices.iter().map(|&i| (i, Outcome::content_too_long())));
                    too_long.extend(indices.iter().copied());
                }
            }
        }
        for &i in &unknown {
            let address = envelope
                .per_recipient_fields
                .get(i)
                .map(|f| render(&f.recipient_name))
                .unwrap_or_default();
            tracing::info!(
                "mta delivery: message {}: no local user has the address {address}",
                job.mts_id
            );
            outcomes.push((i, Outcome::unknown_local_recipient()));
        }
        let report = self.report_on(&envelope, &outcomes, now);
        let mut reports: Vec<_> = report.into_iter().collect();
        if !delivered.is_empty() {
            self.counters
                .delivered
                .fetch_add(delivered.len() as u64, Ordering::Relaxed);
            self.settle(
                &part(job, &delivered),
                Settled::Delivered,
                core::mem::take(&mut reports),
            );
        }
        if !unknown.is_empty() {
            let f = failure(
                &Outcome::unknown_local_recipient(),
                "no local user has this address",
            );
            self.settle(
                &part(job, &unknown),
                Settled::Failed(f),
                core::mem::take(&mut reports),
            );
        }
        if !too_long.is_empty() {
            let f = failure(
                &Outcome::content_too_long(),
                "the content is longer than the mailbox takes",
            );
            self.settle(
                &part(job, &too_long),
                Settled::Failed(f),
                core::mem::take(&mut reports),
            );
        }
        for (indices, error) in retry {
            let next = self.config.retry.next(job.attempts, now);
            self.settle(
                &part(job, &indices),
                Settled::Retry { next, error },
                Vec::new(),
            );
        }
    }

    /// Writes a report to the mailbox of its destination, the originator of its subject.
    fn deliver_report(&self, job: &Job, stored: &Stored) {
        let report = match x400_p1::decode::<MtsApdu>(&stored.envelope) {
            Ok(MtsApdu::Report(r)) => r,
            Ok(_) | Err(_) => {
                let f = failure(
                    &Outcome::transfer_failed(),
                    "the stored report does not decode",
                );
                self.settle(job, Settled::Failed(f), Vec::new());
                return;
            }
        };
        let destination = &report.envelope.report_destination_name;
        let id = mts_identifier_text(&report.envelope.report_identifier);
        let Some(user) = self.config.users.lookup(destination) else {
            let words = format!(
                "no local user has the report's destination {}; the report is dropped \
                 (a report is never reported on)",
                render(destination)
            );
            tracing::warn!("mta delivery: report {id}: {words}");
            let f = failure(&Outcome::unknown_local_recipient(), words);
            self.settle(job, Settled::Failed(f), Vec::new());
            return;
        };
        let mut record = DeliveryRecord::new(
            format!(
                "report on {}",
                mts_identifier_text(&report.content.subject_identifier)
            ),
            vec![render(destination)],
            "report",
            id.clone(),
            stored.arrival.into(),
        );
        record.trace = Vec::new();
        let key = format!("q{}.0", job.message);
        // The report is delivered as its P1 octets (an MTS-APDU report).
        let mut octets = std::io::Cursor::new(stored.envelope.as_slice());
        match self.mailbox.deliver_once(user, &key, &mut octets, &record) {
            Ok(path) => {
                tracing::info!(
                    "mta delivery: report {id} delivered to {user} ({})",
                    path.display()
                );
                self.counters.delivered.fetch_add(1, Ordering::Relaxed);
                self.settle(job, Settled::Delivered, Vec::new());
            }
            Err(e) => {
                tracing::warn!("mta delivery: report {id} to {user}: {e}");
                let next = self.config.retry.next(job.attempts, SystemTime::now());
                self.settle(
                    job,
                    Settled::Retry {
                        next,
                        error: e.to_string(),
                    },
                    Vec::new(),
                );
            }
        }
    }

    /// Records how a job ended; a store that cannot is logged, and the work comes back when
    /// its lease runs out.
    pub(super) fn settle(
        &self,
        job: &Job,
        outcome: Settled,
        reports: Vec<crate::store::NewMessage>,
    ) {
        if let Err(e) = self.store.settle(job, outcome, reports) {
            tracing::error!(
                "mta queue: cannot record the outcome for message {}: {e}; it is tried again",
                job.mts_id
            );
        }
    }

    /// Gives up a job's recipients with a report.
    pub(super) fn give_up(&self, job: &Job, outcome: &Outcome, words: &str) {
        tracing::warn!("mta queue: message {}: {words}", job.mts_id);
        let reports = match self
            .store
            .load(job.message)
            .ok()
            .filter(|s| s.kind == Kind::Message)
        {
            Some(stored) => match x400_p1::decode::<MessageTransferEnvelope>(&stored.envelope) {
                Ok(envelope) => {
                    let outcomes: Vec<_> = job
                        .recipients
                        .iter()
                        .map(|&i| (usize::try_from(i).unwrap_or(usize::MAX), outcome.clone()))
                        .collect();
                    self.report_on(&envelope, &outcomes, SystemTime::now())
                        .into_iter()
                        .collect()
                }
                Err(_) => Vec::new(),
            },
            None => Vec::new(),
        };
        self.settle(job, Settled::Failed(failure(outcome, words)), reports);
    }

    /// Reports on the recipients of expired messages.
    pub(super) fn expire(&self, now: SystemTime) {
        let jobs = match self
            .store
            .claim_expired(now, self.config.lease, self.config.batch)
        {
            Ok(j) => j,
            Err(e) => {
                tracing::error!("mta queue: cannot look for expired messages: {e}");
                return;
            }
        };
        for job in &jobs {
            let words = format!(
                "expired: not delivered within {} s of its arrival",
                self.config.expiry.as_secs()
            );
            if job.kind == Kind::Report {
                tracing::warn!("mta queue: report {}: {words}; dropped", job.mts_id);
                let f = failure(&Outcome::expired(), words);
                self.settle(job, Settled::Failed(f), Vec::new());
            } else {
                self.give_up(job, &Outcome::expired(), &words);
            }
        }
    }
}

/// Why a copy was not written. Most failures pass (a full disk) and are tried again; a content
/// over the mailbox's limit never fits, and trying again would only copy it again, so its
/// recipients are reported on at once (content-too-long, X.411 §8.3.1.2.1).
enum Undelivered {
    Retry(String),
    TooLong(String),
}

impl From<MailboxError> for Undelivered {
    fn from(e: MailboxError) -> Self {
        match e {
            MailboxError::ContentTooLong { .. } => Self::TooLong(e.to_string()),
            other => Self::Retry(other.to_string()),
        }
    }
}

/// The same job for some of its recipients.
pub(super) fn part(job: &Job, indices: &[usize]) -> Job {
    let mut j = job.clone();
    j.recipients = indices
        .iter()
        .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    j
}
