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
 * libmicrohttpd parses the request and sends the response headers; then the
 * hub takes the socket over (stream_open) and libmicrohttpd forgets the
 * connection. An open stream costs this process one struct stream_sub (under
 * 100 bytes) instead of a libmicrohttpd connection with its memory pool, and a
 * delivery is one send() on a socket of the hub's own epoll set, with no
 * libmicrohttpd bookkeeping (bench/results/fanout-profile.md measured why).
 *
 * The hub sends from a thread of its own (one per worker), so a fan-out to
 * tens of thousands of readers never holds up the worker's thread, which goes
 * on serving pages. The two share the hub's state under one lock: the
 * worker's thread renders events and opens streams, the hub's thread sends,
 * STREAM_SEND_BATCH subscribers per hold of the lock. The hub's thread runs as
 * SCHED_BATCH: when both want the CPU, a page request goes first. A reader
 * whose socket is full waits for EPOLLOUT with its cursor and catches up from
 * the ring. A comment line every heartbeat interval keeps proxies from closing
 * idle streams.
 *
 * The event contract (names, data fields, replay, reload) is docs/stream.md.
 */
#ifndef LIVELINE_STREAM_H
#define LIVELINE_STREAM_H

#include <microhttpd.h>
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
/* Headers every stream response carries besides its own (the HTTP layer's
 * security headers): pairs of name and value, ended by NULL, borrowed (they
 * must outlive the hub). Set before the first stream is opened. */
void stream_hub_set_headers(struct stream_hub *h, const char *const *headers);
/* A text stream has no comment syntax for a heartbeat: its socket gets TCP
 * keepalive probes after `seconds` without traffic instead, and is closed when
 * the reader stops answering them (0, the default: none). Applies to text
 * streams opened from then on. */
void stream_hub_set_text_keepalive(struct stream_hub *h, unsigned seconds);

/* Ends every stream: the streams the hub holds are ended at once (a chunked
 * stream with its last chunk when nothing is half sent), and streams still in
 * libmicrohttpd's hands end on their first read. */
void stream_hub_shutdown(struct stream_hub *h);

/* Connections whose socket the hub took, which libmicrohttpd still counts
 * until it frees them (on a later run): the connection cap must not count
 * them twice. Call stream_hub_connection_closed() when it frees any
 * connection (MHD_CONNECTION_NOTIFY_CLOSED). */
size_t stream_hub_dropping(const struct stream_hub *h);
void stream_hub_connection_closed(struct stream_hub *h, struct MHD_Connection *conn);

/* Open streams, those still being opened included. Safe from any thread. */
size_t stream_hub_subscribers(const struct stream_hub *h);

/* 1 from when a fan-out or heartbeat is queued for the hub's thread until that
 * thread has sent all of it (readers whose socket is full wait apart and do not
 * count). Safe from any thread. */
int stream_hub_sending(const struct stream_hub *h);

/* Opens a stream on `conn` for `page`. For STREAM_SSE, `since` is the sequence
 * number the reader has seen (-1: none, start with the next change); for
 * STREAM_TEXT, `snapshot` (may be NULL) is sent first. `chunked` says whether
 * libmicrohttpd sends this response with chunked encoding (HTTP/1.1 and later
 * 1.x; an HTTP/1.0 stream ends with the connection), which the hub must
 * continue once it holds the socket. Returns the MHD result of queuing the
 * response; on failure nothing is queued and MHD_NO returned.
 *
 * The daemon must run with MHD_USE_TURBO (so that it closes a connection
 * without shutdown(), which would end the stream for the hub too) and in epoll
 * mode (it removes a socket from its epoll set before closing it). */
enum MHD_Result stream_open(struct stream_hub *h, struct MHD_Connection *conn,
			    const struct model_page *page, enum stream_kind kind,
			    int64_t since, const char *snapshot, size_t snapshot_len,
			    int chunked);

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
