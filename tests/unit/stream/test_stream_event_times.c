/*
 * The times in a stream's post events are written as the API writes them
 * (model_json_time(): ISO 8601, or null for 0, the model's "not set"), so that
 * a client that reads both sees one value. A post whose times are 0 (written
 * behind the store's back: the store itself sets a publication time) once got
 * "1970-01-01T00:00:00Z" in its event and null from the API.
 */
#include "unit_store.h"
#include "store/unit_sqlite.h"

#include <jansson.h>

#include "model/model_json.h"
#include "stream/stream_event.h"
#include "util/log.h"

/* The event of post `post_id` and the API's JSON of the same post. */
static void event_and_api(struct unit_db *f, int64_t post_id, json_t **event, json_t **api)
{
	struct store_change c = { .seq = 2, .kind = STORE_CHANGE_POST, .post_id = post_id };
	struct model_post post;
	struct model_page page;
	char *data = NULL, *text = NULL;

	assert_int_equal(store_page_get(f->s, "times", &page), 0);
	c.page_id = page.id;
	assert_int_equal(stream_event_render(f->s, &page, &c, &data, &text), 0);
	assert_non_null(data);
	*event = json_loads(data, 0, NULL);
	assert_non_null(*event);
	assert_int_equal(store_post_get(f->s, page.id, post_id, &post), 0);
	*api = model_json_post(&post, page.zone);
	assert_non_null(*api);
	model_post_cleanup(&post);
	model_page_cleanup(&page);
	free(data);
	free(text);
}

static void test_event_times_match_the_api(void **state)
{
	struct unit_db *f = *state;
	int64_t page = unit_page_create(f->s, "times", "Times", MODEL_STATUS_LIVE, 0);
	struct model_block para = { .kind = MODEL_BLOCK_PARAGRAPH, .text = "Hello." };
	struct model_post p = { .title = "A post", .published_at = 1739788620,
				.blocks = &para, .n_blocks = 1 };
	const char *keys[] = { "published_at", "updated_at" };
	json_t *event, *api;

	assert_int_equal(store_post_insert(f->s, 0, page, &p), 0);

	event_and_api(f, p.id, &event, &api);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(json_string_value(json_object_get(event, keys[i])),
				    "2025-02-17T10:37:00Z");
		assert_true(json_equal(json_object_get(event, keys[i]),
				       json_object_get(api, keys[i])));
	}
	json_decref(event);
	json_decref(api);

	raw_exec(f->path, "UPDATE posts SET published_at = 0, updated_at = 0;");
	event_and_api(f, p.id, &event, &api);
	for (size_t i = 0; i < 2; i++) {
		assert_true(json_is_null(json_object_get(api, keys[i])));
		assert_true(json_is_null(json_object_get(event, keys[i])));
	}
	json_decref(event);
	json_decref(api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_event_times_match_the_api, unit_db_setup,
						unit_db_teardown),
	};

	log_set_level(LOG_LEVEL_WARN); /* schema upgrades on every fresh file are expected */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
