/*
 * Unit tests for store/store_copy.c, from one fresh store into another
 * through the store's interface only (SQLite into SQLite here; any pair of
 * backends the fixtures open): every id kept (a deleted post's gap too), the
 * pin, sessions and API tokens still valid, the change log whole, images with
 * their files, those of an older database from its folder, and new ids after
 * the copied ones; a target that is not empty refused, and a failure midway
 * leaving the target empty.
 */
#include "unit_store_newsroom.h"

#include "store/store_copy.h"
#include "store/store_media.h"

struct copy_fixture {
	struct unit_db src, dst;
};

static int copy_setup(void **state)
{
	struct copy_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	unit_db_open(&f->src);
	unit_db_open(&f->dst);
	*state = f;
	return 0;
}

static int copy_teardown(void **state)
{
	struct copy_fixture *f = *state;

	unit_db_close(&f->src);
	unit_db_close(&f->dst);
	free(f);
	return 0;
}

static const char img_new[] = "0123456789abcdef0123456789abcdef";
static const char img_old[] = "fedcba9876543210fedcba9876543210";

/* The image files an older database keeps only in its folder: the callback
 * counts its calls and gives fixed bytes, or fails when told to. */
struct folder {
	int calls, fail;
};

static int folder_files(void *ctx, const struct model_media *m, struct store_copy_file *out,
			size_t max, size_t *n, char *err, size_t errlen)
{
	struct folder *fo = ctx;

	fo->calls++;
	assert_string_equal(m->name, img_old);
	assert_string_equal(m->widths, "480");
	assert_true(max >= 1);
	if (fo->fail) {
		snprintf(err, errlen, "image file %s-480.jpg is missing", m->name);
		return -1;
	}
	snprintf(out[0].file, sizeof(out[0].file), "%s-480.jpg", m->name);
	out[0].data = malloc(3);
	assert_non_null(out[0].data);
	memcpy(out[0].data, "old", 3);
	out[0].len = 3;
	*n = 1;
	return 0;
}

struct sample_ids {
	int64_t ann, page, other, kept, gone, pinned, token;
};

/* A source with a bit of everything the newsroom makes. */
static void fill_source(struct store *s, struct sample_ids *id)
{
	unsigned char session[STORE_TOKEN_HASH_LEN], token[STORE_TOKEN_HASH_LEN];
	struct model_media m = { .name = (char *)img_new, .format = "png", .width = 960,
				 .height = 540, .widths = "480,960", .bytes = 10 };
	struct model_media old = { .name = (char *)img_old, .format = "jpeg", .width = 480,
				   .height = 270, .widths = "480", .bytes = 5 };
	struct store_media_file files[2] = {
		{ "0123456789abcdef0123456789abcdef-480.png", "\0small", 6 },
		{ "0123456789abcdef0123456789abcdef-960.png", "large\0", 6 },
	};
	struct model_post p;

	id->ann = create_user(s, "ann", "Ann Editor", MODEL_ROLE_EDITOR);
	(void)create_user(s, "bob", "Bob Writer", MODEL_ROLE_CONTRIBUTOR);
	id->page = create_page(s, "harbour");
	id->other = create_page(s, "summit");
	id->kept = insert_post(s, id->ann, id->page, "First", now_s() - 300);
	id->gone = insert_post(s, id->ann, id->page, "Deleted", now_s() - 200);
	id->pinned = insert_post(s, id->ann, id->page, "Pinned", now_s() - 100);
	(void)insert_post(s, 0, id->other, "Elsewhere", now_s() - 50);
	assert_int_equal(store_post_delete(s, id->ann, id->page, id->gone), 0);
	assert_int_equal(store_page_set_pin(s, id->ann, id->page, id->pinned), 0);
	assert_int_equal(store_post_get(s, id->page, id->kept, &p), 0);
	free(p.title);
	p.title = strdup("First, edited");
	assert_int_equal(store_post_update(s, id->ann, &p), 0);
	model_post_cleanup(&p);
	(void)create_draft(s, id->ann, id->page, "Later", MODEL_DRAFT_SCHEDULED, now_s() + 3600);
	hash_of(session, 1);
	hash_of(token, 2);
	assert_int_equal(store_session_create(s, id->ann, session, "csrf", now_s() + 3600), 0);
	assert_int_equal(store_token_create(s, 0, id->ann, "wire importer", token, &id->token), 0);
	assert_int_equal(store_signin_failure_add(s, "login:bob", now_s()), 0);
	assert_int_equal(store_media_add_files(s, id->ann, &m, files, 2), 0);
	assert_int_equal(store_media_add(s, id->ann, &old), 0); /* no files: from before */
}

static void test_copy_keeps_everything(void **state)
{
	struct copy_fixture *f = *state;
	unsigned char session[STORE_TOKEN_HASH_LEN], token[STORE_TOKEN_HASH_LEN];
	struct folder fo = { 0 };
	struct store_copy_report rep;
	struct sample_ids id;
	struct model_page page;
	struct model_post p;
	struct model_user u;
	void *data;
	size_t len;
	int64_t src_last, dst_last, next;

	fill_source(f->src.s, &id);
	assert_int_equal(store_copy(f->src.s, f->dst.s, folder_files, &fo, &rep), 0);
	assert_true(store_copy_report_ok(&rep));
	assert_int_equal(rep.n_tables, STORE_COPY_TABLES);
	assert_int_equal(fo.calls, 1);
	assert_int_equal(rep.files_from_folder, 1);
	for (size_t i = 0; i < rep.n_tables; i++)
		if (strcmp(rep.tables[i].table, "media_files") == 0)
			assert_true(rep.tables[i].source == 2 && rep.tables[i].added == 1 &&
				    rep.tables[i].target == 3);
		else if (strcmp(rep.tables[i].table, "posts") == 0)
			assert_int_equal(rep.tables[i].target, 3);

	/* Ids and the pin. */
	assert_int_equal(store_page_get(f->dst.s, "harbour", &page), 0);
	assert_int_equal(page.id, id.page);
	assert_int_equal(page.pinned_post_id, id.pinned);
	assert_int_equal(page.n_posts, 2);
	model_page_cleanup(&page);
	assert_int_equal(store_post_get(f->dst.s, id.page, id.kept, &p), 0);
	assert_string_equal(p.title, "First, edited");
	model_post_cleanup(&p);
	assert_int_equal(store_post_get(f->dst.s, id.page, id.gone, &p), STORE_ENOTFOUND);

	/* The change log, and sign-ins made before the copy. */
	assert_int_equal(store_last_change_id(f->src.s, &src_last), 0);
	assert_int_equal(store_last_change_id(f->dst.s, &dst_last), 0);
	assert_int_equal(dst_last, src_last);
	hash_of(session, 1);
	hash_of(token, 2);
	assert_int_equal(store_session_lookup(f->dst.s, session, now_s(), &u, NULL), 0);
	assert_int_equal(u.id, id.ann);
	model_user_cleanup(&u);
	assert_int_equal(store_token_lookup(f->dst.s, token, &u), 0);
	assert_string_equal(u.login, "ann");
	model_user_cleanup(&u);

	/* Images: the stored files, and the older one's from its folder. */
	assert_int_equal(store_media_file_get(f->dst.s, "0123456789abcdef0123456789abcdef-960.png",
					      &data, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(data, "large\0", 6);
	free(data);
	assert_int_equal(store_media_file_get(f->dst.s, "fedcba9876543210fedcba9876543210-480.jpg",
					      &data, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "old", 3);
	free(data);

	/* New rows follow the copied ones: a deleted post's id is not reused. */
	next = insert_post(f->dst.s, 0, id.page, "After the copy", now_s());
	assert_true(next > id.pinned);
	assert_true(next > id.gone);
	assert_int_equal(store_last_change_id(f->dst.s, &dst_last), 0);
	assert_true(dst_last > src_last);
	assert_true(create_user(f->dst.s, "cid", "Cid", MODEL_ROLE_ADMIN) > id.ann);
}

/* A target that holds anything is refused, and left as it was. */
static void test_copy_refuses_non_empty(void **state)
{
	struct copy_fixture *f = *state;
	struct store_copy_report rep;
	struct sample_ids id;
	struct model_page *pages;
	size_t n;

	fill_source(f->src.s, &id);
	(void)create_user(f->dst.s, "zoe", "Zoe", MODEL_ROLE_ADMIN);
	assert_int_equal(store_copy(f->src.s, f->dst.s, folder_files, &(struct folder){ 0 }, &rep),
			 STORE_EEXIST);
	assert_non_null(strstr(store_errmsg(f->dst.s), "not empty"));
	assert_non_null(strstr(store_errmsg(f->dst.s), "users"));
	assert_int_equal(store_page_list(f->dst.s, &pages, &n), 0);
	assert_int_equal(n, 0);
	model_pages_free(pages, n);
}

/* An image whose files are nowhere fails the copy after every table before
 * it was written: the target is left empty, and a second try can succeed. */
static void test_copy_failure_leaves_target_empty(void **state)
{
	struct copy_fixture *f = *state;
	struct folder fo = { .fail = 1 };
	struct store_copy_report rep;
	struct sample_ids id;
	struct model_page *pages;
	struct model_user *users;
	int64_t last = -1;
	size_t n;

	fill_source(f->src.s, &id);
	assert_int_equal(store_copy(f->src.s, f->dst.s, folder_files, &fo, &rep), STORE_ENOTFOUND);
	assert_non_null(strstr(store_errmsg(f->dst.s), "-480.jpg is missing"));
	assert_int_equal(store_page_list(f->dst.s, &pages, &n), 0);
	assert_int_equal(n, 0);
	model_pages_free(pages, n);
	assert_int_equal(store_user_list(f->dst.s, &users, &n), 0);
	assert_int_equal(n, 0);
	model_users_free(users, n);
	assert_int_equal(store_last_change_id(f->dst.s, &last), 0);
	assert_int_equal(last, 0);
	/* Without a folder at all: the same refusal. */
	assert_int_equal(store_copy(f->src.s, f->dst.s, NULL, NULL, &rep), STORE_ENOTFOUND);

	fo.fail = 0;
	assert_int_equal(store_copy(f->src.s, f->dst.s, folder_files, &fo, &rep), 0);
	assert_true(store_copy_report_ok(&rep));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_copy_keeps_everything, copy_setup,
						copy_teardown),
		cmocka_unit_test_setup_teardown(test_copy_refuses_non_empty, copy_setup,
						copy_teardown),
		cmocka_unit_test_setup_teardown(test_copy_failure_leaves_target_empty, copy_setup,
						copy_teardown),
	};

	return cmocka_run_group_tests_name("store_copy", tests, NULL, NULL);
}
