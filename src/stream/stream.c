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

#include "stream/stream_event.h"
#include "util/buf.h"
#include "util/list.h"
#include "util/log.h"
#include "util/stats.h"

#define STREAM_FRAME_MAX (8u << 20)
#define STREAM_IO_EVENTS 64
/* A stream socket's send buffer, bytes (the kernel doubles it for its own
 * bookkeeping). Left to autotuning, a reader who stops reading lets the kernel
 * queue up to tcp_wmem's maximum (4 MiB here; 790 KB each was measured) for
 * it, and keeps that after we close. Events are seconds apart and a few KB
 * each (a post's data object and text form), so 32 KiB holds several of them:
 * a reader who is only slow waits for EPOLLOUT and catches up from the ring,
 * which keeps the backlog, not the kernel. See docs/performance.md. */
#define STREAM_SNDBUF (32 * 1024)

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
	int64_t post_id;           /* the change's */
	unsigned char kind;        /* enum store_change_kind */
	struct stream_frame *sse;  /* "id: N\nevent: K\ndata: {...}\n\n" */
	struct stream_frame *text; /* the post in the text form; NULL if not a new post */
	size_t data_off, data_len; /* the data object's JSON in sse's payload, for /changes */
};

struct stream_sub;

struct stream_topic {
	int64_t page_id;
	struct stream_slot *ring; /* `size` slots, oldest at `head` */
	size_t size, head, count;
	int64_t last_seq;         /* newest event in the ring (or page's seq at load) */
	/* Its subscribers (struct stream_sub's `link`), by what they wait for: */
	struct util_list idle;    /* up to date */
	struct util_list to_wake; /* with something new, sent to by stream_hub_work */
	struct util_list blocked; /* socket full: waiting for EPOLLOUT */
	size_t n_subs;
	int stats_page;           /* its row of open streams (util/stats.h) */
	int in_pending;
	int hidden;               /* the ring's newest visibility change is "unpublish":
				   * no stream of the page is served until "publish" */
	/* "N reading now" (stream_hub_readers_set): the `readers` event as
	 * framed once for every reader, outside the ring (it has no id and is
	 * never replayed); a reader whose readers_gen differs is sent it once
	 * it is up to date. */
	struct stream_frame *readers;
	unsigned readers_gen;
	int64_t readers_n;
	struct stream_topic *next, *next_pending;
};

/* One reader. From stream_sub_new until stream_sub_start (fd < 0) it is
 * counted but holds no socket and is on no list; then the hub holds its
 * socket until it is closed (fd < 0 again, on the hub's graveyard list until
 * no epoll event can name it). */
struct stream_sub {
	struct stream_hub *hub;
	struct stream_topic *topic;
	struct util_list *list;      /* which of its topic's lists it is on, or NULL */
	struct util_link link;       /* ...and its place there */
	struct stream_frame *first;  /* sent before anything else, then released */
	struct stream_frame *cur;    /* being sent (a reference) */
	size_t off;                  /* bytes of cur already sent */
	int64_t last_sent;           /* sequence number of the last event taken */
	int fd;
	unsigned hb_gen;
	unsigned readers_gen;        /* the topic's readers_gen when its figure was taken */
	unsigned char kind, chunked;
	unsigned char want_readers;  /* asked for the figure of readers (SSE only) */
	unsigned char cur_event;     /* cur is an event of the ring (the tally counts it) */
	struct stream_watch *watch;  /* stream_sub_watch's, or NULL */
};

/* Who is told when a stream ends, and what it sent (stream_sub_watch). */
struct stream_watch {
	stream_end_fn fn;
	void *arg;
	struct stream_tally tally;
	struct stream_watch *next; /* on the hub's `ended` list */
};

/* Everything below `lock` is guarded by it: the worker's thread adds events
 * and starts streams under it, the hub's thread sends under it. The topics
 * and their rings are written only by the worker's thread (with the lock
 * held), so that thread alone may also read them without it: it reads the
 * store and renders before it takes the lock (stream_topic_take), and
 * stream_changes_json reads a ring without it. Nothing slow runs under it. */
struct stream_hub {
	pthread_mutex_t lock;
	pthread_t thread;
	int has_thread, stop;
	struct store *store;
	struct stream_topic *topics;
	struct stream_topic *pending; /* topics with subscribers to send to */
	struct util_list graveyard; /* closed subscribers, freed by the hub's thread */
	struct stream_frame *heartbeat, *hello, *hello_reload;
	struct stream_frame *unpublished; /* the reload sent as a page is unpublished */
	int epfd;
	int wakefd; /* eventfd in epfd: work for the hub's thread */
	unsigned hb_gen;
	unsigned text_keepalive_s; /* TCP keepalive idle time of text streams; 0: none */
	size_t ring_size;
	atomic_size_t n_subs; /* read without the lock by the accept policy */
	atomic_int sending;   /* sends queued or under way: set with the lock by
			       * whoever queues them, cleared by the hub's thread */
	int shutting_down;
	/* Watchers of streams that ended under the lock, told once it is
	 * released (stream_hub_unlock): nothing of theirs runs under it. */
	struct stream_watch *ended;
};

/* Releases the lock, then tells the watchers of the streams that ended while
 * it was held (stream_sub_watch), on this thread: a watcher (the access log)
 * formats and copies a line, which no sender or reader should wait for. */
static void stream_hub_unlock(struct stream_hub *h)
{
	struct stream_watch *w = h->ended, *next;

	h->ended = NULL;
	pthread_mutex_unlock(&h->lock);
	for (; w; w = next) {
		next = w->next;
		w->fn(w->arg, &w->tally);
		free(w);
	}
}

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

/* The subscriber of a list's link, or NULL. */
static struct stream_sub *stream_sub_of(struct util_link *l)
{
	return l ? UTIL_CONTAINER(l, struct stream_sub, link) : NULL;
}

static void stream_list_push(struct util_list *l, struct stream_sub *s)
{
	s->list = l;
	util_list_push(l, &s->link);
}

static void stream_list_remove(struct stream_sub *s)
{
	if (!s->list)
		return;
	util_list_remove(s->list, &s->link);
	s->list = NULL;
}

/* Appends all of `from` to `to`: O(1) but for noting the new list in each. */
static void stream_list_splice(struct util_list *to, struct util_list *from)
{
	for (struct util_link *l = from->head; l; l = l->next)
		stream_sub_of(l)->list = to;
	util_list_splice(to, from);
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
	memset(s, 0, sizeof(*s));
}

/* Makes the slot of change `c` from its event's data object (one line of JSON,
 * as stream_event_usable() checks) and text form (NULL: none). */
static int stream_slot_fill(struct stream_slot *out, const struct store_change *c,
			    const char *data, const char *text)
{
	struct buf b;

	buf_init(&b, STREAM_FRAME_MAX);
	buf_printf(&b, "id: %lld\nevent: %s\ndata: ", (long long)c->seq,
		   store_change_kind_name(c->kind));
	out->data_off = b.len;
	out->data_len = strlen(data);
	buf_append(&b, data, out->data_len);
	buf_puts(&b, "\n\n");
	out->seq = c->seq;
	out->post_id = c->post_id;
	out->kind = (unsigned char)c->kind;
	out->sse = b.err ? NULL : stream_frame_new(b.data, b.len);
	buf_cleanup(&b);
	if (out->sse && text)
		out->text = stream_frame_new(text, strlen(text));
	if (!out->sse || (text && !out->text)) {
		stream_slot_clear(out);
		return -1;
	}
	return 0;
}

/* The event of one change: as stored at its commit, or rendered now from the
 * store's current state when none was (stream_event.h). */
static int stream_render(struct stream_hub *h, const struct model_page *page,
			 const struct store_change *c, struct stream_slot *out)
{
	char *data, *text;
	int rc;

	if (stream_event_usable(c->event))
		return stream_slot_fill(out, c, c->event, c->text);
	if (stream_event_render(h->store, page, c, &data, &text) < 0)
		return -1;
	rc = stream_slot_fill(out, c, data, text);
	free(data);
	free(text);
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
static void stream_sub_drop(struct stream_sub *s);

/* Ends the streams of blocked readers that still need event `seq`, which is
 * about to leave the ring: they stopped reading (their socket is full) and would
 * otherwise hold a connection forever. Readers on the other lists find the gap
 * when they next take an event (stream_sub_next). */
static void stream_drop_behind(struct stream_topic *t, int64_t seq)
{
	struct stream_sub *s = stream_sub_of(t->blocked.head), *next;

	for (; s; s = next) {
		next = stream_sub_of(s->link.next);
		if (s->last_sent >= seq)
			continue;
		log_info("stream: dropping a reader more than %zu events behind", t->size);
		stats_count(STATS_READERS_DROPPED, 1);
		stream_sub_drop(s);
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

/* 1 if change `c` is an edit or a deletion of a post: its earlier events must
 * then be made again (stream_topic_refresh). */
static int stream_change_rewrites(const struct store_change *c)
{
	return c->post_id && (c->kind == STORE_CHANGE_UPDATE || c->kind == STORE_CHANGE_DELETE);
}

/* A ring slot made again: its sequence number and the fresh slot. */
struct stream_redo {
	int64_t seq;
	struct stream_slot slot;
};

/* After an edit or a deletion (a change of `changes`) the post's earlier events
 * in the ring, up to `upto`, are made again from what the post is now (or
 * "gone"), as the store's copies are (STMT_CHANGE_FORGET): a reader who replays
 * them never gets words that were corrected or taken down. This renders them
 * into *out (malloc'd; *n_out of them) WITHOUT the lock: it reads the store and
 * renders, and the ring it reads is written only by this (the worker's) thread.
 * stream_topic_take swaps them in under the lock. `page` is the page when the
 * caller has it loaded, else NULL (it is loaded only when something needs
 * making again: most edits find nothing of theirs in the ring). */
static void stream_topic_refresh(struct stream_hub *h, struct stream_topic *t,
				 const struct model_page *page, const struct store_change *changes,
				 size_t n, int64_t upto, struct stream_redo **out, size_t *n_out)
{
	struct model_page loaded;
	struct stream_redo *redo = NULL;
	size_t k = 0, cap = 0;
	int have_page = page != NULL;

	*out = NULL;
	*n_out = 0;
	for (size_t i = 0; i < t->count; i++) {
		struct stream_slot *slot = stream_ring_at(t, i), fresh = { 0 };
		struct store_change old = { 0 };
		char *data = NULL, *text = NULL;
		size_t j;

		if (slot->seq > upto || slot->kind == STORE_CHANGE_DELETE)
			continue;
		for (j = 0; j < n; j++)
			if (stream_change_rewrites(&changes[j]) && changes[j].post_id == slot->post_id)
				break;
		if (j == n)
			continue;
		if (!have_page) {
			if (store_page_get_by_id(h->store, t->page_id, &loaded) < 0) {
				log_warnx("stream: %s", store_errmsg(h->store));
				break;
			}
			page = &loaded;
			have_page = 2;
		}
		if (k == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct stream_redo *r = realloc(redo, ncap * sizeof(*r));
			if (!r)
				break;
			redo = r;
			cap = ncap;
		}
		old.page_id = page->id;
		old.seq = slot->seq;
		old.kind = (enum store_change_kind)slot->kind;
		old.post_id = slot->post_id;
		if (stream_event_render(h->store, page, &old, &data, &text) == 0 &&
		    stream_slot_fill(&fresh, &old, data, text) == 0) {
			redo[k].seq = slot->seq;
			redo[k++].slot = fresh;
		} else {
			log_warnx("stream: cannot render event %lld again", (long long)old.seq);
		}
		free(data);
		free(text);
	}
	if (have_page == 2)
		model_page_cleanup(&loaded);
	*out = redo;
	*n_out = k;
}

/* The page went back to the newsroom: its readers' streams end, and no event
 * after this reaches them. An SSE reader that is not half-way through a frame
 * is told to reload first (where it then finds a 404); the rest only see the
 * stream end. Streams not yet started end when they are (stream_sub_start). */
static void stream_topic_end(struct stream_hub *h, struct stream_topic *t)
{
	struct util_list *lists[] = { &t->idle, &t->to_wake, &t->blocked };

	t->hidden = 1;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		while (lists[i]->head) {
			struct stream_sub *s = stream_sub_of(lists[i]->head);
			int whole = 1; /* no frame left half sent: the last chunk may follow */
			size_t n;
			const char *wire;

			if (!s->cur && !s->first && s->kind == STREAM_SSE) {
				wire = stream_frame_wire(h->unpublished, s->chunked, &n);
				whole = send(s->fd, wire, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n;
			}
			if (s->chunked && !s->cur && whole)
				(void)!send(s->fd, stream_last_chunk, sizeof(stream_last_chunk) - 1,
					    MSG_NOSIGNAL | MSG_DONTWAIT);
			stream_sub_close(s);
		}
	}
}

/* Appends the events of `changes` (their slots filled, `n` of each, in order)
 * to the topic and wakes its readers. Events after `fresh_from` were read from
 * the store with these, as their posts are now: only those before may need
 * making again, which is done first, without the lock (stream_topic_refresh).
 * Under the lock only pointers move and non-blocking sends are made: the
 * hub's thread never waits for a store read or a render. */
static void stream_topic_take(struct stream_hub *h, struct stream_topic *t,
			      const struct model_page *page, const struct store_change *changes,
			      struct stream_slot *slots, size_t n, int64_t fresh_from)
{
	struct stream_redo *redo = NULL;
	size_t n_redo = 0;

	for (size_t i = 0; i < n; i++) {
		if (stream_change_rewrites(&changes[i])) {
			stream_topic_refresh(h, t, page, changes, n, fresh_from, &redo, &n_redo);
			break;
		}
	}
	pthread_mutex_lock(&h->lock);
	/* Swapped in before the new events are pushed, which may rotate the
	 * ring: the ring has not changed since they were made (only this thread
	 * writes it). A reader sending an old frame finishes it (a reference). */
	for (size_t i = 0; i < n_redo; i++) {
		struct stream_slot *slot = stream_ring_find(t, redo[i].seq);
		if (slot) {
			stream_slot_clear(slot);
			*slot = redo[i].slot;
		} else {
			stream_slot_clear(&redo[i].slot);
		}
	}
	for (size_t i = 0; i < n; i++) {
		stream_ring_push(t, &slots[i]);
		if (changes[i].kind == STORE_CHANGE_UNPUBLISH)
			stream_topic_end(h, t);
		else if (changes[i].kind == STORE_CHANGE_PUBLISH)
			t->hidden = 0;
	}
	if (n)
		stream_topic_wake_all(h, t);
	stream_hub_unlock(h);
	free(redo);
}

/* Renders the events of `page` after the topic's last one, up to the page's
 * newest, and appends them. Store reads and renders run without the lock
 * (only this thread writes the ring). Returns 0, or -1 if the store failed
 * (the topic is then unchanged past what was rendered). */
static int stream_topic_catch_up(struct stream_hub *h, struct stream_topic *t,
				 const struct model_page *page)
{
	int64_t fresh_from = t->last_seq;
	struct stream_slot *slots;
	struct store_change *ch;
	size_t n, k;
	int rc = 0;

	while (rc == 0 && t->last_seq < page->last_seq) {
		if (store_page_changes_since(h->store, page->id, t->last_seq, 256, &ch, &n) < 0)
			return -1;
		if (n == 0)
			break;
		slots = calloc(n, sizeof(*slots));
		if (!slots) {
			store_changes_free(ch, n);
			return -1;
		}
		for (k = 0; k < n; k++) {
			if (ch[k].seq != t->last_seq + 1 + (int64_t)k ||
			    stream_render(h, page, &ch[k], &slots[k]) < 0) {
				rc = -1;
				break;
			}
		}
		stream_topic_take(h, t, page, ch, slots, k, fresh_from);
		free(slots);
		store_changes_free(ch, n);
	}
	return rc;
}

static struct stream_topic *stream_topic_find(struct stream_hub *h, int64_t page_id)
{
	for (struct stream_topic *t = h->topics; t; t = t->next)
		if (t->page_id == page_id)
			return t;
	return NULL;
}

/* The topic of `page`, created with the last STREAM_RING events when it is the
 * first reader's. Called by the worker's thread without the lock: it reads
 * the store, and takes the lock only to add events and to link a new topic. */
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
	t->stats_page = stats_page_index(page->slug);
	t->last_seq = page->last_seq > (int64_t)t->size ? page->last_seq - (int64_t)t->size : 0;
	/* Not linked yet: nothing but this thread can see it. */
	if (stream_topic_catch_up(h, t, page) < 0) {
		log_warnx("stream: %s", store_errmsg(h->store));
		for (size_t i = 0; i < t->count; i++)
			stream_slot_clear(stream_ring_at(t, i));
		free(t->ring);
		free(t);
		return NULL;
	}
	pthread_mutex_lock(&h->lock);
	t->next = h->topics;
	h->topics = t;
	stream_hub_unlock(h);
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
	stream_frame_unref(t->readers);
	free(t->ring);
	free(t);
}

void stream_hub_apply(struct stream_hub *h, const struct store_change *changes, size_t n)
{
	struct model_page page;

	/* The topics are linked and their rings written only by this thread:
	 * it reads them without the lock, which stream_topic_take takes to add. */
	for (size_t i = 0; i < n; i++) {
		struct stream_topic *t = stream_topic_find(h, changes[i].page_id);

		if (!t)
			continue; /* nobody reads that page here */
		if (changes[i].seq <= t->last_seq) {
			/* Rendered already, with an earlier change of this batch. */
			stats_publish_observe(changes[i].id);
			continue;
		}
		/* The next event, as rendered at its commit: no store read at all. */
		if (changes[i].seq == t->last_seq + 1 && stream_event_usable(changes[i].event)) {
			struct stream_slot slot = { 0 };

			if (stream_slot_fill(&slot, &changes[i], changes[i].event,
					     changes[i].text) == 0) {
				stream_topic_take(h, t, NULL, &changes[i], &slot, 1,
						  changes[i].seq - 1);
				stats_publish_observe(changes[i].id);
				continue;
			}
		}
		/* One load of the page renders all of its changes in this batch. */
		if (store_page_get_by_id(h->store, changes[i].page_id, &page) < 0) {
			log_warnx("stream: %s", store_errmsg(h->store));
			continue;
		}
		if (stream_topic_catch_up(h, t, &page) < 0)
			log_warnx("stream: %s", store_errmsg(h->store));
		else
			stats_publish_observe(changes[i].id);
		model_page_cleanup(&page);
	}
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
	static const char gone[] = "{\"kind\":\"reload\",\"reason\":\"This live page is no "
				   "longer public.\"}";
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
	h->unpublished = stream_frame_sse(0, "reload", gone);
	if (h->epfd < 0 || h->wakefd < 0 || !h->hello || !h->hello_reload || !h->heartbeat ||
	    !h->unpublished ||
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
		stream_hub_unlock(h);
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
	stream_frame_unref(h->unpublished);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->wakefd >= 0)
		close(h->wakefd);
	pthread_mutex_destroy(&h->lock);
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

int stream_hub_readers_get(struct stream_hub *h, struct store_readers **out, size_t *n)
{
	struct store_readers *v;
	size_t k = 0, cap = 0;

	*out = NULL;
	*n = 0;
	/* Only this thread links topics: counted without the lock, allocated
	 * before taking it. */
	for (struct stream_topic *t = h->topics; t; t = t->next)
		cap++;
	if (cap == 0)
		return 0;
	v = calloc(cap, sizeof(*v));
	if (!v)
		return -1;
	/* n_subs changes under the lock (the hub's thread closes streams). */
	pthread_mutex_lock(&h->lock);
	for (struct stream_topic *t = h->topics; t && k < cap; t = t->next) {
		v[k].page_id = t->page_id;
		v[k++].readers = (int64_t)t->n_subs;
	}
	stream_hub_unlock(h);
	*out = v;
	*n = k;
	return 0;
}

int stream_hub_readers_set(struct stream_hub *h, int64_t page_id, int64_t readers)
{
	struct stream_topic *t = stream_topic_find(h, page_id);
	struct stream_frame *f, *old;
	char data[96];

	if (!t || (t->readers && t->readers_n == readers))
		return 0;
	snprintf(data, sizeof(data), "{\"kind\":\"readers\",\"readers\":%lld}",
		 (long long)readers);
	/* Framed before the lock: under it only pointers move. */
	f = stream_frame_sse(0, "readers", data);
	if (!f)
		return -1;
	pthread_mutex_lock(&h->lock);
	old = t->readers;
	t->readers = f;
	t->readers_gen++;
	t->readers_n = readers;
	/* A reader sending the old frame holds a reference of its own; the
	 * counts are the hub's thread's too, so this is under the lock. */
	stream_frame_unref(old);
	if (!t->hidden)
		stream_topic_wake_all(h, t);
	stream_hub_unlock(h);
	return 1;
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
		if (s->kind == STREAM_SSE) {
			s->cur_event = 1;
			return stream_frame_ref(slot->sse);
		}
		if (slot->text) {
			s->cur_event = 1;
			return stream_frame_ref(slot->text);
		}
	}
	/* The figure of readers comes after the events (it is the least
	 * urgent), only to SSE readers, and only its newest value: a reader who
	 * was blocked meanwhile skips the ones in between. */
	if (s->want_readers && t->readers && s->readers_gen != t->readers_gen) {
		s->readers_gen = t->readers_gen;
		return stream_frame_ref(t->readers);
	}
	/* A text stream has no comment syntax: it gets no heartbeat, but TCP
	 * keepalive probes instead (stream_socket_ready). */
	if (s->kind == STREAM_SSE && s->hb_gen != s->hub->hb_gen)
		return stream_frame_ref(s->hub->heartbeat);
	return NULL;
}

/* Ends the stream of a subscriber the hub holds, closing its socket. The
 * struct itself goes to the graveyard: an epoll event the hub's thread has
 * already taken may still name it (stream_hub_bury frees it). */
/* `s` is done: its watcher, if any, is told when the lock is released
 * (the lock held). */
static void stream_sub_told(struct stream_sub *s)
{
	struct stream_watch *w = s->watch;

	if (!w)
		return;
	s->watch = NULL;
	w->next = s->hub->ended;
	s->hub->ended = w;
}

static void stream_sub_close(struct stream_sub *s)
{
	struct stream_hub *h = s->hub;

	stream_sub_told(s);

	/* The HTTP layer may not have closed its descriptor of the socket yet:
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
	stats_streams_add(s->topic->stats_page, -1);
	stream_list_push(&h->graveyard, s);
}

/* Ends the stream of a reader who left or stopped reading: with SO_LINGER
 * {1, 0} the close resets the connection and the kernel frees what is queued
 * for it at once. A normal close would keep the unsent bytes (up to the send
 * buffer) in an orphaned socket for as long as the peer's window stays shut,
 * which for thousands of dead readers is the host's TCP memory. */
static void stream_sub_drop(struct stream_sub *s)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset)) < 0)
		log_warn("stream: SO_LINGER");
	stream_sub_close(s);
}

/* Frees the closed subscribers. Called by the hub's thread between handling
 * one set of epoll events and waiting for the next, when none can name them. */
static void stream_hub_bury(struct stream_hub *h)
{
	while (h->graveyard.head) {
		struct stream_sub *s = stream_sub_of(h->graveyard.head);
		stream_list_remove(s);
		free(s);
	}
}

static void stream_sub_move(struct stream_sub *s, struct util_list *l)
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
			s->cur_event = 0;
			s->cur = stream_sub_next(s, &gap);
			s->off = 0;
			if (!s->cur) {
				if (gap) {
					log_info("stream: dropping a reader more than %zu events behind",
						 t->size);
					stats_count(STATS_READERS_DROPPED, 1);
					stream_sub_drop(s);
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
			stream_sub_drop(s); /* the reader left (EPIPE, ECONNRESET) */
			return;
		}
		/* After a partial send the next one meets the full socket (EAGAIN),
		 * which arms the edge-triggered EPOLLOUT. */
		s->off += (size_t)k;
		if (s->watch) {
			s->watch->tally.bytes += (uint64_t)k;
			s->watch->tally.events += s->off == n && s->cur_event;
		}
		if (s->off == n) {
			if (s->cur_event)
				stats_count(STATS_EVENTS_SENT, 1);
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
			stream_sub_pump(stream_sub_of(t->to_wake.head));
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
			stream_sub_drop(s);
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
			stream_hub_unlock(h);
			return NULL;
		}
		stream_hub_io(h, ev, n < 0 ? 0 : n);
		busy = stream_hub_work(h);
		if (!busy)
			atomic_store(&h->sending, 0);
		stream_hub_bury(h);
		stream_hub_unlock(h);
	}
}

void stream_hub_set_text_keepalive(struct stream_hub *h, unsigned seconds)
{
	pthread_mutex_lock(&h->lock);
	h->text_keepalive_s = seconds;
	stream_hub_unlock(h);
}

void stream_hub_heartbeat(struct stream_hub *h)
{
	pthread_mutex_lock(&h->lock);
	h->hb_gen++;
	for (struct stream_topic *t = h->topics; t; t = t->next)
		stream_topic_wake_all(h, t);
	stream_hub_unlock(h);
}

/* Sends an SSE reader, between two events, a `retry:` of `ms` and the end of
 * the stream: EventSource then reconnects after `ms` with Last-Event-ID.
 * Returns 1 if all of it went (so the last chunk may follow), 0 if not. */
static int stream_sub_send_retry(struct stream_sub *s, unsigned ms)
{
	char payload[32], wire[64];
	int plen, n;

	plen = snprintf(payload, sizeof(payload), "retry: %u\n\n", ms);
	if (s->chunked)
		n = snprintf(wire, sizeof(wire), "%x\r\n%s\r\n", (unsigned)plen, payload);
	else
		n = snprintf(wire, sizeof(wire), "%s", payload);
	return send(s->fd, wire, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n;
}

/* Ends every stream the hub holds, and every one started from now on. With
 * retry_max_ms > 0 an SSE reader between two events is first told to come
 * back after a delay drawn from [retry_min_ms, retry_max_ms]. */
static void stream_hub_end_all(struct stream_hub *h, unsigned retry_min_ms, unsigned retry_max_ms)
{
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);

	pthread_mutex_lock(&h->lock);
	h->shutting_down = 1;
	for (struct stream_topic *t = h->topics; t; t = t->next) {
		struct util_list *lists[] = { &t->idle, &t->to_wake, &t->blocked };
		for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
			while (lists[i]->head) {
				struct stream_sub *s = stream_sub_of(lists[i]->head);
				int whole = 1;

				/* Spread over the window, so that thousands of
				 * readers do not all come back in one instant. A
				 * reader behind on events gets them on its return,
				 * from its Last-Event-ID. */
				if (retry_max_ms && s->kind == STREAM_SSE && !s->cur && !s->first)
					whole = stream_sub_send_retry(
						s, retry_min_ms + (unsigned)rand_r(&seed) %
							(retry_max_ms - retry_min_ms + 1));
				/* A clean end where it is cheap: a reader then knows the
				 * stream ended and did not break. */
				if (s->chunked && !s->cur && whole)
					(void)!send(s->fd, stream_last_chunk, sizeof(stream_last_chunk) - 1,
						    MSG_NOSIGNAL | MSG_DONTWAIT);
				stream_sub_close(s);
			}
		}
		t->in_pending = 0;
	}
	h->pending = NULL;
	atomic_store(&h->sending, 0);
	stream_hub_unlock(h);
}

void stream_hub_shutdown(struct stream_hub *h)
{
	stream_hub_end_all(h, 0, 0);
}

void stream_hub_retire(struct stream_hub *h, unsigned retry_min_ms, unsigned retry_max_ms)
{
	if (retry_max_ms < retry_min_ms)
		retry_max_ms = retry_min_ms;
	stream_hub_end_all(h, retry_min_ms, retry_max_ms ? retry_max_ms : 1);
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

/* Readies a socket the hub is given for sending events: nothing corked (the
 * HTTP layer may have corked it for a body that it did not send), no Nagle
 * delay, a small send buffer (STREAM_SNDBUF), and keepalive probes for a text
 * stream. Options a socket does not have (a socketpair's TCP ones) are left. */
static void stream_socket_ready(struct stream_hub *h, int fd, enum stream_kind kind)
{
	int on = 1, off = 0, sndbuf = STREAM_SNDBUF;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
		log_warn("stream: SO_SNDBUF");
	if (kind == STREAM_TEXT && h->text_keepalive_s)
		stream_keepalive(fd, (int)h->text_keepalive_s);
}

/* Forgets a subscriber that never held a socket (the lock held). */
static void stream_sub_uncount(struct stream_sub *s)
{
	stream_sub_told(s);
	stream_frame_unref(s->first);
	s->first = NULL;
	s->topic->n_subs--;
	s->hub->n_subs--;
	stats_streams_add(s->topic->stats_page, -1);
}

struct stream_sub *stream_sub_new(struct stream_hub *h, const struct model_page *page,
				  enum stream_kind kind, int64_t since, const char *snapshot,
				  size_t snapshot_len, int chunked)
{
	struct stream_topic *t;
	struct stream_sub *s;

	if (h->shutting_down)
		return NULL;
	/* Without the lock: it may read the store and render the page's events. */
	t = stream_topic_get(h, page);
	if (!t)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	if (kind == STREAM_TEXT && snapshot) {
		s->first = stream_frame_new(snapshot, snapshot_len);
		if (!s->first) {
			free(s);
			return NULL;
		}
	}
	s->hub = h;
	s->topic = t;
	s->fd = -1;
	s->kind = (unsigned char)kind;
	s->chunked = chunked ? 1 : 0;
	pthread_mutex_lock(&h->lock);
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
	}
	t->n_subs++;
	h->n_subs++;
	stats_streams_add(t->stats_page, 1);
	stream_hub_unlock(h);
	return s;
}

void stream_sub_want_readers(struct stream_sub *s)
{
	/* Before stream_sub_start: the hub's thread does not know `s` yet, and
	 * the lock that start takes publishes this. */
	if (s->kind == STREAM_SSE)
		s->want_readers = 1;
}

int stream_sub_start(struct stream_sub *s, int fd)
{
	struct stream_hub *h = s->hub;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };

	stream_socket_ready(h, fd, (enum stream_kind)s->kind);
	pthread_mutex_lock(&h->lock);
	if (h->shutting_down || s->topic->hidden) {
		/* Stopping, or unpublished since the headers were sent: nothing of
		 * the page goes, and the stream ends cleanly. */
		stream_sub_uncount(s);
		stream_hub_unlock(h);
		close(fd);
		free(s);
		return 1;
	}
	s->fd = fd;
	ev.data.ptr = s;
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_warn("stream: epoll_ctl");
		stream_sub_uncount(s);
		stream_hub_unlock(h);
		close(fd);
		free(s);
		return -1;
	}
	stream_list_push(&s->topic->to_wake, s);
	/* The first bytes go now, without waking the hub's thread. */
	stream_sub_pump(s);
	stream_hub_unlock(h);
	return 0;
}

int stream_sub_watch(struct stream_sub *s, stream_end_fn fn, void *arg)
{
	struct stream_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	w->fn = fn;
	w->arg = arg;
	/* Not yet the hub's: no other thread sees `s` before stream_sub_start. */
	s->watch = w;
	return 0;
}

void stream_sub_cancel(struct stream_sub *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->hub->lock);
	stream_sub_uncount(s);
	stream_hub_unlock(s->hub);
	free(s);
}

char *stream_changes_json(struct stream_hub *h, const struct model_page *page,
			  int64_t since, size_t *len, int *reload_out)
{
	struct stream_topic *t;
	char *slug = NULL, *out = NULL;
	json_t *js;
	struct buf b;
	int reload, first = 1;

	/* A poller must not wait for the hub's thread to finish a batch of sends:
	 * the lock is taken only to create the topic or add events to its ring.
	 * Reading the ring needs none (see struct stream_hub). */
	t = stream_topic_find(h, page->id);
	if (!t || t->last_seq < page->last_seq)
		t = stream_topic_get(h, page);
	if (!t)
		return NULL;
	reload = since > t->last_seq || since + 1 < stream_oldest_seq(t);
	if (reload_out)
		*reload_out = reload;
	/* The events are JSON already, as the streams send them: the document
	 * around them is written here rather than parsed and encoded again. */
	if ((js = json_string(page->slug)))
		slug = json_dumps(js, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(js);
	if (!slug)
		return NULL;
	buf_init(&b, STREAM_FRAME_MAX);
	buf_printf(&b, "{\"slug\":%s,\"last_seq\":%lld,\"reload\":%s,\"changes\":[", slug,
		   (long long)t->last_seq, reload ? "true" : "false");
	for (int64_t seq = since + 1; !reload && seq <= t->last_seq; seq++) {
		struct stream_slot *slot = stream_ring_find(t, seq);
		if (!slot)
			continue;
		if (!first)
			buf_putc(&b, ',');
		first = 0;
		buf_append(&b, slot->sse->data + slot->sse->hdr + slot->data_off, slot->data_len);
	}
	buf_puts(&b, "]}");
	out = buf_detach(&b, len);
	buf_cleanup(&b);
	free(slug);
	return out;
}
