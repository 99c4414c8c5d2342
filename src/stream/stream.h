/*
 * Live updates: Server-Sent Events streams (and plain-text follow streams) of
 * the changes to a live page, over libmicrohttpd's suspend/resume.
 *
 * Render once, send to all. Each worker keeps, per live page that has readers,
 * a topic: a ring of the last events (STREAM_RING by default), each rendered and framed once
 * into reference-counted bytes (struct stream_frame) that every subscriber sends
 * from; nothing is copied or rendered per reader. A subscriber is only a cursor:
 * the sequence number of the last event it sent, and its place in the frame it
 * is sending. A subscriber that falls further behind than the ring holds (a
 * reader who stopped reading) is dropped, which bounds what a slow reader costs.
 *
 * Idle subscribers are suspended connections. A new event wakes them in batches
 * of STREAM_WAKE_BATCH per loop turn (stream_hub_work), so that sending to a large
 * audience never stalls page requests for long. A comment line every
 * heartbeat interval keeps proxies from closing idle streams and lets the server
 * notice readers who left (a suspended connection cannot see a disconnect).
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
#define STREAM_WAKE_BATCH 256    /* at least this many subscribers woken per loop turn */
#define STREAM_RETRY_MS 3000

struct stream_hub;

enum stream_kind {
	STREAM_SSE = 0,  /* text/event-stream of every change */
	STREAM_TEXT = 1, /* the plain-text form of each new post */
};

/* A hub for one worker keeping `ring_size` events per page (0: STREAM_RING).
 * `store` is borrowed. NULL on out of memory. */
struct stream_hub *stream_hub_new(struct store *store, size_t ring_size);
/* Frees the hub; every stream must have ended (see stream_hub_shutdown). */
void stream_hub_free(struct stream_hub *h);

/* Renders and appends the events for `changes` (the change log, oldest first) to
 * the topics that have readers, and schedules their subscribers to be woken. */
void stream_hub_apply(struct stream_hub *h, const struct store_change *changes, size_t n);

/* Wakes a batch of waiting subscribers. Returns 1 if more are waiting to be
 * woken (call again on the next loop turn without sleeping).
 *
 * The batch is a trade between page requests and fan-out cost: a page request
 * waits behind at most one batch (about 10 µs a subscriber), but libmicrohttpd
 * walks its whole list of suspended connections on every turn that resumes any,
 * so small batches with many subscribers cost CPU per delivery (measured in
 * bench/results/fanout-profile.md). The batch is a sixteenth of this worker's
 * subscribers, between STREAM_WAKE_BATCH and 4,096: a fan-out takes about 16
 * turns whatever the audience, and the walks stay a small share of the work. */
int stream_hub_work(struct stream_hub *h);

/* Wakes every subscriber to send a heartbeat comment. */
void stream_hub_heartbeat(struct stream_hub *h);

/* Ends every stream: subscribers are woken and finish. Call before stopping the
 * HTTP daemon (it must have no suspended connections). */
void stream_hub_shutdown(struct stream_hub *h);

size_t stream_hub_subscribers(const struct stream_hub *h);

/* Opens a stream on `conn` for `page`. For STREAM_SSE, `since` is the sequence
 * number the reader has seen (-1: none, start with the next change); for
 * STREAM_TEXT, `snapshot` (may be NULL) is sent first. Returns the MHD result
 * of queuing the response; on failure nothing is queued and MHD_NO returned. */
enum MHD_Result stream_open(struct stream_hub *h, struct MHD_Connection *conn,
			    const struct model_page *page, enum stream_kind kind,
			    int64_t since, const char *snapshot, size_t snapshot_len);

/* The changes of `page` after `since` as one JSON document (docs/stream.md),
 * from the same events the streams send. Returns a malloc'd string (free it)
 * or NULL on failure. */
char *stream_changes_json(struct stream_hub *h, const struct model_page *page,
			  int64_t since, size_t *len);

#endif
