#!/usr/bin/env bash
# Tests every published crate from its package, as a crates.io user gets it: `cargo package
# --workspace` (which also verifies that each builds), then each `.crate` is unpacked in a
# scratch directory and its own tests run there with `cargo test --all-features`. A test that
# reads a file outside its package (the conformance kit, the fuzz corpora, a sibling crate's
# tests) fails here; such tests belong in the root package's tests/, which is not published.
#
# Packaged manifests name sibling crates by version (`osi-tpkt = "=0.1.0"`), and these are not
# on crates.io: each is patched to its unpacked package, so every crate is tested against its
# siblings exactly as packaged. Registry dependencies come from the local cache (--offline).
#
# Prints one line per crate; exits non-zero if any crate's tests fail.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A fresh target dir: cargo unpacks the packaged crates it verifies into CARGO_HOME under a
# name derived from the temporary registry's path, so a reused path would verify against
# stale sources. The tests of the unpacked crates share it, so that dependencies build once.
export CARGO_TARGET_DIR="$scratch/target"
export CARGO_TERM_COLOR=never

cargo package --workspace --allow-dirty -q

# "name version" of every package that is published (publish = false gives an empty list).
published=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
for p in json.load(sys.stdin)["packages"]:
    if p["publish"] != []:
        print(p["name"], p["version"])
')

mkdir "$scratch/unpacked"
while read -r name version; do
  tar -xzf "$CARGO_TARGET_DIR/package/$name-$version.crate" -C "$scratch/unpacked"
done <<< "$published"

failed=0
while read -r name version; do
  dir="$scratch/unpacked/$name-$version"
  patches=()
  while read -r other other_version; do
    [ "$other" = "$name" ] && continue
    patches+=(--config "patch.crates-io.$other.path=\"$scratch/unpacked/$other-$other_version\"")
  done <<< "$published"
  log="$scratch/$name.log"
  if (cd "$dir" && cargo test --offline --all-features "${patches[@]}" > "$log" 2>&1); then
    passed=$(awk '/^test result:/ { p += $4 } END { print p + 0 }' "$log")
    echo "package-tests: $name $version: ok, $passed tests passed from the package"
  else
    echo "package-tests: $name $version: FAILED from the package; its output:"
    sed 's/^/    /' "$log" | tail -n 60
    failed=1
  fi
done <<< "$published"
exit "$failed"
