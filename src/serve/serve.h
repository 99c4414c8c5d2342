/*
 * `liveline serve`: the master process and its workers.
 *
 * The master binds the address once (without listening: that reserves the port,
 * and resolves port 0 to a real one), binds one listening socket per worker with
 * SO_REUSEPORT (so the kernel spreads new connections across workers) and keeps
 * them, starts the workers (fork and exec of its own binary: serve_run() in the
 * child, told by $LIVELINE_WORKER, runs a worker), restarts any that dies, and
 * on SIGTERM or SIGINT stops them all and exits 0. On SIGHUP it starts a new
 * generation from the binary on disk, on the same sockets, and retires the old
 * one once the new is ready (docs/operations.md). Each worker has its own event
 * loop, store connection and page cache, and learns of changes by reading the
 * change log past the last id it has seen, on a short timer (a cheap PRAGMA
 * data_version test first).
 *
 * Every worker also runs the scheduler: on its timer it asks the store for the
 * next scheduled post and, once it is due, publishes what is due. The store
 * does that in one write transaction, so of the workers (and machines) that
 * notice at once, each scheduled post is published by exactly one.
 */
#ifndef LIVELINE_SERVE_H
#define LIVELINE_SERVE_H

#include <stddef.h>

#include "http/http_proxy.h"
#include "util/prio.h"

/* The defaults of `serve`'s settings, in one place (serve_config_defaults;
 * README.md's serve options and `serve --help` give them). */
#define SERVE_DEFAULT_LISTEN "127.0.0.1:8080"
#define SERVE_DEFAULT_CONNECTIONS 10000      /* --connections, per worker */
#define SERVE_DEFAULT_CONNECTION_MEMORY 8192 /* --connection-memory, bytes */
#define SERVE_DEFAULT_IDLE_TIMEOUT_S 60      /* --idle-timeout */
#define SERVE_DEFAULT_CACHE_ENTRIES 4096     /* --cache-entries, per worker */
#define SERVE_DEFAULT_CACHE_MB 256           /* --cache-mb, per worker */
#define SERVE_DEFAULT_POLL_MS 500            /* the change-log timer (no flag) */
#define SERVE_DEFAULT_HEARTBEAT_S 15         /* --heartbeat */
#define SERVE_DEFAULT_REPLAY 512             /* --replay (STREAM_RING) */
#define SERVE_DEFAULT_REQUEST_STEPS 10       /* --request-priority realtime: nice steps */

struct serve_config {
	const char *db_path;
	const char *listen;        /* "127.0.0.1:8080", "[::1]:0" */
	unsigned workers;          /* 0: one per core */
	unsigned connection_limit; /* per worker */
	unsigned connection_memory; /* libmicrohttpd's pool per connection, bytes */
	unsigned idle_timeout;     /* seconds before an idle connection is closed */
	size_t cache_entries;      /* page cache bounds, per worker */
	size_t cache_bytes;
	unsigned poll_ms;          /* change-log timer: the safety net behind the store's wake-up */
	unsigned heartbeat_s;      /* stream keep-alive interval */
	unsigned stream_ring;      /* events kept per page (replay horizon, lag bound) */
	struct prio request_prio;  /* the request thread's over the hub's sending
				    * thread (util/prio.h) */
	const char *media_dir;     /* uploaded images, a cache of the store's
				    * (serve_config_media); NULL until chosen */
	unsigned sendfile_files;   /* set by serve_run() from the open-file limit */
	struct http_proxies trusted_proxies; /* --trusted-proxy: whose forwarding
					      * headers name the client */
};

/* Fills `cfg` with the defaults above (db_path, media_dir: NULL). */
void serve_config_defaults(struct serve_config *cfg);
/* Sets the setting of the long option `name` ("workers", "cache-mb", "media",
 * ...: every flag of `serve`) from its argument `value`, checked against its
 * range. Returns 0; or -1 with the reason in err ("--workers is 1 to 64"),
 * `cfg` unchanged; or -2 when `name` is no setting of serve's. */
int serve_config_set(struct serve_config *cfg, const char *name, const char *value, char *err,
		     size_t errlen);
/* Chooses cfg->media_dir when --media did not: serve_media_dir() for
 * cfg->db_path, into `buf` (`len` bytes), which must outlive cfg. 0, or -1
 * with the reason in err. */
int serve_config_media(struct serve_config *cfg, char *buf, size_t len, char *err,
		       size_t errlen);
/* The media folder of database `db`, the one rule for `serve` and `copy`:
 * `given` (--media) when not NULL, else $LIVELINE_MEDIA when set, else
 * media_default_dir(): beside a SQLite file, or this node's cache folder for
 * PostgreSQL, which is then made and checked (media_cache_ready) and named in
 * the log. The path is written into `buf` (`len` bytes). Returns buf, or NULL
 * with the reason in err. */
const char *serve_media_dir(const char *given, const char *db, char *buf, size_t len, char *err,
			    size_t errlen);

/* The restart delay after a worker's death (serve_reap): `backoff_ms` is the
 * slot's current one, `healthy` whether the dead worker had served for
 * SERVE_HEALTHY_MS. *delay_ms gets the delay to wait now; the return value is
 * the slot's next backoff (doubled, at most SERVE_BACKOFF_MAX_MS). */
unsigned serve_backoff(unsigned backoff_ms, int healthy, unsigned *delay_ms);

/* Runs until stopped. Returns the process exit status (0 after a clean stop,
 * 1 if the server could not start). With $LIVELINE_WORKER set (by a master
 * that exec'd this process) it runs one worker instead, with `cfg` parsed from
 * the master's command line. */
int serve_run(const struct serve_config *cfg);

#endif
