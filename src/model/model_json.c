/*
 * The model to and from JSON, through jansson. The store keeps post bodies,
 * bylines and page summaries as these documents, and the API and
 * `export --format json` write the same shapes, so the parsers here are the
 * gate for untrusted input: they check every type, never trust a length, and
 * answer malformed input with -1 and a reason naming the offending path
 * ("blocks[2]: unknown type \"video\""), never with a crash.
 *
 * Shapes (docs/json.md has the full description):
 *
 *   block    {"type":"paragraph","text":S}
 *            {"type":"quote","text":S,"cite":S?}
 *            {"type":"list","items":[{"lead":S?,"text":S}...],"blank_after":B?}
 *            {"type":"image","url":S,"alt":S,"credit":S,"caption":S?}
 *            {"type":"embed","url":S,"title":S}
 *   byline   {"name":S,"role":S}
 *   summary  {"points":[S...],
 *             "media":{"kind":"video"|"image","url":S,"alt":S,"caption":S?,
 *                      "poster":S?,"credit":S?}|null}
 *   post     {"id","title","published_at","updated_at","breaking","key_event",
 *             "pinned","version","correction"S?,"correction_at"?,
 *             "bylines":[...],"blocks":[...]}
 *   page     {"id","slug","title","description","zone","status","published","start_at",
 *             "end_at","summary","pinned_post_id","last_seq","updated_at",
 *             "n_posts"}
 *
 * S? marks an optional string: omitted or null reads as NULL, and NULL is
 * written by leaving the field out. "blank_after" defaults to true (the
 * newsroom's layout). Times are ISO-8601 UTC strings ("2025-02-17T10:37:00Z"),
 * null when unset. Unknown fields are ignored, so a newer writer does not
 * break an older reader.
 */
#include "model/model_json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/time.h"

/* Paths in error messages ("blocks[12].items[3]") fit easily; a longer one is
 * truncated, which only shortens the message. */
#define MODEL_JSON_PATH_MAX 64

static void json_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void json_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void *json_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort(); /* out of memory: the model does not unwind for it */
	return p;
}

/* ---- writing ---------------------------------------------------------- */

/* Sets o[key] = v, taking the reference. A NULL v (an allocation that failed,
 * or a string that is not UTF-8) makes the whole document fail. */
static int json_put(json_t *o, const char *key, json_t *v)
{
	if (!v)
		return -1;
	return json_object_set_new(o, key, v);
}

/* Required strings the model left NULL are written as "" so that the document
 * still reads back; the store rejects such data before it gets here. */
static json_t *json_str(const char *s)
{
	return json_string(s ? s : "");
}

json_t *model_json_time(int64_t t)
{
	char when[TIME_ISO_SIZE];

	if (t == 0 || time_iso(t, when) < 0) /* 0 is the model's "not set" */
		return json_null();
	return json_string(when);
}

static json_t *json_block(const struct model_block *b)
{
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return NULL;
	rc |= json_put(o, "type", json_string(model_block_kind_name(b->kind)));
	switch (b->kind) {
	case MODEL_BLOCK_PARAGRAPH:
		rc |= json_put(o, "text", json_str(b->text));
		break;
	case MODEL_BLOCK_QUOTE:
		rc |= json_put(o, "text", json_str(b->text));
		if (b->cite)
			rc |= json_put(o, "cite", json_string(b->cite));
		break;
	case MODEL_BLOCK_LIST: {
		json_t *items = json_array();

		if (!items) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < b->n_items; i++) {
			json_t *it = json_object();

			if (!it || json_array_append_new(items, it) != 0) {
				rc = -1;
				break;
			}
			if (b->items[i].lead)
				rc |= json_put(it, "lead", json_string(b->items[i].lead));
			rc |= json_put(it, "text", json_str(b->items[i].text));
		}
		rc |= json_put(o, "items", items);
		rc |= json_put(o, "blank_after", json_boolean(b->blank_after));
		break;
	}
	case MODEL_BLOCK_IMAGE:
		rc |= json_put(o, "url", json_str(b->url));
		rc |= json_put(o, "alt", json_str(b->alt));
		rc |= json_put(o, "credit", json_str(b->credit));
		if (b->caption)
			rc |= json_put(o, "caption", json_string(b->caption));
		break;
	case MODEL_BLOCK_EMBED:
		rc |= json_put(o, "url", json_str(b->url));
		rc |= json_put(o, "title", json_str(b->text));
		break;
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *model_json_blocks(const struct model_block *blocks, size_t n)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(a, json_block(&blocks[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *model_json_bylines(const struct model_byline *b, size_t n)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		int rc;

		if (!o || json_array_append_new(a, o) != 0)
			goto fail;
		rc = json_put(o, "name", json_str(b[i].name));
		rc |= json_put(o, "role", json_str(b[i].role));
		if (rc != 0)
			goto fail;
	}
	return a;
fail:
	json_decref(a);
	return NULL;
}

json_t *model_json_summary(const struct model_summary *s)
{
	json_t *o = json_object(), *points = json_array(), *media = NULL;
	int rc = 0;

	if (!o || !points)
		goto fail;
	for (size_t i = 0; i < s->n_points; i++)
		if (json_array_append_new(points, json_str(s->points[i])) != 0)
			goto fail;
	rc = json_put(o, "points", points);
	points = NULL;
	if (s->media_kind == MODEL_MEDIA_VIDEO || s->media_kind == MODEL_MEDIA_IMAGE) {
		media = json_object();
		if (!media)
			goto fail;
		rc |= json_put(media, "kind", json_string(s->media_kind == MODEL_MEDIA_VIDEO ?
							   "video" : "image"));
		rc |= json_put(media, "url", json_str(s->media_url));
		rc |= json_put(media, "alt", json_str(s->media_alt));
		if (s->media_caption)
			rc |= json_put(media, "caption", json_string(s->media_caption));
		if (s->media_poster)
			rc |= json_put(media, "poster", json_string(s->media_poster));
		if (s->media_credit)
			rc |= json_put(media, "credit", json_string(s->media_credit));
	} else {
		media = json_null();
	}
	rc |= json_put(o, "media", media);
	if (rc != 0)
		goto fail;
	return o;
fail:
	json_decref(points);
	json_decref(o);
	return NULL;
}

json_t *model_json_post(const struct model_post *p, const char *zone)
{
	json_t *o = json_object();
	int rc = 0;

	/* Times are always UTC in JSON: the zone is for people, and the reader's
	 * software converts. The argument is kept for renderers that want it. */
	(void)zone;
	if (!o)
		return NULL;
	rc |= json_put(o, "id", json_integer(p->id));
	rc |= json_put(o, "title", json_str(p->title));
	rc |= json_put(o, "published_at", model_json_time(p->published_at));
	rc |= json_put(o, "updated_at", model_json_time(p->updated_at));
	rc |= json_put(o, "breaking", json_boolean(p->breaking));
	rc |= json_put(o, "key_event", json_boolean(p->key_event));
	rc |= json_put(o, "pinned", json_boolean(p->pinned));
	rc |= json_put(o, "version", json_integer(p->version));
	if (p->correction) {
		rc |= json_put(o, "correction", json_str(p->correction));
		rc |= json_put(o, "correction_at", model_json_time(p->correction_at));
	}
	rc |= json_put(o, "bylines", model_json_bylines(p->bylines, p->n_bylines));
	rc |= json_put(o, "blocks", model_json_blocks(p->blocks, p->n_blocks));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *model_json_page(const struct model_page *p)
{
	json_t *o = json_object();
	int rc = 0;

	if (!o)
		return NULL;
	rc |= json_put(o, "id", json_integer(p->id));
	rc |= json_put(o, "slug", json_str(p->slug));
	rc |= json_put(o, "title", json_str(p->title));
	rc |= json_put(o, "description", json_str(p->description));
	rc |= json_put(o, "zone", json_str(p->zone));
	rc |= json_put(o, "status", json_string(model_status_name(p->status)));
	rc |= json_put(o, "published", json_boolean(p->published));
	rc |= json_put(o, "start_at", model_json_time(p->start_at));
	rc |= json_put(o, "end_at", model_json_time(p->end_at));
	rc |= json_put(o, "summary", model_json_summary(&p->summary));
	rc |= json_put(o, "pinned_post_id",
		       p->pinned_post_id ? json_integer(p->pinned_post_id) : json_null());
	rc |= json_put(o, "last_seq", json_integer(p->last_seq));
	rc |= json_put(o, "updated_at", model_json_time(p->updated_at));
	rc |= json_put(o, "n_posts", json_integer((json_int_t)p->n_posts));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- reading ---------------------------------------------------------- */

/* Reads obj[key] as a string into *out (a heap copy). A missing or null field
 * is NULL when optional and an error when required. Strings with an embedded
 * NUL are refused: everything downstream is C strings, and a silently
 * shortened text is worse than an error. */
static int json_get_str(const json_t *obj, const char *key, int required, char **out,
			const char *path, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		json_err(err, errlen, "%s: missing \"%s\"", path, key);
		return -1;
	}
	if (!json_is_string(v)) {
		json_err(err, errlen, "%s.%s: expected a string", path, key);
		return -1;
	}
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		json_err(err, errlen, "%s.%s: contains a NUL character", path, key);
		return -1;
	}
	*out = model_strdup(s);
	return 0;
}

static int json_get_list(const json_t *o, struct model_block *b, const char *path,
			 char *err, size_t errlen)
{
	const json_t *items = json_object_get(o, "items");
	const json_t *blank = json_object_get(o, "blank_after");
	char ipath[MODEL_JSON_PATH_MAX + 32]; /* path, ".items[", an index, "]" */
	size_t n;

	if (!items) {
		json_err(err, errlen, "%s: missing \"items\"", path);
		return -1;
	}
	if (!json_is_array(items)) {
		json_err(err, errlen, "%s.items: expected an array", path);
		return -1;
	}
	if (blank && !json_is_null(blank) && !json_is_boolean(blank)) {
		json_err(err, errlen, "%s.blank_after: expected true or false", path);
		return -1;
	}
	b->blank_after = (!blank || json_is_null(blank)) ? 1 : json_is_true(blank);
	n = json_array_size(items);
	b->items = json_calloc(n, sizeof(*b->items));
	/* n_items grows with each item read, so a cleanup midway frees just those. */
	for (size_t i = 0; i < n; i++) {
		const json_t *it = json_array_get(items, i);
		struct model_list_item *li = &b->items[i];

		snprintf(ipath, sizeof(ipath), "%s.items[%zu]", path, i);
		b->n_items = i + 1;
		if (!json_is_object(it)) {
			json_err(err, errlen, "%s: expected an object", ipath);
			return -1;
		}
		if (json_get_str(it, "lead", 0, &li->lead, ipath, err, errlen) != 0 ||
		    json_get_str(it, "text", 1, &li->text, ipath, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* One block; on failure the block may be partly filled: the caller cleans it. */
static int json_get_block(const json_t *o, struct model_block *b, size_t index,
			  char *err, size_t errlen)
{
	char path[MODEL_JSON_PATH_MAX];
	const json_t *type;
	int kind;

	snprintf(path, sizeof(path), "blocks[%zu]", index);
	if (!json_is_object(o)) {
		json_err(err, errlen, "%s: expected an object", path);
		return -1;
	}
	type = json_object_get(o, "type");
	if (!type) {
		json_err(err, errlen, "%s: missing \"type\"", path);
		return -1;
	}
	if (!json_is_string(type)) {
		json_err(err, errlen, "%s.type: expected a string", path);
		return -1;
	}
	kind = model_block_kind_parse(json_string_value(type));
	if (kind < 0) {
		/* Bounded: the type is untrusted and the message is one line. */
		json_err(err, errlen, "%s: unknown type \"%.32s\"", path,
			 json_string_value(type));
		return -1;
	}
	b->kind = (enum model_block_kind)kind;
	switch (b->kind) {
	case MODEL_BLOCK_PARAGRAPH:
		return json_get_str(o, "text", 1, &b->text, path, err, errlen);
	case MODEL_BLOCK_QUOTE:
		if (json_get_str(o, "text", 1, &b->text, path, err, errlen) != 0)
			return -1;
		return json_get_str(o, "cite", 0, &b->cite, path, err, errlen);
	case MODEL_BLOCK_LIST:
		return json_get_list(o, b, path, err, errlen);
	case MODEL_BLOCK_IMAGE:
		if (json_get_str(o, "url", 1, &b->url, path, err, errlen) != 0 ||
		    json_get_str(o, "alt", 1, &b->alt, path, err, errlen) != 0 ||
		    json_get_str(o, "credit", 1, &b->credit, path, err, errlen) != 0)
			return -1;
		return json_get_str(o, "caption", 0, &b->caption, path, err, errlen);
	case MODEL_BLOCK_EMBED:
		if (json_get_str(o, "url", 1, &b->url, path, err, errlen) != 0)
			return -1;
		return json_get_str(o, "title", 1, &b->text, path, err, errlen);
	}
	return -1; /* not reached: model_block_kind_parse returns only known kinds */
}

int model_json_to_blocks(const json_t *j, struct model_block **out, size_t *n,
			 char *err, size_t errlen)
{
	struct model_block *blocks = NULL;
	size_t count, done = 0;

	*out = NULL;
	*n = 0;
	if (!json_is_array(j)) {
		json_err(err, errlen, "blocks: expected an array");
		return -1;
	}
	count = json_array_size(j);
	if (count == 0)
		return 0;
	blocks = json_calloc(count, sizeof(*blocks));
	for (done = 0; done < count; done++) {
		if (json_get_block(json_array_get(j, done), &blocks[done], done,
				   err, errlen) != 0) {
			done++; /* the failed block is partly filled */
			goto fail;
		}
	}
	*out = blocks;
	*n = count;
	return 0;
fail:
	for (size_t i = 0; i < done; i++)
		model_block_cleanup(&blocks[i]);
	free(blocks);
	return -1;
}

int model_json_to_bylines(const json_t *j, struct model_byline **out, size_t *n,
			  char *err, size_t errlen)
{
	struct model_byline *b = NULL;
	char path[MODEL_JSON_PATH_MAX];
	size_t count, i;

	*out = NULL;
	*n = 0;
	if (!json_is_array(j)) {
		json_err(err, errlen, "bylines: expected an array");
		return -1;
	}
	count = json_array_size(j);
	if (count == 0)
		return 0;
	b = json_calloc(count, sizeof(*b));
	for (i = 0; i < count; i++) {
		const json_t *o = json_array_get(j, i);

		snprintf(path, sizeof(path), "bylines[%zu]", i);
		if (!json_is_object(o)) {
			json_err(err, errlen, "%s: expected an object", path);
			goto fail;
		}
		if (json_get_str(o, "name", 1, &b[i].name, path, err, errlen) != 0 ||
		    json_get_str(o, "role", 1, &b[i].role, path, err, errlen) != 0)
			goto fail;
	}
	*out = b;
	*n = count;
	return 0;
fail:
	/* calloc'd: entries past the failure are NULL, which free() accepts. */
	for (size_t k = 0; k <= i && k < count; k++) {
		free(b[k].name);
		free(b[k].role);
	}
	free(b);
	return -1;
}

static int json_get_media(const json_t *m, struct model_summary *out, char *err,
			  size_t errlen)
{
	static const char path[] = "summary.media";
	const json_t *kind;
	const char *k;

	if (!m || json_is_null(m)) {
		out->media_kind = MODEL_MEDIA_NONE;
		return 0;
	}
	if (!json_is_object(m)) {
		json_err(err, errlen, "%s: expected an object or null", path);
		return -1;
	}
	kind = json_object_get(m, "kind");
	if (!kind) {
		json_err(err, errlen, "%s: missing \"kind\"", path);
		return -1;
	}
	k = json_is_string(kind) ? json_string_value(kind) : NULL;
	if (k && strcmp(k, "video") == 0) {
		out->media_kind = MODEL_MEDIA_VIDEO;
	} else if (k && strcmp(k, "image") == 0) {
		out->media_kind = MODEL_MEDIA_IMAGE;
	} else {
		json_err(err, errlen, "%s.kind: expected \"video\" or \"image\"", path);
		return -1;
	}
	if (json_get_str(m, "url", 1, &out->media_url, path, err, errlen) != 0 ||
	    json_get_str(m, "alt", 1, &out->media_alt, path, err, errlen) != 0)
		return -1;
	if (json_get_str(m, "caption", 0, &out->media_caption, path, err, errlen) != 0 ||
	    json_get_str(m, "poster", 0, &out->media_poster, path, err, errlen) != 0)
		return -1;
	return json_get_str(m, "credit", 0, &out->media_credit, path, err, errlen);
}

int model_json_to_summary(const json_t *j, struct model_summary *out, char *err,
			  size_t errlen)
{
	const json_t *points;
	size_t count;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		json_err(err, errlen, "summary: expected an object");
		return -1;
	}
	points = json_object_get(j, "points");
	if (!points) {
		json_err(err, errlen, "summary: missing \"points\"");
		return -1;
	}
	if (!json_is_array(points)) {
		json_err(err, errlen, "summary.points: expected an array");
		return -1;
	}
	count = json_array_size(points);
	out->points = count ? json_calloc(count, sizeof(*out->points)) : NULL;
	for (size_t i = 0; i < count; i++) {
		const json_t *p = json_array_get(points, i);
		const char *s;

		if (!json_is_string(p)) {
			json_err(err, errlen, "summary.points[%zu]: expected a string", i);
			goto fail;
		}
		s = json_string_value(p);
		if (strlen(s) != json_string_length(p)) {
			json_err(err, errlen, "summary.points[%zu]: contains a NUL character", i);
			goto fail;
		}
		out->points[i] = model_strdup(s);
		out->n_points = i + 1;
	}
	if (json_get_media(json_object_get(j, "media"), out, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	model_summary_cleanup(out);
	return -1;
}
