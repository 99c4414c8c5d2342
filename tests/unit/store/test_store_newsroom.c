/*
 * Unit tests for store/store_newsroom.h through the store's interface only (no
 * database header here), on a fresh database file per test: users, failed
 * sign-ins, drafts and the scheduler, page details. The checks that look into
 * the SQLite file itself are in test_store_sqlite_newsroom.c.
 */
#include "unit_store_newsroom.h"

#include <sys/wait.h>

#include "util/log.h"

static void test_users(void **state)
{
	struct unit_db *f = *state;
	const char *bad_logins[] = { "", "Ann", "ann smith", "ann@x", "é",
				     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				     "aaaaaaaaaaa" /* 65 */ };
	struct model_user u, out, *list;
	int64_t before = now_s(), ann, bob;
	char *hash = NULL;
	size_t n;

	memset(&u, 0, sizeof(u));
	u.login = "ann.editor";
	u.display_name = "Ann Editor";
	u.byline_name = "Ann E.";
	u.byline_role = "Live desk";
	u.role = MODEL_ROLE_EDITOR;
	assert_int_equal(store_user_create(f->s, 0, &u, "hash-1"), 0);
	ann = u.id;
	assert_true(ann > 0);
	assert_true(u.created_at >= before);

	assert_int_equal(store_user_get(f->s, ann, &out), 0);
	assert_string_equal(out.login, "ann.editor");
	assert_string_equal(out.display_name, "Ann Editor");
	assert_string_equal(out.byline_name, "Ann E.");
	assert_string_equal(out.byline_role, "Live desk");
	assert_int_equal(out.role, MODEL_ROLE_EDITOR);
	assert_int_equal(out.disabled, 0);
	assert_int_equal(out.created_at, u.created_at);
	model_user_cleanup(&out);

	assert_int_equal(store_user_by_login(f->s, "ann.editor", &out, &hash), 0);
	assert_int_equal(out.id, ann);
	assert_string_equal(hash, "hash-1");
	free(hash);
	model_user_cleanup(&out);
	assert_int_equal(store_user_by_login(f->s, "nobody", &out, NULL), STORE_ENOTFOUND);
	assert_int_equal(store_user_get(f->s, 999, &out), STORE_ENOTFOUND);

	/* The login is taken; bad logins and names are refused. */
	u.display_name = "Another Ann";
	assert_int_equal(store_user_create(f->s, 0, &u, "hash-2"), STORE_EEXIST);
	assert_non_null(strstr(store_errmsg(f->s), "taken"));
	for (size_t i = 0; i < sizeof(bad_logins) / sizeof(bad_logins[0]); i++) {
		u.login = (char *)bad_logins[i];
		assert_int_equal(store_user_create(f->s, 0, &u, "h"), STORE_EINVAL);
		assert_false(model_login_valid(bad_logins[i]));
	}
	u.login = NULL;
	assert_int_equal(store_user_create(f->s, 0, &u, "h"), STORE_EINVAL);
	u.login = "fine_login-2";
	assert_true(model_login_valid(u.login));
	u.display_name = "";
	assert_int_equal(store_user_create(f->s, 0, &u, "h"), STORE_EINVAL);
	u.display_name = "Fine";
	u.role = (enum model_role)3;
	assert_int_equal(store_user_create(f->s, 0, &u, "h"), STORE_EINVAL);
	u.role = MODEL_ROLE_ADMIN;
	assert_int_equal(store_user_create(f->s, 0, &u, ""), STORE_EINVAL);

	bob = create_user(f->s, "bob", "Bob Writer", MODEL_ROLE_CONTRIBUTOR);
	assert_int_equal(store_user_list(f->s, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].login, "ann.editor"); /* by login */
	assert_string_equal(list[1].login, "bob");
	model_users_free(list, n);

	/* Role, profile, password. */
	assert_int_equal(store_user_set_role(f->s, 0, bob, MODEL_ROLE_ADMIN), 0);
	assert_int_equal(store_user_set_role(f->s, 0, bob, (enum model_role)7), STORE_EINVAL);
	assert_int_equal(store_user_set_role(f->s, 0, 999, MODEL_ROLE_ADMIN), STORE_ENOTFOUND);
	assert_int_equal(store_user_set_profile(f->s, 0, bob, "Robert Writer", "Bob W.", "Paris"),
			 0);
	assert_int_equal(store_user_set_profile(f->s, 0, bob, "", "", ""), STORE_EINVAL);
	assert_int_equal(store_user_set_profile(f->s, 0, 999, "X", "", ""), STORE_ENOTFOUND);
	assert_int_equal(store_user_set_password(f->s, 0, bob, "hash-new"), 0);
	assert_int_equal(store_user_set_password(f->s, 0, bob, ""), STORE_EINVAL);
	assert_int_equal(store_user_by_login(f->s, "bob", &out, &hash), 0);
	assert_int_equal(out.role, MODEL_ROLE_ADMIN);
	assert_string_equal(out.display_name, "Robert Writer");
	assert_string_equal(out.byline_name, "Bob W.");
	assert_string_equal(out.byline_role, "Paris");
	assert_string_equal(hash, "hash-new");
	free(hash);
	model_user_cleanup(&out);

	assert_string_equal(model_role_name(MODEL_ROLE_CONTRIBUTOR), "contributor");
	assert_string_equal(model_role_name(MODEL_ROLE_EDITOR), "editor");
	assert_string_equal(model_role_name(MODEL_ROLE_ADMIN), "admin");
	assert_int_equal(model_role_parse("editor"), MODEL_ROLE_EDITOR);
	assert_int_equal(model_role_parse("admin"), MODEL_ROLE_ADMIN);
	assert_int_equal(model_role_parse("Admin"), -1);
	assert_int_equal(model_role_parse(NULL), -1);
}

/* Disabling a user revokes their sessions and tokens, and they stay revoked
 * when the user is enabled again. */
static void test_user_disable(void **state)
{
	struct unit_db *f = *state;
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_EDITOR);
	int64_t other = create_user(f->s, "other", "Other", MODEL_ROLE_EDITOR);
	unsigned char sh[STORE_TOKEN_HASH_LEN], th[STORE_TOKEN_HASH_LEN],
		oh[STORE_TOKEN_HASH_LEN], nh[STORE_TOKEN_HASH_LEN];
	int64_t far = now_s() + 3600, tok;
	struct model_user u;

	hash_of(sh, 20);
	hash_of(th, 21);
	hash_of(oh, 22);
	hash_of(nh, 23);
	assert_int_equal(store_session_create(f->s, ann, sh, "c", far), 0);
	assert_int_equal(store_token_create(f->s, 0, ann, "t", th, &tok), 0);
	assert_int_equal(store_session_create(f->s, other, oh, "c", far), 0);

	assert_int_equal(store_user_set_disabled(f->s, 0, ann, 1), 0);
	assert_int_equal(store_user_get(f->s, ann, &u), 0);
	assert_int_equal(u.disabled, 1);
	model_user_cleanup(&u);
	assert_int_equal(store_session_lookup(f->s, sh, now_s(), &u, NULL), STORE_ENOTFOUND);
	assert_int_equal(store_token_lookup(f->s, th, &u), STORE_ENOTFOUND);
	/* No new session or token for a disabled user. */
	assert_int_equal(store_session_create(f->s, ann, nh, "c", far), STORE_ENOTFOUND);
	assert_int_equal(store_token_create(f->s, 0, ann, "t2", nh, &tok), STORE_ENOTFOUND);
	/* Others are untouched. */
	assert_int_equal(store_session_lookup(f->s, oh, now_s(), &u, NULL), 0);
	model_user_cleanup(&u);

	assert_int_equal(store_user_set_disabled(f->s, 0, ann, 0), 0);
	assert_int_equal(store_session_lookup(f->s, sh, now_s(), &u, NULL), STORE_ENOTFOUND);
	assert_int_equal(store_token_lookup(f->s, th, &u), STORE_ENOTFOUND);
	assert_int_equal(store_session_create(f->s, ann, nh, "c", far), 0);
	assert_int_equal(store_session_lookup(f->s, nh, now_s(), &u, NULL), 0);
	model_user_cleanup(&u);
	assert_int_equal(store_user_set_disabled(f->s, 0, 999, 1), STORE_ENOTFOUND);
}

static void test_signin_failures(void **state)
{
	struct unit_db *f = *state;
	int64_t count, oldest, now = now_s();

	assert_int_equal(store_signin_failures(f->s, "login:ann", 0, &count, &oldest), 0);
	assert_int_equal(count, 0);
	assert_int_equal(oldest, 0);
	assert_int_equal(store_signin_failure_add(f->s, "login:ann", now - 300), 0);
	assert_int_equal(store_signin_failure_add(f->s, "login:ann", now - 200), 0);
	assert_int_equal(store_signin_failure_add(f->s, "login:ann", now - 100), 0);
	assert_int_equal(store_signin_failure_add(f->s, "addr:192.0.2.1", now - 100), 0);
	assert_int_equal(store_signin_failure_add(f->s, "", now), STORE_EINVAL);

	assert_int_equal(store_signin_failures(f->s, "login:ann", 0, &count, &oldest), 0);
	assert_int_equal(count, 3);
	assert_int_equal(oldest, now - 300);
	assert_int_equal(store_signin_failures(f->s, "login:ann", now - 250, &count, &oldest), 0);
	assert_int_equal(count, 2);
	assert_int_equal(oldest, now - 200);
	assert_int_equal(store_signin_failures(f->s, "addr:192.0.2.1", 0, &count, &oldest), 0);
	assert_int_equal(count, 1);

	assert_int_equal(store_signin_failures_clear(f->s, "login:ann"), 0);
	assert_int_equal(store_signin_failures(f->s, "login:ann", 0, &count, &oldest), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_signin_failures(f->s, "addr:192.0.2.1", 0, &count, &oldest), 0);
	assert_int_equal(count, 1);

	/* Housekeeping drops failures older than a day. */
	assert_int_equal(store_signin_failure_add(f->s, "login:old", now - 3 * 86400), 0);
	assert_int_equal(store_session_purge(f->s, now), 0);
	assert_int_equal(store_signin_failures(f->s, "login:old", 0, &count, &oldest), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_signin_failures(f->s, "addr:192.0.2.1", 0, &count, &oldest), 0);
	assert_int_equal(count, 1);
}

/* ---- drafts ---------------------------------------------------------------- */

/* One attempt counted against both limits in one transaction: recorded
 * before its password is checked, nothing recorded when either limit is
 * reached, and a success takes back what it recorded. */
static void test_signin_attempt(void **state)
{
	struct unit_db *f = *state;
	int64_t now = 1739750400, count = 0, oldest = 0;
	struct store_signin_attempt a = {
		.key_login = "login:ann", .key_addr = "addr:192.0.2.1",
		.max_login = 2, .max_addr = 3, .since = now - 900, .now = now,
	};

	assert_int_equal(store_signin_attempt(f->s, &a), 0);
	assert_true(a.allowed);
	assert_int_equal(a.n_login, 0);
	assert_int_equal(store_signin_failures(f->s, "login:ann", 0, &count, &oldest), 0);
	assert_int_equal(count, 1);
	assert_int_equal(store_signin_attempt(f->s, &a), 0);
	assert_true(a.allowed);
	/* The account's limit (2) is reached: refused, and nothing more recorded. */
	assert_int_equal(store_signin_attempt(f->s, &a), 0);
	assert_false(a.allowed);
	assert_int_equal(a.n_login, 2);
	assert_int_equal(a.oldest_login, now);
	assert_int_equal(store_signin_failures(f->s, "addr:192.0.2.1", 0, &count, &oldest), 0);
	assert_int_equal(count, 2);
	/* Another account from the same address: the address's third and last. */
	a.key_login = "login:bob";
	assert_int_equal(store_signin_attempt(f->s, &a), 0);
	assert_true(a.allowed);
	/* It signs in: bob's failures go, and so does the address's for it. */
	assert_int_equal(store_signin_attempt_succeeded(f->s, &a), 0);
	assert_int_equal(store_signin_failures(f->s, "login:bob", 0, &count, &oldest), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_signin_failures(f->s, "addr:192.0.2.1", 0, &count, &oldest), 0);
	assert_int_equal(count, 2);
	/* The address at its limit: no account failure is recorded either. */
	assert_int_equal(store_signin_attempt(f->s, &a), 0);
	assert_true(a.allowed);
	assert_int_equal(store_signin_attempt(f->s, &a), 0);
	assert_false(a.allowed);
	assert_int_equal(a.n_addr, 3);
	assert_int_equal(store_signin_failures(f->s, "login:bob", 0, &count, &oldest), 0);
	assert_int_equal(count, 1);
	a.key_addr = "";
	assert_int_equal(store_signin_attempt(f->s, &a), STORE_EINVAL);
}

static void test_drafts(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "drafts"), other = create_page(f->s, "other");
	int64_t liza = create_user(f->s, "liza", "Liza Fokht", MODEL_ROLE_CONTRIBUTOR);
	int64_t changes = last_change(f->s), before = now_s();
	struct model_draft d, out;
	int64_t id;

	sample_draft(&d, "First draft", MODEL_DRAFT_SAVED, 12345); /* ignored: a draft */
	assert_int_equal(store_draft_create(f->s, liza, page, &d), 0);
	id = d.id;
	assert_true(id > 0);
	assert_int_equal(d.version, 1);
	assert_int_equal(d.page_id, page);
	assert_int_equal(d.author_id, liza);
	assert_int_equal(d.publish_at, 0);
	assert_true(d.created_at >= before);
	assert_int_equal(d.updated_at, d.created_at);

	assert_int_equal(store_draft_get(f->s, page, id, &out), 0);
	assert_int_equal(out.id, id);
	assert_int_equal(out.page_id, page);
	assert_int_equal(out.author_id, liza);
	assert_string_equal(out.author_name, "Liza Fokht");
	assert_int_equal(out.state, MODEL_DRAFT_SAVED);
	assert_int_equal(out.publish_at, 0);
	assert_int_equal(out.version, 1);
	assert_int_equal(out.post.id, 0);
	assert_string_equal(out.post.title, "First draft");
	assert_int_equal(out.post.n_bylines, 1);
	assert_string_equal(out.post.bylines[0].name, "Liza Fokht");
	assert_int_equal(out.post.n_blocks, 2);
	assert_string_equal(out.post.blocks[1].cite, "Zelensky");
	model_draft_cleanup(&out);
	assert_int_equal(store_draft_get(f->s, other, id, &out), STORE_ENOTFOUND);

	/* Saves move the version; an old version is refused. */
	d.post.title = "Second thoughts";
	assert_int_equal(store_draft_update(f->s, liza, &d, 1), 0);
	assert_int_equal(d.version, 2);
	d.post.title = "Stale";
	assert_int_equal(store_draft_update(f->s, liza, &d, 1), STORE_ECONFLICT);
	assert_non_null(strstr(store_errmsg(f->s), "version 2"));
	assert_int_equal(d.version, 2);
	d.state = MODEL_DRAFT_SCHEDULED;
	d.publish_at = 0;
	assert_int_equal(store_draft_update(f->s, liza, &d, 2), STORE_EINVAL);
	d.publish_at = before + 3600;
	d.post.title = "Scheduled now";
	assert_int_equal(store_draft_update(f->s, liza, &d, 2), 0);
	assert_int_equal(d.version, 3);
	assert_int_equal(store_draft_update(f->s, liza, &d, 0), 0); /* 0: no check */
	assert_int_equal(d.version, 4);
	assert_int_equal(store_draft_get(f->s, page, id, &out), 0);
	assert_string_equal(out.post.title, "Scheduled now");
	assert_int_equal(out.state, MODEL_DRAFT_SCHEDULED);
	assert_int_equal(out.publish_at, before + 3600);
	assert_int_equal(out.version, 4);
	model_draft_cleanup(&out);

	d.id = 999;
	assert_int_equal(store_draft_update(f->s, liza, &d, 1), STORE_ENOTFOUND);
	d.id = id;
	d.page_id = other;
	assert_int_equal(store_draft_update(f->s, liza, &d, 4), STORE_ENOTFOUND);

	/* Refused content, a missing page. */
	sample_draft(&d, "", MODEL_DRAFT_SAVED, 0);
	assert_int_equal(store_draft_create(f->s, liza, page, &d), STORE_EINVAL);
	sample_draft(&d, "x", (enum model_draft_state)5, 0);
	assert_int_equal(store_draft_create(f->s, liza, page, &d), STORE_EINVAL);
	sample_draft(&d, "x", MODEL_DRAFT_SCHEDULED, 0);
	assert_int_equal(store_draft_create(f->s, liza, page, &d), STORE_EINVAL);
	sample_draft(&d, "x", MODEL_DRAFT_SAVED, 0);
	assert_int_equal(store_draft_create(f->s, liza, 999, &d), STORE_ENOTFOUND);

	/* Delete. */
	assert_int_equal(store_draft_delete(f->s, liza, other, id), STORE_ENOTFOUND);
	assert_int_equal(store_draft_delete(f->s, liza, page, id), 0);
	assert_int_equal(store_draft_get(f->s, page, id, &out), STORE_ENOTFOUND);
	assert_int_equal(store_draft_delete(f->s, liza, page, id), STORE_ENOTFOUND);

	/* Drafts are not on the reader's page: no change-log entries at all. */
	assert_int_equal(last_change(f->s), changes);
}

static void test_schedule_next(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "next"), at;

	assert_int_equal(store_schedule_next(f->s, &at), 0);
	assert_int_equal(at, 0);
	create_draft(f->s, 0, page, "draft", MODEL_DRAFT_SAVED, 0);
	assert_int_equal(store_schedule_next(f->s, &at), 0);
	assert_int_equal(at, 0);
	create_draft(f->s, 0, page, "late", MODEL_DRAFT_SCHEDULED, 5000);
	create_draft(f->s, 0, page, "soon", MODEL_DRAFT_SCHEDULED, 3000);
	assert_int_equal(store_schedule_next(f->s, &at), 0);
	assert_int_equal(at, 3000);
}

/* The scheduler publishes what is due, at its own time, and only that. */
static void test_schedule_run(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "sched");
	int64_t liza = create_user(f->s, "liza", "Liza Fokht", MODEL_ROLE_CONTRIBUTOR);
	int64_t editor = create_user(f->s, "ed", "Ed Editor", MODEL_ROLE_EDITOR);
	struct model_revision *revs;
	struct model_audit *a;
	struct model_draft *left;
	struct model_post *posts;
	size_t published = 99, n;
	int64_t at;

	create_draft(f->s, liza, page, "due-1", MODEL_DRAFT_SCHEDULED, 1000);
	create_draft(f->s, liza, page, "due-2", MODEL_DRAFT_SCHEDULED, 2000);
	create_draft(f->s, liza, page, "later", MODEL_DRAFT_SCHEDULED, 3000);
	create_draft(f->s, liza, page, "not scheduled", MODEL_DRAFT_SAVED, 0);

	/* The connection last acted for the editor: the scheduler still names
	 * the system, and the history the drafts' author. */
	assert_int_equal(store_user_set_profile(f->s, editor, editor, "Ed Editor", "", ""), 0);
	assert_int_equal(store_schedule_run(f->s, 2000, &published), 0);
	assert_int_equal(published, 2);
	assert_int_equal(store_post_range(f->s, page, 0, 20, &posts, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(posts[0].title, "due-2");
	assert_int_equal(posts[0].published_at, 2000);
	assert_string_equal(posts[1].title, "due-1");
	assert_int_equal(posts[1].published_at, 1000);
	/* The history credits the author; the audit trail, the system. */
	assert_int_equal(store_revision_list(f->s, page, posts[1].id, &revs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(revs[0].user_id, liza);
	model_revisions_free(revs, n);
	model_posts_free(posts, 2);
	assert_int_equal(store_audit_list(f->s, page, 2, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[0].action, "schedule.publish");
	assert_int_equal(a[0].user_id, 0);
	assert_string_equal(a[0].user_name, "scheduler");
	assert_string_equal(a[0].detail, "due-2");
	model_audit_free(a, n);

	assert_int_equal(store_draft_list(f->s, page, &left, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(left[0].post.title, "later");
	assert_string_equal(left[1].post.title, "not scheduled");
	model_drafts_free(left, n);
	assert_int_equal(store_schedule_next(f->s, &at), 0);
	assert_int_equal(at, 3000);

	assert_int_equal(store_schedule_run(f->s, 2999, &published), 0);
	assert_int_equal(published, 0);
	assert_int_equal(store_schedule_run(f->s, 3000, &published), 0);
	assert_int_equal(published, 1);
	assert_int_equal(store_schedule_next(f->s, &at), 0);
	assert_int_equal(at, 0);
}

static void test_page_update(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "details"), changes = last_change(f->s);
	struct store_change *c;
	struct model_audit *a;
	struct model_page p;
	size_t n;

	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	free(p.title);
	p.title = strdup("A better title");
	free(p.zone);
	p.zone = strdup("Europe/Paris");
	p.start_at = 1739750400;
	assert_int_equal(store_page_update(f->s, 0, &p), 0);
	model_page_cleanup(&p);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_string_equal(p.title, "A better title");
	assert_string_equal(p.zone, "Europe/Paris");
	assert_string_equal(p.slug, "details");
	assert_string_equal(p.description, "");
	assert_int_equal(p.start_at, 1739750400);
	assert_int_equal(p.last_seq, 2);

	assert_int_equal(store_page_changes_since(f->s, page, 1, 10, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].kind, STORE_CHANGE_PAGE);
	assert_true(c[0].id > changes);
	store_changes_free(c, n);
	assert_int_equal(store_audit_list(f->s, page, 1, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].action, "page.update");
	assert_string_equal(a[0].detail, "title, zone, start");
	model_audit_free(a, n);

	free(p.title);
	p.title = strdup("");
	assert_int_equal(store_page_update(f->s, 0, &p), STORE_EINVAL);
	free(p.title);
	p.title = strdup("Fine");
	p.id = 999;
	assert_int_equal(store_page_update(f->s, 0, &p), STORE_ENOTFOUND);
	model_page_cleanup(&p);
}

/* Several processes run the scheduler at the same moment on one database
 * (workers, or nodes on PostgreSQL): each scheduled post must come out
 * exactly once, with one change-log entry, one revision and one audit entry,
 * and its draft gone. */
#define SCHED_PROCS 3
#define SCHED_POSTS 40

static void test_schedule_run_once(void **state)
{
	struct unit_db *f = *state;
	int64_t pages[2] = { create_page(f->s, "race-a"), create_page(f->s, "race-b") };
	int64_t changes = last_change(f->s);
	int seen[SCHED_POSTS] = { 0 };
	pid_t pids[SCHED_PROCS];
	int gate[2], total = 0, audits = 0;
	struct store_change *c;
	struct model_audit *a;
	char title[32];
	size_t n;

	for (int i = 0; i < SCHED_POSTS; i++) {
		snprintf(title, sizeof(title), "scheduled-%d", i);
		create_draft(f->s, 0, pages[i % 2], title, MODEL_DRAFT_SCHEDULED, 1000 + i);
	}
	create_draft(f->s, 0, pages[0], "future", MODEL_DRAFT_SCHEDULED, 1000000);

	/* Every child opens the store, then waits at the gate; closing the
	 * write end releases them all at once. */
	assert_int_equal(pipe(gate), 0);
	for (int p = 0; p < SCHED_PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			char err[256], ch;
			struct store *s;
			size_t published = 0;
			int rc;

			close(gate[1]);
			s = store_open(f->path, err, sizeof(err));
			if (!s) {
				fprintf(stderr, "child: %s\n", err);
				_exit(255);
			}
			if (read(gate[0], &ch, 1) != 0)
				_exit(254);
			rc = store_schedule_run(s, 500000, &published);
			if (rc != 0)
				fprintf(stderr, "child: %s\n", store_errmsg(s));
			store_close(s);
			_exit(rc != 0 ? 253 : (int)published);
		}
	}
	close(gate[0]);
	usleep(100 * 1000); /* let them all reach the gate */
	close(gate[1]);
	for (int p = 0; p < SCHED_PROCS; p++) {
		int status;

		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status));
		assert_true(WEXITSTATUS(status) <= SCHED_POSTS);
		total += WEXITSTATUS(status);
	}
	assert_int_equal(total, SCHED_POSTS);
	/* Each post once, at its own time, with one revision. */
	for (int k = 0; k < 2; k++) {
		struct model_post *posts;

		assert_int_equal(store_post_range(f->s, pages[k], 0, SIZE_MAX, &posts, &n), 0);
		assert_int_equal(n, SCHED_POSTS / 2);
		for (size_t j = 0; j < n; j++) {
			struct model_revision *revs;
			size_t nr;
			int i;

			assert_int_equal(sscanf(posts[j].title, "scheduled-%d", &i), 1);
			assert_true(i >= 0 && i < SCHED_POSTS && i % 2 == k);
			assert_int_equal(seen[i]++, 0);
			assert_int_equal(posts[j].published_at, 1000 + i);
			assert_int_equal(store_revision_list(f->s, pages[k], posts[j].id, &revs, &nr), 0);
			assert_int_equal(nr, 1);
			model_revisions_free(revs, nr);
		}
		model_posts_free(posts, n);
	}
	/* One change-log entry each, and nothing else logged. */
	assert_int_equal(store_changes_since(f->s, changes, SIZE_MAX, &c, &n), 0);
	assert_int_equal(n, SCHED_POSTS);
	for (size_t j = 0; j < n; j++)
		assert_int_equal(c[j].kind, STORE_CHANGE_POST);
	store_changes_free(c, n);
	assert_int_equal(last_change(f->s), changes + SCHED_POSTS);
	assert_int_equal(store_audit_list(f->s, 0, 1000, &a, &n), 0);
	for (size_t j = 0; j < n; j++)
		audits += strcmp(a[j].action, "schedule.publish") == 0;
	model_audit_free(a, n);
	assert_int_equal(audits, SCHED_POSTS);
	/* Only the future one is left. */
	for (int k = 0; k < 2; k++) {
		struct model_draft *d;

		assert_int_equal(store_draft_list(f->s, pages[k], &d, &n), 0);
		assert_int_equal(n, k == 0 ? 1 : 0);
		model_drafts_free(d, n);
	}
}

/* ---- media ----------------------------------------------------------------- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_users, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_user_disable, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_signin_failures, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_signin_attempt, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_drafts, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_schedule_next, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_schedule_run, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_schedule_run_once, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_page_update, unit_db_setup, unit_db_teardown),
	};

	log_set_level(LOG_LEVEL_WARN); /* schema upgrades on every fresh file are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
