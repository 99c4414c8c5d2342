/*
 * The access log: its two formats, and each worker's buffer of lines and its
 * file. See http_log.h.
 */
#include "http/http_log.h"
#include "http/http_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "util/log.h"
#include "util/time.h"
#include "util/utf8.h"

/* ---- formats ---- */

/* Appends `s` (at most HTTP_LOG_FIELD_MAX bytes of it) with every byte that
 * could end the line or the quoted field, or that is not ASCII, as \xHH:
 * a hostile target or User-Agent stays one field of one line. */
static void http_log_escaped(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i;

	for (i = 0; i < n && i < HTTP_LOG_FIELD_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			buf_append(b, esc, sizeof(esc));
		} else {
			buf_putc(b, (char)c);
		}
	}
	if (i < n)
		buf_puts(b, "...");
}

/* A quoted field of the combined format: "-" for none. */
static void http_log_quoted(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	if (s && *s)
		http_log_escaped(b, s);
	else
		buf_putc(b, '-');
	buf_putc(b, '"');
}

/* [07/Dec/2026:22:41:07 +0000], in local time as nginx's $time_local (the
 * month's name spelt here: strftime's %b follows the locale). */
static void http_log_clf_time(struct buf *b, time_t when)
{
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	if (!localtime_r(&when, &tm)) {
		buf_puts(b, "[-]");
		return;
	}
	off = tm.tm_gmtoff / 60;
	buf_printf(b, "[%02d/%s/%04d:%02d:%02d:%02d %c%02ld%02ld]", tm.tm_mday,
		   months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		   off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
}

static void http_log_combined(struct buf *b, const struct http_log_entry *e)
{
	http_log_escaped(b, e->addr && *e->addr ? e->addr : "-");
	buf_puts(b, " - - ");
	http_log_clf_time(b, e->when);
	buf_putc(b, ' ');
	if (e->method) {
		buf_putc(b, '"');
		http_log_escaped(b, e->method);
		buf_putc(b, ' ');
		http_log_escaped(b, e->target ? e->target : "");
		if (e->protocol && *e->protocol) {
			buf_putc(b, ' ');
			http_log_escaped(b, e->protocol);
		}
		buf_putc(b, '"');
	} else {
		buf_puts(b, "\"-\"");
	}
	buf_printf(b, " %u %llu ", e->status, (unsigned long long)e->bytes);
	http_log_quoted(b, e->referer);
	buf_putc(b, ' ');
	http_log_quoted(b, e->user_agent);
	buf_printf(b, " %llu.%03llu", (unsigned long long)(e->duration_us / 1000000),
		   (unsigned long long)(e->duration_us / 1000 % 1000));
	if (e->stream)
		buf_printf(b, " %llu\n", (unsigned long long)e->events);
	else
		buf_puts(b, " -\n");
}

/* A JSON string for a field as the client sent it (see http_log_format), or
 * null. */
static json_t *http_log_json_string(const char *s)
{
	struct buf esc;
	json_t *j;

	if (!s)
		return json_null();
	if (strlen(s) <= HTTP_LOG_FIELD_MAX && utf8_valid(s))
		return json_string(s);
	buf_init(&esc, 4 * HTTP_LOG_FIELD_MAX + 8);
	http_log_escaped(&esc, s);
	j = esc.err ? NULL : json_string(esc.data ? esc.data : "");
	buf_cleanup(&esc);
	return j;
}

static void http_log_json(struct buf *b, const struct http_log_entry *e)
{
	char when[TIME_ISO_SIZE];
	json_t *j = json_object();
	char *text = NULL;
	int bad = !j;

	time_iso((int64_t)e->when, when);
	bad |= json_object_set_new(j, "time", json_string(when));
	bad |= json_object_set_new(j, "addr", http_log_json_string(e->addr));
	bad |= json_object_set_new(j, "method", http_log_json_string(e->method));
	bad |= json_object_set_new(j, "target", http_log_json_string(e->method ? e->target : NULL));
	bad |= json_object_set_new(j, "protocol", http_log_json_string(e->method ? e->protocol : NULL));
	bad |= json_object_set_new(j, "status", json_integer(e->status));
	bad |= json_object_set_new(j, "bytes", json_integer((json_int_t)e->bytes));
	bad |= json_object_set_new(j, "referer", http_log_json_string(e->referer));
	bad |= json_object_set_new(j, "user_agent", http_log_json_string(e->user_agent));
	/* Seconds to the millisecond, as the combined format's column. */
	bad |= json_object_set_new(j, "duration",
				   json_real((double)(e->duration_us / 1000) / 1000.0));
	bad |= json_object_set_new(j, "stream", json_boolean(e->stream));
	bad |= json_object_set_new(j, "events", e->stream ? json_integer((json_int_t)e->events)
							  : json_null());
	/* ASCII only: a log reader need not agree with us on encodings; 15 digits
	 * print a millisecond count exactly, without binary noise. */
	if (!bad)
		text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (!text) {
		b->err = BUF_ENOMEM;
		return;
	}
	buf_puts(b, text);
	buf_putc(b, '\n');
	free(text);
}

void http_log_format(struct buf *b, enum http_log_format format, const struct http_log_entry *e)
{
	if (format == HTTP_LOG_JSON)
		http_log_json(b, e);
	else
		http_log_combined(b, e);
}

/* ---- the buffer and the file ---- */

struct http_log {
	pthread_mutex_t lock; /* guards `pending` and `dropped`, held to copy a line */
	struct buf pending;   /* whole lines waiting to be written */
	uint64_t dropped;     /* lines dropped since the last flush (over the cap) */
	/* Held by the thread that writes (flush, reopen), for the write: */
	pthread_mutex_t write_lock;
	struct buf writing;   /* the lines of the write under way */
	int fd;
	int failing;          /* the last write failed and said so: quiet until one works */
	enum http_log_format format;
	char *path;
};

static int http_log_open_fd(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

struct http_log *http_log_open(const char *path, enum http_log_format format, char *err,
			       size_t errlen)
{
	struct http_log *log = calloc(1, sizeof(*log));

	if (!log || !(log->path = strdup(path))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	log->fd = http_log_open_fd(path);
	if (log->fd < 0) {
		snprintf(err, errlen, "cannot open the access log %s: %s", path, strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&log->lock, NULL);
	pthread_mutex_init(&log->write_lock, NULL);
	buf_init(&log->pending, HTTP_LOG_MAX_BYTES);
	buf_init(&log->writing, HTTP_LOG_MAX_BYTES);
	log->format = format;
	return log;
fail:
	if (log)
		free(log->path);
	free(log);
	return NULL;
}

void http_log_free(struct http_log *log)
{
	if (!log)
		return;
	(void)http_log_flush(log);
	close(log->fd);
	buf_cleanup(&log->pending);
	buf_cleanup(&log->writing);
	pthread_mutex_destroy(&log->lock);
	pthread_mutex_destroy(&log->write_lock);
	free(log->path);
	free(log);
}

void http_log_add(struct http_log *log, const struct http_log_entry *e)
{
	struct buf line;
	int full;

	/* Formatted outside the lock. Each field's \xHH form is at most four
	 * times its HTTP_LOG_FIELD_MAX bytes; three such fields and the rest fit. */
	buf_init(&line, 16 * HTTP_LOG_FIELD_MAX);
	http_log_format(&line, log->format, e);
	pthread_mutex_lock(&log->lock);
	if (line.err || log->pending.err || line.len > HTTP_LOG_MAX_BYTES - log->pending.len)
		log->dropped++; /* out of memory, or the disk is not keeping up */
	else
		buf_append(&log->pending, line.data, line.len);
	full = log->pending.len >= HTTP_LOG_WRITE_BYTES;
	pthread_mutex_unlock(&log->lock);
	buf_cleanup(&line);
	/* A burst on one thread (thousands of streams ended at once, at a stop
	 * or an unpublish) is written as it comes, a write per 256 KiB, rather
	 * than dropped at the cap before the worker's loop runs again. */
	if (full)
		(void)http_log_flush(log);
}

int http_log_flush(struct http_log *log)
{
	struct buf swap;
	uint64_t dropped;
	ssize_t n;
	int rc = 0;

	pthread_mutex_lock(&log->write_lock);
	pthread_mutex_lock(&log->lock);
	swap = log->pending;
	log->pending = log->writing;
	log->writing = swap;
	dropped = log->dropped;
	log->dropped = 0;
	pthread_mutex_unlock(&log->lock);
	if (dropped)
		log_warnx("access log: %llu line%s dropped: more than %d bytes were waiting "
			  "for the disk", (unsigned long long)dropped, dropped == 1 ? "" : "s",
			  HTTP_LOG_MAX_BYTES);
	if (log->writing.len == 0) {
		pthread_mutex_unlock(&log->write_lock);
		return 0;
	}
	/* One write of whole lines: with O_APPEND, the kernel keeps another
	 * worker's write from landing inside it. A slow disk costs the loop this
	 * one call; a failed one drops the lines rather than retrying forever. */
	n = write(log->fd, log->writing.data, log->writing.len);
	if (n != (ssize_t)log->writing.len) {
		if (n >= 0)
			errno = ENOSPC; /* a short write to a file: the disk is full */
		if (!log->failing)
			log_warn("access log: cannot write %s (%zu bytes dropped, and the "
				 "lines of any failure until a write works again)", log->path,
				 log->writing.len - (n > 0 ? (size_t)n : 0));
		log->failing = 1;
		rc = -1;
	} else {
		log->failing = 0;
	}
	buf_reset(&log->writing);
	pthread_mutex_unlock(&log->write_lock);
	return rc;
}

int http_log_flush_full(struct http_log *log)
{
	size_t waiting;

	pthread_mutex_lock(&log->lock);
	waiting = log->pending.len;
	pthread_mutex_unlock(&log->lock);
	return waiting >= HTTP_LOG_FLUSH_BYTES ? http_log_flush(log) : 0;
}

int http_log_reopen(struct http_log *log)
{
	int fd;

	(void)http_log_flush(log); /* a failure is said there */
	fd = http_log_open_fd(log->path);
	if (fd < 0) {
		log_warn("access log: cannot open %s again; still writing to the file as it "
			 "was", log->path);
		return -1;
	}
	pthread_mutex_lock(&log->write_lock);
	close(log->fd);
	log->fd = fd;
	log->failing = 0;
	pthread_mutex_unlock(&log->write_lock);
	return 0;
}

/* ---- the HTTP server's hooks (http_internal.h) ---- */

/* A connection's request as the access log sees it: its socket context in
 * libmicrohttpd, made only when there is a log. The target is copied from
 * the request line (libmicrohttpd then cuts the query off in place), and the
 * method once the handler has it; the headers are read at the request's
 * completion, which libmicrohttpd calls before it frees them. */
struct http_log_conn {
	struct timespec start;    /* CLOCK_MONOTONIC at the request line */
	char *target;             /* as sent, query included (malloc'd, reused) */
	size_t target_cap;
	char method[16], protocol[16];
	unsigned status;
	uint64_t bytes;
	int begun;                /* a request line was read, not yet logged */
	int handed;               /* a stream's end logs it (http_log_stream) */
};

/* A stream's line until it ends: what the request said, kept past it. */
struct http_log_pending_stream {
	struct http_log *log;
	struct timespec start;
	char addr[HTTP_ADDR_MAX];
	char method[16], protocol[16];
	char *target, *referer, *user_agent;
};

static struct http_log_conn *http_log_conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct http_conn_track *t = ci ? ci->socket_context : NULL;

	return t ? t->log : NULL;
}

static uint64_t http_log_since_us(const struct timespec *start)
{
	struct timespec now;
	int64_t us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (int64_t)(now.tv_sec - start->tv_sec) * 1000000 +
	     (now.tv_nsec - start->tv_nsec) / 1000;
	return us > 0 ? (uint64_t)us : 0;
}

static void http_log_copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

void http_log_conn_start(struct http_server *s, struct http_conn_track *t)
{
	if (s->log && t)
		t->log = calloc(1, sizeof(struct http_log_conn));
}

void http_log_uri(struct http_server *s, struct MHD_Connection *conn, const char *uri)
{
	struct http_log_conn *c;
	size_t n = strlen(uri);

	if (!s->log || !(c = http_log_conn_of(conn)))
		return;
	if (n > HTTP_LOG_FIELD_MAX + 1)
		n = HTTP_LOG_FIELD_MAX + 1; /* the formatter cuts it, with "..." */
	if (n + 1 > c->target_cap) {
		char *t = realloc(c->target, n + 1);
		if (!t)
			n = 0;
		else {
			c->target = t;
			c->target_cap = n + 1;
		}
	}
	if (c->target) {
		memcpy(c->target, uri, n);
		c->target[n] = '\0';
	}
	c->method[0] = c->protocol[0] = '\0';
	c->status = 0;
	c->bytes = 0;
	c->handed = 0;
	c->begun = 1;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
}

void http_log_request(struct http_request *req)
{
	struct http_log_conn *c;

	if (!req->server->log || !(c = http_log_conn_of(req->conn)) || c->method[0])
		return;
	http_log_copy(c->method, sizeof(c->method), req->method);
	http_log_copy(c->protocol, sizeof(c->protocol), req->version);
}

void http_log_answer(struct http_request *req, unsigned status)
{
	struct http_log_conn *c;

	if (!req->server->log || !(c = http_log_conn_of(req->conn)))
		return;
	c->status = status;
	/* No body goes with these (RFC 9110 9.3.2, 15.3.5, 15.4.5). */
	c->bytes = strcmp(req->method, MHD_HTTP_METHOD_HEAD) == 0 || status == 204 ||
				   status == 304 || status < 200
			   ? 0
			   : req->answer_bytes;
}

static const char *http_log_header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Writes the line of the request `c` records, from client `addr`, with its
 * Referer and User-Agent read from `conn` when it is given (while they can
 * be read). */
static void http_log_conn_line(struct http_log *log, struct http_log_conn *c, const char *addr,
			       struct MHD_Connection *conn)
{
	struct http_log_entry e = {
		.addr = addr, .when = time(NULL), .method = c->method[0] ? c->method : NULL,
		.target = c->target, .protocol = c->protocol, .status = c->status,
		.bytes = c->bytes, .duration_us = http_log_since_us(&c->start),
	};

	if (conn) {
		e.referer = http_log_header(conn, MHD_HTTP_HEADER_REFERER);
		e.user_agent = http_log_header(conn, MHD_HTTP_HEADER_USER_AGENT);
	}
	http_log_add(log, &e);
}

void http_log_completed(struct http_server *s, struct MHD_Connection *conn)
{
	struct http_request req = { .server = s, .conn = conn };
	struct http_client client;
	struct http_log_conn *c;

	if (!s->log || !(c = http_log_conn_of(conn)) || !c->begun)
		return;
	c->begun = 0;
	if (c->handed)
		return;
	http_request_client(&req, &client);
	http_log_conn_line(s->log, c, client.addr, conn);
}

void http_log_conn_end(struct http_server *s, struct MHD_Connection *conn,
		       struct http_conn_track *t)
{
	struct http_log_conn *c = t ? t->log : NULL;
	const union MHD_ConnectionInfo *ci;
	struct http_client client;

	if (!c)
		return;
	t->log = NULL;
	if (s->log && c->begun && !c->handed) {
		/* A request whose headers libmicrohttpd refused itself (431)
		 * never reached our handler, so was never completed: its line
		 * comes now, with status 0 (libmicrohttpd does not say what it
		 * sent) and the peer's address: its headers are not read any
		 * more. A request line it refused (400, too long) is never seen. */
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		http_client_resolve(&s->proxies, ci ? ci->client_addr : NULL, NULL, NULL, NULL,
				    &client);
		http_log_conn_line(s->log, c, client.addr, NULL);
	}
	free(c->target);
	free(c);
}

/* The stream ended (stream_sub_watch): its line, with what the hub sent. */
static void http_log_stream_end(void *arg, const struct stream_tally *tally)
{
	struct http_log_pending_stream *p = arg;
	struct http_log_entry e = {
		.addr = p->addr, .when = time(NULL), .method = p->method, .target = p->target,
		.protocol = p->protocol, .status = 200, .bytes = tally->bytes,
		.referer = p->referer, .user_agent = p->user_agent,
		.duration_us = http_log_since_us(&p->start), .stream = 1, .events = tally->events,
	};

	http_log_add(p->log, &e);
	free(p->target);
	free(p->referer);
	free(p->user_agent);
	free(p);
}

static char *http_log_dup(const char *s)
{
	return s ? strndup(s, HTTP_LOG_FIELD_MAX + 1) : NULL;
}

void http_log_stream(struct http_server *s, struct MHD_Connection *conn, struct stream_sub *sub)
{
	struct http_request req = { .server = s, .conn = conn };
	struct http_log_pending_stream *p;
	struct http_client client;
	struct http_log_conn *c;

	if (!s->log || !(c = http_log_conn_of(conn)) || !c->begun)
		return;
	p = calloc(1, sizeof(*p));
	if (!p)
		return; /* logged when libmicrohttpd completes it, without the tally */
	http_request_client(&req, &client);
	p->log = s->log;
	p->start = c->start;
	http_log_copy(p->addr, sizeof(p->addr), client.addr);
	http_log_copy(p->method, sizeof(p->method), c->method);
	http_log_copy(p->protocol, sizeof(p->protocol), c->protocol);
	p->target = http_log_dup(c->target);
	p->referer = http_log_dup(http_log_header(conn, MHD_HTTP_HEADER_REFERER));
	p->user_agent = http_log_dup(http_log_header(conn, MHD_HTTP_HEADER_USER_AGENT));
	if (stream_sub_watch(sub, http_log_stream_end, p) < 0) {
		free(p->target);
		free(p->referer);
		free(p->user_agent);
		free(p);
		return;
	}
	c->handed = 1;
}
