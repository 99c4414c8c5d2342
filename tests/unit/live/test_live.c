/*
 * Unit tests for the worker's live state (src/live/): live_apply drops what a
 * change makes stale and warms live pages: a live page that readers were
 * being served from the cache is rendered again as soon as a change drops it,
 * so that no reader's request pays for the render; a page nobody asked for,
 * and a live page's older pages, are only dropped; embeds are warmed the same
 * way. live_poll reads the change log past what it has seen. live_readers
 * writes a worker's readers per page once per period when they moved, not once
 * per reader. On a real store, with no HTTP server: the cache is read directly.
 * Also the cache keys' one home (page/page_key.h).
 */
#include "unit_store.h"

#include "live/live.h"
#include "model/model.h"
#include "page/page_cache.h"
#include "page/page_key.h"

struct fixture {
	struct unit_db db;
	struct live *live;
	int64_t hot, cold;  /* page ids */
	int64_t last_change;
};

static int64_t add_page(struct store *s, const char *slug)
{
	return unit_page_create(s, slug, "Harbour bridge reopening", MODEL_STATUS_LIVE, 1739750400);
}

/* Hands the changes since the last call to the live state, as live_poll does. */
static void apply_new_changes(struct fixture *f)
{
	struct store_change *ch = NULL;
	size_t n = 0;

	assert_int_equal(store_changes_since(f->db.s, f->last_change, 100, &ch, &n), 0);
	assert_true(n > 0);
	live_apply(f->live, ch, n);
	f->last_change = ch[n - 1].id;
	store_changes_free(ch, n);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct live_config cfg = {
		.cache_entries = 64,
		.cache_bytes = 4u << 20,
		.stream_ring = 64,
	};
	char err[256];

	assert_non_null(f);
	unit_db_open(&f->db);
	f->hot = add_page(f->db.s, "hot");
	f->cold = add_page(f->db.s, "cold");
	unit_post_add(f->db.s, f->hot, "Bridge closed overnight", 1739750500);
	unit_post_add(f->db.s, f->cold, "Ferries run extra crossings", 1739750600);
	assert_int_equal(store_last_change_id(f->db.s, &f->last_change), 0);
	f->live = live_new(f->db.s, &cfg, err, sizeof(err));
	if (!f->live)
		fail_msg("live_new: %s", err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	live_free(f->live);
	unit_db_close(&f->db);
	free(f);
	return 0;
}

static const struct page_entry *cached(struct fixture *f, const char *key)
{
	return page_cache_get(live_cache(f->live), key);
}

static int body_has(const struct page_entry *e, const char *text)
{
	return e && strstr(e->body->data, text) != NULL;
}

static void test_hot_page_rendered_again_on_change(void **state)
{
	struct fixture *f = *state;
	const struct page_entry *e;
	char etag[sizeof(e->etag)];

	/* A reader has had the live page: it is in the cache. */
	live_warm(f->live, "hot");
	e = cached(f, "page:hot:0");
	assert_true(body_has(e, "Bridge closed overnight"));
	assert_false(body_has(e, "Bridge reopens"));
	memcpy(etag, e->etag, sizeof(etag));

	unit_post_add(f->db.s, f->hot, "Bridge reopens to traffic", 1739750700);
	apply_new_changes(f);

	/* Back in the cache before anyone asks, with the new post, a new ETag and
	 * its gzip copy. */
	e = cached(f, "page:hot:0");
	assert_true(body_has(e, "Bridge reopens to traffic"));
	assert_true(body_has(e, "Bridge closed overnight"));
	assert_string_not_equal(e->etag, etag);
	assert_non_null(e->gz);
}

static void test_only_live_pages_with_readers_are_rendered(void **state)
{
	struct fixture *f = *state;

	live_warm(f->live, "hot");
	/* An older page of the hot page, as `?page=1` caches it. */
	assert_non_null(page_cache_put(live_cache(f->live), "page:hot:1", f->hot, 200,
				       PAGE_CT_HTML, PAGE_CC_STABLE, "old", 3));

	unit_post_add(f->db.s, f->hot, "Bridge reopens to traffic", 1739750700);
	unit_post_add(f->db.s, f->cold, "Last ferry of the night", 1739750800);
	apply_new_changes(f);

	assert_true(body_has(cached(f, "page:hot:0"), "Bridge reopens to traffic"));
	assert_null(cached(f, "page:hot:1"));  /* dropped, not rendered */
	assert_null(cached(f, "page:cold:0")); /* nobody asked for it */
}

/* Around New Year, rendered pages are dropped at each quarter hour's turn
 * (their dates' years depend on the year now); static files stay, and no other
 * day drops anything. */
static void test_new_year_drops_rendered_pages(void **state)
{
	struct fixture *f = *state;
	struct page_cache *c = live_cache(f->live);
	const int64_t dec30 = 1798588800 + 23 * 3600; /* 2026-12-30T23:00:00Z */

	live_warm(f->live, "hot");
	assert_non_null(page_cache_put(c, "/static/x.css", PAGE_CACHE_STATIC, 200, "text/css",
				       "public", "x", 1));
	assert_int_equal(live_calendar(f->live, dec30), 0);
	assert_int_equal(live_calendar(f->live, dec30 + 899), 0);
	assert_non_null(cached(f, "page:hot:0"));
	/* 2026-12-31T00:00Z: New Year is near somewhere. */
	assert_int_equal(live_calendar(f->live, dec30 + 3600), 1);
	assert_null(cached(f, "page:hot:0"));
	assert_non_null(cached(f, "/static/x.css"));
	live_warm(f->live, "hot");
	assert_int_equal(live_calendar(f->live, dec30 + 3600 + 600), 0); /* same quarter */
	assert_non_null(cached(f, "page:hot:0"));
	assert_int_equal(live_calendar(f->live, dec30 + 3600 + 36 * 3600), 1); /* 1 Jan 12:00 */
	assert_null(cached(f, "page:hot:0"));
	live_warm(f->live, "hot");
	/* 2 January: the year is the same everywhere again. */
	assert_int_equal(live_calendar(f->live, dec30 + 3600 + 48 * 3600), 0);
	assert_non_null(cached(f, "page:hot:0"));
}

/* Only "page:SLUG:0" names a live page to warm; a page that does not exist
 * is not rendered. */
static void test_warm_refuses_other_keys(void **state)
{
	struct fixture *f = *state;
	static const char *keys[] = { "page::0", "page:hot:1", "page:hot:", "page:hot",
				      "post:hot:0", "text:hot", "page:", "page:hot:0:0",
				      "page:hot:00", "index" };
	char slug[96];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(page_key_live_slug(keys[i], slug, sizeof(slug)), 0);
	assert_int_equal(page_key_live_slug("page:hot:0", slug, sizeof(slug)), 1);
	assert_string_equal(slug, "hot");
	/* A slug that does not fit is no slug. */
	assert_int_equal(page_key_live_slug("page:hot:0", slug, 3), 0);

	live_warm(f->live, "nope");
	assert_int_equal(page_cache_count(live_cache(f->live)), 0);
}

/* What the routes build, the live state recognises: one format. */
static void test_keys_round_trip(void **state)
{
	char key[PAGE_KEY_MAX], feed[PAGE_KEY_MAX], slug[96];

	(void)state;
	page_key_page(key, "harbour-bridge", 0);
	assert_string_equal(key, "page:harbour-bridge:0");
	assert_int_equal(page_key_live_slug(key, slug, sizeof(slug)), 1);
	assert_string_equal(slug, "harbour-bridge");
	page_key_page(key, "harbour-bridge", 12);
	assert_string_equal(key, "page:harbour-bridge:12");
	assert_int_equal(page_key_live_slug(key, slug, sizeof(slug)), 0);
	page_key_post(key, "b", 9007199254740993LL);
	assert_string_equal(key, "post:b:9007199254740993");
	page_key_text(key, "b");
	assert_string_equal(key, "text:b");
	page_key_changes(key, "b", 42, 0);
	assert_string_equal(key, "changes:b:42");
	page_key_changes(key, "b", 42, 1);
	assert_string_equal(key, "changes:b:reload");
	page_key_feed(feed, "atom", "b");
	assert_string_equal(feed, "feed:atom:b");
	page_key_embed(key, "harbour-bridge");
	assert_string_equal(key, "embed:harbour-bridge");
	assert_int_equal(page_key_is_embed(key), 1);
	assert_int_equal(page_key_embed_slug(key, slug, sizeof(slug)), 1);
	assert_string_equal(slug, "harbour-bridge");
	/* Only an embed's key is one: the HTTP layer lets other sites frame it. */
	assert_int_equal(page_key_is_embed("page:harbour-bridge:0"), 0);
	assert_int_equal(page_key_is_embed(feed), 0);
	assert_int_equal(page_key_is_embed(NULL), 0);
	assert_int_equal(page_key_embed_slug("embed:", slug, sizeof(slug)), 0);
	assert_int_equal(page_key_embed_slug("embed:a:b", slug, sizeof(slug)), 0);
	assert_int_equal(page_key_embed_slug(key, slug, 3), 0);
}

/* An embed is warmed as its live page is: one that other sites were being
 * served is rendered again with the change; a page's embed that nobody
 * asked for is not. */
static void test_hot_embed_rendered_again_on_change(void **state)
{
	struct fixture *f = *state;
	const struct page_entry *e;

	live_warm_embed(f->live, "hot");
	e = cached(f, "embed:hot");
	assert_true(body_has(e, "Bridge closed overnight"));
	assert_true(body_has(e, "page-embed"));
	assert_int_equal(e->status, 200);

	unit_post_add(f->db.s, f->hot, "Bridge reopens to traffic", 1739750700);
	unit_post_add(f->db.s, f->cold, "Last ferry of the night", 1739750800);
	apply_new_changes(f);

	e = cached(f, "embed:hot");
	assert_true(body_has(e, "Bridge reopens to traffic"));
	assert_null(cached(f, "page:hot:0")); /* its live page had no reader */
	assert_null(cached(f, "embed:cold"));
	live_warm_embed(f->live, "nope");
	assert_null(cached(f, "embed:nope"));
}

/* live_poll reads the log past what it has seen, once: the data version
 * stands in for a read when nothing was committed. */
static void test_poll_reads_the_log_past_its_position(void **state)
{
	struct fixture *f = *state;

	live_warm(f->live, "hot");
	assert_int_equal(live_poll(f->live, 0), 0); /* nothing new: left alone */
	assert_true(body_has(cached(f, "page:hot:0"), "Bridge closed overnight"));
	unit_post_add(f->db.s, f->hot, "Bridge reopens to traffic", 1739750700);
	assert_int_equal(live_poll(f->live, 1), 0);
	assert_true(body_has(cached(f, "page:hot:0"), "Bridge reopens to traffic"));
	/* Changes from before live_new are not applied again. */
	page_cache_drop_all(live_cache(f->live));
	live_warm(f->live, "cold");
	assert_int_equal(live_poll(f->live, 1), 0);
	assert_non_null(cached(f, "page:cold:0"));
}

/* The readers of `page` summed over the rows written at or after `since`. */
static int64_t readers_summed(struct fixture *f, int64_t page, int64_t since)
{
	struct store_readers *v;
	int64_t r = 0;
	size_t n;

	assert_int_equal(store_readers_sum(f->db.s, since, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (v[i].page_id == page)
			r = v[i].readers;
	free(v);
	return r;
}

/* A stream of page `id` being opened: counted by the hub, with no socket. */
static struct stream_sub *reader_of(struct fixture *f, int64_t id)
{
	struct model_page p;
	struct stream_sub *s;

	assert_int_equal(store_page_get_by_id(f->db.s, id, &p), 0);
	s = stream_sub_new(live_hub(f->live), &p, STREAM_SSE, -1, NULL, 0, 0);
	assert_non_null(s);
	model_page_cleanup(&p);
	return s;
}

/* "N reading now" costs a write per period when the counts moved, never one
 * per reader: readers who come within a period are written together, counts
 * that did not move are written again only to stay fresh, and a worker whose
 * readers all left removes its rows. */
static void test_readers_written_per_period_not_per_reader(void **state)
{
	struct fixture *f = *state;
	struct stream_sub *subs[5];
	const int64_t t0 = 1000000, p = LIVE_READERS_PERIOD_S;

	live_readers(f->live, t0); /* no readers: nothing written */
	assert_int_equal(readers_summed(f, f->hot, 0), 0);
	for (int i = 0; i < 3; i++)
		subs[i] = reader_of(f, f->hot);
	live_readers(f->live, t0 + p);
	assert_int_equal(readers_summed(f, f->hot, t0 + p), 3);

	/* Two more within the period: written together once it is over. */
	subs[3] = reader_of(f, f->hot);
	live_readers(f->live, t0 + p + 1);
	subs[4] = reader_of(f, f->hot);
	assert_int_equal(readers_summed(f, f->hot, 0), 3);
	live_readers(f->live, t0 + 2 * p);
	assert_int_equal(readers_summed(f, f->hot, t0 + 2 * p), 5);

	/* Unchanged: not written at the next period (the rows keep their time)... */
	live_readers(f->live, t0 + 3 * p);
	assert_int_equal(readers_summed(f, f->hot, t0 + 2 * p + 1), 0);
	assert_int_equal(readers_summed(f, f->hot, 0), 5);
	/* ...but again once LIVE_READERS_REFRESH_S has passed, to stay fresh. */
	live_readers(f->live, t0 + 2 * p + LIVE_READERS_REFRESH_S);
	assert_int_equal(readers_summed(f, f->hot, t0 + 2 * p + LIVE_READERS_REFRESH_S), 5);

	/* All gone: the worker's rows go too. */
	for (int i = 0; i < 5; i++)
		stream_sub_cancel(subs[i]);
	live_readers(f->live, t0 + 3 * p + LIVE_READERS_REFRESH_S);
	assert_int_equal(readers_summed(f, f->hot, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hot_page_rendered_again_on_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_only_live_pages_with_readers_are_rendered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_warm_refuses_other_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_year_drops_rendered_pages, setup, teardown),
		cmocka_unit_test(test_keys_round_trip),
		cmocka_unit_test_setup_teardown(test_readers_written_per_period_not_per_reader, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_poll_reads_the_log_past_its_position, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hot_embed_rendered_again_on_change, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("live", tests, NULL, NULL);
}
