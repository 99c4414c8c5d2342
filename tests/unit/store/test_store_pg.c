/*
 * What only the PostgreSQL backend has to prove, on a server that
 * LIVELINE_TEST_PG names (each test gets a database of its own,
 * unit_store.h): the change log's ids become visible in increasing order with
 * writers in several processes; a writer waits for the one before it, and
 * not forever; a COMMIT the server turned into a ROLLBACK is an error;
 * identities continue past copied rows; a lost connection, main or
 * listening, is made again without losing or acknowledging wrongly; and two
 * stores opening an empty database migrate it once. (Being woken by another
 * store's commit and the scheduler raced by three processes are in the
 * conformance suites, test_store.c and test_store_newsroom.c, which run on
 * both backends.) Without LIVELINE_TEST_PG every test is skipped, saying so.
 */
#include "unit_store_newsroom.h"

#include <inttypes.h>
#include <poll.h>
#include <sys/wait.h>
#include <time.h>

#include "store/store_internal.h" /* the backend's calls, for what the core never does */
#include "util/log.h"

static int pg_setup(void **state)
{
	if (!unit_pg_server()) {
		*state = NULL;
		return 0;
	}
	return unit_db_setup(state);
}

static int pg_teardown(void **state)
{
	return *state ? unit_db_teardown(state) : 0;
}

/* Skips the test, saying why, when there is no server to run it on. */
#define PG_NEED(state)                                                          \
	do {                                                                    \
		if (!*(state)) {                                                \
			printf("skipped: LIVELINE_TEST_PG is not set\n");       \
			skip();                                                 \
		}                                                               \
	} while (0)

/* One number from the test's database, through a connection of its own. */
static int64_t pg_int(const struct unit_db *db, const char *sql)
{
	PGconn *c = PQconnectdb(db->path);
	PGresult *r;
	int64_t v;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect: %s", PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return v;
}

/* Ends the test database's server processes that `which` selects (a
 * condition on pg_stat_activity), as an operator or a failover would, and
 * waits until they are gone. Returns how many there were. */
static int pg_kill(const struct unit_db *db, const char *which)
{
	char sql[512];
	int64_t n;

	snprintf(sql, sizeof(sql),
		 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
		 " WHERE datname = current_database() AND pid <> pg_backend_pid() AND %s", which);
	n = pg_int(db, sql);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
		 " AND pid <> pg_backend_pid() AND %s", which);
	for (int i = 0; i < 200 && pg_int(db, sql) > 0; i++)
		usleep(50 * 1000);
	return (int)n;
}

#define PG_MAIN "query NOT LIKE 'LISTEN%'"
#define PG_LISTENER "query LIKE 'LISTEN%'"

static struct store *pg_open(const struct unit_db *db)
{
	char err[256];
	struct store *s = store_open_existing(db->path, err, sizeof(err));

	if (!s)
		fail_msg("store_open_existing: %s", err);
	return s;
}

/* Waits (10 s at most) for the wake descriptor to be readable and drains it:
 * what store_wake_drain() said, or 0 when nothing came. */
static int pg_wait_wake(struct store *s)
{
	int rc = 0;

	for (int i = 0; i < 100 && rc == 0; i++) {
		struct pollfd p = { .fd = store_wake_fd(s), .events = POLLIN };

		if (p.fd < 0)
			return -1;
		if (poll(&p, 1, 100) == 1)
			rc = store_wake_drain(s);
	}
	return rc;
}

/* ---- the ordering rule ------------------------------------------------- */

/* Writers in three processes publish at once while a reader polls the whole
 * log: once the reader has seen id N, no later poll may find an id below N
 * that it had not seen (store.h's rule, which workers rely on to read "past
 * the last id" and miss nothing). On PostgreSQL an id is drawn when its
 * transaction inserts, not when it commits, so without the writers' lock a
 * transaction that drew 7 can commit after one that drew 8. */
#define ORDER_WRITERS 3
#define ORDER_POSTS 40

static void test_change_ids_visible_in_order(void **state)
{
	struct unit_db *f = *state;
	int64_t pages[ORDER_WRITERS], seen_max = 0;
	size_t seen_count = 0, polls = 0;
	pid_t pids[ORDER_WRITERS];
	int running = ORDER_WRITERS, gate[2];
	char slug[32];

	PG_NEED(state);
	for (int w = 0; w < ORDER_WRITERS; w++) {
		snprintf(slug, sizeof(slug), "order-%d", w);
		pages[w] = create_page(f->s, slug);
	}
	assert_int_equal(pipe(gate), 0);
	for (int w = 0; w < ORDER_WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			char err[256], c;
			struct store *s = store_open_existing(f->path, err, sizeof(err));
			int failed = !s;

			close(gate[1]);
			if (read(gate[0], &c, 1) != 0)
				_exit(2);
			for (int i = 0; s && i < ORDER_POSTS && !failed; i++) {
				struct model_post post;

				/* Two pages each, so that writers do not only queue on
				 * one page's row. */
				sample_post(&post, "ordered", 1000 + i);
				failed = store_post_insert(s, 0, pages[(w + i) % ORDER_WRITERS],
							   &post) != 0;
				if (failed)
					fprintf(stderr, "writer %d: %s\n", w, store_errmsg(s));
			}
			store_close(s);
			_exit(failed);
		}
	}
	close(gate[0]);
	close(gate[1]);
	/* The reader: every poll reads the whole log. Ids only ever appear, so
	 * the ids at or below what the last poll saw must be exactly those it
	 * saw. */
	while (running > 0 || polls == 0) {
		struct store_change *c;
		size_t n, below = 0;
		int status;

		assert_int_equal(store_changes_since(f->s, 0, SIZE_MAX, &c, &n), 0);
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				assert_true(c[i].id > c[i - 1].id);
			if (c[i].id <= seen_max)
				below++;
		}
		if (below != seen_count)
			fail_msg("poll %zu: %zu ids at or below %" PRId64 ", the last poll saw %zu:"
				 " an id became visible after a larger one", polls, below, seen_max,
				 seen_count);
		if (n > 0)
			seen_max = c[n - 1].id;
		seen_count = n;
		store_changes_free(c, n);
		polls++;
		for (int w = 0; w < ORDER_WRITERS; w++)
			if (pids[w] > 0 && waitpid(pids[w], &status, WNOHANG) == pids[w]) {
				assert_true(WIFEXITED(status));
				assert_int_equal(WEXITSTATUS(status), 0);
				pids[w] = 0;
				running--;
			}
	}
	assert_int_equal(last_change(f->s), pg_int(f, "SELECT max(id) FROM changes"));
	assert_int_equal(pg_int(f, "SELECT count(*) FROM changes WHERE kind = 'post'"),
			 ORDER_WRITERS * ORDER_POSTS);
}

/* A write waits for the one before it, and not forever: behind a write that
 * holds the database (an import), another store's write fails after the
 * lock's timeout with a reason, and goes through once the first commits. */
static void test_writer_waits_bounded(void **state)
{
	struct unit_db *f = *state;
	struct store *other;
	struct model_post post;
	int64_t page;

	PG_NEED(state);
	page = create_page(f->s, "queue");
	other = pg_open(f);
	assert_int_equal(store_begin(f->s), 0);
	insert_post(f->s, 0, page, "Held", 1000);
	sample_post(&post, "Queued", 1001);
	assert_int_equal(store_post_insert(other, 0, page, &post), STORE_ERR);
	assert_non_null(strstr(store_errmsg(other), "another write has held the database"));
	assert_int_equal(store_commit(f->s), 0);
	insert_post(other, 0, page, "Queued", 1001);
	assert_int_equal(pg_int(f, "SELECT count(*) FROM posts"), 2);
	store_close(other);
}

/* PostgreSQL answers COMMIT with ROLLBACK, and no error, for a transaction
 * in which a statement failed. The core rolls back after a failed statement
 * today; if a path ever went on to commit, the backend must not report the
 * transaction saved. */
static void test_commit_after_failed_statement_refused(void **state)
{
	struct unit_db *f = *state;
	struct store *s;
	struct store_stmt *st;

	PG_NEED(state);
	s = f->s;
	create_page(s, "taken");
	assert_int_equal(s->be->write_begin(s), 0);
	assert_int_equal(s->be->prepare(s, "INSERT INTO pages (slug, title, zone, created_at,"
				      " updated_at) VALUES (?1, 'T', 'UTC', 0, 0)", &st), 0);
	s->be->bind_text(st, 1, "taken");
	assert_int_equal(s->be->step(st), STORE_DB_UNIQUE);
	s->be->finalize(st);
	assert_int_equal(s->be->exec(s, "COMMIT"), STORE_ERR);
	assert_non_null(strstr(store_errmsg(s), "rolled back"));
	assert_int_equal(s->be->in_transaction(s), 0);
	assert_int_equal(pg_int(f, "SELECT count(*) FROM pages"), 1);
}

/* `liveline copy` writes rows with their ids; copy_done() then moves each
 * identity past them, or the next page, post or change would take an id in
 * use. */
static void test_copy_done_moves_identities(void **state)
{
	struct unit_db *f = *state;
	struct store *s;
	int64_t page;

	PG_NEED(state);
	s = f->s;
	assert_int_equal(s->be->exec(s, "INSERT INTO pages (id, slug, title, zone, created_at,"
				     " updated_at) VALUES (1, 'copied-1', 'T', 'UTC', 0, 0),"
				     " (7, 'copied-7', 'T', 'UTC', 0, 0);"
				     " INSERT INTO changes (id, page_id, seq, kind, at)"
				     " VALUES (5, 7, 1, 'page', 0)"), 0);
	assert_non_null(s->be->copy_done);
	assert_int_equal(s->be->copy_done(s), 0);
	page = create_page(s, "after-copy");
	assert_int_equal(page, 8);
	assert_int_equal(last_change(s), 6);
	/* An empty table starts at 1. */
	assert_int_equal(insert_post(s, 0, page, "First", 1000), 1);
}

/* How many statements the store's own session has prepared on the server. */
static int64_t pg_session_prepared(struct store *s, struct store_stmt *count)
{
	int64_t n;

	assert_int_equal(s->be->step(count), STORE_DB_ROW);
	n = s->be->col_int64(count, 0);
	s->be->reset(count);
	return n;
}

/* A worker's store_prepare() warms its new session: every statement is
 * prepared and planned on the server before the first request, with the
 * types it will be bound with, so the first post, edit and status change
 * prepare nothing more (the first post a worker published took 13 ms more of
 * the database's time than the next); and planning ran nothing: the first
 * post still gets id 1. */
static void test_prepare_warms_session(void **state)
{
	struct unit_db *f = *state;
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH, .text = "Warm." };
	struct model_post p;
	struct store *s;
	struct store_stmt *count;
	int64_t page, warmed;

	PG_NEED(state);
	s = f->s;
	page = create_page(s, "warm");
	assert_int_equal(store_prepare(s), 0);
	assert_int_equal(s->be->prepare(s, "SELECT count(*) FROM pg_prepared_statements", &count),
			 0);
	warmed = pg_session_prepared(s, count);
	assert_true(warmed > STMT_COUNT + STMT_NEWSROOM_COUNT);

	memset(&p, 0, sizeof(p));
	p.title = "First";
	p.published_at = 1000;
	p.blocks = &para;
	p.n_blocks = 1;
	assert_int_equal(store_post_insert(s, 0, page, &p), 0);
	assert_int_equal(p.id, 1);
	p.title = "First, edited";
	assert_int_equal(store_post_update(s, 0, &p), 0);
	assert_int_equal(store_page_set_status(s, 0, page, MODEL_STATUS_LIVE), 0);
	assert_int_equal(store_page_set_status(s, 0, page, MODEL_STATUS_ENDED), 0);
	assert_int_equal(pg_session_prepared(s, count), warmed);
	s->be->finalize(count);
}

/* ---- waking ------------------------------------------------------------ */

/* The listening connection killed: store_wake_drain() says it was lost, and
 * store_wake_tick() makes it again, after which commits wake the store. */
static void test_wake_connection_lost(void **state)
{
	struct unit_db *f = *state;
	struct store *other;
	int64_t page;
	int fd = -1, rc = 0;

	PG_NEED(state);
	page = create_page(f->s, "wake-lost");
	assert_true(store_wake_fd(f->s) >= 0);
	assert_int_equal(pg_kill(f, PG_LISTENER), 1);
	/* libpq may read the server's goodbye first and the end of the
	 * connection at the next call: both within a few drains. */
	for (int i = 0; i < 50 && rc != -1; i++) {
		struct pollfd p = { .fd = store_wake_fd(f->s), .events = POLLIN };

		if (p.fd < 0)
			break;
		poll(&p, 1, 100);
		rc = store_wake_drain(f->s);
	}
	assert_int_equal(rc, -1);
	for (int i = 0; i < 100 && fd < 0; i++) {
		usleep(100 * 1000);
		store_wake_tick(f->s);
		fd = store_wake_fd(f->s);
	}
	assert_true(fd >= 0);
	other = pg_open(f);
	insert_post(other, 0, page, "After the listener came back", 1000);
	assert_int_equal(pg_wait_wake(f->s), 1);
	store_close(other);
}

/* ---- a lost connection ------------------------------------------------- */

static int64_t pg_try_post(struct store *s, int64_t page, const char *title)
{
	struct model_post p;

	sample_post(&p, title, 1000);
	return store_post_insert(s, 0, page, &p) == 0 ? p.id : 0;
}

/* Retries a post for up to 10 s (the reconnect backoff): its id. */
static int64_t pg_post_eventually(struct store *s, int64_t page, const char *title)
{
	int64_t id = 0;

	for (int i = 0; i < 100 && !id; i++)
		if (!(id = pg_try_post(s, page, title)))
			usleep(100 * 1000);
	if (!id)
		fail_msg("no post after 10 s: %s", store_errmsg(s));
	return id;
}

static void test_connection_lost(void **state)
{
	struct unit_db *f = *state;
	struct model_page p;
	struct model_post post;
	int64_t page, first, later, after;

	PG_NEED(state);
	page = create_page(f->s, "lost");
	first = insert_post(f->s, 0, page, "Acknowledged before", 1000);

	/* Killed inside a transaction: the call that finds out fails cleanly,
	 * so does every call until the rollback (nothing runs outside the
	 * transaction the caller believes open), and the commit is refused:
	 * nothing of it is acknowledged, nothing of it is saved. */
	assert_int_equal(store_begin(f->s), 0);
	insert_post(f->s, 0, page, "In the lost transaction", 1001);
	assert_int_equal(pg_kill(f, PG_MAIN), 1);
	sample_post(&post, "Also in it", 1002);
	assert_int_equal(store_post_insert(f->s, 0, page, &post), STORE_ERR);
	assert_true(strstr(store_errmsg(f->s), "connection") != NULL);
	/* ...said as the database out of reach (503 "may not have been saved"
	 * to people), not as a broken one. */
	assert_int_equal(store_unreachable(f->s), 1);
	sample_post(&post, "Still in it", 1003);
	assert_int_equal(store_post_insert(f->s, 0, page, &post), STORE_ERR);
	assert_int_equal(store_unreachable(f->s), 1);
	assert_int_not_equal(store_commit(f->s), 0);
	store_rollback(f->s);
	/* A failure of another kind clears it. */
	assert_int_equal(store_post_get(f->s, page, 999999, &post), STORE_ENOTFOUND);
	assert_int_equal(store_unreachable(f->s), 0);

	/* The next call makes the connection again and succeeds. */
	later = pg_post_eventually(f->s, page, "After the reconnect");
	assert_true(later > first);

	/* Killed between calls: a read is made again on a new connection at
	 * once; a write succeeds, or fails cleanly and succeeds on a later try. */
	assert_int_equal(pg_kill(f, PG_MAIN), 1);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	model_page_cleanup(&p);
	assert_int_equal(pg_kill(f, PG_MAIN), 1);
	after = pg_try_post(f->s, page, "Right after a kill");
	if (!after)
		after = pg_post_eventually(f->s, page, "Right after a kill");

	/* Exactly what was acknowledged is there. */
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.n_posts, 3);
	model_page_cleanup(&p);
	assert_int_equal(store_post_get(f->s, page, first, &post), 0);
	model_post_cleanup(&post);
	assert_int_equal(store_post_get(f->s, page, later, &post), 0);
	model_post_cleanup(&post);
	assert_int_equal(store_post_get(f->s, page, after, &post), 0);
	model_post_cleanup(&post);
	assert_int_equal(pg_int(f, "SELECT count(*) FROM posts WHERE title LIKE '%in it'"
				" OR title LIKE '%lost transaction'"), 0);
	/* The page's log has no gap: 1 page, 3 posts. */
	assert_int_equal(pg_int(f, "SELECT max(seq) FROM changes"), 4);
	assert_int_equal(pg_int(f, "SELECT count(*) FROM changes"), 4);
	assert_int_equal(store_check_file(f->s), 0);
}

/* One statement on the test's database, through a connection of its own. */
static void pg_exec(const struct unit_db *db, const char *sql)
{
	PGconn *c = PQconnectdb(db->path);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect: %s", PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

/* A server shutting down sends "terminating connection due to administrator
 * command" (57P01) before it closes the socket: read while libpq still calls
 * the connection good, it is the database out of reach all the same (a
 * writer's 503), not a broken one (500). A trigger raises the same SQLSTATE on
 * a connection that stays up, so the test does not race the close. */
static void test_shutdown_error_is_unreachable(void **state)
{
	static const struct {
		const char *code;
		int unreachable;
	} codes[] = {
		{ "57P01", 1 }, { "57P02", 1 }, { "57P03", 1 }, { "08006", 1 },
		{ "57014", 0 }, { "XX000", 0 },
	};
	struct unit_db *f = *state;
	struct model_post post;
	char sql[512];
	int64_t page;

	PG_NEED(state);
	page = create_page(f->s, "going");
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(sql, sizeof(sql),
			 "CREATE OR REPLACE FUNCTION ll_refuse() RETURNS trigger LANGUAGE plpgsql"
			 " AS $$ BEGIN RAISE EXCEPTION 'going away' USING ERRCODE = '%s'; END $$;"
			 " CREATE OR REPLACE TRIGGER ll_refuse BEFORE INSERT ON posts"
			 " FOR EACH ROW EXECUTE FUNCTION ll_refuse()",
			 codes[i].code);
		pg_exec(f, sql);
		sample_post(&post, "Refused", 1000);
		assert_int_equal(store_post_insert(f->s, 0, page, &post), STORE_ERR);
		if (store_unreachable(f->s) != codes[i].unreachable)
			fail_msg("SQLSTATE %s: unreachable %d", codes[i].code,
				 store_unreachable(f->s));
	}
	pg_exec(f, "DROP TRIGGER ll_refuse ON posts");
	assert_true(insert_post(f->s, 0, page, "Accepted", 1001) > 0);
}

/* ---- the schema -------------------------------------------------------- */

#define MIGRATE_PROCS 3

/* Stores opening one empty database at once (nodes started together): each
 * opens, and the schema is made once. Without the lock, the second to run
 * migration 1 fails on tables that exist. */
static void test_migrate_once(void **state)
{
	struct unit_db db;
	pid_t pids[MIGRATE_PROCS];
	int gate[2];

	PG_NEED(state);
	unit_db_target(&db);
	assert_int_equal(pipe(gate), 0);
	for (int p = 0; p < MIGRATE_PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			char err[256], c;
			struct store *s;

			close(gate[1]);
			if (read(gate[0], &c, 1) != 0)
				_exit(254);
			s = store_open(db.path, err, sizeof(err));
			if (!s)
				fprintf(stderr, "child: %s\n", err);
			store_close(s);
			_exit(s ? 0 : 1);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (int p = 0; p < MIGRATE_PROCS; p++) {
		int status;

		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(pg_int(&db, "SELECT count(*) FROM liveline_schema"), 1);
	assert_int_equal(pg_int(&db, "SELECT version FROM liveline_schema"), 3);
	unit_db_drop(&db);
}

/* store_open_existing() on a database without the schema refuses and makes
 * nothing; a schema newer than the program's is refused with the reason. */
static void test_open_refused(void **state)
{
	struct unit_db db;
	struct store *s;
	char err[256] = "";

	PG_NEED(state);
	unit_db_target(&db);
	assert_null(store_open_existing(db.path, err, sizeof(err)));
	assert_non_null(strstr(err, "no Liveline schema"));
	assert_int_equal(pg_int(&db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
			 0);
	s = store_open(db.path, err, sizeof(err));
	assert_non_null(s);
	store_close(s);
	pg_int(&db, "WITH u AS (UPDATE liveline_schema SET version = 99 RETURNING 1)"
		    " SELECT count(*) FROM u");
	assert_null(store_open_existing(db.path, err, sizeof(err)));
	assert_non_null(strstr(err, "newer than this program's"));
	unit_db_drop(&db);
}

/* Posts without their search text (from before migration 2, or written by
 * an older program) are found by their body once a store opens the
 * database: it fills the text in, and the generated tsvector follows. */
static void test_search_filled_at_open(void **state)
{
	struct unit_db *f = *state;
	struct store_search_hit *h;
	int64_t page, post;
	char err[256];
	size_t n;

	PG_NEED(state);
	page = create_page(f->s, "filled");
	post = insert_post(f->s, 0, page, "Title", 100);
	assert_int_equal(pg_int(f, "WITH u AS (UPDATE posts SET search_text = NULL RETURNING 1)"
				" SELECT count(*) FROM u"), 1);
	assert_int_equal(store_post_search(f->s, page, "Zelensky", 20, 0, &h, &n), 0);
	assert_int_equal(n, 0);
	store_close(f->s);
	f->s = store_open_existing(f->path, err, sizeof(err));
	if (!f->s)
		fail_msg("reopen: %s", err);
	assert_int_equal(pg_int(f, "SELECT count(*) FROM posts WHERE search_text IS NULL"), 0);
	assert_int_equal(store_post_search(f->s, page, "Zelensky", 20, 0, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, post);
	store_search_hits_free(h, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search_filled_at_open, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(test_change_ids_visible_in_order, pg_setup,
						pg_teardown),
		cmocka_unit_test_setup_teardown(test_writer_waits_bounded, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(test_commit_after_failed_statement_refused, pg_setup,
						pg_teardown),
		cmocka_unit_test_setup_teardown(test_copy_done_moves_identities, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(test_prepare_warms_session, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(test_wake_connection_lost, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_error_is_unreachable, pg_setup,
						pg_teardown),
		cmocka_unit_test_setup_teardown(test_connection_lost, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_once, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(test_open_refused, pg_setup, pg_teardown),
	};

	/* Lost connections are logged as warnings: expected here. */
	log_set_level(LOG_LEVEL_ERROR);
	if (unit_pg_server())
		unit_store_backend();
	else
		printf("LIVELINE_TEST_PG is not set: the PostgreSQL backend's tests are skipped\n");
	return cmocka_run_group_tests_name("store_pg", tests, NULL, NULL);
}
