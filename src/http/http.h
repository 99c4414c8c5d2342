/*
 * The HTTP side of a worker: an adapter over libmicrohttpd (epoll mode, driven
 * by the worker's own event loop), the routing of reader requests, and every
 * response, errors included, built in one place.
 *
 * A worker creates one http_server on a listening socket that the master made
 * and gave it (bound with SO_REUSEPORT, so that every worker accepts on the
 * same port; the master keeps a copy across a reload), adds
 * http_server_fd() and http_server_wake_fd() to its epoll set, and calls
 * http_server_run() when either is ready or http_server_timeout_ms() has
 * passed. Newsroom and API requests run on a thread of the server's own
 * (http_offload.h), with the connection given as cfg->newsroom_store.
 *
 * The worker's live state (live/live.h: the page cache, the stream hub, what
 * a change makes stale) is not the server's: the worker makes it first and
 * gives it in cfg->live. The server looks entries up in its cache, renders
 * what misses into it, and hands it streams.
 */
#ifndef LIVELINE_HTTP_H
#define LIVELINE_HTTP_H

#include <stddef.h>

#include "http/http_proxy.h"
#include "live/live.h"
#include "store/store.h"

#define HTTP_MAX_BODY (1024 * 1024) /* bytes; larger request bodies get 413 */
#define HTTP_SENDFILE_FILES 256     /* at most this many file descriptors for cached
				     * bodies (http_config.sendfile_files) */

struct http_config {
	int listen_fd;              /* listening socket: this descriptor is the server's
				     * from now on (the master holds another) */
	unsigned connection_limit;  /* open connections, streams included */
	size_t connection_memory;   /* per-connection memory pool, bytes */
	unsigned idle_timeout;      /* seconds before an idle connection is closed */
	struct live *live;          /* the worker's live state: borrowed, and it must
				     * outlive the server */
	const char *media_dir;      /* uploaded images (borrowed); NULL refuses uploads */
	unsigned sendfile_files;    /* file descriptors the worker may spend on cached
				     * bodies (up to HTTP_SENDFILE_FILES; serve sizes it
				     * from the open-file limit); 0: none */
	/* A second connection to the same database, for the newsroom thread
	 * (http_offload.h): borrowed, used by that thread only, and it must
	 * outlive the server. Open it as the worker's (event renderer, statements). */
	struct store *newsroom_store;
	const struct http_proxies *trusted_proxies; /* copied; NULL: none (http_proxy.h) */
	/* Who may read /metrics: copied; NULL or empty: loopback
	 * (HTTP_METRICS_DEFAULT_ALLOW). Judged by the TCP peer alone. */
	const struct http_proxies *metrics_allow;
	/* A listening socket for /metrics alone (serve's --metrics-listen), owned
	 * by the server from now on, when metrics_listen is set; /metrics is then
	 * 404 on listen_fd. */
	int metrics_listen;
	int metrics_fd;
	/* The access log (http_log.h), or NULL: borrowed; it must outlive the
	 * server and the live state's hub (a stream's line is written when it
	 * ends, which may be as the hub is freed). */
	struct http_log *access_log;
};

struct http_server;

/* Starts serving on cfg->listen_fd with `store` (borrowed; must outlive the
 * server). Returns NULL with a reason in err on failure. */
struct http_server *http_server_new(const struct http_config *cfg, struct store *store,
				    char *err, size_t errlen);
/* Stops accepting, closes every connection and frees the server. */
void http_server_free(struct http_server *s);

/* The fd to watch for readability (libmicrohttpd's epoll fd). */
int http_server_fd(const struct http_server *s);
/* The metrics listener's fd to watch (libmicrohttpd's epoll fd), or -1. */
int http_server_metrics_fd(const struct http_server *s);
/* A second fd to watch: readable when the newsroom thread has finished a
 * request. Call http_server_run() then; it clears the fd. */
int http_server_wake_fd(const struct http_server *s);
/* Milliseconds until http_server_run() must be called even without events, or -1. */
int http_server_timeout_ms(struct http_server *s);
/* Does all pending network work. Returns 0, or -1 if the daemon failed. */
int http_server_run(struct http_server *s);
/* Stops accepting new connections (graceful shutdown begins). */
void http_server_quiesce(struct http_server *s);

/* 1 once after a newsroom request (form or API) that may have changed the
 * store: the worker then reads the change log at once. */
int http_server_take_written(struct http_server *s);
/* Ends every open stream (before http_server_free, at shutdown). Returns the
 * number of streams still being opened and of newsroom requests still queued
 * or running; run the loop until it is 0 or time runs out. */
size_t http_server_end_streams(struct http_server *s);
/* Retires the server gracefully, while a newer worker serves (a reload):
 * stops accepting (the listening socket stays open in the master and the
 * newer worker, so the connections waiting in its queue are theirs), closes
 * each kept-alive connection once it has been idle for a second (at once for
 * those idle now), and ends the open streams, an SSE reader being told to
 * come back in retry_min_ms to retry_max_ms (stream_hub_retire). Requests in
 * flight go on: run the loop until http_server_open() is 0, within a bound. */
void http_server_retire(struct http_server *s, unsigned retry_min_ms, unsigned retry_max_ms);
/* Connections still open (libmicrohttpd's, streams being opened or held,
 * newsroom requests queued or running). */
size_t http_server_open(struct http_server *s);

#endif
