/*
 * Live updates over Server-Sent Events: topics, rings of framed events,
 * subscribers as cursors, batched wake-ups. See stream.h and docs/stream.md.
 */
#include "stream/stream.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "render/render.h"
#include "text/text.h"
#include "util/buf.h"
#include "util/log.h"

/* libmicrohttpd allocates this much per callback response, but for chunked
 * (HTTP/1.1) streams it writes into the connection's own pool instead and never
 * uses it: keep it small, it is per subscriber. HTTP/1.0 readers get their
 * events in pieces of this size. */
#define STREAM_BLOCK 512
#define STREAM_FRAME_MAX (8u << 20)

/* Immutable bytes shared by every subscriber that sends them. */
struct stream_frame {
	unsigned refs;
	size_t len;
	char data[];
};

struct stream_slot {
	int64_t seq;
	struct stream_frame *sse;  /* "id: N\nevent: K\ndata: {...}\n\n" */
	struct stream_frame *text; /* the post in the text form; NULL if not a new post */
	json_t *data;              /* the data object, for /changes (a reference) */
};

struct stream_sub;

/* An intrusive list of subscribers. */
struct stream_list {
	struct stream_sub *head, *tail;
};

struct stream_topic {
	int64_t page_id;
	struct stream_slot *ring; /* `size` slots, oldest at `head` */
	size_t size, head, count;
	int64_t last_seq;         /* newest event in the ring (or page's seq at load) */
	struct stream_list active;  /* sending, or about to be asked for data */
	struct stream_list waiting; /* suspended, up to date */
	struct stream_list to_wake; /* suspended, with something new to send */
	size_t n_subs;
	int in_pending;
	struct stream_topic *next, *next_pending;
};

struct stream_sub {
	struct stream_hub *hub;
	struct stream_topic *topic;
	struct MHD_Connection *conn;
	struct stream_list *list; /* which of its topic's lists it is on */
	struct stream_sub *prev, *next;
	enum stream_kind kind;
	int suspended;
	int closing;              /* 1: end cleanly; 2: dropped (too slow) */
	int dropped_logged;
	int64_t last_sent;        /* sequence number of the last event sent */
	struct stream_frame *first; /* sent before anything else, then released */
	struct stream_frame *cur; /* being sent (a reference) */
	size_t off;
	unsigned hb_gen;
};

struct stream_hub {
	struct store *store;
	struct stream_topic *topics;
	struct stream_topic *pending; /* topics with subscribers to wake */
	unsigned hb_gen;
	size_t ring_size;
	size_t n_subs;
	int shutting_down;
};

static const char stream_heartbeat[] = ": keep-alive\n\n";

/* ---- frames ---- */

static struct stream_frame *stream_frame_new(const char *data, size_t len)
{
	struct stream_frame *f = malloc(sizeof(*f) + len);

	if (!f)
		return NULL;
	f->refs = 1;
	f->len = len;
	memcpy(f->data, data, len);
	return f;
}

static struct stream_frame *stream_frame_ref(struct stream_frame *f)
{
	if (f)
		f->refs++;
	return f;
}

static void stream_frame_unref(struct stream_frame *f)
{
	if (f && --f->refs == 0)
		free(f);
}

/* Frames one event: an id line (when id > 0), the event name, and one data:
 * line per line of `data`, as the SSE format wants. */
static struct stream_frame *stream_frame_sse(int64_t id, const char *event, const char *data)
{
	struct stream_frame *f;
	const char *p = data, *nl;
	struct buf b;

	buf_init(&b, STREAM_FRAME_MAX);
	if (id > 0)
		buf_printf(&b, "id: %lld\n", (long long)id);
	buf_printf(&b, "event: %s\n", event);
	do {
		nl = strchr(p, '\n');
		buf_puts(&b, "data: ");
		buf_append(&b, p, nl ? (size_t)(nl - p) : strlen(p));
		buf_putc(&b, '\n');
		p = nl ? nl + 1 : NULL;
	} while (p);
	buf_putc(&b, '\n');
	f = b.err ? NULL : stream_frame_new(b.data, b.len);
	buf_cleanup(&b);
	return f;
}

/* ---- subscriber lists ---- */

static void stream_list_push(struct stream_list *l, struct stream_sub *s)
{
	s->list = l;
	s->next = NULL;
	s->prev = l->tail;
	if (l->tail)
		l->tail->next = s;
	else
		l->head = s;
	l->tail = s;
}

static void stream_list_remove(struct stream_sub *s)
{
	struct stream_list *l = s->list;

	if (!l)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		l->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		l->tail = s->prev;
	s->list = NULL;
	s->prev = s->next = NULL;
}

/* Appends all of `from` to `to` in O(1). */
static void stream_list_splice(struct stream_list *to, struct stream_list *from)
{
	if (!from->head)
		return;
	for (struct stream_sub *s = from->head; s; s = s->next)
		s->list = to;
	if (to->tail) {
		to->tail->next = from->head;
		from->head->prev = to->tail;
	} else {
		to->head = from->head;
	}
	to->tail = from->tail;
	from->head = from->tail = NULL;
}

/* Schedules everyone waiting on `t` to be woken by stream_hub_work(). */
static void stream_topic_wake_all(struct stream_hub *h, struct stream_topic *t)
{
	stream_list_splice(&t->to_wake, &t->waiting);
	if (t->to_wake.head && !t->in_pending) {
		t->in_pending = 1;
		t->next_pending = h->pending;
		h->pending = t;
	}
}

/* ---- events ---- */

static void stream_slot_clear(struct stream_slot *s)
{
	stream_frame_unref(s->sse);
	stream_frame_unref(s->text);
	json_decref(s->data);
	memset(s, 0, sizeof(*s));
}

static void stream_json_set_html(json_t *o, const char *key, struct buf *b)
{
	json_object_set_new(o, key, json_string(b->err || !b->data ? "" : b->data));
	buf_reset(b);
}

/* An instant as an ISO 8601 UTC string, as JSON. */
static json_t *stream_iso(int64_t t)
{
	time_t tt = (time_t)t;
	char s[32];
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(s);
}

/* Builds the event of one change from the store's current state: its data
 * object (docs/stream.md) and, for a new post, its text form. */
static int stream_render(struct stream_hub *h, const struct model_page *page,
			 const struct store_change *c, struct stream_slot *out)
{
	json_t *o = json_object();
	struct model_post post = { 0 };
	int have_post = 0, rc = -1;
	struct buf b;
	char *data;

	buf_init(&b, STREAM_FRAME_MAX);
	if (!o)
		goto out;
	json_object_set_new(o, "seq", json_integer(c->seq));
	json_object_set_new(o, "kind", json_string(store_change_kind_name(c->kind)));
	if (c->post_id || c->kind == STORE_CHANGE_PIN)
		json_object_set_new(o, "post_id", json_integer(c->post_id));
	if (c->post_id && c->kind != STORE_CHANGE_DELETE)
		have_post = store_post_get(h->store, page->id, c->post_id, &post) == 0;

	switch (c->kind) {
	case STORE_CHANGE_POST:
	case STORE_CHANGE_UPDATE:
		if (!have_post) {
			json_object_set_new(o, "gone", json_true());
			break;
		}
		render_post_html(&b, page, &post);
		stream_json_set_html(o, "html", &b);
		json_object_set_new(o, "title", json_string(post.title));
		json_object_set_new(o, "breaking", json_boolean(post.breaking));
		json_object_set_new(o, "key_event", json_boolean(post.key_event));
		json_object_set_new(o, "published_at", stream_iso(post.published_at));
		json_object_set_new(o, "updated_at", stream_iso(post.updated_at));
		if (c->kind == STORE_CHANGE_UPDATE && post.pinned) {
			render_pinned_html(&b, page, &post);
			stream_json_set_html(o, "pinned_html", &b);
		}
		if (c->kind == STORE_CHANGE_POST) {
			if (text_export_post(&b, page, &post, 1) == 0 && !b.err)
				out->text = stream_frame_new(b.data ? b.data : "", b.len);
			buf_reset(&b);
		}
		break;
	case STORE_CHANGE_PIN:
		if (have_post) {
			post.pinned = 1;
			render_pinned_html(&b, page, &post);
			stream_json_set_html(o, "html", &b);
			/* The list's copy of the post carries a "Pinned" label too. */
			render_post_html(&b, page, &post);
			stream_json_set_html(o, "post_html", &b);
		} else {
			stream_json_set_html(o, "html", &b);
		}
		break;
	case STORE_CHANGE_SUMMARY:
		render_summary_html(&b, page);
		stream_json_set_html(o, "html", &b);
		break;
	case STORE_CHANGE_STATUS:
		json_object_set_new(o, "status", json_string(model_status_name(page->status)));
		render_status_html(&b, page->status);
		stream_json_set_html(o, "html", &b);
		break;
	case STORE_CHANGE_PAGE:
		json_object_set_new(o, "title", json_string(page->title));
		json_object_set_new(o, "description", json_string(page->description ? page->description : ""));
		break;
	case STORE_CHANGE_DELETE:
		break;
	}
	data = json_dumps(o, JSON_COMPACT);
	if (!data)
		goto out;
	out->seq = c->seq;
	out->data = json_incref(o);
	out->sse = stream_frame_sse(c->seq, store_change_kind_name(c->kind), data);
	free(data);
	rc = out->sse ? 0 : -1;
out:
	if (rc < 0)
		stream_slot_clear(out);
	if (have_post)
		model_post_cleanup(&post);
	json_decref(o);
	buf_cleanup(&b);
	return rc;
}

static struct stream_slot *stream_ring_at(struct stream_topic *t, size_t i)
{
	return &t->ring[(t->head + i) % t->size];
}

static int64_t stream_oldest_seq(struct stream_topic *t)
{
	return t->count ? stream_ring_at(t, 0)->seq : t->last_seq + 1;
}

/* The slot holding event `seq`, or NULL if it is not (or no longer) kept. */
static struct stream_slot *stream_ring_find(struct stream_topic *t, int64_t seq)
{
	int64_t oldest = stream_oldest_seq(t);

	if (seq < oldest || seq > t->last_seq)
		return NULL;
	return stream_ring_at(t, (size_t)(seq - oldest));
}

/* Ends the connections of active readers that still need event `seq`, which is
 * about to leave the ring: they stopped reading (their socket is full, so
 * libmicrohttpd no longer asks them for data) and would otherwise hold a
 * connection forever. Shutting the socket down makes libmicrohttpd close it. */
static void stream_drop_behind(struct stream_topic *t, int64_t seq)
{
	for (struct stream_sub *s = t->active.head; s; s = s->next) {
		const union MHD_ConnectionInfo *ci;

		if (s->last_sent >= seq || s->closing)
			continue;
		s->closing = 2;
		s->dropped_logged = 1;
		log_info("stream: dropping a reader more than %zu events behind", t->size);
		ci = MHD_get_connection_info(s->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci)
			shutdown(ci->connect_fd, SHUT_RDWR);
	}
}

static void stream_ring_push(struct stream_topic *t, struct stream_slot *s)
{
	if (t->count == t->size) {
		stream_drop_behind(t, stream_ring_at(t, 0)->seq);
		stream_slot_clear(stream_ring_at(t, 0));
		t->head = (t->head + 1) % t->size;
		t->count--;
	}
	*stream_ring_at(t, t->count) = *s;
	t->count++;
	t->last_seq = s->seq;
}

/* Renders the events of `page` after the topic's last one, up to the page's
 * newest. Returns 0, or -1 if the store failed (the topic is then unchanged
 * past what was rendered). */
static int stream_topic_catch_up(struct stream_hub *h, struct stream_topic *t,
				 const struct model_page *page)
{
	struct store_change *ch;
	struct stream_slot slot;
	size_t n;

	while (t->last_seq < page->last_seq) {
		if (store_page_changes_since(h->store, page->id, t->last_seq, 256, &ch, &n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			memset(&slot, 0, sizeof(slot));
			if (ch[i].seq != t->last_seq + 1 || stream_render(h, page, &ch[i], &slot) < 0) {
				free(ch);
				return -1;
			}
			stream_ring_push(t, &slot);
		}
		free(ch);
		if (n == 0)
			break;
	}
	return 0;
}

static struct stream_topic *stream_topic_find(struct stream_hub *h, int64_t page_id)
{
	for (struct stream_topic *t = h->topics; t; t = t->next)
		if (t->page_id == page_id)
			return t;
	return NULL;
}

/* The topic of `page`, created with the last STREAM_RING events when it is the
 * first reader's. */
static struct stream_topic *stream_topic_get(struct stream_hub *h, const struct model_page *page)
{
	struct stream_topic *t = stream_topic_find(h, page->id);

	if (t) {
		if (stream_topic_catch_up(h, t, page) < 0)
			log_warnx("stream: %s", store_errmsg(h->store));
		return t;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->size = h->ring_size;
	t->ring = calloc(t->size, sizeof(*t->ring));
	if (!t->ring) {
		free(t);
		return NULL;
	}
	t->page_id = page->id;
	t->last_seq = page->last_seq > (int64_t)t->size ? page->last_seq - (int64_t)t->size : 0;
	if (stream_topic_catch_up(h, t, page) < 0) {
		log_warnx("stream: %s", store_errmsg(h->store));
		for (size_t i = 0; i < t->count; i++)
			stream_slot_clear(stream_ring_at(t, i));
		free(t->ring);
		free(t);
		return NULL;
	}
	t->next = h->topics;
	h->topics = t;
	return t;
}

static void stream_topic_free(struct stream_hub *h, struct stream_topic *t)
{
	struct stream_topic **pp;

	for (pp = &h->topics; *pp && *pp != t; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = t->next;
	for (pp = &h->pending; *pp && *pp != t; pp = &(*pp)->next_pending)
		;
	if (*pp)
		*pp = t->next_pending;
	for (size_t i = 0; i < t->count; i++)
		stream_slot_clear(stream_ring_at(t, i));
	free(t->ring);
	free(t);
}

void stream_hub_apply(struct stream_hub *h, const struct store_change *changes, size_t n)
{
	struct model_page page;

	for (size_t i = 0; i < n; i++) {
		struct stream_topic *t = stream_topic_find(h, changes[i].page_id);
		int64_t before;

		if (!t || changes[i].seq <= t->last_seq)
			continue; /* nobody reads that page here, or already rendered */
		/* One load of the page renders all of its changes in this batch. */
		if (store_page_get_by_id(h->store, changes[i].page_id, &page) < 0) {
			log_warnx("stream: %s", store_errmsg(h->store));
			continue;
		}
		before = t->last_seq;
		if (stream_topic_catch_up(h, t, &page) < 0)
			log_warnx("stream: %s", store_errmsg(h->store));
		model_page_cleanup(&page);
		if (t->last_seq > before)
			stream_topic_wake_all(h, t);
	}
}

/* ---- the hub ---- */

struct stream_hub *stream_hub_new(struct store *store, size_t ring_size)
{
	struct stream_hub *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->store = store;
	h->ring_size = ring_size ? ring_size : STREAM_RING;
	return h;
}

void stream_hub_free(struct stream_hub *h)
{
	if (!h)
		return;
	while (h->topics)
		stream_topic_free(h, h->topics);
	free(h);
}

size_t stream_hub_subscribers(const struct stream_hub *h)
{
	return h->n_subs;
}

static void stream_sub_resume(struct stream_sub *s)
{
	stream_list_remove(s);
	stream_list_push(&s->topic->active, s);
	if (s->suspended) {
		s->suspended = 0;
		MHD_resume_connection(s->conn);
	}
}

int stream_hub_work(struct stream_hub *h)
{
	size_t budget = h->n_subs / 16;

	if (budget < STREAM_WAKE_BATCH)
		budget = STREAM_WAKE_BATCH;
	if (budget > 4096)
		budget = 4096;

	while (h->pending && budget) {
		struct stream_topic *t = h->pending;
		while (t->to_wake.head && budget) {
			stream_sub_resume(t->to_wake.head);
			budget--;
		}
		if (!t->to_wake.head) {
			h->pending = t->next_pending;
			t->in_pending = 0;
		}
	}
	return h->pending != NULL;
}

void stream_hub_heartbeat(struct stream_hub *h)
{
	h->hb_gen++;
	for (struct stream_topic *t = h->topics; t; t = t->next)
		stream_topic_wake_all(h, t);
}

void stream_hub_shutdown(struct stream_hub *h)
{
	h->shutting_down = 1;
	for (struct stream_topic *t = h->topics; t; t = t->next) {
		stream_topic_wake_all(h, t);
		while (t->to_wake.head) {
			t->to_wake.head->closing = 1;
			stream_sub_resume(t->to_wake.head);
		}
	}
	h->pending = NULL;
	for (struct stream_topic *t = h->topics; t; t = t->next)
		t->in_pending = 0;
}

/* ---- one subscriber ---- */

/* The next frame for `s` to send (a new reference), or NULL when it is up to
 * date. Sets s->closing = 2 when the reader fell out of the ring. */
static struct stream_frame *stream_sub_next(struct stream_sub *s)
{
	struct stream_topic *t = s->topic;
	struct stream_slot *slot;

	if (s->first) {
		struct stream_frame *f = s->first;
		s->first = NULL;
		return f;
	}
	while (s->last_sent < t->last_seq) {
		slot = stream_ring_find(t, s->last_sent + 1);
		if (!slot) {
			s->closing = 2;
			return NULL;
		}
		s->last_sent = slot->seq;
		if (s->kind == STREAM_SSE)
			return stream_frame_ref(slot->sse);
		if (slot->text)
			return stream_frame_ref(slot->text);
	}
	return NULL;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_sub *s = cls;
	size_t n = 0;

	(void)pos;
	if (s->hub->shutting_down && !s->closing)
		s->closing = 1;
	while (n < max) {
		if (!s->cur) {
			if (s->closing)
				break;
			s->cur = stream_sub_next(s);
			s->off = 0;
			if (!s->cur)
				break;
		}
		size_t k = s->cur->len - s->off;
		if (k > max - n)
			k = max - n;
		memcpy(buf + n, s->cur->data + s->off, k);
		n += k;
		s->off += k;
		if (s->off == s->cur->len) {
			stream_frame_unref(s->cur);
			s->cur = NULL;
		}
	}
	if (n > 0) {
		s->hb_gen = s->hub->hb_gen;
		return (ssize_t)n;
	}
	if (s->closing == 2) {
		if (!s->dropped_logged)
			log_info("stream: dropping a reader more than %zu events behind",
				 s->topic->size);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (s->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (s->hb_gen != s->hub->hb_gen && s->kind == STREAM_SSE &&
	    max >= sizeof(stream_heartbeat) - 1) {
		s->hb_gen = s->hub->hb_gen;
		memcpy(buf, stream_heartbeat, sizeof(stream_heartbeat) - 1);
		return (ssize_t)(sizeof(stream_heartbeat) - 1);
	}
	/* Nothing to send: sleep until an event or a heartbeat wakes us. */
	stream_list_remove(s);
	stream_list_push(&s->topic->waiting, s);
	s->suspended = 1;
	MHD_suspend_connection(s->conn);
	return 0;
}

static void stream_sub_free(void *cls)
{
	struct stream_sub *s = cls;
	struct stream_topic *t = s->topic;

	stream_list_remove(s);
	stream_frame_unref(s->first);
	stream_frame_unref(s->cur);
	/* The topic stays when its last reader leaves: readers come and go, and
	 * rebuilding the ring from the store each time would cost more. */
	t->n_subs--;
	s->hub->n_subs--;
	free(s);
}

/* What an SSE stream starts with: the retry hint, and `reload` when the reader's
 * position cannot be served from the ring. */
static struct stream_frame *stream_first_frame(int reload)
{
	struct buf b;
	struct stream_frame *f, *r;

	buf_init(&b, 4096);
	buf_printf(&b, "retry: %d\n\n", STREAM_RETRY_MS);
	f = b.err ? NULL : stream_frame_new(b.data, b.len);
	buf_cleanup(&b);
	if (!f || !reload)
		return f;
	r = stream_frame_sse(0, "reload", "{\"kind\":\"reload\",\"reason\":\"The page has "
					  "changed more than this stream can replay.\"}");
	if (!r) {
		stream_frame_unref(f);
		return NULL;
	}
	b.data = NULL;
	buf_init(&b, 8192);
	buf_append(&b, f->data, f->len);
	buf_append(&b, r->data, r->len);
	stream_frame_unref(f);
	stream_frame_unref(r);
	f = b.err ? NULL : stream_frame_new(b.data, b.len);
	buf_cleanup(&b);
	return f;
}

enum MHD_Result stream_open(struct stream_hub *h, struct MHD_Connection *conn,
			    const struct model_page *page, enum stream_kind kind,
			    int64_t since, const char *snapshot, size_t snapshot_len)
{
	struct stream_topic *t;
	struct stream_sub *s;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (h->shutting_down)
		return MHD_NO;
	t = stream_topic_get(h, page);
	if (!t)
		return MHD_NO;
	s = calloc(1, sizeof(*s));
	if (!s)
		return MHD_NO;
	s->hub = h;
	s->topic = t;
	s->conn = conn;
	s->kind = kind;
	s->hb_gen = h->hb_gen;
	s->last_sent = t->last_seq;
	if (kind == STREAM_SSE) {
		int reload = 0;
		if (since >= 0) {
			/* Exactly the events after `since`, if the ring still has them all. */
			if (since > t->last_seq || since + 1 < stream_oldest_seq(t))
				reload = 1;
			else
				s->last_sent = since;
		}
		s->first = stream_first_frame(reload);
	} else if (snapshot) {
		s->first = stream_frame_new(snapshot, snapshot_len);
	}
	if ((kind == STREAM_SSE || snapshot) && !s->first)
		goto fail_sub;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, s,
					      stream_sub_free);
	if (!r)
		goto fail_sub;
	t->n_subs++;
	h->n_subs++;
	stream_list_push(&t->active, s);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				kind == STREAM_SSE ? "text/event-stream; charset=utf-8"
						   : "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, no-transform");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* A stream is idle by design between events; heartbeats prove it alive. */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r); /* frees s through stream_sub_free if not queued */
	return ret;
fail_sub:
	stream_frame_unref(s->first);
	free(s);
	return MHD_NO;
}

char *stream_changes_json(struct stream_hub *h, const struct model_page *page,
			  int64_t since, size_t *len)
{
	struct stream_topic *t = stream_topic_get(h, page);
	json_t *root, *arr;
	char *out = NULL;
	int reload;

	if (!t)
		return NULL;
	reload = since > t->last_seq || since + 1 < stream_oldest_seq(t);
	root = json_object();
	arr = json_array();
	if (!root || !arr)
		goto out;
	json_object_set_new(root, "slug", json_string(page->slug));
	json_object_set_new(root, "last_seq", json_integer(t->last_seq));
	json_object_set_new(root, "reload", json_boolean(reload));
	for (int64_t seq = since + 1; !reload && seq <= t->last_seq; seq++) {
		struct stream_slot *slot = stream_ring_find(t, seq);
		if (slot && json_array_append(arr, slot->data) < 0)
			goto out;
	}
	if (json_object_set(root, "changes", arr) < 0)
		goto out;
	out = json_dumps(root, JSON_COMPACT);
	if (out && len)
		*len = strlen(out);
out:
	json_decref(arr);
	json_decref(root);
	return out;
}
