/*
 * The newsroom's actions, one function each, shared by the JSON API
 * (http/http_api.c) and the newsroom's HTML forms (http/http_newsroom.c): the
 * one place where a role is checked, input is validated, versions are compared
 * and the store is written. The transports only translate: JSON or form fields
 * in, a status code and a JSON document or a redirect out.
 *
 * Input is a JSON object (jansson) with the field names of docs/api.md; the
 * forms build the same object from their fields. Every action runs as
 * ctx->user, the actor it passes to each store call, so the audit trail and
 * revisions name them.
 *
 * Results: res->status is the HTTP status (200, 201, 204, or an error); on error
 * res->code is the error code of docs/api.md and res->message a sentence for
 * people; on success res->body is the answer's JSON (owned by res: call
 * newsroom_result_cleanup()).
 */
#ifndef LIVELINE_NEWSROOM_H
#define LIVELINE_NEWSROOM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/auth.h"
#include "store/store_newsroom.h"

struct newsroom_ctx {
	struct store *st;
	const struct model_user *user; /* signed in and enabled */
	const char *media_dir;
	int64_t now;                   /* UTC seconds */
};

struct newsroom_result {
	int status;
	const char *code;   /* NULL on success */
	char message[512];
	json_t *body;       /* NULL for 204 and errors */
	int64_t id;         /* the post, draft, user or token acted on */
};

void newsroom_result_cleanup(struct newsroom_result *res);
/* 1 if `s` is empty or only white space. */
int newsroom_blank(const char *s);
/* Sets an error result; returns -1 so that callers can `return newsroom_fail(...)`. */
int newsroom_fail(struct newsroom_result *res, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets a success result that takes over the reference `body` (NULL for 204);
 * a NULL body with a status other than 204 means out of memory (500). */
void newsroom_ok(struct newsroom_result *res, int status, json_t *body);
/* A JSON object {key: value} (value's reference is taken); NULL on OOM. */
json_t *newsroom_wrap(const char *key, json_t *value);

/* Pages. Slugs that name newsroom pages (signin, users, ...) are refused:
 * /newsroom/SLUG is a page's desk. */
int newsroom_slug_reserved(const char *slug);
void newsroom_pages_list(const struct newsroom_ctx *c, struct newsroom_result *res);
void newsroom_page_get(const struct newsroom_ctx *c, const char *slug, struct newsroom_result *res);
void newsroom_page_create(const struct newsroom_ctx *c, const json_t *in, struct newsroom_result *res);
void newsroom_page_update(const struct newsroom_ctx *c, const char *slug, const json_t *in,
		    struct newsroom_result *res);
void newsroom_page_status(const struct newsroom_ctx *c, const char *slug, const json_t *in,
		    struct newsroom_result *res);
/* A page is created unpublished (only the newsroom sees it); an editor
 * publishes it to readers (published 1) or takes it back (0). Idempotent. */
void newsroom_page_publish(const struct newsroom_ctx *c, const char *slug, int published,
		     struct newsroom_result *res);
void newsroom_summary_set(const struct newsroom_ctx *c, const char *slug, const json_t *in,
		    struct newsroom_result *res);

/* Posts. newsroom_post_edit needs "version"; post_id 0 in newsroom_post_pin unpins. */
void newsroom_posts_list(const struct newsroom_ctx *c, const char *slug, size_t page_no,
		   struct newsroom_result *res);
void newsroom_post_get(const struct newsroom_ctx *c, const char *slug, int64_t id, struct newsroom_result *res);
void newsroom_post_create(const struct newsroom_ctx *c, const char *slug, const json_t *in,
		    struct newsroom_result *res);
void newsroom_post_edit(const struct newsroom_ctx *c, const char *slug, int64_t id, const json_t *in,
		  struct newsroom_result *res);
void newsroom_post_delete(const struct newsroom_ctx *c, const char *slug, int64_t id,
		    struct newsroom_result *res);
void newsroom_post_pin(const struct newsroom_ctx *c, const char *slug, int64_t id, struct newsroom_result *res);
void newsroom_revisions_list(const struct newsroom_ctx *c, const char *slug, int64_t id,
		       struct newsroom_result *res);

/* Drafts and scheduled posts ("publish_at" schedules). */
void newsroom_drafts_list(const struct newsroom_ctx *c, const char *slug, struct newsroom_result *res);
void newsroom_draft_get(const struct newsroom_ctx *c, const char *slug, int64_t id, struct newsroom_result *res);
void newsroom_draft_create(const struct newsroom_ctx *c, const char *slug, const json_t *in,
		     struct newsroom_result *res);
void newsroom_draft_update(const struct newsroom_ctx *c, const char *slug, int64_t id, const json_t *in,
		     struct newsroom_result *res);
void newsroom_draft_delete(const struct newsroom_ctx *c, const char *slug, int64_t id,
		     struct newsroom_result *res);
void newsroom_draft_publish(const struct newsroom_ctx *c, const char *slug, int64_t id, const json_t *in,
		      struct newsroom_result *res);

/* Checks what newsroom_post_create (as_draft 0) or newsroom_draft_create (1) would check,
 * without writing: 204, or the error they would give. The forms use it before
 * storing an attached image for a post that would then be refused. */
void newsroom_post_validate(const struct newsroom_ctx *c, const char *slug, const json_t *in, int as_draft,
		      struct newsroom_result *res);

/* Media and preview. */
void newsroom_media_upload(const struct newsroom_ctx *c, const void *data, size_t len,
		     struct newsroom_result *res);
void newsroom_preview(const struct newsroom_ctx *c, const json_t *in, struct newsroom_result *res);

/* Users and API tokens (admins). newsroom_token_create's answer holds the secret. */
void newsroom_users_list(const struct newsroom_ctx *c, struct newsroom_result *res);
void newsroom_user_create(const struct newsroom_ctx *c, const json_t *in, struct newsroom_result *res);
void newsroom_user_update(const struct newsroom_ctx *c, int64_t id, const json_t *in,
		    struct newsroom_result *res);
void newsroom_tokens_list(const struct newsroom_ctx *c, struct newsroom_result *res);
void newsroom_token_create(const struct newsroom_ctx *c, const json_t *in, struct newsroom_result *res);
void newsroom_token_revoke(const struct newsroom_ctx *c, int64_t id, struct newsroom_result *res);

/* The audit trail (slug NULL: every page). */
void newsroom_audit_list(const struct newsroom_ctx *c, const char *slug, size_t limit,
		   struct newsroom_result *res);

/* JSON of the newsroom's records (new references). */
json_t *newsroom_json_user(const struct model_user *u);
json_t *newsroom_json_draft(const struct model_draft *d);

/* Signing in: checks the rate limits for `login` and `addr`, then the password.
 * On success fills *user (clean up with model_user_cleanup) and returns 200;
 * otherwise an error status with res set (401 for a wrong login or password,
 * without saying which; 429 with *retry_after seconds when rate-limited). */
int newsroom_signin(struct store *st, const char *login, const char *password, const char *addr,
	      int64_t now, struct model_user *user, struct newsroom_result *res, int *retry_after);

#define NEWSROOM_SIGNIN_WINDOW       (15 * 60) /* seconds over which failures count */
#define NEWSROOM_SIGNIN_MAX_LOGIN    5         /* failures per account in the window */
#define NEWSROOM_SIGNIN_MAX_ADDR     20        /* failures per address in the window */

#endif
