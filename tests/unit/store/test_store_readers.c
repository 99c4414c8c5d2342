/*
 * Unit tests for the readers of each page (store.h: store_readers_put,
 * store_readers_sum), on any backend: the sum is over workers and per page, a
 * worker's write replaces its earlier one, rows not written lately are left
 * out (a worker that died stops counting), a worker writing nothing removes
 * its rows, and none of it reaches the change log. Workers are separate store
 * connections, as they are separate processes (or nodes) in a server.
 */
#include "unit_store.h"

#include <stdlib.h>

#include "store/store.h"
#include "util/log.h"

#include "store_samples.h"

/* The sum of page_id in `v`, or 0 when the page is not listed. */
static int64_t readers_of(const struct store_readers *v, size_t n, int64_t page_id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].page_id == page_id)
			return v[i].readers;
	return 0;
}

static struct store *open_other(const struct unit_db *f)
{
	char err[256];
	struct store *s = store_open(f->path, err, sizeof(err));

	if (!s)
		fail_msg("store_open: %s", err);
	return s;
}

static void test_sum_over_workers_per_page(void **state)
{
	struct unit_db *f = *state;
	int64_t a = create_page(f->s, "harbour"), b = create_page(f->s, "summit");
	struct store *other = open_other(f);
	struct store_readers w1[] = { { a, 3 }, { b, 1 } }, w2[] = { { a, 4 }, { b, 0 } };
	struct store_readers *v;
	int64_t head = 0, head_after = 0;
	size_t n;

	assert_int_equal(store_last_change_id(f->s, &head), 0);
	assert_int_equal(store_readers_put(f->s, 11, 1000, w1, 2), 0);
	assert_int_equal(store_readers_put(other, 22, 1001, w2, 2), 0);

	assert_int_equal(store_readers_sum(f->s, 990, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(readers_of(v, n, a), 7);
	assert_int_equal(readers_of(v, n, b), 1);
	free(v);

	/* A worker's write replaces its own rows, not the other's. */
	w1[0].readers = 1;
	w1[1].readers = 0;
	assert_int_equal(store_readers_put(f->s, 11, 1002, w1, 2), 0);
	assert_int_equal(store_readers_sum(other, 990, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(readers_of(v, n, a), 5);
	assert_int_equal(readers_of(v, n, b), 0);
	free(v);

	/* Counting readers is not a change to any page. */
	assert_int_equal(store_last_change_id(f->s, &head_after), 0);
	assert_int_equal(head_after, head);
	store_close(other);
}

static void test_stale_rows_left_out(void **state)
{
	struct unit_db *f = *state;
	int64_t a = create_page(f->s, "harbour");
	struct store *other = open_other(f);
	struct store_readers live[] = { { a, 2 } }, dead[] = { { a, 40 } };
	struct store_readers *v;
	size_t n;

	/* Worker 22 last wrote long ago (it died); worker 11 is writing. */
	assert_int_equal(store_readers_put(other, 22, 1000, dead, 1), 0);
	assert_int_equal(store_readers_put(f->s, 11, 1000 + 2 * STORE_READERS_STALE_S, live, 1),
			 0);
	assert_int_equal(store_readers_sum(f->s, 1000 + STORE_READERS_STALE_S, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(readers_of(v, n, a), 2);
	free(v);
	/* ...while at the earlier time both counted. */
	assert_int_equal(store_readers_sum(f->s, 1000, &v, &n), 0);
	assert_int_equal(readers_of(v, n, a), 42);
	free(v);

	/* A write an hour later clears the dead worker's row for good. */
	assert_int_equal(store_readers_put(f->s, 11, 1000 + 3600 + 1, live, 1), 0);
	assert_int_equal(store_readers_sum(f->s, 0, &v, &n), 0);
	assert_int_equal(readers_of(v, n, a), 2);
	free(v);
	store_close(other);
}

static void test_empty_put_removes(void **state)
{
	struct unit_db *f = *state;
	int64_t a = create_page(f->s, "harbour");
	struct store_readers w[] = { { a, 5 } };
	struct store_readers *v = (struct store_readers *)&v;
	size_t n = 99;

	assert_int_equal(store_readers_sum(f->s, 0, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);

	assert_int_equal(store_readers_put(f->s, 11, 1000, w, 1), 0);
	assert_int_equal(store_readers_sum(f->s, 0, &v, &n), 0);
	assert_int_equal(readers_of(v, n, a), 5);
	free(v);
	/* A worker that stops (or has no readers left) says so with nothing. */
	assert_int_equal(store_readers_put(f->s, 11, 1001, NULL, 0), 0);
	assert_int_equal(store_readers_sum(f->s, 0, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
}

/* Inside a transaction of the caller's, the counts are refused rather than
 * committed with (or rolled back by) it. */
static void test_refused_in_transaction(void **state)
{
	struct unit_db *f = *state;
	struct store_readers w[] = { { 1, 5 } };

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_readers_put(f->s, 11, 1000, w, 1), STORE_EINVAL);
	store_rollback(f->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sum_over_workers_per_page, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_stale_rows_left_out, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_empty_put_removes, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_refused_in_transaction, unit_db_setup,
						unit_db_teardown),
	};

	log_set_level(LOG_LEVEL_WARN);
	printf("backend: %s\n", unit_store_backend());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
