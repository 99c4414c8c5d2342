/*
 * Unit tests for the store on SQLite (store/store_sqlite.c) that reach into
 * the file with a second, raw SQLite connection (SQLite's own fault tests do
 * the same): to set a stored time the store would not write, to inject a
 * fault with a trigger, to read the schema version, to build an old schema and
 * upgrade it, to refuse a newer one, and to corrupt stored JSON; and what only
 * a file has: store_open_existing() creating nothing, the file deleted or
 * replaced under an open store, DB-notify's watch lost and made again. The
 * tests of the interface itself are in test_store.c, which includes no
 * database header and runs on every backend.
 */
#include "unit_store.h"
#include "unit_sqlite.h"

#include <time.h>
#include <unistd.h>

#include "model/model.h"
#include "store/store.h"
#include "util/log.h"

#include "store_samples.h"

static void test_page_list_order(void **state)
{
	struct unit_db *f = *state;
	const char *want[] = { "live-a", "live-b", "up", "ended-a", "ended-b" };
	struct model_page *pages = NULL;
	int64_t ended_a, ended_b, up;
	size_t n = 0;

	ended_a = create_page(f->s, "ended-a");
	create_page(f->s, "live-a");
	up = create_page(f->s, "up");
	ended_b = create_page(f->s, "ended-b");
	create_page(f->s, "live-b");
	assert_int_equal(store_page_set_status(f->s, 0, ended_a, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_page_set_status(f->s, 0, ended_b, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_page_set_status(f->s, 0, up, MODEL_STATUS_UPCOMING), 0);
	/* Changes within one second tie; give each page a distinct time, the
	 * older-created page of each status the newer change, so that id order
	 * cannot pass for change order. */
	raw_exec(f->path, "UPDATE pages SET updated_at = CASE slug"
		 " WHEN 'live-a' THEN 400 WHEN 'live-b' THEN 300 WHEN 'up' THEN 10"
		 " WHEN 'ended-a' THEN 200 WHEN 'ended-b' THEN 100 END;");

	assert_int_equal(store_page_list(f->s, &pages, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(pages[i].slug, want[i]);
	assert_int_equal(pages[0].status, MODEL_STATUS_LIVE);
	assert_int_equal(pages[2].status, MODEL_STATUS_UPCOMING);
	assert_int_equal(pages[4].status, MODEL_STATUS_ENDED);
	assert_int_equal(pages[4].summary.n_points, 2); /* filled completely */
	assert_int_equal(pages[4].last_seq, 2);
	model_pages_free(pages, n);
}

static void test_post_round_trip(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "posts"), other = create_page(f->s, "other");
	struct model_post in, out;
	struct model_page p;
	int64_t before;

	/* An old change time, so that the insert's bump is visible. */
	raw_exec(f->path, "UPDATE pages SET updated_at = 100;");
	before = (int64_t)time(NULL);
	sample_post(&in, "A tale of two summits", 1739788620);
	in.key_event = 1;
	assert_int_equal(store_post_insert(f->s, 0, page, &in), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_true(p.updated_at >= before);
	model_page_cleanup(&p);
	assert_int_equal(store_page_get_by_id(f->s, other, &p), 0);
	assert_int_equal(p.updated_at, 100); /* only the changed page moves */
	model_page_cleanup(&p);
	assert_true(in.id > 0);
	assert_int_equal(in.page_id, page);
	assert_int_equal(in.updated_at, in.published_at);

	assert_int_equal(store_post_get(f->s, page, in.id, &out), 0);
	assert_int_equal(out.id, in.id);
	assert_int_equal(out.page_id, page);
	assert_int_equal(out.published_at, 1739788620);
	assert_int_equal(out.updated_at, 1739788620);
	assert_int_equal(out.pinned, 0);
	assert_int_equal(out.key_event, 1);
	assert_int_equal(out.version, 1);
	assert_null(out.correction);
	assert_int_equal(out.correction_at, 0);
	assert_int_equal(in.version, 1);
	assert_post_body_equal(&out, &in);
	model_post_cleanup(&out);

	/* No time given: now. */
	before = (int64_t)time(NULL);
	sample_post(&in, "Now", 0);
	in.n_bylines = 0;
	in.n_blocks = 0;
	assert_int_equal(store_post_insert(f->s, 0, page, &in), 0);
	assert_int_equal(store_post_get(f->s, page, in.id, &out), 0);
	assert_true(out.published_at >= before && out.published_at <= (int64_t)time(NULL));
	assert_int_equal(out.updated_at, out.published_at);
	assert_int_equal(out.n_bylines, 0);
	assert_int_equal(out.n_blocks, 0);
	model_post_cleanup(&out);

	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.n_posts, 2);
	assert_int_equal(p.last_seq, 3);
	model_page_cleanup(&p);

	/* The wrong page hides the post. */
	assert_int_equal(store_post_get(f->s, other, in.id, &out), STORE_ENOTFOUND);
	assert_int_equal(store_post_get(f->s, page, 12345, &out), STORE_ENOTFOUND);
}

/* A fault after the change is written but before its log row: the change must
 * not survive without its entry, inside or outside an outer transaction. */
static void test_fault_in_change_log(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "fault"), changes;
	char *points[] = { "new point" };
	struct model_summary sum = { .points = points, .n_points = 1 };
	struct model_post post;
	struct model_page p;

	raw_exec(f->path, "CREATE TRIGGER fault BEFORE INSERT ON changes"
		 " WHEN NEW.kind IN ('summary', 'post')"
		 " BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
	changes = last_change(f->s);

	sample_post(&post, "lost", 100);
	assert_int_equal(store_post_insert(f->s, 0, page, &post), STORE_ERR);
	assert_non_null(strstr(store_errmsg(f->s), "injected fault"));
	assert_int_equal(store_page_set_summary(f->s, 0, page, &sum), STORE_ERR);

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_page_set_status(f->s, 0, page, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_page_set_summary(f->s, 0, page, &sum), STORE_ERR);
	assert_int_equal(store_commit(f->s), 0);

	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.n_posts, 0);
	assert_int_equal(p.summary.n_points, 2); /* the original summary */
	assert_int_equal(p.status, MODEL_STATUS_ENDED);
	assert_int_equal(p.last_seq, 2);
	model_page_cleanup(&p);
	assert_int_equal(last_change(f->s), changes + 1);

	raw_exec(f->path, "DROP TRIGGER fault;");
	assert_int_equal(store_page_set_summary(f->s, 0, page, &sum), 0);
	assert_int_equal(last_change(f->s), changes + 2);
}

static void test_reopen_keeps_data(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "durable"), post = insert_post(f->s, page, "p", 100);
	struct model_post out;
	char err[256];

	for (int i = 0; i < 2; i++) {
		store_close(f->s);
		f->s = store_open(f->path, err, sizeof(err));
		if (!f->s)
			fail_msg("reopen: %s", err);
		assert_int_equal(store_post_get(f->s, page, post, &out), 0);
		assert_string_equal(out.title, "p");
		assert_int_equal(out.n_blocks, sizeof(sample_blocks) / sizeof(sample_blocks[0]));
		model_post_cleanup(&out);
	}
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 8);
	assert_int_equal(last_change(f->s), 2);
}

/* Migration 1 as released, with a page and a post. */
static const char v1_schema[] =
	UNIT_SCHEMA_V1_TABLES
	"PRAGMA user_version = 1;"
	"INSERT INTO pages (id, slug, title, zone, status, last_seq, created_at, updated_at)"
	"  VALUES (1, 'old-page', 'Old', 'Europe/London', 1, 2, 10, 20);"
	"INSERT INTO posts (id, page_id, title, published_at, updated_at, body_json)"
	"  VALUES (1, 1, 'Old post', 20, 20, '[{\"type\":\"paragraph\",\"text\":\"hi\"}]');"
	"INSERT INTO changes (page_id, seq, kind, post_id, at) VALUES (1, 1, 'page', 0, 10),"
	"  (1, 2, 'post', 1, 20);";

static void test_upgrade_from_v1(void **state)
{
	struct store_search_hit *hits;
	char path[128], err[256];
	size_t n;
	struct model_post out;
	struct model_page p;
	struct store *s;

	(void)state;
	unit_temp_db(path, sizeof(path));
	raw_exec(path, v1_schema);
	s = store_open(path, err, sizeof(err));
	if (!s)
		fail_msg("upgrade: %s", err);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 8);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
				 " AND name = 'posts_page_order'"), 1);
	/* Migration 6: the media's bytes, one row a file, found by the record's
	 * name too. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master"
				 " WHERE (type = 'table' AND name = 'media_files')"
				 " OR (type = 'index' AND name = 'media_files_name')"), 2);
	raw_exec(path, "INSERT INTO media_files (file, name, data)"
		 " VALUES ('0123456789abcdef0123456789abcdef-640.webp',"
		 " '0123456789abcdef0123456789abcdef', x'00ff')");
	assert_int_equal(raw_int(path, "SELECT length(data) FROM media_files"), 2);
	/* The old log has no stored events: the workers render those. */
	assert_true(raw_int(path, "SELECT count(*) FROM changes") > 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM changes"
				 " WHERE event IS NOT NULL OR text IS NOT NULL"), 0);
	assert_int_equal(store_page_get(s, "old-page", &p), 0);
	assert_int_equal(p.last_seq, 2);
	assert_int_equal(p.n_posts, 1);
	assert_int_equal(p.summary.n_points, 0);
	assert_int_equal(p.published, 1); /* pages from before were public: they stay so */
	model_page_cleanup(&p);
	assert_int_equal(store_page_get_public(s, "old-page", &p), 0);
	model_page_cleanup(&p);
	assert_int_equal(store_post_get(s, 1, 1, &out), 0);
	assert_string_equal(out.blocks[0].text, "hi");
	model_post_cleanup(&out);
	/* Migration 7: the posts from before are in the search index, by title
	 * (the migration's rebuild) and by body (filled as the store opened). */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM posts WHERE search_text IS NULL"), 0);
	assert_int_equal(store_post_search(s, 1, "hi", 20, 0, &hits, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].post_id, 1);
	assert_string_equal(hits[0].snippet, "\x01hi\x02");
	store_search_hits_free(hits, n);
	assert_int_equal(store_post_search(s, 1, "old", 20, 0, &hits, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].title, "\x01Old\x02 post");
	store_search_hits_free(hits, n);
	/* The log carries on from the old entries. */
	assert_int_equal(store_page_set_status(s, 0, 1, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_page_get(s, "old-page", &p), 0);
	assert_int_equal(p.last_seq, 3);
	model_page_cleanup(&p);
	store_close(s);
	unit_remove_db(path);
}

static void test_newer_schema_refused(void **state)
{
	char path[128], err[256] = "";

	(void)state;
	unit_temp_db(path, sizeof(path));
	raw_exec(path, "PRAGMA user_version = 99;");
	assert_null(store_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "99"));
	unit_remove_db(path);

	/* Not a database at all. */
	{
		FILE *fp = fopen(path, "wb");

		assert_non_null(fp);
		for (int i = 0; i < 64; i++)
			fputs("this is not a database file; ", fp);
		fclose(fp);
	}
	err[0] = '\0';
	assert_null(store_open(path, err, sizeof(err)));
	assert_true(strlen(err) > 0);
	unit_remove_db(path);

	err[0] = '\0';
	assert_null(store_open("/nonexistent-dir/x/y.db", err, sizeof(err)));
	assert_true(strlen(err) > 0);
}

static void test_corrupt_stored_json(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "corrupt"), post = insert_post(f->s, page, "p", 100);
	struct model_page *pages;
	struct model_post out, *posts;
	size_t n;

	raw_exec(f->path, "UPDATE posts SET body_json = '[{\"type\":\"video\"}]';");
	assert_int_equal(store_post_get(f->s, page, post, &out), STORE_ERR);
	assert_non_null(strstr(store_errmsg(f->s), "unknown type"));
	assert_int_equal(store_post_range(f->s, page, 0, 20, &posts, &n), STORE_ERR);

	raw_exec(f->path, "UPDATE posts SET body_json = '[]', bylines_json = '{not json';");
	assert_int_equal(store_post_get(f->s, page, post, &out), STORE_ERR);

	raw_exec(f->path, "UPDATE posts SET bylines_json = '[]';"
		 "UPDATE pages SET summary_json = '{\"points\":[1]}';");
	assert_int_equal(store_post_get(f->s, page, post, &out), 0);
	model_post_cleanup(&out);
	assert_int_equal(store_page_get_by_id(f->s, page, &(struct model_page){ 0 }), STORE_ERR);
	assert_non_null(strstr(store_errmsg(f->s), "summary"));
	assert_int_equal(store_page_list(f->s, &pages, &n), STORE_ERR);

	/* A status out of range, written by something else, is an error too. */
	raw_exec(f->path, "UPDATE pages SET summary_json = '{\"points\":[]}';"
		 "PRAGMA ignore_check_constraints = 1; UPDATE pages SET status = 9;");
	assert_int_equal(store_page_get_by_id(f->s, page, &(struct model_page){ 0 }), STORE_ERR);
}

/* A list whose later row cannot be read fails whole: what was read before it
 * is freed (the sanitizer build checks that nothing leaks or is freed twice),
 * the caller's pointers are left as they were, and the reason names the row.
 * A lookup that fails leaves its out-parameter as it was. */
static void test_list_fails_after_rows(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "midway"), newest;
	struct model_post *posts = (struct model_post *)&page, out = { .id = -7 };
	struct store_change *ch = (struct store_change *)&page;
	char sql[200];
	size_t n = 99;

	insert_post(f->s, page, "one", 100);
	insert_post(f->s, page, "two", 200);
	newest = insert_post(f->s, page, "three", 300);
	snprintf(sql, sizeof(sql), "UPDATE posts SET body_json = '{not json' WHERE id = %lld;",
		 (long long)newest);
	raw_exec(f->path, sql);
	/* Read oldest first: two posts come before the bad one. */
	assert_int_equal(store_post_range(f->s, page, 0, 20, &posts, &n), STORE_ERR);
	snprintf(sql, sizeof(sql), "post %lld", (long long)newest);
	assert_non_null(strstr(store_errmsg(f->s), sql));
	assert_ptr_equal(posts, (struct model_post *)&page);
	assert_int_equal(n, 99);
	assert_int_equal(store_post_get(f->s, page, newest, &out), STORE_ERR);
	assert_int_equal(out.id, -7);
	assert_null(out.title);

	/* The change log: the last entry's kind is one this build does not know. */
	raw_exec(f->path, "UPDATE changes SET kind = 'bogus' WHERE id = (SELECT max(id) FROM changes);");
	assert_int_equal(store_changes_since(f->s, 0, 100, &ch, &n), STORE_ERR);
	assert_non_null(strstr(store_errmsg(f->s), "unknown kind"));
	assert_ptr_equal(ch, (struct store_change *)&page);
	assert_int_equal(n, 99);
}

/* The store on a file says so; DB-notify deleted under a watching store: the
 * watch is reported lost (-1, no descriptor), the next commit makes the file
 * again, and store_wake_tick() watches it again, so a later commit by another
 * connection wakes the store again. */
static void test_wake_watch_lost_and_remade(void **state)
{
	struct unit_db *f = *state;
	char notify[160], err[256];
	struct store *other;
	int fd, tries;

	assert_string_equal(store_backend_name(f->s), "sqlite");
	snprintf(notify, sizeof(notify), "%s-notify", f->path);
	fd = store_wake_fd(f->s);
	assert_true(fd >= 0);
	assert_int_equal(unlink(notify), 0);
	assert_true(wait_readable(fd));
	/* Deleting the file is seen; then IN_IGNORED, the watch gone, may come in
	 * the same read or the next. */
	tries = 0;
	while (store_wake_drain(f->s) >= 0 && tries++ < 100)
		assert_true(wait_readable(fd));
	assert_int_equal(store_wake_fd(f->s), -1);
	assert_int_equal(store_wake_drain(f->s), 0);
	/* The next commit that adds to the log makes it again (touched by its
	 * path, not through a descriptor of the deleted file)... */
	assert_int_equal(access(notify, F_OK), -1);
	create_page(f->s, "while-the-watch-was-lost");
	assert_int_equal(access(notify, F_OK), 0);
	/* ...and the tick, after its backoff, watches it again. */
	other = store_open_existing(f->path, err, sizeof(err));
	if (!other)
		fail_msg("second store: %s", err);
	for (tries = 0; store_wake_fd(f->s) < 0 && tries < 200; tries++) {
		struct timespec ts = { 0, 100 * 1000000L };

		store_wake_tick(f->s);
		nanosleep(&ts, NULL);
	}
	fd = store_wake_fd(f->s);
	assert_true(fd >= 0);
	create_page(other, "after-the-watch-came-back");
	assert_true(wait_readable(fd));
	assert_int_equal(store_wake_drain(f->s), 1);
	store_close(other);
}

/* Only store_open() creates; store_open_existing() leaves a missing path as it
 * was, DB-notify included. */
static void test_open_existing_creates_nothing(void **state)
{
	char path[128], notify[160], err[256] = "";
	struct store *s;

	(void)state;
	unit_temp_db(path, sizeof(path));
	unit_remove_db(path);
	assert_null(store_open_existing(path, err, sizeof(err)));
	assert_non_null(strstr(err, "no database at"));
	assert_int_equal(access(path, F_OK), -1);
	snprintf(notify, sizeof(notify), "%s-notify", path);
	assert_int_equal(access(notify, F_OK), -1);
	s = store_open(path, err, sizeof(err));
	assert_non_null(s);
	store_close(s);
	s = store_open_existing(path, err, sizeof(err));
	assert_non_null(s);
	store_close(s);
	unit_remove_db(path);
}

/* A database file deleted, or replaced, under an open store: SQLite would go on
 * writing to the open file; the store refuses. */
static void test_write_refused_when_file_moved(void **state)
{
	char path[128], other[160], err[256];
	struct model_page p = { 0 };
	struct store *s, *o;

	(void)state;
	unit_temp_db(path, sizeof(path));
	s = store_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(store_check_file(s), 0);
	create_page(s, "kept");
	/* replaced: another database moved over the path */
	snprintf(other, sizeof(other), "%s.other", path);
	o = store_open(other, err, sizeof(err));
	assert_non_null(o);
	store_close(o);
	assert_int_equal(rename(other, path), 0);
	assert_int_equal(store_check_file(s), STORE_EMOVED);
	assert_non_null(strstr(store_errmsg(s), "deleted or replaced"));
	p.slug = "refused";
	p.title = "Refused";
	p.zone = "Europe/London";
	assert_int_equal(store_page_create(s, 0, &p), STORE_EMOVED);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_page_set_status(s, 0, 1, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_commit(s), STORE_EMOVED);
	store_close(s);
	/* deleted */
	s = store_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(store_check_file(s), STORE_EMOVED);
	assert_int_equal(store_page_set_status(s, 0, 1, MODEL_STATUS_ENDED), STORE_EMOVED);
	store_close(s);
	unit_remove_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_list_order, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_round_trip, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_fault_in_change_log, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, unit_db_setup, unit_db_teardown),
		cmocka_unit_test(test_upgrade_from_v1),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test_setup_teardown(test_corrupt_stored_json, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_wake_watch_lost_and_remade, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test(test_open_existing_creates_nothing),
		cmocka_unit_test(test_write_refused_when_file_moved),
		cmocka_unit_test_setup_teardown(test_list_fails_after_rows, unit_db_setup,
						unit_db_teardown),
	};

	log_set_level(LOG_LEVEL_WARN); /* schema upgrades on every fresh file are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
