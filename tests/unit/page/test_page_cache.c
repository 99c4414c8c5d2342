/*
 * The page cache: lookup, ETags, gzip copies, dropping a page's entries,
 * bounds, and bodies that outlive their entry.
 */
#include "unit.h"

#include <zlib.h>

#include "page/page_cache.h"

static int freed;
static void count_free(void *p)
{
	(void)p;
	freed++;
}

static void test_put_get_etag(void **state)
{
	struct page_cache *c = page_cache_new(16, 1 << 20, NULL);
	struct page_entry *a, *b;
	(void)state;

	a = page_cache_put(c, "k1", 1, 200, "text/html", "public", "hello", 5);
	assert_non_null(a);
	assert_ptr_equal(page_cache_get(c, "k1"), a);
	assert_null(page_cache_get(c, "k2"));
	assert_string_equal(a->body->data, "hello");
	assert_int_equal(a->etag[0], '"');
	b = page_cache_put(c, "k2", 1, 200, "text/html", "public", "hellp", 5);
	assert_string_not_equal(a->etag, b->etag);
	/* same bytes, same validator: an ETag survives a re-render */
	b = page_cache_put(c, "k3", 2, 200, "text/html", "public", "hello", 5);
	assert_string_equal(page_cache_get(c, "k1")->etag, b->etag);
	assert_int_equal(page_cache_count(c), 3);
	page_cache_free(c);
}

static void test_gzip_copy(void **state)
{
	struct page_cache *c = page_cache_new(16, 1 << 20, NULL);
	char body[4096], out[4096];
	struct page_entry *e;
	z_stream z = { 0 };
	(void)state;

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = "<p>live</p>\n"[i % 12];
	e = page_cache_put(c, "big", 1, 200, "text/html", "public", body, sizeof(body));
	assert_non_null(e->gz);
	assert_true(e->gz->len < sizeof(body) / 4);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)e->gz->data;
	z.avail_in = (uInt)e->gz->len;
	z.next_out = (Bytef *)out;
	z.avail_out = sizeof(out);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, sizeof(body));
	assert_memory_equal(out, body, sizeof(body));
	inflateEnd(&z);
	/* tiny bodies get no copy */
	e = page_cache_put(c, "small", 1, 200, "text/html", "public", "x", 1);
	assert_null(e->gz);
	page_cache_free(c);
}

/* Inflates a gzip body into `out` (cap bytes); returns its length. */
static size_t gunzip(const struct page_body *gz, char *out, size_t cap)
{
	z_stream z = { 0 };
	size_t n;

	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)gz->data;
	z.avail_in = (uInt)gz->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	n = z.total_out;
	inflateEnd(&z);
	return n;
}

/* The cache compresses every entry with one stream it resets: nothing of one
 * body may leak into the next copy, whatever came between. */
static void test_gzip_stream_reused(void **state)
{
	struct page_cache *c = page_cache_new(64, 1 << 22, NULL);
	static char body[20000], noise[3000], out[20000];
	uint32_t x = 12345;
	char key[16];
	(void)state;

	for (size_t i = 0; i < sizeof(noise); i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (char)(x >> 24);
	}
	for (int round = 0; round < 12; round++) {
		size_t len = 300 + (size_t)round * 1500;
		struct page_entry *e;
		struct page_body *once;

		for (size_t i = 0; i < len; i++)
			body[i] = (char)('a' + (i * (size_t)(round + 3) / 7) % 26);
		snprintf(key, sizeof(key), "k%d", round);
		e = page_cache_put(c, key, 1, 200, "text/html", "public", body, len);
		assert_non_null(e->gz);
		assert_int_equal(gunzip(e->gz, out, sizeof(out)), len);
		assert_memory_equal(out, body, len);
		/* byte for byte what a fresh stream makes */
		once = page_gzip(body, len);
		assert_non_null(once);
		assert_int_equal(once->len, e->gz->len);
		assert_memory_equal(once->data, e->gz->data, once->len);
		page_body_unref(once);
		/* an incompressible body in between gets no copy */
		e = page_cache_put(c, "noise", 1, 200, "image/x", "public", noise, sizeof(noise));
		assert_null(e->gz);
	}
	page_cache_free(c);
}

/* Records the keys of dropped entries, comma-separated. */
static void note_dropped(void *arg, const struct page_entry *e)
{
	char *seen = arg;

	strcat(seen, e->key);
	strcat(seen, ",");
}

static void test_drop_page(void **state)
{
	char seen[64] = "";
	struct page_cache *c = page_cache_new(16, 1 << 20, count_free);
	struct page_entry *e;
	(void)state;

	freed = 0;
	e = page_cache_put(c, "p1", 1, 200, "t", "c", "a", 1);
	e->attached[0] = e; /* any non-NULL: the hook must run once */
	page_cache_put(c, "p2", 2, 200, "t", "c", "b", 1);
	page_cache_put(c, "index", PAGE_CACHE_ANY_PAGE, 200, "t", "c", "c", 1);
	page_cache_put(c, "css", PAGE_CACHE_STATIC, 200, "t", "c", "d", 1);
	page_cache_drop_page(c, 1, note_dropped, seen);
	/* Oldest first, each dropped entry once, nothing else. */
	assert_string_equal(seen, "p1,index,");
	assert_null(page_cache_get(c, "p1"));
	assert_null(page_cache_get(c, "index"));
	assert_non_null(page_cache_get(c, "p2"));
	assert_non_null(page_cache_get(c, "css"));
	assert_int_equal(freed, 1);
	page_cache_drop_page(c, 3, NULL, NULL); /* no such page: nothing goes */
	assert_int_equal(page_cache_count(c), 2);
	page_cache_free(c);
}

static void test_bounds_and_body_lifetime(void **state)
{
	struct page_cache *c = page_cache_new(2, 1 << 20, NULL);
	struct page_body *kept;
	struct page_entry *e;
	char key[16];
	(void)state;

	e = page_cache_put(c, "first", 1, 200, "t", "c", "first body", 10);
	kept = e->body;
	page_body_ref(kept); /* a slow reader still sending it */
	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_non_null(page_cache_put(c, key, 1, 200, "t", "c", key, strlen(key)));
	}
	assert_int_equal(page_cache_count(c), 2);
	assert_null(page_cache_get(c, "first"));
	assert_non_null(page_cache_get(c, "k4"));
	assert_string_equal(kept->data, "first body");
	page_body_unref(kept);
	page_cache_free(c);

	c = page_cache_new(100, 60, NULL); /* a byte bound */
	page_cache_put(c, "a", 1, 200, "t", "c", "0123456789012345678901234567890", 31);
	page_cache_put(c, "b", 1, 200, "t", "c", "0123456789012345678901234567890", 31);
	assert_true(page_cache_bytes(c) <= 60);
	assert_null(page_cache_get(c, "a"));
	page_cache_free(c);
}

static void test_replace_same_key(void **state)
{
	struct page_cache *c = page_cache_new(16, 1 << 20, NULL);
	(void)state;

	page_cache_put(c, "k", 1, 200, "t", "c", "old", 3);
	page_cache_put(c, "k", 1, 200, "t", "c", "new!", 4);
	assert_int_equal(page_cache_count(c), 1);
	assert_string_equal(page_cache_get(c, "k")->body->data, "new!");
	page_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_etag),
		cmocka_unit_test(test_gzip_copy),
		cmocka_unit_test(test_gzip_stream_reused),
		cmocka_unit_test(test_drop_page),
		cmocka_unit_test(test_bounds_and_body_lifetime),
		cmocka_unit_test(test_replace_same_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
