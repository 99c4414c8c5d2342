/*
 * The newsroom's half of the store's core (store_newsroom.h): users, sessions,
 * API tokens and failed sign-ins; drafts and the scheduler that publishes them;
 * reading a post's revisions; uploaded media; the audit trail. Same connection,
 * same statement caching and transaction rules as store.c, whose helpers it
 * shares through store_internal.h; the same SQL on every backend.
 *
 * Publishing (a draft now, or the scheduled ones when due) goes through the
 * same insert as store_post_insert(): the post, its revision 1, the change-log
 * entry and the audit entry, and then the draft is deleted, all in one
 * transaction. The scheduler takes the write lock (write_begin(), serialising
 * it with every writer on every node) before it looks for what is due, so of several processes running it at once each due post is found, and
 * published, by exactly one: the others find the draft already gone.
 */
#include "store/store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model.h"

#define SQL_USER_COLUMNS \
	"u.id, u.login, u.display_name, u.byline_name, u.byline_role, u.role, u.disabled," \
	" u.created_at"

/* A user's name for people, "command line" for user 0 (no row joins). */
#define SQL_ACTOR_NAME(alias) "coalesce(" alias ".display_name, '" STORE_SYSTEM_NAME "')"

#define SQL_DRAFT_COLUMNS \
	"d.id, d.page_id, d.author_id, " SQL_ACTOR_NAME("u") ", d.state, d.publish_at, d.version," \
	" d.created_at, d.updated_at, d.title, d.breaking, d.key_event, d.bylines_json," \
	" d.body_json"

/* User 0 in the audit trail is the command line, except for what the
 * scheduler did on its own. */
#define SQL_AUDIT_COLUMNS \
	"a.id, a.at, a.user_id, CASE WHEN a.user_id = 0 AND a.action LIKE 'schedule.%'" \
	" THEN 'scheduler' ELSE " SQL_ACTOR_NAME("u") " END, a.action, a.page_id, a.post_id, a.detail"

static const char *const store_newsroom_sql[STMT_NEWSROOM_COUNT] = {
	[STMT_NEWSROOM_USER_INSERT] =
		"INSERT INTO users (login, display_name, byline_name, byline_role, role,"
		" pw_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
	[STMT_NEWSROOM_USER_BY_ID] = "SELECT " SQL_USER_COLUMNS ", u.pw_hash FROM users u WHERE u.id = ?1",
	[STMT_NEWSROOM_USER_BY_LOGIN] =
		"SELECT " SQL_USER_COLUMNS ", u.pw_hash FROM users u WHERE u.login = ?1",
	[STMT_NEWSROOM_USER_LIST] = "SELECT " SQL_USER_COLUMNS " FROM users u ORDER BY u.login",
	[STMT_NEWSROOM_USER_ROLE] = "UPDATE users SET role = ?2 WHERE id = ?1 RETURNING login",
	[STMT_NEWSROOM_USER_DISABLED] = "UPDATE users SET disabled = ?2 WHERE id = ?1 RETURNING login",
	[STMT_NEWSROOM_USER_PASSWORD] = "UPDATE users SET pw_hash = ?2 WHERE id = ?1 RETURNING login",
	[STMT_NEWSROOM_USER_PROFILE] =
		"UPDATE users SET display_name = ?2, byline_name = ?3, byline_role = ?4"
		" WHERE id = ?1 RETURNING login",
	[STMT_NEWSROOM_USER_REVOKE_SESSIONS] =
		"UPDATE sessions SET revoked = 1 WHERE user_id = ?1 AND revoked = 0",
	[STMT_NEWSROOM_USER_REVOKE_TOKENS] =
		"UPDATE api_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at = 0",
	/* A disabled user gets no new session or token: the SELECT finds no row.
	 * (The casts say the types for PostgreSQL, where a parameter in a SELECT
	 * list has none from its context.) */
	[STMT_NEWSROOM_SESSION_INSERT] =
		"INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)"
		" SELECT ?1, id, CAST(?3 AS TEXT), CAST(?4 AS BIGINT), CAST(?5 AS BIGINT)"
		" FROM users WHERE id = ?2 AND disabled = 0",
	[STMT_NEWSROOM_SESSION_LOOKUP] =
		"SELECT " SQL_USER_COLUMNS ", s.csrf"
		" FROM sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.token_hash = ?1 AND s.revoked = 0 AND s.expires_at > ?2"
		" AND u.disabled = 0",
	[STMT_NEWSROOM_SESSION_REVOKE] = "UPDATE sessions SET revoked = 1 WHERE token_hash = ?1",
	[STMT_NEWSROOM_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1 OR revoked = 1",
	[STMT_NEWSROOM_TOKEN_INSERT] =
		"INSERT INTO api_tokens (token_hash, user_id, label, created_at)"
		" SELECT ?1, id, CAST(?3 AS TEXT), CAST(?4 AS BIGINT)"
		" FROM users WHERE id = ?2 AND disabled = 0 RETURNING id",
	[STMT_NEWSROOM_TOKEN_LOOKUP] =
		"SELECT " SQL_USER_COLUMNS " FROM api_tokens t JOIN users u ON u.id = t.user_id"
		" WHERE t.token_hash = ?1 AND t.revoked_at = 0 AND u.disabled = 0",
	[STMT_NEWSROOM_TOKEN_LIST] =
		"SELECT t.id, t.user_id, u.login, t.label, t.created_at, t.revoked_at"
		" FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
	[STMT_NEWSROOM_TOKEN_GET] =
		"SELECT t.label, t.revoked_at, u.login FROM api_tokens t"
		" JOIN users u ON u.id = t.user_id WHERE t.id = ?1",
	[STMT_NEWSROOM_TOKEN_REVOKE] =
		"UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at = 0",
	[STMT_NEWSROOM_FAILURE_ADD] =
		"INSERT INTO signin_failures (key, at) VALUES (?1, ?2) RETURNING id",
	[STMT_NEWSROOM_FAILURE_COUNT] =
		"SELECT count(*), coalesce(min(at), 0) FROM signin_failures"
		" WHERE key = ?1 AND at >= ?2",
	[STMT_NEWSROOM_FAILURE_CLEAR] = "DELETE FROM signin_failures WHERE key = ?1",
	[STMT_NEWSROOM_FAILURE_PURGE] = "DELETE FROM signin_failures WHERE at < ?1",
	[STMT_NEWSROOM_FAILURE_DELETE] = "DELETE FROM signin_failures WHERE id = ?1",
	[STMT_NEWSROOM_DRAFT_INSERT] =
		"INSERT INTO drafts (page_id, author_id, state, publish_at, version, created_at,"
		" updated_at, title, breaking, key_event, bylines_json, body_json)"
		" VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
	[STMT_NEWSROOM_DRAFT_UPDATE] =
		"UPDATE drafts SET state = ?3, publish_at = ?4, version = version + 1,"
		" updated_at = ?5, title = ?6, breaking = ?7, key_event = ?8, bylines_json = ?9,"
		" body_json = ?10 WHERE id = ?2 AND page_id = ?1"
		" AND (CAST(?11 AS BIGINT) = 0 OR version = ?11)"
		" RETURNING version",
	[STMT_NEWSROOM_DRAFT_VERSION] = "SELECT version FROM drafts WHERE id = ?2 AND page_id = ?1",
	[STMT_NEWSROOM_DRAFT_GET] =
		"SELECT " SQL_DRAFT_COLUMNS " FROM drafts d LEFT JOIN users u ON u.id = d.author_id"
		" WHERE d.page_id = ?1 AND d.id = ?2",
	/* Scheduled (state 1) first, soonest first; then drafts, newest first. */
	[STMT_NEWSROOM_DRAFT_LIST] =
		"SELECT " SQL_DRAFT_COLUMNS " FROM drafts d LEFT JOIN users u ON u.id = d.author_id"
		" WHERE d.page_id = ?1 ORDER BY d.state DESC,"
		" CASE WHEN d.state = 1 THEN d.publish_at END, d.updated_at DESC, d.id DESC",
	[STMT_NEWSROOM_DRAFT_DELETE] = "DELETE FROM drafts WHERE id = ?2 AND page_id = ?1 RETURNING title",
	[STMT_NEWSROOM_DRAFT_ROW] =
		"SELECT version, author_id, publish_at, title, breaking, key_event, bylines_json,"
		" body_json FROM drafts WHERE id = ?2 AND page_id = ?1",
	[STMT_NEWSROOM_SCHEDULE_DUE] =
		"SELECT id, page_id FROM drafts WHERE state = 1 AND publish_at <= ?1"
		" ORDER BY publish_at, id",
	[STMT_NEWSROOM_SCHEDULE_NEXT] = "SELECT coalesce(min(publish_at), 0) FROM drafts WHERE state = 1",
	[STMT_NEWSROOM_REVISION_LIST] =
		"SELECT r.id, r.post_id, r.version, r.user_id, " SQL_ACTOR_NAME("u") ", r.at, r.what,"
		" r.correction, r.title, r.published_at, r.breaking, r.key_event,"
		" r.bylines_json, r.body_json, r.page_id"
		" FROM revisions r LEFT JOIN users u ON u.id = r.user_id"
		" WHERE r.page_id = ?1 AND r.post_id = ?2 ORDER BY r.version DESC, r.id DESC",
	[STMT_NEWSROOM_POST_EXISTS] = "SELECT 1 FROM posts WHERE page_id = ?1 AND id = ?2",
	[STMT_NEWSROOM_MEDIA_INSERT] =
		"INSERT INTO media (name, format, width, height, widths, bytes, user_id,"
		" created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT (name) DO NOTHING",
	[STMT_NEWSROOM_MEDIA_GET] =
		"SELECT name, format, width, height, widths, bytes, user_id, created_at"
		" FROM media WHERE name = ?1",
	[STMT_NEWSROOM_AUDIT_ADD] =
		"INSERT INTO audit (at, user_id, action, page_id, post_id, detail)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_NEWSROOM_AUDIT_LIST] =
		"SELECT " SQL_AUDIT_COLUMNS " FROM audit a LEFT JOIN users u ON u.id = a.user_id"
		" ORDER BY a.id DESC LIMIT ?1",
	[STMT_NEWSROOM_AUDIT_LIST_PAGE] =
		"SELECT " SQL_AUDIT_COLUMNS " FROM audit a LEFT JOIN users u ON u.id = a.user_id"
		" WHERE a.page_id = ?1 ORDER BY a.id DESC LIMIT ?2",
};

static struct store_stmt *store_newsroom_stmt(struct store *s, enum store_newsroom_stmt id)
{
	return store_stmt_cached(s, &s->newsroom_stmt[id], store_newsroom_sql[id]);
}

int store_newsroom_prepare(struct store *s)
{
	for (int i = 0; i < STMT_NEWSROOM_COUNT; i++)
		if (!store_newsroom_stmt(s, (enum store_newsroom_stmt)i))
			return STORE_ERR;
	return 0;
}

/* Steps a statement that changes at most one row and may return one (RETURNING)
 * to its end. Returns 1 if a row came back (its first column copied into *text
 * when text is not NULL), 0 if none, or STORE_ERR with a reason. */
static int store_step_returning(struct store *s, struct store_stmt *st, char **text,
				const char *what)
{
	int step = store_step(st), found = 0;

	if (step == STORE_DB_ROW) {
		found = 1;
		if (text)
			*text = store_col_str(st, 0);
		/* RETURNING rows must be stepped out for the statement to finish. */
		while ((step = store_step(st)) == STORE_DB_ROW)
			;
	}
	if (step != STORE_DB_DONE) {
		store_fail_db(s, what);
		store_reset(st);
		if (text) {
			free(*text);
			*text = NULL;
		}
		return STORE_ERR;
	}
	store_reset(st);
	return found;
}

/* "2025-02-17T10:00:00Z", for audit details. */
static void store_time_text(int64_t t, char *out, size_t len)
{
	if (len < TIME_ISO_SIZE || time_iso(t, out) < 0)
		snprintf(out, len, "%" PRId64, t);
}

/* ---- the audit trail ------------------------------------------------------ */

int store_audit_write(struct store *s, int64_t actor, const char *action, int64_t page_id,
		      int64_t post_id, const char *detail)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_AUDIT_ADD);

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, (int64_t)time(NULL));
	store_bind_int64(st, 2, actor);
	store_bind_text(st, 3, action);
	store_bind_int64(st, 4, page_id);
	store_bind_int64(st, 5, post_id);
	store_bind_text(st, 6, detail);
	return store_step_done(s, st, "audit");
}

int store_audit_add(struct store *s, int64_t actor, const char *action, int64_t page_id,
		    int64_t post_id, const char *detail)
{
	int rc;

	if (!action || !action[0])
		return store_fail(s, STORE_EINVAL, "an audit entry needs an action");
	if (!utf8_valid(action) || !utf8_valid(detail))
		return store_fail(s, STORE_EINVAL, "audit: invalid UTF-8");
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	rc = store_audit_write(s, actor, action, page_id, post_id, detail);
	return store_write_leave(s, rc);
}

/* A row of SQL_AUDIT_COLUMNS. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_audit_cols[] = {
	STORE_COL(struct model_audit, id, 0, INT64),
	STORE_COL(struct model_audit, at, 1, INT64),
	STORE_COL(struct model_audit, user_id, 2, INT64),
	STORE_COL(struct model_audit, user_name, 3, TEXT),
	STORE_COL(struct model_audit, action, 4, TEXT),
	STORE_COL(struct model_audit, page_id, 5, INT64),
	STORE_COL(struct model_audit, post_id, 6, INT64),
	STORE_COL(struct model_audit, detail, 7, TEXT),
};

static const struct store_record store_audit_record =
	STORE_RECORD(struct model_audit, store_audit_cols, NULL, NULL);

int store_audit_list(struct store *s, int64_t page_id, size_t limit, struct model_audit **out,
		     size_t *n)
{
	struct store_stmt *st;

	st = store_newsroom_stmt(s, page_id ? STMT_NEWSROOM_AUDIT_LIST_PAGE : STMT_NEWSROOM_AUDIT_LIST);
	if (!st)
		return STORE_ERR;
	if (page_id) {
		store_bind_int64(st, 1, page_id);
		store_bind_int64(st, 2, store_limit(limit));
	} else {
		store_bind_int64(st, 1, store_limit(limit));
	}
	return store_rows(s, st, &store_audit_record, "audit list", out, n);
}

/* ---- users --------------------------------------------------------------- */

/* A row of SQL_USER_COLUMNS. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_user_cols[] = {
	STORE_COL(struct model_user, id, 0, INT64),
	STORE_COL(struct model_user, login, 1, TEXT),
	STORE_COL(struct model_user, display_name, 2, TEXT),
	STORE_COL(struct model_user, byline_name, 3, TEXT),
	STORE_COL(struct model_user, byline_role, 4, TEXT),
	STORE_COL(struct model_user, disabled, 6, BOOL),
	STORE_COL(struct model_user, created_at, 7, INT64),
};

/* The role (column 5). Nothing here fails. */
static int store_user_finish(struct store *s, struct store_stmt *st, void *record)
{
	struct model_user *u = record;
	int role = store_col_int(st, 5);

	(void)s;
	/* The column's CHECK keeps it in range; clamp rather than trust a file
	 * written by something else with a role above ours. */
	u->role = role >= MODEL_ROLE_CONTRIBUTOR && role <= MODEL_ROLE_ADMIN
			  ? (enum model_role)role
			  : MODEL_ROLE_CONTRIBUTOR;
	return 0;
}

static const struct store_record store_user_record =
	STORE_RECORD(struct model_user, store_user_cols, store_user_finish, NULL);

static int store_user_profile_check(struct store *s, const char *display_name,
				    const char *byline_name, const char *byline_role)
{
	if (!display_name || !display_name[0])
		return store_fail(s, STORE_EINVAL, "a user needs a display name");
	if (!utf8_valid(display_name) || !utf8_valid(byline_name) ||
	    !utf8_valid(byline_role))
		return store_fail(s, STORE_EINVAL, "user: invalid UTF-8");
	return 0;
}

int store_user_create(struct store *s, int64_t actor, struct model_user *u, const char *pw_hash)
{
	int64_t now = (int64_t)time(NULL), id = 0;
	char detail[128];
	struct store_stmt *st;
	int rc;

	if (!model_login_valid(u->login))
		return store_fail(s, STORE_EINVAL,
				  "bad login \"%.64s\": 1 to " MODEL_STR(MODEL_LOGIN_MAX)
				  " of a-z, 0-9, '.', '_' and '-'",
				  u->login ? u->login : "");
	rc = store_user_profile_check(s, u->display_name, u->byline_name, u->byline_role);
	if (rc != 0)
		return rc;
	if ((unsigned)u->role > MODEL_ROLE_ADMIN)
		return store_fail(s, STORE_EINVAL, "bad role %d", (int)u->role);
	if (!pw_hash || !pw_hash[0] || !utf8_valid(pw_hash))
		return store_fail(s, STORE_EINVAL, "a user needs a password hash");
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_INSERT);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_text(st, 1, u->login);
	store_bind_text(st, 2, u->display_name);
	store_bind_text(st, 3, u->byline_name);
	store_bind_text(st, 4, u->byline_role);
	store_bind_int64(st, 5, (int)u->role);
	store_bind_text(st, 6, pw_hash);
	store_bind_int64(st, 7, now);
	rc = store_step_id(s, st, "user create", &id, NULL);
	if (rc == STORE_DB_UNIQUE)
		rc = store_fail(s, STORE_EEXIST, "the login \"%s\" is taken", u->login);
	else
		rc = rc < 0 ? STORE_ERR : 0;
	if (rc != 0)
		goto leave;
	snprintf(detail, sizeof(detail), "%s, %s", u->login, model_role_name(u->role));
	rc = store_audit_write(s, actor, "user.add", 0, 0, detail);
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0) {
		u->id = id;
		u->created_at = now;
		u->disabled = 0;
	}
	return rc;
}

/* One user by a bound STMT_NEWSROOM_USER_BY_ID or STMT_NEWSROOM_USER_BY_LOGIN. */
static int store_user_get_stmt(struct store *s, struct store_stmt *st, struct model_user *out,
			       char **pw_hash, const char *what)
{
	struct model_user u;
	int rc = store_step_row(s, st, "user", "no user %s", what);

	if (rc == 0)
		rc = store_record_read(s, st, &store_user_record, &u);
	if (rc == 0 && pw_hash)
		*pw_hash = store_col_str(st, 8);
	store_reset(st);
	if (rc == 0)
		*out = u;
	return rc;
}

int store_user_get(struct store *s, int64_t id, struct model_user *out)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_BY_ID);
	char what[32];

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, id);
	snprintf(what, sizeof(what), "%" PRId64, id);
	return store_user_get_stmt(s, st, out, NULL, what);
}

int store_user_by_login(struct store *s, const char *login, struct model_user *out,
			char **pw_hash)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_BY_LOGIN);
	char what[80];

	if (!st)
		return STORE_ERR;
	store_bind_text(st, 1, login);
	snprintf(what, sizeof(what), "\"%.64s\"", login ? login : "");
	return store_user_get_stmt(s, st, out, pw_hash, what);
}

int store_user_list(struct store *s, struct model_user **out, size_t *n)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_LIST);

	if (!st)
		return STORE_ERR;
	return store_rows(s, st, &store_user_record, "user list", out, n);
}

/* Runs a bound one-user UPDATE ... RETURNING login inside a write; *login is
 * the user's login (caller frees). */
static int store_user_change(struct store *s, struct store_stmt *st, int64_t id, char **login,
			     const char *what)
{
	int rc = store_step_returning(s, st, login, what);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return store_fail(s, STORE_ENOTFOUND, "no user %" PRId64, id);
	return 0;
}

int store_user_set_role(struct store *s, int64_t actor, int64_t id, enum model_role role)
{
	char *login = NULL, detail[128];
	struct store_stmt *st;
	int rc;

	if ((unsigned)role > MODEL_ROLE_ADMIN)
		return store_fail(s, STORE_EINVAL, "bad role %d", (int)role);
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_ROLE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, (int)role);
	rc = store_user_change(s, st, id, &login, "user role");
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%s: role %s", login, model_role_name(role));
		rc = store_audit_write(s, actor, "user.role", 0, 0, detail);
	}
leave:
	free(login);
	return store_write_leave(s, rc);
}

/* Inside a write: ends every session of user `id`. */
static int store_user_revoke_sessions(struct store *s, int64_t id)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_REVOKE_SESSIONS);

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, id);
	return store_step_done(s, st, "user sessions");
}

int store_user_set_disabled(struct store *s, int64_t actor, int64_t id, int disabled)
{
	char *login = NULL;
	struct store_stmt *st;
	int rc;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_DISABLED);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, disabled != 0);
	rc = store_user_change(s, st, id, &login, "user disable");
	/* Lookups refuse a disabled user's sessions and tokens anyway; revoking
	 * them too means enabling the account again does not bring them back. */
	if (rc == 0 && disabled) {
		rc = store_user_revoke_sessions(s, id);
		if (rc != 0)
			goto leave;
		st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_REVOKE_TOKENS);
		if (!st) {
			rc = STORE_ERR;
			goto leave;
		}
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, (int64_t)time(NULL));
		rc = store_step_done(s, st, "user tokens");
	}
	if (rc == 0)
		rc = store_audit_write(s, actor, disabled ? "user.disable" : "user.enable", 0, 0, login);
leave:
	free(login);
	return store_write_leave(s, rc);
}

int store_user_set_password(struct store *s, int64_t actor, int64_t id, const char *pw_hash)
{
	char *login = NULL;
	struct store_stmt *st;
	int rc;

	if (!pw_hash || !pw_hash[0] || !utf8_valid(pw_hash))
		return store_fail(s, STORE_EINVAL, "a user needs a password hash");
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_PASSWORD);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, pw_hash);
	rc = store_user_change(s, st, id, &login, "user password");
	/* A new password ends every session the old one opened: it is what a
	 * user does after a laptop is lost. The user's API tokens stay: they are
	 * for machines (a wire importer must not stop at a routine password
	 * change), only an admin makes them, and an admin revokes them one by
	 * one, or all at once by disabling the user (README, docs/api.md). */
	if (rc == 0)
		rc = store_user_revoke_sessions(s, id);
	if (rc == 0)
		rc = store_audit_write(s, actor, "user.password", 0, 0, login);
leave:
	free(login);
	return store_write_leave(s, rc);
}

int store_user_set_profile(struct store *s, int64_t actor, int64_t id, const char *display_name,
			   const char *byline_name, const char *byline_role)
{
	char *login = NULL, detail[200];
	struct store_stmt *st;
	int rc;

	rc = store_user_profile_check(s, display_name, byline_name, byline_role);
	if (rc != 0)
		return rc;
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_PROFILE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, display_name);
	store_bind_text(st, 3, byline_name);
	store_bind_text(st, 4, byline_role);
	rc = store_user_change(s, st, id, &login, "user profile");
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%s: %.120s", login, display_name);
		rc = store_audit_write(s, actor, "user.profile", 0, 0, detail);
	}
leave:
	free(login);
	return store_write_leave(s, rc);
}

/* ---- sessions and API tokens --------------------------------------------- */

static void store_bind_hash(struct store_stmt *st, int i, const unsigned char *hash)
{
	store_bind_blob(st, i, hash, STORE_TOKEN_HASH_LEN);
}

int store_session_create(struct store *s, int64_t user_id,
			 const unsigned char hash[STORE_TOKEN_HASH_LEN], const char *csrf,
			 int64_t expires_at)
{
	struct store_stmt *st;
	int64_t changed = 0;
	int rc;

	if (!hash || !csrf || !csrf[0] || !utf8_valid(csrf))
		return store_fail(s, STORE_EINVAL, "a session needs a token hash and a CSRF token");
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_SESSION_INSERT);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_hash(st, 1, hash);
	store_bind_int64(st, 2, user_id);
	store_bind_text(st, 3, csrf);
	store_bind_int64(st, 4, (int64_t)time(NULL));
	store_bind_int64(st, 5, expires_at);
	rc = store_step_id(s, st, "session create", NULL, &changed);
	if (rc == STORE_DB_UNIQUE)
		rc = store_fail(s, STORE_EEXIST, "that session token is in use");
	else if (rc < 0)
		rc = STORE_ERR;
	else if (changed == 0)
		rc = store_fail(s, STORE_ENOTFOUND, "no enabled user %" PRId64, user_id);
	else
		rc = 0;
leave:
	return store_write_leave(s, rc);
}

int store_session_lookup(struct store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN],
			 int64_t now, struct model_user *user, char **csrf)
{
	struct store_stmt *st;
	int rc;

	if (!hash)
		return store_fail(s, STORE_ENOTFOUND, "no such session");
	st = store_newsroom_stmt(s, STMT_NEWSROOM_SESSION_LOOKUP);
	if (!st)
		return STORE_ERR;
	store_bind_hash(st, 1, hash);
	store_bind_int64(st, 2, now);
	rc = store_step_row(s, st, "session", "no such session, or it has ended");
	if (rc == 0)
		rc = store_record_read(s, st, &store_user_record, user);
	if (rc == 0 && csrf)
		*csrf = store_col_str(st, 8);
	store_reset(st);
	return rc;
}

int store_session_revoke(struct store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN])
{
	struct store_stmt *st;
	int rc;

	if (!hash)
		return store_fail(s, STORE_ENOTFOUND, "no such session");
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_SESSION_REVOKE);
	if (!st) {
		rc = STORE_ERR;
	} else {
		int64_t changed = 0;

		store_bind_hash(st, 1, hash);
		rc = store_step_id(s, st, "session revoke", NULL, &changed) < 0 ? STORE_ERR : 0;
		if (rc == 0 && changed == 0)
			rc = store_fail(s, STORE_ENOTFOUND, "no such session");
	}
	return store_write_leave(s, rc);
}

/* Failed sign-ins older than this are of no use to any rate limit. */
#define STORE_FAILURE_KEEP (24 * 3600)

int store_session_purge(struct store *s, int64_t now)
{
	struct store_stmt *st;
	int rc;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_SESSION_PURGE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, now);
	rc = store_step_done(s, st, "session purge");
	if (rc != 0)
		goto leave;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_FAILURE_PURGE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, now - STORE_FAILURE_KEEP);
	rc = store_step_done(s, st, "sign-in failures purge");
leave:
	return store_write_leave(s, rc);
}

/* A user's login (caller frees), or NULL: it only names them in a detail. */
static char *store_user_login(struct store *s, int64_t id)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_USER_BY_ID);
	char *login = NULL;

	if (!st)
		return NULL;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_DB_ROW)
		login = store_col_str(st, 1);
	store_reset(st);
	return login;
}

int store_token_create(struct store *s, int64_t actor, int64_t user_id, const char *label,
		       const unsigned char hash[STORE_TOKEN_HASH_LEN], int64_t *id)
{
	char *login = NULL, detail[200];
	int64_t token_id = 0;
	struct store_stmt *st;
	int rc;

	if (!label || !label[0] || !utf8_valid(label))
		return store_fail(s, STORE_EINVAL, "a token needs a label saying what it is for");
	if (!hash)
		return store_fail(s, STORE_EINVAL, "a token needs a hash");
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_TOKEN_INSERT);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_hash(st, 1, hash);
	store_bind_int64(st, 2, user_id);
	store_bind_text(st, 3, label);
	store_bind_int64(st, 4, (int64_t)time(NULL));
	rc = store_step_id(s, st, "token create", &token_id, NULL);
	if (rc == STORE_DB_UNIQUE)
		rc = store_fail(s, STORE_EEXIST, "that token is in use");
	else if (rc < 0)
		rc = STORE_ERR;
	else if (rc == 0)
		rc = store_fail(s, STORE_ENOTFOUND, "no enabled user %" PRId64, user_id);
	else
		rc = 0;
	if (rc != 0)
		goto leave;
	login = store_user_login(s, user_id);
	snprintf(detail, sizeof(detail), "%.120s, for %s", label, login ? login : "?");
	rc = store_audit_write(s, actor, "token.create", 0, 0, detail);
leave:
	free(login);
	rc = store_write_leave(s, rc);
	if (rc == 0 && id)
		*id = token_id;
	return rc;
}

int store_token_lookup(struct store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN],
		       struct model_user *user)
{
	struct store_stmt *st;
	int rc;

	if (!hash)
		return store_fail(s, STORE_ENOTFOUND, "no such token");
	st = store_newsroom_stmt(s, STMT_NEWSROOM_TOKEN_LOOKUP);
	if (!st)
		return STORE_ERR;
	store_bind_hash(st, 1, hash);
	rc = store_step_row(s, st, "token", "no such token, or it was revoked");
	if (rc == 0)
		rc = store_record_read(s, st, &store_user_record, user);
	store_reset(st);
	return rc;
}

/* A row of STMT_NEWSROOM_TOKEN_LIST. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_token_cols[] = {
	STORE_COL(struct model_token, id, 0, INT64),
	STORE_COL(struct model_token, user_id, 1, INT64),
	STORE_COL(struct model_token, user_login, 2, TEXT),
	STORE_COL(struct model_token, label, 3, TEXT),
	STORE_COL(struct model_token, created_at, 4, INT64),
	STORE_COL(struct model_token, revoked_at, 5, INT64),
};

static const struct store_record store_token_record =
	STORE_RECORD(struct model_token, store_token_cols, NULL, NULL);

int store_token_list(struct store *s, struct model_token **out, size_t *n)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_TOKEN_LIST);

	if (!st)
		return STORE_ERR;
	return store_rows(s, st, &store_token_record, "token list", out, n);
}

int store_token_revoke(struct store *s, int64_t actor, int64_t id)
{
	char *label = NULL, *login = NULL, detail[200];
	int64_t revoked_at = 0;
	struct store_stmt *st;
	int rc;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_TOKEN_GET);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, id);
	rc = store_step_row(s, st, "token", "no token %" PRId64, id);
	if (rc == 0) {
		label = store_col_str(st, 0);
		revoked_at = store_col_int64(st, 1);
		login = store_col_str(st, 2);
	}
	store_reset(st);
	/* Revoking a revoked token changes nothing, and is not an error. */
	if (rc != 0 || revoked_at)
		goto leave;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_TOKEN_REVOKE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, id);
	store_bind_int64(st, 2, (int64_t)time(NULL));
	rc = store_step_done(s, st, "token revoke");
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%.120s, for %s", label, login);
		rc = store_audit_write(s, actor, "token.revoke", 0, 0, detail);
	}
leave:
	free(label);
	free(login);
	return store_write_leave(s, rc);
}

/* ---- failed sign-ins ------------------------------------------------------- */

int store_signin_failure_add(struct store *s, const char *key, int64_t at)
{
	struct store_stmt *st;
	int rc;

	if (!key || !key[0])
		return store_fail(s, STORE_EINVAL, "a sign-in failure needs a key");
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_FAILURE_ADD);
	if (!st) {
		rc = STORE_ERR;
	} else {
		store_bind_text(st, 1, key);
		store_bind_int64(st, 2, at);
		rc = store_step_id(s, st, "sign-in failure", NULL, NULL) < 0 ? STORE_ERR : 0;
	}
	return store_write_leave(s, rc);
}

int store_signin_failures(struct store *s, const char *key, int64_t since, int64_t *count,
			  int64_t *oldest)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_FAILURE_COUNT);
	int rc;

	if (!st)
		return STORE_ERR;
	store_bind_text(st, 1, key);
	store_bind_int64(st, 2, since);
	rc = store_step(st);
	if (rc == STORE_DB_ROW) {
		*count = store_col_int64(st, 0);
		if (oldest)
			*oldest = store_col_int64(st, 1);
		rc = 0;
	} else {
		rc = store_fail_db(s, "sign-in failures");
	}
	store_reset(st);
	return rc;
}

/* Counts `key`'s failures since `since`; if under `max`, records one at `now`
 * and sets *id. Inside the caller's write transaction. */
static int store_signin_take(struct store *s, const char *key, int64_t max, int64_t since,
			     int64_t now, int64_t *count, int64_t *oldest, int64_t *id)
{
	struct store_stmt *st;
	int rc;

	*id = 0;
	rc = store_signin_failures(s, key, since, count, oldest);
	if (rc != 0 || *count >= max)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_FAILURE_ADD);
	if (!st)
		return STORE_ERR;
	store_bind_text(st, 1, key);
	store_bind_int64(st, 2, now);
	return store_step_id(s, st, "sign-in failure", id, NULL) == 1 ? 0 : STORE_ERR;
}

int store_signin_attempt(struct store *s, struct store_signin_attempt *a)
{
	int rc;

	if (!a->key_login || !a->key_login[0] || !a->key_addr || !a->key_addr[0])
		return store_fail(s, STORE_EINVAL, "a sign-in attempt needs its keys");
	a->allowed = 0;
	a->id_login = a->id_addr = 0;
	/* The write lock up front (write_begin()): every worker's count-and-record
	 * is serialised with every other writer's, so no two attempts see the
	 * same count. */
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	rc = store_signin_take(s, a->key_login, a->max_login, a->since, a->now, &a->n_login,
			       &a->oldest_login, &a->id_login);
	if (rc == 0 && a->id_login)
		rc = store_signin_take(s, a->key_addr, a->max_addr, a->since, a->now, &a->n_addr,
				       &a->oldest_addr, &a->id_addr);
	if (rc == 0 && a->id_login && !a->id_addr) {
		/* The address is over its limit: take nothing from the account. */
		struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_FAILURE_DELETE);

		if (!st) {
			rc = STORE_ERR;
		} else {
			store_bind_int64(st, 1, a->id_login);
			rc = store_step_done(s, st, "sign-in failure");
			a->id_login = 0;
		}
	}
	if (rc == 0)
		a->allowed = a->id_login && a->id_addr;
	return store_write_leave(s, rc);
}

/* Forgets the failures counted against `key`, inside a write. */
static int store_failures_clear(struct store *s, const char *key)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_FAILURE_CLEAR);

	if (!st)
		return STORE_ERR;
	store_bind_text(st, 1, key);
	return store_step_done(s, st, "sign-in failures clear");
}

int store_signin_attempt_succeeded(struct store *s, const struct store_signin_attempt *a)
{
	struct store_stmt *st;
	int rc;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	rc = store_failures_clear(s, a->key_login);
	if (rc == 0 && a->id_addr) {
		st = store_newsroom_stmt(s, STMT_NEWSROOM_FAILURE_DELETE);
		if (!st) {
			rc = STORE_ERR;
		} else {
			store_bind_int64(st, 1, a->id_addr);
			rc = store_step_done(s, st, "sign-in failure");
		}
	}
	return store_write_leave(s, rc);
}

int store_signin_failures_clear(struct store *s, const char *key)
{
	int rc = store_write_enter(s);

	if (rc != 0)
		return rc;
	return store_write_leave(s, store_failures_clear(s, key));
}

/* ---- drafts ---------------------------------------------------------------- */

/* A row of SQL_DRAFT_COLUMNS. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_draft_cols[] = {
	STORE_COL(struct model_draft, id, 0, INT64),
	STORE_COL(struct model_draft, page_id, 1, INT64),
	STORE_COL(struct model_draft, author_id, 2, INT64),
	STORE_COL(struct model_draft, author_name, 3, TEXT),
	STORE_COL(struct model_draft, publish_at, 5, INT64),
	STORE_COL(struct model_draft, version, 6, INT64),
	STORE_COL(struct model_draft, created_at, 7, INT64),
	STORE_COL(struct model_draft, updated_at, 8, INT64),
	STORE_COL(struct model_draft, post.title, 9, TEXT),
	STORE_COL(struct model_draft, post.breaking, 10, BOOL),
	STORE_COL(struct model_draft, post.key_event, 11, BOOL),
};

/* The state (column 4), the post's time, and its bylines' and body's JSON
 * (columns 12 and 13). */
static int store_draft_finish(struct store *s, struct store_stmt *st, void *record)
{
	struct model_draft *d = record;
	char what[40];

	d->state = store_col_int(st, 4) == MODEL_DRAFT_SCHEDULED ? MODEL_DRAFT_SCHEDULED
								       : MODEL_DRAFT_SAVED;
	d->post.published_at = d->publish_at;
	snprintf(what, sizeof(what), "draft %" PRId64, d->id);
	return store_post_parse_json(s, &d->post, store_col_text(st, 12),
				     store_col_text(st, 13), what);
}

/* model_draft_cleanup() for store_record. */
static void store_draft_cleanup(void *record)
{
	model_draft_cleanup(record);
}

static const struct store_record store_draft_record =
	STORE_RECORD(struct model_draft, store_draft_cols, store_draft_finish, store_draft_cleanup);

/* Everything before a draft's binds: checks what every draft must be before
 * it is stored, encodes its bylines and body (the caller frees both, whatever
 * the outcome), enters the write and sets *st to statement `id`, the insert or
 * update that stores it. On failure no write is left open. */
static int store_draft_write_enter(struct store *s, const struct model_draft *d,
				   enum store_newsroom_stmt id, struct store_stmt **st, char **bylines,
				   char **body)
{
	int rc;

	if ((unsigned)d->state > MODEL_DRAFT_SCHEDULED)
		return store_fail(s, STORE_EINVAL, "bad draft state %d", (int)d->state);
	if (d->state == MODEL_DRAFT_SCHEDULED && d->publish_at <= 0)
		return store_fail(s, STORE_EINVAL, "a scheduled post needs a time to publish");
	rc = store_post_check(s, &d->post);
	if (rc != 0)
		return rc;
	rc = store_post_json(s, &d->post, bylines, body);
	if (rc != 0)
		return rc;
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	*st = store_newsroom_stmt(s, id);
	return *st ? 0 : store_write_leave(s, STORE_ERR);
}

/* Binds what a draft insert and a draft update both store, at ?3 to ?10:
 * state, publish time, the save time, title, flags, bylines and body. */
static void store_draft_bind(struct store_stmt *st, const struct model_draft *d, int64_t now,
			     const char *bylines, const char *body)
{
	store_bind_int64(st, 3, (int)d->state);
	store_bind_int64(st, 4, d->state == MODEL_DRAFT_SCHEDULED ? d->publish_at : 0);
	store_bind_int64(st, 5, now);
	store_bind_text(st, 6, d->post.title);
	store_bind_int64(st, 7, d->post.breaking != 0);
	store_bind_int64(st, 8, d->post.key_event != 0);
	store_bind_text(st, 9, bylines);
	store_bind_text(st, 10, body);
}

/* The caller's copy of a draft stored at `now` as `version`: what the row now
 * holds (a draft that is not scheduled has no publish time). */
static void store_draft_saved(struct model_draft *d, int64_t version, int64_t now)
{
	d->version = version;
	d->updated_at = now;
	if (d->state != MODEL_DRAFT_SCHEDULED)
		d->publish_at = 0;
}

/* The audit entry of a draft saved in state `state`. */
static int store_draft_audit(struct store *s, int64_t actor, const char *action,
			     const struct model_draft *d, int64_t page_id)
{
	char detail[300], when[40];

	if (d->state == MODEL_DRAFT_SCHEDULED) {
		store_time_text(d->publish_at, when, sizeof(when));
		snprintf(detail, sizeof(detail), "%.200s, at %s", d->post.title, when);
		return store_audit_write(s, actor, "draft.schedule", page_id, 0, detail);
	}
	return store_audit_write(s, actor, action, page_id, 0, d->post.title);
}

int store_draft_create(struct store *s, int64_t actor, int64_t page_id, struct model_draft *d)
{
	char *bylines = NULL, *body = NULL;
	int64_t now = (int64_t)time(NULL), id = 0;
	struct store_stmt *st;
	int rc;

	rc = store_draft_write_enter(s, d, STMT_NEWSROOM_DRAFT_INSERT, &st, &bylines, &body);
	if (rc != 0)
		goto out;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, actor);
	store_draft_bind(st, d, now, bylines, body);
	rc = store_step_id(s, st, "draft create", &id, NULL);
	if (rc == STORE_DB_FOREIGN_KEY)
		rc = store_fail(s, STORE_ENOTFOUND, "no page %" PRId64, page_id);
	else
		rc = rc < 0 ? STORE_ERR : 0;
	if (rc != 0)
		goto leave;
	rc = store_draft_audit(s, actor, "draft.create", d, page_id);
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0) {
		d->id = id;
		d->page_id = page_id;
		d->author_id = actor;
		d->created_at = now;
		store_draft_saved(d, 1, now);
	}
out:
	free(bylines);
	free(body);
	return rc;
}

/* After an update or publish found no row: is the draft gone, or newer? */
static int store_draft_missing(struct store *s, int64_t page_id, int64_t draft_id,
			       int64_t expected_version)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_DRAFT_VERSION);
	int64_t version;
	int rc;

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, draft_id);
	rc = store_step(st);
	version = rc == STORE_DB_ROW ? store_col_int64(st, 0) : 0;
	store_reset(st);
	if (rc == STORE_DB_ROW)
		return store_fail(s, STORE_ECONFLICT,
				  "draft %" PRId64 " is at version %" PRId64 ", not %" PRId64,
				  draft_id, version, expected_version);
	if (rc == STORE_DB_DONE)
		return store_fail(s, STORE_ENOTFOUND, "no draft %" PRId64 " on page %" PRId64,
				  draft_id, page_id);
	return store_fail_db(s, "draft");
}

int store_draft_update(struct store *s, int64_t actor, struct model_draft *d, int64_t expected_version)
{
	char *bylines = NULL, *body = NULL;
	int64_t now = (int64_t)time(NULL), version = 0;
	struct store_stmt *st;
	int rc;

	rc = store_draft_write_enter(s, d, STMT_NEWSROOM_DRAFT_UPDATE, &st, &bylines, &body);
	if (rc != 0)
		goto out;
	store_bind_int64(st, 1, d->page_id);
	store_bind_int64(st, 2, d->id);
	store_draft_bind(st, d, now, bylines, body);
	store_bind_int64(st, 11, expected_version);
	rc = store_step(st);
	if (rc == STORE_DB_ROW) {
		version = store_col_int64(st, 0);
		while ((rc = store_step(st)) == STORE_DB_ROW)
			;
	}
	if (rc != STORE_DB_DONE) {
		rc = store_fail_db(s, "draft update");
		store_reset(st);
		goto leave;
	}
	store_reset(st);
	if (!version) {
		rc = store_draft_missing(s, d->page_id, d->id, expected_version);
		goto leave;
	}
	rc = store_draft_audit(s, actor, "draft.save", d, d->page_id);
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0)
		store_draft_saved(d, version, now);
out:
	free(bylines);
	free(body);
	return rc;
}

int store_draft_get(struct store *s, int64_t page_id, int64_t draft_id, struct model_draft *out)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_DRAFT_GET);

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, draft_id);
	return store_record_get(s, st, &store_draft_record, out, "draft",
				"no draft %" PRId64 " on page %" PRId64, draft_id, page_id);
}

int store_draft_list(struct store *s, int64_t page_id, struct model_draft **out, size_t *n)
{
	struct store_stmt *st;
	int rc;

	rc = store_page_exists(s, page_id);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_DRAFT_LIST);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	return store_rows(s, st, &store_draft_record, "draft list", out, n);
}

/* Deletes a draft inside a write; *title (caller frees) names it. */
static int store_draft_remove(struct store *s, int64_t page_id, int64_t draft_id, char **title)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_DRAFT_DELETE);
	int rc;

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, draft_id);
	rc = store_step_returning(s, st, title, "draft delete");
	if (rc < 0)
		return rc;
	if (rc == 0)
		return store_fail(s, STORE_ENOTFOUND, "no draft %" PRId64 " on page %" PRId64,
				  draft_id, page_id);
	return 0;
}

int store_draft_delete(struct store *s, int64_t actor, int64_t page_id, int64_t draft_id)
{
	char *title = NULL;
	int rc;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	rc = store_draft_remove(s, page_id, draft_id, &title);
	if (rc == 0)
		rc = store_audit_write(s, actor, "draft.delete", page_id, 0, title);
	free(title);
	return store_write_leave(s, rc);
}

/* A draft's row as a post to insert, with copies of its text (the statement
 * is reset before the insert runs). */
struct store_draft_row {
	int64_t version;
	int64_t author_id;
	int64_t publish_at;
	char *title;
	char *bylines;
	char *body;
	int breaking;
	int key_event;
};

static void store_draft_row_cleanup(struct store_draft_row *r)
{
	free(r->title);
	free(r->bylines);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* A row of STMT_NEWSROOM_DRAFT_ROW. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_draft_row_cols[] = {
	STORE_COL(struct store_draft_row, version, 0, INT64),
	STORE_COL(struct store_draft_row, author_id, 1, INT64),
	STORE_COL(struct store_draft_row, publish_at, 2, INT64),
	STORE_COL(struct store_draft_row, title, 3, TEXT),
	STORE_COL(struct store_draft_row, breaking, 4, BOOL),
	STORE_COL(struct store_draft_row, key_event, 5, BOOL),
	STORE_COL(struct store_draft_row, bylines, 6, TEXT),
	STORE_COL(struct store_draft_row, body, 7, TEXT),
};

static const struct store_record store_draft_row_record =
	STORE_RECORD(struct store_draft_row, store_draft_row_cols, NULL, NULL);

static int store_draft_row_read(struct store *s, int64_t page_id, int64_t draft_id,
				struct store_draft_row *r)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_DRAFT_ROW);

	memset(r, 0, sizeof(*r));
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, draft_id);
	return store_record_get(s, st, &store_draft_row_record, r, "draft",
				"no draft %" PRId64 " on page %" PRId64, draft_id, page_id);
}

/* Inside a write: publishes a draft read into `r` at `at` (0: now), by
 * `author`, with audit entry `action` naming `actor`, and deletes the draft. */
static int store_draft_to_post(struct store *s, int64_t actor, int64_t page_id, int64_t draft_id,
			       const struct store_draft_row *r, int64_t at, int64_t author,
			       const char *action, int64_t *post_id)
{
	struct store_post_row row = {
		.title = r->title,
		.published_at = at,
		.breaking = r->breaking,
		.key_event = r->key_event,
		.bylines_json = r->bylines,
		.body_json = r->body,
	};
	int rc;

	rc = store_post_insert_row(s, actor, page_id, &row, author, action, post_id, NULL, NULL);
	if (rc != 0)
		return rc;
	return store_draft_remove(s, page_id, draft_id, NULL);
}

int store_draft_publish(struct store *s, int64_t actor, int64_t page_id, int64_t draft_id,
			int64_t expected_version, int64_t at, int64_t *post_id)
{
	struct store_draft_row r;
	int64_t id = 0;
	int rc;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	rc = store_draft_row_read(s, page_id, draft_id, &r);
	if (rc == 0 && expected_version && r.version != expected_version)
		rc = store_fail(s, STORE_ECONFLICT,
				"draft %" PRId64 " is at version %" PRId64 ", not %" PRId64,
				draft_id, r.version, expected_version);
	if (rc == 0)
		rc = store_draft_to_post(s, actor, page_id, draft_id, &r, at, actor, "draft.publish",
					 &id);
	store_draft_row_cleanup(&r);
	rc = store_write_leave(s, rc);
	if (rc == 0 && post_id)
		*post_id = id;
	return rc;
}

struct store_due {
	int64_t id;
	int64_t page_id;
};

/* A row of STMT_NEWSROOM_SCHEDULE_DUE. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_due_cols[] = {
	STORE_COL(struct store_due, id, 0, INT64),
	STORE_COL(struct store_due, page_id, 1, INT64),
};

static const struct store_record store_due_record =
	STORE_RECORD(struct store_due, store_due_cols, NULL, NULL);

int store_schedule_run(struct store *s, int64_t now, size_t *published)
{
	struct store_due *due = NULL;
	size_t count = 0, done = 0;
	int64_t post_id;
	struct store_stmt *st;
	int rc;

	/* The write lock first (write_begin(), or the outer transaction's),
	 * then the question: a scheduler that read what is due before taking
	 * the lock could publish a draft another one has just published. */
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_SCHEDULE_DUE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, now);
	/* The due entries own nothing: free(due) is all they need. */
	rc = store_rows(s, st, &store_due_record, "schedule", &due, &count);
	if (rc != 0)
		goto leave;
	/* The scheduler publishes: the audit trail names the system (0). The
	 * history credits the draft's author with the post. */
	for (size_t i = 0; i < count && rc == 0; i++) {
		struct store_draft_row r;

		rc = store_draft_row_read(s, due[i].page_id, due[i].id, &r);
		if (rc == 0)
			rc = store_draft_to_post(s, 0, due[i].page_id, due[i].id, &r, r.publish_at,
						 r.author_id, "schedule.publish", &post_id);
		store_draft_row_cleanup(&r);
		if (rc == 0)
			done++;
	}
leave:
	free(due);
	rc = store_write_leave(s, rc);
	if (rc == 0 && published)
		*published = done;
	return rc;
}

int store_schedule_next(struct store *s, int64_t *at)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_SCHEDULE_NEXT);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = store_step(st);
	if (rc == STORE_DB_ROW) {
		*at = store_col_int64(st, 0);
		rc = 0;
	} else {
		rc = store_fail_db(s, "schedule");
	}
	store_reset(st);
	return rc;
}

/* ---- revisions ------------------------------------------------------------- */

/* A row of STMT_NEWSROOM_REVISION_LIST. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_revision_cols[] = {
	STORE_COL(struct model_revision, id, 0, INT64),
	STORE_COL(struct model_revision, post_id, 1, INT64),
	STORE_COL(struct model_revision, version, 2, INT64),
	STORE_COL(struct model_revision, user_id, 3, INT64),
	STORE_COL(struct model_revision, user_name, 4, TEXT),
	STORE_COL(struct model_revision, at, 5, INT64),
	STORE_COL(struct model_revision, what, 6, TEXT),
	STORE_COL(struct model_revision, correction, 7, TEXT_OR_NULL),
	STORE_COL(struct model_revision, post.title, 8, TEXT),
	STORE_COL(struct model_revision, post.published_at, 9, INT64),
	STORE_COL(struct model_revision, post.breaking, 10, BOOL),
	STORE_COL(struct model_revision, post.key_event, 11, BOOL),
	STORE_COL(struct model_revision, post.page_id, 14, INT64),
};

/* The post as it was: its fields the revision's own columns give, and its
 * bylines' and body's JSON (columns 12 and 13). */
static int store_revision_finish(struct store *s, struct store_stmt *st, void *record)
{
	struct model_revision *r = record;
	char what[64];

	r->post.id = r->post_id;
	r->post.updated_at = r->at;
	r->post.version = r->version;
	snprintf(what, sizeof(what), "post %" PRId64 " revision %" PRId64, r->post_id,
		 r->version);
	return store_post_parse_json(s, &r->post, store_col_text(st, 12),
				     store_col_text(st, 13), what);
}

/* What model_revisions_free() frees of one revision. */
static void store_revision_cleanup(void *record)
{
	struct model_revision *r = record;

	free(r->user_name);
	free(r->what);
	free(r->correction);
	model_post_cleanup(&r->post);
	memset(r, 0, sizeof(*r));
}

static const struct store_record store_revision_record =
	STORE_RECORD(struct model_revision, store_revision_cols, store_revision_finish,
		     store_revision_cleanup);

int store_revision_list(struct store *s, int64_t page_id, int64_t post_id,
			struct model_revision **out, size_t *n)
{
	struct store_stmt *st;
	int rc;

	st = store_newsroom_stmt(s, STMT_NEWSROOM_POST_EXISTS);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, post_id);
	rc = store_step(st);
	store_reset(st);
	if (rc == STORE_DB_DONE)
		return store_fail(s, STORE_ENOTFOUND, "no post %" PRId64 " on page %" PRId64,
				  post_id, page_id);
	if (rc != STORE_DB_ROW)
		return store_fail_db(s, "post");
	st = store_newsroom_stmt(s, STMT_NEWSROOM_REVISION_LIST);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, post_id);
	return store_rows(s, st, &store_revision_record, "revisions", out, n);
}

/* ---- media ----------------------------------------------------------------- */

/* 32 lowercase hex digits: media/'s content-addressed names. */
static int store_media_name_valid(const char *name)
{
	size_t n = 0;

	for (const char *p = name ? name : ""; *p; p++, n++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return n == 32;
}

int store_media_add(struct store *s, int64_t actor, const struct model_media *m)
{
	struct store_stmt *st;
	int64_t changed = 0;
	int rc;

	if (!store_media_name_valid(m->name))
		return store_fail(s, STORE_EINVAL, "bad media name: 32 hex digits expected");
	if (!m->format || !m->format[0] || !utf8_valid(m->format) || !m->widths ||
	    !utf8_valid(m->widths) || m->width <= 0 || m->height <= 0 || m->bytes < 0)
		return store_fail(s, STORE_EINVAL, "media %s: bad format or size", m->name);
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_newsroom_stmt(s, STMT_NEWSROOM_MEDIA_INSERT);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_text(st, 1, m->name);
	store_bind_text(st, 2, m->format);
	store_bind_int64(st, 3, m->width);
	store_bind_int64(st, 4, m->height);
	store_bind_text(st, 5, m->widths);
	store_bind_int64(st, 6, m->bytes);
	store_bind_int64(st, 7, m->user_id ? m->user_id : actor);
	store_bind_int64(st, 8, m->created_at ? m->created_at : (int64_t)time(NULL));
	rc = store_step_id(s, st, "media add", NULL, &changed) < 0 ? STORE_ERR : 0;
	/* The same content again: the first record stands, and nothing changed. */
	if (rc == 0 && changed == 1)
		rc = store_audit_write(s, actor, "media.add", 0, 0, m->name);
leave:
	return store_write_leave(s, rc);
}

/* A row of STMT_NEWSROOM_MEDIA_GET. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_media_cols[] = {
	STORE_COL(struct model_media, name, 0, TEXT),
	STORE_COL(struct model_media, format, 1, TEXT),
	STORE_COL(struct model_media, width, 2, INT),
	STORE_COL(struct model_media, height, 3, INT),
	STORE_COL(struct model_media, widths, 4, TEXT),
	STORE_COL(struct model_media, bytes, 5, INT64),
	STORE_COL(struct model_media, user_id, 6, INT64),
	STORE_COL(struct model_media, created_at, 7, INT64),
};

static const struct store_record store_media_record =
	STORE_RECORD(struct model_media, store_media_cols, NULL, NULL);

int store_media_get(struct store *s, const char *name, struct model_media *out)
{
	struct store_stmt *st = store_newsroom_stmt(s, STMT_NEWSROOM_MEDIA_GET);

	if (!st)
		return STORE_ERR;
	store_bind_text(st, 1, name);
	return store_record_get(s, st, &store_media_record, out, "media", "no media %.40s",
				name ? name : "");
}
