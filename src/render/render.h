/*
 * HTML for readers: the index of live pages, a live page (a page of its posts),
 * a post's permalink page, and error pages. Everything is server-rendered and
 * complete without JavaScript; every piece of data is escaped (buf_html) or goes
 * through markup_inline_html(). Rendering never touches the store: callers load
 * the model and hand it over, so a page is rendered once and cached (page/).
 *
 * Pagination: pages are numbered from the oldest post (page 1 holds the 20
 * oldest), so every page but the newest keeps its content as posts arrive. The
 * newest page is the live page itself, /live/SLUG, and holds the newest full
 * page together with the remainder (20 to 39 posts once there are 20), so the
 * page a reader lands on is never nearly empty; older ones are
 * /live/SLUG?page=N and hold exactly 20.
 *
 * All functions append to `out`; the caller checks out->err once.
 */
#ifndef LIVELINE_RENDER_H
#define LIVELINE_RENDER_H

#include <stddef.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/tz.h"

/* Site-wide facts the templates need. */
struct render_site {
	const char *name;    /* "Liveline" */
	const char *css_url; /* versioned stylesheet URL, "/static/style.3f2a9c1e.css" */
	const char *js_url;  /* versioned script URL, or NULL when there is none yet */
	/* The public base URL, "https://news.example" (no trailing slash): every
	 * absolute link (canonical, feeds, sitemaps, structured data) starts
	 * with it. Never empty. */
	const char *base_url;
};

struct render_page_view {
	const struct model_page *page;
	const struct model_post *posts; /* this page's posts, NEWEST FIRST */
	size_t n_posts;
	const struct model_post *pinned; /* shown above the posts on the newest page; NULL */
	size_t page_no;                  /* 1-based, counted from the oldest */
	size_t page_count;               /* >= 1; page_no == page_count is the live page */
	/* The page's key events, newest first, shown on every page of it
	 * (render_key_events_html, render/render_audience.h); NULL for none. */
	const struct model_key_event *key_events;
	size_t n_key_events;
};

/* The number of pages for `n_posts` posts (at least 1: n_posts / 20), the page
 * number (1-based from the oldest) that holds the post at oldest-first index
 * `index` of `n_posts`, and the posts page `page_no` holds: oldest-first index
 * `first`, `n` of them (0 and 0 for a page that does not exist). Every place
 * that maps posts to pages asks these. */
size_t render_page_count(size_t n_posts);
size_t render_page_of_index(size_t index, size_t n_posts);
void render_page_range(size_t n_posts, size_t page_no, size_t *first, size_t *n);

void render_index_html(struct buf *out, const struct render_site *site,
		       const struct model_page *pages, size_t n);
void render_page_html(struct buf *out, const struct render_site *site,
		      const struct render_page_view *v);
/* A post's own page, with a link to its place (page `page_no` of `page_count`). */
void render_permalink_html(struct buf *out, const struct render_site *site,
			   const struct model_page *page, const struct model_post *post,
			   size_t page_no, size_t page_count);
/* One post as an <article>, the fragment that pages and (later) streams share. */
void render_post_html(struct buf *out, const struct model_page *page,
		      const struct model_post *post);
/* A post's bylines and body blocks, without its heading, times and labels: the
 * content that feeds carry (render/render_feed.h). `page` is for links. */
void render_post_body_html(struct buf *out, const struct model_page *page,
			   const struct model_post *post);
/* The parts of a live page that live updates replace in place (the stream sends
 * them as they are on the page, so the page script swaps elements):
 * the summary <section class="summary"> (nothing when the summary is empty),
 * the pinned post's <section class="pinned-post"> (nothing when post is NULL),
 * and the status label <p class="status ...">. */
void render_summary_html(struct buf *out, const struct model_page *page);
void render_pinned_html(struct buf *out, const struct model_page *page,
			const struct model_post *post);
void render_status_html(struct buf *out, enum model_status status);
/* Times as pages show them, one home for the reader pages and the newsroom's.
 * render_time_view: `t` in the page's `zone`, or in UTC when that zone is NULL
 * or unknown (only data written behind the store's back has one: a time in UTC
 * is better than no time). Returns 0, or -1 if neither can be formatted. */
int render_time_view(const char *zone, int64_t t, struct tz_view *tv)
	__attribute__((warn_unused_result));
/* A <time> element: "10:37 GMT", with the zone's full name for screen readers
 * in place of the abbreviation, then what `parts` asks for. */
#define RENDER_TIME_DAY	 1 /* " 17 February" */
#define RENDER_TIME_YEAR 2 /* " 2025", after the day */
void render_time_html(struct buf *out, const struct tz_view *tv, int parts);
/* The document around every reader page, for pages rendered in other files
 * of render/ (render_search.c): the <head> (title "title1 - title2 - site",
 * title2 may be NULL; `canonical`, built by the caller from escaped parts, or
 * NULL), the site's header, and the <main> that render_doc_close() ends. */
void render_doc_open(struct buf *out, const struct render_site *site, const char *title1,
		     const char *title2, const char *canonical, const char *body_class);
/* An <img>'s src="URL" and, for one of our uploads (made in several widths),
 * srcset and sizes for the page's column: the attributes alone, escaped, for
 * the caller to put after "<img ". */
void render_img_src_html(struct buf *out, const char *url);
struct render_meta;
/* The same, with what the page tells machines given whole (render_meta.h):
 * a search page asks robots not to index it. */
void render_doc_open_meta(struct buf *out, const struct render_site *site, const char *title1,
			  const char *title2, const struct render_meta *meta,
			  const char *body_class);
void render_doc_close(struct buf *out, const struct render_site *site);

/* The parts a reader's page shows for a day: RENDER_TIME_DAY, with
 * RENDER_TIME_YEAR when `tv`'s year is not the current one in `zone` ("10:37
 * GMT 17 February 2025" on a page read in 2026). Every reader page shows days
 * this way. A page rendered in one year and kept would be wrong in the next:
 * live.c drops rendered pages around New Year (live_calendar). */
int render_day_parts(const char *zone, const struct tz_view *tv);
/* Tests fix the time "now" that render_day_parts compares with (UTC seconds;
 * 0: the clock). */
void render_now_set(int64_t t);
/* A short HTML error page: "404 Not Found" and one sentence. */
void render_error_html(struct buf *out, const struct render_site *site, int status,
		       const char *reason, const char *message);

#endif
