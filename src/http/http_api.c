/*
 * The newsroom's JSON API under /api/v1/ (docs/api.md): authenticate, check
 * CSRF for cookie sessions, parse the JSON body (jansson), call the newsroom
 * action (newsroom/newsroom.h), and write its result, whose outcome
 * http_newsroom_status() turns into the HTTP status. No rule lives here: the
 * action decides; this file only translates HTTP to calls and back.
 */
#include "http/http_auth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "newsroom/newsroom.h"
#include "util/log.h"

#define HTTP_API_MAX_SEGMENTS 8

/* The path below /api/v1/, split at '/'; each segment is a NUL-terminated copy. */
struct api_path {
	char buf[512];
	const char *seg[HTTP_API_MAX_SEGMENTS];
	size_t n;
};

static int api_split(const char *path, struct api_path *p)
{
	char *s, *save = NULL, *tok;

	memset(p, 0, sizeof(*p));
	if (strncmp(path, "/api/v1/", 8) != 0 || strlen(path + 8) >= sizeof(p->buf))
		return -1;
	memcpy(p->buf, path + 8, strlen(path + 8) + 1); /* length checked above */
	s = p->buf;
	while ((tok = strtok_r(s, "/", &save)) != NULL) {
		s = NULL;
		if (p->n == HTTP_API_MAX_SEGMENTS)
			return -1;
		p->seg[p->n++] = tok;
	}
	return 0;
}

static int api_is(const struct api_path *p, size_t i, const char *word)
{
	return i < p->n && strcmp(p->seg[i], word) == 0;
}

static int api_method(const struct http_request *req, const char *m)
{
	return strcmp(req->method, m) == 0;
}

static enum MHD_Result api_result(struct http_request *req, struct newsroom_result *res)
{
	enum MHD_Result ret;

	unsigned status = http_newsroom_status(res);

	if (res->code)
		ret = http_respond_api_error(req, status, res->code, res->message);
	else if (!res->body)
		ret = http_respond_json(req, status, json_object());
	else {
		ret = http_respond_json(req, status, res->body);
		res->body = NULL;
	}
	newsroom_result_cleanup(res);
	return ret;
}

static enum MHD_Result api_not_found(struct http_request *req)
{
	return http_respond_api_error(req, MHD_HTTP_NOT_FOUND, "not_found",
				      "There is no such API address (see docs/api.md).");
}

static enum MHD_Result api_bad_method(struct http_request *req)
{
	return http_respond_api_error(req, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
				      "This address does not take that method.");
}

/* Parses the body as a JSON object; NULL with the error answered in *ret. */
static json_t *api_body(struct http_request *req, enum MHD_Result *ret)
{
	json_error_t e;
	json_t *j;
	char msg[256];

	if (req->body_len > HTTP_MAX_BODY) {
		*ret = http_respond_api_error(req, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
					      "A JSON request body may be at most 1 MiB.");
		return NULL;
	}
	if (!req->body || req->body_len == 0)
		return json_object();
	j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		snprintf(msg, sizeof(msg), "The body is not valid JSON: %s (at character %d).",
			 e.text, e.position);
		*ret = http_respond_api_error(req, MHD_HTTP_BAD_REQUEST, "bad_request", msg);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*ret = http_respond_api_error(req, MHD_HTTP_BAD_REQUEST, "bad_request",
					      "The body must be a JSON object.");
		return NULL;
	}
	return j;
}

/* Pages and everything below them: /pages[/SLUG[/...]]. */
static void api_pages(struct http_request *req, const struct newsroom_ctx *c,
		      const struct api_path *p, const json_t *in, struct newsroom_result *res,
		      int *matched)
{
	const char *slug = p->n > 1 ? p->seg[1] : NULL;
	const char *m = req->method;
	int64_t id = p->n > 3 ? http_segment_id(p->seg[3]) : 0;
	int get = http_is_read(m), post = strcmp(m, "POST") == 0;
	int patch = strcmp(m, "PATCH") == 0, del = strcmp(m, "DELETE") == 0;

	*matched = 1;
	if (p->n == 1) {
		if (get)
			newsroom_pages_list(c, res);
		else if (post)
			newsroom_page_create(c, in, res);
		else
			*matched = -1;
	} else if (p->n == 2) {
		if (get)
			newsroom_page_get(c, slug, res);
		else if (patch)
			newsroom_page_update(c, slug, in, res);
		else
			*matched = -1;
	} else if (p->n == 3 && api_is(p, 2, "status")) {
		if (post)
			newsroom_page_status(c, slug, in, res);
		else
			*matched = -1;
	} else if (p->n == 3 && (api_is(p, 2, "publish") || api_is(p, 2, "unpublish"))) {
		if (post)
			newsroom_page_publish(c, slug, api_is(p, 2, "publish"), res);
		else
			*matched = -1;
	} else if (p->n == 3 && api_is(p, 2, "summary")) {
		if (strcmp(m, "PUT") == 0)
			newsroom_summary_set(c, slug, in, res);
		else
			*matched = -1;
	} else if (p->n == 3 && api_is(p, 2, "pin")) {
		if (del)
			newsroom_post_pin(c, slug, 0, res);
		else
			*matched = -1;
	} else if (p->n == 3 && api_is(p, 2, "posts")) {
		const char *pg = http_arg(req, "page");
		int64_t page_no = pg ? http_segment_id(pg) : 0;

		if (get && pg && !page_no)
			newsroom_fail(res, NEWSROOM_MALFORMED, "?page= is a positive number.");
		else if (get)
			newsroom_posts_list(c, slug, (size_t)page_no, res);
		else if (post)
			newsroom_post_create(c, slug, in, res);
		else
			*matched = -1;
	} else if (p->n == 3 && api_is(p, 2, "drafts")) {
		if (get)
			newsroom_drafts_list(c, slug, res);
		else if (post)
			newsroom_draft_create(c, slug, in, res);
		else
			*matched = -1;
	} else if (p->n >= 4 && api_is(p, 2, "posts") && id) {
		if (p->n == 4 && get)
			newsroom_post_get(c, slug, id, res);
		else if (p->n == 4 && patch)
			newsroom_post_edit(c, slug, id, in, res);
		else if (p->n == 4 && del)
			newsroom_post_delete(c, slug, id, res);
		else if (p->n == 5 && api_is(p, 4, "pin") && post)
			newsroom_post_pin(c, slug, id, res);
		else if (p->n == 5 && api_is(p, 4, "revisions") && get)
			newsroom_revisions_list(c, slug, id, res);
		else
			*matched = p->n == 4 || (p->n == 5 && (api_is(p, 4, "pin") ||
							       api_is(p, 4, "revisions")))
					   ? -1 : 0;
	} else if (p->n >= 4 && api_is(p, 2, "drafts") && id) {
		if (p->n == 4 && get)
			newsroom_draft_get(c, slug, id, res);
		else if (p->n == 4 && patch)
			newsroom_draft_update(c, slug, id, in, res);
		else if (p->n == 4 && del)
			newsroom_draft_delete(c, slug, id, res);
		else if (p->n == 5 && api_is(p, 4, "publish") && post)
			newsroom_draft_publish(c, slug, id, in, res);
		else
			*matched = p->n == 4 || (p->n == 5 && api_is(p, 4, "publish")) ? -1 : 0;
	} else {
		*matched = 0;
	}
}

enum MHD_Result http_api_route(struct http_request *req)
{
	struct http_principal who;
	struct api_path p;
	struct newsroom_result res = { 0 };
	struct newsroom_ctx c;
	enum MHD_Result ret = MHD_NO;
	json_t *in = NULL;
	int matched = 1, reading = http_is_read(req->method);

	if (api_split(req->path, &p) < 0 || p.n == 0)
		return api_not_found(req);
	if (http_auth_resolve(req, &who) < 0) {
		const char *code;
		unsigned status = http_auth_failure(req, &code);

		return http_respond_api_error(req, status, code,
					      "The database cannot be read just now; try again.");
	}
	if (!who.signed_in) {
		ret = http_respond_api_error(req, MHD_HTTP_UNAUTHORIZED, "unauthenticated",
					     "Sign in, or send an API token as "
					     "\"Authorization: Bearer TOKEN\".");
		goto out;
	}
	if (!reading &&
	    !http_auth_csrf_ok(&who, MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
								  "X-CSRF-Token"))) {
		ret = http_respond_api_error(req, MHD_HTTP_FORBIDDEN, "csrf",
					     "This change needs the session's CSRF token in the "
					     "X-CSRF-Token header.");
		goto out;
	}
	c.st = req->store;
	c.user = &who.user;
	c.media_dir = req->server->media_dir;
	c.now = (int64_t)time(NULL);

	/* The image upload's body is the image, not JSON. */
	if (p.n == 1 && api_is(&p, 0, "media")) {
		if (!api_method(req, "POST")) {
			ret = api_bad_method(req);
			goto out;
		}
		newsroom_media_upload(&c, req->body, req->body_len, &res);
		ret = api_result(req, &res);
		goto out;
	}
	if (!reading && !(in = api_body(req, &ret)))
		goto out;

	if (api_is(&p, 0, "me") && p.n == 1) {
		if (reading)
			newsroom_me(&c, &res);
		else
			matched = -1;
	} else if (api_is(&p, 0, "pages")) {
		api_pages(req, &c, &p, in, &res, &matched);
	} else if (api_is(&p, 0, "preview") && p.n == 1) {
		if (api_method(req, "POST"))
			newsroom_preview(&c, in, &res);
		else
			matched = -1;
	} else if (api_is(&p, 0, "users") && p.n <= 2) {
		int64_t id = p.n == 2 ? http_segment_id(p.seg[1]) : 0;

		if (p.n == 1 && reading)
			newsroom_users_list(&c, &res);
		else if (p.n == 1 && api_method(req, "POST"))
			newsroom_user_create(&c, in, &res);
		else if (p.n == 2 && id && api_method(req, "PATCH"))
			newsroom_user_update(&c, id, in, &res);
		else
			matched = p.n == 1 || id ? -1 : 0;
	} else if (api_is(&p, 0, "tokens") && p.n <= 2) {
		int64_t id = p.n == 2 ? http_segment_id(p.seg[1]) : 0;

		if (p.n == 1 && reading)
			newsroom_tokens_list(&c, &res);
		else if (p.n == 1 && api_method(req, "POST"))
			newsroom_token_create(&c, in, &res);
		else if (p.n == 2 && id && api_method(req, "DELETE"))
			newsroom_token_revoke(&c, id, &res);
		else
			matched = p.n == 1 || id ? -1 : 0;
	} else if (api_is(&p, 0, "audit") && p.n == 1) {
		const char *limit = http_arg(req, "limit");

		if (reading)
			newsroom_audit_list(&c, http_arg(req, "page"),
				      limit ? (size_t)http_segment_id(limit) : 0, &res);
		else
			matched = -1;
	} else {
		matched = 0;
	}
	if (matched == 0)
		ret = api_not_found(req);
	else if (matched < 0)
		ret = api_bad_method(req);
	else
		ret = api_result(req, &res);
out:
	newsroom_result_cleanup(&res);
	json_decref(in);
	http_principal_cleanup(&who);
	return ret;
}
