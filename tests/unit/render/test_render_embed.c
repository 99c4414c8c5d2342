/*
 * Unit tests for src/render/render_embed.c: the embed document, the iframe
 * snippet, the oEmbed discovery link and the query encoding they use. The
 * model is built in code; the HTML is searched for what must and must not be
 * there, with hostile titles that must stay escaped.
 */
#include "unit_render.h"

#include "model/model.h"
#include "render/render.h"
#include "render/render_embed.h"
#include "util/buf.h"

#define HOSTILE "\"><script>alert(1)</script>"

static const struct render_site site = { "Liveline", "/static/style.abc.css",
					  "/static/live.abc.js", "https://news.example" };

static size_t count(const char *html, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(html, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static struct model_page page_of(const char *title)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.id = 1;
	p.slug = "harbour";
	p.title = (char *)title;
	p.zone = "Europe/London";
	p.status = MODEL_STATUS_LIVE;
	p.last_seq = 42;
	return p;
}

static void test_url_arg(void **state)
{
	char *s;

	(void)state;
	s = RENDER(render_embed_url_arg(&out_, "https://a.example:8/live/x?page=2&b= ~_.-"));
	assert_string_equal(s, "https%3A%2F%2Fa.example%3A8%2Flive%2Fx%3Fpage%3D2%26b%3D%20~_.-");
	free(s);
	s = RENDER(render_embed_url_arg(&out_, "\xc3\xa9"));
	assert_string_equal(s, "%C3%A9");
	free(s);
}

static void test_document(void **state)
{
	struct model_page p = page_of(HOSTILE);
	struct model_post posts[12];
	char *s;

	(void)state;
	memset(posts, 0, sizeof(posts));
	for (int i = 0; i < 12; i++) {
		posts[i].id = 100 - i;
		posts[i].page_id = 1;
		posts[i].title = "A post";
		posts[i].published_at = 1781280000 - i * 60;
		posts[i].updated_at = posts[i].published_at;
	}
	/* The caller hands over what it shows: all of them are rendered. */
	s = RENDER(render_embed_html(&out_, &site, &p, posts, RENDER_EMBED_POSTS));
	assert_int_equal(count(s, "<article"), RENDER_EMBED_POSTS);
	assert_has(s, "<article class=\"post\" id=\"post-100\"");
	assert_has(s, "<base target=\"_blank\">");
	assert_has(s, "<meta name=\"robots\" content=\"noindex\">");
	assert_has(s, "<link rel=\"canonical\" href=\"https://news.example/live/harbour\">");
	assert_has(s, "<a href=\"https://news.example/live/harbour\" target=\"_blank\" "
		      "rel=\"noopener\">Read the full coverage");
	assert_has(s, "data-slug=\"harbour\" data-seq=\"42\" data-page=\"1\" data-pages=\"1\"");
	assert_has(s, "<script src=\"/static/live.abc.js\" defer>");
	assert_has(s, "<p class=\"status status-live\">");
	assert_has(s, "<body class=\"page-embed\">");
	/* <base> comes before anything with an address. */
	assert_true(strstr(s, "<base") < strstr(s, "<link"));
	assert_lacks(s, "<script>alert");
	assert_has(s, "&quot;&gt;&lt;script&gt;");
	free(s);

	s = RENDER(render_embed_html(&out_, &site, &p, NULL, 0));
	assert_int_equal(count(s, "<article"), 0);
	assert_has(s, "<p class=\"empty\">");
	free(s);
}

static void test_iframe(void **state)
{
	struct model_page p = page_of(HOSTILE);
	char *s;

	(void)state;
	s = RENDER(render_embed_iframe(&out_, &site, &p, 300, 200));
	assert_string_equal(s, "<iframe src=\"https://news.example/live/harbour/embed\" "
			       "title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; (live "
			       "coverage)\" width=\"300\" height=\"200\" loading=\"lazy\"></iframe>");
	free(s);
}

static void test_discovery(void **state)
{
	const char *link = "<link rel=\"alternate\" type=\"application/json+oembed\" "
			   "href=\"https://news.example/oembed?url=https%3A%2F%2Fnews.example"
			   "%2Flive%2Fharbour%2Fposts%2F7\" title=\"&quot;&gt;&lt;script&gt;";
	struct render_site bare = site;
	char *s;

	(void)state;
	/* A path, as doc_open writes it today, or the same address absolute. */
	s = RENDER(render_embed_discovery(&out_, &site, "/live/harbour/posts/7", HOSTILE));
	assert_has(s, link);
	assert_lacks(s, "<script>");
	free(s);
	s = RENDER(render_embed_discovery(&out_, &site,
					  "https://news.example/live/harbour/posts/7", HOSTILE));
	assert_has(s, link);
	free(s);
	/* Nothing for addresses that have no oEmbed answer. */
	s = RENDER(render_embed_discovery(&out_, &site, "/", "Index"));
	assert_string_equal(s, "");
	free(s);
	s = RENDER(render_embed_discovery(&out_, &site, NULL, "Error"));
	assert_string_equal(s, "");
	free(s);
	s = RENDER(render_embed_discovery(&out_, &site, "https://other.example/live/x", "X"));
	assert_string_equal(s, "");
	free(s);
	/* A site without a base URL (render.h says there is always one) does
	 * not crash. */
	bare.base_url = NULL;
	s = RENDER(render_embed_discovery(&out_, &bare, "/live/harbour", "H"));
	assert_has(s, "href=\"/oembed?url=%2Flive%2Fharbour\"");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_arg),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_iframe),
		cmocka_unit_test(test_discovery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
