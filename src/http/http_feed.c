/*
 * Feeds of a live page: Atom, RSS 2.0 and JSON Feed 1.1, each of the newest
 * MODEL_FEED_POSTS posts, rendered once per change and served from the cache.
 *
 * Feeds need absolute links. They are built from the request's Host header,
 * which a client chooses: the cache key includes the host, so a request with a
 * made-up Host can only ever be answered with its own links, never poison what
 * other readers get.
 */
#include "http/http_internal.h"

#include <stdio.h>
#include <string.h>

#include "model/model_limits.h"
#include "page/page_key.h"
#include "render/render_feed.h"
#include "util/buf.h"
#include "util/log.h"

#define HTTP_FEED_MAX (32 * 1024 * 1024)

/* 1 if `host` is a plausible host[:port]: letters, digits, '.', '-', ':', and
 * brackets for IPv6 literals, at most 255 bytes. */
static int http_host_valid(const char *host)
{
	size_t n = host ? strlen(host) : 0;

	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return 0;
	}
	return 1;
}

enum MHD_Result http_feed(struct http_request *req, const char *slug, enum http_feed_kind kind)
{
	static const char *names[] = { "atom", "rss", "json" };
	static const char *types[] = { "application/atom+xml; charset=utf-8",
				       "application/rss+xml; charset=utf-8",
				       "application/feed+json; charset=utf-8" };
	struct http_server *s = req->server;
	const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);
	struct render_feed_site site;
	struct model_post *posts = NULL;
	struct model_page page;
	struct page_entry *e;
	char key[PAGE_KEY_FEED_MAX], base[300];
	size_t n = 0;
	struct buf b;
	int rc;

	if (!http_host_valid(host))
		return http_respond_error(req, MHD_HTTP_BAD_REQUEST,
					  "A feed needs a valid Host header.");
	page_key_feed(key, names[kind], slug, host);
	e = page_cache_get(s->cache, key);
	if (e)
		return http_respond_entry(req, e);
	rc = store_page_get_public(s->store, slug, &page); /* unpublished: 404 */
	if (rc == STORE_ENOTFOUND)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such live page.");
	if (rc < 0) {
		log_warnx("store: %s", store_errmsg(s->store));
		return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "The live page store is not available. Try again shortly.");
	}
	if (store_post_newest(s->store, &page, MODEL_FEED_POSTS, &posts, &n) < 0) {
		model_page_cleanup(&page);
		return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "The live page store is not available. Try again shortly.");
	}
	snprintf(base, sizeof(base), "http://%s", host);
	site.base_url = base;
	site.name = s->site.name;
	buf_init(&b, HTTP_FEED_MAX);
	if (kind == HTTP_FEED_ATOM)
		render_feed_atom(&b, &site, &page, posts, n);
	else if (kind == HTTP_FEED_RSS)
		render_feed_rss(&b, &site, &page, posts, n);
	else
		render_feed_json(&b, &site, &page, posts, n);
	e = b.err ? NULL
		  : page_cache_put(s->cache, key, page.id, 200, types[kind], HTTP_CC_SHORT,
				   b.data ? b.data : "", b.len);
	buf_cleanup(&b);
	model_posts_free(posts, n);
	model_page_cleanup(&page);
	if (!e)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "The feed could not be made.");
	return http_respond_entry(req, e);
}
