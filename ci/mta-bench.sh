#!/usr/bin/env bash
# MTA association benchmarks on loopback, release build, server in a child process:
#   1. associations opened, bound and released per second with 1 and 64 concurrent initiators,
#      beside a raw TCP connect+close loop, alternating, ROUNDS rounds of SECONDS_PER_ROUND
#      each (best and median reported, with the CPU time each side used per completion: the
#      machine is shared and noisy, the CPU time much less so);
#   2. the server's resident memory per bound idle association, at IDLE associations, on a
#      fresh server and on one that has first been through a storm of CHURN attempts.
#
#   ci/mta-bench.sh    (ROUNDS=5 SECONDS_PER_ROUND=2 IDLE=10000 CHURN=2000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
seconds=${SECONDS_PER_ROUND:-2}
idle=${IDLE:-10000}
churn=${CHURN:-2000}
# IDLE associations hold a descriptor each in the server and another in the client.
need=$((idle + 4096))
ulimit -n "$need" 2> /dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt "$need" ]; then
  echo "ci/mta-bench.sh: ulimit -n is $(ulimit -n), $need needed for IDLE=$idle" >&2
  exit 1
fi
cargo bench --bench mta_assoc --no-run
cargo bench -q --bench mta_assoc -- rate "$rounds" "$seconds"
cargo bench -q --bench mta_assoc -- idle "$idle"
cargo bench -q --bench mta_assoc -- idle "$idle" "$churn"
