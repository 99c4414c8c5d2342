/*
 * A worker's live state: the page cache, the stream hub, the change log's
 * position and the warming of live pages. See live.h.
 */
#include "live/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "model/model_limits.h"
#include "page/page_assets.h"
#include "page/page_key.h"
#include "render/render_embed.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/prio.h"

struct live {
	struct store *store;
	struct page_cache *cache;
	struct stream_hub *hub;
	struct render_site site;
	char base_url[256];     /* site.base_url */
	int64_t last_change;    /* the newest change-log id applied */
	int64_t data_version;   /* the store's, when last read */
	int64_t boost_until_ms; /* see live_boost() */
	/* "N reading now" (live_readers): */
	int64_t readers_worker;         /* this worker's id in the store's table */
	int64_t readers_at;             /* when the counts were last taken */
	int64_t readers_put_at;         /* ...and last written */
	struct store_readers *readers_put; /* what was written (pages with readers) */
	size_t n_readers_put;
	int readers_failing;            /* the last write or read failed (logged once) */
	int64_t calendar_slot;  /* the quarter hour live_calendar() last saw */
};

/* A worker's id in the readers table: random, so that the workers of every
 * node sharing one database never meet (a pid is only unique on one machine),
 * and new in each process, so that a restarted worker's rows are its own. */
static int64_t live_readers_id(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	return (int64_t)(v >> 1) | 1; /* positive: a BIGINT column, and never 0 */
}

struct live *live_new(struct store *store, const struct live_config *cfg, char *err,
		      size_t errlen)
{
	struct live *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->store = store;
	l->readers_worker = live_readers_id();
	/* Pages rendered from now on show this quarter hour's year. */
	l->calendar_slot = (int64_t)time(NULL) / 900;
	page_assets_init();
	l->site.name = "Liveline";
	l->site.css_url = page_asset_by_name("style.css")->url;
	l->site.js_url = page_asset_by_name("live.js")->url;
	snprintf(l->base_url, sizeof(l->base_url), "%s",
		 cfg->base_url && *cfg->base_url ? cfg->base_url : "http://localhost");
	l->site.base_url = l->base_url;
	/* The HTTP layer attaches its prebuilt responses to entries and says how
	 * to free them (page_cache_set_attached_free). */
	l->cache = page_cache_new(cfg->cache_entries, cfg->cache_bytes, NULL);
	if (!l->cache) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	l->hub = stream_hub_new(store, cfg->stream_ring);
	if (!l->hub) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	stream_hub_set_text_keepalive(l->hub, cfg->heartbeat_s);
	if (store_last_change_id(store, &l->last_change) < 0 ||
	    store_data_version(store, &l->data_version) < 0) {
		snprintf(err, errlen, "%s", store_errmsg(store));
		goto fail;
	}
	return l;
fail:
	live_free(l);
	return NULL;
}

void live_free(struct live *l)
{
	if (!l)
		return;
	/* Its readers stop counting now rather than when their rows go stale. */
	if (l->n_readers_put &&
	    store_readers_put(l->store, l->readers_worker, (int64_t)time(NULL), NULL, 0) < 0)
		log_warnx("readers: %s", store_errmsg(l->store));
	free(l->readers_put);
	stream_hub_free(l->hub);
	page_cache_free(l->cache);
	free(l);
}

struct page_cache *live_cache(struct live *l)
{
	return l->cache;
}

struct stream_hub *live_hub(struct live *l)
{
	return l->hub;
}

const struct render_site *live_site(const struct live *l)
{
	return &l->site;
}

/* ---- the change log ---- */

int64_t live_last_change(const struct live *l)
{
	return l->last_change;
}

int live_calendar(struct live *l, int64_t now)
{
	int64_t slot = now / 900;
	time_t t = (time_t)now;
	struct tm tm;

	if (slot == l->calendar_slot)
		return 0;
	l->calendar_slot = slot;
	if (!gmtime_r(&t, &tm) ||
	    !((tm.tm_mon == 11 && tm.tm_mday == 31) || (tm.tm_mon == 0 && tm.tm_mday == 1)))
		return 0;
	page_cache_drop_rendered(l->cache);
	return 1;
}

int live_poll(struct live *l, int changed)
{
	struct store_change *ch;
	int64_t v;
	size_t n;

	(void)live_calendar(l, (int64_t)time(NULL));
	/* Without `changed`, the data version (a read transaction of its own,
	 * which costs as much as reading the log) says whether to read at all.
	 * With it, the timer then finds the version moved once and reads
	 * nothing new. */
	if (!changed) {
		if (store_data_version(l->store, &v) < 0) {
			log_warnx("change log: %s", store_errmsg(l->store));
			return -1;
		}
		if (v == l->data_version)
			return 0;
		l->data_version = v;
	}
	do {
		if (store_changes_since(l->store, l->last_change, LIVE_CHANGES_BATCH, &ch, &n) < 0) {
			log_warnx("change log: %s", store_errmsg(l->store));
			return -1;
		}
		if (n) {
			live_apply(l, ch, n);
			l->last_change = ch[n - 1].id;
		}
		store_changes_free(ch, n);
	} while (n == LIVE_CHANGES_BATCH);
	return 0;
}

/* The live pages that readers were being served from the cache when a change
 * dropped them: they are rendered again at once. So are embeds (`embed`),
 * which other sites' pages may be loading as often. */
struct live_warm_list {
	char slugs[LIVE_WARM_MAX][96]; /* slugs are at most 80 bytes (model_slug_valid) */
	int embed[LIVE_WARM_MAX];
	size_t n;
};

static void live_note_dropped(void *arg, const struct page_entry *e)
{
	struct live_warm_list *w = arg;

	if (w->n >= LIVE_WARM_MAX)
		return;
	/* "page:SLUG:0": the live page itself, not its older pages. */
	if (page_key_live_slug(e->key, w->slugs[w->n], sizeof(w->slugs[0])))
		w->embed[w->n++] = 0;
	else if (page_key_embed_slug(e->key, w->slugs[w->n], sizeof(w->slugs[0])))
		w->embed[w->n++] = 1;
}

void live_apply(struct live *l, const struct store_change *changes, size_t n)
{
	struct live_warm_list warm = { .n = 0 };

	/* Drop first: a reader who loads the page after the event must see it. */
	for (size_t i = 0; i < n; i++)
		page_cache_drop_page(l->cache, changes[i].page_id, live_note_dropped, &warm);
	stream_hub_apply(l->hub, changes, n);
	live_boost(l);
	/* A live page in the cache has readers: render it now, on this thread,
	 * rather than in the first reader's request after each post. */
	for (size_t i = 0; i < warm.n; i++) {
		if (warm.embed[i])
			live_warm_embed(l, warm.slugs[i]);
		else
			live_warm(l, warm.slugs[i]);
	}
}

void live_heartbeat(struct live *l)
{
	stream_hub_heartbeat(l->hub);
	live_boost(l);
}

void live_boost(struct live *l)
{
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (stream_hub_sending(l->hub))
		l->boost_until_ms = now + LIVE_BOOST_GRACE_MS;
	prio_boost(now < l->boost_until_ms);
}

/* ---- rendering into the cache ---- */

static const char *live_buf_why(const struct buf *b)
{
	return b->err == BUF_ETOOBIG ? "too large" : "out of memory";
}

struct page_entry *live_cache_failure(struct live *l, const char *key, int64_t page_id,
				      const char *why)
{
	struct page_entry *e;
	struct buf b;

	log_warnx("rendering %s failed (%s); answering 500 until the page changes", key, why);
	buf_init(&b, 64 * 1024);
	render_error_html(&b, &l->site, 500, "Internal Server Error",
			  "This page could not be shown.");
	e = b.err ? NULL
		  : page_cache_put(l->cache, key, page_id, 500, PAGE_CT_HTML, PAGE_CC_FAILED,
				   b.data, b.len);
	buf_cleanup(&b);
	return e;
}

struct page_entry *live_page_entry(struct live *l, const char *key, const struct model_page *page,
				   size_t page_no, enum live_miss *miss)
{
	struct render_page_view v = { 0 };
	struct model_post *posts = NULL, pinned = { 0 };
	struct model_key_event *keys = NULL;
	size_t count = render_page_count(page->n_posts), n = 0, first, want, n_keys = 0;
	struct page_entry *e = NULL;
	struct buf b;
	int newest;

	if (page_no > count) {
		*miss = LIVE_MISS_NOT_FOUND;
		return NULL;
	}
	if (page_no == 0)
		page_no = count;
	newest = page_no == count;
	render_page_range(page->n_posts, page_no, &first, &want);
	if (store_post_range(l->store, page->id, first, want, &posts, &n) < 0) {
		log_warnx("store: %s", store_errmsg(l->store));
		*miss = LIVE_MISS_STORE;
		return NULL;
	}
	if (newest && page->pinned_post_id &&
	    store_post_get(l->store, page->id, page->pinned_post_id, &pinned) == 0)
		v.pinned = &pinned;
	/* Every page of a live page lists its key events: a change to any post
	 * may change every page, which is why a change drops them all. */
	if (store_post_key_events(l->store, page->id, MODEL_KEY_EVENTS_MAX, &keys, &n_keys) < 0) {
		log_warnx("store: %s", store_errmsg(l->store));
		keys = NULL;
		n_keys = 0;
	}
	v.key_events = keys;
	v.n_key_events = n_keys;
	v.page = page;
	v.posts = posts;
	v.n_posts = n;
	v.page_no = page_no;
	v.page_count = count;
	/* What the write limits allow a page to be (model_limits.h): a render
	 * over it comes from data written before the limits, or directly to the
	 * store. */
	buf_init(&b, MODEL_PAGE_HTML_MAX);
	render_page_html(&b, &l->site, &v);
	model_posts_free(posts, n);
	model_post_cleanup(&pinned);
	model_key_events_free(keys, n_keys);
	if (b.err)
		e = live_cache_failure(l, key, page->id, live_buf_why(&b));
	else
		/* Only the newest page changes as posts arrive; older pages change
		 * on an edit or a deletion, and when a key event is published (their
		 * list of key events), all of which drop them from our cache. */
		e = page_cache_put(l->cache, key, page->id, 200, PAGE_CT_HTML,
				   newest ? PAGE_CC_LIVE : PAGE_CC_STABLE, b.data ? b.data : "",
				   b.len);
	buf_cleanup(&b);
	if (!e)
		*miss = LIVE_MISS_MEMORY;
	return e;
}

/* Renders the live page of `slug` (embed 0) or its embed (1) into the cache. */
static void live_warm_view(struct live *l, const char *slug, int embed)
{
	struct model_page page;
	enum live_miss miss;
	char key[PAGE_KEY_MAX];

	if (store_page_get_public(l->store, slug, &page) < 0)
		return; /* unpublished, or the store failed: the next reader finds out */
	if (embed) {
		page_key_embed(key, slug);
		(void)live_embed_entry(l, key, &page, &miss);
	} else {
		page_key_page(key, slug, 0);
		(void)live_page_entry(l, key, &page, 0, &miss);
	}
	model_page_cleanup(&page);
}

void live_warm(struct live *l, const char *slug)
{
	live_warm_view(l, slug, 0);
}

struct page_entry *live_embed_entry(struct live *l, const char *key,
				    const struct model_page *page, enum live_miss *miss)
{
	struct model_post *posts = NULL;
	struct page_entry *e;
	struct buf b;
	size_t n = 0;

	if (store_post_newest(l->store, page, RENDER_EMBED_POSTS, &posts, &n) < 0) {
		log_warnx("store: %s", store_errmsg(l->store));
		*miss = LIVE_MISS_STORE;
		return NULL;
	}
	buf_init(&b, MODEL_PAGE_HTML_MAX);
	render_embed_html(&b, &l->site, page, posts, n);
	model_posts_free(posts, n);
	if (b.err)
		e = live_cache_failure(l, key, page->id, live_buf_why(&b));
	else
		/* It changes as the live page does: the same Cache-Control. */
		e = page_cache_put(l->cache, key, page->id, 200, PAGE_CT_HTML, PAGE_CC_LIVE,
				   b.data ? b.data : "", b.len);
	buf_cleanup(&b);
	if (!e)
		*miss = LIVE_MISS_MEMORY;
	return e;
}

void live_warm_embed(struct live *l, const char *slug)
{
	live_warm_view(l, slug, 1);
}

/* ---- readers of each page ---- */

/* The pages of `v` with readers, kept in place; their number. */
static size_t live_readers_nonzero(struct store_readers *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i].readers > 0)
			v[k++] = v[i];
	return k;
}

static int64_t live_readers_find(const struct store_readers *v, size_t n, int64_t page_id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].page_id == page_id)
			return v[i].readers;
	return 0;
}

/* Writes this worker's counts when they changed since the last write, or to
 * keep its rows fresh (LIVE_READERS_REFRESH_S); 0, or -1 if the store failed. */
static int live_readers_write(struct live *l, int64_t now, const struct store_readers *mine,
			      size_t n_mine)
{
	struct store_readers *keep = NULL, *p;
	size_t k;

	if (n_mine) {
		keep = malloc(n_mine * sizeof(*keep));
		if (!keep)
			return -1;
		memcpy(keep, mine, n_mine * sizeof(*keep));
	}
	k = live_readers_nonzero(keep, n_mine);
	if (k == l->n_readers_put &&
	    (k == 0 || (memcmp(keep, l->readers_put, k * sizeof(*keep)) == 0 &&
			now < l->readers_put_at + LIVE_READERS_REFRESH_S &&
			now >= l->readers_put_at))) {
		free(keep);
		return 0;
	}
	if (store_readers_put(l->store, l->readers_worker, now, keep, k) < 0) {
		free(keep);
		return -1;
	}
	p = l->readers_put;
	l->readers_put = keep;
	l->n_readers_put = k;
	l->readers_put_at = now;
	free(p);
	return 0;
}

void live_readers(struct live *l, int64_t now)
{
	struct store_readers *mine = NULL, *sum = NULL;
	size_t n_mine = 0, n_sum = 0;
	int failed = 0;

	if (now >= l->readers_at && now < l->readers_at + LIVE_READERS_PERIOD_S)
		return;
	l->readers_at = now;
	if (stream_hub_readers_get(l->hub, &mine, &n_mine) < 0)
		return;
	if (live_readers_write(l, now, mine, n_mine) < 0)
		failed = 1;
	/* Pages with a topic here are the ones whose readers can be told; with
	 * none, nothing is read. */
	if (n_mine && store_readers_sum(l->store, now - STORE_READERS_STALE_S, &sum, &n_sum) < 0)
		failed = 1;
	else
		for (size_t i = 0; i < n_mine; i++)
			if (stream_hub_readers_set(l->hub, mine[i].page_id,
						   live_readers_find(sum, n_sum, mine[i].page_id)) < 0)
				break;
	if (failed && !l->readers_failing)
		log_warnx("readers: %s", store_errmsg(l->store));
	l->readers_failing = failed;
	free(sum);
	free(mine);
}
