/*
 * The diagnostic log: see log.h.
 */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/time.h"

static enum log_level log_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
	log_level = level;
}

static void log_vline(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char msg[1024], when[TIME_ISO_SIZE];

	if (level > log_level)
		return;
	time_iso(time(NULL), when);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One fprintf per line keeps lines from different workers whole. */
	if (errnum)
		fprintf(stderr, "%s liveline[%d] %s: %s: %s\n", when, (int)getpid(),
			names[level], msg, strerror(errnum));
	else
		fprintf(stderr, "%s liveline[%d] %s: %s\n", when, (int)getpid(),
			names[level], msg);
}

#define LOG_FN(name, level, with_errno)                     \
	void name(const char *fmt, ...)                         \
	{                                                       \
		int e = (with_errno) ? errno : 0;                   \
		va_list ap;                                         \
		va_start(ap, fmt);                                  \
		log_vline(level, e, fmt, ap);                       \
		va_end(ap);                                         \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
