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
 * Image and embed URLs must be http, https or a site path, or empty (the
 * model's "no address kept", as in an imported capture: editing such a post
 * keeps the block).
 */
#ifndef LIVELINE_MARKUP_BODY_H
#define LIVELINE_MARKUP_BODY_H

#include <stddef.h>

#include "model/model.h"
#include "model/model_limits.h" /* MODEL_BODY_MAX, _BLOCKS_MAX, _ITEMS_MAX, _SUMMARY_MAX, ... */
#include "util/buf.h"

/* Parses post body `md` (len bytes, need not be NUL-terminated) into a new array
 * of *n blocks in *blocks; the caller frees each with model_block_cleanup() and
 * then the array (model_post_cleanup() does both for a post). An empty or
 * blank body gives no blocks (*blocks NULL). A body over MODEL_BODY_MAX bytes
 * is refused before cmark sees it (its parse time grows with the square of
 * some inputs: see model_limits.h). Returns 0, or -1 with a one-line
 * reason in err ("image 2: only http, https and site paths are allowed",
 * "line 3: invalid UTF-8"); the outputs are then untouched. Invalid UTF-8 and
 * NUL bytes are errors, not replaced. Any input is safe: at worst an error,
 * never a crash. */
int markup_body_parse(const char *md, size_t len, struct model_block **blocks, size_t *n,
		      char *err, size_t errlen) __attribute__((warn_unused_result));

/* Parses summary `md` (len bytes, at most MODEL_SUMMARY_MAX): a bullet list
 * whose items are the key points (at most MODEL_POINTS_MAX), as inline Markdown. Blank input gives no points; anything other than
 * bullet lists is an error, and so are invalid UTF-8 and NUL bytes. On success replaces out->points and out->n_points
 * (freeing the old ones) and leaves the featured media alone. Returns 0, or -1
 * with a reason in err; `out` is then untouched. */
int markup_summary_parse(const char *md, size_t len, struct model_summary *out, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

/* ---- back to Markdown: the inverse of the two parsers ---- */

/* Appends Markdown for `n` blocks to `out` (blocks a blank line apart, ending
 * with a newline; nothing for no blocks) such that markup_body_parse() reads it
 * back as the same blocks. The caller checks out->err once.
 *
 *   paragraph  its inline source, as it is
 *   quote      "> " lines, then ">" and "> — CITE" when there is a cite
 *   list       "- " items, "**LEAD** TEXT" for a lead ("__LEAD__" where the
 *              lead's own emphasis would pair with "**"); a list right after a
 *              list takes "*" for its bullets, or the two would merge. An item
 *              with no lead whose text opens with strong text is written as a
 *              heading inside the item (TEXT, then "===") so that the strong
 *              text is not read as a lead.
 *   image      ![ALT](URL "CAPTION"), then "Image source: CREDIT" on the next line
 *              when the credit is not empty
 *   embed      [Embed: TITLE](URL)
 * Plain text (alt, credit, cite, embed title) is escaped to read back as
 * itself; a URL holding spaces, parentheses or angle brackets is written as
 * <URL>. The caption is written as the image's title, which Markdown holds as
 * plain text: the parser stores the caption as markup_escape(TITLE).
 *
 * What comes back is byte for byte what markup_body_parse() made, whose rich
 * text is always cmark's own spelling. Blocks made otherwise come back the same
 * with these exceptions, where Markdown (or the parser) cannot say what the
 * model holds:
 *   - rich text spelled otherwise (the text importer writes "\&" and "\~"
 *     where cmark writes "&" and "~") reads the same but comes back in cmark's
 *     spelling, and a caption holding markup (an imported ", external" link)
 *     comes back as its plain text;
 *   - an image or embed without a URL (an imported capture keeps none) is
 *     written with an empty one, "![ALT]()", which reads back as the same
 *     block without an address (shown to readers as a placeholder);
 *   - a list's blank_after is a fact of the plain-text layout: it reads back 1;
 *   - plain text loses white space at its two ends (alt, credit, cite, title);
 *     an empty cite, caption or lead reads back as none (NULL), an item with
 *     neither lead nor text is dropped, and an embed with an empty title is an
 *     error;
 *   - a paragraph whose text is nothing but an image, or a link reading
 *     "Embed: ...", reads back as that image or embed;
 *   - a lead that reads back otherwise between "**" and between "__" alike
 *     is written as its plain text (the parser never makes one). */
void markup_body_to_markdown(struct buf *out, const struct model_block *blocks, size_t n);

/* Appends the key points of `s` as a Markdown bullet list ("- point" lines,
 * continuation lines indented) that markup_summary_parse() reads back as the
 * same points; nothing when there are none. The featured media is not part of
 * it. Empty points are dropped. */
void markup_summary_to_markdown(struct buf *out, const struct model_summary *s);

#endif
