/*
 * A worker's live state: what it keeps in memory so that readers are served
 * without the store, and what keeps that in step with the store.
 *
 * One per worker, made and driven by serve/ (its loop calls live_poll() when
 * the change log may have moved and live_heartbeat() on its timer), used by
 * http/ (which looks entries up in live_cache(), hands streams to live_hub(),
 * and has pages that miss rendered into the cache with live_page_entry()).
 * It holds:
 * - the page cache (page/page_cache.h): rendered responses;
 * - the stream hub (stream/stream.h): open streams and the rings of events;
 * - the change log's position: live_poll() reads the log past the last id it
 *   has seen and live_apply() decides what each change makes stale: it drops
 *   the page's cached responses first (a reader who loads the page after the
 *   event must see it), then hands the events to the hub, then renders again
 *   the live pages that readers were being served from the cache (warming),
 *   so that no reader's request pays for that render;
 * - the request thread's priority boost while the hub sends (util/prio.h);
 * - "N reading now": this worker's readers per page written to the store, and
 *   the sums over every worker and node handed to the hub (live_readers).
 *
 * Everything here runs on the worker's request thread, except what the hub's
 * own thread does inside stream/.
 */
#ifndef LIVELINE_LIVE_H
#define LIVELINE_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "page/page_cache.h"
#include "render/render.h"
#include "store/store.h"
#include "stream/stream.h"

#define LIVE_CHANGES_BATCH 256 /* change-log entries read at a time */
/* Live pages rendered again after one read of the change log, at most: the
 * rest are rendered by their next reader. */
#define LIVE_WARM_MAX 8
/* The request thread stays boosted this long after its hub is done sending:
 * see live_boost(). */
#define LIVE_BOOST_GRACE_MS 200

struct live_config {
	size_t cache_entries;   /* page cache bounds (serve's --cache-entries, --cache-mb) */
	size_t cache_bytes;
	size_t stream_ring;     /* events kept per page for replay (0: STREAM_RING) */
	unsigned heartbeat_s;   /* text streams' keepalive interval; 0: none */
	const char *base_url;   /* render_site.base_url, copied; NULL: http://localhost */
};

struct live;

/* The live state of a worker reading `store` (borrowed; it must outlive the
 * live state), with its hub's thread started: create it after the worker has
 * blocked the signals it handles. It starts at the change log's current end:
 * changes made before are already in whatever it renders. NULL with a reason
 * in err on failure. */
struct live *live_new(struct store *store, const struct live_config *cfg, char *err,
		      size_t errlen);
/* Ends the streams and frees everything. Free the HTTP server first: its
 * cached responses and its streams' responses point here. */
void live_free(struct live *l);

struct page_cache *live_cache(struct live *l);
struct stream_hub *live_hub(struct live *l);
/* What readers' pages are rendered with: the site's name and static URLs. */
const struct render_site *live_site(const struct live *l);

/* Reads the change log past the last id seen and applies what it finds
 * (live_apply). `changed`: the caller knows the log may have grown (the
 * store's wake-up descriptor was readable, store_wake_drain() said so), so the
 * data version is not asked first.
 * Returns 0, or -1 if the store failed (logged; the next call tries again). */
int live_poll(struct live *l, int changed);
/* Applies `changes` (the change log, oldest first): drops what they make
 * stale, hands them to the streams, and renders again the live pages that
 * were in the cache. live_poll() calls it; tests may call it directly. */
void live_apply(struct live *l, const struct store_change *changes, size_t n);
/* Rendered pages show a date's year when it is not the current one
 * (render_day_parts), so a page rendered before New Year would go on showing
 * the old year as the current one. From 31 December to 1 January (UTC: New
 * Year comes to some zone or other, UTC-12 to UTC+14, in that span, on the
 * quarter hour at the latest), every rendered page is dropped at each quarter
 * hour's turn and rendered again by its next reader (what a CDN holds expires
 * within a minute). live_poll() calls it with the time; `now` is UTC seconds.
 * Returns 1 if it dropped pages, else 0. */
int live_calendar(struct live *l, int64_t now);
/* The newest change-log id applied (the worker's position, for /readyz). */
int64_t live_last_change(const struct live *l);
/* A heartbeat comment on every open SSE stream. */
void live_heartbeat(struct live *l);
/* Raises the request thread to real time while the hub sends a fan-out, and
 * for LIVE_BOOST_GRACE_MS after (the other workers' hubs, which want the same
 * cores, finish theirs up to ~100 ms later); lowers it at the first call after
 * that. Call after every run of the event loop. */
void live_boost(struct live *l);

/* "N reading now": how often a worker takes its counts of open streams per
 * page, writes them to the store when they changed (and at least every
 * LIVE_READERS_REFRESH_S, well within STORE_READERS_STALE_S, while it has
 * readers), and reads the sums over every worker and node back, seconds. */
#define LIVE_READERS_PERIOD_S 3
#define LIVE_READERS_REFRESH_S 10
/* Every LIVE_READERS_PERIOD_S (`now`, the wall clock's seconds, which every
 * node's rows are stamped with): this worker's readers per page written to
 * the store (store_readers_put) if they changed, the sums read back
 * (store_readers_sum) and handed to the hub, which sends each page's readers
 * its figure when it changed (stream_hub_readers_set). A store failure is
 * logged once and tried again at the next period. Call on the worker's timer;
 * live_free removes the worker's rows. */
void live_readers(struct live *l, int64_t now);

/* Why live_page_entry made no entry. */
enum live_miss {
	LIVE_MISS_NOT_FOUND = 1, /* the page has no page with that number */
	LIVE_MISS_STORE,         /* the store failed */
	LIVE_MISS_MEMORY,        /* out of memory */
};

/* Renders page `page_no` of `page` (0: the newest, the live page itself) into
 * the cache under its key (page_key_page with `slug`; `key` is that key,
 * already built by the caller). Returns the entry (a 500 entry when the render
 * failed: see live_cache_failure), or NULL with the reason in *miss. */
struct page_entry *live_page_entry(struct live *l, const char *key, const struct model_page *page,
				   size_t page_no, enum live_miss *miss);
/* Remembers that rendering `key` failed (`why`, for the log): a 500 entry,
 * dropped with the page's other entries when the page changes, so that the
 * failure is answered from memory instead of being rendered again (seconds,
 * for a page far over the limit) at every request. NULL on out of memory. */
struct page_entry *live_cache_failure(struct live *l, const char *key, int64_t page_id,
				      const char *why);
/* Renders the live page of `slug` into the cache, without a request (what
 * live_apply does for the pages it dropped). A page that is not public, or a
 * store that fails, is left for its next reader. */
void live_warm(struct live *l, const char *slug);

/* The embed of `page` (render/render_embed.h: its newest RENDER_EMBED_POSTS
 * posts), rendered into the cache under `key` (page_key_embed), as
 * live_page_entry does for the live page: the entry (a 500 entry when the
 * render failed), or NULL with the reason in *miss (LIVE_MISS_STORE or
 * LIVE_MISS_MEMORY). Warmed as the live page is: live_apply renders again
 * the embeds it dropped. */
struct page_entry *live_embed_entry(struct live *l, const char *key,
				    const struct model_page *page, enum live_miss *miss);
/* live_warm for the embed of `slug`. */
void live_warm_embed(struct live *l, const char *slug);

#endif
