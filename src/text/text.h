/*
 * The plain-text form of a live page: the layout of the seed capture
 * (../shared/seed/, described in PRODUCT.md). text_parse() reads it into the
 * model; text_export() writes the model back in it, so that exporting an imported
 * capture gives the capture byte for byte.
 *
 * The layout, in short (blocks in a post are indented four spaces):
 *
 *   Summary⏎⏎                        optional; then key points as "• point" lines
 *   • point⏎ ... ⏎                   (a blank line after the last) -- ours: the seed
 *                                    has none
 *   Media caption,⏎⏎CAPTION⏎⏎        featured media caption, optional
 *     N. TITLEpublished at HH:MM ZONE-LONG-NAME D Month⏎
 *       Breaking⏎                    optional
 *   ⏎
 *       NAME⏎    ROLE⏎⏎              bylines, zero or more, first in the post
 *       paragraph⏎⏎
 *       > quotation⏎    > — cite⏎⏎   ours: the seed has none
 *       • item⏎    • item⏎           a list; blank line after it or not (layout fact)
 *       ALTImage source, CREDIT⏎     an image; then either a blank line, or
 *       Image caption,⏎⏎    CAPTION⏎⏎
 *       EMBED TITLE⏎                 an embed: one line NOT followed by a blank line
 *
 * The file ends without a final newline.
 */
#ifndef LIVELINE_TEXT_H
#define LIVELINE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/buf.h"

#define TEXT_MAX_LINE (64 * 1024) /* longer lines are refused, with their number */

struct text_import_opts {
	int year;          /* the year of the oldest post (the text has no year) */
	const char *zone;  /* IANA zone the times are read in */
};

struct text_error {
	size_t line;       /* 1-based line of the input; 0 if not about one line */
	char msg[256];
};

/* Parses `len` bytes of the text form. On success fills `page` (summary only:
 * slug, title and zone are the caller's) and `posts` (OLDEST FIRST, with
 * published_at in UTC) and returns 0. On failure returns -1 with `err` filled
 * and nothing allocated. Rejects: more than MODEL_CAPTURE_MAX bytes, a post
 * or summary over the limits of model/model_limits.h (as the newsroom would
 * refuse it), invalid UTF-8, NUL bytes, lines longer than
 * TEXT_MAX_LINE, a malformed post header, post numbers out of order, a zone name
 * that does not match `zone` at that moment, a time that does not exist there. */
int text_parse(const char *data, size_t len, const struct text_import_opts *opts,
	       struct model_summary *summary, struct model_post **posts, size_t *n_posts,
	       struct text_error *err) __attribute__((warn_unused_result));

/* Appends the text form of a page with `posts` given NEWEST FIRST; times are
 * shown in page->zone. Returns 0, or -1 if a time cannot be shown (bad zone). */
int text_export(struct buf *out, const struct model_page *page,
		const struct model_post *posts, size_t n_posts)
	__attribute__((warn_unused_result));

/* Appends one post in the same layout, numbered `number` (its place on the page,
 * 1 for the newest): header, Breaking, bylines, blocks, and the blank line(s)
 * that follow it in a full export when more posts follow, so that each post is
 * a block of its own when sent one at a time (a terminal following a page).
 * text_export() is the summary and then this for every post, with the final
 * newlines trimmed. Returns 0, or -1 if the time cannot be shown (bad zone). */
int text_export_post(struct buf *out, const struct model_page *page,
		     const struct model_post *post, size_t number)
	__attribute__((warn_unused_result));

#endif
