#!/usr/bin/env bash
# tests/interop/openssl_server.sh — `mbshake connect` against `openssl s_server -tls1_2 -www`
# for every suite x group x certificate of the matrix (_lib.bash), checking what connect
# reports (suite, group, EMS, verified chain and name, HTTP status). Then the client's
# verification failures against real served chains: expired, wrong name, unknown CA.
. "$(dirname "$0")/_lib.bash"
il_need_basics openssl_server
command -v openssl >/dev/null || il_skip_all openssl_server "openssl not installed (make deps)"

# s_server LOG LEAF ARGS...: starts s_server with LEAF's certificate + the intermediate for one
# connection; sets SS_PID, SS_PORT
s_server() {
    local log=$1 leaf=$2; shift 2
    il_bg "$log" timeout 20 openssl s_server -tls1_2 -accept 127.0.0.1:0 -naccept 1 -www \
        -cert "$CERTS/$leaf.pem" -key "$CERTS/$leaf.key" -cert_chain "$CERTS/int.pem" "$@"
    SS_PID=$IL_LAST_PID
    if ! il_wait_port "$log" '^ACCEPT .*:([0-9]+)$' "$SS_PID"; then
        il_stop "$SS_PID"
        return 1
    fi
    SS_PORT=$IL_PORT
}

for c in "${IL_CASES[@]}"; do
    read -r suite group cert <<<"$c"
    name="openssl_server:$suite:$group:$cert"
    n=$((${n:-0} + 1)); slog=$IL_TMP/s_server.$n.log clog=$IL_TMP/connect.$n.log
    sargs=(-cipher "$suite")
    [ "$group" != none ] && sargs+=(-groups "$(il_ossl_group "$group")")
    if ! s_server "$slog" "$cert" "${sargs[@]}"; then
        il_fail "$name" "s_server did not start" "$slog"; continue
    fi
    il_connect_check "$name" "$SS_PORT" "$suite" "$group" "$cert" "$clog" "$slog"
    il_stop "$SS_PID"
done

# --no-ems really leaves EMS out (RFC 7627): s_server still completes, connect says "ems: no"
name="openssl_server:no-ems"
if s_server "$IL_TMP/s_server.noems.log" ecdsa-p256; then
    timeout 10 "$MB" connect "127.0.0.1:$SS_PORT" --ca "$CERTS/ca.pem" --servername localhost \
        --no-ems >"$IL_TMP/connect.log" 2>&1; rc=$?
    il_stop "$SS_PID"
    if [ $rc -eq 0 ] && grep -q '^ems: *no' "$IL_TMP/connect.log"; then il_ok "$name"
    else il_fail "$name" "rc=$rc" "$IL_TMP/connect.log"; fi
else il_fail "$name" "s_server did not start" "$IL_TMP/s_server.noems.log"; fi

# verification failures: the handshake must fail, naming the certificate problem
for bad in "expired:localhost:expired" "otherhost:localhost:certificate_unknown|name|host" \
           "selfsigned:localhost:unknown_ca|issuer|self" "ecdsa-p256:other.example:certificate_unknown|name|host"; do
    IFS=: read -r leaf sni want <<<"$bad"
    name="openssl_server:reject:$leaf:$sni"
    if ! s_server "$IL_TMP/s_server.$leaf.$sni.log" "$leaf"; then
        il_fail "$name" "s_server did not start" "$IL_TMP/s_server.$leaf.$sni.log"; continue
    fi
    timeout 10 "$MB" connect "127.0.0.1:$SS_PORT" --ca "$CERTS/ca.pem" --servername "$sni" \
        >"$IL_TMP/connect.log" 2>&1; rc=$?
    il_stop "$SS_PID"
    if [ $rc -ne 0 ] && ! grep -q '^verify: *ok' "$IL_TMP/connect.log" &&
       grep -qiE "$want" "$IL_TMP/connect.log"; then il_ok "$name"
    else il_fail "$name" "rc=$rc, expected a failure mentioning /$want/" "$IL_TMP/connect.log"; fi
done
il_done
