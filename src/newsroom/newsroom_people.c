/*
 * The newsroom's actions on people: users, API tokens, signing in, and the
 * audit trail. See newsroom.h.
 */
#include "newsroom/newsroom_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_json.h"
#include "model/model_limits.h"
#include "util/log.h"


json_t *newsroom_json_user(const struct model_user *u)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "id", (json_int_t)u->id,
			 "login", u->login ? u->login : "", "display_name",
			 u->display_name ? u->display_name : "", "byline_name",
			 u->byline_name ? u->byline_name : "", "byline_role",
			 u->byline_role ? u->byline_role : "", "role", model_role_name(u->role),
			 "disabled", u->disabled, "created_at", model_json_time(u->created_at));
}

static json_t *newsroom_json_token(const struct model_token *t)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:o, s:o}",
			 "id", (json_int_t)t->id, "user_id", (json_int_t)t->user_id,
			 "login", t->user_login ? t->user_login : "",
			 "label", t->label ? t->label : "",
			 "created_at", model_json_time(t->created_at),
			 "revoked_at", model_json_time(t->revoked_at));
}

static json_t *newsroom_json_audit(const struct model_audit *a)
{
	return json_pack("{s:I, s:o, s:I, s:s, s:s, s:I, s:I, s:s}",
			 "id", (json_int_t)a->id, "at", model_json_time(a->at),
			 "user_id", (json_int_t)a->user_id,
			 "user_name", a->user_name ? a->user_name : "",
			 "action", a->action ? a->action : "",
			 "page_id", (json_int_t)a->page_id, "post_id", (json_int_t)a->post_id,
			 "detail", a->detail ? a->detail : "");
}

/* ---- users ------------------------------------------------------------------ */

/* One body for newsroom_users_list() and newsroom_tokens_list(): the same
 * permission, the same shape of answer; only the store call and the JSON differ.
 * Alike in shape to newsroom_pages_list(), by intent: its own lists. */
static void newsroom_admin_list(const struct newsroom_ctx *c, int tokens,
				struct newsroom_result *res)
{
	struct model_user *u = NULL;
	struct model_token *t = NULL;
	size_t n = 0;
	json_t *arr;
	int rc;

	if (newsroom_need(c, res, AUTH_USER_ADMIN) < 0)
		return;
	rc = tokens ? store_token_list(c->st, &t, &n) : store_user_list(c->st, &u, &n);
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, tokens ? "token" : "user");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		newsroom_json_push(&arr, tokens ? newsroom_json_token(&t[i])
						: newsroom_json_user(&u[i]));
	model_tokens_free(t, tokens ? n : 0);
	model_users_free(u, tokens ? 0 : n);
	newsroom_ok(res, newsroom_wrap(tokens ? "tokens" : "users", arr));
}

void newsroom_users_list(const struct newsroom_ctx *c, struct newsroom_result *res)
{
	newsroom_admin_list(c, 0, res);
}

int newsroom_people_get(const struct newsroom_ctx *c, struct newsroom_people *out,
			struct newsroom_result *res)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!auth_can(c->user->role, AUTH_USER_ADMIN))
		return newsroom_fail(res, NEWSROOM_FORBIDDEN, "Only admins manage users.");
	rc = store_user_list(c->st, &out->users, &out->n_users);
	if (rc == 0)
		rc = store_token_list(c->st, &out->tokens, &out->n_tokens);
	if (rc < 0) {
		newsroom_people_cleanup(out);
		return newsroom_store_fail(c, res, rc, "user");
	}
	return 0;
}

void newsroom_people_cleanup(struct newsroom_people *p)
{
	model_users_free(p->users, p->n_users);
	model_tokens_free(p->tokens, p->n_tokens);
	memset(p, 0, sizeof(*p));
}

static int newsroom_get_role(const json_t *in, int required, int *role, struct newsroom_result *res)
{
	const char *s;

	if (newsroom_get_str(in, "role", required, 16, 0, &s, res) < 0)
		return -1;
	if (!s)
		return 0;
	*role = model_role_parse(s);
	if (*role < 0)
		return newsroom_fail(res, NEWSROOM_INVALID,
				     "\"role\" is contributor, editor or admin.");
	return 0;
}

static int newsroom_get_password(const json_t *in, int required, const char **pw,
				 struct newsroom_result *res)
{
	const char *why;

	if (newsroom_get_str(in, "password", required, AUTH_PASSWORD_MAX, 1, pw, res) < 0)
		return -1;
	if (*pw && (why = auth_password_problem(*pw)) != NULL)
		return newsroom_fail(res, NEWSROOM_INVALID, "%s", why);
	return 0;
}

void newsroom_user_create(const struct newsroom_ctx *c, const json_t *in,
			  struct newsroom_result *res)
{
	struct model_user u = { 0 };
	const char *login, *name, *bname, *brole, *pw;
	char hash[AUTH_HASH_MAX];
	int role = -1, rc;

	if (newsroom_need(c, res, AUTH_USER_ADMIN) < 0)
		return;
	if (newsroom_need_object(in, res) < 0)
		return;
	if (newsroom_get_str(in, "login", 1, MODEL_LOGIN_MAX, 0, &login, res) < 0 ||
	    newsroom_get_str(in, "display_name", 1, MODEL_NAME_MAX, 0, &name, res) < 0 ||
	    newsroom_get_str(in, "byline_name", 0, MODEL_NAME_MAX, 0, &bname, res) < 0 ||
	    newsroom_get_str(in, "byline_role", 0, MODEL_NAME_MAX, 0, &brole, res) < 0 ||
	    newsroom_get_role(in, 1, &role, res) < 0 || newsroom_get_password(in, 1, &pw, res) < 0)
		return;
	if (!model_login_valid(login)) {
		newsroom_fail(res, NEWSROOM_INVALID,
			"A login is 1 to " MODEL_STR(MODEL_LOGIN_MAX)
			" characters of a-z, 0-9, '.', '_' and '-'.");
		return;
	}
	if (auth_password_hash(pw, hash) < 0) {
		newsroom_fail(res, NEWSROOM_ERROR, "Out of memory while hashing the password.");
		return;
	}
	u.login = (char *)login;
	u.display_name = (char *)name;
	u.byline_name = (char *)(bname ? bname : "");
	u.byline_role = (char *)(brole ? brole : "");
	u.role = (enum model_role)role;
	rc = store_user_create(c->st, c->user->id, &u, hash);
	if (rc == STORE_EEXIST)
		newsroom_fail(res, NEWSROOM_CONFLICT, "The login \"%s\" is taken.", login);
	else if (rc < 0)
		newsroom_store_fail(c, res, rc, "user");
	else {
		res->id = u.id;
		newsroom_created(res, newsroom_wrap("user", newsroom_json_user(&u)));
	}
}

void newsroom_user_update(const struct newsroom_ctx *c, int64_t id, const json_t *in,
			  struct newsroom_result *res)
{
	struct model_user u = { 0 };
	const char *name, *bname, *brole, *pw;
	char hash[AUTH_HASH_MAX];
	int role = -1, disabled = -1, rc = 0;

	if (newsroom_need(c, res, AUTH_USER_ADMIN) < 0)
		return;
	if (newsroom_need_object(in, res) < 0)
		return;
	if (newsroom_get_str(in, "display_name", NEWSROOM_NOT_BLANK, MODEL_NAME_MAX, 0, &name,
			     res) < 0 ||
	    newsroom_get_str(in, "byline_name", 0, MODEL_NAME_MAX, 0, &bname, res) < 0 ||
	    newsroom_get_str(in, "byline_role", 0, MODEL_NAME_MAX, 0, &brole, res) < 0 ||
	    newsroom_get_role(in, 0, &role, res) < 0 ||
	    newsroom_get_bool(in, "disabled", &disabled, res) < 0 ||
	    newsroom_get_password(in, 0, &pw, res) < 0)
		return;
	if (name && !*name) {
		newsroom_fail(res, NEWSROOM_INVALID, "\"display_name\" must not be empty.");
		return;
	}
	rc = store_user_get(c->st, id, &u);
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, "user");
		return;
	}
	/* An admin who demotes or disables themselves may leave nobody in charge. */
	if (id == c->user->id && ((role >= 0 && role != MODEL_ROLE_ADMIN) || disabled == 1)) {
		newsroom_fail(res, NEWSROOM_INVALID,
			"You cannot remove your own admin role or disable yourself; ask "
			"another admin.");
		goto out;
	}
	if (role >= 0 && (enum model_role)role != u.role)
		rc = store_user_set_role(c->st, c->user->id, id, (enum model_role)role);
	if (rc == 0 && disabled >= 0 && disabled != u.disabled)
		rc = store_user_set_disabled(c->st, c->user->id, id, disabled);
	if (rc == 0 && (name || bname || brole))
		rc = store_user_set_profile(c->st, c->user->id, id, name ? name : u.display_name,
					    bname ? bname : u.byline_name,
					    brole ? brole : u.byline_role);
	if (rc == 0 && pw) {
		if (auth_password_hash(pw, hash) < 0) {
			newsroom_fail(res, NEWSROOM_ERROR,
				      "Out of memory while hashing the password.");
			goto out;
		}
		rc = store_user_set_password(c->st, c->user->id, id, hash);
	}
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, "user");
		goto out;
	}
	model_user_cleanup(&u);
	memset(&u, 0, sizeof(u));
	rc = store_user_get(c->st, id, &u);
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, "user");
		return;
	}
	res->id = id;
	newsroom_ok(res, newsroom_wrap("user", newsroom_json_user(&u)));
out:
	model_user_cleanup(&u);
}

/* ---- API tokens ------------------------------------------------------------- */

void newsroom_tokens_list(const struct newsroom_ctx *c, struct newsroom_result *res)
{
	newsroom_admin_list(c, 1, res);
}

void newsroom_token_create(const struct newsroom_ctx *c, const json_t *in,
			   struct newsroom_result *res)
{
	struct model_user u = { 0 };
	struct model_token t = { 0 };
	const char *login, *label;
	char secret[AUTH_TOKEN_LEN + 1];
	unsigned char hash[STORE_TOKEN_HASH_LEN];
	json_t *body;
	int rc;

	if (newsroom_need(c, res, AUTH_USER_ADMIN) < 0)
		return;
	if (newsroom_need_object(in, res) < 0)
		return;
	if (newsroom_get_str(in, "login", 1, MODEL_LOGIN_MAX, 0, &login, res) < 0 ||
	    newsroom_get_str(in, "label", 1, MODEL_LABEL_MAX, 0, &label, res) < 0)
		return;
	rc = store_user_by_login(c->st, login, &u, NULL);
	if (rc == STORE_ENOTFOUND) {
		newsroom_fail(res, NEWSROOM_INVALID, "There is no user \"%s\".", login);
		return;
	}
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, "user");
		return;
	}
	if (u.disabled) {
		newsroom_fail(res, NEWSROOM_INVALID, "The user \"%s\" is disabled.", login);
		model_user_cleanup(&u);
		return;
	}
	auth_token_new(secret);
	auth_token_hash(secret, strlen(secret), hash);
	rc = store_token_create(c->st, c->user->id, u.id, label, hash, &t.id);
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, "token");
	} else {
		t.user_id = u.id;
		t.user_login = u.login;
		t.label = (char *)label;
		t.created_at = c->now;
		body = json_pack("{s:o, s:s}", "token", newsroom_json_token(&t), "secret", secret);
		res->id = t.id;
		newsroom_created(res, body);
	}
	model_user_cleanup(&u);
}

void newsroom_token_revoke(const struct newsroom_ctx *c, int64_t id, struct newsroom_result *res)
{
	int rc;

	if (newsroom_need(c, res, AUTH_USER_ADMIN) < 0)
		return;
	rc = store_token_revoke(c->st, c->user->id, id);
	if (rc < 0)
		newsroom_store_fail(c, res, rc, "token");
	else {
		res->id = id;
		newsroom_done(res);
	}
}

/* ---- the audit trail -------------------------------------------------------- */

/* Reads up to `limit` entries, of the page `slug` when not NULL (an invalid
 * slug is not found) into a->page; 0, or -1 with res set and nothing held. */
static int newsroom_audit_read(const struct newsroom_ctx *c, const char *slug, size_t limit,
			       struct newsroom_audit *a, struct newsroom_result *res)
{
	int rc = 0;

	memset(a, 0, sizeof(*a));
	if (slug)
		rc = model_slug_valid(slug) ? store_page_get(c->st, slug, &a->page)
					    : STORE_ENOTFOUND;
	if (rc < 0)
		return newsroom_store_fail(c, res, rc, "live page");
	rc = store_audit_list(c->st, a->page.id, limit, &a->entries, &a->n);
	if (rc < 0) {
		newsroom_audit_cleanup(a);
		return newsroom_store_fail(c, res, rc, "audit entry");
	}
	return 0;
}

void newsroom_audit_list(const struct newsroom_ctx *c, const char *slug, size_t limit,
			 struct newsroom_result *res)
{
	struct newsroom_audit a;
	json_t *arr;

	if (newsroom_need(c, res, AUTH_AUDIT_READ) < 0)
		return;
	if (limit == 0 || limit > NEWSROOM_AUDIT_API_MAX)
		limit = NEWSROOM_AUDIT_API_DEFAULT;
	if (newsroom_audit_read(c, slug, limit, &a, res) < 0)
		return;
	arr = json_array();
	for (size_t i = 0; i < a.n; i++)
		newsroom_json_push(&arr, newsroom_json_audit(&a.entries[i]));
	newsroom_audit_cleanup(&a);
	newsroom_ok(res, newsroom_wrap("audit", arr));
}

int newsroom_audit_get(const struct newsroom_ctx *c, const char *slug, struct newsroom_audit *out,
		       struct newsroom_result *res)
{
	memset(out, 0, sizeof(*out));
	if (!auth_can(c->user->role, AUTH_AUDIT_READ))
		return newsroom_fail(res, NEWSROOM_FORBIDDEN,
				     "Only editors and admins read the audit trail.");
	return newsroom_audit_read(c, slug && *slug ? slug : NULL, NEWSROOM_AUDIT_VIEW_ENTRIES, out,
				   res);
}

void newsroom_audit_cleanup(struct newsroom_audit *a)
{
	model_audit_free(a->entries, a->n);
	model_page_cleanup(&a->page);
	memset(a, 0, sizeof(*a));
}

/* ---- who is asking ------------------------------------------------------ */

/* 1, 0 or -1 from a credential lookup's store code. */
static int newsroom_credential(struct store *st, int rc)
{
	if (rc == STORE_ENOTFOUND)
		return 0;
	if (rc < 0) {
		log_warnx("auth: %s", store_errmsg(st));
		return -1;
	}
	return 1;
}

int newsroom_token_user(struct store *st, const char *token, struct model_user *user)
{
	unsigned char hash[STORE_TOKEN_HASH_LEN];

	auth_token_hash(token, strlen(token), hash);
	return newsroom_credential(st, store_token_lookup(st, hash, user));
}

int newsroom_session_user(struct store *st, const char *token, int64_t now, struct model_user *user,
			  char **csrf, unsigned char hash[STORE_TOKEN_HASH_LEN])
{
	auth_token_hash(token, strlen(token), hash);
	return newsroom_credential(st, store_session_lookup(st, hash, now, user, csrf));
}

int newsroom_session_start(struct store *st, const struct model_user *user, const char *addr,
			   int64_t now, char *token, char *csrf)
{
	unsigned char hash[STORE_TOKEN_HASH_LEN];
	char detail[96];

	auth_token_new(token);
	auth_token_new(csrf);
	auth_token_hash(token, strlen(token), hash);
	snprintf(detail, sizeof(detail), "from %s", addr);
	if (store_session_create(st, user->id, hash, csrf, now + AUTH_SESSION_SECONDS) < 0 ||
	    store_audit_add(st, user->id, "auth.signin", 0, 0, detail) < 0) {
		log_warnx("auth: %s", store_errmsg(st));
		return -1;
	}
	return 0;
}

void newsroom_session_end(struct store *st, int64_t user_id,
			  const unsigned char hash[STORE_TOKEN_HASH_LEN])
{
	if (store_session_revoke(st, hash) < 0 ||
	    store_audit_add(st, user_id, "auth.signout", 0, 0, "") < 0)
		log_warnx("auth: %s", store_errmsg(st));
}

/* ---- signing in ----------------------------------------------------------- */

/* A sign-in the database could not answer: 503 while it is out of reach. */
static enum newsroom_status newsroom_signin_db_failed(struct store *st,
						      struct newsroom_result *res)
{
	log_warnx("sign-in: %s", store_errmsg(st));
	if (store_unreachable(st))
		newsroom_fail(res, NEWSROOM_UNAVAILABLE,
			      "The database cannot be reached just now; try again in a moment.");
	else
		newsroom_fail(res, NEWSROOM_ERROR, "The database failed; try again.");
	return res->status;
}

/* Minutes until the oldest failure in the window leaves it. */
static int newsroom_retry_after(int64_t oldest, int64_t now)
{
	int64_t s = oldest + NEWSROOM_SIGNIN_WINDOW - now;
	return s < 1 ? 1 : (int)s;
}

enum newsroom_status newsroom_signin(struct store *st, const char *login, const char *password,
				     const char *addr, int64_t now, struct model_user *user,
				     struct newsroom_result *res, int *retry_after)
{
	static char dummy_hash[AUTH_HASH_MAX];
	char key_login[MODEL_LOGIN_MAX + 16], key_addr[96];
	struct store_signin_attempt at = { 0 };
	char *hash = NULL;
	int ok = 0, rc;

	*retry_after = 0;
	if (!login || !password || !*login || strlen(login) > MODEL_LOGIN_MAX ||
	    strlen(password) > AUTH_PASSWORD_MAX) {
		newsroom_fail(res, NEWSROOM_UNAUTHENTICATED, "Wrong login or password.");
		return res->status;
	}
	snprintf(key_login, sizeof(key_login), "login:%s", login);
	snprintf(key_addr, sizeof(key_addr), "addr:%s", addr ? addr : "?");
	/* The attempt counts as a failure from before its password is checked
	 * (store_signin_attempt), and is taken back if it signs in. */
	at.key_login = key_login;
	at.key_addr = key_addr;
	at.max_login = NEWSROOM_SIGNIN_MAX_LOGIN;
	at.max_addr = NEWSROOM_SIGNIN_MAX_ADDR;
	at.since = now - NEWSROOM_SIGNIN_WINDOW;
	at.now = now;
	if (store_signin_attempt(st, &at) < 0)
		return newsroom_signin_db_failed(st, res);
	if (!at.allowed) {
		int by_login = at.n_login >= NEWSROOM_SIGNIN_MAX_LOGIN;

		*retry_after =
			newsroom_retry_after(by_login ? at.oldest_login : at.oldest_addr, now);
		newsroom_fail(res, NEWSROOM_RATE_LIMITED,
			"Too many failed sign-ins %s. Try again in %d minute%s.",
			by_login ? "for this account" : "from your address",
			(*retry_after + 59) / 60, (*retry_after + 59) / 60 == 1 ? "" : "s");
		return res->status;
	}
	rc = store_user_by_login(st, login, user, &hash);
	if (rc == 0) {
		ok = auth_password_verify(hash, password);
		free(hash);
	} else {
		/* Take as long for an unknown login as for a wrong password, so that
		 * timing does not tell which logins exist. */
		if (!dummy_hash[0] && auth_password_hash("not a password at all", dummy_hash) < 0)
			dummy_hash[0] = '\0';
		auth_password_verify(dummy_hash, password);
		if (rc != STORE_ENOTFOUND)
			return newsroom_signin_db_failed(st, res);
	}
	if (!ok) {
		/* Already counted, by store_signin_attempt. */
		if (rc == 0)
			model_user_cleanup(user);
		newsroom_fail(res, NEWSROOM_UNAUTHENTICATED, "Wrong login or password.");
		return res->status;
	}
	/* The right password is no failure, even for a disabled account. */
	if (store_signin_attempt_succeeded(st, &at) < 0)
		log_warnx("sign-in: %s", store_errmsg(st));
	if (user->disabled) {
		model_user_cleanup(user);
		newsroom_fail(res, NEWSROOM_FORBIDDEN, "This account is disabled; ask an admin.");
		return res->status;
	}
	newsroom_done(res);
	return NEWSROOM_OK;
}
