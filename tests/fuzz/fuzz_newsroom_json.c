/*
 * Fuzz target: the newsroom's JSON API input (src/newsroom/ and
 * src/model/model_json.c). The input is a request body, read as the API reads
 * it (jansson, duplicate keys refused); a JSON object is then given to every
 * action that takes one, as an admin on a page with one post, inside a store
 * transaction that is rolled back (so each input starts from the same state
 * and nothing is written to disk). Checked: every answer is a success or an
 * error with a code and a message, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fuzz.h"
#include "model/model_json.h"
#include "newsroom/newsroom.h"
#include "store/store.h"
#include "store/store_newsroom.h"

static struct store *fuzz_st;
static struct model_user fuzz_user = { .id = 1, .login = "ada", .display_name = "Ada Admin",
				       .byline_name = "", .byline_role = "Live editor",
				       .role = MODEL_ROLE_ADMIN };
static int64_t fuzz_post_id;
static char fuzz_dir[] = "/tmp/liveline-fuzz-XXXXXX";

/* The store's folder goes when the run ends (a crash leaves it in /tmp). */
static void fuzz_cleanup(void)
{
	char cmd[128];

	store_close(fuzz_st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct model_page page = { .slug = "fuzz", .title = "Fuzz", .description = "",
				   .zone = MODEL_DEFAULT_ZONE, .status = MODEL_STATUS_LIVE };
	struct model_block block = { .kind = MODEL_BLOCK_PARAGRAPH, .text = "First." };
	struct model_post post = { .title = "First", .published_at = 1739786220,
				   .updated_at = 1739786220, .version = 1,
				   .blocks = &block, .n_blocks = 1 };
	char path[128], err[256];

	(void)argc;
	(void)argv;
	FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/fuzz.db", fuzz_dir);
	fuzz_st = store_open(path, err, sizeof(err));
	FUZZ_CHECK(fuzz_st != NULL, "store_open: %s", err);
	FUZZ_CHECK(store_page_create(fuzz_st, 0, &page) == 0, "%s", store_errmsg(fuzz_st));
	FUZZ_CHECK(store_post_insert(fuzz_st, 0, page.id, &post) == 0, "%s", store_errmsg(fuzz_st));
	fuzz_post_id = post.id;
	atexit(fuzz_cleanup);
	return 0;
}

static void fuzz_answer(struct newsroom_result *res)
{
	FUZZ_CHECK(res->status <= NEWSROOM_ERROR, "status %d", (int)res->status);
	if (res->code)
		FUZZ_CHECK(res->status > NEWSROOM_CREATED && res->message[0],
			   "an error without a message");
	else
		FUZZ_CHECK(res->status <= NEWSROOM_CREATED, "a failure without a code");
	newsroom_result_cleanup(res);
	memset(res, 0, sizeof(*res));
}

/* The model's own readers of the JSON documents the store keeps. */
static void fuzz_model(const json_t *j)
{
	struct model_block *blocks;
	struct model_byline *bylines;
	struct model_summary sum = { 0 };
	char err[256];
	size_t n;

	if (model_json_to_blocks(j, &blocks, &n, err, sizeof(err)) == 0) {
		json_t *back = model_json_blocks(blocks, n);
		FUZZ_CHECK(back != NULL, "accepted blocks do not write back");
		json_decref(back);
		for (size_t i = 0; i < n; i++)
			model_block_cleanup(&blocks[i]);
		free(blocks);
	}
	if (model_json_to_bylines(j, &bylines, &n, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < n; i++) {
			free(bylines[i].name);
			free(bylines[i].role);
		}
		free(bylines);
	}
	if (model_json_to_summary(j, &sum, err, sizeof(err)) == 0)
		model_summary_cleanup(&sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct newsroom_ctx c = { .st = fuzz_st, .user = &fuzz_user, .media_dir = NULL,
			    .now = 1739786400 };
	struct newsroom_result res = { 0 };
	json_error_t e;
	json_t *in, *v;
	const char *key;

	in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	if (!in)
		return 0;
	fuzz_model(in);
	if (json_is_object(in))
		json_object_foreach(in, key, v)
			fuzz_model(v);
	newsroom_post_validate(&c, "fuzz", in, 0, &res);
	fuzz_answer(&res);
	newsroom_post_validate(&c, "fuzz", in, 1, &res);
	fuzz_answer(&res);
	newsroom_preview(&c, in, &res);
	fuzz_answer(&res);
	FUZZ_CHECK(store_begin(fuzz_st) == 0, "store_begin: %s", store_errmsg(fuzz_st));
	newsroom_post_create(&c, "fuzz", in, &res);
	fuzz_answer(&res);
	newsroom_post_edit(&c, "fuzz", fuzz_post_id, in, &res);
	fuzz_answer(&res);
	newsroom_draft_create(&c, "fuzz", in, &res);
	fuzz_answer(&res);
	newsroom_summary_set(&c, "fuzz", in, &res);
	fuzz_answer(&res);
	newsroom_page_update(&c, "fuzz", in, &res);
	fuzz_answer(&res);
	newsroom_page_status(&c, "fuzz", in, &res);
	fuzz_answer(&res);
	newsroom_page_create(&c, in, &res);
	fuzz_answer(&res);
	store_rollback(fuzz_st);
	json_decref(in);
	return 0;
}
