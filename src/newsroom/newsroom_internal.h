/*
 * Helpers shared by the newsroom's action files (newsroom.c for pages, posts
 * and drafts; newsroom_people.c for users, tokens, sign-in and the audit trail).
 * Not for callers outside src/newsroom/.
 */
#ifndef LIVELINE_NEWSROOM_INTERNAL_H
#define LIVELINE_NEWSROOM_INTERNAL_H

#include "newsroom/newsroom.h"

/* Appends `item` (its reference is taken) to *arr. On out of memory, or when
 * *arr is already NULL, releases both and leaves *arr NULL, so a list built in
 * a loop is checked once, where newsroom_wrap() turns NULL into NEWSROOM_ERROR. */
void newsroom_json_push(json_t **arr, json_t *item);

/* Maps a store error code to a result: NEWSROOM_NOT_FOUND, _CONFLICT (it
 * exists, or changed since), _INVALID (a rule broken), _UNAVAILABLE (the
 * database file moved), anything else _ERROR (logged). `what` names the thing. */
int newsroom_store_fail(const struct newsroom_ctx *c, struct newsroom_result *res, int rc,
			const char *what);
/* Loads a live page by slug (an invalid slug is not found), or a post of it;
 * 0, or -1 with res set. */
int newsroom_load_page(const struct newsroom_ctx *c, const char *slug, struct model_page *page,
		       struct newsroom_result *res);
int newsroom_load_post(const struct newsroom_ctx *c, const struct model_page *page, int64_t id,
		       struct model_post *post, struct newsroom_result *res);
/* 0 if the actor may do `action`, else sets NEWSROOM_FORBIDDEN and returns -1. */
int newsroom_need(const struct newsroom_ctx *c, struct newsroom_result *res,
		  enum auth_action action);
/* 0 if the request body `in` is a JSON object, else sets NEWSROOM_MALFORMED
 * and returns -1. */
int newsroom_need_object(const json_t *in, struct newsroom_result *res);
/* The prologue of every action on one live page: newsroom_need(action), then
 * newsroom_load_page(slug). 0 with *page loaded (the caller cleans it up), or
 * -1 with res set and *page left empty. */
int newsroom_open_page(const struct newsroom_ctx *c, enum auth_action action,
		       const char *slug, struct model_page *page, struct newsroom_result *res);

#define NEWSROOM_REQUIRED  1 /* must be present and not blank */
#define NEWSROOM_NOT_BLANK 2 /* may be absent, but not blank when given */

/* Reads a string field (`required`: 0, NEWSROOM_REQUIRED or NEWSROOM_NOT_BLANK).
 * `max` bytes at most; `multiline` allows line breaks and tabs, otherwise no
 * control character is allowed. *out points into `in` (valid while `in`
 * lives); NULL when absent and not required. Returns 0, or -1 with res set
 * (NEWSROOM_MALFORMED for a wrong type, NEWSROOM_INVALID for a broken rule). */
int newsroom_get_str(const json_t *in, const char *key, int required, size_t max, int multiline,
		     const char **out, struct newsroom_result *res);
/* Reads a boolean field; absent leaves *out unchanged. */
int newsroom_get_bool(const json_t *in, const char *key, int *out, struct newsroom_result *res);
/* Reads a positive integer field. */
int newsroom_get_int(const json_t *in, const char *key, int required, int64_t *out,
		     struct newsroom_result *res);
/* Reads an ISO-8601 time (no offset: in `zone`); null or absent give 0. */
int newsroom_get_time(const json_t *in, const char *key, const char *zone, int64_t *out,
		      struct newsroom_result *res);

#endif
