/*
 * Inline rich text, held as CommonMark inline source and parsed with cmark (the
 * maintained CommonMark library). One parser, three outputs: HTML for readers,
 * plain text for the terminal form, and the reverse step that turns captured
 * plain text into source that reads back as exactly that text.
 *
 * Safety: raw HTML in the source is never passed through (it is shown as text),
 * link destinations are limited to http, https and mailto (others render as plain
 * text), and every piece of text is escaped on output.
 *
 * Links: a link whose destination is absolute http(s) is external ("to another
 * site"); so is a link with an empty destination, which is how an imported
 * capture records "..., external" without an address. External links are marked:
 * in HTML with a visually hidden ", external" (the wording of the capture), in
 * plain text with the literal ", external" after the link text.
 */
#ifndef LIVELINE_MARKUP_H
#define LIVELINE_MARKUP_H

#include <stddef.h>

#include "util/buf.h"

/* Appends the HTML of inline source `md` (no surrounding <p>). Block constructs
 * in `md` are flattened to their inline text. */
void markup_inline_html(struct buf *out, const char *md);

/* Appends the plain text that `md` reads as (the form in the text layout). */
void markup_inline_plain(struct buf *out, const char *md);

/* Appends the words that `md` reads as, for machines (meta descriptions,
 * JSON-LD): markup_inline_plain() without its ", external" after a link to
 * another site, which belongs to the text layout. */
void markup_inline_words(struct buf *out, const char *md);

/* Appends inline source that reads back, through markup_inline_plain(), as
 * exactly `text` (n bytes): every character that CommonMark would take as
 * markup is escaped. */
void markup_escape(struct buf *out, const char *text, size_t n);

/* Appends inline source for captured plain text `text` (n bytes) in which
 * "ANCHOR, external" marks a link to another site whose address was not kept:
 * the anchor becomes a link with an empty destination, so that
 * markup_inline_plain() gives back `text` byte for byte. The anchor is the run of
 * words before ", external" that begin with a capital letter or a digit (at least
 * the last word). */
void markup_from_capture(struct buf *out, const char *text, size_t n);

/* 1 if `url` may be linked to (http, https, mailto, or a site-relative path
 * starting with a single '/'), else 0. An address with a control character
 * anywhere (tab, line break, ...) or a space at either end is refused: a browser
 * would remove them and might read what is left as another site ("/\t/host"). */
int markup_url_allowed(const char *url);

/* 1 if `url` is external as described above. */
int markup_url_external(const char *url);

#endif
