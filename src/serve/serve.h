/*
 * `liveline serve`: the master process and its workers.
 *
 * The master binds the address once (without listening: that reserves the port,
 * and resolves port 0 to a real one), forks the workers, restarts any that dies,
 * and on SIGTERM or SIGINT stops them all and exits 0. Each worker binds its own
 * listening socket to the same port with SO_REUSEPORT, so the kernel spreads new
 * connections across workers; each has its own event loop, store connection and
 * page cache, and learns of changes by reading the change log past the last id it
 * has seen, on a short timer (a cheap PRAGMA data_version test first).
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

struct serve_config {
	const char *db_path;
	const char *listen;        /* "127.0.0.1:8080", "[::1]:0" */
	unsigned workers;          /* 0: one per core */
	unsigned connection_limit; /* per worker */
	unsigned connection_memory; /* libmicrohttpd's pool per connection, bytes */
	unsigned poll_ms;          /* change-log timer: the safety net behind the WAL watch */
	unsigned heartbeat_s;      /* stream keep-alive interval */
	unsigned stream_ring;      /* events kept per page (replay horizon, lag bound) */
	struct prio request_prio;  /* the request thread's over the hub's sending
				    * thread (util/prio.h) */
	const char *media_dir;     /* uploaded images; NULL: "DB-media" beside the database */
	unsigned sendfile_files;   /* set by serve_run() from the open-file limit */
	struct http_proxies trusted_proxies; /* --trusted-proxy: whose forwarding
					      * headers name the client */
};

/* Runs until stopped. Returns the process exit status (0 after a clean stop,
 * 1 if the server could not start). */
int serve_run(const struct serve_config *cfg);

#endif
