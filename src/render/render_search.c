/*
 * Search in a page, for readers (render_search.h): the form on the live page
 * and the page of results. The results page is not for search engines (the
 * route sends X-Robots-Tag: noindex) and has no canonical link: it is one
 * reader's question, not a page of the site.
 */
#include "render/render_search.h"

#include <inttypes.h>
#include <string.h>

#include "model/model_limits.h"
#include "render/render_meta.h"
#include "util/tz.h"

/* The store's marks (store.h, STORE_SEARCH_MARK_*). render/ does not include
 * the store; these are the same two bytes, and render_search_marked() is
 * tested with them. */
#define RENDER_MARK_OPEN  '\x01'
#define RENDER_MARK_CLOSE '\x02'
/* The form's maxlength: the store's STORE_SEARCH_QUERY_MAX characters. */
#define RENDER_SEARCH_MAXLENGTH 200

void render_search_marked(struct buf *out, const char *s)
{
	const char *run = s ? s : "", *p;
	int open = 0;

	for (p = run;; p++) {
		if (*p != RENDER_MARK_OPEN && *p != RENDER_MARK_CLOSE && *p != '\0')
			continue;
		buf_html_escape(out, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		if (*p == RENDER_MARK_OPEN && !open) {
			buf_puts(out, "<mark>");
			open = 1;
		} else if (*p == RENDER_MARK_CLOSE && open) {
			buf_puts(out, "</mark>");
			open = 0;
		}
		run = p + 1;
	}
	if (open)
		buf_puts(out, "</mark>");
}

/* "/live/SLUG/search" */
static void put_search_url(struct buf *out, const char *slug)
{
	buf_puts(out, "/live/");
	buf_html(out, slug);
	buf_puts(out, "/search");
}

/* `s` percent-encoded for a query string value (RFC 3986's unreserved
 * characters kept), then HTML-escaped by construction: what is left holds no
 * character HTML gives a meaning to. */
static void put_query_value(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_putc(out, (char)*p);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[*p >> 4]);
			buf_putc(out, hex[*p & 15]);
		}
	}
}

void render_search_form_html(struct buf *out, const struct model_page *page, const char *query)
{
	buf_puts(out, "<form class=\"page-search\" role=\"search\" method=\"get\" action=\"");
	put_search_url(out, page->slug);
	buf_printf(out, "\">\n<label for=\"page-search-q\">Search this page</label>\n"
			"<input type=\"search\" id=\"page-search-q\" name=\"q\" maxlength=\"%d\""
			" required value=\"",
		   RENDER_SEARCH_MAXLENGTH);
	buf_html(out, query);
	buf_puts(out, "\">\n<button type=\"submit\">Search</button>\n</form>\n");
}

/* The link to page `no` of the results for `query`. */
static void put_results_url(struct buf *out, const struct render_search_view *v, size_t no)
{
	put_search_url(out, v->page->slug);
	buf_puts(out, "?q=");
	put_query_value(out, v->query);
	if (no > 1)
		buf_printf(out, "&amp;page=%zu", no);
}

static void put_hit(struct buf *out, const struct model_page *page,
		    const struct render_search_hit *h)
{
	struct tz_view tv;

	buf_puts(out, "<li class=\"search-hit\">\n<h3><a href=\"/live/");
	buf_html(out, page->slug);
	buf_printf(out, "/posts/%" PRId64 "\">", h->post_id);
	render_search_marked(out, h->title);
	buf_puts(out, "</a></h3>\n");
	if (render_time_view(page->zone, h->published_at, &tv) == 0) {
		buf_puts(out, "<p class=\"search-time\">");
		/* Results span the page's whole life: the year always. */
		render_time_html(out, &tv, RENDER_TIME_DAY | RENDER_TIME_YEAR);
		buf_puts(out, "</p>\n");
	}
	if (h->snippet && h->snippet[0]) {
		buf_puts(out, "<p class=\"search-snippet\">");
		render_search_marked(out, h->snippet);
		buf_puts(out, "</p>\n");
	}
	buf_puts(out, "</li>\n");
}

void render_search_html(struct buf *out, const struct render_site *site,
			const struct render_search_view *v)
{
	const struct model_page *page = v->page;
	const char *q = v->query ? v->query : "";
	size_t no = v->page_no ? v->page_no : 1;
	struct buf title;

	buf_init(&title, 4 * MODEL_TITLE_MAX);
	if (q[0])
		buf_printf(&title, "Search: %s", q);
	else
		buf_puts(&title, "Search");
	/* Not for search engines: the header says so too (http_reader.c), and
	 * robots.txt leaves the path open so that crawlers can read both. */
	struct render_meta meta = { .title = title.err ? "Search" : title.data, .noindex = 1 };

	render_doc_open_meta(out, site, meta.title, page->title, &meta, "page-search");
	buf_cleanup(&title);

	buf_puts(out, "<header class=\"page-head\">\n<p class=\"context\"><a href=\"/live/");
	buf_html(out, page->slug);
	buf_puts(out, "\">");
	buf_html(out, page->title);
	buf_puts(out, "</a></p>\n<h1>Search this page</h1>\n");
	render_search_form_html(out, page, q);
	buf_puts(out, "</header>\n<section class=\"search-results\" aria-labelledby=\"results-h\">\n");
	if (v->message) {
		buf_puts(out, "<h2 id=\"results-h\">No search made</h2>\n<p class=\"search-message\">");
		buf_html(out, v->message);
		buf_puts(out, "</p>\n");
	} else if (v->n_hits == 0) {
		buf_puts(out, "<h2 id=\"results-h\">No results</h2>\n<p class=\"search-message\">");
		buf_puts(out, no > 1 ? "No more posts on this page match " : "No post on this page matches ");
		buf_puts(out, "\xe2\x80\x9c");
		buf_html(out, q);
		buf_puts(out, "\xe2\x80\x9d. Every word must be in a post; try fewer words.</p>\n");
	} else {
		buf_puts(out, "<h2 id=\"results-h\">Posts matching \xe2\x80\x9c");
		buf_html(out, q);
		buf_puts(out, "\xe2\x80\x9d</h2>\n");
		buf_printf(out, "<ol class=\"search-list\" start=\"%zu\">\n",
			   (no - 1) * RENDER_SEARCH_PER_PAGE + 1);
		for (size_t i = 0; i < v->n_hits; i++)
			put_hit(out, page, &v->hits[i]);
		buf_puts(out, "</ol>\n");
	}
	buf_puts(out, "</section>\n");
	if (!v->message && (no > 1 || v->more)) {
		buf_puts(out, "<nav class=\"pager\" aria-label=\"Search results\">\n<ul>\n");
		if (no > 1) {
			buf_puts(out, "<li class=\"pager-newer\"><a href=\"");
			put_results_url(out, v, no - 1);
			buf_puts(out, "\">Better matches</a></li>\n");
		}
		if (v->more) {
			buf_puts(out, "<li class=\"pager-older\"><a href=\"");
			put_results_url(out, v, no + 1);
			buf_puts(out, "\">More results</a></li>\n");
		}
		buf_puts(out, "</ul>\n</nav>\n");
	}
	buf_puts(out, "<p class=\"in-context\"><a href=\"/live/");
	buf_html(out, page->slug);
	buf_puts(out, "\">Back to the live page</a></p>\n");
	render_doc_close(out, site);
}
