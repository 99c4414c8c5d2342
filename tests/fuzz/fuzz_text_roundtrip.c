/*
 * Fuzz target: the round trip of the plain-text form (src/text/text.h). For
 * every input the importer accepts, exporting it, importing that, and
 * exporting again must give the same bytes as the first export: what Liveline
 * writes it must read back unchanged (docs/text-format.md). The export also
 * passes each post's blocks, bylines and the summary through their JSON form,
 * as the store keeps them (docs/json.md).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "model/model_json.h"
#include "text/text.h"

#define FUZZ_ZONE "Europe/London"

/* Replaces the post's blocks and bylines with what their JSON form reads back
 * as (the store's round trip). Returns 0, or -1 if it did not read back. */
static int fuzz_through_json(struct model_post *p)
{
	json_t *jb = model_json_blocks(p->blocks, p->n_blocks);
	json_t *jl = model_json_bylines(p->bylines, p->n_bylines);
	struct model_block *blocks = NULL;
	struct model_byline *bylines = NULL;
	size_t nb = 0, nl = 0;
	char err[256];
	int rc = -1;

	if (!jb || !jl || model_json_to_blocks(jb, &blocks, &nb, err, sizeof(err)) < 0)
		goto out;
	if (model_json_to_bylines(jl, &bylines, &nl, err, sizeof(err)) < 0) {
		for (size_t i = 0; i < nb; i++)
			model_block_cleanup(&blocks[i]);
		free(blocks);
		goto out;
	}
	for (size_t i = 0; i < p->n_blocks; i++)
		model_block_cleanup(&p->blocks[i]);
	free(p->blocks);
	for (size_t i = 0; i < p->n_bylines; i++) {
		free(p->bylines[i].name);
		free(p->bylines[i].role);
	}
	free(p->bylines);
	p->blocks = blocks;
	p->n_blocks = nb;
	p->bylines = bylines;
	p->n_bylines = nl;
	rc = 0;
out:
	json_decref(jb);
	json_decref(jl);
	return rc;
}

/* Imports `len` bytes and exports them into `out`. Returns 1 if the import
 * refused the text, 0 when exported, -1 if the export failed. */
static int fuzz_import_export(const char *data, size_t len, struct buf *out,
			      struct text_error *err)
{
	struct text_import_opts opts = { .year = 2025, .zone = FUZZ_ZONE };
	struct model_page page = { 0 };
	struct model_post *posts = NULL, tmp;
	size_t n = 0;
	int rc = 0;

	if (text_parse(data, len, &opts, &page.summary, &posts, &n, err) < 0)
		return 1;
	/* text_parse gives the oldest first; text_export takes the newest first. */
	for (size_t i = 0; i < n / 2; i++) {
		tmp = posts[i];
		posts[i] = posts[n - 1 - i];
		posts[n - 1 - i] = tmp;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fuzz_through_json(&posts[i]);
	FUZZ_CHECK(rc == 0, "an imported post does not read back from its JSON form");
	page.zone = (char *)FUZZ_ZONE;
	if (text_export(out, &page, posts, n) < 0 || out->err)
		rc = -1;
	page.zone = NULL;
	model_posts_free(posts, n);
	model_page_cleanup(&page);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text_error err;
	struct buf a, b;
	int rc;

	buf_init(&a, (size_t)64 << 20);
	buf_init(&b, (size_t)64 << 20);
	rc = fuzz_import_export((const char *)data, size, &a, &err);
	if (rc == 1)
		goto out;
	FUZZ_CHECK(rc == 0, "an accepted import does not export");
	rc = fuzz_import_export(a.data ? a.data : "", a.len, &b, &err);
	FUZZ_CHECK(rc != 1, "the export of an accepted import is refused: line %zu: %s",
		   err.line, err.msg);
	FUZZ_CHECK(rc == 0, "the second export failed");
	FUZZ_CHECK(a.len == b.len && memcmp(a.data ? a.data : "", b.data ? b.data : "", a.len) == 0,
		   "import, export, import, export: the exports differ (%zu and %zu bytes)",
		   a.len, b.len);
out:
	buf_cleanup(&a);
	buf_cleanup(&b);
	return 0;
}
