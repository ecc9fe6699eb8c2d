//! Replays every committed fuzz corpus file (and every crash kept as a regression) through its
//! oracle, so the fuzz targets' promises are checked on stable in every test run.

use std::path::Path;

#[test]
fn replay_fuzz_corpora() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut total = 0;
    for (target, oracle) in x400_test_kit::fuzz::ORACLES {
        let dir = root.join(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut n = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let run = std::panic::catch_unwind(|| oracle(&data));
            assert!(run.is_ok(), "oracle {target} failed on {}", path.display());
            n += 1;
        }
        assert!(n > 0, "corpus for {target} is empty");
        total += n;
    }
    println!("replayed {total} corpus files");
}
