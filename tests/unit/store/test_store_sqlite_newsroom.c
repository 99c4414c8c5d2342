/*
 * Unit tests for the newsroom half of the store (store/store_newsroom.c) on
 * its SQLite backend (store_sqlite.c) that look into the file through a second, raw
 * connection, on a fresh database file per test: sessions and API tokens,
 * drafts and publishing them, the scheduler's order, post edits with versions, corrections and
 * revisions, the audit trail with the actor's name and its transactions, page
 * status times, media records, and the upgrade of a version-2 database.
 */
#include "unit_store_newsroom.h"
#include "unit_sqlite.h"

#include "util/log.h"

static void test_sessions(void **state)
{
	struct unit_db *f = *state;
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_EDITOR);
	unsigned char h1[STORE_TOKEN_HASH_LEN], h2[STORE_TOKEN_HASH_LEN],
		h3[STORE_TOKEN_HASH_LEN];
	struct model_user u;
	char *csrf = NULL;

	hash_of(h1, 1);
	hash_of(h2, 2);
	hash_of(h3, 3);
	assert_int_equal(store_session_create(f->s, ann, h1, "csrf-one", 1000), 0);
	assert_int_equal(store_session_create(f->s, ann, h2, "csrf-two", 5000), 0);
	assert_int_equal(store_session_create(f->s, ann, h1, "again", 5000), STORE_EEXIST);
	assert_int_equal(store_session_create(f->s, 999, h3, "x", 5000), STORE_ENOTFOUND);
	assert_int_equal(store_session_create(f->s, ann, h3, "", 5000), STORE_EINVAL);

	assert_int_equal(store_session_lookup(f->s, h1, 999, &u, &csrf), 0);
	assert_int_equal(u.id, ann);
	assert_string_equal(u.login, "ann");
	assert_string_equal(u.display_name, "Ann Editor");
	assert_int_equal(u.role, MODEL_ROLE_EDITOR);
	assert_string_equal(csrf, "csrf-one");
	free(csrf);
	model_user_cleanup(&u);

	/* Expired: valid until expires_at, not at it. */
	assert_int_equal(store_session_lookup(f->s, h1, 1000, &u, &csrf), STORE_ENOTFOUND);
	assert_int_equal(store_session_lookup(f->s, h3, 0, &u, &csrf), STORE_ENOTFOUND);

	/* Revoked. */
	assert_int_equal(store_session_lookup(f->s, h2, 1000, &u, NULL), 0);
	model_user_cleanup(&u);
	assert_int_equal(store_session_revoke(f->s, h2), 0);
	assert_int_equal(store_session_lookup(f->s, h2, 1000, &u, &csrf), STORE_ENOTFOUND);
	assert_int_equal(store_session_revoke(f->s, h3), STORE_ENOTFOUND);

	/* Purge: the expired and the revoked go, the valid stay. */
	assert_int_equal(store_session_create(f->s, ann, h3, "csrf-three", 9000), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sessions"), 3);
	assert_int_equal(store_session_purge(f->s, 2000), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(store_session_lookup(f->s, h3, 2000, &u, NULL), 0);
	model_user_cleanup(&u);

	/* Sessions write no audit entries. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"
				 " WHERE action LIKE 'session%'"), 0);
}

static void test_tokens(void **state)
{
	struct unit_db *f = *state;
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_ADMIN);
	int64_t bot = create_user(f->s, "wire", "Wire importer", MODEL_ROLE_EDITOR);
	unsigned char h1[STORE_TOKEN_HASH_LEN], h2[STORE_TOKEN_HASH_LEN];
	struct model_token *t;
	struct model_user u;
	int64_t id1, id2;
	size_t n;

	hash_of(h1, 10);
	hash_of(h2, 11);
	assert_int_equal(store_token_create(f->s, ann, bot, "wire importer", h1, &id1), 0);
	assert_int_equal(store_token_create(f->s, ann, ann, "scripts", h2, &id2), 0);
	assert_true(id2 > id1);
	assert_int_equal(store_token_create(f->s, ann, ann, "", h2, &id2), STORE_EINVAL);
	assert_int_equal(store_token_create(f->s, ann, 999, "x", h2, &id2), STORE_ENOTFOUND);

	assert_int_equal(store_token_lookup(f->s, h1, &u), 0);
	assert_int_equal(u.id, bot);
	assert_string_equal(u.login, "wire");
	assert_int_equal(u.role, MODEL_ROLE_EDITOR);
	model_user_cleanup(&u);

	assert_int_equal(store_token_list(f->s, &t, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t[0].id, id2); /* newest first */
	assert_string_equal(t[0].user_login, "ann");
	assert_string_equal(t[0].label, "scripts");
	assert_int_equal(t[1].id, id1);
	assert_int_equal(t[1].user_id, bot);
	assert_string_equal(t[1].user_login, "wire");
	assert_string_equal(t[1].label, "wire importer");
	assert_int_equal(t[1].revoked_at, 0);
	assert_true(t[1].created_at > 0);
	model_tokens_free(t, n);

	assert_int_equal(store_token_revoke(f->s, ann, id1), 0);
	assert_int_equal(store_token_lookup(f->s, h1, &u), STORE_ENOTFOUND);
	assert_int_equal(store_token_revoke(f->s, ann, id1), 0); /* again: nothing to do */
	assert_int_equal(store_token_revoke(f->s, ann, 999), STORE_ENOTFOUND);
	assert_int_equal(store_token_list(f->s, &t, &n), 0);
	assert_true(t[1].revoked_at > 0);
	assert_int_equal(t[0].revoked_at, 0);
	model_tokens_free(t, n);
	assert_int_equal(store_token_lookup(f->s, h2, &u), 0);
	model_user_cleanup(&u);

	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"
				 " WHERE action = 'token.create'"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"
				 " WHERE action = 'token.revoke'"), 1);
}

static void test_draft_list_order(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "order"), other = create_page(f->s, "other");
	const char *want[] = { "sched-soon", "sched-late", "draft-new", "draft-old" };
	struct model_draft *list;
	size_t n;

	create_draft(f->s, 0, page, "draft-old", MODEL_DRAFT_SAVED, 0);
	create_draft(f->s, 0, page, "sched-late", MODEL_DRAFT_SCHEDULED, 9000);
	create_draft(f->s, 0, page, "draft-new", MODEL_DRAFT_SAVED, 0);
	create_draft(f->s, 0, page, "sched-soon", MODEL_DRAFT_SCHEDULED, 8000);
	create_draft(f->s, 0, other, "elsewhere", MODEL_DRAFT_SAVED, 0);
	/* Saves within one second tie: make the older-created draft the newer
	 * save, so that id order cannot pass for save order. */
	raw_exec(f->path, "UPDATE drafts SET updated_at = CASE title"
		 " WHEN 'draft-old' THEN 100 WHEN 'draft-new' THEN 200 ELSE 50 END;"
		 "UPDATE drafts SET id = id + 100 WHERE title = 'draft-old';");

	assert_int_equal(store_draft_list(f->s, page, &list, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(list[i].post.title, want[i]);
		assert_string_equal(list[i].author_name, "command line");
		assert_int_equal(list[i].author_id, 0);
	}
	assert_int_equal(list[0].publish_at, 8000);
	model_drafts_free(list, n);

	assert_int_equal(store_draft_list(f->s, 999, &list, &n), STORE_ENOTFOUND);
}

static void test_draft_publish(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "publish");
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_EDITOR);
	struct model_revision *revs;
	struct store_change *c;
	struct model_draft d;
	struct model_post p;
	int64_t post_id = 0, changes;
	size_t n;

	sample_draft(&d, "From the desk", MODEL_DRAFT_SAVED, 0);
	d.post.key_event = 1;
	assert_int_equal(store_draft_create(f->s, 0, page, &d), 0);
	assert_int_equal(store_draft_update(f->s, 0, &d, 1), 0); /* version 2 */
	changes = last_change(f->s);

	assert_int_equal(store_draft_publish(f->s, ann, page, d.id, 1, 5000, &post_id),
			 STORE_ECONFLICT);
	assert_int_equal(post_id, 0);
	assert_int_equal(store_draft_publish(f->s, ann, page, 999, 0, 5000, &post_id),
			 STORE_ENOTFOUND);
	assert_int_equal(last_change(f->s), changes);

	assert_int_equal(store_draft_publish(f->s, ann, page, d.id, 2, 5000, &post_id), 0);
	assert_true(post_id > 0);
	assert_int_equal(store_post_get(f->s, page, post_id, &p), 0);
	assert_string_equal(p.title, "From the desk");
	assert_int_equal(p.published_at, 5000);
	assert_int_equal(p.key_event, 1);
	assert_int_equal(p.version, 1);
	assert_null(p.correction);
	assert_int_equal(p.n_blocks, 2);
	assert_string_equal(p.blocks[0].text, "It is *10:37* in Paris.");
	model_post_cleanup(&p);

	/* The change log has the post... */
	assert_int_equal(store_changes_since(f->s, changes, 100, &c, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].kind, STORE_CHANGE_POST);
	assert_int_equal(c[0].post_id, post_id);
	assert_int_equal(c[0].page_id, page);
	store_changes_free(c, n);
	/* ...with its revision 1, by the publisher... */
	assert_int_equal(store_revision_list(f->s, page, post_id, &revs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(revs[0].version, 1);
	assert_string_equal(revs[0].what, "published");
	assert_int_equal(revs[0].user_id, ann);
	assert_string_equal(revs[0].user_name, "Ann Editor");
	model_revisions_free(revs, n);
	/* ...and the draft is gone. */
	assert_int_equal(store_draft_get(f->s, page, d.id, &d), STORE_ENOTFOUND);
	assert_int_equal(store_draft_publish(f->s, ann, page, d.id, 0, 0, &post_id), STORE_ENOTFOUND);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action ="
				 " 'draft.publish' AND post_id IN (SELECT id FROM posts)"), 1);
}

/* ---- edits and revisions ----------------------------------------------------- */

static void test_post_edit(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "edit");
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_EDITOR);
	struct model_block blocks[] = { { .kind = MODEL_BLOCK_PARAGRAPH, .text = "New text" } };
	struct store_edit edit = { 0 };
	struct model_post p, out;
	int64_t id, before = now_s();

	sample_post(&p, "Original", 1000);
	assert_int_equal(store_post_insert(f->s, ann, page, &p), 0);
	assert_int_equal(p.version, 1);
	id = p.id;
	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_int_equal(out.version, 1);
	assert_null(out.correction);
	assert_int_equal(out.correction_at, 0);
	model_post_cleanup(&out);

	/* An edit from version 1. */
	p.title = "Changed";
	p.blocks = blocks;
	p.n_blocks = 1;
	edit.expected_version = 1;
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), 0);
	assert_int_equal(p.version, 2);
	assert_true(p.updated_at >= before);
	assert_int_equal(p.published_at, 1000);
	assert_int_equal(raw_int(f->path, "SELECT updated_by FROM posts"), ann);

	/* Another edit from version 1 is refused and changes nothing. */
	p.title = "Lost update";
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), STORE_ECONFLICT);
	assert_non_null(strstr(store_errmsg(f->s), "version 2"));
	assert_int_equal(p.version, 2);
	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_string_equal(out.title, "Changed");
	assert_int_equal(out.version, 2);
	model_post_cleanup(&out);

	/* A correction note. */
	p.title = "Changed";
	edit.expected_version = 2;
	edit.correction = "An earlier version misspelt the minister's name.";
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), 0);
	assert_int_equal(p.version, 3);
	assert_string_equal(p.correction, edit.correction);
	assert_true(p.correction_at >= before);
	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_string_equal(out.correction, edit.correction);
	assert_int_equal(out.correction_at, p.correction_at);
	assert_int_equal(out.version, 3);
	model_post_cleanup(&out);

	/* NULL keeps the note; expected_version 0 does not check. */
	edit.expected_version = 0;
	edit.correction = NULL;
	p.breaking = 1;
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), 0);
	assert_int_equal(p.version, 4);
	assert_non_null(p.correction);
	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_non_null(out.correction);
	assert_int_equal(out.breaking, 1);
	model_post_cleanup(&out);

	/* store_post_update() is an edit without a check. */
	assert_int_equal(store_post_update(f->s, ann, &p), 0);
	assert_int_equal(p.version, 5);

	/* "" removes the note. */
	edit.correction = "";
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), 0);
	assert_null(p.correction);
	assert_int_equal(p.correction_at, 0);
	assert_int_equal(store_post_get(f->s, page, id, &out), 0);
	assert_null(out.correction);
	assert_int_equal(out.version, 6);
	model_post_cleanup(&out);

	p.id = 999;
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), STORE_ENOTFOUND);
	p.id = id;
	p.title = "";
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), STORE_EINVAL);
}

static void test_revisions(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "history"), other = create_page(f->s, "other");
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_EDITOR);
	int64_t bob = create_user(f->s, "bob", "Bob Sub", MODEL_ROLE_EDITOR);
	struct model_byline by = { .name = "Desk", .role = "" };
	struct store_edit edit = { 0 };
	struct model_revision *r;
	struct model_post p;
	size_t n;

	sample_post(&p, "v1 title", 1000);
	assert_int_equal(store_post_insert(f->s, 0, page, &p), 0); /* command line */

	p.title = "v2 title";
	p.n_blocks = 1;
	assert_int_equal(store_post_edit(f->s, ann, &p, &edit), 0);

	p.bylines = &by;
	p.key_event = 1;
	p.published_at = 1500;
	edit.correction = "Corrected the time.";
	assert_int_equal(store_post_edit(f->s, bob, &p, &edit), 0);

	edit.correction = NULL;
	edit.what = "checked facts";
	assert_int_equal(store_post_edit(f->s, bob, &p, &edit), 0);
	edit.what = NULL;
	assert_int_equal(store_post_edit(f->s, bob, &p, &edit), 0);

	assert_int_equal(store_revision_list(f->s, page, p.id, &r, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].version, 5 - (int64_t)i); /* newest first */
		assert_int_equal(r[i].post_id, p.id);
		assert_int_equal(r[i].post.id, p.id);
		assert_int_equal(r[i].post.page_id, page);
		assert_int_equal(r[i].post.version, r[i].version);
	}
	assert_string_equal(r[0].what, "no change");
	assert_string_equal(r[1].what, "checked facts");
	assert_string_equal(r[2].what, "bylines, key event, time, correction");
	assert_int_equal(r[2].user_id, bob);
	assert_string_equal(r[2].user_name, "Bob Sub");
	assert_string_equal(r[2].correction, "Corrected the time.");
	assert_null(r[1].correction);
	assert_int_equal(r[2].post.published_at, 1500);
	assert_int_equal(r[2].post.key_event, 1);
	assert_string_equal(r[2].post.bylines[0].name, "Desk");
	assert_string_equal(r[3].what, "title, body");
	assert_string_equal(r[3].user_name, "Ann Editor");
	assert_string_equal(r[3].post.title, "v2 title");
	assert_int_equal(r[3].post.n_blocks, 1);
	assert_int_equal(r[3].post.published_at, 1000);
	assert_string_equal(r[4].what, "published");
	assert_int_equal(r[4].user_id, 0);
	assert_string_equal(r[4].user_name, "command line");
	assert_string_equal(r[4].post.title, "v1 title");
	assert_int_equal(r[4].post.n_blocks, 2);
	assert_string_equal(r[4].post.bylines[0].name, "Liza Fokht");
	assert_true(r[0].at >= r[4].at);
	model_revisions_free(r, n);

	assert_int_equal(store_revision_list(f->s, other, p.id, &r, &n), STORE_ENOTFOUND);
	assert_int_equal(store_revision_list(f->s, page, 999, &r, &n), STORE_ENOTFOUND);

	/* They go with the post. */
	free(p.correction); /* the edit's copy of the note; the rest is static */
	assert_int_equal(store_post_delete(f->s, bob, page, p.id), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM revisions"), 0);
}

/* ---- the audit trail --------------------------------------------------------- */

static void test_audit(void **state)
{
	struct unit_db *f = *state;
	const struct {
		const char *action, *detail, *name;
	} want[] = {
		{ "sign-in", "from 192.0.2.1", "Bob Sub" },
		{ "user.disable", "ann", "Bob Sub" },
		{ "page.status", "live", "Ann Editor" },
		{ "post.delete", "Second", "Ann Editor" },
		{ "page.summary", "0 key points", "Ann Editor" },
		{ "post.unpin", "First, edited", "Ann Editor" },
		{ "post.pin", "First, edited", "Ann Editor" },
		{ "post.edit", "title", "Ann Editor" },
		{ "post.publish", "Second", "Ann Editor" },
		{ "post.publish", "First", "Ann Editor" },
		{ "page.create", "audited", "command line" },
	};
	struct model_summary sum = { 0 };
	struct model_audit *a;
	struct model_post p;
	int64_t page, ann, bob, first, second, other;
	size_t n, w = sizeof(want) / sizeof(want[0]);

	page = create_page(f->s, "audited");
	ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_ADMIN);
	bob = create_user(f->s, "bob", "Bob Sub", MODEL_ROLE_ADMIN);
	first = insert_post(f->s, ann, page, "First", 100);
	second = insert_post(f->s, ann, page, "Second", 200);
	sample_post(&p, "First, edited", 0);
	p.id = first;
	p.page_id = page;
	assert_int_equal(store_post_update(f->s, ann, &p), 0);
	assert_int_equal(store_page_set_pin(f->s, ann, page, first), 0);
	assert_int_equal(store_page_set_pin(f->s, ann, page, 0), 0);
	assert_int_equal(store_page_set_summary(f->s, ann, page, &sum), 0);
	assert_int_equal(store_post_delete(f->s, ann, page, second), 0);
	assert_int_equal(store_page_set_status(f->s, ann, page, MODEL_STATUS_LIVE), 0);
	/* Refused calls leave no trace. */
	assert_int_equal(store_post_delete(f->s, ann, page, second), STORE_ENOTFOUND);
	assert_int_equal(store_page_set_pin(f->s, ann, page, 999), STORE_ENOTFOUND);
	p.title = "";
	assert_int_equal(store_post_update(f->s, ann, &p), STORE_EINVAL);
	other = create_page(f->s, "elsewhere");
	assert_int_equal(store_user_set_disabled(f->s, bob, ann, 1), 0);
	assert_int_equal(store_audit_add(f->s, bob, "sign-in", page, 0, "from 192.0.2.1"), 0);
	assert_int_equal(store_audit_add(f->s, bob, "", page, 0, NULL), STORE_EINVAL);

	/* One page's trail, newest first, with names; ann is disabled, and
	 * still named. */
	assert_int_equal(store_audit_list(f->s, page, 100, &a, &n), 0);
	assert_int_equal(n, w - 1); /* user.disable is not about the page */
	for (size_t i = 0, k = 0; k < w; k++) {
		if (strcmp(want[k].action, "user.disable") == 0)
			continue;
		assert_string_equal(a[i].action, want[k].action);
		assert_string_equal(a[i].detail, want[k].detail);
		assert_string_equal(a[i].user_name, want[k].name);
		assert_int_equal(a[i].page_id, page);
		if (i > 0)
			assert_true(a[i].id < a[i - 1].id);
		i++;
	}
	assert_int_equal(a[n - 1].user_id, 0);
	assert_int_equal(a[n - 1].post_id, 0);
	assert_int_equal(a[n - 2].post_id, first); /* post.publish First */
	assert_int_equal(a[4].post_id, first);     /* the unpin names the post */
	assert_int_equal(a[2].post_id, second);    /* post.delete */
	model_audit_free(a, n);

	/* Every page, and a limit. */
	assert_int_equal(store_audit_list(f->s, 0, 3, &a, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].action, "sign-in");
	assert_string_equal(a[1].action, "user.disable");
	assert_int_equal(a[1].user_id, bob);
	assert_int_equal(a[1].page_id, 0);
	assert_string_equal(a[2].action, "page.create");
	assert_int_equal(a[2].page_id, other);
	model_audit_free(a, n);

	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action = 'user.add'"),
			 2);
}

/* A failed call inside an outer transaction takes its audit entry with it; a
 * rolled-back transaction leaves no entries. */
static void test_audit_transactions(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "tx"), audits;
	struct store_edit edit = { .expected_version = 7 };
	struct model_post p;

	insert_post(f->s, 0, page, "one", 100);
	audits = raw_int(f->path, "SELECT count(*) FROM audit");
	assert_int_equal(store_begin(f->s), 0);
	create_draft(f->s, 0, page, "a draft", MODEL_DRAFT_SAVED, 0);
	sample_post(&p, "edited", 0);
	p.id = 1;
	p.page_id = page;
	assert_int_equal(store_post_edit(f->s, 0, &p, &edit), STORE_ECONFLICT);
	store_rollback(f->s);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), audits);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM drafts"), 0);

	assert_int_equal(store_begin(f->s), 0);
	create_draft(f->s, 0, page, "a draft", MODEL_DRAFT_SAVED, 0);
	assert_int_equal(store_post_edit(f->s, 0, &p, &edit), STORE_ECONFLICT);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit"), audits + 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM revisions"), 1);
}

/* A fault while writing the audit entry undoes the change it records: the
 * trail cannot miss a change. */
static void test_fault_in_audit(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "fault"), changes = last_change(f->s), post;
	struct model_draft d;
	struct model_post p;

	raw_exec(f->path, "CREATE TRIGGER fault BEFORE INSERT ON audit"
		 " WHEN NEW.action IN ('post.publish', 'post.edit', 'draft.publish')"
		 " BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
	sample_post(&p, "lost", 100);
	assert_int_equal(store_post_insert(f->s, 0, page, &p), STORE_ERR);
	assert_non_null(strstr(store_errmsg(f->s), "injected fault"));
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM posts"), 0);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM revisions"), 0);
	assert_int_equal(last_change(f->s), changes);

	sample_draft(&d, "kept", MODEL_DRAFT_SAVED, 0);
	assert_int_equal(store_draft_create(f->s, 0, page, &d), 0);
	assert_int_equal(store_draft_publish(f->s, 0, page, d.id, 0, 0, &post), STORE_ERR);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM drafts"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM posts"), 0);

	raw_exec(f->path, "DROP TRIGGER fault;");
	post = insert_post(f->s, 0, page, "stored", 100);
	raw_exec(f->path, "CREATE TRIGGER fault BEFORE INSERT ON audit"
		 " WHEN NEW.action = 'post.edit'"
		 " BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
	changes = last_change(f->s);
	sample_post(&p, "edit lost", 0);
	p.id = post;
	p.page_id = page;
	assert_int_equal(store_post_update(f->s, 0, &p), STORE_ERR);
	assert_int_equal(raw_int(f->path, "SELECT version FROM posts"), 1);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM revisions"), 1);
	assert_int_equal(last_change(f->s), changes);
}

/* ---- pages ----------------------------------------------------------------- */

static void test_page_status_times(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "times"), before = now_s(), future = before + 86400;
	struct model_page p;

	/* Live: the coverage starts now. */
	assert_int_equal(store_page_set_status(f->s, 0, page, MODEL_STATUS_LIVE), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_true(p.start_at >= before && p.start_at <= now_s());
	assert_int_equal(p.end_at, 0);
	model_page_cleanup(&p);

	/* Ended: it ends now, and ending again keeps the first end. */
	raw_exec(f->path, "UPDATE pages SET start_at = 1000;");
	assert_int_equal(store_page_set_status(f->s, 0, page, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.status, MODEL_STATUS_ENDED);
	assert_int_equal(p.start_at, 1000);
	assert_true(p.end_at >= before);
	model_page_cleanup(&p);
	raw_exec(f->path, "UPDATE pages SET end_at = 2000;");
	assert_int_equal(store_page_set_status(f->s, 0, page, MODEL_STATUS_ENDED), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.end_at, 2000);
	model_page_cleanup(&p);

	/* Live again: the end is cleared, the start in the past kept. */
	assert_int_equal(store_page_set_status(f->s, 0, page, MODEL_STATUS_LIVE), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.start_at, 1000);
	assert_int_equal(p.end_at, 0);
	model_page_cleanup(&p);

	/* A planned start in the future gives way to the real one. */
	raw_exec(f->path, "UPDATE pages SET status = 0;");
	{
		char sql[80];

		snprintf(sql, sizeof(sql), "UPDATE pages SET start_at = %lld;", (long long)future);
		raw_exec(f->path, sql);
	}
	assert_int_equal(store_page_set_status(f->s, 0, page, MODEL_STATUS_UPCOMING), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_int_equal(p.start_at, future); /* upcoming moves nothing */
	model_page_cleanup(&p);
	assert_int_equal(store_page_set_status(f->s, 0, page, MODEL_STATUS_LIVE), 0);
	assert_int_equal(store_page_get_by_id(f->s, page, &p), 0);
	assert_true(p.start_at >= before && p.start_at < future);
	model_page_cleanup(&p);
}

static void test_media(void **state)
{
	struct unit_db *f = *state;
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_CONTRIBUTOR);
	struct model_media m = { .name = "0123456789abcdef0123456789abcdef", .format = "jpeg",
				 .width = 1600, .height = 900, .widths = "480,960,1600",
				 .bytes = 123456 };
	struct model_media out;

	assert_int_equal(store_media_add(f->s, ann, &m), 0);
	assert_int_equal(store_media_get(f->s, m.name, &out), 0);
	assert_string_equal(out.name, m.name);
	assert_string_equal(out.format, "jpeg");
	assert_int_equal(out.width, 1600);
	assert_int_equal(out.height, 900);
	assert_string_equal(out.widths, "480,960,1600");
	assert_int_equal(out.bytes, 123456);
	assert_int_equal(out.user_id, ann);
	assert_true(out.created_at > 0);
	model_media_cleanup(&out);

	/* The same content again: fine, and the first record stands. */
	m.bytes = 1;
	assert_int_equal(store_media_add(f->s, 0, &m), 0);
	assert_int_equal(store_media_get(f->s, m.name, &out), 0);
	assert_int_equal(out.bytes, 123456);
	assert_int_equal(out.user_id, ann);
	model_media_cleanup(&out);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM audit WHERE action = 'media.add'"),
			 1);

	m.name = "../../etc/passwd";
	assert_int_equal(store_media_add(f->s, 0, &m), STORE_EINVAL);
	m.name = "0123456789ABCDEF0123456789ABCDEF";
	assert_int_equal(store_media_add(f->s, 0, &m), STORE_EINVAL);
	assert_int_equal(store_media_get(f->s, "ffffffffffffffffffffffffffffffff", &out),
			 STORE_ENOTFOUND);
}

/* ---- upgrade --------------------------------------------------------------- */

/* Migrations 1 and 2 as released, with a page and two posts. */
static const char v2_schema[] =
	UNIT_SCHEMA_V1_TABLES
	"CREATE INDEX posts_page_order ON posts (page_id, published_at, id);"
	"CREATE INDEX pages_pinned ON pages (pinned_post_id);"
	"PRAGMA user_version = 2;"
	"INSERT INTO pages (id, slug, title, zone, status, last_seq, created_at, updated_at)"
	"  VALUES (1, 'old-page', 'Old', 'Europe/London', 1, 4, 10, 40);"
	"INSERT INTO posts (id, page_id, title, published_at, updated_at, body_json)"
	"  VALUES (1, 1, 'Old post', 20, 20, '[{\"type\":\"paragraph\",\"text\":\"hi\"}]'),"
	"  (2, 1, 'Edited post', 30, 40, '[]');"
	"INSERT INTO changes (page_id, seq, kind, post_id, at) VALUES (1, 1, 'page', 0, 10),"
	"  (1, 2, 'post', 1, 20), (1, 3, 'post', 2, 30), (1, 4, 'update', 2, 40);";

static void test_upgrade_from_v2(void **state)
{
	struct store_edit edit = { .expected_version = 1 };
	struct model_revision *r;
	char path[128], err[256];
	struct model_post out;
	struct store *s;
	size_t n;

	(void)state;
	unit_temp_db(path, sizeof(path));
	raw_exec(path, v2_schema);
	s = store_open(path, err, sizeof(err));
	if (!s)
		fail_msg("upgrade: %s", err);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 8);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
				 " AND name = 'drafts_schedule'"), 1);

	assert_int_equal(store_post_get(s, 1, 1, &out), 0);
	assert_int_equal(out.version, 1);
	assert_null(out.correction);
	assert_int_equal(out.correction_at, 0);
	assert_string_equal(out.blocks[0].text, "hi");
	model_post_cleanup(&out);
	assert_int_equal(raw_int(path, "SELECT updated_by FROM posts WHERE id = 1"), 0);

	/* Old posts have a history to start from. */
	assert_int_equal(store_revision_list(s, 1, 1, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].version, 1);
	assert_string_equal(r[0].what, "published");
	assert_string_equal(r[0].user_name, "command line");
	assert_string_equal(r[0].post.title, "Old post");
	assert_int_equal(r[0].at, 20);
	model_revisions_free(r, n);
	assert_int_equal(store_revision_list(s, 1, 2, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].what, "published, edited before history was kept");
	model_revisions_free(r, n);

	/* ...and carry on from version 1. */
	assert_int_equal(store_post_get(s, 1, 1, &out), 0);
	free(out.title);
	out.title = strdup("Old post, edited");
	assert_int_equal(store_post_edit(s, 0, &out, &edit), 0);
	assert_int_equal(out.version, 2);
	model_post_cleanup(&out);
	assert_int_equal(store_revision_list(s, 1, 1, &r, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].what, "title");
	model_revisions_free(r, n);

	/* The new tables work. */
	assert_int_equal(create_user(s, "ann", "Ann", MODEL_ROLE_ADMIN) > 0, 1);
	store_close(s);

	/* Reopening a current file changes nothing. */
	s = store_open(path, err, sizeof(err));
	if (!s)
		fail_msg("reopen: %s", err);
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 8);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM revisions"), 3);
	store_close(s);
	unit_remove_db(path);
}

/* Revisions and drafts whose stored JSON is damaged (written by something
 * else): the list and the lookup fail naming the row, what was read before it
 * is freed (the sanitizer build checks that nothing leaks or is freed twice)
 * and the caller's pointers and records are left as they were. */
static void test_corrupt_stored_rows(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "damaged"), draft;
	struct model_revision *r = (struct model_revision *)&page;
	struct model_draft *drafts = (struct model_draft *)&page, d = { .id = -7 };
	struct store_edit edit = { 0 };
	struct model_post p;
	char sql[200];
	size_t n = 99;

	sample_post(&p, "v1", 1000);
	assert_int_equal(store_post_insert(f->s, 0, page, &p), 0);
	p.title = "v2";
	assert_int_equal(store_post_edit(f->s, 0, &p, &edit), 0);
	p.title = "v3";
	assert_int_equal(store_post_edit(f->s, 0, &p, &edit), 0);
	/* Newest first: versions 3 and 2 are read before the damaged 1. */
	raw_exec(f->path, "UPDATE revisions SET body_json = '{not json' WHERE version = 1;");
	assert_int_equal(store_revision_list(f->s, page, p.id, &r, &n), STORE_ERR);
	snprintf(sql, sizeof(sql), "post %lld revision 1", (long long)p.id);
	assert_non_null(strstr(store_errmsg(f->s), sql));
	assert_ptr_equal(r, (struct model_revision *)&page);
	assert_int_equal(n, 99);

	create_draft(f->s, 0, page, "fine", MODEL_DRAFT_SAVED, 0);
	draft = create_draft(f->s, 0, page, "damaged", MODEL_DRAFT_SAVED, 0);
	snprintf(sql, sizeof(sql), "UPDATE drafts SET bylines_json = '[1]' WHERE id = %lld;",
		 (long long)draft);
	raw_exec(f->path, sql);
	assert_int_equal(store_draft_list(f->s, page, &drafts, &n), STORE_ERR);
	snprintf(sql, sizeof(sql), "draft %lld", (long long)draft);
	assert_non_null(strstr(store_errmsg(f->s), sql));
	assert_ptr_equal(drafts, (struct model_draft *)&page);
	assert_int_equal(n, 99);
	assert_int_equal(store_draft_get(f->s, page, draft, &d), STORE_ERR);
	assert_int_equal(d.id, -7);
	assert_null(d.author_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sessions, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_tokens, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_draft_list_order, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_draft_publish, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_post_edit, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_revisions, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_audit_transactions, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_fault_in_audit, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_page_status_times, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_media, unit_db_setup, unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_stored_rows, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test(test_upgrade_from_v2),
	};

	log_set_level(LOG_LEVEL_WARN); /* schema upgrades on every fresh file are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
