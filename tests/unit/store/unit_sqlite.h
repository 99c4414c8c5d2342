/*
 * For the unit tests that reach into a database file with a raw SQLite
 * connection of their own (SQLite's own fault tests do the same): to write what
 * the store would not, to inject a fault with a trigger, or to read the schema.
 * Only SQLite-specific tests include this, so the tests of the store's
 * interface include no database header; it lives with the store's tests, as
 * the database's headers live in src/store/ (a stream test that writes behind
 * the store's back includes it as "store/unit_sqlite.h").
 */
#ifndef LIVELINE_UNIT_SQLITE_H
#define LIVELINE_UNIT_SQLITE_H

#include "unit.h"

#include <sqlite3.h>

/* The tables of migration 1 as released (a copy: released migrations never
 * change), for the tests that build an old file and upgrade it. */
#define UNIT_SCHEMA_V1_TABLES \
	"CREATE TABLE pages (" \
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, slug TEXT NOT NULL UNIQUE," \
	"  title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', zone TEXT NOT NULL," \
	"  status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2))," \
	"  start_at INTEGER NOT NULL DEFAULT 0, end_at INTEGER NOT NULL DEFAULT 0," \
	"  summary_json TEXT NOT NULL DEFAULT '{\"points\":[],\"media\":null}'," \
	"  pinned_post_id INTEGER REFERENCES posts(id) ON DELETE SET NULL," \
	"  last_seq INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL," \
	"  updated_at INTEGER NOT NULL);" \
	"CREATE TABLE posts (" \
	"  id INTEGER PRIMARY KEY AUTOINCREMENT," \
	"  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE," \
	"  title TEXT NOT NULL, published_at INTEGER NOT NULL, updated_at INTEGER NOT NULL," \
	"  breaking INTEGER NOT NULL DEFAULT 0, key_event INTEGER NOT NULL DEFAULT 0," \
	"  bylines_json TEXT NOT NULL DEFAULT '[]', body_json TEXT NOT NULL DEFAULT '[]');" \
	"CREATE TABLE changes (" \
	"  id INTEGER PRIMARY KEY AUTOINCREMENT," \
	"  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE," \
	"  seq INTEGER NOT NULL, kind TEXT NOT NULL, post_id INTEGER NOT NULL DEFAULT 0," \
	"  at INTEGER NOT NULL, UNIQUE (page_id, seq));"

/* Runs SQL on the file through a connection of its own; fails the test if it
 * cannot. */
static inline void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("raw_exec: %s", msg);
	sqlite3_close(db);
}

/* The first column of the first row of `sql`, through a connection of its own. */
static inline int64_t raw_int(const char *path, const char *sql)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	int64_t v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("raw_int: %s", sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

#endif
