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
 */
#include "store/store.h"

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
};

#define STORE_SCHEMA_VERSION ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* Prepared statements, cached for the life of the connection: the same few
 * statements run on every change and every worker wake-up. */
enum store_stmt {
	STMT_CHANGE_BUMP,
	STMT_CHANGE_ADD,
	STMT_PAGE_INSERT,
	STMT_PAGE_BY_SLUG,
	STMT_PAGE_BY_ID,
	STMT_PAGE_LIST,
	STMT_PAGE_STATUS,
	STMT_PAGE_SUMMARY,
	STMT_PAGE_PIN,
	STMT_PAGE_EXISTS,
	STMT_POST_INSERT,
	STMT_POST_UPDATE,
	STMT_POST_DELETE,
	STMT_POST_GET,
	STMT_POST_RANGE,
	STMT_POST_INDEX,
	STMT_CHANGES_SINCE,
	STMT_PAGE_CHANGES_SINCE,
	STMT_LAST_CHANGE,
	STMT_DATA_VERSION,
	STMT_COUNT
};

#define STORE_PAGE_COLUMNS \
	"id, slug, title, description, zone, status, start_at, end_at, summary_json," \
	" pinned_post_id, last_seq, updated_at," \
	" (SELECT count(*) FROM posts WHERE posts.page_id = pages.id)"

#define STORE_POST_COLUMNS \
	"p.id, p.page_id, p.title, p.published_at, p.updated_at, p.breaking," \
	" p.key_event, p.bylines_json, p.body_json, pg.pinned_post_id IS p.id"

#define STORE_CHANGE_COLUMNS "id, page_id, seq, kind, post_id, at"

static const char *const store_sql[STMT_COUNT] = {
	[STMT_CHANGE_BUMP] =
		"UPDATE pages SET last_seq = last_seq + 1, updated_at = ?2"
		" WHERE id = ?1 RETURNING last_seq",
	[STMT_CHANGE_ADD] =
		"INSERT INTO changes (page_id, seq, kind, post_id, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_PAGE_INSERT] =
		"INSERT INTO pages (slug, title, description, zone, status, start_at,"
		" end_at, summary_json, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
	[STMT_PAGE_BY_SLUG] = "SELECT " STORE_PAGE_COLUMNS " FROM pages WHERE slug = ?1",
	[STMT_PAGE_BY_ID] = "SELECT " STORE_PAGE_COLUMNS " FROM pages WHERE id = ?1",
	[STMT_PAGE_LIST] =
		"SELECT " STORE_PAGE_COLUMNS " FROM pages"
		" ORDER BY CASE status WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE 2 END,"
		" updated_at DESC, id DESC",
	[STMT_PAGE_STATUS] = "UPDATE pages SET status = ?2 WHERE id = ?1",
	[STMT_PAGE_SUMMARY] = "UPDATE pages SET summary_json = ?2 WHERE id = ?1",
	[STMT_PAGE_PIN] =
		"UPDATE pages SET pinned_post_id = ?2 WHERE id = ?1 AND (?2 IS NULL OR"
		" EXISTS (SELECT 1 FROM posts WHERE id = ?2 AND page_id = ?1))",
	[STMT_PAGE_EXISTS] = "SELECT 1 FROM pages WHERE id = ?1",
	[STMT_POST_INSERT] =
		"INSERT INTO posts (page_id, title, published_at, updated_at, breaking,"
		" key_event, bylines_json, body_json)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* published_at 0 keeps the stored time: an edit does not move a post. */
	[STMT_POST_UPDATE] =
		"UPDATE posts SET title = ?3,"
		" published_at = CASE WHEN ?4 = 0 THEN published_at ELSE ?4 END,"
		" updated_at = ?5, breaking = ?6, key_event = ?7, bylines_json = ?8,"
		" body_json = ?9 WHERE id = ?2 AND page_id = ?1 RETURNING published_at",
	[STMT_POST_DELETE] = "DELETE FROM posts WHERE id = ?2 AND page_id = ?1",
	[STMT_POST_GET] =
		"SELECT " STORE_POST_COLUMNS " FROM posts p JOIN pages pg ON pg.id = p.page_id"
		" WHERE p.page_id = ?1 AND p.id = ?2",
	[STMT_POST_RANGE] =
		"SELECT " STORE_POST_COLUMNS " FROM posts p JOIN pages pg ON pg.id = p.page_id"
		" WHERE p.page_id = ?1 ORDER BY p.published_at, p.id LIMIT ?3 OFFSET ?2",
	[STMT_POST_INDEX] =
		"SELECT (SELECT count(*) FROM posts q WHERE q.page_id = p.page_id AND"
		" (q.published_at, q.id) < (p.published_at, p.id))"
		" FROM posts p WHERE p.page_id = ?1 AND p.id = ?2",
	[STMT_CHANGES_SINCE] =
		"SELECT " STORE_CHANGE_COLUMNS " FROM changes WHERE id > ?1"
		" ORDER BY id LIMIT ?2",
	[STMT_PAGE_CHANGES_SINCE] =
		"SELECT " STORE_CHANGE_COLUMNS " FROM changes WHERE page_id = ?1 AND seq > ?2"
		" ORDER BY seq LIMIT ?3",
	[STMT_LAST_CHANGE] = "SELECT coalesce(max(id), 0) FROM changes",
	[STMT_DATA_VERSION] = "PRAGMA data_version",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	int outer;        /* 1 between store_begin() and store_commit()/rollback() */
	int logged;       /* the open transaction added to the change log */
	int notify_fd;    /* DB-notify, touched after such a commit; -1 if none */
	char errmsg[256];
};

static const char *const store_change_names[] = {
	"page", "post", "update", "delete", "pin", "summary", "status",
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

static int store_fail(struct store *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records a reason and returns rc, so that error paths read `return store_fail(...)`. */
static int store_fail(struct store *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
	va_end(ap);
	return rc;
}

/* The database failed: SQLite's own message is the reason. */
static int store_fail_db(struct store *s, const char *what)
{
	return store_fail(s, STORE_ERR, "%s: %s", what, sqlite3_errmsg(s->db));
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

/* The cached statement, reset and unbound. Callers sqlite3_reset() it when done
 * (success or not): a statement left mid-step holds a read snapshot open, which
 * would hide other writers' commits and stall WAL checkpoints. */
static sqlite3_stmt *store_stmt(struct store *s, enum store_stmt id)
{
	sqlite3_stmt *st = s->stmt[id];

	if (!st) {
		if (sqlite3_prepare_v3(s->db, store_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->stmt[id], NULL) != SQLITE_OK) {
			store_fail_db(s, "prepare");
			return NULL;
		}
		return s->stmt[id];
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Binding helpers: a failed bind (out of memory, or a string too large for
 * SQLite) turns up as the statement's error on step. */
static void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
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

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof(*s));
	char notify[4096];

	if (!s)
		abort();
	s->notify_fd = -1;
	if (store_notify_path(path, notify, sizeof(notify)) == 0)
		s->notify_fd = open(notify, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		store_fail(s, STORE_ERR, "%s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
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

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	/* Closing with an open transaction rolls it back: uncommitted is unsaid. */
	if (sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(s->db));
	if (s->notify_fd >= 0)
		close(s->notify_fd);
	free(s);
}

/* ---- transactions ------------------------------------------------------ */

/* After a commit that added to the change log: touch DB-notify, so that every
 * process watching it (inotify) reads the log now. The commit is visible to
 * readers by then, which a watch on the write-ahead log could not promise: its
 * writes happen before the commit is published. */
static void store_notify(struct store *s)
{
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
	if (!s->outer)
		return store_fail(s, STORE_EINVAL, "no transaction is open");
	s->outer = 0;
	/* SQLite rolls the whole transaction back itself after some errors (disk
	 * full, I/O): committing then would report success for nothing. */
	if (sqlite3_get_autocommit(s->db))
		return store_fail(s, STORE_ERR, "the transaction was rolled back by an error");
	if (store_exec(s, "COMMIT") != 0) {
		store_exec_quiet(s, "ROLLBACK");
		s->logged = 0;
		return STORE_ERR;
	}
	store_notify(s);
	return 0;
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

/* Every mutating call is bracketed by write_enter() and write_leave(rc). */
static int store_write_enter(struct store *s)
{
	return store_exec(s, s->outer ? "SAVEPOINT store_call" : "BEGIN IMMEDIATE");
}

static int store_write_leave(struct store *s, int rc)
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
	if (rc == 0) {
		if (store_exec(s, "COMMIT") == 0) {
			store_notify(s);
			return 0;
		}
		rc = STORE_ERR;
	}
	s->logged = 0;
	if (!sqlite3_get_autocommit(s->db))
		store_exec_quiet(s, "ROLLBACK");
	return rc;
}

/* ---- validation -------------------------------------------------------- */

/* Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF),
 * the rule jansson applies: text that it would refuse must be refused here,
 * before it is stored, not when a page is rendered. */
static int store_utf8_valid(const char *str)
{
	const unsigned char *p = (const unsigned char *)(str ? str : "");

	while (*p) {
		unsigned c = *p, cp;
		int n;

		if (c < 0x80) {
			p++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0; /* also stops at the terminating NUL */
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/* Fields of a post that must be present, readable and of a known kind. */
static int store_post_check(struct store *s, const struct model_post *p)
{
	if (!p->title || !p->title[0])
		return store_fail(s, STORE_EINVAL, "a post needs a title");
	if (!store_utf8_valid(p->title))
		return store_fail(s, STORE_EINVAL, "post title: invalid UTF-8");
	if ((p->n_blocks && !p->blocks) || (p->n_bylines && !p->bylines))
		return store_fail(s, STORE_EINVAL, "post: array missing");
	for (size_t i = 0; i < p->n_bylines; i++) {
		const struct model_byline *b = &p->bylines[i];

		if (!b->name || !b->name[0])
			return store_fail(s, STORE_EINVAL, "bylines[%zu]: a byline needs a name", i);
		if (!store_utf8_valid(b->name) || !store_utf8_valid(b->role))
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
		if (!store_utf8_valid(b->text) || !store_utf8_valid(b->cite) ||
		    !store_utf8_valid(b->url) || !store_utf8_valid(b->alt) ||
		    !store_utf8_valid(b->credit) || !store_utf8_valid(b->caption))
			return store_fail(s, STORE_EINVAL, "blocks[%zu]: invalid UTF-8", i);
		for (size_t k = 0; b->kind == MODEL_BLOCK_LIST && k < b->n_items; k++) {
			if (!b->items[k].text)
				return store_fail(s, STORE_EINVAL, "blocks[%zu].items[%zu]: text missing",
						  i, k);
			if (!store_utf8_valid(b->items[k].text) || !store_utf8_valid(b->items[k].lead))
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
		if (!sum->points[i] || !store_utf8_valid(sum->points[i]))
			return store_fail(s, STORE_EINVAL, "summary.points[%zu]: missing or invalid UTF-8",
					  i);
	if ((unsigned)sum->media_kind > MODEL_MEDIA_IMAGE)
		return store_fail(s, STORE_EINVAL, "summary: unknown media kind %d",
				  (int)sum->media_kind);
	if (!store_utf8_valid(sum->media_url) || !store_utf8_valid(sum->media_alt) ||
	    !store_utf8_valid(sum->media_caption))
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
	int64_t now = (int64_t)time(NULL), seq;
	sqlite3_stmt *st;
	int rc;

	s->logged = 1;
	st = store_stmt(s, STMT_CHANGE_BUMP);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			store_fail(s, STORE_ENOTFOUND, "no page %" PRId64, page_id);
		else
			store_fail_db(s, "change log");
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? STORE_ENOTFOUND : STORE_ERR;
	}
	seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	st = store_stmt(s, STMT_CHANGE_ADD);
	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_text(st, 3, store_change_kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, post_id);
	sqlite3_bind_int64(st, 5, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail_db(s, "change log");
	if (seq_out)
		*seq_out = seq;
	return 0;
}

static int store_read_change(struct store *s, sqlite3_stmt *st, struct store_change *c)
{
	int kind = store_change_kind_parse((const char *)sqlite3_column_text(st, 3));

	c->id = sqlite3_column_int64(st, 0);
	c->page_id = sqlite3_column_int64(st, 1);
	c->seq = sqlite3_column_int64(st, 2);
	if (kind < 0)
		return store_fail(s, STORE_ERR, "change %" PRId64 ": unknown kind", c->id);
	c->kind = (enum store_change_kind)kind;
	c->post_id = sqlite3_column_int64(st, 4);
	c->at = sqlite3_column_int64(st, 5);
	return 0;
}

/* Steps a bound change query to the end, growing the array as it goes: `max`
 * may be large, and most reads return a handful of entries. */
static int store_collect_changes(struct store *s, sqlite3_stmt *st,
				 struct store_change **out, size_t *n)
{
	struct store_change *list = NULL, *grown;
	size_t count = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				abort();
			list = grown;
		}
		if (store_read_change(s, st, &list[count]) != 0)
			goto fail;
		count++;
	}
	if (rc != SQLITE_DONE) {
		store_fail_db(s, "change log");
		goto fail;
	}
	sqlite3_reset(st);
	*out = list;
	*n = count;
	return 0;
fail:
	sqlite3_reset(st);
	free(list);
	return STORE_ERR;
}

/* size_t limits as SQLite's signed LIMIT, where "more than fits" is all. */
static int64_t store_limit(size_t v)
{
	return v > (size_t)INT64_MAX ? INT64_MAX : (int64_t)v;
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
	return store_query_int(s, STMT_DATA_VERSION, out);
}

/* ---- pages ------------------------------------------------------------- */

static char *store_col_str(sqlite3_stmt *st, int i)
{
	const char *v = (const char *)sqlite3_column_text(st, i);

	return model_strdup(v ? v : "");
}

/* Fills a page from a row of STORE_PAGE_COLUMNS. On failure the page is
 * cleaned up. */
static int store_read_page(struct store *s, sqlite3_stmt *st, struct model_page *p)
{
	const char *sum = (const char *)sqlite3_column_text(st, 8);
	json_error_t jerr;
	json_t *j = NULL;
	char why[160];
	int status;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->slug = store_col_str(st, 1);
	p->title = store_col_str(st, 2);
	p->description = store_col_str(st, 3);
	p->zone = store_col_str(st, 4);
	status = sqlite3_column_int(st, 5);
	if (status < MODEL_STATUS_UPCOMING || status > MODEL_STATUS_ENDED) {
		store_fail(s, STORE_ERR, "page %" PRId64 ": bad status %d", p->id, status);
		goto fail;
	}
	p->status = (enum model_status)status;
	p->start_at = sqlite3_column_int64(st, 6);
	p->end_at = sqlite3_column_int64(st, 7);
	p->pinned_post_id = sqlite3_column_int64(st, 9); /* NULL reads as 0: none */
	p->last_seq = sqlite3_column_int64(st, 10);
	p->updated_at = sqlite3_column_int64(st, 11);
	p->n_posts = (size_t)sqlite3_column_int64(st, 12);
	j = json_loads(sum ? sum : "", 0, &jerr);
	if (!j) {
		store_fail(s, STORE_ERR, "page %" PRId64 ": stored summary: %s", p->id, jerr.text);
		goto fail;
	}
	if (model_json_to_summary(j, &p->summary, why, sizeof(why)) != 0) {
		store_fail(s, STORE_ERR, "page %" PRId64 ": stored %s", p->id, why);
		goto fail;
	}
	json_decref(j);
	return 0;
fail:
	json_decref(j);
	model_page_cleanup(p);
	return STORE_ERR;
}

static int store_page_get_stmt(struct store *s, sqlite3_stmt *st, struct model_page *out,
			       const char *what)
{
	struct model_page p;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return store_fail(s, STORE_ENOTFOUND, "no page %s", what);
	}
	if (rc != SQLITE_ROW) {
		store_fail_db(s, "page");
		sqlite3_reset(st);
		return STORE_ERR;
	}
	rc = store_read_page(s, st, &p);
	sqlite3_reset(st);
	if (rc != 0)
		return rc;
	*out = p;
	return 0;
}

int store_page_get(struct store *s, const char *slug, struct model_page *out)
{
	sqlite3_stmt *st = store_stmt(s, STMT_PAGE_BY_SLUG);
	char what[100];

	if (!st)
		return STORE_ERR;
	store_bind_text(st, 1, slug);
	snprintf(what, sizeof(what), "\"%.80s\"", slug ? slug : "");
	return store_page_get_stmt(s, st, out, what);
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

int store_page_list(struct store *s, struct model_page **out, size_t *n)
{
	struct model_page *list = NULL, *grown;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st = store_stmt(s, STMT_PAGE_LIST);
	int rc;

	if (!st)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				abort();
			list = grown;
		}
		if (store_read_page(s, st, &list[count]) != 0)
			goto fail;
		count++;
	}
	if (rc != SQLITE_DONE) {
		store_fail_db(s, "page list");
		goto fail;
	}
	sqlite3_reset(st);
	*out = list;
	*n = count;
	return 0;
fail:
	sqlite3_reset(st);
	model_pages_free(list, count);
	return STORE_ERR;
}

static int store_page_check(struct store *s, const struct model_page *p)
{
	if (!model_slug_valid(p->slug))
		return store_fail(s, STORE_EINVAL,
				  "bad slug \"%.80s\": 1 to 80 of a-z, 0-9 and '-', not at either end",
				  p->slug ? p->slug : "");
	if (!p->title || !p->title[0])
		return store_fail(s, STORE_EINVAL, "a page needs a title");
	if (!p->zone || !p->zone[0])
		return store_fail(s, STORE_EINVAL, "a page needs a time zone");
	if ((unsigned)p->status > MODEL_STATUS_ENDED)
		return store_fail(s, STORE_EINVAL, "bad status %d", (int)p->status);
	if (!store_utf8_valid(p->title) || !store_utf8_valid(p->description) ||
	    !store_utf8_valid(p->zone))
		return store_fail(s, STORE_EINVAL, "page: invalid UTF-8");
	return store_summary_check(s, &p->summary);
}

int store_page_create(struct store *s, struct model_page *page)
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

/* Runs a bound one-page UPDATE and logs `kind` with it. */
static int store_page_update(struct store *s, sqlite3_stmt *st, int64_t page_id,
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

int store_page_set_status(struct store *s, int64_t page_id, enum model_status stat)
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
		rc = store_page_update(s, st, page_id, STORE_CHANGE_STATUS, 0, "page status");
	}
	return store_write_leave(s, rc);
}

int store_page_set_summary(struct store *s, int64_t page_id, const struct model_summary *sum)
{
	char *text = NULL;
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
		rc = store_page_update(s, st, page_id, STORE_CHANGE_SUMMARY, 0, "page summary");
	}
	rc = store_write_leave(s, rc);
out:
	free(text);
	return rc;
}

int store_page_set_pin(struct store *s, int64_t page_id, int64_t post_id)
{
	sqlite3_stmt *st;
	int rc;

	if (post_id < 0)
		return store_fail(s, STORE_EINVAL, "bad post id %" PRId64, post_id);
	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_PAGE_PIN);
	if (!st) {
		rc = STORE_ERR;
	} else {
		sqlite3_bind_int64(st, 1, page_id);
		if (post_id)
			sqlite3_bind_int64(st, 2, post_id);
		else
			sqlite3_bind_null(st, 2);
		rc = store_page_update(s, st, page_id, STORE_CHANGE_PIN, post_id, "page pin");
	}
	return store_write_leave(s, rc);
}

/* ---- posts ------------------------------------------------------------- */

/* Fills a post from a row of STORE_POST_COLUMNS. On failure the post is
 * cleaned up. */
static int store_read_post(struct store *s, sqlite3_stmt *st, struct model_post *p)
{
	const char *bylines = (const char *)sqlite3_column_text(st, 7);
	const char *body = (const char *)sqlite3_column_text(st, 8);
	json_error_t jerr;
	json_t *j = NULL;
	char why[160];

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->page_id = sqlite3_column_int64(st, 1);
	p->title = store_col_str(st, 2);
	p->published_at = sqlite3_column_int64(st, 3);
	p->updated_at = sqlite3_column_int64(st, 4);
	p->breaking = sqlite3_column_int(st, 5) != 0;
	p->key_event = sqlite3_column_int(st, 6) != 0;
	p->pinned = sqlite3_column_int(st, 9) != 0;

	j = json_loads(bylines ? bylines : "", 0, &jerr);
	if (!j) {
		store_fail(s, STORE_ERR, "post %" PRId64 ": stored bylines: %s", p->id, jerr.text);
		goto fail;
	}
	if (model_json_to_bylines(j, &p->bylines, &p->n_bylines, why, sizeof(why)) != 0) {
		store_fail(s, STORE_ERR, "post %" PRId64 ": stored %s", p->id, why);
		goto fail;
	}
	json_decref(j);
	j = json_loads(body ? body : "", 0, &jerr);
	if (!j) {
		store_fail(s, STORE_ERR, "post %" PRId64 ": stored body: %s", p->id, jerr.text);
		goto fail;
	}
	if (model_json_to_blocks(j, &p->blocks, &p->n_blocks, why, sizeof(why)) != 0) {
		store_fail(s, STORE_ERR, "post %" PRId64 ": stored %s", p->id, why);
		goto fail;
	}
	json_decref(j);
	return 0;
fail:
	json_decref(j);
	model_post_cleanup(p);
	return STORE_ERR;
}

/* The post's bylines and body as JSON text; 0, or an error with a reason. */
static int store_post_json(struct store *s, const struct model_post *p, char **bylines,
			   char **body)
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

int store_post_insert(struct store *s, int64_t page_id, struct model_post *post)
{
	char *bylines = NULL, *body = NULL;
	int64_t published, updated, id = 0;
	sqlite3_stmt *st;
	int rc;

	rc = store_post_check(s, post);
	if (rc != 0)
		return rc;
	rc = store_post_json(s, post, &bylines, &body);
	if (rc != 0)
		return rc;
	published = post->published_at ? post->published_at : (int64_t)time(NULL);
	updated = post->updated_at ? post->updated_at : published;
	rc = store_write_enter(s);
	if (rc != 0)
		goto out;
	st = store_stmt(s, STMT_POST_INSERT);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	sqlite3_bind_int64(st, 1, page_id);
	store_bind_text(st, 2, post->title);
	sqlite3_bind_int64(st, 3, published);
	sqlite3_bind_int64(st, 4, updated);
	sqlite3_bind_int(st, 5, post->breaking != 0);
	sqlite3_bind_int(st, 6, post->key_event != 0);
	store_bind_text(st, 7, bylines);
	store_bind_text(st, 8, body);
	if (sqlite3_step(st) != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			rc = store_fail(s, STORE_ENOTFOUND, "no page %" PRId64, page_id);
		else
			rc = store_fail_db(s, "post insert");
		sqlite3_reset(st);
		goto leave;
	}
	sqlite3_reset(st);
	id = sqlite3_last_insert_rowid(s->db);
	rc = store_log_change(s, page_id, STORE_CHANGE_POST, id, NULL);
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0) {
		post->id = id;
		post->page_id = page_id;
		post->published_at = published;
		post->updated_at = updated;
		post->pinned = 0;
	}
out:
	free(bylines);
	free(body);
	return rc;
}

int store_post_update(struct store *s, struct model_post *post)
{
	char *bylines = NULL, *body = NULL;
	int64_t now = (int64_t)time(NULL), published = 0;
	sqlite3_stmt *st;
	int rc, step;

	rc = store_post_check(s, post);
	if (rc != 0)
		return rc;
	rc = store_post_json(s, post, &bylines, &body);
	if (rc != 0)
		return rc;
	rc = store_write_enter(s);
	if (rc != 0)
		goto out;
	st = store_stmt(s, STMT_POST_UPDATE);
	if (!st) {
		rc = STORE_ERR;
		goto leave;
	}
	sqlite3_bind_int64(st, 1, post->page_id);
	sqlite3_bind_int64(st, 2, post->id);
	store_bind_text(st, 3, post->title);
	sqlite3_bind_int64(st, 4, post->published_at);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int(st, 6, post->breaking != 0);
	sqlite3_bind_int(st, 7, post->key_event != 0);
	store_bind_text(st, 8, bylines);
	store_bind_text(st, 9, body);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		published = sqlite3_column_int64(st, 0);
		/* RETURNING rows must be stepped out for the statement to finish. */
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			;
	} else if (step == SQLITE_DONE) {
		rc = store_fail(s, STORE_ENOTFOUND, "no post %" PRId64 " on page %" PRId64,
				post->id, post->page_id);
	}
	if (step != SQLITE_DONE)
		rc = store_fail_db(s, "post update");
	sqlite3_reset(st);
	if (rc == 0)
		rc = store_log_change(s, post->page_id, STORE_CHANGE_UPDATE, post->id, NULL);
leave:
	rc = store_write_leave(s, rc);
	if (rc == 0) {
		post->published_at = published;
		post->updated_at = now;
	}
out:
	free(bylines);
	free(body);
	return rc;
}

int store_post_delete(struct store *s, int64_t page_id, int64_t post_id)
{
	sqlite3_stmt *st;
	int rc;

	rc = store_write_enter(s);
	if (rc != 0)
		return rc;
	st = store_stmt(s, STMT_POST_DELETE);
	if (!st) {
		rc = STORE_ERR;
	} else {
		/* The pin, if it was this post, is cleared by the foreign key in the
		 * same statement; the "delete" entry tells readers the post is gone
		 * from wherever it was shown, pinned slot included. */
		sqlite3_bind_int64(st, 1, page_id);
		sqlite3_bind_int64(st, 2, post_id);
		rc = store_page_update(s, st, page_id, STORE_CHANGE_DELETE, post_id, "post delete");
	}
	return store_write_leave(s, rc);
}

int store_post_get(struct store *s, int64_t page_id, int64_t post_id, struct model_post *out)
{
	sqlite3_stmt *st = store_stmt(s, STMT_POST_GET);
	struct model_post p;
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	sqlite3_bind_int64(st, 2, post_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = store_read_post(s, st, &p);
	} else if (rc == SQLITE_DONE) {
		rc = store_fail(s, STORE_ENOTFOUND, "no post %" PRId64 " on page %" PRId64,
				post_id, page_id);
	} else {
		rc = store_fail_db(s, "post");
	}
	sqlite3_reset(st);
	if (rc == 0)
		*out = p;
	return rc;
}

static int store_page_exists(struct store *s, int64_t page_id)
{
	sqlite3_stmt *st = store_stmt(s, STMT_PAGE_EXISTS);
	int rc;

	if (!st)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, page_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return store_fail(s, STORE_ENOTFOUND, "no page %" PRId64, page_id);
	return store_fail_db(s, "page");
}

int store_post_range(struct store *s, int64_t page_id, size_t first, size_t limit,
		     struct model_post **out, size_t *n)
{
	struct model_post *list = NULL, *grown, tmp;
	size_t count = 0, cap = 0;
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
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : MODEL_POSTS_PER_PAGE;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				abort();
			list = grown;
		}
		if (store_read_post(s, st, &list[count]) != 0)
			goto fail;
		count++;
	}
	if (rc != SQLITE_DONE) {
		store_fail_db(s, "post range");
		goto fail;
	}
	sqlite3_reset(st);
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
fail:
	sqlite3_reset(st);
	model_posts_free(list, count);
	return STORE_ERR;
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
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = store_fail(s, STORE_ENOTFOUND, "no post %" PRId64 " on page %" PRId64,
				post_id, page_id);
	} else {
		rc = store_fail_db(s, "post index");
	}
	sqlite3_reset(st);
	if (rc == 0)
		*index = (size_t)v;
	return rc;
}
