/*
 * Unit tests for util/stats.c: the shared counters. A slot taken over by a
 * new worker keeps its counters and starts its gauges from zero; the master's
 * note of a dead worker zeroes its gauges; the per-page rows stop at
 * STATS_PAGES and count the rest as "other"; statuses outside the list share
 * one row; the histogram's buckets; the publish time found from a commit note
 * and not without one; readiness that goes stale. Every call is a no-op in a
 * process without a region.
 */
#include "unit.h"

#include <sys/mman.h>

#include "util/stats.h"

static int setup(void **state)
{
	(void)state;
	assert_int_equal(stats_open(2), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	stats_close();
	return 0;
}

static void test_no_region_no_op(void **state)
{
	int64_t lag = 5;

	(void)state;
	stats_close();
	assert_null(stats_region());
	stats_count(STATS_EVENTS_SENT, 3);
	stats_streams_add(-1, 1);
	stats_request(STATS_ROUTE_PAGE, 200);
	stats_commit_note(1, 2);
	stats_publish_observe(1);
	assert_int_equal(stats_page_index("demo"), -1);
	assert_int_equal(stats_ready_get(&lag), STATS_READY);
	assert_int_equal(lag, 0);
	assert_int_equal(stats_open(2), 0);
}

static void test_restart_keeps_counters_zeroes_gauges(void **state)
{
	struct stats_region *r = stats_region();
	int page;

	(void)state;
	stats_attach(1);
	stats_count(STATS_EVENTS_SENT, 7);
	stats_request(STATS_ROUTE_PAGE, 404);
	page = stats_page_index("demo");
	assert_int_equal(page, 0);
	stats_streams_add(page, 1);
	stats_streams_add(page, 1);
	stats_gauge_set(STATS_CONNECTIONS, 4);
	assert_int_equal(atomic_load(&r->slot[1].gauge[STATS_STREAMS]), 2);
	assert_int_equal(atomic_load(&r->slot[1].pages[0].streams), 2);
	assert_int_equal(atomic_load(&r->slot[1].pid), (int)getpid());
	/* The worker dies: the master zeroes what it had open. */
	stats_slot_ended(1);
	assert_int_equal(atomic_load(&r->slot[1].pid), 0);
	assert_int_equal(atomic_load(&r->slot[1].gauge[STATS_STREAMS]), 0);
	assert_int_equal(atomic_load(&r->slot[1].gauge[STATS_CONNECTIONS]), 0);
	assert_int_equal(atomic_load(&r->slot[1].n_pages), 0);
	/* Its successor counts on from where it stopped. */
	stats_attach(1);
	stats_note_restart();
	stats_count(STATS_EVENTS_SENT, 1);
	assert_int_equal(atomic_load(&r->slot[1].counter[STATS_EVENTS_SENT]), 8);
	assert_int_equal(atomic_load(&r->slot[1].requests[STATS_ROUTE_PAGE]
						   [stats_status_index(404)]), 1);
	assert_int_equal(atomic_load(&r->restarts), 1);
	assert_int_equal(atomic_load(&r->slot[0].counter[STATS_EVENTS_SENT]), 0);
}

/* A process that exec()s (a worker started from a new binary) maps the same
 * region from the descriptor it inherited: what it counts, the master sees. */
static void test_region_reached_through_its_fd(void **state)
{
	struct stats_region *r = stats_region();
	int fd = dup(stats_fd());
	struct stats_region *again;

	(void)state;
	assert_true(fd >= 0);
	again = mmap(NULL, sizeof(*again), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(again != MAP_FAILED);
	atomic_fetch_add(&again->slot[1].counter[STATS_CACHE_HITS], 3);
	assert_int_equal(atomic_load(&r->slot[1].counter[STATS_CACHE_HITS]), 3);
	munmap(again, sizeof(*again));
	/* stats_map() on a process without a region: the same pages. */
	stats_close();
	assert_int_equal(stats_map(fd), 0);
	assert_int_equal(atomic_load(&stats_region()->slot[1].counter[STATS_CACHE_HITS]), 3);
	assert_int_equal(stats_fd(), -1); /* the caller keeps the descriptor it gave */
	stats_close();
	close(fd);
	assert_int_equal(stats_open(2), 0);
}

static void test_pages_bounded(void **state)
{
	struct stats_region *r = stats_region();
	char slug[32];

	(void)state;
	stats_attach(0);
	for (int i = 0; i < STATS_PAGES; i++) {
		snprintf(slug, sizeof(slug), "page-%d", i);
		assert_int_equal(stats_page_index(slug), i);
	}
	assert_int_equal(stats_page_index("one-too-many"), -1);
	stats_streams_add(-1, 3);
	stats_streams_add(5, 1);
	assert_int_equal(atomic_load(&r->slot[0].other_streams), 3);
	assert_int_equal(atomic_load(&r->slot[0].gauge[STATS_STREAMS]), 4);
	assert_string_equal(r->slot[0].pages[5].slug, "page-5");
}

static void test_statuses(void **state)
{
	(void)state;
	assert_int_equal(stats_status_code(stats_status_index(200)), 200);
	assert_int_equal(stats_status_code(stats_status_index(503)), 503);
	assert_int_equal(stats_status_index(299), STATS_STATUSES - 1);
	assert_int_equal(stats_status_index(999), STATS_STATUSES - 1);
	assert_int_equal(stats_status_code(STATS_STATUSES - 1), 0);
	/* The list and its count agree: every code maps to itself. */
	for (unsigned i = 0; i < STATS_STATUSES - 1; i++)
		assert_int_equal(stats_status_index(stats_status_code(i)), i);
}

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(stats_bucket_of(0), 0);
	assert_int_equal(stats_bucket_of(1000), 0);      /* le 0.001: inclusive */
	assert_int_equal(stats_bucket_of(1001), 1);
	assert_int_equal(stats_bucket_of(30000), 5);     /* 30 ms: le 0.05 */
	assert_int_equal(stats_bucket_of(10000000), STATS_BUCKETS - 1);
	assert_int_equal(stats_bucket_of(10000001), STATS_BUCKETS);
	for (unsigned b = 1; b < STATS_BUCKETS; b++)
		assert_true(stats_bucket_le[b] > stats_bucket_le[b - 1]);
}

static void test_publish_observed_from_commit_note(void **state)
{
	struct stats_region *r = stats_region();
	unsigned long long n = 0;

	(void)state;
	stats_attach(0);
	stats_commit_note(10, 12);
	stats_publish_observe(11);
	stats_publish_observe(13); /* no note: a command's or another node's */
	for (unsigned b = 0; b <= STATS_BUCKETS; b++)
		n += atomic_load(&r->slot[0].hist[b]);
	assert_int_equal(n, 1);
	/* Just noted: well inside the first buckets. */
	assert_true(atomic_load(&r->slot[0].hist_sum_us) < 1000000);
	/* The notes are a ring: older ones make way. */
	for (int i = 0; i < STATS_COMMITS; i++)
		stats_commit_note(100 + i, 100 + i);
	stats_publish_observe(11);
	n = 0;
	for (unsigned b = 0; b <= STATS_BUCKETS; b++)
		n += atomic_load(&r->slot[0].hist[b]);
	assert_int_equal(n, 1);
}

static void test_readiness(void **state)
{
	struct stats_region *r = stats_region();
	int64_t lag = -1;

	(void)state;
	stats_attach(0);
	assert_int_equal(stats_ready_get(&lag), STATS_UNREADY_UNCHECKED);
	stats_ready_set(STATS_READY, 3);
	assert_int_equal(stats_ready_get(&lag), STATS_READY);
	assert_int_equal(lag, 3);
	stats_ready_set(STATS_UNREADY_STORE, 0);
	assert_int_equal(stats_ready_get(&lag), STATS_UNREADY_STORE);
	/* A check older than STATS_READY_STALE_S no longer counts. */
	stats_ready_set(STATS_READY, 0);
	atomic_fetch_sub(&r->slot[0].checked_ms, (STATS_READY_STALE_S + 1) * 1000LL);
	assert_int_equal(stats_ready_get(&lag), STATS_UNREADY_UNCHECKED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_region_no_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_counters_zeroes_gauges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_region_reached_through_its_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buckets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_observed_from_commit_note, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readiness, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
