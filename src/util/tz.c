/*
 * Time zones through ICU: see tz.h. Formatting uses the en_GB locale, whose
 * short names are the ones British readers know (GMT, BST, CET) and whose long
 * names match the seed capture ("Greenwich Mean Time").
 */
#include "util/tz.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/ustring.h>

#define TZ_LOCALE "en_GB"
#define TZ_MAX_ZONE 64

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

/* Formats `ms` in `zone` with an ICU pattern into UTF-8. */
static int tz_format(const UChar *uz, const char *pattern, double ms, char *out,
		     size_t cap)
{
	UErrorCode e = U_ZERO_ERROR;
	UChar upat[32], res[128];
	UDateFormat *df;
	int32_t n;

	u_uastrncpy(upat, pattern, 32);
	df = udat_open(UDAT_PATTERN, UDAT_PATTERN, TZ_LOCALE, uz, -1, upat, -1, &e);
	if (U_FAILURE(e))
		return -1;
	n = udat_format(df, ms, res, 128, NULL, &e);
	udat_close(df);
	if (U_FAILURE(e) || n >= 128)
		return -1;
	e = U_ZERO_ERROR;
	u_strToUTF8(out, (int32_t)cap, NULL, res, n, &e);
	return U_SUCCESS(e) && e != U_STRING_NOT_TERMINATED_WARNING ? 0 : -1;
}

int tz_view(const char *zone, int64_t t, struct tz_view *out)
{
	UChar uz[TZ_MAX_ZONE];
	UErrorCode e = U_ZERO_ERROR;
	double ms = (double)t * 1000.0;
	UCalendar *cal;
	struct tm tm;
	time_t tt = (time_t)t;

	memset(out, 0, sizeof(*out));
	if (!tz_valid(zone) || tz_uzone(zone, uz, TZ_MAX_ZONE) < 0)
		return -1;
	if (tz_format(uz, "HH:mm", ms, out->hm, sizeof(out->hm)) < 0 ||
	    tz_format(uz, "z", ms, out->zone_short, sizeof(out->zone_short)) < 0 ||
	    tz_format(uz, "zzzz", ms, out->zone_long, sizeof(out->zone_long)) < 0 ||
	    tz_format(uz, "d MMMM", ms, out->day_month, sizeof(out->day_month)) < 0)
		return -1;
	cal = ucal_open(uz, -1, TZ_LOCALE, UCAL_GREGORIAN, &e);
	if (U_FAILURE(e))
		return -1;
	ucal_setMillis(cal, ms, &e);
	out->year = ucal_get(cal, UCAL_YEAR, &e);
	out->month = ucal_get(cal, UCAL_MONTH, &e) + 1;
	out->day = ucal_get(cal, UCAL_DATE, &e);
	out->hour = ucal_get(cal, UCAL_HOUR_OF_DAY, &e);
	out->minute = ucal_get(cal, UCAL_MINUTE, &e);
	ucal_close(cal);
	if (U_FAILURE(e) || !gmtime_r(&tt, &tm))
		return -1;
	strftime(out->iso, sizeof(out->iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
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
