/*
 * The diagnostic log: one line per message on standard error, with a level and
 * the process id (several worker processes write to the same stream). The access
 * log is kept apart (http/). log_warn() adds strerror(errno); log_warnx() does not,
 * as OpenBSD's httpd does.
 */
#ifndef LIVELINE_LOG_H
#define LIVELINE_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
/* A fault an operator must act on (the server cannot do its job in full). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
