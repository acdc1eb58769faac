/* tlsio.h — glue between an eng_conn and a byte stream, shared by serve and connect: feeding
 * received bytes (running parked crypto inline), and names for what eng_conn_info reports. */
#ifndef MBSHAKE_TLSIO_H
#define MBSHAKE_TLSIO_H

#include <stddef.h>
#include <stdint.h>

#include "eng.h"

/* Feeds buf[0..*len) to c, running every parked public-key operation inline with eng_op_run,
 * until the engine needs more input or fails. Consumed bytes are removed from the front of buf
 * (*len shrinks). Returns the last eng_feed status or error. */
int tlsio_pump(eng_conn *c, uint8_t *buf, size_t *len);
/* SignatureScheme name (RFC 8446 §4.2.3 spelling), "none" for 0, "0x%04x" otherwise. */
const char *tlsio_sigalg_name(uint16_t s);
/* "TLSv1.2" for 0x0303, etc. */
const char *tlsio_version_name(uint16_t v);

#endif
