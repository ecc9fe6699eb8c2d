//! `[metrics] listen`: a Prometheus endpoint (`GET /metrics`, OpenMetrics text from
//! `prometheus-client`). Each scrape reads what `gateway status` shows (the accounting, the
//! totals of messages by outcome, the queue per next hop); association durations are
//! observed as associations end.
//!
//! The HTTP side is the least that Prometheus needs: one request per connection, its head
//! read within [`REQUEST_TIMEOUT`] and [`MAX_REQUEST`] octets, `Connection: close`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use x400_mta::shell::{Connection, Observer, Tap};
use x400_mta::{Direction, Refusal};

use crate::control::{self, Served, StatusView};

/// How long a scraper has to send its request's head.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// The most octets of a request head read; more is refused.
const MAX_REQUEST: usize = 8 << 10;
/// Association durations: buckets from 10 ms, each 4 times the last (up to about 44 min).
const DURATION_BUCKET_START: f64 = 0.01;
const DURATION_BUCKET_FACTOR: f64 = 4.0;
const DURATION_BUCKETS: u16 = 10;
/// What `/metrics` answers with.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type DirectionLabel = [(&'static str, &'static str); 1];

fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(
        DURATION_BUCKET_START,
        DURATION_BUCKET_FACTOR,
        DURATION_BUCKETS,
    ))
}

/// What the endpoint keeps between scrapes: association durations by direction.
#[derive(Debug, Clone)]
pub struct Metrics {
    durations: Family<DirectionLabel, Histogram, fn() -> Histogram>,
}

impl Metrics {
    pub fn new() -> Self {
        let durations = Family::new_with_constructor(duration_histogram as fn() -> Histogram);
        // Both series from the start, at 0: a histogram that appears only later makes its
        // first rate look like a jump.
        for d in [Direction::Inbound, Direction::Outbound] {
            durations.get_or_create_owned(&[("direction", direction(d))]);
        }
        Self { durations }
    }

    /// The exposition of one scrape.
    fn scrape(&self, status: StatusView, refused: Vec<(Refusal, u64)>) -> String {
        let mut registry = Registry::default();
        registry.register_with_unit(
            "x400_association_duration",
            "How long associations lasted, from TCP connection to close, by direction",
            Unit::Seconds,
            self.durations.clone(),
        );
        registry.register_collector(Box::new(Snapshot { status, refused }));
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &registry) {
            tracing::warn!("gateway: metrics: cannot encode: {e}");
        }
        out
    }
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Inbound => "inbound",
        Direction::Outbound => "outbound",
    }
}

impl Observer for Metrics {
    fn opened(&self, _: &Connection) -> Option<Box<dyn Tap>> {
        None
    }

    fn ended(&self, connection: &Connection, lasted: Duration) {
        self.durations
            .get_or_create(&[("direction", direction(connection.direction))])
            .observe(lasted.as_secs_f64());
    }
}

/// The state read for one scrape.
#[derive(Debug)]
struct Snapshot {
    status: StatusView,
    refused: Vec<(Refusal, u64)>,
}

type Labels = Vec<(&'static str, String)>;

/// A metric of one unlabelled series.
fn single<M: EncodeMetric>(
    e: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    metric: &M,
) -> fmt::Result {
    metric.encode(e.encode_descriptor(name, help, None, metric.metric_type())?)
}

/// One metric family: its series, each with its labels; nothing if it has none.
fn family<M: EncodeMetric>(
    e: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    series: &[(Labels, M)],
) -> fmt::Result {
    let Some((_, first)) = series.first() else {
        return Ok(());
    };
    let mut m = e.encode_descriptor(name, help, None, first.metric_type())?;
    for (labels, metric) in series {
        metric.encode(m.encode_family(labels)?)?;
    }
    Ok(())
}

fn gauge(n: usize) -> ConstGauge {
    ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `WrongPassword` as `wrong_password`: a label value without spaces.
fn snake(reason: Refusal) -> String {
    let mut out = String::new();
    for (i, c) in format!("{reason:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl Collector for Snapshot {
    fn encode(&self, mut e: DescriptorEncoder<'_>) -> fmt::Result {
        let s = &self.status;
        single(
            &mut e,
            "x400_associations",
            "Live associations",
            &gauge(s.associations),
        )?;
        single(
            &mut e,
            "x400_handshakes",
            "Connections in their handshake (accepted or dialled, not yet bound)",
            &gauge(s.handshakes),
        )?;
        let mut per_peer = Vec::new();
        for p in &s.peers {
            for (way, n) in [("inbound", p.inbound), ("outbound", p.outbound)] {
                let labels = vec![("peer", p.name.clone()), ("direction", way.to_owned())];
                per_peer.push((labels, gauge(n)));
            }
        }
        family(
            &mut e,
            "x400_peer_associations",
            "Bound associations per peer and direction",
            &per_peer,
        )?;
        let refused: Vec<_> = self
            .refused
            .iter()
            .map(|(r, n)| (vec![("reason", snake(*r))], ConstCounter::new(*n)))
            .collect();
        family(
            &mut e,
            "x400_refusals",
            "Connections and binds refused, by reason",
            &refused,
        )?;
        let outcomes: Vec<_> = [
            ("received", s.received),
            ("duplicate", s.duplicates),
            ("submitted", s.submitted),
            ("relayed", s.relayed),
            ("delivered", s.delivered),
            ("report", s.reports),
        ]
        .into_iter()
        .map(|(o, n)| (vec![("outcome", o.to_owned())], ConstCounter::new(n)))
        .collect();
        family(
            &mut e,
            "x400_messages",
            "Messages by outcome since the MTA started",
            &outcomes,
        )?;
        single(
            &mut e,
            "x400_queued_messages",
            "Messages in the queue",
            &gauge(s.queued),
        )?;
        let hops = |f: fn(&control::HopView) -> usize| -> Vec<(Labels, ConstGauge)> {
            s.queue
                .iter()
                .map(|h| (vec![("next_hop", h.hop.clone())], gauge(f(h))))
                .collect()
        };
        family(
            &mut e,
            "x400_queue_messages",
            "Queued messages with a pending recipient, per next hop",
            &hops(|h| h.messages),
        )?;
        family(
            &mut e,
            "x400_queue_recipients",
            "Pending recipients, per next hop",
            &hops(|h| h.recipients),
        )
    }
}

/// Answers scrapes on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, served: Arc<Served>, metrics: Metrics) {
    loop {
        let (tcp, from) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // Out of descriptors and the like: wait a little rather than spin.
                tracing::warn!("gateway: metrics: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (served, metrics) = (served.clone(), metrics.clone());
        tokio::spawn(async move {
            if let Err(e) = answer(tcp, &served, &metrics).await {
                tracing::debug!("gateway: metrics: request from {from}: {e}");
            }
        });
    }
}

/// Reads one request head and answers it.
async fn answer(mut tcp: TcpStream, served: &Served, metrics: &Metrics) -> std::io::Result<()> {
    let mut head = Vec::new();
    let read = tokio::time::timeout(REQUEST_TIMEOUT, async {
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() <= MAX_REQUEST {
            let n = tcp.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        Ok::<(), std::io::Error>(())
    });
    match read.await {
        Ok(r) => r?,
        Err(_) => return Err(std::io::Error::other("no request head in time")),
    }
    let line = String::from_utf8_lossy(&head);
    let mut words = line.split_whitespace();
    let (status, content_type, body) = match (words.next(), words.next()) {
        _ if head.len() > MAX_REQUEST => (
            "431 Request Header Fields Too Large",
            "text/plain",
            String::new(),
        ),
        (Some("GET"), Some("/metrics")) => match control::status_now(served).await {
            Ok(view) => {
                let counters = served.accounting.counters();
                let refused = Refusal::ALL
                    .iter()
                    .map(|r| (*r, counters.refusals(*r)))
                    .collect();
                ("200 OK", CONTENT_TYPE, metrics.scrape(view, refused))
            }
            Err(e) => ("500 Internal Server Error", "text/plain", format!("{e}\n")),
        },
        (Some("GET"), _) => ("404 Not Found", "text/plain", "try /metrics\n".to_owned()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            "only GET\n".to_owned(),
        ),
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(reply.as_bytes()).await?;
    tcp.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_snake_case() {
        assert_eq!(snake(Refusal::WrongPassword), "wrong_password");
        assert_eq!(snake(Refusal::Memory), "memory");
    }
}
