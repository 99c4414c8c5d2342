/*
 * Unit tests for src/markup/markup.c: inline rich text to HTML and plain text,
 * the escaping that makes any text read back as itself, captured
 * "ANCHOR, external" links, and which link destinations are allowed.
 */
#include "unit.h"

#include "markup/markup.h"
#include "util/buf.h"

typedef void (*markup_text_fn)(struct buf *out, const char *s, size_t n);
typedef void (*markup_md_fn)(struct buf *out, const char *md);

static char *call_md(markup_md_fn fn, const char *md)
{
	struct buf b;
	char *s;

	buf_init(&b, 1 << 20);
	fn(&b, md);
	s = buf_detach(&b, NULL);
	assert_non_null(s);
	return s;
}

static char *call_text(markup_text_fn fn, const char *text)
{
	struct buf b;
	char *s;

	buf_init(&b, 1 << 20);
	fn(&b, text, strlen(text));
	s = buf_detach(&b, NULL);
	assert_non_null(s);
	return s;
}

static void assert_html(const char *md, const char *want)
{
	char *got = call_md(markup_inline_html, md);

	assert_string_equal(got, want);
	free(got);
}

static void assert_plain(const char *md, const char *want)
{
	char *got = call_md(markup_inline_plain, md);

	assert_string_equal(got, want);
	free(got);
}

/* fn(text) reads back through markup_inline_plain() as `text`. */
static void assert_round_trip(markup_text_fn fn, const char *text)
{
	char *md = call_text(fn, text);
	char *back = call_md(markup_inline_plain, md);

	if (strcmp(back, text) != 0)
		fail_msg("\"%s\" -> source \"%s\" -> \"%s\"", text, md, back);
	free(md);
	free(back);
}

static const char *tricky[] = {
    "*not bold*",
    "_not em_",
    "**x**",
    "1. not a list",
    "2) nor this",
    "12345.",
    "# no heading",
    "## nor this",
    "a & b <i>",
    "&amp; stays",
    "&#32;",
    "[x](y)",
    "![alt](img.png)",
    "<https://example.org>",
    "  leading spaces",
    "trailing spaces  ",
    "\tleading tab",
    "trailing tab\t",
    " ",
    "\t \t",
    "back\\slash\\",
    "\\*",
    "`code`",
    "``double``",
    "- dash",
    "+ plus",
    "= equals",
    "> not a quote",
    "---",
    "***",
    "___",
    "~~~fence",
    "```fence",
    "| a | b |",
    "~~strike~~",
    "<!-- comment -->",
    "<div>block</div>",
    "[ref]: /url",
    "line\rreturn",
    "form\ffeed\v",
    "«Ελληνικά» — 中文 • £3bn",
    "’quotes’ \"and\" 'these'",
    "",
    "x",
    "Telegraph:, external",
    "9.5 million",
    "a  b   c",
};

static void test_escape_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++)
		assert_round_trip(markup_escape, tricky[i]);
}

static void test_escape_source(void **state)
{
	char *md;

	(void)state;
	md = call_text(markup_escape, "*not bold*");
	assert_string_equal(md, "\\*not bold\\*");
	free(md);
	md = call_text(markup_escape, "1. not a list");
	assert_string_equal(md, "1\\. not a list");
	free(md);
	md = call_text(markup_escape, "Starmer's plan, in full");
	assert_string_equal(md, "Starmer's plan, in full"); /* plain words stay readable */
	free(md);
	md = call_text(markup_escape, " a ");
	assert_string_equal(md, "&#32;a&#32;");
	free(md);
	/* Escaped text renders as text, never as markup. */
	md = call_text(markup_escape, "*not bold* <b>x</b>");
	assert_html(md, "*not bold* &lt;b&gt;x&lt;/b&gt;");
	free(md);
}

static void test_html_inline(void **state)
{
	(void)state;
	assert_html("*em* **strong** `co<de>`", "<em>em</em> <strong>strong</strong> "
						"<code>co&lt;de&gt;</code>");
	assert_html("one\ntwo", "one\ntwo");
	assert_html("one\\\ntwo", "one<br>two");
	assert_html("first paragraph\n\nsecond", "first paragraph second");
	assert_html("# Heading\n\n- item", "Heading item");
	assert_html("see ![a *chart*](/c.png)", "see a chart");
	assert_html("", "");
}

static void test_html_escapes_raw_html(void **state)
{
	char *html;

	(void)state;
	html = call_md(markup_inline_html, "<script>alert(1)</script>");
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	free(html);
	html = call_md(markup_inline_html, "a <img src=x onerror=alert(1)> b");
	assert_string_equal(html, "a &lt;img src=x onerror=alert(1)&gt; b");
	free(html);
	assert_html("Tom & \"Jerry\" 'x'", "Tom &amp; &quot;Jerry&quot; &#39;x&#39;");
}

static void test_html_links(void **state)
{
	(void)state;
	assert_html("[BBC](https://www.bbc.co.uk/news)",
		    "<a href=\"https://www.bbc.co.uk/news\" class=\"ext\" "
		    "rel=\"noopener noreferrer\">BBC<span class=\"vh\">, external</span></a>");
	assert_html("[older posts](/live/x?page=2&a=b)",
		    "<a href=\"/live/x?page=2&amp;a=b\">older posts</a>");
	assert_html("[mail us](mailto:news@example.org)",
		    "<a href=\"mailto:news@example.org\">mail us</a>");
	assert_html("[the Telegraph]()", "<span class=\"ext\">the Telegraph<span class=\"vh\">, "
					 "external</span></span>");
	/* Destinations that are not allowed leave the text alone. */
	assert_html("[click](javascript:alert(1))", "click");
	assert_html("[click](JavaScript:alert(1))", "click");
	assert_html("[x](data:text/html,hi)", "x");
	assert_html("[x](//evil.example/)", "x");
	assert_html("<javascript:alert(1)>", "javascript:alert(1)");
	assert_html("[q](https://e.example/\"onmouseover=x)",
		    "<a href=\"https://e.example/&quot;onmouseover=x\" class=\"ext\" "
		    "rel=\"noopener noreferrer\">q<span class=\"vh\">, external</span></a>");
}

static void test_plain(void **state)
{
	(void)state;
	assert_plain("*em* **strong** `code`", "em strong code");
	assert_plain("[BBC](https://www.bbc.co.uk/)", "BBC, external");
	assert_plain("[Daily Telegraph:]()", "Daily Telegraph:, external");
	assert_plain("[older](/live/x)", "older");
	assert_plain("[click](javascript:alert(1))", "click");
	assert_plain("a <b>raw</b> c", "a <b>raw</b> c");
	assert_plain("one\ntwo\n\nthree", "one two three");
	assert_plain("&#32;x &amp; y", " x & y");
}

static void test_url_rules(void **state)
{
	(void)state;
	assert_true(markup_url_allowed("https://example.org/"));
	assert_true(markup_url_allowed("HTTP://example.org/"));
	assert_true(markup_url_allowed("mailto:a@example.org"));
	assert_true(markup_url_allowed("/live/page"));
	assert_false(markup_url_allowed("//example.org/"));
	assert_false(markup_url_allowed("/\\example.org/"));
	assert_false(markup_url_allowed("javascript:alert(1)"));
	assert_false(markup_url_allowed("relative/path"));
	assert_false(markup_url_allowed(""));
	assert_false(markup_url_allowed(NULL));
	assert_false(markup_url_allowed("/\t/evil.example/x"));
	assert_false(markup_url_allowed("/\n/evil.example/x"));
	assert_false(markup_url_allowed("/\r/evil.example/x"));
	assert_false(markup_url_allowed("/\x7f/x"));
	assert_false(markup_url_allowed(" //evil.example/x"));
	assert_false(markup_url_allowed("https://a.example/ "));
	assert_true(markup_url_allowed("https://a.example/a b"));
	{
		/* Inline links: the text alone, no address a browser would mend. */
		char *html = call_md(markup_inline_html, "[x](/&#9;/evil.example/y)");

		assert_null(strstr(html, "href"));
		assert_non_null(strstr(html, "x"));
		free(html);
	}
	assert_true(markup_url_external("https://example.org/"));
	assert_true(markup_url_external("http://example.org/"));
	assert_true(markup_url_external(""));
	assert_false(markup_url_external("/live/page"));
	assert_false(markup_url_external("mailto:a@example.org"));
	assert_false(markup_url_external(NULL));
}

static void assert_capture(const char *text, const char *want_md)
{
	char *md = call_text(markup_from_capture, text);

	assert_string_equal(md, want_md);
	free(md);
	assert_round_trip(markup_from_capture, text);
}

static void test_from_capture(void **state)
{
	char *md, *html;

	(void)state;
	assert_capture("outlined the UK's position in the Daily Telegraph:, external",
		       "outlined the UK's position in the [Daily Telegraph:]()");
	assert_capture("see BBC Verify, external, and the rest",
		       "see [BBC Verify](), and the rest");
	assert_capture("read it here, external", "read it [here]()");
	assert_capture("Reuters, external", "[Reuters]()");
	assert_capture("Via 10 Downing Street, external and Sky News, external",
		       "[Via 10 Downing Street]() and [Sky News]()");
	/* Not a marker: no word before it, or a longer word. */
	assert_capture("an , external thing", "an , external thing");
	assert_capture("kept the rest, externally", "kept the rest, externally");
	assert_capture("*stars* and [brackets], external", "\\*stars\\* and [\\[brackets\\]]()");
	assert_capture(" padded BBC, external ", "&#32;padded [BBC]()&#32;");
	md = call_text(markup_from_capture, "in the Daily Telegraph:, external");
	html = call_md(markup_inline_html, md);
	assert_string_equal(html, "in the <span class=\"ext\">Daily Telegraph:<span "
				  "class=\"vh\">, external</span></span>");
	free(html);
	free(md);
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++)
		assert_round_trip(markup_from_capture, tricky[i]);
}

/* Every string built from a small alphabet of troublemakers reads back. */
static void test_escape_exhaustive(void **state)
{
	static const char *atoms[] = {" ", "\t", "a",  "1", ".", ")",	       "-",   "*",
				      "_", "`",	 "[",  "]", "(", "<",	       ">",   "!",
				      "&", "#",	 "\\", ":", "é", ", external", "Foo", "\r"};
	enum { N = sizeof(atoms) / sizeof(atoms[0]) };
	char text[64];

	(void)state;
	for (size_t a = 0; a < N; a++)
		for (size_t b = 0; b < N; b++)
			for (size_t c = 0; c < N; c++) {
				snprintf(text, sizeof(text), "%s%s%s", atoms[a], atoms[b],
					 atoms[c]);
				assert_round_trip(markup_escape, text);
				assert_round_trip(markup_from_capture, text);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_round_trip), cmocka_unit_test(test_escape_source),
	    cmocka_unit_test(test_html_inline),	      cmocka_unit_test(test_html_escapes_raw_html),
	    cmocka_unit_test(test_html_links),	      cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_url_rules),	      cmocka_unit_test(test_from_capture),
	    cmocka_unit_test(test_escape_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
