/*
 * Post and summary sizes against model_limits.h: see render_limits.h. Both
 * checks render into a buffer capped one byte past the limit, so a post far
 * over it costs no more than one at it.
 */
#include "render/render_limits.h"

#include <stdio.h>
#include <string.h>

#include "model/model_limits.h"
#include "render/render.h"
#include "util/buf.h"

static size_t lim_len(const char *s)
{
	return s ? strlen(s) : 0;
}

static size_t lim_post_text(const struct model_post *post)
{
	size_t n = 0;

	for (size_t i = 0; i < post->n_blocks; i++) {
		const struct model_block *b = &post->blocks[i];

		n += lim_len(b->text) + lim_len(b->cite) + lim_len(b->url) + lim_len(b->alt) +
		     lim_len(b->credit) + lim_len(b->caption);
		for (size_t k = 0; k < b->n_items; k++)
			n += lim_len(b->items[k].lead) + lim_len(b->items[k].text);
	}
	return n;
}

static void lim_fail(char *err, size_t errlen, const char *what, size_t kb, size_t max_kb,
		     const char *form)
{
	if (err && errlen)
		snprintf(err, errlen,
			 "%s is too large to show: %zu KB %s (at most %zu KB). Shorten it, or use "
			 "fewer links and images.",
			 what, kb, form, max_kb);
}

int render_post_fits(const struct model_page *page, const struct model_post *post, char *err,
		     size_t errlen)
{
	size_t text = lim_post_text(post);
	struct buf b;
	int rc = 0;

	if (text > MODEL_POST_TEXT_MAX) {
		lim_fail(err, errlen, "The post", (text + 1023) / 1024,
			 MODEL_POST_TEXT_MAX / 1024, "of text once its links are written out");
		return -1;
	}
	buf_init(&b, MODEL_POST_HTML_MAX);
	render_post_html(&b, page, post);
	if (b.err == BUF_ETOOBIG) {
		lim_fail(err, errlen, "The post", MODEL_POST_HTML_MAX / 1024 + 1,
			 MODEL_POST_HTML_MAX / 1024, "or more for readers' pages");
		rc = -1;
	} else if (b.err) {
		if (err && errlen)
			snprintf(err, errlen, "Out of memory.");
		rc = -1;
	}
	buf_cleanup(&b);
	return rc;
}

int render_summary_fits(const struct model_page *page, char *err, size_t errlen)
{
	const struct model_summary *s = &page->summary;
	size_t text = lim_len(s->media_caption) + lim_len(s->media_alt) + lim_len(s->media_url);
	struct buf b;
	int rc = 0;

	for (size_t i = 0; i < s->n_points; i++)
		text += lim_len(s->points[i]);
	if (text > MODEL_SUMMARY_TEXT_MAX) {
		lim_fail(err, errlen, "The summary", (text + 1023) / 1024,
			 MODEL_SUMMARY_TEXT_MAX / 1024, "of text once its links are written out");
		return -1;
	}
	buf_init(&b, MODEL_SUMMARY_HTML_MAX);
	render_summary_html(&b, page);
	if (b.err == BUF_ETOOBIG) {
		lim_fail(err, errlen, "The summary", MODEL_SUMMARY_HTML_MAX / 1024 + 1,
			 MODEL_SUMMARY_HTML_MAX / 1024, "or more for readers' pages");
		rc = -1;
	} else if (b.err) {
		if (err && errlen)
			snprintf(err, errlen, "Out of memory.");
		rc = -1;
	}
	buf_cleanup(&b);
	return rc;
}
