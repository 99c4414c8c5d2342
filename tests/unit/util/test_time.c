/*
 * util/time: the one ISO-8601 formatter, and the model's "0 is not set" rule on
 * top of it in model_json_time() (the JSON documents, the API and the streams).
 */
#include "unit.h"

#include <jansson.h>
#include <locale.h>

#include "model/model_json.h"
#include "util/time.h"

static void test_time_iso(void **state)
{
	char s[TIME_ISO_SIZE];
	(void)state;

	assert_int_equal(time_iso(1739788620, s), 0);
	assert_string_equal(s, "2025-02-17T10:37:00Z");
	assert_int_equal(time_iso(1, s), 0);
	assert_string_equal(s, "1970-01-01T00:00:01Z");
	assert_int_equal(time_iso(-1, s), 0);
	assert_string_equal(s, "1969-12-31T23:59:59Z");
	assert_int_equal(time_iso(253402300799, s), 0);
	assert_string_equal(s, "9999-12-31T23:59:59Z");
}

/* 0 is the epoch for the formatter: a defined answer, not an empty string. */
static void test_time_iso_zero_is_the_epoch(void **state)
{
	char s[TIME_ISO_SIZE];
	(void)state;

	assert_int_equal(time_iso(0, s), 0);
	assert_string_equal(s, "1970-01-01T00:00:00Z");
}

static void test_time_iso_out_of_range(void **state)
{
	char s[TIME_ISO_SIZE];
	(void)state;

	memset(s, 'x', sizeof(s));
	assert_int_equal(time_iso(INT64_MAX, s), -1);
	assert_string_equal(s, "");
	assert_int_equal(time_iso(INT64_MIN, s), -1);
	assert_string_equal(s, "");
}

/* The digits do not follow LC_TIME. */
static void test_time_iso_ignores_locale(void **state)
{
	char s[TIME_ISO_SIZE];
	(void)state;

	setlocale(LC_ALL, "");
	assert_int_equal(time_iso(1751356800, s), 0);
	assert_string_equal(s, "2025-07-01T08:00:00Z");
	setlocale(LC_ALL, "C");
}

/* In JSON, 0 is "not set": null, never "1970-01-01T00:00:00Z". */
static void test_model_json_time_zero_is_null(void **state)
{
	json_t *j;
	(void)state;

	j = model_json_time(0);
	assert_true(json_is_null(j));
	json_decref(j);
	j = model_json_time(INT64_MAX);
	assert_true(json_is_null(j));
	json_decref(j);
	j = model_json_time(1739788620);
	assert_string_equal(json_string_value(j), "2025-02-17T10:37:00Z");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_iso),
		cmocka_unit_test(test_time_iso_zero_is_the_epoch),
		cmocka_unit_test(test_time_iso_out_of_range),
		cmocka_unit_test(test_time_iso_ignores_locale),
		cmocka_unit_test(test_model_json_time_zero_is_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
