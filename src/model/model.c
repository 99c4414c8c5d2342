/*
 * The model's small helpers: names of enumerations, cleanup, copies. See model.h.
 */
#include "model/model.h"
#include "model/model_limits.h"

#include <stdlib.h>
#include <string.h>

static const char *status_names[] = { "upcoming", "live", "ended" };
static const char *block_names[] = { "paragraph", "quote", "list", "image", "embed" };

const char *model_status_name(enum model_status s)
{
	return (unsigned)s < 3 ? status_names[s] : "unknown";
}

int model_status_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

const char *model_block_kind_name(enum model_block_kind k)
{
	return (unsigned)k < 5 ? block_names[k] : "unknown";
}

int model_block_kind_parse(const char *s)
{
	for (int i = 0; s && i < 5; i++)
		if (strcmp(s, block_names[i]) == 0)
			return i;
	return -1;
}

char *model_strdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		abort(); /* out of memory: see model.h */
	return p;
}

void model_block_cleanup(struct model_block *b)
{
	for (size_t i = 0; i < b->n_items; i++) {
		free(b->items[i].lead);
		free(b->items[i].text);
	}
	free(b->items);
	free(b->text);
	free(b->cite);
	free(b->url);
	free(b->alt);
	free(b->credit);
	free(b->caption);
	memset(b, 0, sizeof(*b));
}

void model_summary_cleanup(struct model_summary *s)
{
	for (size_t i = 0; i < s->n_points; i++)
		free(s->points[i]);
	free(s->points);
	free(s->media_url);
	free(s->media_alt);
	free(s->media_caption);
	free(s->media_poster);
	free(s->media_credit);
	memset(s, 0, sizeof(*s));
}

void model_post_cleanup(struct model_post *p)
{
	for (size_t i = 0; i < p->n_bylines; i++) {
		free(p->bylines[i].name);
		free(p->bylines[i].role);
	}
	free(p->bylines);
	for (size_t i = 0; i < p->n_blocks; i++)
		model_block_cleanup(&p->blocks[i]);
	free(p->blocks);
	free(p->title);
	free(p->correction);
	memset(p, 0, sizeof(*p));
}

void model_page_cleanup(struct model_page *p)
{
	free(p->slug);
	free(p->title);
	free(p->description);
	free(p->zone);
	model_summary_cleanup(&p->summary);
	memset(p, 0, sizeof(*p));
}

void model_posts_free(struct model_post *posts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		model_post_cleanup(&posts[i]);
	free(posts);
}

void model_key_events_free(struct model_key_event *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i].title);
	free(k);
}

void model_pages_free(struct model_page *pages, size_t n)
{
	for (size_t i = 0; i < n; i++)
		model_page_cleanup(&pages[i]);
	free(pages);
}

int model_time_sane(int64_t t, int64_t now)
{
	return t >= MODEL_TIME_MIN && t <= now + MODEL_TIME_AHEAD;
}

int model_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;

	if (n == 0 || n > MODEL_SLUG_MAX || slug[0] == '-' || slug[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = slug[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static void *model_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

int model_post_copy(struct model_post *dst, const struct model_post *src)
{
	*dst = *src;
	dst->title = model_strdup(src->title);
	dst->correction = model_strdup(src->correction);
	dst->bylines = model_calloc(src->n_bylines, sizeof(*dst->bylines));
	for (size_t i = 0; i < src->n_bylines; i++) {
		dst->bylines[i].name = model_strdup(src->bylines[i].name);
		dst->bylines[i].role = model_strdup(src->bylines[i].role);
	}
	dst->blocks = model_calloc(src->n_blocks, sizeof(*dst->blocks));
	for (size_t i = 0; i < src->n_blocks; i++) {
		const struct model_block *s = &src->blocks[i];
		struct model_block *d = &dst->blocks[i];
		*d = *s;
		d->text = model_strdup(s->text);
		d->cite = model_strdup(s->cite);
		d->url = model_strdup(s->url);
		d->alt = model_strdup(s->alt);
		d->credit = model_strdup(s->credit);
		d->caption = model_strdup(s->caption);
		d->items = model_calloc(s->n_items, sizeof(*d->items));
		for (size_t j = 0; j < s->n_items; j++) {
			d->items[j].lead = model_strdup(s->items[j].lead);
			d->items[j].text = model_strdup(s->items[j].text);
		}
	}
	return 0;
}
