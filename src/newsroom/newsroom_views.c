/*
 * What the newsroom's own HTML pages show: the desk, a post's history, a draft,
 * a page's summary, the list of pages. The forms (http/http_newsroom.c) render
 * these records; reading them here, with the role checks of the API's reads,
 * keeps every rule in newsroom/ and every store read out of http/.
 */
#include "newsroom/newsroom_internal.h"

#include <string.h>

#include "model/model.h"
#include "model/model_limits.h"

int newsroom_desk_get(const struct newsroom_ctx *c, const char *slug, struct newsroom_desk *out,
		      struct newsroom_result *res)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, &out->page, res) < 0)
		return -1;
	rc = store_post_newest(c->st, &out->page, MODEL_DESK_POSTS, &out->posts, &out->n_posts);
	if (rc == 0)
		rc = store_draft_list(c->st, out->page.id, &out->drafts, &out->n_drafts);
	if (rc < 0) {
		newsroom_desk_cleanup(out);
		return newsroom_store_fail(c, res, rc, "live page");
	}
	for (size_t i = 0; i < out->n_posts; i++)
		out->posts[i].pinned = out->posts[i].id == out->page.pinned_post_id;
	return 0;
}

void newsroom_desk_cleanup(struct newsroom_desk *d)
{
	model_drafts_free(d->drafts, d->n_drafts);
	model_posts_free(d->posts, d->n_posts);
	model_page_cleanup(&d->page);
	memset(d, 0, sizeof(*d));
}

int newsroom_history_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
			 struct newsroom_history *out, struct newsroom_result *res)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, &out->page, res) < 0)
		return -1;
	if (newsroom_load_post(c, &out->page, id, &out->post, res) < 0) {
		newsroom_history_cleanup(out);
		return -1;
	}
	rc = store_revision_list(c->st, out->page.id, id, &out->revs, &out->n_revs);
	if (rc < 0) {
		newsroom_history_cleanup(out);
		return newsroom_store_fail(c, res, rc, "post");
	}
	out->post.pinned = out->post.id == out->page.pinned_post_id;
	return 0;
}

void newsroom_history_cleanup(struct newsroom_history *h)
{
	model_revisions_free(h->revs, h->n_revs);
	model_post_cleanup(&h->post);
	model_page_cleanup(&h->page);
	memset(h, 0, sizeof(*h));
}

int newsroom_draft_view_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
			    struct newsroom_draft_view *out, struct newsroom_result *res)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, &out->page, res) < 0)
		return -1;
	rc = store_draft_get(c->st, out->page.id, id, &out->draft);
	if (rc < 0) {
		newsroom_draft_view_cleanup(out);
		return newsroom_store_fail(c, res, rc, "draft");
	}
	return 0;
}

void newsroom_draft_view_cleanup(struct newsroom_draft_view *v)
{
	model_draft_cleanup(&v->draft);
	model_page_cleanup(&v->page);
}

int newsroom_page_view_get(const struct newsroom_ctx *c, const char *slug, struct model_page *out,
			   struct newsroom_result *res)
{
	memset(out, 0, sizeof(*out));
	return newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, out, res);
}

int newsroom_pages_view_get(const struct newsroom_ctx *c, struct model_page **out, size_t *n,
			    struct newsroom_result *res)
{
	int rc;

	*out = NULL;
	*n = 0;
	if (newsroom_need(c, res, AUTH_NEWSROOM_READ) < 0)
		return -1;
	rc = store_page_list(c->st, out, n);
	if (rc < 0)
		return newsroom_store_fail(c, res, rc, "live page");
	return 0;
}

unsigned newsroom_permissions(const struct model_user *u)
{
	unsigned may = 0;

	_Static_assert(AUTH_USER_ADMIN < 32, "every action has a bit");
	for (unsigned a = 0; u && !u->disabled && a <= AUTH_USER_ADMIN; a++)
		if (auth_can(u->role, (enum auth_action)a))
			may |= 1u << a;
	return may;
}

int newsroom_may_publish(const struct newsroom_ctx *c, struct newsroom_result *res)
{
	if (auth_can(c->user->role, AUTH_POST_PUBLISH))
		return 0;
	return newsroom_fail(res, NEWSROOM_FORBIDDEN,
			     "Your role (%s) can save drafts; an editor publishes them.",
			     model_role_name(c->user->role));
}

void newsroom_me(const struct newsroom_ctx *c, struct newsroom_result *res)
{
	newsroom_ok(res, newsroom_wrap("user", newsroom_json_user(c->user)));
}
