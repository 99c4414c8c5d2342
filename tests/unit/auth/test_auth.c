/*
 * Unit tests for auth/auth.c: Argon2id password hashes (salted, verified,
 * refusing malformed hashes without crashing), the password rules (counted in
 * characters, bounded in bytes), random tokens and their SHA-256, the
 * constant-time comparison, and the whole role matrix written out as a table.
 */
#include "unit.h"

#include "auth/auth.h"

/* ---- passwords ------------------------------------------------------------ */

static void test_password_hash_verify(void **state)
{
	char a[AUTH_HASH_MAX], b[AUTH_HASH_MAX];
	(void)state;

	assert_int_equal(auth_password_hash("correct horse battery", a), 0);
	assert_int_equal(strncmp(a, "$argon2id$", 10), 0);
	assert_true(strlen(a) < AUTH_HASH_MAX);
	assert_int_equal(auth_password_verify(a, "correct horse battery"), 1);
	assert_int_equal(auth_password_verify(a, "correct horse batterY"), 0);
	assert_int_equal(auth_password_verify(a, "correct horse battery "), 0);
	assert_int_equal(auth_password_verify(a, "correct horse batter"), 0);
	assert_int_equal(auth_password_verify(a, ""), 0);

	/* A fresh salt each time: the same password never hashes the same. */
	assert_int_equal(auth_password_hash("correct horse battery", b), 0);
	assert_int_equal(strncmp(b, "$argon2id$", 10), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(auth_password_verify(b, "correct horse battery"), 1);
	assert_int_equal(auth_password_verify(b, "wrong password!"), 0);
}

static void test_password_hash_utf8(void **state)
{
	char h[AUTH_HASH_MAX];
	(void)state;

	assert_int_equal(auth_password_hash("пароль-для-ленты", h), 0);
	assert_int_equal(auth_password_verify(h, "пароль-для-ленты"), 1);
	assert_int_equal(auth_password_verify(h, "пароль-для-лентЫ"), 0);
}

static void test_password_verify_malformed(void **state)
{
	char good[AUTH_HASH_MAX], cut[AUTH_HASH_MAX], flip[AUTH_HASH_MAX];
	char *huge;
	static const char *bad[] = {
		"",
		"x",
		"$argon2id$",
		"$argon2id$v=19$",
		"$argon2id$v=19$m=65536,t=2,p=1$",
		"$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$",
		"$argon2i$v=19$m=abc,t=2,p=1$c2FsdA$aGFzaA",
		"$2b$12$abcdefghijklmnopqrstuuAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"plain text password",
		"$$$$$$$$$$$$$$$$$$$$",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(auth_password_verify(bad[i], "correct horse battery"), 0);
		assert_int_equal(auth_password_verify(bad[i], ""), 0);
		assert_int_equal(auth_password_verify(bad[i], bad[i]), 0);
	}
	assert_int_equal(auth_password_verify(NULL, "correct horse battery"), 0);

	/* A real hash cut short or with its digest changed. */
	assert_int_equal(auth_password_hash("correct horse battery", good), 0);
	memcpy(cut, good, sizeof(cut));
	cut[strlen(cut) - 5] = '\0';
	assert_int_equal(auth_password_verify(cut, "correct horse battery"), 0);
	memcpy(flip, good, sizeof(flip));
	flip[strlen(flip) - 2] = flip[strlen(flip) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(auth_password_verify(flip, "correct horse battery"), 0);

	/* A huge string: a valid prefix followed by 100 kB. */
	huge = malloc(100 * 1024 + 1);
	assert_non_null(huge);
	memset(huge, 'A', 100 * 1024);
	huge[100 * 1024] = '\0';
	memcpy(huge, good, strlen(good));
	assert_int_equal(auth_password_verify(huge, "correct horse battery"), 0);
	memset(huge, '$', 100 * 1024);
	assert_int_equal(auth_password_verify(huge, "correct horse battery"), 0);
	free(huge);
}

/* `n` copies of `unit` into a new string. */
static char *repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

static void test_password_problem(void **state)
{
	char *s;
	(void)state;

	assert_non_null(auth_password_problem(""));
	assert_non_null(auth_password_problem("123456789"));   /* 9 */
	assert_null(auth_password_problem("1234567890"));      /* 10 */
	assert_null(auth_password_problem("correct horse battery staple"));
	assert_string_equal(auth_password_problem("short"),
			    "The password must be at least 10 characters long.");

	/* Characters, not bytes: 9 Cyrillic letters are 18 bytes but too short,
	 * 10 are enough; 9 emoji (36 bytes) are too short. */
	s = repeat("ж", 9);
	assert_int_equal(strlen(s), 18);
	assert_non_null(auth_password_problem(s));
	free(s);
	s = repeat("ж", 10);
	assert_null(auth_password_problem(s));
	free(s);
	s = repeat("\xF0\x9F\x94\x91", 9); /* U+1F511 */
	assert_int_equal(strlen(s), 36);
	assert_non_null(auth_password_problem(s));
	free(s);
	s = repeat("\xF0\x9F\x94\x91", 10);
	assert_null(auth_password_problem(s));
	free(s);

	/* At most 1024 bytes (whatever the character count). */
	s = repeat("a", 1024);
	assert_null(auth_password_problem(s));
	free(s);
	s = repeat("a", 1025);
	assert_string_equal(auth_password_problem(s),
			    "The password is too long (at most 1,024 bytes).");
	free(s);
	s = repeat("ж", 512); /* 1024 bytes */
	assert_null(auth_password_problem(s));
	free(s);
	s = repeat("ж", 513); /* 1026 bytes, 513 characters */
	assert_non_null(auth_password_problem(s));
	free(s);
}

/* ---- tokens ----------------------------------------------------------------- */

static int token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static void test_token_new(void **state)
{
	enum { N = 200 };
	static char tok[N][AUTH_TOKEN_LEN + 1];
	(void)state;

	assert_int_equal(AUTH_TOKEN_LEN, 43);
	for (int i = 0; i < N; i++) {
		memset(tok[i], '#', sizeof(tok[i]));
		auth_token_new(tok[i]);
		assert_int_equal(strlen(tok[i]), 43);
		for (int k = 0; k < 43; k++)
			if (!token_char(tok[i][k]))
				fail_msg("token %d holds '%c' at %d: %s", i, tok[i][k], k, tok[i]);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(tok[i], tok[j]);
	}
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void test_token_hash(void **state)
{
	unsigned char h[STORE_TOKEN_HASH_LEN], h2[STORE_TOKEN_HASH_LEN];
	char x[2 * STORE_TOKEN_HASH_LEN + 1];
	char tok[AUTH_TOKEN_LEN + 1];
	(void)state;

	assert_int_equal(STORE_TOKEN_HASH_LEN, 32);
	auth_token_hash("abc", 3, h);
	hex(h, sizeof(h), x);
	assert_string_equal(x, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	auth_token_hash("", 0, h);
	hex(h, sizeof(h), x);
	assert_string_equal(x, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	auth_token_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	hex(h, sizeof(h), x);
	assert_string_equal(x, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* `len` counts, not the NUL: "abcdef" cut at 3 is "abc". */
	auth_token_hash("abcdef", 3, h);
	hex(h, sizeof(h), x);
	assert_string_equal(x, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	/* Deterministic for a token, different for another. */
	auth_token_new(tok);
	auth_token_hash(tok, strlen(tok), h);
	auth_token_hash(tok, strlen(tok), h2);
	assert_memory_equal(h, h2, sizeof(h));
	tok[0] = tok[0] == 'a' ? 'b' : 'a';
	auth_token_hash(tok, strlen(tok), h2);
	assert_memory_not_equal(h, h2, sizeof(h));
}

static void test_equal(void **state)
{
	char t[AUTH_TOKEN_LEN + 1], u[AUTH_TOKEN_LEN + 1];
	(void)state;

	assert_int_equal(auth_equal("", ""), 1);
	assert_int_equal(auth_equal("abc", "abc"), 1);
	assert_int_equal(auth_equal("abc", "abd"), 0);
	assert_int_equal(auth_equal("abc", "Abc"), 0);
	assert_int_equal(auth_equal("abc", "ab"), 0);
	assert_int_equal(auth_equal("ab", "abc"), 0);
	assert_int_equal(auth_equal("", "a"), 0);
	assert_int_equal(auth_equal("a", ""), 0);
	auth_token_new(t);
	memcpy(u, t, sizeof(u));
	assert_int_equal(auth_equal(t, u), 1);
	u[42] = u[42] == 'x' ? 'y' : 'x';
	assert_int_equal(auth_equal(t, u), 0);
	memcpy(u, t, sizeof(u));
	u[0] = u[0] == 'x' ? 'y' : 'x';
	assert_int_equal(auth_equal(t, u), 0);
}

/* ---- the role matrix -------------------------------------------------------- */

static const struct {
	enum auth_action action;
	const char *name;
	int contributor, editor, admin;
} matrix[] = {
	{ AUTH_NEWSROOM_READ, "NEWSROOM_READ", 1, 1, 1 },
	{ AUTH_DRAFT_WRITE, "DRAFT_WRITE", 1, 1, 1 },
	{ AUTH_DRAFT_ANY, "DRAFT_ANY", 0, 1, 1 },
	{ AUTH_MEDIA_UPLOAD, "MEDIA_UPLOAD", 1, 1, 1 },
	{ AUTH_POST_PUBLISH, "POST_PUBLISH", 0, 1, 1 },
	{ AUTH_POST_EDIT, "POST_EDIT", 0, 1, 1 },
	{ AUTH_POST_DELETE, "POST_DELETE", 0, 1, 1 },
	{ AUTH_POST_PIN, "POST_PIN", 0, 1, 1 },
	{ AUTH_SUMMARY_EDIT, "SUMMARY_EDIT", 0, 1, 1 },
	{ AUTH_PAGE_STATUS, "PAGE_STATUS", 0, 1, 1 },
	{ AUTH_PAGE_PUBLISH, "PAGE_PUBLISH", 0, 1, 1 },
	{ AUTH_AUDIT_READ, "AUDIT_READ", 0, 1, 1 },
	{ AUTH_PAGE_ADMIN, "PAGE_ADMIN", 0, 0, 1 },
	{ AUTH_USER_ADMIN, "USER_ADMIN", 0, 0, 1 },
};

static void test_can_matrix(void **state)
{
	(void)state;

	/* Every action is in the table, once. */
	assert_int_equal(sizeof(matrix) / sizeof(matrix[0]), AUTH_USER_ADMIN + 1);
	for (size_t i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		assert_int_equal(matrix[i].action, (enum auth_action)i);
		if (auth_can(MODEL_ROLE_CONTRIBUTOR, matrix[i].action) != matrix[i].contributor)
			fail_msg("contributor, %s: expected %d", matrix[i].name,
				 matrix[i].contributor);
		if (auth_can(MODEL_ROLE_EDITOR, matrix[i].action) != matrix[i].editor)
			fail_msg("editor, %s: expected %d", matrix[i].name, matrix[i].editor);
		if (auth_can(MODEL_ROLE_ADMIN, matrix[i].action) != matrix[i].admin)
			fail_msg("admin, %s: expected %d", matrix[i].name, matrix[i].admin);
	}
	/* An action the matrix does not know is an admin's at most. */
	assert_int_equal(auth_can(MODEL_ROLE_EDITOR, (enum auth_action)(AUTH_USER_ADMIN + 7)), 0);
	assert_int_equal(auth_can(MODEL_ROLE_CONTRIBUTOR, (enum auth_action)(AUTH_USER_ADMIN + 7)),
			 0);
}

static int group_setup(void **state)
{
	(void)state;
	return auth_init() == 0 && auth_init() == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_hash_verify),
		cmocka_unit_test(test_password_hash_utf8),
		cmocka_unit_test(test_password_verify_malformed),
		cmocka_unit_test(test_password_problem),
		cmocka_unit_test(test_token_new),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_can_matrix),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
