/*
 * sse_floor: the floor of Server-Sent Events fan-out (bench/fanout.sh runs it
 * next to Liveline and nginx+nchan, with bench/sse_load as the client).
 *
 * The least work any server can do per delivery on this machine: the current
 * event is kept in memory, framed once, and each subscriber gets it with
 * exactly one send(). No per-delivery allocation, copy or parsing, no timers,
 * no logging per request. What it spends per delivery is the kernel's TCP
 * path over loopback and the loop around it, nothing else; the benchmark
 * report sets Liveline's and nchan's CPU time per delivery and fan-out
 * completion against it. As an instrument it must stay honest: one send per
 * subscriber per event, every subscriber gets every event, nothing a real
 * server could not do (no MSG_ZEROCOPY, no skipped or merged sends).
 *
 *   sse_floor --listen 127.0.0.1:PORT [--workers W] [--max-conn C]
 *
 * W = 4, C = 19,000 connections per worker. The master forks W workers, each
 * with its own SO_REUSEPORT listener and one epoll loop, and prints
 * "sse_floor: listening on ADDR (W workers)" once all of them listen. SIGTERM
 * or SIGINT stops them all; if a worker dies, the master stops the others and
 * exits 1.
 *   GET <any path>  subscribes: 200, text/event-stream, chunked (HTTP/1.0:
 *                   unframed, until close); events are "id: SEQ\ndata: BODY\n\n".
 *   POST /pub       with Content-Length <= 60 KiB: the body (CR, LF made
 *                   spaces) becomes event SEQ = 1, 2, ... for the subscribers
 *                   of all workers; 201 once every worker is signalled.
 *                   Keep-alive unless "Connection: close".
 *   anything else   404 (malformed: 400; body too large: 413), then close.
 *
 * The event lives in a MAP_SHARED region made before fork; a process-shared
 * mutex orders publishers and each worker's single copy of the frame per
 * event, and a publish writes to every worker's eventfd. That private copy
 * lets a short send keep its remainder, finished on EPOLLOUT, as a real server
 * must; a subscriber still behind when the next event comes is closed. At exit
 * each worker prints to stderr how many sends were short, how many subscribers
 * were closed for lagging, how many events it never saw (two publishes before
 * it woke; sse_load waits for every delivery before the next) and how many
 * connections --max-conn refused: in a benchmark run all should be 0.
 *
 * Limits: IPv4; one event in memory (no Last-Event-ID replay); no heartbeats;
 * no chunked request bodies; a subscriber that sends anything more is closed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define HEAD_MAX 8192
#define BODY_MAX (60 * 1024)
#define FRAME_CAP (64 * 1024)
#define PAY_OFF 8 /* room for the chunk-size line ("ffff\r\n") before the event */

struct shm {
	pthread_mutex_t lock;
	uint64_t next_seq;
	uint64_t seq;          /* of the frame; 0 before the first publish */
	uint32_t off, len, hl; /* the chunk: at frame[off], len bytes, size line hl */
	char frame[FRAME_CAP];
};

enum { C_FREE, C_HEAD, C_BODY, C_SUB };
enum { R_BAD, R_GET, R_PUB, R_404, R_413 };

struct conn { /* indexed by fd */
	uint8_t state, http10, keep;
	uint32_t sub;            /* index in subs[] */
	uint32_t pend, pend_end; /* unsent part of the current frame, in priv */
	char *buf;               /* request bytes (C_HEAD, C_BODY) */
	uint32_t len, cap, head_len, body_len;
};

static struct shm *shm;
static int nworkers = 4, efds[MAX_WORKERS];
static long max_conn = 19000, fd_cap;
static volatile sig_atomic_t stop;

/* one worker's state */
static int wid, ep, lfd, listen_paused;
static struct conn *conns;
static int *subs;
static long nsubs, nconns;
static char priv[FRAME_CAP];
static uint32_t priv_len, priv_hl;
static uint64_t last_seq;
static unsigned long n_events, n_short, n_lagged, n_gaps, n_refused;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void watch(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void conn_close(int fd)
{
	struct conn *c = &conns[fd];

	if (c->state == C_SUB) { /* O(1): the last subscriber takes its slot */
		subs[c->sub] = subs[--nsubs];
		conns[subs[c->sub]].sub = c->sub;
	}
	free(c->buf);
	memset(c, 0, sizeof(*c));
	close(fd);
	nconns--;
	if (listen_paused) { /* a descriptor is free again */
		listen_paused = 0;
		watch(lfd, EPOLLIN);
	}
}

static void answer_close(int fd, const char *status)
{
	char r[128];
	int n = snprintf(r, sizeof(r), "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
			 status);
	(void)!send(fd, r, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	conn_close(fd);
}

/* Frames the event once, in the shared region, then wakes every worker. */
static void publish(const char *body, uint32_t n)
{
	static const uint64_t one = 1;
	char *start = shm->frame + PAY_OFF, *p = start, hx[16];

	pthread_mutex_lock(&shm->lock);
	uint64_t seq = __atomic_add_fetch(&shm->next_seq, 1, __ATOMIC_RELAXED);
	p += snprintf(p, 48, "id: %llu\ndata: ", (unsigned long long)seq);
	for (uint32_t i = 0; i < n; i++)
		p[i] = body[i] == '\r' || body[i] == '\n' ? ' ' : body[i];
	p += n;
	*p++ = '\n';
	*p++ = '\n';
	uint32_t plen = (uint32_t)(p - start), hl = (uint32_t)snprintf(hx, sizeof(hx), "%x\r\n", plen);
	memcpy(start - hl, hx, hl);
	memcpy(p, "\r\n", 2);
	__atomic_store_n(&shm->off, PAY_OFF - hl, __ATOMIC_RELEASE);
	__atomic_store_n(&shm->hl, hl, __ATOMIC_RELEASE);
	__atomic_store_n(&shm->len, hl + plen + 2, __ATOMIC_RELEASE);
	__atomic_store_n(&shm->seq, seq, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&shm->lock);
	for (int i = 0; i < nworkers; i++)
		(void)!write(efds[i], &one, sizeof(one));
}

/* The eventfd fired: one send per subscriber of this worker. */
static void fan_out(void)
{
	uint64_t v, seq;

	(void)!read(efds[wid], &v, sizeof(v));
	pthread_mutex_lock(&shm->lock);
	seq = __atomic_load_n(&shm->seq, __ATOMIC_ACQUIRE);
	if (seq != last_seq) {
		uint32_t off = __atomic_load_n(&shm->off, __ATOMIC_ACQUIRE);
		priv_hl = __atomic_load_n(&shm->hl, __ATOMIC_ACQUIRE);
		priv_len = __atomic_load_n(&shm->len, __ATOMIC_ACQUIRE);
		memcpy(priv, shm->frame + off, priv_len);
	}
	pthread_mutex_unlock(&shm->lock);
	if (seq == last_seq)
		return;
	if (seq != last_seq + 1) {
		n_gaps += seq - last_seq - 1;
		fprintf(stderr, "sse_floor: worker %d: events %llu..%llu were replaced before it woke\n",
			wid, (unsigned long long)last_seq + 1, (unsigned long long)seq - 1);
	}
	last_seq = seq;
	n_events++;
	for (long i = 0; i < nsubs;) {
		int fd = subs[i];
		struct conn *c = &conns[fd];
		if (c->pend != c->pend_end) { /* the rest of its last event is gone */
			n_lagged++;
			conn_close(fd); /* subs[i] is now another subscriber */
			continue;
		}
		uint32_t a = c->http10 ? priv_hl : 0, b = c->http10 ? priv_len - 2 : priv_len;
		ssize_t r = send(fd, priv + a, b - a, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			conn_close(fd);
			continue;
		}
		if (r != (ssize_t)(b - a)) {
			n_short++;
			c->pend = a + (uint32_t)(r > 0 ? r : 0);
			c->pend_end = b;
			watch(fd, EPOLLIN | EPOLLRDHUP | EPOLLOUT);
		}
		i++;
	}
}

static void sub_writable(int fd)
{
	struct conn *c = &conns[fd];
	ssize_t r;

	if (c->pend == c->pend_end)
		return;
	r = send(fd, priv + c->pend, c->pend_end - c->pend, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(fd);
		return;
	}
	c->pend += (uint32_t)r;
	if (c->pend == c->pend_end) {
		c->pend = c->pend_end = 0;
		watch(fd, EPOLLIN | EPOLLRDHUP);
	}
}

static void subscribe(int fd)
{
	static const char h11[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
				  "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
	static const char h10[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
				  "Cache-Control: no-cache\r\n\r\n";
	struct conn *c = &conns[fd];
	size_t n = c->http10 ? sizeof(h10) - 1 : sizeof(h11) - 1;
	int on = 1;

	if (c->len != c->head_len) { /* it sent more than its request */
		conn_close(fd);
		return;
	}
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	/* As Liveline and nginx do: a remainder is not held back by Nagle. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	/* Registered before its 200 leaves: an event published after the client
	 * has the 200 reaches it. */
	c->state = C_SUB;
	c->sub = (uint32_t)nsubs;
	subs[nsubs++] = fd;
	if (send(fd, c->http10 ? h10 : h11, n, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)n)
		conn_close(fd);
}

static int has_token(const char *v, const char *e, const char *tok)
{
	for (size_t n = strlen(tok); v + n <= e; v++)
		if (strncasecmp(v, tok, n) == 0)
			return 1;
	return 0;
}

/* The request head: c->buf[0, head_len), which ends in CRLF CRLF. */
static int parse_head(struct conn *c)
{
	const char *b = c->buf, *lim = b + c->head_len - 2, *eol, *sp1, *sp2, *tgt, *p;
	long clen = -1;
	int te = 0;

	eol = memmem(b, (size_t)(lim - b), "\r\n", 2);
	sp1 = memchr(b, ' ', (size_t)(eol - b));
	tgt = sp1 ? sp1 + 1 : NULL;
	sp2 = sp1 ? memchr(tgt, ' ', (size_t)(eol - tgt)) : NULL;
	if (!sp2 || sp1 == b || sp2 == tgt || eol - sp2 != 9 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return R_BAD;
	c->http10 = sp2[8] == '0';
	c->keep = !c->http10;
	for (p = eol + 2; p < lim; p = eol + 2) {
		eol = memmem(p, (size_t)(lim - p), "\r\n", 2);
		if (eol - p >= 15 && strncasecmp(p, "content-length:", 15) == 0) {
			const char *v = p + 15;
			long n = 0;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v == eol || *v < '0' || *v > '9')
				return R_BAD;
			for (; v < eol && *v >= '0' && *v <= '9'; v++)
				n = n > BODY_MAX ? n : n * 10 + (*v - '0'); /* bounded: 413 below */
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			if (v != eol || (clen >= 0 && clen != n))
				return R_BAD;
			clen = n;
		} else if (eol - p >= 11 && strncasecmp(p, "connection:", 11) == 0) {
			if (has_token(p + 11, eol, "close"))
				c->keep = 0;
			else if (has_token(p + 11, eol, "keep-alive"))
				c->keep = 1;
		} else if (eol - p >= 18 && strncasecmp(p, "transfer-encoding:", 18) == 0) {
			te = 1;
		}
	}
	size_t mlen = (size_t)(sp1 - b), tlen = (size_t)(sp2 - tgt);
	if (mlen == 3 && memcmp(b, "GET", 3) == 0)
		return R_GET;
	if (mlen != 4 || memcmp(b, "POST", 4) != 0 || tlen < 4 || memcmp(tgt, "/pub", 4) != 0 ||
	    (tlen > 4 && tgt[4] != '?'))
		return R_404;
	if (te || clen < 0)
		return R_BAD;
	c->body_len = (uint32_t)clen;
	return clen > BODY_MAX ? R_413 : R_PUB;
}

/* Serves the complete requests in c->buf: 0 to read on, -1 when the
 * connection is closed or has become a subscriber. */
static int serve(int fd)
{
	static const char created[] = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
	struct conn *c = &conns[fd];

	for (;;) {
		if (c->state == C_HEAD) {
			char *e = memmem(c->buf, c->len, "\r\n\r\n", 4);
			if (!e && c->len < HEAD_MAX)
				return 0;
			c->head_len = e ? (uint32_t)(e - c->buf) + 4 : 0;
			int kind = e ? parse_head(c) : R_BAD;
			if (kind == R_GET) {
				subscribe(fd);
				return -1;
			}
			if (kind != R_PUB) {
				answer_close(fd, kind == R_404 ? "404 Not Found" : kind == R_413 ?
					     "413 Content Too Large" : "400 Bad Request");
				return -1;
			}
			uint32_t need = c->head_len + c->body_len;
			char *nb = need > c->cap ? realloc(c->buf, need) : c->buf;
			if (!nb) {
				conn_close(fd);
				return -1;
			}
			c->buf = nb;
			c->cap = need > c->cap ? need : c->cap;
			c->state = C_BODY;
		}
		uint32_t need = c->head_len + c->body_len;
		if (c->len < need)
			return 0;
		publish(c->buf + c->head_len, c->body_len); /* before the answer */
		if (send(fd, created, sizeof(created) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) !=
			    (ssize_t)sizeof(created) - 1 || !c->keep) {
			conn_close(fd);
			return -1;
		}
		memmove(c->buf, c->buf + need, c->len - need); /* pipelined requests */
		c->len -= need;
		c->state = C_HEAD;
	}
}

static void conn_readable(int fd)
{
	struct conn *c = &conns[fd];

	if (!c->buf && !(c->buf = malloc(c->cap = HEAD_MAX))) {
		conn_close(fd);
		return;
	}
	for (;;) {
		/* The buffer is never full here: a head of HEAD_MAX bytes is
		 * refused, and a body has its room (a full one would read 0: EOF). */
		ssize_t r = read(fd, c->buf + c->len, c->cap - c->len);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (r <= 0) {
			conn_close(fd);
			return;
		}
		c->len += (uint32_t)r;
		if (serve(fd) < 0)
			return;
	}
}

static void do_accept(void)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0) {
			/* Out of descriptors or memory: the queued connection would
			 * keep the listener readable; listen again after a close. */
			if (errno != EAGAIN && errno != EWOULDBLOCK && nconns > 0) {
				listen_paused = 1;
				watch(lfd, 0);
			}
			return;
		}
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = fd };
		if (nconns >= max_conn || fd >= fd_cap || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			n_refused++;
			close(fd);
			continue;
		}
		conns[fd].state = C_HEAD;
		nconns++;
	}
}

static int worker(int id, const struct sockaddr_in *addr, int ready_fd, pid_t master,
		  const sigset_t *run_mask)
{
	struct epoll_event evs[1024], ev = { .events = EPOLLIN };
	int one = 1;

	wid = id;
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* no orphan workers if the master is killed */
	if (getppid() != master)
		return 1;
	conns = calloc((size_t)fd_cap, sizeof(*conns));
	subs = calloc((size_t)max_conn, sizeof(*subs));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!conns || !subs || lfd < 0 || ep < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(lfd, (const struct sockaddr *)addr, sizeof(*addr)) < 0 || listen(lfd, 4096) < 0) {
		fprintf(stderr, "sse_floor: worker %d: cannot listen: %s\n", id, strerror(errno));
		return 1;
	}
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	ev.data.fd = efds[id];
	epoll_ctl(ep, EPOLL_CTL_ADD, efds[id], &ev);
	(void)!write(ready_fd, "1", 1);
	close(ready_fd);
	while (!stop) {
		/* SIGTERM and SIGINT are unblocked only while waiting, so one that
		 * comes between the check and the wait still ends the wait. */
		int n = epoll_pwait(ep, evs, 1024, -1, run_mask);
		for (int k = 0; k < n; k++) {
			int fd = evs[k].data.fd;
			if (fd == lfd)
				do_accept();
			else if (fd == efds[id])
				fan_out();
			else if (conns[fd].state == C_SUB && (evs[k].events & ~(uint32_t)EPOLLOUT))
				conn_close(fd); /* EOF, error, or bytes it should not send */
			else if (conns[fd].state == C_SUB)
				sub_writable(fd);
			else if (conns[fd].state != C_FREE) /* a stale event only reads EAGAIN */
				conn_readable(fd);
		}
	}
	fprintf(stderr, "sse_floor: worker %d: %lu events, %lu short sends (remainder kept), %lu "
		"subscribers closed for lagging, %lu events missed, %lu connections refused\n",
		id, n_events, n_short, n_lagged, n_gaps, n_refused);
	for (int fd = 0; fd < fd_cap; fd++)
		if (conns[fd].state != C_FREE)
			conn_close(fd);
	return 0;
}

/* ---- master ---- */

static pid_t pids[MAX_WORKERS];
static int live, unclean;

static void reap(void)
{
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		for (int i = 0; i < nworkers; i++)
			if (pids[i] == p) {
				if (!stop || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
					unclean = 1;
					fprintf(stderr, "sse_floor: worker %d (pid %d) %s %d\n", i, (int)p,
						WIFSIGNALED(st) ? "killed by signal" : "exited with",
						WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
				}
				pids[i] = 0;
				live--;
			}
}

/* Passes the signal on, waits up to 2 s, then kills what is left. Returns the
 * exit status: 0 if every worker stopped cleanly. */
static int stop_workers(int sig)
{
	struct timespec to = { 0, 20000000 };
	sigset_t chld;

	stop = 1;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (int i = 0; i < nworkers; i++)
		if (pids[i])
			kill(pids[i], sig);
	for (int t = 0; reap(), live > 0 && t < 100; t++)
		sigtimedwait(&chld, NULL, &to); /* returns at a child's exit, or in 20 ms */
	for (int i = 0; i < nworkers; i++)
		if (pids[i]) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
			unclean = 1;
		}
	return unclean;
}

int main(int argc, char **argv)
{
	const char *listen_arg = NULL, *colon;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	char host[64], b;
	struct rlimit rl;
	sigset_t set, run_mask;
	pthread_mutexattr_t ma;
	int ready[2], probe, one = 1, bad = argc % 2 == 0, n = 0;
	long port = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--listen") == 0)
			listen_arg = argv[i + 1];
		else if (strcmp(argv[i], "--workers") == 0)
			nworkers = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--max-conn") == 0)
			max_conn = atol(argv[i + 1]);
		else
			bad = 1;
	}
	colon = listen_arg ? strrchr(listen_arg, ':') : NULL;
	if (colon && (size_t)(colon - listen_arg) < sizeof(host)) {
		memcpy(host, listen_arg, (size_t)(colon - listen_arg));
		host[colon - listen_arg] = '\0';
		port = inet_pton(AF_INET, host, &addr.sin_addr) == 1 ? strtol(colon + 1, NULL, 10) : 0;
	}
	if (bad || port < 1 || port > 65535 || nworkers < 1 || nworkers > MAX_WORKERS ||
	    max_conn < 1) {
		fprintf(stderr, "usage: sse_floor --listen 127.0.0.1:PORT [--workers W] [--max-conn C]\n");
		return 2;
	}
	addr.sin_port = htons((uint16_t)port);

	/* SO_REUSEPORT would let the workers share the port with a server left
	 * over from an earlier run: make sure nothing listens there. */
	probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(probe, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		fprintf(stderr, "sse_floor: %s: %s\n", listen_arg, strerror(errno));
		return 1;
	}
	close(probe);

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	fd_cap = rl.rlim_cur > (1u << 20) ? (1L << 20) : (long)rl.rlim_cur;
	if (max_conn > fd_cap - 16 - nworkers) { /* room for listener, epoll, eventfds, stdio */
		max_conn = fd_cap - 16 - nworkers;
		fprintf(stderr, "sse_floor: --max-conn lowered to %ld (open files: %ld)\n", max_conn, fd_cap);
	}

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (max_conn < 1 || shm == MAP_FAILED || pipe(ready) < 0)
		return perror("sse_floor: set-up"), 1;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&shm->lock, &ma);
	for (int i = 0; i < nworkers; i++)
		if ((efds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
			return perror("sse_floor: eventfd"), 1;

	/* The master takes its signals with sigwaitinfo; the workers inherit
	 * the mask and unblock SIGTERM and SIGINT in epoll_pwait only. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &run_mask);
	sigdelset(&run_mask, SIGTERM);
	sigdelset(&run_mask, SIGINT);
	pid_t master = getpid();
	for (int i = 0; i < nworkers; i++) {
		pid_t p = fork();
		if (p == 0) {
			close(ready[0]);
			_exit(worker(i, &addr, ready[1], master, &run_mask));
		}
		if (p < 0) {
			perror("sse_floor: fork");
			return stop_workers(SIGTERM), 1;
		}
		pids[i] = p;
		live++;
	}
	/* Each worker writes one byte once it listens; the pipe ends early if
	 * one exits first, as the others close their ends. */
	close(ready[1]);
	while (n < nworkers && read(ready[0], &b, 1) == 1)
		n++;
	if (n < nworkers)
		return stop_workers(SIGTERM), 1;
	close(ready[0]);
	printf("sse_floor: listening on %s (%d workers)\n", listen_arg, nworkers);
	fflush(stdout);

	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		if (sig == SIGTERM || sig == SIGINT)
			return stop_workers(sig);
		reap();
		if (unclean) /* a worker died: no partial floor */
			return stop_workers(SIGTERM), 1;
	}
}
