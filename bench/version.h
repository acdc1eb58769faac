/* version.h — the tool's version and the git state it was built from, written into results
 * files (docs/RESULTS.md) and printed by `mbshake --version`. The Makefile passes
 * MBSHAKE_GIT_COMMIT / MBSHAKE_GIT_DIRTY to the objects that include this; the fallbacks
 * serve a build without git. */
#ifndef MBSHAKE_VERSION_H
#define MBSHAKE_VERSION_H

#ifndef MBSHAKE_VERSION
#define MBSHAKE_VERSION "0.1.0"
#endif
#ifndef MBSHAKE_GIT_COMMIT
#define MBSHAKE_GIT_COMMIT "unknown"
#endif
#ifndef MBSHAKE_GIT_DIRTY
#define MBSHAKE_GIT_DIRTY 0
#endif

#endif
