/*
 * Time zones, through ICU: instants are stored as UTC seconds since the epoch and
 * shown in a page's IANA zone with the zone's own names for that instant
 * ("Greenwich Mean Time" in winter, "British Summer Time" in summer). No zone table
 * of ours: ICU's data is maintained with the tz database.
 */
#ifndef LIVELINE_TZ_H
#define LIVELINE_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "util/time.h"

/* How a time is shown: all strings NUL-terminated, UTF-8. */
struct tz_view {
	char hm[8];           /* "10:37" */
	char zone_short[32];  /* "GMT", "BST", "CET", "GMT-5" */
	char zone_long[96];   /* "Greenwich Mean Time" */
	char day_month[48];   /* "17 February" */
	char iso[TIME_ISO_SIZE]; /* "2025-02-17T10:37:00Z" (UTC): time_iso() */
	int year, month, day; /* the local date; month 1..12 */
	int hour, minute;
};

/* Returns 1 if `zone` is an IANA zone ICU knows ("Europe/London", "UTC"), else 0. */
int tz_valid(const char *zone) __attribute__((warn_unused_result));

/* Fills `out` for instant `t` shown in `zone`. Returns 0, or -1 if the zone is
 * unknown or ICU fails. */
int tz_view(const char *zone, int64_t t, struct tz_view *out)
	__attribute__((warn_unused_result));

/* Opens what tz_view() needs for `zone` now rather than on its first use: the
 * first zone of a process loads ICU's data (about 1 ms here), which a worker
 * should not pay in its first request after a start. Returns 0, or -1 if the
 * zone is unknown or ICU fails. */
int tz_prepare(const char *zone);

/* Converts a local wall time in `zone` to UTC seconds. A wall time that happens
 * twice (autumn) has two answers: `later` = 0 picks the first, 1 the second.
 * Returns 0, or -1 if the zone is unknown, the fields are out of range, or the
 * time does not exist in that zone (the spring gap). */
int tz_local_to_utc(const char *zone, int year, int month, int day, int hour,
		    int minute, int later, int64_t *out) __attribute__((warn_unused_result));

/* Month number (1..12) for an English month name ("February"), or 0. */
int tz_month_from_name(const char *name, size_t len);

/* Parses an ISO 8601 instant ("2025-02-17T10:37:00Z", "2025-02-17T10:37+01:00",
 * "2025-02-17T10:37:00.5Z"); a time without an offset is read in `zone`.
 * Returns 0 or -1. */
int tz_parse_iso(const char *s, const char *zone, int64_t *out)
	__attribute__((warn_unused_result));

#endif
