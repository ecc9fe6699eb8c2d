//! A storm of connection attempts against one MTA shell listening on loopback: every
//! failure a network and a bad peer produce (see [`Kind`]), interleaved by a seeded PRNG
//! with valid associations that bind, transfer an APDU, have it secured and release.
//!
//! The server side ([`Server`]) is MTA-B of [`super::table_b`] behind the crate's own
//! [`Shell`]; it secures every APDU and tallies how each inbound association ended. The
//! client side ([`run`]) is MTA-A's shell for the valid associations (from 127.0.0.1) and
//! the [`super::attack`] functions for the rest, each from a loopback address in
//! 127.0.0.2–127.0.0.254 (the listener counts handshakes per source address). The two sides
//! share nothing but the socket address, so the server can be another process.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant as TokioInstant;
use x400_mta::association::{Ended, Event, Refused};
use x400_mta::shell::{Shell, ShellConfig};
use x400_mta::{Accounting, Limits, PeerTable, Protocol, Secret};
use x400_rts::RefuseReason;
use x400_rts::machine::Refusal as RtsRefusal;

mod server;

pub use self::server::{BACKLOG, Server, ServerSettings, Tally, listen, wait_idle};

use super::attack::{self, Driver, Fault, Stopped};
use super::{PW_A, apdu, table_a};
use crate::Rng;

/// One kind of connection attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Bind, transfer an APDU, have it secured, release: must succeed.
    Valid,
    /// TCP connect, then close (FIN) at once.
    TcpClose,
    /// TCP connect, then reset (SO_LINGER 0) at once.
    TcpReset,
    /// TP0 CR, then silence until the server gives up.
    CrSilence,
    /// TP0 CR, then a reset once the CC is in.
    CrReset,
    /// TP0 CR, then part of the session CONNECT, then silence.
    CnSilence,
    /// TP0, then a session CONNECT whose PConnect is garbage.
    BadConnect,
    /// A bind naming an MTA the server does not know.
    UnknownName,
    /// A bind with MTA-A's name and a wrong password.
    WrongPassword,
    /// Bound, then aborted (AB).
    BoundAbort,
    /// Bound, then reset in the middle of an APDU.
    BoundCut,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 11] = [
        Kind::Valid,
        Kind::TcpClose,
        Kind::TcpReset,
        Kind::CrSilence,
        Kind::CrReset,
        Kind::CnSilence,
        Kind::BadConnect,
        Kind::UnknownName,
        Kind::WrongPassword,
        Kind::BoundAbort,
        Kind::BoundCut,
    ];
}

/// The storm's settings.
#[derive(Debug, Clone, Copy)]
pub struct Storm {
    /// The server.
    pub server: SocketAddr,
    /// Connection attempts in all.
    pub attempts: usize,
    /// Attempts running at once.
    pub concurrency: usize,
    /// The PRNG's seed: the same seed gives the same sequence of attempts.
    pub seed: u64,
    /// Parts per million of the attempts that are valid; the rest are spread evenly over
    /// the attack kinds.
    pub valid_ppm: u32,
    /// The longest one attempt may take (a silent attacker waits this long for the server
    /// to cut it).
    pub attempt_timeout: Duration,
}

impl Storm {
    /// `attempts` against `server`, 48 at a time, 30 % of them valid, seed 1.
    pub fn new(server: SocketAddr, attempts: usize) -> Self {
        Self {
            server,
            attempts,
            concurrency: 48,
            seed: 1,
            valid_ppm: 300_000,
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

/// What the attempts of one kind saw.
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    /// Attempts made.
    pub attempts: u64,
    /// Attempts that went as planned (valid: released after its APDU was secured).
    pub ok: u64,
    /// The first few failures, in words.
    pub failures: Vec<String>,
}

/// What a storm saw, per kind.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Per kind.
    pub kinds: BTreeMap<Kind, Outcomes>,
    /// How long it took.
    pub elapsed: Duration,
}

impl Report {
    /// The outcomes of `kind` (empty if none was tried).
    pub fn of(&self, kind: Kind) -> Outcomes {
        self.kinds.get(&kind).cloned().unwrap_or_default()
    }

    /// Attempts in all.
    pub fn attempts(&self) -> u64 {
        self.kinds.values().map(|o| o.attempts).sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} attempts in {:.2} s",
            self.attempts(),
            self.elapsed.as_secs_f64()
        )?;
        for (kind, o) in &self.kinds {
            writeln!(
                f,
                "  {:<14} {:>6} attempts, {:>6} as planned{}",
                format!("{kind:?}"),
                o.attempts,
                o.ok,
                o.failures
                    .first()
                    .map(|w| format!("; first failure: {w}"))
                    .unwrap_or_default()
            )?;
        }
        Ok(())
    }
}

/// What every attempt shares.
struct Ctx {
    server: SocketAddr,
    timeout: Duration,
    client: Shell,
    /// The attackers' own accounting (their machines need permits).
    acct: Accounting,
    unknown: Arc<PeerTable>,
    wrong_password: Arc<PeerTable>,
    valid: Arc<PeerTable>,
    cr_len: usize,
}

/// Runs the storm: every attempt, `concurrency` at a time, in the order the seed gives.
///
/// # Panics
///
/// An attempt's task panicked.
pub async fn run(storm: Storm) -> Report {
    let mut client_table = table_a(Protocol::P1984);
    let mut b = client_table.get("MTA-B").unwrap().clone();
    b.addresses = vec![storm.server];
    b.max_outbound = storm.attempts.max(1);
    client_table.insert(b.clone());
    let mut limits = Limits::default();
    limits.max_associations = 4 * storm.concurrency + 64;
    limits.max_handshakes = 4 * storm.concurrency + 64;
    let client = Shell::new(
        ShellConfig::default(),
        client_table,
        Accounting::new(limits),
    );
    // A name MTA-B does not know, with everything else right.
    let mut unknown = PeerTable::new("MTA-Q");
    unknown.insert(b.clone());
    // MTA-A's name with a password MTA-B does not expect.
    let mut wrong = PeerTable::new("MTA-A");
    let mut b_wrong = b.clone();
    b_wrong.our_password = Secret::new(format!("not-{PW_A}"));
    wrong.insert(b_wrong);
    let mut valid = PeerTable::new("MTA-A");
    valid.insert(b);
    let valid = Arc::new(valid);
    let ctx = Arc::new(Ctx {
        server: storm.server,
        timeout: storm.attempt_timeout,
        client,
        acct: Accounting::new(limits),
        unknown: Arc::new(unknown),
        wrong_password: Arc::new(wrong),
        cr_len: attack::cr_len(valid.clone()),
        valid,
    });
    let mut rng = Rng::new(storm.seed);
    let attacks = &Kind::ALL[1..];
    let slots = Arc::new(Semaphore::new(storm.concurrency.max(1)));
    let mut running = JoinSet::new();
    let mut report = Report::default();
    let started = TokioInstant::now();
    for _ in 0..storm.attempts {
        let kind = if rng.chance(storm.valid_ppm) {
            Kind::Valid
        } else {
            rng.pick(attacks)
        };
        // Each attempt draws from its own generator, so the sequence of kinds does not
        // depend on the order in which attempts finish.
        let attempt_rng = Rng::new(rng.next_u64());
        let slot = slots.clone().acquire_owned().await.unwrap();
        let ctx = ctx.clone();
        running.spawn(async move {
            let r = attempt(&ctx, kind, attempt_rng).await;
            drop(slot);
            (kind, r)
        });
        while let Some(done) = running.try_join_next() {
            record(&mut report, done.unwrap());
        }
    }
    while let Some(done) = running.join_next().await {
        record(&mut report, done.unwrap());
    }
    report.elapsed = started.elapsed();
    // The client's associations are all over; its shell has nothing left to wait for.
    ctx.client.shutdown().await;
    report
}

fn record(report: &mut Report, (kind, r): (Kind, Result<(), String>)) {
    let o = report.kinds.entry(kind).or_default();
    o.attempts += 1;
    match r {
        Ok(()) => o.ok += 1,
        Err(why) if o.failures.len() < 5 => o.failures.push(why),
        Err(_) => {}
    }
}

/// An attacker's source address: 127.0.0.2 to 127.0.0.254.
fn source(rng: &mut Rng) -> IpAddr {
    let host = 2 + u8::try_from(rng.below(253)).unwrap_or(0);
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, host))
}

async fn attempt(ctx: &Ctx, kind: Kind, mut rng: Rng) -> Result<(), String> {
    let deadline = TokioInstant::now() + ctx.timeout;
    let from = source(&mut rng);
    let server = ctx.server;
    let driver = |table: &Arc<PeerTable>, fault| {
        Driver::connect(table.clone(), &ctx.acct, from, server, fault, deadline)
    };
    match kind {
        Kind::Valid => valid(ctx, &mut rng, deadline).await,
        Kind::TcpClose => {
            drop(attack::connect_from(from, server, deadline).await?);
            Ok(())
        }
        Kind::TcpReset => {
            attack::reset(attack::connect_from(from, server, deadline).await?);
            Ok(())
        }
        Kind::CrSilence | Kind::CrReset | Kind::CnSilence => {
            let fault = match kind {
                Kind::CrSilence => Fault::SilentAfter(ctx.cr_len),
                Kind::CrReset => Fault::ResetAfter(ctx.cr_len),
                // A CN is well over 60 octets: this cuts it inside.
                _ => Fault::SilentAfter(ctx.cr_len + 1 + rng.index(60)),
            };
            let mut d = driver(&ctx.valid, fault).await?;
            match d.run_until(|_| false, deadline).await? {
                Stopped::SilentThenClosed if kind != Kind::CrReset => Ok(()),
                Stopped::Reset if kind == Kind::CrReset => Ok(()),
                other => Err(format!("{kind:?}: stopped at {other:?}")),
            }
        }
        Kind::BadConnect => {
            let len = 1 + rng.index(200);
            let mut junk = rng.bytes(len);
            // Not a SET (0x31), so it can never be a PConnect by chance.
            junk[0] = 0x00;
            attack::bad_connect(from, server, &junk, deadline).await
        }
        Kind::UnknownName | Kind::WrongPassword => {
            let table = if kind == Kind::UnknownName {
                &ctx.unknown
            } else {
                &ctx.wrong_password
            };
            let mut d = driver(table, Fault::None).await?;
            match d.run_until(|_| false, deadline).await? {
                Stopped::Event(Event::Ended(Ended::PeerRefused(Refused::Rts(
                    RtsRefusal::Rts(RefuseReason::VALIDATION_FAILURE),
                )))) => Ok(()),
                other => Err(format!("{kind:?}: stopped at {other:?}")),
            }
        }
        Kind::BoundAbort | Kind::BoundCut => {
            let mut d = driver(&ctx.valid, Fault::None).await?;
            match d
                .run_until(|e| matches!(e, Event::Bound { .. }), deadline)
                .await?
            {
                Stopped::Event(Event::Bound { .. }) => {}
                other => return Err(format!("{kind:?}: not bound: {other:?}")),
            }
            if kind == Kind::BoundAbort {
                return d.abort("storm", deadline).await;
            }
            let len = 20_000 + rng.index(20_000);
            let cut = d.written() + 1 + rng.index(len - 1);
            d.set_fault(Fault::ResetAfter(cut));
            d.assoc.transfer(apdu(len, 7));
            match d.run_until(|_| false, deadline).await? {
                Stopped::Reset => Ok(()),
                other => Err(format!("{kind:?}: stopped at {other:?}")),
            }
        }
    }
}

/// A valid association through MTA-A's shell: bind, one APDU secured, release.
async fn valid(ctx: &Ctx, rng: &mut Rng, deadline: TokioInstant) -> Result<(), String> {
    let sent = apdu(100 + rng.index(20_000), 3);
    let run = async {
        let mut h = ctx
            .client
            .connect("MTA-B")
            .await
            .map_err(|e| e.to_string())?;
        let mut transferred = false;
        while let Some(ev) = h.next().await {
            match ev {
                Event::Bound { .. } => h.transfer(sent.clone()).await.map_err(|e| e.to_string())?,
                Event::Transferred => {
                    transferred = true;
                    h.close().await.map_err(|e| e.to_string())?;
                }
                Event::Ended(Ended::Released) if transferred => return Ok(()),
                Event::Ended(why) => return Err(format!("valid: ended: {why}")),
                _ => {}
            }
        }
        Err("valid: the events stopped before the end".into())
    };
    tokio::time::timeout_at(deadline, run)
        .await
        .unwrap_or_else(|_| Err("valid: timed out".into()))
}

/// A fresh MTA-A shell opens one association to `server`: returns how long the bind took,
/// after which the association is released.
///
/// # Errors
///
/// It did not bind, or did not release, within `within`.
pub async fn bind_once(server: SocketAddr, within: Duration) -> Result<Duration, String> {
    let mut table = table_a(Protocol::P1984);
    let mut b = table.get("MTA-B").unwrap().clone();
    b.addresses = vec![server];
    table.insert(b);
    let client = Shell::new(
        ShellConfig::default(),
        table,
        Accounting::new(Limits::default()),
    );
    let started = TokioInstant::now();
    let run = async {
        let mut h = client.connect("MTA-B").await.map_err(|e| e.to_string())?;
        let mut took = None;
        while let Some(ev) = h.next().await {
            match ev {
                Event::Bound { .. } => {
                    took = Some(started.elapsed());
                    h.close().await.map_err(|e| e.to_string())?;
                }
                Event::Ended(Ended::Released) => break,
                Event::Ended(why) => return Err(format!("ended: {why}")),
                _ => {}
            }
        }
        took.ok_or_else(|| "never bound".to_owned())
    };
    let r = tokio::time::timeout(within, run)
        .await
        .unwrap_or_else(|_| Err(format!("no bind and release within {within:?}")));
    client.shutdown().await;
    r
}
