/*
 * Uploaded images kept in the store, so that every node serving the same
 * database can serve every image: the media record (store_newsroom.h) and the
 * bytes of each file media_ingest() made for it ("NAME-W.EXT"), in the table
 * media_files. A node's media folder is then only a cache of these, filled on
 * a miss (the /media/ route).
 */
#ifndef LIVELINE_STORE_MEDIA_H
#define LIVELINE_STORE_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "model/model_newsroom.h"
#include "store/store.h"

/* One file of an image, borrowed by the call it is given to. */
struct store_media_file {
	const char *file; /* "NAME-W.EXT": NAME is the record's name */
	const void *data;
	size_t len;
};

/* Stores the media record `m` (as store_media_add(), with its audit entry
 * "media.add" naming `actor`) and its `n` files (at least one, each named
 * NAME-... after m->name) in one write: an image is in the store whole or
 * not at all. The same image again changes nothing: its record and files
 * stand (a name means one content). Returns 0; STORE_EINVAL for a bad record
 * or file name, STORE_ERR, STORE_EMOVED. Joins an open store_begin(). */
int store_media_add_files(struct store *s, int64_t actor, const struct model_media *m,
			  const struct store_media_file *files, size_t n) STORE_WARN_UNUSED;

/* The bytes of the stored file `file` ("NAME-W.EXT"): 0 and *data (malloc'd,
 * the caller frees) and *len; STORE_ENOTFOUND when the store holds no such
 * file; STORE_ERR when the database failed (the media route's 503). */
int store_media_file_get(struct store *s, const char *file, void **data,
			 size_t *len) STORE_WARN_UNUSED;

#endif
