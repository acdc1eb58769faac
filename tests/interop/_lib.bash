# tests/interop/_lib.bash — sourced by the interop scripts (not run by tests/run.sh: the runner
# only picks up *.sh). Prints "ok NAME" / "not ok NAME" per case and ends with
# "RESULT: P passed, F failed, S skipped" (tests/run.sh protocol). Every peer process is started
# through il_bg so the EXIT trap can stop it; every wait is bounded.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD=${BUILD:-build}
MB=${MBSHAKE_BIN:-$PWD/$BUILD/mbshake}
CERTS=${MBSHAKE_CERTS:-}
IL_PASS=0 IL_FAIL=0 IL_SKIP=0
IL_PIDS=()
IL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mbshake-interop.XXXXXX")

IL_MAIN_PID=$BASHPID
il_cleanup() {
    # only the script itself cleans up, never a background subshell that caught a signal
    # between fork and exec
    [ "$BASHPID" = "$IL_MAIN_PID" ] || return 0
    local p
    for p in "${IL_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${IL_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$IL_TMP"
}
trap il_cleanup EXIT
trap 'exit 130' INT TERM

il_ok() { echo "ok $1"; IL_PASS=$((IL_PASS + 1)); }
il_skip() { echo "  SKIPPED [$1]: $2"; IL_SKIP=$((IL_SKIP + 1)); }
# il_fail NAME REASON [LOGFILE...]: the reason and the tail of each log, indented
il_fail() {
    local name=$1 why=$2 f; shift 2
    echo "not ok $name: $why"
    for f in "$@"; do [ -f "$f" ] && tail -n 15 "$f" | sed 's/^/    | /'; done
    IL_FAIL=$((IL_FAIL + 1))
}
il_done() {
    echo "RESULT: $IL_PASS passed, $IL_FAIL failed, $IL_SKIP skipped"
    [ "$IL_FAIL" -eq 0 ]
    exit
}
# il_require_all REASON-if-missing: skip the whole script (one skipped case) and exit
il_skip_all() { il_skip "$1" "$2"; il_done; }
il_need_basics() {
    local me=$1
    [ -x "$MB" ] || il_skip_all "$me" "$MB not built (make all)"
    [ -n "$CERTS" ] && [ -f "$CERTS/done" ] || il_skip_all "$me" "MBSHAKE_CERTS not set up (tests/run.sh makes it with tests/gen-certs.sh)"
}

# il_expect SECONDS NAME RC STDOUT-REGEX STDERR-REGEX -- CMD...: runs CMD (at most SECONDS) with
# stdout in $IL_TMP/out and stderr in $IL_TMP/err, checks status and output; an empty regex
# means "anything"
il_expect() {
    local secs=$1 name=$2 want=$3 ore=$4 ere=$5 o=$IL_TMP/out e=$IL_TMP/err; shift 6
    timeout "$secs" "$@" >"$o" 2>"$e"; local rc=$?
    local why=""
    [ "$rc" -eq "$want" ] || why+=" rc=$rc(want $want)"
    [ -z "$ore" ] || grep -qE -- "$ore" "$o" || why+=" stdout!~/$ore/"
    [ -z "$ere" ] || grep -qE -- "$ere" "$e" || why+=" stderr!~/$ere/"
    if [ -z "$why" ]; then il_ok "$name"; else il_fail "$name" "$why" "$o" "$e"; fi
}
# il_one_line NAME PREFIX: the last il_expect's stderr is exactly one line that starts with
# PREFIX (plus an optional "Try 'mbshake ..." hint)
il_one_line() {
    local e=$IL_TMP/err n; n=$(grep -vc "^Try 'mbshake" "$e")
    if [ "$n" -eq 1 ] && head -n 1 "$e" | grep -q "^$2"; then il_ok "$1"
    else il_fail "$1" "stderr has $n lines, want one '$2...' line" "$e"; fi
}

# il_connect_check NAME PORT SUITE GROUP CERT CLOG SLOG: `mbshake connect` to 127.0.0.1:PORT
# offering SUITE (and the client groups for GROUP and CERT unless GROUP is none), output in CLOG;
# its report must show that suite and group, EMS, a verified chain and an HTTP 200 answer.
# SLOG (the peer server's log) is shown on failure.
il_connect_check() {
    local name=$1 port=$2 suite=$3 group=$4 cert=$5 clog=$6 slog=$7 rc why=""
    local cargs=(connect "127.0.0.1:$port" --ca "$CERTS/ca.pem" --servername localhost --suites "$suite")
    [ "$group" != none ] && cargs+=(--groups "$(il_client_groups "$group" "$cert")")
    timeout 10 "$MB" "${cargs[@]}" >"$clog" 2>&1; rc=$?
    [ $rc -eq 0 ] || why+=" exit-status"
    grep -q "^suite: *$suite " "$clog" || why+=" suite"
    if [ "$group" = none ]; then grep -q '^group: *none' "$clog" || why+=" group"
    else grep -q "^group: *$group\$" "$clog" || why+=" group"; fi
    grep -q '^ems: *yes' "$clog" || why+=" ems"
    grep -q '^verify: *ok' "$clog" || why+=" verify"
    grep -q '^http: *HTTP/1.[01] 200' "$clog" || why+=" http"
    if [ -z "$why" ]; then il_ok "$name"; else il_fail "$name" "connect rc=$rc, missing:$why" "$clog" "$slog"; fi
}

# il_bg LOG CMD...: starts CMD in the background (stdout+stderr to LOG); sets IL_LAST_PID
il_bg() {
    local log=$1; shift
    (trap - EXIT INT TERM; exec "$@") >"$log" 2>&1 &
    IL_LAST_PID=$!
    IL_PIDS+=("$IL_LAST_PID")
}
il_stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }
# il_wait_for LOG REGEX PID [SECONDS]: 0 once LOG matches, 1 on timeout or if PID died
il_wait_for() {
    local log=$1 re=$2 pid=$3 n=$(( ${4:-5} * 20 ))
    while [ $n -gt 0 ]; do
        grep -qE "$re" "$log" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05; n=$((n - 1))
    done
    return 1
}
# il_wait_port LOG SED-ERE PID [SECONDS]: waits until LOG holds a complete line (newline
# included: a peer may write "ACCEPT 127.0.0.1:4" before the rest) that SED-ERE matches; its
# first capture group (the port) goes to IL_PORT. 1 on timeout or if PID died.
il_wait_port() {
    local log=$1 re=$2 pid=$3 n=$(( ${4:-10} * 20 ))
    IL_PORT=
    while [ $n -gt 0 ]; do
        IL_PORT=$(sed -nE "s/$re/\1/p" "$log" 2>/dev/null | head -n 1)
        [ -n "$IL_PORT" ] && [ -z "$(tail -c 1 "$log")" ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05; n=$((n - 1))
    done
    IL_PORT=
    return 1
}
# il_mbshake_serve LOG ARGS...: starts `mbshake serve --listen 127.0.0.1:0 ARGS`, waits for
# "listening on"; sets SERVE_PID and SERVE_PORT. Returns 1 if it did not come up.
il_mbshake_serve() {
    local log=$1; shift
    il_bg "$log" "$MB" serve --listen 127.0.0.1:0 "$@"
    SERVE_PID=$IL_LAST_PID
    if ! il_wait_port "$log" '^listening on .*:([0-9]+)$' "$SERVE_PID"; then
        il_stop "$SERVE_PID"
        return 1
    fi
    SERVE_PORT=$IL_PORT
}

# The interop matrix: suite, group ("none" for RSA key exchange), certificate kind.
IL_CASES=(
    "ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256"
    "ECDHE-ECDSA-AES128-GCM-SHA256 secp256r1 ecdsa-p256"
    "ECDHE-ECDSA-AES256-GCM-SHA384 x25519 ecdsa-p256"
    "ECDHE-ECDSA-AES256-GCM-SHA384 secp256r1 ecdsa-p256"
    "ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048"
    "ECDHE-RSA-AES128-GCM-SHA256 secp256r1 rsa2048"
    "ECDHE-RSA-AES256-GCM-SHA384 x25519 rsa2048"
    "ECDHE-RSA-AES256-GCM-SHA384 secp256r1 rsa2048"
    "AES128-GCM-SHA256 none rsa2048"
    "AES256-GCM-SHA384 none rsa2048"
    "ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa3072"
    "ECDHE-RSA-AES256-GCM-SHA384 secp256r1 rsa4096"
    "AES128-GCM-SHA256 none rsa4096"
)
# Groups the client side offers for a case: the group under test, plus secp256r1 for an ECDSA
# P-256 certificate (RFC 8422 §5.1: the certificate's curve must be offered; real clients do,
# and OpenSSL servers insist). The server side is limited to the group under test.
il_client_groups() { # group cert
    if [ "$2" = ecdsa-p256 ] && [ "$1" = x25519 ]; then echo "x25519,secp256r1"; else echo "$1"; fi
}
il_ossl_group() { case $1 in x25519) echo X25519 ;; secp256r1) echo P-256 ;; esac; }
