/*
 * Unit tests for the stream hub (src/stream/) over a socketpair: the hub is
 * given one end as a stream's socket (stream_sub_start), events are published
 * as the worker does (stream_hub_apply, with the events stored at their
 * commit, so no store is needed), and the other end is read as a reader would,
 * byte for byte: the SSE framing, HTTP/1.1's chunks, resuming after a
 * Last-Event-ID, the reload for a position the ring no longer holds, the drop
 * of a reader who stopped reading, the heartbeat comment, the end of the
 * streams of a page that is unpublished, the figure of readers ("N reading
 * now") to the streams that ask for it, and what a watcher of a stream is
 * told when it ends (the access log's line).
 *
 * The hub sends from its own thread: every read waits (poll, 10 s at most)
 * for the bytes it expects, and nothing depends on timing.
 */
#include "unit.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model/model.h"
#include "store/store.h"
#include "stream/stream.h"
#include "util/stats.h"

#define PAGE_ID 7
#define WAIT_MS 10000

struct fixture {
	struct stream_hub *hub;
	struct model_page page;
	int64_t seq;         /* the last event published */
	char events[64][96]; /* their data objects */
};

static int setup_ring(void **state, size_t ring)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	/* No store: every event below is stored with its change, and the page
	 * starts with none, so the hub never reads one. */
	f->hub = stream_hub_new(NULL, ring);
	assert_non_null(f->hub);
	f->page.id = PAGE_ID;
	f->page.slug = "harbour";
	f->page.last_seq = 0;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_ring(state, 16);
}

static int setup_small_ring(void **state)
{
	return setup_ring(state, 4);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stream_hub_free(f->hub);
	/* After the hub's thread, which may still be counting (util/stats.h). */
	stats_close();
	free(f);
	return 0;
}

/* Publishes the next event of the page, of `kind`, with a data object
 * `pad` bytes longer than the bare one. */
static void publish_kind(struct fixture *f, enum store_change_kind kind, size_t pad)
{
	struct store_change c = { 0 };
	char *data = malloc(pad + 96);
	int n;

	assert_non_null(data);
	f->seq++;
	n = snprintf(data, 96, "{\"seq\":%lld,\"pad\":\"", (long long)f->seq);
	memset(data + n, 'x', pad);
	memcpy(data + n + pad, "\"}", 3);
	if (f->seq < 64)
		snprintf(f->events[f->seq], sizeof(f->events[0]), "%.*s", (int)sizeof(f->events[0]) - 1,
			 data);
	c.id = 1000 + f->seq;
	c.page_id = PAGE_ID;
	c.seq = f->seq;
	c.kind = kind;
	c.post_id = kind == STORE_CHANGE_POST ? f->seq : 0;
	c.event = data;
	stream_hub_apply(f->hub, &c, 1);
	f->page.last_seq = f->seq;
	free(data);
}

static void publish(struct fixture *f)
{
	publish_kind(f, STORE_CHANGE_POST, 0);
}

/* A stream of the page handed to the hub: returns the reader's end. */
static int subscribe(struct fixture *f, enum stream_kind kind, int64_t since, int chunked,
		     const char *snapshot)
{
	struct stream_sub *s;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	s = stream_sub_new(f->hub, &f->page, kind, since, snapshot,
			   snapshot ? strlen(snapshot) : 0, chunked);
	assert_non_null(s);
	assert_int_equal(stream_sub_start(s, sv[0]), 0);
	return sv[1];
}

struct reader {
	int fd;
	char buf[1 << 20];
	size_t len;
	int eof; /* the hub closed the stream */
};

/* Reads until `want` is among what was read, the stream ends, or WAIT_MS
 * pass. Returns 1 if `want` was read. */
static int read_until(struct reader *r, const char *want)
{
	for (int waited = 0; waited < WAIT_MS;) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		ssize_t n;

		r->buf[r->len] = '\0';
		if (want && strstr(r->buf, want))
			return 1;
		if (r->eof)
			return 0;
		if (poll(&p, 1, 50) == 0) {
			waited += 50;
			continue;
		}
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
		if (n <= 0) {
			r->eof = 1;
			continue;
		}
		r->len += (size_t)n;
	}
	return 0;
}

static void reader_init(struct reader *r, int fd)
{
	r->fd = fd;
	r->len = 0;
	r->eof = 0;
	r->buf[0] = '\0';
}

static char *sse_event(char *out, size_t cap, const struct fixture *f, int64_t seq)
{
	snprintf(out, cap, "id: %lld\nevent: post\ndata: %s\n\n", (long long)seq, f->events[seq]);
	return out;
}

/* A counter of the shared figures (util/stats.h) once it reaches `want`, or
 * after WAIT_MS: the hub's thread adds after its send() returns, which may be
 * just after the reader has the bytes. */
static unsigned long long stats_eventually(enum stats_counter c, unsigned long long want)
{
	unsigned long long v = 0;

	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		v = atomic_load(&stats_region()->slot[0].counter[c]);
		if (v == want)
			break;
		usleep(10000);
	}
	return v;
}

static void test_events_arrive_as_sse(void **state)
{
	struct fixture *f = *state;
	static struct reader r;
	char want[256];

	/* Counted in this worker's slot: the events, not the retry hint. */
	assert_int_equal(stats_open(1), 0);
	stats_attach(0);
	reader_init(&r, subscribe(f, STREAM_SSE, -1, 0, NULL));
	assert_int_equal(atomic_load(&stats_region()->slot[0].gauge[STATS_STREAMS]), 1);
	assert_int_equal(atomic_load(&stats_region()->slot[0].pages[0].streams), 1);
	publish(f);
	publish(f);
	/* Exactly: the retry hint, then each event framed once, in order. */
	assert_true(read_until(&r, sse_event(want, sizeof(want), f, 2)));
	{
		char expect[1024];
		char e1[256], e2[256];

		snprintf(expect, sizeof(expect), "retry: %d\n\n%s%s", STREAM_RETRY_MS,
			 sse_event(e1, sizeof(e1), f, 1), sse_event(e2, sizeof(e2), f, 2));
		assert_string_equal(r.buf, expect);
	}
	assert_int_equal(stream_hub_subscribers(f->hub), 1);
	assert_int_equal(stats_eventually(STATS_EVENTS_SENT, 2), 2);
	close(r.fd);
}

static void test_chunked_stream_sends_chunks(void **state)
{
	struct fixture *f = *state;
	static struct reader r;
	char ev[256], chunk[320];

	reader_init(&r, subscribe(f, STREAM_SSE, -1, 1, NULL));
	publish(f);
	sse_event(ev, sizeof(ev), f, 1);
	snprintf(chunk, sizeof(chunk), "%zx\r\n%s\r\n", strlen(ev), ev);
	assert_true(read_until(&r, chunk));
	/* The hello is a chunk of its own, before it. */
	assert_memory_equal(r.buf, "d\r\nretry: 3000\n\n\r\n", 18);
	close(r.fd);
}

static void test_resume_from_last_event_id(void **state)
{
	struct fixture *f = *state;
	static struct reader a, b;
	char e[256];

	/* A first reader makes the page's topic; five events follow. */
	reader_init(&a, subscribe(f, STREAM_SSE, -1, 0, NULL));
	for (int i = 0; i < 5; i++)
		publish(f);
	assert_true(read_until(&a, sse_event(e, sizeof(e), f, 5)));
	/* A reader back after event 2 gets exactly 3, 4 and 5. */
	reader_init(&b, subscribe(f, STREAM_SSE, 2, 0, NULL));
	assert_true(read_until(&b, sse_event(e, sizeof(e), f, 5)));
	assert_null(strstr(b.buf, "id: 1\n"));
	assert_null(strstr(b.buf, "id: 2\n"));
	assert_non_null(strstr(b.buf, sse_event(e, sizeof(e), f, 3)));
	assert_true(strstr(b.buf, "id: 3\n") < strstr(b.buf, "id: 4\n"));
	assert_null(strstr(b.buf, "event: reload"));
	/* And what is published next. */
	publish(f);
	assert_true(read_until(&b, sse_event(e, sizeof(e), f, 6)));
	close(a.fd);
	close(b.fd);
}

static void test_position_past_the_ring_gets_reload(void **state)
{
	struct fixture *f = *state;
	static struct reader a, b, c;
	char e[256];

	reader_init(&a, subscribe(f, STREAM_SSE, -1, 0, NULL));
	/* A ring of 4: events 3 to 6. Reader a keeps up (one who falls more
	 * than the ring behind is dropped, even before its socket is full). */
	for (int i = 0; i < 6; i++) {
		publish(f);
		assert_true(read_until(&a, sse_event(e, sizeof(e), f, f->seq)));
	}
	/* After 1: event 2 is gone, so the reader must reload. */
	reader_init(&b, subscribe(f, STREAM_SSE, 1, 0, NULL));
	assert_true(read_until(&b, "event: reload\n"));
	assert_null(strstr(b.buf, "id: 3\n"));
	/* After 2: 3 to 6 are all there. */
	reader_init(&c, subscribe(f, STREAM_SSE, 2, 0, NULL));
	assert_true(read_until(&c, sse_event(e, sizeof(e), f, 6)));
	assert_null(strstr(c.buf, "reload"));
	/* Ahead of the page: reload as well. */
	close(b.fd);
	reader_init(&b, subscribe(f, STREAM_SSE, 99, 0, NULL));
	assert_true(read_until(&b, "event: reload\n"));
	close(a.fd);
	close(b.fd);
	close(c.fd);
}

static void test_reader_who_stops_reading_is_dropped(void **state)
{
	struct fixture *f = *state;
	static struct reader slow, fast;

	assert_int_equal(stats_open(1), 0);
	stats_attach(0);
	reader_init(&fast, subscribe(f, STREAM_SSE, -1, 0, NULL));
	reader_init(&slow, subscribe(f, STREAM_SSE, -1, 0, NULL));
	/* 40 events of 16 KiB: far more than the socket holds (STREAM_SNDBUF),
	 * and ten times the ring. The slow reader reads nothing meanwhile; the
	 * fast one keeps up. */
	for (int i = 0; i < 40; i++) {
		publish_kind(f, STORE_CHANGE_POST, 16 * 1024);
		char id[32];
		snprintf(id, sizeof(id), "id: %d\n", i + 1);
		assert_true(read_until(&fast, id));
		fast.len = 0; /* keep only what is new */
	}
	/* The slow reader gets what its socket held, then the end: the hub
	 * closed it rather than keep it forever. */
	read_until(&slow, NULL);
	assert_true(slow.eof);
	assert_null(strstr(slow.buf, "id: 40\n"));
	assert_int_equal(stream_hub_subscribers(f->hub), 1);
	/* The fast reader is still served. */
	publish(f);
	assert_true(read_until(&fast, "id: 41\n"));
	/* Counted once, and its stream no longer open. */
	assert_int_equal(stats_eventually(STATS_READERS_DROPPED, 1), 1);
	assert_int_equal(atomic_load(&stats_region()->slot[0].gauge[STATS_STREAMS]), 1);
	close(fast.fd);
	close(slow.fd);
}

static void test_heartbeat_comment(void **state)
{
	struct fixture *f = *state;
	static struct reader r, t;

	reader_init(&r, subscribe(f, STREAM_SSE, -1, 0, NULL));
	reader_init(&t, subscribe(f, STREAM_TEXT, -1, 0, "The page so far.\n"));
	assert_true(read_until(&r, "retry: 3000\n\n"));
	assert_true(read_until(&t, "The page so far.\n"));
	stream_hub_heartbeat(f->hub);
	assert_true(read_until(&r, "retry: 3000\n\n: keep-alive\n\n"));
	/* A text stream has no comment syntax: nothing is sent on it. */
	publish_kind(f, STORE_CHANGE_PIN, 0); /* no text form: nothing either */
	stream_hub_heartbeat(f->hub);
	assert_true(read_until(&r, "event: pin\n"));
	assert_string_equal(t.buf, "The page so far.\n");
	close(r.fd);
	close(t.fd);
}

static void test_unpublish_ends_streams(void **state)
{
	struct fixture *f = *state;
	static struct reader r;
	struct stream_sub *late;
	int sv[2];

	reader_init(&r, subscribe(f, STREAM_SSE, -1, 1, NULL));
	assert_true(read_until(&r, "retry: 3000\n\n"));
	/* A stream whose headers went out just before the page was unpublished. */
	late = stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 1);
	assert_non_null(late);
	publish_kind(f, STORE_CHANGE_UNPUBLISH, 0);
	/* The open one is told to reload, then ends with the last chunk. */
	assert_true(read_until(&r, "no longer public"));
	assert_true(read_until(&r, "\r\n0\r\n\r\n"));
	read_until(&r, NULL);
	assert_true(r.eof);
	/* The late one is refused cleanly, and its socket closed. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(stream_sub_start(late, sv[0]), 1);
	{
		char c;
		assert_int_equal(read(sv[1], &c, 1), 0);
	}
	close(sv[1]);
	assert_int_equal(stream_hub_subscribers(f->hub), 0);
	close(r.fd);
}

static void test_cancel_and_shutdown(void **state)
{
	struct fixture *f = *state;
	static struct reader r;
	struct stream_sub *s;

	s = stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 0);
	assert_non_null(s);
	assert_int_equal(stream_hub_subscribers(f->hub), 1);
	stream_sub_cancel(s);
	assert_int_equal(stream_hub_subscribers(f->hub), 0);
	reader_init(&r, subscribe(f, STREAM_SSE, -1, 1, NULL));
	assert_true(read_until(&r, "retry: 3000\n\n"));
	stream_hub_shutdown(f->hub);
	/* Ended cleanly: the last chunk, then the end. */
	assert_true(read_until(&r, "0\r\n\r\n"));
	read_until(&r, NULL);
	assert_true(r.eof);
	assert_int_equal(stream_hub_subscribers(f->hub), 0);
	/* No stream opens once it is stopping. */
	assert_null(stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 0));
	close(r.fd);
}

/* What stream_sub_watch's callback was told (it may run on the hub's thread). */
struct watched {
	atomic_int calls;
	uint64_t events, bytes;
};

static void watched_end(void *arg, const struct stream_tally *t)
{
	struct watched *w = arg;

	w->events = t->events;
	w->bytes = t->bytes;
	atomic_fetch_add(&w->calls, 1);
}

/* The watcher is told once, when the stream ends, the events of the page it
 * sent whole and every byte (the retry hint and heartbeats are bytes, not
 * events); a stream cancelled or refused at its start tells it too, once,
 * with nothing sent. */
static void test_watch_tells_once_at_the_end(void **state)
{
	struct fixture *f = *state;
	static struct reader r;
	static struct watched w, cancelled, refused;
	struct stream_sub *s;
	char want[256];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	s = stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 0);
	assert_non_null(s);
	assert_int_equal(stream_sub_watch(s, watched_end, &w), 0);
	assert_int_equal(stream_sub_start(s, sv[0]), 0);
	reader_init(&r, sv[1]);
	publish(f);
	publish(f);
	assert_true(read_until(&r, sse_event(want, sizeof(want), f, 2)));
	stream_hub_heartbeat(f->hub);
	assert_true(read_until(&r, ": keep-alive\n\n"));
	assert_int_equal(atomic_load(&w.calls), 0); /* still open: nothing told */
	close(r.fd);
	for (int waited = 0; waited < WAIT_MS && atomic_load(&w.calls) == 0; waited += 10)
		usleep(10 * 1000);
	assert_int_equal(atomic_load(&w.calls), 1);
	assert_int_equal(w.events, 2);
	assert_int_equal(w.bytes, r.len);

	s = stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 0);
	assert_non_null(s);
	assert_int_equal(stream_sub_watch(s, watched_end, &cancelled), 0);
	stream_sub_cancel(s);
	assert_int_equal(atomic_load(&cancelled.calls), 1);
	assert_int_equal(cancelled.events + cancelled.bytes, 0);

	s = stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 0);
	assert_non_null(s);
	assert_int_equal(stream_sub_watch(s, watched_end, &refused), 0);
	stream_hub_shutdown(f->hub);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(stream_sub_start(s, sv[0]), 1);
	close(sv[1]);
	assert_int_equal(atomic_load(&refused.calls), 1);
	assert_int_equal(atomic_load(&w.calls), 1); /* never twice */
}

/* A retiring worker's streams (a reload): each SSE reader between two events
 * gets one `retry:` within the window, then the end (the last chunk on
 * HTTP/1.1, the connection's end on HTTP/1.0); the retry values differ from
 * reader to reader, and no stream opens afterwards. */
static void test_retire_sends_a_spread_retry_then_ends(void **state)
{
	struct fixture *f = *state;
	static struct reader r[8];
	int seen[8], distinct = 0;

	for (int i = 0; i < 8; i++) {
		reader_init(&r[i], subscribe(f, STREAM_SSE, -1, i % 2, NULL));
		assert_true(read_until(&r[i], "retry: 3000\n\n"));
	}
	publish(f);
	for (int i = 0; i < 8; i++)
		assert_true(read_until(&r[i], "id: 1\n"));
	stream_hub_retire(f->hub, 100, 1000);
	for (int i = 0; i < 8; i++) {
		const char *end = i % 2 ? "\n\n\r\n0\r\n\r\n" : NULL;
		char *p;

		read_until(&r[i], end);
		read_until(&r[i], NULL);
		assert_true(r[i].eof);
		/* After the event, the hello's retry: 3000 is the only other one. */
		p = strstr(strstr(r[i].buf, "id: 1\n"), "retry: ");
		assert_non_null(p);
		seen[i] = (int)strtol(p + 7, NULL, 10);
		assert_true(seen[i] >= 100 && seen[i] <= 1000);
		assert_null(strstr(p + 7, "retry: "));
		if (i % 2)
			assert_non_null(strstr(p, "\n\n\r\n0\r\n\r\n"));
		close(r[i].fd);
	}
	for (int i = 0; i < 8; i++) {
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= seen[j] == seen[i];
		distinct += !dup;
	}
	assert_true(distinct > 1);
	assert_int_equal(stream_hub_subscribers(f->hub), 0);
	assert_null(stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 0));
}

/* "N reading now": the counts per page, and a figure sent only to SSE streams
 * that asked, without an id, after the events, only when it changed; a
 * reader opening later gets the current figure after its replay. */
static void test_readers_figure(void **state)
{
	struct fixture *f = *state;
	static struct reader asking, plain, text, later;
	struct store_readers *v;
	struct stream_sub *s;
	char e[256];
	size_t n;
	int sv[2];

	assert_int_equal(stream_hub_readers_get(f->hub, &v, &n), 0);
	assert_int_equal(n, 0); /* no topic yet */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	s = stream_sub_new(f->hub, &f->page, STREAM_SSE, -1, NULL, 0, 0);
	assert_non_null(s);
	stream_sub_want_readers(s);
	assert_int_equal(stream_sub_start(s, sv[0]), 0);
	reader_init(&asking, sv[1]);
	reader_init(&plain, subscribe(f, STREAM_SSE, -1, 0, NULL));
	reader_init(&text, subscribe(f, STREAM_TEXT, -1, 0, "The page so far.\n"));
	assert_true(read_until(&text, "The page so far.\n"));

	/* Every stream counts, the text one too. */
	assert_int_equal(stream_hub_readers_get(f->hub, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].page_id, PAGE_ID);
	assert_int_equal(v[0].readers, 3);
	free(v);

	publish(f);
	assert_int_equal(stream_hub_readers_set(f->hub, PAGE_ID, 7), 1);
	assert_int_equal(stream_hub_readers_set(f->hub, PAGE_ID, 7), 0); /* unchanged: nothing */
	assert_int_equal(stream_hub_readers_set(f->hub, PAGE_ID + 1, 7), 0); /* no topic */
	assert_true(read_until(&asking, "event: readers\ndata: {\"kind\":\"readers\",\"readers\":7}\n\n"));
	/* Exactly: no id line on the figure, and it came after the event. */
	{
		char ev[256], expect[512];

		snprintf(expect, sizeof(expect), "retry: 3000\n\n%s"
			 "event: readers\ndata: {\"kind\":\"readers\",\"readers\":7}\n\n",
			 sse_event(ev, sizeof(ev), f, 1));
		assert_string_equal(asking.buf, expect);
	}
	/* The next event still has its id right after the figure. */
	publish(f);
	assert_true(read_until(&asking, sse_event(e, sizeof(e), f, 2)));
	assert_true(read_until(&plain, sse_event(e, sizeof(e), f, 2)));
	assert_null(strstr(plain.buf, "readers"));

	/* A reader who opens later and asks gets its replay, then the figure. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	s = stream_sub_new(f->hub, &f->page, STREAM_SSE, 0, NULL, 0, 0);
	assert_non_null(s);
	stream_sub_want_readers(s);
	assert_int_equal(stream_sub_start(s, sv[0]), 0);
	reader_init(&later, sv[1]);
	assert_true(read_until(&later, "\"readers\":7}\n\n"));
	assert_true(strstr(later.buf, "id: 2\n") < strstr(later.buf, "event: readers"));

	assert_int_equal(stream_hub_readers_set(f->hub, PAGE_ID, 1234), 1);
	assert_true(read_until(&asking, "\"readers\":1234}\n\n"));
	assert_true(read_until(&later, "\"readers\":1234}\n\n"));
	assert_string_equal(text.buf, "The page so far.\n");
	close(asking.fd);
	close(plain.fd);
	close(text.fd);
	close(later.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events_arrive_as_sse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunked_stream_sends_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_from_last_event_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_position_past_the_ring_gets_reload,
						setup_small_ring, teardown),
		cmocka_unit_test_setup_teardown(test_reader_who_stops_reading_is_dropped,
						setup_small_ring, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_comment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_figure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpublish_ends_streams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_tells_once_at_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retire_sends_a_spread_retry_then_ends, setup,
						teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
