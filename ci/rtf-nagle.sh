#!/usr/bin/env bash
# A sender that writes TSDUs in pieces with Nagle's algorithm on (as ISODE's rtf and the PP
# MTA do) against `rtf recv`, side by side with our own sender, in release; then the mirror
# case (our sender against a receiver that delays its ACKs). Prints the best of five runs of
# each and fails if a ratio is over 1.5. The test suite runs a 1 MiB form with a looser bound.
#
# usage: ci/rtf-nagle.sh [MiB, default 24]
set -euo pipefail
cd "$(dirname "$0")/.."
RTF_NAGLE_MIB=${1:-24} RTF_NAGLE_MAX_RATIO=1.5 cargo test -q --release --test rtf_nagle -- --nocapture --test-threads 1 2>&1 |
  grep -E 'MiB|test result|panicked'
