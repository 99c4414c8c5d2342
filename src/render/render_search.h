/*
 * Search in a page, for readers (GET /live/SLUG/search?q=WORDS): the form
 * that the live page carries near its top, and the page of results, each
 * result the post's title and a snippet of its text with the matching words
 * in <mark>, linking to the post's permalink. The store finds the posts
 * (store_post_search); this only renders what the caller hands over, escaping
 * everything but the store's marks (STORE_SEARCH_MARK_OPEN and _CLOSE, the
 * bytes 0x01 and 0x02), which alone become <mark> and </mark>, always
 * balanced. Complete without JavaScript: a plain GET form.
 */
#ifndef LIVELINE_RENDER_SEARCH_H
#define LIVELINE_RENDER_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "render/render.h"
#include "util/buf.h"

/* Results a page of results shows, and how many such pages may be asked for
 * (?page=1..RENDER_SEARCH_PAGES_MAX): the deepest costs one query of
 * RENDER_SEARCH_PER_PAGE rows past 980. */
#define RENDER_SEARCH_PER_PAGE	20
#define RENDER_SEARCH_PAGES_MAX 50

/* One result: a post, its title and snippet with the store's marks. */
struct render_search_hit {
	int64_t post_id;
	int64_t published_at;
	const char *title;
	const char *snippet; /* may be "" */
};

struct render_search_view {
	const struct model_page *page;
	const char *query;   /* as the reader typed it, shown back in the form; "" none */
	/* NULL, or why nothing was searched (plain text, shown as it is: "Give
	 * a word to search for."); hits are then not shown. */
	const char *message;
	const struct render_search_hit *hits;
	size_t n_hits;
	size_t page_no; /* 1-based page of results */
	int more;       /* a next page of results exists */
};

/* The search form of `page`, with `query` (may be NULL) as its value. */
void render_search_form_html(struct buf *out, const struct model_page *page, const char *query);
/* The whole page of results. */
void render_search_html(struct buf *out, const struct render_site *site,
			const struct render_search_view *v);
/* Appends `s` escaped for HTML, with the store's marks as <mark> and
 * </mark>: a mark that opens inside an open one, or closes none, is dropped,
 * and one left open is closed at the end, so the HTML is always balanced. */
void render_search_marked(struct buf *out, const char *s);

#endif
