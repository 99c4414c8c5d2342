/*
 * Unit tests for store/store_media.c, through the store's interface only (so
 * they run on every backend): an image's record and files stored in one
 * write, read back byte for byte, the same image again changing nothing, and
 * bad names refused with nothing stored.
 */
#include "unit_store_newsroom.h"

#include "store/store_media.h"

static const char media_name[] = "0123456789abcdef0123456789abcdef";

static void sample_media(struct model_media *m)
{
	memset(m, 0, sizeof(*m));
	m->name = (char *)media_name;
	m->format = "png";
	m->width = 960;
	m->height = 540;
	m->widths = "480,960";
	m->bytes = 4242;
}

static size_t audit_count(struct store *s, const char *action)
{
	struct model_audit *a = NULL;
	size_t n = 0, hits = 0;

	assert_int_equal(store_audit_list(s, 0, 100, &a, &n), 0);
	for (size_t i = 0; i < n; i++)
		hits += strcmp(a[i].action, action) == 0;
	model_audit_free(a, n);
	return hits;
}

static void test_files_stored_and_read(void **state)
{
	struct unit_db *f = *state;
	int64_t ann = create_user(f->s, "ann", "Ann Editor", MODEL_ROLE_CONTRIBUTOR);
	static const unsigned char small[] = { 0x89, 'P', 'N', 'G', 0, 1, 2, 0 };
	unsigned char big[70000];
	struct store_media_file files[2] = {
		{ "0123456789abcdef0123456789abcdef-480.png", small, sizeof(small) },
		{ "0123456789abcdef0123456789abcdef-960.png", big, sizeof(big) },
	};
	struct model_media m, out;
	void *data = NULL;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7 + 3); /* NULs included */
	sample_media(&m);
	assert_int_equal(store_media_add_files(f->s, ann, &m, files, 2), 0);
	assert_int_equal(store_media_get(f->s, media_name, &out), 0);
	assert_int_equal(out.user_id, ann);
	model_media_cleanup(&out);
	assert_int_equal(audit_count(f->s, "media.add"), 1);

	assert_int_equal(store_media_file_get(f->s, files[0].file, &data, &len), 0);
	assert_int_equal(len, sizeof(small));
	assert_memory_equal(data, small, sizeof(small));
	free(data);
	assert_int_equal(store_media_file_get(f->s, files[1].file, &data, &len), 0);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(data, big, sizeof(big));
	free(data);
	assert_int_equal(store_media_file_get(f->s, "0123456789abcdef0123456789abcdef-1600.png",
					      &data, &len),
			 STORE_ENOTFOUND);

	/* The same image again (another node ingested it too): nothing changes,
	 * the first bytes stand. */
	files[0].data = "other";
	files[0].len = 5;
	assert_int_equal(store_media_add_files(f->s, 0, &m, files, 2), 0);
	assert_int_equal(store_media_file_get(f->s, files[0].file, &data, &len), 0);
	assert_int_equal(len, sizeof(small));
	free(data);
	assert_int_equal(audit_count(f->s, "media.add"), 1);
}

/* A record or a file name the store refuses: nothing of the image is kept. */
static void test_refused_whole(void **state)
{
	struct unit_db *f = *state;
	struct store_media_file file = { "0123456789abcdef0123456789abcdef-480.png", "x", 1 };
	struct store_media_file other = { "ffffffffffffffffffffffffffffffff-480.png", "x", 1 };
	struct store_media_file escape = { "0123456789abcdef0123456789abcdef-/../x", "x", 1 };
	struct model_media m, out;
	void *data = NULL;
	size_t len = 0;

	sample_media(&m);
	m.width = 0; /* a bad record: refused after the files were checked */
	assert_int_equal(store_media_add_files(f->s, 0, &m, &file, 1), STORE_EINVAL);
	sample_media(&m);
	assert_int_equal(store_media_add_files(f->s, 0, &m, &other, 1), STORE_EINVAL);
	assert_int_equal(store_media_add_files(f->s, 0, &m, &escape, 1), STORE_EINVAL);
	assert_int_equal(store_media_add_files(f->s, 0, &m, &file, 0), STORE_EINVAL);
	assert_int_equal(store_media_get(f->s, media_name, &out), STORE_ENOTFOUND);
	assert_int_equal(store_media_file_get(f->s, file.file, &data, &len), STORE_ENOTFOUND);
	assert_int_equal(audit_count(f->s, "media.add"), 0);

	/* Inside an outer transaction it joins it: rolled back with it. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_media_add_files(f->s, 0, &m, &file, 1), 0);
	store_rollback(f->s);
	assert_int_equal(store_media_file_get(f->s, file.file, &data, &len), STORE_ENOTFOUND);
	assert_int_equal(store_media_get(f->s, media_name, &out), STORE_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files_stored_and_read, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_refused_whole, unit_db_setup,
						unit_db_teardown),
	};

	return cmocka_run_group_tests_name("store_media", tests, NULL, NULL);
}
