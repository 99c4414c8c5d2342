/*
 * A fresh store in a temporary file, for the unit tests that need one: the
 * fixture is the file's path and the open store. unit_db_setup/_teardown are
 * cmocka fixtures of their own; unit_db_open/_close serve larger fixtures.
 */
#ifndef LIVELINE_UNIT_STORE_H
#define LIVELINE_UNIT_STORE_H

#include "unit.h"

#include "store/store.h"

struct unit_db {
	char path[128];
	struct store *s;
};

/* Opens a store on a new temporary file; fails the test if it cannot. */
static inline void unit_db_open(struct unit_db *db)
{
	char err[256];

	unit_temp_db(db->path, sizeof(db->path));
	db->s = store_open(db->path, err, sizeof(err));
	if (!db->s)
		fail_msg("store_open: %s", err);
}

/* Closes the store and removes its files. */
static inline void unit_db_close(struct unit_db *db)
{
	store_close(db->s);
	unit_remove_db(db->path);
}

/* Creates a page (no description, no summary, the default zone) and returns
 * its id; fails the test if it cannot. */
static inline int64_t unit_page_create(struct store *s, const char *slug, const char *title,
				       enum model_status status, int64_t start_at)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.slug = (char *)slug;
	p.title = (char *)title;
	p.description = "";
	p.zone = MODEL_DEFAULT_ZONE;
	p.status = status;
	p.published = 1;
	p.start_at = start_at;
	if (store_page_create(s, 0, &p) != 0)
		fail_msg("store_page_create: %s", store_errmsg(s));
	return p.id;
}

/* Publishes a post of one paragraph on page `page_id`; fails the test if it
 * cannot. */
static inline void unit_post_add(struct store *s, int64_t page_id, const char *title,
				 int64_t at)
{
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH, .text = "Traffic moves again." };
	struct model_post p;

	memset(&p, 0, sizeof(p));
	p.title = (char *)title;
	p.published_at = at;
	p.blocks = &para;
	p.n_blocks = 1;
	if (store_post_insert(s, 0, page_id, &p) != 0)
		fail_msg("store_post_insert: %s", store_errmsg(s));
}

static inline int unit_db_setup(void **state)
{
	struct unit_db *db = calloc(1, sizeof(*db));

	assert_non_null(db);
	unit_db_open(db);
	*state = db;
	return 0;
}

static inline int unit_db_teardown(void **state)
{
	unit_db_close(*state);
	free(*state);
	return 0;
}

#endif
