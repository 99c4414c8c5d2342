/*
 * Instants as text: the one ISO-8601 formatter. Liveline keeps every time as
 * UTC seconds since the epoch (int64_t); wherever one is written for a machine
 * (JSON, feeds, the audit trail, `datetime` attributes, the log) it is this
 * form, "2025-02-17T10:37:00Z" (RFC 3339's profile of ISO 8601, always UTC).
 *
 * Time 0 is the epoch, an instant like any other: this function writes it as
 * "1970-01-01T00:00:00Z". The model's convention that 0 means "not set" (a
 * token never revoked, a post never corrected) is the caller's to apply, and
 * model_json_time() is where the JSON documents apply it (null).
 */
#ifndef LIVELINE_UTIL_TIME_H
#define LIVELINE_UTIL_TIME_H

#include <stdint.h>

/* Room for any year gmtime() can give (ISO-8601 "+YYYYY..." is never written). */
#define TIME_ISO_SIZE 32

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into out and returns 0; -1 with out set to
 * "" if t is out of the range the C library can break down. */
int time_iso(int64_t t, char out[TIME_ISO_SIZE]);

#endif
