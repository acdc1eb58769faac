#!/usr/bin/env bash
# tools/net-compare.sh — `mbshake serve` against nginx over loopback, the way issue 5 measures
# it: each server pinned to one PU with one worker, `mbshake load` pinned to another, the same
# ECDSA P-256 certificate chain and suite (ECDHE-ECDSA-AES128-GCM-SHA256, x25519; the client
# also offers secp256r1, which RFC 4492 §5.1 requires for the certificate's curve), alternating
# rounds (the machine changes speed for tens of seconds: compare within a round), and in each
# round the no-TLS TCP floor of the same exchange (tools/tcpfloor.c). Prints per round: hs/s,
# server CPU us/hs (user+system of the server process, from /proc), load CPU us/hs; then the
# medians and the per-round ratios mbshake/nginx.
set -euo pipefail
usage() {
    cat <<EOF
usage: tools/net-compare.sh [--rounds R] [--duration SEC] [--connections N]
                            [--server-cpu PU] [--load-cpu PU] [--certs DIR]

Runs R rounds (default 3) of: mbshake serve, nginx, tcpfloor; each server gets one worker on
--server-cpu (default 0), the load generator runs on --load-cpu (default 1) for --duration
seconds (default 5) with --connections (default 64) in a closed loop, --verify cached.
Certificates: --certs DIR from tests/gen-certs.sh (default: made in a temporary directory).
Needs build/mbshake and build/tcpfloor (make all) and nginx (make deps: nginx-light).
EOF
}
ROUNDS=3 DUR=5 CONNS=64 SCPU=0 LCPU=1 CERTS=
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DUR=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --server-cpu) SCPU=$2; shift 2 ;;
    --load-cpu) LCPU=$2; shift 2 ;;
    --certs) CERTS=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "net-compare.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
MB=$PWD/$BUILD/mbshake FLOOR=$PWD/$BUILD/tcpfloor
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for x in "$MB" "$FLOOR"; do [ -x "$x" ] || { echo "net-compare.sh: $x not built (make all)" >&2; exit 1; }; done
[ -x "$NGINX" ] || { echo "net-compare.sh: nginx not installed (make deps installs nginx-light)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/net-compare.XXXXXX")
SPID=
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
. "$PWD/tools/_servers.bash"
trap cleanup EXIT
if [ -z "$CERTS" ]; then CERTS=$T/certs; bash tests/gen-certs.sh "$CERTS" >/dev/null; fi
TCK=$(getconf CLK_TCK)

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# one_run NAME PORT: the load against the server $SPID; prints "hs/s server_us load_us"
one_run() {
    local port=$2 t0 t1 js=$T/$1.json
    t0=$(ticks "$SPID")
    taskset -c "$LCPU" "$MB" load "127.0.0.1:$port" --ca "$CERTS/ca.pem" --servername localhost \
        --suite ECDHE-ECDSA-AES128-GCM-SHA256 --group x25519,secp256r1 --verify cached --connections "$CONNS" \
        --cpus "$LCPU" --duration "$DUR" --quiet --json "$js" >"$T/$1.load.log" 2>&1 ||
        echo "net-compare.sh: $1: mbshake load reported failed handshakes: $(tail -n 1 "$T/$1.load.log")" >&2
    t1=$(ticks "$SPID")
    [ -s "$js" ] || { echo "net-compare.sh: $1: no results file from mbshake load" >&2; cat "$T/$1.load.log" >&2; exit 1; }
    python3 - "$js" "$((t1 - t0))" "$TCK" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
med = lambda v: v["median"] if isinstance(v, dict) else v
hs = med(r["handshakes"]); secs = med(r["seconds"])
# the server's ticks cover the load's whole run, connection set-up included
print(f'{hs / secs:.0f} {int(sys.argv[2]) / int(sys.argv[3]) / hs * 1e6:.1f} {med(r["client_cpu_us_per_hs"]):.1f} {r["failures"]}')
EOF
}

printf '%-6s %-8s %8s %14s %12s %9s\n' round server hs/s server_us/hs load_us/hs failures
res=$T/res; : >"$res"
for round in $(seq "$ROUNDS"); do
    start_mbshake "$SCPU" || exit 1
    read -r hs su lu fl < <(one_run mbshake "$PORT")
    stop_server
    printf '%-6s %-8s %8s %14s %12s %9s\n' "$round" mbshake "$hs" "$su" "$lu" "$fl"; echo "mbshake $round $hs $su $lu" >>"$res"

    start_nginx "$SCPU" "$CONNS" || exit 1
    read -r hs su lu fl < <(one_run nginx "$PORT")
    stop_server
    printf '%-6s %-8s %8s %14s %12s %9s\n' "$round" nginx "$hs" "$su" "$lu" "$fl"; echo "nginx $round $hs $su $lu" >>"$res"

    "$FLOOR" --server-cpu "$SCPU" --client-cpu "$LCPU" --connections "$CONNS" --duration "$DUR" >"$T/floor" ||
        { echo "net-compare.sh: tcpfloor failed" >&2; cat "$T/floor" >&2; exit 1; }
    hs=$(awk '$1 == "exchanges/s" { print $2 }' "$T/floor")
    su=$(awk '$1 == "server_cpu_us_per_exchange" { print $2 }' "$T/floor")
    lu=$(awk '$1 == "client_cpu_us_per_exchange" { print $2 }' "$T/floor")
    printf '%-6s %-8s %8s %14s %12s %9s\n' "$round" tcpfloor "$hs" "$su" "$lu" 0; echo "tcpfloor $round $hs $su $lu" >>"$res"
done
python3 - "$res" <<'EOF'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for name, rnd, hs, su, lu in rows: by.setdefault(name, {})[rnd] = (float(hs), float(su), float(lu))
print("\nmedians over rounds:")
for name, d in by.items():
    v = list(d.values())
    print(f"  {name:<8} hs/s {st.median(x[0] for x in v):8.0f}   server us/hs {st.median(x[1] for x in v):7.1f}"
          f"   load us/hs {st.median(x[2] for x in v):7.1f}")
m, n = by.get("mbshake", {}), by.get("nginx", {})
common = sorted(set(m) & set(n))
if common:
    hr = [m[r][0] / n[r][0] for r in common]; sr = [n[r][1] / m[r][1] for r in common]
    print(f"per-round mbshake/nginx: hs/s {st.median(hr):.2f} ({min(hr):.2f}-{max(hr):.2f}); "
          f"server CPU per hs, nginx/mbshake {st.median(sr):.2f} ({min(sr):.2f}-{max(sr):.2f})")
EOF
