/*
 * Fuzz target: the access log's lines (src/http/http_log.c) of a request whose
 * target, User-Agent and Referer are the input's first three NUL-separated
 * parts. Checked, in the combined format: one line (its only '\n' is the
 * last byte), only printable ASCII, exactly six '"' (the three quoted fields),
 * and the request field read back (\xHH undone) is the target as sent, or its
 * first HTTP_LOG_FIELD_MAX bytes and "..."; in JSON: one line that parses,
 * whose target is the one sent when that is UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "http/http_log.h"
#include "util/utf8.h"

static int fuzz_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The bytes a logged field stands for: every \xHH undone (a backslash the
 * client sent is itself \x5C, so nothing else starts with one). Returns the
 * length written to out, or -1 for a backslash that is not \xHH. */
static long fuzz_unescape(const char *s, size_t n, char *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[k++] = s[i];
			continue;
		}
		if (i + 3 >= n)
			return -1;
		if (s[i + 1] != 'x' || fuzz_hex(s[i + 2]) < 0 || fuzz_hex(s[i + 3]) < 0)
			return -1;
		out[k++] = (char)(fuzz_hex(s[i + 2]) * 16 + fuzz_hex(s[i + 3]));
		i += 3;
	}
	return (long)k;
}

static void fuzz_combined(const struct http_log_entry *e)
{
	static char back[HTTP_LOG_FIELD_MAX + 16];
	const char *target = e->target, *line, *req, *end;
	size_t n, quotes = 0, want;
	struct buf b;
	long got;

	buf_init(&b, 1 << 20);
	http_log_format(&b, HTTP_LOG_COMBINED, e);
	FUZZ_CHECK(!b.err, "the line was not made (%d)", b.err);
	line = b.data;
	n = b.len;
	FUZZ_CHECK(n > 0 && line[n - 1] == '\n' && memchr(line, '\n', n) == line + n - 1,
		   "not one line: %s", line);
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)line[i];

		FUZZ_CHECK(c >= 0x20 && c < 0x7f, "byte 0x%02x at %zu: %s", c, i, line);
		quotes += c == '"';
	}
	FUZZ_CHECK(quotes == 6, "%zu quotes: %s", quotes, line);
	req = strstr(line, "\"GET ");
	FUZZ_CHECK(req != NULL, "no request: %s", line);
	req += 5;
	end = strstr(req, " HTTP/1.1\"");
	FUZZ_CHECK(end != NULL, "no protocol: %s", line);
	got = fuzz_unescape(req, (size_t)(end - req), back);
	FUZZ_CHECK(got >= 0, "a backslash that is not \\xHH: %s", line);
	want = strlen(target);
	if (want > HTTP_LOG_FIELD_MAX) {
		FUZZ_CHECK((size_t)got == HTTP_LOG_FIELD_MAX + 3 &&
				   memcmp(back, target, HTTP_LOG_FIELD_MAX) == 0 &&
				   memcmp(back + HTTP_LOG_FIELD_MAX, "...", 3) == 0,
			   "a long target not cut as said: %s", line);
	} else {
		FUZZ_CHECK((size_t)got == want && memcmp(back, target, want) == 0,
			   "the target does not read back: %s", line);
	}
	buf_cleanup(&b);
}

static void fuzz_json(const struct http_log_entry *e)
{
	json_error_t jerr;
	struct buf b;
	json_t *j;

	buf_init(&b, 1 << 20);
	http_log_format(&b, HTTP_LOG_JSON, e);
	FUZZ_CHECK(!b.err, "the JSON line was not made (%d)", b.err);
	FUZZ_CHECK(b.len > 0 && memchr(b.data, '\n', b.len) == b.data + b.len - 1,
		   "not one line: %s", b.data);
	j = json_loadb(b.data, b.len, 0, &jerr);
	FUZZ_CHECK(j != NULL, "not JSON (%s): %s", jerr.text, b.data);
	if (strlen(e->target) <= HTTP_LOG_FIELD_MAX && utf8_valid(e->target))
		FUZZ_CHECK(strcmp(json_string_value(json_object_get(j, "target")), e->target) == 0,
			   "the target does not read back: %s", b.data);
	json_decref(j);
	buf_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 3), *part[3];
	struct http_log_entry e = {
		.addr = "203.0.113.7", .when = 1796683267, .method = "GET",
		.protocol = "HTTP/1.1", .status = 200, .bytes = 1,
	};
	size_t k = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = copy[size + 2] = '\0';
	part[0] = copy;
	for (size_t i = 0; i < size && k < 2; i++)
		if (copy[i] == '\0')
			part[++k] = copy + i + 1;
	while (k < 2)
		part[++k] = copy + size + 1;
	e.target = part[0];
	e.user_agent = part[1];
	e.referer = part[2];
	fuzz_combined(&e);
	fuzz_json(&e);
	free(copy);
	return 0;
}
