/* err.h — one integer error space that carries the TLS alert (RFC 5246 §7.2).
 *
 * 0 / positive values are statuses (see eng.h). Negative values are errors:
 *   ENG_E_ALERT(a)    fatal: we send alert a (low byte) and close.
 *   ENG_E_PEER(a)     the peer sent fatal alert a: we send nothing.
 *   ENG_E_INTERNAL(n) our own failure (resource, bug): we send internal_error(80).
 *   ENG_E_CLOSED      the peer sent close_notify.
 * ENG_TRACE records the first failing file:line in a thread-local for log lines. */
#ifndef MBSHAKE_ERR_H
#define MBSHAKE_ERR_H

#include <stddef.h>

#define ENG_E_ALERT(a) (-(0x100 | (a)))
#define ENG_E_PEER(a) (-(0x200 | (a)))
#define ENG_E_INTERNAL(n) (-(0x400 | (n)))
#define ENG_E_CLOSED (-0x800)

#define ENG_IS_ALERT(e) ((e) < 0 && ((-(e)) & 0x100))
#define ENG_IS_PEER(e) ((e) < 0 && ((-(e)) & 0x200))
/* The alert WE send for error e; -1 for none (peer alert, close_notify received). */
#define ENG_ALERT_OF(e) (ENG_IS_ALERT(e) ? ((-(e)) & 0xff) : ((ENG_IS_PEER(e) || (e) == ENG_E_CLOSED) ? -1 : 80))

/* RFC 5246 §7.2 AlertDescription (plus RFC 5746/7507 additions) */
enum {
    ALERT_CLOSE_NOTIFY = 0,
    ALERT_UNEXPECTED_MESSAGE = 10,
    ALERT_BAD_RECORD_MAC = 20,
    ALERT_RECORD_OVERFLOW = 22,
    ALERT_HANDSHAKE_FAILURE = 40,
    ALERT_BAD_CERTIFICATE = 42,
    ALERT_UNSUPPORTED_CERTIFICATE = 43,
    ALERT_CERTIFICATE_REVOKED = 44,
    ALERT_CERTIFICATE_EXPIRED = 45,
    ALERT_CERTIFICATE_UNKNOWN = 46,
    ALERT_ILLEGAL_PARAMETER = 47,
    ALERT_UNKNOWN_CA = 48,
    ALERT_ACCESS_DENIED = 49,
    ALERT_DECODE_ERROR = 50,
    ALERT_DECRYPT_ERROR = 51,
    ALERT_PROTOCOL_VERSION = 70,
    ALERT_INSUFFICIENT_SECURITY = 71,
    ALERT_INTERNAL_ERROR = 80,
    ALERT_INAPPROPRIATE_FALLBACK = 86,
    ALERT_USER_CANCELED = 90,
    ALERT_NO_RENEGOTIATION = 100,
    ALERT_UNSUPPORTED_EXTENSION = 110,
    ALERT_UNRECOGNIZED_NAME = 112,
};

#define ENG_E_DECODE ENG_E_ALERT(ALERT_DECODE_ERROR)
#define ENG_E_ILLEGAL_PARAM ENG_E_ALERT(ALERT_ILLEGAL_PARAMETER)
#define ENG_E_UNEXPECTED ENG_E_ALERT(ALERT_UNEXPECTED_MESSAGE)
#define ENG_E_HS_FAILURE ENG_E_ALERT(ALERT_HANDSHAKE_FAILURE)
#define ENG_E_BAD_RECORD_MAC ENG_E_ALERT(ALERT_BAD_RECORD_MAC)
#define ENG_E_DECRYPT ENG_E_ALERT(ALERT_DECRYPT_ERROR)
#define ENG_E_OVERFLOW ENG_E_ALERT(ALERT_RECORD_OVERFLOW)
#define ENG_E_VERSION ENG_E_ALERT(ALERT_PROTOCOL_VERSION)
#define ENG_E_NOMEM ENG_E_INTERNAL(1)
#define ENG_E_CRYPTO ENG_E_INTERNAL(2)
#define ENG_E_STATE ENG_E_INTERNAL(3)

/* Name of an alert ("handshake_failure"); "unknown(NNN)" style for others (static buffer per thread). */
const char *eng_alert_name(int alert);
/* One-line description of an error code, naming the alert and the failing place when traced. */
const char *eng_strerror(int err);
/* The (char *err, size_t errlen) convention of set-up calls (configuration, keys): formats the
 * message into err; nothing when err is NULL or errlen is 0. */
void eng_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

extern _Thread_local const char *eng_trace_file;
extern _Thread_local int eng_trace_line;
#define ENG_TRACE(e)                                                                               \
    do {                                                                                           \
        if (!eng_trace_file) {                                                                     \
            eng_trace_file = __FILE__;                                                             \
            eng_trace_line = __LINE__;                                                             \
        }                                                                                          \
    } while (0)

#define GUARD(x)                                                                                   \
    do {                                                                                           \
        int r_ = (x);                                                                              \
        if (r_ < 0) {                                                                              \
            ENG_TRACE(r_);                                                                         \
            return r_;                                                                             \
        }                                                                                          \
    } while (0)
/* ENSURE(cond, err): protocol check; returns err (traced) when cond is false. */
#define ENSURE(c, e)                                                                               \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            ENG_TRACE(e);                                                                          \
            return (e);                                                                            \
        }                                                                                          \
    } while (0)

#endif
