/*
 * Pollers of /changes with `since` values of their own invention do not fill
 * the cache (real requests over loopback, from a thread of the test), and do
 * not push out the live page that readers are served. The server runs on a
 * real store and the worker's live state (tests/unit/live/ tests warming).
 */
#include "unit_store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <sys/socket.h>

#include "http/http.h"
#include "http/http_internal.h"
#include "model/model.h"
#include "page/page_cache.h"

struct fixture {
	struct unit_db db;
	struct store *newsroom; /* the newsroom thread's connection (unused here) */
	struct live *live;
	struct http_server *http;
	int64_t hot; /* the page's id */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct http_config cfg = {
		.connection_limit = 16,
		.connection_memory = 8192,
		.idle_timeout = 10,
	};
	struct live_config lc = {
		.cache_entries = 64,
		.cache_bytes = 4u << 20,
		.stream_ring = 64,
	};
	char err[256];

	assert_non_null(f);
	unit_db_open(&f->db);
	f->hot = unit_page_create(f->db.s, "hot", "Harbour bridge reopening", MODEL_STATUS_LIVE,
				  1739750400);
	unit_post_add(f->db.s, f->hot, "Bridge closed overnight", 1739750500);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfg.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(cfg.listen_fd >= 0);
	assert_int_equal(bind(cfg.listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(cfg.listen_fd, 16), 0);
	f->newsroom = store_open(f->db.path, err, sizeof(err));
	if (!f->newsroom)
		fail_msg("store_open: %s", err);
	cfg.newsroom_store = f->newsroom;
	f->live = live_new(f->db.s, &lc, err, sizeof(err));
	if (!f->live)
		fail_msg("live_new: %s", err);
	cfg.live = f->live;
	f->http = http_server_new(&cfg, f->db.s, err, sizeof(err));
	if (!f->http)
		fail_msg("http_server_new: %s", err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_server_free(f->http);
	live_free(f->live);
	store_close(f->newsroom);
	unit_db_close(&f->db);
	free(f);
	return 0;
}

static const struct page_entry *cached(struct fixture *f, const char *key)
{
	return page_cache_get(f->http->cache, key);
}

/* ---- /changes with invented `since` values --------------------------------- */

struct poller {
	int port;
	int n;        /* requests to make */
	int ok;       /* answered 200 with "reload":true */
	atomic_int done;
};

static void *poller_run(void *arg)
{
	struct poller *p = arg;
	char req[256], resp[8192];

	for (int i = 0; i < p->n; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p->port) };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		size_t got = 0;
		ssize_t r;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		snprintf(req, sizeof(req),
			 "GET /live/hot/changes?since=%d HTTP/1.1\r\nHost: x\r\n"
			 "Connection: close\r\n\r\n", 1000 + i);
		if (write(fd, req, strlen(req)) == (ssize_t)strlen(req))
			while (got < sizeof(resp) - 1 &&
			       (r = read(fd, resp + got, sizeof(resp) - 1 - got)) > 0)
				got += (size_t)r;
		resp[got] = '\0';
		if (strncmp(resp, "HTTP/1.1 200", 12) == 0 && strstr(resp, "\"reload\":true"))
			p->ok++;
		close(fd);
	}
	atomic_store(&p->done, 1);
	return NULL;
}

static void test_invented_since_values_do_not_fill_the_cache(void **state)
{
	struct fixture *f = *state;
	struct poller p = { .n = 200 };
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	pthread_t th;
	int lfd;

	/* The server's listening socket: the fixture gave it to the server. */
	lfd = MHD_get_daemon_info(f->http->daemon, MHD_DAEMON_INFO_LISTEN_FD)->listen_fd;
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	p.port = ntohs(a.sin_port);
	live_warm(f->live, "hot");
	assert_non_null(cached(f, "page:hot:0"));

	/* 200 `since` values past the page's last change, in a cache of 64
	 * entries: each is answered "reload", from one entry. */
	assert_int_equal(pthread_create(&th, NULL, poller_run, &p), 0);
	while (!atomic_load(&p.done)) {
		struct pollfd pfd = { .fd = http_server_fd(f->http), .events = POLLIN };

		(void)poll(&pfd, 1, 10);
		assert_int_equal(http_server_run(f->http), 0);
	}
	pthread_join(th, NULL);
	assert_int_equal(p.ok, p.n);
	/* The live page that readers are served was not pushed out. */
	assert_non_null(cached(f, "page:hot:0"));
	assert_true(page_cache_count(f->http->cache) <= 3);
	assert_non_null(cached(f, "changes:hot:reload"));
	assert_null(cached(f, "changes:hot:1000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invented_since_values_do_not_fill_the_cache,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("http_warm", tests, NULL, NULL);
}
