/*
 * What the server counts, for /metrics and /readyz (http/http_metrics.c).
 *
 * Workers are processes, so their figures live in one region of shared memory
 * that the master maps before it starts them (stats_open; a memory file, which
 * workers exec'd from a new binary map too: stats_map): one slot per running
 * worker, each written only by the threads of its own worker (relaxed
 * atomics: no lock anywhere, and a reader never waits), read and summed by
 * whichever worker answers /metrics. The region lives as long as the master.
 * The master gives a starting worker the lowest free slot and frees it when
 * the worker is reaped: a restarted worker takes its predecessor's counters
 * over (so that sums never go down, as Prometheus counters must not) and
 * starts its gauges from zero, and the two generations of a reload never
 * share a slot.
 *
 * It lives in util/ because every layer counts something (http/ requests,
 * stream/ events, page/ cache hits, store/ failures and commits, serve/
 * restarts) and none of them may reach up into another to do it. Every call
 * is a no-op in a process without a region or a slot (the command line, unit
 * tests of other modules), so callers need no test of their own.
 */
#ifndef LIVELINE_STATS_H
#define LIVELINE_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Slots: a worker takes a free one as it starts (serve.c): during a reload
 * two generations of workers run, and old ones may still be retiring. */
#define STATS_SLOTS 192
#define STATS_PAGES 256     /* pages with their own row of open streams, per
			     * worker; the rest are counted as page="other" */
#define STATS_SLUG_MAX 96   /* a slug is at most 80 bytes (model_slug_valid) */
#define STATS_COMMITS 256   /* recent commits whose time is known (publish latency) */
#define STATS_BUCKETS 13    /* the publish-to-send histogram's finite buckets */
#define STATS_READY_LAG 64  /* /readyz: at most this many changes behind the log */
#define STATS_READY_STALE_S 5 /* /readyz: a readiness check older than this fails */

enum stats_counter {
	STATS_EVENTS_SENT,         /* stream frames of events written whole */
	STATS_READERS_DROPPED,     /* streams ended as too far behind the ring */
	STATS_CACHE_HITS,
	STATS_CACHE_MISSES,
	STATS_STORE_ERRORS,        /* STORE_ERR failures (database errors) */
	STATS_SCHEDULED_PUBLISHED, /* scheduled posts this worker published */
	STATS_COUNTERS
};

enum stats_gauge {
	STATS_CONNECTIONS,  /* connections counted against --connections */
	STATS_STREAMS,      /* open streams */
	STATS_LAG,          /* change-log entries behind the newest, at the last check */
	STATS_GAUGES
};

/* The routes requests are counted by: names from the router, never paths, so
 * that no request can add a series. */
enum stats_route {
	STATS_ROUTE_INDEX,
	STATS_ROUTE_PAGE,
	STATS_ROUTE_POST,
	STATS_ROUTE_EVENTS,
	STATS_ROUTE_CHANGES,
	STATS_ROUTE_TEXT,
	STATS_ROUTE_FEED,
	STATS_ROUTE_STATIC,
	STATS_ROUTE_MEDIA,
	STATS_ROUTE_HEALTHZ,
	STATS_ROUTE_READYZ,
	STATS_ROUTE_METRICS,
	STATS_ROUTE_API,
	STATS_ROUTE_NEWSROOM,
	STATS_ROUTE_SEARCH,
	STATS_ROUTE_OTHER, /* no route: a 404 for an unknown path */
	STATS_ROUTES
};

/* Statuses counted each on its own; any other is counted as STATS_STATUS_OTHER. */
#define STATS_STATUS_CODES                                                              \
	200, 201, 204, 206, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409, 410, 413, \
		414, 415, 416, 422, 429, 431, 500, 501, 503
#define STATS_STATUSES 26 /* the codes above, then "other" */

/* Why a worker is not ready (/readyz). */
enum stats_unready {
	STATS_READY = 0,
	STATS_UNREADY_UNCHECKED, /* no check yet, or none for STATS_READY_STALE_S */
	STATS_UNREADY_STORE,     /* the store cannot be reached, or failed */
	STATS_UNREADY_MOVED,     /* the database file is not the one open */
	STATS_UNREADY_LAG,       /* more than STATS_READY_LAG changes behind */
};

struct stats_page {
	atomic_int used;           /* set once slug is written (release) */
	atomic_llong streams;
	char slug[STATS_SLUG_MAX];
};

struct stats_slot {
	_Alignas(64) atomic_int pid; /* the worker's, 0 while none */
	atomic_ullong counter[STATS_COUNTERS];
	atomic_ullong requests[STATS_ROUTES][STATS_STATUSES];
	atomic_ullong hist[STATS_BUCKETS + 1]; /* per bucket (not cumulative); +Inf last */
	atomic_ullong hist_sum_us;
	/* Gauges: zeroed when a worker starts in the slot, or dies. */
	atomic_llong gauge[STATS_GAUGES];
	atomic_int unready;          /* enum stats_unready, of the last check */
	atomic_llong checked_ms;     /* CLOCK_MONOTONIC of the last check, 0: none */
	atomic_llong other_streams;  /* streams of pages past STATS_PAGES */
	atomic_uint n_pages;
	struct stats_page pages[STATS_PAGES];
};

/* A commit that logged changes `from`..`to`, at `t_us` (CLOCK_MONOTONIC). */
struct stats_commit {
	atomic_llong from, to, t_us;
};

struct stats_region {
	atomic_llong start_s;        /* the master's start, UTC seconds */
	atomic_ullong restarts;      /* workers restarted by the master */
	atomic_uint slots;           /* slots ever used: /metrics reads these */
	atomic_ullong commit_next;
	struct stats_commit commits[STATS_COMMITS];
	struct stats_slot slot[STATS_SLOTS];
};

/* The histogram's upper bounds, in seconds (1 ms to 10 s). */
extern const double stats_bucket_le[STATS_BUCKETS];

/* The master, before forking: maps the region (a memory file, shared) for
 * `slots` workers. 0, or -1 (serving goes on without figures). */
int stats_open(unsigned slots);
/* The region's descriptor (close-on-exec), or -1: for a master that exec()s a
 * worker to pass on (without FD_CLOEXEC), so that the new program maps the
 * same region with stats_map() before stats_attach(). */
int stats_fd(void);
/* Maps the region of descriptor `fd` (one from stats_fd(), inherited). 0, or -1. */
int stats_map(int fd);
/* Unmaps it and closes its descriptor (the master at exit; tests). */
void stats_close(void);
/* The region, or NULL in a process without one. */
struct stats_region *stats_region(void);

/* A worker, first thing after fork: this process writes slot `slot` from now
 * on; its gauges start from zero, its counters go on. */
void stats_attach(unsigned slot);
/* The master, when the worker of `slot` has died: its gauges go to zero (what
 * it had open closed with it). */
void stats_slot_ended(unsigned slot);
/* The master, when it gives slot n - 1 to a worker: /metrics reads slots
 * 0..n-1 from then on (never fewer). */
void stats_slots_used(unsigned n);
/* The master, when it starts a worker again. */
void stats_note_restart(void);

void stats_count(enum stats_counter c, uint64_t n);
void stats_gauge_set(enum stats_gauge g, int64_t v);
/* One answer of `route` with `status`. */
void stats_request(enum stats_route route, unsigned status);
/* The index of `status` in a slot's requests (STATS_STATUSES - 1: other) and
 * back (0 for other). */
unsigned stats_status_index(unsigned status);
unsigned stats_status_code(unsigned index);

/* The row of open streams of the page `slug` in this worker's slot: a new one
 * while fewer than STATS_PAGES are taken, else -1 (page="other"). Called by
 * one thread of the worker (the one that makes stream topics), once a page. */
int stats_page_index(const char *slug);
/* Streams opened (+1) or closed (-1) on page row `page` (-1: other), and the
 * worker's total with them. Any thread. */
void stats_streams_add(int page, int delta);

/* A transaction that logged changes `from`..`to` committed now (the store,
 * any process that has the region). */
void stats_commit_note(int64_t from, int64_t to);
/* Change `id` is being written to this worker's streams now: observes the
 * time since its commit, when this node's commit notes still know it (a
 * change made by the command line or another node has no note, and is not
 * observed). */
void stats_publish_observe(int64_t id);
/* The bucket of a duration of `us` microseconds (STATS_BUCKETS: +Inf). */
unsigned stats_bucket_of(uint64_t us);

/* This worker's readiness, from its timer: `unready` (STATS_READY or why not)
 * and its lag behind the change log. */
void stats_ready_set(enum stats_unready unready, int64_t lag);
/* This worker's readiness as of now (a check older than STATS_READY_STALE_S
 * is STATS_UNREADY_UNCHECKED); *lag gets the lag of the last check. Without
 * a slot: STATS_READY. */
enum stats_unready stats_ready_get(int64_t *lag);

#endif
