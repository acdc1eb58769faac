#!/usr/bin/env bash
# tests/interop/cli.sh — the command line: --help for every command, one-line errors with the
# right exit status (2 usage, 1 runtime), and a server that survives bad peers: garbage instead
# of a ClientHello, a plaintext HTTP request, a peer that connects and says nothing (handshake
# timeout), a peer that vanishes — each followed by a good handshake; SIGTERM ends it cleanly
# with a stats line. Finally a short in-memory bench run.
. "$(dirname "$0")/_lib.bash"
il_need_basics cli
out=$IL_TMP/out err=$IL_TMP/err

# expect NAME RC STDOUT-REGEX STDERR-REGEX -- CMD... and one_line NAME: see _lib.bash
expect() { il_expect 20 "$@"; }
one_line() { il_one_line "$1" 'mbshake'; }

expect help 0 '^usage: mbshake COMMAND' '' -- "$MB" --help
grep -qE '^  (serve|connect|bench) ' "$out" && ! grep -qiE 'not implemented' "$out" &&
    il_ok help-lists-commands || il_fail help-lists-commands "command list" "$out"
for c in serve connect bench; do
    expect "help-$c" 0 "^usage: mbshake $c" '' -- "$MB" "$c" --help
    expect "help-$c-via-help" 0 "^usage: mbshake $c" '' -- "$MB" help "$c"
done
expect no-args 2 '' '^usage: mbshake' -- "$MB"
expect unknown-command 2 '' "^mbshake: unknown command 'frobnicate'" -- "$MB" frobnicate
one_line unknown-command-one-line
expect unknown-option 2 '' "^mbshake serve: unknown option '--frob'" -- "$MB" serve --frob
one_line unknown-option-one-line
expect missing-value 2 '' '^mbshake serve: --cert needs a value' -- "$MB" serve --cert
expect serve-needs-cert 2 '' '^mbshake serve: --cert FILE and --key FILE are required' -- "$MB" serve
expect serve-missing-cert 1 '' '^mbshake serve: cannot read --cert /nonexistent/c.pem: No such file or directory$' \
    -- "$MB" serve --cert /nonexistent/c.pem --key "$CERTS/ecdsa-p256.key"
one_line serve-missing-cert-one-line
expect serve-missing-key 1 '' '^mbshake serve: cannot read --key /nonexistent/k.pem: No such file or directory$' \
    -- "$MB" serve --cert "$CERTS/ecdsa-p256.pem" --key /nonexistent/k.pem
expect serve-garbage-cert 1 '' '^mbshake serve: ' -- "$MB" serve --cert /etc/hostname --key "$CERTS/ecdsa-p256.key"
one_line serve-garbage-cert-one-line
expect serve-key-mismatch 1 '' '^mbshake serve: ' -- "$MB" serve --cert "$CERTS/ecdsa-p256.pem" --key "$CERTS/rsa2048.key"
one_line serve-key-mismatch-one-line
expect serve-bad-listen 2 '' '^mbshake serve: --listen' -- "$MB" serve --cert "$CERTS/ecdsa-p256.pem" \
    --key "$CERTS/ecdsa-p256.key" --listen nonsense
expect serve-bad-suite 2 '' '^mbshake serve: --suites' -- "$MB" serve --cert "$CERTS/ecdsa-p256.pem" \
    --key "$CERTS/ecdsa-p256.key" --suites NO-SUCH-SUITE --listen 127.0.0.1:0
expect serve-bad-isa 1 '' '^mbshake serve: --isa bogus' -- "$MB" serve --cert "$CERTS/ecdsa-p256.pem" \
    --key "$CERTS/ecdsa-p256.key" --isa bogus
expect serve-bad-int 2 '' '^mbshake serve: --max-conns wants an integer' -- "$MB" serve --cert "$CERTS/ecdsa-p256.pem" \
    --key "$CERTS/ecdsa-p256.key" --max-conns=lots
expect connect-needs-target 2 '' '^mbshake connect: HOST:PORT is required' -- "$MB" connect --insecure
expect connect-needs-ca 2 '' '^mbshake connect: --ca FILE or --insecure is required' -- "$MB" connect 127.0.0.1:1
one_line connect-needs-ca-one-line
expect connect-missing-ca 1 '' '^mbshake connect: cannot read --ca /nonexistent/ca.pem: No such file or directory$' \
    -- "$MB" connect 127.0.0.1:1 --ca /nonexistent/ca.pem
expect connect-bad-target 2 '' '^mbshake connect: .*HOST:PORT' -- "$MB" connect no-port-here --insecure
expect connect-refused 1 '' '^mbshake connect: cannot connect to 127.0.0.1:1: Connection refused' \
    -- "$MB" connect 127.0.0.1:1 --ca "$CERTS/ca.pem"
one_line connect-refused-one-line
expect bench-bad-suite 2 '' '^mbshake bench: --suite' -- "$MB" bench --suite NO-SUCH-SUITE
expect bench-bad-duration 2 '' '^mbshake bench: --duration wants a number' -- "$MB" bench --duration soon
expect bench-bad-cert 2 '' '^mbshake bench: --cert' -- "$MB" bench --cert dsa1024

# ---- a server that survives bad peers ------------------------------------------------------
slog=$IL_TMP/serve.log
good_connect() { # NAME: a full verified handshake + GET against the running server
    expect "$1" 0 '^http: *HTTP/1.1 200 OK' '' -- "$MB" connect "127.0.0.1:$SERVE_PORT" \
        --ca "$CERTS/ca.pem" --servername localhost --timeout 10
}
# raw PEER-NAME BYTES(printf format): sends bytes on a plain TCP connection, then reads what the
# server answers (at most 2 s); the answer's first bytes (hex) go to $IL_TMP/raw
raw() {
    timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$SERVE_PORT"' || exit 1
        printf "'"$2"'" >&3; timeout 2 head -c 7 <&3 | od -An -tx1 | tr -d " \n"' >"$IL_TMP/raw" 2>/dev/null
}
if il_mbshake_serve "$slog" --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" \
    --handshake-timeout 1; then
    good_connect serve-first-connect
    # a Handshake record header announcing 5 bytes of nonsense: the answer is a fatal alert
    raw garbage '\x16\x03\x01\x00\x05hello'
    if grep -qE '^1503' "$IL_TMP/raw"; then il_ok serve-garbage-gets-alert
    else il_fail serve-garbage-gets-alert "answer: $(cat "$IL_TMP/raw")" "$slog"; fi
    il_wait_for "$slog" '^conn [0-9]+ peer 127\.0\.0\.1:[0-9]+: ' "$SERVE_PID" 2 &&
        il_ok serve-logs-bad-peer || il_fail serve-logs-bad-peer "no 'conn N peer ...' line" "$slog"
    good_connect serve-after-garbage
    raw plaintext 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
    good_connect serve-after-plaintext-http
    # random bytes, no record framing at all
    raw random "$(head -c 300 /dev/urandom | od -An -tx1 | tr -s ' \n' ' ' | sed 's/ \([0-9a-f][0-9a-f]\)/\\x\1/g')"
    good_connect serve-after-random-bytes
    # a silent peer holds a connection open while a good one completes (non-blocking server)
    exec 4<>"/dev/tcp/127.0.0.1/$SERVE_PORT"
    good_connect serve-concurrent-with-silent-peer
    # ... and the silent one is dropped by the 1 s handshake timeout
    if timeout 4 cat <&4 >/dev/null; then il_ok serve-handshake-timeout
    else il_fail serve-handshake-timeout "silent connection still open after 4 s" "$slog"; fi
    exec 4<&-
    # a peer that connects and leaves
    (exec 5<>"/dev/tcp/127.0.0.1/$SERVE_PORT") 2>/dev/null
    good_connect serve-after-vanishing-peer
    # echo of non-HTTP application data (through openssl s_client, when present); stdin stays
    # open a moment so the echo can come back before s_client closes; -nocommands: a line
    # starting with Q or R would make s_client quit or renegotiate
    if command -v openssl >/dev/null; then
        echo_through() { # INPUT-FILE OUTPUT-FILE SECONDS
            { cat "$1"; sleep "$3"; } | timeout 30 openssl s_client -connect "127.0.0.1:$SERVE_PORT" \
                -tls1_2 -CAfile "$CERTS/ca.pem" -servername localhost -quiet -no_ign_eof \
                -nocommands >"$2" 2>/dev/null
        }
        printf 'ping-mbshake\n' >"$IL_TMP/ping"
        echo_through "$IL_TMP/ping" "$IL_TMP/pong" 1
        cmp -s "$IL_TMP/ping" "$IL_TMP/pong" && il_ok serve-echo ||
            il_fail serve-echo "echo returned '$(head -c 100 "$IL_TMP/pong")'" "$slog"
        # 2 MB both ways at once: the server must apply back-pressure, not drop or stall
        head -c 1500000 /dev/urandom | base64 >"$IL_TMP/big"
        echo_through "$IL_TMP/big" "$IL_TMP/big.out" 3
        cmp -s "$IL_TMP/big" "$IL_TMP/big.out" && il_ok serve-echo-2MB ||
            il_fail serve-echo-2MB "echoed $(wc -c <"$IL_TMP/big.out") of $(wc -c <"$IL_TMP/big") bytes" "$slog"
    fi
    # many clients at once on the single-threaded loop
    pids=()
    for i in $(seq 1 16); do
        timeout 20 "$MB" connect "127.0.0.1:$SERVE_PORT" --ca "$CERTS/ca.pem" --servername localhost \
            >"$IL_TMP/par.$i" 2>&1 &
        pids+=($!)
    done
    nok=0
    for i in $(seq 1 16); do
        wait "${pids[$((i - 1))]}" && grep -q '^http: *HTTP/1.1 200 OK' "$IL_TMP/par.$i" && nok=$((nok + 1))
    done
    [ $nok -eq 16 ] && il_ok serve-16-concurrent-clients ||
        il_fail serve-16-concurrent-clients "$nok of 16 succeeded" "$slog"
    # the certificate's IP address is verified when the target is an IP literal
    expect connect-verifies-ip 0 '^verify: *ok .*IP address "127.0.0.1"' '' -- "$MB" connect \
        "127.0.0.1:$SERVE_PORT" --ca "$CERTS/ca.pem"
    expect connect-wrong-name 1 '' '^mbshake connect: handshake failed: .*certificate_unknown' -- \
        "$MB" connect "127.0.0.1:$SERVE_PORT" --ca "$CERTS/ca.pem" --servername other.example
    expect connect-unknown-ca 1 '' '^mbshake connect: handshake failed: .*unknown_ca' -- \
        "$MB" connect "127.0.0.1:$SERVE_PORT" --ca "$CERTS/selfsigned.pem" --servername localhost
    expect connect-insecure 0 '^verify: *SKIPPED' '' -- "$MB" connect "127.0.0.1:$SERVE_PORT" --insecure
    kill -TERM "$SERVE_PID"
    if timeout 5 tail --pid="$SERVE_PID" -f /dev/null; then
        wait "$SERVE_PID"; rc=$?
        if [ $rc -eq 0 ] && grep -qE 'handshakes ok, [0-9]+ failed' "$slog"; then il_ok serve-sigterm-stats
        else il_fail serve-sigterm-stats "rc=$rc" "$slog"; fi
    else
        il_fail serve-sigterm-stats "still running 5 s after SIGTERM" "$slog"
    fi
else
    il_fail serve-start "mbshake serve did not start" "$slog"
fi

# ---- port 0 prints the real port; a taken port is a one-line error ------------------------
slog=$IL_TMP/serve2.log
if il_mbshake_serve "$slog" --cert "$CERTS/rsa2048-chain.pem" --key "$CERTS/rsa2048.key"; then
    [ "$SERVE_PORT" -gt 0 ] && il_ok serve-port0-reports-port || il_fail serve-port0-reports-port "port '$SERVE_PORT'" "$slog"
    expect serve-port-in-use 1 '' '^mbshake serve: cannot listen on 127.0.0.1:[0-9]+: Address already in use' \
        -- "$MB" serve --cert "$CERTS/rsa2048-chain.pem" --key "$CERTS/rsa2048.key" --listen "127.0.0.1:$SERVE_PORT"
    il_stop "$SERVE_PID"
fi

# ---- --require-ems: a client without extended_master_secret is refused, others served -------
slog=$IL_TMP/serve3.log
if il_mbshake_serve "$slog" --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" --require-ems; then
    expect serve-require-ems-refuses 1 '' 'handshake_failure' -- "$MB" connect "127.0.0.1:$SERVE_PORT" \
        --ca "$CERTS/ca.pem" --servername localhost --no-ems
    il_wait_for "$slog" 'extended_master_secret' "$SERVE_PID" 2 && il_ok serve-require-ems-logged ||
        il_fail serve-require-ems-logged "no log line naming extended_master_secret" "$slog"
    good_connect serve-require-ems-serves-ems-clients
    il_stop "$SERVE_PID"
else
    il_fail serve-require-ems "mbshake serve did not start" "$slog"
fi

# ---- bench: a short run prints one row per suite and exits 0 ------------------------------
expect bench-short 0 '^ECDHE-ECDSA-AES128-GCM-SHA256 +x25519 +ecdsa-p256 +[0-9]+ ' '' -- \
    "$MB" bench --suite ECDHE-ECDSA-AES128-GCM-SHA256 --duration 0.2 --repeat 1 --engine mbshake --json "$IL_TMP/b1.json"
expect bench-rsa-kex 0 '^AES128-GCM-SHA256 +none +rsa2048 +[0-9]+ ' '' -- \
    "$MB" bench --suite AES128-GCM-SHA256 --duration 0.2 --repeat 1 --engine mbshake --json "$IL_TMP/b2.json"
il_done
