/*
 * Unit tests for http_proxy.c: which networks are trusted, and who the client
 * is behind them. Forwarding headers count only from a trusted peer, are read
 * from the right, and skip every trusted hop; the scheme comes with them.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "http/http_proxy.h"

static struct sockaddr_storage peer_of(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return ss;
}

static struct http_client resolve(const struct http_proxies *p, const char *peer,
				  const char *xff, const char *xfp, const char *fwd)
{
	struct sockaddr_storage ss = peer_of(peer);
	struct http_client c;

	http_client_resolve(p, (struct sockaddr *)&ss, xff, xfp, fwd, &c);
	return c;
}

static void test_parse(void **state)
{
	struct http_proxies p = { .n = 0 };
	char err[128];

	(void)state;
	assert_int_equal(http_proxies_add(&p, "127.0.0.1", err, sizeof(err)), 0);
	assert_int_equal(http_proxies_add(&p, "10.0.0.0/8,::1,fd00::/8", err, sizeof(err)), 0);
	assert_int_equal(p.n, 4);
	assert_true(http_proxies_trust(&p, "127.0.0.1"));
	assert_false(http_proxies_trust(&p, "127.0.0.2"));
	assert_true(http_proxies_trust(&p, "10.200.3.4"));
	assert_false(http_proxies_trust(&p, "11.0.0.1"));
	assert_true(http_proxies_trust(&p, "::1"));
	assert_true(http_proxies_trust(&p, "fd12::5"));
	assert_false(http_proxies_trust(&p, "fe80::1"));
	assert_true(http_proxies_trust(&p, "::ffff:127.0.0.1")); /* mapped is IPv4 */
	assert_false(http_proxies_trust(&p, "nonsense"));
	static const char *const bad[] = { "", "localhost", "1.2.3.4/33", "::1/129",
					   "1.2.3.4/", "1.2.3.4/x", "1.2.3.4:80", "[::1]",
					   "1.2.3.4,", "1.2.3.4/8x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_proxies q = { .n = 0 };
		if (http_proxies_add(&q, bad[i], err, sizeof(err)) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	{
		struct http_proxies q = { .n = 0 };
		assert_int_equal(http_proxies_add(&q, "0.0.0.0/0", err, sizeof(err)), 0);
		assert_true(http_proxies_trust(&q, "198.51.100.1"));
		assert_false(http_proxies_trust(&q, "::2"));
	}
}

static void test_untrusted_peer(void **state)
{
	struct http_proxies p = { .n = 0 };
	struct http_client c;
	char err[128];

	(void)state;
	/* No trusted proxies: headers mean nothing. */
	c = resolve(&p, "127.0.0.1", "203.0.113.9", "https", "for=203.0.113.9;proto=https");
	assert_string_equal(c.addr, "127.0.0.1");
	assert_false(c.https);
	assert_int_equal(http_proxies_add(&p, "10.0.0.1", err, sizeof(err)), 0);
	c = resolve(&p, "198.51.100.4", "203.0.113.9", "https", NULL);
	assert_string_equal(c.addr, "198.51.100.4");
	assert_false(c.https);
	c = resolve(&p, "::ffff:198.51.100.4", NULL, NULL, NULL);
	assert_string_equal(c.addr, "198.51.100.4");
}

static void test_x_forwarded(void **state)
{
	struct http_proxies p = { .n = 0 };
	struct http_client c;
	char err[128];

	(void)state;
	assert_int_equal(http_proxies_add(&p, "127.0.0.1,10.0.0.0/8", err, sizeof(err)), 0);
	c = resolve(&p, "127.0.0.1", "203.0.113.9", "https", NULL);
	assert_string_equal(c.addr, "203.0.113.9");
	assert_true(c.https);
	c = resolve(&p, "127.0.0.1", "203.0.113.9", "http", NULL);
	assert_false(c.https);
	c = resolve(&p, "127.0.0.1", "203.0.113.9", NULL, NULL);
	assert_false(c.https);
	/* The client's own entries sit left of the proxies': read from the right. */
	c = resolve(&p, "127.0.0.1", "1.1.1.1, 203.0.113.9 ,10.1.2.3", "http, https", NULL);
	assert_string_equal(c.addr, "203.0.113.9");
	assert_true(c.https);
	/* Every hop trusted: the left-most. */
	c = resolve(&p, "127.0.0.1", "10.0.0.7,10.0.0.8", NULL, NULL);
	assert_string_equal(c.addr, "10.0.0.7");
	/* One spelling per client; ports and brackets go. */
	c = resolve(&p, "127.0.0.1", "2001:DB8:0::1", NULL, NULL);
	assert_string_equal(c.addr, "2001:db8::1");
	c = resolve(&p, "127.0.0.1", "[2001:db8::1]:443", NULL, NULL);
	assert_string_equal(c.addr, "2001:db8::1");
	c = resolve(&p, "127.0.0.1", "203.0.113.9:5555", NULL, NULL);
	assert_string_equal(c.addr, "203.0.113.9");
	/* Garbage where the client should be: the nearest proxy, never the text. */
	c = resolve(&p, "127.0.0.1", "evil.example", NULL, NULL);
	assert_string_equal(c.addr, "127.0.0.1");
	c = resolve(&p, "127.0.0.1", "", NULL, NULL);
	assert_string_equal(c.addr, "127.0.0.1");
	c = resolve(&p, "127.0.0.1", ",", NULL, NULL);
	assert_string_equal(c.addr, "127.0.0.1");
	/* X-Forwarded-For wins over Forwarded (see the comment in the source). */
	c = resolve(&p, "127.0.0.1", "203.0.113.9", NULL, "for=198.51.100.1");
	assert_string_equal(c.addr, "203.0.113.9");
}

static void test_forwarded(void **state)
{
	struct http_proxies p = { .n = 0 };
	struct http_client c;
	char err[128];

	(void)state;
	assert_int_equal(http_proxies_add(&p, "127.0.0.1,10.0.0.0/8", err, sizeof(err)), 0);
	c = resolve(&p, "127.0.0.1", NULL, NULL, "for=203.0.113.9;proto=https;by=10.0.0.1");
	assert_string_equal(c.addr, "203.0.113.9");
	assert_true(c.https);
	c = resolve(&p, "127.0.0.1", NULL, NULL,
		    "for=1.1.1.1;proto=http, For=\"[2001:db8::7]:80\";Proto=https, for=10.0.0.2");
	assert_string_equal(c.addr, "2001:db8::7");
	assert_true(c.https);
	c = resolve(&p, "127.0.0.1", NULL, NULL, "for=unknown");
	assert_string_equal(c.addr, "127.0.0.1");
	c = resolve(&p, "127.0.0.1", NULL, NULL, "for=_hidden, for=10.0.0.3");
	assert_string_equal(c.addr, "127.0.0.1");
	c = resolve(&p, "127.0.0.1", NULL, "https", "for=203.0.113.9;proto=http");
	assert_true(c.https); /* X-Forwarded-Proto, when sent, is the one */
	c = resolve(&p, "198.51.100.4", NULL, NULL, "for=203.0.113.9;proto=https");
	assert_string_equal(c.addr, "198.51.100.4");
	assert_false(c.https);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_untrusted_peer),
		cmocka_unit_test(test_x_forwarded),
		cmocka_unit_test(test_forwarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
