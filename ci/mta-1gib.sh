#!/usr/bin/env bash
# One 1 GiB message relayed A -> B -> C by three MTA processes (tests/mta/big.rs), each MTA's
# peak resident memory (VmHWM) under 128 MiB: submitted at A from a reader, spooled and
# relayed by A and B, delivered into carol's Maildir at C and compared there in chunks.
# Prints the three peaks and the time. The test suite runs the reduced form (64 MiB).
# Needs about 4 GB of free disk (the spools of A, B and C and the delivered copy).
set -euo pipefail
cd "$(dirname "$0")/.."
X400_BIG_OCTETS=${X400_BIG_OCTETS:-1073741824} \
X400_BIG_MAX_RSS=${X400_BIG_MAX_RSS:-134217728} \
  cargo test --release --all-features -p x400 --test x400_mta mta::big:: -- --nocapture
