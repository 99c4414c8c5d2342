/*
 * Embedding a live page on other sites:
 *
 *   GET /live/SLUG/embed                   the compact live version for an
 *                                          <iframe> (render_embed.h), the one
 *                                          response other sites may frame
 *   GET /oembed?url=URL[&maxwidth=W][&maxheight=H][&format=json]
 *                                          the oEmbed answer (oembed.com) for
 *                                          a live page or a permalink of ours
 *
 * The embed is cached as the live page is, under its own key (page_key_embed),
 * rendered by the live state (live_embed_entry), dropped with the page's other
 * entries on every change and rendered again at once if it was cached
 * (warming), and sent with the live page's Cache-Control; http_server.c gives
 * that key's responses a Content-Security-Policy that lets any site frame
 * them (HTTP_CSP_EMBED) and no X-Frame-Options. oEmbed answers are small and depend on the request's
 * arguments, so they are built per request (one or two queries) rather than
 * cached under keys a client could invent.
 */
#include "http/http_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "page/page_key.h"
#include "render/render_embed.h"
#include "util/buf.h"
#include "util/log.h"

/* The longest `url` argument we look at: base URL, slug and post id fit. */
#define HTTP_OEMBED_URL_MAX 1024
/* maxwidth and maxheight above this are as good as none. */
#define HTTP_OEMBED_SIZE_MAX 100000

static enum MHD_Result http_embed_unavailable(struct http_request *req)
{
	log_warnx("store: %s", store_errmsg(req->server->store));
	return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "The live page store is not available. Try again shortly.");
}

enum MHD_Result http_embed(struct http_request *req, const char *slug)
{
	struct http_server *s = req->server;
	struct model_page page;
	struct page_entry *e;
	enum live_miss miss;
	char key[PAGE_KEY_MAX];
	int rc;

	page_key_embed(key, slug);
	e = page_cache_get(s->cache, key);
	if (e)
		return http_respond_entry(req, e);
	rc = store_page_get_public(s->store, slug, &page); /* unpublished: 404 */
	if (rc == STORE_ENOTFOUND)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such live page.");
	if (rc < 0)
		return http_embed_unavailable(req);
	e = live_embed_entry(s->live, key, &page, &miss);
	model_page_cleanup(&page);
	if (e)
		return http_respond_entry(req, e);
	if (miss == LIVE_MISS_STORE)
		return http_respond_error(req, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "The live page store is not available. Try again shortly.");
	return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "This page could not be shown.");
}

/* maxwidth or maxheight: absent leaves `*out` as it is; a positive whole
 * number lowers it. -1 if malformed. */
static int http_oembed_size(struct http_request *req, const char *name, unsigned *out)
{
	const char *v = http_arg(req, name);
	int64_t n;

	if (!v)
		return 0;
	if (http_parse_id(v, strlen(v), &n) < 0)
		return -1;
	if (n < HTTP_OEMBED_SIZE_MAX && (unsigned)n < *out)
		*out = (unsigned)n;
	return 0;
}

/* Splits `url` into the slug and post of ours it names: BASE/live/SLUG or
 * BASE/live/SLUG/posts/ID (a query or fragment after it is ignored). 0, or -1
 * when it is not an address of a live page or a permalink on this site. */
static int http_oembed_target(const char *base, const char *url, char *slug, size_t cap,
			      int64_t *post_id)
{
	enum http_live_what what;
	char path[HTTP_OEMBED_URL_MAX];
	size_t blen = strlen(base), len;

	if (strncmp(url, base, blen) != 0 || strncmp(url + blen, "/live/", 6) != 0)
		return -1;
	url += blen + 6;
	len = strcspn(url, "?#");
	if (len >= sizeof(path))
		return -1;
	memcpy(path, url, len);
	path[len] = '\0';
	*post_id = 0;
	if (http_live_parse(path, slug, cap, &what, post_id) < 0)
		return -1;
	return what == HTTP_LIVE_PAGE || what == HTTP_LIVE_POST || what == HTTP_LIVE_EMBED ? 0
											  : -1;
}

/* The oEmbed document: a "rich" type whose html frames the page's embed. */
static json_t *http_oembed_doc(const struct render_site *site, const struct model_page *page,
			       unsigned width, unsigned height)
{
	struct buf html, provider;
	json_t *j = NULL;

	buf_init(&html, 64 * 1024);
	render_embed_iframe(&html, site, page, width, height);
	buf_init(&provider, 4096);
	buf_puts(&provider, site->base_url);
	buf_putc(&provider, '/');
	if (!html.err && !provider.err)
		j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "type", "rich",
			      "version", "1.0", "title", page->title, "provider_name", site->name,
			      "provider_url", provider.data, "html", html.data, "width",
			      (json_int_t)width, "height", (json_int_t)height);
	buf_cleanup(&provider);
	buf_cleanup(&html);
	return j;
}

enum MHD_Result http_oembed(struct http_request *req)
{
	struct http_server *s = req->server;
	const char *url = http_arg(req, "url"), *format = http_arg(req, "format");
	unsigned width = RENDER_EMBED_WIDTH, height = RENDER_EMBED_HEIGHT;
	struct MHD_Response *r;
	struct model_page page;
	struct model_post post;
	char slug[96], *text;
	int64_t post_id;
	json_t *j;
	int rc;

	if (!url || !*url)
		return http_respond_error(req, MHD_HTTP_BAD_REQUEST,
					  "Give the address of a live page: ?url=...");
	if (http_oembed_size(req, "maxwidth", &width) < 0 ||
	    http_oembed_size(req, "maxheight", &height) < 0)
		return http_respond_error(req, MHD_HTTP_BAD_REQUEST,
					  "maxwidth and maxheight are positive whole numbers.");
	/* oEmbed: a format the provider cannot give is 501. */
	if (format && strcmp(format, "json") != 0)
		return http_respond_error(req, MHD_HTTP_NOT_IMPLEMENTED,
					  "Only the JSON format is available.");
	if (http_oembed_target(s->site.base_url, url, slug, sizeof(slug), &post_id) < 0)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND,
					  "That is not the address of a live page here.");
	rc = store_page_get_public(s->store, slug, &page); /* unpublished: 404 */
	if (rc == STORE_ENOTFOUND)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such live page.");
	if (rc < 0)
		return http_embed_unavailable(req);
	if (post_id) {
		rc = store_post_get(s->store, page.id, post_id, &post);
		if (rc == 0)
			model_post_cleanup(&post);
		if (rc < 0) {
			model_page_cleanup(&page);
			if (rc == STORE_ENOTFOUND)
				return http_respond_error(req, MHD_HTTP_NOT_FOUND,
							  "There is no such post on this live page.");
			return http_embed_unavailable(req);
		}
	}
	j = http_oembed_doc(&s->site, &page, width, height);
	model_page_cleanup(&page);
	text = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(j);
	if (!text)
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "Out of memory.");
	req->answer_bytes = strlen(text);
	r = MHD_create_response_from_buffer(req->answer_bytes, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, HTTP_CT_JSON);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, HTTP_CC_SHORT);
	/* Public facts about public pages: a consumer's page script may ask. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
	return http_respond(req, MHD_HTTP_OK, r, HTTP_HEADERS_READER);
}
