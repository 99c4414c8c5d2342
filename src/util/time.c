/*
 * The ISO-8601 formatter: see time.h. strftime() with a format of digits only,
 * so the process's locale cannot change a byte of it.
 */
#include "util/time.h"

#include <time.h>

int time_iso(int64_t t, char out[TIME_ISO_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    strftime(out, TIME_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
