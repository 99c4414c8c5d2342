/*
 * The key events list, the share control and the summary's media: see
 * render_audience.h. The links here are site paths, like every link of a
 * reader page; web/live.js resolves a shared link against the page's canonical
 * address, so that what a reader shares starts with the public base URL.
 */
#include "render/render_audience.h"

#include <inttypes.h>

#include "markup/markup.h"
#include "media/media.h"
#include "render/render.h"

void render_key_events_html(struct buf *out, const struct model_page *page,
			    const struct model_key_event *k, size_t n)
{
	size_t count = render_page_count(page->n_posts);
	struct tz_view tv;

	if (n == 0)
		return;
	buf_puts(out, "<nav class=\"key-events\" id=\"key-events\" aria-labelledby=\"key-events-h\">\n"
		      "<h2 id=\"key-events-h\">Key events</h2>\n<ul class=\"key-events-list\">\n");
	for (size_t i = 0; i < n; i++) {
		/* A post past the count (added after the page was loaded) is on
		 * the newest page. */
		size_t no = k[i].index >= 0 ? render_page_of_index((size_t)k[i].index, page->n_posts)
						 : count;

		buf_printf(out, "<li><a href=\"/live/");
		buf_html(out, page->slug);
		if (no < count)
			buf_printf(out, "?page=%zu", no);
		buf_printf(out, "#post-%" PRId64 "\" data-post=\"%" PRId64 "\">"
				"<span class=\"key-event-title\">",
			   k[i].id, k[i].id);
		buf_html(out, k[i].title);
		buf_puts(out, "</span>");
		if (render_time_view(page->zone, k[i].published_at, &tv) == 0) {
			buf_putc(out, ' ');
			render_time_html(out, &tv, render_day_parts(page->zone, &tv));
		}
		buf_puts(out, "</a></li>\n");
	}
	buf_puts(out, "</ul>\n</nav>\n");
}

void render_share_html(struct buf *out, const struct model_page *page,
		       const struct model_post *post)
{
	/* A post not stored yet (the newsroom's preview) has no permalink. */
	if (post->id <= 0)
		return;
	buf_puts(out, "<p class=\"post-share\"><a class=\"share-link\" href=\"/live/");
	buf_html(out, page->slug);
	buf_printf(out, "/posts/%" PRId64 "\">Link to this post</a></p>\n", post->id);
}

static int present(const char *s)
{
	return s && s[0];
}

/* The caption and the credit, as a post's image has them. */
static void put_caption(struct buf *out, const struct model_summary *s, const char *source)
{
	int has_caption = present(s->media_caption), has_credit = present(s->media_credit);

	if (!has_caption && !has_credit)
		return;
	buf_puts(out, "<figcaption>");
	if (has_caption) {
		buf_puts(out, "<span class=\"vh\">Media caption, </span>");
		markup_inline_html(out, s->media_caption);
	}
	if (has_credit) {
		buf_puts(out, has_caption ? " <span class=\"credit\">" : "<span class=\"credit\">");
		buf_puts(out, source);
		buf_html(out, s->media_credit);
		buf_puts(out, "</span>");
	}
	buf_puts(out, "</figcaption>");
}

static void put_video(struct buf *out, const struct model_summary *s)
{
	buf_puts(out, "<figure class=\"media media-video\"><video controls preload=\"metadata\" "
		      "playsinline src=\"");
	buf_html(out, s->media_url);
	buf_puts(out, "\"");
	if (present(s->media_poster) && markup_url_allowed(s->media_poster)) {
		buf_puts(out, " poster=\"");
		buf_html(out, s->media_poster);
		buf_puts(out, "\"");
	}
	if (present(s->media_alt)) {
		buf_puts(out, " aria-label=\"");
		buf_html(out, s->media_alt);
		buf_puts(out, "\"");
	}
	buf_puts(out, "><a href=\"");
	buf_html(out, s->media_url);
	buf_puts(out, "\">Download the video</a></video>");
	put_caption(out, s, "Video source, ");
	buf_puts(out, "</figure>\n");
}

static void put_image(struct buf *out, const struct model_summary *s)
{
	buf_puts(out, "<figure class=\"media media-image\"><img ");
	render_img_src_html(out, s->media_url);
	buf_puts(out, " alt=\"");
	buf_html(out, s->media_alt ? s->media_alt : "");
	/* At the top of the page: not lazy, it is the first thing seen. */
	buf_puts(out, "\" decoding=\"async\">");
	put_caption(out, s, "Image source, ");
	buf_puts(out, "</figure>\n");
}

/* An imported capture keeps the caption but not the file: one line saying
 * what was there, rather than a large box with nothing in it. */
static void put_absent(struct buf *out, const struct model_summary *s)
{
	int video = s->media_kind != MODEL_MEDIA_IMAGE;

	buf_puts(out, "<figure class=\"media media-absent\"><figcaption>"
		      "<span class=\"media-absent-label\">");
	buf_puts(out, video ? "Video not available" : "Image not available");
	buf_puts(out, "<span class=\"vh\">:</span></span> ");
	if (present(s->media_caption))
		markup_inline_html(out, s->media_caption);
	else
		buf_html(out, s->media_alt);
	buf_puts(out, "</figcaption></figure>\n");
}

void render_summary_media_html(struct buf *out, const struct model_summary *s)
{
	int has_url = present(s->media_url) && markup_url_allowed(s->media_url);

	if (has_url && s->media_kind == MODEL_MEDIA_VIDEO)
		put_video(out, s);
	else if (has_url && s->media_kind == MODEL_MEDIA_IMAGE)
		put_image(out, s);
	else if (present(s->media_caption) || present(s->media_alt))
		put_absent(out, s);
}
