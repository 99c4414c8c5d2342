/*
 * Unit tests for src/markup/markup_body.c: Markdown post bodies into model
 * blocks (every mapping), summaries into key points, the errors and limits, and
 * hostile input: raw HTML and javascript: links stay inert, and very long or
 * deeply nested documents are handled without a crash.
 */
#include "unit.h"

#include "markup/markup.h"
#include "markup/markup_body.h"
#include "util/buf.h"

struct parsed {
	struct model_block *b;
	size_t n;
};

static struct parsed parse_ok(const char *md)
{
	struct parsed p = { NULL, 0 };
	char err[256] = "";

	if (markup_body_parse(md, strlen(md), &p.b, &p.n, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	return p;
}

static void parse_err(const char *md, size_t len, const char *want)
{
	struct model_block *b = (struct model_block *)0x1;
	char err[256] = "";
	size_t n = 12345;

	assert_int_equal(markup_body_parse(md, len, &b, &n, err, sizeof(err)), -1);
	assert_ptr_equal(b, (struct model_block *)0x1); /* untouched on error */
	assert_int_equal(n, 12345);
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void parsed_free(struct parsed *p)
{
	for (size_t i = 0; i < p->n; i++)
		model_block_cleanup(&p->b[i]);
	free(p->b);
}

static char *html_of(const char *md)
{
	struct buf b;
	char *s;

	buf_init(&b, 1 << 24);
	markup_inline_html(&b, md);
	s = buf_detach(&b, NULL);
	assert_non_null(s);
	return s;
}

static char *plain_of(const char *md)
{
	struct buf b;
	char *s;

	buf_init(&b, 1 << 24);
	markup_inline_plain(&b, md);
	s = buf_detach(&b, NULL);
	assert_non_null(s);
	return s;
}

static void assert_plain(const char *md, const char *want)
{
	char *got = plain_of(md);

	assert_string_equal(got, want);
	free(got);
}

/* ---- the mapping ---- */

static void test_empty(void **state)
{
	struct parsed p;

	(void)state;
	p = parse_ok("");
	assert_int_equal(p.n, 0);
	assert_null(p.b);
	p = parse_ok("  \n\n\t\n");
	assert_int_equal(p.n, 0);
	p = parse_ok("---\n\n***\n");
	assert_int_equal(p.n, 0); /* thematic breaks are ignored */
	assert_int_equal(markup_body_parse(NULL, 0, &p.b, &p.n, NULL, 0), 0);
	assert_int_equal(p.n, 0);
}

static void test_paragraphs(void **state)
{
	struct parsed p;

	(void)state;
	p = parse_ok("First *para* with **strong**, `code` and [a link](https://example.com).\n\n"
		     "Second.\n");
	assert_int_equal(p.n, 2);
	assert_int_equal(p.b[0].kind, MODEL_BLOCK_PARAGRAPH);
	assert_string_equal(p.b[0].text, "First *para* with **strong**, `code` and "
					 "[a link](https://example.com).");
	assert_string_equal(p.b[1].text, "Second.");
	parsed_free(&p);
}

/* A soft break stays a line break in the source and reads as a space; a hard
 * break stays a hard break. Markers that open a continuation line stay text. */
static void test_soft_breaks(void **state)
{
	struct parsed p;
	char *html;

	(void)state;
	p = parse_ok("one\ntwo\n\\- three  \nfour\n1\\. five\n");
	assert_int_equal(p.n, 1);
	assert_plain(p.b[0].text, "one two - three four 1. five");
	html = html_of(p.b[0].text);
	assert_string_equal(html, "one\ntwo\n- three<br>four\n1. five");
	free(html);
	parsed_free(&p);
}

static void test_headings(void **state)
{
	struct parsed p;
	char *html;

	(void)state;
	p = parse_ok("# Big *news*\n\nSub\n---\n\n#\n");
	assert_int_equal(p.n, 2); /* the empty heading adds nothing */
	assert_int_equal(p.b[0].kind, MODEL_BLOCK_PARAGRAPH);
	html = html_of(p.b[0].text);
	assert_string_equal(html, "<strong>Big <em>news</em></strong>");
	free(html);
	assert_string_equal(p.b[1].text, "**Sub**");
	parsed_free(&p);
}

static void test_quotes(void **state)
{
	struct parsed p;

	(void)state;
	p = parse_ok("> We will not *give up*.\n>\n> Not ever.\n>\n> \xe2\x80\x94 Volodymyr Zelensky\n\n"
		     "> Plain quote\n\n"
		     "> Said this\n>\n> -- Someone, *somewhere*\n\n"
		     "> -- only a dash line\n\n"
		     ">\n");
	assert_int_equal(p.n, 4);
	assert_int_equal(p.b[0].kind, MODEL_BLOCK_QUOTE);
	assert_string_equal(p.b[0].text, "We will not *give up*. Not ever.");
	assert_string_equal(p.b[0].cite, "Volodymyr Zelensky");
	assert_string_equal(p.b[1].text, "Plain quote");
	assert_null(p.b[1].cite);
	assert_string_equal(p.b[2].text, "Said this");
	assert_string_equal(p.b[2].cite, "Someone, somewhere"); /* plain text */
	/* With nothing quoted before it, a dash line is the quotation itself. */
	assert_null(p.b[3].cite);
	assert_plain(p.b[3].text, "-- only a dash line");
	parsed_free(&p);
}

static void test_lists(void **state)
{
	struct parsed p;

	(void)state;
	p = parse_ok("- **Zooming out:** The talks *matter*\n"
		     "- No lead here\n"
		     "- **Lead only**\n"
		     "- **Bold** - then a dash\n"
		     "- Text with **bold** inside\n"
		     "  - nested item\n"
		     "-\n"
		     "\n"
		     "1. one\n"
		     "2. two\n");
	assert_int_equal(p.n, 2);
	assert_int_equal(p.b[0].kind, MODEL_BLOCK_LIST);
	assert_int_equal(p.b[0].blank_after, 1);
	assert_int_equal(p.b[0].n_items, 6); /* the empty item is dropped */
	assert_string_equal(p.b[0].items[0].lead, "Zooming out:");
	assert_string_equal(p.b[0].items[0].text, "The talks *matter*");
	assert_null(p.b[0].items[1].lead);
	assert_string_equal(p.b[0].items[1].text, "No lead here");
	assert_string_equal(p.b[0].items[2].lead, "Lead only");
	assert_string_equal(p.b[0].items[2].text, "");
	assert_string_equal(p.b[0].items[3].lead, "Bold");
	assert_plain(p.b[0].items[3].text, "- then a dash"); /* not read as a list */
	assert_null(p.b[0].items[4].lead);
	assert_string_equal(p.b[0].items[4].text, "Text with **bold** inside");
	assert_string_equal(p.b[0].items[5].text, "nested item");
	assert_int_equal(p.b[1].kind, MODEL_BLOCK_LIST);
	assert_int_equal(p.b[1].n_items, 2);
	assert_string_equal(p.b[1].items[1].text, "two");
	parsed_free(&p);
}

static void test_images(void **state)
{
	struct parsed p;

	(void)state;
	p = parse_ok("![Sergei *Lavrov* at the table](https://img.example/a.jpg \"Lavrov has served *since* 2004\")\n"
		     "Image source: Reuters\n\n"
		     "![No credit](/media/b.png)\n\n"
		     "![Credit via comma](https://img.example/c.jpg)\nImage source, Getty Images\n\n"
		     "Text then ![inline](https://img.example/d.jpg) stays a paragraph.\n\n"
		     "![alt](https://img.example/e.jpg)\nnot a credit line\n");
	assert_int_equal(p.n, 5);
	assert_int_equal(p.b[0].kind, MODEL_BLOCK_IMAGE);
	assert_string_equal(p.b[0].url, "https://img.example/a.jpg");
	assert_string_equal(p.b[0].alt, "Sergei Lavrov at the table");
	assert_string_equal(p.b[0].credit, "Reuters");
	assert_non_null(p.b[0].caption);
	assert_plain(p.b[0].caption, "Lavrov has served *since* 2004"); /* the title, as text */
	assert_int_equal(p.b[1].kind, MODEL_BLOCK_IMAGE);
	assert_string_equal(p.b[1].url, "/media/b.png");
	assert_string_equal(p.b[1].credit, "");
	assert_null(p.b[1].caption);
	assert_string_equal(p.b[2].credit, "Getty Images");
	assert_int_equal(p.b[3].kind, MODEL_BLOCK_PARAGRAPH);
	assert_int_equal(p.b[4].kind, MODEL_BLOCK_PARAGRAPH);
	parsed_free(&p);
}

static void test_embeds(void **state)
{
	struct parsed p;

	(void)state;
	p = parse_ok("[Embed: Frontlines of the war](https://example.com/map)\n\n"
		     "[Embed:   Spaced  ](/graphics/x)\n\n"
		     "[Not an embed](https://example.com)\n\n"
		     "See [Embed: in text](https://example.com) here.\n");
	assert_int_equal(p.n, 4);
	assert_int_equal(p.b[0].kind, MODEL_BLOCK_EMBED);
	assert_string_equal(p.b[0].text, "Frontlines of the war");
	assert_string_equal(p.b[0].url, "https://example.com/map");
	assert_int_equal(p.b[1].kind, MODEL_BLOCK_EMBED);
	assert_string_equal(p.b[1].text, "Spaced");
	assert_int_equal(p.b[2].kind, MODEL_BLOCK_PARAGRAPH);
	assert_string_equal(p.b[2].text, "[Not an embed](https://example.com)");
	assert_int_equal(p.b[3].kind, MODEL_BLOCK_PARAGRAPH);
	parsed_free(&p);
}

/* Code and HTML blocks become text that reads as their literal source. */
static void test_code_and_html_blocks(void **state)
{
	struct parsed p;
	char *html;

	(void)state;
	p = parse_ok("```\nint *p = &x; # not a heading\n```\n\n<div onclick=\"x()\">\n*hi*\n</div>\n\n"
		     "    indented code\n");
	assert_int_equal(p.n, 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(p.b[i].kind, MODEL_BLOCK_PARAGRAPH);
	assert_plain(p.b[0].text, "int *p = &x; # not a heading");
	html = html_of(p.b[1].text);
	assert_null(strstr(html, "<div"));
	assert_non_null(strstr(html, "&lt;div onclick=&quot;x()&quot;&gt;"));
	assert_non_null(strstr(html, "*hi*")); /* not emphasis */
	free(html);
	assert_plain(p.b[2].text, "indented code");
	parsed_free(&p);
}

static void test_summary(void **state)
{
	struct model_summary s = { 0 };
	char err[256];
	const char *md = "- Kelmouth's **bridge** has reopened\n* Second point\n  - nested point\n-\n";

	(void)state;
	s.media_kind = MODEL_MEDIA_VIDEO;
	s.media_url = model_strdup("https://v.example/1");
	s.media_caption = model_strdup("Watch: it");
	assert_int_equal(markup_summary_parse(md, strlen(md), &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_points, 3); /* two lists ("-" then "*"), one nested */
	assert_string_equal(s.points[0], "Kelmouth's **bridge** has reopened");
	assert_string_equal(s.points[1], "Second point");
	assert_string_equal(s.points[2], "nested point");
	assert_int_equal(s.media_kind, MODEL_MEDIA_VIDEO); /* media untouched */
	assert_string_equal(s.media_caption, "Watch: it");

	/* Errors leave the summary as it was. */
	md = "- a point\n\nA paragraph.\n";
	assert_int_equal(markup_summary_parse(md, strlen(md), &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bullet list"));
	assert_non_null(strstr(err, "paragraph"));
	assert_non_null(strstr(err, "line 3"));
	md = "1. numbered\n";
	assert_int_equal(markup_summary_parse(md, strlen(md), &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "numbered"));
	assert_int_equal(s.n_points, 3);

	/* Empty input: no points. */
	assert_int_equal(markup_summary_parse("\n \n", 3, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n_points, 0);
	assert_null(s.points);
	model_summary_cleanup(&s);
}

static void test_summary_limits(void **state)
{
	struct model_summary s = { 0 };
	struct buf b;
	char err[256];

	(void)state;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < MARKUP_SUMMARY_MAX_POINTS + 1; i++)
		buf_printf(&b, "- point %d\n", i);
	assert_int_equal(markup_summary_parse(b.data, b.len, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most"));
	buf_cleanup(&b);
	model_summary_cleanup(&s);
}

/* ---- errors and limits ---- */

static void test_url_errors(void **state)
{
	const char *md;

	(void)state;
	md = "![ok](https://a.example/x.jpg)\n\n![bad](javascript:alert(1))\n";
	parse_err(md, strlen(md), "image 2: only http, https and site paths are allowed");
	md = "![x](//evil.example/x.jpg)\n";
	parse_err(md, strlen(md), "image 1: only http");
	md = "![x]()\n";
	parse_err(md, strlen(md), "image 1");
	md = "![x](mailto:a@b.example)\n";
	parse_err(md, strlen(md), "image 1");
	md = "[Embed: Map](data:text/html,<script>alert(1)</script>)\n";
	parse_err(md, strlen(md), "embed 1: only http");
	md = "[Embed:](https://example.com)\n";
	parse_err(md, strlen(md), "embed 1: give a title");
}

/* cmark would replace these with U+FFFD: they are reported instead. */
static void test_text_errors(void **state)
{
	struct model_summary s = { 0 };
	char err[256];

	(void)state;
	parse_err("ok\n\ncaf\xe9\n", 10, "line 3: invalid UTF-8");
	parse_err("\xc0\xaf", 2, "line 1: invalid UTF-8");      /* overlong */
	parse_err("\xed\xa0\x80", 3, "line 1: invalid UTF-8");  /* surrogate */
	parse_err("\xf4\x90\x80\x80", 4, "invalid UTF-8");       /* past U+10FFFF */
	parse_err("\xe2\x80", 2, "invalid UTF-8");               /* cut short */
	parse_err("a\nb\0c", 5, "line 2: a NUL byte");
	assert_int_equal(markup_summary_parse("- caf\xe9", 6, &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid UTF-8"));
	assert_int_equal(s.n_points, 0);
}

static void test_limits(void **state)
{
	struct buf b;
	struct parsed p;
	char *big;

	(void)state;
	buf_init(&b, 1 << 24);
	for (int i = 0; i < MARKUP_BODY_MAX_BLOCKS; i++)
		buf_printf(&b, "Paragraph %d.\n\n", i);
	p = parse_ok(b.data);
	assert_int_equal(p.n, MARKUP_BODY_MAX_BLOCKS);
	parsed_free(&p);
	buf_puts(&b, "One too many.\n");
	parse_err(b.data, b.len, "more than 500 blocks");

	buf_reset(&b);
	for (int i = 0; i < MARKUP_BODY_MAX_ITEMS + 1; i++)
		buf_puts(&b, "- item\n");
	parse_err(b.data, b.len, "list 1: more than 500 items");

	big = malloc(MARKUP_BODY_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', MARKUP_BODY_MAX + 1);
	parse_err(big, MARKUP_BODY_MAX + 1, "larger than 1 MiB");
	/* Exactly 1 MiB is allowed: one long paragraph. */
	p = (struct parsed){ NULL, 0 };
	assert_int_equal(markup_body_parse(big, MARKUP_BODY_MAX, &p.b, &p.n, NULL, 0), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(strlen(p.b[0].text), MARKUP_BODY_MAX);
	parsed_free(&p);
	free(big);
	buf_cleanup(&b);
}

/* ---- hostile input ---- */

static void test_hostile_html(void **state)
{
	struct parsed p;
	char *html;

	(void)state;
	p = parse_ok("Hi <script>alert(1)</script> and <img src=x onerror=alert(1)>\n\n"
		     "<script>alert(2)</script>\n\n"
		     "[x](javascript:alert(1)) and [y](JAVASCRIPT:alert(1))\n\n"
		     "> <iframe src=\"https://evil.example\"></iframe>\n\n"
		     "- **<b>lead</b>** [z](vbscript:msgbox)\n");
	assert_int_equal(p.n, 5);
	for (size_t i = 0; i < 4; i++) {
		html = html_of(p.b[i].text);
		assert_null(strstr(html, "<script"));
		assert_null(strstr(html, "<img"));
		assert_null(strstr(html, "<iframe"));
		assert_null(strstr(html, "href"));
		free(html);
	}
	html = html_of(p.b[0].text);
	assert_string_equal(html, "Hi &lt;script&gt;alert(1)&lt;/script&gt; and "
				  "&lt;img src=x onerror=alert(1)&gt;");
	free(html);
	/* The javascript: link is kept as inline Markdown... */
	assert_non_null(strstr(p.b[2].text, "javascript:"));
	/* ...but renders as its text alone. */
	html = html_of(p.b[2].text);
	assert_string_equal(html, "x and y");
	free(html);
	html = html_of(p.b[4].items[0].lead);
	assert_string_equal(html, "&lt;b&gt;lead&lt;/b&gt;");
	free(html);
	html = html_of(p.b[4].items[0].text);
	assert_string_equal(html, "z");
	free(html);
	parsed_free(&p);
}

/* `n` copies of `unit`, then `tail`: a new string. */
static char *repeat(const char *unit, size_t n, const char *tail)
{
	size_t u = strlen(unit), t = strlen(tail);
	char *s = malloc(u * n + t + 1);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	memcpy(s + u * n, tail, t + 1);
	return s;
}

static void test_deep_nesting(void **state)
{
	struct parsed p;
	char *md, err[256];
	size_t n;
	struct model_block *b;

	(void)state;
	md = repeat(">", 10000, " deep\n");
	p = parse_ok(md);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.b[0].kind, MODEL_BLOCK_QUOTE);
	assert_string_equal(p.b[0].text, "deep");
	parsed_free(&p);
	free(md);

	md = repeat("> ", 10000, "x\n>\n> -- Who\n");
	p = parse_ok(md);
	assert_int_equal(p.n, 1);
	parsed_free(&p);
	free(md);

	/* Nested lists: every level is an item, so this is over the item limit. */
	md = repeat("- ", 10000, "x\n");
	assert_int_equal(markup_body_parse(md, strlen(md), &b, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "items"));
	free(md);
	md = repeat("- ", 400, "x\n");
	p = parse_ok(md);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.b[0].n_items, 1);
	assert_string_equal(p.b[0].items[0].text, "x");
	parsed_free(&p);
	free(md);

	md = repeat("*", 50000, "x");
	p = parse_ok(md);
	parsed_free(&p);
	free(md);
	md = repeat("[", 100000, "x](https://a.example)");
	p = parse_ok(md);
	parsed_free(&p);
	free(md);
	md = repeat("![", 20000, "x](https://a.example)");
	p = parse_ok(md);
	parsed_free(&p);
	free(md);
}

/* Random bytes, and random mixes of Markdown's special characters: any answer
 * is fine, a crash (or a sanitizer report) is not. */
static void test_garbage(void **state)
{
	static const char atoms[] = "*_[]()!<>`#-+=.|\\~\"' \n\tEmbed:Image source:a1é";
	char md[4096];
	struct model_block *b;
	struct model_summary s = { 0 };
	char err[256];
	size_t n;
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 3000; round++) {
		size_t len = (size_t)(rand_r(&seed) % (sizeof(md) - 1));

		for (size_t i = 0; i < len; i++)
			md[i] = round % 10 == 0 ? (char)rand_r(&seed)
					       : atoms[(size_t)rand_r(&seed) % (sizeof(atoms) - 1)];
		md[len] = '\0';
		if (markup_body_parse(md, len, &b, &n, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < n; i++)
				model_block_cleanup(&b[i]);
			free(b);
		}
		if (markup_summary_parse(md, len, &s, err, sizeof(err)) == 0)
			model_summary_cleanup(&s);
		memset(&s, 0, sizeof(s));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_soft_breaks),
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_embeds),
		cmocka_unit_test(test_code_and_html_blocks),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_limits),
		cmocka_unit_test(test_url_errors),
		cmocka_unit_test(test_text_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hostile_html),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
