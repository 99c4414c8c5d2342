/*
 * The master and worker processes of `liveline serve`: see serve.h.
 */
#include "serve/serve.h"

#include <errno.h>
#include <fcntl.h>
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

/* Reads the signals the worker's signalfd holds: SIGUSR1 opens the access
 * log again (logrotate moved it), anything else (SIGTERM, SIGINT) stops.
 * Returns 1 to stop. */
static int serve_worker_signal(struct serve_worker *w, int sfd)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo != SIGUSR1) {
			log_info("worker: stopping (signal %u)", si.ssi_signo);
			stop = 1;
		} else if (w->access_log && http_log_reopen(w->access_log) == 0) {
			log_debug("worker: the access log is open again");
		}
	}
	return stop;
}

static int serve_worker_main(const struct serve_config *cfg, const struct sockaddr_storage *ss,
			     socklen_t sslen, int ready_fd, pid_t master)
{
	struct serve_worker w = { 0 };
	struct http_config hc = { 0 };
	struct live_config lc = { 0 };
	struct epoll_event ev, events[SERVE_LOOP_EVENTS];
	int ep = -1, tfd = -1, hbfd = -1, sfd = -1, wfd = -1, rc = 1, stopping = 0;
	sigset_t mask;
	char err[256];

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* Log reopening (serve_worker_signal): blocked since the fork
	 * (serve_spawn), so that one sent before the loop waits for it. */
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

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
	hc.listen_fd = serve_socket(ss, sslen, SERVE_LISTEN_BACKLOG);
	if (hc.listen_fd < 0) {
		log_warn("worker: cannot listen");
		goto out;
	}
	/* Field by field, like lc's below, by intent: http/ and live/ each take
	 * only the settings they use, not the whole serve configuration. */
	hc.connection_limit = cfg->connection_limit;
	hc.connection_memory = cfg->connection_memory;
	hc.idle_timeout = cfg->idle_timeout;
	hc.media_dir = cfg->media_dir;
	hc.sendfile_files = cfg->sendfile_files;
	hc.newsroom_store = w.newsroom_store;
	hc.trusted_proxies = &cfg->trusted_proxies;
	hc.metrics_allow = &cfg->metrics_allow;
	if (cfg->metrics_addrlen) {
		hc.metrics_listen = 1;
		hc.metrics_fd = serve_socket(&cfg->metrics_addr, cfg->metrics_addrlen,
					     SERVE_LISTEN_BACKLOG);
		if (hc.metrics_fd < 0) {
			log_warn("worker: cannot listen on %s", cfg->metrics_listen);
			close(hc.listen_fd);
			goto out;
		}
	}
	hc.access_log = w.access_log;
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
	if (write(ready_fd, "r", 1) != 1)
		log_warn("worker: cannot tell the master it is ready");
	close(ready_fd);
	ready_fd = -1;

	while (!stopping) {
		/* Streams are sent by the hub's own thread: this loop only serves
		 * requests and reads the change log. */
		int n = epoll_wait(ep, events, SERVE_LOOP_EVENTS, http_server_timeout_ms(w.http));
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

/* ---- master ---- */

static volatile sig_atomic_t serve_stop_signal;
static volatile sig_atomic_t serve_reopen_signal;

/* The metrics listener's port, reserved by the master as the main one is
 * (bound, not listening), and closed in each worker, which binds its own. */
static int serve_metrics_reserved = -1;

static void serve_on_signal(int sig)
{
	serve_stop_signal = sig;
}

/* SIGUSR1 (logrotate's postrotate): passed on to every worker, which opens
 * its access log again. The master writes only to standard error. */
static void serve_on_reopen(int sig)
{
	(void)sig;
	serve_reopen_signal = 1;
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
};

static int64_t serve_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forks a worker into `slot` and returns at once: the worker writes one byte
 * to its readiness pipe when it listens, which the master's loop polls, so a
 * worker that hangs while starting never blocks the master. Returns 0, or -1
 * (fork or pipe failed). */
static int serve_spawn(const struct serve_config *cfg, const struct sockaddr_storage *ss,
		       socklen_t len, int reserved_fd, struct serve_slot *slots, unsigned n,
		       struct serve_slot *slot)
{
	pid_t master = getpid(), pid;
	sigset_t usr1, mask;
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	/* The child is born with SIGUSR1 blocked, and keeps it blocked (its
	 * loop reads it from a signalfd): one sent while it starts waits for
	 * the loop instead of reaching the master's handler, inherited. */
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
		close(pfd[0]);
		close(reserved_fd);
		if (serve_metrics_reserved >= 0)
			close(serve_metrics_reserved);
		for (unsigned i = 0; i < n; i++)
			if (slots[i].ready_fd >= 0)
				close(slots[i].ready_fd);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		/* A worker must not outlive its master: with no one to restart or
		 * stop it, it would hold the port against the next `serve`. The
		 * kernel sends SIGTERM (a clean stop) when the master dies; the
		 * getppid() test covers a master that died before prctl(). */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != master)
			_exit(1);
		stats_attach((unsigned)(slot - slots));
		_exit(serve_worker_main(cfg, ss, len, pfd[1], master));
	}
	close(pfd[1]);
	log_debug("worker %d started (slot %u)", (int)pid, (unsigned)(slot - slots));
	slot->pid = pid;
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

/* Reaps every worker that ended and schedules its restart. */
static void serve_reap(struct serve_slot *slots, unsigned n)
{
	int64_t now = serve_now_ms();
	int status;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			struct serve_slot *sl = &slots[i];
			unsigned delay, next;
			char how[64];

			if (sl->pid != p)
				continue;
			if (sl->ready_fd >= 0)
				close(sl->ready_fd);
			sl->ready_fd = -1;
			sl->pid = 0;
			stats_slot_ended(i);
			next = serve_backoff(sl->backoff_ms,
					     sl->running && now - sl->started_ms >= SERVE_HEALTHY_MS,
					     &delay);
			sl->restart_ms = now + delay;
			if (WIFSIGNALED(status))
				snprintf(how, sizeof(how), "died of signal %d", WTERMSIG(status));
			else
				snprintf(how, sizeof(how), "exited with status %d",
					 WEXITSTATUS(status));
			log_warnx("worker %d %s %s; restarting it in %u ms", (int)p, how,
				  sl->running ? "while serving" : "while starting", delay);
			sl->backoff_ms = next;
			sl->running = 0;
			break;
		}
	}
}

/* Reads the readiness pipes that poll() found readable. */
static void serve_readiness(struct serve_slot *slots, const struct pollfd *pf,
			    const unsigned *slot_of, unsigned npf)
{
	for (unsigned k = 0; k < npf; k++) {
		struct serve_slot *sl = &slots[slot_of[k]];
		char c;

		if (!pf[k].revents || sl->ready_fd != pf[k].fd)
			continue;
		if (read(sl->ready_fd, &c, 1) == 1) {
			sl->running = 1;
			sl->started_ms = serve_now_ms();
			if (sl->restarts)
				log_info("worker %d is serving (restart %u of slot %u)", (int)sl->pid,
					 sl->restarts, slot_of[k]);
		} else if (errno == EAGAIN) {
			continue;
		} /* else the worker ended before it was ready: serve_reap() says so */
		close(sl->ready_fd);
		sl->ready_fd = -1;
	}
}

static void serve_forward_reopen(struct serve_slot *slots, unsigned n)
{
	unsigned told = 0;

	serve_reopen_signal = 0;
	for (unsigned i = 0; i < n; i++)
		if (slots[i].pid > 0 && kill(slots[i].pid, SIGUSR1) == 0)
			told++;
	log_info("reopening the access log (SIGUSR1): %u worker%s told", told,
		 told == 1 ? "" : "s");
}

static void serve_stop_workers(struct serve_slot *slots, unsigned n)
{
	time_t deadline = time(NULL) + SERVE_STOP_GRACE_S;
	unsigned alive = 0;

	for (unsigned i = 0; i < n; i++)
		if (slots[i].pid > 0 && kill(slots[i].pid, SIGTERM) == 0)
			alive++;
	while (alive && time(NULL) < deadline) {
		int status = 0;
		pid_t p = waitpid(-1, &status, WNOHANG);
		if (p > 0) {
			for (unsigned i = 0; i < n; i++)
				if (slots[i].pid == p)
					slots[i].pid = 0;
			log_debug("worker %d stopped (%s %d)", (int)p,
				  WIFSIGNALED(status) ? "signal" : "status",
				  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			alive--;
		} else if (p < 0 && errno == ECHILD) {
			break;
		} else {
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (slots[i].ready_fd >= 0)
			close(slots[i].ready_fd);
		slots[i].ready_fd = -1;
		if (slots[i].pid > 0) {
			log_warnx("worker %d did not stop in %d s; killing it", (int)slots[i].pid,
				  SERVE_STOP_GRACE_S);
			kill(slots[i].pid, SIGKILL);
			waitpid(slots[i].pid, NULL, 0);
			slots[i].pid = 0;
		}
	}
}

/* Resolves --metrics-listen into cfg->metrics_addr and reserves it: "address
 * in use" is an error at start (a port 0 becomes a real one). 0, or -1 (said
 * why). */
static int serve_metrics_reserve(struct serve_config *cfg)
{
	struct sockaddr_storage *ss = &cfg->metrics_addr;
	socklen_t len = 0;
	int fd, one = 1;

	if (!cfg->metrics_listen)
		return 0;
	if (serve_resolve(cfg->metrics_listen, ss, &len) < 0) {
		log_warnx("cannot resolve metrics address \"%s\" (want HOST:PORT)",
			  cfg->metrics_listen);
		return -1;
	}
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)ss, len) < 0) {
		log_warn("cannot bind %s", cfg->metrics_listen);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	len = sizeof(*ss);
	getsockname(fd, (struct sockaddr *)ss, &len);
	close(fd);
	serve_metrics_reserved = serve_socket(ss, len, 0);
	if (serve_metrics_reserved < 0) {
		log_warn("cannot bind %s", cfg->metrics_listen);
		return -1;
	}
	cfg->metrics_addrlen = len;
	return 0;
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

int serve_run(const struct serve_config *cfg)
{
	struct serve_config run_cfg;
	struct sockaddr_storage ss;
	struct serve_slot slots[SERVE_MAX_WORKERS];
	struct sigaction sa = { 0 };
	socklen_t len = 0, blen;
	unsigned n = cfg->workers;
	struct store *st;
	struct stat sb;
	char err[512], what[512];
	int fd, created, announced = 0;

	log_set_level((enum log_level)cfg->log_level);
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
	if (serve_resolve(cfg->listen, &ss, &len) < 0) {
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
	if (serve_metrics_reserve(&run_cfg) < 0)
		return 1;
	cfg = &run_cfg;

	/* SO_REUSEPORT would let a second server on the same port take a share of
	 * the connections without a word. Binding once without it first makes
	 * "address in use" an error, as an operator expects. */
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1; /* connections of a previous run in TIME_WAIT are no conflict */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&ss, len) < 0) {
		log_warn("cannot bind %s", cfg->listen);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	blen = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &blen); /* port 0 becomes a real one */
	len = blen;
	close(fd);
	fd = serve_socket(&ss, len, 0);
	if (fd < 0) {
		log_warn("cannot bind %s", cfg->listen);
		return 1;
	}

	/* The counters of every worker, made before the first fork so that each
	 * inherits them (util/stats.h); serving goes on without them. */
	if (stats_open(n) < 0)
		log_warn("cannot map the shared counters; /metrics will show none");

	sa.sa_handler = serve_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (unsigned i = 0; i < n; i++)
		slots[i] = (struct serve_slot){ .ready_fd = -1, .backoff_ms = SERVE_BACKOFF_MIN_MS };

	/* The master's loop never waits on one worker: it polls the starting
	 * workers' readiness pipes for a tick, then reaps, kills the stuck and
	 * starts what is due. */
	while (!serve_stop_signal) {
		struct pollfd pf[SERVE_MAX_WORKERS];
		unsigned slot_of[SERVE_MAX_WORKERS], npf = 0, running = 0;
		int64_t now = serve_now_ms();

		for (unsigned i = 0; i < n; i++) {
			struct serve_slot *sl = &slots[i];

			if (sl->pid == 0 && now >= sl->restart_ms) {
				if (serve_spawn(cfg, &ss, len, fd, slots, n, sl) < 0) {
					log_warn("cannot start worker %u; trying again in %u ms", i,
						 sl->backoff_ms);
					sl->restart_ms = now + sl->backoff_ms;
					continue;
				}
				if (announced) {
					sl->restarts++;
					stats_note_restart();
				}
			} else if (sl->pid > 0 && !sl->running &&
				   now - sl->started_ms > SERVE_START_TIMEOUT_MS) {
				log_warnx("worker %d did not start in %d s; killing it", (int)sl->pid,
					  SERVE_START_TIMEOUT_MS / 1000);
				kill(sl->pid, SIGKILL); /* reaped and restarted below */
				sl->started_ms = now;   /* once */
			}
			if (sl->ready_fd >= 0) {
				pf[npf] = (struct pollfd){ .fd = sl->ready_fd, .events = POLLIN };
				slot_of[npf++] = i;
			}
			running += sl->running;
		}
		if (!announced && running == n) {
			serve_print_address(&ss);
			if (cfg->metrics_addrlen)
				serve_log_metrics(&cfg->metrics_addr);
			log_info("serving %s with %u worker%s", what, n, n == 1 ? "" : "s");
			announced = 1;
		}
		/* A signal interrupts the poll: the loop's test sees it at once. */
		if (poll(pf, npf, SERVE_TICK_MS) > 0)
			serve_readiness(slots, pf, slot_of, npf);
		serve_reap(slots, n);
		if (serve_reopen_signal)
			serve_forward_reopen(slots, n);
	}
	log_info("stopping (signal %d): ending %u worker%s, %d s at most", (int)serve_stop_signal,
		 n, n == 1 ? "" : "s", SERVE_STOP_GRACE_S);
	serve_stop_workers(slots, n);
	stats_close();
	if (serve_metrics_reserved >= 0)
		close(serve_metrics_reserved);
	serve_metrics_reserved = -1;
	close(fd);
	log_info("stopped (signal %d)", (int)serve_stop_signal);
	return 0;
}
