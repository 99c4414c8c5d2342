/*
 * util/utf8: the one UTF-8 rule (Unicode's well-formed sequences) that the store,
 * bodies, the text form, feeds and the command line share.
 */
#include "unit.h"

#include "util/utf8.h"

/* Each sequence, alone, and what utf8_next() makes of it. */
static const struct {
	const char *bytes;
	size_t len;
	size_t want; /* 0: ill-formed */
	uint32_t cp;
} cases[] = {
	{ "a", 1, 1, 'a' },
	{ "\0", 1, 1, 0 },                       /* NUL is a character; callers refuse it */
	{ "\x7f", 1, 1, 0x7f },
	{ "\xc2\x80", 2, 2, 0x80 },
	{ "\xdf\xbf", 2, 2, 0x7ff },
	{ "\xe0\xa0\x80", 3, 3, 0x800 },
	{ "\xef\xbf\xbd", 3, 3, 0xfffd },
	{ "\xef\xbf\xbe", 3, 3, 0xfffe },          /* a noncharacter is well-formed */
	{ "\xf0\x90\x80\x80", 4, 4, 0x10000 },
	{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	{ "\x80", 1, 0, 0 },                     /* a lone continuation byte */
	{ "\xbf", 1, 0, 0 },
	{ "\xc0\x80", 2, 0, 0 },                 /* overlong NUL */
	{ "\xc1\xbf", 2, 0, 0 },                 /* overlong U+007F */
	{ "\xe0\x9f\xbf", 3, 0, 0 },             /* overlong U+07FF */
	{ "\xf0\x8f\xbf\xbf", 4, 0, 0 },         /* overlong U+FFFF */
	{ "\xed\xa0\x80", 3, 0, 0 },             /* surrogate U+D800 */
	{ "\xed\xbf\xbf", 3, 0, 0 },             /* surrogate U+DFFF */
	{ "\xed\x9f\xbf", 3, 3, 0xd7ff },        /* just below them */
	{ "\xf4\x90\x80\x80", 4, 0, 0 },         /* U+110000 */
	{ "\xf5\x80\x80\x80", 4, 0, 0 },
	{ "\xff", 1, 0, 0 },
	{ "\xc3", 1, 0, 0 },                     /* truncated */
	{ "\xe2\x82", 2, 0, 0 },
	{ "\xf0\x9f\x98", 3, 0, 0 },
	{ "\xc3\x00", 2, 0, 0 },                 /* a NUL where a continuation belongs */
	{ "\xe2\x00\xac", 3, 0, 0 },
	{ "\xc3\x28", 2, 0, 0 },
};

static void test_utf8_next_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0xdeadbeef;
		size_t k = utf8_next(cases[i].bytes, cases[i].len, &cp);

		if (k != cases[i].want)
			fail_msg("case %zu: length %zu, want %zu", i, k, cases[i].want);
		if (k && cp != cases[i].cp)
			fail_msg("case %zu: U+%04X, want U+%04X", i, (unsigned)cp, (unsigned)cases[i].cp);
		if (!k)
			assert_int_equal(cp, 0xdeadbeef); /* left alone */
		/* A well-formed sequence is the whole answer only as a whole. */
		if (cases[i].want > 1)
			assert_int_equal(utf8_next(cases[i].bytes, cases[i].want - 1, NULL), 0);
	}
	assert_int_equal(utf8_next("a", 0, NULL), 0);
}

/* n bounds the read: a sequence that goes on past n is truncated, and nothing
 * after s[n - 1] is looked at (ASan checks it: the bytes are a heap copy). */
static void test_utf8_next_stays_in_bounds(void **state)
{
	char *p = malloc(2);
	(void)state;

	assert_non_null(p);
	memcpy(p, "\xe2\x82", 2);
	assert_int_equal(utf8_next(p, 2, NULL), 0);
	assert_int_equal(utf8_next(p + 1, 1, NULL), 0);
	free(p);
}

static void test_utf8_prefix(void **state)
{
	(void)state;
	assert_int_equal(utf8_prefix("", 0), 0);
	assert_int_equal(utf8_prefix("plain", 5), 5);
	assert_int_equal(utf8_prefix("caf\xc3\xa9 \xe2\x82\xac", 9), 9);
	assert_int_equal(utf8_prefix("caf\xc3\xa9\xc3", 6), 5);    /* cut short */
	assert_int_equal(utf8_prefix("ab\xed\xa0\x80z", 6), 2);     /* a surrogate */
	assert_int_equal(utf8_prefix("a\0b", 3), 3);                /* NUL passes */
	assert_int_equal(utf8_prefix("\x80", 1), 0);
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid(NULL));
	assert_true(utf8_valid(""));
	assert_true(utf8_valid("Z\xc3\xbcrich \xf0\x9f\x93\xb0"));
	assert_false(utf8_valid("\xc0\xaf"));
	assert_false(utf8_valid("x\xf4\x90\x80\x80"));
	assert_false(utf8_valid("x\xed\xb0\x80"));
	assert_false(utf8_valid("ends in \xe2\x82")); /* stops at the terminating NUL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_next_cases),
		cmocka_unit_test(test_utf8_next_stays_in_bounds),
		cmocka_unit_test(test_utf8_prefix),
		cmocka_unit_test(test_utf8_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
