/*
 * The HTTP adapter's pure parts: If-None-Match against a cached entry's ETag
 * (http_etag_matches). RFC 9110 13.1.2: the header is "*" or a list of
 * entity-tags, compared weakly (W/"x" matches "x"); any tag of the list may be
 * the one that matches, and a tag matches only as a whole.
 */
#include "unit.h"

#include "http/http_internal.h"

#define ETAG "\"0a1b2c3d4e5f60718a\""

static void test_etag_single(void **state)
{
	(void)state;
	assert_true(http_etag_matches(ETAG, ETAG));
	assert_true(http_etag_matches(" " ETAG " ", ETAG));
	assert_false(http_etag_matches("", ETAG));
	assert_false(http_etag_matches("\"other\"", ETAG));
	assert_false(http_etag_matches("0a1b2c3d4e5f60718a", ETAG)); /* not quoted */
	assert_false(http_etag_matches("\"0a1b2c3d4e5f60718a", ETAG)); /* unterminated */
}

static void test_etag_list(void **state)
{
	(void)state;
	/* The real tag anywhere in the list: not only the first is compared. */
	assert_true(http_etag_matches("\"x\", " ETAG, ETAG));
	assert_true(http_etag_matches("\"x\"," ETAG, ETAG));
	assert_true(http_etag_matches("\"x\" ,\t" ETAG, ETAG));
	assert_true(http_etag_matches("\"x\", \"y\", " ETAG ", \"z\"", ETAG));
	assert_true(http_etag_matches(ETAG ", \"x\"", ETAG));
	assert_true(http_etag_matches("\"a,b\", " ETAG, ETAG)); /* a comma inside a tag */
	assert_false(http_etag_matches("\"x\", \"y\", \"z\"", ETAG));
	assert_false(http_etag_matches(",,, ,", ETAG));
}

static void test_etag_weak(void **state)
{
	(void)state;
	/* If-None-Match compares weakly: W/"t" matches the strong "t". */
	assert_true(http_etag_matches("W/" ETAG, ETAG));
	assert_true(http_etag_matches("\"x\", W/" ETAG, ETAG));
	assert_true(http_etag_matches("W/\"x\", W/" ETAG, ETAG));
	assert_false(http_etag_matches("W/\"x\"", ETAG));
	assert_false(http_etag_matches("W/", ETAG));
}

static void test_etag_star(void **state)
{
	(void)state;
	assert_true(http_etag_matches("*", ETAG));
	assert_true(http_etag_matches(" * ", ETAG));
}

static void test_etag_prefix(void **state)
{
	(void)state;
	/* A tag that is a prefix of the real one, or has it as a prefix, is
	 * another tag. */
	assert_false(http_etag_matches("\"0a1b2c3d4e5f6071\"", ETAG));
	assert_false(http_etag_matches("\"0a1b2c3d4e5f60718a0\"", ETAG));
	assert_false(http_etag_matches("\"\"", ETAG));
	assert_false(http_etag_matches("W/\"0a1b2c3d4e5f6071\"", ETAG));
	assert_false(http_etag_matches("\"0a1b2c3d4e5f6071\", \"0a1b2c3d4e5f60718a0\"", ETAG));
	assert_false(http_etag_matches(ETAG "x", ETAG));
	assert_false(http_etag_matches(ETAG "x, \"y\"", ETAG));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etag_single), cmocka_unit_test(test_etag_list),
		cmocka_unit_test(test_etag_weak),   cmocka_unit_test(test_etag_star),
		cmocka_unit_test(test_etag_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
