/*
 * A fresh store for the unit tests that need one: the fixture is the store's
 * target and the open store. unit_db_setup/_teardown are cmocka fixtures of
 * their own; unit_db_open/_close serve larger fixtures.
 *
 * The backend: when the environment has LIVELINE_TEST_PG (a libpq URI or
 * key=value string naming a server, e.g.
 * postgresql:///postgres?host=/tmp/x&user=liveline, a role that may create
 * databases), each store is a PostgreSQL database made for the test with
 * CREATE DATABASE and dropped at its end; otherwise a temporary SQLite file.
 * tests/run sets it only for the store's conformance suites (test_store,
 * test_store_newsroom, test_store_pg), which hold on both backends; the
 * SQLite-specific tests, which reach into the file, run without it.
 */
#ifndef LIVELINE_UNIT_STORE_H
#define LIVELINE_UNIT_STORE_H

#include "unit.h"

#include <libpq-fe.h>

#include "store/store.h"

struct unit_db {
	char path[128]; /* the store's target: a file path or a PostgreSQL URI */
	char pg_name[64]; /* the database made for the test; "" on SQLite */
	struct store *s;
};

/* The server LIVELINE_TEST_PG names, or NULL: the tests then use SQLite. */
static inline const char *unit_pg_server(void)
{
	const char *v = getenv("LIVELINE_TEST_PG");

	return v && *v ? v : NULL;
}

/* The backend the store tests run on, said once in each binary's output so
 * that a log shows which ran. */
static inline const char *unit_store_backend(void)
{
	static int said;
	const char *name = unit_pg_server() ? "postgresql" : "sqlite";

	if (!said++)
		printf("store backend: %s%s\n", name,
		       unit_pg_server() ? " (LIVELINE_TEST_PG)" : "");
	return name;
}

static inline void unit_pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* "database ... does not exist, skipping" is what we expect */
}

/* Runs constant SQL on the server LIVELINE_TEST_PG names (not in a
 * transaction: CREATE DATABASE refuses one); fails the test if it cannot. */
static inline void unit_pg_admin(const char *sql)
{
	PGconn *c = PQconnectdb(unit_pg_server());
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("LIVELINE_TEST_PG: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, unit_pg_quiet, NULL);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

/* Makes a new, empty database for one test and writes its target into
 * db->path (LIVELINE_TEST_PG with the database name set): a URI gets a
 * dbname parameter, which overrides its path; a key=value string a last
 * dbname, which overrides an earlier one. */
static inline void unit_pg_create(struct unit_db *db)
{
	static int counter;
	const char *server = unit_pg_server();
	char sql[128];
	int uri = strncmp(server, "postgres", 8) == 0 && strstr(server, "://");

	snprintf(db->pg_name, sizeof(db->pg_name), "liveline_unit_%d_%d", (int)getpid(),
		 ++counter);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db->pg_name);
	unit_pg_admin(sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db->pg_name);
	unit_pg_admin(sql);
	if (snprintf(db->path, sizeof(db->path), "%s%s%s", server,
		     uri ? (strchr(server, '?') ? "&dbname=" : "?dbname=") : " dbname=",
		     db->pg_name) >= (int)sizeof(db->path))
		fail_msg("LIVELINE_TEST_PG is too long for unit_db.path (%zu bytes)",
			 sizeof(db->path));
}

/* Drops the test's database; WITH (FORCE) ends connections a failed test
 * left open (a child process, a listening connection). */
static inline void unit_pg_drop(struct unit_db *db)
{
	char sql[128];

	if (!db->pg_name[0])
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db->pg_name);
	unit_pg_admin(sql);
	db->pg_name[0] = '\0';
}

/* A new, empty target in db->path, not opened: a database on the server
 * LIVELINE_TEST_PG names, or a temporary file path. unit_db_drop() removes it. */
static inline void unit_db_target(struct unit_db *db)
{
	db->pg_name[0] = '\0';
	unit_store_backend();
	if (unit_pg_server())
		unit_pg_create(db);
	else
		unit_temp_db(db->path, sizeof(db->path));
}

/* Removes what unit_db_target() made (the database, or the file and the
 * files beside it). */
static inline void unit_db_drop(struct unit_db *db)
{
	if (db->pg_name[0])
		unit_pg_drop(db);
	else
		unit_remove_db(db->path);
}

/* Opens a store on a new target; fails the test if it cannot. */
static inline void unit_db_open(struct unit_db *db)
{
	char err[256];

	unit_db_target(db);
	db->s = store_open(db->path, err, sizeof(err));
	if (!db->s)
		fail_msg("store_open: %s", err);
}

/* Closes the store and removes its database. */
static inline void unit_db_close(struct unit_db *db)
{
	store_close(db->s);
	db->s = NULL;
	unit_db_drop(db);
}

/* Creates a page (no description, no summary, the default zone) and returns
 * its id; fails the test if it cannot. */
static inline int64_t unit_page_create(struct store *s, const char *slug, const char *title,
				       enum model_status status, int64_t start_at)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.slug = (char *)slug;
	p.title = (char *)title;
	p.description = "";
	p.zone = MODEL_DEFAULT_ZONE;
	p.status = status;
	p.published = 1;
	p.start_at = start_at;
	if (store_page_create(s, 0, &p) != 0)
		fail_msg("store_page_create: %s", store_errmsg(s));
	return p.id;
}

/* Publishes a post of one paragraph on page `page_id`; fails the test if it
 * cannot. */
static inline void unit_post_add(struct store *s, int64_t page_id, const char *title,
				 int64_t at)
{
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH, .text = "Traffic moves again." };
	struct model_post p;

	memset(&p, 0, sizeof(p));
	p.title = (char *)title;
	p.published_at = at;
	p.blocks = &para;
	p.n_blocks = 1;
	if (store_post_insert(s, 0, page_id, &p) != 0)
		fail_msg("store_post_insert: %s", store_errmsg(s));
}

static inline int unit_db_setup(void **state)
{
	struct unit_db *db = calloc(1, sizeof(*db));

	assert_non_null(db);
	unit_db_open(db);
	*state = db;
	return 0;
}

static inline int unit_db_teardown(void **state)
{
	unit_db_close(*state);
	free(*state);
	return 0;
}

#endif
