#!/usr/bin/env bash
# rtf survives kill -9 of its sender: a 100 MiB file between two processes on loopback; the
# sender is killed mid-transfer and started again with the same command; it must resume
# (PConnect recover, activity resume after the last confirmed checkpoint), not restart, and
# the stored file must have the same SHA-256. Prints the checksums and the resume point.
#
# usage: ci/rtf-kill9.sh [MiB, default 100] [port, default 17302]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-100}
port=${2:-17302}
profile=${RTF_PROFILE:-debug}
if [ "$profile" = release ]; then cargo build -q --release --example rtf; else cargo build -q --example rtf; fi
# Where cargo put it: CARGO_TARGET_DIR when set.
rtf="${CARGO_TARGET_DIR:-target}/$profile/examples/rtf"
work=$(mktemp -d)
trap 'kill $recv 2>/dev/null || true; rm -rf "$work"' EXIT
head -c "$((mib << 20))" /dev/urandom > "$work/file.bin"
mkdir "$work/in"
"$rtf" recv "127.0.0.1:$port" "$work/in" 2> "$work/recv.log" &
recv=$!
sleep 0.5
"$rtf" send "127.0.0.1:$port" "$work/file.bin" 2> "$work/send1.log" &
send=$!
# Kill as soon as the recovery point shows a third of the file confirmed.
for _ in $(seq 1 600); do
  c=$(sed -n 's/^confirmed=//p' "$work/file.bin.rtf-state" 2>/dev/null || true)
  if [ -n "$c" ] && [ "$c" -gt $(( (mib << 20) / 4096 / 3 )) ]; then break; fi
  sleep 0.01
done
kill -9 "$send"
wait "$send" 2>/dev/null || true
echo "killed the sender; recovery point: $(tr '\n' ' ' < "$work/file.bin.rtf-state")"
"$rtf" send "127.0.0.1:$port" "$work/file.bin" 2> "$work/send2.log"
grep -q "resuming after octet" "$work/send2.log" || { echo "the restarted sender did not resume"; cat "$work/send2.log"; exit 1; }
grep -q "1 recovered, 0 restarted" "$work/send2.log" || { echo "not exactly one recovery"; cat "$work/send2.log"; exit 1; }
sed -n 's/.*\(resuming after octet [0-9]*\).*/\1/p; s/.*rtf: \(sent .*\)/\1/p' "$work/send2.log"
a=$(sha256sum < "$work/file.bin" | cut -d' ' -f1)
b=$(sha256sum < "$work/in/file.bin" | cut -d' ' -f1)
echo "sent     sha256 $a"
echo "received sha256 $b"
[ "$a" = "$b" ] || { echo "checksums differ"; exit 1; }
[ ! -e "$work/file.bin.rtf-state" ] || { echo "recovery point left behind"; exit 1; }
echo "rtf-kill9: OK ($mib MiB)"
