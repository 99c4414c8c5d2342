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
 * Results carry domain outcomes, not HTTP statuses: res->status is one of
 * enum newsroom_status; on error res->code is the error code of docs/api.md
 * (named by the status) and res->message a sentence for people; on success
 * res->body is the answer's JSON (owned by res: call newsroom_result_cleanup()),
 * or NULL when there is nothing to say. http/ maps them to HTTP statuses in one
 * function (http_newsroom_status), for the API and the forms alike.
 */
#ifndef LIVELINE_NEWSROOM_H
#define LIVELINE_NEWSROOM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/auth.h"
#include "store/store_newsroom.h"

/* One request's context, passed to every action: the actor travels with the
 * call, so nothing is set on the store connection and reset afterwards. */
struct newsroom_ctx {
	struct store *st;
	const struct model_user *user; /* the actor: signed in and enabled */
	const char *media_dir;
	int64_t now;                   /* UTC seconds */
};

/* What became of an action. */
enum newsroom_status {
	NEWSROOM_OK = 0,          /* done; the body answers (NULL: nothing to say) */
	NEWSROOM_CREATED,         /* done, and something new exists (res->id) */
	NEWSROOM_MALFORMED,       /* the input is not of the shape the action takes */
	NEWSROOM_UNAUTHENTICATED, /* signing in: wrong login or password */
	NEWSROOM_FORBIDDEN,       /* the actor's role does not allow it */
	NEWSROOM_NOT_FOUND,       /* no such page, post, draft, user or token */
	NEWSROOM_CONFLICT,        /* it changed since the version given, or exists */
	NEWSROOM_TOO_LARGE,       /* an upload over its limits */
	NEWSROOM_UNSUPPORTED,     /* an upload of a kind not taken */
	NEWSROOM_INVALID,         /* well formed, but a rule is broken */
	NEWSROOM_RATE_LIMITED,    /* signing in: too many failures */
	NEWSROOM_UNAVAILABLE,     /* the store cannot write now (its file moved, or
				   * the database is out of reach) */
	NEWSROOM_ERROR,           /* anything else (logged) */
};

struct newsroom_result {
	enum newsroom_status status;
	const char *code;   /* NULL on success; docs/api.md's name for status */
	char message[512];
	json_t *body;       /* NULL for "nothing to say" and errors */
	int64_t id;         /* the post, draft, user or token acted on */
};

void newsroom_result_cleanup(struct newsroom_result *res);
/* 1 if `s` is empty or only white space. */
int newsroom_blank(const char *s);
/* Sets an error result (`status` is not NEWSROOM_OK or _CREATED); returns -1
 * so that callers can `return newsroom_fail(...)`. */
int newsroom_fail(struct newsroom_result *res, enum newsroom_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Success results that take over the reference `body`: newsroom_ok() answers
 * with it, newsroom_created() says that something new exists; a NULL body
 * means out of memory (NEWSROOM_ERROR). newsroom_done() answers nothing. */
void newsroom_ok(struct newsroom_result *res, json_t *body);
void newsroom_created(struct newsroom_result *res, json_t *body);
void newsroom_done(struct newsroom_result *res);
/* A JSON object {key: value} (value's reference is taken); NULL on OOM. */
json_t *newsroom_wrap(const char *key, json_t *value);

/* Pages. Slugs that name newsroom pages (signin, users, ...) are refused:
 * /newsroom/SLUG is a page's desk. */
int newsroom_slug_reserved(const char *slug);
void newsroom_pages_list(const struct newsroom_ctx *c, struct newsroom_result *res);
void newsroom_page_get(const struct newsroom_ctx *c, const char *slug, struct newsroom_result *res);
void newsroom_page_create(const struct newsroom_ctx *c, const json_t *in,
			  struct newsroom_result *res);
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
void newsroom_post_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
		       struct newsroom_result *res);
void newsroom_post_create(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			  struct newsroom_result *res);
void newsroom_post_edit(const struct newsroom_ctx *c, const char *slug, int64_t id,
			const json_t *in, struct newsroom_result *res);
void newsroom_post_delete(const struct newsroom_ctx *c, const char *slug, int64_t id,
			  struct newsroom_result *res);
void newsroom_post_pin(const struct newsroom_ctx *c, const char *slug, int64_t id,
		       struct newsroom_result *res);
void newsroom_revisions_list(const struct newsroom_ctx *c, const char *slug, int64_t id,
			     struct newsroom_result *res);

/* Drafts and scheduled posts ("publish_at" schedules). */
void newsroom_drafts_list(const struct newsroom_ctx *c, const char *slug,
			  struct newsroom_result *res);
void newsroom_draft_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
			struct newsroom_result *res);
void newsroom_draft_create(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			   struct newsroom_result *res);
void newsroom_draft_update(const struct newsroom_ctx *c, const char *slug, int64_t id,
			   const json_t *in, struct newsroom_result *res);
void newsroom_draft_delete(const struct newsroom_ctx *c, const char *slug, int64_t id,
			   struct newsroom_result *res);
void newsroom_draft_publish(const struct newsroom_ctx *c, const char *slug, int64_t id,
			    const json_t *in, struct newsroom_result *res);

/* Checks what newsroom_post_create (as_draft 0) or newsroom_draft_create (1) would check,
 * without writing: 204, or the error they would give. The forms use it before
 * storing an attached image for a post that would then be refused. */
void newsroom_post_validate(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			    int as_draft, struct newsroom_result *res);

/* Media and preview. */
void newsroom_media_upload(const struct newsroom_ctx *c, const void *data, size_t len,
			   struct newsroom_result *res);
void newsroom_preview(const struct newsroom_ctx *c, const json_t *in, struct newsroom_result *res);

/* Users and API tokens (admins). newsroom_token_create's answer holds the secret. */
void newsroom_users_list(const struct newsroom_ctx *c, struct newsroom_result *res);
void newsroom_user_create(const struct newsroom_ctx *c, const json_t *in,
			  struct newsroom_result *res);
void newsroom_user_update(const struct newsroom_ctx *c, int64_t id, const json_t *in,
			  struct newsroom_result *res);
void newsroom_tokens_list(const struct newsroom_ctx *c, struct newsroom_result *res);
void newsroom_token_create(const struct newsroom_ctx *c, const json_t *in,
			   struct newsroom_result *res);
void newsroom_token_revoke(const struct newsroom_ctx *c, int64_t id, struct newsroom_result *res);

/* The audit trail (slug NULL: every page). */
void newsroom_audit_list(const struct newsroom_ctx *c, const char *slug, size_t limit,
			 struct newsroom_result *res);

/* ---- What the newsroom's own pages show --------------------------------
 * The HTML forms' pages read through these, with the same role checks as the
 * API's reads; each returns 0 with *out filled (release it with the matching
 * cleanup), or -1 with res set and *out empty. */

/* A page's desk: the page, its newest MODEL_DESK_POSTS posts (newest
 * first, `pinned` set on the pinned one) and its drafts and scheduled posts. */
struct newsroom_desk {
	struct model_page page;
	struct model_post *posts;
	size_t n_posts;
	struct model_draft *drafts;
	size_t n_drafts;
};
int newsroom_desk_get(const struct newsroom_ctx *c, const char *slug, struct newsroom_desk *out,
		      struct newsroom_result *res);
void newsroom_desk_cleanup(struct newsroom_desk *d);

/* A post (`pinned` set) with its page and revisions, newest first. */
struct newsroom_history {
	struct model_page page;
	struct model_post post;
	struct model_revision *revs;
	size_t n_revs;
};
int newsroom_history_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
			 struct newsroom_history *out, struct newsroom_result *res);
void newsroom_history_cleanup(struct newsroom_history *h);

/* A draft or scheduled post with its page. */
struct newsroom_draft_view {
	struct model_page page;
	struct model_draft draft;
};
int newsroom_draft_view_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
			    struct newsroom_draft_view *out, struct newsroom_result *res);
void newsroom_draft_view_cleanup(struct newsroom_draft_view *v);

/* One page (its summary form), or every page (the newsroom's front page). */
int newsroom_page_view_get(const struct newsroom_ctx *c, const char *slug, struct model_page *out,
			   struct newsroom_result *res);
int newsroom_pages_view_get(const struct newsroom_ctx *c, struct model_page **out, size_t *n,
			    struct newsroom_result *res);

/* Users and API tokens (admins only). */
struct newsroom_people {
	struct model_user *users;
	size_t n_users;
	struct model_token *tokens;
	size_t n_tokens;
};
int newsroom_people_get(const struct newsroom_ctx *c, struct newsroom_people *out,
			struct newsroom_result *res);
void newsroom_people_cleanup(struct newsroom_people *p);

/* The newest NEWSROOM_AUDIT_VIEW_ENTRIES entries of the audit trail (editors
 * and admins), of one page when `slug` is neither NULL nor empty (its page then
 * in `page`, else page.id is 0). */
struct newsroom_audit {
	struct model_page page;
	struct model_audit *entries;
	size_t n;
};
int newsroom_audit_get(const struct newsroom_ctx *c, const char *slug, struct newsroom_audit *out,
		       struct newsroom_result *res);
void newsroom_audit_cleanup(struct newsroom_audit *a);

/* What `u` may do: the set of (1u << enum auth_action) it is allowed, none
 * when `u` is NULL or disabled. The forms' pages show only the controls it
 * allows (render_newsroom.h); every action checks again. */
unsigned newsroom_permissions(const struct model_user *u);

/* Whether the actor may publish (a post, a schedule, a draft): 0, or -1 with
 * NEWSROOM_FORBIDDEN in res. The forms ask before storing an image for a post
 * the actor could only save as a draft. */
int newsroom_may_publish(const struct newsroom_ctx *c, struct newsroom_result *res);

/* The signed-in user, as GET /api/me answers. */
void newsroom_me(const struct newsroom_ctx *c, struct newsroom_result *res);

/* JSON of the newsroom's records (new references). */
json_t *newsroom_json_user(const struct model_user *u);
json_t *newsroom_json_draft(const struct model_draft *d);

/* ---- Who is asking: API tokens and sessions ------------------------------
 * `token` is what the client sent (checked for shape by the caller); the store
 * sees only its SHA-256. */

/* The enabled user whose valid API token `token` is: 1 with *user filled
 * (clean up with model_user_cleanup), 0 when there is none (unknown, revoked,
 * or the user is disabled), -1 if the store failed (logged). */
int newsroom_token_user(struct store *st, const char *token, struct model_user *user);
/* The same for a session cookie's token at `now`; also gives the session's
 * CSRF token (*csrf, caller frees) and the token's hash (which ends it). */
int newsroom_session_user(struct store *st, const char *token, int64_t now, struct model_user *user,
			  char **csrf, unsigned char hash[STORE_TOKEN_HASH_LEN]);
/* A new session for `user` (signed in from `addr`, which the audit entry
 * names), valid AUTH_SESSION_SECONDS from `now`: writes its token into `token`
 * and its CSRF token into `csrf` (AUTH_TOKEN_LEN + 1 each). 0, or -1 if the
 * store failed (logged). */
int newsroom_session_start(struct store *st, const struct model_user *user, const char *addr,
			   int64_t now, char *token, char *csrf);
/* Ends the session of `hash` for `user_id`, with its audit entry; a failure is
 * logged (the cookie is cleared whatever happens). */
void newsroom_session_end(struct store *st, int64_t user_id,
			  const unsigned char hash[STORE_TOKEN_HASH_LEN]);

/* Signing in: checks the rate limits for `login` and `addr`, then the password.
 * On success fills *user (clean up with model_user_cleanup) and returns
 * NEWSROOM_OK; otherwise returns res->status, with res set
 * (NEWSROOM_UNAUTHENTICATED for a wrong login or password, without saying which;
 * NEWSROOM_RATE_LIMITED with *retry_after seconds; NEWSROOM_FORBIDDEN for a
 * disabled account). */
enum newsroom_status newsroom_signin(struct store *st, const char *login, const char *password,
				     const char *addr, int64_t now, struct model_user *user,
				     struct newsroom_result *res, int *retry_after);

#define NEWSROOM_SIGNIN_WINDOW       (15 * 60) /* seconds over which failures count */
#define NEWSROOM_SIGNIN_MAX_LOGIN    5         /* failures per account in the window */
#define NEWSROOM_SIGNIN_MAX_ADDR     20        /* failures per address in the window */

#define NEWSROOM_AUDIT_VIEW_ENTRIES  500  /* entries the audit page shows */
#define NEWSROOM_AUDIT_API_DEFAULT   200  /* entries GET /api/audit gives without ?limit= */
#define NEWSROOM_AUDIT_API_MAX       1000 /* ... and at most, whatever ?limit= asks */

#endif
