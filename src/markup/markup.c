/*
 * Inline rich text through cmark: see markup.h. One walk over cmark's tree
 * writes either HTML or plain text; the escaping side (markup_escape,
 * markup_from_capture) is the inverse of the plain-text walk, so that captured
 * text survives a trip into the model and back byte for byte.
 */
#include "markup/markup.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MARKUP_EXTERNAL	    ", external"
#define MARKUP_EXTERNAL_LEN (sizeof(MARKUP_EXTERNAL) - 1)
/* cmark replaces invalid UTF-8 instead of passing it on to a reader. */
#define MARKUP_CMARK_OPTS (CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8)

/* MARKUP_WORDS is MARKUP_PLAIN without the text layout's link marks. */
enum markup_mode { MARKUP_HTML, MARKUP_PLAIN, MARKUP_WORDS };

struct markup_walk {
	struct buf *out;
	enum markup_mode mode;
	int blocks;   /* text blocks begun so far: a space joins flattened blocks */
	int in_image; /* inside an image: only its alt text is written */
};

/* ---- links ---- */

static int markup_has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int markup_url_allowed(const char *url)
{
	size_t n;

	if (!url)
		return 0;
	/* cmark hands us the address with entities decoded: "/&#9;/host" is
	 * "/\t/host" here. Browsers drop tabs and line breaks inside an address
	 * and spaces and controls at its ends, which would turn it into "//host"
	 * (another site); so no control character anywhere, no space at an end. */
	n = strlen(url);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] < 0x20 || url[i] == 0x7f)
			return 0;
	if (n > 0 && (url[0] == ' ' || url[n - 1] == ' '))
		return 0;
	if (url[0] == '/')
		/* "//host" and "/\host" are read by browsers as another site. */
		return url[1] != '/' && url[1] != '\\';
	return markup_has_prefix(url, "http://") || markup_has_prefix(url, "https://") ||
	       markup_has_prefix(url, "mailto:");
}

int markup_url_external(const char *url)
{
	if (!url)
		return 0;
	return url[0] == '\0' || markup_has_prefix(url, "http://") ||
	       markup_has_prefix(url, "https://");
}

/* ---- the walk: HTML or plain text ---- */

/* Writes text: escaped for HTML; for plain text, line breaks become spaces
 * because the text layout holds one block per line. */
static void walk_text(struct markup_walk *w, const char *s, size_t n)
{
	if (w->mode == MARKUP_HTML) {
		buf_html_escape(w->out, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		buf_putc(w->out, s[i] == '\n' ? ' ' : s[i]);
}

/* `block`: a code or HTML block, whose literal ends with a line break. */
static void walk_literal(struct markup_walk *w, cmark_node *node, int block)
{
	const char *s = cmark_node_get_literal(node);
	size_t n = s ? strlen(s) : 0;

	while (block && n > 0 && s[n - 1] == '\n')
		n--;
	walk_text(w, s, n);
}

static void walk_tag(struct markup_walk *w, const char *tag)
{
	if (w->mode == MARKUP_HTML && w->in_image == 0)
		buf_puts(w->out, tag);
}

/* A block that holds text begins: flattened blocks are joined by a space. */
static void walk_block(struct markup_walk *w)
{
	if (w->blocks++ > 0)
		walk_text(w, " ", 1);
}

static void walk_link_html(struct markup_walk *w, const char *url, int entering)
{
	if (url[0] == '\0') {
		/* External, but the address was not kept (an imported capture). */
		buf_puts(w->out, entering ? "<span class=\"ext\">"
					  : "<span class=\"vh\">" MARKUP_EXTERNAL "</span></span>");
		return;
	}
	if (!markup_url_allowed(url))
		return; /* the text alone */
	if (!entering) {
		if (markup_url_external(url))
			buf_puts(w->out, "<span class=\"vh\">" MARKUP_EXTERNAL "</span>");
		buf_puts(w->out, "</a>");
		return;
	}
	buf_puts(w->out, "<a href=\"");
	buf_html(w->out, url);
	buf_puts(w->out, markup_url_external(url) ? "\" class=\"ext\" rel=\"noopener noreferrer\">"
						  : "\">");
}

static void walk_link(struct markup_walk *w, cmark_node *node, int entering)
{
	const char *url = cmark_node_get_url(node);

	if (!url)
		url = "";
	if (w->in_image > 0)
		return;
	if (w->mode == MARKUP_HTML)
		walk_link_html(w, url, entering);
	else if (w->mode == MARKUP_PLAIN && !entering && markup_url_external(url))
		buf_puts(w->out, MARKUP_EXTERNAL);
}

static void walk_node(struct markup_walk *w, cmark_node *node, int entering)
{
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
	case CMARK_NODE_HEADING:
		if (entering)
			walk_block(w);
		break;
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_HTML_BLOCK:
		walk_block(w);
		walk_literal(w, node, 1);
		break;
	case CMARK_NODE_TEXT:
	case CMARK_NODE_HTML_INLINE: /* raw HTML is shown, never passed through */
		walk_literal(w, node, 0);
		break;
	case CMARK_NODE_SOFTBREAK:
		walk_text(w, w->mode == MARKUP_HTML ? "\n" : " ", 1);
		break;
	case CMARK_NODE_LINEBREAK:
		if (w->mode == MARKUP_HTML && w->in_image == 0)
			buf_puts(w->out, "<br>");
		else
			walk_text(w, " ", 1);
		break;
	case CMARK_NODE_CODE:
		walk_tag(w, "<code>");
		walk_literal(w, node, 0);
		walk_tag(w, "</code>");
		break;
	case CMARK_NODE_EMPH:
		walk_tag(w, entering ? "<em>" : "</em>");
		break;
	case CMARK_NODE_STRONG:
		walk_tag(w, entering ? "<strong>" : "</strong>");
		break;
	case CMARK_NODE_LINK:
		walk_link(w, node, entering);
		break;
	case CMARK_NODE_IMAGE:
		w->in_image += entering ? 1 : -1;
		break;
	default: /* document, lists, quotes, thematic breaks: flattened away */
		break;
	}
}

static void markup_render(struct buf *out, const char *md, enum markup_mode mode)
{
	struct markup_walk w = {.out = out, .mode = mode};
	cmark_event_type ev;
	cmark_node *root;
	cmark_iter *it;

	if (!md || !*md)
		return;
	root = cmark_parse_document(md, strlen(md), MARKUP_CMARK_OPTS);
	if (!root)
		abort(); /* cmark fails only when out of memory */
	it = cmark_iter_new(root);
	if (!it)
		abort();
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		walk_node(&w, cmark_iter_get_node(it), ev == CMARK_EVENT_ENTER);
	cmark_iter_free(it);
	cmark_node_free(root);
}

void markup_inline_html(struct buf *out, const char *md)
{
	markup_render(out, md, MARKUP_HTML);
}

void markup_inline_plain(struct buf *out, const char *md)
{
	markup_render(out, md, MARKUP_PLAIN);
}

void markup_inline_words(struct buf *out, const char *md)
{
	markup_render(out, md, MARKUP_WORDS);
}

/* ---- escaping: the inverse of the plain-text walk ---- */

/* Whitespace that cmark strips from the two ends of a paragraph. */
static int markup_is_edge_space(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* Characters that may open inline markup (or GFM's strikethrough and tables)
 * anywhere in a line. */
static int markup_is_special(char c)
{
	return c != '\0' && strchr("\\`*_[]<>!&#~|", c) != NULL;
}

static void markup_put_entity(struct buf *out, char c)
{
	buf_printf(out, "&#%d;", (unsigned char)c);
}

/* Escapes what only matters at the start of a line, where a block may open:
 * "- ", "+ ", "=" (setext underline) and "1." / "1)" (ordered lists). Returns
 * the number of bytes of `s` written. The other block markers (#, >, *, _, `,
 * ~, <, [, |) are escaped wherever they appear. */
static size_t markup_escape_block_start(struct buf *out, const char *s, size_t n)
{
	size_t d = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+' || s[0] == '=')) {
		buf_putc(out, '\\');
		buf_putc(out, s[0]);
		return 1;
	}
	while (d < n && d < 10 && s[d] >= '0' && s[d] <= '9')
		d++;
	if (d == 0 || d == n || (s[d] != '.' && s[d] != ')'))
		return 0;
	buf_append(out, s, d);
	buf_putc(out, '\\');
	buf_putc(out, s[d]);
	return d + 1;
}

/* Appends s[0..n) escaped. `at_start`: it opens the paragraph (leading
 * whitespace and block markers matter); `at_end`: it closes it (trailing
 * whitespace matters). Edge whitespace is written as character references,
 * which cmark keeps as text. */
static void markup_escape_span(struct buf *out, const char *s, size_t n, int at_start, int at_end)
{
	size_t lead = 0, trail = n, i;

	if (at_start)
		while (lead < n && markup_is_edge_space(s[lead]))
			lead++;
	if (at_end)
		while (trail > lead && markup_is_edge_space(s[trail - 1]))
			trail--;
	for (i = 0; i < lead; i++)
		markup_put_entity(out, s[i]);
	if (at_start && lead == 0)
		i += markup_escape_block_start(out, s, trail);
	for (; i < trail; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			markup_put_entity(out, s[i]); /* a line ending to cmark */
		else if (markup_is_special(s[i])) {
			buf_putc(out, '\\');
			buf_putc(out, s[i]);
		} else
			buf_putc(out, s[i]);
	}
	for (; i < n; i++)
		markup_put_entity(out, s[i]);
}

void markup_escape(struct buf *out, const char *text, size_t n)
{
	markup_escape_span(out, text, n, 1, 1);
}

/* ---- captured text: "ANCHOR, external" ---- */

static int markup_is_word_byte(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
	       (u >= 'A' && u <= 'Z');
}

static int markup_is_capital(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Start of the word of s[from..end) that ends at `end`, or `end` if none. */
static size_t markup_word_start(const char *s, size_t from, size_t end)
{
	size_t k = end;

	while (k > from && s[k - 1] != ' ' && s[k - 1] != '\t')
		k--;
	return k;
}

/* The anchor before ", external" at `at`: the last word, and the words before
 * it (one space apart) that begin with a capital letter or a digit. Returns its
 * start, or `at` if there is no word just before. */
static size_t markup_anchor_start(const char *s, size_t from, size_t at)
{
	size_t a = markup_word_start(s, from, at), w;

	if (a == at)
		return at;
	while (a > from + 1 && s[a - 1] == ' ') {
		w = markup_word_start(s, from, a - 1);
		if (w == a - 1 || !markup_is_capital(s[w]))
			break;
		a = w;
	}
	return a;
}

void markup_from_capture(struct buf *out, const char *text, size_t n)
{
	size_t done = 0, i = 0, at, after, a;
	const char *m;

	while (i < n && (m = memmem(text + i, n - i, MARKUP_EXTERNAL, MARKUP_EXTERNAL_LEN))) {
		at = (size_t)(m - text);
		after = at + MARKUP_EXTERNAL_LEN;
		a = markup_anchor_start(text, done, at);
		i = at + 1;
		if (a == at || (after < n && markup_is_word_byte(text[after])))
			continue; /* no anchor, or ", externally" */
		markup_escape_span(out, text + done, a - done, done == 0, 0);
		buf_putc(out, '[');
		markup_escape_span(out, text + a, at - a, 0, 0);
		buf_puts(out, "]()");
		done = i = after;
	}
	markup_escape_span(out, text + done, n - done, done == 0, 1);
}
