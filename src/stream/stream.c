/*
 * Live updates over Server-Sent Events: topics, rings of framed events,
 * subscribers as cursors on sockets the hub holds. See stream.h and
 * docs/stream.md.
 */
#include "stream/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "render/render.h"
#include "text/text.h"
#include "util/buf.h"
#include "util/log.h"

/* libmicrohttpd allocates this much for a callback response; the hub takes the
 * socket on the first call, so nothing is ever read through it. */
#define STREAM_BLOCK 64
#define STREAM_FRAME_MAX (8u << 20)
#define STREAM_IO_EVENTS 64

/* Immutable bytes shared by every subscriber that sends them, kept in their
 * chunked form: "SIZE-HEX\r\n" payload "\r\n". A chunked stream sends all of
 * it, an HTTP/1.0 stream only the payload, so one frame serves both. */
struct stream_frame {
	unsigned refs;
	unsigned hdr;  /* length of the chunk-size line */
	size_t len;    /* payload bytes */
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
	struct stream_list idle;    /* up to date */
	struct stream_list to_wake; /* with something new, sent to by stream_hub_work */
	struct stream_list blocked; /* socket full: waiting for EPOLLOUT */
	size_t n_subs;
	int in_pending;
	struct stream_topic *next, *next_pending;
};

/* One reader. Until the hub holds its socket (fd < 0) it belongs to the
 * libmicrohttpd response (freed with it); then the hub holds a copy, until it
 * is closed (fd < 0 again, on the hub's graveyard list until no epoll event
 * can name it). */
struct stream_sub {
	struct stream_hub *hub;
	struct stream_topic *topic;
	struct MHD_Connection *conn; /* until the hub holds the socket */
	struct stream_list *list;    /* which of its topic's lists it is on */
	struct stream_sub *prev, *next;
	struct stream_frame *first;  /* sent before anything else, then released */
	struct stream_frame *cur;    /* being sent (a reference) */
	size_t off;                  /* bytes of cur already sent */
	int64_t last_sent;           /* sequence number of the last event taken */
	int fd;
	unsigned hb_gen;
	unsigned char kind, chunked;
	unsigned char adopted; /* the response's copy, once the hub holds the stream */
};

/* Everything below `lock` is guarded by it: the worker's thread renders,
 * opens and adopts streams under it, the hub's thread sends under it. The
 * topics and their rings are written only by the worker's thread (with the
 * lock held), so that thread alone may also read them without it
 * (stream_changes_json). */
struct stream_hub {
	pthread_mutex_t lock;
	pthread_t thread;
	int has_thread, stop;
	struct store *store;
	struct stream_topic *topics;
	struct stream_topic *pending; /* topics with subscribers to send to */
	struct stream_list graveyard; /* closed subscribers, freed by the hub's thread */
	struct stream_frame *heartbeat, *hello, *hello_reload;
	int epfd;
	int wakefd; /* eventfd in epfd: work for the hub's thread */
	unsigned hb_gen;
	unsigned text_keepalive_s; /* TCP keepalive idle time of text streams; 0: none */
	size_t ring_size;
	atomic_size_t n_subs; /* read without the lock by the accept policy */
	atomic_int sending;   /* sends queued or under way: set with the lock by
			       * whoever queues them, cleared by the hub's thread */
	int shutting_down;
	/* The worker's thread's own: connections libmicrohttpd was told to drop
	 * after the hub took their socket, until it frees them. */
	struct MHD_Connection **dropped;
	size_t n_dropped, cap_dropped;
};

static const char stream_last_chunk[] = "0\r\n\r\n";

/* Tells the hub's thread there is sending to do. */
static void stream_hub_wake(struct stream_hub *h)
{
	uint64_t one = 1;

	(void)!write(h->wakefd, &one, sizeof(one));
}

/* ---- frames ---- */

static struct stream_frame *stream_frame_new(const char *data, size_t len)
{
	char line[24];
	int hdr = snprintf(line, sizeof(line), "%zx\r\n", len);
	struct stream_frame *f = malloc(sizeof(*f) + (size_t)hdr + len + 2);

	if (!f)
		return NULL;
	f->refs = 1;
	f->hdr = (unsigned)hdr;
	f->len = len;
	memcpy(f->data, line, (size_t)hdr);
	memcpy(f->data + hdr, data, len);
	memcpy(f->data + hdr + len, "\r\n", 2);
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

/* The bytes a stream sends for `f`: the whole chunk, or the bare payload. */
static const char *stream_frame_wire(const struct stream_frame *f, int chunked, size_t *n)
{
	if (chunked) {
		*n = f->hdr + f->len + 2;
		return f->data;
	}
	*n = f->len;
	return f->data + f->hdr;
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

/* Schedules everyone idle on `t` to be sent to by stream_hub_work(). Blocked
 * readers catch up when their socket has room. */
static void stream_topic_wake_all(struct stream_hub *h, struct stream_topic *t)
{
	stream_list_splice(&t->to_wake, &t->idle);
	if (t->to_wake.head && !t->in_pending) {
		t->in_pending = 1;
		t->next_pending = h->pending;
		h->pending = t;
		atomic_store(&h->sending, 1);
		stream_hub_wake(h);
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

static void stream_sub_close(struct stream_sub *s);

/* Ends the streams of blocked readers that still need event `seq`, which is
 * about to leave the ring: they stopped reading (their socket is full) and would
 * otherwise hold a connection forever. Readers on the other lists find the gap
 * when they next take an event (stream_sub_next). */
static void stream_drop_behind(struct stream_topic *t, int64_t seq)
{
	struct stream_sub *s = t->blocked.head, *next;

	for (; s; s = next) {
		next = s->next;
		if (s->last_sent >= seq)
			continue;
		log_info("stream: dropping a reader more than %zu events behind", t->size);
		stream_sub_close(s);
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

	pthread_mutex_lock(&h->lock);
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
	pthread_mutex_unlock(&h->lock);
}

/* ---- the hub ---- */

static void *stream_hub_thread(void *arg);
static void stream_hub_bury(struct stream_hub *h);

/* The hub's lock inherits priority: a real-time request thread (util/prio.h)
 * waiting for it lends its priority to the hub's thread that holds it. */
static void stream_lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(lock, &a);
	pthread_mutexattr_destroy(&a);
}

struct stream_hub *stream_hub_new(struct store *store, size_t ring_size)
{
	static const char reload[] = "{\"kind\":\"reload\",\"reason\":\"The page has changed "
				     "more than this stream can replay.\"}";
	struct stream_hub *h = calloc(1, sizeof(*h));
	struct stream_frame *r;
	struct buf b;

	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (!h)
		return NULL;
	stream_lock_init(&h->lock);
	h->store = store;
	h->ring_size = ring_size ? ring_size : STREAM_RING;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* What every SSE stream starts with: the retry hint, and `reload` when the
	 * reader's position cannot be served from the ring. */
	buf_init(&b, 4096);
	buf_printf(&b, "retry: %d\n\n", STREAM_RETRY_MS);
	h->hello = b.err ? NULL : stream_frame_new(b.data, b.len);
	r = stream_frame_sse(0, "reload", reload);
	if (r)
		buf_append(&b, r->data + r->hdr, r->len);
	h->hello_reload = b.err || !r ? NULL : stream_frame_new(b.data, b.len);
	stream_frame_unref(r);
	buf_cleanup(&b);
	h->heartbeat = stream_frame_new(": keep-alive\n\n", 14);
	if (h->epfd < 0 || h->wakefd < 0 || !h->hello || !h->hello_reload || !h->heartbeat ||
	    epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->wakefd, &ev) < 0) {
		stream_hub_free(h);
		return NULL;
	}
	if (pthread_create(&h->thread, NULL, stream_hub_thread, h) != 0) {
		log_warnx("stream: cannot start the hub's thread");
		stream_hub_free(h);
		return NULL;
	}
	h->has_thread = 1;
	return h;
}

void stream_hub_free(struct stream_hub *h)
{
	if (!h)
		return;
	if (h->has_thread) {
		pthread_mutex_lock(&h->lock);
		h->stop = 1;
		pthread_mutex_unlock(&h->lock);
		stream_hub_wake(h);
		pthread_join(h->thread, NULL);
	}
	stream_hub_shutdown(h);
	stream_hub_bury(h);
	while (h->topics)
		stream_topic_free(h, h->topics);
	stream_frame_unref(h->hello);
	stream_frame_unref(h->hello_reload);
	stream_frame_unref(h->heartbeat);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->wakefd >= 0)
		close(h->wakefd);
	pthread_mutex_destroy(&h->lock);
	free(h->dropped);
	free(h);
}

size_t stream_hub_subscribers(const struct stream_hub *h)
{
	return atomic_load(&h->n_subs);
}

int stream_hub_sending(const struct stream_hub *h)
{
	return atomic_load(&h->sending);
}

size_t stream_hub_dropping(const struct stream_hub *h)
{
	return h->n_dropped;
}

void stream_hub_connection_closed(struct stream_hub *h, struct MHD_Connection *conn)
{
	for (size_t i = 0; i < h->n_dropped; i++) {
		if (h->dropped[i] == conn) {
			h->dropped[i] = h->dropped[--h->n_dropped];
			return;
		}
	}
}

/* Remembers a connection libmicrohttpd is about to drop; without memory the
 * cap just counts it twice until it is gone. */
static void stream_hub_note_dropped(struct stream_hub *h, struct MHD_Connection *conn)
{
	if (h->n_dropped == h->cap_dropped) {
		size_t cap = h->cap_dropped ? h->cap_dropped * 2 : 16;
		struct MHD_Connection **d = realloc(h->dropped, cap * sizeof(*d));
		if (!d)
			return;
		h->dropped = d;
		h->cap_dropped = cap;
	}
	h->dropped[h->n_dropped++] = conn;
}

/* ---- one subscriber ---- */

/* The next frame for `s` to send (a new reference), or NULL when it is up to
 * date. Sets *gap when the reader needs an event the ring no longer has. */
static struct stream_frame *stream_sub_next(struct stream_sub *s, int *gap)
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
			*gap = 1;
			return NULL;
		}
		s->last_sent = slot->seq;
		if (s->kind == STREAM_SSE)
			return stream_frame_ref(slot->sse);
		if (slot->text)
			return stream_frame_ref(slot->text);
	}
	/* A text stream has no comment syntax: it gets no heartbeat, but TCP
	 * keepalive probes instead (stream_sub_adopt). */
	if (s->kind == STREAM_SSE && s->hb_gen != s->hub->hb_gen)
		return stream_frame_ref(s->hub->heartbeat);
	return NULL;
}

/* Ends the stream of a subscriber the hub holds, closing its socket. The
 * struct itself goes to the graveyard: an epoll event the hub's thread has
 * already taken may still name it (stream_hub_bury frees it). */
static void stream_sub_close(struct stream_sub *s)
{
	struct stream_hub *h = s->hub;

	/* libmicrohttpd may not have closed its descriptor of the socket yet:
	 * take it out of our set explicitly rather than rely on close(). */
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
	stream_list_remove(s);
	stream_frame_unref(s->first);
	stream_frame_unref(s->cur);
	s->first = s->cur = NULL;
	/* The topic stays when its last reader leaves: readers come and go, and
	 * rebuilding the ring from the store each time would cost more. */
	s->topic->n_subs--;
	h->n_subs--;
	stream_list_push(&h->graveyard, s);
}

/* Frees the closed subscribers. Called by the hub's thread between handling
 * one set of epoll events and waiting for the next, when none can name them. */
static void stream_hub_bury(struct stream_hub *h)
{
	while (h->graveyard.head) {
		struct stream_sub *s = h->graveyard.head;
		stream_list_remove(s);
		free(s);
	}
}

static void stream_sub_move(struct stream_sub *s, struct stream_list *l)
{
	if (s->list != l) {
		stream_list_remove(s);
		stream_list_push(l, s);
	}
}

/* Sends `s` everything it has not had, until it is up to date (idle) or its
 * socket is full (blocked). Ends the stream of a reader who left or fell out of
 * the ring. One send() per frame: a delivery is one system call. */
static void stream_sub_pump(struct stream_sub *s)
{
	struct stream_topic *t = s->topic;
	int gap = 0;

	for (;;) {
		const char *wire;
		size_t n;
		ssize_t k;

		if (!s->cur) {
			s->cur = stream_sub_next(s, &gap);
			s->off = 0;
			if (!s->cur) {
				if (gap) {
					log_info("stream: dropping a reader more than %zu events behind",
						 t->size);
					stream_sub_close(s);
				} else {
					stream_sub_move(s, &t->idle);
				}
				return;
			}
		}
		wire = stream_frame_wire(s->cur, s->chunked, &n);
		k = send(s->fd, wire + s->off, n - s->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				stream_sub_move(s, &t->blocked);
				return;
			}
			stream_sub_close(s); /* the reader left (EPIPE, ECONNRESET) */
			return;
		}
		/* After a partial send the next one meets the full socket (EAGAIN),
		 * which arms the edge-triggered EPOLLOUT. */
		s->off += (size_t)k;
		if (s->off == n) {
			stream_frame_unref(s->cur);
			s->cur = NULL;
			s->hb_gen = s->hub->hb_gen;
		}
	}
}

/* Sends what is new to a batch of STREAM_SEND_BATCH subscribers. Returns 1 if
 * more are waiting. */
static int stream_hub_work(struct stream_hub *h)
{
	size_t budget = STREAM_SEND_BATCH;

	while (h->pending && budget) {
		struct stream_topic *t = h->pending;
		while (t->to_wake.head && budget) {
			stream_sub_pump(t->to_wake.head);
			budget--;
		}
		if (!t->to_wake.head) {
			h->pending = t->next_pending;
			t->in_pending = 0;
		}
	}
	return h->pending != NULL;
}

/* Handles what epoll reported on the streams' sockets. */
static void stream_hub_io(struct stream_hub *h, const struct epoll_event *ev, int n)
{
	uint64_t count;

	for (int i = 0; i < n; i++) {
		struct stream_sub *s = ev[i].data.ptr;

		if (!s) {
			(void)!read(h->wakefd, &count, sizeof(count));
			continue;
		}
		if (s->fd < 0)
			continue; /* closed since epoll_wait returned */
		/* A reader sends nothing on a stream: input is its going away (end
		 * of file, reset), or a protocol error. Either ends it. */
		if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			stream_sub_close(s);
		else if ((ev[i].events & EPOLLOUT) && s->list == &s->topic->blocked)
			stream_sub_pump(s);
	}
}

/* The hub's thread: sends in batches, taking the lock for one batch at a time
 * so that the worker's thread can open streams and add events in between. The
 * worker's thread never sends a fan-out, so page requests do not wait for one;
 * and as batch work this thread does not preempt it when both are runnable. */
static void *stream_hub_thread(void *arg)
{
	struct stream_hub *h = arg;
	struct epoll_event ev[STREAM_IO_EVENTS];
	struct sched_param none = { 0 };
	int busy = 0, n;

	pthread_setschedparam(pthread_self(), SCHED_BATCH, &none);
	for (;;) {
		n = epoll_wait(h->epfd, ev, STREAM_IO_EVENTS, busy ? 0 : -1);
		if (n < 0 && errno != EINTR) {
			log_warn("stream: epoll_wait");
			n = 0;
		}
		pthread_mutex_lock(&h->lock);
		if (h->stop) {
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		stream_hub_io(h, ev, n < 0 ? 0 : n);
		busy = stream_hub_work(h);
		if (!busy)
			atomic_store(&h->sending, 0);
		stream_hub_bury(h);
		pthread_mutex_unlock(&h->lock);
	}
}

void stream_hub_set_text_keepalive(struct stream_hub *h, unsigned seconds)
{
	pthread_mutex_lock(&h->lock);
	h->text_keepalive_s = seconds;
	pthread_mutex_unlock(&h->lock);
}

void stream_hub_heartbeat(struct stream_hub *h)
{
	pthread_mutex_lock(&h->lock);
	h->hb_gen++;
	for (struct stream_topic *t = h->topics; t; t = t->next)
		stream_topic_wake_all(h, t);
	pthread_mutex_unlock(&h->lock);
}

void stream_hub_shutdown(struct stream_hub *h)
{
	pthread_mutex_lock(&h->lock);
	h->shutting_down = 1;
	for (struct stream_topic *t = h->topics; t; t = t->next) {
		struct stream_list *lists[] = { &t->idle, &t->to_wake, &t->blocked };
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			while (lists[i]->head) {
				struct stream_sub *s = lists[i]->head;
				/* A clean end where it is cheap: a reader then knows the
				 * stream ended and did not break. */
				if (s->chunked && !s->cur)
					(void)!send(s->fd, stream_last_chunk, sizeof(stream_last_chunk) - 1,
						    MSG_NOSIGNAL | MSG_DONTWAIT);
				stream_sub_close(s);
			}
		}
		t->in_pending = 0;
	}
	h->pending = NULL;
	atomic_store(&h->sending, 0);
	pthread_mutex_unlock(&h->lock);
}

/* TCP keepalive on a text stream's socket: after `idle` seconds without traffic
 * the kernel probes the reader every `idle` seconds, which keeps NAT and
 * firewall state alive as the SSE heartbeat does, and ends the stream (the hub
 * then sees the error) when STREAM_KEEPALIVE_PROBES probes go unanswered. A
 * reader sees no bytes of it. */
#define STREAM_KEEPALIVE_PROBES 4
static void stream_keepalive(int fd, int idle)
{
	int on = 1, probes = STREAM_KEEPALIVE_PROBES;

	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof(idle)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof(probes)) < 0)
		log_warn("stream: cannot set TCP keepalive on a text stream");
}

/* Takes the socket of `s` from libmicrohttpd: called when it has sent the
 * response headers and asks for the body, with nothing of its own left to
 * send. Returns the subscriber the hub now holds (a copy: `s` stays with the
 * response, which libmicrohttpd frees when it pleases), or NULL if the socket
 * cannot be taken (the stream then ends). */
static struct stream_sub *stream_sub_adopt(struct stream_sub *s)
{
	struct stream_hub *h = s->hub;
	const union MHD_ConnectionInfo *ci;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };
	struct stream_sub *n;
	int fd, on = 1, off = 0;

	ci = MHD_get_connection_info(s->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return NULL;
	n = malloc(sizeof(*n));
	if (!n)
		return NULL;
	fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("stream: cannot take over a connection");
		free(n);
		return NULL;
	}
	/* libmicrohttpd may have corked the socket for a body that it will not
	 * send; events go out as they come. */
	setsockopt(fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (s->kind == STREAM_TEXT && h->text_keepalive_s)
		stream_keepalive(fd, (int)h->text_keepalive_s);
	*n = *s;
	n->fd = fd;
	n->conn = NULL;
	ev.data.ptr = n;
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_warn("stream: epoll_ctl");
		close(fd);
		free(n);
		return NULL;
	}
	s->first = NULL; /* now n's */
	s->adopted = 1;
	return n;
}

/* libmicrohttpd's body callback, called once: the hub takes the socket and
 * tells libmicrohttpd to drop the connection. With MHD_USE_TURBO it then only
 * closes its own descriptor (no shutdown()), so the socket lives on in ours.
 * It logs the "application error" at debug level. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_sub *s = cls, *n;

	(void)pos;
	(void)buf;
	(void)max;
	if (s->adopted)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (s->hub->shutting_down)
		return MHD_CONTENT_READER_END_OF_STREAM;
	pthread_mutex_lock(&s->hub->lock);
	n = stream_sub_adopt(s);
	stream_hub_note_dropped(s->hub, s->conn);
	if (n) {
		stream_list_push(&n->topic->to_wake, n);
		/* The first bytes go now, without waking the hub's thread. */
		stream_sub_pump(n);
	}
	pthread_mutex_unlock(&s->hub->lock);
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* The response is freed, and with it the subscriber it carried; once adopted
 * that is only an empty shell (the hub holds the copy). */
static void stream_response_free(void *cls)
{
	struct stream_sub *s = cls;

	if (!s->adopted) {
		pthread_mutex_lock(&s->hub->lock);
		stream_frame_unref(s->first);
		s->topic->n_subs--;
		s->hub->n_subs--;
		pthread_mutex_unlock(&s->hub->lock);
	}
	free(s);
}

enum MHD_Result stream_open(struct stream_hub *h, struct MHD_Connection *conn,
			    const struct model_page *page, enum stream_kind kind,
			    int64_t since, const char *snapshot, size_t snapshot_len,
			    int chunked)
{
	struct stream_topic *t;
	struct stream_sub *s;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (h->shutting_down)
		return MHD_NO;
	s = calloc(1, sizeof(*s));
	if (!s)
		return MHD_NO;
	pthread_mutex_lock(&h->lock);
	t = stream_topic_get(h, page);
	if (!t) {
		pthread_mutex_unlock(&h->lock);
		free(s);
		return MHD_NO;
	}
	s->hub = h;
	s->topic = t;
	s->conn = conn;
	s->fd = -1;
	s->kind = (unsigned char)kind;
	s->chunked = chunked ? 1 : 0;
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
		s->first = stream_frame_ref(reload ? h->hello_reload : h->hello);
	} else if (snapshot) {
		s->first = stream_frame_new(snapshot, snapshot_len);
		if (!s->first) {
			pthread_mutex_unlock(&h->lock);
			free(s);
			return MHD_NO;
		}
	}
	t->n_subs++;
	h->n_subs++;
	pthread_mutex_unlock(&h->lock);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read, s,
					      stream_response_free);
	if (!r) {
		stream_response_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				kind == STREAM_SSE ? "text/event-stream; charset=utf-8"
						   : "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, no-transform");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* The headers may wait for a slow reader; after them the hub holds it. */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r); /* frees s through stream_response_free if not queued */
	return ret;
}

char *stream_changes_json(struct stream_hub *h, const struct model_page *page,
			  int64_t since, size_t *len)
{
	struct stream_topic *t;
	json_t *root = NULL, *arr = NULL;
	char *out = NULL;
	int reload;

	/* A poller must not wait for the hub's thread to finish a batch of sends:
	 * the lock is taken only to create the topic or add events to its ring.
	 * Reading the ring needs none (see struct stream_hub). */
	t = stream_topic_find(h, page->id);
	if (!t || t->last_seq < page->last_seq) {
		pthread_mutex_lock(&h->lock);
		t = stream_topic_get(h, page);
		pthread_mutex_unlock(&h->lock);
	}
	if (!t)
		goto out;
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
