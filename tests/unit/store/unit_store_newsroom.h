/*
 * Sample data for the store's newsroom tests (test_store_newsroom.c, through
 * the store's interface only, and test_store_sqlite_newsroom.c, which also
 * looks at the SQLite file): pages, posts, users and drafts made by a given
 * actor, and token hashes.
 */
#ifndef LIVELINE_UNIT_STORE_NEWSROOM_H
#define LIVELINE_UNIT_STORE_NEWSROOM_H

#include "unit_store.h"

#include <time.h>

#include "model/model.h"
#include "store/store_newsroom.h"

static inline int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---- sample data ------------------------------------------------------- */

static inline int64_t create_page(struct store *s, const char *slug)
{
	return unit_page_create(s, slug, "A live page", MODEL_STATUS_UPCOMING, 0);
}

static struct model_byline sample_bylines[] = {
	{ .name = "Liza Fokht", .role = "BBC Russian service" },
};

static struct model_block sample_blocks[] = {
	{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "It is *10:37* in Paris." },
	{ .kind = MODEL_BLOCK_QUOTE, .text = "We will not give up", .cite = "Zelensky" },
};

static inline void sample_post(struct model_post *p, const char *title, int64_t at)
{
	memset(p, 0, sizeof(*p));
	p->title = (char *)title;
	p->published_at = at;
	p->bylines = sample_bylines;
	p->n_bylines = 1;
	p->blocks = sample_blocks;
	p->n_blocks = 2;
}

static inline int64_t insert_post(struct store *s, int64_t actor, int64_t page_id,
				  const char *title, int64_t at)
{
	struct model_post p;

	sample_post(&p, title, at);
	if (store_post_insert(s, actor, page_id, &p) != 0)
		fail_msg("store_post_insert: %s", store_errmsg(s));
	return p.id;
}

static inline int64_t create_user(struct store *s, const char *login, const char *name,
				  enum model_role role)
{
	struct model_user u = { .login = (char *)login, .display_name = (char *)name,
				.byline_name = "", .byline_role = "", .role = role };

	if (store_user_create(s, 0, &u, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA") != 0)
		fail_msg("store_user_create: %s", store_errmsg(s));
	return u.id;
}

static inline void sample_draft(struct model_draft *d, const char *title,
				enum model_draft_state state, int64_t publish_at)
{
	memset(d, 0, sizeof(*d));
	d->state = state;
	d->publish_at = publish_at;
	sample_post(&d->post, title, 0);
}

static inline int64_t create_draft(struct store *s, int64_t actor, int64_t page_id,
				   const char *title, enum model_draft_state state,
				   int64_t publish_at)
{
	struct model_draft d;

	sample_draft(&d, title, state, publish_at);
	if (store_draft_create(s, actor, page_id, &d) != 0)
		fail_msg("store_draft_create: %s", store_errmsg(s));
	return d.id;
}

static inline void hash_of(unsigned char out[STORE_TOKEN_HASH_LEN], int seed)
{
	for (int i = 0; i < STORE_TOKEN_HASH_LEN; i++)
		out[i] = (unsigned char)(seed * 31 + i);
}

static inline int64_t last_change(struct store *s)
{
	int64_t id;

	assert_int_equal(store_last_change_id(s, &id), 0);
	return id;
}

/* ---- users --------------------------------------------------------------- */

#endif
