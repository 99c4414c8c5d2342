/*
 * The page cache: see page_cache.h. A chained hash table for lookup and a list
 * in storing order for eviction. Single-threaded: each worker has its own.
 */
#include "page/page_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/stats.h"

#define PAGE_CACHE_BUCKETS 1024 /* a power of two */
#define PAGE_GZIP_MIN 256       /* smaller bodies gain nothing from gzip */

struct page_cache {
	struct page_entry *buckets[PAGE_CACHE_BUCKETS];
	struct util_list lru; /* entries, least recently stored first */
	size_t count, bytes;
	size_t max_entries, max_bytes;
	page_attached_free_fn attached_free;
	/* Kept open and reset for each entry: opening one allocates ~400 KB, and
	 * faulting that in cost ~60 µs of each re-render of a live page. */
	z_stream z;
	int z_open;
};

struct page_body *page_body_new(const void *data, size_t len)
{
	struct page_body *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	b->refs = 1;
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

void page_body_ref(struct page_body *b)
{
	b->refs++;
}

void page_body_unref(struct page_body *b)
{
	if (b && --b->refs == 0)
		free(b);
}

static uint64_t page_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct page_cache *page_cache_new(size_t max_entries, size_t max_bytes,
				  page_attached_free_fn attached_free)
{
	struct page_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	c->attached_free = attached_free;
	return c;
}

static size_t page_entry_bytes(const struct page_entry *e)
{
	return e->body->len + (e->gz ? e->gz->len : 0) + strlen(e->key);
}

/* Unlinks `e` from its bucket and the age list, and frees it. */
static struct page_entry *page_entry_of(struct util_link *l)
{
	return UTIL_CONTAINER(l, struct page_entry, lru);
}

static void page_entry_remove(struct page_cache *c, struct page_entry *e)
{
	struct page_entry **pp = &c->buckets[page_hash(e->key) & (PAGE_CACHE_BUCKETS - 1)];

	while (*pp != e)
		pp = &(*pp)->next_in_bucket;
	*pp = e->next_in_bucket;
	util_list_remove(&c->lru, &e->lru);
	c->count--;
	c->bytes -= page_entry_bytes(e);
	for (size_t i = 0; i < sizeof(e->attached) / sizeof(e->attached[0]); i++)
		if (e->attached[i] && c->attached_free)
			c->attached_free(e->attached[i]);
	page_body_unref(e->body);
	page_body_unref(e->gz);
	free(e->key);
	free(e);
}

void page_cache_free(struct page_cache *c)
{
	if (!c)
		return;
	page_cache_drop_all(c);
	if (c->z_open)
		deflateEnd(&c->z);
	free(c);
}

static struct page_entry *page_cache_find(struct page_cache *c, const char *key)
{
	struct page_entry *e = c->buckets[page_hash(key) & (PAGE_CACHE_BUCKETS - 1)];

	for (; e; e = e->next_in_bucket)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

struct page_entry *page_cache_get(struct page_cache *c, const char *key)
{
	struct page_entry *e = page_cache_find(c, key);

	/* A request's lookup: what /metrics counts as a hit or a miss. */
	stats_count(e ? STATS_CACHE_HITS : STATS_CACHE_MISSES, 1);
	return e;
}

static int page_deflate_open(z_stream *z)
{
	memset(z, 0, sizeof(*z));
	/* windowBits 15 + 16: a gzip wrapper rather than zlib's. */
	return deflateInit2(z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9,
			    Z_DEFAULT_STRATEGY) == Z_OK ? 0 : -1;
}

/* Compresses `len` bytes with `z`, freshly opened or reset. */
static struct page_body *page_deflate(z_stream *z, const void *data, size_t len)
{
	uLong bound = deflateBound(z, (uLong)len) + 32;
	struct page_body *out = malloc(sizeof(*out) + bound + 1);

	if (!out)
		return NULL;
	z->next_in = (Bytef *)(uintptr_t)data;
	z->avail_in = (uInt)len;
	z->next_out = (Bytef *)out->data;
	z->avail_out = (uInt)bound;
	if (deflate(z, Z_FINISH) != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	out->refs = 1;
	out->len = z->total_out;
	out->data[out->len] = '\0';
	return out;
}

struct page_body *page_gzip(const void *data, size_t len)
{
	struct page_body *out;
	z_stream z;

	if (page_deflate_open(&z) < 0)
		return NULL;
	out = page_deflate(&z, data, len);
	deflateEnd(&z);
	return out;
}

/* page_gzip() with the cache's own stream. */
static struct page_body *page_cache_gzip(struct page_cache *c, const void *data, size_t len)
{
	if (!c->z_open) {
		if (page_deflate_open(&c->z) < 0)
			return NULL;
		c->z_open = 1;
	} else if (deflateReset(&c->z) != Z_OK) {
		return NULL;
	}
	return page_deflate(&c->z, data, len);
}

/* A strong validator from the bytes: two independent checksums and the length
 * make an accidental collision between two renderings of a page negligible. */
static void page_etag(char *out, size_t cap, const void *data, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0), adl = adler32(0L, Z_NULL, 0);

	crc = crc32_z(crc, data, len);
	adl = adler32_z(adl, data, len);
	snprintf(out, cap, "\"%08lx%08lx%zx\"", crc, adl, len);
}

struct page_entry *page_cache_put(struct page_cache *c, const char *key, int64_t page_id,
				  int status, const char *content_type,
				  const char *cache_control, const void *body, size_t len)
{
	struct page_entry *e, *old;
	size_t b;

	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = strdup(key);
	e->body = page_body_new(body, len);
	if (!e->key || !e->body)
		goto fail;
	if (len >= PAGE_GZIP_MIN) {
		e->gz = page_cache_gzip(c, body, len);
		if (e->gz && e->gz->len >= len) { /* incompressible: not worth a copy */
			page_body_unref(e->gz);
			e->gz = NULL;
		}
	}
	e->page_id = page_id;
	e->status = status;
	e->content_type = content_type;
	e->cache_control = cache_control;
	page_etag(e->etag, sizeof(e->etag), body, len);

	old = page_cache_find(c, key);
	if (old)
		page_entry_remove(c, old);
	b = page_entry_bytes(e);
	while (c->lru.head && (c->count + 1 > c->max_entries || c->bytes + b > c->max_bytes))
		page_entry_remove(c, page_entry_of(c->lru.head));

	uint64_t h = page_hash(key) & (PAGE_CACHE_BUCKETS - 1);
	e->next_in_bucket = c->buckets[h];
	c->buckets[h] = e;
	util_list_push(&c->lru, &e->lru);
	c->count++;
	c->bytes += b;
	return e;
fail:
	free(e->key);
	page_body_unref(e->body);
	free(e);
	return NULL;
}

void page_cache_drop_page(struct page_cache *c, int64_t page_id, page_dropped_fn dropped,
			  void *arg)
{
	struct util_link *l = c->lru.head, *next;

	for (; l; l = next) {
		struct page_entry *e = page_entry_of(l);

		next = l->next;
		if (e->page_id == page_id || e->page_id == PAGE_CACHE_ANY_PAGE) {
			if (dropped)
				dropped(arg, e);
			page_entry_remove(c, e);
		}
	}
}

void page_cache_set_attached_free(struct page_cache *c, page_attached_free_fn attached_free)
{
	c->attached_free = attached_free;
}

void page_cache_drop_rendered(struct page_cache *c)
{
	struct util_link *l = c->lru.head, *next;

	for (; l; l = next) {
		struct page_entry *e = page_entry_of(l);

		next = l->next;
		if (e->page_id != PAGE_CACHE_STATIC)
			page_entry_remove(c, e);
	}
}

void page_cache_drop_all(struct page_cache *c)
{
	while (c->lru.head)
		page_entry_remove(c, page_entry_of(c->lru.head));
}

size_t page_cache_count(const struct page_cache *c)
{
	return c->count;
}

size_t page_cache_bytes(const struct page_cache *c)
{
	return c->bytes;
}
