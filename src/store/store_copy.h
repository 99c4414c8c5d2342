/*
 * Moving a whole database into another (`liveline copy`): SQLite into
 * PostgreSQL, or into another SQLite file. Everything the source holds is
 * copied with its ids, so permalinks, change-log ids (a reader's
 * Last-Event-ID), sessions and API tokens stay valid on the target. Written in
 * store_copy.c on store_backend.h only, so any backend may be either side.
 */
#ifndef LIVELINE_STORE_COPY_H
#define LIVELINE_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "model/model_newsroom.h"
#include "store/store.h"

/* The tables copied, in the order they are written (what a row references is
 * written before it). */
#define STORE_COPY_TABLES 12
/* The most files one media record may name (media/'s ladder has 3). */
#define STORE_COPY_MAX_FILES 8

/* One file of a media record, given by store_copy_files_fn. */
struct store_copy_file {
	char file[64]; /* "NAME-W.EXT" */
	void *data;    /* malloc'd; store_copy() frees it */
	size_t len;
};

/* Supplies the files of media record `m` when the source holds none for it
 * (a database from before the store kept them: they are only in its media
 * folder). Fills out[0..*n) (at most `max`) and returns 0, or returns -1 with
 * a sentence naming the file in err, and frees what it filled. */
typedef int (*store_copy_files_fn)(void *ctx, const struct model_media *m,
				   struct store_copy_file *out, size_t max, size_t *n, char *err,
				   size_t errlen);

/* What store_copy() counted: rows per table on each side, after the copy,
 * and the rows it added that the source does not have (media_files: the
 * files the callback gave). */
struct store_copy_report {
	struct {
		const char *table; /* static */
		int64_t source, target, added;
	} tables[STORE_COPY_TABLES];
	size_t n_tables;
	size_t files_from_folder; /* media files given by the callback */
};

/* Copies every row of `src` into `dst`, ids kept, in one write transaction
 * on `dst`, then lets dst's backend make its next ids follow the copied ones
 * (copy_done). `dst` must be empty (a new database: no row in any table);
 * otherwise nothing is written and STORE_EEXIST names what it holds. Media
 * records without files in `src` get theirs from `files` (which may be NULL:
 * such a record is then an error). `src` is only read. On any failure the
 * transaction is rolled back, so `dst` stays empty, and store_errmsg(dst)
 * (or, for a read, store_errmsg(src)) says why; the returned code says which
 * (STORE_EEXIST, STORE_ENOTFOUND for a media file the callback could not
 * give, STORE_ERR). On success, `report` (required) holds the row counts of
 * both sides, read after the commit; the caller compares them
 * (store_copy_report_ok). Not inside store_begin() on either store. */
int store_copy(struct store *src, struct store *dst, store_copy_files_fn files, void *ctx,
	       struct store_copy_report *report) STORE_WARN_UNUSED;

/* 1 when every table of the target has the source's rows and those added. */
int store_copy_report_ok(const struct store_copy_report *report);

#endif
