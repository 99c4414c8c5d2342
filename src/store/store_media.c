/*
 * The store's image files (store_media.h): core, on store_backend.h only.
 * Statements here are prepared at each call rather than cached: an upload, or
 * a node's first request for a file, is rare next to everything else the
 * store does, and each runs a handful at most.
 */
#include "store/store_media.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* A file name for record `name`: "NAME-" then 1 to 30 more bytes, no '/'. */
static int store_media_file_valid(const char *name, const char *file)
{
	size_t n = strlen(name), len = file ? strlen(file) : 0;

	return len > n + 1 && len < n + 32 && strncmp(file, name, n) == 0 && file[n] == '-' &&
	       !strchr(file, '/') && utf8_valid(file);
}

/* Runs `sql` once with a file's three columns bound; rc of store_step_done. */
static int store_media_file_put(struct store *s, struct store_stmt *st, const char *name,
				const struct store_media_file *f)
{
	store_bind_text(st, 1, f->file);
	store_bind_text(st, 2, name);
	store_bind_blob(st, 3, f->data ? f->data : "", f->len);
	return store_step_done(s, st, "media file add");
}

int store_media_add_files(struct store *s, int64_t actor, const struct model_media *m,
			  const struct store_media_file *files, size_t n)
{
	struct store_stmt *st = NULL;
	int own = !s->outer, rc;

	if (n == 0)
		return store_fail(s, STORE_EINVAL, "media %s: no files", m->name ? m->name : "");
	for (size_t i = 0; i < n; i++)
		if (!m->name || !store_media_file_valid(m->name, files[i].file))
			return store_fail(s, STORE_EINVAL, "media %s: bad file name",
					  m->name ? m->name : "");
	/* store_media_add() is a write of its own; inside one outer transaction
	 * it and the files commit together. */
	if (own && (rc = store_begin(s)) != 0)
		return rc;
	rc = store_media_add(s, actor, m);
	if (rc != 0)
		goto done;
	rc = s->be->prepare(s,
			    "INSERT INTO media_files (file, name, data) VALUES (?1, ?2, ?3)"
			    " ON CONFLICT (file) DO NOTHING",
			    &st);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = store_media_file_put(s, st, m->name, &files[i]);
	if (st)
		s->be->finalize(st);
done:
	if (!own)
		return rc;
	if (rc == 0)
		return store_commit(s);
	store_rollback(s);
	return rc;
}

int store_media_file_get(struct store *s, const char *file, void **data, size_t *len)
{
	struct store_stmt *st = NULL;
	const void *p;
	size_t n = 0;
	int rc;

	if (s->be->prepare(s, "SELECT data FROM media_files WHERE file = ?1", &st) != 0)
		return STORE_ERR;
	store_bind_text(st, 1, file);
	rc = store_step_row(s, st, "media file", "no media file %.64s", file);
	if (rc == 0) {
		p = store_col_blob(st, 0, &n);
		*data = malloc(n ? n : 1);
		if (!*data)
			abort(); /* as store_record_read(): out of memory is fatal */
		if (n)
			memcpy(*data, p, n);
		*len = n;
	}
	s->be->finalize(st);
	return rc;
}
