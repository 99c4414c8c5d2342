/*
 * Import of the plain-text form (text.h): a line-by-line reader over the
 * input, with a lookahead of up to three lines, which is what the layout needs
 * to tell a byline from a paragraph and an embed from a paragraph.
 *
 * The bytes are checked first (line length, NUL, UTF-8) so that the reader
 * below can trust them. Post times are read in two steps: the headers give
 * day, month and wall time, and only when every post is read can years be
 * assigned, walking from the oldest post (the last in the file) forwards.
 *
 * A capture is held to the limits the newsroom keeps (model/model_limits.h):
 * at most MODEL_CAPTURE_MAX bytes, and each post and the summary as a reader's
 * page needs them (its title, bylines, blocks, its Markdown as an editor would
 * see it, its text and HTML: render_post_fits), each refusal naming the line
 * where the post or the summary begins.
 */
#include "text/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markup/markup.h"
#include "markup/markup_body.h"
#include "model/model_limits.h"
#include "render/render_limits.h"
#include "text/text_layout.h"
#include "util/tz.h"
#include "util/utf8.h"

/* Markup of one line: at most 5 bytes ("&#13;") for each byte of text. */
#define TEXT_MARKUP_MAX (TEXT_MAX_LINE * 8)
#define TEXT_ZONE_MAX	95 /* the longest zone name we accept, as tz_view's */

struct text_line {
	const char *s;
	size_t n;
};

/* The wall time of a post as its header gives it (no year). */
struct text_when {
	size_t line;
	int month, day, hour, minute;
	const char *zone; /* the zone's long name, in the input */
	size_t zone_len;
};

struct text_parser {
	const char *data;
	size_t len;
	size_t pos;  /* offset of the current line; past `len` at the end */
	size_t line; /* 1-based number of the current line */
	const struct text_import_opts *opts;
	struct text_error *err;
	struct model_summary *summary;
	struct model_post *posts; /* in file order (newest first) while reading */
	struct text_when *whens;  /* one per post */
	size_t n_posts;
};

typedef void (*text_markup_fn)(struct buf *out, const char *s, size_t n);

/* ---- errors and memory ---- */

__attribute__((format(printf, 3, 4))) static int text_fail(struct text_parser *p, size_t line,
							   const char *fmt, ...)
{
	va_list ap;

	/* The line number travels in err->line; the caller prints "FILE:LINE: ". */
	p->err->line = line;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Grows `arr` of `n` elements by one zeroed element; the capacity doubles at
 * powers of two. Aborts when out of memory, as the model's constructors do. */
static void *text_grow(void *arr, size_t n, size_t size)
{
	if ((n & (n - 1)) == 0) {
		arr = reallocarray(arr, n ? n * 2 : 1, size);
		if (!arr)
			abort();
	}
	memset((char *)arr + n * size, 0, size);
	return arr;
}

static char *text_strndup(const char *s, size_t n)
{
	char *r = strndup(s, n);

	if (!r)
		abort();
	return r;
}

static char *text_markup(text_markup_fn fn, const char *s, size_t n)
{
	struct buf b;
	char *r;

	buf_init(&b, TEXT_MARKUP_MAX);
	fn(&b, s, n);
	r = buf_detach(&b, NULL);
	if (!r)
		abort(); /* out of memory: the cap holds any line's markup */
	return r;
}

/* ---- checking the bytes ---- */

/* Checks every line before any is read. A line is never searched past
 * TEXT_MAX_LINE bytes, so one huge line fails at once. */
static int text_check_bytes(struct text_parser *p)
{
	size_t pos = 0, line = 1, rest, n, ok;
	const char *s, *nl;

	while (pos <= p->len) {
		s = p->data + pos;
		rest = p->len - pos;
		nl = memchr(s, '\n', rest < TEXT_MAX_LINE + 1 ? rest : TEXT_MAX_LINE + 1);
		n = nl ? (size_t)(nl - s) : rest;
		if (n > TEXT_MAX_LINE)
			return text_fail(p, line, "line longer than %d bytes", TEXT_MAX_LINE);
		if (memchr(s, '\0', n))
			return text_fail(p, line, "NUL byte in the text");
		ok = utf8_prefix(s, n);
		if (ok != n)
			return text_fail(p, line, "invalid UTF-8 at byte %zu of the line", ok + 1);
		pos += n + 1;
		line++;
	}
	return 0;
}

/* ---- reading lines ---- */

static int text_line_at(const struct text_parser *p, size_t pos, struct text_line *l, size_t *next)
{
	const char *nl;

	if (pos > p->len)
		return 0;
	l->s = p->data + pos;
	nl = memchr(l->s, '\n', p->len - pos);
	l->n = nl ? (size_t)(nl - l->s) : p->len - pos;
	*next = pos + l->n + 1;
	return 1;
}

/* The line `ahead` lines after the current one; 0 past the end. */
static int text_peek(const struct text_parser *p, size_t ahead, struct text_line *l)
{
	size_t pos = p->pos, next = 0;

	for (;;) {
		if (!text_line_at(p, pos, l, &next))
			return 0;
		if (ahead-- == 0)
			return 1;
		pos = next;
	}
}

static void text_advance(struct text_parser *p)
{
	struct text_line l;
	size_t next = 0;

	if (text_line_at(p, p->pos, &l, &next)) {
		p->pos = next;
		p->line++;
	}
}

static int text_starts(struct text_line l, const char *lit)
{
	size_t n = strlen(lit);

	return l.n >= n && memcmp(l.s, lit, n) == 0;
}

static int text_equals(struct text_line l, const char *lit)
{
	return l.n == strlen(lit) && memcmp(l.s, lit, l.n) == 0;
}

/* The last occurrence of `lit` in `l`, or NULL. */
static const char *text_find_last(struct text_line l, const char *lit)
{
	size_t n = strlen(lit);
	const char *found = NULL, *s = l.s, *end = l.s + l.n, *m;

	while ((m = memmem(s, (size_t)(end - s), lit, n)) != NULL) {
		found = m;
		s = m + 1;
	}
	return found;
}

static int text_is_header(struct text_line l)
{
	return text_starts(l, TEXT_HEADER_INDENT) && l.n > 2 && l.s[2] >= '0' && l.s[2] <= '9';
}

static struct text_line text_body(struct text_line l)
{
	struct text_line b = {l.s + TEXT_LIT_LEN(TEXT_INDENT), l.n - TEXT_LIT_LEN(TEXT_INDENT)};

	return b;
}

/* Only blank lines are left (a file saved with final newlines). */
static int text_rest_blank(const struct text_parser *p)
{
	for (size_t i = p->pos; i < p->len; i++)
		if (p->data[i] != '\n')
			return 0;
	return 1;
}

static int text_expect_blank(struct text_parser *p, const char *after, int or_end)
{
	struct text_line l;

	if (!text_peek(p, 0, &l)) {
		if (or_end)
			return 0;
		return text_fail(p, p->line - 1, "the text ends after %s", after);
	}
	if (l.n != 0)
		return text_fail(p, p->line, "expected a blank line after %s", after);
	text_advance(p);
	return 0;
}

/* ---- the summary ---- */

static void text_add_point(struct model_summary *s, struct text_line l)
{
	size_t skip = TEXT_LIT_LEN(TEXT_POINT);

	s->points = text_grow(s->points, s->n_points, sizeof(*s->points));
	s->points[s->n_points++] = text_markup(markup_from_capture, l.s + skip, l.n - skip);
}

static int text_parse_media(struct text_parser *p)
{
	struct model_summary *s = p->summary;
	struct text_line l;

	text_advance(p);
	if (text_expect_blank(p, "\"" TEXT_MEDIA_CAPTION "\"", 0) < 0)
		return -1;
	if (!text_peek(p, 0, &l) || l.n == 0)
		return text_fail(p, p->line, "expected the media caption");
	s->media_kind = MODEL_MEDIA_VIDEO;
	s->media_url = model_strdup("");
	s->media_alt = model_strdup("");
	s->media_caption = text_markup(markup_from_capture, l.s, l.n);
	text_advance(p);
	return text_expect_blank(p, "the media caption", 1);
}

/* ---- limits ---- */

/* A page to measure against: the zone of the capture and the longest slug, so
 * that what fits here fits under any slug. */
static void text_limits_page(const struct text_parser *p, struct model_page *page,
			     char slug[81])
{
	memset(slug, 'x', 80);
	slug[80] = '\0';
	memset(page, 0, sizeof(*page));
	page->slug = slug;
	page->title = (char *)"";
	page->description = (char *)"";
	page->zone = (char *)p->opts->zone;
}

/* Markdown that would be too long to edit: the newsroom's body limit. */
static int text_markdown_over(const struct model_post *post, const struct model_summary *s)
{
	struct buf b;
	int over;

	buf_init(&b, post ? MODEL_BODY_MAX : MODEL_SUMMARY_MAX);
	if (post)
		markup_body_to_markdown(&b, post->blocks, post->n_blocks);
	else
		markup_summary_to_markdown(&b, s);
	over = b.err != 0;
	buf_cleanup(&b);
	return over;
}

static int text_check_post(struct text_parser *p, const struct model_post *post, size_t line)
{
	struct model_page page;
	char slug[81], err[200];
	size_t num = p->n_posts;

	if (post->title && strlen(post->title) > MODEL_TITLE_MAX)
		return text_fail(p, line, "post %zu: the title is longer than %d bytes", num,
				 MODEL_TITLE_MAX);
	if (post->n_bylines > MODEL_BYLINES_MAX)
		return text_fail(p, line, "post %zu: more than %d bylines", num, MODEL_BYLINES_MAX);
	for (size_t i = 0; i < post->n_bylines; i++)
		if ((post->bylines[i].name && strlen(post->bylines[i].name) > MODEL_NAME_MAX) ||
		    (post->bylines[i].role && strlen(post->bylines[i].role) > MODEL_NAME_MAX))
			return text_fail(p, line, "post %zu: a byline is longer than %d bytes", num,
					 MODEL_NAME_MAX);
	if (post->n_blocks > MODEL_BLOCKS_MAX)
		return text_fail(p, line, "post %zu: more than %d blocks", num, MODEL_BLOCKS_MAX);
	for (size_t i = 0; i < post->n_blocks; i++)
		if (post->blocks[i].n_items > MODEL_ITEMS_MAX)
			return text_fail(p, line, "post %zu: a list of more than %d items", num,
					 MODEL_ITEMS_MAX);
	if (text_markdown_over(post, NULL))
		return text_fail(p, line, "post %zu: the body is longer than %d bytes of Markdown",
				 num, MODEL_BODY_MAX);
	text_limits_page(p, &page, slug);
	if (render_post_fits(&page, post, err, sizeof(err)) < 0)
		return text_fail(p, line, "post %zu: %s", num, err);
	return 0;
}

static int text_check_summary(struct text_parser *p, size_t line)
{
	struct model_page page;
	char slug[81], err[200];

	if (p->summary->n_points > MODEL_POINTS_MAX)
		return text_fail(p, line, "the summary has more than %d key points",
				 MODEL_POINTS_MAX);
	if (text_markdown_over(NULL, p->summary))
		return text_fail(p, line, "the summary is longer than %d bytes of Markdown",
				 MODEL_SUMMARY_MAX);
	text_limits_page(p, &page, slug);
	page.summary = *p->summary;
	if (render_summary_fits(&page, err, sizeof(err)) < 0)
		return text_fail(p, line, "%s", err);
	return 0;
}

/* ---- the summary ---- */

/* Returns 1 if there was a summary, 0 if not, -1 on error. */
static int text_parse_summary(struct text_parser *p)
{
	struct text_line l;
	size_t line = p->line;

	if (!text_peek(p, 0, &l) || !text_equals(l, TEXT_SUMMARY))
		return 0;
	text_advance(p);
	if (text_expect_blank(p, "\"" TEXT_SUMMARY "\"", 1) < 0)
		return -1;
	while (text_peek(p, 0, &l) && text_starts(l, TEXT_POINT)) {
		text_add_point(p->summary, l);
		text_advance(p);
	}
	if (p->summary->n_points > 0 && text_expect_blank(p, "the key points", 1) < 0)
		return -1;
	if (text_peek(p, 0, &l) && text_equals(l, TEXT_MEDIA_CAPTION) && text_parse_media(p) < 0)
		return -1;
	/* An export writes "Summary" only above what it holds: an empty one would
	 * not come back, and a capture of only that would export as nothing. */
	if (p->summary->n_points == 0 && !p->summary->media_caption)
		return text_fail(p, line,
				 "\"" TEXT_SUMMARY "\" with no key points and no media caption "
				 "(remove the line, or add a \"" TEXT_POINT "point\")");
	if (text_check_summary(p, line) < 0)
		return -1;
	return 1;
}

/* ---- post headers ---- */

/* The value of two ASCII digits, or -1. */
static int text_two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int text_fail_truncated(struct text_parser *p)
{
	return text_fail(p, p->line, "truncated post header (expected \"%sHH:MM ZONE D Month\")",
			 TEXT_PUBLISHED);
}

/* "ZONE D Month", read from the end: the zone's name has spaces in it. */
static int text_parse_date(struct text_parser *p, const char *s, size_t n, struct text_when *w)
{
	const char *end = s + n, *month, *day;
	size_t month_len, day_len;

	month = memrchr(s, ' ', n);
	day = month ? memrchr(s, ' ', (size_t)(month - s)) : NULL;
	if (!day || day == s)
		return text_fail_truncated(p);
	w->zone = s;
	w->zone_len = (size_t)(day - s);
	day++;
	month++;
	day_len = (size_t)(month - 1 - day);
	month_len = (size_t)(end - month);
	w->month = tz_month_from_name(month, month_len);
	if (w->month == 0)
		return text_fail(p, p->line, "unknown month \"%.*s\"",
				 (int)(month_len < 32 ? month_len : 32), month);
	if (day_len == 1 && day[0] >= '1' && day[0] <= '9')
		w->day = day[0] - '0';
	else if (day_len == 2 && text_two_digits(day) > 0)
		w->day = text_two_digits(day);
	else
		return text_fail(p, p->line, "bad day of the month \"%.*s\"",
				 (int)(day_len < 32 ? day_len : 32), day);
	if (w->zone_len > TEXT_ZONE_MAX)
		return text_fail(p, p->line, "zone name longer than %d bytes", TEXT_ZONE_MAX);
	return 0;
}

/* "HH:MM ZONE D Month" */
static int text_parse_when(struct text_parser *p, const char *s, size_t n, struct text_when *w)
{
	w->line = p->line;
	w->hour = n >= 5 && s[2] == ':' ? text_two_digits(s) : -1;
	w->minute = w->hour >= 0 ? text_two_digits(s + 3) : -1;
	if (w->hour < 0 || w->hour > 23 || w->minute < 0 || w->minute > 59)
		return text_fail(p, p->line, "bad time \"%.*s\" (expected HH:MM)",
				 (int)(n < 5 ? n : 5), s);
	if (n < 6 || s[5] != ' ')
		return text_fail_truncated(p);
	return text_parse_date(p, s + 6, n - 6, w);
}

/* "  N. TITLEpublished at HH:MM ZONE D Month" */
static int text_parse_header(struct text_parser *p, struct text_line l, struct model_post *post,
			     struct text_when *w)
{
	size_t i = TEXT_LIT_LEN(TEXT_HEADER_INDENT), num = 0;
	struct text_line rest;
	const char *pub;

	while (i < l.n && l.s[i] >= '0' && l.s[i] <= '9' && num < 1000000)
		num = num * 10 + (size_t)(l.s[i++] - '0');
	if (i + 2 > l.n || l.s[i] != '.' || l.s[i + 1] != ' ')
		return text_fail(p, p->line, "malformed post header (expected \"  N. Title\")");
	if (num != p->n_posts)
		return text_fail(p, p->line, "post number %zu out of order (expected %zu)", num,
				 p->n_posts);
	rest.s = l.s + i + 2;
	rest.n = l.n - i - 2;
	pub = text_find_last(rest, TEXT_PUBLISHED);
	if (!pub)
		return text_fail_truncated(p);
	post->title = text_strndup(rest.s, (size_t)(pub - rest.s));
	pub += TEXT_LIT_LEN(TEXT_PUBLISHED);
	return text_parse_when(p, pub, (size_t)(rest.s + rest.n - pub), w);
}

/* ---- post bodies ---- */

static struct model_block *text_add_block(struct model_post *post, enum model_block_kind kind)
{
	struct model_block *b;

	post->blocks = text_grow(post->blocks, post->n_blocks, sizeof(*post->blocks));
	b = &post->blocks[post->n_blocks++];
	b->kind = kind;
	return b;
}

/* A line that may be half of a byline: not a list item, quotation or image. */
static int text_is_byline_part(struct text_line l)
{
	return text_starts(l, TEXT_INDENT) && !text_starts(l, TEXT_BULLET) &&
	       !text_starts(l, TEXT_QUOTE) && !text_equals(l, TEXT_IMAGE_CAPTION) &&
	       !text_find_last(l, TEXT_IMAGE_SOURCE);
}

/* Bylines open the body: two lines (name, role), then a blank line. */
static void text_parse_bylines(struct text_parser *p, struct model_post *post)
{
	struct text_line name, role, blank;
	struct model_byline *b;

	while (text_peek(p, 0, &name) && text_peek(p, 1, &role) && text_peek(p, 2, &blank) &&
	       blank.n == 0 && text_is_byline_part(name) && text_is_byline_part(role)) {
		name = text_body(name);
		role = text_body(role);
		post->bylines = text_grow(post->bylines, post->n_bylines, sizeof(*b));
		b = &post->bylines[post->n_bylines++];
		b->name = text_strndup(name.s, name.n);
		b->role = text_strndup(role.s, role.n);
		text_advance(p);
		text_advance(p);
		text_advance(p);
	}
}

static void text_add_item(struct model_block *b, struct text_line l)
{
	struct model_list_item *it;
	const char *colon;
	size_t lead;

	b->items = text_grow(b->items, b->n_items, sizeof(*b->items));
	it = &b->items[b->n_items++];
	colon = memmem(l.s, l.n, ": ", 2);
	lead = colon ? (size_t)(colon - l.s) + 1 : 0;
	if (lead > 1 && lead <= TEXT_LEAD_MAX) {
		it->lead = text_markup(markup_escape, l.s, lead);
		it->text = text_markup(markup_from_capture, l.s + lead + 1, l.n - lead - 1);
	} else {
		it->text = text_markup(markup_from_capture, l.s, l.n);
	}
}

static void text_parse_list(struct text_parser *p, struct model_post *post)
{
	struct model_block *b = text_add_block(post, MODEL_BLOCK_LIST);
	size_t skip = TEXT_LIT_LEN(TEXT_BULLET);
	struct text_line l;

	while (text_peek(p, 0, &l) && text_starts(l, TEXT_BULLET)) {
		l.s += skip;
		l.n -= skip;
		text_add_item(b, l);
		text_advance(p);
	}
	/* Captures differ here (PRODUCT.md): keep what this one did. */
	if (text_peek(p, 0, &l) && l.n == 0) {
		b->blank_after = 1;
		text_advance(p);
	}
}

static int text_parse_quote(struct text_parser *p, struct model_post *post, struct text_line l)
{
	struct model_block *b = text_add_block(post, MODEL_BLOCK_QUOTE);
	size_t skip = TEXT_LIT_LEN(TEXT_QUOTE);

	b->text = text_markup(markup_from_capture, l.s + skip, l.n - skip);
	text_advance(p);
	if (text_peek(p, 0, &l) && text_starts(l, TEXT_CITE)) {
		skip = TEXT_LIT_LEN(TEXT_CITE);
		b->cite = text_strndup(l.s + skip, l.n - skip);
		text_advance(p);
	}
	return text_expect_blank(p, "a quotation", 1);
}

static int text_parse_image(struct text_parser *p, struct model_post *post, struct text_line l,
			    const char *source)
{
	struct model_block *b = text_add_block(post, MODEL_BLOCK_IMAGE);
	const char *credit = source + TEXT_LIT_LEN(TEXT_IMAGE_SOURCE);

	l = text_body(l);
	b->url = model_strdup("");
	b->alt = text_strndup(l.s, (size_t)(source - l.s));
	b->credit = text_strndup(credit, (size_t)(l.s + l.n - credit));
	text_advance(p);
	if (!text_peek(p, 0, &l) || !text_equals(l, TEXT_IMAGE_CAPTION))
		return text_expect_blank(p, "an image", 1);
	text_advance(p);
	if (text_expect_blank(p, "\"Image caption,\"", 0) < 0)
		return -1;
	/* An empty caption would be exported as no caption at all. */
	if (!text_peek(p, 0, &l) || !text_starts(l, TEXT_INDENT) ||
	    l.n == TEXT_LIT_LEN(TEXT_INDENT))
		return text_fail(p, p->line, "expected an image caption, indented four spaces");
	l = text_body(l);
	b->caption = text_markup(markup_from_capture, l.s, l.n);
	text_advance(p);
	return text_expect_blank(p, "an image caption", 1);
}

/* A line followed by a blank line (or the end) is a paragraph; a line followed
 * directly by another is an embed's title. */
static void text_parse_line(struct text_parser *p, struct model_post *post, struct text_line l)
{
	struct text_line next;
	struct model_block *b;

	l = text_body(l);
	if (text_peek(p, 1, &next) && next.n > 0) {
		b = text_add_block(post, MODEL_BLOCK_EMBED);
		b->text = text_strndup(l.s, l.n);
		b->url = model_strdup("");
		text_advance(p);
		return;
	}
	b = text_add_block(post, MODEL_BLOCK_PARAGRAPH);
	b->text = text_markup(markup_from_capture, l.s, l.n);
	text_advance(p);
	text_advance(p);
}

static int text_parse_block(struct text_parser *p, struct model_post *post, struct text_line l)
{
	const char *source;

	if (!text_starts(l, TEXT_INDENT))
		return text_fail(
		    p, p->line,
		    "unexpected text: body lines are indented four spaces, post headers two");
	if (text_starts(l, TEXT_BULLET)) {
		text_parse_list(p, post);
		return 0;
	}
	if (text_starts(l, TEXT_QUOTE))
		return text_parse_quote(p, post, l);
	source = text_find_last(l, TEXT_IMAGE_SOURCE);
	if (source)
		return text_parse_image(p, post, l, source);
	text_parse_line(p, post, l);
	return 0;
}

static int text_parse_post_body(struct text_parser *p, struct text_line header)
{
	struct model_post *post;
	struct text_line l;

	p->posts = text_grow(p->posts, p->n_posts, sizeof(*p->posts));
	p->whens = text_grow(p->whens, p->n_posts, sizeof(*p->whens));
	post = &p->posts[p->n_posts++];
	if (text_parse_header(p, header, post, &p->whens[p->n_posts - 1]) < 0)
		return -1;
	text_advance(p);
	if (text_peek(p, 0, &l) && text_equals(l, TEXT_BREAKING)) {
		post->breaking = 1;
		text_advance(p);
	}
	if (text_peek(p, 0, &l) && !text_is_header(l) &&
	    text_expect_blank(p, "a post header", 1) < 0)
		return -1;
	text_parse_bylines(p, post);
	while (text_peek(p, 0, &l) && !text_is_header(l)) {
		if (l.n == 0) {
			if (text_rest_blank(p))
				return 0;
			return text_fail(p, p->line, "unexpected blank line");
		}
		if (text_parse_block(p, post, l) < 0)
			return -1;
	}
	return 0;
}

static int text_parse_post(struct text_parser *p, struct text_line header)
{
	size_t line = p->line;

	if (text_parse_post_body(p, header) < 0)
		return -1;
	return text_check_post(p, &p->posts[p->n_posts - 1], line);
}

/* ---- times ---- */

static int text_zone_matches(const char *zone, int64_t t, const struct text_when *w,
			     struct tz_view *v)
{
	return tz_view(zone, t, v) == 0 && strlen(v->zone_long) == w->zone_len &&
	       memcmp(v->zone_long, w->zone, w->zone_len) == 0;
}

/* The UTC time of `w` in `year`. A wall time repeated in autumn is told apart
 * by its zone name ("01:30 British Summer Time", "01:30 Greenwich Mean Time"). */
static int text_resolve_time(struct text_parser *p, const struct text_when *w, int year, int64_t *t)
{
	const char *zone = p->opts->zone;
	struct tz_view first, second;
	int64_t t2;

	if (tz_local_to_utc(zone, year, w->month, w->day, w->hour, w->minute, 0, t) < 0)
		return text_fail(p, w->line, "%02d:%02d on %04d-%02d-%02d does not exist in %s",
				 w->hour, w->minute, year, w->month, w->day, zone);
	if (text_zone_matches(zone, *t, w, &first))
		return 0;
	if (tz_local_to_utc(zone, year, w->month, w->day, w->hour, w->minute, 1, &t2) == 0 &&
	    text_zone_matches(zone, t2, w, &second)) {
		*t = t2;
		return 0;
	}
	return text_fail(p, w->line,
			 "zone name \"%.*s\" does not match %s at that time (expected \"%s\")",
			 (int)w->zone_len, w->zone, zone, first.zone_long);
}

/* Walks from the oldest post (the last in the file) to the newest: the year
 * goes up when the date goes back (coverage running past New Year). */
static int text_resolve_times(struct text_parser *p)
{
	int year = p->opts->year, prev_date = -1, date;
	int64_t t, prev_t = INT64_MIN;

	for (size_t i = p->n_posts; i-- > 0;) {
		const struct text_when *w = &p->whens[i];

		date = w->month * 100 + w->day;
		if (date < prev_date)
			year++;
		prev_date = date;
		if (text_resolve_time(p, w, year, &t) < 0)
			return -1;
		if (t < prev_t)
			return text_fail(
			    p, w->line,
			    "post is older than the post below it (posts run newest first)");
		prev_t = t;
		p->posts[i].published_at = p->posts[i].updated_at = t;
	}
	return 0;
}

static void text_reverse_posts(struct model_post *posts, size_t n)
{
	struct model_post tmp;

	for (size_t i = 0; i < n / 2; i++) {
		tmp = posts[i];
		posts[i] = posts[n - 1 - i];
		posts[n - 1 - i] = tmp;
	}
}

/* ---- the whole text ---- */

static int text_parse_all(struct text_parser *p)
{
	struct text_line l;
	int has_summary = 0;

	if (!p->opts || !p->opts->zone || !tz_valid(p->opts->zone))
		return text_fail(p, 0, "unknown time zone \"%s\"",
				 p->opts && p->opts->zone ? p->opts->zone : "");
	if (p->len == 0)
		return text_fail(p, 0, "empty input");
	if (p->len > MODEL_CAPTURE_MAX)
		return text_fail(p, 0, "the capture is larger than %zu MB",
				 MODEL_CAPTURE_MAX / (1024 * 1024));
	if (text_check_bytes(p) < 0 || (has_summary = text_parse_summary(p)) < 0)
		return -1;
	while (text_peek(p, 0, &l) && !text_rest_blank(p)) {
		if (!text_is_header(l))
			return text_fail(
			    p, p->line,
			    "unexpected text (expected %sa post header \"  N. Title...\")",
			    p->n_posts || has_summary ? "" : "\"Summary\" or ");
		if (text_parse_post(p, l) < 0)
			return -1;
	}
	if (p->n_posts == 0 && !has_summary)
		return text_fail(p, 0, "no summary and no posts");
	return text_resolve_times(p);
}

int text_parse(const char *data, size_t len, const struct text_import_opts *opts,
	       struct model_summary *summary, struct model_post **posts, size_t *n_posts,
	       struct text_error *err)
{
	struct text_parser p = {
	    .data = data, .len = len, .line = 1, .opts = opts, .err = err, .summary = summary};

	memset(err, 0, sizeof(*err));
	memset(summary, 0, sizeof(*summary));
	*posts = NULL;
	*n_posts = 0;
	if (text_parse_all(&p) < 0) {
		model_posts_free(p.posts, p.n_posts);
		model_summary_cleanup(summary);
		free(p.whens);
		return -1;
	}
	free(p.whens);
	text_reverse_posts(p.posts, p.n_posts);
	*posts = p.posts;
	*n_posts = p.n_posts;
	return 0;
}
