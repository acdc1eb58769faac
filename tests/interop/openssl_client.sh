#!/usr/bin/env bash
# tests/interop/openssl_client.sh — `openssl s_client -tls1_2` against `mbshake serve` for every
# suite x group x certificate of the matrix (_lib.bash). Checks from s_client's own report: the
# cipher, the ECDHE group ("Server Temp Key"; none for RSA key exchange), "Extended master
# secret: yes", "Verify return code: 0 (ok)" (chain to ca.pem and host name localhost), and the
# server's "HTTP/1.1 200 OK" answer to a GET.
. "$(dirname "$0")/_lib.bash"
il_need_basics openssl_client
command -v openssl >/dev/null || il_skip_all openssl_client "openssl not installed (make deps)"

for c in "${IL_CASES[@]}"; do
    read -r suite group cert <<<"$c"
    name="openssl_client:$suite:$group:$cert"
    n=$((${n:-0} + 1)); slog=$IL_TMP/serve.$n.log clog=$IL_TMP/client.$n.log
    sargs=(--cert "$CERTS/$cert-chain.pem" --key "$CERTS/$cert.key" --suites "$suite")
    [ "$group" != none ] && sargs+=(--groups "$group")
    if ! il_mbshake_serve "$slog" "${sargs[@]}"; then
        il_fail "$name" "mbshake serve did not start" "$slog"; continue
    fi
    cargs=(-connect "127.0.0.1:$SERVE_PORT" -tls1_2 -cipher "$suite" -CAfile "$CERTS/ca.pem"
           -servername localhost -verify_hostname localhost -verify_return_error -ign_eof)
    if [ "$group" != none ]; then
        g=$(il_client_groups "$group" "$cert"); g=${g//,/:}
        g=${g//x25519/X25519}; g=${g//secp256r1/P-256}
        cargs+=(-groups "$g")
    fi
    printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
        timeout 10 openssl s_client "${cargs[@]}" >"$clog" 2>&1
    rc=$?
    il_stop "$SERVE_PID"
    why=""
    grep -q "Cipher is $suite\$" "$clog" || why+=" cipher"
    case $group in
        x25519) grep -q '^Server Temp Key: X25519' "$clog" || why+=" temp-key" ;;
        secp256r1) grep -q '^Server Temp Key: ECDH, prime256v1' "$clog" || why+=" temp-key" ;;
        none) grep -q '^Server Temp Key' "$clog" && why+=" unexpected-temp-key" ;;
    esac
    grep -q 'Extended master secret: yes' "$clog" || why+=" ems"
    grep -q 'Verify return code: 0 (ok)' "$clog" || why+=" verify"
    grep -q '^HTTP/1.1 200 OK' "$clog" || why+=" http"
    if [ -z "$why" ]; then il_ok "$name"; else il_fail "$name" "s_client rc=$rc, missing:$why" "$clog" "$slog"; fi
done
il_done
