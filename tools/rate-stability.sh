#!/usr/bin/env bash
# tools/rate-stability.sh — issue 5's open-loop check: is the p99 handshake latency that
# `mbshake load --rate P%` reports reproducible? Starts one server (mbshake serve or nginx, one
# worker pinned to --server-cpu) and runs `mbshake load` (pinned to --load-cpu) --runs times,
# each a closed-loop capacity probe followed by an open loop at P % of what the probe measured
# (the machine's speed drifts over tens of seconds, so each run takes its capacity from its own
# moment). Prints per run: probed capacity, offered and achieved hs/s, the server's CPU
# utilisation during the open loop (from /proc, sampled every 0.1 s), the time the hypervisor
# took from the two PUs (steal, /proc/stat), p50/p99 handshake
# latency, late starts, the client's CPU per handshake, how busy its core was (in the probe and
# in the run) and its lane-set fill; then the p99 spread (max/min - 1; the issue asks for
# <= 20 %), and which runs' probes were limited by the client rather than the server.
set -euo pipefail
usage() {
    cat <<EOF
usage: tools/rate-stability.sh [--server mbshake|nginx] [--runs N] [--percent P]
                               [--duration SEC] [--connections N] [--probe-duration SEC]
                               [--server-cpu PU] [--load-cpu PU] [--certs DIR] [--calibrate]

Defaults: --server nginx, --runs 3, --percent 80, --duration 5, --connections 1024 (open-loop
concurrency limit), --probe-duration 2 (closed loop, 64 connections), --server-cpu 0,
--load-cpu 1. The load verifies with --verify cached and offers x25519 and secp256r1.
--calibrate: before each run, a 2 s open loop at P % of the probe measures the server's CPU
utilisation (/proc), and the run offers the rate that loads the server P % (the server's
capacity taken as 1 / its CPU time per handshake under this load) instead of P % of the
closed-loop probe.
Needs build/mbshake (make all) and, for nginx, nginx (make deps installs nginx-light).
EOF
}
SERVER=nginx RUNS=3 PCT=80 DUR=5 CONNS=1024 PROBE=2 SCPU=0 LCPU=1 CERTS= CAL=0
while [ $# -gt 0 ]; do
    case $1 in
    --server) SERVER=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --percent) PCT=$2; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --probe-duration) PROBE=$2; shift 2 ;;
    --calibrate) CAL=1; shift ;;
    --server-cpu) SCPU=$2; shift 2 ;;
    --load-cpu) LCPU=$2; shift 2 ;;
    --certs) CERTS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "rate-stability.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
case $SERVER in mbshake|nginx) ;; *) echo "rate-stability.sh: --server $SERVER: want mbshake or nginx" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
MB=$PWD/$BUILD/mbshake
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$MB" ] || { echo "rate-stability.sh: $MB not built (make all)" >&2; exit 1; }
[ "$SERVER" = mbshake ] || [ -x "$NGINX" ] ||
    { echo "rate-stability.sh: nginx not installed (make deps installs nginx-light)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/rate-stability.XXXXXX")
SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
. "$PWD/tools/_servers.bash"
if [ -z "$CERTS" ]; then CERTS=$T/certs; bash tests/gen-certs.sh "$CERTS" >/dev/null; fi
if [ "$SERVER" = mbshake ]; then start_mbshake "$SCPU" --max-conns "$((CONNS + 64))" || exit 1
else start_nginx "$SCPU" "$CONNS" || exit 1; fi

# the server's CPU time every 0.1 s: its utilisation during each open loop (the machine's speed
# drifts, so the same offered share of a probed capacity can load the server differently)
TCK=$(getconf CLK_TCK)
( while kill -0 "$SPID" 2>/dev/null; do
      echo "$(date +%s%N) $(awk '{ print $14 + $15 }' "/proc/$SPID/stat" 2>/dev/null)"; sleep 0.1
  done ) >"$T/ticks" 2>/dev/null &
# steal: time the hypervisor ran something else on the two PUs (/proc/stat), in ms per run
steal() { awk -v a="cpu$SCPU" -v b="cpu$LCPU" '$1 == a || $1 == b { s += $9 } END { print s }' /proc/stat; }
printf '%-4s %9s %6s %9s %9s %9s %9s %9s %7s %9s %6s %8s  %s\n' run capacity busy offered hs/s server p50_us p99_us late cli_us/hs busy steal_ms "client lanes"
# util T0 T1 SKIP: the server's CPU utilisation from SKIP seconds after T0 to 0.2 s before T1 (ns)
util() {
    python3 - "$T/ticks" "$1" "$2" "$3" "$TCK" <<'EOF'
import sys
t0, t1, skip, tck = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
smp = [(int(a), int(b)) for a, b in (l.split() for l in open(sys.argv[1]) if len(l.split()) == 2)]
w = [x for x in smp if t0 + skip * 1e9 <= x[0] <= t1 - 0.2e9]
print((w[-1][1] - w[0][1]) / tck / ((w[-1][0] - w[0][0]) / 1e9) if len(w) > 2 else "nan")
EOF
}
# one_load NAME RATE DURATION [probe options]: mbshake load against the server; sets T0 T1 STEAL
one_load() {
    local name=$1 rate=$2 dur=$3 s0 s1; shift 3
    T0=$(date +%s%N) s0=$(steal)
    taskset -c "$LCPU" "$MB" load "127.0.0.1:$PORT" --ca "$CERTS/ca.pem" --servername localhost \
        --suite ECDHE-ECDSA-AES128-GCM-SHA256 --group x25519,secp256r1 --verify cached --cpus "$LCPU" \
        --connections "$CONNS" --rate "$rate" --duration "$dur" --quiet "$@" \
        --json "$T/$name.json" >"$T/$name.log" 2>&1 ||
        echo "rate-stability.sh: $name: mbshake load reported failed handshakes: $(tail -n 1 "$T/$name.log")" >&2
    T1=$(date +%s%N) s1=$(steal)
    STEAL=$(( (s1 - s0) * 1000 / TCK ))
    [ -s "$T/$name.json" ] || { echo "rate-stability.sh: $name: no results file" >&2; cat "$T/$name.log" >&2; exit 1; }
}
for run in $(seq "$RUNS"); do
    if [ "$CAL" = 1 ]; then
        # a short open loop at P % of the probe, then the rate that loaded the server P %
        one_load cal$run "$PCT%" 2 --probe-duration "$PROBE"
        u0=$(util "$T0" "$T1" "$(python3 -c "print($PROBE + 0.5)")")
        rate=$(python3 - "$T/cal$run.json" "$u0" "$PCT" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
u = float(sys.argv[2])
print(f'{r["rate_hps"] * float(sys.argv[3]) / 100 / u:.1f}' if u == u and u > 0.05 else r["rate_hps"])
EOF
)
        python3 -c "import sys, json; print(f'     calibration: the server was {100 * float(sys.argv[1]):.0f} % busy at ' f'{json.load(open(sys.argv[2]))[\"runs\"][0][\"rate_hps\"]:.0f} hs/s; run $run offers $rate')" "$u0" "$T/cal$run.json"
        one_load run$run "$rate" "$DUR"
        u=$(util "$T0" "$T1" 0.3) probe=$T/cal$run.json
    else
        one_load run$run "$PCT%" "$DUR" --probe-duration "$PROBE"
        u=$(util "$T0" "$T1" "$(python3 -c "print($PROBE + 0.5)")") probe=$T/run$run.json
    fi
    python3 - "$T/run$run.json" "$run" "$u" "$STEAL" "$probe" <<'EOF' | tee -a "$T/rows"
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
m = lambda v: v["median"] if isinstance(v, dict) else v
l = r["latency_us"]["handshake"]
lanes = " ".join(f'{k}:{v["ops"] / v["calls"]:.1f}' for k, v in r.get("batches", {}).items() if v["calls"])
p = json.load(open(sys.argv[5]))["runs"][0]["capacity_probe"]
util = float(sys.argv[3])
print(f'{sys.argv[2]:<4} {p["handshakes_per_sec"]:9.0f} {100 * p["client_busy"]:5.0f}% {r["rate_hps"]:9.0f} '
      f'{m(r["handshakes_per_sec"]):9.0f} {100 * util:8.0f}% {m(l["p50"]):9.0f} {m(l["p99"]):9.0f} {r["late_starts"]:7d} '
      f'{m(r["client_cpu_us_per_hs"]):9.1f} {100 * m(r["client_busy"]):5.0f}% {int(sys.argv[4]):8d}  {lanes}')
EOF
done
python3 - "$T/rows" "$SERVER" "$PCT" "$CAL" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
p99 = [float(r[7]) for r in rows]
print(f"\n{sys.argv[2]} at {sys.argv[3]} % of the {'calibrated' if sys.argv[4] == '1' else 'probed'} capacity: p99 {min(p99):.0f}..{max(p99):.0f} us, "
      f"spread max/min - 1 = {100 * (max(p99) / min(p99) - 1):.1f} %, "
      f"largest distance from the median {100 * max(abs(x / sorted(p99)[len(p99) // 2] - 1) for x in p99):.1f} %")
print("server utilisation in the open loops: " + ", ".join(f"run {r[0]} {r[5]}" for r in rows) +
      " (a share of a capacity probed a few seconds earlier loads the server differently when the "
      "machine's speed has changed)")
limited = [r[0] for r in rows if float(r[2].rstrip("%")) >= 90]
if limited:
    print(f"runs {', '.join(limited)}: the probe was limited by the load generator (its core >= 90 % busy), "
          "so the offered rate is a share of the client's capacity, not the server's")
EOF
