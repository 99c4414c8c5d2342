/*
 * sse_load: a Server-Sent Events fan-out load client (bench/fanout.sh runs it).
 *
 * One coordinating process forks P subscriber processes (each well under the
 * 20,000 open files one process may have here) and, optionally, one page
 * process. Each subscriber process opens its share of N streams with
 * non-blocking connects from source addresses 127.0.0.2, 127.0.0.3, ... (bound
 * with IP_BIND_ADDRESS_NO_PORT, so each address gives the whole ephemeral port
 * range per server address), in an epoll loop. A stream counts as subscribed
 * when its `200` response headers have arrived: both servers register the
 * subscriber before they send them.
 *
 * Requests are HTTP/1.1 GETs with Host; a chunked response is de-chunked (a
 * minimal decoder: sizes, extensions skipped, data, CRLF), a response without
 * Transfer-Encoding is read as it comes. The event stream is parsed without
 * buffering lines: only the first bytes of each line are looked at, the rest
 * is skipped with memchr. An event is identified by its number:
 *   --id id   the SSE `id:` line (Liveline: the change's sequence number);
 *   --id seq  the `"seq":` number in the data line (nchan: we put it there).
 * Event k of this run (0-based) has number base+1+k (--base-seq).
 *
 * When all N are subscribed, the coordinator measures the server's memory
 * (VmRSS and Pss summed over --server-pid and its children, from /proc), then
 * publishes M posts one after another: it writes CLOCK_MONOTONIC into shared
 * memory, then runs the publish (--publish-cmd through /bin/sh, or an HTTP POST
 * to --publish-path), and waits until every subscriber has the event (or a
 * timeout). Subscribers write their receipt time (CLOCK_MONOTONIC, taken when
 * read() returns) into a shared N x M table; latencies are computed from it at
 * the end. Server CPU time (sum_exec_runtime of every thread, /proc/PID/task/
 * TID/schedstat, in ns) is read just before each publish and 100 ms after its
 * last delivery.
 *
 * The page process (--pager C) keeps C keep-alive connections asking for
 * --page-path at a fixed pace, and records each request's start and latency;
 * requests started in an idle window before the first post and those started
 * while a post fans out are reported apart.
 *
 * Several nodes (bench/multinode.sh): --ports P1,P2,... spreads the streams
 * over those ports (stream i on port i mod k) while posts go to --port;
 * --server-pid may be given once per node, and --store-pid names the
 * database's server (PostgreSQL's postmaster), whose CPU time (its processes
 * and their children) is reported apart. "first_other" is, per post, the time
 * from the publish to the first receipt on a port other than --port: the
 * first reader on another node.
 *
 * Output: one JSON object on stdout. Every wait is bounded; the client ends by
 * itself, and its subscriber connections are reset (SO_LINGER 0) on exit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAX_POSTS 1024
#define MAX_PROCS 32
#define MAX_SERVER_PIDS 256
#define MAX_PORTS 16
#define MAX_MASTERS 16
#define PAGE_CAP (1u << 21)
#define RDBUF (256 * 1024)

/* ---- options ---- */

static struct {
	const char *host;
	int port;
	const char *path;
	const char *host_header;
	long n;
	int procs;
	int srcs;
	int posts;
	int gap_ms;
	int gap_jitter_ms;
	int post_timeout_s;
	int connect_timeout_s;
	int settle_ms;
	const char *publish_cmd;
	const char *publish_path;
	const char *publish_header; /* one more request header line, e.g. a token */
	char *publish_body;         /* the body, "%POST%" replaced by the post number */
	int msg_bytes;
	int id_from_data; /* 0: id: line; 1: "seq": in data */
	long long base_seq;
	pid_t server_pid[MAX_MASTERS]; /* each with its children */
	int n_masters;
	pid_t store_pid;
	int ports[MAX_PORTS]; /* where the streams go; none: --port */
	int n_ports;
	int inflight;
	int pager;
	const char *page_path;
	int page_interval_ms;
	int idle_ms;
	const char *label;
} opt = {
	.host = "127.0.0.1", .port = 8080, .path = "/live/demo/events", .n = 1000, .procs = 0,
	.srcs = 0, .posts = 5, .gap_ms = 1000, .post_timeout_s = 30, .connect_timeout_s = 0,
	.settle_ms = 1000, .msg_bytes = 1000, .inflight = 256, .page_path = "/live/demo",
	.page_interval_ms = 10, .idle_ms = 3000, .label = "",
};

/* ---- shared memory ---- */

struct shared {
	volatile int phase; /* 0 connect, 1 measure, 2 stop */
	int64_t pub_ns[MAX_POSTS];
	uint64_t recv_count[MAX_POSTS];
	uint64_t subscribed, failed, closed, dups, unexpected, attempts, bytes;
	uint64_t page_n, page_err;
	int64_t page_start[PAGE_CAP];
	int64_t page_lat[PAGE_CAP];  /* until the page process read the last byte */
	int64_t page_klat[PAGE_CAP]; /* until its kernel received the last byte */
	int64_t recv[]; /* n * posts receipt times, 0 = not received */
};

static struct shared *sh;
static size_t sh_size;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t now_rt_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "sse_load: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- one subscriber connection ---- */

enum { C_IDLE, C_CONNECTING, C_HEADERS, C_BODY, C_DEAD };
enum { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_NONE };
enum { L_START, L_ID, L_DATA, L_SKIP };

struct conn {
	int fd;
	uint8_t state;
	uint8_t chunk_state;
	uint8_t line_kind;
	uint8_t line_pos;   /* bytes of the line seen, up to 8 */
	uint8_t attempts;
	uint8_t num_state;  /* 0 not started, 1 in digits, 2 done */
	uint8_t seq_match;  /* chars of "\"seq\":" matched */
	uint8_t have_id;
	char pfx[6];
	uint32_t chunk_left;
	int64_t num;        /* number being parsed */
	int64_t ev_id;      /* id of the event being read */
	char *hdr;          /* response headers while reading them */
	uint16_t hdr_len;
};

static const char seq_pat[] = "\"seq\":";

static void record_event(long idx, int64_t id, int64_t t)
{
	int64_t k = id - opt.base_seq - 1;

	if (k < 0 || k >= opt.posts) {
		__atomic_fetch_add(&sh->unexpected, 1, __ATOMIC_RELAXED);
		return;
	}
	int64_t *slot = &sh->recv[idx * opt.posts + k];
	if (*slot) {
		__atomic_fetch_add(&sh->dups, 1, __ATOMIC_RELAXED);
		return;
	}
	*slot = t;
	__atomic_fetch_add(&sh->recv_count[k], 1, __ATOMIC_RELEASE);
}

static void line_end(struct conn *c, long idx, int64_t t)
{
	if (c->line_pos == 0) { /* blank line: the event ends */
		if (c->have_id)
			record_event(idx, c->ev_id, t);
		c->have_id = 0;
	} else if (c->line_kind == L_ID && !opt.id_from_data && c->num_state) {
		c->ev_id = c->num;
		c->have_id = 1;
	} else if (c->line_kind == L_DATA && opt.id_from_data && c->num_state) {
		c->ev_id = c->num;
		c->have_id = 1;
	}
	c->line_pos = 0;
	c->line_kind = L_START;
	c->num_state = 0;
	c->num = 0;
	c->seq_match = 0;
}

/* Feeds event-stream bytes. */
static void sse_feed(struct conn *c, long idx, const char *p, size_t n, int64_t t)
{
	const char *end = p + n;

	while (p < end) {
		char ch = *p;
		if (ch == '\n') {
			line_end(c, idx, t);
			p++;
			continue;
		}
		if (ch == '\r') {
			p++;
			continue;
		}
		if (c->line_kind == L_START) {
			if (c->line_pos < sizeof(c->pfx))
				c->pfx[c->line_pos] = ch;
			c->line_pos++;
			if (c->line_pos == 3 && memcmp(c->pfx, "id:", 3) == 0)
				c->line_kind = opt.id_from_data ? L_SKIP : L_ID;
			else if (c->line_pos == 5 && memcmp(c->pfx, "data:", 5) == 0)
				c->line_kind = opt.id_from_data ? L_DATA : L_SKIP;
			else if (c->line_pos >= 5)
				c->line_kind = L_SKIP;
			p++;
			continue;
		}
		if (c->line_kind == L_SKIP || c->num_state == 2) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl : end;
			continue;
		}
		if (c->line_kind == L_DATA && c->seq_match < sizeof(seq_pat) - 1) {
			if (ch == seq_pat[c->seq_match])
				c->seq_match++;
			else
				c->seq_match = ch == '"' ? 1 : 0;
			p++;
			continue;
		}
		/* L_ID after "id:", or L_DATA after "seq": a number */
		if (ch >= '0' && ch <= '9') {
			c->num = c->num * 10 + (ch - '0');
			c->num_state = 1;
		} else if (ch != ' ' || c->num_state) {
			if (c->num_state == 0)
				c->num_state = 2, c->num = -1;
			else
				c->num_state = 2;
		}
		p++;
	}
}

/* Feeds response body bytes: de-chunks when the response is chunked. */
static int body_feed(struct conn *c, long idx, const char *p, size_t n, int64_t t)
{
	const char *end = p + n;

	if (c->chunk_state == CH_NONE) {
		sse_feed(c, idx, p, n, t);
		return 0;
	}
	while (p < end) {
		switch (c->chunk_state) {
		case CH_SIZE: {
			char ch = *p++;
			int v;
			if (ch >= '0' && ch <= '9')
				v = ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				v = ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				v = ch - 'A' + 10;
			else if (ch == '\n') {
				if (c->chunk_left == 0)
					return -1; /* last chunk: the stream ended */
				c->chunk_state = CH_DATA;
				break;
			} else {
				c->chunk_state = CH_EXT;
				break;
			}
			c->chunk_left = c->chunk_left * 16 + (uint32_t)v;
			break;
		}
		case CH_EXT: {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				return 0;
			p = nl + 1;
			if (c->chunk_left == 0)
				return -1;
			c->chunk_state = CH_DATA;
			break;
		}
		case CH_DATA: {
			size_t k = (size_t)(end - p);
			if (k > c->chunk_left)
				k = c->chunk_left;
			sse_feed(c, idx, p, k, t);
			p += k;
			c->chunk_left -= (uint32_t)k;
			if (c->chunk_left == 0)
				c->chunk_state = CH_DATA_END;
			break;
		}
		case CH_DATA_END: {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				return 0;
			p = nl + 1;
			c->chunk_state = CH_SIZE;
			c->chunk_left = 0;
			break;
		}
		}
	}
	return 0;
}

/* ---- subscriber process ---- */

struct subproc {
	int ep;
	long first, count;
	struct conn *c;
	long next;        /* next connection to open */
	long *retry;      /* connections to open again */
	long nretry;
	long inflight;
	char req[1024];
	size_t req_len;
	struct sockaddr_in dst;
};

static void conn_close(struct subproc *sp, struct conn *c, int reset)
{
	if (c->fd >= 0) {
		if (reset) {
			struct linger l = { 1, 0 };
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		}
		epoll_ctl(sp->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	free(c->hdr);
	c->hdr = NULL;
}

/* A connection that failed before it subscribed is retried a few times. */
static void conn_fail(struct subproc *sp, long i)
{
	struct conn *c = &sp->c[i];
	int was_connecting = c->state == C_CONNECTING || c->state == C_HEADERS;

	conn_close(sp, c, 1);
	if (was_connecting)
		sp->inflight--;
	if (c->state == C_BODY) {
		__atomic_fetch_add(&sh->closed, 1, __ATOMIC_RELAXED);
		c->state = C_DEAD;
		return;
	}
	if (c->attempts < 5) {
		c->state = C_IDLE;
		sp->retry[sp->nretry++] = i;
	} else {
		c->state = C_DEAD;
		__atomic_fetch_add(&sh->failed, 1, __ATOMIC_RELAXED);
	}
}

static void conn_open(struct subproc *sp, long i)
{
	struct conn *c = &sp->c[i];
	long gi = sp->first + i;
	struct sockaddr_in src = { 0 };
	struct epoll_event ev;
	int one = 1;

	uint8_t attempts = c->attempts; /* a retry counts on from the last try */

	memset(c, 0, sizeof(*c));
	c->attempts = attempts + 1;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	struct sockaddr_in dst = sp->dst;
	if (opt.n_ports)
		dst.sin_port = htons((uint16_t)opt.ports[gi % opt.n_ports]);
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(gi % opt.srcs));
	if (bind(c->fd, (struct sockaddr *)&src, sizeof(src)) < 0)
		die("bind 127.0.0.%ld: %s", 2 + gi % opt.srcs, strerror(errno));
	c->state = C_CONNECTING;
	sp->inflight++;
	ev.events = EPOLLOUT;
	ev.data.u64 = (uint64_t)i;
	if (epoll_ctl(sp->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 &&
	    errno != EINPROGRESS) {
		__atomic_fetch_add(&sh->attempts, 1, __ATOMIC_RELAXED);
		conn_fail(sp, i);
	}
}

static void conn_writable(struct subproc *sp, long i)
{
	struct conn *c = &sp->c[i];
	struct epoll_event ev;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
		__atomic_fetch_add(&sh->attempts, 1, __ATOMIC_RELAXED);
		conn_fail(sp, i);
		return;
	}
	if (write(c->fd, sp->req, sp->req_len) != (ssize_t)sp->req_len) {
		conn_fail(sp, i);
		return;
	}
	c->state = C_HEADERS;
	c->hdr = malloc(4096);
	if (!c->hdr)
		die("out of memory");
	c->hdr_len = 0;
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)i;
	epoll_ctl(sp->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Response headers: status 200, and whether the body is chunked. Returns the
 * header length, 0 if incomplete, -1 if refused. */
static int parse_headers(struct conn *c)
{
	char *e = memmem(c->hdr, c->hdr_len, "\r\n\r\n", 4);

	if (!e)
		return c->hdr_len >= 4095 ? -1 : 0;
	*e = '\0';
	if (strncmp(c->hdr, "HTTP/1.", 7) != 0 || strncmp(c->hdr + 8, " 200", 4) != 0)
		return -1;
	c->chunk_state = CH_NONE;
	for (char *l = strstr(c->hdr, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
		if (strncasecmp(l + 2, "transfer-encoding:", 18) == 0 && strcasestr(l + 2, "chunked"))
			c->chunk_state = CH_SIZE;
	}
	return (int)(e - c->hdr) + 4;
}

static void conn_readable(struct subproc *sp, long i, char *buf)
{
	struct conn *c = &sp->c[i];
	long gi = sp->first + i;

	for (;;) {
		ssize_t r = read(c->fd, buf, RDBUF);
		int64_t t = now_ns();
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			conn_fail(sp, i);
			return;
		}
		if (c->state == C_HEADERS) {
			size_t k = (size_t)r;
			if (k > 4095u - c->hdr_len)
				k = 4095u - c->hdr_len;
			memcpy(c->hdr + c->hdr_len, buf, k);
			c->hdr_len += (uint16_t)k;
			int h = parse_headers(c);
			if (h < 0) {
				c->attempts = 99; /* refused: no retry */
				conn_fail(sp, i);
				return;
			}
			if (h == 0)
				continue;
			size_t consumed_before = c->hdr_len - k; /* bytes from earlier reads */
			size_t body_off = (size_t)h - consumed_before;
			free(c->hdr);
			c->hdr = NULL;
			c->state = C_BODY;
			sp->inflight--;
			__atomic_fetch_add(&sh->subscribed, 1, __ATOMIC_RELAXED);
			if ((size_t)r > body_off && body_feed(c, gi, buf + body_off,
							     (size_t)r - body_off, t) < 0) {
				conn_fail(sp, i);
				return;
			}
		} else {
			if (sh->phase == 1)
				__atomic_fetch_add(&sh->bytes, (uint64_t)r, __ATOMIC_RELAXED);
			if (body_feed(c, gi, buf, (size_t)r, t) < 0) {
				conn_fail(sp, i);
				return;
			}
		}
		if (r < RDBUF)
			return;
	}
}

static void subproc_run(long first, long count, int64_t deadline_stop)
{
	struct subproc sp = { 0 };
	struct epoll_event evs[1024];
	char *buf = malloc(RDBUF);

	sp.first = first;
	sp.count = count;
	sp.c = calloc((size_t)count, sizeof(*sp.c));
	sp.retry = calloc((size_t)count, sizeof(*sp.retry));
	sp.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!buf || !sp.c || !sp.retry || sp.ep < 0)
		die("subscriber set-up failed");
	for (long i = 0; i < count; i++)
		sp.c[i].fd = -1;
	sp.dst.sin_family = AF_INET;
	sp.dst.sin_port = htons((uint16_t)opt.port);
	if (inet_pton(AF_INET, opt.host, &sp.dst.sin_addr) != 1)
		die("bad --host %s", opt.host);
	sp.req_len = (size_t)snprintf(sp.req, sizeof(sp.req),
				      "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
				      "Cache-Control: no-cache\r\nUser-Agent: sse_load\r\n\r\n",
				      opt.path, opt.host_header);

	while (sh->phase != 2 && now_ns() < deadline_stop) {
		while (sp.inflight < opt.inflight && (sp.nretry || sp.next < count) && sh->phase == 0) {
			long i = sp.nretry ? sp.retry[--sp.nretry] : sp.next++;
			conn_open(&sp, i);
		}
		int n = epoll_wait(sp.ep, evs, 1024, 20);
		for (int k = 0; k < n; k++) {
			long i = (long)evs[k].data.u64;
			struct conn *c = &sp.c[i];
			if (c->fd < 0)
				continue;
			if (c->state == C_CONNECTING) {
				if (evs[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
					conn_writable(&sp, i);
			} else {
				conn_readable(&sp, i, buf);
			}
		}
	}
	for (long i = 0; i < count; i++)
		conn_close(&sp, &sp.c[i], 1);
	_exit(0);
}

/* ---- page process ---- */

struct pconn {
	int fd;
	int state; /* 0 waiting to send, 1 reading headers, 2 reading body */
	int64_t start, next;
	int64_t start_rt, rx_rt; /* CLOCK_REALTIME, the clock of SO_TIMESTAMPNS */
	size_t have, body_left;
	char hdr[8192];
};

static int pconn_open(struct pconn *pc, int ep, int i)
{
	struct sockaddr_in dst = { 0 };
	struct epoll_event ev;
	int one = 1;

	pc->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pc->fd < 0)
		return -1;
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)opt.port);
	inet_pton(AF_INET, opt.host, &dst.sin_addr);
	if (connect(pc->fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		close(pc->fd);
		pc->fd = -1;
		return -1;
	}
	setsockopt(pc->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* The kernel stamps each arriving segment: the response's arrival time
	 * does not then depend on when this process next gets a core. */
	setsockopt(pc->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	fcntl(pc->fd, F_SETFL, O_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)i;
	epoll_ctl(ep, EPOLL_CTL_ADD, pc->fd, &ev);
	pc->state = 0;
	return 0;
}

/* read() that also keeps the kernel's arrival time of the newest segment read
 * (SO_TIMESTAMPNS: CLOCK_REALTIME, the time the segment was queued to the
 * socket). */
static ssize_t pconn_read(struct pconn *pc, char *buf, size_t len)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b) };
	ssize_t r = recvmsg(pc->fd, &mh, 0);

	for (struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			pc->rx_rt = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		}
	return r;
}

static void pager_run(int64_t deadline_stop)
{
	struct pconn *pcs = calloc((size_t)opt.pager, sizeof(*pcs));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event evs[64];
	char req[1024], buf[65536];
	int req_len = snprintf(req, sizeof(req),
			       "GET %s HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: gzip\r\n"
			       "User-Agent: sse_load\r\n\r\n", opt.page_path, opt.host_header);

	if (!pcs || ep < 0)
		die("pager set-up failed");
	while (sh->phase == 0 && now_ns() < deadline_stop)
		sleep_ms(5);
	for (int i = 0; i < opt.pager; i++) {
		if (pconn_open(&pcs[i], ep, i) < 0)
			die("pager: cannot connect");
		pcs[i].next = now_ns() + (int64_t)i * opt.page_interval_ms * 1000000LL / opt.pager;
	}
	while (sh->phase != 2 && now_ns() < deadline_stop) {
		int64_t t = now_ns(), wake = t + 20000000LL;
		for (int i = 0; i < opt.pager; i++) {
			struct pconn *pc = &pcs[i];
			if (pc->state == 0 && pc->next <= t) {
				pc->start = t;
				pc->start_rt = now_rt_ns();
				if (write(pc->fd, req, (size_t)req_len) != req_len) {
					__atomic_fetch_add(&sh->page_err, 1, __ATOMIC_RELAXED);
					close(pc->fd);
					if (pconn_open(pc, ep, i) < 0)
						die("pager: cannot reconnect");
					pc->next = t + opt.page_interval_ms * 1000000LL;
					continue;
				}
				pc->state = 1;
				pc->have = 0;
			}
			if (pc->state == 0 && pc->next < wake)
				wake = pc->next;
		}
		int to = (int)((wake - t) / 1000000LL);
		int n = epoll_wait(ep, evs, 64, to < 0 ? 0 : to);
		for (int k = 0; k < n; k++) {
			int i = (int)evs[k].data.u64;
			struct pconn *pc = &pcs[i];
			ssize_t r = pconn_read(pc, buf, sizeof(buf));
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0 || pc->state == 0) {
				__atomic_fetch_add(&sh->page_err, 1, __ATOMIC_RELAXED);
				close(pc->fd);
				if (pconn_open(pc, ep, i) < 0)
					die("pager: cannot reconnect");
				pc->next = now_ns() + opt.page_interval_ms * 1000000LL;
				continue;
			}
			size_t off = 0;
			if (pc->state == 1) {
				size_t k2 = (size_t)r;
				if (k2 > sizeof(pc->hdr) - 1 - pc->have)
					k2 = sizeof(pc->hdr) - 1 - pc->have;
				memcpy(pc->hdr + pc->have, buf, k2);
				pc->have += k2;
				pc->hdr[pc->have] = '\0';
				char *e = strstr(pc->hdr, "\r\n\r\n");
				if (!e)
					continue;
				size_t hl = (size_t)(e - pc->hdr) + 4;
				char *cl = strcasestr(pc->hdr, "\r\ncontent-length:");
				if (!cl || strncmp(pc->hdr + 9, "200", 3) != 0)
					__atomic_fetch_add(&sh->page_err, 1, __ATOMIC_RELAXED);
				pc->body_left = cl ? strtoull(cl + 17, NULL, 10) : 0;
				off = hl - (pc->have - k2);
				pc->state = 2;
			}
			size_t k3 = (size_t)r - off;
			pc->body_left -= k3 > pc->body_left ? pc->body_left : k3;
			if (pc->body_left == 0) {
				int64_t done = now_ns();
				uint64_t j = __atomic_fetch_add(&sh->page_n, 1, __ATOMIC_RELAXED);
				if (j < PAGE_CAP) {
					sh->page_start[j] = pc->start;
					sh->page_lat[j] = done - pc->start;
					sh->page_klat[j] = pc->rx_rt - pc->start_rt;
				}
				pc->state = 0;
				pc->next = pc->start + opt.page_interval_ms * 1000000LL;
			}
		}
	}
	_exit(0);
}

/* ---- the server, from /proc ---- */

static pid_t server_pids[MAX_SERVER_PIDS];
static int n_server_pids;

static pid_t store_pids[MAX_SERVER_PIDS];
static int n_store_pids;

/* Each of `masters` and its children, into out[]; returns how many. */
static int procs_find(const pid_t *masters, int n, pid_t *out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int k = 0;

	for (int i = 0; i < n && masters[i]; i++)
		out[k++] = masters[i];
	while (d && (de = readdir(d)) && k < MAX_SERVER_PIDS) {
		char path[300], line[1024];
		FILE *f;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f)) {
			char *rp = strrchr(line, ')');
			int ppid = 0;
			char st;
			if (rp && sscanf(rp + 2, "%c %d", &st, &ppid) == 2 && ppid > 0)
				for (int i = 0; i < n; i++)
					if (ppid == masters[i] && k < MAX_SERVER_PIDS)
						out[k++] = (pid_t)strtol(de->d_name, NULL, 10);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return k;
}

/* The server's masters and their children, and the store's processes. */
static void server_find(void)
{
	n_server_pids = procs_find(opt.server_pid, opt.n_masters, server_pids);
	n_store_pids = opt.store_pid ? procs_find(&opt.store_pid, 1, store_pids) : 0;
}

/* CPU time of every thread of these processes, ns. */
static int64_t procs_cpu_ns(const pid_t *pids, int n)
{
	int64_t sum = 0;

	for (int i = 0; i < n; i++) {
		char path[64];
		DIR *d;
		struct dirent *de;
		snprintf(path, sizeof(path), "/proc/%d/task", (int)pids[i]);
		d = opendir(path);
		while (d && (de = readdir(d))) {
			char p2[320];
			FILE *f;
			long long v;
			if (de->d_name[0] == '.')
				continue;
			snprintf(p2, sizeof(p2), "/proc/%d/task/%s/schedstat", (int)pids[i],
				 de->d_name);
			f = fopen(p2, "r");
			if (f && fscanf(f, "%lld", &v) == 1)
				sum += v;
			if (f)
				fclose(f);
		}
		if (d)
			closedir(d);
	}
	return sum;
}

static int64_t server_cpu_ns(void)
{
	return procs_cpu_ns(server_pids, n_server_pids);
}

static int64_t store_cpu_ns(void)
{
	return procs_cpu_ns(store_pids, n_store_pids);
}

/* Sum of a "Key:   N kB" field over the server's processes, bytes. */
static int64_t server_mem(const char *file, const char *key)
{
	int64_t sum = 0;
	size_t kl = strlen(key);

	for (int i = 0; i < n_server_pids; i++) {
		char path[64], line[256];
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)server_pids[i], file);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
				sum += strtoll(line + kl + 1, NULL, 10) * 1024;
				break;
			}
		}
		if (f)
			fclose(f);
	}
	return sum;
}

/* The kernel's TCP memory (pages, /proc/net/sockstat), bytes. */
static int64_t kernel_tcp_mem(void)
{
	FILE *f = fopen("/proc/net/sockstat", "r");
	char line[512];
	int64_t v = 0;

	while (f && fgets(line, sizeof(line), f)) {
		char *m;
		if (strncmp(line, "TCP:", 4) == 0 && (m = strstr(line, " mem ")))
			v = strtoll(m + 5, NULL, 10) * sysconf(_SC_PAGESIZE);
	}
	if (f)
		fclose(f);
	return v;
}

/* ---- publishing ---- */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = malloc(65536);
	size_t n;

	if (!f || !data)
		die("%s: %s", path, strerror(errno));
	n = fread(data, 1, 65535, f);
	data[n] = '\0';
	fclose(f);
	return data;
}

struct pub_result {
	int64_t dur_ns;
	int64_t cpu_ns; /* of the publish command (Liveline), from wait4 */
	int ok;
};

static struct pub_result publish_cmd(int k)
{
	struct pub_result r = { 0 };
	char kv[32];
	int64_t t0 = sh->pub_ns[k];
	pid_t pid;

	snprintf(kv, sizeof(kv), "%d", k);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int dn = open("/dev/null", O_WRONLY);
		setenv("SSE_POST", kv, 1);
		if (dn >= 0)
			dup2(dn, 1);
		execl("/bin/sh", "sh", "-c", opt.publish_cmd, (char *)NULL);
		_exit(127);
	}
	for (;;) {
		int status;
		struct rusage ru;
		pid_t p = wait4(pid, &status, WNOHANG, &ru);
		if (p == pid) {
			r.dur_ns = now_ns() - t0;
			r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			r.cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
				   (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
			return r;
		}
		if (now_ns() - t0 > (int64_t)opt.post_timeout_s * 1000000000LL) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return r;
		}
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
}

static struct pub_result publish_http(int k)
{
	struct pub_result r = { 0 };
	struct sockaddr_in dst = { 0 };
	struct timeval tv = { opt.post_timeout_s, 0 };
	char *body = malloc((size_t)opt.msg_bytes + 256), req[1024], resp[4096];
	int64_t t0 = sh->pub_ns[k];
	long long seq = opt.base_seq + 1 + k;
	int fd, len, one = 1;
	size_t have = 0;

	if (!body)
		die("out of memory");
	if (opt.publish_body) { /* a request of the server's own API */
		const char *mark = strstr(opt.publish_body, "%POST%");
		size_t blen = strlen(opt.publish_body);
		free(body);
		body = malloc(blen + 32);
		if (!body)
			die("out of memory");
		if (mark)
			len = snprintf(body, blen + 32, "%.*s%d%s", (int)(mark - opt.publish_body),
				       opt.publish_body, k, mark + 6);
		else
			len = snprintf(body, blen + 32, "%s", opt.publish_body);
	} else { /* nchan: the message is the event's data, padded to Liveline's size */
		len = snprintf(body, 256, "{\"seq\":%lld,\"kind\":\"post\",\"post_id\":%lld,\"html\":\"",
			       seq, 1000 + seq);
		while (len < opt.msg_bytes - 2)
			body[len++] = 'x';
		body[len++] = '"';
		body[len++] = '}';
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)opt.port);
	inet_pton(AF_INET, opt.host, &dst.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		goto out;
	int hl = snprintf(req, sizeof(req),
			  "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
			  "X-EventSource-Event: post\r\n%s%sContent-Length: %d\r\n"
			  "Connection: close\r\n\r\n",
			  opt.publish_path, opt.host_header,
			  opt.publish_header ? opt.publish_header : "",
			  opt.publish_header ? "\r\n" : "", len);
	struct iovec iov[2] = { { req, (size_t)hl }, { body, (size_t)len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	if (sendmsg(fd, &mh, 0) != hl + len)
		goto out;
	for (;;) { /* Connection: close: read to the end */
		ssize_t n = read(fd, resp + have, sizeof(resp) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		if (have >= sizeof(resp) - 1)
			have = 12; /* keep the status line */
	}
	resp[have] = '\0';
	r.dur_ns = now_ns() - t0;
	r.ok = have >= 12 && resp[9] == '2';
out:
	close(fd);
	free(body);
	return r;
}

/* ---- results ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const int64_t *v, size_t n, double p)
{
	if (!n)
		return -1;
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return (double)v[i];
}

static double median_d(double *v, int n)
{
	double t[MAX_POSTS];
	memcpy(t, v, sizeof(double) * (size_t)n);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
			double x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return n ? (n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2) : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sse_load --port P [--host 127.0.0.1] [--path /live/demo/events] -n N\n"
		"  [--procs P] [--srcs S] [--posts M] [--gap-ms G] [--gap-jitter-ms J] [--base-seq B]\n"
		"  [--id id|seq]  (-n 0: publish M posts back to back, no subscribers)\n"
		"  (--publish-cmd CMD | --publish-path /pub [--msg-bytes B]\n"
		"   [--publish-header 'Authorization: Bearer T'] [--publish-body FILE])\n"
		"  [--ports P1,P2,...] [--server-pid PID]... [--store-pid PID] [--pager C --page-path /live/demo --page-interval-ms I\n"
		"  --idle-ms T] [--inflight K] [--post-timeout S] [--connect-timeout S]\n"
		"  [--settle-ms MS] [--label L]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char hh[300];
	pid_t kids[MAX_PROCS + 1];
	int nkids = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && v && ++i)
		if (ARG("--host")) opt.host = v;
		else if (ARG("--port")) opt.port = atoi(v);
		else if (ARG("--path")) opt.path = v;
		else if (ARG("-n")) opt.n = atol(v);
		else if (ARG("--procs")) opt.procs = atoi(v);
		else if (ARG("--srcs")) opt.srcs = atoi(v);
		else if (ARG("--posts")) opt.posts = atoi(v);
		else if (ARG("--gap-ms")) opt.gap_ms = atoi(v);
		else if (ARG("--gap-jitter-ms")) opt.gap_jitter_ms = atoi(v);
		else if (ARG("--post-timeout")) opt.post_timeout_s = atoi(v);
		else if (ARG("--connect-timeout")) opt.connect_timeout_s = atoi(v);
		else if (ARG("--settle-ms")) opt.settle_ms = atoi(v);
		else if (ARG("--publish-cmd")) opt.publish_cmd = v;
		else if (ARG("--publish-path")) opt.publish_path = v;
		else if (ARG("--publish-header")) opt.publish_header = v;
		else if (ARG("--publish-body")) opt.publish_body = read_file(v);
		else if (ARG("--msg-bytes")) opt.msg_bytes = atoi(v);
		else if (ARG("--id")) opt.id_from_data = strcmp(v, "seq") == 0;
		else if (ARG("--base-seq")) opt.base_seq = atoll(v);
		else if (ARG("--server-pid") && opt.n_masters < MAX_MASTERS)
			opt.server_pid[opt.n_masters++] = (pid_t)strtol(v, NULL, 10);
		else if (ARG("--store-pid")) opt.store_pid = (pid_t)strtol(v, NULL, 10);
		else if (ARG("--ports")) {
			for (char *e = (char *)v; *e && opt.n_ports < MAX_PORTS; e += *e == ',') {
				opt.ports[opt.n_ports++] = (int)strtol(e, &e, 10);
				if (*e && *e != ',')
					usage();
			}
		}
		else if (ARG("--inflight")) opt.inflight = atoi(v);
		else if (ARG("--pager")) opt.pager = atoi(v);
		else if (ARG("--page-path")) opt.page_path = v;
		else if (ARG("--page-interval-ms")) opt.page_interval_ms = atoi(v);
		else if (ARG("--idle-ms")) opt.idle_ms = atoi(v);
		else if (ARG("--label")) opt.label = v;
		else usage();
#undef ARG
	}
	if (opt.n < 0 || opt.posts < 1 || opt.posts > MAX_POSTS ||
	    (!opt.publish_cmd == !opt.publish_path) || opt.msg_bytes < 64 || opt.page_interval_ms < 1)
		usage();
	if (!opt.procs)
		opt.procs = (int)((opt.n + 15999) / 16000);
	if (opt.n == 0)
		opt.procs = 0, opt.pager = 0, opt.settle_ms = 0;
	if (opt.procs > MAX_PROCS)
		opt.procs = MAX_PROCS;
	if (!opt.srcs)
		opt.srcs = (int)((opt.n + 19999) / 20000);
	if (!opt.connect_timeout_s)
		opt.connect_timeout_s = 30 + (int)(opt.n / 2000);
	snprintf(hh, sizeof(hh), "%s:%d", opt.host, opt.port);
	opt.host_header = hh;
	{
		struct rlimit rl;
		getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		long per = opt.procs ? (opt.n + opt.procs - 1) / opt.procs : 0;
		if ((rlim_t)per + 64 > rl.rlim_cur)
			die("%ld connections per process exceed the open-file limit %llu: use more --procs",
			    per, (unsigned long long)rl.rlim_cur);
	}

	sh_size = sizeof(struct shared) + (size_t)opt.n * (size_t)opt.posts * sizeof(int64_t);
	sh = mmap(NULL, sh_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)(now_ns() ^ getpid()));

	int64_t hard_stop = now_ns() + (int64_t)(opt.connect_timeout_s + 30 + opt.idle_ms / 1000 +
						 opt.posts * (opt.post_timeout_s + 1 + (opt.gap_ms + opt.gap_jitter_ms) / 1000)) *
						1000000000LL;
	server_find();
	int64_t rss0 = server_mem("status", "VmRSS"), pss0 = server_mem("smaps_rollup", "Pss");
	int64_t ktcp0 = kernel_tcp_mem();

	int64_t t_conn0 = now_ns();
	for (int p = 0; p < opt.procs; p++) {
		long first = opt.n * p / opt.procs, last = opt.n * (p + 1) / opt.procs;
		pid_t pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0)
			subproc_run(first, last - first, hard_stop);
		kids[nkids++] = pid;
	}
	if (opt.pager) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0)
			pager_run(hard_stop);
		kids[nkids++] = pid;
	}

	/* Wait until all are subscribed (or stuck). */
	const char *error = NULL;
	int64_t deadline = now_ns() + (int64_t)opt.connect_timeout_s * 1000000000LL;
	while (__atomic_load_n(&sh->subscribed, __ATOMIC_RELAXED) +
		       __atomic_load_n(&sh->failed, __ATOMIC_RELAXED) <
	       (uint64_t)opt.n) {
		if (now_ns() > deadline) {
			error = "not all subscribers connected in time";
			break;
		}
		sleep_ms(10);
	}
	double connect_s = (double)(now_ns() - t_conn0) / 1e9;
	if (!error && sh->failed)
		error = "some subscribers could not connect";
	sleep_ms(opt.settle_ms);
	server_find(); /* workers restarted meanwhile would show here */
	int64_t rss1 = server_mem("status", "VmRSS"), pss1 = server_mem("smaps_rollup", "Pss");
	int64_t ktcp1 = kernel_tcp_mem();
	uint64_t subscribed = sh->subscribed;

	int64_t idle_a = 0, idle_b = 0;
	int64_t done_ns[MAX_POSTS] = { 0 }, cpu_ns[MAX_POSTS] = { 0 }, store_ns[MAX_POSTS] = { 0 };
	struct pub_result pr[MAX_POSTS] = { { 0 } };
	int posted = 0;
	if (!error) {
		sh->phase = 1;
		if (opt.pager) {
			idle_a = now_ns() + 300000000LL; /* connections settle */
			sleep_ms(300 + opt.idle_ms);
			idle_b = now_ns();
		}
		for (int k = 0; k < opt.posts; k++) {
			int64_t c0 = server_cpu_ns(), s0 = store_cpu_ns();
			__atomic_store_n(&sh->pub_ns[k], now_ns(), __ATOMIC_SEQ_CST);
			pr[k] = opt.publish_cmd ? publish_cmd(k) : publish_http(k);
			posted++;
			if (!pr[k].ok) {
				error = "a publish failed";
				break;
			}
			if (opt.n == 0) {
				done_ns[k] = now_ns();
				continue; /* publishing alone: as fast as it goes */
			}
			int64_t dl = sh->pub_ns[k] + (int64_t)opt.post_timeout_s * 1000000000LL;
			while (__atomic_load_n(&sh->recv_count[k], __ATOMIC_ACQUIRE) < subscribed &&
			       now_ns() < dl)
				sleep_ms(1);
			done_ns[k] = now_ns();
			sleep_ms(100); /* the server finishes its loop turn */
			cpu_ns[k] = server_cpu_ns() - c0;
			store_ns[k] = store_cpu_ns() - s0;
			if (sh->recv_count[k] < subscribed && !error)
				error = "some subscribers did not receive a post in time";
			if (k + 1 < opt.posts)
				sleep_ms(opt.gap_ms + (opt.gap_jitter_ms ? rand() % opt.gap_jitter_ms : 0));
		}
		if (opt.n)
			sleep_ms(200); /* late duplicates would show here */
	}
	sh->phase = 2;
	for (int i = 0; i < nkids; i++) {
		int st;
		int64_t dl = now_ns() + 20000000000LL;
		while (waitpid(kids[i], &st, WNOHANG) == 0) {
			if (now_ns() > dl) {
				kill(kids[i], SIGKILL);
				waitpid(kids[i], &st, 0);
				break;
			}
			sleep_ms(10);
		}
	}

	/* Latencies, per subscriber per event. */
	size_t nl = 0, lost = 0;
	int64_t *lat = malloc(sizeof(int64_t) * ((size_t)opt.n * (size_t)(posted ? posted : 1) + 1));
	double first_ms[MAX_POSTS], compl_ms[MAX_POSTS], p50_ms[MAX_POSTS], p99_ms[MAX_POSTS];
	double cpu_us_per[MAX_POSTS], pub_ms[MAX_POSTS], pubcpu_ms[MAX_POSTS], dps[MAX_POSTS];
	double other_ms[MAX_POSTS];
	int64_t cpu_total = 0, store_total = 0;
	if (!lat)
		die("out of memory");
	for (int k = 0; k < posted; k++) {
		int64_t mn = INT64_MAX, mx = 0, mo = INT64_MAX;
		size_t got = 0, base = nl;
		for (long s = 0; s < opt.n; s++) {
			int64_t t = sh->recv[s * opt.posts + k];
			if (!t) {
				lost++;
				continue;
			}
			int64_t d = t - sh->pub_ns[k];
			lat[nl++] = d;
			got++;
			if (d < mn)
				mn = d;
			if (opt.n_ports && opt.ports[s % opt.n_ports] != opt.port && d < mo)
				mo = d;
			if (d > mx)
				mx = d;
		}
		qsort(lat + base, got, sizeof(int64_t), cmp_i64);
		first_ms[k] = got ? (double)mn / 1e6 : -1;
		compl_ms[k] = got ? (double)mx / 1e6 : -1;
		p50_ms[k] = pct(lat + base, got, 50) / 1e6;
		p99_ms[k] = pct(lat + base, got, 99) / 1e6;
		cpu_us_per[k] = got ? (double)cpu_ns[k] / 1e3 / (double)got : -1;
		cpu_total += cpu_ns[k];
		store_total += store_ns[k];
		other_ms[k] = mo < INT64_MAX ? (double)mo / 1e6 : -1;
		pub_ms[k] = (double)pr[k].dur_ns / 1e6;
		pubcpu_ms[k] = (double)pr[k].cpu_ns / 1e6;
		dps[k] = got && mx > 0 ? (double)got / ((double)mx / 1e9) : -1;
	}
	qsort(lat, nl, sizeof(int64_t), cmp_i64);

	/* Page latency: idle window vs while a post fans out. */
	/* [0] as the page process read the last byte, [1] as its kernel received
	 * it (SO_TIMESTAMPNS): on a shared machine the first includes the wait of
	 * the client process itself for a core. */
	double pg_idle_p50[2] = { -1, -1 }, pg_idle_p99[2] = { -1, -1 }, pg_fan_p50[2] = { -1, -1 },
	       pg_fan_p95[2] = { -1, -1 }, pg_fan_p99[2] = { -1, -1 }, pg_fan_max[2] = { -1, -1 };
	size_t pg_idle_n = 0, pg_fan_n = 0;
	for (int m = 0; m < 2 && opt.pager; m++) {
		size_t np = sh->page_n < PAGE_CAP ? sh->page_n : PAGE_CAP;
		int64_t *a = malloc(sizeof(int64_t) * (np + 1)), *b = malloc(sizeof(int64_t) * (np + 1));
		const int64_t *lat_of = m ? sh->page_klat : sh->page_lat;
		pg_idle_n = pg_fan_n = 0;
		for (size_t j = 0; a && b && j < np; j++) {
			int64_t st = sh->page_start[j];
			if (st >= idle_a && st < idle_b)
				a[pg_idle_n++] = lat_of[j];
			for (int k = 0; k < posted; k++)
				if (st >= sh->pub_ns[k] && st <= done_ns[k]) {
					b[pg_fan_n++] = lat_of[j];
					break;
				}
		}
		qsort(a, pg_idle_n, sizeof(int64_t), cmp_i64);
		qsort(b, pg_fan_n, sizeof(int64_t), cmp_i64);
		pg_idle_p50[m] = pct(a, pg_idle_n, 50) / 1e6;
		pg_idle_p99[m] = pct(a, pg_idle_n, 99) / 1e6;
		pg_fan_p50[m] = pct(b, pg_fan_n, 50) / 1e6;
		pg_fan_p99[m] = pct(b, pg_fan_n, 99) / 1e6;
		pg_fan_p95[m] = pct(b, pg_fan_n, 95) / 1e6;
		pg_fan_max[m] = pg_fan_n ? (double)b[pg_fan_n - 1] / 1e6 : -1;
		free(a);
		free(b);
	}

	uint64_t deliveries = nl;
	double nd = opt.n ? (double)opt.n : 1.0;
	printf("{\"label\":\"%s\",\"n\":%ld,\"procs\":%d,\"srcs\":%d,\"posts\":%d,\"server_pids\":%d,"
	       "\"subscribed\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"connect_s\":%.2f,"
	       "\"retries\":%" PRIu64 ",",
	       opt.label, opt.n, opt.procs, opt.srcs, posted, n_server_pids, subscribed, sh->failed,
	       connect_s, sh->attempts);
	printf("\"rss_before\":%" PRId64 ",\"rss_after\":%" PRId64 ",\"pss_before\":%" PRId64
	       ",\"pss_after\":%" PRId64 ",\"rss_per_sub\":%.0f,\"pss_per_sub\":%.0f,"
	       "\"kernel_tcp_per_sub\":%.0f,",
	       rss0, rss1, pss0, pss1, (double)(rss1 - rss0) / nd, (double)(pss1 - pss0) / nd,
	       (double)(ktcp1 - ktcp0) / nd);
	printf("\"deliveries\":%" PRIu64 ",\"lost\":%zu,\"dups\":%" PRIu64 ",\"unexpected\":%" PRIu64
	       ",\"closed\":%" PRIu64 ",\"bytes_per_event\":%.0f,",
	       deliveries, lost, sh->dups, sh->unexpected, sh->closed,
	       deliveries ? (double)sh->bytes / (double)deliveries : 0);
	printf("\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,", pct(lat, nl, 50) / 1e6,
	       pct(lat, nl, 99) / 1e6, nl ? (double)lat[nl - 1] / 1e6 : -1);
	printf("\"completion_ms_median\":%.3f,\"first_ms_median\":%.3f,\"deliveries_per_s_median\":%.0f,"
	       "\"cpu_us_per_delivery\":%.3f,\"publish_ms_median\":%.3f,\"publish_cpu_ms_median\":%.3f,",
	       median_d(compl_ms, posted), median_d(first_ms, posted), median_d(dps, posted),
	       deliveries ? (double)cpu_total / 1e3 / (double)deliveries : -1, median_d(pub_ms, posted),
	       median_d(pubcpu_ms, posted));
#define ARR(name, v)                                                  \
	do {                                                          \
		printf("\"%s\":[", name);                             \
		for (int k = 0; k < posted; k++)                      \
			printf("%s%.3f", k ? "," : "", v[k]);         \
		printf("],");                                         \
	} while (0)
	if (opt.store_pid)
		printf("\"store_pids\":%d,\"store_cpu_us_per_delivery\":%.3f,\"store_cpu_ms_per_post\":%.3f,",
		       n_store_pids, deliveries ? (double)store_total / 1e3 / (double)deliveries : -1,
		       posted ? (double)store_total / 1e6 / posted : -1);
	if (opt.n_ports > 1) {
		double t[MAX_POSTS];
		int m = 0;
		for (int k = 0; k < posted; k++)
			if (other_ms[k] >= 0)
				t[m++] = other_ms[k];
		qsort(t, (size_t)m, sizeof(double), cmp_d);
		printf("\"nodes\":%d,\"first_other_ms_median\":%.3f,\"first_other_ms_p99\":%.3f,", opt.n_ports,
		       median_d(t, m), m ? t[(size_t)(0.99 * (m - 1) + 0.5)] : -1);
	}
	if (posted > 1)
		printf("\"publish_rate_per_s\":%.1f,", (double)(posted - 1) * 1e9 /
			(double)(sh->pub_ns[posted - 1] - sh->pub_ns[0]));
	ARR("completion_ms", compl_ms);
	ARR("first_ms", first_ms);
	if (opt.n_ports > 1)
		ARR("first_other_ms", other_ms);
	ARR("p50_ms_each", p50_ms);
	ARR("p99_ms_each", p99_ms);
	ARR("cpu_us_per_delivery_each", cpu_us_per);
	ARR("publish_ms", pub_ms);
#undef ARR
	if (opt.pager)
		for (int m = 0; m < 2; m++) {
			const char *sfx = m ? "_kernel" : "";
			printf("\"page_idle_p50_ms%s\":%.3f,\"page_idle_p99_ms%s\":%.3f,"
			       "\"page_fanout_p50_ms%s\":%.3f,\"page_fanout_p95_ms%s\":%.3f,"
			       "\"page_fanout_p99_ms%s\":%.3f,\"page_fanout_max_ms%s\":%.3f,",
			       sfx, pg_idle_p50[m], sfx, pg_idle_p99[m], sfx, pg_fan_p50[m], sfx, pg_fan_p95[m],
			       sfx, pg_fan_p99[m], sfx, pg_fan_max[m]);
		}
	if (opt.pager)
		printf("\"page_idle_n\":%zu,\"page_fanout_n\":%zu,\"page_errors\":%" PRIu64 ",",
		       pg_idle_n, pg_fan_n, sh->page_err);
	printf("\"error\":%s%s%s}\n", error ? "\"" : "", error ? error : "null", error ? "\"" : "");
	fflush(stdout);
	return error ? 1 : 0;
}
