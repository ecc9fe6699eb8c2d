//! The whole stack on loopback TCP, as `examples/rtf` runs it: TPKT, TP0, session and RTS
//! on both sides, the sender reading its file in pieces, the receiver writing each piece as
//! it arrives and storing the file durably (fsync, rename). The source file is written
//! once, before the measurements.
//!
//! * `rtf_10MiB/checkpoint_K`: one 10 MiB file with checkpoints of K KiB (0 = none),
//!   window 3; throughput in octets per second.
//! * `rtf_recovery/cut_at_5MiB`: the time from a connection cut (RST) in the middle of a
//!   10 MiB transfer to the recovered association being open again (reconnect, TP0, CN
//!   `recover`, AC); per recovery.
//!
//! ```text
//! cargo bench --bench rtf_loopback
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    missing_docs
)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use x400_io::rtf::{Receiver, RecvOptions, SendOptions, send};

const FILE: usize = 10 << 20;

fn options(addr: SocketAddr, dir: &Path, checkpoint: u32, n: u64) -> SendOptions {
    SendOptions {
        destination: addr,
        local: None,
        file: dir.join("source.bin"),
        name: format!("bench{n}.bin"),
        user: "ftp".into(),
        password: String::new(),
        checkpoint,
        window: 3,
        state: dir.join(format!("bench{n}.rtf-state")),
        retry_for: Duration::from_secs(30),
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir: PathBuf = std::env::temp_dir().join(format!("rtf-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data: Vec<u8> = (0..FILE).map(|i| (i * 7) as u8).collect();
    std::fs::write(dir.join("source.bin"), data).unwrap();
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = Receiver::new(RecvOptions {
            dir: dir.clone(),
            keep: Duration::from_secs(60),
            checkpoint: 64,
            window: 16,
            max_size: 64 << 20,
            keep_octets: 256 << 20,
            quick_ack: true,
        });
        tokio::spawn(Arc::clone(&receiver).serve(listener));
        addr
    });
    let mut n = 0u64;

    let mut g = c.benchmark_group("rtf_10MiB");
    g.sample_size(10).throughput(Throughput::Bytes(FILE as u64));
    for checkpoint in [0u32, 4, 30] {
        g.bench_function(format!("checkpoint_{checkpoint}"), |b| {
            b.iter(|| {
                n += 1;
                let opts = options(addr, &dir, checkpoint, n);
                rt.block_on(send(&opts, &mut |_| {})).unwrap();
                std::fs::remove_file(dir.join(&opts.name)).ok();
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("rtf_recovery");
    g.sample_size(10);
    g.bench_function("cut_at_5MiB", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let opts = options(addr, &dir, 4, n);
                let mut first = true;
                let report = rt
                    .block_on(send(&opts, &mut |l| {
                        if std::mem::take(&mut first) {
                            l.net.cut_after = Some(5 << 20);
                        }
                    }))
                    .unwrap();
                assert_eq!(report.recoveries, 1);
                total += report.recovery_times[0];
                std::fs::remove_file(dir.join(&opts.name)).ok();
            }
            total
        });
    });
    g.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, bench);
criterion_main!(benches);
