/*
 * Unit tests for model/model_json.c: every shape written and read back field by
 * field, the exact JSON of optional fields and times, and the parsers' refusal
 * of malformed input (with the reason) without leaks, including a sweep that
 * puts every wrong type into every field of a valid document.
 */
#include "unit.h"

#include <jansson.h>

#include "model/model.h"
#include "model/model_json.h"

/* A NULL-safe string comparison: NULL only equals NULL. */
static void assert_str_eq(const char *a, const char *b)
{
	if (!a || !b) {
		assert_ptr_equal(a, b);
		return;
	}
	assert_string_equal(a, b);
}

static void assert_block_equal(const struct model_block *a, const struct model_block *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_str_eq(a->text, b->text);
	assert_str_eq(a->cite, b->cite);
	assert_str_eq(a->url, b->url);
	assert_str_eq(a->alt, b->alt);
	assert_str_eq(a->credit, b->credit);
	assert_str_eq(a->caption, b->caption);
	assert_int_equal(a->n_items, b->n_items);
	for (size_t i = 0; i < a->n_items; i++) {
		assert_str_eq(a->items[i].lead, b->items[i].lead);
		assert_str_eq(a->items[i].text, b->items[i].text);
	}
	if (a->kind == MODEL_BLOCK_LIST)
		assert_int_equal(a->blank_after, b->blank_after);
}

static struct model_list_item sample_items[] = {
	{ .lead = "Zooming out:", .text = "the *summits* are 3,000 miles apart" },
	{ .lead = NULL, .text = "Europe's leaders meet in Paris" },
};

/* One of each kind, with optional fields both set and unset. */
static struct model_block sample_blocks[] = {
	{ .kind = MODEL_BLOCK_PARAGRAPH, .text = "Hello, [world](https://example.com)." },
	{ .kind = MODEL_BLOCK_QUOTE, .text = "We will not give up", .cite = "Zelensky" },
	{ .kind = MODEL_BLOCK_QUOTE, .text = "Uncited \"words\"" },
	{ .kind = MODEL_BLOCK_LIST, .items = sample_items, .n_items = 2, .blank_after = 0 },
	{ .kind = MODEL_BLOCK_LIST, .items = NULL, .n_items = 0, .blank_after = 1 },
	{ .kind = MODEL_BLOCK_IMAGE, .url = "https://img.example/1.jpg",
	  .alt = "Lavrov at a podium", .credit = "Reuters",
	  .caption = "Lavrov has served as foreign minister since 2004" },
	{ .kind = MODEL_BLOCK_IMAGE, .url = "", .alt = "No caption", .credit = "" },
	{ .kind = MODEL_BLOCK_EMBED, .url = "https://example.com/map",
	  .text = "Frontlines of war in Ukraine" },
};

#define N_SAMPLE_BLOCKS (sizeof(sample_blocks) / sizeof(sample_blocks[0]))

/* Writes, serialises to text and parses back: what the store does. */
static json_t *reparse(json_t *j)
{
	json_error_t jerr;
	char *text;
	json_t *back;

	assert_non_null(j);
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(text);
	json_decref(j);
	back = json_loads(text, 0, &jerr);
	free(text);
	assert_non_null(back);
	return back;
}

static void test_blocks_round_trip(void **state)
{
	struct model_block *out = NULL;
	char err[128];
	size_t n = 99;
	json_t *j;

	(void)state;
	j = reparse(model_json_blocks(sample_blocks, N_SAMPLE_BLOCKS));
	assert_int_equal(model_json_to_blocks(j, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, N_SAMPLE_BLOCKS);
	for (size_t i = 0; i < n; i++)
		assert_block_equal(&out[i], &sample_blocks[i]);
	for (size_t i = 0; i < n; i++)
		model_block_cleanup(&out[i]);
	free(out);
	json_decref(j);
}

static void test_blocks_json_shape(void **state)
{
	char *text;
	json_t *j;

	(void)state;
	/* Optional NULLs are left out; the embed's title is its own field. */
	j = model_json_blocks(&sample_blocks[2], 1);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "[{\"type\":\"quote\",\"text\":\"Uncited \\\"words\\\"\"}]");
	free(text);
	json_decref(j);

	j = model_json_blocks(&sample_blocks[7], 1);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "[{\"type\":\"embed\",\"url\":\"https://example.com/map\","
			    "\"title\":\"Frontlines of war in Ukraine\"}]");
	free(text);
	json_decref(j);

	j = model_json_blocks(&sample_blocks[3], 1);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "[{\"type\":\"list\",\"items\":[{\"lead\":\"Zooming out:\","
			    "\"text\":\"the *summits* are 3,000 miles apart\"},"
			    "{\"text\":\"Europe's leaders meet in Paris\"}],"
			    "\"blank_after\":false}]");
	free(text);
	json_decref(j);

	j = model_json_blocks(NULL, 0);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
}

static void test_blocks_defaults(void **state)
{
	struct model_block *out = NULL;
	json_error_t jerr;
	char err[128];
	size_t n;
	json_t *j;

	(void)state;
	/* blank_after omitted: the newsroom default; optional fields null = absent;
	 * unknown fields ignored. */
	j = json_loads("[{\"type\":\"list\",\"items\":[{\"text\":\"a\",\"lead\":null}]},"
		       "{\"type\":\"quote\",\"text\":\"q\",\"cite\":null,\"extra\":1}]", 0, &jerr);
	assert_non_null(j);
	assert_int_equal(model_json_to_blocks(j, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].blank_after, 1);
	assert_null(out[0].items[0].lead);
	assert_string_equal(out[0].items[0].text, "a");
	assert_null(out[1].cite);
	model_block_cleanup(&out[0]);
	model_block_cleanup(&out[1]);
	free(out);
	json_decref(j);

	/* An empty array is a post with no body yet. */
	j = json_array();
	out = (struct model_block *)1;
	assert_int_equal(model_json_to_blocks(j, &out, &n, err, sizeof(err)), 0);
	assert_null(out);
	assert_int_equal(n, 0);
	json_decref(j);
}

static void test_bylines_round_trip(void **state)
{
	struct model_byline in[] = {
		{ .name = "Liza Fokht", .role = "BBC Russian service, reporting from Paris" },
		{ .name = "Frank Gardner", .role = "" },
	};
	struct model_byline *out = NULL;
	char err[128];
	size_t n;
	json_t *j;

	(void)state;
	j = reparse(model_json_bylines(in, 2));
	assert_int_equal(model_json_to_bylines(j, &out, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(out[i].name, in[i].name);
		assert_string_equal(out[i].role, in[i].role);
		free(out[i].name);
		free(out[i].role);
	}
	free(out);
	json_decref(j);
}

static void test_summary_round_trip(void **state)
{
	char *points[] = { "Leaders meet in *Paris*", "US and Russia talk in Riyadh" };
	struct model_summary in = {
		.points = points, .n_points = 2, .media_kind = MODEL_MEDIA_VIDEO,
		.media_url = "https://video.example/1", .media_alt = "Macron greets Starmer",
		.media_caption = "Watch: leaders arrive",
	};
	struct model_summary out, empty = { 0 };
	char err[128], *text;
	json_t *j;

	(void)state;
	j = reparse(model_json_summary(&in));
	assert_int_equal(model_json_to_summary(j, &out, err, sizeof(err)), 0);
	assert_int_equal(out.n_points, 2);
	assert_string_equal(out.points[0], points[0]);
	assert_string_equal(out.points[1], points[1]);
	assert_int_equal(out.media_kind, MODEL_MEDIA_VIDEO);
	assert_string_equal(out.media_url, in.media_url);
	assert_string_equal(out.media_alt, in.media_alt);
	assert_string_equal(out.media_caption, in.media_caption);
	model_summary_cleanup(&out);
	json_decref(j);

	/* An image without a caption. */
	in.media_kind = MODEL_MEDIA_IMAGE;
	in.media_caption = NULL;
	j = reparse(model_json_summary(&in));
	assert_int_equal(model_json_to_summary(j, &out, err, sizeof(err)), 0);
	assert_int_equal(out.media_kind, MODEL_MEDIA_IMAGE);
	assert_null(out.media_caption);
	model_summary_cleanup(&out);
	json_decref(j);

	/* No media at all: written as null. */
	j = model_json_summary(&empty);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "{\"points\":[],\"media\":null}");
	assert_int_equal(model_json_to_summary(j, &out, err, sizeof(err)), 0);
	assert_int_equal(out.n_points, 0);
	assert_int_equal(out.media_kind, MODEL_MEDIA_NONE);
	assert_null(out.media_url);
	model_summary_cleanup(&out);
	free(text);
	json_decref(j);
}

static void test_post_json(void **state)
{
	struct model_byline by = { .name = "Liza Fokht", .role = "Paris" };
	struct model_post p = {
		.id = 42, .page_id = 7, .title = "A tale of two summits",
		.published_at = 1739788620, /* 2025-02-17 10:37:00 UTC */
		.updated_at = 1739792220,
		.breaking = 1, .key_event = 0, .pinned = 1,
		.bylines = &by, .n_bylines = 1,
		.blocks = sample_blocks, .n_blocks = 1,
	};
	json_t *j;

	(void)state;
	j = model_json_post(&p, "Europe/London");
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 42);
	assert_string_equal(json_string_value(json_object_get(j, "title")), p.title);
	assert_string_equal(json_string_value(json_object_get(j, "published_at")),
			    "2025-02-17T10:37:00Z");
	assert_string_equal(json_string_value(json_object_get(j, "updated_at")),
			    "2025-02-17T11:37:00Z");
	assert_true(json_is_true(json_object_get(j, "breaking")));
	assert_true(json_is_false(json_object_get(j, "key_event")));
	assert_true(json_is_true(json_object_get(j, "pinned")));
	assert_int_equal(json_array_size(json_object_get(j, "bylines")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "blocks")), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(j, "blocks"), 0), "type")), "paragraph");
	json_decref(j);
}

static void test_page_json(void **state)
{
	struct model_page p = {
		.id = 3, .slug = "ukraine-summits", .title = "Ukraine summits",
		.description = "", .zone = "Europe/London", .status = MODEL_STATUS_LIVE,
		.start_at = 1739750400, .end_at = 0, .pinned_post_id = 0,
		.last_seq = 12, .updated_at = 1739788620, .n_posts = 5,
	};
	json_t *j;

	(void)state;
	j = model_json_page(&p);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "slug")), p.slug);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "live");
	assert_string_equal(json_string_value(json_object_get(j, "start_at")),
			    "2025-02-17T00:00:00Z");
	assert_true(json_is_null(json_object_get(j, "end_at")));
	assert_true(json_is_null(json_object_get(j, "pinned_post_id")));
	assert_int_equal(json_integer_value(json_object_get(j, "last_seq")), 12);
	assert_string_equal(json_string_value(json_object_get(j, "updated_at")),
			    "2025-02-17T10:37:00Z");
	assert_true(json_is_object(json_object_get(j, "summary")));
	assert_true(json_is_null(json_object_get(json_object_get(j, "summary"), "media")));
	json_decref(j);

	p.pinned_post_id = 9;
	j = model_json_page(&p);
	assert_int_equal(json_integer_value(json_object_get(j, "pinned_post_id")), 9);
	json_decref(j);
}

/* ---- malformed input --------------------------------------------------- */

enum parser { P_BLOCKS, P_BYLINES, P_SUMMARY };

struct bad_case {
	enum parser parser;
	const char *json;
	const char *reason; /* the whole message */
};

static const struct bad_case bad_cases[] = {
	{ P_BLOCKS, "{}", "blocks: expected an array" },
	{ P_BLOCKS, "[1]", "blocks[0]: expected an object" },
	{ P_BLOCKS, "[{\"text\":\"x\"}]", "blocks[0]: missing \"type\"" },
	{ P_BLOCKS, "[{\"type\":5}]", "blocks[0].type: expected a string" },
	{ P_BLOCKS, "[{\"type\":\"paragraph\",\"text\":\"a\"},{\"type\":\"paragraph\","
		    "\"text\":\"b\"},{\"type\":\"video\"}]", "blocks[2]: unknown type \"video\"" },
	{ P_BLOCKS, "[{\"type\":\"paragraph\"}]", "blocks[0]: missing \"text\"" },
	{ P_BLOCKS, "[{\"type\":\"paragraph\",\"text\":null}]", "blocks[0]: missing \"text\"" },
	{ P_BLOCKS, "[{\"type\":\"paragraph\",\"text\":3}]", "blocks[0].text: expected a string" },
	{ P_BLOCKS, "[{\"type\":\"paragraph\",\"text\":\"a\\u0000b\"}]",
	  "blocks[0].text: contains a NUL character" },
	{ P_BLOCKS, "[{\"type\":\"quote\",\"text\":\"q\",\"cite\":[]}]",
	  "blocks[0].cite: expected a string" },
	{ P_BLOCKS, "[{\"type\":\"list\"}]", "blocks[0]: missing \"items\"" },
	{ P_BLOCKS, "[{\"type\":\"list\",\"items\":{}}]", "blocks[0].items: expected an array" },
	{ P_BLOCKS, "[{\"type\":\"list\",\"items\":[\"x\"]}]",
	  "blocks[0].items[0]: expected an object" },
	{ P_BLOCKS, "[{\"type\":\"list\",\"items\":[{\"lead\":\"L\",\"text\":\"a\"},"
		    "{\"lead\":\"M\"}]}]", "blocks[0].items[1]: missing \"text\"" },
	{ P_BLOCKS, "[{\"type\":\"list\",\"items\":[],\"blank_after\":\"yes\"}]",
	  "blocks[0].blank_after: expected true or false" },
	{ P_BLOCKS, "[{\"type\":\"image\",\"url\":\"u\",\"alt\":\"a\"}]",
	  "blocks[0]: missing \"credit\"" },
	{ P_BLOCKS, "[{\"type\":\"image\",\"url\":\"u\",\"alt\":\"a\",\"credit\":\"c\","
		    "\"caption\":false}]", "blocks[0].caption: expected a string" },
	{ P_BLOCKS, "[{\"type\":\"embed\",\"url\":\"u\"}]", "blocks[0]: missing \"title\"" },
	{ P_BLOCKS, "[{\"type\":\"quote\",\"text\":\"ok\",\"cite\":\"c\"},"
		    "{\"type\":\"image\",\"url\":\"u\",\"alt\":1}]",
	  "blocks[1].alt: expected a string" },
	{ P_BLOCKS, "[{\"type\":\"a-very-long-type-name-that-goes-on-and-on-and-on\"}]",
	  "blocks[0]: unknown type \"a-very-long-type-name-that-goes-\"" },
	{ P_BYLINES, "{}", "bylines: expected an array" },
	{ P_BYLINES, "[\"x\"]", "bylines[0]: expected an object" },
	{ P_BYLINES, "[{\"name\":\"a\",\"role\":\"\"},{\"name\":\"b\"}]",
	  "bylines[1]: missing \"role\"" },
	{ P_BYLINES, "[{\"name\":1,\"role\":\"\"}]", "bylines[0].name: expected a string" },
	{ P_SUMMARY, "[]", "summary: expected an object" },
	{ P_SUMMARY, "{}", "summary: missing \"points\"" },
	{ P_SUMMARY, "{\"points\":\"x\"}", "summary.points: expected an array" },
	{ P_SUMMARY, "{\"points\":[\"a\",1]}", "summary.points[1]: expected a string" },
	{ P_SUMMARY, "{\"points\":[],\"media\":3}", "summary.media: expected an object or null" },
	{ P_SUMMARY, "{\"points\":[\"a\"],\"media\":{\"url\":\"\",\"alt\":\"\"}}",
	  "summary.media: missing \"kind\"" },
	{ P_SUMMARY, "{\"points\":[\"a\"],\"media\":{\"kind\":\"audio\",\"url\":\"\","
		     "\"alt\":\"\"}}", "summary.media.kind: expected \"video\" or \"image\"" },
	{ P_SUMMARY, "{\"points\":[\"a\"],\"media\":{\"kind\":\"video\",\"alt\":\"\"}}",
	  "summary.media: missing \"url\"" },
	{ P_SUMMARY, "{\"points\":[\"a\"],\"media\":{\"kind\":\"image\",\"url\":\"u\","
		     "\"alt\":\"\",\"caption\":7}}", "summary.media.caption: expected a string" },
};

/* Runs one parser on j; returns its result and checks that a failure leaves
 * the output empty. Frees whatever it parsed. */
static int run_parser(enum parser parser, const json_t *j, char *err, size_t errlen)
{
	struct model_block *blocks = (struct model_block *)1;
	struct model_byline *bylines = (struct model_byline *)1;
	struct model_summary sum;
	size_t n = 99;
	int rc = -1;

	switch (parser) {
	case P_BLOCKS:
		rc = model_json_to_blocks(j, &blocks, &n, err, errlen);
		if (rc != 0) {
			assert_null(blocks);
			assert_int_equal(n, 0);
		}
		for (size_t i = 0; rc == 0 && i < n; i++)
			model_block_cleanup(&blocks[i]);
		if (rc == 0)
			free(blocks);
		break;
	case P_BYLINES:
		rc = model_json_to_bylines(j, &bylines, &n, err, errlen);
		if (rc != 0) {
			assert_null(bylines);
			assert_int_equal(n, 0);
		}
		for (size_t i = 0; rc == 0 && i < n; i++) {
			free(bylines[i].name);
			free(bylines[i].role);
		}
		if (rc == 0)
			free(bylines);
		break;
	case P_SUMMARY:
		rc = model_json_to_summary(j, &sum, err, errlen);
		if (rc != 0) {
			assert_null(sum.points);
			assert_int_equal(sum.n_points, 0);
			assert_null(sum.media_url);
		}
		model_summary_cleanup(&sum);
		break;
	}
	return rc;
}

static void test_reject_malformed(void **state)
{
	json_error_t jerr;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		json_t *j = json_loads(c->json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

		assert_non_null(j);
		err[0] = '\0';
		assert_int_equal(run_parser(c->parser, j, err, sizeof(err)), -1);
		if (strcmp(err, c->reason) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, c->reason);
		json_decref(j);
	}
}

static void test_reject_non_containers(void **state)
{
	json_t *values[] = { json_null(), json_true(), json_integer(1), json_real(1.5),
			     json_string("x") };
	char small[8];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (int p = P_BLOCKS; p <= P_SUMMARY; p++)
			assert_int_equal(run_parser((enum parser)p, values[i], small,
						    sizeof(small)), -1);
		/* No room for a reason at all is allowed too. */
		assert_int_equal(run_parser(P_BLOCKS, values[i], NULL, 0), -1);
		assert_int_equal(strlen(small), sizeof(small) - 1);
		json_decref(values[i]);
	}
}

/* Replaces every field of every object in a valid document, in turn, with
 * each value of another type, and runs the parser: it must never crash or
 * leak, and a value of the wrong type in a required field must be refused. */
static void sweep_object(json_t *root, json_t *obj, enum parser parser)
{
	const char *key;
	json_t *value;
	void *iter;

	if (json_is_array(obj)) {
		for (size_t i = 0; i < json_array_size(obj); i++)
			sweep_object(root, json_array_get(obj, i), parser);
		return;
	}
	if (!json_is_object(obj))
		return;
	for (iter = json_object_iter(obj); iter; iter = json_object_iter_next(obj, iter)) {
		json_t *alts[] = { json_null(), json_false(), json_integer(-1), json_real(0.5),
				   json_string("video"), json_array(), json_object() };
		char err[128];

		key = json_object_iter_key(iter);
		value = json_incref(json_object_iter_value(iter));
		sweep_object(root, value, parser);
		for (size_t a = 0; a < sizeof(alts) / sizeof(alts[0]); a++) {
			assert_int_equal(json_object_iter_set(obj, iter, alts[a]), 0);
			err[0] = '\0';
			if (run_parser(parser, root, err, sizeof(err)) != 0 && err[0] == '\0')
				fail_msg("field \"%s\": refused without a reason", key);
		}
		assert_int_equal(json_object_iter_set_new(obj, iter, value), 0);
		for (size_t a = 0; a < sizeof(alts) / sizeof(alts[0]); a++)
			json_decref(alts[a]);
	}
}

static void test_sweep_wrong_types(void **state)
{
	struct model_byline by[] = { { .name = "A", .role = "B" } };
	char *points[] = { "p" };
	struct model_summary sum = { .points = points, .n_points = 1,
				     .media_kind = MODEL_MEDIA_IMAGE, .media_url = "u",
				     .media_alt = "a", .media_caption = "c" };
	char err[128];
	json_t *j;

	(void)state;
	j = model_json_blocks(sample_blocks, N_SAMPLE_BLOCKS);
	sweep_object(j, j, P_BLOCKS);
	assert_int_equal(run_parser(P_BLOCKS, j, err, sizeof(err)), 0); /* restored */
	json_decref(j);

	j = model_json_bylines(by, 1);
	sweep_object(j, j, P_BYLINES);
	assert_int_equal(run_parser(P_BYLINES, j, err, sizeof(err)), 0);
	json_decref(j);

	j = model_json_summary(&sum);
	sweep_object(j, j, P_SUMMARY);
	assert_int_equal(run_parser(P_SUMMARY, j, err, sizeof(err)), 0);
	json_decref(j);
}

/* A required field of the wrong type is refused, naming the field. */
static void test_required_wrong_type(void **state)
{
	const char *fields[] = { "url", "alt", "credit" };
	json_t *j;
	char err[128];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		j = model_json_blocks(&sample_blocks[5], 1);
		json_object_set_new(json_array_get(j, 0), fields[i], json_integer(1));
		assert_int_equal(run_parser(P_BLOCKS, j, err, sizeof(err)), -1);
		assert_non_null(strstr(err, fields[i]));
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_round_trip),
		cmocka_unit_test(test_blocks_json_shape),
		cmocka_unit_test(test_blocks_defaults),
		cmocka_unit_test(test_bylines_round_trip),
		cmocka_unit_test(test_summary_round_trip),
		cmocka_unit_test(test_post_json),
		cmocka_unit_test(test_page_json),
		cmocka_unit_test(test_reject_malformed),
		cmocka_unit_test(test_reject_non_containers),
		cmocka_unit_test(test_sweep_wrong_types),
		cmocka_unit_test(test_required_wrong_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
