/*
 * What a live page gives its readers beside the posts: the list of key events,
 * each post's share control, and the summary's featured video or image. Pages
 * (render_html.c) and stream events (stream/stream_event.c) call these, so a
 * list or a post that arrives live is the same markup as one on a fresh page.
 * Every string from the model goes through buf_html() or markup_inline_html().
 *
 * All functions append to `out`; the caller checks out->err once.
 */
#ifndef LIVELINE_RENDER_AUDIENCE_H
#define LIVELINE_RENDER_AUDIENCE_H

#include <stddef.h>

#include "model/model.h"
#include "util/buf.h"

/* The page's key events, newest first (store_post_key_events()): a
 * <nav class="key-events" id="key-events"> with the heading "Key events" and a
 * list of links, each a title and a <time>, to the post on the page that holds
 * it ("/live/SLUG?page=N#post-ID", or "/live/SLUG#post-ID" on the newest page).
 * `page->n_posts` says how many pages there are. The same markup on every page
 * of a live page, so that the stream can send it as it is. Nothing when n is 0. */
void render_key_events_html(struct buf *out, const struct model_page *page,
			    const struct model_key_event *k, size_t n);

/* A post's share control: a plain link to its permalink, "Link to this post",
 * which web/live.js turns into the system share sheet or a copy to the
 * clipboard. Nothing for a post not stored yet (id 0: a preview). */
void render_share_html(struct buf *out, const struct model_page *page,
		       const struct model_post *post);

/* The summary's featured media as a <figure class="media">: a <video> with its
 * poster and controls, or an image with its alt text; the caption and credit
 * under it. Without a usable address (an imported capture keeps none), only a
 * compact line: what it was ("Video not available") and its caption or alt
 * text. Nothing when there is neither an address nor a caption nor alt text. */
void render_summary_media_html(struct buf *out, const struct model_summary *s);

#endif
