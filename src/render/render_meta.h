/*
 * What a reader's page tells machines, in its <head>: the absolute canonical
 * link, the meta description, OpenGraph and Twitter card tags, feed
 * autodiscovery links, our icons, theme-color, and schema.org JSON-LD (a live
 * page is a LiveBlogPosting whose liveBlogUpdate lists the posts it shows as
 * BlogPosting items; a permalink is its post's BlogPosting, part of the live
 * blog). Every reader page kind calls render_meta_head() once, inside <head>.
 *
 * Every absolute URL starts with site->base_url (never the request's Host).
 * Attribute values go through buf_html(); the JSON-LD is a jansson tree dumped
 * with '<', '>' and '&' escaped (render_json_escaped), so no title can end the
 * <script type="application/ld+json"> element. Like the other renderers it
 * never touches the store: the page is rendered again whenever it changes, and
 * so is what this writes.
 */
#ifndef LIVELINE_RENDER_META_H
#define LIVELINE_RENDER_META_H

#include <stddef.h>

#include "model/model.h"
#include "model/model_limits.h"
#include "render/render.h"
#include "util/buf.h"

/* A meta description is cut to about this many characters, on a word. */
#define RENDER_META_DESC_CHARS 160
/* The JSON-LD of one page is at most this many bytes (model_limits.h counts it
 * in MODEL_PAGE_HTML_MAX): when the updates would make it longer, the oldest
 * are left out. */
#define RENDER_META_LD_MAX MODEL_LD_HTML_MAX
/* The browser's colour for the page (the "live" red of web/style.css). */
#define RENDER_META_THEME "#b80000"

struct render_meta {
	const char *title;  /* what the page is (og:title); NULL: the site's name */
	/* The page's own path on the base URL, "/live/SLUG?page=2": the canonical
	 * link and og:url. Made of URL-safe characters (a valid slug, digits);
	 * NULL for none (error pages). */
	const char *path;
	const struct model_page *page;  /* a live page's views; NULL elsewhere */
	const struct model_post *posts; /* the posts the page shows, NEWEST FIRST */
	size_t n_posts;
	const struct model_post *post;  /* a permalink's post; NULL elsewhere */
	int noindex;                    /* 1: ask robots not to index (error pages) */
};

/* Appends the tags above for `m` (see struct render_meta); out's error flag
 * carries any failure. */
void render_meta_head(struct buf *out, const struct render_site *site,
		      const struct render_meta *m);

/* Plain text of `post`'s body (paragraphs, quotations with their credit, list
 * items, embeds' titles), blocks separated by a blank line: articleBody. */
void render_meta_post_text(struct buf *out, const struct model_post *post);

/* `text` with runs of white space made one space and cut to at most `chars`
 * characters on a word boundary ("..." as U+2026 when cut). */
void render_meta_trim(struct buf *out, const char *text, size_t chars);

#endif
