/*
 * /metrics, /readyz and the request counts: the HTTP face of util/stats.h.
 *
 * /metrics renders every worker's slot of the shared counters in the
 * Prometheus text format (0.0.4), summed where the figure is the server's and
 * labelled `worker` where it is a worker's; it answers only peers in the
 * allowed networks (serve's --metrics-allow; loopback by default), judged by
 * the TCP peer, never a forwarding header. /readyz answers from the worker's
 * own readiness check (made on its timer, so that probes never reach the
 * database). The rendering is a pure function of a region, so that the format
 * is tested without a server (tests/unit/http/test_http_metrics.c).
 */
#ifndef LIVELINE_HTTP_METRICS_H
#define LIVELINE_HTTP_METRICS_H

#include "util/buf.h"
#include "util/stats.h"

#define HTTP_METRICS_MAX ((size_t)8 * 1024 * 1024) /* the largest answer, bytes */
/* The networks /metrics answers when --metrics-allow names none. */
#define HTTP_METRICS_DEFAULT_ALLOW "127.0.0.0/8,::1"
/* The metrics listener (--metrics-listen): connections per worker, and the
 * seconds an idle one is kept. */
#define HTTP_METRICS_CONNECTIONS 64
#define HTTP_METRICS_IDLE_S 10

/* Appends `v` as the value of a label, quoted, with backslash, double quote
 * and newline escaped as the format asks. */
void http_metrics_label(struct buf *b, const char *v);
/* Appends the whole exposition of region `r` (every slot up to r->slots) to
 * `b`. The caller checks b->err. */
void http_metrics_render(struct buf *b, const struct stats_region *r);
/* The route a request is counted under: a name from the router's table,
 * never the path itself, so that no path adds a series. */
enum stats_route http_metrics_route_of(const char *path);
/* The label of a route ("page", "events", ...). */
const char *http_metrics_route_name(enum stats_route route);
/* /readyz's one-line reason for `why` (STATS_READY: "ready"). */
const char *http_metrics_unready_reason(enum stats_unready why);

#endif
