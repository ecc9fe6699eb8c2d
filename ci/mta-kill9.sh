#!/usr/bin/env bash
# The full-size kill -9 test of the MTA (tests/mta/crash.rs): three MTA processes A -> B -> C,
# 1,000 messages of 1 to 50 recipients and 1 KiB to 4 MiB, B killed with SIGKILL 20 times and
# A and C once; prints the counts. The test suite runs the reduced form (200 messages, 5 kills).
# Needs about 15 GB of free disk for the mailboxes at C.
set -euo pipefail
cd "$(dirname "$0")/.."
X400_KILL9_MESSAGES=${X400_KILL9_MESSAGES:-1000} \
X400_KILL9_B_KILLS=${X400_KILL9_B_KILLS:-20} \
X400_KILL9_MAX_RECIPIENTS=${X400_KILL9_MAX_RECIPIENTS:-50} \
X400_KILL9_MAX_CONTENT=${X400_KILL9_MAX_CONTENT:-4194304} \
  cargo test --release --all-features -p x400 --test x400_mta mta::crash::kill_9 -- --nocapture
