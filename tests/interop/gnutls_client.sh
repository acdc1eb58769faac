#!/usr/bin/env bash
# tests/interop/gnutls_client.sh — `gnutls-cli` (TLS 1.2 only, one suite and group per run via
# --priority) against `mbshake serve`, for every suite x group x certificate of the matrix
# (_lib.bash). Checks gnutls-cli's report: the Description line (version, key exchange and
# group, cipher), "Options: extended master secret", a trusted certificate for "localhost",
# and the "HTTP/1.1 200 OK" answer to a GET.
. "$(dirname "$0")/_lib.bash"
il_need_basics gnutls_client
command -v gnutls-cli >/dev/null || il_skip_all gnutls_client "gnutls-cli not installed (make deps: gnutls-bin)"

# priority SUITE GROUPS(comma list or none): a GnuTLS priority string for exactly that suite
priority() {
    local suite=$1 groups=$2 p="NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:-KX-ALL"
    case $suite in *AES128*) p+=":+AES-128-GCM" ;; *AES256*) p+=":+AES-256-GCM" ;; esac
    case $suite in ECDHE-ECDSA-*) p+=":+ECDHE-ECDSA" ;; ECDHE-RSA-*) p+=":+ECDHE-RSA" ;; *) p+=":+RSA" ;; esac
    if [ "$groups" != none ]; then
        p+=":-GROUP-ALL"
        local g
        for g in ${groups//,/ }; do
            case $g in x25519) p+=":+GROUP-X25519" ;; secp256r1) p+=":+GROUP-SECP256R1" ;; esac
        done
    fi
    echo "$p"
}

for c in "${IL_CASES[@]}"; do
    read -r suite group cert <<<"$c"
    name="gnutls_client:$suite:$group:$cert"
    n=$((${n:-0} + 1)); slog=$IL_TMP/serve.$n.log clog=$IL_TMP/client.$n.log
    sargs=(--cert "$CERTS/$cert-chain.pem" --key "$CERTS/$cert.key" --suites "$suite")
    [ "$group" != none ] && sargs+=(--groups "$group")
    if ! il_mbshake_serve "$slog" "${sargs[@]}"; then
        il_fail "$name" "mbshake serve did not start" "$slog"; continue
    fi
    cg=none; [ "$group" != none ] && cg=$(il_client_groups "$group" "$cert")
    printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
        timeout 10 gnutls-cli --priority "$(priority "$suite" "$cg")" --x509cafile "$CERTS/ca.pem" \
            --sni-hostname localhost --verify-hostname localhost -p "$SERVE_PORT" 127.0.0.1 >"$clog" 2>&1
    rc=$?
    il_stop "$SERVE_PID"
    case $suite in *AES128*) cipher=AES-128-GCM ;; *) cipher=AES-256-GCM ;; esac
    case $group in x25519) kx='(ECDHE-X25519)' ;; secp256r1) kx='(ECDHE-SECP256R1)' ;; none) kx='-(RSA)-' ;; esac
    desc=$(grep -m1 -- '- Description:' "$clog")
    why=""
    [[ "$desc" == *"(TLS1.2"* ]] || why+=" version"
    [[ "$desc" == *"$kx"* ]] || why+=" kx/group"
    [[ "$desc" == *"($cipher)"* ]] || why+=" cipher"
    case $suite in
        ECDHE-ECDSA-*) [[ "$desc" == *"(ECDSA-"* ]] || why+=" sigalg" ;;
        ECDHE-RSA-*) [[ "$desc" == *"(RSA-"* ]] || why+=" sigalg" ;;
    esac
    grep -q -- '- Options:.*extended master secret' "$clog" || why+=" ems"
    grep -q -- '- Status: The certificate is trusted' "$clog" || why+=" verify"
    grep -q '^HTTP/1.1 200 OK' "$clog" || why+=" http"
    if [ -z "$why" ]; then il_ok "$name"; else il_fail "$name" "gnutls-cli rc=$rc, missing:$why ($desc)" "$clog" "$slog"; fi
done
il_done
