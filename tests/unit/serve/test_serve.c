/*
 * Unit tests for what serve/ decides without processes: its settings (the
 * defaults, each flag's range and the error it gives) and the restart delay
 * of a worker that dies (serve_backoff).
 */
#include "unit.h"

#include <sys/stat.h>

#include "serve/serve.h"
#include "stream/stream.h"
#include "util/log.h"

static void test_defaults(void **state)
{
	struct serve_config c;

	(void)state;
	serve_config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.workers, 0); /* one per core */
	assert_int_equal(c.connection_limit, 10000);
	assert_int_equal(c.connection_memory, 8192);
	assert_int_equal(c.idle_timeout, 60);
	assert_int_equal(c.cache_entries, 4096);
	assert_int_equal(c.cache_bytes, (size_t)256 * 1024 * 1024);
	assert_int_equal(c.poll_ms, 500);
	assert_int_equal(c.heartbeat_s, 15);
	assert_int_equal(c.stream_ring, STREAM_RING);
	assert_int_equal(c.request_prio.mode, PRIO_REALTIME);
	assert_int_equal(c.request_prio.nice, 10);
	assert_null(c.db_path);
	assert_null(c.media_dir);
}

static void test_settings_in_range(void **state)
{
	struct serve_config c;
	char err[200] = "";

	(void)state;
	serve_config_defaults(&c);
	assert_int_equal(serve_config_set(&c, "workers", "4", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 4);
	assert_int_equal(serve_config_set(&c, "idle-timeout", "5", err, sizeof(err)), 0);
	assert_int_equal(c.idle_timeout, 5);
	assert_int_equal(serve_config_set(&c, "cache-entries", "16", err, sizeof(err)), 0);
	assert_int_equal(c.cache_entries, 16);
	assert_int_equal(serve_config_set(&c, "cache-mb", "65536", err, sizeof(err)), 0);
	assert_int_equal(c.cache_bytes, (size_t)65536 << 20);
	assert_int_equal(serve_config_set(&c, "replay", "4", err, sizeof(err)), 0);
	assert_int_equal(c.stream_ring, 4);
	assert_int_equal(serve_config_set(&c, "connection-memory", "1048576", err, sizeof(err)), 0);
	assert_int_equal(c.connection_memory, 1048576);
	assert_int_equal(serve_config_set(&c, "listen", "[::1]:0", err, sizeof(err)), 0);
	assert_string_equal(c.listen, "[::1]:0");
	assert_int_equal(serve_config_set(&c, "request-priority", "0", err, sizeof(err)), 0);
	assert_int_equal(c.request_prio.mode, PRIO_NONE);
	assert_int_equal(serve_config_set(&c, "request-priority", "7", err, sizeof(err)), 0);
	assert_int_equal(c.request_prio.mode, PRIO_NICE);
	assert_int_equal(c.request_prio.nice, 7);
	assert_int_equal(serve_config_set(&c, "request-priority", "realtime", err, sizeof(err)), 0);
	assert_int_equal(c.request_prio.mode, PRIO_REALTIME);
	assert_int_equal(serve_config_set(&c, "trusted-proxy", "127.0.0.1,::1", err, sizeof(err)),
			 0);
	assert_int_equal(c.trusted_proxies.n, 2);
	assert_int_equal(serve_config_set(&c, "metrics-allow", "10.0.0.0/8", err, sizeof(err)), 0);
	assert_int_equal(serve_config_set(&c, "metrics-allow", "::1", err, sizeof(err)), 0);
	assert_int_equal(c.metrics_allow.n, 2);
	assert_int_equal(serve_config_set(&c, "metrics-listen", "127.0.0.1:9150", err,
					  sizeof(err)), 0);
	assert_string_equal(c.metrics_listen, "127.0.0.1:9150");
	/* Stored without its trailing slashes: links are this plus a path. */
	assert_int_equal(serve_config_set(&c, "public-base-url", "https://news.example/live//",
					  err, sizeof(err)), 0);
	assert_string_equal(c.public_base_url, "https://news.example/live");
	assert_int_equal(serve_config_set(&c, "public-base-url", "http://[::1]:8080", err,
					  sizeof(err)), 0);
	assert_string_equal(c.public_base_url, "http://[::1]:8080");
	assert_int_equal(serve_config_set(&c, "public-base-url", "", err, sizeof(err)), 0);
	assert_string_equal(c.public_base_url, "");
}

/* Out of range, not a number, or with trailing bytes: refused with the range,
 * and nothing changed. */
#define LISTEN_FORM(flag) flag " is HOST:PORT (an IPv6 address in brackets, a port of 0 to 65535)"

#define BASE_FORM "--public-base-url is http:// or https:// with a host, an optional port" \
		  " and path (no query, fragment or user), at most 255 characters"

static void test_settings_refused(void **state)
{
	static const struct {
		const char *name, *value, *err;
	} bad[] = {
		{ "workers", "0", "--workers is 1 to 64" },
		{ "workers", "65", "--workers is 1 to 64" },
		{ "workers", "4x", "--workers is 1 to 64" },
		{ "workers", "", "--workers is 1 to 64" },
		{ "connections", "15", "--connections is 16 to 1000000" },
		{ "connection-memory", "2047", "--connection-memory is 2048 to 1048576 bytes" },
		{ "heartbeat", "3601", "--heartbeat is 1 to 3600 seconds" },
		{ "replay", "3", "--replay is 4 to 100000 events" },
		{ "idle-timeout", "0", "--idle-timeout is 1 to 86400 seconds" },
		{ "cache-entries", "99999999999999999999", "--cache-entries is 16 to 10000000" },
		{ "cache-mb", "-1", "--cache-mb is 1 to 65536" },
		{ "request-priority", "20", "--request-priority is realtime or 0 to 19" },
		/* Checked when set, so that `config check` refuses them too. */
		{ "listen", "nonsense", LISTEN_FORM("--listen") },
		{ "listen", "::1:8080", LISTEN_FORM("--listen") },
		{ "listen", "[::1:8080", LISTEN_FORM("--listen") },
		{ "listen", "127.0.0.1:65536", LISTEN_FORM("--listen") },
		{ "listen", "127.0.0.1:", LISTEN_FORM("--listen") },
		{ "metrics-listen", "9150", LISTEN_FORM("--metrics-listen") },
		/* Every absolute link is the base plus a path: nothing else fits. */
		{ "public-base-url", "news.example", BASE_FORM },
		{ "public-base-url", "ftp://news.example", BASE_FORM },
		{ "public-base-url", "https://", BASE_FORM },
		{ "public-base-url", "https:///live", BASE_FORM },
		{ "public-base-url", "https://news.example/?q=1", BASE_FORM },
		{ "public-base-url", "https://news.example/#top", BASE_FORM },
		{ "public-base-url", "https://ann@news.example", BASE_FORM },
		{ "public-base-url", "https://news.example/a b", BASE_FORM },
		{ "public-base-url", "https://news.example/\"><script>", BASE_FORM },
	};
	struct serve_config c, before;
	char err[200];

	(void)state;
	serve_config_defaults(&c);
	before = c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(serve_config_set(&c, bad[i].name, bad[i].value, err, sizeof(err)),
				 -1);
		assert_string_equal(err, bad[i].err);
		assert_memory_equal(&c, &before, sizeof(c));
	}
	assert_int_equal(serve_config_set(&c, "trusted-proxy", "nowhere", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--trusted-proxy: "));
	assert_int_equal(serve_config_set(&c, "metrics-allow", "10.0.0.0/33", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "--metrics-allow: "));
	assert_int_equal(serve_config_set(&c, "media", "", err, sizeof(err)), -1);
	assert_string_equal(err, "--media needs a folder");
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(serve_config_set(&c, "no-such", "1", err, sizeof(err)), -2);
}

/* The media folder: --media first, then $LIVELINE_MEDIA, then the default of
 * the database's kind: beside a SQLite file, a cache folder of this user's for
 * PostgreSQL (made 0700 and named in the log). */
static void test_media_dir(void **state)
{
	struct serve_config c;
	char buf[4096], err[200] = "", cache[64], expect[4096];
	struct stat st;

	(void)state;
	unsetenv("LIVELINE_MEDIA");
	serve_config_defaults(&c);
	c.db_path = "data/live.db";
	assert_int_equal(serve_config_set(&c, "media", "/srv/images", err, sizeof(err)), 0);
	assert_int_equal(serve_config_media(&c, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(c.media_dir, "/srv/images");

	setenv("LIVELINE_MEDIA", "/srv/from-env", 1);
	c.media_dir = NULL;
	assert_int_equal(serve_config_media(&c, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(c.media_dir, "/srv/from-env");
	c.media_dir = "/srv/flag"; /* the flag wins over the environment */
	assert_int_equal(serve_config_media(&c, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(c.media_dir, "/srv/flag");
	unsetenv("LIVELINE_MEDIA");

	c.media_dir = NULL;
	assert_int_equal(serve_config_media(&c, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(c.media_dir, "data/live.db-media");

	snprintf(cache, sizeof(cache), "/tmp/liveline-test-serve-%d", (int)getpid());
	setenv("XDG_CACHE_HOME", cache, 1);
	c.media_dir = NULL;
	c.db_path = "postgresql:///liveline?host=/run/postgresql";
	assert_int_equal(serve_config_media(&c, buf, sizeof(buf), err, sizeof(err)), 0);
	snprintf(expect, sizeof(expect), "%s/liveline/media", cache);
	assert_string_equal(c.media_dir, expect);
	assert_int_equal(stat(expect, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(rmdir(expect), 0);
	snprintf(expect, sizeof(expect), "%s/liveline", cache);
	assert_int_equal(rmdir(expect), 0);
	assert_int_equal(rmdir(cache), 0);
	unsetenv("XDG_CACHE_HOME");
}

/* 100 ms, doubling with each death in a row up to 30 s, and 100 ms again
 * after a worker that had served for a while. */
static void test_restart_backoff(void **state)
{
	unsigned b = 100, delay = 0;
	unsigned expect[] = { 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000 };

	(void)state;
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		b = serve_backoff(b, 0, &delay);
		assert_int_equal(delay, expect[i]);
	}
	assert_int_equal(b, 30000);
	b = serve_backoff(b, 1, &delay);
	assert_int_equal(delay, 100);
	assert_int_equal(b, 200);
}

/* The logs' settings: a file, a format, a level; anything else refused with
 * the flag's name, the configuration unchanged. */
static void test_log_settings(void **state)
{
	struct serve_config c;
	char err[200];

	(void)state;
	serve_config_defaults(&c);
	assert_null(c.access_log);
	assert_int_equal(c.access_log_format, HTTP_LOG_COMBINED);
	assert_int_equal(c.log_level, LOG_LEVEL_INFO);
	assert_int_equal(serve_config_set(&c, "access-log", "/var/log/liveline/access.log", err,
					  sizeof(err)), 0);
	assert_string_equal(c.access_log, "/var/log/liveline/access.log");
	assert_int_equal(serve_config_set(&c, "access-log-format", "json", err, sizeof(err)), 0);
	assert_int_equal(c.access_log_format, HTTP_LOG_JSON);
	assert_int_equal(serve_config_set(&c, "access-log-format", "combined", err, sizeof(err)), 0);
	assert_int_equal(c.access_log_format, HTTP_LOG_COMBINED);
	assert_int_equal(serve_config_set(&c, "log-level", "debug", err, sizeof(err)), 0);
	assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(serve_config_set(&c, "log-level", "error", err, sizeof(err)), 0);
	assert_int_equal(c.log_level, LOG_LEVEL_ERROR);

	assert_int_equal(serve_config_set(&c, "access-log", "-", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not -"));
	assert_int_equal(serve_config_set(&c, "access-log-format", "common", err, sizeof(err)), -1);
	assert_string_equal(err, "--access-log-format is combined or json");
	assert_int_equal(serve_config_set(&c, "log-level", "warning", err, sizeof(err)), -1);
	assert_string_equal(err, "--log-level is error, warn, info or debug");
	assert_string_equal(c.access_log, "/var/log/liveline/access.log");
	assert_int_equal(c.access_log_format, HTTP_LOG_COMBINED);
	assert_int_equal(c.log_level, LOG_LEVEL_ERROR);
	/* Empty (a configuration file's `access-log =`, as config check prints
	 * it): no access log. */
	assert_int_equal(serve_config_set(&c, "access-log", "", err, sizeof(err)), 0);
	assert_null(c.access_log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_settings_in_range),
		cmocka_unit_test(test_settings_refused),
		cmocka_unit_test(test_media_dir),
		cmocka_unit_test(test_restart_backoff),
		cmocka_unit_test(test_log_settings),
	};

	return cmocka_run_group_tests_name("serve", tests, NULL, NULL);
}
