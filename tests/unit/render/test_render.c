/*
 * Unit tests for src/render/render_html.c: the reader-facing HTML. The model
 * is built in code (string literals; nothing is cleaned up), rendered, and the
 * HTML searched for what must and must not be there. Also checks the layout of
 * the demo page, data/demo.txt, which the server imports on `make run`.
 */
#include "unit_render.h"

#include "model/model.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/tz.h"

#define HOSTILE_A "<script>alert(1)</script>"
#define HOSTILE_B "\"><img src=x onerror=alert(1)>"

static const struct render_site site = { "Liveline", "/static/style.abc.css", NULL, "http://liveline.test" };

static void assert_not_raw(const char *html)
{
	assert_lacks(html, "<script>alert");
	assert_lacks(html, "<img src=x");
	assert_lacks(html, "\"><img src=x");
	assert_lacks(html, "onerror=alert(1)>");
}

#define RENDER_TEST_NOW	     ((int64_t)1751371200) /* 2025-07-01T12:00:00Z */
#define RENDER_TEST_NOW_2026 ((int64_t)1782907200) /* 2026-07-01T12:00:00Z */

static int64_t utc(const char *zone, int y, int mo, int d, int h, int mi)
{
	int64_t t;

	assert_int_equal(tz_local_to_utc(zone, y, mo, d, h, mi, 0, &t), 0);
	return t;
}

static struct model_page make_page(const char *slug, const char *title)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.id = 1;
	p.slug = (char *)slug;
	p.title = (char *)title;
	p.description = "Updates as the Harbour Bridge reopens";
	p.zone = "Europe/London";
	p.status = MODEL_STATUS_LIVE;
	p.last_seq = 42;
	return p;
}

static struct model_post make_post(int64_t id, const char *title, int64_t at)
{
	struct model_post p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.page_id = 1;
	p.title = (char *)title;
	p.published_at = at;
	p.updated_at = at;
	return p;
}

/* ---- helpers ---- */

static void test_page_math(void **state)
{
	(void)state;
	/* The live page holds the newest full page with the remainder (20 to 39
	 * posts once there are 20); older pages hold 20 and never move. */
	assert_int_equal(render_page_count(0), 1);
	assert_int_equal(render_page_count(1), 1);
	assert_int_equal(render_page_count(20), 1);
	assert_int_equal(render_page_count(24), 1);
	assert_int_equal(render_page_count(39), 1);
	assert_int_equal(render_page_count(40), 2);
	assert_int_equal(render_page_count(41), 2);
	assert_int_equal(render_page_count(59), 2);
	assert_int_equal(render_page_count(60), 3);
	assert_int_equal(render_page_of_index(0, 24), 1);
	assert_int_equal(render_page_of_index(23, 24), 1);
	assert_int_equal(render_page_of_index(19, 41), 1);
	assert_int_equal(render_page_of_index(20, 41), 2);
	assert_int_equal(render_page_of_index(40, 41), 2);
	assert_int_equal(render_page_of_index(45, 59), 2);
	assert_int_equal(render_page_of_index(64, 65), 3);
	{
		size_t first, n;

		render_page_range(24, 1, &first, &n);
		assert_true(first == 0 && n == 24);
		render_page_range(41, 2, &first, &n);
		assert_true(first == 20 && n == 21);
		render_page_range(41, 1, &first, &n);
		assert_true(first == 0 && n == 20);
		render_page_range(65, 2, &first, &n);
		assert_true(first == 20 && n == 20);
		render_page_range(65, 3, &first, &n);
		assert_true(first == 40 && n == 25);
		render_page_range(0, 1, &first, &n);
		assert_true(first == 0 && n == 0);
		render_page_range(41, 3, &first, &n);
		assert_true(first == 0 && n == 0);
		/* Every post is on exactly one page, whatever the count. */
		for (size_t total = 0; total < 130; total++) {
			size_t next = 0, count = render_page_count(total);

			for (size_t no = 1; no <= count; no++) {
				render_page_range(total, no, &first, &n);
				assert_true(first == next);
				assert_true(n >= (total >= 20 ? 20u : total) && n < 40);
				for (size_t i = first; i < first + n; i++)
					assert_int_equal(render_page_of_index(i, total), no);
				next = first + n;
			}
			assert_int_equal(next, total);
		}
	}
}

/* ---- posts ---- */

static void test_post_time_winter(void **state)
{
	struct model_page page = make_page("ukraine", "Ukraine talks");
	struct model_post post = make_post(7, "A tale of two summits",
					   utc("Europe/London", 2025, 2, 17, 10, 37));
	char *html;

	(void)state;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<article class=\"post\" id=\"post-7\" data-id=\"7\">");
	assert_has(html, "<h3 class=\"post-title\"><a href=\"/live/ukraine/posts/7\">"
			 "A tale of two summits</a></h3>");
	assert_has(html, "<p class=\"post-time\">published at <time "
			 "datetime=\"2025-02-17T10:37:00Z\">10:37 <span aria-hidden=\"true\">GMT"
			 "</span><span class=\"vh\">Greenwich Mean Time</span> 17 February"
			 "</time></p>");
	assert_lacks(html, "Updated");
	assert_lacks(html, "Breaking");
	free(html);
}

static void test_post_time_summer_and_updated(void **state)
{
	struct model_page page = make_page("bridge", "Bridge");
	struct model_post post = make_post(9, "Open", utc("Europe/London", 2026, 6, 12, 15, 45));
	char *html;

	(void)state;
	render_now_set(RENDER_TEST_NOW_2026); /* its dates are of 2026 */
	post.updated_at = post.published_at + 61 * 60;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "datetime=\"2026-06-12T14:45:00Z\">15:45 <span aria-hidden=\"true\">"
			 "BST</span><span class=\"vh\">British Summer Time</span> 12 June</time>");
	assert_has(html, "<p class=\"post-updated\">Updated <time "
			 "datetime=\"2026-06-12T15:46:00Z\">16:46 <span aria-hidden=\"true\">BST"
			 "</span><span class=\"vh\">British Summer Time</span></time></p>");
	free(html);

	/* An edit within a minute of publication is not worth a label. */
	post.updated_at = post.published_at + 60;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_lacks(html, "Updated");
	free(html);
	render_now_set(RENDER_TEST_NOW);
}

/* A correction note is shown under the post, escaped, with its time. */
static void test_post_correction(void **state)
{
	struct model_page page = make_page("bridge", "Bridge");
	struct model_post post = make_post(9, "Drones", utc("Europe/London", 2026, 2, 17, 10, 30));
	char *html;

	(void)state;
	render_now_set(RENDER_TEST_NOW_2026); /* its dates are of 2026 */
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_lacks(html, "class=\"correction\"");
	free(html);

	post.correction = "corrects the number of drones <script>alert(1)</script>";
	post.correction_at = utc("Europe/London", 2026, 2, 17, 10, 45);
	post.updated_at = post.correction_at;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<p class=\"correction\"><strong>Updated <time "
			 "datetime=\"2026-02-17T10:45:00Z\">10:45 <span aria-hidden=\"true\">GMT"
			 "</span><span class=\"vh\">Greenwich Mean Time</span></time>:</strong> "
			 "corrects the number of drones &lt;script&gt;alert(1)&lt;/script&gt;</p>");
	assert_lacks(html, "<script>");
	/* After the body, inside the article. */
	assert_true(strstr(html, "class=\"correction\"") > strstr(html, "class=\"post-body\""));
	assert_true(strstr(html, "class=\"correction\"") < strstr(html, "</article>"));
	free(html);

	/* Written on another day: the day is said too. A note is never raw. */
	post.correction = "\"><img src=x onerror=alert(1)> & more";
	post.correction_at = utc("Europe/London", 2026, 2, 18, 9, 5);
	post.updated_at = post.correction_at;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<p class=\"correction\"><strong>Updated <time "
			 "datetime=\"2026-02-18T09:05:00Z\">09:05 <span aria-hidden=\"true\">GMT"
			 "</span><span class=\"vh\">Greenwich Mean Time</span> 18 February</time>:"
			 "</strong> &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more</p>");
	assert_has(html, "<p class=\"post-updated\">Updated <time datetime=\"2026-02-18T09:05:00Z\">");
	assert_not_raw(html);
	free(html);

	/* An empty note is no note; the page's other renderings carry it too. */
	post.correction = "";
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_lacks(html, "class=\"correction\"");
	free(html);
	post.correction = "corrects the count";
	html = RENDER(render_permalink_html(&out_, &site, &page, &post, 1, 1));
	assert_has(html, "</strong> corrects the count</p>");
	free(html);
	render_now_set(RENDER_TEST_NOW);
}

/* Our uploads get srcset from the widths stored with them; other images not. */
static void test_post_image_srcset(void **state)
{
	struct model_page page = make_page("bridge", "Bridge");
	struct model_post post = make_post(9, "Photo", utc("Europe/London", 2026, 2, 17, 10, 30));
	struct model_block b[2];
	char *html;

	(void)state;
	memset(b, 0, sizeof(b));
	b[0].kind = MODEL_BLOCK_IMAGE;
	b[0].url = "/media/0123456789abcdef0123456789abcdef-1600.jpg";
	b[0].alt = "The bridge";
	b[0].credit = "";
	b[1].kind = MODEL_BLOCK_IMAGE;
	b[1].url = "https://example.com/photo-1600.jpg";
	b[1].alt = "Elsewhere";
	b[1].credit = "";
	post.blocks = b;
	post.n_blocks = 2;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<img src=\"/media/0123456789abcdef0123456789abcdef-1600.jpg\" srcset=\""
			 "/media/0123456789abcdef0123456789abcdef-480.jpg 480w, "
			 "/media/0123456789abcdef0123456789abcdef-960.jpg 960w, "
			 "/media/0123456789abcdef0123456789abcdef-1600.jpg 1600w\" "
			 "sizes=\"(min-width: 42rem) 42rem, 100vw\" alt=\"The bridge\" "
			 "loading=\"lazy\" decoding=\"async\">");
	assert_lacks(html, "photo-480");
	assert_has(html, "<img src=\"https://example.com/photo-1600.jpg\" alt=\"Elsewhere\" "
			 "loading=\"lazy\"");
	free(html);

	/* Under /media/ but not a name we make, or ours with a host before it. */
	b[0].url = "/media/photo.jpg";
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<img src=\"/media/photo.jpg\" alt=\"The bridge\" loading=\"lazy\" "
			 "decoding=\"async\">");
	free(html);
	b[0].url = "https://live.example/media/0123456789abcdef0123456789abcdef-960.webp";
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "srcset=\"https://live.example/media/0123456789abcdef0123456789abcdef-480"
			 ".webp 480w, https://live.example/media/0123456789abcdef0123456789abcdef-960"
			 ".webp 960w\"");
	free(html);

	/* A small upload has one width: no srcset. */
	b[0].url = "/media/0123456789abcdef0123456789abcdef-300.png";
	post.n_blocks = 1;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_lacks(html, "srcset");
	free(html);
}

static void test_post_blocks(void **state)
{
	struct model_page page = make_page("bridge", "Bridge");
	struct model_post post = make_post(3, "Everything", utc("UTC", 2026, 6, 12, 9, 0));
	struct model_byline bylines[] = { { "Liza Fokht", "BBC Russian service" },
					  { "No Role", "" } };
	struct model_list_item items[] = { { "Zooming out:", "Sweden joined Nato" },
					   { NULL, "No lead here" } };
	struct model_block blocks[6];
	char *html;

	(void)state;
	memset(blocks, 0, sizeof(blocks));
	blocks[0].kind = MODEL_BLOCK_PARAGRAPH;
	blocks[0].text = "First paragraph.";
	blocks[1].kind = MODEL_BLOCK_QUOTE;
	blocks[1].text = "We must act.";
	blocks[1].cite = "The Mayor";
	blocks[2].kind = MODEL_BLOCK_LIST;
	blocks[2].items = items;
	blocks[2].n_items = 2;
	blocks[3].kind = MODEL_BLOCK_IMAGE;
	blocks[3].url = "/media/bridge.jpg";
	blocks[3].alt = "The bridge at dusk";
	blocks[3].credit = "Reuters";
	blocks[3].caption = "Lit up for the first time";
	blocks[4].kind = MODEL_BLOCK_IMAGE;
	blocks[4].url = "";
	blocks[4].alt = "A lost picture";
	blocks[4].credit = "EPA";
	blocks[5].kind = MODEL_BLOCK_EMBED;
	blocks[5].url = "https://example.org/map";
	blocks[5].text = "Frontlines map";
	post.bylines = bylines;
	post.n_bylines = 2;
	post.blocks = blocks;
	post.n_blocks = 6;
	post.breaking = 1;
	post.key_event = 1;
	post.pinned = 1;

	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<article class=\"post post-breaking key-event pinned\" id=\"post-3\"");
	assert_has(html, "<p class=\"breaking\">Breaking</p>");
	assert_has(html, "Key event</p>");
	assert_has(html, "Pinned</p>");
	assert_has(html, "<div class=\"byline\"><span class=\"byline-name\">Liza Fokht</span>"
			 "<span class=\"byline-role\">BBC Russian service</span></div>");
	assert_has(html, "<div class=\"byline\"><span class=\"byline-name\">No Role</span></div>");
	assert_has(html, "<p>First paragraph.</p>");
	assert_has(html, "<blockquote><p>We must act.</p><footer>\xe2\x80\x94 <cite>The Mayor</cite></footer>"
			 "</blockquote>");
	assert_has(html, "<li><strong>Zooming out:</strong> Sweden joined Nato</li>");
	assert_has(html, "<li>No lead here</li>");
	assert_has(html, "<figure class=\"image\"><img src=\"/media/bridge.jpg\" "
			 "alt=\"The bridge at dusk\" loading=\"lazy\"");
	assert_has(html, "<figcaption><span class=\"vh\">Image caption, </span>Lit up for the "
			 "first time <span class=\"credit\">Image source, Reuters</span>"
			 "</figcaption>");
	assert_has(html, "<div class=\"img-missing\" role=\"img\" aria-label=\"A lost picture\">"
			 "</div><figcaption><span class=\"credit\">Image source, EPA</span>");
	assert_lacks(html, "<img src=\"\"");
	assert_has(html, "<figure class=\"embed\">");
	assert_has(html, "<a href=\"https://example.org/map\" rel=\"noopener noreferrer\">"
			 "Frontlines map<span class=\"vh\">, external</span></a>");
	free(html);

	/* An embed whose address may not be linked shows its title only. */
	blocks[5].url = "javascript:alert(1)";
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_lacks(html, "javascript:");
	assert_has(html, "<figcaption class=\"embed-title\">Frontlines map</figcaption>");
	free(html);
}

static void test_post_hostile(void **state)
{
	struct model_page page = make_page(HOSTILE_B, HOSTILE_A);
	struct model_post post = make_post(5, HOSTILE_A HOSTILE_B, utc("UTC", 2026, 1, 1, 0, 0));
	struct model_byline bylines[] = { { HOSTILE_A, HOSTILE_B } };
	struct model_list_item items[] = { { HOSTILE_A, HOSTILE_B } };
	struct model_block blocks[5];
	char *html;

	(void)state;
	page.description = HOSTILE_B;
	memset(blocks, 0, sizeof(blocks));
	blocks[0].kind = MODEL_BLOCK_PARAGRAPH;
	blocks[0].text = HOSTILE_A;
	blocks[1].kind = MODEL_BLOCK_QUOTE;
	blocks[1].text = HOSTILE_B;
	blocks[1].cite = HOSTILE_A HOSTILE_B;
	blocks[2].kind = MODEL_BLOCK_LIST;
	blocks[2].items = items;
	blocks[2].n_items = 1;
	blocks[3].kind = MODEL_BLOCK_IMAGE;
	blocks[3].url = "/x.jpg" HOSTILE_B;
	blocks[3].alt = HOSTILE_A HOSTILE_B;
	blocks[3].credit = HOSTILE_A HOSTILE_B;
	blocks[3].caption = HOSTILE_A;
	blocks[4].kind = MODEL_BLOCK_EMBED;
	blocks[4].url = "https://example.org/" HOSTILE_B;
	blocks[4].text = HOSTILE_A HOSTILE_B;
	post.bylines = bylines;
	post.n_bylines = 1;
	post.blocks = blocks;
	post.n_blocks = 5;

	html = RENDER(render_post_html(&out_, &page, &post));
	assert_not_raw(html);
	assert_has(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_has(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	free(html);

	/* Every page kind, with the hostile page and post. */
	{
		struct render_page_view v = { &page, &post, 1, &post, 1, 2, NULL, 0 };
		struct render_site hs = { HOSTILE_A, HOSTILE_B, HOSTILE_B, HOSTILE_B };

		html = RENDER(render_page_html(&out_, &hs, &v));
		assert_not_raw(html);
		free(html);
		v.page_no = 2;
		html = RENDER(render_page_html(&out_, &hs, &v));
		assert_not_raw(html);
		free(html);
		html = RENDER(render_permalink_html(&out_, &hs, &page, &post, 1, 2));
		assert_not_raw(html);
		free(html);
		html = RENDER(render_index_html(&out_, &hs, &page, 1));
		assert_not_raw(html);
		free(html);
		html = RENDER(render_error_html(&out_, &hs, 404, HOSTILE_A, HOSTILE_B));
		assert_not_raw(html);
		free(html);
	}
}

/* ---- pages ---- */

static void test_page_document(void **state)
{
	struct model_page page = make_page("bridge", "Harbour Bridge reopens");
	char *points[] = { "Bridge **open**", "Ferry scaled back" };
	struct model_post posts[2] = {
		make_post(12, "Newest", utc("Europe/London", 2026, 6, 12, 18, 0)),
		make_post(11, "Older", utc("Europe/London", 2026, 6, 12, 17, 0)),
	};
	struct model_post pinned = make_post(4, "Pinned one", utc("Europe/London", 2026, 6, 12, 9, 0));
	struct render_page_view v = { &page, posts, 2, &pinned, 1, 1, NULL, 0 };
	struct render_site js = { "Liveline", "/static/style.abc.css", "/static/app.1.js", "http://liveline.test" };
	char *html;

	(void)state;
	pinned.pinned = 1;
	page.summary.points = points;
	page.summary.n_points = 2;
	page.summary.media_kind = MODEL_MEDIA_VIDEO;
	page.summary.media_url = "/media/first-cars.mp4";
	page.summary.media_caption = "Watch: The first cars cross";

	html = RENDER(render_page_html(&out_, &site, &v));
	assert_true(strncmp(html, "<!doctype html>\n<html lang=\"en-GB\">", 35) == 0);
	assert_has(html, "<meta charset=\"utf-8\">");
	assert_has(html, "name=\"viewport\"");
	assert_has(html, "<title>Harbour Bridge reopens \xe2\x80\x93 Liveline</title>");
	assert_has(html, "<link rel=\"stylesheet\" href=\"/static/style.abc.css\">");
	assert_has(html, "<link rel=\"canonical\" href=\"http://liveline.test/live/bridge\">");
	/* No script without js_url: only the JSON-LD data block (render_meta.c). */
	assert_lacks(html, "<script src");
	assert_has(html, "<script type=\"application/ld+json\">{");
	assert_has(html, "<a class=\"skip-link\" href=\"#main\">");
	assert_has(html, "<header class=\"site-header\">");
	assert_has(html, "<a class=\"site-name\" href=\"/\">Liveline</a>");
	assert_has(html, "<main id=\"main\"");
	assert_has(html, "<footer class=\"site-footer\">");
	assert_has(html, "<p class=\"status status-live\">Live</p>");
	assert_has(html, "<h1>Harbour Bridge reopens</h1>");
	assert_has(html, "<p class=\"description\">Updates as the Harbour Bridge reopens</p>");
	assert_has(html, "<section class=\"summary\" aria-labelledby=\"summary-h\">");
	assert_has(html, "<h2 id=\"summary-h\">Summary</h2>");
	assert_has(html, "<ul class=\"key-points\">");
	assert_has(html, "Ferry scaled back</li>");
	assert_has(html, "<video controls preload=\"metadata\" playsinline "
			 "src=\"/media/first-cars.mp4\"");
	assert_has(html, "<figcaption><span class=\"vh\">Media caption, </span>Watch: The first "
			 "cars cross</figcaption>");
	assert_has(html, "<h2 id=\"pinned-h\" class=\"pinned-label\">Pinned</h2>");
	assert_has(html, "id=\"pinned-4\" data-id=\"4\"");
	assert_has(html, "<h2 id=\"updates-h\" class=\"vh\">Live updates</h2>");
	assert_has(html, "data-slug=\"bridge\" data-seq=\"42\"");
	/* Newest first, as given. */
	assert_true(strstr(html, "id=\"post-12\"") < strstr(html, "id=\"post-11\""));
	/* One page: no pager. */
	assert_lacks(html, "aria-label=\"Pages\"");
	assert_true(html[strlen(html) - 1] == '\n');
	assert_has(html, "</html>\n");
	free(html);

	html = RENDER(render_page_html(&out_, &js, &v));
	assert_has(html, "<script src=\"/static/app.1.js\" defer></script>");
	free(html);

	/* Ended and upcoming labels; an empty page says so. */
	page.status = MODEL_STATUS_ENDED;
	v.n_posts = 0;
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_has(html, "<p class=\"status status-ended\">Ended</p>");
	assert_has(html, "<p class=\"empty\">");
	free(html);
	page.status = MODEL_STATUS_UPCOMING;
	page.start_at = utc("Europe/London", 2026, 6, 12, 6, 0);
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_has(html, "<p class=\"status status-upcoming\">Upcoming</p>");
	assert_has(html, "Coverage starts at <time datetime=\"2026-06-12T05:00:00Z\">06:00");
	free(html);
}

static void test_page_pagination(void **state)
{
	struct model_page page = make_page("slug", "Paged");
	struct model_post post = make_post(1, "P", utc("UTC", 2026, 6, 12, 9, 0));
	struct model_post pinned = make_post(2, "Pin", utc("UTC", 2026, 6, 12, 9, 0));
	char *points[] = { "Point" };
	struct render_page_view v = { &page, &post, 1, &pinned, 1, 2, NULL, 0 };
	char *html;

	(void)state;
	page.summary.points = points;
	page.summary.n_points = 1;

	/* Page 1 of 2: the next newer page is the live page itself. */
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_has(html, "<nav class=\"pager\" aria-label=\"Pages\">");
	assert_has(html, "<li class=\"pager-newer\"><a rel=\"prev\" href=\"/live/slug\">");
	assert_has(html, "Newer posts</a>");
	/* A page count means nothing to a reader. */
	assert_lacks(html, " of 2");
	assert_lacks(html, "pager-older");
	assert_has(html, "<link rel=\"canonical\" href=\"http://liveline.test/live/slug?page=1\">");
	assert_has(html, "<title>Paged \xe2\x80\x93 older posts, page 1 \xe2\x80\x93 Liveline</title>");
	/* Summary and pinned post belong to the live page only. */
	assert_lacks(html, "Summary</h2>");
	assert_lacks(html, "pinned-2");
	free(html);

	/* Page 2 of 3: older is ?page=1, newer is the live page. */
	v.page_no = 2;
	v.page_count = 3;
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_has(html, "<li class=\"pager-newer\"><a rel=\"prev\" href=\"/live/slug\">");
	assert_has(html, "<li class=\"pager-older\"><a rel=\"next\" href=\"/live/slug?page=1\">");
	assert_has(html, "Older posts<");
	assert_lacks(html, "Page 2 of 3");
	free(html);

	/* Page 2 of 4: both ways by number. */
	v.page_count = 4;
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_has(html, "<li class=\"pager-newer\"><a rel=\"prev\" href=\"/live/slug?page=3\">");
	assert_has(html, "<li class=\"pager-older\"><a rel=\"next\" href=\"/live/slug?page=1\">");
	free(html);
	v.page_count = 3;

	/* Page 3 of 3 is the live page: older only. */
	v.page_no = 3;
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_lacks(html, "pager-newer");
	assert_has(html, "<li class=\"pager-older\"><a rel=\"next\" href=\"/live/slug?page=2\">");
	assert_has(html, "<link rel=\"canonical\" href=\"http://liveline.test/live/slug\">");
	assert_has(html, "Summary</h2>");
	assert_has(html, "id=\"pinned-2\"");
	free(html);
}

static void test_permalink(void **state)
{
	struct model_page page = make_page("bridge", "Harbour Bridge reopens");
	struct model_post post = make_post(7, "Ribbon cut", utc("Europe/London", 2026, 6, 12, 15, 58));
	char *html;

	(void)state;
	html = RENDER(render_permalink_html(&out_, &site, &page, &post, 2, 2));
	assert_has(html, "<title>Ribbon cut \xe2\x80\x93 Harbour Bridge reopens \xe2\x80\x93 "
			 "Liveline</title>");
	assert_has(html, "<link rel=\"canonical\" href=\"http://liveline.test/live/bridge/posts/7\">");
	assert_has(html, "<p class=\"context\"><a href=\"/live/bridge\">Harbour Bridge reopens"
			 "</a></p>");
	assert_has(html, "<h1 class=\"post-title\">Ribbon cut</h1>");
	assert_lacks(html, "<h3");
	assert_has(html, "<a href=\"/live/bridge#post-7\">See this post in the live page</a>");
	assert_has(html, "15:58 <span aria-hidden=\"true\">BST</span>");
	free(html);

	html = RENDER(render_permalink_html(&out_, &site, &page, &post, 1, 3));
	assert_has(html, "<a href=\"/live/bridge?page=1#post-7\">See this post in the live page</a>");
	free(html);
}

static void test_index(void **state)
{
	struct model_page pages[3] = { make_page("ended-one", "Old story"),
				       make_page("live-one", "Big story"),
				       make_page("soon", "Coming story") };
	char *html;

	(void)state;
	html = RENDER(render_index_html(&out_, &site, NULL, 0));
	assert_has(html, "<h1>Live coverage</h1>");
	assert_has(html, "<p class=\"empty\">There is no live coverage");
	free(html);

	pages[0].status = MODEL_STATUS_ENDED;
	pages[0].updated_at = utc("Europe/London", 2025, 2, 17, 10, 37);
	pages[2].status = MODEL_STATUS_UPCOMING;
	html = RENDER(render_index_html(&out_, &site, pages, 3));
	assert_lacks(html, "class=\"empty\"");
	assert_has(html, "<h3><a href=\"/live/live-one\">Big story</a></h3>");
	assert_has(html, "<h3><a href=\"/live/ended-one\">Old story</a></h3>");
	assert_has(html, "<p class=\"status status-ended\">Ended</p>");
	assert_has(html, "<p class=\"status status-upcoming\">Upcoming</p>");
	assert_has(html, "Last updated <time datetime=\"2025-02-17T10:37:00Z\">10:37");
	/* Live first, then upcoming, then ended. */
	assert_true(strstr(html, "Big story") < strstr(html, "Coming story"));
	assert_true(strstr(html, "Coming story") < strstr(html, "Old story"));
	free(html);
}

/* A day shows its year when it is not the current one in the page's zone: on
 * every reader page's times (published, updated, a correction, the planned
 * start, the index's "Last updated"), which is the newest post's time, not
 * the page's last change (an import comes long after its posts). */
static void test_dates_with_a_year(void **state)
{
	struct model_page page = make_page("bridge", "Bridge");
	struct model_post post = make_post(3, "Old news", utc("Europe/London", 2025, 2, 17, 10, 37));
	struct model_page pages[1] = { make_page("bridge", "Bridge") };
	char *html;

	(void)state;
	/* 2026: last year's post says its year, this year's does not. */
	render_now_set(utc("UTC", 2026, 3, 1, 12, 0));
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "Greenwich Mean Time</span> 17 February 2025</time>");
	free(html);
	post.published_at = utc("Europe/London", 2026, 2, 17, 10, 37);
	post.updated_at = utc("Europe/London", 2026, 2, 18, 9, 0);
	post.correction = "Fixed";
	post.correction_at = post.updated_at;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "Greenwich Mean Time</span> 17 February</time>");
	assert_has(html, "Greenwich Mean Time</span> 18 February</time>");
	assert_lacks(html, "2026</time>");
	free(html);
	/* The same post read in 2027: every day has its year. */
	render_now_set(utc("UTC", 2027, 1, 2, 12, 0));
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "Greenwich Mean Time</span> 17 February 2026</time>");
	assert_has(html, "Updated <time datetime=\"2026-02-18T09:00:00Z\">09:00 <span "
			 "aria-hidden=\"true\">GMT</span><span class=\"vh\">Greenwich Mean "
			 "Time</span> 18 February 2026</time>");
	assert_has(html, "<strong>Updated <time datetime=\"2026-02-18T09:00:00Z\">");
	free(html);
	/* In the page's zone: 31 December 23:30 in New York is already 2027 in
	 * UTC, but still 2026 there. */
	page.zone = "America/New_York";
	render_now_set(utc("America/New_York", 2026, 12, 31, 23, 30));
	post.updated_at = post.published_at;
	post.correction = NULL;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, " 17 February</time>");
	free(html);
	render_now_set(utc("America/New_York", 2027, 1, 1, 0, 30));
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, " 17 February 2026</time>");
	free(html);
	page.zone = "Europe/London";

	/* The planned start. */
	page.status = MODEL_STATUS_UPCOMING;
	page.start_at = utc("Europe/London", 2027, 6, 12, 6, 0);
	render_now_set(utc("UTC", 2026, 12, 1, 12, 0));
	{
		struct render_page_view v = { &page, NULL, 0, NULL, 1, 1, NULL, 0 };

		html = RENDER(render_page_html(&out_, &site, &v));
		assert_has(html, "Coverage starts at <time datetime=\"2027-06-12T05:00:00Z\">06:00 "
				 "<span aria-hidden=\"true\">BST</span><span class=\"vh\">British "
				 "Summer Time</span> 12 June 2027</time>");
		free(html);
	}

	/* The index: the newest post's time, with its year. */
	pages[0].updated_at = utc("UTC", 2026, 11, 30, 8, 0);   /* the import */
	pages[0].newest_post_at = utc("UTC", 2025, 2, 17, 10, 37); /* its newest post */
	html = RENDER(render_index_html(&out_, &site, pages, 1));
	assert_has(html, "Last updated <time datetime=\"2025-02-17T10:37:00Z\">10:37 <span "
			 "aria-hidden=\"true\">GMT</span><span class=\"vh\">Greenwich Mean "
			 "Time</span> 17 February 2025</time>");
	free(html);
	/* No posts yet: the page's last change. */
	pages[0].newest_post_at = 0;
	html = RENDER(render_index_html(&out_, &site, pages, 1));
	assert_has(html, "Last updated <time datetime=\"2026-11-30T08:00:00Z\">08:00 <span "
			 "aria-hidden=\"true\">GMT</span><span class=\"vh\">Greenwich Mean "
			 "Time</span> 30 November</time>");
	free(html);
	render_now_set(RENDER_TEST_NOW);
}

static void test_error(void **state)
{
	char *html;

	(void)state;
	html = RENDER(render_error_html(&out_, &site, 404, "Not Found",
					"No live page is called <b>x</b>."));
	assert_has(html, "<title>404 Not Found \xe2\x80\x93 Liveline</title>");
	assert_has(html, "<h1>404 Not Found</h1>");
	assert_has(html, "<p>No live page is called &lt;b&gt;x&lt;/b&gt;.</p>");
	assert_lacks(html, "<b>x");
	free(html);
}

/* ---- data/demo.txt ---- */

static int line_is(const char *line, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(line, s, n) == 0;
}

static void test_demo_txt(void **state)
{
	size_t len, n_lines = 0, posts = 0, breaking = 0, images = 0, externals = 0;
	char *data = unit_read_file("data/demo.txt", &len);
	const char **lines;
	size_t *lens;
	int last_min = 24 * 60;

	(void)state;
	assert_true(len > 0);
	assert_true(data[len - 1] != '\n');
	assert_int_equal(strncmp(data, "Summary\n\n\xe2\x80\xa2 ", 12), 0);

	lines = calloc(len + 1, sizeof(*lines));
	lens = calloc(len + 1, sizeof(*lens));
	assert_non_null(lines);
	assert_non_null(lens);
	for (char *p = data, *end = data + len; p <= end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lines[n_lines] = p;
		lens[n_lines++] = n;
		if (!nl)
			break;
		p = nl + 1;
	}

	for (size_t i = 0; i < n_lines; i++) {
		const char *l = lines[i];
		size_t n = lens[i];
		char buf[512];
		int num, hh, mm, used = 0;
		const char *pub;

		assert_true(n < sizeof(buf));
		memcpy(buf, l, n);
		buf[n] = '\0';
		if (n && buf[n - 1] == ' ')
			fail_msg("line %zu ends with a space", i + 1);
		if (strstr(buf, ", external"))
			externals++;
		if (strncmp(buf, "  ", 2) == 0 && buf[2] >= '1' && buf[2] <= '9') {
			/* "  N. TITLEpublished at HH:MM British Summer Time 12 June" */
			pub = strstr(buf, "published at ");
			assert_non_null(pub);
			assert_int_equal(sscanf(buf, "  %d. %n", &num, &used), 1);
			assert_int_equal(num, (int)posts + 1);
			assert_true(pub > buf + used && pub[-1] != ' ');
			assert_int_equal(sscanf(pub, "published at %2d:%2d", &hh, &mm), 2);
			assert_string_equal(pub + 18, " British Summer Time 12 June");
			assert_true(hh * 60 + mm < last_min);
			last_min = hh * 60 + mm;
			posts++;
			/* Then optionally Breaking, then a blank line. */
			if (i + 1 < n_lines && line_is(lines[i + 1], lens[i + 1], "    Breaking")) {
				breaking++;
				i++;
			}
			assert_true(i + 1 < n_lines && lens[i + 1] == 0);
			continue;
		}
		if (strstr(buf, "Image source, ")) {
			images++;
			assert_int_equal(strncmp(buf, "    ", 4), 0);
			assert_true(i + 1 < n_lines);
			if (lens[i + 1] != 0) {
				assert_true(line_is(lines[i + 1], lens[i + 1], "    Image caption,"));
				assert_true(i + 4 < n_lines && lens[i + 2] == 0 && lens[i + 3] > 4 &&
					    lens[i + 4] == 0);
			}
			continue;
		}
		/* Inside posts, every non-blank line is indented four spaces. */
		if (posts > 0 && n > 0)
			assert_int_equal(strncmp(buf, "    ", 4), 0);
	}
	assert_int_equal(posts, 24);
	assert_int_equal(breaking, 2);
	assert_true(images >= 6);
	assert_true(externals >= 1);
	assert_int_equal(render_page_count(posts), 1); /* all 24 on the live page */
	free(lines);
	free(lens);
	free(data);
}

/* One home for times as pages show them: the page's zone, UTC when the zone is
 * unknown, and the <time> element with the parts asked for (the reader pages
 * show the day, the newsroom's the day and the year). */
static void test_time_view_and_html(void **state)
{
	struct tz_view tv;
	char *html;
	(void)state;

	assert_int_equal(render_time_view("Europe/London", 1751356800, &tv), 0);
	assert_string_equal(tv.hm, "09:00");
	assert_int_equal(render_time_view("Not/AZone", 1751356800, &tv), 0);
	assert_string_equal(tv.hm, "08:00");
	assert_int_equal(render_time_view(NULL, 1751356800, &tv), 0);
	assert_string_equal(tv.hm, "08:00");

	assert_int_equal(render_time_view("Europe/London", 1739788620, &tv), 0);
	buf_init(&out_, 1 << 16);
	render_time_html(&out_, &tv, 0);
	html = unit_render_take();
	assert_string_equal(html, "<time datetime=\"2025-02-17T10:37:00Z\">10:37 <span "
				  "aria-hidden=\"true\">GMT</span><span class=\"vh\">Greenwich "
				  "Mean Time</span></time>");
	free(html);
	buf_init(&out_, 1 << 16);
	render_time_html(&out_, &tv, RENDER_TIME_DAY);
	html = unit_render_take();
	assert_non_null(strstr(html, "Mean Time</span> 17 February</time>"));
	free(html);
	buf_init(&out_, 1 << 16);
	render_time_html(&out_, &tv, RENDER_TIME_DAY | RENDER_TIME_YEAR);
	html = unit_render_take();
	assert_non_null(strstr(html, "Mean Time</span> 17 February 2025</time>"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_math),
		cmocka_unit_test(test_post_time_winter),
		cmocka_unit_test(test_post_time_summer_and_updated),
		cmocka_unit_test(test_post_correction),
		cmocka_unit_test(test_post_image_srcset),
		cmocka_unit_test(test_post_blocks),
		cmocka_unit_test(test_post_hostile),
		cmocka_unit_test(test_page_document),
		cmocka_unit_test(test_page_pagination),
		cmocka_unit_test(test_permalink),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_dates_with_a_year),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_demo_txt),
		cmocka_unit_test(test_time_view_and_html),
	};

	/* The dates these tests show are of 2025 and 2026, read in 2025 unless
	 * a test says otherwise: a year on the clock does not change them. */
	render_now_set(RENDER_TEST_NOW);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
