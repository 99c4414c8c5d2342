/*
 * Shared between the HTTP adapter (http_server.c) and the route handlers
 * (http_reader.c, http_feed.c, the newsroom's): the request as handlers see
 * it and the ways to answer it. Every response, error pages, streams, health
 * and media included, leaves through one function, http_respond(), which adds
 * the security headers and queues it; the http_respond_*() helpers build a
 * kind of response and hand it there.
 */
#ifndef LIVELINE_HTTP_INTERNAL_H
#define LIVELINE_HTTP_INTERNAL_H

#include <stdint.h>

#include <microhttpd.h>

#include <jansson.h>

#include "http/http.h"
#include "http/http_offload.h"
#include "live/live.h"
#include "util/list.h"
#include "page/page_cache.h"
#include "render/render.h"
#include "store/store.h"
#include "stream/stream.h"
#include "util/buf.h"

struct http_server {
	struct MHD_Daemon *daemon;
	struct store *store;
	struct live *live;         /* the worker's live state (borrowed) */
	struct page_cache *cache;  /* live_cache(live), kept for the hit path */
	struct stream_hub *hub;    /* live_hub(live) */
	struct render_site site;   /* *live_site(live) */
	const char *media_dir; /* uploaded images; NULL: uploads refused */
	unsigned connection_limit; /* streams and libmicrohttpd's connections together */
	int cap_logged;            /* the cap was reached, and said so once */
	unsigned sendfile_files;   /* cached bodies held in memfds */
	unsigned sendfile_max;     /* ...at most (http_config.sendfile_files) */
	int quiesced;
	int written; /* a newsroom request changed something (http_server_take_written) */
	/* Connections libmicrohttpd was told to drop after the hub took their
	 * socket, until it frees them (the connection cap counts them once). */
	struct MHD_Connection **dropped;
	size_t n_dropped, cap_dropped;
	struct http_offload *offload; /* the newsroom thread (http_offload.h) */
	size_t buffered; /* bytes held for request bodies (HTTP_BUFFERED_MAX) */
	struct http_proxies proxies; /* --trusted-proxy */
	struct http_proxies metrics_allow; /* who may read /metrics (http_metrics.h) */
	int metrics_allow_given;           /* ...named by --metrics-allow */
	struct MHD_Daemon *metrics_daemon; /* the metrics listener, or NULL */
	struct http_log *log;        /* the access log (borrowed), or NULL */
	/* libmicrohttpd's open connections (struct http_conn_track), so that a
	 * retiring worker can close the idle ones (http_server_retire). */
	struct util_list conns;
	int retiring;
};

/* An answer built on the newsroom thread, queued later by the worker's. */
struct http_result {
	struct MHD_Response *response; /* NULL: none was made */
	unsigned status;
	enum MHD_Result ret;           /* what the route returned */
	uint64_t bytes;                /* its body's length (answer_bytes) */
};

/* A request as a route sees it. On the newsroom thread (`result` set) a route
 * reads only the server's `site` and `media_dir`, which never change, and uses
 * `store`, the thread's connection; the connection's headers and arguments
 * may be read (libmicrohttpd leaves a suspended connection alone). */
struct http_request {
	struct http_server *server;
	struct store *store;  /* the store connection this request may use */
	struct MHD_Connection *conn;
	const char *method;
	const char *path;     /* the URL path, without the query */
	const char *version;  /* "HTTP/1.1" */
	const char *body;     /* the request body (NUL-terminated), or NULL */
	size_t body_len;
	int retry_after;      /* seconds; when > 0 the answer says Retry-After */
	void **con_cls;       /* libmicrohttpd's per-request slot (see http_server.c) */
	struct http_result *result; /* set on the newsroom thread: answers go here */
	uint64_t answer_bytes; /* the answer's body length, for the access log: set by
				* whoever builds it, before http_respond() */
};

/* One of libmicrohttpd's connections, known to the server from its start to
 * its end: its socket context (http_server.c's http_connection_notify), made
 * when it opens and freed when it closes. */
struct http_conn_track {
	struct util_link link;       /* on the server's `conns`: a retiring worker
				      * reaches the idle ones */
	struct MHD_Connection *conn;
	int busy; /* a request's headers are in and it is not answered yet */
	struct http_log_conn *log;   /* the access log's record, or NULL */
};

/* The access log's hooks (http_log.c; each returns at once without a log).
 * A connection's track holds its current request's record, made at
 * MHD_CONNECTION_NOTIFY_STARTED (http_log_conn_start) and freed, after logging
 * a request libmicrohttpd answered itself, at MHD_CONNECTION_NOTIFY_CLOSED
 * (http_log_conn_end). The request line starts a record (http_log_uri, from
 * the URI callback: the target as sent, and the clock); the handler's first
 * call notes the method (http_log_request); http_respond() the status and
 * length queued (http_log_answer); MHD_OPTION_NOTIFY_COMPLETED writes the
 * line (http_log_completed), but for a stream handed to the hub, whose line
 * the hub's end of it writes (http_log_stream, before stream_sub_start). */
struct http_log;
struct http_log_conn;
void http_log_conn_start(struct http_server *s, struct http_conn_track *t);
void http_log_conn_end(struct http_server *s, struct MHD_Connection *conn,
		       struct http_conn_track *t);
void http_log_uri(struct http_server *s, struct MHD_Connection *conn, const char *uri);
void http_log_request(struct http_request *req);
void http_log_answer(struct http_request *req, unsigned status);
void http_log_completed(struct http_server *s, struct MHD_Connection *conn);
void http_log_stream(struct http_server *s, struct MHD_Connection *conn, struct stream_sub *sub);

/* Request bodies: newsroom forms and API calls with a valid session or token
 * up to this (an image upload with its form); everything else up to
 * HTTP_MAX_BODY, read and dropped, as no other route takes a body. */
#define HTTP_MAX_UPLOAD ((size_t)17 * 1024 * 1024)
/* Newsroom and API bodies sent without a valid session or token: the only
 * such request that may succeed is the sign-in form (a login and a password). */
#define HTTP_MAX_ANON_BODY ((size_t)16 * 1024)
/* The bytes a worker holds for request bodies, all requests together: beyond
 * it a newsroom request is answered 503 with Retry-After (three full uploads
 * fit). Counted from Content-Length before any byte is read. */
#define HTTP_BUFFERED_MAX ((size_t)64 * 1024 * 1024)
#define HTTP_BUSY_RETRY_S 5

/* Parses a positive decimal id (no sign, no leading zeros, fits int64) of
 * `len` bytes. Returns 0, or -1 if it is not one. */
int http_parse_id(const char *s, size_t len, int64_t *out);
/* The same for a NUL-terminated path segment; 0 when it is not an id. */
int64_t http_segment_id(const char *s);

/* The parts of /live/... that name one thing on a page. */
enum http_live_what {
	HTTP_LIVE_PAGE,
	HTTP_LIVE_POST,
	HTTP_LIVE_EVENTS,
	HTTP_LIVE_CHANGES,
	HTTP_LIVE_TEXT,
	HTTP_LIVE_FEED_ATOM,
	HTTP_LIVE_FEED_RSS,
	HTTP_LIVE_FEED_JSON,
	HTTP_LIVE_SEARCH,
	HTTP_LIVE_EMBED, /* /embed (http_embed.c) */
};
/* Splits the path after /live/, "SLUG[.txt][/posts/ID|/events|/changes|
 * /feed.EXT|/search|/embed]": the slug (valid, model_slug_valid) into `slug` (`cap` bytes),
 * what it names, and the post's id for /posts/ID. Returns 0, or -1 when the
 * path names nothing. (Public for tests/fuzz/fuzz_path.c.) */
int http_live_parse(const char *rest, char *slug, size_t cap, enum http_live_what *what,
		    int64_t *post_id);

/* 1 if a response of unknown length goes out chunked: libmicrohttpd chunks
 * for HTTP/1.1 and later 1.x clients (its MHD_IS_HTTP_VER_1_1_COMPAT). */
int http_chunked(const struct http_request *req);
/* Holds back the answer's first segments until it is complete (TCP_CORK,
 * released when libmicrohttpd reports the request done). For a response from
 * a file, which libmicrohttpd sends as headers then sendfile(), each pushed on
 * its own: corked, headers and body leave as one segment, as nginx's
 * tcp_nopush does. Call just before MHD_queue_response. */
void http_cork(struct http_request *req);
/* 1 if the method is GET or HEAD. */
int http_is_read(const char *method);
/* The client's address as text ("127.0.0.1", "::1"), into out: the TCP
 * peer's, or the one a trusted proxy names (http_proxy.h). It keys the
 * sign-in limits and names the client in logs. */
void http_peer_address(struct http_request *req, char *out, size_t len);
/* The client as far as we can tell: its address, and whether it reached a
 * trusted proxy over https (http_client_resolve()). */
void http_request_client(struct http_request *req, struct http_client *out);
/* 1 if the request came over https (through a trusted proxy). */
int http_request_https(struct http_request *req);
/* A query argument of the request, or NULL. */
const char *http_arg(struct http_request *req, const char *name);

/* What http_respond() adds to a response. */
enum http_headers {
	HTTP_HEADERS_READER,       /* the reader's security headers, by the response's
				    * Content-Type (http_add_reader_headers), HSTS over
				    * https, and Retry-After when the request sets one */
	HTTP_HEADERS_READER_PLAIN, /* the same without HSTS (streams; framing errors) */
	HTTP_HEADERS_PRIVATE,      /* a newsroom page's (HTTP_CSP_PRIVATE) */
	HTTP_HEADERS_PREBUILT,     /* none: a cache entry's prebuilt response, which
				    * has the reader's already and is shared, not
				    * taken over */
	HTTP_HEADERS_DONE,         /* none: built by http_respond() on the newsroom
				    * thread, queued now by the worker's */
};

/* The one place an answer leaves: adds `headers`, then queues `r` on the
 * connection or, on the newsroom thread, keeps it in the request's result for
 * the worker's thread to queue (http_offload.h). Takes over the caller's
 * reference to `r` (but for HTTP_HEADERS_PREBUILT). */
enum MHD_Result http_respond(struct http_request *req, unsigned status, struct MHD_Response *r,
			     enum http_headers headers);

/* Answers with a JSON document (takes over `body`; NULL answers 500), marked
 * not to be cached. */
enum MHD_Result http_respond_json(struct http_request *req, unsigned status, json_t *body);

struct newsroom_result;
/* The HTTP status of a newsroom action's outcome (newsroom/newsroom.h): the one
 * mapping that the API (http_api.c) and the forms (http_newsroom.c) share. */
unsigned http_newsroom_status(const struct newsroom_result *res);
/* Answers {"error": {"code", "message"}}. */
enum MHD_Result http_respond_api_error(struct http_request *req, unsigned status,
				       const char *code, const char *message);
/* Answers with a newsroom page (private: no-store, with a Content-Security-
 * Policy that allows only our own scripts and styles). Takes the buffer's
 * contents; a buffer in error answers 500. `cookie`, if not NULL, is a
 * Set-Cookie value. */
enum MHD_Result http_respond_private_html(struct http_request *req, unsigned status,
					  struct buf *html, const char *cookie);
/* 303 See Other to `location` (a path of ours), with an optional Set-Cookie. */
enum MHD_Result http_respond_redirect(struct http_request *req, const char *location,
				      const char *cookie);

/* The newsroom's JSON API (http_api.c): every method under /api/. */
enum MHD_Result http_api_route(struct http_request *req);
/* The newsroom's pages and forms (http_newsroom.c): /newsroom and below. */
enum MHD_Result http_newsroom_route(struct http_request *req);
/* The form parsing of http_newsroom_route() alone (for tests/fuzz/fuzz_form.c):
 * parses req's body as a form (urlencoded or multipart, by req's Content-Type)
 * and adds a post form's fields to `in` as the API's JSON (title, body, bylines,
 * breaking, key_event, publish_at, version). Returns 0, or -1 if the body is not
 * a form or holds text that is not UTF-8. */
int http_newsroom_form_json(struct http_request *req, json_t *in);
/* Uploaded images (http_newsroom.c): GET /media/NAME-W.EXT. */
enum MHD_Result http_media_route(struct http_request *req);

/* 1 if an If-None-Match value `inm` matches the strong ETag `etag` (with its
 * quotes): "*", or any entity-tag of the list equal to it, W/ or not (RFC 9110
 * 13.1.2 compares weakly). (Public for tests/unit/http/test_http_server.c.) */
int http_etag_matches(const char *inm, const char *etag);
/* Answers with a cached entry: 304 when If-None-Match matches its ETag, the gzip
 * copy when the client accepts gzip, else the plain body. */
enum MHD_Result http_respond_entry(struct http_request *req, struct page_entry *e);

/* Answers HEAD for a stream (/events, .txt?follow=1): the headers a GET's
 * stream starts with, no body, and the connection closed after them (a stream
 * has no length to give, and HEAD must not open one). */
enum MHD_Result http_respond_stream_head(struct http_request *req, const char *content_type);
/* Opens a stream of `page` (stream_sub_new() says what `kind`, `since` and
 * the snapshot mean): sends the stream's headers, then hands the socket to the
 * hub (stream_sub_start) and has libmicrohttpd drop the connection.
 *
 * The daemon runs with MHD_USE_TURBO (so that it closes a connection without
 * shutdown(), which would end the stream for the hub too) and in epoll mode
 * (it removes a socket from its epoll set before closing it). */
enum MHD_Result http_respond_stream(struct http_request *req, const struct model_page *page,
				    enum stream_kind kind, int64_t since, const char *snapshot,
				    size_t snapshot_len);

/* A response that takes over `data` (malloc'd; freed on failure too), with
 * its Content-Type and Cache-Control. NULL when out of memory. */
struct MHD_Response *http_response_owned(char *data, size_t len, const char *type,
					 const char *cache_control);

/* Answers with a short HTML error page (not cached). `message` is plain text. */
enum MHD_Result http_respond_error(struct http_request *req, unsigned status,
				   const char *message);

/* GET /metrics, for the allowed networks only, and GET /readyz
 * (http_metrics.c). */
enum MHD_Result http_metrics_serve(struct http_request *req);
enum MHD_Result http_readyz(struct http_request *req);
/* Serves /metrics alone on listening socket `fd` (taken over), with a
 * libmicrohttpd daemon of its own, s->metrics_daemon, which http_server_run()
 * runs with the main one. 0, or -1. */
int http_metrics_listen(struct http_server *s, int fd);

/* What the site tells crawlers (http_sitemap.c): GET /robots.txt,
 * /sitemap.xml, /sitemap-news.xml and /favicon.ico, each from the cache. */
enum MHD_Result http_robots(struct http_request *req);
enum MHD_Result http_sitemap(struct http_request *req);
enum MHD_Result http_sitemap_news(struct http_request *req);
enum MHD_Result http_favicon(struct http_request *req);
/* GET /live/SLUG/embed and GET /oembed (http_embed.c). */
enum MHD_Result http_embed(struct http_request *req, const char *slug);
enum MHD_Result http_oembed(struct http_request *req);

/* Reader routes (http_reader.c): GET and HEAD of /, /live/..., /static/...
 * Returns the result of the http_respond_* call it made. */
enum MHD_Result http_reader_route(struct http_request *req);

/* What every reader response says to the browser, for defence in depth
 * (http_respond() adds them): scripts, styles and connections only from here
 * (web/live.js and style.css; its EventSource is same-origin), images and
 * video also from other sites (posts link them), never framed, except the
 * embed (HTTP_CSP_EMBED). */
#define HTTP_CSP_READER_SOURCES                                                          \
	"default-src 'self'; img-src 'self' https: http: data:; media-src 'self' https: " \
	"http:; object-src 'none'; base-uri 'none'; form-action 'self'; "
#define HTTP_CSP_READER HTTP_CSP_READER_SOURCES "frame-ancestors 'none'"
/* The embed's (/live/SLUG/embed, the one page other sites may frame): the
 * reader's, with any site as a frame ancestor, and sent without
 * X-Frame-Options. */
#define HTTP_CSP_EMBED HTTP_CSP_READER_SOURCES "frame-ancestors *"
/* A newsroom page's: only our own scripts and styles, images also from other
 * sites and pasted (data:, blob:), embeds over https. */
#define HTTP_CSP_PRIVATE                                                           \
	"default-src 'self'; img-src 'self' https: data: blob:; frame-src https:; " \
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
/* For what is not a page (JSON, feeds, text, images): nothing runs. */
#define HTTP_CSP_NONE "default-src 'none'; frame-ancestors 'none'"
#define HTTP_REFERRER_POLICY "strict-origin-when-cross-origin"
/* Sent on responses to https requests: a year, this host only. Not
 * includeSubDomains or preload: those bind other hosts of the domain (and,
 * preloaded, every browser for months), which only the domain's owner can
 * decide; docs/deploy/ says how to add them at the proxy. */
#define HTTP_HSTS "max-age=31536000"


/* Cache-Control values (the live state's own are page_cache.h's). */
#define HTTP_CC_LIVE    PAGE_CC_LIVE
#define HTTP_CC_STABLE  PAGE_CC_STABLE
#define HTTP_CC_SHORT   "public, max-age=30"
#define HTTP_CC_STATIC  "public, max-age=31536000, immutable"
#define HTTP_CC_POLL    "public, max-age=1"
#define HTTP_CT_HTML    PAGE_CT_HTML
#define HTTP_CT_EVENTS  "text/event-stream; charset=utf-8"
#define HTTP_CT_TEXT    "text/plain; charset=utf-8"
#define HTTP_CT_JSON    "application/json"

enum http_feed_kind { HTTP_FEED_ATOM, HTTP_FEED_RSS, HTTP_FEED_JSON };

/* Feeds of a live page (http_feed.c). */
enum MHD_Result http_feed(struct http_request *req, const char *slug, enum http_feed_kind kind);

#endif
