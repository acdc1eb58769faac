/* err.c — alert names and error strings (see err.h) */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

_Thread_local const char *eng_trace_file;
_Thread_local int eng_trace_line;

/* see err.h */
const char *eng_alert_name(int a)
{
    static _Thread_local char buf[32];
    switch (a) {
    case ALERT_CLOSE_NOTIFY: return "close_notify";
    case ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
    case ALERT_BAD_RECORD_MAC: return "bad_record_mac";
    case ALERT_RECORD_OVERFLOW: return "record_overflow";
    case ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
    case ALERT_BAD_CERTIFICATE: return "bad_certificate";
    case ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
    case ALERT_CERTIFICATE_REVOKED: return "certificate_revoked";
    case ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
    case ALERT_CERTIFICATE_UNKNOWN: return "certificate_unknown";
    case ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
    case ALERT_UNKNOWN_CA: return "unknown_ca";
    case ALERT_ACCESS_DENIED: return "access_denied";
    case ALERT_DECODE_ERROR: return "decode_error";
    case ALERT_DECRYPT_ERROR: return "decrypt_error";
    case ALERT_PROTOCOL_VERSION: return "protocol_version";
    case ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
    case ALERT_INTERNAL_ERROR: return "internal_error";
    case ALERT_INAPPROPRIATE_FALLBACK: return "inappropriate_fallback";
    case ALERT_USER_CANCELED: return "user_canceled";
    case ALERT_NO_RENEGOTIATION: return "no_renegotiation";
    case ALERT_UNSUPPORTED_EXTENSION: return "unsupported_extension";
    case ALERT_UNRECOGNIZED_NAME: return "unrecognized_name";
    default: snprintf(buf, sizeof buf, "alert(%d)", a); return buf;
    }
}

/* see err.h */
const char *eng_strerror(int e)
{
    static _Thread_local char buf[160];
    if (e >= 0) return "no error";
    if (e == ENG_E_CLOSED) return "peer closed the connection (close_notify)";
    if (ENG_IS_PEER(e)) {
        snprintf(buf, sizeof buf, "peer sent fatal alert %s", eng_alert_name(-e & 0xff));
    } else if (ENG_IS_ALERT(e)) {
        snprintf(buf, sizeof buf, "sent fatal alert %s", eng_alert_name(-e & 0xff));
    } else {
        snprintf(buf, sizeof buf, "internal error %d (sent internal_error)", -e & 0xff);
    }
    return buf;
}

/* see err.h */
void eng_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
