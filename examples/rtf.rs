//! Reliable file transfer over X.410 (1984) RTS, speaking the application protocol of
//! ISODE's classic `rtf` demo: the whole stack (TPKT, TP0, session, RTS) on TCP.
//!
//! ```text
//! cargo run --example rtf -- recv 7000 /tmp/in            # listen on 0.0.0.0:7000
//! cargo run --example rtf -- send 127.0.0.1:7000 big.iso  # send a file
//! ```
//!
//! A file is one APDU in one activity, checkpointed every `--checkpoint` KiB. When the
//! connection is lost the sender reconnects with a PConnect `recover` and resumes after the
//! last checkpoint the receiver confirmed; the receiver keeps partial files `--keep`
//! seconds. The sender writes its recovery point to `FILE.rtf-state`, so that even after
//! `kill -9` the same command resumes the transfer instead of starting over (if the
//! receiver still holds it; otherwise it refuses with `cannotRecover` and the file is sent
//! again from the start).
//!
//! This file is the command line; the sender, the receiver and the wire facts are in
//! `x400_io::rtf`, which the loopback tests and benches drive too.

// A program, not a no_std library: std paths are the natural ones, and a failed set-up step
// ends it.
#![allow(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::expect_used,
    missing_docs
)]

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use tracing::error;
use x400_io::rtf;

#[derive(Parser)]
#[command(about = "Reliable file transfer over X.410 RTS, with ISODE rtf's application protocol")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send FILE to the receiver at HOST:PORT.
    Send {
        /// The receiver, HOST:PORT.
        destination: String,
        /// The file to send.
        file: PathBuf,
        /// Store it under this name (default: the file's name).
        #[arg(long = "as")]
        name: Option<String>,
        /// rtf user.
        #[arg(long, default_value = rtf::DEFAULT_USER)]
        user: String,
        /// rtf password.
        #[arg(long, default_value = "")]
        password: String,
        /// Checkpoint size proposed, in KiB (0: no checkpoints, no recovery).
        #[arg(long, default_value_t = x400::rts::machine::Config::DEFAULT_CHECKPOINT_SIZE)]
        checkpoint: u32,
        /// Window proposed: checkpoints sent ahead of the receiver's confirmation.
        #[arg(long, default_value_t = x400::rts::machine::Config::DEFAULT_WINDOW_SIZE)]
        window: u32,
        /// Local address to connect from.
        #[arg(long)]
        local: Option<SocketAddr>,
        /// Where to keep the recovery point (default: FILE.rtf-state).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Give up after this many seconds without progress.
        #[arg(long, default_value_t = 120)]
        retry_for: u64,
    },
    /// Receive files on PORT (or ADDR:PORT) into DIR.
    Recv {
        /// PORT, or ADDR:PORT to listen on one address only.
        listen: String,
        /// Where received files are stored.
        dir: PathBuf,
        /// Seconds a partial file of a lost connection is kept for a recovery.
        #[arg(long, default_value_t = 60)]
        keep: u64,
        /// Largest checkpoint size accepted, in KiB.
        #[arg(long, default_value_t = 64)]
        checkpoint: u32,
        /// Largest window accepted.
        #[arg(long, default_value_t = 16)]
        window: u32,
        /// Largest file accepted, in MiB (written to disk as it arrives).
        #[arg(long, default_value_t = 1024)]
        max_mib: usize,
        /// Most MiB of partial files kept for recoveries, over all lost connections.
        #[arg(long, default_value_t = 2048)]
        keep_mib: usize,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(Cli::parse().command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Send {
            destination,
            file,
            name,
            user,
            password,
            checkpoint,
            window,
            local,
            state,
            retry_for,
        } => {
            let addr = destination
                .to_socket_addrs()
                .map_err(|e| format!("cannot resolve {destination}: {e}"))?
                .next()
                .ok_or_else(|| format!("{destination} has no address"))?;
            let name = match name {
                Some(n) => n,
                None => file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .ok_or_else(|| format!("{} has no usable file name: use --as", file.display()))?
                    .to_owned(),
            };
            let state = state.unwrap_or_else(|| {
                let mut s = file.clone().into_os_string();
                s.push(".rtf-state");
                PathBuf::from(s)
            });
            let opts = rtf::SendOptions {
                destination: addr,
                local,
                file,
                name,
                user,
                password,
                checkpoint,
                window,
                state,
                retry_for: Duration::from_secs(retry_for),
            };
            let report = rtf::send(&opts, &mut |_| {}).await?;
            tracing::info!(
                "rtf: sent {} octets over {} connection(s), {} recovered, {} restarted, {} checkpoints confirmed",
                report.octets,
                report.connections,
                report.recoveries,
                report.restarts,
                report.checkpoints_confirmed
            );
            Ok(())
        }
        Command::Recv {
            listen,
            dir,
            keep,
            checkpoint,
            window,
            max_mib,
            keep_mib,
        } => {
            let addr: SocketAddr = match listen.parse::<u16>() {
                Ok(port) => SocketAddr::from(([0, 0, 0, 0], port)),
                Err(_) => listen
                    .parse()
                    .map_err(|e| format!("{listen} is neither a port nor ADDR:PORT: {e}"))?,
            };
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            tracing::info!("rtf: receiving on {addr} into {}", dir.display());
            let receiver = rtf::Receiver::new(rtf::RecvOptions {
                dir,
                keep: Duration::from_secs(keep),
                checkpoint,
                window,
                max_size: max_mib.saturating_mul(1 << 20),
                keep_octets: keep_mib.saturating_mul(1 << 20),
                quick_ack: true,
            });
            receiver
                .serve(listener)
                .await
                .map_err(|e| format!("transport: {e}"))
        }
    }
}
