/*
 * Unit tests for src/render/render_feed.c (Atom, RSS and JSON Feed) and for
 * text_export_post() in src/text/text_export.c. Pages and posts are built in
 * code (string literals; nothing is cleaned up); the feeds are searched for what
 * must and must not be there, and the JSON Feed is parsed back with jansson.
 */
#include "unit.h"

#include <jansson.h>

#include "model/model.h"
#include "render/render_feed.h"
#include "text/text.h"
#include "util/buf.h"
#include "util/tz.h"

#define BASE "http://127.0.0.1:8080"
#define HOSTILE "<script>alert(1)</script> ]]> & \x01\x02\x0b\x1f end"

static const struct render_feed_site site = { BASE, "Liveline" };

typedef void (*feed_fn)(struct buf *, const struct render_feed_site *,
			const struct model_page *, const struct model_post *, size_t);

static char *render(feed_fn fn, const struct model_page *page, const struct model_post *posts,
		    size_t n)
{
	struct buf out;
	char *s;

	buf_init(&out, 1 << 24);
	fn(&out, &site, page, posts, n);
	assert_int_equal(out.err, 0);
	s = buf_detach(&out, NULL);
	assert_non_null(s);
	return s;
}

static void assert_has(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("missing: %s", needle);
}

static void assert_lacks(const char *s, const char *needle)
{
	const char *at = strstr(s, needle);

	if (at)
		fail_msg("unexpected: %s in ...%.80s", needle, at > s + 80 ? at - 80 : s);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* What makes an XML feed safe and well-formed as far as bytes go: no control
 * character XML 1.0 forbids, every '&' starts an entity we write, nothing
 * hostile left raw. */
static void assert_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t len = *p < 0x80 ? 1 : *p >= 0xC2 && *p <= 0xDF ? 2
			   : *p >= 0xE0 && *p <= 0xEF ? 3 : *p >= 0xF0 && *p <= 0xF4 ? 4 : 0;

		if (len == 0)
			fail_msg("invalid UTF-8 at byte %zu", (size_t)(p - (const unsigned char *)s));
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xC0) != 0x80)
				fail_msg("invalid UTF-8 at byte %zu",
					 (size_t)(p - (const unsigned char *)s));
		if (len == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
			fail_msg("U+FFFE or U+FFFF at byte %zu",
				 (size_t)(p - (const unsigned char *)s));
		p += len;
	}
}

static void assert_clean_xml(const char *s)
{
	assert_utf8(s);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			fail_msg("control character 0x%02x at byte %zu", c, (size_t)(p - s));
		if (c == '&' && strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) &&
		    strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) && strncmp(p, "&#39;", 5))
			fail_msg("bare & at ...%.20s", p);
	}
	assert_lacks(s, "<script");
	assert_lacks(s, "]]>");
}

static int64_t utc(const char *zone, int y, int mo, int d, int h, int mi)
{
	int64_t t;

	assert_int_equal(tz_local_to_utc(zone, y, mo, d, h, mi, 0, &t), 0);
	return t;
}

static struct model_page make_page(void)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.id = 1;
	p.slug = "bridge";
	p.title = "Harbour Bridge reopens";
	p.description = "Updates as the bridge reopens";
	p.zone = "Europe/London";
	p.status = MODEL_STATUS_LIVE;
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

static struct model_byline bylines[] = { { "Megan Pryce", "Live page editor" },
					 { "Tom & Jerry", "" } };
static struct model_block blocks[] = {
	{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "Traffic is **flowing**." },
	{ .kind = MODEL_BLOCK_IMAGE, .url = "/media/b.jpg", .alt = "The bridge", .credit = "EPA" },
};

/* Two posts, NEWEST FIRST: a summer one (19:02 BST) and a winter one (10:37 GMT). */
static void make_posts(struct model_post posts[2])
{
	posts[0] = make_post(24, "That's all from us", utc("Europe/London", 2026, 6, 12, 19, 2));
	posts[0].bylines = bylines;
	posts[0].n_bylines = 2;
	posts[0].blocks = blocks;
	posts[0].n_blocks = 2;
	posts[0].breaking = 1;
	posts[1] = make_post(7, "A tale of two summits", utc("Europe/London", 2025, 2, 17, 10, 37));
}

/* ---- Atom ---- */

static void test_atom(void **state)
{
	struct model_page page = make_page();
	struct model_post posts[2];
	char *x;

	(void)state;
	make_posts(posts);
	page.updated_at = posts[0].published_at;
	x = render(render_feed_atom, &page, posts, 2);
	assert_true(strncmp(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\""
			       "http://www.w3.org/2005/Atom\"", 80) == 0);
	assert_has(x, "<id>" BASE "/live/bridge</id>");
	assert_has(x, "<title type=\"text\">Harbour Bridge reopens</title>");
	assert_has(x, "<subtitle type=\"text\">Updates as the bridge reopens</subtitle>");
	assert_has(x, "<link rel=\"alternate\" type=\"text/html\" href=\"" BASE "/live/bridge\"/>");
	assert_has(x, "<link rel=\"self\" type=\"application/atom+xml\" href=\"" BASE
		      "/live/bridge/feed.atom\"/>");
	assert_has(x, "<updated>2026-06-12T18:02:00Z</updated>\n<link");
	/* summer: 19:02 BST is 18:02 UTC */
	assert_has(x, "<entry>\n<id>" BASE "/live/bridge/posts/24</id>\n"
		      "<title type=\"text\">That&#39;s all from us</title>\n"
		      "<link rel=\"alternate\" type=\"text/html\" href=\"" BASE
		      "/live/bridge/posts/24\"/>\n"
		      "<published>2026-06-12T18:02:00Z</published>\n"
		      "<updated>2026-06-12T18:02:00Z</updated>\n"
		      "<author><name>Megan Pryce</name></author>\n"
		      "<author><name>Tom &amp; Jerry</name></author>\n"
		      "<category term=\"breaking\" label=\"Breaking\"/>\n"
		      "<content type=\"html\">");
	/* winter: GMT is UTC */
	assert_has(x, "<id>" BASE "/live/bridge/posts/7</id>");
	assert_has(x, "<published>2025-02-17T10:37:00Z</published>");
	/* the content is the body's HTML, escaped */
	assert_has(x, "&lt;p&gt;Traffic is &lt;strong&gt;flowing&lt;/strong&gt;.&lt;/p&gt;");
	assert_has(x, "&lt;span class=&quot;byline-name&quot;&gt;Megan Pryce&lt;/span&gt;");
	assert_has(x, "&lt;span class=&quot;byline-name&quot;&gt;Tom &amp;amp; Jerry");
	assert_has(x, "&lt;img src=&quot;/media/b.jpg&quot;");
	assert_int_equal(count(x, "<entry>"), 2);
	assert_true(strstr(x, "/posts/24</id>") < strstr(x, "/posts/7</id>"));
	assert_has(x, "</feed>\n");
	assert_clean_xml(x);
	free(x);
}

/* The feed's updated date is the newest change, page or post. */
static void test_updated(void **state)
{
	struct model_page page = make_page();
	struct model_post posts[2];
	char *x;

	(void)state;
	make_posts(posts);
	page.updated_at = utc("UTC", 2026, 6, 13, 9, 0); /* a later summary edit */
	x = render(render_feed_atom, &page, posts, 2);
	assert_has(x, "<updated>2026-06-13T09:00:00Z</updated>\n<link");
	free(x);

	page.updated_at = 0;
	posts[1].updated_at = utc("UTC", 2026, 7, 1, 8, 30); /* an old post edited */
	x = render(render_feed_atom, &page, posts, 2);
	assert_has(x, "<updated>2026-07-01T08:30:00Z</updated>\n<link");
	assert_has(x, "<published>2025-02-17T10:37:00Z</published>\n"
		      "<updated>2026-07-01T08:30:00Z</updated>");
	free(x);
	x = render(render_feed_rss, &page, posts, 2);
	assert_has(x, "<lastBuildDate>Wed, 01 Jul 2026 08:30:00 +0000</lastBuildDate>");
	free(x);
}

/* ---- RSS ---- */

static void test_rss(void **state)
{
	struct model_page page = make_page();
	struct model_post posts[2];
	char *x;

	(void)state;
	make_posts(posts);
	x = render(render_feed_rss, &page, posts, 2);
	assert_has(x, "<rss version=\"2.0\"");
	assert_has(x, "<channel>\n<title>Harbour Bridge reopens</title>\n"
		      "<link>" BASE "/live/bridge</link>\n"
		      "<description>Updates as the bridge reopens</description>");
	assert_has(x, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"" BASE
		      "/live/bridge/feed.rss\"/>");
	assert_has(x, "<item>\n<title>That&#39;s all from us</title>\n"
		      "<link>" BASE "/live/bridge/posts/24</link>\n"
		      "<guid isPermaLink=\"true\">" BASE "/live/bridge/posts/24</guid>\n"
		      "<pubDate>Fri, 12 Jun 2026 18:02:00 +0000</pubDate>\n"
		      "<dc:creator>Megan Pryce</dc:creator>\n"
		      "<dc:creator>Tom &amp; Jerry</dc:creator>\n"
		      "<category>Breaking</category>\n<description>&lt;div class=");
	assert_has(x, "<pubDate>Mon, 17 Feb 2025 10:37:00 +0000</pubDate>");
	assert_has(x, "<lastBuildDate>Fri, 12 Jun 2026 18:02:00 +0000</lastBuildDate>");
	assert_int_equal(count(x, "<item>"), 2);
	assert_has(x, "</channel>\n</rss>\n");
	assert_clean_xml(x);
	free(x);

	/* Without a description the channel repeats the title (RSS requires one). */
	page.description = "";
	x = render(render_feed_rss, &page, posts, 0);
	assert_has(x, "<description>Harbour Bridge reopens</description>");
	assert_int_equal(count(x, "<item>"), 0);
	free(x);
}

/* ---- JSON Feed ---- */

static json_t *parse_json(const char *s)
{
	json_error_t err;
	json_t *doc = json_loads(s, 0, &err);

	if (!doc)
		fail_msg("JSON Feed does not parse: %s at %d", err.text, err.position);
	return doc;
}

static const char *jget(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("no string \"%s\"", key);
	return json_string_value(v);
}

static void test_json(void **state)
{
	struct model_page page = make_page();
	struct model_post posts[2];
	json_t *doc, *items, *it;
	char *x;

	(void)state;
	make_posts(posts);
	x = render(render_feed_json, &page, posts, 2);
	doc = parse_json(x);
	assert_string_equal(jget(doc, "version"), "https://jsonfeed.org/version/1.1");
	assert_string_equal(jget(doc, "title"), "Harbour Bridge reopens");
	assert_string_equal(jget(doc, "home_page_url"), BASE "/live/bridge");
	assert_string_equal(jget(doc, "feed_url"), BASE "/live/bridge/feed.json");
	assert_string_equal(jget(doc, "description"), "Updates as the bridge reopens");
	items = json_object_get(doc, "items");
	assert_true(json_is_array(items));
	assert_int_equal(json_array_size(items), 2);
	it = json_array_get(items, 0);
	assert_string_equal(jget(it, "id"), BASE "/live/bridge/posts/24");
	assert_string_equal(jget(it, "url"), BASE "/live/bridge/posts/24");
	assert_string_equal(jget(it, "title"), "That's all from us");
	assert_string_equal(jget(it, "date_published"), "2026-06-12T18:02:00Z");
	assert_string_equal(jget(it, "date_modified"), "2026-06-12T18:02:00Z");
	assert_has(jget(it, "content_html"), "<p>Traffic is <strong>flowing</strong>.</p>");
	assert_string_equal(jget(json_array_get(json_object_get(it, "authors"), 1), "name"),
			    "Tom & Jerry");
	assert_string_equal(json_string_value(json_array_get(json_object_get(it, "tags"), 0)),
			    "Breaking");
	it = json_array_get(items, 1);
	assert_string_equal(jget(it, "id"), BASE "/live/bridge/posts/7");
	assert_string_equal(jget(it, "date_published"), "2025-02-17T10:37:00Z");
	assert_null(json_object_get(it, "authors"));
	assert_null(json_object_get(it, "tags"));
	/* '<', '>' and '&' never appear raw in the bytes */
	assert_null(strchr(x, '<'));
	assert_null(strchr(x, '>'));
	assert_null(strchr(x, '&'));
	json_decref(doc);
	free(x);
}

/* ---- the caller's limit: n posts in, n entries out ---- */

static void test_counts(void **state)
{
	static const size_t ns[] = { 0, 1, 50 };
	struct model_page page = make_page();
	struct model_post posts[50];
	int64_t t0 = utc("UTC", 2026, 1, 1, 0, 0);

	(void)state;
	for (size_t i = 0; i < 50; i++)
		posts[i] = make_post((int64_t)(50 - i), "Update", t0 - (int64_t)i * 60);
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		size_t n = ns[k];
		char *x = render(render_feed_atom, &page, posts, n);
		json_t *doc;

		assert_int_equal(count(x, "<entry>"), n);
		free(x);
		x = render(render_feed_rss, &page, posts, n);
		assert_int_equal(count(x, "<item>"), n);
		free(x);
		x = render(render_feed_json, &page, posts, n);
		doc = parse_json(x);
		assert_int_equal(json_array_size(json_object_get(doc, "items")), n);
		json_decref(doc);
		free(x);
	}
}

/* ---- hostile content ---- */

static void test_hostile(void **state)
{
	struct model_page page = make_page();
	struct model_byline bad_by[] = { { HOSTILE, HOSTILE },
					 { "Bad \xff\xc0\xaf name \xef\xbf\xbe", "" } };
	struct model_block bad_blocks[] = {
		{ .kind = MODEL_BLOCK_PARAGRAPH, .text = HOSTILE },
		{ .kind = MODEL_BLOCK_EMBED, .url = "javascript:alert(1)", .text = HOSTILE },
		{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "bad UTF-8 \xff\xc0\xaf and \xef\xbf\xbe" },
	};
	struct model_post post = make_post(5, HOSTILE, utc("UTC", 2026, 3, 1, 12, 0));
	feed_fn xml[] = { render_feed_atom, render_feed_rss };
	json_t *doc, *it;
	char *x;

	(void)state;
	page.title = HOSTILE;
	page.description = HOSTILE;
	post.bylines = bad_by;
	post.n_bylines = 2;
	post.blocks = bad_blocks;
	post.n_blocks = 3;
	for (size_t k = 0; k < 2; k++) {
		x = render(xml[k], &page, &post, 1);
		assert_clean_xml(x);
		assert_has(x, "&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp;  end<");
		/* in the content, escaped HTML escaped once more */
		assert_has(x, "&amp;lt;script&amp;gt;alert(1)");
		assert_lacks(x, "javascript:");
		/* invalid UTF-8 repaired (a U+FFFD a byte), U+FFFE dropped */
		assert_has(x, "Bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd name <");
		assert_has(x, "bad UTF-8 \xef\xbf\xbd");
		assert_has(x, " and &lt;/p&gt;");
		free(x);
	}
	x = render(render_feed_json, &page, &post, 1);
	assert_null(strchr(x, '<'));
	doc = parse_json(x);
	assert_string_equal(jget(doc, "title"), "<script>alert(1)</script> ]]> &  end");
	it = json_array_get(json_object_get(doc, "items"), 0);
	assert_string_equal(jget(it, "title"), "<script>alert(1)</script> ]]> &  end");
	assert_string_equal(jget(json_array_get(json_object_get(it, "authors"), 1), "name"),
			    "Bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd name ");
	assert_lacks(jget(it, "content_html"), "<script");
	assert_has(jget(it, "content_html"), "&lt;script&gt;alert(1)&lt;/script&gt;");
	json_decref(doc);
	free(x);
}

/* A Host header is the caller's to check, but whatever reaches the base URL
 * stays inside its attribute. */
static void test_hostile_base(void **state)
{
	struct render_feed_site bad = { "http://x\"><script>", "Liveline" };
	struct model_page page = make_page();
	struct buf out;

	(void)state;
	buf_init(&out, 1 << 20);
	render_feed_atom(&out, &bad, &page, NULL, 0);
	render_feed_rss(&out, &bad, &page, NULL, 0);
	assert_int_equal(out.err, 0);
	assert_lacks(out.data, "<script");
	assert_has(out.data, "href=\"http://x&quot;&gt;&lt;script&gt;/live/bridge/feed.atom\"");
	buf_cleanup(&out);
}

/* A buffer over its cap is an error the caller sees, for every feed. */
static void test_cap(void **state)
{
	struct model_page page = make_page();
	struct model_post posts[2];
	feed_fn fns[] = { render_feed_atom, render_feed_rss, render_feed_json };

	(void)state;
	make_posts(posts);
	for (size_t k = 0; k < 3; k++) {
		struct buf out;

		buf_init(&out, 200);
		fns[k](&out, &site, &page, posts, 2);
		assert_int_equal(out.err, BUF_ETOOBIG);
		buf_cleanup(&out);
	}
}

/* ---- text_export_post ---- */

/* Each post's part of a full export is text_export_post() of it, and the parts
 * after the summary make up the rest of the export (its final newlines
 * trimmed). */
static void check_export_parts(const struct model_page *page, const struct model_post *posts,
			       size_t n)
{
	struct buf full, part, all;
	size_t at;

	buf_init(&full, 1 << 24);
	buf_init(&all, 1 << 24);
	assert_int_equal(text_export(&full, page, posts, n), 0);
	assert_int_equal(full.err, 0);
	assert_non_null(full.data);
	/* the summary is everything before the first post's header */
	at = 0;
	if (n > 0) {
		const char *first = strstr(full.data, "  1. ");

		assert_non_null(first);
		at = (size_t)(first - full.data);
	}
	for (size_t i = 0; i < n; i++) {
		buf_init(&part, 1 << 20);
		assert_int_equal(text_export_post(&part, page, &posts[i], i + 1), 0);
		assert_int_equal(part.err, 0);
		assert_non_null(part.data);
		assert_int_equal(part.data[part.len - 1], '\n');
		if (i + 1 < n) {
			assert_true(at + part.len <= full.len);
			if (memcmp(full.data + at, part.data, part.len) != 0)
				fail_msg("post %zu differs from its part of the export", i + 1);
		}
		at += part.len;
		buf_append(&all, part.data, part.len);
		buf_cleanup(&part);
	}
	/* the last part is the end of the export plus the newlines it trims */
	if (n > 0) {
		size_t len = all.len;
		const char *tail;

		while (len > 0 && all.data[len - 1] == '\n')
			len--;
		assert_true(full.len >= len);
		tail = full.data + (full.len - len);
		assert_true(memcmp(tail, all.data, len) == 0);
		assert_int_equal(tail + len - full.data, full.len);
	}
	buf_cleanup(&all);
	buf_cleanup(&full);
}

static void test_text_export_post_newsroom(void **state)
{
	struct model_list_item items[] = { { "**Roads:**", "the A30 is *open*" } };
	struct model_block b1[] = {
		{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "Crews from **three** stations." },
		{ .kind = MODEL_BLOCK_EMBED, .url = "https://v.example/1", .text = "Video" },
	};
	struct model_block b2[] = {
		{ .kind = MODEL_BLOCK_LIST, .items = items, .n_items = 1, .blank_after = 0 },
	};
	struct model_block b3[] = { { .kind = MODEL_BLOCK_PARAGRAPH, .text = "Oldest." } };
	struct model_byline by[] = { { "Kerensa Vosper", "Transport correspondent" } };
	char *points[] = { "Ferry cancelled" };
	struct model_page page = make_page();
	struct model_post posts[3];
	struct buf out;

	(void)state;
	page.summary.points = points;
	page.summary.n_points = 1;
	posts[0] = make_post(3, "Bridge reopens", utc("UTC", 2025, 6, 1, 12, 5));
	posts[0].breaking = 1;
	posts[0].bylines = by;
	posts[0].n_bylines = 1;
	posts[0].blocks = b1;
	posts[0].n_blocks = 2;
	posts[1] = make_post(2, "Roads", utc("UTC", 2025, 1, 15, 9, 0));
	posts[1].blocks = b2;
	posts[1].n_blocks = 1;
	posts[2] = make_post(1, "Closed", utc("UTC", 2025, 1, 15, 8, 0));
	posts[2].blocks = b3;
	posts[2].n_blocks = 1;

	buf_init(&out, 1 << 20);
	assert_int_equal(text_export_post(&out, &page, &posts[0], 1), 0);
	assert_string_equal(out.data, "  1. Bridge reopenspublished at 13:05 British Summer "
				      "Time 1 June\n    Breaking\n\n"
				      "    Kerensa Vosper\n    Transport correspondent\n\n"
				      "    Crews from three stations.\n\n    Video\n");
	buf_reset(&out);
	assert_int_equal(text_export_post(&out, &page, &posts[2], 3), 0);
	assert_string_equal(out.data, "  3. Closedpublished at 08:00 Greenwich Mean Time "
				      "15 January\n\n    Oldest.\n\n");
	buf_reset(&out);
	page.zone = "Mars/Olympus_Mons";
	assert_int_equal(text_export_post(&out, &page, &posts[2], 3), -1);
	buf_cleanup(&out);
	page.zone = "Europe/London";
	check_export_parts(&page, posts, 3);
	check_export_parts(&page, posts, 1);
}

static void test_text_export_post_fixtures(void **state)
{
	static const struct { const char *path; int year; } files[] = {
		{ "tests/fixtures/harbour_festival_2024.txt", 2024 },
		{ "tests/fixtures/new_year_storm_2024.txt", 2024 },
		{ "tests/fixtures/clocks_back_2024.txt", 2024 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct text_import_opts opts = { files[k].year, "Europe/London" };
		struct model_page page = make_page();
		struct model_post *posts, *newest_first;
		struct text_error err;
		size_t len, n;
		char *data = unit_read_file(files[k].path, &len);

		if (text_parse(data, len, &opts, &page.summary, &posts, &n, &err) != 0)
			fail_msg("%s: %s (line %zu)", files[k].path, err.msg, err.line);
		newest_first = calloc(n ? n : 1, sizeof(*newest_first));
		assert_non_null(newest_first);
		for (size_t i = 0; i < n; i++)
			newest_first[i] = posts[n - 1 - i]; /* shallow */
		check_export_parts(&page, newest_first, n);
		free(newest_first);
		model_posts_free(posts, n);
		model_summary_cleanup(&page.summary);
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atom),
		cmocka_unit_test(test_updated),
		cmocka_unit_test(test_rss),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hostile_base),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_text_export_post_newsroom),
		cmocka_unit_test(test_text_export_post_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
