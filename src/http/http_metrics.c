/*
 * /metrics and /readyz, and the routes requests are counted by: see
 * http_metrics.h. The exposition follows the Prometheus text format 0.0.4:
 * one HELP and one TYPE line per family, then its samples; counters end in
 * _total, units are in the names (seconds), label values are escaped.
 */
#include "http/http_metrics.h"

#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_internal.h"
#include "http/http_framing.h"

static const char *const http_metrics_routes[STATS_ROUTES] = {
	[STATS_ROUTE_INDEX] = "index",     [STATS_ROUTE_PAGE] = "page",
	[STATS_ROUTE_POST] = "post",       [STATS_ROUTE_EVENTS] = "events",
	[STATS_ROUTE_CHANGES] = "changes", [STATS_ROUTE_TEXT] = "text",
	[STATS_ROUTE_FEED] = "feed",       [STATS_ROUTE_STATIC] = "static",
	[STATS_ROUTE_MEDIA] = "media",     [STATS_ROUTE_HEALTHZ] = "healthz",
	[STATS_ROUTE_READYZ] = "readyz",   [STATS_ROUTE_METRICS] = "metrics",
	[STATS_ROUTE_API] = "api",         [STATS_ROUTE_NEWSROOM] = "newsroom",
	[STATS_ROUTE_SEARCH] = "search",   [STATS_ROUTE_OTHER] = "other",
};

const char *http_metrics_route_name(enum stats_route route)
{
	return route < STATS_ROUTES ? http_metrics_routes[route] : "other";
}

enum stats_route http_metrics_route_of(const char *path)
{
	enum http_live_what what;
	char slug[96];
	int64_t post_id;

	if (!path)
		return STATS_ROUTE_OTHER;
	if (strcmp(path, "/") == 0)
		return STATS_ROUTE_INDEX;
	if (strncmp(path, "/live/", 6) == 0) {
		/* The router's own parse: an address it would not serve is "other". */
		if (http_live_parse(path + 6, slug, sizeof(slug), &what, &post_id) < 0)
			return STATS_ROUTE_OTHER;
		switch (what) {
		case HTTP_LIVE_PAGE:
		case HTTP_LIVE_EMBED: return STATS_ROUTE_PAGE;
		case HTTP_LIVE_POST: return STATS_ROUTE_POST;
		case HTTP_LIVE_EVENTS: return STATS_ROUTE_EVENTS;
		case HTTP_LIVE_CHANGES: return STATS_ROUTE_CHANGES;
		case HTTP_LIVE_TEXT: return STATS_ROUTE_TEXT;
		case HTTP_LIVE_FEED_ATOM:
		case HTTP_LIVE_FEED_RSS:
		case HTTP_LIVE_FEED_JSON: return STATS_ROUTE_FEED;
		case HTTP_LIVE_SEARCH: return STATS_ROUTE_SEARCH;
		}
		return STATS_ROUTE_OTHER;
	}
	if (strncmp(path, "/static/", 8) == 0)
		return STATS_ROUTE_STATIC;
	if (strncmp(path, "/media/", 7) == 0)
		return STATS_ROUTE_MEDIA;
	if (strcmp(path, "/healthz") == 0)
		return STATS_ROUTE_HEALTHZ;
	if (strcmp(path, "/readyz") == 0)
		return STATS_ROUTE_READYZ;
	if (strcmp(path, "/metrics") == 0)
		return STATS_ROUTE_METRICS;
	if (strncmp(path, "/api/", 5) == 0)
		return STATS_ROUTE_API;
	if (strcmp(path, "/newsroom") == 0 || strncmp(path, "/newsroom/", 10) == 0)
		return STATS_ROUTE_NEWSROOM;
	return STATS_ROUTE_OTHER;
}

const char *http_metrics_unready_reason(enum stats_unready why)
{
	switch (why) {
	case STATS_READY: return "ready";
	case STATS_UNREADY_UNCHECKED: return "not ready: no recent readiness check (starting, or busy)";
	case STATS_UNREADY_STORE: return "not ready: the database cannot be reached";
	case STATS_UNREADY_MOVED: return "not ready: the database file is not the one open";
	case STATS_UNREADY_LAG: return "not ready: behind the change log";
	}
	return "not ready";
}

void http_metrics_label(struct buf *b, const char *v)
{
	buf_putc(b, '"');
	for (; v && *v; v++) {
		if (*v == '\\')
			buf_puts(b, "\\\\");
		else if (*v == '"')
			buf_puts(b, "\\\"");
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *v);
	}
	buf_putc(b, '"');
}

static void http_metrics_head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one unlabelled sample. */
static void http_metrics_one(struct buf *b, const char *name, const char *type, const char *help,
			     long long v)
{
	http_metrics_head(b, name, type, help);
	buf_printf(b, "%s %lld\n", name, v);
}

static unsigned long long http_metrics_sum(const struct stats_region *r, unsigned n,
					   enum stats_counter c)
{
	unsigned long long v = 0;

	for (unsigned i = 0; i < n; i++)
		v += atomic_load_explicit(&r->slot[i].counter[c], memory_order_relaxed);
	return v;
}

static long long http_metrics_gauge(const struct stats_region *r, unsigned n, enum stats_gauge g)
{
	long long v = 0;

	for (unsigned i = 0; i < n; i++)
		v += atomic_load_explicit(&r->slot[i].gauge[g], memory_order_relaxed);
	return v;
}

/* A page's open streams, gathered from every worker's rows. */
struct http_metrics_page {
	char slug[STATS_SLUG_MAX];
	long long streams;
};

static int http_metrics_page_cmp(const void *a, const void *b)
{
	return strcmp(((const struct http_metrics_page *)a)->slug,
		      ((const struct http_metrics_page *)b)->slug);
}

/* liveline_page_streams_open: each worker's rows with open streams, summed by
 * page (sorted, then merged: a page appears in many workers' rows). */
static void http_metrics_pages(struct buf *b, const struct stats_region *r, unsigned n)
{
	struct http_metrics_page *all;
	size_t k = 0;
	long long other = 0;

	http_metrics_head(b, "liveline_page_streams_open", "gauge",
			  "Open streams per page (pages with open streams; past 256 pages "
			  "per worker, page=\"other\").");
	all = calloc((size_t)n * STATS_PAGES, sizeof(*all));
	if (!all) {
		b->err = BUF_ENOMEM;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct stats_slot *sl = &r->slot[i];
		unsigned rows = atomic_load(&sl->n_pages);

		other += atomic_load(&sl->other_streams);
		for (unsigned p = 0; p < rows && p < STATS_PAGES; p++) {
			long long v;

			if (!atomic_load_explicit(&sl->pages[p].used, memory_order_acquire))
				continue;
			v = atomic_load(&sl->pages[p].streams);
			if (v <= 0)
				continue;
			memcpy(all[k].slug, sl->pages[p].slug, STATS_SLUG_MAX);
			all[k].slug[STATS_SLUG_MAX - 1] = '\0';
			all[k++].streams = v;
		}
	}
	qsort(all, k, sizeof(*all), http_metrics_page_cmp);
	for (size_t i = 0; i < k;) {
		long long v = 0;
		size_t j = i;

		for (; j < k && strcmp(all[j].slug, all[i].slug) == 0; j++)
			v += all[j].streams;
		buf_puts(b, "liveline_page_streams_open{page=");
		http_metrics_label(b, all[i].slug);
		buf_printf(b, "} %lld\n", v);
		i = j;
	}
	if (other > 0)
		buf_printf(b, "liveline_page_streams_open{page=\"other\"} %lld\n", other);
	free(all);
}

static void http_metrics_requests(struct buf *b, const struct stats_region *r, unsigned n)
{
	http_metrics_head(b, "liveline_requests_total", "counter",
			  "Requests answered, by route (the router's names) and status.");
	for (unsigned rt = 0; rt < STATS_ROUTES; rt++) {
		for (unsigned st = 0; st < STATS_STATUSES; st++) {
			unsigned long long v = 0;
			unsigned code = stats_status_code(st);

			for (unsigned i = 0; i < n; i++)
				v += atomic_load_explicit(&r->slot[i].requests[rt][st],
							  memory_order_relaxed);
			if (!v)
				continue;
			buf_printf(b, "liveline_requests_total{route=\"%s\",status=",
				   http_metrics_route_name((enum stats_route)rt));
			if (code)
				buf_printf(b, "\"%u\"} %llu\n", code, v);
			else
				buf_printf(b, "\"other\"} %llu\n", v);
		}
	}
}

static void http_metrics_histogram(struct buf *b, const struct stats_region *r, unsigned n)
{
	unsigned long long cum = 0, sum_us = 0;
	const char *name = "liveline_publish_to_send_seconds";

	http_metrics_head(b, name, "histogram",
			  "From the commit of a change on this node to a worker handing it "
			  "to its streams.");
	for (unsigned k = 0; k <= STATS_BUCKETS; k++) {
		for (unsigned i = 0; i < n; i++)
			cum += atomic_load_explicit(&r->slot[i].hist[k], memory_order_relaxed);
		if (k < STATS_BUCKETS)
			buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name, stats_bucket_le[k], cum);
		else
			buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
	}
	for (unsigned i = 0; i < n; i++)
		sum_us += atomic_load_explicit(&r->slot[i].hist_sum_us, memory_order_relaxed);
	buf_printf(b, "%s_sum %.6f\n%s_count %llu\n", name, (double)sum_us / 1e6, name, cum);
}

/* A family with one sample per worker (label worker="N"). */
static void http_metrics_per_worker(struct buf *b, const struct stats_region *r, unsigned n,
				    const char *name, const char *help, enum stats_gauge g)
{
	http_metrics_head(b, name, "gauge", help);
	for (unsigned i = 0; i < n; i++)
		buf_printf(b, "%s{worker=\"%u\"} %lld\n", name, i,
			   (long long)atomic_load_explicit(&r->slot[i].gauge[g],
							   memory_order_relaxed));
}

/* The counters that are one sum over the workers. */
static const struct {
	const char *name, *help;
	enum stats_counter counter;
} http_metrics_counters[] = {
	{ "liveline_events_sent_total", "Events written whole to stream readers.",
	  STATS_EVENTS_SENT },
	{ "liveline_readers_dropped_total",
	  "Stream readers disconnected for falling further behind than the replay ring "
	  "(--replay).", STATS_READERS_DROPPED },
	{ "liveline_page_cache_hits_total",
	  "Lookups of a request in the page cache that found a response.", STATS_CACHE_HITS },
	{ "liveline_page_cache_misses_total", "Lookups of a request in the page cache that found none.",
	  STATS_CACHE_MISSES },
	{ "liveline_store_errors_total", "Failures reported by the database (or its connection).",
	  STATS_STORE_ERRORS },
	{ "liveline_scheduled_posts_published_total",
	  "Scheduled posts published by the workers' scheduler.", STATS_SCHEDULED_PUBLISHED },
};

void http_metrics_render(struct buf *b, const struct stats_region *r)
{
	unsigned n = atomic_load(&r->slots);

	if (n > STATS_SLOTS)
		n = STATS_SLOTS;
	http_metrics_one(b, "liveline_start_time_seconds", "gauge",
			 "When the master process started, in seconds since the Unix epoch.",
			 (long long)atomic_load(&r->start_s));
	unsigned running = 0;

	for (unsigned i = 0; i < n; i++)
		running += atomic_load(&r->slot[i].pid) != 0;
	http_metrics_one(b, "liveline_workers", "gauge",
			 "Worker processes running (during a reload, the new and the old).",
			 (long long)running);
	http_metrics_one(b, "liveline_worker_restarts_total", "counter",
			 "Workers the master started again after one died.",
			 (long long)atomic_load(&r->restarts));
	http_metrics_head(b, "liveline_worker_pid", "gauge",
			  "Each worker's process id (0 while it is being restarted).");
	for (unsigned i = 0; i < n; i++)
		buf_printf(b, "liveline_worker_pid{worker=\"%u\"} %d\n", i,
			   atomic_load(&r->slot[i].pid));
	http_metrics_one(b, "liveline_connections_open", "gauge",
			 "Open connections, streams included (what --connections caps, per "
			 "worker).", http_metrics_gauge(r, n, STATS_CONNECTIONS));
	http_metrics_one(b, "liveline_streams_open", "gauge", "Open event and text streams.",
			 http_metrics_gauge(r, n, STATS_STREAMS));
	http_metrics_per_worker(b, r, n, "liveline_worker_streams_open",
				"Open streams of each worker.", STATS_STREAMS);
	http_metrics_pages(b, r, n);
	for (size_t i = 0; i < sizeof(http_metrics_counters) / sizeof(http_metrics_counters[0]);
	     i++) {
		http_metrics_head(b, http_metrics_counters[i].name, "counter",
				  http_metrics_counters[i].help);
		buf_printf(b, "%s %llu\n", http_metrics_counters[i].name,
			   http_metrics_sum(r, n, http_metrics_counters[i].counter));
	}
	http_metrics_requests(b, r, n);
	http_metrics_histogram(b, r, n);
	http_metrics_per_worker(b, r, n, "liveline_changelog_lag_entries",
				"Change-log entries each worker was behind the newest at its last "
				"check (once a second).", STATS_LAG);
}

/* 1 if the request's TCP peer (never a forwarding header: a proxy in front
 * must not open /metrics to everyone behind it) is in the allowed networks. */
static int http_metrics_allowed(struct http_request *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char host[HTTP_ADDR_MAX];
	socklen_t len;

	if (!ci || !ci->client_addr)
		return 0;
	len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						     : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
		return 0;
	return http_proxies_trust(&req->server->metrics_allow, host);
}

/* A short plain-text answer that takes over `text` (malloc'd; NULL: none). */
static enum MHD_Result http_metrics_text(struct http_request *req, unsigned status, char *text,
					 size_t len)
{
	struct MHD_Response *r;

	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, HTTP_CT_TEXT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return http_respond(req, status, r, HTTP_HEADERS_READER_PLAIN);
}

/* The exposition, to an allowed peer. On the listener of its own
 * (--metrics-listen) every peer is allowed unless --metrics-allow was given:
 * the address it listens on is then the control. */
static enum MHD_Result http_metrics_answer(struct http_request *req, int apart)
{
	const struct stats_region *r = stats_region();
	struct MHD_Response *resp;
	struct buf b;
	size_t len;
	char *text;

	if ((!apart || req->server->metrics_allow_given) && !http_metrics_allowed(req))
		return http_respond_error(req, MHD_HTTP_FORBIDDEN,
					  "Metrics are not served to this address.");
	buf_init(&b, HTTP_METRICS_MAX);
	if (r)
		http_metrics_render(&b, r);
	if (b.err) {
		buf_cleanup(&b);
		return http_respond_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "The metrics could not be rendered.");
	}
	text = buf_detach(&b, &len);
	resp = MHD_create_response_from_buffer(len, text ? text : "",
					       text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return http_respond(req, MHD_HTTP_OK, resp, HTTP_HEADERS_READER_PLAIN);
}

enum MHD_Result http_metrics_serve(struct http_request *req)
{
	/* With a listener of its own, /metrics is served only there. */
	if (req->server->metrics_daemon)
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
	return http_metrics_answer(req, 0);
}

static int http_metrics_first_call;

/* The access handler of the metrics listener: GET or HEAD /metrics, nothing
 * else; the same framing rules as the main listener's, and no body kept. Its
 * opening is http_access()'s (http_server.c): both are libmicrohttpd's
 * MHD_AccessHandlerCallback making a struct http_request. */
static enum MHD_Result http_metrics_access(void *cls, struct MHD_Connection *conn,
					   const char *url, const char *method,
					   const char *version, const char *upload_data,
					   size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_request req = {
		.server = s, .store = s->store, .conn = conn, .method = method, .path = url,
		.version = version, .con_cls = con_cls,
	};
	enum MHD_Result framing;

	(void)upload_data;
	if (http_check_framing(&req, upload_data_size, &framing))
		return framing;
	if (*con_cls == NULL) {
		*con_cls = &http_metrics_first_call;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* no body is wanted: dropped */
		return MHD_YES;
	}
	if (!http_is_read(method))
		return http_respond_error(&req, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "This address can only be read (GET or HEAD).");
	if (strcmp(url, "/metrics") != 0)
		return http_respond_error(&req, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
	return http_metrics_answer(&req, 1);
}

static void http_metrics_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap; /* a scraper's broken request is not worth a line */
}

int http_metrics_listen(struct http_server *s, int fd)
{
	s->metrics_daemon = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, http_metrics_access, s,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_METRICS_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_METRICS_IDLE_S,
		MHD_OPTION_EXTERNAL_LOGGER, http_metrics_log, NULL,
		MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
		MHD_OPTION_URI_LOG_CALLBACK, http_framing_uri, NULL,
		MHD_OPTION_END);
	return s->metrics_daemon ? 0 : -1;
}

enum MHD_Result http_readyz(struct http_request *req)
{
	int64_t lag = 0;
	enum stats_unready why = stats_ready_get(&lag);
	char line[160];
	int n;

	if (why == STATS_UNREADY_LAG)
		n = snprintf(line, sizeof(line), "%s (%lld changes behind)\n",
			     http_metrics_unready_reason(why), (long long)lag);
	else
		n = snprintf(line, sizeof(line), "%s\n", http_metrics_unready_reason(why));
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)strlen(line);
	return http_metrics_text(req, why == STATS_READY ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
				 strdup(line), (size_t)n);
}
