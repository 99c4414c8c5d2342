/*
 * Time zones through ICU: see tz.h. Formatting uses the en_GB locale, whose
 * short names are the ones British readers know (GMT, BST, CET) and whose long
 * names match the seed capture ("Greenwich Mean Time").
 *
 * Opening an ICU date format loads locale and zone data: four of them and a
 * calendar per tz_view() were most of the cost of rendering a post (measured:
 * ICU was a third of a worker's time while posts were published, and a page
 * of 20 posts took ~4 ms to render). So the formats and the calendar of the
 * last few zones used are kept open, behind a lock (ICU formats are not safe
 * to share between threads unguarded).
 */
#include "util/tz.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/ustring.h>

#define TZ_LOCALE "en_GB"
#define TZ_MAX_ZONE 64
#define TZ_CACHED_ZONES 4 /* a site's pages use one or two zones */
/* Answers kept per zone. Four ICU formats cost ~20 us per instant, and a post's
 * time is shown again at every render of its page, its event, text form and
 * feeds: a page of 20 posts renders with 20 lookups instead. */
#define TZ_MEMO_BITS 6
#define TZ_MEMO (1u << TZ_MEMO_BITS)

enum { TZ_HM, TZ_SHORT, TZ_LONG, TZ_DAY_MONTH, TZ_N_FORMATS };

static const char *const tz_patterns[TZ_N_FORMATS] = {
	[TZ_HM] = "HH:mm", [TZ_SHORT] = "z", [TZ_LONG] = "zzzz", [TZ_DAY_MONTH] = "d MMMM",
};

/* A past answer: the same instant in the same zone always reads the same
 * (ICU's data does not change under a running process). */
struct tz_memo {
	int64_t t;
	int used;
	struct tz_view view;
};

/* One zone's open formats, and its last answers by instant; in use when `cal`
 * is set. */
struct tz_zone {
	char name[TZ_MAX_ZONE];
	UDateFormat *fmt[TZ_N_FORMATS];
	UCalendar *cal;
	struct tz_memo memo[TZ_MEMO];
};

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz_zone tz_zones[TZ_CACHED_ZONES]; /* guarded by tz_lock */
static unsigned tz_next_slot;                     /* guarded by tz_lock */

static int tz_uzone(const char *zone, UChar *out, size_t cap)
{
	size_t n = zone ? strlen(zone) : 0;

	if (n == 0 || n >= cap || n >= TZ_MAX_ZONE)
		return -1;
	u_uastrncpy(out, zone, (int32_t)cap);
	return 0;
}

int tz_valid(const char *zone)
{
	UChar uz[TZ_MAX_ZONE], canon[TZ_MAX_ZONE];
	UErrorCode e = U_ZERO_ERROR;
	UBool system;

	if (tz_uzone(zone, uz, TZ_MAX_ZONE) < 0)
		return 0;
	ucal_getCanonicalTimeZoneID(uz, -1, canon, TZ_MAX_ZONE, &system, &e);
	return U_SUCCESS(e) && system;
}

static void tz_zone_close(struct tz_zone *z)
{
	for (int i = 0; i < TZ_N_FORMATS; i++)
		if (z->fmt[i])
			udat_close(z->fmt[i]);
	if (z->cal)
		ucal_close(z->cal);
	memset(z, 0, sizeof(*z));
}

/* The open formats of `zone`, opened (in place of the least recently opened
 * zone's) on first use; NULL if the zone is unknown or ICU fails. Called with
 * tz_lock held. */
static struct tz_zone *tz_zone_get(const char *zone)
{
	UErrorCode e = U_ZERO_ERROR;
	UChar uz[TZ_MAX_ZONE], upat[32];
	struct tz_zone *z;

	for (int i = 0; i < TZ_CACHED_ZONES; i++)
		if (tz_zones[i].cal && strcmp(tz_zones[i].name, zone) == 0)
			return &tz_zones[i];
	if (!tz_valid(zone) || tz_uzone(zone, uz, TZ_MAX_ZONE) < 0)
		return NULL;
	z = &tz_zones[tz_next_slot++ % TZ_CACHED_ZONES];
	tz_zone_close(z);
	for (int i = 0; i < TZ_N_FORMATS; i++) {
		u_uastrncpy(upat, tz_patterns[i], 32);
		z->fmt[i] = udat_open(UDAT_PATTERN, UDAT_PATTERN, TZ_LOCALE, uz, -1, upat, -1, &e);
	}
	z->cal = ucal_open(uz, -1, TZ_LOCALE, UCAL_GREGORIAN, &e);
	if (U_FAILURE(e)) {
		tz_zone_close(z);
		return NULL;
	}
	snprintf(z->name, sizeof(z->name), "%s", zone);
	return z;
}

/* Formats the time `cal` is set to with an open format, into UTF-8. Formatting
 * a calendar rather than a UDate spares ICU a copy of its own calendar and
 * time zone per call (udat_format clones them: half its time, measured). */
static int tz_format(const UDateFormat *df, UCalendar *cal, char *out, size_t cap)
{
	UErrorCode e = U_ZERO_ERROR;
	UChar res[128];
	int32_t n;

	n = udat_formatCalendar(df, cal, res, 128, NULL, &e);
	if (U_FAILURE(e) || n >= 128)
		return -1;
	e = U_ZERO_ERROR;
	u_strToUTF8(out, (int32_t)cap, NULL, res, n, &e);
	return U_SUCCESS(e) && e != U_STRING_NOT_TERMINATED_WARNING ? 0 : -1;
}

int tz_prepare(const char *zone)
{
	int rc;

	if (!zone || strlen(zone) >= TZ_MAX_ZONE)
		return -1;
	pthread_mutex_lock(&tz_lock);
	rc = tz_zone_get(zone) ? 0 : -1;
	pthread_mutex_unlock(&tz_lock);
	return rc;
}

int tz_view(const char *zone, int64_t t, struct tz_view *out)
{
	UErrorCode e = U_ZERO_ERROR;
	double ms = (double)t * 1000.0;
	struct tz_memo *memo;
	struct tz_zone *z;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!zone || strlen(zone) >= TZ_MAX_ZONE)
		return -1;
	pthread_mutex_lock(&tz_lock);
	z = tz_zone_get(zone);
	if (!z)
		goto out;
	/* Fibonacci hashing: consecutive instants spread over the slots. */
	memo = &z->memo[((uint64_t)t * 0x9e3779b97f4a7c15u) >> (64 - TZ_MEMO_BITS)];
	if (memo->used && memo->t == t) {
		*out = memo->view;
		rc = 0;
		goto out;
	}
	ucal_setMillis(z->cal, ms, &e);
	if (U_FAILURE(e) || tz_format(z->fmt[TZ_HM], z->cal, out->hm, sizeof(out->hm)) < 0 ||
	    tz_format(z->fmt[TZ_SHORT], z->cal, out->zone_short, sizeof(out->zone_short)) < 0 ||
	    tz_format(z->fmt[TZ_LONG], z->cal, out->zone_long, sizeof(out->zone_long)) < 0 ||
	    tz_format(z->fmt[TZ_DAY_MONTH], z->cal, out->day_month, sizeof(out->day_month)) < 0)
		goto out;
	out->year = ucal_get(z->cal, UCAL_YEAR, &e);
	out->month = ucal_get(z->cal, UCAL_MONTH, &e) + 1;
	out->day = ucal_get(z->cal, UCAL_DATE, &e);
	out->hour = ucal_get(z->cal, UCAL_HOUR_OF_DAY, &e);
	out->minute = ucal_get(z->cal, UCAL_MINUTE, &e);
	if (U_SUCCESS(e) && time_iso(t, out->iso) == 0) {
		memo->t = t;
		memo->used = 1;
		memo->view = *out;
		rc = 0;
	}
out:
	pthread_mutex_unlock(&tz_lock);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int tz_local_to_utc(const char *zone, int year, int month, int day, int hour,
		    int minute, int later, int64_t *out)
{
	UChar uz[TZ_MAX_ZONE];
	UErrorCode e = U_ZERO_ERROR;
	UCalendar *cal;
	UDate ms;
	int ok;

	if (!tz_valid(zone) || tz_uzone(zone, uz, TZ_MAX_ZONE) < 0)
		return -1;
	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 ||
	    hour < 0 || hour > 23 || minute < 0 || minute > 59)
		return -1;
	cal = ucal_open(uz, -1, TZ_LOCALE, UCAL_GREGORIAN, &e);
	if (U_FAILURE(e))
		return -1;
	/* Non-lenient: 31 February and times in the spring gap are errors, not
	 * quietly moved to another day or hour. */
	ucal_setAttribute(cal, UCAL_LENIENT, 0);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME,
			  later ? UCAL_WALLTIME_LAST : UCAL_WALLTIME_FIRST);
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_clear(cal);
	ucal_setDateTime(cal, year, month - 1, day, hour, minute, 0, &e);
	ms = ucal_getMillis(cal, &e);
	ok = U_SUCCESS(e);
	if (ok) {
		/* A wall time in the spring gap reads back as another hour. */
		ok = ucal_get(cal, UCAL_HOUR_OF_DAY, &e) == hour &&
		     ucal_get(cal, UCAL_MINUTE, &e) == minute && U_SUCCESS(e);
	}
	ucal_close(cal);
	if (!ok)
		return -1;
	*out = (int64_t)(ms / 1000.0);
	return 0;
}

int tz_month_from_name(const char *name, size_t len)
{
	static const char *months[] = { "January", "February", "March", "April", "May",
					"June", "July", "August", "September", "October",
					"November", "December" };

	for (int i = 0; i < 12; i++)
		if (strlen(months[i]) == len && memcmp(months[i], name, len) == 0)
			return i + 1;
	return 0;
}

int tz_parse_iso(const char *s, const char *zone, int64_t *out)
{
	int y, mo, d, h, mi, sec = 0, n = 0, oh, om;
	int64_t t;
	const char *p;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
	    n != 16)
		return -1;
	p = s + n;
	if (*p == ':') {
		if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
			return -1;
		sec = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == '.') /* fractions of a second are dropped */
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (sec > 59)
		return -1;
	if (*p == '\0') {
		if (tz_local_to_utc(zone, y, mo, d, h, mi, 0, &t) < 0)
			return -1;
		*out = t + sec;
		return 0;
	}
	if (tz_local_to_utc("UTC", y, mo, d, h, mi, 0, &t) < 0)
		return -1;
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*out = t + sec;
		return 0;
	}
	if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':' &&
	    sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh < 24 && om < 60) {
		int64_t off = (int64_t)oh * 3600 + om * 60;
		*out = t + sec - (p[0] == '+' ? off : -off);
		return 0;
	}
	return -1;
}
