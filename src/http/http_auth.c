/*
 * Sessions and API tokens over HTTP. See http_auth.h.
 *
 * Cookies are parsed by libmicrohttpd (MHD_COOKIE_KIND). The cookie carries a
 * random token, which the newsroom looks up (newsroom_session_user, and
 * newsroom_token_user for API tokens); the store keeps only its SHA-256, so a copy of the database
 * signs nobody in. SameSite=Strict keeps other sites' pages from sending it, and
 * every change made with it must also present the session's CSRF token.
 */
#include "http/http_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "newsroom/newsroom.h"

static int http_token_shape_ok(const char *t, size_t len)
{
	if (len != AUTH_TOKEN_LEN)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char ch = t[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

int http_auth_resolve(struct http_request *req, struct http_principal *p)
{
	const char *authz, *cookie;
	int rc;

	memset(p, 0, sizeof(*p));
	authz = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					    MHD_HTTP_HEADER_AUTHORIZATION);
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		const char *t = authz + 7;

		while (*t == ' ')
			t++;
		if (!http_token_shape_ok(t, strlen(t)))
			return 0;
		rc = newsroom_token_user(req->store, t, &p->user);
		if (rc <= 0)
			return rc;
		p->signed_in = p->via_token = 1;
		return 0;
	}
	cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, HTTP_SESSION_COOKIE);
	if (!cookie || !http_token_shape_ok(cookie, strlen(cookie)))
		return 0;
	rc = newsroom_session_user(req->store, cookie, (int64_t)time(NULL), &p->user, &p->csrf,
				   p->session_hash);
	if (rc <= 0)
		return rc;
	p->signed_in = 1;
	return 0;
}

unsigned http_auth_failure(const struct http_request *req, const char **code)
{
	if (store_unreachable(req->store)) {
		*code = "unavailable";
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
	*code = "internal";
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

void http_principal_cleanup(struct http_principal *p)
{
	if (p->signed_in)
		model_user_cleanup(&p->user);
	free(p->csrf);
	memset(p, 0, sizeof(*p));
}

int http_auth_csrf_ok(const struct http_principal *p, const char *sent)
{
	if (!p->signed_in)
		return 0;
	if (p->via_token)
		return 1;
	return p->csrf && sent && auth_equal(p->csrf, sent);
}

/* Secure cookies when the browser reached us over TLS: we do not terminate TLS
 * ourselves, so that is a trusted proxy saying so (http_proxy.h). */
static int http_request_is_tls(struct http_request *req)
{
	return http_request_https(req);
}

void http_auth_signin_token(struct http_request *req, char *token, char *cookie,
			    size_t cookie_len)
{
	const char *have = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
						       HTTP_SIGNIN_COOKIE);

	if (have && http_token_shape_ok(have, strlen(have))) {
		snprintf(token, AUTH_TOKEN_LEN + 1, "%s", have);
		cookie[0] = '\0';
		return;
	}
	auth_token_new(token);
	snprintf(cookie, cookie_len,
		 HTTP_SIGNIN_COOKIE "=%s; Path=/newsroom/signin; HttpOnly; SameSite=Strict%s",
		 token, http_request_is_tls(req) ? "; Secure" : "");
}

int http_auth_signin_token_ok(struct http_request *req, const char *sent)
{
	const char *have = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
						       HTTP_SIGNIN_COOKIE);

	return have && sent && http_token_shape_ok(have, strlen(have)) && auth_equal(have, sent);
}

int http_auth_session_start(struct http_request *req, const struct model_user *user,
			    char *cookie, size_t cookie_len, char *csrf_out)
{
	char token[AUTH_TOKEN_LEN + 1];
	struct http_client client;

	/* The audit trail says where from: the client, not a proxy. */
	http_request_client(req, &client);
	if (newsroom_session_start(req->store, user, client.addr, (int64_t)time(NULL), token,
				   csrf_out) < 0)
		return -1;
	snprintf(cookie, cookie_len,
		 HTTP_SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
		 token, AUTH_SESSION_SECONDS, http_request_is_tls(req) ? "; Secure" : "");
	return 0;
}

void http_auth_session_end(struct http_request *req, const struct http_principal *p,
			   char *cookie, size_t cookie_len)
{
	if (p->signed_in && !p->via_token)
		newsroom_session_end(req->store, p->user.id, p->session_hash);
	snprintf(cookie, cookie_len,
		 HTTP_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		 http_request_is_tls(req) ? "; Secure" : "");
}
