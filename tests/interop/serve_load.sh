#!/usr/bin/env bash
# tests/interop/serve_load.sh — the real-network pair: `mbshake load` against `mbshake serve
# --threads 2` (ECDHE-ECDSA x25519 and RSA key exchange), against `openssl s_server -www` and
# against nginx; results files that `mbshake compare` reads; the open-loop schedule (--rate)
# counting latency from the intended start; a server that survives a one-byte-at-a-time client
# and a client that never finishes (each costs a handshake timeout while a concurrent load
# completes), answers malformed records with the right alert, prints --stats-interval lines and
# ends on SIGTERM with a final stats line (under ASan: and no leak); --repeat windows with their
# spread (and compare reading them), --hold. Options: --help, bad ones. 10,000 concurrent
# connections: many_conns.sh.
. "$(dirname "$0")/_lib.bash"
il_need_basics serve_load
T=$IL_TMP
CA=(--ca "$CERTS/ca.pem" --servername localhost)

# expect_rc NAME RC REGEX CMD...: exit status and combined output
expect_rc() {
    local name=$1 want=$2 re=$3; shift 3
    timeout 20 "$@" >"$T/out" 2>&1; local rc=$?
    if [ "$rc" -eq "$want" ] && grep -qE -- "$re" "$T/out"; then il_ok "$name"
    else il_fail "$name" "rc=$rc (want $want), output !~ /$re/" "$T/out"; fi
}
# json_num FILE KEY: the first numeric value of "KEY": in FILE
json_num() { sed -nE "s/.*\"$2\": *([0-9.eE+-]+).*/\1/p" "$1" | head -n 1; }
# load_ok NAME LOG JSON MIN: a load run that completed >= MIN handshakes without a failure
load_ok() {
    local name=$1 log=$2 js=$3 min=$4 rc=$5 hs fails
    hs=$(json_num "$js" median); fails=$(json_num "$js" failures)
    if [ "$rc" -eq 0 ] && [ -n "$hs" ] && [ "${hs%.*}" -ge "$min" ] && [ "$fails" = 0 ]; then il_ok "$name"
    else il_fail "$name" "rc=$rc handshakes=${hs:-?} (want >= $min) failures=${fails:-?}" "$log"; fi
}

# ---- command line -------------------------------------------------------------------------
expect_rc help-load 0 '^usage: mbshake load' "$MB" load --help
expect_rc help-load-lists 0 '--rate' "$MB" load --help
expect_rc help-serve-threads 0 '--threads' "$MB" serve --help
expect_rc load-needs-target 2 '^mbshake load: HOST:PORT is required' "$MB" load --insecure
expect_rc load-needs-ca 2 '^mbshake load: --ca FILE or --insecure is required' "$MB" load 127.0.0.1:1
expect_rc load-bad-verify 2 "^mbshake load: --verify sometimes" "$MB" load 127.0.0.1:1 --insecure --verify sometimes
expect_rc load-bad-rate 2 "^mbshake load: --rate" "$MB" load 127.0.0.1:1 --insecure --rate -5
expect_rc load-bad-rate-pct 2 "^mbshake load: --rate 80x: want" "$MB" load 127.0.0.1:1 --insecure --rate 80x
expect_rc load-bad-threads 2 "^mbshake load: --threads" "$MB" load 127.0.0.1:1 --insecure --threads many
expect_rc load-hold-repeat 2 "^mbshake load: --hold runs one window" "$MB" load 127.0.0.1:1 --insecure --hold --repeat 2
expect_rc load-bad-repeat 2 "^mbshake load: --repeat" "$MB" load 127.0.0.1:1 --insecure --repeat 0
expect_rc load-bad-suite 2 "^mbshake load: --suite" "$MB" load 127.0.0.1:1 --insecure --suite NOPE
expect_rc serve-bad-threads 2 "^mbshake serve: --threads" "$MB" serve --cert "$CERTS/ecdsa-p256.pem" \
    --key "$CERTS/ecdsa-p256.key" --threads 0
expect_rc load-refused 1 'connect' "$MB" load 127.0.0.1:1 --insecure --duration 0.2 --connections 2

# ---- mbshake serve --threads 2, ECDHE-ECDSA x25519 -----------------------------------------
slog=$T/serve-ecdsa.log
if il_mbshake_serve "$slog" --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" \
        --threads 2 --quiet --stats-interval 0.5 --groups x25519; then
    for f in a b; do
        timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --group x25519,secp256r1 --connections 32 \
            --threads 2 --duration 1 --request --verify cached --json "$T/$f.json" >"$T/load-$f.log" 2>&1
        load_ok "serve2:ecdsa-x25519:$f" "$T/load-$f.log" "$T/$f.json" 20 $?
    done
    if grep -q '"engine": "load"' "$T/a.json" && grep -q '"server_hello_done"' "$T/a.json" &&
       grep -q '"first_byte"' "$T/a.json" && grep -q '"suite": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"' "$T/a.json" &&
       grep -q '"group": "x25519"' "$T/a.json"; then il_ok serve2:json-fields
    else il_fail serve2:json-fields "results file lacks load fields" "$T/a.json"; fi
    timeout 20 "$MB" compare "$T/a.json" "$T/b.json" >"$T/cmp.log" 2>&1; rc=$?
    if [ $rc -le 1 ] && grep -q 'handshakes_per_sec' "$T/cmp.log" && ! grep -q 'No run of' "$T/cmp.log"
    then il_ok compare-load-files; else il_fail compare-load-files "rc=$rc" "$T/cmp.log"; fi
    # --repeat R: R windows back to back, every figure a stat over them (n = R, R values) in
    # the file and a spread table; compare reads such files (and gives a confidence interval)
    for f in r3a r3b; do
        timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --connections 16 --threads 2 \
            --duration 0.4 --repeat 3 --verify cached --json "$T/$f.json" >"$T/$f.log" 2>&1; rc=$?
    done
    nv=$(tr -d ' \n' <"$T/r3a.json" | grep -oE '"handshakes_per_sec":\{[^}]*"values":\[[^]]*\]' |
         sed -E 's/.*"values":\[([^]]*)\].*/\1/' | tr ',' '\n' | grep -c .)
    if [ $rc -eq 0 ] && grep -q '"repeat": 3' "$T/r3a.json" && grep -q '"n": 3' "$T/r3a.json" &&
       [ "$nv" = 3 ] && grep -q '^spread over 3 windows' "$T/r3a.log" &&
       grep -qE '^  handshake p99 us +[0-9]+ +[0-9]+\.\.[0-9]+' "$T/r3a.log" &&
       [ "$(json_num "$T/r3a.json" failures)" = 0 ]; then il_ok load:repeat-windows
    else il_fail load:repeat-windows "rc=$rc values=$nv" "$T/r3a.log" "$T/r3a.json"; fi
    timeout 20 "$MB" compare "$T/r3a.json" "$T/r3b.json" >"$T/cmp3.log" 2>&1; rc=$?
    if [ $rc -le 1 ] && grep -q 'handshakes_per_sec' "$T/cmp3.log" && ! grep -q 'No run of' "$T/cmp3.log" &&
       ! grep -q 'handshakes_per_sec.*n/a' "$T/cmp3.log"
    then il_ok compare-repeat-load-files; else il_fail compare-repeat-load-files "rc=$rc" "$T/cmp3.log"; fi
    # --hold with --request: our server closes after the response; nothing is a failure
    timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --connections 4 --hold --request \
        --duration 5 --json "$T/holdreq.json" >"$T/holdreq.log" 2>&1; rc=$?
    hs=$(json_num "$T/holdreq.json" median)
    if [ $rc -eq 0 ] && [ "${hs%.*}" = 4 ] &&
       [ "$(json_num "$T/holdreq.json" failures)" = 0 ] && grep -q '^held open: ' "$T/holdreq.log"
    then il_ok load:hold-request; else il_fail load:hold-request "rc=$rc" "$T/holdreq.log"; fi
    timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --connections 8 --duration 0.5 \
        --no-batch --json "$T/nobatch.json" >"$T/nobatch.log" 2>&1
    load_ok serve2:client-inline-crypto "$T/nobatch.log" "$T/nobatch.json" 5 $?
    # open loop: 20000/s on one connection cannot keep up; the backlog must show in the
    # latency (counted from each intended start), not vanish into a slower schedule
    timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --connections 1 --rate 20000 \
        --duration 1 --json "$T/rate.json" >"$T/rate.log" 2>&1; rc=$?
    mx=$(awk '$1 == "handshake" { print $NF }' "$T/rate.log")
    late=$(json_num "$T/rate.json" late_starts)
    if [ $rc -eq 0 ] && [ -n "$mx" ] && [ "${mx%.*}" -gt 300000 ] && [ "${late:-0}" -gt 0 ]; then
        il_ok rate:latency-from-intended-start
    else il_fail rate:latency-from-intended-start "rc=$rc max=${mx:-?}us late=${late:-?}" "$T/rate.log"; fi
    # a rate it can keep: about rate x duration handshakes start
    timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --connections 4 --rate 50 \
        --duration 1 --json "$T/rate50.json" >"$T/rate50.log" 2>&1; rc=$?
    st=$(json_num "$T/rate50.json" started)
    if [ $rc -eq 0 ] && [ "${st:-0}" -ge 45 ] && [ "${st:-0}" -le 55 ] &&
       [ "$(json_num "$T/rate50.json" failures)" = 0 ]; then il_ok rate:schedule
    else il_fail rate:schedule "rc=$rc started=${st:-?} (want ~50)" "$T/rate50.log"; fi
    # the client's lane sets are reported: every handshake ran one tls-keys op
    if python3 - "$T/rate50.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
b = r["batches"]
assert b["tls_keys"]["ops"] >= r["handshakes"]["median"] > 0, b
assert all(k["calls"] <= k["ops"] and k["lanes"] >= 1 for k in b.values()), b
assert r["client_max_wait_us"] == 200, r["client_max_wait_us"]  # the default
PY
    then il_ok load:client-batches-reported; else il_fail load:client-batches-reported "" "$T/rate50.json"; fi
    # --rate P%: a closed-loop probe just before, then P % of what it measured, on schedule
    timeout 30 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --connections 64 --rate 30% \
        --probe-connections 4 --probe-duration 0.5 --duration 1 --json "$T/ratepct.json" \
        >"$T/ratepct.log" 2>&1; rc=$?
    if [ $rc -eq 0 ] && grep -q '^capacity probe: closed loop, 4 connections' "$T/ratepct.log" &&
       python3 - "$T/ratepct.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
p = r["capacity_probe"]
assert r["rate_percent"] == 30 and p["connections"] == 4 and p["handshakes_per_sec"] > 0, r
assert abs(r["rate_hps"] - 0.3 * p["handshakes_per_sec"]) < 0.01 * r["rate_hps"] + 0.5, r
assert abs(r["started"] - r["rate_hps"]) <= 0.15 * r["rate_hps"] + 2, (r["started"], r["rate_hps"])
assert r["failures"] == 0
assert 0 < p["client_busy"] <= 1.5 and 0 < r["client_busy"]["median"] <= 1.5, (p, r["client_busy"])
PY
    then il_ok rate:percent-of-probed-capacity
    else il_fail rate:percent-of-probed-capacity "rc=$rc" "$T/ratepct.log" "$T/ratepct.json"; fi
    # the wrong name: counted as verification failures, and nothing completes (status 1)
    timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" --ca "$CERTS/ca.pem" --servername other.example \
        --connections 2 --duration 0.3 --json "$T/bad.json" >"$T/bad.log" 2>&1; rc=$?
    if [ $rc -eq 1 ] && grep -qE '"verify": [1-9]' "$T/bad.json" && grep -q 'verify' "$T/bad.log"
    then il_ok load:verify-failure-counted; else il_fail load:verify-failure-counted "rc=$rc" "$T/bad.log" "$T/bad.json"; fi
    kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?
    if grep -qE '^stats: [0-9]+ handshakes/s, [0-9]+ active connections \(peak [0-9]+\), batch occupancy x25519' "$slog"
    then il_ok serve2:stats-interval; else il_fail serve2:stats-interval "no stats line" "$slog"; fi
    if [ $rc -eq 0 ] && grep -qE 'stopped by signal; .* handshakes ok, [0-9]+ failed' "$slog" &&
       ! grep -q 'LeakSanitizer\|AddressSanitizer' "$slog"; then il_ok serve2:graceful-shutdown
    else il_fail serve2:graceful-shutdown "rc=$rc" "$slog"; fi
else
    il_fail serve2:ecdsa-x25519 "mbshake serve --threads 2 did not start" "$slog"
fi

# ---- mbshake serve --threads 2, RSA key exchange ---------------------------------------------
slog=$T/serve-rsa.log
if il_mbshake_serve "$slog" --cert "$CERTS/rsa2048-chain.pem" --key "$CERTS/rsa2048.key" --threads 2 --quiet; then
    timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --suite AES128-GCM-SHA256 \
        --connections 8 --duration 1 --json "$T/rsa.json" >"$T/rsa.log" 2>&1
    load_ok serve2:rsa-kex "$T/rsa.log" "$T/rsa.json" 5 $?
    grep -q '"group": "none"' "$T/rsa.json" && il_ok serve2:rsa-kex-group-none ||
        il_fail serve2:rsa-kex-group-none "group not none" "$T/rsa.json"
    kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?
    [ $rc -eq 0 ] && ! grep -q 'Sanitizer' "$slog" && il_ok serve2:rsa-shutdown ||
        il_fail serve2:rsa-shutdown "rc=$rc" "$slog"
else
    il_fail serve2:rsa-kex "mbshake serve did not start" "$slog"
fi

# ---- bad peers cost a timeout, not a stalled worker; malformed records get their alert ------
# A ClientHello (RFC 5246 §7.4.1.2): TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, x25519/P-256,
# ecdsa_secp256r1_sha256, extended_master_secret.
CH='16 03 01 00 4b 01 00 00 47 03 03'$(printf ' %02x' $(seq 1 32))' 00 00 02 c0 2b 01 00 00 1c
    00 0a 00 06 00 04 00 1d 00 17 00 0b 00 02 01 00 00 0d 00 04 00 02 04 03 00 17 00 00'
slog=$T/serve-slow.log
if il_mbshake_serve "$slog" --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" \
        --handshake-timeout 1; then
    # one byte every 100 ms (the hello would take 8 s) and half a hello then silence
    ( exec 3<>"/dev/tcp/127.0.0.1/$SERVE_PORT" || exit 1
      for b in $CH; do printf "\\x$b" >&3 2>/dev/null || exit 0; sleep 0.1; done ) 2>/dev/null &
    slow=$!
    ( exec 3<>"/dev/tcp/127.0.0.1/$SERVE_PORT" || exit 1
      for b in $(echo $CH | cut -d' ' -f1-20); do printf "\\x$b"; done >&3; sleep 4 ) 2>/dev/null &
    stuck=$!
    IL_PIDS+=("$slow" "$stuck")
    timeout 20 "$MB" load "127.0.0.1:$SERVE_PORT" "${CA[@]}" --connections 8 --duration 2 \
        --json "$T/slow.json" >"$T/slow-load.log" 2>&1
    load_ok bad-peers:good-load-completes "$T/slow-load.log" "$T/slow.json" 20 $?
    n=$(grep -c 'handshake timeout' "$slog")
    [ "$n" -ge 2 ] && il_ok bad-peers:timed-out || il_fail bad-peers:timed-out "$n timeouts logged (want 2)" "$slog"
    # malformed records (RFC 5246 §6.2.1, §6.2.3, §7.4.1.2): fatal alert, level 2
    probe() { # NAME WANT-ALERT-HEX BYTES-ESCAPED
        local got
        got=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$SERVE_PORT"' || exit 1
              printf "'"$3"'" >&3; head -c 7 <&3 | od -An -tx1' 2>/dev/null | tr -d ' \n')
        [ "$got" = "150303000202$2" ] && il_ok "malformed:$1" ||
            il_fail "malformed:$1" "got '$got', want alert $2"
    }
    probe record-overflow 16 '\x16\x03\x03\x48\x01\x00\x00'
    probe unknown-content-type 0a '\x63\x03\x03\x00\x02\x00\x00'
    probe truncated-client-hello 32 '\x16\x03\x01\x00\x09\x01\x00\x00\x05\x03\x03\x00\x00\x00'
    probe appdata-before-handshake 0a '\x17\x03\x03\x00\x05hello'
    il_stop "$slow"; il_stop "$stuck"
    kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?
    [ $rc -eq 0 ] && ! grep -q 'Sanitizer' "$slog" && il_ok bad-peers:shutdown ||
        il_fail bad-peers:shutdown "rc=$rc" "$slog"
else
    il_fail bad-peers "mbshake serve did not start" "$slog"
fi

# ---- openssl s_server -www (one connection at a time) ----------------------------------------
if command -v openssl >/dev/null; then
    il_bg "$T/s_server.log" timeout 20 openssl s_server -tls1_2 -accept 127.0.0.1:0 -www \
        -cert "$CERTS/ecdsa-p256.pem" -key "$CERTS/ecdsa-p256.key" -cert_chain "$CERTS/int.pem"
    ss=$IL_LAST_PID
    if il_wait_port "$T/s_server.log" '^ACCEPT .*:([0-9]+)$' "$ss"; then
        timeout 20 "$MB" load "127.0.0.1:$IL_PORT" "${CA[@]}" --connections 1 --duration 1 --request \
            --json "$T/ossl.json" >"$T/ossl.log" 2>&1
        load_ok openssl-s_server "$T/ossl.log" "$T/ossl.json" 5 $?
    else
        il_fail openssl-s_server "s_server did not start" "$T/s_server.log"
    fi
    il_stop "$ss"
else
    il_skip openssl-s_server "openssl not installed (make deps)"
fi

# ---- nginx ----------------------------------------------------------------------------------
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$NGINX" ]; then
    nd=$T/nginx; mkdir -p "$nd"
    started=
    for try in 1 2 3; do
        port=$((20000 + RANDOM % 40000))
        cat >"$nd/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1;
pid $nd/nginx.pid; error_log $nd/error.log;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $nd/client_body; proxy_temp_path $nd/proxy;
    fastcgi_temp_path $nd/fastcgi; uwsgi_temp_path $nd/uwsgi; scgi_temp_path $nd/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_protocols TLSv1.2;
        ssl_certificate $CERTS/ecdsa-p256-chain.pem;
        ssl_certificate_key $CERTS/ecdsa-p256.key;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
        ssl_ecdh_curve X25519:prime256v1;
        location / { return 200 "ok\n"; }
    }
}
EOF
        : >"$nd/error.log"
        il_bg "$nd/stderr.log" "$NGINX" -e "$nd/error.log" -p "$nd" -c "$nd/nginx.conf"
        ng=$IL_LAST_PID
        for _ in $(seq 40); do
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && { started=1; break; }
            kill -0 "$ng" 2>/dev/null || break
            sleep 0.05
        done
        [ -n "$started" ] && break
        il_stop "$ng"
        grep -q 'Address already in use' "$nd/error.log" "$nd/stderr.log" 2>/dev/null || break
    done
    if [ -n "$started" ]; then
        timeout 20 "$MB" load "127.0.0.1:$port" "${CA[@]}" --connections 8 --duration 1 --request \
            --json "$T/nginx.json" >"$T/nginx-load.log" 2>&1
        load_ok nginx "$T/nginx-load.log" "$T/nginx.json" 10 $?
        grep -q '"suite": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"' "$T/nginx.json" &&
            il_ok nginx:suite || il_fail nginx:suite "unexpected suite" "$T/nginx.json"
        il_stop "$ng"
    else
        il_skip nginx "nginx could not start here: $(tail -n 1 "$nd/error.log" "$nd/stderr.log" 2>/dev/null | grep -v '^==>' | tr '\n' ' ')"
    fi
else
    il_skip nginx "nginx not installed (make deps: nginx-light)"
fi
il_done
