/*
 * How many readers each page has, over every worker and every node (store.h,
 * "readers of each page"): core, on store_backend.h only. Each worker keeps
 * its own rows in table `readers` (worker id, page, count, when written) and
 * rewrites them every few seconds; the sum leaves out rows that were not
 * written lately, so a worker that died stops counting without anyone
 * cleaning up after it. The table is a shared scratch pad, not a record: it is
 * not in the change log, the audit trail or a copy (store_copy.c).
 *
 * Statements are prepared at each call rather than cached: a worker makes
 * these calls every few seconds, next to the thousands of others the store
 * serves, and they need no slot in every connection.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* Rows this much older than their worker's last write are clutter (a worker
 * that died, or a page nobody reads any longer), deleted by any worker's write. */
#define STORE_READERS_KEEP_S 3600

/* Runs `sql` with its two parameters bound; rc of store_step_done. */
static int store_readers_exec(struct store *s, const char *sql, int64_t a, int64_t b,
			      const char *what)
{
	struct store_stmt *st = NULL;
	int rc;

	if (s->be->prepare(s, sql, &st) != 0)
		return STORE_ERR;
	store_bind_int64(st, 1, a);
	store_bind_int64(st, 2, b);
	rc = store_step_done(s, st, what);
	s->be->finalize(st);
	return rc;
}

int store_readers_put(struct store *s, int64_t worker, int64_t now,
		      const struct store_readers *pages, size_t n)
{
	struct store_stmt *st = NULL;
	int rc;

	if (s->outer)
		return store_fail(s, STORE_EINVAL, "readers: a transaction is already open");
	rc = store_begin(s);
	if (rc != 0)
		return rc;
	rc = store_readers_exec(s, "DELETE FROM readers WHERE worker = ?1 OR seen < ?2", worker,
				now - STORE_READERS_KEEP_S, "readers clear");
	if (rc == 0)
		rc = s->be->prepare(s,
				    "INSERT INTO readers (worker, page_id, readers, seen)"
				    " VALUES (?1, ?2, ?3, ?4)",
				    &st);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (pages[i].readers <= 0)
			continue;
		store_bind_int64(st, 1, worker);
		store_bind_int64(st, 2, pages[i].page_id);
		store_bind_int64(st, 3, pages[i].readers);
		store_bind_int64(st, 4, now);
		rc = store_step_done(s, st, "readers add");
	}
	if (st)
		s->be->finalize(st);
	if (rc == 0)
		return store_commit(s);
	store_rollback(s);
	return rc;
}

int store_readers_sum(struct store *s, int64_t since, struct store_readers **out, size_t *n)
{
	struct store_readers *v = NULL;
	struct store_stmt *st = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s->be->prepare(s,
			   "SELECT page_id, CAST(SUM(readers) AS BIGINT) FROM readers"
			   " WHERE seen >= ?1 GROUP BY page_id HAVING SUM(readers) > 0"
			   " ORDER BY page_id",
			   &st) != 0)
		return STORE_ERR;
	store_bind_int64(st, 1, since);
	while ((rc = store_step(st)) == STORE_DB_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct store_readers *p = realloc(v, ncap * sizeof(*p));

			if (!p)
				abort(); /* as store_record_read(): out of memory is fatal */
			v = p;
			cap = ncap;
		}
		v[len].page_id = store_col_int64(st, 0);
		v[len].readers = store_col_int64(st, 1);
		len++;
	}
	if (rc != STORE_DB_DONE) {
		store_reset(st);
		rc = store_fail_db(s, "readers sum");
		free(v);
		s->be->finalize(st);
		return rc;
	}
	s->be->finalize(st);
	*out = v;
	*n = len;
	return 0;
}
