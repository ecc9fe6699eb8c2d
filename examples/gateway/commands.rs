//! The commands that look at or act on an MTA: `check`, `submit`, `queue`, `status`,
//! `mailbox`. Each asks the running MTA over its control socket, or works on the store itself
//! when no MTA runs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use x400_mta::Accounting;
use x400_mta::mailbox::Mailbox;
use x400_mta::mta::{Mta, Submission};
use x400_mta::shell::Shell;
use x400_mta::store::Store;

use crate::control::{self, Answer, Client, MessageView, Request, StatusView};
use crate::ipm;
use crate::run::load;

/// `check`: prints what the MTA would run with, or every error.
///
/// # Errors
///
/// Every error of the configuration, one a line.
pub fn check(config: &Path) -> Result<(), String> {
    let s = match crate::settings::load(config) {
        Ok(s) => s,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            return Err(format!(
                "{}: {} error(s); nothing runs with it",
                config.display(),
                errors.0.len()
            ));
        }
    };
    say!(
        "{}: valid: MTA {:?}, {} listener(s), {} peer(s), {} route(s), {} local user(s); store {}",
        config.display(),
        s.peers.local_name,
        s.listeners.len(),
        s.peers.iter().count(),
        s.mta.routes.routes().len(),
        s.mta.users.len(),
        s.store.dir.display()
    );
    Ok(())
}

/// What `submit` sends.
#[derive(Debug, Clone)]
pub struct Message {
    /// Originator.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Ask for delivery reports.
    pub delivery_report: bool,
    /// The body's file.
    pub file: PathBuf,
}

/// Reads `file`, at most `max` octets.
fn read_limited(file: &Path, max: u64) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut body = Vec::new();
    f.take(max.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    if body.len() as u64 > max {
        return Err(format!(
            "{}: larger than {max} octets, the most `submit` puts into an IPM",
            file.display()
        ));
    }
    Ok(body)
}

/// `submit`: builds the IPM and queues it, through the running MTA or into its store.
///
/// # Errors
///
/// A bad address or subject, an unreadable file, or the MTA or store refused it.
pub async fn submit(config: &Path, m: &Message) -> Result<(), String> {
    let s = load(config)?;
    let body = read_limited(&m.file, ipm::MAX_BODY_LEN)?;
    let local_id = format!(
        "{}{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros())
    );
    let content = ipm::build(&m.from, &m.to, m.subject.as_deref(), body, &local_id)
        .map_err(|e| e.to_string())?;
    let content_type = Submission::new(&m.from, &[], Vec::new()).content_type;
    let request = Request::Submit {
        from: m.from.clone(),
        to: m.to.clone(),
        content_type,
        delivery_report: m.delivery_report,
        content_length: content.len() as u64,
    };
    if let Some(client) = Client::connect(&s.control_socket())? {
        return match client.ask(&request, Some(&mut content.as_slice()))? {
            Answer::Submitted(id) => {
                say!("queued as {id}");
                Ok(())
            }
            Answer::Error(e) => Err(e),
            other => Err(format!("unexpected answer from the MTA: {other:?}")),
        };
    }
    // No MTA runs: queue it in the store; the next `run` sends it.
    let store = Arc::new(control::open_store(&s.store)?);
    let shell = Shell::new(s.shell, s.peers, Accounting::new(s.limits));
    let mta = Mta::new(s.mta, store, shell);
    let to: Vec<&str> = m.to.iter().map(String::as_str).collect();
    let mut submission = Submission::new(&m.from, &to, content);
    submission.delivery_report = m.delivery_report;
    let id = mta.submit(submission).await.map_err(|e| e.to_string())?;
    say!("queued as {id} (the MTA is not running: it goes out when it starts)");
    Ok(())
}

/// Asks the running MTA, or answers from the store when none runs; `None` then means the
/// caller answers from the store itself.
fn ask_or_offline(
    socket: &Path,
    request: &Request,
    offline: impl FnOnce() -> Result<Answer, String>,
) -> Result<Answer, String> {
    match Client::connect(socket)? {
        Some(client) => client.ask(request, None),
        None => offline(),
    }
}

/// `queue`: lists, shows, retries or deletes.
///
/// # Errors
///
/// The MTA or the store refused, or no such message.
pub fn queue(config: &Path, request: &Request) -> Result<(), String> {
    let s = load(config)?;
    let answer = ask_or_offline(&s.control_socket(), request, || {
        let store = control::open_store(&s.store)?;
        Ok(control::queue_request(&store, request))
    })?;
    match answer {
        Answer::Queue(messages) => {
            if messages.is_empty() {
                say!("the queue is empty");
            }
            let now = SystemTime::now();
            for m in &messages {
                say_part!("{}", render_message(m, now));
            }
            Ok(())
        }
        Answer::Done(words) => {
            say!("{words}");
            Ok(())
        }
        Answer::Error(e) => Err(e),
        other => Err(format!("unexpected answer from the MTA: {other:?}")),
    }
}

fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn time(ms: u64) -> String {
    humantime::format_rfc3339_seconds(at(ms)).to_string()
}

/// `2026-12-06T20:40:01Z (in 35s)` or `(3s ago)`.
fn when(ms: u64, now: SystemTime) -> String {
    let t = at(ms);
    let rel = match t.duration_since(now) {
        Ok(d) => format!("in {}", humantime::format_duration(round(d))),
        Err(e) => format!("{} ago", humantime::format_duration(round(e.duration()))),
    };
    format!("{} ({rel})", time(ms))
}

fn round(d: Duration) -> Duration {
    Duration::from_secs(d.as_secs())
}

/// A message and its recipients, as `queue` prints them.
#[must_use]
pub fn render_message(m: &MessageView, now: SystemTime) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {} from {}, {} octets, arrived {}, expires {}",
        m.id,
        m.kind,
        m.mts_id,
        m.origin
            .as_deref()
            .map_or_else(|| "submission here".to_owned(), |o| format!("MTA {o:?}")),
        m.content_len,
        time(m.arrival_ms),
        time(m.expires_ms)
    );
    for r in &m.recipients {
        let _ = write!(
            out,
            "    {} -> {}: {}, {} attempt(s)",
            r.address, r.hop, r.state, r.attempts
        );
        if let Some(next) = r.next_attempt_ms.filter(|_| r.state == "pending") {
            let _ = write!(out, ", next attempt {}", when(next, now));
        }
        if let Some(e) = &r.last_error {
            let _ = write!(out, ", last error: {e}");
        }
        out.push('\n');
    }
    out
}

/// `status`.
///
/// # Errors
///
/// The MTA or the store failed.
pub fn status(config: &Path, json: bool) -> Result<(), String> {
    let s = load(config)?;
    let name = s.peers.local_name.clone();
    let answer = ask_or_offline(&s.control_socket(), &Request::Status, || {
        let store = control::open_store(&s.store)?;
        let queue = store.list().map_err(|e| e.to_string())?;
        Ok(Answer::Status(control::offline_status(&name, &queue)))
    })?;
    let Answer::Status(view) = answer else {
        return match answer {
            Answer::Error(e) => Err(e),
            other => Err(format!("unexpected answer from the MTA: {other:?}")),
        };
    };
    if json {
        say!(
            "{}",
            serde_json::to_string_pretty(&view).map_err(|e| e.to_string())?
        );
    } else {
        say_part!("{}", render_status(&view));
    }
    Ok(())
}

/// The status as text.
#[must_use]
pub fn render_status(v: &StatusView) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if v.running {
        let _ = writeln!(out, "MTA {:?}: running", v.name);
        let _ = writeln!(out, "associations per peer (inbound / outbound):");
        for p in &v.peers {
            let _ = writeln!(out, "    {}: {} / {}", p.name, p.inbound, p.outbound);
        }
        let _ = writeln!(
            out,
            "accounting: {} live association(s), {} connection(s) in their handshake, {} octets reserved",
            v.associations, v.handshakes, v.memory
        );
        let refused: Vec<&(String, u64)> = v.refused.iter().filter(|(_, n)| *n > 0).collect();
        if refused.is_empty() {
            let _ = writeln!(out, "refusals: none");
        } else {
            let _ = writeln!(out, "refusals by reason:");
            for (reason, n) in refused {
                let _ = writeln!(out, "    {n:>6}  {reason}");
            }
        }
        let _ = writeln!(
            out,
            "since start: {} received ({} duplicate), {} submitted, {} relayed, {} delivered, {} report(s) generated",
            v.received, v.duplicates, v.submitted, v.relayed, v.delivered, v.reports
        );
    } else {
        let _ = writeln!(
            out,
            "MTA {:?}: not running (no answer on its control socket); its queue:",
            v.name
        );
    }
    let _ = writeln!(out, "queue: {} message(s)", v.queued);
    for h in &v.queue {
        let _ = writeln!(
            out,
            "    {}: {} message(s), {} recipient(s) pending",
            h.hop, h.messages, h.recipients
        );
    }
    out
}

/// `mailbox`: the user's delivered messages, oldest first.
///
/// # Errors
///
/// Not a local user, or the mailbox cannot be read.
pub fn mailbox(config: &Path, user: &str) -> Result<(), String> {
    let s = load(config)?;
    if s.mta.users.address(user).is_none() {
        let mut users: Vec<&str> = s.mta.users.iter().map(|(u, _)| u).collect();
        users.sort_unstable();
        return Err(format!(
            "{user:?} is not a local user; local users: {}",
            if users.is_empty() {
                "none".to_owned()
            } else {
                users.join(", ")
            }
        ));
    }
    let mailbox = Mailbox::new(s.mta.mailbox.clone());
    let mut messages = mailbox.list(user).map_err(|e| e.to_string())?;
    messages.sort_by(|a, b| {
        a.record
            .arrival_time
            .cmp(&b.record.arrival_time)
            .then(a.stem.cmp(&b.stem))
    });
    if messages.is_empty() {
        say!("{user}: no messages");
    }
    for m in &messages {
        let r = &m.record;
        let subject = if r.content_type == "report" {
            String::new()
        } else {
            read_limited(&m.content, ipm::MAX_BODY_LEN.saturating_mul(2))
                .ok()
                .and_then(|c| ipm::subject(&c))
                .map(|s| format!(", subject {s:?}"))
                .unwrap_or_default()
        };
        say!(
            "{} {} {} from {}{subject}, to {}, {} octets\n    {}",
            r.arrival_time.to_rfc3339(),
            if r.content_type == "report" {
                "report"
            } else {
                "message"
            },
            r.mts_identifier,
            r.originator,
            r.recipients.join(", "),
            r.content_length,
            m.content.display()
        );
    }
    Ok(())
}
