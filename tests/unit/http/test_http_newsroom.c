/*
 * Unit tests for http_newsroom_status(), the one mapping of the newsroom's
 * outcomes to HTTP statuses that the API and the forms share: every outcome
 * has the status docs/api.md gives it, and a success answers 204 exactly when
 * it has nothing to say.
 */
#include "unit.h"

#include <microhttpd.h>

#include "http/http_internal.h"
#include "newsroom/newsroom.h"

static void test_every_outcome(void **state)
{
	static const struct {
		enum newsroom_status status;
		unsigned http;
	} want[] = {
		{ NEWSROOM_CREATED, 201 },         { NEWSROOM_MALFORMED, 400 },
		{ NEWSROOM_UNAUTHENTICATED, 401 }, { NEWSROOM_FORBIDDEN, 403 },
		{ NEWSROOM_NOT_FOUND, 404 },       { NEWSROOM_CONFLICT, 409 },
		{ NEWSROOM_TOO_LARGE, 413 },       { NEWSROOM_UNSUPPORTED, 415 },
		{ NEWSROOM_INVALID, 422 },         { NEWSROOM_RATE_LIMITED, 429 },
		{ NEWSROOM_ERROR, 500 },           { NEWSROOM_UNAVAILABLE, 503 },
	};
	struct newsroom_result res = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		res.status = want[i].status;
		assert_int_equal(http_newsroom_status(&res), want[i].http);
	}
	/* An outcome the mapping does not know is a server error, never a success. */
	res.status = (enum newsroom_status)99;
	assert_int_equal(http_newsroom_status(&res), 500);
}

static void test_ok_with_and_without_body(void **state)
{
	struct newsroom_result res = { 0 };

	(void)state;
	newsroom_done(&res);
	assert_int_equal(http_newsroom_status(&res), 204);
	newsroom_ok(&res, json_object());
	assert_int_equal(http_newsroom_status(&res), 200);
	newsroom_created(&res, json_object());
	assert_int_equal(http_newsroom_status(&res), 201);
	/* A body that could not be built is out of memory, not "nothing to say". */
	newsroom_ok(&res, NULL);
	assert_int_equal(http_newsroom_status(&res), 500);
	assert_string_equal(res.code, "internal");
	newsroom_result_cleanup(&res);
}

static void test_codes_follow_status(void **state)
{
	struct newsroom_result res = { 0 };

	(void)state;
	newsroom_fail(&res, NEWSROOM_CONFLICT, "changed by %s", "someone");
	assert_string_equal(res.code, "conflict");
	assert_string_equal(res.message, "changed by someone");
	assert_int_equal(http_newsroom_status(&res), 409);
	newsroom_fail(&res, NEWSROOM_MALFORMED, "x");
	assert_string_equal(res.code, "bad_request");
	/* A success is no failure: said as a server error. */
	newsroom_fail(&res, NEWSROOM_OK, "x");
	assert_int_equal(res.status, NEWSROOM_ERROR);
	assert_string_equal(res.code, "internal");
	newsroom_result_cleanup(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_outcome),
		cmocka_unit_test(test_ok_with_and_without_body),
		cmocka_unit_test(test_codes_follow_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
