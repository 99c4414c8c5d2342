/*
 * A worker's live state: the page cache, the stream hub, the change log's
 * position and the warming of live pages. See live.h.
 */
#include "live/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model_limits.h"
#include "page/page_assets.h"
#include "page/page_key.h"
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
};

struct live *live_new(struct store *store, const struct live_config *cfg, char *err,
		      size_t errlen)
{
	struct live *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->store = store;
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

int live_poll(struct live *l, int changed)
{
	struct store_change *ch;
	int64_t v;
	size_t n;

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
 * dropped them: they are rendered again at once. */
struct live_warm_list {
	char slugs[LIVE_WARM_MAX][96]; /* slugs are at most 80 bytes (model_slug_valid) */
	size_t n;
};

static void live_note_dropped(void *arg, const struct page_entry *e)
{
	struct live_warm_list *w = arg;

	/* "page:SLUG:0": the live page itself, not its older pages. */
	if (w->n < LIVE_WARM_MAX &&
	    page_key_live_slug(e->key, w->slugs[w->n], sizeof(w->slugs[0])))
		w->n++;
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
	for (size_t i = 0; i < warm.n; i++)
		live_warm(l, warm.slugs[i]);
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
	size_t count = render_page_count(page->n_posts), n = 0, n_keys = 0;
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
	if (store_post_range(l->store, page->id, (page_no - 1) * MODEL_POSTS_PER_PAGE,
			     MODEL_POSTS_PER_PAGE, &posts, &n) < 0) {
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

void live_warm(struct live *l, const char *slug)
{
	struct model_page page;
	enum live_miss miss;
	char key[PAGE_KEY_MAX];

	if (store_page_get_public(l->store, slug, &page) < 0)
		return; /* unpublished, or the store failed: the next reader finds out */
	page_key_page(key, slug, 0);
	(void)live_page_entry(l, key, &page, 0, &miss);
	model_page_cleanup(&page);
}
