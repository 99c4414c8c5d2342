/*
 * The newsroom's records (model_newsroom.h): role names, the login rule, and
 * freeing what the store filled.
 */
#include "model/model_newsroom.h"
#include "model/model_limits.h"

#include <stdlib.h>
#include <string.h>

void model_audit_free(struct model_audit *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].user_name);
		free(a[i].action);
		free(a[i].detail);
	}
	free(a);
}

static const char *const model_role_names[] = { "contributor", "editor", "admin" };

const char *model_role_name(enum model_role r)
{
	return (unsigned)r <= MODEL_ROLE_ADMIN ? model_role_names[r] : "unknown";
}

int model_role_parse(const char *s)
{
	for (int i = 0; s && i <= MODEL_ROLE_ADMIN; i++)
		if (strcmp(s, model_role_names[i]) == 0)
			return i;
	return -1;
}

void model_user_cleanup(struct model_user *u)
{
	if (!u)
		return;
	free(u->login);
	free(u->display_name);
	free(u->byline_name);
	free(u->byline_role);
	memset(u, 0, sizeof(*u));
}

void model_users_free(struct model_user *u, size_t n)
{
	for (size_t i = 0; u && i < n; i++)
		model_user_cleanup(&u[i]);
	free(u);
}

int model_login_valid(const char *login)
{
	size_t n = 0;

	if (!login)
		return 0;
	for (const char *p = login; *p; p++, n++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return n >= 1 && n <= MODEL_LOGIN_MAX;
}

void model_tokens_free(struct model_token *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].user_login);
		free(t[i].label);
	}
	free(t);
}

void model_draft_cleanup(struct model_draft *d)
{
	if (!d)
		return;
	free(d->author_name);
	model_post_cleanup(&d->post);
	memset(d, 0, sizeof(*d));
}

void model_drafts_free(struct model_draft *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++)
		model_draft_cleanup(&d[i]);
	free(d);
}

void model_revisions_free(struct model_revision *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].user_name);
		free(r[i].what);
		free(r[i].correction);
		model_post_cleanup(&r[i].post);
	}
	free(r);
}

void model_media_cleanup(struct model_media *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->format);
	free(m->widths);
	memset(m, 0, sizeof(*m));
}
