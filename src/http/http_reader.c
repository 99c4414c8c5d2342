/*
 * Reader routes: the index, live pages, permalinks and static files. Each
 * request is answered from the page cache; on a miss the page is loaded from the
 * store, rendered once and stored, so the next reader costs no query.
 *
 *   GET /                          index of live pages
 *   GET /live/SLUG[?page=N]        a live page (N counted from the oldest post)
 *   GET /live/SLUG/posts/ID        one post
 *   GET /live/SLUG/search?q=WORDS[&page=N]  the page's posts holding the words
 *   GET /live/SLUG/embed, /oembed  the embeddable version (http_embed.c)
 *   GET /static/NAME.VERSION.EXT   built-in static files, cached for a year
 *   GET /healthz                   "ok", for load balancers
 *   GET /readyz, /metrics          readiness and figures (http_metrics.c)
 *   GET /robots.txt, /sitemap.xml, /sitemap-news.xml, /favicon.ico
 *                                  for crawlers (http_sitemap.c)
 */
#include "http/http_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_limits.h"
#include "page/page_assets.h"
#include "page/page_key.h"
#include "render/render_search.h"
#include "text/text.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"

/* What the write limits allow a page to be (model_limits.h): a render over
 * it comes from data written before the limits, or directly to the store. */
#define HTTP_MAX_PAGE_HTML MODEL_PAGE_HTML_MAX
/* The text form holds every post of a page, however many. */
#define HTTP_MAX_TEXT ((size_t)64 * 1024 * 1024)

int http_parse_id(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 18 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int64_t http_segment_id(const char *s)
{
	int64_t v;

	return s && http_parse_id(s, strlen(s), &v) == 0 ? v : 0;
}

static const char *http_buf_why(const struct buf *b)
{
	return b->err == BUF_ETOOBIG ? "too large" : "out of memory";
}

/* Stores a rendered body and answers with it, or answers 500. */
static enum MHD_Result http_store_and_respond(struct http_request *req, const char *key,
					      int64_t page_id, const char *cc,
					      struct buf *b)
{
	struct page_entry *e;

	if (b->err) {
		e = live_cache_failure(req->server->live, key, page_id, http_buf_why(b));
		if (e)
			return http_respond_entry(req, e);
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "This page could not be shown.");
	}
	e = page_cache_put(req->server->cache, key, page_id, 200, HTTP_CT_HTML, cc,
			   b->data ? b->data : "", b->len);
	if (!e)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "Out of memory.");
	return http_respond_entry(req, e);
}

static enum MHD_Result http_store_failed(struct http_request *req)
{
	log_warnx("store: %s", store_errmsg(req->server->store));
	return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "The live page store is not available. Try again shortly.");
}

static enum MHD_Result http_index(struct http_request *req)
{
	struct http_server *s = req->server;
	struct page_entry *e = page_cache_get(s->cache, PAGE_KEY_INDEX);
	struct model_page *pages;
	enum MHD_Result ret;
	struct buf b;
	size_t n;

	if (e)
		return http_respond_entry(req, e);
	if (store_page_list_public(s->store, &pages, &n) < 0)
		return http_store_failed(req);
	buf_init(&b, HTTP_MAX_PAGE_HTML);
	render_index_html(&b, &s->site, pages, n);
	model_pages_free(pages, n);
	ret = http_store_and_respond(req, PAGE_KEY_INDEX, PAGE_CACHE_ANY_PAGE, HTTP_CC_SHORT, &b);
	buf_cleanup(&b);
	return ret;
}

static enum MHD_Result http_live_page(struct http_request *req, const char *key,
				      struct model_page *page, size_t page_no)
{
	enum live_miss miss;
	struct page_entry *e = live_page_entry(req->server->live, key, page, page_no, &miss);

	if (e)
		return http_respond_entry(req, e);
	if (miss == LIVE_MISS_NOT_FOUND)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND,
					  "This live page has no page with that number.");
	if (miss == LIVE_MISS_STORE)
		return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "The live page store is not available. "
					  "Try again shortly.");
	return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "This page could not be shown.");
}

static enum MHD_Result http_permalink(struct http_request *req, const char *key,
				      struct model_page *page, int64_t post_id)
{
	struct http_server *s = req->server;
	struct model_post post;
	enum MHD_Result ret;
	size_t index;
	struct buf b;
	int rc;

	rc = store_post_get(s->store, page->id, post_id, &post);
	if (rc == STORE_ENOTFOUND)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND,
					  "There is no such post on this live page.");
	if (rc < 0 || store_post_index(s->store, page->id, post_id, &index) < 0) {
		if (rc == 0)
			model_post_cleanup(&post);
		return http_store_failed(req);
	}
	buf_init(&b, HTTP_MAX_PAGE_HTML);
	render_permalink_html(&b, &s->site, page, &post, render_page_of_index(index, page->n_posts),
			      render_page_count(page->n_posts));
	model_post_cleanup(&post);
	ret = http_store_and_respond(req, key, page->id, HTTP_CC_SHORT, &b);
	buf_cleanup(&b);
	return ret;
}

/* The ?page= argument: absent (0), or a positive page number. -1 if malformed. */
static int http_page_arg(struct http_request *req, size_t *out)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "page");
	int64_t n;

	*out = 0;
	if (!v)
		return 0;
	if (http_parse_id(v, strlen(v), &n) < 0 || n > 1000000)
		return -1;
	*out = (size_t)n;
	return 0;
}

/* The sequence number a reader has seen: Last-Event-ID (sent by EventSource
 * when it reconnects) wins over ?since=. 0 when absent and `dflt` is 0; -1 means
 * "none". Returns -2 if malformed. */
static int64_t http_since(struct http_request *req, int64_t dflt)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Last-Event-ID");
	int64_t n;

	if (!v || !*v)
		v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "since");
	if (!v)
		return dflt;
	if (strcmp(v, "0") == 0)
		return 0;
	if (http_parse_id(v, strlen(v), &n) < 0)
		return -2;
	return n;
}

int http_live_parse(const char *rest, char *slug, size_t cap, enum http_live_what *what,
		    int64_t *post_id)
{
	static const struct {
		const char *suffix;
		enum http_live_what what;
	} subs[] = {
		{ "/events", HTTP_LIVE_EVENTS },     { "/changes", HTTP_LIVE_CHANGES },
		{ "/feed.atom", HTTP_LIVE_FEED_ATOM }, { "/feed.rss", HTTP_LIVE_FEED_RSS },
		{ "/feed.json", HTTP_LIVE_FEED_JSON }, { ".txt", HTTP_LIVE_TEXT },
		{ "/search", HTTP_LIVE_SEARCH },
		{ "/embed", HTTP_LIVE_EMBED },
	};
	size_t len = strcspn(rest, "/."), tail;
	const char *sub = rest + len;

	if (len == 0 || len >= cap)
		return -1;
	memcpy(slug, rest, len);
	slug[len] = '\0';
	if (!model_slug_valid(slug))
		return -1;
	*what = HTTP_LIVE_PAGE;
	if (*sub == '\0')
		return 0;
	if (strncmp(sub, "/posts/", 7) == 0) {
		*what = HTTP_LIVE_POST;
		return http_parse_id(sub + 7, strlen(sub + 7), post_id);
	}
	tail = strlen(sub);
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strlen(subs[i].suffix) == tail && strcmp(sub, subs[i].suffix) == 0) {
			*what = subs[i].what;
			return 0;
		}
	}
	return -1;
}

/* Loads `slug`, answering 404 or 503 itself when it cannot. An unpublished
 * page is not there for readers: 404, and nothing of it is cached. Returns 0
 * or -1. */
static int http_load_page(struct http_request *req, const char *slug,
			  struct model_page *page, enum MHD_Result *ret)
{
	int rc = store_page_get_public(req->server->store, slug, page);

	if (rc == 0)
		return 0;
	if (rc == STORE_ENOTFOUND)
		*ret = http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such live page.");
	else
		*ret = http_store_failed(req);
	return -1;
}

/* The whole page in the plain-text form, from the cache. */
static struct page_entry *http_text_entry(struct http_request *req, const char *slug,
					  struct model_page *page)
{
	struct http_server *s = req->server;
	struct model_post *posts = NULL;
	struct page_entry *e = NULL;
	char key[PAGE_KEY_MAX];
	struct buf b;
	size_t n = 0;

	page_key_text(key, slug);
	e = page_cache_get(s->cache, key);
	if (e)
		return e;
	if (store_post_range(s->store, page->id, 0, page->n_posts, &posts, &n) < 0)
		return NULL;
	buf_init(&b, HTTP_MAX_TEXT);
	if (text_export(&b, page, posts, n) == 0 && !b.err)
		e = page_cache_put(s->cache, key, page->id, 200, HTTP_CT_TEXT, HTTP_CC_LIVE,
				   b.data ? b.data : "", b.len);
	else
		e = live_cache_failure(s->live, key, page->id,
				       b.err ? http_buf_why(&b) : "a time could not be shown");
	model_posts_free(posts, n);
	buf_cleanup(&b);
	return e;
}

static enum MHD_Result http_text(struct http_request *req, const char *slug)
{
	const char *follow = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "follow");
	struct page_entry *e;
	struct model_page page;
	enum MHD_Result ret;
	char key[PAGE_KEY_MAX];

	if (follow && strcmp(follow, "1") != 0 && strcmp(follow, "0") != 0)
		return http_respond_error(req, MHD_HTTP_BAD_REQUEST, "follow is 1 or 0.");
	if (!follow || strcmp(follow, "0") == 0) {
		page_key_text(key, slug);
		e = page_cache_get(req->server->cache, key);
		if (e)
			return http_respond_entry(req, e);
	}
	if (http_load_page(req, slug, &page, &ret) < 0)
		return ret;
	e = http_text_entry(req, slug, &page);
	if (!e)
		ret = http_store_failed(req);
	else if (e->status != MHD_HTTP_OK)
		ret = http_respond_entry(req, e); /* a render that failed: no stream */
	else if (follow && strcmp(follow, "1") == 0 && strcmp(req->method, "HEAD") == 0)
		ret = http_respond_stream_head(req, HTTP_CT_TEXT);
	else if (follow && strcmp(follow, "1") == 0)
		/* The page as it is, then each new post as it is published; a blank
		 * line separates the snapshot from what follows. */
		ret = http_respond_stream(req, &page, STREAM_TEXT, -1, e->body->data,
					  e->body->len);
	else
		ret = http_respond_entry(req, e);
	model_page_cleanup(&page);
	return ret;
}

static enum MHD_Result http_events(struct http_request *req, const char *slug)
{
	int64_t since = http_since(req, -1);
	struct model_page page;
	enum MHD_Result ret;

	if (since == -2)
		return http_respond_error(req, MHD_HTTP_BAD_REQUEST,
					  "Last-Event-ID and since are sequence numbers.");
	if (http_load_page(req, slug, &page, &ret) < 0)
		return ret;
	if (strcmp(req->method, "HEAD") == 0)
		ret = http_respond_stream_head(req, HTTP_CT_EVENTS);
	else
		ret = http_respond_stream(req, &page, STREAM_SSE, since, NULL, 0);
	model_page_cleanup(&page);
	return ret;
}

static enum MHD_Result http_changes(struct http_request *req, const char *slug)
{
	struct http_server *s = req->server;
	int64_t since = http_since(req, 0);
	struct model_page page;
	struct page_entry *e;
	enum MHD_Result ret;
	char key[PAGE_KEY_MAX], *json;
	size_t len = 0;
	int reload = 0;

	if (since < 0)
		return http_respond_error(req, MHD_HTTP_BAD_REQUEST, "since is a sequence number.");
	page_key_changes(key, slug, since, 0);
	e = page_cache_get(s->cache, key);
	if (e)
		return http_respond_entry(req, e);
	if (http_load_page(req, slug, &page, &ret) < 0)
		return ret;
	/* A `since` that the ring cannot answer (ahead of the page, or older than
	 * its events) gets the one "reload" document, cached once under one key:
	 * a client inventing `since` values cannot fill the cache with copies and
	 * push out the pages readers are served. So a page has at most as many
	 * /changes entries as its ring has events (--replay), plus one. */
	if (since > page.last_seq) {
		reload = 1;
	} else {
		json = stream_changes_json(s->hub, &page, since, &len, &reload);
		if (!json) {
			model_page_cleanup(&page);
			return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
						  "The changes could not be read. Try again shortly.");
		}
		if (reload)
			free(json);
	}
	if (reload) {
		page_key_changes(key, slug, since, 1);
		e = page_cache_get(s->cache, key);
		if (e) {
			model_page_cleanup(&page);
			return http_respond_entry(req, e);
		}
		json = stream_changes_json(s->hub, &page, INT64_MAX / 2, &len, NULL);
		if (!json) {
			model_page_cleanup(&page);
			return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
						  "The changes could not be read. Try again shortly.");
		}
	}
	/* Every poller after the same `since` gets these bytes until the page
	 * changes; a CDN may share them for a second. */
	e = page_cache_put(s->cache, key, page.id, 200, HTTP_CT_JSON, HTTP_CC_POLL, json, len);
	free(json);
	model_page_cleanup(&page);
	if (!e)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "Out of memory.");
	return http_respond_entry(req, e);
}

/* The reader's words as the results page shows them back (in the form, the
 * title, the messages): only text a page may hold, UTF-8 without control
 * characters (escaping does not change those, and an HTML page may not hold
 * them), of a length the store takes; else nothing. */
static const char *http_search_shown(const char *q)
{
	if (!utf8_valid(q) || strlen(q) > 4 * STORE_SEARCH_QUERY_MAX)
		return "";
	for (const unsigned char *p = (const unsigned char *)q; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "";
	return q;
}

/* Search in a page. The answer is not kept in the page cache: its key would
 * be the reader's words, and made-up queries would push out the pages readers
 * are served. A browser or a CDN may keep it 30 s (HTTP_CC_SHORT), within the
 * minute in which a correction must reach readers. The query runs here, on
 * the request's thread: its cost is bounded (STORE_SEARCH_QUERY_MAX
 * characters, STORE_SEARCH_WORDS_MAX words, one page's posts, one page of
 * results read, none deeper than RENDER_SEARCH_PAGES_MAX). Search engines
 * are told not to index it (X-Robots-Tag). */
static enum MHD_Result http_search(struct http_request *req, const char *slug)
{
	struct http_server *s = req->server;
	const char *q = http_arg(req, "q"), *shown;
	struct render_search_view view = { 0 };
	struct render_search_hit *rhits = NULL;
	struct store_search_hit *hits = NULL;
	struct MHD_Response *r;
	struct model_page page;
	enum MHD_Result ret;
	char message[256];
	size_t page_no, n = 0, len;
	struct buf b;
	char *html;
	int rc;

	if (http_page_arg(req, &page_no) < 0 || page_no > RENDER_SEARCH_PAGES_MAX)
		return http_respond_error(req, MHD_HTTP_BAD_REQUEST,
					  "The page of results must be a whole number from 1 to 50.");
	if (http_load_page(req, slug, &page, &ret) < 0)
		return ret;
	if (!page_no)
		page_no = 1;
	if (!q)
		q = "";
	shown = http_search_shown(q);
	rc = store_post_search(s->store, page.id, q, RENDER_SEARCH_PER_PAGE + 1,
			       (page_no - 1) * RENDER_SEARCH_PER_PAGE, &hits, &n);
	if (rc == STORE_EINVAL) {
		snprintf(message, sizeof(message), "%s", store_errmsg(s->store));
		view.message = message;
	} else if (rc < 0) {
		model_page_cleanup(&page);
		return http_store_failed(req);
	}
	view.more = n > RENDER_SEARCH_PER_PAGE;
	view.n_hits = view.more ? RENDER_SEARCH_PER_PAGE : n;
	if (view.n_hits) {
		rhits = calloc(view.n_hits, sizeof(*rhits));
		if (!rhits)
			abort();
	}
	for (size_t i = 0; i < view.n_hits; i++)
		rhits[i] = (struct render_search_hit){ hits[i].post_id, hits[i].published_at,
						       hits[i].title, hits[i].snippet };
	view.page = &page;
	view.query = shown;
	view.hits = rhits;
	view.page_no = page_no;
	buf_init(&b, HTTP_MAX_PAGE_HTML);
	render_search_html(&b, &s->site, &view);
	free(rhits);
	store_search_hits_free(hits, n);
	model_page_cleanup(&page);
	html = buf_detach(&b, &len);
	buf_cleanup(&b);
	if (!html)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "This page could not be shown.");
	req->answer_bytes = len;
	r = http_response_owned(html, len, HTTP_CT_HTML, HTTP_CC_SHORT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "X-Robots-Tag", "noindex");
	return http_respond(req, MHD_HTTP_OK, r, HTTP_HEADERS_READER);
}

/* /live/SLUG... */
static enum MHD_Result http_live(struct http_request *req, const char *rest)
{
	struct http_server *s = req->server;
	enum http_live_what what;
	char slug[96], key[PAGE_KEY_MAX];
	struct model_page page;
	struct page_entry *e;
	enum MHD_Result ret;
	int64_t post_id = 0;
	size_t page_no = 0;

	if (http_live_parse(rest, slug, sizeof(slug), &what, &post_id) < 0)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
	switch (what) {
	case HTTP_LIVE_EVENTS:
		return http_events(req, slug);
	case HTTP_LIVE_CHANGES:
		return http_changes(req, slug);
	case HTTP_LIVE_TEXT:
		return http_text(req, slug);
	case HTTP_LIVE_SEARCH:
		return http_search(req, slug);
	case HTTP_LIVE_EMBED:
		return http_embed(req, slug);
	case HTTP_LIVE_FEED_ATOM:
	case HTTP_LIVE_FEED_RSS:
	case HTTP_LIVE_FEED_JSON:
		return http_feed(req, slug, what == HTTP_LIVE_FEED_ATOM ? HTTP_FEED_ATOM
					    : what == HTTP_LIVE_FEED_RSS ? HTTP_FEED_RSS
									 : HTTP_FEED_JSON);
	case HTTP_LIVE_POST:
		page_key_post(key, slug, post_id);
		break;
	case HTTP_LIVE_PAGE:
		if (http_page_arg(req, &page_no) < 0)
			return http_respond_error(req, MHD_HTTP_BAD_REQUEST,
						  "The page number must be a positive whole number.");
		page_key_page(key, slug, page_no);
		break;
	}
	e = page_cache_get(s->cache, key);
	if (e)
		return http_respond_entry(req, e);
	if (http_load_page(req, slug, &page, &ret) < 0)
		return ret;
	if (post_id)
		ret = http_permalink(req, key, &page, post_id);
	else
		ret = http_live_page(req, key, &page, page_no);
	model_page_cleanup(&page);
	return ret;
}

static enum MHD_Result http_static(struct http_request *req)
{
	struct http_server *s = req->server;
	const struct page_asset *a;
	struct page_entry *e = page_cache_get(s->cache, req->path);

	if (e)
		return http_respond_entry(req, e);
	a = page_asset_by_url(req->path);
	if (!a)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such file.");
	e = page_cache_put(s->cache, req->path, PAGE_CACHE_STATIC, 200, a->content_type,
			   HTTP_CC_STATIC, a->data, a->len);
	if (!e)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "Out of memory.");
	return http_respond_entry(req, e);
}

static enum MHD_Result http_health(struct http_request *req)
{
	static char ok[] = "ok\n";
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(sizeof(ok) - 1, ok, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, HTTP_CT_TEXT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	req->answer_bytes = sizeof(ok) - 1;
	return http_respond(req, MHD_HTTP_OK, r, HTTP_HEADERS_READER);
}

static enum MHD_Result http_live_route(struct http_request *req)
{
	return http_live(req, req->path + sizeof("/live/") - 1);
}

/* The reader routes, tried in order: a path, or with `prefix` every path that
 * starts with it. */
#define HTTP_ROUTE(path, prefix, route) { path, sizeof(path) - 1, prefix, route }
static const struct {
	const char *path;
	size_t len;
	int prefix;
	enum MHD_Result (*route)(struct http_request *req);
} http_reader_routes[] = {
	HTTP_ROUTE("/", 0, http_index),
	HTTP_ROUTE("/live/", 1, http_live_route),
	HTTP_ROUTE("/static/", 1, http_static),
	HTTP_ROUTE("/healthz", 0, http_health),
	HTTP_ROUTE("/readyz", 0, http_readyz),
	HTTP_ROUTE("/metrics", 0, http_metrics_serve),
	/* For crawlers (http_sitemap.c). */
	HTTP_ROUTE("/robots.txt", 0, http_robots),
	HTTP_ROUTE("/sitemap.xml", 0, http_sitemap),
	HTTP_ROUTE("/sitemap-news.xml", 0, http_sitemap_news),
	HTTP_ROUTE("/favicon.ico", 0, http_favicon),
	HTTP_ROUTE("/oembed", 0, http_oembed),
};

enum MHD_Result http_reader_route(struct http_request *req)
{
	const char *p = req->path;

	for (size_t i = 0; i < sizeof(http_reader_routes) / sizeof(http_reader_routes[0]); i++) {
		if (http_reader_routes[i].prefix
			    ? strncmp(p, http_reader_routes[i].path, http_reader_routes[i].len) == 0
			    : strcmp(p, http_reader_routes[i].path) == 0)
			return http_reader_routes[i].route(req);
	}
	return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
}
