/*
 * Unit tests for src/render/render_meta.c: the description's cut on a word,
 * a post's plain text, and the head's tags and JSON-LD (absolute URLs on the
 * base, hostile strings inert, the oldest updates left out past the limit).
 * The model is built in code from string literals.
 */
#include "unit_render.h"

#include <jansson.h>

#include "model/model.h"
#include "render/render_meta.h"
#include "util/buf.h"

#define HOSTILE "</script><script>alert(1)</script>\"'&"

static const struct render_site site = { "Liveline", "/static/style.abc.css", NULL,
					  "https://news.example" };

static struct model_page make_page(void)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.id = 1;
	p.slug = "vote";
	p.title = "Harbour vote";
	p.description = "";
	p.zone = "Europe/London";
	p.status = MODEL_STATUS_LIVE;
	p.start_at = 1781240400; /* 2026-06-12T05:00:00Z */
	p.updated_at = 1781290000;
	return p;
}

static struct model_post make_post(int64_t id, const char *title, struct model_block *blocks,
				   size_t n)
{
	struct model_post p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.page_id = 1;
	p.title = (char *)title;
	p.published_at = 1781250000 + id;
	p.updated_at = p.published_at;
	p.blocks = blocks;
	p.n_blocks = n;
	return p;
}

/* The JSON-LD block of `html`, parsed; the caller decrefs. */
static json_t *ld_of(const char *html)
{
	const char *open = "<script type=\"application/ld+json\">";
	const char *start = strstr(html, open), *end;
	json_error_t e;
	json_t *v;

	assert_non_null(start);
	start += strlen(open);
	end = strstr(start, "</script>");
	assert_non_null(end);
	v = json_loadb(start, (size_t)(end - start), 0, &e);
	if (!v)
		fail_msg("JSON-LD: %s", e.text);
	return v;
}

static void test_trim(void **state)
{
	char *s;

	(void)state;
	s = RENDER(render_meta_trim(&out_, "  one\n\ttwo   three  ", 160));
	assert_string_equal(s, "one two three");
	free(s);
	/* Cut on the last whole word, with an ellipsis. */
	s = RENDER(render_meta_trim(&out_, "alpha beta gamma delta", 12));
	assert_string_equal(s, "alpha beta\xe2\x80\xa6");
	/* Exactly the limit: nothing cut. */
	s = (free(s), RENDER(render_meta_trim(&out_, " alpha beta ", 10)));
	assert_string_equal(s, "alpha beta");
	s = (free(s), RENDER(render_meta_trim(&out_, "alpha beta gamma", 10)));
	assert_string_equal(s, "alpha beta\xe2\x80\xa6");
	/* Characters, not bytes: seven fit in seven, and in six are cut. */
	s = (free(s), RENDER(render_meta_trim(&out_, "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9", 7)));
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9");
	s = (free(s), RENDER(render_meta_trim(&out_, "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9", 6)));
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	/* One word longer than the limit is cut inside. */
	s = (free(s), RENDER(render_meta_trim(&out_, "abcdefghij", 4)));
	assert_string_equal(s, "abcd\xe2\x80\xa6");
	s = (free(s), RENDER(render_meta_trim(&out_, NULL, 4)));
	assert_string_equal(s, "");
	free(s);
}

static void test_post_text(void **state)
{
	struct model_list_item items[] = { { .lead = "**Buses:**", .text = "on time" },
					   { .lead = NULL, .text = "Trains *too*" } };
	struct model_block blocks[] = {
		{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "A [link](https://x.example/) here." },
		{ .kind = MODEL_BLOCK_IMAGE, .url = "/media/a.jpg", .alt = "alt", .caption = NULL },
		{ .kind = MODEL_BLOCK_QUOTE, .text = "We stand.", .cite = "The mayor" },
		{ .kind = MODEL_BLOCK_LIST, .items = items, .n_items = 2 },
		{ .kind = MODEL_BLOCK_EMBED, .text = "Video: the opening", .url = "https://v.example/" },
	};
	struct model_post post = make_post(1, "T", blocks, 5);
	char *s;

	(void)state;
	s = RENDER(render_meta_post_text(&out_, &post));
	/* No markup, no ", external" of the text layout, and an image without a
	 * caption adds no blank line. */
	assert_string_equal(s, "A link here.\n\nWe stand. \xe2\x80\x94 The mayor\n\n"
			       "Buses: on time\nTrains too\n\nVideo: the opening");
	free(s);
}

static void test_head_live_page(void **state)
{
	struct model_block img = { .kind = MODEL_BLOCK_IMAGE, .url = "/media/crowd-640.jpg",
				   .alt = "A crowd", .credit = "" };
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH, .text = "Hundreds outside." };
	struct model_byline by = { .name = "Ann Reporter", .role = "" };
	struct model_post posts[2];
	struct model_page page = make_page();
	struct render_meta m;
	json_t *ld, *ups;
	char *html;

	(void)state;
	posts[0] = make_post(2, "Crowd gathers", &img, 1);
	posts[1] = make_post(1, "Debate opens", &para, 1);
	posts[1].bylines = &by;
	posts[1].n_bylines = 1;
	m = (struct render_meta){ .title = page.title, .path = "/live/vote", .page = &page,
				  .posts = posts, .n_posts = 2 };
	html = RENDER(render_meta_head(&out_, &site, &m));
	assert_has(html, "<link rel=\"canonical\" href=\"https://news.example/live/vote\">");
	/* No description, no summary: the page says what it is. */
	assert_has(html, "<meta name=\"description\" content=\"Live coverage: Harbour vote\">");
	assert_has(html, "<meta property=\"og:image\" "
			 "content=\"https://news.example/media/crowd-640.jpg\">");
	assert_has(html, "<meta name=\"twitter:card\" content=\"summary_large_image\">");
	assert_has(html, "<meta property=\"article:published_time\" "
			 "content=\"2026-06-12T05:00:00Z\">");
	assert_has(html, "href=\"https://news.example/live/vote/feed.atom\"");
	assert_has(html, "<link rel=\"apple-touch-icon\" href=\"");
	assert_has(html, "<meta name=\"theme-color\" content=\"#");
	ld = ld_of(html);
	assert_string_equal(json_string_value(json_object_get(ld, "@type")), "LiveBlogPosting");
	assert_string_equal(json_string_value(json_object_get(ld, "coverageStartTime")),
			    "2026-06-12T05:00:00Z");
	assert_null(json_object_get(ld, "coverageEndTime"));
	ups = json_object_get(ld, "liveBlogUpdate");
	assert_int_equal(json_array_size(ups), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ups, 1), "url")),
			    "https://news.example/live/vote#post-1");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(ups, 0), "image"), "url")),
		"https://news.example/media/crowd-640.jpg");
	json_decref(ld);
	free(html);

	/* A featured image a crawler cannot use (allowed as a link, not an image)
	 * gives way to the newest post's. */
	page.summary.media_kind = MODEL_MEDIA_IMAGE;
	page.summary.media_url = "mailto:desk@news.example";
	html = RENDER(render_meta_head(&out_, &site, &m));
	assert_has(html, "<meta property=\"og:image\" "
			 "content=\"https://news.example/media/crowd-640.jpg\">");
	free(html);
	page.summary.media_url = "https://img.example/harbour.jpg";
	html = RENDER(render_meta_head(&out_, &site, &m));
	assert_has(html, "<meta property=\"og:image\" content=\"https://img.example/harbour.jpg\">");
	free(html);

	/* Ended: the end of coverage is said. */
	page.status = MODEL_STATUS_ENDED;
	page.end_at = 1781300000;
	html = RENDER(render_meta_head(&out_, &site, &m));
	ld = ld_of(html);
	assert_non_null(json_object_get(ld, "coverageEndTime"));
	json_decref(ld);
	free(html);
}

static void test_head_hostile(void **state)
{
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH, .text = HOSTILE };
	struct model_byline by = { .name = HOSTILE, .role = HOSTILE };
	struct model_post post = make_post(1, HOSTILE, &para, 1);
	struct model_page page = make_page();
	struct render_meta m;
	json_t *ld;
	char *html;

	(void)state;
	page.title = HOSTILE;
	page.description = HOSTILE;
	post.bylines = &by;
	post.n_bylines = 1;
	m = (struct render_meta){ .title = HOSTILE, .path = "/live/vote", .page = &page,
				  .posts = &post, .n_posts = 1 };
	html = RENDER(render_meta_head(&out_, &site, &m));
	assert_lacks(html, "<script>alert");
	assert_lacks(html, "</script><script>");
	assert_has(html, "content=\"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
			 "&quot;&#39;&amp;\"");
	/* One data block, and its end tag is the only "</script" in it. */
	assert_has(html, "\\u003c/script\\u003e");
	ld = ld_of(html);
	assert_string_equal(json_string_value(json_object_get(ld, "headline")), HOSTILE);
	json_decref(ld);
	free(html);

	/* The permalink's BlogPosting, likewise. */
	m = (struct render_meta){ .title = HOSTILE, .path = "/live/vote/posts/1", .page = &page,
				  .post = &post };
	html = RENDER(render_meta_head(&out_, &site, &m));
	assert_lacks(html, "<script>alert");
	ld = ld_of(html);
	assert_string_equal(json_string_value(json_object_get(ld, "@type")), "BlogPosting");
	assert_string_equal(json_string_value(json_object_get(ld, "articleBody")), HOSTILE);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(ld, "isPartOf"), "headline")), HOSTILE);
	json_decref(ld);
	free(html);
}

/* Updates that would make the JSON-LD longer than its limit: the newest are
 * kept, and the page still renders. */
static void test_head_ld_limit(void **state)
{
	enum { N = MODEL_POSTS_PER_PAGE };
	static struct model_block blocks[N];
	static struct model_post posts[N];
	struct model_page page = make_page();
	struct render_meta m;
	size_t body = RENDER_META_LD_MAX / 8; /* 20 of them are over the limit */
	char *text = malloc(body + 1), *html;
	json_t *ld, *ups;

	(void)state;
	assert_non_null(text);
	memset(text, 'w', body);
	text[body] = '\0';
	for (size_t i = 0; i < N; i++) {
		blocks[i] = (struct model_block){ .kind = MODEL_BLOCK_PARAGRAPH, .text = text };
		posts[i] = make_post((int64_t)(N - i), "Update", &blocks[i], 1);
	}
	m = (struct render_meta){ .title = "T", .path = "/live/vote", .page = &page,
				  .posts = posts, .n_posts = N };
	html = RENDER(render_meta_head(&out_, &site, &m));
	ld = ld_of(html);
	ups = json_object_get(ld, "liveBlogUpdate");
	assert_true(json_array_size(ups) > 0 && json_array_size(ups) < N);
	/* The newest first, the oldest left out. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(ups, 0), "url")),
			    "https://news.example/live/vote#post-20");
	json_decref(ld);
	free(html);
	free(text);
}

/* A description is cut from a source longer than any description: a post of
 * 8 KiB (its permalink) once failed the whole page. */
static void test_head_long_post(void **state)
{
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH };
	struct model_page page = make_page();
	struct model_post post;
	struct render_meta m;
	char *text = malloc(MODEL_BODY_MAX + 1), *html;
	json_t *ld;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < MODEL_BODY_MAX; i++)
		text[i] = i % 10 == 9 ? ' ' : '&';
	text[MODEL_BODY_MAX] = '\0';
	para.text = text;
	post = make_post(1, "Long", &para, 1);
	m = (struct render_meta){ .title = "Long", .path = "/live/vote/posts/1", .page = &page,
				  .post = &post };
	html = RENDER(render_meta_head(&out_, &site, &m)); /* unit_render_take() checks the error */
	assert_has(html, "<meta name=\"description\" content=\"&amp;&amp;");
	assert_has(html, "&amp;\xe2\x80\xa6\">");
	ld = ld_of(html);
	assert_int_equal(strlen(json_string_value(json_object_get(ld, "articleBody"))),
			 MODEL_BODY_MAX); /* plain text, whole */
	json_decref(ld);
	free(html);
	free(text);
}

static void test_head_error_page(void **state)
{
	struct render_meta m = { .title = "404 Not Found", .noindex = 1 };
	char *html;

	(void)state;
	html = RENDER(render_meta_head(&out_, &site, &m));
	assert_has(html, "<meta name=\"robots\" content=\"noindex\">");
	assert_lacks(html, "canonical");
	assert_lacks(html, "og:url");
	assert_lacks(html, "application/ld+json");
	assert_has(html, "<link rel=\"icon\"");
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_post_text),
		cmocka_unit_test(test_head_live_page),
		cmocka_unit_test(test_head_hostile),
		cmocka_unit_test(test_head_ld_limit),
		cmocka_unit_test(test_head_long_post),
		cmocka_unit_test(test_head_error_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
