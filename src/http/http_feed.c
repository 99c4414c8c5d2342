/*
 * Feeds of a live page: Atom, RSS 2.0 and JSON Feed 1.1, each of the newest
 * MODEL_FEED_POSTS posts, rendered once per change and served from the cache.
 *
 * Feeds need absolute links. They are built on the public base URL
 * (--public-base-url), never on the request's Host, which a client chooses:
 * one cached copy serves every reader.
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

enum MHD_Result http_feed(struct http_request *req, const char *slug, enum http_feed_kind kind)
{
	static const char *names[] = { "atom", "rss", "json" };
	static const char *types[] = { "application/atom+xml; charset=utf-8",
				       "application/rss+xml; charset=utf-8",
				       "application/feed+json; charset=utf-8" };
	struct http_server *s = req->server;
	struct render_feed_site site;
	struct model_post *posts = NULL;
	struct model_page page;
	struct page_entry *e;
	char key[PAGE_KEY_MAX];
	size_t n = 0;
	struct buf b;
	int rc;

	page_key_feed(key, names[kind], slug);
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
	site.base_url = s->site.base_url;
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
