/* ct.h (tests) — ctgrind markers: secrets become "undefined" for memcheck, so any branch or
 * address computed from them is reported. Results are declassified before they are compared. */
#ifndef MBSHAKE_TESTS_CT_H
#define MBSHAKE_TESTS_CT_H
#include <valgrind/memcheck.h>
#define CT_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define CT_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#endif
