#!/usr/bin/env bash
# tests/run.sh — runs every test in the suite and ends with "N passed, N failed[, N skipped]".
#   unit/KAT/xval binaries:  $BUILD/tests/test_*      (each prints "RESULT: p passed, f failed, s skipped")
#   scripts:                 tests/ct/*.sh, tests/interop/*.sh, tests/fuzz/smoke.sh (same RESULT protocol)
# A binary or script that exits non-zero without a RESULT line counts as one failure.
# MBSHAKE_TESTS=pattern runs only the matching ones.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
pass=0; fail=0; skip=0; failed_names=()
logdir=$BUILD/test-logs; mkdir -p "$logdir"
export MBSHAKE_CERTS=${MBSHAKE_CERTS:-$PWD/$BUILD/certs}
tests/gen-certs.sh "$MBSHAKE_CERTS" || { echo "tests/gen-certs.sh failed"; echo "0 passed, 1 failed"; exit 1; }

run_one() { # name, command...
    local name=$1; shift
    if [ -n "${MBSHAKE_TESTS:-}" ] && [[ "$name" != *${MBSHAKE_TESTS}* ]]; then return; fi
    local log=$logdir/$(basename "$name").log t0=$SECONDS
    "$@" >"$log" 2>&1; local rc=$?
    local line; line=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        local p f s
        p=$(sed -E 's/^RESULT: ([0-9]+) passed.*/\1/' <<<"$line")
        f=$(sed -E 's/^RESULT: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
        s=$(sed -nE 's/.*, ([0-9]+) skipped.*/\1/p' <<<"$line"); s=${s:-0}
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    else
        p=0; f=1; s=0
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    local status=ok; [ "$f" -ne 0 ] && { status=FAILED; failed_names+=("$name"); }
    printf '%-34s %-6s %4d passed %3d failed %3d skipped  (%ds)\n' "$(basename "$name")" "$status" "$p" "$f" "$s" $((SECONDS - t0))
    grep -E '^ *(SKIPPED|UNAVAILABLE|.* UNAVAILABLE)' "$log" | sed 's/^/    /' | head -n 20
    if [ "$f" -ne 0 ]; then sed 's/^/    | /' "$log" | grep -v '^    | ok ' | tail -n 40; fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    case "$t" in *.o|*.d) continue ;; esac
    run_one "$t" "$t"
done
for s in tests/ct/*.sh tests/interop/*.sh tests/fuzz/*.sh; do
    [ -f "$s" ] || continue
    run_one "$s" bash "$s"
done

[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
