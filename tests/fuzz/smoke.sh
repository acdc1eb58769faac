#!/usr/bin/env bash
# tests/fuzz/smoke.sh — runs every libFuzzer target (build/fuzz/fuzz_*, `make fuzz-build`) for
# FUZZ_TIME seconds each (default 7: the smoke run inside `make test`; `make fuzz` runs longer),
# one at a time, and replays the minimised reproducers of past findings.
#   corpus: the checked-in seeds tests/fuzz/corpus/<target>/ plus fresh ones written by
#           build/fuzz/mkseeds from real handshakes with the current $MBSHAKE_CERTS (the
#           checked-in ones carry signatures and chains of the PKI they were made with), copied
#           to scratch space: the checked-in corpus never changes here.
#   regress: every file in tests/fuzz/regress/<target>/ must run clean.
#   dictionary: tests/fuzz/tls.dict (record and handshake headers, code points, DER bits).
#   FUZZ_KEEP=DIR: keep each target's grown corpus in DIR/<target>/ (to resume or measure).
# A crash, leak, timeout (-timeout=10 per input), sanitizer report or engine-contract abort
# fails the target; its reproducer is kept in build/fuzz/artifacts/ and its log in
# build/fuzz/logs/. One line per target with libFuzzer's final numbers (executions,
# executions/s, coverage; also in build/fuzz/logs/stats.txt), then a RESULT line. Logs are
# written in scratch space first: several runs at once (two `make test`) do not mix them.
set -u
cd "$(dirname "$0")/../.."
T=${FUZZ_TIME:-7}
pass=0; fail=0; skip=0
if [ -n "${MBSHAKE_SAN:-}" ]; then
    echo "  SKIPPED: the fuzz targets already run under ASan+UBSan in the plain 'make test'"
    echo "RESULT: 0 passed, 0 failed, 1 skipped"; exit 0
fi
: "${MBSHAKE_CERTS:?MBSHAKE_CERTS must point at tests/gen-certs.sh output}"
# UBSan findings are fatal (the instrumented build compiles its checks recoverable), leaks too.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
mkdir -p build/fuzz/artifacts build/fuzz/logs
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [ -x build/fuzz/mkseeds ]; then
    if build/fuzz/mkseeds "$scratch/seeds" >"$scratch/mkseeds.log" 2>&1; then
        echo "ok mkseeds ($(tail -n 1 "$scratch/mkseeds.log"))"; pass=$((pass + 1))
    else
        echo "not ok mkseeds: a real handshake failed or the generator crashed"
        tail -n 20 "$scratch/mkseeds.log"; fail=$((fail + 1))
    fi
fi

stats=$scratch/stats.txt
: > "$stats"
for f in build/fuzz/fuzz_*; do
    [ -x "$f" ] && [ -f "$f" ] || continue
    name=$(basename "$f")
    # reproducers of past findings: each must now run clean
    if [ -d "tests/fuzz/regress/$name" ] && [ -n "$(ls -A "tests/fuzz/regress/$name")" ]; then
        rlog=$scratch/$name.regress.log
        if "$f" -timeout=10 -rss_limit_mb=2048 tests/fuzz/regress/"$name"/* >"$rlog" 2>&1; then
            echo "ok $name regressions ($(ls "tests/fuzz/regress/$name" | wc -l) inputs)"
            pass=$((pass + 1))
        else
            echo "not ok $name regressions (log build/fuzz/logs/$name.regress.log)"
            grep -aE 'Running:|ERROR|SUMMARY' "$rlog" | head -n 10
            cp "$rlog" build/fuzz/logs/; fail=$((fail + 1))
        fi
    fi
    work=$scratch/$name
    mkdir -p "$work"
    [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
    [ -d "$scratch/seeds/$name" ] && cp -r "$scratch/seeds/$name/." "$work/"
    log=$scratch/$name.log
    "$f" -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict=tests/fuzz/tls.dict -artifact_prefix=build/fuzz/artifacts/"$name"- "$work" \
        >"$log" 2>&1; rc=$?
    execs=$(grep -a '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -a '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
    cov=$(grep -aE '^#[0-9]+' "$log" | tail -n 1 |
        sed -nE 's/.* cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/cov \1, ft \2, corpus \3/p')
    line="$name ${T}s: ${execs:-?} executions, ${rate:-?}/s, ${cov:-cov ?}"
    echo "$line" >> "$stats"
    if [ $rc -eq 0 ]; then
        echo "ok $line"; pass=$((pass + 1))
    else
        echo "not ok $name (rc=$rc, log build/fuzz/logs/$name.log)"
        grep -aE 'ERROR|SUMMARY|contract violated|Test unit written' "$log" | head -n 10
        fail=$((fail + 1))
    fi
    cp "$log" build/fuzz/logs/
    if [ -n "${FUZZ_KEEP:-}" ]; then
        mkdir -p "$FUZZ_KEEP/$name" && cp -r "$work/." "$FUZZ_KEEP/$name/"
    fi
    rm -rf "$work"
done
cp "$stats" build/fuzz/logs/stats.txt
if [ $((pass + fail)) -eq 0 ]; then
    echo "not ok: no fuzz targets were built (make fuzz-build)"; fail=1
fi
echo "RESULT: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
