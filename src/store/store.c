/*
 * The store's core: pages, posts, edits and the change log, on whichever
 * backend opened the store (store_backend.h: store_sqlite.c, the embedded
 * default; store_pg.c, PostgreSQL). The SQL here is written once for both;
 * the calls that run it go through the backend.
 *
 * Post bodies, bylines and page summaries are kept as JSON (model_json.c): they
 * are always read and written whole, and the JSON is the same document the API
 * speaks. Everything else is a column.
 *
 * Each mutating call runs in a transaction together with the change-log row it
 * appends (see store.h). Writers are serialised up front by the backend's
 * write_begin() (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock taken
 * before any id is drawn), so change ids are handed out in commit order: a
 * worker that has read up to id N never later finds a smaller id committed.
 * Inside an outer transaction (store_begin) each call runs in a SAVEPOINT, so a
 * call that fails leaves the outer transaction as it was before that call.
 *
 * Each backend versions and migrates its own schema (the same tables, in its
 * own column types).
 *
 * The newsroom's half (users, drafts, the scheduler, revisions, the audit
 * trail) is store_newsroom.c, on the same connection; what the two share is in
 * store_internal.h. Every mutating call here also writes an audit entry naming
 * the actor, and every post insert or edit a revision, in the transaction of
 * the change.
 */
#include "store/store_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "model/model_json.h"
#include "util/log.h"
#include "util/stats.h"

#define STORE_PAGE_COLUMNS \
	"id, slug, title, description, zone, status, start_at, end_at, summary_json," \
	" pinned_post_id, last_seq, updated_at," \
	" (SELECT count(*) FROM posts WHERE posts.page_id = pages.id), published," \
	" coalesce((SELECT max(updated_at) FROM posts WHERE posts.page_id = pages.id), 0)"

#define STORE_POST_COLUMNS \
	"p.id, p.page_id, p.title, p.published_at, p.updated_at, p.breaking," \
	" p.key_event, p.bylines_json, p.body_json," \
	" CASE WHEN coalesce(pg.pinned_post_id, 0) = p.id THEN 1 ELSE 0 END," \
	" p.version, p.correction, p.correction_at"

#define STORE_CHANGE_COLUMNS "id, page_id, seq, kind, post_id, at, event, text"

static const char *const store_sql[STMT_COUNT] = {
	[STMT_CHANGE_BUMP] =
		"UPDATE pages SET last_seq = last_seq + 1, updated_at = ?2"
		" WHERE id = ?1 RETURNING last_seq",
	[STMT_CHANGE_ADD] =
		"INSERT INTO changes (page_id, seq, kind, post_id, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
	[STMT_PAGE_INSERT] =
		"INSERT INTO pages (slug, title, description, zone, status, start_at,"
		" end_at, summary_json, created_at, updated_at, published)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10) RETURNING id",
	[STMT_PAGE_BY_SLUG] = "SELECT " STORE_PAGE_COLUMNS " FROM pages WHERE slug = ?1",
	[STMT_PAGE_PUBLIC_BY_SLUG] =
		"SELECT " STORE_PAGE_COLUMNS " FROM pages WHERE slug = ?1 AND published = 1",
	[STMT_PAGE_BY_ID] = "SELECT " STORE_PAGE_COLUMNS " FROM pages WHERE id = ?1",
	[STMT_PAGE_LIST] =
		"SELECT " STORE_PAGE_COLUMNS " FROM pages"
		" ORDER BY CASE status WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE 2 END,"
		" updated_at DESC, id DESC",
	[STMT_PAGE_PUBLIC_LIST] =
		"SELECT " STORE_PAGE_COLUMNS " FROM pages WHERE published = 1"
		" ORDER BY CASE status WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE 2 END,"
		" updated_at DESC, id DESC",
	[STMT_PAGE_PUBLISHED] = "SELECT published FROM pages WHERE id = ?1",
	[STMT_PAGE_PUBLISH] = "UPDATE pages SET published = ?2 WHERE id = ?1",
	/* Going live starts the coverage now, unless it already started (a
	 * start in the past is kept: it may be the real one, or a page that
	 * goes live again after a mistaken end); going live also clears an end.
	 * Ending sets the end now, unless the page had already ended. On the
	 * right of SET, columns are their values before the update. */
	[STMT_PAGE_STATUS] =
		"UPDATE pages SET status = ?2,"
		" start_at = CASE WHEN CAST(?2 AS BIGINT) = 1 AND NOT (start_at > 0 AND start_at <= ?3)"
		" THEN CAST(?3 AS BIGINT) ELSE start_at END,"
		" end_at = CASE CAST(?2 AS BIGINT) WHEN 1 THEN 0"
		" WHEN 2 THEN CASE WHEN status = 2 AND end_at > 0 THEN end_at"
		" ELSE CAST(?3 AS BIGINT) END"
		" ELSE end_at END"
		" WHERE id = ?1",
	[STMT_PAGE_SUMMARY] = "UPDATE pages SET summary_json = ?2 WHERE id = ?1",
	[STMT_PAGE_PIN] =
		"UPDATE pages SET pinned_post_id = ?2 WHERE id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR"
		" EXISTS (SELECT 1 FROM posts WHERE id = ?2 AND page_id = ?1))",
	[STMT_PAGE_PINNED] = "SELECT coalesce(pinned_post_id, 0) FROM pages WHERE id = ?1",
	[STMT_PAGE_EXISTS] = "SELECT 1 FROM pages WHERE id = ?1",
	[STMT_PAGE_DETAILS] =
		"SELECT title, description, zone, start_at FROM pages WHERE id = ?1",
	[STMT_PAGE_UPDATE] =
		"UPDATE pages SET title = ?2, description = ?3, zone = ?4, start_at = ?5"
		" WHERE id = ?1",
	[STMT_POST_INSERT] =
		"INSERT INTO posts (page_id, title, published_at, updated_at, breaking,"
		" key_event, bylines_json, body_json, version, correction, correction_at,"
		" updated_by, search_text)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?12) RETURNING id",
	[STMT_POST_OLD] =
		"SELECT title, published_at, breaking, key_event, bylines_json, body_json,"
		" version, correction, correction_at FROM posts WHERE id = ?2 AND page_id = ?1",
	[STMT_POST_UPDATE] =
		"UPDATE posts SET title = ?3, published_at = ?4, updated_at = ?5, breaking = ?6,"
		" key_event = ?7, bylines_json = ?8, body_json = ?9, version = ?10,"
		" correction = ?11, correction_at = ?12, updated_by = ?13, search_text = ?14"
		" WHERE id = ?2 AND page_id = ?1",
	[STMT_POST_DELETE] = "DELETE FROM posts WHERE id = ?2 AND page_id = ?1 RETURNING title",
	[STMT_POST_GET] =
		"SELECT " STORE_POST_COLUMNS " FROM posts p JOIN pages pg ON pg.id = p.page_id"
		" WHERE p.page_id = ?1 AND p.id = ?2",
	[STMT_POST_TITLE] = "SELECT title FROM posts WHERE id = ?1",
	[STMT_POST_RANGE] =
		"SELECT " STORE_POST_COLUMNS " FROM posts p JOIN pages pg ON pg.id = p.page_id"
		" WHERE p.page_id = ?1 ORDER BY p.published_at, p.id LIMIT ?3 OFFSET ?2",
	[STMT_POST_INDEX] =
		"SELECT (SELECT count(*) FROM posts q WHERE q.page_id = p.page_id AND"
		" (q.published_at, q.id) < (p.published_at, p.id))"
		" FROM posts p WHERE p.page_id = ?1 AND p.id = ?2",
	/* The count is each key event's place on the page (as STMT_POST_INDEX):
	 * the list links to the page that holds it. */
	[STMT_POST_KEY_EVENTS] =
		"SELECT p.id, p.title, p.published_at,"
		" (SELECT count(*) FROM posts q WHERE q.page_id = p.page_id AND"
		" (q.published_at, q.id) < (p.published_at, p.id))"
		" FROM posts p WHERE p.page_id = ?1 AND p.key_event = 1"
		" ORDER BY p.published_at DESC, p.id DESC LIMIT ?2",
	[STMT_REVISION_ADD] =
		"INSERT INTO revisions (post_id, page_id, version, user_id, at, what, correction,"
		" title, published_at, breaking, key_event, bylines_json, body_json)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[STMT_CHANGES_SINCE] =
		"SELECT " STORE_CHANGE_COLUMNS " FROM changes WHERE id > ?1"
		" ORDER BY id LIMIT ?2",
	[STMT_PAGE_CHANGES_SINCE] =
		"SELECT " STORE_CHANGE_COLUMNS " FROM changes WHERE page_id = ?1 AND seq > ?2"
		" ORDER BY seq LIMIT ?3",
	[STMT_CHANGES_UNRENDERED] =
		"SELECT " STORE_CHANGE_COLUMNS " FROM changes WHERE id >= ?1 AND event IS NULL"
		" ORDER BY id",
	[STMT_CHANGE_EVENT] = "UPDATE changes SET event = ?2, text = ?3 WHERE id = ?1",
	/* An edit or a deletion takes the post's old words out of the stored
	 * events: a reader who replays them later gets them rendered from what the
	 * post is now (or "gone"), as before events were stored. */
	[STMT_CHANGE_FORGET] =
		"UPDATE changes SET event = NULL, text = NULL"
		" WHERE page_id = ?1 AND post_id = ?2 AND event IS NOT NULL",
	[STMT_LAST_CHANGE] = "SELECT coalesce(max(id), 0) FROM changes",
};

static const char *const store_change_names[] = {
	"page", "post", "update", "delete", "pin", "summary", "status", "publish", "unpublish",
};

#define STORE_N_KINDS ((int)(sizeof(store_change_names) / sizeof(store_change_names[0])))

const char *store_change_kind_name(enum store_change_kind k)
{
	return (unsigned)k < (unsigned)STORE_N_KINDS ? store_change_names[k] : "unknown";
}

static int store_change_kind_parse(const char *s)
{
	for (int i = 0; s && i < STORE_N_KINDS; i++)
		if (strcmp(s, store_change_names[i]) == 0)
			return i;
	return -1;
}

const char *store_errmsg(const struct store *s)
{
	return s->errmsg;
}

int store_fail(struct store *s, int rc, const char *fmt, ...)
{
	va_list ap;

	s->unreachable = 0;
	if (rc == STORE_ERR)
		stats_count(STATS_STORE_ERRORS, 1);
	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

/* Names again a failure that store_fail() recorded (and counted, util/stats.h). */
static void store_fail_named(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void store_fail_named(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
}

int store_unreachable(const struct store *s)
{
	return s->unreachable;
}

int store_fail_db(struct store *s, const char *what)
{
	char reason[sizeof(s->errmsg)];
	int unreachable = s->unreachable;

	/* The backend recorded its reason in errmsg: copied, as it is rewritten;
	 * and whether it was the database out of reach, which stays true. */
	memcpy(reason, s->errmsg, sizeof(reason));
	reason[sizeof(reason) - 1] = '\0';
	store_fail_named(s, "%s: %s", what, reason);
	s->unreachable = unreachable;
	return STORE_ERR;
}

/* store_step_row() with the reason's arguments as a va_list. */
static int store_step_row_v(struct store *s, struct store_stmt *st, const char *what, const char *fmt,
			    va_list ap)
{
	int rc = store_step(st);

	if (rc == STORE_DB_ROW)
		return 0;
	if (rc != STORE_DB_DONE)
		return store_fail_db(s, what);
	s->unreachable = 0;
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	return STORE_ENOTFOUND;
}

int store_step_row(struct store *s, struct store_stmt *st, const char *what, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = store_step_row_v(s, st, what, fmt, ap);
	va_end(ap);
	return rc;
}

/* Runs constant SQL (transaction control): never data. */
static int store_exec(struct store *s, const char *sql)
{
	if (s->be->exec(s, sql) != 0)
		return store_fail_db(s, sql);
	return 0;
}

/* Transaction control on an error path: the reason already recorded for the
 * caller must survive, so failures here go to the log only. */
static void store_exec_quiet(struct store *s, const char *sql)
{
	char reason[sizeof(s->errmsg)];
	int unreachable = s->unreachable;

	memcpy(reason, s->errmsg, sizeof(reason));
	if (s->be->exec(s, sql) != 0)
		log_warnx("store: %s: %s", sql, s->errmsg);
	memcpy(s->errmsg, reason, sizeof(reason));
	s->unreachable = unreachable;
}

struct store_stmt *store_stmt_cached(struct store *s, struct store_stmt **slot, const char *sql)
{
	struct store_stmt *st = *slot;

	if (!st) {
		if (s->be->prepare(s, sql, slot) != 0) {
			*slot = NULL;
			store_fail_db(s, "prepare");
			return NULL;
		}
		return *slot;
	}
	/* The backend's reset also clears the bindings. */
	store_reset(st);
	return st;
}

static struct store_stmt *store_stmt(struct store *s, enum store_stmt_id id)
{
	return store_stmt_cached(s, &s->stmt[id], store_sql[id]);
}

int store_step_done(struct store *s, struct store_stmt *st, const char *what)
{
	int rc = store_step(st);

	store_reset(st);
	return rc == STORE_DB_DONE ? 0 : store_fail_db(s, what);
}

int store_step_id(struct store *s, struct store_stmt *st, const char *what, int64_t *id,
		  int64_t *changes)
{
	int step = store_step(st), found = 0;

	if (step == STORE_DB_ROW) {
		found = 1;
		if (id)
			*id = store_col_int64(st, 0);
		/* RETURNING rows must be stepped out for the statement to finish. */
		while ((step = store_step(st)) == STORE_DB_ROW)
			;
	}
	if (step != STORE_DB_DONE) {
		store_reset(st);
		store_fail_db(s, what);
		/* The constraint codes come back as they are: callers that expect
		 * one name their own reason. */
		return step == STORE_DB_UNIQUE || step == STORE_DB_FOREIGN_KEY ? step : STORE_ERR;
	}
	/* Read before the reset, which may end what the backend knows of the run. */
	if (changes)
		*changes = store_changes(st);
	store_reset(st);
	return found;
}

int store_backup(struct store *s, const char *dest)
{
	if (!s->be->backup)
		return store_fail(s, STORE_EINVAL, "a %s database is backed up with its own tools"
				  " (docs/operations.md)", store_backend_name(s));
	return s->be->backup(s, dest);
}

int store_prepare(struct store *s)
{
	for (int i = 0; i < STMT_COUNT; i++)
		if (!store_stmt(s, (enum store_stmt_id)i))
			return STORE_ERR;
	if (store_newsroom_prepare(s) < 0)
		return STORE_ERR;
	if (s->be->warm)
		s->be->warm(s);
	return 0;
}

void store_bind_text(struct store_stmt *st, int i, const char *v)
{
	st->be->bind_text(st, i, v ? v : "");
}

void store_bind_text_or_null(struct store_stmt *st, int i, const char *v)
{
	st->be->bind_text(st, i, v);
}

char *store_col_str(struct store_stmt *st, int i)
{
	const char *v = store_col_text(st, i);

	return model_strdup(v ? v : "");
}

char *store_col_str_or_null(struct store_stmt *st, int i)
{
	if (store_col_is_null(st, i))
		return NULL;
	return store_col_str(st, i);
}

int64_t store_limit(size_t v)
{
	return v > (size_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* The field a column map entry names. */
static void *store_col_field(void *record, const struct store_col *c)
{
	return (unsigned char *)record + c->offset;
}

/* Frees what a record read by store_record_read() owns, and zeroes it. */
static void store_record_cleanup(const struct store_record *r, void *record)
{
	if (r->cleanup) {
		r->cleanup(record);
		return;
	}
	for (size_t i = 0; i < r->n_cols; i++) {
		if (r->cols[i].kind != STORE_COL_TEXT && r->cols[i].kind != STORE_COL_TEXT_OR_NULL)
			continue;
		free(*(char **)store_col_field(record, &r->cols[i]));
	}
	memset(record, 0, r->size);
}

int store_record_read(struct store *s, struct store_stmt *st, const struct store_record *r,
		      void *record)
{
	memset(record, 0, r->size);
	for (size_t i = 0; i < r->n_cols; i++) {
		const struct store_col *c = &r->cols[i];
		void *f = store_col_field(record, c);

		/* The field at f has the type the kind names (the map's promise),
		 * so these stores are through its own type. */
		switch (c->kind) {
		case STORE_COL_INT64:
			*(int64_t *)f = store_col_int64(st, c->col);
			break;
		case STORE_COL_INT:
			*(int *)f = store_col_int(st, c->col);
			break;
		case STORE_COL_BOOL:
			*(int *)f = store_col_int(st, c->col) != 0;
			break;
		case STORE_COL_SIZE:
			*(size_t *)f = (size_t)store_col_int64(st, c->col);
			break;
		case STORE_COL_TEXT:
			*(char **)f = store_col_str(st, c->col);
			break;
		case STORE_COL_TEXT_OR_NULL:
			*(char **)f = store_col_str_or_null(st, c->col);
			break;
		}
	}
	if (r->finish && r->finish(s, st, record) != 0) {
		store_record_cleanup(r, record);
		return STORE_ERR;
	}
	return 0;
}

int store_record_get(struct store *s, struct store_stmt *st, const struct store_record *r, void *out,
		     const char *what, const char *fmt, ...)
{
	void *record = malloc(r->size);
	va_list ap;
	int rc;

	if (!record)
		abort();
	va_start(ap, fmt);
	rc = store_step_row_v(s, st, what, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = store_record_read(s, st, r, record);
	store_reset(st);
	if (rc == 0)
		memcpy(out, record, r->size);
	free(record);
	return rc;
}

int store_rows(struct store *s, struct store_stmt *st, const struct store_record *r, const char *what,
	       void *out, size_t *n)
{
	unsigned char *list = NULL, *grown;
	size_t count = 0, cap = 0;
	int rc;

	while ((rc = store_step(st)) == STORE_DB_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(list, cap * r->size);
			if (!grown)
				abort();
			list = grown;
		}
		if (store_record_read(s, st, r, list + count * r->size) != 0)
			goto fail;
		count++;
	}
	if (rc != STORE_DB_DONE) {
		store_fail_db(s, what);
		goto fail;
	}
	store_reset(st);
	/* Copied rather than stored through a (void **) cast, which would break
	 * C's aliasing rules: this asks only that a T * looks like a void * in
	 * memory, as it does on every platform we build for. */
	memcpy(out, &list, sizeof(list));
	*n = count;
	return 0;
fail:
	store_reset(st);
	for (size_t i = 0; i < count; i++)
		store_record_cleanup(r, list + i * r->size);
	free(list);
	return STORE_ERR;
}

/* ---- opening ------------------------------------------------------------ */

int store_target_is_pg(const char *target)
{
	size_t word;

	if (!target)
		return 0;
	if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0)
		return 1;
	/* A libpq key=value string: its first word holds '='. A file path with
	 * '=' in its first word would be read as one; a path never needs that. */
	word = strcspn(target, " \t\n");
	return memchr(target, '=', word) != NULL;
}

const char *store_target_describe(const char *target, char *out, size_t len)
{
	if (store_target_is_pg(target))
		store_pg_describe(target, out, len);
	else
		snprintf(out, len, "%s", target ? target : "(none)");
	return out;
}

const char *store_target_masked(const char *target, char *out, size_t len)
{
	if (store_target_is_pg(target))
		store_pg_masked(target, out, len);
	else
		snprintf(out, len, "%s", target ? target : "");
	return out;
}

/* `create`: make the database when it is missing (store_open), or refuse
 * (store_open_existing). The backend is picked by the target's form. */
static struct store *store_open_mode(const char *target, int create, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		abort();
	if (store_target_is_pg(target))
		rc = store_pg_open(s, target, create);
	else
		rc = store_sqlite_open(s, target, create);
	if (rc != 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", s->errmsg);
		free(s);
		return NULL;
	}
	/* The schema is current: index the posts from before the search index
	 * (or written by an older program since) before anything reads it. */
	if (store_search_fill(s) != 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", s->errmsg);
		store_close(s);
		return NULL;
	}
	return s;
}

struct store *store_open(const char *target, char *err, size_t errlen)
{
	return store_open_mode(target, 1, err, errlen);
}

struct store *store_open_existing(const char *target, char *err, size_t errlen)
{
	return store_open_mode(target, 0, err, errlen);
}

const char *store_backend_name(const struct store *s)
{
	return s->be->name;
}

int store_check_file(struct store *s)
{
	return s->be->check(s);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		if (s->stmt[i])
			s->be->finalize(s->stmt[i]);
	for (int i = 0; i < STMT_NEWSROOM_COUNT; i++)
		if (s->newsroom_stmt[i])
			s->be->finalize(s->newsroom_stmt[i]);
	for (int i = 0; i < STMT_SEARCH_COUNT; i++)
		if (s->search_stmt[i])
			s->be->finalize(s->search_stmt[i]);
	/* Closing with an open transaction rolls it back: uncommitted is unsaid. */
	s->be->close(s);
	free(s);
}

/* ---- being woken ----------------------------------------------------------- */

int store_wake_fd(struct store *s)
{
	return s->be->wake_fd ? s->be->wake_fd(s) : -1;
}

int store_wake_drain(struct store *s)
{
	return s->be->wake_drain ? s->be->wake_drain(s) : 0;
}

void store_wake_tick(struct store *s)
{
	if (s->be->wake_tick)
		s->be->wake_tick(s);
}

/* ---- transactions ------------------------------------------------------ */

static int store_events_render(struct store *s);

/* Just before the COMMIT of a transaction that may have logged changes: their
 * events rendered (store_events_render), and the backend told, so that it can
 * wake the other processes at the commit (PostgreSQL's NOTIFY is queued in the
 * transaction). */
static int store_pre_commit(struct store *s)
{
	int rc = store_events_render(s);

	if (rc == 0 && s->logged && s->be->log_appended)
		rc = s->be->log_appended(s);
	return rc;
}

/* After a commit that added to the change log: the backend wakes whoever
 * reads the log (SQLite touches DB-notify). The commit is visible to readers
 * by then. */
static void store_committed(struct store *s)
{
	/* The time publish-to-send is measured from (util/stats.h). */
	if (s->logged)
		stats_commit_note(s->log_from, s->log_to);
	if (s->logged && s->be->committed)
		s->be->committed(s);
	s->logged = 0;
}

int store_begin(struct store *s)
{
	if (s->outer)
		return store_fail(s, STORE_EINVAL, "a transaction is already open");
	/* write_begin() records its whole reason. */
	if (s->be->write_begin(s) != 0)
		return STORE_ERR;
	s->outer = 1;
	return 0;
}

int store_commit(struct store *s)
{
	int rc;

	if (!s->outer)
		return store_fail(s, STORE_EINVAL, "no transaction is open");
	s->outer = 0;
	/* SQLite rolls the whole transaction back itself after some errors (disk
	 * full, I/O): committing then would report success for nothing. */
	if (!s->be->in_transaction(s)) {
		s->logged = 0;
		return store_fail(s, STORE_ERR, "the transaction was rolled back by an error");
	}
	if ((rc = store_check_file(s)) != 0 || (rc = store_pre_commit(s)) != 0 ||
	    (rc = store_exec(s, "COMMIT")) != 0) {
		store_exec_quiet(s, "ROLLBACK");
		s->logged = 0;
		return rc;
	}
	store_committed(s);
	/* Deleted between the check and the commit: the write went to a file that
	 * is gone, so it must not be reported as saved. */
	return store_check_file(s);
}

void store_rollback(struct store *s)
{
	if (!s->outer)
		return;
	s->outer = 0;
	s->logged = 0;
	if (s->be->in_transaction(s))
		store_exec_quiet(s, "ROLLBACK");
}

int store_write_enter(struct store *s)
{
	if (s->outer)
		return store_exec(s, "SAVEPOINT store_call");
	/* write_begin() records its whole reason. */
	if (s->be->write_begin(s) != 0)
		return STORE_ERR;
	return 0;
}

int store_write_leave(struct store *s, int rc)
{
	if (s->outer) {
		if (rc == 0)
			return store_exec(s, "RELEASE store_call");
		if (s->be->in_transaction(s)) {
			store_exec_quiet(s, "ROLLBACK TO store_call");
			store_exec_quiet(s, "RELEASE store_call");
		}
		return rc;
	}
	/* The file check comes before the commit (nothing is written to a file
	 * that is gone) and after it (deleted in between: not reported as saved). */
	if (rc == 0)
		rc = store_check_file(s);
	if (rc == 0)
		rc = store_pre_commit(s);
	if (rc == 0) {
		if (store_exec(s, "COMMIT") == 0) {
			store_committed(s);
			return store_check_file(s);
		}
		rc = STORE_ERR;
	}
	s->logged = 0;
	if (s->be->in_transaction(s))
		store_exec_quiet(s, "ROLLBACK");
	return rc;
}

/* ---- validation -------------------------------------------------------- */

/* Fields of a post that must be present, readable and of a known kind. */
int store_post_check(struct store *s, const struct model_post *p)
{
	if (!p->title || !p->title[0])
		return store_fail(s, STORE_EINVAL, "a post needs a title");
	if (!utf8_valid(p->title))
		return store_fail(s, STORE_EINVAL, "post title: invalid UTF-8");
	if ((p->n_blocks && !p->blocks) || (p->n_bylines && !p->bylines))
		return store_fail(s, STORE_EINVAL, "post: array missing");
	for (size_t i = 0; i < p->n_bylines; i++) {
		const struct model_byline *b = &p->bylines[i];

		if (!b->name || !b->name[0])
			return store_fail(s, STORE_EINVAL, "bylines[%zu]: a byline needs a name", i);
		if (!utf8_valid(b->name) || !utf8_valid(b->role))
			return store_fail(s, STORE_EINVAL, "bylines[%zu]: invalid UTF-8", i);
	}
	for (size_t i = 0; i < p->n_blocks; i++) {
		const struct model_block *b = &p->blocks[i];

		if ((unsigned)b->kind > MODEL_BLOCK_EMBED)
			return store_fail(s, STORE_EINVAL, "blocks[%zu]: unknown kind %d", i,
					  (int)b->kind);
		if ((b->kind == MODEL_BLOCK_PARAGRAPH || b->kind == MODEL_BLOCK_QUOTE) && !b->text)
			return store_fail(s, STORE_EINVAL, "blocks[%zu]: text missing", i);
		if (b->kind == MODEL_BLOCK_LIST && b->n_items && !b->items)
			return store_fail(s, STORE_EINVAL, "blocks[%zu]: items missing", i);
		if (!utf8_valid(b->text) || !utf8_valid(b->cite) ||
		    !utf8_valid(b->url) || !utf8_valid(b->alt) ||
		    !utf8_valid(b->credit) || !utf8_valid(b->caption))
			return store_fail(s, STORE_EINVAL, "blocks[%zu]: invalid UTF-8", i);
		for (size_t k = 0; b->kind == MODEL_BLOCK_LIST && k < b->n_items; k++) {
			if (!b->items[k].text)
				return store_fail(s, STORE_EINVAL, "blocks[%zu].items[%zu]: text missing",
						  i, k);
			if (!utf8_valid(b->items[k].text) || !utf8_valid(b->items[k].lead))
				return store_fail(s, STORE_EINVAL, "blocks[%zu].items[%zu]: invalid UTF-8",
						  i, k);
		}
	}
	return 0;
}

static int store_summary_check(struct store *s, const struct model_summary *sum)
{
	if (sum->n_points && !sum->points)
		return store_fail(s, STORE_EINVAL, "summary: points missing");
	for (size_t i = 0; i < sum->n_points; i++)
		if (!sum->points[i] || !utf8_valid(sum->points[i]))
			return store_fail(s, STORE_EINVAL, "summary.points[%zu]: missing or invalid UTF-8",
					  i);
	if ((unsigned)sum->media_kind > MODEL_MEDIA_IMAGE)
		return store_fail(s, STORE_EINVAL, "summary: unknown media kind %d",
				  (int)sum->media_kind);
	if (!utf8_valid(sum->media_url) || !utf8_valid(sum->media_alt) ||
	    !utf8_valid(sum->media_caption))
		return store_fail(s, STORE_EINVAL, "summary.media: invalid UTF-8");
	return 0;
}

/* A JSON document as text for a column; NULL (with a reason) on failure. */
static char *store_json_text(struct store *s, json_t *j, const char *what)
{
	char *text;

	if (!j) {
		store_fail(s, STORE_ERR, "%s: cannot encode as JSON", what);
		return NULL;
	}
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		abort(); /* json_dumps fails only for lack of memory here */
	return text;
}

/* ---- the change log ---------------------------------------------------- */

/* Appends the page's next change, bumping last_seq and updated_at. Called
 * inside the transaction of the change itself. */
static int store_log_change(struct store *s, int64_t page_id, enum store_change_kind kind,
			    int64_t post_id, int64_t *seq_out)
{
	int64_t now = (int64_t)time(NULL), seq = 0, id = 0;
	int first = !s->logged;
	struct store_stmt *st;
	int rc;

	s->logged = 1;
	if (post_id && (kind == STORE_CHANGE_UPDATE || kind == STORE_CHANGE_DELETE)) {
		st = store_stmt(s, STMT_CHANGE_FORGET);
		if (!st)
			return STORE_ERR;
		store_bind_int64(st, 1, page_id);
		store_bind_int64(st, 2, post_id);
		rc = store_step_done(s, st, "change log");
		if (rc != 0)
			return rc;
	}
	st = store_stmt(s, STMT_CHANGE_BUMP);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, now);
	rc = store_step_row(s, st, "change log", "no page %" PRId64, page_id);
	if (rc == 0)
		seq = store_col_int64(st, 0);
	store_reset(st);
	if (rc != 0)
		return rc;

	st = store_stmt(s, STMT_CHANGE_ADD);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, seq);
	store_bind_text(st, 3, store_change_kind_name(kind));
	store_bind_int64(st, 4, post_id);
	store_bind_int64(st, 5, now);
	rc = store_step_id(s, st, "change log", &id, NULL);
	if (rc == 0)
		rc = store_fail(s, STORE_ERR, "change log: no id returned");
	if (rc < 0)
		return STORE_ERR;
	if (first)
		s->log_from = id;
	s->log_to = id;
	if (seq_out)
		*seq_out = seq;
	return 0;
}

static int store_collect_changes(struct store *s, struct store_stmt *st,
				 struct store_change **out, size_t *n);

void store_set_event_renderer(struct store *s, store_event_fn fn, void *ctx)
{
	s->render_event = fn;
	s->render_ctx = ctx;
}

/* Renders and stores the events of the changes the open transaction logged,
 * just before it commits: after its last write, so each event shows what
 * readers will find once it is committed, as a worker rendering it after the
 * commit would have. A change whose render fails is stored without one (the
 * workers render it then); a failure to store one fails the transaction. */
static int store_events_render(struct store *s)
{
	struct store_change *ch = NULL;
	struct store_stmt *st;
	size_t n = 0;
	int rc;

	if (!s->logged || !s->render_event)
		return 0;
	st = store_stmt(s, STMT_CHANGES_UNRENDERED);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, s->log_from);
	rc = store_collect_changes(s, st, &ch, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *event = NULL, *text = NULL;

		if (s->render_event(s->render_ctx, s, &ch[i], &event, &text) == 0 && event) {
			st = store_stmt(s, STMT_CHANGE_EVENT);
			if (!st) {
				rc = STORE_ERR;
			} else {
				store_bind_int64(st, 1, ch[i].id);
				store_bind_text(st, 2, event);
				store_bind_text_or_null(st, 3, text);
				rc = store_step_done(s, st, "change event");
			}
		}
		free(event);
		free(text);
	}
	store_changes_free(ch, n);
	return rc;
}

/* A row of the change queries. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_change_cols[] = {
	STORE_COL(struct store_change, id, 0, INT64),
	STORE_COL(struct store_change, page_id, 1, INT64),
	STORE_COL(struct store_change, seq, 2, INT64),
	STORE_COL(struct store_change, post_id, 4, INT64),
	STORE_COL(struct store_change, at, 5, INT64),
	STORE_COL(struct store_change, event, 6, TEXT_OR_NULL),
	STORE_COL(struct store_change, text, 7, TEXT_OR_NULL),
};

/* The kind, stored by name (column 3). */
static int store_change_finish(struct store *s, struct store_stmt *st, void *record)
{
	struct store_change *c = record;
	int kind = store_change_kind_parse(store_col_text(st, 3));

	if (kind < 0)
		return store_fail(s, STORE_ERR, "change %" PRId64 ": unknown kind", c->id);
	c->kind = (enum store_change_kind)kind;
	return 0;
}

/* store_changes_free() frees what the map's text does: no cleanup. */
static const struct store_record store_change_record =
	STORE_RECORD(struct store_change, store_change_cols, store_change_finish, NULL);

void store_changes_free(struct store_change *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].event);
		free(c[i].text);
	}
	free(c);
}

/* Steps a bound change query to the end. */
static int store_collect_changes(struct store *s, struct store_stmt *st,
				 struct store_change **out, size_t *n)
{
	return store_rows(s, st, &store_change_record, "change log", out, n);
}

int store_changes_since(struct store *s, int64_t after_id, size_t max,
			struct store_change **out, size_t *n)
{
	struct store_stmt *st = store_stmt(s, STMT_CHANGES_SINCE);

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, after_id);
	store_bind_int64(st, 2, store_limit(max));
	return store_collect_changes(s, st, out, n);
}

int store_page_changes_since(struct store *s, int64_t page_id, int64_t after_seq,
			     size_t max, struct store_change **out, size_t *n)
{
	struct store_stmt *st = store_stmt(s, STMT_PAGE_CHANGES_SINCE);

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, after_seq);
	store_bind_int64(st, 3, store_limit(max));
	return store_collect_changes(s, st, out, n);
}

int store_last_change_id(struct store *s, int64_t *out)
{
	struct store_stmt *st = store_stmt(s, STMT_LAST_CHANGE);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = store_step_row(s, st, "last change", "last change: no row");
	if (rc == 0)
		*out = store_col_int64(st, 0);
	store_reset(st);
	return rc == 0 ? 0 : STORE_ERR;
}

int store_data_version(struct store *s, int64_t *out)
{
	return s->be->data_version(s, out);
}

/* ---- pages ------------------------------------------------------------- */

/* A row of STORE_PAGE_COLUMNS. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_page_cols[] = {
	STORE_COL(struct model_page, id, 0, INT64),
	STORE_COL(struct model_page, slug, 1, TEXT),
	STORE_COL(struct model_page, title, 2, TEXT),
	STORE_COL(struct model_page, description, 3, TEXT),
	STORE_COL(struct model_page, zone, 4, TEXT),
	STORE_COL(struct model_page, start_at, 6, INT64),
	STORE_COL(struct model_page, end_at, 7, INT64),
	STORE_COL(struct model_page, pinned_post_id, 9, INT64), /* NULL reads as 0: none */
	STORE_COL(struct model_page, last_seq, 10, INT64),
	STORE_COL(struct model_page, updated_at, 11, INT64),
	STORE_COL(struct model_page, n_posts, 12, SIZE),
	STORE_COL(struct model_page, published, 13, BOOL),
	STORE_COL(struct model_page, newest_post_at, 14, INT64),
};

/* The status (column 5), checked, and the summary's JSON (column 8). */
static int store_page_finish(struct store *s, struct store_stmt *st, void *record)
{
	struct model_page *p = record;
	const char *sum = store_col_text(st, 8);
	int status = store_col_int(st, 5);
	json_error_t jerr;
	json_t *j;
	char why[160];
	int rc;

	if (status < MODEL_STATUS_UPCOMING || status > MODEL_STATUS_ENDED)
		return store_fail(s, STORE_ERR, "page %" PRId64 ": bad status %d", p->id, status);
	p->status = (enum model_status)status;
	j = json_loads(sum ? sum : "", 0, &jerr);
	if (!j)
		return store_fail(s, STORE_ERR, "page %" PRId64 ": stored summary: %s", p->id,
				  jerr.text);
	rc = model_json_to_summary(j, &p->summary, why, sizeof(why));
	json_decref(j);
	if (rc != 0)
		return store_fail(s, STORE_ERR, "page %" PRId64 ": stored %s", p->id, why);
	return 0;
}

/* model_page_cleanup() for store_record. */
static void store_page_cleanup(void *record)
{
	model_page_cleanup(record);
}

static const struct store_record store_page_record =
	STORE_RECORD(struct model_page, store_page_cols, store_page_finish, store_page_cleanup);

/* One page by a bound by-slug or by-id statement; `what` names it. */
static int store_page_get_stmt(struct store *s, struct store_stmt *st, struct model_page *out,
			       const char *what)
{
	return store_record_get(s, st, &store_page_record, out, "page", "no page %s", what);
}

/* A page by slug through statement `id`: every page, or only the public ones. */
static int store_page_get_slug(struct store *s, int id, const char *slug, struct model_page *out)
{
	struct store_stmt *st = store_stmt(s, id);
	char what[100];

	if (!st)
		return STORE_ERR;
	store_bind_text(st, 1, slug);
	snprintf(what, sizeof(what), "\"%.80s\"", slug ? slug : "");
	return store_page_get_stmt(s, st, out, what);
}

int store_page_get(struct store *s, const char *slug, struct model_page *out)
{
	return store_page_get_slug(s, STMT_PAGE_BY_SLUG, slug, out);
}

int store_page_get_by_id(struct store *s, int64_t id, struct model_page *out)
{
	struct store_stmt *st = store_stmt(s, STMT_PAGE_BY_ID);
	char what[32];

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, id);
	snprintf(what, sizeof(what), "%" PRId64, id);
	return store_page_get_stmt(s, st, out, what);
}

int store_page_get_public(struct store *s, const char *slug, struct model_page *out)
{
	return store_page_get_slug(s, STMT_PAGE_PUBLIC_BY_SLUG, slug, out);
}

static int store_page_list_stmt(struct store *s, enum store_stmt_id id, struct model_page **out,
				size_t *n)
{
	struct store_stmt *st = store_stmt(s, id);

	if (!st)
		return STORE_ERR;
	return store_rows(s, st, &store_page_record, "page list", out, n);
}

int store_page_list(struct store *s, struct model_page **out, size_t *n)
{
	return store_page_list_stmt(s, STMT_PAGE_LIST, out, n);
}

int store_page_list_public(struct store *s, struct model_page **out, size_t *n)
{
	return store_page_list_stmt(s, STMT_PAGE_PUBLIC_LIST, out, n);
}

/* Title, description and zone: what store_page_create() and store_page_update()
 * both take. */
static int store_page_details_check(struct store *s, const struct model_page *p)
{
	if (!p->title || !p->title[0])
		return store_fail(s, STORE_EINVAL, "a page needs a title");
	if (!p->zone || !p->zone[0])
		return store_fail(s, STORE_EINVAL, "a page needs a time zone");
	if (!utf8_valid(p->title) || !utf8_valid(p->description) ||
	    !utf8_valid(p->zone))
		return store_fail(s, STORE_EINVAL, "page: invalid UTF-8");
	return 0;
}

static int store_page_check(struct store *s, const struct model_page *p)
{
	int rc;

	if (!model_slug_valid(p->slug))
		return store_fail(s, STORE_EINVAL,
				  "bad slug \"%.80s\": 1 to " MODEL_STR(MODEL_SLUG_MAX)
				  " of a-z, 0-9 and '-', not at either end",
				  p->slug ? p->slug : "");
	rc = store_page_details_check(s, p);
	if (rc != 0)
		return rc;
	if ((unsigned)p->status > MODEL_STATUS_ENDED)
		return store_fail(s, STORE_EINVAL, "bad status %d", (int)p->status);
	return store_summary_check(s, &p->summary);
}

/* Appends `item` to a comma-separated list of what changed ("title, body"). */
static void store_what_add(char *buf, size_t len, const char *item)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", item);
}

int store_page_create(struct store *s, int64_t actor, struct model_page *page)
{
	int64_t now = (int64_t)time(NULL), id = 0, seq = 0;
	char *summary = NULL;
	struct store_stmt *st;
	int rc;

	rc = store_page_check(s, page);
	if (rc != 0)
		return rc;
	summary = store_json_text(s, model_json_summary(&page->summary), "summary");
	if (!summary)
		return STORE_ERR;
	rc = store_write_enter(s);
	if (rc != 0)
		goto out;
	st = store_stmt(s, STMT_PAGE_INSERT);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_text(st, 1, page->slug);
	store_bind_text(st, 2, page->title);
	store_bind_text(st, 3, page->description);
	store_bind_text(st, 4, page->zone);
	store_bind_int64(st, 5, (int)page->status);
	store_bind_int64(st, 6, page->start_at);
	store_bind_int64(st, 7, page->end_at);
	store_bind_text(st, 8, summary);
	store_bind_int64(st, 9, now);
	store_bind_int64(st, 10, page->published ? 1 : 0);
	rc = store_step_id(s, st, "page create", &id, NULL);
	if (rc == STORE_DB_UNIQUE)
		rc = store_fail(s, STORE_EEXIST, "a page with slug \"%s\" exists", page->slug);
	else if (rc < 0)
		rc = STORE_ERR;
	else
		rc = 0;
	if (rc != 0)
		goto leave;
	rc = store_log_change(s, id, STORE_CHANGE_PAGE, 0, &seq);
	if (rc == 0)
		rc = store_audit_write(s, actor, "page.create", id, 0, page->slug);
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0) {
		page->id = id;
		page->last_seq = seq;
		page->updated_at = now;
		page->pinned_post_id = 0;
		page->n_posts = 0;
	}
out:
	free(summary);
	return rc;
}

int store_page_update(struct store *s, int64_t actor, const struct model_page *page)
{
	char what[64] = "";
	struct store_stmt *st;
	int rc;

	rc = store_page_details_check(s, page);
	if (rc != 0)
		return rc;
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_PAGE_DETAILS);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, page->id);
	rc = store_step_row(s, st, "page", "no page %" PRId64, page->id);
	if (rc == 0) {
		if (strcmp(store_col_text(st, 0), page->title) != 0)
			store_what_add(what, sizeof(what), "title");
		if (strcmp(store_col_text(st, 1),
			   page->description ? page->description : "") != 0)
			store_what_add(what, sizeof(what), "description");
		if (strcmp(store_col_text(st, 2), page->zone) != 0)
			store_what_add(what, sizeof(what), "zone");
		if (store_col_int64(st, 3) != page->start_at)
			store_what_add(what, sizeof(what), "start");
	}
	store_reset(st);
	if (rc != 0)
		goto leave;
	st = store_stmt(s, STMT_PAGE_UPDATE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, page->id);
	store_bind_text(st, 2, page->title);
	store_bind_text(st, 3, page->description);
	store_bind_text(st, 4, page->zone);
	store_bind_int64(st, 5, page->start_at);
	rc = store_step(st) == STORE_DB_DONE ? 0 : store_fail_db(s, "page update");
	store_reset(st);
	if (rc == 0)
		rc = store_log_change(s, page->id, STORE_CHANGE_PAGE, 0, NULL);
	if (rc == 0)
		rc = store_audit_write(s, actor, "page.update", page->id, 0,
				       what[0] ? what : "no change");
leave:
	return store_write_leave(s, rc);
}

/* Runs a bound one-page UPDATE and logs `kind` with it. */
static int store_page_change(struct store *s, struct store_stmt *st, int64_t page_id,
			     enum store_change_kind kind, int64_t post_id, const char *what)
{
	int64_t changed = 0;
	int rc = store_step_id(s, st, what, NULL, &changed);

	if (rc < 0)
		rc = STORE_ERR;
	else if (changed == 0)
		rc = STORE_ENOTFOUND;
	else
		rc = 0;
	if (rc == STORE_ENOTFOUND) {
		if (post_id)
			return store_fail(s, rc, "no post %" PRId64 " on page %" PRId64, post_id,
					  page_id);
		return store_fail(s, rc, "no page %" PRId64, page_id);
	}
	if (rc != 0)
		return rc;
	return store_log_change(s, page_id, kind, post_id, NULL);
}

int store_page_set_published(struct store *s, int64_t actor, int64_t page_id, int published,
			     int *changed)
{
	struct store_stmt *st;
	int rc, was = 0;

	published = published ? 1 : 0;
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	/* Read and write in one transaction: of two editors publishing at once,
	 * one changes the page and the other finds it done, and only one change
	 * is logged. */
	st = store_stmt(s, STMT_PAGE_PUBLISHED);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, page_id);
	rc = store_step_row(s, st, "page", "no page %" PRId64, page_id);
	if (rc == 0)
		was = store_col_int(st, 0) != 0;
	store_reset(st);
	if (rc != 0 || was == published)
		goto leave;
	st = store_stmt(s, STMT_PAGE_PUBLISH);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, published);
	rc = store_page_change(s, st, page_id,
			       published ? STORE_CHANGE_PUBLISH : STORE_CHANGE_UNPUBLISH, 0,
			       "page publish");
	if (rc == 0)
		rc = store_audit_write(s, actor, published ? "page.publish" : "page.unpublish",
				       page_id, 0, "");
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0 && changed)
		*changed = was != published;
	return rc;
}

int store_page_set_status(struct store *s, int64_t actor, int64_t page_id, enum model_status stat)
{
	struct store_stmt *st;
	int rc;

	if ((unsigned)stat > MODEL_STATUS_ENDED)
		return store_fail(s, STORE_EINVAL, "bad status %d", (int)stat);
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_PAGE_STATUS);
	if (!st) {
		rc = STORE_ERR;
	} else {
		store_bind_int64(st, 1, page_id);
		store_bind_int64(st, 2, (int)stat);
		store_bind_int64(st, 3, (int64_t)time(NULL));
		rc = store_page_change(s, st, page_id, STORE_CHANGE_STATUS, 0, "page status");
	}
	if (rc == 0)
		rc = store_audit_write(s, actor, "page.status", page_id, 0, model_status_name(stat));
	return store_write_leave(s, rc);
}

int store_page_set_summary(struct store *s, int64_t actor, int64_t page_id, const struct model_summary *sum)
{
	char *text = NULL, detail[40];
	struct store_stmt *st;
	int rc;

	rc = store_summary_check(s, sum);
	if (rc != 0)
		return rc;
	text = store_json_text(s, model_json_summary(sum), "summary");
	if (!text)
		return STORE_ERR;
	rc = store_write_enter(s);
	if (rc != 0)
		goto out;
	st = store_stmt(s, STMT_PAGE_SUMMARY);
	if (!st) {
		rc = STORE_ERR;
	} else {
		store_bind_int64(st, 1, page_id);
		store_bind_text(st, 2, text);
		rc = store_page_change(s, st, page_id, STORE_CHANGE_SUMMARY, 0, "page summary");
	}
	if (rc == 0) {
		snprintf(detail, sizeof(detail), "%zu key point%s", sum->n_points,
			 sum->n_points == 1 ? "" : "s");
		rc = store_audit_write(s, actor, "page.summary", page_id, 0, detail);
	}
	rc = store_write_leave(s, rc);
out:
	free(text);
	return rc;
}

/* The title of a post (caller frees), or NULL when there is no such post or
 * the read failed: it only names the post in the audit trail. */
static char *store_post_title(struct store *s, int64_t post_id)
{
	struct store_stmt *st = store_stmt(s, STMT_POST_TITLE);
	char *title = NULL;

	if (!st)
		return NULL;
	store_bind_int64(st, 1, post_id);
	if (store_step(st) == STORE_DB_ROW)
		title = store_col_str(st, 0);
	store_reset(st);
	return title;
}

int store_page_set_pin(struct store *s, int64_t actor, int64_t page_id, int64_t post_id)
{
	int64_t old = 0;
	char *title = NULL;
	struct store_stmt *st;
	int rc;

	if (post_id < 0)
		return store_fail(s, STORE_EINVAL, "bad post id %" PRId64, post_id);
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	/* The post that was pinned, so that an unpin names what it unpinned. */
	st = store_stmt(s, STMT_PAGE_PINNED);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, page_id);
	rc = store_step_row(s, st, "page pin", "no page %" PRId64, page_id);
	if (rc == 0)
		old = store_col_int64(st, 0);
	store_reset(st);
	if (rc != 0)
		goto leave;
	st = store_stmt(s, STMT_PAGE_PIN);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, page_id);
	if (post_id)
		store_bind_int64(st, 2, post_id);
	else
		store_bind_null(st, 2);
	rc = store_page_change(s, st, page_id, STORE_CHANGE_PIN, post_id, "page pin");
	if (rc == 0) {
		title = store_post_title(s, post_id ? post_id : old);
		rc = store_audit_write(s, actor, post_id ? "post.pin" : "post.unpin", page_id,
				       post_id ? post_id : old, title);
	}
leave:
	free(title);
	return store_write_leave(s, rc);
}

/* ---- posts ------------------------------------------------------------- */

int store_post_parse_json(struct store *s, struct model_post *p, const char *bylines,
			  const char *body, const char *what)
{
	json_error_t jerr;
	json_t *j;
	char why[160];
	int rc;

	j = json_loads(bylines ? bylines : "", 0, &jerr);
	if (!j)
		return store_fail(s, STORE_ERR, "%s: stored bylines: %s", what, jerr.text);
	rc = model_json_to_bylines(j, &p->bylines, &p->n_bylines, why, sizeof(why));
	json_decref(j);
	if (rc != 0)
		return store_fail(s, STORE_ERR, "%s: stored %s", what, why);
	j = json_loads(body ? body : "", 0, &jerr);
	if (!j)
		return store_fail(s, STORE_ERR, "%s: stored body: %s", what, jerr.text);
	rc = model_json_to_blocks(j, &p->blocks, &p->n_blocks, why, sizeof(why));
	json_decref(j);
	if (rc != 0)
		return store_fail(s, STORE_ERR, "%s: stored %s", what, why);
	return 0;
}

/* A row of STORE_POST_COLUMNS. A column map: the same shape as every map, on
 * purpose (see struct store_col). */
static const struct store_col store_post_cols[] = {
	STORE_COL(struct model_post, id, 0, INT64),
	STORE_COL(struct model_post, page_id, 1, INT64),
	STORE_COL(struct model_post, title, 2, TEXT),
	STORE_COL(struct model_post, published_at, 3, INT64),
	STORE_COL(struct model_post, updated_at, 4, INT64),
	STORE_COL(struct model_post, breaking, 5, BOOL),
	STORE_COL(struct model_post, key_event, 6, BOOL),
	STORE_COL(struct model_post, pinned, 9, BOOL),
	STORE_COL(struct model_post, version, 10, INT64),
	STORE_COL(struct model_post, correction, 11, TEXT_OR_NULL),
	STORE_COL(struct model_post, correction_at, 12, INT64),
};

/* The bylines' and the body's JSON (columns 7 and 8). */
static int store_post_finish(struct store *s, struct store_stmt *st, void *record)
{
	struct model_post *p = record;
	char what[40];

	snprintf(what, sizeof(what), "post %" PRId64, p->id);
	return store_post_parse_json(s, p, store_col_text(st, 7),
				     store_col_text(st, 8), what);
}

/* model_post_cleanup() for store_record. */
static void store_post_cleanup(void *record)
{
	model_post_cleanup(record);
}

static const struct store_record store_post_record =
	STORE_RECORD(struct model_post, store_post_cols, store_post_finish, store_post_cleanup);

int store_post_json(struct store *s, const struct model_post *p, char **bylines, char **body)
{
	*bylines = store_json_text(s, model_json_bylines(p->bylines, p->n_bylines), "bylines");
	if (!*bylines)
		return STORE_ERR;
	*body = store_json_text(s, model_json_blocks(p->blocks, p->n_blocks), "blocks");
	if (!*body) {
		free(*bylines);
		*bylines = NULL;
		return STORE_ERR;
	}
	return 0;
}

/* Appends a revision: the post as it is after this change. Inside a write. */
static int store_revision_add(struct store *s, int64_t post_id, int64_t page_id,
			      int64_t version, int64_t user, int64_t at, const char *what,
			      const char *correction, const struct store_post_row *row)
{
	struct store_stmt *st = store_stmt(s, STMT_REVISION_ADD);
	int rc;

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, post_id);
	store_bind_int64(st, 2, page_id);
	store_bind_int64(st, 3, version);
	store_bind_int64(st, 4, user);
	store_bind_int64(st, 5, at);
	store_bind_text(st, 6, what);
	store_bind_text_or_null(st, 7, correction);
	store_bind_text(st, 8, row->title);
	store_bind_int64(st, 9, row->published_at);
	store_bind_int64(st, 10, row->breaking != 0);
	store_bind_int64(st, 11, row->key_event != 0);
	store_bind_text(st, 12, row->bylines_json);
	store_bind_text(st, 13, row->body_json);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DB_DONE)
		return store_fail_db(s, "revision");
	return 0;
}

int store_post_insert_row(struct store *s, int64_t actor, int64_t page_id, const struct store_post_row *row,
			  int64_t author, const char *action, int64_t *id,
			  int64_t *published_at, int64_t *updated_at)
{
	int64_t now = (int64_t)time(NULL), post_id = 0;
	struct store_post_row stored = *row;
	struct store_stmt *st;
	char *search;
	int rc;

	if (!stored.published_at)
		stored.published_at = now;
	if (!stored.updated_at)
		stored.updated_at = stored.published_at;
	if (stored.correction && !stored.correction_at)
		stored.correction_at = now;
	if (!stored.correction)
		stored.correction_at = 0;
	/* What the post is found by, written with it (store_search.c). */
	search = store_search_text(s, stored.bylines_json, stored.body_json);
	if (!search)
		return STORE_ERR;
	st = store_stmt(s, STMT_POST_INSERT);
	if (!st) {
		free(search);
		return STORE_ERR;
	}
	store_bind_int64(st, 1, page_id);
	store_bind_text(st, 2, stored.title);
	store_bind_int64(st, 3, stored.published_at);
	store_bind_int64(st, 4, stored.updated_at);
	store_bind_int64(st, 5, stored.breaking != 0);
	store_bind_int64(st, 6, stored.key_event != 0);
	store_bind_text(st, 7, stored.bylines_json);
	store_bind_text(st, 8, stored.body_json);
	store_bind_text_or_null(st, 9, stored.correction);
	store_bind_int64(st, 10, stored.correction_at);
	store_bind_int64(st, 11, author);
	store_bind_text(st, 12, search);
	rc = store_step_id(s, st, "post insert", &post_id, NULL);
	free(search);
	if (rc == STORE_DB_FOREIGN_KEY)
		return store_fail(s, STORE_ENOTFOUND, "no page %" PRId64, page_id);
	if (rc < 0)
		return STORE_ERR;
	rc = store_revision_add(s, post_id, page_id, 1, author, now, "published",
				stored.correction, &stored);
	if (rc == 0)
		rc = store_log_change(s, page_id, STORE_CHANGE_POST, post_id, NULL);
	if (rc == 0)
		rc = store_audit_write(s, actor, action, page_id, post_id, stored.title);
	if (rc != 0)
		return rc;
	*id = post_id;
	if (published_at)
		*published_at = stored.published_at;
	if (updated_at)
		*updated_at = stored.updated_at;
	return 0;
}

int store_post_insert(struct store *s, int64_t actor, int64_t page_id, struct model_post *post)
{
	char *bylines = NULL, *body = NULL;
	int64_t published = 0, updated = 0, id = 0, now = (int64_t)time(NULL);
	struct store_post_row row;
	int rc;

	rc = store_post_check(s, post);
	if (rc != 0)
		return rc;
	if (!utf8_valid(post->correction))
		return store_fail(s, STORE_EINVAL, "post correction: invalid UTF-8");
	rc = store_post_json(s, post, &bylines, &body);
	if (rc != 0)
		return rc;
	row = (struct store_post_row){
		.title = post->title,
		.published_at = post->published_at,
		.updated_at = post->updated_at,
		.breaking = post->breaking,
		.key_event = post->key_event,
		.bylines_json = bylines,
		.body_json = body,
		.correction = post->correction,
		.correction_at = post->correction ? post->correction_at : 0,
	};
	rc = store_write_enter(s);
	if (rc != 0)
		goto out;
	rc = store_post_insert_row(s, actor, page_id, &row, actor, "post.publish", &id, &published,
				   &updated);
	rc = store_write_leave(s, rc);
	if (rc == 0) {
		post->id = id;
		post->page_id = page_id;
		post->published_at = published;
		post->updated_at = updated;
		post->pinned = 0;
		post->version = 1;
		if (post->correction && !post->correction_at)
			post->correction_at = now;
		if (!post->correction)
			post->correction_at = 0;
	}
out:
	free(bylines);
	free(body);
	return rc;
}

/* What an edit changed, comparing the stored row of STMT_POST_OLD with the new
 * post and its JSON, into buf ("title, body"; "no change" if nothing). */
static void store_edit_what(struct store_stmt *old, const struct model_post *post,
			    const char *bylines, const char *body,
			    const struct store_edit *edit, char *buf, size_t len)
{
	const char *text;

	buf[0] = '\0';
	text = store_col_text(old, 0);
	if (strcmp(text ? text : "", post->title) != 0)
		store_what_add(buf, len, "title");
	text = store_col_text(old, 5);
	if (strcmp(text ? text : "", body) != 0)
		store_what_add(buf, len, "body");
	text = store_col_text(old, 4);
	if (strcmp(text ? text : "", bylines) != 0)
		store_what_add(buf, len, "bylines");
	if ((store_col_int(old, 2) != 0) != (post->breaking != 0))
		store_what_add(buf, len, "breaking");
	if ((store_col_int(old, 3) != 0) != (post->key_event != 0))
		store_what_add(buf, len, "key event");
	if (post->published_at && post->published_at != store_col_int64(old, 1))
		store_what_add(buf, len, "time");
	if (edit->correction && edit->correction[0])
		store_what_add(buf, len, "correction");
	else if (edit->correction && !store_col_is_null(old, 7))
		store_what_add(buf, len, "correction removed");
	if (!buf[0])
		snprintf(buf, len, "no change");
}

int store_post_edit(struct store *s, int64_t actor, struct model_post *post, const struct store_edit *edit)
{
	static const struct store_edit no_check;
	char *bylines = NULL, *body = NULL, *note = NULL, *search = NULL, what[128];
	int64_t now = (int64_t)time(NULL), version = 0, note_at = 0;
	struct store_post_row row;
	struct store_stmt *st;
	int rc;

	if (!edit)
		edit = &no_check;
	rc = store_post_check(s, post);
	if (rc != 0)
		return rc;
	if (!utf8_valid(edit->correction) || !utf8_valid(edit->what))
		return store_fail(s, STORE_EINVAL, "edit: invalid UTF-8");
	rc = store_post_json(s, post, &bylines, &body);
	if (rc != 0)
		return rc;
	/* What the post is found by, written with it (store_search.c). */
	search = store_search_text(s, bylines, body);
	if (!search) {
		rc = STORE_ERR;
		goto out;
	}
	row = (struct store_post_row){
		.title = post->title,
		.breaking = post->breaking,
		.key_event = post->key_event,
		.bylines_json = bylines,
		.body_json = body,
	};
	rc = store_write_enter(s);
	if (rc != 0)
		goto out;
	/* Read the post under the write lock: nobody can change it between
	 * the version check and the update. */
	st = store_stmt(s, STMT_POST_OLD);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, post->page_id);
	store_bind_int64(st, 2, post->id);
	rc = store_step_row(s, st, "post",
			    "no post %" PRId64 " on page %" PRId64, post->id, post->page_id);
	if (rc == 0) {
		version = store_col_int64(st, 6);
		row.published_at = post->published_at ? post->published_at
						      : store_col_int64(st, 1);
		/* A note given replaces the note; "" removes it; NULL keeps it. */
		if (!edit->correction) {
			note = store_col_str_or_null(st, 7);
			note_at = note ? store_col_int64(st, 8) : 0;
		} else if (edit->correction[0]) {
			note = model_strdup(edit->correction);
			note_at = now;
		}
		store_edit_what(st, post, bylines, body, edit, what, sizeof(what));
	}
	store_reset(st);
	if (rc != 0)
		goto leave;
	if (edit->expected_version && version != edit->expected_version) {
		rc = store_fail(s, STORE_ECONFLICT,
				"post %" PRId64 " is at version %" PRId64 ", not %" PRId64,
				post->id, version, edit->expected_version);
		goto leave;
	}
	version++;
	if (edit->what)
		snprintf(what, sizeof(what), "%s", edit->what);
	st = store_stmt(s, STMT_POST_UPDATE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	store_bind_int64(st, 1, post->page_id);
	store_bind_int64(st, 2, post->id);
	store_bind_text(st, 3, row.title);
	store_bind_int64(st, 4, row.published_at);
	store_bind_int64(st, 5, now);
	store_bind_int64(st, 6, row.breaking != 0);
	store_bind_int64(st, 7, row.key_event != 0);
	store_bind_text(st, 8, bylines);
	store_bind_text(st, 9, body);
	store_bind_int64(st, 10, version);
	store_bind_text_or_null(st, 11, note);
	store_bind_int64(st, 12, note_at);
	store_bind_int64(st, 13, actor);
	store_bind_text(st, 14, search);
	rc = store_step(st) == STORE_DB_DONE ? 0 : store_fail_db(s, "post update");
	store_reset(st);
	if (rc == 0)
		rc = store_revision_add(s, post->id, post->page_id, version, actor, now, what,
					edit->correction && edit->correction[0] ? note : NULL,
					&row);
	if (rc == 0)
		rc = store_log_change(s, post->page_id, STORE_CHANGE_UPDATE, post->id, NULL);
	if (rc == 0)
		rc = store_audit_write(s, actor, "post.edit", post->page_id, post->id, what);
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0) {
		post->published_at = row.published_at;
		post->updated_at = now;
		post->version = version;
		free(post->correction);
		post->correction = note;
		post->correction_at = note_at;
		note = NULL;
	}
out:
	free(search);
	free(note);
	free(bylines);
	free(body);
	return rc;
}

int store_post_update(struct store *s, int64_t actor, struct model_post *post)
{
	return store_post_edit(s, actor, post, NULL);
}

int store_post_delete(struct store *s, int64_t actor, int64_t page_id, int64_t post_id)
{
	char *title = NULL;
	struct store_stmt *st;
	int rc, step;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_POST_DELETE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	/* The pin, if it was this post, is cleared by the foreign key in the
	 * same statement, and its revisions go with it; the "delete" entry tells
	 * readers the post is gone from wherever it was shown, pinned slot
	 * included. */
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, post_id);
	step = store_step(st);
	if (step == STORE_DB_ROW) {
		title = store_col_str(st, 0);
		/* RETURNING rows must be stepped out for the statement to finish. */
		while ((step = store_step(st)) == STORE_DB_ROW)
			;
	} else if (step == STORE_DB_DONE) {
		rc = store_fail(s, STORE_ENOTFOUND, "no post %" PRId64 " on page %" PRId64,
				post_id, page_id);
	}
	if (step != STORE_DB_DONE)
		rc = store_fail_db(s, "post delete");
	store_reset(st);
	if (rc == 0)
		rc = store_log_change(s, page_id, STORE_CHANGE_DELETE, post_id, NULL);
	if (rc == 0)
		rc = store_audit_write(s, actor, "post.delete", page_id, post_id, title);
leave:
	free(title);
	return store_write_leave(s, rc);
}

int store_post_get(struct store *s, int64_t page_id, int64_t post_id, struct model_post *out)
{
	struct store_stmt *st = store_stmt(s, STMT_POST_GET);

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, post_id);
	return store_record_get(s, st, &store_post_record, out, "post",
				"no post %" PRId64 " on page %" PRId64, post_id, page_id);
}

int store_page_exists(struct store *s, int64_t page_id)
{
	struct store_stmt *st = store_stmt(s, STMT_PAGE_EXISTS);
	int rc;

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	rc = store_step_row(s, st, "page", "no page %" PRId64, page_id);
	store_reset(st);
	return rc;
}

int store_post_range(struct store *s, int64_t page_id, size_t first, size_t limit,
		     struct model_post **out, size_t *n)
{
	struct model_post *list, tmp;
	size_t count;
	struct store_stmt *st;
	int rc;

	rc = store_page_exists(s, page_id);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_POST_RANGE);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, store_limit(first));
	store_bind_int64(st, 3, store_limit(limit));
	rc = store_rows(s, st, &store_post_record, "post range", &list, &count);
	if (rc != 0)
		return rc;
	/* Read oldest first so that OFFSET counts from the oldest post, as the
	 * index does; shown newest first. */
	for (size_t i = 0; i < count / 2; i++) {
		tmp = list[i];
		list[i] = list[count - 1 - i];
		list[count - 1 - i] = tmp;
	}
	*out = list;
	*n = count;
	return 0;
}

int store_post_newest(struct store *s, const struct model_page *page, size_t limit,
		      struct model_post **out, size_t *n)
{
	size_t first = page->n_posts > limit ? page->n_posts - limit : 0;

	return store_post_range(s, page->id, first, limit, out, n);
}

static const struct store_col store_key_event_cols[] = {
	STORE_COL(struct model_key_event, id, 0, INT64),
	STORE_COL(struct model_key_event, title, 1, TEXT),
	STORE_COL(struct model_key_event, published_at, 2, INT64),
	STORE_COL(struct model_key_event, index, 3, INT64),
};

static const struct store_record store_key_event_record =
	STORE_RECORD(struct model_key_event, store_key_event_cols, NULL, NULL);

int store_post_key_events(struct store *s, int64_t page_id, size_t limit,
			  struct model_key_event **out, size_t *n)
{
	struct store_stmt *st;
	int rc;

	rc = store_page_exists(s, page_id);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_POST_KEY_EVENTS);
	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, store_limit(limit));
	return store_rows(s, st, &store_key_event_record, "key events", out, n);
}

int store_post_index(struct store *s, int64_t page_id, int64_t post_id, size_t *index)
{
	struct store_stmt *st = store_stmt(s, STMT_POST_INDEX);
	int64_t v = 0;
	int rc;

	if (!st)
		return STORE_ERR;
	store_bind_int64(st, 1, page_id);
	store_bind_int64(st, 2, post_id);
	rc = store_step_row(s, st, "post index",
			    "no post %" PRId64 " on page %" PRId64, post_id, page_id);
	if (rc == 0)
		v = store_col_int64(st, 0);
	store_reset(st);
	if (rc == 0)
		*index = (size_t)v;
	return rc;
}
