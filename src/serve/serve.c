/*
 * The master and worker processes of `liveline serve`: see serve.h.
 */
#include "serve/serve.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "http/http.h"
#include "media/media.h"
#include "store/store.h"
#include "store/store_newsroom.h"
#include "stream/stream_event.h"
#include "util/log.h"
#include "util/prio.h"
#include "util/tz.h"

#define SERVE_MAX_WORKERS 64
#define SERVE_CHANGES_BATCH 256
#define SERVE_PREPARED_ZONES 4 /* util/tz.c keeps four zones open */
#define SERVE_STOP_GRACE_S 5

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

/* Raises the open-file limit as far as the hard limit allows (every open
 * connection is a file descriptor), and returns how many connections a worker can
 * then hold: `wanted`, or less with a clear log line when the limit is lower. */
static unsigned serve_raise_nofile(unsigned wanted)
{
	/* the database, the listening socket, epoll, timers; cached bodies */
	const rlim_t spare = 64 + HTTP_SENDFILE_FILES;
	struct rlimit rl;

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
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)wanted + spare) {
		unsigned can = rl.rlim_cur > spare ? (unsigned)(rl.rlim_cur - spare) : 1;
		log_warnx("the open-file limit is %llu (hard limit %llu): each worker holds at "
			  "most %u connections, not %u; raise the limit (ulimit -n, LimitNOFILE=) "
			  "or add workers", (unsigned long long)rl.rlim_cur,
			  (unsigned long long)rl.rlim_max, can, wanted);
		return can;
	}
	return wanted;
}

/* ---- worker ---- */

struct serve_worker {
	struct store *store;
	struct http_server *http;
	int64_t last_change;
	int64_t data_version;
	int64_t schedule_checked; /* UTC seconds of the scheduler's last look */
	int64_t purged;           /* UTC seconds of the last session clean-up */
};

/* Reads the change log past what this worker has seen and drops stale pages.
 * `changed`: the caller knows the log grew (the notification file was
 * touched), so the data version, a read transaction of its own that costs as
 * much as reading the log, is not asked first. The timer then finds the
 * version moved once and reads nothing new. */
static void serve_worker_poll(struct serve_worker *w, int changed)
{
	struct store_change *ch;
	int64_t v;
	size_t n;

	if (!changed) {
		if (store_data_version(w->store, &v) < 0) {
			log_warnx("change log: %s", store_errmsg(w->store));
			return;
		}
		if (v == w->data_version)
			return;
		w->data_version = v;
	}
	do {
		if (store_changes_since(w->store, w->last_change, SERVE_CHANGES_BATCH, &ch, &n) < 0) {
			log_warnx("change log: %s", store_errmsg(w->store));
			return;
		}
		if (n) {
			http_server_apply_changes(w->http, ch, n);
			w->last_change = ch[n - 1].id;
		}
		store_changes_free(ch, n);
	} while (n == SERVE_CHANGES_BATCH);
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
	if (now >= w->purged + 3600) {
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
	store_set_actor(w->store, 0);
	if (store_schedule_run(w->store, now, &n) < 0)
		log_warnx("scheduler: %s", store_errmsg(w->store));
	else if (n)
		log_info("scheduler: published %zu scheduled post%s", n, n == 1 ? "" : "s");
	/* The change log carries them to readers, like any other post. */
	serve_worker_poll(w, 0);
}

/* Watches the store's change notification file (store_notify_path): every
 * process that commits a change touches it after the commit, so a change wakes
 * the worker at once instead of at its next timer tick. Returns the inotify fd,
 * or -1 (the timer alone then finds changes). */
static int serve_watch_changes(const char *db_path)
{
	char path[4096];
	int fd;

	if (store_notify_path(db_path, path, sizeof(path)) < 0)
		return -1;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, path, IN_ATTRIB | IN_MODIFY) < 0) {
		log_warn("worker: cannot watch %s; changes are found by the timer alone", path);
		close(fd);
		return -1;
	}
	return fd;
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

static int serve_worker_main(const struct serve_config *cfg, const struct sockaddr_storage *ss,
			     socklen_t sslen, int ready_fd)
{
	struct serve_worker w = { 0 };
	struct http_config hc = { 0 };
	struct epoll_event ev, events[16];
	int ep = -1, tfd = -1, hbfd = -1, sfd = -1, wfd = -1, rc = 1, stopping = 0;
	sigset_t mask;
	char err[256];

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	w.store = store_open(cfg->db_path, err, sizeof(err));
	if (!w.store) {
		log_warnx("worker: %s", err);
		goto out;
	}
	/* What this worker commits is rendered for the streams once, here, and
	 * stored with the change for every worker (stream/stream_event.h). */
	store_set_event_renderer(w.store, stream_event_store, NULL);
	/* What the first requests would otherwise pay for: the statements, and
	 * ICU's data for the live pages' zones. */
	if (store_prepare(w.store) < 0)
		log_warnx("worker: %s", store_errmsg(w.store));
	serve_prepare_zones(w.store);
	/* Changes made before we started are already in what we render. */
	if (store_last_change_id(w.store, &w.last_change) < 0 ||
	    store_data_version(w.store, &w.data_version) < 0) {
		log_warnx("worker: %s", store_errmsg(w.store));
		goto out;
	}
	hc.listen_fd = serve_socket(ss, sslen, 4096);
	if (hc.listen_fd < 0) {
		log_warn("worker: cannot listen");
		goto out;
	}
	hc.connection_limit = cfg->connection_limit;
	hc.connection_memory = cfg->connection_memory;
	hc.idle_timeout = 60;
	hc.cache_entries = 4096;
	hc.cache_bytes = 256u * 1024 * 1024;
	hc.stream_ring = cfg->stream_ring;
	hc.heartbeat_s = cfg->heartbeat_s;
	hc.media_dir = cfg->media_dir;
	hc.trusted_proxies = &cfg->trusted_proxies;
	/* libsodium and libvips start in each worker: libvips' threads do not
	 * survive a fork. */
	if (auth_init() < 0 || media_init("liveline") < 0) {
		log_warnx("worker: cannot start libsodium or libvips");
		goto out;
	}
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
	wfd = serve_watch_changes(cfg->db_path);
	ev.events = EPOLLIN;
	int fds[] = { http_server_fd(w.http), tfd, hbfd, sfd, wfd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (fds[i] < 0)
			continue;
		ev.data.fd = fds[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) < 0) {
			log_warn("worker: epoll_ctl");
			goto out;
		}
	}

	if (write(ready_fd, "r", 1) != 1)
		log_warn("worker: cannot tell the master it is ready");
	close(ready_fd);
	ready_fd = -1;

	while (!stopping) {
		/* Streams are sent by the hub's own thread: this loop only serves
		 * requests and reads the change log. */
		int n = epoll_wait(ep, events, 16, http_server_timeout_ms(w.http));
		if (n < 0 && errno != EINTR) {
			log_warn("worker: epoll_wait");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			if (fd == tfd || fd == wfd) {
				serve_drain(fd);
				serve_worker_poll(&w, fd == wfd);
				if (fd == tfd)
					serve_schedule(&w);
			} else if (fd == hbfd) {
				serve_drain(fd);
				http_server_heartbeat(w.http);
			} else if (fd == sfd) {
				stopping = 1;
			}
		}
		if (http_server_run(w.http) < 0) {
			log_warnx("worker: the HTTP daemon failed");
			goto out;
		}
		/* A newsroom write made here: apply it before the next request, so
		 * the writer's next page already shows it. */
		if (http_server_take_written(w.http))
			serve_worker_poll(&w, 0);
	}
	/* Stop accepting, end the open streams, and let those being opened end
	 * on their first read before the daemon stops. */
	http_server_quiesce(w.http);
	for (int i = 0; i < 200 && http_server_end_streams(w.http) > 0; i++) {
		http_server_run(w.http);
		struct epoll_event e1;
		epoll_wait(ep, &e1, 1, 10);
	}
	rc = 0;
out:
	if (ready_fd >= 0)
		close(ready_fd);
	http_server_free(w.http);
	store_close(w.store);
	int closefds[] = { ep, tfd, hbfd, sfd, wfd };
	for (size_t i = 0; i < sizeof(closefds) / sizeof(closefds[0]); i++)
		if (closefds[i] >= 0)
			close(closefds[i]);
	return rc;
}

/* ---- master ---- */

static volatile sig_atomic_t serve_stop_signal;

static void serve_on_signal(int sig)
{
	serve_stop_signal = sig;
}

/* Forks a worker and waits until it listens. Returns its pid, or -1. */
static pid_t serve_spawn(const struct serve_config *cfg, const struct sockaddr_storage *ss,
			 socklen_t len, int reserved_fd)
{
	int pfd[2];
	pid_t pid;
	char c;
	ssize_t r;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		close(reserved_fd);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		_exit(serve_worker_main(cfg, ss, len, pfd[1]));
	}
	close(pfd[1]);
	do
		r = read(pfd[0], &c, 1);
	while (r < 0 && errno == EINTR);
	close(pfd[0]);
	if (r != 1) {
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void serve_stop_workers(pid_t *pids, unsigned n)
{
	time_t deadline = time(NULL) + SERVE_STOP_GRACE_S;
	unsigned alive = 0;

	for (unsigned i = 0; i < n; i++)
		if (pids[i] > 0 && kill(pids[i], SIGTERM) == 0)
			alive++;
	while (alive && time(NULL) < deadline) {
		pid_t p = waitpid(-1, NULL, WNOHANG);
		if (p > 0) {
			for (unsigned i = 0; i < n; i++)
				if (pids[i] == p)
					pids[i] = 0;
			alive--;
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

int serve_run(const struct serve_config *cfg)
{
	struct serve_config run_cfg;
	struct sockaddr_storage ss;
	pid_t pids[SERVE_MAX_WORKERS] = { 0 };
	time_t started[SERVE_MAX_WORKERS] = { 0 };
	struct sigaction sa = { 0 };
	socklen_t len = 0, blen;
	unsigned n = cfg->workers;
	struct store *st;
	char err[256];
	int fd, rc = 1;

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
	 * here with one message; SQLite connections must not cross fork(). */
	st = store_open(cfg->db_path, err, sizeof(err));
	if (!st) {
		log_warnx("%s", err);
		return 1;
	}
	store_close(st);
	run_cfg = *cfg;
	run_cfg.connection_limit = serve_raise_nofile(cfg->connection_limit);
	run_cfg.request_prio = prio_check(cfg->request_prio);
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

	sa.sa_handler = serve_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (unsigned i = 0; i < n; i++) {
		pids[i] = serve_spawn(cfg, &ss, len, fd);
		started[i] = time(NULL);
		if (pids[i] < 0) {
			log_warnx("worker %u could not start", i);
			pids[i] = 0;
			goto stop;
		}
	}
	serve_print_address(&ss);
	log_info("serving %s with %u worker%s", cfg->db_path, n, n == 1 ? "" : "s");

	while (!serve_stop_signal) {
		int status;
		/* Polling with a short sleep rather than blocking in waitpid() leaves no
		 * window in which a SIGTERM could arrive unnoticed. */
		pid_t p = waitpid(-1, &status, WNOHANG);
		if (p == 0) {
			struct timespec ts = { 0, 100 * 1000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		if (p < 0) {
			if (errno == EINTR)
				continue;
			log_warnx("no worker is left running");
			goto stop;
		}
		for (unsigned i = 0; i < n; i++) {
			if (pids[i] != p)
				continue;
			pids[i] = 0;
			if (WIFSIGNALED(status))
				log_warnx("worker %d died of signal %d; restarting it", (int)p,
					  WTERMSIG(status));
			else
				log_warnx("worker %d exited with status %d; restarting it", (int)p,
					  WEXITSTATUS(status));
			/* A worker that dies at once would otherwise be restarted in a
			 * tight loop. */
			if (time(NULL) - started[i] < 1)
				sleep(1);
			pids[i] = serve_spawn(cfg, &ss, len, fd);
			started[i] = time(NULL);
			if (pids[i] < 0) {
				log_warnx("worker could not be restarted");
				pids[i] = 0;
			}
		}
	}
	rc = 0;
stop:
	serve_stop_workers(pids, n);
	close(fd);
	if (rc == 0)
		log_info("stopped (signal %d)", (int)serve_stop_signal);
	return rc;
}
