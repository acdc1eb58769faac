# tools/_servers.bash — starting the servers that tools/net-compare.sh and
# tools/rate-stability.sh measure: `mbshake serve` and nginx, each with one worker pinned to one
# PU, the same ECDSA P-256 chain and suite (ECDHE-ECDSA-AES128-GCM-SHA256, x25519).
# Source it with MB, NGINX, CERTS and T (a scratch directory) set. Each start sets SPID and
# PORT, or prints why and returns 1.

# start_mbshake PU [extra serve options]
start_mbshake() {
    local cpu=$1; shift
    taskset -c "$cpu" "$MB" serve --cert "$CERTS/ecdsa-p256-chain.pem" --key "$CERTS/ecdsa-p256.key" \
        --suites ECDHE-ECDSA-AES128-GCM-SHA256 --groups x25519 --threads 1 --cpus "$cpu" --quiet \
        --listen 127.0.0.1:0 "$@" 2>"$T/serve.log" &
    SPID=$! PORT=
    for _ in $(seq 100); do
        PORT=$(sed -nE 's/.*listening on 127\.0\.0\.1:([0-9]+).*/\1/p' "$T/serve.log" | head -n 1)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "mbshake serve did not start:" >&2; cat "$T/serve.log" >&2
    return 1
}

# start_nginx PU CONNECTIONS: one worker process, no master, TLS 1.2 only, no session reuse
start_nginx() {
    local cpu=$1 conns=${2:-0} nd=$T/nginx
    [ "$conns" -gt 2016 ] || conns=2016 # worker_connections at least 2048
    mkdir -p "$nd"
    SPID=
    for _ in 1 2 3 4 5; do
        PORT=$((20000 + RANDOM % 30000))
        cat >"$nd/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1; worker_rlimit_nofile $((conns * 2 + 64));
pid $nd/nginx.pid; error_log $nd/error.log;
events { worker_connections $((conns + 32)); }
http {
    access_log off;
    client_body_temp_path $nd/cb; proxy_temp_path $nd/p; fastcgi_temp_path $nd/f;
    uwsgi_temp_path $nd/u; scgi_temp_path $nd/s;
    server {
        listen 127.0.0.1:$PORT ssl;
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
        taskset -c "$cpu" "$NGINX" -e "$nd/error.log" -p "$nd" -c "$nd/nginx.conf" 2>"$T/nginx.err" &
        SPID=$!
        wait_port "$PORT" && kill -0 "$SPID" 2>/dev/null && return 0
        kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null || true; SPID=
        grep -q 'Address already in use' "$nd/error.log" || break
    done
    echo "nginx did not start:" >&2; cat "$nd/error.log" "$T/nginx.err" >&2
    return 1
}

# stop_server: the server started last
stop_server() { [ -n "${SPID:-}" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null || true; }; SPID=; }

wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
