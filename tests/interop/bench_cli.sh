#!/usr/bin/env bash
# tests/interop/bench_cli.sh — `mbshake bench`: --help, one-line usage errors (exit 2), a short
# --engine both run whose results file follows docs/RESULTS.md (keys and types checked with
# python3), one run per point for --sweep inflight / threads, --verify cached, no progress line
# when stdout is not a terminal, and sane figures. Short slices (0.2 s, 2 repetitions): about
# 25 s in all.
. "$(dirname "$0")/_lib.bash"
il_need_basics bench_cli
out=$IL_TMP/out err=$IL_TMP/err
SHORT=(--duration 0.2 --warmup 0.05 --repeat 2 --threads 1 --inflight 16)

# expect NAME RC STDOUT-REGEX STDERR-REGEX -- CMD... and one_line NAME: see _lib.bash
expect() { il_expect 60 "$@"; }
one_line() { il_one_line "$1" 'mbshake bench: '; }

expect help 0 '^usage: mbshake bench' '' -- "$MB" bench --help
for o in suite group cert threads cpus inflight max-wait-us duration warmup repeat isa engine \
         json sweep verify quiet; do
    grep -qE -- "^  --$o( |$)" "$out" || il_fail "help-$o" "--$o missing from --help" "$out"
done

bad() { # NAME STDERR-REGEX ARGS...
    local name=$1 re=$2; shift 2
    expect "bad-$name" 2 '' "$re" -- "$MB" bench "$@"
    one_line "bad-$name-one-line"
}
bad engine '^mbshake bench: --engine' --engine gnutls
bad verify '^mbshake bench: --verify' --verify sometimes
bad sweep '^mbshake bench: --sweep' --sweep cores
bad threads '^mbshake bench: --threads' --threads 0
bad threads-many '^mbshake bench: --threads' --threads 100000
bad cpus '^mbshake bench: --cpus' --cpus 1-0
bad inflight '^mbshake bench: --inflight' --inflight 0
bad repeat '^mbshake bench: --repeat' --repeat 0
bad suite '^mbshake bench: --suite' --suite NO-SUCH-SUITE
bad group '^mbshake bench: --group' --group ffdhe2048
bad cert-fit '^mbshake bench: no suite fits' --suite ECDHE-ECDSA-AES128-GCM-SHA256 --cert rsa2048
bad unknown '^mbshake bench: unknown option' --frobnicate

# the results file: required keys and types, one run per engine, sane figures
check_json() { # FILE RUNS [REQUIRE_RATIO]
    python3 - "$@" <<'EOF'
import json, sys
path, want_runs = sys.argv[1], int(sys.argv[2])
ratio = len(sys.argv) > 3
d = json.load(open(path))
errs = []
def need(obj, key, typ, where):
    if not isinstance(obj, dict) or key not in obj:
        errs.append(f"{where}: missing {key}"); return None
    v = obj[key]
    if typ is float: ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    else: ok = isinstance(v, typ) and not (typ is int and isinstance(v, bool))
    if not ok: errs.append(f"{where}.{key}: {type(v).__name__}, want {typ.__name__}")
    return v
def stat(obj, key, where):
    s = need(obj, key, dict, where)
    if s is None: return None
    for k in ("median", "min", "max", "mean", "stdev"): need(s, k, float, f"{where}.{key}")
    n = need(s, "n", int, f"{where}.{key}"); v = need(s, "values", list, f"{where}.{key}")
    if isinstance(v, list) and n is not None and len(v) != n: errs.append(f"{where}.{key}: {len(v)} values, n={n}")
    if s.get("min", 0) > s.get("median", 0) or s.get("median", 0) > s.get("max", 0): errs.append(f"{where}.{key}: min/median/max out of order")
    return s
if d.get("schema") != "mbshake-results/1": errs.append("schema")
t = need(d, "tool", dict, "top")
if t: need(t, "name", str, "tool"); need(t, "version", str, "tool"); need(t, "git_commit", str, "tool"); need(t, "git_dirty", bool, "tool")
need(d, "created_utc", str, "top"); need(d, "command", str, "top")
m = need(d, "machine", dict, "top")
if m:
    for k, ty in (("hostname", str), ("cpu_model", str), ("vendor", str), ("family", int), ("model", int),
                  ("stepping", int), ("flags", list), ("cores", int), ("pus", int), ("numa_nodes", int),
                  ("packages", int), ("caches_kib", dict), ("tsc_hz", float), ("core_hz_measured", float),
                  ("kernel", str), ("compiler", str), ("libraries", dict)):
        need(m, k, ty, "machine")
    for k in ("openssl", "ipsec_mb", "hwloc"): need(m.get("libraries", {}), k, str, "machine.libraries")
    if m.get("tsc_hz", 0) < 1e8 or m.get("core_hz_measured", 0) < 1e8: errs.append("machine: clock rates not measured")
c = need(d, "config", dict, "top")
if c:
    for k, ty in (("engines", list), ("suites", list), ("groups", list), ("cert", str), ("threads", list),
                  ("inflight", list), ("max_wait_us", float), ("duration_s", float), ("warmup_s", float),
                  ("repeat", int), ("verify", str), ("isa", str), ("impl", dict)):
        need(c, k, ty, "config")
    if "sweep" not in c: errs.append("config: missing sweep")
    for k in ("x25519", "p256", "sym", "rsa"): need(c.get("impl", {}), k, str, "config.impl")
runs = need(d, "runs", list, "top") or []
if len(runs) != want_runs: errs.append(f"{len(runs)} runs, want {want_runs}")
for i, r in enumerate(runs):
    w = f"runs[{i}]"
    for k, ty in (("engine", str), ("suite", str), ("suite_openssl", str), ("group", str), ("cert", str),
                  ("threads", int), ("inflight", int), ("verify", str), ("max_wait_us", float), ("failures", int)):
        need(r, k, ty, w)
    for k in ("handshakes", "seconds", "handshakes_per_sec", "handshakes_per_sec_per_core", "server_cpu_us_per_hs",
              "client_cpu_us_per_hs", "cycles_per_hs", "server_cycles_per_hs", "client_cycles_per_hs"):
        stat(r, k, w)
    lat = need(r, "latency_us", dict, w) or {}
    for f in ("server_hello_flight", "server_finished_flight", "client_kx_flight", "client_finished", "handshake"):
        q = need(lat, f, dict, w + ".latency_us") or {}
        for p in ("p50", "p90", "p99", "p999", "max"): stat(q, p, f"{w}.latency_us.{f}")
        cdf = need(need(r, "latency_cdf_us", dict, w) or {}, f, list, w + ".latency_cdf_us") or []
        if not cdf or any(not (isinstance(x, list) and len(x) == 2) for x in cdf): errs.append(f"{w}: bad cdf {f}")
    if r.get("engine") == "mbshake":
        occ = need(r, "occupancy", dict, w) or {}
        if not occ: errs.append(f"{w}: empty occupancy")
        for k in occ: stat(occ, k, w + ".occupancy")
        bat = need(r, "batches", dict, w) or {}
        if set(bat) != set(occ): errs.append(f"{w}: batches kinds {sorted(bat)} != occupancy kinds {sorted(occ)}")
        for k, b in bat.items():
            if not isinstance(b, dict) or any(not isinstance(b.get(x), int) for x in
                    ("calls", "ops", "full", "deadline", "forced", "narrow", "failed")):
                errs.append(f"{w}.batches.{k}: counters missing"); continue
            # every lane-set run is full, deadline or forced; narrow runs are partial ones
            if b["calls"] != b["full"] + b["deadline"] + b["forced"]: errs.append(f"{w}.batches.{k}: calls != full+deadline+forced")
            if b["narrow"] > b["deadline"] + b["forced"]: errs.append(f"{w}.batches.{k}: narrow > partial runs")
            if not 0 < b["calls"] <= b["ops"]: errs.append(f"{w}.batches.{k}: ops {b['ops']} < calls {b['calls']}")
        if ratio:
            v = need(r, "vs_openssl", dict, w) or {}
            for k in ("handshakes_per_sec", "server_cpu_us_per_hs", "client_cpu_us_per_hs"): stat(v, k, w + ".vs_openssl")
    elif r.get("engine") != "openssl": errs.append(f"{w}: engine {r.get('engine')}")
    # sane figures
    if r.get("failures", 1) != 0: errs.append(f"{w}: failures {r.get('failures')}")
    if min(r["handshakes"]["values"] or [0]) <= 0: errs.append(f"{w}: a slice without handshakes")
    for k in ("server_cpu_us_per_hs", "client_cpu_us_per_hs"):
        if min(r[k]["values"] or [0]) <= 0: errs.append(f"{w}: {k} not > 0")
    if r["handshakes_per_sec"]["median"] <= 0: errs.append(f"{w}: hs/s")
    if r["latency_us"]["handshake"]["p50"]["median"] <= 0: errs.append(f"{w}: latency")
for e in errs[:12]: print("   ", e)
sys.exit(1 if errs else 0)
EOF
}
json_case() { # NAME FILE RUNS [ratio]
    local name=$1; shift
    if [ -f "$1" ] && check_json "$@" >"$IL_TMP/py" 2>&1; then il_ok "$name"
    else il_fail "$name" "results file $1 does not follow docs/RESULTS.md" "$IL_TMP/py" "$out" "$err"; fi
}

J=$IL_TMP/both.json
expect both 0 'results: ' '' -- "$MB" bench --engine both --suite ECDHE-ECDSA-AES128-GCM-SHA256 \
    "${SHORT[@]}" --json "$J"
json_case both-json "$J" 2 ratio
grep -qE 'ratio mbshake/openssl' "$out" && il_ok both-ratio-printed || il_fail both-ratio-printed "no ratio line" "$out"
grep -qE '^kernels: x25519=' "$out" && grep -qE '^machine: ' "$out" && il_ok header ||
    il_fail header "no kernels/machine header" "$out"
# not a terminal: no carriage-return progress updates
if grep -q $'\r' "$out"; then il_fail no-progress-pipe "progress line written to a pipe" "$out"
else il_ok no-progress-pipe; fi

J=$IL_TMP/inflight.json
expect sweep-inflight 0 '' '' -- "$MB" bench --engine mbshake --suite ECDHE-ECDSA-AES128-GCM-SHA256 \
    --sweep inflight --duration 0.2 --warmup 0.4 --repeat 1 --threads 1 --json "$J" --quiet
json_case sweep-inflight-json "$J" 9
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"]; sys.exit([x["inflight"] for x in r] != [1,2,4,8,16,32,64,128,256])' "$J" \
    && il_ok sweep-inflight-points || il_fail sweep-inflight-points "inflight points are not 1,2,..,256"

cores=$(python3 -c 'import os; print(len(os.sched_getaffinity(0)))')
J=$IL_TMP/threads.json
expect sweep-threads 0 '' '' -- "$MB" bench --engine openssl --suite AES128-GCM-SHA256 --sweep threads \
    --threads all --duration 0.1 --warmup 0.02 --repeat 2 --inflight 8 --json "$J"
if [ -f "$J" ] && python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"]; sys.exit([x["threads"] for x in r] != list(range(1, len(r)+1)) or len(r) < 1)' "$J"; then
    il_ok sweep-threads-points
else il_fail sweep-threads-points "threads points are not 1..N ($cores CPUs here)" "$out"; fi
# the points of a sweep run in alternating slice rounds; each N-thread run carries its
# per-round speedup over the 1-thread run
if [ "$cores" -ge 2 ]; then
    if python3 - "$J" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
for r in runs:
    s = r.get("speedup_vs_1_thread")
    if r["threads"] == 1: assert s is None, "1-thread run with a speedup"
    else:
        assert s and s["n"] == 2 and len(s["values"]) == 2, "speedup missing or not per round"
        for j, v in enumerate(s["values"]):
            want = r["handshakes_per_sec"]["values"][j] / runs[0]["handshakes_per_sec"]["values"][j]
            assert abs(v - want) < 1e-6 * want, f"round {j}: speedup {v} != {want}"
EOF
    then il_ok sweep-threads-speedup; else il_fail sweep-threads-speedup "speedup_vs_1_thread wrong" "$J"; fi
    grep -qE '^  openssl 2 threads / 1 thread, per slice round, median \(min-max\): hs/s [0-9.]+' "$out" &&
        il_ok sweep-threads-speedup-row || il_fail sweep-threads-speedup-row "no speedup row" "$out"
else
    il_skip sweep-threads-speedup "one CPU here: no 2-thread point"
fi

J=$IL_TMP/cached.json
expect verify-cached 0 '' '' -- "$MB" bench --engine both --suite ECDHE-RSA-AES128-GCM-SHA256 --verify cached \
    "${SHORT[@]}" --json "$J"
json_case verify-cached-json "$J" 2 ratio
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not all(r["verify"]=="cached" for r in d["runs"]) or d["config"]["verify"]!="cached")' "$J" \
    && il_ok verify-cached-recorded || il_fail verify-cached-recorded "verify mode not recorded"

# a terminal: the progress line appears (script(1) gives the command a pty)
if command -v script >/dev/null; then
    script -qec "$MB bench --engine mbshake --suite AES128-GCM-SHA256 --duration 0.1 --warmup 0 --repeat 2 --threads 1 --inflight 4 --json $IL_TMP/tty.json" /dev/null >"$out" 2>&1 </dev/null
    grep -q $'\r.*\\[point 1/1\\] slice' "$out" && il_ok progress-on-tty || il_fail progress-on-tty "no progress line on a terminal" "$out"
else
    il_skip progress-on-tty "script(1) not installed"
fi
il_done
