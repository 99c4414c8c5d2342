/*
 * util/: buffers (caps, sticky errors, escaping) and time zones (names for an
 * instant, local wall time to UTC in both directions of a clock change).
 */
#include "unit.h"

#include "util/buf.h"
#include "util/tz.h"

static void test_buf_cap_is_sticky(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 8);
	buf_puts(&b, "12345");
	assert_int_equal(b.err, 0);
	buf_puts(&b, "6789");
	assert_int_equal(b.err, BUF_ETOOBIG);
	buf_puts(&b, "a");
	assert_int_equal(b.len, 5);
	assert_null(buf_detach(&b, NULL));
	buf_cleanup(&b);

	buf_init(&b, 1024);
	buf_printf(&b, "%d-%s", 42, "x");
	assert_string_equal(b.data, "42-x");
	buf_cleanup(&b);
}

static void test_buf_html_escape(void **state)
{
	struct buf b;
	(void)state;

	buf_init(&b, 1024);
	buf_html(&b, "<a href=\"x\" onclick='y'>&</a>");
	assert_string_equal(b.data,
			    "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
	buf_cleanup(&b);
}

static void test_tz_names(void **state)
{
	struct tz_view v;
	int64_t t;
	(void)state;

	assert_true(tz_valid("Europe/London"));
	assert_false(tz_valid("Mars/Base"));
	assert_false(tz_valid(""));
	assert_int_equal(tz_local_to_utc("Europe/London", 2025, 2, 17, 10, 37, 0, &t), 0);
	assert_int_equal(t, 1739788620);
	assert_int_equal(tz_view("Europe/London", t, &v), 0);
	assert_string_equal(v.hm, "10:37");
	assert_string_equal(v.zone_short, "GMT");
	assert_string_equal(v.zone_long, "Greenwich Mean Time");
	assert_string_equal(v.day_month, "17 February");
	assert_string_equal(v.iso, "2025-02-17T10:37:00Z");
	assert_int_equal(tz_local_to_utc("Europe/London", 2025, 7, 1, 9, 0, 0, &t), 0);
	assert_int_equal(tz_view("Europe/London", t, &v), 0);
	assert_string_equal(v.zone_short, "BST");
	assert_string_equal(v.zone_long, "British Summer Time");
	assert_string_equal(v.iso, "2025-07-01T08:00:00Z");
	assert_int_equal(tz_view("Europe/Paris", t, &v), 0);
	assert_string_equal(v.zone_long, "Central European Summer Time");
	assert_string_equal(v.hm, "10:00");
}

static void test_tz_clock_changes(void **state)
{
	int64_t first, second;
	struct tz_view v;
	(void)state;

	/* 01:30 on 30 March 2025 does not exist in London */
	assert_int_equal(tz_local_to_utc("Europe/London", 2025, 3, 30, 1, 30, 0, &first), -1);
	/* 01:30 on 26 October 2025 happens twice, an hour apart */
	assert_int_equal(tz_local_to_utc("Europe/London", 2025, 10, 26, 1, 30, 0, &first), 0);
	assert_int_equal(tz_local_to_utc("Europe/London", 2025, 10, 26, 1, 30, 1, &second), 0);
	assert_int_equal(second - first, 3600);
	assert_int_equal(tz_view("Europe/London", first, &v), 0);
	assert_string_equal(v.zone_long, "British Summer Time");
	assert_int_equal(tz_view("Europe/London", second, &v), 0);
	assert_string_equal(v.zone_long, "Greenwich Mean Time");
	assert_int_equal(tz_local_to_utc("Europe/London", 2025, 2, 30, 9, 0, 0, &first), -1);
}

/* tz_view keeps the formats of a few zones open: more zones than it keeps,
 * taken in turn and again, must give the same answers as the first time, and
 * an unknown zone in between must neither succeed nor disturb the others. */
static void test_tz_many_zones(void **state)
{
	static const struct {
		const char *zone, *hm, *zone_short, *day_month;
		int day;
	} want[] = {
		{ "Europe/London", "23:30", "GMT", "31 December", 31 },
		{ "Europe/Paris", "00:30", "CET", "1 January", 1 },
		{ "America/New_York", "18:30", "GMT-5", "31 December", 31 },
		{ "Asia/Tokyo", "08:30", "GMT+9", "1 January", 1 },
		{ "Asia/Kolkata", "05:00", "GMT+5:30", "1 January", 1 },
		{ "Australia/Sydney", "10:30", "GMT+11", "1 January", 1 },
		{ "UTC", "23:30", "UTC", "31 December", 31 },
	};
	const int64_t t = 1735687800; /* 2024-12-31T23:30:00Z */
	struct tz_view v;
	(void)state;

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			assert_int_equal(tz_view(want[i].zone, t, &v), 0);
			assert_string_equal(v.hm, want[i].hm);
			assert_string_equal(v.zone_short, want[i].zone_short);
			assert_string_equal(v.day_month, want[i].day_month);
			assert_int_equal(v.day, want[i].day);
			assert_string_equal(v.iso, "2024-12-31T23:30:00Z");
			assert_int_equal(tz_view("Mars/Base", t, &v), -1);
			assert_string_equal(v.hm, "");
		}
	}
}

/* tz_view remembers its answers by instant: asked again, in another order and
 * with more instants than it keeps (so that they share its slots), it must
 * give the same answers, across a clock change. */
static void test_tz_remembered_answers(void **state)
{
	enum { N = 216 };
	const int64_t from = 1743206400; /* 2025-03-29T00:00:00Z; clocks go forward on the 30th */
	static struct tz_view first[N];
	struct tz_view v;
	char hm[16];
	(void)state;

	assert_int_equal(tz_prepare("Europe/London"), 0);
	assert_int_equal(tz_prepare("Mars/Base"), -1);
	for (int i = 0; i < N; i++) {
		assert_int_equal(tz_view("Europe/London", from + i * 1200, &first[i]), 0);
		snprintf(hm, sizeof(hm), "%02d:%02d", first[i].hour, first[i].minute);
		assert_string_equal(first[i].hm, hm);
	}
	for (int i = N - 1; i >= 0; i--) {
		assert_int_equal(tz_view("Europe/London", from + i * 1200, &v), 0);
		assert_memory_equal(&v, &first[i], sizeof(v));
		/* Another zone in between must not answer for this one. */
		assert_int_equal(tz_view("Europe/Paris", from + i * 1200, &v), 0);
		assert_int_not_equal(v.hour, first[i].hour);
	}
	/* 2025-03-30T00:40:00Z is 00:40 GMT; an hour later it is 02:40 BST. */
	assert_string_equal(first[72 + 2].hm, "00:40");
	assert_string_equal(first[72 + 2].zone_short, "GMT");
	assert_string_equal(first[72 + 5].hm, "02:40");
	assert_string_equal(first[72 + 5].zone_short, "BST");
}

static void test_tz_parse_iso(void **state)
{
	int64_t t;
	(void)state;

	assert_int_equal(tz_parse_iso("2025-02-17T10:37:00Z", "UTC", &t), 0);
	assert_int_equal(t, 1739788620);
	assert_int_equal(tz_parse_iso("2025-02-17T11:37+01:00", "UTC", &t), 0);
	assert_int_equal(t, 1739788620);
	assert_int_equal(tz_parse_iso("2025-07-01T09:00", "Europe/London", &t), 0);
	assert_int_equal(t, 1751356800);
	assert_int_equal(tz_parse_iso("2025-02-17", "UTC", &t), -1);
	assert_int_equal(tz_parse_iso("2025-02-17T10:37:00Q", "UTC", &t), -1);
	assert_int_equal(tz_parse_iso("yesterday", "UTC", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_cap_is_sticky),
		cmocka_unit_test(test_buf_html_escape),
		cmocka_unit_test(test_tz_names),
		cmocka_unit_test(test_tz_clock_changes),
		cmocka_unit_test(test_tz_many_zones),
		cmocka_unit_test(test_tz_remembered_answers),
		cmocka_unit_test(test_tz_parse_iso),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
