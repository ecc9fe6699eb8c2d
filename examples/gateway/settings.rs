//! From the configuration file to the MTA's settings: every value checked, every error placed,
//! every default a named constant here (and written beside its key in `gateway.toml`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use x400::p1::mts_abstract_service::{BuiltInStandardAttributes, GlobalDomainIdentifier, OrName};
use x400::p1::or_address_text;
use x400_mta::mailbox::LocalUsers;
use x400_mta::mta::{MtaConfig, RetryPolicy};
use x400_mta::peers::{MAX_MTA_NAME_LEN, MAX_PASSWORD_LEN};
use x400_mta::routing::{OrPattern, Route, RouteError, RouteTable, Target};
use x400_mta::shell::ShellConfig;
use x400_mta::store::StoreConfig;
use x400_mta::{Limits, Peer, PeerTable, Protocol, Secret};

use crate::config::{
    At, ConfigError, ConfigErrors, File, LogFormat, PeerSection, ProtocolName, Source,
};

/// Default store directory, beside the configuration file.
pub const DEFAULT_STORE_DIR: &str = "store";
/// Default mailbox directory, beside the configuration file.
pub const DEFAULT_MAILBOX_DIR: &str = "mail";
/// Default P1 with a peer.
pub const DEFAULT_PROTOCOL: ProtocolName = ProtocolName::P1988X410;
/// Default log filter.
pub const DEFAULT_LOG_LEVEL: &str = "info";
/// The control socket's name in the store directory.
pub const CONTROL_SOCKET: &str = "control.sock";

/// Everything the gateway needs to run, checked.
#[derive(Debug)]
pub struct Settings {
    /// The MTA's settings.
    pub mta: MtaConfig,
    /// The peer table.
    pub peers: PeerTable,
    /// The shell's settings.
    pub shell: ShellConfig,
    /// The accounting's limits.
    pub limits: Limits,
    /// The store's settings.
    pub store: StoreConfig,
    /// Where we listen.
    pub listeners: Vec<SocketAddr>,
    /// Log form.
    pub log_format: LogFormat,
    /// Log filter.
    pub log_level: String,
    /// Capture files: the directory (none: no capture) and the size of one file.
    pub capture: (Option<PathBuf>, u64),
    /// Where the Prometheus endpoint listens (none: no endpoint).
    pub metrics: Option<SocketAddr>,
}

impl Settings {
    /// The control socket of the MTA using this store.
    #[must_use]
    pub fn control_socket(&self) -> PathBuf {
        self.store.dir.join(CONTROL_SOCKET)
    }
}

/// Reads and checks the configuration at `path`.
///
/// # Errors
///
/// Every error found, each placed in the file.
pub fn load(path: &Path) -> Result<Settings, ConfigErrors> {
    let source = Source::read(path)?;
    let file = source.parse()?;
    Builder {
        src: &source,
        // Relative paths are relative to the file's directory, made absolute so that what
        // the commands print can be opened from anywhere.
        base: std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default(),
        errors: Vec::new(),
    }
    .build(&file)
}

struct Builder<'a> {
    src: &'a Source,
    /// Relative paths in the file are relative to its directory.
    base: PathBuf,
    errors: Vec<ConfigError>,
}

impl Builder<'_> {
    fn err<T>(&mut self, at: &At<T>, message: impl Into<String>) {
        let e = self.src.at(at, message);
        self.errors.push(e);
    }

    fn duration(&mut self, at: Option<&At<String>>, default: Duration) -> Duration {
        let Some(at) = at else { return default };
        match humantime::parse_duration(at.get_ref()) {
            Ok(d) if !d.is_zero() => d,
            Ok(_) => {
                self.err(at, "a duration here must be more than zero, e.g. \"30s\"");
                default
            }
            Err(e) => {
                self.err(
                    at,
                    format!(
                        "{:?} is not a duration ({e}); write a number and a unit, e.g. \"500ms\", \"30s\", \"10m\", \"24h\", \"7days\"",
                        at.get_ref()
                    ),
                );
                default
            }
        }
    }

    fn positive<T: Copy + PartialOrd + Default>(&mut self, at: Option<&At<T>>, default: T) -> T {
        match at {
            Some(v) if *v.get_ref() > T::default() => *v.get_ref(),
            Some(v) => {
                self.err(v, "must be at least 1");
                default
            }
            None => default,
        }
    }

    fn path(&self, at: Option<&At<String>>, default: &str) -> PathBuf {
        let p = at.map_or(default, |a| a.get_ref().as_str());
        self.base.join(p)
    }

    fn address(&mut self, at: &At<String>) -> Option<SocketAddr> {
        match at.get_ref().parse::<SocketAddr>() {
            Ok(a) => Some(a),
            Err(_) => {
                self.err(
                    at,
                    format!(
                        "{:?} is not an address: write IP:port, e.g. \"127.0.0.1:102\" or \"[::1]:102\"",
                        at.get_ref()
                    ),
                );
                None
            }
        }
    }

    fn mta_name(&mut self, at: &At<String>) {
        let n = at.get_ref().chars().count();
        if n == 0 || n > MAX_MTA_NAME_LEN || !at.get_ref().is_ascii() {
            self.err(
                at,
                format!(
                    "an MTA name has 1 to {MAX_MTA_NAME_LEN} ASCII characters (X.411 ub-mta-name-length); {:?} has {n}",
                    at.get_ref()
                ),
            );
        }
    }

    fn password(&mut self, at: &At<String>) -> Secret {
        let n = at.get_ref().len();
        if n > MAX_PASSWORD_LEN || !at.get_ref().is_ascii() {
            self.err(
                at,
                format!(
                    "a password has at most {MAX_PASSWORD_LEN} ASCII characters (X.411 ub-password-length); this one has {n} octets"
                ),
            );
        }
        Secret::new(at.get_ref().as_bytes())
    }

    fn domain(&mut self, at: &At<String>) -> Option<GlobalDomainIdentifier> {
        const WANT: &str = "a global domain identifier is C, ADMD and optionally PRMD, e.g. \"C=GB;ADMD= ;PRMD=ACME\"";
        let name = match or_address_text::parse(at.get_ref()) {
            Ok(n) => n,
            Err(e) => {
                self.err(at, format!("{e}; {WANT}"));
                return None;
            }
        };
        let bsa = &name.built_in_standard_attributes;
        let (Some(c), Some(a)) = (&bsa.country_name, &bsa.administration_domain_name) else {
            self.err(at, format!("C or ADMD is missing; {WANT}"));
            return None;
        };
        let gdi = GlobalDomainIdentifier {
            country_name: c.clone(),
            administration_domain_name: a.clone(),
            private_domain_identifier: bsa.private_domain_name.clone(),
        };
        let only = OrName {
            built_in_standard_attributes: BuiltInStandardAttributes {
                country_name: Some(gdi.country_name.clone()),
                administration_domain_name: Some(gdi.administration_domain_name.clone()),
                private_domain_name: gdi.private_domain_identifier.clone(),
                ..BuiltInStandardAttributes::default()
            },
            ..OrName::default()
        };
        if name != only {
            self.err(
                at,
                format!("it has attributes besides C, ADMD and PRMD; {WANT}"),
            );
            return None;
        }
        Some(gdi)
    }

    fn peer(&mut self, p: &PeerSection) -> Peer {
        self.mta_name(&p.name);
        if let Some(n) = &p.our_name {
            self.mta_name(n);
        }
        let protocol = match p
            .protocol
            .as_ref()
            .map_or(DEFAULT_PROTOCOL, |a| *a.get_ref())
        {
            ProtocolName::P1984 => Protocol::P1984,
            ProtocolName::P1988X410 => Protocol::P1988X410,
        };
        let password = self.password(&p.password);
        let ours = self.password(&p.our_password);
        let mut peer = Peer::new(p.name.get_ref().clone(), password, ours, protocol);
        peer.our_name = p.our_name.as_ref().map(|n| n.get_ref().clone());
        peer.addresses = p.addresses.iter().filter_map(|a| self.address(a)).collect();
        if let Some(nets) = &p.source_networks {
            let mut parsed = Vec::new();
            for n in nets {
                match n.get_ref().parse::<IpNet>() {
                    Ok(net) => parsed.push(net),
                    Err(_) => self.err(
                        n,
                        format!(
                            "{:?} is not a network: write address/prefix, e.g. \"192.0.2.0/24\" or \"2001:db8::/32\"",
                            n.get_ref()
                        ),
                    ),
                }
            }
            peer.source_networks = Some(parsed);
        }
        peer.max_inbound = self.positive(
            p.max_inbound.as_ref(),
            x400_mta::peers::DEFAULT_PEER_ASSOCIATIONS,
        );
        peer.max_outbound = self.positive(
            p.max_outbound.as_ref(),
            x400_mta::peers::DEFAULT_PEER_ASSOCIATIONS,
        );
        peer.local_address = p.local_address.as_ref().and_then(|a| self.address(a));
        peer
    }

    fn build(mut self, f: &File) -> Result<Settings, ConfigErrors> {
        let m = &f.mta;
        self.mta_name(&m.name);
        let domain = self.domain(&m.domain);

        // Listeners: each address once.
        let mut listeners: Vec<(SocketAddr, &At<String>)> = Vec::new();
        for l in &f.listen {
            let Some(addr) = self.address(&l.address) else {
                continue;
            };
            if let Some((_, first)) = listeners.iter().find(|(a, _)| *a == addr) {
                let line = self.src.line_of(first);
                self.err(
                    &l.address,
                    format!(
                        "listener {addr} is configured twice (first on line {line}); each [[listen]] needs its own address:port"
                    ),
                );
            } else {
                listeners.push((addr, &l.address));
            }
        }

        if f.listen.is_empty() {
            self.err(
                &m.name,
                "the MTA has no [[listen]]: it needs at least one, e.g. [[listen]] address = \"0.0.0.0:102\"",
            );
        }

        // Network settings.
        let n = &f.network;
        let mut shell = ShellConfig::default();
        shell.local_address = n.local_address.as_ref().and_then(|a| self.address(a));
        shell.connect_timeout = self.duration(
            n.connect_timeout.as_ref(),
            ShellConfig::DEFAULT_CONNECT_TIMEOUT,
        );
        shell.shutdown_grace = self.duration(
            n.shutdown_grace.as_ref(),
            ShellConfig::DEFAULT_SHUTDOWN_GRACE,
        );
        shell.association.handshake_timeout = self.duration(
            n.handshake_timeout.as_ref(),
            x400_mta::association::Config::DEFAULT_HANDSHAKE_TIMEOUT,
        );
        shell.association.idle_timeout = self.duration(
            n.idle_timeout.as_ref(),
            x400_mta::association::Config::DEFAULT_IDLE_TIMEOUT,
        );

        // Peers: each name once (names compare without regard to case, as binds do).
        let mut peers = PeerTable::new(m.name.get_ref().clone());
        let mut names: HashMap<String, &At<String>> = HashMap::new();
        for p in &f.peer {
            let key = p.name.get_ref().to_ascii_uppercase();
            if let Some(first) = names.get(&key) {
                let line = self.src.line_of(*first);
                self.err(
                    &p.name,
                    format!(
                        "peer {:?} is configured twice (first on line {line}); each [[peer]] needs its own name",
                        p.name.get_ref()
                    ),
                );
                continue;
            }
            if p.name.get_ref().eq_ignore_ascii_case(m.name.get_ref()) {
                self.err(
                    &p.name,
                    format!(
                        "peer {:?} has our own MTA name ([mta] name); a peer is another MTA",
                        p.name.get_ref()
                    ),
                );
            }
            names.insert(key, &p.name);
            let peer = self.peer(p);
            peers.insert(peer);
        }
        let mut configured: Vec<&str> = f.peer.iter().map(|p| p.name.get_ref().as_str()).collect();
        configured.sort_unstable();
        let configured = if configured.is_empty() {
            "none".to_owned()
        } else {
            configured.join(", ")
        };

        // Routes: local domains first, then routes to peers; the table refuses equal patterns.
        let mut routes = Vec::new();
        let mut places: Vec<&At<String>> = Vec::new();
        for d in &f.local.domains {
            if let Some(p) = self.pattern(d) {
                routes.push(Route::new(p, Target::Local));
                places.push(d);
            }
        }
        for r in &f.route {
            let pattern = self.pattern(&r.pattern);
            match peers.get(r.peer.get_ref()) {
                None => self.err(
                    &r.peer,
                    format!(
                        "route {:?} goes to peer {:?}, which is not configured; configured peers: {configured}",
                        r.pattern.get_ref(),
                        r.peer.get_ref()
                    ),
                ),
                Some(p) if p.addresses.is_empty() => self.err(
                    &r.peer,
                    format!(
                        "route {:?} goes to peer {:?}, which has no addresses to connect to; give it addresses = [\"IP:port\"]",
                        r.pattern.get_ref(),
                        r.peer.get_ref()
                    ),
                ),
                Some(_) => {}
            }
            if let Some(p) = pattern {
                routes.push(Route::new(p, Target::Peer(r.peer.get_ref().clone())));
                places.push(&r.pattern);
            }
        }
        let table = match RouteTable::new(routes) {
            Ok(t) => t,
            Err(RouteError::DuplicatePattern { first, second, .. }) => {
                if let (Some(a), Some(b)) = (places.get(first), places.get(second)) {
                    let line = self.src.line_of(*a);
                    self.err(
                        *b,
                        format!(
                            "pattern {:?} is the same as the one on line {line} (values compare without regard to case and spaces); each pattern may appear once among [local] domains and [[route]]s",
                            b.get_ref()
                        ),
                    );
                }
                RouteTable::default()
            }
            Err(e) => {
                self.err(&m.name, format!("the route table: {e}"));
                RouteTable::default()
            }
        };

        // Local users.
        let mut users = LocalUsers::new();
        for u in &f.local.user {
            if let Err(e) = users.add(u.name.get_ref(), u.address.get_ref()) {
                let at = match e {
                    x400_mta::mailbox::UsersError::BadAddress { .. }
                    | x400_mta::mailbox::UsersError::SameAddress { .. } => &u.address,
                    _ => &u.name,
                };
                self.err(at, format!("local user: {e}"));
            }
        }

        let mailbox = self.path(f.local.mailbox_dir.as_ref(), DEFAULT_MAILBOX_DIR);
        let expiry = self.duration(m.expiry.as_ref(), MtaConfig::DEFAULT_EXPIRY);
        let lease = self.duration(m.lease.as_ref(), MtaConfig::DEFAULT_LEASE);
        let tick = self.duration(m.tick.as_ref(), MtaConfig::DEFAULT_TICK);
        let max_content = self.positive(m.max_content.as_ref(), MtaConfig::DEFAULT_MAX_CONTENT);
        let batch = self.positive(m.batch.as_ref(), MtaConfig::DEFAULT_BATCH);
        let mut retry = RetryPolicy::new();
        retry.first = self.duration(m.retry_first.as_ref(), RetryPolicy::DEFAULT_FIRST);
        retry.max = self.duration(m.retry_max.as_ref(), RetryPolicy::DEFAULT_MAX);
        if retry.max < retry.first
            && let Some(at) = &m.retry_max
        {
            self.err(at, "retry_max must be at least retry_first");
        }

        let s = &f.store;
        let mut store = StoreConfig::new(self.path(s.dir.as_ref(), DEFAULT_STORE_DIR));
        store.inline_content = self.positive(
            s.inline_content.as_ref(),
            StoreConfig::DEFAULT_INLINE_CONTENT,
        );
        store.dedup_retention = self.duration(
            s.dedup_retention.as_ref(),
            StoreConfig::DEFAULT_DEDUP_RETENTION,
        );
        store.max_database_bytes = s.max_database_bytes.as_ref().map(|b| *b.get_ref());

        let l = &f.limits;
        let mut limits = Limits::new();
        limits.max_associations = self.positive(
            l.max_associations.as_ref(),
            Limits::DEFAULT_MAX_ASSOCIATIONS,
        );
        limits.max_handshakes =
            self.positive(l.max_handshakes.as_ref(), Limits::DEFAULT_MAX_HANDSHAKES);
        limits.max_handshakes_per_source = self.positive(
            l.max_handshakes_per_source.as_ref(),
            Limits::DEFAULT_MAX_HANDSHAKES_PER_SOURCE,
        );
        limits.association_memory = self.positive(
            l.association_memory.as_ref(),
            Limits::DEFAULT_ASSOCIATION_MEMORY,
        );
        limits.max_memory = self.positive(l.max_memory.as_ref(), Limits::DEFAULT_MAX_MEMORY);

        let log_level = match &f.log.level {
            Some(at) => {
                if tracing_subscriber::EnvFilter::try_new(at.get_ref()).is_err() {
                    self.err(
                        at,
                        format!(
                            "{:?} is not a log filter: write a level (error, warn, info, debug, trace) or target=level pairs, e.g. \"info,x400_mta=debug\"",
                            at.get_ref()
                        ),
                    );
                }
                at.get_ref().clone()
            }
            None => DEFAULT_LOG_LEVEL.to_owned(),
        };

        let capture = (
            f.capture.dir.as_ref().map(|d| self.path(Some(d), "")),
            self.positive(
                f.capture.max_bytes.as_ref(),
                crate::capture::DEFAULT_CAPTURE_MAX_BYTES,
            ),
        );
        let metrics = f.metrics.listen.as_ref().and_then(|a| self.address(a));

        let (Some(domain), true) = (domain, self.errors.is_empty()) else {
            return Err(ConfigErrors(self.errors));
        };
        let mut mta = MtaConfig::new(domain, table, users, mailbox);
        mta.expiry = expiry;
        mta.lease = lease;
        mta.tick = tick;
        mta.max_content = max_content;
        mta.batch = batch;
        mta.retry = retry;
        Ok(Settings {
            mta,
            peers,
            shell,
            limits,
            store,
            listeners: listeners.into_iter().map(|(a, _)| a).collect(),
            log_format: f
                .log
                .format
                .as_ref()
                .map(|a| *a.get_ref())
                .unwrap_or_default(),
            log_level,
            capture,
            metrics,
        })
    }

    fn pattern(&mut self, at: &At<String>) -> Option<OrPattern> {
        match OrPattern::parse(at.get_ref()) {
            Ok(p) => Some(p),
            Err(e) => {
                self.err(
                    at,
                    format!(
                        "{:?} is not a routing pattern: {e}; write some of C, ADMD, PRMD, O and OU, e.g. \"C=GB;ADMD= ;PRMD=ACME\", or \"*\" for every recipient",
                        at.get_ref()
                    ),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("gateway.toml");

    fn settings(text: &str) -> Result<Settings, ConfigErrors> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.toml");
        std::fs::write(&path, text).unwrap();
        load(&path).map(|mut s| {
            // The temporary directory differs between two calls.
            s.store.dir = s.store.dir.strip_prefix(dir.path()).unwrap().to_path_buf();
            s.mta.mailbox = s
                .mta
                .mailbox
                .strip_prefix(dir.path())
                .unwrap()
                .to_path_buf();
            s
        })
    }

    /// Every `# key = default` line of the documented example, uncommented, changes nothing:
    /// the defaults it documents are the ones the gateway uses.
    #[test]
    fn the_documented_defaults_are_the_defaults() {
        let mut uncommented = 0;
        let with_defaults: String = EXAMPLE
            .lines()
            .map(|l| {
                let is_default = l.strip_prefix("# ").is_some_and(|rest| {
                    rest.split_once(" = ").is_some_and(|(key, _)| {
                        !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    })
                });
                if is_default {
                    uncommented += 1;
                    format!("{}\n", &l[2..])
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        assert!(uncommented >= 25, "only {uncommented} defaults found");
        let plain = settings(EXAMPLE).unwrap();
        let explicit = settings(&with_defaults).unwrap();
        assert_eq!(format!("{plain:?}"), format!("{explicit:?}"));
    }

    #[test]
    fn semantic_errors_are_placed_and_collected() {
        let text = "[mta]\nname = \"A\"\ndomain = \"C=GB;ADMD= ;PRMD=A;S=X\"\n\
                    [[listen]]\naddress = \"localhost:102\"\n\
                    [[peer]]\nname = \"a\"\npassword = \"p\"\nour_password = \"q\"\n\
                    source_networks = [\"10.0.0.0/33\"]\nmax_inbound = 0\n";
        let errors = settings(text).unwrap_err().0;
        let places: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            places,
            [(3, 10), (5, 11), (7, 8), (10, 20), (11, 15)],
            "{errors:?}"
        );
        assert!(errors[0].message.contains("besides C, ADMD and PRMD"));
        assert!(errors[1].message.contains("IP:port"));
        assert!(errors[2].message.contains("our own MTA name"));
        assert!(errors[3].message.contains("address/prefix"));
        assert!(errors[4].message.contains("at least 1"));
    }
}
