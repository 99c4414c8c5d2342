/*
 * The shared counters of the master and its workers: see stats.h.
 */
#include "util/stats.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

const double stats_bucket_le[STATS_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static const unsigned stats_codes[STATS_STATUSES - 1] = { STATS_STATUS_CODES };

/* The region (the master's mapping, inherited by every worker) and, in a
 * worker, its own slot. Process-wide, like the log: every layer counts. */
static struct stats_region *stats_shm;
static struct stats_slot *stats_self;
static int stats_memfd = -1; /* the region's file (stats_fd) */

#define STATS_RELAXED memory_order_relaxed

static int64_t stats_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int stats_map(int fd)
{
	void *p;

	if (stats_shm)
		return 0;
	p = mmap(NULL, sizeof(struct stats_region), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	stats_shm = p;
	return 0;
}

int stats_fd(void)
{
	return stats_memfd;
}

int stats_open(unsigned slots)
{
	int fd;

	if (stats_shm)
		return 0;
	/* A memory file rather than an anonymous mapping: fork() gives every
	 * worker the same pages either way, and its descriptor can also reach
	 * a process that exec()s (stats_map). Pages are touched only as slots
	 * are used. */
	fd = memfd_create("liveline-stats", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, sizeof(struct stats_region)) < 0 || stats_map(fd) < 0) {
		close(fd);
		return -1;
	}
	stats_memfd = fd;
	atomic_store(&stats_shm->start_s, (long long)time(NULL));
	atomic_store(&stats_shm->slots, slots > STATS_SLOTS ? STATS_SLOTS : slots);
	return 0;
}

void stats_close(void)
{
	if (stats_shm)
		munmap(stats_shm, sizeof(struct stats_region));
	if (stats_memfd >= 0)
		close(stats_memfd);
	stats_memfd = -1;
	stats_shm = NULL;
	stats_self = NULL;
}

struct stats_region *stats_region(void)
{
	return stats_shm;
}

static void stats_gauges_zero(struct stats_slot *sl)
{
	for (unsigned g = 0; g < STATS_GAUGES; g++)
		atomic_store_explicit(&sl->gauge[g], 0, STATS_RELAXED);
	atomic_store(&sl->unready, STATS_UNREADY_UNCHECKED);
	atomic_store(&sl->checked_ms, 0);
	atomic_store(&sl->other_streams, 0);
	/* Rows are forgotten before their slugs can be overwritten. */
	atomic_store(&sl->n_pages, 0);
	for (unsigned i = 0; i < STATS_PAGES; i++) {
		atomic_store(&sl->pages[i].used, 0);
		atomic_store(&sl->pages[i].streams, 0);
	}
}

void stats_attach(unsigned slot)
{
	if (!stats_shm || slot >= STATS_SLOTS)
		return;
	stats_self = &stats_shm->slot[slot];
	stats_gauges_zero(stats_self);
	atomic_store(&stats_self->pid, (int)getpid());
}

void stats_slot_ended(unsigned slot)
{
	if (!stats_shm || slot >= STATS_SLOTS)
		return;
	atomic_store(&stats_shm->slot[slot].pid, 0);
	stats_gauges_zero(&stats_shm->slot[slot]);
}

void stats_slots_used(unsigned n)
{
	unsigned cur;

	if (!stats_shm || n > STATS_SLOTS)
		return;
	cur = atomic_load(&stats_shm->slots);
	while (cur < n && !atomic_compare_exchange_weak(&stats_shm->slots, &cur, n))
		;
}

void stats_note_restart(void)
{
	if (stats_shm)
		atomic_fetch_add_explicit(&stats_shm->restarts, 1, STATS_RELAXED);
}

void stats_count(enum stats_counter c, uint64_t n)
{
	if (stats_self && c < STATS_COUNTERS)
		atomic_fetch_add_explicit(&stats_self->counter[c], n, STATS_RELAXED);
}

void stats_gauge_set(enum stats_gauge g, int64_t v)
{
	if (stats_self && g < STATS_GAUGES)
		atomic_store_explicit(&stats_self->gauge[g], v, STATS_RELAXED);
}

unsigned stats_status_index(unsigned status)
{
	for (unsigned i = 0; i < STATS_STATUSES - 1; i++)
		if (stats_codes[i] == status)
			return i;
	return STATS_STATUSES - 1;
}

unsigned stats_status_code(unsigned index)
{
	return index < STATS_STATUSES - 1 ? stats_codes[index] : 0;
}

void stats_request(enum stats_route route, unsigned status)
{
	if (!stats_self || route >= STATS_ROUTES)
		return;
	atomic_fetch_add_explicit(&stats_self->requests[route][stats_status_index(status)], 1,
				  STATS_RELAXED);
}

int stats_page_index(const char *slug)
{
	unsigned n;
	size_t len;

	if (!stats_self || !slug)
		return -1;
	n = atomic_load(&stats_self->n_pages);
	len = strlen(slug);
	if (n >= STATS_PAGES || len >= STATS_SLUG_MAX)
		return -1;
	/* One thread makes rows, so no other takes row n meanwhile; readers
	 * look at a row only once `used` says its slug is whole. */
	memcpy(stats_self->pages[n].slug, slug, len + 1);
	atomic_store(&stats_self->pages[n].streams, 0);
	atomic_store_explicit(&stats_self->pages[n].used, 1, memory_order_release);
	atomic_store(&stats_self->n_pages, n + 1);
	return (int)n;
}

void stats_streams_add(int page, int delta)
{
	if (!stats_self)
		return;
	atomic_fetch_add_explicit(&stats_self->gauge[STATS_STREAMS], delta, STATS_RELAXED);
	if (page >= 0 && page < STATS_PAGES)
		atomic_fetch_add_explicit(&stats_self->pages[page].streams, delta, STATS_RELAXED);
	else
		atomic_fetch_add_explicit(&stats_self->other_streams, delta, STATS_RELAXED);
}

void stats_commit_note(int64_t from, int64_t to)
{
	struct stats_commit *c;
	uint64_t i;

	if (!stats_shm || from <= 0 || to < from)
		return;
	i = atomic_fetch_add(&stats_shm->commit_next, 1) % STATS_COMMITS;
	c = &stats_shm->commits[i];
	/* `to` first as 0, so that a reader never pairs the new range with the
	 * old time (the reader checks `to` again after reading the time). */
	atomic_store(&c->to, 0);
	atomic_store(&c->from, from);
	atomic_store(&c->t_us, stats_now_us());
	atomic_store(&c->to, to);
}

unsigned stats_bucket_of(uint64_t us)
{
	for (unsigned b = 0; b < STATS_BUCKETS; b++)
		if ((double)us <= stats_bucket_le[b] * 1e6)
			return b;
	return STATS_BUCKETS;
}

void stats_publish_observe(int64_t id)
{
	int64_t now, t = -1;

	if (!stats_shm || !stats_self || id <= 0)
		return;
	for (unsigned i = 0; i < STATS_COMMITS && t < 0; i++) {
		struct stats_commit *c = &stats_shm->commits[i];
		int64_t to = atomic_load(&c->to), from = atomic_load(&c->from);
		int64_t at = atomic_load(&c->t_us);

		if (to && id >= from && id <= to && atomic_load(&c->to) == to &&
		    atomic_load(&c->from) == from)
			t = at;
	}
	if (t < 0)
		return;
	now = stats_now_us();
	if (now < t)
		now = t;
	atomic_fetch_add_explicit(&stats_self->hist[stats_bucket_of((uint64_t)(now - t))], 1,
				  STATS_RELAXED);
	atomic_fetch_add_explicit(&stats_self->hist_sum_us, (uint64_t)(now - t), STATS_RELAXED);
}

void stats_ready_set(enum stats_unready unready, int64_t lag)
{
	if (!stats_self)
		return;
	atomic_store(&stats_self->gauge[STATS_LAG], lag);
	atomic_store(&stats_self->unready, (int)unready);
	atomic_store(&stats_self->checked_ms, stats_now_us() / 1000);
}

enum stats_unready stats_ready_get(int64_t *lag)
{
	long long checked;

	*lag = 0;
	if (!stats_self)
		return STATS_READY;
	*lag = atomic_load(&stats_self->gauge[STATS_LAG]);
	checked = atomic_load(&stats_self->checked_ms);
	if (!checked || stats_now_us() / 1000 - checked > STATS_READY_STALE_S * 1000)
		return STATS_UNREADY_UNCHECKED;
	return (enum stats_unready)atomic_load(&stats_self->unready);
}
