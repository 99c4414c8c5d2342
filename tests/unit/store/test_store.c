/*
 * Unit tests for the store's interface (store/store.h), on a fresh database
 * file per test: pages and posts read back field by field, order and paging,
 * the change log (sequence numbers, kinds, global ids), events rendered once at
 * commit, outer transactions, data_version across connections, being woken
 * by another connection's commit, which targets name PostgreSQL, and refusal
 * of bad data. Through store.h only, on any backend: the tests that reach
 * into the file with a connection of their own, or need a file at all
 * (SQLite-specific), are in test_store_sqlite.c.
 */
#include "unit_store.h"

#include <sys/wait.h>
#include <time.h>

#include "model/model.h"
#include "store/store.h"
#include "util/log.h"

#include "store_samples.h"

/* ---- pages ------------------------------------------------------------- */

static void test_page_create_get(void **state)
{
	struct unit_db *f = *state;
	struct model_page in, out, by_id;
	int64_t before = (int64_t)time(NULL);

	sample_page(&in, "ukraine-summits");
	assert_int_equal(store_page_create(f->s, 0, &in), 0);
	assert_true(in.id > 0);
	assert_int_equal(in.last_seq, 1);

	assert_int_equal(store_page_get(f->s, "ukraine-summits", &out), 0);
	assert_int_equal(out.id, in.id);
	assert_string_equal(out.slug, "ukraine-summits");
	assert_string_equal(out.title, in.title);
	assert_string_equal(out.description, in.description);
	assert_string_equal(out.zone, in.zone);
	assert_int_equal(out.status, MODEL_STATUS_LIVE);
	assert_int_equal(out.start_at, in.start_at);
	assert_int_equal(out.end_at, 0);
	assert_int_equal(out.summary.n_points, 2);
	assert_string_equal(out.summary.points[0], summary_points[0]);
	assert_string_equal(out.summary.points[1], summary_points[1]);
	assert_int_equal(out.summary.media_kind, MODEL_MEDIA_VIDEO);
	assert_string_equal(out.summary.media_url, in.summary.media_url);
	assert_string_equal(out.summary.media_alt, in.summary.media_alt);
	assert_string_equal(out.summary.media_caption, in.summary.media_caption);
	assert_int_equal(out.pinned_post_id, 0);
	assert_int_equal(out.last_seq, 1);
	assert_int_equal(out.n_posts, 0);
	assert_true(out.updated_at >= before && out.updated_at <= (int64_t)time(NULL));

	assert_int_equal(store_page_get_by_id(f->s, in.id, &by_id), 0);
	assert_string_equal(by_id.slug, out.slug);
	assert_int_equal(by_id.last_seq, out.last_seq);
	model_page_cleanup(&by_id);
	model_page_cleanup(&out);

	assert_int_equal(store_page_get(f->s, "no-such-page", &out), STORE_ENOTFOUND);
	assert_int_equal(store_page_get_by_id(f->s, 999, &out), STORE_ENOTFOUND);
	assert_non_null(strstr(store_errmsg(f->s), "no page"));
}

static void test_page_create_refused(void **state)
{
	struct unit_db *f = *state;
	const char *bad_slugs[] = { "", "Bad", "has space", "-lead", "trail-", "a_b", "é" };
	struct model_page p;
	int64_t changes;

	create_page(f->s, "taken");
	changes = last_change(f->s);

	sample_page(&p, "taken");
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EEXIST);
	assert_non_null(strstr(store_errmsg(f->s), "exists"));

	for (size_t i = 0; i < sizeof(bad_slugs) / sizeof(bad_slugs[0]); i++) {
		sample_page(&p, bad_slugs[i]);
		assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);
		assert_non_null(strstr(store_errmsg(f->s), "slug"));
	}
	sample_page(&p, NULL);
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);

	sample_page(&p, "no-title");
	p.title = "";
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->s), "title"));
	p.title = NULL;
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);

	sample_page(&p, "no-zone");
	p.zone = "";
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->s), "zone"));
	p.zone = NULL;
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);

	sample_page(&p, "bad-utf8");
	p.title = "caf\xc3";
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);

	sample_page(&p, "bad-status");
	p.status = (enum model_status)7;
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EINVAL);

	/* Nothing refused reached the log. */
	assert_int_equal(last_change(f->s), changes);
}

/* An unpublished page is in the newsroom's queries and in none of the readers'
 * (store_page_get_public, store_page_list_public); publishing and unpublishing
 * are changes of their own in the log, and doing either twice logs nothing. */
static void test_page_published(void **state)
{
	struct unit_db *f = *state;
	struct model_page in, p, *pages = NULL;
	struct store_change *ch = NULL;
	size_t n = 0;
	int changed = -1;
	int64_t before;

	create_page(f->s, "public");
	sample_page(&in, "embargoed");
	in.published = 0;
	assert_int_equal(store_page_create(f->s, 0, &in), 0);

	assert_int_equal(store_page_get(f->s, "embargoed", &p), 0);
	assert_int_equal(p.published, 0);
	model_page_cleanup(&p);
	assert_int_equal(store_page_get_public(f->s, "embargoed", &p), STORE_ENOTFOUND);
	assert_int_equal(store_page_get_public(f->s, "public", &p), 0);
	assert_int_equal(p.published, 1);
	model_page_cleanup(&p);
	assert_int_equal(store_page_list(f->s, &pages, &n), 0);
	assert_int_equal(n, 2);
	model_pages_free(pages, n);
	assert_int_equal(store_page_list_public(f->s, &pages, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(pages[0].slug, "public");
	model_pages_free(pages, n);

	before = last_change(f->s);
	assert_int_equal(store_page_set_published(f->s, 0, in.id, 1, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(store_page_get_public(f->s, "embargoed", &p), 0);
	assert_int_equal(p.published, 1);
	assert_int_equal(p.last_seq, 2);
	model_page_cleanup(&p);
	assert_int_equal(store_page_list_public(f->s, &pages, &n), 0);
	assert_int_equal(n, 2);
	model_pages_free(pages, n);
	/* Again: nothing changes, nothing is logged. */
	assert_int_equal(store_page_set_published(f->s, 0, in.id, 1, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(last_change(f->s), before + 1);

	assert_int_equal(store_page_set_published(f->s, 0, in.id, 0, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(store_page_get_public(f->s, "embargoed", &p), STORE_ENOTFOUND);
	assert_int_equal(store_page_changes_since(f->s, in.id, 1, 10, &ch, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ch[0].kind, STORE_CHANGE_PUBLISH);
	assert_string_equal(store_change_kind_name(ch[0].kind), "publish");
	assert_int_equal(ch[1].kind, STORE_CHANGE_UNPUBLISH);
	assert_string_equal(store_change_kind_name(ch[1].kind), "unpublish");
	store_changes_free(ch, n);
	assert_int_equal(store_page_set_published(f->s, 0, 9999, 1, NULL), STORE_ENOTFOUND);
}

static void test_page_status_summary(void **state)
{
	struct unit_db *f = *state;
	char *points[] = { "Only one point" };
	struct model_summary sum = { .points = points, .n_points = 1,
				     .media_kind = MODEL_MEDIA_IMAGE, .media_url = "",
				     .media_alt = "A photo", .media_caption = NULL };
	struct model_summary empty = { 0 }, bad = { 0 };
	struct model_page p;
	int64_t id = create_page(f->s, "status");

	assert_int_equal(store_page_set_status(f->s, 0, id, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_page_set_summary(f->s, 0, id, &sum), 0);
	assert_int_equal(store_page_get_by_id(f->s, id, &p), 0);
	assert_int_equal(p.status, MODEL_STATUS_ENDED);
	assert_int_equal(p.summary.n_points, 1);
	assert_string_equal(p.summary.points[0], "Only one point");
	assert_int_equal(p.summary.media_kind, MODEL_MEDIA_IMAGE);
	assert_string_equal(p.summary.media_url, "");
	assert_string_equal(p.summary.media_alt, "A photo");
	assert_null(p.summary.media_caption);
	assert_int_equal(p.last_seq, 3);
	model_page_cleanup(&p);

	assert_int_equal(store_page_set_summary(f->s, 0, id, &empty), 0);
	assert_int_equal(store_page_get_by_id(f->s, id, &p), 0);
	assert_int_equal(p.summary.n_points, 0);
	assert_int_equal(p.summary.media_kind, MODEL_MEDIA_NONE);
	model_page_cleanup(&p);

	assert_int_equal(store_page_set_status(f->s, 0, id, (enum model_status)3), STORE_EINVAL);
	assert_int_equal(store_page_set_status(f->s, 0, 999, MODEL_STATUS_LIVE), STORE_ENOTFOUND);
	assert_int_equal(store_page_set_summary(f->s, 0, 999, &sum), STORE_ENOTFOUND);
	bad.media_kind = (enum model_media_kind)9;
	assert_int_equal(store_page_set_summary(f->s, 0, id, &bad), STORE_EINVAL);
	bad.media_kind = MODEL_MEDIA_NONE;
	bad.n_points = 1; /* points NULL */
	assert_int_equal(store_page_set_summary(f->s, 0, id, &bad), STORE_EINVAL);
}

/* ---- posts ------------------------------------------------------------- */

static void test_post_insert_refused(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "refused"), changes = last_change(f->s);
	struct model_block bad_block = { .kind = (enum model_block_kind)42, .text = "x" };
	struct model_block no_text = { .kind = MODEL_BLOCK_PARAGRAPH };
	struct model_post p;
	struct model_page pg;

	sample_post(&p, "", 1);
	assert_int_equal(store_post_insert(f->s, 0, page, &p), STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->s), "title"));
	p.title = NULL;
	assert_int_equal(store_post_insert(f->s, 0, page, &p), STORE_EINVAL);

	sample_post(&p, "Fine", 1);
	assert_int_equal(store_post_insert(f->s, 0, 999, &p), STORE_ENOTFOUND);

	p.blocks = &bad_block;
	p.n_blocks = 1;
	assert_int_equal(store_post_insert(f->s, 0, page, &p), STORE_EINVAL);
	p.blocks = &no_text;
	assert_int_equal(store_post_insert(f->s, 0, page, &p), STORE_EINVAL);
	sample_post(&p, "bad \xff utf-8", 1);
	assert_int_equal(store_post_insert(f->s, 0, page, &p), STORE_EINVAL);

	assert_int_equal(last_change(f->s), changes);
	assert_int_equal(store_page_get_by_id(f->s, page, &pg), 0);
	assert_int_equal(pg.n_posts, 0);
	assert_int_equal(pg.last_seq, 1);
	model_page_cleanup(&pg);
}

static void test_post_range_index(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "range");
	/* Inserted out of order, with a tie at 200 that id order breaks. */
	const int64_t at[] = { 300, 100, 200, 500, 200, 400 };
	const char *titles[] = { "t300", "t100", "t200a", "t500", "t200b", "t400" };
	/* Oldest first: t100, t200a, t200b, t300, t400, t500. */
	const char *oldest_first[] = { "t100", "t200a", "t200b", "t300", "t400", "t500" };
	const size_t want_index[] = { 3, 0, 1, 5, 2, 4 };
	struct model_post *posts = NULL;
	int64_t ids[6];
	size_t n, index;

	for (size_t i = 0; i < 6; i++)
		ids[i] = insert_post(f->s, page, titles[i], at[i]);

	assert_int_equal(store_post_range(f->s, page, 0, 20, &posts, &n), 0);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) /* newest first */
		assert_string_equal(posts[i].title, oldest_first[5 - i]);
	model_posts_free(posts, n);

	/* Skip the oldest, take three: t200a, t200b, t300, shown newest first. */
	assert_int_equal(store_post_range(f->s, page, 1, 3, &posts, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(posts[0].title, "t300");
	assert_string_equal(posts[1].title, "t200b");
	assert_string_equal(posts[2].title, "t200a");
	assert_post_body_equal(&posts[0], &(struct model_post){
		.title = "t300", .breaking = 1, .bylines = sample_bylines, .n_bylines = 2,
		.blocks = sample_blocks, .n_blocks = sizeof(sample_blocks) / sizeof(sample_blocks[0]) });
	model_posts_free(posts, n);

	assert_int_equal(store_post_range(f->s, page, 6, 20, &posts, &n), 0);
	assert_int_equal(n, 0);
	model_posts_free(posts, n);
	assert_int_equal(store_post_range(f->s, page, 0, 0, &posts, &n), 0);
	assert_int_equal(n, 0);
	model_posts_free(posts, n);
	assert_int_equal(store_post_range(f->s, page, 0, SIZE_MAX, &posts, &n), 0);
	assert_int_equal(n, 6);
	model_posts_free(posts, n);
	assert_int_equal(store_post_range(f->s, 999, 0, 20, &posts, &n), STORE_ENOTFOUND);

	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(store_post_index(f->s, page, ids[i], &index), 0);
		assert_int_equal(index, want_index[i]);
	}
	assert_int_equal(store_post_index(f->s, page, 999, &index), STORE_ENOTFOUND);
	assert_int_equal(store_post_index(f->s, 999, ids[0], &index), STORE_ENOTFOUND);
}

/* The key events of a page (its list at the top of every page): only posts
 * marked so, newest first by (published_at, id), each with its oldest-first
 * index among ALL the page's posts, at most `limit`; the mark taken away or
 * the post deleted takes it off; another page's are not there. */
static void test_post_key_events(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "keys"), other = create_page(f->s, "other-keys");
	const int64_t at[] = { 300, 100, 200, 500, 200, 400 };
	const int key[] = { 1, 0, 1, 1, 1, 0 };
	struct model_key_event *k = NULL;
	struct model_post p;
	int64_t ids[6];
	size_t n = 99;

	assert_int_equal(store_post_key_events(f->s, page, 20, &k, &n), 0);
	assert_int_equal(n, 0);
	model_key_events_free(k, n);
	for (size_t i = 0; i < 6; i++) {
		sample_post(&p, key[i] ? "key" : "plain", at[i]);
		p.key_event = key[i];
		assert_int_equal(store_post_insert(f->s, 0, page, &p), 0);
		ids[i] = p.id;
	}
	sample_post(&p, "elsewhere", 900);
	p.key_event = 1;
	assert_int_equal(store_post_insert(f->s, 0, other, &p), 0);

	/* Oldest first: 100 (plain), 200 (ids[2]), 200 (ids[4]), 300, 400 (plain),
	 * 500: the key events newest first are ids[3], ids[0], ids[4], ids[2]. */
	assert_int_equal(store_post_key_events(f->s, page, 20, &k, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(k[0].id, ids[3]);
	assert_int_equal(k[0].index, 5);
	assert_int_equal(k[0].published_at, 500);
	assert_string_equal(k[0].title, "key");
	assert_int_equal(k[1].id, ids[0]);
	assert_int_equal(k[1].index, 3);
	assert_int_equal(k[2].id, ids[4]);
	assert_int_equal(k[2].index, 2);
	assert_int_equal(k[3].id, ids[2]);
	assert_int_equal(k[3].index, 1);
	model_key_events_free(k, n);

	assert_int_equal(store_post_key_events(f->s, page, 2, &k, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(k[1].id, ids[0]);
	model_key_events_free(k, n);

	/* Unmarked by an edit, and deleted: gone from the list. */
	assert_int_equal(store_post_get(f->s, page, ids[3], &p), 0);
	p.key_event = 0;
	assert_int_equal(store_post_update(f->s, 0, &p), 0);
	model_post_cleanup(&p);
	assert_int_equal(store_post_delete(f->s, 0, page, ids[4]), 0);
	assert_int_equal(store_post_key_events(f->s, page, 20, &k, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(k[0].id, ids[0]);
	assert_int_equal(k[0].index, 2); /* one post before it is gone */
	assert_int_equal(k[1].id, ids[2]);
	model_key_events_free(k, n);

	assert_int_equal(store_post_key_events(f->s, 999, 20, &k, &n), STORE_ENOTFOUND);
}

/* "The newest N posts" (the feeds', the desk's): the last N by (published_at,
 * id), newest first, and all of them when the page has fewer. */
static void test_post_newest(void **state)
{
	struct unit_db *f = *state;
	int64_t id = create_page(f->s, "newest");
	const int64_t at[] = { 300, 100, 200, 500, 200, 400 };
	const char *titles[] = { "t300", "t100", "t200a", "t500", "t200b", "t400" };
	struct model_post *posts = NULL;
	struct model_page page;
	size_t n;

	for (size_t i = 0; i < 6; i++)
		insert_post(f->s, id, titles[i], at[i]);
	assert_int_equal(store_page_get(f->s, "newest", &page), 0);
	assert_int_equal(page.n_posts, 6);

	assert_int_equal(store_post_newest(f->s, &page, 3, &posts, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(posts[0].title, "t500");
	assert_string_equal(posts[1].title, "t400");
	assert_string_equal(posts[2].title, "t300");
	model_posts_free(posts, n);

	assert_int_equal(store_post_newest(f->s, &page, 50, &posts, &n), 0);
	assert_int_equal(n, 6);
	assert_string_equal(posts[0].title, "t500");
	assert_string_equal(posts[5].title, "t100");
	model_posts_free(posts, n);

	assert_int_equal(store_post_newest(f->s, &page, 0, &posts, &n), 0);
	assert_int_equal(n, 0);
	model_posts_free(posts, n);
	model_page_cleanup(&page);
}

static void test_post_update(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "update"), other = create_page(f->s, "other");
	struct model_block blocks[] = {
		{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "Corrected text" },
	};
	struct model_byline by = { .name = "Editor", .role = "Desk" };
	struct model_post p, out;
	int64_t id = insert_post(f->s, page, "Original", 1000), before;

	before = (int64_t)time(NULL);
	memset(&p, 0, sizeof(p));
	p.id = id;
	p.page_id = page;
	p.title = "Corrected";
	p.published_at = 2000;
	p.breaking = 0;
	p.key_event = 1;
	p.bylines = &by;
	p.n_bylines = 1;
	p.blocks = blocks;
	p.n_blocks = 1;
	assert_int_equal(store_post_update(f->s, 0, &p), 0);
	assert_true(p.updated_at >= before);
	assert_int_equal(p.version, 2); /* every edit is a new version */

	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_post_body_equal(&out, &p);
	assert_int_equal(out.published_at, 2000);
	assert_true(out.updated_at >= before && out.updated_at <= (int64_t)time(NULL));
	assert_int_equal(out.updated_at, p.updated_at);
	assert_int_equal(out.version, 2);
	model_post_cleanup(&out);

	/* published_at 0 keeps the stored time. */
	p.published_at = 0;
	assert_int_equal(store_post_update(f->s, 0, &p), 0);
	assert_int_equal(p.published_at, 2000);
	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_int_equal(out.published_at, 2000);
	model_post_cleanup(&out);

	p.page_id = other;
	assert_int_equal(store_post_update(f->s, 0, &p), STORE_ENOTFOUND);
	p.page_id = page;
	p.id = 999;
	assert_int_equal(store_post_update(f->s, 0, &p), STORE_ENOTFOUND);
	p.id = id;
	p.title = "";
	assert_int_equal(store_post_update(f->s, 0, &p), STORE_EINVAL);

	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_string_equal(out.title, "Corrected");
	assert_int_equal(out.version, 3); /* refused updates took no version */
	model_post_cleanup(&out);
}

static void test_post_delete(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "delete"), other = create_page(f->s, "other");
	int64_t a = insert_post(f->s, page, "a", 100), b = insert_post(f->s, page, "b", 200);
	struct model_post out;
	struct model_page p;
	size_t index;

	assert_int_equal(store_post_delete(f->s, 0, other, a), STORE_ENOTFOUND);
	assert_int_equal(store_post_delete(f->s, 0, page, a), 0);
	assert_int_equal(store_post_get(f->s, page, a, &out), STORE_ENOTFOUND);
	assert_int_equal(store_post_delete(f->s, 0, page, a), STORE_ENOTFOUND);
	assert_int_equal(store_post_index(f->s, page, b, &index), 0);
	assert_int_equal(index, 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.n_posts, 1);
	model_page_cleanup(&p);
	/* Ids are not reused: a permalink never comes to name another post. */
	assert_true(insert_post(f->s, page, "c", 300) > b);
}

static void test_pin(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "pin"), other = create_page(f->s, "other");
	int64_t a = insert_post(f->s, page, "a", 100), b = insert_post(f->s, page, "b", 200);
	int64_t elsewhere = insert_post(f->s, other, "x", 100);
	struct model_post *posts, out;
	struct model_page p;
	size_t n;

	assert_int_equal(store_page_set_pin(f->s, 0, page, a), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.pinned_post_id, a);
	model_page_cleanup(&p);
	assert_int_equal(store_post_get(f->s, page, a, &out), 0);
	assert_int_equal(out.pinned, 1);
	model_post_cleanup(&out);
	assert_int_equal(store_post_get(f->s, page, b, &out), 0);
	assert_int_equal(out.pinned, 0);
	model_post_cleanup(&out);
	assert_int_equal(store_post_range(f->s, page, 0, 20, &posts, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(posts[0].pinned, 0); /* b, newest */
	assert_int_equal(posts[1].pinned, 1);
	model_posts_free(posts, n);

	/* A post of another page cannot be pinned; the pin stays. */
	assert_int_equal(store_page_set_pin(f->s, 0, page, elsewhere), STORE_ENOTFOUND);
	assert_int_equal(store_page_set_pin(f->s, 0, page, 999), STORE_ENOTFOUND);
	assert_int_equal(store_page_set_pin(f->s, 0, 999, 0), STORE_ENOTFOUND);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.pinned_post_id, a);
	model_page_cleanup(&p);

	/* Unpin. */
	assert_int_equal(store_page_set_pin(f->s, 0, page, 0), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.pinned_post_id, 0);
	model_page_cleanup(&p);

	/* Deleting the pinned post clears the pin; other pages are untouched. */
	assert_int_equal(store_page_set_pin(f->s, 0, page, b), 0);
	assert_int_equal(store_page_set_pin(f->s, 0, other, elsewhere), 0);
	assert_int_equal(store_post_delete(f->s, 0, page, b), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.pinned_post_id, 0);
	model_page_cleanup(&p);
	assert_int_equal(store_page_get_by_id(f->s, other, &p), 0);
	assert_int_equal(p.pinned_post_id, elsewhere);
	model_page_cleanup(&p);
}

/* ---- the change log ---------------------------------------------------- */

static void test_change_log(void **state)
{
	struct unit_db *f = *state;
	const enum store_change_kind want_kinds[] = {
		STORE_CHANGE_PAGE, STORE_CHANGE_POST, STORE_CHANGE_UPDATE, STORE_CHANGE_PIN,
		STORE_CHANGE_SUMMARY, STORE_CHANGE_STATUS, STORE_CHANGE_DELETE, STORE_CHANGE_PIN,
	};
	struct store_change *c = NULL;
	struct model_summary sum = { 0 };
	struct model_post p;
	int64_t a, b, post, before = (int64_t)time(NULL);
	size_t n;

	assert_int_equal(last_change(f->s), 0);
	assert_int_equal(store_changes_since(f->s, 0, 100, &c, &n), 0);
	assert_int_equal(n, 0);
	store_changes_free(c, n);

	a = create_page(f->s, "a");
	post = insert_post(f->s, a, "p", 100);
	b = create_page(f->s, "b"); /* interleaved: b's seq starts at 1 */
	sample_post(&p, "edited", 100);
	p.id = post;
	p.page_id = a;
	assert_int_equal(store_post_update(f->s, 0, &p), 0);
	assert_int_equal(store_page_set_pin(f->s, 0, a, post), 0);
	assert_int_equal(store_page_set_summary(f->s, 0, a, &sum), 0);
	assert_int_equal(store_page_set_status(f->s, 0, a, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_post_delete(f->s, 0, a, post), 0);
	assert_int_equal(store_page_set_pin(f->s, 0, a, 0), 0);
	insert_post(f->s, b, "q", 100);

	assert_int_equal(store_page_changes_since(f->s, a, 0, 100, &c, &n), 0);
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c[i].page_id, a);
		assert_int_equal(c[i].seq, (int64_t)i + 1);
		assert_int_equal(c[i].kind, want_kinds[i]);
		assert_true(c[i].at >= before);
		if (i > 0)
			assert_true(c[i].id > c[i - 1].id);
	}
	assert_int_equal(c[0].post_id, 0);
	assert_int_equal(c[1].post_id, post);
	assert_int_equal(c[2].post_id, post);
	assert_int_equal(c[3].post_id, post);
	assert_int_equal(c[4].post_id, 0);
	assert_int_equal(c[6].post_id, post);
	assert_int_equal(c[7].post_id, 0); /* unpinned */
	store_changes_free(c, n);

	/* Past a sequence number, and a limit. */
	assert_int_equal(store_page_changes_since(f->s, a, 5, 2, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].seq, 6);
	assert_int_equal(c[1].seq, 7);
	store_changes_free(c, n);

	assert_int_equal(store_page_changes_since(f->s, b, 0, 100, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].seq, 1);
	assert_int_equal(c[0].kind, STORE_CHANGE_PAGE);
	assert_int_equal(c[1].seq, 2);
	assert_int_equal(c[1].kind, STORE_CHANGE_POST);
	store_changes_free(c, n);

	/* Global: both pages, in id order, ids increasing. */
	assert_int_equal(store_changes_since(f->s, 0, 100, &c, &n), 0);
	assert_int_equal(n, 10);
	for (size_t i = 1; i < n; i++)
		assert_true(c[i].id > c[i - 1].id);
	assert_int_equal(c[2].page_id, b);
	assert_int_equal(c[2].seq, 1);
	assert_int_equal(c[9].page_id, b);
	assert_int_equal(last_change(f->s), c[9].id);
	{
		int64_t mid = c[4].id;

		store_changes_free(c, n);
		assert_int_equal(store_changes_since(f->s, mid, 3, &c, &n), 0);
		assert_int_equal(n, 3);
		assert_int_equal(c[0].id, mid + 1);
		store_changes_free(c, n);
	}
	assert_int_equal(store_changes_since(f->s, last_change(f->s), 100, &c, &n), 0);
	assert_int_equal(n, 0);
	store_changes_free(c, n);

	assert_string_equal(store_change_kind_name(STORE_CHANGE_PAGE), "page");
	assert_string_equal(store_change_kind_name(STORE_CHANGE_POST), "post");
	assert_string_equal(store_change_kind_name(STORE_CHANGE_UPDATE), "update");
	assert_string_equal(store_change_kind_name(STORE_CHANGE_DELETE), "delete");
	assert_string_equal(store_change_kind_name(STORE_CHANGE_PIN), "pin");
	assert_string_equal(store_change_kind_name(STORE_CHANGE_SUMMARY), "summary");
	assert_string_equal(store_change_kind_name(STORE_CHANGE_STATUS), "status");
}

/* ---- events rendered at commit (store_set_event_renderer) ---------------- */

#define RENDER_CALLS 16

/* A renderer that writes down what it saw: each change's kind and its post's
 * title as the store showed it at that moment. */
struct render_log {
	int calls;
	int fail; /* answer -1: store no event */
	char seen[RENDER_CALLS][64];
};

static int log_renderer(void *ctx, struct store *s, const struct store_change *c, char **event,
			char **text)
{
	struct render_log *log = ctx;
	char title[48] = "-";
	struct model_post p;

	if (c->post_id && store_post_get(s, c->page_id, c->post_id, &p) == 0) {
		snprintf(title, sizeof(title), "%s", p.title);
		model_post_cleanup(&p);
	}
	if (log->calls < RENDER_CALLS)
		snprintf(log->seen[log->calls], sizeof(log->seen[0]), "%s:%s",
			 store_change_kind_name(c->kind), title);
	log->calls++;
	if (log->fail)
		return -1;
	if (asprintf(event, "{\"seq\":%lld,\"title\":\"%s\"}", (long long)c->seq, title) < 0)
		return -1;
	*text = c->kind == STORE_CHANGE_POST ? strdup(title) : NULL;
	return 0;
}

/* The page's change `seq`; fails the test if there is none. */
static struct store_change *page_change(struct store *s, int64_t page, int64_t seq)
{
	struct store_change *c;
	size_t n;

	assert_int_equal(store_page_changes_since(s, page, seq - 1, 1, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c->seq, seq);
	return c;
}

static void assert_event(struct store *s, int64_t page, int64_t seq, const char *event,
			 const char *text)
{
	struct store_change *c = page_change(s, page, seq);

	assert_str_eq(c->event, event);
	assert_str_eq(c->text, text);
	store_changes_free(c, 1);
}

static void test_events_rendered_at_commit(void **state)
{
	struct unit_db *f = *state;
	struct render_log log = { 0 };
	int64_t page = create_page(f->s, "events"), changes, p1, p2, p3;
	struct store_change *c;
	struct model_post post;
	size_t n;

	/* No renderer: no event. */
	assert_event(f->s, page, 1, NULL, NULL);

	store_set_event_renderer(f->s, log_renderer, &log);
	p1 = insert_post(f->s, page, "first", 100);
	assert_int_equal(log.calls, 1);
	assert_string_equal(log.seen[0], "post:first");
	assert_event(f->s, page, 2, "{\"seq\":2,\"title\":\"first\"}", "first");
	/* The global log carries the same. */
	assert_int_equal(store_changes_since(f->s, last_change(f->s) - 1, 10, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].event, "{\"seq\":2,\"title\":\"first\"}");
	assert_string_equal(c[0].text, "first");
	store_changes_free(c, n);

	/* In an outer transaction, nothing is rendered before the commit, and then
	 * each change once, from the state being committed: the post's event
	 * already shows the title its edit gave it. */
	assert_int_equal(store_begin(f->s), 0);
	p2 = insert_post(f->s, page, "draft title", 100);
	sample_post(&post, "final title", 100);
	post.id = p2;
	post.page_id = page;
	assert_int_equal(store_post_update(f->s, 0, &post), 0);
	assert_int_equal(log.calls, 1);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(log.calls, 3);
	assert_string_equal(log.seen[1], "post:final title");
	assert_string_equal(log.seen[2], "update:final title");
	assert_event(f->s, page, 3, "{\"seq\":3,\"title\":\"final title\"}", "final title");
	assert_event(f->s, page, 4, "{\"seq\":4,\"title\":\"final title\"}", NULL);

	/* Rolled back: nothing rendered, nothing logged. */
	changes = last_change(f->s);
	assert_int_equal(store_begin(f->s), 0);
	insert_post(f->s, page, "never", 100);
	store_rollback(f->s);
	assert_int_equal(log.calls, 3);
	assert_int_equal(last_change(f->s), changes);

	/* A renderer that fails leaves the change without an event; the change
	 * itself is committed. */
	log.fail = 1;
	p3 = insert_post(f->s, page, "unrendered", 100);
	assert_int_equal(log.calls, 4);
	assert_event(f->s, page, 5, NULL, NULL);
	assert_int_equal(store_post_get(f->s, page, p3, &post), 0);
	model_post_cleanup(&post);
	log.fail = 0;

	/* An edit takes the post's old words out of the stored events; its own
	 * event has the new ones. */
	sample_post(&post, "corrected", 100);
	post.id = p1;
	post.page_id = page;
	assert_int_equal(store_post_update(f->s, 0, &post), 0);
	assert_event(f->s, page, 2, NULL, NULL);
	assert_event(f->s, page, 6, "{\"seq\":6,\"title\":\"corrected\"}", NULL);
	/* ...and a deletion, all of them; another post's events stay. */
	assert_int_equal(store_post_delete(f->s, 0, page, p2), 0);
	assert_event(f->s, page, 3, NULL, NULL);
	assert_event(f->s, page, 4, NULL, NULL);
	assert_event(f->s, page, 7, "{\"seq\":7,\"title\":\"-\"}", NULL);
	assert_event(f->s, page, 6, "{\"seq\":6,\"title\":\"corrected\"}", NULL);

	store_set_event_renderer(f->s, NULL, NULL);
	insert_post(f->s, page, "after", 100);
	assert_int_equal(log.calls, 6);
	assert_event(f->s, page, 8, NULL, NULL);
}

/* ---- transactions ------------------------------------------------------ */

static void test_outer_rollback(void **state)
{
	struct unit_db *f = *state;
	int64_t keep = create_page(f->s, "keep"), changes = last_change(f->s), page;
	struct store_change *c;
	struct model_page p;
	size_t n;

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_begin(f->s), STORE_EINVAL); /* no nesting */
	page = create_page(f->s, "gone");
	insert_post(f->s, page, "p1", 100);
	insert_post(f->s, keep, "p2", 100);
	assert_int_equal(store_page_set_status(f->s, 0, keep, MODEL_STATUS_ENDED), 0);
	/* Inside the transaction its own changes are visible. */
	assert_int_equal(store_page_get(f->s, "gone", &p), 0);
	model_page_cleanup(&p);
	store_rollback(f->s);

	assert_int_equal(store_page_get(f->s, "gone", &p), STORE_ENOTFOUND);
	assert_int_equal(store_page_get_by_id(f->s, keep, &p), 0);
	assert_int_equal(p.n_posts, 0);
	assert_int_equal(p.last_seq, 1);
	assert_int_equal(p.status, MODEL_STATUS_LIVE);
	model_page_cleanup(&p);
	assert_int_equal(last_change(f->s), changes);
	assert_int_equal(store_changes_since(f->s, changes, 100, &c, &n), 0);
	assert_int_equal(n, 0);
	store_changes_free(c, n);

	assert_int_equal(store_commit(f->s), STORE_EINVAL); /* nothing open */
	store_rollback(f->s);                               /* harmless */

	/* Committed, it all lands. */
	assert_int_equal(store_begin(f->s), 0);
	page = create_page(f->s, "kept");
	insert_post(f->s, page, "p1", 100);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_page_get(f->s, "kept", &p), 0);
	assert_int_equal(p.n_posts, 1);
	assert_int_equal(p.last_seq, 2);
	model_page_cleanup(&p);
}

/* A call that fails inside an outer transaction undoes only itself. */
static void test_outer_partial_failure(void **state)
{
	struct unit_db *f = *state;
	int64_t changes = last_change(f->s), page;
	struct model_page p;

	create_page(f->s, "taken");
	assert_int_equal(store_begin(f->s), 0);
	page = create_page(f->s, "fresh");
	sample_page(&p, "taken");
	assert_int_equal(store_page_create(f->s, 0, &p), STORE_EEXIST);
	insert_post(f->s, page, "after the failure", 100);
	assert_int_equal(store_commit(f->s), 0);

	assert_int_equal(store_page_get(f->s, "fresh", &p), 0);
	assert_int_equal(p.n_posts, 1);
	assert_int_equal(p.last_seq, 2);
	model_page_cleanup(&p);
	assert_int_equal(last_change(f->s), changes + 3);
}

/* ---- files, connections ------------------------------------------------ */

static void test_data_version(void **state)
{
	struct unit_db *f = *state;
	struct store *other;
	struct model_page p;
	int64_t v1, v2, v3;
	char err[256];

	other = store_open(f->path, err, sizeof(err));
	if (!other)
		fail_msg("second store: %s", err);
	assert_int_equal(store_data_version(f->s, &v1), 0);
	create_page(other, "from-elsewhere");
	assert_int_equal(store_data_version(f->s, &v2), 0);
	assert_true(v2 != v1);
	/* ...and the change is visible to the first connection. */
	assert_int_equal(store_page_get(f->s, "from-elsewhere", &p), 0);
	model_page_cleanup(&p);
	assert_int_equal(last_change(f->s), 1);
	/* Its own commits that add to the change log move it too: a worker's
	 * newsroom writes must reach its own readers. */
	create_page(f->s, "from-here");
	assert_int_equal(store_data_version(f->s, &v3), 0);
	assert_true(v3 != v2);
	/* A read moves nothing on SQLite. PostgreSQL has no such counter, and
	 * its store_data_version() is new at every call: the timer then always
	 * reads the log past its last id (one indexed query), the safety net
	 * for a NOTIFY missed while the listening connection was down. */
	assert_int_equal(store_page_get(f->s, "from-here", &p), 0);
	model_page_cleanup(&p);
	assert_int_equal(store_data_version(f->s, &v1), 0);
	if (strcmp(store_backend_name(f->s), "sqlite") == 0)
		assert_int_equal(v1, v3);
	else
		assert_true(v1 != v3);
	store_close(other);
}

/* Another connection's commit to the change log makes the wake-up descriptor
 * readable, and draining it says a change may have come, once. */
static void test_wake_on_commit(void **state)
{
	struct unit_db *f = *state;
	struct store *other;
	char err[256];
	int fd;

	fd = store_wake_fd(f->s);
	assert_true(fd >= 0);
	/* Asked again, the same descriptor: nothing was lost. */
	assert_int_equal(store_wake_fd(f->s), fd);
	other = store_open_existing(f->path, err, sizeof(err));
	if (!other)
		fail_msg("second store: %s", err);
	(void)store_wake_drain(f->s); /* whatever opening the second store did */
	create_page(other, "woken");
	assert_true(wait_readable(fd));
	assert_int_equal(store_wake_drain(f->s), 1);
	/* Consumed: nothing more until the next commit. */
	assert_int_equal(store_wake_drain(f->s), 0);
	assert_int_equal(store_wake_fd(f->s), fd);
	create_page(other, "woken-again");
	assert_true(wait_readable(fd));
	assert_int_equal(store_wake_drain(f->s), 1);
	store_close(other);
}

/* The form of a target picks the backend. */
static void test_target_is_pg(void **state)
{
	(void)state;
	assert_true(store_target_is_pg("postgresql://db.example/liveline"));
	assert_true(store_target_is_pg("postgres://user@localhost/liveline"));
	assert_true(store_target_is_pg("host=/tmp dbname=liveline"));
	assert_true(store_target_is_pg("dbname=liveline"));
	assert_false(store_target_is_pg("/var/lib/liveline/liveline.db"));
	assert_false(store_target_is_pg("liveline.db"));
	assert_false(store_target_is_pg("postgresql.db"));
	/* '=' past the first word is a file's name with a space in it. */
	assert_false(store_target_is_pg("my file=1.db"));
	assert_false(store_target_is_pg(":memory:"));
	assert_false(store_target_is_pg(""));
	assert_false(store_target_is_pg(NULL));
}

/* What logs show of a target: a PostgreSQL one never with its password. */
static void test_target_describe(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(store_target_describe("/var/lib/liveline.db", buf, sizeof(buf)),
			    "/var/lib/liveline.db");
	store_target_describe("postgresql://ann:s3cret@db.example:5433/news", buf, sizeof(buf));
	assert_non_null(strstr(buf, "news"));
	assert_non_null(strstr(buf, "db.example:5433"));
	assert_non_null(strstr(buf, "ann"));
	assert_null(strstr(buf, "s3cret"));
	store_target_describe("host=/tmp dbname=news password=s3cret user=ann", buf, sizeof(buf));
	assert_non_null(strstr(buf, "news"));
	assert_null(strstr(buf, "s3cret"));
	store_target_describe("postgresql://[broken", buf, sizeof(buf));
	assert_null(strstr(buf, "broken"));
}

/* Several processes write one page at once, as workers and the command line
 * do: none may fail (they queue on the busy timeout), and the page's log must
 * come out gap-free, one entry per change. */
#define WRITERS 4
#define WRITES_EACH 25

static void test_concurrent_writers(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "busy");
	struct store_change *c;
	struct model_page p;
	pid_t pids[WRITERS];
	size_t n;

	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			char err[256];
			struct store *s = store_open(f->path, err, sizeof(err));
			int failed = !s;

			for (int i = 0; s && i < WRITES_EACH && !failed; i++) {
				struct model_post post;

				sample_post(&post, "concurrent", 1000 + i);
				failed = store_post_insert(s, 0, page, &post) != 0;
				if (failed)
					fprintf(stderr, "writer %d: %s\n", w, store_errmsg(s));
			}
			store_close(s);
			_exit(failed);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;

		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.n_posts, WRITERS * WRITES_EACH);
	assert_int_equal(p.last_seq, 1 + WRITERS * WRITES_EACH);
	model_page_cleanup(&p);
	assert_int_equal(store_page_changes_since(f->s, page, 0, SIZE_MAX, &c, &n), 0);
	assert_int_equal(n, 1 + WRITERS * WRITES_EACH);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c[i].seq, (int64_t)i + 1);
		if (i > 0)
			assert_true(c[i].id > c[i - 1].id);
	}
	store_changes_free(c, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_create_get, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_page_create_refused, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_page_published, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_page_status_summary, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_insert_refused, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_range_index, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_newest, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_key_events, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_update, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_delete, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_pin, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_change_log, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_events_rendered_at_commit, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_outer_rollback, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_outer_partial_failure, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_data_version, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_wake_on_commit, unit_db_setup, unit_db_teardown),
		cmocka_unit_test(test_target_is_pg),
		cmocka_unit_test(test_target_describe),
	};

	log_set_level(LOG_LEVEL_WARN); /* schema upgrades on every fresh file are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
