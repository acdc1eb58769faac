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
trap cleanup EXIT
if [ -z "$CERTS" ]; then CERTS=$T/certs; bash tests/gen-certs.sh "$CERTS" >/dev/null; fi
TCK=$(getconf CLK_TCK)

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
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
    taskset -c "$SCPU" "$MB" serve --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" \
        --suites ECDHE-ECDSA-AES128-GCM-SHA256 --groups x25519 --threads 1 --cpus "$SCPU" --quiet \
        --listen 127.0.0.1:0 2>"$T/serve.log" &
    SPID=$! port=
    for _ in $(seq 100); do
        port=$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$T/serve.log" | head -n 1)
        [ -n "$port" ] && break; sleep 0.05
    done
    [ -n "$port" ] || { echo "net-compare.sh: mbshake serve did not start" >&2; cat "$T/serve.log" >&2; exit 1; }
    read -r hs su lu fl < <(one_run mbshake "$port")
    kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=
    printf '%-6s %-8s %8s %14s %12s %9s\n' "$round" mbshake "$hs" "$su" "$lu" "$fl"; echo "mbshake $round $hs $su $lu" >>"$res"

    nd=$T/nginx; mkdir -p "$nd"
    for try in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    cat >"$nd/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1; worker_rlimit_nofile 4096;
pid $nd/nginx.pid; error_log $nd/error.log;
events { worker_connections 2048; }
http {
    access_log off;
    client_body_temp_path $nd/cb; proxy_temp_path $nd/p; fastcgi_temp_path $nd/f;
    uwsgi_temp_path $nd/u; scgi_temp_path $nd/s;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_protocols TLSv1.2;
        ssl_certificate $CERTS/ecdsa-p256-chain.pem;
        ssl_certificate_key $CERTS/ecdsa-p256.key;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
        ssl_ecdh_curve X25519;
        ssl_session_cache off; ssl_session_tickets off;
        location / { return 200 "ok\n"; }
    }
}
EOF
    : >"$nd/error.log"
    taskset -c "$SCPU" "$NGINX" -e "$nd/error.log" -p "$nd" -c "$nd/nginx.conf" 2>"$T/nginx.err" &
    SPID=$!
    wait_port "$port" && kill -0 "$SPID" 2>/dev/null && break
    kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null || true; SPID=
    grep -q 'Address already in use' "$nd/error.log" || break
    done
    [ -n "$SPID" ] || { echo "net-compare.sh: nginx did not start" >&2; cat "$nd/error.log" "$T/nginx.err" >&2; exit 1; }
    read -r hs su lu fl < <(one_run nginx "$port")
    kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=
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
