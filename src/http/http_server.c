/*
 * The adapter over libmicrohttpd: daemon set-up, the access handler, request
 * limits, and the one place where responses are built. See http.h.
 *
 * Known libmicrohttpd behaviours we design around (measured):
 * - Queuing a response on the first call of the access handler makes MHD close
 *   the connection after it; we return once first, then answer on the second call,
 *   which keeps connections alive.
 * - The default connection limit is about 1,020 even in epoll mode; we set it.
 * - The default 32 KiB per-connection pool is more than a reader request needs.
 * - A response from a file goes out as its headers, pushed on their own, then
 *   sendfile(): two segments. We cork the socket around it (http_cork).
 * - A response can be queued only at the first call and at the final call
 *   (0.9.75's MHD_queue_response), not while a body arrives: a body that
 *   crosses a limit there can only be cut off by closing the connection. So
 *   newsroom requests are sized from their headers at the first call.
 * - Suspend and resume hand newsroom and API requests to the newsroom thread
 *   (http_offload.h, which says what 0.9.75 does with a suspended connection).
 */
#include "http/http_internal.h"
#include "http/http_auth.h"
#include "http/http_framing.h"
#include "http/http_metrics.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "live/live.h"
#include "page/page_key.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/stats.h"

/* Responses prebuilt for a cache entry, kept in its attached slots so that a
 * cache hit allocates nothing: [0] plain, [1] gzip, [2] 304, and the same
 * three again from HTTP_SLOT_HTTPS for requests over https, which also carry
 * Strict-Transport-Security. */
enum { HTTP_SLOT_PLAIN, HTTP_SLOT_GZIP, HTTP_SLOT_304, HTTP_SLOT_HTTPS };

/* Bodies this large go out with sendfile() from a memfd holding a copy: the
 * kernel then sends the body's pages by reference instead of copying them into
 * the socket for every request, as nginx does with its files (measured in
 * bench/results/page.md). Each such body holds a file descriptor: a worker
 * keeps at most http_config.sendfile_files, which serve_raise_nofile() sizes
 * from the open-file limit; beyond that, bodies are sent from memory. */
#define HTTP_SENDFILE_MIN (16 * 1024)

struct http_prebuilt {
	struct MHD_Response *r;
	struct http_server *server;
	int has_fd;
};

static void http_body_release(void *cls)
{
	page_body_unref(cls);
}

static void http_attached_free(void *attached)
{
	struct http_prebuilt *p = attached;

	MHD_destroy_response(p->r);
	if (p->has_fd)
		p->server->sendfile_files--;
	free(p);
}

/* Adds the reader's security headers to `r`: Content-Security-Policy
 * (HTTP_CSP_READER for HTML, HTTP_CSP_NONE for anything else), X-Frame-
 * Options, Referrer-Policy, X-Content-Type-Options, and HSTS when `https`.
 * An embed (`frameable`, HTML) gets HTTP_CSP_EMBED and no X-Frame-Options. */
static void http_add_reader_headers(struct MHD_Response *r, const char *content_type, int https,
				    int frameable)
{
	int html = content_type && strncmp(content_type, "text/html", 9) == 0;

	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy",
				!html ? HTTP_CSP_NONE : frameable ? HTTP_CSP_EMBED : HTTP_CSP_READER);
	if (!html || !frameable)
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", HTTP_REFERRER_POLICY);
	if (https)
		MHD_add_response_header(r, "Strict-Transport-Security", HTTP_HSTS);
}

/* A newsroom page's: our own scripts and styles only, and no Referer beyond
 * our own origin. */
static void http_add_private_headers(struct MHD_Response *r, int https)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (https)
		MHD_add_response_header(r, "Strict-Transport-Security", HTTP_HSTS);
	MHD_add_response_header(r, "Content-Security-Policy", HTTP_CSP_PRIVATE);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
}

static void http_add_common_headers(struct MHD_Response *r, const struct page_entry *e,
				    int https)
{
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, e->etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, e->cache_control);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	/* Only the embed's entries may be framed by other sites. */
	http_add_reader_headers(r, e->content_type, https, page_key_is_embed(e->key));
}

/* A memfd with a copy of `body`, or -1 (the caller then sends from memory). */
static int http_body_memfd(const struct page_body *body)
{
	int fd = memfd_create("liveline-page", MFD_CLOEXEC);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < body->len) {
		ssize_t n = write(fd, body->data + off, body->len - off);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return fd;
}

/* A response over a shared body: from a memfd when it is large (see
 * HTTP_SENDFILE_MIN), else from the body itself, of which the response holds
 * a reference released by libmicrohttpd when the last connection using it is
 * done. */
static struct MHD_Response *http_body_response(struct http_server *s, const struct page_entry *e,
					       struct page_body *body, int gzip, int https,
					       int *has_fd)
{
	struct MHD_Response *r = NULL;
	int fd = -1;

	*has_fd = 0;
	if (body->len >= HTTP_SENDFILE_MIN && s->sendfile_files < s->sendfile_max)
		fd = http_body_memfd(body);
	if (fd >= 0) {
		r = MHD_create_response_from_fd(body->len, fd); /* closes fd when freed */
		if (r)
			*has_fd = 1;
		else
			close(fd);
	}
	if (!r) {
		page_body_ref(body);
		r = MHD_create_response_from_buffer_with_free_callback_cls(
			body->len, body->data, http_body_release, body);
		if (!r) {
			page_body_unref(body);
			return NULL;
		}
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, e->content_type);
	if (gzip)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	http_add_common_headers(r, e, https);
	return r;
}

static struct MHD_Response *http_entry_response(struct http_server *s, struct page_entry *e,
						int slot)
{
	struct http_prebuilt *p = e->attached[slot];
	struct MHD_Response *r;
	int has_fd = 0, https = slot >= HTTP_SLOT_HTTPS;

	if (p)
		return p->r;
	switch (slot % HTTP_SLOT_HTTPS) {
	case HTTP_SLOT_PLAIN:
		r = http_body_response(s, e, e->body, 0, https, &has_fd);
		break;
	case HTTP_SLOT_GZIP:
		r = http_body_response(s, e, e->gz, 1, https, &has_fd);
		break;
	default:
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (r)
			http_add_common_headers(r, e, https);
	}
	if (!r)
		return NULL;
	p = malloc(sizeof(*p));
	if (!p) {
		MHD_destroy_response(r);
		return NULL;
	}
	p->r = r;
	p->server = s;
	p->has_fd = has_fd;
	s->sendfile_files += has_fd;
	e->attached[slot] = p;
	return r;
}

/* 1 if an If-None-Match value lists `etag` (weak comparison, as RFC 9110 asks
 * for If-None-Match) or is "*". */
int http_etag_matches(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	const char *p = inm;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
						  p[n] == ' ' || p[n] == '\t'))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

/* 1 if Accept-Encoding accepts gzip: a "gzip" or "*" coding whose q is not 0. */
static int http_accepts_gzip(const char *ae)
{
	const char *p = ae;

	while (p && *p) {
		const char *tok, *end, *q;
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		tok = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		len = (size_t)(p - tok);
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if ((len == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		    (len == 1 && *tok == '*')) {
			q = strstr(p, "q=");
			if (!q || q > end)
				return 1;
			q += 2;
			/* q=0, q=0.0, q=0.000 refuse; anything else accepts. */
			while (*q == '0' || *q == '.')
				q++;
			if (q < end && *q >= '1' && *q <= '9')
				return 1;
		}
		p = end;
	}
	return 0;
}

enum MHD_Result http_respond_entry(struct http_request *req, struct page_entry *e)
{
	const char *inm, *ae;
	struct MHD_Response *r;
	const struct http_prebuilt *p;
	unsigned status = (unsigned)e->status;
	int slot = HTTP_SLOT_PLAIN;

	inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					  MHD_HTTP_HEADER_IF_NONE_MATCH);
	ae = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (inm && status == MHD_HTTP_OK && http_etag_matches(inm, e->etag)) {
		slot = HTTP_SLOT_304;
		status = MHD_HTTP_NOT_MODIFIED;
	} else if (e->gz && ae && http_accepts_gzip(ae)) {
		slot = HTTP_SLOT_GZIP;
	}
	if (http_request_https(req))
		slot += HTTP_SLOT_HTTPS;
	req->answer_bytes = slot % HTTP_SLOT_HTTPS == HTTP_SLOT_GZIP ? e->gz->len
			    : slot % HTTP_SLOT_HTTPS == HTTP_SLOT_PLAIN ? e->body->len : 0;
	r = http_entry_response(req->server, e, slot);
	if (!r)
		return MHD_NO; /* out of memory: MHD closes the connection */
	p = e->attached[slot];
	if (p->has_fd)
		http_cork(req);
	return http_respond(req, status, r, HTTP_HEADERS_PREBUILT);
}

static void http_add_retry_after(const struct http_request *req, struct MHD_Response *r)
{
	char secs[16];

	if (req->retry_after <= 0)
		return;
	snprintf(secs, sizeof(secs), "%d", req->retry_after);
	MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
}

enum MHD_Result http_respond(struct http_request *req, unsigned status, struct MHD_Response *r,
			     enum http_headers headers)
{
	enum MHD_Result ret;

	switch (headers) {
	case HTTP_HEADERS_READER:
	case HTTP_HEADERS_READER_PLAIN:
		/* By the Content-Type already set: a page's CSP, or none. */
		http_add_reader_headers(r, MHD_get_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE),
					headers == HTTP_HEADERS_READER && http_request_https(req), 0);
		break;
	case HTTP_HEADERS_PRIVATE:
		http_add_private_headers(r, http_request_https(req));
		break;
	case HTTP_HEADERS_PREBUILT:
		/* Shared by every request for the entry, with its headers: queued
		 * as it is, and kept. */
		stats_request(http_metrics_route_of(req->path), status);
		ret = MHD_queue_response(req->conn, status, r);
		if (ret == MHD_YES)
			http_log_answer(req, status);
		return ret;
	case HTTP_HEADERS_DONE:
		break;
	}
	/* Every 503 says when to come back (the store out of reach, a moved
	 * file, a busy worker): a route may have set a time of its own. */
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE && req->retry_after <= 0)
		req->retry_after = HTTP_BUSY_RETRY_S;
	if (headers != HTTP_HEADERS_DONE)
		http_add_retry_after(req, r);
	if (req->result) {
		if (req->result->response) {
			/* A route answered twice: a bug; the first answer stands. */
			log_warnx("%s %s: a second answer was dropped", req->method, req->path);
			MHD_destroy_response(r);
			return MHD_NO;
		}
		req->result->response = r;
		req->result->status = status;
		req->result->bytes = req->answer_bytes;
		return MHD_YES;
	}
	stats_request(http_metrics_route_of(req->path), status);
	ret = MHD_queue_response(req->conn, status, r);
	MHD_destroy_response(r);
	if (ret == MHD_YES)
		http_log_answer(req, status);
	return ret;
}

struct MHD_Response *http_response_owned(char *data, size_t len, const char *type,
					 const char *cache_control)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);

	if (!r) {
		free(data);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
	return r;
}

static const char *http_reason(unsigned status)
{
	const char *r = MHD_get_reason_phrase_for(status);
	return r && *r ? r : "Error";
}

enum MHD_Result http_respond_error(struct http_request *req, unsigned status,
				   const char *message)
{
	struct MHD_Response *r;
	struct buf b;
	char *html;
	size_t len;

	buf_init(&b, 64 * 1024);
	render_error_html(&b, &req->server->site, (int)status, http_reason(status), message);
	html = buf_detach(&b, &len);
	if (!html)
		return MHD_NO;
	req->answer_bytes = len;
	r = http_response_owned(html, len, HTTP_CT_HTML, "no-cache");
	if (!r)
		return MHD_NO;
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	return http_respond(req, status, r, HTTP_HEADERS_READER);
}

static ssize_t http_no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	(void)pos;
	(void)buf;
	(void)max;
	return MHD_CONTENT_READER_END_OF_STREAM;
}

enum MHD_Result http_respond_stream_head(struct http_request *req, const char *content_type)
{
	struct MHD_Response *r;

	/* Of unknown size, as the stream's own response. libmicrohttpd 0.9.75
	 * sends a HEAD no body, but would still end a chunked one with its last
	 * chunk ("0\r\n\r\n", bytes a client reads as the next response):
	 * this flag keeps it from chunking (and closes the connection after). */
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, http_no_body, NULL, NULL);
	if (!r)
		return MHD_NO;
	MHD_set_response_options(r, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, no-transform");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	return http_respond(req, MHD_HTTP_OK, r, HTTP_HEADERS_READER);
}

/* libmicrohttpd allocates this much for a callback response; the hub takes the
 * socket on the first call, so nothing is ever read through it. */
#define HTTP_STREAM_BLOCK 64

/* A stream's response until the hub holds its socket: the subscriber that
 * stream_sub_new() counted, and the connection it will be taken from. */
struct http_stream {
	struct http_server *server;
	struct MHD_Connection *conn;
	struct stream_sub *sub; /* NULL once handed to the hub (or failed) */
};

/* Remembers a connection libmicrohttpd is about to drop after the hub took
 * its socket, until it frees it (http_connection_notify): the connection cap
 * counts it once, as a stream. Without memory the cap just counts it twice
 * until it is gone. */
static void http_note_dropped(struct http_server *s, struct MHD_Connection *conn)
{
	if (s->n_dropped == s->cap_dropped) {
		size_t cap = s->cap_dropped ? s->cap_dropped * 2 : 16;
		struct MHD_Connection **d = realloc(s->dropped, cap * sizeof(*d));
		if (!d)
			return;
		s->dropped = d;
		s->cap_dropped = cap;
	}
	s->dropped[s->n_dropped++] = conn;
}

/* libmicrohttpd's body callback, called once the headers are sent: the hub
 * is given a duplicate of the socket, and libmicrohttpd is told to drop the
 * connection. With MHD_USE_TURBO it then only closes its own descriptor (no
 * shutdown()), so the socket lives on in the hub's. It logs the "application
 * error" at debug level. */
static ssize_t http_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_stream *st = cls;
	const union MHD_ConnectionInfo *ci;
	struct stream_sub *sub = st->sub;
	int fd = -1, rc;

	(void)pos;
	(void)buf;
	(void)max;
	if (!sub)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	st->sub = NULL;
	ci = MHD_get_connection_info(st->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci)
		fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0);
	http_log_stream(st->server, st->conn, sub); /* its line comes at its end */
	if (fd < 0) {
		log_warn("stream: cannot take over a connection");
		stream_sub_cancel(sub);
		rc = -1;
	} else {
		rc = stream_sub_start(sub, fd);
	}
	if (rc == 1)
		return MHD_CONTENT_READER_END_OF_STREAM; /* ended cleanly, nothing sent */
	http_note_dropped(st->server, st->conn);
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* The response is freed: a stream never handed over is forgotten. */
static void http_stream_free(void *cls)
{
	struct http_stream *st = cls;

	stream_sub_cancel(st->sub);
	free(st);
}

enum MHD_Result http_respond_stream(struct http_request *req, const struct model_page *page,
				    enum stream_kind kind, int64_t since, const char *snapshot,
				    size_t snapshot_len)
{
	struct http_stream *st = calloc(1, sizeof(*st));
	struct MHD_Response *r;

	if (!st)
		return MHD_NO;
	st->server = req->server;
	st->conn = req->conn;
	st->sub = stream_sub_new(req->server->hub, page, kind, since, snapshot, snapshot_len,
				 http_chunked(req));
	if (!st->sub) {
		free(st);
		return MHD_NO;
	}
	/* ?readers=1: the page's script wants "N reading now" on its stream. */
	if (kind == STREAM_SSE) {
		const char *want = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
							       "readers");
		if (want && strcmp(want, "1") == 0)
			stream_sub_want_readers(st->sub);
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK, http_stream_read,
					      st, http_stream_free);
	if (!r) {
		http_stream_free(st);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				kind == STREAM_SSE ? HTTP_CT_EVENTS : HTTP_CT_TEXT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, no-transform");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	/* The headers may wait for a slow reader; after them the hub holds it. */
	MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
	/* No HSTS on a stream: the page that opened it (the only thing a
	 * browser navigates to) has sent it already. Frees st if not queued. */
	return http_respond(req, MHD_HTTP_OK, r, HTTP_HEADERS_READER_PLAIN);
}

/* Marks the first call of the handler for a reader request (see the file
 * comment); newsroom and API requests get a struct http_newsroom instead. */
static int http_first_call_marker;
/* The same, for a request whose answer is being sent corked (http_cork). */
static int http_corked_marker;

static int http_is_marker(const void *p)
{
	return p == &http_first_call_marker || p == &http_corked_marker || http_framing_owns(p);
}

static void http_set_cork(struct MHD_Connection *conn, int on)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	if (ci)
		(void)setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_CORK, &on, sizeof(on));
}

void http_cork(struct http_request *req)
{
	if (!req->con_cls || *req->con_cls != &http_first_call_marker)
		return;
	http_set_cork(req->conn, 1);
	*req->con_cls = &http_corked_marker;
}

/* A newsroom or API request: its body as it arrives, then its job on the
 * newsroom thread (http_offload.h) and the answer that job built. */
struct http_newsroom {
	char *body;         /* NUL-terminated once anything arrived */
	size_t len, cap;
	size_t max;         /* the most the body may hold */
	size_t declared;    /* Content-Length, 0 when not sent */
	size_t charged;     /* counted in server->buffered */
	int discard;        /* its body, if any, is dropped unread */
	/* A request refused from its headers whose body is still read (dropped)
	 * so that the answer can follow it: see http_newsroom_begin(). */
	unsigned refuse_status;
	const char *refuse_code, *refuse_message;
	struct http_job job;
	struct http_request req;    /* the request as the thread sees it */
	struct http_result result;
};

int http_chunked(const struct http_request *req)
{
	const char *v = req->version;

	return v && strncmp(v, "HTTP/1.", 7) == 0 && v[7] >= '1' && v[7] <= '9' && !v[8];
}

int http_is_read(const char *method)
{
	return strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	       strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

/* Where a request goes: the newsroom and its API take bodies and every method. */
static int http_is_newsroom(const char *url)
{
	return strncmp(url, "/api/", 5) == 0 || strcmp(url, "/newsroom") == 0 ||
	       strncmp(url, "/newsroom/", 10) == 0;
}

static int http_is_api(const char *url)
{
	return strncmp(url, "/api/", 5) == 0;
}

/* Frees the body and gives its bytes back to the worker's count. */
static void http_body_free(struct http_server *s, struct http_newsroom *nr)
{
	free(nr->body);
	nr->body = NULL;
	nr->len = nr->cap = 0;
	s->buffered -= nr->charged;
	nr->charged = 0;
}

/* Appends to the body. Returns 0, or -1 when it would cross the request's
 * limit, the worker's (HTTP_BUFFERED_MAX) or memory. A body with a
 * Content-Length was counted whole when admitted and is allocated once. */
static int http_body_append(struct http_server *s, struct http_newsroom *nr, const char *data,
			    size_t n)
{
	size_t need, cap, more;
	char *p;

	if (n > nr->max - nr->len)
		return -1;
	need = nr->len + n + 1;
	if (need > nr->cap) {
		cap = nr->declared ? nr->declared + 1 : (nr->cap ? nr->cap : 4096);
		while (cap < need)
			cap *= 2;
		if (cap > nr->max + 1)
			cap = nr->max + 1;
		more = cap > nr->charged ? cap - nr->charged : 0;
		if (more > HTTP_BUFFERED_MAX - s->buffered)
			return -1;
		p = realloc(nr->body, cap);
		if (!p)
			return -1;
		s->buffered += more;
		nr->charged += more;
		nr->body = p;
		nr->cap = cap;
	}
	memcpy(nr->body + nr->len, data, n);
	nr->len += n;
	nr->body[nr->len] = '\0';
	return 0;
}

static struct http_conn_track *http_conn_track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* A retiring worker gives each connection without a request in flight a
 * one-second idle timeout: one idle now (kept alive between requests) closes
 * at once, and one whose request is answered later, a second after that. A
 * request being read or answered keeps the usual timeout. */
static void http_conn_hurry(struct MHD_Connection *conn)
{
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 1u);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	void *p = *con_cls;
	struct http_newsroom *nr = p;

	struct http_conn_track *t = http_conn_track_of(conn);

	(void)toe;
	*con_cls = NULL;
	http_log_completed(s, conn);
	if (t) {
		t->busy = 0;
		if (s->retiring)
			http_conn_hurry(conn);
	}
	if (p == &http_corked_marker)
		http_set_cork(conn, 0);
	if (!p || http_is_marker(p))
		return;
	/* Never while the thread runs the job: its connection was suspended, and
	 * libmicrohttpd ends no suspended request (http_offload.h). */
	if (http_offload_cancel(s->offload, &nr->job) < 0) {
		log_warnx("%s %s ended while the newsroom thread ran it", nr->req.method,
			  nr->req.path);
		abort();
	}
	if (nr->result.response)
		MHD_destroy_response(nr->result.response);
	http_body_free(s, nr);
	free(nr);
}

/* Refuses a newsroom or API request before its body is read. On the first
 * call, so libmicrohttpd closes the connection after the answer instead of
 * reading a body nobody wants. */
static enum MHD_Result http_refuse(struct http_request *req, unsigned status, const char *code,
				   const char *message)
{
	*req->con_cls = &http_first_call_marker;
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		req->retry_after = HTTP_BUSY_RETRY_S;
	if (http_is_api(req->path))
		return http_respond_api_error(req, status, code, message);
	return http_respond_error(req, status, message);
}

/* The first call of a newsroom or API request, its headers read and no byte
 * of its body: who is asking decides how large a body may be, and the
 * worker's count of buffered bytes whether it is read now. */
static enum MHD_Result http_newsroom_begin(struct http_request *req)
{
	struct http_server *s = req->server;
	struct http_newsroom *nr;
	struct http_principal who;
	const char *cl;
	size_t max = HTTP_MAX_BODY, declared = 0;
	int reading = http_is_read(req->method);

	cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		unsigned long long v = strtoull(cl, NULL, 10);
		declared = v > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)v;
	}
	if (!reading) {
		/* On this thread, with the worker's store: an indexed read of one
		 * row, and under WAL no writer makes it wait. The route checks
		 * again on the newsroom thread; this only sizes the body. */
		if (http_auth_resolve(req, &who) < 0) {
			const char *code;
			unsigned status = http_auth_failure(req, &code);

			return http_refuse(req, status, code,
					   "The database cannot be read just now; try again.");
		}
		max = who.signed_in ? HTTP_MAX_UPLOAD : HTTP_MAX_ANON_BODY;
		if (!who.signed_in && declared > max && declared <= HTTP_MAX_UPLOAD) {
			/* Refused, but its body is read and dropped (never held) before
			 * the answer: a reverse proxy that is still sending it when the
			 * connection closes would answer 502 in our place (nginx does),
			 * and a journalist whose session ended would lose the post to
			 * "Bad Gateway" instead of being asked to sign in. */
			http_principal_cleanup(&who);
			nr = calloc(1, sizeof(*nr));
			if (!nr)
				return MHD_NO;
			nr->discard = 1;
			if (http_is_api(req->path)) {
				nr->refuse_status = MHD_HTTP_UNAUTHORIZED;
				nr->refuse_code = "unauthenticated";
				nr->refuse_message = "Sign in, or send an API token as "
						     "\"Authorization: Bearer TOKEN\".";
			} else {
				nr->refuse_status = MHD_HTTP_CONTENT_TOO_LARGE;
				nr->refuse_code = "too_large";
				nr->refuse_message = "Sign in first: without a session, a "
						     "form may be at most 16 KiB.";
			}
			*req->con_cls = nr;
			return MHD_YES;
		}
		http_principal_cleanup(&who);
	}
	if (declared > max)
		return http_refuse(req, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
				   "The request body is too large.");
	if (!reading && declared && declared + 1 > HTTP_BUFFERED_MAX - s->buffered)
		return http_refuse(req, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
				   "The server is receiving too many uploads; try again "
				   "in a few seconds.");
	nr = calloc(1, sizeof(*nr));
	if (!nr)
		return MHD_NO;
	nr->max = max;
	nr->discard = reading;
	if (!reading && declared) {
		nr->declared = declared;
		nr->charged = declared + 1;
		s->buffered += nr->charged;
	}
	*req->con_cls = nr;
	return MHD_YES;
}

/* Runs a newsroom or API request on the newsroom thread, with its store. */
static void http_newsroom_run(struct http_job *job, struct store *st)
{
	struct http_newsroom *nr = (struct http_newsroom *)((char *)job -
							      offsetof(struct http_newsroom, job));
	struct http_request *req = &nr->req;

	req->store = st;
	req->result = &nr->result;
	if (http_is_api(req->path))
		nr->result.ret = http_api_route(req);
	else
		nr->result.ret = http_newsroom_route(req);
}

/* The final call(s) of a newsroom or API request: hand it to the newsroom
 * thread, then, called again once the thread resumed the connection, queue
 * the answer it built. */
static enum MHD_Result http_newsroom_finish(struct http_request *req, struct http_newsroom *nr)
{
	struct http_server *s = req->server;
	struct MHD_Response *r;

	if (nr->refuse_status) {
		if (http_is_api(req->path))
			return http_respond_api_error(req, nr->refuse_status, nr->refuse_code,
						      nr->refuse_message);
		return http_respond_error(req, nr->refuse_status, nr->refuse_message);
	}
	switch (http_offload_state(s->offload, &nr->job)) {
	case HTTP_JOB_IDLE:
		nr->req = *req;
		nr->req.body = nr->body ? nr->body : "";
		nr->req.body_len = nr->len;
		nr->req.con_cls = NULL; /* the thread leaves libmicrohttpd's slot alone */
		nr->job.run = http_newsroom_run;
		if (http_offload_submit(s->offload, &nr->job, req->conn) < 0)
			break;
		return MHD_YES;
	case HTTP_JOB_DONE:
		http_body_free(s, nr);
		/* Set here, on the worker's thread, which reads the change log
		 * next (http_server_take_written). */
		if (!http_is_read(req->method))
			s->written = 1;
		r = nr->result.response;
		nr->result.response = NULL;
		req->answer_bytes = nr->result.bytes;
		if (!r && nr->result.ret == MHD_NO)
			return MHD_NO; /* out of memory: libmicrohttpd closes */
		if (!r)
			return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
						  "The request got no answer.");
		return http_respond(req, nr->result.status, r, HTTP_HEADERS_DONE);
	case HTTP_JOB_ABANDONED:
		break;
	default:
		/* Queued or running, yet libmicrohttpd called: the connection was
		 * not suspended after all. */
		log_warnx("%s %s: called while the newsroom thread holds it", req->method,
			  req->path);
		abort();
	}
	http_body_free(s, nr);
	req->retry_after = HTTP_BUSY_RETRY_S;
	if (http_is_api(req->path))
		return http_respond_api_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "stopping",
					      "The server is stopping; try again.");
	return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "The server is stopping; try again.");
}

/* libmicrohttpd's access handler: called once when the headers are read,
 * then for each piece of the body, then once more with none (the final call;
 * again after a resume). Readers are answered on this thread; newsroom and
 * API requests are read here and run on the newsroom thread. */
static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn,
				   const char *url, const char *method,
				   const char *version, const char *upload_data,
				   size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_request req = {
		.server = s, .store = s->store, .conn = conn, .method = method, .path = url,
		.version = version, .con_cls = con_cls,
	};
	void *state = *con_cls;
	struct http_newsroom *nr = state;
	enum MHD_Result framing;
	const char *cl;

	http_log_request(&req);
	if (http_check_framing(&req, upload_data_size, &framing))
		return framing;
	if (state == NULL) {
		struct http_conn_track *t = http_conn_track_of(conn);

		if (t)
			t->busy = 1;
		if (http_is_newsroom(url))
			return http_newsroom_begin(&req);
		*con_cls = &http_first_call_marker;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > HTTP_MAX_BODY)
			return http_respond_error(&req, MHD_HTTP_CONTENT_TOO_LARGE,
						  "The request body is too large.");
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (http_is_marker(state) || nr->discard)
			return MHD_YES; /* no reader route takes a body: dropped */
		/* Only a body without a Content-Length can cross a limit here, and
		 * libmicrohttpd takes no answer while a body arrives (0.9.75 queues
		 * one only at the first and the final call): close. */
		return http_body_append(s, nr, upload_data, n) == 0 ? MHD_YES : MHD_NO;
	}
	/* The final call: on a retiring worker the connection closes after this
	 * answer (as if the client had asked: prebuilt responses are shared and
	 * cannot carry a header of their own), so a client that keeps sending
	 * on it goes to a new worker rather than meeting the end of the drain. */
	if (s->retiring)
		MHD_set_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONNECTION, "close");
	if (!http_is_marker(state))
		return http_newsroom_finish(&req, nr);
	if (!http_is_read(method))
		return http_respond_error(&req, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "This address can only be read (GET or HEAD).");
	if (strncmp(url, "/media/", 7) == 0)
		return http_media_route(&req);
	return http_reader_route(&req);
}

/* Every line of one header, joined with ", " in the order they came. */
struct http_joined {
	const char *name;
	char *buf;
	size_t len, used;
	int lines, overflow;
};

static enum MHD_Result http_join_value(void *cls, enum MHD_ValueKind kind, const char *key,
				       const char *value)
{
	struct http_joined *j = cls;
	int n;

	(void)kind;
	if (strcasecmp(key, j->name) != 0 || !value)
		return MHD_YES;
	n = snprintf(j->buf + j->used, j->len - j->used, "%s%s", j->lines ? ", " : "", value);
	if (n < 0 || (size_t)n >= j->len - j->used) {
		j->overflow = 1;
		return MHD_NO;
	}
	j->used += (size_t)n;
	j->lines++;
	return MHD_YES;
}

/* A list-valued header whole: a proxy that appends its own line (rather than
 * extending the client's) puts the entry we trust in the LAST line, which a
 * lookup of the first would never see, letting a client name its own
 * address. NULL when absent; "?" (which reads as no address, so the peer
 * stands) when the lines are longer than any honest chain of proxies. */
static const char *http_header_joined(struct MHD_Connection *conn, const char *name, char *buf,
				      size_t len)
{
	struct http_joined j = { name, buf, len, 0, 0, 0 };

	buf[0] = '\0';
	MHD_get_connection_values(conn, MHD_HEADER_KIND, http_join_value, &j);
	if (j.overflow)
		return "?";
	return j.lines ? buf : NULL;
}

void http_request_client(struct http_request *req, struct http_client *out)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char xff[2048], xfp[256], fwd[2048];

	http_client_resolve(&req->server->proxies, ci ? ci->client_addr : NULL,
			    http_header_joined(req->conn, "X-Forwarded-For", xff, sizeof(xff)),
			    http_header_joined(req->conn, "X-Forwarded-Proto", xfp, sizeof(xfp)),
			    http_header_joined(req->conn, "Forwarded", fwd, sizeof(fwd)), out);
}

int http_request_https(struct http_request *req)
{
	struct http_client c;

	/* Without trusted proxies nothing can say https: skip the header lookups. */
	if (req->server->proxies.n == 0)
		return 0;
	http_request_client(req, &c);
	return c.https;
}

void http_peer_address(struct http_request *req, char *out, size_t len)
{
	struct http_client c;

	http_request_client(req, &c);
	snprintf(out, len, "%s", c.addr);
}

const char *http_arg(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result http_queue_owned(struct http_request *req, unsigned status, char *data,
					size_t len, const char *type, int private_page,
					const char *cookie)
{
	struct MHD_Response *r = http_response_owned(data, len, type, "no-store");

	if (!r)
		return MHD_NO;
	req->answer_bytes = len;
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	if (status == MHD_HTTP_UNAUTHORIZED && !private_page)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"liveline\"");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST, PUT, PATCH, DELETE");
	return http_respond(req, status, r,
			    private_page ? HTTP_HEADERS_PRIVATE : HTTP_HEADERS_READER);
}

/* Answers with `j` as compact JSON; takes over the reference. */
static enum MHD_Result http_respond_json_doc(struct http_request *req, unsigned status,
					     json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);

	json_decref(j);
	if (!text)
		return MHD_NO;
	return http_queue_owned(req, status, text, strlen(text), HTTP_CT_JSON, 0, NULL);
}

enum MHD_Result http_respond_json(struct http_request *req, unsigned status, json_t *body)
{
	if (!body)
		return http_respond_api_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
					      "Out of memory.");
	return http_respond_json_doc(req, status, body);
}

enum MHD_Result http_respond_api_error(struct http_request *req, unsigned status,
				       const char *code, const char *message)
{
	json_t *j = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);

	if (!j)
		return MHD_NO;
	return http_respond_json_doc(req, status, j);
}

enum MHD_Result http_respond_private_html(struct http_request *req, unsigned status,
					  struct buf *html, const char *cookie)
{
	size_t len;
	char *data;

	if (html->err) {
		buf_cleanup(html);
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "The page could not be made.");
	}
	data = buf_detach(html, &len);
	if (!data)
		return MHD_NO;
	return http_queue_owned(req, status, data, len, HTTP_CT_HTML, 1, cookie);
}

enum MHD_Result http_respond_redirect(struct http_request *req, const char *location,
				      const char *cookie)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (cookie)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	return http_respond(req, MHD_HTTP_SEE_OTHER, r, HTTP_HEADERS_READER);
}

/* The connection cap counts the streams the hub holds (no longer
 * libmicrohttpd's) with libmicrohttpd's own connections. */
static enum MHD_Result http_accept_policy(void *cls, const struct sockaddr *addr,
					  socklen_t addrlen)
{
	struct http_server *s = cls;
	const union MHD_DaemonInfo *i;
	size_t open = stream_hub_subscribers(s->hub), dropping = s->n_dropped;

	(void)addr;
	(void)addrlen;
	if (!s->daemon)
		return MHD_YES;
	i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	/* Those whose stream the hub took are counted once, as streams. */
	if (i && i->num_connections > dropping)
		open += i->num_connections - dropping;
	if (open < s->connection_limit) {
		s->cap_logged = 0;
		return MHD_YES;
	}
	if (!s->cap_logged)
		log_warnx("refusing connections: %u open, the cap (--connections)",
			  s->connection_limit);
	s->cap_logged = 1;
	return MHD_NO;
}

static void http_connection_notify(void *cls, struct MHD_Connection *conn,
				   void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct http_conn_track *t = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		/* Without memory the connection is only out of the retiring
		 * worker's reach (it then ends on its idle timeout) and the
		 * access log's (it gets no line). */
		t = calloc(1, sizeof(*t));
		if (t) {
			t->conn = conn;
			util_list_push(&s->conns, &t->link);
			http_log_conn_start(s, t);
		}
		*socket_context = t;
		if (s->retiring)
			http_conn_hurry(conn);
		return;
	}
	if (code != MHD_CONNECTION_NOTIFY_CLOSED)
		return;
	if (t) {
		http_log_conn_end(s, conn, t);
		util_list_remove(&s->conns, &t->link);
		free(t);
		*socket_context = NULL;
	}
	for (size_t i = 0; i < s->n_dropped; i++) {
		if (s->dropped[i] == conn) {
			s->dropped[i] = s->dropped[--s->n_dropped];
			return;
		}
	}
}

/* The request line, before libmicrohttpd parses its query: the access log
 * keeps the target as sent, then the framing rules count its parameters. */
static void *http_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	http_log_uri(cls, conn, uri);
	return http_framing_uri(NULL, uri, conn);
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

struct http_server *http_server_new(const struct http_config *cfg, struct store *store,
				    char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->store = store;
	s->live = cfg->live;
	s->cache = live_cache(cfg->live);
	s->hub = live_hub(cfg->live);
	s->site = *live_site(cfg->live);
	s->media_dir = cfg->media_dir;
	if (cfg->trusted_proxies)
		s->proxies = *cfg->trusted_proxies;
	s->metrics_allow_given = cfg->metrics_allow && cfg->metrics_allow->n;
	if (s->metrics_allow_given)
		s->metrics_allow = *cfg->metrics_allow;
	else if (http_proxies_add(&s->metrics_allow, HTTP_METRICS_DEFAULT_ALLOW, err, errlen) < 0)
		goto fail;
	s->log = cfg->access_log;
	/* Our prebuilt responses ride on the live state's cache entries. */
	page_cache_set_attached_free(s->cache, http_attached_free);
	s->connection_limit = cfg->connection_limit;
	s->sendfile_max = cfg->sendfile_files;
	/* Made now, before the worker raises its own thread's priority: the
	 * newsroom's thread runs in the normal class (util/prio.h). */
	s->offload = http_offload_new(cfg->newsroom_store, err, errlen);
	if (!s->offload)
		goto fail;
	/* Epoll and turbo are what http_respond_stream() needs to hand sockets over;
	 * suspend and resume hand newsroom requests to their thread. */
	s->daemon = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
		0, http_accept_policy, s, http_access, s,
		MHD_OPTION_LISTEN_SOCKET, cfg->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->connection_memory,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout,
		MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL,
		/* Workers ignore SIGPIPE: this lets libmicrohttpd use sendfile(). */
		MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, s,
		MHD_OPTION_URI_LOG_CALLBACK, http_uri, s,
		MHD_OPTION_NOTIFY_CONNECTION, http_connection_notify, s,
		MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "libmicrohttpd could not start on the listening socket");
		goto fail;
	}
	if (cfg->metrics_listen && http_metrics_listen(s, cfg->metrics_fd) < 0) {
		snprintf(err, errlen, "libmicrohttpd could not start on the metrics socket");
		MHD_stop_daemon(s->daemon);
		goto fail;
	}
	return s;
fail:
	http_offload_free(s->offload);
	page_cache_set_attached_free(s->cache, NULL);
	free(s);
	return NULL;
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	/* Streams still being opened end on their first read. */
	stream_hub_shutdown(s->hub);
	/* The newsroom thread finishes the request it runs and resumes the
	 * queued ones, which libmicrohttpd must have before it stops. */
	http_offload_stop(s->offload);
	for (int i = 0; i < 100 && stream_hub_subscribers(s->hub) > 0; i++)
		MHD_run(s->daemon);
	MHD_stop_daemon(s->daemon);
	if (s->metrics_daemon)
		MHD_stop_daemon(s->metrics_daemon);
	http_offload_free(s->offload);
	/* The cache outlives us: our responses leave it now, while we can
	 * count their files. */
	page_cache_drop_all(s->cache);
	page_cache_set_attached_free(s->cache, NULL);
	free(s->dropped);
	free(s);
}

int http_server_fd(const struct http_server *s)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

int http_server_metrics_fd(const struct http_server *s)
{
	const union MHD_DaemonInfo *i;

	if (!s->metrics_daemon)
		return -1;
	i = MHD_get_daemon_info(s->metrics_daemon, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

int http_server_wake_fd(const struct http_server *s)
{
	return http_offload_fd(s->offload);
}

int http_server_timeout_ms(struct http_server *s)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(s->daemon, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (int)t;
}

/* The open-connections gauge (util/stats.h), counted as the cap counts them
 * (http_accept_policy): streams, and libmicrohttpd's connections but those
 * whose stream the hub took. */
static void http_count_connections(struct http_server *s)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	size_t open = stream_hub_subscribers(s->hub);

	if (i && i->num_connections > s->n_dropped)
		open += i->num_connections - s->n_dropped;
	stats_gauge_set(STATS_CONNECTIONS, (int64_t)open);
}

int http_server_run(struct http_server *s)
{
	int rc;

	/* Before the run, which then answers what the thread finished. */
	http_offload_collect(s->offload);
	rc = MHD_run(s->daemon) == MHD_YES ? 0 : -1;
	if (s->metrics_daemon && MHD_run(s->metrics_daemon) != MHD_YES)
		rc = -1;
	http_count_connections(s);
	return rc;
}

void http_server_quiesce(struct http_server *s)
{
	if (!s->quiesced) {
		int fd = MHD_quiesce_daemon(s->daemon);
		s->quiesced = 1;
		if (fd >= 0)
			close(fd);
	}
}

int http_server_take_written(struct http_server *s)
{
	int w = s->written;

	s->written = 0;
	return w;
}

void http_server_retire(struct http_server *s, unsigned retry_min_ms, unsigned retry_max_ms)
{
	http_server_quiesce(s);
	s->retiring = 1;
	for (struct util_link *l = s->conns.head; l; l = l->next) {
		struct http_conn_track *t = UTIL_CONTAINER(l, struct http_conn_track, link);

		if (!t->busy)
			http_conn_hurry(t->conn);
	}
	stream_hub_retire(s->hub, retry_min_ms, retry_max_ms);
}

size_t http_server_open(struct http_server *s)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	size_t open = stream_hub_subscribers(s->hub) + http_offload_busy(s->offload);

	/* Those whose socket the hub took are libmicrohttpd's no longer. */
	if (i && i->num_connections > s->n_dropped)
		open += i->num_connections - s->n_dropped;
	return open;
}

size_t http_server_end_streams(struct http_server *s)
{
	stream_hub_shutdown(s->hub);
	return stream_hub_subscribers(s->hub) + http_offload_busy(s->offload);
}
