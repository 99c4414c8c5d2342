/*
 * Unit tests for src/render/render_audience.c: the key events list, the share
 * control and the summary's featured media, as pages and stream events show
 * them. The model is built in code; the HTML is searched for what must and
 * must not be there, hostile strings included.
 */
#include "unit_render.h"

#include "model/model.h"
#include "render/render.h"
#include "render/render_audience.h"
#include "util/buf.h"

#define HOSTILE_A "<script>alert(1)</script>"
#define HOSTILE_B "\"><img src=x onerror=alert(1)>"

static void assert_not_raw(const char *html)
{
	assert_lacks(html, "<script>alert");
	assert_lacks(html, "<img src=x");
	assert_lacks(html, "onerror=alert(1)>");
}

static struct model_page make_page(size_t n_posts)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.id = 1;
	p.slug = "bridge";
	p.title = "Harbour Bridge";
	p.zone = "Europe/London";
	p.status = MODEL_STATUS_LIVE;
	p.n_posts = n_posts;
	return p;
}

/* 2026-06-12 08:40 UTC, 09:40 BST */
#define AT 1781253600

static void test_key_events(void **state)
{
	/* 65 posts: pages 1 and 2 hold 20 each, the live page the newest 25. */
	struct model_page page = make_page(65);
	struct model_key_event k[] = {
		{ 44, "Newest " HOSTILE_A, AT + 600, 44 },
		{ 30, HOSTILE_B, AT + 300, 25 },
		{ 3, "Why was the bridge closed?", AT, 2 },
	};
	char *html;

	(void)state;
	render_now_set(AT); /* days shown without a year whatever the clock says */
	html = RENDER(render_key_events_html(&out_, &page, k, 0));
	assert_string_equal(html, "");
	free(html);

	html = RENDER(render_key_events_html(&out_, &page, k, 3));
	assert_has(html, "<nav class=\"key-events\" id=\"key-events\" "
			 "aria-labelledby=\"key-events-h\">\n<h2 id=\"key-events-h\">Key events</h2>");
	/* Each link goes to the page that holds the post: the live page itself
	 * for the newest, ?page=N for the others. */
	assert_has(html, "<li><a href=\"/live/bridge#post-44\" data-post=\"44\">"
			 "<span class=\"key-event-title\">Newest &lt;script&gt;alert(1)&lt;/script&gt;"
			 "</span> <time datetime=\"2026-06-12T08:50:00Z\">09:50 ");
	assert_has(html, "<a href=\"/live/bridge?page=2#post-30\" data-post=\"30\">"
			 "<span class=\"key-event-title\">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	assert_has(html, "<a href=\"/live/bridge?page=1#post-3\" data-post=\"3\">");
	assert_has(html, "British Summer Time</span> 12 June</time>");
	/* Newest first, as given. */
	assert_true(strstr(html, "post-44") < strstr(html, "post-30"));
	assert_true(strstr(html, "post-30") < strstr(html, "post-3\""));
	assert_not_raw(html);
	free(html);

	/* A slug is escaped like any other string. */
	page.slug = HOSTILE_B;
	html = RENDER(render_key_events_html(&out_, &page, k, 1));
	assert_not_raw(html);
	free(html);
}

static void test_share(void **state)
{
	struct model_page page = make_page(1);
	struct model_post post;
	char *html;

	(void)state;
	memset(&post, 0, sizeof(post));
	post.id = 12;
	post.title = HOSTILE_A;
	post.published_at = AT;
	post.updated_at = AT;
	html = RENDER(render_share_html(&out_, &page, &post));
	assert_string_equal(html, "<p class=\"post-share\"><a class=\"share-link\" "
				  "href=\"/live/bridge/posts/12\">Link to this post</a></p>\n");
	free(html);

	/* Every post on a page, and every post a stream sends, carries it. */
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<a class=\"share-link\" href=\"/live/bridge/posts/12\">");
	free(html);
	/* A preview (not stored: no permalink) does not. */
	post.id = 0;
	html = RENDER(render_post_html(&out_, &page, &post));
	assert_lacks(html, "share-link");
	free(html);
	post.id = 12;

	html = RENDER(render_post_html(&out_, &page, &post));
	assert_has(html, "<a class=\"share-link\" href=\"/live/bridge/posts/12\">");
	assert_not_raw(html);
	free(html);
}

static void test_summary_media(void **state)
{
	struct model_summary s;
	char *html;

	(void)state;
	memset(&s, 0, sizeof(s));

	/* A video: its poster, controls, a label, and the caption and credit. */
	s.media_kind = MODEL_MEDIA_VIDEO;
	s.media_url = "https://video.example/cars.mp4";
	s.media_poster = "/media/0123456789abcdef0123456789abcdef-960.jpg";
	s.media_alt = "The first cars on the bridge";
	s.media_caption = "Watch: *the first cars*";
	s.media_credit = "Kelmouth TV";
	html = RENDER(render_summary_media_html(&out_, &s));
	assert_has(html, "<figure class=\"media media-video\"><video controls preload=\"metadata\" "
			 "playsinline src=\"https://video.example/cars.mp4\" "
			 "poster=\"/media/0123456789abcdef0123456789abcdef-960.jpg\" "
			 "aria-label=\"The first cars on the bridge\">");
	assert_has(html, "<figcaption><span class=\"vh\">Media caption, </span>Watch: "
			 "<em>the first cars</em> <span class=\"credit\">Video source, Kelmouth TV"
			 "</span></figcaption>");
	free(html);

	/* A poster that is not a link we allow is left out, not the video. */
	s.media_poster = "javascript:alert(1)";
	html = RENDER(render_summary_media_html(&out_, &s));
	assert_has(html, "<video ");
	assert_lacks(html, "poster=");
	assert_lacks(html, "javascript:");
	free(html);

	/* An image: alt text, our widths, caption and credit. */
	s.media_kind = MODEL_MEDIA_IMAGE;
	s.media_url = "/media/0123456789abcdef0123456789abcdef-1600.jpg";
	s.media_poster = NULL;
	s.media_alt = "The bridge at dawn";
	html = RENDER(render_summary_media_html(&out_, &s));
	assert_has(html, "<figure class=\"media media-image\"><img "
			 "src=\"/media/0123456789abcdef0123456789abcdef-1600.jpg\" srcset=\"");
	assert_has(html, "-480.jpg 480w");
	assert_has(html, "alt=\"The bridge at dawn\"");
	assert_has(html, "<span class=\"credit\">Image source, Kelmouth TV</span>");
	assert_lacks(html, "<video");
	free(html);

	/* Hostile strings stay text. */
	s.media_alt = HOSTILE_B;
	s.media_credit = HOSTILE_A;
	s.media_caption = HOSTILE_A;
	html = RENDER(render_summary_media_html(&out_, &s));
	assert_not_raw(html);
	free(html);

	/* An imported capture: the caption and no file. One compact line, no
	 * empty box and no broken player. */
	memset(&s, 0, sizeof(s));
	s.media_kind = MODEL_MEDIA_VIDEO;
	s.media_url = "";
	s.media_alt = "";
	s.media_caption = "Watch: The first cars cross the rebuilt Harbour Bridge";
	html = RENDER(render_summary_media_html(&out_, &s));
	assert_string_equal(html, "<figure class=\"media media-absent\"><figcaption>"
				  "<span class=\"media-absent-label\">Video not available"
				  "<span class=\"vh\">:</span></span> Watch: The first cars cross "
				  "the rebuilt Harbour Bridge</figcaption></figure>\n");
	free(html);

	/* An image without its file but with alt text says what it showed. */
	s.media_kind = MODEL_MEDIA_IMAGE;
	s.media_caption = NULL;
	s.media_alt = "A crowd on the " HOSTILE_A;
	html = RENDER(render_summary_media_html(&out_, &s));
	assert_has(html, "Image not available");
	assert_has(html, "A crowd on the &lt;script&gt;");
	assert_lacks(html, "img-missing");
	free(html);

	/* Nothing at all: nothing. */
	s.media_alt = "";
	html = RENDER(render_summary_media_html(&out_, &s));
	assert_string_equal(html, "");
	free(html);
}

/* The live page puts the list after the pinned post and before the updates,
 * and older pages show it too. */
static void test_page_has_key_events(void **state)
{
	static const struct render_site site = { "Liveline", "/static/style.abc.css", NULL,
						 "http://127.0.0.1" };
	/* 45 posts: page 1 holds the oldest 20, the live page the newest 25. */
	struct model_page page = make_page(45);
	struct model_key_event k[] = { { 7, "Ribbon cut", AT, 6 } };
	struct render_page_view v = { &page, NULL, 0, NULL, 2, 2, k, 1 };
	char *html;

	(void)state;
	page.title = "Harbour Bridge";
	page.description = "";
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_has(html, "<a href=\"/live/bridge?page=1#post-7\" data-post=\"7\">");
	assert_true(strstr(html, "id=\"key-events\"") < strstr(html, "id=\"updates\""));
	free(html);
	v.page_no = 1;
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_has(html, "id=\"key-events\"");
	free(html);
	v.n_key_events = 0;
	html = RENDER(render_page_html(&out_, &site, &v));
	assert_lacks(html, "key-events");
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_events),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_summary_media),
		cmocka_unit_test(test_page_has_key_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
