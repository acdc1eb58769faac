#!/usr/bin/env bash
# tests/interop/gnutls_server.sh — `mbshake connect` against `gnutls-serv --http` (TLS 1.2, one
# suite and group per run via --priority) for every suite x group x certificate of the matrix
# (_lib.bash). gnutls-serv cannot bind to 127.0.0.1 alone (it listens on every address), so the
# whole script re-runs itself inside a private network namespace (`unshare -n`, loopback up):
# nothing is exposed outside, and fixed ports cannot collide with anything.
if [ -z "${MBSHAKE_IN_NETNS:-}" ]; then
    if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
        MBSHAKE_IN_NETNS=1 exec unshare -n bash "$0" "$@"
    fi
    . "$(dirname "$0")/_lib.bash"
    il_skip_all gnutls_server "cannot create a network namespace (unshare -n needs root or user namespaces); gnutls-serv would listen on all addresses"
fi
. "$(dirname "$0")/_lib.bash"
il_need_basics gnutls_server
command -v gnutls-serv >/dev/null || il_skip_all gnutls_server "gnutls-serv not installed (make deps: gnutls-bin)"
ip link set lo up 2>/dev/null || il_skip_all gnutls_server "cannot bring up lo in the namespace (iproute2)"

priority() { # SUITE GROUP: exactly that suite (and group) on the server
    local suite=$1 group=$2 p="NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:-KX-ALL"
    case $suite in *AES128*) p+=":+AES-128-GCM" ;; *AES256*) p+=":+AES-256-GCM" ;; esac
    case $suite in ECDHE-ECDSA-*) p+=":+ECDHE-ECDSA" ;; ECDHE-RSA-*) p+=":+ECDHE-RSA" ;; *) p+=":+RSA" ;; esac
    case $group in x25519) p+=":-GROUP-ALL:+GROUP-X25519" ;; secp256r1) p+=":-GROUP-ALL:+GROUP-SECP256R1" ;; esac
    echo "$p"
}

port=20000
for c in "${IL_CASES[@]}"; do
    read -r suite group cert <<<"$c"
    name="gnutls_server:$suite:$group:$cert"
    port=$((port + 1))
    slog=$IL_TMP/gnutls-serv.$port.log clog=$IL_TMP/connect.$port.log
    # --disable-client-cert: gnutls-serv asks for a client certificate by default; that
    # exchange has its own case below
    il_bg "$slog" timeout 30 gnutls-serv --http -p "$port" --priority "$(priority "$suite" "$group")" \
        --x509certfile "$CERTS/$cert-chain.pem" --x509keyfile "$CERTS/$cert.key" --disable-client-cert
    gpid=$IL_LAST_PID
    if ! il_wait_for "$slog" "listening on IPv4 .* port $port" "$gpid" 5; then
        il_fail "$name" "gnutls-serv did not start" "$slog"; il_stop "$gpid"; continue
    fi
    il_connect_check "$name" "$port" "$suite" "$group" "$cert" "$clog" "$slog"
    il_stop "$gpid"
done

# gnutls-serv's default: a CertificateRequest (RFC 5246 §7.4.4). A client without a certificate
# answers with an empty Certificate message (§7.4.6) and the handshake goes on.
name="gnutls_server:certificate-request"
port=$((port + 1))
il_bg "$IL_TMP/gnutls-serv.log" timeout 30 gnutls-serv --http -p "$port" \
    --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2" \
    --x509certfile "$CERTS/ecdsa-p256-chain.pem" --x509keyfile "$CERTS/ecdsa-p256.key"
gpid=$IL_LAST_PID
if il_wait_for "$IL_TMP/gnutls-serv.log" "listening on IPv4 .* port $port" "$gpid" 5; then
    timeout 10 "$MB" connect "127.0.0.1:$port" --ca "$CERTS/ca.pem" --servername localhost \
        >"$IL_TMP/connect.log" 2>&1; rc=$?
    il_stop "$gpid"
    if [ $rc -eq 0 ] && grep -q '^http: *HTTP/1.[01] 200' "$IL_TMP/connect.log"; then il_ok "$name"
    else il_fail "$name" "connect rc=$rc" "$IL_TMP/connect.log" "$IL_TMP/gnutls-serv.log"; fi
else
    il_fail "$name" "gnutls-serv did not start" "$IL_TMP/gnutls-serv.log"; il_stop "$gpid"
fi
il_done
