/* cpulist.h — "--cpus 0,2-3" lists (taskset numbering) and "--threads N|all", shared by the
 * network commands (serve, load). */
#ifndef MBSHAKE_CPULIST_H
#define MBSHAKE_CPULIST_H

/* "0,2-3" -> PU OS indices in out[0..cap). Count, or -1 when malformed or longer than cap. */
int cpulist_parse(const char *s, int *out, int cap);
/* "N" (1..max) or "all" (= all_n). The count, or -1 when malformed or out of range. */
int cpulist_threads(const char *s, int all_n, int max);

#endif
