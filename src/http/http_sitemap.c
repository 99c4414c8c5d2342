/*
 * What the site tells crawlers: /robots.txt, /sitemap.xml, the Google News
 * sitemap /sitemap-news.xml (render/render_sitemap.h) and /favicon.ico, which
 * browsers and crawlers ask for without reading a page (our 32-pixel PNG
 * icon: every browser reads a PNG there).
 *
 * All are answered from the page cache. robots.txt and the icon never change
 * while the server runs (PAGE_CACHE_STATIC). The sitemaps list every
 * published page, so they are dropped with the index on any change
 * (PAGE_CACHE_ANY_PAGE): a page published, unpublished or updated is in them
 * at the next request. The news sitemap's key also carries the hour, so that a
 * page ages out of its two days without a change.
 */
#include "http/http_internal.h"

#include <stdio.h>
#include <time.h>

#include "model/model_limits.h"
#include "page/page_assets.h"
#include "page/page_key.h"
#include "render/render_sitemap.h"
#include "util/buf.h"
#include "util/log.h"

#define HTTP_CT_XML	  "application/xml; charset=utf-8"
#define HTTP_CC_ICON	  "public, max-age=86400"
/* Each published page is a few hundred bytes in a sitemap. */
#define HTTP_SITEMAP_MAX  (32 * 1024 * 1024)

static enum MHD_Result http_put_respond(struct http_request *req, const char *key,
					int64_t tag, const char *ct, const char *cc,
					const struct buf *b)
{
	struct page_entry *e;

	if (b->err)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "This document could not be made.");
	e = page_cache_put(req->server->cache, key, tag, 200, ct, cc, b->data ? b->data : "",
			   b->len);
	if (!e)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "Out of memory.");
	return http_respond_entry(req, e);
}

enum MHD_Result http_robots(struct http_request *req)
{
	struct page_entry *e = page_cache_get(req->server->cache, req->path);
	enum MHD_Result ret;
	struct buf b;

	if (e)
		return http_respond_entry(req, e);
	buf_init(&b, 4096 + 2 * MODEL_URL_MAX);
	render_robots_txt(&b, &req->server->site);
	ret = http_put_respond(req, req->path, PAGE_CACHE_STATIC, HTTP_CT_TEXT, HTTP_CC_SHORT,
			       &b);
	buf_cleanup(&b);
	return ret;
}

enum MHD_Result http_favicon(struct http_request *req)
{
	const struct page_asset *a = page_asset_by_name("icon-32.png");
	struct page_entry *e = page_cache_get(req->server->cache, req->path);

	if (e)
		return http_respond_entry(req, e);
	e = page_cache_put(req->server->cache, req->path, PAGE_CACHE_STATIC, 200, a->content_type,
			   HTTP_CC_ICON, a->data, a->len);
	if (!e)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "Out of memory.");
	return http_respond_entry(req, e);
}

/* One sitemap: `news` for the Google News one. */
static enum MHD_Result http_sitemap_kind(struct http_request *req, int news)
{
	struct http_server *s = req->server;
	int64_t now = (int64_t)time(NULL);
	char key[PAGE_KEY_MAX];
	struct model_page *pages;
	struct page_entry *e;
	enum MHD_Result ret;
	struct buf b;
	size_t n;

	if (news)
		page_key_sitemap_news(key, now);
	else
		snprintf(key, sizeof(key), "%s", PAGE_KEY_SITEMAP);
	e = page_cache_get(s->cache, key);
	if (e)
		return http_respond_entry(req, e);
	/* Published pages only: an embargoed page is not there for anyone. */
	if (store_page_list_public(s->store, &pages, &n) < 0) {
		log_warnx("store: %s", store_errmsg(s->store));
		return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "The live page store is not available. Try again shortly.");
	}
	buf_init(&b, HTTP_SITEMAP_MAX);
	if (news)
		render_sitemap_news_xml(&b, &s->site, pages, n, now);
	else
		render_sitemap_xml(&b, &s->site, pages, n);
	model_pages_free(pages, n);
	ret = http_put_respond(req, key, PAGE_CACHE_ANY_PAGE, HTTP_CT_XML, HTTP_CC_SHORT, &b);
	buf_cleanup(&b);
	return ret;
}

enum MHD_Result http_sitemap(struct http_request *req)
{
	return http_sitemap_kind(req, 0);
}

enum MHD_Result http_sitemap_news(struct http_request *req)
{
	return http_sitemap_kind(req, 1);
}
