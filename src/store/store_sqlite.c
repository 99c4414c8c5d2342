/*
 * The store on SQLite: one database file shared by every worker process and by
 * the command line, in WAL mode so that readers never wait for the writer, with
 * synchronous=FULL so that a committed change survives a power cut, and a busy
 * timeout so that concurrent writers queue instead of failing.
 *
 * Post bodies, bylines and page summaries are kept as JSON (model_json.c): they
 * are always read and written whole, and the JSON is the same document the API
 * speaks. Everything else is a column.
 *
 * Each mutating call runs in a transaction together with the change-log row it
 * appends (see store.h). Writers take the write lock up front (BEGIN IMMEDIATE),
 * so writers are serialised and change ids are handed out in commit order: a
 * worker that has read up to id N never later finds a smaller id committed.
 * Inside an outer transaction (store_begin) each call runs in a SAVEPOINT, so a
 * call that fails leaves the outer transaction as it was before that call.
 *
 * The schema is versioned with PRAGMA user_version and upgraded in place by an
 * ordered list of migrations. A migration, once released, never changes: a new
 * schema is a new entry at the end of the list.
 *
 * The newsroom's half (users, drafts, the scheduler, revisions, the audit
 * trail) is store_sqlite_newsroom.c, on the same connection; what the two
 * share is in store_sqlite_internal.h. Every mutating call here also writes
 * an audit entry naming the actor, and every post insert or edit a revision,
 * in the transaction of the change.
 */
#include "store/store_sqlite_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "model/model_json.h"
#include "util/log.h"

/* Migration i takes the schema from version i to version i + 1. */
static const char *const store_migrations[] = {
	/* 1: pages, posts and the change log. Ids are AUTOINCREMENT so that an
	 * id is never reused after a delete: post ids are in permalinks and in the
	 * change log, and must not come to name a different post. The pin
	 * references the post so that deleting the pinned post clears the pin in
	 * the same statement; NULL means "none". */
	"CREATE TABLE pages ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  zone TEXT NOT NULL,"
	"  status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),"
	"  start_at INTEGER NOT NULL DEFAULT 0,"
	"  end_at INTEGER NOT NULL DEFAULT 0,"
	"  summary_json TEXT NOT NULL DEFAULT '{\"points\":[],\"media\":null}',"
	"  pinned_post_id INTEGER REFERENCES posts(id) ON DELETE SET NULL,"
	"  last_seq INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE TABLE posts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  title TEXT NOT NULL,"
	"  published_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  breaking INTEGER NOT NULL DEFAULT 0,"
	"  key_event INTEGER NOT NULL DEFAULT 0,"
	"  bylines_json TEXT NOT NULL DEFAULT '[]',"
	"  body_json TEXT NOT NULL DEFAULT '[]'"
	");"
	/* post_id is not a reference: a "delete" entry names a post that is gone. */
	"CREATE TABLE changes ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  post_id INTEGER NOT NULL DEFAULT 0,"
	"  at INTEGER NOT NULL,"
	"  UNIQUE (page_id, seq)"
	");",

	/* 2: the read path's order. A page's posts are always read in
	 * (published_at, id) order, and counted; without this index each page
	 * view sorts the page's posts. The pin's foreign key also needs an index
	 * on pages.pinned_post_id, or every post delete scans the pages. */
	"CREATE INDEX posts_page_order ON posts (page_id, published_at, id);"
	"CREATE INDEX pages_pinned ON pages (pinned_post_id);",

	/* 3: the newsroom. People are referenced by id from revisions, drafts
	 * and the audit trail, with 0 for the command line or the system (so
	 * those columns are not foreign keys); users are disabled, never
	 * deleted, so an id always has a name. Secrets are kept only as what
	 * auth/ derived from them: an Argon2id string, a SHA-256 of a token.
	 * Posts gain a version (edits name the one they started from), the
	 * public correction note, and who last changed them. Posts published
	 * before this version get a revision 1 with their current content, so
	 * every post has a history to show and to compare against. */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  login TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  byline_name TEXT NOT NULL DEFAULT '',"
	"  byline_role TEXT NOT NULL DEFAULT '',"
	"  role INTEGER NOT NULL DEFAULT 0 CHECK (role IN (0, 1, 2)),"
	"  pw_hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX sessions_user ON sessions (user_id);"
	"CREATE INDEX sessions_expires ON sessions (expires_at);"
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  token_hash BLOB NOT NULL UNIQUE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  label TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX api_tokens_user ON api_tokens (user_id);"
	"CREATE TABLE signin_failures ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX signin_failures_key ON signin_failures (key, at);"
	"CREATE INDEX signin_failures_at ON signin_failures (at);"
	"CREATE TABLE drafts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  author_id INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1)),"
	"  publish_at INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  breaking INTEGER NOT NULL DEFAULT 0,"
	"  key_event INTEGER NOT NULL DEFAULT 0,"
	"  bylines_json TEXT NOT NULL DEFAULT '[]',"
	"  body_json TEXT NOT NULL DEFAULT '[]'"
	");"
	"CREATE INDEX drafts_page ON drafts (page_id);"
	/* The scheduler's question: what is due, and when is the next one. */
	"CREATE INDEX drafts_schedule ON drafts (state, publish_at);"
	"CREATE TABLE revisions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
	"  page_id INTEGER NOT NULL,"
	"  version INTEGER NOT NULL,"
	"  user_id INTEGER NOT NULL DEFAULT 0,"
	"  at INTEGER NOT NULL,"
	"  what TEXT NOT NULL,"
	"  correction TEXT,"
	"  title TEXT NOT NULL,"
	"  published_at INTEGER NOT NULL,"
	"  breaking INTEGER NOT NULL DEFAULT 0,"
	"  key_event INTEGER NOT NULL DEFAULT 0,"
	"  bylines_json TEXT NOT NULL DEFAULT '[]',"
	"  body_json TEXT NOT NULL DEFAULT '[]',"
	"  UNIQUE (post_id, version)"
	");"
	"CREATE TABLE media ("
	"  name TEXT PRIMARY KEY,"
	"  format TEXT NOT NULL,"
	"  width INTEGER NOT NULL,"
	"  height INTEGER NOT NULL,"
	"  widths TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  user_id INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	");"
	/* page_id and post_id are not references: the trail outlives what it
	 * names (a deleted post's entries stay). */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  at INTEGER NOT NULL,"
	"  user_id INTEGER NOT NULL DEFAULT 0,"
	"  action TEXT NOT NULL,"
	"  page_id INTEGER NOT NULL DEFAULT 0,"
	"  post_id INTEGER NOT NULL DEFAULT 0,"
	"  detail TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX audit_page ON audit (page_id, id);"
	"ALTER TABLE posts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE posts ADD COLUMN correction TEXT;"
	"ALTER TABLE posts ADD COLUMN correction_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE posts ADD COLUMN updated_by INTEGER NOT NULL DEFAULT 0;"
	"INSERT INTO revisions (post_id, page_id, version, user_id, at, what, title,"
	"  published_at, breaking, key_event, bylines_json, body_json)"
	"  SELECT id, page_id, 1, 0, updated_at,"
	"  CASE WHEN updated_at = published_at THEN 'published'"
	"  ELSE 'published, edited before history was kept' END,"
	"  title, published_at, breaking, key_event, bylines_json, body_json FROM posts;",

	/* 4: each change's event, rendered once at its commit (store_event_fn):
	 * what a stream's readers get, so that no worker renders it again. NULL
	 * for changes from before, or whose post was edited or deleted since. */
	"ALTER TABLE changes ADD COLUMN event TEXT;"
	"ALTER TABLE changes ADD COLUMN text TEXT;",

	/* 5: a page is public (published) or seen only in the newsroom, apart
	 * from its coverage status. Pages from before were all public, and stay
	 * so. The readers' index asks for the published pages only. */
	"ALTER TABLE pages ADD COLUMN published INTEGER NOT NULL DEFAULT 1"
	"  CHECK (published IN (0, 1));",
};

#define STORE_SCHEMA_VERSION ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

#define STORE_PAGE_COLUMNS \
	"id, slug, title, description, zone, status, start_at, end_at, summary_json," \
	" pinned_post_id, last_seq, updated_at," \
	" (SELECT count(*) FROM posts WHERE posts.page_id = pages.id), published"

#define STORE_POST_COLUMNS \
	"p.id, p.page_id, p.title, p.published_at, p.updated_at, p.breaking," \
	" p.key_event, p.bylines_json, p.body_json, pg.pinned_post_id IS p.id," \
	" p.version, p.correction, p.correction_at"

#define STORE_CHANGE_COLUMNS "id, page_id, seq, kind, post_id, at, event, text"

static const char *const store_sql[STMT_COUNT] = {
	[STMT_CHANGE_BUMP] =
		"UPDATE pages SET last_seq = last_seq + 1, updated_at = ?2"
		" WHERE id = ?1 RETURNING last_seq",
	[STMT_CHANGE_ADD] =
		"INSERT INTO changes (page_id, seq, kind, post_id, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_PAGE_INSERT] =
		"INSERT INTO pages (slug, title, description, zone, status, start_at,"
		" end_at, summary_json, created_at, updated_at, published)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
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
		" start_at = CASE WHEN ?2 = 1 AND NOT (start_at > 0 AND start_at <= ?3)"
		" THEN ?3 ELSE start_at END,"
		" end_at = CASE ?2 WHEN 1 THEN 0"
		" WHEN 2 THEN CASE WHEN status = 2 AND end_at > 0 THEN end_at ELSE ?3 END"
		" ELSE end_at END"
		" WHERE id = ?1",
	[STMT_PAGE_SUMMARY] = "UPDATE pages SET summary_json = ?2 WHERE id = ?1",
	[STMT_PAGE_PIN] =
		"UPDATE pages SET pinned_post_id = ?2 WHERE id = ?1 AND (?2 IS NULL OR"
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
		" updated_by)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11)",
	[STMT_POST_OLD] =
		"SELECT title, published_at, breaking, key_event, bylines_json, body_json,"
		" version, correction, correction_at FROM posts WHERE id = ?2 AND page_id = ?1",
	[STMT_POST_UPDATE] =
		"UPDATE posts SET title = ?3, published_at = ?4, updated_at = ?5, breaking = ?6,"
		" key_event = ?7, bylines_json = ?8, body_json = ?9, version = ?10,"
		" correction = ?11, correction_at = ?12, updated_by = ?13"
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
	[STMT_DATA_VERSION] = "PRAGMA data_version",
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

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

int store_fail_db(struct store *s, const char *what)
{
	return store_fail(s, STORE_ERR, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* store_step_row() with the reason's arguments as a va_list. */
static int store_step_row_v(struct store *s, sqlite3_stmt *st, const char *what, const char *fmt,
			    va_list ap)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return store_fail_db(s, what);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	return STORE_ENOTFOUND;
}

int store_step_row(struct store *s, sqlite3_stmt *st, const char *what, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = store_step_row_v(s, st, what, fmt, ap);
	va_end(ap);
	return rc;
}

/* Runs constant SQL (transaction control, pragmas): never data. */
static int store_exec(struct store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail_db(s, sql);
	return 0;
}

/* Transaction control on an error path: the reason already recorded for the
 * caller must survive, so failures here go to the log only. */
static void store_exec_quiet(struct store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("store: %s: %s", sql, sqlite3_errmsg(s->db));
}

sqlite3_stmt *store_stmt_cached(struct store *s, sqlite3_stmt **slot, const char *sql)
{
	sqlite3_stmt *st = *slot;

	if (!st) {
		if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) !=
		    SQLITE_OK) {
			store_fail_db(s, "prepare");
			return NULL;
		}
		return *slot;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static sqlite3_stmt *store_stmt(struct store *s, enum store_stmt id)
{
	return store_stmt_cached(s, &s->stmt[id], store_sql[id]);
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail_db(s, what);
}

int store_prepare(struct store *s)
{
	for (int i = 0; i < STMT_COUNT; i++)
		if (!store_stmt(s, (enum store_stmt)i))
			return STORE_ERR;
	return store_newsroom_prepare(s);
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

void store_bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

char *store_col_str(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	return model_strdup(v ? v : "");
}

char *store_col_str_or_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
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

int store_record_read(struct store *s, sqlite3_stmt *st, const struct store_record *r,
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
			*(int64_t *)f = sqlite3_column_int64(st, c->col);
			break;
		case STORE_COL_INT:
			*(int *)f = sqlite3_column_int(st, c->col);
			break;
		case STORE_COL_BOOL:
			*(int *)f = sqlite3_column_int(st, c->col) != 0;
			break;
		case STORE_COL_SIZE:
			*(size_t *)f = (size_t)sqlite3_column_int64(st, c->col);
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

int store_record_get(struct store *s, sqlite3_stmt *st, const struct store_record *r, void *out,
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
	sqlite3_reset(st);
	if (rc == 0)
		memcpy(out, record, r->size);
	free(record);
	return rc;
}

int store_rows(struct store *s, sqlite3_stmt *st, const struct store_record *r, const char *what,
	       void *out, size_t *n)
{
	unsigned char *list = NULL, *grown;
	size_t count = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
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
	if (rc != SQLITE_DONE) {
		store_fail_db(s, what);
		goto fail;
	}
	sqlite3_reset(st);
	/* Copied rather than stored through a (void **) cast, which would break
	 * C's aliasing rules: this asks only that a T * looks like a void * in
	 * memory, as it does on every platform we build for. */
	memcpy(out, &list, sizeof(list));
	*n = count;
	return 0;
fail:
	sqlite3_reset(st);
	for (size_t i = 0; i < count; i++)
		store_record_cleanup(r, list + i * r->size);
	free(list);
	return STORE_ERR;
}

/* ---- opening and migrating --------------------------------------------- */

static int store_user_version(struct store *s, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_fail_db(s, "PRAGMA user_version");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_fail_db(s, "PRAGMA user_version");
		sqlite3_finalize(st);
		return STORE_ERR;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Applies the missing migrations, each in its own transaction with the version
 * bump, so that a crash midway leaves a database at some released version. The
 * version is read again under the write lock: two processes opening a fresh
 * file at once must not both run migration 1. */
static int store_migrate(struct store *s)
{
	char sql[64];
	int version;

	/* The common case, a current schema, takes no write lock: a worker must
	 * be able to start while a long import holds it. */
	if (store_user_version(s, &version) != 0)
		return STORE_ERR;
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	for (;;) {
		if (store_exec(s, "BEGIN IMMEDIATE") != 0)
			return STORE_ERR;
		if (store_user_version(s, &version) != 0)
			goto fail;
		if (version > STORE_SCHEMA_VERSION) {
			store_fail(s, STORE_ERR,
				   "database schema version %d is newer than this program's (%d):"
				   " upgrade liveline", version, STORE_SCHEMA_VERSION);
			goto fail;
		}
		if (version < 0) {
			store_fail(s, STORE_ERR, "database schema version %d is invalid", version);
			goto fail;
		}
		if (version == STORE_SCHEMA_VERSION)
			break;
		if (sqlite3_exec(s->db, store_migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
			store_fail(s, STORE_ERR, "schema migration %d: %s", version + 1,
				   sqlite3_errmsg(s->db));
			goto fail;
		}
		/* PRAGMA takes no parameters; the number is ours, not data. */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (store_exec(s, sql) != 0 || store_exec(s, "COMMIT") != 0)
			goto fail;
		log_info("store: schema upgraded to version %d", version + 1);
	}
	return store_exec(s, "COMMIT");
fail:
	store_exec_quiet(s, "ROLLBACK");
	return STORE_ERR;
}

static int store_setup(struct store *s)
{
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc = STORE_ERR;

	sqlite3_extended_result_codes(s->db, 1);
	/* The timeout first: switching to WAL needs a lock another process may hold. */
	if (store_exec(s, "PRAGMA busy_timeout = 5000") != 0)
		return STORE_ERR;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_fail_db(s, "PRAGMA journal_mode");
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal") != 0)
		log_warnx("store: journal mode is %s, not wal: readers will wait for writers",
			  mode ? mode : "unknown");
	sqlite3_finalize(st);
	st = NULL;
	if (store_exec(s, "PRAGMA foreign_keys = ON") != 0 ||
	    store_exec(s, "PRAGMA synchronous = FULL") != 0)
		goto fail;
	/* A SQLite built without foreign keys accepts the pragma silently; the pin
	 * and the cascades depend on it, so check. */
	if (sqlite3_prepare_v2(s->db, "PRAGMA foreign_keys", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 1) {
		store_fail(s, STORE_ERR, "this SQLite does not enforce foreign keys");
		goto fail;
	}
	rc = store_migrate(s);
fail:
	sqlite3_finalize(st);
	return rc;
}

/* `create`: make the file when it is missing (store_open), or refuse
 * (store_open_existing). DB-notify is made only once the database is open, so
 * a refused path leaves nothing behind. */
static struct store *store_open_mode(const char *path, int create, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	char notify[4096];
	struct stat sb;

	if (!s)
		abort();
	s->notify_fd = -1;
	if (!create && path && strcmp(path, ":memory:") != 0 && stat(path, &sb) < 0 &&
	    errno == ENOENT) {
		if (err && errlen)
			snprintf(err, errlen, "no database at %s", path);
		free(s);
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		store_fail(s, STORE_ERR, "%s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	if (store_notify_path(path, notify, sizeof(notify)) == 0)
		s->notify_fd = open(notify, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (store_setup(s) != 0)
		goto fail;
	return s;
fail:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path ? path : "(null)", s->errmsg);
	sqlite3_close(s->db);
	if (s->notify_fd >= 0)
		close(s->notify_fd);
	free(s);
	return NULL;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	return store_open_mode(path, 1, err, errlen);
}

struct store *store_open_existing(const char *path, char *err, size_t errlen)
{
	return store_open_mode(path, 0, err, errlen);
}

int store_check_file(struct store *s)
{
	int moved = 0;

	/* SQLite's unix VFS compares the inode at the path with the one it holds
	 * open (one stat()); an in-memory database answers "not found": unmoved. */
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK ||
	    !moved)
		return 0;
	return store_fail(s, STORE_EMOVED,
			  "the database file %s was deleted or replaced while open: writes "
			  "are refused (restart on the right file)",
			  sqlite3_db_filename(s->db, "main"));
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (int i = 0; i < STMT_NEWSROOM_COUNT; i++)
		sqlite3_finalize(s->newsroom_stmt[i]);
	/* Closing with an open transaction rolls it back: uncommitted is unsaid. */
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(s->db));
	if (s->notify_fd >= 0)
		close(s->notify_fd);
	free(s);
}

/* ---- transactions ------------------------------------------------------ */

static int store_events_render(struct store *s);

/* After a commit that added to the change log: touch DB-notify, so that every
 * process watching it (inotify) reads the log now. The commit is visible to
 * readers by then, which a watch on the write-ahead log could not promise: its
 * writes happen before the commit is published. */
static void store_notify(struct store *s)
{
	if (s->logged)
		s->own_logged++;
	if (s->logged && s->notify_fd >= 0 && futimens(s->notify_fd, NULL) < 0)
		log_warn("store: cannot touch the change notification file");
	s->logged = 0;
}

int store_notify_path(const char *db_path, char *out, size_t len)
{
	if (!db_path || !*db_path || strcmp(db_path, ":memory:") == 0 ||
	    snprintf(out, len, "%s-notify", db_path) >= (int)len)
		return -1;
	return 0;
}

int store_begin(struct store *s)
{
	if (s->outer)
		return store_fail(s, STORE_EINVAL, "a transaction is already open");
	if (store_exec(s, "BEGIN IMMEDIATE") != 0)
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
	if (sqlite3_get_autocommit(s->db))
		return store_fail(s, STORE_ERR, "the transaction was rolled back by an error");
	if ((rc = store_check_file(s)) != 0 || (rc = store_events_render(s)) != 0 ||
	    (rc = store_exec(s, "COMMIT")) != 0) {
		store_exec_quiet(s, "ROLLBACK");
		s->logged = 0;
		return rc;
	}
	store_notify(s);
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
	if (!sqlite3_get_autocommit(s->db))
		store_exec_quiet(s, "ROLLBACK");
}

int store_write_enter(struct store *s)
{
	return store_exec(s, s->outer ? "SAVEPOINT store_call" : "BEGIN IMMEDIATE");
}

int store_write_leave(struct store *s, int rc)
{
	if (s->outer) {
		if (rc == 0)
			return store_exec(s, "RELEASE store_call");
		if (!sqlite3_get_autocommit(s->db)) {
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
		rc = store_events_render(s);
	if (rc == 0) {
		if (store_exec(s, "COMMIT") == 0) {
			store_notify(s);
			return store_check_file(s);
		}
		rc = STORE_ERR;
	}
	s->logged = 0;
	if (!sqlite3_get_autocommit(s->db))
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
	int64_t now = (int64_t)time(NULL), seq = 0;
	int first = !s->logged;
	sqlite3_stmt *st;
	int rc;

	s->logged = 1;
	if (post_id && (kind == STORE_CHANGE_UPDATE || kind == STORE_CHANGE_DELETE)) {
		st = store_stmt(s, STMT_CHANGE_FORGET);
		if (!st)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, page_id);
		sqlite3_bind_int64(st, 2, post_id);
		rc = store_step_done(s, st, "change log");
		if (rc != 0)
			return rc;
	}
	st = store_stmt(s, STMT_CHANGE_BUMP);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, now);
	rc = store_step_row(s, st, "change log", "no page %" PRId64, page_id);
	if (rc == 0)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != 0)
		return rc;

	st = store_stmt(s, STMT_CHANGE_ADD);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, store_change_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, post_id);
	sqlite3_bind_int64(st, 5, now);
	rc = store_step_done(s, st, "change log");
	if (rc != 0)
		return rc;
	if (first)
		s->log_from = sqlite3_last_insert_rowid(s->db);
	if (seq_out)
		*seq_out = seq;
	return 0;
}

static int store_collect_changes(struct store *s, sqlite3_stmt *st,
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
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	if (!s->logged || !s->render_event)
		return 0;
	st = store_stmt(s, STMT_CHANGES_UNRENDERED);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, s->log_from);
	rc = store_collect_changes(s, st, &ch, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *event = NULL, *text = NULL;

		if (s->render_event(s->render_ctx, s, &ch[i], &event, &text) == 0 && event) {
			st = store_stmt(s, STMT_CHANGE_EVENT);
			if (!st) {
				rc = STORE_ERR;
			} else {
				sqlite3_bind_int64(st, 1, ch[i].id);
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
static int store_change_finish(struct store *s, sqlite3_stmt *st, void *record)
{
	struct store_change *c = record;
	int kind = store_change_kind_parse((const char *)sqlite3_column_text(st, 3));

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
static int store_collect_changes(struct store *s, sqlite3_stmt *st,
				 struct store_change **out, size_t *n)
{
	return store_rows(s, st, &store_change_record, "change log", out, n);
}

int store_changes_since(struct store *s, int64_t after_id, size_t max,
			struct store_change **out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, STMT_CHANGES_SINCE);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int64(st, 2, store_limit(max));
	return store_collect_changes(s, st, out, n);
}

int store_page_changes_since(struct store *s, int64_t page_id, int64_t after_seq,
			     size_t max, struct store_change **out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, STMT_PAGE_CHANGES_SINCE);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, after_seq);
	sqlite3_bind_int64(st, 3, store_limit(max));
	return store_collect_changes(s, st, out, n);
}

/* Both one-number queries share this. */
static int store_query_int(struct store *s, enum store_stmt id, int64_t *out)
{
	sqlite3_stmt *st = store_stmt(s, id);
	int rc;

	if (!st)
		return STORE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		store_fail_db(s, store_sql[id]);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : STORE_ERR;
}

int store_last_change_id(struct store *s, int64_t *out)
{
	return store_query_int(s, STMT_LAST_CHANGE, out);
}

int store_data_version(struct store *s, int64_t *out)
{
	int64_t v;
	int rc = store_query_int(s, STMT_DATA_VERSION, &v);

	/* SQLite's data_version moves only for other connections' commits; a
	 * worker's own newsroom writes must wake it too. */
	if (rc == 0)
		*out = v + (s->own_logged << 32);
	return rc;
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
};

/* The status (column 5), checked, and the summary's JSON (column 8). */
static int store_page_finish(struct store *s, sqlite3_stmt *st, void *record)
{
	struct model_page *p = record;
	const char *sum = (const char *)sqlite3_column_text(st, 8);
	int status = sqlite3_column_int(st, 5);
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
static int store_page_get_stmt(struct store *s, sqlite3_stmt *st, struct model_page *out,
			       const char *what)
{
	return store_record_get(s, st, &store_page_record, out, "page", "no page %s", what);
}

/* A page by slug through statement `id`: every page, or only the public ones. */
static int store_page_get_slug(struct store *s, int id, const char *slug, struct model_page *out)
{
	sqlite3_stmt *st = store_stmt(s, id);
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
	sqlite3_stmt *st = store_stmt(s, STMT_PAGE_BY_ID);
	char what[32];

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	snprintf(what, sizeof(what), "%" PRId64, id);
	return store_page_get_stmt(s, st, out, what);
}

int store_page_get_public(struct store *s, const char *slug, struct model_page *out)
{
	return store_page_get_slug(s, STMT_PAGE_PUBLIC_BY_SLUG, slug, out);
}

static int store_page_list_stmt(struct store *s, enum store_stmt id, struct model_page **out,
				size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, id);

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
	sqlite3_stmt *st;
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
	sqlite3_bind_int(st, 5, (int)page->status);
	sqlite3_bind_int64(st, 6, page->start_at);
	sqlite3_bind_int64(st, 7, page->end_at);
	store_bind_text(st, 8, summary);
	sqlite3_bind_int64(st, 9, now);
	sqlite3_bind_int(st, 10, page->published ? 1 : 0);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
			rc = store_fail(s, STORE_EEXIST, "a page with slug \"%s\" exists",
					page->slug);
		else
			rc = store_fail_db(s, "page create");
		sqlite3_reset(st);
		goto leave;
	}
	sqlite3_reset(st);
	id = sqlite3_last_insert_rowid(s->db);
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
	sqlite3_stmt *st;
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
	sqlite3_bind_int64(st, 1, page->id);
	rc = store_step_row(s, st, "page", "no page %" PRId64, page->id);
	if (rc == 0) {
		if (strcmp((const char *)sqlite3_column_text(st, 0), page->title) != 0)
			store_what_add(what, sizeof(what), "title");
		if (strcmp((const char *)sqlite3_column_text(st, 1),
			   page->description ? page->description : "") != 0)
			store_what_add(what, sizeof(what), "description");
		if (strcmp((const char *)sqlite3_column_text(st, 2), page->zone) != 0)
			store_what_add(what, sizeof(what), "zone");
		if (sqlite3_column_int64(st, 3) != page->start_at)
			store_what_add(what, sizeof(what), "start");
	}
	sqlite3_reset(st);
	if (rc != 0)
		goto leave;
	st = store_stmt(s, STMT_PAGE_UPDATE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	sqlite3_bind_int64(st, 1, page->id);
	store_bind_text(st, 2, page->title);
	store_bind_text(st, 3, page->description);
	store_bind_text(st, 4, page->zone);
	sqlite3_bind_int64(st, 5, page->start_at);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_fail_db(s, "page update");
	sqlite3_reset(st);
	if (rc == 0)
		rc = store_log_change(s, page->id, STORE_CHANGE_PAGE, 0, NULL);
	if (rc == 0)
		rc = store_audit_write(s, actor, "page.update", page->id, 0,
				       what[0] ? what : "no change");
leave:
	return store_write_leave(s, rc);
}

/* Runs a bound one-page UPDATE and logs `kind` with it. */
static int store_page_change(struct store *s, sqlite3_stmt *st, int64_t page_id,
			     enum store_change_kind kind, int64_t post_id, const char *what)
{
	int rc = 0;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_fail_db(s, what);
	else if (sqlite3_changes(s->db) == 0)
		rc = STORE_ENOTFOUND;
	sqlite3_reset(st);
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
	sqlite3_stmt *st;
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
	sqlite3_bind_int64(st, 1, page_id);
	rc = store_step_row(s, st, "page", "no page %" PRId64, page_id);
	if (rc == 0)
		was = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc != 0 || was == published)
		goto leave;
	st = store_stmt(s, STMT_PAGE_PUBLISH);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int(st, 2, published);
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
	sqlite3_stmt *st;
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
		sqlite3_bind_int64(st, 1, page_id);
		sqlite3_bind_int(st, 2, (int)stat);
		sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
		rc = store_page_change(s, st, page_id, STORE_CHANGE_STATUS, 0, "page status");
	}
	if (rc == 0)
		rc = store_audit_write(s, actor, "page.status", page_id, 0, model_status_name(stat));
	return store_write_leave(s, rc);
}

int store_page_set_summary(struct store *s, int64_t actor, int64_t page_id, const struct model_summary *sum)
{
	char *text = NULL, detail[40];
	sqlite3_stmt *st;
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
		sqlite3_bind_int64(st, 1, page_id);
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
	sqlite3_stmt *st = store_stmt(s, STMT_POST_TITLE);
	char *title = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, post_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		title = store_col_str(st, 0);
	sqlite3_reset(st);
	return title;
}

int store_page_set_pin(struct store *s, int64_t actor, int64_t page_id, int64_t post_id)
{
	int64_t old = 0;
	char *title = NULL;
	sqlite3_stmt *st;
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
	sqlite3_bind_int64(st, 1, page_id);
	rc = store_step_row(s, st, "page pin", "no page %" PRId64, page_id);
	if (rc == 0)
		old = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != 0)
		goto leave;
	st = store_stmt(s, STMT_PAGE_PIN);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	sqlite3_bind_int64(st, 1, page_id);
	if (post_id)
		sqlite3_bind_int64(st, 2, post_id);
	else
		sqlite3_bind_null(st, 2);
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
static int store_post_finish(struct store *s, sqlite3_stmt *st, void *record)
{
	struct model_post *p = record;
	char what[40];

	snprintf(what, sizeof(what), "post %" PRId64, p->id);
	return store_post_parse_json(s, p, (const char *)sqlite3_column_text(st, 7),
				     (const char *)sqlite3_column_text(st, 8), what);
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
	sqlite3_stmt *st = store_stmt(s, STMT_REVISION_ADD);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, post_id);
	sqlite3_bind_int64(st, 2, page_id);
	sqlite3_bind_int64(st, 3, version);
	sqlite3_bind_int64(st, 4, user);
	sqlite3_bind_int64(st, 5, at);
	store_bind_text(st, 6, what);
	store_bind_text_or_null(st, 7, correction);
	store_bind_text(st, 8, row->title);
	sqlite3_bind_int64(st, 9, row->published_at);
	sqlite3_bind_int(st, 10, row->breaking != 0);
	sqlite3_bind_int(st, 11, row->key_event != 0);
	store_bind_text(st, 12, row->bylines_json);
	store_bind_text(st, 13, row->body_json);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail_db(s, "revision");
	return 0;
}

int store_post_insert_row(struct store *s, int64_t actor, int64_t page_id, const struct store_post_row *row,
			  int64_t author, const char *action, int64_t *id,
			  int64_t *published_at, int64_t *updated_at)
{
	int64_t now = (int64_t)time(NULL), post_id;
	struct store_post_row stored = *row;
	sqlite3_stmt *st;
	int rc;

	if (!stored.published_at)
		stored.published_at = now;
	if (!stored.updated_at)
		stored.updated_at = stored.published_at;
	if (stored.correction && !stored.correction_at)
		stored.correction_at = now;
	if (!stored.correction)
		stored.correction_at = 0;
	st = store_stmt(s, STMT_POST_INSERT);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	store_bind_text(st, 2, stored.title);
	sqlite3_bind_int64(st, 3, stored.published_at);
	sqlite3_bind_int64(st, 4, stored.updated_at);
	sqlite3_bind_int(st, 5, stored.breaking != 0);
	sqlite3_bind_int(st, 6, stored.key_event != 0);
	store_bind_text(st, 7, stored.bylines_json);
	store_bind_text(st, 8, stored.body_json);
	store_bind_text_or_null(st, 9, stored.correction);
	sqlite3_bind_int64(st, 10, stored.correction_at);
	sqlite3_bind_int64(st, 11, author);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			rc = store_fail(s, STORE_ENOTFOUND, "no page %" PRId64, page_id);
		else
			rc = store_fail_db(s, "post insert");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	post_id = sqlite3_last_insert_rowid(s->db);
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
static void store_edit_what(sqlite3_stmt *old, const struct model_post *post,
			    const char *bylines, const char *body,
			    const struct store_edit *edit, char *buf, size_t len)
{
	const char *text;

	buf[0] = '\0';
	text = (const char *)sqlite3_column_text(old, 0);
	if (strcmp(text ? text : "", post->title) != 0)
		store_what_add(buf, len, "title");
	text = (const char *)sqlite3_column_text(old, 5);
	if (strcmp(text ? text : "", body) != 0)
		store_what_add(buf, len, "body");
	text = (const char *)sqlite3_column_text(old, 4);
	if (strcmp(text ? text : "", bylines) != 0)
		store_what_add(buf, len, "bylines");
	if ((sqlite3_column_int(old, 2) != 0) != (post->breaking != 0))
		store_what_add(buf, len, "breaking");
	if ((sqlite3_column_int(old, 3) != 0) != (post->key_event != 0))
		store_what_add(buf, len, "key event");
	if (post->published_at && post->published_at != sqlite3_column_int64(old, 1))
		store_what_add(buf, len, "time");
	if (edit->correction && edit->correction[0])
		store_what_add(buf, len, "correction");
	else if (edit->correction && sqlite3_column_type(old, 7) != SQLITE_NULL)
		store_what_add(buf, len, "correction removed");
	if (!buf[0])
		snprintf(buf, len, "no change");
}

int store_post_edit(struct store *s, int64_t actor, struct model_post *post, const struct store_edit *edit)
{
	static const struct store_edit no_check;
	char *bylines = NULL, *body = NULL, *note = NULL, what[128];
	int64_t now = (int64_t)time(NULL), version = 0, note_at = 0;
	struct store_post_row row;
	sqlite3_stmt *st;
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
	sqlite3_bind_int64(st, 1, post->page_id);
	sqlite3_bind_int64(st, 2, post->id);
	rc = store_step_row(s, st, "post",
			    "no post %" PRId64 " on page %" PRId64, post->id, post->page_id);
	if (rc == 0) {
		version = sqlite3_column_int64(st, 6);
		row.published_at = post->published_at ? post->published_at
						      : sqlite3_column_int64(st, 1);
		/* A note given replaces the note; "" removes it; NULL keeps it. */
		if (!edit->correction) {
			note = store_col_str_or_null(st, 7);
			note_at = note ? sqlite3_column_int64(st, 8) : 0;
		} else if (edit->correction[0]) {
			note = model_strdup(edit->correction);
			note_at = now;
		}
		store_edit_what(st, post, bylines, body, edit, what, sizeof(what));
	}
	sqlite3_reset(st);
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
	sqlite3_bind_int64(st, 1, post->page_id);
	sqlite3_bind_int64(st, 2, post->id);
	store_bind_text(st, 3, row.title);
	sqlite3_bind_int64(st, 4, row.published_at);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int(st, 6, row.breaking != 0);
	sqlite3_bind_int(st, 7, row.key_event != 0);
	store_bind_text(st, 8, bylines);
	store_bind_text(st, 9, body);
	sqlite3_bind_int64(st, 10, version);
	store_bind_text_or_null(st, 11, note);
	sqlite3_bind_int64(st, 12, note_at);
	sqlite3_bind_int64(st, 13, actor);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_fail_db(s, "post update");
	sqlite3_reset(st);
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
	sqlite3_stmt *st;
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
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, post_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		title = store_col_str(st, 0);
		/* RETURNING rows must be stepped out for the statement to finish. */
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			;
	} else if (step == SQLITE_DONE) {
		rc = store_fail(s, STORE_ENOTFOUND, "no post %" PRId64 " on page %" PRId64,
				post_id, page_id);
	}
	if (step != SQLITE_DONE)
		rc = store_fail_db(s, "post delete");
	sqlite3_reset(st);
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
	sqlite3_stmt *st = store_stmt(s, STMT_POST_GET);

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, post_id);
	return store_record_get(s, st, &store_post_record, out, "post",
				"no post %" PRId64 " on page %" PRId64, post_id, page_id);
}

int store_page_exists(struct store *s, int64_t page_id)
{
	sqlite3_stmt *st = store_stmt(s, STMT_PAGE_EXISTS);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	rc = store_step_row(s, st, "page", "no page %" PRId64, page_id);
	sqlite3_reset(st);
	return rc;
}

int store_post_range(struct store *s, int64_t page_id, size_t first, size_t limit,
		     struct model_post **out, size_t *n)
{
	struct model_post *list, tmp;
	size_t count;
	sqlite3_stmt *st;
	int rc;

	rc = store_page_exists(s, page_id);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_POST_RANGE);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, store_limit(first));
	sqlite3_bind_int64(st, 3, store_limit(limit));
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

int store_post_index(struct store *s, int64_t page_id, int64_t post_id, size_t *index)
{
	sqlite3_stmt *st = store_stmt(s, STMT_POST_INDEX);
	int64_t v = 0;
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, post_id);
	rc = store_step_row(s, st, "post index",
			    "no post %" PRId64 " on page %" PRId64, post_id, page_id);
	if (rc == 0)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == 0)
		*index = (size_t)v;
	return rc;
}
