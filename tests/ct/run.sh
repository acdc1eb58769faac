#!/usr/bin/env bash
# tests/ct/run.sh — the constant-time check (ctgrind method): every $BUILD/tests/ct_* program
# marks its secrets undefined with VALGRIND_MAKE_MEM_UNDEFINED and runs the secret paths under
# memcheck; any branch or memory index that depends on a secret is reported as a use of an
# uninitialised value, and the run fails. valgrind cannot execute AVX-512, and under valgrind
# CPUID hides it, so this covers scalar and AVX2 kernels (the IFMA kernels get a timing test).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
pass=0; fail=0; skip=0
if [ -n "${MBSHAKE_SAN:-}" ]; then
    echo "  SKIPPED: valgrind cannot run sanitizer builds; the plain 'make test' runs this check"
    echo "RESULT: 0 passed, 0 failed, 1 skipped"; exit 0
fi
if ! command -v valgrind >/dev/null; then
    echo "  SKIPPED: valgrind not installed (make deps installs it)"
    echo "RESULT: 0 passed, 0 failed, 1 skipped"; exit 0
fi
for t in "$BUILD"/tests/ct_*; do
    case "$t" in *.o|*.d) continue ;; esac
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$(valgrind --tool=memcheck --error-exitcode=99 --track-origins=yes -q "$t" 2>&1); rc=$?
    echo "$out" | sed 's/^/    /' | grep -E 'UNAVAILABLE|SKIPPED|RESULT|FAIL|Conditional|uninitialised|at 0x|by 0x' | head -n 40
    if [ $rc -eq 0 ] && echo "$out" | grep -q '^RESULT: [1-9][0-9]* passed, 0 failed'; then
        echo "ok $name"; pass=$((pass + 1))
    else
        echo "not ok $name (valgrind rc=$rc)"; fail=$((fail + 1))
    fi
done
echo "RESULT: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
