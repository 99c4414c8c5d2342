/*
 * Sample pages and posts for the store's unit tests (test_store.c, which goes
 * through store.h only, and test_store_sqlite.c): one page and one post with
 * every kind of field filled, and asserts that compare what was read back;
 * and the wait for a store's wake-up descriptor both test.
 */
#ifndef LIVELINE_TEST_STORE_SAMPLES_H
#define LIVELINE_TEST_STORE_SAMPLES_H

#include "unit_store.h"

#include <poll.h>

#include "model/model.h"
#include "store/store.h"

/* Waits up to 10 s (generous: the machine may be busy) for fd to be readable. */
static inline int wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 10000) == 1 && (pfd.revents & POLLIN);
}

static inline void assert_str_eq(const char *a, const char *b)
{
	if (!a || !b) {
		assert_ptr_equal(a, b);
		return;
	}
	assert_string_equal(a, b);
}

/* ---- sample data ------------------------------------------------------- */

static char *summary_points[] = { "Leaders meet in *Paris*", "US and Russia talk in Riyadh" };

static inline void sample_page(struct model_page *p, const char *slug)
{
	memset(p, 0, sizeof(*p));
	p->slug = (char *)slug;
	p->title = "Ukraine war: Paris and Riyadh summits";
	p->description = "Live coverage";
	p->zone = MODEL_DEFAULT_ZONE;
	p->status = MODEL_STATUS_LIVE;
	p->published = 1;
	p->start_at = 1739750400;
	p->summary.points = summary_points;
	p->summary.n_points = 2;
	p->summary.media_kind = MODEL_MEDIA_VIDEO;
	p->summary.media_url = "https://video.example/1";
	p->summary.media_alt = "Leaders arrive";
	p->summary.media_caption = "Watch: leaders arrive in Paris";
}

static inline int64_t create_page(struct store *s, const char *slug)
{
	struct model_page p;

	sample_page(&p, slug);
	if (store_page_create(s, 0, &p) != 0)
		fail_msg("store_page_create: %s", store_errmsg(s));
	return p.id;
}

static struct model_byline sample_bylines[] = {
	{ .name = "Liza Fokht", .role = "BBC Russian service, reporting from Paris" },
	{ .name = "Steve Rosenberg", .role = "" },
};

static struct model_list_item sample_items[] = {
	{ .lead = "Zooming out:", .text = "two summits, 3,000 miles apart" },
	{ .lead = NULL, .text = "Europe meets in Paris" },
};

static struct model_block sample_blocks[] = {
	{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "It is *10:37* in [Paris](https://ex.com)." },
	{ .kind = MODEL_BLOCK_QUOTE, .text = "We will not give up", .cite = "Zelensky" },
	{ .kind = MODEL_BLOCK_QUOTE, .text = "Uncited" },
	{ .kind = MODEL_BLOCK_LIST, .items = sample_items, .n_items = 2, .blank_after = 0 },
	{ .kind = MODEL_BLOCK_IMAGE, .url = "https://img.example/1.jpg", .alt = "Lavrov",
	  .credit = "Reuters", .caption = "Lavrov has served since 2004" },
	{ .kind = MODEL_BLOCK_IMAGE, .url = "", .alt = "A map", .credit = "" },
	{ .kind = MODEL_BLOCK_EMBED, .url = "https://ex.com/map", .text = "Frontlines of war" },
};

static inline void sample_post(struct model_post *p, const char *title, int64_t at)
{
	memset(p, 0, sizeof(*p));
	p->title = (char *)title;
	p->published_at = at;
	p->breaking = 1;
	p->key_event = 0;
	p->bylines = sample_bylines;
	p->n_bylines = 2;
	p->blocks = sample_blocks;
	p->n_blocks = sizeof(sample_blocks) / sizeof(sample_blocks[0]);
}

static inline int64_t insert_post(struct store *s, int64_t page_id, const char *title, int64_t at)
{
	struct model_post p;

	sample_post(&p, title, at);
	if (store_post_insert(s, 0, page_id, &p) != 0)
		fail_msg("store_post_insert: %s", store_errmsg(s));
	return p.id;
}

static inline void assert_post_body_equal(const struct model_post *a, const struct model_post *b)
{
	assert_str_eq(a->title, b->title);
	assert_int_equal(a->breaking, b->breaking);
	assert_int_equal(a->key_event, b->key_event);
	assert_int_equal(a->n_bylines, b->n_bylines);
	for (size_t i = 0; i < a->n_bylines; i++) {
		assert_str_eq(a->bylines[i].name, b->bylines[i].name);
		assert_str_eq(a->bylines[i].role, b->bylines[i].role);
	}
	assert_int_equal(a->n_blocks, b->n_blocks);
	for (size_t i = 0; i < a->n_blocks; i++) {
		const struct model_block *x = &a->blocks[i], *y = &b->blocks[i];

		assert_int_equal(x->kind, y->kind);
		assert_str_eq(x->text, y->text);
		assert_str_eq(x->cite, y->cite);
		assert_str_eq(x->url, y->url);
		assert_str_eq(x->alt, y->alt);
		assert_str_eq(x->credit, y->credit);
		assert_str_eq(x->caption, y->caption);
		assert_int_equal(x->n_items, y->n_items);
		for (size_t k = 0; k < x->n_items; k++) {
			assert_str_eq(x->items[k].lead, y->items[k].lead);
			assert_str_eq(x->items[k].text, y->items[k].text);
		}
		if (x->kind == MODEL_BLOCK_LIST)
			assert_int_equal(x->blank_after, y->blank_after);
	}
}

static inline int64_t last_change(struct store *s)
{
	int64_t id;

	assert_int_equal(store_last_change_id(s, &id), 0);
	return id;
}

#endif
