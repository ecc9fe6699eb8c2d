#!/usr/bin/env bash
# The whole test suite, as the README says to run it on a fresh machine: installs the external
# oracles of the conformance kit (tshark, a pinned Python venv) when the kit is beside the
# repository, then runs every test of every crate, example and fuzz corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=../shared/conformance
if [ -x "$kit/setup.sh" ] || [ -f "$kit/setup.sh" ]; then
  bash "$kit/setup.sh"
else
  echo "ci/test.sh: no conformance kit at $kit; tests that need its oracles will fail" >&2
fi
cargo test --workspace --all-features "$@"
