/*
 * Unit tests for http_server_apply_changes' warming of live pages: a live page
 * that readers were being served from the cache is rendered again as soon as a
 * change drops it, so that no reader's request pays for the render; a page
 * nobody asked for, and a live page's older pages, are only dropped. The
 * server runs on a real store and a listening socket, with no requests: the
 * cache is read directly.
 *
 * Also: pollers of /changes with `since` values of their own invention do not
 * fill the cache (real requests over loopback, from a thread of the test).
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
	struct http_server *http;
	int64_t hot, cold;  /* page ids */
	int64_t last_change;
};

static int64_t add_page(struct store *s, const char *slug)
{
	return unit_page_create(s, slug, "Harbour bridge reopening", MODEL_STATUS_LIVE, 1739750400);
}

static void add_post(struct store *s, int64_t page_id, const char *title, int64_t at)
{
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH, .text = "Traffic moves again." };
	struct model_post p;

	memset(&p, 0, sizeof(p));
	p.title = (char *)title;
	p.published_at = at;
	p.blocks = &para;
	p.n_blocks = 1;
	if (store_post_insert(s, 0, page_id, &p) != 0)
		fail_msg("store_post_insert: %s", store_errmsg(s));
}

/* Hands the changes since the last call to the server, as a worker does. */
static void apply_new_changes(struct fixture *f)
{
	struct store_change *ch = NULL;
	size_t n = 0;

	assert_int_equal(store_changes_since(f->db.s, f->last_change, 100, &ch, &n), 0);
	assert_true(n > 0);
	http_server_apply_changes(f->http, ch, n);
	f->last_change = ch[n - 1].id;
	store_changes_free(ch, n);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct http_config cfg = {
		.connection_limit = 16,
		.connection_memory = 8192,
		.idle_timeout = 10,
		.cache_entries = 64,
		.cache_bytes = 4u << 20,
		.stream_ring = 64,
	};
	char err[256];

	assert_non_null(f);
	unit_db_open(&f->db);
	f->hot = add_page(f->db.s, "hot");
	f->cold = add_page(f->db.s, "cold");
	add_post(f->db.s, f->hot, "Bridge closed overnight", 1739750500);
	add_post(f->db.s, f->cold, "Ferries run extra crossings", 1739750600);
	assert_int_equal(store_last_change_id(f->db.s, &f->last_change), 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfg.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(cfg.listen_fd >= 0);
	assert_int_equal(bind(cfg.listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(cfg.listen_fd, 16), 0);
	f->newsroom = store_open(f->db.path, err, sizeof(err));
	if (!f->newsroom)
		fail_msg("store_open: %s", err);
	cfg.newsroom_store = f->newsroom;
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
	store_close(f->newsroom);
	unit_db_close(&f->db);
	free(f);
	return 0;
}

static const struct page_entry *cached(struct fixture *f, const char *key)
{
	return page_cache_get(f->http->cache, key);
}

static int body_has(const struct page_entry *e, const char *text)
{
	return e && strstr(e->body->data, text) != NULL;
}

static void test_hot_page_rendered_again_on_change(void **state)
{
	struct fixture *f = *state;
	const struct page_entry *e;
	char etag[sizeof(e->etag)];

	/* A reader has had the live page: it is in the cache. */
	http_reader_warm(f->http, "page:hot:0");
	e = cached(f, "page:hot:0");
	assert_true(body_has(e, "Bridge closed overnight"));
	assert_false(body_has(e, "Bridge reopens"));
	memcpy(etag, e->etag, sizeof(etag));

	add_post(f->db.s, f->hot, "Bridge reopens to traffic", 1739750700);
	apply_new_changes(f);

	/* Back in the cache before anyone asks, with the new post, a new ETag and
	 * its gzip copy. */
	e = cached(f, "page:hot:0");
	assert_true(body_has(e, "Bridge reopens to traffic"));
	assert_true(body_has(e, "Bridge closed overnight"));
	assert_string_not_equal(e->etag, etag);
	assert_non_null(e->gz);
}

static void test_only_live_pages_with_readers_are_rendered(void **state)
{
	struct fixture *f = *state;

	http_reader_warm(f->http, "page:hot:0");
	/* An older page of the hot page, as `?page=1` caches it. */
	assert_non_null(page_cache_put(f->http->cache, "page:hot:1", f->hot, 200, HTTP_CT_HTML,
				       HTTP_CC_STABLE, "old", 3));

	add_post(f->db.s, f->hot, "Bridge reopens to traffic", 1739750700);
	add_post(f->db.s, f->cold, "Last ferry of the night", 1739750800);
	apply_new_changes(f);

	assert_true(body_has(cached(f, "page:hot:0"), "Bridge reopens to traffic"));
	assert_null(cached(f, "page:hot:1"));  /* dropped, not rendered */
	assert_null(cached(f, "page:cold:0")); /* nobody asked for it */
}

static void test_warm_refuses_other_keys(void **state)
{
	struct fixture *f = *state;
	static const char *keys[] = { "page:nope:0", "page::0", "page:hot:1", "page:hot:",
				      "page:hot", "post:hot:0", "text:hot", "page:" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		http_reader_warm(f->http, keys[i]);
		assert_null(cached(f, keys[i]));
	}
	assert_int_equal(page_cache_count(f->http->cache), 0);
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
	http_reader_warm(f->http, "page:hot:0");
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
		cmocka_unit_test_setup_teardown(test_hot_page_rendered_again_on_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_only_live_pages_with_readers_are_rendered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_warm_refuses_other_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invented_since_values_do_not_fill_the_cache,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("http_warm", tests, NULL, NULL);
}
