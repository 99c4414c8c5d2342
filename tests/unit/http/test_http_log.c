/*
 * Unit tests for the access log (http_log.c): each format's line byte for
 * byte, the escaping that keeps a hostile client to one field of one line,
 * and the buffer: nothing written until a flush, whole lines with O_APPEND
 * from two writers, a failed write said once and its lines dropped, and a
 * reopen that moves on to a new file after logrotate moved the old one.
 */
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "http/http_log.h"

/* 2026-12-07 22:41:07 UTC, logged in UTC (TZ is set in main). */
#define WHEN ((time_t)1796683267)

static struct http_log_entry entry(void)
{
	struct http_log_entry e = {
		.addr = "203.0.113.7", .when = WHEN, .method = "GET", .target = "/live/x?a=1",
		.protocol = "HTTP/1.1", .status = 200, .bytes = 868,
		.referer = "https://example.com/", .user_agent = "curl/8.0",
		.duration_us = 2345,
	};
	return e;
}

static char *format(enum http_log_format fmt, const struct http_log_entry *e)
{
	static char out[70000];
	struct buf b;

	buf_init(&b, 65536);
	http_log_format(&b, fmt, e);
	assert_int_equal(b.err, 0);
	snprintf(out, sizeof(out), "%s", b.data);
	buf_cleanup(&b);
	return out;
}

static void test_combined(void **state)
{
	struct http_log_entry e = entry();

	(void)state;
	assert_string_equal(format(HTTP_LOG_COMBINED, &e),
			    "203.0.113.7 - - [07/Dec/2026:22:41:07 +0000] \"GET /live/x?a=1 "
			    "HTTP/1.1\" 200 868 \"https://example.com/\" \"curl/8.0\" 0.002 -\n");
	/* A stream: its seconds and its events; none of the client's fields. */
	e.stream = 1;
	e.events = 7;
	e.duration_us = 61234567;
	e.referer = e.user_agent = NULL;
	assert_string_equal(format(HTTP_LOG_COMBINED, &e),
			    "203.0.113.7 - - [07/Dec/2026:22:41:07 +0000] \"GET /live/x?a=1 "
			    "HTTP/1.1\" 200 868 \"-\" \"-\" 61.234 7\n");
	/* No request line read, no answer queued. */
	e = entry();
	e.method = NULL;
	e.status = 0;
	e.bytes = 0;
	assert_string_equal(format(HTTP_LOG_COMBINED, &e),
			    "203.0.113.7 - - [07/Dec/2026:22:41:07 +0000] \"-\" 0 0 "
			    "\"https://example.com/\" \"curl/8.0\" 0.002 -\n");
}

/* Every byte a client controls that could end the line or the field, or is
 * not ASCII, is \xHH: one line, the same number of fields. */
static void test_combined_escapes(void **state)
{
	struct http_log_entry e = entry();

	(void)state;
	e.target = "/x\"\\\n\r\x01\x7f\xc3\xa9 y";
	e.user_agent = "ua\" 200 0 \"-\" \"-\" 0.000 -\nforged - - [x]";
	e.referer = "";
	assert_string_equal(format(HTTP_LOG_COMBINED, &e),
			    "203.0.113.7 - - [07/Dec/2026:22:41:07 +0000] \"GET "
			    "/x\\x22\\x5C\\x0A\\x0D\\x01\\x7F\\xC3\\xA9 y HTTP/1.1\" 200 868 \"-\" "
			    "\"ua\\x22 200 0 \\x22-\\x22 \\x22-\\x22 0.000 -\\x0Aforged - - [x]\" "
			    "0.002 -\n");
}

/* A field is cut at HTTP_LOG_FIELD_MAX bytes, which "..." says. */
static void test_long_field_is_cut(void **state)
{
	struct http_log_entry e = entry();
	char *target = malloc(HTTP_LOG_FIELD_MAX + 100), *line, *q;

	(void)state;
	assert_non_null(target);
	target[0] = '/';
	memset(target + 1, 'a', HTTP_LOG_FIELD_MAX + 98);
	target[HTTP_LOG_FIELD_MAX + 99] = '\0';
	e.target = target;
	line = format(HTTP_LOG_COMBINED, &e);
	q = strstr(line, "\"GET /");
	assert_non_null(q);
	assert_int_equal(strspn(q + 6, "a"), HTTP_LOG_FIELD_MAX - 1);
	assert_memory_equal(q + 5 + HTTP_LOG_FIELD_MAX, "... HTTP/1.1\"", 13);
	free(target);
}

static void test_json(void **state)
{
	struct http_log_entry e = entry();
	json_error_t jerr;
	json_t *j;
	char *line;

	(void)state;
	line = format(HTTP_LOG_JSON, &e);
	assert_string_equal(line,
			    "{\"time\":\"2026-12-07T22:41:07Z\",\"addr\":\"203.0.113.7\","
			    "\"method\":\"GET\",\"target\":\"/live/x?a=1\",\"protocol\":\"HTTP/1.1\","
			    "\"status\":200,\"bytes\":868,\"referer\":\"https://example.com/\","
			    "\"user_agent\":\"curl/8.0\",\"duration\":0.002,\"stream\":false,"
			    "\"events\":null}\n");
	/* Quotes, backslashes, control bytes: jansson's escapes, and the value
	 * comes back as sent; bytes that are not UTF-8: the \xHH form. */
	e.target = "/x\"\\\n\x01 \xc3\xa9";
	e.user_agent = "bad \xff\xfe utf-8 \"";
	e.referer = NULL;
	e.stream = 1;
	e.events = 3;
	line = format(HTTP_LOG_JSON, &e);
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1); /* one line */
	j = json_loads(line, 0, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "target")), e.target);
	assert_string_equal(json_string_value(json_object_get(j, "user_agent")),
			    "bad \\xFF\\xFE utf-8 \\x22");
	assert_true(json_is_null(json_object_get(j, "referer")));
	assert_true(json_is_true(json_object_get(j, "stream")));
	assert_int_equal(json_integer_value(json_object_get(j, "events")), 3);
	json_decref(j);
}

static char *slurp(const char *path, size_t *len)
{
	static char data[8 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*len = 0;
	if (fd < 0)
		return data;
	while ((n = read(fd, data + *len, sizeof(data) - 1 - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	data[*len] = '\0';
	return data;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Lines wait in memory until a flush (or HTTP_LOG_FLUSH_BYTES); two logs on
 * one file (two workers) leave whole lines, none lost. */
static void test_buffered_whole_lines(void **state)
{
	char dir[] = "/tmp/liveline-http-log-XXXXXX", path[128], err[256];
	struct http_log_entry e = entry();
	struct http_log *a, *b;
	const char *data;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/access.log", dir);
	a = http_log_open(path, HTTP_LOG_COMBINED, err, sizeof(err));
	b = http_log_open(path, HTTP_LOG_COMBINED, err, sizeof(err));
	assert_non_null(a);
	assert_non_null(b);
	for (int i = 0; i < 100; i++) {
		e.user_agent = i % 2 ? "writer-a" : "writer-a-too";
		http_log_add(a, &e);
		e.user_agent = "writer-b";
		http_log_add(b, &e);
	}
	assert_int_equal(http_log_flush_full(a), 0); /* under the size: not yet */
	data = slurp(path, &len);
	assert_int_equal(len, 0);
	assert_int_equal(http_log_flush(b), 0);
	assert_int_equal(http_log_flush(a), 0);
	data = slurp(path, &len);
	assert_int_equal(count_lines(data), 200);
	/* Each log's lines went in one write: b's 100, then a's 100. */
	{
		const char *p = data;

		for (int i = 0; i < 200; i++) {
			const char *nl = strchr(p, '\n');
			int is_b = strstr(p, "\"writer-b\"") && strstr(p, "\"writer-b\"") < nl;

			assert_int_equal(is_b, i < 100);
			p = nl + 1;
		}
	}
	/* Past the flush size the worker's check writes. */
	{
		size_t before = len, waiting = 0;

		while (waiting < HTTP_LOG_FLUSH_BYTES) {
			http_log_add(a, &e);
			waiting += strlen(format(HTTP_LOG_COMBINED, &e));
		}
		assert_int_equal(http_log_flush_full(a), 0);
		data = slurp(path, &len);
		assert_int_equal(len, before + waiting);
	}
	http_log_free(a);
	http_log_free(b);
	unlink(path);
	rmdir(dir);
}

/* A file that cannot be written (a full disk: /dev/full): the flush fails,
 * its lines are dropped, not kept for ever, and the next flush has only the
 * new ones to write. */
static void test_failed_write_drops_lines(void **state)
{
	char err[256];
	struct http_log_entry e = entry();
	struct http_log *log;

	char errpath[] = "/tmp/liveline-http-log-stderr-XXXXXX";
	int errfd = mkstemp(errpath), saved = dup(2);
	const char *said;
	size_t len;

	(void)state;
	assert_true(errfd >= 0 && saved >= 0);
	log = http_log_open("/dev/full", HTTP_LOG_JSON, err, sizeof(err));
	assert_non_null(log);
	fflush(stderr);
	dup2(errfd, 2); /* the diagnostic log, to count its lines */
	http_log_add(log, &e);
	assert_int_equal(http_log_flush(log), -1);
	assert_int_equal(http_log_flush(log), 0); /* nothing left to write */
	http_log_add(log, &e);
	assert_int_equal(http_log_flush(log), -1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(errfd);
	said = slurp(errpath, &len);
	/* Said once, not at every flush that fails. */
	assert_int_equal(count_lines(said), 1);
	assert_non_null(strstr(said, "warn: access log: cannot write /dev/full"));
	unlink(errpath);
	http_log_free(log);
	assert_null(http_log_open("/nonexistent-folder/access.log", HTTP_LOG_JSON, err,
				  sizeof(err)));
	assert_non_null(strstr(err, "cannot open the access log /nonexistent-folder/access.log"));
}

/* logrotate moves the file; a reopen writes what waited to the moved file,
 * then goes on in a new one at the path. */
static void test_reopen(void **state)
{
	char dir[] = "/tmp/liveline-http-log-XXXXXX", path[128], moved[160], err[256];
	struct http_log_entry e = entry();
	struct http_log *log;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/access.log", dir);
	snprintf(moved, sizeof(moved), "%s.1", path);
	log = http_log_open(path, HTTP_LOG_COMBINED, err, sizeof(err));
	assert_non_null(log);
	http_log_add(log, &e);
	assert_int_equal(http_log_flush(log), 0);
	assert_int_equal(rename(path, moved), 0);
	http_log_add(log, &e);
	assert_int_equal(http_log_reopen(log), 0);
	http_log_add(log, &e);
	http_log_add(log, &e);
	http_log_add(log, &e);
	http_log_free(log); /* writes what waits */
	assert_int_equal(count_lines(slurp(moved, &len)), 2);
	assert_int_equal(count_lines(slurp(path, &len)), 3);
	unlink(path);
	unlink(moved);
	rmdir(dir);
}

/* A burst of lines on one thread, more than the cap before any flush (a
 * stop ending thousands of streams): written as it comes, none dropped. */
static void test_burst_is_written_not_dropped(void **state)
{
	char dir[] = "/tmp/liveline-http-log-XXXXXX", path[128], err[256];
	struct http_log_entry e = entry();
	struct http_log *log;
	size_t line = strlen(format(HTTP_LOG_COMBINED, &e)), n = 0, len;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/access.log", dir);
	log = http_log_open(path, HTTP_LOG_COMBINED, err, sizeof(err));
	assert_non_null(log);
	while (n * line < HTTP_LOG_MAX_BYTES + HTTP_LOG_MAX_BYTES / 4) {
		http_log_add(log, &e);
		n++;
	}
	/* Written before the end, a write per HTTP_LOG_WRITE_BYTES or so. */
	assert_int_equal(stat(path, &st), 0);
	assert_true((size_t)st.st_size >= n * line - HTTP_LOG_WRITE_BYTES);
	http_log_free(log);
	(void)slurp(path, &len);
	assert_int_equal(len, n * line);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combined),
		cmocka_unit_test(test_combined_escapes),
		cmocka_unit_test(test_long_field_is_cut),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_buffered_whole_lines),
		cmocka_unit_test(test_failed_write_drops_lines),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_burst_is_written_not_dropped),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("http_log", tests, NULL, NULL);
}
