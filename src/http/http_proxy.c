/*
 * Trusted proxies and the client behind them. See http_proxy.h.
 *
 * A forwarding header is a list that every proxy on the way appends to; only
 * the entries added by proxies we trust can be believed, and the client's own
 * entries (it can send any) sit to their left. So the list is read from the
 * right, skipping trusted proxies, and the first other address is the client.
 * Addresses are parsed with inet_pton and written back with inet_ntop, so
 * that one client has one spelling (it keys the sign-in limits).
 */
#include "http/http_proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

/* An address in binary: 4 bytes for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6. */
struct proxy_addr {
	int family;
	unsigned char b[16];
};

static void proxy_addr_from_v6(struct proxy_addr *a, const unsigned char *b16)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(b16, mapped, sizeof(mapped)) == 0) {
		a->family = AF_INET;
		memcpy(a->b, b16 + 12, 4);
	} else {
		a->family = AF_INET6;
		memcpy(a->b, b16, 16);
	}
}

/* Parses `n` bytes of text: "1.2.3.4", "1.2.3.4:port", "::1", "[::1]",
 * "[::1]:port". Returns 0, or -1. */
static int proxy_addr_parse(const char *s, size_t n, struct proxy_addr *a)
{
	char buf[64];
	unsigned char b16[16];
	const char *colon;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	if (*s == '[') {
		const char *end = memchr(s, ']', n);

		if (!end || (end + 1 != s + n && end[1] != ':'))
			return -1;
		n = (size_t)(end - s) - 1;
		s++;
		if (n == 0 || n >= sizeof(buf))
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (inet_pton(AF_INET6, buf, b16) != 1)
			return -1;
		proxy_addr_from_v6(a, b16);
		return 0;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, b16) == 1) {
		proxy_addr_from_v6(a, b16);
		return 0;
	}
	/* IPv4, perhaps with a port. */
	colon = strchr(buf, ':');
	if (colon)
		buf[colon - buf] = '\0';
	a->family = AF_INET;
	return inet_pton(AF_INET, buf, a->b) == 1 ? 0 : -1;
}

static void proxy_addr_text(const struct proxy_addr *a, char *out, size_t len)
{
	if (!inet_ntop(a->family, a->b, out, (socklen_t)len))
		snprintf(out, len, "?");
}

static int proxy_net_contains(const struct http_proxy_net *net, const struct proxy_addr *a)
{
	unsigned bits = net->prefix, i;

	if (net->family != a->family)
		return 0;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (net->addr[i] != a->b[i])
			return 0;
	if (bits == 0)
		return 1;
	return ((net->addr[i] ^ a->b[i]) & (0xff00 >> bits)) == 0;
}

static int proxy_trusted(const struct http_proxies *p, const struct proxy_addr *a)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (proxy_net_contains(&p->nets[i], a))
			return 1;
	return 0;
}

int http_proxies_add(struct http_proxies *p, const char *spec, char *err, size_t errlen)
{
	const char *s = spec;

	for (;;) {
		size_t len = strcspn(s, ",");
		const char *slash = memchr(s, '/', len);
		size_t alen = slash ? (size_t)(slash - s) : len;
		struct http_proxy_net *net;
		struct proxy_addr a;
		unsigned long prefix;

		if (p->n == HTTP_PROXY_MAX) {
			snprintf(err, errlen, "more than %d trusted proxies", HTTP_PROXY_MAX);
			return -1;
		}
		/* A port means nothing here: only bare addresses and networks. */
		if (alen == 0 || memchr(s, '[', alen) ||
		    (memchr(s, '.', alen) && memchr(s, ':', alen)) ||
		    proxy_addr_parse(s, alen, &a) < 0) {
			snprintf(err, errlen, "\"%.*s\" is not an IP address or ADDR/PREFIX", (int)len, s);
			return -1;
		}
		prefix = a.family == AF_INET ? 32 : 128;
		if (slash) {
			char *end;
			const char *d = slash + 1;

			if (d == s + len || *d < '0' || *d > '9' ||
			    (prefix = strtoul(d, &end, 10)) > (a.family == AF_INET ? 32u : 128u) ||
			    end != s + len) {
				snprintf(err, errlen, "\"%.*s\": the prefix is 0 to %d", (int)len, s,
					 a.family == AF_INET ? 32 : 128);
				return -1;
			}
		}
		net = &p->nets[p->n++];
		net->family = a.family;
		memset(net->addr, 0, sizeof(net->addr));
		memcpy(net->addr, a.b, a.family == AF_INET ? 4 : 16);
		net->prefix = (unsigned)prefix;
		if (s[len] == '\0')
			return 0;
		s += len + 1;
	}
}

int http_proxies_trust(const struct http_proxies *p, const char *addr)
{
	struct proxy_addr a;

	return addr && proxy_addr_parse(addr, strlen(addr), &a) == 0 && proxy_trusted(p, &a);
}

/* The value of parameter `name` ("for", "proto") in one Forwarded element
 * [s, end), unquoted, into out. Returns its length, or -1 if absent. */
static int forwarded_param(const char *s, const char *end, const char *name, char *out,
			   size_t outlen)
{
	size_t nlen = strlen(name);

	while (s < end) {
		const char *pair = s, *semi;
		size_t plen;

		while (pair < end && (*pair == ' ' || *pair == '\t'))
			pair++;
		semi = memchr(pair, ';', (size_t)(end - pair));
		if (!semi)
			semi = end;
		plen = (size_t)(semi - pair);
		if (plen > nlen && pair[nlen] == '=' && strncasecmp(pair, name, nlen) == 0) {
			const char *v = pair + nlen + 1;
			size_t vlen = plen - nlen - 1;

			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
				v++, vlen -= 2;
			if (vlen >= outlen)
				return -1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return (int)vlen;
		}
		s = semi + 1;
	}
	return -1;
}

/* The list element that ends at `end`: its start (after the comma
 * before it, or `start`). Quoted commas are not looked for: no address or
 * scheme holds one. */
static const char *list_prev(const char *start, const char *end)
{
	const char *p = end;

	while (p > start && p[-1] != ',')
		p--;
	return p;
}

/* The right-most non-trusted address of an X-Forwarded-For list. Returns 0
 * with the client in *out, 1 if every entry is trusted (*out is the
 * left-most), or -1 if the first untrusted entry cannot be read. */
static int xff_client(const struct http_proxies *p, const char *xff, struct proxy_addr *out)
{
	const char *end = xff + strlen(xff);

	for (;;) {
		const char *start = list_prev(xff, end);

		if (proxy_addr_parse(start, (size_t)(end - start), out) < 0)
			return -1;
		if (!proxy_trusted(p, out))
			return 0;
		if (start == xff)
			return 1;
		end = start - 1;
	}
}

/* The same over Forwarded's for= parameters; `proto` gets the proto= of the
 * last element that has one. */
static int forwarded_client(const struct http_proxies *p, const char *fwd,
			    struct proxy_addr *out, char *proto, size_t protolen)
{
	const char *end = fwd + strlen(fwd);
	char val[64];
	int found = 0, have_proto = 0;

	while (end >= fwd) {
		const char *start = list_prev(fwd, end);
		struct proxy_addr a;

		if (!have_proto && forwarded_param(start, end, "proto", proto, protolen) >= 0)
			have_proto = 1;
		if (!found || proxy_trusted(p, out)) {
			if (forwarded_param(start, end, "for", val, sizeof(val)) < 0 ||
			    proxy_addr_parse(val, strlen(val), &a) < 0)
				return -1;
			*out = a;
			found = 1;
		}
		if (start == fwd)
			break;
		end = start - 1;
	}
	if (!found)
		return -1;
	return proxy_trusted(p, out) ? 1 : 0;
}

/* The last value of a comma-separated list, trimmed, into out. */
static void list_last(const char *list, char *out, size_t outlen)
{
	const char *end = list + strlen(list), *start;

	start = list_prev(list, end);
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	snprintf(out, outlen, "%.*s", (int)(end - start), start);
}

void http_client_resolve(const struct http_proxies *p, const struct sockaddr *peer,
			 const char *xff, const char *xfp, const char *forwarded,
			 struct http_client *out)
{
	struct proxy_addr a, client;
	char proto[16] = "";

	snprintf(out->addr, sizeof(out->addr), "?");
	out->https = 0;
	if (!peer)
		return;
	if (peer->sa_family == AF_INET) {
		a.family = AF_INET;
		memcpy(a.b, &((const struct sockaddr_in *)peer)->sin_addr, 4);
	} else if (peer->sa_family == AF_INET6) {
		proxy_addr_from_v6(&a, ((const struct sockaddr_in6 *)peer)->sin6_addr.s6_addr);
	} else {
		return;
	}
	client = a;
	if (proxy_trusted(p, &a)) {
		struct proxy_addr fwd;

		/* X-Forwarded-For first: every common proxy sets it, and one that
		 * sets only Forwarded passes a client's X-Forwarded-For on (the
		 * samples in docs/deploy/ set both X- headers and clear Forwarded). */
		if (xff && *xff) {
			if (xff_client(p, xff, &fwd) >= 0)
				client = fwd;
		} else if (forwarded && *forwarded) {
			if (forwarded_client(p, forwarded, &fwd, proto, sizeof(proto)) >= 0)
				client = fwd;
		}
		if (xfp && *xfp)
			list_last(xfp, proto, sizeof(proto));
		else if (forwarded && *forwarded && !proto[0]) {
			struct proxy_addr ignored;

			(void)forwarded_client(p, forwarded, &ignored, proto, sizeof(proto));
		}
		out->https = strcasecmp(proto, "https") == 0;
	}
	proxy_addr_text(&client, out->addr, sizeof(out->addr));
}
