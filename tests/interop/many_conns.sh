#!/usr/bin/env bash
# tests/interop/many_conns.sh — `mbshake serve` holds up under 10,000 concurrent connections on
# loopback: `mbshake load --hold --connections N` opens N connections and keeps each one open
# after its handshake, so all N are open at once (the run ends when they are); every handshake
# must complete without a failure, the server's final stats line must show a peak of >= N active
# connections, and the server must then still serve a new client and stop cleanly (under ASan:
# no leak). N = 10000 (MBSHAKE_MANY_CONNS overrides; the same under ASan: the run takes ~5 s
# here, ~15 s under ASan). Needs RLIMIT_NOFILE hard >= N + 64 for each process and N + 1000
# ephemeral ports; skips with the reason otherwise. A listen backlog below N (net.core.somaxconn)
# only delays the connects beyond it by SYN retransmits (1 s, 3 s), well inside the timeouts.
. "$(dirname "$0")/_lib.bash"
il_need_basics many_conns
T=$IL_TMP
N=${MBSHAKE_MANY_CONNS:-10000}
json_num() { sed -nE "s/.*\"$2\": *([0-9.eE+-]+).*/\1/p" "$1" | head -n 1; }

hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((N + 64)) ]; then
    il_skip_all many_conns "RLIMIT_NOFILE hard limit $hard < $((N + 64)) (raise it: ulimit -Hn, limits.conf nofile)"
fi
read -r plo phi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { plo=32768; phi=60999; }
if [ $((phi - plo + 1)) -lt $((N + 1000)) ]; then
    il_skip_all many_conns "ephemeral port range $plo-$phi holds fewer than $((N + 1000)) ports (net.ipv4.ip_local_port_range)"
fi
echo "# N=$N, RLIMIT_NOFILE soft $(ulimit -n) hard $hard, ports $plo-$phi," \
     "somaxconn $(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo ?)"

# a too low limit is refused with what to do, not met with failing accepts
expect_fd_error() {
    local name=$1; shift
    (ulimit -n 256; ulimit -Hn 256; timeout 10 "$@") >"$T/fd.out" 2>&1; local rc=$?
    if [ $rc -ne 0 ] && grep -q 'RLIMIT_NOFILE' "$T/fd.out" && grep -q 'raise' "$T/fd.out"; then il_ok "$name"
    else il_fail "$name" "rc=$rc, want a failure that names RLIMIT_NOFILE" "$T/fd.out"; fi
}
expect_fd_error fd-limit:serve "$MB" serve --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" \
    --listen 127.0.0.1:0 --max-conns 1000
expect_fd_error fd-limit:load "$MB" load 127.0.0.1:1 --insecure --connections 1000 --duration 0.1

slog=$T/serve.log
if ! il_mbshake_serve "$slog" --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" \
        --groups x25519 --threads 1 --quiet --max-conns $((N + 100)) --handshake-timeout 30 \
        --stats-interval 1; then
    il_fail serve:start "mbshake serve --max-conns $((N + 100)) did not start" "$slog"
    il_done
fi
t0=$SECONDS
timeout 60 "$MB" load "127.0.0.1:$SERVE_PORT" --ca "$CERTS/ca.pem" --servername localhost \
    --group x25519,secp256r1 --verify cached --connections "$N" --hold --duration 45 --timeout 30 \
    --json "$T/hold.json" >"$T/hold.log" 2>&1; rc=$?
echo "# load --hold --connections $N: rc=$rc in $((SECONDS - t0)) s"
sed 's/^/#   /' "$T/hold.log" | head -n 12
hs=$(json_num "$T/hold.json" median); fails=$(json_num "$T/hold.json" failures)
peak=$(json_num "$T/hold.json" held_peak); lost=$(json_num "$T/hold.json" held_closed)
if [ $rc -eq 0 ] && [ "${hs%.*}" = "$N" ] && [ "$fails" = 0 ]; then il_ok load:all-handshakes-completed
else il_fail load:all-handshakes-completed "rc=$rc handshakes=${hs:-?} (want $N) failures=${fails:-?}" "$T/hold.log"; fi
if [ "${peak:-0}" = "$N" ] && [ "$lost" = 0 ]; then il_ok load:all-held-at-once
else il_fail load:all-held-at-once "held_peak=${peak:-?} (want $N) held_closed=${lost:-?}" "$T/hold.log"; fi

# the server still serves a new client
timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" --ca "$CERTS/ca.pem" --servername localhost \
    --connections 2 --duration 0.5 --request --json "$T/after.json" >"$T/after.log" 2>&1; rc=$?
hs=$(json_num "$T/after.json" median); fails=$(json_num "$T/after.json" failures)
if [ $rc -eq 0 ] && [ "${hs%.*}" -ge 1 ] && [ "$fails" = 0 ]; then il_ok serve:new-client-afterwards
else il_fail serve:new-client-afterwards "rc=$rc handshakes=${hs:-?} failures=${fails:-?}" "$T/after.log" "$slog"; fi

kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?
speak=$(sed -nE 's/.*; peak ([0-9]+) active connections.*/\1/p' "$slog" | tail -n 1)
grep -E '^stats: |stopped' "$slog" | tail -n 3 | sed 's/^/# /'
if [ "${speak:-0}" -ge "$N" ]; then il_ok serve:peak-active-connections
else il_fail serve:peak-active-connections "final stats line: peak ${speak:-?} (want >= $N)" "$slog"; fi
if [ $rc -eq 0 ] && grep -q 'stopped by signal' "$slog" && ! grep -q 'Sanitizer' "$slog"; then
    il_ok serve:graceful-shutdown
else il_fail serve:graceful-shutdown "rc=$rc" "$slog"; fi
il_done
