/*
 * `liveline serve`: the master process and its workers.
 *
 * The master binds the address once (without listening: that reserves the port,
 * and resolves port 0 to a real one), binds one socket per worker with
 * SO_REUSEPORT (so the kernel spreads new connections across workers; each
 * worker makes its own listen once it is ready) and keeps them, starts the
 * workers (fork and exec of its own binary: serve_run() in the
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
#include <stdio.h>
#include <sys/socket.h>

#include "http/http_log.h"
#include "http/http_proxy.h"
#include "util/buf.h"
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

/* The longest --public-base-url. */
#define SERVE_BASE_URL_MAX 256

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
	struct http_proxies metrics_allow;   /* --metrics-allow: who may read
					      * /metrics (none given: loopback) */
	const char *metrics_listen;          /* --metrics-listen: /metrics served
					      * only there; NULL: on --listen */
	struct sockaddr_storage metrics_addr; /* ...resolved by serve_run() */
	socklen_t metrics_addrlen;            /* 0: none */
	/* Logs (docs/operations.md, "Logs"): */
	/* The configuration file read at start, or NULL: a reload (SIGHUP)
	 * checks it again before starting new workers, which read it. */
	const char *config_path;
	int config_missing_ok;     /* the build's default path: may be missing */
	const char *access_log;    /* --access-log FILE, or NULL: none */
	enum http_log_format access_log_format; /* --access-log-format */
	int log_level;             /* --log-level: an enum log_level (util/log.h) */
	/* --public-base-url: the address readers reach the site at, as
	 * "https://news.example" (no trailing slash), for every absolute link a
	 * page, feed, sitemap or structured data gives. Empty: made from the
	 * listening address by the worker (serve_base_url). Never the request's
	 * Host, which a client chooses. */
	char public_base_url[SERVE_BASE_URL_MAX];
};

/* --log-level's names, by enum log_level (util/log.h). */
extern const char *const serve_log_levels[4];

/* The list a repeatable setting adds to (trusted-proxy, metrics-allow: each
 * value adds networks), or NULL for a setting with one value. */
struct http_proxies *serve_config_list(struct serve_config *cfg, const char *name);
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

/* The configuration file (serve_file.c): INI as libinih reads it. Each long
 * option of `serve` is a key (`workers = 2`), at top level or in a [serve]
 * section, applied through serve_config_set(); `db` names the database. A
 * key may be given once, but for the repeatable ones (trusted-proxy), where
 * each line adds to the list and an empty value empties it. Errors read
 * "FILE:LINE: reason" (docs/operations.md, liveline.conf(5)). */
#define SERVE_FILE_LINE_MAX 4096   /* bytes in one line, its newline included */
#define SERVE_FILE_ERRORS_MAX 8192 /* bytes of error text kept */

struct serve_file {
	char **strings;     /* owned copies of every value read: the settings
			     * of the config loaded from this file point into
			     * them, so the file outlives that config */
	size_t nstrings;
	const char *db;     /* the `db` key (one of strings), NULL if absent */
	struct buf errors;  /* "FILE:LINE: reason\n" lines, in file order; of
			     * the lines libinih cannot parse, only the first */
	int nerrors;
	/* Reading state (serve_file.c's). */
	const char *path;
	struct serve_config *cfg;
	FILE *in;
	unsigned line;      /* the line being read, from 1 */
	int at_line_start;  /* the last chunk read ended a line */
	size_t line_len;    /* bytes of the current line so far */
	int line_too_long;  /* reported for this line already */
	int any_too_long;   /* some line was */
	char **seen;        /* single-valued keys given so far (not owned) */
	unsigned *seen_line;
	size_t nseen;
	char bad_section[64]; /* the unknown section last reported */
};

/* An empty file record; pair with serve_file_cleanup(). */
void serve_file_init(struct serve_file *sf);
/* Frees the values read: a config loaded from `sf` must not be used after. */
void serve_file_cleanup(struct serve_file *sf);
/* Reads the file at `path` into `cfg` (already holding the defaults, and
 * the environment's db): each key through serve_config_set(), `db` into
 * sf->db (the caller decides its precedence against --db). With `missing_ok`
 * a file that does not exist is no error (the compiled-in default path).
 * Returns 0; or -1 with every error in sf->errors (cfg is then partly set and
 * should not be used). */
int serve_file_load(struct serve_file *sf, const char *path, struct serve_config *cfg,
		    int missing_ok) __attribute__((warn_unused_result));
/* Whether `name` is a repeatable setting (trusted-proxy). */
int serve_file_repeatable(const char *name);
/* Empties the repeatable setting `name`: the command line's values then
 * replace the file's rather than add to them. */
void serve_config_clear(struct serve_config *cfg, const char *name);
/* Appends the effective settings of `cfg` to `out` as the file's syntax: every
 * key = value, one a line, in a fixed order; the database's password masked
 * (store_target_describe); workers and media as serve will choose them, without
 * opening the database or making any folder. */
void serve_config_print(const struct serve_config *cfg, struct buf *out);
/* The file read when no --config is given: the build's CONFIG_DEFAULT
 * (/etc/liveline/liveline.conf in the Debian package), or NULL when the build
 * set none (a developer's build never reads /etc). */
const char *serve_file_default(void);

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
