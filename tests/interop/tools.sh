#!/usr/bin/env bash
# tests/interop/tools.sh — tools/tcpfloor.c (the no-TLS loopback floor of a handshake-shaped
# exchange), tools/net-compare.sh and tools/rate-stability.sh: help, bad options, a short real
# tcpfloor run whose figures must be present and plausible, and short real runs of both scripts
# (their servers come from tools/_servers.bash).
. "$(dirname "$0")/_lib.bash"
FLOOR=$PWD/$BUILD/tcpfloor
[ -x "$FLOOR" ] || il_skip_all tools "$FLOOR not built (make all)"

il_expect 10 tcpfloor-help 0 '^usage: tcpfloor' '' -- "$FLOOR" --help
il_expect 10 tcpfloor-bad-option 2 '' "Try 'tcpfloor --help'" -- "$FLOOR" --bogus
il_expect 10 tcpfloor-bad-conns 2 '' '^tcpfloor: --connections 0: want a number' -- "$FLOOR" --connections 0
il_expect 10 net-compare-help 0 '^usage: tools/net-compare.sh' '' -- tools/net-compare.sh --help
il_expect 10 net-compare-bad-option 2 '' "unknown option '--bogus'" -- tools/net-compare.sh --bogus
il_expect 10 rate-stability-help 0 '^usage: tools/rate-stability.sh' '' -- tools/rate-stability.sh --help
il_expect 10 rate-stability-bad-option 2 '' "unknown option '--bogus'" -- tools/rate-stability.sh --bogus
il_expect 10 rate-stability-bad-server 2 '' "want mbshake or nginx" -- tools/rate-stability.sh --server apache

cpus=$(python3 -c 'import os; print(sorted(os.sched_getaffinity(0)))' | tr -d '[] ')
c0=${cpus%%,*}; c1=${cpus##*,}
il_expect 20 tcpfloor-run 0 '^exchanges/s [0-9]+' '' -- "$FLOOR" --duration 0.5 --connections 16 \
    --server-cpu "$c0" --client-cpu "$c1"
o=$IL_TMP/out
x=$(awk '$1 == "exchanges/s" { print $2 }' "$o")
su=$(awk '$1 == "server_cpu_us_per_exchange" { print $2 }' "$o")
cu=$(awk '$1 == "client_cpu_us_per_exchange" { print $2 }' "$o")
# at least 100 exchanges/s, and each side spent a positive, bounded CPU time per exchange
if [ "${x:-0}" -ge 100 ] && python3 -c "import sys; s, c = float('$su'), float('$cu'); sys.exit(not (0 < s < 100000 and 0 < c < 100000))" &&
   grep -q '^failures 0$' "$o"; then il_ok tcpfloor-figures
else il_fail tcpfloor-figures "exchanges/s=${x:-?} server=${su:-?} client=${cu:-?}" "$o"; fi

# two short runs at 50 % of a probed capacity against mbshake serve: a row per run, a summary
il_expect 90 rate-stability-run 0 '^mbshake at 50 % of the probed capacity: p99 [0-9]+\.\.[0-9]+ us' '' -- \
    tools/rate-stability.sh --server mbshake --runs 2 --percent 50 --duration 0.5 --probe-duration 0.3 \
    --connections 128 --server-cpu "$c0" --load-cpu "$c1" --certs "$CERTS"
if [ "$(grep -cE '^[12] +[0-9]+ +[0-9]+% +[0-9]+ +[0-9]+ ' "$o")" = 2 ]; then il_ok rate-stability-rows
else il_fail rate-stability-rows "want two run rows" "$o"; fi
# --calibrate: a short open loop measures the server's utilisation, the run offers the rate
# that loads it 50 %; the summary says which capacity the share is of
il_expect 90 rate-stability-calibrate 0 '^mbshake at 50 % of the calibrated capacity: p99 [0-9]+' '' -- \
    tools/rate-stability.sh --server mbshake --runs 1 --percent 50 --duration 0.5 --probe-duration 0.3 \
    --connections 128 --server-cpu "$c0" --load-cpu "$c1" --certs "$CERTS" --calibrate
# one round of serve vs nginx (and the floor): the medians and the ratio line
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
    il_expect 90 net-compare-run 0 '^per-round mbshake/nginx: hs/s [0-9.]+' '' -- \
        tools/net-compare.sh --rounds 1 --duration 0.5 --connections 16 --server-cpu "$c0" \
        --load-cpu "$c1" --certs "$CERTS"
else il_skip net-compare-run "nginx not installed (make deps installs nginx-light)"; fi
il_done
