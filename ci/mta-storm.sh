#!/usr/bin/env bash
# The MTA storm at full size: N connection attempts (default 20000) of every kind a network and
# a bad peer produce, among valid associations that must all succeed, against an MTA shell in a
# child process whose resident memory is reported before, at the peak and after (after must be
# within 10 % of before). Release build. The test suite runs the same storm at 2,000 attempts
# (tests/mta/storm.rs); this is for the full numbers.
#
#   ci/mta-storm.sh [N]
#
# With MALLOC=pinned the server runs with glibc's mmap threshold pinned at 128 KiB
# (MALLOC_MMAP_THRESHOLD_=131072): an association's 256 KiB buffers then always come from, and
# go back to, their own mappings instead of staying in malloc's arenas once the first one is
# freed (glibc's default raises the threshold then).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
# Each attempt holds a descriptor on both sides while it lasts.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"
if [ "${MALLOC:-}" = pinned ]; then
  export MALLOC_MMAP_THRESHOLD_=131072
fi
cargo bench --bench mta_storm -- "$n"
