/*
 * The access log (`serve --access-log FILE`): one line per request, in the
 * combined format of nginx and Apache with the time taken and a stream's
 * events appended, or as JSON lines (`--access-log-format json`). The format
 * of each field is docs/operations.md's "Logs"; the diagnostic log is apart
 * (util/log.h).
 *
 * Named http_log rather than http_access: in libmicrohttpd's words (and
 * http_server.c's) "access" is the request handler, http_access().
 *
 * Nothing here writes on the request path. Each worker keeps its lines in
 * memory and writes them with one write() of whole lines to a descriptor
 * opened with O_APPEND, so that lines of several workers never interleave
 * inside a line: when HTTP_LOG_FLUSH_BYTES are waiting (the worker's loop asks
 * after each run, http_log_flush_full), on the worker's timer (http_log_flush,
 * at most every second) and when it stops; and by the thread that adds a line
 * past HTTP_LOG_WRITE_BYTES waiting (a burst the loop cannot see: thousands of
 * streams ended at once). A failed write is logged once (log_warn) and its
 * lines dropped, never tried again; past HTTP_LOG_MAX_BYTES waiting (a disk
 * that does not keep up), new lines are dropped and counted. A stream's line
 * is added by whichever thread ends it, the hub's mostly: the buffer has a
 * lock of its own, held only to copy a line in or out, and the file another,
 * held for a write.
 */
#ifndef LIVELINE_HTTP_LOG_H
#define LIVELINE_HTTP_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/buf.h"

#define HTTP_LOG_FLUSH_BYTES (64 * 1024)  /* written by the worker's loop past this */
#define HTTP_LOG_WRITE_BYTES (256 * 1024) /* written by the thread adding past this */
#define HTTP_LOG_MAX_BYTES (4 * 1024 * 1024) /* lines dropped past this, waiting */
#define HTTP_LOG_FIELD_MAX 4096 /* bytes of one field kept (the request target,
				 * User-Agent, Referer): the rest is cut, "..." */

enum http_log_format { HTTP_LOG_COMBINED, HTTP_LOG_JSON };

/* One request, or one stream that ended, as it is logged. Strings are
 * borrowed, as the client sent them (escaped by the formatter); NULL is "-"
 * in the combined format and null in JSON. */
struct http_log_entry {
	const char *addr;       /* the client: the trusted proxy's word (http_proxy.h) */
	time_t when;            /* when the line is written (the request's end) */
	const char *method;     /* NULL when no request line was read */
	const char *target;     /* the request target as sent, query included */
	const char *protocol;   /* "HTTP/1.1" */
	unsigned status;        /* 0 when no answer was queued (the client left) */
	uint64_t bytes;         /* body bytes of the answer (a stream's: what the hub sent) */
	const char *referer, *user_agent;
	uint64_t duration_us;   /* from the request line to the end (a stream's whole life) */
	int stream;             /* 1: an SSE or text stream, with `events` */
	uint64_t events;        /* events sent on the stream */
};

/* Appends the line of `e` in `format` to `b`, with its '\n'. A string is
 * escaped so that no client can end the line, forge a field or break the
 * JSON: in the combined format, '"', '\\', control bytes and bytes from 0x7f
 * up are written \xHH (nginx's escaping); in JSON, jansson escapes a valid
 * UTF-8 string, and one that is not is first written as in the combined
 * format. Sets b->err when out of memory or over the buffer's cap. */
void http_log_format(struct buf *b, enum http_log_format format, const struct http_log_entry *e);

struct http_log;

/* Opens `path` for appending (created 0640 when missing) in `format`. Returns
 * NULL with the reason in err. */
struct http_log *http_log_open(const char *path, enum http_log_format format, char *err,
			       size_t errlen);
/* Writes what is waiting, closes the file and frees the log. NULL is allowed. */
void http_log_free(struct http_log *log);

/* Adds the line of `e`: to memory, and written at once only past
 * HTTP_LOG_WRITE_BYTES waiting. Safe from any thread. */
void http_log_add(struct http_log *log, const struct http_log_entry *e);
/* Writes what is waiting (one write() of whole lines). Returns 0, or -1 when
 * the write failed and the lines were dropped. Safe from any thread. */
int http_log_flush(struct http_log *log);
/* The same, only when HTTP_LOG_FLUSH_BYTES or more are waiting. */
int http_log_flush_full(struct http_log *log);
/* Writes what is waiting, then opens the path again (after logrotate moved
 * the file: SIGUSR1). Returns 0 once the path is open again; -1 when it could
 * not be opened (the reason logged), the old descriptor kept. */
int http_log_reopen(struct http_log *log);

#endif
