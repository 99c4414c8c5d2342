/*
 * Unit tests for search in a page's HTML (render/render_search.h): the
 * store's marks become <mark> and </mark> and nothing else does, always
 * balanced; every piece of text (the reader's words, titles, snippets) is
 * escaped; links carry the words percent-encoded; the messages.
 */
#include "unit.h"

#include "model/model.h"
#include "render/render_search.h"
#include "store/store.h"
#include "util/buf.h"

static const struct render_site site = { "Liveline", "/static/style.abc.css", NULL,
					 "http://news.example" };

static char *marked(const char *s)
{
	struct buf b;
	size_t len;
	char *out;

	buf_init(&b, 1 << 16);
	render_search_marked(&b, s);
	out = buf_detach(&b, &len);
	assert_non_null(out);
	buf_cleanup(&b);
	return out;
}

static void assert_marked(const char *in, const char *want)
{
	char *got = marked(in);

	assert_string_equal(got, want);
	free(got);
}

static void test_marks(void **state)
{
	(void)state;
	/* The renderer's bytes are the store's. */
	assert_int_equal(STORE_SEARCH_MARK_OPEN, '\x01');
	assert_int_equal(STORE_SEARCH_MARK_CLOSE, '\x02');
	assert_marked("Harbour \x01" "bridge\x02 opens", "Harbour <mark>bridge</mark> opens");
	assert_marked("\x01<b>\x02 & \"q\"", "<mark>&lt;b&gt;</mark> &amp; &quot;q&quot;");
	/* Unbalanced marks: a close with none open and an open inside one are
	 * dropped, one left open is closed. */
	assert_marked("a\x02 b\x01 c\x01 d", "a b<mark> c d</mark>");
	assert_marked("", "");
	assert_marked(NULL, "");
	assert_marked("<mark>", "&lt;mark&gt;");
}

static void test_results_page(void **state)
{
	struct model_page page = { .slug = "harbour", .title = "Bridge <live>",
				   .zone = "Europe/London" };
	struct render_search_hit hits[] = {
		{ 11, 1739788620, "\x01" "Ferry\x02 service <cut>", "The \x01" "ferry\x02 will run" },
		{ 12, 1739788680, "Other", "" },
	};
	struct render_search_view v = { .page = &page, .query = "ferry \"<x>\" &", .hits = hits,
					.n_hits = 2, .page_no = 2, .more = 1 };
	struct buf b;
	char *html;
	size_t len;

	(void)state;
	buf_init(&b, 1 << 20);
	render_search_html(&b, &site, &v);
	html = buf_detach(&b, &len);
	assert_non_null(html);
	buf_cleanup(&b);
	assert_non_null(strstr(html, "<a href=\"/live/harbour/posts/11\"><mark>Ferry</mark> service "
				     "&lt;cut&gt;</a>"));
	assert_non_null(strstr(html, "The <mark>ferry</mark> will run"));
	assert_non_null(strstr(html, "value=\"ferry &quot;&lt;x&gt;&quot; &amp;\""));
	assert_non_null(strstr(html, "Bridge &lt;live&gt;"));
	assert_null(strstr(html, "<x>"));
	assert_null(strstr(html, "<live>"));
	/* Results 21 and 22; both ways through the pages, the words encoded. */
	assert_non_null(strstr(html, "<ol class=\"search-list\" start=\"21\">"));
	assert_non_null(strstr(html, "href=\"/live/harbour/search?q=ferry%20%22%3Cx%3E%22%20%26\">"
				     "Better matches"));
	assert_non_null(strstr(html, "href=\"/live/harbour/search?q=ferry%20%22%3Cx%3E%22%20%26"
				     "&amp;page=3\">More results"));
	/* A post without a snippet shows none. */
	assert_null(strstr(html, "<p class=\"search-snippet\"></p>"));
	/* Search pages are not a canonical page of the site. */
	assert_null(strstr(html, "rel=\"canonical\""));
	free(html);
}

static void test_messages(void **state)
{
	struct model_page page = { .slug = "harbour", .title = "Bridge", .zone = "Europe/London" };
	struct render_search_view v = { .page = &page, .query = "<q>", .page_no = 1 };
	struct buf b;
	char *html;
	size_t len;

	(void)state;
	buf_init(&b, 1 << 20);
	render_search_html(&b, &site, &v);
	v.message = "Give a word to search for.";
	v.query = "";
	render_search_html(&b, &site, &v);
	html = buf_detach(&b, &len);
	assert_non_null(html);
	buf_cleanup(&b);
	assert_non_null(strstr(html, "No post on this page matches \xe2\x80\x9c&lt;q&gt;\xe2\x80\x9d"));
	assert_non_null(strstr(html, "<p class=\"search-message\">Give a word to search for.</p>"));
	assert_null(strstr(html, "<nav class=\"pager\""));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_results_page),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
