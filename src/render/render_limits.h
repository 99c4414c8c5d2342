/*
 * Whether a post or a summary is small enough for a reader's page: the checks
 * that make the limits of model/model_limits.h hold for what is written,
 * whoever writes it (the newsroom and the API, the command line, the
 * importer). A post's Markdown is bounded where it is read; what it becomes can
 * still be much larger (a reference link is written out at each use, an empty
 * link is rendered with its "external" marker), so the post is measured as it
 * is stored (its rich text) and as a page shows it (its HTML). That is what
 * bounds a page's render, in bytes and in time.
 */
#ifndef LIVELINE_RENDER_LIMITS_H
#define LIVELINE_RENDER_LIMITS_H

#include <stddef.h>

#include "model/model.h"

/* 0 if `post` holds at most MODEL_POST_TEXT_MAX bytes of text (every string
 * of its blocks), at most MODEL_QUOTES_MAX quotation marks and apostrophes
 * in its rich text, and render_post_html() shows it in at most
 * MODEL_POST_HTML_MAX bytes; else -1 with a sentence for people in err.
 * `page` gives the zone and the links, as on the page. */
int render_post_fits(const struct model_page *page, const struct model_post *post, char *err,
		     size_t errlen) __attribute__((warn_unused_result));

/* The same for the page's summary: at most MODEL_SUMMARY_TEXT_MAX bytes of key
 * points and caption, at most MODEL_QUOTES_MAX quotation marks, and at most
 * MODEL_SUMMARY_HTML_MAX bytes of HTML. */
int render_summary_fits(const struct model_page *page, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
