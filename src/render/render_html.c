/*
 * HTML for readers: see render.h. Each function appends one complete document
 * (or, for render_post_html, one <article>) to the caller's buffer; the buffer's
 * sticky error flag carries any failure to the end.
 *
 * Two rules hold everywhere below. Plain strings (titles, names, alt texts,
 * credits, slugs, URLs) go through buf_html(); inline Markdown (paragraphs,
 * quotations, list items, captions, key points) goes through
 * markup_inline_html(), which escapes and drops unsafe links itself. Nothing
 * from the model is ever appended raw.
 *
 * The outline of a live page: h1 the page title, h2 "Summary", h2 "Pinned",
 * h2 "Live updates" (visually hidden), and an h3 per post, so that the post
 * fragment is the same on every page and in every stream event. A permalink
 * page gives its one post an h1.
 */
#include "render/render.h"
#include "render/render_meta.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "markup/markup.h"
#include "render/render_search.h"
#include "media/media.h"
#include "render/render_audience.h"
#include "render/render_embed.h"
#include "util/tz.h"

/* Shown when a page's zone cannot be formatted (an unknown zone in the store):
 * a time in UTC is better than no time. */
#define RENDER_FALLBACK_ZONE "UTC"

size_t render_page_count(size_t n_posts)
{
	size_t n = n_posts / MODEL_POSTS_PER_PAGE;

	/* The remainder goes with the newest full page: the page a reader lands
	 * on never holds fewer than MODEL_POSTS_PER_PAGE posts when there are as
	 * many, and the boundaries of the pages before it never move. */
	return n ? n : 1;
}

size_t render_page_of_index(size_t index, size_t n_posts)
{
	size_t no = index / MODEL_POSTS_PER_PAGE + 1, count = render_page_count(n_posts);

	return no < count ? no : count;
}

void render_page_range(size_t n_posts, size_t page_no, size_t *first, size_t *n)
{
	size_t count = render_page_count(n_posts);

	if (page_no == 0 || page_no > count) {
		*first = *n = 0;
		return;
	}
	*first = (page_no - 1) * MODEL_POSTS_PER_PAGE;
	*n = page_no == count ? n_posts - *first : MODEL_POSTS_PER_PAGE;
}

int render_time_view(const char *zone, int64_t t, struct tz_view *tv)
{
	if (zone && tz_view(zone, t, tv) == 0)
		return 0;
	return tz_view(RENDER_FALLBACK_ZONE, t, tv);
}

static int64_t render_now_fixed; /* render_now_set(): tests only */

void render_now_set(int64_t t)
{
	render_now_fixed = t;
}

/* The current year in `zone` (as render_time_view shows it), or 0. A thread
 * renders many posts of one zone in a row: it asks the zone once a second. */
static int render_this_year(const char *zone)
{
	static _Thread_local char seen_zone[64];
	static _Thread_local int64_t seen_at;
	static _Thread_local int year;
	int64_t now = render_now_fixed ? render_now_fixed : (int64_t)time(NULL);
	struct tz_view tv;

	if (year && now == seen_at && strcmp(seen_zone, zone ? zone : "") == 0)
		return year;
	if (render_time_view(zone, now, &tv) < 0)
		return 0;
	snprintf(seen_zone, sizeof(seen_zone), "%s", zone ? zone : "");
	seen_at = now;
	year = tv.year;
	return year;
}

int render_day_parts(const char *zone, const struct tz_view *tv)
{
	int year = render_this_year(zone);

	return RENDER_TIME_DAY | (year && tv->year != year ? RENDER_TIME_YEAR : 0);
}

static void put_md(struct buf *out, const char *md)
{
	if (md)
		markup_inline_html(out, md);
}

/* "/live/SLUG" */
static void put_page_url(struct buf *out, const char *slug)
{
	buf_puts(out, "/live/");
	buf_html(out, slug);
}

/* "/live/SLUG/posts/ID" */
static void put_post_url(struct buf *out, const char *slug, int64_t id)
{
	put_page_url(out, slug);
	buf_printf(out, "/posts/%" PRId64, id);
}

/* The URL of page `no` of `count`: the newest page is the live page itself. */
static void put_page_no_url(struct buf *out, const char *slug, size_t no, size_t count)
{
	put_page_url(out, slug);
	if (no < count)
		buf_printf(out, "?page=%zu", no);
}

void render_time_html(struct buf *out, const struct tz_view *tv, int parts)
{
	buf_puts(out, "<time datetime=\"");
	buf_html(out, tv->iso);
	buf_puts(out, "\">");
	buf_html(out, tv->hm);
	buf_puts(out, " <span aria-hidden=\"true\">");
	buf_html(out, tv->zone_short);
	buf_puts(out, "</span><span class=\"vh\">");
	buf_html(out, tv->zone_long);
	buf_puts(out, "</span>");
	if (parts & RENDER_TIME_DAY) {
		buf_putc(out, ' ');
		buf_html(out, tv->day_month);
		if (parts & RENDER_TIME_YEAR)
			buf_printf(out, " %d", tv->year);
	}
	buf_puts(out, "</time>");
}

static void put_status(struct buf *out, enum model_status s)
{
	static const char *labels[] = { "Upcoming", "Live", "Ended" };
	const char *name = model_status_name(s);

	buf_puts(out, "<p class=\"status status-");
	buf_html(out, name);
	buf_puts(out, "\">");
	buf_puts(out, (unsigned)s < 3 ? labels[s] : "Unknown");
	buf_puts(out, "</p>\n");
}

/* ---- the document around every page ---- */

/* `meta` says what the page is to machines (render_meta.h). */
static void doc_open_meta(struct buf *out, const struct render_site *site,
			  const char *title1, const char *title2,
			  const struct render_meta *meta, const char *body_class)
{
	buf_puts(out, "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	buf_html(out, title1);
	if (title2) {
		buf_puts(out, " \xe2\x80\x93 ");
		buf_html(out, title2);
	}
	buf_puts(out, " \xe2\x80\x93 ");
	buf_html(out, site->name);
	buf_puts(out, "</title>\n<link rel=\"stylesheet\" href=\"");
	buf_html(out, site->css_url);
	buf_puts(out, "\">\n");
	render_meta_head(out, site, meta);
	render_embed_discovery(out, site, meta->path, title1); /* live pages, permalinks */
	if (site->js_url) {
		buf_puts(out, "<script src=\"");
		buf_html(out, site->js_url);
		buf_puts(out, "\" defer></script>\n");
	}
	buf_puts(out, "</head>\n<body class=\"");
	buf_puts(out, body_class);
	buf_puts(out, "\">\n<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
		      "<header class=\"site-header\"><div class=\"wrap\">"
		      "<a class=\"site-name\" href=\"/\">");
	buf_html(out, site->name);
	buf_puts(out, "</a></div></header>\n<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n");
}

/* A page known to machines by its path alone ("/live/SLUG/search"). */
static void doc_open(struct buf *out, const struct render_site *site,
		     const char *title1, const char *title2, const char *canonical,
		     const char *body_class)
{
	struct render_meta meta = { .title = title1, .path = canonical };

	doc_open_meta(out, site, title1, title2, &meta, body_class);
}

static void doc_close(struct buf *out, const struct render_site *site)
{
	buf_puts(out, "</main>\n<footer class=\"site-footer\"><div class=\"wrap\"><p>");
	buf_html(out, site->name);
	buf_puts(out, " \xc2\xb7 live coverage \xc2\xb7 <a href=\"/\">All live pages</a></p>"
		      "</div></footer>\n</body>\n</html>\n");
}

void render_doc_open(struct buf *out, const struct render_site *site, const char *title1,
		     const char *title2, const char *canonical, const char *body_class)
{
	doc_open(out, site, title1, title2, canonical, body_class);
}

void render_doc_open_meta(struct buf *out, const struct render_site *site, const char *title1,
			  const char *title2, const struct render_meta *meta,
			  const char *body_class)
{
	doc_open_meta(out, site, title1, title2, meta, body_class);
}

void render_doc_close(struct buf *out, const struct render_site *site)
{
	doc_close(out, site);
}

/* ---- posts ---- */

static void put_byline(struct buf *out, const struct model_byline *b)
{
	buf_puts(out, "<div class=\"byline\"><span class=\"byline-name\">");
	buf_html(out, b->name);
	buf_puts(out, "</span>");
	if (b->role && b->role[0]) {
		buf_puts(out, "<span class=\"byline-role\">");
		buf_html(out, b->role);
		buf_puts(out, "</span>");
	}
	buf_puts(out, "</div>\n");
}

void render_img_src_html(struct buf *out, const char *url)
{
	int widths[MEDIA_N_WIDTHS], n = media_srcset_widths(url, widths);
	char w[512];

	buf_puts(out, "src=\"");
	buf_html(out, url);
	if (n > 1) {
		/* Our uploads come in several widths: the browser picks. */
		buf_puts(out, "\" srcset=\"");
		for (int i = 0; i < n; i++) {
			if (media_url_for_width(url, widths[i], w, sizeof(w)) < 0)
				continue;
			buf_puts(out, i ? ", " : "");
			buf_html(out, w);
			buf_printf(out, " %dw", widths[i]);
		}
		/* The column is at most --measure (42rem) wide. */
		buf_puts(out, "\" sizes=\"(min-width: 42rem) 42rem, 100vw");
	}
	buf_putc(out, '"');
}

static void put_image(struct buf *out, const struct model_block *b)
{
	int has_caption = b->caption && b->caption[0];
	int has_credit = b->credit && b->credit[0];

	buf_puts(out, "<figure class=\"image\">");
	if (b->url && b->url[0] && markup_url_allowed(b->url)) {
		buf_puts(out, "<img ");
		render_img_src_html(out, b->url);
		buf_puts(out, " alt=\"");
		buf_html(out, b->alt);
		buf_puts(out, "\" loading=\"lazy\" decoding=\"async\">");
	} else {
		/* An imported capture kept the alt text but no address: say what the
		 * picture showed rather than draw a broken image. */
		buf_puts(out, "<div class=\"img-missing\" role=\"img\" aria-label=\"");
		buf_html(out, b->alt);
		buf_puts(out, "\"></div>");
	}
	if (has_caption || has_credit) {
		buf_puts(out, "<figcaption>");
		if (has_caption) {
			buf_puts(out, "<span class=\"vh\">Image caption, </span>");
			put_md(out, b->caption);
		}
		if (has_credit) {
			buf_puts(out, has_caption ? " " : "");
			buf_puts(out, "<span class=\"credit\">Image source, ");
			buf_html(out, b->credit);
			buf_puts(out, "</span>");
		}
		buf_puts(out, "</figcaption>");
	}
	buf_puts(out, "</figure>\n");
}

static void put_embed(struct buf *out, const struct model_block *b)
{
	int link = b->url && b->url[0] && markup_url_allowed(b->url);

	buf_puts(out, "<figure class=\"embed\"><figcaption class=\"embed-title\">");
	if (link) {
		buf_puts(out, "<a href=\"");
		buf_html(out, b->url);
		buf_puts(out, "\"");
		if (markup_url_external(b->url))
			buf_puts(out, " rel=\"noopener noreferrer\"");
		buf_puts(out, ">");
		buf_html(out, b->text);
		if (markup_url_external(b->url))
			buf_puts(out, "<span class=\"vh\">, external</span>");
		buf_puts(out, "</a>");
	} else {
		buf_html(out, b->text);
	}
	buf_puts(out, "</figcaption></figure>\n");
}

static void put_block(struct buf *out, const struct model_block *b)
{
	switch (b->kind) {
	case MODEL_BLOCK_PARAGRAPH:
		buf_puts(out, "<p>");
		put_md(out, b->text);
		buf_puts(out, "</p>\n");
		break;
	case MODEL_BLOCK_QUOTE:
		buf_puts(out, "<blockquote><p>");
		put_md(out, b->text);
		buf_puts(out, "</p>");
		if (b->cite && b->cite[0]) {
			/* The credit: the speaker's name as a <cite>. */
			buf_puts(out, "<footer>\xe2\x80\x94 <cite>");
			buf_html(out, b->cite);
			buf_puts(out, "</cite></footer>");
		}
		buf_puts(out, "</blockquote>\n");
		break;
	case MODEL_BLOCK_LIST:
		buf_puts(out, "<ul class=\"list\">\n");
		for (size_t i = 0; i < b->n_items; i++) {
			const struct model_list_item *it = &b->items[i];

			buf_puts(out, "<li>");
			if (it->lead && it->lead[0]) {
				buf_puts(out, "<strong>");
				put_md(out, it->lead);
				buf_puts(out, "</strong> ");
			}
			put_md(out, it->text);
			buf_puts(out, "</li>\n");
		}
		buf_puts(out, "</ul>\n");
		break;
	case MODEL_BLOCK_IMAGE:
		put_image(out, b);
		break;
	case MODEL_BLOCK_EMBED:
		put_embed(out, b);
		break;
	}
}

/* 1 if UTC time `t` falls on the day `tv` shows, in `zone`. */
static int same_day(const char *zone, int64_t t, const struct tz_view *tv)
{
	struct tz_view v;

	return render_time_view(zone, t, &v) == 0 && v.year == tv->year && v.month == tv->month &&
	       v.day == tv->day;
}

/* One post. `level` is its heading level (3 in a live page, 1 on its own page);
 * `id_prefix` keeps element ids unique when a post is shown twice on a page
 * (pinned, and in the list); `pinned_label` is 0 where a heading already says
 * "Pinned". */
static void post_html(struct buf *out, const struct model_page *page,
		      const struct model_post *post, int level, const char *id_prefix,
		      int pinned_label)
{
	struct tz_view tv;

	buf_printf(out, "<article class=\"post%s%s%s\" id=\"%s%" PRId64 "\" data-id=\"%" PRId64
			"\">\n",
		   post->breaking ? " post-breaking" : "", post->key_event ? " key-event" : "",
		   post->pinned ? " pinned" : "", id_prefix, post->id, post->id);
	buf_printf(out, "<header class=\"post-head\">\n<h%d class=\"post-title\">", level);
	if (level > 1) {
		buf_puts(out, "<a href=\"");
		put_post_url(out, page->slug, post->id);
		buf_puts(out, "\">");
		buf_html(out, post->title);
		buf_puts(out, "</a>");
	} else {
		buf_html(out, post->title);
	}
	buf_printf(out, "</h%d>\n", level);
	if (render_time_view(page->zone, post->published_at, &tv) == 0) {
		buf_puts(out, "<p class=\"post-time\">published at ");
		render_time_html(out, &tv, render_day_parts(page->zone, &tv));
		buf_puts(out, "</p>\n");
	}
	if (post->updated_at > post->published_at + 60 &&
	    render_time_view(page->zone, post->updated_at, &tv) == 0) {
		buf_puts(out, "<p class=\"post-updated\">Updated ");
		render_time_html(out, &tv, !same_day(page->zone, post->published_at, &tv)
						   ? render_day_parts(page->zone, &tv) : 0);
		buf_puts(out, "</p>\n");
	}
	pinned_label = pinned_label && post->pinned;
	if (post->breaking || post->key_event || pinned_label) {
		buf_puts(out, "<div class=\"labels\">");
		if (post->breaking)
			buf_puts(out, "<p class=\"breaking\">Breaking</p>");
		if (post->key_event)
			buf_puts(out, "<p class=\"label label-key\">Key event</p>");
		if (pinned_label)
			buf_puts(out, "<p class=\"label label-pinned\">Pinned</p>");
		buf_puts(out, "</div>\n");
	}
	buf_puts(out, "</header>\n");
	for (size_t i = 0; i < post->n_bylines; i++)
		put_byline(out, &post->bylines[i]);
	buf_puts(out, "<div class=\"post-body\">\n");
	for (size_t i = 0; i < post->n_blocks; i++)
		put_block(out, &post->blocks[i]);
	buf_puts(out, "</div>\n");
	/* A public correction, as newsrooms print them: when, and what changed
	 * (the day too when it is not the day of publication). */
	if (post->correction && post->correction[0]) {
		buf_puts(out, "<p class=\"correction\"><strong>Updated");
		if (post->correction_at && render_time_view(page->zone, post->correction_at, &tv) == 0) {
			buf_putc(out, ' ');
			render_time_html(out, &tv, !same_day(page->zone, post->published_at, &tv)
							   ? render_day_parts(page->zone, &tv) : 0);
		}
		buf_puts(out, ":</strong> ");
		buf_html(out, post->correction);
		buf_puts(out, "</p>\n");
	}
	render_share_html(out, page, post);
	buf_puts(out, "</article>\n");
}

void render_post_html(struct buf *out, const struct model_page *page,
		      const struct model_post *post)
{
	post_html(out, page, post, 3, "post-", 1);
}

void render_post_body_html(struct buf *out, const struct model_page *page,
			   const struct model_post *post)
{
	(void)page;
	for (size_t i = 0; i < post->n_bylines; i++)
		put_byline(out, &post->bylines[i]);
	for (size_t i = 0; i < post->n_blocks; i++)
		put_block(out, &post->blocks[i]);
}

/* ---- the live page ---- */

static int summary_present(const struct model_summary *s)
{
	return s->n_points > 0 || (s->media_caption && s->media_caption[0]) ||
	       (s->media_kind != MODEL_MEDIA_NONE && s->media_url && s->media_url[0]);
}

static void put_media(struct buf *out, const struct model_summary *s)
{
	render_summary_media_html(out, s);
}

static void put_summary(struct buf *out, const struct model_summary *s)
{
	buf_puts(out, "<section class=\"summary\" aria-labelledby=\"summary-h\">\n"
		      "<h2 id=\"summary-h\">Summary</h2>\n");
	if (s->n_points > 0) {
		buf_puts(out, "<ul class=\"key-points\">\n");
		for (size_t i = 0; i < s->n_points; i++) {
			buf_puts(out, "<li>");
			put_md(out, s->points[i]);
			buf_puts(out, "</li>\n");
		}
		buf_puts(out, "</ul>\n");
	}
	put_media(out, s);
	buf_puts(out, "</section>\n");
}

void render_summary_html(struct buf *out, const struct model_page *page)
{
	if (summary_present(&page->summary))
		put_summary(out, &page->summary);
}

void render_pinned_html(struct buf *out, const struct model_page *page,
			const struct model_post *post)
{
	if (!post)
		return;
	buf_puts(out, "<section class=\"pinned-post\" aria-labelledby=\"pinned-h\">\n"
		      "<h2 id=\"pinned-h\" class=\"pinned-label\">Pinned</h2>\n");
	post_html(out, page, post, 3, "pinned-", 0);
	buf_puts(out, "</section>\n");
}

void render_status_html(struct buf *out, enum model_status status)
{
	put_status(out, status);
}

/* "Newer posts" and "Older posts": what a reader wants from a live page's
 * archive. Reading order runs from the live page (the newest) back in time,
 * so the older page is rel="next" and the newer one rel="prev". */
static void put_pager(struct buf *out, const struct model_page *page, size_t no,
		      size_t count)
{
	if (count <= 1)
		return;
	buf_puts(out, "<nav class=\"pager\" aria-label=\"Pages\">\n<ul>\n");
	if (no < count) {
		buf_puts(out, "<li class=\"pager-newer\"><a rel=\"prev\" href=\"");
		put_page_no_url(out, page->slug, no + 1, count);
		buf_puts(out, "\"><span aria-hidden=\"true\">\xe2\x86\x90 </span>Newer posts</a></li>\n");
	}
	if (no > 1) {
		buf_puts(out, "<li class=\"pager-older\"><a rel=\"next\" href=\"");
		put_page_no_url(out, page->slug, no - 1, count);
		buf_puts(out, "\">Older posts<span aria-hidden=\"true\"> \xe2\x86\x92</span></a></li>\n");
	}
	buf_puts(out, "</ul>\n</nav>\n");
}

void render_page_html(struct buf *out, const struct render_site *site,
		      const struct render_page_view *v)
{
	const struct model_page *page = v->page;
	size_t count = v->page_count ? v->page_count : 1;
	size_t no = v->page_no ? v->page_no : count;
	int newest = no >= count;
	struct render_meta meta;
	struct buf canon, sub;
	struct tz_view tv;

	buf_init(&canon, 4096);
	put_page_no_url(&canon, page->slug, no, count);
	buf_init(&sub, 64);
	if (!newest)
		buf_printf(&sub, "older posts, page %zu", no);
	meta = (struct render_meta){ .title = page->title, .path = canon.err ? NULL : canon.data,
				     .page = page, .posts = v->posts, .n_posts = v->n_posts };
	doc_open_meta(out, site, page->title, newest ? NULL : sub.data, &meta, "page-live");
	buf_cleanup(&sub);
	buf_cleanup(&canon);

	buf_puts(out, "<header class=\"page-head\">\n");
	put_status(out, page->status);
	buf_puts(out, "<h1>");
	buf_html(out, page->title);
	buf_puts(out, "</h1>\n");
	if (page->description && page->description[0]) {
		buf_puts(out, "<p class=\"description\">");
		buf_html(out, page->description);
		buf_puts(out, "</p>\n");
	}
	if (page->status == MODEL_STATUS_UPCOMING && page->start_at &&
	    render_time_view(page->zone, page->start_at, &tv) == 0) {
		buf_puts(out, "<p class=\"starts\">Coverage starts at ");
		render_time_html(out, &tv, render_day_parts(page->zone, &tv));
		buf_puts(out, "</p>\n");
	}
	render_search_form_html(out, page, NULL);
	/* "N reading now": filled by web/live.js from the stream's `readers`
	 * event, never rendered here, so that the cached page does not change
	 * with every reader (docs/stream.md); without JavaScript it stays empty. */
	if (newest)
		buf_puts(out, "<p class=\"readers-now\" hidden></p>\n");
	buf_puts(out, "</header>\n");

	if (newest) {
		render_summary_html(out, page);
		render_pinned_html(out, page, v->pinned);
	}
	render_key_events_html(out, page, v->key_events, v->n_key_events);

	buf_puts(out, "<section class=\"updates\" id=\"updates\" aria-labelledby=\"updates-h\" "
		      "data-slug=\"");
	buf_html(out, page->slug);
	buf_printf(out, "\" data-seq=\"%" PRId64 "\" data-page=\"%zu\" data-pages=\"%zu\">\n"
			"<h2 id=\"updates-h\" class=\"vh\">Live updates</h2>\n",
		   page->last_seq, no, count);
	if (v->n_posts == 0)
		buf_puts(out, "<p class=\"empty\">No updates yet. This page updates "
			      "automatically when one is posted.</p>\n");
	for (size_t i = 0; i < v->n_posts; i++)
		render_post_html(out, page, &v->posts[i]);
	buf_puts(out, "</section>\n");
	put_pager(out, page, no, count);
	doc_close(out, site);
}

/* ---- a post's own page ---- */

void render_permalink_html(struct buf *out, const struct render_site *site,
			   const struct model_page *page, const struct model_post *post,
			   size_t page_no, size_t page_count)
{
	struct render_meta meta;
	struct buf canon;

	buf_init(&canon, 4096);
	put_post_url(&canon, page->slug, post->id);
	meta = (struct render_meta){ .title = post->title, .path = canon.err ? NULL : canon.data,
				     .page = page, .post = post };
	doc_open_meta(out, site, post->title, page->title, &meta, "page-post");
	buf_cleanup(&canon);

	buf_puts(out, "<p class=\"context\"><a href=\"");
	put_page_url(out, page->slug);
	buf_puts(out, "\">");
	buf_html(out, page->title);
	buf_puts(out, "</a></p>\n");
	put_status(out, page->status);
	post_html(out, page, post, 1, "post-", 1);
	buf_puts(out, "<p class=\"in-context\"><a href=\"");
	put_page_no_url(out, page->slug, page_no, page_count ? page_count : 1);
	buf_printf(out, "#post-%" PRId64 "\">See this post in the live page</a></p>\n",
		   post->id);
	doc_close(out, site);
}

/* ---- the index ---- */

static void put_index_group(struct buf *out, const struct model_page *pages, size_t n,
			    enum model_status status, const char *heading, const char *hid)
{
	struct tz_view tv;
	size_t shown = 0;
	int64_t last;

	for (size_t i = 0; i < n; i++) {
		const struct model_page *p = &pages[i];

		if (p->status != status)
			continue;
		if (shown++ == 0)
			buf_printf(out, "<section class=\"index-group\" aria-labelledby=\"%s\">\n"
					"<h2 id=\"%s\">%s</h2>\n<ul class=\"page-list\">\n",
				   hid, hid, heading);
		buf_puts(out, "<li class=\"page-item\">\n<h3><a href=\"");
		put_page_url(out, p->slug);
		buf_puts(out, "\">");
		buf_html(out, p->title);
		buf_puts(out, "</a></h3>\n");
		put_status(out, p->status);
		if (p->description && p->description[0]) {
			buf_puts(out, "<p class=\"description\">");
			buf_html(out, p->description);
			buf_puts(out, "</p>\n");
		}
		/* The newest post's time: the page's own last change may be an
		 * import, long after the posts it brought. */
		last = p->newest_post_at ? p->newest_post_at : p->updated_at;
		if (last && render_time_view(p->zone, last, &tv) == 0) {
			buf_puts(out, "<p class=\"updated\">Last updated ");
			render_time_html(out, &tv, render_day_parts(p->zone, &tv));
			buf_puts(out, "</p>\n");
		}
		buf_puts(out, "</li>\n");
	}
	if (shown)
		buf_puts(out, "</ul>\n</section>\n");
}

void render_index_html(struct buf *out, const struct render_site *site,
		       const struct model_page *pages, size_t n)
{
	doc_open(out, site, "Live coverage", NULL, "/", "page-index");
	buf_puts(out, "<h1>Live coverage</h1>\n");
	if (n == 0)
		buf_puts(out, "<p class=\"empty\">There is no live coverage at the moment. "
			      "Please check back later.</p>\n");
	put_index_group(out, pages, n, MODEL_STATUS_LIVE, "Live now", "group-live");
	put_index_group(out, pages, n, MODEL_STATUS_UPCOMING, "Coming up", "group-upcoming");
	put_index_group(out, pages, n, MODEL_STATUS_ENDED, "Ended", "group-ended");
	doc_close(out, site);
}

/* ---- errors ---- */

void render_error_html(struct buf *out, const struct render_site *site, int status,
		       const char *reason, const char *message)
{
	struct render_meta meta = { .noindex = 1 };
	struct buf title;

	buf_init(&title, 512);
	buf_printf(&title, "%d ", status);
	buf_puts(&title, reason ? reason : "Error");
	meta.title = title.err ? "Error" : title.data;
	doc_open_meta(out, site, meta.title, NULL, &meta, "page-error");
	buf_puts(out, "<h1>");
	buf_html(out, title.err ? "Error" : title.data);
	buf_puts(out, "</h1>\n");
	buf_cleanup(&title);
	if (message && message[0]) {
		buf_puts(out, "<p>");
		buf_html(out, message);
		buf_puts(out, "</p>\n");
	}
	buf_puts(out, "<p><a href=\"/\">Go to the list of live pages</a></p>\n");
	doc_close(out, site);
}
