/*
 * Post bodies and summaries from Markdown: see markup_body.h. cmark parses the
 * whole document; the top-level blocks are mapped one by one, and quotes and
 * lists are flattened with cmark's iterator, never by recursion, so that a
 * document nested ten thousand levels deep costs memory, not stack.
 *
 * Text that stays rich (paragraphs, quotes, items, leads, key points) is
 * cmark's own CommonMark rendering of the paragraph: cmark escapes whatever
 * would read back as markup, so the stored inline source parses back to the
 * same inlines. cmark's rendering has a few holes (white space kept by an
 * entity, breaks in a row, "~~~" at the start of a line, raw bytes in a URL):
 * body_tidy() and body_tidy_links() take out of the tree what a reader would
 * not see anyway, and body_canonical() renders until the text no longer
 * changes. So stored text is a fixed point, and the way back to Markdown at the
 * end of this file (markup_body_to_markdown) gives the same blocks byte for
 * byte; test_markup_body.c checks that on random Markdown.
 */
#include "markup/markup_body.h"

#include <cmark.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markup/markup.h"
#include "util/buf.h"
#include "util/utf8.h"

/* Rendered text can be much longer than its source: a reference link is
 * written out at each use. 8 MiB holds the most that MODEL_BODY_MAX bytes can
 * become (about 5.6 MB, half the body a URL and the rest "[b]" uses); what is
 * stored is bounded later, and much lower, by render_post_fits(). */
#define MARKUP_BODY_TEXT_MAX ((size_t)8 * 1024 * 1024)

struct body {
	const char *src; /* the Markdown being read, src_len bytes (NULL: none) */
	size_t src_len;
	struct model_block *blocks;
	size_t n, cap;
	unsigned n_images, n_embeds, n_lists;
	char *err;
	size_t errlen;
};

/* One list item being gathered: its pieces of text are joined by a space. */
struct body_item {
	char *lead;
	struct buf text;
};

struct body_items {
	struct body_item *v;
	size_t n, cap;
};

static int body_fail(struct body *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int body_fail(struct body *b, const char *fmt, ...)
{
	va_list ap;

	if (b->errlen) {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void *body_realloc(void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n, size);

	if (!q)
		abort(); /* out of memory: not worth unwinding (model_strdup does the same) */
	return q;
}

/* ---- text out of cmark's tree ---- */

/* Nodes to free once an iteration over the tree is done; a node in the set
 * is marked through its user data, so that membership costs nothing. */
struct body_nodes {
	cmark_node **v;
	size_t n, cap;
};

static int body_nodes_has(const struct body_nodes *ns, cmark_node *node)
{
	return cmark_node_get_user_data(node) == (const void *)ns;
}

static void body_nodes_add(struct body_nodes *ns, cmark_node *node)
{
	if (body_nodes_has(ns, node))
		return;
	if (!cmark_node_set_user_data(node, ns))
		abort();
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? 2 * ns->cap : 8;
		ns->v = body_realloc(ns->v, ns->cap, sizeof(*ns->v));
	}
	ns->v[ns->n++] = node;
}

/* Strips spaces and tabs from the text nodes beside a line break: from the
 * end of those before it (`forward` 0) or the start of those after it (1).
 * Nodes left empty go into `drop`. */
static void body_strip_beside(cmark_node *brk, int forward, struct body_nodes *drop)
{
	cmark_node *c = forward ? cmark_node_next(brk) : cmark_node_previous(brk);

	for (; c && cmark_node_get_type(c) == CMARK_NODE_TEXT;
	     c = forward ? cmark_node_next(c) : cmark_node_previous(c)) {
		const char *lit = cmark_node_get_literal(c);
		size_t n = lit ? strlen(lit) : 0, a = 0;
		char *t;

		if (forward)
			while (a < n && (lit[a] == ' ' || lit[a] == '\t'))
				a++;
		else
			while (n > 0 && (lit[n - 1] == ' ' || lit[n - 1] == '\t'))
				n--;
		if (a == n) {
			body_nodes_add(drop, c);
			continue; /* all white: on to the next text */
		}
		t = strndup(lit + a, n - a);
		if (!t || !cmark_node_set_literal(c, t))
			abort();
		free(t);
		return;
	}
}

/* Makes a paragraph's line breaks render as they parse. cmark writes a hard
 * break as two spaces at the end of the line, and white space next to a line
 * break bare; so two breaks in a row would leave a blank line (the paragraph
 * ends), spaces from an entity ("&#32;") after a break would indent what
 * follows (" 1. x", a list), and before a soft break would make it hard.
 * Readers see none of it: such a break is dropped, such spaces removed. */
static void body_tidy_breaks(cmark_node *node)
{
	cmark_iter *it = cmark_iter_new(node);
	struct body_nodes drop = { 0 };
	cmark_node *cur, *prev;
	cmark_event_type ev;
	cmark_node_type ty;

	if (!it)
		abort();
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cur = cmark_iter_get_node(it);
		ty = cmark_node_get_type(cur);
		if (ev != CMARK_EVENT_ENTER ||
		    (ty != CMARK_NODE_LINEBREAK && ty != CMARK_NODE_SOFTBREAK))
			continue;
		body_strip_beside(cur, 0, &drop);
		body_strip_beside(cur, 1, &drop);
		prev = cmark_node_previous(cur);
		while (prev && body_nodes_has(&drop, prev))
			prev = cmark_node_previous(prev);
		/* Two breaks in a row: one is enough, the hard one if any. */
		if (prev && (cmark_node_get_type(prev) == CMARK_NODE_SOFTBREAK ||
			     cmark_node_get_type(prev) == CMARK_NODE_LINEBREAK))
			body_nodes_add(&drop, ty == CMARK_NODE_LINEBREAK ? prev : cur);
	}
	cmark_iter_free(it);
	for (size_t i = 0; i < drop.n; i++)
		cmark_node_free(drop.v[i]); /* also unlinks it */
	free(drop.v);
}

static int body_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Removes line breaks and white space at the start (`end` 0) or the end (1)
 * of a paragraph's inlines. */
static void body_strip_edge(cmark_node *para, int end)
{
	cmark_node *c;
	const char *lit;
	size_t a, n;
	char *t;

	while ((c = end ? cmark_node_last_child(para) : cmark_node_first_child(para)) != NULL) {
		cmark_node_type ty = cmark_node_get_type(c);

		if (ty == CMARK_NODE_SOFTBREAK || ty == CMARK_NODE_LINEBREAK) {
			cmark_node_free(c); /* also unlinks it */
			continue;
		}
		if (ty != CMARK_NODE_TEXT)
			return;
		lit = cmark_node_get_literal(c);
		n = lit ? strlen(lit) : 0;
		a = 0;
		if (end)
			while (n > 0 && body_is_space(lit[n - 1]))
				n--;
		else
			while (a < n && body_is_space(lit[a]))
				a++;
		if (a < n) {
			t = strndup(lit + a, n - a);
			if (!t || !cmark_node_set_literal(c, t))
				abort();
			free(t);
			return;
		}
		cmark_node_free(c);
	}
}

/* Makes the links and images inside a paragraph render as they parse. cmark
 * writes a destination's spaces and control characters raw in an autolink
 * (<https://a b>, no longer one) and as "% A" elsewhere, and a title's line
 * breaks raw, where a blank line would end the paragraph. So such bytes of a
 * destination are percent-encoded here (what a browser does with them anyway)
 * and a title's line breaks become spaces. */
static void body_tidy_links(cmark_node *node)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	cmark_node *cur;
	struct buf b;

	if (!it)
		abort();
	buf_init(&b, MARKUP_BODY_TEXT_MAX);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		const char *url, *title;
		int dirty = 0;

		cur = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER || (cmark_node_get_type(cur) != CMARK_NODE_LINK &&
						 cmark_node_get_type(cur) != CMARK_NODE_IMAGE))
			continue;
		url = cmark_node_get_url(cur);
		buf_reset(&b);
		for (const char *p = url ? url : ""; *p; p++) {
			unsigned char c = (unsigned char)*p;

			if (c <= ' ' || c == 0x7f)
				buf_printf(&b, "%%%02X", c), dirty = 1;
			else
				buf_putc(&b, (char)c);
		}
		if (dirty && (b.err || !cmark_node_set_url(cur, b.data)))
			abort(); /* out of memory: the URL grew at most threefold */
		title = cmark_node_get_title(cur);
		if (title && strpbrk(title, "\r\n")) {
			buf_reset(&b);
			for (const char *p = title; *p; p++)
				buf_putc(&b, *p == '\r' || *p == '\n' ? ' ' : *p);
			if (b.err || !cmark_node_set_title(cur, b.data))
				abort();
		}
	}
	cmark_iter_free(it);
	buf_cleanup(&b);
}

/* Removes what a reader of a paragraph never sees, and what cmark would
 * render so that it reads back otherwise: white space at its two ends (only
 * an entity, "&#32;", puts it there, and cmark renders it bare, before text
 * it then leaves unescaped: " 2) x" reads back as a list), and the line breaks
 * of body_tidy_breaks(). It is also what stands between an image and its
 * credit line, or after an image or embed link: those are then alone. */
static void body_tidy(cmark_node *para)
{
	body_strip_edge(para, 0);
	body_strip_edge(para, 1);
	body_tidy_breaks(para);
}

/* cmark's CommonMark for `node` (a paragraph), without the trailing newline.
 * The paragraph is tidied first (body_tidy, body_tidy_links). */
static char *body_render(cmark_node *node)
{
	char *s;
	size_t n;

	body_tidy(node);
	body_tidy_links(node);
	s = cmark_render_commonmark(node, CMARK_OPT_DEFAULT, 0);
	if (!s)
		abort(); /* cmark fails only when out of memory */
	n = strlen(s);
	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

/* The inline Markdown of `parent`'s children, which are moved out of it into a
 * paragraph of their own (inside a strong node when `strong`). "" if none. */
static char *body_render_inlines(cmark_node *parent, int strong)
{
	cmark_node *para, *into, *c;
	char *s;

	if (!cmark_node_first_child(parent))
		return model_strdup("");
	para = cmark_node_new(CMARK_NODE_PARAGRAPH);
	if (!para)
		abort();
	into = para;
	if (strong) {
		into = cmark_node_new(CMARK_NODE_STRONG);
		if (!into || !cmark_node_append_child(para, into))
			abort();
	}
	while ((c = cmark_node_first_child(parent)) != NULL)
		if (!cmark_node_append_child(into, c))
			abort();
	s = body_render(para);
	cmark_node_free(para);
	return s;
}

/* The only child of the document `s` parses to when that is a paragraph, or
 * NULL; *doc is set either way (the caller frees it). */
static cmark_node *body_one_paragraph(const char *s, cmark_node **doc)
{
	cmark_node *para;

	*doc = cmark_parse_document(s, strlen(s), CMARK_OPT_DEFAULT);
	if (!*doc)
		abort(); /* cmark fails only when out of memory */
	para = cmark_node_first_child(*doc);
	if (!para || cmark_node_next(para) || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
		return NULL;
	return para;
}

static int body_is_one_paragraph(const char *s)
{
	cmark_node *doc;
	int one = body_one_paragraph(s, &doc) != NULL;

	cmark_node_free(doc);
	return one;
}

/* `s` with the first character of every line (after its spaces) escaped
 * when it could open a block (a digit, of an ordered list, written as a
 * reference). */
static char *body_escape_line_starts(const char *s)
{
	struct buf b;
	char *t;
	int at_start = 1;

	buf_init(&b, MARKUP_BODY_TEXT_MAX);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (at_start && strchr("~`*-+=#<>_", c))
			buf_putc(&b, '\\'), buf_putc(&b, (char)c);
		else if (at_start && c >= '0' && c <= '9')
			buf_printf(&b, "&#%d;", c); /* "1." */
		else
			buf_putc(&b, (char)c);
		at_start = *p == '\n' || (at_start && *p == ' ');
	}
	t = buf_detach(&b, NULL);
	if (!t)
		abort(); /* a little more than text that fitted */
	return t;
}

/* `s` (freed here) in cmark's own spelling: rendered again until rendering no
 * longer changes it, so that what is stored is a fixed point that
 * markup_body_to_markdown() gives back byte for byte. One rendering is not
 * always one: text joined from several paragraphs keeps escapes that only the
 * start of a line needs, literal text is escaped by markup_escape() (which
 * writes "\\&" where cmark writes "&"), and so on.
 *
 * cmark's rendering does not always read back as one paragraph either: it
 * leaves "~~~" at the start of a line bare (a code fence), and emphasis that
 * opens with an entity's space comes out as "*  x", a list item. Then the
 * starts of the rendered lines are escaped (body_escape_line_starts), which
 * cmark would undo again: that spelling is the fixed point. Text that reads
 * as more than one paragraph even so is kept as it is. */
static char *body_canonical(char *s)
{
	cmark_node *doc, *para;
	char *r;

	for (int pass = 0; pass < 6 && *s; pass++) {
		para = body_one_paragraph(s, &doc);
		if (!para) {
			cmark_node_free(doc);
			r = body_escape_line_starts(s);
			if (!body_is_one_paragraph(r)) {
				free(r);
				break;
			}
			free(s);
			s = r;
			continue;
		}
		r = body_render(para);
		cmark_node_free(doc);
		if (!body_is_one_paragraph(r)) {
			char *t = body_escape_line_starts(r);

			free(r);
			if (!body_is_one_paragraph(t)) {
				free(t);
				break;
			}
			r = t;
		}
		if (strcmp(r, s) == 0) {
			free(r);
			break;
		}
		free(s);
		s = r;
	}
	return s;
}

/* Appends the plain text of `node`'s subtree: what a reader sees, no markup. */
static void body_plain(struct buf *out, cmark_node *node)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	cmark_node *cur;

	if (!it)
		abort();
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cur = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(cur)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_HTML_INLINE:
			buf_puts(out, cmark_node_get_literal(cur));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(out, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* A new copy of s[0..n) without the whitespace at both ends. */
static char *body_trimmed(const char *s, size_t n)
{
	char *t;

	while (n > 0 && body_is_space(*s))
		s++, n--;
	while (n > 0 && body_is_space(s[n - 1]))
		n--;
	t = malloc(n + 1);
	if (!t)
		abort();
	memcpy(t, s, n);
	t[n] = '\0';
	return t;
}

/* The plain text of `node` after `prefix`, trimmed, or NULL if the text does
 * not start with it. */
static char *body_plain_after(cmark_node *node, const char *prefix)
{
	struct buf b;
	size_t k = strlen(prefix);
	char *s = NULL;

	buf_init(&b, MARKUP_BODY_TEXT_MAX);
	body_plain(&b, node);
	if (!b.err && b.data && b.len >= k && memcmp(b.data, prefix, k) == 0)
		s = body_trimmed(b.data + k, b.len - k);
	buf_cleanup(&b);
	return s;
}

/* A code or HTML block: its literal text as inline source that reads as exactly
 * that text (HTML is shown, never passed through). */
static char *body_literal(cmark_node *node)
{
	const char *lit = cmark_node_get_literal(node);
	size_t n = lit ? strlen(lit) : 0;
	struct buf b;
	char *s;

	/* White space at either end would not survive a paragraph's reading. */
	while (n > 0 && body_is_space(*lit))
		lit++, n--;
	while (n > 0 && body_is_space(lit[n - 1]))
		n--;
	buf_init(&b, MARKUP_BODY_TEXT_MAX);
	markup_escape(&b, lit ? lit : "", n);
	s = buf_detach(&b, NULL);
	if (!s)
		abort(); /* ten times the input cap: only out of memory gets here */
	return s;
}

/* ---- blocks ---- */

static struct model_block *body_add(struct body *b, enum model_block_kind kind)
{
	struct model_block *blk;

	if (b->n >= MODEL_BLOCKS_MAX) {
		body_fail(b, "more than %d blocks (paragraphs, lists, images...)",
			  MODEL_BLOCKS_MAX);
		return NULL;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->blocks = body_realloc(b->blocks, b->cap, sizeof(*b->blocks));
	}
	blk = &b->blocks[b->n++];
	memset(blk, 0, sizeof(*blk));
	blk->kind = kind;
	return blk;
}

/* Adds a paragraph owning `text`; an empty text adds nothing. */
static int body_add_paragraph(struct body *b, char *text)
{
	struct model_block *blk;

	text = body_canonical(text);
	if (!*text) {
		free(text);
		return 0;
	}
	blk = body_add(b, MODEL_BLOCK_PARAGRAPH);
	if (!blk) {
		free(text);
		return -1;
	}
	blk->text = text;
	return 0;
}

/* Image and embed addresses: a reader's browser loads them, so mailto is out.
 * An empty address is the model's "the capture kept no address" (an imported
 * post), shown as a placeholder: editing such a post must not fail on it. */
static int body_url_ok(const char *url)
{
	return !*url || (markup_url_allowed(url) && strncasecmp(url, "mailto:", 7) != 0);
}

/* "Image source: CREDIT" (or the capture's "Image source, CREDIT") after the
 * image: the credit, or NULL if the nodes from `c` on are something else. */
static char *body_credit(cmark_node *c)
{
	static const char *const prefixes[] = { "Image source:", "Image source," };
	struct buf b;
	char *credit = NULL;

	buf_init(&b, MARKUP_BODY_TEXT_MAX);
	for (; c; c = cmark_node_next(c))
		body_plain(&b, c);
	for (size_t i = 0; i < 2 && !credit && !b.err && b.data; i++) {
		size_t k = strlen(prefixes[i]);

		if (b.len >= k && memcmp(b.data, prefixes[i], k) == 0)
			credit = body_trimmed(b.data + k, b.len - k);
	}
	buf_cleanup(&b);
	return credit;
}

/* A paragraph that is only an image, optionally with its credit line: adds the
 * image and returns 1; returns 0 if the paragraph is not one; -1 on error. */
static int body_image(struct body *b, cmark_node *para)
{
	cmark_node *img = cmark_node_first_child(para), *next;
	struct model_block *blk;
	char *credit = NULL;
	const char *url, *title;
	struct buf tb;
	unsigned num;

	if (!img || cmark_node_get_type(img) != CMARK_NODE_IMAGE)
		return 0;
	next = cmark_node_next(img);
	if (next) {
		cmark_node_type ty = cmark_node_get_type(next);

		if ((ty != CMARK_NODE_SOFTBREAK && ty != CMARK_NODE_LINEBREAK) ||
		    !(credit = body_credit(cmark_node_next(next))))
			return 0;
	}
	num = ++b->n_images;
	url = cmark_node_get_url(img);
	if (!url || !body_url_ok(url)) {
		free(credit);
		return body_fail(b, "image %u: only http, https and site paths are allowed", num);
	}
	blk = body_add(b, MODEL_BLOCK_IMAGE);
	if (!blk) {
		free(credit);
		return -1;
	}
	blk->url = model_strdup(url);
	blk->credit = credit ? credit : model_strdup("");
	buf_init(&tb, MARKUP_BODY_TEXT_MAX);
	body_plain(&tb, img);
	blk->alt = tb.data ? body_trimmed(tb.data, tb.len) : model_strdup("");
	buf_reset(&tb);
	title = cmark_node_get_title(img);
	if (title && *title) {
		markup_escape(&tb, title, strlen(title));
		blk->caption = buf_detach(&tb, NULL);
		if (!blk->caption)
			abort();
	}
	buf_cleanup(&tb);
	return 1;
}

/* A paragraph that is only a link reading "Embed: Title": adds the embed and
 * returns 1; 0 if the paragraph is not one; -1 on error. */
static int body_embed(struct body *b, cmark_node *para)
{
	cmark_node *link = cmark_node_first_child(para);
	struct model_block *blk;
	const char *url;
	char *title;
	unsigned num;

	if (!link || cmark_node_get_type(link) != CMARK_NODE_LINK || cmark_node_next(link))
		return 0;
	title = body_plain_after(link, "Embed:");
	if (!title)
		return 0;
	num = ++b->n_embeds;
	url = cmark_node_get_url(link);
	if (!url || !body_url_ok(url)) {
		free(title);
		return body_fail(b, "embed %u: only http, https and site paths are allowed", num);
	}
	if (!*title) {
		free(title);
		return body_fail(b, "embed %u: give a title after \"Embed:\"", num);
	}
	blk = body_add(b, MODEL_BLOCK_EMBED);
	if (!blk) {
		free(title);
		return -1;
	}
	blk->text = title;
	blk->url = model_strdup(url);
	return 1;
}

static int body_paragraph(struct body *b, cmark_node *para)
{
	int rc;

	body_tidy(para);
	rc = body_image(b, para);

	if (rc == 0)
		rc = body_embed(b, para);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return body_add_paragraph(b, body_render(para));
}

/* The text of a block inside a quote or list item, or NULL if `node` (at
 * event `ev`) is not one. Paragraphs and headings are taken on EXIT, when
 * cmark allows changing their children; code and HTML blocks are leaves and
 * only have ENTER. */
static char *body_inner_text(cmark_node *node, cmark_event_type ev)
{
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
		return ev == CMARK_EVENT_EXIT ? body_render(node) : NULL;
	case CMARK_NODE_HEADING:
		return ev == CMARK_EVENT_EXIT ? body_render_inlines(node, 0) : NULL;
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_HTML_BLOCK:
		return body_literal(node);
	default:
		return NULL;
	}
}

/* Appends `piece` (freed here) to `out`, a space apart from what is there. */
static void body_join(struct buf *out, char *piece)
{
	if (*piece) {
		if (out->len)
			buf_putc(out, ' ');
		buf_puts(out, piece);
	}
	free(piece);
}

/* 1 if source line `no` (1-based) of `b`, past its indent and quotation
 * marker, opens with `prefix` as written: a dash spelled "&#8212;" or "\\-"
 * reads the same but is the words' own, which is how markup_body_to_markdown()
 * keeps such a line in the quotation (cmark merges the text, so only the source
 * tells them apart). */
static int body_line_opens(const struct body *b, int no, const char *prefix)
{
	const char *s = b->src, *end = b->src ? b->src + b->src_len : NULL;
	size_t k = strlen(prefix);

	if (!s || no < 1)
		return 0;
	for (int line = 1; line < no; line++) {
		s = memchr(s, '\n', (size_t)(end - s));
		if (!s)
			return 0;
		s++;
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && *s == '>')
		s++;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return (size_t)(end - s) >= k && memcmp(s, prefix, k) == 0;
}

/* A credit written on the quotation's last line, in the same paragraph as the
 * words ("> We must stand together.\n> \u2014 Name"): when the last line of
 * `para` (after its last line break) is one of `cites` as written, takes that
 * line and the break out of the paragraph and returns the name; else leaves
 * it and returns NULL. Only for the quotation's last block, and only when
 * words come before. */
static char *body_quote_line_cite(const struct body *b, cmark_node *quote, cmark_node *para,
				  const char *const *cites, size_t n_cites)
{
	cmark_node *brk, *line, *child, *next;
	char *cite = NULL;
	int written = 0;

	if (cmark_node_parent(para) != quote || cmark_node_next(para))
		return NULL;
	for (size_t i = 0; i < n_cites && !written; i++)
		written = body_line_opens(b, cmark_node_get_end_line(para), cites[i]);
	if (!written)
		return NULL;
	for (brk = cmark_node_last_child(para); brk; brk = cmark_node_previous(brk))
		if (cmark_node_get_type(brk) == CMARK_NODE_SOFTBREAK ||
		    cmark_node_get_type(brk) == CMARK_NODE_LINEBREAK)
			break;
	if (!brk || !cmark_node_previous(brk) || !cmark_node_next(brk))
		return NULL;
	line = cmark_node_new(CMARK_NODE_PARAGRAPH);
	if (!line)
		abort();
	for (child = cmark_node_next(brk); child; child = next) {
		next = cmark_node_next(child);
		if (!cmark_node_append_child(line, child))
			abort();
	}
	for (size_t i = 0; i < n_cites && !cite; i++)
		cite = body_plain_after(line, cites[i]);
	if (cite && !*cite) {
		free(cite);
		cite = NULL;
	}
	if (cite) {
		cmark_node_free(brk);
	} else {
		/* Not a credit: the line goes back where it was. */
		while ((child = cmark_node_first_child(line)))
			if (!cmark_node_append_child(para, child))
				abort();
	}
	cmark_node_free(line);
	return cite;
}

static int body_quote(struct body *b, cmark_node *quote)
{
	static const char *const cites[] = { "\xe2\x80\x94 ", "-- " }; /* "— ", "-- " */
	cmark_node *last = NULL, *node;
	cmark_iter *it = cmark_iter_new(quote);
	cmark_event_type ev;
	struct model_block *blk;
	struct buf text;
	char *cite = NULL, *piece;
	size_t before_last = 0;
	int rc = 0, line_cite = 0;

	if (!it)
		abort();
	buf_init(&text, MARKUP_BODY_TEXT_MAX);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		/* The cite is the last paragraph's plain text, or its last line:
		 * read it before the paragraph is rendered. */
		if (ev == CMARK_EVENT_EXIT && cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH) {
			free(cite);
			cite = NULL;
			line_cite = 0;
			for (size_t i = 0; i < 2 && !cite; i++)
				cite = body_plain_after(node, cites[i]);
			if (!cite) {
				cite = body_quote_line_cite(b, quote, node, cites, 2);
				line_cite = cite != NULL;
			}
		}
		piece = body_inner_text(node, ev);
		if (!piece)
			continue;
		last = node;
		before_last = text.len;
		body_join(&text, piece);
	}
	cmark_iter_free(it);
	/* A cite needs something quoted before it (a cite on the last line has
	 * the rest of its paragraph, which stays the quotation's text). */
	if (cite && !line_cite &&
	    (!last || cmark_node_get_type(last) != CMARK_NODE_PARAGRAPH || !*cite ||
	     before_last == 0)) {
		free(cite);
		cite = NULL;
	}
	if (cite && !line_cite) {
		text.len = before_last;
		if (text.data)
			text.data[text.len] = '\0';
	}
	if (text.err) {
		rc = body_fail(b, "a quotation is too long");
	} else if (text.len) {
		blk = body_add(b, MODEL_BLOCK_QUOTE);
		if (!blk) {
			rc = -1;
		} else {
			blk->text = body_canonical(buf_detach(&text, NULL));
			blk->cite = cite;
			cite = NULL;
		}
	}
	free(cite);
	buf_cleanup(&text);
	return rc;
}

/* ---- lists: shared by bodies (items with leads) and summaries (points) ---- */

static void body_items_cleanup(struct body_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].lead);
		buf_cleanup(&items->v[i].text);
	}
	free(items->v);
	items->v = NULL;
	items->n = items->cap = 0;
}

/* A paragraph opening an item with a strong node: that node's inline source
 * is the lead, and it is removed from the paragraph. NULL if none. */
static char *body_lead(cmark_node *para)
{
	cmark_node *strong;
	char *lead;

	if (cmark_node_get_type(cmark_node_parent(para)) != CMARK_NODE_ITEM ||
	    cmark_node_previous(para))
		return NULL;
	body_tidy(para);
	strong = cmark_node_first_child(para);
	if (!strong || cmark_node_get_type(strong) != CMARK_NODE_STRONG)
		return NULL;
	lead = body_canonical(body_render_inlines(strong, 0));
	cmark_node_free(strong);
	/* " rest" would render with its space (body_render drops it: once
	 * trimmed, a "- rest" in it would read back as a list, and cmark escapes
	 * it only where it leads). */
	if (!*lead) {
		free(lead);
		return NULL;
	}
	return lead;
}

/* Gathers the items of `list` (nested lists' items follow their parent, in
 * order) into `items`. `leads`: take bold lead-ins. Returns 0 or -1. */
static int body_gather_items(struct body *b, cmark_node *list, int leads, struct body_items *items)
{
	cmark_iter *it = cmark_iter_new(list);
	size_t *stack = NULL, depth = 0, stack_cap = 0;
	cmark_event_type ev;
	cmark_node *node;
	char *piece;
	int rc = 0;

	if (!it)
		abort();
	while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		if (cmark_node_get_type(node) == CMARK_NODE_ITEM) {
			if (ev == CMARK_EVENT_EXIT) {
				depth--;
				continue;
			}
			if (items->n >= MODEL_ITEMS_MAX) {
				rc = body_fail(b, "list %u: more than %d items (nested ones count)",
					       b->n_lists, MODEL_ITEMS_MAX);
				break;
			}
			if (items->n == items->cap) {
				items->cap = items->cap ? 2 * items->cap : 8;
				items->v = body_realloc(items->v, items->cap, sizeof(*items->v));
			}
			items->v[items->n].lead = NULL;
			buf_init(&items->v[items->n].text, MARKUP_BODY_TEXT_MAX);
			if (depth == stack_cap) {
				stack_cap = stack_cap ? 2 * stack_cap : 8;
				stack = body_realloc(stack, stack_cap, sizeof(*stack));
			}
			stack[depth++] = items->n++;
			continue;
		}
		if (depth == 0)
			continue; /* only items hold text */
		if (leads && ev == CMARK_EVENT_EXIT &&
		    cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH &&
		    !items->v[stack[depth - 1]].lead && !items->v[stack[depth - 1]].text.len)
			items->v[stack[depth - 1]].lead = body_lead(node);
		piece = body_inner_text(node, ev);
		if (piece) {
			body_join(&items->v[stack[depth - 1]].text, piece);
			if (items->v[stack[depth - 1]].text.err)
				rc = body_fail(b, "list %u: an item is too long", b->n_lists);
		}
	}
	cmark_iter_free(it);
	free(stack);
	/* The pieces of an item were rendered one by one: spell the whole the
	 * way cmark would (body_canonical). */
	for (size_t i = 0; rc == 0 && i < items->n; i++) {
		struct buf *t = &items->v[i].text;
		char *c;

		if (!t->len || t->err)
			continue;
		c = body_canonical(buf_detach(t, NULL));
		buf_puts(t, c);
		free(c);
		if (t->err)
			rc = body_fail(b, "list %u: an item is too long", b->n_lists);
	}
	return rc;
}

static int body_list(struct body *b, cmark_node *list)
{
	struct body_items items = { 0 };
	struct model_block *blk;
	size_t k = 0;
	int rc;

	b->n_lists++;
	rc = body_gather_items(b, list, 1, &items);
	for (size_t i = 0; rc == 0 && i < items.n; i++)
		if (items.v[i].lead || items.v[i].text.len)
			k++;
	if (rc == 0 && k > 0) {
		blk = body_add(b, MODEL_BLOCK_LIST);
		if (!blk) {
			rc = -1;
			goto out;
		}
		blk->items = body_realloc(NULL, k, sizeof(*blk->items));
		blk->blank_after = 1;
		for (size_t i = 0; i < items.n; i++) {
			struct body_item *src = &items.v[i];

			if (!src->lead && !src->text.len)
				continue;
			blk->items[blk->n_items].lead = src->lead;
			src->lead = NULL;
			blk->items[blk->n_items].text = src->text.len ? buf_detach(&src->text, NULL)
								      : model_strdup("");
			if (!blk->items[blk->n_items].text)
				abort();
			blk->n_items++;
		}
	}
out:
	body_items_cleanup(&items);
	return rc;
}

static int body_block(struct body *b, cmark_node *node)
{
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
		return body_paragraph(b, node);
	case CMARK_NODE_BLOCK_QUOTE:
		return body_quote(b, node);
	case CMARK_NODE_LIST:
		return body_list(b, node);
	case CMARK_NODE_HEADING:
		return body_add_paragraph(b, body_render_inlines(node, 1));
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_HTML_BLOCK:
		return body_add_paragraph(b, body_literal(node));
	default: /* thematic breaks, and nothing else cmark makes at the top */
		return 0;
	}
}

static void body_free_blocks(struct model_block *blocks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		model_block_cleanup(&blocks[i]);
	free(blocks);
}

/* cmark would quietly replace invalid UTF-8 and NUL bytes with U+FFFD: the
 * writer is told instead, with the line. Returns 0 or -1. */
static int body_check_text(struct body *b, const char *md, size_t len)
{
	const unsigned char *s = (const unsigned char *)md;
	size_t i = 0, k, line = 1;

	while (i < len) {
		if (s[i] == '\0')
			return body_fail(b, "line %zu: a NUL byte", line);
		k = utf8_next(md + i, len - i, NULL);
		if (k == 0)
			return body_fail(b, "line %zu: invalid UTF-8", line);
		if (s[i] == '\n')
			line++;
		i += k;
	}
	return 0;
}

static cmark_node *body_parse_doc(struct body *b, const char *md, size_t len, const char *what,
				  size_t max)
{
	cmark_node *doc;

	if (len > max) {
		body_fail(b, "the %s is %zu bytes, longer than the %zu bytes (%zu KB) one %s may hold",
			  what, len, max, max / 1024, strcmp(what, "body") == 0 ? "post" : "summary");
		return NULL;
	}
	if (md && body_check_text(b, md, len) < 0)
		return NULL;
	doc = cmark_parse_document(md ? md : "", md ? len : 0, CMARK_OPT_DEFAULT);
	if (!doc)
		abort(); /* cmark fails only when out of memory */
	return doc;
}

int markup_body_parse(const char *md, size_t len, struct model_block **blocks, size_t *n,
		      char *err, size_t errlen)
{
	struct body b = { .src = md, .src_len = md ? len : 0, .err = err, .errlen = errlen };
	cmark_node *doc = body_parse_doc(&b, md, len, "body", MODEL_BODY_MAX), *c;
	int rc = 0;

	if (!doc)
		return -1;
	for (c = cmark_node_first_child(doc); c && rc == 0; c = cmark_node_next(c))
		rc = body_block(&b, c);
	cmark_node_free(doc);
	if (rc != 0) {
		body_free_blocks(b.blocks, b.n);
		return -1;
	}
	if (b.n == 0) {
		free(b.blocks);
		b.blocks = NULL;
	}
	*blocks = b.blocks;
	*n = b.n;
	return 0;
}

/* ---- summaries ---- */

static const char *body_block_noun(cmark_node *node)
{
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH: return "a paragraph";
	case CMARK_NODE_BLOCK_QUOTE: return "a quotation";
	case CMARK_NODE_LIST: return "a numbered list";
	case CMARK_NODE_HEADING: return "a heading";
	case CMARK_NODE_CODE_BLOCK: return "a code block";
	case CMARK_NODE_HTML_BLOCK: return "HTML";
	case CMARK_NODE_THEMATIC_BREAK: return "a rule (---)";
	default: return "something else";
	}
}

int markup_summary_parse(const char *md, size_t len, struct model_summary *out, char *err,
			 size_t errlen)
{
	struct body b = { .err = err, .errlen = errlen };
	struct body_items items = { 0 };
	cmark_node *doc = body_parse_doc(&b, md, len, "summary", MODEL_SUMMARY_MAX), *c;
	char **points = NULL;
	size_t k = 0;
	int rc = 0;

	if (!doc)
		return -1;
	for (c = cmark_node_first_child(doc); c && rc == 0; c = cmark_node_next(c)) {
		if (cmark_node_get_type(c) != CMARK_NODE_LIST ||
		    cmark_node_get_list_type(c) != CMARK_BULLET_LIST) {
			rc = body_fail(&b, "the summary is a bullet list of key points "
				       "(\"- point\" lines), not %s (line %d)",
				       body_block_noun(c), cmark_node_get_start_line(c));
			break;
		}
		b.n_lists++;
		rc = body_gather_items(&b, c, 0, &items);
	}
	cmark_node_free(doc);
	for (size_t i = 0; rc == 0 && i < items.n; i++)
		if (items.v[i].text.len)
			k++;
	if (rc == 0 && k > MODEL_POINTS_MAX)
		rc = body_fail(&b, "the summary has %zu key points; at most %d", k,
			       MODEL_POINTS_MAX);
	if (rc == 0 && k > 0) {
		points = body_realloc(NULL, k, sizeof(*points));
		k = 0;
		for (size_t i = 0; i < items.n; i++) {
			if (!items.v[i].text.len)
				continue;
			points[k] = buf_detach(&items.v[i].text, NULL);
			if (!points[k++])
				abort();
		}
	}
	body_items_cleanup(&items);
	if (rc != 0)
		return -1;
	for (size_t i = 0; i < out->n_points; i++)
		free(out->points[i]);
	free(out->points);
	out->points = points;
	out->n_points = k;
	return 0;
}

/* ---- back to Markdown ---- */

/* Appends `text`, writing `indent` after each of its line breaks: the
 * continuation lines of a list item or a quotation. */
static void md_put_lines(struct buf *out, const char *text, const char *indent)
{
	const char *nl;

	while ((nl = strchr(text, '\n')) != NULL) {
		buf_append(out, text, (size_t)(nl - text) + 1);
		buf_puts(out, indent);
		text = nl + 1;
	}
	buf_puts(out, text);
}

/* 1 if the '&' at s[0] opens what cmark would read as a character reference
 * ("&amp;", "&#38;", "&#x26;"): it must then be escaped to stay an '&'. */
static int md_is_reference(const char *s)
{
	size_t i = 1;

	if (s[i] == '#')
		i++;
	while (i < 40 && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
			  (s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	return i > 1 && s[i] == ';';
}

/* A link or image destination. cmark decodes references in it and then
 * backslash escapes, so an '&' that opens what looks like a reference is
 * written "&amp;" (a backslash would not keep it), a '\' is escaped, and
 * control characters (which a destination cannot hold) are written as
 * references. A URL with spaces, parentheses or angle brackets goes between <
 * and >, where the angle brackets are escaped. */
static void md_put_url(struct buf *out, const char *url)
{
	int pointy = strpbrk(url, " ()<>") != NULL;
	size_t n = strlen(url);

	if (pointy)
		buf_putc(out, '<');
	for (const char *p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;

		/* cmark trims a destination: spaces at its ends are references. */
		if (c < 0x20 || c == 0x7f || (c == ' ' && (p == url || p == url + n - 1)))
			buf_printf(out, "&#%u;", c);
		else if (c == '&' && md_is_reference(p))
			buf_puts(out, "&amp;");
		else if (c == '\\' || c == '<' || c == '>')
			buf_putc(out, '\\'), buf_putc(out, (char)c);
		else
			buf_putc(out, (char)c);
	}
	if (pointy)
		buf_putc(out, '>');
}

/* An image's title for `caption`: the plain text that the caption is the
 * markup_escape() of (the parser's caption), escaped for a "..." title as a
 * destination is (md_put_url), and quotes too; line breaks are written as
 * references, for a title cannot hold a blank line. */
static void md_put_title(struct buf *out, const char *caption)
{
	cmark_node *doc = cmark_parse_document(caption, strlen(caption), CMARK_OPT_DEFAULT);
	struct buf plain;

	if (!doc)
		abort(); /* cmark fails only when out of memory */
	buf_init(&plain, MARKUP_BODY_TEXT_MAX);
	body_plain(&plain, doc);
	cmark_node_free(doc);
	buf_puts(out, " \"");
	for (size_t i = 0; plain.data && i < plain.len; i++) {
		char c = plain.data[i];

		if (c == '\n' || c == '\r')
			buf_printf(out, "&#%d;", c);
		else if (c == '&' && md_is_reference(plain.data + i))
			buf_puts(out, "&amp;");
		else if (c == '\\' || c == '"')
			buf_putc(out, '\\'), buf_putc(out, c);
		else
			buf_putc(out, c);
	}
	buf_putc(out, '"');
	if (plain.err)
		out->err = plain.err;
	buf_cleanup(&plain);
}

/* Plain text that reads back as itself inside a paragraph or link text. */
static void md_put_plain(struct buf *out, const char *text)
{
	if (text)
		markup_escape(out, text, strlen(text));
}

/* 1 if a list item written "- TEXT" would open with strong text, which the
 * parser takes for a lead. */
static int md_opens_strong(const char *text)
{
	cmark_node *doc = cmark_parse_document(text, strlen(text), CMARK_OPT_DEFAULT);
	cmark_node *para, *first;
	int strong;

	if (!doc)
		abort();
	para = cmark_node_first_child(doc);
	first = para && cmark_node_get_type(para) == CMARK_NODE_PARAGRAPH
			? cmark_node_first_child(para) : NULL;
	strong = first && cmark_node_get_type(first) == CMARK_NODE_STRONG;
	cmark_node_free(doc);
	return strong;
}

static void md_put_quote(struct buf *out, const struct model_block *b)
{
	const char *text = b->text ? b->text : "", *last = strrchr(text, '\n'), *at;
	struct buf head;

	buf_puts(out, "> ");
	/* Words whose last line opens with a credit's dash (from a nested
	 * quotation, say) would come back as a credit: that dash is written so
	 * that it reads the same but is not one (body_line_opens). */
	for (at = last ? last + 1 : NULL; at && (*at == ' ' || *at == '\t'); at++)
		;
	if (at && (strncmp(at, "\xe2\x80\x94 ", 4) == 0 || strncmp(at, "-- ", 3) == 0)) {
		buf_init(&head, (size_t)(at - text) + 1);
		buf_append(&head, text, (size_t)(at - text));
		md_put_lines(out, head.data ? head.data : "", "> ");
		buf_cleanup(&head);
		if (*at == '-') {
			buf_puts(out, "\\-");
			at++;
		} else {
			buf_puts(out, "&#8212;");
			at += 3;
		}
		buf_puts(out, at);
	} else {
		md_put_lines(out, text, "> ");
	}
	buf_putc(out, '\n');
	if (b->cite && *b->cite) {
		buf_puts(out, ">\n> \xe2\x80\x94 "); /* "— " */
		md_put_plain(out, b->cite);
		buf_putc(out, '\n');
	}
}

/* "- DELIM LEAD DELIM TEXT" into `out`. */
static void md_put_led_item(struct buf *out, const char *delim, const char *lead, const char *text)
{
	buf_puts(out, "- ");
	buf_puts(out, delim);
	md_put_lines(out, lead, "  ");
	buf_puts(out, delim);
	if (*text)
		buf_putc(out, ' ');
	md_put_lines(out, text, "  ");
	buf_putc(out, '\n');
}

/* 1 if item Markdown md[0..len) reads back as one item with `lead` and `text`. */
static int md_item_reads_back(const char *md, size_t len, const char *lead, const char *text)
{
	struct model_block *blocks;
	size_t n;
	int same;

	if (markup_body_parse(md, len, &blocks, &n, NULL, 0) < 0)
		return 0;
	same = n == 1 && blocks[0].kind == MODEL_BLOCK_LIST && blocks[0].n_items == 1 &&
	       blocks[0].items[0].lead && strcmp(blocks[0].items[0].lead, lead) == 0 &&
	       strcmp(blocks[0].items[0].text, text) == 0;
	body_free_blocks(blocks, n);
	return same;
}

/* An item with a lead, after its bullet. A lead is the source of what was
 * inside "**...**", rendered on its own; put back between two runs, its own
 * emphasis can pair with them otherwise ("**a **b** c**" is fine, "***a* b**"
 * too, "****x** y**" is not). So each way is tried: "**", then "__", and if
 * neither reads back, the lead's plain text, escaped, between "**" (the lead's
 * own emphasis is lost, its words are not). */
static void md_put_lead(struct buf *out, const char *lead, const char *text)
{
	static const char *const delims[] = { "**", "__" };
	cmark_node *doc;
	struct buf try, plain;

	buf_init(&try, MARKUP_BODY_TEXT_MAX);
	for (size_t i = 0; i < 2; i++) {
		buf_reset(&try);
		md_put_led_item(&try, delims[i], lead, text);
		if (!try.err && md_item_reads_back(try.data, try.len, lead, text)) {
			buf_append(out, try.data + 2, try.len - 3); /* less "- " and "\n" */
			buf_cleanup(&try);
			return;
		}
	}
	buf_cleanup(&try);
	doc = cmark_parse_document(lead, strlen(lead), CMARK_OPT_DEFAULT);
	if (!doc)
		abort();
	buf_init(&plain, MARKUP_BODY_TEXT_MAX);
	body_plain(&plain, doc);
	cmark_node_free(doc);
	buf_puts(out, "**");
	if (plain.data)
		markup_escape(out, plain.data, plain.len);
	buf_puts(out, *text ? "** " : "**");
	md_put_lines(out, text, "  ");
	buf_cleanup(&plain);
}

static void md_put_list(struct buf *out, const struct model_block *b, char bullet)
{
	for (size_t i = 0; i < b->n_items; i++) {
		const struct model_list_item *it = &b->items[i];
		const char *text = it->text ? it->text : "";

		buf_putc(out, bullet);
		buf_putc(out, ' ');
		if (it->lead && *it->lead) {
			md_put_lead(out, it->lead, text);
		} else if (md_opens_strong(text)) {
			/* A heading's text is never a lead, and reads as the text. */
			md_put_lines(out, text, "  ");
			buf_puts(out, "\n  ===");
		} else {
			md_put_lines(out, text, "  ");
		}
		buf_putc(out, '\n');
	}
}

static void md_put_image(struct buf *out, const struct model_block *b)
{
	buf_puts(out, "![");
	md_put_plain(out, b->alt);
	buf_puts(out, "](");
	md_put_url(out, b->url ? b->url : "");
	if (b->caption && *b->caption)
		md_put_title(out, b->caption);
	buf_puts(out, ")\n");
	if (b->credit && *b->credit) {
		buf_puts(out, "Image source: ");
		md_put_plain(out, b->credit);
		buf_putc(out, '\n');
	}
}

static void md_put_embed(struct buf *out, const struct model_block *b)
{
	buf_puts(out, "[Embed: ");
	md_put_plain(out, b->text);
	buf_puts(out, "](");
	md_put_url(out, b->url ? b->url : "");
	buf_puts(out, ")\n");
}

void markup_body_to_markdown(struct buf *out, const struct model_block *blocks, size_t n)
{
	int after_list = 0, star = 0;

	for (size_t i = 0; i < n; i++) {
		const struct model_block *b = &blocks[i];

		if (i > 0)
			buf_putc(out, '\n');
		switch (b->kind) {
		case MODEL_BLOCK_PARAGRAPH:
			buf_puts(out, b->text ? b->text : "");
			buf_putc(out, '\n');
			break;
		case MODEL_BLOCK_QUOTE:
			md_put_quote(out, b);
			break;
		case MODEL_BLOCK_LIST:
			/* A blank line does not end a list; a new bullet does. */
			star = after_list ? !star : 0;
			md_put_list(out, b, star ? '*' : '-');
			break;
		case MODEL_BLOCK_IMAGE:
			md_put_image(out, b);
			break;
		case MODEL_BLOCK_EMBED:
			md_put_embed(out, b);
			break;
		}
		after_list = b->kind == MODEL_BLOCK_LIST;
	}
}

void markup_summary_to_markdown(struct buf *out, const struct model_summary *s)
{
	for (size_t i = 0; i < s->n_points; i++) {
		if (!s->points[i] || !*s->points[i])
			continue;
		buf_puts(out, "- ");
		md_put_lines(out, s->points[i], "  ");
		buf_putc(out, '\n');
	}
}
