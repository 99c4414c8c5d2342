/*
 * Shared between the HTTP adapter (http_server.c) and the route handlers
 * (http_reader.c): the request as handlers see it and the ways to answer it.
 * Every response, error pages included, goes through http_respond_*().
 */
#ifndef LIVELINE_HTTP_INTERNAL_H
#define LIVELINE_HTTP_INTERNAL_H

#include <microhttpd.h>

#include "http/http.h"
#include "page/page_cache.h"
#include "render/render.h"
#include "store/store.h"
#include "stream/stream.h"

struct http_server {
	struct MHD_Daemon *daemon;
	struct store *store;
	struct page_cache *cache;
	struct stream_hub *hub;
	struct render_site site;
	int quiesced;
};

struct http_request {
	struct http_server *server;
	struct MHD_Connection *conn;
	const char *method;
	const char *path; /* the URL path, without the query */
};

/* Answers with a cached entry: 304 when If-None-Match matches its ETag, the gzip
 * copy when the client accepts gzip, else the plain body. */
enum MHD_Result http_respond_entry(struct http_request *req, struct page_entry *e);

/* Answers with a short HTML error page (not cached). `message` is plain text. */
enum MHD_Result http_respond_error(struct http_request *req, unsigned status,
				   const char *message);

/* Reader routes (http_reader.c): GET and HEAD of /, /live/..., /static/...
 * Returns the result of the http_respond_* call it made. */
enum MHD_Result http_reader_route(struct http_request *req);

/* Cache-Control values. */
#define HTTP_CC_LIVE    "public, max-age=5, stale-while-revalidate=30"
#define HTTP_CC_STABLE  "public, max-age=3600, stale-while-revalidate=86400"
#define HTTP_CC_SHORT   "public, max-age=30"
#define HTTP_CC_STATIC  "public, max-age=31536000, immutable"
#define HTTP_CC_POLL    "public, max-age=1"
#define HTTP_CT_HTML    "text/html; charset=utf-8"
#define HTTP_CT_TEXT    "text/plain; charset=utf-8"
#define HTTP_CT_JSON    "application/json"

enum http_feed_kind { HTTP_FEED_ATOM, HTTP_FEED_RSS, HTTP_FEED_JSON };

/* Feeds of a live page (http_feed.c). */
enum MHD_Result http_feed(struct http_request *req, const char *slug, enum http_feed_kind kind);

#endif
