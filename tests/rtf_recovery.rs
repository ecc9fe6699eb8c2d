//! The vertical slice under fire: `rtf` (`x400_io::rtf`, as examples/rtf.rs runs it) moves
//! 10 MiB files through TPKT, TP0, session and RTS on loopback TCP while the connection is cut
//! (RST) at random points 200 times. Every file must arrive once, byte-identical, each cut
//! must be recovered (not restarted), and the checkpoints confirmed must add up to exactly one
//! per 4 KiB boundary.

// A panic is how a test fails; the octet patterns truncate on purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::time::Duration;

use x400_io::rtf::{Receiver, RecvOptions, SendOptions, send};
// Reproducible "random" cut points and contents.
use x400_test_kit::Rng;

const MIB: usize = 1 << 20;
const FILE: usize = 10 * MIB;
const CHECKPOINT: usize = 4 * 1024;

#[test]
fn two_hundred_cuts_of_10_mib_transfers_all_end_in_one_intact_file_each() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("rtf-cuts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = Receiver::new(RecvOptions {
            dir: dir.clone(),
            keep: Duration::from_secs(60),
            checkpoint: 4,
            window: 3,
            max_size: 64 * MIB,
            keep_octets: 256 * MIB,
            quick_ack: true,
        });
        tokio::spawn(std::sync::Arc::clone(&receiver).serve(listener));

        let mut rng = Rng::new(0x2545_F491_4F6C_DD1D);
        let (mut cuts, mut files) = (0, 0);
        while cuts < 200 {
            let data = rng.bytes(FILE);
            let name = format!("file{files}.bin");
            let source = dir.join(format!("{name}.source"));
            std::fs::write(&source, &data).unwrap();
            let opts = SendOptions {
                destination: addr,
                local: None,
                file: source,
                name: name.clone(),
                user: "ftp".into(),
                password: String::new(),
                checkpoint: 4,
                window: 3,
                state: dir.join(format!("{name}.rtf-state")),
                retry_for: Duration::from_secs(30),
            };
            // 20 cuts, each after 64 to 448 KiB written on its connection: at most
            // 8.75 MiB in all, so every cut falls inside the transfer.
            let mut left = 20;
            let mut points = Vec::new();
            let report = send(&opts, &mut |l| {
                if left > 0 {
                    left -= 1;
                    let at = 64 * 1024 + rng.below(384 * 1024);
                    points.push(at);
                    l.net.cut_after = Some(at);
                }
            })
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}; cut points {points:?}"));
            assert_eq!(report.connections, 21, "{name}: {report:?}");
            assert_eq!(
                report.recoveries, 20,
                "{name}: every cut recovered: {report:?}"
            );
            assert_eq!(report.restarts, 0, "{name}: {report:?}");
            assert_eq!(
                report.checkpoints_confirmed,
                (FILE / CHECKPOINT - 1) as u64,
                "{name}: one confirmation per checkpoint boundary"
            );
            assert_eq!(
                std::fs::read(dir.join(&name)).unwrap(),
                data,
                "{name} intact"
            );
            cuts += 20;
            files += 1;
        }
        let stored = receiver.stored.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(stored, files, "each file delivered once");
        std::fs::remove_dir_all(&dir).ok();
    });
}
