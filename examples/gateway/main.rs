//! `gateway`: an X.400 MTA (P1 over RFC 1006, X.410 mode) configured from one TOML file, a
//! thin shell over `x400-mta`.
//!
//! ```text
//! gateway demo                                   two MTAs on loopback, one message A -> B
//! gateway run --config FILE                      the MTA (SIGTERM or Ctrl-C: graceful stop)
//! gateway check --config FILE                    every configuration error, placed
//! gateway submit --config FILE --from OR --to OR [--to OR ...] [--subject S] FILE
//! gateway queue --config FILE [list | show ID | retry ID | delete ID]
//! gateway status --config FILE                   associations, counters, queue depth, totals
//! gateway mailbox --config FILE USER             a local user's delivered messages
//! ```
//!
//! While `run` owns the store, the other commands ask it over its control socket
//! (`control.sock` in the store directory); when no MTA runs they open the store themselves.
//! `examples/gateway/gateway.toml` documents every key of the configuration and its default.
//! Exit status: 0 done, 1 refused or failed (the reason is printed), 2 bad command line.

// The modules are private to this program; `pub` marks what main.rs uses. A program, not a
// no_std library: std paths are the natural ones.
#![allow(
    unreachable_pub,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

/// Prints a line on standard output. A reader that stops reading (`gateway queue | head`)
/// must not make the command panic, as `println!` would: what it did not read is lost to it
/// alone, so a failed write is ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// [`say!`] without the line end.
macro_rules! say_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod capture;
mod commands;
mod config;
mod control;
mod demo;
mod ipm;
mod metrics;
mod run;
mod settings;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "gateway",
    about = "An X.400 MTA (P1 over RFC 1006) configured from one TOML file"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Two MTAs on loopback with a generated configuration: one message from A to B, its
    /// way, the delivered file, the report back; then both stop.
    Demo,
    /// Runs the MTA until SIGTERM or Ctrl-C.
    Run {
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Writes each association as its own pcap file into DIR (instead of `[capture]
        /// dir`).
        #[arg(long, value_name = "DIR")]
        capture: Option<PathBuf>,
    },
    /// Checks the configuration: every error with its file, line and column.
    Check {
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
    },
    /// Queues an interpersonal message whose body is FILE.
    Submit {
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
        /// The originator's O/R address (`C=GB;ADMD= ;PRMD=A;S=Alice`).
        #[arg(long)]
        from: String,
        /// A recipient's O/R address; repeat for more.
        #[arg(long, required = true)]
        to: Vec<String>,
        /// The subject.
        #[arg(long)]
        subject: Option<String>,
        /// Ask for a delivery report from each recipient's MTA.
        #[arg(long)]
        delivery_report: bool,
        /// The body: IA5 text if it is ASCII, a bilaterally defined body part otherwise.
        file: PathBuf,
    },
    /// Lists or acts on the queue.
    Queue {
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
        #[command(subcommand)]
        action: Option<QueueAction>,
    },
    /// Live associations per peer, accounting, queue depth per next hop, totals.
    Status {
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The delivered messages of a local user.
    Mailbox {
        /// The configuration file.
        #[arg(long)]
        config: PathBuf,
        /// The user's mailbox name.
        user: String,
    },
}

#[derive(Subcommand, Clone, Copy)]
enum QueueAction {
    /// Every queued message with its recipients' state (the default).
    List,
    /// One message.
    Show {
        /// Its number (first column of the listing).
        id: i64,
    },
    /// Makes the message's pending recipients due now.
    Retry {
        /// Its number.
        id: i64,
    },
    /// Removes the message from the queue, without reports.
    Delete {
        /// Its number.
        id: i64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gateway: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Demo => demo::demo().await,
            Command::Run { config, capture } => run::run(&config, capture).await,
            Command::Check { config } => commands::check(&config),
            Command::Submit {
                config,
                from,
                to,
                subject,
                delivery_report,
                file,
            } => {
                let message = commands::Message {
                    from,
                    to,
                    subject,
                    delivery_report,
                    file,
                };
                commands::submit(&config, &message).await
            }
            Command::Queue { config, action } => {
                let request = match action.unwrap_or(QueueAction::List) {
                    QueueAction::List => control::Request::QueueList,
                    QueueAction::Show { id } => control::Request::QueueShow { id },
                    QueueAction::Retry { id } => control::Request::QueueRetry { id },
                    QueueAction::Delete { id } => control::Request::QueueDelete { id },
                };
                commands::queue(&config, &request)
            }
            Command::Status { config, json } => commands::status(&config, json),
            Command::Mailbox { config, user } => commands::mailbox(&config, &user),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gateway: {e}");
            ExitCode::FAILURE
        }
    }
}
