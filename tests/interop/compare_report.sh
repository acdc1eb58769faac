#!/usr/bin/env bash
# tests/interop/compare_report.sh — `mbshake compare` and `mbshake report` on synthetic results
# files written here by python3 to docs/RESULTS.md (schema mbshake-results/1): a clear throughput
# regression with tight spreads (exit 1, names the metric), a change within noise (exit 0),
# --threshold and --metric, unmatched runs, a file from a different machine (machine differences
# and per-GHz figures), bad input (exit 2, one line), --json; report on a file with thread and
# inflight sweeps (report.md, a PNG and an SVG per chart), on two machines (the cross-machine
# chart), and without gnuplot on PATH (one line pointing at `make deps`).
. "$(dirname "$0")/_lib.bash"
[ -x "$MB" ] || il_skip_all compare-report "$MB not built (make all)"
command -v python3 >/dev/null || il_skip_all compare-report "python3 not installed"
D=$IL_TMP out=$IL_TMP/out err=$IL_TMP/err

python3 - "$D" <<'PY' || { il_fail gen-synthetic "python3 generator failed"; il_done; }
import json, random, sys
d = sys.argv[1]
QS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0]
FLIGHTS = ["server_hello_flight", "client_kx_flight", "server_finished_flight",
           "client_finished", "handshake"]

def stat(center, rng, spread, R=5):
    vals = [center * (1 + rng.uniform(-spread, spread)) for _ in range(R)]
    s = sorted(vals)
    mean = sum(vals) / R
    sd = (sum((v - mean) ** 2 for v in vals) / (R - 1)) ** 0.5
    return {"median": s[R // 2], "min": s[0], "max": s[-1], "mean": mean, "stdev": sd,
            "n": R, "values": vals}

def machine(kind):
    m = {"hostname": "hostA", "cpu_model": "AMD EPYC 9R45 (synthetic)", "vendor": "AuthenticAMD",
         "family": 26, "model": 2, "stepping": 1,
         "flags": ["avx2", "bmi2", "adx", "aes", "vaes", "vpclmulqdq", "sha"],
         "cores": 2, "pus": 2, "numa_nodes": 1, "packages": 1,
         "caches_kib": {"l1d": 48, "l2": 1024, "l3": 32768},
         "tsc_hz": 2100000000, "core_hz_measured": 3200000000,
         "kernel": "Linux 6.1.0 x86_64", "compiler": "gcc 12.2.0",
         "libraries": {"openssl": "3.0.19", "ipsec_mb": "1.3.0", "hwloc": "2.9.0"}}
    if kind == "B":
        m.update({"hostname": "hostB", "cpu_model": "Intel Xeon 8375C (synthetic)",
                  "vendor": "GenuineIntel", "family": 6, "model": 106, "stepping": 6,
                  "flags": ["avx2", "bmi2", "adx", "aes", "vaes", "vpclmulqdq", "sha",
                            "avx512f", "avx512ifma"],
                  "tsc_hz": 2900000000, "core_hz_measured": 2900000000, "cores": 4, "pus": 8})
    return m

def run(engine, threads, inflight, rng, spread, tput_scale=1.0, lat_scale=1.0, extra=None):
    base = (9000.0 if engine == "mbshake" else 3000.0) * threads * (1 + inflight / 256.0)
    hs = base * tput_scale
    cpu = 1e6 / (hs / threads) / 2
    p = {}
    cdf = {}
    for i, fl in enumerate(FLIGHTS):
        l50 = (20.0 + 5 * i + inflight * 2.0) * lat_scale
        p[fl] = {"p50": stat(l50, rng, spread), "p90": stat(l50 * 1.5, rng, spread),
                 "p99": stat(l50 * 2, rng, spread), "p999": stat(l50 * 3, rng, spread),
                 "max": stat(l50 * 5, rng, spread)}
        cdf[fl] = [[q, l50 * (0.5 + 2.5 * q ** 3)] for q in QS]
    r = {"engine": engine, "suite": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
         "suite_openssl": "ECDHE-ECDSA-AES128-GCM-SHA256", "group": "x25519",
         "cert": "ecdsa-p256", "threads": threads, "inflight": inflight, "verify": "full",
         "max_wait_us": 200,
         "handshakes": stat(hs * 2, rng, spread), "seconds": stat(2.0, rng, 0.001),
         "handshakes_per_sec": stat(hs, rng, spread),
         "handshakes_per_sec_per_core": stat(hs / threads, rng, spread),
         "server_cpu_us_per_hs": stat(cpu, rng, spread),
         "client_cpu_us_per_hs": stat(cpu, rng, spread),
         "cycles_per_hs": stat(cpu * 2 * 3200, rng, spread),
         "server_cycles_per_hs": stat(cpu * 3200, rng, spread),
         "client_cycles_per_hs": stat(cpu * 3200, rng, spread),
         "latency_us": p, "latency_cdf_us": cdf, "failures": 0}
    if engine == "mbshake":
        r["occupancy"] = {"x25519_keygen": stat(min(inflight, 8), rng, spread)}
    if engine == "mbshake" and threads == 2:   # per-slice-pair ratios, as bench --engine both
        r["vs_openssl"] = {"handshakes_per_sec": {"median": 2.5, "min": 2.4, "max": 2.6, "n": 2,
                                                  "values": [2.4, 2.6]}}
    if extra:
        r.update(extra)
    return r

def results(kind, seed, spread=0.005, tput_scale=1.0, lat_scale=1.0, more_runs=()):
    rng = random.Random(seed)
    runs = []
    for eng in ("mbshake", "openssl"):
        for t in (1, 2):                    # --sweep threads at inflight 64
            runs.append(run(eng, t, 64, rng, spread,
                            tput_scale if eng == "mbshake" else 1.0, lat_scale))
        for n in (1, 16):                   # --sweep inflight at 1 thread (plus 64 above)
            runs.append(run(eng, 1, n, rng, spread,
                            tput_scale if eng == "mbshake" else 1.0, lat_scale))
    runs += [run(*a, rng=rng, spread=spread) for a in more_runs]
    return {"schema": "mbshake-results/1",
            "tool": {"name": "mbshake", "version": "0.1.0", "git_commit": "abc1234",
                     "git_dirty": False},
            "created_utc": "2026-11-29T23:50:00Z", "command": "mbshake bench (synthetic)",
            "machine": machine(kind),
            "config": {"engines": ["mbshake", "openssl"],
                       "suites": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
                       "groups": ["x25519"], "cert": "ecdsa-p256", "threads": [1, 2],
                       "inflight": [1, 16, 64], "max_wait_us": 200, "duration_s": 2,
                       "warmup_s": 0.5, "repeat": 5, "verify": "full", "isa": "auto",
                       "sweep": "threads,inflight"},
            "runs": runs}

def dump(name, obj):
    with open(f"{d}/{name}", "w") as f:
        json.dump(obj, f, indent=1)

dump("base.json", results("A", 1))
dump("regress.json", results("A", 2, tput_scale=0.8))          # mbshake -20 % throughput
dump("noise.json", results("A", 3, spread=0.01))               # same figures, other noise
dump("slowlat.json", results("A", 4, lat_scale=1.3))           # latency +30 %, throughput same
dump("extra.json", results("A", 5, more_runs=[("mbshake", 4, 64)]))
dump("machineB.json", results("B", 6, tput_scale=0.7))  # slower machine
one = results("A", 7)
for r in one["runs"]:                                          # a single repetition
    for k, v in list(r.items()):
        if isinstance(v, dict) and "values" in v:
            v["values"] = v["values"][:1]; v["n"] = 1
dump("single.json", one)
with open(f"{d}/bad.json", "w") as f:
    f.write('{"schema": "mbshake-results/1", "runs": [ {"engine": ')
dump("wrongschema.json", {"schema": "something-else/3", "runs": []})
dump("nokey.json", {"schema": "mbshake-results/1", "runs": [{"engine": "mbshake"}]})
PY

# expect NAME RC STDOUT-REGEX STDERR-REGEX -- CMD... and one_line NAME: see _lib.bash
expect() { il_expect 20 "$@"; }
one_line() { il_one_line "$1" 'mbshake'; }

# ---- compare ----
expect compare-help 0 '^usage: mbshake compare .*BASE.json NEW.json' '' -- "$MB" compare --help
grep -q "Welch" "$out" && grep -q -- '--threshold' "$out" && grep -q -- '--metric' "$out" &&
    il_ok compare-help-documents-ci || il_fail compare-help-documents-ci "no CI method/options" "$out"
expect compare-help-via-help 0 '^usage: mbshake compare' '' -- "$MB" help compare
expect top-help-lists 0 '^  compare .*' '' -- "$MB" --help
grep -qE '^  report ' "$out" && il_ok top-help-lists-report || il_fail top-help-lists-report "" "$out"

expect compare-regression 1 'handshakes_per_sec .*-(19|20|21)\.[0-9]%.*REGRESSION' '' \
    -- "$MB" compare "$D/base.json" "$D/regress.json"
grep -qE '^Machine: same machine' "$out" && il_ok compare-says-same-machine ||
    il_fail compare-says-same-machine "no 'same machine' line" "$out"
sed -n '/^[0-9]* REGRESSION/,$p' "$out" | grep -qE '^ +handshakes_per_sec -[0-9.]+% .*: mbshake ' && il_ok compare-summary-names-metric ||
    il_fail compare-summary-names-metric "summary lacks the metric" "$out"
! sed -n '/^[0-9]* REGRESSION/,$p' "$out" | grep -q ': openssl ' &&
    il_ok compare-openssl-unchanged || il_fail compare-openssl-unchanged "openssl runs flagged" "$out"
! grep -q 'per_ghz' "$out" && il_ok compare-same-machine-no-per-ghz ||
    il_fail compare-same-machine-no-per-ghz "per-GHz lines for one machine" "$out"

expect compare-noise 0 'No significant regression beyond 5%' '' \
    -- "$MB" compare "$D/base.json" "$D/noise.json"
expect compare-self 0 'No significant regression' '' -- "$MB" compare "$D/base.json" "$D/base.json"
# -20 % throughput is +25 % CPU per handshake: both under 30 %
expect compare-threshold-30 0 'No significant regression beyond 30%' '' \
    -- "$MB" compare --threshold 30 "$D/base.json" "$D/regress.json"
expect compare-metric-filter 0 'latency_us\.handshake\.p99' '' \
    -- "$MB" compare "$D/base.json" "$D/regress.json" --metric latency_us.handshake
! grep -qE '^ +handshakes_per_sec ' "$out" && il_ok compare-metric-filter-hides ||
    il_fail compare-metric-filter-hides "unselected metric shown" "$out"
expect compare-latency-regression 1 'latency_us\.handshake\.p99 .*REGRESSION' '' \
    -- "$MB" compare "$D/base.json" "$D/slowlat.json" --metric 'latency_us.*.p99' --metric=cycles_per_hs
expect compare-metric-unknown 2 '' "^mbshake compare: --metric 'bogus' matches no metric" \
    -- "$MB" compare "$D/base.json" "$D/regress.json" --metric bogus
expect compare-unmatched 0 'Runs only in new \(1\)' '' -- "$MB" compare "$D/base.json" "$D/extra.json"
grep -qE '^ +mbshake .* threads=4 ' "$out" && il_ok compare-unmatched-lists-run ||
    il_fail compare-unmatched-lists-run "run not listed" "$out"
expect compare-single-rep 0 'n/a' '' -- "$MB" compare "$D/base.json" "$D/single.json"

expect compare-machines 1 '^Machines differ' '' -- "$MB" compare "$D/base.json" "$D/machineB.json"
grep -qE '^ +cpu_model +AMD EPYC.*Intel Xeon' "$out" && grep -qE '^ +flags \(only here\) .*avx512ifma' "$out" &&
    il_ok compare-machine-fields || il_fail compare-machine-fields "cpu_model/flags differences" "$out"
grep -qE '^ +handshakes_per_sec_per_core_per_ghz ' "$out" && grep -qE '^ +handshakes_per_sec_per_core ' "$out" &&
    il_ok compare-per-ghz || il_fail compare-per-ghz "per-core and per-GHz lines" "$out"
expect compare-machines-metric 0 'per_core_per_ghz' '' \
    -- "$MB" compare "$D/base.json" "$D/machineB.json" --metric latency_us.handshake.p50
awk '/^Machines differ/{m=1} /^Run:/{if(!m) bad=1} END{exit bad}' "$out" &&
    il_ok compare-machines-first || il_fail compare-machines-first "machine differences after runs" "$out"

expect compare-json 1 '' '' -- "$MB" compare "$D/base.json" "$D/regress.json" "$D/noise.json" --json "$D/cmp.json"
python3 - "$D/cmp.json" <<'PY' && il_ok compare-json-content || il_fail compare-json-content "JSON content" "$D/cmp.json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == "mbshake-compare/1" and len(j["comparisons"]) == 2
assert j["comparisons"][0]["regressions"] > 0 and j["comparisons"][1]["regressions"] == 0
r = j["regressions"][0]
assert r["metric"] == "handshakes_per_sec" or r["metric"].startswith("handshakes_per_sec")
assert r["ci95_high_pct"] < 0 and r["delta_pct"] < -15 and r["run"]["engine"] == "mbshake"
m = j["comparisons"][0]["runs"][0]["metrics"][0]
assert {"base_median", "new_median", "delta_pct", "ci95_low_pct", "significant"} <= set(m)
PY

expect compare-bad-json 2 '' '^mbshake compare: .*bad\.json: not valid JSON' -- "$MB" compare "$D/base.json" "$D/bad.json"
one_line compare-bad-json-one-line
expect compare-wrong-schema 2 '' "^mbshake compare: .*unsupported schema 'something-else/3'" \
    -- "$MB" compare "$D/wrongschema.json" "$D/base.json"
one_line compare-wrong-schema-one-line
expect compare-no-key 2 '' '^mbshake compare: .*runs\[0\] lacks' -- "$MB" compare "$D/base.json" "$D/nokey.json"
expect compare-missing-file 2 '' '^mbshake compare: cannot read /nonexistent.json: No such file' \
    -- "$MB" compare "$D/base.json" /nonexistent.json
one_line compare-missing-file-one-line
expect compare-one-file 2 '' '^mbshake compare: needs BASE.json and at least one NEW.json' \
    -- "$MB" compare "$D/base.json"
expect compare-bad-threshold 2 '' '^mbshake compare: --threshold wants a number' \
    -- "$MB" compare --threshold lots "$D/base.json" "$D/base.json"

# ---- report ----
expect report-help 0 '^usage: mbshake report' '' -- "$MB" report --help
grep -q 'gnuplot' "$out" && il_ok report-help-mentions-gnuplot || il_fail report-help-mentions-gnuplot "" "$out"
expect report-no-files 2 '' '^mbshake report: needs at least one results file' -- "$MB" report
expect report-bad-json 2 '' '^mbshake report: .*bad\.json: not valid JSON' -- "$MB" report "$D/bad.json" --out "$D/rbad"
one_line report-bad-json-one-line

if ! command -v gnuplot >/dev/null; then
    il_skip report-charts "gnuplot not installed (make deps)"
else
    R=$D/rep
    expect report-sweeps 0 "^wrote $R/report.md" '' -- "$MB" report "$D/base.json" --out "$R"
    want="threads inflight cdf-handshake cdf-server_hello_flight cdf-client_kx_flight cdf-server_finished_flight cdf-client_finished"
    missing=""
    for p in $want; do
        for e in png svg; do [ -s "$R/$p.$e" ] || missing+=" $p.$e"; done
        grep -qF "($p.png)" "$R/report.md" || missing+=" md:$p"
    done
    [ -z "$missing" ] && il_ok report-sweep-charts || il_fail report-sweep-charts "missing:$missing" "$R/report.md"
    head -c 8 "$R/threads.png" | od -An -c | grep -q 'P   N   G' && grep -q '<svg' "$R/threads.svg" &&
        il_ok report-files-are-png-svg || il_fail report-files-are-png-svg "not PNG/SVG"
    grep -q '^## Machine' "$R/report.md" && grep -q '^## Runs' "$R/report.md" &&
        grep -qE '^\| ECDHE-ECDSA-AES128-GCM-SHA256 \| x25519 .*\| [0-9.]+ \|' "$R/report.md" &&
        grep -q 'Skipped: only one file' "$R/report.md" &&
        il_ok report-md-content || il_fail report-md-content "sections/ratios/skip note" "$R/report.md"
    # mbshake/openssl ratio at 1 thread, inflight 64: 3.00 in the synthetic data, give or take the noise
    grep -qE '^\| ECDHE-ECDSA-AES128-GCM-SHA256 \| x25519 \| ecdsa-p256 \| 1 \| 64 \| full \| [0-9]+ \| [0-9]+ \| (2\.9[5-9]|3\.0[0-5]) \|' "$R/report.md" &&
        il_ok report-ratio || il_fail report-ratio "mbshake/openssl ratio row" "$R/report.md"
    grep -qE '^\| ECDHE-ECDSA-AES128-GCM-SHA256 \| x25519 \| ecdsa-p256 \| 2 \| 64 \| full \| [0-9]+ \| [0-9]+ \| 2\.50 \(2\.40-2\.60\)' "$R/report.md" &&
        il_ok report-ratio-pairs || il_fail report-ratio-pairs "vs_openssl ratio row" "$R/report.md"

    R2=$D/rep2
    expect report-two-machines 0 "^wrote $R2/report.md" '' -- "$MB" report "$D/base.json" "$D/machineB.json" --out "$R2"
    [ -s "$R2/machines.png" ] && [ -s "$R2/machines.svg" ] && [ -s "$R2/f2-threads.png" ] &&
        grep -qF '(machines.png)' "$R2/report.md" && grep -q 'different machines' "$R2/report.md" &&
        il_ok report-machines-chart || il_fail report-machines-chart "machines chart" "$R2/report.md"

fi
# report without sweep data: a file whose runs have no sweep and no CDF
python3 - "$D" <<'PY'
import json, sys
d = sys.argv[1]
j = json.load(open(f"{d}/base.json"))
j["runs"] = [r for r in j["runs"] if r["threads"] == 1 and r["inflight"] == 64]
for r in j["runs"]:
    del r["latency_cdf_us"]
json.dump(j, open(f"{d}/flat.json", "w"))
PY
if command -v gnuplot >/dev/null; then
    R4=$D/rep4
    expect report-no-sweeps 0 "^wrote $R4/report.md" '' -- "$MB" report "$D/flat.json" --out "$R4"
    [ "$(grep -c '^Skipped: ' "$R4/report.md")" -eq 8 ] && [ ! -e "$R4/threads.png" ] &&
        il_ok report-skips-charts || il_fail report-skips-charts "want 8 skipped charts" "$R4/report.md"
fi
expect report-no-gnuplot 1 '' '^mbshake report: gnuplot not found .*make deps' \
    -- env PATH=/nonexistent "$MB" report "$D/base.json" --out "$D/rep5"
one_line report-no-gnuplot-one-line
il_done
