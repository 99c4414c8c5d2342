/*
 * Unit tests for http_metrics.c: the Prometheus text the shared counters are
 * rendered to. Label values escaped (backslash, double quote, newline) and
 * nothing else touched; the histogram cumulative, ending in +Inf equal to
 * _count; counters summed over the workers and per-worker gauges labelled;
 * the per-page rows summed across workers by page; requests labelled by
 * route names from the router, so that hostile paths all fall in a few rows.
 */
#include "unit.h"

#include "http/http_metrics.h"

static char *render(void)
{
	struct buf b;
	char *text;
	size_t len;

	buf_init(&b, HTTP_METRICS_MAX);
	http_metrics_render(&b, stats_region());
	assert_int_equal(b.err, 0);
	text = buf_detach(&b, &len);
	assert_non_null(text);
	return text;
}

static void assert_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void test_label_escaping(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	http_metrics_label(&b, "a\"b\\c\nd");
	buf_putc(&b, '\0');
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\"");
	buf_reset(&b);
	http_metrics_label(&b, "plain-slug_ünï {}=,");
	buf_putc(&b, '\0');
	assert_string_equal(b.data, "\"plain-slug_ünï {}=,\"");
	buf_reset(&b);
	http_metrics_label(&b, "");
	buf_putc(&b, '\0');
	assert_string_equal(b.data, "\"\"");
	buf_cleanup(&b);
}

static void test_render_sums_and_labels(void **state)
{
	char *text;
	int p;

	(void)state;
	assert_int_equal(stats_open(2), 0);
	stats_attach(0);
	stats_count(STATS_EVENTS_SENT, 5);
	p = stats_page_index("demo");
	stats_streams_add(p, 1);
	stats_streams_add(stats_page_index("a\"b"), 1);
	stats_request(STATS_ROUTE_PAGE, 200);
	stats_request(STATS_ROUTE_OTHER, 404);
	stats_request(STATS_ROUTE_OTHER, 299); /* not in the list: "other" */
	stats_attach(1);
	stats_count(STATS_EVENTS_SENT, 2);
	p = stats_page_index("demo");
	stats_streams_add(p, 1);
	stats_streams_add(p, 1);
	stats_request(STATS_ROUTE_PAGE, 200);
	stats_ready_set(STATS_READY, 4);
	text = render();
	assert_has_line(text, "# HELP liveline_events_sent_total Events written whole to stream readers.");
	assert_has_line(text, "# TYPE liveline_events_sent_total counter");
	assert_has_line(text, "liveline_events_sent_total 7");
	assert_has_line(text, "# TYPE liveline_streams_open gauge");
	assert_has_line(text, "liveline_streams_open 4");
	assert_has_line(text, "liveline_worker_streams_open{worker=\"0\"} 2");
	assert_has_line(text, "liveline_worker_streams_open{worker=\"1\"} 2");
	assert_has_line(text, "liveline_page_streams_open{page=\"demo\"} 3");
	assert_has_line(text, "liveline_page_streams_open{page=\"a\\\"b\"} 1");
	assert_has_line(text, "liveline_requests_total{route=\"page\",status=\"200\"} 2");
	assert_has_line(text, "liveline_requests_total{route=\"other\",status=\"404\"} 1");
	assert_has_line(text, "liveline_requests_total{route=\"other\",status=\"other\"} 1");
	assert_has_line(text, "liveline_changelog_lag_entries{worker=\"1\"} 4");
	assert_has_line(text, "liveline_workers 2");
	/* Rows with nothing are left out: no series until something happens. */
	assert_null(strstr(text, "status=\"500\""));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	stats_close();
}

static void test_histogram_cumulative(void **state)
{
	char *text;

	(void)state;
	assert_int_equal(stats_open(2), 0);
	stats_attach(0);
	atomic_store(&stats_region()->slot[0].hist[0], 2);  /* <= 1 ms */
	atomic_store(&stats_region()->slot[0].hist[5], 1);  /* <= 50 ms */
	atomic_store(&stats_region()->slot[1].hist[5], 1);
	atomic_store(&stats_region()->slot[1].hist[STATS_BUCKETS], 3); /* over 10 s */
	atomic_store(&stats_region()->slot[1].hist_sum_us, 1500000);
	text = render();
	assert_has_line(text, "# TYPE liveline_publish_to_send_seconds histogram");
	assert_has_line(text, "liveline_publish_to_send_seconds_bucket{le=\"0.001\"} 2");
	assert_has_line(text, "liveline_publish_to_send_seconds_bucket{le=\"0.025\"} 2");
	assert_has_line(text, "liveline_publish_to_send_seconds_bucket{le=\"0.05\"} 4");
	assert_has_line(text, "liveline_publish_to_send_seconds_bucket{le=\"10\"} 4");
	assert_has_line(text, "liveline_publish_to_send_seconds_bucket{le=\"+Inf\"} 7");
	assert_has_line(text, "liveline_publish_to_send_seconds_count 7");
	assert_has_line(text, "liveline_publish_to_send_seconds_sum 1.500000");
	free(text);
	stats_close();
}

static void test_routes_from_the_router(void **state)
{
	(void)state;
	assert_int_equal(http_metrics_route_of("/"), STATS_ROUTE_INDEX);
	assert_int_equal(http_metrics_route_of("/live/demo"), STATS_ROUTE_PAGE);
	assert_int_equal(http_metrics_route_of("/live/demo/posts/12"), STATS_ROUTE_POST);
	assert_int_equal(http_metrics_route_of("/live/demo/events"), STATS_ROUTE_EVENTS);
	assert_int_equal(http_metrics_route_of("/live/demo/changes"), STATS_ROUTE_CHANGES);
	assert_int_equal(http_metrics_route_of("/live/demo.txt"), STATS_ROUTE_TEXT);
	assert_int_equal(http_metrics_route_of("/live/demo/feed.atom"), STATS_ROUTE_FEED);
	assert_int_equal(http_metrics_route_of("/static/style.1.css"), STATS_ROUTE_STATIC);
	assert_int_equal(http_metrics_route_of("/media/x-640.jpg"), STATS_ROUTE_MEDIA);
	assert_int_equal(http_metrics_route_of("/healthz"), STATS_ROUTE_HEALTHZ);
	assert_int_equal(http_metrics_route_of("/readyz"), STATS_ROUTE_READYZ);
	assert_int_equal(http_metrics_route_of("/metrics"), STATS_ROUTE_METRICS);
	assert_int_equal(http_metrics_route_of("/api/v1/me"), STATS_ROUTE_API);
	assert_int_equal(http_metrics_route_of("/newsroom"), STATS_ROUTE_NEWSROOM);
	/* What the router would not serve is "other", whatever it holds. */
	assert_int_equal(http_metrics_route_of("/live/demo/nothing"), STATS_ROUTE_OTHER);
	assert_int_equal(http_metrics_route_of("/live/\"}\n"), STATS_ROUTE_OTHER);
	assert_int_equal(http_metrics_route_of("/metricsx"), STATS_ROUTE_OTHER);
	assert_int_equal(http_metrics_route_of("/newsroomx"), STATS_ROUTE_OTHER);
	assert_int_equal(http_metrics_route_of(""), STATS_ROUTE_OTHER);
	assert_int_equal(http_metrics_route_of(NULL), STATS_ROUTE_OTHER);
	for (unsigned r = 0; r < STATS_ROUTES; r++)
		assert_non_null(http_metrics_route_name((enum stats_route)r));
	assert_string_equal(http_metrics_route_name(STATS_ROUTE_OTHER), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_render_sums_and_labels),
		cmocka_unit_test(test_histogram_cumulative),
		cmocka_unit_test(test_routes_from_the_router),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
