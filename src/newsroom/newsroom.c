/*
 * The newsroom's actions on pages, posts, drafts, media and previews. See
 * newsroom.h. Each action: check the role, load what it acts on, validate the
 * input completely, then make one store call (or one transaction), so a refused
 * request changes nothing.
 */
#include "newsroom/newsroom_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "markup/markup.h"
#include "markup/markup_body.h"
#include "media/media.h"
#include "model/model_json.h"
#include "model/model_limits.h"
#include "render/render.h"
#include "render/render_limits.h"
#include "store/store_media.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/tz.h"

/* ---- results and fields ------------------------------------------------- */

void newsroom_result_cleanup(struct newsroom_result *res)
{
	json_decref(res->body);
	res->body = NULL;
}

/* docs/api.md's error codes, by status. */
static const char *const newsroom_codes[] = {
	[NEWSROOM_MALFORMED] = "bad_request",
	[NEWSROOM_UNAUTHENTICATED] = "unauthenticated",
	[NEWSROOM_FORBIDDEN] = "forbidden",
	[NEWSROOM_NOT_FOUND] = "not_found",
	[NEWSROOM_CONFLICT] = "conflict",
	[NEWSROOM_TOO_LARGE] = "too_large",
	[NEWSROOM_UNSUPPORTED] = "unsupported_media_type",
	[NEWSROOM_INVALID] = "invalid",
	[NEWSROOM_RATE_LIMITED] = "rate_limited",
	[NEWSROOM_UNAVAILABLE] = "unavailable",
	[NEWSROOM_ERROR] = "internal",
};

int newsroom_fail(struct newsroom_result *res, enum newsroom_status status, const char *fmt, ...)
{
	va_list ap;

	if ((unsigned)status >= sizeof(newsroom_codes) / sizeof(newsroom_codes[0]) ||
	    !newsroom_codes[status])
		status = NEWSROOM_ERROR; /* a success is no error: a bug, said loudly */
	json_decref(res->body);
	res->body = NULL;
	res->status = status;
	res->code = newsroom_codes[status];
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* A success of `status` answering `body` (NULL: nothing). */
static void newsroom_succeed(struct newsroom_result *res, enum newsroom_status status, json_t *body)
{
	json_decref(res->body);
	res->status = status;
	res->code = NULL;
	res->message[0] = '\0';
	res->body = body;
}

void newsroom_ok(struct newsroom_result *res, json_t *body)
{
	if (!body)
		newsroom_fail(res, NEWSROOM_ERROR, "Out of memory.");
	else
		newsroom_succeed(res, NEWSROOM_OK, body);
}

void newsroom_created(struct newsroom_result *res, json_t *body)
{
	if (!body)
		newsroom_fail(res, NEWSROOM_ERROR, "Out of memory.");
	else
		newsroom_succeed(res, NEWSROOM_CREATED, body);
}

void newsroom_done(struct newsroom_result *res)
{
	newsroom_succeed(res, NEWSROOM_OK, NULL);
}

void newsroom_json_push(json_t **arr, json_t *item)
{
	if (!*arr) {
		json_decref(item);
		return;
	}
	/* json_array_append_new() takes the item's reference even when it fails. */
	if (!item || json_array_append_new(*arr, item) != 0) {
		json_decref(*arr);
		*arr = NULL;
	}
}

json_t *newsroom_wrap(const char *key, json_t *value)
{
	json_t *o;

	if (!value)
		return NULL;
	o = json_object();
	if (!o || json_object_set_new(o, key, value) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int newsroom_store_fail(const struct newsroom_ctx *c, struct newsroom_result *res, int rc,
			const char *what)
{
	switch (rc) {
	case STORE_ENOTFOUND:
		return newsroom_fail(res, NEWSROOM_NOT_FOUND, "No such %s.", what);
	case STORE_EEXIST:
		return newsroom_fail(res, NEWSROOM_CONFLICT, "That %s already exists.", what);
	case STORE_ECONFLICT:
		return newsroom_fail(res, NEWSROOM_CONFLICT,
			       "This %s was changed by someone else since you opened it.", what);
	case STORE_EINVAL:
		return newsroom_fail(res, NEWSROOM_INVALID, "%s", store_errmsg(c->st));
	case STORE_EMOVED: /* the worker's timer says so loudly in the log */
		return newsroom_fail(res, NEWSROOM_UNAVAILABLE,
			       "The server's database file was deleted or replaced: nothing "
			       "can be saved until the server is restarted. Nothing was changed.");
	default:
		log_warnx("newsroom: %s: %s", what, store_errmsg(c->st));
		/* The connection went, perhaps after COMMIT was sent: whether the
		 * change was saved is not known here, so we do not say it was not. */
		if (store_unreachable(c->st))
			return newsroom_fail(res, NEWSROOM_UNAVAILABLE,
				       "The database cannot be reached just now, so this %s may "
				       "not have been saved. Check in a moment, once it is back, "
				       "before trying again.", what);
		return newsroom_fail(res, NEWSROOM_ERROR,
			       "The database failed; nothing was changed. Try again.");
	}
}

int newsroom_need(const struct newsroom_ctx *c, struct newsroom_result *res,
		  enum auth_action action)
{
	if (auth_can(c->user->role, action))
		return 0;
	return newsroom_fail(res, NEWSROOM_FORBIDDEN, "Your role (%s) does not allow this.",
			     model_role_name(c->user->role));
}

int newsroom_need_object(const json_t *in, struct newsroom_result *res)
{
	if (json_is_object(in))
		return 0;
	return newsroom_fail(res, NEWSROOM_MALFORMED, "The request body must be a JSON object.");
}

int newsroom_blank(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return *s == '\0';
}

int newsroom_get_str(const json_t *in, const char *key, int required, size_t max, int multiline,
		     const char **out, struct newsroom_result *res)
{
	const json_t *v = json_object_get(in, key);
	const unsigned char *p;
	size_t len;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required == NEWSROOM_REQUIRED)
			return newsroom_fail(res, NEWSROOM_INVALID, "\"%s\" is required.", key);
		return 0;
	}
	if (!json_is_string(v))
		return newsroom_fail(res, NEWSROOM_MALFORMED, "\"%s\" must be a string.", key);
	len = json_string_length(v);
	p = (const unsigned char *)json_string_value(v);
	if (len > max)
		return newsroom_fail(res, NEWSROOM_INVALID,
				     "\"%s\" is too long (at most %zu bytes).", key, max);
	if (strlen((const char *)p) != len)
		return newsroom_fail(res, NEWSROOM_MALFORMED, "\"%s\" holds a NUL character.", key);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == 0x7f || (p[i] < 0x20 && !(multiline && (p[i] == '\n' ||
								      p[i] == '\t' ||
								      p[i] == '\r'))))
			return newsroom_fail(res, NEWSROOM_INVALID,
					     "\"%s\" holds a control character%s.", key,
					     multiline ? "" : " or a line break");
	}
	if (required && newsroom_blank((const char *)p))
		return newsroom_fail(res, NEWSROOM_INVALID, "\"%s\" must not be empty.", key);
	*out = (const char *)p;
	return 0;
}

int newsroom_get_bool(const json_t *in, const char *key, int *out, struct newsroom_result *res)
{
	const json_t *v = json_object_get(in, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return newsroom_fail(res, NEWSROOM_MALFORMED, "\"%s\" must be true or false.", key);
	*out = json_is_true(v);
	return 0;
}

int newsroom_get_int(const json_t *in, const char *key, int required, int64_t *out,
		     struct newsroom_result *res)
{
	const json_t *v = json_object_get(in, key);

	if (!v || json_is_null(v)) {
		if (required)
			return newsroom_fail(res, NEWSROOM_INVALID, "\"%s\" is required.", key);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return newsroom_fail(res, NEWSROOM_MALFORMED, "\"%s\" must be a positive integer.",
			       key);
	*out = json_integer_value(v);
	return 0;
}

/* Every time the newsroom takes is within model_time_sane()'s range: invalid
 * otherwise, with the field's name. */
static int newsroom_time_in_range(const char *key, int64_t t, struct newsroom_result *res)
{
	if (model_time_sane(t, (int64_t)time(NULL)))
		return 0;
	return newsroom_fail(res, NEWSROOM_INVALID,
			     "\"%s\" must be a time " MODEL_TIME_RANGE_TEXT ".", key);
}

int newsroom_get_time(const json_t *in, const char *key, const char *zone, int64_t *out,
		      struct newsroom_result *res)
{
	const char *s;

	if (newsroom_get_str(in, key, 0, 64, 0, &s, res) < 0)
		return -1;
	*out = 0;
	if (!s || !*s)
		return 0;
	if (tz_parse_iso(s, zone, out) < 0)
		return newsroom_fail(res, NEWSROOM_INVALID,
			       "\"%s\" is not a time (for example 2025-02-17T10:37:00Z, or "
			       "2025-02-17T10:37 in the page's time zone).", key);
	return newsroom_time_in_range(key, *out, res);
}

/* ---- loading ------------------------------------------------------------ */

int newsroom_load_page(const struct newsroom_ctx *c, const char *slug, struct model_page *page,
		       struct newsroom_result *res)
{
	int rc;

	if (!model_slug_valid(slug))
		return newsroom_fail(res, NEWSROOM_NOT_FOUND, "No such live page.");
	rc = store_page_get(c->st, slug, page);
	if (rc < 0)
		return newsroom_store_fail(c, res, rc, "live page");
	return 0;
}

int newsroom_open_page(const struct newsroom_ctx *c, enum auth_action action,
		       const char *slug, struct model_page *page, struct newsroom_result *res)
{
	if (newsroom_need(c, res, action) < 0)
		return -1;
	return newsroom_load_page(c, slug, page, res);
}

int newsroom_load_post(const struct newsroom_ctx *c, const struct model_page *page, int64_t id,
		       struct model_post *post, struct newsroom_result *res)
{
	int rc = store_post_get(c->st, page->id, id, post);

	if (rc < 0)
		return newsroom_store_fail(c, res, rc, "post");
	return 0;
}

static int newsroom_load_draft(const struct newsroom_ctx *c, const struct model_page *page,
			       int64_t id, struct model_draft *d, struct newsroom_result *res)
{
	int rc = store_draft_get(c->st, page->id, id, d);

	if (rc < 0)
		return newsroom_store_fail(c, res, rc, "draft");
	return 0;
}

static json_t *newsroom_page_json(const struct newsroom_ctx *c, const char *slug)
{
	struct model_page page = { 0 };
	json_t *j;

	if (store_page_get(c->st, slug, &page) < 0)
		return NULL;
	j = newsroom_wrap("page", model_json_page(&page));
	model_page_cleanup(&page);
	return j;
}

static json_t *newsroom_post_json(const struct model_page *page, const struct model_post *post)
{
	return newsroom_wrap("post", model_json_post(post, page->zone));
}

/* ---- post input ----------------------------------------------------------- */

/* Bylines from "bylines": [{"name","role"}...]. */
static int newsroom_get_bylines(const json_t *in, struct model_post *post,
				struct newsroom_result *res)
{
	const json_t *arr = json_object_get(in, "bylines"), *b;
	struct model_byline *out;
	size_t i, n;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return newsroom_fail(res, NEWSROOM_MALFORMED, "\"bylines\" must be a list.");
	n = json_array_size(arr);
	if (n > MODEL_BYLINES_MAX)
		return newsroom_fail(res, NEWSROOM_INVALID, "At most %d bylines.",
				     MODEL_BYLINES_MAX);
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out)
		return newsroom_fail(res, NEWSROOM_ERROR, "Out of memory.");
	json_array_foreach(arr, i, b) {
		const char *name, *role;

		if (!json_is_object(b) ||
		    newsroom_get_str(b, "name", 1, MODEL_NAME_MAX, 0, &name, res) < 0 ||
		    newsroom_get_str(b, "role", 0, MODEL_NAME_MAX, 0, &role, res) < 0) {
			if (!json_is_object(b))
				newsroom_fail(res, NEWSROOM_MALFORMED,
					"Each byline must be {\"name\", \"role\"}.");
			for (size_t k = 0; k < i; k++) {
				free(out[k].name);
				free(out[k].role);
			}
			free(out);
			return -1;
		}
		out[i].name = model_strdup(name);
		out[i].role = model_strdup(role ? role : "");
	}
	for (size_t k = 0; k < post->n_bylines; k++) {
		free(post->bylines[k].name);
		free(post->bylines[k].role);
	}
	free(post->bylines);
	post->bylines = out;
	post->n_bylines = n;
	return 0;
}

/* The author's default byline, for posts that name none. */
static void newsroom_default_byline(const struct newsroom_ctx *c, struct model_post *post)
{
	const struct model_user *u = c->user;

	post->bylines = calloc(1, sizeof(*post->bylines));
	if (!post->bylines)
		return;
	post->bylines[0].name = model_strdup(u->byline_name && *u->byline_name ? u->byline_name
									       : u->display_name);
	post->bylines[0].role = model_strdup(u->byline_role ? u->byline_role : "");
	post->n_bylines = 1;
}

/* Every image needs alt text: readers who cannot see it are readers too. */
static int newsroom_check_blocks(const struct model_block *b, size_t n, struct newsroom_result *res)
{
	size_t image = 0;

	for (size_t i = 0; i < n; i++) {
		if (b[i].kind != MODEL_BLOCK_IMAGE)
			continue;
		image++;
		if (!b[i].alt || !*b[i].alt)
			return newsroom_fail(res, NEWSROOM_INVALID,
				       "Image %zu needs alt text (describe it for readers who "
				       "cannot see it).", image);
	}
	return 0;
}

/* Fills `post` from the input. With `partial`, absent fields keep what the post
 * has; otherwise "title" is required and absent fields take defaults. */
static int newsroom_post_input(const struct newsroom_ctx *c, const struct model_page *page,
			       const json_t *in, struct model_post *post, int partial,
			       struct newsroom_result *res)
{
	const char *title, *body;
	int64_t at = 0;
	char err[256];

	if (newsroom_need_object(in, res) < 0)
		return -1;
	if (newsroom_get_str(in, "title", partial ? NEWSROOM_NOT_BLANK : NEWSROOM_REQUIRED,
			     MODEL_TITLE_MAX, 0, &title, res) < 0 ||
	    newsroom_get_str(in, "body", 0, MODEL_BODY_MAX, 1, &body, res) < 0 ||
	    newsroom_get_bool(in, "breaking", &post->breaking, res) < 0 ||
	    newsroom_get_bool(in, "key_event", &post->key_event, res) < 0 ||
	    newsroom_get_time(in, "published_at", page->zone, &at, res) < 0 ||
	    newsroom_get_bylines(in, post, res) < 0)
		return -1;
	if (title) {
		free(post->title);
		post->title = model_strdup(title);
	}
	if (body) {
		struct model_block *blocks = NULL;
		size_t n = 0;

		if (markup_body_parse(body, strlen(body), &blocks, &n, err, sizeof(err)) < 0)
			return newsroom_fail(res, NEWSROOM_INVALID, "The body: %s.", err);
		for (size_t i = 0; i < post->n_blocks; i++)
			model_block_cleanup(&post->blocks[i]);
		free(post->blocks);
		post->blocks = blocks;
		post->n_blocks = n;
	}
	if (at)
		post->published_at = at;
	if (!partial && !post->published_at)
		post->published_at = c->now;
	if (!partial && !json_object_get(in, "bylines"))
		newsroom_default_byline(c, post);
	if (newsroom_check_blocks(post->blocks, post->n_blocks, res) < 0)
		return -1;
	/* Whatever the Markdown became must fit a reader's page. */
	if (render_post_fits(page, post, err, sizeof(err)) < 0)
		return newsroom_fail(res, NEWSROOM_INVALID, "%s", err);
	return 0;
}

/* ---- pages ---------------------------------------------------------------- */

int newsroom_slug_reserved(const char *slug)
{
	static const char *const words[] = { "signin", "signout", "users", "tokens",
					     "audit", "pages" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(slug, words[i]) == 0)
			return 1;
	return 0;
}

/* Alike in shape to newsroom_admin_list() (permission, list, JSON array), by
 * intent: the list, its store call and its JSON are each its own. */
void newsroom_pages_list(const struct newsroom_ctx *c, struct newsroom_result *res)
{
	struct model_page *pages = NULL;
	size_t n = 0;
	json_t *arr;
	int rc;

	if (newsroom_need(c, res, AUTH_NEWSROOM_READ) < 0)
		return;
	rc = store_page_list(c->st, &pages, &n);
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, "live page");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		newsroom_json_push(&arr, model_json_page(&pages[i]));
	model_pages_free(pages, n);
	newsroom_ok(res, newsroom_wrap("pages", arr));
}

void newsroom_page_get(const struct newsroom_ctx *c, const char *slug, struct newsroom_result *res)
{
	struct model_page page = { 0 };

	if (newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, &page, res) < 0)
		return;
	res->id = page.id;
	newsroom_ok(res, newsroom_wrap("page", model_json_page(&page)));
	model_page_cleanup(&page);
}

/* Title, description, zone and start of a page from the input. */
static int newsroom_page_input(const json_t *in, struct model_page *page, int partial,
			       struct newsroom_result *res)
{
	const char *title, *desc, *zone;
	int64_t start = 0;

	if (newsroom_need_object(in, res) < 0)
		return -1;
	if (newsroom_get_str(in, "title", partial ? NEWSROOM_NOT_BLANK : NEWSROOM_REQUIRED,
			     MODEL_TITLE_MAX, 0, &title, res) < 0 ||
	    newsroom_get_str(in, "description", 0, MODEL_DESC_MAX, 1, &desc, res) < 0 ||
	    newsroom_get_str(in, "zone", 0, 64, 0, &zone, res) < 0)
		return -1;
	if (zone && *zone) {
		if (!tz_valid(zone))
			return newsroom_fail(res, NEWSROOM_INVALID,
				       "\"%s\" is not a time zone (use a name such as "
				       "Europe/London).", zone);
		free(page->zone);
		page->zone = model_strdup(zone);
	}
	if (!page->zone)
		page->zone = model_strdup(MODEL_DEFAULT_ZONE);
	if (newsroom_get_time(in, "start_at", page->zone, &start, res) < 0)
		return -1;
	if (title) {
		free(page->title);
		page->title = model_strdup(title);
	}
	if (desc) {
		free(page->description);
		page->description = model_strdup(desc);
	}
	if (!page->description)
		page->description = model_strdup("");
	if (json_object_get(in, "start_at"))
		page->start_at = start;
	return 0;
}

void newsroom_page_create(const struct newsroom_ctx *c, const json_t *in,
			  struct newsroom_result *res)
{
	struct model_page page = { 0 };
	const char *slug;
	int rc;

	if (newsroom_need(c, res, AUTH_PAGE_ADMIN) < 0)
		return;
	if (newsroom_need_object(in, res) < 0)
		return;
	if (newsroom_get_str(in, "slug", 1, MODEL_SLUG_MAX, 0, &slug, res) < 0)
		return;
	if (newsroom_slug_reserved(slug)) {
		newsroom_fail(res, NEWSROOM_INVALID,
			"\"%s\" is a word the newsroom uses; choose another address name.", slug);
		return;
	}
	if (!model_slug_valid(slug)) {
		newsroom_fail(res, NEWSROOM_INVALID,
			"The address name must be 1 to " MODEL_STR(MODEL_SLUG_MAX)
			" characters of a-z, 0-9 and '-', "
			"not starting or ending with '-'.");
		return;
	}
	page.slug = model_strdup(slug);
	if (newsroom_page_input(in, &page, 0, res) == 0) {
		page.status = MODEL_STATUS_UPCOMING;
		page.published = 0; /* readers see it once an editor publishes it */
		rc = store_page_create(c->st, c->user->id, &page);
		if (rc == STORE_EEXIST)
			newsroom_fail(res, NEWSROOM_CONFLICT,
				      "A live page at /live/%s already exists.", slug);
		else if (rc < 0)
			newsroom_store_fail(c, res, rc, "live page");
		else {
			res->id = page.id;
			newsroom_created(res, newsroom_page_json(c, slug));
		}
	}
	model_page_cleanup(&page);
}

void newsroom_page_update(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			  struct newsroom_result *res)
{
	struct model_page page = { 0 };
	int rc;

	if (newsroom_open_page(c, AUTH_PAGE_ADMIN, slug, &page, res) < 0)
		return;
	if (newsroom_page_input(in, &page, 1, res) == 0) {
		rc = store_page_update(c->st, c->user->id, &page);
		if (rc < 0)
			newsroom_store_fail(c, res, rc, "live page");
		else
			newsroom_ok(res, newsroom_page_json(c, slug));
	}
	model_page_cleanup(&page);
}

void newsroom_page_status(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			  struct newsroom_result *res)
{
	struct model_page page = { 0 };
	const char *s;
	int st, rc;

	if (newsroom_need(c, res, AUTH_PAGE_STATUS) < 0)
		return;
	if (newsroom_need_object(in, res) < 0)
		return;
	if (newsroom_get_str(in, "status", 1, 16, 0, &s, res) < 0)
		return;
	st = model_status_parse(s);
	if (st < 0) {
		newsroom_fail(res, NEWSROOM_INVALID, "\"status\" is upcoming, live or ended.");
		return;
	}
	if (newsroom_load_page(c, slug, &page, res) < 0)
		return;
	res->id = page.id;
	if (page.status != (enum model_status)st) {
		rc = store_page_set_status(c->st, c->user->id, page.id, (enum model_status)st);
		if (rc < 0) {
			newsroom_store_fail(c, res, rc, "live page");
			model_page_cleanup(&page);
			return;
		}
	}
	model_page_cleanup(&page);
	newsroom_ok(res, newsroom_page_json(c, slug));
}

void newsroom_page_publish(const struct newsroom_ctx *c, const char *slug, int published,
			   struct newsroom_result *res)
{
	struct model_page page = { 0 };
	int rc;

	if (newsroom_open_page(c, AUTH_PAGE_PUBLISH, slug, &page, res) < 0)
		return;
	res->id = page.id;
	rc = store_page_set_published(c->st, c->user->id, page.id, published, NULL);
	model_page_cleanup(&page);
	if (rc < 0)
		newsroom_store_fail(c, res, rc, "live page");
	else
		newsroom_ok(res, newsroom_page_json(c, slug));
}

/* The featured media of a summary: {"kind","url","alt","caption","poster",
 * "credit"} or null. */
static int newsroom_summary_media(const json_t *m, struct model_summary *sum,
				  struct newsroom_result *res)
{
	const char *kind, *url, *alt, *caption, *poster, *credit;

	if (!m)
		return 0;
	free(sum->media_url);
	free(sum->media_alt);
	free(sum->media_caption);
	free(sum->media_poster);
	free(sum->media_credit);
	sum->media_url = sum->media_alt = sum->media_caption = NULL;
	sum->media_poster = sum->media_credit = NULL;
	sum->media_kind = MODEL_MEDIA_NONE;
	if (json_is_null(m))
		return 0;
	if (!json_is_object(m))
		return newsroom_fail(res, NEWSROOM_MALFORMED,
				     "\"media\" must be an object or null.");
	if (newsroom_get_str(m, "kind", 1, 16, 0, &kind, res) < 0 ||
	    newsroom_get_str(m, "url", 1, MODEL_URL_MAX, 0, &url, res) < 0 ||
	    newsroom_get_str(m, "alt", 0, MODEL_NOTE_MAX, 0, &alt, res) < 0 ||
	    newsroom_get_str(m, "caption", 0, MODEL_NOTE_MAX, 0, &caption, res) < 0 ||
	    newsroom_get_str(m, "poster", 0, MODEL_URL_MAX, 0, &poster, res) < 0 ||
	    newsroom_get_str(m, "credit", 0, MODEL_NAME_MAX, 0, &credit, res) < 0)
		return -1;
	if (strcmp(kind, "image") == 0)
		sum->media_kind = MODEL_MEDIA_IMAGE;
	else if (strcmp(kind, "video") == 0)
		sum->media_kind = MODEL_MEDIA_VIDEO;
	else
		return newsroom_fail(res, NEWSROOM_INVALID, "The media kind is image or video.");
	if (!markup_url_allowed(url))
		return newsroom_fail(res, NEWSROOM_INVALID,
			       "The media address must start with https://, http:// or /.");
	if (poster && *poster && (sum->media_kind != MODEL_MEDIA_VIDEO || !markup_url_allowed(poster)))
		return newsroom_fail(res, NEWSROOM_INVALID,
			       "A poster is for a video, and its address must start with https://, "
			       "http:// or /.");
	if (sum->media_kind == MODEL_MEDIA_IMAGE && (!alt || newsroom_blank(alt)))
		return newsroom_fail(res, NEWSROOM_INVALID, "The featured image needs alt text.");
	sum->media_url = model_strdup(url);
	sum->media_alt = model_strdup(alt ? alt : "");
	sum->media_caption = caption && *caption ? model_strdup(caption) : NULL;
	sum->media_poster = poster && *poster ? model_strdup(poster) : NULL;
	sum->media_credit = credit && *credit ? model_strdup(credit) : NULL;
	return 0;
}

void newsroom_summary_set(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			  struct newsroom_result *res)
{
	struct model_page page = { 0 };
	const json_t *points, *p;
	const char *md;
	size_t i;
	char err[256];
	int rc;

	if (newsroom_need(c, res, AUTH_SUMMARY_EDIT) < 0)
		return;
	if (newsroom_need_object(in, res) < 0)
		return;
	if (newsroom_load_page(c, slug, &page, res) < 0)
		return;
	points = json_object_get(in, "points");
	if (newsroom_get_str(in, "points_md", 0, MODEL_SUMMARY_MAX, 1, &md, res) < 0)
		goto out;
	if (md) {
		/* The form's Markdown list. */
		if (markup_summary_parse(md, strlen(md), &page.summary, err, sizeof(err)) < 0) {
			newsroom_fail(res, NEWSROOM_INVALID, "The key points: %s.", err);
			goto out;
		}
	} else if (points) {
		char **list;
		size_t n, total = 0;

		if (!json_is_array(points)) {
			newsroom_fail(res, NEWSROOM_MALFORMED,
				      "\"points\" must be a list of strings.");
			goto out;
		}
		n = json_array_size(points);
		if (n > MODEL_POINTS_MAX) {
			newsroom_fail(res, NEWSROOM_INVALID, "At most %d key points.",
				      MODEL_POINTS_MAX);
			goto out;
		}
		json_array_foreach(points, i, p) {
			const unsigned char *s = (const unsigned char *)json_string_value(p);
			if (!s) {
				newsroom_fail(res, NEWSROOM_MALFORMED,
					      "Each key point must be a string.");
				goto out;
			}
			if (strlen((const char *)s) != json_string_length(p)) {
				newsroom_fail(res, NEWSROOM_MALFORMED,
					      "Key point %zu holds a NUL character.", i + 1);
				goto out;
			}
			if (json_string_length(p) > MODEL_POINT_MAX ||
			    newsroom_blank((const char *)s)) {
				newsroom_fail(res, NEWSROOM_INVALID,
					"Key point %zu is empty or too long (at most %d bytes).",
					i + 1, MODEL_POINT_MAX);
				goto out;
			}
			total += json_string_length(p);
			if (total > MODEL_SUMMARY_MAX) {
				newsroom_fail(res, NEWSROOM_INVALID,
					"The key points are too long together (at most %d bytes).",
					MODEL_SUMMARY_MAX);
				goto out;
			}
			for (; *s; s++)
				if (*s < 0x20 || *s == 0x7f) {
					newsroom_fail(res, NEWSROOM_INVALID,
						"Key point %zu holds a line break or control "
						"character.", i + 1);
					goto out;
				}
		}
		list = calloc(n ? n : 1, sizeof(*list));
		if (!list) {
			newsroom_fail(res, NEWSROOM_ERROR, "Out of memory.");
			goto out;
		}
		json_array_foreach(points, i, p)
			list[i] = model_strdup(json_string_value(p));
		for (size_t k = 0; k < page.summary.n_points; k++)
			free(page.summary.points[k]);
		free(page.summary.points);
		page.summary.points = list;
		page.summary.n_points = n;
	}
	if (newsroom_summary_media(json_object_get(in, "media"), &page.summary, res) < 0)
		goto out;
	if (render_summary_fits(&page, err, sizeof(err)) < 0) {
		newsroom_fail(res, NEWSROOM_INVALID, "%s", err);
		goto out;
	}
	rc = store_page_set_summary(c->st, c->user->id, page.id, &page.summary);
	if (rc < 0)
		newsroom_store_fail(c, res, rc, "live page");
	else
		newsroom_ok(res, newsroom_page_json(c, slug));
out:
	model_page_cleanup(&page);
}

/* ---- posts ---------------------------------------------------------------- */

void newsroom_posts_list(const struct newsroom_ctx *c, const char *slug, size_t page_no,
			 struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_post *posts = NULL;
	size_t n = 0, first, want, count;
	json_t *arr;
	int rc;

	if (newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, &page, res) < 0)
		return;
	count = render_page_count(page.n_posts);
	if (page_no == 0)
		page_no = count;
	if (page_no > count) {
		newsroom_fail(res, NEWSROOM_NOT_FOUND, "This live page has %zu pages of posts.",
			      count);
		model_page_cleanup(&page);
		return;
	}
	render_page_range(page.n_posts, page_no, &first, &want);
	rc = store_post_range(c->st, page.id, first, want, &posts, &n);
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, "post");
		model_page_cleanup(&page);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		posts[i].pinned = posts[i].id == page.pinned_post_id;
		newsroom_json_push(&arr, model_json_post(&posts[i], page.zone));
	}
	model_posts_free(posts, n);
	model_page_cleanup(&page);
	newsroom_ok(res, newsroom_wrap("posts", arr));
}

/* One body for newsroom_post_get() and newsroom_draft_get(): they differ only
 * in the loader and the JSON. */
static void newsroom_item_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
			      int draft, struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_draft d = { 0 };
	int rc;

	if (newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, &page, res) < 0)
		return;
	rc = draft ? newsroom_load_draft(c, &page, id, &d, res)
		   : newsroom_load_post(c, &page, id, &d.post, res);
	if (rc == 0) {
		res->id = id;
		newsroom_ok(res, draft ? newsroom_wrap("draft", newsroom_json_draft(&d))
				       : newsroom_post_json(&page, &d.post));
	}
	model_draft_cleanup(&d);
	model_page_cleanup(&page);
}

void newsroom_post_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
		       struct newsroom_result *res)
{
	newsroom_item_get(c, slug, id, 0, res);
}

void newsroom_draft_get(const struct newsroom_ctx *c, const char *slug, int64_t id,
			struct newsroom_result *res)
{
	newsroom_item_get(c, slug, id, 1, res);
}

/* Its prologue is alike to newsroom_draft_create()'s by intent: both open the
 * page and read the post's fields with the shared helpers; what follows differs. */
void newsroom_post_create(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			  struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_post post = { 0 };
	int rc;

	if (newsroom_open_page(c, AUTH_POST_PUBLISH, slug, &page, res) < 0)
		return;
	if (newsroom_post_input(c, &page, in, &post, 0, res) == 0) {
		rc = store_post_insert(c->st, c->user->id, page.id, &post);
		if (rc < 0) {
			newsroom_store_fail(c, res, rc, "post");
		} else {
			res->id = post.id;
			post.version = 1;
			newsroom_created(res, newsroom_post_json(&page, &post));
		}
	}
	model_post_cleanup(&post);
	model_page_cleanup(&page);
}

/* A conflict message that says who got there first. */
static void newsroom_conflict(const struct newsroom_ctx *c, const struct model_page *page,
			      int64_t post_id, struct newsroom_result *res)
{
	struct model_revision *revs = NULL;
	struct tz_view v;
	size_t n = 0;

	if (store_revision_list(c->st, page->id, post_id, &revs, &n) == 0 && n > 0 &&
	    tz_view(page->zone, revs[0].at, &v) == 0)
		newsroom_fail(res, NEWSROOM_CONFLICT,
			"%s changed this post at %s (version %lld) after you opened it; your "
			"change was not saved. Look at their version, then apply your change "
			"to it.", revs[0].user_name, v.hm, (long long)revs[0].version);
	else
		newsroom_fail(res, NEWSROOM_CONFLICT,
			"Someone changed this post after you opened it; your change was not "
			"saved.");
	model_revisions_free(revs, n);
}

void newsroom_post_edit(const struct newsroom_ctx *c, const char *slug, int64_t id,
			const json_t *in, struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_post post = { 0 };
	struct store_edit edit = { 0 };
	int64_t version = 0;
	int rc;

	if (newsroom_open_page(c, AUTH_POST_EDIT, slug, &page, res) < 0)
		return;
	if (newsroom_load_post(c, &page, id, &post, res) < 0)
		goto out;
	if (newsroom_need_object(in, res) < 0)
		goto out;
	if (newsroom_get_int(in, "version", 1, &version, res) < 0 ||
	    newsroom_get_str(in, "correction", 0, MODEL_NOTE_MAX, 0, &edit.correction, res) < 0 ||
	    newsroom_post_input(c, &page, in, &post, 1, res) < 0)
		goto out;
	if (edit.correction && newsroom_blank(edit.correction))
		edit.correction = ""; /* "" removes the note; absent keeps it */
	if (version != post.version) {
		newsroom_conflict(c, &page, id, res);
		goto out;
	}
	edit.expected_version = version;
	rc = store_post_edit(c->st, c->user->id, &post, &edit);
	if (rc == STORE_ECONFLICT)
		newsroom_conflict(c, &page, id, res);
	else if (rc < 0)
		newsroom_store_fail(c, res, rc, "post");
	else {
		model_post_cleanup(&post);
		if (newsroom_load_post(c, &page, id, &post, res) == 0) {
			res->id = id;
			post.pinned = post.id == page.pinned_post_id;
			newsroom_ok(res, newsroom_post_json(&page, &post));
		}
	}
out:
	model_post_cleanup(&post);
	model_page_cleanup(&page);
}

void newsroom_post_delete(const struct newsroom_ctx *c, const char *slug, int64_t id,
			  struct newsroom_result *res)
{
	struct model_page page = { 0 };
	int rc;

	if (newsroom_open_page(c, AUTH_POST_DELETE, slug, &page, res) < 0)
		return;
	rc = store_post_delete(c->st, c->user->id, page.id, id);
	if (rc < 0)
		newsroom_store_fail(c, res, rc, "post");
	else {
		res->id = id;
		newsroom_done(res);
	}
	model_page_cleanup(&page);
}

void newsroom_post_pin(const struct newsroom_ctx *c, const char *slug, int64_t id,
		       struct newsroom_result *res)
{
	struct model_page page = { 0 };
	int rc = 0;

	if (newsroom_open_page(c, AUTH_POST_PIN, slug, &page, res) < 0)
		return;
	if (page.pinned_post_id != id)
		rc = store_page_set_pin(c->st, c->user->id, page.id, id);
	if (rc < 0)
		newsroom_store_fail(c, res, rc, "post");
	else {
		res->id = id;
		newsroom_ok(res, newsroom_page_json(c, slug));
	}
	model_page_cleanup(&page);
}

static json_t *newsroom_json_revision(const struct model_revision *r, const char *zone)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:o, s:s, s:o}",
			      "id", (json_int_t)r->id, "version", (json_int_t)r->version,
			      "user_id", (json_int_t)r->user_id,
			      "user_name", r->user_name ? r->user_name : "",
			      "at", model_json_time(r->at), "what", r->what ? r->what : "",
			      "post", model_json_post(&r->post, zone));

	if (o && r->correction)
		json_object_set_new(o, "correction", json_string(r->correction));
	return o;
}

/* One body for newsroom_revisions_list() (a post's, `revisions` set) and
 * newsroom_drafts_list() (the page's): they differ only in the store call and
 * the JSON. */
static void newsroom_page_list(const struct newsroom_ctx *c, const char *slug, int revisions,
			       int64_t post_id, struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_revision *revs = NULL;
	struct model_draft *d = NULL;
	size_t n = 0;
	json_t *arr;
	int rc;

	if (newsroom_open_page(c, AUTH_NEWSROOM_READ, slug, &page, res) < 0)
		return;
	rc = revisions ? store_revision_list(c->st, page.id, post_id, &revs, &n)
		       : store_draft_list(c->st, page.id, &d, &n);
	if (revisions && rc == 0 && n == 0)
		rc = STORE_ENOTFOUND; /* every post has at least its first revision */
	if (rc < 0) {
		newsroom_store_fail(c, res, rc, revisions ? "post" : "draft");
	} else {
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			newsroom_json_push(&arr, revisions
						 ? newsroom_json_revision(&revs[i], page.zone)
						 : newsroom_json_draft(&d[i]));
		newsroom_ok(res, newsroom_wrap(revisions ? "revisions" : "drafts", arr));
	}
	model_revisions_free(revs, revisions ? n : 0);
	model_drafts_free(d, revisions ? 0 : n);
	model_page_cleanup(&page);
}

void newsroom_revisions_list(const struct newsroom_ctx *c, const char *slug, int64_t id,
			     struct newsroom_result *res)
{
	newsroom_page_list(c, slug, 1, id, res);
}

/* ---- drafts ----------------------------------------------------------------- */

json_t *newsroom_json_draft(const struct model_draft *d)
{
	json_t *o = json_pack(
	    "{s:I, s:I, s:s, s:s, s:o, s:I, s:o, s:o, s:o}", "id", (json_int_t)d->id, "author_id",
	    (json_int_t)d->author_id, "author_name", d->author_name ? d->author_name : "", "state",
	    d->state == MODEL_DRAFT_SCHEDULED ? "scheduled" : "draft", "publish_at",
	    model_json_time(d->publish_at), "version", (json_int_t)d->version, "created_at",
	    model_json_time(d->created_at), "updated_at", model_json_time(d->updated_at), "post",
	    model_json_post(&d->post, NULL));
	return o;
}

/* "publish_at": absent keeps the state, null or "" makes it a draft, a time
 * schedules it (editors only, and not in the past). */
static int newsroom_draft_schedule(const struct newsroom_ctx *c, const struct model_page *page,
				   const json_t *in, struct model_draft *d,
				   struct newsroom_result *res)
{
	const json_t *v = json_object_get(in, "publish_at");
	int64_t at = 0;

	if (!v)
		return 0;
	if (newsroom_get_time(in, "publish_at", page->zone, &at, res) < 0)
		return -1;
	if (at == 0) {
		d->state = MODEL_DRAFT_SAVED;
		d->publish_at = 0;
		return 0;
	}
	if (!auth_can(c->user->role, AUTH_POST_PUBLISH))
		return newsroom_fail(res, NEWSROOM_FORBIDDEN,
				     "Your role (%s) can save drafts; an editor schedules them.",
				     model_role_name(c->user->role));
	if (at < c->now - 60)
		return newsroom_fail(res, NEWSROOM_INVALID,
			       "That time has passed; publish now or choose a later time.");
	d->state = MODEL_DRAFT_SCHEDULED;
	d->publish_at = at;
	return 0;
}

/* Contributors touch only their own drafts, and not once an editor has
 * scheduled one (that would change what goes out unreviewed). */
static int newsroom_draft_mine(const struct newsroom_ctx *c, const struct model_draft *d,
			       struct newsroom_result *res)
{
	if (auth_can(c->user->role, AUTH_DRAFT_ANY))
		return 0;
	if (d->author_id != c->user->id)
		return newsroom_fail(res, NEWSROOM_FORBIDDEN,
			       "This draft is %s's; only its author or an editor may change it.",
			       d->author_name ? d->author_name : "someone else");
	if (d->state == MODEL_DRAFT_SCHEDULED)
		return newsroom_fail(res, NEWSROOM_FORBIDDEN,
			       "An editor scheduled this post; ask an editor to change it.");
	return 0;
}

void newsroom_drafts_list(const struct newsroom_ctx *c, const char *slug,
			  struct newsroom_result *res)
{
	newsroom_page_list(c, slug, 0, 0, res);
}

/* Its prologue is alike to newsroom_post_create()'s by intent: both open the
 * page and read the post's fields with the shared helpers; what follows differs. */
void newsroom_draft_create(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			   struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_draft d = { 0 };
	int rc;

	if (newsroom_open_page(c, AUTH_DRAFT_WRITE, slug, &page, res) < 0)
		return;
	if (newsroom_post_input(c, &page, in, &d.post, 0, res) == 0 &&
	    newsroom_draft_schedule(c, &page, in, &d, res) == 0) {
		d.post.published_at = 0; /* a draft's time is when it is published */
		rc = store_draft_create(c->st, c->user->id, page.id, &d);
		if (rc < 0) {
			newsroom_store_fail(c, res, rc, "draft");
		} else {
			int64_t id = d.id;

			model_draft_cleanup(&d);
			memset(&d, 0, sizeof(d));
			res->id = id;
			if (newsroom_load_draft(c, &page, id, &d, res) == 0)
				newsroom_created(res,
						 newsroom_wrap("draft", newsroom_json_draft(&d)));
		}
	}
	model_draft_cleanup(&d);
	model_page_cleanup(&page);
}

void newsroom_draft_update(const struct newsroom_ctx *c, const char *slug, int64_t id,
			   const json_t *in, struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_draft d = { 0 };
	int64_t version = 0;
	int rc;

	if (newsroom_open_page(c, AUTH_DRAFT_WRITE, slug, &page, res) < 0)
		return;
	if (newsroom_load_draft(c, &page, id, &d, res) < 0)
		goto out;
	if (newsroom_draft_mine(c, &d, res) < 0)
		goto out;
	if (newsroom_need_object(in, res) < 0)
		goto out;
	if (newsroom_get_int(in, "version", 1, &version, res) < 0 ||
	    newsroom_post_input(c, &page, in, &d.post, 1, res) < 0 ||
	    newsroom_draft_schedule(c, &page, in, &d, res) < 0)
		goto out;
	rc = version == d.version ? store_draft_update(c->st, c->user->id, &d, version)
				  : STORE_ECONFLICT;
	if (rc == STORE_ECONFLICT) {
		newsroom_fail(res, NEWSROOM_CONFLICT,
			"This draft was saved by someone else (now version %lld) after you "
			"opened it; your change was not saved.", (long long)d.version);
	} else if (rc < 0) {
		newsroom_store_fail(c, res, rc, "draft");
	} else {
		model_draft_cleanup(&d);
		memset(&d, 0, sizeof(d));
		if (newsroom_load_draft(c, &page, id, &d, res) == 0) {
			res->id = id;
			newsroom_ok(res, newsroom_wrap("draft", newsroom_json_draft(&d)));
		}
	}
out:
	model_draft_cleanup(&d);
	model_page_cleanup(&page);
}

void newsroom_draft_delete(const struct newsroom_ctx *c, const char *slug, int64_t id,
			   struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_draft d = { 0 };
	int rc;

	if (newsroom_open_page(c, AUTH_DRAFT_WRITE, slug, &page, res) < 0)
		return;
	if (newsroom_load_draft(c, &page, id, &d, res) == 0 &&
	    newsroom_draft_mine(c, &d, res) == 0) {
		rc = store_draft_delete(c->st, c->user->id, page.id, id);
		if (rc < 0)
			newsroom_store_fail(c, res, rc, "draft");
		else {
			res->id = id;
			newsroom_done(res);
		}
	}
	model_draft_cleanup(&d);
	model_page_cleanup(&page);
}

void newsroom_draft_publish(const struct newsroom_ctx *c, const char *slug, int64_t id,
			    const json_t *in, struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_post post = { 0 };
	int64_t version = 0, post_id = 0;
	int rc;

	if (newsroom_open_page(c, AUTH_POST_PUBLISH, slug, &page, res) < 0)
		return;
	if (in && newsroom_get_int(in, "version", 0, &version, res) < 0)
		goto out;
	rc = store_draft_publish(c->st, c->user->id, page.id, id, version, c->now, &post_id);
	if (rc == STORE_ECONFLICT) {
		newsroom_fail(res, NEWSROOM_CONFLICT,
			"This draft was saved again after you opened it; look at it before "
			"publishing.");
	} else if (rc < 0) {
		newsroom_store_fail(c, res, rc, "draft");
	} else if (newsroom_load_post(c, &page, post_id, &post, res) == 0) {
		res->id = post_id;
		newsroom_created(res, newsroom_post_json(&page, &post));
	}
out:
	model_post_cleanup(&post);
	model_page_cleanup(&page);
}

/* ---- checking without writing -------------------------------------------- */

void newsroom_post_validate(const struct newsroom_ctx *c, const char *slug, const json_t *in,
			    int as_draft, struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_draft d = { 0 };

	if (newsroom_open_page(c, as_draft ? AUTH_DRAFT_WRITE : AUTH_POST_PUBLISH, slug, &page,
			       res) < 0)
		return;
	if (newsroom_post_input(c, &page, in, &d.post, 0, res) == 0 &&
	    (!as_draft || newsroom_draft_schedule(c, &page, in, &d, res) == 0))
		newsroom_done(res);
	model_draft_cleanup(&d);
	model_page_cleanup(&page);
}

/* ---- media and preview --------------------------------------------------- */

/* Stores the record of an ingested image with the bytes of every copy
 * media_ingest() left in the media folder, in one write: the folder is only
 * this node's cache, and the store is what every node serves from. A copy
 * that cannot be read back is STORE_ERR, with the reason in the log. */
static int newsroom_media_store(const struct newsroom_ctx *c, const struct media_image *img,
				const struct model_media *m)
{
	struct store_media_file files[MEDIA_N_WIDTHS] = { 0 };
	void *data[MEDIA_N_WIDTHS] = { 0 };
	char names[MEDIA_N_WIDTHS][64];
	int rc = STORE_ERR, i;

	for (i = 0; i < img->n_widths; i++) {
		if (media_file_name(img, i, names[i], sizeof(names[i])) < 0 ||
		    media_file_read(c->media_dir, names[i], &data[i], &files[i].len) < 0) {
			log_warn("newsroom: media: reading back %s", names[i]);
			goto out;
		}
		files[i].file = names[i];
		files[i].data = data[i];
	}
	rc = store_media_add_files(c->st, c->user->id, m, files, (size_t)img->n_widths);
out:
	for (i = 0; i < MEDIA_N_WIDTHS; i++)
		free(data[i]);
	return rc;
}

void newsroom_media_upload(const struct newsroom_ctx *c, const void *data, size_t len,
			   struct newsroom_result *res)
{
	struct media_image img;
	struct model_media m = { 0 };
	char err[256], widths[64] = "";
	json_t *w;
	int rc;

	if (newsroom_need(c, res, AUTH_MEDIA_UPLOAD) < 0)
		return;
	if (!c->media_dir) {
		newsroom_fail(res, NEWSROOM_ERROR, "This server has no media folder.");
		return;
	}
	rc = media_ingest(c->media_dir, data, len, &img, err, sizeof(err));
	switch (rc) {
	case MEDIA_OK:
		break;
	case MEDIA_EFORMAT:
		newsroom_fail(res, NEWSROOM_UNSUPPORTED, "%s", err);
		return;
	case MEDIA_ETOOBIG:
		newsroom_fail(res, NEWSROOM_TOO_LARGE, "%s", err);
		return;
	case MEDIA_EDECODE:
	case MEDIA_ECOSTLY: /* well formed, but made (or saved) to be slow to open */
		newsroom_fail(res, NEWSROOM_INVALID, "%s", err);
		return;
	default:
		log_warnx("newsroom: media: %s", err);
		newsroom_fail(res, NEWSROOM_ERROR, "The image could not be stored; try again.");
		return;
	}
	w = json_array();
	for (int i = 0; i < img.n_widths; i++) {
		json_array_append_new(w, json_integer(img.widths[i]));
		snprintf(widths + strlen(widths), sizeof(widths) - strlen(widths), "%s%d",
			 i ? "," : "", img.widths[i]);
	}
	m.name = img.name;
	m.format = (char *)img.format;
	m.width = img.width;
	m.height = img.height;
	m.widths = widths;
	m.bytes = (int64_t)len;
	m.user_id = c->user->id;
	m.created_at = c->now;
	rc = newsroom_media_store(c, &img, &m);
	if (rc < 0) {
		json_decref(w);
		newsroom_store_fail(c, res, rc, "image");
		return;
	}
	newsroom_created(res, newsroom_wrap("media", json_pack("{s:s, s:s, s:s, s:i, s:i, s:o}",
						   "name", img.name, "url", img.url,
						   "format", img.format, "width", img.width,
						   "height", img.height, "widths", w)));
}

void newsroom_preview(const struct newsroom_ctx *c, const json_t *in, struct newsroom_result *res)
{
	struct model_page page = { 0 };
	struct model_post post = { 0 };
	const char *slug = NULL;
	struct buf b;
	json_t *title_default = NULL;

	if (newsroom_need(c, res, AUTH_NEWSROOM_READ) < 0)
		return;
	if (newsroom_need_object(in, res) < 0)
		return;
	if (newsroom_get_str(in, "slug", 0, MODEL_SLUG_MAX, 0, &slug, res) < 0)
		return;
	if (slug && *slug) {
		if (newsroom_load_page(c, slug, &page, res) < 0)
			return;
	} else {
		page.slug = model_strdup("preview");
		page.title = model_strdup("");
		page.zone = model_strdup(MODEL_DEFAULT_ZONE);
	}
	/* A preview may be asked for before the title is typed. */
	if (!json_object_get(in, "title")) {
		title_default = json_deep_copy(in);
		json_object_set_new(title_default, "title", json_string("(no title yet)"));
		in = title_default;
	}
	if (newsroom_post_input(c, &page, in, &post, 0, res) == 0) {
		buf_init(&b, 4 * 1024 * 1024);
		render_post_html(&b, &page, &post);
		if (b.err)
			newsroom_fail(res, NEWSROOM_TOO_LARGE, "The preview is too large.");
		else
			newsroom_ok(res, newsroom_wrap("html", json_stringn(b.data, b.len)));
		buf_cleanup(&b);
	}
	json_decref(title_default);
	model_post_cleanup(&post);
	model_page_cleanup(&page);
}
