/*
 * The page cache's keys: one home for their format, built by the routes that
 * look entries up and recognised by the live state that warms them
 * (live.c), so that the two cannot drift apart.
 *
 *   index                      the index of live pages
 *   page:SLUG:N                page N of a live page (0: the live page itself)
 *   post:SLUG:ID               one post's permalink
 *   text:SLUG                  the plain-text form
 *   changes:SLUG:N             /changes after N; changes:SLUG:reload for every
 *                              N the ring cannot answer
 *   feed:KIND:SLUG             a feed (its links start with the public base URL)
 *   embed:SLUG                 the embeddable version (the one frameable entry)
 *   /static/NAME.VERSION.EXT   a built-in file, keyed by its URL
 *   /robots.txt, /favicon.ico  likewise (robots.txt names the base URL)
 *   sitemap                    /sitemap.xml, every published live page
 *   sitemap-news:H             /sitemap-news.xml in hour H (UTC hours since
 *                              the epoch): what it lists depends on the time
 *
 * Slugs are valid (model_slug_valid: at most 80 bytes, no ':').
 */
#ifndef LIVELINE_PAGE_KEY_H
#define LIVELINE_PAGE_KEY_H

#include <stddef.h>
#include <stdint.h>

/* Room for any key: a slug, a prefix and a number. */
#define PAGE_KEY_MAX 160

#define PAGE_KEY_INDEX "index"
#define PAGE_KEY_SITEMAP "sitemap"

/* "page:SLUG:N" into `out` (PAGE_KEY_MAX bytes). Without snprintf: this runs
 * on every page request, where format parsing was a measurable share of our
 * own work (bench/results/page-profile.md). */
void page_key_page(char *out, const char *slug, uint64_t n);
/* "post:SLUG:ID" into `out` (PAGE_KEY_MAX bytes), as fast. */
void page_key_post(char *out, const char *slug, int64_t post_id);
/* "text:SLUG" into `out` (PAGE_KEY_MAX bytes). */
void page_key_text(char *out, const char *slug);
/* "changes:SLUG:N", or "changes:SLUG:reload" when `reload`, into `out`
 * (PAGE_KEY_MAX bytes). */
void page_key_changes(char *out, const char *slug, int64_t since, int reload);
/* "feed:KIND:SLUG" into `out` (PAGE_KEY_MAX bytes). */
void page_key_feed(char *out, const char *kind, const char *slug);

/* "sitemap-news:H" into `out` (PAGE_KEY_MAX bytes), H the hour of `now`:
 * a new key each hour, so that pages age out of the news sitemap even when
 * nothing changes (each hour's entry is also dropped by any change). */
void page_key_sitemap_news(char *out, int64_t now);
/* "embed:SLUG" into `out` (PAGE_KEY_MAX bytes). */
void page_key_embed(char *out, const char *slug);
/* 1 if `key` is an embed's ("embed:SLUG"): the HTTP layer lets other sites
 * frame that entry, and no other. */
int page_key_is_embed(const char *key);
/* 1 if `key` is an embed's, with its slug copied into `slug` (`cap` bytes);
 * 0 for any other key, or a slug that does not fit. */
int page_key_embed_slug(const char *key, char *slug, size_t cap);

/* 1 if `key` names a live page itself ("page:SLUG:0"), with its slug copied
 * into `slug` (`cap` bytes); 0 for any other key, or a slug that does not fit. */
int page_key_live_slug(const char *key, char *slug, size_t cap);

#endif
