#!/usr/bin/env bash
# The MTA storm at full size: N connection attempts (default 20000) of every kind a network and
# a bad peer produce, among valid associations that must all succeed, against an MTA shell in a
# child process whose resident memory is reported at start, after a warm-up storm (before), at
# the peak and after (after must be within 10 % of before; benches/mta_storm.rs says why the
# baseline follows a warm-up). Release build. The test suite runs the same storm at 2,000
# attempts (tests/mta/storm.rs); this is for the full numbers.
#
#   ci/mta-storm.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
# Each attempt holds a descriptor on both sides while it lasts.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
cargo bench --bench mta_storm -- "$n"
