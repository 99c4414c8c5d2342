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

/* Quotation marks (" and ') in rich text `s`. cmark keeps each as a delimiter
 * of its own, and some arrangements make it look back over all of them for
 * each: 8 KB of '"&' took 12 ms to parse, 8 KB of '"' 8 ms, every time the
 * page is rendered (3.2 MB of '"&' took 12.8 s), while 1,000 of them in any
 * arrangement found, in 24 KB of text, take under 0.8 ms. Counted over a whole
 * post (or summary), since each of its texts is parsed in turn. */
static size_t lim_quotes(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '"' || *s == '\'';
	return n;
}

static size_t lim_post_quotes(const struct model_post *post)
{
	size_t n = 0;

	for (size_t i = 0; i < post->n_blocks; i++) {
		const struct model_block *b = &post->blocks[i];

		n += lim_quotes(b->text) + lim_quotes(b->caption);
		for (size_t k = 0; k < b->n_items; k++)
			n += lim_quotes(b->items[k].lead) + lim_quotes(b->items[k].text);
	}
	return n;
}

static void lim_fail_quotes(char *err, size_t errlen, const char *what, size_t n)
{
	if (err && errlen)
		snprintf(err, errlen, "%s has %zu quotation marks and apostrophes, which would be "
			 "slow to show (at most %d).", what, n, MODEL_QUOTES_MAX);
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

/* Ends a render into `b` (capped at `max` bytes) of `what`: 0 if it fitted,
 * else -1 with the reason in err. Cleans `b` up either way. */
static int lim_html_done(struct buf *b, const char *what, size_t max, char *err, size_t errlen)
{
	int rc = 0;

	if (b->err == BUF_ETOOBIG) {
		lim_fail(err, errlen, what, max / 1024 + 1, max / 1024, "or more for readers' pages");
		rc = -1;
	} else if (b->err) {
		if (err && errlen)
			snprintf(err, errlen, "Out of memory.");
		rc = -1;
	}
	buf_cleanup(b);
	return rc;
}

int render_post_fits(const struct model_page *page, const struct model_post *post, char *err,
		     size_t errlen)
{
	size_t text = lim_post_text(post), quotes;
	struct buf b;

	if (text > MODEL_POST_TEXT_MAX) {
		lim_fail(err, errlen, "The post", (text + 1023) / 1024,
			 MODEL_POST_TEXT_MAX / 1024, "of text once its links are written out");
		return -1;
	}
	quotes = lim_post_quotes(post);
	if (quotes > MODEL_QUOTES_MAX) {
		lim_fail_quotes(err, errlen, "The post", quotes);
		return -1;
	}
	buf_init(&b, MODEL_POST_HTML_MAX);
	render_post_html(&b, page, post);
	return lim_html_done(&b, "The post", MODEL_POST_HTML_MAX, err, errlen);
}

int render_summary_fits(const struct model_page *page, char *err, size_t errlen)
{
	const struct model_summary *s = &page->summary;
	size_t text = lim_len(s->media_caption) + lim_len(s->media_alt) + lim_len(s->media_url) +
		      lim_len(s->media_poster) + lim_len(s->media_credit);
	size_t quotes = 0;
	struct buf b;

	for (size_t i = 0; i < s->n_points; i++)
		text += lim_len(s->points[i]);
	if (text > MODEL_SUMMARY_TEXT_MAX) {
		lim_fail(err, errlen, "The summary", (text + 1023) / 1024,
			 MODEL_SUMMARY_TEXT_MAX / 1024, "of text once its links are written out");
		return -1;
	}
	for (size_t i = 0; i < s->n_points; i++)
		quotes += lim_quotes(s->points[i]);
	quotes += lim_quotes(s->media_caption);
	if (quotes > MODEL_QUOTES_MAX) {
		lim_fail_quotes(err, errlen, "The summary", quotes);
		return -1;
	}
	buf_init(&b, MODEL_SUMMARY_HTML_MAX);
	render_summary_html(&b, page);
	return lim_html_done(&b, "The summary", MODEL_SUMMARY_HTML_MAX, err, errlen);
}
