/*
 * Fuzz target: the reader routes' request path and query parsing
 * (src/http/http_reader.c) and the media URLs (src/media/media.c). The input is
 * a request target: the part after "/live/" goes to http_live_parse(), each
 * query value to http_parse_id() (?page=, ?since=), the path to the media
 * name checks, and the route /metrics counts it under (http_metrics.c).
 * Checked: an accepted slug is valid and is the path's first segment; an
 * accepted id is exactly a positive decimal without leading zeros that fits
 * in 18 digits, with its value; the route is one of the bounded set.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/http_internal.h"
#include "http/http_metrics.h"
#include "media/media.h"

/* What http_parse_id must accept, said another way: 1 to 18 digits, no leading 0. */
static int fuzz_id_ok(const char *s, size_t len, int64_t *v)
{
	*v = 0;
	if (len == 0 || len > 18 || s[0] == '0')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

static void fuzz_id(const char *s, size_t len)
{
	int64_t got = -7, want;
	int ok = fuzz_id_ok(s, len, &want);
	int rc = http_parse_id(s, len, &got);

	FUZZ_CHECK((rc == 0) == ok, "http_parse_id(\"%.*s\") gave %d", (int)len, s, rc);
	FUZZ_CHECK(!ok || got == want, "http_parse_id: %lld, not %lld", (long long)got,
		   (long long)want);
}

static void fuzz_live(const char *rest)
{
	enum http_live_what what = HTTP_LIVE_PAGE;
	int64_t post_id = 0;
	char slug[96];
	size_t len;

	if (http_live_parse(rest, slug, sizeof(slug), &what, &post_id) < 0)
		return;
	len = strlen(slug);
	FUZZ_CHECK(model_slug_valid(slug), "an invalid slug was accepted");
	FUZZ_CHECK(strncmp(rest, slug, len) == 0, "the slug is not the path's first segment");
	FUZZ_CHECK(rest[len] == '\0' || rest[len] == '/' || rest[len] == '.',
		   "the slug does not end the segment");
	FUZZ_CHECK(what != HTTP_LIVE_POST || post_id > 0, "a post without an id");
	FUZZ_CHECK(what != HTTP_LIVE_PAGE || rest[len] == '\0', "a page with a tail");
}

static void fuzz_media(const char *path)
{
	int widths[MEDIA_N_WIDTHS];
	char url[512];
	int n;

	if (strncmp(path, "/media/", 7) == 0 && media_file_valid(path + 7))
		FUZZ_CHECK(media_content_type(path + 7) != NULL, "a valid name without a type");
	n = media_srcset_widths(path, widths);
	FUZZ_CHECK(n >= 0 && n <= MEDIA_N_WIDTHS, "%d widths", n);
	for (int i = 0; i < n; i++)
		if (media_url_for_width(path, widths[i], url, sizeof(url)) == 0)
			FUZZ_CHECK(strlen(url) < sizeof(url), "an unterminated URL");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *target = malloc(size + 1), *query, *p;

	if (!target)
		return 0;
	memcpy(target, data, size);
	target[size] = '\0'; /* libmicrohttpd hands the path on as a C string */
	fuzz_id(target, strlen(target));
	(void)http_segment_id(target);
	query = strchr(target, '?');
	if (query)
		*query++ = '\0';
	if (strncmp(target, "/live/", 6) == 0)
		fuzz_live(target + 6);
	else
		fuzz_live(target);
	fuzz_media(target);
	FUZZ_CHECK(http_metrics_route_of(target) < STATS_ROUTES, "a route out of the set");
	/* The query's values: name=value pairs separated by '&'. */
	for (p = query; p && *p;) {
		char *amp = strchr(p, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(p, '=');
		if (eq)
			fuzz_id(eq + 1, strlen(eq + 1));
		p = amp ? amp + 1 : NULL;
	}
	free(target);
	return 0;
}
