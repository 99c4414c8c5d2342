/*
 * Unit tests for newsroom/: every action of newsroom.h run as each role against
 * a real store in a fresh temporary folder, with JSON input as the transports
 * build it. Each test checks the answer (status, error code, the JSON body) and
 * then the store: whether the post, draft, user or token exists, whether the
 * change log grew, and whether the audit trail names the right actor (the
 * user of the context each call is given, as http/ passes it). Refused
 * requests must change nothing.
 */
#include "unit.h"

#include <dirent.h>
#include <ftw.h>
#include <time.h>

#include <vips/vips.h>

#include "auth/auth.h"
#include "media/media.h"
#include "model/model_limits.h"
#include "newsroom/newsroom.h"
#include "store/store_media.h"
#include "store/store_newsroom.h"
#include "util/log.h"

#define PASSWORD "correct horse battery"
#define SLUG     "ukraine"

#define CONTRIB MODEL_ROLE_CONTRIBUTOR
#define EDITOR  MODEL_ROLE_EDITOR
#define ADMIN   MODEL_ROLE_ADMIN

/* Argon2id is slow on purpose: the fixture users share one hash of PASSWORD. */
static char pw_hash[AUTH_HASH_MAX];

struct fx {
	char dir[64];
	char db[128];
	char media[128];
	struct store *st;
	struct model_user user[3]; /* by role */
	struct newsroom_ctx ctx[3];
	int64_t page_id;
	int64_t now;
};

/* JSON inputs made by a test, released at teardown. */
static json_t *pool[512];
static size_t n_pool;

static json_t *keep(json_t *j)
{
	if (!j)
		fail_msg("could not build the JSON input");
	assert_true(n_pool < sizeof(pool) / sizeof(pool[0]));
	pool[n_pool++] = j;
	return j;
}

/* json_pack with the reference kept for teardown. */
static json_t *jp(const char *fmt, ...)
{
	json_error_t e;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	j = json_vpack_ex(&e, 0, fmt, ap);
	va_end(ap);
	if (!j)
		fail_msg("json_pack \"%s\": %s", fmt, e.text);
	return keep(j);
}

/* json_loads of literal JSON text. */
static json_t *jl(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	if (!j)
		fail_msg("json_loads %s: %s", text, e.text);
	return keep(j);
}

/* ---- fixture ---------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	static const char *logins[] = { "cora", "ed", "ada" };
	static const char *names[] = { "Cora Contributor", "Ed Editor", "Ada Admin" };
	static const char *bnames[] = { "Cora C.", "", "" };
	static const char *broles[] = { "Kyiv", "", "Admin desk" };
	struct fx *f = calloc(1, sizeof(*f));
	struct model_page p = { 0 };
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/liveline-nr-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/news.db", f->dir);
	snprintf(f->media, sizeof(f->media), "%s/media", f->dir);
	f->st = store_open(f->db, err, sizeof(err));
	if (!f->st)
		fail_msg("store_open: %s", err);
	for (int r = 0; r < 3; r++) {
		struct model_user u = { 0 };

		u.login = (char *)logins[r];
		u.display_name = (char *)names[r];
		u.byline_name = (char *)bnames[r];
		u.byline_role = (char *)broles[r];
		u.role = (enum model_role)r;
		if (store_user_create(f->st, 0, &u, pw_hash) != 0)
			fail_msg("store_user_create: %s", store_errmsg(f->st));
		assert_int_equal(store_user_get(f->st, u.id, &f->user[r]), 0);
	}
	p.slug = SLUG;
	p.title = "Ukraine war: live";
	p.description = "Live coverage";
	p.zone = MODEL_DEFAULT_ZONE;
	p.status = MODEL_STATUS_LIVE;
	p.published = 1;
	if (store_page_create(f->st, 0, &p) != 0)
		fail_msg("store_page_create: %s", store_errmsg(f->st));
	f->page_id = p.id;
	f->now = (int64_t)time(NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < n_pool; i++)
		json_decref(pool[i]);
	n_pool = 0;
	store_close(f->st);
	for (int r = 0; r < 3; r++)
		model_user_cleanup(&f->user[r]);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* The context of a request by the fixture user of role `r`: the actor travels
 * in it, as the transports pass it. */
static const struct newsroom_ctx *as(struct fx *f, enum model_role r)
{
	f->ctx[r].st = f->st;
	f->ctx[r].user = &f->user[r];
	f->ctx[r].media_dir = f->media;
	f->ctx[r].now = f->now;
	return &f->ctx[r];
}

/* A result ready for the next call. */
static struct newsroom_result *fresh(struct newsroom_result *r)
{
	newsroom_result_cleanup(r);
	memset(r, 0, sizeof(*r));
	return r;
}

/* EXPECT's status: NEWSROOM_OK with nothing to say (the API's 204). */
#define OK_EMPTY (-1)

static void expect_at(const struct newsroom_result *r, int status, const char *code, int line)
{
	int empty = status == OK_EMPTY;

	if (empty) {
		if (r->body)
			fail_msg("line %d: expected no body", line);
		status = NEWSROOM_OK;
	}
	if ((int)r->status != status || (code == NULL) != (r->code == NULL) ||
	    (code && strcmp(code, r->code) != 0))
		fail_msg("line %d: expected %d %s, got %d %s: %s", line, status,
			 code ? code : "(ok)", r->status, r->code ? r->code : "(ok)", r->message);
	if (code && !r->message[0])
		fail_msg("line %d: an error without a message", line);
	if (code && r->body)
		fail_msg("line %d: an error with a body", line);
	if (!code && !empty && !r->body)
		fail_msg("line %d: a success without a body", line);
}
#define EXPECT(r, status, code) expect_at((r), (status), (code), __LINE__)

static void expect_msg_at(const struct newsroom_result *r, const char *part, int line)
{
	if (!strstr(r->message, part))
		fail_msg("line %d: message \"%s\" does not say \"%s\"", line, r->message, part);
}
#define EXPECT_MSG(r, part) expect_msg_at((r), (part), __LINE__)

/* A value in a JSON document by a dotted path of keys and array indexes
 * ("post.bylines.0.name"); NULL when absent. */
static const json_t *jget(const json_t *j, const char *path)
{
	char key[64];

	while (j && *path) {
		size_t n = strcspn(path, ".");

		assert_true(n < sizeof(key));
		memcpy(key, path, n);
		key[n] = '\0';
		if (json_is_array(j))
			j = json_array_get(j, strtoul(key, NULL, 10));
		else
			j = json_object_get(j, key);
		path += n + (path[n] == '.');
	}
	return j;
}

static const char *jstr(const json_t *j, const char *path)
{
	const json_t *v = jget(j, path);

	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	return json_string_value(v);
}

static int64_t jint(const json_t *j, const char *path)
{
	const json_t *v = jget(j, path);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return json_integer_value(v);
}

static size_t jlen(const json_t *j, const char *path)
{
	const json_t *v = jget(j, path);

	if (!json_is_array(v))
		fail_msg("%s is not a list", path);
	return json_array_size(v);
}

/* ---- the store's state -------------------------------------------------------- */

static size_t n_changes(struct fx *f)
{
	struct store_change *c = NULL;
	size_t n = 0;

	assert_int_equal(store_changes_since(f->st, 0, 100000, &c, &n), 0);
	store_changes_free(c, n);
	return n;
}

/* The newest change log entry. */
static struct store_change last_change(struct fx *f)
{
	struct store_change *c = NULL, out;
	size_t n = 0;

	assert_int_equal(store_changes_since(f->st, 0, 100000, &c, &n), 0);
	assert_true(n > 0);
	out = c[n - 1];
	store_changes_free(c, n);
	return out;
}

static size_t n_posts(struct fx *f, const char *slug)
{
	struct model_page p = { 0 };
	size_t n;

	assert_int_equal(store_page_get(f->st, slug, &p), 0);
	n = p.n_posts;
	model_page_cleanup(&p);
	return n;
}

static size_t n_audit(struct fx *f)
{
	struct model_audit *a = NULL;
	size_t n = 0;

	assert_int_equal(store_audit_list(f->st, 0, 100000, &a, &n), 0);
	model_audit_free(a, n);
	return n;
}

/* The newest audit entry is `action` by `user_id` (and about `post_id` when not
 * negative). */
static void expect_audit_at(struct fx *f, const char *action, int64_t user_id,
			    int64_t post_id, int line)
{
	struct model_audit *a = NULL;
	size_t n = 0;

	assert_int_equal(store_audit_list(f->st, 0, 1, &a, &n), 0);
	if (n != 1)
		fail_msg("line %d: no audit entry", line);
	if (strcmp(a[0].action, action) != 0 || a[0].user_id != user_id ||
	    (post_id >= 0 && a[0].post_id != post_id))
		fail_msg("line %d: expected audit %s by %lld (post %lld), got %s by %lld "
			 "(post %lld)",
			 line, action, (long long)user_id, (long long)post_id, a[0].action,
			 (long long)a[0].user_id, (long long)a[0].post_id);
	model_audit_free(a, n);
}
#define EXPECT_AUDIT(f, action, user_id, post_id) \
	expect_audit_at((f), (action), (user_id), (post_id), __LINE__)

static void iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	assert_non_null(gmtime_r(&tt, &tm));
	assert_true(strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
}

/* Publishes a post as the editor; returns its id. */
static int64_t make_post(struct fx *f, const char *title, const char *body)
{
	struct newsroom_result res = { 0 };
	int64_t id;

	newsroom_post_create(as(f, EDITOR), SLUG, jp("{s:s, s:s}", "title", title, "body", body), &res);
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	id = res.id;
	assert_true(id > 0);
	newsroom_result_cleanup(&res);
	return id;
}

/* Creates a draft as role `r`; returns its id. */
static int64_t make_draft(struct fx *f, enum model_role r, const char *title)
{
	struct newsroom_result res = { 0 };
	int64_t id;

	newsroom_draft_create(as(f, r), SLUG, jp("{s:s, s:s}", "title", title, "body", "Draft text"),
			&res);
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	id = res.id;
	assert_true(id > 0);
	newsroom_result_cleanup(&res);
	return id;
}

/* ---- pages ---------------------------------------------------------------------- */

static void test_pages_list_get(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };

	for (int r = 0; r < 3; r++) {
		newsroom_pages_list(as(f, r), fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_int_equal(jlen(res.body, "pages"), 1);
		assert_string_equal(jstr(res.body, "pages.0.slug"), SLUG);
		assert_string_equal(jstr(res.body, "pages.0.status"), "live");

		newsroom_page_get(as(f, r), SLUG, fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_int_equal(res.id, f->page_id);
		assert_string_equal(jstr(res.body, "page.title"), "Ukraine war: live");
		assert_string_equal(jstr(res.body, "page.zone"), MODEL_DEFAULT_ZONE);
	}
	newsroom_page_get(as(f, EDITOR), "no-such-page", fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_page_get(as(f, EDITOR), "../etc/passwd", fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_page_get(as(f, EDITOR), "", fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_result_cleanup(&res);
}

static void test_page_create(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_page p = { 0 };
	size_t changes = n_changes(f), audits = n_audit(f);
	static const char *bad_slugs[] = { "Bad Slug", "-lead", "trail-", "UPPER", "a/b",
					   "a_b", "ü", "a.b" };
	static const char *reserved[] = { "users", "signin", "signout", "tokens", "audit",
					  "pages" };
	char long_slug[82];

	/* Contributors and editors may not. */
	for (int r = CONTRIB; r <= EDITOR; r++) {
		newsroom_page_create(as(f, r), jp("{s:s, s:s}", "slug", "new-page", "title", "New"),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	}
	assert_int_equal(store_page_get(f->st, "new-page", &p), STORE_ENOTFOUND);
	assert_int_equal(n_changes(f), changes);
	assert_int_equal(n_audit(f), audits);

	/* Admins may; a time without an offset is in the page's zone (UTC-5). */
	newsroom_page_create(as(f, ADMIN),
		       jp("{s:s, s:s, s:s, s:s, s:s}", "slug", "new-page", "title", "New page",
			  "description", "About it", "zone", "America/New_York", "start_at",
			  "2025-02-17T10:37"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_true(res.id > 0);
	assert_string_equal(jstr(res.body, "page.slug"), "new-page");
	assert_string_equal(jstr(res.body, "page.status"), "upcoming");
	assert_string_equal(jstr(res.body, "page.zone"), "America/New_York");
	assert_string_equal(jstr(res.body, "page.start_at"), "2025-02-17T15:37:00Z");
	assert_int_equal(store_page_get(f->st, "new-page", &p), 0);
	assert_int_equal(p.id, res.id);
	assert_string_equal(p.title, "New page");
	assert_string_equal(p.description, "About it");
	assert_int_equal(p.start_at, 1739806620);
	model_page_cleanup(&p);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_PAGE);
	EXPECT_AUDIT(f, "page.create", f->user[ADMIN].id, -1);
	changes = n_changes(f);

	/* Without a zone: the default. */
	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", "plain", "title", "Plain"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "page.zone"), MODEL_DEFAULT_ZONE);
	assert_string_equal(jstr(res.body, "page.description"), "");
	changes = n_changes(f);

	/* Refusals, none of which creates anything. */
	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", "new-page", "title", "Again"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	EXPECT_MSG(&res, "/live/new-page");
	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", SLUG, "title", "Again"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	for (size_t i = 0; i < sizeof(bad_slugs) / sizeof(bad_slugs[0]); i++) {
		newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", bad_slugs[i], "title", "T"),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		EXPECT_MSG(&res, "address name");
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", reserved[i], "title", "T"),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		EXPECT_MSG(&res, "the newsroom uses");
		assert_int_equal(store_page_get(f->st, reserved[i], &p), STORE_ENOTFOUND);
	}
	memset(long_slug, 'a', 81);
	long_slug[81] = '\0';
	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", long_slug, "title", "T"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", "", "title", "T"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_create(as(f, ADMIN), jp("{s:s}", "title", "No slug"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_create(as(f, ADMIN), jp("{s:i, s:s}", "slug", 5, "title", "T"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_page_create(as(f, ADMIN), jp("{s:s}", "slug", "no-title"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", "no-title", "title", "a\nb"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_create(as(f, ADMIN),
		       jp("{s:s, s:s, s:s}", "slug", "mars", "title", "T", "zone",
			  "Mars/Olympus_Mons"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "Mars/Olympus_Mons");
	newsroom_page_create(as(f, ADMIN),
		       jp("{s:s, s:s, s:s}", "slug", "soon", "title", "T", "start_at", "soon"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_create(as(f, ADMIN), jl("[\"slug\", \"x\"]"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_page_create(as(f, ADMIN), NULL, fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	assert_int_equal(n_changes(f), changes);
	assert_int_equal(store_page_get(f->st, "mars", &p), STORE_ENOTFOUND);
	assert_int_equal(store_page_get(f->st, "no-title", &p), STORE_ENOTFOUND);
	assert_int_equal(store_page_get(f->st, "soon", &p), STORE_ENOTFOUND);

	newsroom_pages_list(as(f, CONTRIB), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "pages"), 3);
	newsroom_result_cleanup(&res);
}

static void test_page_update(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_page p = { 0 };
	size_t changes = n_changes(f);

	for (int r = CONTRIB; r <= EDITOR; r++) {
		newsroom_page_update(as(f, r), SLUG, jp("{s:s}", "title", "Hijacked"), fresh(&res));
		EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	}
	newsroom_page_update(as(f, ADMIN), SLUG, jp("{s:s}", "title", "Renamed"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "page.title"), "Renamed");
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_string_equal(p.title, "Renamed");
	assert_string_equal(p.description, "Live coverage"); /* untouched */
	assert_string_equal(p.zone, MODEL_DEFAULT_ZONE);
	assert_int_equal(p.status, MODEL_STATUS_LIVE);
	model_page_cleanup(&p);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_PAGE);
	EXPECT_AUDIT(f, "page.update", f->user[ADMIN].id, -1);
	changes = n_changes(f);

	newsroom_page_update(as(f, ADMIN), SLUG, jp("{s:s}", "zone", "Nowhere/City"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_update(as(f, ADMIN), SLUG, jp("{s:s}", "title", "a\nb"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_update(as(f, ADMIN), SLUG, jp("{s:s}", "title", ""), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_update(as(f, ADMIN), SLUG, jp("{s:b}", "title", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_page_update(as(f, ADMIN), "nope", jp("{s:s}", "title", "X"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_string_equal(p.title, "Renamed");
	assert_string_equal(p.zone, MODEL_DEFAULT_ZONE);
	model_page_cleanup(&p);
	assert_int_equal(n_changes(f), changes);

	newsroom_page_update(as(f, ADMIN), SLUG,
		       jp("{s:s, s:s}", "zone", "Europe/Kyiv", "description", "New words"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "page.zone"), "Europe/Kyiv");
	assert_string_equal(jstr(res.body, "page.title"), "Renamed");
	assert_string_equal(jstr(res.body, "page.description"), "New words");
	newsroom_result_cleanup(&res);
}

static void test_page_status(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_page p = { 0 };
	size_t changes = n_changes(f);

	newsroom_page_status(as(f, CONTRIB), SLUG, jp("{s:s}", "status", "ended"), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(n_changes(f), changes);

	newsroom_page_status(as(f, EDITOR), SLUG, jp("{s:s}", "status", "ended"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "page.status"), "ended");
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_int_equal(p.status, MODEL_STATUS_ENDED);
	model_page_cleanup(&p);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_STATUS);
	EXPECT_AUDIT(f, "page.status", f->user[EDITOR].id, -1);

	/* The same status again changes nothing. */
	newsroom_page_status(as(f, EDITOR), SLUG, jp("{s:s}", "status", "ended"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(n_changes(f), changes + 1);

	newsroom_page_status(as(f, EDITOR), SLUG, jp("{s:s}", "status", "paused"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_status(as(f, EDITOR), SLUG, jp("{s:i}", "status", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_page_status(as(f, EDITOR), SLUG, jp("{}"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_page_status(as(f, EDITOR), "nope", jp("{s:s}", "status", "live"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_int_equal(n_changes(f), changes + 1);
	newsroom_result_cleanup(&res);
}

/* A page made in the newsroom starts unpublished; an editor publishes it and
 * may take it back, each a change of its own; twice changes nothing. */
static void test_page_publish(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_page p = { 0 };
	size_t changes;

	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", "embargo", "title", "Embargo"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_false(json_is_true(json_object_get(json_object_get(res.body, "page"),
						  "published")));
	assert_int_equal(store_page_get_public(f->st, "embargo", &p), STORE_ENOTFOUND);
	changes = n_changes(f);

	newsroom_page_publish(as(f, CONTRIB), "embargo", 1, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(n_changes(f), changes);

	newsroom_page_publish(as(f, EDITOR), "embargo", 1, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_true(json_object_get(json_object_get(res.body, "page"), "published")));
	assert_int_equal(store_page_get_public(f->st, "embargo", &p), 0);
	model_page_cleanup(&p);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_PUBLISH);
	EXPECT_AUDIT(f, "page.publish", f->user[EDITOR].id, -1);
	newsroom_page_publish(as(f, ADMIN), "embargo", 1, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(n_changes(f), changes + 1);

	newsroom_page_publish(as(f, CONTRIB), "embargo", 0, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	newsroom_page_publish(as(f, EDITOR), "embargo", 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_UNPUBLISH);
	assert_int_equal(store_page_get_public(f->st, "embargo", &p), STORE_ENOTFOUND);
	newsroom_page_publish(as(f, EDITOR), "nope", 1, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_result_cleanup(&res);
}

/* Times outside 2000-01-01 .. a year from now are refused wherever the
 * newsroom takes one (before, year 1 was stored and shown as "0-12-30"). */
static void test_times_in_range(void **state)
{
	static const char *bad[] = { "0001-01-01T00:00:00Z", "1999-12-31T23:59", "9999-01-01T00:00Z",
				     "1970-01-01T00:00:00Z" };
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	size_t changes = n_changes(f);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		newsroom_post_create(as(f, EDITOR), SLUG,
			       jp("{s:s, s:s, s:s}", "title", "T", "body", "x", "published_at", bad[i]),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		assert_non_null(strstr(res.message, "2000-01-01"));
		newsroom_draft_create(as(f, EDITOR), SLUG,
				jp("{s:s, s:s}", "title", "T", "publish_at", bad[i]), fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		newsroom_page_update(as(f, ADMIN), SLUG, jp("{s:s}", "start_at", bad[i]), fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
	}
	assert_int_equal(n_changes(f), changes);
	newsroom_post_create(as(f, EDITOR), SLUG,
		       jp("{s:s, s:s, s:s}", "title", "T", "body", "x", "published_at",
			  "2000-01-01T00:00:00Z"), fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_true(model_time_sane(MODEL_TIME_MIN, f->now));
	assert_false(model_time_sane(MODEL_TIME_MIN - 1, f->now));
	assert_true(model_time_sane(f->now + MODEL_TIME_AHEAD, f->now));
	assert_false(model_time_sane(f->now + MODEL_TIME_AHEAD + 1, f->now));
	newsroom_result_cleanup(&res);
}

static size_t n_points(struct fx *f)
{
	struct model_page p = { 0 };
	size_t n;

	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	n = p.summary.n_points;
	model_page_cleanup(&p);
	return n;
}

static void test_summary(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_page p = { 0 };
	size_t changes = n_changes(f);
	json_t *many;

	newsroom_summary_set(as(f, CONTRIB), SLUG, jp("{s:[s]}", "points", "Mine"), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(n_points(f), 0);

	/* A list of points. */
	newsroom_summary_set(as(f, EDITOR), SLUG,
		       jp("{s:[s, s]}", "points", "Leaders meet in *Paris*", "Talks in Riyadh"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "page.summary.points"), 2);
	assert_string_equal(jstr(res.body, "page.summary.points.0"), "Leaders meet in *Paris*");
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_int_equal(p.summary.n_points, 2);
	assert_string_equal(p.summary.points[1], "Talks in Riyadh");
	model_page_cleanup(&p);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_SUMMARY);
	EXPECT_AUDIT(f, "page.summary", f->user[EDITOR].id, -1);

	/* The form's Markdown list. */
	newsroom_summary_set(as(f, EDITOR), SLUG,
		       jp("{s:s}", "points_md", "- First point\n- Second **point**\n- Third\n"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "page.summary.points"), 3);
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_int_equal(p.summary.n_points, 3);
	assert_string_equal(p.summary.points[0], "First point");
	assert_string_equal(p.summary.points[1], "Second **point**");
	model_page_cleanup(&p);
	changes = n_changes(f);

	/* Refusals leave the three points. */
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:s}", "points_md", "Not a list at all"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:s}", "points", "one"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:[i]}", "points", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:[s, s]}", "points", "ok", "line\nbreak"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "Key point 2");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:[s]}", "points", ""), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	many = jp("{s:[]}", "points");
	for (int i = 0; i < 101; i++)
		json_array_append_new(json_object_get(many, "points"), json_string("p"));
	newsroom_summary_set(as(f, EDITOR), SLUG, many, fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:{s:s, s:s}}", "media", "kind", "image",
					       "url", "/media/x.jpg"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "alt text");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:{s:s, s:s, s:s}}", "media", "kind", "image",
					       "url", "/media/x.jpg", "alt", ""), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_summary_set(as(f, EDITOR), SLUG,
		       jp("{s:{s:s, s:s, s:s}}", "media", "kind", "image", "url",
			  "javascript:alert(1)", "alt", "A photo"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_summary_set(as(f, EDITOR), SLUG,
		       jp("{s:{s:s, s:s, s:s}}", "media", "kind", "video", "url",
			  "JavaScript:alert(1)", "alt", "A clip"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_summary_set(as(f, EDITOR), SLUG,
		       jp("{s:{s:s, s:s, s:s}}", "media", "kind", "gif", "url", "/a.gif", "alt",
			  "A"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:s}", "media", "video"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_summary_set(as(f, EDITOR), SLUG, jl("[]"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	assert_int_equal(n_points(f), 3);
	assert_int_equal(n_changes(f), changes);

	/* Media alone keeps the points. */
	newsroom_summary_set(as(f, EDITOR), SLUG,
		       jp("{s:{s:s, s:s, s:s, s:s}}", "media", "kind", "image", "url",
			  "https://img.example/a.jpg", "alt", "Leaders arrive", "caption",
			  "In *Paris*"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "page.summary.media.kind"), "image");
	assert_string_equal(jstr(res.body, "page.summary.media.alt"), "Leaders arrive");
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_int_equal(p.summary.n_points, 3);
	assert_int_equal(p.summary.media_kind, MODEL_MEDIA_IMAGE);
	assert_string_equal(p.summary.media_url, "https://img.example/a.jpg");
	assert_string_equal(p.summary.media_caption, "In *Paris*");
	model_page_cleanup(&p);

	/* A video needs no alt text; null removes the media. */
	newsroom_summary_set(as(f, EDITOR), SLUG,
		       jp("{s:{s:s, s:s}}", "media", "kind", "video", "url", "/clips/1"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "page.summary.media.kind"), "video");
	newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:n}", "media"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_null(jget(res.body, "page.summary.media")));
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_int_equal(p.summary.media_kind, MODEL_MEDIA_NONE);
	assert_int_equal(p.summary.n_points, 3);
	model_page_cleanup(&p);

	/* An empty list clears the points. */
	newsroom_summary_set(as(f, ADMIN), SLUG, jp("{s:[]}", "points"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(n_points(f), 0);
	newsroom_result_cleanup(&res);
}

/* A key point holding a NUL character is refused like every other string field
 * (newsroom_get_str answers 400), not cut short at the NUL. */
static void test_summary_point_nul(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_page p = { 0 };
	json_t *in = jp("{s:[]}", "points");

	json_array_append_new(json_object_get(in, "points"),
			      json_stringn("Ceasefire\0 talks collapse", 25));
	char why[256] = "";
	size_t n;

	newsroom_summary_set(as(f, EDITOR), SLUG, in, fresh(&res));
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	n = p.summary.n_points;
	if (res.status != NEWSROOM_MALFORMED || n != 0)
		snprintf(why, sizeof(why),
			 "expected 400 bad_request, got %d; the page now has %zu point(s), "
			 "the first \"%s\"",
			 res.status, n, n ? p.summary.points[0] : "");
	model_page_cleanup(&p);
	newsroom_result_cleanup(&res);
	if (why[0])
		fail_msg("newsroom_summary_set with a NUL in a point: %s", why);
}

/* ---- posts ------------------------------------------------------------------------ */

static void test_post_create(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_post post = { 0 };
	struct store_change ch;
	size_t changes = n_changes(f), audits = n_audit(f);
	int64_t id;

	newsroom_post_create(as(f, CONTRIB), SLUG, jp("{s:s, s:s}", "title", "Mine", "body", "x"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	EXPECT_MSG(&res, "contributor");
	assert_int_equal(n_posts(f, SLUG), 0);
	assert_int_equal(n_changes(f), changes);
	assert_int_equal(n_audit(f), audits);

	newsroom_post_create(as(f, EDITOR), SLUG,
		       jp("{s:s, s:s, s:b}", "title", "First", "body", "Hello **world**",
			  "breaking", 1),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	id = res.id;
	assert_true(id > 0);
	assert_int_equal(jint(res.body, "post.id"), id);
	assert_string_equal(jstr(res.body, "post.title"), "First");
	assert_int_equal(jint(res.body, "post.version"), 1);
	assert_true(json_is_true(jget(res.body, "post.breaking")));
	assert_true(json_is_false(jget(res.body, "post.key_event")));
	/* No bylines given: the author's default (the display name). */
	assert_int_equal(jlen(res.body, "post.bylines"), 1);
	assert_string_equal(jstr(res.body, "post.bylines.0.name"), "Ed Editor");
	assert_string_equal(jstr(res.body, "post.bylines.0.role"), "");
	assert_string_equal(jstr(res.body, "post.blocks.0.type"), "paragraph");
	assert_string_equal(jstr(res.body, "post.blocks.0.text"), "Hello **world**");

	assert_int_equal(store_post_get(f->st, f->page_id, id, &post), 0);
	assert_string_equal(post.title, "First");
	assert_int_equal(post.breaking, 1);
	assert_int_equal(post.version, 1);
	assert_int_equal(post.published_at, f->now);
	assert_int_equal(post.n_blocks, 1);
	assert_string_equal(post.blocks[0].text, "Hello **world**");
	model_post_cleanup(&post);
	assert_int_equal(n_posts(f, SLUG), 1);
	assert_int_equal(n_changes(f), changes + 1);
	ch = last_change(f);
	assert_int_equal(ch.kind, STORE_CHANGE_POST);
	assert_int_equal(ch.post_id, id);
	assert_int_equal(ch.page_id, f->page_id);
	EXPECT_AUDIT(f, "post.publish", f->user[EDITOR].id, id);

	/* Admins publish too, with their byline's name and role. */
	newsroom_post_create(as(f, ADMIN), SLUG,
		       jp("{s:s, s:s, s:s}", "title", "Second", "body", "",
			  "published_at", "2025-02-17T10:37:00Z"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "post.bylines.0.name"), "Ada Admin");
	assert_string_equal(jstr(res.body, "post.bylines.0.role"), "Admin desk");
	assert_string_equal(jstr(res.body, "post.published_at"), "2025-02-17T10:37:00Z");
	assert_int_equal(jlen(res.body, "post.blocks"), 0);
	assert_int_equal(store_post_get(f->st, f->page_id, res.id, &post), 0);
	assert_int_equal(post.published_at, 1739788620);
	model_post_cleanup(&post);
	EXPECT_AUDIT(f, "post.publish", f->user[ADMIN].id, res.id);

	/* A time without an offset is in the page's zone (London: GMT in February). */
	newsroom_post_create(as(f, EDITOR), SLUG,
		       jp("{s:s, s:s, s:b, s:[{s:s, s:s}, {s:s}]}", "title", "Third",
			  "published_at", "2025-02-17T10:38", "key_event", 1, "bylines", "name",
			  "Liza Fokht", "role", "BBC Russian, Paris", "name", "Steve Rosenberg"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_int_equal(store_post_get(f->st, f->page_id, res.id, &post), 0);
	assert_int_equal(post.published_at, 1739788680);
	assert_int_equal(post.key_event, 1);
	assert_int_equal(post.n_bylines, 2);
	assert_string_equal(post.bylines[0].name, "Liza Fokht");
	assert_string_equal(post.bylines[0].role, "BBC Russian, Paris");
	assert_string_equal(post.bylines[1].name, "Steve Rosenberg");
	assert_string_equal(post.bylines[1].role, "");
	model_post_cleanup(&post);
	assert_int_equal(n_posts(f, SLUG), 3);

	/* An explicit offset wins over the page's zone. */
	newsroom_post_create(as(f, EDITOR), SLUG,
		       jp("{s:s, s:s}", "title", "Fourth", "published_at",
			  "2025-02-17T10:37:00+01:00"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "post.published_at"), "2025-02-17T09:37:00Z");

	newsroom_post_create(as(f, EDITOR), "no-such-page", jp("{s:s}", "title", "T"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_result_cleanup(&res);
}

/* Each input is refused with `status`, and nothing is published. */
static void test_post_create_invalid(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	char title[302];
	json_t *nul, *many;
	size_t changes = n_changes(f);
	const struct {
		json_t *in;
		enum newsroom_status status;
		const char *msg;
	} cases[] = {
	    {jp("{s:s}", "body", "No title"), NEWSROOM_INVALID, "\"title\" is required"},
	    {jp("{s:n, s:s}", "title", "body", "Null title"), NEWSROOM_INVALID,
	     "\"title\" is required"},
	    {jp("{s:s}", "title", "  \n "), NEWSROOM_INVALID, "\"title\""},
	    {jp("{s:s}", "title", ""), NEWSROOM_INVALID, "must not be empty"},
	    {jp("{s:s}", "title", "Two\nlines"), NEWSROOM_INVALID, "line break"},
	    {jp("{s:s}", "title", "Tab\there"), NEWSROOM_INVALID, "control character"},
	    {jp("{s:s}", "title", "Bell\x07"), NEWSROOM_INVALID, "control character"},
	    {jp("{s:i}", "title", 5), NEWSROOM_MALFORMED, "\"title\" must be a string"},
	    {jp("{s:s, s:i}", "title", "T", "body", 5), NEWSROOM_MALFORMED,
	     "\"body\" must be a string"},
	    {jp("{s:s, s:[s]}", "title", "T", "body", "x"), NEWSROOM_MALFORMED, "\"body\""},
	    {jp("{s:s, s:s}", "title", "T", "bylines", "Ann"), NEWSROOM_MALFORMED, "\"bylines\""},
	    {jp("{s:s, s:[s]}", "title", "T", "bylines", "Ann"), NEWSROOM_MALFORMED, "byline"},
	    {jp("{s:s, s:{s:s}}", "title", "T", "bylines", "name", "Ann"), NEWSROOM_MALFORMED,
	     "bylines"},
	    {jp("{s:s, s:[{s:s}]}", "title", "T", "bylines", "role", "Paris"), NEWSROOM_INVALID,
	     "\"name\" is required"},
	    {jp("{s:s, s:[{s:i}]}", "title", "T", "bylines", "name", 7), NEWSROOM_MALFORMED,
	     "\"name\""},
	    {jp("{s:s, s:[{s:s}]}", "title", "T", "bylines", "name", "A\nB"), NEWSROOM_INVALID,
	     "\"name\""},
	    {jp("{s:s, s:s}", "title", "T", "body", "![](/media/abc-480.jpg)"), NEWSROOM_INVALID,
	     "needs alt text"},
	    {jp("{s:s, s:s}", "title", "T", "body",
		"Intro\n\n![A map](/media/a-480.jpg)\n\n![   ](/media/b-480.jpg)"),
	     NEWSROOM_INVALID, "Image 2 needs alt text"},
	    {jp("{s:s, s:s}", "title", "T", "body", "![A](javascript:alert(1))"), NEWSROOM_INVALID,
	     "body"},
	    {jp("{s:s, s:s}", "title", "T", "published_at", "yesterday"), NEWSROOM_INVALID,
	     "\"published_at\" is not a time"},
	    {jp("{s:s, s:s}", "title", "T", "published_at", "2025-02-30T10:00:00Z"),
	     NEWSROOM_INVALID, "not a time"},
	    {jp("{s:s, s:i}", "title", "T", "published_at", 1739788620), NEWSROOM_MALFORMED,
	     "\"published_at\""},
	    {jp("{s:s, s:s}", "title", "T", "breaking", "yes"), NEWSROOM_MALFORMED, "\"breaking\""},
	    {jp("{s:s, s:i}", "title", "T", "key_event", 1), NEWSROOM_MALFORMED, "\"key_event\""},
	    {jl("[\"title\", \"T\"]"), NEWSROOM_MALFORMED, "JSON object"},
	    {jl("\"T\""), NEWSROOM_MALFORMED, "JSON object"},
	    {NULL, NEWSROOM_MALFORMED, "JSON object"},
	    {NULL, 0, NULL}, /* the long title */
	    {NULL, 0, NULL}, /* the NUL */
	    {NULL, 0, NULL}, /* eleven bylines */
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);

	memset(title, 'x', 301);
	title[301] = '\0';
	nul = keep(json_object());
	json_object_set_new(nul, "title", json_stringn("a\0b", 3));
	many = jp("{s:s, s:[]}", "title", "T", "bylines");
	for (int i = 0; i < 11; i++)
		json_array_append_new(json_object_get(many, "bylines"),
				      json_pack("{s:s}", "name", "Someone"));

	for (size_t i = 0; i < n; i++) {
		const json_t *in = cases[i].in;
		enum newsroom_status status = cases[i].status;
		const char *msg = cases[i].msg;

		if (i == n - 3) {
			in = jp("{s:s}", "title", title);
			status = NEWSROOM_INVALID, msg = "too long";
		} else if (i == n - 2) {
			in = nul;
			status = NEWSROOM_MALFORMED, msg = "NUL";
		} else if (i == n - 1) {
			in = many;
			status = NEWSROOM_INVALID, msg = "At most 10 bylines";
		}
		newsroom_post_create(as(f, EDITOR), SLUG, in, fresh(&res));
		if (res.status != status || !strstr(res.message, msg))
			fail_msg("case %zu: expected %d \"%s\", got %d %s", i, status, msg,
				 res.status, res.message);
		assert_string_equal(res.code,
				    status == NEWSROOM_MALFORMED ? "bad_request" : "invalid");
		assert_null(res.body);
	}
	/* A body over MODEL_BODY_MAX bytes (it was 1 MiB: a 192 KB body took 2 s to
	 * publish, and five posts made a page too large to render). */
	{
		size_t big = MODEL_BODY_MAX + 1;
		char *body = malloc(big + 1);

		assert_non_null(body);
		memset(body, 'a', big);
		body[big] = '\0';
		newsroom_post_create(as(f, EDITOR), SLUG, jp("{s:s, s:s}", "title", "T", "body", body),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		EXPECT_MSG(&res, "\"body\" is too long (at most 8192 bytes)");
		free(body);
	}
	/* Within the Markdown limit, but too large once written out for a page:
	 * the input that costs cmark most per byte, and references that repeat a
	 * long address. Refused, and nothing is stored. */
	{
		char *body = malloc(MODEL_BODY_MAX + 1);
		size_t k = 0;

		assert_non_null(body);
		while (k + 6 <= MODEL_BODY_MAX)
			memcpy(body + k, "![[]()", 6), k += 6;
		body[k] = '\0';
		newsroom_post_create(as(f, EDITOR), SLUG, jp("{s:s, s:s}", "title", "T", "body", body),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		EXPECT_MSG(&res, "too large to show");
		k = (size_t)snprintf(body, MODEL_BODY_MAX, "[r]: https://a.example/");
		memset(body + k, 'p', 1000);
		k += 1000;
		body[k++] = '\n';
		body[k++] = '\n';
		while (k + 4 <= MODEL_BODY_MAX)
			memcpy(body + k, "[r] ", 4), k += 4;
		body[k] = '\0';
		newsroom_post_create(as(f, EDITOR), SLUG, jp("{s:s, s:s}", "title", "T", "body", body),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		EXPECT_MSG(&res, "once its links are written out");
		free(body);
	}
	assert_int_equal(n_posts(f, SLUG), 0);
	assert_int_equal(n_changes(f), changes);

	/* A body of exactly MODEL_BODY_MAX bytes of prose is a post. */
	{
		char *body = malloc(MODEL_BODY_MAX + 1);

		assert_non_null(body);
		for (size_t k = 0; k < MODEL_BODY_MAX; k++)
			body[k] = k % 7 == 6 ? ' ' : 'w';
		body[MODEL_BODY_MAX] = '\0';
		newsroom_post_create(as(f, EDITOR), SLUG,
			       jp("{s:s, s:s}", "title", "Long", "body", body), fresh(&res));
		EXPECT(&res, NEWSROOM_CREATED, NULL);
		free(body);
	}
	/* 300 bytes is the limit, not over it; ten bylines are allowed. */
	title[300] = '\0';
	newsroom_post_create(as(f, EDITOR), SLUG, jp("{s:s}", "title", title), fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	json_array_remove(json_object_get(many, "bylines"), 0);
	newsroom_post_create(as(f, EDITOR), SLUG, many, fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_int_equal(jlen(res.body, "post.bylines"), 10);
	/* An image with alt text is fine. */
	newsroom_post_create(as(f, EDITOR), SLUG,
		       jp("{s:s, s:s}", "title", "Picture", "body",
			  "![Leaders in Paris](/media/0123456789abcdef0123456789abcdef-480.jpg "
			  "\"At the Elysee\")\nImage source: Reuters"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "post.blocks.0.type"), "image");
	assert_string_equal(jstr(res.body, "post.blocks.0.alt"), "Leaders in Paris");
	assert_string_equal(jstr(res.body, "post.blocks.0.credit"), "Reuters");
	assert_int_equal(n_posts(f, SLUG), 4);
	newsroom_result_cleanup(&res);
}

/* Hostile text is stored as it came and returned as a JSON string: escaping is
 * the renderer's job, at the moment it writes HTML. */
static void test_post_hostile_strings(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_post post = { 0 };
	static const char title[] =
		"<script>alert(\"t\")</script> & </title> 'q' \\ \xe2\x80\xae \xf0\x9f\x92\xa3";
	static const char name[] = "<b onmouseover=alert(1)>Bold</b> & \"Co\"";
	static const char role[] = "'; DROP TABLE posts; --";
	static const char body[] = "Watch <img src=x onerror=alert(1)> & \"this\"";
	char *dump;
	json_t *back;
	int64_t id;

	newsroom_post_create(as(f, EDITOR), SLUG,
		       jp("{s:s, s:s, s:[{s:s, s:s}]}", "title", title, "body", body, "bylines",
			  "name", name, "role", role),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	id = res.id;
	assert_string_equal(jstr(res.body, "post.title"), title);
	assert_string_equal(jstr(res.body, "post.bylines.0.name"), name);
	assert_string_equal(jstr(res.body, "post.bylines.0.role"), role);
	assert_non_null(
		strstr(jstr(res.body, "post.blocks.0.text"), "<img src=x onerror=alert(1)>"));

	/* Serialised and parsed back, the strings are the same. */
	dump = json_dumps(res.body, 0);
	assert_non_null(dump);
	back = json_loads(dump, 0, NULL);
	assert_non_null(back);
	assert_string_equal(jstr(back, "post.title"), title);
	json_decref(back);
	free(dump);

	assert_int_equal(store_post_get(f->st, f->page_id, id, &post), 0);
	assert_string_equal(post.title, title);
	assert_string_equal(post.bylines[0].name, name);
	assert_string_equal(post.bylines[0].role, role);
	model_post_cleanup(&post);

	newsroom_post_get(as(f, CONTRIB), SLUG, id, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "post.title"), title);

	/* A display name, a draft title and a token label likewise. */
	newsroom_user_create(as(f, ADMIN),
		       jp("{s:s, s:s, s:s, s:s}", "login", "mallory", "display_name", name,
			  "password", PASSWORD, "role", "contributor"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "user.display_name"), name);
	newsroom_draft_create(as(f, CONTRIB), SLUG, jp("{s:s}", "title", title), fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "draft.post.title"), title);
	newsroom_token_create(as(f, ADMIN), jp("{s:s, s:s}", "login", "mallory", "label", role),
			fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "token.label"), role);
	newsroom_audit_list(as(f, ADMIN), NULL, 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "audit.0.action"), "token.create");
	newsroom_result_cleanup(&res);
}

static void test_post_get_list(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	int64_t ids[25];
	char t[32];
	size_t total = 0;

	newsroom_posts_list(as(f, CONTRIB), SLUG, 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "posts"), 0);
	for (int i = 0; i < 25; i++) {
		snprintf(t, sizeof(t), "Post %d", i);
		f->now += 60; /* each a minute after the one before */
		ids[i] = make_post(f, t, "Text");
	}
	for (int r = 0; r < 3; r++) {
		newsroom_post_get(as(f, r), SLUG, ids[3], fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_int_equal(res.id, ids[3]);
		assert_string_equal(jstr(res.body, "post.title"), "Post 3");
	}
	newsroom_post_get(as(f, CONTRIB), SLUG, 99999, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_post_get(as(f, CONTRIB), "nope", ids[3], fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");

	/* Newest first; page 0 is the newest page, which holds the newest full
	 * page with the remainder: all 25 here, and page 1 is that page. */
	newsroom_posts_list(as(f, CONTRIB), SLUG, 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "posts.0.title"), "Post 24");
	total += jlen(res.body, "posts");
	assert_int_equal(total, 25);
	newsroom_posts_list(as(f, CONTRIB), SLUG, 1, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "posts"), 25);
	newsroom_posts_list(as(f, CONTRIB), SLUG, 2, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_posts_list(as(f, CONTRIB), "nope", 0, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_result_cleanup(&res);
}

static void test_post_edit(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_post post = { 0 };
	size_t changes;
	int64_t id;

	newsroom_post_create(as(f, EDITOR), SLUG,
		       jp("{s:s, s:s, s:b, s:s, s:[{s:s, s:s}]}", "title", "Original", "body",
			  "Para one", "breaking", 1, "published_at", "2025-02-17T10:37:00Z",
			  "bylines", "name", "Liza", "role", "Paris"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	id = res.id;
	changes = n_changes(f);

	newsroom_post_edit(as(f, CONTRIB), SLUG, id, jp("{s:i, s:s}", "version", 1, "title", "Mine"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(n_changes(f), changes);

	/* A title and a correction; everything else stays. */
	newsroom_post_edit(as(f, EDITOR), SLUG, id,
		     jp("{s:i, s:s, s:s}", "version", 1, "title", "Edited", "correction",
			"An earlier version misspelled a name."),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(res.id, id);
	assert_int_equal(jint(res.body, "post.version"), 2);
	assert_string_equal(jstr(res.body, "post.title"), "Edited");
	assert_string_equal(jstr(res.body, "post.correction"),
			    "An earlier version misspelled a name.");
	assert_int_equal(store_post_get(f->st, f->page_id, id, &post), 0);
	assert_int_equal(post.version, 2);
	assert_string_equal(post.title, "Edited");
	assert_string_equal(post.correction, "An earlier version misspelled a name.");
	assert_true(post.correction_at > 0);
	assert_int_equal(post.breaking, 1);
	assert_int_equal(post.published_at, 1739788620);
	assert_int_equal(post.n_blocks, 1);
	assert_string_equal(post.blocks[0].text, "Para one");
	assert_int_equal(post.n_bylines, 1);
	assert_string_equal(post.bylines[0].name, "Liza");
	assert_string_equal(post.bylines[0].role, "Paris");
	model_post_cleanup(&post);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_UPDATE);
	assert_int_equal(last_change(f).post_id, id);
	EXPECT_AUDIT(f, "post.edit", f->user[EDITOR].id, id);
	changes = n_changes(f);

	/* An edit from version 1 now conflicts, and names who changed it. */
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:i, s:s}", "version", 1, "title", "Stale"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	EXPECT_MSG(&res, "Ed Editor");
	EXPECT_MSG(&res, "version 2");
	assert_int_equal(store_post_get(f->st, f->page_id, id, &post), 0);
	assert_string_equal(post.title, "Edited");
	assert_int_equal(post.version, 2);
	model_post_cleanup(&post);
	assert_int_equal(n_changes(f), changes);

	/* Bad versions and bad fields. */
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:s}", "title", "No version"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "\"version\"");
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:s, s:s}", "version", "2", "title", "X"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:i, s:s}", "version", 0, "title", "X"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:i, s:s}", "version", 3, "title", "Future"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:i, s:s}", "version", 2, "title", "a\nb"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:i, s:s}", "version", 2, "body", "![](/a.jpg)"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "needs alt text");
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jp("{s:i, s:s}", "version", 2, "correction", "a\nb"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_post_edit(as(f, ADMIN), SLUG, id, jl("[]"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_post_edit(as(f, ADMIN), SLUG, 99999, jp("{s:i, s:s}", "version", 1, "title", "X"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_post_edit(as(f, ADMIN), "nope", id, jp("{s:i, s:s}", "version", 2, "title", "X"),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_int_equal(n_changes(f), changes);
	assert_int_equal(store_post_get(f->st, f->page_id, id, &post), 0);
	assert_string_equal(post.title, "Edited");
	assert_int_equal(post.version, 2);
	model_post_cleanup(&post);

	/* Only the body: the title, flags, bylines and the correction stay. */
	newsroom_post_edit(as(f, ADMIN), SLUG, id,
		     jp("{s:i, s:s, s:b}", "version", 2, "body", "New body", "key_event", 1),
		     fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jint(res.body, "post.version"), 3);
	assert_int_equal(store_post_get(f->st, f->page_id, id, &post), 0);
	assert_int_equal(post.version, 3);
	assert_string_equal(post.title, "Edited");
	assert_int_equal(post.breaking, 1);
	assert_int_equal(post.key_event, 1);
	assert_string_equal(post.bylines[0].name, "Liza");
	assert_string_equal(post.blocks[0].text, "New body");
	assert_string_equal(post.correction, "An earlier version misspelled a name.");
	assert_int_equal(post.published_at, 1739788620);
	model_post_cleanup(&post);
	EXPECT_AUDIT(f, "post.edit", f->user[ADMIN].id, id);

	/* The history, newest first, names each author. */
	newsroom_revisions_list(as(f, CONTRIB), SLUG, id, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "revisions"), 3);
	assert_int_equal(jint(res.body, "revisions.0.version"), 3);
	assert_string_equal(jstr(res.body, "revisions.0.user_name"), "Ada Admin");
	assert_int_equal(jint(res.body, "revisions.1.version"), 2);
	assert_string_equal(jstr(res.body, "revisions.1.user_name"), "Ed Editor");
	assert_string_equal(jstr(res.body, "revisions.1.correction"),
			    "An earlier version misspelled a name.");
	assert_string_equal(jstr(res.body, "revisions.1.post.title"), "Edited");
	assert_int_equal(jint(res.body, "revisions.2.version"), 1);
	assert_string_equal(jstr(res.body, "revisions.2.post.title"), "Original");
	newsroom_revisions_list(as(f, CONTRIB), SLUG, 99999, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_result_cleanup(&res);
}

static void test_post_delete_pin(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_post post = { 0 };
	struct model_page p = { 0 };
	int64_t a = make_post(f, "A", "a"), b = make_post(f, "B", "b");
	size_t changes = n_changes(f);

	/* Pinning. */
	newsroom_post_pin(as(f, CONTRIB), SLUG, a, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(n_changes(f), changes);
	newsroom_post_pin(as(f, EDITOR), SLUG, a, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jint(res.body, "page.pinned_post_id"), a);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_PIN);
	assert_int_equal(last_change(f).post_id, a);
	EXPECT_AUDIT(f, "post.pin", f->user[EDITOR].id, -1);
	newsroom_post_get(as(f, CONTRIB), SLUG, a, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_true(jget(res.body, "post.pinned")));
	/* Pinning the pinned post again changes nothing. */
	newsroom_post_pin(as(f, EDITOR), SLUG, a, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(n_changes(f), changes + 1);
	newsroom_post_pin(as(f, EDITOR), SLUG, 99999, fresh(&res));
	assert_true(res.status == NEWSROOM_NOT_FOUND || res.status == NEWSROOM_INVALID);
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	assert_int_equal(p.pinned_post_id, a);
	model_page_cleanup(&p);
	newsroom_post_pin(as(f, EDITOR), SLUG, 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_null(jget(res.body, "page.pinned_post_id")));
	assert_int_equal(last_change(f).kind, STORE_CHANGE_PIN);
	assert_int_equal(last_change(f).post_id, 0);
	EXPECT_AUDIT(f, "post.unpin", f->user[EDITOR].id, -1);
	changes = n_changes(f);

	/* Deleting. */
	newsroom_post_delete(as(f, CONTRIB), SLUG, b, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(store_post_get(f->st, f->page_id, b, &post), 0);
	model_post_cleanup(&post);
	newsroom_post_delete(as(f, EDITOR), SLUG, b, fresh(&res));
	EXPECT(&res, OK_EMPTY, NULL);
	assert_null(res.body);
	assert_int_equal(res.id, b);
	assert_int_equal(store_post_get(f->st, f->page_id, b, &post), STORE_ENOTFOUND);
	assert_int_equal(n_posts(f, SLUG), 1);
	assert_int_equal(n_changes(f), changes + 1);
	assert_int_equal(last_change(f).kind, STORE_CHANGE_DELETE);
	assert_int_equal(last_change(f).post_id, b);
	EXPECT_AUDIT(f, "post.delete", f->user[EDITOR].id, b);
	newsroom_post_delete(as(f, EDITOR), SLUG, b, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_post_delete(as(f, EDITOR), "nope", a, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_int_equal(n_changes(f), changes + 1);
	newsroom_result_cleanup(&res);
}

/* A post or draft is reached only through its own page: an id from another page
 * is not found there, and nothing is changed through the wrong page. */
static void test_cross_page(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_post post = { 0 };
	struct model_page p = { 0 };
	struct model_draft d = { 0 };
	int64_t post_id = make_post(f, "Ours", "x"), draft_id = make_draft(f, EDITOR, "Our draft");
	size_t changes;

	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", "other", "title", "Other"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	changes = n_changes(f);

	newsroom_post_get(as(f, EDITOR), "other", post_id, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_post_edit(as(f, EDITOR), "other", post_id,
		     jp("{s:i, s:s}", "version", 1, "title", "Moved"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_post_delete(as(f, EDITOR), "other", post_id, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_revisions_list(as(f, EDITOR), "other", post_id, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_post_pin(as(f, EDITOR), "other", post_id, fresh(&res));
	assert_true(res.status == NEWSROOM_NOT_FOUND || res.status == NEWSROOM_INVALID);
	assert_int_equal(store_page_get(f->st, "other", &p), 0);
	assert_int_equal(p.pinned_post_id, 0);
	model_page_cleanup(&p);
	newsroom_draft_get(as(f, EDITOR), "other", draft_id, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_draft_update(as(f, EDITOR), "other", draft_id,
			jp("{s:i, s:s}", "version", 1, "title", "Moved"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_draft_delete(as(f, EDITOR), "other", draft_id, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_draft_publish(as(f, EDITOR), "other", draft_id, NULL, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");

	assert_int_equal(n_changes(f), changes);
	assert_int_equal(n_posts(f, "other"), 0);
	assert_int_equal(store_post_get(f->st, f->page_id, post_id, &post), 0);
	assert_string_equal(post.title, "Ours");
	assert_int_equal(post.version, 1);
	model_post_cleanup(&post);
	assert_int_equal(store_draft_get(f->st, f->page_id, draft_id, &d), 0);
	assert_string_equal(d.post.title, "Our draft");
	assert_int_equal(d.version, 1);
	model_draft_cleanup(&d);
	newsroom_result_cleanup(&res);
}

/* A field that must not be empty when created must not become empty, or blank
 * (only white space), through a partial edit either: creating refuses "   " as
 * a title ("must not be empty"), so an edit must too. Every case is tried and
 * the ones that were accepted are listed together. */
static void test_blank_in_partial_edits(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_post post = { 0 };
	struct model_page p = { 0 };
	struct model_draft d = { 0 };
	struct model_user u = { 0 };
	int64_t post_id = make_post(f, "Kept title", "x");
	int64_t draft_id = make_draft(f, EDITOR, "Kept draft");
	char failed[1024] = "";
	static const char *blanks[] = { "", "   ", " \t " };

#define BLANK_CASE(what, call)                                                                     \
	do {                                                                                       \
		call;                                                                              \
		if (res.status != NEWSROOM_INVALID)                                                \
			snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),         \
				 "\n  %s with \"%s\": got %d", what, blanks[i], res.status);       \
	} while (0)

	for (size_t i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		/* Creating refuses every one of them. */
		newsroom_post_create(as(f, EDITOR), SLUG, jp("{s:s}", "title", blanks[i]), fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");
		newsroom_draft_create(as(f, EDITOR), SLUG, jp("{s:s}", "title", blanks[i]), fresh(&res));
		EXPECT(&res, NEWSROOM_INVALID, "invalid");

		assert_int_equal(store_post_get(f->st, f->page_id, post_id, &post), 0);
		BLANK_CASE("newsroom_post_edit title",
			   newsroom_post_edit(as(f, EDITOR), SLUG, post_id,
					      jp("{s:I, s:s}", "version", (json_int_t)post.version,
						 "title", blanks[i]),
					      fresh(&res)));
		model_post_cleanup(&post);
		BLANK_CASE("newsroom_page_update title",
			   newsroom_page_update(as(f, ADMIN), SLUG, jp("{s:s}", "title", blanks[i]),
					  fresh(&res)));
		BLANK_CASE("newsroom_user_update display_name",
			   newsroom_user_update(as(f, ADMIN), f->user[CONTRIB].id,
						jp("{s:s}", "display_name", blanks[i]),
						fresh(&res)));
		BLANK_CASE(
		    "newsroom_summary_set media alt",
		    newsroom_summary_set(as(f, EDITOR), SLUG,
					 jp("{s:{s:s, s:s, s:s}}", "media", "kind", "image", "url",
					    "/media/0123456789abcdef0123456789abcdef-480.jpg",
					    "alt", blanks[i]),
					 fresh(&res)));
		BLANK_CASE("newsroom_summary_set points",
			   newsroom_summary_set(as(f, EDITOR), SLUG, jp("{s:[s]}", "points", blanks[i]),
					  fresh(&res)));
	}
	/* Draft edits, by version. */
	assert_int_equal(store_draft_get(f->st, f->page_id, draft_id, &d), 0);
	for (size_t i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		int64_t v = d.version;

		BLANK_CASE("newsroom_draft_update title",
			   newsroom_draft_update(
			       as(f, EDITOR), SLUG, draft_id,
			       jp("{s:I, s:s}", "version", (json_int_t)v, "title", blanks[i]),
			       fresh(&res)));
		model_draft_cleanup(&d);
		assert_int_equal(store_draft_get(f->st, f->page_id, draft_id, &d), 0);
	}
	model_draft_cleanup(&d);
#undef BLANK_CASE

	/* A blank correction note is no note: refused, or taken as none (as "" is). */
	assert_int_equal(store_post_get(f->st, f->page_id, post_id, &post), 0);
	newsroom_post_edit(as(f, EDITOR), SLUG, post_id,
		     jp("{s:I, s:s}", "version", (json_int_t)post.version, "correction", "   "),
		     fresh(&res));
	model_post_cleanup(&post);
	if (res.status != NEWSROOM_INVALID && res.status != NEWSROOM_OK)
		fail_msg("correction \"   \": got %d %s", res.status, res.message);

	/* Whatever was accepted, the state tells. */
	assert_int_equal(store_post_get(f->st, f->page_id, post_id, &post), 0);
	if (post.correction && strspn(post.correction, " ") == strlen(post.correction))
		snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
			 "\n  the post's correction note is now \"%s\" (shown to readers)",
			 post.correction);
	if (strspn(post.title, " \t") == strlen(post.title))
		snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
			 "\n  the post's title is now blank");
	model_post_cleanup(&post);
	assert_int_equal(store_page_get(f->st, SLUG, &p), 0);
	if (strspn(p.title, " \t") == strlen(p.title))
		snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
			 "\n  the page's title is now \"%s\"", p.title);
	if (p.summary.media_kind == MODEL_MEDIA_IMAGE && p.summary.media_alt &&
	    strspn(p.summary.media_alt, " ") == strlen(p.summary.media_alt))
		snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
			 "\n  the featured image's alt text is now \"%s\"", p.summary.media_alt);
	model_page_cleanup(&p);
	assert_int_equal(store_user_get(f->st, f->user[CONTRIB].id, &u), 0);
	if (strspn(u.display_name, " \t") == strlen(u.display_name))
		snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed),
			 "\n  the user's display name is now \"%s\"", u.display_name);
	model_user_cleanup(&u);
	newsroom_result_cleanup(&res);
	if (failed[0])
		fail_msg("blank values accepted (expected 422):%s", failed);
}

/* ---- drafts ------------------------------------------------------------------------ */

static void test_draft_create(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_draft d = { 0 };
	size_t changes = n_changes(f);
	char later[32];
	int64_t id;

	newsroom_draft_create(as(f, CONTRIB), SLUG,
			jp("{s:s, s:s}", "title", "Cora's draft", "body", "Some *text*"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	id = res.id;
	assert_true(id > 0);
	assert_int_equal(jint(res.body, "draft.id"), id);
	assert_int_equal(jint(res.body, "draft.author_id"), f->user[CONTRIB].id);
	assert_string_equal(jstr(res.body, "draft.author_name"), "Cora Contributor");
	assert_string_equal(jstr(res.body, "draft.state"), "draft");
	assert_true(json_is_null(jget(res.body, "draft.publish_at")));
	assert_int_equal(jint(res.body, "draft.version"), 1);
	assert_string_equal(jstr(res.body, "draft.post.title"), "Cora's draft");
	assert_string_equal(jstr(res.body, "draft.post.bylines.0.name"), "Cora C.");
	assert_string_equal(jstr(res.body, "draft.post.bylines.0.role"), "Kyiv");
	assert_int_equal(store_draft_get(f->st, f->page_id, id, &d), 0);
	assert_string_equal(d.post.title, "Cora's draft");
	assert_int_equal(d.author_id, f->user[CONTRIB].id);
	model_draft_cleanup(&d);
	/* Readers see nothing of it. */
	assert_int_equal(n_posts(f, SLUG), 0);
	assert_int_equal(n_changes(f), changes);
	EXPECT_AUDIT(f, "draft.create", f->user[CONTRIB].id, -1);

	/* A contributor cannot schedule; an editor can, but not in the past. */
	iso(f->now + 3600, later);
	newsroom_draft_create(as(f, CONTRIB), SLUG,
			jp("{s:s, s:s}", "title", "Sched", "publish_at", later), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	EXPECT_MSG(&res, "an editor schedules");
	newsroom_draft_create(as(f, EDITOR), SLUG,
			jp("{s:s, s:s}", "title", "Sched", "publish_at", "2020-01-01T00:00:00Z"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "passed");
	newsroom_draft_create(as(f, EDITOR), SLUG,
			jp("{s:s, s:s}", "title", "Sched", "publish_at", later), fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "draft.state"), "scheduled");
	assert_string_equal(jstr(res.body, "draft.publish_at"), later);
	EXPECT_AUDIT(f, "draft.schedule", f->user[EDITOR].id, -1);
	/* A contributor may give a null publish_at: a plain draft. */
	newsroom_draft_create(as(f, CONTRIB), SLUG, jp("{s:s, s:n}", "title", "Plain", "publish_at"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "draft.state"), "draft");

	/* Validation is the post's. */
	newsroom_draft_create(as(f, CONTRIB), SLUG, jp("{s:s}", "body", "No title"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_draft_create(as(f, CONTRIB), SLUG, jp("{s:s, s:s}", "title", "T", "body", "![](/x.jpg)"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "needs alt text");
	newsroom_draft_create(as(f, CONTRIB), SLUG, jp("{s:s, s:s}", "title", "T", "publish_at", "soon"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_draft_create(as(f, CONTRIB), "nope", jp("{s:s}", "title", "T"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");

	newsroom_drafts_list(as(f, CONTRIB), SLUG, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "drafts"), 3);
	/* Scheduled first. */
	assert_string_equal(jstr(res.body, "drafts.0.state"), "scheduled");
	newsroom_draft_get(as(f, CONTRIB), SLUG, id, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "draft.post.title"), "Cora's draft");
	newsroom_draft_get(as(f, CONTRIB), SLUG, 99999, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_int_equal(n_posts(f, SLUG), 0);
	assert_int_equal(n_changes(f), changes);
	newsroom_result_cleanup(&res);
}

static void test_draft_ownership(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_draft d = { 0 };
	int64_t mine = make_draft(f, CONTRIB, "Cora's"), eds = make_draft(f, EDITOR, "Ed's");
	char later[32], past[32];

	iso(f->now + 3600, later);
	iso(f->now - 3600, past);

	/* Another's draft: neither update nor delete. */
	newsroom_draft_update(as(f, CONTRIB), SLUG, eds, jp("{s:i, s:s}", "version", 1, "title", "Taken"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	EXPECT_MSG(&res, "Ed Editor");
	newsroom_draft_delete(as(f, CONTRIB), SLUG, eds, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(store_draft_get(f->st, f->page_id, eds, &d), 0);
	assert_string_equal(d.post.title, "Ed's");
	assert_int_equal(d.version, 1);
	model_draft_cleanup(&d);

	/* Their own: yes, with the version they opened. */
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:s}", "version", 1, "title", "Cora's v2"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jint(res.body, "draft.version"), 2);
	assert_string_equal(jstr(res.body, "draft.post.title"), "Cora's v2");
	assert_string_equal(jstr(res.body, "draft.post.blocks.0.text"), "Draft text");
	EXPECT_AUDIT(f, "draft.save", f->user[CONTRIB].id, -1);
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:s}", "version", 1, "title", "Stale"), fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	EXPECT_MSG(&res, "version 2");
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine, jp("{s:s}", "title", "No version"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:s}", "version", 2, "title", "a\nb"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	/* ... but not schedule it. */
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:s}", "version", 2, "publish_at", later), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(store_draft_get(f->st, f->page_id, mine, &d), 0);
	assert_string_equal(d.post.title, "Cora's v2");
	assert_int_equal(d.version, 2);
	assert_int_equal(d.state, MODEL_DRAFT_SAVED);
	model_draft_cleanup(&d);

	/* An editor schedules it (not in the past); then it is out of the
	 * contributor's hands. */
	newsroom_draft_update(as(f, EDITOR), SLUG, mine,
			jp("{s:i, s:s}", "version", 2, "publish_at", past), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_draft_update(as(f, EDITOR), SLUG, mine,
			jp("{s:i, s:s}", "version", 2, "publish_at", later), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "draft.state"), "scheduled");
	assert_string_equal(jstr(res.body, "draft.publish_at"), later);
	assert_int_equal(jint(res.body, "draft.version"), 3);
	assert_int_equal(jint(res.body, "draft.author_id"), f->user[CONTRIB].id);
	assert_int_equal(store_draft_get(f->st, f->page_id, mine, &d), 0);
	assert_int_equal(d.state, MODEL_DRAFT_SCHEDULED);
	assert_int_equal(d.publish_at, f->now + 3600);
	model_draft_cleanup(&d);
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:s}", "version", 3, "title", "Sneaky"), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	EXPECT_MSG(&res, "An editor scheduled");
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:n}", "version", 3, "publish_at"), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	newsroom_draft_delete(as(f, CONTRIB), SLUG, mine, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(store_draft_get(f->st, f->page_id, mine, &d), 0);
	assert_int_equal(d.state, MODEL_DRAFT_SCHEDULED);
	assert_string_equal(d.post.title, "Cora's v2");
	model_draft_cleanup(&d);

	/* publish_at null unschedules; "" does too. */
	newsroom_draft_update(as(f, EDITOR), SLUG, mine, jp("{s:i, s:n}", "version", 3, "publish_at"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "draft.state"), "draft");
	assert_true(json_is_null(jget(res.body, "draft.publish_at")));
	assert_int_equal(store_draft_get(f->st, f->page_id, mine, &d), 0);
	assert_int_equal(d.state, MODEL_DRAFT_SAVED);
	assert_int_equal(d.publish_at, 0);
	model_draft_cleanup(&d);
	newsroom_draft_update(as(f, EDITOR), SLUG, mine,
			jp("{s:i, s:s}", "version", 4, "publish_at", later), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	newsroom_draft_update(as(f, EDITOR), SLUG, mine, jp("{s:i, s:s}", "version", 5, "publish_at", ""),
			fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "draft.state"), "draft");
	/* Back in the contributor's hands. */
	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:s}", "version", 6, "title", "Cora's v7"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jint(res.body, "draft.version"), 7);

	/* Editors change and delete anybody's. */
	newsroom_draft_update(as(f, EDITOR), SLUG, mine,
			jp("{s:i, s:s}", "version", 7, "title", "Edited by Ed"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	newsroom_draft_delete(as(f, ADMIN), SLUG, eds, fresh(&res));
	EXPECT(&res, OK_EMPTY, NULL);
	assert_int_equal(store_draft_get(f->st, f->page_id, eds, &d), STORE_ENOTFOUND);
	EXPECT_AUDIT(f, "draft.delete", f->user[ADMIN].id, -1);
	newsroom_draft_delete(as(f, ADMIN), SLUG, eds, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_draft_update(as(f, ADMIN), SLUG, eds, jp("{s:i, s:s}", "version", 1, "title", "Gone"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");

	/* A contributor deletes their own. */
	mine = make_draft(f, CONTRIB, "Throwaway");
	newsroom_draft_delete(as(f, CONTRIB), SLUG, mine, fresh(&res));
	EXPECT(&res, OK_EMPTY, NULL);
	assert_int_equal(store_draft_get(f->st, f->page_id, mine, &d), STORE_ENOTFOUND);
	EXPECT_AUDIT(f, "draft.delete", f->user[CONTRIB].id, -1);
	assert_int_equal(n_posts(f, SLUG), 0);
	newsroom_result_cleanup(&res);
}

static void test_draft_publish(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_draft d = { 0 };
	struct model_post post = { 0 };
	struct store_change ch;
	int64_t mine = make_draft(f, CONTRIB, "Cora's scoop"), other, post_id;
	size_t changes = n_changes(f);

	newsroom_draft_publish(as(f, CONTRIB), SLUG, mine, jp("{s:i}", "version", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(n_posts(f, SLUG), 0);

	newsroom_draft_update(as(f, CONTRIB), SLUG, mine,
			jp("{s:i, s:s}", "version", 1, "title", "Cora's scoop, v2"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	newsroom_draft_publish(as(f, EDITOR), SLUG, mine, jp("{s:i}", "version", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	assert_int_equal(store_draft_get(f->st, f->page_id, mine, &d), 0);
	model_draft_cleanup(&d);
	assert_int_equal(n_posts(f, SLUG), 0);
	assert_int_equal(n_changes(f), changes);

	newsroom_draft_publish(as(f, EDITOR), SLUG, mine, jp("{s:i}", "version", 2), fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	post_id = res.id;
	assert_true(post_id > 0);
	assert_int_equal(jint(res.body, "post.id"), post_id);
	assert_string_equal(jstr(res.body, "post.title"), "Cora's scoop, v2");
	assert_int_equal(store_draft_get(f->st, f->page_id, mine, &d), STORE_ENOTFOUND);
	assert_int_equal(store_post_get(f->st, f->page_id, post_id, &post), 0);
	assert_string_equal(post.title, "Cora's scoop, v2");
	assert_int_equal(post.published_at, f->now);
	assert_int_equal(post.version, 1);
	assert_string_equal(post.bylines[0].name, "Cora C."); /* the author's byline */
	assert_string_equal(post.blocks[0].text, "Draft text");
	model_post_cleanup(&post);
	assert_int_equal(n_posts(f, SLUG), 1);
	assert_int_equal(n_changes(f), changes + 1);
	ch = last_change(f);
	assert_int_equal(ch.kind, STORE_CHANGE_POST);
	assert_int_equal(ch.post_id, post_id);
	EXPECT_AUDIT(f, "draft.publish", f->user[EDITOR].id, -1);

	newsroom_draft_publish(as(f, EDITOR), SLUG, mine, NULL, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_int_equal(n_posts(f, SLUG), 1);

	/* Without a version (no check). */
	other = make_draft(f, EDITOR, "Quick one");
	newsroom_draft_publish(as(f, ADMIN), SLUG, other, NULL, fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_string_equal(jstr(res.body, "post.title"), "Quick one");
	assert_int_equal(n_posts(f, SLUG), 2);
	other = make_draft(f, EDITOR, "Bad version");
	newsroom_draft_publish(as(f, EDITOR), SLUG, other, jp("{s:s}", "version", "1"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	assert_int_equal(n_posts(f, SLUG), 2);
	newsroom_result_cleanup(&res);
}

/* ---- media and preview -------------------------------------------------------------- */

static int dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_media_upload(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_media m = { 0 };
	struct newsroom_ctx noplace;
	static const char text[] = "GIF89a, or so it claims; it is text.";
	VipsImage *im = NULL, *noise = NULL;
	void *png = NULL;
	size_t len = 0;
	const char *name;

	newsroom_media_upload(as(f, CONTRIB), text, sizeof(text) - 1, fresh(&res));
	EXPECT(&res, NEWSROOM_UNSUPPORTED, "unsupported_media_type");
	newsroom_media_upload(as(f, CONTRIB), "", 0, fresh(&res));
	assert_int_equal(res.status, NEWSROOM_UNSUPPORTED);
	assert_int_equal(dir_entries(f->media), 0);
	{
		/* Over the byte limit, with a PNG signature: 413, before any decoding. */
		size_t big = MODEL_UPLOAD_MAX_BYTES + 1;
		unsigned char *b = calloc(1, big);

		assert_non_null(b);
		memcpy(b, "\x89PNG\r\n\x1a\n", 8);
		newsroom_media_upload(as(f, CONTRIB), b, big, fresh(&res));
		free(b);
		EXPECT(&res, NEWSROOM_TOO_LARGE, "too_large");
	}
	assert_int_equal(dir_entries(f->media), 0);
	noplace = *as(f, EDITOR);
	noplace.media_dir = NULL;
	newsroom_media_upload(&noplace, text, sizeof(text) - 1, fresh(&res));
	EXPECT(&res, NEWSROOM_ERROR, "internal");

	/* A real PNG, from a contributor. */
	assert_int_equal(vips_gaussnoise(&noise, 64, 48, NULL), 0);
	assert_int_equal(vips_cast_uchar(noise, &im, NULL), 0);
	assert_int_equal(vips_image_write_to_buffer(im, ".png", &png, &len, NULL), 0);
	g_object_unref(noise);
	g_object_unref(im);
	newsroom_media_upload(as(f, CONTRIB), png, len, fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	/* The same PNG cut in half claims the format but does not decode. */
	{
		struct newsroom_result cut = { 0 };

		newsroom_media_upload(as(f, CONTRIB), png, len / 2, &cut);
		EXPECT(&cut, NEWSROOM_INVALID, "invalid");
		newsroom_result_cleanup(&cut);
	}
	g_free(png);
	name = jstr(res.body, "media.name");
	assert_int_equal(strlen(name), 32);
	assert_string_equal(jstr(res.body, "media.format"), "png");
	assert_int_equal(jint(res.body, "media.width"), 64);
	assert_int_equal(jint(res.body, "media.height"), 48);
	assert_int_equal(strncmp(jstr(res.body, "media.url"), "/media/", 7), 0);
	assert_int_equal(store_media_get(f->st, name, &m), 0);
	assert_string_equal(m.format, "png");
	assert_int_equal(m.user_id, f->user[CONTRIB].id);
	model_media_cleanup(&m);
	assert_true(dir_entries(f->media) >= 1);
	EXPECT_AUDIT(f, "media.add", f->user[CONTRIB].id, -1);
	{
		/* Every copy in the folder is in the store too, byte for byte: the
		 * folder is only this node's cache. */
		char file[64];
		void *disk = NULL, *stored = NULL;
		size_t disk_len = 0, stored_len = 0;

		snprintf(file, sizeof(file), "%s-64.png", name);
		assert_int_equal(media_file_read(f->media, file, &disk, &disk_len), 0);
		assert_int_equal(store_media_file_get(f->st, file, &stored, &stored_len), 0);
		assert_int_equal(stored_len, disk_len);
		assert_memory_equal(stored, disk, disk_len);
		free(disk);
		free(stored);
	}
	newsroom_result_cleanup(&res);
}

static void test_preview(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	const char *html;
	size_t changes = n_changes(f);

	newsroom_preview(as(f, CONTRIB),
		   jp("{s:s}", "body", "Some **x** here\n\n<script>alert(1)</script>\n\nand "
		      "<script>inline()</script> too"),
		   fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	html = jstr(res.body, "html");
	assert_non_null(strstr(html, "<strong>x</strong>"));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&lt;script&gt;inline()&lt;/script&gt;"));

	newsroom_preview(as(f, EDITOR),
		   jp("{s:s, s:s, s:s}", "slug", SLUG, "title", "<b>Title</b> & co", "body",
		      "*em*"),
		   fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	html = jstr(res.body, "html");
	assert_non_null(strstr(html, "&lt;b&gt;Title&lt;/b&gt; &amp; co"));
	assert_null(strstr(html, "<b>Title"));
	assert_non_null(strstr(html, "<em>em</em>"));

	/* Attributes: a quote in alt text cannot open a new attribute, and a
	 * javascript: link does not become an href. */
	newsroom_preview(as(f, CONTRIB),
		   jp("{s:s}", "body",
		      "![x\" onerror=\"alert(1)](/media/0123456789abcdef0123456789abcdef-480.jpg)"
		      "\n\n[click](javascript:alert(2)) and [ok](https://example.com/?a=1&b=2)"),
		   fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	html = jstr(res.body, "html");
	assert_null(strstr(html, "\" onerror=\""));
	assert_null(strstr(html, "href=\"javascript:"));
	assert_null(strstr(html, "alert(2)\""));
	assert_non_null(strstr(html, "href=\"https://example.com/?a=1&amp;b=2\""));

	newsroom_preview(as(f, CONTRIB), jp("{s:s}", "body", "![](/media/x-480.jpg)"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "needs alt text");
	newsroom_preview(as(f, CONTRIB), jp("{s:i}", "body", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_preview(as(f, CONTRIB), jp("{s:s, s:s}", "slug", "nope", "body", "x"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_preview(as(f, CONTRIB), jl("[1]"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	/* A preview publishes nothing. */
	assert_int_equal(n_posts(f, SLUG), 0);
	assert_int_equal(n_changes(f), changes);
	newsroom_result_cleanup(&res);
}

/* ---- users and tokens ----------------------------------------------------------------- */

static void test_user_create(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_user u = { 0 };
	char *hash = NULL, *dump;
	size_t audits = n_audit(f);
	const struct {
		json_t *in;
		enum newsroom_status status;
	} bad[] = {
		{ jp("{s:s, s:s, s:s, s:s}", "login", "newbie", "display_name", "New Bie",
		     "password", "short", "role", "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s, s:s}", "login", "newbie", "display_name", "New Bie",
		     "password", "123456789", "role", "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s}", "login", "newbie", "display_name", "New Bie", "role",
		     "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s, s:s}", "login", "Bad Login", "display_name", "New Bie",
		     "password", PASSWORD, "role", "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s, s:s}", "login", "NEWBIE", "display_name", "New Bie",
		     "password", PASSWORD, "role", "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s, s:s}", "login", "", "display_name", "New Bie",
		     "password", PASSWORD, "role", "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s}", "display_name", "New Bie", "password", PASSWORD,
		     "role", "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s}", "login", "newbie", "password", PASSWORD,
		     "role", "contributor"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s, s:s}", "login", "newbie", "display_name", "New Bie",
		     "password", PASSWORD, "role", "owner"), NEWSROOM_INVALID },
		{ jp("{s:s, s:s, s:s}", "login", "newbie", "display_name", "New Bie",
		     "password", PASSWORD), NEWSROOM_INVALID },
		{ jp("{s:i, s:s, s:s, s:s}", "login", 1, "display_name", "New Bie",
		     "password", PASSWORD, "role", "contributor"), NEWSROOM_MALFORMED },
		{ jl("[]"), NEWSROOM_MALFORMED },
	};

	for (int r = CONTRIB; r <= EDITOR; r++) {
		newsroom_user_create(as(f, r),
			       jp("{s:s, s:s, s:s, s:s}", "login", "newbie", "display_name", "N",
				  "password", PASSWORD, "role", "admin"),
			       fresh(&res));
		EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		newsroom_user_create(as(f, ADMIN), bad[i].in, fresh(&res));
		if (res.status != bad[i].status)
			fail_msg("case %zu: expected %d, got %d %s", i, bad[i].status, res.status,
				 res.message);
	}
	newsroom_user_create(as(f, ADMIN), bad[0].in, fresh(&res));
	EXPECT_MSG(&res, "at least 10 characters");
	assert_int_equal(store_user_by_login(f->st, "newbie", &u, NULL), STORE_ENOTFOUND);
	assert_int_equal(n_audit(f), audits);

	newsroom_user_create(as(f, ADMIN),
		       jp("{s:s, s:s, s:s, s:s, s:s, s:s}", "login", "newbie", "display_name",
			  "New Bie", "password", "ten chars!", "role", "contributor",
			  "byline_name", "N. Bie", "byline_role", "Odesa"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_true(res.id > 0);
	assert_int_equal(jint(res.body, "user.id"), res.id);
	assert_string_equal(jstr(res.body, "user.login"), "newbie");
	assert_string_equal(jstr(res.body, "user.role"), "contributor");
	assert_string_equal(jstr(res.body, "user.byline_name"), "N. Bie");
	assert_true(json_is_false(jget(res.body, "user.disabled")));
	/* The answer holds neither the password nor its hash. */
	dump = json_dumps(res.body, 0);
	assert_non_null(dump);
	assert_null(strstr(dump, "ten chars!"));
	assert_null(strstr(dump, "argon2"));
	free(dump);
	assert_int_equal(store_user_by_login(f->st, "newbie", &u, &hash), 0);
	assert_int_equal(u.id, res.id);
	assert_int_equal(u.role, MODEL_ROLE_CONTRIBUTOR);
	assert_string_equal(u.display_name, "New Bie");
	assert_string_equal(u.byline_role, "Odesa");
	assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
	assert_int_equal(auth_password_verify(hash, "ten chars!"), 1);
	free(hash);
	model_user_cleanup(&u);
	EXPECT_AUDIT(f, "user.add", f->user[ADMIN].id, -1);
	audits = n_audit(f);

	newsroom_user_create(as(f, ADMIN),
		       jp("{s:s, s:s, s:s, s:s}", "login", "newbie", "display_name", "Other",
			  "password", PASSWORD, "role", "editor"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	EXPECT_MSG(&res, "newbie");
	newsroom_user_create(as(f, ADMIN),
		       jp("{s:s, s:s, s:s, s:s}", "login", "ed", "display_name", "Other Ed",
			  "password", PASSWORD, "role", "admin"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CONFLICT, "conflict");
	assert_int_equal(store_user_by_login(f->st, "ed", &u, NULL), 0);
	assert_int_equal(u.role, MODEL_ROLE_EDITOR);
	assert_string_equal(u.display_name, "Ed Editor");
	model_user_cleanup(&u);
	assert_int_equal(n_audit(f), audits);

	newsroom_users_list(as(f, EDITOR), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	newsroom_users_list(as(f, ADMIN), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "users"), 4);
	newsroom_result_cleanup(&res);
}

static void test_user_update(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_user u = { 0 };
	unsigned char tok_hash[STORE_TOKEN_HASH_LEN], sess_hash[STORE_TOKEN_HASH_LEN];
	char secret[AUTH_TOKEN_LEN + 1], *csrf = NULL, *hash = NULL;
	int64_t cora = f->user[CONTRIB].id, ada = f->user[ADMIN].id;

	/* An admin cannot demote or disable themselves. */
	newsroom_user_update(as(f, ADMIN), ada, jp("{s:s}", "role", "editor"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "another admin");
	newsroom_user_update(as(f, ADMIN), ada, jp("{s:s}", "role", "contributor"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_user_update(as(f, ADMIN), ada, jp("{s:b}", "disabled", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_user_update(as(f, ADMIN), ada, jp("{s:s, s:s}", "role", "editor", "display_name", "X"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	assert_int_equal(store_user_get(f->st, ada, &u), 0);
	assert_int_equal(u.role, MODEL_ROLE_ADMIN);
	assert_int_equal(u.disabled, 0);
	assert_string_equal(u.display_name, "Ada Admin");
	model_user_cleanup(&u);
	newsroom_user_update(as(f, ADMIN), ada, jp("{s:s, s:b, s:s}", "role", "admin", "disabled", 0,
					     "display_name", "Ada A."),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "user.display_name"), "Ada A.");
	assert_string_equal(jstr(res.body, "user.role"), "admin");

	/* Others may not change users at all. */
	newsroom_user_update(as(f, EDITOR), cora, jp("{s:s}", "role", "admin"), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	newsroom_user_update(as(f, EDITOR), f->user[EDITOR].id, jp("{s:s}", "role", "admin"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(store_user_get(f->st, f->user[EDITOR].id, &u), 0);
	assert_int_equal(u.role, MODEL_ROLE_EDITOR);
	model_user_cleanup(&u);

	/* Promote. */
	newsroom_user_update(as(f, ADMIN), cora, jp("{s:s}", "role", "editor"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(res.id, cora);
	assert_string_equal(jstr(res.body, "user.role"), "editor");
	assert_int_equal(store_user_get(f->st, cora, &u), 0);
	assert_int_equal(u.role, MODEL_ROLE_EDITOR);
	assert_string_equal(u.byline_name, "Cora C."); /* untouched */
	model_user_cleanup(&u);
	EXPECT_AUDIT(f, "user.role", ada, -1);

	/* Refusals. */
	newsroom_user_update(as(f, ADMIN), cora, jp("{s:s}", "password", "short"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_user_update(as(f, ADMIN), cora, jp("{s:s}", "display_name", ""), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_user_update(as(f, ADMIN), cora, jp("{s:s}", "disabled", "yes"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	newsroom_user_update(as(f, ADMIN), cora, jp("{s:s}", "role", "owner"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_user_update(as(f, ADMIN), 99999, jp("{s:s}", "role", "editor"), fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_user_update(as(f, ADMIN), cora, jl("\"x\""), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");

	/* A new password. */
	newsroom_user_update(as(f, ADMIN), cora, jp("{s:s}", "password", "another password"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(store_user_by_login(f->st, "cora", &u, &hash), 0);
	assert_int_equal(auth_password_verify(hash, "another password"), 1);
	assert_int_equal(auth_password_verify(hash, PASSWORD), 0);
	free(hash);
	model_user_cleanup(&u);
	EXPECT_AUDIT(f, "user.password", ada, -1);

	/* Disabling revokes their token and session, for good. */
	newsroom_token_create(as(f, ADMIN), jp("{s:s, s:s}", "login", "cora", "label", "laptop"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	snprintf(secret, sizeof(secret), "%s", jstr(res.body, "secret"));
	auth_token_hash(secret, strlen(secret), tok_hash);
	auth_token_hash("a session", 9, sess_hash);
	assert_int_equal(store_session_create(f->st, cora, sess_hash, "csrf-token",
					      f->now + AUTH_SESSION_SECONDS), 0);
	assert_int_equal(store_token_lookup(f->st, tok_hash, &u), 0);
	assert_int_equal(u.id, cora);
	model_user_cleanup(&u);
	assert_int_equal(store_session_lookup(f->st, sess_hash, f->now, &u, &csrf), 0);
	model_user_cleanup(&u);
	free(csrf);

	newsroom_user_update(as(f, ADMIN), cora, jp("{s:b}", "disabled", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_true(jget(res.body, "user.disabled")));
	EXPECT_AUDIT(f, "user.disable", ada, -1);
	assert_int_equal(store_token_lookup(f->st, tok_hash, &u), STORE_ENOTFOUND);
	assert_int_equal(store_session_lookup(f->st, sess_hash, f->now, &u, &csrf),
			 STORE_ENOTFOUND);
	newsroom_user_update(as(f, ADMIN), cora, jp("{s:b}", "disabled", 0), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_false(jget(res.body, "user.disabled")));
	assert_int_equal(store_token_lookup(f->st, tok_hash, &u), STORE_ENOTFOUND);
	assert_int_equal(store_session_lookup(f->st, sess_hash, f->now, &u, &csrf),
			 STORE_ENOTFOUND);
	newsroom_result_cleanup(&res);
}

static int token_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static void test_tokens(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_user u = { 0 };
	unsigned char h[STORE_TOKEN_HASH_LEN];
	char secret[AUTH_TOKEN_LEN + 1], *dump;
	int64_t tid;

	for (int r = CONTRIB; r <= EDITOR; r++) {
		newsroom_token_create(as(f, r), jp("{s:s, s:s}", "login", "ed", "label", "x"),
				fresh(&res));
		EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
		newsroom_tokens_list(as(f, r), fresh(&res));
		EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	}
	newsroom_token_create(as(f, ADMIN), jp("{s:s, s:s}", "login", "ed", "label", "wire importer"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	tid = res.id;
	assert_true(tid > 0);
	assert_int_equal(jint(res.body, "token.id"), tid);
	assert_int_equal(jint(res.body, "token.user_id"), f->user[EDITOR].id);
	assert_string_equal(jstr(res.body, "token.login"), "ed");
	assert_string_equal(jstr(res.body, "token.label"), "wire importer");
	assert_true(json_is_null(jget(res.body, "token.revoked_at")));
	assert_int_equal(strlen(jstr(res.body, "secret")), AUTH_TOKEN_LEN);
	assert_true(token_chars(jstr(res.body, "secret")));
	snprintf(secret, sizeof(secret), "%s", jstr(res.body, "secret"));
	auth_token_hash(secret, strlen(secret), h);
	assert_int_equal(store_token_lookup(f->st, h, &u), 0);
	assert_int_equal(u.id, f->user[EDITOR].id);
	assert_int_equal(u.role, MODEL_ROLE_EDITOR);
	model_user_cleanup(&u);
	EXPECT_AUDIT(f, "token.create", f->user[ADMIN].id, -1);

	/* Listed, without the secret. */
	newsroom_tokens_list(as(f, ADMIN), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "tokens"), 1);
	assert_string_equal(jstr(res.body, "tokens.0.label"), "wire importer");
	dump = json_dumps(res.body, 0);
	assert_null(strstr(dump, secret));
	free(dump);

	/* Refusals. */
	newsroom_token_create(as(f, ADMIN), jp("{s:s, s:s}", "login", "ghost", "label", "x"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_token_create(as(f, ADMIN), jp("{s:s}", "login", "ed"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	newsroom_token_create(as(f, ADMIN), jp("{s:s, s:s}", "login", "ed", "label", "a\nb"),
			fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	assert_int_equal(store_user_set_disabled(f->st, 0, f->user[CONTRIB].id, 1), 0);
	newsroom_token_create(as(f, ADMIN), jp("{s:s, s:s}", "login", "cora", "label", "x"), fresh(&res));
	EXPECT(&res, NEWSROOM_INVALID, "invalid");
	EXPECT_MSG(&res, "disabled");
	newsroom_tokens_list(as(f, ADMIN), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "tokens"), 1);

	/* Revoking. */
	newsroom_token_revoke(as(f, EDITOR), tid, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(store_token_lookup(f->st, h, &u), 0);
	model_user_cleanup(&u);
	newsroom_token_revoke(as(f, ADMIN), tid, fresh(&res));
	EXPECT(&res, OK_EMPTY, NULL);
	assert_int_equal(store_token_lookup(f->st, h, &u), STORE_ENOTFOUND);
	EXPECT_AUDIT(f, "token.revoke", f->user[ADMIN].id, -1);
	newsroom_tokens_list(as(f, ADMIN), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_string(jget(res.body, "tokens.0.revoked_at")));
	/* Revoking again is not an error and changes nothing. */
	newsroom_token_revoke(as(f, ADMIN), tid, fresh(&res));
	EXPECT(&res, OK_EMPTY, NULL);
	assert_int_equal(store_token_lookup(f->st, h, &u), STORE_ENOTFOUND);
	newsroom_token_revoke(as(f, ADMIN), 99999, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_result_cleanup(&res);
}

/* ---- the audit trail ------------------------------------------------------------------ */

static void test_audit_list(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	struct model_page p = { 0 };
	int64_t id;

	newsroom_page_create(as(f, ADMIN), jp("{s:s, s:s}", "slug", "other", "title", "Other"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	id = make_post(f, "Audited", "x");

	newsroom_audit_list(as(f, CONTRIB), NULL, 0, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	newsroom_audit_list(as(f, EDITOR), NULL, 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(jlen(res.body, "audit") >= 5); /* 3 users, 2 pages, 1 post */
	assert_string_equal(jstr(res.body, "audit.0.action"), "post.publish");
	assert_string_equal(jstr(res.body, "audit.0.user_name"), "Ed Editor");
	assert_int_equal(jint(res.body, "audit.0.user_id"), f->user[EDITOR].id);
	assert_int_equal(jint(res.body, "audit.0.post_id"), id);
	assert_string_equal(jstr(res.body, "audit.1.action"), "page.create");
	assert_string_equal(jstr(res.body, "audit.1.user_name"), "Ada Admin");
	newsroom_audit_list(as(f, EDITOR), NULL, 1, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "audit"), 1);

	/* One page's trail. */
	assert_int_equal(store_page_get(f->st, "other", &p), 0);
	newsroom_audit_list(as(f, ADMIN), "other", 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "audit"), 1);
	assert_int_equal(jint(res.body, "audit.0.page_id"), p.id);
	model_page_cleanup(&p);
	newsroom_audit_list(as(f, ADMIN), SLUG, 0, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	for (size_t i = 0; i < jlen(res.body, "audit"); i++)
		assert_int_equal(json_integer_value(json_object_get(
					 json_array_get(json_object_get(res.body, "audit"), i),
					 "page_id")),
				 f->page_id);
	newsroom_audit_list(as(f, ADMIN), "nope", 0, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_audit_list(as(f, ADMIN), "../x", 0, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	newsroom_result_cleanup(&res);
}

/* The remaining role cells: every read action answers every role, and each
 * write action answers the lowest role allowed and refuses the one below it. */
static void test_roles_sweep(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	int64_t post_id = make_post(f, "Swept", "x"), draft_id = make_draft(f, CONTRIB, "Cora's");
	int64_t other;
	size_t changes;

	for (int r = 0; r < 3; r++) {
		newsroom_posts_list(as(f, r), SLUG, 0, fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_int_equal(jlen(res.body, "posts"), 1);
		newsroom_revisions_list(as(f, r), SLUG, post_id, fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_int_equal(jlen(res.body, "revisions"), 1);
		assert_string_equal(jstr(res.body, "revisions.0.user_name"), "Ed Editor");
		newsroom_drafts_list(as(f, r), SLUG, fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_int_equal(jlen(res.body, "drafts"), 1);
		newsroom_draft_get(as(f, r), SLUG, draft_id, fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_string_equal(jstr(res.body, "draft.author_name"), "Cora Contributor");
		newsroom_preview(as(f, r), jp("{s:s}", "body", "**b**"), fresh(&res));
		EXPECT(&res, NEWSROOM_OK, NULL);
		assert_non_null(strstr(jstr(res.body, "html"), "<strong>b</strong>"));
		newsroom_media_upload(as(f, r), "text", 4, fresh(&res));
		EXPECT(&res, NEWSROOM_UNSUPPORTED, "unsupported_media_type");
	}

	/* Admin-only actions refuse contributors too. */
	newsroom_users_list(as(f, CONTRIB), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	newsroom_user_update(as(f, CONTRIB), f->user[CONTRIB].id, jp("{s:s}", "role", "admin"),
		       fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	newsroom_token_revoke(as(f, CONTRIB), 1, fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");

	/* Editor actions are an admin's too. */
	newsroom_page_status(as(f, ADMIN), SLUG, jp("{s:s}", "status", "ended"), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	EXPECT_AUDIT(f, "page.status", f->user[ADMIN].id, -1);
	newsroom_post_pin(as(f, ADMIN), SLUG, post_id, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jint(res.body, "page.pinned_post_id"), post_id);
	EXPECT_AUDIT(f, "post.pin", f->user[ADMIN].id, -1);
	newsroom_draft_create(as(f, ADMIN), SLUG, jp("{s:s}", "title", "Ada's"), fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	assert_int_equal(jint(res.body, "draft.author_id"), f->user[ADMIN].id);

	/* An editor deletes a contributor's draft. */
	newsroom_draft_delete(as(f, EDITOR), SLUG, draft_id, fresh(&res));
	EXPECT(&res, OK_EMPTY, NULL);
	EXPECT_AUDIT(f, "draft.delete", f->user[EDITOR].id, -1);

	/* An admin deletes a post (the pinned one: the pin goes with it). */
	other = make_post(f, "Other", "y");
	changes = n_changes(f);
	newsroom_post_delete(as(f, ADMIN), SLUG, post_id, fresh(&res));
	EXPECT(&res, OK_EMPTY, NULL);
	EXPECT_AUDIT(f, "post.delete", f->user[ADMIN].id, post_id);
	assert_true(n_changes(f) > changes);
	newsroom_page_get(as(f, CONTRIB), SLUG, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_true(json_is_null(jget(res.body, "page.pinned_post_id")));
	assert_int_equal(jint(res.body, "page.n_posts"), 1);
	newsroom_post_get(as(f, CONTRIB), SLUG, other, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	newsroom_result_cleanup(&res);
}

/* ---- signing in -------------------------------------------------------------------------- */

static int signin(struct fx *f, const char *login, const char *pw, const char *addr, int64_t now,
		  struct newsroom_result *res, int *retry)
{
	struct model_user u = { 0 };
	enum newsroom_status st;

	st = newsroom_signin(f->st, login, pw, addr, now, &u, fresh(res), retry);
	if (st == NEWSROOM_OK) {
		assert_string_equal(u.login, login);
		model_user_cleanup(&u);
	} else {
		assert_null(u.login);
	}
	assert_int_equal(res->status, st);
	return st;
}

static void test_signin(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 }, res2 = { 0 };
	struct model_user u = { 0 };
	int retry = -1;
	char long_login[80];

	assert_int_equal(
	    newsroom_signin(f->st, "ed", PASSWORD, "198.51.100.1", f->now, &u, &res, &retry),
	    NEWSROOM_OK);
	assert_int_equal(res.status, NEWSROOM_OK);
	assert_null(res.code);
	assert_int_equal(retry, 0);
	assert_int_equal(u.id, f->user[EDITOR].id);
	assert_string_equal(u.login, "ed");
	assert_int_equal(u.role, MODEL_ROLE_EDITOR);
	model_user_cleanup(&u);

	/* A wrong password and an unknown login read the same. */
	assert_int_equal(signin(f, "ed", "wrong password", "198.51.100.1", f->now, &res, &retry),
			 NEWSROOM_UNAUTHENTICATED);
	EXPECT(&res, NEWSROOM_UNAUTHENTICATED, "unauthenticated");
	assert_int_equal(signin(f, "nobody", PASSWORD, "198.51.100.1", f->now, &res2, &retry),
			 NEWSROOM_UNAUTHENTICATED);
	EXPECT(&res2, NEWSROOM_UNAUTHENTICATED, "unauthenticated");
	assert_string_equal(res.message, res2.message);
	assert_int_equal(signin(f, "", PASSWORD, "198.51.100.1", f->now, &res, &retry),
			 NEWSROOM_UNAUTHENTICATED);
	assert_int_equal(
	    newsroom_signin(f->st, NULL, PASSWORD, "198.51.100.1", f->now, &u, fresh(&res), &retry),
	    NEWSROOM_UNAUTHENTICATED);
	memset(long_login, 'a', 70);
	long_login[70] = '\0';
	assert_int_equal(signin(f, long_login, PASSWORD, "198.51.100.1", f->now, &res, &retry),
			 NEWSROOM_UNAUTHENTICATED);

	/* A disabled account: 403 for the right password, 401 for a wrong one. */
	assert_int_equal(store_user_set_disabled(f->st, 0, f->user[CONTRIB].id, 1), 0);
	assert_int_equal(signin(f, "cora", PASSWORD, "198.51.100.2", f->now, &res, &retry),
			 NEWSROOM_FORBIDDEN);
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(signin(f, "cora", "wrong password", "198.51.100.2", f->now, &res, &retry),
			 NEWSROOM_UNAUTHENTICATED);
	newsroom_result_cleanup(&res);
	newsroom_result_cleanup(&res2);
}

static void test_signin_limit_login(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	char addr[32];
	int retry = -1;

	/* Five failures for one login, from five addresses. */
	for (int i = 0; i < NEWSROOM_SIGNIN_MAX_LOGIN; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i + 1);
		assert_int_equal(signin(f, "ada", "wrong password", addr, f->now, &res, &retry),
				 NEWSROOM_UNAUTHENTICATED);
		assert_int_equal(retry, 0);
	}
	/* Now even the right password, from anywhere, waits. */
	assert_int_equal(signin(f, "ada", PASSWORD, "192.0.2.99", f->now, &res, &retry),
			 NEWSROOM_RATE_LIMITED);
	EXPECT(&res, NEWSROOM_RATE_LIMITED, "rate_limited");
	EXPECT_MSG(&res, "for this account");
	EXPECT_MSG(&res, "15 minutes");
	assert_int_equal(retry, NEWSROOM_SIGNIN_WINDOW);
	assert_int_equal(signin(f, "ada", PASSWORD, "192.0.2.98", f->now + 100, &res, &retry),
			 NEWSROOM_RATE_LIMITED);
	assert_int_equal(retry, NEWSROOM_SIGNIN_WINDOW - 100);
	assert_true(retry > 0);
	/* Other accounts are not affected. */
	assert_int_equal(signin(f, "ed", PASSWORD, "192.0.2.1", f->now + 100, &res, &retry),
			 NEWSROOM_OK);
	/* Once the window has passed, the right password works. */
	assert_int_equal(signin(f, "ada", PASSWORD, "192.0.2.99",
				f->now + NEWSROOM_SIGNIN_WINDOW + 1, &res, &retry),
			 NEWSROOM_OK);
	newsroom_result_cleanup(&res);
}

static void test_signin_limit_addr(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	char login[32];
	int retry = -1;

	/* Twenty failures from one address, spread over logins (none reaches 5). */
	for (int i = 0; i < NEWSROOM_SIGNIN_MAX_ADDR; i++) {
		if (i % 4 == 0)
			snprintf(login, sizeof(login), "ghost%d", i / 4);
		assert_int_equal(
		    signin(f, login, "wrong password", "203.0.113.9", f->now, &res, &retry),
		    NEWSROOM_UNAUTHENTICATED);
	}
	assert_int_equal(signin(f, "ed", PASSWORD, "203.0.113.9", f->now, &res, &retry),
			 NEWSROOM_RATE_LIMITED);
	EXPECT(&res, NEWSROOM_RATE_LIMITED, "rate_limited");
	EXPECT_MSG(&res, "from your address");
	assert_true(retry > 0);
	assert_true(retry <= NEWSROOM_SIGNIN_WINDOW);
	assert_int_equal(signin(f, "ada", PASSWORD, "203.0.113.9", f->now, &res, &retry),
			 NEWSROOM_RATE_LIMITED);
	/* From another address the same accounts sign in. */
	assert_int_equal(signin(f, "ed", PASSWORD, "203.0.113.10", f->now, &res, &retry),
			 NEWSROOM_OK);
	assert_int_equal(retry, 0);
	newsroom_result_cleanup(&res);
}

static void test_signin_success_clears(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	char addr[32];
	int retry = -1;

	for (int i = 0; i < NEWSROOM_SIGNIN_MAX_LOGIN - 1; i++) {
		snprintf(addr, sizeof(addr), "198.18.0.%d", i + 1);
		assert_int_equal(signin(f, "ed", "wrong password", addr, f->now, &res, &retry),
				 NEWSROOM_UNAUTHENTICATED);
	}
	assert_int_equal(signin(f, "ed", PASSWORD, "198.18.0.50", f->now, &res, &retry),
			 NEWSROOM_OK);
	/* Without the clearing this would be the fifth failure in the window. */
	assert_int_equal(signin(f, "ed", "wrong password", "198.18.0.51", f->now, &res, &retry),
			 NEWSROOM_UNAUTHENTICATED);
	assert_int_equal(signin(f, "ed", PASSWORD, "198.18.0.52", f->now, &res, &retry),
			 NEWSROOM_OK);
	newsroom_result_cleanup(&res);
}

/* ---- main ----------------------------------------------------------------------------- */

static int group_setup(void **state)
{
	(void)state;
	if (auth_init() != 0 || media_init("test_newsroom") != 0)
		return -1;
	return auth_password_hash(PASSWORD, pw_hash);
}

static int group_teardown(void **state)
{
	(void)state;
	vips_shutdown();
	return 0;
}

/* What the forms' pages read goes through the newsroom, with its role checks:
 * the desk (newest posts, the pinned one marked, drafts), a post's history, a
 * draft, the people (admins only) and the audit trail (editors and admins, at
 * most NEWSROOM_AUDIT_VIEW_ENTRIES entries, one page's when asked). */
static void test_views(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	int64_t first = make_post(f, "First", "x"), second = make_post(f, "Second", "y");
	int64_t draft = make_draft(f, CONTRIB, "Cora's draft");
	struct newsroom_draft_view v;
	struct newsroom_history h;
	struct newsroom_people p;
	struct newsroom_audit a;
	struct newsroom_desk d;
	struct model_page page;
	struct model_page *pages;
	size_t n;

	newsroom_post_pin(as(f, EDITOR), SLUG, first, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	newsroom_post_edit(as(f, EDITOR), SLUG, second, jp("{s:s, s:i}", "title", "Second!",
							    "version", 1), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	newsroom_result_cleanup(&res);

	assert_int_equal(newsroom_desk_get(as(f, CONTRIB), SLUG, &d, fresh(&res)), 0);
	assert_int_equal(d.page.id, f->page_id);
	assert_int_equal(d.n_posts, 2);
	assert_int_equal(d.posts[0].id, second); /* newest first */
	assert_false(d.posts[0].pinned);
	assert_int_equal(d.posts[1].id, first);
	assert_true(d.posts[1].pinned);
	assert_int_equal(d.n_drafts, 1);
	assert_int_equal(d.drafts[0].id, draft);
	newsroom_desk_cleanup(&d);
	assert_int_equal(newsroom_desk_get(as(f, EDITOR), "no-such-page", &d, fresh(&res)), -1);
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_null(d.posts);

	assert_int_equal(newsroom_history_get(as(f, CONTRIB), SLUG, second, &h, fresh(&res)), 0);
	assert_string_equal(h.post.title, "Second!");
	assert_int_equal(h.n_revs, 2);
	assert_int_equal(h.revs[0].user_id, f->user[EDITOR].id);
	newsroom_history_cleanup(&h);
	assert_int_equal(newsroom_history_get(as(f, EDITOR), SLUG, 999, &h, fresh(&res)), -1);
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");

	assert_int_equal(newsroom_draft_view_get(as(f, EDITOR), SLUG, draft, &v, fresh(&res)), 0);
	assert_string_equal(v.draft.post.title, "Cora's draft");
	assert_int_equal(v.draft.author_id, f->user[CONTRIB].id);
	newsroom_draft_view_cleanup(&v);
	assert_int_equal(newsroom_draft_view_get(as(f, EDITOR), SLUG, 999, &v, fresh(&res)), -1);
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");

	assert_int_equal(newsroom_page_view_get(as(f, CONTRIB), SLUG, &page, fresh(&res)), 0);
	assert_int_equal(page.id, f->page_id);
	model_page_cleanup(&page);
	assert_int_equal(newsroom_pages_view_get(as(f, CONTRIB), &pages, &n, fresh(&res)), 0);
	assert_int_equal(n, 1);
	model_pages_free(pages, n);

	/* People: admins only. */
	for (int r = CONTRIB; r <= EDITOR; r++) {
		assert_int_equal(newsroom_people_get(as(f, r), &p, fresh(&res)), -1);
		EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
		assert_null(p.users);
	}
	assert_int_equal(newsroom_people_get(as(f, ADMIN), &p, fresh(&res)), 0);
	assert_int_equal(p.n_users, 3);
	assert_int_equal(p.n_tokens, 0);
	newsroom_people_cleanup(&p);

	/* The audit trail: not for contributors; one page's, or every page's. */
	assert_int_equal(newsroom_audit_get(as(f, CONTRIB), NULL, &a, fresh(&res)), -1);
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(newsroom_audit_get(as(f, EDITOR), "", &a, fresh(&res)), 0);
	assert_int_equal(a.page.id, 0);
	assert_string_equal(a.entries[0].action, "post.edit");
	newsroom_audit_cleanup(&a);
	assert_int_equal(newsroom_audit_get(as(f, EDITOR), SLUG, &a, fresh(&res)), 0);
	assert_int_equal(a.page.id, f->page_id);
	for (size_t i = 0; i < a.n; i++)
		assert_int_equal(a.entries[i].page_id, f->page_id);
	newsroom_audit_cleanup(&a);
	assert_int_equal(newsroom_audit_get(as(f, EDITOR), "../etc", &a, fresh(&res)), -1);
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	assert_int_equal(store_begin(f->st), 0);
	for (int i = 0; i < NEWSROOM_AUDIT_VIEW_ENTRIES + 5; i++)
		assert_int_equal(store_audit_add(f->st, 0, "test.entry", 0, 0, "x"), 0);
	assert_int_equal(store_commit(f->st), 0);
	assert_int_equal(newsroom_audit_get(as(f, ADMIN), NULL, &a, fresh(&res)), 0);
	assert_int_equal(a.n, NEWSROOM_AUDIT_VIEW_ENTRIES);
	newsroom_audit_cleanup(&a);

	/* What the pages show controls for: what each role may do, nothing for a
	 * disabled account or nobody. */
	assert_true(newsroom_permissions(&f->user[CONTRIB]) & (1u << AUTH_DRAFT_WRITE));
	assert_false(newsroom_permissions(&f->user[CONTRIB]) & (1u << AUTH_POST_PUBLISH));
	assert_true(newsroom_permissions(&f->user[EDITOR]) & (1u << AUTH_POST_PUBLISH));
	assert_false(newsroom_permissions(&f->user[EDITOR]) & (1u << AUTH_USER_ADMIN));
	assert_true(newsroom_permissions(&f->user[ADMIN]) & (1u << AUTH_USER_ADMIN));
	assert_int_equal(newsroom_permissions(NULL), 0);
	f->user[ADMIN].disabled = 1;
	assert_int_equal(newsroom_permissions(&f->user[ADMIN]), 0);
	f->user[ADMIN].disabled = 0;

	/* Who may publish, asked before an image is stored. */
	assert_int_equal(newsroom_may_publish(as(f, CONTRIB), fresh(&res)), -1);
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");
	assert_int_equal(newsroom_may_publish(as(f, EDITOR), fresh(&res)), 0);
	newsroom_me(as(f, CONTRIB), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "user.login"), "cora");
	newsroom_result_cleanup(&res);
}

/* Who is asking: an API token and a session cookie's token name their user; an
 * unknown one names nobody; a session started and ended is audited as its
 * user's, and is gone once ended. */
static void test_credentials(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	unsigned char hash[STORE_TOKEN_HASH_LEN];
	char secret[AUTH_TOKEN_LEN + 1], token[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1];
	struct model_user u = { 0 };
	char *got_csrf = NULL;

	newsroom_token_create(as(f, ADMIN), jp("{s:s, s:s}", "login", "ed", "label", "wire"),
			      fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	snprintf(secret, sizeof(secret), "%s", jstr(res.body, "secret"));
	newsroom_result_cleanup(&res);
	assert_int_equal(newsroom_token_user(f->st, secret, &u), 1);
	assert_int_equal(u.id, f->user[EDITOR].id);
	model_user_cleanup(&u);
	secret[0] = secret[0] == 'A' ? 'B' : 'A';
	assert_int_equal(newsroom_token_user(f->st, secret, &u), 0);
	assert_null(u.login);

	assert_int_equal(
	    newsroom_session_start(f->st, &f->user[CONTRIB], "192.0.2.7", f->now, token, csrf), 0);
	EXPECT_AUDIT(f, "auth.signin", f->user[CONTRIB].id, -1);
	assert_int_equal(newsroom_session_user(f->st, token, f->now, &u, &got_csrf, hash), 1);
	assert_int_equal(u.id, f->user[CONTRIB].id);
	assert_string_equal(got_csrf, csrf);
	model_user_cleanup(&u);
	free(got_csrf);
	got_csrf = NULL;
	/* Expired at the end of a shift. */
	assert_int_equal(
	    newsroom_session_user(f->st, token, f->now + AUTH_SESSION_SECONDS, &u, &got_csrf, hash),
	    0);
	newsroom_session_end(f->st, f->user[CONTRIB].id, hash);
	EXPECT_AUDIT(f, "auth.signout", f->user[CONTRIB].id, -1);
	assert_int_equal(newsroom_session_user(f->st, token, f->now, &u, &got_csrf, hash), 0);
	assert_null(got_csrf);
}

/* Two people's requests interleaved on one store connection (as on a worker's
 * newsroom thread): each change is credited to the context it came with, not to
 * whoever was set up last. With the actor kept on the connection (set before a
 * call, reset after), taking both contexts first credited the editor's post to
 * the contributor. */
static void test_actor_interleaved(void **state)
{
	struct fx *f = *state;
	const struct newsroom_ctx *ed = as(f, EDITOR), *cora = as(f, CONTRIB);
	struct newsroom_result res = { 0 };
	struct model_revision *revs = NULL;
	struct model_draft d = { 0 };
	int64_t post, draft;
	size_t n = 0;

	newsroom_post_create(ed, SLUG, jp("{s:s, s:s}", "title", "By Ed", "body", "x"),
			     fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	post = res.id;
	EXPECT_AUDIT(f, "post.publish", f->user[EDITOR].id, post);
	newsroom_draft_create(cora, SLUG, jp("{s:s}", "title", "By Cora"), fresh(&res));
	EXPECT(&res, NEWSROOM_CREATED, NULL);
	draft = res.id;
	EXPECT_AUDIT(f, "draft.create", f->user[CONTRIB].id, -1);
	newsroom_post_edit(ed, SLUG, post, jp("{s:s, s:i}", "title", "By Ed, edited", "version", 1),
			   fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	EXPECT_AUDIT(f, "post.edit", f->user[EDITOR].id, post);
	newsroom_result_cleanup(&res);

	assert_int_equal(store_revision_list(f->st, f->page_id, post, &revs, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(revs[0].user_id, f->user[EDITOR].id);
	assert_int_equal(revs[1].user_id, f->user[EDITOR].id);
	model_revisions_free(revs, n);
	assert_int_equal(store_draft_get(f->st, f->page_id, draft, &d), 0);
	assert_int_equal(d.author_id, f->user[CONTRIB].id);
	model_draft_cleanup(&d);
}

/* The actions that share one body (newsroom_item_get, newsroom_page_list,
 * newsroom_admin_list, newsroom_need_object) still answer each with its own
 * kind of thing: a post is not looked up as a draft, nor users as tokens. */
static void test_shared_bodies(void **state)
{
	struct fx *f = *state;
	struct newsroom_result res = { 0 };
	int64_t post = make_post(f, "A post", "Text");
	int64_t draft = make_draft(f, EDITOR, "A draft");

	newsroom_post_get(as(f, CONTRIB), SLUG, post, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_string_equal(jstr(res.body, "post.title"), "A post");
	newsroom_draft_get(as(f, CONTRIB), SLUG, draft, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(res.id, draft);
	assert_string_equal(jstr(res.body, "draft.post.title"), "A draft");
	newsroom_post_get(as(f, CONTRIB), SLUG, 99999, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	EXPECT_MSG(&res, "No such post.");
	newsroom_draft_get(as(f, CONTRIB), SLUG, 99999, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	EXPECT_MSG(&res, "No such draft.");

	newsroom_revisions_list(as(f, CONTRIB), SLUG, post, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "revisions"), 1);
	assert_string_equal(jstr(res.body, "revisions.0.post.title"), "A post");
	newsroom_revisions_list(as(f, CONTRIB), SLUG, 99999, fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");
	EXPECT_MSG(&res, "No such post.");
	newsroom_drafts_list(as(f, CONTRIB), SLUG, fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "drafts"), 1);
	assert_string_equal(jstr(res.body, "drafts.0.post.title"), "A draft");
	newsroom_drafts_list(as(f, CONTRIB), "nope", fresh(&res));
	EXPECT(&res, NEWSROOM_NOT_FOUND, "not_found");

	newsroom_users_list(as(f, ADMIN), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "users"), 3);
	assert_null(jget(res.body, "tokens"));
	newsroom_tokens_list(as(f, ADMIN), fresh(&res));
	EXPECT(&res, NEWSROOM_OK, NULL);
	assert_int_equal(jlen(res.body, "tokens"), 0);
	assert_null(jget(res.body, "users"));
	newsroom_tokens_list(as(f, EDITOR), fresh(&res));
	EXPECT(&res, NEWSROOM_FORBIDDEN, "forbidden");

	newsroom_token_create(as(f, ADMIN), jl("[1]"), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	EXPECT_MSG(&res, "must be a JSON object");
	newsroom_draft_create(as(f, EDITOR), SLUG, jl("\"text\""), fresh(&res));
	EXPECT(&res, NEWSROOM_MALFORMED, "bad_request");
	EXPECT_MSG(&res, "must be a JSON object");
	newsroom_result_cleanup(&res);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_pages_list_get),
	    T(test_page_create),
	    T(test_page_update),
	    T(test_page_status),
	    T(test_page_publish),
	    T(test_times_in_range),
	    T(test_summary),
	    T(test_summary_point_nul),
	    T(test_post_create),
	    T(test_post_create_invalid),
	    T(test_post_hostile_strings),
	    T(test_post_get_list),
	    T(test_post_edit),
	    T(test_post_delete_pin),
	    T(test_cross_page),
	    T(test_blank_in_partial_edits),
	    T(test_draft_create),
	    T(test_draft_ownership),
	    T(test_draft_publish),
	    T(test_shared_bodies),
	    T(test_media_upload),
	    T(test_preview),
	    T(test_user_create),
	    T(test_user_update),
	    T(test_tokens),
	    T(test_audit_list),
	    T(test_roles_sweep),
	    T(test_signin),
	    T(test_signin_limit_login),
	    T(test_signin_limit_addr),
	    T(test_signin_success_clears),
	    T(test_actor_interleaved),
	    T(test_views),
	    T(test_credentials),
	};
#undef T

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
