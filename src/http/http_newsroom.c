/*
 * The newsroom's pages and forms under /newsroom (docs/api.md, "The newsroom's
 * forms"), and the uploaded images under /media.
 *
 * GET renders a page (render/render_newsroom.h) from what a newsroom read
 * (newsroom_desk_get, newsroom_history_get, ...) returned: no store read and no
 * role check happens here. A form POST is turned into the same JSON object the
 * API takes and handed to the same newsroom action (newsroom/newsroom.h), so
 * the rules are the API's; success answers 303 back to a page
 * (Post/Redirect/Get, with a fixed notice named in the query), failure shows
 * the page again with the action's message, its outcome mapped to an HTTP
 * status by http_newsroom_status(), here, for the API and the forms alike.
 * Forms are parsed by libmicrohttpd's post processor (urlencoded and
 * multipart).
 */
#include "http/http_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "markup/markup.h"
#include "markup/markup_body.h"
#include "media/media.h"
#include "model/model_json.h"
#include "model/model_limits.h"
#include "newsroom/newsroom.h"
#include "render/render_newsroom.h"
#include "store/store_media.h"
#include "util/log.h"

#define FORM_HTML_MAX   (8u * 1024 * 1024)
#define FORM_FIELDS   40
#define FORM_TEXT_MAX ((size_t)2 * 1024 * 1024)

/* ---- forms ------------------------------------------------------------------ */

struct form_field {
	char key[48];
	struct buf val;
	int is_file;
};

struct form {
	struct form_field f[FORM_FIELDS];
	size_t n;
	int broken; /* too many fields, a field too large, or an odd key */
};

static enum MHD_Result form_iterator(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *filename, const char *content_type,
				     const char *transfer_encoding, const char *data,
				     uint64_t off, size_t size)
{
	struct form *fm = cls;
	struct form_field *fld = NULL;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	if (!key || strlen(key) >= sizeof(fm->f[0].key)) {
		fm->broken = 1;
		return MHD_NO;
	}
	/* A value arrives in pieces; the pieces of one field come in a row. */
	if (fm->n > 0 && strcmp(fm->f[fm->n - 1].key, key) == 0)
		fld = &fm->f[fm->n - 1];
	if (!fld) {
		if (fm->n == FORM_FIELDS) {
			fm->broken = 1;
			return MHD_NO;
		}
		fld = &fm->f[fm->n++];
		snprintf(fld->key, sizeof(fld->key), "%s", key);
		fld->is_file = filename != NULL;
		buf_init(&fld->val, fld->is_file ? MODEL_UPLOAD_MAX_BYTES + 1 : FORM_TEXT_MAX);
		buf_append(&fld->val, "", 0);
	}
	buf_append(&fld->val, data, size);
	if (fld->val.err && !fld->is_file) {
		fm->broken = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

static void form_cleanup(struct form *fm)
{
	for (size_t i = 0; i < fm->n; i++)
		buf_cleanup(&fm->f[i].val);
	fm->n = 0;
}

/* Parses the request body as a form. Returns 0, or -1 if it is not one. */
static int form_parse(struct http_request *req, struct form *fm)
{
	struct MHD_PostProcessor *pp;
	enum MHD_Result ok;

	memset(fm, 0, sizeof(*fm));
	pp = MHD_create_post_processor(req->conn, 64 * 1024, form_iterator, fm);
	if (!pp)
		return -1; /* not urlencoded or multipart */
	ok = req->body_len ? MHD_post_process(pp, req->body, req->body_len) : MHD_YES;
	if (MHD_destroy_post_processor(pp) != MHD_YES)
		ok = MHD_NO;
	if (ok != MHD_YES || fm->broken) {
		form_cleanup(fm);
		return -1;
	}
	return 0;
}

static const struct form_field *form_field(const struct form *fm, const char *key)
{
	for (size_t i = 0; i < fm->n; i++)
		if (strcmp(fm->f[i].key, key) == 0)
			return &fm->f[i];
	return NULL;
}

/* A text field's value ("" when present and empty), or NULL when absent. */
static const char *form_get(const struct form *fm, const char *key)
{
	const struct form_field *f = form_field(fm, key);

	if (!f || f->is_file)
		return NULL;
	return f->val.data ? f->val.data : "";
}

/* Copies a text field into the JSON object; a field that is not valid UTF-8
 * (json_stringn refuses it) fails the form. Absent fields are left out. */
static int form_put_str(json_t *o, const struct form *fm, const char *key, const char *as)
{
	const struct form_field *f = form_field(fm, key);
	json_t *v;

	if (!f || f->is_file)
		return 0;
	v = json_stringn(f->val.data ? f->val.data : "", f->val.len);
	if (!v)
		return -1;
	return json_object_set_new(o, as ? as : key, v) == 0 ? 0 : -1;
}

/* A checkbox: present means on. */
static void form_put_check(json_t *o, const struct form *fm, const char *key)
{
	json_object_set_new(o, key, json_boolean(form_get(fm, key) != NULL));
}

/* "Name|Role" lines into [{"name","role"}]; blank lines skipped. */
static int form_put_bylines(json_t *o, const struct form *fm)
{
	const char *s = form_get(fm, "bylines");
	json_t *arr;

	if (!s)
		return 0;
	arr = json_array();
	while (arr && *s) {
		const char *end = strchr(s, '\n'), *bar;
		size_t len = end ? (size_t)(end - s) : strlen(s);
		char line[512];

		if (len >= sizeof(line)) {
			json_decref(arr);
			return -1;
		}
		memcpy(line, s, len);
		line[len] = '\0';
		line[strcspn(line, "\r")] = '\0';
		s += len + (end ? 1 : 0);
		bar = strchr(line, '|');
		char *name = line, *role = (char *)(bar ? bar + 1 : "");
		if (bar)
			*(char *)bar = '\0';
		while (*name == ' ')
			name++;
		for (size_t k = strlen(name); k && name[k - 1] == ' '; k--)
			name[k - 1] = '\0';
		while (*role == ' ')
			role++;
		for (size_t k = strlen(role); k && role[k - 1] == ' '; k--)
			role[k - 1] = '\0';
		if (!*name)
			continue;
		json_t *nm = json_string(name), *rl = json_string(role);
		if (!nm || !rl) {
			json_decref(nm);
			json_decref(rl);
			json_decref(arr);
			return -1;
		}
		json_array_append_new(arr, json_pack("{s:o, s:o}", "name", nm, "role", rl));
	}
	if (!arr)
		return -1;
	return json_object_set_new(o, "bylines", arr) == 0 ? 0 : -1;
}

/* The version field as a JSON integer (a bad one is left out: the action
 * then says it is required). */
static void form_put_version(json_t *o, const struct form *fm)
{
	const char *v = form_get(fm, "version");
	char *end;
	long long n;

	if (!v)
		return;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno == 0 && end != v && *end == '\0' && n > 0)
		json_object_set_new(o, "version", json_integer(n));
}

/* ---- pages and answers ----------------------------------------------------- */

struct form_req {
	struct http_request *req;
	struct http_principal who;
	struct render_newsroom view;
	struct newsroom_ctx ctx;
	struct form form;
	int have_form;
};

/* Notices named in a redirect's query: fixed texts, so that nothing a user
 * typed travels in a URL. */
static const char *const form_notices[][2] = {
	{ "published", "Published: readers see it now." },
	{ "saved", "Draft saved." },
	{ "scheduled", "Scheduled." },
	{ "deleted", "Deleted." },
	{ "pinned", "Pinned to the top of the page." },
	{ "unpinned", "Unpinned." },
	{ "updated", "Saved: readers see the change now." },
	{ "status", "Coverage status changed." },
	{ "summary", "Summary saved." },
	{ "user", "User saved." },
	{ "revoked", "Token revoked." },
	{ "created", "Live page created. Readers see it once an editor publishes it." },
	{ "page-published", "The live page is published: readers see it now." },
	{ "page-unpublished", "The live page is unpublished: readers get \"not found\"." },
};

/* The notices above that say readers see a change, as they read while the page
 * is not published (an embargo): the post is on the page, readers are not. */
static const char *const form_notices_unpublished[][2] = {
	{ "published", "Published on the page: readers see it once the page is published." },
	{ "updated", "Saved: readers see the change once the page is published." },
};

static void form_view_init(struct form_req *r)
{
	const char *key = http_arg(r->req, "notice");

	r->view.site = &r->req->server->site;
	r->view.user = r->who.signed_in ? &r->who.user : NULL;
	r->view.csrf = r->who.csrf;
	r->view.may = newsroom_permissions(r->view.user);
	r->view.now = (int64_t)time(NULL);
	for (size_t i = 0; key && i < sizeof(form_notices) / sizeof(form_notices[0]); i++)
		if (strcmp(key, form_notices[i][0]) == 0)
			r->view.notice = form_notices[i][1];
	r->ctx.st = r->req->store;
	r->ctx.user = &r->who.user;
	r->ctx.media_dir = r->req->server->media_dir;
	r->ctx.now = r->view.now;
}

static enum MHD_Result form_error_page(struct form_req *r, unsigned status, const char *message)
{
	struct buf b;

	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_error(&b, &r->view, (int)status, MHD_get_reason_phrase_for(status),
			      message);
	return http_respond_private_html(r->req, status, &b, NULL);
}

unsigned http_newsroom_status(const struct newsroom_result *res)
{
	switch (res->status) {
	case NEWSROOM_OK:
		return res->body ? MHD_HTTP_OK : MHD_HTTP_NO_CONTENT;
	case NEWSROOM_CREATED:
		return MHD_HTTP_CREATED;
	case NEWSROOM_MALFORMED:
		return MHD_HTTP_BAD_REQUEST;
	case NEWSROOM_UNAUTHENTICATED:
		return MHD_HTTP_UNAUTHORIZED;
	case NEWSROOM_FORBIDDEN:
		return MHD_HTTP_FORBIDDEN;
	case NEWSROOM_NOT_FOUND:
		return MHD_HTTP_NOT_FOUND;
	case NEWSROOM_CONFLICT:
		return MHD_HTTP_CONFLICT;
	case NEWSROOM_TOO_LARGE:
		return MHD_HTTP_CONTENT_TOO_LARGE;
	case NEWSROOM_UNSUPPORTED:
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	case NEWSROOM_INVALID:
		return MHD_HTTP_UNPROCESSABLE_CONTENT;
	case NEWSROOM_RATE_LIMITED:
		return MHD_HTTP_TOO_MANY_REQUESTS;
	case NEWSROOM_UNAVAILABLE:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	case NEWSROOM_ERROR:
		break;
	}
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

/* A page that could not be read: its error page, in the forms' words for
 * "not found" and a failed database. */
static enum MHD_Result form_view_failed(struct form_req *r, struct newsroom_result *res)
{
	enum MHD_Result ret;

	if (res->status == NEWSROOM_NOT_FOUND)
		ret = form_error_page(r, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
	else if (res->status == NEWSROOM_ERROR)
		ret = form_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				      "The database failed; try again.");
	else
		ret = form_error_page(r, http_newsroom_status(res), res->message);
	newsroom_result_cleanup(res);
	return ret;
}

static enum MHD_Result form_redirect(struct form_req *r, const char *path, const char *notice)
{
	char loc[256];

	snprintf(loc, sizeof(loc), "%s%s%s", path, notice ? "?notice=" : "", notice ? notice : "");
	return http_respond_redirect(r->req, loc, NULL);
}

/* ---- GET pages ---------------------------------------------------------- */

static enum MHD_Result form_get_pages(struct form_req *r)
{
	struct newsroom_result res = { 0 };
	struct model_page *pages = NULL;
	size_t n = 0;
	struct buf b;

	if (newsroom_pages_view_get(&r->ctx, &pages, &n, &res) < 0)
		return form_view_failed(r, &res);
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_pages(&b, &r->view, pages, n);
	model_pages_free(pages, n);
	return http_respond_private_html(r->req, MHD_HTTP_OK, &b, NULL);
}

static enum MHD_Result form_get_desk(struct form_req *r, const char *slug, unsigned status)
{
	struct render_newsroom_composer refill = { 0 };
	struct newsroom_result res = { 0 };
	struct render_newsroom_desk desk = { 0 };
	struct newsroom_desk d;
	char reader[128];
	struct buf b;

	if (newsroom_desk_get(&r->ctx, slug, &d, &res) < 0)
		return form_view_failed(r, &res);
	if (!d.page.published) {
		const char *key = http_arg(r->req, "notice");

		for (size_t i = 0; key && i < sizeof(form_notices_unpublished) /
						  sizeof(form_notices_unpublished[0]); i++)
			if (strcmp(key, form_notices_unpublished[i][0]) == 0)
				r->view.notice = form_notices_unpublished[i][1];
	}
	snprintf(reader, sizeof(reader), "/live/%s", d.page.slug);
	desk.page = &d.page;
	desk.posts = d.posts;
	desk.n_posts = d.n_posts;
	desk.drafts = d.drafts;
	desk.n_drafts = d.n_drafts;
	desk.reader_url = reader;
	if (r->have_form && form_get(&r->form, "action")) {
		/* A refused composer: give back what was typed. */
		refill.title = form_get(&r->form, "title");
		refill.body = form_get(&r->form, "body");
		refill.bylines = form_get(&r->form, "bylines");
		refill.image_alt = form_get(&r->form, "image_alt");
		refill.image_credit = form_get(&r->form, "image_credit");
		refill.image_caption = form_get(&r->form, "image_caption");
		refill.embed_url = form_get(&r->form, "embed_url");
		refill.embed_title = form_get(&r->form, "embed_title");
		refill.breaking = form_get(&r->form, "breaking") != NULL;
		refill.key_event = form_get(&r->form, "key_event") != NULL;
		desk.refill = &refill;
	}
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_desk(&b, &r->view, &desk);
	newsroom_desk_cleanup(&d);
	return http_respond_private_html(r->req, status, &b, NULL);
}

/* A post's body as Markdown for an editing form, in `md` (which the caller
 * cleans up); "" if it could not be written. */
static const char *form_markdown(struct buf *md, const struct model_post *post)
{
	buf_init(md, FORM_TEXT_MAX);
	markup_body_to_markdown(md, post->blocks, post->n_blocks);
	return md->data ? md->data : "";
}

/* The post editor; with `mine` (a refused edit), the user's version beside the
 * newer one. */
static enum MHD_Result form_get_post_edit(struct form_req *r, const char *slug, int64_t id,
					  unsigned status, const struct model_post *mine)
{
	struct newsroom_result res = { 0 };
	struct render_newsroom_edit e = { 0 };
	struct newsroom_history h;
	struct buf b, md, mine_md = { 0 };

	if (newsroom_history_get(&r->ctx, slug, id, &h, &res) < 0)
		return form_view_failed(r, &res);
	e.page = &h.page;
	e.post = &h.post;
	e.body_md = form_markdown(&md, &h.post);
	e.last = h.n_revs ? &h.revs[0] : NULL;
	e.mine = mine;
	e.mine_md = mine ? form_markdown(&mine_md, mine) : NULL;
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_post_edit(&b, &r->view, &e);
	buf_cleanup(&md);
	buf_cleanup(&mine_md);
	newsroom_history_cleanup(&h);
	return http_respond_private_html(r->req, status, &b, NULL);
}

/* Every form GET handler takes the same steps (its view, render, clean up,
 * answer) around its own view type and renderer: the repetition is intended. */
static enum MHD_Result form_get_history(struct form_req *r, const char *slug, int64_t id)
{
	struct newsroom_result res = { 0 };
	struct newsroom_history h;
	struct buf b;

	if (newsroom_history_get(&r->ctx, slug, id, &h, &res) < 0)
		return form_view_failed(r, &res);
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_history(&b, &r->view, &h.page, &h.post, h.revs, h.n_revs);
	newsroom_history_cleanup(&h);
	return http_respond_private_html(r->req, MHD_HTTP_OK, &b, NULL);
}

static enum MHD_Result form_get_draft_edit(struct form_req *r, const char *slug, int64_t id,
					   unsigned status)
{
	struct newsroom_result res = { 0 };
	struct newsroom_draft_view v;
	struct buf b, md;

	if (newsroom_draft_view_get(&r->ctx, slug, id, &v, &res) < 0)
		return form_view_failed(r, &res);
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_draft_edit(&b, &r->view, &v.page, &v.draft,
				   form_markdown(&md, &v.draft.post));
	buf_cleanup(&md);
	newsroom_draft_view_cleanup(&v);
	return http_respond_private_html(r->req, status, &b, NULL);
}

/* The same steps as form_get_history() and the other form GET handlers, around
 * its own view: intended. */
static enum MHD_Result form_get_summary(struct form_req *r, const char *slug, unsigned status)
{
	struct newsroom_result res = { 0 };
	struct model_page page;
	struct buf b, md;

	if (newsroom_page_view_get(&r->ctx, slug, &page, &res) < 0)
		return form_view_failed(r, &res);
	buf_init(&md, FORM_TEXT_MAX);
	markup_summary_to_markdown(&md, &page.summary);
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_summary(&b, &r->view, &page, md.data ? md.data : "");
	buf_cleanup(&md);
	model_page_cleanup(&page);
	return http_respond_private_html(r->req, status, &b, NULL);
}

static enum MHD_Result form_get_users(struct form_req *r, unsigned status, const char *new_token)
{
	struct newsroom_result res = { 0 };
	struct newsroom_people p;
	struct buf b;

	if (newsroom_people_get(&r->ctx, &p, &res) < 0)
		return form_view_failed(r, &res);
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_users(&b, &r->view, p.users, p.n_users, p.tokens, p.n_tokens, new_token);
	newsroom_people_cleanup(&p);
	return http_respond_private_html(r->req, status, &b, NULL);
}

static enum MHD_Result form_get_audit(struct form_req *r)
{
	struct newsroom_result res = { 0 };
	struct newsroom_audit a;
	struct buf b;

	if (newsroom_audit_get(&r->ctx, http_arg(r->req, "page"), &a, &res) < 0)
		return form_view_failed(r, &res);
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_audit(&b, &r->view, a.page.id ? &a.page : NULL, a.entries, a.n);
	newsroom_audit_cleanup(&a);
	return http_respond_private_html(r->req, MHD_HTTP_OK, &b, NULL);
}

/* ---- sign in and out ---------------------------------------------------- */

static enum MHD_Result form_signin_page(struct form_req *r, unsigned status, const char *login)
{
	char token[AUTH_TOKEN_LEN + 1], cookie[256];
	struct buf b;

	http_auth_signin_token(r->req, token, cookie, sizeof(cookie));
	buf_init(&b, FORM_HTML_MAX);
	render_newsroom_signin(&b, &r->view, login, token);
	return http_respond_private_html(r->req, status, &b, cookie[0] ? cookie : NULL);
}

static enum MHD_Result form_post_signin(struct form_req *r)
{
	struct model_user user = { 0 };
	struct newsroom_result res = { 0 };
	const char *login = form_get(&r->form, "login"), *pw = form_get(&r->form, "password");
	char addr[64], cookie[256], csrf[AUTH_TOKEN_LEN + 1];
	enum newsroom_status status;
	enum MHD_Result ret;
	int retry = 0;

	if (!http_auth_signin_token_ok(r->req, form_get(&r->form, "signin_token"))) {
		r->view.notice = "The sign-in form was out of date or did not come from this "
				 "page; sign in again.";
		r->view.notice_is_error = 1;
		return form_signin_page(r, MHD_HTTP_FORBIDDEN, NULL);
	}
	http_peer_address(r->req, addr, sizeof(addr));
	status = newsroom_signin(r->ctx.st, login, pw, addr, r->view.now, &user, &res, &retry);
	/* The client's address (through a trusted proxy, the one it names), not the
	 * login, which is sometimes a password typed in the wrong field. */
	if (status == NEWSROOM_RATE_LIMITED)
		log_info("sign-in refused from %s: too many failures", addr);
	if (status != NEWSROOM_OK) {
		r->req->retry_after = retry;
		r->view.notice = res.message;
		r->view.notice_is_error = 1;
		ret = form_signin_page(r, http_newsroom_status(&res), login);
		newsroom_result_cleanup(&res);
		return ret;
	}
	if (http_auth_session_start(r->req, &user, cookie, sizeof(cookie), csrf) < 0) {
		model_user_cleanup(&user);
		return form_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "The database failed; try again.");
	}
	model_user_cleanup(&user);
	return http_respond_redirect(r->req, "/newsroom", cookie);
}

/* ---- form actions ------------------------------------------------------- */

/* The composer's image and embed fields, appended to the body as the Markdown
 * the body parser reads back as blocks. The image is stored first; alt text is
 * required before anything is stored. Returns 0, or -1 with res set. */
static int form_attachments(struct form_req *r, json_t *in, int with_image,
			    struct newsroom_result *res)
{
	const struct form_field *img = form_field(&r->form, "image");
	const char *alt = form_get(&r->form, "image_alt");
	const char *credit = form_get(&r->form, "image_credit");
	const char *caption = form_get(&r->form, "image_caption");
	const char *embed_url = form_get(&r->form, "embed_url");
	const char *embed_title = form_get(&r->form, "embed_title");
	const char *body = json_string_value(json_object_get(in, "body"));
	struct model_block blocks[2];
	size_t n = 0;
	struct newsroom_result up = { 0 };
	struct buf md, cap;
	int rc = 0;

	buf_init(&cap, 1);

	memset(blocks, 0, sizeof(blocks));
	if (with_image && img && img->is_file && img->val.len > 0) {
		if (img->val.err)
			return newsroom_fail(res, NEWSROOM_TOO_LARGE,
				       "The image is larger than 15 MiB; make it smaller.");
		if (!alt || newsroom_blank(alt))
			return newsroom_fail(res, NEWSROOM_INVALID,
				       "The image needs alt text (describe it for readers "
				       "who cannot see it).");
		newsroom_media_upload(&r->ctx, img->val.data, img->val.len, &up);
		if (up.code) {
			newsroom_fail(res, up.status, "The image: %s", up.message);
			newsroom_result_cleanup(&up);
			return -1;
		}
		blocks[n].kind = MODEL_BLOCK_IMAGE;
		blocks[n].url = (char *)json_string_value(
			json_object_get(json_object_get(up.body, "media"), "url"));
		blocks[n].alt = (char *)alt;
		blocks[n].credit = (char *)(credit ? credit : "");
		/* The caption field is plain text, as captions in the body are: what
		 * is typed is what readers see, asterisks included. */
		if (caption && *caption) {
			buf_init(&cap, FORM_TEXT_MAX);
			markup_escape(&cap, caption, strlen(caption));
			blocks[n].caption = cap.data;
		}
		n++;
	}
	if (embed_url && *embed_url) {
		blocks[n].kind = MODEL_BLOCK_EMBED;
		blocks[n].url = (char *)embed_url;
		blocks[n].text = (char *)(embed_title && *embed_title ? embed_title : embed_url);
		n++;
	}
	if (n > 0) {
		buf_init(&md, FORM_TEXT_MAX + 64 * 1024);
		if (body && *body) {
			buf_puts(&md, body);
			buf_puts(&md, "\n\n");
		}
		markup_body_to_markdown(&md, blocks, n);
		if (md.err || json_object_set_new(in, "body", json_stringn(md.data, md.len)) != 0)
			rc = newsroom_fail(res, NEWSROOM_INVALID, "The body is too long.");
		buf_cleanup(&md);
	}
	newsroom_result_cleanup(&up);
	buf_cleanup(&cap);
	return rc;
}

/* The fields a post and a draft share, from the form into JSON. */
static int form_post_fields(struct form_req *r, json_t *in)
{
	if (form_put_str(in, &r->form, "title", NULL) < 0 ||
	    form_put_str(in, &r->form, "body", NULL) < 0 || form_put_bylines(in, &r->form) < 0)
		return -1;
	form_put_check(in, &r->form, "breaking");
	form_put_check(in, &r->form, "key_event");
	return 0;
}

/* Shows the page a failed form came from again, with the reason. */
static enum MHD_Result form_failed(struct form_req *r, const char *slug,
				   const struct newsroom_result *res)
{
	r->view.notice = res->message;
	r->view.notice_is_error = 1;
	if (slug)
		return form_get_desk(r, slug, http_newsroom_status(res));
	return form_error_page(r, http_newsroom_status(res), res->message);
}

static enum MHD_Result form_post_composer(struct form_req *r, const char *slug, json_t *in)
{
	const char *action = form_get(&r->form, "action");
	struct newsroom_result res = { 0 };
	enum MHD_Result ret;
	char path[160];
	const char *notice;
	json_t *check;

	if (!action)
		action = "publish";
	if (form_post_fields(r, in) < 0) {
		newsroom_fail(&res, NEWSROOM_MALFORMED, "The form holds text that is not UTF-8.");
		goto failed;
	}
	if (strcmp(action, "schedule") == 0) {
		const char *at = form_get(&r->form, "publish_at");
		if (!at || !*at) {
			newsroom_fail(&res, NEWSROOM_INVALID, "Choose the time to publish at.");
			goto failed;
		}
		form_put_str(in, &r->form, "publish_at", NULL);
	} else if (strcmp(action, "publish") != 0 && strcmp(action, "draft") != 0) {
		newsroom_fail(&res, NEWSROOM_MALFORMED, "Unknown action.");
		goto failed;
	}
	/* Check the role before storing an image for a post that cannot be made. */
	if (strcmp(action, "draft") != 0 && newsroom_may_publish(&r->ctx, &res) < 0)
		goto failed;
	/* Everything but the image is checked before the image is stored, so a
	 * refused post leaves no files behind. */
	check = json_deep_copy(in);
	if (!check || form_attachments(r, check, 0, &res) < 0) {
		json_decref(check);
		if (!res.code)
			newsroom_fail(&res, NEWSROOM_ERROR, "Out of memory.");
		goto failed;
	}
	newsroom_post_validate(&r->ctx, slug, check, strcmp(action, "publish") != 0, &res);
	json_decref(check);
	if (res.code)
		goto failed;
	newsroom_result_cleanup(&res);
	if (form_attachments(r, in, 1, &res) < 0)
		goto failed;
	if (strcmp(action, "publish") == 0) {
		newsroom_post_create(&r->ctx, slug, in, &res);
		notice = "published";
	} else {
		newsroom_draft_create(&r->ctx, slug, in, &res);
		notice = strcmp(action, "schedule") == 0 ? "scheduled" : "saved";
	}
	if (res.code)
		goto failed;
	newsroom_result_cleanup(&res);
	snprintf(path, sizeof(path), "/newsroom/%s", slug);
	return form_redirect(r, path, notice);
failed:
	ret = form_failed(r, slug, &res);
	newsroom_result_cleanup(&res);
	return ret;
}

static enum MHD_Result form_post_edit_form(struct form_req *r, const char *slug, int64_t id,
					 json_t *in)
{
	struct newsroom_result res = { 0 };
	struct model_post mine = { 0 };
	enum MHD_Result ret;
	char path[160], err[256];
	const char *body = form_get(&r->form, "body");

	/* An empty note field keeps the current note; the checkbox removes it. */
	const char *note = form_get(&r->form, "correction");
	if (form_post_fields(r, in) < 0 ||
	    (note && !newsroom_blank(note) && form_put_str(in, &r->form, "correction", NULL) < 0)) {
		newsroom_fail(&res, NEWSROOM_MALFORMED, "The form holds text that is not UTF-8.");
		goto failed;
	}
	if ((!note || newsroom_blank(note)) && form_get(&r->form, "remove_correction"))
		json_object_set_new(in, "correction", json_string(""));
	form_put_version(in, &r->form);
	newsroom_post_edit(&r->ctx, slug, id, in, &res);
	if (!res.code) {
		newsroom_result_cleanup(&res);
		snprintf(path, sizeof(path), "/newsroom/%s", slug);
		return form_redirect(r, path, "updated");
	}
	if (res.status == NEWSROOM_CONFLICT) {
		/* Keep what they typed, beside the newer version. */
		const char *title = form_get(&r->form, "title");
		mine.title = model_strdup(title ? title : "");
		mine.breaking = form_get(&r->form, "breaking") != NULL;
		mine.key_event = form_get(&r->form, "key_event") != NULL;
		if (body && markup_body_parse(body, strlen(body), &mine.blocks, &mine.n_blocks,
					      err, sizeof(err)) < 0)
			mine.n_blocks = 0;
		if (model_json_to_bylines(json_object_get(in, "bylines"), &mine.bylines,
					  &mine.n_bylines, err, sizeof(err)) < 0)
			mine.n_bylines = 0;
		mine.correction = note && *note ? model_strdup(note) : NULL;
		r->view.notice = res.message;
		r->view.notice_is_error = 1;
		ret = form_get_post_edit(r, slug, id, MHD_HTTP_CONFLICT, &mine);
		model_post_cleanup(&mine);
		newsroom_result_cleanup(&res);
		return ret;
	}
failed:
	r->view.notice = res.message;
	r->view.notice_is_error = 1;
	ret = res.status == NEWSROOM_NOT_FOUND
		      ? form_error_page(r, MHD_HTTP_NOT_FOUND, res.message)
		      : form_get_post_edit(r, slug, id, http_newsroom_status(&res), NULL);
	newsroom_result_cleanup(&res);
	return ret;
}

static enum MHD_Result form_draft_form(struct form_req *r, const char *slug, int64_t id, json_t *in)
{
	const char *action = form_get(&r->form, "action");
	struct newsroom_result res = { 0 };
	enum MHD_Result ret;
	char path[160];
	const char *notice = "saved";

	if (!action)
		action = "draft";
	if (form_post_fields(r, in) < 0) {
		newsroom_fail(&res, NEWSROOM_MALFORMED, "The form holds text that is not UTF-8.");
		goto failed;
	}
	form_put_version(in, &r->form);
	if (strcmp(action, "schedule") == 0) {
		const char *at = form_get(&r->form, "publish_at");
		if (!at || !*at) {
			newsroom_fail(&res, NEWSROOM_INVALID, "Choose the time to publish at.");
			goto failed;
		}
		form_put_str(in, &r->form, "publish_at", NULL);
		notice = "scheduled";
	} else if (strcmp(action, "draft") == 0) {
		json_object_set_new(in, "publish_at", json_null());
	} else if (strcmp(action, "publish") == 0) {
		if (newsroom_may_publish(&r->ctx, &res) < 0)
			goto failed;
		notice = "published";
	} else {
		newsroom_fail(&res, NEWSROOM_MALFORMED, "Unknown action.");
		goto failed;
	}
	newsroom_draft_update(&r->ctx, slug, id, in, &res);
	if (!res.code && strcmp(action, "publish") == 0) {
		json_t *v = json_pack("{s:I}", "version",
				      json_integer_value(json_object_get(
					      json_object_get(res.body, "draft"), "version")));
		newsroom_result_cleanup(&res);
		newsroom_draft_publish(&r->ctx, slug, id, v, &res);
		json_decref(v);
	}
	if (res.code)
		goto failed;
	newsroom_result_cleanup(&res);
	snprintf(path, sizeof(path), "/newsroom/%s", slug);
	return form_redirect(r, path, notice);
failed:
	r->view.notice = res.message;
	r->view.notice_is_error = 1;
	ret = res.status == NEWSROOM_NOT_FOUND
		      ? form_error_page(r, MHD_HTTP_NOT_FOUND, res.message)
		      : form_get_draft_edit(r, slug, id, http_newsroom_status(&res));
	newsroom_result_cleanup(&res);
	return ret;
}

static enum MHD_Result form_summary_form(struct form_req *r, const char *slug, json_t *in)
{
	const char *kind = form_get(&r->form, "media_kind");
	struct newsroom_result res = { 0 };
	enum MHD_Result ret;
	char path[160];

	if (form_put_str(in, &r->form, "points", "points_md") < 0) {
		newsroom_fail(&res, NEWSROOM_MALFORMED, "The form holds text that is not UTF-8.");
		goto failed;
	}
	if (kind && strcmp(kind, "none") != 0 && *kind) {
		json_t *m = json_object();
		json_object_set_new(m, "kind", json_string(kind));
		if (form_put_str(m, &r->form, "media_url", "url") < 0 ||
		    form_put_str(m, &r->form, "media_alt", "alt") < 0 ||
		    form_put_str(m, &r->form, "media_caption", "caption") < 0 ||
		    form_put_str(m, &r->form, "media_credit", "credit") < 0 ||
		    form_put_str(m, &r->form, "media_poster", "poster") < 0) {
			json_decref(m);
			newsroom_fail(&res, NEWSROOM_MALFORMED,
				      "The form holds text that is not UTF-8.");
			goto failed;
		}
		json_object_set_new(in, "media", m);
	} else if (kind) {
		json_object_set_new(in, "media", json_null());
	}
	newsroom_summary_set(&r->ctx, slug, in, &res);
	if (res.code)
		goto failed;
	newsroom_result_cleanup(&res);
	snprintf(path, sizeof(path), "/newsroom/%s", slug);
	return form_redirect(r, path, "summary");
failed:
	r->view.notice = res.message;
	r->view.notice_is_error = 1;
	ret = res.status == NEWSROOM_NOT_FOUND
		      ? form_error_page(r, MHD_HTTP_NOT_FOUND, res.message)
		      : form_get_summary(r, slug, http_newsroom_status(&res));
	newsroom_result_cleanup(&res);
	return ret;
}

/* Answers a simple action: redirect on success, the desk (or the users page)
 * with the message on failure. */
static enum MHD_Result form_simple_done(struct form_req *r, struct newsroom_result *res,
				      const char *slug, const char *notice)
{
	enum MHD_Result ret;
	char path[160];

	if (res->code) {
		r->view.notice = res->message;
		r->view.notice_is_error = 1;
		if (!slug)
			ret = res->status == NEWSROOM_FORBIDDEN
				      ? form_error_page(r, MHD_HTTP_FORBIDDEN, res->message)
				      : form_get_users(r, http_newsroom_status(res), NULL);
		else
			ret = res->status == NEWSROOM_NOT_FOUND
				      ? form_error_page(r, MHD_HTTP_NOT_FOUND, res->message)
				      : form_get_desk(r, slug, http_newsroom_status(res));
	} else {
		if (slug)
			snprintf(path, sizeof(path), "/newsroom/%s", slug);
		else
			snprintf(path, sizeof(path), "/newsroom/users");
		ret = form_redirect(r, path, notice);
	}
	newsroom_result_cleanup(res);
	return ret;
}

/* ---- routing ------------------------------------------------------------ */

/* GET routes below /newsroom/, signed in. seg[0..n) are the path segments. */
static enum MHD_Result form_route_get(struct form_req *r, char **seg, size_t n)
{
	int64_t id = n >= 3 ? http_segment_id(seg[2]) : 0;

	if (n == 0)
		return form_get_pages(r);
	if (n == 1 && strcmp(seg[0], "users") == 0)
		return form_get_users(r, MHD_HTTP_OK, NULL);
	if (n == 1 && strcmp(seg[0], "audit") == 0)
		return form_get_audit(r);
	if (newsroom_slug_reserved(seg[0]) || !model_slug_valid(seg[0]))
		return form_error_page(r, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
	if (n == 1)
		return form_get_desk(r, seg[0], MHD_HTTP_OK);
	if (n == 2 && strcmp(seg[1], "summary") == 0)
		return form_get_summary(r, seg[0], MHD_HTTP_OK);
	if (n == 4 && id && strcmp(seg[1], "posts") == 0 && strcmp(seg[3], "edit") == 0)
		return form_get_post_edit(r, seg[0], id, MHD_HTTP_OK, NULL);
	if (n == 4 && id && strcmp(seg[1], "posts") == 0 && strcmp(seg[3], "history") == 0)
		return form_get_history(r, seg[0], id);
	if (n == 4 && id && strcmp(seg[1], "drafts") == 0 && strcmp(seg[3], "edit") == 0)
		return form_get_draft_edit(r, seg[0], id, MHD_HTTP_OK);
	return form_error_page(r, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
}

/* POST routes, signed in, CSRF checked. */
static enum MHD_Result form_route_post(struct form_req *r, char **seg, size_t n, json_t *in)
{
	struct newsroom_result res = { 0 };
	const char *slug = n >= 1 ? seg[0] : NULL;
	int64_t id = n >= 3 ? http_segment_id(seg[2]) : 0;
	char cookie[256];

	if (n == 1 && strcmp(seg[0], "signout") == 0) {
		http_auth_session_end(r->req, &r->who, cookie, sizeof(cookie));
		return http_respond_redirect(r->req, "/newsroom/signin", cookie);
	}
	if (n == 1 && strcmp(seg[0], "pages") == 0) {
		char path[160];
		const char *s = form_get(&r->form, "slug");

		if (form_put_str(in, &r->form, "title", NULL) < 0 ||
		    form_put_str(in, &r->form, "slug", NULL) < 0 ||
		    form_put_str(in, &r->form, "description", NULL) < 0 ||
		    form_put_str(in, &r->form, "zone", NULL) < 0 ||
		    form_put_str(in, &r->form, "start", "start_at") < 0)
			newsroom_fail(&res, NEWSROOM_MALFORMED,
				      "The form holds text that is not UTF-8.");
		else
			newsroom_page_create(&r->ctx, in, &res);
		if (res.code) {
			enum MHD_Result ret;
			r->view.notice = res.message;
			r->view.notice_is_error = 1;
			ret = res.status == NEWSROOM_FORBIDDEN
				      ? form_error_page(r, MHD_HTTP_FORBIDDEN, res.message)
				      : form_get_pages(r);
			newsroom_result_cleanup(&res);
			return ret;
		}
		newsroom_result_cleanup(&res);
		snprintf(path, sizeof(path), "/newsroom/%s", s);
		return form_redirect(r, path, "created");
	}
	if (n == 1 && strcmp(seg[0], "users") == 0) {
		if (form_put_str(in, &r->form, "login", NULL) < 0 ||
		    form_put_str(in, &r->form, "display_name", NULL) < 0 ||
		    form_put_str(in, &r->form, "byline_name", NULL) < 0 ||
		    form_put_str(in, &r->form, "byline_role", NULL) < 0 ||
		    form_put_str(in, &r->form, "role", NULL) < 0 ||
		    form_put_str(in, &r->form, "password", NULL) < 0)
			newsroom_fail(&res, NEWSROOM_MALFORMED,
				      "The form holds text that is not UTF-8.");
		else
			newsroom_user_create(&r->ctx, in, &res);
		return form_simple_done(r, &res, NULL, "user");
	}
	if (n == 2 && strcmp(seg[0], "users") == 0 && http_segment_id(seg[1])) {
		if (form_put_str(in, &r->form, "role", NULL) < 0)
			newsroom_fail(&res, NEWSROOM_MALFORMED,
				      "The form holds text that is not UTF-8.");
		else {
			form_put_check(in, &r->form, "disabled");
			newsroom_user_update(&r->ctx, http_segment_id(seg[1]), in, &res);
		}
		return form_simple_done(r, &res, NULL, "user");
	}
	if (n == 1 && strcmp(seg[0], "tokens") == 0) {
		enum MHD_Result ret;

		if (form_put_str(in, &r->form, "login", NULL) < 0 ||
		    form_put_str(in, &r->form, "label", NULL) < 0)
			newsroom_fail(&res, NEWSROOM_MALFORMED,
				      "The form holds text that is not UTF-8.");
		else
			newsroom_token_create(&r->ctx, in, &res);
		if (res.code)
			return form_simple_done(r, &res, NULL, NULL);
		/* Shown once, in this answer; not a redirect, which would lose it. */
		ret = form_get_users(r, MHD_HTTP_CREATED,
				   json_string_value(json_object_get(res.body, "secret")));
		newsroom_result_cleanup(&res);
		return ret;
	}
	if (n == 3 && strcmp(seg[0], "tokens") == 0 && http_segment_id(seg[1]) &&
	    strcmp(seg[2], "revoke") == 0) {
		newsroom_token_revoke(&r->ctx, http_segment_id(seg[1]), &res);
		return form_simple_done(r, &res, NULL, "revoked");
	}
	if (!slug || newsroom_slug_reserved(slug) || !model_slug_valid(slug))
		return form_error_page(r, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
	if (n == 2 && strcmp(seg[1], "status") == 0) {
		form_put_str(in, &r->form, "status", NULL);
		newsroom_page_status(&r->ctx, slug, in, &res);
		return form_simple_done(r, &res, slug, "status");
	}
	if (n == 2 && (strcmp(seg[1], "publish") == 0 || strcmp(seg[1], "unpublish") == 0)) {
		int publish = strcmp(seg[1], "publish") == 0;

		newsroom_page_publish(&r->ctx, slug, publish, &res);
		return form_simple_done(r, &res, slug,
					publish ? "page-published" : "page-unpublished");
	}
	if (n == 2 && strcmp(seg[1], "posts") == 0)
		return form_post_composer(r, slug, in);
	if (n == 2 && strcmp(seg[1], "unpin") == 0) {
		newsroom_post_pin(&r->ctx, slug, 0, &res);
		return form_simple_done(r, &res, slug, "unpinned");
	}
	if (n == 2 && strcmp(seg[1], "summary") == 0)
		return form_summary_form(r, slug, in);
	if (n == 3 && id && strcmp(seg[1], "posts") == 0)
		return form_post_edit_form(r, slug, id, in);
	if (n == 4 && id && strcmp(seg[1], "posts") == 0 && strcmp(seg[3], "delete") == 0) {
		newsroom_post_delete(&r->ctx, slug, id, &res);
		return form_simple_done(r, &res, slug, "deleted");
	}
	if (n == 4 && id && strcmp(seg[1], "posts") == 0 && strcmp(seg[3], "pin") == 0) {
		newsroom_post_pin(&r->ctx, slug, id, &res);
		return form_simple_done(r, &res, slug, "pinned");
	}
	if (n == 3 && id && strcmp(seg[1], "drafts") == 0)
		return form_draft_form(r, slug, id, in);
	if (n == 4 && id && strcmp(seg[1], "drafts") == 0 && strcmp(seg[3], "delete") == 0) {
		newsroom_draft_delete(&r->ctx, slug, id, &res);
		return form_simple_done(r, &res, slug, "deleted");
	}
	return form_error_page(r, MHD_HTTP_NOT_FOUND, "There is nothing at this address.");
}

/* Writes "scheme://host[:port]" for the origin that `s` begins with
 * ("https://Host:443/path" gives "https://host"): scheme and host in lower
 * case, the scheme's default port left out. `rest` is what follows the scheme
 * and "://" when `scheme` is given apart (the request's own origin). Returns 0,
 * or -1 if it is not an http or https origin. */
static int form_origin_norm(const char *scheme, const char *rest, char *out, size_t len)
{
	char buf[300];
	size_t n, i;
	const char *port;

	if (!scheme) {
		const char *sep = strstr(rest, "://");

		if (!sep)
			return -1;
		if ((size_t)(sep - rest) == 5 && strncasecmp(rest, "https", 5) == 0)
			scheme = "https";
		else if ((size_t)(sep - rest) == 4 && strncasecmp(rest, "http", 4) == 0)
			scheme = "http";
		else
			return -1;
		rest = sep + 3;
	}
	n = strcspn(rest, "/?#");
	if (n == 0 || n >= sizeof(buf) || memchr(rest, '@', n))
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = (char)((rest[i] >= 'A' && rest[i] <= 'Z') ? rest[i] - 'A' + 'a' : rest[i]);
	buf[n] = '\0';
	/* The port is after the last colon, past any "[v6]". */
	port = strrchr(buf, ':');
	if (port && strchr(port, ']'))
		port = NULL;
	if (port && ((strcmp(scheme, "https") == 0 && strcmp(port, ":443") == 0) ||
		     (strcmp(scheme, "http") == 0 && strcmp(port, ":80") == 0)))
		buf[port - buf] = '\0';
	return (size_t)snprintf(out, len, "%s://%s", scheme, buf) < len ? 0 : -1;
}

/* Browsers name the page a form came from in Origin (or, older ones, in
 * Referer). A form posted from another origin is refused before anything
 * else, sign-in included: the whole origin is compared, scheme, host and port,
 * because a page on another port of the same host is another site to us (it
 * could sign a browser in as someone else). Our own origin is the Host the
 * browser asked for, with the scheme it used (through a trusted proxy). No
 * Origin and no Referer (curl, privacy settings) leaves the CSRF tokens as the
 * guard. */
static int form_same_origin(struct http_request *req)
{
	const char *origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);
	char theirs[320], ours[320];

	if (!origin)
		origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_REFERER);
	if (!origin)
		return 1;
	if (!host || form_origin_norm(NULL, origin, theirs, sizeof(theirs)) < 0 ||
	    form_origin_norm(http_request_https(req) ? "https" : "http", host, ours, sizeof(ours)) <
		0)
		return 0;
	return strcmp(theirs, ours) == 0;
}

enum MHD_Result http_newsroom_route(struct http_request *req)
{
	struct form_req r;
	char path[512], *seg[8], *save = NULL, *tok, *s;
	size_t n = 0;
	int is_get = http_is_read(req->method), is_post = strcmp(req->method, "POST") == 0;
	enum MHD_Result ret;
	json_t *in = NULL;

	memset(&r, 0, sizeof(r));
	r.req = req;
	if (strlen(req->path) >= sizeof(path))
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is nothing here.");
	snprintf(path, sizeof(path), "%s", req->path + strlen("/newsroom"));
	for (s = path; (tok = strtok_r(s, "/", &save)) != NULL; s = NULL) {
		if (n == sizeof(seg) / sizeof(seg[0]))
			return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is nothing here.");
		seg[n++] = tok;
	}
	if (!is_get && !is_post)
		return http_respond_error(req, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "The newsroom's pages take GET and POST.");
	if (http_auth_resolve(req, &r.who) < 0) {
		const char *code;

		return http_respond_error(req, http_auth_failure(req, &code),
					  "The database cannot be read just now; try again.");
	}
	form_view_init(&r);
	if (is_post && !form_same_origin(req)) {
		ret = form_error_page(&r, MHD_HTTP_FORBIDDEN,
				    "This form was sent from another site; nothing was changed.");
		goto out;
	}
	if (is_post && form_parse(req, &r.form) < 0) {
		ret = form_error_page(&r, MHD_HTTP_BAD_REQUEST,
				    "The form could not be read (it must be urlencoded or "
				    "multipart, with at most 40 fields).");
		goto out;
	}
	r.have_form = is_post;

	if (n == 1 && strcmp(seg[0], "signin") == 0) {
		if (is_post)
			ret = form_post_signin(&r);
		else if (r.who.signed_in)
			ret = http_respond_redirect(req, "/newsroom", NULL);
		else
			ret = form_signin_page(&r, MHD_HTTP_OK, NULL);
		goto out;
	}
	if (!r.who.signed_in) {
		if (is_get)
			ret = http_respond_redirect(req, "/newsroom/signin", NULL);
		else
			ret = form_signin_page(&r, MHD_HTTP_UNAUTHORIZED, NULL);
		goto out;
	}
	if (is_get) {
		ret = form_route_get(&r, seg, n);
		goto out;
	}
	if (!http_auth_csrf_ok(&r.who, form_get(&r.form, "csrf"))) {
		ret = form_error_page(&r, MHD_HTTP_FORBIDDEN,
				    "This form is out of date or did not come from the newsroom's "
				    "own page; nothing was changed. Go back, reload and try again.");
		goto out;
	}
	in = json_object();
	ret = in ? form_route_post(&r, seg, n, in) : MHD_NO;
out:
	json_decref(in);
	if (r.have_form)
		form_cleanup(&r.form);
	http_principal_cleanup(&r.who);
	return ret;
}

/* The form half of http_newsroom_route(), for the fuzz target (http_internal.h). */
int http_newsroom_form_json(struct http_request *req, json_t *in)
{
	struct form_req r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.req = req;
	if (form_parse(req, &r.form) < 0)
		return -1;
	rc = form_post_fields(&r, in);
	if (rc == 0 && form_put_str(in, &r.form, "publish_at", NULL) < 0)
		rc = -1;
	form_put_version(in, &r.form);
	form_cleanup(&r.form);
	return rc;
}

/* ---- uploaded images ------------------------------------------------------ */

/* A file missing from this node's media folder, from the store: written into
 * the folder for the next request (by whichever worker gets there first; a
 * name means one content, so a race is harmless) and answered from memory.
 * NULL with *status 404 when the store has no such file, 503 when it cannot
 * say. */
static struct MHD_Response *http_media_fill(struct http_request *req, const char *file,
					    unsigned *status)
{
	struct MHD_Response *resp;
	void *data = NULL;
	size_t len = 0;
	int rc = store_media_file_get(req->store, file, &data, &len);

	if (rc < 0) {
		*status = rc == STORE_ENOTFOUND ? MHD_HTTP_NOT_FOUND : MHD_HTTP_SERVICE_UNAVAILABLE;
		if (rc != STORE_ENOTFOUND)
			log_warnx("media: %s: %s", file, store_errmsg(req->store));
		return NULL;
	}
	/* Serving does not wait on the cache: a full disk costs a read next time. */
	if (media_file_write(req->server->media_dir, file, data, len) < 0)
		log_warn("media: caching %s in %s", file, req->server->media_dir);
	resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(data);
		*status = 0;
	}
	req->answer_bytes = len;
	return resp;
}

enum MHD_Result http_media_route(struct http_request *req)
{
	const char *file = req->path + strlen("/media/");
	const char *type = media_content_type(file);
	struct MHD_Response *resp;
	struct stat stbuf;
	unsigned status = 0;
	char full[1024];
	int fd;

	if (!req->server->media_dir || !type || !media_file_valid(file))
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such image.");
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", req->server->media_dir, file) >=
	    sizeof(full))
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such image.");
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && (fstat(fd, &stbuf) < 0 || !S_ISREG(stbuf.st_mode))) {
		close(fd);
		return http_respond_error(req, MHD_HTTP_NOT_FOUND, "There is no such image.");
	}
	if (fd >= 0) {
		resp = MHD_create_response_from_fd((uint64_t)stbuf.st_size, fd);
		if (!resp) {
			close(fd);
			return MHD_NO;
		}
		req->answer_bytes = (uint64_t)stbuf.st_size;
	} else {
		/* The folder is a cache of the store's files (every node has its
		 * own): a miss is read from the store once. */
		resp = http_media_fill(req, file, &status);
		if (!resp && status == MHD_HTTP_NOT_FOUND)
			return http_respond_error(req, status, "There is no such image.");
		if (!resp && status) {
			req->retry_after = HTTP_BUSY_RETRY_S;
			return http_respond_error(req, status,
						  "The image cannot be read just now; try again.");
		}
		if (!resp)
			return MHD_NO;
	}
	/* Named by content: the bytes at this address never change. */
	if (MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_IF_NONE_MATCH)) {
		MHD_destroy_response(resp);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, HTTP_CC_STATIC);
		return http_respond(req, MHD_HTTP_NOT_MODIFIED, resp, HTTP_HEADERS_READER);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, HTTP_CC_STATIC);
	snprintf(full, sizeof(full), "\"%.32s\"", file);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, full);
	http_cork(req);
	/* CSP: default-src 'none', by the image's Content-Type. */
	return http_respond(req, MHD_HTTP_OK, resp, HTTP_HEADERS_READER);
}
