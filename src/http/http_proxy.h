/*
 * Who the client is when Liveline runs behind a reverse proxy: the addresses
 * of trusted proxies (`serve --trusted-proxy`), and the client's address and
 * scheme taken from X-Forwarded-For / X-Forwarded-Proto or Forwarded (RFC
 * 7239) only when the connection comes from one of them. A request from any
 * other peer is its own client, whatever headers it sends.
 *
 * Pure functions over a socket address and header values, so that the rules
 * are tested without a server (tests/unit/http/test_http_proxy.c).
 */
#ifndef LIVELINE_HTTP_PROXY_H
#define LIVELINE_HTTP_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

#define HTTP_PROXY_MAX 32     /* trusted networks */
#define HTTP_ADDR_MAX  48     /* an address as text, NUL included (INET6_ADDRSTRLEN) */

struct http_proxy_net {
	int family;               /* AF_INET or AF_INET6 */
	unsigned char addr[16];   /* network byte order; 4 bytes used for AF_INET */
	unsigned prefix;          /* bits that must match */
};

struct http_proxies {
	struct http_proxy_net nets[HTTP_PROXY_MAX];
	size_t n;
};

/* The client of a request, as far as we can tell. */
struct http_client {
	char addr[HTTP_ADDR_MAX]; /* "203.0.113.7", "2001:db8::1", or "?" */
	int https;                /* 1 when the client reached us (the proxy) over TLS */
};

/* Adds the networks in `spec`: comma-separated ADDR or ADDR/PREFIX, IPv4 or
 * IPv6 ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"). Returns 0, or -1 with
 * a reason in err (a malformed item, a prefix too long, more than
 * HTTP_PROXY_MAX networks); `p` then holds the items before the bad one. */
int http_proxies_add(struct http_proxies *p, const char *spec, char *err, size_t errlen);

/* 1 if `addr` (text, as in a forwarding header; IPv4-mapped IPv6 counts as
 * IPv4) lies in one of the trusted networks. */
int http_proxies_trust(const struct http_proxies *p, const char *addr);

/* The client of a request whose TCP peer is `peer` (NULL: unknown) with the
 * given header values (each NULL when absent). When the peer is trusted, the
 * client is the right-most address of X-Forwarded-For (or, without it, of the
 * for= parameters of Forwarded) that is not itself a trusted proxy, and the
 * scheme is the last value of X-Forwarded-Proto (or the proto= of the last
 * Forwarded element that has one). A chain that names no usable address
 * leaves the client at the nearest proxy. An untrusted peer is the client,
 * over plain http. */
void http_client_resolve(const struct http_proxies *p, const struct sockaddr *peer,
			 const char *xff, const char *xfp, const char *forwarded,
			 struct http_client *out);

#endif
