#!/usr/bin/env bash
# The MTA beside Postfix, in one run, one table:
#
# * durable acceptance of 2 KiB messages at 1, 4 and 16 concurrent inbound connections:
#   x400-mta (benches/mta_postfix.rs `accept`: a peer MTA transferring P1 messages over that
#   many associations, each message counted once its APDU is secured, i.e. committed and
#   fsynced by the MTA) against Postfix taking the same messages over SMTP from smtp-source
#   (`-s CONC -d`: that many sessions, each sending message after message; a message counts
#   at the 250 after DATA, which Postfix gives once the queue file is fsynced). The two
#   alternate ROUNDS times at each concurrency (the machine is shared and noisy); best and
#   median are reported;
# * relay latency A -> B -> C at 100 messages/s (benches/mta_postfix.rs `latency`).
#
# Postfix is Debian's package, installed if missing (no configuration of its own: nothing
# else is started or changed), run as a separate instance whose configuration, queue and data
# live under $X400_BENCH_DIR (default /var/tmp, the disk, as is the MTA's store), listening
# on 127.0.0.1:$PORT only. Default fsync behaviour; no content filter. What is accepted is
# kept and nothing is delivered, on both sides: Postfix puts every message on hold
# (`smtpd_data_restrictions = check_client_access static:HOLD`, so its queue manager never
# touches them; the hold queue is emptied between rounds, untimed), as the MTA's messages wait
# for a next hop that never answers. POSTFIX_SINK=discard sends them to the `discard`
# transport instead (queue manager and delivery agent running beside smtpd; slower here).
# `in_flow_delay = 0`: Postfix does not slow its clients down when its queue manager falls
# behind, so its acceptance rate is its own. Neither side logs a line per message (the MTA
# logs warnings only; Postfix has no syslog here and no maillog_file). The instance is
# stopped on exit.
#
# Sizes: N (messages per round and side, default 5000), ROUNDS (default 3), SECONDS (latency
# run, default 20), RATE (default 100), PORT (default 12525), POSTFIX_SINK (hold or
# discard, default hold).

# SECONDS is also bash's clock (seconds since the shell started, counting on from a value
# given in the environment): read what the caller gave before it moves.
SECONDS_LAT=$(printenv SECONDS || true)
SECONDS_LAT=${SECONDS_LAT:-20}
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-5000}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-100}
PORT=${PORT:-12525}
POSTFIX_SINK=${POSTFIX_SINK:-hold}
SIZE=2048
CONCURRENCY="1 4 16"
export X400_BENCH_DIR=${X400_BENCH_DIR:-/var/tmp}
base="$X400_BENCH_DIR/x400-postfix-bench"
etc="$base/etc"

if ! command -v smtp-source >/dev/null || ! command -v postfix >/dev/null; then
  echo "installing postfix (Debian package, no configuration of its own)" >&2
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
if ss -ltn "sport = :$PORT" | grep -q LISTEN; then
  echo "port $PORT is taken; set PORT" >&2
  exit 1
fi

echo "building benches/mta_postfix.rs" >&2
bench=$(cargo bench --bench mta_postfix --no-run 2>&1 | tee /dev/stderr |
  sed -n 's/.*Executable.*(\(.*mta_postfix-[0-9a-f]*\)).*/\1/p' | tail -1)
[ -x "$bench" ] || { echo "the bench did not build" >&2; exit 1; }

stop_postfix() {
  postfix -c "$etc" stop >/dev/null 2>&1 || true
}
trap stop_postfix EXIT

# A fresh instance each run: no queue left from an earlier one.
stop_postfix
rm -rf "$base"
mkdir -p "$etc" "$base/queue" "$base/data"
chown postfix: "$base/data"
cat >"$etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $base/queue
data_directory = $base/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination = localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
local_transport = discard:bench
default_transport = discard:bench
relay_transport = discard:bench
in_flow_delay = 0s
biff = no
smtputf8_enable = no
EOF
if [ "$POSTFIX_SINK" = hold ]; then
  echo "smtpd_data_restrictions = check_client_access static:HOLD" >>"$etc/main.cf"
fi
# No chroot (the instance has no copy of /etc in its queue directory), one smtpd listener on
# our port, and the services a queue needs.
cat >"$etc/master.cf" <<EOF
127.0.0.1:$PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
EOF
postfix -c "$etc" check
postfix -c "$etc" start
for _ in $(seq 50); do
  ss -ltn "sport = :$PORT" | grep -q LISTEN && break
  sleep 0.1
done

# Messages per second of one smtp-source run; fails unless every message got its 250.
postfix_round() {
  local conc=$1 t0 t1 out
  t0=$(date +%s.%N)
  if ! out=$(smtp-source -s "$conc" -d -m "$N" -l "$SIZE" -f bench@localhost -t sink@localhost \
    "127.0.0.1:$PORT" 2>&1); then
    echo "smtp-source failed: $out" >&2
    return 1
  fi
  t1=$(date +%s.%N)
  [ -z "$out" ] || { echo "smtp-source: $out" >&2; return 1; }
  if [ "$POSTFIX_SINK" = hold ]; then
    postsuper -c "$etc" -d ALL hold >/dev/null 2>&1
  fi
  awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / (b - a) }'
}

# Messages per second of one `accept` run.
mta_round() {
  local conc=$1 line
  line=$("$bench" accept "$N" "$conc" | grep '^x400-mta accept')
  echo "  $line" >&2
  sed -n 's/.*: \([0-9]*\) msg\/s.*/\1/p' <<<"$line"
}

# "best median" of numbers.
stats() {
  tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%s %s\n", v[NR], v[int((NR + 1) / 2)] }'
}

declare -A mta pf
for conc in $CONCURRENCY; do
  mta[$conc]=""
  pf[$conc]=""
  for r in $(seq "$ROUNDS"); do
    # Alternate which side goes first, so that neither always gets the quieter moment.
    for side in $( ((r % 2)) && echo "mta postfix" || echo "postfix mta"); do
      if [ "$side" = mta ]; then
        mta[$conc]+=" $(mta_round "$conc")"
      else
        pf[$conc]+=" $(postfix_round "$conc")"
      fi
    done
    echo "concurrency $conc round $r: x400-mta ${mta[$conc]##* } msg/s, postfix ${pf[$conc]##* } msg/s" >&2
  done
done
queued=$(find "$base/queue/incoming" "$base/queue/active" "$base/queue/deferred" "$base/queue/hold" \
  -type f | wc -l)
stop_postfix

echo "latency: A -> B -> C at $RATE msg/s for $SECONDS_LAT s" >&2
# The three MTAs' stores go to temporary directories: on the same disk.
lat=$(TMPDIR="$X400_BENCH_DIR" "$bench" latency "$RATE" "$SECONDS_LAT" | grep '^x400-mta latency')

echo
echo "x400-mta vs Postfix $(postconf -d -h mail_version): durable acceptance of $SIZE-octet messages," \
  "$N per round, $ROUNDS rounds per side, best (median)"
printf '%-11s | %-22s | %-22s | %s\n' concurrency "x400-mta msg/s" "postfix msg/s" "ratio best (median)"
printf '%-11s-+-%-22s-+-%-22s-+-%s\n' ----------- ---------------------- ---------------------- -------------------
for conc in $CONCURRENCY; do
  read -r mb mm <<<"$(stats <<<"${mta[$conc]}")"
  read -r pb pm <<<"$(stats <<<"${pf[$conc]}")"
  ratio=$(awk -v a="$mb" -v b="$pb" -v c="$mm" -v d="$pm" 'BEGIN { printf "%.2f (%.2f)", a / b, c / d }')
  printf '%-11s | %-22s | %-22s | %s\n' "$conc" "$mb ($mm)" "$pb ($pm)" "$ratio"
done
echo "${lat#x400-mta }"
echo "(postfix: messages put on $POSTFIX_SINK; $queued left in its queue at the end)"
