/*
 * The store's SQLite backend (store_backend.h): one database file shared by
 * every worker process and by the command line, in WAL mode so that readers
 * never wait for the writer, with synchronous=FULL so that a committed change
 * survives a power cut, and a busy timeout so that concurrent writers queue
 * instead of failing. Writers take the write lock up front (BEGIN IMMEDIATE):
 * SQLite's single writer is what makes change-log ids visible in increasing
 * order (store.h).
 *
 * It holds what only SQLite has: the schema and its migrations (versioned with
 * PRAGMA user_version and upgraded in place by an ordered list; a migration,
 * once released, never changes: a new schema is a new entry at the end), the
 * pragmas, the check that the file opened is still the one at its path, and
 * the change notification: after every commit that adds to the change log it
 * touches DB_PATH-notify, which the other processes on this machine watch
 * (inotify) through store_wake_fd().
 *
 * No other file in src/ includes sqlite3.h.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

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

	/* 6: the media's bytes kept in the store, content-addressed by file
	 * name, so that every node reads them from where they are shared (the
	 * files on disk become a cache). name is the media record's, which one
	 * image's several files share. */
	"CREATE TABLE media_files (file TEXT PRIMARY KEY, name TEXT NOT NULL, data BLOB NOT NULL);"
	"CREATE INDEX media_files_name ON media_files (name);",

	/* 7: search in a page (store_search.c). posts.search_text is the plain
	 * text a post is found by besides its title, written by the statements
	 * that write the post; NULL for posts from before, which the store
	 * fills at open (SQL cannot read Markdown), found through the partial
	 * index. posts_search is an FTS5 index over the posts table's own
	 * columns (external content: the text is not kept twice), kept in step
	 * by triggers in the statement that changes a post, so in its
	 * transaction. The 'rebuild' indexes the titles already there. */
	"ALTER TABLE posts ADD COLUMN search_text TEXT;"
	"CREATE INDEX posts_search_unfilled ON posts (id) WHERE search_text IS NULL;"
	"CREATE VIRTUAL TABLE posts_search USING fts5(title, search_text,"
	"  content='posts', content_rowid='id', tokenize='unicode61');"
	"CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN"
	"  INSERT INTO posts_search (rowid, title, search_text)"
	"  VALUES (new.id, new.title, new.search_text);"
	"END;"
	"CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN"
	"  INSERT INTO posts_search (posts_search, rowid, title, search_text)"
	"  VALUES ('delete', old.id, old.title, old.search_text);"
	"END;"
	"CREATE TRIGGER posts_search_update AFTER UPDATE OF title, search_text ON posts BEGIN"
	"  INSERT INTO posts_search (posts_search, rowid, title, search_text)"
	"  VALUES ('delete', old.id, old.title, old.search_text);"
	"  INSERT INTO posts_search (rowid, title, search_text)"
	"  VALUES (new.id, new.title, new.search_text);"
	"END;"
	"INSERT INTO posts_search (posts_search) VALUES ('rebuild');",
	/* 8: how many readers each worker (of any node) has on each page, and
	 * when it last said so (store_readers.c): the sum of the fresh rows is a
	 * page's "N reading now". Not a reference to pages: a scratch pad that
	 * each worker rewrites every few seconds. */
	"CREATE TABLE readers ("
	"  worker INTEGER NOT NULL,"
	"  page_id INTEGER NOT NULL,"
	"  readers INTEGER NOT NULL,"
	"  seen INTEGER NOT NULL,"
	"  PRIMARY KEY (worker, page_id)"
	");",
};

/* Search in a page (store_backend.h): FTS5's own ranking, bm25, with a word
 * in the title weighing five times one in the body; then the newest. The
 * words come quoted (search_quote), so each is an FTS5 string and the whole
 * is their AND. snippet() picks the body's best stretch of up to 24 words. */
#define STORE_SQLITE_SEARCH \
	"SELECT p.id, p.published_at," \
	" highlight(posts_search, 0, char(1), char(2))," \
	" snippet(posts_search, 1, char(1), char(2), '\xe2\x80\xa6', 24)" \
	" FROM posts_search JOIN posts p ON p.id = posts_search.rowid" \
	" WHERE posts_search MATCH ?1 AND p.page_id = ?2" \
	" ORDER BY bm25(posts_search, 5.0, 1.0), p.published_at DESC, p.id DESC" \
	" LIMIT ?3 OFFSET ?4"

#define STORE_SCHEMA_VERSION ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))


/* A lost watch on DB-notify is made again after this long, doubling up to the
 * most: the timer finds changes meanwhile. */
#define STORE_SQLITE_WATCH_RETRY_S 1
#define STORE_SQLITE_WATCH_RETRY_MAX_S 60

/* The connection (struct store's conn). */
struct store_sqlite {
	sqlite3 *db;
	sqlite3_stmt *data_version; /* PRAGMA data_version, prepared on first use */
	int64_t own_logged; /* commits of ours that added to the log (data_version
			     * counts only other connections' commits) */
	char *notify_path;  /* DB-notify, touched after such a commit; NULL for an
			     * in-memory database */
	int wake_fd;        /* inotify on DB-notify, made at the first store_wake_fd() */
	int wake_state;     /* 0 not asked yet, 1 watching, -1 lost (wake_tick) */
	int64_t wake_retry_at;  /* when wake_tick() tries again (CLOCK_MONOTONIC s) */
	int64_t wake_retry_s;   /* ...and the wait after that */
};

/* A prepared statement (struct store_stmt first, as store_backend.h asks). */
struct store_sqlite_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
};

static const struct store_backend store_sqlite_backend;

static struct store_sqlite *store_sqlite_conn(struct store *s)
{
	return s->conn;
}

static sqlite3_stmt *store_sqlite_raw(struct store_stmt *st)
{
	return ((struct store_sqlite_stmt *)st)->st;
}

/* SQLite's own message as the reason; returns STORE_ERR. */
static int store_sqlite_fail(struct store *s)
{
	return store_fail(s, STORE_ERR, "%s", sqlite3_errmsg(store_sqlite_conn(s)->db));
}

/* ---- statements ------------------------------------------------------------ */

static int store_sqlite_prepare(struct store *s, const char *sql, struct store_stmt **out)
{
	struct store_sqlite_stmt *q = calloc(1, sizeof(*q));

	if (!q)
		abort();
	/* Persistent: the core caches each statement for the connection's life. */
	if (sqlite3_prepare_v3(store_sqlite_conn(s)->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &q->st, NULL) != SQLITE_OK) {
		store_sqlite_fail(s);
		sqlite3_finalize(q->st);
		free(q);
		return STORE_ERR;
	}
	q->base.be = &store_sqlite_backend;
	q->base.s = s;
	*out = &q->base;
	return 0;
}

static void store_sqlite_finalize(struct store_stmt *st)
{
	sqlite3_finalize(store_sqlite_raw(st));
	free(st);
}

static void store_sqlite_reset(struct store_stmt *st)
{
	sqlite3_reset(store_sqlite_raw(st));
	sqlite3_clear_bindings(store_sqlite_raw(st));
}

static void store_sqlite_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(store_sqlite_raw(st), i, v);
}

static void store_sqlite_bind_text(struct store_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(store_sqlite_raw(st), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(store_sqlite_raw(st), i);
}

static void store_sqlite_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64(store_sqlite_raw(st), i, p, n, SQLITE_TRANSIENT);
}

static void store_sqlite_bind_null(struct store_stmt *st, int i)
{
	sqlite3_bind_null(store_sqlite_raw(st), i);
}

static int store_sqlite_step(struct store_stmt *st)
{
	sqlite3_stmt *q = store_sqlite_raw(st);
	int rc = sqlite3_step(q), ext;

	if (rc == SQLITE_ROW)
		return STORE_DB_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DB_DONE;
	ext = sqlite3_extended_errcode(sqlite3_db_handle(q));
	/* A constraint's refusal is an outcome, not a database failure: recorded
	 * under its own code, as store_pg.c does, so that it is not counted as
	 * a store error (util/stats.h). */
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = STORE_DB_UNIQUE;
	else if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		rc = STORE_DB_FOREIGN_KEY;
	else {
		store_sqlite_fail(st->s);
		return STORE_DB_ERR;
	}
	store_fail(st->s, rc, "%s", sqlite3_errmsg(sqlite3_db_handle(q)));
	return rc;
}

static int64_t store_sqlite_col_int64(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(store_sqlite_raw(st), i);
}

static const char *store_sqlite_col_text(struct store_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(store_sqlite_raw(st), i);
}

static const void *store_sqlite_col_blob(struct store_stmt *st, int i, size_t *n)
{
	const void *p = sqlite3_column_blob(store_sqlite_raw(st), i);

	/* Bytes after the blob: sqlite3_column_bytes() converts nothing then. */
	*n = (size_t)sqlite3_column_bytes(store_sqlite_raw(st), i);
	return p;
}

static int store_sqlite_col_is_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type(store_sqlite_raw(st), i) == SQLITE_NULL;
}

static int64_t store_sqlite_changes(struct store_stmt *st)
{
	return sqlite3_changes64(sqlite3_db_handle(store_sqlite_raw(st)));
}

/* ---- transactions ------------------------------------------------------ */

static int store_sqlite_exec(struct store *s, const char *sql)
{
	if (sqlite3_exec(store_sqlite_conn(s)->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlite_fail(s);
	return 0;
}

/* The write lock up front: writers are serialised, and change ids are handed
 * out in commit order. */
static int store_sqlite_write_begin(struct store *s)
{
	if (sqlite3_exec(store_sqlite_conn(s)->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return store_fail(s, STORE_ERR, "BEGIN IMMEDIATE: %s",
				  sqlite3_errmsg(store_sqlite_conn(s)->db));
	return 0;
}

static int store_sqlite_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(store_sqlite_conn(s)->db);
}

/* Makes DB-notify if it is missing; 0 or -1 (errno set). */
static int store_sqlite_notify_make(const struct store_sqlite *c)
{
	int fd = open(c->notify_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* After a commit that added to the change log: touch DB-notify, so that every
 * process watching it (inotify) reads the log now. The commit is visible to
 * readers by then, which a watch on the write-ahead log could not promise: its
 * writes happen before the commit is published. Touched by its path, not
 * through a descriptor kept open: a file deleted and made again is the one
 * touched, and a deleted one is not kept alive, so its watchers learn it is
 * gone (store_sqlite_wake_drain) and watch the new one. */
static void store_sqlite_committed(struct store *s)
{
	struct store_sqlite *c = store_sqlite_conn(s);

	c->own_logged++;
	if (!c->notify_path || utimensat(AT_FDCWD, c->notify_path, NULL, 0) == 0)
		return;
	/* Deleted: made again, for the watchers to find on their timer. */
	if (errno != ENOENT || store_sqlite_notify_make(c) < 0)
		log_warn("store: cannot touch the change notification file %s", c->notify_path);
}

/* ---- the file, and being woken ------------------------------------------- */

static int store_sqlite_check(struct store *s)
{
	sqlite3 *db = store_sqlite_conn(s)->db;
	int moved = 0;

	/* SQLite's unix VFS compares the inode at the path with the one it holds
	 * open (one stat()); an in-memory database answers "not found": unmoved. */
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK ||
	    !moved)
		return 0;
	return store_fail(s, STORE_EMOVED,
			  "the database file %s was deleted or replaced while open: writes "
			  "are refused (restart on the right file)",
			  sqlite3_db_filename(db, "main"));
}

static int store_sqlite_data_version(struct store *s, int64_t *out)
{
	struct store_sqlite *c = store_sqlite_conn(s);
	int rc;

	if (!c->data_version &&
	    sqlite3_prepare_v3(c->db, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
			       &c->data_version, NULL) != SQLITE_OK)
		return store_fail(s, STORE_ERR, "PRAGMA data_version: %s", sqlite3_errmsg(c->db));
	rc = sqlite3_step(c->data_version);
	/* SQLite's data_version moves only for other connections' commits; a
	 * worker's own newsroom writes must wake it too. */
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(c->data_version, 0) + (c->own_logged << 32);
	else
		store_fail(s, STORE_ERR, "PRAGMA data_version: %s", sqlite3_errmsg(c->db));
	sqlite3_reset(c->data_version);
	return rc == SQLITE_ROW ? 0 : STORE_ERR;
}

static int64_t store_sqlite_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Watches DB-notify: 0 with c->wake_fd set, or -1 (logged once per loss). */
static int store_sqlite_watch(struct store_sqlite *c)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	/* IN_MOVE_SELF: renamed away, the file is no longer the one writers
	 * touch. (Deleted, the kernel drops the watch: IN_IGNORED.) */
	if (inotify_add_watch(fd, c->notify_path, IN_ATTRIB | IN_MODIFY | IN_MOVE_SELF) < 0) {
		if (c->wake_state == 0)
			log_warn("store: cannot watch %s; changes are found by the timer alone "
				 "until it can", c->notify_path);
		close(fd);
		return -1;
	}
	c->wake_fd = fd;
	return 0;
}

/* The watch is gone (the file deleted or its file system unmounted): the
 * timer finds changes until wake_tick() makes it again. */
static void store_sqlite_watch_lost(struct store_sqlite *c)
{
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	c->wake_fd = -1;
	c->wake_state = -1;
	c->wake_retry_s = STORE_SQLITE_WATCH_RETRY_S;
	c->wake_retry_at = store_sqlite_now() + c->wake_retry_s;
}

static int store_sqlite_wake_fd(struct store *s)
{
	struct store_sqlite *c = store_sqlite_conn(s);

	if (c->wake_state == 0 && c->notify_path) {
		if (store_sqlite_watch(c) == 0)
			c->wake_state = 1;
		else
			store_sqlite_watch_lost(c);
	}
	return c->wake_fd;
}

static int store_sqlite_wake_drain(struct store *s)
{
	struct store_sqlite *c = store_sqlite_conn(s);
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int woken = 0, lost = 0;
	ssize_t n;

	if (c->wake_fd < 0)
		return 0;
	while ((n = read(c->wake_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* IN_IGNORED: the kernel dropped the watch (the file was
			 * deleted); IN_MOVE_SELF: renamed away. Any other event (an
			 * overflow too) may be a commit. */
			if (ev->mask & (IN_IGNORED | IN_MOVE_SELF))
				lost = 1;
			woken = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (lost) {
		log_warnx("store: %s is gone; changes are found by the timer until it is back",
			  c->notify_path);
		store_sqlite_watch_lost(c);
		return -1;
	}
	return woken;
}

static void store_sqlite_wake_tick(struct store *s)
{
	struct store_sqlite *c = store_sqlite_conn(s);
	int64_t now;

	if (c->wake_state != -1 || !c->notify_path)
		return;
	now = store_sqlite_now();
	if (now < c->wake_retry_at)
		return;
	if (store_sqlite_watch(c) == 0) {
		c->wake_state = 1;
		log_info("store: watching %s again", c->notify_path);
		return;
	}
	c->wake_retry_s = c->wake_retry_s * 2 > STORE_SQLITE_WATCH_RETRY_MAX_S
				  ? STORE_SQLITE_WATCH_RETRY_MAX_S
				  : c->wake_retry_s * 2;
	c->wake_retry_at = now + c->wake_retry_s;
}

/* ---- opening and migrating --------------------------------------------- */

static int store_user_version(struct store *s, int *out)
{
	sqlite3 *db = store_sqlite_conn(s)->db;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, STORE_ERR, "PRAGMA user_version: %s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_fail(s, STORE_ERR, "PRAGMA user_version: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return STORE_ERR;
	}
	*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Constant SQL with the statement as the reason's prefix on failure. */
static int store_sqlite_run(struct store *s, const char *sql)
{
	sqlite3 *db = store_sqlite_conn(s)->db;

	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(s, STORE_ERR, "%s: %s", sql, sqlite3_errmsg(db));
	return 0;
}

/* Transaction control on an error path: the reason already recorded for the
 * caller must survive, so failures here go to the log only. */
static void store_sqlite_run_quiet(struct store *s, const char *sql)
{
	sqlite3 *db = store_sqlite_conn(s)->db;

	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("store: %s: %s", sql, sqlite3_errmsg(db));
}

/* Applies the missing migrations, each in its own transaction with the version
 * bump, so that a crash midway leaves a database at some released version. The
 * version is read again under the write lock: two processes opening a fresh
 * file at once must not both run migration 1. */
static int store_migrate(struct store *s)
{
	sqlite3 *db = store_sqlite_conn(s)->db;
	char sql[64];
	int version;

	/* The common case, a current schema, takes no write lock: a worker must
	 * be able to start while a long import holds it. */
	if (store_user_version(s, &version) != 0)
		return STORE_ERR;
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	for (;;) {
		if (store_sqlite_run(s, "BEGIN IMMEDIATE") != 0)
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
		if (sqlite3_exec(db, store_migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
			store_fail(s, STORE_ERR, "schema migration %d: %s", version + 1,
				   sqlite3_errmsg(db));
			goto fail;
		}
		/* PRAGMA takes no parameters; the number is ours, not data. */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if (store_sqlite_run(s, sql) != 0 || store_sqlite_run(s, "COMMIT") != 0)
			goto fail;
		log_info("store: schema upgraded to version %d", version + 1);
	}
	return store_sqlite_run(s, "COMMIT");
fail:
	store_sqlite_run_quiet(s, "ROLLBACK");
	return STORE_ERR;
}

static int store_setup(struct store *s)
{
	sqlite3 *db = store_sqlite_conn(s)->db;
	sqlite3_stmt *st = NULL;
	const char *mode;
	int rc = STORE_ERR;

	sqlite3_extended_result_codes(db, 1);
	/* The timeout first: switching to WAL needs a lock another process may hold. */
	if (store_sqlite_run(s, "PRAGMA busy_timeout = 5000") != 0)
		return STORE_ERR;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_fail(s, STORE_ERR, "PRAGMA journal_mode: %s", sqlite3_errmsg(db));
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (!mode || strcmp(mode, "wal") != 0)
		log_warnx("store: journal mode is %s, not wal: readers will wait for writers",
			  mode ? mode : "unknown");
	sqlite3_finalize(st);
	st = NULL;
	if (store_sqlite_run(s, "PRAGMA foreign_keys = ON") != 0 ||
	    store_sqlite_run(s, "PRAGMA synchronous = FULL") != 0)
		goto fail;
	/* A SQLite built without foreign keys accepts the pragma silently; the pin
	 * and the cascades depend on it, so check. */
	if (sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 1) {
		store_fail(s, STORE_ERR, "this SQLite does not enforce foreign keys");
		goto fail;
	}
	rc = store_migrate(s);
fail:
	sqlite3_finalize(st);
	return rc;
}

/* Change notification: after every commit that adds to the change log, the
 * store touches the file DB_PATH-notify (its times change). Processes on this
 * machine watch it (inotify, IN_ATTRIB) to read the log at once. Writes the
 * file's path into `out`; -1 for an in-memory database or a path too long. */
static int store_notify_path(const char *db_path, char *out, size_t len)
{
	if (!db_path || !*db_path || strcmp(db_path, ":memory:") == 0 ||
	    snprintf(out, len, "%s-notify", db_path) >= (int)len)
		return -1;
	return 0;
}

/* ---- backup ---------------------------------------------------------------- */

/* How long the backup waits for a lock another connection holds (a
 * checkpoint, a writer beginning), in tries 50 ms apart. */
#define STORE_SQLITE_BACKUP_TRIES 200

static int store_sqlite_quick_check_row(void *arg, int n, char **vals, char **cols)
{
	int *ok = arg;

	(void)cols;
	if (n != 1 || !vals[0] || strcmp(vals[0], "ok") != 0)
		*ok = 0;
	return 0;
}

/* Syncs the folder that holds `path`, so a rename in it survives a crash. */
static int store_sqlite_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir))
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The copy is made into DEST.partial-PID with the whole database in one step
 * of the backup API: one read transaction on the source, so one instant of
 * it, while writers go on (WAL: readers and the writer do not block each
 * other). SQLite syncs the copy when the backup commits; it is renamed into
 * place only after quick_check passed, and never over a file. */
static int store_sqlite_backup(struct store *s, const char *dest)
{
	sqlite3 *src = store_sqlite_conn(s)->db, *dst = NULL;
	sqlite3_backup *b;
	char tmp[PATH_MAX];
	int rc, ok = 1, n, code = STORE_ERR;
	struct stat st;

	n = snprintf(tmp, sizeof(tmp), "%s.partial-%ld", dest, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return store_fail(s, STORE_EINVAL, "the backup's path is too long");
	if (lstat(dest, &st) == 0)
		return store_fail(s, STORE_EEXIST, "%s exists: a backup never replaces a file",
				  dest);
	if (lstat(tmp, &st) == 0)
		return store_fail(s, STORE_EEXIST, "%s exists (a backup that was cut off?): "
				  "remove it first", tmp);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		code = store_fail(s, STORE_ERR, "%s: %s", tmp, dst ? sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		code = store_fail(s, STORE_ERR, "backup: %s", sqlite3_errmsg(dst));
		goto fail;
	}
	for (int i = 0; (rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED;
	     i++) {
		if (i == STORE_SQLITE_BACKUP_TRIES)
			break;
		sqlite3_sleep(50);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		code = store_fail(s, STORE_ERR, "backup: %s", sqlite3_errstr(rc));
		goto fail;
	}
	if (sqlite3_exec(dst, "PRAGMA quick_check", store_sqlite_quick_check_row, &ok, NULL) !=
	    SQLITE_OK || !ok) {
		code = store_fail(s, STORE_ERR, "backup: the copy failed its check: %s",
			   ok ? sqlite3_errmsg(dst) : "quick_check found damage");
		goto fail;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		code = store_fail(s, STORE_ERR, "backup: %s", sqlite3_errmsg(dst));
		dst = NULL;
		goto fail;
	}
	dst = NULL;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE) != 0) {
		code = store_fail(s, errno == EEXIST ? STORE_EEXIST : STORE_ERR, "%s: %s", dest,
			   strerror(errno));
		goto fail;
	}
	if (store_sqlite_sync_dir(dest) != 0)
		log_warn("store: backup: syncing the folder of %s", dest);
	return 0;
fail:
	if (dst)
		sqlite3_close(dst);
	unlink(tmp);
	return code;
}

static void store_sqlite_close(struct store *s)
{
	struct store_sqlite *c = store_sqlite_conn(s);

	if (!c)
		return;
	sqlite3_finalize(c->data_version);
	if (sqlite3_close(c->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(c->db));
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	free(c->notify_path);
	free(c);
	s->conn = NULL;
}

/* `create`: make the file when it is missing (store_open), or refuse
 * (store_open_existing). DB-notify is made only once the database is open, so
 * a refused path leaves nothing behind. */
int store_sqlite_open(struct store *s, const char *path, int create)
{
	struct store_sqlite *c = calloc(1, sizeof(*c));
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	char notify[PATH_MAX + 16];
	struct stat sb;

	if (!c)
		abort();
	c->wake_fd = -1;
	s->be = &store_sqlite_backend;
	s->conn = c;
	if (!create && path && strcmp(path, ":memory:") != 0 && stat(path, &sb) < 0 &&
	    errno == ENOENT) {
		store_fail(s, STORE_ERR, "no database at %s", path);
		goto fail_quiet;
	}
	if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
		store_fail(s, STORE_ERR, "%s", c->db ? sqlite3_errmsg(c->db) : "out of memory");
		goto fail;
	}
	if (store_notify_path(path, notify, sizeof(notify)) == 0) {
		c->notify_path = strdup(notify);
		if (!c->notify_path)
			abort();
		/* Without it (a read-only folder), workers find changes on
		 * their timer: not an error. */
		(void)store_sqlite_notify_make(c);
	}
	if (store_setup(s) != 0)
		goto fail;
	return 0;
fail:
	{
		char reason[sizeof(s->errmsg)];

		memcpy(reason, s->errmsg, sizeof(reason));
		store_fail(s, STORE_ERR, "%s: %s", path ? path : "(null)", reason);
	}
fail_quiet:
	store_sqlite_close(s);
	s->be = NULL;
	return STORE_ERR;
}

static const struct store_backend store_sqlite_backend = {
	.name = "sqlite",
	.prepare = store_sqlite_prepare,
	.finalize = store_sqlite_finalize,
	.reset = store_sqlite_reset,
	.bind_int64 = store_sqlite_bind_int64,
	.bind_text = store_sqlite_bind_text,
	.bind_blob = store_sqlite_bind_blob,
	.bind_null = store_sqlite_bind_null,
	.step = store_sqlite_step,
	.col_int64 = store_sqlite_col_int64,
	.col_text = store_sqlite_col_text,
	.col_blob = store_sqlite_col_blob,
	.col_is_null = store_sqlite_col_is_null,
	.changes = store_sqlite_changes,
	.exec = store_sqlite_exec,
	.write_begin = store_sqlite_write_begin,
	.in_transaction = store_sqlite_in_transaction,
	.log_appended = NULL,
	.committed = store_sqlite_committed,
	.check = store_sqlite_check,
	.data_version = store_sqlite_data_version,
	.wake_fd = store_sqlite_wake_fd,
	.wake_drain = store_sqlite_wake_drain,
	.wake_tick = store_sqlite_wake_tick,
	.warm = NULL,
	.copy_done = NULL,
	.backup = store_sqlite_backup,
	.search_sql = STORE_SQLITE_SEARCH,
	.search_quote = 1,
	.close = store_sqlite_close,
};
