/*
 * Events of the change log, rendered once at commit. See stream_event.h and
 * docs/stream.md.
 */
#include "stream/stream_event.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_json.h"
#include "model/model_limits.h"
#include "render/render.h"
#include "render/render_audience.h"
#include "text/text.h"
#include "util/buf.h"

#define STREAM_EVENT_MAX (8u << 20)

static void stream_event_set_html(json_t *o, const char *key, struct buf *b)
{
	json_object_set_new(o, key, json_string(b->err || !b->data ? "" : b->data));
	buf_reset(b);
}

/* The page's list of key events as it is once the change is made, for the
 * changes that may alter it: a key event published, any edit (the mark, the
 * title or the time may have changed) and any deletion. Left out when the
 * store cannot say, so that a page keeps the list it has. */
static void stream_event_key_events(struct store *s, const struct model_page *page, json_t *o,
				    struct buf *b)
{
	struct model_key_event *k = NULL;
	size_t n = 0;

	if (store_post_key_events(s, page->id, MODEL_KEY_EVENTS_MAX, &k, &n) < 0)
		return;
	render_key_events_html(b, page, k, n);
	stream_event_set_html(o, "key_events_html", b);
	model_key_events_free(k, n);
}

int stream_event_render(struct store *s, const struct model_page *page,
			const struct store_change *c, char **data, char **text)
{
	json_t *o = json_object();
	struct model_post post = { 0 };
	int have_post = 0, rc = -1;
	struct buf b;

	*data = *text = NULL;
	buf_init(&b, STREAM_EVENT_MAX);
	if (!o)
		goto out;
	json_object_set_new(o, "seq", json_integer(c->seq));
	json_object_set_new(o, "kind", json_string(store_change_kind_name(c->kind)));
	if (c->post_id || c->kind == STORE_CHANGE_PIN)
		json_object_set_new(o, "post_id", json_integer(c->post_id));
	if (c->post_id && c->kind != STORE_CHANGE_DELETE)
		have_post = store_post_get(s, page->id, c->post_id, &post) == 0;

	switch (c->kind) {
	case STORE_CHANGE_POST:
	case STORE_CHANGE_UPDATE:
		if (!have_post) {
			json_object_set_new(o, "gone", json_true());
			break;
		}
		render_post_html(&b, page, &post);
		stream_event_set_html(o, "html", &b);
		json_object_set_new(o, "title", json_string(post.title));
		json_object_set_new(o, "breaking", json_boolean(post.breaking));
		json_object_set_new(o, "key_event", json_boolean(post.key_event));
		json_object_set_new(o, "published_at", model_json_time(post.published_at));
		json_object_set_new(o, "updated_at", model_json_time(post.updated_at));
		if (c->kind == STORE_CHANGE_UPDATE && post.pinned) {
			render_pinned_html(&b, page, &post);
			stream_event_set_html(o, "pinned_html", &b);
		}
		if (c->kind == STORE_CHANGE_UPDATE || post.key_event)
			stream_event_key_events(s, page, o, &b);
		if (c->kind == STORE_CHANGE_POST) {
			if (text_export_post(&b, page, &post, 1) == 0 && !b.err)
				*text = strndup(b.data ? b.data : "", b.len);
			buf_reset(&b);
		}
		break;
	case STORE_CHANGE_PIN:
		if (have_post) {
			post.pinned = 1;
			render_pinned_html(&b, page, &post);
			stream_event_set_html(o, "html", &b);
			/* The list's copy of the post carries a "Pinned" label too. */
			render_post_html(&b, page, &post);
			stream_event_set_html(o, "post_html", &b);
		} else {
			stream_event_set_html(o, "html", &b);
		}
		break;
	case STORE_CHANGE_SUMMARY:
		render_summary_html(&b, page);
		stream_event_set_html(o, "html", &b);
		break;
	case STORE_CHANGE_STATUS:
		json_object_set_new(o, "status", json_string(model_status_name(page->status)));
		render_status_html(&b, page->status);
		stream_event_set_html(o, "html", &b);
		break;
	case STORE_CHANGE_PAGE:
		json_object_set_new(o, "title", json_string(page->title));
		json_object_set_new(o, "description",
				    json_string(page->description ? page->description : ""));
		break;
	case STORE_CHANGE_DELETE:
		stream_event_key_events(s, page, o, &b);
		break;
	case STORE_CHANGE_PUBLISH:
	case STORE_CHANGE_UNPUBLISH:
		break;
	}
	/* Compact JSON escapes every newline: the object is one line, one SSE
	 * data: line. */
	*data = json_dumps(o, JSON_COMPACT);
	rc = *data ? 0 : -1;
out:
	if (rc < 0) {
		free(*text);
		*text = NULL;
	}
	if (have_post)
		model_post_cleanup(&post);
	json_decref(o);
	buf_cleanup(&b);
	return rc;
}

int stream_event_store(void *ctx, struct store *s, const struct store_change *c,
		       char **data, char **text)
{
	struct model_page page;
	int rc;

	(void)ctx;
	*data = *text = NULL;
	if (store_page_get_by_id(s, c->page_id, &page) < 0)
		return -1;
	rc = stream_event_render(s, &page, c, data, text);
	model_page_cleanup(&page);
	return rc;
}

int stream_event_usable(const char *data)
{
	size_t n = data ? strlen(data) : 0;

	return n >= 2 && data[0] == '{' && data[n - 1] == '}' && !memchr(data, '\n', n) &&
	       !memchr(data, '\r', n);
}
