/*
 * Unit tests for search in a page (store.h, store_post_search), through
 * store.h only, so they hold on both backends (a conformance suite: tests/run
 * runs it on PostgreSQL too): a post is found by a word of its title and of
 * its body (Markdown resolved, bylines and captions included), with its
 * matching words marked; title matches rank first; an edit drops the old
 * words and adds the new; a deleted post and another page's posts are never
 * found; paging; and a reader's query is words, never syntax: FTS5 and
 * tsquery operators neither fail nor match everything, and a query that is
 * only punctuation, too long or of too many words is refused with a reason.
 */
#include "unit_store.h"

#include "model/model.h"
#include "store/store.h"
#include "util/log.h"

#include "store_samples.h"

/* A post with one paragraph `text` (inline Markdown); returns its id. */
static int64_t put_post(struct store *s, int64_t page, const char *title, const char *text,
			int64_t at)
{
	struct model_block block = { .kind = MODEL_BLOCK_PARAGRAPH, .text = (char *)text };
	struct model_post p;

	memset(&p, 0, sizeof(p));
	p.title = (char *)title;
	p.published_at = at;
	p.blocks = &block;
	p.n_blocks = 1;
	if (store_post_insert(s, 0, page, &p) != 0)
		fail_msg("store_post_insert: %s", store_errmsg(s));
	return p.id;
}

/* The hits for `q`, which must succeed; *n gets their number. */
static struct store_search_hit *search(struct store *s, int64_t page, const char *q, size_t *n)
{
	struct store_search_hit *h = NULL;

	if (store_post_search(s, page, q, 20, 0, &h, n) != 0)
		fail_msg("store_post_search(%s): %s", q, store_errmsg(s));
	return h;
}

/* 1 if some hit is post `id`. */
static int found(const struct store_search_hit *h, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].post_id == id)
			return 1;
	return 0;
}

static void test_found_by_title_and_body(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "search"), a, b;
	struct store_search_hit *h;
	size_t n;

	a = put_post(f->s, page, "Ceasefire talks begin in Riyadh",
		     "Delegations met for *four hours* behind closed doors.", 100);
	b = put_post(f->s, page, "Markets react", "Oil prices fell after the talks.", 200);
	insert_post(f->s, page, "Unrelated", 300); /* the sample body, with bylines */

	h = search(f->s, page, "Riyadh", &n);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, a);
	assert_int_equal(h[0].published_at, 100);
	assert_string_equal(h[0].title, "Ceasefire talks begin in \x01Riyadh\x02");
	store_search_hits_free(h, n);

	/* A body word, Markdown resolved: no asterisks in the snippet. */
	h = search(f->s, page, "hours", &n);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, a);
	assert_non_null(strstr(h[0].snippet, "four \x01hours\x02"));
	assert_null(strchr(h[0].snippet, '*'));
	assert_string_equal(h[0].title, "Ceasefire talks begin in Riyadh");
	store_search_hits_free(h, n);

	/* Case does not matter; every word must be there. */
	h = search(f->s, page, "OIL prices", &n);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, b);
	store_search_hits_free(h, n);
	h = search(f->s, page, "oil riyadh", &n);
	assert_int_equal(n, 0);
	assert_null(h);

	/* Bylines, quotations' credits, alt text and captions are found too. */
	h = search(f->s, page, "Fokht", &n);
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);
	h = search(f->s, page, "Lavrov 2004", &n);
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);
	h = search(f->s, page, "Zelensky", &n);
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);
}

static void test_ranked_title_first(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "rank"), in_body, in_title, older_body;
	struct store_search_hit *h;
	size_t n;

	older_body = put_post(f->s, page, "Morning", "A word on the harbour bridge.", 100);
	in_title = put_post(f->s, page, "Harbour bridge reopens", "Traffic is moving.", 200);
	in_body = put_post(f->s, page, "Evening", "Crowds gather on the harbour bridge.", 300);

	h = search(f->s, page, "harbour bridge", &n);
	assert_int_equal(n, 3);
	assert_int_equal(h[0].post_id, in_title);
	/* Two equal body matches: the newest first. */
	assert_true(found(h + 1, 2, in_body) && found(h + 1, 2, older_body));
	store_search_hits_free(h, n);

	/* Paging: the same order, a slice at a time. */
	assert_int_equal(store_post_search(f->s, page, "harbour", 1, 0, &h, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, in_title);
	store_search_hits_free(h, n);
	assert_int_equal(store_post_search(f->s, page, "harbour", 2, 1, &h, &n), 0);
	assert_int_equal(n, 2);
	assert_false(found(h, n, in_title));
	store_search_hits_free(h, n);
	assert_int_equal(store_post_search(f->s, page, "harbour", 5, 3, &h, &n), 0);
	assert_int_equal(n, 0);
}

static void test_edit_and_delete_kept_in_step(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "edits"), id;
	struct store_search_hit *h;
	struct model_post p;
	size_t n;

	id = put_post(f->s, page, "Early report", "The minister resigned.", 100);
	h = search(f->s, page, "resigned", &n);
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);

	/* The correction: old words gone, new ones found, title too. */
	assert_int_equal(store_post_get(f->s, page, id, &p), 0);
	free(p.title);
	p.title = model_strdup("Corrected report");
	free(p.blocks[0].text);
	p.blocks[0].text = model_strdup("The minister stayed in office.");
	assert_int_equal(store_post_update(f->s, 0, &p), 0);
	model_post_cleanup(&p);
	h = search(f->s, page, "resigned", &n);
	assert_int_equal(n, 0);
	h = search(f->s, page, "early", &n);
	assert_int_equal(n, 0);
	h = search(f->s, page, "office", &n);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, id);
	store_search_hits_free(h, n);
	h = search(f->s, page, "corrected", &n);
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);

	/* An edit rolled back with its outer transaction leaves the index as
	 * it was: it is written in the same transaction. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_post_get(f->s, page, id, &p), 0);
	free(p.blocks[0].text);
	p.blocks[0].text = model_strdup("Undone words appear.");
	assert_int_equal(store_post_update(f->s, 0, &p), 0);
	model_post_cleanup(&p);
	store_rollback(f->s);
	h = search(f->s, page, "undone", &n);
	assert_int_equal(n, 0);
	h = search(f->s, page, "office", &n);
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);

	assert_int_equal(store_post_delete(f->s, 0, page, id), 0);
	h = search(f->s, page, "office", &n);
	assert_int_equal(n, 0);
	h = search(f->s, page, "corrected", &n);
	assert_int_equal(n, 0);
}

static void test_other_pages_not_found(void **state)
{
	struct unit_db *f = *state;
	int64_t one = create_page(f->s, "one"), two = create_page(f->s, "two"), a;
	struct store_search_hit *h;
	size_t n;

	a = put_post(f->s, one, "Budget", "The chancellor spoke.", 100);
	put_post(f->s, two, "Budget", "The chancellor spoke again.", 100);
	h = search(f->s, one, "chancellor", &n);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, a);
	store_search_hits_free(h, n);
	h = search(f->s, 999, "chancellor", &n);
	assert_int_equal(n, 0);
}

static void test_hostile_query(void **state)
{
	struct unit_db *f = *state;
	int64_t page = create_page(f->s, "hostile"), a;
	struct store_search_hit *h = NULL;
	char long_q[STORE_SEARCH_QUERY_MAX + 2], many[256], cyr[400];
	size_t n = 0;

	a = put_post(f->s, page, "Quotes \"and\" stars", "Fire * near the OR station.", 100);
	put_post(f->s, page, "Second", "Nothing here.", 200);
	put_post(f->s, page, "Third", "Or here.", 300);

	/* Operators of FTS5 and tsquery are words or nothing: no error, and
	 * not every post. The words here are OR and NEAR, which post a holds. */
	h = search(f->s, page, "\" OR * NEAR( ) -- '", &n);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].post_id, a);
	store_search_hits_free(h, n);
	h = search(f->s, page, "NOT nothing", &n);
	assert_int_equal(n, 0);
	h = search(f->s, page, "-nothing", &n); /* not "without nothing" */
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);
	h = search(f->s, page, "title:second", &n); /* not a column filter */
	assert_int_equal(n, 0);
	h = search(f->s, page, "sec*", &n); /* not a prefix */
	assert_int_equal(n, 0);
	h = search(f->s, page, "station' OR 1=1 --", &n);
	assert_int_equal(n, 0);
	h = search(f->s, page, "\xe2\x80\x94 station \xe2\x80\x94", &n); /* dashes cut words */
	assert_int_equal(n, 1);
	store_search_hits_free(h, n);

	/* Nothing to search for: refused, with a reason a reader may see. */
	h = NULL;
	assert_int_equal(store_post_search(f->s, page, "", 20, 0, &h, &n), STORE_EINVAL);
	assert_int_equal(store_post_search(f->s, page, "  * \" ( ) -- '", 20, 0, &h, &n),
			 STORE_EINVAL);
	assert_non_null(strstr(store_errmsg(f->s), "word"));
	assert_int_equal(store_post_search(f->s, page, "bad \xff utf-8", 20, 0, &h, &n),
			 STORE_EINVAL);
	memset(long_q, 'a', sizeof(long_q) - 1);
	long_q[sizeof(long_q) - 1] = '\0';
	assert_int_equal(store_post_search(f->s, page, long_q, 20, 0, &h, &n), STORE_EINVAL);
	/* Characters are counted, not bytes: 150 two-byte letters are fine. */
	cyr[0] = '\0';
	for (int i = 0; i < 150; i++)
		strncat(cyr, "\xd0\xb6", sizeof(cyr) - strlen(cyr) - 1);
	assert_int_equal(store_post_search(f->s, page, cyr, 20, 0, &h, &n), 0);
	assert_int_equal(n, 0);
	many[0] = '\0';
	for (int i = 0; i <= STORE_SEARCH_WORDS_MAX; i++)
		strncat(many, "w ", sizeof(many) - strlen(many) - 1);
	assert_int_equal(store_post_search(f->s, page, many, 20, 0, &h, &n), STORE_EINVAL);
	assert_null(h);

	/* What the store writes for a post holds no byte the marks use. */
	put_post(f->s, page, "Marks", "Smuggled \x01mark\x02 bytes.", 400);
	h = search(f->s, page, "smuggled", &n);
	assert_int_equal(n, 1);
	assert_null(strstr(h[0].snippet, "\x01mark"));
	assert_non_null(strstr(h[0].snippet, "\x01Smuggled\x02"));
	store_search_hits_free(h, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_found_by_title_and_body, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_ranked_title_first, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_delete_kept_in_step, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_other_pages_not_found, unit_db_setup,
						unit_db_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_query, unit_db_setup, unit_db_teardown),
	};

	log_set_level(LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
