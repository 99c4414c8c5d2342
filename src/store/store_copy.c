/*
 * store_copy(): every table of one store into another, ids kept, on
 * store_backend.h only, so that either side may be SQLite or PostgreSQL. The
 * tables are named here with their columns and each column's kind; a row is
 * read from the source and bound to the target's INSERT value by value, SQL
 * NULL kept. The whole copy is one write transaction on the target: a failure
 * anywhere leaves it as empty as it was.
 */
#include "store/store_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_media.h"

/* A table as the copy reads and writes it. `kinds` has a letter a column:
 * 'i' an integer, 't' text, 'b' a blob (any of them may be SQL NULL where the
 * schema allows). Listed in the order they are written: users before what
 * names them, pages before posts, posts before the pin (set after, below),
 * revisions and the change log. */
struct store_copy_table {
	const char *name;
	const char *cols;
	const char *kinds;
	const char *key; /* ORDER BY: a stable order for reading */
};

static const struct store_copy_table store_copy_tables[STORE_COPY_TABLES] = {
	{ "users",
	  "id, login, display_name, byline_name, byline_role, role, pw_hash, disabled,"
	  " created_at",
	  "ittttitii", "id" },
	/* pinned_post_id is set once the posts are in (store_copy_pins). */
	{ "pages",
	  "id, slug, title, description, zone, status, start_at, end_at, summary_json,"
	  " last_seq, created_at, updated_at, published",
	  "ittttiiitiiii", "id" },
	{ "posts",
	  "id, page_id, title, published_at, updated_at, breaking, key_event,"
	  " bylines_json, body_json, version, correction, correction_at, updated_by,"
	  " search_text",
	  "iitiiiittitiit", "id" },
	{ "changes", "id, page_id, seq, kind, post_id, at, event, text", "iiitiitt", "id" },
	{ "sessions", "id, token_hash, user_id, csrf, created_at, expires_at, revoked",
	  "ibitiii", "id" },
	{ "api_tokens", "id, token_hash, user_id, label, created_at, revoked_at", "ibitii",
	  "id" },
	{ "signin_failures", "id, key, at", "iti", "id" },
	{ "drafts",
	  "id, page_id, author_id, state, publish_at, version, created_at, updated_at,"
	  " title, breaking, key_event, bylines_json, body_json",
	  "iiiiiiiitiitt", "id" },
	{ "revisions",
	  "id, post_id, page_id, version, user_id, at, what, correction, title,"
	  " published_at, breaking, key_event, bylines_json, body_json",
	  "iiiiiitttiiitt", "id" },
	{ "media", "name, format, width, height, widths, bytes, user_id, created_at", "ttiitiii",
	  "name" },
	{ "media_files", "file, name, data", "ttb", "file" },
	{ "audit", "id, at, user_id, action, page_id, post_id, detail", "iiitiit", "id" },
};

/* A reason from the source's connection, recorded on the target's, which is
 * where store_copy() says its errors are. */
static int store_copy_src_fail(struct store *src, struct store *dst, const char *what)
{
	char why[sizeof(src->errmsg)];

	snprintf(why, sizeof(why), "%s", store_errmsg(src));
	return store_fail(dst, STORE_ERR, "reading %s from the source: %s", what, why);
}

/* The target's own reason, after `what`. */
static int store_copy_dst_fail(struct store *dst, int rc, const char *what)
{
	char why[sizeof(dst->errmsg)];

	snprintf(why, sizeof(why), "%s", store_errmsg(dst));
	return store_fail(dst, rc < 0 ? rc : STORE_ERR, "writing %s to the target: %s", what, why);
}

/* count(*) of `table` into *out: 0, or STORE_ERR with the reason on s. */
static int store_copy_count(struct store *s, const char *table, int64_t *out)
{
	struct store_stmt *st = NULL;
	char sql[96];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (s->be->prepare(s, sql, &st) != 0)
		return STORE_ERR;
	rc = store_step(st);
	if (rc == STORE_DB_ROW) {
		*out = store_col_int64(st, 0);
		rc = 0;
	} else {
		rc = rc == STORE_DB_DONE ? store_fail(s, STORE_ERR, "count(*) of %s: no row", table)
					 : STORE_ERR;
	}
	s->be->finalize(st);
	return rc;
}

/* Binds column i of the source's row to parameter i + 1 of the insert. */
static void store_copy_value(struct store_stmt *from, struct store_stmt *to, int i, char kind)
{
	const void *p;
	size_t n = 0;

	if (store_col_is_null(from, i)) {
		store_bind_null(to, i + 1);
		return;
	}
	switch (kind) {
	case 'i':
		store_bind_int64(to, i + 1, store_col_int64(from, i));
		break;
	case 't':
		store_bind_text(to, i + 1, store_col_text(from, i));
		break;
	default: /* 'b' */
		p = store_col_blob(from, i, &n);
		/* An empty blob may come back as NULL, which would bind SQL NULL. */
		store_bind_blob(to, i + 1, p ? p : "", n);
		break;
	}
}

/* Reads `select` on the source and runs `insert` on the target for each row,
 * `kinds` saying each column's kind. `what` names the table for errors. */
static int store_copy_rows(struct store *src, struct store *dst, const char *select,
			   const char *insert, const char *kinds, const char *what)
{
	struct store_stmt *from = NULL, *to = NULL;
	int n = (int)strlen(kinds), rc;

	if (src->be->prepare(src, select, &from) != 0)
		return store_copy_src_fail(src, dst, what);
	if (dst->be->prepare(dst, insert, &to) != 0) {
		rc = store_copy_dst_fail(dst, STORE_ERR, what);
		goto out;
	}
	while ((rc = store_step(from)) == STORE_DB_ROW) {
		for (int i = 0; i < n; i++)
			store_copy_value(from, to, i, kinds[i]);
		rc = store_step(to);
		store_reset(to);
		if (rc != STORE_DB_DONE) {
			rc = store_copy_dst_fail(dst, rc, what);
			goto out;
		}
	}
	rc = rc == STORE_DB_DONE ? 0 : store_copy_src_fail(src, dst, what);
out:
	if (to)
		dst->be->finalize(to);
	src->be->finalize(from);
	return rc;
}

/* "?1, ?2, ..., ?n" into out. */
static void store_copy_params(char *out, size_t len, size_t n)
{
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 1; i <= n && at < len; i++)
		at += (size_t)snprintf(out + at, len - at, "%s?%zu", i > 1 ? ", " : "", i);
}

static int store_copy_table(struct store *src, struct store *dst,
			    const struct store_copy_table *t)
{
	char select[512], insert[768], params[160];
	size_t n = 1;

	for (const char *p = t->cols; *p; p++)
		n += *p == ',';
	/* The table above is wrong if this fails: a broken invariant. */
	if (n != strlen(t->kinds))
		return store_fail(dst, STORE_ERR, "copy: %s: %zu columns, %zu kinds", t->name, n,
				  strlen(t->kinds));
	store_copy_params(params, sizeof(params), n);
	snprintf(select, sizeof(select), "SELECT %s FROM %s ORDER BY %s", t->cols, t->name, t->key);
	snprintf(insert, sizeof(insert), "INSERT INTO %s (%s) VALUES (%s)", t->name, t->cols,
		 params);
	return store_copy_rows(src, dst, select, insert, t->kinds, t->name);
}

/* The pins, once pages and posts are both in. */
static int store_copy_pins(struct store *src, struct store *dst)
{
	return store_copy_rows(src, dst,
			       "SELECT pinned_post_id, id FROM pages"
			       " WHERE pinned_post_id IS NOT NULL ORDER BY id",
			       "UPDATE pages SET pinned_post_id = ?1 WHERE id = ?2", "ii",
			       "the pinned posts");
}

/* The files of each media record the source holds none of, from `files`. */
static int store_copy_media_files(struct store *src, struct store *dst,
				  store_copy_files_fn files, void *ctx, size_t *from_folder)
{
	struct store_copy_file got[STORE_COPY_MAX_FILES];
	struct store_stmt *from = NULL, *to = NULL;
	char err[256];
	size_t n;
	int rc;

	if (src->be->prepare(src,
			     "SELECT name, format, width, height, widths FROM media m"
			     " WHERE NOT EXISTS (SELECT 1 FROM media_files f WHERE f.name = m.name)"
			     " ORDER BY name",
			     &from) != 0)
		return store_copy_src_fail(src, dst, "media");
	if (dst->be->prepare(dst, "INSERT INTO media_files (file, name, data) VALUES (?1, ?2, ?3)",
			     &to) != 0) {
		rc = store_copy_dst_fail(dst, STORE_ERR, "media_files");
		goto out;
	}
	while ((rc = store_step(from)) == STORE_DB_ROW) {
		struct model_media m = {
			.name = (char *)store_col_text(from, 0),
			.format = (char *)store_col_text(from, 1),
			.width = store_col_int(from, 2),
			.height = store_col_int(from, 3),
			.widths = (char *)store_col_text(from, 4),
		};

		n = 0;
		err[0] = '\0';
		if (!files || files(ctx, &m, got, STORE_COPY_MAX_FILES, &n, err, sizeof(err)) < 0) {
			rc = store_fail(dst, STORE_ENOTFOUND, "%s",
					err[0] ? err : "an image's files are not in the source");
			goto out;
		}
		rc = 0;
		for (size_t i = 0; i < n; i++) {
			if (rc == 0) {
				store_bind_text(to, 1, got[i].file);
				store_bind_text(to, 2, m.name);
				store_bind_blob(to, 3, got[i].data ? got[i].data : "", got[i].len);
				rc = store_step(to);
				store_reset(to);
				rc = rc == STORE_DB_DONE ? 0 : store_copy_dst_fail(dst, rc, got[i].file);
			}
			free(got[i].data);
		}
		if (rc != 0)
			goto out;
		*from_folder += n;
	}
	rc = rc == STORE_DB_DONE ? 0 : store_copy_src_fail(src, dst, "media");
out:
	if (to)
		dst->be->finalize(to);
	src->be->finalize(from);
	return rc;
}

/* STORE_EEXIST unless every table of the target is empty. */
static int store_copy_need_empty(struct store *dst)
{
	for (size_t i = 0; i < STORE_COPY_TABLES; i++) {
		int64_t n = 0;
		int rc = store_copy_count(dst, store_copy_tables[i].name, &n);

		if (rc != 0)
			return store_copy_dst_fail(dst, rc, store_copy_tables[i].name);
		if (n > 0)
			return store_fail(dst, STORE_EEXIST,
					  "the target is not empty (%lld row%s in %s): copy only "
					  "into a new database",
					  (long long)n, n == 1 ? "" : "s", store_copy_tables[i].name);
	}
	return 0;
}

static int store_copy_all(struct store *src, struct store *dst, store_copy_files_fn files,
			  void *ctx, size_t *from_folder)
{
	int rc = store_copy_need_empty(dst);

	for (size_t i = 0; rc == 0 && i < STORE_COPY_TABLES; i++) {
		rc = store_copy_table(src, dst, &store_copy_tables[i]);
		if (rc == 0 && strcmp(store_copy_tables[i].name, "posts") == 0)
			rc = store_copy_pins(src, dst);
		if (rc == 0 && strcmp(store_copy_tables[i].name, "media_files") == 0)
			rc = store_copy_media_files(src, dst, files, ctx, from_folder);
	}
	if (rc == 0 && dst->be->copy_done && dst->be->copy_done(dst) != 0)
		rc = store_copy_dst_fail(dst, STORE_ERR, "the next ids");
	return rc;
}

int store_copy(struct store *src, struct store *dst, store_copy_files_fn files, void *ctx,
	       struct store_copy_report *report)
{
	int rc;

	memset(report, 0, sizeof(*report));
	if (src->outer || dst->outer)
		return store_fail(dst, STORE_ERR, "copy: a transaction is open");
	/* One snapshot of the source for the rows and the counts (SQLite: from
	 * the first read to the end; a source being written meanwhile shows in
	 * the counts on PostgreSQL, whose BEGIN reads each statement afresh). */
	if (src->be->exec(src, "BEGIN") != 0)
		return store_copy_src_fail(src, dst, "the source");
	rc = store_write_enter(dst);
	if (rc == 0)
		rc = store_write_leave(dst, store_copy_all(src, dst, files, ctx,
							   &report->files_from_folder));
	for (size_t i = 0; rc == 0 && i < STORE_COPY_TABLES; i++) {
		report->tables[i].table = store_copy_tables[i].name;
		if (strcmp(store_copy_tables[i].name, "media_files") == 0)
			report->tables[i].added = (int64_t)report->files_from_folder;
		if (store_copy_count(src, store_copy_tables[i].name, &report->tables[i].source) != 0)
			rc = store_copy_src_fail(src, dst, store_copy_tables[i].name);
		else if (store_copy_count(dst, store_copy_tables[i].name,
					  &report->tables[i].target) != 0)
			rc = store_copy_dst_fail(dst, STORE_ERR, store_copy_tables[i].name);
		report->n_tables = i + 1;
	}
	/* Read only: nothing to keep, and ROLLBACK cannot fail to write. */
	(void)src->be->exec(src, "ROLLBACK");
	return rc;
}

int store_copy_report_ok(const struct store_copy_report *report)
{
	if (report->n_tables != STORE_COPY_TABLES)
		return 0;
	for (size_t i = 0; i < report->n_tables; i++)
		if (report->tables[i].source + report->tables[i].added != report->tables[i].target)
			return 0;
	return 1;
}
