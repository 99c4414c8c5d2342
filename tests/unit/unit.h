/*
 * What every unit test file includes: cmocka, and small helpers for fixtures.
 * Unit tests run from the repository root (tests/run does that).
 */
#ifndef LIVELINE_UNIT_H
#define LIVELINE_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/* The seed capture lives outside the repository (../shared/seed/). Tests that
 * need it call unit_seed_path() and skip() when it returns NULL. Where CI runs
 * (CI=true), a missing seed fails the test instead: a test that skips there
 * checks nothing (tests/e2e/lib.py's missing() is the same rule). */
static inline const char *unit_seed_path(void)
{
	static const char *p = "../shared/seed/000_19ac0cd5f19af9c6.txt";
	const char *ci = getenv("CI");
	FILE *f = fopen(p, "rb");
	if (!f) {
		if (ci && strcmp(ci, "true") == 0)
			fail_msg("CI=true, and %s is missing: the test cannot run", p);
		return NULL;
	}
	fclose(f);
	return p;
}

/* Reads a whole file; the caller frees. Fails the test if unreadable. */
static inline char *unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

/* A fresh temporary path for a database; the caller unlinks it (and -wal, -shm). */
static inline void unit_temp_db(char *path, size_t len)
{
	static int counter;
	snprintf(path, len, "/tmp/liveline-unit-%d-%d.db", (int)getpid(), ++counter);
	remove(path);
}

/* Removes a test database and the files SQLite and the store keep beside it. */
static inline void unit_remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-notify" };
	char p[256];

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		remove(p);
	}
}

#endif
