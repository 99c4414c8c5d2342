/*
 * Live updates: Server-Sent Events streams (and plain-text follow streams) of
 * the changes to a live page.
 *
 * Render once, send to all. An event is rendered once for all workers, at its
 * change's commit, and kept with the change (stream_event.h). Each worker keeps,
 * per live page that has readers, a topic: a ring of the last events
 * (STREAM_RING by default), each framed once into reference-counted bytes
 * (struct stream_frame) that every subscriber sends from; nothing is copied or
 * rendered per reader. A subscriber is only a cursor:
 * the sequence number of the last event it sent, and its place in the frame it
 * is sending. A subscriber that falls further behind than the ring holds (a
 * reader who stopped reading) is dropped, which bounds what a slow reader costs.
 *
 * The HTTP layer parses the request and sends the response headers; then it
 * gives the hub the connection's socket (stream_sub_start, a descriptor of
 * its own) and forgets the connection. An open stream costs this process one
 * struct stream_sub (under 100 bytes) instead of an HTTP library connection
 * with its memory pool, and a delivery is one send() on a socket of the hub's
 * own epoll set, with no HTTP library bookkeeping (bench/results/
 * fanout-profile.md measured why). stream/ knows nothing of HTTP beyond the
 * chunked framing it continues, so it is tested over a socketpair
 * (tests/unit/stream/test_stream.c).
 *
 * The hub sends from a thread of its own (one per worker), so a fan-out to
 * tens of thousands of readers never holds up the worker's thread, which goes
 * on serving pages. The two share the hub's state under one lock: the
 * worker's thread adds events and starts streams, the hub's thread sends,
 * STREAM_SEND_BATCH subscribers per hold of the lock. Nothing slow runs under
 * the lock: the worker's thread reads the store and renders before taking it. The hub's thread runs as
 * SCHED_BATCH: when both want the CPU, a page request goes first. A reader
 * whose socket is full waits for EPOLLOUT with its cursor and catches up from
 * the ring. A comment line every heartbeat interval keeps proxies from closing
 * idle streams.
 *
 * The event contract (names, data fields, replay, reload) is docs/stream.md.
 */
#ifndef LIVELINE_STREAM_H
#define LIVELINE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "store/store.h"

#define STREAM_RING 512          /* default events kept per page: the replay horizon,
				  * and how far behind a reader may fall */
#define STREAM_SEND_BATCH 128    /* subscribers sent to per hold of the lock, about 1 ms */
#define STREAM_RETRY_MS 3000

struct stream_hub;

enum stream_kind {
	STREAM_SSE = 0,  /* text/event-stream of every change */
	STREAM_TEXT = 1, /* the plain-text form of each new post */
};

/* A hub for one worker keeping `ring_size` events per page (0: STREAM_RING),
 * with its sending thread started. Create it after the worker has blocked the
 * signals it handles, which the thread inherits. `store` is borrowed and only
 * used from the calling thread (every function below but
 * stream_hub_subscribers must be called from that one thread). NULL on out of
 * memory or if the thread cannot start. */
struct stream_hub *stream_hub_new(struct store *store, size_t ring_size);
/* Stops the thread, ends the streams the hub holds and frees the hub. */
void stream_hub_free(struct stream_hub *h);

/* Appends the events for `changes` (the change log, oldest first) to the topics
 * that have readers, as stored with each change (rendered now when one was not),
 * and has the hub's thread send them. */
void stream_hub_apply(struct stream_hub *h, const struct store_change *changes, size_t n);

/* Wakes every subscriber to send a heartbeat comment. */
void stream_hub_heartbeat(struct stream_hub *h);
/* A text stream has no comment syntax for a heartbeat: its socket gets TCP
 * keepalive probes after `seconds` without traffic instead, and is closed when
 * the reader stops answering them (0, the default: none). Applies to text
 * streams opened from then on. */
void stream_hub_set_text_keepalive(struct stream_hub *h, unsigned seconds);

/* Ends every stream: the streams the hub holds are ended at once (a chunked
 * stream with its last chunk when nothing is half sent), and streams not yet
 * started end when they are (stream_sub_start returns 1). */
void stream_hub_shutdown(struct stream_hub *h);
/* The same, for a worker that retires while a newer one serves (a reload):
 * an SSE reader between two events first gets `retry: MS`, MS drawn for each
 * reader from [retry_min_ms, retry_max_ms], so that it reconnects (to another
 * worker) that soon, with Last-Event-ID, and the readers of a worker do not
 * all come back in one instant. A reader half-way through an event only sees
 * the stream end (it reconnects after the `retry:` it had, STREAM_RETRY_MS). */
void stream_hub_retire(struct stream_hub *h, unsigned retry_min_ms, unsigned retry_max_ms);

/* Open streams, those still being opened included. Safe from any thread. */
size_t stream_hub_subscribers(const struct stream_hub *h);

/* 1 from when a fan-out or heartbeat is queued for the hub's thread until that
 * thread has sent all of it (readers whose socket is full wait apart and do not
 * count). Safe from any thread. */
int stream_hub_sending(const struct stream_hub *h);

/* "N reading now". Every stream the hub counts for each page that has a
 * topic here (SSE and text streams, those being opened included; a page
 * whose readers all left is listed with 0), as *out (malloc'd, free() it;
 * NULL when *n is 0). Returns 0, or -1 when out of memory. */
int stream_hub_readers_get(struct stream_hub *h, struct store_readers **out, size_t *n);
/* Sets the figure of readers of page `page_id` (its sum over every worker
 * and node) and, when it differs from the last one set, sends it to the
 * page's SSE readers who asked for it as a `readers` event without an id (docs/stream.md: it
 * is not replayed and leaves a reader's Last-Event-ID alone); a reader who
 * opens a stream later gets the figure after the events it replays. Only the
 * newest figure is kept: a reader whose socket was full gets that one alone.
 * Only streams that asked for it get it (stream_sub_want_readers). Returns 1
 * when sent, 0 when unchanged or the page has no topic here, -1 when out of
 * memory. */
int stream_hub_readers_set(struct stream_hub *h, int64_t page_id, int64_t readers);

/* A stream of `page` being opened, counted from now. For STREAM_SSE, `since`
 * is the sequence number the reader has seen (-1: none, start with the next
 * change); for STREAM_TEXT, `snapshot` (may be NULL) is sent first. `chunked`
 * says whether the response goes out with chunked encoding (HTTP/1.1 and
 * later 1.x; an HTTP/1.0 stream ends with the connection), which the hub
 * continues once it holds the socket. It may read the store (the page's
 * events, the first time it has a reader here), without the lock. Returns
 * NULL when stopping or out of memory. The caller then sends the response's
 * headers and calls stream_sub_start, or stream_sub_cancel if it never will. */
struct stream_sub *stream_sub_new(struct stream_hub *h, const struct model_page *page,
				  enum stream_kind kind, int64_t since, const char *snapshot,
				  size_t snapshot_len, int chunked);
/* Has the SSE stream `s` also get the page's `readers` events
 * (stream_hub_readers_set): asked for by the reader (docs/stream.md), so that
 * clients that know only the change events never see one. Call before
 * stream_sub_start; no effect on a text stream. */
void stream_sub_want_readers(struct stream_sub *s);
/* Hands the hub the stream's socket, once its response headers are sent:
 * `fd` is the hub's from now on (a descriptor of its own, the HTTP layer's
 * dup; closed by the hub in every case). The hub sends the first bytes at once.
 * Returns 0 when the hub holds the stream; 1 when it ended it instead,
 * cleanly (stopping, or the page unpublished since the headers: the caller
 * ends the response as complete); -1 when the socket could not be taken (the
 * caller drops the connection). `s` is consumed either way. */
int stream_sub_start(struct stream_sub *s, int fd) __attribute__((warn_unused_result));
/* Forgets a stream that was never started (its response freed before the
 * hand-over). NULL is allowed. */
void stream_sub_cancel(struct stream_sub *s);

/* What a stream had sent when it ended (stream_sub_watch): the access log's
 * line for it. */
struct stream_tally {
	uint64_t events; /* events of the page sent whole (not the opening retry:,
			  * heartbeats, or the reload of an unpublished page) */
	uint64_t bytes;  /* bytes the hub sent on the socket, chunk lines included */
};
typedef void (*stream_end_fn)(void *arg, const struct stream_tally *tally);
/* Has fn(arg, tally) called exactly once when `s` is done: when the stream the
 * hub held ends, or from stream_sub_start or stream_sub_cancel when the hub
 * never held it (or ended it there). It runs on whichever thread ended the
 * stream (the hub's, mostly), just after that thread releases the hub's lock,
 * so it delays no sender; it must call nothing of the hub's. Call before
 * stream_sub_start. Returns 0, or -1 when out of memory (fn is then never
 * called). */
int stream_sub_watch(struct stream_sub *s, stream_end_fn fn, void *arg);

/* The changes of `page` after `since` as one JSON document (docs/stream.md),
 * from the same events the streams send. Returns a malloc'd string (free it)
 * or NULL on failure. Called by the worker's thread only; it does not wait
 * for the hub's thread unless the page's events must first be loaded.
 * *reload (if not NULL) is set to 1 when the document says "reload" (`since`
 * is ahead of the page or older than the ring), which is the same document
 * for every such `since`. */
char *stream_changes_json(struct stream_hub *h, const struct model_page *page,
			  int64_t since, size_t *len, int *reload);

#endif
