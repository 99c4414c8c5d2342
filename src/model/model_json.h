/*
 * Posts, blocks, summaries and pages to and from JSON, through jansson. The store
 * keeps a post's body and bylines, and a page's summary, as these JSON documents;
 * `export --format json` and the API write the same shapes. Field names are the
 * model's: see docs/json.md.
 */
#ifndef LIVELINE_MODEL_JSON_H
#define LIVELINE_MODEL_JSON_H

#include <jansson.h>

#include "model/model.h"

/* New references (json_decref them); NULL on out of memory. */
json_t *model_json_blocks(const struct model_block *blocks, size_t n);
json_t *model_json_bylines(const struct model_byline *b, size_t n);
json_t *model_json_summary(const struct model_summary *s);
json_t *model_json_post(const struct model_post *p, const char *zone);
json_t *model_json_page(const struct model_page *p);
/* An instant as the JSON documents write it: ISO-8601 UTC, or null when 0. */
json_t *model_json_time(int64_t t);

/* Fill the model from JSON. Return 0, or -1 with a reason in err (at least 128
 * bytes) if the JSON is not of the right shape; the output is then empty. */
int model_json_to_blocks(const json_t *j, struct model_block **out, size_t *n,
			 char *err, size_t errlen) __attribute__((warn_unused_result));
int model_json_to_bylines(const json_t *j, struct model_byline **out, size_t *n,
			  char *err, size_t errlen) __attribute__((warn_unused_result));
int model_json_to_summary(const json_t *j, struct model_summary *out, char *err,
			  size_t errlen) __attribute__((warn_unused_result));

#endif
