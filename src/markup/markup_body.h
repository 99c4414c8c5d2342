/*
 * Markdown the newsroom writes, turned into the model: a post body into blocks,
 * a summary into key points. cmark parses (default options: raw HTML is never
 * passed through); this module only maps cmark's tree onto model blocks.
 *
 * The body's mapping:
 *   paragraph             -> paragraph (its inline Markdown)
 *   > quote               -> quote; a last paragraph "— Name" or "-- Name" is
 *                            the cite (plain text), the other paragraphs are
 *                            joined with a space
 *   - list / 1. list      -> list; an item opening with **Lead:** gets that lead
 *   ![alt](url "caption") -> image, when it is alone in its paragraph, optionally
 *   Image source: CREDIT     followed by a line naming the credit
 *   [Embed: Title](url)   -> embed, when the link is alone in its paragraph
 *   # heading             -> paragraph holding the heading as strong text
 *   code, HTML blocks     -> paragraph of the literal text, escaped
 *   ---                   -> nothing
 * Image and embed URLs must be http, https or a site path.
 */
#ifndef LIVELINE_MARKUP_BODY_H
#define LIVELINE_MARKUP_BODY_H

#include <stddef.h>

#include "model/model.h"

#define MARKUP_BODY_MAX	       ((size_t)1024 * 1024) /* bytes of Markdown */
#define MARKUP_BODY_MAX_BLOCKS 500
#define MARKUP_BODY_MAX_ITEMS  500 /* items of one list */
#define MARKUP_SUMMARY_MAX_POINTS 100

/* Parses post body `md` (len bytes, need not be NUL-terminated) into a new array
 * of *n blocks in *blocks; the caller frees each with model_block_cleanup() and
 * then the array (model_post_cleanup() does both for a post). An empty or
 * blank body gives no blocks (*blocks NULL). Returns 0, or -1 with a one-line
 * reason in err ("image 2: only http, https and site paths are allowed",
 * "line 3: invalid UTF-8"); the outputs are then untouched. Invalid UTF-8 and
 * NUL bytes are errors, not replaced. Any input is safe: at worst an error,
 * never a crash. */
int markup_body_parse(const char *md, size_t len, struct model_block **blocks, size_t *n,
		      char *err, size_t errlen) __attribute__((warn_unused_result));

/* Parses summary `md` (len bytes): a bullet list whose items are the key
 * points, as inline Markdown. Blank input gives no points; anything other than
 * bullet lists is an error, and so are invalid UTF-8 and NUL bytes. On success replaces out->points and out->n_points
 * (freeing the old ones) and leaves the featured media alone. Returns 0, or -1
 * with a reason in err; `out` is then untouched. */
int markup_summary_parse(const char *md, size_t len, struct model_summary *out, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

#endif
