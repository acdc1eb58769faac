/* cpulist.c — see cpulist.h */
#include "cpulist.h"

#include <stdlib.h>
#include <string.h>

/* see cpulist.h */
int cpulist_parse(const char *s, int *out, int cap)
{
    int n = 0;
    if (!*s) return -1;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 0 || a > 1 << 20) return -1;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a || b > 1 << 20) return -1;
            s = end;
        }
        for (long i = a; i <= b; i++) {
            if (n == cap) return -1;
            out[n++] = (int)i;
        }
        if (*s == ',') s++;
        else if (*s) return -1;
    }
    return n;
}

/* see cpulist.h */
int cpulist_threads(const char *s, int all_n, int max)
{
    if (!strcmp(s, "all")) return all_n >= 1 && all_n <= max ? all_n : -1;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > max) return -1;
    return (int)v;
}
