/*
 * What a store backend provides, and the only calls the store's core makes to
 * a database. The core (store.c, store_newsroom.c, store_media.c,
 * store_copy.c) holds everything that is the same on every backend:
 * validation, JSON, "what changed" for revisions, the render-at-commit loop,
 * audit naming, and the SQL those share. A backend (store_sqlite.c,
 * store_pg.c) holds its library calls, its schema and migrations, its
 * transactions and its way of waking other processes, and nothing else.
 *
 * Statements: the core writes SQL with numbered parameters (?1, ?2, ...), which
 * both SQLite and (rewritten to $1, $2, ... by store_pg.c) PostgreSQL take. A
 * statement is prepared once per connection and cached (store_stmt_cached());
 * after store_reset() it may be bound and stepped again. Values are bound as
 * 64-bit integers, text, blobs or NULL, and read the same way: a backend
 * converts between these and its column types.
 *
 * Nothing outside src/store/ includes this header.
 */
#ifndef LIVELINE_STORE_BACKEND_H
#define LIVELINE_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_backend;

/* A backend's prepared statement begins with this, so that the calls below
 * reach its backend from the statement alone. */
struct store_stmt {
	const struct store_backend *be;
	struct store *s;
};

/* What store_step() returns. Errors are negative; the backend has recorded a
 * reason in the store (store_errmsg()) for STORE_DB_ERR, and for the two
 * constraint codes too, which callers usually turn into a reason of their own
 * ("a page with that slug exists"). */
enum store_db_rc {
	STORE_DB_DONE = 0,         /* the statement ran to its end */
	STORE_DB_ROW = 1,          /* a row is ready to read */
	STORE_DB_ERR = -1,         /* = STORE_ERR */
	STORE_DB_UNIQUE = -100,    /* a UNIQUE or PRIMARY KEY constraint refused a row */
	STORE_DB_FOREIGN_KEY = -101, /* a foreign key refused a row */
};

struct store_backend {
	const char *name; /* "sqlite", "postgresql": for messages and tests */

	/* Statements. prepare() returns 0 and *out, or STORE_ERR with a reason. */
	int (*prepare)(struct store *s, const char *sql, struct store_stmt **out);
	void (*finalize)(struct store_stmt *st);
	/* Ends a statement's run (a statement left mid-step holds a snapshot on
	 * SQLite) and clears its bindings. */
	void (*reset)(struct store_stmt *st);
	void (*bind_int64)(struct store_stmt *st, int i, int64_t v);
	/* The text is copied; NULL binds SQL NULL. */
	void (*bind_text)(struct store_stmt *st, int i, const char *v);
	void (*bind_blob)(struct store_stmt *st, int i, const void *p, size_t n);
	void (*bind_null)(struct store_stmt *st, int i);
	/* The first step runs the statement; a failed bind shows here. */
	int (*step)(struct store_stmt *st);
	int64_t (*col_int64)(struct store_stmt *st, int i);
	/* NULL for SQL NULL; valid until the next step or reset. */
	const char *(*col_text)(struct store_stmt *st, int i);
	const void *(*col_blob)(struct store_stmt *st, int i, size_t *n);
	int (*col_is_null)(struct store_stmt *st, int i);
	/* Rows changed by the statement's last run (INSERT, UPDATE, DELETE). */
	int64_t (*changes)(struct store_stmt *st);

	/* Constant SQL (several statements allowed): never data. */
	int (*exec)(struct store *s, const char *sql);
	/* A write transaction, serialised with every other writer of the
	 * database (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and a transaction
	 * advisory lock), which is what makes change-log ids visible in increasing
	 * order (store.h). Savepoints are portable SQL and go through exec(). */
	int (*write_begin)(struct store *s);
	/* 1 while a transaction is open on the connection (SQLite may roll one
	 * back by itself on some errors; PostgreSQL marks it failed). */
	int (*in_transaction)(struct store *s);
	/* Called inside a write transaction that appended to the change log,
	 * just before COMMIT: PostgreSQL queues its NOTIFY here (delivered at
	 * commit); SQLite does nothing. May be NULL. */
	int (*log_appended)(struct store *s);
	/* Called after such a commit: SQLite touches DB-notify. May be NULL. */
	void (*committed)(struct store *s);

	/* 0 while the database this connection opened is still the one it
	 * names; SQLite: STORE_EMOVED once the file was deleted or replaced;
	 * PostgreSQL: STORE_ERR when the connection is lost and could not be
	 * made again yet. */
	int (*check)(struct store *s);
	/* A number that changes when others may have committed to the change
	 * log (store_data_version()). */
	int (*data_version)(struct store *s, int64_t *out);

	/* Being woken (store.h, store_wake_*). */
	int (*wake_fd)(struct store *s);
	int (*wake_drain)(struct store *s);
	void (*wake_tick)(struct store *s);

	/* After the core prepared all its statements (store_prepare()): do now
	 * what their first runs would otherwise pay for. PostgreSQL: prepare each
	 * on the server and plan it once, which fills the new session's catalog
	 * caches (without it a worker's first post took 16 ms of the database's
	 * time instead of 3). Best effort: a statement it cannot warm is prepared
	 * at its first run as before. May be NULL (SQLite compiled them in
	 * prepare()). */
	void (*warm)(struct store *s);

	/* After store_copy() wrote rows with their ids: make the next ids follow
	 * them (PostgreSQL's identity sequences). May be NULL. */
	int (*copy_done)(struct store *s);

	/* store_backup(): a consistent copy into the new file `dest`, or
	 * STORE_EEXIST / STORE_ERR with a reason. May be NULL: the database's
	 * own tools do it (PostgreSQL's pg_dump). */
	int (*backup)(struct store *s, const char *dest);

	/* The search in a page (store_post_search()): SQL that takes ?1 the
	 * query's words, ?2 the page id, ?3 a limit and ?4 an offset, and
	 * returns the post's id, its published_at, its title and a snippet of
	 * its search_text with STORE_SEARCH_MARK_OPEN and _CLOSE around the
	 * matching words, best first. How ?1 is written: search_quote 1, each
	 * word between double quotes (FTS5's strings: a word is then never an
	 * operator), else the words as they are, space-separated (PostgreSQL's
	 * plainto_tsquery() reads no operators). */
	const char *search_sql;
	int search_quote;

	void (*close)(struct store *s); /* frees what open() made, not s */
};

/* Opened by store_open*() in store.c, by the target's form. Each fills s->be
 * and s->conn and returns 0, or records a reason and returns STORE_ERR. */
int store_sqlite_open(struct store *s, const char *path, int create);
int store_pg_open(struct store *s, const char *conninfo, int create);
/* A PostgreSQL target as logs may show it: database, host, port and user,
 * never a password (store_target_describe()). */
void store_pg_describe(const char *conninfo, char *out, size_t len);
/* The key=value form of a PostgreSQL target, password masked
 * (store_target_masked()). */
void store_pg_masked(const char *conninfo, char *out, size_t len);

/* The calls the core makes, through the statement's backend. */
static inline void store_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	st->be->bind_int64(st, i, v);
}

static inline void store_bind_null(struct store_stmt *st, int i)
{
	st->be->bind_null(st, i);
}

static inline void store_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
	st->be->bind_blob(st, i, p, n);
}

static inline int store_step(struct store_stmt *st)
{
	return st->be->step(st);
}

static inline void store_reset(struct store_stmt *st)
{
	st->be->reset(st);
}

static inline int64_t store_col_int64(struct store_stmt *st, int i)
{
	return st->be->col_int64(st, i);
}

static inline int store_col_int(struct store_stmt *st, int i)
{
	return (int)st->be->col_int64(st, i);
}

static inline const char *store_col_text(struct store_stmt *st, int i)
{
	return st->be->col_text(st, i);
}

static inline const void *store_col_blob(struct store_stmt *st, int i, size_t *n)
{
	return st->be->col_blob(st, i, n);
}

static inline int store_col_is_null(struct store_stmt *st, int i)
{
	return st->be->col_is_null(st, i);
}

static inline int64_t store_changes(struct store_stmt *st)
{
	return st->be->changes(st);
}

#endif
