#!/usr/bin/env bash
# tests/fuzz/smoke.sh — runs every libFuzzer target (build/fuzz/fuzz_*) for FUZZ_TIME seconds
# (default 8: the smoke run inside `make test`; `make fuzz` runs longer), starting from the
# checked-in seed corpus tests/fuzz/corpus/<target>/ copied to a scratch directory. A crash, leak,
# timeout or sanitizer report fails the target; the reproducer is kept in build/fuzz/artifacts/.
set -u
cd "$(dirname "$0")/../.."
T=${FUZZ_TIME:-8}
pass=0; fail=0; skip=0
if [ -n "${MBSHAKE_SAN:-}" ]; then
    echo "  SKIPPED: the fuzz targets already run under ASan+UBSan in the plain 'make test'"
    echo "RESULT: 0 passed, 0 failed, 1 skipped"; exit 0
fi
: "${MBSHAKE_CERTS:?MBSHAKE_CERTS must point at tests/gen-certs.sh output}"
mkdir -p build/fuzz/artifacts
for f in build/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    work=$(mktemp -d)
    [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
    log=build/fuzz/$name.log
    "$f" -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix=build/fuzz/artifacts/"$name"- "$work" >"$log" 2>&1; rc=$?
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    if [ $rc -eq 0 ]; then
        echo "ok $name (${T}s, ${execs:-?} executions, corpus $(ls "$work" | wc -l))"; pass=$((pass + 1))
    else
        echo "not ok $name (rc=$rc)"; grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -n 10; fail=$((fail + 1))
    fi
    rm -rf "$work"
done
[ $((pass + fail)) -eq 0 ] && { echo "not ok: no fuzz targets were built (make fuzz-build)"; fail=1; }
echo "RESULT: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
