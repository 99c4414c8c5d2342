/*
 * The tags of a reader page's <head> that search engines, social networks and
 * feed readers read: see render_meta.h. Attribute values are escaped with
 * buf_html(); JSON-LD is built with jansson and written by render_json_escaped().
 *
 * The shape follows what news sites publish for their live pages (schema.org
 * LiveBlogPosting with coverage times and BlogPosting updates); every URL in it
 * is absolute on the public base URL.
 */
#include "render/render_meta.h"

#include <inttypes.h>
#include <string.h>

#include <jansson.h>

#include "markup/markup.h"
#include "model/model_limits.h"
#include "page/page_assets.h"
#include "render/render_feed.h"
#include "util/time.h"
#include "util/utf8.h"

#define META_LOCALE   "en_GB"
#define META_LANG     "en-GB"
#define META_ELLIPSIS "\xe2\x80\xa6"
/* Plain text is never longer than its stored rich text, plus credits and
 * names: room for any post or description the limits allow. */
#define META_SOURCE_MAX ((size_t)4 * MODEL_POST_TEXT_MAX + MODEL_SUMMARY_TEXT_MAX)

/* ---- plain text ---- */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void render_meta_trim(struct buf *out, const char *text, size_t chars)
{
	const char *s = text ? text : "";
	size_t n = strlen(s), i = 0, count = 0, cut = 0;
	struct buf t;
	int space = 0;

	buf_init(&t, n + 1);
	while (i < n && is_space((unsigned char)s[i]))
		i++;
	while (i < n) {
		uint32_t cp;
		size_t len;

		if (is_space((unsigned char)s[i])) {
			space = 1;
			i++;
			continue;
		}
		if (space) {
			/* A word ended: cutting here keeps whole words. */
			cut = t.len;
			if (count + 1 > chars)
				goto cut;
			buf_putc(&t, ' ');
			count++;
			space = 0;
		}
		len = utf8_next(s + i, n - i, &cp);
		if (len == 0) {
			i++; /* not UTF-8 (the store refuses it): left out */
			continue;
		}
		if (count + 1 > chars)
			goto cut;
		buf_append(&t, s + i, len);
		count++;
		i += len;
	}
	buf_append(out, t.data ? t.data : "", t.len);
	buf_cleanup(&t);
	return;
cut:
	/* Back to the last word boundary, unless the first word alone is longer
	 * than the limit (then it is cut inside). */
	buf_append(out, t.data ? t.data : "", cut ? cut : t.len);
	buf_puts(out, META_ELLIPSIS);
	buf_cleanup(&t);
}

static void put_plain(struct buf *out, const char *md)
{
	if (md && md[0])
		markup_inline_words(out, md);
}

void render_meta_post_text(struct buf *out, const struct model_post *post)
{
	struct buf t;
	int any = 0;

	buf_init(&t, out->max);
	for (size_t i = 0; i < post->n_blocks; i++) {
		const struct model_block *b = &post->blocks[i];

		buf_reset(&t);
		switch (b->kind) {
		case MODEL_BLOCK_PARAGRAPH:
			put_plain(&t, b->text);
			break;
		case MODEL_BLOCK_QUOTE:
			put_plain(&t, b->text);
			if (b->cite && b->cite[0]) {
				buf_puts(&t, " \xe2\x80\x94 ");
				buf_puts(&t, b->cite);
			}
			break;
		case MODEL_BLOCK_LIST:
			for (size_t j = 0; j < b->n_items; j++) {
				if (j > 0)
					buf_putc(&t, '\n');
				if (b->items[j].lead && b->items[j].lead[0]) {
					put_plain(&t, b->items[j].lead);
					buf_putc(&t, ' ');
				}
				put_plain(&t, b->items[j].text);
			}
			break;
		case MODEL_BLOCK_IMAGE:
			put_plain(&t, b->caption);
			break;
		case MODEL_BLOCK_EMBED:
			if (b->text)
				buf_puts(&t, b->text);
			break;
		}
		if (t.err && !out->err)
			out->err = t.err;
		if (t.len == 0 || t.err)
			continue; /* a block with no text adds no blank line */
		if (any++)
			buf_puts(out, "\n\n");
		buf_append(out, t.data, t.len);
	}
	buf_cleanup(&t);
}

/* ---- URLs ---- */

/* 1 if `url` can be given to a crawler: a site path ("/media/...") or an
 * http(s) address that may be linked to; a relative or other-scheme address
 * is no use to one. */
static int url_usable(const char *url)
{
	if (!url || !url[0] || !markup_url_allowed(url))
		return 0;
	return (url[0] == '/' && url[1] != '/') || strncmp(url, "https://", 8) == 0 ||
	       strncmp(url, "http://", 7) == 0;
}

/* Appends `url` made absolute on the base URL (a site path gets the base in
 * front, an http(s) address stays as it is). Returns 0, or -1 (and appends
 * nothing) if it is not url_usable(). */
static int put_abs(struct buf *out, const struct render_site *site, const char *url)
{
	if (!url_usable(url))
		return -1;
	if (url[0] == '/')
		buf_puts(out, site->base_url);
	buf_puts(out, url);
	return 0;
}

static void put_page_url(struct buf *out, const struct render_site *site,
			 const struct model_page *page)
{
	buf_puts(out, site->base_url);
	buf_puts(out, "/live/");
	buf_puts(out, page->slug);
}

/* The first image of `post` with an address a crawler can use: its block, or
 * NULL. */
static const struct model_block *post_image(const struct model_post *post)
{
	for (size_t i = 0; i < post->n_blocks; i++) {
		const struct model_block *b = &post->blocks[i];

		if (b->kind == MODEL_BLOCK_IMAGE && url_usable(b->url))
			return b;
	}
	return NULL;
}

/* The picture that stands for the page: the permalink's post's own image, the
 * summary's featured image, else the newest image among the posts shown. Sets
 * *url and *alt (borrowed), or returns -1 for none. */
static int meta_image(const struct render_meta *m, const char **url, const char **alt)
{
	const struct model_block *b;

	if (m->post && (b = post_image(m->post))) {
		*url = b->url;
		*alt = b->alt;
		return 0;
	}
	if (m->page && m->page->summary.media_kind == MODEL_MEDIA_IMAGE &&
	    url_usable(m->page->summary.media_url)) {
		*url = m->page->summary.media_url;
		*alt = m->page->summary.media_alt;
		return 0;
	}
	for (size_t i = 0; i < m->n_posts; i++) {
		if ((b = post_image(&m->posts[i]))) {
			*url = b->url;
			*alt = b->alt;
			return 0;
		}
	}
	return -1;
}

/* ---- times ---- */

static int64_t post_modified(const struct model_post *p)
{
	int64_t t = p->updated_at > p->published_at ? p->updated_at : p->published_at;

	return p->correction_at > t ? p->correction_at : t;
}

/* When the coverage started: its start time, else the oldest post shown, else
 * its last change. */
static int64_t page_started(const struct render_meta *m)
{
	if (m->page->start_at)
		return m->page->start_at;
	if (m->n_posts)
		return m->posts[m->n_posts - 1].published_at;
	return m->page->updated_at;
}

static int64_t page_modified(const struct render_meta *m)
{
	int64_t t = m->page->updated_at;

	for (size_t i = 0; i < m->n_posts; i++)
		if (post_modified(&m->posts[i]) > t)
			t = post_modified(&m->posts[i]);
	return t;
}

/* ---- the description ---- */

/* The page's description, else its summary's key points: trimmed plain text. */
static void meta_description(struct buf *out, const struct render_meta *m,
			     const struct render_site *site)
{
	struct buf text;

	/* The whole source (a post's text, a description), of which the first
	 * RENDER_META_DESC_CHARS characters are kept: room for any the limits
	 * allow (model_limits.h), whatever `out` may hold. */
	buf_init(&text, META_SOURCE_MAX);
	if (m->post) {
		render_meta_post_text(&text, m->post);
		if (text.len == 0)
			buf_puts(&text, m->post->title);
	} else if (m->page && m->page->description && m->page->description[0]) {
		buf_puts(&text, m->page->description);
	} else if (m->page) {
		for (size_t i = 0; i < m->page->summary.n_points; i++) {
			/* Key points are often written without a full stop: one
			 * keeps them apart as sentences. */
			if (text.len && !text.err && !strchr(".!?:;", text.data[text.len - 1]))
				buf_putc(&text, '.');
			if (text.len)
				buf_putc(&text, ' ');
			put_plain(&text, m->page->summary.points[i]);
		}
		if (text.len == 0)
			put_plain(&text, m->page->summary.media_caption);
		if (text.len == 0)
			buf_printf(&text, "Live coverage: %s", m->page->title);
	} else {
		buf_printf(&text, "Live coverage from %s.", site->name);
	}
	/* Past the room above, what fitted is still the start of the text. */
	if (text.err == BUF_ENOMEM && !out->err)
		out->err = text.err;
	render_meta_trim(out, text.data ? text.data : "", RENDER_META_DESC_CHARS);
	buf_cleanup(&text);
}

/* ---- tags ---- */

static void put_meta(struct buf *out, const char *attr, const char *name, const char *value)
{
	buf_puts(out, "<meta ");
	buf_puts(out, attr);
	buf_puts(out, "=\"");
	buf_puts(out, name);
	buf_puts(out, "\" content=\"");
	buf_html(out, value);
	buf_puts(out, "\">\n");
}

static void put_meta_time(struct buf *out, const char *name, int64_t t)
{
	char iso[TIME_ISO_SIZE];

	if (t > 0 && time_iso(t, iso) == 0)
		put_meta(out, "property", name, iso);
}

static void put_icons(struct buf *out)
{
	const struct page_asset *svg = page_asset_by_name("icon.svg");
	const struct page_asset *png = page_asset_by_name("icon-32.png");
	const struct page_asset *touch = page_asset_by_name("icon-180.png");

	buf_puts(out, "<link rel=\"icon\" href=\"");
	buf_html(out, svg->url);
	buf_puts(out, "\" type=\"image/svg+xml\">\n<link rel=\"icon\" href=\"");
	buf_html(out, png->url);
	buf_puts(out, "\" sizes=\"32x32\" type=\"image/png\">\n"
		      "<link rel=\"apple-touch-icon\" href=\"");
	buf_html(out, touch->url);
	buf_puts(out, "\">\n<meta name=\"theme-color\" content=\"" RENDER_META_THEME "\">\n");
}

static void put_feeds(struct buf *out, const struct render_site *site,
		      const struct model_page *page)
{
	static const struct {
		const char *type, *file, *name;
	} feeds[] = {
		{ RENDER_FEED_ATOM_TYPE, "feed.atom", "Atom" },
		{ RENDER_FEED_RSS_TYPE, "feed.rss", "RSS" },
		{ RENDER_FEED_JSON_TYPE, "feed.json", "JSON Feed" },
	};

	for (size_t i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
		buf_puts(out, "<link rel=\"alternate\" type=\"");
		buf_puts(out, feeds[i].type);
		buf_puts(out, "\" title=\"");
		buf_html(out, page->title);
		buf_printf(out, " (%s)\" href=\"", feeds[i].name);
		buf_html(out, site->base_url);
		buf_puts(out, "/live/");
		buf_html(out, page->slug);
		buf_putc(out, '/');
		buf_puts(out, feeds[i].file);
		buf_puts(out, "\">\n");
	}
}

/* ---- JSON-LD ---- */

/* Sets obj[key] to the string s; a string jansson refuses (not UTF-8: the
 * store never holds one) leaves the key out. */
static void ld_str(json_t *obj, const char *key, const char *s)
{
	if (s)
		json_object_set_new(obj, key, json_string(s));
}

static void ld_buf(json_t *obj, const char *key, const struct buf *b)
{
	if (!b->err)
		ld_str(obj, key, b->data ? b->data : "");
}

static void ld_time(json_t *obj, const char *key, int64_t t)
{
	char iso[TIME_ISO_SIZE];

	if (t > 0 && time_iso(t, iso) == 0)
		ld_str(obj, key, iso);
}

static json_t *ld_type(const char *type)
{
	json_t *o = json_object();

	ld_str(o, "@type", type);
	return o;
}

/* A size in pixels as schema.org types it (ImageObject's width and height
 * are a QuantitativeValue or a Distance, not a bare number): unit E37, the
 * UN/CEFACT code for a pixel. */
static json_t *ld_pixels(int n)
{
	json_t *q = ld_type("QuantitativeValue");

	json_object_set_new(q, "value", json_integer(n));
	ld_str(q, "unitCode", "E37");
	return q;
}

static json_t *ld_publisher(const struct render_site *site)
{
	json_t *org = ld_type("Organization"), *logo = ld_type("ImageObject");
	struct buf url;

	buf_init(&url, 4096);
	buf_puts(&url, site->base_url);
	buf_puts(&url, page_asset_by_name("icon-180.png")->url);
	ld_str(org, "name", site->name);
	ld_str(org, "url", site->base_url);
	ld_buf(logo, "url", &url);
	json_object_set_new(logo, "width", ld_pixels(180));
	json_object_set_new(logo, "height", ld_pixels(180));
	json_object_set_new(org, "logo", logo);
	buf_cleanup(&url);
	return org;
}

/* An ImageObject for `url` (made absolute), or NULL. */
static json_t *ld_image(const struct render_site *site, const char *url, const char *alt)
{
	json_t *img;
	struct buf b;

	buf_init(&b, 4 * MODEL_URL_MAX);
	if (put_abs(&b, site, url) < 0 || b.err) {
		buf_cleanup(&b);
		return NULL;
	}
	img = ld_type("ImageObject");
	ld_buf(img, "url", &b);
	if (alt && alt[0])
		ld_str(img, "description", alt);
	buf_cleanup(&b);
	return img;
}

/* One post as a BlogPosting, at `page_url` + "#post-ID". */
static json_t *ld_post(const struct render_site *site, const struct model_post *post,
		       const char *page_url)
{
	json_t *o = ld_type("BlogPosting"), *authors = json_array(), *img;
	const struct model_block *b = post_image(post);
	struct buf t;

	buf_init(&t, META_SOURCE_MAX);
	buf_printf(&t, "%s#post-%" PRId64, page_url, post->id);
	ld_buf(o, "@id", &t);
	ld_buf(o, "url", &t);
	ld_str(o, "headline", post->title);
	ld_time(o, "datePublished", post->published_at);
	ld_time(o, "dateModified", post_modified(post));
	buf_reset(&t);
	render_meta_post_text(&t, post);
	ld_buf(o, "articleBody", &t);
	for (size_t i = 0; i < post->n_bylines; i++) {
		json_t *p = ld_type("Person");

		ld_str(p, "name", post->bylines[i].name);
		if (post->bylines[i].role && post->bylines[i].role[0])
			ld_str(p, "description", post->bylines[i].role);
		json_array_append_new(authors, p);
	}
	if (post->n_bylines == 0) {
		/* No byline: the newsroom speaks (search engines want an author). */
		json_t *org = ld_type("Organization");

		ld_str(org, "name", site->name);
		json_array_append_new(authors, org);
	}
	json_object_set_new(o, "author", authors);
	if (b && (img = ld_image(site, b->url, b->alt)))
		json_object_set_new(o, "image", img);
	buf_cleanup(&t);
	return o;
}

/* Writes `ld` as a data block; 0, or -1 if it is over RENDER_META_LD_MAX. */
static int put_ld(struct buf *out, json_t *ld)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, RENDER_META_LD_MAX);
	if (render_json_escaped(&b, ld) == 0 && !b.err) {
		buf_puts(out, "<script type=\"application/ld+json\">");
		buf_append(out, b.data, b.len);
		buf_puts(out, "</script>\n");
		rc = 0;
	} else if (b.err == BUF_ENOMEM && !out->err) {
		out->err = BUF_ENOMEM;
		rc = 0; /* nothing to retry */
	}
	buf_cleanup(&b);
	return rc;
}

static void put_ld_page(struct buf *out, const struct render_site *site,
			const struct render_meta *m, const char *canonical,
			const char *desc, const char *image, const char *alt)
{
	const struct model_page *page = m->page;
	size_t n = m->n_posts;
	struct buf live;
	json_t *ld, *updates, *img;

	buf_init(&live, 4096);
	put_page_url(&live, site, page);
	for (;;) {
		ld = json_object();
		json_object_set_new(ld, "@context", json_string("https://schema.org"));
		ld_str(ld, "@type", "LiveBlogPosting");
		ld_buf(ld, "@id", &live);
		ld_str(ld, "url", canonical);
		ld_str(ld, "mainEntityOfPage", canonical);
		ld_str(ld, "headline", page->title);
		ld_str(ld, "description", desc);
		ld_str(ld, "inLanguage", META_LANG);
		ld_time(ld, "coverageStartTime", page_started(m));
		if (page->status == MODEL_STATUS_ENDED)
			ld_time(ld, "coverageEndTime", page->end_at ? page->end_at : page_modified(m));
		ld_time(ld, "datePublished", page_started(m));
		ld_time(ld, "dateModified", page_modified(m));
		json_object_set_new(ld, "publisher", ld_publisher(site));
		if (image && (img = ld_image(site, image, alt)))
			json_object_set_new(ld, "image", img);
		updates = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(updates, ld_post(site, &m->posts[i], canonical));
		json_object_set_new(ld, "liveBlogUpdate", updates);
		if (put_ld(out, ld) == 0 || n == 0) {
			json_decref(ld);
			break;
		}
		/* Over the limit: keep the newer half of the updates. */
		json_decref(ld);
		n /= 2;
	}
	buf_cleanup(&live);
}

static void put_ld_post(struct buf *out, const struct render_site *site,
			const struct render_meta *m, const char *canonical, const char *desc)
{
	json_t *ld, *part = ld_type("LiveBlogPosting");
	struct buf live;

	buf_init(&live, 4096);
	put_page_url(&live, site, m->page);
	ld = ld_post(site, m->post, live.err ? "" : live.data);
	json_object_set_new(ld, "@context", json_string("https://schema.org"));
	/* Its own page is the permalink; its @id is its place in the live page. */
	ld_str(ld, "url", canonical);
	ld_str(ld, "mainEntityOfPage", canonical);
	ld_str(ld, "description", desc);
	ld_str(ld, "inLanguage", META_LANG);
	json_object_set_new(ld, "publisher", ld_publisher(site));
	ld_buf(part, "@id", &live);
	ld_buf(part, "url", &live);
	ld_str(part, "headline", m->page->title);
	json_object_set_new(ld, "isPartOf", part);
	if (put_ld(out, ld) < 0 && !out->err)
		out->err = BUF_ETOOBIG; /* one post is far under the limit */
	json_decref(ld);
	buf_cleanup(&live);
}

/* ---- the whole ---- */

void render_meta_head(struct buf *out, const struct render_site *site,
		      const struct render_meta *m)
{
	const char *title = m->title ? m->title : site->name;
	const char *image = NULL, *alt = NULL;
	struct buf canon, desc, img;

	buf_init(&canon, 4096);
	buf_init(&desc, 4096);
	buf_init(&img, 4 * MODEL_URL_MAX);
	if (m->path) {
		buf_puts(&canon, site->base_url);
		buf_puts(&canon, m->path);
	}
	meta_description(&desc, m, site);
	if (meta_image(m, &image, &alt) == 0 && put_abs(&img, site, image) < 0)
		image = NULL;
	if (canon.err || desc.err || img.err) {
		if (!out->err)
			out->err = canon.err ? canon.err : desc.err ? desc.err : img.err;
		goto done;
	}

	if (m->noindex)
		buf_puts(out, "<meta name=\"robots\" content=\"noindex\">\n");
	if (m->path) {
		buf_puts(out, "<link rel=\"canonical\" href=\"");
		buf_html(out, canon.data);
		buf_puts(out, "\">\n");
	}
	put_meta(out, "name", "description", desc.data ? desc.data : "");
	put_icons(out);
	if (m->page)
		put_feeds(out, site, m->page);

	put_meta(out, "property", "og:site_name", site->name);
	put_meta(out, "property", "og:locale", META_LOCALE);
	put_meta(out, "property", "og:type", m->page ? "article" : "website");
	put_meta(out, "property", "og:title", title);
	put_meta(out, "property", "og:description", desc.data ? desc.data : "");
	if (m->path)
		put_meta(out, "property", "og:url", canon.data);
	if (image) {
		put_meta(out, "property", "og:image", img.data);
		if (alt && alt[0])
			put_meta(out, "property", "og:image:alt", alt);
	}
	if (m->page && m->post) {
		put_meta_time(out, "article:published_time", m->post->published_at);
		put_meta_time(out, "article:modified_time", post_modified(m->post));
	} else if (m->page) {
		put_meta_time(out, "article:published_time", page_started(m));
		put_meta_time(out, "article:modified_time", page_modified(m));
	}
	put_meta(out, "name", "twitter:card", image ? "summary_large_image" : "summary");
	put_meta(out, "name", "twitter:title", title);
	put_meta(out, "name", "twitter:description", desc.data ? desc.data : "");
	if (image) {
		put_meta(out, "name", "twitter:image", img.data);
		if (alt && alt[0])
			put_meta(out, "name", "twitter:image:alt", alt);
	}

	if (m->page && m->post && m->path)
		put_ld_post(out, site, m, canon.data, desc.data ? desc.data : "");
	else if (m->page && m->path)
		put_ld_page(out, site, m, canon.data, desc.data ? desc.data : "", image, alt);
done:
	buf_cleanup(&img);
	buf_cleanup(&desc);
	buf_cleanup(&canon);
}
