//! The configuration file: one TOML document, read with `serde` (unknown keys are errors), then
//! checked as a whole. Every error names the file, line and column of the value at fault and
//! says what would be valid.
//!
//! The structures here mirror the file; [`crate::settings`] turns them into the MTA's settings.
//! Every default is a named constant in [`crate::settings`] and documented in `gateway.toml`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// A value with its place in the file.
pub type At<T> = Spanned<T>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// Our MTA.
    pub mta: MtaSection,
    /// Where we listen (none: we only connect out).
    #[serde(default)]
    pub listen: Vec<Listener>,
    /// The MTAs we exchange messages with.
    #[serde(default)]
    pub peer: Vec<PeerSection>,
    /// Which recipients go to which peer.
    #[serde(default)]
    pub route: Vec<RouteSection>,
    /// Local delivery.
    #[serde(default)]
    pub local: LocalSection,
    /// The queue.
    #[serde(default)]
    pub store: StoreSection,
    /// Limits of the accounting.
    #[serde(default)]
    pub limits: LimitsSection,
    /// Connections and timeouts.
    #[serde(default)]
    pub network: NetworkSection,
    /// Logging.
    #[serde(default)]
    pub log: LogSection,
    /// Capture files of the associations.
    #[serde(default)]
    pub capture: CaptureSection,
    /// The Prometheus endpoint.
    #[serde(default)]
    pub metrics: MetricsSection,
}

/// `[mta]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MtaSection {
    /// Our MTA name (X.411 `MTAName`).
    pub name: At<String>,
    /// Our global domain identifier, as the text O/R address of its C, ADMD and PRMD.
    pub domain: At<String>,
    /// How long a message may wait for its recipients.
    pub expiry: Option<At<String>>,
    /// Delay before the second attempt.
    pub retry_first: Option<At<String>>,
    /// Longest delay between attempts.
    pub retry_max: Option<At<String>>,
    /// How often the queue is looked at when nothing wakes it.
    pub tick: Option<At<String>>,
    /// How long claimed work is ours.
    pub lease: Option<At<String>>,
    /// Largest content taken, in octets.
    pub max_content: Option<At<u64>>,
    /// Messages claimed at a time for one association.
    pub batch: Option<At<usize>>,
}

/// `[[listen]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    /// `address:port`.
    pub address: At<String>,
}

/// The P1 spoken with a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ProtocolName {
    /// P1 (1988) in X.410 mode.
    #[serde(rename = "p1-1988-x410")]
    P1988X410,
    /// P1 (1984).
    #[serde(rename = "p1-1984")]
    P1984,
}

/// `[[peer]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSection {
    /// Its MTA name.
    pub name: At<String>,
    /// The password it must present.
    pub password: At<String>,
    /// The password we present to it.
    pub our_password: At<String>,
    /// The MTA name we give it, if not ours.
    pub our_name: Option<At<String>>,
    /// Where to connect to it (none: it only connects to us).
    #[serde(default)]
    pub addresses: Vec<At<String>>,
    /// Where our connections to it come from.
    pub local_address: Option<At<String>>,
    /// The networks it may connect from (absent: any).
    pub source_networks: Option<Vec<At<String>>>,
    /// The P1 spoken with it.
    pub protocol: Option<At<ProtocolName>>,
    /// Most inbound associations with it at once.
    pub max_inbound: Option<At<usize>>,
    /// Most outbound associations with it at once.
    pub max_outbound: Option<At<usize>>,
}

/// `[[route]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSection {
    /// The routing attributes a recipient must have (`*`: every recipient).
    pub pattern: At<String>,
    /// The peer such recipients go to.
    pub peer: At<String>,
}

/// `[local]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalSection {
    /// Patterns of the recipients delivered here.
    #[serde(default)]
    pub domains: Vec<At<String>>,
    /// The mailboxes' directory.
    pub mailbox_dir: Option<At<String>>,
    /// The local users.
    #[serde(default)]
    pub user: Vec<UserSection>,
}

/// `[[local.user]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSection {
    /// The mailbox name.
    pub name: At<String>,
    /// The user's O/R address.
    pub address: At<String>,
}

/// `[store]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// The queue's directory.
    pub dir: Option<At<String>>,
    /// Content up to this many octets is kept in the database.
    pub inline_content: Option<At<usize>>,
    /// How long a message's identity is remembered after it left the queue.
    pub dedup_retention: Option<At<String>>,
    /// Largest database file.
    pub max_database_bytes: Option<At<u64>>,
}

/// `[limits]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    /// Live associations in all.
    pub max_associations: Option<At<usize>>,
    /// Connections in their handshake in all.
    pub max_handshakes: Option<At<usize>>,
    /// Connections in their handshake from one address.
    pub max_handshakes_per_source: Option<At<usize>>,
    /// Memory reserved per association.
    pub association_memory: Option<At<usize>>,
    /// Memory of all associations.
    pub max_memory: Option<At<usize>>,
}

/// `[network]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSection {
    /// Where outbound connections come from, unless a peer says otherwise.
    pub local_address: Option<At<String>>,
    /// How long a TCP connect may take.
    pub connect_timeout: Option<At<String>>,
    /// How long a connection may take to bind.
    pub handshake_timeout: Option<At<String>>,
    /// How long a bound association may be idle.
    pub idle_timeout: Option<At<String>>,
    /// On shutdown, how long associations have to finish.
    pub shutdown_grace: Option<At<String>>,
}

/// `[capture]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureSection {
    /// Where each association's pcap file goes (none: no capture).
    pub dir: Option<At<String>>,
    /// Size after which a capture file is continued in the next.
    pub max_bytes: Option<At<u64>>,
}

/// `[metrics]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    /// Where the Prometheus endpoint listens (none: no endpoint).
    pub listen: Option<At<String>>,
}

/// The form of log lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One line of text per event.
    #[default]
    Text,
    /// One JSON object per event.
    Json,
}

/// `[log]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    /// Text or JSON.
    pub format: Option<At<LogFormat>>,
    /// Which events, as a `tracing` filter (`info`, `x400_mta=debug`, ...).
    pub level: Option<At<String>>,
}

/// One error in a configuration file, at a line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// Line, from 1; 0 when the error has no place (the file cannot be read).
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// All the errors found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Largest configuration file read: far beyond any real one, and a mistaken path to a huge
/// file is refused rather than read.
pub const MAX_CONFIG_LEN: u64 = 4 << 20;

/// The text of a configuration file, for placing errors.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its path as given.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

impl Source {
    /// Reads the file at `path`.
    ///
    /// # Errors
    ///
    /// The file cannot be read, is larger than [`MAX_CONFIG_LEN`] or is not UTF-8.
    pub fn read(path: &Path) -> Result<Self, ConfigErrors> {
        let whole = |message: String| {
            ConfigErrors(vec![ConfigError {
                file: path.to_owned(),
                line: 0,
                column: 0,
                message,
            }])
        };
        let len = std::fs::metadata(path)
            .map_err(|e| whole(format!("cannot read the configuration: {e}")))?
            .len();
        if len > MAX_CONFIG_LEN {
            return Err(whole(format!(
                "the file has {len} octets; a configuration has at most {MAX_CONFIG_LEN}"
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| whole(format!("cannot read the configuration: {e}")))?;
        Ok(Self {
            path: path.to_owned(),
            text,
        })
    }

    /// The error `message` at the start of byte range `span`.
    #[must_use]
    pub fn error(&self, span: &Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_column(&self.text, span.start);
        ConfigError {
            file: self.path.clone(),
            line,
            column,
            message: message.into(),
        }
    }

    /// The error `message` about the value `at`.
    #[must_use]
    pub fn at<T>(&self, at: &At<T>, message: impl Into<String>) -> ConfigError {
        self.error(&at.span(), message)
    }

    /// The line of the value `at`, for messages that point back at it.
    #[must_use]
    pub fn line_of<T>(&self, at: &At<T>) -> usize {
        line_column(&self.text, at.span().start).0
    }

    /// Parses the text into its structure.
    ///
    /// # Errors
    ///
    /// The TOML syntax error or the key or type the structure does not have, placed.
    pub fn parse(&self) -> Result<File, ConfigErrors> {
        toml::from_str(&self.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            // toml's message restates the position and quotes the line; the first line of its
            // message proper is what is wrong (and, for keys and variants, what is expected).
            let message = e.message().trim().to_owned();
            ConfigErrors(vec![self.error(&span, message)])
        })
    }
}

/// Line and column (in characters), both from 1, of byte `offset` of `text`.
#[must_use]
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // After the two-octet é: column 3.
        assert_eq!(line_column(text, 9), (2, 3));
        // Inside é: placed at its start rather than panicking.
        assert_eq!(line_column(text, 8), (2, 2));
        assert_eq!(line_column(text, 1000), (3, 1));
    }
}
