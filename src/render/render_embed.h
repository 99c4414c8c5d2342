/*
 * The embeddable version of a live page, for an <iframe> on other sites, and
 * what points to it: the iframe snippet (the oEmbed answer's "html" and the
 * newsroom's copy-paste field share it) and the oEmbed discovery link in a
 * reader page's <head>.
 *
 * The embed (/live/SLUG/embed) is a whole document: the title, the status,
 * the newest RENDER_EMBED_POSTS posts as the live page renders them (so that
 * web/live.js and the stream's fragments work on it unchanged), and a link to
 * the full coverage. Every link opens a new top-level window: its own links
 * say target="_blank" rel="noopener", and a <base target="_blank"> covers the
 * links inside posts, those the stream adds included. It asks not to be
 * indexed and names the live page as its canonical. Like render.h's
 * functions, nothing here touches the store, everything from the model is
 * escaped, and each function appends to `out`, whose sticky error flag the
 * caller checks once.
 */
#ifndef LIVELINE_RENDER_EMBED_H
#define LIVELINE_RENDER_EMBED_H

#include <stddef.h>

#include "model/model.h"
#include "render/render.h"
#include "util/buf.h"

/* The posts an embed shows: a frame on another site's page is small. */
#define RENDER_EMBED_POSTS 10
/* The snippet's size when nobody asks for less (oEmbed's maxwidth and
 * maxheight), in CSS pixels. */
#define RENDER_EMBED_WIDTH  480
#define RENDER_EMBED_HEIGHT 640

/* The embed document of `page`, with `posts` (n, NEWEST FIRST). */
void render_embed_html(struct buf *out, const struct render_site *site,
		       const struct model_page *page, const struct model_post *posts, size_t n);

/* The snippet that frames `page`'s embed: an <iframe> with an absolute src
 * (site->base_url), a title attribute naming the page, `width` by `height`.
 * Raw HTML: a caller that shows it as text escapes it again. */
void render_embed_iframe(struct buf *out, const struct render_site *site,
			 const struct model_page *page, unsigned width, unsigned height);

/* The oEmbed discovery <link> of a reader page whose canonical address is
 * `canonical` (as doc_open writes it: a path, "/live/...", or absolute,
 * starting with site->base_url; already HTML-escaped) and whose title is
 * `title` (plain). Nothing for any other address: only live pages and
 * permalinks have an oEmbed answer. */
void render_embed_discovery(struct buf *out, const struct render_site *site,
			    const char *canonical, const char *title);

/* Appends `s` percent-encoded for a URL's query (all but RFC 3986's
 * unreserved characters). */
void render_embed_url_arg(struct buf *out, const char *s);

#endif
