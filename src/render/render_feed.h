/*
 * Feeds of a live page: Atom (RFC 4287), RSS 2.0 and JSON Feed 1.1, each holding
 * the posts the caller hands over (the newest MODEL_FEED_POSTS, NEWEST FIRST: the limit is the
 * caller's). Like the HTML renderers they never touch the store and append to the
 * caller's buffer, whose sticky error flag the caller checks once.
 *
 * Ids and links are absolute: a post's id is its permalink,
 * BASE/live/SLUG/posts/ID (Atom <id>, RSS <guid isPermaLink="true">, JSON Feed
 * "id"), and the feed links to the live page (alternate) and to itself (self).
 * Dates are UTC: RFC 3339 in Atom and JSON Feed, RFC 822 in RSS. A feed's
 * updated date is its newest change: page->updated_at, or the newest post's
 * updated_at if that is later.
 *
 * Post content is the post's bylines and blocks as HTML (render_post_body_html),
 * carried escaped (Atom <content type="html">, RSS <description>, JSON Feed
 * "content_html"); nothing from the model reaches a feed unescaped. Characters
 * that XML 1.0 does not allow (controls other than tab, CR and LF; U+FFFE,
 * U+FFFF) are dropped and invalid UTF-8 becomes U+FFFD, in all three feeds, so
 * that any model gives a well-formed feed. The JSON Feed is built with jansson,
 * and its '<', '>' and '&' are written as \u003c, \u003e and \u0026 (as Go's
 * encoding/json does), so no reader or sniffer can take it for markup.
 */
#ifndef LIVELINE_RENDER_FEED_H
#define LIVELINE_RENDER_FEED_H

#include <stddef.h>

#include "model/model.h"
#include "util/buf.h"

struct render_feed_site {
	const char *base_url; /* absolute, e.g. "http://127.0.0.1:8080", no trailing slash */
	const char *name;     /* "Liveline": the feed's generator and default author */
};

/* The feeds are served as these types at BASE/live/SLUG/feed.{atom,rss,json}. */
#define RENDER_FEED_ATOM_TYPE "application/atom+xml"
#define RENDER_FEED_RSS_TYPE  "application/rss+xml"
#define RENDER_FEED_JSON_TYPE "application/feed+json"

void render_feed_atom(struct buf *out, const struct render_feed_site *site,
		      const struct model_page *page, const struct model_post *posts,
		      size_t n);
void render_feed_rss(struct buf *out, const struct render_feed_site *site,
		     const struct model_page *page, const struct model_post *posts, size_t n);
/* On an allocation failure inside jansson, sets out->err to BUF_ENOMEM. */
void render_feed_json(struct buf *out, const struct render_feed_site *site,
		      const struct model_page *page, const struct model_post *posts,
		      size_t n);

/* Appends `v` as compact JSON with '<', '>' and '&' written as \u003c, \u003e
 * and \u0026, as the JSON Feed is: safe inside an HTML <script> data block
 * (render_meta.c's JSON-LD) as in a feed. Returns 0, or -1 (out's error flag
 * says why when the buffer failed). */
struct json_t;
int render_json_escaped(struct buf *out, const struct json_t *v);
/* Appends `s` (NULL is "") cleaned and escaped as the XML feeds' values are:
 * for the sitemaps (render_sitemap.c). */
void render_xml_escaped(struct buf *out, const char *s);

#endif
