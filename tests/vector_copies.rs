//! The vectors and captures the published crates' own tests read are copies of the
//! conformance kit's files (`crates/*/tests/data`, and `examples/decode/data` for the trace
//! decoder's tests), so that those tests run from each package. Every copy must still be byte
//! for byte the kit's file; update the copy when the kit changes.

// A panic is how a test fails.
#![allow(clippy::panic)]

mod common;

#[test]
fn every_crate_copy_of_a_kit_vector_file_is_the_kits_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut copies = 0;
    let dirs = ["osi-session", "osi-transport", "x400-rts", "x400-p1"]
        .map(|krate| root.join("crates").join(krate).join("tests/data"));
    for data in dirs.iter().chain([&root.join("examples/decode/data")]) {
        let entries = std::fs::read_dir(data).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", data.display()))
                .path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let source = match name {
                "README.md" => continue,
                "p1_samples.hex" => common::kit().join("asn1").join(name),
                "iec61850_10102.pcapng" => common::kit().join("captures").join(name),
                n if n.ends_with(".pcap") => common::kit().join("captures/handmade").join(name),
                _ => common::kit().join("vectors").join(name),
            };
            let read = |p: &std::path::Path| {
                std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            };
            assert!(
                read(&path) == read(&source),
                "{} differs from {}",
                path.display(),
                source.display()
            );
            copies += 1;
        }
    }
    assert_eq!(copies, 14, "a copy was added or removed: update this count");
}
