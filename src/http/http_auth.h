/*
 * Who is asking: the signed-in user behind a request, from an API token
 * (Authorization: Bearer) or a session cookie, and the checks that go with
 * each (CSRF for cookies). Also the session cookie's life: sign in, sign out.
 * Used by http_api.c and http_newsroom.c; the store holds only token hashes.
 */
#ifndef LIVELINE_HTTP_AUTH_H
#define LIVELINE_HTTP_AUTH_H

#include "http/http_internal.h"
#include "store/store_newsroom.h"

#define HTTP_SESSION_COOKIE "liveline_session"
/* The sign-in form's token (double submit: the cookie and the form's
 * "signin_token" field must be equal). It keeps a browser without Origin or
 * Referer from being signed in by another site's form; a page of the same
 * host on another port can set cookies for us, so against that the full-origin
 * check of http_newsroom.c is the guard. */
#define HTTP_SIGNIN_COOKIE "liveline_signin"

struct http_principal {
	int signed_in;          /* 0: anonymous (user is empty) */
	int via_token;          /* 1: an API token, which needs no CSRF token */
	struct model_user user; /* owned: http_principal_cleanup() */
	char *csrf;             /* the session's CSRF token (owned), NULL for tokens */
	unsigned char session_hash[STORE_TOKEN_HASH_LEN];
};

/* Fills `p` for the request. An unknown, expired or revoked credential is
 * anonymous, not an error. Returns 0, or -1 if the database failed. */
int http_auth_resolve(struct http_request *req, struct http_principal *p);
/* The status for a failed http_auth_resolve(): 503 while the database is out
 * of reach (store_unreachable(): come back soon), else 500; *code is the API's
 * error code for it ("unavailable" or "internal"). */
unsigned http_auth_failure(const struct http_request *req, const char **code);
void http_principal_cleanup(struct http_principal *p);

/* 1 if a state-changing request may go ahead: always with an API token; with a
 * session, when `sent` (the form's csrf field or the X-CSRF-Token header)
 * equals the session's token. */
int http_auth_csrf_ok(const struct http_principal *p, const char *sent);

/* The sign-in form's token for this browser: the one its cookie holds, or a
 * new one. Writes it into token (AUTH_TOKEN_LEN + 1) and the Set-Cookie value
 * into cookie (cookie_len >= 256; "" when the browser has it already). */
void http_auth_signin_token(struct http_request *req, char *token, char *cookie,
			    size_t cookie_len);
/* 1 if `sent` (the form's signin_token) is the token in the request's cookie. */
int http_auth_signin_token_ok(struct http_request *req, const char *sent);

/* Starts a session for `user`: writes the Set-Cookie value into `cookie`
 * (cookie_len >= 256) and the new session's CSRF token into csrf_out
 * (AUTH_TOKEN_LEN + 1). Returns 0 or -1 (database). */
int http_auth_session_start(struct http_request *req, const struct model_user *user,
			    char *cookie, size_t cookie_len, char *csrf_out);
/* Revokes the request's session (if any) and writes a Set-Cookie value that
 * clears the cookie. */
void http_auth_session_end(struct http_request *req, const struct http_principal *p,
			   char *cookie, size_t cookie_len);

#endif
