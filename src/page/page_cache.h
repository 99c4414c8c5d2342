/*
 * The page cache: rendered responses kept in memory, each with a strong ETag and
 * a gzip copy made once when it is stored, so that a cache hit costs no database
 * query, no rendering and no compression. One cache per worker process.
 *
 * Entries are looked up by key (a normalised request: "page:SLUG:N" etc.) and
 * tagged with the page they were rendered from, so that a change to a page drops
 * exactly that page's entries (page_cache_drop_page). Bodies are reference
 * counted: a response being written to a slow reader keeps its body alive after
 * the entry itself has been dropped or replaced.
 *
 * The cache is bounded in entries and bytes; storing past either bound evicts
 * the least recently stored entries first.
 *
 * An entry may hold a failure (a status other than 200, such as the 500 of a
 * render over its size limit): it is kept and dropped exactly like a page, so
 * a render that failed is answered from memory until its page changes instead
 * of being tried again at every request (a failing render is the costliest
 * kind: it runs to the limit before it fails).
 */
#ifndef LIVELINE_PAGE_CACHE_H
#define LIVELINE_PAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/list.h"

/* Immutable bytes shared by reference count. */
struct page_body {
	unsigned refs;
	size_t len;
	char data[]; /* len bytes, NUL-terminated for convenience */
};

struct page_body *page_body_new(const void *data, size_t len); /* refs = 1; NULL on OOM */
void page_body_ref(struct page_body *b);
void page_body_unref(struct page_body *b);

/* The Content-Type and Cache-Control of what the live state renders into the
 * cache itself (live/live.h); the HTTP layer's other values are in
 * http/http_internal.h, which names these the same way. */
#define PAGE_CT_HTML "text/html; charset=utf-8"
#define PAGE_CC_LIVE "public, max-age=5, stale-while-revalidate=30"
/* Older pages: they change only on an edit or a deletion of one of their posts,
 * and a correction must reach readers and CDNs within a minute (max-age plus
 * stale-while-revalidate), as on the live page; revalidating is a 304 on the
 * strong ETag, which costs no rendering. */
#define PAGE_CC_STABLE "public, max-age=30, stale-while-revalidate=30"
#define PAGE_CC_FAILED "no-cache" /* a remembered failure: revalidated every time */

#define PAGE_CACHE_ANY_PAGE 0
#define PAGE_CACHE_STATIC (-1)

struct page_entry {
	char *key;
	int64_t page_id;          /* > 0: rendered from that page; PAGE_CACHE_ANY_PAGE:
				   * shows all pages (the index), dropped on any change;
				   * PAGE_CACHE_STATIC: never dropped by a change */
	int status;               /* HTTP status of the response, usually 200; 500
				   * for a remembered failure (ETags are only
				   * matched for 200) */
	const char *content_type; /* static string */
	const char *cache_control;/* static string */
	char etag[40];            /* with quotes: "\"1a2b...\"" */
	struct page_body *body;
	struct page_body *gz;     /* NULL when compression does not pay */
	void *attached[6];        /* owned by the HTTP layer: prebuilt responses */
	/* private */
	struct page_entry *next_in_bucket;
	struct util_link lru;      /* in the order stored: oldest first */
};

/* Called for each non-NULL attached slot when an entry leaves the cache. */
typedef void (*page_attached_free_fn)(void *attached);

struct page_cache;

struct page_cache *page_cache_new(size_t max_entries, size_t max_bytes,
				  page_attached_free_fn attached_free);
/* Sets (or, with NULL, clears) the function that frees attached slots: the
 * HTTP layer, which attaches them, sets it when it starts and clears it when
 * it stops (after page_cache_drop_all), as the cache outlives it. */
void page_cache_set_attached_free(struct page_cache *c, page_attached_free_fn attached_free);
void page_cache_free(struct page_cache *c);

/* The entry for `key`, or NULL. The pointer is valid until the next call that
 * stores or drops entries. Each call is a request's lookup, counted as a hit
 * or a miss for /metrics (util/stats.h). */
struct page_entry *page_cache_get(struct page_cache *c, const char *key);

/* Stores a copy of `body` under `key` (replacing any entry), computes its ETag
 * and, for bodies of 256 bytes and more, a gzip copy. Returns the new entry, or
 * NULL on out of memory (the cache is unchanged). */
struct page_entry *page_cache_put(struct page_cache *c, const char *key, int64_t page_id,
				  int status, const char *content_type,
				  const char *cache_control, const void *body, size_t len);

/* Called with each entry just before it is dropped. */
typedef void (*page_dropped_fn)(void *arg, const struct page_entry *e);

/* Drops every entry rendered from `page_id`, and every PAGE_CACHE_ANY_PAGE
 * entry (listings that show all pages); tells `dropped` (may be NULL) of each. */
void page_cache_drop_page(struct page_cache *c, int64_t page_id, page_dropped_fn dropped,
			  void *arg);
void page_cache_drop_all(struct page_cache *c);
/* Drops every entry but the PAGE_CACHE_STATIC ones: what was rendered from
 * the store (pages, the index, feeds...), to be rendered again. */
void page_cache_drop_rendered(struct page_cache *c);

size_t page_cache_count(const struct page_cache *c);
size_t page_cache_bytes(const struct page_cache *c);

/* Gzip-compresses `len` bytes into a new body (zlib, best compression), or NULL. */
struct page_body *page_gzip(const void *data, size_t len);

#endif
