/*
 * The master and worker processes of `liveline serve`: see serve.h.
 */
#include "serve/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "http/http.h"
#include "live/live.h"
#include "media/media.h"
#include "store/store.h"
#include "store/store_newsroom.h"
#include "stream/stream_event.h"
#include "util/log.h"
#include "util/prio.h"
#include "util/stats.h"
#include "util/tz.h"

#define SERVE_MAX_WORKERS 64
#define SERVE_PREPARED_ZONES 4 /* util/tz.c keeps four zones open */
#define SERVE_STOP_GRACE_S 5
/* Restarts: a worker that dies is started again after a delay that doubles with
 * each death in a row (a worker that cannot start is not forked in a tight
 * loop, and one that crashed once is back within a blink), and starts from the
 * minimum again once a worker has served for SERVE_HEALTHY_MS. */
#define SERVE_BACKOFF_MIN_MS 100
#define SERVE_BACKOFF_MAX_MS 30000
#define SERVE_HEALTHY_MS 10000
/* A starting worker that has not said it listens after this long is stuck (on
 * a lock, a file that never answers): it is killed and started again. */
#define SERVE_START_TIMEOUT_MS 60000
#define SERVE_TICK_MS 100 /* the master's loop: reaping, restarts, readiness */
/* A file-check failure is logged at once, then at most this often per worker. */
#define SERVE_FILE_LOG_S 10
#define SERVE_PURGE_S 3600      /* expired sessions and old sign-in failures: hourly */
#define SERVE_LISTEN_BACKLOG 4096
#define SERVE_LOOP_EVENTS 16    /* epoll events a worker's loop takes per wait */
/* At shutdown a worker runs its loop until the streams being opened and the
 * newsroom's requests are done, for at most SERVE_DRAIN_TRIES waits of
 * SERVE_DRAIN_WAIT_MS (2 s, within the master's SERVE_STOP_GRACE_S). */
#define SERVE_DRAIN_TRIES 200
#define SERVE_DRAIN_WAIT_MS 10
/* Reload (SIGHUP): a new generation of workers is started from the binary on
 * disk; one that is not ready within SERVE_UPGRADE_TIMEOUT_MS fails the
 * reload, and the old generation keeps serving. An old worker retires
 * (SIGUSR2 from the master): it stops accepting, ends its streams with a
 * `retry:` of SERVE_RETRY_MIN_MS to SERVE_RETRY_MAX_MS, and exits once its
 * connections are done, or after SERVE_RETIRE_MS whatever is left; the master
 * kills it SERVE_STOP_GRACE_S after that. */
#define SERVE_UPGRADE_TIMEOUT_MS 30000
#define SERVE_RETIRE_MS 30000
#define SERVE_RETIRE_TICK_MS 50 /* a retiring worker's loop counts what is left */
#define SERVE_RETRY_MIN_MS 100
#define SERVE_RETRY_MAX_MS 1000
/* How the master tells an exec'd worker what a forked one had in memory:
 * "MASTER:READY_FD:LISTEN_FD:CONNECTIONS:SENDFILE:PRIO_MODE:PRIO_NICE". */
#define SERVE_WORKER_ENV "LIVELINE_WORKER"
/* Its fields, numbers joined by ':': the master's pid, the readiness pipe, the
 * listening socket, --connections as the master raised it, the sendfile
 * share, the request priority (mode, steps), the counters' region (-1: none)
 * and slot in it (-1: none), the metrics socket (-1: none). */
#define SERVE_WORKER_FIELDS 10

/* Splits "host:port" / "[v6]:port" and resolves it. Returns 0 or -1. */
static int serve_resolve(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256], *port;
	struct addrinfo hints = { 0 }, *ai = NULL;
	const char *h;

	if (snprintf(host, sizeof(host), "%s", listen) >= (int)sizeof(host))
		return -1;
	port = strrchr(host, ':');
	if (!port)
		return -1;
	*port++ = '\0';
	h = host;
	if (host[0] == '[') {
		size_t n = strlen(host);
		if (n < 2 || host[n - 1] != ']')
			return -1;
		host[n - 1] = '\0';
		h = host + 1;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(*h ? h : NULL, port, &hints, &ai) != 0 || !ai)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* A TCP socket bound to `ss` with SO_REUSEPORT; listening when `backlog` > 0. */
static int serve_socket(const struct sockaddr_storage *ss, socklen_t len, int backlog)
{
	int fd, one = 1;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)ss, len) < 0 ||
	    (backlog > 0 && listen(fd, backlog) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The descriptors a worker holds besides its connections, measured: standard
 * streams (3); the database and its -wal for each of the two connections (the
 * request thread's and the newsroom thread's) and one -shm (5; DB-notify is
 * touched by its path, not held open); the listening socket, libmicrohttpd's
 * epoll, the hub's epoll, the worker's epoll, two timers, two eventfds
 * (libmicrohttpd's and the newsroom thread's), the signalfd, the store's
 * wake-up (SQLite's inotify watch) and the readiness pipe (11); and libvips'
 * /dev/null: 20. The rest of the reserve covers what comes and goes:
 * an upload's temporary files, ICU and time zone data, name lookups. */
#define SERVE_FIXED_FILES 32
/* Below this many connections per worker a server is no use (and --connections
 * cannot be set lower). */
#define SERVE_MIN_CONNECTIONS 16

/* Raises the open-file limit as far as the hard limit allows (every open
 * connection is a file descriptor) and shares it out: the worker's own files
 * first, then connections (up to `wanted`), then cached bodies sent with
 * sendfile() (*sendfile_files, up to HTTP_SENDFILE_FILES: an optimisation, so
 * it gets only what connections leave, or a sixteenth when they take it all).
 * Returns the connections a worker may hold, with a log line when fewer than
 * `wanted`; 0 when the limit is too low to serve at all (said why). */
static unsigned serve_raise_nofile(unsigned wanted, unsigned *sendfile_files)
{
	const rlim_t minimum = SERVE_FIXED_FILES + SERVE_MIN_CONNECTIONS;
	struct rlimit rl;
	rlim_t avail;
	unsigned conns, files;

	*sendfile_files = HTTP_SENDFILE_FILES;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("getrlimit(RLIMIT_NOFILE)");
		return wanted;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			log_warn("cannot raise the open-file limit from %llu to %llu",
				 (unsigned long long)was, (unsigned long long)rl.rlim_max);
			rl.rlim_cur = was;
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= (rlim_t)wanted + SERVE_FIXED_FILES + HTTP_SENDFILE_FILES)
		return wanted;
	if (rl.rlim_cur < minimum) {
		log_warnx("the open-file limit is %llu (hard limit %llu): a worker needs at "
			  "least %llu (%d for itself and %d connections); raise it (ulimit -n, "
			  "LimitNOFILE=)", (unsigned long long)rl.rlim_cur,
			  (unsigned long long)rl.rlim_max, (unsigned long long)minimum,
			  SERVE_FIXED_FILES, SERVE_MIN_CONNECTIONS);
		return 0;
	}
	avail = rl.rlim_cur - SERVE_FIXED_FILES;
	files = avail > wanted ? (unsigned)(avail - wanted) : (unsigned)(avail / 16);
	/* Never at the cost of the minimum the refusal above promises. */
	if (avail - files < SERVE_MIN_CONNECTIONS)
		files = (unsigned)(avail - SERVE_MIN_CONNECTIONS);
	if (files > HTTP_SENDFILE_FILES)
		files = HTTP_SENDFILE_FILES;
	conns = avail - files < wanted ? (unsigned)(avail - files) : wanted;
	*sendfile_files = files;
	if (conns < wanted)
		log_warnx("the open-file limit is %llu (hard limit %llu): each worker holds at "
			  "most %u connections, not %u; raise the limit (ulimit -n, LimitNOFILE=) "
			  "or add workers", (unsigned long long)rl.rlim_cur,
			  (unsigned long long)rl.rlim_max, conns, wanted);
	return conns;
}

/* ---- worker ---- */

struct serve_worker {
	struct store *store;
	struct store *newsroom_store; /* the HTTP layer's newsroom thread's own */
	struct live *live;             /* cache, streams, the change log's position */
	struct http_server *http;
	struct http_log *access_log;   /* --access-log, or NULL */
	int64_t schedule_checked; /* UTC seconds of the scheduler's last look */
	int64_t purged;           /* UTC seconds of the last session clean-up */
	int64_t file_logged;      /* UTC seconds of the last "database gone" line */
	int file_rc;              /* store_check_file()'s last answer */
	int64_t ready_checked;    /* UTC seconds of the last readiness check */
	pid_t master;             /* the master's pid, to notice it has gone */
	int64_t retire_ms;        /* retiring (SIGUSR2) until this monotonic time; 0: not */
};

/* The database gone from under the server (store_check_file): a SQLite file
 * deleted or replaced, where SQLite would go on writing to the open (unlinked)
 * file and everything acknowledged from then on would be lost at the next
 * start; or a PostgreSQL connection lost and not made again yet. The store
 * refuses writes (every commit checks); this says so in the log, at once and
 * then every SERVE_FILE_LOG_S, so that an operator cannot miss it. Readers
 * keep getting cached pages. */
static void serve_check_file(struct serve_worker *w)
{
	int64_t now = (int64_t)time(NULL);
	int rc = store_check_file(w->store);

	w->file_rc = rc;
	if (rc == 0) {
		if (w->file_logged) {
			log_info("worker: the database is back; writes are accepted again");
			w->file_logged = 0;
		}
		return;
	}
	if (w->file_logged && now < w->file_logged + SERVE_FILE_LOG_S)
		return;
	w->file_logged = now;
	if (rc == STORE_EMOVED)
		log_error("worker: %s; every write is answered 503 until the server is "
			  "restarted on the right file", store_errmsg(w->store));
	else
		log_error("worker: %s; writes fail until the database can be reached again",
			  store_errmsg(w->store));
}

/* Publishes the scheduled posts that are due. The cheap read comes first: most
 * ticks find nothing due and take no write lock. */
static void serve_schedule(struct serve_worker *w)
{
	int64_t next = 0, now = (int64_t)time(NULL);
	size_t n = 0;

	if (now < w->schedule_checked + 1)
		return;
	w->schedule_checked = now;
	/* Expired sessions and old failed sign-ins are only clutter: hourly. */
	if (now >= w->purged + SERVE_PURGE_S) {
		w->purged = now;
		if (store_session_purge(w->store, now) < 0)
			log_warnx("sessions: %s", store_errmsg(w->store));
	}
	if (store_schedule_next(w->store, &next) < 0) {
		log_warnx("scheduler: %s", store_errmsg(w->store));
		return;
	}
	if (next == 0 || next > now)
		return;
	if (store_schedule_run(w->store, now, &n) < 0)
		log_warnx("scheduler: %s", store_errmsg(w->store));
	else if (n) {
		stats_count(STATS_SCHEDULED_PUBLISHED, n);
		log_info("scheduler: published %zu scheduled post%s", n, n == 1 ? "" : "s");
	}
	/* The change log carries them to readers, like any other post. */
	(void)live_poll(w->live, 0);
}

/* Readiness (/readyz, util/stats.h), once a second on the worker's timer, so
 * that a balancer's probes never reach the database: the store answers (the
 * newest change-log id, one indexed read), the file is the one open, and this
 * worker is at most STATS_READY_LAG changes behind the log. */
static void serve_ready_check(struct serve_worker *w)
{
	int64_t now = (int64_t)time(NULL), head = 0, lag;

	if (now == w->ready_checked)
		return;
	w->ready_checked = now;
	if (store_last_change_id(w->store, &head) < 0) {
		stats_ready_set(STATS_UNREADY_STORE, 0);
		return;
	}
	lag = head - live_last_change(w->live);
	if (lag < 0)
		lag = 0;
	if (w->file_rc == STORE_EMOVED)
		stats_ready_set(STATS_UNREADY_MOVED, lag);
	else if (w->file_rc != 0)
		stats_ready_set(STATS_UNREADY_STORE, lag);
	else
		stats_ready_set(lag > STATS_READY_LAG ? STATS_UNREADY_LAG : STATS_READY, lag);
}

/* Keeps the store's wake-up descriptor (store_wake_fd: SQLite's watch on
 * DB-notify, PostgreSQL's LISTENing connection) registered in the loop's epoll
 * as *wfd: it may change after store_wake_drain() or store_wake_tick(), and is
 * -1 while lost (the timer alone then finds changes). The store owns and closes
 * it. A descriptor it closed has left the epoll set by itself, and the new one
 * may have the same number: so it is added every time, and EEXIST says it was
 * there already (one system call per tick). */
static void serve_wake_watch(struct serve_worker *w, int ep, int *wfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = store_wake_fd(w->store);

	if (*wfd >= 0 && *wfd != fd)
		(void)epoll_ctl(ep, EPOLL_CTL_DEL, *wfd, NULL);
	*wfd = -1;
	if (fd < 0)
		return;
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 && errno != EEXIST) {
		log_warn("worker: epoll_ctl (the store's wake-up)");
		return;
	}
	*wfd = fd;
}

static int serve_timerfd(unsigned ms)
{
	struct itimerspec its = { 0 };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd < 0)
		return -1;
	its.it_interval.tv_sec = ms / 1000;
	its.it_interval.tv_nsec = (long)(ms % 1000) * 1000000L;
	its.it_value = its.it_interval;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

static void serve_drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Opens the time zones of the pages that are live or coming, before the first
 * request (tz_prepare): the first post published after a start would otherwise
 * wait for ICU to load its data. */
static void serve_prepare_zones(struct store *store)
{
	struct model_page *pages = NULL;
	size_t n = 0, prepared = 0;

	if (store_page_list(store, &pages, &n) < 0)
		return;
	for (size_t i = 0; i < n && prepared < SERVE_PREPARED_ZONES; i++)
		if (pages[i].status != MODEL_STATUS_ENDED && tz_prepare(pages[i].zone) == 0)
			prepared++;
	model_pages_free(pages, n);
}

/* A worker's connection to the database, set up for serving: what it commits
 * is rendered for the streams once, here, and stored with the change for
 * every worker (stream/stream_event.h); its statements are prepared now
 * rather than in the first requests. */
static struct store *serve_store_open(const char *db_path, char *err, size_t errlen)
{
	struct store *st = store_open_existing(db_path, err, errlen);

	if (!st)
		return NULL;
	store_set_event_renderer(st, stream_event_store, NULL);
	if (store_prepare(st) < 0)
		log_warnx("worker: %s", store_errmsg(st));
	return st;
}

static int64_t serve_now_ms(void);

/* A worker told to retire (SIGUSR2): from now on it only finishes what it has
 * (http_server_retire), until nothing is open or SERVE_RETIRE_MS have passed
 * (the worker's loop checks, serve_worker_retired). */
static void serve_worker_retire(struct serve_worker *w)
{
	size_t open = http_server_open(w->http);

	if (w->retire_ms)
		return;
	log_info("worker: retiring (a newer worker serves); finishing %zu connection%s", open,
		 open == 1 ? "" : "s");
	http_server_retire(w->http, SERVE_RETRY_MIN_MS, SERVE_RETRY_MAX_MS);
	w->retire_ms = serve_now_ms() + SERVE_RETIRE_MS;
}

/* A retiring worker is done when nothing is open, or its time is up. */
static int serve_worker_retired(struct serve_worker *w)
{
	size_t open = http_server_open(w->http);

	if (open && serve_now_ms() < w->retire_ms)
		return 0;
	if (open)
		log_warnx("worker: retired with %zu connection%s still open after %d s", open,
			  open == 1 ? "" : "s", SERVE_RETIRE_MS / 1000);
	return 1;
}

/* Reads the signals the worker's signalfd holds (all from the master):
 * SIGUSR1 opens the access log again (logrotate moved it), SIGUSR2 retires
 * the worker, any other (SIGTERM, SIGINT) stops it. Returns 1 to stop. */
static int serve_worker_signal(struct serve_worker *w, int sfd)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR2) {
			serve_worker_retire(w);
		} else if (si.ssi_signo == SIGUSR1) {
			if (w->access_log && http_log_reopen(w->access_log) == 0)
				log_debug("worker: the access log is open again");
		} else {
			log_info("worker: stopping (signal %u)", si.ssi_signo);
			stop = 1;
		}
	}
	return stop;
}

/* --public-base-url, or else one made from the address `fd` is bound to:
 * http://HOST:PORT, with localhost for a wildcard address. */
static const char *serve_base_url(const struct serve_config *cfg, int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	if (cfg->public_base_url[0])
		return cfg->public_base_url;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return NULL;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		port = ntohs(a->sin6_port);
		if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) ||
		    !inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host)))
			snprintf(out, len, "http://localhost:%u", port);
		else
			snprintf(out, len, "http://[%s]:%u", host, port);
		return out;
	}
	if (ss.ss_family != AF_INET)
		return NULL;
	const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

	port = ntohs(a->sin_port);
	if (a->sin_addr.s_addr == htonl(INADDR_ANY) ||
	    !inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host)))
		snprintf(out, len, "http://localhost:%u", port);
	else
		snprintf(out, len, "http://%s:%u", host, port);
	return out;
}

static int serve_worker_main(const struct serve_config *cfg, int listen_fd, int metrics_fd,
			     int ready_fd, pid_t master)
{
	struct serve_worker w = { 0 };
	struct http_config hc = { 0 };
	struct live_config lc = { 0 };
	struct epoll_event ev, events[SERVE_LOOP_EVENTS];
	int ep = -1, tfd = -1, hbfd = -1, sfd = -1, wfd = -1, rc = 1, stopping = 0;
	sigset_t mask;
	char err[256], base_url[SERVE_BASE_URL_MAX];

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR2);
	/* Log reopening (serve_worker_signal): blocked since the fork
	 * (serve_spawn) and across exec, so that one sent before the loop waits
	 * for it. */
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* The master's signal (reload), which a terminal's hang-up also sends
	 * to the whole group: a worker hears only from its master. */
	signal(SIGHUP, SIG_IGN);

	w.master = master;
	if (cfg->access_log) {
		w.access_log = http_log_open(cfg->access_log, cfg->access_log_format, err,
					     sizeof(err));
		if (!w.access_log) {
			log_warnx("worker: %s", err);
			goto out;
		}
	}
	/* Two connections, never created here (the master made the database if
	 * there was none; a worker restarted after it was deleted must fail, not
	 * serve a new empty one): the request thread's, and the newsroom thread's
	 * (src/http/http_offload.h), each used by its own thread only. */
	w.store = serve_store_open(cfg->db_path, err, sizeof(err));
	if (w.store)
		w.newsroom_store = serve_store_open(cfg->db_path, err, sizeof(err));
	if (!w.store || !w.newsroom_store) {
		log_warnx("worker: %s", err);
		goto out;
	}
	/* What the first requests would otherwise pay for: ICU's data for the
	 * live pages' zones. */
	serve_prepare_zones(w.store);
	/* A master that died while we started: take no share of the port. */
	if (getppid() != master) {
		log_warnx("worker: the master has gone; not starting");
		goto out;
	}
	/* The master's socket for this worker's slot (a copy of the descriptor:
	 * the socket and its queue outlive this worker). It listens once the
	 * worker is ready (below). */
	hc.listen_fd = listen_fd;
	listen_fd = -1;
	/* Field by field, like lc's below, by intent: http/ and live/ each take
	 * only the settings they use, not the whole serve configuration. */
	hc.connection_limit = cfg->connection_limit;
	hc.connection_memory = cfg->connection_memory;
	hc.idle_timeout = cfg->idle_timeout;
	hc.media_dir = cfg->media_dir;
	hc.sendfile_files = cfg->sendfile_files;
	hc.newsroom_store = w.newsroom_store;
	hc.trusted_proxies = &cfg->trusted_proxies;
	hc.access_log = w.access_log;
	hc.metrics_allow = &cfg->metrics_allow;
	/* The master's metrics socket for this slot (--metrics-listen), which
	 * the server owns from now on. */
	if (metrics_fd >= 0) {
		hc.metrics_listen = 1;
		hc.metrics_fd = metrics_fd;
		metrics_fd = -1;
	}
	/* libsodium and libvips start in each worker: libvips' threads do not
	 * survive a fork. */
	if (auth_init() < 0 || media_init("liveline") < 0) {
		log_warnx("worker: cannot start libsodium or libvips");
		goto out;
	}
	/* The live state starts the hub's thread, which inherits the signal
	 * mask; changes made before it starts are in whatever it renders. */
	/* Field by field, like hc's above, by intent: live/ takes only the
	 * settings it uses. */
	lc.cache_entries = cfg->cache_entries;
	lc.cache_bytes = cfg->cache_bytes;
	lc.stream_ring = cfg->stream_ring;
	lc.heartbeat_s = cfg->heartbeat_s;
	lc.base_url = serve_base_url(cfg, hc.listen_fd, base_url, sizeof(base_url));
	w.live = live_new(w.store, &lc, err, sizeof(err));
	if (!w.live) {
		close(hc.listen_fd);
		log_warnx("worker: %s", err);
		goto out;
	}
	hc.live = w.live;
	w.http = http_server_new(&hc, w.store, err, sizeof(err));
	if (!w.http) {
		close(hc.listen_fd);
		log_warnx("worker: %s", err);
		goto out;
	}
	prio_raise(cfg->request_prio);

	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = serve_timerfd(cfg->poll_ms);
	hbfd = serve_timerfd(cfg->heartbeat_s * 1000);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (ep < 0 || tfd < 0 || hbfd < 0 || sfd < 0) {
		log_warn("worker: event loop set-up");
		goto out;
	}
	ev.events = EPOLLIN;
	int fds[] = { http_server_fd(w.http), http_server_wake_fd(w.http), tfd, hbfd, sfd,
		      http_server_metrics_fd(w.http) };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] < 0)
			continue;
		ev.data.fd = fds[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			log_warn("worker: epoll_ctl");
			goto out;
		}
	}

	serve_wake_watch(&w, ep, &wfd);

	serve_check_file(&w);
	serve_ready_check(&w);
	/* A new socket is bound but not listening: the kernel gives it
	 * connections only from now on, when the worker is ready, so a worker
	 * that hangs while starting takes none of them. A reload's new worker
	 * got its predecessor's, which listens already (listen() again keeps
	 * its queue). */
	if (listen(hc.listen_fd, SERVE_LISTEN_BACKLOG) < 0 ||
	    (hc.metrics_listen && listen(hc.metrics_fd, SERVE_LISTEN_BACKLOG) < 0)) {
		log_warn("worker: listen");
		goto out;
	}
	if (write(ready_fd, "r", 1) != 1)
		log_warn("worker: cannot tell the master it is ready");
	close(ready_fd);
	ready_fd = -1;

	while (!stopping) {
		/* Streams are sent by the hub's own thread: this loop only serves
		 * requests and reads the change log. */
		int wait_ms = http_server_timeout_ms(w.http);
		if (w.retire_ms) {
			if (serve_worker_retired(&w))
				break;
			/* Counted again at least this often. */
			if (wait_ms < 0 || wait_ms > SERVE_RETIRE_TICK_MS)
				wait_ms = SERVE_RETIRE_TICK_MS;
		}
		int n = epoll_wait(ep, events, SERVE_LOOP_EVENTS, wait_ms);
		if (n < 0 && errno != EINTR) {
			log_warn("worker: epoll_wait");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			if (fd == wfd) {
				/* The store consumes what woke us: 1 a change may
				 * have been committed; -1 the watch was lost (the
				 * timer makes it again). */
				int woken = store_wake_drain(w.store);

				if (woken > 0)
					(void)live_poll(w.live, 1);
				serve_wake_watch(&w, ep, &wfd);
			} else if (fd == tfd) {
				serve_drain(fd);
				(void)live_poll(w.live, 0);
				if (w.access_log)
					(void)http_log_flush(w.access_log);
				serve_check_file(&w);
				serve_ready_check(&w);
				serve_schedule(&w);
				live_readers(w.live, (int64_t)time(NULL));
				store_wake_tick(w.store);
				serve_wake_watch(&w, ep, &wfd);
				/* PR_SET_PDEATHSIG is the signal; this is the
				 * belt to its braces. */
				if (getppid() != w.master) {
					log_warnx("worker: the master has gone; stopping");
					stopping = 1;
				}
			} else if (fd == hbfd) {
				serve_drain(fd);
				live_heartbeat(w.live);
			} else if (fd == sfd && serve_worker_signal(&w, sfd)) {
				stopping = 1;
			}
		}
		if (http_server_run(w.http) < 0) {
			log_warnx("worker: the HTTP daemon failed");
			goto out;
		}
		live_boost(w.live);
		if (w.access_log)
			(void)http_log_flush_full(w.access_log);
		/* A newsroom write made here: apply it before the next request, so
		 * the writer's next page already shows it. */
		if (http_server_take_written(w.http))
			(void)live_poll(w.live, 0);
	}
	/* Stop accepting, end the open streams, and let those being opened end
	 * on their first read, and newsroom requests in flight be answered,
	 * before the daemon stops. */
	http_server_quiesce(w.http);
	for (int i = 0; i < SERVE_DRAIN_TRIES && http_server_end_streams(w.http) > 0; i++) {
		struct epoll_event e1;

		http_server_run(w.http);
		live_boost(w.live);
		/* A timer that fired is drained, or every later wait would end at
		 * once and the grace with it. */
		if (epoll_wait(ep, &e1, 1, SERVE_DRAIN_WAIT_MS) == 1) {
			if (e1.data.fd == tfd || e1.data.fd == hbfd)
				serve_drain(e1.data.fd);
			else if (e1.data.fd == wfd && store_wake_drain(w.store) < 0)
				serve_wake_watch(&w, ep, &wfd);
		}
	}
	rc = 0;
out:
	if (ready_fd >= 0)
		close(ready_fd);
	if (listen_fd >= 0)
		close(listen_fd);
	if (metrics_fd >= 0)
		close(metrics_fd);
	http_server_free(w.http);
	live_free(w.live);
	/* After the hub: the streams it ended have written their lines. */
	http_log_free(w.access_log);
	store_close(w.newsroom_store);
	store_close(w.store);
	/* wfd is the store's: store_close() closed it. */
	int closefds[] = { ep, tfd, hbfd, sfd };
	for (size_t i = 0; i < sizeof(closefds) / sizeof(closefds[0]); i++)
		if (closefds[i] >= 0)
			close(closefds[i]);
	return rc;
}

/* ---- the worker's side of exec ---- */

/* An exec'd worker: what the master had in memory for it comes in
 * SERVE_WORKER_ENV (the settings themselves were parsed again from the
 * master's command line, by this binary). Returns the exit status. */
static int serve_worker_exec(const struct serve_config *cfg, const char *env)
{
	struct serve_config run_cfg = *cfg;
	long long v[SERVE_WORKER_FIELDS];
	const char *p = env;
	char *end;

	for (int i = 0; i < SERVE_WORKER_FIELDS; i++) {
		errno = 0;
		v[i] = strtoll(p, &end, 10);
		if (errno || end == p || (i < SERVE_WORKER_FIELDS - 1 && *end != ':') ||
		    (i == SERVE_WORKER_FIELDS - 1 && *end)) {
			log_warnx("worker: bad %s=\"%s\"", SERVE_WORKER_ENV, env);
			return 1;
		}
		p = end + 1;
	}
	/* Its own workers, if it ever served, are not this one's business. */
	unsetenv(SERVE_WORKER_ENV);
	if (getppid() != (pid_t)v[0]) {
		log_warnx("worker: the master has gone; not starting");
		return 1;
	}
	(void)fcntl((int)v[1], F_SETFD, FD_CLOEXEC);
	(void)fcntl((int)v[2], F_SETFD, FD_CLOEXEC);
	run_cfg.connection_limit = (unsigned)v[3];
	run_cfg.sendfile_files = (unsigned)v[4];
	run_cfg.request_prio = (struct prio){ (enum prio_mode)v[5], (unsigned)v[6] };
	/* The counters: the master's region, this worker's slot in it. */
	if (v[7] >= 0) {
		(void)fcntl((int)v[7], F_SETFD, FD_CLOEXEC);
		if (stats_map((int)v[7]) == 0 && v[8] >= 0)
			stats_attach((unsigned)v[8]);
		close((int)v[7]);
	}
	if (v[9] >= 0)
		(void)fcntl((int)v[9], F_SETFD, FD_CLOEXEC);
	return serve_worker_main(&run_cfg, (int)v[2], (int)v[9], (int)v[1], (pid_t)v[0]);
}

/* ---- master ---- */

static volatile sig_atomic_t serve_stop_signal;
static volatile sig_atomic_t serve_reload_signal;
static volatile sig_atomic_t serve_reopen_signal;

/* SIGUSR1 (logrotate's postrotate): passed on to every worker, which opens
 * its access log again. The master writes only to standard error. */
static void serve_on_reopen(int sig)
{
	(void)sig;
	serve_reopen_signal = 1;
}

/* Only to wake the master's poll (serve_reap runs after it). */
static void serve_on_child(int sig)
{
	(void)sig;
}

static void serve_on_signal(int sig)
{
	if (sig == SIGHUP)
		serve_reload_signal = 1;
	else
		serve_stop_signal = sig;
}

/* One worker's place. A slot always has a worker, or a time to start one. */
struct serve_slot {
	pid_t pid;            /* 0: none, start one at restart_ms */
	int ready_fd;         /* while starting: the read end of its readiness pipe */
	int running;          /* it said it listens */
	unsigned restarts;
	int64_t started_ms;   /* forked, or became ready (running) */
	int64_t restart_ms;
	unsigned backoff_ms;  /* the delay before the next restart */
	unsigned index;       /* its place in its generation, for the log */
};

#define SERVE_MAX_RETIRING (4 * SERVE_MAX_WORKERS)

/* The master's state. Slot i's worker accepts on listen_fds[i], a socket of
 * the SO_REUSEPORT group that the master binds and keeps: a worker that ends
 * closes only its copy, so the connections queued on the socket wait for the
 * next worker of the slot instead of being reset (what makes a reload lose no
 * connection). Workers are exec'd from exe_fd, the binary as it was on disk at
 * the start or at the last reload that succeeded, so that a worker restarted
 * after a crash runs the same code as the others. */
struct serve_master {
	const struct serve_config *cfg;
	unsigned n;                        /* workers */
	struct sockaddr_storage ss;
	socklen_t len;
	int reserved_fd;                   /* bound, not listening: the port stays ours */
	int listen_fds[SERVE_MAX_WORKERS];
	/* --metrics-listen: its address, resolved (port 0 made real), reserved
	 * as the main one is, and a listening socket per slot, kept likewise. */
	struct sockaddr_storage metrics_ss;
	socklen_t metrics_len;             /* 0: no metrics listener */
	int metrics_reserved_fd;
	int metrics_fds[SERVE_MAX_WORKERS];
	/* Which worker writes each slot of the counters' region (util/stats.h):
	 * a worker takes a free slot when it starts and frees it when it is
	 * reaped, so that the old and new generations of a reload never share
	 * one; a slot's counters go on with its next worker. */
	pid_t stats_owner[STATS_SLOTS];
	char exe[PATH_MAX];                /* the binary's path, resolved at start */
	int exe_fd;
	char **argv;                       /* the master's command line, for exec */
	char *argv_buf;
	struct serve_slot slots[SERVE_MAX_WORKERS]; /* the generation serving */
	/* A reload under way: the next generation, from next_exe_fd, starting. */
	int upgrading;
	int64_t upgrade_ms;
	int next_exe_fd;
	struct serve_slot next[SERVE_MAX_WORKERS];
	/* Old workers told to retire, until they exit (killed at kill_ms). */
	pid_t retiring[SERVE_MAX_RETIRING];
	int64_t retiring_kill_ms[SERVE_MAX_RETIRING];
	unsigned n_retiring;
};

static int64_t serve_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The master's own command line (/proc/self/cmdline), which an exec'd worker
 * parses again. Returns 0 or -1. */
static int serve_master_argv(struct serve_master *m)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, argc = 0;
	ssize_t k;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (;;) {
		if (len + 4096 > cap) {
			char *b = realloc(buf, cap + 8192);
			if (!b)
				goto fail;
			buf = b;
			cap += 8192;
		}
		k = read(fd, buf + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			goto fail;
		if (k == 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	fd = -1;
	if (len == 0)
		goto fail;
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		argc += buf[i] == '\0';
	m->argv = calloc(argc + 1, sizeof(*m->argv));
	if (!m->argv)
		goto fail;
	argc = 0;
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		m->argv[argc++] = buf + i;
	m->argv_buf = buf;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

/* Opens the binary at m->exe as it is now (a replaced file is a new one).
 * Returns the descriptor, or -1 with errno. */
static int serve_exe_open(const struct serve_master *m)
{
	return open(m->exe, O_RDONLY | O_CLOEXEC);
}

/* Forks a worker into `slot`, exec'd from `exe_fd` with the master's command
 * line, and returns at once: the worker writes one byte to its readiness pipe
 * when it listens, which the master's loop polls, so a worker that hangs while
 * starting never blocks the master. Returns 0, or -1 (fork, pipe or socket
 * failed). */
static int serve_spawn(struct serve_master *m, unsigned i, int exe_fd, struct serve_slot *slot)
{
	const struct serve_config *cfg = m->cfg;
	pid_t master = getpid(), pid;
	sigset_t usr1, mask;
	char env[200];
	int pfd[2], stat_slot = -1, region_fd = stats_fd();

	if (m->listen_fds[i] < 0) {
		m->listen_fds[i] = serve_socket(&m->ss, m->len, 0); /* the worker listens */
		if (m->listen_fds[i] < 0)
			return -1;
	}
	if (m->metrics_len && m->metrics_fds[i] < 0) {
		m->metrics_fds[i] = serve_socket(&m->metrics_ss, m->metrics_len, 0);
		if (m->metrics_fds[i] < 0)
			return -1;
	}
	for (unsigned k = 0; k < STATS_SLOTS && stat_slot < 0 && region_fd >= 0; k++)
		if (m->stats_owner[k] == 0)
			stat_slot = (int)k;
	/* Only when reloads come faster than old workers retire (64 workers
	 * and two retiring generations fit): this worker serves, uncounted. */
	if (stat_slot < 0 && region_fd >= 0)
		log_warnx("worker of slot %u: every counter slot is taken (old workers still "
			  "retiring); /metrics leaves this worker out", i);
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	snprintf(env, sizeof(env), "%d:%d:%d:%u:%u:%d:%u:%d:%d:%d", (int)master, pfd[1],
		 m->listen_fds[i], cfg->connection_limit, cfg->sendfile_files,
		 (int)cfg->request_prio.mode, cfg->request_prio.nice,
		 stat_slot >= 0 ? region_fd : -1, stat_slot, m->metrics_len ? m->metrics_fds[i] : -1);
	/* The child is born with SIGUSR1 blocked, and keeps it blocked across
	 * exec (its loop reads it from a signalfd): one sent while it starts
	 * waits for the loop instead of reaching the master's handler. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &mask);
	pid = fork();
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &mask, NULL);
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		/* The other slots' sockets first: until exec closes them, a child
		 * holding them (stopped, or slow) would keep a socket whose worker
		 * died listening with nobody to accept. */
		for (unsigned k = 0; k < m->n; k++) {
			if (k != i && m->listen_fds[k] >= 0)
				close(m->listen_fds[k]);
			if (k != i && m->metrics_fds[k] >= 0)
				close(m->metrics_fds[k]);
		}
		/* Every other descriptor of the master's is close-on-exec; these
		 * are the worker's. */
		if (fcntl(pfd[1], F_SETFD, 0) < 0 || fcntl(m->listen_fds[i], F_SETFD, 0) < 0 ||
		    (stat_slot >= 0 && fcntl(region_fd, F_SETFD, 0) < 0) ||
		    (m->metrics_len && fcntl(m->metrics_fds[i], F_SETFD, 0) < 0))
			_exit(127);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		/* A worker must not outlive its master: with no one to restart or
		 * stop it, it would hold the port against the next `serve`. The
		 * kernel sends SIGTERM (a clean stop) when the master dies, and
		 * keeps that across exec; the getppid() test covers a master that
		 * died before prctl(). */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != master)
			_exit(1);
		if (setenv(SERVE_WORKER_ENV, env, 1) < 0)
			_exit(127);
		execveat(exe_fd, "", m->argv, environ, AT_EMPTY_PATH);
		/* A script is run by its interpreter through /dev/fd, which
		 * close-on-exec has closed: ENOENT. Workers are binaries. */
		log_warn("worker: cannot run %s%s", m->exe,
			 errno == ENOENT ? " (not an executable binary)" : "");
		_exit(127);
	}
	close(pfd[1]);
	if (stat_slot >= 0) {
		m->stats_owner[stat_slot] = pid;
		stats_slots_used((unsigned)stat_slot + 1);
	}
	log_debug("worker %d started (slot %u)", (int)pid, i);
	slot->pid = pid;
	slot->index = i;
	slot->ready_fd = pfd[0];
	slot->running = 0;
	slot->started_ms = serve_now_ms();
	return 0;
}

unsigned serve_backoff(unsigned backoff_ms, int healthy, unsigned *delay_ms)
{
	if (healthy || backoff_ms < SERVE_BACKOFF_MIN_MS)
		backoff_ms = SERVE_BACKOFF_MIN_MS;
	*delay_ms = backoff_ms;
	return backoff_ms > SERVE_BACKOFF_MAX_MS / 2 ? SERVE_BACKOFF_MAX_MS : backoff_ms * 2;
}

static void serve_exit_text(int status, char *how, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(how, len, "died of signal %d", WTERMSIG(status));
	else
		snprintf(how, len, "exited with status %d", WEXITSTATUS(status));
}

static void serve_slot_forget(struct serve_slot *sl)
{
	if (sl->ready_fd >= 0)
		close(sl->ready_fd);
	sl->ready_fd = -1;
	sl->pid = 0;
}

/* A worker of the serving generation ended: its restart is scheduled. */
static void serve_reap_slot(struct serve_master *m, unsigned i, pid_t p, int status, int64_t now)
{
	struct serve_slot *sl = &m->slots[i];
	unsigned delay, next;
	char how[64];

	serve_slot_forget(sl);
	next = serve_backoff(sl->backoff_ms,
			     sl->running && now - sl->started_ms >= SERVE_HEALTHY_MS, &delay);
	sl->restart_ms = now + delay;
	serve_exit_text(status, how, sizeof(how));
	log_warnx("worker %d %s %s; restarting it in %u ms", (int)p, how,
		  sl->running ? "while serving" : "while starting", delay);
	/* A worker that died: its socket closes, so that new connections go to
	 * the other workers until its successor listens on a new one (those
	 * queued on it are reset, or moved with net.ipv4.tcp_migrate_req);
	 * kept, it would take connections that wait for as long as the next
	 * start takes, or hangs. Not while a reload starts the next generation
	 * on it. */
	if (!m->upgrading && m->listen_fds[i] >= 0) {
		close(m->listen_fds[i]);
		m->listen_fds[i] = -1;
	}
	sl->backoff_ms = next;
	sl->running = 0;
}

static void serve_upgrade_fail(struct serve_master *m, const char *why);

/* A worker ended: its slot of the counters is free, its gauges zero (what it
 * had open closed with it). */
static void serve_stats_release(struct serve_master *m, pid_t p)
{
	for (unsigned k = 0; k < STATS_SLOTS; k++) {
		if (m->stats_owner[k] == p) {
			m->stats_owner[k] = 0;
			stats_slot_ended(k);
		}
	}
}

/* Reaps every worker that ended: the serving generation's are restarted, the
 * next generation's fail the reload, and retired ones are forgotten. */
static void serve_reap(struct serve_master *m)
{
	int64_t now = serve_now_ms();
	int status;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		char how[64], why[160];
		int found = 0;

		serve_stats_release(m, p);
		for (unsigned i = 0; i < m->n && !found; i++) {
			if (m->slots[i].pid == p) {
				serve_reap_slot(m, i, p, status, now);
				found = 1;
			} else if (m->upgrading && m->next[i].pid == p) {
				serve_slot_forget(&m->next[i]);
				serve_exit_text(status, how, sizeof(how));
				snprintf(why, sizeof(why), "new worker %d %s before it was ready",
					 (int)p, how);
				serve_upgrade_fail(m, why);
				found = 1;
			}
		}
		for (unsigned k = 0; k < m->n_retiring && !found; k++) {
			if (m->retiring[k] != p)
				continue;
			serve_exit_text(status, how, sizeof(how));
			if (m->retiring_kill_ms[k] < 0)
				; /* a new worker of a failed reload, killed while starting */
			else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				log_info("worker %d retired", (int)p);
			else
				log_warnx("retiring worker %d %s", (int)p, how);
			m->n_retiring--;
			m->retiring[k] = m->retiring[m->n_retiring];
			m->retiring_kill_ms[k] = m->retiring_kill_ms[m->n_retiring];
			found = 1;
		}
	}
}

/* Reads the readiness pipes that poll() found readable. */
static void serve_readiness(struct serve_slot **owner, const struct pollfd *pf, unsigned npf)
{
	for (unsigned k = 0; k < npf; k++) {
		struct serve_slot *sl = owner[k];
		char c;

		if (!pf[k].revents || sl->ready_fd != pf[k].fd)
			continue;
		if (read(sl->ready_fd, &c, 1) == 1) {
			sl->running = 1;
			sl->started_ms = serve_now_ms();
			if (sl->restarts)
				log_info("worker %d is serving (restart %u of slot %u)", (int)sl->pid,
					 sl->restarts, sl->index);
		} else if (errno == EAGAIN) {
			continue;
		} /* else the worker ended before it was ready: serve_reap() says so */
		close(sl->ready_fd);
		sl->ready_fd = -1;
	}
}

/* Tells an old worker to retire (SIGUSR2), and when to kill it if it has not. */
static void serve_retire(struct serve_master *m, pid_t pid)
{
	if (kill(pid, SIGUSR2) < 0)
		return;
	if (m->n_retiring == SERVE_MAX_RETIRING) { /* never: a reload checks for room */
		kill(pid, SIGKILL);
		return;
	}
	m->retiring[m->n_retiring] = pid;
	m->retiring_kill_ms[m->n_retiring++] =
		serve_now_ms() + SERVE_RETIRE_MS + SERVE_STOP_GRACE_S * 1000;
}

/* The reload did not happen: the next generation's ready workers (which may
 * have taken connections already) retire, the others are killed, and the
 * serving generation goes on. */
static void serve_upgrade_fail(struct serve_master *m, const char *why)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct serve_slot *sl = &m->next[i];

		if (sl->pid > 0) {
			if (sl->running)
				serve_retire(m, sl->pid);
			else if (kill(sl->pid, SIGKILL) == 0) {
				/* Reaped as it ends, like a retired worker, without a
				 * word (-1): it never served. */
				m->retiring[m->n_retiring] = sl->pid;
				m->retiring_kill_ms[m->n_retiring++] = -1;
			}
		}
		serve_slot_forget(sl);
	}
	close(m->next_exe_fd);
	m->next_exe_fd = -1;
	m->upgrading = 0;
	log_error("reload failed: %s; the running workers keep serving", why);
}

/* The configuration file is read again by each new worker, exec'd with the
 * master's command line (flags still override it). The master checks it first,
 * so that a file broken since the start fails the reload here, with each error,
 * rather than new workers that cannot start. What the master itself holds (the
 * listen address, the number of workers, the metrics address) stays as it
 * was until a restart. Returns 0, or -1 (said why) to keep the old workers. */
static int serve_reload_config(struct serve_master *m)
{
	const struct serve_config *cfg = m->cfg;
	struct serve_config probe;
	struct serve_file sf;
	int rc = 0;

	if (!cfg->config_path)
		return 0;
	serve_config_defaults(&probe);
	serve_file_init(&sf);
	if (serve_file_load(&sf, cfg->config_path, &probe, cfg->config_missing_ok) < 0) {
		log_error("reload failed: %s has errors; the running workers keep serving:\n%s",
			  cfg->config_path, sf.errors.data ? sf.errors.data : "");
		rc = -1;
	} else {
		log_info("reload: %s read again (listen, workers and metrics-listen change only "
			 "with a restart)", cfg->config_path);
	}
	serve_file_cleanup(&sf);
	return rc;
}

/* SIGHUP: starts a new generation of workers from the binary on disk now; the
 * master's loop retires the old one once every new worker is ready
 * (serve_upgrade_check). */
static void serve_reload(struct serve_master *m)
{
	if (m->upgrading) {
		log_warnx("reload: one is under way already; SIGHUP ignored");
		return;
	}
	if (m->n_retiring + 2 * m->n > SERVE_MAX_RETIRING) {
		log_warnx("reload: %u old workers are still retiring; SIGHUP ignored",
			  m->n_retiring);
		return;
	}
	if (serve_reload_config(m) < 0)
		return;
	m->next_exe_fd = serve_exe_open(m);
	if (m->next_exe_fd < 0) {
		log_error("reload failed: cannot open %s: %s; the workers keep serving", m->exe,
			  strerror(errno));
		return;
	}
	m->upgrading = 1;
	m->upgrade_ms = serve_now_ms();
	log_info("reload: starting %u new worker%s from %s", m->n, m->n == 1 ? "" : "s", m->exe);
	for (unsigned i = 0; i < m->n; i++)
		m->next[i] = (struct serve_slot){ .ready_fd = -1, .backoff_ms = SERVE_BACKOFF_MIN_MS };
	for (unsigned i = 0; i < m->n && m->upgrading; i++) {
		if (serve_spawn(m, i, m->next_exe_fd, &m->next[i]) < 0) {
			char why[160];

			snprintf(why, sizeof(why), "cannot start a new worker: %s", strerror(errno));
			serve_upgrade_fail(m, why);
		}
	}
}

/* A reload under way: once every new worker is ready, they become the
 * serving generation and the old ones retire; if one is not ready in time,
 * the reload fails. */
static void serve_upgrade_check(struct serve_master *m, int64_t now)
{
	unsigned ready = 0;

	if (!m->upgrading)
		return;
	for (unsigned i = 0; i < m->n; i++)
		ready += m->next[i].running;
	if (ready < m->n) {
		if (now - m->upgrade_ms > SERVE_UPGRADE_TIMEOUT_MS) {
			char why[160];

			snprintf(why, sizeof(why), "%u of %u new workers were not ready in %d s",
				 m->n - ready, m->n, SERVE_UPGRADE_TIMEOUT_MS / 1000);
			serve_upgrade_fail(m, why);
		}
		return;
	}
	for (unsigned i = 0; i < m->n; i++) {
		if (m->slots[i].pid > 0)
			serve_retire(m, m->slots[i].pid);
		serve_slot_forget(&m->slots[i]);
		m->slots[i] = m->next[i];
		m->next[i] = (struct serve_slot){ .ready_fd = -1 };
	}
	close(m->exe_fd);
	m->exe_fd = m->next_exe_fd;
	m->next_exe_fd = -1;
	m->upgrading = 0;
	log_info("reload: %u new worker%s serving; the old ones retire", m->n,
		 m->n == 1 ? "" : "s");
}

/* Old workers past their time (SERVE_RETIRE_MS and a grace) are killed. */
static void serve_retiring_check(struct serve_master *m, int64_t now)
{
	for (unsigned k = 0; k < m->n_retiring; k++) {
		if (m->retiring_kill_ms[k] <= 0 || now < m->retiring_kill_ms[k])
			continue;
		log_warnx("retiring worker %d did not exit in %d s; killing it", (int)m->retiring[k],
			  SERVE_RETIRE_MS / 1000 + SERVE_STOP_GRACE_S);
		kill(m->retiring[k], SIGKILL);
		m->retiring_kill_ms[k] = 0; /* once; reaped as it ends */
	}
}

/* SIGUSR1: every worker opens its access log again: the serving ones, those
 * of a reload starting, and the retiring ones (they still log). */
static void serve_forward_reopen(struct serve_master *m)
{
	unsigned told = 0;

	serve_reopen_signal = 0;
	for (unsigned i = 0; i < m->n; i++) {
		if (m->slots[i].pid > 0 && kill(m->slots[i].pid, SIGUSR1) == 0)
			told++;
		if (m->upgrading && m->next[i].pid > 0 && kill(m->next[i].pid, SIGUSR1) == 0)
			told++;
	}
	for (unsigned k = 0; k < m->n_retiring; k++)
		if (m->retiring_kill_ms[k] >= 0 && kill(m->retiring[k], SIGUSR1) == 0)
			told++;
	log_info("reopening the access log (SIGUSR1): %u worker%s told", told,
		 told == 1 ? "" : "s");
}

/* Stops every worker: SIGTERM, then SIGKILL after SERVE_STOP_GRACE_S. */
static void serve_stop_workers(struct serve_master *m)
{
	pid_t pids[2 * SERVE_MAX_WORKERS + SERVE_MAX_RETIRING];
	time_t deadline = time(NULL) + SERVE_STOP_GRACE_S;
	unsigned alive = 0, n = 0;

	for (unsigned i = 0; i < m->n; i++) {
		if (m->slots[i].pid > 0)
			pids[n++] = m->slots[i].pid;
		if (m->upgrading && m->next[i].pid > 0)
			pids[n++] = m->next[i].pid;
		serve_slot_forget(&m->slots[i]);
		serve_slot_forget(&m->next[i]);
	}
	for (unsigned k = 0; k < m->n_retiring; k++)
		pids[n++] = m->retiring[k];
	m->n_retiring = 0;
	for (unsigned i = 0; i < n; i++) {
		if (kill(pids[i], SIGTERM) == 0)
			alive++;
		else
			pids[i] = 0;
	}
	while (alive && time(NULL) < deadline) {
		int status = 0;
		pid_t p = waitpid(-1, &status, WNOHANG);
		if (p > 0) {
			for (unsigned i = 0; i < n; i++)
				if (pids[i] == p) {
					pids[i] = 0;
					alive--;
				}
			log_debug("worker %d stopped (%s %d)", (int)p,
				  WIFSIGNALED(status) ? "signal" : "status",
				  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		} else if (p < 0 && errno == ECHILD) {
			break;
		} else {
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (pids[i] > 0) {
			log_warnx("worker %d did not stop in %d s; killing it", (int)pids[i],
				  SERVE_STOP_GRACE_S);
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
}

/* Resolves --metrics-listen into m->metrics_ss and reserves it (bound, not
 * listening, as the main address is): "address in use" is an error at start,
 * and a port 0 becomes a real one. 0, or -1 (said why). */
static int serve_metrics_reserve(struct serve_master *m)
{
	const char *addr = m->cfg->metrics_listen;
	struct sockaddr_storage *ss = &m->metrics_ss;
	socklen_t len = 0;
	int fd, one = 1;

	if (!addr)
		return 0;
	if (serve_resolve(addr, ss, &len) < 0) {
		log_warnx("cannot resolve metrics address \"%s\" (want HOST:PORT)", addr);
		return -1;
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)ss, len) < 0) {
		log_warn("cannot bind %s", addr);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	len = sizeof(*ss);
	getsockname(fd, (struct sockaddr *)ss, &len);
	close(fd);
	m->metrics_reserved_fd = serve_socket(ss, len, 0);
	if (m->metrics_reserved_fd < 0) {
		log_warn("cannot bind %s", addr);
		return -1;
	}
	m->metrics_len = len;
	return 0;
}

/* Names the metrics listener (its port may have been 0) in the log. */
static void serve_log_metrics(const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2], port[16];

	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host, sizeof(host), port,
			sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	log_info("metrics on http://%s%s%s:%s/metrics", ss->ss_family == AF_INET6 ? "[" : "",
		 host, ss->ss_family == AF_INET6 ? "]" : "", port);
}

static void serve_print_address(const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2], port[16];

	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host, sizeof(host), port,
			sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	if (ss->ss_family == AF_INET6)
		printf("liveline: listening on http://[%s]:%s/\n", host, port);
	else
		printf("liveline: listening on http://%s:%s/\n", host, port);
	fflush(stdout);
}

/* The binary to exec workers from: its path now (a later reload opens the
 * path again, and so finds a binary that replaced it), and the file itself.
 * Returns 0 or -1 (said why). */
static int serve_master_exe(struct serve_master *m)
{
	ssize_t k = readlink("/proc/self/exe", m->exe, sizeof(m->exe) - 1);

	if (k < 0) {
		log_warn("cannot find the path of the running binary (/proc/self/exe)");
		return -1;
	}
	m->exe[k] = '\0';
	m->exe_fd = serve_exe_open(m);
	if (m->exe_fd < 0) {
		/* Replaced or removed since we started: run this very file. */
		log_warnx("%s is not the running binary any more; workers run the running one "
			  "until a reload", m->exe);
		m->exe_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	}
	if (m->exe_fd < 0) {
		log_warn("cannot open the running binary");
		return -1;
	}
	if (serve_master_argv(m) < 0) {
		log_warn("cannot read the command line (/proc/self/cmdline)");
		return -1;
	}
	return 0;
}

static void serve_master_cleanup(struct serve_master *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		if (m->listen_fds[i] >= 0)
			close(m->listen_fds[i]);
		if (m->metrics_fds[i] >= 0)
			close(m->metrics_fds[i]);
	}
	if (m->metrics_reserved_fd >= 0)
		close(m->metrics_reserved_fd);
	stats_close();
	if (m->exe_fd >= 0)
		close(m->exe_fd);
	if (m->next_exe_fd >= 0)
		close(m->next_exe_fd);
	if (m->reserved_fd >= 0)
		close(m->reserved_fd);
	free(m->argv);
	free(m->argv_buf);
}

/* One turn of the master's loop over one generation: starts what is due, kills
 * the stuck, and lists the readiness pipes to poll. Returns how many run. */
static unsigned serve_tend(struct serve_master *m, struct serve_slot *slots, int exe_fd,
			   int announced, struct pollfd *pf, struct serve_slot **owner,
			   unsigned *npf, int64_t now)
{
	unsigned running = 0;

	for (unsigned i = 0; i < m->n; i++) {
		struct serve_slot *sl = &slots[i];

		if (sl->pid == 0 && slots == m->slots && now >= sl->restart_ms) {
			if (serve_spawn(m, i, exe_fd, sl) < 0) {
				log_warn("cannot start worker %u; trying again in %u ms", i,
					 sl->backoff_ms);
				sl->restart_ms = now + sl->backoff_ms;
				continue;
			}
			if (announced) {
				sl->restarts++;
				stats_note_restart();
			}
		} else if (sl->pid > 0 && !sl->running && slots == m->slots &&
			   now - sl->started_ms > SERVE_START_TIMEOUT_MS) {
			log_warnx("worker %d did not start in %d s; killing it", (int)sl->pid,
				  SERVE_START_TIMEOUT_MS / 1000);
			kill(sl->pid, SIGKILL); /* reaped and restarted below */
			sl->started_ms = now;   /* once */
		}
		if (sl->ready_fd >= 0) {
			pf[*npf] = (struct pollfd){ .fd = sl->ready_fd, .events = POLLIN };
			owner[(*npf)++] = sl;
		}
		running += sl->running;
	}
	return running;
}

int serve_run(const struct serve_config *cfg)
{
	struct serve_config run_cfg;
	struct serve_master m = { .reserved_fd = -1, .exe_fd = -1, .next_exe_fd = -1,
				  .metrics_reserved_fd = -1 };
	struct sigaction sa = { 0 };
	socklen_t blen;
	unsigned n = cfg->workers;
	struct store *st;
	struct stat sb;
	char err[512], what[512];
	const char *worker_env = getenv(SERVE_WORKER_ENV);
	int fd, created, announced = 0, rc = 1;

	log_set_level((enum log_level)cfg->log_level);
	/* A worker exec'd by a master (serve_spawn): it only serves. */
	if (worker_env)
		return serve_worker_exec(cfg, worker_env);
	/* First: SIGUSR1's default action ends a process, and logrotate may send
	 * it at any time. (Workers are born with it blocked: serve_spawn.) */
	sa.sa_handler = serve_on_reopen;
	sigaction(SIGUSR1, &sa, NULL);
	if (n == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		n = cores > 0 ? (unsigned)cores : 1;
	}
	if (n > SERVE_MAX_WORKERS)
		n = SERVE_MAX_WORKERS;
	m.n = n;
	for (unsigned i = 0; i < SERVE_MAX_WORKERS; i++)
		m.listen_fds[i] = m.metrics_fds[i] = -1;
	if (serve_resolve(cfg->listen, &m.ss, &m.len) < 0) {
		log_warnx("cannot resolve listen address \"%s\" (want HOST:PORT)", cfg->listen);
		return 1;
	}
	/* Open (and migrate) the database once before forking, so a bad path fails
	 * here with one message; store connections must not cross fork(). A first
	 * serve makes a database file (its folder must exist), and says so: a
	 * mistyped path is then one log line away from being noticed. */
	created = !store_target_is_pg(cfg->db_path) && stat(cfg->db_path, &sb) < 0 &&
		  errno == ENOENT;
	st = store_open(cfg->db_path, err, sizeof(err));
	if (!st) {
		log_warnx("%s", err);
		return 1;
	}
	store_close(st);
	/* Each worker opens the access log itself (and again on SIGUSR1); a path
	 * it cannot open is one error here, not a worker dying in a loop. */
	if (cfg->access_log) {
		struct http_log *probe = http_log_open(cfg->access_log, cfg->access_log_format,
						       err, sizeof(err));
		if (!probe) {
			log_error("%s", err);
			return 1;
		}
		http_log_free(probe);
	}
	store_target_describe(cfg->db_path, what, sizeof(what));
	if (created)
		log_warnx("there was no database at %s: created an empty one", what);
	run_cfg = *cfg;
	run_cfg.connection_limit = serve_raise_nofile(cfg->connection_limit,
						      &run_cfg.sendfile_files);
	if (run_cfg.connection_limit == 0)
		return 1;
	run_cfg.request_prio = prio_check(cfg->request_prio);
	cfg = &run_cfg;
	m.cfg = cfg;
	if (serve_master_exe(&m) < 0 || serve_metrics_reserve(&m) < 0)
		goto out;

	/* SO_REUSEPORT would let a second server on the same port take a share of
	 * the connections without a word. Binding once without it first makes
	 * "address in use" an error, as an operator expects. */
	fd = socket(m.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1; /* connections of a previous run in TIME_WAIT are no conflict */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&m.ss, m.len) < 0) {
		log_warn("cannot bind %s", cfg->listen);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	blen = sizeof(m.ss);
	getsockname(fd, (struct sockaddr *)&m.ss, &blen); /* port 0 becomes a real one */
	m.len = blen;
	close(fd);
	m.reserved_fd = serve_socket(&m.ss, m.len, 0);
	if (m.reserved_fd < 0) {
		log_warn("cannot bind %s", cfg->listen);
		goto out;
	}
	/* The sockets, one per worker, which the master keeps; each worker
	 * makes its own listen once it is about to serve. */
	for (unsigned i = 0; i < n; i++) {
		m.listen_fds[i] = serve_socket(&m.ss, m.len, 0);
		if (m.listen_fds[i] < 0) {
			log_warn("cannot listen on %s", cfg->listen);
			goto out;
		}
	}

	/* The counters of every worker, made before the first one starts; each
	 * maps them (util/stats.h). Serving goes on without them. */
	if (stats_open(n) < 0)
		log_warn("cannot map the shared counters; /metrics will show none");

	sa.sa_handler = serve_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A worker's death interrupts the loop's poll, so that it is reaped and
	 * its socket closed at once, not at the next tick: connections the
	 * kernel queues on a dead worker's socket meanwhile are reset when it
	 * closes. */
	sa.sa_handler = serve_on_child;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_flags = 0;
	signal(SIGPIPE, SIG_IGN);

	for (unsigned i = 0; i < n; i++)
		m.slots[i] = (struct serve_slot){ .ready_fd = -1, .backoff_ms = SERVE_BACKOFF_MIN_MS };

	/* The master's loop never waits on one worker: it polls the starting
	 * workers' readiness pipes for a tick, then reaps, kills the stuck and
	 * starts what is due. */
	while (!serve_stop_signal) {
		struct pollfd pf[2 * SERVE_MAX_WORKERS];
		struct serve_slot *owner[2 * SERVE_MAX_WORKERS];
		unsigned npf = 0, running;
		int64_t now = serve_now_ms();

		if (serve_reload_signal) {
			serve_reload_signal = 0;
			serve_reload(&m);
		}
		running = serve_tend(&m, m.slots, m.exe_fd, announced, pf, owner, &npf, now);
		if (m.upgrading)
			(void)serve_tend(&m, m.next, m.next_exe_fd, announced, pf, owner, &npf, now);
		if (!announced && running == n) {
			serve_print_address(&m.ss);
			if (m.metrics_len)
				serve_log_metrics(&m.metrics_ss);
			log_info("serving %s with %u worker%s", what, n, n == 1 ? "" : "s");
			announced = 1;
		}
		/* A signal interrupts the poll: the loop's test sees it at once. */
		if (poll(pf, npf, SERVE_TICK_MS) > 0)
			serve_readiness(owner, pf, npf);
		serve_reap(&m);
		now = serve_now_ms();
		serve_upgrade_check(&m, now);
		serve_retiring_check(&m, now);
		if (serve_reopen_signal)
			serve_forward_reopen(&m);
	}
	log_info("stopping (signal %d): ending %u worker%s, %d s at most", (int)serve_stop_signal,
		 n, n == 1 ? "" : "s", SERVE_STOP_GRACE_S);
	serve_stop_workers(&m);
	log_info("stopped (signal %d)", (int)serve_stop_signal);
	rc = 0;
out:
	serve_master_cleanup(&m);
	return rc;
}
