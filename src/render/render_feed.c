/*
 * Feeds of a live page: see render_feed.h. The two XML feeds are written as
 * text, every value through put_xml(), which cleans (drops what XML 1.0 forbids,
 * repairs UTF-8) and escapes in one pass; the JSON Feed is a jansson tree whose
 * strings are cleaned the same way (jansson refuses invalid UTF-8), dumped with
 * '<', '>' and '&' escaped.
 *
 * A post's content is its bylines and blocks rendered once by
 * render_post_body_html() into a scratch buffer, then carried escaped.
 */
#include "render/render_feed.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "render/render.h"
#include "util/time.h"
#include "util/utf8.h"

#define FEED_JSON_VERSION "https://jsonfeed.org/version/1.1"
#define FEED_LANG	  "en-GB"
#define FEED_DEFAULT_NAME "Liveline"

/* ---- cleaning and escaping ---- */

/* 1 if XML 1.0 allows code point cp in a document (its Char production). */
static int xml_char_allowed(uint32_t cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	return cp != 0xFFFE && cp != 0xFFFF;
}

/* Appends `s` (n bytes) cleaned: characters XML 1.0 does not allow are dropped,
 * each byte of invalid UTF-8 becomes U+FFFD. With `escape`, & < > " ' become
 * entities as in buf_html_escape(). */
static void put_clean(struct buf *out, const char *s, size_t n, int escape)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		const char *ent = NULL;

		if (len == 1 && escape) {
			switch (p[i]) {
			case '&': ent = "&amp;"; break;
			case '<': ent = "&lt;"; break;
			case '>': ent = "&gt;"; break;
			case '"': ent = "&quot;"; break;
			case '\'': ent = "&#39;"; break;
			default: break;
			}
		}
		if (len > 0 && !ent && xml_char_allowed(cp)) {
			i += len; /* part of the current run */
			continue;
		}
		buf_append(out, s + run, i - run);
		if (ent)
			buf_puts(out, ent);
		else if (len == 0)
			buf_puts(out, "\xEF\xBF\xBD");
		i += len ? len : 1;
		run = i;
	}
	buf_append(out, s + run, n - run);
}

/* Cleaned and escaped, for XML text and attribute values; NULL is "". */
static void put_xml(struct buf *out, const char *s)
{
	if (s)
		put_clean(out, s, strlen(s), 1);
}

void render_xml_escaped(struct buf *out, const char *s)
{
	put_xml(out, s);
}

static void carry_err(struct buf *out, const struct buf *b)
{
	if (b->err && !out->err)
		out->err = b->err;
}

/* ---- the facts every feed shares ---- */

static const char *site_name(const struct render_feed_site *site)
{
	return site->name && site->name[0] ? site->name : FEED_DEFAULT_NAME;
}

/* BASE/live/SLUG, unescaped; escaped by whoever writes it out. */
static void url_page(struct buf *b, const struct render_feed_site *site,
		     const struct model_page *page)
{
	buf_puts(b, site->base_url ? site->base_url : "");
	buf_puts(b, "/live/");
	buf_puts(b, page->slug);
}

static void url_post(struct buf *b, const struct render_feed_site *site,
		     const struct model_page *page, const struct model_post *post)
{
	url_page(b, site, page);
	buf_printf(b, "/posts/%" PRId64, post->id);
}

static int64_t post_updated(const struct model_post *post)
{
	return post->updated_at > post->published_at ? post->updated_at : post->published_at;
}

/* The newest change: the page's, or its newest post's if later. */
static int64_t feed_updated(const struct model_page *page, const struct model_post *posts,
			    size_t n)
{
	int64_t t = page->updated_at;

	for (size_t i = 0; i < n; i++)
		if (post_updated(&posts[i]) > t)
			t = post_updated(&posts[i]);
	return t;
}

static int utc_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, tm))
		return 0;
	tt = 0; /* out of range: the epoch rather than garbage */
	return gmtime_r(&tt, tm) ? 0 : -1;
}

/* "2026-06-12T18:02:00Z" (RFC 3339, UTC) */
static void put_rfc3339(struct buf *out, int64_t t)
{
	char s[TIME_ISO_SIZE];

	if (time_iso(t, s) < 0)
		time_iso(0, s); /* out of range: the epoch, as put_rfc822() does */
	buf_puts(out, s);
}

/* "Fri, 12 Jun 2026 18:02:00 +0000" (RFC 822 as RSS uses it). The names are
 * ours, not strftime's %a and %b, which follow LC_TIME: RFC 822 wants English
 * whatever the process's locale. */
static void put_rfc822(struct buf *out, int64_t t)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char d[8], yt[32];
	struct tm tm;

	if (utc_tm(t, &tm) < 0 || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11 || strftime(d, sizeof(d), "%d", &tm) == 0 ||
	    strftime(yt, sizeof(yt), "%Y %H:%M:%S", &tm) == 0)
		return;
	buf_printf(out, "%s, %s %s %s +0000", days[tm.tm_wday], d, months[tm.tm_mon], yt);
}

/* The post's bylines and blocks as HTML, into `html` (reset first). */
static void body_html(struct buf *html, const struct model_page *page,
		      const struct model_post *post)
{
	buf_reset(html);
	render_post_body_html(html, page, post);
}

/* ---- what an Atom entry and an RSS item share ---- */

/* The same parts in each format's own tags. */
struct feed_tags {
	const char *author_open, *author_close; /* around each byline's name */
	const char *breaking, *key_event;       /* the labels as categories */
	const char *content_open, *content_close; /* around the body's escaped HTML */
};

static const struct feed_tags atom_tags = {
	"<author><name>", "</name></author>\n",
	"<category term=\"breaking\" label=\"Breaking\"/>\n",
	"<category term=\"key-event\" label=\"Key event\"/>\n",
	"<content type=\"html\">", "</content>\n",
};

/* RSS's <author> wants an e-mail address; Dublin Core's creator takes a name. */
static const struct feed_tags rss_tags = {
	"<dc:creator>", "</dc:creator>\n",
	"<category>Breaking</category>\n",
	"<category>Key event</category>\n",
	"<description>", "</description>\n",
};

/* A post's bylines, labels and body, after its heading fields. */
static void put_entry_rest(struct buf *out, struct buf *tmp, const struct model_page *page,
			   const struct model_post *post, const struct feed_tags *t)
{
	for (size_t i = 0; i < post->n_bylines; i++) {
		buf_puts(out, t->author_open);
		put_xml(out, post->bylines[i].name);
		buf_puts(out, t->author_close);
	}
	if (post->breaking)
		buf_puts(out, t->breaking);
	if (post->key_event)
		buf_puts(out, t->key_event);
	body_html(tmp, page, post);
	buf_puts(out, t->content_open);
	put_clean(out, tmp->data ? tmp->data : "", tmp->len, 1);
	carry_err(out, tmp);
	buf_puts(out, t->content_close);
}

/* ---- Atom ---- */

static void atom_link(struct buf *out, const char *rel, const char *type, const char *href)
{
	buf_printf(out, "<link rel=\"%s\" type=\"%s\" href=\"", rel, type);
	put_xml(out, href);
	buf_puts(out, "\"/>\n");
}

/* Alike in shape to rss_item(), by intent: each format names and orders its own
 * elements; what they share is put_entry_rest() with the format's tags. */
static void atom_entry(struct buf *out, struct buf *tmp, const struct render_feed_site *site,
		       const struct model_page *page, const struct model_post *post)
{
	buf_reset(tmp);
	url_post(tmp, site, page, post);
	buf_puts(out, "<entry>\n<id>");
	put_xml(out, tmp->data);
	buf_puts(out, "</id>\n<title type=\"text\">");
	put_xml(out, post->title);
	buf_puts(out, "</title>\n");
	atom_link(out, "alternate", "text/html", tmp->data);
	carry_err(out, tmp);
	buf_puts(out, "<published>");
	put_rfc3339(out, post->published_at);
	buf_puts(out, "</published>\n<updated>");
	put_rfc3339(out, post_updated(post));
	buf_puts(out, "</updated>\n");
	put_entry_rest(out, tmp, page, post, &atom_tags);
	buf_puts(out, "</entry>\n");
}

void render_feed_atom(struct buf *out, const struct render_feed_site *site,
		      const struct model_page *page, const struct model_post *posts,
		      size_t n)
{
	struct buf tmp;

	buf_init(&tmp, out->max);
	url_page(&tmp, site, page);
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"" FEED_LANG
		      "\" xml:base=\"");
	/* Relative links and images in the content resolve against the live page. */
	put_xml(out, tmp.data);
	buf_puts(out, "\">\n<id>");
	put_xml(out, tmp.data);
	buf_puts(out, "</id>\n<title type=\"text\">");
	put_xml(out, page->title);
	buf_puts(out, "</title>\n");
	if (page->description && page->description[0]) {
		buf_puts(out, "<subtitle type=\"text\">");
		put_xml(out, page->description);
		buf_puts(out, "</subtitle>\n");
	}
	buf_puts(out, "<updated>");
	put_rfc3339(out, feed_updated(page, posts, n));
	buf_puts(out, "</updated>\n");
	atom_link(out, "alternate", "text/html", tmp.data);
	buf_puts(&tmp, "/feed.atom");
	atom_link(out, "self", RENDER_FEED_ATOM_TYPE, tmp.data);
	carry_err(out, &tmp);
	/* Atom wants an author on every entry; posts without a byline get this one. */
	buf_puts(out, "<author><name>");
	put_xml(out, site_name(site));
	buf_puts(out, "</name></author>\n<generator>");
	put_xml(out, site_name(site));
	buf_puts(out, "</generator>\n");
	for (size_t i = 0; i < n; i++)
		atom_entry(out, &tmp, site, page, &posts[i]);
	buf_puts(out, "</feed>\n");
	buf_cleanup(&tmp);
}

/* ---- RSS 2.0 ---- */

/* Alike in shape to atom_entry() (and, in its run of tags and escaped values,
 * to render_newsroom.c's put_desk_head()), by intent: each format and page
 * writes its own elements in its own order. */
static void rss_item(struct buf *out, struct buf *tmp, const struct render_feed_site *site,
		     const struct model_page *page, const struct model_post *post)
{
	buf_reset(tmp);
	url_post(tmp, site, page, post);
	buf_puts(out, "<item>\n<title>");
	put_xml(out, post->title);
	buf_puts(out, "</title>\n<link>");
	put_xml(out, tmp->data);
	buf_puts(out, "</link>\n<guid isPermaLink=\"true\">");
	put_xml(out, tmp->data);
	carry_err(out, tmp);
	buf_puts(out, "</guid>\n<pubDate>");
	put_rfc822(out, post->published_at);
	buf_puts(out, "</pubDate>\n");
	put_entry_rest(out, tmp, page, post, &rss_tags);
	buf_puts(out, "</item>\n");
}

void render_feed_rss(struct buf *out, const struct render_feed_site *site,
		     const struct model_page *page, const struct model_post *posts, size_t n)
{
	int has_desc = page->description && page->description[0];
	struct buf tmp;

	buf_init(&tmp, out->max);
	url_page(&tmp, site, page);
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
		      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n<title>");
	put_xml(out, page->title);
	buf_puts(out, "</title>\n<link>");
	put_xml(out, tmp.data);
	buf_puts(out, "</link>\n<description>");
	put_xml(out, has_desc ? page->description : page->title);
	buf_puts(out, "</description>\n<language>en-gb</language>\n<lastBuildDate>");
	put_rfc822(out, feed_updated(page, posts, n));
	buf_puts(out, "</lastBuildDate>\n<generator>");
	put_xml(out, site_name(site));
	buf_puts(out, "</generator>\n<atom:link rel=\"self\" type=\"" RENDER_FEED_RSS_TYPE
		      "\" href=\"");
	buf_puts(&tmp, "/feed.rss");
	put_xml(out, tmp.data);
	carry_err(out, &tmp);
	buf_puts(out, "\"/>\n");
	for (size_t i = 0; i < n; i++)
		rss_item(out, &tmp, site, page, &posts[i]);
	buf_puts(out, "</channel>\n</rss>\n");
	buf_cleanup(&tmp);
}

/* ---- JSON Feed 1.1 ---- */

/* Builds the tree; any failure (out of memory, a buffer over its cap) sets *bad
 * and the caller throws the tree away. Every set_new/append_new takes the
 * reference it is given, even on failure, so nothing leaks on the way. */
struct feed_json {
	struct buf tmp; /* scratch for cleaned strings, URLs and HTML */
	int bad;
	int err;        /* a buffer's error, when that was the failure */
};

/* A JSON string of the first `n` bytes of `s`, cleaned. */
static json_t *jstr_n(struct feed_json *j, const char *s, size_t n)
{
	struct buf clean;
	json_t *v;

	buf_init(&clean, j->tmp.max);
	put_clean(&clean, s ? s : "", s ? n : 0, 0);
	v = clean.err ? NULL : json_stringn(clean.data ? clean.data : "", clean.len);
	if (clean.err)
		j->err = clean.err;
	buf_cleanup(&clean);
	return v;
}

static json_t *jstr(struct feed_json *j, const char *s)
{
	return jstr_n(j, s, s ? strlen(s) : 0);
}

/* The scratch buffer's contents as a string, then reset. */
static json_t *jtmp(struct feed_json *j)
{
	json_t *v = j->tmp.err ? NULL : jstr_n(j, j->tmp.data, j->tmp.len);

	if (j->tmp.err)
		j->err = j->tmp.err;
	buf_reset(&j->tmp); /* clears the error too: it is in j->err now */
	return v;
}

static json_t *jdate(struct feed_json *j, int64_t t)
{
	buf_reset(&j->tmp);
	put_rfc3339(&j->tmp, t);
	return jtmp(j);
}

static void jset(struct feed_json *j, json_t *obj, const char *key, json_t *v)
{
	if (!obj || !v) {
		json_decref(v);
		j->bad = 1;
	} else if (json_object_set_new(obj, key, v) < 0) {
		j->bad = 1;
	}
}

static void jpush(struct feed_json *j, json_t *arr, json_t *v)
{
	if (!arr || !v) {
		json_decref(v);
		j->bad = 1;
	} else if (json_array_append_new(arr, v) < 0) {
		j->bad = 1;
	}
}

static json_t *json_author(struct feed_json *j, const char *name)
{
	json_t *a = json_object();

	jset(j, a, "name", jstr(j, name));
	return a;
}

static json_t *json_item(struct feed_json *j, const struct render_feed_site *site,
			 const struct model_page *page, const struct model_post *post)
{
	json_t *item = json_object();

	buf_reset(&j->tmp);
	url_post(&j->tmp, site, page, post);
	jset(j, item, "id", jtmp(j));
	url_post(&j->tmp, site, page, post);
	jset(j, item, "url", jtmp(j));
	jset(j, item, "title", jstr(j, post->title));
	body_html(&j->tmp, page, post);
	jset(j, item, "content_html", jtmp(j));
	jset(j, item, "date_published", jdate(j, post->published_at));
	jset(j, item, "date_modified", jdate(j, post_updated(post)));
	if (post->n_bylines > 0) {
		json_t *authors = json_array();

		for (size_t i = 0; i < post->n_bylines; i++)
			jpush(j, authors, json_author(j, post->bylines[i].name));
		jset(j, item, "authors", authors);
	}
	if (post->breaking || post->key_event) {
		json_t *tags = json_array();

		if (post->breaking)
			jpush(j, tags, json_string("Breaking"));
		if (post->key_event)
			jpush(j, tags, json_string("Key event"));
		jset(j, item, "tags", tags);
	}
	return item;
}

/* jansson's writer, with '<', '>' and '&' escaped: outside strings it writes
 * none of them, and inside a string \u003c reads back as '<'. */
static int json_to_buf(const char *chunk, size_t size, void *data)
{
	struct buf *out = data;
	size_t run = 0;

	for (size_t i = 0; i < size; i++) {
		const char *esc;

		switch (chunk[i]) {
		case '<': esc = "\\u003c"; break;
		case '>': esc = "\\u003e"; break;
		case '&': esc = "\\u0026"; break;
		default: continue;
		}
		buf_append(out, chunk + run, i - run);
		buf_puts(out, esc);
		run = i + 1;
	}
	buf_append(out, chunk + run, size - run);
	return out->err ? -1 : 0;
}

int render_json_escaped(struct buf *out, const struct json_t *v)
{
	return json_dump_callback(v, json_to_buf, out, JSON_COMPACT) < 0 ? -1 : 0;
}

void render_feed_json(struct buf *out, const struct render_feed_site *site,
		      const struct model_page *page, const struct model_post *posts,
		      size_t n)
{
	struct feed_json j;
	json_t *feed = json_object();
	json_t *authors = json_array();
	json_t *items = json_array();

	buf_init(&j.tmp, out->max);
	j.bad = 0;
	j.err = 0;
	jset(&j, feed, "version", json_string(FEED_JSON_VERSION));
	jset(&j, feed, "title", jstr(&j, page->title));
	url_page(&j.tmp, site, page);
	jset(&j, feed, "home_page_url", jtmp(&j));
	url_page(&j.tmp, site, page);
	buf_puts(&j.tmp, "/feed.json");
	jset(&j, feed, "feed_url", jtmp(&j));
	if (page->description && page->description[0])
		jset(&j, feed, "description", jstr(&j, page->description));
	jset(&j, feed, "language", json_string(FEED_LANG));
	jpush(&j, authors, json_author(&j, site_name(site)));
	jset(&j, feed, "authors", authors);
	for (size_t i = 0; i < n; i++)
		jpush(&j, items, json_item(&j, site, page, &posts[i]));
	jset(&j, feed, "items", items);

	if (j.bad || !feed) {
		if (!out->err)
			out->err = j.err ? j.err : BUF_ENOMEM;
	} else if (json_dump_callback(feed, json_to_buf, out, JSON_COMPACT) < 0) {
		if (!out->err)
			out->err = BUF_ENOMEM;
	} else {
		buf_putc(out, '\n');
	}
	json_decref(feed);
	buf_cleanup(&j.tmp);
}
